/*
 * mocha.c - the Mocha JSON reporter's report (mocha --reporter json).
 *
 * {"stats": {suites, tests, passes, pending, failures, start, end,
 * duration}, "tests": [...], "pending": [...], "failures": [...],
 * "passes": [...]}; each test {title, fullTitle, file, duration,
 * currentRetry, err {message, stack, ...}}.
 *
 * "tests" lists every test once, and is what insight reads: a test with an
 * error in "err" failed, one with a duration passed, one without (it never
 * ran) is pending, i.e. skipped. The other lists repeat those tests, except
 * one thing: a failed hook ('"before all" hook for "x"') is only in
 * "failures", and becomes an error result of its own. A report without
 * "tests" is read from "passes", "failures" and "pending" instead.
 *
 * Node id: [file::][suites::]title, where the suites are fullTitle less the
 * title (Mocha joins the titles with spaces, so they stay one part) and
 * the file is relative to the working directory when it is below it.
 * Retries (this.retries(n)): "currentRetry": k on the final attempt means k
 * attempts failed before it; they are kept as failed attempts without
 * details, and a final pass after them is flaky. The repeat rule applies
 * to the same id twice.
 *
 * Streamed (jsonstream.h): memory holds one test at a time.
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
#include "insight/timeutil.h"
#include "ingest/jsonin.h"
#include "ingest/jsonstream.h"
#include "ingest/repeat.h"

enum { L_TESTS, L_PASSES, L_FAILURES, L_PENDING, L_OTHER };

typedef struct mparser {
	const char *display;
	const ins_ingest_sink *sink;
	ins_repeat rep;
	int saw_tests, from_lists;
	ins_buf id, file, suite, msg, detail;
	char cwd[PATH_MAX];
	size_t results;
} mparser;

static int list_of(const char *const *path, int depth)
{
	static const char *const names[] = { "tests", "passes", "failures", "pending" };

	if (depth != 1 || !path[0])
		return L_OTHER;
	for (int i = 0; i < 4; i++)
		if (!strcmp(path[0], names[i]))
			return i;
	return L_OTHER;
}

static int stream(void *data, const char *const *path, int depth)
{
	(void)data;
	return list_of(path, depth) != L_OTHER;
}

static int is_hook(const char *title)
{
	static const char *const hooks[] = { "\"before all\" hook", "\"before each\" hook",
					     "\"after all\" hook", "\"after each\" hook" };

	for (size_t i = 0; i < sizeof(hooks) / sizeof(*hooks); i++)
		if (!strncmp(title, hooks[i], strlen(hooks[i])))
			return 1;
	return 0;
}

static int send(mparser *m, ins_result *r)
{
	ins_jsonin_cap(&m->msg);
	ins_jsonin_cap(&m->detail);
	r->message = m->msg.len ? m->msg.ptr : NULL;
	r->detail = m->detail.len ? m->detail.ptr : NULL;
	r->flags = (r->flags & ~(unsigned)INS_RESULT_OCCURRENCE) | ins_repeat_flags(&m->rep);
	m->results++;
	return m->sink->on_result ? m->sink->on_result(m->sink->data, r) : 0;
}

/* One test; `forced` is its outcome when the list it came from says it (else -1). */
static int on_test(mparser *m, const cJSON *t, int forced, int hook)
{
	const char *title = ins_jsonin_str(t, "title"), *full = ins_jsonin_str(t, "fullTitle");
	const char *file = ins_jsonin_str(t, "file");
	const cJSON *err = cJSON_GetObjectItemCaseSensitive(t, "err");
	ins_repeat_entry *e;
	ins_result r;
	ins_outcome o;
	double ms, retry = 0;
	int ret;

	if (!cJSON_IsObject(t))
		return ins_error_set(INS_EINVALID, "%s: a test that is not an object", m->display);
	if (!title && !full)
		return ins_error_set(INS_EINVALID, "%s: a test without \"title\" or \"fullTitle\"",
				     m->display);
	if (!title)
		title = full;
	if (forced >= 0)
		o = (ins_outcome)forced;
	else if (cJSON_IsObject(err) && err->child)
		o = INS_OUTCOME_FAILED;
	else if (!ins_jsonin_num(t, "duration", &ms))
		o = INS_OUTCOME_PASSED;
	else
		o = INS_OUTCOME_SKIPPED;
	if (hook && ins_outcome_is_failure(o))
		o = INS_OUTCOME_ERROR;

	ins_buf_clear(&m->suite);
	if (full && strlen(full) > strlen(title) + 1 &&
	    !strcmp(full + strlen(full) - strlen(title), title) &&
	    full[strlen(full) - strlen(title) - 1] == ' ')
		ins_buf_put(&m->suite, full, strlen(full) - strlen(title) - 1);
	ins_buf_clear(&m->id);
	ins_buf_clear(&m->file);
	if (file && *file) {
		ins_jstream_relpath(&m->file, file, m->cwd);
		ins_buf_printf(&m->id, "%s::", m->file.ptr);
	}
	if (m->suite.len)
		ins_buf_printf(&m->id, "%s::", m->suite.ptr);
	ins_buf_puts(&m->id, *title ? title : "(unnamed test)");
	e = ins_repeat_resolve(&m->rep, &m->id);

	memset(&r, 0, sizeof(r));
	r.nodeid = m->id.ptr;
	r.file = m->file.len ? m->file.ptr : NULL;
	r.classname = m->suite.len ? m->suite.ptr : NULL;
	r.name = title;
	r.duration = -1.0;

	/* the attempts before the final one, that currentRetry counts */
	if (!ins_jsonin_num(t, "currentRetry", &retry) && retry >= 1 && retry <= 1000 &&
	    retry == floor(retry)) {
		for (int i = 0; i < (int)retry; i++) {
			ins_buf_set(&m->msg, "an earlier attempt failed (the report gives no details)");
			ins_buf_clear(&m->detail);
			r.outcome = INS_OUTCOME_FAILED;
			ins_repeat_attempt(e, r.outcome);
			if ((ret = send(m, &r)))
				return ret;
		}
	} else {
		retry = 0;
	}

	ins_buf_clear(&m->msg);
	ins_buf_clear(&m->detail);
	if (cJSON_IsObject(err) && err->child) {
		const char *emsg = ins_jsonin_str(err, "message"), *stack = ins_jsonin_str(err, "stack");
		ins_buf plain = INS_BUF_INIT;

		if (emsg) {
			ins_jstream_put_plain(&plain, emsg);
			ins_jstream_first_line(&m->msg, plain.ptr);
		}
		if (!m->msg.len && ins_jsonin_str(err, "name"))
			ins_buf_puts(&m->msg, ins_jsonin_str(err, "name"));
		if (stack)
			ins_jstream_put_plain(&m->detail, stack);
		else if (plain.len)
			ins_buf_put(&m->detail, plain.ptr, plain.len);
		ins_buf_release(&plain);
	}
	r.outcome = o;
	if (!ins_jsonin_num(t, "duration", &ms) && ms >= 0 && ms / 1000.0 <= INS_INGEST_MAX_DURATION)
		r.duration = ms / 1000.0;
	if (retry > 0 && o == INS_OUTCOME_PASSED)
		r.flags |= INS_RESULT_FLAKY;
	ins_repeat_attempt(e, o);
	return send(m, &r);
}

