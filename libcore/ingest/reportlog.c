/*
 * reportlog.c - the pytest report-log parser (JSON lines, `--report-log`).
 *
 * Every line is one JSON object whose "$report_type" says what it is:
 * SessionStart, CollectReport, TestReport, WarningMessage, SessionFinish, and
 * insight's own InsightSection. Unknown types and keys are ignored, as the
 * format asks of its readers. Lines are read one at a time, so memory is
 * bounded by the longest line (at most INS_INGEST_MAX_TEXT * 4 bytes) plus
 * the tests still in progress.
 *
 * pytest reports each test in phases (setup, call, teardown); this parser
 * folds them into one ins_result per attempt:
 *
 *   setup failed -> error          call failed -> failed
 *   setup/call skipped -> skipped  call passed -> passed
 *   ... with "wasxfail": skipped -> xfailed, passed -> xpassed
 *   teardown failed after a passing or skipped attempt -> error
 *   outcome "rerun" (pytest-rerunfailures) -> the failure that phase would
 *   have been, and the attempt is over; the next setup starts the next one.
 *
 * A passing attempt after a failed one of the same test is flagged FLAKY.
 * A strict xpass needs no special case: pytest reports it as a failed call
 * whose longrepr is "[XPASS(strict)] reason".
 *
 * Warnings: pytest emits a test's WarningMessage lines after its teardown, so
 * an attempt that is over is held back until another test starts (its setup
 * report), the session finishes or the file ends. The open attempts are kept
 * in a small table rather than a single slot so that the interleaved reports
 * of pytest-xdist workers fold correctly too; in a serial run it holds one.
 *
 * A crash mid-write leaves a partial last line: it is dropped, what came
 * before is kept, and the parse succeeds with on_meta("truncated", "1"). A
 * stream without SessionFinish gets on_meta("incomplete", "1"), and a test
 * that never reported its outcome becomes an error flagged INTERRUPTED.
 *
 * Compressed variants (.gz, .bz2, .xz) are not read: decompress them first.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cJSON.h>

#include "insight/buf.h"
#include "insight/errors.h"
#include "insight/ingest.h"
#include "ingest/jsonin.h"

#define MAX_LINE ((size_t)INS_INGEST_MAX_TEXT * 4)
#define MAX_OPEN 64 /* tests in progress at once: one per xdist worker is plenty */

enum { PH_NONE = -1, PH_SETUP = 0, PH_CALL = 1, PH_TEARDOWN = 2 };

static const char *const phase_names[] = { "setup", "call", "teardown" };

/* A list of owned (key, value) pairs: sections, user properties, markers. */
typedef struct pairs {
	ins_property *v;
	size_t n, alloc;
} pairs;

typedef struct attempt {
	char *nodeid;          /* owned */
	char *file;            /* owned, from location[0]; NULL when unknown */
	int last_phase;        /* PH_*: the latest phase reported */
	int failed_before;     /* an earlier attempt of this test failed */
	int ended;             /* teardown or a rerun seen: no more phases belong here */
	int has_outcome;
	ins_outcome outcome;
	double duration;       /* sum of the phases' durations */
	int bad_duration;      /* a phase reported an absurd duration */
	int64_t start_ms;      /* the first phase's start, 0 when unknown */
	unsigned flags;
	ins_buf message, detail;
	/*
	 * Every report repeats the item's sections and user properties so far,
	 * and pytest-rerunfailures does not reset them between attempts: the
	 * latest list is kept, and the previous attempt's list is dropped from
	 * its front when the attempt is handed on.
	 */
	pairs sections, prev_sections; /* (title, text): ("Captured stdout call", ...) */
	pairs up, prev_up;             /* user_properties */
	pairs markers;                 /* ("marker", name) */
} attempt;

typedef struct rl_state {
	const char *display;
	const ins_ingest_sink *sink;
	size_t lineno;
	attempt *open[MAX_OPEN]; /* in order of first appearance */
	size_t nopen;
	attempt *last_ended;     /* the attempt whose warnings may still come */
	int seen_report;         /* a line with a known $report_type was read */
	int seen_start, seen_finish;
	int64_t first_start_ms, last_stop_ms;
	int meta_times_sent;
} rl_state;

static void pairs_release(pairs *p)
{
	for (size_t i = 0; i < p->n; i++) {
		free((char *)p->v[i].key);
		free((char *)p->v[i].value);
	}
	free(p->v);
	memset(p, 0, sizeof(*p));
}

static void pairs_add(pairs *p, const char *key, const char *value)
{
	p->v = ins_xgrow(p->v, &p->alloc, p->n + 1, sizeof(*p->v));
	p->v[p->n].key = ins_xstrdup(key);
	p->v[p->n].value = ins_xstrdup(value);
	p->n++;
}

