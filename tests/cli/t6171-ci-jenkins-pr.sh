#!/bin/bash
# t6171-ci-jenkins-pr - insight ci report in a Jenkins multibranch pipeline
# building a pull request (CHANGE_ID, CHANGE_URL, CHANGE_TARGET): the code
# host is recognised from CHANGE_URL and gets what its own CI's row gets,
# against the contract server for GitHub, GitLab and Bitbucket; a second run
# updates the comment; the Markdown, HTML, JSON and JUnit files always go to
# --out-dir; without a token only the files go; the tokens are in no output.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/server-lib.sh"

export INSIGHT_DB="$TRASH/h.db"
NODE_MODULES="$INSIGHT_SRCDIR/tests/node/node_modules"
GH_TOKEN=ghp_c0ntractJenkinsT0kenThatMustNeverLeak
GL_TOKEN=glpat-c0ntractJenkinsT0kenNeverLeaks
BB_TOKEN=ATCTT3xJenkinsC0ntractT0kenNeverLeaks
SHA=0123456789abcdef0123456789abcdef01234567

# A clean Jenkins multibranch build of pull request $PR at CHANGE_URL=$1.
jenkins() {
	url=$1
	shift
	env -i PATH="$PATH" HOME="$HOME" LC_ALL=C TZ=UTC INSIGHT_DB="$INSIGHT_DB" \
		INSIGHT_NET_TIME_SCALE=0.001 no_proxy=127.0.0.1 \
		JENKINS_URL=https://jenkins.example/ JENKINS_HOME=/var/jenkins_home \
		BUILD_NUMBER=12 BUILD_ID=12 JOB_NAME=shop/PR-$PR JOB_BASE_NAME=PR-$PR \
		BUILD_URL=https://jenkins.example/job/shop/job/PR-$PR/12/ \
		BRANCH_NAME=PR-$PR CHANGE_ID=$PR CHANGE_URL="$url" CHANGE_TARGET=main \
		CHANGE_BRANCH=feature CHANGE_TITLE="Fix the cart" CHANGE_AUTHOR=ann \
		GIT_COMMIT=$SHA GIT_BRANCH=PR-$PR GIT_URL=https://git.example/acme/shop.git \
		WORKSPACE="$TRASH" "$@"
}

# check_openapi: every request the GitHub server recorded is an operation of GitHub's API.
check_openapi() {
	NODE_PATH="$NODE_MODULES" node "$INSIGHT_SRCDIR/tests/node/check-github-openapi.js" \
		"$SERVER_LOG" >openapi.out || { cat openapi.out; return 1; }
}

test_expect_success 'setup: a base session and a target with two new failures' '
	test -d "$NODE_MODULES/@octokit/openapi" || { echo "run scripts/setup-deps"; return 1; } &&
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

PR=1
start_contract_server github --option token=$GH_TOKEN --option comments=101 --option head_sha=$SHA || exit 1
GH_URL=$SERVER_URL

test_expect_success 'GitHub PR: ci env names the host, the comment, the check run, the files' '
	jenkins https://github.com/octo/shop/pull/1 GITHUB_API_URL="$GH_URL" \
		"$INSIGHT_BIN" --format json ci env >env.json &&
	"$INSIGHT_PYTHON" - env.json "$GH_URL" <<-\EOF &&
	import json, sys
	f = json.load(open(sys.argv[1]))["facts"]
	assert f["provider"] == "jenkins" and f["publish_to"] == "GitHub octo/shop#1", f
	assert f["repository"] == "octo/shop" and f["api_url"] == sys.argv[2], f
	assert f["base_branch"] == "main" and f["commit"] == "0123456789abcdef0123456789abcdef01234567", f
	EOF
	jenkins https://github.com/octo/shop/pull/1 GITHUB_API_URL="$GH_URL" GITHUB_TOKEN=$GH_TOKEN \
		"$INSIGHT_BIN" ci report --sut shop --base latest~1 --out-dir files >out 2>err ||
		{ cat err; return 1; }
	test_grep "delivered: comment (created), checks (1 request), files, files (JUnit)" err &&
	server_requests >actual &&
	cat >expect <<-EOF &&
	GET /repos/octo/shop/issues/1/comments?per_page=100
	GET /repos/octo/shop/issues/1/comments?page=2&per_page=100
	POST /repos/octo/shop/issues/1/comments
	POST /repos/octo/shop/check-runs
	EOF
	test_cmp expect actual &&
	check_openapi &&
	test "$(server_marked "$GH_URL/repos/octo/shop/issues/1/comments?per_page=100" "Authorization: Bearer $GH_TOKEN")" = 1 &&
	for f in insight-report.md insight-report.html insight-report.json insight-report.xml; do
		test_grep "files/$f" out && test -s files/$f || return 1
	done &&
	test_grep "<!-- insight:report sut=shop -->" files/insight-report.md &&
	test_grep "<testcase" files/insight-report.xml &&
	"$INSIGHT_PYTHON" - "$SERVER_LOG" <<-\EOF
	import json, sys
	reqs = [json.loads(l) for l in open(sys.argv[1])]
	reqs = [r for r in reqs if r["headers"].get("User-Agent", "").startswith("insight/")]
	run = json.loads(reqs[3]["body"])
	assert run["head_sha"] == "0123456789abcdef0123456789abcdef01234567", run
	assert run["conclusion"] == "failure", run
	assert run["details_url"] == "https://jenkins.example/job/shop/job/PR-1/12/", run
	EOF
