/*
 * ci_azure.c - ci report's Azure DevOps channels over HTTP (REST API
 * version 7.1, under SYSTEM_COLLECTIONURI + SYSTEM_TEAMPROJECT + /_apis),
 * in this order:
 *
 *   comment  GET   git/repositories/{repo}/pullRequests/{pr}/threads: every
 *                  thread of the pull request (Azure answers them all at
 *                  once); the report's comment is the one whose content
 *                  starts with its marker;
 *            PATCH git/repositories/{repo}/pullRequests/{pr}/threads/{thread}
 *                  /comments/{comment} with the new content, or
 *            POST  git/repositories/{repo}/pullRequests/{pr}/threads: a new
 *                  thread holding the report, closed, so that a policy
 *                  asking for every comment to be resolved does not hold
 *                  the pull request. A POST that may have reached Azure is
 *                  not sent again before the threads are listed once more.
 *   tests    GET   test/runs?buildUri=vstfs:///Build/Build/{build}: a run of
 *                  this session that the build completed before ends here
 *                  (a second report publishes no second run);
 *            POST  test/runs: an automated run of the build, InProgress,
 *                  named after the SUT and the session;
 *            POST  test/Runs/{run}/results: the session's tests, at most
 *                  AZ_BATCH a request;
 *            PATCH test/runs/{run}: Completed (Aborted when a batch failed).
 *
 * The repository is BUILD_REPOSITORY_ID (else BUILD_REPOSITORY_NAME), the
 * pull request SYSTEM_PULLREQUEST_PULLREQUESTID; threads exist for Azure
 * Repos only (BUILD_REPOSITORY_PROVIDER TfsGit). The token is the job's
 * SYSTEM_ACCESSTOKEN (ci.azure.token), sent as a Bearer token; a pipeline
 * has to map it into the step's environment.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "cmd.h"
#include "cmd_ci.h"
#include "insight/config.h"
#include "insight/export.h"
#include "insight/report_md.h"
#include "insight/store.h"

#define AZ_API "api-version=7.1"
#define AZ_BATCH 1000              /* results a request, as Azure's own publisher sends */
#define AZ_BATCH_BYTES (4 << 20)   /* ... or fewer, to keep a request near 4 MB */
#define AZ_MESSAGE_MAX 4000        /* bytes of a result's errorMessage */
#define AZ_STACK_MAX 32000         /* ... of its stackTrace */
#define AZ_COMMENT_MAX 1000        /* characters of a result's comment (Azure's limit) */

/* What a 403 says the build service lacks, per channel. */
#define AZ_PERM_THREADS "\"Contribute to pull requests\" on the repository"
#define AZ_PERM_RUNS "\"Create test runs\" in the project"

struct az {
	struct report *r;
	ins_net *net;
	const char *headers[2];
	ins_buf auth;
	ins_buf api;      /* {collection}{project}/_apis */
	ins_buf marker;
};

/* Append `s` cut to at most `max` bytes, on a UTF-8 character boundary. */
static void put_cut(ins_buf *b, const char *s, size_t max)
{
	size_t n = strlen(s);

	if (n > max) {
		n = max;
		while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
			n--;
	}
	ins_buf_put(b, s, n);
}

/*
 * Record why `target` was not delivered: the status, what it means for the
 * pipeline (the permission the build service lacks, a refused token), and
 * Azure's own message.
 */
static void az_failure(struct az *a, const char *target, const ins_http_response *resp,
		       const char *permission, const char *subject)
{
	ins_buf why = INS_BUF_INIT;

	ins_buf_printf(&why, "Azure DevOps answered %ld: ", resp->status);
	if (resp->status == 401 || resp->status == 203)
		ins_buf_puts(&why, "SYSTEM_ACCESSTOKEN was refused; map it into the step's "
			     "environment (");
	else if (resp->status == 403)
		ins_buf_printf(&why, "the build service needs %s (", permission);
	else if (resp->status == 404)
		ins_buf_printf(&why, "%s, or the build service cannot see it (", subject);
	else
		ins_buf_puts(&why, "(");
	if (resp->status == 203)
		ins_buf_puts(&why, "a sign-in page instead of an answer");
	else
		ins_http_error_reason(resp, &why);
	ins_buf_puts(&why, ")");
	ins_delivery_add(a->r->d, target, INS_NOT_DELIVERED, why.ptr);
	ins_buf_release(&why);
}

