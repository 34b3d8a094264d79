/*
 * ctrf.c - the CTRF (Common Test Report Format) JSON parser.
 *
 * A CTRF report is one JSON document: {"reportFormat": "CTRF", "results":
 * {"tool", "summary", "tests": [...], "environment"}}. It is read as a
 * stream (see "streaming" below): memory holds one test at a time, however
 * large the report.
 *
 * Statuses: passed -> passed, failed -> failed, skipped and pending ->
 * skipped. "other" is read through rawStatus where it names something known
 * (error, xfail, xpass, timedOut ...) and is skipped otherwise: a test that
 * did not pass or fail did not run in any sense insight counts. rawStatus
 * also refines a plain status: failed + rawStatus "error" -> error, skipped +
 * "xfailed" -> xfailed, passed + "xpassed" -> xpassed.
 *
 * Attempts: retryAttempts[] are handed on first, in order, then the test
 * itself as the final attempt. Producers disagree on whether retryAttempts
 * repeats the final attempt; when it has retries + 1 entries (or, without
 * "retries", when its last entry has the test's own status and duration),
 * that last entry is taken to be the final attempt and not sent twice. A
 * test with "flaky": true (or "retries": N) but no retryAttempts gets one
 * (or N) failed attempts before the final one, so that "failed, then passed
 * in the same run" survives.
 *
 * Node id: filePath::suite::name, absent parts left out; suite may be one
 * string or a list from the outermost suite inwards (joined with "::").
 */
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#include "insight/buf.h"
#include "insight/errors.h"
#include "insight/ingest.h"
#include "ingest/jsonin.h"
#include "ingest/jsonstream.h"

typedef struct ctrf_state {
	const char *display;
	const ins_ingest_sink *sink;
	int saw_tests;             /* results.tests was an array */
} ctrf_state;

static const cJSON *get(const cJSON *obj, const char *key)
{
	return cJSON_GetObjectItemCaseSensitive(obj, key);
}

static int meta(ctrf_state *st, const char *key, const char *value)
{
	return st->sink->on_meta ? st->sink->on_meta(st->sink->data, key, value) : 0;
}

/* Map a rawStatus word to an outcome; -1 when it names nothing known. */
static int raw_outcome(const char *raw)
{
	static const struct { const char *word; ins_outcome o; } words[] = {
		{ "passed", INS_OUTCOME_PASSED }, { "pass", INS_OUTCOME_PASSED },
		{ "failed", INS_OUTCOME_FAILED }, { "fail", INS_OUTCOME_FAILED },
		{ "failure", INS_OUTCOME_FAILED }, { "timedout", INS_OUTCOME_FAILED },
		{ "timeout", INS_OUTCOME_FAILED }, { "interrupted", INS_OUTCOME_FAILED },
		{ "error", INS_OUTCOME_ERROR }, { "errored", INS_OUTCOME_ERROR },
		{ "broken", INS_OUTCOME_ERROR }, { "crashed", INS_OUTCOME_ERROR },
		{ "skipped", INS_OUTCOME_SKIPPED }, { "skip", INS_OUTCOME_SKIPPED },
		{ "pending", INS_OUTCOME_SKIPPED }, { "todo", INS_OUTCOME_SKIPPED },
		{ "disabled", INS_OUTCOME_SKIPPED }, { "ignored", INS_OUTCOME_SKIPPED },
		{ "notrun", INS_OUTCOME_SKIPPED },
		{ "xfail", INS_OUTCOME_XFAILED }, { "xfailed", INS_OUTCOME_XFAILED },
		{ "xpass", INS_OUTCOME_XPASSED }, { "xpassed", INS_OUTCOME_XPASSED },
	};
	ins_buf w = INS_BUF_INIT;
	int ret = -1;

	if (!raw)
		return -1;
	/* "timedOut", "TIMED_OUT", "not-run": compare letters only, case-blind */
	for (const char *p = raw; *p; p++) {
		char c = *p;

		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (c >= 'a' && c <= 'z')
			ins_buf_putc(&w, c);
	}
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		if (!strcmp(w.ptr, words[i].word)) {
			ret = (int)words[i].o;
			break;
		}
	}
	ins_buf_release(&w);
	return ret;
}

