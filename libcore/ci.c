/*
 * ci.c - CI provider detection, one table row per provider.
 *
 * A row names the variable that identifies the provider and, for each fact,
 * up to four alternatives tried in order. An alternative is a template
 * ("${GITHUB_SERVER_URL}/${GITHUB_REPOSITORY}/actions/runs/${GITHUB_RUN_ID}")
 * that applies only when every variable it names is set and non-empty, an
 * optional guard variable, and a transform that checks or reshapes the
 * result (a PR number must be digits, "refs/heads/x" becomes "x"); the first
 * alternative that gives a value wins.
 *
 * Some providers keep facts in files rather than variables. A row's loader
 * reads them into extra variables with lowercase dotted names that
 * templates use like any other: GitHub's event file gives
 * ${event.pull_request.number}, TeamCity's build properties give
 * ${teamcity.build.id}. Those files are optional: when they cannot be read,
 * the facts they would give stay NULL.
 *
 * Where a provider gives both the merge commit it built and the head of the
 * pull request, `commit` is the one checked out (GITHUB_SHA, TRAVIS_COMMIT,
 * BUILD_SOURCEVERSION), so that it agrees with the git facts of the session.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "insight/buf.h"
#include "insight/ci.h"
#include "insight/errors.h"

enum ci_field {
	F_BUILD_ID, F_BUILD_URL, F_JOB, F_PR, F_BRANCH, F_BASE, F_COMMIT, F_REPO,
	F_HEAD, F_JOB_URL, F_API_URL, F_FORK, F_COUNT
};

/* How a template's result is checked or reshaped; a failed check skips the alternative. */
enum ci_xform {
	X_NONE,
	X_NUMBER,      /* digits only ("false", as Travis and Buildkite say for no PR, fails) */
	X_PULL_REF,    /* "refs/pull/<n>/merge" or ".../head" -> n */
	X_BRANCH,      /* "refs/heads/x" -> x; other refs and TeamCity's "<default>" fail */
	X_REMOTE,      /* X_BRANCH after dropping "origin/" (Jenkins' GIT_BRANCH) */
	X_URL_NUMBER,  /* the last path segment of a URL, digits only (CircleCI's PR URL) */
	X_SHA,         /* 4 to 64 hex digits (Buildkite says "HEAD" before checkout) */
	X_REPO_URL     /* "owner/name" from a clone URL, scp-like or with a scheme */
};

typedef struct ci_alt {
	const char *tmpl;
	enum ci_xform xform;
	/* Applies only when: "NAME" is set and not "false"; "!NAME" is unset;
	 * "NAME=value" has that value. NULL: always. */
	const char *guard;
} ci_alt;

typedef struct ci_env ci_env;

typedef struct ci_provider {
	const char *name;
	const char *detect;       /* the variable that identifies the provider */
	const char *detect_value; /* its required value (case-insensitive); NULL: any */
	void (*load)(ci_env *env); /* reads files into extra variables; may be NULL */
	ci_alt fields[F_COUNT][5];
} ci_provider;

/* The variables a detection sees: the environment plus a provider's extras. */
struct ci_env {
	ins_getenv_fn getenv_fn;
	void *data;
	char **extra; /* name, value, name, value, ... (owned) */
	size_t nextra, alloc;
};

static void load_github_event(ci_env *env);
static void load_teamcity_properties(ci_env *env);

/*
 * The providers, in order of precedence (see ci.h). Variables come from
 * the providers' documentation and semantic-release/env-ci.
 */
