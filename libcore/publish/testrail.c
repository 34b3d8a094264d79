/*
 * testrail.c - a session's results sent to TestRail through API v2
 * (index.php?/api/v2/<method>), with HTTP Basic authentication (the user's
 * e-mail and an API key).
 *
 * The steps, each a request through the network layer (retries on 429 with
 * Retry-After and on 5xx are its own):
 *
 *   1. map each test to its cases: the mapping file, else a
 *      testrail_case_id (or test_id) property, else "C123" in its name;
 *   2. read the cases the results may go to, page by page (_links.next):
 *      the suite's cases (get_cases) for a new run, the run's tests
 *      (get_tests) for --run-id; a result for another case is refused here,
 *      named, and not sent;
 *   3. create the run (add_run, include_all false, the mapped case ids),
 *      named after the SUT, the commit and the session;
 *   4. send the results (add_results_for_cases) in batches; a batch the
 *      server refuses (400) is sent again one result a request, so that
 *      each refused result is named and the others still land;
 *   5. close the run when asked (close_run).
 *
 * A POST that may have reached TestRail before the connection dropped is
 * not sent twice blindly: the run is looked for by its name (add_run), and
 * the results of the run are counted (add_results_for_cases) first.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "insight/buf.h"
#include "insight/errors.h"
#include "insight/net.h"
#include "insight/publish.h"
#include "insight/secret.h"
#include "publish/publish_internal.h"

/* The traceback's first lines go into a result's comment, this much at most. */
#define COMMENT_TRACE_MAX 2000
#define COMMENT_TRACE_LINES 25

struct item {
	long case_id;
	size_t test;      /* index in the session */
	int refused;
};

struct tr {
	ins_net *net;
	const ins_pub_session *s;
	const ins_testrail_opts *o;
	ins_pub_report *rep;
	ins_buf base;          /* ".../index.php?/api/v2/" */
	ins_buf authz;         /* "Authorization: Basic ..." */
	const char *headers[2];
	long run_id;
	ins_buf run_name;
	char publish_id[INS_PUBLISH_ID_LEN + 1]; /* in the new run's description */
	/* the case ids results may go to, sorted */
	long *known;
	size_t nknown, aknown;
	/* results of the run before this command's first batch */
	long base_results;
	long expect_results;   /* what the run should hold once the batch in flight landed */
};

void ins_testrail_default_status(int status[INS_OUTCOME_COUNT])
{
	status[INS_OUTCOME_PASSED] = INS_TR_PASSED;
	status[INS_OUTCOME_FAILED] = INS_TR_FAILED;
	status[INS_OUTCOME_ERROR] = INS_TR_FAILED;
	status[INS_OUTCOME_SKIPPED] = INS_TR_BLOCKED;
	status[INS_OUTCOME_XFAILED] = INS_TR_RETEST;
	status[INS_OUTCOME_XPASSED] = INS_TR_PASSED;
}

