/*
 * compare.h - two sets of sessions, test by test: new failures, fixed,
 * still failing, flaky, added, removed, other outcome changes, duration
 * regressions and improvements, the pass-rate delta, and a gate for
 * pipelines ("fail only on failures that are new against main").
 *
 * The per-set status of a test comes from its final outcome in each
 * session of the set (its last attempt):
 *   passed   it passed in at least one session and failed (failed or
 *            error) in none
 *   failed   it failed in at least one session and passed in none
 *   flaky    it both passed and failed across the sessions of the set
 *   skipped  it ran only as skipped, xfailed or xpassed
 *   absent   it is in none of the set's sessions
 * A test whose final attempt passed after a failed attempt in the same
 * session ("flaky in the run") counts as passed there, and is also flaky.
 *
 * Sections (a test is in exactly one of the first seven; "added" tests that
 * fail are also new failures):
 *   flaky          flaky (either way above) in the base or the target
 *   new failures   failed in the target; passed, skipped or absent in the base
 *   fixed          failed in the base, passed in the target
 *   still failing  failed in both
 *   added          absent in the base;  removed: absent in the target
 *   changed        any other change of status (e.g. passed -> skipped)
 * Durations are compared on their own (see ins_duration_judge).
 *
 * Without a SUT named (opts->sel.sut), refs read as commits or periods must
 * select the sessions of one SUT: when their sessions span several, the
 * comparison is refused (INS_EAMBIGUOUS, naming the SUTs) instead of mixing
 * their tests.
 */
#ifndef INSIGHT_COMPARE_H
#define INSIGHT_COMPARE_H

#include <stddef.h>

#include "insight/buf.h"
#include "insight/doc.h"
#include "insight/selection.h"
#include "insight/stats.h"
#include "insight/store.h"

/* ---- duration changes ---- */

/*
 * When a test's durations count as changed: the Mann-Whitney p-value is
 * below `alpha` AND the median moved by at least `min_rel` (a ratio of the
 * base median) AND by at least `min_abs` seconds.
 */
typedef struct ins_duration_rule {
	double alpha;    /* default 0.01 */
	double min_rel;  /* default 0.20 */
	double min_abs;  /* default 0.050 */
} ins_duration_rule;

#define INS_DURATION_RULE_INIT { 0.01, 0.20, 0.050 }

typedef enum ins_dur_verdict {
	INS_DUR_UNCHANGED = 0,
	INS_DUR_SLOWER,
	INS_DUR_FASTER,
	INS_DUR_TOO_FEW    /* no data of these sizes could be significant at alpha */
} ins_dur_verdict;

typedef struct ins_duration_change {
	ins_dur_verdict verdict;
	double base_median, target_median;  /* seconds */
	double rel;                         /* (target - base) / base; NAN when base is 0 */
	size_t nbase, ntarget;
	ins_mwu mwu;                        /* valid unless TOO_FEW */
} ins_duration_change;

/*
 * Judge base durations against target durations (seconds, no NANs) by the
 * rule. Sorts both arrays in place. TOO_FEW when either is empty or when
 * ins_stats_mwu_min_p(nbase, ntarget) >= alpha. Returns 0 or INS_EUSAGE.
 */
int ins_duration_judge(ins_duration_change *out, double *base, size_t nbase, double *target,
		       size_t ntarget, const ins_duration_rule *rule);

/* ---- the gate ---- */

enum {
	INS_GATE_NEW_FAILURES = 1 << 0, /* a test fails in the target that did not fail in the base */
	INS_GATE_REGRESSIONS = 1 << 1,  /* a test got significantly slower (duration regression) */
	INS_GATE_ANY_FAILURE = 1 << 2,  /* a test failed in some target session */
	INS_GATE_FLAKY = 1 << 3         /* a test is flaky in the target */
};
#define INS_GATE_COUNT 4

/* "new-failures", "regressions", "any-failure", "flaky" for bit i. */
const char *ins_gate_name(int bit);
/* Parse a comma-separated list of the names above into *out. INS_EUSAGE when unknown. */
int ins_gate_parse(unsigned *out, const char *list);

/* ---- compare ---- */

typedef struct ins_compare_opts {
	ins_selection_opts sel;  /* how --base and --target are read (mode, SUT, window, repo) */
	ins_sel_mode base_mode;  /* overrides sel.mode for the base when not AUTO */
	ins_sel_mode target_mode;
	ins_duration_rule dur;
	unsigned fail_on;        /* INS_GATE_* conditions that fail the gate */
	size_t limit;            /* rows per section; 0: all */
	const struct ins_categories *categories;  /* new failures' categories (NULL: "product") */
} ins_compare_opts;

/* Defaults: automatic reading, INS_DURATION_RULE_INIT, no gate, no limit. */
void ins_compare_opts_init(ins_compare_opts *o);

/* The outcome of a comparison, also present in the document. */
typedef struct ins_compare_result {
	size_t tests;                 /* tests in either set */
	size_t new_failures, fixed, still_failing, flaky, added, removed, changed;
	size_t slower, faster, too_few;
	size_t target_failing;        /* tests failing in some target session */
	size_t target_flaky;          /* tests flaky in the target */
	size_t target_tests;          /* tests in the target: passed + failed + skipped below */
	size_t target_passed;         /* passed in the target (flaky across its sessions too) */
	size_t target_failed;         /* failed in every target session that ran them */
	size_t target_skipped;        /* only skipped (xfailed, xpassed) in the target */
	size_t base_tests, base_passed, base_failed, base_skipped;  /* the same in the base */
	double base_pass_rate, target_pass_rate;  /* NAN when nothing ran */
	unsigned tripped;             /* INS_GATE_* conditions that hold (whether asked or not) */
	int gate_failed;              /* some condition of fail_on holds */
	size_t new_causes;            /* causes among the new failures (one each without a message) */
	size_t top_cause_failures;    /* new failures of the cause with the most of them */
	char top_cause[17];           /* that cause's id */
	char top_cause_title[160];    /* and its signature in one line (ins_fingerprint_title) */
} ins_compare_result;

/*
 * The first lines of a comparison, for people: the verdict ("2 new
 * failures, 1 duration regression; gate failed: new-failures") into
 * `verdict`, and the counts of the target into `counts` ("29 tests: 27
 * passed, 2 failed (2 new), 1 flaky; pass rate 98.6% → 92.4% (−6.2
 * points)"). `fail_on` is the gate asked for (0: none). Both are appended.
 */
void ins_compare_headline(ins_buf *verdict, ins_buf *counts, const ins_compare_result *r,
			  unsigned fail_on);

/*
 * Resolve `base` and `target` (see selection.h) and compare them. On
 * success *out is a new document (kind "insight.analytics.compare", the
 * caller frees it) and *res (may be NULL) the counts and the gate.
 */
int ins_compare_refs(ins_doc **out, ins_compare_result *res, ins_store *store, const char *base,
		     const char *target, const ins_compare_opts *opts);

/* Compare two resolved selections. */
int ins_compare_selections(ins_doc **out, ins_compare_result *res, ins_store *store,
			   const ins_selection *base, const ins_selection *target,
			   const ins_compare_opts *opts);

#endif