static const ci_provider providers[] = {
	{
		"github", "GITHUB_ACTIONS", "true", load_github_event, {
			[F_BUILD_ID] = { { "${GITHUB_RUN_ID}" } },
			[F_BUILD_URL] = {
				{ "${GITHUB_SERVER_URL}/${GITHUB_REPOSITORY}/actions/runs/${GITHUB_RUN_ID}" },
				{ "https://github.com/${GITHUB_REPOSITORY}/actions/runs/${GITHUB_RUN_ID}" },
			},
			[F_JOB] = { { "${GITHUB_JOB}" } },
			[F_PR] = {
				{ "${GITHUB_REF}", X_PULL_REF },
				{ "${event.pull_request.number}", X_NUMBER },
			},
			[F_BRANCH] = {
				{ "${GITHUB_HEAD_REF}" },
				{ "${GITHUB_REF_NAME}", X_NONE, "GITHUB_REF_TYPE=branch" },
				{ "${GITHUB_REF}", X_BRANCH },
			},
			[F_BASE] = { { "${GITHUB_BASE_REF}" }, { "${event.pull_request.base.ref}" } },
			[F_COMMIT] = { { "${GITHUB_SHA}", X_SHA } },
			[F_REPO] = { { "${GITHUB_REPOSITORY}" } },
			[F_HEAD] = { { "${event.pull_request.head.sha}", X_SHA }, { "${GITHUB_SHA}", X_SHA } },
			[F_JOB_URL] = {
				{ "${GITHUB_SERVER_URL}/${GITHUB_REPOSITORY}/actions/runs/${GITHUB_RUN_ID}/attempts/${GITHUB_RUN_ATTEMPT}" },
			},
			[F_API_URL] = { { "${GITHUB_API_URL}" }, { "https://api.github.com" } },
			[F_FORK] = { { "${event.pull_request.fork}" } },
		},
	},
	{
		"gitlab", "GITLAB_CI", NULL, NULL, {
			[F_BUILD_ID] = { { "${CI_PIPELINE_ID}" } },
			[F_BUILD_URL] = { { "${CI_PIPELINE_URL}" }, { "${CI_JOB_URL}" } },
			[F_JOB] = { { "${CI_JOB_NAME}" } },
			[F_PR] = { { "${CI_MERGE_REQUEST_IID}", X_NUMBER } },
			[F_BRANCH] = {
				{ "${CI_MERGE_REQUEST_SOURCE_BRANCH_NAME}" },
				{ "${CI_COMMIT_BRANCH}" },
				{ "${CI_COMMIT_REF_NAME}", X_NONE, "!CI_COMMIT_TAG" }, /* before GitLab 12.6 */
			},
			[F_BASE] = { { "${CI_MERGE_REQUEST_TARGET_BRANCH_NAME}" } },
			[F_COMMIT] = { { "${CI_COMMIT_SHA}", X_SHA } },
			[F_REPO] = { { "${CI_PROJECT_PATH}" } },
			[F_HEAD] = { { "${CI_MERGE_REQUEST_SOURCE_BRANCH_SHA}", X_SHA }, { "${CI_COMMIT_SHA}", X_SHA } },
			[F_JOB_URL] = { { "${CI_JOB_URL}" } },
			[F_API_URL] = { { "${CI_API_V4_URL}" }, { "${CI_SERVER_URL}/api/v4" } },
		},
	},
	{
		"azure", "TF_BUILD", "true", NULL, {
			[F_BUILD_ID] = { { "${BUILD_BUILDID}" } },
			[F_BUILD_URL] = {
				{ "${SYSTEM_COLLECTIONURI}${SYSTEM_TEAMPROJECT:uri}/_build/results?buildId=${BUILD_BUILDID}" },
			},
			[F_JOB] = { { "${SYSTEM_JOBDISPLAYNAME}" }, { "${AGENT_JOBNAME}" } },
			[F_PR] = {
				/* The number shown on GitHub; for Azure Repos the id is the number. */
				{ "${SYSTEM_PULLREQUEST_PULLREQUESTNUMBER}", X_NUMBER },
				{ "${SYSTEM_PULLREQUEST_PULLREQUESTID}", X_NUMBER },
				{ "${BUILD_SOURCEBRANCH}", X_PULL_REF },
			},
			[F_BRANCH] = {
				{ "${SYSTEM_PULLREQUEST_SOURCEBRANCH}", X_BRANCH },
				{ "${BUILD_SOURCEBRANCH}", X_BRANCH },
			},
			[F_BASE] = { { "${SYSTEM_PULLREQUEST_TARGETBRANCH}", X_BRANCH } },
			[F_COMMIT] = { { "${BUILD_SOURCEVERSION}", X_SHA } },
			[F_REPO] = { { "${BUILD_REPOSITORY_NAME}" }, { "${BUILD_REPOSITORY_ID}" } },
			[F_HEAD] = {
				{ "${SYSTEM_PULLREQUEST_SOURCECOMMITID}", X_SHA },
				{ "${BUILD_SOURCEVERSION}", X_SHA },
			},
			[F_JOB_URL] = {
				{ "${SYSTEM_COLLECTIONURI}${SYSTEM_TEAMPROJECT:uri}/_build/results?buildId=${BUILD_BUILDID}&view=logs&j=${SYSTEM_JOBID}" },
			},
			[F_API_URL] = { { "${SYSTEM_COLLECTIONURI}" } },
		},
	},
	{
		"circleci", "CIRCLECI", "true", NULL, {
			[F_BUILD_ID] = { { "${CIRCLE_BUILD_NUM}" } },
			[F_BUILD_URL] = { { "${CIRCLE_BUILD_URL}" } },
			[F_JOB] = { { "${CIRCLE_JOB}" } },
			[F_PR] = {
				{ "${CIRCLE_PR_NUMBER}", X_NUMBER },
				{ "${CIRCLE_PULL_REQUEST}", X_URL_NUMBER },
			},
			[F_BRANCH] = { { "${CIRCLE_BRANCH}" } },
			[F_COMMIT] = { { "${CIRCLE_SHA1}", X_SHA } },
			[F_REPO] = { { "${CIRCLE_PROJECT_USERNAME}/${CIRCLE_PROJECT_REPONAME}" } },
			[F_HEAD] = { { "${CIRCLE_SHA1}", X_SHA } },
			[F_JOB_URL] = { { "${CIRCLE_BUILD_URL}" } },
			[F_API_URL] = { { "${GITHUB_API_URL}", X_NONE, "CIRCLE_PULL_REQUEST" } },
		},
	},
	{
		"travis", "TRAVIS", "true", NULL, {
			[F_BUILD_ID] = { { "${TRAVIS_BUILD_ID}" }, { "${TRAVIS_BUILD_NUMBER}" } },
			[F_BUILD_URL] = { { "${TRAVIS_BUILD_WEB_URL}" } },
			[F_JOB] = { { "${TRAVIS_JOB_NAME}" }, { "${TRAVIS_JOB_NUMBER}" } },
			[F_PR] = { { "${TRAVIS_PULL_REQUEST}", X_NUMBER } },
			/* In a PR build TRAVIS_BRANCH is the target branch. */
			[F_BRANCH] = { { "${TRAVIS_PULL_REQUEST_BRANCH}" }, { "${TRAVIS_BRANCH}" } },
			[F_BASE] = { { "${TRAVIS_BRANCH}", X_NONE, "TRAVIS_PULL_REQUEST" } },
			[F_COMMIT] = { { "${TRAVIS_COMMIT}", X_SHA } },
			[F_REPO] = { { "${TRAVIS_REPO_SLUG}" } },
			[F_HEAD] = { { "${TRAVIS_PULL_REQUEST_SHA}", X_SHA }, { "${TRAVIS_COMMIT}", X_SHA } },
			[F_JOB_URL] = { { "${TRAVIS_JOB_WEB_URL}" } },
			[F_API_URL] = { { "${GITHUB_API_URL}" }, { "https://api.github.com" } },
		},
	},
	{
		"bitbucket", "BITBUCKET_BUILD_NUMBER", NULL, NULL, {
			[F_BUILD_ID] = { { "${BITBUCKET_BUILD_NUMBER}" } },
			[F_BUILD_URL] = {
				{ "https://bitbucket.org/${BITBUCKET_REPO_FULL_NAME}/addon/pipelines/home#!/results/${BITBUCKET_BUILD_NUMBER}" },
			},
			[F_JOB] = { { "${BITBUCKET_STEP_UUID}" } },
			[F_PR] = { { "${BITBUCKET_PR_ID}", X_NUMBER } },
			[F_BRANCH] = { { "${BITBUCKET_BRANCH}" } },
			[F_BASE] = { { "${BITBUCKET_PR_DESTINATION_BRANCH}" } },
			[F_COMMIT] = { { "${BITBUCKET_COMMIT}", X_SHA } },
			[F_REPO] = {
				{ "${BITBUCKET_REPO_FULL_NAME}" },
				{ "${BITBUCKET_WORKSPACE}/${BITBUCKET_REPO_SLUG}" },
			},
			[F_HEAD] = { { "${BITBUCKET_COMMIT}", X_SHA } },
			[F_JOB_URL] = {
				{ "https://bitbucket.org/${BITBUCKET_REPO_FULL_NAME}/addon/pipelines/home#!/results/${BITBUCKET_BUILD_NUMBER}/steps/${BITBUCKET_STEP_UUID:uri}" },
			},
			[F_API_URL] = { { "https://api.bitbucket.org/2.0" } },
		},
	},
	{
		"buildkite", "BUILDKITE", "true", NULL, {
			[F_BUILD_ID] = { { "${BUILDKITE_BUILD_NUMBER}" }, { "${BUILDKITE_BUILD_ID}" } },
			[F_BUILD_URL] = { { "${BUILDKITE_BUILD_URL}" } },
			[F_JOB] = { { "${BUILDKITE_LABEL}" }, { "${BUILDKITE_STEP_KEY}" }, { "${BUILDKITE_JOB_ID}" } },
			[F_PR] = { { "${BUILDKITE_PULL_REQUEST}", X_NUMBER } },
			[F_BRANCH] = { { "${BUILDKITE_BRANCH}" } },
			[F_BASE] = {
				{ "${BUILDKITE_PULL_REQUEST_BASE_BRANCH}", X_NONE, "BUILDKITE_PULL_REQUEST" },
			},
			[F_COMMIT] = { { "${BUILDKITE_COMMIT}", X_SHA } },
			[F_REPO] = { { "${BUILDKITE_REPO}", X_REPO_URL } },
			[F_HEAD] = { { "${BUILDKITE_COMMIT}", X_SHA } },
			[F_JOB_URL] = { { "${BUILDKITE_BUILD_URL}#${BUILDKITE_JOB_ID}" } },
		},
	},
	{
		/* Most TeamCity facts are build parameters, kept in the properties files. */
		"teamcity", "TEAMCITY_VERSION", NULL, load_teamcity_properties, {
			[F_BUILD_ID] = { { "${teamcity.build.id}" }, { "${BUILD_NUMBER}" } },
			[F_BUILD_URL] = { { "${teamcity.serverUrl}/viewLog.html?buildId=${teamcity.build.id}" } },
			[F_JOB] = { { "${TEAMCITY_BUILDCONF_NAME}" }, { "${teamcity.buildConfName}" } },
			[F_PR] = { { "${teamcity.pullRequest.number}", X_NUMBER } },
			[F_BRANCH] = {
				{ "${teamcity.pullRequest.source.branch}", X_BRANCH },
				{ "${teamcity.build.branch}", X_BRANCH },
			},
			[F_BASE] = { { "${teamcity.pullRequest.target.branch}", X_BRANCH } },
			[F_COMMIT] = { { "${BUILD_VCS_NUMBER}", X_SHA }, { "${build.vcs.number}", X_SHA } },
			[F_HEAD] = { { "${BUILD_VCS_NUMBER}", X_SHA }, { "${build.vcs.number}", X_SHA } },
			[F_JOB_URL] = { { "${teamcity.serverUrl}/viewLog.html?buildId=${teamcity.build.id}" } },
		},
	},
	{
		"jenkins", "JENKINS_URL", NULL, NULL, {
			[F_BUILD_ID] = { { "${BUILD_NUMBER}" }, { "${BUILD_ID}" } },
			[F_BUILD_URL] = { { "${BUILD_URL}" } },
			[F_JOB] = { { "${JOB_NAME}" } },
			[F_PR] = {
				{ "${CHANGE_ID}", X_NUMBER },          /* multibranch pipelines */
				{ "${ghprbPullId}", X_NUMBER },        /* GitHub pull request builder */
				{ "${gitlabMergeRequestIid}", X_NUMBER }, /* GitLab plugin */
				{ "${gitlabMergeRequestId}", X_NUMBER },
			},
			[F_BRANCH] = {
				{ "${CHANGE_BRANCH}" },
				{ "${ghprbSourceBranch}" },
				{ "${BRANCH_NAME}" },
				{ "${GIT_LOCAL_BRANCH}" },
				{ "${GIT_BRANCH}", X_REMOTE }, /* freestyle jobs: "origin/x" */
			},
			[F_BASE] = {
				{ "${CHANGE_TARGET}" }, { "${ghprbTargetBranch}" }, { "${gitlabTargetBranch}" },
			},
			[F_COMMIT] = { { "${ghprbActualCommit}", X_SHA }, { "${GIT_COMMIT}", X_SHA } },
			[F_REPO] = { { "${GIT_URL}", X_REPO_URL } },
			[F_HEAD] = { { "${ghprbActualCommit}", X_SHA }, { "${GIT_COMMIT}", X_SHA } },
			[F_JOB_URL] = { { "${BUILD_URL}" } },
		},
	},
};

