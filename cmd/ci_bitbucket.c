/*
 * ci_bitbucket.c - ci report's Bitbucket Cloud channels over HTTP (API 2.0
 * at ci.bitbucket.api-url, https://api.bitbucket.org/2.0 by default), in
 * this order, {repo} being BITBUCKET_REPO_FULL_NAME (workspace/slug):
 *
 *   comment   GET  /repositories/{repo}/pullrequests/{pr}/comments?pagelen=100,
 *                  page by page (the page's "next") until the comment holding
 *                  the report's marker is found or the pages end; then
 *             PUT  /repositories/{repo}/pullrequests/{pr}/comments/{id}, or
 *             POST /repositories/{repo}/pullrequests/{pr}/comments.
 *   status    POST /repositories/{repo}/commit/{sha}/statuses/build, keyed
 *                  insight-SUT: the same key overwrites, so a second run
 *                  updates the status instead of adding one.
 *   checks    PUT  /repositories/{repo}/commit/{sha}/reports/insight-SUT: a
 *                  Code Insights report of type TEST, its counts as data;
 *             POST /repositories/{repo}/commit/{sha}/reports/insight-SUT/annotations
 *                  for the failing tests, 100 a request (Bitbucket's most),
 *                  1000 at most (a report's most); each annotation's
 *                  external_id comes from its test, so a second run updates
 *                  them.
 *
 * The token is a repository, project or workspace access token in
 * BITBUCKET_ACCESS_TOKEN (ci.bitbucket.token), sent as a Bearer token.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ctype.h>
#include <math.h>

#include <cjson/cJSON.h>

#include "cmd.h"
#include "cmd_ci.h"
#include "insight/config.h"
#include "insight/report_md.h"

#define BB_API "https://api.bitbucket.org/2.0"
#define BB_ANNOTATIONS 100        /* annotations a request: Bitbucket's most */
#define BB_REPORT_ANNOTATIONS 1000 /* annotations a report: Bitbucket's most */
#define BB_DETAILS_MAX 2000       /* characters of a report's or annotation's details */
#define BB_SUMMARY_MAX 450        /* characters of an annotation's summary */
#define BB_KEY_MAX 40

struct bb {
	struct report *r;
	ins_net *net;
	const char *api, *repo, *sha;
	const char *headers[2];
	ins_buf auth, key;
};

static void bb_failure(struct bb *b, const char *target, const ins_http_response *resp,
		       const char *permission)
{
	ci_http_failure(b->r, "Bitbucket", b->repo, target, resp, permission);
}

/*
 * The key of the build status and the id of the report: insight-SUT, its
 * characters kept to letters, digits, '-', '_' and '.'; a SUT that does not
 * fit gets a hash of its name instead, so two SUTs never share a key.
 */
static void bb_key(ins_buf *out, const char *sut)
{
	int plain = strlen(sut) + 8 <= BB_KEY_MAX;

	for (const char *p = sut; plain && *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr("-_.", *p))
			plain = 0;
	if (plain) {
		ins_buf_printf(out, "insight-%s", sut);
	} else {
		unsigned long long h = 1469598103934665603ULL;

		for (const char *p = sut; *p; p++)
			h = (h ^ (unsigned char)*p) * 1099511628211ULL;
		ins_buf_printf(out, "insight-%016llx", h);
	}
}

static const char *bb_link(const struct report *r)
{
	return r->report_url ? r->report_url : r->ci.build_url;
}

