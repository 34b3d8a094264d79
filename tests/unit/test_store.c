/*
 * test_store.c - the history store: open, migrate, reopen, refuse a newer
 * schema, whole-session transactions, attempts and counts, resolving refs,
 * deleting, checking, backing up, and concurrent writers.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "insight/errors.h"
#include "insight/fingerprint.h"
#include "insight/store.h"
#include "store/store_internal.h"
#include "store_tmp.h"

static ins_result result(const char *nodeid, ins_outcome o)
{
	ins_result r;

	memset(&r, 0, sizeof(r));
	r.nodeid = nodeid;
	r.outcome = o;
	r.duration = 0.25;
	if (ins_outcome_is_failure(o)) {
		r.message = "AssertionError: assert 1 == 2";
		r.detail = "def test():\n>   assert 1 == 2\nE   AssertionError";
	}
	return r;
}

/* A history of the current schema taken back to schema 9 (before result_recent). */
#define SCHEMA_9_SQL \
	"DROP INDEX result_recent; DROP INDEX result_by_test;" \
	"ALTER TABLE result DROP COLUMN recent;" \
	"CREATE INDEX result_by_test ON result(test_id, session_id, final, outcome, flags, " \
	"  duration);" \
	"PRAGMA user_version = 9;"

/* Write a session of `n` results (outcomes cycling passed/failed/skipped). */
static void write_session(ins_store *store, const char *sut, int64_t started, int n, char *uid)
{
	ins_session_info info = { 0 };
	ins_session_writer *w;
	char name[64];

	info.sut = sut;
	info.started_ms = started;
	info.format = "junit";
	assert_int_equal(ins_session_writer_begin(&w, store, &info), 0);
	for (int i = 0; i < n; i++) {
		ins_result r;
		snprintf(name, sizeof(name), "tests/test_a.py::test_%d", i);
		r = result(name, (ins_outcome)(i % 3 == 0 ? INS_OUTCOME_PASSED :
					       i % 3 == 1 ? INS_OUTCOME_FAILED : INS_OUTCOME_SKIPPED));
		assert_int_equal(ins_session_writer_add_result(w, &r), 0);
	}
	assert_int_equal(ins_session_writer_commit(w, uid), 0);
}

static void test_open_creates_and_migrates(void **state)
{
	ins_buf path = INS_BUF_INIT;
	ins_store *store;
	ins_store_stats st;

	(void)state;
	path_in_tmp(&path, "sub/dir/history.db");
	assert_int_equal(ins_store_open(&store, path.ptr, 0), INS_ENOTFOUND);
	assert_int_equal(ins_store_open(&store, path.ptr, INS_STORE_CREATE), 0);
	assert_int_equal(ins_store_schema_found(store), 0);
	assert_int_equal(ins_store_stats_get(store, &st), 0);
	assert_int_equal(st.schema_version, INS_STORE_SCHEMA_VERSION);
	assert_int_equal(st.sessions, 0);
	ins_store_free(store);

	/* Reopening finds the current schema and migrates nothing. */
	assert_int_equal(ins_store_open(&store, path.ptr, 0), 0);
	assert_int_equal(ins_store_schema_found(store), INS_STORE_SCHEMA_VERSION);
	ins_store_free(store);
	{
		sqlite3 *db;
		sqlite3_stmt *q;
		assert_int_equal(sqlite3_open(path.ptr, &db), SQLITE_OK);
		assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &q, NULL), SQLITE_OK);
		assert_int_equal(sqlite3_step(q), SQLITE_ROW);
		assert_string_equal((const char *)sqlite3_column_text(q, 0), "wal");
		sqlite3_finalize(q);
		sqlite3_close(db);
	}
	ins_buf_release(&path);
}

