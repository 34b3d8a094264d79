/*
 * store_write.c - writing one session into the history, all or nothing.
 *
 * A writer holds an IMMEDIATE transaction from begin to commit, so a
 * session becomes visible whole or not at all: a parse error, a kill -9 or
 * a full disk leaves the history as it was. Reports are streamed in one
 * attempt at a time.
 *
 * Attempts: the n-th result added for a test in a session is attempt n.
 * The newest attempt is marked final; the previous final mark moves as a
 * new attempt arrives. "Flaky in this run" (a passing final attempt after a
 * failed one) is marked at commit.
 *
 * The per-test daily aggregate (test_day) gets the session's results at
 * commit, once its start time (and so its day) is final: one upsert per
 * test of the session. Deletes rebuild the affected days (store.c).
 *
 * Speed: an import of a million results must cost little more than parsing
 * the report, so the common case (a test's first and only attempt) is one
 * test lookup and a sixteenth of an INSERT: results are written in batches
 * (see flush_results). What the writer keeps in memory for that:
 * - a bitmap over test ids of the tests already in this session, so a
 *   first attempt needs no look-up of earlier attempts, and a second
 *   bitmap of the tests that had more than one (checked for flakiness at
 *   commit); both are max(test id) / 8 bytes, whatever the report size;
 * - the session's counts, kept as results arrive instead of counted again
 *   at commit;
 * - the fingerprints already recorded in this session (a bounded table),
 *   so a failure repeated across tests costs one look-up per session, and
 *   a bitmap over fingerprint ids of all the session's fingerprints (their
 *   sightings are updated at commit without reading the results again);
 * - the causes found or added in this session (another bounded table): a
 *   new fingerprint is recorded with its cause, so that no fingerprint row
 *   is written twice (a million-case report can add a hundred thousand).
 * After a rollback to a mark all of these are rebuilt from the store.
 * A first import of a large suite appends its new tests without the
 * catalogue's node-id index and builds that once at the end (see "The bulk
 * load" below).
 *
 * The repeat rule (DESIGN §4) of the report being read, for the parsers
 * that leave it to the import (ins_session_writer_occurrence): two more
 * bitmaps over test ids, "its first occurrence in this report went in" and
 * "its latest attempt under its own name passed or was skipped", and, for
 * the rare ids repeated after that, the last k of "id[#k]" given. The parser
 * then holds nothing per test, and the import's memory stays flat in the
 * report's size.
 *
 * The first report's mark is not a savepoint (see ins_session_writer_mark):
 * SQLite copies every page a savepoint's statements change, that existed
 * before it, into its sub-journal, and a session of tests already known
 * changes hundreds of existing pages of result_recent.
 *
 * Foreign keys are not enforced inside the writer's transaction (they are
 * switched off before it begins and on again when it ends): every row it
 * adds refers to the session it has just inserted, to a test or a
 * fingerprint it has just looked up or added, under a write lock no other
 * connection can take, so the checks could never fail, and they cost three
 * index look-ups per result. `insight db check` still verifies them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/time.h>

#include "insight/fingerprint.h"
#include "store/store_internal.h"
#include "store/store_schema.h"

enum {
	ST_SUT_GET, ST_SUT_ADD, ST_TEST_GET, ST_TEST_ADD, ST_TEST_APPEND, ST_FINAL_GET, ST_UNFINAL,
	ST_RESULT_ADD, ST_RESULT_ADD_MANY, ST_TEXT_ADD, ST_PROP_ADD, ST_FP_GET, ST_FP_ADD,
	ST_TEST_FILE, ST_CAUSE_GET, ST_CAUSE_ADD, ST_SECTION_ADD, ST_REPORT_ADD, ST_FLAKY, ST__COUNT
};

static const char *const statements[ST__COUNT] = {
	[ST_SUT_GET] = "SELECT id FROM sut WHERE name = ?1",
	[ST_SUT_ADD] = "INSERT INTO sut (name, created_ms) VALUES (?1, ?2)",
	[ST_TEST_GET] = "SELECT id FROM test WHERE nodeid = ?1",
	/* Does nothing for a known test: sqlite3_changes() tells which happened. */
	[ST_TEST_ADD] = "INSERT INTO test (nodeid, file, classname, name) VALUES (?1, ?2, ?3, ?4) "
			"ON CONFLICT (nodeid) DO NOTHING",
	/* A test known to be new, while test_by_nodeid is dropped (see the bulk load). */
	[ST_TEST_APPEND] = "INSERT INTO test (nodeid, file, classname, name) VALUES (?1, ?2, ?3, ?4)",
	/* The previous final attempt, also the highest: its number and outcome. */
	[ST_FINAL_GET] = "SELECT attempt, outcome FROM result WHERE session_id = ?1 AND test_id = ?2 "
			 "AND final = 1 ORDER BY attempt DESC LIMIT 1",
	/*
	 * This and ST_FLAKY change one row, named by its whole key: an UPDATE
	 * of a key range (or one with RETURNING) first collects the rows in a
	 * temporary table, whose page cache is allocated and unmapped at each
	 * run. They change no key: OR FAIL spares them a statement journal (see
	 * prepare_result_batch).
	 */
	[ST_UNFINAL] = "UPDATE OR FAIL result SET final = 0 "
		       "WHERE session_id = ?1 AND test_id = ?2 AND attempt = ?3",
	[ST_RESULT_ADD] = "INSERT INTO result (session_id, test_id, attempt, outcome, final, "
			  "duration, start_ms, flags, fingerprint_id, message, recent) "
			  "VALUES (?1, ?2, ?3, ?4, 1, ?5, ?6, ?7, ?8, ?9, ?10)",
	/* RESULT_BATCH rows at once: see flush_results(). */
	[ST_RESULT_ADD_MANY] = NULL,
	[ST_TEXT_ADD] = "INSERT INTO result_text (session_id, test_id, attempt, detail, stdout, "
			"stderr, log) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
	[ST_PROP_ADD] = "INSERT INTO result_property (session_id, test_id, attempt, key, value) "
			"VALUES (?1, ?2, ?3, ?4, ?5)",
	/*
	 * Find or add the fingerprint (nothing else adds one while the writer
	 * holds the write lock). Its first and last sightings are set at
	 * commit (see sight_fingerprints), when the session's start is known:
	 * a JUnit report names its start only as it ends.
	 */
	[ST_FP_GET] = "SELECT id FROM fingerprint WHERE hash = ?1",
	[ST_FP_ADD] = "INSERT INTO fingerprint (hash, signature, cause_id) VALUES (?1, ?2, ?3)",
	/* What a new fingerprint's cause is read with: see fingerprint_add. */
	[ST_TEST_FILE] = "SELECT coalesce(file, nodeid) FROM test WHERE id = ?1",
	[ST_CAUSE_GET] = "SELECT id FROM cause WHERE hash = ?1",
	[ST_CAUSE_ADD] = "INSERT INTO cause (hash, signature) VALUES (?1, ?2)",
	[ST_SECTION_ADD] = "INSERT INTO output_section (session_id, seq, name, content) "
			   "VALUES (?1, ?2, ?3, ?4)",
	[ST_REPORT_ADD] = "INSERT OR IGNORE INTO report_file (hash, session_id, path) "
			  "VALUES (?1, ?2, ?3)",
	/* One test with several attempts: flag its final attempt when it passed after a failure. */
	[ST_FLAKY] = "UPDATE OR FAIL result SET flags = flags | 4 "
		     "WHERE session_id = ?1 AND test_id = ?2 AND attempt = ("
		     "  SELECT f.attempt FROM result f WHERE f.session_id = ?1 AND f.test_id = ?2 "
		     "  AND f.final = 1 AND f.outcome = 0 "
		     "  AND EXISTS (SELECT 1 FROM result p WHERE p.session_id = ?1 "
		     "    AND p.test_id = ?2 AND p.outcome IN (1, 2)))",
};

/*
 * Results are written RESULT_BATCH at a time: one statement per row costs
 * about as much again as the row itself (opening and closing the table's
 * and indexes' cursors), one statement of 16 rows halves the cost per row.
 */
#define RESULT_BATCH 16

/*
 * The bulk load of new tests (see bulk_begin). It begins once a session
 * has added BULK_MIN new tests, and at least as many as the catalogue held
 * before it; the filter of node ids is BULK_FILTER_BYTES whatever the
 * report's size (about 33 bits a test at a million); after BULK_SCANS
 * look-ups without the index, the index is built again for the rest.
 */
#define BULK_MIN 16384
#define BULK_FILTER_BYTES (4u << 20)
#define BULK_SCANS 4

/*
 * Fingerprints and causes remembered per session (see id_table); beyond
 * three quarters of this many, the store is asked again.
 */
#define FP_CACHE_SLOTS 4096
#define CAUSE_CACHE_SLOTS 16384

/*
 * A session that records this many new fingerprints gets a page cache of
 * FP_MANY_CACHE_KIB (SQLite's default is 2,000 KiB). Their index by hash
 * is written at random places: once it outgrows its share of the cache,
 * each new fingerprint reads a page back from the WAL and writes it there
 * again (a report of a million cases with a hundred thousand distinct
 * failures has 2.6 MB of it). Only then: a session of known tests gains
 * nothing from a larger cache, and pays for the memory it touches.
 */
#define FP_MANY 32768
#define FP_MANY_CACHE_KIB 6144

/*
 * Ids of fingerprints or causes by their hash, for this session: open
 * addressing, id 0 an empty slot. Bounded, so that a report of a million
 * distinct failures costs no more memory than one of a thousand.
 */
typedef struct id_table {
	struct id_slot {
		char hash[INS_FINGERPRINT_HEX + 1];
		int64_t id;
	} *slot;
	size_t slots, used;
} id_table;

static void id_table_clear(id_table *t)
{
	free(t->slot);
	memset(t, 0, sizeof(*t));
}

/* The session's counts as results arrive (final attempts unless said otherwise). */
typedef struct counts {
	int64_t outcome[INS_OUTCOME_COUNT];
	int64_t tests;       /* distinct tests */
	int64_t attempts;    /* all attempts */
	double dur_sum;      /* over all attempts with a known duration */
	int64_t dur_known;
} counts;