static void pairs_copy(pairs *dst, const pairs *src)
{
	pairs_release(dst);
	for (size_t i = 0; i < src->n; i++)
		pairs_add(dst, src->v[i].key, src->v[i].value);
}

/* Read a JSON list of [key, value] lists; values are turned into text. */
static void pairs_from_json(pairs *p, const cJSON *list)
{
	const cJSON *item;

	cJSON_ArrayForEach(item, list) {
		ins_buf k = INS_BUF_INIT, v = INS_BUF_INIT;

		if (cJSON_GetArraySize(item) != 2)
			continue;
		ins_jsonin_text(&k, cJSON_GetArrayItem(item, 0));
		ins_jsonin_text(&v, cJSON_GetArrayItem(item, 1));
		pairs_add(p, k.ptr, v.ptr);
		ins_buf_release(&k);
		ins_buf_release(&v);
	}
}

/* How many leading pairs of `cur` are the previous attempt's (`prev`): prev->n or 0. */
static size_t pairs_skip(const pairs *cur, const pairs *prev)
{
	if (!prev->n || cur->n < prev->n)
		return 0;
	for (size_t i = 0; i < prev->n; i++) {
		if (strcmp(cur->v[i].key, prev->v[i].key) || strcmp(cur->v[i].value, prev->v[i].value))
			return 0;
	}
	return prev->n;
}

/* Keep the longer of the list held and the report's list (the lists only grow). */
static void pairs_update(pairs *held, const cJSON *list)
{
	pairs fresh = { 0 };

	if (!cJSON_IsArray(list))
		return;
	pairs_from_json(&fresh, list);
	if (fresh.n >= held->n) {
		pairs_release(held);
		*held = fresh;
	} else {
		pairs_release(&fresh);
	}
}

static void attempt_free(attempt *a)
{
	if (!a)
		return;
	free(a->nodeid);
	free(a->file);
	ins_buf_release(&a->message);
	ins_buf_release(&a->detail);
	pairs_release(&a->sections);
	pairs_release(&a->prev_sections);
	pairs_release(&a->up);
	pairs_release(&a->prev_up);
	pairs_release(&a->markers);
	free(a);
}

static attempt *attempt_new(const char *nodeid)
{
	attempt *a = ins_xcalloc(1, sizeof(*a));

	a->nodeid = ins_xstrdup(nodeid);
	a->last_phase = PH_NONE;
	ins_buf_init(&a->message);
	ins_buf_init(&a->detail);
	return a;
}

/* The test's own name: the node id after its last "::" outside the parameter brackets. */
static const char *name_of(const char *nodeid)
{
	const char *end = strchr(nodeid, '[');
	const char *name = nodeid;

	for (const char *p = nodeid; *p && (!end || p < end); p++) {
		if (p[0] == ':' && p[1] == ':')
			name = p + 2;
	}
	return name;
}

/* --- longrepr: what pytest would print for the failure -------------------- */

static const cJSON *get(const cJSON *obj, const char *key)
{
	return cJSON_GetObjectItemCaseSensitive(obj, key);
}

static void put_line(ins_buf *b, const char *s)
{
	ins_buf_puts(b, s);
	ins_buf_putc(b, '\n');
}

/* One "path:lineno: message" line (only the message's first line, as pytest prints it). */
static void render_fileloc(ins_buf *b, const cJSON *loc)
{
	const char *path = ins_jsonin_str(loc, "path");
	const char *msg = ins_jsonin_str(loc, "message");
	double lineno;

	if (!path)
		return;
	ins_buf_puts(b, path);
	if (!ins_jsonin_num(loc, "lineno", &lineno))
		ins_buf_printf(b, ":%.0f", lineno);
	if (msg) {
		const char *nl = strchr(msg, '\n');

		ins_buf_puts(b, ": ");
		ins_buf_put(b, msg, nl ? (size_t)(nl - msg) : strlen(msg));
	}
	ins_buf_putc(b, '\n');
}

static void render_lines(ins_buf *b, const cJSON *lines)
{
	const cJSON *l;

	cJSON_ArrayForEach(l, lines) {
		if (cJSON_IsString(l))
			put_line(b, l->valuestring);
	}
}