/* Environment access ---------------------------------------------------- */

static const char *process_getenv(void *data, const char *name)
{
	(void)data;
	return getenv(name);
}

/* The value of `name`, NULL when unset or empty; extras shadow the environment. */
static const char *env_get(const ci_env *env, const char *name)
{
	const char *v;

	for (size_t i = 0; i < env->nextra; i++)
		if (!strcmp(env->extra[2 * i], name))
			return env->extra[2 * i + 1];
	v = env->getenv_fn(env->data, name);
	return v && *v ? v : NULL;
}

static void env_put(ci_env *env, const char *name, const char *value, size_t len)
{
	if (!value || !len)
		return;
	env->extra = ins_xgrow(env->extra, &env->alloc, 2 * (env->nextra + 1), sizeof(char *));
	env->extra[2 * env->nextra] = ins_xstrdup(name);
	env->extra[2 * env->nextra + 1] = ins_xstrndup(value, len);
	env->nextra++;
}

static void env_release(ci_env *env)
{
	for (size_t i = 0; i < 2 * env->nextra; i++)
		free(env->extra[i]);
	free(env->extra);
	env->extra = NULL;
	env->nextra = env->alloc = 0;
}

/* Read a whole file, at most `limit` bytes; 0 or -1. */
static int read_file(ins_buf *out, const char *path, size_t limit)
{
	FILE *f = fopen(path, "rb");
	char chunk[4096];
	size_t got;

	if (!f)
		return -1;
	while ((got = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		if (out->len + got > limit) {
			fclose(f);
			return -1;
		}
		ins_buf_put(out, chunk, got);
	}
	got = (size_t)ferror(f);
	fclose(f);
	return got ? -1 : 0;
}

/* Templates and transforms ----------------------------------------------- */

static int all_digits(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return 0;
	return 1;
}

static void put_uri_escaped(ins_buf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (isalnum(c) || strchr("-._~", c)) {
			ins_buf_putc(b, (char)c);
		} else {
			ins_buf_putc(b, '%');
			ins_buf_putc(b, hex[c >> 4]);
			ins_buf_putc(b, hex[c & 15]);
		}
	}
}

