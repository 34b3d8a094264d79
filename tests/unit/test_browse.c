/*
 * test_browse.c - the browsing queries (browse.h) on histories written
 * through the store's own session writer: session lists (order, counts, pass
 * rate, windows, limits and totals), one session's failures, flaky tests and
 * tags, SUT lists and trends, test lists with patterns, a test's figures
 * (percentiles on known data) and history, the history list by SUT, the
 * option parsers, and the plan of every query on an analysed history (no
 * full scan of result or session).
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "analysis/browse_internal.h"
#include "insight/browse.h"
#include "insight/errors.h"
#include "store/store_internal.h"

#define T0 INT64_C(1795000000000) /* 2026-11-18T09:46:40Z */
#define HOUR INT64_C(3600000)

struct res {
	const char *nodeid;
	ins_outcome outcome;
	double duration;
	const char *message;
};

/* Write one session of `n` results (attempts of one test come in order). */
static void add_session(ins_store *store, const char *sut, int64_t started, const struct res *rs,
			size_t n, const ins_tag *tags, size_t ntags, char *uid)
{
	ins_session_info info = { 0 };
	ins_session_writer *w;

	info.sut = sut;
	info.started_ms = started;
	info.format = "junit";
	info.tags = tags;
	info.ntags = ntags;
	assert_int_equal(ins_session_writer_begin(&w, store, &info), 0);
	for (size_t i = 0; i < n; i++) {
		ins_result r;

		memset(&r, 0, sizeof(r));
		r.nodeid = rs[i].nodeid;
		r.outcome = rs[i].outcome;
		r.duration = rs[i].duration;
		r.message = rs[i].message;
		if (ins_outcome_is_failure(r.outcome))
			r.detail = "Traceback (most recent call last):\n  File \"t.py\", line 3, in f";
		assert_int_equal(ins_session_writer_add_result(w, &r), 0);
	}
	assert_int_equal(ins_session_writer_commit(w, uid), 0);
}

/*
 * The small history every test reads:
 *   api s1 @T0     a passed 1s, b failed 2s "boom 1", c skipped, d error "setup 7"
 *   web w1 @T0+30m x passed, y xpassed
 *   api s2 @T0+1h  a passed 3s, b failed "boom 2" then passed 4s (flaky), c skipped, d passed
 *   api s3 @T0+2h  a failed 5s "boom 3", b passed 6s, c skipped, d passed
 */
struct fixture {
	ins_store *store;
	char s1[INS_SESSION_ID_LEN + 1], s2[INS_SESSION_ID_LEN + 1], s3[INS_SESSION_ID_LEN + 1];
	char w1[INS_SESSION_ID_LEN + 1];
};

static int setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));
	static const struct res s1[] = {
		{ "t.py::a", INS_OUTCOME_PASSED, 1.0, NULL },
		{ "t.py::b", INS_OUTCOME_FAILED, 2.0, "boom 1" },
		{ "t.py::c", INS_OUTCOME_SKIPPED, 0.0, "not today" },
		{ "t.py::d", INS_OUTCOME_ERROR, 0.5, "setup 7" },
	};
	static const struct res w1[] = {
		{ "w.py::x", INS_OUTCOME_PASSED, 0.1, NULL },
		{ "w.py::y", INS_OUTCOME_XPASSED, 0.2, NULL },
	};
	static const struct res s2[] = {
		{ "t.py::a", INS_OUTCOME_PASSED, 3.0, NULL },
		{ "t.py::b", INS_OUTCOME_FAILED, 2.0, "boom 2" },
		{ "t.py::b", INS_OUTCOME_PASSED, 4.0, NULL },
		{ "t.py::c", INS_OUTCOME_SKIPPED, 0.0, "not today" },
		{ "t.py::d", INS_OUTCOME_PASSED, 0.5, NULL },
	};
	static const struct res s3[] = {
		{ "t.py::a", INS_OUTCOME_FAILED, 5.0, "boom 3" },
		{ "t.py::b", INS_OUTCOME_PASSED, 6.0, NULL },
		{ "t.py::c", INS_OUTCOME_SKIPPED, 0.0, "not today" },
		{ "t.py::d", INS_OUTCOME_PASSED, 0.5, NULL },
	};
	static const ins_tag tags[] = { { "env", "ci" }, { "arch", "x86_64" } };

	if (!fx || ins_store_open(&fx->store, ":memory:", INS_STORE_CREATE) < 0)
		return -1;
	add_session(fx->store, "api", T0, s1, 4, NULL, 0, fx->s1);
	add_session(fx->store, "web", T0 + HOUR / 2, w1, 2, NULL, 0, fx->w1);
	add_session(fx->store, "api", T0 + HOUR, s2, 5, tags, 2, fx->s2);
	add_session(fx->store, "api", T0 + 2 * HOUR, s3, 4, NULL, 0, fx->s3);
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;

	ins_store_free(fx->store);
	free(fx);
	return 0;
}

