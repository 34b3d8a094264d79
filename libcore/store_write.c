/*
 * store_write.c - writing one session into the history, all or nothing.
 *
 * A writer holds an IMMEDIATE transaction from begin to commit, so a
 * session becomes visible whole or not at all: a parse error, a kill -9 or
 * a full disk leaves the history as it was. Reports are streamed in one
 * attempt at a time; nothing but prepared statements and one small cache
 * is held in memory, whatever the size of the session.
 *
 * Attempts: the n-th result added for a test in a session is attempt n.
 * The newest attempt is marked final; the previous final mark moves as a
 * new attempt arrives. "Flaky in this run" (a passing final attempt after a
 * failed one) and the session's counts are computed once, at commit.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include "insight/fingerprint.h"
#include "store_internal.h"

enum {
	ST_SUT_GET, ST_SUT_ADD, ST_TEST_GET, ST_TEST_ADD, ST_ATTEMPT_MAX, ST_UNFINAL,
	ST_RESULT_ADD, ST_TEXT_ADD, ST_PROP_ADD, ST_FP_UPSERT, ST_SECTION_ADD,
	ST_REPORT_ADD, ST__COUNT
};

static const char *const statements[ST__COUNT] = {
	[ST_SUT_GET] = "SELECT id FROM sut WHERE name = ?1",
	[ST_SUT_ADD] = "INSERT INTO sut (name, created_ms) VALUES (?1, ?2)",
	[ST_TEST_GET] = "SELECT id FROM test WHERE nodeid = ?1",
	[ST_TEST_ADD] = "INSERT INTO test (nodeid, file, classname, name) VALUES (?1, ?2, ?3, ?4)",
	[ST_ATTEMPT_MAX] = "SELECT max(attempt) FROM result WHERE session_id = ?1 AND test_id = ?2",
	[ST_UNFINAL] = "UPDATE result SET final = 0 WHERE session_id = ?1 AND test_id = ?2 "
		       "AND final = 1",
	[ST_RESULT_ADD] = "INSERT INTO result (session_id, test_id, attempt, outcome, final, "
			  "duration, start_ms, flags, fingerprint_id, message) "
			  "VALUES (?1, ?2, ?3, ?4, 1, ?5, ?6, ?7, ?8, ?9)",
	[ST_TEXT_ADD] = "INSERT INTO result_text (session_id, test_id, attempt, detail, stdout, "
			"stderr, log) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
	[ST_PROP_ADD] = "INSERT INTO result_property (session_id, test_id, attempt, key, value) "
			"VALUES (?1, ?2, ?3, ?4, ?5)",
	[ST_FP_UPSERT] = "INSERT INTO fingerprint (hash, signature, first_session_id, "
			 "first_seen_ms, last_session_id, last_seen_ms) "
			 "VALUES (?1, ?2, ?3, ?4, ?3, ?4) "
			 "ON CONFLICT (hash) DO UPDATE SET "
			 "  last_session_id = CASE WHEN excluded.last_seen_ms >= "
			 "    coalesce(last_seen_ms, 0) THEN excluded.last_session_id "
			 "    ELSE last_session_id END,"
			 "  last_seen_ms = max(coalesce(last_seen_ms, 0), excluded.last_seen_ms),"
			 "  first_session_id = CASE WHEN excluded.first_seen_ms < "
			 "    coalesce(first_seen_ms, excluded.first_seen_ms + 1) "
			 "    THEN excluded.first_session_id ELSE first_session_id END,"
			 "  first_seen_ms = min(coalesce(first_seen_ms, excluded.first_seen_ms), "
			 "    excluded.first_seen_ms) "
			 "RETURNING id",
	[ST_SECTION_ADD] = "INSERT INTO output_section (session_id, seq, name, content) "
			   "VALUES (?1, ?2, ?3, ?4)",
	[ST_REPORT_ADD] = "INSERT OR IGNORE INTO report_file (hash, session_id, path) "
			  "VALUES (?1, ?2, ?3)",
};

struct ins_session_writer {
	ins_store *store;
	sqlite3_stmt *st[ST__COUNT];
	int64_t session_id;
	char uid[INS_SESSION_ID_LEN + 1];
	int64_t started_ms, finished_ms; /* as known so far; fixed at commit */
	int times_from_reports;          /* started_ms came from the reports, not the caller */
	int keep_all_text;
	int sections;                    /* output sections added */
	int marks;                       /* open savepoints */
	size_t attempts;                 /* results added */
	/* The last test seen: repeated attempts usually arrive back to back. */
	ins_buf last_nodeid;
	int64_t last_test_id;
	ins_buf fp_sig;                  /* scratch for fingerprints */
};