static int item(void *data, const char *const *path, int depth, size_t index, const cJSON *t)
{
	mparser *m = data;
	int list = list_of(path, depth);
	const char *title = ins_jsonin_str(t, "title");

	(void)index;
	switch (list) {
	case L_TESTS:
		if (m->from_lists)
			return 0; /* read from the other lists already */
		m->saw_tests = 1;
		return on_test(m, t, -1, title && is_hook(title));
	case L_FAILURES:
		if (m->saw_tests) {
			/* only a failed hook is not among the tests */
			if (title && is_hook(title))
				return on_test(m, t, INS_OUTCOME_ERROR, 1);
			return 0;
		}
		m->from_lists = 1;
		return on_test(m, t, INS_OUTCOME_FAILED, title && is_hook(title));
	case L_PASSES:
	case L_PENDING:
		if (m->saw_tests)
			return 0;
		m->from_lists = 1;
		return on_test(m, t, list == L_PASSES ? INS_OUTCOME_PASSED : INS_OUTCOME_SKIPPED, 0);
	default:
		return 0;
	}
}

static int meta(mparser *m, const char *key, const char *value)
{
	return m->sink->on_meta ? m->sink->on_meta(m->sink->data, key, value) : 0;
}

static int meta_time(mparser *m, const char *key, const char *iso)
{
	int64_t ms;
	ins_buf v = INS_BUF_INIT;
	int ret;

	if (!iso || ins_timestamp_parse(&ms, iso) < 0 || ms <= 0) {
		ins_error_clear();
		return 0;
	}
	ins_buf_printf(&v, "%lld", (long long)ms);
	ret = meta(m, key, v.ptr);
	ins_buf_release(&v);
	return ret;
}

int ins_ingest_mocha_input(ins_input *in, const ins_ingest_sink *sink)
{
	mparser m;
	struct ins_jstream_ops ops = { &m, stream, item };
	cJSON *root = NULL;
	const cJSON *stats;
	int ret;

	memset(&m, 0, sizeof(m));
	m.display = ins_input_display(in);
	m.sink = sink;
	ins_repeat_init(&m.rep, in);
	if (!getcwd(m.cwd, sizeof(m.cwd)))
		m.cwd[0] = '\0';
	if ((ret = ins_jstream_parse(in, "a Mocha JSON report", &ops, &root)))
		goto done;
	stats = cJSON_GetObjectItemCaseSensitive(root, "stats");
	if (!cJSON_IsObject(root) || (!cJSON_IsObject(stats) &&
				      !cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(root, "tests")))) {
		ret = ins_error_set(INS_EINVALID, "%s: not a Mocha JSON report (no \"stats\" and no "
				    "\"tests\")", m.display);
		goto done;
	}
	if ((ret = meta(&m, "tool", "mocha")) ||
	    (ret = meta_time(&m, "started_ms", ins_jsonin_str(stats, "start"))) ||
	    (ret = meta_time(&m, "finished_ms", ins_jsonin_str(stats, "end"))))
		goto done;
done:
	cJSON_Delete(root);
	ins_repeat_release(&m.rep);
	ins_buf_release(&m.id);
	ins_buf_release(&m.file);
	ins_buf_release(&m.suite);
	ins_buf_release(&m.msg);
	ins_buf_release(&m.detail);
	return ret;
}
