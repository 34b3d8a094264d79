/*
 * analysis_internal.h - what the analyses (selection, compare, analytics,
 * since) share: a set of sessions held in memory with the facts the
 * analyses need, and small store helpers.
 *
 * A session set holds session rows only (one per session: at most a few
 * thousand), never results. Results are read with SQL restricted to the
 * set through `json_each(?)` over the set's id list: SQLite turns
 * `session_id IN (SELECT value FROM json_each(?))` into one primary-key
 * range seek into `result` per session, so a query costs the rows of those
 * sessions, not of the whole history.
 */
#ifndef INSIGHT_ANALYSIS_INTERNAL_H
#define INSIGHT_ANALYSIS_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "insight/buf.h"
#include "insight/doc.h"
#include "insight/model.h"
#include "store/store_internal.h"

/* One session as the analyses see it. */
typedef struct ins_sess {
	int64_t id;                       /* row id */
	char uid[INS_SESSION_ID_LEN + 1];
	int64_t sut_id;
	int64_t started_ms;
	char *commit;                     /* full sha, NULL without git facts (owned) */
	char *tree;                       /* NULL without git facts (owned) */
	int dirty;                        /* the work tree had changes */
	double duration;                  /* seconds; negative when unknown */
	int64_t n_tests, n_passed, n_failed, n_error, n_skipped, n_flaky;
} ins_sess;

struct ins_sess_ref {
	int64_t id;
	size_t idx;
};

typedef struct ins_sessset {
	ins_sess *v;        /* oldest first (started_ms, then id) */
	size_t n, alloc;
	struct ins_sess_ref *by_id; /* (id, index into v) ordered by id, for ins_sessset_find */
	/*
	 * When the ids are dense enough: dense[id - dense_lo] is the index into
	 * v plus one, 0 for an id not in the set (ins_sessset_find in O(1),
	 * which the analyses call once per result row).
	 */
	uint32_t *dense;
	int64_t dense_lo;
	size_t dense_n;
	ins_buf json;       /* "[id,id,...]" for json_each */
} ins_sessset;

void ins_sessset_init(ins_sessset *s);
void ins_sessset_release(ins_sessset *s);

/*
 * Load the sessions of `sut` (NULL: every SUT) that started in
 * [from_ms, to_ms]. Cost: a range scan of session_by_sut_time (or
 * session_by_time without a SUT). INS_ENOTFOUND when `sut` is named but
 * unknown.
 */
int ins_sessset_load_window(ins_sessset *s, ins_store *store, const char *sut, int64_t from_ms,
			    int64_t to_ms);

/* Load the sessions with these row ids (duplicates and unknown ids dropped). */
int ins_sessset_load_ids(ins_sessset *s, ins_store *store, const int64_t *ids, size_t n);

/* The index in s->v of the session with row id `id`, or -1. */
long ins_sessset_find(const ins_sessset *s, int64_t id);

/* The JSON array of the set's row ids, for `json_each(?)`. Borrowed. */
const char *ins_sessset_json(const ins_sessset *s);

/* Pass rate of the set from the session counts: passed / (passed + failed + error); NAN if none. */
double ins_sessset_pass_rate(const ins_sessset *s);

/*
 * A window's set split for the daily aggregate (test_day): the UTC days
 * [dlo, dhi] that lie wholly inside [from_ms, to_ms], whose test_day rows
 * (of `sut_id`, or of every SUT when 0) sum exactly the set's sessions of
 * those days, and `edge`, the set's other sessions, whose results are read
 * one by one. dlo > dhi when no day is whole. Valid only for a set loaded
 * by ins_sessset_load_window over the same SUT and window.
 */
typedef struct ins_dayspan {
	int64_t sut_id;
	int64_t dlo, dhi;
	ins_sessset edge;
} ins_dayspan;

/* Fill `out` (released with ins__dayspan_release). 0 or a negative INS_E* code. */
int ins__dayspan_split(ins_dayspan *out, ins_store *store, const ins_sessset *set,
		       int64_t sut_id, int64_t from_ms, int64_t to_ms);
void ins__dayspan_release(ins_dayspan *d);

/* The SUT's row id, or INS_ENOTFOUND with a message naming it. */
int ins__sut_id(ins_store *store, const char *name, int64_t *id);
/* INS_ENOTFOUND for SUT `name`, the message offering the closest known name. */
int ins__no_sut(ins_store *store, const char *name);

/* The test's row id for a node id, or INS_ENOTFOUND. */
int ins__test_id(ins_store *store, const char *nodeid, int64_t *id);

/* Whether an outcome counts as failing (failed, error) / as passing (passed). */
static inline int ins__failing(int outcome)
{
	return outcome == INS_OUTCOME_FAILED || outcome == INS_OUTCOME_ERROR;
}

/*
 * The Jira issues of a failure, from `st`'s rows (issue_key, url) of
 * notify_issue, newest first: *keys gets the distinct keys with a space
 * between them, *url the newest issue's page; each NULL when there is none.
 */
int ins__jira_read(ins_store *store, sqlite3_stmt *st, char **keys, char **url);
/*
 * The two columns that carry them, `jira` and `jira_url`: details a narrow
 * terminal drops, and optional (left out for people when no row has one).
 */
void ins__jira_columns(ins_table *t);
/*
 * `sql`, a statement of Jira issues (rows for ins__jira_read()), prepared
 * into *st; *st is NULL, and nothing need be looked up, when no jira route
 * has filed or found an issue in this history.
 */
int ins__jira_prepare(ins_store *store, const char *sql, sqlite3_stmt **st);
/* The same for one fingerprint's issues (?1: the fingerprint's id). */
int ins__jira_by_fingerprint(ins_store *store, sqlite3_stmt **st);

/* The first 7 hex digits of a sha ("-" for NULL), for labels. */
void ins__short_sha(ins_buf *b, const char *sha);

/* The local calendar day of `ms` as "YYYY-MM-DD", and that day's start. */
void ins__day_label(ins_buf *b, int64_t ms);
int64_t ins__day_start(int64_t ms);

#endif
