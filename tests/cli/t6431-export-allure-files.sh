#!/bin/bash
# export allure, the files themselves: every outcome's status and note,
# retries sharing historyId, the flaky flag, labels and parameters from the
# node id, stdout/stderr/log as attachments, environment.properties escaped as
# java.util.Properties reads it, executor.json from the CI facts,
# categories.json from the failure causes; a round trip through insight's
# own Allure import; several sessions in sub-directories; and how -o treats
# what is already at its path.
. "$(dirname "$0")/lib.sh"

export INSIGHT_DB="$TRASH/h.db"
export FLAKY_DIR="$TRASH/flaky"

test_expect_success 'setup: a pytest suite of every outcome, run once in "CI"' '
	mkdir -p suite/tests/api "$FLAKY_DIR" &&
	cat >suite/tests/api/test_cart.py <<-\EOF_PY &&
	import logging, os, sys, pytest

	def test_pass():
	    pass

	def test_fail():
	    print("out of test_fail")
	    sys.stderr.write("err of test_fail\n")
	    logging.getLogger("cart").warning("log of test_fail")
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
	@pytest.mark.parametrize("n,s", [(1, "a-b"), (2, "\\E x")])
	def test_param(n, s):
	    pass

	class TestCart:
	    def test_flaky(self):
	        p = os.path.join(os.environ["FLAKY_DIR"], "count")
	        c = int(open(p).read()) if os.path.exists(p) else 0
	        open(p, "w").write(str(c + 1))
	        assert c % 2 == 1, "needs a second try"
	EOF_PY
	(cd suite && GITHUB_ACTIONS=true GITHUB_RUN_ID=4242 GITHUB_REPOSITORY=acme/shop \
		GITHUB_SERVER_URL=https://github.com GITHUB_JOB=unit \
		insight -q session run --sut "shop =#1 é" -- "$INSIGHT_PYTHON" -m pytest -q \
		-p no:cacheprovider --reruns 1 tests >/dev/null 2>&1
	 test $? = 1) &&
	insight export allure -o res &&
	ls res >files &&
	test "$(grep -c -- "-result.json$" files)" = 12 &&
	test "$(grep -c -- "-attachment.txt$" files)" = 6
'

cat >load.py <<-\EOF_PY
import glob, json, sys
res = {}
for f in glob.glob(sys.argv[1] + "/*-result.json"):
    r = json.load(open(f))
    assert f.endswith("/" + r["uuid"] + "-result.json")
    res.setdefault(r["fullName"] + ("[%s]" % r["parameters"][0]["value"] if r["parameters"] else ""), []).append(r)
for v in res.values():
    v.sort(key=lambda r: r["stop"])
EOF_PY

test_expect_success 'every outcome: its status, and a note for xfail and xpass' '
	"$INSIGHT_PYTHON" - res <<-\EOF_PY
	exec(open("load.py").read())
	P = "tests/api/test_cart.py::"
	final = {k[len(P):]: v[-1] for k, v in res.items()}
	st = {k: r["status"] for k, r in final.items()}
	assert st == {"test_pass": "passed", "test_fail": "failed", "test_error": "broken",
	              "test_skip": "skipped", "test_xfail": "skipped", "test_xpass": "passed",
	              "test_param[1-a-b]": "passed", "test_param[2-\\\\E x]": "passed",
	              "TestCart::test_flaky": "passed"}, st
	m = {k: r["statusDetails"].get("message") for k, r in final.items()}
	assert m["test_xfail"] == "XFAIL known bug" and m["test_xpass"] == "XPASS fixed?", m
	assert m["test_fail"] == "AssertionError: one is not two" and m["test_skip"] == "not today", m
	assert "raise RuntimeError" in final["test_error"]["statusDetails"]["trace"]
	for r in final.values():
	    assert r["stage"] == "finished" and r["start"] <= r["stop"], r
	EOF_PY
'

