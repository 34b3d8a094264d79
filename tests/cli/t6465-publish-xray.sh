#!/bin/bash
# t6465-publish-xray - insight publish xray against the Xray Cloud contract
# server (tests/servers/routes/xray.py): authenticate, then the session's
# JUnit export imported into a new Test Execution with its summary
# (multipart) or into an existing one (testExecKey), every test sent, a
# refused secret and an unknown Test Execution in one line, a 502 retried,
# a dry run that sends nothing, and the secret and token in no output.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/server-lib.sh"

export INSIGHT_DB="$TRASH/h.db"
SECRET=xray-Secret-c0ntract-NeverLeak-77

test_expect_success 'setup: a session of four tests' '
	printf "%s\n" "<testsuite name=\"s\">" \
		"<testcase classname=\"tests.test_a\" name=\"test_login\" time=\"1\"/>" \
		"<testcase classname=\"tests.test_a\" name=\"test_pay\" time=\"2\"><failure message=\"no\">trace</failure></testcase>" \
		"<testcase classname=\"tests.test_a\" name=\"test_skip\"><skipped/></testcase>" \
		"<testcase classname=\"tests.test_b\" name=\"test_cart\" time=\"3\"/></testsuite>" >r.xml &&
	insight -q session import --sut shop r.xml
'

start_contract_server xray --option client_id=CID42 --option client_secret=$SECRET || exit 1

xr() {
	env INSIGHT_NET_TIME_SCALE=0.001 XRAY_CLIENT_SECRET=$SECRET \
		INSIGHT_PUBLISH_XRAY_URL="$SERVER_URL" INSIGHT_PUBLISH_XRAY_CLIENT_ID=CID42 \
		INSIGHT_PUBLISH_XRAY_PROJECT_KEY=SHOP "$INSIGHT_BIN" "$@"
}

imports() {
	"$INSIGHT_PYTHON" -c 'import json, sys, urllib.request
o = urllib.request.build_opener(urllib.request.ProxyHandler({}))
print(json.dumps(json.load(o.open(sys.argv[1] + "/__imports", timeout=10))))' "$SERVER_URL"
}

test_expect_success 'a new Test Execution with its summary, every test imported' '
	xr publish xray >out 2>err &&
	test_grep "^xray: delivered 4 of 4 results, 0 unmapped (test execution SHOP-101)$" out &&
	imports >imports.json &&
	"$INSIGHT_PYTHON" - imports.json "$SERVER_LOG" <<-\EOF
	import json, sys
	imp, = json.load(open(sys.argv[1]))
	assert imp["key"] == "SHOP-101" and imp["project"] == "SHOP", imp
	assert imp["summary"].startswith("shop (insight session "), imp
	assert sorted(imp["tests"]) == ["tests.test_a::test_login", "tests.test_a::test_pay",
	                                "tests.test_a::test_skip", "tests.test_b::test_cart"], imp
	reqs = [json.loads(l) for l in open(sys.argv[2])]
	reqs = [r for r in reqs if r["path"] != "/__imports"]
	assert [r["path"] for r in reqs] == ["/api/v2/authenticate",
	                                     "/api/v2/import/execution/junit/multipart"], reqs
	assert reqs[1]["headers"]["Authorization"].startswith("Bearer xray.")
	EOF
'

test_expect_success '--test-exec: into an existing Test Execution; publish.xray.summary' '
	xr publish --test-exec SHOP-100 xray >out &&
	test_grep "^xray: delivered 4 of 4 results, 0 unmapped (test execution SHOP-100)$" out &&
	INSIGHT_PUBLISH_XRAY_SUMMARY="Nightly shop" xr publish xray >out &&
	test_grep "(test execution SHOP-102)$" out &&
	imports >imports.json &&
	"$INSIGHT_PYTHON" - imports.json "$SERVER_LOG" <<-\EOF
	import json, sys
	imps = json.load(open(sys.argv[1]))
	assert imps[1]["testExecKey"] == "SHOP-100" and imps[1]["project"] == "SHOP", imps[1]
	assert imps[2]["summary"] == "Nightly shop", imps[2]
	reqs = [json.loads(l) for l in open(sys.argv[2])]
	plain = [r for r in reqs if r["path"] == "/api/v2/import/execution/junit"]
	assert plain[0]["query"] == {"projectKey": ["SHOP"], "testExecKey": ["SHOP-100"]}, plain
	assert plain[0]["headers"]["Content-Type"] == "application/xml"
	assert plain[0]["body"].startswith("<?xml"), plain[0]["body"][:50]
	EOF