/*
 * The outcome of a CTRF status (with an optional rawStatus). Returns 0, or
 * -1 when the status is none of the five CTRF allows.
 */
static int map_status(const char *status, const char *raw, ins_outcome *out)
{
	int r = raw_outcome(raw);

	if (!status)
		return -1;
	if (!strcmp(status, "passed")) {
		*out = r == INS_OUTCOME_XPASSED ? INS_OUTCOME_XPASSED : INS_OUTCOME_PASSED;
	} else if (!strcmp(status, "failed")) {
		*out = r == INS_OUTCOME_ERROR ? INS_OUTCOME_ERROR : INS_OUTCOME_FAILED;
	} else if (!strcmp(status, "skipped") || !strcmp(status, "pending")) {
		*out = r == INS_OUTCOME_XFAILED ? INS_OUTCOME_XFAILED : INS_OUTCOME_SKIPPED;
	} else if (!strcmp(status, "other")) {
		*out = r >= 0 ? (ins_outcome)r : INS_OUTCOME_SKIPPED;
	} else {
		return -1;
	}
	return 0;
}

/* Append a string or a list of strings (one a line) to `b`. */
static void lines_text(ins_buf *b, const cJSON *v)
{
	const cJSON *l;

	if (cJSON_IsString(v)) {
		ins_buf_puts(b, v->valuestring);
		return;
	}
	cJSON_ArrayForEach(l, v) {
		ins_jsonin_text(b, l);
		ins_buf_putc(b, '\n');
	}
}

typedef struct props {
	ins_property *v;
	size_t n, alloc;
	ins_buf store; /* "key\0value\0" ..., pointed into once complete */
	size_t *offs;  /* key and value offsets into store */
	size_t offs_alloc;
} props;

static void props_add(props *p, const char *key, const cJSON *value)
{
	size_t k = p->store.len, v;

	ins_buf_puts(&p->store, key);
	ins_buf_putc(&p->store, '\0');
	v = p->store.len;
	ins_jsonin_text(&p->store, value);
	ins_buf_putc(&p->store, '\0');
	p->offs = ins_xgrow(p->offs, &p->offs_alloc, 2 * (p->n + 1), sizeof(*p->offs));
	p->offs[2 * p->n] = k;
	p->offs[2 * p->n + 1] = v;
	p->v = ins_xgrow(p->v, &p->alloc, p->n + 1, sizeof(*p->v));
	p->n++;
}

/* Point the properties into the store; call when all are added. */
static void props_fix(props *p)
{
	for (size_t i = 0; i < p->n; i++) {
		p->v[i].key = p->store.ptr + p->offs[2 * i];
		p->v[i].value = p->store.ptr + p->offs[2 * i + 1];
	}
}

static void props_release(props *p)
{
	free(p->v);
	free(p->offs);
	ins_buf_release(&p->store);
}

static void read_props(props *p, const cJSON *test)
{
	static const char *const plain[] = { "type", "rawStatus", "browser", "device", "threadId" };
	const cJSON *t, *obj;

	cJSON_ArrayForEach(t, get(test, "tags")) {
		if (cJSON_IsString(t))
			props_add(p, "tag", t);
	}
	for (size_t i = 0; i < sizeof(plain) / sizeof(plain[0]); i++) {
		t = get(test, plain[i]);
		if (cJSON_IsString(t) || cJSON_IsNumber(t))
			props_add(p, plain[i], t);
	}
	obj = get(test, "parameters");
	if (cJSON_IsObject(obj)) {
		cJSON_ArrayForEach(t, obj) {
			ins_buf k = INS_BUF_INIT;

			ins_buf_printf(&k, "param.%s", t->string);
			props_add(p, k.ptr, t);
			ins_buf_release(&k);
		}
	}
	obj = get(test, "labels");
	if (cJSON_IsObject(obj)) {
		cJSON_ArrayForEach(t, obj) {
			ins_buf k = INS_BUF_INIT;

			ins_buf_printf(&k, "label.%s", t->string);
			props_add(p, k.ptr, t);
			ins_buf_release(&k);
		}
	}
	cJSON_ArrayForEach(t, get(test, "attachments")) {
		const cJSON *path = get(t, "path");

		if (cJSON_IsString(path))
			props_add(p, "attachment", path);
	}
}