/*
 * Expand `tmpl` into `out`: "${NAME}" is the variable's value, "${NAME:uri}"
 * the value percent-encoded. Returns 0, or -1 when a variable is unset.
 */
static int expand(ins_buf *out, const ci_env *env, const char *tmpl)
{
	const char *p = tmpl;

	while (*p) {
		const char *end, *colon, *value;
		ins_buf name = INS_BUF_INIT;
		int uri = 0;

		if (p[0] != '$' || p[1] != '{') {
			ins_buf_putc(out, *p++);
			continue;
		}
		end = strchr(p, '}');
		if (!end)
			return -1; /* not in the table: every template is closed */
		colon = memchr(p, ':', (size_t)(end - p));
		if (colon) {
			uri = !strncmp(colon, ":uri}", 5);
			ins_buf_put(&name, p + 2, (size_t)(colon - p - 2));
		} else {
			ins_buf_put(&name, p + 2, (size_t)(end - p - 2));
		}
		value = env_get(env, name.ptr);
		ins_buf_release(&name);
		if (!value)
			return -1;
		if (uri)
			put_uri_escaped(out, value);
		else
			ins_buf_puts(out, value);
		p = end + 1;
	}
	return 0;
}

static int guard_holds(const ci_env *env, const char *guard)
{
	const char *eq = strchr(guard, '=');
	ins_buf name = INS_BUF_INIT;
	const char *v;

	if (guard[0] == '!')
		return env_get(env, guard + 1) == NULL;
	ins_buf_put(&name, guard, eq ? (size_t)(eq - guard) : strlen(guard));
	v = env_get(env, name.ptr);
	ins_buf_release(&name);
	if (!v)
		return 0;
	if (eq)
		return !strcmp(v, eq + 1);
	return strcmp(v, "false") != 0;
}

