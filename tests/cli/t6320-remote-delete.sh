#!/bin/bash
# t6320-remote-delete - deletions travel only on request: `push --delete`
# turns the sessions deleted from a history into tombstones on a real
# PostgreSQL remote and removes them there; a push never brings them back;
# a fetch into another history applies them; a history does not fetch again
# what it deleted. An older remote schema is upgraded by `remote init`.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/pg-lib.sh"

if ! start_pg; then
	test_skip 'tombstones' 'PostgreSQL is not installed (scripts/setup-deps installs it)'
	test_done
fi

export INSIGHT_NOW=2026-11-23T00:00:00Z
FX=$INSIGHT_SRCDIR/tests/fixtures/history
mkdir hist
A=$TRASH/hist/a.db B=$TRASH/hist/b.db C=$TRASH/hist/c.db
TABLES="meta sut test fingerprint session session_tag result result_property output_section tombstone"

remote_digest() {
	for t in $TABLES; do
		pg_psql -At -c "SELECT '$t', count(*), md5(coalesce(string_agg(x::text, '|' ORDER BY x::text), ''))
			FROM insight.$t x" || return 1
	done
}

remote_count() {
	pg_psql -At -c "$1"
}

uid_of() {
	sqlite3 "$1" "SELECT s.uid FROM session s JOIN sut ON sut.id = s.sut_id
		WHERE sut.name = '$2' ORDER BY s.started_ms LIMIT 1 OFFSET $3"
}

test_expect_success 'setup: history A with four sessions, pushed; B fetches them' '
	insight --db "$A" session import --sut api "$FX/api-1.xml" 2>/dev/null &&
	insight --db "$A" session import --sut api "$FX/api-2.xml" 2>/dev/null &&
	insight --db "$A" session import --sut api --tag env=staging "$FX/api-3.xml" 2>/dev/null &&
	insight --db "$A" session import --sut web "$FX/web-2.xml" 2>/dev/null &&
	insight --db "$A" remote add origin "$PG_URL" &&
	insight --db "$A" remote init origin >/dev/null &&
	insight --db "$A" push >out &&
	test_grep "^pushed 4 sessions" out &&
	insight --db "$B" fetch >out &&
	test_grep "^fetched 4 sessions" out
'

test_expect_success 'a remote of schema version 1 is refused, then upgraded by remote init' '
	pg_remote_downgrade 1 &&
	test_must_fail --exit 4 insight --db "$A" push 2>err &&
	test_line_count = 1 err &&
	test_grep "schema version 1, older than this insight writes" err &&
	test_grep "run .insight remote init origin." err &&
	insight --db "$A" remote init origin >out &&
	test_grep "^upgraded the schema on remote .origin. from version 1 to " out &&
	test "$(remote_count "SELECT count(*) FROM insight.session")" = 4 &&
	insight --db "$A" push >out &&
	test_grep "^pushed 0 sessions (0 results) to origin; 4 there already$" out
'

test_expect_success 'session delete is remembered in the history' '
	gone=$(uid_of "$A" api 1) && test -n "$gone" &&
	echo "$gone" >gone.uid &&
	insight --db "$A" session delete --yes "$gone" 2>/dev/null &&
	sqlite3 "$A" "SELECT uid, sut FROM session_deleted" >actual &&
	echo "$gone|api" >expect &&
	test_cmp expect actual
'

test_expect_success 'deletions are local unless asked: a plain push leaves the remote alone' '
	remote_digest >before &&
	insight --db "$A" push >out &&
	echo "pushed 0 sessions (0 results) to origin; 3 there already" >expect &&
	test_cmp expect out &&
	remote_digest >after &&
	test_cmp before after
'

test_expect_success 'push --delete --dry-run counts the deletion and sends nothing' '
	insight --db "$A" push --delete --dry-run >out &&
	echo "would push 0 sessions to origin; 3 there already; would send 1 deletions" >expect &&
	test_cmp expect out &&
	remote_digest >after &&
	test_cmp before after
'

