#!/bin/bash
# session run whose command ran no tests says so, keeps the session marked
# no-tests, and never takes it as the baseline of new failures.
. "$(dirname "$0")/lib.sh"

PYTEST="$INSIGHT_PYTHON -m pytest"

test_expect_success 'setup: a suite with one failing test' '
	insight init >/dev/null &&
	mkdir tests empty &&
	cat >tests/test_x.py <<-\EOF
	def test_ok():
	    pass

	def test_broken():
	    assert False, "broken"
	EOF
'

test_expect_success 'a first run with a failure' '
	insight session run -q --sut api -- $PYTEST -q -p no:cacheprovider tests >/dev/null 2>&1
	test $? = 1
'

test_expect_success 'pytest that collects nothing (exit 5): said on stderr, kept as no-tests' '
	insight session run --sut api -- $PYTEST -q -p no:cacheprovider empty >out 2>err
	test $? = 5 &&
	test_grep "^insight: no tests ran: .* collected no tests (exit status 5)$" err &&
	test "$(insight --format json session show latest | json_get /dev/stdin "d[\"facts\"][\"state\"]")" = no-tests
'

test_expect_success 'a Python without pytest: said on stderr, kept as no-tests' '
	insight session run --sut api -- $INSIGHT_PYTHON -S -m pytest -q tests >out 2>err
	test $? = 1 &&
	test_grep "No module named pytest" err &&
	test_grep "^insight: no tests ran: .* reported no results; is pytest installed for that Python" err &&
	! grep -q "skipped .*runs/" err &&
	test "$(insight --format json session show latest | json_get /dev/stdin "d[\"facts\"][\"state\"]")" = no-tests
'

test_expect_success 'the next run compares with the last run that ran tests' '
	insight session run --sut api -- $PYTEST -q -p no:cacheprovider tests >out 2>err
	test $? = 1 &&
	test_grep "0 new failures since session" err &&
	first=$(insight --format json session list | json_get /dev/stdin "d[\"tables\"][\"sessions\"][\"rows\"][-1][\"id\"]") &&
	test_grep "since session $(echo "$first" | cut -c1-12)" err
'

test_done
