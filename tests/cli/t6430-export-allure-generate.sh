#!/bin/bash
# export allure read by the real Allure command line (npm allure-commandline,
# on Java): three sessions of a pytest suite recorded by session run, each
# exported with the history/ of the previous report and generated with
# `allure generate --clean`. The reports' own data must agree with insight:
# widgets/summary.json counts, data/test-cases statuses, retries and the
# flaky flag, categories from the failure causes, the environment, and a
# history trend of three points. Java and Allure are required: setup-deps
# installs them, and their absence fails this test.
. "$(dirname "$0")/lib.sh"

export INSIGHT_DB="$TRASH/h.db"
ALLURE="$INSIGHT_SRCDIR/tests/node/node_modules/.bin/allure"
export FLAKY_DIR="$TRASH/flaky"

test_expect_success 'Java and the Allure command line are installed' '
	command -v java >/dev/null &&
	test -x "$ALLURE"
'

test_expect_success 'setup: a pytest suite of every outcome, run three times' '
	mkdir -p suite/tests "$FLAKY_DIR" &&
	cat >suite/tests/test_shop.py <<-\EOF_PY &&
	import os, pytest

	STAGE = int(os.environ["STAGE"])

	def test_pass():
	    pass

	def test_fail():
	    print("about to fail")
	    assert 1 == 2, "one is not two"

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

	@pytest.mark.xfail(reason="fixed?")
	def test_xpass():
	    pass

	@pytest.mark.slow
	@pytest.mark.parametrize("n", [1, 2])
	def test_param(n):
	    assert STAGE != 2 or n == 1, "stage two breaks n=2"

	class TestCart:
	    def test_flaky(self):
	        p = os.path.join(os.environ["FLAKY_DIR"], "count")
	        c = int(open(p).read()) if os.path.exists(p) else 0
	        open(p, "w").write(str(c + 1))
	        assert c % 2 == 1, "needs a second try"
	EOF_PY
	for stage in 1 2 3; do
		(cd suite && STAGE=$stage insight -q session run --sut "shop: eu=1" -- \
			"$INSIGHT_PYTHON" -m pytest -q -p no:cacheprovider --reruns 2 tests \
			>/dev/null 2>&1)
		test $? = 1 || return 1
	done &&
	insight --format json session list >s.json &&
	json_get s.json "\"\\n\".join(r[\"id\"] for r in reversed(d[\"tables\"][\"sessions\"][\"rows\"]))" >ids &&
	test_line_count = 3 ids
'

test_expect_success 'three exports, each generated with the history of the one before' '
	prev= && i=0 &&
	while read -r id; do
		i=$((i + 1)) &&
		insight export allure -o "results$i" ${prev:+--history "$prev"} "$id" || return 1
		test -f "results$i/executor.json" || return 1
		if test -n "$prev"; then test -f "results$i/history/history-trend.json" || return 1; fi
		"$ALLURE" generate --clean -o "report$i" "results$i" >gen.out 2>&1 || {
			cat gen.out; return 1; }
		prev="report$i"
	done <ids &&
	test -f report3/widgets/summary.json
'

cat >check.py <<-\EOF_PY
import glob, json, subprocess, sys

report, sid = sys.argv[1], sys.argv[2]
show = json.loads(subprocess.check_output(
    [sys.argv[3], "--format", "json", "session", "show", "--outcome", "all", "--all", sid]))
section = [x for x in show["sections"] if x["id"] == "counts"][0]
counts = section["facts"]
want = {"passed": counts["passed"] + counts["xpassed"], "failed": counts["failed"],
        "broken": counts["error"], "skipped": counts["skipped"] + counts["xfailed"],
        "unknown": 0, "total": counts["tests"]}
got = json.load(open(report + "/widgets/summary.json"))["statistic"]
assert got == want, (got, want)

status = {"passed": "passed", "failed": "failed", "error": "broken", "skipped": "skipped",
          "xfailed": "skipped", "xpassed": "passed"}