/* A growable bitmap over test ids. */
typedef struct bitmap {
	unsigned char *bits;
	size_t bytes;
} bitmap;

struct ins_session_writer {
	ins_store *store;
	sqlite3_stmt *st[ST__COUNT];
	int64_t session_id;
	char uid[INS_SESSION_ID_LEN + 1];
	int64_t started_ms, finished_ms; /* as known so far; fixed at commit */
	int times_from_reports;          /* started_ms came from the reports, not the caller */
	int keep_all_text;
	int sections;                    /* output sections added */
	int marks;                       /* open marks */
	/*
	 * The outermost mark, set before the session had anything but its
	 * row and tags, is no savepoint: a copy of those rows (session, then
	 * tags, as one SELECT each would return them) is enough to begin the
	 * session again. touched: a result, section or report was added, or
	 * the row changed, since the session began.
	 */
	int lazy_mark, touched;
	char *sut_name;
	sqlite3_value **session_row;
	int session_cols;
	char **session_colnames;
	struct { sqlite3_value *key, *value; } *tags;
	size_t ntags;
	counts n;                        /* counts so far */
	bitmap seen;                     /* tests with a result in this session */
	bitmap repeated;                 /* tests with more than one attempt */
	bitmap fps;                      /* fingerprints of this session's results */
	/* The repeat rule of the report being read (see ins_session_writer_occurrence). */
	bitmap occ_seen;                 /* tests whose first occurrence in it went in */
	bitmap occ_passed;               /* ... whose latest attempt then passed or was skipped */
	size_t occ_lo, occ_hi;           /* the bytes of both that may have a bit set */
	int64_t occ_test;                /* the attempts arriving count for this test; 0: none */
	struct occ_suffix {              /* tests repeated as "id[#k]": the last k; open addressing */
		int64_t test;            /* 0: empty slot */
		unsigned k;
	} *occ_k;
	size_t occ_nk, occ_ak;
	/* The last test seen: repeated attempts usually arrive back to back. */
	ins_buf last_nodeid;
	int64_t last_test_id;
	unsigned new_tests;              /* of the last 32 tests looked up, which were new (bits) */
	int64_t tests_added;             /* tests this session added to the catalogue */
	int64_t tests_before;            /* the catalogue's largest id before this session */
	int64_t recent;                  /* results this session wrote to result_recent */
	/*
	 * The bulk load: test_by_nodeid is dropped while `bulk` is set, and
	 * bulk_filter holds every node id of the catalogue (a Bloom filter of
	 * BULK_FILTER_BYTES in 64-byte blocks). bulk_scans: look-ups made by
	 * scanning the table so far; bulk_over: not again in this session.
	 */
	int bulk, bulk_over, bulk_scans;
	int64_t fps_new;                 /* fingerprints this session recorded */
	int64_t cache_size;              /* the connection's, once FP_MANY changed it */
	uint64_t *bulk_filter;
	ins_buf fp_sig;                  /* scratch for fingerprints */
	ins_buf fp_file;                 /* the file of a known test (fingerprint_add) */
	/* Results not yet written (see flush_results); messages are copies in pending_text. */
	struct pending_result {
		int64_t test_id, start_ms, fp_id;
		double duration;
		int attempt, outcome;
		unsigned flags;
		size_t message;          /* offset in pending_text, or NO_MESSAGE */
	} pending[RESULT_BATCH];
	int npending;
	ins_buf pending_text;
	id_table fp_ids, cause_ids;
	ins_buf cause_sig;               /* the cause of the fingerprint being added */
};

static int bit_get(const bitmap *b, int64_t i)
{
	size_t byte = (size_t)i >> 3;

	return byte < b->bytes && (b->bits[byte] >> (i & 7) & 1);
}

static void bit_set(bitmap *b, int64_t i)
{
	size_t byte = (size_t)i >> 3;

	if (byte >= b->bytes) {
		size_t want = b->bytes ? b->bytes : 1024;

		while (want <= byte)
			want *= 2;
		b->bits = ins_xrealloc(b->bits, want);
		memset(b->bits + b->bytes, 0, want - b->bytes);
		b->bytes = want;
	}
	b->bits[byte] |= (unsigned char)(1u << (i & 7));
}

static void bit_clear(bitmap *b, int64_t i)
{
	size_t byte = (size_t)i >> 3;

	if (byte < b->bytes)
		b->bits[byte] &= (unsigned char)~(1u << (i & 7));
}

static void bit_clear_all(bitmap *b)
{
	if (b->bits)
		memset(b->bits, 0, b->bytes);
}

static int64_t now_ms(void)
{
	struct timeval tv;

	gettimeofday(&tv, NULL);
	return (int64_t)tv.tv_sec * 1000 + tv.tv_usec / 1000;
}

static void forget_session_copy(ins_session_writer *w)
{
	for (int i = 0; i < w->session_cols; i++) {
		sqlite3_value_free(w->session_row[i]);
		free(w->session_colnames[i]);
	}
	free(w->session_row);
	free(w->session_colnames);
	w->session_row = NULL;
	w->session_colnames = NULL;
	w->session_cols = 0;
	for (size_t i = 0; i < w->ntags; i++) {
		sqlite3_value_free(w->tags[i].key);
		sqlite3_value_free(w->tags[i].value);
	}
	free(w->tags);
	w->tags = NULL;
	w->ntags = 0;
}

static int set_cache_size(ins_session_writer *w, int64_t size)
{
	char sql[64];

	snprintf(sql, sizeof(sql), "PRAGMA cache_size = %lld", (long long)size);
	return ins_store__exec(w->store, sql);
}

static void writer_free(ins_session_writer *w)
{
	for (int i = 0; i < ST__COUNT; i++)
		sqlite3_finalize(w->st[i]);
	ins_buf_release(&w->last_nodeid);
	ins_buf_release(&w->fp_sig);
	ins_buf_release(&w->fp_file);
	ins_buf_release(&w->pending_text);
	free(w->seen.bits);
	free(w->repeated.bits);
	free(w->fps.bits);
	free(w->occ_seen.bits);
	free(w->occ_passed.bits);
	free(w->occ_k);
	id_table_clear(&w->fp_ids);
	id_table_clear(&w->cause_ids);
	ins_buf_release(&w->cause_sig);
	free(w->bulk_filter);
	forget_session_copy(w);
	free(w->sut_name);
	/* Outside any transaction again: enforcement is back on for everything else. */
	if (!sqlite3_get_autocommit(w->store->db))
		sqlite3_exec(w->store->db, "ROLLBACK", NULL, NULL, NULL);
	sqlite3_exec(w->store->db, "PRAGMA foreign_keys = ON", NULL, NULL, NULL);
	if (w->cache_size)
		set_cache_size(w, w->cache_size);
	w->store->in_writer = 0;
	free(w);
}

/* Reset and clear a cached statement before use. */
static sqlite3_stmt *stmt(ins_session_writer *w, int which)
{
	sqlite3_stmt *s = w->st[which];

	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	return s;
}

/* Step a statement that returns no row; map failure to an error. */
static int step_done(ins_session_writer *w, sqlite3_stmt *s, const char *what)
{
	int rc = sqlite3_step(s);

	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return ins_store__error(w->store, what);
	return 0;
}

/*
 * Run `s` with (session id, test id) for each test with several attempts in
 * this session (the bitmap `repeated`); add the rows it changed to *changes.
 */
/* The next test id set in bitmap `b` from *i on, or -1; *i moves past it. */
static int64_t bit_next(const bitmap *b, size_t *i)
{
	for (; *i < b->bytes * 8; ++*i) {
		if (!b->bits[*i / 8]) {
			*i |= 7; /* a byte with no bit set: on to the next */
			continue;
		}
		if (b->bits[*i / 8] >> (*i % 8) & 1)
			return (int64_t)(*i)++;
	}
	return -1;
}

static int each_repeated(ins_session_writer *w, sqlite3_stmt *s, const char *what,
			 int64_t *changes)
{
	size_t i = 0;
	int64_t test;

	while ((test = bit_next(&w->repeated, &i)) >= 0) {
		int rc;

		sqlite3_bind_int64(s, 1, w->session_id);
		sqlite3_bind_int64(s, 2, test);
		if ((rc = step_done(w, s, what)) < 0)
			return rc;
		if (changes)
			*changes += sqlite3_changes(w->store->db);
	}
	return 0;
}

static int sut_id_for(ins_session_writer *w, const char *name, int64_t *id)
{
	sqlite3_stmt *s = stmt(w, ST_SUT_GET);
	int rc;

	ins_store__bind_text(s, 1, name);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*id = sqlite3_column_int64(s, 0);
		sqlite3_reset(s);
		return 0;
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return ins_store__error(w->store, "looking up the SUT");
	s = stmt(w, ST_SUT_ADD);
	ins_store__bind_text(s, 1, name);
	sqlite3_bind_int64(s, 2, now_ms());
	if ((rc = step_done(w, s, "adding the SUT")) < 0)
		return rc;
	*id = sqlite3_last_insert_rowid(w->store->db);
	return 0;
}

/* The catalogue's largest id as the session begins, or begins again (see bind_pending). */
static int read_tests_before(ins_session_writer *w)
{
	sqlite3_stmt *s;
	int rc;

	if ((rc = ins_store__prepare(w->store, &s, "SELECT coalesce(max(id), 0) FROM test")) < 0)
		return rc;
	rc = sqlite3_step(s);
	w->tests_before = rc == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
	w->recent = 0;
	sqlite3_finalize(s);
	return rc == SQLITE_ROW ? 0 : ins_store__error(w->store, "reading the catalogue");
}

/*
 * The git facts into parameters first .. first + 7: commit, tree, branch,
 * parents, dirty, commit time, author, subject.
 */
