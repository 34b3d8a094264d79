/*
 * analytics.c - summary, flaky, failures and analyze (see analytics.h).
 *
 * Every analysis starts from a window's sessions (a session set: one row
 * per session, at most a few thousand) and reads results only through
 * queries restricted to those sessions. Where SQL can aggregate, it does
 * (failures by fingerprint); where it cannot (quantiles, the Mann-Whitney
 * test, decay-weighted flips) the results stream by ordered by test and are
 * folded one test at a time, so memory holds one test's values, never the
 * window's results.
 *
 * Invariants: tables list tests by node id (ties broken by node id, so the
 * output is stable); every formula is stated once, here, beside its code.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/analysis_internal.h"
#include "insight/analytics.h"
#include "insight/stats.h"
#include "insight/timeutil.h"

#define DAY_MS INT64_C(86400000)

static const char *const metric_names[] = { "pass-rate", "duration", "failure-rate", "flakiness" };

const char *ins_metric_name(ins_metric m)
{
	return (unsigned)m < 4 ? metric_names[m] : "?";
}

int ins_metric_parse(ins_metric *out, const char *name)
{
	for (int i = 0; i < 4; i++) {
		if (!strcmp(name, metric_names[i])) {
			*out = (ins_metric)i;
			return 0;
		}
	}
	return ins_error_set(INS_EUSAGE, "unknown metric '%s' (expected pass-rate, duration, "
			     "failure-rate or flakiness)", name);
}

void ins_analytics_opts_init(ins_analytics_opts *o)
{
	static const ins_duration_rule def = INS_DURATION_RULE_INIT;

	memset(o, 0, sizeof(*o));
	o->to_ms = ins_time_now_ms();
	o->from_ms = o->to_ms - 7 * DAY_MS;
	o->min_runs = 5;
	o->threshold = 0.5;
	o->half_life = 10;
	o->dur = def;
}

static size_t limit_of(const ins_analytics_opts *o)
{
	return o->limit ? o->limit : 10;
}

/* ---- small helpers ---- */

/* The node id of a test row id into `out` ("?" when gone). */
static void test_nodeid(ins_store *store, int64_t id, ins_buf *out)
{
	sqlite3_stmt *st;

	ins_buf_clear(out);
	if (ins_store__prepare(store, &st, "SELECT nodeid FROM test WHERE id = ?1") < 0) {
		ins_buf_puts(out, "?");
		return;
	}
	sqlite3_bind_int64(st, 1, id);
	ins_buf_puts(out, sqlite3_step(st) == SQLITE_ROW ? ins_store__col_text(st, 0) : "?");
	sqlite3_finalize(st);
}

static void window_facts(ins_doc *doc, const ins_analytics_opts *o, const ins_sessset *set)
{
	ins_doc_fact_text(doc, "sut", "SUT", o->sut ? o->sut : "(all)");
	ins_doc_fact_time(doc, "from", "From", o->from_ms > 0 ? o->from_ms : 0);
	ins_doc_fact_time(doc, "to", "To", o->to_ms);
	ins_doc_fact_int(doc, "sessions", "Sessions", (int64_t)set->n);
}

/*
 * Stream the final attempts of a set's sessions ordered by test: `row` is
 * called for each, `end` after each test's last row. Cost: one primary-key
 * range seek per session, then a sort of the rows by test (the same work a
 * GROUP BY test_id does).
 */
typedef struct fin_row {
	int64_t test_id;
	long idx;          /* index of the session in the set (time order) */
	int outcome, flags;
	int has_dur;
	double dur;
} fin_row;

typedef void (*fin_fn)(void *data, const fin_row *r);

static int stream_finals(ins_store *store, const ins_sessset *set, fin_fn row, fin_fn end,
			 void *data)
{
	static const char sql[] =
		"SELECT r.test_id, r.session_id, r.outcome, r.flags, r.duration FROM result r "
		"WHERE r.session_id IN (SELECT value FROM json_each(?1)) AND r.final = 1 "
		"ORDER BY r.test_id";
	sqlite3_stmt *st;
	fin_row r, last = { .test_id = -1 };
	int rc;

	if ((rc = ins_store__prepare(store, &st, sql)) < 0)
		return rc;
	ins_store__bind_text(st, 1, ins_sessset_json(set));
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		r.test_id = sqlite3_column_int64(st, 0);
		r.idx = ins_sessset_find(set, sqlite3_column_int64(st, 1));
		r.outcome = sqlite3_column_int(st, 2);
		r.flags = sqlite3_column_int(st, 3);
		r.has_dur = sqlite3_column_type(st, 4) != SQLITE_NULL;
		r.dur = sqlite3_column_double(st, 4);
		if (r.idx < 0)
			continue;
		if (last.test_id >= 0 && r.test_id != last.test_id)
			end(data, &last);
		row(data, &r);
		last = r;
	}
	if (rc == SQLITE_DONE) {
		rc = 0;
		if (last.test_id >= 0)
			end(data, &last);
	} else {
		rc = ins_store__error(store, "reading results");
	}
	sqlite3_finalize(st);
	return rc;
}

/* A growable array of doubles. */
typedef struct dvec {
	double *v;
	size_t n, alloc;
} dvec;

static void dvec_push(dvec *d, double x)
{
	d->v = ins_xgrow(d->v, &d->alloc, d->n + 1, sizeof(*d->v));
	d->v[d->n++] = x;
}

/* ---- the flaky score ---- */

/*
 * Flaky score. Each kind of evidence gives a score in [0, 1]:
 *
 *   in-run     s1 = 1 - 0.4^k   k = sessions where a failed attempt was
 *                               followed by a passing one (reruns, Surefire
 *                               flaky elements, CTRF flaky): 0.60 for one
 *                               such session, 0.84 for two, 0.94 for three
 *   same tree  s2 = 1 - 0.2^k   k = clean git trees (no uncommitted
 *                               changes) on which the test both passed and
 *                               failed in different sessions: 0.80 for one,
 *                               0.96 for two; the same code gave both answers
 *   flips      s3 = min(1, 2 x) x = the decay-weighted flip rate without the
 *                               most recent flip (ins_stats_flip_rate, half-
 *                               life H runs): a test that changes outcome
 *                               every fourth run scores 0.5; one clean break
 *                               or fix scores 0
 *
 * and they combine as independent signals (noisy-OR):
 *
 *   score = 1 - (1 - s1)(1 - s2)(1 - s3)
 *
 * A test is flaky when score >= threshold (default 0.5) and it ran at least
 * min_runs times (default 5); below min_runs it is "not enough data".
 */
double ins_flaky_score_in_run(int64_t in_run)
{
	return in_run > 0 ? 1.0 - pow(0.4, (double)in_run) : 0.0;
}

double ins_flaky_score_same_tree(int64_t same_tree)
{
	return same_tree > 0 ? 1.0 - pow(0.2, (double)same_tree) : 0.0;
}

double ins_flaky_score_flips(double excess_flip_rate)
{
	return excess_flip_rate > 0 ? fmin(1.0, 2.0 * excess_flip_rate) : 0.0;
}

double ins_flaky_score(const ins_flaky_evidence *e)
{
	double s1 = ins_flaky_score_in_run(e->in_run);
	double s2 = ins_flaky_score_same_tree(e->same_tree);
	double s3 = ins_flaky_score_flips(e->excess_flip_rate);

	return 1.0 - (1.0 - s1) * (1.0 - s2) * (1.0 - s3);
}