/*
 * The outcome of one request for `target`: 1 when Azure took it (or in a
 * dry run), else 0 with the reason recorded.
 */
static int az_ok(struct az *a, int rc, const ins_http_response *resp, const char *target,
		 const char *permission, const char *subject)
{
	if (resp->dry_run || resp->landed)
		return 1;
	if (resp->status == 203 || (rc >= 0 && (resp->status < 200 || resp->status >= 300))) {
		az_failure(a, target, resp, permission, subject);
		return 0;
	}
	if (rc < 0) {
		ins_delivery_add(a->r->d, target, INS_NOT_DELIVERED, ins_error_last());
		return 0;
	}
	return 1;
}

/* A list answer: Azure wraps it as {"count": n, "value": [...]}; a bare array too. */
static const cJSON *az_list(const cJSON *answer)
{
	return cJSON_IsArray(answer) ? answer : cJSON_GetObjectItemCaseSensitive(answer, "value");
}

static int az_true(const cJSON *obj, const char *name)
{
	return cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(obj, name));
}

/* ---- the pull request's thread ---- */

struct az_thread {
	struct az *a;
	const char *list_url;
	double thread, comment;  /* the report's comment, once found */
};

/*
 * List the threads and look for the report's comment: 1 when found (t->thread,
 * t->comment), 0 when not, < 0 when the listing failed (resp says why).
 */
static int az_find_thread(struct az_thread *t, ins_http_response *resp)
{
	cJSON *answer = NULL;
	const cJSON *th, *c;
	size_t mlen = t->a->marker.len;
	int rc;

	rc = ins_net_json(t->a->net, "GET", t->list_url, t->a->headers, NULL, resp, &answer);
	if (rc < 0 || resp->dry_run || resp->status != 200) {
		cJSON_Delete(answer);
		return rc < 0 ? rc : resp->dry_run ? 0 : INS_ENET;
	}
	rc = 0;
	cJSON_ArrayForEach(th, az_list(answer)) {
		const cJSON *tid = cJSON_GetObjectItemCaseSensitive(th, "id");

		if (az_true(th, "isDeleted") || !cJSON_IsNumber(tid))
			continue;
		cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(th, "comments")) {
			const cJSON *content = cJSON_GetObjectItemCaseSensitive(c, "content");
			const cJSON *cid = cJSON_GetObjectItemCaseSensitive(c, "id");

			if (!az_true(c, "isDeleted") && cJSON_IsString(content) && cJSON_IsNumber(cid) &&
			    !strncmp(content->valuestring, t->a->marker.ptr, mlen)) {
				t->thread = tid->valuedouble;
				t->comment = cid->valuedouble;
				rc = 1;
				break;
			}
		}
		if (rc == 1)
			break;
	}
	cJSON_Delete(answer);
	return rc;
}

/* After a thread POST that may have reached Azure: is the report's thread there now? */
static int az_thread_landed(ins_net *net, void *data)
{
	ins_http_response resp = INS_HTTP_RESPONSE_INIT;
	int rc = az_find_thread(data, &resp);

	(void)net;
	ins_http_response_release(&resp);
	return rc < 0 ? rc : rc == 1 ? INS_NET_LANDED : INS_NET_NOT_LANDED;
}

