#!/bin/bash
# session import: one identity per test. Suites name cases without a
# classname, unnamed cases are kept, a repeat is a retry only after failures
# (else a test of its own, name[#k]), a later skip never hides a failure,
# and pytest's own JUnit names tests as `session run` does.
. "$(dirname "$0")/lib.sh"

PYTEST="$INSIGHT_PYTHON -m pytest"
q() { sqlite3 -separator ' ' .insight/history.db "$@"; }
finals() {
	q "SELECT t.nodeid, CASE r.outcome WHEN 0 THEN 'passed' WHEN 1 THEN 'failed'
		WHEN 2 THEN 'error' WHEN 3 THEN 'skipped' ELSE 'other' END, r.attempt
		FROM result r JOIN test t ON t.id = r.test_id JOIN session s ON s.id = r.session_id
		WHERE r.final AND s.uid LIKE '$1%' ORDER BY t.nodeid"
}

test_expect_success 'setup' '
	insight init >/dev/null
'

test_expect_success 'jest-junit with an empty classname: the suite names the case' '
	cat >jest.xml <<-\XML &&
	<testsuites name="jest tests">
	  <testsuite name="a.test.js" tests="1"><testcase classname="" name="works" time="0.1"/></testsuite>
	  <testsuite name="b.test.js" tests="1"><testcase classname="" name="works" time="0.1">
	    <failure>Error: expected 1</failure></testcase></testsuite>
	</testsuites>
	XML
	id=$(insight session import --sut js jest.xml) &&
	finals $id >actual &&
	printf "%s\n" "a.test.js::works passed 1" "b.test.js::works failed 1" >expect &&
	test_cmp expect actual
'

test_expect_success 'per-browser and nested suites: the nearest suite names the case' '
	cat >karma.xml <<-\XML &&
	<testsuites>
	  <testsuite name="Chrome 120"><testcase name="renders"/></testsuite>
	  <testsuite name="Firefox 121"><testsuite name="inner"><testcase name="renders">
	    <error message="boom"/></testcase></testsuite></testsuite>
	</testsuites>
	XML
	id=$(insight session import --sut web karma.xml) &&
	finals $id >actual &&
	printf "%s\n" "Chrome 120::renders passed 1" "inner::renders error 1" >expect &&
	test_cmp expect actual
'

test_expect_success 'a case with neither name nor classname is kept, with a warning' '
	cat >unnamed.xml <<-\XML &&
	<testsuite><testcase/><testcase><failure message="lost?"/></testcase></testsuite>
	XML
	id=$(insight session import --sut anon unnamed.xml 2>err) &&
	test_grep "warning: unnamed.xml: 2 test cases with neither name nor classname" err &&
	finals $id >actual &&
	printf "%s\n" "(unnamed case) passed 1" "(unnamed case)[#2] failed 1" >expect &&
	test_cmp expect actual
'

test_expect_success 'repeats: retries after failures, tests of their own after a pass' '
	cat >repeats.xml <<-\XML &&
	<testsuite name="s">
	  <testcase classname="Retry" name="flaky"><failure message="first"/></testcase>
	  <testcase classname="Retry" name="flaky"/>
	  <testcase classname="Data" name="provider"/>
	  <testcase classname="Data" name="provider"><failure message="second row"/></testcase>
	  <testcase classname="Data" name="provider"><failure message="third row"/></testcase>
	  <testcase classname="Skip" name="hides"><failure message="real failure"/></testcase>
	  <testcase classname="Skip" name="hides"><skipped/></testcase>
	</testsuite>
	XML
	id=$(insight session import --sut rep repeats.xml 2>err) &&
	finals $id >actual &&
	printf "%s\n" "Data::provider passed 1" "Data::provider[#2] failed 1" \
		"Data::provider[#3] failed 1" "Retry::flaky passed 2" "Skip::hides failed 1" >expect &&
	test_cmp expect actual &&
	test "$(q "SELECT n_tests, n_passed, n_failed, n_skipped, n_flaky FROM session
		WHERE uid LIKE \"$id%\"")" = "5 2 3 0 1" &&
	test "$(q "SELECT count(*) FROM result r JOIN test t ON t.id = r.test_id
		WHERE t.nodeid = \"Skip::hides\"")" = 2
'