static void bb_comment(struct bb *b)
{
	struct ci_host h = { "Bitbucket", b->net, b->headers, NULL, NULL, "PUT", NULL,
			     "pullrequest:write", "pullrequest", NULL, 1 };
	ins_buf list = INS_BUF_INIT, create = INS_BUF_INIT, marker = INS_BUF_INIT;

	if (!b->r->ci.pr) {
		ins_delivery_add(b->r->d, "comment", b->r->asked & CH_COMMENT ? INS_NOT_DELIVERED :
				 INS_SKIPPED, "not a pull request pipeline (BITBUCKET_PR_ID is not set)");
		return;
	}
	ins_buf_printf(&list, "%s/repositories/%s/pullrequests/%s/comments?pagelen=100", b->api,
		       b->repo, b->r->ci.pr);
	ins_buf_printf(&create, "%s/repositories/%s/pullrequests/%s/comments", b->api, b->repo,
		       b->r->ci.pr);
	ins_report_md_marker(&marker, b->r->sut);
	h.list_url = list.ptr;
	h.create_url = create.ptr;
	h.update_base = create.ptr;
	h.subject = b->repo;
	ci_marker_comment(b->r, &h, marker.ptr);
	ins_buf_release(&list);
	ins_buf_release(&create);
	ins_buf_release(&marker);
}

static void bb_status(struct bb *b)
{
	ins_http_response resp = INS_HTTP_RESPONSE_INIT;
	ins_buf url = INS_BUF_INIT, desc = INS_BUF_INIT, name = INS_BUF_INIT;
	cJSON *body = cJSON_CreateObject();
	int rc;

	ins_buf_printf(&url, "%s/repositories/%s/commit/%s/statuses/build", b->api, b->repo, b->sha);
	ci_headline(b->r, &desc, 255);
	ins_buf_printf(&name, "insight (%s)", b->r->sut);
	cJSON_AddStringToObject(body, "key", b->key.ptr);
	cJSON_AddStringToObject(body, "state", ci_report_failed(b->r) ? "FAILED" : "SUCCESSFUL");
	cJSON_AddStringToObject(body, "name", name.ptr);
	cJSON_AddStringToObject(body, "description", desc.ptr);
	if (bb_link(b->r))
		cJSON_AddStringToObject(body, "url", bb_link(b->r));
	if (b->r->ci.branch)
		cJSON_AddStringToObject(body, "refname", b->r->ci.branch);
	/* the same key overwrites: sending it again cannot add a second status */
	{
		ins_http_request req = { "POST", url.ptr, b->headers, NULL, 0, 1, NULL, NULL };

		rc = ins_net_json_request(b->net, &req, body, &resp, NULL);
	}
	if (rc < 0)
		ins_delivery_add(b->r->d, "status", INS_NOT_DELIVERED, ins_error_last());
	else if (resp.dry_run)
		ins_delivery_add(b->r->d, "status", INS_SKIPPED, "dry run");
	else if (resp.status >= 200 && resp.status < 300)
		ins_delivery_add(b->r->d, "status", INS_DELIVERED, NULL);
	else
		bb_failure(b, "status", &resp, "repository:write");
	cJSON_Delete(body);
	ins_http_response_release(&resp);
	ins_buf_release(&url);
	ins_buf_release(&desc);
	ins_buf_release(&name);
}

static void bb_datum(cJSON *data, const char *title, const char *type, double value)
{
	cJSON *d = cJSON_CreateObject();

	cJSON_AddStringToObject(d, "title", title);
	cJSON_AddStringToObject(d, "type", type);
	cJSON_AddNumberToObject(d, "value", value);
	cJSON_AddItemToArray(data, d);
}