static void az_comment(struct az *a)
{
	struct report *r = a->r;
	const char *pr = getenv("SYSTEM_PULLREQUEST_PULLREQUESTID");
	const char *provider = getenv("BUILD_REPOSITORY_PROVIDER");
	const char *repo_id = getenv("BUILD_REPOSITORY_ID");
	struct az_thread t = { a, NULL, 0, 0 };
	ins_http_response resp = INS_HTTP_RESPONSE_INIT;
	ins_http_request req = { 0 };
	ins_buf repo = INS_BUF_INIT, list = INS_BUF_INIT, url = INS_BUF_INIT, why = INS_BUF_INIT;
	cJSON *body = cJSON_CreateObject();
	int rc, found;

	if (!pr || !*pr)
		pr = r->ci.pr;
	if (!pr || !*pr || strspn(pr, "0123456789") != strlen(pr)) {
		ins_delivery_add(r->d, "comment", r->asked & CH_COMMENT ? INS_NOT_DELIVERED :
				 INS_SKIPPED, "not a pull request build "
				 "(SYSTEM_PULLREQUEST_PULLREQUESTID is not set)");
		goto done;
	}
	if (provider && *provider && strcmp(provider, "TfsGit")) {
		ins_buf_printf(&why, "the repository is on %s, and pull request threads are "
			       "Azure Repos'", provider);
		ins_delivery_add(r->d, "comment", r->asked & CH_COMMENT ? INS_NOT_DELIVERED :
				 INS_SKIPPED, why.ptr);
		goto done;
	}
	if (!(repo_id && *repo_id) && !r->ci.repo) {
		ins_delivery_add(r->d, "comment", INS_NOT_DELIVERED,
				 "BUILD_REPOSITORY_ID and BUILD_REPOSITORY_NAME are not set");
		goto done;
	}
	ins_url_escape(&repo, repo_id && *repo_id ? repo_id : r->ci.repo);
	ins_buf_printf(&list, "%s/git/repositories/%s/pullRequests/%s/threads?" AZ_API,
		       a->api.ptr, repo.ptr, pr);
	t.list_url = list.ptr;
	if ((found = az_find_thread(&t, &resp)) < 0) {
		az_ok(a, found == INS_ENET && resp.status ? 0 : found, &resp, "comment",
		      AZ_PERM_THREADS, "no such repository or pull request");
		goto done;
	}
	ins_http_response_release(&resp);

	if (found) {
		ins_buf_printf(&url, "%s/git/repositories/%s/pullRequests/%s/threads/%.0f/comments/"
			       "%.0f?" AZ_API, a->api.ptr, repo.ptr, pr, t.thread, t.comment);
		cJSON_AddStringToObject(body, "content", r->md.ptr);
		req.method = "PATCH";
	} else {
		cJSON *comments = cJSON_AddArrayToObject(body, "comments");
		cJSON *c = cJSON_CreateObject();

		cJSON_AddNumberToObject(c, "parentCommentId", 0);
		cJSON_AddStringToObject(c, "content", r->md.ptr);
		cJSON_AddStringToObject(c, "commentType", "text");
		cJSON_AddItemToArray(comments, c);
		cJSON_AddStringToObject(body, "status", "closed");
		ins_buf_printf(&url, "%s/git/repositories/%s/pullRequests/%s/threads?" AZ_API,
			       a->api.ptr, repo.ptr, pr);
		req.method = "POST";
		req.landed = az_thread_landed;
		req.landed_data = &t;
	}
	req.url = url.ptr;
	req.headers = a->headers;
	req.idempotent = -1;
	rc = ins_net_json_request(a->net, &req, body, &resp, NULL);
	if (!az_ok(a, rc, &resp, "comment", AZ_PERM_THREADS, "no such repository or pull request"))
		goto done;
	ins_delivery_add(r->d, "comment", resp.dry_run ? INS_SKIPPED : INS_DELIVERED,
			 resp.dry_run ? "dry run" : found ? "updated" : "created");
done:
	cJSON_Delete(body);
	ins_http_response_release(&resp);
	ins_buf_release(&repo);
	ins_buf_release(&list);
	ins_buf_release(&url);
	ins_buf_release(&why);
}

/* ---- the test run ---- */

struct az_run {
	struct az *a;
	ins_buf name;        /* "insight shop <session id>" */
	ins_buf list_url;    /* the build's runs */
	ins_buf results_url; /* the run's results */
	double id;           /* the run's id; 0 in a dry run */
	double newest_before;/* the highest id of a run of this name before the POST */
	cJSON *batch;
	size_t nbatch, bytes;
	size_t sent;         /* results Azure took */
	int requests;        /* result requests sent */
	int failed;          /* a batch was not delivered (recorded) */
	const char *checking;/* for results_landed: the URL to look at */
	size_t landing;      /* ... and how many results it should hold */
};

