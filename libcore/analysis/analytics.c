/*
 * analytics.c - what the analyses of analytics.h share: options, metrics,
 * the stream of final attempts (see analytics_internal.h).
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
 * output is stable); every formula is stated once, beside its code, in
 * the file of its analysis (flaky.c, summary.c, failures.c, analyze.c).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/analytics_internal.h"
#include "insight/analytics.h"
#include "insight/stats.h"
#include "insight/timeutil.h"

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
	o->from_ms = o->to_ms - 7 * INS_AN_DAY_MS;
	o->min_runs = 5;
	o->threshold = 0.5;
	o->half_life = 10;
	o->dur = def;
}

size_t ins_an__limit(const ins_analytics_opts *o)
{
	return o->limit ? o->limit : 10;
}

/* ---- small helpers ---- */

/* The node id of a test row id into `out` ("?" when gone). */
void ins_an__nodeid(ins_store *store, int64_t id, ins_buf *out)
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

void ins_an__window_facts(ins_doc *doc, const ins_analytics_opts *o, const ins_sessset *set)
{
	ins_doc_fact_text(doc, "sut", "SUT", o->sut ? o->sut : "(all)");
	ins_doc_fact_time(doc, "from", "From", o->from_ms > 0 ? o->from_ms : 0);
	ins_doc_fact_time(doc, "to", "To", o->to_ms);
	ins_doc_fact_int(doc, "sessions", "Sessions", (int64_t)set->n);
}

/* See analytics_internal.h. */
int ins_an__stream_finals(ins_store *store, const ins_sessset *set, fin_fn row, fin_fn end,
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

void ins_dvec_push(dvec *d, double x)
{
	d->v = ins_xgrow(d->v, &d->alloc, d->n + 1, sizeof(*d->v));
	d->v[d->n++] = x;
}
