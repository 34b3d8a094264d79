/*
 * zephyr.c - a session's results sent to Zephyr Scale Cloud through its
 * REST API v2 (Authorization: Bearer <API token>).
 *
 * The steps, each a request through the network layer:
 *
 *   1. map each test to its test cases: the mapping file, else a
 *      zephyr_test_key property, else "PROJ-T123" in its name;
 *   2. read the project's test execution statuses, page by page, and check
 *      that each status name insight would send is one of them (statuses
 *      are names each project configures);
 *   3. create the test cycle (POST /testcycles), named after the SUT, the
 *      commit and the session, unless --cycle names one;
 *   4. send one execution per mapped test and case (POST /testexecutions)
 *      with its status name, executionTime (ms), comment and environment; an
 *      execution Zephyr refuses (400: an unknown test case ...) is named and
 *      the others still go.
 *
 * With bulk (--bulk), steps 2 to 4 are one request instead: the session's
 * JUnit export, zipped, uploaded to POST /automations/executions/junit as
 * multipart/form-data ("file", and "testCycle": the cycle's name and
 * description); Zephyr creates the cycle and matches each <testcase> to a
 * test case itself (a key in its name, else its name).
 *
 * A POST that may have reached Zephyr before the connection dropped is not
 * sent twice blindly: the cycle is looked for by its name, and the
 * executions of the test case in the cycle are counted, first.
 */
#include <ctype.h>
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

#define COMMENT_TRACE_MAX 2000
#define COMMENT_TRACE_LINES 25
#define PAGE 1000

struct zitem {
	char *key;        /* PROJ-T123 */
	size_t test;      /* index in the session */
};

struct zy {
	ins_net *net;
	const ins_pub_session *s;
	const ins_zephyr_opts *o;
	ins_pub_report *rep;
	ins_buf base;          /* ".../v2" without a trailing slash */
	ins_buf authz;
	const char *headers[2];
	ins_buf cycle;         /* the cycle's key */
	ins_buf cycle_name;
	char publish_id[INS_PUBLISH_ID_LEN + 1]; /* in the new cycle's description */
	/* the statuses of test executions */
	char **statuses;
	size_t nstatuses, astatuses;
	/* the executions to send, and the one in flight (for its landed check) */
	const struct zitem *items;
	size_t current;
};

void ins_zephyr_default_status(const char *status[INS_OUTCOME_COUNT])
{
	status[INS_OUTCOME_PASSED] = "Pass";
	status[INS_OUTCOME_FAILED] = "Fail";
	status[INS_OUTCOME_ERROR] = "Fail";
	status[INS_OUTCOME_SKIPPED] = "Not Executed";
	status[INS_OUTCOME_XFAILED] = "Blocked";
	status[INS_OUTCOME_XPASSED] = "Pass";
}

static int key_char(char c)
{
	return isupper((unsigned char)c) || isdigit((unsigned char)c) || c == '_';
}

void ins_zephyr_test_keys(const char *text, const char *project, char ***keys, size_t *n,
			  size_t *alloc)
{
	const char *s = text;
	size_t plen = project ? strlen(project) : 0;

	for (size_t j = 0; s && s[j]; j++) {
		size_t i, k, best = (size_t)-1;

		/* "-T<digits>" not followed by a letter or digit, after a project key */
		if (s[j] != '-' || s[j + 1] != 'T' || !isdigit((unsigned char)s[j + 2]))
			continue;
		k = j + 2;
		while (isdigit((unsigned char)s[k]))
			k++;
		if (isalnum((unsigned char)s[k]))
			continue;
		/*
		 * Where the key starts: an upper-case letter that does not follow a
		 * letter or digit. "login_C12_SHOP-T1" could be C12_SHOP or SHOP:
		 * the project's own key wins, else the longest.
		 */
		for (i = j; i > 0 && key_char(s[i - 1]); i--) {
			size_t at = i - 1;

			if (!isupper((unsigned char)s[at]) ||
			    (at > 0 && isalnum((unsigned char)s[at - 1])) || j - at < 2)
				continue;
			if (plen && j - at == plen && !strncmp(s + at, project, plen)) {
				best = at;
				break;
			}
			best = at;
		}
		if (best == (size_t)-1)
			continue;
		*keys = ins_xgrow(*keys, alloc, *n + 1, sizeof(**keys));
		(*keys)[(*n)++] = ins_xstrndup(s + best, k - best);
		j = k - 1;
	}
}

