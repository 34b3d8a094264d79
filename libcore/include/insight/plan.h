/*
 * plan.h - the next run planned from the history: the tests split into
 * shards of equal predicted time.
 *
 * Each item (a test, a file or a class) gets a duration estimate from the
 * SUT's recent sessions: the median of its last runs plus half their median
 * absolute deviation, so an item whose time varies is planned a little
 * longer. An item never seen gets the median of the items of its file,
 * else of its class, else of the SUT. Items go to shards longest first,
 * each to the shard with the least time so far (LPT); then items are moved
 * or swapped between the longest and the shortest shard while that
 * shortens the longest. Every step breaks ties by name and shard number,
 * so the same input and history give the same shards on every machine,
 * whatever the order of the input.
 */
#ifndef INSIGHT_PLAN_H
#define INSIGHT_PLAN_H

#include <stddef.h>
#include <stdint.h>

#include "doc.h"
#include "store.h"

typedef enum ins_plan_by {
	INS_PLAN_BY_TEST = 0,
	INS_PLAN_BY_FILE,        /* a file's tests stay together */
	INS_PLAN_BY_CLASS
} ins_plan_by;

typedef struct ins_plan_opts {
	const char *sut;         /* the SUT whose history gives the times; required */
	ins_plan_by by;
	int total;               /* shards, >= 1 */
	int64_t since_ms;        /* only sessions started at or after this; 0: any */
} ins_plan_opts;

/* The sessions of the SUT whose times are read: the latest this many. */
#define INS_PLAN_RECENT_SESSIONS 10

typedef struct ins_plan_item {
	char *name;              /* node id, file or class, as given */
	double estimate;         /* seconds */
	int known;               /* the estimate comes from the item's own runs */
	int shard;               /* 1 .. total */
	size_t order;            /* position in the input */
} ins_plan_item;

typedef struct ins_plan {
	ins_plan_item *items;
	size_t n;
	int total;
	ins_plan_by by;
	double *load;            /* predicted seconds per shard, [0] is shard 1 */
	size_t *count;           /* items per shard */
	size_t unknown;          /* items without runs of their own */
	double lower_bound;      /* max(total time / shards, longest item) */
	char *sut;
} ins_plan;

/*
 * Plan `names[0..n)` (one item each, duplicates dropped; n == 0: the tests
 * of the SUT's latest session). Errors: INS_ENOTFOUND (an unknown SUT),
 * INS_EUSAGE (no items).
 */
int ins_plan_shard(ins_plan **out, ins_store *store, const ins_plan_opts *o,
		   const char *const *names, size_t n);
void ins_plan_free(ins_plan *p);

/* The plan as a document: every shard with its predicted time and items (kind "insight.plan.shard"). */
ins_doc *ins_plan_doc(const ins_plan *p);

#endif