/* ---- reading documents ---- */

static const ins_fact *fact(const ins_doc *doc, const char *section, const char *id)
{
	for (size_t s = 0; s < doc->nsections; s++) {
		const ins_section *sec = doc->sections[s];

		if (section ? !sec->id || strcmp(sec->id, section) : sec->id != NULL)
			continue;
		for (size_t i = 0; i < sec->nfacts; i++)
			if (!strcmp(sec->facts[i].id, id))
				return &sec->facts[i];
	}
	return NULL;
}

static const ins_table *table(const ins_doc *doc, const char *id)
{
	for (size_t s = 0; s < doc->nsections; s++)
		for (size_t i = 0; i < doc->sections[s]->ntables; i++)
			if (!strcmp(doc->sections[s]->tables[i]->id, id))
				return doc->sections[s]->tables[i];
	return NULL;
}

static const ins_series *series(const ins_doc *doc, const char *id)
{
	for (size_t s = 0; s < doc->nsections; s++)
		for (size_t i = 0; i < doc->sections[s]->nseries; i++)
			if (!strcmp(doc->sections[s]->series[i]->id, id))
				return doc->sections[s]->series[i];
	return NULL;
}

static const ins_value *cell(const ins_table *t, size_t row, const char *col)
{
	int c = ins_table_col_index(t, col);

	assert_true(c >= 0);
	assert_true(row < t->nrows);
	return ins_table_cell(t, row, (size_t)c);
}

static const char *cell_s(const ins_table *t, size_t row, const char *col)
{
	return cell(t, row, col)->s;
}

static int64_t cell_i(const ins_table *t, size_t row, const char *col)
{
	return cell(t, row, col)->i;
}

static double cell_d(const ins_table *t, size_t row, const char *col)
{
	const ins_value *v = cell(t, row, col);

	return v->type == INS_V_NULL ? NAN : v->d;
}

/* ---- option parsers ---- */

static void test_filter_time(void **state)
{
	ins_session_filter f = { 0 };
	int64_t now = T0;

	(void)state;
	assert_int_equal(ins_session_filter_set_time(&f, "1d12h", NULL, NULL, now), 0);
	assert_true(f.from_ms == now - 36 * HOUR);
	assert_true(f.to_ms == now);

	memset(&f, 0, sizeof(f));
	assert_int_equal(ins_session_filter_set_time(&f, NULL, "2026-11-01T00:00Z",
						     "2026-11-07T00:00Z", now), 0);
	assert_true(f.from_ms == INT64_C(1793491200000));
	assert_true(f.to_ms == INT64_C(1794009600000));

	memset(&f, 0, sizeof(f));
	assert_int_equal(ins_session_filter_set_time(&f, "7d", "2026-11-01", NULL, now), INS_EUSAGE);
	assert_int_equal(ins_session_filter_set_time(&f, "7x", NULL, NULL, now), INS_EUSAGE);
	assert_non_null(strstr(ins_error_last(), "7x"));
	assert_int_equal(ins_session_filter_set_time(&f, NULL, "2026-13-45", NULL, now), INS_EUSAGE);
	assert_int_equal(ins_session_filter_set_time(&f, NULL, "2026-11-07T00:00Z",
						     "2026-11-01T00:00Z", now), INS_EUSAGE);
	assert_non_null(strstr(ins_error_last(), "empty"));
}

static void test_outcome_mask(void **state)
{
	unsigned m = 0;

	(void)state;
	assert_int_equal(ins_outcome_mask_parse(&m, "failed,error"), 0);
	assert_int_equal(m, INS_OUTCOME_MASK_FAILURES);
	assert_int_equal(ins_outcome_mask_parse(&m, "skipped"), 0);
	assert_int_equal(m, 1u << INS_OUTCOME_SKIPPED);
	assert_int_equal(ins_outcome_mask_parse(&m, "all"), 0);
	assert_int_equal(m, (1u << INS_OUTCOME_COUNT) - 1);
	assert_int_equal(ins_outcome_mask_parse(&m, "failed,bogus"), INS_EUSAGE);
	assert_non_null(strstr(ins_error_last(), "bogus"));
	assert_int_equal(ins_outcome_mask_parse(&m, ""), INS_EUSAGE);
	assert_int_equal(ins_outcome_mask_parse(&m, ","), INS_EUSAGE);
}

