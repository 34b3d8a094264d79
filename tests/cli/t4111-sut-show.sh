#!/bin/bash
# insight sut show: one SUT's sessions, last run, trends and failures;
# golden output in every format and width.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/browse-lib.sh"

setup_history

# When the SUT was first recorded is the clock at import: mask it.
GOLDEN_SED='/[Ff]irst recorded|"created"/s/[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9:.]+Z?/<NOW>/'
export GOLDEN_SED

test_expect_success 'sut show in every format and width' '
	golden_all sut-show-api sut show api &&
	golden_all sut-show-web sut show --limit 1 web
'

test_expect_success 'facts, series and tables of a SUT' '
	insight sut show api --format json >j &&
	"$INSIGHT_PYTHON" - j <<-\PY
	import json, sys
	d = json.load(open(sys.argv[1]))
	f = d["facts"]
	assert f["sessions"] == 3 and f["tests"] == 7 and f["pass_rate"] == 1, f
	assert f["first_run"] == "2026-11-20T09:00:00.000Z", f
	assert f["last_run"] == "2026-11-22T09:00:00.000Z", f
	assert [p["y"] for p in d["series"]["pass_rate"]["points"]] == [0.8, 0.6, 1], d["series"]
	assert len(d["tables"]["sessions"]["rows"]) == 3
	assert d["tables"]["failing"]["rows"] == []
	PY
'

test_expect_success 'the failing tests of the last session' '
	insight --db web.db init >/dev/null &&
	insight --db web.db session import --sut api ../fx/api-2.xml 2>/dev/null >/dev/null &&
	insight --db web.db sut show api --format csv >out &&
	test_grep "^tests/test_auth.py::test_logout,error," out &&
	test_grep "^tests/test_cart.py::test_total,failed,\"expected	3" out
'

test_expect_success 'an unknown SUT, or none, is a usage error' '
	test_must_fail --exit 2 insight sut show nope 2>err &&
	test_grep "no SUT named .nope." err &&
	test_must_fail --exit 2 insight sut show 2>err &&
	test_grep "one SUT name" err
'

test_done
