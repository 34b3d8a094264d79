#!/bin/bash
# t6310-remote-push-fetch - push and fetch through a real PostgreSQL (one
# server for the whole script): three histories (the shop demo's, the
# browsing fixtures', hostile names) pushed and fetched back give the same
# analyses byte for byte; pushing twice changes no row; a wrong password, a
# server stopped mid-push and a push killed with -9 lose and duplicate
# nothing; concurrent pushers of overlapping sessions leave each session
# once.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/pg-lib.sh"

if ! start_pg; then
	test_skip 'push and fetch' 'PostgreSQL is not installed (scripts/setup-deps installs it)'
	test_done
fi

export INSIGHT_NOW=2026-11-23T00:00:00Z PYTHONDONTWRITEBYTECODE=1
FX=$INSIGHT_SRCDIR/tests/fixtures/history
# The project config beside the histories holds the remotes.
mkdir hist
H1=$TRASH/hist/shop.db H2=$TRASH/hist/fixtures.db H3=$TRASH/hist/hostile.db
TABLES="meta sut test fingerprint session session_tag result result_property output_section"
PUSH_LOCK=7283950118
RV=3  # the remote schema version this insight writes

# Every row of every remote table, as a digest per table.
remote_digest() {
	for t in $TABLES; do
		pg_psql -At -c "SELECT '$t', count(*), md5(coalesce(string_agg(x::text, '|' ORDER BY x::text), ''))
			FROM insight.$t x" || return 1
	done
}

# local_count DB SQL
local_count() {
	sqlite3 "$1" "$2"
}

# Wait (at most 60 s) until a push waits for the push lock on the server.
wait_for_blocked_push() {
	for _ in $(seq 1 600); do
		n=$(pg_psql -At -c "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'
			AND wait_event = 'advisory' AND application_name = 'insight'")
		test "$n" -ge 1 && return 0
		sleep 0.1
	done
	echo "no push waits for the lock" >&2
	return 1
}

# Hold the push lock in a background psql session until release_lock.
hold_lock() {
	pg_psql -c "SELECT pg_advisory_lock($PUSH_LOCK); SELECT pg_sleep(120)" >/dev/null 2>&1 &
	for _ in $(seq 1 300); do
		n=$(pg_psql -At -c "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted")
		test "$n" -ge 1 && return 0
		sleep 0.1
	done
	return 1
}

release_lock() {
	pg_psql -At -c "SELECT pg_terminate_backend(pid) FROM pg_stat_activity
		WHERE query LIKE '%pg_advisory_lock($PUSH_LOCK)%' AND pid <> pg_backend_pid()" >/dev/null
	wait 2>/dev/null
	return 0
}

start_again() {
	pg_as "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -t 30 \
		-o "-k $PG_DIR -h 127.0.0.1 -p $PG_PORT -F -c fsync=off" start >/dev/null
}

test_expect_success 'history 1: the shop demo, two commits, two runs each' '
	cp -r "$INSIGHT_SRCDIR/examples/shop" shop &&
	(
		cd shop && git init -q && git add -A && git commit -qm base &&
		for step in 1 2; do
			echo "$step" >STEP && git add STEP && git commit -qm "step $step" || exit 1
			for run in a b; do
				INSIGHT_NOW="2026-11-1${step}T1${step}:00:00Z" SHOP_STEP=$step \
				SHOP_REGRESSION_AT=2 SHOP_FLAKY_RATE=0.5 SHOP_SEED=$run \
					insight --db "$H1" -q session run --sut shop -- "$INSIGHT_PYTHON" -m pytest \
					-q -p no:cacheprovider >/dev/null 2>&1
				test $? -le 1 || exit 1
			done
		done
	) &&
	test "$(local_count "$H1" "SELECT count(*) FROM session")" = 4
'

test_expect_success 'history 2: the browsing fixtures (tabs, newlines, unicode, ANSI, reruns, tags)' '
	insight --db "$H2" session import --sut api "$FX/api-1.xml" 2>/dev/null &&
	insight --db "$H2" session import --sut api "$FX/api-2.xml" 2>/dev/null &&
	insight --db "$H2" session import --sut api --tag env=staging --tag "python=3.11" \
		"$FX/api-3.xml" 2>/dev/null &&
	insight --db "$H2" session import --sut web "$FX/web-1.jsonl" 2>/dev/null &&
	insight --db "$H2" session import --sut web "$FX/web-2.xml" 2>/dev/null &&
	test "$(local_count "$H2" "SELECT count(*) FROM session")" = 5
'

HOSTILE_SUT="it's \"q\" \\ ü"
test_expect_success 'history 3: hostile names, messages, properties and tags' '
	cat >hostile.xml <<-\EOT &&
	<?xml version="1.0" encoding="utf-8"?>
	<testsuite name="h" tests="4" failures="2" timestamp="2026-11-22T08:00:00">
	  <testcase classname="x'"'"');DROP TABLE insight.session;--" name="q&quot;uote&apos;s" file="t/a.py" time="0.5">
	    <properties><property name="tab&#9;key" value="back\slash \N &#10;newline"/></properties>
	    <failure message="E  back\slash\ttab &#9;and&#10;newline">Traceback \x00 \.
	line 2	with tab
	\\N</failure>
	  </testcase>
	  <testcase classname="ü.模块" name="test_ünï✓[a\b]" time="0.25"/>
	  <testcase classname="c" name="test_cr&#13;lf" time="0.1"><failure message="\r\n literal"/></testcase>
	  <testcase classname="c" name="\N" time="0"/>
	</testsuite>
	EOT
	insight --db "$H3" session import --sut "$HOSTILE_SUT" --tag "k\\t=v|\"x\"" hostile.xml 2>/dev/null &&
	insight --db "$H3" session import --sut "$HOSTILE_SUT" "$FX/api-1.xml" 2>/dev/null &&
	test "$(local_count "$H3" "SELECT count(*) FROM session")" = 2