static void base64(ins_buf *out, const char *s)
{
	static const char tab[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t n = strlen(s);

	for (size_t i = 0; i < n; i += 3) {
		unsigned v = (unsigned char)s[i] << 16;

		if (i + 1 < n)
			v |= (unsigned char)s[i + 1] << 8;
		if (i + 2 < n)
			v |= (unsigned char)s[i + 2];
		ins_buf_putc(out, tab[v >> 18 & 63]);
		ins_buf_putc(out, tab[v >> 12 & 63]);
		ins_buf_putc(out, i + 1 < n ? tab[v >> 6 & 63] : '=');
		ins_buf_putc(out, i + 2 < n ? tab[v & 63] : '=');
	}
}

/* The URL of API method `method` for object `id`: ".../api/v2/add_run/1". */
static void api_url(struct tr *t, ins_buf *url, const char *method, long id)
{
	ins_buf_clear(url);
	ins_buf_printf(url, "%s%s/%ld", t->base.ptr, method, id);
}

/* "TestRail answered 401: reason" into the report, the target failed. */
static void fail_answer(struct tr *t, const char *what, const ins_http_response *resp)
{
	ins_buf *r = &t->rep->reason;

	ins_publish__fail_answer(t->rep, what, "TestRail", resp);
	if (resp->status == 401)
		ins_buf_puts(r, " (check publish.testrail.user and the API key in "
			     "TESTRAIL_API_KEY)");
	else if (resp->status == 403)
		ins_buf_puts(r, " (the user may not do this in the project)");
}

static void fail_net(struct tr *t, const char *what)
{
	ins_publish__fail_net(t->rep, what);
}

static void note(struct tr *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void note(struct tr *t, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ins_publish__note(t->o->note, t->o->data, fmt, ap);
	va_end(ap);
}

/*
 * GET `path` (after the API base) and each next page (_links.next), calling
 * fn for each element of the list `key` (or of a bare array, as servers
 * before 6.7 answer). 0; 1 when the target failed (the report says why).
 */
static int get_all(struct tr *t, const char *path, const char *key, const char *what,
		   int (*fn)(struct tr *t, const cJSON *item, void *data), void *data)
{
	ins_buf url = INS_BUF_INIT;
	ins_http_response resp = INS_HTTP_RESPONSE_INIT;
	int rc = 0;

	ins_buf_puts(&url, t->base.ptr);
	ins_buf_puts(&url, path);
	for (int pages = 0; url.len; pages++) {
		cJSON *doc = NULL;
		const cJSON *list, *item, *next;

		ins_http_response_release(&resp);
		if (ins_net_json(t->net, "GET", url.ptr, t->headers, NULL, &resp, &doc) < 0) {
			fail_net(t, what);
			rc = 1;
			break;
		}
		if (resp.dry_run)
			break;
		if (resp.status < 200 || resp.status >= 300 || !doc) {
			fail_answer(t, what, &resp);
			cJSON_Delete(doc);
			rc = 1;
			break;
		}
		list = cJSON_IsArray(doc) ? doc : cJSON_GetObjectItemCaseSensitive(doc, key);
		cJSON_ArrayForEach(item, list) {
			if ((rc = fn(t, item, data)) != 0)
				break;
		}
		next = cJSON_IsObject(doc) ? cJSON_GetObjectItemCaseSensitive(
			cJSON_GetObjectItemCaseSensitive(doc, "_links"), "next") : NULL;
		ins_buf_clear(&url);
		if (!rc && cJSON_IsString(next) && *next->valuestring && pages < 100000) {
			const char *n = next->valuestring;

			if (!strncmp(n, "http://", 7) || !strncmp(n, "https://", 8)) {
				ins_buf_puts(&url, n);
			} else {
				/* "/api/v2/get_cases/1&offset=250", after "index.php?" */
				const char *api = strstr(n, "/api/v2/");

				ins_buf_puts(&url, t->base.ptr);
				ins_buf_puts(&url, api ? api + 8 : n);
			}
		}
		cJSON_Delete(doc);
		if (rc)
			break;
	}
	ins_http_response_release(&resp);
	ins_buf_release(&url);
	return rc;
}

static int add_known(struct tr *t, const cJSON *item, void *data)
{
	const cJSON *id = cJSON_GetObjectItemCaseSensitive(item, (const char *)data);

	if (cJSON_IsNumber(id)) {
		t->known = ins_xgrow(t->known, &t->aknown, t->nknown + 1, sizeof(*t->known));
		t->known[t->nknown++] = (long)id->valuedouble;
	}
	return 0;
}

static int long_cmp(const void *a, const void *b)
{
	long x = *(const long *)a, y = *(const long *)b;

	return x < y ? -1 : x > y;
}

static int is_known(const struct tr *t, long id)
{
	return bsearch(&id, t->known, t->nknown, sizeof(id), long_cmp) != NULL;
}

/* ---- the run ---- */

struct find_run {
	const char *name, *publish_id;
	long id;
};

static int match_run(struct tr *t, const cJSON *item, void *data)
{
	struct find_run *f = data;
	const cJSON *id = cJSON_GetObjectItemCaseSensitive(item, "id");

	(void)t;
	/* The same session published before has runs of the same name: this publish's id tells. */
	if (cJSON_IsNumber(id) &&
	    ins_publish__is_ours(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(item, "name")),
				 cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(item,
											 "description")),
				 f->name, f->publish_id))
		f->id = (long)id->valuedouble;
	return 0;
}

