#!/bin/bash
# t6180-ci-azure-http - insight ci report in an Azure Pipelines pull request
# build, against the contract server: the pull request's thread found again
# by its marker among many threads and its comment updated in place, the
# test run (created for the build, results in batches, completed) published
# once per session, retries (429 with Retry-After, 502 twice, a dropped
# connection, a POST that landed), the errors that name the missing
# permission, the dry run, and the token kept out of every output. Every
# request is checked against Azure DevOps' own REST API descriptions.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/server-lib.sh"

export INSIGHT_DB="$TRASH/h.db"
NODE_MODULES="$INSIGHT_SRCDIR/tests/node/node_modules"
SPECS="$INSIGHT_SHARED_DIR/reference/specs/azure-devops-7.1"
TOKEN=eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.c0ntractT0kenThatMustNeverLeak
HEAD=0123456789abcdef0123456789abcdef01234567
MERGE=fedcba9876543210fedcba9876543210fedcba98
REPO_ID=3411ebc1-d5aa-464f-9615-0b527bc66719
PROJECT="Shop%20Web"
THREADS=/acme/$PROJECT/_apis/git/repositories/$REPO_ID/pullRequests/1/threads
RUNS="/acme/$PROJECT/_apis/test/runs?api-version=7.1&automated=true&buildUri=vstfs%3A%2F%2F%2FBuild%2FBuild%2F120&includeRunDetails=true"

# A pull request build of Azure Repos' acme/Shop Web/shop, PR 1, as the agent
# sets it up, with the job's token mapped into the step (env:).
azp() {
	env -i PATH="$PATH" HOME="$HOME" LC_ALL=C TZ=UTC INSIGHT_DB="$INSIGHT_DB" \
		INSIGHT_NET_TIME_SCALE=0.001 no_proxy=127.0.0.1 \
		TF_BUILD=True AGENT_TEMPDIRECTORY="$TRASH/agent-tmp" AGENT_JOBNAME="Job" \
		BUILD_BUILDID=120 BUILD_BUILDNUMBER=20261205.3 BUILD_BUILDURI=vstfs:///Build/Build/120 \
		BUILD_SOURCEVERSION=$MERGE BUILD_SOURCEBRANCH=refs/pull/1/merge \
		BUILD_SOURCEBRANCHNAME=merge BUILD_REPOSITORY_NAME=shop BUILD_REPOSITORY_ID=$REPO_ID \
		BUILD_REPOSITORY_PROVIDER=${PROVIDER:-TfsGit} \
		BUILD_REPOSITORY_URI="https://dev.azure.com/acme/Shop%20Web/_git/shop" \
		SYSTEM_COLLECTIONURI="$SERVER_URL/acme/" SYSTEM_TEAMPROJECT="Shop Web" \
		SYSTEM_TEAMPROJECTID=eb6e4656-77fc-42a1-9181-4c6d8e9da5d1 \
		SYSTEM_JOBID=12f1170f-54f2-53f3-20dd-22fc7dff55f9 \
		SYSTEM_PULLREQUEST_PULLREQUESTID=1 SYSTEM_PULLREQUEST_SOURCECOMMITID=$HEAD \
		SYSTEM_PULLREQUEST_SOURCEBRANCH=refs/heads/feature \
		SYSTEM_PULLREQUEST_TARGETBRANCH=refs/heads/main \
		SYSTEM_PULLREQUEST_SOURCEREPOSITORYURI="https://dev.azure.com/acme/Shop%20Web/_git/shop" \
		SYSTEM_ACCESSTOKEN="$TOKEN" "$@"
}

# check_specs: every request the server recorded is an operation of Azure's API.
check_specs() {
	NODE_PATH="$NODE_MODULES" node "$INSIGHT_SRCDIR/tests/node/check-azure-openapi.js" \
		"$SERVER_LOG" "$SPECS" >specs.out || { cat specs.out; return 1; }
}

# The threads of PR 1 whose live comment starts with the marker of SUT shop.
insight_threads() {
	"$INSIGHT_PYTHON" -c 'import json, sys, urllib.request
h = urllib.request.ProxyHandler({})
req = urllib.request.Request(sys.argv[1] + "?api-version=7.1", headers={"Authorization": "Bearer " + sys.argv[2]})
threads = json.load(urllib.request.build_opener(h).open(req, timeout=10))["value"]
print(sum(any(c["content"].startswith("<!-- insight:report sut=shop -->") for c in t["comments"])
          for t in threads if not t["isDeleted"]))' "$SERVER_URL$THREADS" "$TOKEN"
}