'

test_expect_success 'a remote without the schema: push says to run remote init (exit 4)' '
	insight --db "$H1" remote add origin "$PG_URL" &&
	test_must_fail --exit 4 insight --db "$H1" push 2>err &&
	test_line_count = 1 err &&
	test_grep "remote .origin. has no insight schema; run .insight remote init origin." err &&
	test_must_fail --exit 4 insight --db "$H1" fetch 2>err &&
	test_grep "run .insight remote init origin." err
'

test_expect_success 'remote init creates the schema once; again is harmless' '
	insight --db "$H1" remote init origin >out &&
	test_grep "created the schema on remote .origin. (version $RV)" out &&
	insight --db "$H1" remote init origin >out &&
	test_grep "has the schema already (version $RV)" out &&
	pg_psql -At -c "SELECT value FROM insight.meta WHERE key = '"'"'version'"'"'" >actual &&
	echo $RV >expect && test_cmp expect actual
'

test_expect_success 'an insight older than the remote schema is refused' '
	pg_psql -c "UPDATE insight.meta SET value = '"'"'99'"'"' WHERE key = '"'"'version'"'"'" &&
	test_must_fail --exit 4 insight --db "$H1" push 2>err &&
	test_grep "schema version 99, newer than this insight knows ($RV); upgrade insight" err &&
	test_must_fail --exit 4 insight --db "$H1" remote init origin 2>err &&
	test_grep "upgrade insight" err &&
	pg_psql -c "UPDATE insight.meta SET value = '"'"'$RV'"'"' WHERE key = '"'"'version'"'"'"
'

test_expect_success 'push --dry-run counts and sends nothing' '
	insight --db "$H2" push --dry-run >out &&
	echo "would push 5 sessions to origin; 0 there already" >expect &&
	test_cmp expect out &&
	test "$(pg_psql -At -c "SELECT count(*) FROM insight.session")" = 0
'

