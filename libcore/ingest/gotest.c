/*
 * gotest.c - the `go test -json` parser (test2json's event stream).
 *
 * One JSON object a line: {"Time", "Action", "Package", "Test", "Output",
 * "Elapsed"}. Actions: start, run, pause, cont, output, bench, pass, fail,
 * skip; Go 1.24 adds build-output and build-fail (with "ImportPath") and
 * "FailedBuild" on a package's fail.
 *
 * What insight makes of it:
 *   - Each test and subtest ("TestA/sub") that ends with pass, fail or skip
 *     is one result: passed, failed, skipped. Its node id is
 *     "<package>::<test>", so it matches what go-junit-report and gotestsum
 *     write as JUnit (classname = package, name = test).
 *   - Output: the test's output events, joined in stream order, without the
 *     lines go writes to frame the test ("=== RUN   TestA", "--- FAIL:
 *     TestA (0.00s)"). Parallel subtests interleave; each event names its
 *     test, so their outputs stay apart. A failure keeps it as the detail,
 *     with its message the first "panic:" line or else the last line; a
 *     skip's message is its last line (the t.Skip reason).
 *   - Elapsed is the duration; the run event's Time is the start.
 *   - A package that fails while none of its tests failed (a build or setup
 *     failure, a panic in TestMain or init, os.Exit) becomes an error result
 *     for the package: "<package>::[build failed]" (or "[setup failed]"),
 *     else "<package>::TestMain", with the compiler's messages or the
 *     package's output as its detail. Before Go 1.24 a build failure is not
 *     JSON at all: "FAIL\t<package> [build failed]" is a plain line, and the
 *     compiler's messages are plain lines before it when standard error was
 *     captured too; both are read.
 *   - A test still running when its package ends (a timeout, a crash) or
 *     when the stream ends is an error: it never finished.
 *   - Running the same test again in one stream (-count, a rerun of the
 *     failures appended) follows the repeat rule (repeat.h).
 *
 * Memory: one line, the tests that are running (each with its output,
 * capped at INS_INGEST_MAX_TEXT) and the packages that are running; a test
 * is released when it ends, a package when it ends.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yajl/yajl_parse.h>

#include "insight/buf.h"
#include "insight/errors.h"
#include "insight/ingest.h"
#include "insight/timeutil.h"
#include "ingest/jsonin.h"
#include "ingest/lines.h"
#include "ingest/repeat.h"

#define MAX_LINE (64u << 20)    /* one event; Output holds at most a line of output */
#define MAX_PKG_TEXT (1u << 20) /* a package's own output, the plain text before a build failure */

/* ---- one event ---- */

enum { F_TIME, F_ACTION, F_PACKAGE, F_TEST, F_OUTPUT, F_IMPORTPATH, F_FAILEDBUILD, NFIELDS };

static const char *const field_names[NFIELDS] = {
	"Time", "Action", "Package", "Test", "Output", "ImportPath", "FailedBuild",
};

typedef struct event {
	ins_buf f[NFIELDS];
	int has[NFIELDS];
	double elapsed;
	int has_elapsed;
	int depth, key;           /* key: the field the next value is for, -1 for none */
	int elapsed_key;
} event;

static int ev_string(void *ctx, const unsigned char *s, size_t len)
{
	event *e = ctx;

	if (e->depth == 1 && e->key >= 0) {
		ins_buf_put(&e->f[e->key], s, len);
		e->has[e->key] = 1;
	}
	e->key = -1;
	e->elapsed_key = 0;
	return 1;
}

static int ev_number(void *ctx, const char *s, size_t len)
{
	event *e = ctx;
	char buf[64];

	if (e->depth == 1 && e->elapsed_key) {
		if (len >= sizeof(buf))
			len = sizeof(buf) - 1;
		memcpy(buf, s, len);
		buf[len] = '\0';
		e->elapsed = strtod(buf, NULL);
		e->has_elapsed = 1;
	}
	e->key = -1;
	e->elapsed_key = 0;
	return 1;
}

static int ev_scalar(void *ctx)
{
	event *e = ctx;

	e->key = -1;
	e->elapsed_key = 0;
	return 1;
}

