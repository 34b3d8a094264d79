#!/bin/bash
# t5003-analytics-edges - what the analyses say at the edges: refs that read
# several ways (an error that lists the readings, --mode to choose), refs
# that read no way, empty windows, a test that never passed, sessions
# without git facts, too little data for a trend, the summary's verdict
# against the previous window, and usage errors.

. "$(dirname "$0")/lib.sh"

export INSIGHT_DB="$TRASH/history.db" INSIGHT_NOW=2026-11-11T00:00:00Z

# report FILE DAY OUTCOME-OF-a OUTCOME-OF-b: a two-test JUnit report on 2026-11-DAY.
report() {
	{
		echo "<testsuite name=\"t\" timestamp=\"2026-11-$2T12:00:00\">"
		for pair in "a:$3" "b:$4"; do
			name=${pair%%:*} out=${pair#*:}
			case $out in
			pass) echo "<testcase classname=\"t\" name=\"$name\" file=\"t.py\" time=\"0.01\"/>" ;;
			fail) echo "<testcase classname=\"t\" name=\"$name\" file=\"t.py\" time=\"0.01\"><failure message=\"boom $2\">x</failure></testcase>" ;;
			esac
		done
		echo "</testsuite>"
	} >"$1"
}

test_expect_success 'setup: a repository with a branch "main" and a SUT named "main"' '
	git init -q -b main repo &&
	(cd repo && git commit -q --allow-empty -m one) &&
	report r1.xml 01 pass fail &&
	report r2.xml 02 pass fail &&
	report r3.xml 03 fail fail &&
	report r4.xml 09 pass pass &&
	report r5.xml 10 pass pass &&
	(cd repo && insight -q session import --sut main ../r1.xml ../r2.xml --split) >/dev/null &&
	insight -q session import --sut web r3.xml >/dev/null &&
	insight -q session import --sut web --no-git r4.xml r5.xml --split >/dev/null
'

test_expect_success 'a ref with two readings is an error that lists them' '
	(cd repo && test_must_fail --exit 2 insight analytics compare --base main --target web) 2>err &&
	test_grep "'"'"'main'"'"' is ambiguous: it reads as sut, commit; choose one with --mode" err
'

test_expect_success '--mode picks the reading' '
	(cd repo && insight --format json analytics compare --base main --target web --mode sut) >sut.json &&
	test "$(json_get sut.json "d[\"facts\"][\"base_mode\"]")" = sut &&
	test "$(json_get sut.json "d[\"facts\"][\"base_sessions\"]")" = 1 &&
	(cd repo && insight --format json analytics compare --base main --target HEAD --mode commit) >c.json &&
	test "$(json_get c.json "d[\"facts\"][\"base_sessions\"]")" = 2
'

test_expect_success 'a ref that reads no way, and a period without sessions' '
	test_must_fail --exit 2 insight analytics compare --base nothing-here --target web 2>err &&
	test_grep "base .nothing-here.: .nothing-here. is not a session, a SUT, a period or a git revision" err &&
	test_must_fail --exit 2 insight analytics compare --base 2026-10-01..2026-10-02 --target web 2>err &&
	test_grep "no session in the period" err &&
	test_must_fail --exit 2 insight analytics compare --base web --target web --mode bogus 2>err &&
	test_grep "unknown mode" err &&
	test_must_fail --exit 2 insight analytics compare --base web 2>err &&
	test_grep "needs --base REF and --target REF" err &&
	test_must_fail --exit 2 insight analytics compare --base web --target web --fail-on oops 2>err &&
	test_grep "unknown --fail-on condition .oops." err
'

test_expect_success 'a SUT window: its sessions in --time, or its latest session' '
	insight --format json analytics compare --base main --target web --mode sut --time 30d >w.json &&
	test "$(json_get w.json "d[\"facts\"][\"base_sessions\"]")" = 2 &&
	test "$(json_get w.json "d[\"facts\"][\"target_sessions\"]")" = 3
'

