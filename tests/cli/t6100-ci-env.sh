#!/bin/bash
# t6100-ci-env - insight ci env: for each provider, the variables its jobs
# really have (pull-request builds), and what insight reads from them: the
# pull request's head commit rather than a merge commit, the run and job
# URLs and the API base URL; no CI at all; every output format.
. "$(dirname "$0")/lib.sh"

# ci_facts VAR=value...: the facts of `ci env --format json` in a clean
# environment holding only the given variables, one "key=value" a line.
ci_facts() {
	env -i PATH="$PATH" HOME="$HOME" LC_ALL=C TZ=UTC "$@" \
		"$INSIGHT_BIN" ci env --format json >env.json || return 1
	"$INSIGHT_PYTHON" -c '
import json, sys
d = json.load(open("env.json"))
assert d["schema"] == "insight.ci.env", d["schema"]
for k, v in d["facts"].items():
    if v is not None and k != "provider_name":
        print("%s=%s" % (k, v))' >actual
}

HEAD=0123456789abcdef0123456789abcdef01234567
MERGE=fedcba9876543210fedcba9876543210fedcba98

cat >event.json <<EOF_EVENT
{"pull_request": {"number": 42, "head": {"sha": "$HEAD", "ref": "fix", "repo": {"fork": false}},
 "base": {"ref": "main", "repo": {"full_name": "acme/shop"}}}}
EOF_EVENT

test_expect_success 'GitHub Actions: the head of the PR, not the merge commit GITHUB_SHA' '
	ci_facts GITHUB_ACTIONS=true GITHUB_REPOSITORY=acme/shop GITHUB_SHA=$MERGE \
		GITHUB_REF=refs/pull/42/merge GITHUB_HEAD_REF=fix GITHUB_BASE_REF=main \
		GITHUB_EVENT_PATH="$TRASH/event.json" GITHUB_EVENT_NAME=pull_request \
		GITHUB_RUN_ID=9001 GITHUB_RUN_ATTEMPT=2 GITHUB_JOB=test \
		GITHUB_SERVER_URL=https://github.com GITHUB_API_URL=http://127.0.0.1:1/api &&
	cat >expect <<-EOF_X &&
	provider=github
	repository=acme/shop
	commit=$HEAD
	built_commit=$MERGE
	branch=fix
	base_branch=main
	pull_request=42
	run_id=9001
	run_url=https://github.com/acme/shop/actions/runs/9001
	job=test
	job_url=https://github.com/acme/shop/actions/runs/9001/attempts/2
	api_url=http://127.0.0.1:1/api
	EOF_X
	test_cmp expect actual
'

test_expect_success 'GitHub Actions on a push: the API defaults to api.github.com' '
	ci_facts GITHUB_ACTIONS=true GITHUB_REPOSITORY=acme/shop GITHUB_SHA=$HEAD \
		GITHUB_REF=refs/heads/main GITHUB_REF_NAME=main GITHUB_REF_TYPE=branch \
		GITHUB_RUN_ID=7 GITHUB_SERVER_URL=https://github.com &&
	test_grep "^commit=$HEAD\$" actual &&
	test_grep "^branch=main\$" actual &&
	test_grep "^api_url=https://api.github.com\$" actual &&
	test_grep -v "^pull_request=" actual
'

test_expect_success 'GitLab CI: a merge request pipeline' '
	ci_facts GITLAB_CI=true CI=true CI_PROJECT_PATH=acme/shop CI_COMMIT_SHA=$MERGE \
		CI_MERGE_REQUEST_SOURCE_BRANCH_SHA=$HEAD CI_MERGE_REQUEST_IID=17 \
		CI_MERGE_REQUEST_SOURCE_BRANCH_NAME=fix CI_MERGE_REQUEST_TARGET_BRANCH_NAME=main \
		CI_PIPELINE_ID=300 CI_PIPELINE_URL=https://gitlab.com/acme/shop/-/pipelines/300 \
		CI_JOB_NAME=unit CI_JOB_URL=https://gitlab.com/acme/shop/-/jobs/301 \
		CI_API_V4_URL=https://gitlab.com/api/v4 &&
	cat >expect <<-EOF_X &&
	provider=gitlab
	repository=acme/shop
	commit=$HEAD
	built_commit=$MERGE
	branch=fix
	base_branch=main
	pull_request=17
	run_id=300
	run_url=https://gitlab.com/acme/shop/-/pipelines/300
	job=unit
	job_url=https://gitlab.com/acme/shop/-/jobs/301
	api_url=https://gitlab.com/api/v4
	EOF_X
	test_cmp expect actual