static void render_entry(ins_buf *b, const cJSON *entry)
{
	const char *type = ins_jsonin_str(entry, "type");
	const cJSON *data = get(entry, "data");
	const cJSON *args, *locals, *lines, *l;
	const char *style = ins_jsonin_str(data, "style");

	if (type && !strcmp(type, "ReprEntryNative")) {
		/* native tracebacks carry their own newlines */
		cJSON_ArrayForEach(l, get(data, "lines")) {
			if (cJSON_IsString(l))
				ins_buf_puts(b, l->valuestring);
		}
		return;
	}
	lines = get(data, "lines");
	if (style && !strcmp(style, "short")) {
		render_fileloc(b, get(data, "reprfileloc"));
		render_lines(b, lines);
		return;
	}
	args = get(get(data, "reprfuncargs"), "args");
	if (cJSON_GetArraySize(args) > 0) {
		cJSON_ArrayForEach(l, args) {
			const cJSON *k = cJSON_GetArrayItem(l, 0), *v = cJSON_GetArrayItem(l, 1);

			ins_jsonin_text(b, k);
			ins_buf_puts(b, " = ");
			ins_jsonin_text(b, v);
			ins_buf_putc(b, '\n');
		}
		ins_buf_putc(b, '\n');
	}
	render_lines(b, lines);
	locals = get(get(data, "reprlocals"), "lines");
	if (cJSON_GetArraySize(locals) > 0) {
		ins_buf_putc(b, '\n');
		render_lines(b, locals);
	}
	if (cJSON_IsObject(get(data, "reprfileloc"))) {
		if (cJSON_GetArraySize(lines) > 0)
			ins_buf_putc(b, '\n');
		render_fileloc(b, get(data, "reprfileloc"));
	}
}

static void render_traceback(ins_buf *b, const cJSON *tb)
{
	const cJSON *entries = get(tb, "reprentries");
	const char *extraline = ins_jsonin_str(tb, "extraline");
	int n = cJSON_GetArraySize(entries);

	for (int i = 0; i < n; i++) {
		const cJSON *e = cJSON_GetArrayItem(entries, i);
		const char *style = ins_jsonin_str(get(e, "data"), "style");
		int long_style = !style || !strcmp(style, "long");

		if (long_style)
			ins_buf_putc(b, '\n');
		render_entry(b, e);
		if (i < n - 1 && long_style)
			put_line(b, "_ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _");
	}
	if (extraline)
		put_line(b, extraline);
}

/* The last non-empty line of `s`, without pytest's "E   " marker. */
static void last_line(ins_buf *out, const char *s)
{
	const char *end = s + strlen(s), *start;

	while (end > s && (end[-1] == '\n' || end[-1] == '\r' || end[-1] == ' ' || end[-1] == '\t'))
		end--;
	start = end;
	while (start > s && start[-1] != '\n')
		start--;
	if (end - start >= 2 && start[0] == 'E' && (start[1] == ' ' || start[1] == '\t')) {
		start++;
		while (start < end && (*start == ' ' || *start == '\t'))
			start++;
	}
	ins_buf_put(out, start, (size_t)(end - start));
}

static void first_line(ins_buf *out, const char *s)
{
	const char *nl = strchr(s, '\n');

	ins_buf_put(out, s, nl ? (size_t)(nl - s) : strlen(s));
	ins_buf_rtrim(out);
}

/*
 * Read a longrepr in any of its serialised forms into a one-line message and
 * the full text. Either buffer may end up empty.
 */
static void read_longrepr(const cJSON *lr, ins_buf *message, ins_buf *detail)
{
	if (!lr || cJSON_IsNull(lr))
		return;
	if (cJSON_IsString(lr)) {
		ins_buf_puts(detail, lr->valuestring);
		last_line(message, lr->valuestring);
	} else if (cJSON_IsArray(lr)) {
		/* a skip: [path, lineno, reason] */
		const cJSON *path = cJSON_GetArrayItem(lr, 0), *line = cJSON_GetArrayItem(lr, 1);
		const cJSON *reason = cJSON_GetArrayItem(lr, 2);
		const char *r = cJSON_IsString(reason) ? reason->valuestring : "";

		ins_jsonin_text(detail, path);
		if (cJSON_IsNumber(line))
			ins_buf_printf(detail, ":%.0f", line->valuedouble);
		ins_buf_puts(detail, ": ");
		ins_buf_puts(detail, r);
		if (!strncmp(r, "Skipped: ", 9))
			r += 9;
		first_line(message, r);
	} else if (cJSON_IsObject(lr)) {
		const cJSON *chain = get(lr, "chain"), *crash = get(lr, "reprcrash"), *el;
		const char *cm = ins_jsonin_str(crash, "message");

		if (cJSON_GetArraySize(chain) > 0) {
			cJSON_ArrayForEach(el, chain) {
				const cJSON *desc = cJSON_GetArrayItem(el, 2);

				render_traceback(detail, cJSON_GetArrayItem(el, 0));
				if (cJSON_IsString(desc)) {
					ins_buf_putc(detail, '\n');
					put_line(detail, desc->valuestring);
				}
			}
		} else {
			render_traceback(detail, get(lr, "reprtraceback"));
		}
		if (!detail->len && cJSON_IsObject(crash))
			render_fileloc(detail, crash);
		if (cm)
			first_line(message, cm);
		else if (detail->len)
			last_line(message, detail->ptr);
	} else {
		ins_jsonin_text(detail, lr);
		last_line(message, detail->ptr);
	}
	/* tracebacks open with a blank line in long style; it carries nothing */
	{
		size_t lead = 0;

		while (lead < detail->len && detail->ptr[lead] == '\n')
			lead++;
		if (lead) {
			memmove(detail->ptr, detail->ptr + lead, detail->len - lead + 1);
			detail->len -= lead;
		}
	}
	ins_buf_rtrim(detail);
}