static void note(struct zy *z, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void note(struct zy *z, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ins_publish__note(z->o->note, z->o->data, fmt, ap);
	va_end(ap);
}

static void fail_answer(struct zy *z, const char *what, const ins_http_response *resp)
{
	ins_buf *r = &z->rep->reason;

	ins_publish__fail_answer(z->rep, what, "Zephyr", resp);
	if (resp->status == 401)
		ins_buf_puts(r, " (check the API token in ZEPHYR_API_TOKEN)");
	else if (resp->status == 403)
		ins_buf_puts(r, " (the token's user may not do this in the project)");
}

static void fail_net(struct zy *z, const char *what)
{
	ins_publish__fail_net(z->rep, what);
}

/*
 * GET `path?query` and each next page (startAt + maxResults until isLast),
 * fn for each of "values". 0; 1 when the target failed.
 */
static int get_all(struct zy *z, const char *path, const char *query, const char *what,
		   int (*fn)(struct zy *z, const cJSON *item, void *data), void *data)
{
	ins_buf url = INS_BUF_INIT;
	ins_http_response resp = INS_HTTP_RESPONSE_INIT;
	long start = 0;
	int rc = 0;

	for (int pages = 0; pages < 100000; pages++) {
		cJSON *doc = NULL;
		const cJSON *item, *last, *got;
		long n = 0;

		ins_buf_clear(&url);
		ins_buf_printf(&url, "%s%s?%s&maxResults=%d&startAt=%ld", z->base.ptr, path, query,
			       PAGE, start);
		ins_http_response_release(&resp);
		if (ins_net_json(z->net, "GET", url.ptr, z->headers, NULL, &resp, &doc) < 0) {
			fail_net(z, what);
			rc = 1;
			break;
		}
		if (resp.dry_run)
			break;
		if (resp.status < 200 || resp.status >= 300 || !cJSON_IsObject(doc)) {
			fail_answer(z, what, &resp);
			cJSON_Delete(doc);
			rc = 1;
			break;
		}
		cJSON_ArrayForEach(item, cJSON_GetObjectItemCaseSensitive(doc, "values")) {
			n++;
			if ((rc = fn(z, item, data)) != 0)
				break;
		}
		last = cJSON_GetObjectItemCaseSensitive(doc, "isLast");
		got = cJSON_GetObjectItemCaseSensitive(doc, "maxResults");
		start += cJSON_IsNumber(got) && got->valuedouble > 0 ? (long)got->valuedouble : n;
		cJSON_Delete(doc);
		if (rc || !n || !cJSON_IsFalse(last))
			break;
	}
	ins_http_response_release(&resp);
	ins_buf_release(&url);
	return rc;
}

static void query_add(ins_buf *q, const char *name, const char *value)
{
	if (q->len)
		ins_buf_putc(q, '&');
	ins_buf_puts(q, name);
	ins_buf_putc(q, '=');
	ins_url_escape(q, value);
}

/* ---- statuses ---- */

static int add_status(struct zy *z, const cJSON *item, void *data)
{
	const cJSON *name = cJSON_GetObjectItemCaseSensitive(item, "name");

	(void)data;
	if (cJSON_IsString(name)) {
		z->statuses = ins_xgrow(z->statuses, &z->astatuses, z->nstatuses + 1,
					sizeof(*z->statuses));
		z->statuses[z->nstatuses++] = ins_xstrdup(name->valuestring);
	}
	return 0;
}

static int check_statuses(struct zy *z, const struct zitem *items, size_t n)
{
	ins_buf q = INS_BUF_INIT;
	int used[INS_OUTCOME_COUNT] = { 0 }, rc;

	query_add(&q, "projectKey", z->o->project);
	query_add(&q, "statusType", "TEST_EXECUTION");
	rc = get_all(z, "/statuses", q.ptr, "reading the test execution statuses", add_status,
		     NULL);
	ins_buf_release(&q);
	if (rc || ins_net_dry_run(z->net))
		return rc;
	for (size_t i = 0; i < n; i++)
		used[z->s->tests[items[i].test].outcome] = 1;
	for (int k = 0; k < INS_OUTCOME_COUNT; k++) {
		int found = 0;

		if (!used[k])
			continue;
		for (size_t i = 0; i < z->nstatuses && !found; i++)
			found = !strcmp(z->statuses[i], z->o->status[k]);
		if (!found) {
			z->rep->failed = 1;
			ins_buf_clear(&z->rep->reason);
			ins_buf_printf(&z->rep->reason, "'%s' is not a test execution status of "
				       "project %s (publish.zephyr.status-%s; its statuses:",
				       z->o->status[k], z->o->project,
				       ins_outcome_name((ins_outcome)k));
			for (size_t i = 0; i < z->nstatuses; i++)
				ins_buf_printf(&z->rep->reason, "%s '%s'", i ? "," : "",
					       z->statuses[i]);
			ins_buf_putc(&z->rep->reason, ')');
			return 1;
		}
	}
	return 0;
}

/* ---- the cycle ---- */

struct find_cycle {
	const char *name, *publish_id;
	long id;
	ins_buf *key;
};

static int match_cycle(struct zy *z, const cJSON *item, void *data)
{
	struct find_cycle *f = data;
	const cJSON *id = cJSON_GetObjectItemCaseSensitive(item, "id");
	const cJSON *key = cJSON_GetObjectItemCaseSensitive(item, "key");

	(void)z;
	/* The same session published before has cycles of the same name: this publish's id tells. */
	if (cJSON_IsNumber(id) && cJSON_IsString(key) &&
	    ins_publish__is_ours(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(item, "name")),
				 cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(item,
											 "description")),
				 f->name, f->publish_id)) {
		f->id = (long)id->valuedouble;
		ins_buf_set(f->key, key->valuestring);
	}
	return 0;
}