/* ---- flaky: the scan ---- */

struct flaky_test {
	int64_t test_id;
	char *nodeid;
	ins_flaky_evidence e;
	double score;
	int64_t last_ms;     /* the latest session with evidence of flakiness (a failure or in-run) */
};

struct flaky_list {
	struct flaky_test *v;   /* flaky (score >= threshold, enough runs) */
	size_t n, alloc;
	struct flaky_test *few; /* score >= threshold, too few runs */
	size_t nfew, afew;
	size_t candidates;      /* tests with a failing attempt in the window */
};

static void flaky_list_release(struct flaky_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i].nodeid);
	for (size_t i = 0; i < l->nfew; i++)
		free(l->few[i].nodeid);
	free(l->v);
	free(l->few);
	memset(l, 0, sizeof(*l));
}

struct run {
	long idx;
	int outcome, flags;
};

static int cmp_run(const void *a, const void *b)
{
	long x = ((const struct run *)a)->idx, y = ((const struct run *)b)->idx;

	return (x > y) - (x < y);
}

/* Runs on clean trees, ordered by tree, to count trees with both outcomes. */
struct tree_run {
	const char *tree;
	int failed;
};

static int cmp_tree_run(const void *a, const void *b)
{
	return strcmp(((const struct tree_run *)a)->tree, ((const struct tree_run *)b)->tree);
}

/* Evidence for one test from its final attempts in the set's sessions. */
static void flaky_evidence(ins_flaky_evidence *e, int64_t *last_ms, const ins_sessset *set,
			   struct run *runs, size_t n, double half_life)
{
	unsigned char *seq = ins_xmalloc(n ? n : 1);
	struct tree_run *tr = ins_xmalloc((n ? n : 1) * sizeof(*tr));
	size_t k = 0, ntr = 0, flips = 0;

	memset(e, 0, sizeof(*e));
	*last_ms = 0;
	if (n)
		qsort(runs, n, sizeof(*runs), cmp_run);
	for (size_t i = 0; i < n; i++) {
		const ins_sess *s = &set->v[runs[i].idx];
		int failing = ins__failing(runs[i].outcome);

		if (runs[i].flags & INS_RESULT_FLAKY) {
			e->in_run++;
			*last_ms = s->started_ms;
		}
		/* sessions where the test did not run (skipped, xfail, absent) are no runs */
		if (!failing && runs[i].outcome != INS_OUTCOME_PASSED)
			continue;
		seq[k++] = (unsigned char)failing;
		if (failing) {
			e->failed++;
			*last_ms = s->started_ms;
		}
		if (s->tree && !s->dirty) {
			tr[ntr].tree = s->tree;
			tr[ntr++].failed = failing;
		}
	}
	e->runs = (int64_t)k;
	e->flip_rate = ins_stats_flip_rate(seq, k, half_life, &flips, &e->excess_flip_rate);
	e->flips = (int64_t)flips;
	if (ntr)
		qsort(tr, ntr, sizeof(*tr), cmp_tree_run);
	for (size_t i = 0, j; i < ntr; i = j) {
		int pass = 0, fail = 0;

		for (j = i; j < ntr && !strcmp(tr[j].tree, tr[i].tree); j++) {
			if (tr[j].failed)
				fail = 1;
			else
				pass = 1;
		}
		if (pass && fail)
			e->same_tree++;
	}
	free(seq);
	free(tr);
}

static int cmp_flaky(const void *a, const void *b)
{
	const struct flaky_test *x = a, *y = b;

	if (x->score != y->score)
		return (x->score < y->score) - (x->score > y->score);
	return strcmp(x->nodeid, y->nodeid);
}

/*
 * Find the flaky tests of a set. Only tests with a failing attempt in the
 * window can have any of the three kinds of evidence, so:
 *   1. candidates: the test ids with failing attempts, among the sessions
 *      whose counts show a failure or an in-run flaky test: from test_day
 *      for the whole days of `ds` (when given), and by reading the results
 *      of the other such sessions (one primary-key range each);
 *   2. per candidate, its final attempts in the window through
 *      result_by_test (test_id, session_id): one range per candidate, and
 *      a primary-key lookup per run (the flip rate needs every run).
 * Cost: candidates x runs lookups, plus the results of failing edge sessions.
 */
static int flaky_scan(struct flaky_list *out, ins_store *store, const ins_sessset *set,
		      const ins_dayspan *ds, const ins_analytics_opts *o)
{
	ins_buf failing = INS_BUF_INIT, nodeid = INS_BUF_INIT;
	sqlite3_stmt *cand = NULL, *per = NULL;
	struct run *runs = NULL;
	const ins_sessset *scan = ds ? &ds->edge : set;
	size_t nruns = 0, aruns = 0;
	int rc, first = 1;

	memset(out, 0, sizeof(*out));
	ins_buf_putc(&failing, '[');
	for (size_t i = 0; i < scan->n; i++) {
		const ins_sess *s = &scan->v[i];
		if (s->n_failed + s->n_error + s->n_flaky == 0)
			continue;
		ins_buf_printf(&failing, "%s%lld", first ? "" : ",", (long long)s->id);
		first = 0;
	}
	ins_buf_putc(&failing, ']');
	/*
	 * With whole days, their candidates come from test_day.failing_sessions
	 * (counted over the same sessions as the scan: those whose counts show
	 * a failure or a flaky test), and only the edge sessions are scanned.
	 */
	if ((rc = ins_store__prepare(store, &cand, ds ?
		"SELECT test_id FROM test_day WHERE sut_id BETWEEN ?2 AND ?3 "
		"AND day BETWEEN ?4 AND ?5 AND failing_sessions > 0 UNION "
		"SELECT r.test_id FROM result r "
		"WHERE r.session_id IN (SELECT value FROM json_each(?1)) AND r.outcome IN (1, 2)" :
		"SELECT DISTINCT r.test_id FROM result r "
		"WHERE r.session_id IN (SELECT value FROM json_each(?1)) AND r.outcome IN (1, 2)")) < 0)
		goto done;
	if (ds) {
		sqlite3_bind_int64(cand, 2, ds->sut_id ? ds->sut_id : INT64_MIN);
		sqlite3_bind_int64(cand, 3, ds->sut_id ? ds->sut_id : INT64_MAX);
		sqlite3_bind_int64(cand, 4, ds->dlo);
		sqlite3_bind_int64(cand, 5, ds->dhi);
	}
	/*
	 * One range of result_by_test per candidate, over the set's span of
	 * session ids; sessions outside the set are dropped below. Cheaper than
	 * one index seek per session of the set.
	 */
	if ((rc = ins_store__prepare(store, &per,
		"SELECT r.session_id, r.outcome, r.flags FROM result r "
		"WHERE r.test_id = ?1 AND r.session_id BETWEEN ?2 AND ?3 AND r.final = 1")) < 0)
		goto done;
	ins_store__bind_text(cand, 1, failing.ptr);
	sqlite3_bind_int64(per, 2, set->n ? set->by_id[0].id : 1);
	sqlite3_bind_int64(per, 3, set->n ? set->by_id[set->n - 1].id : 0);
	while ((rc = sqlite3_step(cand)) == SQLITE_ROW) {
		int64_t tid = sqlite3_column_int64(cand, 0);
		struct flaky_test ft;

		out->candidates++;
		nruns = 0;
		sqlite3_reset(per);
		sqlite3_bind_int64(per, 1, tid);
		while ((rc = sqlite3_step(per)) == SQLITE_ROW) {
			long idx = ins_sessset_find(set, sqlite3_column_int64(per, 0));
			if (idx < 0)
				continue;
			runs = ins_xgrow(runs, &aruns, nruns + 1, sizeof(*runs));
			runs[nruns].idx = idx;
			runs[nruns].outcome = sqlite3_column_int(per, 1);
			runs[nruns++].flags = sqlite3_column_int(per, 2);
		}
		if (rc != SQLITE_DONE) {
			rc = ins_store__error(store, "reading a test's runs");
			goto done;
		}
		memset(&ft, 0, sizeof(ft));
		ft.test_id = tid;
		flaky_evidence(&ft.e, &ft.last_ms, set, runs, nruns, o->half_life);
		ft.score = ins_flaky_score(&ft.e);
		if (ft.score < o->threshold)
			continue;
		test_nodeid(store, tid, &nodeid);
		ft.nodeid = ins_xstrdup(nodeid.ptr);
		if (ft.e.runs < o->min_runs) {
			out->few = ins_xgrow(out->few, &out->afew, out->nfew + 1, sizeof(ft));
			out->few[out->nfew++] = ft;
		} else {
			out->v = ins_xgrow(out->v, &out->alloc, out->n + 1, sizeof(ft));
			out->v[out->n++] = ft;
		}
	}
	if (rc != SQLITE_DONE) {
		rc = ins_store__error(store, "finding tests with failures");
		goto done;
	}
	rc = 0;
	if (out->n)
		qsort(out->v, out->n, sizeof(*out->v), cmp_flaky);
	if (out->nfew)
		qsort(out->few, out->nfew, sizeof(*out->few), cmp_flaky);
done:
	sqlite3_finalize(cand);
	sqlite3_finalize(per);
	free(runs);
	ins_buf_release(&failing);
	ins_buf_release(&nodeid);
	if (rc < 0)
		flaky_list_release(out);
	return rc;
}

