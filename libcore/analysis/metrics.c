/*
 * metrics.c - the history as Prometheus text exposition (see insight/metrics.h).
 *
 * One pass over the SUTs collects each one's figures; the families are then
 * written one after the other, every SUT's samples together under the
 * family's HELP and TYPE, as the format requires.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/analysis_internal.h"
#include "insight/metrics.h"
#include "insight/model.h"

/* Upper bounds of the duration histogram's buckets, in seconds (+Inf follows). */
static const double buckets[] = { 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
				  30, 60, 120, 300, 600 };
#define NBUCKETS (sizeof(buckets) / sizeof(buckets[0]))

struct sut_metrics {
	char *name;
	int64_t sessions;
	ins_session_brief brief;
	int64_t last_ms;               /* finished, else started */
	uint64_t hist[NBUCKETS + 1];   /* cumulative counts, the last one +Inf */
	double dur_sum;
	uint64_t dur_count;
};

void ins_metrics_label_escape(ins_buf *out, const char *s)
{
	for (; *s; s++) {
		if (*s == '\\')
			ins_buf_puts(out, "\\\\");
		else if (*s == '"')
			ins_buf_puts(out, "\\\"");
		else if (*s == '\n')
			ins_buf_puts(out, "\\n");
		else
			ins_buf_putc(out, *s);
	}
}

/* A sample value: integers as such, others with enough digits to read back. */
static void put_value(ins_buf *out, double v)
{
	if (isnan(v))
		ins_buf_puts(out, "NaN");
	else if (v == floor(v) && fabs(v) < 1e15)
		ins_buf_printf(out, "%.0f", v);
	else {
		char t[40];

		snprintf(t, sizeof(t), "%.15g", v);
		if (strtod(t, NULL) != v)
			snprintf(t, sizeof(t), "%.17g", v);
		ins_buf_puts(out, t);
	}
}

static void put_sample(ins_buf *out, const char *name, const char *sut, const char *extra,
		       double v)
{
	ins_buf_printf(out, "%s{sut=\"", name);
	ins_metrics_label_escape(out, sut);
	ins_buf_putc(out, '"');
	if (extra)
		ins_buf_printf(out, ",%s", extra);
	ins_buf_puts(out, "} ");
	put_value(out, v);
	ins_buf_putc(out, '\n');
}