static void bind_git(sqlite3_stmt *s, int first, const ins_git_facts *g)
{
	ins_store__bind_text(s, first, g->commit);
	ins_store__bind_text(s, first + 1, g->tree);
	ins_store__bind_text(s, first + 2, g->branch);
	ins_store__bind_text(s, first + 3, g->parents);
	sqlite3_bind_int(s, first + 4, g->dirty);
	if (g->commit_time_ms)
		sqlite3_bind_int64(s, first + 5, g->commit_time_ms);
	ins_store__bind_text(s, first + 6, g->author);
	ins_store__bind_text(s, first + 7, g->subject);
}

static int insert_session(ins_session_writer *w, const ins_session_info *info, int64_t sut_id)
{
	static const char sql[] =
		"INSERT INTO session (uid, sut_id, started_ms, finished_ms, state, command, "
		"exit_status, format, source, host, git_commit, git_tree, git_branch, git_parents, "
		"git_dirty, git_commit_ms, git_author, git_subject, ci_provider, ci_build_id, "
		"ci_build_url, ci_job, ci_pr, ci_branch, ci_base_branch, ci_commit, ci_repo) "
		"VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, "
		"?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27)";
	const ins_git_facts *g = info->git && info->git->present ? info->git : NULL;
	const ins_ci_facts *c = info->ci;
	sqlite3_stmt *s;
	int rc;

	if ((rc = ins_store__prepare(w->store, &s, sql)) < 0)
		return rc;
	ins_store__bind_text(s, 1, w->uid);
	sqlite3_bind_int64(s, 2, sut_id);
	sqlite3_bind_int64(s, 3, w->started_ms);
	if (w->finished_ms)
		sqlite3_bind_int64(s, 4, w->finished_ms);
	ins_store__bind_text(s, 5, info->state ? info->state : INS_SESSION_COMPLETE);
	ins_store__bind_text(s, 6, info->command);
	if (info->has_exit_status)
		sqlite3_bind_int(s, 7, info->exit_status);
	ins_store__bind_text(s, 8, info->format);
	ins_store__bind_text(s, 9, info->source);
	ins_store__bind_text(s, 10, info->host);
	if (g)
		bind_git(s, 11, g);
	if (c) {
		ins_store__bind_text(s, 19, c->provider);
		ins_store__bind_text(s, 20, c->build_id);
		ins_store__bind_text(s, 21, c->build_url);
		ins_store__bind_text(s, 22, c->job);
		ins_store__bind_text(s, 23, c->pr);
		ins_store__bind_text(s, 24, c->branch);
		ins_store__bind_text(s, 25, c->base_branch);
		ins_store__bind_text(s, 26, c->commit);
		ins_store__bind_text(s, 27, c->repo);
	}
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return ins_store__error(w->store, "adding the session");
	w->session_id = sqlite3_last_insert_rowid(w->store->db);
	if ((rc = read_tests_before(w)) < 0)
		return rc;

	for (size_t i = 0; i < info->ntags; i++) {
		if ((rc = ins_store__prepare(w->store, &s,
			"INSERT OR REPLACE INTO session_tag (session_id, key, value) "
			"VALUES (?1, ?2, ?3)")) < 0)
			return rc;
		sqlite3_bind_int64(s, 1, w->session_id);
		ins_store__bind_text(s, 2, info->tags[i].key);
		ins_store__bind_text(s, 3, info->tags[i].value ? info->tags[i].value : "");
		rc = sqlite3_step(s);
		sqlite3_finalize(s);
		if (rc != SQLITE_DONE)
			return ins_store__error(w->store, "adding a session tag");
	}
	return 0;
}

#define NO_MESSAGE ((size_t)-1)

/*
 * The statement that adds RESULT_BATCH results. OR FAIL: a statement of
 * several rows that may abort half-way needs a statement journal, which
 * copies every page it touches first (and writes it to a file once the
 * report's savepoint has spilled its own); a constraint can only fail here
 * through a fault in the writer, and then the whole session is abandoned
 * anyway. A full disk or an I/O error still rolls back the transaction.
 */
static int prepare_result_batch(ins_session_writer *w)
{
	ins_buf sql = INS_BUF_INIT;
	int rc;

	ins_buf_puts(&sql, "INSERT OR FAIL INTO result (session_id, test_id, attempt, outcome, "
		     "final, duration, start_ms, flags, fingerprint_id, message, recent) VALUES ");
	for (int i = 0; i < RESULT_BATCH; i++)
		ins_buf_puts(&sql, i ? ", (?, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?)"
				     : "(?, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?)");
	rc = ins_store__prepare(w->store, &w->st[ST_RESULT_ADD_MANY], sql.ptr);
	ins_buf_release(&sql);
	return rc;
}

/*
 * Bind one pending result at parameters base + 1 .. base + 10 (the order of
 * ST_RESULT_ADD). Every parameter is bound on every use: no stale binding
 * survives a reset. A result of a test the catalogue had before this
 * session is `recent` (it goes to result_recent, see store_schema.c); one of
 * a test the session added is not: new tests have the highest ids, so their
 * entries are appended at the end of result_by_test. Nor are those of a
 * session past its first INS_RECENT_FOLD recent ones: the fold after its
 * commit would move them at once, so they go to result_by_test directly.
 */