/* ---- sessions ---- */

static void test_session_list(void **state)
{
	struct fixture *fx = *state;
	ins_session_filter f = { 0 };
	const ins_table *t;
	ins_doc *doc;

	assert_int_equal(ins_browse_session_list(&doc, fx->store, &f), 0);
	assert_string_equal(doc->kind, "insight.session.list");
	t = table(doc, "sessions");
	assert_int_equal(t->nrows, 4);
	/* Newest first, across SUTs. */
	assert_string_equal(cell_s(t, 0, "id"), fx->s3);
	assert_string_equal(cell_s(t, 1, "id"), fx->s2);
	assert_string_equal(cell_s(t, 2, "id"), fx->w1);
	assert_string_equal(cell_s(t, 3, "id"), fx->s1);
	assert_string_equal(cell_s(t, 2, "sut"), "web");
	assert_true(cell(t, 0, "started")->i == T0 + 2 * HOUR);
	/* s1: 1 passed, 1 failed, 1 error, 1 skipped: 1 / (1 + 1 + 1). */
	assert_int_equal(cell_i(t, 3, "tests"), 4);
	assert_int_equal(cell_i(t, 3, "passed"), 1);
	assert_int_equal(cell_i(t, 3, "failed"), 1);
	assert_int_equal(cell_i(t, 3, "error"), 1);
	assert_int_equal(cell_i(t, 3, "skipped"), 1);
	assert_true(fabs(cell_d(t, 3, "pass_rate") - 1.0 / 3.0) < 1e-12);
	/* s2: b passed after failing: flaky, and the pass rate counts its final outcome. */
	assert_int_equal(cell_i(t, 1, "flaky"), 1);
	assert_true(cell_d(t, 1, "pass_rate") == 1.0);
	/* web: xpassed is left out of the pass rate. */
	assert_true(cell_d(t, 2, "pass_rate") == 1.0);
	assert_int_equal(fact(doc, NULL, "sessions")->value.i, 4);
	/* No window asked for, no window facts. */
	assert_null(fact(doc, NULL, "from"));
	ins_doc_free(doc);

	/* A SUT, a window and a limit: the total says how many there were. */
	f.sut = "api";
	f.from_ms = T0 + 1;
	f.limit = 1;
	assert_int_equal(ins_browse_session_list(&doc, fx->store, &f), 0);
	t = table(doc, "sessions");
	assert_int_equal(t->nrows, 1);
	assert_int_equal(t->total_rows, 2);
	assert_string_equal(cell_s(t, 0, "id"), fx->s3);
	assert_int_equal(fact(doc, NULL, "sessions")->value.i, 2);
	assert_int_equal(fact(doc, NULL, "from")->value.type, INS_V_TIME);
	assert_int_equal(fact(doc, NULL, "until")->value.type, INS_V_NULL);
	ins_doc_free(doc);

	/* The window's ends are inclusive. */
	memset(&f, 0, sizeof(f));
	f.from_ms = T0 + HOUR / 2;
	f.to_ms = T0 + HOUR;
	assert_int_equal(ins_browse_session_list(&doc, fx->store, &f), 0);
	t = table(doc, "sessions");
	assert_int_equal(t->nrows, 2);
	assert_string_equal(cell_s(t, 0, "id"), fx->s2);
	assert_string_equal(cell_s(t, 1, "id"), fx->w1);
	ins_doc_free(doc);

	f.sut = "nope";
	assert_int_equal(ins_browse_session_list(&doc, fx->store, &f), INS_ENOTFOUND);
	assert_null(doc);
	assert_non_null(strstr(ins_error_last(), "nope"));
}

