/*
 * xray.c - a session sent to Xray Cloud: authenticate with the API key's
 * client id and secret (POST /api/v2/authenticate gives a token), then
 * import the session's JUnit export through the JUnit import endpoint:
 *
 *   - into an existing Test Execution (testExecKey), or a new one in the
 *     project (projectKey): POST /api/v2/import/execution/junit?projectKey=
 *     &testExecKey=, the XML as the body;
 *   - into a new Test Execution with its own summary: POST
 *     /api/v2/import/execution/junit/multipart, the XML as part "results"
 *     and the fields as part "info".
 *
 * Xray maps each <testcase> to a Test issue itself (creating the ones it
 * does not know), so every test of the session is sent; none is unmapped.
 * An import is not repeated when it may have reached Xray: the failure says
 * that it may have been delivered.
 */
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

#define BOUNDARY "insight-xray-7d1c0b5e9a4f"

static void fail_answer(ins_pub_report *rep, const char *what, const ins_http_response *resp)
{
	ins_publish__fail_answer(rep, what, "Xray", resp);
	if (resp->status == 401)
		ins_buf_puts(&rep->reason, " (check publish.xray.client-id and the secret in "
			     "XRAY_CLIENT_SECRET)");
	else if (resp->status == 500 || resp->status == 502 || resp->status == 504)
		ins_buf_puts(&rep->reason, " (it may have been imported all the same: look in "
			     "Jira before publishing again)");
}

static int check_opts(const ins_xray_opts *o)
{
	if (!o->url || (strncmp(o->url, "http://", 7) && strncmp(o->url, "https://", 8)))
		return ins_error_set(INS_EUSAGE, "publish.xray.url is not an http(s) URL");
	if (!o->client_id || !*o->client_id)
		return ins_error_set(INS_EUSAGE, "publish.xray.client-id is not set (the client id "
				     "of an Xray API key)");
	if (!o->client_secret || !*o->client_secret)
		return ins_error_set(INS_EUSAGE, "no Xray client secret: set XRAY_CLIENT_SECRET");
	if ((!o->project || !*o->project) && (!o->test_exec || !*o->test_exec))
		return ins_error_set(INS_EUSAGE, "publish.xray.project-key is not set (or give "
				     "--test-exec KEY)");
	if (!o->junit)
		return ins_error_set(INS_EUSAGE, "no JUnit export to import");
	return 0;
}

/* POST /authenticate: the token (a JSON string) into `token`. 0, or 1 when the target failed. */
static int authenticate(ins_net *net, const char *base, const ins_xray_opts *o,
			ins_pub_report *rep, ins_buf *token)
{
	ins_http_response resp = INS_HTTP_RESPONSE_INIT;
	ins_http_request req = { 0 };
	ins_buf url = INS_BUF_INIT;
	cJSON *body = cJSON_CreateObject(), *doc = NULL;
	int rc = 0;

	cJSON_AddStringToObject(body, "client_id", o->client_id);
	cJSON_AddStringToObject(body, "client_secret", o->client_secret);
	ins_buf_printf(&url, "%s/api/v2/authenticate", base);
	req.method = "POST";
	req.url = url.ptr;
	req.idempotent = 1; /* a token more is harmless */
	if (ins_net_json_request(net, &req, body, &resp, NULL) < 0) {
		ins_publish__fail_net(rep, "authenticating");
		rc = 1;
	} else if (resp.dry_run) {
		ins_buf_set(token, "<the token>");
	} else if (resp.status < 200 || resp.status >= 300) {
		fail_answer(rep, "authenticating", &resp);
		rc = 1;
	} else if (!(doc = cJSON_Parse(resp.body.ptr)) || !cJSON_IsString(doc) ||
		   !*doc->valuestring) {
		rep->failed = 1;
		ins_buf_set(&rep->reason, "authenticating: Xray's answer is not a token");
		rc = 1;
	} else {
		ins_buf_set(token, doc->valuestring);
		ins_secret_add(token->ptr);
	}
	cJSON_Delete(body);
	cJSON_Delete(doc);
	ins_http_response_release(&resp);
	ins_buf_release(&url);
	return rc;
}