static void flaky_table(ins_doc *doc, const char *id, const char *title, const char *empty,
			const struct flaky_test *v, size_t n, size_t limit)
{
	ins_table *t = ins_doc_table(doc, id, title);
	size_t shown = limit && n > limit ? limit : n;

	ins_table_column(t, "nodeid", "Test", INS_V_TEXT);
	ins_table_column(t, "score", "Score", INS_V_REAL);
	ins_table_column(t, "runs", "Runs", INS_V_INT);
	ins_table_column(t, "failed", "Failed", INS_V_INT);
	ins_table_column(t, "in_run", "In-run", INS_V_INT);
	ins_table_column(t, "same_tree", "Same tree", INS_V_INT);
	ins_table_column(t, "flips", "Flips", INS_V_INT);
	ins_table_column(t, "flip_rate", "Flip rate", INS_V_PERCENT);
	ins_table_column(t, "last_seen", "Last seen", INS_V_TIME);
	ins_table_set_empty(t, empty);
	for (size_t i = 0; i < shown; i++) {
		ins_table_row(t);
		ins_table_text(t, v[i].nodeid);
		ins_table_real(t, floor(v[i].score * 1000 + 0.5) / 1000);
		ins_table_int(t, v[i].e.runs);
		ins_table_int(t, v[i].e.failed);
		ins_table_int(t, v[i].e.in_run);
		ins_table_int(t, v[i].e.same_tree);
		ins_table_int(t, v[i].e.flips);
		ins_table_real(t, v[i].e.flip_rate);
		ins_table_time(t, v[i].last_ms);
	}
	ins_table_set_total(t, n);
}

int ins_analytics_flaky(ins_doc **out, ins_store *store, const ins_analytics_opts *o)
{
	struct flaky_list fl;
	ins_sessset set;
	ins_dayspan ds;
	int64_t sut_id = 0;
	ins_doc *doc;
	int rc;

	*out = NULL;
	ins_sessset_init(&set);
	memset(&ds, 0, sizeof(ds));
	ins_sessset_init(&ds.edge);
	if (o->sut && (rc = ins__sut_id(store, o->sut, &sut_id)) < 0)
		goto done;
	if ((rc = ins_sessset_load_window(&set, store, o->sut, o->from_ms, o->to_ms)) < 0)
		goto done;
	if ((rc = ins__dayspan_split(&ds, store, &set, sut_id, o->from_ms, o->to_ms)) < 0)
		goto done;
	if ((rc = flaky_scan(&fl, store, &set, &ds, o)) < 0)
		goto done;
	doc = ins_doc_new("insight.analytics.flaky", "Flaky tests");
	window_facts(doc, o, &set);
	ins_doc_fact_int(doc, "tests_with_failures", "Tests with a failed attempt",
			 (int64_t)fl.candidates);
	ins_doc_fact_int(doc, "flaky", "Flaky tests", (int64_t)fl.n);
	ins_doc_fact_int(doc, "not_enough_data", "Not enough data", (int64_t)fl.nfew);
	ins_doc_fact_int(doc, "min_runs", "Minimum runs", o->min_runs);
	ins_doc_fact_real(doc, "threshold", "Score threshold", o->threshold);
	ins_doc_fact_real(doc, "half_life", "Flip half-life (runs)", o->half_life);
	flaky_table(doc, "flaky", "Flaky tests", "no flaky tests", fl.v, fl.n, o->limit);
	flaky_table(doc, "not_enough_data", "Not enough data", "none", fl.few, fl.nfew, o->limit);
	if (fl.nfew)
		ins_doc_note(doc, INS_NOTE_INFO, "%zu test%s look%s flaky but ran fewer than %ld "
			     "times: not enough data to say", fl.nfew, fl.nfew == 1 ? "" : "s",
			     fl.nfew == 1 ? "s" : "", o->min_runs);
	ins_doc_note(doc, INS_NOTE_VERDICT, "%zu flaky test%s in %zu session%s", fl.n,
		     fl.n == 1 ? "" : "s", set.n, set.n == 1 ? "" : "s");
	flaky_list_release(&fl);
	*out = doc;
done:
	ins_sessset_release(&set);
	ins__dayspan_release(&ds);
	return rc;
}