test_expect_success 'retries share historyId and testCaseId; only the final pass is flaky' '
	"$INSIGHT_PYTHON" - res <<-\EOF_PY
	exec(open("load.py").read())
	P = "tests/api/test_cart.py::"
	assert [len(res[P + k]) for k in ("test_fail", "test_error", "TestCart::test_flaky", "test_pass")] == [2, 2, 2, 1]
	fl = res[P + "TestCart::test_flaky"]
	assert [r["status"] for r in fl] == ["failed", "passed"], fl
	assert [r["statusDetails"]["flaky"] for r in fl] == [False, True], fl
	assert fl[0]["stop"] < fl[1]["stop"]
	hist = set()
	for k, v in res.items():
	    assert len({r["historyId"] for r in v}) == 1 and len({r["testCaseId"] for r in v}) == 1
	    hist.add(v[0]["historyId"])
	assert len(hist) == len(res)
	p1, p2 = res[P + "test_param[1-a-b]"][0], res[P + "test_param[2-\\\\E x]"][0]
	assert p1["testCaseId"] == p2["testCaseId"] and p1["historyId"] != p2["historyId"]
	assert all(r["statusDetails"]["flaky"] is False for k, v in res.items() for r in v if "flaky" not in k)
	EOF_PY
'

# Allure keeps the attempt that started last as the result: attempts recorded
# without a start, and quicker than a millisecond, must not start together.
test_expect_success 'attempts in the same millisecond: each starts after the one before' '
	cat >rerun.xml <<-\EOF &&
	<testsuite name="s" tests="2">
	<testcase classname="pkg.T" name="quick" time="0"><flakyFailure message="first" type="X"/><flakyFailure message="second" type="X"/></testcase>
	<testcase classname="pkg.T" name="slow" time="0.5"><flakyFailure message="first" type="X" time="0.2"/></testcase>
	</testsuite>
	EOF
	INSIGHT_DB=rerun.db insight -q session import --no-git --sut rerun rerun.xml >/dev/null &&
	INSIGHT_DB=rerun.db insight export allure -o rerun-res latest >/dev/null &&
	"$INSIGHT_PYTHON" - rerun-res <<-\EOF_PY
	exec(open("load.py").read())
	q = res["pkg.T::quick"]
	assert [r["status"] for r in q] == ["failed", "failed", "passed"], q
	starts = [r["start"] for r in q]
	assert starts[0] < starts[1] < starts[2], starts
	assert all(r["start"] <= r["stop"] for r in q), q
	assert [r["stop"] for r in q] == sorted({r["stop"] for r in q}), q
	sl = res["pkg.T::slow"]
	assert [r["status"] for r in sl] == ["failed", "passed"] and sl[0]["start"] < sl[1]["start"], sl
	EOF_PY
'

test_expect_success 'names, labels and parameters from the node id' '
	"$INSIGHT_PYTHON" - res <<-\EOF_PY
	exec(open("load.py").read())
	r = res["tests/api/test_cart.py::TestCart::test_flaky"][0]
	lab = [(l["name"], l["value"]) for l in r["labels"]]
	assert r["name"] == "test_flaky" and r["fullName"] == "tests/api/test_cart.py::TestCart::test_flaky"
	want = [("parentSuite", "tests.api"), ("suite", "test_cart"), ("subSuite", "TestCart"),
	        ("package", "tests.api.test_cart"), ("testClass", "tests.api.test_cart.TestCart"),
	        ("testMethod", "test_flaky"), ("framework", "pytest")]
	assert all(w in lab for w in want), lab
	assert any(n == "host" and v for n, v in lab), lab
	r = res["tests/api/test_cart.py::test_param[1-a-b]"][0]
	assert r["name"] == "test_param[1-a-b]" and r["parameters"] == [{"name": "id", "value": "1-a-b"}], r
	assert [v for n, v in ((l["name"], l["value"]) for l in r["labels"]) if n == "tag"] == ["slow"]
	assert ("subSuite" not in [l["name"] for l in r["labels"]])
	EOF_PY
'