rows = section["tables"]["results"]["rows"]
expect = {r["test"]: status[r["outcome"]] for r in rows}
cases = {}
for f in glob.glob(report + "/data/test-cases/*.json"):
    c = json.load(open(f))
    if c["hidden"]:
        continue
    p = c["parameters"]
    nodeid = c["fullName"] + ("[%s]" % p[0]["value"] if p else "")
    assert nodeid not in cases, nodeid
    cases[nodeid] = c
assert {k: c["status"] for k, c in cases.items()} == expect, (cases.keys(), expect)

flaky = cases["tests/test_shop.py::TestCart::test_flaky"]
assert flaky["status"] == "passed" and flaky["flaky"] is True and flaky["retriesCount"] == 1, flaky
fail = cases["tests/test_shop.py::test_fail"]
assert fail["retriesCount"] == 2 and fail["flaky"] is False, fail
assert [a["name"] for a in fail["testStage"]["attachments"]] == ["stdout"], fail["testStage"]
assert cases["tests/test_shop.py::test_error"]["retriesCount"] == 2
assert cases["tests/test_shop.py::test_xfail"]["statusMessage"].startswith("XFAIL known bug")
assert cases["tests/test_shop.py::test_xpass"]["statusMessage"].startswith("XPASS fixed?")
tags = [l["value"] for l in cases["tests/test_shop.py::test_param[1]"]["labels"] if l["name"] == "tag"]
assert tags == ["slow"], tags

cats = {i["name"]: i["statistic"] for i in json.load(open(report + "/widgets/categories.json"))["items"]}
assert cats["AssertionError: one is not two (at test_shop.py test_fail)"]["failed"] == 1, cats
assert cats["RuntimeError: fixture broke (at test_shop.py broken)"]["broken"] == 1, cats
assert cats["Flaky tests"]["passed"] == 1, cats

env = {e["name"]: e["values"] for e in json.load(open(report + "/widgets/environment.json"))}
assert env["SUT"] == ["shop: eu=1"] and env["session"] == [show["facts"]["id"]], env
print(json.dumps(want))
EOF_PY

test_expect_success 'each report agrees with its session: counts, statuses, retries, flaky' '
	i=0 &&
	while read -r id; do
		i=$((i + 1)) &&
		"$INSIGHT_PYTHON" check.py "report$i" "$id" "$INSIGHT_BIN" >>counts || return 1
	done <ids &&
	test_line_count = 3 counts &&
	test "$(sed -n 2p counts)" != "$(sed -n 1p counts)"
'

test_expect_success 'the third report'"'"'s trend has three points, one per session' '
	"$INSIGHT_PYTHON" - report3/widgets/history-trend.json counts <<-\EOF_PY
	import json, sys
	trend = json.load(open(sys.argv[1]))
	want = [json.loads(l) for l in open(sys.argv[2])]
	assert len(trend) == 3, trend
	# newest first, as Allure keeps it; buildOrder is the session start
	orders = [t["buildOrder"] for t in trend]
	assert orders == sorted(orders, reverse=True), orders
	assert [t["data"] for t in trend] == want[::-1], (trend, want)
	assert all(t["reportName"] == "shop: eu=1" for t in trend), trend
	EOF_PY
'

test_expect_success 'a test'"'"'s history in the last report: the two sessions before, then this one' '
	"$INSIGHT_PYTHON" - report3 <<-\EOF_PY
	import glob, json, sys
	for f in glob.glob(sys.argv[1] + "/data/test-cases/*.json"):
	    c = json.load(open(f))
	    if c["hidden"] or c["name"] != "test_param[2]":
	        continue
	    h = c["extra"]["history"]
	    assert [i["status"] for i in h["items"]] == ["failed", "passed"], h
	    assert h["statistic"]["total"] == 3 and h["statistic"]["failed"] == 1, h
	    break
	else:
	    raise SystemExit("test_param[2] not in the report")
	EOF_PY
'

test_done