/* --- folding phases into attempts ------------------------------------------ */

static int sink_result(rl_state *st, attempt *a, int interrupted)
{
	ins_buf out = INS_BUF_INIT, err = INS_BUF_INIT, log = INS_BUF_INIT;
	ins_buf *bufs[3] = { &out, &err, &log };
	size_t counts[3] = { 0, 0, 0 };
	pairs props = { 0 };
	size_t first = pairs_skip(&a->sections, &a->prev_sections);
	ins_result r;
	int ret = 0;

	if (!a->has_outcome) {
		/* the run ended while this test was running: often the test that killed it */
		a->outcome = INS_OUTCOME_ERROR;
		a->flags |= INS_RESULT_INTERRUPTED;
		if (!a->message.len)
			ins_buf_printf(&a->message, "the run ended during %s before the test reported "
				       "an outcome", a->last_phase >= 0 ? phase_names[a->last_phase] :
				       "setup");
	} else if (interrupted && !a->ended) {
		a->flags |= INS_RESULT_INTERRUPTED;
	}
	if (a->failed_before && a->outcome == INS_OUTCOME_PASSED)
		a->flags |= INS_RESULT_FLAKY;

	/*
	 * stdout, stderr and log sections each go to their field; when one field
	 * gets several phases' sections, each keeps pytest's title line.
	 */
	for (size_t i = first; i < a->sections.n; i++) {
		const char *t = a->sections.v[i].key;
		int k = strstr(t, "stderr") ? 1 : strstr(t, "log") ? 2 : 0;

		counts[k]++;
	}
	for (size_t i = first; i < a->sections.n; i++) {
		const char *t = a->sections.v[i].key;
		int k = strstr(t, "stderr") ? 1 : strstr(t, "log") ? 2 : 0;
		int titled = counts[k] > 1 || (k == 0 && !strstr(t, "stdout"));

		if (titled) {
			if (bufs[k]->len && bufs[k]->ptr[bufs[k]->len - 1] != '\n')
				ins_buf_putc(bufs[k], '\n');
			ins_buf_printf(bufs[k], "----- %s -----\n", t);
		}
		ins_buf_puts(bufs[k], a->sections.v[i].value);
	}
	for (size_t i = pairs_skip(&a->up, &a->prev_up); i < a->up.n; i++)
		pairs_add(&props, a->up.v[i].key, a->up.v[i].value);
	for (size_t i = 0; i < a->markers.n; i++)
		pairs_add(&props, a->markers.v[i].key, a->markers.v[i].value);
	/* over-long text is cut with a note in the text itself */
	ins_jsonin_cap(&a->detail);
	ins_jsonin_cap(&out);
	ins_jsonin_cap(&err);
	ins_jsonin_cap(&log);

	memset(&r, 0, sizeof(r));
	r.nodeid = a->nodeid;
	r.file = a->file;
	r.name = name_of(a->nodeid);
	r.outcome = a->outcome;
	r.duration = a->bad_duration || a->last_phase == PH_NONE ? -1.0 : a->duration;
	r.start_ms = a->start_ms;
	r.flags = a->flags;
	r.message = a->message.len ? a->message.ptr : NULL;
	r.detail = a->detail.len ? a->detail.ptr : NULL;
	r.out = out.len ? out.ptr : NULL;
	r.err = err.len ? err.ptr : NULL;
	r.log = log.len ? log.ptr : NULL;
	r.props = props.v;
	r.nprops = props.n;
	if (st->sink->on_result)
		ret = st->sink->on_result(st->sink->data, &r);
	ins_buf_release(&out);
	ins_buf_release(&err);
	ins_buf_release(&log);
	pairs_release(&props);
	return ret;
}

/* Hand the attempt at index i of the open table to the sink and drop it. */
static int emit_open(rl_state *st, size_t i, int interrupted)
{
	attempt *a = st->open[i];
	int ret = sink_result(st, a, interrupted);

	if (st->last_ended == a)
		st->last_ended = NULL;
	memmove(st->open + i, st->open + i + 1, (st->nopen - i - 1) * sizeof(*st->open));
	st->nopen--;
	attempt_free(a);
	return ret;
}

