/*
 * ci_github.c - ci report's GitHub channels over HTTP (REST API version
 * 2022-11-28), in this order:
 *
 *   comment   GET  /repos/{repo}/issues/{pr}/comments?per_page=100, page by
 *                  page (Link: rel="next") until the comment holding the
 *                  report's marker is found or the pages end; then
 *             PATCH /repos/{repo}/issues/comments/{id} with the new body, or
 *             POST /repos/{repo}/issues/{pr}/comments. A POST that may have
 *                  reached GitHub (a timeout, a dropped connection) is not
 *                  sent again before the comments are listed once more.
 *   checks    POST /repos/{repo}/check-runs: a completed run, its conclusion,
 *                  the report as its summary and the first 50 annotations;
 *             PATCH /repos/{repo}/check-runs/{id} for each further 50.
 *   status    POST /repos/{repo}/statuses/{sha}, when the check run is refused
 *                  with 403 (a token without checks: write) or when asked
 *                  for alone.
 *
 * A pull request from a fork gets a read-only token: nothing is written,
 * and one line says so (the job summary and annotations still go).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "cmd.h"
#include "cmd_ci.h"
#include "insight/config.h"
#include "insight/report_md.h"

#define GH_ANNOTATIONS 50     /* annotations a check run request: GitHub's maximum */
#define GH_SUMMARY_MAX 65535  /* characters of a check run's summary */
#define GH_STATUS_MAX 140     /* characters of a status description */
#define GH_CHECK_ANNOTATIONS_MAX 1000

struct gh {
	struct report *r;
	ins_net *net;
	const char *api, *repo, *sha, *pr;
	const char *headers[4];
	ins_buf auth, marker;
};

static void gh_failure(struct gh *g, const char *target, const ins_http_response *resp,
		       const char *permission)
{
	ci_http_failure(g->r, "GitHub", g->repo, target, resp, permission);
}

static void gh_comment(struct gh *g)
{
	struct ci_host h = { "GitHub", g->net, g->headers, NULL, NULL, "PATCH", NULL,
			     "pull-requests: write", "pull-requests: read" };
	ins_buf list = INS_BUF_INIT, create = INS_BUF_INIT, update = INS_BUF_INIT;

	if (!g->pr) {
		ins_delivery_add(g->r->d, "comment", g->r->asked & CH_COMMENT ? INS_NOT_DELIVERED :
				 INS_SKIPPED, "not a pull request");
		return;
	}
	ins_buf_printf(&list, "%s/repos/%s/issues/%s/comments?per_page=100", g->api, g->repo,
		       g->pr); /* 100: GitHub's most a page */
	ins_buf_printf(&create, "%s/repos/%s/issues/%s/comments", g->api, g->repo, g->pr);
	ins_buf_printf(&update, "%s/repos/%s/issues/comments", g->api, g->repo);
	h.list_url = list.ptr;
	h.create_url = create.ptr;
	h.update_base = update.ptr;
	h.subject = g->repo;
	ci_marker_comment(g->r, &h, g->marker.ptr);
	ins_buf_release(&list);
	ins_buf_release(&create);
	ins_buf_release(&update);
}

/* ---- the check run, or a status ---- */

static const char *gh_conclusion(const struct report *r)
{
	return ci_report_failed(r) ? "failure" : "success";
}

/* See cmd_ci.h. */
size_t ci_nodeid_file(const char *id)
{
	const char *sep = id ? strstr(id, "::") : NULL;

	if (!sep || sep == id)
		return 0;
	if (memchr(id, '/', (size_t)(sep - id)) || (sep - id > 3 && !strncmp(sep - 3, ".py", 3)))
		return (size_t)(sep - id);
	return 0;
}

/* Annotations [from, from+50) of the failing tests that name a file; their count. */
static size_t gh_annotations(const struct report *r, size_t *from, cJSON *arr)
{
	const ins_table *t = ins_doc_find_table(r->cmp, r->has_base ? "new_failures" :
						"still_failing");
	size_t n = 0;

	while (t && *from < t->nrows && n < GH_ANNOTATIONS && *from < GH_CHECK_ANNOTATIONS_MAX) {
		const char *id = ins_table_cell_text(t, *from, "nodeid");
		const char *msg = ins_table_cell_text(t, *from, "message");
		size_t flen = ci_nodeid_file(id);

		(*from)++;
		if (!flen)
			continue;
		{
			cJSON *a = cJSON_CreateObject();
			ins_buf path = INS_BUF_INIT, m = INS_BUF_INIT;

			ins_buf_put(&path, id, flen);
			ins_buf_puts(&m, msg && *msg ? msg : "new failure");
			if (m.len > 60000)
				ins_buf_truncate(&m, 60000);
			cJSON_AddStringToObject(a, "path", path.ptr);
			cJSON_AddNumberToObject(a, "start_line", 1);
			cJSON_AddNumberToObject(a, "end_line", 1);
			cJSON_AddStringToObject(a, "annotation_level", "failure");
			cJSON_AddStringToObject(a, "title", id);
			cJSON_AddStringToObject(a, "message", m.ptr);
			cJSON_AddItemToArray(arr, a);
			ins_buf_release(&path);
			ins_buf_release(&m);
			n++;
		}
	}
	return n;
}