test_expect_success 'push --delete writes a tombstone and removes the session with its rows' '
	results_before=$(remote_count "SELECT count(*) FROM insight.result") &&
	gone_results=$(sqlite3 "$B" "SELECT count(*) FROM result r JOIN session s ON s.id = r.session_id
		WHERE s.uid = '"'"'$(cat gone.uid)'"'"'") &&
	test "$gone_results" -gt 0 &&
	insight --db "$A" push --delete >out &&
	echo "pushed 0 sessions (0 results) to origin; 3 there already; sent 1 deletions" >expect &&
	test_cmp expect out &&
	remote_count "SELECT uid FROM insight.tombstone" >actual &&
	test_cmp gone.uid actual &&
	test "$(remote_count "SELECT count(*) FROM insight.session")" = 3 &&
	test "$(remote_count "SELECT count(*) FROM insight.session WHERE uid = '"'"'$(cat gone.uid)'"'"'")" = 0 &&
	test "$(remote_count "SELECT count(*) FROM insight.result")" = $((results_before - gone_results)) &&
	test "$(remote_count "SELECT count(*) FROM insight.result r WHERE NOT EXISTS
		(SELECT 1 FROM insight.session s WHERE s.id = r.session_id)")" = 0
'

test_expect_success 'push --delete again sends nothing new and changes no row' '
	remote_digest >before &&
	insight --db "$A" push --delete >out &&
	test_grep "; sent 0 deletions$" out &&
	remote_digest >after &&
	test_cmp before after
'

test_expect_success 'a history that still has the session does not push it back' '
	insight --db "$B" push >out &&
	echo "pushed 0 sessions (0 results) to origin; 4 there already" >expect &&
	test_cmp expect out &&
	remote_digest >after &&
	test_cmp before after
'

test_expect_success 'a fetch applies the tombstone: B loses the session, once' '
	insight --db "$B" fetch >out &&
	echo "fetched 0 sessions (0 results) from origin; 0 here already; deleted 1 sessions deleted there" >expect &&
	test_cmp expect out &&
	test "$(sqlite3 "$B" "SELECT count(*) FROM session WHERE uid = '"'"'$(cat gone.uid)'"'"'")" = 0 &&
	test "$(sqlite3 "$B" "SELECT count(*) FROM session")" = 3 &&
	sqlite3 "$B" "SELECT uid FROM session_deleted" >actual &&
	test_cmp gone.uid actual &&
	insight --db "$B" db check >/dev/null &&
	insight --db "$B" fetch >out &&
	echo "fetched 0 sessions (0 results) from origin; 0 here already" >expect &&
	test_cmp expect out
'

test_expect_success 'after the round trip both histories answer alike (JSON)' '
	for cmd in "analytics summary --days 30" "analytics failures --days 30" \
		"analytics flaky --days 30 --min-runs 1" "session list" "test list"; do
		insight --db "$A" --format json $cmd >a.json &&
		insight --db "$B" --format json $cmd >b.json &&
		test_cmp a.json b.json || return 1
	done
'

test_expect_success 'a fresh history fetches what is left, without the deleted session' '
	insight --db "$C" fetch >out &&
	test_grep "^fetched 3 sessions" out &&
	test "$(sqlite3 "$C" "SELECT count(*) FROM session WHERE uid = '"'"'$(cat gone.uid)'"'"'")" = 0
'

test_expect_success 'a session deleted here only is not fetched back, even by a filtered fetch' '
	local_gone=$(uid_of "$C" api 0) &&
	insight --db "$C" session delete --yes "$local_gone" 2>/dev/null &&
	insight --db "$C" fetch --sut api >out &&
	echo "fetched 0 sessions (0 results) from origin; 2 here already" >expect &&
	test_cmp expect out &&
	test "$(sqlite3 "$C" "SELECT count(*) FROM session")" = 2 &&
	test "$(remote_count "SELECT count(*) FROM insight.session")" = 3
'

test_expect_success 'deletions pushed with --sut go for that SUT only' '
	web=$(uid_of "$C" web 0) && api=$(uid_of "$C" api 0) &&
	insight --db "$C" session delete --yes "$web" 2>/dev/null &&
	insight --db "$C" push --delete --sut web >out &&
	test_grep "; sent 1 deletions$" out &&
	test "$(remote_count "SELECT count(*) FROM insight.tombstone")" = 2 &&
	test "$(remote_count "SELECT count(*) FROM insight.session WHERE uid = '"'"'$web'"'"'")" = 0 &&
	test "$(remote_count "SELECT count(*) FROM insight.session WHERE uid = '"'"'$api'"'"'")" = 1
'

test_expect_success 'db merge does not bring back what the history deleted either' '
	insight --db "$C" db merge "$A" >out &&
	echo "merged 0 sessions (0 results) from $A; 3 here already" >expect &&
	test_cmp expect out &&
	test "$(sqlite3 "$C" "SELECT count(*) FROM session")" = 1
'

test_expect_success 'push --delete to a history file is refused (exit 2)' '
	insight --db "$A" remote add file "$TRASH/hist/other.db" &&
	test_must_fail --exit 2 insight --db "$A" push --delete file 2>err &&
	test_line_count = 1 err &&
	test_grep "push --delete needs a PostgreSQL remote" err
'

test_done
