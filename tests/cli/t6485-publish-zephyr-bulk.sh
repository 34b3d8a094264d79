#!/bin/bash
# t6485-publish-zephyr-bulk - insight publish --bulk zephyr against the
# Zephyr Scale contract server: the session's JUnit export zipped (the
# server unzips it with Python's zipfile, checks the CRC and parses the XML)
# and uploaded as multipart/form-data to automations/executions/junit with
# the cycle's name; the executions Zephyr makes from it; publish.zephyr.bulk;
# a dry run that lists the parts and sends nothing; 401, 400 and a dropped
# connection after the upload landed (not sent twice); --cycle refused with
# --bulk; the token in no output, trace or history.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/server-lib.sh"

export INSIGHT_DB="$TRASH/h.db"
TOKEN=eyJhbGciOiJIUzI1NiJ9.ZephyrBulkToken.NeverLeakMe77

zy() {
	env INSIGHT_NET_TIME_SCALE=0.001 ZEPHYR_API_TOKEN=$TOKEN \
		INSIGHT_PUBLISH_ZEPHYR_URL="$SERVER_URL/v2" INSIGHT_PUBLISH_ZEPHYR_PROJECT_KEY=SHOP \
		"$INSIGHT_BIN" "$@"
}

# state PATH: the server's JSON answer to GET PATH (with the token).
state() {
	"$INSIGHT_PYTHON" -c 'import sys, urllib.request
h = urllib.request.ProxyHandler({})
req = urllib.request.Request(sys.argv[1] + sys.argv[2],
                             headers={"Authorization": "Bearer " + sys.argv[3]})
print(urllib.request.build_opener(h).open(req, timeout=10).read().decode())' \
		"$SERVER_URL/v2" "$1" "$TOKEN"
}

uploads() {
	server_count 'r["method"] == "POST" and r["path"] == "/v2/automations/executions/junit"'
}

test_expect_success 'setup: a session of tests named with test case keys, and one without' '
	cat >shop.xml <<-\EOF &&
	<testsuite name="s">
	<testcase classname="tests.test_a" name="test_login_SHOP-T12" time="0.2"/>
	<testcase classname="tests.test_a" name="test_pay[SHOP-T13]" time="65.4"><failure message="card &lt;declined&gt;">Traceback (most recent call last):
	  File "tests/test_a.py", line 9, in test_pay
	AssertionError: card declined</failure></testcase>
	<testcase classname="tests.test_a" name="test_skip_SHOP-T31"><skipped message="later"/></testcase>
	<testcase classname="tests.test_a" name="test_nothing" time="1"/>
	</testsuite>
	EOF
	insight -q session import --sut shop shop.xml
'

start_contract_server zephyr --option token=$TOKEN || exit 1

test_expect_success '--bulk: one upload of the zipped JUnit export; Zephyr makes the cycle and the executions' '
	zy publish --bulk zephyr >out 2>err &&
	test_grep "^zephyr: delivered 4 of 4 results, 0 unmapped (cycle SHOP-R1)$" out &&
	test "$(uploads)" = 1 &&
	test "$(server_count)" = 1 &&
	server_requests >reqs &&
	test_grep "projectKey=SHOP" reqs && test_grep "autoCreateTestCases=false" reqs &&
	state "/testexecutions?projectKey=SHOP&testCycle=SHOP-R1&maxResults=100" >ex.json &&
	state "/testcycles?projectKey=SHOP" >cy.json &&
	sid=$(insight --format json session show latest | "$INSIGHT_PYTHON" -c "import json,sys; print(json.load(sys.stdin)[\"facts\"][\"id\"])") &&
	"$INSIGHT_PYTHON" - ex.json cy.json "$sid" <<-\EOF
	import json, sys
	ex = json.load(open(sys.argv[1]))["values"]
	got = sorted((e["testCase"]["key"], e["statusName"], e["executionTime"]) for e in ex)
	assert got == [("SHOP-T12", "Pass", 200), ("SHOP-T13", "Fail", 65400),
	               ("SHOP-T31", "Not Executed", 0)], got
	cy = json.load(open(sys.argv[2]))["values"]
	assert len(cy) == 1 and sys.argv[3] in cy[0]["name"] and cy[0]["name"].startswith("shop"), cy
	assert sys.argv[3] in cy[0]["description"], cy
	EOF
'

