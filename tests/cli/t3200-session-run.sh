#!/bin/bash
# insight session run: real pytest through insight's plugin, status passthrough,
# interruption, and commands that cannot run.
. "$(dirname "$0")/lib.sh"

cp -r "$INSIGHT_SRCDIR/tests/fixtures/pyproj" pyproj
PYTEST="$INSIGHT_PYTHON -m pytest"
q() { sqlite3 -separator ' ' .insight/history.db "$@"; }

test_expect_success 'a pytest run is recorded and pytest exit status 1 is passed on' '
	insight init >/dev/null &&
	mkdir state1 &&
	{ PYPROJ_STATE=$PWD/state1 insight session run --sut api --tag build=42 -- $PYTEST pyproj \
		>out 2>err; echo $? >rc; } &&
	echo 1 >expect && test_cmp expect rc &&
	test_grep "5 failed, 10 passed, 2 skipped, 1 xfailed, 1 xpassed, 2 warnings, 2 errors, 3 rerun" out &&
	test_grep "^insight: session [0-9A-Z]\{12\}: 20 tests: 9 passed, 5 failed, 2 error, 2 skipped, 1 xfailed, 1 xpassed, 1 flaky in this run" err &&
	test_grep "first session of this SUT" err
'

test_expect_success 'every test has the final outcome and attempts EXPECTED.md gives' '
	sed -n "s/^| \`\([^\`]*\)\` | \([a-z]*\) | \([0-9]\) |.*/\1 \2 \3/p" pyproj/EXPECTED.md | sort >expect &&
	test_line_count = 20 expect &&
	q "SELECT t.nodeid, CASE r.outcome WHEN 0 THEN \"passed\" WHEN 1 THEN \"failed\"
		WHEN 2 THEN \"error\" WHEN 3 THEN \"skipped\" WHEN 4 THEN \"xfailed\" ELSE \"xpassed\" END,
		r.attempt FROM result r JOIN test t ON t.id = r.test_id WHERE r.final" | sort >actual &&
	test_cmp expect actual
'

test_expect_success 'the stored counts reconcile with pytest summary line' '
	# pytest counts reports: the teardown error is also one "passed", each rerun one "rerun".
	test "$(q "SELECT n_passed + 1, n_failed, n_error, n_skipped, n_xfailed, n_xpassed,
		n_attempts - n_tests FROM session")" = "10 5 2 2 1 1 3"
'

test_expect_success 'attempts: the rerun that recovers is flaky, the one that never does failed 3 times' '
	q "SELECT r.attempt, r.outcome, r.final, r.flags & 4 FROM result r JOIN test t ON t.id = r.test_id
		WHERE t.nodeid = \"test_reruns.py::test_recovers\" ORDER BY attempt" >actual &&
	printf "1 1 0 0\n2 0 1 4\n" >expect && test_cmp expect actual &&
	q "SELECT group_concat(r.outcome, \",\") FROM result r JOIN test t ON t.id = r.test_id
		WHERE t.nodeid = \"test_reruns.py::test_never_recovers\"" >actual &&
	echo "1,1,1" >expect && test_cmp expect actual
'

test_expect_success 'properties, markers, warnings and unicode ids round-trip' '
	q "SELECT p.key, p.value FROM result_property p JOIN test t ON t.id = p.test_id
		WHERE t.nodeid = \"test_basic.py::test_record_property\" ORDER BY p.key, p.value" >actual &&
	test_grep "^marker smoke$" actual && test_grep "^testrail_case_id C123$" actual &&
	test "$(q "SELECT r.flags & 1 FROM result r JOIN test t ON t.id = r.test_id
		WHERE t.nodeid = \"test_basic.py::test_warning\"")" = 1 &&
	test "$(q "SELECT count(*) FROM test WHERE nodeid IN (\"test_params.py::test_ids[a::b]\",
		\"test_params.py::test_ids[ünï]\", \"test_params.py::test_ids[x[1]]\")")" = 3
'

test_expect_success 'tracebacks, captured output and the console sections are kept' '
	q "SELECT x.stdout IS NOT NULL, x.stderr IS NOT NULL, x.log IS NOT NULL, x.detail LIKE \"%AssertionError%\"
		FROM result_text x JOIN test t ON t.id = x.test_id WHERE t.nodeid = \"test_basic.py::test_fail_diff\"" >actual &&
	echo "1 1 1 1" >expect && test_cmp expect actual &&
	test "$(q "SELECT count(*) FROM result_text x JOIN result r USING (session_id, test_id, attempt)
		WHERE r.outcome = 0")" = 0 &&
	q "SELECT name FROM output_section ORDER BY seq" >sections &&
	test_grep "^failures$" sections && test_grep "^errors$" sections &&
	test_grep "^short test summary$" sections && test_grep "^last line$" sections &&
	test_grep "3 rerun" "$(q "SELECT content FROM output_section WHERE name = \"last line\"" >ll; echo ll)"
'

test_expect_success 'the session records the command, status, tags and host' '
	q "SELECT state, exit_status, command LIKE \"%-m pytest pyproj\", host IS NOT NULL FROM session" >actual &&
	echo "complete 1 1 1" >expect && test_cmp expect actual &&
	test "$(q "SELECT key || \"=\" || value FROM session_tag")" = "build=42"
'

test_expect_success 'a second run reports failures new against the previous session' '
	mkdir state2 &&
	PYPROJ_STATE=$PWD/state2 insight session run --sut api -- $PYTEST -q pyproj >/dev/null 2>err;
	test_grep "0 new failures since session" err
