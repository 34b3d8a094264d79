/*
 * store.h - the history store: one SQLite file holding every session.
 *
 * The store is found the way git finds .git (ins_store_discover), opened
 * with forward migrations applied (a store written by a newer insight is
 * refused and left untouched), and written one whole session at a time
 * through a session writer: a session is stored whole or not at all.
 *
 * Everything that touches SQL lives behind this interface (store*.c and
 * the analyses that read through store_internal.h), so that a second
 * backend can be added without touching the commands.
 */
#ifndef INSIGHT_STORE_H
#define INSIGHT_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "model.h"

typedef struct ins_store ins_store;
typedef struct ins_session_writer ins_session_writer;

/* The schema version this insight writes (PRAGMA user_version). */
#define INS_STORE_SCHEMA_VERSION 10

/* Length of a session id (ULID-like: 10 chars of time, 16 of randomness). */
#define INS_SESSION_ID_LEN 26
/* Characters shown for a session id in tables (a unique prefix in practice). */
#define INS_SESSION_ID_SHORT 12
/* A session ref prefix must have at least this many characters. */
#define INS_SESSION_ID_MIN_PREFIX 4

enum {
	INS_STORE_READONLY = 1 << 0, /* never write; fail if the file does not exist */
	INS_STORE_CREATE = 1 << 1,   /* create the file (and its directory) when missing */
	INS_STORE_NO_MIGRATE = 1 << 2 /* open an older schema as it is (for `db migrate` reporting) */
};

/*
 * Where the history is: `explicit_path` when given, else $INSIGHT_DB, else
 * the nearest `.insight/history.db` walking up from the working directory,
 * else $XDG_DATA_HOME/insight/history.db (~/.local/share/... without it).
 * Writes the path to `out` and returns how it was found: 0 explicit,
 * 1 environment, 2 discovered upwards, 3 the per-user default.
 */
int ins_store_discover(ins_buf *out, const char *explicit_path);

/*
 * Where `insight init` puts the history: `.insight/history.db` at the top of
 * the git work tree containing `start_dir`, or in `start_dir` itself outside
 * git. Writes the path to `out`; *in_git says which. Returns 0, or when
 * libgit2 cannot be loaded a negative code with its error, `out` being set
 * as outside git.
 */
int ins_store_init_path(ins_buf *out, const char *start_dir, int *in_git);

/*
 * Open the store at `path` (":memory:" for a private in-memory store).
 * On success *out is a new handle the caller frees with ins_store_free().
 * Errors: INS_ENOTFOUND (no file and no INS_STORE_CREATE), INS_ESCHEMA
 * (newer schema), INS_ESTORE (not a database, I/O), INS_EBUSY.
 */
int ins_store_open(ins_store **out, const char *path, unsigned flags);

/*
 * Can the history at `path` be written: the file (or, when it does not
 * exist yet, nothing stops its creation) and its directory, where SQLite
 * keeps the WAL? A read command opens one that cannot with
 * INS_STORE_READONLY, which reads it even on read-only media.
 */
int ins_store_writable(const char *path);
void ins_store_free(ins_store *store);

const char *ins_store_path(const ins_store *store);
/* Schema version found in the file when it was opened (before migration). */
int ins_store_schema_found(const ins_store *store);
/* Apply pending migrations (done by ins_store_open unless NO_MIGRATE). */
int ins_store_migrate(ins_store *store, int *from, int *to);

/*
 * Called before each migration of a store that already holds a schema
 * (not for a new one): an upgrade rebuilds tables and indexes and can take
 * a while on a large history, so a front end says so. Process-wide; NULL
 * to stop.
 */
typedef void ins_store_migrate_fn(const char *path, int from, int to, void *data);
void ins_store_on_migrate(ins_store_migrate_fn *fn, void *data);

/*
 * Called while an upgrade runs, after its first second and then every
 * five, with the seconds it has taken so far: a front end shows that it is
 * still at work. Process-wide; NULL to stop.
 */
typedef void ins_store_migrate_progress_fn(const char *path, double seconds, void *data);
void ins_store_on_migrate_progress(ins_store_migrate_progress_fn *fn, void *data);

/* ---- writing a session ---- */

/*
 * Start writing a session: opens a write transaction (waiting for other
 * writers up to the busy timeout) and records the session's facts. Nothing
 * is visible to readers until ins_session_writer_commit().
 */
int ins_session_writer_begin(ins_session_writer **out, ins_store *store,
			     const ins_session_info *info);

/* Add one attempt of one test; attempts of a test are numbered in call order. */
int ins_session_writer_add_result(ins_session_writer *w, const ins_result *r);
/*
 * The same, with the failure fingerprint of r (ins_fingerprint_compute()
 * of its message and detail) already computed by the caller, which may
 * have done it in another thread. Ignored for a result that has no
 * fingerprint; NULL: computed here.
 */
int ins_session_writer_add_result_fp(ins_session_writer *w, const ins_result *r,
				     const char *fp_hash, const char *fp_signature);
/*
 * A hint, for a caller that holds results before it adds them: a result
 * with this node id comes soon. The writer may fetch what it will need for
 * it into the CPU's cache; nothing is read from or written to the history.
 */
void ins_session_writer_prefetch(ins_session_writer *w, const char *nodeid);
/*
 * The repeat rule of DESIGN §4 inside one report, for the results a parser
 * left it to the caller (INS_RESULT_OCCURRENCE; ingest/repeat.h). Call it
 * with the first attempt of each occurrence, named as it would be stored,
 * before adding it. *k is 0 when the occurrence keeps its name (the id's
 * first occurrence in the report, or a retry of an id whose earlier
 * occurrences all failed), else the k of the name "id[#k]" it takes, a test
 * of its own. The attempts then added under the id itself, up to the next
 * call, count for the rule: the latest decides whether the id ended in a
 * failure. A mark begins a new report, and the rule starts afresh.
 */