test_expect_success 'the upload is multipart/form-data: a zip of one JUnit file, and the cycle as JSON' '
	"$INSIGHT_PYTHON" - "$SERVER_LOG" <<-\EOF
	import json, sys
	r = [json.loads(l) for l in open(sys.argv[1])][0]
	assert r["headers"]["Content-Type"].startswith("multipart/form-data; boundary="), r["headers"]
	assert "name=\"file\"; filename=\"junit.zip\"" in r["body"], r["body"][:400]
	assert "Content-Type: application/zip" in r["body"]
	assert "name=\"testCycle\"" in r["body"] and "Content-Type: application/json" in r["body"]
	EOF
'

test_expect_success 'publish.zephyr.bulk = true does the same without the option' '
	: >"$SERVER_LOG" &&
	INSIGHT_PUBLISH_ZEPHYR_BULK=true zy publish zephyr >out 2>err &&
	test_grep "^zephyr: delivered 4 of 4 results, 0 unmapped (cycle SHOP-R2)$" out &&
	test "$(uploads)" = 1 && test "$(server_count)" = 1
'

test_expect_success 'a dry run lists the two parts, the zip by its size, and sends nothing' '
	: >"$SERVER_LOG" &&
	zy publish --dry-run --bulk zephyr >out 2>err &&
	test "$(wc -l <"$SERVER_LOG")" = 0 &&
	test_grep "^POST $SERVER_URL/v2/automations/executions/junit?projectKey=SHOP&autoCreateTestCases=false$" out &&
	test_grep "^Content-Type: multipart/form-data$" out &&
	test_grep "^\[part file, file junit.zip, application/zip, [0-9]* bytes\]$" out &&
	test_grep "^\[part testCycle, application/json, [0-9]* bytes\]$" out &&
	test_grep "^{\"name\":\"shop (insight session " out &&
	test_grep "^zephyr: dry run: would send 4 results, 0 unmapped$" out &&
	! grep -q "$(printf "PK\003\004")" out &&
	test_grep "^Authorization: Bearer \*\*\*$" out
'

test_expect_success '--bulk with --cycle is a usage error, before anything is sent' '
	: >"$SERVER_LOG" &&
	test_must_fail --exit 2 zy publish --bulk --cycle SHOP-R1 zephyr >out 2>err &&
	test_line_count = 1 err && test_grep "does not go with --cycle" err &&
	test "$(wc -l <"$SERVER_LOG")" = 0
'

test_expect_success '401 and 400 fail the target with the server'"'"'s reason; exit 5' '
	test_must_fail --exit 5 env ZEPHYR_API_TOKEN=wrong-token-000000 \
		INSIGHT_PUBLISH_ZEPHYR_URL="$SERVER_URL/v2" INSIGHT_PUBLISH_ZEPHYR_PROJECT_KEY=SHOP \
		"$INSIGHT_BIN" publish --bulk zephyr >out 2>err &&
	test_grep "^zephyr: failed: uploading the JUnit results: Zephyr answered 401: Authentication failed" out &&
	test_grep "check the API token in ZEPHYR_API_TOKEN" out &&
	test_must_fail --exit 5 env INSIGHT_NET_TIME_SCALE=0.001 ZEPHYR_API_TOKEN=$TOKEN \
		INSIGHT_PUBLISH_ZEPHYR_URL="$SERVER_URL/v2" INSIGHT_PUBLISH_ZEPHYR_PROJECT_KEY=NOPE \
		"$INSIGHT_BIN" publish --bulk zephyr >out 2>err &&
	test_grep "^zephyr: failed: uploading the JUnit results: Zephyr answered 400: Project .NOPE. was not found" out
'

test_expect_success 'an upload that landed before the connection dropped is not sent again' '
	: >"$SERVER_LOG" &&
	server_faults "[{\"match\": \"POST /v2/automations/executions/junit\", \"kind\": \"land-then-drop\"}]" &&
	zy publish --bulk zephyr >out 2>err &&
	server_faults_clear &&
	test "$(uploads)" = 1 &&
	test_grep "^zephyr: delivered 4 of 4 results, 0 unmapped (cycle SHOP-R3)$" out &&
	state "/testexecutions?projectKey=SHOP&testCycle=SHOP-R3&maxResults=100" >ex.json &&
	json_get ex.json "len(d[\"values\"])" >n && echo 3 >expect && test_cmp expect n
'

test_expect_success 'the token is in no output, trace or history' '
	zy -vv publish --bulk zephyr >out 2>err &&
	zy publish --dry-run --bulk zephyr >>out 2>>err &&
	! grep -F "$TOKEN" out err h.db &&
	! grep -F "ZephyrBulkToken" out err h.db
'

test_done