static int64_t now_ms(void)
{
	struct timeval tv;

	gettimeofday(&tv, NULL);
	return (int64_t)tv.tv_sec * 1000 + tv.tv_usec / 1000;
}

static void writer_free(ins_session_writer *w)
{
	for (int i = 0; i < ST__COUNT; i++)
		sqlite3_finalize(w->st[i]);
	ins_buf_release(&w->last_nodeid);
	ins_buf_release(&w->fp_sig);
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
	if (g) {
		ins_store__bind_text(s, 11, g->commit);
		ins_store__bind_text(s, 12, g->tree);
		ins_store__bind_text(s, 13, g->branch);
		ins_store__bind_text(s, 14, g->parents);
		sqlite3_bind_int(s, 15, g->dirty);
		if (g->commit_time_ms)
			sqlite3_bind_int64(s, 16, g->commit_time_ms);
		ins_store__bind_text(s, 17, g->author);
		ins_store__bind_text(s, 18, g->subject);
	}
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

	w = ins_xcalloc(1, sizeof(*w));
	w->store = store;
	store->in_writer = 1;
	ins_buf_init(&w->last_nodeid);
	ins_buf_init(&w->fp_sig);
	w->started_ms = info->started_ms ? info->started_ms : now_ms();
	w->times_from_reports = !info->started_ms;
	w->finished_ms = info->finished_ms;
	ins_session_id_new(w->uid, now_ms());

	if ((rc = ins_store__exec(store, "BEGIN IMMEDIATE")) < 0) {
		writer_free(w);
		return rc;
	}
	for (int i = 0; i < ST__COUNT; i++) {
		if ((rc = ins_store__prepare(store, &w->st[i], statements[i])) < 0)
			goto fail;
	}
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

static int test_id_for(ins_session_writer *w, const ins_result *r, int64_t *id)
{
	sqlite3_stmt *s;
	int rc;

	if (w->last_test_id && !strcmp(w->last_nodeid.ptr, r->nodeid)) {
		*id = w->last_test_id;
		return 0;
	}
	s = stmt(w, ST_TEST_GET);
	ins_store__bind_text(s, 1, r->nodeid);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*id = sqlite3_column_int64(s, 0);
		sqlite3_reset(s);
	} else {
		sqlite3_reset(s);
		if (rc != SQLITE_DONE)
			return ins_store__error(w->store, "looking up a test");
		s = stmt(w, ST_TEST_ADD);
		ins_store__bind_text(s, 1, r->nodeid);
		ins_store__bind_text(s, 2, r->file);
		ins_store__bind_text(s, 3, r->classname);
		ins_store__bind_text(s, 4, r->name);
		if ((rc = step_done(w, s, "adding a test")) < 0)
			return rc;
		*id = sqlite3_last_insert_rowid(w->store->db);
	}
	ins_buf_set(&w->last_nodeid, r->nodeid);
	w->last_test_id = *id;
	return 0;
}

/* The attempt number for a new result of test_id; un-marks the previous final attempt. */
static int next_attempt(ins_session_writer *w, int64_t test_id, int *attempt)
{
	sqlite3_stmt *s = stmt(w, ST_ATTEMPT_MAX);
	int rc;

	sqlite3_bind_int64(s, 1, w->session_id);
	sqlite3_bind_int64(s, 2, test_id);
	rc = sqlite3_step(s);
	if (rc != SQLITE_ROW) {
		sqlite3_reset(s);
		return ins_store__error(w->store, "numbering attempts");
	}
	*attempt = sqlite3_column_int(s, 0) + 1;
	sqlite3_reset(s);
	if (*attempt == 1)
		return 0;
	s = stmt(w, ST_UNFINAL);
	sqlite3_bind_int64(s, 1, w->session_id);
	sqlite3_bind_int64(s, 2, test_id);
	return step_done(w, s, "numbering attempts");
}