static int ev_bool(void *ctx, int v)
{
	(void)v;
	return ev_scalar(ctx);
}

static int ev_key(void *ctx, const unsigned char *s, size_t len)
{
	event *e = ctx;

	e->key = -1;
	e->elapsed_key = 0;
	if (e->depth != 1)
		return 1;
	if (len == 7 && !memcmp(s, "Elapsed", 7)) {
		e->elapsed_key = 1;
		return 1;
	}
	for (int i = 0; i < NFIELDS; i++)
		if (strlen(field_names[i]) == len && !memcmp(s, field_names[i], len)) {
			e->key = i;
			break;
		}
	return 1;
}

static int ev_open(void *ctx)
{
	event *e = ctx;

	if (++e->depth > INS_INGEST_MAX_DEPTH)
		return 0;
	e->key = -1;
	e->elapsed_key = 0;
	return 1;
}

static int ev_close(void *ctx)
{
	event *e = ctx;

	e->depth--;
	e->key = -1;
	e->elapsed_key = 0;
	return 1;
}

static const yajl_callbacks ev_callbacks = {
	ev_scalar, ev_bool, NULL, NULL, ev_number, ev_string,
	ev_open, ev_key, ev_close, ev_open, ev_close,
};

/* Parse one line into `e`. Returns 0, or -1 when it is not a JSON object. */
static int event_parse(event *e, const char *line, size_t len)
{
	yajl_handle h;
	yajl_status ys;

	for (int i = 0; i < NFIELDS; i++) {
		ins_buf_clear(&e->f[i]);
		e->has[i] = 0;
	}
	e->has_elapsed = 0;
	e->depth = 0;
	e->key = -1;
	e->elapsed_key = 0;
	h = yajl_alloc(&ev_callbacks, NULL, e);
	ys = yajl_parse(h, (const unsigned char *)line, len);
	if (ys == yajl_status_ok)
		ys = yajl_complete_parse(h);
	yajl_free(h);
	return ys == yajl_status_ok ? 0 : -1;
}

/* ---- tests and packages that are running ---- */

typedef struct node {
	struct node *next;     /* in its bucket, or in the free list */
	ins_buf key;           /* package "\001" test, or the package */
	ins_buf out;           /* output so far */
	size_t dropped;        /* output bytes past the cap */
	int64_t start_ms;
	size_t pkg_len;        /* tests: the length of the package part of the key */
	/* packages */
	unsigned failed;       /* tests of the package that failed or never finished */
	int build_reported;    /* its build failure is in already (a plain line) */
} node;

typedef struct table {
	node **b;
	size_t nb, n;
	node *free;
} table;

static uint64_t str_hash(const char *s, size_t n)
{
	uint64_t h = 1469598103934665603ULL;

	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211ULL;
	return h;
}

static node **table_find(table *t, const char *key, size_t len)
{
	node **p;

	if (!t->nb)
		return NULL;
	for (p = &t->b[str_hash(key, len) & (t->nb - 1)]; *p; p = &(*p)->next)
		if ((*p)->key.len == len && !memcmp((*p)->key.ptr, key, len))
			return p;
	return NULL;
}

static node *table_add(table *t, const char *key, size_t len)
{
	node *n;
	node **slot;

	if (t->n + 1 > t->nb * 2) {
		size_t nb = t->nb ? t->nb * 2 : 64;
		node **b = ins_xcalloc(nb, sizeof(*b));

		for (size_t i = 0; i < t->nb; i++) {
			while (t->b[i]) {
				node *m = t->b[i];

				t->b[i] = m->next;
				slot = &b[str_hash(m->key.ptr, m->key.len) & (nb - 1)];
				m->next = *slot;
				*slot = m;
			}
		}
		free(t->b);
		t->b = b;
		t->nb = nb;
	}
	if ((n = t->free)) {
		t->free = n->next;
	} else {
		n = ins_xcalloc(1, sizeof(*n));
		ins_buf_init(&n->key);
		ins_buf_init(&n->out);
	}
	ins_buf_clear(&n->key);
	ins_buf_clear(&n->out);
	ins_buf_put(&n->key, key, len);
	n->dropped = 0;
	n->start_ms = 0;
	n->pkg_len = 0;
	n->failed = 0;
	n->build_reported = 0;
	slot = &t->b[str_hash(key, len) & (t->nb - 1)];
	n->next = *slot;
	*slot = n;
	t->n++;
	return n;
}

