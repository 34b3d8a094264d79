#!/bin/bash
# t6450-publish-testrail - insight publish testrail against the TestRail
# contract server (tests/servers/routes/testrail.py): tests mapped to cases
# by name, property and mapping file, the suite's cases read page by page, a
# run created with include_all false and the mapped cases, results in
# batches with TestRail's status ids, elapsed and version, unmapped tests
# listed, refused results named one by one, --run-id and --close-run, 429,
# 5xx, dropped connections, 401, an old server's bare arrays, a dry run that
# sends nothing, and the API key in no output, trace or history.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/server-lib.sh"

export INSIGHT_DB="$TRASH/h.db"
KEY=TrK3y-c0ntract-Sh0uldNeverLeak-9f8e
USER_MAIL=ci@example.com

# insight with the TestRail configuration of the latest server.
tr() {
	env INSIGHT_NET_TIME_SCALE=0.001 TESTRAIL_API_KEY=$KEY \
		INSIGHT_PUBLISH_TESTRAIL_URL="$SERVER_URL/" INSIGHT_PUBLISH_TESTRAIL_USER=$USER_MAIL \
		INSIGHT_PUBLISH_TESTRAIL_PROJECT_ID=1 INSIGHT_PUBLISH_TESTRAIL_SUITE_ID=2 \
		"$INSIGHT_BIN" "$@"
}

# py 'code': Python over the server's log: `reqs` (every request, in order,
# each with "call": the API method and its id, "params" and "json").
py() {
	"$INSIGHT_PYTHON" - "$SERVER_LOG" "$@" <<-EOF
	import json, sys
	reqs = []
	for line in open(sys.argv[1]):
	    r = json.loads(line)
	    call = [k for k in r["query"] if k.startswith("/api/v2/")]
	    r["call"] = call[0][len("/api/v2/"):] if call else None
	    r["params"] = {k: v[0] for k, v in r["query"].items() if not k.startswith("/api/v2/")}
	    r["json"] = json.loads(r["body"]) if r["body"] else None
	    reqs.append(r)
	def calls(prefix):
	    return [r for r in reqs if r["call"] and r["call"].startswith(prefix)]
	$1
	EOF
}

test_expect_success 'setup: a repository, sessions with mapped, unmapped and refused tests' '
	git init -q repo && (cd repo && git commit -q --allow-empty -m one) &&
	SHA=$(git -C repo rev-parse HEAD) && echo "$SHA" >sha &&
	cat >shop.xml <<-\EOF &&
	<testsuite name="s">
	<testcase classname="tests.test_a" name="test_login_C12" time="0.2"/>
	<testcase classname="tests.test_a" name="test_pay[C13]" time="65.4"><failure message="card declined">Traceback (most recent call last):
	  File "tests/test_a.py", line 9, in test_pay
	AssertionError: card declined</failure></testcase>
	<testcase classname="tests.test_a" name="test_both[C20, C21]" time="3725"/>
	<testcase classname="tests.test_a" name="test_err_C30" time="1.5"><error message="no db"/></testcase>
	<testcase classname="tests.test_a" name="test_skip_C31"><skipped message="later"/></testcase>
	<testcase classname="tests.test_a" name="test_prop" time="2"><properties><property name="testrail_case_id" value="C14"/></properties></testcase>
	<testcase classname="tests.test_a" name="test_mapped_by_file" time="2"/>
	<testcase classname="tests.test_a" name="test_ABC123" time="1"/>
	<testcase classname="tests.test_a" name="test_nothing" time="1"/>
	</testsuite>
	EOF
	(cd repo && insight -q session import --sut shop ../shop.xml) &&
	printf "%s\n" "nodeid,case_id" "tests.test_a::test_mapped_by_file,C15" \
		"\"tests.test_a::test_nothing[a,b]\",16" >map.csv &&
	{
		echo "<testsuite name=\"big\">" &&
		for i in $(seq 1 120); do
			echo "<testcase classname=\"tests.test_big\" name=\"test_C$i\" time=\"0.01\"/>"
		done &&
		echo "</testsuite>"
	} >big.xml &&
	insight -q session import --sut big big.xml &&
	printf "%s\n" "<testsuite name=\"s\">" \
		"<testcase classname=\"tests.test_c\" name=\"test_known_C5\" time=\"1\"/>" \
		"<testcase classname=\"tests.test_c\" name=\"test_gone_C999\" time=\"1\"/>" \
		"<testcase classname=\"tests.test_c\" name=\"test_also_C6\" time=\"1\"/></testsuite>" >gone.xml &&
	insight -q session import --sut gone gone.xml
'

start_contract_server testrail --option user=$USER_MAIL --option key=$KEY --option page=50 || exit 1