/*
 * add_run may have landed: look for the open run of its name (which holds the
 * session id) whose description holds this publish's id.
 */
static int run_landed(ins_net *net, void *data)
{
	struct tr *t = data;
	struct find_run f = { t->run_name.ptr, t->publish_id, 0 };
	ins_buf path = INS_BUF_INIT;
	int failed;

	(void)net;
	ins_buf_printf(&path, "get_runs/%ld&is_completed=0", t->o->project_id);
	failed = get_all(t, path.ptr, "runs", "looking for the run", match_run, &f);
	ins_buf_release(&path);
	if (f.id) {
		t->rep->failed = 0;
		ins_buf_clear(&t->rep->reason);
		t->run_id = f.id;
		return INS_NET_LANDED;
	}
	return failed ? INS_ENET : INS_NET_NOT_LANDED;
}

static int create_run(struct tr *t, const struct item *items, size_t n)
{
	ins_http_request req = { 0 };
	ins_http_response resp = INS_HTTP_RESPONSE_INIT;
	ins_buf url = INS_BUF_INIT, desc = INS_BUF_INIT, ids = INS_BUF_INIT;
	cJSON *body = cJSON_CreateObject(), *doc = NULL;
	const cJSON *id;
	long *sorted = ins_xcalloc(n ? n : 1, sizeof(*sorted));
	size_t ns = 0;
	int rc = 0;

	for (size_t i = 0; i < n; i++)
		if (!items[i].refused)
			sorted[ns++] = items[i].case_id;
	qsort(sorted, ns, sizeof(*sorted), long_cmp);
	if (t->o->suite_id > 0)
		cJSON_AddNumberToObject(body, "suite_id", (double)t->o->suite_id);
	cJSON_AddStringToObject(body, "name", t->run_name.ptr);
	ins_publish__description(&desc, t->s, t->publish_id);
	cJSON_AddStringToObject(body, "description", desc.ptr);
	cJSON_AddBoolToObject(body, "include_all", 0);
	/* thousands of ids: written as text, one raw item */
	ins_buf_putc(&ids, '[');
	for (size_t i = 0; i < ns; i++) {
		if (i && sorted[i] == sorted[i - 1])
			continue;
		if (ids.len > 1)
			ins_buf_putc(&ids, ',');
		ins_publish__put_long(&ids, sorted[i]);
	}
	ins_buf_putc(&ids, ']');
	cJSON_AddRawToObject(body, "case_ids", ids.ptr);
	api_url(t, &url, "add_run", t->o->project_id);
	req.method = "POST";
	req.url = url.ptr;
	req.headers = t->headers;
	req.idempotent = 0;
	req.landed = run_landed;
	req.landed_data = t;
	if (ins_net_json_request(t->net, &req, body, &resp, &doc) < 0) {
		fail_net(t, "creating the run");
		rc = 1;
	} else if (resp.dry_run) {
		t->run_id = 0;
	} else if (resp.landed) {
		/* run_landed set the id */
	} else if (resp.status < 200 || resp.status >= 300 || !doc) {
		fail_answer(t, "creating the run", &resp);
		rc = 1;
	} else if (!cJSON_IsNumber(id = cJSON_GetObjectItemCaseSensitive(doc, "id"))) {
		t->rep->failed = 1;
		ins_buf_set(&t->rep->reason, "creating the run: TestRail's answer has no run id");
		rc = 1;
	} else {
		t->run_id = (long)id->valuedouble;
	}
	cJSON_Delete(body);
	cJSON_Delete(doc);
	ins_http_response_release(&resp);
	ins_buf_release(&url);
	ins_buf_release(&desc);
	ins_buf_release(&ids);
	free(sorted);
	return rc;
}

/* ---- results ---- */