/* Azure's outcome for an insight outcome (JUnit errors count as failures, as Azure's own publisher does). */
static const char *az_outcome(int outcome)
{
	switch (outcome) {
	case INS_OUTCOME_PASSED: return "Passed";
	case INS_OUTCOME_FAILED: return "Failed";
	case INS_OUTCOME_ERROR: return "Failed";
	case INS_OUTCOME_XPASSED: return "Passed";
	case INS_OUTCOME_SKIPPED:
	case INS_OUTCOME_XFAILED:
	default: return "NotExecuted";
	}
}

/*
 * The build's runs named like ours: 1 with run->id set when one is completed
 * already, 0 otherwise (run->newest_before set), < 0 when the listing failed.
 */
static int az_runs_find(struct az_run *run, ins_http_response *resp, int after_post)
{
	cJSON *answer = NULL;
	const cJSON *it;
	int rc;

	rc = ins_net_json(run->a->net, "GET", run->list_url.ptr, run->a->headers, NULL, resp,
			  &answer);
	if (rc < 0 || resp->dry_run || resp->status != 200) {
		cJSON_Delete(answer);
		return rc < 0 ? rc : resp->dry_run ? 0 : INS_ENET;
	}
	rc = 0;
	cJSON_ArrayForEach(it, az_list(answer)) {
		const cJSON *name = cJSON_GetObjectItemCaseSensitive(it, "name");
		const cJSON *id = cJSON_GetObjectItemCaseSensitive(it, "id");
		const cJSON *state = cJSON_GetObjectItemCaseSensitive(it, "state");

		if (!cJSON_IsString(name) || !cJSON_IsNumber(id) || strcmp(name->valuestring, run->name.ptr))
			continue;
		if (after_post) {
			/* a run of ours newer than any before the POST: the POST landed */
			if (id->valuedouble > run->newest_before) {
				run->id = id->valuedouble;
				rc = 1;
			}
		} else if (cJSON_IsString(state) && !strcmp(state->valuestring, "Completed")) {
			run->id = id->valuedouble;
			rc = 1;
		} else if (id->valuedouble > run->newest_before) {
			run->newest_before = id->valuedouble;
		}
	}
	cJSON_Delete(answer);
	return rc;
}

static int az_run_landed(ins_net *net, void *data)
{
	ins_http_response resp = INS_HTTP_RESPONSE_INIT;
	int rc = az_runs_find(data, &resp, 1);

	(void)net;
	ins_http_response_release(&resp);
	return rc < 0 ? rc : rc == 1 ? INS_NET_LANDED : INS_NET_NOT_LANDED;
}

/* After a results POST that may have reached Azure: does the run hold them now? */
static int az_results_landed(ins_net *net, void *data)
{
	struct az_run *run = data;
	ins_http_response resp = INS_HTTP_RESPONSE_INIT;
	ins_buf url = INS_BUF_INIT;
	cJSON *answer = NULL;
	int rc;

	/* the last result of the batch, by its place in the run */
	ins_buf_printf(&url, "%s&$skip=%zu&$top=1", run->results_url.ptr, run->landing - 1);
	rc = ins_net_json(net, "GET", url.ptr, run->a->headers, NULL, &resp, &answer);
	if (rc >= 0 && resp.status != 200)
		rc = ins_error_set(INS_ENET, "Azure DevOps answered %ld", resp.status);
	else if (rc >= 0)
		rc = cJSON_GetArraySize(az_list(answer)) > 0 ? INS_NET_LANDED : INS_NET_NOT_LANDED;
	cJSON_Delete(answer);
	ins_http_response_release(&resp);
	ins_buf_release(&url);
	return rc;
}

/* Send the batch; 0, or -1 when it was not delivered (recorded). */
static int az_results_flush(struct az_run *run)
{
	ins_http_response resp = INS_HTTP_RESPONSE_INIT;
	ins_http_request req = { 0 };
	int rc, ok;

	if (!run->nbatch)
		return 0;
	req.method = "POST";
	req.url = run->results_url.ptr;
	req.headers = run->a->headers;
	req.idempotent = 0;
	req.landed = az_results_landed;
	req.landed_data = run;
	run->landing = run->sent + run->nbatch;
	rc = ins_net_json_request(run->a->net, &req, run->batch, &resp, NULL);
	run->requests++;
	ok = az_ok(run->a, rc, &resp, "tests", AZ_PERM_RUNS, "no such test run");
	if (ok)
		run->sent += run->nbatch;
	else
		run->failed = 1;
	cJSON_Delete(run->batch);
	run->batch = cJSON_CreateArray();
	run->nbatch = 0;
	run->bytes = 0;
	ins_http_response_release(&resp);
	return ok ? 0 : -1;
}

