/*
 * summary.c - a SUT over a window: counts, pass rate, flaky, slowest and
 * most failing tests.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/analytics_internal.h"
#include "insight/analytics.h"
#include "insight/stats.h"
#include "insight/timeutil.h"


/*
 * Per test over a window: runs (passed + failing finals), failing finals,
 * timed passing finals (ndur) and the longest of them (dmax, a bound on
 * any quantile), from test_day for the window's whole days plus the edge
 * sessions' own results. p50 and p95 are NAN until durations are read.
 */
struct test_stat {
	int64_t test_id;
	int64_t runs, failed;
	double p50, p95, dmax;
	size_t ndur;
};

struct summary_acc {
	struct test_stat *v;
	size_t n, alloc;
	struct test_stat cur;
};

static void stat_push(struct summary_acc *a, const struct test_stat *t)
{
	a->v = ins_xgrow(a->v, &a->alloc, a->n + 1, sizeof(*a->v));
	a->v[a->n++] = *t;
}

static void summary_row(void *data, const fin_row *r)
{
	struct summary_acc *a = data;

	if (a->cur.test_id != r->test_id) {
		memset(&a->cur, 0, sizeof(a->cur));
		a->cur.test_id = r->test_id;
		a->cur.dmax = -1;
	}
	if (r->outcome == INS_OUTCOME_PASSED || ins__failing(r->outcome))
		a->cur.runs++;
	if (ins__failing(r->outcome))
		a->cur.failed++;
	if (r->outcome == INS_OUTCOME_PASSED && r->has_dur && r->dur >= 0) {
		a->cur.ndur++;
		if (r->dur > a->cur.dmax)
			a->cur.dmax = r->dur;
	}
}

static void summary_end(void *data, const fin_row *r)
{
	struct summary_acc *a = data;

	(void)r;
	stat_push(a, &a->cur);
	a->cur.test_id = -1;
}

/*
 * The per-test counts of a window (struct test_stat, ordered by test id)
 * into `out`: the whole days from test_day (one range of its primary key
 * per SUT), the edge sessions by their final results, merged.
 */
static int window_stats(struct summary_acc *out, ins_store *store, const ins_dayspan *ds)
{
	struct summary_acc agg, edge;
	sqlite3_stmt *st = NULL;
	size_t i = 0, j = 0;
	int rc;

	memset(&agg, 0, sizeof(agg));
	memset(&edge, 0, sizeof(edge));
	edge.cur.test_id = -1;
	if ((rc = ins_store__prepare(store, &st,
		"SELECT test_id, sum(passed + failed + error), sum(failed + error), sum(dur_n), "
		"max(dur_max) FROM test_day WHERE sut_id BETWEEN ?1 AND ?2 AND day BETWEEN ?3 AND ?4 "
		"GROUP BY test_id ORDER BY test_id")) < 0)
		goto done;
	sqlite3_bind_int64(st, 1, ds->sut_id ? ds->sut_id : INT64_MIN);
	sqlite3_bind_int64(st, 2, ds->sut_id ? ds->sut_id : INT64_MAX);
	sqlite3_bind_int64(st, 3, ds->dlo);
	sqlite3_bind_int64(st, 4, ds->dhi);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct test_stat t = { .p50 = NAN, .p95 = NAN };

		t.test_id = sqlite3_column_int64(st, 0);
		t.runs = sqlite3_column_int64(st, 1);
		t.failed = sqlite3_column_int64(st, 2);
		t.ndur = (size_t)sqlite3_column_int64(st, 3);
		t.dmax = sqlite3_column_type(st, 4) == SQLITE_NULL ? -1 : sqlite3_column_double(st, 4);
		stat_push(&agg, &t);
	}
	if (rc != SQLITE_DONE) {
		rc = ins_store__error(store, "reading the daily aggregate");
		goto done;
	}
	if ((rc = ins_an__stream_finals(store, &ds->edge, summary_row, summary_end, &edge)) < 0)
		goto done;
	while (i < agg.n || j < edge.n) {
		struct test_stat t;

		if (j == edge.n || (i < agg.n && agg.v[i].test_id < edge.v[j].test_id)) {
			t = agg.v[i++];
		} else if (i == agg.n || edge.v[j].test_id < agg.v[i].test_id) {
			t = edge.v[j++];
		} else {
			t = agg.v[i++];
			t.runs += edge.v[j].runs;
			t.failed += edge.v[j].failed;
			t.ndur += edge.v[j].ndur;
			if (edge.v[j].dmax > t.dmax)
				t.dmax = edge.v[j].dmax;
			j++;
		}
		t.p50 = t.p95 = NAN;
		stat_push(out, &t);
	}
	rc = 0;