'

test_expect_success 'GitHub PR, second run: the comment is updated, never duplicated' '
	: >"$SERVER_LOG" &&
	jenkins https://github.com/octo/shop/pull/1 GITHUB_API_URL="$GH_URL" GITHUB_TOKEN=$GH_TOKEN \
		"$INSIGHT_BIN" ci report --sut shop --base latest~1 --out-dir files >out 2>err &&
	test_grep "delivered: comment (updated), checks" err &&
	server_requests "r[\"method\"] != \"GET\"" >actual &&
	cat >expect <<-EOF &&
	PATCH /repos/octo/shop/issues/comments/1102
	POST /repos/octo/shop/check-runs
	EOF
	test_cmp expect actual &&
	check_openapi &&
	test "$(server_marked "$GH_URL/repos/octo/shop/issues/1/comments?per_page=100" "Authorization: Bearer $GH_TOKEN")" = 1
'

test_expect_success 'no token: nothing is sent, the files still go' '
	: >"$SERVER_LOG" &&
	jenkins https://github.com/octo/shop/pull/1 GITHUB_API_URL="$GH_URL" \
		"$INSIGHT_BIN" ci report --sut shop --base latest~1 --out-dir out2 >out 2>err &&
	test_grep "delivered: files, files (JUnit); skipped: comment (no token: set GITHUB_TOKEN" err &&
	test -s out2/insight-report.html &&
	test "$(server_count)" = 0
'

test_expect_success 'a Jenkins build that is no pull request: the files alone' '
	env -i PATH="$PATH" HOME="$HOME" LC_ALL=C INSIGHT_DB="$INSIGHT_DB" \
		JENKINS_URL=https://jenkins.example/ BUILD_NUMBER=13 BRANCH_NAME=main GIT_COMMIT=$SHA \
		GITHUB_API_URL="$GH_URL" GITHUB_TOKEN=$GH_TOKEN \
		"$INSIGHT_BIN" ci report --sut shop --base latest~1 --out-dir out3 >out 2>err &&
	test_grep "delivered: files, files (JUnit)$" err &&
	test "$(server_count)" = 0
'

PR=1
start_contract_server gitlab --option token=$GL_TOKEN --option notes=3 || exit 1
GL_URL=$SERVER_URL

test_expect_success 'GitLab MR (any host, from the /-/merge_requests/ URL): the note, the status' '
	jenkins "$GL_URL/acme/shop/-/merge_requests/1" GITLAB_TOKEN=$GL_TOKEN \
		"$INSIGHT_BIN" ci report --sut shop --base latest~1 --out-dir files >out 2>err ||
		{ cat err; return 1; }
	test_grep "delivered: comment (created), status, files, files (JUnit)" err &&
	server_requests >actual &&
	cat >expect <<-EOF &&
	GET /api/v4/projects/acme%2Fshop/merge_requests/1/notes?order_by=created_at&per_page=100&sort=asc
	POST /api/v4/projects/acme%2Fshop/merge_requests/1/notes
	POST /api/v4/projects/acme%2Fshop/statuses/$SHA
	EOF
	test_cmp expect actual &&
	: >"$SERVER_LOG" &&
	jenkins "$GL_URL/acme/shop/-/merge_requests/1" GITLAB_TOKEN=$GL_TOKEN \
		"$INSIGHT_BIN" ci report --sut shop --base latest~1 --out-dir files >out 2>err &&
	test_grep "delivered: comment (updated), status" err &&
	server_requests "r[\"method\"] != \"GET\"" >actual &&
	cat >expect <<-EOF &&
	PUT /api/v4/projects/acme%2Fshop/merge_requests/1/notes/5004
	POST /api/v4/projects/acme%2Fshop/statuses/$SHA
	EOF
	test_cmp expect actual &&
	test "$(server_marked "$GL_URL/api/v4/projects/42/merge_requests/1/notes?per_page=100" "PRIVATE-TOKEN: $GL_TOKEN")" = 1
