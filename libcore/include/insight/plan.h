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
	int new_sut;             /* an unknown SUT has no history, and is not an error */
	/*
	 * The run being planned, when its shards record sessions: the sessions
	 * tagged shard=I/run_total (any I) of commit run_commit (NULL: of no
	 * commit) are left out, so each shard plans from the same history
	 * whatever the others recorded before it. 0: none left out.
	 */
	int run_total;
	const char *run_commit;
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
	ins_plan_item **by_name; /* the items sorted by name, for ins_plan_shard_of */
} ins_plan;

/*
 * Plan `names[0..n)` (one item each, duplicates dropped; n == 0: the tests
 * of the SUT's latest session that is not a shard: no shard=... tag). Errors: INS_ENOTFOUND (an unknown SUT),
 * INS_EUSAGE (no items).
 */
int ins_plan_shard(ins_plan **out, ins_store *store, const ins_plan_opts *o,
		   const char *const *names, size_t n);
void ins_plan_free(ins_plan *p);

/*
 * 1 when SUT `sut` has sessions tagged shard=I/total (any I), 0 when not,
 * or a negative code.
 */
int ins_plan_has_shards(ins_store *store, const char *sut, int total);

/*
 * The shard (1 .. total) of test `nodeid`: the shard of its own item, or of
 * its file's or class's when the plan is by file or class. 0 when the plan
 * holds no such item.
 */
int ins_plan_shard_of(const ins_plan *p, const char *nodeid);

/* The plan as a document: every shard with its predicted time and items (kind "insight.plan.shard"). */
ins_doc *ins_plan_doc(const ins_plan *p);

/*
 * Orders: a list of tests ordered for fast feedback.
 *
 * Strategy "risk" (the default) puts first the tests that failed (or
 * errored) in the SUT's latest session, then the tests the SUT's history
 * has never seen, in the order given, then the others by their risk,
 * highest first, and flaky tests last. A test's risk is
 *
 *     risk = F + C
 *     F = sum(w_k * f_k) / sum(w_k)  over its last INS_PLAN_RECENT_SESSIONS
 *         runs, newest first (k = 0, 1, ...), skipped runs left out;
 *         w_k = 0.5^(k / 3); f_k = 1 for failed or error, 0.5 for passed on
 *         a retry, else 0;
 *     C = 1 when the test's own file changed since the SUT's latest
 *         session without failures, 0.5 when a changed file has the test
 *         file's stem (shop/pricing.py for tests/test_pricing.py), else 0.
 *
 * Equal risks go shortest first (more tests finish early), then by name.
 * The other strategies use one of those criteria and keep the given order
 * otherwise: failed-first, new-first, flaky-last; slow-first orders by the
 * estimate of plan shard, longest first (for runners that start tests in
 * parallel). Flaky means what `analytics flaky` says over the window.
 */
typedef enum ins_order_strategy {
	INS_ORDER_RISK = 0,
	INS_ORDER_FAILED_FIRST,
	INS_ORDER_NEW_FIRST,
	INS_ORDER_FLAKY_LAST,
	INS_ORDER_SLOW_FIRST
} ins_order_strategy;

/* "risk", "failed-first", ...; NULL for an unknown value. */
const char *ins_order_strategy_name(ins_order_strategy s);
int ins_order_strategy_parse(const char *name, ins_order_strategy *out);

/* Where a test falls in the "risk" order. */
typedef enum ins_order_group {
	INS_ORDER_GROUP_FAILED = 0,   /* failed in the latest session */
	INS_ORDER_GROUP_NEW,          /* never run for the SUT */
	INS_ORDER_GROUP_RISK,
	INS_ORDER_GROUP_FLAKY
} ins_order_group;
#define INS_ORDER_GROUPS 4

typedef struct ins_order_opts {
	const char *sut;              /* required */
	ins_order_strategy strategy;
	int64_t since_ms;             /* only sessions started at or after this; 0: any */
	int64_t flaky_from_ms;        /* the window of the flaky analysis, to now */
	const char *const *changed;   /* paths changed since changed_since, relative to the repository */
	size_t nchanged;
	const char *changed_since;    /* the commit they are counted from; NULL: none known */
} ins_order_opts;

typedef struct ins_order_item {
	char *name;
	size_t order;                 /* position in the input */
	ins_order_group group;
	int failed_last, is_new, flaky;
	double fail_rate, change, risk;
	double estimate;              /* seconds; -1 when unknown */
} ins_order_item;

typedef struct ins_order {
	ins_order_item *items;        /* in the order to run */
	size_t n;
	ins_order_strategy strategy;
	size_t groups[INS_ORDER_GROUPS];
	size_t changed;               /* tests with C > 0 */
	size_t nchanged_paths;
	char *changed_since;
	char *sut;
} ins_order;

/*
 * Order `names[0..n)` (duplicates dropped; n == 0: the tests of the SUT's
 * latest session). Errors as ins_plan_shard().
 */
int ins_plan_order(ins_order **out, ins_store *store, const ins_order_opts *o,
		   const char *const *names, size_t n);
void ins_order_free(ins_order *ord);

/* The order as a document, every test with its reasons (kind "insight.plan.order"). */
ins_doc *ins_order_doc(const ins_order *ord);

/*
 * The commit of the SUT's latest session that ran tests without a failure
 * or error, in a new string in *out; NULL when there is none.
 */
int ins_plan_last_green_commit(ins_store *store, const char *sut, char **out);

#endif
