#!/bin/bash
# An answer longer than the screen goes through a pager at a terminal, as
# git does: INSIGHT_PAGER, then PAGER, then less -FRX; --no-pager, a short
# answer, or no terminal writes it as it is.
. "$(dirname "$0")/lib.sh"

# at_terminal ROWS CMD...: run CMD on a pseudo-terminal of ROWS lines.
at_terminal() {
	rows=$1
	shift
	script -qec "stty rows $rows cols 120; $(printf "%q " "$@")" /dev/null </dev/null
}

test_expect_success 'setup: twelve sessions' '
	insight init >/dev/null &&
	printf "%s\n" "<testsuite name=\"s\"><testcase classname=\"m\" name=\"a\"/></testsuite>" >r.xml &&
	for i in $(seq 1 12); do
		insight session import -q --sut api --force r.xml >/dev/null || return 1
	done
'

if command -v script >/dev/null; then
	test_expect_success 'longer than the screen: through INSIGHT_PAGER' '
		at_terminal 8 env INSIGHT_PAGER="sed s/^/PAGED:/" "$INSIGHT_BIN" session list >out &&
		test_grep "^PAGED:Sessions: 12" out
	'

	test_expect_success 'PAGER when INSIGHT_PAGER is unset; an empty INSIGHT_PAGER or cat pages nothing' '
		at_terminal 8 env -u INSIGHT_PAGER PAGER="sed s/^/VIA-PAGER:/" "$INSIGHT_BIN" session list >out &&
		test_grep "^VIA-PAGER:Sessions: 12" out &&
		at_terminal 8 env INSIGHT_PAGER= PAGER="sed s/^/VIA-PAGER:/" "$INSIGHT_BIN" session list >out &&
		! grep -q "VIA-PAGER" out && test_grep "Sessions: 12" out &&
		at_terminal 8 env INSIGHT_PAGER=cat "$INSIGHT_BIN" session list >out &&
		test_grep "^Sessions: 12" out
	'

	test_expect_success '--no-pager, and an answer that fits, are written as they are' '
		at_terminal 8 env INSIGHT_PAGER="sed s/^/PAGED:/" "$INSIGHT_BIN" --no-pager session list >out &&
		! grep -q PAGED out && test_grep "Sessions: 12" out &&
		at_terminal 60 env INSIGHT_PAGER="sed s/^/PAGED:/" "$INSIGHT_BIN" session list >out &&
		! grep -q PAGED out &&
		at_terminal 8 env INSIGHT_PAGER="sed s/^/PAGED:/" "$INSIGHT_BIN" --format json session list >out &&
		! grep -q PAGED out
	'
else
	test_skip 'paging at a terminal' 'script(1) is not installed'
fi

test_expect_success 'no terminal: never paged' '
	INSIGHT_PAGER="sed s/^/PAGED:/" insight session list >out &&
	! grep -q PAGED out
'

test_done
