/*
 * test_ci.c - CI detection against recorded environments: for each provider
 * a realistic set of the variables its jobs have (PR and branch builds),
 * plus no CI at all, two providers at once and the process environment.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cmocka.h>

#include "insight/buf.h"
#include "insight/ci.h"
#include "insight/errors.h"

static char tmpdir[64];

/* A recorded environment: NAME, value, NAME, value, ..., NULL. */
static const char *recorded_getenv(void *data, const char *name)
{
	const char *const *vars = data;

	for (size_t i = 0; vars[i]; i += 2)
		if (!strcmp(vars[i], name))
			return vars[i + 1];
	return NULL;
}

static void assert_str_or_null(const char *got, const char *want, const char *what)
{
	if (!want) {
		if (got)
			fail_msg("%s: got '%s', want NULL", what, got);
		return;
	}
	if (!got)
		fail_msg("%s: got NULL, want '%s'", what, want);
	if (strcmp(got, want))
		fail_msg("%s: got '%s', want '%s'", what, got, want);
}

struct want {
	const char *provider, *build_id, *build_url, *job, *pr, *branch, *base_branch, *commit,
		*repo;
};

static void detect_and_check(const char *const *vars, struct want w)
{
	ins_ci_facts f;

	assert_int_equal(ins_ci_detect(&f, recorded_getenv, (void *)vars), 0);
	assert_str_or_null(f.provider, w.provider, "provider");
	assert_str_or_null(f.build_id, w.build_id, "build_id");
	assert_str_or_null(f.build_url, w.build_url, "build_url");
	assert_str_or_null(f.job, w.job, "job");
	assert_str_or_null(f.pr, w.pr, "pr");
	assert_str_or_null(f.branch, w.branch, "branch");
	assert_str_or_null(f.base_branch, w.base_branch, "base_branch");
	assert_str_or_null(f.commit, w.commit, "commit");
	assert_str_or_null(f.repo, w.repo, "repo");
	ins_ci_facts_release(&f);
	assert_null(f.provider);
}