/* Unlink the node at *p and keep it for reuse (large buffers are dropped). */
static void table_remove(table *t, node **p)
{
	node *n = *p;

	*p = n->next;
	t->n--;
	if (n->out.alloc > (1u << 20))
		ins_buf_release(&n->out);
	n->next = t->free;
	t->free = n;
}

static void table_release(table *t)
{
	node *n;

	for (size_t i = 0; i < t->nb; i++) {
		while ((n = t->b[i])) {
			t->b[i] = n->next;
			n->next = t->free;
			t->free = n;
		}
	}
	while ((n = t->free)) {
		t->free = n->next;
		ins_buf_release(&n->key);
		ins_buf_release(&n->out);
		free(n);
	}
	free(t->b);
	memset(t, 0, sizeof(*t));
}

/* ---- the parser ---- */

typedef struct gparser {
	const char *display;
	const ins_ingest_sink *sink;
	event ev;
	table tests, pkgs;
	ins_repeat rep;
	ins_buf plain;         /* plain (non-JSON) lines since the last build failure */
	ins_buf build;         /* Go 1.24's build-output, until a package's fail uses it */
	ins_buf id, msg, detail, text;
	int64_t first_ms, last_ms;
	size_t events, results;
	int truncated;
} gparser;

static int meta(gparser *g, const char *key, const char *value)
{
	return g->sink->on_meta ? g->sink->on_meta(g->sink->data, key, value) : 0;
}

static void put_capped(ins_buf *b, size_t cap, size_t *dropped, const char *s, size_t n)
{
	size_t room = b->len < cap ? cap - b->len : 0;

	if (n > room) {
		/* cut on a character boundary */
		size_t k = room;

		while (k && ((unsigned char)s[k] & 0xc0) == 0x80)
			k--;
		ins_buf_put(b, s, k);
		if (dropped)
			*dropped += n - k;
		return;
	}
	ins_buf_put(b, s, n);
}

/* Does the output line s[0..n) only frame test `name` ("=== RUN   name", "--- PASS: name (...)")? */
static int framing_line(const char *s, size_t n, const char *name, size_t nlen)
{
	static const char *const marks[] = { "=== RUN", "=== PAUSE", "=== CONT", "=== NAME",
					     "--- PASS:", "--- FAIL:", "--- SKIP:" };
	size_t i = 0;

	while (i < n && (s[i] == ' ' || s[i] == '\t'))
		i++;
	for (size_t m = 0; m < sizeof(marks) / sizeof(*marks); m++) {
		size_t k = strlen(marks[m]), j = i + k;

		if (n - i < k || memcmp(s + i, marks[m], k))
			continue;
		if (j >= n || s[j] != ' ')
			return 0;
		while (j < n && s[j] == ' ')
			j++;
		if (n - j < nlen || memcmp(s + j, name, nlen))
			return 0;
		j += nlen;
		if (marks[m][0] == '=')
			return j == n;
		return j < n && s[j] == ' ' && j + 1 < n && s[j + 1] == '(';
	}
	return 0;
}

/* Append an Output value to a test's output, without the lines that frame it. */
static void test_output(node *t, const char *name, size_t nlen, const ins_buf *o)
{
	const char *s = o->ptr, *end = o->ptr + o->len;

	while (s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		size_t k = nl ? (size_t)(nl - s) : (size_t)(end - s);
		size_t with_nl = nl ? k + 1 : k;

		if (!framing_line(s, k, name, nlen))
			put_capped(&t->out, INS_INGEST_MAX_TEXT, &t->dropped, s, with_nl);
		s += with_nl;
	}
}

