#!/bin/bash
# t6475-publish-after-run - publish.after-run: session run publishes the
# session it stored to the targets of publish.targets (TestRail's contract
# server here), its lines on stderr, and keeps the test command's exit
# status whatever the publish did; without the key nothing is sent.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/server-lib.sh"

export INSIGHT_DB="$TRASH/h.db"
KEY=TrK3y-afterrun-NeverLeak-4321

test_expect_success 'setup: a report with two mapped tests' '
	printf "%s\n" "<testsuite name=\"s\">" \
		"<testcase classname=\"tests.test_a\" name=\"test_login_C12\" time=\"1\"/>" \
		"<testcase classname=\"tests.test_a\" name=\"test_pay_C13\" time=\"2\"><failure message=\"no\"/></testcase>" \
		"<testcase classname=\"tests.test_a\" name=\"test_plain\" time=\"1\"/></testsuite>" >r.xml
'

start_contract_server testrail --option user=ci@example.com --option key=$KEY || exit 1

run() {
	env INSIGHT_NET_TIME_SCALE=0.001 TESTRAIL_API_KEY=$KEY INSIGHT_PUBLISH_TARGETS=testrail \
		INSIGHT_PUBLISH_TESTRAIL_URL="$SERVER_URL" INSIGHT_PUBLISH_TESTRAIL_USER=ci@example.com \
		INSIGHT_PUBLISH_TESTRAIL_PROJECT_ID=1 INSIGHT_PUBLISH_TESTRAIL_SUITE_ID=2 "$@"
}

posts() {
	"$INSIGHT_PYTHON" -c 'import json, sys
print(sum(1 for l in open(sys.argv[1]) if json.loads(l)["method"] == "POST"))' "$SERVER_LOG"
}

test_expect_success 'without publish.after-run, session run sends nothing' '
	run "$INSIGHT_BIN" session run --sut shop --report r.xml -- true >out 2>err &&
	test "$(wc -l <"$SERVER_LOG")" = 0 &&
	test_grep -v "^testrail:" err
'

test_expect_success 'with it, the stored session is published; the exit status is the command'"'"'s' '
	test_must_fail --exit 3 run INSIGHT_PUBLISH_AFTER_RUN=true "$INSIGHT_BIN" session run \
		--sut shop --report r.xml -- sh -c "exit 3" >out 2>err &&
	test_grep "^testrail: unmapped: tests.test_a::test_plain$" err &&
	test_grep "^testrail: delivered 2 of 2 results, 1 unmapped (run 1)$" err &&
	test_grep -v "^testrail:" out &&
	test "$(posts)" = 2 &&
	sid=$(insight --format json session show latest | "$INSIGHT_PYTHON" -c "import json,sys; print(json.load(sys.stdin)[\"facts\"][\"id\"])") &&
	"$INSIGHT_PYTHON" - "$SERVER_LOG" "$sid" <<-\EOF
	import json, sys
	runs = [json.loads(l) for l in open(sys.argv[1]) if "add_run" in l]
	assert sys.argv[2] in json.loads(runs[0]["body"])["name"], (runs, sys.argv[2])
	EOF
'

test_expect_success 'a publish that fails leaves the exit status alone' '
	run INSIGHT_PUBLISH_AFTER_RUN=true TESTRAIL_API_KEY=wrong-key-0000 "$INSIGHT_BIN" \
		session run --sut shop --report r.xml -- true >out 2>err &&
	test_grep "^testrail: failed: reading the suite.s cases: TestRail answered 401" err &&
	! grep -F "$KEY" out err h.db
'

test_done