test_expect_success 'failure and error in one case: error, and both texts kept' '
	cat >both.xml <<-\XML &&
	<testsuite name="s"><testcase classname="C" name="both">
	  <failure message="assert 1 == 2">the failure trace</failure>
	  <error message="teardown crashed">the error trace</error>
	</testcase></testsuite>
	XML
	id=$(insight session import --sut both both.xml) &&
	finals $id >actual &&
	echo "C::both error 1" >expect && test_cmp expect actual &&
	insight --format json session show $id --all >show.json &&
	q "SELECT detail FROM result_text" >detail &&
	test_grep "the error trace" detail &&
	test_grep "\[failure\] assert 1 == 2" detail &&
	test_grep "the failure trace" detail
'

test_expect_success 'pytest: its own JUnit (xunit2 and xunit1) names tests as session run does' '
	mkdir -p proj/tests &&
	cat >proj/tests/test_cart.py <<-\PY &&
	import pytest

	def test_total():
	    assert 1 + 1 == 2

	class TestCart:
	    def test_empty(self):
	        assert [] == []

	    @pytest.mark.parametrize("n", [1, 2])
	    def test_count(self, n):
	        assert n in (1, 2)
	PY
	cat >proj/tests/test_pay.py <<-\PY &&
	def test_refused():
	    assert "card" == "cash"
	PY
	(cd proj && insight session run --sut run -- $PYTEST -q -p no:cacheprovider tests >/dev/null 2>&1;
	 $PYTEST -q -p no:cacheprovider tests --junitxml=../x2.xml >/dev/null 2>&1;
	 $PYTEST -q -p no:cacheprovider tests -o junit_family=xunit1 --junitxml=../x1.xml >/dev/null 2>&1
	 true) &&
	test_grep "classname=\"tests.test_cart.TestCart\"" x2.xml &&
	! grep -q "file=" x2.xml &&
	(cd proj && insight session import --sut junit2 ../x2.xml && insight session import --sut junit1 ../x1.xml) &&
	q "SELECT t.nodeid FROM result r JOIN test t ON t.id = r.test_id JOIN session s ON s.id = r.session_id
		JOIN sut u ON u.id = s.sut_id WHERE u.name = \"run\" ORDER BY 1" >run-ids &&
	test_line_count = 5 run-ids &&
	for sut in junit2 junit1; do
		q "SELECT t.nodeid FROM result r JOIN test t ON t.id = r.test_id JOIN session s ON s.id = r.session_id
			JOIN sut u ON u.id = s.sut_id WHERE u.name = \"$sut\" ORDER BY 1" >$sut-ids &&
		test_cmp run-ids $sut-ids || return 1
	done &&
	insight --format json sut compare run junit2 >cmp.json &&
	test "$(json_get cmp.json "(d[\"facts\"][\"tests\"], d[\"facts\"][\"added\"], d[\"facts\"][\"removed\"])")" = "(5, 0, 0)"
'

test_expect_success 'pytest JUnit imported from elsewhere: classnames map from the report directory' '
	mkdir -p elsewhere && cp x2.xml proj/report.xml &&
	(cd elsewhere && insight session import --sut junit2 ../proj/report.xml --force) &&
	q "SELECT count(DISTINCT t.nodeid) FROM result r JOIN test t ON t.id = r.test_id
		WHERE t.nodeid LIKE \"tests/test_%.py::%\"" >n &&
	echo 5 >expect && test_cmp expect n
'

test_expect_success 'both forms of one test: db check names them, the upgrade merges them' '
	mkdir -p far/away && cp x2.xml far/away/r.xml &&
	(cd far/away && insight session import --sut old r.xml --force 2>/dev/null) &&
	q "SELECT count(*) FROM test WHERE nodeid LIKE \"tests.test_%\"" >n &&
	echo 5 >expect && test_cmp expect n &&
	test_must_fail insight --format csv db check >out 2>err &&
	test_grep "test .tests.test_cart.TestCart::test_count\[1\]. is also stored as .tests/test_cart.py::TestCart::test_count\[1\]." out err &&
	sqlite3 .insight/history.db "$SCHEMA_9_SQL DROP INDEX fingerprint_by_cause; DROP TABLE cause; ALTER TABLE fingerprint DROP COLUMN cause_id; PRAGMA user_version = 3" &&
	insight session list >/dev/null 2>err &&
	q "SELECT count(*) FROM test WHERE nodeid LIKE \"tests.test_%\"" >n &&
	echo 0 >expect && test_cmp expect n &&
	q "SELECT t.nodeid FROM result r JOIN test t ON t.id = r.test_id JOIN session s ON s.id = r.session_id
		JOIN sut u ON u.id = s.sut_id WHERE u.name = \"old\" ORDER BY 1" >old-ids &&
	test_cmp run-ids old-ids &&
	insight db check >out &&
	test "$(sqlite3 .insight/history.db "PRAGMA user_version")" = 10
'

test_done