/* Emit every open attempt that is over, except those of `keep` (NULL = none). */
static int emit_ended(rl_state *st, const char *keep)
{
	for (size_t i = 0; i < st->nopen;) {
		if (st->open[i]->ended && (!keep || strcmp(st->open[i]->nodeid, keep))) {
			int ret = emit_open(st, i, 0);

			if (ret)
				return ret;
		} else {
			i++;
		}
	}
	return 0;
}

static int emit_all(rl_state *st, int interrupted)
{
	while (st->nopen) {
		int ret = emit_open(st, 0, interrupted);

		if (ret)
			return ret;
	}
	return 0;
}

static void set_outcome(attempt *a, ins_outcome o, const cJSON *longrepr, int phase)
{
	ins_buf msg = INS_BUF_INIT, det = INS_BUF_INIT;

	read_longrepr(longrepr, &msg, &det);
	if (a->has_outcome && ins_outcome_is_failure(a->outcome)) {
		/* a second failure (teardown after a failed call): keep the first, add the text */
		if (det.len) {
			if (a->detail.len)
				ins_buf_printf(&a->detail, "\n\n----- %s -----\n", phase_names[phase]);
			ins_buf_put(&a->detail, det.ptr, det.len);
		}
	} else {
		a->outcome = o;
		a->has_outcome = 1;
		ins_buf_set(&a->message, msg.ptr);
		ins_buf_set(&a->detail, det.ptr);
	}
	ins_buf_release(&msg);
	ins_buf_release(&det);
}

static void apply_phase(attempt *a, int phase, const char *outcome, const cJSON *report)
{
	const cJSON *longrepr = get(report, "longrepr");
	const cJSON *wasxfail = get(report, "wasxfail");
	int xfail = wasxfail && !cJSON_IsNull(wasxfail) && !cJSON_IsFalse(wasxfail);
	const char *reason = cJSON_IsString(wasxfail) ? wasxfail->valuestring : "";

	if (!strcmp(outcome, "passed")) {
		if (phase == PH_CALL) {
			set_outcome(a, xfail ? INS_OUTCOME_XPASSED : INS_OUTCOME_PASSED, NULL, phase);
			if (xfail && *reason)
				ins_buf_set(&a->message, reason);
		}
	} else if (!strcmp(outcome, "failed") || !strcmp(outcome, "rerun")) {
		set_outcome(a, phase == PH_CALL ? INS_OUTCOME_FAILED : INS_OUTCOME_ERROR, longrepr,
			    phase);
		if (!strcmp(outcome, "rerun"))
			a->ended = 1;
	} else if (!strcmp(outcome, "skipped")) {
		if (phase == PH_TEARDOWN)
			return;
		set_outcome(a, xfail ? INS_OUTCOME_XFAILED : INS_OUTCOME_SKIPPED, longrepr, phase);
		if (xfail && *reason)
			ins_buf_set(&a->message, reason);
	}
	/* any other outcome word is a future pytest's: the phase adds nothing known */
}

static void read_lists(attempt *a, const cJSON *report)
{
	const cJSON *markers = get(report, "markers"), *m;

	pairs_update(&a->sections, get(report, "sections"));
	pairs_update(&a->up, get(report, "user_properties"));
	if (cJSON_IsArray(markers)) {
		pairs_release(&a->markers);
		cJSON_ArrayForEach(m, markers) {
			if (cJSON_IsString(m))
				pairs_add(&a->markers, "marker", m->valuestring);
		}
	}
}

static int phase_of(const char *when)
{
	if (!when)
		return PH_NONE;
	for (int i = 0; i < 3; i++) {
		if (!strcmp(when, phase_names[i]))
			return i;
	}
	return PH_NONE;
}

static int bad_line(rl_state *st, const char *fmt, const char *what)
{
	return ins_error_set(INS_EINVALID, "%s:%zu: %s%s", st->display, st->lineno, fmt, what);
}