static int fingerprint_id_for(ins_session_writer *w, const ins_result *r, int64_t *id)
{
	char hash[INS_FINGERPRINT_HEX + 1];
	sqlite3_stmt *s;
	int rc;

	*id = 0;
	if (!ins_outcome_is_failure(r->outcome) || (!r->message && !r->detail))
		return 0;
	if ((rc = ins_fingerprint_compute(&w->fp_sig, hash, r->message, r->detail)) < 0)
		return rc;
	s = stmt(w, ST_FP_UPSERT);
	ins_store__bind_text(s, 1, hash);
	sqlite3_bind_text(s, 2, w->fp_sig.ptr, (int)w->fp_sig.len, SQLITE_TRANSIENT);
	sqlite3_bind_int64(s, 3, w->session_id);
	sqlite3_bind_int64(s, 4, w->started_ms);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*id = sqlite3_column_int64(s, 0);
	/* RETURNING: step to completion so the upsert is finished. */
	while (rc == SQLITE_ROW)
		rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return ins_store__error(w->store, "recording a failure fingerprint");
	return 0;
}

static int has_text(const char *s)
{
	return s && *s;
}

int ins_session_writer_add_result(ins_session_writer *w, const ins_result *r)
{
	int64_t test_id = 0, fp_id = 0;
	int attempt = 0, rc;
	sqlite3_stmt *s;

	if (!r->nodeid)
		return ins_error_set(INS_EINVALID, "a test result has no name");
	if ((unsigned)r->outcome >= INS_OUTCOME_COUNT)
		return ins_error_set(INS_EINVALID, "test '%s' has an unknown outcome %d", r->nodeid,
				     (int)r->outcome);
	if ((rc = test_id_for(w, r, &test_id)) < 0)
		return rc;
	if ((rc = next_attempt(w, test_id, &attempt)) < 0)
		return rc;
	if ((rc = fingerprint_id_for(w, r, &fp_id)) < 0)
		return rc;

	s = stmt(w, ST_RESULT_ADD);
	sqlite3_bind_int64(s, 1, w->session_id);
	sqlite3_bind_int64(s, 2, test_id);
	sqlite3_bind_int(s, 3, attempt);
	sqlite3_bind_int(s, 4, (int)r->outcome);
	if (r->duration >= 0)
		sqlite3_bind_double(s, 5, r->duration);
	if (r->start_ms)
		sqlite3_bind_int64(s, 6, r->start_ms);
	sqlite3_bind_int(s, 7, (int)(r->flags & ~(unsigned)INS_RESULT_FLAKY));
	if (fp_id)
		sqlite3_bind_int64(s, 8, fp_id);
	/* A passing result's message is noise; skip and failure reasons are kept. */
	if (r->outcome != INS_OUTCOME_PASSED && has_text(r->message))
		ins_store__bind_text(s, 9, r->message);
	if ((rc = step_done(w, s, "adding a result")) < 0)
		return rc;

	if ((w->keep_all_text || r->outcome != INS_OUTCOME_PASSED) &&
	    (has_text(r->detail) || has_text(r->out) || has_text(r->err) || has_text(r->log))) {
		s = stmt(w, ST_TEXT_ADD);
		sqlite3_bind_int64(s, 1, w->session_id);
		sqlite3_bind_int64(s, 2, test_id);
		sqlite3_bind_int(s, 3, attempt);
		ins_store__bind_text(s, 4, has_text(r->detail) ? r->detail : NULL);
		ins_store__bind_text(s, 5, has_text(r->out) ? r->out : NULL);
		ins_store__bind_text(s, 6, has_text(r->err) ? r->err : NULL);
		ins_store__bind_text(s, 7, has_text(r->log) ? r->log : NULL);
		if ((rc = step_done(w, s, "adding a result's text")) < 0)
			return rc;
	}
	for (size_t i = 0; i < r->nprops; i++) {
		if (!r->props[i].key)
			continue;
		s = stmt(w, ST_PROP_ADD);
		sqlite3_bind_int64(s, 1, w->session_id);
		sqlite3_bind_int64(s, 2, test_id);
		sqlite3_bind_int(s, 3, attempt);
		ins_store__bind_text(s, 4, r->props[i].key);
		ins_store__bind_text(s, 5, r->props[i].value);
		if ((rc = step_done(w, s, "adding a result property")) < 0)
			return rc;
	}
	w->attempts++;
	return 0;
}

int ins_session_writer_add_section(ins_session_writer *w, const char *name, const char *text)
{
	sqlite3_stmt *s = stmt(w, ST_SECTION_ADD);

	sqlite3_bind_int64(s, 1, w->session_id);
	sqlite3_bind_int(s, 2, ++w->sections);
	ins_store__bind_text(s, 3, name ? name : "");
	ins_store__bind_text(s, 4, text ? text : "");
	return step_done(w, s, "adding an output section");
}