/* Set `msg` to the message of a failure or skip whose output is `out`. */
static void pick_message(ins_buf *msg, const ins_buf *out, int prefer_panic)
{
	const char *s = out->ptr, *end = out->ptr + out->len, *last = NULL;
	size_t last_len = 0;

	ins_buf_clear(msg);
	while (s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		size_t k = nl ? (size_t)(nl - s) : (size_t)(end - s);
		const char *t = s;
		size_t tk = k;

		while (tk && (*t == ' ' || *t == '\t')) {
			t++;
			tk--;
		}
		while (tk && (t[tk - 1] == ' ' || t[tk - 1] == '\t' || t[tk - 1] == '\r'))
			tk--;
		if (prefer_panic && tk > 7 && !memcmp(t, "panic: ", 7)) {
			ins_buf_put(msg, t, tk);
			return;
		}
		if (tk && !(tk == 4 && (!memcmp(t, "FAIL", 4) || !memcmp(t, "PASS", 4)))) {
			last = t;
			last_len = tk;
		}
		s = nl ? nl + 1 : end;
	}
	if (last)
		ins_buf_put(msg, last, last_len);
}

static int emit(gparser *g, const char *pkg, size_t plen, const char *test, size_t tlen,
		ins_outcome o, double elapsed, int64_t start_ms, const ins_buf *out,
		size_t dropped, const char *fixed_msg)
{
	ins_repeat_entry *e;
	ins_result r;
	ins_buf classname = INS_BUF_INIT, name = INS_BUF_INIT;
	int ret;

	ins_buf_clear(&g->id);
	if (plen) {
		ins_buf_put(&g->id, pkg, plen);
		ins_buf_puts(&g->id, "::");
	}
	ins_buf_put(&g->id, test, tlen);
	e = ins_repeat_resolve(&g->rep, &g->id);
	ins_repeat_attempt(e, o);
	ins_buf_put(&classname, pkg, plen);
	ins_buf_put(&name, test, tlen);

	ins_buf_clear(&g->text);
	ins_buf_put(&g->text, out->ptr, out->len);
	ins_buf_rtrim(&g->text);
	if (dropped)
		ins_buf_printf(&g->text, "\n[insight: %zu more bytes were cut]", dropped);
	if (fixed_msg)
		ins_buf_set(&g->msg, fixed_msg);
	else if (o == INS_OUTCOME_PASSED)
		ins_buf_clear(&g->msg);
	else
		pick_message(&g->msg, &g->text, o != INS_OUTCOME_SKIPPED);

	memset(&r, 0, sizeof(r));
	r.nodeid = g->id.ptr;
	r.classname = plen ? classname.ptr : NULL;
	r.name = name.ptr;
	r.outcome = o;
	r.duration = -1.0;
	if (elapsed >= 0 && elapsed <= INS_INGEST_MAX_DURATION)
		r.duration = elapsed;
	else if (!isnan(elapsed) && elapsed >= 0)
		r.flags |= INS_RESULT_DURATION_CLAMPED;
	r.start_ms = start_ms;
	r.message = g->msg.len ? g->msg.ptr : NULL;
	if (ins_outcome_is_failure(o))
		r.detail = g->text.len ? g->text.ptr : NULL;
	else
		r.out = g->text.len ? g->text.ptr : NULL;
	r.flags |= ins_repeat_flags(&g->rep);
	g->results++;
	ret = g->sink->on_result ? g->sink->on_result(g->sink->data, &r) : 0;
	ins_buf_release(&classname);
	ins_buf_release(&name);
	return ret;
}

static node *package(gparser *g, const char *pkg, size_t plen)
{
	node **p = table_find(&g->pkgs, pkg, plen);

	return p ? *p : table_add(&g->pkgs, pkg, plen);
}

/* A test ended with `action` (pass, fail, skip), or never did (action NULL). */
static int end_test(gparser *g, node **slot, const char *action, double elapsed,
		    const char *why)
{
	node *t = *slot;
	const char *pkg = t->key.ptr, *test = t->key.ptr + t->pkg_len + 1;
	size_t plen = t->pkg_len, tlen = t->key.len - t->pkg_len - 1;
	ins_outcome o;
	int ret;

	if (!action)
		o = INS_OUTCOME_ERROR;
	else if (!strcmp(action, "pass"))
		o = INS_OUTCOME_PASSED;
	else if (!strcmp(action, "skip"))
		o = INS_OUTCOME_SKIPPED;
	else
		o = INS_OUTCOME_FAILED;
	if (ins_outcome_is_failure(o))
		package(g, pkg, plen)->failed++;
	ret = emit(g, pkg, plen, test, tlen, o, action ? elapsed : -1.0, t->start_ms, &t->out,
		   t->dropped, action ? NULL : why);
	table_remove(&g->tests, slot);
	return ret;
}

