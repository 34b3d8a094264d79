#!/bin/bash
# t6470-publish-targets - insight publish to several targets at once:
# TestRail and Zephyr Scale each against its contract server, each on its
# own: one that fails (a refused key, a server that is gone) never stops the
# other, every target has its summary line, and the exit status is 0 only
# when every target delivered everything it mapped; --all takes the targets
# from publish.targets.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/server-lib.sh"

export INSIGHT_DB="$TRASH/h.db"
TR_KEY=TrK3y-targets-NeverLeak-1234
ZY_TOKEN=eyJ0eXAiOiJKV1QifQ.targets.NeverLeak5678

test_expect_success 'setup: a session with TestRail cases and Zephyr test cases' '
	printf "%s\n" "<testsuite name=\"s\">" \
		"<testcase classname=\"tests.test_a\" name=\"test_login_C12_SHOP-T12\" time=\"1\"/>" \
		"<testcase classname=\"tests.test_a\" name=\"test_pay_C13\" time=\"2\"><failure message=\"no\"/></testcase>" \
		"<testcase classname=\"tests.test_a\" name=\"test_cart_SHOP-T14\" time=\"3\"/>" \
		"<testcase classname=\"tests.test_a\" name=\"test_plain\" time=\"1\"/></testsuite>" >r.xml &&
	insight -q session import --sut shop r.xml
'

start_contract_server testrail --option user=ci@example.com --option key=$TR_KEY || exit 1
TR_URL=$SERVER_URL
TR_LOG=$SERVER_LOG
start_contract_server zephyr --option token=$ZY_TOKEN || exit 1
ZY_URL=$SERVER_URL
ZY_LOG=$SERVER_LOG

# insight with both targets configured; "$@" may override any of it.
both() {
	env INSIGHT_NET_TIME_SCALE=0.001 TESTRAIL_API_KEY=$TR_KEY ZEPHYR_API_TOKEN=$ZY_TOKEN \
		INSIGHT_PUBLISH_TESTRAIL_URL="$TR_URL" INSIGHT_PUBLISH_TESTRAIL_USER=ci@example.com \
		INSIGHT_PUBLISH_TESTRAIL_PROJECT_ID=1 INSIGHT_PUBLISH_TESTRAIL_SUITE_ID=2 \
		INSIGHT_PUBLISH_ZEPHYR_URL="$ZY_URL/v2" INSIGHT_PUBLISH_ZEPHYR_PROJECT_KEY=SHOP "$@"
}

posts() {
	"$INSIGHT_PYTHON" -c 'import json, sys
print(sum(1 for l in open(sys.argv[1]) if json.loads(l)["method"] == "POST"))' "$1"
}

test_expect_success 'publish testrail zephyr: both delivered, one line each, exit 0' '
	both "$INSIGHT_BIN" publish testrail zephyr >out 2>err &&
	test_grep "^testrail: delivered 2 of 2 results, 2 unmapped (run 1)$" out &&
	test_grep "^zephyr: delivered 2 of 2 results, 2 unmapped (cycle SHOP-R1)$" out &&
	test "$(grep -c "^testrail: \(delivered\|failed\)" out)" = 1 &&
	test "$(grep -c "^zephyr: \(delivered\|failed\)" out)" = 1
'

test_expect_success 'TestRail refuses its key: Zephyr is still delivered, exit 5' '
	zy_before=$(posts "$ZY_LOG") &&
	test_must_fail --exit 5 both TESTRAIL_API_KEY=wrong-key-0000 "$INSIGHT_BIN" \
		publish testrail zephyr >out 2>err &&
	test_grep "^testrail: failed: reading the suite.s cases: TestRail answered 401" out &&
	test_grep "^zephyr: delivered 2 of 2 results, 2 unmapped (cycle SHOP-R2)$" out &&
	test "$(posts "$ZY_LOG")" = $((zy_before + 3))
'

test_expect_success 'Zephyr first and gone: TestRail is still delivered, exit 5' '
	tr_before=$(posts "$TR_LOG") &&
	test_must_fail --exit 5 both INSIGHT_PUBLISH_ZEPHYR_URL=http://127.0.0.1:1/v2 \
		INSIGHT_NET_RETRIES=0 "$INSIGHT_BIN" publish zephyr testrail >out 2>err &&
	test_grep "^zephyr: failed: reading the test execution statuses: " out &&
	test_grep "^testrail: delivered 2 of 2 results, 2 unmapped (run 2)$" out &&
	test "$(posts "$TR_LOG")" = $((tr_before + 2)) &&
	head -n 3 out | grep -q "^zephyr: failed" 
'

test_expect_success 'a target without its configuration fails alone' '
	test_must_fail --exit 5 both INSIGHT_PUBLISH_ZEPHYR_PROJECT_KEY= "$INSIGHT_BIN" \
		publish testrail zephyr >out 2>err &&
	test_grep "^zephyr: failed: publish.zephyr.project-key is not set" out &&
	test_grep "^testrail: delivered 2 of 2 results" out
'

test_expect_success '--all: the targets of publish.targets, a target named twice once' '
	both INSIGHT_PUBLISH_TARGETS="zephyr, testrail" "$INSIGHT_BIN" publish --all >out &&
	test_grep "^zephyr: delivered 2 of 2 results" out &&
	test_grep "^testrail: delivered 2 of 2 results" out &&
	both "$INSIGHT_BIN" publish zephyr zephyr >out &&
	test "$(grep -c "^zephyr: delivered" out)" = 1 &&
	test_must_fail --exit 2 both INSIGHT_PUBLISH_TARGETS="testrail,jira" "$INSIGHT_BIN" \
		publish --all 2>err &&
	test_grep "not a publish target" err
'

test_expect_success 'a dry run of both sends nothing to either' '
	tr_before=$(wc -l <"$TR_LOG") && zy_before=$(wc -l <"$ZY_LOG") &&
	both "$INSIGHT_BIN" publish --dry-run testrail zephyr >out &&
	test "$(wc -l <"$TR_LOG")" = "$tr_before" && test "$(wc -l <"$ZY_LOG")" = "$zy_before" &&
	test_grep "^testrail: dry run: would send 2 results, 2 unmapped$" out &&
	test_grep "^zephyr: dry run: would send 2 results, 2 unmapped$" out &&
	for f in out h.db; do
		! grep -F -e "$TR_KEY" -e "$ZY_TOKEN" "$f" >/dev/null || { echo "a secret in $f"; return 1; }
	done
'

test_done