int ins_session_writer_add_report(ins_session_writer *w, const char *sha256_hex, const char *path)
{
	sqlite3_stmt *s = stmt(w, ST_REPORT_ADD);

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

void ins_session_writer_keep_all_text(ins_session_writer *w, int keep)
{
	w->keep_all_text = keep;
}

int ins_session_writer_mark(ins_session_writer *w)
{
	int rc = ins_store__exec(w->store, "SAVEPOINT report");

	if (rc == 0)
		w->marks++;
	return rc;
}

int ins_session_writer_release_mark(ins_session_writer *w)
{
	if (!w->marks)
		return ins_error_set(INS_EUSAGE, "no report mark to release");
	w->marks--;
	return ins_store__exec(w->store, "RELEASE report");
}

int ins_session_writer_rollback_mark(ins_session_writer *w)
{
	int rc;

	if (!w->marks)
		return ins_error_set(INS_EUSAGE, "no report mark to roll back to");
	w->marks--;
	rc = ins_store__exec(w->store, "ROLLBACK TO report; RELEASE report");
	/* The cached last test may have been rolled away. */
	w->last_test_id = 0;
	ins_buf_clear(&w->last_nodeid);
	return rc;
}

size_t ins_session_writer_count(const ins_session_writer *w, size_t *attempts)
{
	sqlite3_stmt *s;
	size_t n = 0;

	if (attempts)
		*attempts = w->attempts;
	if (sqlite3_prepare_v2(w->store->db, "SELECT count(*) FROM result WHERE session_id = ?1 "
			       "AND final = 1", -1, &s, NULL) != SQLITE_OK)
		return 0;
	sqlite3_bind_int64(s, 1, w->session_id);
	if (sqlite3_step(s) == SQLITE_ROW)
		n = (size_t)sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return n;
}

/* Mark flaky finals and store the session's counts, times and duration. */
static int finish_session(ins_session_writer *w)
{
	static const char flaky_sql[] =
		"UPDATE result SET flags = flags | 4 "
		"WHERE session_id = ?1 AND final = 1 AND outcome = 0 AND attempt > 1 "
		"AND EXISTS (SELECT 1 FROM result p WHERE p.session_id = ?1 "
		"  AND p.test_id = result.test_id AND p.attempt < result.attempt "
		"  AND p.outcome IN (1, 2))";
	static const char counts_sql[] =
		"UPDATE session SET "
		"  n_tests = c.n, n_attempts = c.a, n_passed = c.p, n_failed = c.f, n_error = c.e,"
		"  n_skipped = c.k, n_xfailed = c.xf, n_xpassed = c.xp, n_flaky = c.fl,"
		"  started_ms = ?2,"
		"  finished_ms = CASE WHEN ?3 > 0 THEN ?3 ELSE finished_ms END,"
		"  duration = CASE WHEN ?3 > ?2 THEN (?3 - ?2) / 1000.0 ELSE c.d END "
		"FROM (SELECT count(*) FILTER (WHERE final) AS n, count(*) AS a,"
		"  count(*) FILTER (WHERE final AND outcome = 0) AS p,"
		"  count(*) FILTER (WHERE final AND outcome = 1) AS f,"
		"  count(*) FILTER (WHERE final AND outcome = 2) AS e,"
		"  count(*) FILTER (WHERE final AND outcome = 3) AS k,"
		"  count(*) FILTER (WHERE final AND outcome = 4) AS xf,"
		"  count(*) FILTER (WHERE final AND outcome = 5) AS xp,"
		"  count(*) FILTER (WHERE final AND (flags & 4) <> 0) AS fl,"
		"  sum(duration) AS d "
		"  FROM result WHERE session_id = ?1) AS c "
		"WHERE session.id = ?1";
	sqlite3_stmt *s;
	int rc;

	if ((rc = ins_store__prepare(w->store, &s, flaky_sql)) < 0)
		return rc;
	sqlite3_bind_int64(s, 1, w->session_id);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return ins_store__error(w->store, "marking flaky results");

	if ((rc = ins_store__prepare(w->store, &s, counts_sql)) < 0)
		return rc;
	sqlite3_bind_int64(s, 1, w->session_id);
	sqlite3_bind_int64(s, 2, w->started_ms);
	sqlite3_bind_int64(s, 3, w->finished_ms);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return ins_store__error(w->store, "counting the session's results");
	return 0;
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