test_expect_success 'push sends every session with its results' '
	insight --db "$H1" push >out1 &&
	insight --db "$H2" push >out2 &&
	insight --db "$H3" push >out3 &&
	test_grep "^pushed 4 sessions" out1 &&
	test_grep "^pushed 5 sessions" out2 &&
	test_grep "^pushed 2 sessions" out3 &&
	sessions=$(( $(local_count "$H1" "SELECT count(*) FROM session") +
		$(local_count "$H2" "SELECT count(*) FROM session") +
		$(local_count "$H3" "SELECT count(*) FROM session") )) &&
	results=$(( $(local_count "$H1" "SELECT count(*) FROM result") +
		$(local_count "$H2" "SELECT count(*) FROM result") +
		$(local_count "$H3" "SELECT count(*) FROM result") )) &&
	test "$(pg_psql -At -c "SELECT count(*) FROM insight.session")" = $sessions &&
	test "$(pg_psql -At -c "SELECT count(*) FROM insight.result")" = $results &&
	test "$(pg_psql -At -c "SELECT count(DISTINCT arrival) FROM insight.session")" = $sessions
'

test_expect_success 'hostile text is stored as text: the tables are all there, the names intact' '
	pg_psql -At -c "SELECT count(*) FROM insight.test WHERE classname LIKE '"'"'%DROP TABLE%'"'"'" >actual &&
	echo 1 >expect && test_cmp expect actual &&
	pg_psql -At -c "SELECT name FROM insight.sut ORDER BY name" >actual &&
	printf "%s\n" api "$HOSTILE_SUT" shop web | sort >expect &&
	sort actual >actual.sorted && test_cmp expect actual.sorted
'

test_expect_success 'pushing everything again adds and changes no row in any table' '
	remote_digest >before &&
	insight --db "$H1" push >out1 &&
	insight --db "$H2" push >out2 &&
	insight --db "$H3" push >out3 &&
	test_grep "^pushed 0 sessions (0 results) to origin; 4 there already$" out1 &&
	test_grep "^pushed 0 sessions (0 results) to origin; 5 there already$" out2 &&
	remote_digest >after &&
	test_cmp before after
'

test_expect_success 'fetch brings every session into a fresh history; again brings none' '
	insight --db "$TRASH/hist/fetched.db" fetch origin >out &&
	test_grep "^fetched 11 sessions" out &&
	insight --db "$TRASH/hist/fetched.db" pull >out &&
	echo "fetched 0 sessions (0 results) from origin; 0 here already" >expect &&
	test_cmp expect out &&
	test "$(local_count "$TRASH/hist/fetched.db" "SELECT count(*) FROM session")" = 11 &&
	insight --db "$TRASH/hist/fetched.db" db check
'

test_expect_success 'db merge of the three histories, the local reference' '
	insight --db "$TRASH/hist/merged.db" db merge --dry-run "$H1" >out &&
	echo "would merge 4 sessions (0 results) from $H1; 0 here already" >expect &&
	test_cmp expect out &&
	insight --db "$TRASH/hist/merged.db" db merge "$H1" "$H2" "$H3" >out &&
	test_line_count = 3 out &&
	insight --db "$TRASH/hist/merged.db" db merge "$H2" >out &&
	echo "merged 0 sessions (0 results) from $H2; 5 here already" >expect &&
	test_cmp expect out &&
	insight --db "$TRASH/hist/merged.db" db check
'

# same_answer ARGS...: the command answers alike on the fetched history and
# on the local merge of the three it came from.
same_answer() {
	insight --db "$TRASH/hist/merged.db" "$@" >src.out 2>src.err; a=$?
	insight --db "$TRASH/hist/fetched.db" "$@" >dst.out 2>dst.err; b=$?
	test $a = $b && test_cmp src.out dst.out && test_cmp src.err dst.err && test -s src.out ||
		{ echo "differs: $*"; return 1; }
}

test_expect_success 'every analysis of the fetched history is byte-identical to the merge (JSON)' '
	for sut in "" shop api web "$HOSTILE_SUT"; do
		set -- ${sut:+--sut} ${sut:+"$sut"}
		same_answer --format json analytics summary "$@" --days 30 || return 1
		same_answer --format json analytics failures "$@" --days 30 || return 1
		same_answer --format json analytics failures "$@" --days 30 --by cause || return 1
		same_answer --format json analytics flaky "$@" --days 30 --min-runs 1 || return 1
		same_answer --format json session list "$@" || return 1
		same_answer --format json test list "$@" || return 1
		test -z "$sut" && continue
		same_answer --format json session show latest "$@" || return 1
		same_answer --format json session compare latest~1 latest "$@" || return 1
	done &&
	same_answer --format json analytics compare --mode session --base latest~2 --target latest --sut shop &&
	same_answer --format json analytics compare --mode sut --base api --target web