static void bind_pending(ins_session_writer *w, sqlite3_stmt *s, int base,
			 const struct pending_result *p)
{
	sqlite3_bind_int64(s, base + 1, w->session_id);
	sqlite3_bind_int64(s, base + 2, p->test_id);
	sqlite3_bind_int(s, base + 3, p->attempt);
	sqlite3_bind_int(s, base + 4, p->outcome);
	if (p->duration >= 0)
		sqlite3_bind_double(s, base + 5, p->duration);
	else
		sqlite3_bind_null(s, base + 5);
	if (p->start_ms)
		sqlite3_bind_int64(s, base + 6, p->start_ms);
	else
		sqlite3_bind_null(s, base + 6);
	sqlite3_bind_int(s, base + 7, (int)p->flags);
	if (p->fp_id)
		sqlite3_bind_int64(s, base + 8, p->fp_id);
	else
		sqlite3_bind_null(s, base + 8);
	if (p->message != NO_MESSAGE)
		sqlite3_bind_text(s, base + 9, w->pending_text.ptr + p->message, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(s, base + 9);
	if (p->test_id <= w->tests_before && w->recent < INS_RECENT_FOLD) {
		sqlite3_bind_int(s, base + 10, 1);
		w->recent++;
	} else {
		sqlite3_bind_null(s, base + 10);
	}
}

/*
 * Write the pending results. Called before anything that reads or changes
 * the session's results (a repeated attempt, a mark, the commit); nothing
 * else depends on their rows being there, as foreign keys are off.
 */
static int flush_results(ins_session_writer *w)
{
	int i = 0, rc = 0;

	if (w->npending == RESULT_BATCH) {
		sqlite3_stmt *s = w->st[ST_RESULT_ADD_MANY];

		for (; i < RESULT_BATCH; i++)
			bind_pending(w, s, 10 * i, &w->pending[i]);
		rc = step_done(w, s, "adding results");
	}
	for (; i < w->npending && rc == 0; i++) {
		bind_pending(w, w->st[ST_RESULT_ADD], 0, &w->pending[i]);
		rc = step_done(w, w->st[ST_RESULT_ADD], "adding a result");
	}
	w->npending = 0;
	ins_buf_clear(&w->pending_text);
	return rc;
}

int ins_session_writer_begin(ins_session_writer **out, ins_store *store,
			     const ins_session_info *info)
{
	ins_session_writer *w;
	int64_t sut_id = 0;
	int rc;

	*out = NULL;
	if (!info->sut || !*info->sut)
		return ins_error_set(INS_EUSAGE, "a session needs a SUT name");
	if (store->readonly)
		return ins_error_set(INS_EUSAGE, "history '%s' is open read-only", store->path);
	if (store->in_writer)
		return ins_error_set(INS_EUSAGE, "a session is already being written");
	if (info->uid && (strlen(info->uid) != INS_SESSION_ID_LEN ||
			  strspn(info->uid, "0123456789ABCDEFGHJKMNPQRSTVWXYZ") != INS_SESSION_ID_LEN))
		return ins_error_set(INS_EINVALID, "'%s' is not a session id", info->uid);

	w = ins_xcalloc(1, sizeof(*w));
	w->store = store;
	store->in_writer = 1;
	ins_buf_init(&w->last_nodeid);
	ins_buf_init(&w->fp_sig);
	ins_buf_init(&w->fp_file);
	ins_buf_init(&w->cause_sig);
	ins_buf_init(&w->pending_text);
	w->started_ms = info->started_ms ? info->started_ms : now_ms();
	w->times_from_reports = !info->started_ms;
	w->finished_ms = info->finished_ms;
	if (info->uid)
		memcpy(w->uid, info->uid, sizeof(w->uid));
	else
		ins_session_id_new(w->uid, now_ms());

	ins_store__bound_wal(store);
	/* See the top of the file; a pragma inside a transaction would be a no-op. */
	if ((rc = ins_store__exec(store, "PRAGMA foreign_keys = OFF; BEGIN IMMEDIATE")) < 0) {
		writer_free(w);
		return rc;
	}
	for (int i = 0; i < ST__COUNT; i++) {
		if (i == ST_RESULT_ADD_MANY)
			rc = prepare_result_batch(w);
		else
			rc = ins_store__prepare(store, &w->st[i], statements[i]);
		if (rc < 0)
			goto fail;
	}
	w->sut_name = ins_xstrdup(info->sut);
	if ((rc = sut_id_for(w, info->sut, &sut_id)) < 0)
		goto fail;
	if ((rc = insert_session(w, info, sut_id)) < 0)
		goto fail;
	*out = w;
	return 0;
fail:
	sqlite3_exec(store->db, "ROLLBACK", NULL, NULL, NULL);
	writer_free(w);
	return rc;
}

/* Bind text the caller keeps alive until the statement is reset (NULL binds NULL). */
static void bind_static(sqlite3_stmt *s, int idx, const char *text)
{
	if (text)
		sqlite3_bind_text(s, idx, text, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(s, idx);
}

/*
 * Add the test to the catalogue; 1 when added, 0 when it was there already.
 * In a bulk load the caller knows that it is new (there is no index to
 * find it by).
 */
static int test_add(ins_session_writer *w, const ins_result *r, int64_t *id)
{
	sqlite3_stmt *s = w->st[w->bulk ? ST_TEST_APPEND : ST_TEST_ADD];
	int rc;

	bind_static(s, 1, r->nodeid);
	bind_static(s, 2, r->file);
	bind_static(s, 3, r->classname);
	bind_static(s, 4, r->name);
	if ((rc = step_done(w, s, "adding a test")) < 0)
		return rc;
	if (!sqlite3_changes(w->store->db))
		return 0;
	*id = sqlite3_last_insert_rowid(w->store->db);
	w->tests_added++;
	return 1;
}

/* Look the test up; 1 when found. */
static int test_get(ins_session_writer *w, const ins_result *r, int64_t *id)
{
	sqlite3_stmt *s = w->st[ST_TEST_GET];
	int rc;

	bind_static(s, 1, r->nodeid);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*id = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return ins_store__error(w->store, "looking up a test");
	return rc == SQLITE_ROW;
}

/*
 * The bulk load. A first import of a large suite adds a test to the
 * catalogue for nearly every case, and the unique index on the node id is
 * what that costs: new node ids arrive in no order, so each insert dirties
 * a random leaf of an index far larger than the page cache, and the pages
 * go to the WAL again and again. Appending the rows and building the index
 * once, sorted, costs a fraction of that. So, once a session has added
 * many tests relative to the catalogue (BULK_MIN, and at least as many as
 * it held before), the writer drops test_by_nodeid inside its transaction
 * and builds it again before anything but the catalogue reads it: at the
 * commit, at a report's mark, or early (see below). A crash or a rollback
 * before the commit takes the drop back with everything else.
 *
 * Without the index a test is found by a Bloom filter of fixed size over
 * every node id in the catalogue: a node id the filter has not seen is new
 * and appended at once, with no look-up. One it may have seen (a test
 * repeated in the report, a test the catalogue already had, or a rare false
 * positive) is looked up by scanning the table, which is exact but costs
 * the whole table; after BULK_SCANS such scans the index is built again
 * and the session goes on as usual. The filter's memory does not grow with
 * the report; a report far larger than it was sized for (tens of millions
 * of new tests) sees more false positives and leaves the bulk load sooner.
 */

/*
 * A 64-bit hash of a node id: eight bytes at a time, each word mixed in by
 * a multiply and a shift, then a finaliser that spreads the bits (node ids
 * are long and alike; a byte at a time, hashing was a tenth of the writer's
 * time per new test).
 */
static uint64_t bulk_hash(const char *s)
{
	size_t n = strlen(s);
	uint64_t h = 0x9e3779b97f4a7c15ULL ^ n, k;

	for (; n >= 8; s += 8, n -= 8) {
		memcpy(&k, s, 8);
		h = (h ^ k) * 0xff51afd7ed558ccdULL;
		h ^= h >> 29;
	}
	k = 0;
	memcpy(&k, s, n);
	h = (h ^ k) * 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 33;
	return h;
}

/* The filter's 64-byte block for `h`, chosen by the hash's top bits. */
static uint64_t *bulk_filter_block(uint64_t *filter, uint64_t h)
{
	return filter + (size_t)(h >> 32) % (BULK_FILTER_BYTES / 64) * 8;
}

/*
 * Set the filter's bits for `h`: ten bits in its block, each bit position
 * 9 bits of a second hash derived from it. 1 when all were set already
 * (the node id may have been seen), 0 when it had not been.
 */
static int bulk_filter_add(uint64_t *filter, uint64_t h)
{
	uint64_t *block = bulk_filter_block(filter, h);
	uint64_t g = h * 0x9e3779b97f4a7c15ULL, g2 = (h ^ (h >> 29)) * 0xbf58476d1ce4e5b9ULL;
	int all = 1;

	for (int i = 0; i < 10; i++) {
		unsigned pos = (unsigned)((i < 7 ? g >> (9 * i) : g2 >> (9 * (i - 7))) & 511);
		uint64_t bit = 1ULL << (pos & 63);

		if (!(block[pos >> 6] & bit)) {
			all = 0;
			block[pos >> 6] |= bit;
		}
	}
	return all;
}

/*
 * The filter's block for a node id is, at a million tests, a read from
 * memory (4 MiB, with the store's pages in between): a few hundred
 * nanoseconds the writer would wait for at each new test. The caller,
 * which knows the next results before it adds them, has it fetched ahead.
 */
void ins_session_writer_prefetch(ins_session_writer *w, const char *nodeid)
{
	if (w->bulk && nodeid)
		__builtin_prefetch(bulk_filter_block(w->bulk_filter, bulk_hash(nodeid)), 1);
}

/*
 * An empty filter. Its blocks are read in no order, one per new test: in
 * 4 KiB pages each read is also a miss of the CPU's address cache (TLB),
 * which costs as much as the read, so the filter asks the kernel for two
 * 2 MiB pages where it can (Linux's transparent huge pages).
 */
static uint64_t *bulk_filter_new(void)
{
	void *p = NULL;

	if (posix_memalign(&p, 2u << 20, BULK_FILTER_BYTES))
		return ins_xcalloc(BULK_FILTER_BYTES / sizeof(uint64_t), sizeof(uint64_t));
#ifdef MADV_HUGEPAGE
	madvise(p, BULK_FILTER_BYTES, MADV_HUGEPAGE);
#endif
	memset(p, 0, BULK_FILTER_BYTES);
	return p;
}

/* Build test_by_nodeid again and find tests by it from now on. */
static int bulk_end(ins_session_writer *w)
{
	int rc;

	if (!w->bulk)
		return 0;
	w->bulk = 0;
	w->bulk_over = 1;
	free(w->bulk_filter);
	w->bulk_filter = NULL;
	if ((rc = ins_store__exec(w->store, "CREATE UNIQUE INDEX test_by_nodeid ON test(nodeid)")) < 0)
		ins_error_prefix("building the index of the test catalogue");
	return rc;
}

/*
 * Begin a bulk load when this session has added enough tests: BULK_MIN,
 * and at least as many as the catalogue had before it (max(id) counts the
 * ids given so far: it never undercounts the catalogue). The filter is
 * filled from the catalogue, through the index, before the index goes.
 */
static int bulk_begin(ins_session_writer *w)
{
	sqlite3_stmt *s;
	int64_t max_id = 0;
	int rc;

	if (w->bulk || w->bulk_over || w->tests_added < BULK_MIN ||
	    w->tests_added % BULK_MIN)
		return 0;
	if ((rc = ins_store__prepare(w->store, &s, "SELECT max(id) FROM test")) < 0)
		return rc;
	if ((rc = sqlite3_step(s)) == SQLITE_ROW)
		max_id = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	if (rc != SQLITE_ROW)
		return ins_store__error(w->store, "sizing the test catalogue");
	if (max_id - w->tests_added > w->tests_added)
		return 0;

	w->bulk_filter = bulk_filter_new();
	if ((rc = ins_store__prepare(w->store, &s, "SELECT nodeid FROM test")) < 0)
		return rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		bulk_filter_add(w->bulk_filter, bulk_hash((const char *)sqlite3_column_text(s, 0)));
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		free(w->bulk_filter);
		w->bulk_filter = NULL;
		return ins_store__error(w->store, "reading the test catalogue");
	}
	if ((rc = ins_store__exec(w->store, "DROP INDEX test_by_nodeid")) < 0) {
		free(w->bulk_filter);
		w->bulk_filter = NULL;
		return rc;
	}
	w->bulk = 1;
	w->bulk_scans = 0;
	return 0;
}

/*
 * The test's id in a bulk load: appended when the filter has not seen its
 * node id, else looked up by a scan (or through the index built again).
 */
static int bulk_test_id(ins_session_writer *w, const ins_result *r, int64_t *id, int *is_new)
{
	uint64_t h = bulk_hash(r->nodeid);
	int rc;

	if (bulk_filter_add(w->bulk_filter, h)) {
		if (w->bulk_scans >= BULK_SCANS) {
			if ((rc = bulk_end(w)) < 0)
				return rc;
			return 1;       /* the caller looks it up through the index */
		}
		w->bulk_scans++;
		if ((rc = test_get(w, r, id)) != 0)
			return rc < 0 ? rc : 0;
	}
	if ((rc = test_add(w, r, id)) <= 0)
		return rc < 0 ? rc : ins_error_set(INS_ESTORE, "history '%s': test '%s' could not be "
						   "added", w->store->path, r->nodeid);
	*is_new = 1;
	return 0;
}

/*
 * The test's id, added to the catalogue when new; *is_new says which.
 * Sessions of a known suite find nearly every test in the catalogue, a
 * first import of a large suite finds none: the writer tries first what
 * the recent tests suggest (a look-up, or an insert that does nothing when
 * the test exists), so either kind costs one statement per test.
 */
static int test_id_for(ins_session_writer *w, const ins_result *r, int64_t *id, int *is_new)
{
	int rc;

	*is_new = 0;
	if (w->last_test_id && !strcmp(w->last_nodeid.ptr, r->nodeid)) {
		*id = w->last_test_id;
		return 0;
	}
	if (w->bulk && (rc = bulk_test_id(w, r, id, is_new)) <= 0) {
		if (rc < 0)
			return rc;
		/* found or added in the bulk load */
	} else if (__builtin_popcount(w->new_tests) > 16) {
		if ((rc = test_add(w, r, id)) < 0)
			return rc;
		*is_new = rc;
		if (!*is_new && (rc = test_get(w, r, id)) <= 0)
			return rc < 0 ? rc : ins_error_set(INS_ESTORE, "history '%s': test '%s' "
							    "vanished", w->store->path, r->nodeid);
	} else {
		if ((rc = test_get(w, r, id)) < 0)
			return rc;
		if (rc == 0) {
			if ((rc = test_add(w, r, id)) < 0)
				return rc;
			if (rc == 0)
				return ins_error_set(INS_ESTORE, "history '%s': test '%s' could not be "
						     "added", w->store->path, r->nodeid);
			*is_new = 1;
		}
	}
	w->new_tests = w->new_tests << 1 | (unsigned)*is_new;
	ins_buf_set(&w->last_nodeid, r->nodeid);
	w->last_test_id = *id;
	return *is_new ? bulk_begin(w) : 0;
}

/*
 * The attempt number for a new result of test_id. A test not yet in the
 * session (the common case) needs no query. Otherwise the previous final
 * attempt is un-marked, and its outcome leaves the counts.
 */
static int next_attempt(ins_session_writer *w, int64_t test_id, int is_new, int *attempt)
{
	sqlite3_stmt *s;
	int rc, prev, prev_outcome;

	if (is_new || !bit_get(&w->seen, test_id)) {
		bit_set(&w->seen, test_id);
		w->n.tests++;
		*attempt = 1;
		return 0;
	}
	/* The previous attempt may still be waiting to be written. */
	if ((rc = flush_results(w)) < 0)
		return rc;
	s = w->st[ST_FINAL_GET];
	sqlite3_bind_int64(s, 1, w->session_id);
	sqlite3_bind_int64(s, 2, test_id);
	rc = sqlite3_step(s);
	if (rc != SQLITE_ROW) {
		sqlite3_reset(s);
		if (rc == SQLITE_DONE)
			return ins_error_set(INS_ESTORE, "history '%s': numbering attempts: the "
					     "previous attempt is missing", w->store->path);
		return ins_store__error(w->store, "numbering attempts");
	}
	prev = sqlite3_column_int(s, 0);
	prev_outcome = sqlite3_column_int(s, 1);
	sqlite3_reset(s);
	s = w->st[ST_UNFINAL];
	sqlite3_bind_int64(s, 1, w->session_id);
	sqlite3_bind_int64(s, 2, test_id);
	sqlite3_bind_int(s, 3, prev);
	if ((rc = step_done(w, s, "numbering attempts")) < 0)
		return rc;
	*attempt = prev + 1;
	if (prev_outcome >= 0 && prev_outcome < INS_OUTCOME_COUNT)
		w->n.outcome[prev_outcome]--;
	bit_set(&w->repeated, test_id);
	return 0;
}

static uint64_t slot_of(const char *hash)
{
	uint64_t h = 1469598103934665603ULL;

	for (; *hash; hash++)
		h = (h ^ (unsigned char)*hash) * 1099511628211ULL;
	return h;
}

/* The id kept for a hash, or 0. */
static int64_t id_table_get(const id_table *t, const char *hash)
{
	if (!t->slot)
		return 0;
	for (size_t i = slot_of(hash) % t->slots;; i = (i + 1) % t->slots) {
		if (!t->slot[i].id)
			return 0;
		if (!strcmp(t->slot[i].hash, hash))
			return t->slot[i].id;
	}
}

static void id_table_put(id_table *t, size_t slots, const char *hash, int64_t id)
{
	size_t i;

	/* Keep a quarter free so that probes stay short; beyond that, just ask the store. */
	if (t->slot && t->used >= t->slots * 3 / 4)
		return;
	if (!t->slot) {
		t->slot = ins_xcalloc(slots, sizeof(*t->slot));
		t->slots = slots;
	}
	for (i = slot_of(hash) % t->slots; t->slot[i].id; i = (i + 1) % t->slots)
		;
	memcpy(t->slot[i].hash, hash, sizeof(t->slot[i].hash));
	t->slot[i].id = id;
	t->used++;
}

/* The row named by one text in a statement returning an id: its id, 0 when none. */
static int lookup_id(ins_session_writer *w, sqlite3_stmt *s, const char *key, int64_t *id,
		     const char *doing)
{
	int rc;

	bind_static(s, 1, key);
	rc = sqlite3_step(s);
	*id = rc == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
	sqlite3_reset(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return ins_store__error(w->store, doing);
	return 0;
}

/* Give the connection FP_MANY_CACHE_KIB of page cache until the writer ends. */
static int more_cache(ins_session_writer *w)
{
	sqlite3_stmt *s;
	int rc;

	if (w->cache_size)
		return 0;
	if ((rc = ins_store__prepare(w->store, &s, "PRAGMA cache_size")) < 0)
		return rc;
	if ((rc = sqlite3_step(s)) == SQLITE_ROW)
		w->cache_size = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	if (rc != SQLITE_ROW)
		return ins_store__error(w->store, "reading the page cache's size");
	return set_cache_size(w, -(int64_t)FP_MANY_CACHE_KIB);
}

/*
 * Record a fingerprint the history has never seen, with its cause (the
 * message and innermost frame, unless that frame is in the test's own
 * file: ins_fingerprint_cause), found or added here. The test is the one
 * of the result being added, the first to fail with it: its file as the
 * catalogue holds it, or its node id.
 */
static int fingerprint_add(ins_session_writer *w, const ins_result *r, int64_t test_id,
			   int test_is_new, const char *hash, const char *sig, int64_t *id)
{
	char cause_hash[INS_FINGERPRINT_HEX + 1];
	const char *file = r->file ? r->file : r->nodeid;
	int64_t cause = 0;
	sqlite3_stmt *s;
	int rc;

	if (!test_is_new) {
		s = w->st[ST_TEST_FILE];
		sqlite3_bind_int64(s, 1, test_id);
		if ((rc = sqlite3_step(s)) == SQLITE_ROW)
			ins_buf_set(&w->fp_file, (const char *)sqlite3_column_text(s, 0));
		sqlite3_reset(s);
		if (rc != SQLITE_ROW)
			return ins_store__error(w->store, "reading a test's file");
		file = w->fp_file.ptr;
	}
	ins_fingerprint_cause(&w->cause_sig, sig, file);
	ins_fingerprint_hash(cause_hash, w->cause_sig.ptr, w->cause_sig.len);
	if (!(cause = id_table_get(&w->cause_ids, cause_hash))) {
		if ((rc = lookup_id(w, w->st[ST_CAUSE_GET], cause_hash, &cause,
				    "looking up a failure's cause")) < 0)
			return rc;
		if (!cause) {
			s = w->st[ST_CAUSE_ADD];
			bind_static(s, 1, cause_hash);
			bind_static(s, 2, w->cause_sig.ptr);
			if ((rc = step_done(w, s, "recording a failure's cause")) < 0)
				return rc;
			cause = sqlite3_last_insert_rowid(w->store->db);
		}
		id_table_put(&w->cause_ids, CAUSE_CACHE_SLOTS, cause_hash, cause);
	}
	s = w->st[ST_FP_ADD];
	bind_static(s, 1, hash);
	bind_static(s, 2, sig);
	sqlite3_bind_int64(s, 3, cause);
	if ((rc = step_done(w, s, "recording a failure fingerprint")) < 0)
		return rc;
	*id = sqlite3_last_insert_rowid(w->store->db);
	if (++w->fps_new == FP_MANY)
		return more_cache(w);
	return 0;
}

/*
 * The id of the result's failure fingerprint, 0 when it has none. `hash`
 * and `sig` are the fingerprint when the caller computed it already
 * (NULL: computed here).
 */
static int fingerprint_id_for(ins_session_writer *w, const ins_result *r, int64_t test_id,
			      int test_is_new, const char *hash, const char *sig, int64_t *id)
{
	char own[INS_FINGERPRINT_HEX + 1];
	int rc;

	*id = 0;
	if (!ins_outcome_is_failure(r->outcome) || (!r->message && !r->detail))
		return 0;
	if (!hash || !sig) {
		if ((rc = ins_fingerprint_compute(&w->fp_sig, own, r->message, r->detail)) < 0)
			return rc;
		hash = own;
		sig = w->fp_sig.ptr;
	}
	/* Seen already in this session: the row exists. */
	if ((*id = id_table_get(&w->fp_ids, hash)) != 0)
		return 0;
	if ((rc = lookup_id(w, w->st[ST_FP_GET], hash, id,
			    "looking up a failure fingerprint")) < 0)
		return rc;
	if (!*id && (rc = fingerprint_add(w, r, test_id, test_is_new, hash, sig, id)) < 0)
		return rc;
	id_table_put(&w->fp_ids, FP_CACHE_SLOTS, hash, *id);
	return 0;
}

static int has_text(const char *s)
{
	return s && *s;
}

int ins_session_writer_add_result(ins_session_writer *w, const ins_result *r)
{
	return ins_session_writer_add_result_fp(w, r, NULL, NULL);
}

int ins_session_writer_add_result_fp(ins_session_writer *w, const ins_result *r,
				     const char *fp_hash, const char *fp_signature)
{
	int64_t test_id = 0, fp_id = 0;
	int attempt = 0, is_new = 0, rc;
	struct pending_result *p;
	sqlite3_stmt *s;

	if (!r->nodeid)
		return ins_error_set(INS_EINVALID, "a test result has no name");
	if ((unsigned)r->outcome >= INS_OUTCOME_COUNT)
		return ins_error_set(INS_EINVALID, "test '%s' has an unknown outcome %d", r->nodeid,
				     (int)r->outcome);
	w->touched = 1;
	if ((rc = test_id_for(w, r, &test_id, &is_new)) < 0)
		return rc;
	if ((rc = next_attempt(w, test_id, is_new, &attempt)) < 0)
		return rc;
	if (w->occ_test && test_id == w->occ_test) {
		/* the latest attempt is the final one: it decides for the test */
		if (ins_outcome_is_failure(r->outcome))
			bit_clear(&w->occ_passed, test_id);
		else
			bit_set(&w->occ_passed, test_id);
	}
	if ((rc = fingerprint_id_for(w, r, test_id, is_new, fp_hash, fp_signature, &fp_id)) < 0)
		return rc;

	p = &w->pending[w->npending++];
	p->test_id = test_id;
	p->attempt = attempt;
	p->outcome = (int)r->outcome;
	p->duration = r->duration;
	p->start_ms = r->start_ms;
	p->flags = r->flags & ~(unsigned)(INS_RESULT_FLAKY | INS_RESULT_OCCURRENCE);
	p->fp_id = fp_id;
	if (fp_id)
		bit_set(&w->fps, fp_id);
	/* A passing result's message is noise; skip and failure reasons are kept. */
	p->message = NO_MESSAGE;
	if (r->outcome != INS_OUTCOME_PASSED && has_text(r->message)) {
		p->message = w->pending_text.len;
		ins_buf_put(&w->pending_text, r->message, strlen(r->message) + 1);
	}
	if (w->npending == RESULT_BATCH && (rc = flush_results(w)) < 0)
		return rc;

	if ((w->keep_all_text || r->outcome != INS_OUTCOME_PASSED) &&
	    (has_text(r->detail) || has_text(r->out) || has_text(r->err) || has_text(r->log))) {
		s = w->st[ST_TEXT_ADD];
		sqlite3_bind_int64(s, 1, w->session_id);
		sqlite3_bind_int64(s, 2, test_id);
		sqlite3_bind_int(s, 3, attempt);
		bind_static(s, 4, has_text(r->detail) ? r->detail : NULL);
		bind_static(s, 5, has_text(r->out) ? r->out : NULL);
		bind_static(s, 6, has_text(r->err) ? r->err : NULL);
		bind_static(s, 7, has_text(r->log) ? r->log : NULL);
		if ((rc = step_done(w, s, "adding a result's text")) < 0)
			return rc;
	}
	for (size_t i = 0; i < r->nprops; i++) {
		if (!r->props[i].key)
			continue;
		s = w->st[ST_PROP_ADD];
		sqlite3_bind_int64(s, 1, w->session_id);
		sqlite3_bind_int64(s, 2, test_id);
		sqlite3_bind_int(s, 3, attempt);
		bind_static(s, 4, r->props[i].key);
		bind_static(s, 5, r->props[i].value);
		if ((rc = step_done(w, s, "adding a result property")) < 0)
			return rc;
	}
	w->n.outcome[r->outcome]++;
	w->n.attempts++;
	if (r->duration >= 0) {
		w->n.dur_sum += r->duration;
		w->n.dur_known++;
	}
	return 0;
}

/* Forget the repeat rule's state: a new report begins, or the last one was rolled back. */
static void bit_clear_range(bitmap *b, size_t lo, size_t hi)
{
	if (hi > b->bytes)
		hi = b->bytes;
	if (hi > lo)
		memset(b->bits + lo, 0, hi - lo);
}

static void occ_forget(ins_session_writer *w)
{
	bit_clear_range(&w->occ_seen, w->occ_lo, w->occ_hi);
	bit_clear_range(&w->occ_passed, w->occ_lo, w->occ_hi);
	w->occ_lo = w->occ_hi = 0;
	w->occ_test = 0;
	free(w->occ_k);
	w->occ_k = NULL;
	w->occ_nk = w->occ_ak = 0;
}

/* The slot of `test` in the table of suffixes: its entry, or the empty slot for it. */
static struct occ_suffix *occ_slot(struct occ_suffix *tab, size_t n, int64_t test)
{
	size_t mask = n - 1, i = (size_t)((uint64_t)test * 0x9e3779b97f4a7c15ULL >> 20) & mask;

	while (tab[i].test && tab[i].test != test)
		i = (i + 1) & mask;
	return &tab[i];
}

/* The next k for a repeat of `test` that is a test of its own: 2, 3, ... */
static unsigned occ_next_k(ins_session_writer *w, int64_t test)
{
	struct occ_suffix *e;

	if ((w->occ_nk + 1) * 4 > w->occ_ak * 3) {
		struct occ_suffix *old = w->occ_k;
		size_t aold = w->occ_ak;

		w->occ_ak = aold ? aold * 2 : 64;
		w->occ_k = ins_xcalloc(w->occ_ak, sizeof(*w->occ_k));
		for (size_t i = 0; i < aold; i++)
			if (old[i].test)
				*occ_slot(w->occ_k, w->occ_ak, old[i].test) = old[i];
		free(old);
	}
	e = occ_slot(w->occ_k, w->occ_ak, test);
	if (!e->test) {
		e->test = test;
		e->k = 1;
		w->occ_nk++;
	}
	return ++e->k;
}

int ins_session_writer_occurrence(ins_session_writer *w, const ins_result *r, unsigned *k)
{
	int64_t test_id = 0;
	size_t byte;
	int is_new = 0, rc;

	*k = 0;
	if (!r->nodeid)
		return ins_error_set(INS_EINVALID, "a test result has no name");
	w->touched = 1;
	if ((rc = test_id_for(w, r, &test_id, &is_new)) < 0)
		return rc;
	byte = (size_t)test_id >> 3;
	if (!bit_get(&w->occ_seen, test_id)) {
		/* the id's first occurrence in the report */
		bit_set(&w->occ_seen, test_id);
		bit_clear(&w->occ_passed, test_id);
		if (w->occ_hi == w->occ_lo) {
			w->occ_lo = byte;
			w->occ_hi = byte + 1;
		} else {
			w->occ_lo = byte < w->occ_lo ? byte : w->occ_lo;
			w->occ_hi = byte + 1 > w->occ_hi ? byte + 1 : w->occ_hi;
		}
		w->occ_test = test_id;
		return 0;
	}
	if (!bit_get(&w->occ_passed, test_id)) {
		/* every earlier occurrence failed: a retry */
		w->occ_test = test_id;
		return 0;
	}
	w->occ_test = 0;
	*k = occ_next_k(w, test_id);
	return 0;
}

int ins_session_writer_add_section(ins_session_writer *w, const char *name, const char *text)
{
	sqlite3_stmt *s = stmt(w, ST_SECTION_ADD);

	w->touched = 1;
	sqlite3_bind_int64(s, 1, w->session_id);
	sqlite3_bind_int(s, 2, ++w->sections);
	ins_store__bind_text(s, 3, name ? name : "");
	ins_store__bind_text(s, 4, text ? text : "");
	return step_done(w, s, "adding an output section");
}

int ins_session_writer_add_report(ins_session_writer *w, const char *sha256_hex, const char *path)
{
	sqlite3_stmt *s = stmt(w, ST_REPORT_ADD);

	w->touched = 1;
	ins_store__bind_text(s, 1, sha256_hex);
	sqlite3_bind_int64(s, 2, w->session_id);
	ins_store__bind_text(s, 3, path);
	return step_done(w, s, "recording a report file");
}

/* Update one column of the session row. `col` is one of a fixed set of names. */
static void set_session_column(ins_session_writer *w, const char *sql, int is_int, int64_t i,
			       const char *text)
{
	sqlite3_stmt *s;

	w->touched = 1;
	if (ins_store__prepare(w->store, &s, sql) < 0)
		return;
	if (is_int)
		sqlite3_bind_int64(s, 1, i);
	else
		ins_store__bind_text(s, 1, text);
	sqlite3_bind_int64(s, 2, w->session_id);
	sqlite3_step(s);
	sqlite3_finalize(s);
}

void ins_session_writer_set_times(ins_session_writer *w, int64_t started_ms, int64_t finished_ms)
{
	/*
	 * Several reports may name start times: the session started at the
	 * earliest. A start the caller gave explicitly is kept.
	 */
	if (started_ms > 0 && w->times_from_reports) {
		if (w->times_from_reports == 1 || started_ms < w->started_ms)
			w->started_ms = started_ms;
		w->times_from_reports = 2;
	}
	if (finished_ms > 0 && finished_ms > w->finished_ms)
		w->finished_ms = finished_ms;
}

/* A host named by the report wins over the importing machine's: the tests ran there. */
void ins_session_writer_set_host(ins_session_writer *w, const char *host)
{
	if (host && *host)
		set_session_column(w, "UPDATE session SET host = ?1 WHERE id = ?2",
				   0, 0, host);
}

void ins_session_writer_set_state(ins_session_writer *w, const char *state)
{
	if (state)
		set_session_column(w, "UPDATE session SET state = ?1 WHERE id = ?2", 0, 0, state);
}

void ins_session_writer_set_exit_status(ins_session_writer *w, int status)
{
	set_session_column(w, "UPDATE session SET exit_status = ?1 WHERE id = ?2", 1, status, NULL);
}

/* Git facts that were not known when the session began (see ins_import_opts.git_facts). */
int ins_session_writer_set_git(ins_session_writer *w, const ins_git_facts *g)
{
	static const char sql[] =
		"UPDATE session SET git_commit = ?2, git_tree = ?3, git_branch = ?4, "
		"git_parents = ?5, git_dirty = ?6, git_commit_ms = ?7, git_author = ?8, "
		"git_subject = ?9 WHERE id = ?1";
	sqlite3_stmt *s;
	int rc;

	if (!g || !g->present)
		return 0;
	w->touched = 1;
	if ((rc = ins_store__prepare(w->store, &s, sql)) < 0)
		return rc;
	sqlite3_bind_int64(s, 1, w->session_id);
	bind_git(s, 2, g);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? 0 : ins_store__error(w->store, "recording the session's git facts");
}

void ins_session_writer_keep_all_text(ins_session_writer *w, int keep)
{
	w->keep_all_text = keep;
}

/* Copy the session's row and tags (see lazy_mark). */
static int copy_session(ins_session_writer *w)
{
	sqlite3_stmt *s;
	int rc;

	forget_session_copy(w);
	if ((rc = ins_store__prepare(w->store, &s, "SELECT * FROM session WHERE id = ?1")) < 0)
		return rc;
	sqlite3_bind_int64(s, 1, w->session_id);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		w->session_cols = sqlite3_column_count(s);
		w->session_row = ins_xcalloc((size_t)w->session_cols, sizeof(*w->session_row));
		w->session_colnames = ins_xcalloc((size_t)w->session_cols,
						  sizeof(*w->session_colnames));
		for (int i = 0; i < w->session_cols; i++) {
			w->session_row[i] = sqlite3_value_dup(sqlite3_column_value(s, i));
			w->session_colnames[i] = ins_xstrdup(sqlite3_column_name(s, i));
			if (!w->session_row[i])
				rc = SQLITE_NOMEM;
		}
	}
	sqlite3_finalize(s);
	if (rc == SQLITE_NOMEM)
		return ins_error_set(INS_ESTORE, "history '%s': out of memory", w->store->path);
	if (rc != SQLITE_ROW)
		return ins_store__error(w->store, "reading the session");
	if ((rc = ins_store__prepare(w->store, &s, "SELECT key, value FROM session_tag "
				     "WHERE session_id = ?1")) < 0)
		return rc;
	sqlite3_bind_int64(s, 1, w->session_id);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		w->tags = ins_xrealloc(w->tags, (w->ntags + 1) * sizeof(*w->tags));
		w->tags[w->ntags].key = sqlite3_value_dup(sqlite3_column_value(s, 0));
		w->tags[w->ntags].value = sqlite3_value_dup(sqlite3_column_value(s, 1));
		w->ntags++;
		if (!w->tags[w->ntags - 1].key || !w->tags[w->ntags - 1].value)
			break;
	}
	sqlite3_finalize(s);
	if (rc == SQLITE_ROW)
		return ins_error_set(INS_ESTORE, "history '%s': out of memory", w->store->path);
	if (rc != SQLITE_DONE)
		return ins_store__error(w->store, "reading the session's tags");
	return 0;
}

