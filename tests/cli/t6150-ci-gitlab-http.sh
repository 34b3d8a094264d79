#!/bin/bash
# t6150-ci-gitlab-http - insight ci report in a GitLab merge request
# pipeline, against the contract server: the merge request's note found again
# by its marker through pages and updated in place, the commit status, what a
# CI_JOB_TOKEN cannot do, a refused status, and the token kept out of every
# output.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/server-lib.sh"

export INSIGHT_DB="$TRASH/h.db"
TOKEN=glpat-c0ntractT0kenThatMustNeverLeak
SHA=89abcdef0123456789abcdef0123456789abcdef

# A clean GitLab merge request pipeline of acme/shop, MR !1.
gl() {
	env -i PATH="$PATH" HOME="$HOME" LC_ALL=C TZ=UTC INSIGHT_DB="$INSIGHT_DB" \
		INSIGHT_NET_TIME_SCALE=0.001 no_proxy=127.0.0.1 \
		GITLAB_CI=true CI=true CI_PROJECT_PATH=acme/shop CI_PROJECT_ID=42 \
		CI_COMMIT_SHA=$SHA CI_MERGE_REQUEST_SOURCE_BRANCH_SHA=$SHA CI_MERGE_REQUEST_IID=1 \
		CI_MERGE_REQUEST_TARGET_BRANCH_NAME=main CI_COMMIT_REF_NAME=feature \
		CI_PIPELINE_URL=https://gitlab.example.com/acme/shop/-/pipelines/77 \
		CI_API_V4_URL="$SERVER_URL/api/v4" "$@"
}

insight_notes() {
	server_marked "$SERVER_URL/api/v4/projects/42/merge_requests/1/notes?per_page=100" "PRIVATE-TOKEN: $TOKEN"
}

test_expect_success 'setup: a base session and a target with two new failures' '
	printf "%s\n" "<testsuite name=\"s\">" \
		"<testcase classname=\"tests/test_a.py\" name=\"test_1\"/>" \
		"<testcase classname=\"tests/test_a.py\" name=\"test_2\"/>" \
		"<testcase classname=\"tests/test_a.py\" name=\"test_3\"/></testsuite>" >base.xml &&
	printf "%s\n" "<testsuite name=\"s\">" \
		"<testcase classname=\"tests/test_a.py\" name=\"test_1\"><failure message=\"no\"/></testcase>" \
		"<testcase classname=\"tests/test_a.py\" name=\"test_2\"><failure message=\"no\"/></testcase>" \
		"<testcase classname=\"tests/test_a.py\" name=\"test_3\"/></testsuite>" >target.xml &&
	insight -q session import --sut shop base.xml &&
	insight -q session import --sut shop target.xml
'

start_contract_server gitlab --option token=$TOKEN --option notes=130 || exit 1

test_expect_success 'first report: pages of notes, a new note, the commit status' '
	gl GITLAB_TOKEN=$TOKEN "$INSIGHT_BIN" ci report --sut shop --base latest~1 >out 2>err ||
		{ cat err; return 1; }
	test_grep "delivered: log section, comment (created), status" err &&
	esc=$(printf "\033") &&
	head -n 1 out >first &&
	test_grep "^${esc}\[0Ksection_start:[0-9]*:insight_report_shop\[collapsed=true\]" first &&
	test_grep "insight: 2 new failures, 0 fixed, 0 still failing, 0 flaky; pass rate 33.3%$" first &&
	tail -n 1 out >last &&
	test_grep "^${esc}\[0Ksection_end:[0-9]*:insight_report_shop" last &&
	test_grep "tests/test_a.py::test_1" out &&
	server_requests >actual &&
	cat >expect <<-EOF &&
	GET /api/v4/projects/acme%2Fshop/merge_requests/1/notes?order_by=created_at&per_page=100&sort=asc
	GET /api/v4/projects/acme%2Fshop/merge_requests/1/notes?order_by=created_at&page=2&per_page=100&sort=asc
	POST /api/v4/projects/acme%2Fshop/merge_requests/1/notes
	POST /api/v4/projects/acme%2Fshop/statuses/$SHA
	EOF
	test_cmp expect actual &&
	test "$(insight_notes)" = 1 &&
	"$INSIGHT_PYTHON" - "$SERVER_LOG" <<-\EOF
	import json, sys
	reqs = [json.loads(l) for l in open(sys.argv[1])]
	reqs = [r for r in reqs if r["headers"].get("User-Agent", "").startswith("insight/")]
	assert all(r["headers"].get("PRIVATE-TOKEN") for r in reqs)
	note = json.loads(reqs[2]["body"])
	assert note["body"].startswith("<!-- insight:report sut=shop -->"), note["body"][:60]
	st = json.loads(reqs[3]["body"])
	assert st["state"] == "failed" and st["name"] == "insight/shop", st
	assert st["description"].startswith("2 new failures") and st["ref"] == "feature", st
	assert st["target_url"] == "https://gitlab.example.com/acme/shop/-/pipelines/77", st
	EOF