static int on_test_report(rl_state *st, const cJSON *report)
{
	const char *nodeid = ins_jsonin_str(report, "nodeid");
	const char *when = ins_jsonin_str(report, "when");
	const char *outcome = ins_jsonin_str(report, "outcome");
	int phase = phase_of(when);
	attempt *a = NULL;
	double d;
	int ret;

	if (!nodeid || !*nodeid)
		return bad_line(st, "TestReport without a nodeid", "");
	if (!outcome)
		return bad_line(st, "TestReport without an outcome: ", nodeid);
	if (phase == PH_NONE)
		return 0;

	if (phase == PH_SETUP && (ret = emit_ended(st, nodeid)))
		return ret;
	for (size_t i = 0; i < st->nopen; i++) {
		if (!strcmp(st->open[i]->nodeid, nodeid)) {
			if (phase <= st->open[i]->last_phase || st->open[i]->ended) {
				/* this phase starts the next attempt: the open one was not the last */
				a = attempt_new(nodeid);
				pairs_copy(&a->prev_sections, &st->open[i]->sections);
				pairs_copy(&a->prev_up, &st->open[i]->up);
				a->failed_before = st->open[i]->failed_before ||
					(st->open[i]->has_outcome &&
					 ins_outcome_is_failure(st->open[i]->outcome));
				if ((ret = emit_open(st, i, 0))) {
					attempt_free(a);
					return ret;
				}
				if (st->nopen == MAX_OPEN && (ret = emit_open(st, 0, 0))) {
					attempt_free(a);
					return ret;
				}
				st->open[st->nopen++] = a;
			} else {
				a = st->open[i];
			}
			break;
		}
	}
	if (!a) {
		if (st->nopen == MAX_OPEN && (ret = emit_open(st, 0, 0)))
			return ret;
		a = attempt_new(nodeid);
		st->open[st->nopen++] = a;
	}

	if (!a->file) {
		const cJSON *loc0 = cJSON_GetArrayItem(get(report, "location"), 0);

		if (cJSON_IsString(loc0))
			a->file = ins_xstrdup(loc0->valuestring);
	}
	if (!ins_jsonin_num(report, "duration", &d)) {
		if (d >= 0 && d <= INS_INGEST_MAX_DURATION) {
			a->duration += d;
		} else {
			a->bad_duration = 1;
			a->flags |= INS_RESULT_DURATION_CLAMPED;
		}
	}
	if (!ins_jsonin_num(report, "start", &d)) {
		int64_t ms = ins_jsonin_epoch_s_to_ms(d);

		if (!a->start_ms && a->last_phase == PH_NONE)
			a->start_ms = ms;
		if (ms && (!st->first_start_ms || ms < st->first_start_ms))
			st->first_start_ms = ms;
	}
	if (!ins_jsonin_num(report, "stop", &d)) {
		int64_t ms = ins_jsonin_epoch_s_to_ms(d);

		if (ms > st->last_stop_ms)
			st->last_stop_ms = ms;
	}
	a->last_phase = phase;
	apply_phase(a, phase, outcome, report);
	read_lists(a, report);
	if (phase == PH_TEARDOWN)
		a->ended = 1;
	if (a->ended)
		st->last_ended = a;
	return 0;
}

static int on_collect_report(rl_state *st, const cJSON *report)
{
	const char *nodeid = ins_jsonin_str(report, "nodeid");
	const char *outcome = ins_jsonin_str(report, "outcome");
	attempt *a;
	int ret;

	if (!outcome || !strcmp(outcome, "passed"))
		return 0;
	if (!strcmp(outcome, "failed") || !strcmp(outcome, "skipped")) {
		/* a module that failed to import, or skipped itself: pytest counts both */
		if ((ret = emit_ended(st, NULL)))
			return ret;
		a = attempt_new(nodeid && *nodeid ? nodeid : "<collection>");
		if (nodeid && *nodeid) {
			size_t n = strcspn(nodeid, ":");

			a->file = ins_xstrndup(nodeid, n);
		}
		set_outcome(a, !strcmp(outcome, "failed") ? INS_OUTCOME_ERROR : INS_OUTCOME_SKIPPED,
			    get(report, "longrepr"), PH_SETUP);
		a->last_phase = PH_NONE;
		a->ended = 1;
		ret = sink_result(st, a, 0);
		attempt_free(a);
		return ret;
	}
	return 0;
}

static int on_warning(rl_state *st, const cJSON *report)
{
	const char *nodeid = ins_jsonin_str(report, "nodeid");
	const char *when = ins_jsonin_str(report, "when");
	const cJSON *func = cJSON_GetArrayItem(get(report, "location"), 2);

	if (nodeid && *nodeid) {
		for (size_t i = st->nopen; i-- > 0;) {
			if (!strcmp(st->open[i]->nodeid, nodeid)) {
				st->open[i]->flags |= INS_RESULT_WARNINGS;
				return 0;
			}
		}
		return 0;
	}
	if (!when || strcmp(when, "runtest"))
		return 0; /* a configuration or collection warning: no test to blame */
	/* pytest-reportlog writes no nodeid: a location names the function, else the last test */
	if (cJSON_IsString(func)) {
		for (size_t i = st->nopen; i-- > 0;) {
			const char *name = name_of(st->open[i]->nodeid);
			size_t n = strlen(func->valuestring);

			if (!strncmp(name, func->valuestring, n) && (!name[n] || name[n] == '[')) {
				st->open[i]->flags |= INS_RESULT_WARNINGS;
				return 0;
			}
		}
	}
	if (st->last_ended)
		st->last_ended->flags |= INS_RESULT_WARNINGS;
	return 0;
}