/*
 * Begin the session again from its copy, after the whole transaction was
 * rolled back: the SUT (added again if it was new), the session row under
 * a new id (the one it had, unless another writer took it meanwhile) and
 * its tags.
 */
static int restore_session(ins_session_writer *w)
{
	ins_buf sql = INS_BUF_INIT;
	sqlite3_stmt *s;
	int64_t sut_id = 0;
	int rc, n = 0;

	if ((rc = ins_store__exec(w->store, "BEGIN IMMEDIATE")) < 0)
		return rc;
	if ((rc = sut_id_for(w, w->sut_name, &sut_id)) < 0)
		return rc;
	ins_buf_puts(&sql, "INSERT INTO session (");
	for (int i = 0; i < w->session_cols; i++) {
		if (!strcmp(w->session_colnames[i], "id"))
			continue;
		ins_buf_printf(&sql, "%s\"%s\"", n++ ? ", " : "", w->session_colnames[i]);
	}
	ins_buf_puts(&sql, ") VALUES (");
	for (int i = 0; i < n; i++)
		ins_buf_puts(&sql, i ? ", ?" : "?");
	ins_buf_puts(&sql, ")");
	rc = ins_store__prepare(w->store, &s, sql.ptr);
	ins_buf_release(&sql);
	if (rc < 0)
		return rc;
	n = 0;
	for (int i = 0; i < w->session_cols; i++) {
		if (!strcmp(w->session_colnames[i], "id"))
			continue;
		if (!strcmp(w->session_colnames[i], "sut_id"))
			sqlite3_bind_int64(s, ++n, sut_id);
		else
			sqlite3_bind_value(s, ++n, w->session_row[i]);
	}
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return ins_store__error(w->store, "adding the session");
	w->session_id = sqlite3_last_insert_rowid(w->store->db);
	if ((rc = read_tests_before(w)) < 0)
		return rc;
	for (size_t i = 0; i < w->ntags; i++) {
		if ((rc = ins_store__prepare(w->store, &s, "INSERT INTO session_tag (session_id, "
					     "key, value) VALUES (?1, ?2, ?3)")) < 0)
			return rc;
		sqlite3_bind_int64(s, 1, w->session_id);
		sqlite3_bind_value(s, 2, w->tags[i].key);
		sqlite3_bind_value(s, 3, w->tags[i].value);
		rc = sqlite3_step(s);
		sqlite3_finalize(s);
		if (rc != SQLITE_DONE)
			return ins_store__error(w->store, "adding a session tag");
	}
	return 0;
}

