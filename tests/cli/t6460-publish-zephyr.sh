#!/bin/bash
# t6460-publish-zephyr - insight publish zephyr against the Zephyr Scale
# Cloud contract server (tests/servers/routes/zephyr.py): tests mapped to
# test cases by name, property and mapping file, the project's statuses read
# and checked, a test cycle created (or --cycle), one execution per mapped
# test with its status name, executionTime, comment and environment, refused
# executions named, 429, 5xx, dropped connections, 401, a dry run that sends
# nothing, and the token in no output, trace or history.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/server-lib.sh"

export INSIGHT_DB="$TRASH/h.db"
TOKEN=eyJhbGciOiJIUzI1NiJ9.ZephyrContractToken.NeverLeakMe42

# insight with the Zephyr configuration of the latest server.
zy() {
	env INSIGHT_NET_TIME_SCALE=0.001 ZEPHYR_API_TOKEN=$TOKEN \
		INSIGHT_PUBLISH_ZEPHYR_URL="$SERVER_URL/v2" INSIGHT_PUBLISH_ZEPHYR_PROJECT_KEY=SHOP \
		"$INSIGHT_BIN" "$@"
}

# py 'code': Python over the server's log: `reqs` (each with "json"), and
# posts(path): the POSTs to that path.
py() {
	"$INSIGHT_PYTHON" - "$SERVER_LOG" "$@" <<-EOF
	import json, sys
	reqs = []
	for line in open(sys.argv[1]):
	    r = json.loads(line)
	    r["json"] = json.loads(r["body"]) if r["body"] else None
	    r["q"] = {k: v[0] for k, v in r["query"].items()}
	    reqs.append(r)
	def posts(path):
	    return [r for r in reqs if r["method"] == "POST" and r["path"] == path]
	def gets(path):
	    return [r for r in reqs if r["method"] == "GET" and r["path"] == path]
	$1
	EOF
}

test_expect_success 'setup: sessions with mapped, unmapped and refused tests' '
	git init -q repo && (cd repo && git commit -q --allow-empty -m one) &&
	git -C repo rev-parse HEAD >sha &&
	cat >shop.xml <<-\EOF &&
	<testsuite name="s">
	<testcase classname="tests.test_a" name="test_login_SHOP-T12" time="0.2"/>
	<testcase classname="tests.test_a" name="test_pay[SHOP-T13]" time="65.4"><failure message="card &lt;declined&gt;">Traceback (most recent call last):
	  File "tests/test_a.py", line 9, in test_pay
	AssertionError: card declined</failure></testcase>
	<testcase classname="tests.test_a" name="test_both[SHOP-T20, SHOP-T21]" time="3"/>
	<testcase classname="tests.test_a" name="test_skip_SHOP-T31"><skipped message="later"/></testcase>
	<testcase classname="tests.test_a" name="test_prop" time="2"><properties><property name="zephyr_test_key" value="SHOP-T14"/></properties></testcase>
	<testcase classname="tests.test_a" name="test_by_file" time="2"/>
	<testcase classname="tests.test_a" name="test_xSHOP-T99" time="1"/>
	<testcase classname="tests.test_a" name="test_nothing" time="1"/>
	</testsuite>
	EOF
	(cd repo && insight -q session import --sut shop ../shop.xml) &&
	printf "%s\n" "nodeid,key" "tests.test_a::test_by_file,SHOP-T15" >map.csv &&
	printf "%s\n" "<testsuite name=\"s\">" \
		"<testcase classname=\"tests.test_c\" name=\"test_known_SHOP-T5\" time=\"1\"/>" \
		"<testcase classname=\"tests.test_c\" name=\"test_gone_SHOP-T999\" time=\"1\"/>" \
		"<testcase classname=\"tests.test_c\" name=\"test_also_SHOP-T6\" time=\"1\"/></testsuite>" >gone.xml &&
	insight -q session import --sut gone gone.xml
'

start_contract_server zephyr --option token=$TOKEN --option page=2 || exit 1

test_expect_success 'publish zephyr: a cycle, one execution per mapped test' '
	INSIGHT_PUBLISH_ZEPHYR_ENVIRONMENT=CI zy publish --sut shop --map map.csv zephyr >out 2>err &&
	test_grep "^zephyr: unmapped: tests.test_a::test_nothing$" out &&
	test_grep "^zephyr: unmapped: tests.test_a::test_xSHOP-T99$" out &&
	test_grep "^zephyr: delivered 7 of 7 results, 2 unmapped (cycle SHOP-R1)$" out &&
	py "