test_expect_success 'stdout, stderr and the log are text attachments of their attempt' '
	"$INSIGHT_PYTHON" - res <<-\EOF_PY
	exec(open("load.py").read())
	import os
	for r in res["tests/api/test_cart.py::test_fail"]:
	    a = {x["name"]: x for x in r["attachments"]}
	    assert sorted(a) == ["log", "stderr", "stdout"], a
	    assert all(x["type"] == "text/plain" and x["source"].endswith("-attachment.txt") for x in a.values())
	    assert "out of test_fail" in open(os.path.join(sys.argv[1], a["stdout"]["source"])).read()
	    assert "err of test_fail" in open(os.path.join(sys.argv[1], a["stderr"]["source"])).read()
	    assert "log of test_fail" in open(os.path.join(sys.argv[1], a["log"]["source"])).read()
	assert res["tests/api/test_cart.py::test_pass"][0]["attachments"] == []
	EOF_PY
'

test_expect_success 'environment.properties escaped for java.util.Properties' '
	grep "^SUT=" res/environment.properties >got &&
	printf "SUT=shop =#1 \\\\u00E9\\n" >expect &&
	test_cmp expect got &&
	grep -q "^session=[0-9A-Z]\{26\}$" res/environment.properties &&
	grep -q "^host=" res/environment.properties
'

test_expect_success 'executor.json from the CI facts' '
	"$INSIGHT_PYTHON" - res/executor.json <<-\EOF_PY
	import json, sys
	e = json.load(open(sys.argv[1]))
	assert e["name"] == "GitHub Actions" and e["type"] == "github", e
	assert e["buildOrder"] == 4242 and e["buildName"] == "shop =#1 é unit #4242", e
	assert e["buildUrl"] == e["url"] == "https://github.com/acme/shop/actions/runs/4242", e
	assert "reportUrl" not in e
	EOF_PY
	insight export allure --report-url https://reports.example/shop/7/ -o res2 &&
	test "$(json_get res2/executor.json "d[\"reportUrl\"]")" = https://reports.example/shop/7/
'

test_expect_success 'categories.json: one per failure cause, matching its exact messages' '
	"$INSIGHT_PYTHON" - res/categories.json <<-\EOF_PY
	import json, re, sys
	c = json.load(open(sys.argv[1]))
	names = [x["name"] for x in c]
	assert names[-1] == "Flaky tests" and c[-1]["flaky"] is True, c
	byname = {x["name"]: x for x in c}
	a = byname["AssertionError: one is not two (at test_cart.py test_fail)"]
	assert a["matchedStatuses"] == ["failed", "broken"]
	# the \Q..\E quoting Java reads, checked here with the same literal text
	assert a["messageRegex"] == "\\QAssertionError: one is not two\\E", a
	assert "RuntimeError: fixture broke (at test_cart.py broken)" in byname
	assert len(c) == 4, names
	EOF_PY
'