/* One test as an Azure test result, into the batch; a full batch is sent. */
static int az_result(void *data, const ins_export_test *t)
{
	struct az_run *run = data;
	const ins_export_attempt *fin = &t->attempts[t->nattempts - 1];
	cJSON *res = cJSON_CreateObject();
	ins_buf s = INS_BUF_INIT;

	cJSON_AddStringToObject(res, "testCaseTitle", t->name ? t->name : t->nodeid);
	cJSON_AddStringToObject(res, "automatedTestName", t->nodeid);
	if (t->file || t->classname)
		cJSON_AddStringToObject(res, "automatedTestStorage", t->file ? t->file : t->classname);
	cJSON_AddStringToObject(res, "outcome", az_outcome(fin->outcome));
	cJSON_AddStringToObject(res, "state", "Completed");
	if (fin->duration >= 0)
		cJSON_AddNumberToObject(res, "durationInMs", llround(fin->duration * 1000));
	if (fin->outcome == INS_OUTCOME_FAILED || fin->outcome == INS_OUTCOME_ERROR) {
		put_cut(&s, fin->message ? fin->message : fin->outcome == INS_OUTCOME_ERROR ?
			"error" : "failed", AZ_MESSAGE_MAX);
		cJSON_AddStringToObject(res, "errorMessage", s.ptr);
		if (fin->detail) {
			ins_buf_clear(&s);
			put_cut(&s, fin->detail, AZ_STACK_MAX);
			cJSON_AddStringToObject(res, "stackTrace", s.ptr);
		}
	}
	/* what Azure's outcomes cannot say: retries, errors, skip reasons, xfail */
	ins_buf_clear(&s);
	if (t->nattempts > 1)
		ins_buf_printf(&s, "%s on attempt %zu of %zu", fin->outcome == INS_OUTCOME_PASSED ?
			       "flaky: passed" : "failed", t->nattempts, t->nattempts);
	else if (fin->outcome == INS_OUTCOME_ERROR)
		ins_buf_puts(&s, "error (setup, teardown or collection)");
	else if (fin->outcome == INS_OUTCOME_XFAILED)
		ins_buf_puts(&s, "expected failure");
	else if (fin->outcome == INS_OUTCOME_XPASSED)
		ins_buf_puts(&s, "passed unexpectedly (marked as an expected failure)");
	if (fin->outcome == INS_OUTCOME_SKIPPED && fin->message) {
		ins_buf_puts(&s, s.len ? "; skipped: " : "skipped: ");
		ins_buf_puts(&s, fin->message);
	}
	if (s.len) {
		ins_buf b = INS_BUF_INIT;
		size_t chars = 0, i;

		/* AZ_COMMENT_MAX characters, not bytes */
		for (i = 0; i < s.len && chars < AZ_COMMENT_MAX; i++)
			chars += ((unsigned char)s.ptr[i] & 0xc0) != 0x80;
		while (i < s.len && ((unsigned char)s.ptr[i] & 0xc0) == 0x80)
			i++;
		ins_buf_put(&b, s.ptr, i);
		cJSON_AddStringToObject(res, "comment", b.ptr);
		ins_buf_release(&b);
	}
	run->bytes += 300 + strlen(t->nodeid) * 2 + (fin->message ? strlen(fin->message) : 0) +
		(fin->detail ? strlen(fin->detail) : 0);
	ins_buf_release(&s);
	cJSON_AddItemToArray(run->batch, res);
	run->nbatch++;
	if (run->nbatch >= AZ_BATCH || run->bytes >= AZ_BATCH_BYTES)
		return az_results_flush(run) < 0 ? 1 : 0;
	return 0;
}