/* ---- summary ---- */

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
	if ((rc = stream_finals(store, &ds->edge, summary_row, summary_end, &edge)) < 0)
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
		"SELECT r.session_id, r.duration FROM result r WHERE r.test_id = ?1 "
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
				dvec_push(&dur, sqlite3_column_double(st, 1));
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
	for (day = ins__day_start(start); day <= to_ms; day = ins__day_start(day + DAY_MS + DAY_MS / 2)) {
		int64_t next = ins__day_start(day + DAY_MS + DAY_MS / 2), p = 0, d = 0;

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
	size_t limit = limit_of(o), shown;
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
	if ((rc = flaky_scan(&fl, store, &set, &ds, &so)) < 0)
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
		test_nodeid(store, acc.v[i].test_id, &nodeid);
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
		test_nodeid(store, acc.v[i].test_id, &nodeid);
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
	flaky_list_release(&fl);
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

/* ---- failures ---- */

struct sighting {
	char uid[INS_SESSION_ID_LEN + 1];
	int64_t ms;
	char *commit;
};

/*
 * The first (or last) session in the history (of the SUT when given) with a
 * failing attempt of this fingerprint (and of this test when test_id > 0).
 * Cost: the fingerprint's rows through result_by_fingerprint, joined to
 * their sessions and sorted by time.
 */
static int sighting(ins_store *store, struct sighting *out, int64_t fp_id, int64_t test_id,
		    int64_t sut_id, int last)
{
	sqlite3_stmt *st;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = ins_store__prepare(store, &st, last ?
		"SELECT s.uid, s.started_ms, s.git_commit FROM result r "
		"JOIN session s ON s.id = r.session_id "
		"WHERE r.fingerprint_id = ?1 AND (?2 = 0 OR +r.test_id = ?2) "
		"AND (?3 = 0 OR s.sut_id = ?3) ORDER BY s.started_ms DESC, s.id DESC LIMIT 1" :
		"SELECT s.uid, s.started_ms, s.git_commit FROM result r "
		"JOIN session s ON s.id = r.session_id "
		"WHERE r.fingerprint_id = ?1 AND (?2 = 0 OR +r.test_id = ?2) "
		"AND (?3 = 0 OR s.sut_id = ?3) ORDER BY s.started_ms, s.id LIMIT 1");
	if (rc < 0)
		return rc;
	sqlite3_bind_int64(st, 1, fp_id);
	sqlite3_bind_int64(st, 2, test_id);
	sqlite3_bind_int64(st, 3, sut_id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		snprintf(out->uid, sizeof(out->uid), "%s", ins_store__col_text(st, 0));
		out->ms = sqlite3_column_int64(st, 1);
		if (sqlite3_column_type(st, 2) != SQLITE_NULL)
			out->commit = ins_xstrdup(ins_store__col_text(st, 2));
		rc = 0;
	} else {
		rc = rc == SQLITE_DONE ? 0 : ins_store__error(store, "finding a failure's sightings");
	}
	sqlite3_finalize(st);
	return rc;
}

/*
 * The first (or last) sighting of a fingerprint as the store keeps it on
 * the fingerprint row (set by the session writer at commit: the earliest
 * start, the lowest id among equal starts; the latest start, the highest
 * id). That session is also the first (last) of its own SUT, so it answers
 * for the whole history and for that SUT; 1 when it answered, 0 when the
 * rows must be read (another SUT, or the session was deleted).
 */
static int sighting_kept(ins_store *store, struct sighting *out, int64_t fp_id, int64_t sut_id,
			 int last)
{
	sqlite3_stmt *st;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = ins_store__prepare(store, &st, last ?
		"SELECT s.uid, s.started_ms, s.git_commit, s.sut_id FROM fingerprint f "
		"JOIN session s ON s.id = f.last_session_id WHERE f.id = ?1" :
		"SELECT s.uid, s.started_ms, s.git_commit, s.sut_id FROM fingerprint f "
		"JOIN session s ON s.id = f.first_session_id WHERE f.id = ?1");
	if (rc < 0)
		return rc;
	sqlite3_bind_int64(st, 1, fp_id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && (!sut_id || sqlite3_column_int64(st, 3) == sut_id)) {
		snprintf(out->uid, sizeof(out->uid), "%s", ins_store__col_text(st, 0));
		out->ms = sqlite3_column_int64(st, 1);
		if (sqlite3_column_type(st, 2) != SQLITE_NULL)
			out->commit = ins_xstrdup(ins_store__col_text(st, 2));
		rc = 1;
	} else {
		rc = rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 :
		     ins_store__error(store, "finding a failure's sightings");
	}
	sqlite3_finalize(st);
	return rc;
}

/* The window's session that started at `ms` (the first of them), as a sighting. */
static void sighting_in_window(struct sighting *out, const ins_sessset *set, int64_t ms)
{
	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < set->n; i++) {
		if (set->v[i].started_ms == ms) {
			memcpy(out->uid, set->v[i].uid, sizeof(out->uid));
			out->ms = ms;
			out->commit = ins_xstrdup(set->v[i].commit);
			return;
		}
	}
}

struct fp_group {
	int64_t fp_id;           /* 0: failures without a message (no fingerprint) */
	char *hash, *signature, *message, *tests_list;
	int64_t count, tests, sessions;
	int64_t win_first_ms, win_last_ms;
	struct sighting first, last;
	int is_new;              /* -1: cannot tell (no fingerprint) */
};

static int cmp_fp_group(const void *x, const void *y)
{
	const struct fp_group *a = x, *b = y;

	if (a->count != b->count)
		return (a->count < b->count) - (a->count > b->count);
	return strcmp(a->hash ? a->hash : "", b->hash ? b->hash : "");
}

/* Text of the first row of a one-column query with integer parameters (NULL when none). */
static char *query_text(ins_store *store, const char *sql, int64_t a, int64_t b, const char *json)
{
	sqlite3_stmt *st;
	char *r = NULL;

	if (ins_store__prepare(store, &st, sql) < 0)
		return NULL;
	sqlite3_bind_int64(st, 1, a);
	sqlite3_bind_int64(st, 2, b);
	if (json)
		ins_store__bind_text(st, 3, json);
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
		r = ins_xstrdup(ins_store__col_text(st, 0));
	sqlite3_finalize(st);
	return r;
}

/*
 * Per fingerprint, the queries go through result_by_fingerprint (the
 * unary + keeps SQLite from driving them by the window's sessions, which
 * would read the whole window once per fingerprint): their cost is the
 * fingerprint's own rows. Failures without a fingerprint have no index:
 * they are read from the window's sessions, once.
 */
static const char *const fp_message_sql[2] = {
	"SELECT r.message FROM result r JOIN session s ON s.id = r.session_id "
	"WHERE r.fingerprint_id IS NULL AND r.outcome IN (1, 2) AND ?1 = 0 "
	"AND (?2 = 0 OR r.test_id = ?2) AND r.session_id IN (SELECT value FROM json_each(?3)) "
	"ORDER BY s.started_ms DESC, r.attempt DESC, r.session_id DESC, r.test_id DESC LIMIT 1",
	/*
	 * The latest sighting is found in result_by_fingerprint alone (it
	 * holds the primary key), and only its row is read for the message.
	 */
	"SELECT m.message FROM result m WHERE (m.session_id, m.test_id, m.attempt) = "
	"(SELECT r.session_id, r.test_id, r.attempt FROM result r "
	"JOIN session s ON s.id = r.session_id "
	"WHERE r.fingerprint_id = ?1 AND (?2 = 0 OR +r.test_id = ?2) "
	"AND +r.session_id IN (SELECT value FROM json_each(?3)) "
	"ORDER BY s.started_ms DESC, r.attempt DESC, r.session_id DESC, r.test_id DESC LIMIT 1)",
};
static const char *const fp_tests_sql[2] = {
	"SELECT group_concat(nodeid, ' ') FROM (SELECT DISTINCT t.nodeid FROM result r "
	"JOIN test t ON t.id = r.test_id "
	"WHERE r.fingerprint_id IS NULL AND r.outcome IN (1, 2) AND ?1 = 0 "
	"AND (?2 = 0 OR r.test_id = ?2) AND r.session_id IN (SELECT value FROM json_each(?3)) "
	"ORDER BY t.nodeid LIMIT 5)",
	"SELECT group_concat(nodeid, ' ') FROM (SELECT DISTINCT t.nodeid FROM result r "
	"JOIN test t ON t.id = r.test_id "
	"WHERE r.fingerprint_id = ?1 AND (?2 = 0 OR +r.test_id = ?2) "
	"AND +r.session_id IN (SELECT value FROM json_each(?3)) ORDER BY t.nodeid LIMIT 5)",
};