static int count_result(struct tr *t, const cJSON *item, void *data)
{
	(void)t;
	(void)item;
	(*(long *)data)++;
	return 0;
}

static int count_results(struct tr *t, long *n)
{
	ins_buf path = INS_BUF_INIT;
	int failed;

	*n = 0;
	ins_buf_printf(&path, "get_results_for_run/%ld", t->run_id);
	failed = get_all(t, path.ptr, "results", "counting the run's results", count_result, n);
	ins_buf_release(&path);
	return failed;
}

/* A batch may have landed: the run then holds its results. */
static int batch_landed(ins_net *net, void *data)
{
	struct tr *t = data;
	long n;

	(void)net;
	if (count_results(t, &n))
		return INS_ENET;
	return n >= t->expect_results ? INS_NET_LANDED : INS_NET_NOT_LANDED;
}

/* `s` as a JSON string, quotes included (bytes of 0x80 and up as they are). */
static void json_string(ins_buf *b, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	const char *run = s;

	ins_buf_putc(b, '"');
	for (;; s++) {
		unsigned char c = (unsigned char)*s;
		char esc[7] = "\\u00";

		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		ins_buf_put(b, run, (size_t)(s - run));
		run = s + 1;
		if (!c)
			break;
		switch (c) {
		case '"': ins_buf_puts(b, "\\\""); break;
		case '\\': ins_buf_puts(b, "\\\\"); break;
		case '\b': ins_buf_puts(b, "\\b"); break;
		case '\f': ins_buf_puts(b, "\\f"); break;
		case '\n': ins_buf_puts(b, "\\n"); break;
		case '\r': ins_buf_puts(b, "\\r"); break;
		case '\t': ins_buf_puts(b, "\\t"); break;
		default:
			esc[4] = hex[c >> 4];
			esc[5] = hex[c & 15];
			ins_buf_put(b, esc, 6);
			break;
		}
	}
	ins_buf_putc(b, '"');
}

/* The comment of a result: the message and the start of the traceback; empty when none. */
static void comment_text(ins_buf *c, const ins_pub_test *test)
{
	ins_buf_clear(c);
	if (test->message)
		ins_buf_puts(c, test->message);
	if (test->detail && *test->detail) {
		const char *p = test->detail;
		size_t lines = 0;

		if (c->len)
			ins_buf_puts(c, "\n\n");
		while (*p && lines < COMMENT_TRACE_LINES && (size_t)(p - test->detail) <
		       COMMENT_TRACE_MAX) {
			const char *e = strchr(p, '\n');
			size_t len = e ? (size_t)(e - p) + 1 : strlen(p);

			ins_buf_put(c, p, len);
			p += len;
			lines++;
		}
		if (*p)
			ins_buf_puts(c, "\n...");
		ins_buf_rtrim(c);
	}
}

/*
 * One result of add_results_for_cases as JSON text, appended to `b`. The
 * batches are written as text, not built as cJSON trees: thousands of
 * results are most of a large publish's local work.
 */
static void result_json(struct tr *t, const struct item *it, ins_buf *b, ins_buf *comment)
{
	const ins_pub_test *test = &t->s->tests[it->test];

	ins_buf_puts(b, "{\"case_id\":");
	ins_publish__put_long(b, it->case_id);
	ins_buf_puts(b, ",\"status_id\":");
	ins_publish__put_long(b, t->o->status[test->outcome]);
	if (test->duration >= 0) {
		ins_buf_puts(b, ",\"elapsed\":\"");
		ins_testrail_elapsed(b, test->duration);
		ins_buf_putc(b, '"');
	}
	if (t->s->commit) {
		ins_buf_puts(b, ",\"version\":");
		json_string(b, t->s->commit);
	}
	comment_text(comment, test);
	if (comment->len) {
		ins_buf_puts(b, ",\"comment\":");
		json_string(b, comment->ptr);
	}
	ins_buf_putc(b, '}');
}

/*
 * Send items[0..n): 0 when the batch was delivered or refused (each refused
 * result named when n is 1), 1 when the target failed, 2 when TestRail
 * refused the batch as a whole (400) and it should be sent one by one.
 */