done:
	sqlite3_finalize(st);
	free(agg.v);
	free(edge.v);
	return rc;
}

static int cmp_dmax(const void *x, const void *y)
{
	const struct test_stat *a = *(const struct test_stat *const *)x;
	const struct test_stat *b = *(const struct test_stat *const *)y;

	if (a->dmax != b->dmax)
		return (a->dmax < b->dmax) - (a->dmax > b->dmax);
	return (a->test_id > b->test_id) - (a->test_id < b->test_id);
}

/*
 * Fill p50 and p95 (type-7 quantiles of the passing durations, see
 * stats.c) of at least the `limit` slowest tests by p50. Quantiles cannot
 * come from sums, so durations are read from `result`, but only for the
 * tests that can be among the slowest: in order of their longest passing
 * duration, stopping when that bound falls below the limit-th p50 found so
 * far (a median is never above the maximum). The answer is the one reading
 * every test would give; tests not read keep NAN and sort after.
 */
static int slowest_quantiles(struct summary_acc *acc, ins_store *store, const ins_sessset *set,
			     size_t limit)
{
	struct test_stat **order = NULL;
	double *top = NULL;  /* the p50s found so far, largest first, at most limit */
	size_t ntop = 0, n = 0;
	sqlite3_stmt *st = NULL;
	int64_t lo = INT64_MAX, hi = INT64_MIN;
	dvec dur = { 0 };
	int rc = 0;

	if (!acc->n || !set->n || !limit)
		return 0;
	for (size_t i = 0; i < set->n; i++) {
		lo = set->v[i].id < lo ? set->v[i].id : lo;
		hi = set->v[i].id > hi ? set->v[i].id : hi;
	}
	order = ins_xmalloc(acc->n * sizeof(*order));
	for (size_t i = 0; i < acc->n; i++)
		if (acc->v[i].ndur)
			order[n++] = &acc->v[i];
	if (n > 1)
		qsort(order, n, sizeof(*order), cmp_dmax);
	top = ins_xmalloc(limit * sizeof(*top));
	/* result_by_test (test_id, session_id): one range per test */
	if ((rc = ins_store__prepare(store, &st,
		"SELECT r.session_id, r.duration FROM " INS_RESULT_BY_TEST " r WHERE r.test_id = ?1 "
		"AND r.session_id BETWEEN ?2 AND ?3 AND r.final = 1 AND r.outcome = 0 "
		"AND r.duration >= 0")) < 0)
		goto done;
	sqlite3_bind_int64(st, 2, lo);
	sqlite3_bind_int64(st, 3, hi);
	for (size_t k = 0; k < n; k++) {
		struct test_stat *t = order[k];
		size_t at;

		/* a tie with the limit-th could still win on test id: read it */
		if (ntop == limit && t->dmax < top[limit - 1])
			break;
		dur.n = 0;
		sqlite3_reset(st);
		sqlite3_bind_int64(st, 1, t->test_id);
		while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			if (ins_sessset_find(set, sqlite3_column_int64(st, 0)) >= 0)
				ins_dvec_push(&dur, sqlite3_column_double(st, 1));
		}
		if (rc != SQLITE_DONE) {
			rc = ins_store__error(store, "reading durations");
			goto done;
		}
		rc = 0;
		ins_stats_sort(dur.v, dur.n);
		t->p50 = ins_stats_quantile_sorted(dur.v, dur.n, 0.5);
		t->p95 = ins_stats_quantile_sorted(dur.v, dur.n, 0.95);
		if (isnan(t->p50))
			continue;
		for (at = ntop; at > 0 && top[at - 1] < t->p50; at--)
			;
		if (at >= limit)
			continue;
		if (ntop < limit)
			ntop++;
		memmove(top + at + 1, top + at, (ntop - 1 - at) * sizeof(*top));
		top[at] = t->p50;
	}