/*
 * Group the window's failing attempts (failed or error, every attempt) by
 * fingerprint (test_id > 0: of one test only). Cost: the rows of the
 * window's sessions (primary-key ranges), aggregated by SQL; then the
 * per-fingerprint queries above for each group.
 */
static int failure_groups(ins_store *store, const ins_sessset *set, int64_t test_id,
			  int64_t sut_id, struct fp_group **out, size_t *nout)
{
	sqlite3_stmt *st;
	struct fp_group *v = NULL;
	size_t n = 0, alloc = 0;
	int rc = 0;

	*out = NULL;
	*nout = 0;
	if ((rc = ins_store__prepare(store, &st,
		"SELECT coalesce(r.fingerprint_id, 0), count(*), count(DISTINCT r.test_id), "
		"count(DISTINCT r.session_id), min(s.started_ms), max(s.started_ms) FROM result r "
		"JOIN session s ON s.id = r.session_id "
		"WHERE r.session_id IN (SELECT value FROM json_each(?1)) AND r.outcome IN (1, 2) "
		"AND (?2 = 0 OR r.test_id = ?2) GROUP BY 1")) < 0)
		return rc;
	ins_store__bind_text(st, 1, ins_sessset_json(set));
	sqlite3_bind_int64(st, 2, test_id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		v = ins_xgrow(v, &alloc, n + 1, sizeof(*v));
		memset(&v[n], 0, sizeof(*v));
		v[n].fp_id = sqlite3_column_int64(st, 0);
		v[n].count = sqlite3_column_int64(st, 1);
		v[n].tests = sqlite3_column_int64(st, 2);
		v[n].sessions = sqlite3_column_int64(st, 3);
		v[n].win_first_ms = sqlite3_column_int64(st, 4);
		v[n].win_last_ms = sqlite3_column_int64(st, 5);
		n++;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		free(v);
		return ins_store__error(store, "grouping failures");
	}
	rc = 0;
	for (size_t i = 0; i < n; i++) {
		struct fp_group *g = &v[i];
		int has = g->fp_id != 0;

		if (has) {
			g->hash = query_text(store, "SELECT hash FROM fingerprint WHERE id = ?1 AND ?2 = ?2",
					     g->fp_id, 0, NULL);
			g->signature = query_text(store, "SELECT signature FROM fingerprint "
						  "WHERE id = ?1 AND ?2 = ?2", g->fp_id, 0, NULL);
		}
		/* the latest message in the window stands for the group */
		g->message = query_text(store, fp_message_sql[has], g->fp_id, test_id,
					ins_sessset_json(set));
		g->tests_list = query_text(store, fp_tests_sql[has], g->fp_id, test_id,
					   ins_sessset_json(set));
		if (!has) {
			/* no fingerprint: nothing ties these failures to earlier ones */
			sighting_in_window(&g->first, set, g->win_first_ms);
			sighting_in_window(&g->last, set, g->win_last_ms);
			g->is_new = -1;
			continue;
		}
		for (int last = 0; last < 2 && rc >= 0; last++) {
			struct sighting *sg = last ? &g->last : &g->first;

			rc = test_id ? 0 : sighting_kept(store, sg, g->fp_id, sut_id, last);
			if (rc == 0)
				rc = sighting(store, sg, g->fp_id, test_id, sut_id, last);
		}
		if (rc < 0)
			break;
		rc = 0;
	}
	*out = v;
	*nout = n;
	return rc;
}

static void fp_groups_free(struct fp_group *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].hash);
		free(v[i].signature);
		free(v[i].message);
		free(v[i].tests_list);
		free(v[i].first.commit);
		free(v[i].last.commit);
	}
	free(v);
}

static void fp_table(ins_doc *doc, const char *id, const char *title, struct fp_group *v, size_t n,
		     size_t limit, int with_tests)
{
	ins_table *t = ins_doc_table(doc, id, title);
	size_t shown = limit && n > limit ? limit : n;
	ins_buf sha = INS_BUF_INIT;

	ins_table_column(t, "fingerprint", "Fingerprint", INS_V_TEXT);
	ins_table_column(t, "message", "Message", INS_V_TEXT);
	ins_table_column(t, "count", "Failures", INS_V_INT);
	if (with_tests)
		ins_table_column(t, "tests", "Tests", INS_V_INT);
	ins_table_column(t, "sessions", "Sessions", INS_V_INT);
	ins_table_column(t, "new", "New", INS_V_BOOL);
	ins_table_column(t, "first_seen", "First seen", INS_V_TIME);
	ins_table_column(t, "first_session", "First session", INS_V_ID);
	ins_table_column(t, "first_commit", "First commit", INS_V_ID);
	ins_table_column(t, "last_seen", "Last seen", INS_V_TIME);
	ins_table_column(t, "last_session", "Last session", INS_V_ID);
	ins_table_column(t, "last_commit", "Last commit", INS_V_ID);
	if (with_tests)
		ins_table_column(t, "test_ids", "Affected tests", INS_V_TEXT);
	ins_table_column(t, "signature", "Signature", INS_V_LONGTEXT);
	ins_table_set_empty(t, "no failures");
	for (size_t i = 0; i < shown; i++) {
		struct fp_group *g = &v[i];

		ins_table_row(t);
		ins_table_text(t, g->hash ? g->hash : "(no message)");
		ins_table_text(t, g->message);
		ins_table_int(t, g->count);
		if (with_tests)
			ins_table_int(t, g->tests);
		ins_table_int(t, g->sessions);
		if (g->is_new < 0)
			ins_table_null(t);
		else
			ins_table_bool(t, g->is_new);
		ins_table_time(t, g->first.ms);
		ins_table_text(t, g->first.uid[0] ? g->first.uid : NULL);
		ins_table_text(t, g->first.commit);
		ins_table_time(t, g->last.ms);
		ins_table_text(t, g->last.uid[0] ? g->last.uid : NULL);
		ins_table_text(t, g->last.commit);
		if (with_tests)
			ins_table_text(t, g->tests_list);
		ins_table_text(t, g->signature);
	}
	ins_table_set_total(t, n);
	ins_buf_release(&sha);
}

/* One test's failing attempts in the window, newest first. */
static int failure_history_table(ins_doc *doc, ins_store *store, const ins_sessset *set,
				 int64_t test_id, size_t limit)
{
	sqlite3_stmt *st;
	ins_table *t;
	size_t n = 0;
	int rc;

	if ((rc = ins_store__prepare(store, &st,
		"SELECT s.uid, s.started_ms, s.git_commit, r.attempt, r.outcome, f.hash, r.message "
		"FROM result r JOIN session s ON s.id = r.session_id "
		"LEFT JOIN fingerprint f ON f.id = r.fingerprint_id "
		"WHERE r.test_id = ?1 AND r.session_id IN (SELECT value FROM json_each(?2)) "
		"AND r.outcome IN (1, 2) ORDER BY s.started_ms DESC, s.id DESC, r.attempt DESC")) < 0)
		return rc;
	sqlite3_bind_int64(st, 1, test_id);
	ins_store__bind_text(st, 2, ins_sessset_json(set));
	t = ins_doc_table(doc, "history", "Failing attempts");
	ins_table_column(t, "session", "Session", INS_V_ID);
	ins_table_column(t, "time", "Time", INS_V_TIME);
	ins_table_column(t, "commit", "Commit", INS_V_ID);
	ins_table_column(t, "attempt", "Attempt", INS_V_INT);
	ins_table_column(t, "outcome", "Outcome", INS_V_OUTCOME);
	ins_table_column(t, "fingerprint", "Fingerprint", INS_V_TEXT);
	ins_table_column(t, "message", "Message", INS_V_TEXT);
	ins_table_set_empty(t, "no failures in the window");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (limit && n++ >= limit)
			continue;
		ins_table_row(t);
		ins_table_text(t, ins_store__col_text(st, 0));
		ins_table_time(t, sqlite3_column_int64(st, 1));
		ins_table_text(t, sqlite3_column_type(st, 2) == SQLITE_NULL ? NULL :
			       ins_store__col_text(st, 2));
		ins_table_int(t, sqlite3_column_int64(st, 3));
		ins_table_text(t, ins_outcome_name((ins_outcome)sqlite3_column_int(st, 4)));
		ins_table_text(t, sqlite3_column_type(st, 5) == SQLITE_NULL ? "(no message)" :
			       ins_store__col_text(st, 5));
		ins_table_text(t, sqlite3_column_type(st, 6) == SQLITE_NULL ? NULL :
			       ins_store__col_text(st, 6));
	}
	ins_table_set_total(t, limit ? n : t->nrows);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : ins_store__error(store, "reading a test's failures");
}