/* End every test of package pkg (every test when pkg is NULL) that is still running. */
static int end_running(gparser *g, const char *pkg, size_t plen, const ins_buf *why_out,
		       const char *why)
{
	for (size_t i = 0; i < g->tests.nb; i++) {
		node **p = &g->tests.b[i];

		while (*p) {
			node *t = *p;
			int ret;

			if (pkg && (t->pkg_len != plen || memcmp(t->key.ptr, pkg, plen))) {
				p = &t->next;
				continue;
			}
			if (why_out && why_out->len) {
				ins_buf_puts(&t->out, t->out.len ? "\n" : "");
				put_capped(&t->out, INS_INGEST_MAX_TEXT, &t->dropped, why_out->ptr,
					   why_out->len);
			}
			if ((ret = end_test(g, p, NULL, -1.0, why)))
				return ret;
			/* *p is now the next node of the bucket */
		}
	}
	return 0;
}

/* The first line of the compiler's messages: "file.go:6:25: undefined: x". */
static void build_message(ins_buf *msg, const ins_buf *text)
{
	const char *s = text->ptr, *end = text->ptr + text->len;

	ins_buf_clear(msg);
	while (s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		size_t k = nl ? (size_t)(nl - s) : (size_t)(end - s);

		if (k && *s != '#' && strncmp(s, "FAIL", 4) && strncmp(s, "ok ", 3) &&
		    strncmp(s, "?   ", 4)) {
			ins_buf_put(msg, s, k);
			ins_buf_rtrim(msg);
			return;
		}
		s = nl ? nl + 1 : end;
	}
}

/* A package that failed with none of its tests failing: an error result of its own. */
static int package_error(gparser *g, node *p, int build_failed)
{
	const char *pkg = p->key.ptr;
	size_t plen = p->key.len;
	const char *what = "TestMain", *mark = NULL;
	ins_buf detail = INS_BUF_INIT, msg = INS_BUF_INIT;
	int ret;

	if (build_failed || strstr(p->out.ptr, " [build failed]"))
		mark = "[build failed]";
	else if (strstr(p->out.ptr, " [setup failed]"))
		mark = "[setup failed]";
	if (mark) {
		what = mark;
		ins_buf_put(&detail, g->build.ptr, g->build.len);
		ins_buf_clear(&g->build);
		if (!detail.len) {
			ins_buf_put(&detail, g->plain.ptr, g->plain.len);
			ins_buf_clear(&g->plain);
		}
		build_message(&msg, &detail);
		if (detail.len)
			ins_buf_puts(&detail, "\n");
	}
	ins_buf_put(&detail, p->out.ptr, p->out.len);
	if (!msg.len)
		pick_message(&msg, &detail, 1);
	if (!msg.len)
		ins_buf_set(&msg, mark ? "the package did not build" : "the package failed");
	ret = emit(g, pkg, plen, what, strlen(what), INS_OUTCOME_ERROR, -1.0, p->start_ms, &detail,
		   0, msg.ptr);
	ins_buf_release(&detail);
	ins_buf_release(&msg);
	return ret;
}

