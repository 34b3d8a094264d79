#!/bin/bash
# insight session run killed with SIGKILL: the run stays beside the history and
# the next command stores it as an interrupted session, once; a live run is left
# alone; `session recover` does it on demand.
. "$(dirname "$0")/lib.sh"

q() { sqlite3 -separator ' ' .insight/history.db "$@"; }

# A suite whose third test waits for a file: the kill lands while it runs,
# after the first two have finished, whatever the machine's speed.
mkdir tests
cat >tests/test_slow.py <<'PY'
import os
import pathlib
import time


def test_one():
    pass


def test_two():
    assert 1 == 2


def test_wait():
    sync = pathlib.Path(os.environ["SYNC"])
    (sync / "started").write_text(str(os.getpid()))
    deadline = time.monotonic() + 120
    while not (sync / "go").exists() and time.monotonic() < deadline:
        time.sleep(0.02)


def test_after():
    pass
PY

# start_run DIR: `session run` in the background; its pid in DIR/insight.pid.
start_run() {
	mkdir "$1"
	SYNC=$PWD/$1 "$INSIGHT_BIN" session run --sut api -- "$INSIGHT_PYTHON" -m pytest \
		-p no:cacheprovider -q tests >"$1/out" 2>"$1/err" &
	echo $! >"$1/insight.pid"
}

# wait_file FILE: wait (at most 60 s) until FILE exists.
wait_file() {
	i=0
	while [ ! -f "$1" ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i + 1)); done
	test -f "$1"
}

# wait_gone PID: wait (at most 60 s) until process PID has ended.
wait_gone() {
	i=0
	while kill -0 "$1" 2>/dev/null && [ "$(ps -o stat= -p "$1" | cut -c1)" != Z ] &&
		[ $i -lt 600 ]; do sleep 0.1; i=$((i + 1)); done
	! kill -0 "$1" 2>/dev/null || [ "$(ps -o stat= -p "$1" | cut -c1)" = Z ]
}

cleanup() {
	for d in run1 run2 run3 run4; do
		[ -f "$TRASH/$d/started" ] && kill -9 "$(cat "$TRASH/$d/started")" 2>/dev/null
		[ -f "$TRASH/$d/insight.pid" ] && kill -9 "$(cat "$TRASH/$d/insight.pid")" 2>/dev/null
	done
	return 0
}
trap cleanup EXIT

insight init >/dev/null

