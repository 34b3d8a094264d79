#!/bin/bash
# t6172-ci-circleci-travis-pr - insight ci report on CircleCI (a GitHub or a
# Bitbucket pull request, from CIRCLE_PULL_REQUEST) and on Travis CI (a
# GitHub pull request, TRAVIS_PULL_REQUEST and TRAVIS_REPO_SLUG): the pull
# request's comment, created then updated, against the contract server, and
# the session as JUnit for store_test_results; the tokens in no output.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/server-lib.sh"

export INSIGHT_DB="$TRASH/h.db"
NODE_MODULES="$INSIGHT_SRCDIR/tests/node/node_modules"
GH_TOKEN=ghp_c0ntractCircleT0kenThatMustNeverLeak
BB_TOKEN=ATCTT3xCircleC0ntractT0kenNeverLeaks
SHA=89abcdef0123456789abcdef0123456789abcdef
MERGE=fedcba9876543210fedcba9876543210fedcba98

# A clean CircleCI job of a pull request whose URL is $1.
circle() {
	url=$1
	shift
	env -i PATH="$PATH" HOME="$HOME" LC_ALL=C TZ=UTC INSIGHT_DB="$INSIGHT_DB" \
		INSIGHT_NET_TIME_SCALE=0.001 no_proxy=127.0.0.1 CI=true CIRCLECI=true \
		CIRCLE_SHA1=$SHA CIRCLE_BRANCH=feature CIRCLE_PULL_REQUEST="$url" \
		CIRCLE_PULL_REQUESTS="$url" CIRCLE_BUILD_NUM=31 CIRCLE_JOB=test \
		CIRCLE_BUILD_URL=https://app.circleci.com/pipelines/gh/octo/shop/31 \
		CIRCLE_PROJECT_USERNAME=octo CIRCLE_PROJECT_REPONAME=shop \
		CIRCLE_REPOSITORY_URL=git@github.com:octo/shop.git CIRCLE_WORKFLOW_ID=w-1 \
		CIRCLE_NODE_INDEX=0 CIRCLE_NODE_TOTAL=1 "$@"
}

# A clean Travis CI job of pull request 1 of octo/shop.
travis() {
	env -i PATH="$PATH" HOME="$HOME" LC_ALL=C TZ=UTC INSIGHT_DB="$INSIGHT_DB" \
		INSIGHT_NET_TIME_SCALE=0.001 no_proxy=127.0.0.1 CI=true TRAVIS=true \
		CONTINUOUS_INTEGRATION=true TRAVIS_EVENT_TYPE=pull_request \
		TRAVIS_PULL_REQUEST=1 TRAVIS_PULL_REQUEST_SHA=$SHA TRAVIS_COMMIT=$MERGE \
		TRAVIS_PULL_REQUEST_BRANCH=feature TRAVIS_BRANCH=main TRAVIS_REPO_SLUG=octo/shop \
		TRAVIS_PULL_REQUEST_SLUG=ann/shop TRAVIS_BUILD_ID=555 TRAVIS_BUILD_NUMBER=55 \
		TRAVIS_BUILD_WEB_URL=https://app.travis-ci.com/octo/shop/builds/555 \
		TRAVIS_JOB_ID=556 TRAVIS_JOB_NUMBER=55.1 \
		TRAVIS_JOB_WEB_URL=https://app.travis-ci.com/octo/shop/jobs/556 "$@"
}

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

start_contract_server github --option token=$GH_TOKEN --option comments=2 --option head_sha=$SHA || exit 1
GH_URL=$SERVER_URL

test_expect_success 'CircleCI, a GitHub PR: the comment alone, and JUnit for store_test_results' '
	circle https://github.com/octo/shop/pull/1 GITHUB_API_URL="$GH_URL" \
		"$INSIGHT_BIN" --format json ci env >env.json &&
	"$INSIGHT_PYTHON" -c "import json, sys; f = json.load(open(\"env.json\"))[\"facts\"]; assert f[\"publish_to\"] == \"GitHub octo/shop#1\", f" &&
	circle https://github.com/octo/shop/pull/1 GITHUB_API_URL="$GH_URL" GITHUB_TOKEN=$GH_TOKEN \
		"$INSIGHT_BIN" ci report --sut shop --base latest~1 --junit results.xml >out 2>err ||
		{ cat err; return 1; }
	test_grep "delivered: comment (created), junit" err &&
	test_grep "<testcase" results.xml &&
	server_requests >actual &&
	cat >expect <<-EOF &&
	GET /repos/octo/shop/issues/1/comments?per_page=100
	POST /repos/octo/shop/issues/1/comments
	EOF
	test_cmp expect actual &&
	: >"$SERVER_LOG" &&
	circle https://github.com/octo/shop/pull/1 GITHUB_API_URL="$GH_URL" GITHUB_TOKEN=$GH_TOKEN \
		"$INSIGHT_BIN" ci report --sut shop --base latest~1 --junit results.xml >out 2>err &&
	test_grep "delivered: comment (updated), junit" err &&
	server_requests >actual &&
	cat >expect <<-EOF &&
	GET /repos/octo/shop/issues/1/comments?per_page=100
	PATCH /repos/octo/shop/issues/comments/1003
	EOF
	test_cmp expect actual &&
	check_openapi &&
	test "$(server_marked "$GH_URL/repos/octo/shop/issues/1/comments?per_page=100" "Authorization: Bearer $GH_TOKEN")" = 1