static int cycle_landed(ins_net *net, void *data)
{
	struct zy *z = data;
	struct find_cycle f = { z->cycle_name.ptr, z->publish_id, 0, &z->cycle };
	ins_buf q = INS_BUF_INIT;
	int failed;

	(void)net;
	query_add(&q, "projectKey", z->o->project);
	failed = get_all(z, "/testcycles", q.ptr, "looking for the test cycle", match_cycle, &f);
	ins_buf_release(&q);
	if (f.id) {
		z->rep->failed = 0;
		ins_buf_clear(&z->rep->reason);
		return INS_NET_LANDED;
	}
	return failed ? INS_ENET : INS_NET_NOT_LANDED;
}

static int create_cycle(struct zy *z)
{
	ins_http_request req = { 0 };
	ins_http_response resp = INS_HTTP_RESPONSE_INIT;
	ins_buf url = INS_BUF_INIT, desc = INS_BUF_INIT;
	cJSON *body = cJSON_CreateObject(), *doc = NULL;
	const cJSON *key;
	int rc = 0;

	cJSON_AddStringToObject(body, "projectKey", z->o->project);
	cJSON_AddStringToObject(body, "name", z->cycle_name.ptr);
	ins_publish__description(&desc, z->s, z->publish_id);
	cJSON_AddStringToObject(body, "description", desc.ptr);
	ins_buf_printf(&url, "%s/testcycles", z->base.ptr);
	req.method = "POST";
	req.url = url.ptr;
	req.headers = z->headers;
	req.idempotent = 0;
	req.landed = cycle_landed;
	req.landed_data = z;
	if (ins_net_json_request(z->net, &req, body, &resp, &doc) < 0) {
		fail_net(z, "creating the test cycle");
		rc = 1;
	} else if (resp.dry_run) {
		ins_buf_set(&z->cycle, "<the new cycle's key>");
	} else if (resp.landed) {
		/* cycle_landed set the key */
	} else if (resp.status < 200 || resp.status >= 300 || !doc) {
		fail_answer(z, "creating the test cycle", &resp);
		rc = 1;
	} else if (!cJSON_IsString(key = cJSON_GetObjectItemCaseSensitive(doc, "key"))) {
		z->rep->failed = 1;
		ins_buf_set(&z->rep->reason, "creating the test cycle: Zephyr's answer has no key");
		rc = 1;
	} else {
		ins_buf_set(&z->cycle, key->valuestring);
	}
	cJSON_Delete(body);
	cJSON_Delete(doc);
	ins_http_response_release(&resp);
	ins_buf_release(&url);
	ins_buf_release(&desc);
	return rc;
}

/* ---- bulk ---- */