/* Keep the part of `b` from `start` for `len` bytes. */
static void keep(ins_buf *b, size_t start, size_t len)
{
	memmove(b->ptr, b->ptr + start, len);
	ins_buf_truncate(b, len);
}

static int xform_branch(ins_buf *b)
{
	if (!strncmp(b->ptr, "refs/heads/", 11))
		keep(b, 11, b->len - 11);
	else if (!strncmp(b->ptr, "refs/", 5))
		return -1; /* a tag or a pull request ref, not a branch */
	if (!strcmp(b->ptr, "<default>") || !b->len)
		return -1;
	return 0;
}

/* "git@host:owner/name.git", "https://host/owner/name", "ssh://git@host:22/owner/name.git" */
static int xform_repo_url(ins_buf *b)
{
	const char *p = b->ptr, *scheme = strstr(p, "://"), *path;
	size_t len;

	if (scheme) {
		path = strchr(scheme + 3, '/');
	} else {
		path = strchr(p, ':');
		if (path && strchr(p, '/') && strchr(p, '/') < path)
			path = NULL; /* a local path, not scp-like syntax */
	}
	if (!path)
		return -1;
	path++;
	len = strlen(path);
	while (len && path[len - 1] == '/')
		len--;
	if (len > 4 && !strncmp(path + len - 4, ".git", 4))
		len -= 4;
	if (!len || !memchr(path, '/', len))
		return -1;
	keep(b, (size_t)(path - b->ptr), len);
	return 0;
}