static int send_batch(struct tr *t, struct item *items, size_t n)
{
	ins_http_request req = { 0 };
	ins_http_response resp = INS_HTTP_RESPONSE_INIT;
	ins_buf url = INS_BUF_INIT, path = INS_BUF_INIT, body = INS_BUF_INIT;
	ins_buf comment = INS_BUF_INIT;
	const char *headers[] = { t->headers[0], "Accept: application/json",
				  "Content-Type: application/json", NULL };
	int rc = 0;

	ins_buf_puts(&body, "{\"results\":[");
	for (size_t i = 0; i < n; i++) {
		if (i)
			ins_buf_putc(&body, ',');
		result_json(t, &items[i], &body, &comment);
	}
	ins_buf_puts(&body, "]}");
	if (t->run_id)
		api_url(t, &url, "add_results_for_cases", t->run_id);
	else
		ins_buf_printf(&url, "%sadd_results_for_cases/<the new run's id>", t->base.ptr);
	t->expect_results = t->base_results + (long)t->rep->delivered + (long)n;
	req.method = "POST";
	req.url = url.ptr;
	req.headers = headers;
	req.body = body.ptr;
	req.body_len = body.len;
	req.idempotent = 0;
	req.landed = batch_landed;
	req.landed_data = t;
	if (ins_net_request(t->net, &req, &resp) < 0) {
		ins_buf_printf(&path, "sending results %zu to %zu", t->rep->delivered + 1,
			       t->rep->delivered + n);
		fail_net(t, path.ptr);
		rc = 1;
	} else if (resp.dry_run || resp.landed || (resp.status >= 200 && resp.status < 300)) {
		t->rep->delivered += n;
	} else if (resp.status == 400 && n > 1) {
		rc = 2;
	} else if (resp.status == 400) {
		const ins_pub_test *test = &t->s->tests[items[0].test];
		ins_buf why = INS_BUF_INIT;

		ins_http_error_reason(&resp, &why);
		note(t, "not delivered: %s (C%ld): %s", test->nodeid, items[0].case_id, why.ptr);
		items[0].refused = 1;
		t->rep->rejected++;
		ins_buf_release(&why);
	} else {
		fail_answer(t, "sending results", &resp);
		rc = 1;
	}
	ins_buf_release(&body);
	ins_buf_release(&comment);
	ins_http_response_release(&resp);
	ins_buf_release(&url);
	ins_buf_release(&path);
	return rc;
}

static int close_run(struct tr *t)
{
	ins_http_request req = { 0 };
	ins_http_response resp = INS_HTTP_RESPONSE_INIT;
	ins_buf url = INS_BUF_INIT;
	cJSON *body = cJSON_CreateObject();
	int rc = 0;

	if (t->run_id)
		api_url(t, &url, "close_run", t->run_id);
	else
		ins_buf_printf(&url, "%sclose_run/<the new run's id>", t->base.ptr);
	req.method = "POST";
	req.url = url.ptr;
	req.headers = t->headers;
	/* Closing twice is harmless: a second close of a closed run is refused, not repeated. */
	req.idempotent = 1;
	if (ins_net_json_request(t->net, &req, body, &resp, NULL) < 0) {
		fail_net(t, "closing the run");
		rc = 1;
	} else if (!resp.dry_run && (resp.status < 200 || resp.status >= 300)) {
		fail_answer(t, "closing the run", &resp);
		rc = 1;
	}
	cJSON_Delete(body);
	ins_http_response_release(&resp);
	ins_buf_release(&url);
	return rc;
}

