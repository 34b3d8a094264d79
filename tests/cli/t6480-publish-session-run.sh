#!/bin/bash
# t6480-publish-session-run - the session of an export or a publish named
# with --session (or as export's argument, not both), and `session run
# --publish`: the stored session published to publish.targets (TestRail's
# contract server), its lines on stderr, the exit status the command's,
# the session kept when the publish fails; --publish with no target refused
# before the command runs; --no-publish over publish.after-run.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/server-lib.sh"

export INSIGHT_DB="$TRASH/h.db"
KEY=TrK3y-sessrun-NeverLeak-7a7a

test_expect_success 'setup: two sessions of mapped tests' '
	printf "%s\n" "<testsuite name=\"s\">" \
		"<testcase classname=\"tests.test_a\" name=\"test_login_C12\" time=\"1\"/>" \
		"<testcase classname=\"tests.test_a\" name=\"test_pay_C13\" time=\"2\"><failure message=\"no\"/></testcase>" \
		"<testcase classname=\"tests.test_a\" name=\"test_plain\" time=\"1\"/></testsuite>" >r.xml &&
	printf "%s\n" "<testsuite name=\"s\">" \
		"<testcase classname=\"tests.test_b\" name=\"test_only_C40\" time=\"1\"/></testsuite>" >r2.xml &&
	insight session import --sut shop r.xml 2>/dev/null &&
	insight session import --sut shop r2.xml 2>/dev/null &&
	insight --format json session show latest~1 >first.json &&
	json_get first.json "d[\"facts\"][\"id\"]" >first-id &&
	test -s first-id
'

start_contract_server testrail --option user=ci@example.com --option key=$KEY || exit 1

run() {
	env INSIGHT_NET_TIME_SCALE=0.001 TESTRAIL_API_KEY=$KEY \
		INSIGHT_PUBLISH_TESTRAIL_URL="$SERVER_URL" INSIGHT_PUBLISH_TESTRAIL_USER=ci@example.com \
		INSIGHT_PUBLISH_TESTRAIL_PROJECT_ID=1 INSIGHT_PUBLISH_TESTRAIL_SUITE_ID=2 "$@"
}

posts() {
	"$INSIGHT_PYTHON" -c 'import json, sys
print(sum(1 for l in open(sys.argv[1]) if json.loads(l)["method"] == "POST"))' "$SERVER_LOG"
}

sessions() {
	insight --format json session list --all | "$INSIGHT_PYTHON" -c 'import json, sys
d = json.load(sys.stdin)
print(d["facts"]["sessions"])'
}

test_expect_success 'export: --session REF is the same session as the argument REF' '
	sid=$(cat first-id) &&
	insight export junit --session "$sid" >flag.xml &&
	insight export junit "$sid" >arg.xml &&
	test_cmp arg.xml flag.xml &&
	test_grep "test_pay_C13" flag.xml && test_grep -v "test_only_C40" flag.xml &&
	insight export ctrf --session latest~1 >ctrf.json &&
	json_get ctrf.json "len(d[\"results\"][\"tests\"])" >n && echo 3 >expect && test_cmp expect n &&
	insight export junit >latest.xml && test_grep "test_only_C40" latest.xml
'

test_expect_success 'export: --session and an argument together, or an empty ref, are refused' '
	test_must_fail --exit 2 insight export junit --session latest latest~1 >out 2>err &&
	test_line_count = 0 out && test_line_count = 1 err &&
	test_grep "not both" err &&
	test_must_fail --exit 2 insight export md --session "" 2>err &&
	test_grep "needs a session ref" err &&
	test_must_fail --exit 2 insight export allure --session latest --since 7d -o a 2>err &&
	test_grep "not both" err && ! test -e a
'