int ins_session_writer_mark(ins_session_writer *w)
{
	int rc = flush_results(w);

	/* a bulk load never spans a mark: rolling back to it restores the index */
	if (rc == 0)
		rc = bulk_end(w);
	occ_forget(w);

	if (rc == 0 && !w->marks && !w->touched) {
		/* Nothing to keep but the session itself: no savepoint (see lazy_mark). */
		if ((rc = copy_session(w)) == 0) {
			w->lazy_mark = 1;
			w->marks++;
		}
		return rc;
	}
	if (rc == 0)
		rc = ins_store__exec(w->store, "SAVEPOINT report");

	if (rc == 0)
		w->marks++;
	return rc;
}

int ins_session_writer_release_mark(ins_session_writer *w)
{
	int rc;

	if (!w->marks)
		return ins_error_set(INS_EUSAGE, "no report mark to release");
	if ((rc = flush_results(w)) < 0)
		return rc;
	w->marks--;
	if (!w->marks && w->lazy_mark) {
		w->lazy_mark = 0;
		forget_session_copy(w);
		return 0;
	}
	return ins_store__exec(w->store, "RELEASE report");
}

/*
 * Rebuild what the writer keeps in memory (counts, the test bitmaps) from
 * the store, after a rollback removed results it had counted. Rare: only a
 * report that failed half-way gets here. The fingerprint cache and the last
 * test are forgotten, as their rows may have been rolled away.
 */