/*
 * The zipped JUnit export in one upload; the cycle is Zephyr's answer. 0, or
 * 1 when the target failed. An upload that may have reached Zephyr is not
 * sent again when the cycle of its name exists.
 */
static int send_bulk(struct zy *z)
{
	ins_http_request req = { 0 };
	ins_http_response resp = INS_HTTP_RESPONSE_INIT;
	ins_http_part parts[2];
	ins_buf url = INS_BUF_INIT, zip = INS_BUF_INIT, desc = INS_BUF_INIT;
	const char *headers[] = { z->headers[0], "Accept: application/json", NULL };
	cJSON *cycle = cJSON_CreateObject(), *doc = NULL;
	const cJSON *key;
	char *cycle_json = NULL;
	int rc = 0;

	if (ins_zip_one(&zip, "junit.xml", z->o->junit, z->o->junit_len, z->s->started_ms) < 0) {
		fail_net(z, "zipping the JUnit export");
		rc = 1;
		goto done;
	}
	ins_publish__description(&desc, z->s, z->publish_id);
	cJSON_AddStringToObject(cycle, "name", z->cycle_name.ptr);
	cJSON_AddStringToObject(cycle, "description", desc.ptr);
	cycle_json = cJSON_PrintUnformatted(cycle);
	parts[0] = (ins_http_part){ "file", "junit.zip", "application/zip", zip.ptr, zip.len };
	parts[1] = (ins_http_part){ "testCycle", NULL, "application/json", cycle_json,
				    strlen(cycle_json) };
	ins_buf_printf(&url, "%s/automations/executions/junit?projectKey=", z->base.ptr);
	ins_url_escape(&url, z->o->project);
	ins_buf_puts(&url, "&autoCreateTestCases=false");
	req.method = "POST";
	req.url = url.ptr;
	req.headers = headers;
	req.parts = parts;
	req.nparts = 2;
	req.idempotent = 0;
	req.landed = cycle_landed;
	req.landed_data = z;
	if (ins_net_request(z->net, &req, &resp) < 0) {
		fail_net(z, "uploading the JUnit results");
		rc = 1;
	} else if (resp.dry_run) {
		ins_buf_set(&z->cycle, "<the new cycle's key>");
	} else if (resp.landed) {
		/* cycle_landed set the key */
	} else if (resp.status < 200 || resp.status >= 300) {
		fail_answer(z, "uploading the JUnit results", &resp);
		rc = 1;
	} else {
		doc = cJSON_ParseWithLength(resp.body.ptr, resp.body.len);
		key = cJSON_GetObjectItemCaseSensitive(
			cJSON_GetObjectItemCaseSensitive(doc, "testCycle"), "key");
		if (cJSON_IsString(key))
			ins_buf_set(&z->cycle, key->valuestring);
	}
	if (!rc)
		z->rep->delivered = z->s->ntests;
done:
	cJSON_Delete(cycle);
	cJSON_Delete(doc);
	free(cycle_json);
	ins_http_response_release(&resp);
	ins_buf_release(&url);
	ins_buf_release(&zip);
	ins_buf_release(&desc);
	return rc;
}

/* ---- executions ---- */

static int count_one(struct zy *z, const cJSON *item, void *data)
{
	(void)z;
	(void)item;
	(*(long *)data)++;
	return 0;
}

/*
 * An execution may have landed in the cycle this command created: the cycle
 * then holds as many executions of its test case as were sent so far.
 */
static int execution_landed(ins_net *net, void *data)
{
	struct zy *z = data;
	const char *key = z->items[z->current].key;
	ins_buf q = INS_BUF_INIT;
	long n = 0, want = 1;
	int failed;

	(void)net;
	for (size_t k = 0; k < z->current; k++)
		want += !strcmp(z->items[k].key, key);
	query_add(&q, "projectKey", z->o->project);
	query_add(&q, "testCycle", z->cycle.ptr);
	query_add(&q, "testCase", key);
	failed = get_all(z, "/testexecutions", q.ptr, "counting the test case's executions",
			 count_one, &n);
	ins_buf_release(&q);
	if (failed)
		return INS_ENET;
	return n >= want ? INS_NET_LANDED : INS_NET_NOT_LANDED;
}