/* "FAIL\t<package> [build failed]", a plain line before Go 1.24. */
static int plain_line(gparser *g, const char *s, size_t n)
{
	static const char *const marks[] = { " [build failed]", " [setup failed]" };

	if (n > 5 && !memcmp(s, "FAIL\t", 5)) {
		for (size_t m = 0; m < 2; m++) {
			size_t k = strlen(marks[m]);
			node *p;
			ins_buf detail = INS_BUF_INIT, msg = INS_BUF_INIT;
			int ret;

			if (n < 5 + k + 1 || memcmp(s + n - k, marks[m], k))
				continue;
			p = package(g, s + 5, n - 5 - k);
			p->build_reported = 1;
			ins_buf_put(&detail, g->plain.ptr, g->plain.len);
			ins_buf_clear(&g->plain);
			build_message(&msg, &detail);
			if (!msg.len)
				ins_buf_set(&msg, m ? "the package's test setup failed" :
					    "the package did not build (the compiler's messages "
					    "went to standard error)");
			ret = emit(g, s + 5, n - 5 - k, marks[m] + 1, k - 1, INS_OUTCOME_ERROR, -1.0, 0,
				   &detail, 0, msg.ptr);
			ins_buf_release(&detail);
			ins_buf_release(&msg);
			return ret;
		}
	}
	put_capped(&g->plain, MAX_PKG_TEXT, NULL, s, n);
	if (g->plain.len < MAX_PKG_TEXT)
		ins_buf_putc(&g->plain, '\n');
	return 0;
}

static void note_time(gparser *g, int64_t *out)
{
	int64_t ms;

	if (!g->ev.has[F_TIME] || ins_timestamp_parse(&ms, g->ev.f[F_TIME].ptr) < 0) {
		ins_error_clear();
		return;
	}
	if (ms <= 0)
		return;
	if (!g->first_ms || ms < g->first_ms)
		g->first_ms = ms;
	if (ms > g->last_ms)
		g->last_ms = ms;
	if (out)
		*out = ms;
}

static int on_event(gparser *g)
{
	event *e = &g->ev;
	const char *action = e->f[F_ACTION].ptr, *pkg = e->f[F_PACKAGE].ptr;
	size_t plen = e->f[F_PACKAGE].len;
	int64_t ms = 0;
	ins_buf *key = &g->detail;
	node **slot;

	if (!e->has[F_ACTION])
		return 0;
	g->events++;
	note_time(g, &ms);
	if (!strcmp(action, "build-output")) {
		put_capped(&g->build, MAX_PKG_TEXT, NULL, e->f[F_OUTPUT].ptr, e->f[F_OUTPUT].len);
		return 0;
	}
	if (!e->has[F_PACKAGE] && !e->has[F_TEST])
		return 0;
	if (e->has[F_TEST] && e->f[F_TEST].len) {
		ins_buf_clear(key);
		ins_buf_put(key, pkg, plen);
		ins_buf_putc(key, '\001');
		ins_buf_put(key, e->f[F_TEST].ptr, e->f[F_TEST].len);
		slot = table_find(&g->tests, key->ptr, key->len);
		if (!strcmp(action, "run")) {
			node *t = slot ? *slot : table_add(&g->tests, key->ptr, key->len);

			t->pkg_len = plen;
			t->start_ms = ms;
			ins_buf_clear(&t->out);
			t->dropped = 0;
			package(g, pkg, plen);
			return 0;
		}
		if (!strcmp(action, "output")) {
			if (slot)
				test_output(*slot, e->f[F_TEST].ptr, e->f[F_TEST].len, &e->f[F_OUTPUT]);
			else
				put_capped(&package(g, pkg, plen)->out, MAX_PKG_TEXT, NULL,
					   e->f[F_OUTPUT].ptr, e->f[F_OUTPUT].len);
			return 0;
		}
		if (!strcmp(action, "pass") || !strcmp(action, "fail") || !strcmp(action, "skip")) {
			if (!slot) {
				/* an end without its run: the test ran all the same */
				node *t = table_add(&g->tests, key->ptr, key->len);

				t->pkg_len = plen;
				t->start_ms = 0;
				slot = table_find(&g->tests, key->ptr, key->len);
			}
			return end_test(g, slot, action, e->has_elapsed ? e->elapsed : -1.0, NULL);
		}
		return 0; /* pause, cont, bench */
	}

	/* the package itself */
	if (!strcmp(action, "start") || !strcmp(action, "run")) {
		node *p = package(g, pkg, plen);

		if (!p->start_ms)
			p->start_ms = ms;
		return 0;
	}
	if (!strcmp(action, "output")) {
		put_capped(&package(g, pkg, plen)->out, MAX_PKG_TEXT, NULL, e->f[F_OUTPUT].ptr,
			   e->f[F_OUTPUT].len);
		return 0;
	}
	if (!strcmp(action, "pass") || !strcmp(action, "fail") || !strcmp(action, "skip")) {
		node **ps = table_find(&g->pkgs, pkg, plen);
		node *p = ps ? *ps : package(g, pkg, plen);
		int ret;

		if ((ret = end_running(g, pkg, plen, &p->out, "the test did not finish: its "
				       "package ended first (a timeout or a crash)")))
			return ret;
		if (!strcmp(action, "fail") && !p->failed && !p->build_reported &&
		    (ret = package_error(g, p, e->has[F_FAILEDBUILD])))
			return ret;
		if ((ps = table_find(&g->pkgs, pkg, plen)))
			table_remove(&g->pkgs, ps);
	}
	return 0;
}