int ins_analytics_failures(ins_doc **out, ins_store *store, const ins_analytics_opts *o)
{
	ins_sessset set;
	struct fp_group *groups = NULL;
	size_t ngroups = 0, nnew = 0;
	int64_t sut_id = 0, test_id = 0, total = 0;
	ins_doc *doc = NULL;
	ins_buf title = INS_BUF_INIT;
	int rc;

	*out = NULL;
	ins_sessset_init(&set);
	if (o->sut && (rc = ins__sut_id(store, o->sut, &sut_id)) < 0)
		goto done;
	if (o->nodeid && (rc = ins__test_id(store, o->nodeid, &test_id)) < 0)
		goto done;
	if ((rc = ins_sessset_load_window(&set, store, o->sut, o->from_ms, o->to_ms)) < 0)
		goto done;
	if ((rc = failure_groups(store, &set, test_id, sut_id, &groups, &ngroups)) < 0)
		goto done;
	/* new: the fingerprint's first sighting (in the SUT, of the test) lies in the window */
	for (size_t i = 0; i < ngroups; i++) {
		if (groups[i].is_new < 0)
			continue;
		groups[i].is_new = groups[i].first.ms >= o->from_ms;
		nnew += (size_t)groups[i].is_new;
		total += groups[i].count;
	}
	if (ngroups)
		qsort(groups, ngroups, sizeof(*groups), cmp_fp_group);

	if (o->nodeid)
		ins_buf_printf(&title, "Failures of %s", o->nodeid);
	else
		ins_buf_puts(&title, "Failures by fingerprint");
	doc = ins_doc_new("insight.analytics.failures", title.ptr);
	window_facts(doc, o, &set);
	if (o->nodeid)
		ins_doc_fact_text(doc, "nodeid", "Test", o->nodeid);
	ins_doc_fact_int(doc, "failures", "Failing attempts", total);
	ins_doc_fact_int(doc, "fingerprints", "Fingerprints", (int64_t)ngroups);
	ins_doc_fact_int(doc, "new_fingerprints", "New in the window", (int64_t)nnew);
	fp_table(doc, "failures", o->nodeid ? "By fingerprint" : "Failures by fingerprint", groups,
		 ngroups, o->limit, !o->nodeid);
	if (o->nodeid && (rc = failure_history_table(doc, store, &set, test_id, o->limit)) < 0)
		goto done;
	ins_doc_note(doc, INS_NOTE_VERDICT, "%lld failing attempt%s, %zu fingerprint%s, %zu new in "
		     "the window", (long long)total, total == 1 ? "" : "s", ngroups,
		     ngroups == 1 ? "" : "s", nnew);
	rc = 0;
done:
	fp_groups_free(groups, ngroups);
	ins_sessset_release(&set);
	ins_buf_release(&title);
	if (rc < 0) {
		ins_doc_free(doc);
		doc = NULL;
	}
	*out = doc;
	return rc;
}

/* ---- analyze ---- */

/* One session's contribution to the metric: a rate num/den, or a value. */
struct point {
	long idx;
	double num, den;   /* rates */
	double value;      /* duration; NAN when none */
};

/*
 * The metric of one session (whole suite):
 *   pass-rate     num = passed,            den = passed + failed + error
 *   failure-rate  num = failed + error,    den = tests (final outcomes, skipped included)
 *   flakiness     num = flaky in the run,  den = tests
 *   duration      value = the session's duration (seconds)
 * Of one test in one session (its final attempt):
 *   pass-rate     1 / 1 passed, 0 / 1 failed or error, nothing otherwise
 *   failure-rate  1 / 1 failed or error, 0 / 1 otherwise
 *   flakiness     1 / 1 flaky in the run, 0 / 1 otherwise
 *   duration      its duration when it passed
 * A day's value: sum num / sum den over its sessions; for duration, the
 * median of its sessions' values.
 */
static void session_point(struct point *p, const ins_sess *s, ins_metric m)
{
	p->num = p->den = 0;
	p->value = NAN;
	switch (m) {
	case INS_METRIC_PASS_RATE:
		p->num = (double)s->n_passed;
		p->den = (double)(s->n_passed + s->n_failed + s->n_error);
		break;
	case INS_METRIC_FAILURE_RATE:
		p->num = (double)(s->n_failed + s->n_error);
		p->den = (double)s->n_tests;
		break;
	case INS_METRIC_FLAKINESS:
		p->num = (double)s->n_flaky;
		p->den = (double)s->n_tests;
		break;
	case INS_METRIC_DURATION:
		p->value = s->duration >= 0 ? s->duration : NAN;
		break;
	}
}

static void result_point(struct point *p, int outcome, int flags, int has_dur, double dur,
			 ins_metric m)
{
	p->num = p->den = 0;
	p->value = NAN;
	switch (m) {
	case INS_METRIC_PASS_RATE:
		if (outcome == INS_OUTCOME_PASSED || ins__failing(outcome)) {
			p->num = outcome == INS_OUTCOME_PASSED;
			p->den = 1;
		}
		break;
	case INS_METRIC_FAILURE_RATE:
		p->num = ins__failing(outcome);
		p->den = 1;
		break;
	case INS_METRIC_FLAKINESS:
		p->num = (flags & INS_RESULT_FLAKY) != 0;
		p->den = 1;
		break;
	case INS_METRIC_DURATION:
		if (outcome == INS_OUTCOME_PASSED && has_dur && dur >= 0)
			p->value = dur;
		break;
	}
}

/* Fold points [i, j) into one value. */
static double fold(const struct point *p, size_t i, size_t j, ins_metric m, dvec *scratch)
{
	double num = 0, den = 0;

	if (m == INS_METRIC_DURATION) {
		scratch->n = 0;
		for (size_t k = i; k < j; k++)
			if (!isnan(p[k].value))
				dvec_push(scratch, p[k].value);
		return scratch->n ? ins_stats_median(scratch->v, scratch->n) : NAN;
	}
	for (size_t k = i; k < j; k++) {
		num += p[k].num;
		den += p[k].den;
	}
	return den > 0 ? num / den : NAN;
}

/* The tests that moved the metric most: first half of the sessions against the second. */
struct mover {
	int64_t test_id;
	double before, after, change, p;
	size_t n1, n2;
};