int ins_publish_xray(ins_net *net, const ins_pub_session *s, const ins_xray_opts *o,
		     ins_pub_report *rep)
{
	ins_http_response resp = INS_HTTP_RESPONSE_INIT;
	ins_http_request req = { 0 };
	ins_buf base = INS_BUF_INIT, token = INS_BUF_INIT, url = INS_BUF_INIT;
	ins_buf authz = INS_BUF_INIT, body = INS_BUF_INIT, ctype = INS_BUF_INIT;
	const char *headers[3];
	cJSON *doc = NULL;
	int rc;

	if ((rc = check_opts(o)) < 0)
		return rc;
	rep->tests = rep->results = s->ntests;
	rep->dry_run = ins_net_dry_run(net);
	ins_buf_puts(&base, o->url);
	while (base.len && base.ptr[base.len - 1] == '/')
		ins_buf_truncate(&base, base.len - 1);
	if (!s->ntests)
		goto done;
	if (authenticate(net, base.ptr, o, rep, &token))
		goto done;
	ins_buf_printf(&authz, "Authorization: Bearer %s", token.ptr);
	if (o->summary && *o->summary && !(o->test_exec && *o->test_exec)) {
		cJSON *info = cJSON_CreateObject(), *fields = cJSON_AddObjectToObject(info, "fields");
		char *text;

		cJSON_AddStringToObject(cJSON_AddObjectToObject(fields, "project"), "key",
					o->project);
		cJSON_AddStringToObject(fields, "summary", o->summary);
		cJSON_AddStringToObject(cJSON_AddObjectToObject(fields, "issuetype"), "name",
					"Test Execution");
		text = cJSON_PrintUnformatted(info);
		ins_buf_printf(&body, "--" BOUNDARY "\r\nContent-Disposition: form-data; "
			       "name=\"results\"; filename=\"junit.xml\"\r\nContent-Type: "
			       "application/xml\r\n\r\n");
		ins_buf_put(&body, o->junit, o->junit_len);
		ins_buf_printf(&body, "\r\n--" BOUNDARY "\r\nContent-Disposition: form-data; "
			       "name=\"info\"; filename=\"info.json\"\r\nContent-Type: "
			       "application/json\r\n\r\n%s\r\n--" BOUNDARY "--\r\n", text);
		free(text);
		cJSON_Delete(info);
		ins_buf_printf(&url, "%s/api/v2/import/execution/junit/multipart", base.ptr);
		ins_buf_puts(&ctype, "Content-Type: multipart/form-data; boundary=" BOUNDARY);
	} else {
		ins_buf_printf(&url, "%s/api/v2/import/execution/junit?", base.ptr);
		if (o->project && *o->project) {
			ins_buf_puts(&url, "projectKey=");
			ins_url_escape(&url, o->project);
		}
		if (o->test_exec && *o->test_exec) {
			ins_buf_puts(&url, o->project && *o->project ? "&testExecKey=" :
				     "testExecKey=");
			ins_url_escape(&url, o->test_exec);
		}
		ins_buf_put(&body, o->junit, o->junit_len);
		ins_buf_puts(&ctype, "Content-Type: application/xml");
	}
	headers[0] = authz.ptr;
	headers[1] = ctype.ptr;
	headers[2] = NULL;
	req.method = "POST";
	req.url = url.ptr;
	req.headers = headers;
	req.body = body.ptr;
	req.body_len = body.len;
	req.idempotent = 0;
	if (ins_net_request(net, &req, &resp) < 0) {
		ins_publish__fail_net(rep, "importing the JUnit results");
	} else if (resp.dry_run) {
		rep->delivered = s->ntests;
	} else if (resp.status < 200 || resp.status >= 300) {
		fail_answer(rep, "importing the JUnit results", &resp);
	} else {
		const cJSON *key;

		doc = cJSON_Parse(resp.body.ptr);
		key = cJSON_GetObjectItemCaseSensitive(doc, "key");
		rep->delivered = s->ntests;
		if (cJSON_IsString(key))
			ins_buf_printf(&rep->where, "test execution %s", key->valuestring);
	}
done:
	cJSON_Delete(doc);
	ins_http_response_release(&resp);
	ins_buf_release(&base);
	ins_buf_release(&token);
	ins_buf_release(&url);
	ins_buf_release(&authz);
	ins_buf_release(&body);
	ins_buf_release(&ctype);
	return 0;
}
