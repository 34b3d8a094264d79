#!/bin/bash
# A history on read-only media, or one the user cannot write, is still read:
# the read commands work, a write says why it cannot in one line (exit 4).
. "$(dirname "$0")/lib.sh"

# one "now" for every command, so that windows ending now compare equal
INSIGHT_NOW=$(date -u +%Y-%m-%dT%H:%M:%SZ)
export INSIGHT_NOW

reads() {
	# every read command answers, and the answer is the one from a writable copy
	for c in "session list" "session show latest" "db check" "analytics summary" \
		"analytics flaky" "test list" "sut list"; do
		$1 "$INSIGHT_BIN" --format json $c >"ro.out" 2>"ro.err" || {
			echo "'$c' failed:"; cat ro.err; return 1; }
		"$INSIGHT_BIN" --db copy.db --format json $c >"rw.out" 2>/dev/null || return 1
		# the same answer but for the file's own path
		grep -v "\"path\":" ro.out >ro.cmp; grep -v "\"path\":" rw.out >rw.cmp
		cmp -s ro.cmp rw.cmp || { echo "'$c' differs"; diff ro.cmp rw.cmp; return 1; }
		test ! -s ro.err || { echo "'$c' said:"; cat ro.err; return 1; }
	done
}

test_expect_success 'setup: a history with two sessions, and a copy of it' '
	insight init >/dev/null &&
	printf "%s\n" "<testsuite name=\"s\"><testcase classname=\"m\" name=\"a\"/>" \
		"<testcase classname=\"m\" name=\"b\"><failure message=\"no\"/></testcase></testsuite>" >r1.xml &&
	sed "s/name=\"a\"/name=\"c\"/" r1.xml >r2.xml &&
	insight session import -q --sut api r1.xml >/dev/null &&
	insight session import -q --sut api r2.xml >/dev/null &&
	cp .insight/history.db copy.db &&
	test ! -e .insight/history.db-wal
'

if test "$(id -u)" = 0; then
	ns="unshare -m"
else
	ns="unshare -rm"
fi
if $ns true 2>/dev/null; then
	test_expect_success 'a read-only mount: every read command answers as from a writable copy' '
		cat >in-ns.sh <<-EOF &&
		mount --bind -o ro "$TRASH/.insight" "$TRASH/.insight" || exit 9
		touch "$TRASH/.insight/probe" 2>/dev/null && exit 9
		. "$TRASH/reads.sh"
		reads "" || exit 1
		"$INSIGHT_BIN" session import --sut api r1.xml >imp.out 2>imp.err
		echo \$? >imp.rc
		EOF
		declare -f reads >reads.sh &&
		INSIGHT_BIN="$INSIGHT_BIN" $ns bash in-ns.sh &&
		test "$(cat imp.rc)" = 4 &&
		test_line_count = 1 imp.err &&
		test_grep "cannot be written here (Read-only file system); commands that read it still work" imp.err &&
		test ! -s imp.out
	'
else
	test_skip 'a read-only mount' 'this machine cannot make a mount namespace'
fi

if test "$(id -u)" = 0 && id nobody >/dev/null 2>&1 && command -v runuser >/dev/null; then
	as_reader="runuser -u nobody --"
	test_expect_success 'setup: the history belongs to root, the reader is nobody' '
		d=$TRASH; while test "$d" != /; do chmod o+rx "$d" || return 1; d=$(dirname "$d"); done &&
		chmod 755 .insight && chmod 644 .insight/history.db copy.db &&
		chmod o+w . && touch ro.out rw.out ro.err ro.cmp rw.cmp && chmod 666 ro.out rw.out ro.err ro.cmp rw.cmp
	'
else
	as_reader=
	test_expect_success 'setup: the history and its directory are made read-only' '
		chmod a-w .insight .insight/history.db
	'
fi

test_expect_success 'a history the user cannot write: read commands answer, a write is refused in one line' '
	reads "$as_reader" &&
	test_must_fail $as_reader "$INSIGHT_BIN" session import --sut api r1.xml >out 2>err &&
	test_line_count = 1 err &&
	test_grep "cannot be written here (Permission denied)" err &&
	test ! -e .insight/history.db-wal &&
	test ! -e .insight/history.db-shm &&
	cmp .insight/history.db copy.db
'

test_expect_success 'cleanup: the history is writable again' '
	chmod -R u+w .insight
'

test_done