struct mover_acc {
	ins_metric metric;
	long half;                  /* sessions with idx < half are the first half */
	const ins_duration_rule *dur;
	double f1, r1, f2, r2;      /* numerators and denominators per half */
	dvec d1, d2;
	struct mover *v;
	size_t n, alloc;
};

static void mover_row(void *data, const fin_row *r)
{
	struct mover_acc *a = data;
	int second = r->idx >= a->half, ran, hit;

	if (a->metric == INS_METRIC_DURATION) {
		if (r->outcome == INS_OUTCOME_PASSED && r->has_dur && r->dur >= 0)
			dvec_push(second ? &a->d2 : &a->d1, r->dur);
		return;
	}
	ran = r->outcome == INS_OUTCOME_PASSED || ins__failing(r->outcome);
	hit = a->metric == INS_METRIC_FLAKINESS ? (r->flags & INS_RESULT_FLAKY) != 0 :
	      ins__failing(r->outcome);
	if (second) {
		a->f2 += hit;
		a->r2 += ran;
	} else {
		a->f1 += hit;
		a->r1 += ran;
	}
}

/*
 * A test's move:
 *   rates     its failing share (failed or error / runs that passed or
 *             failed; for flakiness: runs flaky in the run / runs) in each
 *             half, change = share(second half) - share(first half), a half
 *             where the test did not run counting as share 0 (a test that
 *             did not exist did not fail); listed when not 0
 *   duration  the duration rule (ins_duration_judge) on the passing
 *             durations of the two halves; listed when slower or faster
 */
static void mover_end(void *data, const fin_row *r)
{
	struct mover_acc *a = data;
	struct mover m = { .test_id = r->test_id, .p = NAN };

	if (a->metric == INS_METRIC_DURATION) {
		ins_duration_change dc;

		if (a->d1.n && a->d2.n &&
		    ins_duration_judge(&dc, a->d1.v, a->d1.n, a->d2.v, a->d2.n, a->dur) == 0 &&
		    (dc.verdict == INS_DUR_SLOWER || dc.verdict == INS_DUR_FASTER)) {
			m.before = dc.base_median;
			m.after = dc.target_median;
			m.change = dc.rel;
			m.p = dc.mwu.p;
			m.n1 = dc.nbase;
			m.n2 = dc.ntarget;
			a->v = ins_xgrow(a->v, &a->alloc, a->n + 1, sizeof(m));
			a->v[a->n++] = m;
		}
	} else {
		m.before = a->r1 > 0 ? a->f1 / a->r1 : 0;
		m.after = a->r2 > 0 ? a->f2 / a->r2 : 0;
		m.change = m.after - m.before;
		m.n1 = (size_t)a->r1;
		m.n2 = (size_t)a->r2;
		if (m.change != 0) {
			a->v = ins_xgrow(a->v, &a->alloc, a->n + 1, sizeof(m));
			a->v[a->n++] = m;
		}
	}
	a->f1 = a->r1 = a->f2 = a->r2 = 0;
	a->d1.n = a->d2.n = 0;
}

static int cmp_mover(const void *x, const void *y)
{
	const struct mover *a = x, *b = y;
	double p = fabs(a->change), q = fabs(b->change);

	if (p != q)
		return (p < q) - (p > q);
	return (a->test_id > b->test_id) - (a->test_id < b->test_id);
}

/*
 * Reading a slope. The change over the series is slope * (x_last - x_first);
 * it is "steady" below 1 percentage point for rates and below 5 % of the
 * mean for durations; otherwise rising or falling, which is "improving" for
 * the pass rate and "worsening" for the other metrics (and the other way
 * round).
 */
static const char *trend_word(ins_metric m, double change, double mean, int *improving)
{
	int up = change > 0;

	*improving = 0;
	if (m == INS_METRIC_DURATION ? fabs(change) < 0.05 * fabs(mean) : fabs(change) < 0.01)
		return "steady";
	*improving = m == INS_METRIC_PASS_RATE ? up : !up;
	return *improving ? "improving" : "worsening";
}

static void format_value(ins_buf *b, ins_metric m, double v)
{
	if (m == INS_METRIC_DURATION)
		ins_duration_format(b, v);
	else
		ins_buf_printf(b, "%.1f%%", 100 * v);
}