'

test_expect_success 'an all-passing run exits 0; no tests collected exits with pytest 5' '
	mkdir ok && printf "def test_ok():\n    pass\n" >ok/test_ok.py &&
	insight session run --sut ok -- $PYTEST -q ok >/dev/null 2>&1 &&
	mkdir none &&
	{ insight session run --sut none -- $PYTEST -q none >/dev/null 2>&1; echo $? >rc; } &&
	echo 5 >expect && test_cmp expect rc &&
	test "$(q "SELECT count(*) FROM session s JOIN sut u ON u.id = s.sut_id WHERE u.name = \"none\"")" = 1
'

test_expect_success 'a command that is not found exits 127, not executable 126, and stores nothing' '
	before=$(q "SELECT count(*) FROM session") &&
	{ insight session run --sut x -- no-such-command-here 2>err; echo $? >rc; } &&
	echo 127 >expect && test_cmp expect rc &&
	test_grep "command not found: .no-such-command-here." err &&
	printf "echo hi\n" >notexec.sh && chmod -x notexec.sh &&
	{ insight session run --sut x -- ./notexec.sh 2>err; echo $? >rc; } &&
	echo 126 >expect && test_cmp expect rc &&
	test "$(q "SELECT count(*) FROM session")" = "$before"
'

test_expect_success 'insight fails with 125 before running when the history cannot be written' '
	echo not-a-dir >blocker &&
	{ insight --db blocker/h.db session run --sut x -- true 2>err; echo $? >rc; } &&
	echo 125 >expect && test_cmp expect rc && test_line_count = 1 err
'

test_expect_success 'other tools: --report is imported after the command; exit status passed on' '
	cp "$INSIGHT_SHARED_DIR/conformance/junit/enricomi/pytest/junit.fail.xml" r.xml &&
	{ insight session run --sut junit --report r.xml -- sh -c "exit 3" 2>err; echo $? >rc; } &&
	echo 3 >expect && test_cmp expect rc &&
	test "$(q "SELECT s.format, s.exit_status FROM session s JOIN sut u ON u.id = s.sut_id
		WHERE u.name = \"junit\"")" = "junit 3"
'

test_expect_success 'a report the command did not write is an error that says so' '
	test_must_fail insight session run --sut junit --report missing.xml -- true 2>err &&
	test_grep "no report at .missing.xml." err
'

test_expect_success 'SIGINT to insight reaches pytest; the session is stored, marked interrupted' '
	rm -rf state3 && mkdir state3 &&
	PYPROJ_STATE=$PWD/state3 PYPROJ_HANG=1 sh -c "echo \$\$ >pid; exec \"\$0\" \"\$@\"" \
		"$INSIGHT_BIN" session run --sut hang -- $PYTEST -q pyproj >hang.out 2>hang.err &
	job=$! &&
	for i in $(seq 1 100); do test -f state3/hanging && break; sleep 0.1; done &&
	test -f state3/hanging &&
	kill -INT "$(cat pid)" &&
	{ wait $job; echo $? >rc; } &&
	echo 2 >expect && test_cmp expect rc &&
	q "SELECT s.state, s.n_tests > 0, s.n_tests < 20 FROM session s JOIN sut u ON u.id = s.sut_id
		WHERE u.name = \"hang\"" >actual &&
	echo "interrupted 1 1" >expect && test_cmp expect actual &&
	test_grep "marked interrupted" hang.err
'

test_expect_success 'SIGKILL of pytest: what finished is stored, the session marked incomplete' '
	rm -rf state4 && mkdir state4 &&
	PYPROJ_STATE=$PWD/state4 PYPROJ_HANG=1 "$INSIGHT_BIN" session run --sut killed -- $PYTEST -q pyproj >k.out 2>k.err &
	pid=$! &&
	for i in $(seq 1 100); do test -f state4/hanging && break; sleep 0.1; done &&
	kill -KILL "$(cat state4/hanging)" &&
	{ wait $pid; echo $? >rc; } &&
	echo 137 >expect && test_cmp expect rc &&
	q "SELECT s.state, s.n_tests FROM session s JOIN sut u ON u.id = s.sut_id WHERE u.name = \"killed\"" >actual &&
	test_grep "^interrupted 1[0-9]$" actual
'

test_expect_success 'git, CI and host facts are read while the command runs and recorded' '
	mkdir repo && (
		cd repo && git init -q -b trunk && echo one >file && git add file &&
		git commit -q -m "first commit" && echo two >file &&
		GITHUB_ACTIONS=true GITHUB_RUN_ID=77 GITHUB_REPOSITORY=o/r \
			insight --db ../facts.db session run --sut facts -- sh -c "sleep 0.2" 2>/dev/null
	) &&
	sqlite3 -separator " " facts.db "SELECT git_commit, git_branch, git_dirty, git_subject,
		ci_provider, ci_build_id, host IS NOT NULL FROM session" >actual &&
	echo "$(git -C repo rev-parse HEAD) trunk 1 first commit github 77 1" >expect &&
	test_cmp expect actual
'

test_expect_success 'a malformed tag fails with 125 before the command runs' '
	{ insight session run --sut x --tag novalue -- touch ran 2>err; echo $? >rc; } &&
	echo 125 >expect && test_cmp expect rc &&
	test_grep "invalid tag .novalue." err &&
	test ! -e ran
'

test_expect_success 'the history is sound after all of it' '
	insight db check >/dev/null
'

test_done
