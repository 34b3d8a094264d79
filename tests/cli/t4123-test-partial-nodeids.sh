#!/bin/bash
# Partial node ids work wherever a test is named: a function name,
# file::name or the end of an id that names one test; two or more list the
# candidates, one a line.
. "$(dirname "$0")/lib.sh"

PYTEST="$INSIGHT_PYTHON -m pytest"

test_expect_success 'setup: two pytest runs of a small suite' '
	insight init >/dev/null &&
	mkdir tests &&
	cat >tests/test_cart.py <<-\EOF &&
	def test_add():
	    assert 1 + 1 == 2

	def test_add_many():
	    assert sum([1, 2, 3]) == 7, "the sum is off"
	EOF
	cat >tests/test_user.py <<-\EOF &&
	def test_add_user():
	    assert True
	EOF
	for i in 1 2; do
		insight session run -q --sut shop -- $PYTEST -q -p no:cacheprovider tests >/dev/null 2>&1
		test $? = 1 || return 1
	done &&
	test "$(insight --format json test list | json_get /dev/stdin "len(d[\"tables\"][\"tests\"][\"rows\"])")" = 3
'

test_expect_success 'a function name that ends one id names that test everywhere' '
	for cmd in "test show test_add" "test history test_add" "test since test_add" \
		"test trends test_add" "analytics failures --nodeid test_add" \
		"analytics analyze --sut shop --nodeid test_add"; do
		# shellcheck disable=SC2086
		insight --format json $cmd >out.json 2>err || { echo "$cmd:"; cat err; return 1; }
		grep -q "tests/test_cart.py::test_add\"" out.json || { echo "$cmd: not test_add"; return 1; }
		! grep -q "test_add_many\|test_add_user" out.json || { echo "$cmd: another test"; return 1; }
	done
'

test_expect_success 'file::name and the failing test by a part of its name' '
	insight --format json test since test_cart.py::test_add_many >out.json &&
	grep -q "tests/test_cart.py::test_add_many" out.json &&
	insight --format json analytics failures --nodeid add_many >out.json &&
	grep -q "the sum is off" out.json
'

test_expect_success 'a part that names several tests lists them, one a line, exit 2' '
	for cmd in "test since test_add_" "analytics failures --nodeid test_add_" \
		"test trends test_add_" "analytics analyze --sut shop --nodeid test_add_"; do
		# shellcheck disable=SC2086
		insight $cmd >out 2>err
		test $? = 2 || { echo "$cmd: exit $?"; return 1; }
		test_grep "^insight: .test_add_. matches 2 tests; give one node id:$" err || return 1
		test_grep "^  tests/test_cart.py::test_add_many$" err || return 1
		test_grep "^  tests/test_user.py::test_add_user$" err || return 1
		! grep -q "x0a" err || return 1
		test ! -s out || return 1
	done
'

test_expect_success 'a part that names no test says so' '
	test_must_fail insight test since test_nothing 2>err &&
	test_grep "no test matches .test_nothing." err
'

test_done