int ins_analytics_analyze(ins_doc **out, ins_store *store, const ins_analytics_opts *o)
{
	ins_sessset set;
	struct point *pts = NULL;
	size_t npts = 0, apts = 0;
	struct mover_acc ma;
	dvec xs = { 0 }, ys = { 0 }, scratch = { 0 };
	ins_buf label = INS_BUF_INIT, text = INS_BUF_INIT, nodeid = INS_BUF_INIT;
	ins_vtype ytype = o->metric == INS_METRIC_DURATION ? INS_V_DURATION : INS_V_PERCENT;
	int64_t test_id = 0;
	ins_doc *doc = NULL;
	ins_series *series;
	double slope = NAN, icpt = NAN, mean = NAN;
	int rc;

	*out = NULL;
	memset(&ma, 0, sizeof(ma));
	ins_sessset_init(&set);
	if (o->nodeid && (rc = ins__test_id(store, o->nodeid, &test_id)) < 0)
		goto done;
	if ((rc = ins_sessset_load_window(&set, store, o->sut, o->from_ms, o->to_ms)) < 0)
		goto done;

	/* one point per session, in time order */
	if (!o->nodeid) {
		for (size_t i = 0; i < set.n; i++) {
			pts = ins_xgrow(pts, &apts, npts + 1, sizeof(*pts));
			pts[npts].idx = (long)i;
			session_point(&pts[npts++], &set.v[i], o->metric);
		}
	} else {
		sqlite3_stmt *st;

		/* result_by_test (test_id, session_id): one seek per session of the window */
		if ((rc = ins_store__prepare(store, &st,
			"SELECT r.session_id, r.outcome, r.flags, r.duration FROM result r "
			"WHERE r.test_id = ?1 AND r.session_id IN (SELECT value FROM json_each(?2)) "
			"AND r.final = 1")) < 0)
			goto done;
		sqlite3_bind_int64(st, 1, test_id);
		ins_store__bind_text(st, 2, ins_sessset_json(&set));
		while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			long idx = ins_sessset_find(&set, sqlite3_column_int64(st, 0));
			if (idx < 0)
				continue;
			pts = ins_xgrow(pts, &apts, npts + 1, sizeof(*pts));
			pts[npts].idx = idx;
			result_point(&pts[npts++], sqlite3_column_int(st, 1), sqlite3_column_int(st, 2),
				     sqlite3_column_type(st, 3) != SQLITE_NULL,
				     sqlite3_column_double(st, 3), o->metric);
		}
		sqlite3_finalize(st);
		if (rc != SQLITE_DONE) {
			rc = ins_store__error(store, "reading a test's results");
			goto done;
		}
		/* the seeks come back in session id order: put them in time order */
		for (size_t i = 1; i < npts; i++) {
			struct point p = pts[i];
			size_t j = i;
			while (j > 0 && pts[j - 1].idx > p.idx) {
				pts[j] = pts[j - 1];
				j--;
			}
			pts[j] = p;
		}
	}

	ins_buf_printf(&text, "%s%s%s", ins_metric_name(o->metric), o->nodeid ? " of " : "",
		       o->nodeid ? o->nodeid : "");
	doc = ins_doc_new("insight.analytics.analyze", text.ptr);
	window_facts(doc, o, &set);
	ins_doc_fact_text(doc, "metric", "Metric", ins_metric_name(o->metric));
	if (o->nodeid)
		ins_doc_fact_text(doc, "nodeid", "Test", o->nodeid);
	ins_doc_fact_text(doc, "by", "One point per", o->by_session ? "session" : "day");
	series = ins_doc_series(doc, "metric", ins_metric_name(o->metric), ytype);

	if (o->by_session) {
		for (size_t i = 0; i < npts; i++) {
			double y = fold(pts, i, i + 1, o->metric, &scratch);

			ins_buf_clear(&label);
			ins_buf_printf(&label, "%.*s", INS_SESSION_ID_SHORT, set.v[pts[i].idx].uid);
			ins_series_point(series, label.ptr, y);
			dvec_push(&xs, (double)i);
			dvec_push(&ys, y);
		}
	} else if (npts) {
		/* from the first session's day to the end of the window (days without data are gaps) */
		int64_t start = set.v[pts[0].idx].started_ms;
		size_t i = 0, dayno = 0;

		for (int64_t day = ins__day_start(start); day <= o->to_ms;
		     day = ins__day_start(day + DAY_MS + DAY_MS / 2), dayno++) {
			int64_t next = ins__day_start(day + DAY_MS + DAY_MS / 2);
			size_t j = i;
			double y;

			while (j < npts && set.v[pts[j].idx].started_ms < next)
				j++;
			y = fold(pts, i, j, o->metric, &scratch);
			i = j;
			ins_buf_clear(&label);
			ins__day_label(&label, day);
			ins_series_point(series, label.ptr, y);
			dvec_push(&xs, (double)dayno);
			dvec_push(&ys, y);
		}
	}

	{
		double sum = 0, first = NAN, last = NAN, change;
		size_t k = 0;
		int improving;

		for (size_t i = 0; i < ys.n; i++) {
			if (isnan(ys.v[i]))
				continue;
			if (isnan(first))
				first = ys.v[i];
			last = ys.v[i];
			sum += ys.v[i];
			k++;
		}
		mean = k ? sum / (double)k : NAN;
		ins_doc_fact_int(doc, "points", "Points with data", (int64_t)k);
		if (ytype == INS_V_DURATION) {
			ins_doc_fact_duration(doc, "first", "First", isnan(first) ? -1 : first);
			ins_doc_fact_duration(doc, "last", "Last", isnan(last) ? -1 : last);
			ins_doc_fact_duration(doc, "mean", "Mean", isnan(mean) ? -1 : mean);
		} else {
			ins_doc_fact_percent(doc, "first", "First", first);
			ins_doc_fact_percent(doc, "last", "Last", last);
			ins_doc_fact_percent(doc, "mean", "Mean", mean);
		}
		if (ins_stats_linfit(&slope, &icpt, xs.v, ys.v, xs.n) == 0) {
			double x0 = NAN, x1 = NAN;

			for (size_t i = 0; i < ys.n; i++) {
				if (isnan(ys.v[i]))
					continue;
				if (isnan(x0))
					x0 = xs.v[i];
				x1 = xs.v[i];
			}
			change = slope * (x1 - x0);
			ins_doc_fact_real(doc, "slope", o->by_session ? "Slope per session" :
					  "Slope per day", slope);
			ins_doc_fact_text(doc, "trend", "Trend",
					  trend_word(o->metric, change, mean, &improving));
			ins_buf_clear(&text);
			ins_buf_printf(&text, "%s %s", ins_metric_name(o->metric),
				       fabs(change) < 1e-12 ? "flat" : change > 0 ? "rising" : "falling");
			ins_buf_printf(&text, " by ");
			if (o->metric == INS_METRIC_DURATION)
				ins_duration_format(&text, fabs(slope));
			else
				ins_buf_printf(&text, "%.2f points", 100 * fabs(slope));
			ins_buf_printf(&text, " a %s (", o->by_session ? "session" : "day");
			format_value(&text, o->metric, first);
			ins_buf_puts(&text, " -> ");
			format_value(&text, o->metric, last);
			ins_buf_printf(&text, "): %s", trend_word(o->metric, change, mean, &improving));
			ins_doc_note(doc, INS_NOTE_VERDICT, "%s", text.ptr);
		} else {
			ins_doc_fact_null(doc, "slope", "Slope");
			ins_doc_fact_text(doc, "trend", "Trend", "not enough data");
			ins_doc_note(doc, INS_NOTE_VERDICT, "not enough data for a trend (it takes "
				     "two %s with data)", o->by_session ? "sessions" : "days");
		}
	}

	if (!o->nodeid) {
		ins_table *t;
		size_t limit = limit_of(o), shown;

		ma.metric = o->metric;
		ma.half = (long)(set.n / 2);
		ma.dur = &o->dur;
		if (set.n >= 2 && (rc = stream_finals(store, &set, mover_row, mover_end, &ma)) < 0)
			goto done;
		if (ma.n)
			qsort(ma.v, ma.n, sizeof(*ma.v), cmp_mover);
		t = ins_doc_table(doc, "movers", "Tests that moved it most (first half of the "
				  "sessions against the second)");
		ins_table_column(t, "nodeid", "Test", INS_V_TEXT);
		if (o->metric == INS_METRIC_DURATION) {
			ins_table_column(t, "before", "Before (median)", INS_V_DURATION);
			ins_table_column(t, "after", "After (median)", INS_V_DURATION);
			ins_table_column(t, "change", "Change", INS_V_PERCENT);
			ins_table_column(t, "p", "p", INS_V_REAL);
		} else {
			const char *what = o->metric == INS_METRIC_FLAKINESS ? "flaky" : "failing";

			ins_buf_clear(&text);
			ins_buf_printf(&text, "Before (%s)", what);
			ins_table_column(t, "before", text.ptr, INS_V_PERCENT);
			ins_buf_clear(&text);
			ins_buf_printf(&text, "After (%s)", what);
			ins_table_column(t, "after", text.ptr, INS_V_PERCENT);
			ins_table_column(t, "change", "Change", INS_V_PERCENT);
		}
		ins_table_column(t, "runs_before", "Runs before", INS_V_INT);
		ins_table_column(t, "runs_after", "Runs after", INS_V_INT);
		ins_table_set_empty(t, "no test moved it");
		shown = ma.n < limit ? ma.n : limit;
		for (size_t i = 0; i < shown; i++) {
			test_nodeid(store, ma.v[i].test_id, &nodeid);
			ins_table_row(t);
			ins_table_text(t, nodeid.ptr);
			ins_table_real(t, ma.v[i].before);
			ins_table_real(t, ma.v[i].after);
			ins_table_real(t, ma.v[i].change);
			if (o->metric == INS_METRIC_DURATION)
				ins_table_real(t, ma.v[i].p);
			ins_table_int(t, (int64_t)ma.v[i].n1);
			ins_table_int(t, (int64_t)ma.v[i].n2);
		}
		ins_table_set_total(t, ma.n);
	}
	rc = 0;
done:
	free(pts);
	free(xs.v);
	free(ys.v);
	free(scratch.v);
	free(ma.v);
	free(ma.d1.v);
	free(ma.d2.v);
	ins_buf_release(&label);
	ins_buf_release(&text);
	ins_buf_release(&nodeid);
	ins_sessset_release(&set);
	if (rc < 0) {
		ins_doc_free(doc);
		doc = NULL;
	}
	*out = doc;
	return rc;
}
