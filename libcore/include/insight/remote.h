#ifndef INSIGHT_REMOTE_H
#define INSIGHT_REMOTE_H

#include <stdint.h>

#include "store.h"

/*
 * Remotes: shared copies of the history (PostgreSQL, or another insight
 * history file) that sessions are pushed to and fetched from.
 */

/*
 * Copy URL into a new string with any password masked as "***": the
 * password of a postgresql:// or postgres:// URL (user:password@host) and
 * the value of a password= keyword in libpq's keyword/value form. Every
 * URL insight shows goes through this. Returns 0, or INS_EUSAGE for a
 * NULL URL, or INS_ERROR when out of memory; *out is freed by the caller.
 */
int ins_remote_url_mask(const char *url, char **out);

/* Whether URL names a PostgreSQL remote (postgresql:// or postgres://). */
int ins_remote_url_is_pg(const char *url);

/*
 * A remote's name: letters, digits, '-' and '_', at most 64 characters,
 * starting with a letter or a digit. 0 or INS_EUSAGE (with the message).
 */
int ins_remote_name_check(const char *name);

/* ---- PostgreSQL remotes ---- */

/* The version of the remote schema this insight writes (insight.meta). */
#define INS_REMOTE_SCHEMA_VERSION 3

typedef struct ins_remote ins_remote;

/*
 * Connect to the PostgreSQL remote `name` at `url` (libpq's URL syntax,
 * service files and sslmode; the password preferably from PGPASSWORD or
 * ~/.pgpass). Messages name the remote and show the URL masked, never the
 * password. INS_ENET when the server cannot be reached or refuses the
 * login; *out is freed with ins_remote_free().
 */
int ins_remote_open(ins_remote **out, const char *name, const char *url);
void ins_remote_free(ins_remote *r);

/*
 * Create the remote's schema (the tables under the PostgreSQL schema
 * `insight`) or bring an older one up to INS_REMOTE_SCHEMA_VERSION, in one
 * transaction. *from and *to (may be NULL) get the versions before and
 * after (from = 0 for a new schema). INS_ESCHEMA when the remote's schema
 * is newer than this insight knows.
 */
int ins_remote_init(ins_remote *r, int *from, int *to);

/*
 * Check that the remote has the schema this insight writes: INS_ENOTFOUND
 * without one ("run 'insight remote init NAME'"), INS_ESCHEMA when it is
 * older (the same advice) or newer (upgrade insight).
 */
int ins_remote_check(ins_remote *r);

/* What a push or a fetch did. */
typedef struct ins_remote_counts {
	int64_t sessions;      /* sessions sent or received */
	int64_t results;       /* their results (attempts) */
	int64_t present;       /* sessions the other side had already (or had deleted) */
	int64_t deleted;       /* push: tombstones the remote took; fetch: sessions deleted */
} ins_remote_counts;

/* Called after each batch with the sessions done so far and the total. */
typedef void ins_remote_progress_fn(int64_t done, int64_t total, void *data);

typedef struct ins_remote_sync_opts {
	const char *sut;            /* only this SUT; NULL for all */
	int64_t since_ms;           /* only sessions started at or after; 0 for all */
	int dry_run;                /* push: count what would go, send nothing */
	int deletions;              /* push: send the history's deletions as tombstones */
	ins_remote_progress_fn *progress;
	void *progress_data;
} ins_remote_sync_opts;

/*
 * Push every session of `store` the remote lacks, with its results, tests,
 * fingerprints, properties, tags and output sections. Sessions travel in
 * batches, each one transaction on the remote; a session already there is
 * left as it is, so pushing twice changes nothing and any number of
 * pushers may run at once. A session with a tombstone on the remote is
 * not sent again (it counts as present). With o->deletions, the sessions
 * deleted from `store` (session_deleted, selected by sut and since_ms)
 * first become tombstones on the remote and are removed from it, in one
 * transaction; out->deleted counts the new tombstones. The local history
 * is only read. INS_ENET when the server goes away (the batches committed
 * before stay).
 */
int ins_remote_push(ins_remote *r, ins_store *store, const ins_remote_sync_opts *o,
		    ins_remote_counts *out);

/*
 * Fetch into `store` every remote session it lacks, each written through
 * the store's session writer (counts, fingerprints and causes computed as
 * for an import) under its own id. Without a filter the fetch starts after
 * the remote's arrival number it reached last time (kept in the history
 * per remote name) and moves it on; a filtered fetch looks at every
 * matching session and leaves it alone. Every fetch first applies the
 * remote's tombstones it has not seen (a second watermark): each session
 * they name is deleted from `store` (out->deleted counts them). A session
 * deleted from `store` is not fetched again (it counts as present).
 */
int ins_remote_fetch(ins_remote *r, ins_store *store, const ins_remote_sync_opts *o,
		     ins_remote_counts *out);

/*
 * Give the remote's results a partition for every month that has rows in
 * the default partition (moving them there) and for the months from the
 * one of `now_ms` to twelve after it. Needs the right to create tables;
 * `remote init` and `remote prune` run it. *created (may be NULL) counts
 * the partitions created.
 */
int ins_remote_partition(ins_remote *r, int64_t now_ms, int *created);

/* What a prune did (or, dry, would do). */
typedef struct ins_remote_prune_counts {
	int64_t sessions;    /* sessions deleted */
	int64_t results;     /* their results */
	int partitions;      /* monthly partitions dropped whole */
	int created;         /* monthly partitions created */
} ins_remote_prune_counts;

/*
 * Delete from the remote every session that started before `before_ms`, in
 * one transaction: the monthly partitions of results wholly before it are
 * dropped, the rest is deleted row by row, and the partitions are then
 * kept as ins_remote_partition() keeps them. The limit is remembered on
 * the remote: pushes leave out older sessions from then on. Histories that
 * fetched the sessions keep them. Needs the right to drop and create the
 * remote's tables (the schema's owner).
 */
int ins_remote_prune(ins_remote *r, int64_t before_ms, int64_t now_ms, int dry_run,
		     ins_remote_prune_counts *out);

/*
 * Merge the insight history at `src_path` (opened read-only) into `dst`:
 * every session `dst` lacks, selected by `o` (sut, since_ms, dry_run), is
 * written through the session writer under its own id, in the order a push
 * and a fetch carry it. out->present counts the sessions `dst` had already.
 */
int ins_store_merge(ins_store *dst, const char *src_path, const ins_remote_sync_opts *o,
		    ins_remote_counts *out);

#endif