test_expect_success 'read back by insight'"'"'s Allure import: the same tests and outcomes' '
	insight session import -q --sut back res >/dev/null &&
	insight --format json session show --sut "shop =#1 é" latest >a.json &&
	insight --format json session show --sut back latest >b.json &&
	for k in tests attempts failed error skipped xfailed flaky; do
		test "$(json_get a.json "[x for x in d[\"sections\"] if x[\"id\"] == \"counts\"][0][\"facts\"][\"$k\"]")" = \
		     "$(json_get b.json "[x for x in d[\"sections\"] if x[\"id\"] == \"counts\"][0][\"facts\"][\"$k\"]")" || return 1
	done &&
	test "$(json_get a.json "[x for x in d[\"sections\"] if x[\"id\"] == \"counts\"][0][\"facts\"][\"passed\"] + [x for x in d[\"sections\"] if x[\"id\"] == \"counts\"][0][\"facts\"][\"xpassed\"]")" = \
	     "$(json_get b.json "[x for x in d[\"sections\"] if x[\"id\"] == \"counts\"][0][\"facts\"][\"passed\"] + [x for x in d[\"sections\"] if x[\"id\"] == \"counts\"][0][\"facts\"][\"xpassed\"]")" &&
	insight --format json session show --outcome all --all --sut back latest >b2.json &&
	insight --format json session show --outcome all --all --sut "shop =#1 é" latest >a2.json &&
	json_get a2.json "sorted(r[\"test\"] for r in [x for x in d[\"sections\"] if x[\"id\"] == \"counts\"][0][\"tables\"][\"results\"][\"rows\"])" >ta &&
	json_get b2.json "sorted(r[\"test\"] for r in [x for x in d[\"sections\"] if x[\"id\"] == \"counts\"][0][\"tables\"][\"results\"][\"rows\"])" >tb &&
	test_cmp ta tb
'

test_expect_success '--since and --commit: every matching session in its own sub-directory' '
	(cd suite && insight -q session run --sut other -- "$INSIGHT_PYTHON" -m pytest -q \
		-p no:cacheprovider tests/api/test_cart.py::test_pass >/dev/null 2>&1) &&
	insight --format json session list >s.json &&
	json_get s.json "\"\\n\".join(sorted(r[\"id\"] for r in d[\"tables\"][\"sessions\"][\"rows\"]))" >ids &&
	insight export allure --since 1d -o all 2>err &&
	ls all >got && test_cmp ids got &&
	test_grep "wrote 3 sessions to all" err &&
	for id in $(cat ids); do test -f "all/$id/executor.json" || return 1; done &&
	insight export allure --sut other --since 2000-01-01 -o one &&
	test "$(ls one | wc -l)" = 1 &&
	test "$(ls one/*/ | grep -c -- -result.json)" = 1 &&
	test_must_fail --exit 2 insight export allure --commit 0123abcd -o none 2>err &&
	test_grep "no session matches on commit 0123abcd" err &&
	test_must_fail insight export allure --since 1d latest 2>err &&
	test_grep "not both" err &&
	! test -e none
'

test_expect_success '--history copies a report'"'"'s history/, or says there is none' '
	mkdir -p prev/history &&
	echo "{}" >prev/history/history.json &&
	echo "[]" >prev/history/history-trend.json &&
	insight export allure --history prev -o h1 &&
	test_cmp prev/history/history.json h1/history/history.json &&
	test_cmp prev/history/history-trend.json h1/history/history-trend.json &&
	insight export allure --history prev/history -o h2 &&
	test -f h2/history/history-trend.json &&
	insight export allure --history nowhere -o h3 2>err &&
	test_grep "no Allure history in nowhere" err &&
	! test -e h3/history
'

test_expect_success '-o: a new or empty directory is written; a full one is refused' '
	mkdir empty &&
	insight export allure -o empty &&
	test -f empty/executor.json &&
	before=$(ls -a) &&
	test_must_fail --exit 3 insight export allure -o res 2>../err.$$ &&
	test_grep "not empty" ../err.$$ &&
	test "$before" = "$(ls -a)" &&
	test_cmp files <(ls res) &&
	echo x >plain &&
	test_must_fail --exit 3 insight export allure -o plain 2>err &&
	test_grep "not a directory" err &&
	test_must_fail --exit 3 insight export allure -o - 2>err &&
	test_grep "a directory, not a stream" err
'

test_expect_success '--replace: replaces Allure results, never anything else' '
	old=$(ls res | grep -- -result.json | head -1) &&
	insight export allure --replace -o res 2>err &&
	test_grep "replaced the Allure results" err &&
	! test -e "res/$old" &&
	test -f res/executor.json &&
	mkdir mine && echo keep >mine/notes.txt &&
	test_must_fail --exit 3 insight export allure --replace -o mine 2>err &&
	test_grep "not Allure results" err &&
	test "$(cat mine/notes.txt)" = keep &&
	insight export allure --replace --since 1d -o all &&
	test "$(ls all | wc -l)" = 3 &&
	ln -s res link &&
	insight export allure --replace -o link &&
	test -L link && test -f res/executor.json &&
	test -z "$(ls -a | grep "insight-")"
'

test_expect_success 'an unknown session writes nothing' '
	test_must_fail insight export allure -o nothing zzzzzz 2>err &&
	! test -e nothing
'

test_done