/* A duration in ms to seconds into r; absurd or missing values leave it unknown. */
static void read_duration(ins_result *r, const cJSON *obj)
{
	double ms;

	r->duration = -1.0;
	if (ins_jsonin_num(obj, "duration", &ms))
		return;
	if (ms >= 0 && ms / 1000.0 <= INS_INGEST_MAX_DURATION)
		r->duration = ms / 1000.0;
	else
		r->flags |= INS_RESULT_DURATION_CLAMPED;
}

static void read_start(ins_result *r, const cJSON *obj)
{
	double ms;

	if (!ins_jsonin_num(obj, "start", &ms))
		r->start_ms = ins_jsonin_epoch_s_to_ms(ms / 1000.0);
}

static int send(ctrf_state *st, ins_result *r, ins_buf *msg, ins_buf *detail, ins_buf *out,
		ins_buf *err)
{
	ins_jsonin_cap(msg);
	ins_jsonin_cap(detail);
	ins_jsonin_cap(out);
	ins_jsonin_cap(err);
	r->message = msg->len ? msg->ptr : NULL;
	r->detail = detail->len ? detail->ptr : NULL;
	r->out = out->len ? out->ptr : NULL;
	r->err = err->len ? err->ptr : NULL;
	return st->sink->on_result ? st->sink->on_result(st->sink->data, r) : 0;
}

static int bad_test(ctrf_state *st, int i, const char *name, const char *what)
{
	return ins_error_set(INS_EINVALID, "%s: results.tests[%d]%s%s%s: %s", st->display, i,
			     name ? " '" : "", name ? name : "", name ? "'" : "", what);
}