static cJSON *bb_report_body(const struct report *r)
{
	const ins_compare_result *c = &r->res;
	cJSON *body = cJSON_CreateObject(), *data;
	ins_buf title = INS_BUF_INIT, details = INS_BUF_INIT;

	ins_buf_printf(&title, "insight (%s)", r->sut);
	ci_headline(r, &details, BB_DETAILS_MAX);
	cJSON_AddStringToObject(body, "title", title.ptr);
	cJSON_AddStringToObject(body, "details", details.ptr);
	cJSON_AddStringToObject(body, "report_type", "TEST");
	cJSON_AddStringToObject(body, "reporter", "insight");
	if (bb_link(r))
		cJSON_AddStringToObject(body, "link", bb_link(r));
	cJSON_AddStringToObject(body, "result", ci_report_failed(r) ? "FAILED" : "PASSED");
	data = cJSON_AddArrayToObject(body, "data");
	bb_datum(data, "Tests", "NUMBER", (double)c->tests);
	if (r->has_base) {
		bb_datum(data, "New failures", "NUMBER", (double)c->new_failures);
		bb_datum(data, "Fixed", "NUMBER", (double)c->fixed);
		bb_datum(data, "Still failing", "NUMBER", (double)c->still_failing);
	} else {
		bb_datum(data, "Failing", "NUMBER", (double)c->target_failing);
	}
	bb_datum(data, "Flaky", "NUMBER", (double)c->target_flaky);
	if (!isnan(c->target_pass_rate))
		bb_datum(data, "Pass rate", "PERCENTAGE",
			 round(c->target_pass_rate * 1000.0) / 10.0);
	ins_buf_release(&title);
	ins_buf_release(&details);
	return body;
}

/* Annotations [*from, *from + 100) of the failing tests into `arr`; their count. */
static size_t bb_annotations(const struct report *r, const ins_table *t, size_t *from, cJSON *arr)
{
	size_t n = 0;

	while (t && *from < t->nrows && n < BB_ANNOTATIONS && *from < BB_REPORT_ANNOTATIONS) {
		const char *id = ins_table_cell_text(t, *from, "nodeid");
		const char *msg = ins_table_cell_text(t, *from, "message");
		size_t flen = ci_nodeid_file(id);
		unsigned long long h = 1469598103934665603ULL;
		cJSON *a = cJSON_CreateObject();
		ins_buf s = INS_BUF_INIT;

		(*from)++;
		for (const char *p = id; p && *p; p++)
			h = (h ^ (unsigned char)*p) * 1099511628211ULL;
		ins_buf_printf(&s, "insight-%016llx", h);
		cJSON_AddStringToObject(a, "external_id", s.ptr);
		cJSON_AddStringToObject(a, "annotation_type", "BUG");
		ins_buf_clear(&s);
		ins_buf_printf(&s, "%s %s", id ? id : "a test",
			       r->has_base ? "fails (new failure)" : "fails");
		if (s.len > BB_SUMMARY_MAX)
			ins_buf_truncate(&s, BB_SUMMARY_MAX);
		cJSON_AddStringToObject(a, "summary", s.ptr);
		ins_buf_clear(&s);
		ins_buf_puts(&s, msg && *msg ? msg : "failed");
		if (s.len > BB_DETAILS_MAX)
			ins_buf_truncate(&s, BB_DETAILS_MAX);
		cJSON_AddStringToObject(a, "details", s.ptr);
		if (flen) {
			ins_buf_clear(&s);
			ins_buf_put(&s, id, flen);
			cJSON_AddStringToObject(a, "path", s.ptr);
		}
		cJSON_AddStringToObject(a, "severity", "HIGH");
		cJSON_AddStringToObject(a, "result", "FAILED");
		cJSON_AddItemToArray(arr, a);
		ins_buf_release(&s);
		n++;
	}
	return n;
}

/*
 * Whether a request of the Code Insights report failed (`rc`, the answer
 * in `resp`), recorded as the report's delivery: the report stops at the
 * first request that fails. A dry run's answer is no failure.
 */
static int bb_report_failed(struct bb *b, int rc, const ins_http_response *resp)
{
	if (rc < 0) {
		ins_delivery_add(b->r->d, "code insights", INS_NOT_DELIVERED, ins_error_last());
		return 1;
	}
	if (!resp->dry_run && (resp->status < 200 || resp->status >= 300)) {
		bb_failure(b, "code insights", resp, "repository:write");
		return 1;
	}
	return 0;
}