static int apply_xform(ins_buf *b, enum ci_xform x)
{
	const char *p, *slash;
	size_t n;

	switch (x) {
	case X_NONE:
		return 0;
	case X_NUMBER:
		return all_digits(b->ptr) ? 0 : -1;
	case X_PULL_REF:
		if (strncmp(b->ptr, "refs/pull/", 10))
			return -1;
		p = b->ptr + 10;
		slash = strchr(p, '/');
		n = slash ? (size_t)(slash - p) : strlen(p);
		if (!n || strspn(p, "0123456789") != n)
			return -1;
		keep(b, 10, n);
		return 0;
	case X_BRANCH:
		return xform_branch(b);
	case X_REMOTE:
		if (!strncmp(b->ptr, "refs/remotes/origin/", 20))
			keep(b, 20, b->len - 20);
		else if (!strncmp(b->ptr, "origin/", 7))
			keep(b, 7, b->len - 7);
		return xform_branch(b);
	case X_URL_NUMBER:
		while (b->len && b->ptr[b->len - 1] == '/')
			ins_buf_truncate(b, b->len - 1);
		slash = strrchr(b->ptr, '/');
		if (!slash || !all_digits(slash + 1))
			return -1;
		keep(b, (size_t)(slash + 1 - b->ptr), strlen(slash + 1));
		return 0;
	case X_SHA:
		n = strspn(b->ptr, "0123456789abcdefABCDEF");
		return n == b->len && n >= 4 && n <= 64 ? 0 : -1;
	case X_REPO_URL:
		return xform_repo_url(b);
	}
	return -1;
}

/* The first alternative of `alts` that gives a value, as an owned string; NULL when none. */
static char *pick(const ci_env *env, const ci_alt *alts, size_t nalts)
{
	ins_buf b = INS_BUF_INIT;

	for (size_t i = 0; i < nalts && alts[i].tmpl; i++) {
		ins_buf_clear(&b);
		if (alts[i].guard && !guard_holds(env, alts[i].guard))
			continue;
		if (expand(&b, env, alts[i].tmpl) < 0 || apply_xform(&b, alts[i].xform) < 0)
			continue;
		if (b.len)
			return ins_buf_detach(&b);
	}
	ins_buf_release(&b);
	return NULL;
}

/* Files ---------------------------------------------------------------------- */