/* Mark the run Completed, or Aborted with `why`; 0, or -1 when refused (recorded). */
static int az_run_finish(struct az_run *run, const char *url, const char *why)
{
	ins_http_response resp = INS_HTTP_RESPONSE_INIT;
	cJSON *body = cJSON_CreateObject();
	int rc, ok;

	cJSON_AddStringToObject(body, "state", why ? "Aborted" : "Completed");
	if (why)
		cJSON_AddStringToObject(body, "errorMessage", why);
	rc = ins_net_json(run->a->net, "PATCH", url, run->a->headers, body, &resp, NULL);
	ok = why ? 1 : az_ok(run->a, rc, &resp, "tests", AZ_PERM_RUNS, "no such test run");
	cJSON_Delete(body);
	ins_http_response_release(&resp);
	return ok ? 0 : -1;
}

static void az_tests(struct az *a, ins_store *store, const char *session)
{
	struct report *r = a->r;
	struct az_run run = { a, INS_BUF_INIT, INS_BUF_INIT, INS_BUF_INIT, 0, 0, NULL, 0, 0, 0, 0,
			      0, NULL, 0 };
	const char *build = r->ci.build_id;
	char uid[INS_SESSION_ID_LEN + 1];
	ins_http_response resp = INS_HTTP_RESPONSE_INIT;
	ins_buf uri = INS_BUF_INIT, url = INS_BUF_INIT, run_url = INS_BUF_INIT;
	ins_buf detail = INS_BUF_INIT, title = INS_BUF_INIT;
	cJSON *body = NULL, *created = NULL, *ref;
	const cJSON *idv;
	int rc;

	if (!build || !*build || strspn(build, "0123456789") != strlen(build)) {
		ins_delivery_add(r->d, "tests", INS_NOT_DELIVERED, "BUILD_BUILDID is not set");
		goto done;
	}
	if ((rc = ins_store_session_resolve(store, session, r->sut, uid, NULL)) < 0) {
		ins_delivery_add(r->d, "tests", INS_NOT_DELIVERED, ins_error_last());
		goto done;
	}
	ins_buf_printf(&run.name, "insight %s %s", r->sut, uid);
	ins_buf_printf(&uri, "vstfs:///Build/Build/%s", build);
	ins_buf_printf(&run.list_url, "%s/test/runs?buildUri=", a->api.ptr);
	ins_url_escape(&run.list_url, uri.ptr);
	ins_buf_puts(&run.list_url, "&automated=true&includeRunDetails=true&" AZ_API);

	rc = az_runs_find(&run, &resp, 0);
	if (rc < 0) {
		az_ok(a, rc == INS_ENET && resp.status ? 0 : rc, &resp, "tests", AZ_PERM_RUNS,
		      "no such project");
		goto done;
	}
	if (rc == 1) {
		ins_buf_printf(&detail, "run %.0f, published before", run.id);
		ins_delivery_add(r->d, "tests", INS_DELIVERED, detail.ptr);
		goto done;
	}
	ins_http_response_release(&resp);

	/* the run */
	body = cJSON_CreateObject();
	ci_headline(r, &title, 1000);
	cJSON_AddStringToObject(body, "name", run.name.ptr);
	cJSON_AddBoolToObject(body, "automated", 1);
	ref = cJSON_AddObjectToObject(body, "build");
	cJSON_AddStringToObject(ref, "id", build);
	cJSON_AddStringToObject(body, "state", "InProgress");
	cJSON_AddStringToObject(body, "comment", title.ptr);
	ins_buf_printf(&url, "%s/test/runs?" AZ_API, a->api.ptr);
	{
		ins_http_request req = { "POST", url.ptr, a->headers, NULL, 0, 0, az_run_landed, &run };

		rc = ins_net_json_request(a->net, &req, body, &resp, &created);
	}
	if (!az_ok(a, rc, &resp, "tests", AZ_PERM_RUNS, "no such project"))
		goto done;
	idv = cJSON_GetObjectItemCaseSensitive(created, "id");
	if (cJSON_IsNumber(idv))
		run.id = idv->valuedouble;
	if (run.id)
		ins_buf_printf(&run_url, "%s/test/runs/%.0f?" AZ_API, a->api.ptr, run.id);
	else
		ins_buf_printf(&run_url, "%s/test/runs/{runId}?" AZ_API, a->api.ptr);
	if (run.id)
		ins_buf_printf(&run.results_url, "%s/test/Runs/%.0f/results?" AZ_API, a->api.ptr,
			       run.id);
	else
		ins_buf_printf(&run.results_url, "%s/test/Runs/{runId}/results?" AZ_API, a->api.ptr);
	if (!resp.dry_run && !run.id) {
		ins_delivery_add(r->d, "tests", INS_NOT_DELIVERED,
				 "Azure DevOps created the test run without giving its id");
		goto done;
	}

	/* the results, a batch at a time */
	run.batch = cJSON_CreateArray();
	rc = ins_export_each_test(store, uid, az_result, &run);
	if (rc == 0 && !run.failed)
		az_results_flush(&run);
	if (rc < 0) {
		ins_delivery_add(r->d, "tests", INS_NOT_DELIVERED, ins_error_last());
		run.failed = 1;
	}
	if (run.failed) {
		az_run_finish(&run, run_url.ptr, "insight could not publish every result");
		goto done;
	}
	if (az_run_finish(&run, run_url.ptr, NULL) < 0)
		goto done;
	if (resp.dry_run) {
		ins_delivery_add(r->d, "tests", INS_SKIPPED, "dry run");
	} else {
		ins_buf_printf(&detail, "run %.0f, %zu result%s", run.id, run.sent,
			       run.sent == 1 ? "" : "s");
		ins_delivery_add(r->d, "tests", INS_DELIVERED, detail.ptr);
	}
done:
	cJSON_Delete(body);
	cJSON_Delete(created);
	cJSON_Delete(run.batch);
	ins_http_response_release(&resp);
	ins_buf_release(&run.name);
	ins_buf_release(&run.list_url);
	ins_buf_release(&run.results_url);
	ins_buf_release(&uri);
	ins_buf_release(&url);
	ins_buf_release(&run_url);
	ins_buf_release(&detail);
	ins_buf_release(&title);
}