test_expect_success 'setup: a base of 1100 tests, a target with new failures, an error, a skip, a flaky test' '
	test -d "$NODE_MODULES/ajv" || { echo "run scripts/setup-deps"; return 1; } &&
	test -f "$SPECS/test.json" &&
	mkdir agent-tmp &&
	{
		echo "<testsuite name=\"s\">"
		for i in $(seq 1 1100); do echo "<testcase classname=\"tests/test_a.py\" name=\"test_$i\" time=\"0.25\"/>"; done
		echo "</testsuite>"
	} >base.xml &&
	{
		echo "<testsuite name=\"s\">"
		for i in 1 2 3; do
			echo "<testcase classname=\"tests/test_a.py\" name=\"test_$i\" time=\"1.5\"><failure message=\"assert $i == 0\">Traceback: line $i</failure></testcase>"
		done
		echo "<testcase classname=\"tests/test_a.py\" name=\"test_4\"><error message=\"fixture db failed\">setup tb</error></testcase>"
		echo "<testcase classname=\"tests/test_a.py\" name=\"test_5\"><skipped message=\"needs a GPU\"/></testcase>"
		echo "<testcase classname=\"tests/test_a.py\" name=\"test_6\" time=\"0.5\"><flakyFailure message=\"timing\"/></testcase>"
		for i in $(seq 7 1100); do echo "<testcase classname=\"tests/test_a.py\" name=\"test_$i\" time=\"0.25\"/>"; done
		echo "</testsuite>"
	} >target.xml &&
	insight -q session import --sut shop base.xml >/dev/null &&
	insight -q session import --sut shop target.xml >/dev/null
'

start_contract_server azure --option token=$TOKEN --option threads=150 || exit 1

test_expect_success 'first report: threads listed, a new thread, a test run in two batches, completed' '
	azp "$INSIGHT_BIN" ci report --sut shop --base latest~1 >out 2>err ||
		{ cat err; return 1; }
	test_grep "delivered: summary, annotations, comment (created), tests (run 1, 1100 results)" err &&
	test_line_count = 1 err &&
	server_requests >actual &&
	cat >expect <<-EOF &&
	GET $THREADS?api-version=7.1
	POST $THREADS?api-version=7.1
	GET $RUNS
	POST /acme/$PROJECT/_apis/test/runs?api-version=7.1
	POST /acme/$PROJECT/_apis/test/Runs/1/results?api-version=7.1
	POST /acme/$PROJECT/_apis/test/Runs/1/results?api-version=7.1
	PATCH /acme/$PROJECT/_apis/test/runs/1?api-version=7.1
	EOF
	test_cmp expect actual &&
	test "$(insight_threads)" = 1 &&
	check_specs
'

test_expect_success 'the thread, the run and the results: what Azure was sent' '
	"$INSIGHT_PYTHON" - "$SERVER_LOG" "$TOKEN" <<-\EOF
	import json, sys
	reqs = [json.loads(l) for l in open(sys.argv[1])]
	assert all(r["headers"]["Authorization"] == "Bearer " + sys.argv[2] for r in reqs)
	thread = json.loads(reqs[1]["body"])
	assert thread["status"] == "closed", thread
	c = thread["comments"][0]
	assert c["parentCommentId"] == 0 and c["commentType"] == "text", c
	assert c["content"].startswith("<!-- insight:report sut=shop -->\n"), c["content"][:80]
	assert "tests/test_a.py::test_1" in c["content"], c["content"][:300]
	run = json.loads(reqs[3]["body"])
	assert run["automated"] is True and run["build"] == {"id": "120"}, run
	assert run["state"] == "InProgress" and run["name"].startswith("insight shop "), run
	batches = [json.loads(reqs[i]["body"]) for i in (4, 5)]
	assert [len(b) for b in batches] == [1000, 100], [len(b) for b in batches]
	res = {r["automatedTestName"]: r for b in batches for r in b}
	assert len(res) == 1100
	one = res["tests/test_a.py::test_1"]
	assert one["outcome"] == "Failed" and one["errorMessage"] == "assert 1 == 0", one
	assert one["stackTrace"] == "Traceback: line 1" and one["durationInMs"] == 1500, one
	assert one["testCaseTitle"] == "test_1" and one["automatedTestStorage"] == "tests/test_a.py", one
	assert one["state"] == "Completed", one
	err = res["tests/test_a.py::test_4"]
	assert err["outcome"] == "Failed" and err["errorMessage"] == "fixture db failed", err
	assert err["comment"].startswith("error"), err
	skip = res["tests/test_a.py::test_5"]
	assert skip["outcome"] == "NotExecuted" and skip["comment"] == "skipped: needs a GPU", skip
	flaky = res["tests/test_a.py::test_6"]
	assert flaky["outcome"] == "Passed" and flaky["comment"] == "flaky: passed on attempt 2 of 2", flaky
	outcomes = [r["outcome"] for r in res.values()]
	assert outcomes.count("Passed") == 1095 and outcomes.count("Failed") == 4, outcomes.count("Passed")
	done = json.loads(reqs[6]["body"])
	assert done == {"state": "Completed"}, done
	EOF
