#!/bin/bash
# t6340-remote-auto-push - remote.auto-push: `session import` and `session
# run` push to a real PostgreSQL right after recording; with the server
# stopped the session stays local, one warning line says so, the exit
# status is the one without auto-push, and the next push sends it.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/pg-lib.sh"

if ! start_pg; then
	test_skip 'auto-push' 'PostgreSQL is not installed (scripts/setup-deps installs it)'
	test_done
fi

export INSIGHT_NOW=2026-11-23T00:00:00Z
FX=$INSIGHT_SRCDIR/tests/fixtures/history
mkdir hist
A=$TRASH/hist/a.db

remote_sessions() {
	pg_psql -At -c "SELECT count(*) FROM insight.session"
}

start_again() {
	pg_as "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -t 30 \
		-o "-k $PG_DIR -h 127.0.0.1 -p $PG_PORT -F -c fsync=off" start >/dev/null
}

test_expect_success 'setup: a remote, and remote.auto-push naming it' '
	insight --db "$A" remote add origin "$PG_URL" &&
	insight --db "$A" remote init origin >/dev/null 2>&1 &&
	insight --db "$A" config set remote.auto-push origin &&
	insight --db "$A" config get remote.auto-push >actual &&
	echo origin >expect && test_cmp expect actual
'

test_expect_success 'session import pushes right after recording' '
	insight --db "$A" session import --sut api "$FX/api-1.xml" >out 2>err &&
	test_grep "pushed 1 sessions ([0-9]* results) to origin" err &&
	test "$(remote_sessions)" = 1 &&
	sqlite3 "$A" "SELECT uid FROM session" >expect &&
	pg_psql -At -c "SELECT uid FROM insight.session" >actual &&
	test_cmp expect actual
'

test_expect_success 'the exit status of an import of failing tests is unchanged' '
	insight --db "$A" session import --sut api "$FX/api-2.xml" >/dev/null 2>err; a=$? &&
	insight --db "$TRASH/plain.db" session import --sut api "$FX/api-2.xml" >/dev/null 2>&1; b=$? &&
	test $a = $b &&
	test "$(remote_sessions)" = 2
'

test_expect_success 'session run pushes its session; the exit status is the command'"'"'s' '
	test_must_fail --exit 3 insight --db "$A" session run --sut job -- sh -c "exit 3" >out 2>err &&
	test_grep "pushed 1 sessions" err &&
	test "$(remote_sessions)" = 3
'

test_expect_success 'server stopped: the import is stored, one warning line, exit status unchanged' '
	pg_as "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m immediate -w stop >/dev/null &&
	insight --db "$A" session import --sut web "$FX/web-1.jsonl" >out 2>err; a=$? &&
	insight --db "$TRASH/plain.db" session import --sut web "$FX/web-1.jsonl" >expect.out 2>expect.err; b=$? &&
	test $a = $b &&
	grep "auto-push" err >warn &&
	test_line_count = 1 warn &&
	test_grep "^insight: warning: auto-push to .origin. failed: cannot connect to remote .origin." warn &&
	test_grep "the session stays in this history and goes with the next push$" warn &&
	test "$(sqlite3 "$A" "SELECT count(*) FROM session")" = 4
'

test_expect_success 'server stopped: session run keeps its exit status and its session' '
	test_must_fail --exit 3 insight --db "$A" session run --sut job -- sh -c "exit 3" >out 2>err &&
	grep "auto-push" err >warn &&
	test_line_count = 1 warn &&
	test "$(sqlite3 "$A" "SELECT count(*) FROM session")" = 5
'

test_expect_success 'the next push sends what auto-push could not' '
	start_again &&
	test "$(remote_sessions)" = 3 &&
	insight --db "$A" push >out &&
	test_grep "^pushed 2 sessions .* 3 there already$" out &&
	sqlite3 "$A" "SELECT uid FROM session ORDER BY uid" >expect &&
	pg_psql -At -c "SELECT uid FROM insight.session ORDER BY uid" >actual &&
	test_cmp expect actual
'

test_expect_success 'auto-push naming no remote: a warning, the session stored, exit 0' '
	insight --db "$A" config set remote.auto-push nowhere &&
	insight --db "$A" session import --sut api "$FX/api-3.xml" >out 2>err &&
	test_grep "^insight: warning: remote.auto-push names no remote .nowhere." err &&
	test "$(sqlite3 "$A" "SELECT count(*) FROM session")" = 6
'

test_done