static void html_escape(ins_buf *out, const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		switch (s[i]) {
		case '<': ins_buf_puts(out, "&lt;"); break;
		case '>': ins_buf_puts(out, "&gt;"); break;
		case '&': ins_buf_puts(out, "&amp;"); break;
		case '"': ins_buf_puts(out, "&quot;"); break;
		case '\n': ins_buf_puts(out, "<br>"); break;
		case '\r': break;
		default: ins_buf_putc(out, s[i]);
		}
	}
}

static void add_comment(cJSON *r, const ins_pub_test *test)
{
	ins_buf c = INS_BUF_INIT;

	if (test->message)
		html_escape(&c, test->message, strlen(test->message));
	if (test->detail && *test->detail) {
		const char *p = test->detail;
		size_t lines = 0, len;

		if (c.len)
			ins_buf_puts(&c, "<br><br>");
		while (*p && lines < COMMENT_TRACE_LINES && (size_t)(p - test->detail) <
		       COMMENT_TRACE_MAX) {
			const char *e = strchr(p, '\n');

			len = e ? (size_t)(e - p) + 1 : strlen(p);
			p += len;
			lines++;
		}
		len = (size_t)(p - test->detail);
		while (len && (test->detail[len - 1] == '\n' || test->detail[len - 1] == ' '))
			len--;
		html_escape(&c, test->detail, len);
		if (*p)
			ins_buf_puts(&c, "<br>...");
	}
	if (c.len)
		cJSON_AddStringToObject(r, "comment", c.ptr);
	ins_buf_release(&c);
}

/* One execution: 0 delivered or refused (named), 1 the target failed. */
static int send_execution(struct zy *z, size_t i)
{
	const struct zitem *it = &z->items[i];
	const ins_pub_test *test = &z->s->tests[it->test];
	ins_http_request req = { 0 };
	ins_http_response resp = INS_HTTP_RESPONSE_INIT;
	ins_buf url = INS_BUF_INIT;
	cJSON *body = cJSON_CreateObject();
	int rc = 0;

	cJSON_AddStringToObject(body, "projectKey", z->o->project);
	cJSON_AddStringToObject(body, "testCaseKey", it->key);
	cJSON_AddStringToObject(body, "testCycleKey", z->cycle.ptr);
	cJSON_AddStringToObject(body, "statusName", z->o->status[test->outcome]);
	if (test->duration >= 0)
		cJSON_AddNumberToObject(body, "executionTime", (double)(long long)(test->duration *
										  1000 + 0.5));
	if (z->o->environment && *z->o->environment)
		cJSON_AddStringToObject(body, "environmentName", z->o->environment);
	add_comment(body, test);
	ins_buf_printf(&url, "%s/testexecutions", z->base.ptr);
	z->current = i;
	req.method = "POST";
	req.url = url.ptr;
	req.headers = z->headers;
	req.idempotent = 0;
	/*
	 * In a cycle named with --cycle, executions sent before are unknown: a
	 * request that may have landed is then not sent again (the failure says so).
	 */
	req.landed = z->o->cycle && *z->o->cycle ? NULL : execution_landed;
	req.landed_data = z;
	if (ins_net_json_request(z->net, &req, body, &resp, NULL) < 0) {
		ins_buf_clear(&url);
		ins_buf_printf(&url, "sending the execution of %s", it->key);
		fail_net(z, url.ptr);
		rc = 1;
	} else if (resp.dry_run || resp.landed || (resp.status >= 200 && resp.status < 300)) {
		z->rep->delivered++;
	} else if (resp.status == 400 || resp.status == 404) {
		ins_buf why = INS_BUF_INIT;

		ins_http_error_reason(&resp, &why);
		note(z, "not delivered: %s (%s): %s", test->nodeid, it->key, why.ptr);
		z->rep->rejected++;
		ins_buf_release(&why);
	} else {
		fail_answer(z, "sending executions", &resp);
		rc = 1;
	}
	cJSON_Delete(body);
	ins_http_response_release(&resp);
	ins_buf_release(&url);
	return rc;
}

/* ---- mapping ---- */