static int on_test(ctrf_state *st, int index, const cJSON *test)
{
	const char *name = ins_jsonin_str(test, "name");
	const char *status = ins_jsonin_str(test, "status");
	const char *file = ins_jsonin_str(test, "filePath");
	const cJSON *suite = get(test, "suite"), *attempts = get(test, "retryAttempts"), *s;
	const cJSON *flaky = get(test, "flaky");
	ins_buf nodeid = INS_BUF_INIT, classname = INS_BUF_INIT;
	ins_buf msg = INS_BUF_INIT, detail = INS_BUF_INIT, out = INS_BUF_INIT, err = INS_BUF_INIT;
	props p = { 0 };
	ins_result r;
	ins_outcome final;
	double retries = -1;
	int nattempts = cJSON_GetArraySize(attempts), send_attempts, any_failed = 0, ret = 0;

	if (!cJSON_IsObject(test))
		return bad_test(st, index, NULL, "not an object");
	if (!name || !*name)
		return bad_test(st, index, NULL, "no \"name\"");
	if (!status)
		return bad_test(st, index, name, "no \"status\"");
	if (map_status(status, ins_jsonin_str(test, "rawStatus"), &final))
		return bad_test(st, index, name, "status is not one of passed, failed, skipped, "
				"pending or other");
	if (!ins_jsonin_num(test, "retries", &retries) &&
	    (retries < 0 || retries > 1000 || retries != floor(retries)))
		return bad_test(st, index, name, "\"retries\" is not a sensible count");
	if (attempts && !cJSON_IsArray(attempts))
		return bad_test(st, index, name, "\"retryAttempts\" is not a list");
	if (nattempts > 1000)
		return bad_test(st, index, name, "more than 1000 retry attempts");

	if (cJSON_IsString(suite)) {
		if (*suite->valuestring)
			ins_buf_puts(&classname, suite->valuestring);
	} else {
		cJSON_ArrayForEach(s, suite) {
			if (!cJSON_IsString(s) || !*s->valuestring)
				continue;
			if (classname.len)
				ins_buf_puts(&classname, "::");
			ins_buf_puts(&classname, s->valuestring);
		}
	}
	if (file && *file)
		ins_buf_printf(&nodeid, "%s::", file);
	if (classname.len)
		ins_buf_printf(&nodeid, "%s::", classname.ptr);
	ins_buf_puts(&nodeid, name);
	read_props(&p, test);
	props_fix(&p);

	memset(&r, 0, sizeof(r));
	r.nodeid = nodeid.ptr;
	r.file = file && *file ? file : NULL;
	r.classname = classname.len ? classname.ptr : NULL;
	r.name = name;
	r.props = p.v;
	r.nprops = p.n;

	/* does retryAttempts repeat the final attempt as its last entry? */
	send_attempts = nattempts;
	if (nattempts > 0) {
		const cJSON *last = cJSON_GetArrayItem(attempts, nattempts - 1);
		double d1, d2;

		if (retries >= 0) {
			if (nattempts == (int)retries + 1)
				send_attempts--;
		} else if (!strcmp(ins_jsonin_str(last, "status") ? ins_jsonin_str(last, "status") :
				   "", status) &&
			   !ins_jsonin_num(last, "duration", &d1) &&
			   !ins_jsonin_num(test, "duration", &d2) && d1 == d2) {
			send_attempts--;
		}
	}
	for (int i = 0; i < send_attempts; i++) {
		const cJSON *a = cJSON_GetArrayItem(attempts, i);
		ins_outcome o;

		if (!cJSON_IsObject(a) || map_status(ins_jsonin_str(a, "status"),
						     ins_jsonin_str(a, "rawStatus"), &o)) {
			ret = bad_test(st, index, name, "a retry attempt has no valid status");
			goto done;
		}
		ins_buf_clear(&msg);
		ins_buf_clear(&detail);
		ins_buf_clear(&out);
		ins_buf_clear(&err);
		ins_jsonin_text(&msg, get(a, "message"));
		ins_jsonin_text(&detail, get(a, "trace"));
		lines_text(&out, get(a, "stdout"));
		lines_text(&err, get(a, "stderr"));
		r.outcome = o;
		r.flags = 0;
		r.start_ms = 0;
		read_duration(&r, a);
		read_start(&r, a);
		any_failed |= ins_outcome_is_failure(o);
		if ((ret = send(st, &r, &msg, &detail, &out, &err)))
			goto done;
	}
	if (!send_attempts) {
		/* a count without details: the earlier attempts failed, that is all we know */
		int n = retries > 0 ? (int)retries : cJSON_IsTrue(flaky) ? 1 : 0;

		for (int i = 0; i < n; i++) {
			ins_buf_set(&msg, "an earlier attempt failed (the report gives no details)");
			ins_buf_clear(&detail);
			ins_buf_clear(&out);
			ins_buf_clear(&err);
			r.outcome = INS_OUTCOME_FAILED;
			r.flags = 0;
			r.start_ms = 0;
			r.duration = -1.0;
			any_failed = 1;
			if ((ret = send(st, &r, &msg, &detail, &out, &err)))
				goto done;
		}
	}

	ins_buf_clear(&msg);
	ins_buf_clear(&detail);
	ins_buf_clear(&out);
	ins_buf_clear(&err);
	ins_jsonin_text(&msg, get(test, "message"));
	ins_jsonin_text(&detail, get(test, "trace"));
	lines_text(&out, get(test, "stdout"));
	lines_text(&err, get(test, "stderr"));
	r.outcome = final;
	r.flags = 0;
	r.start_ms = 0;
	read_duration(&r, test);
	read_start(&r, test);
	if ((any_failed || cJSON_IsTrue(flaky)) && final == INS_OUTCOME_PASSED)
		r.flags |= INS_RESULT_FLAKY;
	ret = send(st, &r, &msg, &detail, &out, &err);

done:
	ins_buf_release(&nodeid);
	ins_buf_release(&classname);
	ins_buf_release(&msg);
	ins_buf_release(&detail);
	ins_buf_release(&out);
	ins_buf_release(&err);
	props_release(&p);
	return ret;
}

static int meta_ms(ctrf_state *st, const char *key, const cJSON *obj, const char *field)
{
	double ms;
	int64_t v;
	ins_buf b = INS_BUF_INIT;
	int ret;

	if (ins_jsonin_num(obj, field, &ms))
		return 0;
	v = ins_jsonin_epoch_s_to_ms(ms / 1000.0);
	if (!v)
		return 0; /* absurd times are dropped, not stored */
	ins_buf_printf(&b, "%lld", (long long)v);
	ret = meta(st, key, b.ptr);
	ins_buf_release(&b);
	return ret;
}