'

test_expect_success 'a fetch with --sut takes only that SUT, and a later fetch the rest' '
	insight --db "$TRASH/hist/partial.db" fetch --sut web >out &&
	test_grep "^fetched 2 sessions" out &&
	insight --db "$TRASH/hist/partial.db" fetch >out &&
	test_grep "^fetched 9 sessions .* 2 here already$" out
'

test_expect_success 'fetch is incremental: only what arrived since' '
	insight --db "$TRASH/hist/fetched.db" session import --sut late "$FX/web-2.xml" 2>/dev/null &&
	insight --db "$TRASH/hist/fetched.db" push >out &&
	test_grep "^pushed 1 sessions" out &&
	insight --db "$H1" fetch >out &&
	test_grep "^fetched 8 sessions .* 4 here already$" out &&
	insight --db "$H1" fetch >out &&
	test_grep "^fetched 0 sessions (0 results) from origin; 0 here already$" out
'

test_expect_success 'a wrong password: one line, exit 5, the password not shown' '
	pg_psql -c "CREATE ROLE pwuser LOGIN PASSWORD '"'"'right-pw'"'"'" &&
	pg_as sh -c "{ echo \"host all pwuser 127.0.0.1/32 scram-sha-256\"; cat \"$PG_DIR/data/pg_hba.conf\"; } >\"$PG_DIR/data/hba.new\" &&
		mv \"$PG_DIR/data/hba.new\" \"$PG_DIR/data/pg_hba.conf\"" &&
	pg_psql -c "SELECT pg_reload_conf()" >/dev/null &&
	insight --db "$H1" remote add pw "postgresql://pwuser:wr0ng-pw-7@127.0.0.1:$PG_PORT/$PG_DB" 2>/dev/null &&
	test_must_fail --exit 5 insight --db "$H1" push pw 2>err &&
	test_line_count = 1 err &&
	test_grep "^insight: cannot connect to remote .pw. (postgresql://pwuser:\*\*\*@" err &&
	test_grep "password authentication failed" err &&
	test_grep -v "wr0ng-pw-7" err
'

test_expect_success 'the password from PGPASSWORD works with a URL without one' '
	insight --db "$H1" remote add pw2 "postgresql://pwuser@127.0.0.1:$PG_PORT/$PG_DB" &&
	PGPASSWORD=wrong test_must_fail --exit 5 insight --db "$H1" push --dry-run pw2 2>err &&
	test_grep -v "PGPASSWORD=wrong" err &&
	pg_psql -c "GRANT USAGE ON SCHEMA insight TO pwuser;
		GRANT SELECT, INSERT ON ALL TABLES IN SCHEMA insight TO pwuser;
		GRANT USAGE ON ALL SEQUENCES IN SCHEMA insight TO pwuser" &&
	PGPASSWORD=right-pw insight --db "$H1" push --dry-run pw2 >out &&
	test_grep "^would push 0 sessions to pw2; 12 there already$" out
'

test_expect_success 'the CI role with SELECT and INSERT only pushes and fetches' '
	insight --db "$TRASH/hist/ci.db" session import --sut ci-only "$FX/api-2.xml" 2>/dev/null &&
	PGPASSWORD=right-pw insight --db "$TRASH/hist/ci.db" push pw2 >out &&
	test_grep "^pushed 1 sessions" out &&
	PGPASSWORD=right-pw insight --db "$TRASH/hist/ci.db" fetch pw2 >out &&
	test_grep "^fetched 12 sessions" out
'

test_expect_success 'PostgreSQL stopped during a push: exit 5, one line, the history untouched' '
	insight --db "$TRASH/hist/stop.db" session import --sut stop-a "$FX/api-1.xml" 2>/dev/null &&
	insight --db "$TRASH/hist/stop.db" session import --sut stop-b "$FX/api-2.xml" 2>/dev/null &&
	cp "$TRASH/hist/stop.db" before.db &&
	hold_lock &&
	{ "$INSIGHT_BIN" --db "$TRASH/hist/stop.db" push origin >out 2>err & pid=$!; } &&
	wait_for_blocked_push &&
	pg_as "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m immediate -w stop >/dev/null &&
	{ wait $pid; test $? = 5; } &&
	test_line_count = 1 err &&
	test_grep "^insight: remote .origin. went away while" err &&
	start_again &&
	sqlite3 before.db .dump >expect &&
	sqlite3 "$TRASH/hist/stop.db" .dump >actual &&
	test_cmp expect actual &&
	test "$(pg_psql -At -c "SELECT count(*) FROM insight.sut WHERE name LIKE '"'"'stop-%'"'"'")" = 0 &&
	insight --db "$TRASH/hist/stop.db" push origin >out &&
	test_grep "^pushed 2 sessions" out