static void test_session_show(void **state)
{
	struct fixture *fx = *state;
	ins_session_show_opts o = { 0 };
	const ins_table *t;
	ins_doc *doc;

	/* s1 by a prefix: failures (failed and error) by node id, with messages and tracebacks. */
	assert_int_equal(ins_browse_session_show(&doc, fx->store, fx->s1 + 0, &o), 0);
	assert_string_equal(doc->kind, "insight.session.show");
	assert_string_equal(fact(doc, NULL, "id")->value.s, fx->s1);
	assert_string_equal(fact(doc, NULL, "sut")->value.s, "api");
	assert_int_equal(fact(doc, NULL, "exit_status")->value.type, INS_V_NULL);
	assert_true(fabs(fact(doc, "counts", "pass_rate")->value.d - 1.0 / 3.0) < 1e-12);
	assert_int_equal(fact(doc, "counts", "previous")->value.type, INS_V_NULL);
	/* No git or CI facts were recorded: no such sections. */
	assert_null(fact(doc, "git", "commit"));
	assert_null(fact(doc, "ci", "provider"));
	t = table(doc, "results");
	assert_int_equal(t->nrows, 2);
	assert_string_equal(cell_s(t, 0, "test"), "t.py::b");
	assert_string_equal(cell_s(t, 0, "outcome"), "failed");
	assert_string_equal(cell_s(t, 0, "message"), "boom 1");
	assert_true(cell_d(t, 0, "duration") == 2.0);
	assert_non_null(strstr(cell_s(t, 0, "detail"), "Traceback"));
	assert_string_equal(cell_s(t, 1, "test"), "t.py::d");
	assert_string_equal(cell_s(t, 1, "outcome"), "error");
	assert_int_equal(table(doc, "tags")->nrows, 0);
	assert_int_equal(table(doc, "flaky")->nrows, 0);
	assert_null(table(doc, "output"));
	ins_doc_free(doc);

	/* s2 as latest~1 of api: tags, a flaky test with the failed attempt's message. */
	o.sut = "api";
	o.sections = 1;
	assert_int_equal(ins_browse_session_show(&doc, fx->store, "latest~1", &o), 0);
	assert_string_equal(fact(doc, NULL, "id")->value.s, fx->s2);
	t = table(doc, "tags");
	assert_int_equal(t->nrows, 2);
	assert_string_equal(cell_s(t, 0, "key"), "arch"); /* by key */
	assert_string_equal(cell_s(t, 1, "value"), "ci");
	assert_int_equal(table(doc, "results")->nrows, 0);
	assert_string_equal(table(doc, "results")->empty, "no failures");
	t = table(doc, "flaky");
	assert_int_equal(t->nrows, 1);
	assert_string_equal(cell_s(t, 0, "test"), "t.py::b");
	assert_int_equal(cell_i(t, 0, "attempts"), 2);
	assert_string_equal(cell_s(t, 0, "message"), "boom 2");
	assert_non_null(table(doc, "output"));
	/* Against s1: b and d are no longer failing, nothing new fails. */
	assert_string_equal(fact(doc, "counts", "previous")->value.s, fx->s1);
	assert_int_equal(fact(doc, "counts", "new_failures")->value.i, 0);
	assert_int_equal(fact(doc, "counts", "attempts")->value.i, 5);
	ins_doc_free(doc);

	/* Other outcomes on request, and a limit with its total. */
	o.sut = NULL;
	o.sections = 0;
	assert_int_equal(ins_outcome_mask_parse(&o.outcomes, "passed,skipped"), 0);
	o.limit = 2;
	assert_int_equal(ins_browse_session_show(&doc, fx->store, fx->s3, &o), 0);
	t = table(doc, "results");
	assert_string_equal(t->title, "Results: passed, skipped");
	assert_int_equal(t->nrows, 2);
	assert_int_equal(t->total_rows, 3);
	assert_string_equal(cell_s(t, 0, "test"), "t.py::b");
	assert_string_equal(cell_s(t, 1, "test"), "t.py::c");
	assert_string_equal(cell_s(t, 1, "message"), "not today");
	assert_int_equal(fact(doc, "counts", "new_failures")->value.i, 1);
	ins_doc_free(doc);

	assert_int_equal(ins_browse_session_show(&doc, fx->store, "latest~9", NULL), INS_ENOTFOUND);
	assert_int_equal(ins_browse_session_show(&doc, fx->store, "ZZZZZZ", NULL), INS_ENOTFOUND);
	assert_int_equal(ins_browse_session_show(&doc, fx->store, "ab", NULL), INS_EUSAGE);
	o.sut = "nope";
	assert_int_equal(ins_browse_session_show(&doc, fx->store, "latest", &o), INS_ENOTFOUND);
	assert_null(doc);
}

/* ---- SUTs ---- */

