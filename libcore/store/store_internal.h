/*
 * store_internal.h - what libcore's own modules (the writer, the analyses)
 * may see of the store. Nothing outside libcore includes this file.
 */
#ifndef INSIGHT_STORE_INTERNAL_H
#define INSIGHT_STORE_INTERNAL_H

#include <pthread.h>
#include <sqlite3.h>

#include "insight/errors.h"
#include "insight/store.h"

struct ins_store {
	sqlite3 *db;        /* the connection; WAL, foreign keys on, busy timeout set */
	char *path;         /* the file as given to ins_store_open */
	int schema_found;   /* user_version when opened, before migration */
	int readonly;       /* opened with INS_STORE_READONLY */
	int in_writer;      /* a session writer holds the write transaction */
	/* the checkpointer (store.c): a thread with a connection of its own */
	pthread_mutex_t ckpt_lock;
	pthread_cond_t ckpt_cond;
	pthread_t ckpt_thread;
	const char *ckpt_path; /* the file's full name, SQLite's while db is open */
	int ckpt_started;   /* 1: the thread runs; -1: it could not be started */
	int ckpt_wanted;    /* a commit asked for a checkpoint since the last began */
	int ckpt_busy;      /* the thread is checkpointing */
	pthread_cond_t ckpt_idle; /* signalled when it has nothing left to do */
	int ckpt_stop;      /* the store is closing: checkpoint what was asked, then end */
	int wal_pages;      /* frames in the WAL after the last commit (its WAL hook) */
};

/*
 * Register the history's VFS (store_vfs.c: the default one, with the WAL's
 * writes gathered) and return its name, or NULL when it cannot be (the
 * default VFS is then used). Call once, before any connection is opened.
 * Every connection opened through it that writes must keep synchronous =
 * FULL.
 */
const char *ins_store__vfs_register(void);

/*
 * Record the connection's last SQLite error as the thread's last error, with
 * `what` (e.g. "preparing session query") in front. Maps SQLITE_BUSY to
 * INS_EBUSY, everything else to INS_ESTORE. Returns the code.
 */
int ins_store__error(ins_store *store, const char *what);

/*
 * Wait until the checkpointer (store.c) has copied what the commits so far
 * asked it to: for code and tests that look at the database file itself.
 */
void ins_store__checkpoint_wait(ins_store *store);

/*
 * Call before a write transaction. When the WAL has grown past a bound and
 * the checkpointer is still copying it, wait for the copy: a transaction
 * that begins on a WAL copied whole writes from its start again, where one
 * that begins while the copy runs appends to it.
 */
void ins_store__bound_wal(ins_store *store);

/* Prepare `sql`; on failure sets the error and returns the code. */
int ins_store__prepare(ins_store *store, sqlite3_stmt **stmt, const char *sql);

/* Run one or more statements without results (schema, pragmas, transactions). */
int ins_store__exec(ins_store *store, const char *sql);

/* Bind text that may be NULL (NULL binds SQL NULL). */
int ins_store__bind_text(sqlite3_stmt *stmt, int idx, const char *s);

/* Column text as a C string, "" for NULL (borrowed until the next step). */
const char *ins_store__col_text(sqlite3_stmt *stmt, int col);

/*
 * test_day, the per-test daily aggregate (see store_schema.c): the length
 * of its day, and its aggregate columns in the table's order after (sut_id,
 * day, test_id), over results `r` joined with their sessions `s`. The
 * rebuild after a delete and 'db check' both use these, so they cannot
 * drift apart; the session writer adds a session's rows in a form of its
 * own that must give the same (add_to_test_day), which 'db check' verifies.
 */
#define INS_DAY_MS 86400000
#define INS_TEST_DAY_AGG \
	"sum(r.final), sum(r.final AND r.outcome = 0), sum(r.final AND r.outcome = 1)," \
	"sum(r.final AND r.outcome = 2), sum(r.final AND r.outcome = 3)," \
	"sum(r.final AND r.outcome = 4), sum(r.final AND r.outcome = 5)," \
	"count(DISTINCT CASE WHEN r.outcome IN (1, 2) AND s.n_failed + s.n_error + s.n_flaky > 0 " \
	"THEN r.session_id END)," \
	"sum(r.final AND (r.flags & 4) <> 0)," \
	"count(CASE WHEN r.final AND r.outcome = 0 AND r.duration >= 0 THEN 1 END)," \
	"total(CASE WHEN r.final AND r.outcome = 0 AND r.duration >= 0 THEN r.duration END)," \
	"max(CASE WHEN r.final AND r.outcome = 0 AND r.duration >= 0 THEN r.duration END)"

/*
 * A test's runs, for every query that reads them by test: the rows in
 * result_by_test and the recent ones in result_recent (schema 10, see
 * store_schema.c), as one relation. Used as `FROM " INS_RESULT_BY_TEST " r
 * WHERE r.test_id = ...`: SQLite pushes the query's terms on the test into
 * both halves, each of which reads its own partial index; a query that named
 * `result` instead would be right but could use neither index, and read
 * every result. INS_RESULT_BY_TEST has the columns the indexes hold, so
 * that it is read from them alone; INS_RESULT_BY_TEST_ALL has all of
 * `result`'s, each run then read from the table too.
 */
#define INS_RESULT_BY_TEST \
	"(SELECT test_id, session_id, attempt, final, outcome, flags, duration FROM result " \
	"WHERE recent IS NULL UNION ALL " \
	"SELECT test_id, session_id, attempt, final, outcome, flags, duration FROM result " \
	"WHERE recent IS NOT NULL)"
#define INS_RESULT_BY_TEST_ALL \
	"(SELECT * FROM result WHERE recent IS NULL " \
	"UNION ALL SELECT * FROM result WHERE recent IS NOT NULL)"

/* result_recent is folded into result_by_test once it holds this many rows. */
#define INS_RECENT_FOLD 50000

/*
 * Move the recent rows into result_by_test (ins_store__fold_recent) when
 * there are INS_RECENT_FOLD of them or more, or always when `force` is set;
 * in a transaction of its own. *folded gets the rows moved (may be NULL).
 * Returns 0 or a negative INS_E* code.
 */
int ins_store__fold_recent(ins_store *store, int force, int64_t *folded);

/*
 * Rebuild test_day for the (sut_id, day) pairs listed in temp.ins_days
 * (filled by the caller before it deleted sessions): the rows of those days
 * are dropped and recomputed from the sessions that remain. Returns 0 or a
 * negative INS_E* code.
 */
int ins_store__test_day_rebuild(ins_store *store);

#endif