static void gparser_release(gparser *g)
{
	for (int i = 0; i < NFIELDS; i++)
		ins_buf_release(&g->ev.f[i]);
	table_release(&g->tests);
	table_release(&g->pkgs);
	ins_repeat_release(&g->rep);
	ins_buf_release(&g->plain);
	ins_buf_release(&g->build);
	ins_buf_release(&g->id);
	ins_buf_release(&g->msg);
	ins_buf_release(&g->detail);
	ins_buf_release(&g->text);
}

int ins_ingest_gotest_input(ins_input *in, const ins_ingest_sink *sink)
{
	gparser g;
	ins_lines lines;
	ins_buf fixed = INS_BUF_INIT;
	const char *line;
	size_t len;
	int ret;

	memset(&g, 0, sizeof(g));
	g.display = ins_input_display(in);
	g.sink = sink;
	ins_repeat_init(&g.rep, in);
	ins_lines_init(&lines, in, MAX_LINE);
	while ((ret = ins_lines_next(&lines, &line, &len)) > 0) {
		size_t i = 0;

		if (lines.lineno == 1 && len >= 3 && !memcmp(line, "\xef\xbb\xbf", 3))
			i = 3;
		while (i < len && (line[i] == ' ' || line[i] == '\t'))
			i++;
		if (i == len)
			continue;
		if (line[i] != '{') {
			ins_buf_clear(&fixed);
			ins_put_utf8(&fixed, line + i, len - i);
			if ((ret = plain_line(&g, fixed.ptr, fixed.len)))
				goto done;
			continue;
		}
		if (event_parse(&g.ev, line + i, len - i) < 0) {
			/* invalid UTF-8 in a string: read it with U+FFFD in its place */
			ins_buf_clear(&fixed);
			ins_put_utf8(&fixed, line + i, len - i);
			if (fixed.len == len - i || event_parse(&g.ev, fixed.ptr, fixed.len) < 0) {
				if (lines.ended_without_newline && g.events) {
					g.truncated = 1; /* a run killed mid-write */
					break;
				}
				ret = ins_error_set(INS_EINVALID, "%s:%zu: invalid JSON in a go test "
						    "-json event", g.display, lines.lineno);
				goto done;
			}
		}
		if ((ret = on_event(&g)))
			goto done;
	}
	if (ret < 0)
		goto done;
	if (!g.events && !g.results) {
		ret = ins_error_set(INS_EINVALID, "%s: not a go test -json stream (no line is an "
				    "event with an \"Action\")", g.display);
		goto done;
	}
	if (g.tests.n) {
		if ((ret = end_running(&g, NULL, 0, NULL, "the test did not finish: the stream "
				       "ends before its result")) ||
		    (ret = meta(&g, "incomplete", "1")))
			goto done;
	}
	if ((ret = meta(&g, "tool", "go test")))
		goto done;
	if (g.truncated && (ret = meta(&g, "truncated", "1")))
		goto done;
	if (g.first_ms) {
		ins_buf v = INS_BUF_INIT;

		ins_buf_printf(&v, "%lld", (long long)g.first_ms);
		ret = meta(&g, "started_ms", v.ptr);
		ins_buf_clear(&v);
		ins_buf_printf(&v, "%lld", (long long)g.last_ms);
		if (!ret)
			ret = meta(&g, "finished_ms", v.ptr);
		ins_buf_release(&v);
	}
done:
	ins_lines_release(&lines);
	ins_buf_release(&fixed);
	gparser_release(&g);
	return ret;
}
