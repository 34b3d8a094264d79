/*
 * jest.c - Jest's own JSON report (jest --json --outputFile=report.json).
 *
 * {"numTotalTests", "numFailedTests", ..., "startTime", "success",
 * "testResults": [{"name" (the test file), "status", "message",
 * "startTime", "endTime", "assertionResults": [{"ancestorTitles",
 * "title", "fullName", "status", "duration", "failureMessages",
 * "invocations", "retryReasons", ...}]}]}.
 *
 * Outcomes: passed -> passed, failed -> failed, pending, skipped, disabled
 * and todo -> skipped ("todo" as its message), focused -> passed.
 * Node id: file::describe::...::title, the file relative to the working
 * directory when it is below it. A test file that failed to run (a syntax
 * error, a failed import: "testExecError", or status "failed" with no
 * failed test) is an error result "<file>::Test suite failed to run" with
 * Jest's message. Retries (jest.retryTimes): "invocations": n means n - 1
 * attempts failed before the final one; their failure messages are
 * "retryReasons" (or "retryMessages"). A final pass after them is flaky. Colours (ANSI escapes)
 * are taken out of messages.
 *
 * Streamed (jsonstream.h) one test file at a time: memory holds the largest
 * test file's results, not the report.
 */
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cJSON.h>

#include "insight/buf.h"
#include "insight/errors.h"
#include "insight/ingest.h"
#include "ingest/jsonin.h"
#include "ingest/jsonstream.h"
#include "ingest/repeat.h"

typedef struct jparser {
	const char *display;
	const ins_ingest_sink *sink;
	ins_repeat rep;
	ins_buf id, file, suite, msg, detail;
	char cwd[PATH_MAX];
	size_t files;
} jparser;

static const cJSON *get(const cJSON *o, const char *k)
{
	return cJSON_GetObjectItemCaseSensitive(o, k);
}

static int stream(void *data, const char *const *path, int depth)
{
	(void)data;
	return depth == 1 && path[0] && !strcmp(path[0], "testResults");
}

/* The outcome of an assertion's status; -1 when unknown. */
static int map_status(const char *s)
{
	static const struct { const char *s; ins_outcome o; } map[] = {
		{ "passed", INS_OUTCOME_PASSED }, { "failed", INS_OUTCOME_FAILED },
		{ "pending", INS_OUTCOME_SKIPPED }, { "skipped", INS_OUTCOME_SKIPPED },
		{ "disabled", INS_OUTCOME_SKIPPED }, { "todo", INS_OUTCOME_SKIPPED },
		{ "focused", INS_OUTCOME_PASSED },
	};

	if (!s)
		return -1;
	for (size_t i = 0; i < sizeof(map) / sizeof(*map); i++)
		if (!strcmp(s, map[i].s))
			return (int)map[i].o;
	return -1;
}

static int send(jparser *j, ins_result *r)
{
	ins_jsonin_cap(&j->msg);
	ins_jsonin_cap(&j->detail);
	r->message = j->msg.len ? j->msg.ptr : NULL;
	r->detail = j->detail.len ? j->detail.ptr : NULL;
	r->flags = (r->flags & ~(unsigned)INS_RESULT_OCCURRENCE) | ins_repeat_flags(&j->rep);
	return j->sink->on_result ? j->sink->on_result(j->sink->data, r) : 0;
}

/* Failure messages (a list of strings, or one) into msg (first line) and detail (all). */
static void failure_text(jparser *j, const cJSON *v)
{
	const cJSON *s;

	ins_buf_clear(&j->msg);
	ins_buf_clear(&j->detail);
	if (cJSON_IsString(v)) {
		ins_jstream_put_plain(&j->detail, v->valuestring);
	} else {
		cJSON_ArrayForEach(s, v) {
			if (!cJSON_IsString(s))
				continue;
			if (j->detail.len)
				ins_buf_puts(&j->detail, "\n\n");
			ins_jstream_put_plain(&j->detail, s->valuestring);
		}
	}
	ins_buf_rtrim(&j->detail);
	ins_jstream_first_line(&j->msg, j->detail.ptr);
}

