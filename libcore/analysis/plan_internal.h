/*
 * plan_internal.h - what plan.c (shards) and order.c (orders) share: the
 * SUT's recent history per test, and the items of a list of names.
 */
#ifndef INSIGHT_PLAN_INTERNAL_H
#define INSIGHT_PLAN_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "insight/plan.h"
#include "insight/store.h"

/* Weights of a test's failures halve every this many runs, newest first. */
#define INS_PLAN_FAIL_HALF_LIFE 3.0

/* One test of the SUT's latest INS_PLAN_RECENT_SESSIONS sessions. */
struct ins_plan_known {
	char *nodeid;
	double estimate;    /* seconds (plan.h's rule); -1 when no run has a time */
	double fail_rate;   /* decayed: failed or error 1, passed on a retry 0.5, skips left out */
	int runs;
	int failed_last;    /* failed or errored in the SUT's latest session */
};

/*
 * The tests of those sessions, sorted by node id. With `run_total` > 0 the
 * sessions tagged shard=I/run_total of commit `run_commit` (NULL: of no
 * commit) are left out: the shards of one run all plan from the same history.
 */
int ins__plan_read_known(ins_store *store, int64_t sut_id, int64_t since_ms, int run_total,
			 const char *run_commit, struct ins_plan_known **out, size_t *nout);
void ins__plan_known_free(struct ins_plan_known *v, size_t n);
const struct ins_plan_known *ins__plan_known_find(const struct ins_plan_known *k, size_t nk,
						  const char *nodeid);

/* The node ids of the tests of the SUT's latest session that is not a shard, sorted. */
int ins__plan_latest_tests(ins_store *store, int64_t sut_id, char ***out, size_t *nout);
void ins__plan_names_free(char **v, size_t n);

/* The part of a node id an item of `by` is: the file before "::", or the class before the last "::". */
size_t ins__plan_key_len(const char *id, ins_plan_by by);

struct ins_plan_name {
	char *name;      /* owned */
	size_t order;    /* its first position in the input */
};

/*
 * The distinct items of `names[0..n)` as `by` keys them, trailing blanks
 * cut and empty ones left out, sorted by name, in a new array. Returns how
 * many.
 */
size_t ins__plan_unique(struct ins_plan_name **out, const char *const *names, size_t n,
			ins_plan_by by);

#endif