/* --run-id: the run must exist and be open (a closed run takes no results). */
static int check_run(struct tr *t)
{
	ins_buf url = INS_BUF_INIT;
	ins_http_response resp = INS_HTTP_RESPONSE_INIT;
	cJSON *doc = NULL;
	int rc = 0;

	api_url(t, &url, "get_run", t->run_id);
	if (ins_net_json(t->net, "GET", url.ptr, t->headers, NULL, &resp, &doc) < 0) {
		fail_net(t, "reading the run");
		rc = 1;
	} else if (resp.dry_run) {
		/* nothing to check */
	} else if (resp.status < 200 || resp.status >= 300 || !doc) {
		fail_answer(t, "reading the run", &resp);
		rc = 1;
	} else if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(doc, "is_completed"))) {
		t->rep->failed = 1;
		ins_buf_clear(&t->rep->reason);
		ins_buf_printf(&t->rep->reason, "run %ld is closed: TestRail takes no more results "
			       "in it", t->run_id);
		rc = 1;
	}
	cJSON_Delete(doc);
	ins_http_response_release(&resp);
	ins_buf_release(&url);
	return rc;
}

/* ---- mapping ---- */

static void map_tests(struct tr *t, struct item **items, size_t *nitems)
{
	long *ids = NULL;
	size_t aids = 0, aitems = 0;

	for (size_t i = 0; i < t->s->ntests; i++) {
		const ins_pub_test *test = &t->s->tests[i];
		const char *cases = ins_pub_map_get(t->o->map, test->nodeid);
		size_t n = 0;

		if (cases)
			ins_testrail_case_ids(cases, 1, &ids, &n, &aids);
		if (!n && test->testrail)
			ins_testrail_case_ids(test->testrail, 1, &ids, &n, &aids);
		if (!n) {
			const char *name = test->name && *test->name ? test->name : NULL;

			if (!name) {
				const char *sep = strstr(test->nodeid, "::");

				name = sep ? sep + 2 : test->nodeid;
			}
			ins_testrail_case_ids(name, 0, &ids, &n, &aids);
		}
		if (!n) {
			t->rep->unmapped++;
			note(t, "unmapped: %s", test->nodeid);
			continue;
		}
		for (size_t k = 0; k < n; k++) {
			*items = ins_xgrow(*items, &aitems, *nitems + 1, sizeof(**items));
			(*items)[*nitems].case_id = ids[k];
			(*items)[*nitems].test = i;
			(*items)[*nitems].refused = 0;
			(*nitems)++;
		}
	}
	free(ids);
}

static int check_opts(const ins_testrail_opts *o)
{
	if (!o->url || !*o->url)
		return ins_error_set(INS_EUSAGE, "publish.testrail.url is not set (the TestRail "
				     "instance, such as https://example.testrail.io)");
	if (strncmp(o->url, "http://", 7) && strncmp(o->url, "https://", 8))
		return ins_error_set(INS_EUSAGE, "publish.testrail.url is not an http(s) URL");
	if (!o->user || !*o->user)
		return ins_error_set(INS_EUSAGE, "publish.testrail.user is not set (the e-mail "
				     "of the TestRail user)");
	if (!o->key || !*o->key)
		return ins_error_set(INS_EUSAGE, "no TestRail API key: set TESTRAIL_API_KEY");
	if (o->run_id <= 0 && o->project_id <= 0)
		return ins_error_set(INS_EUSAGE, "publish.testrail.project-id is not set (needed "
				     "to create a run; or give --run-id)");
	for (int i = 0; i < INS_OUTCOME_COUNT; i++)
		if (o->status[i] < 1 || o->status[i] == INS_TR_UNTESTED || o->status[i] > 12)
			return ins_error_set(INS_EUSAGE, "publish.testrail.status-%s: %d is not a "
					     "status TestRail takes (1, 2, 4, 5, or 6 to 12)",
					     ins_outcome_name((ins_outcome)i), o->status[i]);
	return 0;
}