static char *write_tmp(const char *name, const char *text)
{
	ins_buf path = INS_BUF_INIT;
	FILE *f;

	ins_buf_printf(&path, "%s/%s", tmpdir, name);
	f = fopen(path.ptr, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	return ins_buf_detach(&path);
}

#define SHA_MERGE "3f786850e387550fdab836ed7e6dc881de23001b"
#define SHA_HEAD "89e6c98d92887913cadf06b2adb97f26cde4849b"
#define SHA_OTHER "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391"

/* --- GitHub Actions ------------------------------------------------------------ */

static void test_github_push(void **state)
{
	const char *const env[] = {
		"CI", "true",
		"GITHUB_ACTIONS", "true",
		"GITHUB_EVENT_NAME", "push",
		"GITHUB_JOB", "unit-tests",
		"GITHUB_REF", "refs/heads/main",
		"GITHUB_REF_NAME", "main",
		"GITHUB_REF_TYPE", "branch",
		"GITHUB_REPOSITORY", "acme/shop",
		"GITHUB_RUN_ATTEMPT", "1",
		"GITHUB_RUN_ID", "7412345678",
		"GITHUB_RUN_NUMBER", "311",
		"GITHUB_SERVER_URL", "https://github.com",
		"GITHUB_SHA", SHA_HEAD,
		"GITHUB_WORKFLOW", "CI",
		"RUNNER_OS", "Linux",
		NULL
	};

	(void)state;
	detect_and_check(env, (struct want){
		"github", "7412345678", "https://github.com/acme/shop/actions/runs/7412345678",
		"unit-tests", NULL, "main", NULL, SHA_HEAD, "acme/shop" });
}

static void test_github_pull_request(void **state)
{
	char *event = write_tmp("pr-event.json",
		"{\n  \"action\": \"synchronize\",\n  \"number\": 42,\n"
		"  \"pull_request\": {\n    \"number\": 42,\n    \"title\": \"Faster \\u00fcber checkout\",\n"
		"    \"head\": {\"ref\": \"feature/login\", \"sha\": \"" SHA_HEAD "\"},\n"
		"    \"base\": {\"ref\": \"main\", \"sha\": \"" SHA_OTHER "\"}\n  },\n"
		"  \"repository\": {\"full_name\": \"acme/shop\"}\n}\n");
	const char *const env[] = {
		"GITHUB_ACTIONS", "true",
		"GITHUB_BASE_REF", "main",
		"GITHUB_EVENT_NAME", "pull_request",
		"GITHUB_EVENT_PATH", event,
		"GITHUB_HEAD_REF", "feature/login",
		"GITHUB_JOB", "test",
		"GITHUB_REF", "refs/pull/42/merge",
		"GITHUB_REF_NAME", "42/merge",
		"GITHUB_REF_TYPE", "branch",
		"GITHUB_REPOSITORY", "acme/shop",
		"GITHUB_RUN_ID", "7412399999",
		"GITHUB_SERVER_URL", "https://github.example.com",
		"GITHUB_SHA", SHA_MERGE,
		NULL
	};

	(void)state;
	/* The branch is the PR's source, not "42/merge"; the commit is the merge commit built. */
	detect_and_check(env, (struct want){
		"github", "7412399999", "https://github.example.com/acme/shop/actions/runs/7412399999",
		"test", "42", "feature/login", "main", SHA_MERGE, "acme/shop" });
	free(event);
}

static void test_github_pull_request_target_uses_event(void **state)
{
	/* pull_request_target runs on the base branch: GITHUB_REF names no PR, the event does. */
	char *event = write_tmp("prt-event.json",
		"{\"pull_request\": {\"number\": 77, \"head\": {\"ref\": \"fix/typo\", \"sha\": \""
		SHA_HEAD "\"}, \"base\": {\"ref\": \"develop\"}}}");
	const char *const env[] = {
		"GITHUB_ACTIONS", "true",
		"GITHUB_EVENT_NAME", "pull_request_target",
		"GITHUB_EVENT_PATH", event,
		"GITHUB_HEAD_REF", "fix/typo",
		"GITHUB_JOB", "label",
		"GITHUB_REF", "refs/heads/develop",
		"GITHUB_REF_NAME", "develop",
		"GITHUB_REPOSITORY", "acme/shop",
		"GITHUB_RUN_ID", "1001",
		"GITHUB_SHA", SHA_OTHER,
		NULL
	};

	(void)state;
	/* No GITHUB_SERVER_URL and no GITHUB_BASE_REF: github.com, base from the event. */
	detect_and_check(env, (struct want){
		"github", "1001", "https://github.com/acme/shop/actions/runs/1001", "label", "77",
		"fix/typo", "develop", SHA_OTHER, "acme/shop" });
	free(event);
}

static void test_github_tag_and_bad_event_file(void **state)
{
	char *event = write_tmp("bad-event.json", "{\"pull_request\": {\"number\": ");
	const char *const env[] = {
		"GITHUB_ACTIONS", "true",
		"GITHUB_EVENT_NAME", "push",
		"GITHUB_EVENT_PATH", event,
		"GITHUB_JOB", "release",
		"GITHUB_REF", "refs/tags/v1.2.0",
		"GITHUB_REF_NAME", "v1.2.0",
		"GITHUB_REF_TYPE", "tag",
		"GITHUB_REPOSITORY", "acme/shop",
		"GITHUB_RUN_ID", "55",
		"GITHUB_SERVER_URL", "https://github.com",
		"GITHUB_SHA", SHA_HEAD,
		NULL
	};
	const char *const env_missing[] = {
		"GITHUB_ACTIONS", "true",
		"GITHUB_EVENT_PATH", "/nonexistent/event.json",
		"GITHUB_REF", "refs/heads/main",
		"GITHUB_REPOSITORY", "acme/shop",
		"GITHUB_RUN_ID", "56",
		NULL
	};

	(void)state;
	/* A tag build has no branch; a truncated event file gives nothing and breaks nothing. */
	detect_and_check(env, (struct want){
		"github", "55", "https://github.com/acme/shop/actions/runs/55", "release", NULL, NULL,
		NULL, SHA_HEAD, "acme/shop" });
	detect_and_check(env_missing, (struct want){
		"github", "56", "https://github.com/acme/shop/actions/runs/56", NULL, NULL, "main",
		NULL, NULL, "acme/shop" });
	free(event);
}

/* --- GitLab CI ------------------------------------------------------------------- */

static void test_gitlab(void **state)
{
	const char *const mr[] = {
		"CI", "true",
		"GITLAB_CI", "true",
		"CI_API_V4_URL", "https://gitlab.example.com/api/v4",
		"CI_COMMIT_REF_NAME", "feature/cart",
		"CI_COMMIT_SHA", SHA_HEAD,
		"CI_JOB_ID", "5551234",
		"CI_JOB_NAME", "pytest: [3.11]",
		"CI_JOB_URL", "https://gitlab.example.com/acme/web/shop/-/jobs/5551234",
		"CI_MERGE_REQUEST_IID", "128",
		"CI_MERGE_REQUEST_SOURCE_BRANCH_NAME", "feature/cart",
		"CI_MERGE_REQUEST_TARGET_BRANCH_NAME", "main",
		"CI_PIPELINE_ID", "998877",
		"CI_PIPELINE_SOURCE", "merge_request_event",
		"CI_PIPELINE_URL", "https://gitlab.example.com/acme/web/shop/-/pipelines/998877",
		"CI_PROJECT_ID", "42",
		"CI_PROJECT_PATH", "acme/web/shop",
		NULL
	};
	const char *const branch[] = {
		"GITLAB_CI", "true",
		"CI_COMMIT_BRANCH", "main",
		"CI_COMMIT_REF_NAME", "main",
		"CI_COMMIT_SHA", SHA_OTHER,
		"CI_JOB_NAME", "test",
		"CI_PIPELINE_ID", "998878",
		"CI_PIPELINE_URL", "https://gitlab.com/acme/shop/-/pipelines/998878",
		"CI_PROJECT_PATH", "acme/shop",
		NULL
	};
	const char *const tag[] = {
		"GITLAB_CI", "true",
		"CI_COMMIT_REF_NAME", "v2.0",
		"CI_COMMIT_TAG", "v2.0",
		"CI_COMMIT_SHA", SHA_OTHER,
		"CI_PIPELINE_ID", "998879",
		"CI_JOB_URL", "https://gitlab.com/acme/shop/-/jobs/1",
		NULL
	};
	const char *const old_gitlab[] = {
		"GITLAB_CI", "true",
		"CI_COMMIT_REF_NAME", "release-1",
		"CI_PIPELINE_ID", "12",
		NULL
	};

	(void)state;
	detect_and_check(mr, (struct want){
		"gitlab", "998877", "https://gitlab.example.com/acme/web/shop/-/pipelines/998877",
		"pytest: [3.11]", "128", "feature/cart", "main", SHA_HEAD, "acme/web/shop" });
	detect_and_check(branch, (struct want){
		"gitlab", "998878", "https://gitlab.com/acme/shop/-/pipelines/998878", "test", NULL,
		"main", NULL, SHA_OTHER, "acme/shop" });
	/* A tag pipeline: no branch; no pipeline URL, so the job URL. */
	detect_and_check(tag, (struct want){
		"gitlab", "998879", "https://gitlab.com/acme/shop/-/jobs/1", NULL, NULL, NULL, NULL,
		SHA_OTHER, NULL });
	/* Before GitLab 12.6 there is no CI_COMMIT_BRANCH. */
	detect_and_check(old_gitlab, (struct want){
		"gitlab", "12", NULL, NULL, NULL, "release-1", NULL, NULL, NULL });
}

/* --- Jenkins -------------------------------------------------------------------- */

static void test_jenkins(void **state)
{
	const char *const multibranch_pr[] = {
		"BRANCH_NAME", "PR-17",
		"BUILD_ID", "4",
		"BUILD_NUMBER", "4",
		"BUILD_URL", "https://jenkins.example.com/job/shop/job/PR-17/4/",
		"CHANGE_BRANCH", "feature/search",
		"CHANGE_ID", "17",
		"CHANGE_TARGET", "main",
		"CHANGE_URL", "https://github.com/acme/shop/pull/17",
		"EXECUTOR_NUMBER", "1",
		"GIT_COMMIT", SHA_MERGE,
		"JENKINS_HOME", "/var/jenkins_home",
		"JENKINS_URL", "https://jenkins.example.com/",
		"JOB_NAME", "shop/PR-17",
		"NODE_NAME", "agent-3",
		NULL
	};
	const char *const freestyle[] = {
		"BUILD_NUMBER", "1203",
		"BUILD_URL", "https://ci.internal/job/shop-nightly/1203/",
		"GIT_BRANCH", "origin/release/2.x",
		"GIT_COMMIT", SHA_OTHER,
		"GIT_URL", "git@github.com:acme/shop.git",
		"JENKINS_URL", "https://ci.internal/",
		"JOB_NAME", "shop-nightly",
		NULL
	};
	const char *const ghprb[] = {
		"BUILD_NUMBER", "88",
		"GIT_BRANCH", "origin/pr/5/merge",
		"GIT_COMMIT", SHA_MERGE,
		"GIT_URL", "https://github.com/acme/shop",
		"JENKINS_URL", "http://localhost:8080/",
		"ghprbActualCommit", SHA_HEAD,
		"ghprbPullId", "5",
		"ghprbSourceBranch", "hotfix",
		"ghprbTargetBranch", "main",
		NULL
	};

	(void)state;
	detect_and_check(multibranch_pr, (struct want){
		"jenkins", "4", "https://jenkins.example.com/job/shop/job/PR-17/4/", "shop/PR-17",
		"17", "feature/search", "main", SHA_MERGE, NULL });
	detect_and_check(freestyle, (struct want){
		"jenkins", "1203", "https://ci.internal/job/shop-nightly/1203/", "shop-nightly", NULL,
		"release/2.x", NULL, SHA_OTHER, "acme/shop" });
	detect_and_check(ghprb, (struct want){
		"jenkins", "88", NULL, NULL, "5", "hotfix", "main", SHA_HEAD, "acme/shop" });
}

/* --- Azure Pipelines ---------------------------------------------------------------- */

static void test_azure(void **state)
{
	const char *const github_pr[] = {
		"TF_BUILD", "True",
		"AGENT_JOBNAME", "Job",
		"BUILD_BUILDID", "20931",
		"BUILD_BUILDNUMBER", "20240311.4",
		"BUILD_REPOSITORY_ID", "acme/shop",
		"BUILD_REPOSITORY_NAME", "acme/shop",
		"BUILD_REPOSITORY_PROVIDER", "GitHub",
		"BUILD_SOURCEBRANCH", "refs/pull/123/merge",
		"BUILD_SOURCEBRANCHNAME", "merge",
		"BUILD_SOURCEVERSION", SHA_MERGE,
		"SYSTEM_COLLECTIONURI", "https://dev.azure.com/acme/",
		"SYSTEM_JOBDISPLAYNAME", "Test on Linux",
		"SYSTEM_JOBID", "12f1170f-54f2-53f3-20dd-22fc7dff55f9",
		"SYSTEM_PULLREQUEST_PULLREQUESTID", "1678912345",
		"SYSTEM_PULLREQUEST_PULLREQUESTNUMBER", "123",
		"SYSTEM_PULLREQUEST_SOURCEBRANCH", "feature/pay",
		"SYSTEM_PULLREQUEST_TARGETBRANCH", "refs/heads/main",
		"SYSTEM_TEAMPROJECT", "Web Shop",
		NULL
	};
	const char *const azure_repos_ci[] = {
		"TF_BUILD", "True",
		"BUILD_BUILDID", "20932",
		"BUILD_REPOSITORY_ID", "3c1a2b4d-0000-4000-8000-123456789abc",
		"BUILD_REPOSITORY_NAME", "shop",
		"BUILD_SOURCEBRANCH", "refs/heads/feature/a/b",
		"BUILD_SOURCEBRANCHNAME", "b",
		"BUILD_SOURCEVERSION", SHA_OTHER,
		"SYSTEM_COLLECTIONURI", "https://dev.azure.com/acme/",
		"SYSTEM_TEAMPROJECT", "Shop",
		"AGENT_JOBNAME", "Build",
		NULL
	};
	const char *const azure_repos_pr[] = {
		"TF_BUILD", "True",
		"BUILD_BUILDID", "20933",
		"BUILD_SOURCEBRANCH", "refs/pull/31/merge",
		"SYSTEM_PULLREQUEST_PULLREQUESTID", "31",
		"SYSTEM_PULLREQUEST_SOURCEBRANCH", "refs/heads/topic",
		"SYSTEM_PULLREQUEST_TARGETBRANCH", "refs/heads/main",
		NULL
	};

	(void)state;
	detect_and_check(github_pr, (struct want){
		"azure", "20931", "https://dev.azure.com/acme/Web%20Shop/_build/results?buildId=20931",
		"Test on Linux", "123", "feature/pay", "main", SHA_MERGE, "acme/shop" });
	/* The branch keeps its slashes (BUILD_SOURCEBRANCHNAME would say only "b"). */
	detect_and_check(azure_repos_ci, (struct want){
		"azure", "20932", "https://dev.azure.com/acme/Shop/_build/results?buildId=20932",
		"Build", NULL, "feature/a/b", NULL, SHA_OTHER, "shop" });
	detect_and_check(azure_repos_pr, (struct want){
		"azure", "20933", NULL, NULL, "31", "topic", "main", NULL, NULL });
}

/* --- CircleCI, Travis, Bitbucket, Buildkite, TeamCity ---------------------------- */

static void test_circleci(void **state)
{
	const char *const pr[] = {
		"CI", "true",
		"CIRCLECI", "true",
		"CIRCLE_BRANCH", "pull/9",
		"CIRCLE_BUILD_NUM", "2231",
		"CIRCLE_BUILD_URL", "https://circleci.com/gh/acme/shop/2231",
		"CIRCLE_JOB", "test-py311",
		"CIRCLE_NODE_INDEX", "0",
		"CIRCLE_PROJECT_REPONAME", "shop",
		"CIRCLE_PROJECT_USERNAME", "acme",
		"CIRCLE_PULL_REQUEST", "https://github.com/acme/shop/pull/9",
		"CIRCLE_SHA1", SHA_HEAD,
		"CIRCLE_WORKFLOW_ID", "6b7ad0e5-0000-4000-8000-b1c1e2f3a4b5",
		NULL
	};
	const char *const fork_pr[] = {
		"CIRCLECI", "true",
		"CIRCLE_BRANCH", "pull/10",
		"CIRCLE_BUILD_NUM", "2232",
		"CIRCLE_PR_NUMBER", "10",
		"CIRCLE_PULL_REQUEST", "https://github.com/acme/shop/pull/10",
		"CIRCLE_SHA1", SHA_OTHER,
		NULL
	};

	(void)state;
	detect_and_check(pr, (struct want){
		"circleci", "2231", "https://circleci.com/gh/acme/shop/2231", "test-py311", "9",
		"pull/9", NULL, SHA_HEAD, "acme/shop" });
	detect_and_check(fork_pr, (struct want){
		"circleci", "2232", NULL, NULL, "10", "pull/10", NULL, SHA_OTHER, NULL });
}

static void test_travis(void **state)
{
	const char *const pr[] = {
		"CI", "true",
		"TRAVIS", "true",
		"TRAVIS_BRANCH", "main",
		"TRAVIS_BUILD_ID", "612345678",
		"TRAVIS_BUILD_NUMBER", "1402",
		"TRAVIS_BUILD_WEB_URL", "https://app.travis-ci.com/acme/shop/builds/612345678",
		"TRAVIS_COMMIT", SHA_MERGE,
		"TRAVIS_JOB_ID", "598765432",
		"TRAVIS_JOB_NAME", "unit",
		"TRAVIS_JOB_NUMBER", "1402.1",
		"TRAVIS_PULL_REQUEST", "64",
		"TRAVIS_PULL_REQUEST_BRANCH", "feature/csv",
		"TRAVIS_PULL_REQUEST_SHA", SHA_HEAD,
		"TRAVIS_REPO_SLUG", "acme/shop",
		NULL
	};
	const char *const push[] = {
		"TRAVIS", "true",
		"TRAVIS_BRANCH", "main",
		"TRAVIS_BUILD_ID", "612345679",
		"TRAVIS_COMMIT", SHA_OTHER,
		"TRAVIS_JOB_NUMBER", "1403.2",
		"TRAVIS_PULL_REQUEST", "false",
		"TRAVIS_PULL_REQUEST_BRANCH", "",
		"TRAVIS_REPO_SLUG", "acme/shop",
		NULL
	};

	(void)state;
	/* In a PR build TRAVIS_BRANCH is the target. */
	detect_and_check(pr, (struct want){
		"travis", "612345678", "https://app.travis-ci.com/acme/shop/builds/612345678", "unit",
		"64", "feature/csv", "main", SHA_MERGE, "acme/shop" });
	detect_and_check(push, (struct want){
		"travis", "612345679", NULL, "1403.2", NULL, "main", NULL, SHA_OTHER, "acme/shop" });
}

static void test_bitbucket(void **state)
{
	const char *const pr[] = {
		"CI", "true",
		"BITBUCKET_BRANCH", "feature/BB-7",
		"BITBUCKET_BUILD_NUMBER", "519",
		"BITBUCKET_CLONE_DIR", "/opt/atlassian/pipelines/agent/build",
		"BITBUCKET_COMMIT", SHA_HEAD,
		"BITBUCKET_PIPELINE_UUID", "{1d2c3b4a-0000-4000-8000-aaaaaaaaaaaa}",
		"BITBUCKET_PR_DESTINATION_BRANCH", "main",
		"BITBUCKET_PR_ID", "7",
		"BITBUCKET_REPO_FULL_NAME", "acme/shop",
		"BITBUCKET_REPO_SLUG", "shop",
		"BITBUCKET_STEP_UUID", "{9f8e7d6c-0000-4000-8000-bbbbbbbbbbbb}",
		"BITBUCKET_WORKSPACE", "acme",
		NULL
	};
	const char *const branch[] = {
		"BITBUCKET_BRANCH", "main",
		"BITBUCKET_BUILD_NUMBER", "520",
		"BITBUCKET_COMMIT", SHA_OTHER,
		"BITBUCKET_REPO_SLUG", "shop",
		"BITBUCKET_WORKSPACE", "acme",
		NULL
	};

	(void)state;
	detect_and_check(pr, (struct want){
		"bitbucket", "519",
		"https://bitbucket.org/acme/shop/addon/pipelines/home#!/results/519",
		"{9f8e7d6c-0000-4000-8000-bbbbbbbbbbbb}", "7", "feature/BB-7", "main", SHA_HEAD,
		"acme/shop" });
	/* Without the full name: the repository from workspace and slug, but no URL. */
	detect_and_check(branch, (struct want){
		"bitbucket", "520", NULL, NULL, NULL, "main", NULL, SHA_OTHER, "acme/shop" });
}

static void test_buildkite(void **state)
{
	const char *const pr[] = {
		"CI", "true",
		"BUILDKITE", "true",
		"BUILDKITE_BRANCH", "feature/speed",
		"BUILDKITE_BUILD_ID", "0190f3a2-0000-4000-8000-cccccccccccc",
		"BUILDKITE_BUILD_NUMBER", "1552",
		"BUILDKITE_BUILD_URL", "https://buildkite.com/acme/shop/builds/1552",
		"BUILDKITE_COMMIT", "HEAD",
		"BUILDKITE_JOB_ID", "0190f3a2-1111-4000-8000-dddddddddddd",
		"BUILDKITE_LABEL", ":pytest: tests",
		"BUILDKITE_PULL_REQUEST", "301",
		"BUILDKITE_PULL_REQUEST_BASE_BRANCH", "main",
		"BUILDKITE_REPO", "git@github.com:acme/shop.git",
		NULL
	};
	const char *const push[] = {
		"BUILDKITE", "true",
		"BUILDKITE_BRANCH", "main",
		"BUILDKITE_BUILD_NUMBER", "1553",
		"BUILDKITE_COMMIT", SHA_OTHER,
		"BUILDKITE_PULL_REQUEST", "false",
		"BUILDKITE_PULL_REQUEST_BASE_BRANCH", "",
		"BUILDKITE_REPO", "https://github.com/acme/shop.git",
		"BUILDKITE_STEP_KEY", "tests",
		NULL
	};

	(void)state;
	/* "HEAD" (before checkout) is not a commit. */
	detect_and_check(pr, (struct want){
		"buildkite", "1552", "https://buildkite.com/acme/shop/builds/1552", ":pytest: tests",
		"301", "feature/speed", "main", NULL, "acme/shop" });
	detect_and_check(push, (struct want){
		"buildkite", "1553", NULL, "tests", NULL, "main", NULL, SHA_OTHER, "acme/shop" });
}

static void test_teamcity(void **state)
{
	char *config = write_tmp("tc-config.properties",
		"#TeamCity configuration parameters\n"
		"teamcity.serverUrl=https\\://tc.example.com\n"
		"vcsroot.url=https\\://github.com/acme/shop.git\n");
	ins_buf build_props = INS_BUF_INIT;
	char *build;
	const char *env[] = {
		"BUILD_NUMBER", "240",
		"BUILD_VCS_NUMBER", SHA_HEAD,
		"TEAMCITY_BUILDCONF_NAME", "Unit Tests",
		"TEAMCITY_BUILD_PROPERTIES_FILE", NULL, /* set below */
		"TEAMCITY_PROJECT_NAME", "Shop",
		"TEAMCITY_VERSION", "2023.11.3 (build 147512)",
		NULL
	};
	const char *const bare[] = {
		"BUILD_NUMBER", "241",
		"TEAMCITY_VERSION", "2023.11.3 (build 147512)",
		NULL
	};

	(void)state;
	ins_buf_printf(&build_props,
		       "#TeamCity build properties without 'system.' prefix\n"
		       "teamcity.build.id=93811\n"
		       "teamcity.build.branch=feature/tc\n"
		       "teamcity.buildConfName=Unit Tests\n"
		       "teamcity.configuration.properties.file=%s\n"
		       "teamcity.pullRequest.number=12\n"
		       "teamcity.pullRequest.source.branch=refs/heads/feature/tc\n"
		       "teamcity.pullRequest.target.branch=refs/heads/main\n"
		       "teamcity.version=2023.11.3 (build 147512)\n", config);
	build = write_tmp("tc-build.properties", build_props.ptr);
	env[7] = build;
	detect_and_check(env, (struct want){
		"teamcity", "93811", "https://tc.example.com/viewLog.html?buildId=93811", "Unit Tests",
		"12", "feature/tc", "main", SHA_HEAD, NULL });
	/* Without the properties files only the variables are left. */
	detect_and_check(bare, (struct want){
		"teamcity", "241", NULL, NULL, NULL, NULL, NULL, NULL, NULL });
	ins_buf_release(&build_props);
	free(build);
	free(config);
}

/* --- no CI, several CIs, the generic marker, the process environment ---------------- */

static void test_local(void **state)
{
	const char *const empty[] = { NULL };
	const char *const developer[] = {
		"HOME", "/home/ada",
		"PATH", "/usr/local/bin:/usr/bin:/bin",
		"SHELL", "/bin/zsh",
		"TERM", "xterm-256color",
		"GITHUB_TOKEN", "ghp_not_a_ci_marker",
		"BUILD_NUMBER", "7",
		"GITHUB_ACTIONS", "",
		"CI", "false",
		NULL
	};

	(void)state;
	detect_and_check(empty, (struct want){ .provider = NULL });
	/* Stray variables of a provider are not its marker; empty and "false" markers do not count. */
	detect_and_check(developer, (struct want){ .provider = NULL });
}

static void test_generic_ci(void **state)
{
	const char *const env[] = { "CI", "true", "BUILD_NUMBER", "3", NULL };
	const char *const env1[] = { "CI", "1", NULL };

	(void)state;
	detect_and_check(env, (struct want){ .provider = "generic" });
	detect_and_check(env1, (struct want){ .provider = "generic" });
}

static void test_two_providers(void **state)
{
	/* A GitHub Actions runner started by a Jenkins job: GitHub wins, nothing of Jenkins leaks. */
	const char *const github_in_jenkins[] = {
		"BUILD_NUMBER", "900",
		"BUILD_URL", "https://jenkins.example.com/job/runner/900/",
		"GIT_COMMIT", SHA_OTHER,
		"JENKINS_URL", "https://jenkins.example.com/",
		"JOB_NAME", "runner",
		"GITHUB_ACTIONS", "true",
		"GITHUB_JOB", "build",
		"GITHUB_REF", "refs/heads/main",
		"GITHUB_REPOSITORY", "acme/shop",
		"GITHUB_RUN_ID", "31337",
		"GITHUB_SERVER_URL", "https://github.com",
		"GITHUB_SHA", SHA_HEAD,
		NULL
	};
	/* GitLab variables leaked into a Travis container: the table order decides. */
	const char *const gitlab_and_travis[] = {
		"TRAVIS", "true",
		"TRAVIS_BUILD_ID", "1",
		"TRAVIS_BRANCH", "travis-branch",
		"GITLAB_CI", "true",
		"CI_PIPELINE_ID", "2",
		"CI_COMMIT_BRANCH", "gitlab-branch",
		NULL
	};
	/* A marker with the wrong value does not count: GITHUB_ACTIONS=false under Jenkins. */
	const char *const not_github[] = {
		"GITHUB_ACTIONS", "false",
		"GITHUB_RUN_ID", "1",
		"JENKINS_URL", "https://jenkins.example.com/",
		"BUILD_NUMBER", "901",
		"BRANCH_NAME", "main",
		NULL
	};

	(void)state;
	detect_and_check(github_in_jenkins, (struct want){
		"github", "31337", "https://github.com/acme/shop/actions/runs/31337", "build", NULL,
		"main", NULL, SHA_HEAD, "acme/shop" });
	detect_and_check(gitlab_and_travis, (struct want){
		"gitlab", "2", NULL, NULL, NULL, "gitlab-branch", NULL, NULL, NULL });
	detect_and_check(not_github, (struct want){
		"jenkins", "901", NULL, NULL, NULL, "main", NULL, NULL, NULL });
}

static void test_process_environment(void **state)
{
	static const char *const markers[] = {
		"GITHUB_ACTIONS", "GITLAB_CI", "TF_BUILD", "CIRCLECI", "TRAVIS",
		"BITBUCKET_BUILD_NUMBER", "TEAMCITY_VERSION", "JENKINS_URL", "CI", NULL
	};
	ins_ci_facts f;

	(void)state;
	/* Whatever CI runs this test, its own markers must not get in the way. */
	for (size_t i = 0; markers[i]; i++)
		unsetenv(markers[i]);
	setenv("BUILDKITE", "true", 1);
	setenv("BUILDKITE_BUILD_NUMBER", "77", 1);
	setenv("BUILDKITE_BRANCH", "env-branch", 1);
	setenv("BUILDKITE_PULL_REQUEST", "false", 1);
	assert_int_equal(ins_ci_detect(&f, NULL, NULL), 0);
	assert_string_equal(f.provider, "buildkite");
	assert_string_equal(f.build_id, "77");
	assert_string_equal(f.branch, "env-branch");
	assert_null(f.pr);
	ins_ci_facts_release(&f);

	unsetenv("BUILDKITE");
	assert_int_equal(ins_ci_detect(&f, NULL, NULL), 0);
	assert_null(f.provider);
	assert_null(f.build_id);
	ins_ci_facts_release(&f);
}

static void test_host_name(void **state)
{
	ins_buf b = INS_BUF_INIT;
	struct utsname u;

	(void)state;
	ins_buf_puts(&b, "host=");
	assert_int_equal(ins_host_name(&b), 0);
	assert_int_equal(uname(&u), 0);
	assert_true(b.len > 5);
	assert_string_equal(b.ptr + 5, u.nodename);
	ins_buf_release(&b);
}

static int setup(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/insight-ci-XXXXXX");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
	static const char *const files[] = {
		"pr-event.json", "prt-event.json", "bad-event.json", "tc-config.properties",
		"tc-build.properties", NULL
	};
	ins_buf p = INS_BUF_INIT;

	(void)state;
	for (size_t i = 0; files[i]; i++) {
		ins_buf_clear(&p);
		ins_buf_printf(&p, "%s/%s", tmpdir, files[i]);
		unlink(p.ptr);
	}
	ins_buf_release(&p);
	return rmdir(tmpdir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_github_push),
		cmocka_unit_test(test_github_pull_request),
		cmocka_unit_test(test_github_pull_request_target_uses_event),
		cmocka_unit_test(test_github_tag_and_bad_event_file),
		cmocka_unit_test(test_gitlab),
		cmocka_unit_test(test_jenkins),
		cmocka_unit_test(test_azure),
		cmocka_unit_test(test_circleci),
		cmocka_unit_test(test_travis),
		cmocka_unit_test(test_bitbucket),
		cmocka_unit_test(test_buildkite),
		cmocka_unit_test(test_teamcity),
		cmocka_unit_test(test_local),
		cmocka_unit_test(test_generic_ci),
		cmocka_unit_test(test_two_providers),
		cmocka_unit_test(test_process_environment),
		cmocka_unit_test(test_host_name),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