static void test_sut_list_and_show(void **state)
{
	struct fixture *fx = *state;
	const ins_table *t;
	const ins_value *v;
	const ins_series *s;
	ins_doc *doc;

	assert_int_equal(ins_browse_sut_list(&doc, fx->store, 0), 0);
	t = table(doc, "suts");
	assert_int_equal(t->nrows, 2);
	assert_string_equal(cell_s(t, 0, "sut"), "api");
	assert_int_equal(cell_i(t, 0, "sessions"), 3);
	assert_string_equal(cell_s(t, 0, "last_session"), fx->s3);
	assert_true(fabs(cell_d(t, 0, "pass_rate") - 2.0 / 3.0) < 1e-12);
	/* The trend is oldest first: s1, s2, s3. */
	v = cell(t, 0, "trend");
	assert_int_equal(v->nspark, 3);
	assert_true(fabs(v->spark[0] - 1.0 / 3.0) < 1e-12);
	assert_true(v->spark[1] == 1.0);
	assert_true(fabs(v->spark[2] - 2.0 / 3.0) < 1e-12);
	assert_string_equal(cell_s(t, 1, "sut"), "web");
	ins_doc_free(doc);

	assert_int_equal(ins_browse_sut_list(&doc, fx->store, 1), 0);
	assert_int_equal(table(doc, "suts")->nrows, 1);
	assert_int_equal(table(doc, "suts")->total_rows, 2);
	ins_doc_free(doc);

	assert_int_equal(ins_browse_sut_show(&doc, fx->store, "api", 2), 0);
	assert_int_equal(fact(doc, NULL, "sessions")->value.i, 3);
	assert_true(fact(doc, NULL, "first_run")->value.i == T0);
	assert_true(fact(doc, NULL, "last_run")->value.i == T0 + 2 * HOUR);
	assert_string_equal(fact(doc, NULL, "last_session")->value.s, fx->s3);
	s = series(doc, "pass_rate");
	assert_int_equal(s->npoints, 3);
	assert_true(s->points[1].y == 1.0);
	t = table(doc, "sessions");
	assert_int_equal(t->nrows, 2);
	assert_int_equal(t->total_rows, 3);
	t = table(doc, "failing");
	assert_int_equal(t->nrows, 1);
	assert_string_equal(cell_s(t, 0, "test"), "t.py::a");
	assert_string_equal(cell_s(t, 0, "message"), "boom 3");
	ins_doc_free(doc);

	assert_int_equal(ins_browse_sut_show(&doc, fx->store, "apx", 10), INS_ENOTFOUND);
	assert_non_null(strstr(ins_error_last(), "apx"));
}

/* ---- tests ---- */

static void test_test_list(void **state)
{
	struct fixture *fx = *state;
	const ins_table *t;
	ins_doc *doc;

	assert_int_equal(ins_browse_test_list(&doc, fx->store, NULL, NULL, 0), 0);
	t = table(doc, "tests");
	assert_int_equal(t->nrows, 6);
	assert_string_equal(cell_s(t, 0, "test"), "t.py::a");
	assert_int_equal(cell_i(t, 0, "runs"), 3);
	assert_string_equal(cell_s(t, 0, "last_outcome"), "failed");
	assert_true(cell(t, 0, "last_run")->i == T0 + 2 * HOUR);
	assert_true(fabs(cell_d(t, 0, "pass_rate") - 2.0 / 3.0) < 1e-12);
	/* c was only ever skipped: no pass rate. */
	assert_string_equal(cell_s(t, 2, "test"), "t.py::c");
	assert_true(isnan(cell_d(t, 2, "pass_rate")));
	ins_doc_free(doc);

	/* A regular expression, anywhere in the id; a SUT; a limit with its total. */
	assert_int_equal(ins_browse_test_list(&doc, fx->store, NULL, "::[bd]$", 0), 0);
	t = table(doc, "tests");
	assert_int_equal(t->nrows, 2);
	assert_string_equal(cell_s(t, 1, "test"), "t.py::d");
	ins_doc_free(doc);
	assert_int_equal(ins_browse_test_list(&doc, fx->store, "web", NULL, 1), 0);
	t = table(doc, "tests");
	assert_int_equal(t->nrows, 1);
	assert_int_equal(t->total_rows, 2);
	assert_string_equal(cell_s(t, 0, "test"), "w.py::x");
	assert_string_equal(fact(doc, NULL, "sut")->value.s, "web");
	ins_doc_free(doc);

	assert_int_equal(ins_browse_test_list(&doc, fx->store, NULL, "(", 0), INS_EUSAGE);
	assert_non_null(strstr(ins_error_last(), "invalid pattern"));
	assert_int_equal(ins_browse_test_list(&doc, fx->store, "nope", NULL, 0), INS_ENOTFOUND);
}