static void map_tests(struct zy *z, struct zitem **items, size_t *nitems)
{
	char **keys = NULL;
	size_t akeys = 0, aitems = 0;

	for (size_t i = 0; i < z->s->ntests; i++) {
		const ins_pub_test *test = &z->s->tests[i];
		const char *mapped = ins_pub_map_get(z->o->map, test->nodeid);
		size_t n = 0;

		if (mapped)
			ins_zephyr_test_keys(mapped, z->o->project, &keys, &n, &akeys);
		if (!n && test->zephyr)
			ins_zephyr_test_keys(test->zephyr, z->o->project, &keys, &n, &akeys);
		if (!n) {
			const char *name = test->name && *test->name ? test->name : NULL;

			if (!name) {
				const char *sep = strstr(test->nodeid, "::");

				name = sep ? sep + 2 : test->nodeid;
			}
			ins_zephyr_test_keys(name, z->o->project, &keys, &n, &akeys);
		}
		if (!n) {
			z->rep->unmapped++;
			note(z, "unmapped: %s", test->nodeid);
			continue;
		}
		for (size_t k = 0; k < n; k++) {
			*items = ins_xgrow(*items, &aitems, *nitems + 1, sizeof(**items));
			(*items)[*nitems].key = keys[k];
			(*items)[*nitems].test = i;
			(*nitems)++;
		}
	}
	free(keys);
}

static int check_opts(const ins_zephyr_opts *o)
{
	if (!o->url || (strncmp(o->url, "http://", 7) && strncmp(o->url, "https://", 8)))
		return ins_error_set(INS_EUSAGE, "publish.zephyr.url is not an http(s) URL");
	if (!o->token || !*o->token)
		return ins_error_set(INS_EUSAGE, "no Zephyr Scale API token: set ZEPHYR_API_TOKEN");
	if (!o->project || !*o->project)
		return ins_error_set(INS_EUSAGE, "publish.zephyr.project-key is not set (the Jira "
				     "project's key, such as SHOP)");
	for (int i = 0; i < INS_OUTCOME_COUNT; i++)
		if (!o->status[i] || !*o->status[i])
			return ins_error_set(INS_EUSAGE, "publish.zephyr.status-%s is empty",
					     ins_outcome_name((ins_outcome)i));
	if (o->bulk && o->cycle && *o->cycle)
		return ins_error_set(INS_EUSAGE, "a bulk upload makes a test cycle of its own: "
				     "it does not take --cycle");
	if (o->bulk && !o->junit)
		return ins_error_set(INS_EUSAGE, "no JUnit export to upload");
	return 0;
}

int ins_publish_zephyr(ins_net *net, const ins_pub_session *s, const ins_zephyr_opts *o,
		       ins_pub_report *rep)
{
	struct zy z;
	struct zitem *items = NULL;
	size_t nitems = 0;
	int rc;

	if ((rc = check_opts(o)) < 0)
		return rc;
	memset(&z, 0, sizeof(z));
	z.net = net;
	z.s = s;
	z.o = o;
	z.rep = rep;
	rep->tests = s->ntests;
	rep->dry_run = ins_net_dry_run(net);
	ins_buf_puts(&z.base, o->url);
	while (z.base.len && z.base.ptr[z.base.len - 1] == '/')
		ins_buf_truncate(&z.base, z.base.len - 1);
	ins_buf_printf(&z.authz, "Authorization: Bearer %s", o->token);
	z.headers[0] = z.authz.ptr;
	ins_publish__run_name(&z.cycle_name, s);
	ins_publish__new_id(z.publish_id);

	if (o->bulk) {
		/* Every test goes: Zephyr matches them to test cases itself. */
		rep->results = s->ntests;
		if (s->ntests && !send_bulk(&z) && z.cycle.len)
			ins_buf_printf(&rep->where, "cycle %s", z.cycle.ptr);
		goto done;
	}
	map_tests(&z, &items, &nitems);
	rep->results = nitems;
	if (!nitems)
		goto done;
	if (check_statuses(&z, items, nitems))
		goto done;
	if (o->cycle && *o->cycle)
		ins_buf_set(&z.cycle, o->cycle);
	else if (create_cycle(&z))
		goto done;
	ins_buf_printf(&rep->where, "cycle %s", z.cycle.ptr);
	z.items = items;
	for (size_t i = 0; i < nitems; i++)
		if (send_execution(&z, i))
			break;
done:
	for (size_t i = 0; i < nitems; i++)
		free(items[i].key);
	free(items);
	for (size_t i = 0; i < z.nstatuses; i++)
		free(z.statuses[i]);
	free(z.statuses);
	ins_buf_release(&z.base);
	ins_buf_release(&z.authz);
	ins_buf_release(&z.cycle);
	ins_buf_release(&z.cycle_name);
	return 0;
}