done:
	sqlite3_finalize(st);
	free(order);
	free(top);
	free(dur.v);
	return rc;
}

static int cmp_failing(const void *x, const void *y)
{
	const struct test_stat *a = x, *b = y;

	if (a->failed != b->failed)
		return (a->failed < b->failed) - (a->failed > b->failed);
	return (a->test_id > b->test_id) - (a->test_id < b->test_id);
}

static int cmp_slow(const void *x, const void *y)
{
	const struct test_stat *a = x, *b = y;
	double p = isnan(a->p50) ? -1 : a->p50, q = isnan(b->p50) ? -1 : b->p50;

	if (p != q)
		return (p < q) - (p > q);
	return (a->test_id > b->test_id) - (a->test_id < b->test_id);
}

/*
 * Verdict against the previous window [from - L, from) of the same length L:
 *   better  when the pass rate rose by at least 1 percentage point
 *   worse   when it fell by at least 1 percentage point
 *   steady  otherwise
 */
static const char *verdict_of(double now, double before)
{
	if (isnan(now) || isnan(before))
		return NULL;
	if (now - before >= 0.01)
		return "better";
	if (before - now >= 0.01)
		return "worse";
	return "steady";
}

/* Pass rate per local day of the window (days without a session are gaps). */
static void pass_rate_series(ins_doc *doc, const ins_sessset *set, int64_t from_ms, int64_t to_ms)
{
	ins_series *s = ins_doc_series(doc, "pass_rate_by_day", "Pass rate per day", INS_V_PERCENT);
	ins_buf label = INS_BUF_INIT;
	int64_t day, start;
	size_t i = 0;

	if (!set->n)
		return;
	/* from the first session's day: a long empty stretch before it says nothing */
	(void)from_ms;
	start = set->v[0].started_ms;
	for (day = ins__day_start(start); day <= to_ms; day = ins__day_start(day + INS_AN_DAY_MS + INS_AN_DAY_MS / 2)) {
		int64_t next = ins__day_start(day + INS_AN_DAY_MS + INS_AN_DAY_MS / 2), p = 0, d = 0;

		for (; i < set->n && set->v[i].started_ms < next; i++) {
			p += set->v[i].n_passed;
			d += set->v[i].n_passed + set->v[i].n_failed + set->v[i].n_error;
		}
		ins_buf_clear(&label);
		ins__day_label(&label, day);
		ins_series_point(s, label.ptr, d ? (double)p / (double)d : NAN);
	}
	ins_buf_release(&label);
}

