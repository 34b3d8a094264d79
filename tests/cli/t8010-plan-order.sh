#!/bin/bash
# plan order on a real pytest project under git: a test that alternates
# between passing and failing on one tree (flaky), a green session, then a
# commit that changes shop/pricing.py and fails test_b, a new test file and
# an uncommitted change to shop/cart.py. The risk order puts the latest
# failure first, the new test next, the tests near a change before the
# others (shortest first at equal risk) and the flaky test last; each
# single strategy keeps the given order otherwise.
. "$(dirname "$0")/lib.sh"

export INSIGHT_DB="$TRASH/h.db"

run_suite() {
	(cd proj && FAIL="$1" insight -q session run --sut app -- "$INSIGHT_PYTHON" -m pytest -q \
		-p no:cacheprovider tests >/dev/null 2>&1)
}

test_expect_success 'setup: six runs with a flaky test, a green one, a change and a failure' '
	mkdir -p proj/shop proj/tests &&
	cat >proj/shop/__init__.py </dev/null &&
	echo "PRICE = 1" >proj/shop/pricing.py &&
	echo "ITEMS = []" >proj/shop/cart.py &&
	cat >proj/tests/conftest.py <<-\EOF_PY &&
	import os
	import pytest

	@pytest.fixture
	def fail():
	    return os.environ.get("FAIL", "").split(",")
	EOF_PY
	cat >proj/tests/test_pricing.py <<-\EOF_PY &&
	import time

	def test_a(fail):
	    time.sleep(0.1)
	    assert "a" not in fail

	def test_b(fail):
	    assert "b" not in fail
	EOF_PY
	cat >proj/tests/test_cart.py <<-\EOF_PY &&
	def test_c(fail):
	    assert "c" not in fail

	def test_d(fail):
	    assert "d" not in fail
	EOF_PY
	cat >proj/tests/test_misc.py <<-\EOF_PY &&
	import time

	def test_fast(fail):
	    assert "fast" not in fail

	def test_slow(fail):
	    time.sleep(0.25)
	    assert "slow" not in fail
	EOF_PY
	(cd proj && git init -q && git add -A && git commit -qm "shop: first") &&
	green=$(git -C proj rev-parse HEAD) &&
	for f in d "" d "" d ""; do
		run_suite "$f"
	done &&
	run_suite "" &&
	echo "PRICE = 2" >proj/shop/pricing.py &&
	(cd proj && git commit -qam "pricing: new price") &&
	run_suite b;
	test $? = 1 &&
	cat >proj/tests/test_new.py <<-\EOF_PY &&
	def test_e():
	    pass
	EOF_PY
	echo "ITEMS = [1]" >proj/shop/cart.py &&
	(cd proj && "$INSIGHT_PYTHON" -m pytest -q -p no:cacheprovider --collect-only tests) |
		grep "::" >tests.txt &&
	test_line_count = 7 tests.txt &&
	echo "$green" >green &&
	insight --format json analytics flaky --sut app >flaky.json &&
	test "$(json_get flaky.json "[r[\"nodeid\"] for r in d[\"tables\"][\"flaky\"][\"rows\"]]")" = \
		"[\"tests/test_cart.py::test_d\"]"
'

test_expect_success 'risk: the latest failure, the new test, the changed files, flaky last' '
	(cd proj && insight plan order --sut app ../tests.txt) >got &&
	cat >expect <<-\EOF &&
	tests/test_pricing.py::test_b
	tests/test_new.py::test_e
	tests/test_cart.py::test_c
	tests/test_pricing.py::test_a
	tests/test_misc.py::test_fast
	tests/test_misc.py::test_slow
	tests/test_cart.py::test_d
	EOF
	test_cmp expect got
'

test_expect_success 'the same order from a shuffled input, and without input (the latest session)' '
	sort -r tests.txt >shuffled.txt &&
	(cd proj && insight plan order --sut app ../shuffled.txt) >got2 &&
	test_cmp expect got2 &&
	(cd proj && insight plan order --sut app) >got3 &&
	grep -v test_new expect >expect3 &&
	test_cmp expect3 got3
'

test_expect_success '--explain: the reasons, the changes counted from the latest green session' '
	(cd proj && insight --format json plan order --sut app ../tests.txt) >o.json &&
	test "$(json_get o.json "d[\"facts\"][\"changed_since\"]")" = "$(cat green)" &&
	test "$(json_get o.json "d[\"facts\"][\"changed_files\"]")" = 2 &&
	test "$(json_get o.json "d[\"facts\"][\"changed_tests\"]")" = 4 &&
	test "$(json_get o.json "d[\"facts\"][\"failed_last\"]")" = 1 &&
	test "$(json_get o.json "d[\"facts\"][\"new\"]")" = 1 &&
	test "$(json_get o.json "d[\"facts\"][\"flaky\"]")" = 1 &&
	json_get o.json "\"\\n\".join(\"%s %s %s\" % (r[\"nodeid\"], r[\"group\"], r[\"change\"]) for r in d[\"tables\"][\"tests\"][\"rows\"])" >rows &&
	cat >expect.rows <<-\EOF &&
	tests/test_pricing.py::test_b failed 0.5
	tests/test_new.py::test_e new 0
	tests/test_cart.py::test_c risk 0.5
	tests/test_pricing.py::test_a risk 0.5
	tests/test_misc.py::test_fast risk 0
	tests/test_misc.py::test_slow risk 0
	tests/test_cart.py::test_d flaky 0.5
	EOF
	test_cmp expect.rows rows &&
	json_get o.json "[r[\"fail_rate\"] for r in d[\"tables\"][\"tests\"][\"rows\"]][0] > 0.2" >ok &&
	echo True >yes && test_cmp yes ok &&
	(cd proj && insight plan order --sut app --explain ../tests.txt) >text &&
	test_grep "ordered by risk" text
'

test_expect_success 'a change to a test file itself counts 1' '
	echo "# touched" >>proj/tests/test_misc.py &&
	(cd proj && insight --format json plan order --sut app ../tests.txt) >m.json &&
	git -C proj checkout -q tests/test_misc.py &&
	json_get m.json "dict((r[\"nodeid\"], r[\"change\"]) for r in d[\"tables\"][\"tests\"][\"rows\"])[\"tests/test_misc.py::test_slow\"]" >c &&
	echo 1 >one && test_cmp one c &&
	json_get m.json "[r[\"nodeid\"] for r in d[\"tables\"][\"tests\"][\"rows\"]][2:4]" >first &&
	echo "[\"tests/test_misc.py::test_fast\", \"tests/test_misc.py::test_slow\"]" >expect.first &&
	test_cmp expect.first first
'

test_expect_success 'single strategies keep the given order otherwise' '
	(cd proj && insight plan order --sut app --strategy failed-first ../tests.txt) >ff &&
	{ echo tests/test_pricing.py::test_b; grep -v test_b tests.txt; } >expect.ff &&
	test_cmp expect.ff ff &&
	(cd proj && insight plan order --sut app --strategy new-first ../tests.txt) >nf &&
	{ echo tests/test_new.py::test_e; grep -v test_e tests.txt; } >expect.nf &&
	test_cmp expect.nf nf &&
	(cd proj && insight plan order --sut app --strategy flaky-last ../tests.txt) >fl &&
	{ grep -v test_d tests.txt; echo tests/test_cart.py::test_d; } >expect.fl &&
	test_cmp expect.fl fl &&
	(cd proj && insight plan order --sut app --strategy slow-first ../tests.txt) >sf &&
	head -2 sf >sf.top && printf "%s\n" tests/test_misc.py::test_slow tests/test_pricing.py::test_a >expect.sf &&
	test_cmp expect.sf sf.top &&
	tail -1 sf >sf.last && echo tests/test_new.py::test_e >expect.last && test_cmp expect.last sf.last
'

test_expect_success 'without git the changes are left out, with a note; --no-changes too' '
	insight plan order --sut app --repo "$TRASH/nowhere" tests.txt >ng 2>err &&
	test_grep "changed files left out" err &&
	test_line_count = 7 ng &&
	(cd proj && insight --format json plan order --sut app --no-changes ../tests.txt) >nc.json &&
	test "$(json_get nc.json "sum(r[\"change\"] for r in d[\"tables\"][\"tests\"][\"rows\"])")" = 0 &&
	test "$(json_get nc.json "d[\"facts\"][\"changed_since\"]")" = None
'

test_expect_success '--changes-since names the base; a bad one is an error' '
	(cd proj && insight --format json plan order --sut app --changes-since HEAD ../tests.txt) >h.json &&
	test "$(json_get h.json "d[\"facts\"][\"changed_files\"]")" = 1 &&
	test "$(json_get h.json "d[\"facts\"][\"changed_since\"]")" = "$(git -C proj rev-parse HEAD)" &&
	test_must_fail --exit 2 insight plan order --sut app --repo proj --changes-since no-such-rev \
		tests.txt 2>err &&
	test_line_count = 1 err && test_grep "no-such-rev" err
'

test_expect_success 'stems of Java classes and JS test files match their sources' '
	cat >jv.xml <<-\EOF &&
	<testsuite name="all" tests="3">
	  <testcase classname="com.shop.CartTest" name="testAdd" time="0.1"/>
	  <testcase classname="" name="adds" file="web/cart.test.js" time="0.1"/>
	  <testcase classname="com.shop.OrderTest" name="testPay" time="0.1"/>
	</testsuite>
	EOF
	insight -q session import --sut jv --no-git jv.xml &&
	mkdir -p jrepo/src/main/java/com/shop jrepo/web &&
	echo "class Cart {}" >jrepo/src/main/java/com/shop/Cart.java &&
	echo "module.exports = 1" >jrepo/web/cart.js &&
	(cd jrepo && git init -q && git add -A && git commit -qm first) &&
	echo "class Cart { int n; }" >jrepo/src/main/java/com/shop/Cart.java &&
	echo "module.exports = 2" >jrepo/web/cart.js &&
	insight --format json plan order --sut jv --repo jrepo --changes-since HEAD >j.json &&
	json_get j.json "\"\\n\".join(\"%s %s\" % (r[\"nodeid\"], r[\"change\"]) for r in d[\"tables\"][\"tests\"][\"rows\"])" >rows &&
	cat >expect.rows <<-\EOF &&
	com.shop.CartTest::testAdd 0.5
	web/cart.test.js::adds 0.5
	com.shop.OrderTest::testPay 0
	EOF
	test_cmp expect.rows rows
'

test_expect_success 'usage errors' '
	test_must_fail --exit 2 insight plan order --sut app --strategy fastest tests.txt 2>err &&
	test_grep "unknown strategy .fastest." err &&
	test_must_fail --exit 2 insight plan order --sut app --flaky-window soon tests.txt 2>err &&
	test_must_fail --exit 2 insight plan order --sut app --no-changes --changes-since HEAD tests.txt 2>err &&
	test_must_fail --exit 2 insight plan order --sut app a b 2>err &&
	test_must_fail --exit 2 insight plan order --sut nosuch tests.txt 2>err &&
	test_line_count = 1 err
'

test_done
