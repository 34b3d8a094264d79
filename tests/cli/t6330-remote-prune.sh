#!/bin/bash
# t6330-remote-prune - retention on a real PostgreSQL remote: results live
# in monthly partitions (a month without one fills the default partition,
# so a push never needs DDL; `remote init` and `remote prune` give it one);
# `remote prune --older-than` drops the months wholly older than the limit,
# deletes the rest row by row, leaves every other row as it was, and keeps
# pushes from sending the pruned sessions back. An unpartitioned remote of
# an older insight is upgraded with its rows.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/pg-lib.sh"

if ! start_pg; then
	test_skip 'remote prune' 'PostgreSQL is not installed (scripts/setup-deps installs it)'
	test_done
fi

# now = 2026-11-23; 180 days before = 2026-05-27T00:00:00Z
export INSIGHT_NOW=2026-11-23T00:00:00Z
LIMIT_MS=1779840000000
mkdir hist
A=$TRASH/hist/a.db B=$TRASH/hist/b.db

# report DATE NAME: a JUnit report of two tests (one failing) started at DATE
report() {
	cat >"$2.xml" <<-EOT
	<?xml version="1.0" encoding="utf-8"?>
	<testsuite name="s" tests="2" failures="1" timestamp="${1}T08:00:00">
	  <testcase classname="c" name="test_a" time="0.5">
	    <properties><property name="case" value="C-$2"/></properties>
	    <failure message="boom $2">Traceback $2</failure>
	  </testcase>
	  <testcase classname="c" name="test_b" time="0.25"/>
	</testsuite>
	EOT
}

partitions() {
	pg_psql -At -c "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
		WHERE i.inhparent = 'insight.result'::regclass ORDER BY 1"
}

# Every row of the remote's tables for the sessions started at or after
# the limit, and the whole of the monthly partitions kept.
kept_rows() {
	pg_psql -At -c "SELECT x::text FROM insight.session x WHERE started_ms >= $LIMIT_MS ORDER BY 1" &&
	for t in result result_property session_tag output_section; do
		pg_psql -At -c "SELECT '$t', x::text FROM insight.$t x JOIN insight.session s
			ON s.id = x.session_id WHERE s.started_ms >= $LIMIT_MS ORDER BY 2" || return 1
	done &&
	for t in result_202605 result_202608 result_202611; do
		pg_psql -At -c "SELECT '$t', x::text FROM insight.$t x
			WHERE session_started_ms >= $LIMIT_MS ORDER BY 2" || return 1
	done &&
	for t in sut test fingerprint tombstone meta; do
		pg_psql -At -c "SELECT '$t', x::text FROM insight.$t x ORDER BY 2" || return 1
	done
}

test_expect_success 'setup: six sessions from March to November, pushed' '
	for d in 2026-03-10 2026-04-15 2026-05-20 2026-05-29 2026-08-01 2026-11-20; do
		report $d s$d &&
		insight --db "$A" session import --sut shop --tag day=$d s$d.xml 2>/dev/null || return 1
	done &&
	insight --db "$A" remote add origin "$PG_URL" &&
	insight --db "$A" remote init origin >out 2>err &&
	test_grep "^created the schema" out &&
	test_grep "created 13 monthly partitions of results on remote .origin." err &&
	insight --db "$A" push >out &&
	test_grep "^pushed 6 sessions (12 results)" out
'

test_expect_success 'results of months without a partition wait in the default one' '
	test "$(pg_psql -At -c "SELECT count(*) FROM insight.result_default")" = 10 &&
	test "$(pg_psql -At -c "SELECT count(*) FROM insight.result_202611")" = 2 &&
	partitions >actual &&
	test_grep "^result_202611$" actual && test_grep "^result_202711$" actual &&
	test_grep -v "^result_202712$" actual
'

test_expect_success 'remote init again moves them into partitions of their months' '
	insight --db "$A" remote init origin >out 2>err &&
	test_grep "has the schema already" out &&
	test_grep "created 4 monthly partitions" err &&
	test "$(pg_psql -At -c "SELECT count(*) FROM insight.result_default")" = 0 &&
	for m in 202603 202604 202608; do
		test "$(pg_psql -At -c "SELECT count(*) FROM insight.result_$m")" = 2 || return 1
	done &&
	test "$(pg_psql -At -c "SELECT count(*) FROM insight.result_202605")" = 4 &&
	test "$(pg_psql -At -c "SELECT count(*) FROM insight.result")" = 12
'

test_expect_success 'remote prune --dry-run says what would go and changes nothing' '
	kept_rows >kept.before &&
	pg_psql -At -c "SELECT count(*) FROM insight.result_property" >props.before &&
	insight --db "$A" remote prune --older-than 180d --dry-run origin >out &&
	echo "would prune 3 sessions (6 results) older than 180d from origin; 2 monthly partitions whole" >expect &&
	test_cmp expect out &&
	kept_rows >kept.after &&
	test_cmp kept.before kept.after &&
	test "$(pg_psql -At -c "SELECT count(*) FROM insight.session")" = 6
'

