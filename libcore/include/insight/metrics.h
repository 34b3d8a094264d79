/*
 * metrics.h - the history as Prometheus metrics.
 *
 * The text exposition format 0.0.4 (every line ends with "\n"), one series
 * per SUT (label `sut`), over each SUT's latest session:
 *
 *   insight_sessions_total                   counter  sessions recorded
 *   insight_tests{outcome}                   gauge    final outcomes
 *   insight_pass_ratio                       gauge    passed / (passed + failed + error)
 *   insight_flaky_tests                      gauge    passed after a failed attempt
 *   insight_new_failures                     gauge    failing now, not in the previous session
 *   insight_last_session_timestamp_seconds   gauge    when it finished (or started)
 *   insight_last_session_duration_seconds    gauge    its wall-clock duration
 *   insight_test_duration_seconds            histogram  its tests' final attempts
 *
 * No sample carries a timestamp (a Pushgateway refuses them).
 */
#ifndef INSIGHT_METRICS_H
#define INSIGHT_METRICS_H

#include "insight/buf.h"
#include "insight/store.h"

/*
 * Append the exposition of SUT `sut` (NULL: every SUT) to `out`. A SUT that
 * is not in the history is INS_ENOTFOUND. An empty history gives the HELP and
 * TYPE lines alone.
 */
int ins_metrics_text(ins_store *store, const char *sut, ins_buf *out);

/* Append `s` as a Prometheus label value: backslash, double quote and newline escaped. */
void ins_metrics_label_escape(ins_buf *out, const char *s);

#endif