static void test_refuses_newer_schema(void **state)
{
	ins_buf path = INS_BUF_INIT;
	ins_store *store;
	sqlite3 *db;
	struct stat before, after;

	(void)state;
	path_in_tmp(&path, "newer.db");
	assert_int_equal(sqlite3_open(path.ptr, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "CREATE TABLE x(y); PRAGMA user_version = 999;", NULL,
				      NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	assert_int_equal(stat(path.ptr, &before), 0);

	assert_int_equal(ins_store_open(&store, path.ptr, 0), INS_ESCHEMA);
	assert_non_null(strstr(ins_error_last(), "999"));
	assert_non_null(strstr(ins_error_last(), "upgrade insight"));
	assert_int_equal(ins_store_open(&store, path.ptr, INS_STORE_READONLY), INS_ESCHEMA);
	/* Left untouched: same size, same version, no new tables. */
	assert_int_equal(stat(path.ptr, &after), 0);
	assert_int_equal(before.st_size, after.st_size);
	assert_int_equal(count(path.ptr, "PRAGMA user_version"), 999);
	assert_int_equal(count(path.ptr, "SELECT count(*) FROM sqlite_master WHERE name = 'session'"), 0);
	ins_buf_release(&path);
}

static void test_not_a_database(void **state)
{
	ins_buf path = INS_BUF_INIT;
	ins_store *store;
	FILE *fp;

	(void)state;
	path_in_tmp(&path, "garbage.db");
	fp = fopen(path.ptr, "w");
	assert_non_null(fp);
	for (int i = 0; i < 200; i++)
		fputs("this is not an sqlite database at all\n", fp);
	fclose(fp);
	assert_int_equal(ins_store_open(&store, path.ptr, 0), INS_ESTORE);
	assert_non_null(strstr(ins_error_last(), "not an insight history"));
	ins_buf_release(&path);
}

static void test_session_counts_and_attempts(void **state)
{
	ins_store *store;
	ins_session_info info = { 0 };
	ins_session_writer *w;
	char uid[INS_SESSION_ID_LEN + 1];
	ins_buf path = INS_BUF_INIT;
	ins_result r;
	ins_property props[] = { { "testrail_case_id", "C123" }, { "marker", "slow" } };

	(void)state;
	path_in_tmp(&path, "counts.db");
	assert_int_equal(ins_store_open(&store, path.ptr, INS_STORE_CREATE), 0);
	info.sut = "api";
	info.started_ms = 1700000000000;
	assert_int_equal(ins_session_writer_begin(&w, store, &info), 0);
	/* flaky: failed then passed */
	r = result("t::flaky", INS_OUTCOME_FAILED);
	assert_int_equal(ins_session_writer_add_result(w, &r), 0);
	r = result("t::flaky", INS_OUTCOME_PASSED);
	r.props = props;
	r.nprops = 2;
	assert_int_equal(ins_session_writer_add_result(w, &r), 0);
	/* failed every attempt */
	for (int i = 0; i < 3; i++) {
		r = result("t::broken", INS_OUTCOME_FAILED);
		assert_int_equal(ins_session_writer_add_result(w, &r), 0);
	}
	r = result("t::skip", INS_OUTCOME_SKIPPED);
	r.message = "no network";
	assert_int_equal(ins_session_writer_add_result(w, &r), 0);
	r = result("t::xf", INS_OUTCOME_XFAILED);
	assert_int_equal(ins_session_writer_add_result(w, &r), 0);
	assert_int_equal(ins_session_writer_commit(w, uid), 0);
	assert_int_equal(strlen(uid), INS_SESSION_ID_LEN);

	assert_int_equal(count(path.ptr, "SELECT n_tests FROM session"), 4);
	assert_int_equal(count(path.ptr, "SELECT n_attempts FROM session"), 7);
	assert_int_equal(count(path.ptr, "SELECT n_passed FROM session"), 1);
	assert_int_equal(count(path.ptr, "SELECT n_failed FROM session"), 1);
	assert_int_equal(count(path.ptr, "SELECT n_skipped FROM session"), 1);
	assert_int_equal(count(path.ptr, "SELECT n_xfailed FROM session"), 1);
	assert_int_equal(count(path.ptr, "SELECT n_flaky FROM session"), 1);
	assert_int_equal(count(path.ptr, "SELECT max(attempt) FROM result r JOIN test t ON "
			       "t.id = r.test_id WHERE t.nodeid = 't::broken'"), 3);
	assert_int_equal(count(path.ptr, "SELECT attempt FROM result r JOIN test t ON "
			       "t.id = r.test_id WHERE t.nodeid = 't::broken' AND final"), 3);
	assert_int_equal(count(path.ptr, "SELECT count(*) FROM result_property"), 2);
	/* text kept for non-passing results only */
	assert_int_equal(count(path.ptr, "SELECT count(*) FROM result_text"), 4);
	/* the three failures of t::broken and the flaky one share one fingerprint */
	assert_int_equal(count(path.ptr, "SELECT count(*) FROM fingerprint"), 1);
	assert_int_equal(count(path.ptr, "SELECT started_ms FROM session"), 1700000000000);
	assert_int_equal(ins_store_check(store, NULL, NULL), 0);
	ins_store_free(store);
	ins_buf_release(&path);
}

/*
 * The writer keeps a session's counts and which tests it has seen in memory,
 * and switches to insert-first look-ups after a run of new tests: a test
 * repeated later (not back to back) must still get the next attempt number,
 * and a rollback to a mark must forget what the dropped report added.
 */
static void test_many_new_tests_then_repeats_and_rollback(void **state)
{
	ins_store *store;
	ins_session_info info = { 0 };
	ins_session_writer *w;
	char uid[INS_SESSION_ID_LEN + 1], id[32];
	ins_buf path = INS_BUF_INIT;
	ins_result r;
	size_t attempts;

	(void)state;
	path_in_tmp(&path, "many.db");
	assert_int_equal(ins_store_open(&store, path.ptr, INS_STORE_CREATE), 0);
	info.sut = "many";
	info.started_ms = 1700000000000;
	assert_int_equal(ins_session_writer_begin(&w, store, &info), 0);
	for (int i = 0; i < 40; i++) {
		snprintf(id, sizeof(id), "t::new%02d", i);
		r = result(id, INS_OUTCOME_PASSED);
		assert_int_equal(ins_session_writer_add_result(w, &r), 0);
	}
	/* t::new05 again, twice, after 34 other tests: failed, then passed (flaky) */
	r = result("t::new05", INS_OUTCOME_FAILED);
	assert_int_equal(ins_session_writer_add_result(w, &r), 0);
	r = result("t::new39", INS_OUTCOME_SKIPPED);
	assert_int_equal(ins_session_writer_add_result(w, &r), 0);
	r = result("t::new05", INS_OUTCOME_PASSED);
	assert_int_equal(ins_session_writer_add_result(w, &r), 0);
	assert_int_equal(ins_session_writer_count(w, &attempts), 40);
	assert_int_equal(attempts, 43);

	/* a report that fails half-way: its tests and attempts are forgotten */
	assert_int_equal(ins_session_writer_mark(w), 0);
	r = result("t::new00", INS_OUTCOME_FAILED);
	assert_int_equal(ins_session_writer_add_result(w, &r), 0);
	r = result("t::dropped", INS_OUTCOME_PASSED);
	assert_int_equal(ins_session_writer_add_result(w, &r), 0);
	assert_int_equal(ins_session_writer_count(w, NULL), 41);
	assert_int_equal(ins_session_writer_rollback_mark(w), 0);
	assert_int_equal(ins_session_writer_count(w, &attempts), 40);
	assert_int_equal(attempts, 43);
	r = result("t::new00", INS_OUTCOME_ERROR);
	assert_int_equal(ins_session_writer_add_result(w, &r), 0);
	assert_int_equal(ins_session_writer_commit(w, uid), 0);

	assert_int_equal(count(path.ptr, "SELECT n_tests FROM session"), 40);
	assert_int_equal(count(path.ptr, "SELECT n_attempts FROM session"), 44);
	assert_int_equal(count(path.ptr, "SELECT n_passed FROM session"), 38);
	assert_int_equal(count(path.ptr, "SELECT n_error FROM session"), 1);
	assert_int_equal(count(path.ptr, "SELECT n_skipped FROM session"), 1);
	assert_int_equal(count(path.ptr, "SELECT n_flaky FROM session"), 1);
	assert_int_equal(count(path.ptr, "SELECT count(*) FROM test"), 40);
	/* t::new05: passed, then failed, then passed again and flaky */
	assert_int_equal(count(path.ptr, "SELECT count(*) FROM result r JOIN test t ON t.id = "
			       "r.test_id WHERE t.nodeid = 't::new05' AND ((r.attempt = 1 AND "
			       "r.outcome = 0 AND NOT r.final) OR (r.attempt = 2 AND r.outcome = 1 "
			       "AND NOT r.final) OR (r.attempt = 3 AND r.outcome = 0 AND r.final "
			       "AND r.flags & 4))"), 3);
	assert_int_equal(count(path.ptr, "SELECT max(attempt) FROM result r JOIN test t ON "
			       "t.id = r.test_id WHERE t.nodeid = 't::new00'"), 2);
	/* the same session again: every test is known now, and found */
	assert_int_equal(ins_session_writer_begin(&w, store, &info), 0);
	for (int i = 0; i < 40; i++) {
		snprintf(id, sizeof(id), "t::new%02d", i);
		r = result(id, INS_OUTCOME_PASSED);
		assert_int_equal(ins_session_writer_add_result(w, &r), 0);
	}
	assert_int_equal(ins_session_writer_commit(w, uid), 0);
	assert_int_equal(count(path.ptr, "SELECT count(*) FROM test"), 40);
	assert_int_equal(count(path.ptr, "SELECT count(*) FROM result"), 84);
	ins_store_free(store);
	ins_buf_release(&path);
}

static void test_abort_and_rollback_leave_nothing(void **state)
{
	ins_store *store;
	ins_session_info info = { 0 };
	ins_session_writer *w;
	ins_buf path = INS_BUF_INIT;
	ins_result r;
	char uid[INS_SESSION_ID_LEN + 1];

	(void)state;
	path_in_tmp(&path, "abort.db");
	assert_int_equal(ins_store_open(&store, path.ptr, INS_STORE_CREATE), 0);
	info.sut = "web";
	assert_int_equal(ins_session_writer_begin(&w, store, &info), 0);
	r = result("t::a", INS_OUTCOME_FAILED);
	assert_int_equal(ins_session_writer_add_result(w, &r), 0);
	ins_session_writer_abort(w);
	assert_int_equal(count(path.ptr, "SELECT count(*) FROM session"), 0);
	assert_int_equal(count(path.ptr, "SELECT count(*) FROM result"), 0);
	assert_int_equal(count(path.ptr, "SELECT count(*) FROM sut"), 0);
	assert_int_equal(count(path.ptr, "SELECT count(*) FROM test"), 0);
	assert_int_equal(count(path.ptr, "SELECT count(*) FROM fingerprint"), 0);

	/* A report rolled back to its mark contributes nothing; the others stay. */
	assert_int_equal(ins_session_writer_begin(&w, store, &info), 0);
	assert_int_equal(ins_session_writer_mark(w), 0);
	r = result("t::kept", INS_OUTCOME_PASSED);
	assert_int_equal(ins_session_writer_add_result(w, &r), 0);
	assert_int_equal(ins_session_writer_release_mark(w), 0);
	assert_int_equal(ins_session_writer_mark(w), 0);
	r = result("t::dropped", INS_OUTCOME_FAILED);
	assert_int_equal(ins_session_writer_add_result(w, &r), 0);
	r = result("t::kept", INS_OUTCOME_FAILED); /* a second attempt, rolled back too */
	assert_int_equal(ins_session_writer_add_result(w, &r), 0);
	assert_int_equal(ins_session_writer_rollback_mark(w), 0);
	assert_int_equal(ins_session_writer_commit(w, uid), 0);
	assert_int_equal(count(path.ptr, "SELECT count(*) FROM result"), 1);
	assert_int_equal(count(path.ptr, "SELECT n_passed FROM session"), 1);
	assert_int_equal(count(path.ptr, "SELECT count(*) FROM test WHERE nodeid = 't::dropped'"), 0);
	assert_int_equal(ins_store_check(store, NULL, NULL), 0);

	/* A result the store refuses does not leave a session behind once aborted. */
	assert_int_equal(ins_session_writer_begin(&w, store, &info), 0);
	r = result(NULL, INS_OUTCOME_PASSED);
	assert_int_equal(ins_session_writer_add_result(w, &r), INS_EINVALID);
	ins_session_writer_abort(w);
	assert_int_equal(count(path.ptr, "SELECT count(*) FROM session"), 1);
	ins_store_free(store);
	ins_buf_release(&path);
}

/* Write one session whose start arrives after its failure, as a JUnit report's does. */
static void write_late_start(ins_store *store, int64_t started, char *uid)
{
	ins_session_info info = { 0 };
	ins_session_writer *w;
	ins_result r = result("t::broken", INS_OUTCOME_FAILED);

	info.sut = "api";
	assert_int_equal(ins_session_writer_begin(&w, store, &info), 0);
	assert_int_equal(ins_session_writer_add_result(w, &r), 0);
	ins_session_writer_set_times(w, started, 0);
	assert_int_equal(ins_session_writer_commit(w, uid), 0);
}

/* First and last sightings follow the sessions' own start times, whatever the import order. */
static void test_fingerprint_sightings(void **state)
{
	ins_buf path = INS_BUF_INIT;
	ins_store *store;
	char mid[27], old[27], recent[27];
	ins_buf sql = INS_BUF_INIT;

	(void)state;
	path_in_tmp(&path, "sightings.db");
	assert_int_equal(ins_store_open(&store, path.ptr, INS_STORE_CREATE), 0);
	write_late_start(store, 1700000500000, mid);
	assert_int_equal(count(path.ptr, "SELECT first_seen_ms FROM fingerprint"), 1700000500000);
	assert_int_equal(count(path.ptr, "SELECT last_seen_ms FROM fingerprint"), 1700000500000);
	write_late_start(store, 1700000100000, old);    /* imported later, ran earlier */
	write_late_start(store, 1700000900000, recent);
	ins_store_free(store);

	assert_int_equal(count(path.ptr, "SELECT count(*) FROM fingerprint"), 1);
	assert_int_equal(count(path.ptr, "SELECT first_seen_ms FROM fingerprint"), 1700000100000);
	assert_int_equal(count(path.ptr, "SELECT last_seen_ms FROM fingerprint"), 1700000900000);
	ins_buf_printf(&sql, "SELECT count(*) FROM fingerprint f JOIN session a ON a.id = "
		       "f.first_session_id JOIN session b ON b.id = f.last_session_id "
		       "WHERE a.uid = '%s' AND b.uid = '%s'", old, recent);
	assert_int_equal(count(path.ptr, sql.ptr), 1);
	ins_buf_release(&sql);
	ins_buf_release(&path);
}

/*
 * A report rolled back to its mark sights nothing: a fingerprint known from
 * an earlier session and seen again only in the dropped report keeps its
 * sightings. A fingerprint the caller computed is the one the writer would
 * have computed, and a result without a failure takes none.
 */
static void test_fingerprints_after_rollback_and_precomputed(void **state)
{
	ins_buf path = INS_BUF_INIT, sig = INS_BUF_INIT;
	ins_store *store;
	ins_session_info info = { 0 };
	ins_session_writer *w;
	ins_result r;
	char first[27], second[27], hash[INS_FINGERPRINT_HEX + 1];

	(void)state;
	path_in_tmp(&path, "fp-rollback.db");
	assert_int_equal(ins_store_open(&store, path.ptr, INS_STORE_CREATE), 0);
	write_late_start(store, 1700000100000, first);

	info.sut = "api";
	assert_int_equal(ins_session_writer_begin(&w, store, &info), 0);
	assert_int_equal(ins_session_writer_mark(w), 0);
	r = result("t::broken", INS_OUTCOME_FAILED);
	assert_int_equal(ins_session_writer_add_result(w, &r), 0);
	assert_int_equal(ins_session_writer_rollback_mark(w), 0);
	/* Computed by the caller: the same fingerprint as the earlier session's. */
	r = result("t::other", INS_OUTCOME_ERROR);
	assert_int_equal(ins_fingerprint_compute(&sig, hash, r.message, r.detail), 0);
	assert_int_equal(ins_session_writer_add_result_fp(w, &r, hash, sig.ptr), 0);
	/* A passing result takes no fingerprint, whatever is passed along. */
	r = result("t::fine", INS_OUTCOME_PASSED);
	assert_int_equal(ins_session_writer_add_result_fp(w, &r, hash, sig.ptr), 0);
	ins_session_writer_set_times(w, 1700000900000, 0);
	assert_int_equal(ins_session_writer_commit(w, second), 0);

	assert_int_equal(count(path.ptr, "SELECT count(*) FROM fingerprint"), 1);
	assert_int_equal(count(path.ptr, "SELECT count(*) FROM result r JOIN test t ON "
			       "t.id = r.test_id WHERE t.nodeid = 't::other' AND r.fingerprint_id = "
			       "(SELECT id FROM fingerprint)"), 1);
	assert_int_equal(count(path.ptr, "SELECT count(*) FROM result WHERE fingerprint_id IS NOT "
			       "NULL"), 2);
	assert_int_equal(count(path.ptr, "SELECT first_seen_ms FROM fingerprint"), 1700000100000);
	assert_int_equal(count(path.ptr, "SELECT last_seen_ms FROM fingerprint"), 1700000900000);

	/* Only the dropped report failed this time: the sightings stay where they were. */
	assert_int_equal(ins_session_writer_begin(&w, store, &info), 0);
	assert_int_equal(ins_session_writer_mark(w), 0);
	r = result("t::broken", INS_OUTCOME_FAILED);
	assert_int_equal(ins_session_writer_add_result(w, &r), 0);
	assert_int_equal(ins_session_writer_rollback_mark(w), 0);
	r = result("t::fine", INS_OUTCOME_PASSED);
	assert_int_equal(ins_session_writer_add_result(w, &r), 0);
	ins_session_writer_set_times(w, 1700009000000, 0);
	assert_int_equal(ins_session_writer_commit(w, NULL), 0);
	assert_int_equal(count(path.ptr, "SELECT last_seen_ms FROM fingerprint"), 1700000900000);
	assert_int_equal(ins_store_check(store, NULL, NULL), 0);
	ins_store_free(store);
	ins_buf_release(&sig);
	ins_buf_release(&path);
}

/*
 * A failure of `nodeid` with a Python traceback from `outer` into
 * checks/cart.py, the innermost frame. The cause (ins_fingerprint_cause)
 * is the message and that frame, unless checks/cart.py is the test's own
 * file.
 */
static ins_result cart_failure(const char *nodeid, const char *file, const char *message,
			       const char *outer, char detail[256])
{
	ins_result r = result(nodeid, INS_OUTCOME_FAILED);

	snprintf(detail, 256, "Traceback (most recent call last):\n"
		 "  File \"%s\", line 1, in check\n"
		 "  File \"checks/cart.py\", line 3, in adds\n"
		 "ValueError: %s", outer, message);
	r.file = file;
	r.message = message;
	r.detail = detail;
	return r;
}

/* 1 when r's fingerprint has the cause that r's signature has seen from test_file. */
static int64_t has_cause(const char *path, const ins_result *r, const char *test_file)
{
	ins_buf sig = INS_BUF_INIT, cause = INS_BUF_INIT, sql = INS_BUF_INIT;
	char hash[INS_FINGERPRINT_HEX + 1];
	int64_t n;

	assert_int_equal(ins_fingerprint_compute(&sig, hash, r->message, r->detail), 0);
	ins_fingerprint_cause(&cause, sig.ptr, test_file);
	assert_null(strchr(cause.ptr, '\''));
	ins_buf_printf(&sql, "SELECT count(*) FROM fingerprint f JOIN cause c ON c.id = f.cause_id "
		       "WHERE f.hash = '%s' AND c.signature = '%s'", hash, cause.ptr);
	n = count(path, sql.ptr);
	ins_buf_release(&sig);
	ins_buf_release(&cause);
	ins_buf_release(&sql);
	return n;
}

/*
 * A new fingerprint gets its cause as it is recorded: read with the file
 * the catalogue holds for its test (a known test's, even when this report
 * names none), shared by fingerprints of the same cause, and recorded
 * again after a rollback to a mark dropped it.
 */
static void test_fingerprint_causes(void **state)
{
	ins_buf path = INS_BUF_INIT;
	ins_store *store;
	ins_session_info info = { 0 };
	ins_session_writer *w;
	ins_result r[6];
	char d[6][256];

	(void)state;
	path_in_tmp(&path, "causes.db");
	assert_int_equal(ins_store_open(&store, path.ptr, INS_STORE_CREATE), 0);
	info.sut = "api";
	assert_int_equal(ins_session_writer_begin(&w, store, &info), 0);
	r[0] = cart_failure("Cart::adds", "checks/cart.py", "boom one", "lib/util.py", d[0]);
	assert_int_equal(ins_session_writer_add_result(w, &r[0]), 0);
	assert_int_equal(ins_session_writer_commit(w, NULL), 0);
	/* the frame in the test's own file is no cause: the whole signature is */
	assert_int_equal(has_cause(path.ptr, &r[0], "checks/cart.py"), 1);
	assert_int_equal(has_cause(path.ptr, &r[0], "Cart::adds"), 0);

	assert_int_equal(ins_session_writer_begin(&w, store, &info), 0);
	/* the test is known: its file comes from the catalogue, not this report */
	r[1] = cart_failure("Cart::adds", NULL, "boom two", "lib/util.py", d[1]);
	assert_int_equal(ins_session_writer_add_result(w, &r[1]), 0);
	/* a new test of another file: the innermost frame is the cause */
	r[2] = cart_failure("Other::adds", "other/list.py", "boom three", "lib/util.py", d[2]);
	assert_int_equal(ins_session_writer_add_result(w, &r[2]), 0);
	assert_int_equal(ins_session_writer_commit(w, NULL), 0);
	assert_int_equal(has_cause(path.ptr, &r[1], "checks/cart.py"), 1);
	assert_int_equal(has_cause(path.ptr, &r[1], "Cart::adds"), 0);
	assert_int_equal(has_cause(path.ptr, &r[2], "other/list.py"), 1);
	assert_int_equal(has_cause(path.ptr, &r[2], "checks/cart.py"), 0);

	assert_int_equal(ins_session_writer_begin(&w, store, &info), 0);
	assert_int_equal(ins_session_writer_mark(w), 0);
	r[3] = cart_failure("Third::adds", "third/x.py", "boom five", "lib/util.py", d[3]);
	assert_int_equal(ins_session_writer_add_result(w, &r[3]), 0);
	assert_int_equal(ins_session_writer_release_mark(w), 0);
	/* a cause recorded in a report that is then dropped ... */
	assert_int_equal(ins_session_writer_mark(w), 0);
	r[4] = cart_failure("Fourth::adds", "fourth/y.py", "boom six", "lib/util.py", d[4]);
	assert_int_equal(ins_session_writer_add_result(w, &r[4]), 0);
	assert_int_equal(ins_session_writer_rollback_mark(w), 0);
	/* ... is recorded again for another fingerprint with it */
	r[4] = cart_failure("Fifth::adds", "fifth/z.py", "boom six", "lib/more.py", d[4]);
	assert_int_equal(ins_session_writer_add_result(w, &r[4]), 0);
	/* the cause of "boom three" again, from another outer frame */
	r[5] = cart_failure("Other::adds", "other/list.py", "boom three", "lib/more.py", d[5]);
	assert_int_equal(ins_session_writer_add_result(w, &r[5]), 0);
	assert_int_equal(ins_session_writer_commit(w, NULL), 0);
	ins_store_free(store);

	for (int i = 3; i < 6; i++)
		assert_int_equal(has_cause(path.ptr, &r[i], "elsewhere.py"), 1);
	assert_int_equal(count(path.ptr, "SELECT count(*) FROM fingerprint"), 6);
	assert_int_equal(count(path.ptr, "SELECT count(*) FROM fingerprint WHERE cause_id IS NULL "
			       "OR cause_id NOT IN (SELECT id FROM cause)"), 0);
	assert_int_equal(count(path.ptr, "SELECT count(*) FROM cause"), 5);
	assert_int_equal(count(path.ptr, "SELECT count(DISTINCT cause_id) FROM fingerprint "
			       "WHERE signature LIKE 'boom three%'"), 1);
	assert_int_equal(ins_store_open(&store, path.ptr, 0), 0);
	assert_int_equal(ins_store_check(store, NULL, NULL), 0);
	ins_store_free(store);
	ins_buf_release(&path);
}

/* The connection's page cache, in KiB when negative (PRAGMA cache_size). */
static int64_t cache_size(ins_store *store)
{
	sqlite3_stmt *s;
	int64_t n = 0;

	assert_int_equal(sqlite3_prepare_v2(store->db, "PRAGMA cache_size", -1, &s, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	n = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return n;
}

/*
 * A session that records 32,768 new fingerprints has a larger page cache
 * while it is written, and leaves the connection's as it found it, whether
 * it is committed or dropped.
 */
static void test_many_failures_cache(void **state)
{
	ins_buf path = INS_BUF_INIT;
	ins_store *store;
	ins_session_info info = { 0 };
	ins_session_writer *w;
	int64_t before;
	char name[32], message[32];

	(void)state;
	path_in_tmp(&path, "many-failures.db");
	assert_int_equal(ins_store_open(&store, path.ptr, INS_STORE_CREATE), 0);
	before = cache_size(store);
	info.sut = "api";
	for (int round = 0; round < 2; round++) {
		assert_int_equal(ins_session_writer_begin(&w, store, &info), 0);
		for (int i = 0; i < 33000; i++) {
			ins_result r;

			snprintf(name, sizeof(name), "t::case_%d", i);
			/* messages that differ in letters: digits are one placeholder in a signature */
			snprintf(message, sizeof(message), "boom %c%c%c%c%c", 'a' + i % 26,
				 'a' + i / 26 % 26, 'a' + i / 676 % 26, 'a' + i / 17576, 'a' + round);
			r = result(name, INS_OUTCOME_FAILED);
			r.message = message;
			r.detail = NULL;
			assert_int_equal(ins_session_writer_add_result(w, &r), 0);
			if (i == 100)
				assert_int_equal(cache_size(store), before);
		}
		assert_int_equal(cache_size(store), -6144);
		if (round == 0)
			assert_int_equal(ins_session_writer_commit(w, NULL), 0);
		else
			ins_session_writer_abort(w);
		assert_int_equal(cache_size(store), before);
	}
	ins_store_free(store);
	assert_int_equal(count(path.ptr, "SELECT count(*) FROM fingerprint"), 33000);
	assert_int_equal(count(path.ptr, "SELECT count(*) FROM fingerprint WHERE "
			       "first_session_id IS NULL OR cause_id IS NULL"), 0);
	ins_buf_release(&path);
}

/*
 * The first report's mark is no savepoint: rolling it back begins the
 * session again from a copy of its row and tags. The session must come out
 * as if the dropped report had never been read (its SUT, tags, host and
 * results), whether the SUT was new or not, and a later report's mark (a
 * savepoint) must still roll back alone.
 */
static void test_first_report_rolled_back(void **state)
{
	ins_buf path = INS_BUF_INIT;
	ins_store *store;
	ins_session_info info = { 0 };
	ins_tag tags[] = { { "branch", "main" }, { "os", "linux" } };
	ins_session_writer *w;
	ins_result r;
	char uid[INS_SESSION_ID_LEN + 1];
	size_t attempts;

	(void)state;
	path_in_tmp(&path, "first-rollback.db");
	assert_int_equal(ins_store_open(&store, path.ptr, INS_STORE_CREATE), 0);
	info.sut = "fresh";
	info.host = "builder";
	info.command = "make check";
	info.started_ms = 1700000000000;
	info.tags = tags;
	info.ntags = 2;
	for (int round = 0; round < 2; round++) {
		assert_int_equal(ins_session_writer_begin(&w, store, &info), 0);
		/* a report that fails half-way, after new tests, a failure and a host of its own */
		assert_int_equal(ins_session_writer_mark(w), 0);
		r = result("t::gone", INS_OUTCOME_FAILED);
		assert_int_equal(ins_session_writer_add_result(w, &r), 0);
		r = result("t::kept", INS_OUTCOME_PASSED);
		assert_int_equal(ins_session_writer_add_result(w, &r), 0);
		ins_session_writer_set_host(w, "elsewhere");
		assert_int_equal(ins_session_writer_rollback_mark(w), 0);
		assert_int_equal(ins_session_writer_count(w, &attempts), 0);
		assert_int_equal(attempts, 0);
		/* a good report, then a bad one rolled back alone */
		assert_int_equal(ins_session_writer_mark(w), 0);
		r = result("t::kept", INS_OUTCOME_PASSED);
		assert_int_equal(ins_session_writer_add_result(w, &r), 0);
		r = result("t::kept", INS_OUTCOME_FAILED);
		assert_int_equal(ins_session_writer_add_result(w, &r), 0);
		assert_int_equal(ins_session_writer_release_mark(w), 0);
		assert_int_equal(ins_session_writer_mark(w), 0);
		r = result("t::late", INS_OUTCOME_ERROR);
		assert_int_equal(ins_session_writer_add_result(w, &r), 0);
		assert_int_equal(ins_session_writer_rollback_mark(w), 0);
		assert_int_equal(ins_session_writer_commit(w, uid), 0);
	}
	assert_int_equal(count(path.ptr, "SELECT count(*) FROM sut"), 1);
	assert_int_equal(count(path.ptr, "SELECT count(*) FROM session s JOIN sut ON sut.id = "
			       "s.sut_id WHERE sut.name = 'fresh' AND s.host = 'builder' AND "
			       "s.command = 'make check' AND s.started_ms = 1700000000000 AND "
			       "s.n_tests = 1 AND s.n_attempts = 2 AND s.n_failed = 1"), 2);
	assert_int_equal(count(path.ptr, "SELECT count(*) FROM session_tag"), 4);
	assert_int_equal(count(path.ptr, "SELECT count(*) FROM session_tag WHERE session_id NOT IN "
			       "(SELECT id FROM session)"), 0);
	assert_int_equal(count(path.ptr, "SELECT count(*) FROM test"), 1);
	assert_int_equal(count(path.ptr, "SELECT count(*) FROM test WHERE nodeid = 't::kept' "
			       "AND id = 1"), 1);
	assert_int_equal(count(path.ptr, "SELECT count(*) FROM result"), 4);
	assert_int_equal(count(path.ptr, "SELECT count(*) FROM fingerprint"), 1);
	assert_int_equal(count(path.ptr, "SELECT sum(runs) FROM test_day"), 2);
	assert_int_equal(ins_store_check(store, NULL, NULL), 0);
	ins_store_free(store);
	ins_buf_release(&path);
}

static void test_resolve_refs(void **state)
{
	ins_store *store;
	char a[27], b[27], c[27], got[27], prefix[8];
	int64_t rowid;

	(void)state;
	assert_int_equal(ins_store_open(&store, ":memory:", INS_STORE_CREATE), 0);
	write_session(store, "api", 1000, 2, a);
	write_session(store, "api", 2000, 2, b);
	write_session(store, "web", 3000, 2, c);

	assert_int_equal(ins_store_session_resolve(store, "latest", NULL, got, &rowid), 0);
	assert_string_equal(got, c);
	assert_int_equal(ins_store_session_resolve(store, "latest", "api", got, NULL), 0);
	assert_string_equal(got, b);
	assert_int_equal(ins_store_session_resolve(store, "latest~1", "api", got, NULL), 0);
	assert_string_equal(got, a);
	assert_int_equal(ins_store_session_resolve(store, "latest~2", "api", got, NULL), INS_ENOTFOUND);
	assert_int_equal(ins_store_session_resolve(store, "latest~x", NULL, got, NULL), INS_EUSAGE);

	/* The full id, and a lowercase prefix, resolve; a short one is refused. */
	assert_int_equal(ins_store_session_resolve(store, b, NULL, got, NULL), 0);
	assert_string_equal(got, b);
	memcpy(prefix, b, 7);
	prefix[7] = '\0';
	for (char *p = prefix; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	/* All three ids were made within the same second: 7 characters are ambiguous. */
	assert_int_equal(ins_store_session_resolve(store, prefix, NULL, got, NULL), INS_EAMBIGUOUS);
	assert_non_null(strstr(ins_error_last(), "ambiguous"));
	assert_int_equal(ins_store_session_resolve(store, "abc", NULL, got, NULL), INS_EUSAGE);
	assert_int_equal(ins_store_session_resolve(store, "UUUU", NULL, got, NULL), INS_EUSAGE);
	assert_int_equal(ins_store_session_resolve(store, "ZZZZZZ", NULL, got, NULL), INS_ENOTFOUND);
	/* A ref limited to a SUT does not find the other SUT's session. */
	assert_int_equal(ins_store_session_resolve(store, c, "api", got, NULL), INS_ENOTFOUND);
	ins_store_free(store);
}

static void test_ids_sort_by_time(void **state)
{
	char a[27], b[27], c[27];

	(void)state;
	ins_session_id_new(a, 1700000000000);
	ins_session_id_new(b, 1700000000000);
	ins_session_id_new(c, 1700000000001);
	assert_true(strcmp(a, b) < 0);
	assert_true(strcmp(b, c) < 0);
	assert_int_equal(strspn(a, "0123456789ABCDEFGHJKMNPQRSTVWXYZ"), 26);
}

static void test_delete_and_prune(void **state)
{
	ins_buf path = INS_BUF_INIT;
	ins_store *store;
	char a[27], b[27];
	int64_t n;

	(void)state;
	path_in_tmp(&path, "delete.db");
	assert_int_equal(ins_store_open(&store, path.ptr, INS_STORE_CREATE), 0);
	write_session(store, "api", 1000, 6, a);
	write_session(store, "api", 5000, 3, b);
	assert_int_equal(count(path.ptr, "SELECT count(*) FROM test"), 6);
	assert_int_equal(ins_store_session_delete(store, a), 0);
	assert_int_equal(count(path.ptr, "SELECT count(*) FROM session"), 1);
	/* tests only the deleted session ran are gone; the shared ones stay */
	assert_int_equal(count(path.ptr, "SELECT count(*) FROM test"), 3);
	assert_int_equal(count(path.ptr, "SELECT count(*) FROM result WHERE session_id NOT IN "
			       "(SELECT id FROM session)"), 0);
	assert_int_equal(count(path.ptr, "SELECT count(*) FROM fingerprint WHERE first_session_id "
			       "IS NULL"), 0);
	assert_int_equal(ins_store_session_delete(store, a), INS_ENOTFOUND);
	assert_int_equal(ins_store_check(store, NULL, NULL), 0);

	assert_int_equal(ins_store_prune(store, 6000, 1, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(count(path.ptr, "SELECT count(*) FROM session"), 1);
	assert_int_equal(ins_store_prune(store, 6000, 0, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(count(path.ptr, "SELECT count(*) FROM session"), 0);
	assert_int_equal(count(path.ptr, "SELECT count(*) FROM test"), 0);
	assert_int_equal(count(path.ptr, "SELECT count(*) FROM sut"), 0);
	ins_store_free(store);
	ins_buf_release(&path);
}

static void collect(void *data, const char *problem)
{
	(*(int *)data)++;
	(void)problem;
}

/*
 * Rows of test_day that differ from a recomputation from `result`, written
 * here independently of the store's own query: per (session, test) first,
 * then summed per SUT, UTC day and test; both directions of the difference.
 */
static const char aggregate_diff_sql[] =
	"WITH st AS (SELECT s.sut_id, s.started_ms / 86400000 AS day, r.test_id,"
	"  max(CASE WHEN r.final THEN r.outcome END) AS o,"
	"  max(CASE WHEN r.final THEN r.flags END) AS fl,"
	"  max(CASE WHEN r.final THEN r.duration END) AS d,"
	"  max(r.outcome IN (1, 2) AND s.n_failed + s.n_error + s.n_flaky > 0) AS anyfail"
	"  FROM result r JOIN session s ON s.id = r.session_id GROUP BY r.session_id, r.test_id),"
	" want AS (SELECT sut_id, day, test_id, count(*) AS runs,"
	"  sum(o = 0) AS p, sum(o = 1) AS f, sum(o = 2) AS e, sum(o = 3) AS k, sum(o = 4) AS xf,"
	"  sum(o = 5) AS xp, sum(anyfail) AS fs, sum((fl & 4) <> 0) AS fr,"
	"  sum(o = 0 AND d IS NOT NULL AND d >= 0) AS dn,"
	"  round(total(CASE WHEN o = 0 AND d >= 0 THEN d END), 6) AS ds,"
	"  max(CASE WHEN o = 0 AND d >= 0 THEN d END) AS dm"
	"  FROM st GROUP BY sut_id, day, test_id),"
	" have AS (SELECT sut_id, day, test_id, runs, passed, failed, error, skipped, xfailed,"
	"  xpassed, failing_sessions, flaky_in_run, dur_n, round(dur_sum, 6), dur_max FROM test_day)"
	"SELECT (SELECT count(*) FROM (SELECT * FROM want EXCEPT SELECT * FROM have)) +"
	"  (SELECT count(*) FROM (SELECT * FROM have EXCEPT SELECT * FROM want))";

/* Write one session of a small suite with reruns, unknown durations and every outcome. */
static void write_varied(ins_store *store, const char *sut, int64_t started, int k, char *uid)
{
	ins_session_info info = { 0 };
	ins_session_writer *w;
	char name[64];

	info.sut = sut;
	info.started_ms = started;
	info.format = "junit";
	assert_int_equal(ins_session_writer_begin(&w, store, &info), 0);
	for (int i = 0; i < 8; i++) {
		ins_result r;

		snprintf(name, sizeof(name), "tests/test_v.py::test_%d", i);
		r = result(name, (ins_outcome)((i + k) % INS_OUTCOME_COUNT));
		r.duration = (i + k) % 4 == 0 ? -1 : 0.1 * (i + 1) + 0.01 * k;
		if ((i + k) % 5 == 0) {
			/* a failed attempt rerun: passing (flaky in the run) or failing again */
			ins_result first = result(name, INS_OUTCOME_FAILED);
			assert_int_equal(ins_session_writer_add_result(w, &first), 0);
		}
		assert_int_equal(ins_session_writer_add_result(w, &r), 0);
	}
	assert_int_equal(ins_session_writer_commit(w, uid), 0);
}

static void test_daily_aggregate(void **state)
{
	ins_buf path = INS_BUF_INIT;
	ins_store *store;
	char uid[12][27];
	sqlite3 *db;
	int64_t n, day = 86400000;
	int problems = 0;

	(void)state;
	path_in_tmp(&path, "aggregate.db");
	assert_int_equal(ins_store_open(&store, path.ptr, INS_STORE_CREATE), 0);
	/* 12 sessions over three UTC days and two SUTs, several on one day */
	for (int k = 0; k < 12; k++)
		write_varied(store, k % 4 == 3 ? "web" : "api", 20000 * day + (k / 4) * day +
			     (k % 4) * 3600000 + 17, k, uid[k]);
	assert_int_equal(count(path.ptr, aggregate_diff_sql), 0);
	assert_int_equal(count(path.ptr, "SELECT count(DISTINCT day) FROM test_day"), 3);
	assert_int_equal(count(path.ptr, "SELECT sum(failing_sessions) FROM test_day"),
			 count(path.ptr, "SELECT count(DISTINCT session_id || ' ' || test_id) "
			       "FROM result WHERE outcome IN (1, 2)"));
	{
		/* a failure rerun into a skip: a later skip never hides the failure,
		 * which stays final, so the session counts it and is a failing one */
		ins_session_info info = { 0 };
		ins_session_writer *w;
		ins_result r1 = result("tests/test_v.py::test_0", INS_OUTCOME_FAILED);
		ins_result r2 = result("tests/test_v.py::test_0", INS_OUTCOME_SKIPPED);

		info.sut = "web";
		info.started_ms = 20005 * day;
		assert_int_equal(ins_session_writer_begin(&w, store, &info), 0);
		assert_int_equal(ins_session_writer_add_result(w, &r1), 0);
		assert_int_equal(ins_session_writer_add_result(w, &r2), 0);
		assert_int_equal(ins_session_writer_commit(w, NULL), 0);
		assert_int_equal(count(path.ptr, "SELECT failing_sessions * 100 + failed * 10 + skipped "
				       "FROM test_day WHERE day = 20005"), 110);
		assert_int_equal(count(path.ptr, "SELECT n_failed * 10 + n_skipped FROM session "
				       "WHERE started_ms = 20005 * 86400000"), 10);
		assert_int_equal(count(path.ptr, "SELECT attempt FROM result r JOIN session s "
				       "ON s.id = r.session_id WHERE r.final AND "
				       "s.started_ms = 20005 * 86400000"), 1);
		assert_int_equal(count(path.ptr, aggregate_diff_sql), 0);
	}
	assert_int_equal(count(path.ptr, "SELECT sum(runs) FROM test_day"), 12 * 8 + 1);
	assert_true(count(path.ptr, "SELECT sum(flaky_in_run) FROM test_day") > 0);
	assert_true(count(path.ptr, "SELECT count(*) FROM test_day WHERE runs > 1") > 0);

	/* deleting one session of a day with others leaves the others' sums */
	assert_int_equal(ins_store_session_delete(store, uid[5]), 0);
	assert_int_equal(count(path.ptr, aggregate_diff_sql), 0);
	assert_int_equal(count(path.ptr, "SELECT sum(runs) FROM test_day"), 11 * 8 + 1);
	/* deleting the only session of a SUT and day removes its rows */
	assert_int_equal(ins_store_session_delete(store, uid[7]), 0);
	assert_int_equal(count(path.ptr, aggregate_diff_sql), 0);
	assert_int_equal(count(path.ptr, "SELECT count(*) FROM test_day WHERE sut_id = "
			       "(SELECT id FROM sut WHERE name = 'web') AND day = 20001"), 0);
	/* pruning half of the first day and all before it */
	assert_int_equal(ins_store_prune(store, 20000 * day + 2 * 3600000, 0, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(count(path.ptr, aggregate_diff_sql), 0);
	assert_int_equal(count(path.ptr, "SELECT sum(runs) FROM test_day"), 8 * 8 + 1);
	assert_int_equal(ins_store_check(store, collect, &problems), 0);
	assert_int_equal(problems, 0);
	ins_store_free(store);

	/*
	 * A store from before the aggregate (schema 1: no test_day, the narrow
	 * result_by_test, no result_failing) gets it filled and its indexes
	 * rebuilt when it is migrated.
	 */
	assert_int_equal(sqlite3_open(path.ptr, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "DROP TABLE test_day; DROP INDEX result_failing;"
				      "DROP INDEX fingerprint_by_cause; DROP TABLE cause;"
				      "ALTER TABLE fingerprint DROP COLUMN cause_id;"
				      SCHEMA_9_SQL "DROP INDEX result_by_test;"
				      "CREATE INDEX result_by_test ON result(test_id, session_id);"
				      "PRAGMA user_version = 1;", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	assert_int_equal(ins_store_open(&store, path.ptr, 0), 0);
	assert_int_equal(count(path.ptr, "PRAGMA user_version"), INS_STORE_SCHEMA_VERSION);
	assert_int_equal(count(path.ptr, "SELECT sum(runs) FROM test_day"), 8 * 8 + 1);
	assert_int_equal(count(path.ptr, aggregate_diff_sql), 0);
	assert_int_equal(count(path.ptr, "SELECT count(*) FROM pragma_index_info('result_by_test')"),
			 7);
	assert_int_equal(count(path.ptr, "SELECT count(*) FROM result INDEXED BY result_failing "
			       "WHERE outcome IN (1, 2) AND session_id > 0"),
			 count(path.ptr, "SELECT count(*) FROM result WHERE outcome IN (1, 2)"));
	write_varied(store, "api", 20002 * day + 5000, 3, uid[0]);
	assert_int_equal(count(path.ptr, aggregate_diff_sql), 0);
	assert_int_equal(ins_store_check(store, NULL, NULL), 0);
	ins_store_free(store);

	/* drift behind insight's back is what db check reports */
	assert_int_equal(sqlite3_open(path.ptr, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "UPDATE test_day SET failed = failed + 1 WHERE test_id = "
				      "(SELECT min(test_id) FROM test_day) AND day = 20002;"
				      "DELETE FROM test_day WHERE day = 20001 AND test_id = "
				      "(SELECT max(test_id) FROM test_day)", NULL, NULL, NULL),
			 SQLITE_OK);
	sqlite3_close(db);
	assert_int_equal(ins_store_open(&store, path.ptr, 0), 0);
	problems = 0;
	assert_int_equal(ins_store_check(store, collect, &problems), INS_ECORRUPT);
	assert_true(problems >= 2);
	ins_store_free(store);
	ins_buf_release(&path);
}

/*
 * A store of schema 8 declared test.nodeid UNIQUE (an automatic index that
 * cannot be dropped); the upgrade rebuilds the catalogue with the same rows
 * and ids and a named unique index, and the history stays whole.
 */
static void test_migrates_catalogue_index(void **state)
{
	static const char *const content_sql =
		"SELECT sum(id * length(nodeid)) + count(*) FROM test";
	ins_buf path = INS_BUF_INIT;
	ins_store *store;
	char uid[27];
	int64_t content, results;
	sqlite3 *db;

	(void)state;
	path_in_tmp(&path, "schema8.db");
	assert_int_equal(ins_store_open(&store, path.ptr, INS_STORE_CREATE), 0);
	write_session(store, "api", 1000, 40, uid);
	write_session(store, "api", 2000, 60, uid);
	ins_store_free(store);
	content = count(path.ptr, content_sql);
	results = count(path.ptr, "SELECT count(*) FROM result");

	/* back to the catalogue of schema 8, ids kept */
	assert_int_equal(sqlite3_open(path.ptr, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "PRAGMA foreign_keys = OFF; BEGIN;"
				      "CREATE TABLE old_test (id INTEGER PRIMARY KEY,"
				      "  nodeid TEXT NOT NULL UNIQUE, file TEXT, classname TEXT,"
				      "  name TEXT);"
				      "INSERT INTO old_test SELECT id, nodeid, file, classname, name "
				      "  FROM test;"
				      "DROP TABLE test; ALTER TABLE old_test RENAME TO test;"
				      SCHEMA_9_SQL "PRAGMA user_version = 8; COMMIT;", NULL, NULL, NULL),
			 SQLITE_OK);
	sqlite3_close(db);
	assert_int_equal(count(path.ptr, "SELECT count(*) FROM sqlite_schema "
			       "WHERE name = 'sqlite_autoindex_test_1'"), 1);

	assert_int_equal(ins_store_open(&store, path.ptr, 0), 0);
	assert_int_equal(ins_store_schema_found(store), 8);
	assert_int_equal(count(path.ptr, "PRAGMA user_version"), INS_STORE_SCHEMA_VERSION);
	assert_int_equal(count(path.ptr, "SELECT count(*) FROM sqlite_schema "
			       "WHERE name = 'sqlite_autoindex_test_1'"), 0);
	assert_int_equal(count(path.ptr, "SELECT \"unique\" FROM pragma_index_list('test') "
			       "WHERE name = 'test_by_nodeid'"), 1);
	assert_int_equal(count(path.ptr, content_sql), content);
	assert_int_equal(count(path.ptr, "SELECT count(*) FROM result"), results);
	assert_int_equal(count(path.ptr, "SELECT count(*) FROM pragma_foreign_key_check"), 0);
	assert_int_equal(ins_store_check(store, NULL, NULL), 0);
	/* known tests are found through the new index, new ones added */
	write_session(store, "api", 3000, 80, uid);
	assert_int_equal(count(path.ptr, "SELECT count(*) FROM test"), 80);
	assert_int_equal(count(path.ptr, "SELECT count(*) FROM result"), results + 80);
	assert_int_equal(ins_store_check(store, NULL, NULL), 0);
	ins_store_free(store);
	assert_int_equal(sqlite3_open(path.ptr, &db), SQLITE_OK);
	assert_int_not_equal(sqlite3_exec(db, "INSERT INTO test (nodeid) VALUES "
					  "('tests/test_a.py::test_1')", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	ins_buf_release(&path);
}

/*
 * Schema 10: results of tests known before their session go to
 * result_recent, those of new tests to result_by_test; the recent ones are
 * folded into result_by_test once there are INS_RECENT_FOLD of them, by
 * `db vacuum`, and every read of a test's runs sees both. A history of
 * schema 9 is migrated with its rows in result_by_test.
 */
static void test_recent_results_and_fold(void **state)
{
	static const char in_main[] =
		"SELECT count(*) FROM result INDEXED BY result_by_test WHERE recent IS NULL "
		"AND test_id > 0";
	static const char in_recent[] =
		"SELECT count(*) FROM result INDEXED BY result_recent WHERE recent IS NOT NULL "
		"AND test_id > 0";
	ins_buf path = INS_BUF_INIT;
	ins_store *store;
	sqlite3 *db;
	char uid[INS_SESSION_ID_LEN + 1];
	int64_t folded = -1, sessions = 0, results = 0, before;
	int went_down = 0;

	(void)state;
	path_in_tmp(&path, "recent.db");
	assert_int_equal(ins_store_open(&store, path.ptr, INS_STORE_CREATE), 0);
	write_session(store, "api", 1000, 40, uid);
	assert_int_equal(count(path.ptr, in_main), 40);
	assert_int_equal(count(path.ptr, in_recent), 0);
	/* 40 known tests and 10 new ones */
	write_session(store, "api", 2000, 50, uid);
	assert_int_equal(count(path.ptr, in_main), 50);
	assert_int_equal(count(path.ptr, in_recent), 40);
	assert_int_equal(count(path.ptr, "SELECT count(*) FROM result WHERE recent IS NOT NULL "
			       "AND session_id = (SELECT max(id) FROM session) AND test_id <= 40"), 40);
	/* a test's runs are read from both */
	assert_int_equal(count(path.ptr, "SELECT count(*) FROM " INS_RESULT_BY_TEST " r "
			       "WHERE r.test_id = 7"), 2);
	assert_int_equal(count(path.ptr, "SELECT count(*) FROM " INS_RESULT_BY_TEST " r "
			       "WHERE r.test_id = 45"), 1);
	assert_int_equal(ins_store_check(store, NULL, NULL), 0);

	/* fewer than INS_RECENT_FOLD: nothing folded unless asked */
	assert_int_equal(ins_store__fold_recent(store, 0, &folded), 0);
	assert_int_equal(folded, 0);
	assert_int_equal(ins_store__fold_recent(store, 1, &folded), 0);
	assert_int_equal(folded, 40);
	assert_int_equal(count(path.ptr, in_main), 90);
	assert_int_equal(count(path.ptr, in_recent), 0);
	assert_int_equal(ins_store__fold_recent(store, 1, &folded), 0);
	assert_int_equal(folded, 0);

	/* imports fold on their own once result_recent reaches INS_RECENT_FOLD */
	for (int i = 0; i < 2 * INS_RECENT_FOLD / 5000 + 1; i++) {
		before = count(path.ptr, in_recent);
		write_session(store, "api", 3000 + i, 5000, uid);
		if (count(path.ptr, in_recent) < before)
			went_down++;
		assert_true(count(path.ptr, in_recent) < INS_RECENT_FOLD);
	}
	assert_true(went_down >= 1);
	/* a session of more known tests than that: all stored, none left recent */
	write_session(store, "api", 4000, INS_RECENT_FOLD + 5000, uid);
	write_session(store, "api", 4001, INS_RECENT_FOLD + 5000, uid);
	assert_int_equal(count(path.ptr, in_recent), 0);
	assert_int_equal(count(path.ptr, "SELECT count(*) FROM " INS_RESULT_BY_TEST " r "
			       "WHERE r.test_id = 50000"), 2);
	sessions = count(path.ptr, "SELECT count(*) FROM session");
	results = count(path.ptr, "SELECT count(*) FROM result");
	assert_int_equal(count(path.ptr, in_main) + count(path.ptr, in_recent), results);
	assert_int_equal(count(path.ptr, "SELECT count(*) FROM " INS_RESULT_BY_TEST " r "
			       "WHERE r.test_id = 7"), sessions);
	assert_int_equal(ins_store_check(store, NULL, NULL), 0);

	/* db vacuum folds everything first */
	assert_int_equal(ins_store_vacuum(store), 0);
	assert_int_equal(count(path.ptr, in_recent), 0);
	assert_int_equal(count(path.ptr, in_main), results);
	ins_store_free(store);

	/* back to schema 9: the whole index, no column; migrated, rows kept */
	assert_int_equal(sqlite3_open(path.ptr, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, SCHEMA_9_SQL, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	assert_int_equal(ins_store_open(&store, path.ptr, 0), 0);
	assert_int_equal(ins_store_schema_found(store), 9);
	assert_int_equal(count(path.ptr, "PRAGMA user_version"), INS_STORE_SCHEMA_VERSION);
	assert_int_equal(count(path.ptr, in_main), results);
	assert_int_equal(count(path.ptr, in_recent), 0);
	write_session(store, "api", 9000, 60, uid);
	assert_int_equal(count(path.ptr, in_recent), 60);
	assert_int_equal(ins_store_check(store, NULL, NULL), 0);
	ins_store_free(store);
	ins_buf_release(&path);
}

static void test_check_finds_damage(void **state)
{
	ins_buf path = INS_BUF_INIT;
	ins_store *store;
	char a[27];
	sqlite3 *db;
	int problems = 0;

	(void)state;
	path_in_tmp(&path, "damaged.db");
	assert_int_equal(ins_store_open(&store, path.ptr, INS_STORE_CREATE), 0);
	write_session(store, "api", 1000, 5, a);
	assert_int_equal(ins_store_check(store, collect, &problems), 0);
	assert_int_equal(problems, 0);
	ins_store_free(store);

	/* Damage the counts and the attempts behind insight's back. */
	assert_int_equal(sqlite3_open(path.ptr, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "UPDATE session SET n_failed = n_failed + 7;"
				      "UPDATE result SET final = 0 WHERE attempt = 1 AND test_id = "
				      "(SELECT min(test_id) FROM result);", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);

	assert_int_equal(ins_store_open(&store, path.ptr, 0), 0);
	assert_int_equal(ins_store_check(store, collect, &problems), INS_ECORRUPT);
	assert_true(problems >= 2);
	ins_store_free(store);
	ins_buf_release(&path);
}

static void test_backup(void **state)
{
	ins_buf path = INS_BUF_INIT, dest = INS_BUF_INIT;
	ins_store *store;
	char a[27];

	(void)state;
	path_in_tmp(&path, "live.db");
	path_in_tmp(&dest, "copy.db");
	assert_int_equal(ins_store_open(&store, path.ptr, INS_STORE_CREATE), 0);
	write_session(store, "api", 1000, 9, a);
	assert_int_equal(ins_store_backup(store, dest.ptr), 0);
	ins_store_free(store);
	assert_int_equal(count(dest.ptr, "SELECT n_tests FROM session"), 9);
	assert_int_equal(count(dest.ptr, "PRAGMA user_version"), INS_STORE_SCHEMA_VERSION);
	ins_buf_release(&path);
	ins_buf_release(&dest);
}

/* Two processes write 20 sessions each at once: all 40 arrive, none fails. */
static void test_concurrent_writers(void **state)
{
	ins_buf path = INS_BUF_INIT;
	ins_store *store;
	pid_t kids[2];

	(void)state;
	path_in_tmp(&path, "concurrent.db");
	assert_int_equal(ins_store_open(&store, path.ptr, INS_STORE_CREATE), 0);
	ins_store_free(store);
	for (int k = 0; k < 2; k++) {
		kids[k] = fork();
		assert_true(kids[k] >= 0);
		if (kids[k] == 0) {
			ins_store *s;
			char uid[27];
			if (ins_store_open(&s, path.ptr, 0) < 0)
				_exit(2);
			for (int i = 0; i < 20; i++) {
				ins_session_info info = { 0 };
				ins_session_writer *w;
				info.sut = k ? "one" : "two";
				if (ins_session_writer_begin(&w, s, &info) < 0)
					_exit(3);
				for (int j = 0; j < 50; j++) {
					char name[32];
					ins_result r = result(name, INS_OUTCOME_PASSED);
					snprintf(name, sizeof(name), "t::%d_%d", k, j);
					if (ins_session_writer_add_result(w, &r) < 0)
						_exit(4);
				}
				if (ins_session_writer_commit(w, uid) < 0)
					_exit(5);
			}
			ins_store_free(s);
			_exit(0);
		}
	}
	for (int k = 0; k < 2; k++) {
		int status;
		assert_int_equal(waitpid(kids[k], &status, 0), kids[k]);
		assert_true(WIFEXITED(status));
		assert_int_equal(WEXITSTATUS(status), 0);
	}
	assert_int_equal(count(path.ptr, "SELECT count(*) FROM session"), 40);
	assert_int_equal(count(path.ptr, "SELECT sum(n_tests) FROM session"), 2000);
	ins_buf_release(&path);
}

static void test_discover(void **state)
{
	ins_buf out = INS_BUF_INIT, dir = INS_BUF_INIT;
	char *cwd = getcwd(NULL, 0);
	FILE *fp;

	(void)state;
	unsetenv("INSIGHT_DB");
	assert_int_equal(ins_store_discover(&out, "/x/explicit.db"), 0);
	assert_string_equal(out.ptr, "/x/explicit.db");
	setenv("INSIGHT_DB", "/x/env.db", 1);
	assert_int_equal(ins_store_discover(&out, NULL), 1);
	assert_string_equal(out.ptr, "/x/env.db");
	unsetenv("INSIGHT_DB");

	/* .insight/history.db two levels up is found from a subdirectory. */
	path_in_tmp(&dir, "proj");
	mkdir(dir.ptr, 0700);
	path_in_tmp(&dir, "proj/.insight");
	mkdir(dir.ptr, 0700);
	path_in_tmp(&dir, "proj/.insight/history.db");
	fp = fopen(dir.ptr, "w");
	assert_non_null(fp);
	fclose(fp);
	path_in_tmp(&dir, "proj/a");
	mkdir(dir.ptr, 0700);
	path_in_tmp(&dir, "proj/a/b");
	mkdir(dir.ptr, 0700);
	assert_int_equal(chdir(dir.ptr), 0);
	assert_int_equal(ins_store_discover(&out, NULL), 2);
	path_in_tmp(&dir, "proj/.insight/history.db");
	assert_string_equal(out.ptr, dir.ptr);

	/* Nowhere: the per-user default under XDG_DATA_HOME. */
	assert_int_equal(chdir("/"), 0);
	setenv("XDG_DATA_HOME", "/xdg", 1);
	assert_int_equal(ins_store_discover(&out, NULL), 3);
	assert_string_equal(out.ptr, "/xdg/insight/history.db");
	assert_int_equal(chdir(cwd), 0);
	free(cwd);
	ins_buf_release(&out);
	ins_buf_release(&dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_open_creates_and_migrates),
		cmocka_unit_test(test_migrates_catalogue_index),
		cmocka_unit_test(test_refuses_newer_schema),
		cmocka_unit_test(test_not_a_database),
		cmocka_unit_test(test_session_counts_and_attempts),
		cmocka_unit_test(test_many_new_tests_then_repeats_and_rollback),
		cmocka_unit_test(test_abort_and_rollback_leave_nothing),
		cmocka_unit_test(test_first_report_rolled_back),
		cmocka_unit_test(test_fingerprint_sightings),
		cmocka_unit_test(test_fingerprints_after_rollback_and_precomputed),
		cmocka_unit_test(test_fingerprint_causes),
		cmocka_unit_test(test_many_failures_cache),
		cmocka_unit_test(test_resolve_refs),
		cmocka_unit_test(test_ids_sort_by_time),
		cmocka_unit_test(test_delete_and_prune),
		cmocka_unit_test(test_daily_aggregate),
		cmocka_unit_test(test_recent_results_and_fold),
		cmocka_unit_test(test_check_finds_damage),
		cmocka_unit_test(test_backup),
		cmocka_unit_test(test_concurrent_writers),
		cmocka_unit_test(test_discover),
	};

	if (tmp_make("store") < 0)
		return 1;
	return tmp_done(cmocka_run_group_tests(tests, NULL, NULL));
}
