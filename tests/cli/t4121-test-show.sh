#!/bin/bash
# insight test show: one test's facts, outcome counts, pass rate, duration
# percentiles, failure fingerprints and properties; golden output in every
# format and width; a test named by part of its node id.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/browse-lib.sh"

setup_history

test_expect_success 'test show in every format and width' '
	golden_all test-show-total test show tests/test_cart.py::test_total &&
	golden_all test-show-ansi test show "test_render[$(printf "\033")[31mred]"
'

test_expect_success 'counts, pass rate and nearest-rank percentiles' '
	insight test show tests/test_cart.py::test_total --format json >j &&
	"$INSIGHT_PYTHON" - j <<-\PY
	import json, sys
	f = json.load(open(sys.argv[1]))["facts"]
	assert f["runs"] == 3 and f["passed"] == 2 and f["failed"] == 1, f
	assert f["flaky_runs"] == 1, f
	assert abs(f["pass_rate"] - 2 / 3) < 1e-12, f
	# final attempts: 0.9, 1.1, 1.0 s -> p50 1.0 (2nd of 3), p95 1.1 (3rd of 3)
	assert f["duration_p50"] == 1.0 and f["duration_p95"] == 1.1, f
	assert f["last_outcome"] == "passed" and f["first_run"] == "2026-11-20T09:00:00.000Z", f
	PY
'

test_expect_success 'fingerprints and properties' '
	insight test show tests/test_cart.py::test_total --format json >j &&
	test "$(json_get j "len(d[\"tables\"][\"fingerprints\"][\"rows\"])")" = 2 &&
	insight test show "test_render[$(printf "\033")" --format json >j &&
	test "$(json_get j "d[\"tables\"][\"properties\"][\"rows\"]")" = "[{\"key\": \"testrail\", \"value\": \"C1234\"}]"
'

test_expect_success 'a part of a node id names a test; an ambiguous part lists candidates' '
	insight test show test_logout --format json >j &&
	test "$(json_get j "d[\"facts\"][\"test\"]")" = tests/test_auth.py::test_logout &&
	test_must_fail --exit 2 insight test show test_cart 2>err &&
	test_grep "matches 3 tests" err &&
	test_grep "tests/test_cart.py::test_add" err &&
	test_must_fail --exit 2 insight test show nothing_like_it 2>err &&
	test_grep "no test matches" err &&
	test_must_fail --exit 2 insight test show 2>err
'

test_expect_success '--sut counts only that SUT' '
	insight test show --sut web test_logout --format json >j &&
	test "$(json_get j "d[\"facts\"][\"runs\"]")" = 0 &&
	test "$(json_get j "d[\"facts\"][\"pass_rate\"]")" = None
'

test_done