int ins_session_writer_occurrence(ins_session_writer *w, const ins_result *r, unsigned *k);
/* Add a named section of console output. */
int ins_session_writer_add_section(ins_session_writer *w, const char *name, const char *text);
/* Remember that a report file with this content hash went into the session. */
int ins_session_writer_add_report(ins_session_writer *w, const char *sha256_hex, const char *path);
/* Adjust facts learned while reading reports (0 / NULL leave a field as it is). */
void ins_session_writer_set_times(ins_session_writer *w, int64_t started_ms, int64_t finished_ms);
void ins_session_writer_set_host(ins_session_writer *w, const char *host);
void ins_session_writer_set_state(ins_session_writer *w, const char *state);
void ins_session_writer_set_exit_status(ins_session_writer *w, int status);
/* Record git facts read while the session was being written; 0 or a store error. */
int ins_session_writer_set_git(ins_session_writer *w, const ins_git_facts *g);
/* Keep tracebacks and captured output for passing results too (default: non-passing only). */
void ins_session_writer_keep_all_text(ins_session_writer *w, int keep);

/*
 * Per-file atomicity inside one session: mark before a report, then either
 * release (keep what it added) or roll back to the mark (drop all of it).
 */
int ins_session_writer_mark(ins_session_writer *w);
int ins_session_writer_release_mark(ins_session_writer *w);
int ins_session_writer_rollback_mark(ins_session_writer *w);

/* Results added so far (final attempts of distinct tests, all attempts). */
size_t ins_session_writer_count(const ins_session_writer *w, size_t *attempts);

/*
 * Finish: compute the session's counts, commit, and free the writer. The new
 * session's id is copied to `uid` (INS_SESSION_ID_LEN + 1 bytes) when non-NULL.
 * On failure everything is rolled back and the writer is freed all the same.
 */
int ins_session_writer_commit(ins_session_writer *w, char *uid);
/* Discard everything and free the writer (NULL-safe). */
void ins_session_writer_abort(ins_session_writer *w);

/* ---- finding sessions ---- */

/*
 * Resolve a session ref: a unique id prefix (>= 4 chars, case-insensitive),
 * "latest" or "latest~N" (within `sut` when given). On success the full id
 * is copied to `uid` (27 bytes) and the row id to *rowid (may be NULL).
 * INS_ENOTFOUND, or INS_EAMBIGUOUS with the candidates in the message.
 */
int ins_store_session_resolve(ins_store *store, const char *ref, const char *sut,
			      char *uid, int64_t *rowid);

/* The session, if any, that imported a report with this content hash. */
int ins_store_find_report(ins_store *store, const char *sha256_hex, char *uid);

/*
 * Delete a session and everything only it references. The deletion is
 * remembered (uid, SUT, start, when) in session_deleted: `push --delete`
 * sends it to a remote as a tombstone, and a fetch does not bring the
 * session back.
 */
int ins_store_session_delete(ins_store *store, const char *uid);

/* Delete the sessions that started before `before_ms`; *n = how many. */
int ins_store_prune(ins_store *store, int64_t before_ms, int dry_run, int64_t *n);

/* A session at a glance: what `session run` and `session import` print after storing it. */
#define INS_BRIEF_NAMES 5 /* new failures named in a brief */

typedef struct ins_session_brief {
	char uid[INS_SESSION_ID_LEN + 1];
	char prev_uid[INS_SESSION_ID_LEN + 1]; /* the SUT's previous session, "" when none */
	int64_t counts[INS_OUTCOME_COUNT];      /* final outcomes */
	int64_t tests, attempts, flaky;
	int64_t new_failures;  /* failing now, not failing (or not run) in the previous session */
	double duration;       /* seconds; negative when unknown */
	char state[16];
	char names[INS_BRIEF_NAMES][512]; /* the first new failures by node id (cut at 511 bytes) */
	int nnames;
	int64_t new_causes;    /* causes among the new failures (one each without a message) */
	int64_t top_cause_failures;       /* new failures of the cause with the most of them */
	char top_cause[256];   /* its signature in one line (ins_fingerprint_title), cut */
} ins_session_brief;

int ins_store_session_brief(ins_store *store, const char *uid, ins_session_brief *out);

/* ---- maintenance ---- */

typedef struct ins_store_stats {
	int64_t suts, sessions, tests, results, fingerprints;
	int64_t file_bytes;      /* size of the database file (pages in use and free) */
	int64_t free_bytes;      /* reclaimable by vacuum */
	int64_t oldest_ms, newest_ms; /* session start times; 0 when empty */
	int schema_version;
} ins_store_stats;

int ins_store_stats_get(ins_store *store, ins_store_stats *out);

/*
 * Run SQLite's integrity and foreign-key checks and insight's own
 * consistency checks. Each problem found is passed to `fn` as one line;
 * returns 0 when the store is sound, INS_ECORRUPT when problems were found.
 */
int ins_store_check(ins_store *store, void (*fn)(void *data, const char *problem), void *data);

int ins_store_vacuum(ins_store *store);
/* Copy the store to `dest` with SQLite's online backup (atomically: temp file, then rename). */
int ins_store_backup(ins_store *store, const char *dest);

/* Make a new session id (time-ordered, unique). `out` gets INS_SESSION_ID_LEN + 1 bytes. */
void ins_session_id_new(char *out, int64_t now_ms);

#endif