test_expect_success 'export allure: --session writes that session' '
	insight export allure --session latest~1 -o ar 2>/dev/null &&
	grep -l "test_pay_C13" ar/*-result.json >hits && test_line_count = 1 hits &&
	! grep -l "test_only_C40" ar/*-result.json
'

test_expect_success 'publish --session: the run is named after that session' '
	sid=$(cat first-id) &&
	run "$INSIGHT_BIN" publish testrail --session "$sid" >out 2>err &&
	test_grep "^testrail: delivered 2 of 2 results, 1 unmapped (run 1)$" out &&
	"$INSIGHT_PYTHON" - "$SERVER_LOG" "$sid" <<-\EOF
	import json, sys
	runs = [json.loads(l) for l in open(sys.argv[1]) if "add_run" in l]
	assert len(runs) == 1 and sys.argv[2] in json.loads(runs[0]["body"])["name"], runs
	EOF
'

test_expect_success 'publish: quotes, backslashes, tabs and non-ASCII in a comment reach TestRail as they are' '
	: >"$SERVER_LOG" &&
	printf "%s\n" "<testsuite name=\"s\">" \
		"<testcase classname=\"tests.test_c\" name=\"test_q_C50\" time=\"1\"><failure message=\"said &quot;no&quot; at C:\\tmp\">line one&#9;tab" \
		"caf&#233; &#10003; &lt;done&gt;</failure></testcase></testsuite>" >q.xml &&
	insight session import --sut quotes q.xml 2>/dev/null &&
	run "$INSIGHT_BIN" publish testrail --sut quotes >out 2>err &&
	test_grep "^testrail: delivered 1 of 1 results, 0 unmapped" out &&
	"$INSIGHT_PYTHON" - "$SERVER_LOG" <<-\EOF
	import json, sys
	posts = [json.loads(l) for l in open(sys.argv[1]) if "add_results_for_cases" in l]
	assert len(posts) == 1, posts
	r = json.loads(posts[0]["body"])["results"][0]
	want = "said \"no\" at C:\\tmp\n\nline one\ttab\ncaf\u00e9 \u2713 <done>"
	assert r["comment"] == want, (r["comment"], want)
	assert r["case_id"] == 50 and r["status_id"] == 5 and r["elapsed"] == "1s", r
	EOF
'

test_expect_success 'session run --publish publishes the stored session, exit status the command'"'"'s' '
	: >"$SERVER_LOG" &&
	before=$(sessions) &&
	test_must_fail --exit 3 run INSIGHT_PUBLISH_TARGETS=testrail "$INSIGHT_BIN" session run \
		--sut shop --publish --report r.xml -- sh -c "exit 3" >out 2>err &&
	test "$(sessions)" = $((before + 1)) &&
	test_grep "^testrail: unmapped: tests.test_a::test_plain$" err &&
	test_grep "^testrail: delivered 2 of 2 results, 1 unmapped (run [0-9]*)$" err &&
	test_grep -v "^testrail:" out &&
	test "$(posts)" = 2 &&
	sid=$(insight --format json session show latest | "$INSIGHT_PYTHON" -c "import json,sys; print(json.load(sys.stdin)[\"facts\"][\"id\"])") &&
	"$INSIGHT_PYTHON" - "$SERVER_LOG" "$sid" <<-\EOF
	import json, sys
	runs = [json.loads(l) for l in open(sys.argv[1]) if "add_run" in l]
	assert len(runs) == 1 and sys.argv[2] in json.loads(runs[0]["body"])["name"], runs
	EOF
'

test_expect_success 'session run --publish: a publish that fails keeps the session and the exit status' '
	: >"$SERVER_LOG" &&
	before=$(sessions) &&
	run INSIGHT_PUBLISH_TARGETS=testrail TESTRAIL_API_KEY=wrong-key-0000 "$INSIGHT_BIN" \
		session run --sut shop --publish --report r.xml -- true >out 2>err &&
	test "$(sessions)" = $((before + 1)) &&
	test_grep "^testrail: failed: reading the suite.s cases: TestRail answered 401" err &&
	test "$(posts)" = 0 &&
	server_faults "[{\"match\": \"POST .*\", \"kind\": \"status\", \"status\": 500, \"times\": 100}]" &&
	test_must_fail --exit 1 run INSIGHT_PUBLISH_TARGETS=testrail INSIGHT_NET_BUDGET=2s \
		"$INSIGHT_BIN" session run --sut shop --publish --report r.xml -- false >out 2>err &&
	server_faults_clear &&
	test "$(sessions)" = $((before + 2)) &&
	test_grep "^testrail: failed: " err &&
	! grep -F "$KEY" out err h.db
'

test_expect_success 'session run --publish without publish.targets is refused before the command runs' '
	before=$(sessions) &&
	test_must_fail --exit 125 run "$INSIGHT_BIN" session run --sut shop --publish \
		--report r.xml -- touch ran >out 2>err &&
	! test -e ran &&
	test_line_count = 1 err &&
	test_grep "^insight: --publish: publish.targets names no target" err &&
	test_must_fail --exit 125 run INSIGHT_PUBLISH_TARGETS=testrial "$INSIGHT_BIN" session run \
		--sut shop --publish --report r.xml -- touch ran 2>err &&
	! test -e ran &&
	test_grep "did you mean .testrail." err &&
	test "$(sessions)" = "$before"
'

test_expect_success 'session run --no-publish sends nothing even with publish.after-run' '
	: >"$SERVER_LOG" &&
	run INSIGHT_PUBLISH_TARGETS=testrail INSIGHT_PUBLISH_AFTER_RUN=true "$INSIGHT_BIN" \
		session run --sut shop --no-publish --report r.xml -- true >out 2>err &&
	test "$(wc -l <"$SERVER_LOG")" = 0 &&
	test_grep -v "^testrail:" err
'

test_done