'

test_expect_success 'second report: the comment updated in place, no new thread, no second run' '
	: >"$SERVER_LOG" &&
	azp "$INSIGHT_BIN" ci report --sut shop --base latest~1 >out 2>err &&
	test_grep "delivered: summary, annotations, comment (updated), tests (run 1, published before)" err &&
	server_requests >actual &&
	cat >expect <<-EOF &&
	GET $THREADS?api-version=7.1
	PATCH $THREADS/251/comments/1?api-version=7.1
	GET $RUNS
	EOF
	test_cmp expect actual &&
	test "$(insight_threads)" = 1 &&
	check_specs
'

test_expect_success 'another session of the same build: a second run; ci comment and --only tests' '
	: >"$SERVER_LOG" &&
	azp "$INSIGHT_BIN" ci report --sut shop --session latest~1 --base latest~1 --only tests >out 2>err &&
	test_grep "delivered: tests (run 2, 1100 results)" err &&
	azp "$INSIGHT_BIN" ci comment --sut shop --base latest~1 >out 2>err &&
	test_grep "delivered: comment (updated)" err &&
	server_requests "r[\"method\"] != \"GET\"" >actual &&
	cat >expect <<-EOF &&
	POST /acme/$PROJECT/_apis/test/runs?api-version=7.1
	POST /acme/$PROJECT/_apis/test/Runs/2/results?api-version=7.1
	POST /acme/$PROJECT/_apis/test/Runs/2/results?api-version=7.1
	PATCH /acme/$PROJECT/_apis/test/runs/2?api-version=7.1
	PATCH $THREADS/251/comments/1?api-version=7.1
	EOF
	test_cmp expect actual &&
	test "$(insight_threads)" = 1 &&
	check_specs
'

stop_contract_server "$SERVER_PID"
start_contract_server azure --option token=$TOKEN --option threads=3 || exit 1