static void test_test_resolve(void **state)
{
	struct fixture *fx = *state;
	ins_buf id = INS_BUF_INIT;
	int64_t rowid;

	assert_int_equal(ins_browse_test_resolve(fx->store, "t.py::a", &id, &rowid), 0);
	assert_string_equal(id.ptr, "t.py::a");
	assert_int_equal(ins_browse_test_resolve(fx->store, "::x", &id, &rowid), 0);
	assert_string_equal(id.ptr, "w.py::x");
	assert_int_equal(ins_browse_test_resolve(fx->store, "t.py", &id, &rowid), INS_EAMBIGUOUS);
	assert_non_null(strstr(ins_error_last(), "t.py::a"));
	assert_non_null(strstr(ins_error_last(), "matches 4 tests"));
	assert_int_equal(ins_browse_test_resolve(fx->store, "zzz", &id, &rowid), INS_ENOTFOUND);
	ins_buf_release(&id);
}

static void test_test_show(void **state)
{
	struct fixture *fx = *state;
	const ins_table *t;
	ins_doc *doc;

	assert_int_equal(ins_browse_test_show(&doc, fx->store, "t.py::b", NULL, NULL), 0);
	assert_string_equal(doc->kind, "insight.test.show");
	assert_int_equal(fact(doc, NULL, "runs")->value.i, 3);
	assert_int_equal(fact(doc, NULL, "passed")->value.i, 2);
	assert_int_equal(fact(doc, NULL, "failed")->value.i, 1);
	assert_int_equal(fact(doc, NULL, "flaky_runs")->value.i, 1);
	assert_string_equal(fact(doc, NULL, "last_outcome")->value.s, "passed");
	assert_string_equal(fact(doc, NULL, "last_session")->value.s, fx->s3);
	assert_true(fact(doc, NULL, "first_run")->value.i == T0);
	/* Final attempts only: 2, 4, 6 s. Nearest rank: p50 = 4, p95 = 6. */
	assert_true(fact(doc, NULL, "duration_p50")->value.d == 4.0);
	assert_true(fact(doc, NULL, "duration_p95")->value.d == 6.0);
	/* Both failed attempts ("boom 1", "boom 2") normalise to one fingerprint. */
	t = table(doc, "fingerprints");
	assert_int_equal(t->nrows, 1);
	assert_int_equal(cell_i(t, 0, "failures"), 2);
	assert_true(cell(t, 0, "first_seen")->i == T0);
	assert_true(cell(t, 0, "last_seen")->i == T0 + HOUR);
	assert_non_null(strstr(cell_s(t, 0, "message"), "boom"));
	ins_doc_free(doc);

	/* Within a SUT it never ran in: no runs, null figures. */
	assert_int_equal(ins_browse_test_show(&doc, fx->store, "t.py::b", "web", NULL), 0);
	assert_int_equal(fact(doc, NULL, "runs")->value.i, 0);
	assert_int_equal(fact(doc, NULL, "pass_rate")->value.type, INS_V_NULL);
	assert_int_equal(fact(doc, NULL, "duration_p50")->value.type, INS_V_NULL);
	assert_int_equal(fact(doc, NULL, "last_outcome")->value.type, INS_V_NULL);
	ins_doc_free(doc);

	assert_int_equal(ins_browse_test_show(&doc, fx->store, "t.py", NULL, NULL), INS_EAMBIGUOUS);
	assert_null(doc);
}

/* A SUT with 20 sessions of one test whose durations are 1..20 s, in shuffled order. */
static void add_perf_history(ins_store *store)
{
	static const int order[20] = { 7, 3, 19, 1, 12, 20, 5, 15, 9, 2,
				       18, 11, 4, 16, 8, 14, 6, 17, 10, 13 };

	for (int i = 0; i < 20; i++) {
		struct res r = { "perf.py::p", i % 5 == 4 ? INS_OUTCOME_FAILED : INS_OUTCOME_PASSED,
				 (double)order[i], i % 5 == 4 ? "slow" : NULL };
		add_session(store, "perf", T0 + 10 * HOUR + i * HOUR, &r, 1, NULL, 0, NULL);
	}
}