static cJSON *gh_output(const struct report *r, const char *title, size_t *from)
{
	cJSON *out = cJSON_CreateObject(), *arr = cJSON_CreateArray();
	ins_buf summary = INS_BUF_INIT;

	ins_buf_put(&summary, r->md.ptr, r->md.len > GH_SUMMARY_MAX ? GH_SUMMARY_MAX : r->md.len);
	cJSON_AddStringToObject(out, "title", title);
	cJSON_AddStringToObject(out, "summary", summary.ptr);
	gh_annotations(r, from, arr);
	cJSON_AddItemToObject(out, "annotations", arr);
	ins_buf_release(&summary);
	return out;
}

static void gh_status(struct gh *g, const char *note)
{
	ins_http_response resp = INS_HTTP_RESPONSE_INIT;
	ins_buf url = INS_BUF_INIT, desc = INS_BUF_INIT, ctxname = INS_BUF_INIT;
	cJSON *body = cJSON_CreateObject();
	int rc;

	ins_buf_printf(&url, "%s/repos/%s/statuses/%s", g->api, g->repo, g->sha);
	ci_headline(g->r, &desc, GH_STATUS_MAX);
	ins_buf_printf(&ctxname, "insight/%s", g->r->sut);
	cJSON_AddStringToObject(body, "state", gh_conclusion(g->r));
	cJSON_AddStringToObject(body, "description", desc.ptr);
	cJSON_AddStringToObject(body, "context", ctxname.ptr);
	if (g->r->report_url || g->r->ci.build_url)
		cJSON_AddStringToObject(body, "target_url", g->r->report_url ? g->r->report_url :
					g->r->ci.build_url);
	rc = ins_net_json(g->net, "POST", url.ptr, g->headers, body, &resp, NULL);
	if (rc < 0)
		ins_delivery_add(g->r->d, "status", INS_NOT_DELIVERED, ins_error_last());
	else if (resp.dry_run)
		ins_delivery_add(g->r->d, "status", INS_SKIPPED, "dry run");
	else if (resp.status >= 200 && resp.status < 300)
		ins_delivery_add(g->r->d, "status", INS_DELIVERED, note);
	else
		gh_failure(g, "status", &resp, "statuses: write");
	cJSON_Delete(body);
	ins_http_response_release(&resp);
	ins_buf_release(&url);
	ins_buf_release(&desc);
	ins_buf_release(&ctxname);
}

/* The check run; 1 when GitHub refused it with 403 (the caller falls back to a status). */
static int gh_checks(struct gh *g)
{
	ins_http_response resp = INS_HTTP_RESPONSE_INIT;
	ins_buf url = INS_BUF_INIT, title = INS_BUF_INIT, name = INS_BUF_INIT, detail = INS_BUF_INIT;
	cJSON *body = cJSON_CreateObject(), *run = NULL, *idv;
	size_t from = 0, total;
	double id = 0;
	int rc, refused = 0, batches = 1;

	ci_headline(g->r, &title, 1000);
	ins_buf_printf(&name, "insight (%s)", g->r->sut);
	ins_buf_printf(&url, "%s/repos/%s/check-runs", g->api, g->repo);
	cJSON_AddStringToObject(body, "name", name.ptr);
	cJSON_AddStringToObject(body, "head_sha", g->sha);
	cJSON_AddStringToObject(body, "status", "completed");
	cJSON_AddStringToObject(body, "conclusion", gh_conclusion(g->r));
	cJSON_AddStringToObject(body, "external_id", g->r->sut);
	if (g->r->report_url || g->r->ci.build_url)
		cJSON_AddStringToObject(body, "details_url", g->r->report_url ? g->r->report_url :
					g->r->ci.build_url);
	cJSON_AddItemToObject(body, "output", gh_output(g->r, title.ptr, &from));
	rc = ins_net_json(g->net, "POST", url.ptr, g->headers, body, &resp, &run);
	if (rc < 0) {
		ins_delivery_add(g->r->d, "checks", INS_NOT_DELIVERED, ins_error_last());
		goto done;
	}
	if (resp.status == 403) {
		refused = 1;
		goto done;
	}
	if (!resp.dry_run && (resp.status < 200 || resp.status >= 300)) {
		gh_failure(g, "checks", &resp, "checks: write");
		goto done;
	}
	idv = cJSON_GetObjectItemCaseSensitive(run, "id");
	id = cJSON_IsNumber(idv) ? idv->valuedouble : 0;
	{
		const ins_table *t = ins_doc_find_table(g->r->cmp, g->r->has_base ?
							"new_failures" : "still_failing");
		total = t ? t->nrows : 0;
	}
	/* the rest of the annotations, 50 a request */
	while (from < total && from < GH_CHECK_ANNOTATIONS_MAX) {
		cJSON *patch = cJSON_CreateObject();

		ins_http_response_release(&resp);
		cJSON_AddItemToObject(patch, "output", gh_output(g->r, title.ptr, &from));
		ins_buf_clear(&url);
		if (resp.dry_run || !id)
			ins_buf_printf(&url, "%s/repos/%s/check-runs/{check_run_id}", g->api, g->repo);
		else
			ins_buf_printf(&url, "%s/repos/%s/check-runs/%.0f", g->api, g->repo, id);
		rc = ins_net_json(g->net, "PATCH", url.ptr, g->headers, patch, &resp, NULL);
		cJSON_Delete(patch);
		batches++;
		if (rc < 0) {
			ins_delivery_add(g->r->d, "checks", INS_NOT_DELIVERED, ins_error_last());
			goto done;
		}
		if (!resp.dry_run && (resp.status < 200 || resp.status >= 300)) {
			gh_failure(g, "checks", &resp, "checks: write");
			goto done;
		}
	}
	if (resp.dry_run) {
		ins_delivery_add(g->r->d, "checks", INS_SKIPPED, "dry run");
	} else {
		ins_buf_printf(&detail, "%d request%s", batches, batches == 1 ? "" : "s");
		ins_delivery_add(g->r->d, "checks", INS_DELIVERED, detail.ptr);
	}
done:
	cJSON_Delete(body);
	cJSON_Delete(run);
	ins_http_response_release(&resp);
	ins_buf_release(&url);
	ins_buf_release(&title);
	ins_buf_release(&name);
	ins_buf_release(&detail);
	return refused;
}