test_expect_success 'retries: 429 with Retry-After, 502 twice on the results, a dropped connection' '
	server_faults "[{\"match\": \"GET .*/threads\$\", \"kind\": \"status\", \"status\": 429, \"headers\": {\"Retry-After\": \"7\"}},
		{\"match\": \"POST .*/test/Runs/1/results\", \"kind\": \"status\", \"status\": 502, \"times\": 2}]" &&
	azp "$INSIGHT_BIN" -vv ci report --sut shop --base latest~1 --only comment,tests >out 2>err ||
		{ cat err; return 1; }
	test_grep "delivered: comment (created), tests (run 1, 1100 results)" err &&
	test_grep "retry 1 of 5 in 7.000 s (Retry-After) after HTTP 429" err &&
	test "$(grep -c "may have reached the server (HTTP 502): checking" err)" = 2 &&
	test "$(grep -c "it did not: sending it again" err)" = 2 &&
	server_requests >actual &&
	cat >expect <<-EOF &&
	GET $THREADS?api-version=7.1
	GET $THREADS?api-version=7.1
	POST $THREADS?api-version=7.1
	GET $RUNS
	POST /acme/$PROJECT/_apis/test/runs?api-version=7.1
	POST /acme/$PROJECT/_apis/test/Runs/1/results?api-version=7.1
	GET /acme/$PROJECT/_apis/test/Runs/1/results?%24skip=999&%24top=1&api-version=7.1
	POST /acme/$PROJECT/_apis/test/Runs/1/results?api-version=7.1
	GET /acme/$PROJECT/_apis/test/Runs/1/results?%24skip=999&%24top=1&api-version=7.1
	POST /acme/$PROJECT/_apis/test/Runs/1/results?api-version=7.1
	POST /acme/$PROJECT/_apis/test/Runs/1/results?api-version=7.1
	PATCH /acme/$PROJECT/_apis/test/runs/1?api-version=7.1
	EOF
	test_cmp expect actual &&
	check_specs &&
	: >"$SERVER_LOG" &&
	server_faults "[{\"match\": \"GET .*/threads\$\", \"kind\": \"drop\"}]" &&
	azp "$INSIGHT_BIN" -vv ci comment --sut shop --base latest~1 >out 2>err ||
		{ cat err; return 1; }
	test_grep "delivered: comment (updated)" err &&
	test_grep "retry 1 of 5 in [0-9.]* s (backoff) after .*[Ee]mpty reply" err &&
	server_requests >actual &&
	printf "%s\n" "GET $THREADS?api-version=7.1" "GET $THREADS?api-version=7.1" \
		"PATCH $THREADS/104/comments/1?api-version=7.1" >expect &&
	test_cmp expect actual &&
	test "$(insight_threads)" = 1
'

test_expect_success 'a run POST that landed before the connection dropped is found, not repeated' '
	: >"$SERVER_LOG" &&
	server_faults_clear &&
	server_faults "[{\"match\": \"POST .*/test/runs\$\", \"kind\": \"land-then-drop\"}]" &&
	azp "$INSIGHT_BIN" -vv ci report --sut shop --session latest~1 --base latest~1 --only tests \
		>out 2>err || { cat err; return 1; }
	test_grep "delivered: tests (run 2, 1100 results)" err &&
	test_grep "it did: not sending it again" err &&
	server_requests >actual &&
	cat >expect <<-EOF &&
	GET $RUNS
	POST /acme/$PROJECT/_apis/test/runs?api-version=7.1
	GET $RUNS
	POST /acme/$PROJECT/_apis/test/Runs/2/results?api-version=7.1
	POST /acme/$PROJECT/_apis/test/Runs/2/results?api-version=7.1
	PATCH /acme/$PROJECT/_apis/test/runs/2?api-version=7.1
	EOF
	test_cmp expect actual
'

stop_contract_server "$SERVER_PID"
start_contract_server azure --option token=$TOKEN --option threads=3 || exit 1

test_expect_success 'a thread POST that landed before the connection dropped is found, not repeated' '
	server_faults "[{\"match\": \"POST .*/threads\$\", \"kind\": \"land-then-drop\"}]" &&
	azp "$INSIGHT_BIN" ci comment --sut shop --base latest~1 >out 2>err || { cat err; return 1; }
	test_grep "delivered: comment (created)" err &&
	server_requests >actual &&
	printf "%s\n" "GET $THREADS?api-version=7.1" "POST $THREADS?api-version=7.1" \
		"GET $THREADS?api-version=7.1" >expect &&
	test_cmp expect actual &&
	test "$(insight_threads)" = 1 &&
	check_specs
'

test_expect_success 'no permission: exit 5, the permission the build service needs is named' '
	: >"$SERVER_LOG" &&
	server_faults_clear &&
	server_faults "[{\"match\": \"PATCH .*/comments/\", \"kind\": \"status\", \"status\": 403, \"times\": 0},
		{\"match\": \"POST .*/test/runs\$\", \"kind\": \"status\", \"status\": 403, \"error\": \"runs\", \"times\": 0}]" &&
	{ azp "$INSIGHT_BIN" ci report --sut shop --base latest~1 --only comment,tests >out 2>err; test $? = 5; } &&
	test_line_count = 1 err &&
	test_grep "not delivered: comment (Azure DevOps answered 403: the build service needs \"Contribute to pull requests\" on the repository (TF401027: You need the Git .PullRequestContribute. permission" err &&
	test_grep "tests (Azure DevOps answered 403: the build service needs \"Create test runs\" in the project (Access Denied: " err &&
	server_faults_clear &&
	server_faults "[{\"kind\": \"status\", \"status\": 401, \"times\": 0}]" &&
	{ azp "$INSIGHT_BIN" ci comment --sut shop --base latest~1 >out 2>err; test $? = 5; } &&
	test_grep "not delivered: comment (Azure DevOps answered 401: SYSTEM_ACCESSTOKEN was refused; map it into the step.s environment (TF400813: " err &&
	server_faults_clear
'

test_expect_success 'no token, no pull request, a GitHub repository: said, and nothing is tried' '
	: >"$SERVER_LOG" &&
	azp SYSTEM_ACCESSTOKEN= "$INSIGHT_BIN" ci report --sut shop --base latest~1 >out 2>err &&
	test_grep "skipped: comment (no token: map SYSTEM_ACCESSTOKEN into the step.s environment (env: SYSTEM_ACCESSTOKEN: \$(System.AccessToken)))" err &&
	{ azp SYSTEM_ACCESSTOKEN= "$INSIGHT_BIN" ci comment --sut shop --base latest~1 >out 2>err; test $? = 5; } &&
	test_grep "not delivered: comment (no token" err &&
	test "$(server_count)" = 0 &&
	azp SYSTEM_PULLREQUEST_PULLREQUESTID= BUILD_SOURCEBRANCH=refs/heads/main \
		"$INSIGHT_BIN" ci report --sut shop --base latest~1 --only summary,comment,tests >out 2>err;
	test $? = 5 &&
	test_grep "not delivered: comment (not a pull request build" err &&
	test_grep "delivered: summary, tests (run 1, 1100 results)" err &&
	test "$(server_count "r[\"path\"].endswith(\"/threads\")")" = 0 &&
	PROVIDER=GitHub azp "$INSIGHT_BIN" ci report --sut shop --base latest~1 >out 2>err &&
	test_grep "skipped: comment (the repository is on GitHub, and pull request threads are Azure Repos.)" err &&
	test_grep "delivered: summary, annotations, tests (run 1, published before)" err &&
	test "$(server_count "r[\"path\"].endswith(\"/threads\")")" = 0
'

test_expect_success 'a dry run prints each request, masked, and sends nothing' '
	: >"$SERVER_LOG" &&
	azp "$INSIGHT_BIN" ci report --sut shop --base latest~1 --only comment,tests --dry-run >dry 2>err &&
	test "$(server_count)" = 0 &&
	test_grep "^GET $SERVER_URL$THREADS?api-version=7.1" dry &&
	test_grep "^POST $SERVER_URL$THREADS?api-version=7.1" dry &&
	test_grep "^POST $SERVER_URL/acme/$PROJECT/_apis/test/Runs/{runId}/results?api-version=7.1" dry &&
	test_grep "^PATCH $SERVER_URL/acme/$PROJECT/_apis/test/runs/{runId}?api-version=7.1" dry &&
	test_grep "Authorization: Bearer \*\*\*" dry &&
	test_grep "skipped: comment (dry run), tests (dry run)" err &&
	! grep -q "$TOKEN" dry err
'

test_expect_success 'the token is in no output, no trace and not in the history' '
	: >"$SERVER_LOG" &&
	azp "$INSIGHT_BIN" -vv ci report --sut shop --base latest~1 >out 2>err &&
	test_grep "http: > GET" err &&
	test_grep "Authorization: \*\*\*\|Authorization: Bearer \*\*\*" err &&
	azp "$INSIGHT_BIN" -vv ci report --sut shop --base latest~1 --dry-run >dry 2>err2 &&
	azp "$INSIGHT_BIN" ci env >env.out 2>&1 &&
	for f in out err dry err2 env.out specs.out agent-tmp/insight-shop.md; do
		! grep -q "c0ntractT0ken" $f || { echo "the token is in $f"; return 1; }
	done &&
	! grep -q "c0ntractT0ken" h.db &&
	for fmt in json md html csv; do
		azp "$INSIGHT_BIN" --format $fmt session show latest >show.$fmt 2>&1 &&
		! grep -q "c0ntractT0ken" show.$fmt || return 1
		azp "$INSIGHT_BIN" --format $fmt ci env >env.$fmt 2>&1 &&
		! grep -q "c0ntractT0ken" env.$fmt || return 1
	done
'

test_done