static int summary_one(ins_doc *doc, ins_store *store, const char *sut, int64_t sut_id,
		       const ins_analytics_opts *o)
{
	struct summary_acc acc;
	struct flaky_list fl;
	ins_sessset set, prev;
	ins_dayspan ds;
	ins_analytics_opts so = *o;
	ins_buf nodeid = INS_BUF_INIT;
	int64_t counts[5] = { 0 }, failing_sessions = 0, len = o->to_ms - o->from_ms + 1;
	double rate, prev_rate;
	const char *verdict;
	ins_table *t;
	size_t limit = ins_an__limit(o), shown;
	int rc;

	memset(&acc, 0, sizeof(acc));
	memset(&fl, 0, sizeof(fl));
	memset(&ds, 0, sizeof(ds));
	acc.cur.test_id = -1;
	ins_sessset_init(&set);
	ins_sessset_init(&prev);
	ins_sessset_init(&ds.edge);
	so.sut = sut;
	if ((rc = ins_sessset_load_window(&set, store, sut, o->from_ms, o->to_ms)) < 0)
		goto done;
	if ((rc = ins_sessset_load_window(&prev, store, sut, o->from_ms - len, o->from_ms - 1)) < 0)
		goto done;
	if ((rc = ins__dayspan_split(&ds, store, &set, sut_id, o->from_ms, o->to_ms)) < 0)
		goto done;
	if ((rc = window_stats(&acc, store, &ds)) < 0)
		goto done;
	if ((rc = slowest_quantiles(&acc, store, &set, limit)) < 0)
		goto done;
	if ((rc = ins_an__flaky_scan(&fl, store, &set, &ds, &so)) < 0)
		goto done;

	for (size_t i = 0; i < set.n; i++) {
		counts[0] += set.v[i].n_passed;
		counts[1] += set.v[i].n_failed;
		counts[2] += set.v[i].n_error;
		counts[3] += set.v[i].n_skipped;
		counts[4] += set.v[i].n_tests;
		if (set.v[i].n_failed + set.v[i].n_error)
			failing_sessions++;
	}
	rate = ins_sessset_pass_rate(&set);
	prev_rate = ins_sessset_pass_rate(&prev);
	verdict = verdict_of(rate, prev_rate);

	ins_doc_fact_text(doc, "sut", "SUT", sut);
	ins_doc_fact_int(doc, "sessions", "Sessions", (int64_t)set.n);
	ins_doc_fact_int(doc, "tests", "Distinct tests", (int64_t)acc.n);
	ins_doc_fact_int(doc, "results", "Results (final)", counts[4]);
	ins_doc_fact_int(doc, "passed", "Passed", counts[0]);
	ins_doc_fact_int(doc, "failed", "Failed", counts[1]);
	ins_doc_fact_int(doc, "error", "Errors", counts[2]);
	ins_doc_fact_int(doc, "skipped", "Skipped", counts[3]);
	ins_doc_fact_int(doc, "other", "Xfailed and xpassed",
			 counts[4] - counts[0] - counts[1] - counts[2] - counts[3]);
	ins_doc_fact_percent(doc, "pass_rate", "Pass rate", rate);
	ins_doc_fact_int(doc, "failing_sessions", "Sessions with failures", failing_sessions);
	ins_doc_fact_int(doc, "flaky", "Flaky tests", (int64_t)fl.n);
	ins_doc_fact_percent(doc, "previous_pass_rate", "Previous window's pass rate", prev_rate);
	ins_doc_fact_int(doc, "previous_sessions", "Previous window's sessions", (int64_t)prev.n);
	ins_doc_fact_text(doc, "verdict", "Verdict", verdict);

	pass_rate_series(doc, &set, o->from_ms, o->to_ms);

	/* top failing: the tests that failed in most sessions */
	if (acc.n)
		qsort(acc.v, acc.n, sizeof(*acc.v), cmp_failing);
	t = ins_doc_table(doc, "top_failing", "Most failing tests");
	ins_table_column(t, "nodeid", "Test", INS_V_TEXT);
	ins_table_column(t, "failed", "Failed", INS_V_INT);
	ins_table_column(t, "runs", "Runs", INS_V_INT);
	ins_table_column(t, "fail_rate", "Fail rate", INS_V_PERCENT);
	ins_table_set_empty(t, "no failures");
	shown = 0;
	for (size_t i = 0; i < acc.n && acc.v[i].failed; i++) {
		if (shown++ >= limit)
			continue;
		ins_an__nodeid(store, acc.v[i].test_id, &nodeid);
		ins_table_row(t);
		ins_table_text(t, nodeid.ptr);
		ins_table_int(t, acc.v[i].failed);
		ins_table_int(t, acc.v[i].runs);
		ins_table_real(t, acc.v[i].runs ? (double)acc.v[i].failed / (double)acc.v[i].runs : NAN);
	}
	ins_table_set_total(t, shown);

	/* slowest: by the median of passing durations */
	if (acc.n)
		qsort(acc.v, acc.n, sizeof(*acc.v), cmp_slow);
	t = ins_doc_table(doc, "slowest", "Slowest tests");
	ins_table_column(t, "nodeid", "Test", INS_V_TEXT);
	ins_table_column(t, "p50", "p50", INS_V_DURATION);
	ins_table_column(t, "p95", "p95", INS_V_DURATION);
	ins_table_column(t, "runs", "Timed runs", INS_V_INT);
	ins_table_set_empty(t, "no timed passing runs");
	shown = 0;
	for (size_t i = 0; i < acc.n; i++) {
		if (!acc.v[i].ndur || shown++ >= limit)
			continue;
		ins_an__nodeid(store, acc.v[i].test_id, &nodeid);
		ins_table_row(t);
		ins_table_text(t, nodeid.ptr);
		ins_table_real(t, acc.v[i].p50);
		ins_table_real(t, acc.v[i].p95);
		ins_table_int(t, (int64_t)acc.v[i].ndur);
	}
	ins_table_set_total(t, shown);

	if (!set.n)
		ins_doc_note(doc, INS_NOTE_VERDICT, "%s: no sessions in the window", sut);
	else if (!verdict)
		ins_doc_note(doc, INS_NOTE_VERDICT, "%s: pass rate %.1f%% over %zu session%s; no "
			     "previous window to compare with", sut, 100 * rate, set.n,
			     set.n == 1 ? "" : "s");
	else
		ins_doc_note(doc, INS_NOTE_VERDICT, "%s: %s: pass rate %.1f%% against %.1f%% in the "
			     "previous window (%+.1f points), %zu flaky test%s", sut, verdict,
			     100 * rate, 100 * prev_rate, 100 * (rate - prev_rate), fl.n,
			     fl.n == 1 ? "" : "s");
done:
	free(acc.v);
	ins_an__flaky_list_release(&fl);
	ins_sessset_release(&set);
	ins_sessset_release(&prev);
	ins__dayspan_release(&ds);
	ins_buf_release(&nodeid);
	return rc;
}