static int meta(rl_state *st, const char *key, const char *value)
{
	return st->sink->on_meta ? st->sink->on_meta(st->sink->data, key, value) : 0;
}

static int meta_ms(rl_state *st, const char *key, int64_t ms)
{
	ins_buf b = INS_BUF_INIT;
	int ret;

	ins_buf_printf(&b, "%lld", (long long)ms);
	ret = meta(st, key, b.ptr);
	ins_buf_release(&b);
	return ret;
}

static int send_times(rl_state *st)
{
	int ret = 0;

	if (st->meta_times_sent)
		return 0;
	st->meta_times_sent = 1;
	if (st->first_start_ms && (ret = meta_ms(st, "started_ms", st->first_start_ms)))
		return ret;
	if (st->last_stop_ms && (ret = meta_ms(st, "finished_ms", st->last_stop_ms)))
		return ret;
	return 0;
}

static int on_line(rl_state *st, const cJSON *obj)
{
	const char *type = ins_jsonin_str(obj, "$report_type");
	double d;
	int ret;

	if (!type)
		return 0;
	if (!strcmp(type, "TestReport")) {
		st->seen_report = 1;
		return on_test_report(st, obj);
	}
	if (!strcmp(type, "CollectReport")) {
		st->seen_report = 1;
		return on_collect_report(st, obj);
	}
	if (!strcmp(type, "WarningMessage")) {
		st->seen_report = 1;
		return on_warning(st, obj);
	}
	if (!strcmp(type, "SessionStart")) {
		const char *v = ins_jsonin_str(obj, "pytest_version");

		st->seen_report = 1;
		if (st->seen_start)
			return 0;
		st->seen_start = 1;
		if ((ret = meta(st, "tool", "pytest")))
			return ret;
		if (v && (ret = meta(st, "tool_version", v)))
			return ret;
		if (!ins_jsonin_num(obj, "start", &d) && ins_jsonin_epoch_s_to_ms(d))
			st->first_start_ms = ins_jsonin_epoch_s_to_ms(d);
		return 0;
	}
	if (!strcmp(type, "SessionFinish")) {
		const cJSON *es = get(obj, "exitstatus");

		st->seen_report = 1;
		st->seen_finish = 1;
		if ((ret = emit_all(st, 0)))
			return ret;
		if (!ins_jsonin_num(obj, "stop", &d) && ins_jsonin_epoch_s_to_ms(d))
			st->last_stop_ms = ins_jsonin_epoch_s_to_ms(d);
		if ((ret = send_times(st)))
			return ret;
		if (es && !cJSON_IsNull(es)) {
			ins_buf b = INS_BUF_INIT;

			ins_jsonin_text(&b, es);
			ret = meta(st, "exitstatus", b.ptr);
			ins_buf_release(&b);
		}
		return ret;
	}
	if (!strcmp(type, "InsightSection")) {
		const char *name = ins_jsonin_str(obj, "name");
		ins_buf text = INS_BUF_INIT;

		st->seen_report = 1;
		if (!name || !st->sink->on_section)
			return 0;
		ins_jsonin_text(&text, get(obj, "text"));
		ins_jsonin_cap(&text);
		ret = st->sink->on_section(st->sink->data, name, text.ptr);
		ins_buf_release(&text);
		return ret;
	}
	return 0;
}

/* --- the line reader ------------------------------------------------------- */

typedef struct reader {
	int fd;
	ins_input *in;            /* when set, read from it instead of fd */
	char buf[65536];
	size_t pos, end;
	int eof;
	int (*more)(void *data);  /* following a file still written; NULL otherwise */
	void *more_data;
} reader;

/*
 * Read the next line into `line` (without its '\n'). Returns 1 and sets
 * *terminated, 0 at end of file, or a negative code.
 */