'

test_expect_success 'Bitbucket Pipelines: a pull-request pipeline' '
	ci_facts BITBUCKET_BUILD_NUMBER=55 BITBUCKET_COMMIT=$HEAD BITBUCKET_BRANCH=fix \
		BITBUCKET_PR_ID=8 BITBUCKET_PR_DESTINATION_BRANCH=main \
		BITBUCKET_REPO_FULL_NAME=acme/shop BITBUCKET_WORKSPACE=acme BITBUCKET_REPO_SLUG=shop \
		"BITBUCKET_STEP_UUID={a1b2}" &&
	cat >expect <<-EOF_X &&
	provider=bitbucket
	repository=acme/shop
	commit=$HEAD
	built_commit=$HEAD
	branch=fix
	base_branch=main
	pull_request=8
	run_id=55
	run_url=https://bitbucket.org/acme/shop/addon/pipelines/home#!/results/55
	job={a1b2}
	job_url=https://bitbucket.org/acme/shop/addon/pipelines/home#!/results/55/steps/%7Ba1b2%7D
	api_url=https://api.bitbucket.org/2.0
	EOF_X
	test_cmp expect actual
'

test_expect_success 'Azure Pipelines: a PR build of an Azure Repos repository' '
	ci_facts TF_BUILD=True BUILD_BUILDID=120 BUILD_SOURCEVERSION=$MERGE \
		SYSTEM_PULLREQUEST_SOURCECOMMITID=$HEAD SYSTEM_PULLREQUEST_PULLREQUESTID=31 \
		SYSTEM_PULLREQUEST_SOURCEBRANCH=refs/heads/fix \
		SYSTEM_PULLREQUEST_TARGETBRANCH=refs/heads/main BUILD_SOURCEBRANCH=refs/pull/31/merge \
		SYSTEM_COLLECTIONURI=https://dev.azure.com/acme/ "SYSTEM_TEAMPROJECT=Shop Team" \
		SYSTEM_JOBID=j-1 SYSTEM_JOBDISPLAYNAME=Tests BUILD_REPOSITORY_NAME=shop &&
	cat >expect <<-EOF_X &&
	provider=azure
	repository=shop
	commit=$HEAD
	built_commit=$MERGE
	branch=fix
	base_branch=main
	pull_request=31
	run_id=120
	run_url=https://dev.azure.com/acme/Shop%20Team/_build/results?buildId=120
	job=Tests
	job_url=https://dev.azure.com/acme/Shop%20Team/_build/results?buildId=120&view=logs&j=j-1
	api_url=https://dev.azure.com/acme/
	EOF_X
	test_cmp expect actual
'

test_expect_success 'Jenkins: a multibranch PR build' '
	ci_facts JENKINS_URL=https://ci.example/ BUILD_NUMBER=4 BUILD_URL=https://ci.example/job/shop/PR-5/4/ \
		JOB_NAME=shop/PR-5 CHANGE_ID=5 CHANGE_BRANCH=fix CHANGE_TARGET=main \
		GIT_COMMIT=$HEAD GIT_URL=https://github.com/acme/shop.git &&
	test_grep "^provider=jenkins\$" actual &&
	test_grep "^commit=$HEAD\$" actual &&
	test_grep "^pull_request=5\$" actual &&
	test_grep "^base_branch=main\$" actual &&
	test_grep "^job_url=https://ci.example/job/shop/PR-5/4/\$" actual