static void test_percentiles_and_history(void **state)
{
	struct fixture *fx = *state;
	ins_session_filter f = { 0 };
	const ins_series *so, *sd;
	const ins_table *t;
	ins_doc *doc;

	add_perf_history(fx->store);
	assert_int_equal(ins_browse_test_show(&doc, fx->store, "perf.py::p", "perf", NULL), 0);
	/* Nearest rank over 1..20: p50 = the 10th value, p95 = the 19th. */
	assert_true(fact(doc, NULL, "duration_p50")->value.d == 10.0);
	assert_true(fact(doc, NULL, "duration_p95")->value.d == 19.0);
	assert_true(fabs(fact(doc, NULL, "pass_rate")->value.d - 16.0 / 20.0) < 1e-12);
	ins_doc_free(doc);

	/* The newest 5 of 20, newest first; the series oldest first. */
	f.limit = 5;
	assert_int_equal(ins_browse_test_history(&doc, fx->store, "perf.py::p", &f), 0);
	t = table(doc, "runs");
	assert_int_equal(t->nrows, 5);
	assert_int_equal(t->total_rows, 20);
	assert_true(cell(t, 0, "started")->i == T0 + 29 * HOUR);
	assert_true(cell_d(t, 0, "duration") == 13.0);
	assert_string_equal(cell_s(t, 0, "outcome"), "failed");
	assert_string_equal(cell_s(t, 0, "message"), "slow");
	assert_string_equal(cell_s(t, 1, "outcome"), "passed");
	so = series(doc, "outcome");
	sd = series(doc, "duration");
	assert_int_equal(so->npoints, 5);
	assert_true(sd->points[0].y == 14.0); /* session 16 */
	assert_true(sd->points[4].y == 13.0); /* session 20, the newest */
	assert_true(so->points[4].y == 0.0);
	assert_true(so->points[3].y == 1.0);
	assert_int_equal(fact(doc, NULL, "runs")->value.i, 20);
	ins_doc_free(doc);

	/* A window: sessions 0..4 (T0+10h .. T0+14h). */
	f.limit = 0;
	f.from_ms = T0 + 10 * HOUR;
	f.to_ms = T0 + 14 * HOUR;
	assert_int_equal(ins_browse_test_history(&doc, fx->store, "perf.py::p", &f), 0);
	assert_int_equal(table(doc, "runs")->nrows, 5);
	ins_doc_free(doc);

	/* Another SUT's history of a test that never ran there is empty, not an error. */
	memset(&f, 0, sizeof(f));
	f.sut = "web";
	assert_int_equal(ins_browse_test_history(&doc, fx->store, "perf.py::p", &f), 0);
	assert_int_equal(table(doc, "runs")->nrows, 0);
	ins_doc_free(doc);
}

static void test_history_list(void **state)
{
	struct fixture *fx = *state;
	ins_session_filter f = { 0 };
	const ins_table *t;
	ins_doc *doc;

	assert_int_equal(ins_browse_history_list(&doc, fx->store, &f, 0), 0);
	t = table(doc, "sessions");
	assert_int_equal(t->nrows, 4);
	assert_string_equal(cell_s(t, 1, "id"), fx->s2);
	assert_int_equal(cell_i(t, 2, "xpassed"), 1);
	assert_int_equal(fact(doc, NULL, "sessions")->value.i, 4);
	ins_doc_free(doc);

	/* By SUT: one section per SUT with sessions in the window, by name. */
	f.from_ms = T0 + 1;
	assert_int_equal(ins_browse_history_list(&doc, fx->store, &f, 1), 0);
	assert_int_equal(fact(doc, NULL, "sessions")->value.i, 3);
	assert_int_equal(fact(doc, NULL, "suts")->value.i, 2);
	assert_int_equal(doc->nsections, 3);
	assert_string_equal(doc->sections[1]->title, "api");
	assert_string_equal(doc->sections[2]->title, "web");
	assert_int_equal(doc->sections[1]->tables[0]->nrows, 2);
	assert_string_equal(cell_s(doc->sections[2]->tables[0], 0, "sut"), "web");
	ins_doc_free(doc);

	f.from_ms = T0 + 100 * HOUR;
	assert_int_equal(ins_browse_history_list(&doc, fx->store, &f, 1), 0);
	assert_int_equal(fact(doc, NULL, "suts")->value.i, 0);
	assert_int_equal(doc->nnotes, 1);
	ins_doc_free(doc);
}