'

test_expect_success 'an unknown Test Execution, a refused secret: one line each, exit 5' '
	test_must_fail --exit 5 xr publish --test-exec SHOP-999 xray >out &&
	test_grep "^xray: failed: importing the JUnit results: Xray answered 400: Test Execution with key SHOP-999 not found.; delivered 0 of 4 results, 0 unmapped$" out &&
	test_must_fail --exit 5 env XRAY_CLIENT_SECRET=wrong-secret-000 \
		INSIGHT_PUBLISH_XRAY_URL="$SERVER_URL" INSIGHT_PUBLISH_XRAY_CLIENT_ID=CID42 \
		INSIGHT_PUBLISH_XRAY_PROJECT_KEY=SHOP "$INSIGHT_BIN" publish xray >out &&
	test_grep "^xray: failed: authenticating: Xray answered 401: Authentication failed. Invalid client credentials! (check publish.xray.client-id and the secret in XRAY_CLIENT_SECRET)" out &&
	test_must_fail --exit 5 env -u XRAY_CLIENT_SECRET INSIGHT_PUBLISH_XRAY_CLIENT_ID=CID42 \
		INSIGHT_PUBLISH_XRAY_PROJECT_KEY=SHOP "$INSIGHT_BIN" publish xray >out &&
	test_grep "^xray: failed: no Xray client secret: set XRAY_CLIENT_SECRET$" out
'

test_expect_success 'a 502 on the import is not repeated blindly (it may have landed)' '
	server_faults "[{\"match\": \"POST /api/v2/authenticate\", \"status\": 503},
		{\"match\": \"POST /api/v2/import\", \"status\": 502}]" &&
	test_must_fail --exit 5 xr publish xray >out 2>err &&
	server_faults_clear &&
	test_grep "^xray: failed: importing the JUnit results: Xray answered 502: Bad gateway. (it may have been imported all the same: look in Jira before publishing again); delivered 0 of 4 results" out &&
	"$INSIGHT_PYTHON" -c "import json, sys
reqs = [json.loads(l) for l in open(sys.argv[1])]
auth = [r for r in reqs if r[\"path\"] == \"/api/v2/authenticate\"]
imp = [r for r in reqs if r[\"path\"].startswith(\"/api/v2/import\")]
# before: 5 authentications, 4 imports; then the 503 retried, the 502 not
assert len(auth) == 5 + 2, len(auth)
assert len(imp) == 4 + 1, len(imp)" "$SERVER_LOG"
'

test_expect_success '--dry-run sends nothing; the secret is in no output, trace or history' '
	before=$(wc -l <"$SERVER_LOG") &&
	xr publish --dry-run xray >dry 2>err &&
	test "$(wc -l <"$SERVER_LOG")" = "$before" &&
	test_grep "^POST $SERVER_URL/api/v2/authenticate$" dry &&
	test_grep "^POST $SERVER_URL/api/v2/import/execution/junit/multipart$" dry &&
	test_grep "^xray: dry run: would send 4 results, 0 unmapped$" dry &&
	xr -vv publish xray >out 2>trace &&
	for f in dry err out trace h.db; do
		if grep -F -e "$SECRET" -e "Bearer xray." "$f" >/dev/null; then
			echo "a secret in $f"; return 1
		fi
	done
'

test_done