'

test_expect_success 'TeamCity: facts from the build properties file' '
	printf "teamcity.build.id=77\nteamcity.build.branch=refs/heads/fix\nteamcity.configuration.properties.file=%s\n" \
		"$TRASH/config.properties" >build.properties &&
	printf "teamcity.serverUrl=https\\\\://tc.example\n" >config.properties &&
	ci_facts TEAMCITY_VERSION=2024.1 BUILD_NUMBER=12 BUILD_VCS_NUMBER=$HEAD \
		TEAMCITY_BUILDCONF_NAME=Unit TEAMCITY_BUILD_PROPERTIES_FILE="$TRASH/build.properties" &&
	test_grep "^provider=teamcity\$" actual &&
	test_grep "^commit=$HEAD\$" actual &&
	test_grep "^branch=fix\$" actual &&
	test_grep "^run_url=https://tc.example/viewLog.html?buildId=77\$" actual
'

test_expect_success 'CircleCI, Travis CI and Buildkite' '
	ci_facts CIRCLECI=true CI=true CIRCLE_SHA1=$HEAD CIRCLE_BRANCH=fix \
		CIRCLE_PULL_REQUEST=https://github.com/acme/shop/pull/9 CIRCLE_BUILD_NUM=3 \
		CIRCLE_BUILD_URL=https://circleci.com/gh/acme/shop/3 CIRCLE_JOB=test \
		CIRCLE_PROJECT_USERNAME=acme CIRCLE_PROJECT_REPONAME=shop &&
	test_grep "^provider=circleci\$" actual && test_grep "^pull_request=9\$" actual &&
	test_grep "^job_url=https://circleci.com/gh/acme/shop/3\$" actual &&
	ci_facts TRAVIS=true TRAVIS_COMMIT=$MERGE TRAVIS_PULL_REQUEST_SHA=$HEAD \
		TRAVIS_PULL_REQUEST=6 TRAVIS_BRANCH=main TRAVIS_PULL_REQUEST_BRANCH=fix \
		TRAVIS_REPO_SLUG=acme/shop TRAVIS_JOB_WEB_URL=https://app.travis-ci.com/acme/shop/jobs/2 &&
	test_grep "^provider=travis\$" actual && test_grep "^commit=$HEAD\$" actual &&
	test_grep "^built_commit=$MERGE\$" actual && test_grep "^base_branch=main\$" actual &&
	test_grep "^api_url=https://api.github.com\$" actual &&
	ci_facts BUILDKITE=true BUILDKITE_COMMIT=$HEAD BUILDKITE_BRANCH=fix BUILDKITE_PULL_REQUEST=4 \
		BUILDKITE_PULL_REQUEST_BASE_BRANCH=main BUILDKITE_BUILD_URL=https://buildkite.com/acme/shop/builds/8 \
		BUILDKITE_JOB_ID=abc BUILDKITE_REPO=git@github.com:acme/shop.git &&
	test_grep "^provider=buildkite\$" actual && test_grep "^repository=acme/shop\$" actual &&
	test_grep "^job_url=https://buildkite.com/acme/shop/builds/8#abc\$" actual
'

test_expect_success 'no CI: local, and every other fact null' '
	ci_facts &&
	echo provider=local >expect && test_cmp expect actual &&
	test "$(json_get env.json "d[\"facts\"][\"provider_name\"]")" = "none (local)"
'

test_expect_success 'every format' '
	for fmt in term md html json; do
		env -i PATH="$PATH" HOME="$HOME" GITLAB_CI=true CI_PROJECT_PATH=acme/shop \
			CI_COMMIT_SHA=$HEAD "$INSIGHT_BIN" ci env --format $fmt >out.$fmt ||
			{ echo "format $fmt failed"; return 1; }
		test_grep "acme/shop" out.$fmt || return 1
	done
'

test_expect_success 'ci env takes no arguments' '
	insight ci env extra 2>err; test $? = 2 &&
	test_grep "takes no arguments" err
'

test_done