test_expect_success 'remote prune drops the old months whole and keeps the rest byte-identical' '
	insight --db "$A" remote prune --older-than 180d origin >out &&
	echo "pruned 3 sessions (6 results) older than 180d from origin; 2 monthly partitions dropped" >expect &&
	test_cmp expect out &&
	partitions >actual &&
	test_grep -v "^result_202603$" actual &&
	test_grep -v "^result_202604$" actual &&
	test "$(pg_psql -At -c "SELECT to_regclass('"'"'insight.result_202603'"'"') IS NULL")" = t &&
	test_grep "^result_202605$" actual &&
	test "$(pg_psql -At -c "SELECT count(*) FROM insight.result_202605")" = 2 &&
	test "$(pg_psql -At -c "SELECT count(*) FROM insight.session")" = 3 &&
	test "$(pg_psql -At -c "SELECT min(started_ms) >= $LIMIT_MS FROM insight.session")" = t &&
	test "$(pg_psql -At -c "SELECT count(*) FROM insight.session_tag")" = 3 &&
	test "$(pg_psql -At -c "SELECT count(*) FROM insight.result_property")" = 3 &&
	test "$(pg_psql -At -c "SELECT value FROM insight.meta WHERE key = '"'"'pruned_before'"'"'")" = $LIMIT_MS &&
	kept_rows | grep -v "^meta|(pruned_before," >kept.after &&
	test_cmp kept.before kept.after
'

test_expect_success 'the history keeps its copies; a push does not send the pruned ones back' '
	test "$(sqlite3 "$A" "SELECT count(*) FROM session")" = 6 &&
	insight --db "$A" push >out &&
	echo "pushed 0 sessions (0 results) to origin; 3 there already" >expect &&
	test_cmp expect out &&
	test "$(pg_psql -At -c "SELECT count(*) FROM insight.session")" = 3 &&
	insight --db "$B" fetch >out &&
	test_grep "^fetched 3 sessions (6 results)" out
'

test_expect_success 'a CI role without DDL pushes to a month without a partition; prune then gives it one' '
	pg_psql -c "CREATE ROLE ci LOGIN;
		GRANT USAGE ON SCHEMA insight TO ci;
		GRANT SELECT, INSERT ON ALL TABLES IN SCHEMA insight TO ci;
		GRANT USAGE ON ALL SEQUENCES IN SCHEMA insight TO ci" >/dev/null &&
	insight --db "$A" remote add ci "postgresql://ci@127.0.0.1:$PG_PORT/$PG_DB" &&
	report 2028-01-05 s2028 &&
	insight --db "$A" session import --sut shop s2028.xml 2>/dev/null &&
	insight --db "$A" push ci >out &&
	test_grep "^pushed 1 sessions (2 results)" out &&
	test "$(pg_psql -At -c "SELECT count(*) FROM insight.result_default")" = 2 &&
	insight --db "$A" remote init ci >out 2>err &&
	test_grep "has the schema already" out &&
	test_line_count = 1 err &&
	test_grep "^insight: warning: .*permission denied.*wait in the default one$" err &&
	test_must_fail --exit 5 insight --db "$A" remote prune --older-than 180d ci 2>err &&
	test_line_count = 1 err &&
	test "$(pg_psql -At -c "SELECT count(*) FROM insight.session")" = 4 &&
	insight --db "$A" remote prune --older-than 180d origin >out &&
	test_grep "^pruned 0 sessions (0 results)" out &&
	test "$(pg_psql -At -c "SELECT count(*) FROM insight.result_default")" = 0 &&
	test "$(pg_psql -At -c "SELECT count(*) FROM insight.result_202801")" = 2
'

test_expect_success 'remote prune needs --older-than and a name (exit 2)' '
	test_must_fail --exit 2 insight --db "$A" remote prune origin 2>err &&
	test_grep "needs --older-than" err &&
	test_must_fail --exit 2 insight --db "$A" remote prune --older-than 180d 2>err &&
	test_grep "takes a name" err
'

test_expect_success 'a history file remote is pruned as db prune prunes one' '
	insight --db "$A" remote add file "$TRASH/hist/file.db" &&
	insight --db "$A" push file >/dev/null &&
	test "$(sqlite3 "$TRASH/hist/file.db" "SELECT count(*) FROM session")" = 7 &&
	insight --db "$A" remote prune --older-than 180d file >out &&
	test_grep "^pruned 3 sessions" out &&
	test "$(sqlite3 "$TRASH/hist/file.db" "SELECT count(*) FROM session")" = 4 &&
	test "$(sqlite3 "$TRASH/hist/file.db" "SELECT count(*) FROM session_deleted")" = 0
'

test_expect_success 'an unpartitioned remote of an older insight is upgraded with its rows' '
	pg_psql -At -c "SELECT x::text FROM insight.result x ORDER BY 1" >rows.before &&
	pg_remote_downgrade 2 &&
	test "$(pg_psql -At -c "SELECT count(*) FROM pg_inherits")" = 0 &&
	test_must_fail --exit 4 insight --db "$A" push origin 2>err &&
	test_grep "schema version 2, older than this insight writes" err &&
	insight --db "$A" remote init origin >out 2>err &&
	test_grep "^upgraded the schema on remote .origin. from version 2 to " out &&
	pg_psql -At -c "SELECT x::text FROM insight.result x ORDER BY 1" >rows.after &&
	test_cmp rows.before rows.after &&
	test "$(pg_psql -At -c "SELECT count(*) FROM insight.result_default")" = 0 &&
	insight --db "$A" push origin >out &&
	test_grep "^pushed 0 sessions (0 results) to origin; 4 there already" out
'

test_done