static int on_assertion(jparser *j, const cJSON *a, size_t index, int64_t start_ms)
{
	const char *title = ins_jsonin_str(a, "title"), *status = ins_jsonin_str(a, "status");
	const cJSON *anc = get(a, "ancestorTitles"), *s, *reasons = get(a, "retryReasons");
	ins_repeat_entry *e;
	ins_result r;
	double ms, inv = 0;
	int o = map_status(status), earlier = 0, ret;

	if (!cJSON_GetArraySize(reasons))
		reasons = get(a, "retryMessages");

	if (!cJSON_IsObject(a))
		return ins_error_set(INS_EINVALID, "%s: %s: assertionResults[%zu] is not an object",
				     j->display, j->file.ptr, index);
	if (!title)
		title = ins_jsonin_str(a, "fullName");
	if (!title)
		return ins_error_set(INS_EINVALID, "%s: %s: assertionResults[%zu] has no \"title\"",
				     j->display, j->file.ptr, index);
	if (o < 0)
		return ins_error_set(INS_EINVALID, "%s: %s: '%s': status is not one of passed, "
				     "failed, pending, skipped, todo, disabled or focused",
				     j->display, j->file.ptr, title);

	ins_buf_clear(&j->suite);
	cJSON_ArrayForEach(s, anc) {
		if (!cJSON_IsString(s) || !*s->valuestring)
			continue;
		if (j->suite.len)
			ins_buf_puts(&j->suite, "::");
		ins_buf_puts(&j->suite, s->valuestring);
	}
	ins_buf_clear(&j->id);
	if (j->file.len)
		ins_buf_printf(&j->id, "%s::", j->file.ptr);
	if (j->suite.len)
		ins_buf_printf(&j->id, "%s::", j->suite.ptr);
	ins_buf_puts(&j->id, *title ? title : "(unnamed test)");
	e = ins_repeat_resolve(&j->rep, &j->id);

	memset(&r, 0, sizeof(r));
	r.nodeid = j->id.ptr;
	r.file = j->file.len ? j->file.ptr : NULL;
	r.classname = j->suite.len ? j->suite.ptr : NULL;
	r.name = title;
	r.duration = -1.0;
	r.start_ms = start_ms;
	if (!ins_jsonin_num(a, "startAt", &ms) && ins_jsonin_epoch_s_to_ms(ms / 1000.0))
		r.start_ms = ins_jsonin_epoch_s_to_ms(ms / 1000.0);

	/* earlier attempts: invocations - 1 of them, with retryReasons where given */
	if (!ins_jsonin_num(a, "invocations", &inv) && inv > 1 && inv <= 1001 && inv == floor(inv))
		earlier = (int)inv - 1;
	else if (cJSON_GetArraySize(reasons) > 0)
		earlier = cJSON_GetArraySize(reasons) > 1000 ? 1000 : cJSON_GetArraySize(reasons);
	for (int i = 0; i < earlier; i++) {
		const cJSON *why = cJSON_GetArrayItem(reasons, i);

		if (why)
			failure_text(j, why);
		else {
			ins_buf_set(&j->msg, "an earlier attempt failed (the report gives no details)");
			ins_buf_clear(&j->detail);
		}
		r.outcome = INS_OUTCOME_FAILED;
		ins_repeat_attempt(e, r.outcome);
		if ((ret = send(j, &r)))
			return ret;
	}

	failure_text(j, get(a, "failureMessages"));
	if (status && !strcmp(status, "todo") && !j->msg.len)
		ins_buf_set(&j->msg, "todo");
	if (o != INS_OUTCOME_FAILED && o != INS_OUTCOME_SKIPPED)
		ins_buf_clear(&j->detail);
	r.outcome = (ins_outcome)o;
	if (!ins_jsonin_num(a, "duration", &ms) && ms >= 0 && ms / 1000.0 <= INS_INGEST_MAX_DURATION)
		r.duration = ms / 1000.0;
	if (earlier && o == INS_OUTCOME_PASSED)
		r.flags |= INS_RESULT_FLAKY;
	ins_repeat_attempt(e, r.outcome);
	return send(j, &r);
}

