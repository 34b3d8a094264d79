/*
 * flaky.c - flaky tests: the score and the scan (see analytics.h).
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

void ins_an__flaky_list_release(struct flaky_list *l)
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
int ins_an__flaky_scan(struct flaky_list *out, ins_store *store, const ins_sessset *set,
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
	 * One range of result_by_test and one of result_recent per candidate,
	 * over the set's span of session ids; sessions outside the set are
	 * dropped below, and flaky_evidence puts the runs in order. Cheaper
	 * than one index seek per session of the set.
	 */
	if ((rc = ins_store__prepare(store, &per,
		"SELECT r.session_id, r.outcome, r.flags FROM " INS_RESULT_BY_TEST " r "
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
		ins_an__nodeid(store, tid, &nodeid);
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
		ins_an__flaky_list_release(out);
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
	if ((rc = ins_an__flaky_scan(&fl, store, &set, &ds, o)) < 0)
		goto done;
	doc = ins_doc_new("insight.analytics.flaky", "Flaky tests");
	ins_an__window_facts(doc, o, &set);
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
	ins_an__flaky_list_release(&fl);
	*out = doc;
done:
	ins_sessset_release(&set);
	ins__dayspan_release(&ds);
	return rc;
}
