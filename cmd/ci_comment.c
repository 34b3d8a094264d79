/*
 * ci_comment.c - the one comment a report keeps on a pull or merge request:
 * found again by the hidden marker its first line carries, updated in place,
 * never added twice. The code hosts differ in URLs, verbs and the shape of
 * their pages (struct ci_host); the paging and the care for a POST that may
 * have landed are the same.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "cmd.h"
#include "cmd_ci.h"

#define MAX_PAGES 1000

int ci_report_failed(const struct report *r)
{
	if (r->res.gate_failed)
		return 1;
	return r->has_base ? r->res.new_failures > 0 : r->res.target_failing > 0;
}

void ci_headline(const struct report *r, ins_buf *out, size_t max)
{
	const ins_compare_result *c = &r->res;

	if (r->has_base)
		ins_buf_printf(out, "%zu new failure%s, %zu fixed, %zu still failing, %zu flaky",
			       c->new_failures, c->new_failures == 1 ? "" : "s", c->fixed,
			       c->still_failing, c->target_flaky);
	else
		ins_buf_printf(out, "%zu test%s, %zu failing, %zu flaky (no base to compare with)",
			       c->tests, c->tests == 1 ? "" : "s", c->target_failing,
			       c->target_flaky);
	if (c->target_pass_rate == c->target_pass_rate)
		ins_buf_printf(out, "; pass rate %.1f%%", 100 * c->target_pass_rate);
	if (out->len > max)
		ins_buf_truncate(out, max);
}

void ci_http_failure(struct report *r, const char *host, const char *subject, const char *target,
		     const ins_http_response *resp, const char *permission)
{
	ins_buf why = INS_BUF_INIT;

	ins_buf_printf(&why, "%s answered %ld: ", host, resp->status);
	if (resp->status == 401)
		ins_buf_puts(&why, "the token was refused (");
	else if (resp->status == 403 && permission)
		ins_buf_printf(&why, "the token needs `%s` (", permission);
	else if (resp->status == 404 && subject)
		ins_buf_printf(&why, "%s or the token cannot see it (", subject);
	else
		ins_buf_puts(&why, "(");
	ins_http_error_reason(resp, &why);
	ins_buf_puts(&why, ")");
	ins_delivery_add(r->d, target, INS_NOT_DELIVERED, why.ptr);
	ins_buf_release(&why);
}

struct search {
	const struct ci_host *h;
	const char *marker;
	double id;
	long status;       /* the listing's failing answer, 0 for none */
};

/* A listed comment's text, or NULL (Bitbucket's deleted comments have none). */
static const char *comment_text(const struct ci_host *h, const cJSON *c)
{
	const cJSON *t;

	if (!h->paged_values) {
		t = cJSON_GetObjectItemCaseSensitive(c, "body");
		return cJSON_IsString(t) ? t->valuestring : NULL;
	}
	if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(c, "deleted")))
		return NULL;
	t = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(c, "content"), "raw");
	return cJSON_IsString(t) ? t->valuestring : NULL;
}

/* The next page's URL into `out`: the page's "next", or Link: rel="next". 0 or INS_ENOTFOUND. */
static int next_page(const struct ci_host *h, const ins_http_response *resp, const cJSON *page,
		     ins_buf *out)
{
	const cJSON *next;

	if (!h->paged_values)
		return ins_http_link_next(resp, out);
	next = cJSON_GetObjectItemCaseSensitive(page, "next");
	if (!cJSON_IsString(next) || !*next->valuestring)
		return INS_ENOTFOUND;
	ins_buf_puts(out, next->valuestring);
	return 0;
}