'

test_expect_success 'second report: the note is found on page 2 and updated, never duplicated' '
	: >"$SERVER_LOG" &&
	gl GITLAB_TOKEN=$TOKEN "$INSIGHT_BIN" ci report --sut shop --base latest~1 >out 2>err &&
	test_grep "comment (updated)" err &&
	server_requests "r[\"method\"] != \"GET\"" >actual &&
	cat >expect <<-EOF &&
	PUT /api/v4/projects/acme%2Fshop/merge_requests/1/notes/5131
	POST /api/v4/projects/acme%2Fshop/statuses/$SHA
	EOF
	test_cmp expect actual &&
	test "$(insight_notes)" = 1
'

test_expect_success 'the token variable is named by ci.gitlab.token-env' '
	: >"$SERVER_LOG" &&
	gl MY_GL=$TOKEN INSIGHT_CI_GITLAB_TOKEN_ENV=MY_GL "$INSIGHT_BIN" ci status --sut shop \
		--base latest~1 >out 2>err &&
	test_grep "delivered: status" err &&
	test "$(server_count)" = 1
'

test_expect_success 'only CI_JOB_TOKEN: nothing is tried, and insight says what to set' '
	: >"$SERVER_LOG" &&
	gl CI_JOB_TOKEN=job-token-123456 "$INSIGHT_BIN" ci report --sut shop --base latest~1 >out 2>err &&
	test_grep "skipped: comment (CI_JOB_TOKEN cannot write notes or statuses: set GITLAB_TOKEN to a project access token with the api scope" err &&
	{ gl CI_JOB_TOKEN=job-token-123456 "$INSIGHT_BIN" ci comment --sut shop --base latest~1 >out 2>err; test $? = 5; } &&
	test_grep "not delivered: comment (CI_JOB_TOKEN cannot write notes" err &&
	test "$(server_count)" = 0
'

test_expect_success 'a refused status: exit 5, what the token needs is said' '
	: >"$SERVER_LOG" &&
	server_faults "[{\"match\": \"POST /api/v4/projects/.*/statuses\", \"kind\": \"status\", \"status\": 403}]" &&
	{ gl GITLAB_TOKEN=$TOKEN "$INSIGHT_BIN" ci status --sut shop --base latest~1 >out 2>err; test $? = 5; } &&
	test_line_count = 1 err &&
	test_grep "not delivered: status (GitLab answered 403: the token needs .api scope, Developer role. (403 Forbidden))" err
'

test_expect_success 'the token is in no output and no trace' '
	: >"$SERVER_LOG" &&
	server_faults_clear &&
	gl GITLAB_TOKEN=$TOKEN "$INSIGHT_BIN" -vv ci report --sut shop --base latest~1 >out 2>err &&
	test_grep "PRIVATE-TOKEN: \*\*\*" err &&
	gl GITLAB_TOKEN=$TOKEN "$INSIGHT_BIN" ci report --sut shop --base latest~1 --dry-run >dry 2>err2 &&
	test_grep "^GET .*/merge_requests/1/notes?sort=asc" dry &&
	test_grep "^POST .*/statuses/$SHA" dry &&
	for f in out err dry err2 h.db; do
		! grep -q "$TOKEN" $f || { echo "the token is in $f"; return 1; }
	done
'

test_done