void ci_github_http(struct report *r, unsigned channels)
{
	struct gh g = { r, NULL, NULL, NULL, NULL, NULL, { NULL }, INS_BUF_INIT, INS_BUF_INIT };
	const struct ins_config *cfg;
	const char *token = NULL, *from = NULL;
	static const char *const names[] = { "comment", "checks", "status" };
	static const unsigned bits[] = { CH_COMMENT, CH_CHECKS, CH_STATUS };
	const char *why = NULL;
	int i;

	g.api = r->ci.api_url ? r->ci.api_url : "https://api.github.com";
	g.repo = r->ci.repo;
	g.sha = r->ci.head_commit ? r->ci.head_commit : r->ci.commit;
	g.pr = r->ci.pr;
	if (r->ci.fork)
		why = "a pull request from a fork has a read-only token";
	else if (!g.repo || !g.sha)
		why = "GITHUB_REPOSITORY or GITHUB_SHA is not set";
	else if (cmd_config(r->ctx, &cfg) != 0 ||
		 ins_config_get_secret(cfg, "ci.github.token", &token, &from) < 0 || !token || !*token)
		why = "no token: set GITHUB_TOKEN (or ci.github.token-env)";
	if (why) {
		for (i = 0; i < 3; i++)
			if (channels & bits[i] && (i != 2 || !(channels & CH_CHECKS)))
				ins_delivery_add(r->d, names[i], r->asked & bits[i] ?
						 INS_NOT_DELIVERED : INS_SKIPPED, why);
		if (r->ci.fork && !r->ctx->quiet)
			cmd_say("a pull request from a fork: its token cannot write, so only the job "
				"summary and the annotations are published");
		ins_error_clear();
		return;
	}
	if (cmd_net_open(r->ctx, r->dry_run, &g.net) != 0) {
		ins_delivery_add(r->d, "comment", INS_NOT_DELIVERED, ins_error_last());
		return;
	}
	ins_buf_printf(&g.auth, "Authorization: Bearer %s", token);
	g.headers[0] = g.auth.ptr;
	g.headers[1] = "Accept: application/vnd.github+json";
	g.headers[2] = "X-GitHub-Api-Version: 2022-11-28";
	ins_report_md_marker(&g.marker, r->sut);

	if (channels & CH_COMMENT)
		gh_comment(&g);
	if (channels & CH_CHECKS) {
		if (gh_checks(&g)) {
			if (channels & CH_STATUS)
				gh_status(&g, "as a commit status: the token cannot write checks");
			else
				ins_delivery_add(r->d, "checks", INS_NOT_DELIVERED,
						 "GitHub answered 403: the token needs `checks: write`");
		}
	} else if (channels & CH_STATUS) {
		gh_status(&g, NULL);
	}
	ins_net_free(g.net);
	ins_buf_release(&g.auth);
	ins_buf_release(&g.marker);
}