int ins_publish_testrail(ins_net *net, const ins_pub_session *s, const ins_testrail_opts *o,
			 ins_pub_report *rep)
{
	struct tr t;
	struct item *items = NULL;
	size_t nitems = 0, batch;
	ins_buf cred = INS_BUF_INIT, path = INS_BUF_INIT;
	int rc;

	if ((rc = check_opts(o)) < 0)
		return rc;
	memset(&t, 0, sizeof(t));
	t.net = net;
	t.s = s;
	t.o = o;
	t.rep = rep;
	t.run_id = o->run_id > 0 ? o->run_id : 0;
	rep->tests = s->ntests;
	rep->dry_run = ins_net_dry_run(net);
	ins_buf_puts(&t.base, o->url);
	while (t.base.len && t.base.ptr[t.base.len - 1] == '/')
		ins_buf_truncate(&t.base, t.base.len - 1);
	ins_buf_puts(&t.base, "/index.php?/api/v2/");
	ins_buf_printf(&cred, "%s:%s", o->user, o->key);
	ins_buf_puts(&t.authz, "Authorization: Basic ");
	base64(&t.authz, cred.ptr);
	ins_secret_add(t.authz.ptr + strlen("Authorization: Basic "));
	t.headers[0] = t.authz.ptr;
	ins_publish__run_name(&t.run_name, s);
	ins_publish__new_id(t.publish_id);
	batch = o->batch ? o->batch : INS_TR_BATCH;
	if (batch > INS_TR_BATCH_MAX)
		batch = INS_TR_BATCH_MAX;

	map_tests(&t, &items, &nitems);
	rep->results = nitems;
	if (!nitems)
		goto done; /* nothing mapped: nothing to send, no run made */

	/* The cases results may go to. */
	if (t.run_id) {
		if (check_run(&t))
			goto done;
		ins_buf_clear(&path);
		ins_buf_printf(&path, "get_tests/%ld", t.run_id);
		if (get_all(&t, path.ptr, "tests", "reading the run's tests", add_known,
			    "case_id"))
			goto done;
	} else {
		ins_buf_printf(&path, "get_cases/%ld", o->project_id);
		if (o->suite_id > 0)
			ins_buf_printf(&path, "&suite_id=%ld", o->suite_id);
		if (get_all(&t, path.ptr, "cases", "reading the suite's cases", add_known, "id"))
			goto done;
	}
	if (!rep->dry_run) {
		qsort(t.known, t.nknown, sizeof(*t.known), long_cmp);
		for (size_t i = 0; i < nitems; i++) {
			if (is_known(&t, items[i].case_id))
				continue;
			items[i].refused = 1;
			rep->rejected++;
			if (t.run_id)
				note(&t, "not delivered: %s (C%ld): the case is not in run %ld",
				     s->tests[items[i].test].nodeid, items[i].case_id, t.run_id);
			else if (o->suite_id > 0)
				note(&t, "not delivered: %s (C%ld): the case is not in suite %ld",
				     s->tests[items[i].test].nodeid, items[i].case_id, o->suite_id);
			else
				note(&t, "not delivered: %s (C%ld): the case is not in project %ld",
				     s->tests[items[i].test].nodeid, items[i].case_id,
				     o->project_id);
		}
		/* Keep the results to send together. */
		{
			size_t w = 0;

			for (size_t i = 0; i < nitems; i++)
				if (!items[i].refused)
					items[w++] = items[i];
			nitems = w;
		}
		if (!nitems)
			goto done;
	}

	if (!t.run_id) {
		if (create_run(&t, items, nitems))
			goto done;
	} else if (!rep->dry_run && count_results(&t, &t.base_results)) {
		goto done;
	}
	if (t.run_id)
		ins_buf_printf(&rep->where, "run %ld", t.run_id);

	for (size_t i = 0; i < nitems; i += batch) {
		size_t n = nitems - i < batch ? nitems - i : batch;
		int b = send_batch(&t, items + i, n);

		if (b == 1)
			goto done;
		if (b == 2) {
			/* TestRail refused the batch: one result a request, to name each refusal. */
			for (size_t k = 0; k < n; k++)
				if (send_batch(&t, items + i + k, 1) == 1)
					goto done;
		}
	}
	if (o->close_run && !rep->failed)
		close_run(&t);
done:
	free(items);
	free(t.known);
	ins_buf_release(&t.base);
	ins_buf_release(&t.authz);
	ins_buf_release(&t.run_name);
	ins_buf_release(&cred);
	ins_buf_release(&path);
	return 0;
}