/*
 * ---- streaming ----
 *
 * The document is read as a stream (ingest/jsonstream.h) and built as
 * cJSON values, except the items of results.tests: each is handed to
 * on_test() as soon as it is complete and freed, so memory holds one test
 * at a time whatever the size of the report. Everything else (tool,
 * summary, environment) is small and kept until the end.
 */

/* results.tests: an array, the value of "tests" in "results" in the root (the first one only). */
static int stream_tests(void *data, const char *const *path, int depth)
{
	ctrf_state *st = data;

	if (depth != 2 || !path[0] || strcmp(path[0], "results") || !path[1] ||
	    strcmp(path[1], "tests") || st->saw_tests)
		return 0;
	st->saw_tests = 1;
	return 1;
}

static int stream_test(void *data, const char *const *path, int depth, size_t index,
		       const cJSON *item)
{
	(void)path;
	(void)depth;
	return on_test(data, index > INT_MAX ? INT_MAX : (int)index, item);
}

/* The report's facts (tool, summary, environment), once the tests are handed on. */
static int on_report(ctrf_state *st, const cJSON *root, int saw_tests)
{
	const cJSON *results = get(root, "results"), *tool = get(results, "tool");
	const cJSON *summary = get(results, "summary");
	const cJSON *env = get(results, "environment"), *t;
	const char *fmt = ins_jsonin_str(root, "reportFormat");
	double d;
	int ret;

	if (!cJSON_IsObject(root))
		return ins_error_set(INS_EINVALID, "%s: not a CTRF report (the JSON is no object)",
				     st->display);
	if (fmt ? strcmp(fmt, "CTRF") : !cJSON_IsObject(tool))
		return ins_error_set(INS_EINVALID, "%s: not a CTRF report (no \"reportFormat\": "
				     "\"CTRF\" and no results.tool)", st->display);
	if (!cJSON_IsObject(results))
		return ins_error_set(INS_EINVALID, "%s: CTRF report without a \"results\" object",
				     st->display);
	if (!saw_tests)
		return ins_error_set(INS_EINVALID, "%s: CTRF report without a results.tests list",
				     st->display);

	if (ins_jsonin_str(tool, "name") && (ret = meta(st, "tool", ins_jsonin_str(tool, "name"))))
		return ret;
	if (ins_jsonin_str(tool, "version") &&
	    (ret = meta(st, "tool_version", ins_jsonin_str(tool, "version"))))
		return ret;
	if ((ret = meta_ms(st, "started_ms", summary, "start")) ||
	    (ret = meta_ms(st, "finished_ms", summary, "stop")))
		return ret;
	if (!ins_jsonin_num(summary, "duration", &d) && d >= 0 && d / 1000.0 < 1e9) {
		ins_buf b = INS_BUF_INIT;

		ins_buf_printf(&b, "%.3f", d / 1000.0);
		ret = meta(st, "duration", b.ptr);
		ins_buf_release(&b);
		if (ret)
			return ret;
	}
	if (cJSON_IsObject(env)) {
		cJSON_ArrayForEach(t, env) {
			ins_buf k = INS_BUF_INIT, v = INS_BUF_INIT;

			if (!cJSON_IsString(t) && !cJSON_IsNumber(t))
				continue;
			ins_buf_printf(&k, "env.%s", t->string);
			ins_jsonin_text(&v, t);
			ret = meta(st, k.ptr, v.ptr);
			ins_buf_release(&k);
			ins_buf_release(&v);
			if (ret)
				return ret;
		}
	}
	return 0;
}

int ins_ingest_ctrf_input(ins_input *in, const ins_ingest_sink *sink)
{
	ctrf_state st = { ins_input_display(in), sink, 0 };
	const struct ins_jstream_ops ops = { &st, stream_tests, stream_test };
	cJSON *root = NULL;
	int ret;

	if ((ret = ins_jstream_parse(in, "a CTRF report", &ops, &root)) == 0)
		ret = on_report(&st, root, st.saw_tests);
	cJSON_Delete(root);
	return ret;
}
