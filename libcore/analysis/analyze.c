/*
 * analyze.c - a metric over time per SUT or test: slope, sparkline and movers.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/analytics_internal.h"
#include "insight/analytics.h"
#include "insight/stats.h"
#include "insight/timeutil.h"


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
				ins_dvec_push(scratch, p[k].value);
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
			ins_dvec_push(second ? &a->d2 : &a->d1, r->dur);
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
	ins_buf label = INS_BUF_INIT, text = INS_BUF_INIT, nodeid = INS_BUF_INIT, when = INS_BUF_INIT;
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
			"SELECT r.session_id, r.outcome, r.flags, r.duration "
			"FROM " INS_RESULT_BY_TEST " r "
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
	ins_an__window_facts(doc, o, &set);
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
			ins_buf_clear(&when);
			ins_time_format_local(&when, set.v[pts[i].idx].started_ms, 0);
			ins_series_point_label(series, label.ptr, when.ptr, y);
			ins_dvec_push(&xs, (double)i);
			ins_dvec_push(&ys, y);
		}
	} else if (npts) {
		/* from the first session's day to the end of the window (days without data are gaps) */
		int64_t start = set.v[pts[0].idx].started_ms;
		size_t i = 0, dayno = 0;

		for (int64_t day = ins__day_start(start); day <= o->to_ms;
		     day = ins__day_start(day + INS_AN_DAY_MS + INS_AN_DAY_MS / 2), dayno++) {
			int64_t next = ins__day_start(day + INS_AN_DAY_MS + INS_AN_DAY_MS / 2);
			size_t j = i;
			double y;

			while (j < npts && set.v[pts[j].idx].started_ms < next)
				j++;
			y = fold(pts, i, j, o->metric, &scratch);
			i = j;
			ins_buf_clear(&label);
			ins__day_label(&label, day);
			ins_series_point(series, label.ptr, y);
			ins_dvec_push(&xs, (double)dayno);
			ins_dvec_push(&ys, y);
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
			const char *slope_label = o->by_session ? "Slope per session" : "Slope per day";
			double x0 = NAN, x1 = NAN;

			for (size_t i = 0; i < ys.n; i++) {
				if (isnan(ys.v[i]))
					continue;
				if (isnan(x0))
					x0 = xs.v[i];
				x1 = xs.v[i];
			}
			change = slope * (x1 - x0);
			/* the metric's unit per point: seconds, or a ratio's change */
			if (ytype == INS_V_DURATION)
				ins_doc_fact_duration_delta(doc, "slope", slope_label, slope);
			else
				ins_doc_fact_points(doc, "slope", slope_label, slope);
			ins_doc_fact_text(doc, "trend", "Trend",
					  trend_word(o->metric, change, mean, &improving));
			ins_buf_clear(&text);
			ins_buf_printf(&text, "%s %s", ins_metric_name(o->metric),
				       fabs(change) < 1e-12 ? "flat" : change > 0 ? "rising" : "falling");
			ins_buf_printf(&text, " by ");
			if (o->metric == INS_METRIC_DURATION)
				ins_duration_format(&text, fabs(slope));
			else
				ins_points_format(&text, slope, 0);
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
		size_t limit = ins_an__limit(o), shown;

		ma.metric = o->metric;
		ma.half = (long)(set.n / 2);
		ma.dur = &o->dur;
		if (set.n >= 2 && (rc = ins_an__stream_finals(store, &set, mover_row, mover_end, &ma)) < 0)
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
			ins_table_column(t, "change", "Change", INS_V_POINTS);
		}
		ins_table_column(t, "runs_before", "Runs before", INS_V_INT);
		ins_table_column(t, "runs_after", "Runs after", INS_V_INT);
		ins_table_set_empty(t, "no test moved it");
		shown = ma.n < limit ? ma.n : limit;
		for (size_t i = 0; i < shown; i++) {
			ins_an__nodeid(store, ma.v[i].test_id, &nodeid);
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
	ins_buf_release(&when);
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
