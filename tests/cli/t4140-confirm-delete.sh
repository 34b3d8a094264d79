#!/bin/bash
# session delete and db prune ask before they delete when a person is at a
# terminal; --yes, or no terminal (scripts, pipelines), goes on at once.
. "$(dirname "$0")/lib.sh"

# at_terminal ANSWER CMD...: run CMD on a pseudo-terminal, ANSWER typed in.
at_terminal() {
	answer=$1
	shift
	printf "%s\n" "$answer" | script -qec "$(printf "%q " "$@")" /dev/null
}

test_expect_success 'setup: three sessions, two of them old' '
	insight init >/dev/null &&
	printf "%s\n" "<testsuite name=\"s\"><testcase classname=\"m\" name=\"a\"/></testsuite>" >r.xml &&
	for day in 01 02; do
		printf "%s\n" "<testsuite name=\"s\" timestamp=\"2020-01-${day}T00:00:00\"><testcase classname=\"m\" name=\"a\"/></testsuite>" >old$day.xml &&
		insight session import -q --sut api old$day.xml >/dev/null || return 1
	done &&
	insight session import -q --sut api r.xml >/dev/null &&
	test "$(insight --format json session list | json_get /dev/stdin "d[\"facts\"][\"sessions\"]")" = 3
'

if command -v script >/dev/null; then
	test_expect_success 'at a terminal, "n" keeps the session, "y" deletes it' '
		at_terminal n "$INSIGHT_BIN" session delete latest >out 2>&1 &&
		test_grep "delete 1 session (.*)? This cannot be undone. \[y/N\]" out &&
		test_grep "nothing deleted" out &&
		test "$(insight --format json session list | json_get /dev/stdin "d[\"facts\"][\"sessions\"]")" = 3 &&
		at_terminal y "$INSIGHT_BIN" session delete latest >out 2>&1 &&
		test_grep "deleted session" out &&
		test "$(insight --format json session list | json_get /dev/stdin "d[\"facts\"][\"sessions\"]")" = 2
	'

	test_expect_success 'db prune asks with the count; an empty answer is no' '
		at_terminal "" "$INSIGHT_BIN" db prune --older-than 30d >out 2>&1 &&
		test_grep "delete 2 sessions older than 30d?" out &&
		test "$(insight --format json session list | json_get /dev/stdin "d[\"facts\"][\"sessions\"]")" = 2 &&
		at_terminal n "$INSIGHT_BIN" db prune --older-than 30d --yes >out 2>&1 &&
		! grep -q "\[y/N\]" out &&
		test "$(insight --format json session list | json_get /dev/stdin "d[\"facts\"][\"sessions\"]")" = 0
	'
else
	test_skip 'confirmation at a terminal' 'script(1) is not installed'
fi

test_expect_success 'without a terminal nothing is asked' '
	insight session import -q --sut api --force r.xml >/dev/null &&
	insight session delete latest </dev/null >out 2>err &&
	! grep -q "\[y/N\]" err &&
	test_grep "deleted session" err
'

test_done
