#!/bin/bash
# ci report --junit FILE: the session written back as JUnit XML for the tools
# that read nothing else (GitLab's merge request widget, CircleCI, Jenkins),
# read back by a real JUnit reader and by insight with the same counts.
. "$(dirname "$0")/lib.sh"

export INSIGHT_DB="$TRASH/h.db"
PYTEST="$INSIGHT_PYTHON -m pytest"

test_expect_success 'setup: a pytest run with a pass, a failure, an error, a skip and an xfail' '
	mkdir tests &&
	cat >tests/test_shop.py <<-\EOF &&
	import pytest

	def test_pass():
	    print("all <good> & fine")

	def test_fail():
	    assert 1 + 1 == 3, "the sum is \"off\""

	@pytest.fixture
	def broken():
	    raise RuntimeError("fixture broke")

	def test_error(broken):
	    pass

	@pytest.mark.skip(reason="not today")
	def test_skip():
	    pass

	@pytest.mark.xfail(reason="known bug")
	def test_xfail():
	    assert False

	def test_escape():
	    assert "\x1b[31m" == "", "colour \x1b[31mred"
	EOF
	insight session run -q --sut shop --keep-output -- $PYTEST -q -p no:cacheprovider tests >/dev/null 2>&1
	test $? = 1
'

test_expect_success 'the JUnit file: counts, messages and output as stored, valid for a JUnit reader' '
	insight ci report --sut shop --junit report.xml >out 2>err &&
	test_grep "^report.xml$" out &&
	test_grep "delivered: junit" err &&
	"$INSIGHT_PYTHON" - report.xml <<-\EOF
	import sys
	import xml.etree.ElementTree as ET
	from junitparser import JUnitXml, Failure, Error, Skipped
	xml = JUnitXml.fromfile(sys.argv[1])
	cases = {c.name: c for suite in xml for c in suite}
	assert set(cases) == {"test_pass", "test_fail", "test_error", "test_skip", "test_xfail", "test_escape"}, cases
	kind = lambda c: type(c.result[0]).__name__ if c.result else "passed"
	assert kind(cases["test_pass"]) == "passed"
	assert kind(cases["test_fail"]) == "Failure" and "the sum is" in cases["test_fail"].result[0].message
	assert kind(cases["test_error"]) == "Error"
	assert kind(cases["test_skip"]) == "Skipped"
	assert kind(cases["test_xfail"]) == "Skipped"
	assert "all <good> & fine" in (cases["test_pass"].system_out or "")
	root = ET.parse(sys.argv[1]).getroot()
	suite = root.find("testsuite")
	assert suite.get("name") == "shop" and suite.get("tests") == "6", suite.attrib
	assert all(c.get("classname") == "tests.test_shop" for c in suite.iter("testcase"))
	assert suite.get("failures") == "2" and suite.get("errors") == "1" and suite.get("skipped") == "2"
	assert "\x1b" not in open(sys.argv[1]).read()
	EOF
'

test_expect_success 'read back by insight: the same tests and outcomes' '
	insight session import -q --sut again report.xml >/dev/null &&
	insight --format json session show latest --sut shop >a.json &&
	insight --format json session show latest --sut again >b.json &&
	for k in tests passed failed error skipped; do
		test "$(json_get a.json "d[\"facts\"][\"$k\"]")" = "$(json_get b.json "d[\"facts\"][\"$k\"]")" ||
			{ echo "$k differs"; return 1; }
	done
'

test_expect_success 'a file that cannot be written: exit 5, nothing half-written left' '
	{ insight ci report --sut shop --junit nowhere/report.xml >out 2>err; test $? = 5; } &&
	test_grep "not delivered: junit (cannot write nowhere/report.xml" err &&
	test ! -e nowhere
'

test_done