test_expect_success 'while it runs, the run is kept beside the history, locked, with its facts' '
	start_run run1 &&
	wait_file run1/started &&
	ls .insight/runs >names &&
	test_line_count = 2 names &&
	test_grep "\.log$" names && test_grep "\.json$" names &&
	test "$(stat -c %a .insight/runs)" = 700 &&
	meta=$(ls .insight/runs/*.json) &&
	test "$(json_get "$meta" "d[\"pid\"]")" = "$(cat run1/insight.pid)" &&
	test "$(json_get "$meta" "d[\"child_pid\"]")" = "$(cat run1/started)" &&
	test "$(json_get "$meta" "d[\"sut\"]")" = api &&
	test "$(json_get "$meta" "d[\"pid_start\"] > 0")" = True &&
	json_get "$meta" "d[\"command\"]" | grep -q "pytest -p no:cacheprovider -q tests" &&
	test_grep "test_two" .insight/runs/*.log
'

test_expect_success 'a command run beside a live run leaves it alone' '
	insight session list >list 2>err &&
	test_grep "no sessions" list &&
	test_grep -v recovered err &&
	insight session recover --dry-run >dry 2>err &&
	test_grep "no interrupted run" dry &&
	test_grep "1 run is still running" dry &&
	test "$(ls .insight/runs | wc -l)" = 2
'

test_expect_success 'kill -9 of insight and pytest: the next command stores what had finished' '
	# what a description rewritten at the moment of the kill leaves behind
	meta=$(ls .insight/runs/*.json) && echo "{" >"$meta.tmp" &&
	kill -9 "$(cat run1/insight.pid)" "$(cat run1/started)" &&
	wait_gone "$(cat run1/insight.pid)" && wait_gone "$(cat run1/started)" &&
	insight session list >list 2>err &&
	test_line_count = 1 err &&
	test_grep "^insight: recovered the run of .*pytest.* that was killed (insight pid $(cat run1/insight.pid)): session [0-9A-Z]\{12\}, SUT api, 3 tests, interrupted$" err &&
	test_grep "^[0-9A-Z]\{12\}  api " list &&
	test "$(q "SELECT state FROM session")" = interrupted &&
	q "SELECT t.nodeid, r.outcome FROM result r JOIN test t ON t.id = r.test_id ORDER BY t.nodeid" >actual &&
	printf "tests/test_slow.py::test_one 0\ntests/test_slow.py::test_two 1\ntests/test_slow.py::test_wait 2\n" >expect &&
	test_cmp expect actual &&
	test "$(ls .insight/runs | wc -l)" = 0
'

test_expect_success 'the recovered session keeps the run facts' '
	insight session show latest --format json >show.json &&
	test "$(json_get show.json "d[\"facts\"][\"state\"]")" = interrupted &&
	json_get show.json "d[\"facts\"][\"command\"]" | grep -q "pytest -p no:cacheprovider -q tests"
'

test_expect_success 'a second command does not store it again' '
	insight session list >list 2>err &&
	test_must_fail test -s err &&
	test "$(q "SELECT count(*) FROM session")" = 1
'

test_expect_success 'a run that ends normally leaves no run files' '
	start_run run2 &&
	wait_file run2/started &&
	: >run2/go &&
	{ wait "$(cat run2/insight.pid)"; echo $? >rc; } &&
	echo 1 >expect && test_cmp expect rc &&
	test "$(ls .insight/runs | wc -l)" = 0 &&
	test "$(q "SELECT count(*) FROM session WHERE state = \"complete\"")" = 1
'

test_expect_success 'insight killed alone: nothing is taken while pytest still writes the log' '
	start_run run3 &&
	wait_file run3/started &&
	kill -9 "$(cat run3/insight.pid)" &&
	wait_gone "$(cat run3/insight.pid)" &&
	insight session recover --dry-run >dry 2>err &&
	test_grep "1 run is still running" dry &&
	insight session list >/dev/null 2>err &&
	test_grep -v recovered err &&
	: >run3/go &&
	wait_gone "$(cat run3/started)"
'

test_expect_success 'session recover --dry-run lists it, session recover stores it with every test' '
	insight session recover --dry-run >dry &&
	test_grep "$(cat run3/insight.pid)  .*api" dry &&
	test "$(q "SELECT count(*) FROM session")" = 2 &&
	insight session recover >out 2>err &&
	test_grep "^insight: recovered the run of .*(insight pid $(cat run3/insight.pid)): .* [34] tests, interrupted$" err &&
	test "$(q "SELECT count(*) FROM session")" = 3 &&
	# pytest outlived insight until its console output met the closed pipe.
	q "SELECT t.nodeid, r.outcome FROM result r JOIN test t ON t.id = r.test_id
		JOIN session s ON s.id = r.session_id WHERE s.state = \"interrupted\"
		AND t.nodeid LIKE \"%test_t%\" ORDER BY s.id, t.nodeid" >actual &&
	printf "%s\n" "tests/test_slow.py::test_two 1" "tests/test_slow.py::test_two 1" >expect &&
	test_cmp expect actual &&
	test "$(ls .insight/runs | wc -l)" = 0 &&
	insight session recover >out 2>err &&
	test_grep "no interrupted run to store" err
'

test_expect_success 'another tool killed with its insight: the reports it had written are stored' '
	mkdir run4 sub &&
	cat >sub/tool.sh <<-\SH &&
	printf "<testsuite name=\"s\"><testcase classname=\"c\" name=\"done\"/></testsuite>\n" >report.xml
	echo $$ >"$SYNC/started"
	i=0; while [ ! -f "$SYNC/go" ] && [ $i -lt 1200 ]; do sleep 0.1; i=$((i + 1)); done
	SH
	(cd sub && SYNC=$TRASH/run4 exec "$INSIGHT_BIN" session run --sut tool --report report.xml -- \
		sh tool.sh >../run4/out 2>../run4/err) &
	wait_file run4/started &&
	ipid=$(json_get .insight/runs/*.json "d[\"pid\"]") &&
	json_get .insight/runs/*.json "d[\"reports\"]" | grep -q "$TRASH/sub/report.xml" &&
	kill -9 "$ipid" "$(cat run4/started)" &&
	wait_gone "$ipid" && wait_gone "$(cat run4/started)" &&
	insight session list >/dev/null 2>err &&
	test_grep "recovered the run of .sh tool.sh. that was killed (insight pid $ipid): .* SUT tool, 1 test, interrupted" err &&
	test "$(q "SELECT t.nodeid FROM result r JOIN test t ON t.id = r.test_id JOIN session s ON s.id = r.session_id
		JOIN sut ON sut.id = s.sut_id WHERE sut.name = \"tool\"")" = "c::done"
'

test_expect_success 'commands started together store an orphan once' '
	mkdir -p .insight/runs &&
	printf "{\"\$report_type\": \"SessionStart\", \"pytest_version\": \"8.0\"}\n" >.insight/runs/1-1.log &&
	cat >.insight/runs/1-1.json <<-JSON &&
	{ "version": 1, "history": "$PWD/.insight/history.db", "pid": 999999999, "pid_start": 1,
	  "pytest": true, "sut": "gone", "command": "pytest", "started_ms": 1796400000000, "tags": [] }
	JSON
	for i in 1 2 3 4; do insight session list >/dev/null 2>err$i & done; wait &&
	cat err1 err2 err3 err4 >errs &&
	test_line_count = 1 errs &&
	test_grep "recovered the run of .pytest. that was killed (insight pid 999999999)" errs &&
	test "$(q "SELECT count(*) FROM session JOIN sut ON sut.id = session.sut_id WHERE sut.name = \"gone\"")" = 1
'

test_expect_success 'a pid in use by another process is not the run: start times tell them apart' '
	start=$(sed "s/.*) //" /proc/$$/stat | cut -d" " -f20) &&
	test "$start" -gt 0 &&
	: >.insight/runs/3-3.log &&
	cat >.insight/runs/3-3.json <<-JSON &&
	{ "version": 1, "history": "$PWD/.insight/history.db", "pid": $$, "pid_start": $start,
	  "pytest": true, "sut": "alive", "command": "pytest", "started_ms": 1796400000000, "tags": [] }
	JSON
	insight session list >/dev/null 2>err &&
	test_grep -v recovered err &&
	test -f .insight/runs/3-3.log &&
	sed "s/\"pid_start\": $start/\"pid_start\": $((start + 1))/" .insight/runs/3-3.json >tmp.json &&
	mv tmp.json .insight/runs/3-3.json &&
	insight session list >/dev/null 2>err &&
	test_grep "recovered the run of .pytest. that was killed (insight pid $$)" err &&
	test ! -e .insight/runs/3-3.log
'

test_expect_success 'a history that cannot be written keeps its orphans for later' '
	printf "" >.insight/runs/2-2.log &&
	cat >.insight/runs/2-2.json <<-JSON &&
	{ "version": 1, "history": "$PWD/.insight/history.db", "pid": 999999999, "pid_start": 1,
	  "pytest": true, "sut": "later", "command": "pytest", "started_ms": 1796400000000, "tags": [] }
	JSON
	if [ "$(id -u)" = 0 ]; then
		insight session recover --dry-run >dry && test_grep "2-2" dry
	else
		chmod a-w .insight/history.db &&
		insight session list >/dev/null 2>err &&
		test_grep -v recovered err &&
		test -f .insight/runs/2-2.log &&
		chmod u+w .insight/history.db
	fi &&
	insight session list >/dev/null 2>err &&
	test_grep "recovered the run of .pytest." err &&
	test "$(q "SELECT count(*) FROM session JOIN sut ON sut.id = session.sut_id WHERE sut.name = \"later\" AND state = \"interrupted\"")" = 1
'

test_done