test_expect_success 'publish testrail: a run of the mapped cases, every mapped result delivered' '
	tr publish --sut shop --map map.csv testrail >out 2>err &&
	test_grep "^testrail: unmapped: tests.test_a::test_ABC123$" out &&
	test_grep "^testrail: unmapped: tests.test_a::test_nothing$" out &&
	test_grep "^testrail: delivered 8 of 8 results, 2 unmapped (run 1)$" out &&
	py "
sha = open(\"sha\").read().strip()
cases = calls(\"get_cases/\")
# 300 cases, 50 a page: six pages, following _links.next
assert [r[\"params\"].get(\"offset\") for r in cases] == [None, \"50\", \"100\", \"150\", \"200\", \"250\"], cases
assert all(r[\"params\"][\"suite_id\"] == \"2\" and r[\"method\"] == \"GET\" for r in cases)
run, = calls(\"add_run/\")
assert run[\"call\"] == \"add_run/1\" and run[\"method\"] == \"POST\"
b = run[\"json\"]
assert b[\"include_all\"] is False and b[\"suite_id\"] == 2, b
assert b[\"case_ids\"] == [12, 13, 14, 15, 20, 21, 30, 31], b
assert b[\"name\"].startswith(\"shop @ \" + sha[:12] + \" (insight session \"), b
assert run[\"headers\"][\"Content-Type\"].startswith(\"application/json\")
res, = calls(\"add_results_for_cases/\")
assert res[\"call\"] == \"add_results_for_cases/1\"
got = {r[\"case_id\"]: r for r in res[\"json\"][\"results\"]}
assert sorted(got) == [12, 13, 14, 15, 20, 21, 30, 31], got
st = {c: r[\"status_id\"] for c, r in got.items()}
assert st == {12: 1, 13: 5, 14: 1, 15: 1, 20: 1, 21: 1, 30: 5, 31: 2}, st
el = {c: r.get(\"elapsed\") for c, r in got.items()}
assert el == {12: \"1s\", 13: \"1m 5s\", 14: \"2s\", 15: \"2s\", 20: \"1h 2m 5s\", 21: \"1h 2m 5s\", 30: \"2s\", 31: None}, el
assert all(r[\"version\"] == sha for r in got.values())
c = got[13][\"comment\"]
assert c.startswith(\"card declined\\n\\nTraceback (most recent call last):\"), c
assert c.endswith(\"AssertionError: card declined\"), c
assert got[31][\"comment\"] == \"later\", got[31]
"
'

test_expect_success 'the results are in the run; --close-run closes a new run' '
	tr publish --sut shop --map map.csv --close-run testrail >out &&
	test_grep "^testrail: delivered 8 of 8 results, 2 unmapped (run 2)$" out &&
	py "
close, = calls(\"close_run/\")
assert close[\"call\"] == \"close_run/2\" and close[\"method\"] == \"POST\", close
" &&
	tr publish --sut shop --map map.csv --run-id 2 testrail >out2 2>err2;
	test $? = 5 &&
	test_grep "^testrail: failed: run 2 is closed: TestRail takes no more results in it; delivered 0 of 8 results, 2 unmapped$" out2
'

test_expect_success 'results go out in batches of 50 (publish.testrail.batch-size)' '
	tr publish --sut big testrail >out &&
	test_grep "^testrail: delivered 120 of 120 results, 0 unmapped (run 3)$" out &&
	py "
sizes = [len(r[\"json\"][\"results\"]) for r in calls(\"add_results_for_cases/3\")]
assert sizes == [50, 50, 20], sizes
" &&
	INSIGHT_PUBLISH_TESTRAIL_BATCH_SIZE=100 tr publish --sut big testrail >out &&
	py "
sizes = [len(r[\"json\"][\"results\"]) for r in calls(\"add_results_for_cases/4\")]
assert sizes == [100, 20], sizes
"
'

test_expect_success 'a case that is not in the suite is named, the others are delivered, exit 5' '
	test_must_fail --exit 5 tr publish --sut gone testrail >out 2>err &&
	test_grep "^testrail: not delivered: tests.test_c::test_gone_C999 (C999): the case is not in suite 2$" out &&
	test_grep "^testrail: delivered 2 of 3 results, 0 unmapped, 1 refused (run 5)$" out &&
	py "
run = calls(\"add_run/\")[-1]
assert run[\"json\"][\"case_ids\"] == [5, 6], run
res = calls(\"add_results_for_cases/5\")
assert [r[\"case_id\"] for q in res for r in q[\"json\"][\"results\"]] == [6, 5]
"
'

test_expect_success '--run-id: the run'"'"'s tests are read, no run is made, a case outside it is named' '
	n=$(py "print(len(calls(\"add_run/\")))") &&
	test_must_fail --exit 5 tr publish --sut shop --run-id 5 testrail >out &&
	test_grep "^testrail: unmapped: tests.test_a::test_mapped_by_file$" out &&
	test_grep "^testrail: not delivered: tests.test_a::test_login_C12 (C12): the case is not in run 5$" out &&
	test_grep "^testrail: delivered 0 of 7 results, 3 unmapped, 7 refused$" out &&
	test "$(py "print(len(calls(\"add_run/\")))")" = "$n" &&
	py "assert calls(\"get_tests/5\"), reqs[-3:]"
'

test_expect_success 'a batch TestRail refuses (400) is sent again one result a request' '
	server_faults "[{\"match\": \"POST /index.php.*add_results_for_cases\", \"times\": 2,
		\"status\": 400, \"body\": {\"error\": \"Field :results contains an invalid case ID (C12) or a case that is not part of the test run.\"}}]" &&
	before=$(py "print(len(reqs))") &&
	test_must_fail --exit 5 tr publish --sut shop --map map.csv testrail >out &&
	server_faults_clear &&
	test_grep "^testrail: not delivered: tests.test_a::test_both\[C20, C21\] (C20): Field :results contains an invalid case ID (C12)" out &&
	test_grep "^testrail: delivered 7 of 8 results, 2 unmapped, 1 refused (run 6)$" out &&
	py "
posts = [r for r in reqs[$before:] if r[\"call\"] == \"add_results_for_cases/6\"]
assert [len(r[\"json\"][\"results\"]) for r in posts] == [8] + [1] * 8, posts
"
'

test_expect_success '429 with Retry-After and 502 are retried; nothing is sent twice' '
	server_faults "[{\"match\": \"GET /index.php.*get_cases\", \"times\": 2, \"status\": 502},
		{\"match\": \"POST /index.php.*add_results_for_cases\", \"status\": 429,
		 \"headers\": {\"Retry-After\": \"7\"}}]" &&
	tr -vv publish --sut shop --map map.csv testrail >out 2>err &&
	server_faults_clear &&
	test_grep "^testrail: delivered 8 of 8 results, 2 unmapped (run 7)$" out &&
	test_grep "retry 1 of 5 in 7.000 s (Retry-After) after HTTP 429" err &&
	py "
res = calls(\"add_results_for_cases/7\")
assert len(res) == 2, res
" &&
	"$INSIGHT_PYTHON" -c "import json, sys, urllib.request, base64
h = {\"Authorization\": \"Basic \" + base64.b64encode(b\"$USER_MAIL:$KEY\").decode()}
o = urllib.request.build_opener(urllib.request.ProxyHandler({}))
req = urllib.request.Request(\"$SERVER_URL/index.php?/api/v2/get_results_for_run/7&limit=250\", headers=h)
assert json.load(o.open(req, timeout=10))[\"size\"] == 8"
'

test_expect_success 'a dropped connection: results counted first, then sent again or not' '
	server_faults "[{\"match\": \"POST /index.php.*add_results_for_cases\", \"kind\": \"drop\"}]" &&
	tr publish --sut shop --map map.csv testrail >out &&
	test_grep "^testrail: delivered 8 of 8 results, 2 unmapped (run 8)$" out &&
	py "
assert len(calls(\"add_results_for_cases/8\")) == 2
assert calls(\"get_results_for_run/8\")
" &&
	server_faults "[{\"match\": \"POST /index.php.*add_results_for_cases\", \"kind\": \"land-then-drop\"},
		{\"match\": \"POST /index.php.*add_run\", \"kind\": \"land-then-drop\"}]" &&
	tr publish --sut shop --map map.csv testrail >out &&
	server_faults_clear &&
	test_grep "^testrail: delivered 8 of 8 results, 2 unmapped (run 9)$" out &&
	py "
assert len(calls(\"add_run/\")) == 9
assert calls(\"get_runs/1\")
assert len(calls(\"add_results_for_cases/9\")) == 1
assert len(calls(\"get_results_for_run/9\")) == 1
"
'

test_expect_success 'a run lost before it landed: a new run, not the last publish of the session' '
	server_faults "[{\"match\": \"POST /index.php.*add_run\", \"kind\": \"drop\"}]" &&
	tr publish --sut shop --map map.csv testrail >out &&
	server_faults_clear &&
	test_grep "^testrail: delivered 8 of 8 results, 2 unmapped (run 10)$" out &&
	py "
assert len(calls(\"add_run/\")) == 11
assert len(calls(\"add_results_for_cases/9\")) == 1   # the run of the publish before: untouched
assert len(calls(\"add_results_for_cases/10\")) == 1
runs = calls(\"add_run/\")
a, b = runs[-2][\"json\"], runs[-1][\"json\"]
assert a[\"name\"] == b[\"name\"] and a[\"description\"] == b[\"description\"], (a, b)
assert a[\"description\"] != runs[-3][\"json\"][\"description\"]   # each publish its own id
assert \" Publish \" in a[\"description\"]
"
'

test_expect_success '401: one clear line, exit 5' '
	test_must_fail --exit 5 env TESTRAIL_API_KEY=wrong-key-0000 \
		INSIGHT_PUBLISH_TESTRAIL_URL="$SERVER_URL" INSIGHT_PUBLISH_TESTRAIL_USER=$USER_MAIL \
		INSIGHT_PUBLISH_TESTRAIL_PROJECT_ID=1 INSIGHT_PUBLISH_TESTRAIL_SUITE_ID=2 \
		"$INSIGHT_BIN" publish --sut shop testrail >out 2>err &&
	test_grep "^testrail: failed: reading the suite.s cases: TestRail answered 401: Authentication failed: invalid or missing user/password or session cookie. (check publish.testrail.user and the API key in TESTRAIL_API_KEY); delivered 0 of 7 results, 3 unmapped$" out
'

test_expect_success 'missing configuration: the key to set is named' '
	test_must_fail --exit 5 env -u TESTRAIL_API_KEY INSIGHT_PUBLISH_TESTRAIL_URL="$SERVER_URL" \
		INSIGHT_PUBLISH_TESTRAIL_USER=$USER_MAIL INSIGHT_PUBLISH_TESTRAIL_PROJECT_ID=1 \
		"$INSIGHT_BIN" publish --sut shop testrail >out &&
	test_grep "^testrail: failed: no TestRail API key: set TESTRAIL_API_KEY$" out &&
	test_must_fail --exit 5 env TESTRAIL_API_KEY=$KEY "$INSIGHT_BIN" publish testrail >out &&
	test_grep "^testrail: failed: publish.testrail.url is not set" out &&
	test_must_fail --exit 2 tr publish testrial 2>err &&
	test_grep "did you mean .testrail." err &&
	test_must_fail --exit 2 tr publish 2>err &&
	test_grep "publish needs a target" err &&
	test_must_fail --exit 2 tr publish --all 2>err &&
	test_grep "publish.targets is not set" err &&
	test_must_fail --exit 2 tr --format json publish testrail 2>err &&
	insight __complete publish "" >out &&
	test_grep "^testrail$" out &&
	INSIGHT_PUBLISH_TARGETS=testrail tr publish --all --sut big >out &&
	test_grep "^testrail: delivered 120 of 120 results" out
'

test_expect_success '--dry-run sends nothing, not even a GET, and prints every request' '
	before=$(py "print(len(reqs))") &&
	tr publish --dry-run --sut shop --map map.csv --close-run testrail >out 2>err &&
	test "$(py "print(len(reqs))")" = "$before" &&
	test_grep "^GET $SERVER_URL/index.php?/api/v2/get_cases/1&suite_id=2$" out &&
	test_grep "^POST $SERVER_URL/index.php?/api/v2/add_run/1$" out &&
	test_grep "^POST $SERVER_URL/index.php?/api/v2/add_results_for_cases/" out &&
	test_grep "^POST $SERVER_URL/index.php?/api/v2/close_run/" out &&
	test_grep "^Authorization: Basic \*\*\*$" out &&
	test_grep "\"include_all\":false" out &&
	test_grep "^testrail: dry run: would send 8 results, 2 unmapped$" out
'

start_contract_server testrail --option user=$USER_MAIL --option key=$KEY --option bare=1 || exit 1

test_expect_success 'an old server: bare arrays, no pages' '
	tr publish --sut shop testrail >out &&
	test_grep "^testrail: delivered 7 of 7 results, 3 unmapped (run 1)$" out &&
	py "assert len(calls(\"get_cases/\")) == 1"
'

test_expect_success 'the API key is in no output, no trace, no dry run, not in the history' '
	tr -vv publish --sut shop --map map.csv testrail >out 2>err &&
	test_grep "Authorization: Basic \*\*\*" err &&
	tr publish --dry-run --sut shop testrail >dry 2>err2 &&
	b64=$(printf "%s" "$USER_MAIL:$KEY" | base64 -w0) &&
	for f in out err dry err2 h.db; do
		if grep -F -e "$KEY" -e "$b64" "$f" >/dev/null; then
			echo "the key is in $f"; return 1
		fi
	done
'

test_done