int ins_analytics_summary(ins_doc **out, ins_store *store, const ins_analytics_opts *o)
{
	ins_doc *doc = ins_doc_new("insight.analytics.summary", "Summary");
	sqlite3_stmt *st = NULL;
	ins_buf id = INS_BUF_INIT, title = INS_BUF_INIT;
	int rc, nsut = 0;

	*out = NULL;
	if (o->sut) {
		int64_t sut_id;

		if ((rc = ins__sut_id(store, o->sut, &sut_id)) < 0)
			goto done;
		ins_buf_printf(&title, "SUT %s", o->sut);
		ins_doc_section(doc, "sut", title.ptr);
		rc = summary_one(doc, store, o->sut, sut_id, o);
		goto done;
	}
	/* every SUT with a session in the window: session_by_time range */
	if ((rc = ins_store__prepare(store, &st,
		"SELECT u.id, u.name FROM sut u WHERE EXISTS (SELECT 1 FROM session s "
		"WHERE s.sut_id = u.id AND s.started_ms BETWEEN ?1 AND ?2) ORDER BY u.name")) < 0)
		goto done;
	sqlite3_bind_int64(st, 1, o->from_ms);
	sqlite3_bind_int64(st, 2, o->to_ms);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		char *name = ins_xstrdup(ins_store__col_text(st, 1));

		ins_buf_clear(&title);
		ins_buf_printf(&title, "SUT %s", name);
		ins_doc_section(doc, "sut", title.ptr);
		rc = summary_one(doc, store, name, sqlite3_column_int64(st, 0), o);
		free(name);
		nsut++;
		if (rc < 0)
			goto done;
	}
	if (rc != SQLITE_DONE) {
		rc = ins_store__error(store, "listing SUTs");
		goto done;
	}
	rc = 0;
	if (!nsut)
		ins_doc_note(doc, INS_NOTE_VERDICT, "no sessions in the window");
done:
	sqlite3_finalize(st);
	ins_buf_release(&id);
	ins_buf_release(&title);
	if (rc < 0)
		ins_doc_free(doc);
	else
		*out = doc;
	return rc;
}