/* The Code Insights report, then its annotations in batches. */
static void bb_report(struct bb *b)
{
	const ins_table *t = ins_doc_find_table(b->r->cmp, b->r->has_base ? "new_failures" :
						"still_failing");
	ins_http_response resp = INS_HTTP_RESPONSE_INIT;
	ins_buf url = INS_BUF_INIT, detail = INS_BUF_INIT;
	cJSON *body = bb_report_body(b->r);
	size_t from = 0, sent = 0;
	int rc, requests = 1;

	ins_buf_printf(&url, "%s/repositories/%s/commit/%s/reports/%s", b->api, b->repo, b->sha,
		       b->key.ptr);
	rc = ins_net_json(b->net, "PUT", url.ptr, b->headers, body, &resp, NULL);
	if (bb_report_failed(b, rc, &resp))
		goto done;
	ins_buf_puts(&url, "/annotations");
	while (t && from < t->nrows && from < BB_REPORT_ANNOTATIONS) {
		cJSON *arr = cJSON_CreateArray();
		/* each annotation's external_id makes sending it again harmless */
		ins_http_request req = { "POST", url.ptr, b->headers, NULL, 0, 1, NULL, NULL };

		sent += bb_annotations(b->r, t, &from, arr);
		ins_http_response_release(&resp);
		rc = ins_net_json_request(b->net, &req, arr, &resp, NULL);
		cJSON_Delete(arr);
		requests++;
		if (bb_report_failed(b, rc, &resp))
			goto done;
	}
	if (resp.dry_run) {
		ins_delivery_add(b->r->d, "code insights", INS_SKIPPED, "dry run");
	} else {
		ins_buf_printf(&detail, "%zu annotation%s, %d request%s", sent, sent == 1 ? "" : "s",
			       requests, requests == 1 ? "" : "s");
		ins_delivery_add(b->r->d, "code insights", INS_DELIVERED, detail.ptr);
	}
done:
	cJSON_Delete(body);
	ins_http_response_release(&resp);
	ins_buf_release(&url);
	ins_buf_release(&detail);
}

void ci_bitbucket_http(struct report *r, unsigned channels)
{
	struct bb b = { r, NULL, NULL, NULL, NULL, { NULL, NULL }, INS_BUF_INIT, INS_BUF_INIT };
	const struct ins_config *cfg = NULL;
	const char *token = NULL, *from = NULL, *why = NULL;
	static const char *const names[] = { "comment", "status", "code insights" };
	static const unsigned bits[] = { CH_COMMENT, CH_STATUS, CH_CHECKS };

	b.api = BB_API;
	b.repo = r->ci.repo;
	b.sha = r->ci.head_commit ? r->ci.head_commit : r->ci.commit;
	if (cmd_config(r->ctx, &cfg) == 0) {
		ins_config_get_string(cfg, "ci.bitbucket.api-url", &b.api);
		if (ins_config_get_secret(cfg, "ci.bitbucket.token", &token, &from) < 0)
			token = NULL;
	}
	if (!b.api || !*b.api)
		b.api = BB_API;
	if (!b.repo || !b.sha)
		why = "BITBUCKET_REPO_FULL_NAME or BITBUCKET_COMMIT is not set";
	else if (!token || !*token)
		why = "no token: set BITBUCKET_ACCESS_TOKEN to a repository access token";
	ins_error_clear();
	if (why) {
		for (int i = 0; i < 3; i++)
			if (channels & bits[i])
				ins_delivery_add(r->d, names[i], r->asked & bits[i] ?
						 INS_NOT_DELIVERED : INS_SKIPPED, why);
		return;
	}
	if (cmd_net_open(r->ctx, r->dry_run, &b.net) != 0) {
		ins_delivery_add(r->d, "comment", INS_NOT_DELIVERED, ins_error_last());
		return;
	}
	ins_buf_printf(&b.auth, "Authorization: Bearer %s", token);
	b.headers[0] = b.auth.ptr;
	bb_key(&b.key, r->sut);

	if (channels & CH_COMMENT)
		bb_comment(&b);
	if (channels & CH_STATUS)
		bb_status(&b);
	if (channels & CH_CHECKS)
		bb_report(&b);
	ins_net_free(b.net);
	ins_buf_release(&b.auth);
	ins_buf_release(&b.key);
}