static int reload_state(ins_session_writer *w)
{
	sqlite3_stmt *s;
	int rc;

	memset(&w->n, 0, sizeof(w->n));
	bit_clear_all(&w->seen);
	bit_clear_all(&w->repeated);
	bit_clear_all(&w->fps);
	occ_forget(w);
	w->last_test_id = 0;
	ins_buf_clear(&w->last_nodeid);
	id_table_clear(&w->fp_ids);
	id_table_clear(&w->cause_ids);

	if ((rc = ins_store__prepare(w->store, &s, "SELECT test_id, attempt, outcome, final, "
				     "duration, fingerprint_id FROM result WHERE session_id = ?1")) < 0)
		return rc;
	sqlite3_bind_int64(s, 1, w->session_id);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		int64_t test = sqlite3_column_int64(s, 0);
		int outcome = sqlite3_column_int(s, 2);

		w->n.attempts++;
		if (sqlite3_column_int(s, 1) > 1)
			bit_set(&w->repeated, test);
		if (sqlite3_column_int(s, 3)) {
			bit_set(&w->seen, test);
			w->n.tests++;
			if (outcome >= 0 && outcome < INS_OUTCOME_COUNT)
				w->n.outcome[outcome]++;
		}
		if (sqlite3_column_type(s, 5) != SQLITE_NULL)
			bit_set(&w->fps, sqlite3_column_int64(s, 5));
		if (sqlite3_column_type(s, 4) != SQLITE_NULL) {
			w->n.dur_sum += sqlite3_column_double(s, 4);
			w->n.dur_known++;
		}
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return ins_store__error(w->store, "counting the session's results");
	return 0;
}

int ins_session_writer_rollback_mark(ins_session_writer *w)
{
	int rc;

	if (!w->marks)
		return ins_error_set(INS_EUSAGE, "no report mark to roll back to");
	w->marks--;
	/* Every result still pending came after the mark (setting it wrote the others). */
	w->npending = 0;
	/* A bulk load began after the mark: the rollback restores the index. */
	w->bulk = 0;
	w->bulk_over = 1;
	free(w->bulk_filter);
	w->bulk_filter = NULL;
	ins_buf_clear(&w->pending_text);
	if (!w->marks && w->lazy_mark) {
		/* Nothing but the session was there before the mark: begin it again. */
		w->lazy_mark = 0;
		w->touched = 0;
		for (int i = 0; i < ST__COUNT; i++)
			sqlite3_reset(w->st[i]);
		rc = ins_store__exec(w->store, "ROLLBACK");
		if (rc == 0)
			rc = restore_session(w);
		forget_session_copy(w);
	} else {
		rc = ins_store__exec(w->store, "ROLLBACK TO report; RELEASE report");
	}
	if (rc == 0)
		rc = reload_state(w);
	return rc;
}

size_t ins_session_writer_count(const ins_session_writer *w, size_t *attempts)
{
	if (attempts)
		*attempts = (size_t)w->n.attempts;
	return (size_t)w->n.tests;
}

/*
 * Move the first and last sightings of every fingerprint this session has
 * (the `fps` bitmap) to this session where it is earlier or later than
 * what was known. The right-hand sides read the row as it was, so the
 * session and the time move together.
 */
static int sight_fingerprints(ins_session_writer *w)
{
	static const char sql[] =
		"UPDATE fingerprint SET "
		"  first_session_id = CASE WHEN first_seen_ms IS NULL OR ?2 < first_seen_ms "
		"    THEN ?1 ELSE first_session_id END,"
		"  first_seen_ms = CASE WHEN first_seen_ms IS NULL OR ?2 < first_seen_ms "
		"    THEN ?2 ELSE first_seen_ms END,"
		"  last_session_id = CASE WHEN last_seen_ms IS NULL OR ?2 >= last_seen_ms "
		"    THEN ?1 ELSE last_session_id END,"
		"  last_seen_ms = CASE WHEN last_seen_ms IS NULL OR ?2 >= last_seen_ms "
		"    THEN ?2 ELSE last_seen_ms END "
		"WHERE id = ?3";
	sqlite3_stmt *s;
	int rc;

	if ((rc = ins_store__prepare(w->store, &s, sql)) < 0)
		return rc;
	for (size_t byte = 0; byte < w->fps.bytes; byte++) {
		if (!w->fps.bits[byte])
			continue;
		for (int bit = 0; bit < 8; bit++) {
			if (!(w->fps.bits[byte] >> bit & 1))
				continue;
			sqlite3_bind_int64(s, 1, w->session_id);
			sqlite3_bind_int64(s, 2, w->started_ms);
			sqlite3_bind_int64(s, 3, (int64_t)(byte * 8 + (size_t)bit));
			rc = sqlite3_step(s);
			sqlite3_reset(s);
			if (rc != SQLITE_DONE) {
				rc = ins_store__error(w->store, "recording when failures were seen");
				sqlite3_finalize(s);
				return rc;
			}
		}
	}
	sqlite3_finalize(s);
	return 0;
}