/* GitHub's event payload: the pull request's number, base and head (pull_request* events). */
static void load_github_event(ci_env *env)
{
	const char *path = env_get(env, "GITHUB_EVENT_PATH");
	ins_buf text = INS_BUF_INIT;
	cJSON *root = NULL, *pr, *item;

	if (!path || read_file(&text, path, 64 << 20) < 0)
		goto done;
	root = cJSON_ParseWithLength(text.ptr, text.len);
	pr = cJSON_GetObjectItemCaseSensitive(root, "pull_request");
	if (!cJSON_IsObject(pr))
		goto done;
	item = cJSON_GetObjectItemCaseSensitive(pr, "number");
	if (cJSON_IsNumber(item) && item->valuedouble >= 1 && item->valuedouble < 1e15) {
		ins_buf num = INS_BUF_INIT;
		ins_buf_printf(&num, "%.0f", item->valuedouble);
		env_put(env, "event.pull_request.number", num.ptr, num.len);
		ins_buf_release(&num);
	}
	item = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(pr, "base"), "ref");
	if (cJSON_IsString(item))
		env_put(env, "event.pull_request.base.ref", item->valuestring, strlen(item->valuestring));
	item = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(pr, "head"), "sha");
	if (cJSON_IsString(item))
		env_put(env, "event.pull_request.head.sha", item->valuestring, strlen(item->valuestring));
	/* a fork: GitHub hands its workflows a read-only token */
	{
		cJSON *head = cJSON_GetObjectItemCaseSensitive(
			cJSON_GetObjectItemCaseSensitive(pr, "head"), "repo");
		cJSON *base = cJSON_GetObjectItemCaseSensitive(
			cJSON_GetObjectItemCaseSensitive(pr, "base"), "repo");
		cJSON *hn = cJSON_GetObjectItemCaseSensitive(head, "full_name");
		cJSON *bn = cJSON_GetObjectItemCaseSensitive(base, "full_name");

		if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(head, "fork")) ||
		    (cJSON_IsString(hn) && cJSON_IsString(bn) &&
		     strcmp(hn->valuestring, bn->valuestring)))
			env_put(env, "event.pull_request.fork", "1", 1);
	}
done:
	cJSON_Delete(root);
	ins_buf_release(&text);
}

/* Undo Java properties escapes in place: "\:" -> ":", "\\" -> "\", "\uXXXX" -> UTF-8. */
static void unescape_property(ins_buf *b)
{
	ins_buf out = INS_BUF_INIT;

	for (size_t i = 0; i < b->len; i++) {
		char c = b->ptr[i];
		if (c != '\\' || i + 1 == b->len) {
			ins_buf_putc(&out, c);
			continue;
		}
		c = b->ptr[++i];
		if (c == 'u' && i + 4 < b->len && strspn(b->ptr + i + 1, "0123456789abcdefABCDEF") >= 4) {
			char hex[5];
			unsigned long cp;
			memcpy(hex, b->ptr + i + 1, 4);
			hex[4] = '\0';
			cp = strtoul(hex, NULL, 16);
			if (cp >= 0xd800 && cp < 0xe000)
				cp = 0xfffd; /* half of a surrogate pair: not worth pairing up here */
			if (cp < 0x80) {
				ins_buf_putc(&out, (char)cp);
			} else if (cp < 0x800) {
				ins_buf_putc(&out, (char)(0xc0 | (cp >> 6)));
				ins_buf_putc(&out, (char)(0x80 | (cp & 0x3f)));
			} else {
				ins_buf_putc(&out, (char)(0xe0 | (cp >> 12)));
				ins_buf_putc(&out, (char)(0x80 | ((cp >> 6) & 0x3f)));
				ins_buf_putc(&out, (char)(0x80 | (cp & 0x3f)));
			}
			i += 4;
			continue;
		}
		ins_buf_putc(&out, c == 'n' ? '\n' : c == 't' ? '\t' : c == 'r' ? '\r' : c);
	}
	ins_buf_set(b, out.ptr);
	ins_buf_release(&out);
}

/* Load the keys of a Java properties file whose names start with one of `prefixes`. */
static void load_properties(ci_env *env, const char *path, const char *const *prefixes)
{
	ins_buf text = INS_BUF_INIT, key = INS_BUF_INIT, value = INS_BUF_INIT;
	const char *line, *end;

	if (!path || read_file(&text, path, 16 << 20) < 0)
		goto done;
	for (line = text.ptr; *line; line = *end ? end + 1 : end) {
		const char *sep = NULL;
		int wanted = 0;

		end = strchr(line, '\n');
		if (!end)
			end = line + strlen(line);
		while (line < end && (*line == ' ' || *line == '\t'))
			line++;
		if (line == end || *line == '#' || *line == '!')
			continue;
		for (const char *p = line; p < end; p++) {
			if (*p == '\\') {
				p++;
				continue;
			}
			if (*p == '=' || *p == ':') {
				sep = p;
				break;
			}
		}
		if (!sep)
			continue;
		ins_buf_clear(&key);
		ins_buf_put(&key, line, (size_t)(sep - line));
		ins_buf_rtrim(&key);
		unescape_property(&key);
		for (size_t i = 0; prefixes[i]; i++)
			wanted |= !strncmp(key.ptr, prefixes[i], strlen(prefixes[i]));
		if (!wanted)
			continue;
		ins_buf_clear(&value);
		ins_buf_put(&value, sep + 1, (size_t)(end - sep - 1));
		ins_buf_rtrim(&value);
		unescape_property(&value);
		env_put(env, key.ptr, value.ptr + strspn(value.ptr, " \t"),
			strlen(value.ptr + strspn(value.ptr, " \t")));
	}
done:
	ins_buf_release(&text);
	ins_buf_release(&key);
	ins_buf_release(&value);
}

