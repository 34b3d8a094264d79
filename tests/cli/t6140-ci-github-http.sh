#!/bin/bash
# t6140-ci-github-http - insight ci report on GitHub Actions over HTTP,
# against the contract server: the pull request's comment found again by its
# marker through pages of comments and updated in place, the check run with
# its annotations in batches of 50, the commit status when checks are
# refused, a fork's read-only token, a POST that landed before the
# connection dropped, the dry run, and the token kept out of every output.
# Every request is checked against GitHub's published OpenAPI description.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/server-lib.sh"

export INSIGHT_DB="$TRASH/h.db"
NODE_MODULES="$INSIGHT_SRCDIR/tests/node/node_modules"
TOKEN=ghs_c0ntractT0kenThatMustNeverLeak42
HEAD=0123456789abcdef0123456789abcdef01234567

# A clean GitHub Actions environment on pull request 1 of octo/shop.
gh() {
	env -i PATH="$PATH" HOME="$HOME" LC_ALL=C TZ=UTC INSIGHT_DB="$INSIGHT_DB" \
		INSIGHT_NET_TIME_SCALE=0.001 no_proxy=127.0.0.1 \
		GITHUB_ACTIONS=true GITHUB_REPOSITORY=octo/shop GITHUB_SHA=$HEAD \
		GITHUB_REF=refs/pull/1/merge GITHUB_EVENT_PATH="$TRASH/${EVENT:-event.json}" \
		GITHUB_RUN_ID=9001 GITHUB_SERVER_URL=https://github.com GITHUB_API_URL="$SERVER_URL" \
		GITHUB_TOKEN="$TOKEN" GITHUB_STEP_SUMMARY="$TRASH/summary.md" "$@"
}

# check_openapi: every request the server recorded is an operation of GitHub's API.
check_openapi() {
	NODE_PATH="$NODE_MODULES" node "$INSIGHT_SRCDIR/tests/node/check-github-openapi.js" \
		"$SERVER_LOG" >openapi.out || { cat openapi.out; return 1; }
}

insight_comments() {
	server_marked "$SERVER_URL/repos/octo/shop/issues/1/comments?per_page=100" "Authorization: Bearer $TOKEN"
}

test_expect_success 'setup: a base session, a target with 120 new failures, the server with 150 comments' '
	test -d "$NODE_MODULES/@octokit/openapi" || { echo "run scripts/setup-deps"; return 1; } &&
	{
		echo "<testsuite name=\"s\">"
		for i in $(seq 1 130); do echo "<testcase classname=\"tests/test_a.py\" name=\"test_$i\"/>"; done
		echo "</testsuite>"
	} >base.xml &&
	{
		echo "<testsuite name=\"s\">"
		for i in $(seq 1 130); do
			if [ "$i" -le 120 ]; then
				echo "<testcase classname=\"tests/test_a.py\" name=\"test_$i\"><failure message=\"assert $i == 0\">tb</failure></testcase>"
			else
				echo "<testcase classname=\"tests/test_a.py\" name=\"test_$i\"/>"
			fi
		done
		echo "</testsuite>"
	} >target.xml &&
	insight -q session import --sut shop base.xml &&
	insight -q session import --sut shop target.xml &&
	echo "{\"pull_request\": {\"number\": 1, \"head\": {\"sha\": \"$HEAD\", \"repo\": {\"full_name\": \"octo/shop\", \"fork\": false}}, \"base\": {\"ref\": \"main\", \"repo\": {\"full_name\": \"octo/shop\"}}}}" >event.json
'

start_contract_server github --option token=$TOKEN --option comments=150 --option head_sha=$HEAD || exit 1

test_expect_success 'first report: pages of comments, a new comment, a check run and two more batches' '
	gh "$INSIGHT_BIN" ci report --sut shop --base latest~1 >out 2>err &&
	test_grep "delivered: summary, annotations, comment (created), checks (3 requests)" err &&
	server_requests >actual &&
	cat >expect <<-EOF &&
	GET /repos/octo/shop/issues/1/comments?per_page=100
	GET /repos/octo/shop/issues/1/comments?page=2&per_page=100
	POST /repos/octo/shop/issues/1/comments
	POST /repos/octo/shop/check-runs
	PATCH /repos/octo/shop/check-runs/1152
	PATCH /repos/octo/shop/check-runs/1152
	EOF
	test_cmp expect actual &&
	test "$(insight_comments)" = 1 &&
	check_openapi