/* What test_day adds to a row it already holds for the (SUT, day, test). */
#define TEST_DAY_MERGE \
	"ON CONFLICT (sut_id, day, test_id) DO UPDATE SET " \
	"  runs = runs + excluded.runs, passed = passed + excluded.passed," \
	"  failed = failed + excluded.failed, error = error + excluded.error," \
	"  skipped = skipped + excluded.skipped, xfailed = xfailed + excluded.xfailed," \
	"  xpassed = xpassed + excluded.xpassed," \
	"  failing_sessions = failing_sessions + excluded.failing_sessions," \
	"  flaky_in_run = flaky_in_run + excluded.flaky_in_run," \
	"  dur_n = dur_n + excluded.dur_n, dur_sum = dur_sum + excluded.dur_sum," \
	"  dur_max = CASE WHEN dur_max IS NULL OR excluded.dur_max > dur_max " \
	"    THEN excluded.dur_max ELSE dur_max END"

/*
 * Add this session's final results to test_day, the per-test daily
 * aggregate, under the day of its start (final by now).
 *
 * One row per test, from its final attempt, in one statement that reads
 * the session's primary-key range in order, so that the rows land in the
 * aggregate's key order (one SUT and day, test ids in order) and none is
 * written twice. Over one session INS_TEST_DAY_AGG comes down to the
 * final attempt's own values (as an aggregate it costs three times as
 * much, most of it in count(DISTINCT ...)), except failing_sessions, which
 * counts a failed or error attempt final or not: for a test with several
 * attempts (a final attempt past the first) it is looked for among them.
 * A final first attempt with others after it is one a later skip did not
 * hide (unmask_failures): it failed itself.
 */
static int add_to_test_day(ins_session_writer *w)
{
	static const char sql[] =
		"INSERT INTO test_day SELECT s.sut_id, s.started_ms / 86400000, r.test_id, 1,"
		"  r.outcome = 0, r.outcome = 1, r.outcome = 2, r.outcome = 3, r.outcome = 4,"
		"  r.outcome = 5,"
		"  s.n_failed + s.n_error + s.n_flaky > 0 AND CASE WHEN r.attempt = 1 "
		"    THEN r.outcome IN (1, 2) ELSE EXISTS (SELECT 1 FROM result p "
		"      WHERE p.session_id = r.session_id AND p.test_id = r.test_id "
		"      AND p.outcome IN (1, 2)) END,"
		"  (r.flags & 4) <> 0,"
		"  CASE WHEN r.outcome = 0 AND r.duration >= 0 THEN 1 ELSE 0 END,"
		"  CASE WHEN r.outcome = 0 AND r.duration >= 0 THEN r.duration ELSE 0.0 END,"
		"  CASE WHEN r.outcome = 0 AND r.duration >= 0 THEN r.duration END "
		"FROM session s JOIN result r ON r.session_id = s.id "
		"WHERE s.id = ?1 AND r.final = 1 " TEST_DAY_MERGE;
	sqlite3_stmt *s;
	int rc;

	if ((rc = ins_store__prepare(w->store, &s, sql)) < 0)
		return rc;
	sqlite3_bind_int64(s, 1, w->session_id);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return ins_store__error(w->store, "adding the session to the daily aggregate");
	return 0;
}

/*
 * A later skip never hides an earlier failure: a test whose last attempts
 * were skipped after a failed or error attempt (a retry that was skipped,
 * TestNG's and some rerun plugins' way) ends on that failing attempt
 * instead. Only tests with several attempts are looked at; the
 * session's counts follow the moved mark.
 */
static int unmask_failures(ins_session_writer *w)
{
	static const char sql[] =
		"UPDATE result SET final = (attempt = (SELECT max(p.attempt) FROM result p "
		"  WHERE p.session_id = ?1 AND p.test_id = ?2 AND p.outcome <> 3)) "
		"WHERE session_id = ?1 AND test_id = ?2 "
		"  AND EXISTS (SELECT 1 FROM result f WHERE f.session_id = ?1 AND f.test_id = ?2 "
		"    AND f.final = 1 AND f.outcome = 3) "
		"  AND (SELECT p.outcome FROM result p WHERE p.session_id = ?1 AND p.test_id = ?2 "
		"    AND p.outcome <> 3 ORDER BY p.attempt DESC LIMIT 1) IN (1, 2) "
		"RETURNING final, outcome";
	/*
	 * The same condition, read only: the UPDATE collects its rows in a
	 * temporary table at each run, so it runs only for the tests it moves.
	 */
	static const char masked_sql[] =
		"SELECT 1 FROM result f WHERE f.session_id = ?1 AND f.test_id = ?2 "
		"  AND f.final = 1 AND f.outcome = 3 "
		"  AND (SELECT p.outcome FROM result p WHERE p.session_id = ?1 AND p.test_id = ?2 "
		"    AND p.outcome <> 3 ORDER BY p.attempt DESC LIMIT 1) IN (1, 2)";
	sqlite3_stmt *s, *masked;
	size_t i = 0;
	int64_t test;
	int rc = 0;

	if ((rc = ins_store__prepare(w->store, &masked, masked_sql)) < 0)
		return rc;
	if ((rc = ins_store__prepare(w->store, &s, sql)) < 0) {
		sqlite3_finalize(masked);
		return rc;
	}
	while (!rc && (test = bit_next(&w->repeated, &i)) >= 0) {
		int moved = 0, step;

		sqlite3_bind_int64(masked, 1, w->session_id);
		sqlite3_bind_int64(masked, 2, test);
		step = sqlite3_step(masked);
		sqlite3_reset(masked);
		if (step == SQLITE_DONE)
			continue;
		if (step != SQLITE_ROW) {
			rc = ins_store__error(w->store, "keeping failures final");
			break;
		}
		sqlite3_bind_int64(s, 1, w->session_id);
		sqlite3_bind_int64(s, 2, test);
		while ((step = sqlite3_step(s)) == SQLITE_ROW) {
			int outcome = sqlite3_column_int(s, 1);

			if (sqlite3_column_int(s, 0) && outcome >= 0 && outcome < INS_OUTCOME_COUNT) {
				w->n.outcome[outcome]++;
				moved = 1;
			}
		}
		if (moved)
			w->n.outcome[INS_OUTCOME_SKIPPED]--;
		sqlite3_reset(s);
		if (step != SQLITE_DONE)
			rc = ins_store__error(w->store, "keeping failures final");
	}
	sqlite3_finalize(masked);
	sqlite3_finalize(s);
	return rc;
}

/* Mark flaky finals and store the session's counts, times, daily aggregate and sightings. */
static int finish_session(ins_session_writer *w)
{
	static const char counts_sql[] =
		"UPDATE session SET "
		"  n_tests = ?4, n_attempts = ?5, n_passed = ?6, n_failed = ?7, n_error = ?8,"
		"  n_skipped = ?9, n_xfailed = ?10, n_xpassed = ?11, n_flaky = ?12,"
		"  started_ms = ?2,"
		"  finished_ms = CASE WHEN ?3 > 0 THEN ?3 ELSE finished_ms END,"
		"  duration = CASE WHEN ?3 > ?2 THEN (?3 - ?2) / 1000.0 ELSE ?13 END,"
		/* a run that ran nothing is kept, and said to be so */
		"  state = CASE WHEN ?4 = 0 AND state = '" INS_SESSION_COMPLETE "' "
		"THEN '" INS_SESSION_NO_TESTS "' ELSE state END "
		"WHERE session.id = ?1";
	sqlite3_stmt *s;
	int64_t flaky = 0;
	int rc;

	if ((rc = flush_results(w)) < 0 || (rc = bulk_end(w)) < 0)
		return rc;
	if ((rc = unmask_failures(w)) < 0)
		return rc;
	/* Only a test with several attempts can be flaky in this run. */
	if ((rc = each_repeated(w, w->st[ST_FLAKY], "marking flaky results", &flaky)) < 0)
		return rc;

	if ((rc = ins_store__prepare(w->store, &s, counts_sql)) < 0)
		return rc;
	sqlite3_bind_int64(s, 1, w->session_id);
	sqlite3_bind_int64(s, 2, w->started_ms);
	sqlite3_bind_int64(s, 3, w->finished_ms);
	sqlite3_bind_int64(s, 4, w->n.tests);
	sqlite3_bind_int64(s, 5, w->n.attempts);
	for (int o = 0; o < INS_OUTCOME_COUNT; o++)
		sqlite3_bind_int64(s, 6 + o, w->n.outcome[o]);
	sqlite3_bind_int64(s, 12, flaky);
	if (w->n.dur_known)
		sqlite3_bind_double(s, 13, w->n.dur_sum);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return ins_store__error(w->store, "counting the session's results");
	if ((rc = add_to_test_day(w)) < 0)
		return rc;
	return sight_fingerprints(w);
}

int ins_session_writer_commit(ins_session_writer *w, char *uid)
{
	ins_store *store = w->store;
	int rc;

	while (w->marks) {
		if ((rc = ins_session_writer_release_mark(w)) < 0)
			goto fail;
	}
	if ((rc = finish_session(w)) < 0)
		goto fail;
	for (int i = 0; i < ST__COUNT; i++) {
		sqlite3_finalize(w->st[i]);
		w->st[i] = NULL;
	}
	if ((rc = ins_store__exec(store, "COMMIT")) < 0)
		goto fail;
	if (uid)
		memcpy(uid, w->uid, sizeof(w->uid));
	writer_free(w);
	/*
	 * The session is stored. Folding the recent results into result_by_test
	 * (every INS_RECENT_FOLD of them) only keeps reads fast: when it cannot
	 * be done now (another writer holds the history), the next import
	 * does it, and the session's import has not failed.
	 */
	if (ins_store__fold_recent(store, 0, NULL) < 0)
		ins_error_clear();
	return 0;
fail:
	sqlite3_exec(store->db, "ROLLBACK", NULL, NULL, NULL);
	writer_free(w);
	return rc;
}

void ins_session_writer_abort(ins_session_writer *w)
{
	if (!w)
		return;
	for (int i = 0; i < ST__COUNT; i++) {
		sqlite3_finalize(w->st[i]);
		w->st[i] = NULL;
	}
	sqlite3_exec(w->store->db, "ROLLBACK", NULL, NULL, NULL);
	writer_free(w);
}