static void put_family(ins_buf *out, const char *name, const char *type, const char *help)
{
	ins_buf_printf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* The latest session's time and its tests' durations. */
static int read_last(ins_store *store, struct sut_metrics *m)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if ((rc = ins_store__prepare(store, &st,
			"SELECT coalesce(finished_ms, started_ms) FROM session WHERE uid = ?1")) < 0)
		return rc;
	sqlite3_bind_text(st, 1, m->brief.uid, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		m->last_ms = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	if ((rc = ins_store__prepare(store, &st,
			"SELECT r.duration FROM result r JOIN session s ON s.id = r.session_id "
			"WHERE s.uid = ?1 AND r.final = 1 AND r.duration >= 0")) < 0)
		return rc;
	sqlite3_bind_text(st, 1, m->brief.uid, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		double d = sqlite3_column_double(st, 0);

		for (size_t b = 0; b < NBUCKETS; b++)
			if (d <= buckets[b])
				m->hist[b]++;
		m->hist[NBUCKETS]++;
		m->dur_sum += d;
		m->dur_count++;
	}
	rc = rc == SQLITE_DONE ? 0 : ins_store__error(store, "reading test durations");
	sqlite3_finalize(st);
	return rc;
}

int ins_metrics_text(ins_store *store, const char *sut, ins_buf *out)
{
	struct sut_metrics *v = NULL;
	size_t n = 0, alloc = 0;
	sqlite3_stmt *st = NULL;
	ins_buf lbl = INS_BUF_INIT;
	int rc;

	if ((rc = ins_store__prepare(store, &st,
			"SELECT u.name, count(s.id), (SELECT l.uid FROM session l WHERE l.sut_id = u.id "
			"  ORDER BY l.started_ms DESC, l.id DESC LIMIT 1) "
			"FROM sut u JOIN session s ON s.sut_id = u.id "
			"WHERE ?1 IS NULL OR u.name = ?1 GROUP BY u.id ORDER BY u.name")) < 0)
		return rc;
	ins_store__bind_text(st, 1, sut);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		v = ins_xgrow(v, &alloc, n + 1, sizeof(*v));
		memset(&v[n], 0, sizeof(v[n]));
		v[n].name = ins_xstrdup(ins_store__col_text(st, 0));
		v[n].sessions = sqlite3_column_int64(st, 1);
		snprintf(v[n].brief.uid, sizeof(v[n].brief.uid), "%s", ins_store__col_text(st, 2));
		n++;
	}
	if (rc != SQLITE_DONE) {
		rc = ins_store__error(store, "reading the SUTs");
		goto done;
	}
	rc = 0;
	if (sut && n == 0) {
		rc = ins_error_set(INS_ENOTFOUND, "no sessions of SUT '%s' in the history", sut);
		goto done;
	}
	for (size_t i = 0; i < n; i++) {
		char uid[INS_SESSION_ID_LEN + 1];

		memcpy(uid, v[i].brief.uid, sizeof(uid));
		if ((rc = ins_store_session_brief(store, uid, &v[i].brief)) < 0 ||
		    (rc = read_last(store, &v[i])) < 0)
			goto done;
	}

	put_family(out, "insight_sessions_total", "counter",
		   "Sessions recorded in the history, per SUT.");
	for (size_t i = 0; i < n; i++)
		put_sample(out, "insight_sessions_total", v[i].name, NULL, (double)v[i].sessions);

	put_family(out, "insight_tests", "gauge",
		   "Tests of the SUT's latest session by final outcome.");
	for (size_t i = 0; i < n; i++) {
		for (int o = 0; o < INS_OUTCOME_COUNT; o++) {
			ins_buf_clear(&lbl);
			ins_buf_printf(&lbl, "outcome=\"%s\"", ins_outcome_name((ins_outcome)o));
			put_sample(out, "insight_tests", v[i].name, lbl.ptr,
				   (double)v[i].brief.counts[o]);
		}
	}

	put_family(out, "insight_pass_ratio", "gauge",
		   "Passed over passed, failed and errors in the SUT's latest session (0 to 1).");
	for (size_t i = 0; i < n; i++) {
		const int64_t *c = v[i].brief.counts;
		int64_t den = c[INS_OUTCOME_PASSED] + c[INS_OUTCOME_FAILED] + c[INS_OUTCOME_ERROR];

		if (den > 0)
			put_sample(out, "insight_pass_ratio", v[i].name, NULL,
				   (double)c[INS_OUTCOME_PASSED] / (double)den);
	}

	put_family(out, "insight_flaky_tests", "gauge",
		   "Tests that passed after a failed attempt in the SUT's latest session.");
	for (size_t i = 0; i < n; i++)
		put_sample(out, "insight_flaky_tests", v[i].name, NULL, (double)v[i].brief.flaky);

	put_family(out, "insight_new_failures", "gauge",
		   "Tests failing in the SUT's latest session that did not fail in the one before.");
	for (size_t i = 0; i < n; i++)
		put_sample(out, "insight_new_failures", v[i].name, NULL,
			   (double)v[i].brief.new_failures);

	put_family(out, "insight_last_session_timestamp_seconds", "gauge",
		   "When the SUT's latest session finished (or started), in seconds since the epoch.");
	for (size_t i = 0; i < n; i++)
		put_sample(out, "insight_last_session_timestamp_seconds", v[i].name, NULL,
			   (double)v[i].last_ms / 1000.0);

	put_family(out, "insight_last_session_duration_seconds", "gauge",
		   "Wall-clock duration of the SUT's latest session.");
	for (size_t i = 0; i < n; i++)
		if (v[i].brief.duration >= 0)
			put_sample(out, "insight_last_session_duration_seconds", v[i].name, NULL,
				   v[i].brief.duration);

	put_family(out, "insight_test_duration_seconds", "histogram",
		   "Durations of the final attempts of the tests of the SUT's latest session.");
	for (size_t i = 0; i < n; i++) {
		for (size_t b = 0; b <= NBUCKETS; b++) {
			ins_buf_clear(&lbl);
			if (b < NBUCKETS)
				ins_buf_printf(&lbl, "le=\"%g\"", buckets[b]);
			else
				ins_buf_puts(&lbl, "le=\"+Inf\"");
			put_sample(out, "insight_test_duration_seconds_bucket", v[i].name, lbl.ptr,
				   (double)v[i].hist[b]);
		}
		put_sample(out, "insight_test_duration_seconds_sum", v[i].name, NULL, v[i].dur_sum);
		put_sample(out, "insight_test_duration_seconds_count", v[i].name, NULL,
			   (double)v[i].dur_count);
	}
done:
	sqlite3_finalize(st);
	for (size_t i = 0; i < n; i++)
		free(v[i].name);
	free(v);
	ins_buf_release(&lbl);
	return rc;
}