sha = open(\"sha\").read().strip()
st = gets(\"/v2/statuses\")
# five statuses, two a page: three pages, startAt moving on
assert [r[\"q\"][\"startAt\"] for r in st] == [\"0\", \"2\", \"4\"], st
assert all(r[\"q\"][\"projectKey\"] == \"SHOP\" and r[\"q\"][\"statusType\"] == \"TEST_EXECUTION\" for r in st)
cyc, = posts(\"/v2/testcycles\")
assert cyc[\"json\"][\"projectKey\"] == \"SHOP\"
assert cyc[\"json\"][\"name\"].startswith(\"shop @ \" + sha[:12] + \" (insight session \"), cyc
assert cyc[\"headers\"][\"Authorization\"] == \"Bearer $TOKEN\"
ex = posts(\"/v2/testexecutions\")
got = {r[\"json\"][\"testCaseKey\"]: r[\"json\"] for r in ex}
assert len(ex) == 7 and sorted(got) == [\"SHOP-T12\", \"SHOP-T13\", \"SHOP-T14\", \"SHOP-T15\", \"SHOP-T20\", \"SHOP-T21\", \"SHOP-T31\"], got
assert all(e[\"testCycleKey\"] == \"SHOP-R1\" and e[\"projectKey\"] == \"SHOP\" and e[\"environmentName\"] == \"CI\" for e in got.values())
st = {k: e[\"statusName\"] for k, e in got.items()}
assert st == {\"SHOP-T12\": \"Pass\", \"SHOP-T13\": \"Fail\", \"SHOP-T14\": \"Pass\", \"SHOP-T15\": \"Pass\", \"SHOP-T20\": \"Pass\", \"SHOP-T21\": \"Pass\", \"SHOP-T31\": \"Not Executed\"}, st
t = {k: e.get(\"executionTime\") for k, e in got.items()}
assert t == {\"SHOP-T12\": 200, \"SHOP-T13\": 65400, \"SHOP-T14\": 2000, \"SHOP-T15\": 2000, \"SHOP-T20\": 3000, \"SHOP-T21\": 3000, \"SHOP-T31\": None}, t
c = got[\"SHOP-T13\"][\"comment\"]
assert c.startswith(\"card &lt;declined&gt;<br><br>Traceback (most recent call last):<br>  File\"), c
assert c.endswith(\"AssertionError: card declined\"), c
"
'

test_expect_success '--cycle: no cycle is made; statuses are configurable' '
	INSIGHT_PUBLISH_ZEPHYR_STATUS_SKIPPED=Blocked zy publish --sut shop --cycle SHOP-R1 zephyr >out &&
	test_grep "^zephyr: delivered 6 of 6 results, 3 unmapped (cycle SHOP-R1)$" out &&
	py "
assert len(posts(\"/v2/testcycles\")) == 1
last = posts(\"/v2/testexecutions\")[-6:]
assert [e[\"json\"][\"statusName\"] for e in last if e[\"json\"][\"testCaseKey\"] == \"SHOP-T31\"] == [\"Blocked\"]
assert all(\"environmentName\" not in e[\"json\"] for e in last)
"
'

test_expect_success 'a status the project does not have: the target fails before sending' '
	test_must_fail --exit 5 env INSIGHT_PUBLISH_ZEPHYR_STATUS_PASSED=Passed \
		ZEPHYR_API_TOKEN=$TOKEN INSIGHT_PUBLISH_ZEPHYR_URL="$SERVER_URL/v2" \
		INSIGHT_PUBLISH_ZEPHYR_PROJECT_KEY=SHOP "$INSIGHT_BIN" publish --sut shop zephyr >out &&
	test_grep "^zephyr: failed: .Passed. is not a test execution status of project SHOP (publish.zephyr.status-passed; its statuses: .Not Executed., .In Progress., .Pass., .Fail., .Blocked.); delivered 0 of 6 results" out &&
	py "assert len(posts(\"/v2/testcycles\")) == 1"
'

test_expect_success 'an unknown test case is named, the others are delivered, exit 5' '
	test_must_fail --exit 5 zy publish --sut gone zephyr >out &&
	test_grep "^zephyr: not delivered: tests.test_c::test_gone_SHOP-T999 (SHOP-T999): Test case .SHOP-T999. was not found.$" out &&
	test_grep "^zephyr: delivered 2 of 3 results, 0 unmapped, 1 refused (cycle SHOP-R2)$" out
'

test_expect_success '429 with Retry-After, 502, and dropped connections: nothing sent twice' '
	server_faults "[{\"match\": \"GET /v2/statuses\", \"status\": 502},
		{\"match\": \"POST /v2/testexecutions\", \"status\": 429, \"headers\": {\"Retry-After\": \"3\"}},
		{\"match\": \"POST /v2/testcycles\", \"kind\": \"land-then-drop\"}]" &&
	zy -vv publish --sut shop --map map.csv zephyr >out 2>err &&
	test_grep "^zephyr: delivered 7 of 7 results, 2 unmapped (cycle SHOP-R3)$" out &&
	test_grep "retry 1 of 5 in 3.000 s (Retry-After) after HTTP 429" err &&
	server_faults "[{\"match\": \"POST /v2/testexecutions\", \"kind\": \"land-then-drop\"},
		{\"match\": \"POST /v2/testexecutions\", \"kind\": \"drop\"}]" &&
	zy publish --sut shop --map map.csv zephyr >out 2>err &&
	server_faults_clear &&
	test_grep "^zephyr: delivered 7 of 7 results, 2 unmapped (cycle SHOP-R4)$" out &&
	py "
assert len(posts(\"/v2/testcycles\")) == 4
r4 = [r for r in posts(\"/v2/testexecutions\") if r[\"json\"][\"testCycleKey\"] == \"SHOP-R4\"]
assert len(r4) == 8, len(r4)  # the dropped one sent again, the landed one not
assert len(gets(\"/v2/testexecutions\")) >= 2
" &&
	"$INSIGHT_PYTHON" -c "import json, urllib.request
o = urllib.request.build_opener(urllib.request.ProxyHandler({}))
for cycle in (\"SHOP-R3\", \"SHOP-R4\"):
    n, start = 0, 0
    while True:
        req = urllib.request.Request(\"$SERVER_URL/v2/testexecutions?projectKey=SHOP&testCycle=%s&maxResults=2&startAt=%d\" % (cycle, start),
                                     headers={\"Authorization\": \"Bearer $TOKEN\"})
        page = json.load(o.open(req, timeout=10))
        n += len(page[\"values\"])
        if page[\"isLast\"]:
            break
        start += 2
    assert n == 7, (cycle, n)"
'

test_expect_success 'a cycle lost before it landed: a new cycle, not the last publish of the session' '
	server_faults "[{\"match\": \"POST /v2/testcycles\", \"kind\": \"drop\"}]" &&
	zy publish --sut shop --map map.csv zephyr >out 2>err &&
	server_faults_clear &&
	test_grep "^zephyr: delivered 7 of 7 results, 2 unmapped (cycle SHOP-R5)$" out &&
	py "
cycles = posts(\"/v2/testcycles\")
assert len(cycles) == 6, len(cycles)
a, b = cycles[-2][\"json\"], cycles[-1][\"json\"]
assert a == b, (a, b)
assert a[\"description\"] != cycles[-3][\"json\"][\"description\"]
assert not [r for r in posts(\"/v2/testexecutions\") if r[\"json\"][\"testCycleKey\"] == \"SHOP-R4\"][8:]
assert len([r for r in posts(\"/v2/testexecutions\") if r[\"json\"][\"testCycleKey\"] == \"SHOP-R5\"]) == 7
"
'

test_expect_success '401: one clear line, exit 5' '
	test_must_fail --exit 5 env ZEPHYR_API_TOKEN=wrong.token.0000 \
		INSIGHT_PUBLISH_ZEPHYR_URL="$SERVER_URL/v2" INSIGHT_PUBLISH_ZEPHYR_PROJECT_KEY=SHOP \
		"$INSIGHT_BIN" publish --sut shop zephyr >out &&
	test_grep "^zephyr: failed: reading the test execution statuses: Zephyr answered 401: Authentication failed: the bearer token is not valid. (check the API token in ZEPHYR_API_TOKEN); delivered 0 of 6 results, 3 unmapped$" out &&
	test_must_fail --exit 5 env -u ZEPHYR_API_TOKEN INSIGHT_PUBLISH_ZEPHYR_PROJECT_KEY=SHOP \
		"$INSIGHT_BIN" publish --sut shop zephyr >out &&
	test_grep "^zephyr: failed: no Zephyr Scale API token: set ZEPHYR_API_TOKEN$" out
'

test_expect_success '--dry-run sends nothing and prints every request' '
	before=$(py "print(len(reqs))") &&
	zy publish --dry-run --sut shop zephyr >out 2>err &&
	test "$(py "print(len(reqs))")" = "$before" &&
	test_grep "^GET $SERVER_URL/v2/statuses?projectKey=SHOP&statusType=TEST_EXECUTION&maxResults=1000&startAt=0$" out &&
	test_grep "^POST $SERVER_URL/v2/testcycles$" out &&
	test "$(grep -c "^POST $SERVER_URL/v2/testexecutions$" out)" = 6 &&
	test_grep "^Authorization: Bearer \*\*\*$" out &&
	test_grep "^zephyr: dry run: would send 6 results, 3 unmapped$" out
'

test_expect_success 'the token is in no output, no trace, no dry run, not in the history' '
	zy -vv publish --sut shop zephyr >out 2>err &&
	zy publish --dry-run --sut shop zephyr >dry 2>err2 &&
	for f in out err dry err2 h.db; do
		if grep -F -e "$TOKEN" "$f" >/dev/null; then
			echo "the token is in $f"; return 1
		fi
	done
'

test_done