'

PR=4
start_contract_server bitbucket --option token=$BB_TOKEN --option comments=2 --option pr=4 || exit 1
BB_URL=$SERVER_URL
BB=/2.0/repositories/acme/shop

test_expect_success 'Bitbucket PR: the comment, the build status, the Code Insights report' '
	jenkins https://bitbucket.org/acme/shop/pull-requests/4 BITBUCKET_ACCESS_TOKEN=$BB_TOKEN \
		INSIGHT_CI_BITBUCKET_API_URL="$BB_URL/2.0" \
		"$INSIGHT_BIN" ci report --sut shop --base latest~1 --out-dir files >out 2>err ||
		{ cat err; return 1; }
	test_grep "delivered: comment (created), status, code insights (2 annotations, 2 requests), files" err &&
	server_requests >actual &&
	cat >expect <<-EOF &&
	GET $BB/pullrequests/4/comments?pagelen=100
	POST $BB/pullrequests/4/comments
	POST $BB/commit/$SHA/statuses/build
	PUT $BB/commit/$SHA/reports/insight-shop
	POST $BB/commit/$SHA/reports/insight-shop/annotations
	EOF
	test_cmp expect actual &&
	: >"$SERVER_LOG" &&
	jenkins https://bitbucket.org/acme/shop/pull-requests/4 BITBUCKET_ACCESS_TOKEN=$BB_TOKEN \
		INSIGHT_CI_BITBUCKET_API_URL="$BB_URL/2.0" \
		"$INSIGHT_BIN" ci report --sut shop --base latest~1 --out-dir files >out 2>err &&
	test_grep "delivered: comment (updated), status, code insights" err &&
	server_requests "r[\"method\"] != \"GET\"" >actual &&
	cat >expect <<-EOF &&
	PUT $BB/pullrequests/4/comments/700003
	POST $BB/commit/$SHA/statuses/build
	PUT $BB/commit/$SHA/reports/insight-shop
	POST $BB/commit/$SHA/reports/insight-shop/annotations
	EOF
	test_cmp expect actual &&
	"$INSIGHT_PYTHON" - "$SERVER_LOG" <<-\EOF
	import json, sys
	reqs = [json.loads(l) for l in open(sys.argv[1])]
	st = [json.loads(r["body"]) for r in reqs if r["path"].endswith("/statuses/build")][0]
	assert st["url"] == "https://jenkins.example/job/shop/job/PR-4/12/", st
	assert st["refname"] == "feature", st
	EOF
'

test_expect_success 'the tokens are in no output, no trace, no dry run, not in the history' '
	jenkins https://bitbucket.org/acme/shop/pull-requests/4 BITBUCKET_ACCESS_TOKEN=$BB_TOKEN \
		INSIGHT_CI_BITBUCKET_API_URL="$BB_URL/2.0" \
		"$INSIGHT_BIN" -vv ci report --sut shop --base latest~1 --out-dir files >o1 2>e1 &&
	jenkins https://github.com/octo/shop/pull/1 GITHUB_API_URL="$GH_URL" GITHUB_TOKEN=$GH_TOKEN \
		"$INSIGHT_BIN" -vv ci report --sut shop --base latest~1 --out-dir files >o2 2>e2 &&
	jenkins "$GL_URL/acme/shop/-/merge_requests/1" GITLAB_TOKEN=$GL_TOKEN \
		"$INSIGHT_BIN" ci report --sut shop --base latest~1 --out-dir files --dry-run >o3 2>e3 &&
	test_grep "Authorization: Bearer \*\*\*" e1 &&
	test_grep "Authorization: Bearer \*\*\*" e2 &&
	test_grep "PRIVATE-TOKEN: \*\*\*" o3 &&
	for f in o1 e1 o2 e2 o3 e3 files/* h.db; do
		for t in $GH_TOKEN $GL_TOKEN $BB_TOKEN; do
			! grep -q "$t" $f || { echo "a token is in $f"; return 1; }
		done
	done
'

test_done