static int read_line(rl_state *st, reader *r, ins_buf *line, int *terminated)
{
	ins_buf_clear(line);
	for (;;) {
		if (r->pos == r->end) {
			ssize_t n;

			if (r->eof)
				break;
			n = r->in ? ins_input_read(r->in, r->buf, sizeof(r->buf)) :
				    read(r->fd, r->buf, sizeof(r->buf));
			if (n < 0 && r->in)
				return (int)n;
			if (n < 0) {
				if (errno == EINTR)
					continue;
				return ins_error_set(INS_EIO, "%s: read failed: %s", st->display,
						     strerror(errno));
			}
			if (n == 0) {
				/*
				 * Following a file still being written: wait for more
				 * until the writer is done, then read what is left.
				 */
				if (r->more) {
					if (!r->more(r->more_data))
						r->more = NULL;
					continue;
				}
				r->eof = 1;
				break;
			}
			r->pos = 0;
			r->end = (size_t)n;
		}
		{
			char *nl = memchr(r->buf + r->pos, '\n', r->end - r->pos);
			size_t n = nl ? (size_t)(nl - (r->buf + r->pos)) : r->end - r->pos;

			if (line->len + n > MAX_LINE)
				return ins_error_set(INS_EINVALID, "%s:%zu: line longer than %zu MiB; "
						     "not a report-log insight can read", st->display,
						     st->lineno + 1, MAX_LINE >> 20);
			ins_buf_put(line, r->buf + r->pos, n);
			r->pos += n;
			if (nl) {
				r->pos++;
				*terminated = 1;
				return 1;
			}
		}
	}
	*terminated = 0;
	return line->len ? 1 : 0;
}

static int blank(const ins_buf *b)
{
	for (size_t i = 0; i < b->len; i++) {
		char c = b->ptr[i];

		if (c != ' ' && c != '\t' && c != '\r' && c != '\n')
			return 0;
	}
	return 1;
}

static int reportlog(int fd, ins_input *in, const char *display, const ins_ingest_sink *sink,
		     int (*more)(void *data), void *data);

int ins_ingest_reportlog_input(ins_input *in, const ins_ingest_sink *sink)
{
	return reportlog(-1, in, ins_input_display(in), sink, NULL, NULL);
}

int ins_ingest_reportlog_follow(int fd, const char *display, const ins_ingest_sink *sink,
				int (*more)(void *data), void *data)
{
	return reportlog(fd, NULL, display, sink, more, data);
}

static int reportlog(int fd, ins_input *in, const char *display, const ins_ingest_sink *sink,
		     int (*more)(void *data), void *data)
{
	rl_state st;
	reader *r = ins_xmalloc(sizeof(*r));
	ins_buf line = INS_BUF_INIT;
	int ret = 0, truncated = 0;

	memset(&st, 0, sizeof(st));
	st.display = display ? display : "report-log";
	st.sink = sink;
	r->fd = fd;
	r->in = in;
	r->pos = r->end = 0;
	r->eof = 0;
	r->more = more;
	r->more_data = data;

	for (;;) {
		int terminated = 0, rc;
		const char *why = NULL;
		size_t off = 0, start = 0;
		cJSON *obj;

		rc = read_line(&st, r, &line, &terminated);
		if (rc < 0) {
			ret = rc;
			goto done;
		}
		if (rc == 0)
			break;
		st.lineno++;
		/* a UTF-8 BOM may open the file */
		if (st.lineno == 1 && line.len >= 3 && !memcmp(line.ptr, "\xef\xbb\xbf", 3))
			start = 3;
		if (blank(&line))
			continue;
		if (ins_jsonin_check(line.ptr + start, line.len - start, &why, &off)) {
			if (!terminated) {
				truncated = 1;
				break;
			}
			ret = ins_error_set(INS_EINVALID, "%s:%zu: %s at byte %zu", st.display,
					    st.lineno, why, off + start + 1);
			goto done;
		}
		ins_jsonin_fix_surrogates(line.ptr + start, line.len - start);
		obj = cJSON_ParseWithLength(line.ptr + start, line.len - start);
		if (!obj || !cJSON_IsObject(obj)) {
			cJSON_Delete(obj);
			if (!terminated) {
				/* a crash mid-write: keep what was complete */
				truncated = 1;
				break;
			}
			ret = ins_error_set(INS_EINVALID, "%s:%zu: not a JSON object; a report-log "
					    "has one JSON object per line", st.display, st.lineno);
			goto done;
		}
		ret = on_line(&st, obj);
		cJSON_Delete(obj);
		if (ret)
			goto done;
	}

	if (!st.seen_report) {
		ret = ins_error_set(INS_EINVALID, "%s: no pytest report-log lines (no "
				    "\"$report_type\" found)%s", st.display,
				    truncated ? "; the only line is cut short" : "");
		goto done;
	}
	if ((ret = emit_all(&st, !st.seen_finish)))
		goto done;
	if ((ret = send_times(&st)))
		goto done;
	if (truncated && (ret = meta(&st, "truncated", "1")))
		goto done;
	if (!st.seen_finish && (ret = meta(&st, "incomplete", "1")))
		goto done;

done:
	for (size_t i = 0; i < st.nopen; i++)
		attempt_free(st.open[i]);
	ins_buf_release(&line);
	free(r);
	return ret;
}