static int item(void *data, const char *const *path, int depth, size_t index, const cJSON *tr)
{
	jparser *j = data;
	const char *name = ins_jsonin_str(tr, "name"), *status = ins_jsonin_str(tr, "status");
	const char *message = ins_jsonin_str(tr, "message");
	const cJSON *list = get(tr, "assertionResults"), *a, *exec = get(tr, "testExecError");
	size_t i = 0, failed = 0;
	double start = 0;
	int64_t start_ms = 0;
	int ret;

	(void)path;
	(void)depth;
	if (!cJSON_IsObject(tr))
		return ins_error_set(INS_EINVALID, "%s: testResults[%zu] is not an object",
				     j->display, index);
	j->files++;
	ins_buf_clear(&j->file);
	if (name && *name)
		ins_jstream_relpath(&j->file, name, j->cwd);
	if (!ins_jsonin_num(tr, "startTime", &start))
		start_ms = ins_jsonin_epoch_s_to_ms(start / 1000.0);
	cJSON_ArrayForEach(a, list) {
		if ((ret = on_assertion(j, a, i++, start_ms)))
			return ret;
		if (ins_jsonin_str(a, "status") && !strcmp(ins_jsonin_str(a, "status"), "failed"))
			failed++;
	}
	/* the file itself failed: it did not run, or failed outside its tests */
	if ((exec && !cJSON_IsNull(exec)) ||
	    (status && !strcmp(status, "failed") && !failed)) {
		ins_repeat_entry *e;
		ins_result r;

		ins_buf_clear(&j->id);
		if (j->file.len)
			ins_buf_printf(&j->id, "%s::", j->file.ptr);
		ins_buf_puts(&j->id, "Test suite failed to run");
		e = ins_repeat_resolve(&j->rep, &j->id);
		ins_buf_clear(&j->detail);
		if (message && *message)
			ins_jstream_put_plain(&j->detail, message);
		else if (cJSON_IsObject(exec) && ins_jsonin_str(exec, "message"))
			ins_jstream_put_plain(&j->detail, ins_jsonin_str(exec, "message"));
		ins_buf_rtrim(&j->detail);
		ins_jstream_first_line(&j->msg, j->detail.ptr);
		/* Jest starts with a heading: "● Test suite failed to run" */
		if (strstr(j->msg.ptr, "Test suite failed to run")) {
			const char *rest = strstr(j->detail.ptr, "Test suite failed to run") + 24;
			ins_buf msg = INS_BUF_INIT;

			ins_jstream_first_line(&msg, rest);
			if (msg.len)
				ins_buf_set(&j->msg, msg.ptr);
			ins_buf_release(&msg);
		}
		if (!j->msg.len)
			ins_buf_set(&j->msg, "the test file failed");
		memset(&r, 0, sizeof(r));
		r.nodeid = j->id.ptr;
		r.file = j->file.len ? j->file.ptr : NULL;
		r.name = "Test suite failed to run";
		r.outcome = INS_OUTCOME_ERROR;
		r.duration = -1.0;
		r.start_ms = start_ms;
		ins_repeat_attempt(e, r.outcome);
		if ((ret = send(j, &r)))
			return ret;
	}
	return 0;
}

static int meta(jparser *j, const char *key, const char *value)
{
	return j->sink->on_meta ? j->sink->on_meta(j->sink->data, key, value) : 0;
}

int ins_ingest_jest_input(ins_input *in, const ins_ingest_sink *sink)
{
	jparser j;
	struct ins_jstream_ops ops = { &j, stream, item };
	cJSON *root = NULL;
	double start;
	int ret;

	memset(&j, 0, sizeof(j));
	j.display = ins_input_display(in);
	j.sink = sink;
	ins_repeat_init(&j.rep, in);
	if (!getcwd(j.cwd, sizeof(j.cwd)))
		j.cwd[0] = '\0';
	if ((ret = ins_jstream_parse(in, "a Jest JSON report", &ops, &root)))
		goto done;
	if (!cJSON_IsObject(root) || !cJSON_IsArray(get(root, "testResults"))) {
		ret = ins_error_set(INS_EINVALID, "%s: not a Jest JSON report (no \"testResults\" "
				    "list)", j.display);
		goto done;
	}
	if ((ret = meta(&j, "tool", "jest")))
		goto done;
	if (!ins_jsonin_num(root, "startTime", &start) && ins_jsonin_epoch_s_to_ms(start / 1000.0)) {
		ins_buf v = INS_BUF_INIT;

		ins_buf_printf(&v, "%lld", (long long)ins_jsonin_epoch_s_to_ms(start / 1000.0));
		ret = meta(&j, "started_ms", v.ptr);
		ins_buf_release(&v);
	}
done:
	cJSON_Delete(root);
	ins_repeat_release(&j.rep);
	ins_buf_release(&j.id);
	ins_buf_release(&j.file);
	ins_buf_release(&j.suite);
	ins_buf_release(&j.msg);
	ins_buf_release(&j.detail);
	return ret;
}