void ci_azure_http(struct report *r, ins_store *store, const char *session, unsigned channels)
{
	struct az a = { r, NULL, { NULL, NULL }, INS_BUF_INIT, INS_BUF_INIT, INS_BUF_INIT };
	const char *collection = getenv("SYSTEM_COLLECTIONURI");
	const char *project = getenv("SYSTEM_TEAMPROJECT");
	const struct ins_config *cfg;
	const char *token = NULL, *from = NULL, *why = NULL;

	if (!collection || !*collection || !project || !*project)
		why = "SYSTEM_COLLECTIONURI or SYSTEM_TEAMPROJECT is not set";
	else if (cmd_config(r->ctx, &cfg) != 0 ||
		 ins_config_get_secret(cfg, "ci.azure.token", &token, &from) < 0 || !token || !*token)
		why = "no token: map SYSTEM_ACCESSTOKEN into the step's environment "
		      "(env: SYSTEM_ACCESSTOKEN: $(System.AccessToken))";
	ins_error_clear();
	if (why) {
		if (channels & CH_COMMENT)
			ins_delivery_add(r->d, "comment", r->asked & CH_COMMENT ? INS_NOT_DELIVERED :
					 INS_SKIPPED, why);
		if (channels & CH_TESTS)
			ins_delivery_add(r->d, "tests", r->asked & CH_TESTS ? INS_NOT_DELIVERED :
					 INS_SKIPPED, why);
		return;
	}
	if (cmd_net_open(r->ctx, r->dry_run, &a.net) != 0) {
		ins_delivery_add(r->d, channels & CH_COMMENT ? "comment" : "tests", INS_NOT_DELIVERED,
				 ins_error_last());
		return;
	}
	ins_buf_printf(&a.auth, "Authorization: Bearer %s", token);
	a.headers[0] = a.auth.ptr;
	ins_buf_puts(&a.api, collection);
	if (a.api.ptr[a.api.len - 1] != '/')
		ins_buf_putc(&a.api, '/');
	ins_url_escape(&a.api, project);
	ins_buf_puts(&a.api, "/_apis");
	ins_report_md_marker(&a.marker, r->sut);

	/* the report is within INS_REPORT_MD_COMMENT_LIMIT, below Azure's 150,000 */
	if (channels & CH_COMMENT)
		az_comment(&a);
	if (channels & CH_TESTS)
		az_tests(&a, store, session);
	ins_net_free(a.net);
	ins_buf_release(&a.auth);
	ins_buf_release(&a.api);
	ins_buf_release(&a.marker);
}