/* ---- query plans ---- */

/*
 * On a history big enough for the planner to have opinions (and ANALYZE'd,
 * so it has statistics), no statement may read result or session whole,
 * and the session lists must come off the index in order.
 */
static void test_query_plans(void **state)
{
	const ins_browse__query *q;
	ins_store *store;
	char name[32];
	size_t n;

	(void)state;
	assert_int_equal(ins_store_open(&store, ":memory:", INS_STORE_CREATE), 0);
	for (int s = 0; s < 60; s++) {
		struct res rs[80];
		char ids[80][24], msgs[80][32];

		for (int i = 0; i < 80; i++) {
			snprintf(ids[i], sizeof(ids[i]), "m%d.py::t%d", i % 7, i);
			/* Letters, not digits: digits would normalise to one fingerprint. */
			snprintf(msgs[i], sizeof(msgs[i]), "KeyError: %c%c", 'a' + i % 26,
				 'a' + (i / 26 + s) % 26);
			rs[i].nodeid = ids[i];
			rs[i].outcome = (s + i) % 11 == 0 ? INS_OUTCOME_FAILED : INS_OUTCOME_PASSED;
			rs[i].duration = 0.01 * i;
			rs[i].message = rs[i].outcome == INS_OUTCOME_FAILED ? msgs[i] : NULL;
		}
		snprintf(name, sizeof(name), "sut%d", s % 3);
		add_session(store, name, T0 + s * HOUR, rs, 80, NULL, 0, NULL);
	}
	assert_int_equal(ins_store__exec(store, "ANALYZE"), 0);

	q = ins_browse__queries(&n);
	assert_true(n > 20);
	for (size_t i = 0; i < n; i++) {
		ins_buf sql = INS_BUF_INIT, plan = INS_BUF_INIT;
		const char *bad = NULL;
		sqlite3_stmt *st;

		ins_buf_printf(&sql, "EXPLAIN QUERY PLAN %s", q[i].sql);
		if (sqlite3_prepare_v2(store->db, sql.ptr, -1, &st, NULL) != SQLITE_OK)
			fail_msg("%s: %s", q[i].name, sqlite3_errmsg(store->db));
		while (sqlite3_step(st) == SQLITE_ROW) {
			const char *detail = (const char *)sqlite3_column_text(st, 3);
			char alias[32] = "", sub[48];

			ins_buf_printf(&plan, "\n    %s", detail);
			/* A test's runs (INS_RESULT_BY_TEST) are a subquery of two
			 * index searches, read back as "SCAN r" once built. */
			if (sscanf(detail, "SCAN %31s", alias) == 1) {
				snprintf(sub, sizeof(sub), "CO-ROUTINE %s", alias);
				if ((!q[i].may_scan || strcmp(alias, q[i].may_scan)) &&
				    !strstr(plan.ptr, sub))
					bad = "reads a table whole";
			}
			if (strstr(detail, "result_recent") && !strstr(plan.ptr, "result_by_test"))
				bad = "reads the recent results without the others";
			/* a test's runs come off the index; only the rows shown are read */
			if (!strcmp(q[i].name, "a test's history") && strstr(detail, "USING INDEX"))
				bad = "reads every run's row for the messages of the few it shows";
			if ((!strcmp(q[i].name, "sessions") || !strcmp(q[i].name, "sessions of a SUT")) &&
			    strstr(detail, "TEMP B-TREE"))
				bad = "sorts instead of reading the index in order";
		}
		sqlite3_finalize(st);
		if (bad)
			fail_msg("query '%s' %s:%s", q[i].name, bad, plan.ptr);
		ins_buf_release(&plan);
		ins_buf_release(&sql);
	}
	ins_store_free(store);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_filter_time),
		cmocka_unit_test(test_outcome_mask),
		cmocka_unit_test_setup_teardown(test_session_list, setup, teardown),
		cmocka_unit_test_setup_teardown(test_session_show, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sut_list_and_show, setup, teardown),
		cmocka_unit_test_setup_teardown(test_test_list, setup, teardown),
		cmocka_unit_test_setup_teardown(test_test_resolve, setup, teardown),
		cmocka_unit_test_setup_teardown(test_test_show, setup, teardown),
		cmocka_unit_test_setup_teardown(test_percentiles_and_history, setup, teardown),
		cmocka_unit_test_setup_teardown(test_history_list, setup, teardown),
		cmocka_unit_test(test_query_plans),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