'

test_expect_success 'Travis CI, a GitHub PR: the same comment is updated, never duplicated' '
	: >"$SERVER_LOG" &&
	travis GITHUB_API_URL="$GH_URL" "$INSIGHT_BIN" --format json ci env >env.json &&
	"$INSIGHT_PYTHON" -c "import json, sys; f = json.load(open(\"env.json\"))[\"facts\"]; assert f[\"publish_to\"] == \"GitHub octo/shop#1\" and f[\"commit\"] == \"$SHA\", f" &&
	travis GITHUB_API_URL="$GH_URL" GITHUB_TOKEN=$GH_TOKEN \
		"$INSIGHT_BIN" ci report --sut shop --base latest~1 --junit results.xml >out 2>err ||
		{ cat err; return 1; }
	test_grep "delivered: comment (updated), junit" err &&
	server_requests >actual &&
	cat >expect <<-EOF &&
	GET /repos/octo/shop/issues/1/comments?per_page=100
	PATCH /repos/octo/shop/issues/comments/1003
	EOF
	test_cmp expect actual &&
	check_openapi &&
	"$INSIGHT_PYTHON" - "$SERVER_LOG" <<-\EOF &&
	import json, sys
	reqs = [json.loads(l) for l in open(sys.argv[1])]
	body = json.loads(reqs[1]["body"])["body"]
	assert "89abcdef0123" in body and "fedcba987654" not in body, body[:300]
	EOF
	test "$(server_marked "$GH_URL/repos/octo/shop/issues/1/comments?per_page=100" "Authorization: Bearer $GH_TOKEN")" = 1
'

test_expect_success 'Travis CI: a push build, or no token: no request' '
	: >"$SERVER_LOG" &&
	travis TRAVIS_PULL_REQUEST=false GITHUB_API_URL="$GH_URL" GITHUB_TOKEN=$GH_TOKEN \
		"$INSIGHT_BIN" ci report --sut shop --base latest~1 --junit results.xml >out 2>err &&
	test_grep "delivered: junit$" err &&
	travis GITHUB_API_URL="$GH_URL" \
		"$INSIGHT_BIN" ci report --sut shop --base latest~1 --junit results.xml >out 2>err &&
	test_grep "delivered: junit; skipped: comment (no token: set GITHUB_TOKEN" err &&
	test "$(server_count)" = 0
'

start_contract_server bitbucket --option token=$BB_TOKEN --option comments=105 --option pr=2 \
	--option repo=octo/shop || exit 1
BB_URL=$SERVER_URL
BB=/2.0/repositories/octo/shop

test_expect_success 'CircleCI, a Bitbucket PR: the comment through two pages, then updated' '
	circle https://bitbucket.org/octo/shop/pull-requests/2 BITBUCKET_ACCESS_TOKEN=$BB_TOKEN \
		INSIGHT_CI_BITBUCKET_API_URL="$BB_URL/2.0" \
		"$INSIGHT_BIN" ci report --sut shop --base latest~1 --junit results.xml >out 2>err ||
		{ cat err; return 1; }
	test_grep "delivered: comment (created), junit" err &&
	server_requests >actual &&
	cat >expect <<-EOF &&
	GET $BB/pullrequests/2/comments?pagelen=100
	GET $BB/pullrequests/2/comments?page=2&pagelen=100
	POST $BB/pullrequests/2/comments
	EOF
	test_cmp expect actual &&
	: >"$SERVER_LOG" &&
	circle https://bitbucket.org/octo/shop/pull-requests/2 BITBUCKET_ACCESS_TOKEN=$BB_TOKEN \
		INSIGHT_CI_BITBUCKET_API_URL="$BB_URL/2.0" \
		"$INSIGHT_BIN" -vv ci report --sut shop --base latest~1 --junit results.xml >out 2>err &&
	test_grep "delivered: comment (updated), junit" err &&
	server_requests "r[\"method\"] != \"GET\"" >actual &&
	echo "PUT $BB/pullrequests/2/comments/700106" >expect &&
	test_cmp expect actual &&
	test_grep "Authorization: Bearer \*\*\*" err &&
	for f in out err results.xml h.db; do
		for t in $GH_TOKEN $BB_TOKEN; do
			! grep -q "$t" $f || { echo "a token is in $f"; return 1; }
		done
	done
'

test_done
