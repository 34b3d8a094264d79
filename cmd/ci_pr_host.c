/*
 * ci_pr_host.c - the code host of a pull request that a CI of its own builds:
 * Jenkins (CHANGE_ID, CHANGE_URL), CircleCI (CIRCLE_PULL_REQUEST) and
 * Travis CI (TRAVIS_PULL_REQUEST, always GitHub). The host is recognised
 * from the pull request's URL:
 *
 *   https://HOST/OWNER/REPO/pull/N                 GitHub (github.com or
 *                                                  GitHub Enterprise)
 *   https://HOST/GROUP/PROJECT/-/merge_requests/N  GitLab (any host)
 *   https://bitbucket.org/WORKSPACE/SLUG/pull-requests/N   Bitbucket Cloud
 *
 * and its API base URL is GITHUB_API_URL (else https://api.github.com, or
 * HOST/api/v3 for GitHub Enterprise), HOST/api/v4 for GitLab, and
 * ci.bitbucket.api-url for Bitbucket (read where the requests are made).
 */
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "cmd_ci.h"

/* Path segment `i` (0-based) of `path` ("/a/b/c"): its start and length, or NULL. */
static const char *segment(const char *path, int i, size_t *len)
{
	const char *p = path;

	while (*p == '/')
		p++;
	for (; i > 0 && *p; i--) {
		p += strcspn(p, "/");
		while (*p == '/')
			p++;
	}
	if (!*p)
		return NULL;
	*len = strcspn(p, "/");
	return p;
}

static int segment_is(const char *path, int i, const char *s)
{
	size_t n;
	const char *p = segment(path, i, &n);

	return p && n == strlen(s) && !strncmp(p, s, n);
}

static void set(char **field, const char *s, size_t n);

/* The first two segments of `path` ("OWNER/REPO") into *field; 0, or -1 when there are not two. */
static int set_two(char **field, const char *path)
{
	size_t n1 = 0, n2 = 0;
	const char *a = segment(path, 0, &n1), *b = segment(path, 1, &n2);

	if (!a || !b)
		return -1;
	set(field, a, (size_t)(b - a) + n2);
	return 0;
}

static int all_digits(const char *s, size_t n)
{
	if (!n)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

static void set(char **field, const char *s, size_t n)
{
	free(*field);
	*field = malloc(n + 1);
	if (!*field)
		abort();
	memcpy(*field, s, n);
	(*field)[n] = '\0';
}

/* Point `ci` at the pull request `url`; its host's name, or NULL. */
static const char *from_url(ins_ci_facts *ci, const char *url, int hosts_allowed)
{
	const char *scheme_end = strstr(url, "://"), *host, *path, *num;
	ins_buf origin = INS_BUF_INIT, api = INS_BUF_INIT, pathbuf = INS_BUF_INIT;
	const char *name = NULL;
	size_t hlen, numlen;

	if (!scheme_end)
		return NULL;
	host = scheme_end + 3;
	hlen = strcspn(host, "/?#");
	ins_buf_put(&origin, url, (size_t)(host + hlen - url));
	ins_buf_put(&pathbuf, host + hlen, strcspn(host + hlen, "?#"));
	path = pathbuf.ptr;

	if ((hosts_allowed & 2) && (num = strstr(path, "/-/merge_requests/")) && num > path) {
		/* GitLab: GROUP[/SUBGROUP...]/PROJECT/-/merge_requests/N */
		const char *nstart = num + strlen("/-/merge_requests/");

		numlen = strcspn(nstart, "/");
		if (all_digits(nstart, numlen)) {
			set(&ci->repo, path + 1, (size_t)(num - path - 1));
			set(&ci->pr, nstart, numlen);
			ins_buf_printf(&api, "%s/api/v4", origin.ptr);
			set(&ci->api_url, api.ptr, api.len);
			name = "gitlab";
		}
	} else if ((hosts_allowed & 4) && hlen == strlen("bitbucket.org") &&
		   !strncmp(host, "bitbucket.org", hlen) && segment_is(path, 2, "pull-requests") &&
		   (num = segment(path, 3, &numlen)) && all_digits(num, numlen)) {
		set_two(&ci->repo, path);
		set(&ci->pr, num, numlen);
		free(ci->api_url);
		ci->api_url = NULL;
		name = "bitbucket";
	} else if ((hosts_allowed & 1) && segment_is(path, 2, "pull") &&
		   (num = segment(path, 3, &numlen)) && all_digits(num, numlen)) {
		const char *env = getenv("GITHUB_API_URL");

		set_two(&ci->repo, path);
		set(&ci->pr, num, numlen);
		if (env && *env)
			ins_buf_puts(&api, env);
		else if (hlen == strlen("github.com") && !strncmp(host, "github.com", hlen))
			ins_buf_puts(&api, "https://api.github.com");
		else
			ins_buf_printf(&api, "%s/api/v3", origin.ptr);
		set(&ci->api_url, api.ptr, api.len);
		name = "github";
	}
	ins_buf_release(&origin);
	ins_buf_release(&api);
	ins_buf_release(&pathbuf);
	return name;
}

const char *ci_pr_host(ins_ci_facts *ci)
{
	const char *url;

	if (!ci->provider)
		return NULL;
	if (!strcmp(ci->provider, "jenkins")) {
		url = getenv("CHANGE_URL");
		if (!getenv("CHANGE_ID") || !url || !*url)
			return NULL;
		return from_url(ci, url, 1 | 2 | 4);
	}
	if (!strcmp(ci->provider, "circleci")) {
		url = getenv("CIRCLE_PULL_REQUEST");
		return url && *url ? from_url(ci, url, 1 | 4) : NULL;
	}
	if (!strcmp(ci->provider, "travis")) {
		url = getenv("TRAVIS_PULL_REQUEST");
		if (!url || !all_digits(url, strlen(url)) || !ci->repo)
			return NULL;
		return "github";
	}
	return NULL;
}