'

test_expect_success 'a push killed with -9 mid-way, then pushed again: nothing lost or doubled' '
	for i in 1 2 3; do
		insight --db "$TRASH/hist/kill.db" session import --sut kill-$i "$FX/api-$i.xml" 2>/dev/null || return 1
	done &&
	insight --db "$TRASH/hist/kill.db" push --sut kill-1 origin >out &&
	test_grep "^pushed 1 sessions" out &&
	hold_lock &&
	{ "$INSIGHT_BIN" --db "$TRASH/hist/kill.db" push origin >out 2>err & pid=$!; } &&
	wait_for_blocked_push &&
	kill -9 $pid &&
	{ wait $pid; test $? = 137; } &&
	release_lock &&
	test "$(pg_psql -At -c "SELECT count(*) FROM insight.session s JOIN insight.sut u ON u.id = s.sut_id
		WHERE u.name LIKE '"'"'kill-%'"'"'")" = 1 &&
	insight --db "$TRASH/hist/kill.db" push origin >out &&
	test_grep "^pushed 2 sessions .* 1 there already$" out &&
	test "$(pg_psql -At -c "SELECT count(*) FROM insight.result r JOIN insight.session s ON s.id = r.session_id
		JOIN insight.sut u ON u.id = s.sut_id WHERE u.name LIKE '"'"'kill-%'"'"'")" = \
		"$(local_count "$TRASH/hist/kill.db" "SELECT count(*) FROM result")"
'

test_expect_success '8 pushers of overlapping sessions at once, twice over: each session once' '
	pg_as "$PG_BIN/createdb" -h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER" conc &&
	insight --db "$H1" remote add conc "postgresql://$PG_USER@127.0.0.1:$PG_PORT/conc" &&
	insight --db "$H1" remote init conc >/dev/null &&
	for round in 1 2; do
		for db in "$H1" "$H2" "$H3" "$TRASH/hist/fetched.db" "$TRASH/hist/partial.db" \
			"$TRASH/hist/kill.db" "$TRASH/hist/stop.db" "$TRASH/hist/ci.db"; do
			insight --db "$db" push conc >/dev/null 2>>conc.err &
		done
		wait
	done &&
	test ! -s conc.err &&
	for db in "$H1" "$H2" "$H3" "$TRASH/hist/fetched.db" "$TRASH/hist/partial.db" \
		"$TRASH/hist/kill.db" "$TRASH/hist/stop.db" "$TRASH/hist/ci.db"; do
		sqlite3 "$db" "SELECT uid FROM session" || return 1
	done | sort -u >uids &&
	pg_psql -d conc -At -c "SELECT uid FROM insight.session ORDER BY uid" >remote.uids 2>/dev/null ||
	PSQLRC=/dev/null psql -X -At -h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER" -d conc \
		-c "SELECT uid FROM insight.session ORDER BY uid" >remote.uids &&
	sort remote.uids >remote.sorted &&
	test_cmp uids remote.sorted &&
	PSQLRC=/dev/null psql -X -At -h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER" -d conc \
		-c "SELECT count(*) FROM insight.result" >actual &&
	sqlite3 "$TRASH/hist/fetched.db" "SELECT count(*) FROM result" >expect.f &&
	insight --db "$TRASH/hist/all.db" fetch conc >/dev/null &&
	sqlite3 "$TRASH/hist/all.db" "SELECT count(*) FROM result" >expect &&
	test_cmp expect actual &&
	test "$(wc -l <uids)" = "$(sqlite3 "$TRASH/hist/all.db" "SELECT count(*) FROM session")"
'

test_done
