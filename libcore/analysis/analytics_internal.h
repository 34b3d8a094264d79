/*
 * analytics_internal.h - what the analyses of analytics.h (summary.c,
 * flaky.c, failures.c, analyze.c) share, on top of analysis_internal.h:
 * the stream of a window's final attempts, the flaky scan (summary counts
 * flaky tests too) and a few small helpers.
 */
#ifndef INSIGHT_ANALYTICS_INTERNAL_H
#define INSIGHT_ANALYTICS_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "analysis/analysis_internal.h"
#include "insight/analytics.h"

#define INS_AN_DAY_MS INT64_C(86400000)

/* The row limit of a table: o->limit, 10 when unset. */
size_t ins_an__limit(const ins_analytics_opts *o);

/* The node id of a test row id into `out` ("?" when gone). */
void ins_an__nodeid(ins_store *store, int64_t id, ins_buf *out);

/* The window's facts: SUT, from, to and the number of sessions. */
void ins_an__window_facts(ins_doc *doc, const ins_analytics_opts *o, const ins_sessset *set);

/* One final attempt of one test in one session of a set. */
typedef struct fin_row {
	int64_t test_id;
	long idx;          /* index of the session in the set (time order) */
	int outcome, flags;
	int has_dur;
	double dur;
} fin_row;

typedef void (*fin_fn)(void *data, const fin_row *r);

/*
 * Stream the final attempts of a set's sessions ordered by test: `row` is
 * called for each, `end` after each test's last row. Cost: one primary-key
 * range seek per session, then a sort of the rows by test (the same work a
 * GROUP BY test_id does).
 */
int ins_an__stream_finals(ins_store *store, const ins_sessset *set, fin_fn row, fin_fn end,
			  void *data);

/* A growable array of doubles. */
typedef struct dvec {
	double *v;
	size_t n, alloc;
} dvec;

void ins_dvec_push(dvec *d, double x);

/* One test the flaky scan scored. */
struct flaky_test {
	int64_t test_id;
	char *nodeid;        /* owned */
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

/*
 * Score every test with a failing attempt in `set` (read through `ds`'s
 * days and edge sessions when given). Fills `out`, which the caller
 * releases with ins_an__flaky_list_release, also on error.
 */
int ins_an__flaky_scan(struct flaky_list *out, ins_store *store, const ins_sessset *set,
		       const ins_dayspan *ds, const ins_analytics_opts *o);
void ins_an__flaky_list_release(struct flaky_list *l);

#endif