'

test_expect_success 'the check run: failure, the report as summary, 120 annotations at the test file' '
	"$INSIGHT_PYTHON" - "$SERVER_LOG" <<-\EOF
	import json, sys
	reqs = [json.loads(l) for l in open(sys.argv[1])]
	runs = [json.loads(r["body"]) for r in reqs if r["path"].startswith("/repos/octo/shop/check-runs")]
	first = runs[0]
	assert first["conclusion"] == "failure" and first["status"] == "completed", first
	assert first["head_sha"] == "0123456789abcdef0123456789abcdef01234567"
	assert first["output"]["summary"].startswith("<!-- insight:report sut=shop -->")
	notes = [a for r in runs for a in r["output"]["annotations"]]
	assert len(notes) == 120 and all(len(r["output"]["annotations"]) <= 50 for r in runs)
	assert all(a["path"] == "tests/test_a.py" and a["annotation_level"] == "failure" for a in notes)
	assert notes[0]["title"] == "tests/test_a.py::test_1", notes[0]
	EOF
'

test_expect_success 'second report: the comment is found on page 2 and updated, never duplicated' '
	: >"$SERVER_LOG" &&
	gh "$INSIGHT_BIN" ci report --sut shop --base latest~1 >out 2>err &&
	test_grep "comment (updated)" err &&
	server_requests >actual &&
	head -n 3 actual >first3 &&
	cat >expect <<-EOF &&
	GET /repos/octo/shop/issues/1/comments?per_page=100
	GET /repos/octo/shop/issues/1/comments?page=2&per_page=100
	PATCH /repos/octo/shop/issues/comments/1151
	EOF
	test_cmp expect first3 &&
	test "$(insight_comments)" = 1 &&
	check_openapi
'

stop_contract_server "$SERVER_PID"
start_contract_server github --option token=$TOKEN --option comments=3 --option head_sha=$HEAD || exit 1

test_expect_success 'a POST that landed before the connection dropped is found again, not repeated' '
	server_faults "[{\"match\": \"POST /repos/octo/shop/issues/1/comments\", \"kind\": \"land-then-drop\"}]" &&
	gh "$INSIGHT_BIN" ci comment --sut shop --base latest~1 >out 2>err ||
		{ cat err; return 1; }
	test_grep "delivered: comment" err &&
	test "$(server_count "r[\"method\"] == \"POST\"")" = 1 &&
	test "$(insight_comments)" = 1 &&
	check_openapi
'

test_expect_success 'checks refused (403): a commit status instead, the description within 140' '
	: >"$SERVER_LOG" &&
	server_faults "[{\"match\": \"POST /repos/octo/shop/check-runs\", \"kind\": \"status\", \"status\": 403}]" &&
	gh "$INSIGHT_BIN" ci status --sut shop --base latest~1 >out 2>err &&
	test_grep "delivered: status (as a commit status: the token cannot write checks)" err &&
	server_requests >actual &&
	printf "%s\n" "POST /repos/octo/shop/check-runs" "POST /repos/octo/shop/statuses/$HEAD" >expect &&
	test_cmp expect actual &&
	"$INSIGHT_PYTHON" - "$SERVER_LOG" <<-\EOF &&
	import json, sys
	st = json.loads([l for l in open(sys.argv[1])][-1])
	body = json.loads(st["body"])
	assert body["state"] == "failure" and body["context"] == "insight/shop", body
	assert len(body["description"]) <= 140 and body["description"].startswith("120 new failures"), body
	EOF
	check_openapi
'

stop_contract_server "$SERVER_PID"
start_contract_server github --option token=$TOKEN --option comments=0 --option head_sha=$HEAD || exit 1

test_expect_success 'no permission to comment: exit 5, the permission named, one summary line' '
	server_faults "[{\"match\": \"POST /repos/octo/shop/issues/1/comments\", \"kind\": \"status\", \"status\": 403, \"times\": 0}]" &&
	{ gh "$INSIGHT_BIN" ci comment --sut shop --base latest~1 >out 2>err; test $? = 5; } &&
	test_line_count = 1 err &&
	test_grep "not delivered: comment (GitHub answered 403: the token needs .pull-requests: write. (Resource not accessible by integration))" err