/* 1 when the marker's comment is found (s->id), 0 when the pages end, < 0 when listing failed. */
static int find(struct search *s)
{
	ins_buf url = INS_BUF_INIT;
	int rc = 0, pages = 0;

	s->status = 0;
	ins_buf_puts(&url, s->h->list_url);
	while (url.len && pages++ < MAX_PAGES) {
		ins_http_response resp = INS_HTTP_RESPONSE_INIT;
		cJSON *page = NULL, *list, *c;

		rc = ins_net_json(s->h->net, "GET", url.ptr, s->h->headers, NULL, &resp, &page);
		if (rc >= 0 && !resp.dry_run && resp.status != 200) {
			/* the answer's text is kept for the message */
			s->status = resp.status;
			rc = ins_error_set(INS_ENET, "%s", resp.body.ptr);
			ins_http_response_release(&resp);
			cJSON_Delete(page);
			break;
		}
		if (rc < 0 || resp.dry_run) {
			ins_http_response_release(&resp);
			cJSON_Delete(page);
			break;
		}
		list = s->h->paged_values ? cJSON_GetObjectItemCaseSensitive(page, "values") : page;
		cJSON_ArrayForEach(c, list) {
			const char *text = comment_text(s->h, c);
			cJSON *cid = cJSON_GetObjectItemCaseSensitive(c, "id");

			if (rc != 1 && text && cJSON_IsNumber(cid) && strstr(text, s->marker)) {
				s->id = cid->valuedouble;
				rc = 1;
			}
		}
		ins_buf_clear(&url);
		if (rc != 1 && next_page(s->h, &resp, page, &url) < 0)
			ins_buf_clear(&url);
		ins_http_response_release(&resp);
		cJSON_Delete(page);
		if (rc == 1)
			break;
	}
	ins_buf_release(&url);
	return rc;
}

/* After a POST that may have reached the host: is the comment there now? */
static int landed(ins_net *net, void *data)
{
	struct search *s = data;
	int rc;

	(void)net;
	rc = find(s);
	return rc < 0 ? rc : rc == 1 ? INS_NET_LANDED : INS_NET_NOT_LANDED;
}

void ci_marker_comment(struct report *r, const struct ci_host *h, const char *marker)
{
	struct search s = { h, marker, 0, 0 };
	ins_http_response resp = INS_HTTP_RESPONSE_INIT;
	ins_http_request req = { 0 };
	ins_buf url = INS_BUF_INIT;
	cJSON *body = cJSON_CreateObject();
	int rc, found = find(&s);

	if (found < 0) {
		if (s.status) {
			ins_http_response tmp = INS_HTTP_RESPONSE_INIT;

			tmp.status = s.status;
			ins_buf_puts(&tmp.body, ins_error_last());
			ci_http_failure(r, h->name, h->subject, "comment", &tmp, h->read_permission);
			ins_http_response_release(&tmp);
		} else {
			ins_delivery_add(r->d, "comment", INS_NOT_DELIVERED, ins_error_last());
		}
		goto done;
	}
	if (h->paged_values)
		cJSON_AddStringToObject(cJSON_AddObjectToObject(body, "content"), "raw", r->md.ptr);
	else
		cJSON_AddStringToObject(body, "body", r->md.ptr);
	if (found == 1) {
		ins_buf_printf(&url, "%s/%.0f", h->update_base, s.id);
		req.method = h->update_method;
	} else {
		ins_buf_puts(&url, h->create_url);
		req.method = "POST";
		req.landed = landed;
		req.landed_data = &s;
	}
	req.url = url.ptr;
	req.headers = h->headers;
	req.idempotent = -1;
	rc = ins_net_json_request(h->net, &req, body, &resp, NULL);
	if (rc < 0)
		ins_delivery_add(r->d, "comment", INS_NOT_DELIVERED, ins_error_last());
	else if (resp.dry_run)
		ins_delivery_add(r->d, "comment", INS_SKIPPED, "dry run");
	else if (resp.landed || (resp.status >= 200 && resp.status < 300))
		ins_delivery_add(r->d, "comment", INS_DELIVERED, found == 1 ? "updated" : "created");
	else
		ci_http_failure(r, h->name, h->subject, "comment", &resp, h->write_permission);
done:
	cJSON_Delete(body);
	ins_http_response_release(&resp);
	ins_buf_release(&url);
}
