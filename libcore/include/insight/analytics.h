/*
 * analytics.h - the analyses over a window of history: summary, flaky
 * tests, failures grouped by fingerprint, trends (analyze), and the
 * git-aware "since which commit does this test fail" (test since).
 *
 * Each returns a report document the caller owns (doc.h); none prints.
 * Formulas are written once, beside their code in analytics.c and
 * since.c, and quoted by the man pages.
 */
#ifndef INSIGHT_ANALYTICS_H
#define INSIGHT_ANALYTICS_H

#include <stddef.h>
#include <stdint.h>

#include "insight/compare.h"
#include "insight/doc.h"
#include "insight/store.h"

typedef enum ins_metric {
	INS_METRIC_PASS_RATE = 0, /* passed / (passed + failed + error) */
	INS_METRIC_DURATION,      /* seconds */
	INS_METRIC_FAILURE_RATE,  /* (failed + error) / tests run, skipped included */
	INS_METRIC_FLAKINESS      /* share of tests flaky in the run */
} ins_metric;

/* "pass-rate", "duration", "failure-rate", "flakiness". */
const char *ins_metric_name(ins_metric m);
int ins_metric_parse(ins_metric *out, const char *name);

/* What analytics failures groups by. */
typedef enum ins_failures_by {
	INS_FAILURES_BY_CAUSE = 0,   /* the root error, whichever test it failed (default) */
	INS_FAILURES_BY_FINGERPRINT,
	INS_FAILURES_BY_TEST,
	INS_FAILURES_BY_CATEGORY     /* the [category] rules of the configuration */
} ins_failures_by;

typedef struct ins_analytics_opts {
	const char *sut;        /* only this SUT; NULL: every SUT */
	int64_t from_ms;        /* the window, inclusive (see ins_analytics_opts_init) */
	int64_t to_ms;
	size_t limit;           /* rows of "top" tables; 0: 10 */
	const char *nodeid;     /* failures: one test's failure history; analyze: one test's trend */
	/* failures */
	ins_failures_by failures_by;
	const char *cause;      /* one cause (its hash or a prefix): its tests and sessions */
	const struct ins_categories *categories;  /* failure categories (NULL: all "product") */
	/* flaky */
	long min_runs;          /* fewer runs: "not enough data"; default 5 */
	double threshold;       /* a score at or above it is flaky; default 0.5 */
	double half_life;       /* of the flip weights, in runs of the test; default 10 */
	/* analyze */
	ins_metric metric;
	int by_session;         /* one point per session instead of per day */
	ins_duration_rule dur;  /* what counts as a duration change */
	/* since */
	const char *repo;       /* the git repository; NULL: the working directory */
} ins_analytics_opts;

/* Defaults; the window is the 7 days up to now (ins_time_now_ms). */
void ins_analytics_opts_init(ins_analytics_opts *o);

/*
 * summary: per SUT over the window: sessions, distinct tests, outcome
 * counts, pass rate, sessions with failures, flaky tests, top failing and
 * slowest tests, pass rate per day, and a verdict against the previous
 * window of the same length. Kind "insight.analytics.summary".
 */
int ins_analytics_summary(ins_doc **out, ins_store *store, const ins_analytics_opts *o);

/*
 * flaky: the evidence per test (in-run, same tree, flips), the score,
 * "not enough data" for tests below min_runs. Table "flaky" holds the
 * tests at or above the threshold (column "nodeid"), table "not_enough_data"
 * the ones that would be but ran too rarely. Kind "insight.analytics.flaky".
 */
int ins_analytics_flaky(ins_doc **out, ins_store *store, const ins_analytics_opts *o);

/*
 * failures: failing attempts grouped by cause (o->failures_by: or by
 * fingerprint, or by test), with first and last sighting in the history
 * (of the SUT) and whether the group is new in the window; with o->nodeid,
 * that test's failures fingerprint by fingerprint; with o->cause, the tests
 * and sessions of that cause. Kind "insight.analytics.failures".
 */
int ins_analytics_failures(ins_doc **out, ins_store *store, const ins_analytics_opts *o);

/*
 * analyze: one metric per day (or session), its least-squares slope read in
 * plain words, a sparkline series, and the tests that moved it most (the
 * first half of the window's sessions against the second). With o->nodeid,
 * the metric of that one test. Kind "insight.analytics.analyze".
 */
int ins_analytics_analyze(ins_doc **out, ins_store *store, const ins_analytics_opts *o);

/*
 * test since: for a test failing in its latest session, the last session
 * where it passed and the first where it failed, in commit order (libgit2
 * revwalk from the failing commit) where git facts allow, else in time
 * order; and the commits in between. o->sut and o->repo apply.
 * Kind "insight.test.since".
 */
int ins_test_since(ins_doc **out, ins_store *store, const char *nodeid,
		   const ins_analytics_opts *o);

/* ---- the flaky score, exposed for testing and documentation ---- */

typedef struct ins_flaky_evidence {
	int64_t runs;        /* sessions where the test's final outcome was passed, failed or error */
	int64_t failed;      /* of those, failed or error */
	int64_t in_run;      /* sessions with a failed attempt followed by a passing one */
	int64_t same_tree;   /* clean git trees on which it both passed and failed */
	int64_t flips;       /* outcome changes between consecutive runs */
	double flip_rate;    /* decay-weighted flip rate (ins_stats_flip_rate) */
	double excess_flip_rate; /* the same without the most recent flip */
} ins_flaky_evidence;

/* Per-kind scores and their noisy-OR combination; see analytics.c. */
double ins_flaky_score_in_run(int64_t in_run);
double ins_flaky_score_same_tree(int64_t same_tree);
double ins_flaky_score_flips(double excess_flip_rate);
double ins_flaky_score(const ins_flaky_evidence *e);

#endif