test_expect_success 'test since: never passed in its SUT' '
	insight --format json test since t.py::b --sut main >never.json &&
	test "$(json_get never.json "d[\"facts\"][\"status\"]")" = "never passed" &&
	json_get never.json "[n[\"text\"] for n in d[\"notes\"] if n[\"level\"] == \"verdict\"]" >v &&
	test_grep "never passed" v
' 

test_expect_success 'test since: passing now; sessions without git facts order by time' '
	insight --format json test since t.py::a --sut web >now.json &&
	test "$(json_get now.json "d[\"facts\"][\"status\"]")" = passing &&
	insight --format json test since t.py::a --sut main >m.json &&
	test "$(json_get m.json "d[\"facts\"][\"status\"]")" = passing
'

test_expect_success 'summary: the verdict against the previous window' '
	insight --format json analytics summary --sut web --time 3d >s.json &&
	test "$(json_get s.json "d[\"sections\"][0][\"facts\"][\"verdict\"]")" = None &&
	insight --format json analytics summary --sut web --time 9d >s9.json &&
	test "$(json_get s9.json "d[\"sections\"][0][\"facts\"][\"sessions\"]")" = 3 &&
	insight --format json analytics summary --sut web --since 2026-11-09 --until 2026-11-10 >better.json &&
	test "$(json_get better.json "d[\"sections\"][0][\"facts\"][\"pass_rate\"]")" = 1 &&
	insight --format json analytics summary --sut web --since 2026-11-06 --until 2026-11-10 >b2.json &&
	test "$(json_get b2.json "d[\"sections\"][0][\"facts\"][\"verdict\"]")" = better &&
	insight --format json analytics summary --time 30d >all.json &&
	json_get all.json "[s[\"facts\"][\"sut\"] for s in d[\"sections\"]]" >actual &&
	echo "[\"main\", \"web\"]" >expect &&
	test_cmp expect actual
'

test_expect_success 'analyze with one point: not enough data for a trend' '
	insight --format json analytics analyze --sut web --since 2026-11-10 >one.json &&
	test "$(json_get one.json "d[\"facts\"][\"trend\"]")" = "not enough data" &&
	insight --format json test trends t.py::a --sut web --by session --time 30d >tt.json &&
	json_get tt.json "[p[\"y\"] for p in d[\"series\"][\"metric\"][\"points\"]]" >actual &&
	echo "[0, 1, 1]" >expect &&
	test_cmp expect actual &&
	test "$(json_get tt.json "d[\"facts\"][\"trend\"]")" = improving
'

test_expect_success 'usage errors' '
	test_must_fail --exit 2 insight analytics summary --time 7x 2>err &&
	test_grep "invalid time window" err &&
	test_must_fail --exit 2 insight analytics summary --time 7d --days 3 2>err &&
	test_must_fail --exit 2 insight analytics flaky --threshold 2 2>err &&
	test_grep "from 0 to 1" err &&
	test_must_fail --exit 2 insight analytics analyze --metric speed 2>err &&
	test_grep "unknown metric" err &&
	test_must_fail --exit 2 insight analytics summary --sut nope 2>err &&
	test_grep "no SUT named .nope." err &&
	test_must_fail --exit 2 insight sut compare web 2>err &&
	test_must_fail --exit 2 insight test since 2>err
'

test_expect_success 'empty history: the analyses answer, they do not fail' '
	mkdir empty &&
	(
		cd empty && unset INSIGHT_DB &&
		insight analytics summary >out &&
		test_grep "no sessions in the window" out &&
		insight analytics flaky >out &&
		test_grep "0 flaky tests in 0 sessions" out &&
		insight analytics failures >out &&
		test_grep "0 failing attempts" out &&
		insight analytics analyze >out &&
		test_grep "not enough data" out
	)
'

test_expect_success '-h of every analytics command' '
	for c in summary compare analyze failures flaky; do
		insight analytics $c -h >out && test_grep "usage: insight analytics $c" out || return 1
	done &&
	insight sut compare -h >out && test_grep "usage: insight sut compare" out &&
	insight test since -h >out && test_grep "usage: insight test since" out &&
	insight session compare -h >out && test_grep "usage: insight session compare" out
'

test_done