'

test_expect_success 'a pull request from a fork: nothing written, one line says why, exit 0' '
	: >"$SERVER_LOG" &&
	echo "{\"pull_request\": {\"number\": 1, \"head\": {\"sha\": \"$HEAD\", \"repo\": {\"full_name\": \"someone/shop\", \"fork\": true}}, \"base\": {\"ref\": \"main\", \"repo\": {\"full_name\": \"octo/shop\"}}}}" >fork.json &&
	EVENT=fork.json gh "$INSIGHT_BIN" ci report --sut shop --base latest~1 >out 2>err &&
	test_grep "a pull request from a fork: its token cannot write" err &&
	test_grep "delivered: summary, annotations" err &&
	test "$(server_count)" = 0
'

test_expect_success 'a dry run prints each request, masked, and sends nothing' '
	: >"$SERVER_LOG" &&
	gh "$INSIGHT_BIN" ci report --sut shop --base latest~1 --only comment,checks --dry-run >out 2>err &&
	test "$(server_count)" = 0 &&
	test_grep "^GET $SERVER_URL/repos/octo/shop/issues/1/comments?per_page=100" out &&
	test_grep "^POST $SERVER_URL/repos/octo/shop/check-runs" out &&
	test_grep "Authorization: Bearer \*\*\*" out &&
	test_grep "skipped: comment (dry run), checks (dry run)" err
'

test_expect_success 'the token is in no output, no trace and not in the history' '
	: >"$SERVER_LOG" &&
	server_faults_clear &&
	gh "$INSIGHT_BIN" -vv ci report --sut shop --base latest~1 >out 2>err &&
	test_grep "http: > POST" err &&
	for f in out err summary.md openapi.out; do
		! grep -q "$TOKEN" $f || { echo "the token is in $f"; return 1; }
	done &&
	! grep -q "$TOKEN" h.db &&
	for fmt in json md html csv; do
		gh "$INSIGHT_BIN" --format $fmt session show latest >show.$fmt 2>&1 &&
		! grep -q "$TOKEN" show.$fmt || return 1
	done
'

stop_contract_server "$SERVER_PID"
start_contract_server github --option token=$TOKEN --option comments=2 --option head_sha=$HEAD || exit 1

test_expect_success '502 twice on the POST: listed again before each resend, one comment in the end' '
	server_faults "[{\"match\": \"POST /repos/octo/shop/issues/1/comments\", \"kind\": \"status\", \"status\": 502, \"times\": 2}]" &&
	gh "$INSIGHT_BIN" -vv ci comment --sut shop --base latest~1 >out 2>err ||
		{ cat err; return 1; }
	test_grep "delivered: comment" err &&
	test "$(grep -c "may have reached the server (HTTP 502): checking" err)" = 2 &&
	server_requests >actual &&
	cat >expect <<-EOF &&
	GET /repos/octo/shop/issues/1/comments?per_page=100
	POST /repos/octo/shop/issues/1/comments
	GET /repos/octo/shop/issues/1/comments?per_page=100
	POST /repos/octo/shop/issues/1/comments
	GET /repos/octo/shop/issues/1/comments?per_page=100
	POST /repos/octo/shop/issues/1/comments
	EOF
	test_cmp expect actual &&
	test "$(insight_comments)" = 1
'

test_expect_success 'ci.report = auto: session run publishes its session, and keeps the tests exit status' '
	: >"$SERVER_LOG" &&
	: >summary.md &&
	{ gh INSIGHT_CI_REPORT=auto "$INSIGHT_BIN" session run --sut shop --report run.xml -- \
		sh -c "cp target.xml run.xml; exit 1" >out 2>err; test $? = 1; } &&
	test_grep "delivered: summary, annotations, comment (updated), checks" err &&
	test_grep "<!-- insight:report sut=shop -->" summary.md &&
	test "$(insight_comments)" = 1 &&
	: >"$SERVER_LOG" &&
	{ gh "$INSIGHT_BIN" session run --sut shop --report run.xml -- \
		sh -c "cp target.xml run.xml; exit 1" >out 2>err; test $? = 1; } &&
	test "$(server_count)" = 0
'

test_done