/*
 * TeamCity: TEAMCITY_BUILD_PROPERTIES_FILE holds the build's parameters
 * (teamcity.build.id, teamcity.build.branch, ...) and names, as
 * teamcity.configuration.properties.file, the file with teamcity.serverUrl.
 */
static void load_teamcity_properties(ci_env *env)
{
	static const char *const build_keys[] = {
		"teamcity.build.id", "teamcity.build.branch", "teamcity.buildConfName",
		"teamcity.pullRequest.", "teamcity.configuration.properties.file",
		"build.vcs.number", NULL
	};
	static const char *const config_keys[] = { "teamcity.serverUrl", NULL };
	const char *config;

	load_properties(env, env_get(env, "TEAMCITY_BUILD_PROPERTIES_FILE"), build_keys);
	config = env_get(env, "teamcity.configuration.properties.file");
	if (config)
		load_properties(env, config, config_keys);
}

/* Detection ------------------------------------------------------------------- */

static int provider_matches(const ci_env *env, const ci_provider *p)
{
	const char *v = env_get(env, p->detect);

	if (!v)
		return 0;
	return !p->detect_value || !strcasecmp(v, p->detect_value);
}

static char **field_slot(ins_ci_facts *out, enum ci_field f)
{
	switch (f) {
	case F_BUILD_ID: return &out->build_id;
	case F_BUILD_URL: return &out->build_url;
	case F_JOB: return &out->job;
	case F_PR: return &out->pr;
	case F_BRANCH: return &out->branch;
	case F_BASE: return &out->base_branch;
	case F_COMMIT: return &out->commit;
	case F_REPO: return &out->repo;
	case F_HEAD: return &out->head_commit;
	case F_JOB_URL: return &out->job_url;
	case F_API_URL: return &out->api_url;
	case F_FORK: return &out->fork;
	default: return NULL;
	}
}

int ins_ci_detect(ins_ci_facts *out, ins_getenv_fn getenv_fn, void *data)
{
	ci_env env = { getenv_fn ? getenv_fn : process_getenv, data, NULL, 0, 0 };
	const ci_provider *p = NULL;

	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < sizeof(providers) / sizeof(providers[0]); i++) {
		if (provider_matches(&env, &providers[i])) {
			p = &providers[i];
			break;
		}
	}
	if (!p) {
		const char *ci = env_get(&env, "CI");
		if (ci && (!strcasecmp(ci, "true") || !strcmp(ci, "1")))
			out->provider = ins_xstrdup("generic");
		return 0;
	}
	if (p->load)
		p->load(&env);
	out->provider = ins_xstrdup(p->name);
	for (int f = 0; f < F_COUNT; f++)
		*field_slot(out, (enum ci_field)f) = pick(&env, p->fields[f], 5);
	env_release(&env);
	return 0;
}

int ins_host_name(ins_buf *out)
{
	size_t size = 256;

	for (;;) {
		char *name = ins_xmalloc(size);
		int err = 0;

		/* A name that does not fit may come back truncated without its NUL. */
		errno = 0;
		if (gethostname(name, size) == 0 && memchr(name, '\0', size)) {
			ins_buf_puts(out, name);
			free(name);
			return 0;
		}
		err = errno;
		free(name);
		if (size >= 65536 || (err != ENAMETOOLONG && err != EINVAL && err != 0))
			return ins_error_set(INS_ERROR, "cannot read the host name: %s",
					     err ? strerror(err) : "too long");
		size *= 2;
	}
}
