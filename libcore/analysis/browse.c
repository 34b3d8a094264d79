/*
 * browse.c - lists and details of sessions, SUTs and tests (see browse.h).
 *
 * Every statement is in the table `queries` below, so that a test can run
 * EXPLAIN QUERY PLAN over all of them. The rules they follow:
 * - session lists read the counts on the session row, through
 *   session_by_time or session_by_sut_time, newest first straight off the
 *   index (started_ms, then the row id that every index ends with);
 * - a test's results are read through result_by_test and result_recent
 *   (test_id, session_id; INS_RESULT_BY_TEST), a session's results through
 *   result's own key (session_id, ...);
 * - only the small tables (sut, test) are ever read whole; where the
 *   planner would rather walk test in node id order, or session in time
 *   order, than sort what the index gives, CROSS JOIN (a plain SQL join
 *   that SQLite does not reorder) keeps result first;
 * - SQL stays plain (no SQLite-only functions), so that it reads the same on
 *   PostgreSQL; "no limit" is the largest bigint, "no bound" the extremes.
 *
 * Nothing here writes to the store.
 */
#include <math.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/analysis_internal.h"
#include "analysis/browse_internal.h"
#include "insight/browse.h"
#include "insight/category.h"
#include "insight/fingerprint.h"
#include "insight/timeutil.h"
#include "store/store_internal.h"

/* Sessions of the SUT shown in a trend sparkline or a series. */
#define TREND_SESSIONS 20
#define SERIES_SESSIONS 50
/* Candidates named when a test name is ambiguous. */
#define MAX_CANDIDATES 5

/* The columns every session list reads, in the order of enum sc. */
#define SESSION_COLS \
	"s.uid, u.name, s.started_ms, s.duration, s.state, s.n_tests, s.n_passed, s.n_failed, " \
	"s.n_error, s.n_skipped, s.n_xfailed, s.n_xpassed, s.n_flaky, s.git_commit, " \
	"s.git_branch, s.n_attempts, s.id "

enum sc {
	SC_UID, SC_SUT, SC_STARTED, SC_DURATION, SC_STATE, SC_TESTS, SC_PASSED, SC_FAILED,
	SC_ERROR, SC_SKIPPED, SC_XFAILED, SC_XPASSED, SC_FLAKY, SC_COMMIT, SC_BRANCH,
	SC_ATTEMPTS, SC_ID
};

/* The test's final results, within a SUT when ?2 is not 0. */
#define TEST_FINALS \
	"FROM " INS_RESULT_BY_TEST " r CROSS JOIN session s " \
	"WHERE s.id = r.session_id AND r.test_id = ?1 AND r.final = 1 " \
	"AND (?2 = 0 OR s.sut_id = ?2) "

enum {
	Q_SUT_ID, Q_SESSIONS_ALL, Q_SESSIONS_SUT, Q_COUNT_ALL, Q_COUNT_SUT,
	Q_SESSION_ROW, Q_SESSION_TAGS, Q_RESULTS, Q_RESULTS_COUNT, Q_FLAKY, Q_FLAKY_COUNT,
	Q_SECTIONS, Q_SUTS, Q_SUT_COUNT, Q_SUT_ROW, Q_SUT_FIRST, Q_TESTS, Q_TEST_BY_ID,
	Q_TEST_BY_NODEID, Q_TEST_IN_SUT, Q_TEST_STATS, Q_TEST_LAST, Q_TEST_RESULTS,
	Q_TEST_FINGERPRINTS, Q_FINGERPRINT, Q_RESULT_PROPS, Q_TEST_HISTORY, Q_TEST_HISTORY_COUNT,
	Q_SESSION_OUTCOMES, Q_TEST_STREAK,
	Q__COUNT
};

static const ins_browse__query queries[Q__COUNT] = {
	[Q_SUT_ID] = { "SUT by name", "SELECT id FROM sut WHERE name = ?1", NULL },
	/* ?1, ?2: the window (inclusive); ?3: the limit; ?4: the SUT. */
	[Q_SESSIONS_ALL] = { "sessions",
		"SELECT " SESSION_COLS "FROM session s JOIN sut u ON u.id = s.sut_id "
		"WHERE s.started_ms >= ?1 AND s.started_ms <= ?2 "
		"ORDER BY s.started_ms DESC, s.id DESC LIMIT ?3", NULL },
	[Q_SESSIONS_SUT] = { "sessions of a SUT",
		"SELECT " SESSION_COLS "FROM session s JOIN sut u ON u.id = s.sut_id "
		"WHERE s.sut_id = ?4 AND s.started_ms >= ?1 AND s.started_ms <= ?2 "
		"ORDER BY s.started_ms DESC, s.id DESC LIMIT ?3", NULL },
	[Q_COUNT_ALL] = { "counting sessions",
		"SELECT count(*) FROM session s WHERE s.started_ms >= ?1 AND s.started_ms <= ?2",
		NULL },
	[Q_COUNT_SUT] = { "counting a SUT's sessions",
		"SELECT count(*) FROM session s "
		"WHERE s.sut_id = ?4 AND s.started_ms >= ?1 AND s.started_ms <= ?2", NULL },
	[Q_SESSION_ROW] = { "a session",
		"SELECT s.uid, u.name, s.state, s.started_ms, s.finished_ms, s.duration, s.command, "
		"s.exit_status, s.host, s.format, s.source, s.git_commit, s.git_branch, s.git_dirty, "
		"s.git_author, s.git_subject, s.git_commit_ms, s.ci_provider, s.ci_build_id, "
		"s.ci_build_url, s.ci_job, s.ci_pr, s.ci_branch, s.ci_base_branch, s.ci_commit, "
		"s.ci_repo, s.n_tests, s.n_attempts, s.n_passed, s.n_failed, s.n_error, s.n_skipped, "
		"s.n_xfailed, s.n_xpassed, s.n_flaky "
		"FROM session s JOIN sut u ON u.id = s.sut_id WHERE s.id = ?1", NULL },
	[Q_SESSION_TAGS] = { "a session's tags",
		"SELECT key, value FROM session_tag WHERE session_id = ?1 ORDER BY key", NULL },
	/* ?2: a mask with bit (1 << outcome) set for each outcome wanted. */
	[Q_RESULTS] = { "a session's results",
		"SELECT t.nodeid, r.outcome, r.attempt, r.duration, r.message, x.detail, x.stdout, "
		"x.stderr, x.log, (SELECT signature FROM fingerprint WHERE id = r.fingerprint_id), "
		"r.test_id, r.fingerprint_id "
		"FROM result r CROSS JOIN test t "
		"LEFT JOIN result_text x ON x.session_id = r.session_id AND x.test_id = r.test_id "
		"AND x.attempt = r.attempt "
		"WHERE t.id = r.test_id AND r.session_id = ?1 AND r.final = 1 "
		"AND ((?2 >> r.outcome) & 1) = 1 "
		"ORDER BY t.nodeid LIMIT ?3", NULL },
	[Q_RESULTS_COUNT] = { "counting a session's results",
		"SELECT count(*) FROM result r "
		"WHERE r.session_id = ?1 AND r.final = 1 AND ((?2 >> r.outcome) & 1) = 1", NULL },
	/* Flag 4 is INS_RESULT_FLAKY; outcomes 1 and 2 are failed and error. */
	[Q_FLAKY] = { "a session's flaky tests",
		"SELECT t.nodeid, r.attempt, r.duration, "
		"(SELECT p.message FROM result p WHERE p.session_id = r.session_id "
		"AND p.test_id = r.test_id AND p.attempt < r.attempt AND p.outcome IN (1, 2) "
		"ORDER BY p.attempt DESC LIMIT 1) "
		"FROM result r CROSS JOIN test t "
		"WHERE t.id = r.test_id AND r.session_id = ?1 AND r.final = 1 AND (r.flags & 4) <> 0 "
		"ORDER BY t.nodeid LIMIT ?2", NULL },
	[Q_FLAKY_COUNT] = { "counting a session's flaky tests",
		"SELECT count(*) FROM result r "
		"WHERE r.session_id = ?1 AND r.final = 1 AND (r.flags & 4) <> 0", NULL },
	[Q_SECTIONS] = { "a session's output sections",
		"SELECT name, content FROM output_section WHERE session_id = ?1 ORDER BY seq", NULL },
	[Q_SUTS] = { "SUTs",
		"SELECT u.id, u.name, u.created_ms, "
		"(SELECT count(*) FROM session c WHERE c.sut_id = u.id) "
		"FROM sut u ORDER BY u.name LIMIT ?1", "u" },
	[Q_SUT_COUNT] = { "counting SUTs", "SELECT count(*) FROM sut", "sut" },
	[Q_SUT_ROW] = { "a SUT",
		"SELECT u.id, u.name, u.created_ms, "
		"(SELECT count(*) FROM session c WHERE c.sut_id = u.id) "
		"FROM sut u WHERE u.name = ?1", NULL },
	[Q_SUT_FIRST] = { "a SUT's first session",
		"SELECT min(started_ms) FROM session WHERE sut_id = ?1", NULL },
	[Q_TESTS] = { "tests", "SELECT id, nodeid FROM test ORDER BY nodeid", "test" },
	[Q_TEST_BY_ID] = { "a test",
		"SELECT nodeid, file, classname, name FROM test WHERE id = ?1", NULL },
	[Q_TEST_BY_NODEID] = { "a test by node id", "SELECT id FROM test WHERE nodeid = ?1", NULL },
	[Q_TEST_IN_SUT] = { "whether a test ran in a SUT",
		"SELECT 1 FROM " INS_RESULT_BY_TEST " r CROSS JOIN session s "
		"WHERE s.id = r.session_id AND r.test_id = ?1 AND s.sut_id = ?2 LIMIT 1", NULL },
	[Q_TEST_STATS] = { "a test's outcomes",
		"SELECT count(*), sum(CASE WHEN r.outcome = 0 THEN 1 ELSE 0 END), "
		"sum(CASE WHEN r.outcome IN (1, 2) THEN 1 ELSE 0 END) " TEST_FINALS, NULL },
	[Q_TEST_LAST] = { "a test's last result",
		"SELECT r.outcome, s.started_ms, s.uid " TEST_FINALS
		"ORDER BY s.started_ms DESC, s.id DESC LIMIT 1", NULL },
	[Q_TEST_RESULTS] = { "a test's results",
		"SELECT r.outcome, r.duration, r.flags, s.started_ms, s.uid, r.session_id, "
		"r.attempt " TEST_FINALS, NULL },
	/*
	 * Grouped over the test's own results; each fingerprint is then read by
	 * its key (Q_FINGERPRINT). "coalesce(...) <> 0" rather than "IS NOT
	 * NULL" keeps the planner on result_by_test: the partial index on
	 * fingerprints holds every failure of every test.
	 */
	[Q_TEST_FINGERPRINTS] = { "a test's failure fingerprints",
		"SELECT r.fingerprint_id, count(*), min(s.started_ms), max(s.started_ms), "
		"min(r.outcome) FROM " INS_RESULT_BY_TEST_ALL " r CROSS JOIN session s "
		"WHERE s.id = r.session_id AND r.test_id = ?1 AND coalesce(r.fingerprint_id, 0) <> 0 "
		"AND (?2 = 0 OR s.sut_id = ?2) GROUP BY r.fingerprint_id "
		"ORDER BY count(*) DESC, max(s.started_ms) DESC, r.fingerprint_id", NULL },
	[Q_FINGERPRINT] = { "a fingerprint",
		"SELECT hash, signature FROM fingerprint WHERE id = ?1", NULL },
	[Q_RESULT_PROPS] = { "a result's properties",
		"SELECT key, value FROM result_property "
		"WHERE session_id = ?1 AND test_id = ?2 AND attempt = ?3 ORDER BY key, value", NULL },
	/*
	 * ?3, ?4: the window; ?5: the limit. The runs are chosen from the
	 * indexes alone, and the message read only for those shown: a test
	 * with thousands of runs has one in each of thousands of pages.
	 */
	[Q_TEST_HISTORY] = { "a test's history",
		"SELECT h.uid, h.name, h.started_ms, h.outcome, h.attempt, h.duration, h.git_commit, "
		"(SELECT m.message FROM result m "
		"  WHERE m.session_id = h.sid AND m.test_id = ?1 AND m.attempt = h.attempt) "
		"FROM (SELECT s.uid, u.name, s.started_ms, r.outcome, r.attempt, r.duration, "
		"  s.git_commit, s.id AS sid "
		"  FROM " INS_RESULT_BY_TEST " r CROSS JOIN session s JOIN sut u ON u.id = s.sut_id "
		"  WHERE s.id = r.session_id AND r.test_id = ?1 AND r.final = 1 "
		"  AND (?2 = 0 OR s.sut_id = ?2) "
		"  AND s.started_ms >= ?3 AND s.started_ms <= ?4 "
		"  ORDER BY s.started_ms DESC, s.id DESC LIMIT ?5) h "
		"ORDER BY h.started_ms DESC, h.sid DESC", NULL },
	[Q_TEST_HISTORY_COUNT] = { "counting a test's history",
		"SELECT count(*) " TEST_FINALS "AND s.started_ms >= ?3 AND s.started_ms <= ?4", NULL },
	[Q_SESSION_OUTCOMES] = { "a session's final outcomes",
		"SELECT r.test_id, r.outcome FROM result r WHERE r.session_id = ?1 AND r.final = 1",
		NULL },
	/* ?3, ?4: the session it goes back from (its start, its id) */
	[Q_TEST_STREAK] = { "a test's results back from a session",
		"SELECT r.outcome, s.uid, s.started_ms, s.git_commit " TEST_FINALS
		"AND (s.started_ms < ?3 OR (s.started_ms = ?3 AND s.id <= ?4)) "
		"ORDER BY s.started_ms DESC, s.id DESC", NULL },
};

const ins_browse__query *ins_browse__queries(size_t *n)
{
	*n = Q__COUNT;
	return queries;
}

/* ---- small helpers ---- */

static int prepare(ins_store *store, sqlite3_stmt **st, int q)
{
	return ins_store__prepare(store, st, queries[q].sql);
}

/* Step a statement; 1 for a row, 0 when done, or the error (with `q` named). */
static int step(ins_store *store, sqlite3_stmt *st, int q)
{
	int rc = sqlite3_step(st);

	if (rc == SQLITE_ROW)
		return 1;
	if (rc == SQLITE_DONE)
		return 0;
	return ins_store__error(store, queries[q].name);
}

/* Column text, NULL for SQL NULL (borrowed until the next step). */
static const char *col_str(sqlite3_stmt *st, int col)
{
	if (sqlite3_column_type(st, col) == SQLITE_NULL)
		return NULL;
	return (const char *)sqlite3_column_text(st, col);
}

/* Column as seconds; negative (unknown) for NULL. */
static double col_secs(sqlite3_stmt *st, int col)
{
	if (sqlite3_column_type(st, col) == SQLITE_NULL)
		return -1;
	return sqlite3_column_double(st, col);
}

/* Bind an int64 when the statement has that parameter (the same binder serves variants). */
static void bind_i64(sqlite3_stmt *st, int idx, int64_t v)
{
	if (idx <= sqlite3_bind_parameter_count(st))
		sqlite3_bind_int64(st, idx, v);
}

static int64_t sql_limit(size_t limit)
{
	return limit ? (int64_t)limit : INT64_MAX;
}

/*
 * The pass rate: passed / (passed + failed + error), over final outcomes;
 * NAN (shown as "-", null in JSON) when nothing passed, failed or errored.
 * This is the one place insight's browsing computes it.
 */
static double pass_rate(int64_t passed, int64_t failed, int64_t error)
{
	int64_t d = passed + failed + error;

	return d > 0 ? (double)passed / (double)d : NAN;
}

/* The row id of SUT `name`; INS_ENOTFOUND when the history has no such SUT. */
static int sut_lookup(ins_store *store, const char *name, int64_t *id)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = prepare(store, &st, Q_SUT_ID)) < 0)
		return rc;
	ins_store__bind_text(st, 1, name);
	rc = step(store, st, Q_SUT_ID);
	if (rc == 1) {
		*id = sqlite3_column_int64(st, 0);
		rc = 0;
	} else if (rc == 0) {
		rc = ins__no_sut(store, name);
	}
	sqlite3_finalize(st);
	return rc;
}

/* ---- filters and options ---- */

int ins_session_filter_set_time(ins_session_filter *f, const char *window, const char *since,
				const char *until, int64_t now_ms)
{
	int64_t ms;
	int rc;

	if (window && since)
		return ins_error_set(INS_EUSAGE, "give a time window or --since, not both");
	if (window) {
		if ((rc = ins_time_parse_window(&ms, window)) < 0)
			return rc;
		f->from_ms = now_ms - ms;
		f->to_ms = now_ms;
	}
	if (since) {
		if ((rc = ins_time_parse_date(&ms, since, 0)) < 0)
			return rc;
		f->from_ms = ms;
	}
	if (until) {
		if ((rc = ins_time_parse_date(&ms, until, 1)) < 0)
			return rc;
		f->to_ms = ms;
	}
	if (f->from_ms && f->to_ms && f->from_ms > f->to_ms)
		return ins_error_set(INS_EUSAGE, "the time range is empty: it ends before it starts");
	return 0;
}

int ins_outcome_mask_parse(unsigned *mask, const char *list)
{
	const char *p = list;
	unsigned m = 0;

	while (p && *p) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);
		char *word = ins_xstrndup(p, len);
		ins_outcome o;

		if (!strcmp(word, "all")) {
			m |= (1u << INS_OUTCOME_COUNT) - 1;
		} else if (ins_outcome_parse(word, &o) == 0) {
			m |= 1u << o;
		} else {
			int rc = ins_error_set(INS_EUSAGE, "unknown outcome '%s' (expected passed, "
					       "failed, error, skipped, xfailed, xpassed or all)",
					       word);
			free(word);
			return rc;
		}
		free(word);
		p = comma ? comma + 1 : NULL;
	}
	if (!m)
		return ins_error_set(INS_EUSAGE, "no outcome given (e.g. failed,error)");
	*mask = m;
	return 0;
}

/* ---- session lists ---- */

/* Prepare the session list of `sut_id` (0 = every SUT) in [from, to], newest first. */
static int sessions_open(ins_store *store, sqlite3_stmt **st, int64_t sut_id, int64_t from,
			 int64_t to, size_t limit)
{
	int rc = prepare(store, st, sut_id ? Q_SESSIONS_SUT : Q_SESSIONS_ALL);

	if (rc < 0)
		return rc;
	bind_i64(*st, 1, from ? from : INT64_MIN);
	bind_i64(*st, 2, to ? to : INT64_MAX);
	bind_i64(*st, 3, sql_limit(limit));
	bind_i64(*st, 4, sut_id);
	return 0;
}

static int sessions_count(ins_store *store, int64_t sut_id, int64_t from, int64_t to,
			  int64_t *n)
{
	int q = sut_id ? Q_COUNT_SUT : Q_COUNT_ALL;
	sqlite3_stmt *st;
	int rc;

	if ((rc = prepare(store, &st, q)) < 0)
		return rc;
	bind_i64(st, 1, from ? from : INT64_MIN);
	bind_i64(st, 2, to ? to : INT64_MAX);
	bind_i64(st, 4, sut_id);
	rc = step(store, st, q);
	if (rc == 1) {
		*n = sqlite3_column_int64(st, 0);
		rc = 0;
	} else if (rc == 0) {
		*n = 0;
	}
	sqlite3_finalize(st);
	return rc;
}

/* The columns of `session list` (and of a SUT's recent sessions, without the SUT). */
static void session_list_columns(ins_table *t, int with_sut)
{
	ins_table_column(t, "id", "Session", INS_V_ID);
	if (with_sut)
		ins_table_column(t, "sut", "SUT", INS_V_TEXT);
	ins_table_column(t, "started", "Started", INS_V_TIME);
	ins_table_column(t, "duration", "Duration", INS_V_DURATION);
	ins_table_column_detail(t, 2);
	ins_table_column(t, "tests", "Tests", INS_V_INT);
	ins_table_column(t, "passed", "Passed", INS_V_INT);
	ins_table_column(t, "failed", "Failed", INS_V_INT);
	ins_table_column(t, "error", "Error", INS_V_INT);
	ins_table_column_detail(t, 3);
	ins_table_column(t, "skipped", "Skipped", INS_V_INT);
	ins_table_column_detail(t, 3);
	ins_table_column(t, "flaky", "Flaky", INS_V_INT);
	ins_table_column_detail(t, 2);
	ins_table_column(t, "pass_rate", "Pass rate", INS_V_PERCENT);
	ins_table_column(t, "commit", "Commit", INS_V_ID);
	ins_table_column_detail(t, 1);
	ins_table_column(t, "branch", "Branch", INS_V_TEXT);
	ins_table_column_detail(t, 1);
}

static double row_pass_rate(sqlite3_stmt *st)
{
	return pass_rate(sqlite3_column_int64(st, SC_PASSED), sqlite3_column_int64(st, SC_FAILED),
			 sqlite3_column_int64(st, SC_ERROR));
}

static void session_list_row_common(ins_table *t, sqlite3_stmt *st, int with_sut)
{
	ins_table_row(t);
	ins_table_text(t, col_str(st, SC_UID));
	if (with_sut)
		ins_table_text(t, col_str(st, SC_SUT));
	ins_table_time(t, sqlite3_column_int64(st, SC_STARTED));
	ins_table_real(t, col_secs(st, SC_DURATION));
	ins_table_int(t, sqlite3_column_int64(st, SC_TESTS));
	ins_table_int(t, sqlite3_column_int64(st, SC_PASSED));
	ins_table_int(t, sqlite3_column_int64(st, SC_FAILED));
	ins_table_int(t, sqlite3_column_int64(st, SC_ERROR));
	ins_table_int(t, sqlite3_column_int64(st, SC_SKIPPED));
	ins_table_int(t, sqlite3_column_int64(st, SC_FLAKY));
	ins_table_real(t, row_pass_rate(st));
	ins_table_text(t, col_str(st, SC_COMMIT));
	ins_table_text(t, col_str(st, SC_BRANCH));
}

static void session_list_row(ins_table *t, sqlite3_stmt *st)
{
	session_list_row_common(t, st, 1);
}

static void session_list_row_no_sut(ins_table *t, sqlite3_stmt *st)
{
	session_list_row_common(t, st, 0);
}

/* Fill `t` with the sessions of `sut_id` (0 = all) in the window; sets the table's total. */
static int fill_sessions(ins_store *store, ins_table *t, int64_t sut_id, const ins_session_filter *f,
			 size_t limit, void (*row)(ins_table *, sqlite3_stmt *), int64_t *total)
{
	sqlite3_stmt *st;
	int64_t n;
	int rc;

	if ((rc = sessions_open(store, &st, sut_id, f->from_ms, f->to_ms, limit)) < 0)
		return rc;
	while ((rc = step(store, st, sut_id ? Q_SESSIONS_SUT : Q_SESSIONS_ALL)) == 1)
		row(t, st);
	sqlite3_finalize(st);
	if (rc < 0)
		return rc;
	if ((rc = sessions_count(store, sut_id, f->from_ms, f->to_ms, &n)) < 0)
		return rc;
	ins_table_set_total(t, (size_t)n);
	if (total)
		*total = n;
	return 0;
}

/*
 * A fact naming a filter the caller gave (the SUT, a pattern): only there
 * when given, so that an unfiltered answer does not list what it was not
 * asked.
 */
static void filter_fact(ins_doc *doc, const char *id, const char *label, const char *v)
{
	if (v)
		ins_doc_fact_text(doc, id, label, v);
}

/* Facts "from" and "until": the window asked for, when one was (an open end is null). */
static void window_facts(ins_doc *doc, const ins_session_filter *f)
{
	if (!f->from_ms && !f->to_ms)
		return;
	ins_doc_fact_time(doc, "from", "From", f->from_ms);
	ins_doc_fact_time(doc, "until", "Until", f->to_ms);
}

int ins_browse_session_list(ins_doc **out, ins_store *store, const ins_session_filter *f)
{
	ins_doc *doc = NULL;
	ins_table *t;
	int64_t sut_id = 0, total = 0;
	int rc;

	*out = NULL;
	if (f->sut && (rc = sut_lookup(store, f->sut, &sut_id)) < 0)
		return rc;
	doc = ins_doc_new("insight.session.list", "Sessions");
	if (f->sut)
		filter_fact(doc, "sut", "SUT", f->sut);
	window_facts(doc, f);
	t = ins_doc_table(doc, "sessions", NULL);
	session_list_columns(t, 1);
	ins_table_set_empty(t, "no sessions");
	if ((rc = fill_sessions(store, t, sut_id, f, f->limit, session_list_row, &total)) < 0)
		goto done;
	ins_doc_fact_int(doc, "sessions", "Sessions", total);
	*out = doc;
	doc = NULL;
done:
	ins_doc_free(doc);
	return rc;
}

/* ---- session show ---- */

enum sr {
	SR_UID, SR_SUT, SR_STATE, SR_STARTED, SR_FINISHED, SR_DURATION, SR_COMMAND, SR_EXIT,
	SR_HOST, SR_FORMAT, SR_SOURCE, SR_GIT_COMMIT, SR_GIT_BRANCH, SR_GIT_DIRTY,
	SR_GIT_AUTHOR, SR_GIT_SUBJECT, SR_GIT_TIME, SR_CI_PROVIDER, SR_CI_BUILD_ID,
	SR_CI_BUILD_URL, SR_CI_JOB, SR_CI_PR, SR_CI_BRANCH, SR_CI_BASE, SR_CI_COMMIT, SR_CI_REPO,
	SR_TESTS, SR_ATTEMPTS, SR_PASSED, SR_FAILED, SR_ERROR, SR_SKIPPED, SR_XFAILED,
	SR_XPASSED, SR_FLAKY
};

static void fact_col_text(ins_doc *doc, const char *id, const char *label, sqlite3_stmt *st,
			  int col)
{
	ins_doc_fact_text(doc, id, label, col_str(st, col));
}

static void fact_col_int(ins_doc *doc, const char *id, const char *label, sqlite3_stmt *st,
			 int col)
{
	if (sqlite3_column_type(st, col) == SQLITE_NULL)
		ins_doc_fact_null(doc, id, label);
	else
		ins_doc_fact_int(doc, id, label, sqlite3_column_int64(st, col));
}

static int any_present(sqlite3_stmt *st, int from, int to)
{
	for (int c = from; c <= to; c++)
		if (sqlite3_column_type(st, c) != SQLITE_NULL)
			return 1;
	return 0;
}

/* The document's facts, and the git and CI sections, from the session row. */
static void session_facts(ins_doc *doc, sqlite3_stmt *st)
{
	ins_doc_fact_text(doc, "id", "Session", col_str(st, SR_UID));
	fact_col_text(doc, "sut", "SUT", st, SR_SUT);
	fact_col_text(doc, "state", "State", st, SR_STATE);
	ins_doc_fact_time(doc, "started", "Started", sqlite3_column_int64(st, SR_STARTED));
	ins_doc_fact_time(doc, "finished", "Finished", sqlite3_column_int64(st, SR_FINISHED));
	ins_doc_fact_duration(doc, "duration", "Duration", col_secs(st, SR_DURATION));
	fact_col_text(doc, "command", "Command", st, SR_COMMAND);
	fact_col_int(doc, "exit_status", "Exit status", st, SR_EXIT);
	fact_col_text(doc, "host", "Host", st, SR_HOST);
	fact_col_text(doc, "format", "Format", st, SR_FORMAT);
	fact_col_text(doc, "source", "Source", st, SR_SOURCE);
}

static void session_git_ci(ins_doc *doc, sqlite3_stmt *st)
{
	if (any_present(st, SR_GIT_COMMIT, SR_GIT_TIME)) {
		ins_doc_section(doc, "git", "Git");
		fact_col_text(doc, "commit", "Commit", st, SR_GIT_COMMIT);
		fact_col_text(doc, "branch", "Branch", st, SR_GIT_BRANCH);
		if (sqlite3_column_type(st, SR_GIT_DIRTY) == SQLITE_NULL)
			ins_doc_fact_null(doc, "dirty", "Uncommitted changes");
		else
			ins_doc_fact_bool(doc, "dirty", "Uncommitted changes",
					  sqlite3_column_int(st, SR_GIT_DIRTY));
		fact_col_text(doc, "author", "Author", st, SR_GIT_AUTHOR);
		fact_col_text(doc, "subject", "Subject", st, SR_GIT_SUBJECT);
		ins_doc_fact_time(doc, "commit_time", "Commit time",
				  sqlite3_column_int64(st, SR_GIT_TIME));
	}
	if (any_present(st, SR_CI_PROVIDER, SR_CI_REPO)) {
		ins_doc_section(doc, "ci", "CI");
		fact_col_text(doc, "provider", "Provider", st, SR_CI_PROVIDER);
		fact_col_text(doc, "build_id", "Build", st, SR_CI_BUILD_ID);
		fact_col_text(doc, "build_url", "Build URL", st, SR_CI_BUILD_URL);
		fact_col_text(doc, "job", "Job", st, SR_CI_JOB);
		fact_col_text(doc, "pr", "Pull request", st, SR_CI_PR);
		fact_col_text(doc, "branch", "Branch", st, SR_CI_BRANCH);
		fact_col_text(doc, "base_branch", "Base branch", st, SR_CI_BASE);
		fact_col_text(doc, "commit", "Commit", st, SR_CI_COMMIT);
		fact_col_text(doc, "repo", "Repository", st, SR_CI_REPO);
	}
}

/*
 * A two-column table of one session's rows from query `q` (bound to the
 * session's row id): tags (key, value) and output sections (name, content).
 */
static int session_pairs(ins_store *store, ins_doc *doc, int64_t sid, int q, const char *id,
			 const char *title, const char *const cols[4], ins_vtype second,
			 const char *empty)
{
	ins_table *t = ins_doc_table(doc, id, title);
	sqlite3_stmt *st;
	int rc;

	ins_table_column(t, cols[0], cols[1], INS_V_TEXT);
	ins_table_column(t, cols[2], cols[3], second);
	ins_table_set_empty(t, empty);
	if ((rc = prepare(store, &st, q)) < 0)
		return rc;
	sqlite3_bind_int64(st, 1, sid);
	while ((rc = step(store, st, q)) == 1) {
		ins_table_row(t);
		ins_table_text(t, col_str(st, 0));
		ins_table_text(t, col_str(st, 1));
	}
	sqlite3_finalize(st);
	return rc;
}

static int session_tags(ins_store *store, ins_doc *doc, int64_t sid)
{
	static const char *const cols[4] = { "key", "Tag", "value", "Value" };

	return session_pairs(store, doc, sid, Q_SESSION_TAGS, "tags", "Tags", cols, INS_V_TEXT,
			     "none");
}

static void session_counts(ins_store *store, ins_doc *doc, sqlite3_stmt *st, const char *uid)
{
	ins_session_brief b;
	int shared;

	ins_doc_section(doc, "counts", "Results");
	ins_doc_fact_int(doc, "tests", "Tests", sqlite3_column_int64(st, SR_TESTS));
	ins_doc_fact_int(doc, "attempts", "Attempts", sqlite3_column_int64(st, SR_ATTEMPTS));
	ins_doc_fact_int(doc, "passed", "Passed", sqlite3_column_int64(st, SR_PASSED));
	ins_doc_fact_int(doc, "failed", "Failed", sqlite3_column_int64(st, SR_FAILED));
	ins_doc_fact_int(doc, "error", "Error", sqlite3_column_int64(st, SR_ERROR));
	ins_doc_fact_int(doc, "skipped", "Skipped", sqlite3_column_int64(st, SR_SKIPPED));
	ins_doc_fact_int(doc, "xfailed", "Xfailed", sqlite3_column_int64(st, SR_XFAILED));
	ins_doc_fact_int(doc, "xpassed", "Xpassed", sqlite3_column_int64(st, SR_XPASSED));
	ins_doc_fact_int(doc, "flaky", "Flaky in this run", sqlite3_column_int64(st, SR_FLAKY));
	ins_doc_fact_percent(doc, "pass_rate", "Pass rate",
			     pass_rate(sqlite3_column_int64(st, SR_PASSED),
				       sqlite3_column_int64(st, SR_FAILED),
				       sqlite3_column_int64(st, SR_ERROR)));
	/* Against the SUT's previous session: best effort, the rest stands without it. */
	if (ins_store_session_brief(store, uid, &b) == 0 && b.prev_uid[0]) {
		ins_doc_fact_id(doc, "previous", "Previous session", b.prev_uid);
		ins_doc_fact_int(doc, "new_failures", "New failures", b.new_failures);
		/* the causes are news only when several new failures share one */
		shared = b.new_failures > 1 && b.new_causes < b.new_failures;
		ins_doc_fact_int(doc, "new_failure_causes", "Their causes", b.new_causes);
		if (!shared)
			ins_doc_fact_minor(doc);
		ins_doc_fact_text(doc, "top_new_cause", b.new_causes == 1 ? "Cause" :
				  "Most of them", b.top_cause[0] ? b.top_cause : NULL);
		if (!shared)
			ins_doc_fact_minor(doc);
	} else {
		ins_doc_fact_null(doc, "previous", "Previous session");
		ins_doc_fact_null(doc, "new_failures", "New failures");
		ins_doc_fact_null(doc, "new_failure_causes", "Their causes");
		ins_doc_fact_minor(doc);
		ins_doc_fact_null(doc, "top_new_cause", "Cause");
		ins_doc_fact_minor(doc);
	}
}

/* "failed, error" for the title of the results table. */
static void outcome_list(ins_buf *b, unsigned mask)
{
	int first = 1;

	for (int o = 0; o < INS_OUTCOME_COUNT; o++) {
		if (!(mask & (1u << o)))
			continue;
		ins_buf_printf(b, "%s%s", first ? "" : ", ", ins_outcome_name((ins_outcome)o));
		first = 0;
	}
}

static int count_query(ins_store *store, int q, int64_t sid, int64_t arg, int64_t *n)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = prepare(store, &st, q)) < 0)
		return rc;
	sqlite3_bind_int64(st, 1, sid);
	bind_i64(st, 2, arg);
	rc = step(store, st, q);
	*n = rc == 1 ? sqlite3_column_int64(st, 0) : 0;
	sqlite3_finalize(st);
	return rc < 0 ? rc : 0;
}

/*
 * The category of a failure, as analytics failures finds it: the rules read
 * its fingerprint's message line, else its normalised message.
 */
static const char *failure_category(const struct ins_categories *cats, const char *signature,
				    const char *message, ins_outcome outcome, ins_buf *line)
{
	ins_buf_clear(line);
	if (signature)
		ins_buf_put(line, signature, strcspn(signature, "\n"));
	else if (message)
		ins_fingerprint_normalize(line, message, strcspn(message, "\n"));
	return ins_categories_match(cats, signature || message ? line->ptr : NULL, outcome);
}

/* A session's point in a SUT's trend. */
struct trend_point {
	double rate;     /* pass rate; NAN when nothing passed or failed */
	double duration; /* seconds; NAN when unknown */
	int64_t started_ms;
	char uid[INS_SESSION_ID_LEN + 1];
};

/* ---- a session's place in its SUT's recent history ---- */

/* A test's outcome in one session of a "recent" string, by ins_outcome; '-' when it did not run. */
static const char recent_letter[INS_OUTCOME_COUNT] = { 'p', 'f', 'e', 's', 'x', 'X' };

/* Failing tests whose streak is looked up (one indexed query each); the rest get null. */
#define MAX_STREAKS 5000

/*
 * The SUT's last sessions up to a shown one (oldest first, the shown one
 * last) and every test's outcomes in them: `letters` holds `n` letters per
 * test, found through an open-addressing map of test ids.
 */
struct recent {
	size_t n;
	int64_t ids[INS_SESSION_HISTORY_MAX];
	int64_t sut_id, started_ms;
	int64_t *keys;     /* test ids; 0 = empty slot */
	uint32_t *slots;   /* index into letters / n */
	size_t cap, used;
	char *letters;
	size_t letters_alloc;
	sqlite3_stmt *streak;
	size_t nstreaks;
};

static size_t recent_slot(const struct recent *r, int64_t key)
{
	size_t i = (size_t)((uint64_t)key * 0x9E3779B97F4A7C15ull >> 20) & (r->cap - 1);

	while (r->keys[i] && r->keys[i] != key)
		i = (i + 1) & (r->cap - 1);
	return i;
}

/* The letters of test `key`, added with '-' everywhere when new. */
static char *recent_entry(struct recent *r, int64_t key)
{
	size_t i;

	if ((r->used + 1) * 2 > r->cap) {
		int64_t *ok = r->keys;
		uint32_t *os = r->slots;
		size_t ocap = r->cap;

		r->cap = r->cap ? r->cap * 2 : 1024;
		r->keys = ins_xcalloc(r->cap, sizeof(*r->keys));
		r->slots = ins_xcalloc(r->cap, sizeof(*r->slots));
		for (size_t j = 0; j < ocap; j++) {
			if (!ok[j])
				continue;
			i = recent_slot(r, ok[j]);
			r->keys[i] = ok[j];
			r->slots[i] = os[j];
		}
		free(ok);
		free(os);
	}
	i = recent_slot(r, key);
	if (!r->keys[i]) {
		r->keys[i] = key;
		r->slots[i] = (uint32_t)r->used;
		r->letters = ins_xgrow(r->letters, &r->letters_alloc, (r->used + 1) * r->n,
				       sizeof(char));
		memset(r->letters + r->used * r->n, '-', r->n);
		r->used++;
	}
	return r->letters + (size_t)r->slots[i] * r->n;
}

static const char *recent_find(const struct recent *r, int64_t key)
{
	size_t i;

	if (!r->cap)
		return NULL;
	i = recent_slot(r, key);
	return r->keys[i] ? r->letters + (size_t)r->slots[i] * r->n : NULL;
}

static void recent_release(struct recent *r)
{
	free(r->keys);
	free(r->slots);
	free(r->letters);
	sqlite3_finalize(r->streak);
}

/* The window of sessions and every test's outcomes in them. */
static int recent_read(ins_store *store, struct recent *r, int64_t sid, const char *sut,
		       int64_t started_ms, size_t n)
{
	sqlite3_stmt *st = NULL;
	int64_t ids[INS_SESSION_HISTORY_MAX];
	size_t k = 0;
	int rc;

	r->started_ms = started_ms;
	if ((rc = sut_lookup(store, sut, &r->sut_id)) < 0)
		return rc;
	if ((rc = sessions_open(store, &st, r->sut_id, 0, started_ms, n + 8)) < 0)
		return rc;
	/* Newest first; sessions started at the same time but stored after this one are not before it. */
	while (k < n && (rc = step(store, st, Q_SESSIONS_SUT)) == 1) {
		int64_t id = sqlite3_column_int64(st, SC_ID);

		if (!k && id != sid && sqlite3_column_int64(st, SC_STARTED) == started_ms && id > sid)
			continue;
		ids[k++] = id;
	}
	sqlite3_finalize(st);
	st = NULL;
	if (rc < 0)
		return rc;
	r->n = k;
	for (size_t i = 0; i < k; i++)
		r->ids[i] = ids[k - 1 - i];
	if ((rc = prepare(store, &st, Q_SESSION_OUTCOMES)) < 0)
		return rc;
	for (size_t i = 0; i < k; i++) {
		sqlite3_reset(st);
		sqlite3_bind_int64(st, 1, r->ids[i]);
		while ((rc = step(store, st, Q_SESSION_OUTCOMES)) == 1) {
			int o = sqlite3_column_int(st, 1);

			recent_entry(r, sqlite3_column_int64(st, 0))[i] =
				o >= 0 && o < INS_OUTCOME_COUNT ? recent_letter[o] : '?';
		}
		if (rc < 0)
			break;
	}
	sqlite3_finalize(st);
	return rc < 0 ? rc : 0;
}

/*
 * Where the failure of a test failing in the shown session began: back from
 * it, the earliest of its consecutive failed or error results (skipped and
 * xfailed ones do not end the run; passed and xpassed do). Three cells:
 * that session, its start and its commit.
 */
static int recent_streak(ins_store *store, struct recent *r, ins_table *t, int64_t test_id,
			 int64_t sid)
{
	char uid[INS_SESSION_ID_LEN + 1] = "", commit[80] = "";
	int64_t started = 0;
	int rc;

	if (r->nstreaks >= MAX_STREAKS) {
		ins_table_null(t);
		ins_table_null(t);
		ins_table_null(t);
		return 0;
	}
	r->nstreaks++;
	if (!r->streak && (rc = prepare(store, &r->streak, Q_TEST_STREAK)) < 0)
		return rc;
	sqlite3_reset(r->streak);
	sqlite3_bind_int64(r->streak, 1, test_id);
	sqlite3_bind_int64(r->streak, 2, r->sut_id);
	sqlite3_bind_int64(r->streak, 3, r->started_ms);
	sqlite3_bind_int64(r->streak, 4, sid);
	while ((rc = step(store, r->streak, Q_TEST_STREAK)) == 1) {
		ins_outcome o = (ins_outcome)sqlite3_column_int(r->streak, 0);

		if (o == INS_OUTCOME_PASSED || o == INS_OUTCOME_XPASSED)
			break;
		if (!ins_outcome_is_failure(o))
			continue;
		snprintf(uid, sizeof(uid), "%s", ins_store__col_text(r->streak, 1));
		started = sqlite3_column_int64(r->streak, 2);
		snprintf(commit, sizeof(commit), "%s", ins_store__col_text(r->streak, 3));
	}
	if (rc < 0)
		return rc;
	sqlite3_reset(r->streak);
	ins_table_text(t, uid[0] ? uid : NULL);
	ins_table_time(t, uid[0] ? started : 0);
	ins_table_text(t, commit[0] ? commit : NULL);
	return 0;
}

/*
 * Section "history": the window's sessions, newest first (table
 * "recent_sessions", as session list has them) and their pass rate, oldest
 * first, with the time each ran as its label (series "pass_rate").
 */
static int session_history(ins_store *store, ins_doc *doc, const struct recent *r)
{
	struct trend_point p[INS_SESSION_HISTORY_MAX];
	sqlite3_stmt *st = NULL;
	ins_buf when = INS_BUF_INIT;
	ins_series *s = NULL;
	ins_table *t;
	size_t k = 0;
	int rc;

	ins_doc_section(doc, "history", "Recent sessions");
	if (r->n > 1)
		s = ins_doc_series(doc, "pass_rate", "Pass rate per session", INS_V_PERCENT);
	t = ins_doc_table(doc, "recent_sessions", NULL);
	session_list_columns(t, 0);
	ins_table_set_empty(t, "none");
	if ((rc = sessions_open(store, &st, r->sut_id, 0, r->started_ms, r->n + 8)) < 0)
		return rc;
	while (k < r->n && (rc = step(store, st, Q_SESSIONS_SUT)) == 1) {
		if (sqlite3_column_int64(st, SC_ID) != r->ids[r->n - 1 - k])
			continue;
		session_list_row_no_sut(t, st);
		p[k].rate = row_pass_rate(st);
		p[k].started_ms = sqlite3_column_int64(st, SC_STARTED);
		snprintf(p[k].uid, sizeof(p[k].uid), "%s", ins_store__col_text(st, SC_UID));
		k++;
	}
	sqlite3_finalize(st);
	if (rc < 0)
		return rc;
	for (size_t i = k; s && i-- > 0;) {
		ins_buf_clear(&when);
		ins_time_format_local(&when, p[i].started_ms, 0);
		ins_series_point_label(s, p[i].uid, when.ptr, p[i].rate);
	}
	ins_buf_release(&when);
	return 0;
}

/*
 * A result's `jira` and `jira_url` cells: the Jira issues of its failure's
 * fingerprint (column `col` of `row`), from `jira` (ins__jira_by_fingerprint;
 * NULL when the history has none).
 */
static int result_jira(ins_store *store, sqlite3_stmt *jira, ins_table *t, ins_outcome outcome,
		       sqlite3_stmt *row, int col)
{
	char *keys = NULL, *url = NULL;
	int rc = 0;

	if (jira && ins_outcome_is_failure(outcome) && sqlite3_column_type(row, col) != SQLITE_NULL) {
		sqlite3_reset(jira);
		sqlite3_bind_int64(jira, 1, sqlite3_column_int64(row, col));
		rc = ins__jira_read(store, jira, &keys, &url);
	}
	ins_table_text(t, keys);
	ins_table_text(t, url);
	free(keys);
	free(url);
	return rc;
}

/*
 * One session's rows of query `q` into `t`, each added by `row` (which
 * returns 0 or an error), and the table's total from query `count`. ?1 is
 * the session; a query that picks outcomes takes `mask` as ?2 (0: the
 * query takes none); the limit comes last. The results, the flaky tests
 * and a SUT's failing tests are all read this way.
 */
static int session_rows(ins_store *store, ins_table *t, int q, int count, int64_t sid,
			unsigned mask, size_t limit,
			int (*row)(ins_table *, sqlite3_stmt *, void *), void *data)
{
	sqlite3_stmt *st;
	int64_t n;
	int rc, param = 2;

	if ((rc = prepare(store, &st, q)) < 0)
		return rc;
	sqlite3_bind_int64(st, 1, sid);
	if (mask)
		sqlite3_bind_int64(st, param++, mask);
	sqlite3_bind_int64(st, param, sql_limit(limit));
	while ((rc = step(store, st, q)) == 1)
		if ((rc = row(t, st, data)) < 0)
			break;
	sqlite3_finalize(st);
	if (rc < 0)
		return rc;
	if ((rc = count_query(store, count, sid, mask, &n)) < 0)
		return rc;
	ins_table_set_total(t, (size_t)n);
	return 0;
}

/* What a row of session show's results table is filled from. */
struct result_rows {
	ins_store *store;
	const ins_session_show_opts *o; /* the categories */
	struct recent *recent;          /* the recent runs and streaks; NULL when not shown */
	sqlite3_stmt *jira;             /* ins__jira_by_fingerprint; NULL when there is none */
	int64_t sid;                    /* the session shown */
	ins_buf line;                   /* scratch for a category's line and the letters */
};

/* One row of Q_RESULTS in session show's results table. */
static int result_row(ins_table *t, sqlite3_stmt *st, void *data)
{
	struct result_rows *rr = data;
	ins_outcome outcome = (ins_outcome)sqlite3_column_int(st, 1);
	int rc;

	ins_table_row(t);
	ins_table_text(t, col_str(st, 0));
	ins_table_text(t, ins_outcome_name(outcome));
	ins_table_int(t, sqlite3_column_int64(st, 2));
	ins_table_real(t, col_secs(st, 3));
	ins_table_text(t, col_str(st, 4));
	if (ins_outcome_is_failure(outcome))
		ins_table_text(t, failure_category(rr->o->categories, col_str(st, 9),
						   col_str(st, 4), outcome, &rr->line));
	else
		ins_table_null(t);
	if ((rc = result_jira(rr->store, rr->jira, t, outcome, st, 11)) < 0)
		return rc;
	if (rr->recent) {
		int64_t test_id = sqlite3_column_int64(st, 10);
		const char *letters = recent_find(rr->recent, test_id);

		ins_buf_clear(&rr->line);
		if (letters)
			ins_buf_put(&rr->line, letters, rr->recent->n);
		ins_table_text(t, letters ? rr->line.ptr : NULL);
		if (outcome == INS_OUTCOME_FAILED || outcome == INS_OUTCOME_ERROR) {
			if ((rc = recent_streak(rr->store, rr->recent, t, test_id, rr->sid)) < 0)
				return rc;
		} else {
			ins_table_null(t);
			ins_table_null(t);
			ins_table_null(t);
		}
	}
	for (int c = 5; c <= 8; c++)
		ins_table_text(t, col_str(st, c));
	return 0;
}

static int session_results(ins_store *store, ins_doc *doc, int64_t sid,
			   const ins_session_show_opts *o, struct recent *recent)
{
	unsigned mask = o->outcomes ? o->outcomes : INS_OUTCOME_MASK_FAILURES;
	struct result_rows rr = { store, o, recent, NULL, sid, INS_BUF_INIT };
	ins_buf title = INS_BUF_INIT;
	ins_table *t;
	int rc;

	if (mask == INS_OUTCOME_MASK_FAILURES) {
		ins_buf_puts(&title, "Failures");
	} else if (mask == (1u << INS_OUTCOME_COUNT) - 1) {
		ins_buf_puts(&title, "All results");
	} else {
		ins_buf_puts(&title, "Results: ");
		outcome_list(&title, mask);
	}
	t = ins_doc_table(doc, "results", title.ptr);
	ins_table_column(t, "test", "Test", INS_V_TEXT);
	ins_table_column(t, "outcome", "Outcome", INS_V_OUTCOME);
	ins_table_column(t, "attempts", "Attempts", INS_V_INT);
	ins_table_column(t, "duration", "Duration", INS_V_DURATION);
	ins_table_column(t, "message", "Message", INS_V_TEXT);
	ins_table_column(t, "category", "Category", INS_V_TEXT);
	ins_table_column_detail(t, 4);
	ins__jira_columns(t);
	if (recent) {
		ins_table_column(t, "recent", "Recent runs", INS_V_TEXT);
		ins_table_column_detail(t, 4);
		ins_table_column(t, "failing_since", "Failing since", INS_V_ID);
		ins_table_column_detail(t, 4);
		ins_table_column(t, "failing_since_started", "Failing since (started)", INS_V_TIME);
		ins_table_column_detail(t, 4);
		ins_table_column(t, "failing_since_commit", "Failing since (commit)", INS_V_ID);
		ins_table_column_detail(t, 4);
	}
	ins_table_column(t, "detail", "Traceback", INS_V_LONGTEXT);
	ins_table_column(t, "stdout", "Captured stdout", INS_V_LONGTEXT);
	ins_table_column(t, "stderr", "Captured stderr", INS_V_LONGTEXT);
	ins_table_column(t, "log", "Captured log", INS_V_LONGTEXT);
	ins_table_set_empty(t, mask == INS_OUTCOME_MASK_FAILURES ? "no failures" : "none");

	if ((rc = ins__jira_by_fingerprint(store, &rr.jira)) < 0)
		goto done;
	rc = session_rows(store, t, Q_RESULTS, Q_RESULTS_COUNT, sid, mask, o->limit, result_row,
			  &rr);
done:
	sqlite3_finalize(rr.jira);
	ins_buf_release(&title);
	ins_buf_release(&rr.line);
	return rc;
}

/* One row of Q_FLAKY in the flaky table. */
static int flaky_row(ins_table *t, sqlite3_stmt *st, void *data)
{
	(void)data;
	ins_table_row(t);
	ins_table_text(t, col_str(st, 0));
	ins_table_int(t, sqlite3_column_int64(st, 1));
	ins_table_real(t, col_secs(st, 2));
	ins_table_text(t, col_str(st, 3));
	return 0;
}

static int session_flaky(ins_store *store, ins_doc *doc, int64_t sid, size_t limit)
{
	ins_table *t = ins_doc_table(doc, "flaky", "Flaky in this run");

	ins_table_column(t, "test", "Test", INS_V_TEXT);
	ins_table_column(t, "attempts", "Attempts", INS_V_INT);
	ins_table_column(t, "duration", "Duration", INS_V_DURATION);
	ins_table_column(t, "message", "Failed attempt", INS_V_TEXT);
	ins_table_set_empty(t, "none");
	return session_rows(store, t, Q_FLAKY, Q_FLAKY_COUNT, sid, 0, limit, flaky_row, NULL);
}

static int session_sections(ins_store *store, ins_doc *doc, int64_t sid)
{
	static const char *const cols[4] = { "name", "Section", "content", "Content" };

	return session_pairs(store, doc, sid, Q_SECTIONS, "output", "Output sections", cols,
			     INS_V_LONGTEXT, "none recorded");
}

int ins_browse_session_show(ins_doc **out, ins_store *store, const char *ref,
			    const ins_session_show_opts *opts)
{
	static const ins_session_show_opts defaults = { 0 };
	char uid[INS_SESSION_ID_LEN + 1];
	ins_buf title = INS_BUF_INIT;
	struct recent recent = { 0 };
	sqlite3_stmt *st = NULL;
	ins_doc *doc = NULL;
	int64_t sid;
	int rc;

	*out = NULL;
	if (!opts)
		opts = &defaults;
	if (opts->sut) {
		int64_t sut_id;
		if ((rc = sut_lookup(store, opts->sut, &sut_id)) < 0)
			return rc;
	}
	if ((rc = ins_store_session_resolve(store, ref, opts->sut, uid, &sid)) < 0)
		return rc;
	if ((rc = prepare(store, &st, Q_SESSION_ROW)) < 0)
		return rc;
	sqlite3_bind_int64(st, 1, sid);
	if ((rc = step(store, st, Q_SESSION_ROW)) <= 0) {
		if (rc == 0)
			rc = ins_error_set(INS_ENOTFOUND, "session '%s' has vanished", uid);
		goto done;
	}
	ins_buf_printf(&title, "Session %s", uid);
	doc = ins_doc_new("insight.session.show", title.ptr);
	session_facts(doc, st);
	if ((rc = session_tags(store, doc, sid)) < 0)
		goto done;
	session_git_ci(doc, st);
	if (opts->history && (rc = recent_read(store, &recent, sid, col_str(st, 1),
					       sqlite3_column_int64(st, 3),
					       opts->history < INS_SESSION_HISTORY_MAX ?
					       opts->history : INS_SESSION_HISTORY_MAX)) < 0)
		goto done;
	session_counts(store, doc, st, uid);
	if ((rc = session_results(store, doc, sid, opts, opts->history ? &recent : NULL)) < 0)
		goto done;
	if ((rc = session_flaky(store, doc, sid, opts->limit)) < 0)
		goto done;
	if (opts->sections && (rc = session_sections(store, doc, sid)) < 0)
		goto done;
	if (opts->history && (rc = session_history(store, doc, &recent)) < 0)
		goto done;
	rc = 0;
	*out = doc;
	doc = NULL;
done:
	sqlite3_finalize(st);
	ins_doc_free(doc);
	ins_buf_release(&title);
	recent_release(&recent);
	return rc;
}

/* ---- SUTs ---- */

/*
 * The SUT's last `n` sessions (at most), oldest first, into p[]; *count
 * gets how many there were.
 */
static int recent_points(ins_store *store, int64_t sut_id, size_t n, struct trend_point *p,
			 size_t *count)
{
	sqlite3_stmt *st;
	size_t k = 0;
	int rc;

	if ((rc = sessions_open(store, &st, sut_id, 0, 0, n)) < 0)
		return rc;
	while (k < n && (rc = step(store, st, Q_SESSIONS_SUT)) == 1) {
		double d = col_secs(st, SC_DURATION);

		p[k].rate = row_pass_rate(st);
		p[k].duration = d < 0 ? NAN : d;
		p[k].started_ms = sqlite3_column_int64(st, SC_STARTED);
		snprintf(p[k].uid, sizeof(p[k].uid), "%s", ins_store__col_text(st, SC_UID));
		k++;
	}
	sqlite3_finalize(st);
	if (rc < 0)
		return rc;
	/* Newest first from the index: turn it round for a left-to-right trend. */
	for (size_t i = 0; i < k / 2; i++) {
		struct trend_point x = p[i];
		p[i] = p[k - 1 - i];
		p[k - 1 - i] = x;
	}
	*count = k;
	return 0;
}

/* The SUT's newest session as one row of Q_SESSIONS_SUT; 0 when it has none. */
static int last_session(ins_store *store, int64_t sut_id, sqlite3_stmt **st)
{
	int rc;

	if ((rc = sessions_open(store, st, sut_id, 0, 0, 1)) < 0)
		return rc;
	rc = step(store, *st, Q_SESSIONS_SUT);
	if (rc <= 0) {
		sqlite3_finalize(*st);
		*st = NULL;
	}
	return rc;
}

int ins_browse_sut_list(ins_doc **out, ins_store *store, size_t limit)
{
	ins_doc *doc = ins_doc_new("insight.sut.list", "Systems under test");
	ins_table *t = ins_doc_table(doc, "suts", NULL);
	sqlite3_stmt *st = NULL, *last = NULL;
	struct trend_point pts[TREND_SESSIONS];
	double trend[TREND_SESSIONS];
	int rc;

	*out = NULL;
	ins_table_column(t, "sut", "SUT", INS_V_TEXT);
	ins_table_column(t, "sessions", "Sessions", INS_V_INT);
	ins_table_column(t, "last_run", "Last run", INS_V_TIME);
	ins_table_column(t, "last_session", "Last session", INS_V_ID);
	ins_table_column(t, "tests", "Tests", INS_V_INT);
	ins_table_column(t, "pass_rate", "Pass rate", INS_V_PERCENT);
	ins_table_column(t, "trend", "Trend", INS_V_SPARK);
	ins_table_set_empty(t, "no SUTs yet: record a session with 'session run' or "
			    "'session import'");
	if ((rc = prepare(store, &st, Q_SUTS)) < 0)
		goto done;
	sqlite3_bind_int64(st, 1, sql_limit(limit));
	while ((rc = step(store, st, Q_SUTS)) == 1) {
		int64_t sut_id = sqlite3_column_int64(st, 0);
		size_t n = 0;

		ins_table_row(t);
		ins_table_text(t, col_str(st, 1));
		ins_table_int(t, sqlite3_column_int64(st, 3));
		if ((rc = last_session(store, sut_id, &last)) < 0)
			goto done;
		if (rc == 1) {
			ins_table_time(t, sqlite3_column_int64(last, SC_STARTED));
			ins_table_text(t, col_str(last, SC_UID));
			ins_table_int(t, sqlite3_column_int64(last, SC_TESTS));
			ins_table_real(t, row_pass_rate(last));
		} else {
			for (int i = 0; i < 4; i++)
				ins_table_null(t);
		}
		sqlite3_finalize(last);
		last = NULL;
		if ((rc = recent_points(store, sut_id, TREND_SESSIONS, pts, &n)) < 0)
			goto done;
		for (size_t i = 0; i < n; i++)
			trend[i] = pts[i].rate;
		ins_table_spark(t, trend, n);
	}
	if (rc < 0)
		goto done;
	sqlite3_finalize(st);
	st = NULL;
	if ((rc = prepare(store, &st, Q_SUT_COUNT)) < 0)
		goto done;
	if ((rc = step(store, st, Q_SUT_COUNT)) == 1)
		ins_table_set_total(t, (size_t)sqlite3_column_int64(st, 0));
	if (rc < 0)
		goto done;
	rc = 0;
	*out = doc;
	doc = NULL;
done:
	sqlite3_finalize(st);
	sqlite3_finalize(last);
	ins_doc_free(doc);
	return rc;
}

/* One row of Q_RESULTS in a SUT's failing table. */
static int failing_row(ins_table *t, sqlite3_stmt *st, void *data)
{
	(void)data;
	ins_table_row(t);
	ins_table_text(t, col_str(st, 0));
	ins_table_text(t, ins_outcome_name((ins_outcome)sqlite3_column_int(st, 1)));
	ins_table_text(t, col_str(st, 4));
	return 0;
}

/* Failed and error results of one session, into a "failing" table. */
static int failing_table(ins_store *store, ins_doc *doc, int64_t sid, size_t limit)
{
	ins_table *t = ins_doc_table(doc, "failing", "Failing in the last session");

	ins_table_column(t, "test", "Test", INS_V_TEXT);
	ins_table_column(t, "outcome", "Outcome", INS_V_OUTCOME);
	ins_table_column(t, "message", "Message", INS_V_TEXT);
	ins_table_set_empty(t, "none");
	if (!sid)
		return 0;
	return session_rows(store, t, Q_RESULTS, Q_RESULTS_COUNT, sid, INS_OUTCOME_MASK_FAILURES,
			    limit, failing_row, NULL);
}

int ins_browse_sut_show(ins_doc **out, ins_store *store, const char *sut, size_t limit)
{
	struct trend_point *pts = ins_xcalloc(SERIES_SESSIONS, sizeof(*pts));
	sqlite3_stmt *st = NULL, *last = NULL;
	ins_session_filter all = { 0 };
	ins_buf title = INS_BUF_INIT, when = INS_BUF_INIT;
	ins_doc *doc = NULL;
	ins_series *pr, *du;
	ins_table *t;
	int64_t sut_id, sid = 0;
	size_t n = 0;
	int rc;

	*out = NULL;
	if ((rc = prepare(store, &st, Q_SUT_ROW)) < 0)
		goto done;
	ins_store__bind_text(st, 1, sut);
	if ((rc = step(store, st, Q_SUT_ROW)) <= 0) {
		if (rc == 0)
			rc = ins__no_sut(store, sut);
		goto done;
	}
	sut_id = sqlite3_column_int64(st, 0);
	ins_buf_printf(&title, "SUT %s", sut);
	doc = ins_doc_new("insight.sut.show", title.ptr);
	ins_doc_fact_text(doc, "sut", "SUT", sut);
	ins_doc_fact_time(doc, "created", "First recorded", sqlite3_column_int64(st, 2));
	ins_doc_fact_int(doc, "sessions", "Sessions", sqlite3_column_int64(st, 3));
	sqlite3_finalize(st);
	if ((rc = prepare(store, &st, Q_SUT_FIRST)) < 0)
		goto done;
	sqlite3_bind_int64(st, 1, sut_id);
	if ((rc = step(store, st, Q_SUT_FIRST)) < 0)
		goto done;
	ins_doc_fact_time(doc, "first_run", "First run", rc == 1 ? sqlite3_column_int64(st, 0) : 0);
	if ((rc = last_session(store, sut_id, &last)) < 0)
		goto done;
	if (rc == 1) {
		sid = sqlite3_column_int64(last, SC_ID);
		ins_doc_fact_time(doc, "last_run", "Last run", sqlite3_column_int64(last, SC_STARTED));
		ins_doc_fact_id(doc, "last_session", "Last session", col_str(last, SC_UID));
		ins_doc_fact_int(doc, "tests", "Tests (last session)",
				 sqlite3_column_int64(last, SC_TESTS));
		ins_doc_fact_percent(doc, "pass_rate", "Pass rate (last session)", row_pass_rate(last));
		ins_doc_fact_int(doc, "flaky", "Flaky (last session)",
				 sqlite3_column_int64(last, SC_FLAKY));
	} else {
		ins_doc_fact_null(doc, "last_run", "Last run");
		ins_doc_fact_null(doc, "last_session", "Last session");
		ins_doc_fact_null(doc, "tests", "Tests (last session)");
		ins_doc_fact_null(doc, "pass_rate", "Pass rate (last session)");
		ins_doc_fact_null(doc, "flaky", "Flaky (last session)");
	}

	if ((rc = recent_points(store, sut_id, SERIES_SESSIONS, pts, &n)) < 0)
		goto done;
	pr = ins_doc_series(doc, "pass_rate", "Pass rate", INS_V_PERCENT);
	du = ins_doc_series(doc, "duration", "Duration", INS_V_DURATION);
	for (size_t i = 0; i < n; i++) {
		/* a chart's axis shows when each session ran, not its id */
		ins_buf_clear(&when);
		ins_time_format_local(&when, pts[i].started_ms, 0);
		ins_series_point_label(pr, pts[i].uid, when.ptr, pts[i].rate);
		ins_series_point_label(du, pts[i].uid, when.ptr, pts[i].duration);
	}

	t = ins_doc_table(doc, "sessions", "Recent sessions");
	session_list_columns(t, 0);
	ins_table_set_empty(t, "no sessions");
	if ((rc = fill_sessions(store, t, sut_id, &all, limit, session_list_row_no_sut, NULL)) < 0)
		goto done;
	if ((rc = failing_table(store, doc, sid, limit)) < 0)
		goto done;
	rc = 0;
	*out = doc;
	doc = NULL;
done:
	sqlite3_finalize(st);
	sqlite3_finalize(last);
	ins_doc_free(doc);
	ins_buf_release(&title);
	ins_buf_release(&when);
	free(pts);
	return rc;
}

/* ---- tests ---- */

int ins_browse_test_resolve(ins_store *store, const char *query, ins_buf *nodeid, int64_t *id)
{
	ins_buf candidates[2] = { INS_BUF_INIT, INS_BUF_INIT }, first[2] = { INS_BUF_INIT, INS_BUF_INIT };
	sqlite3_stmt *st = NULL;
	int found[2] = { 0, 0 }, rc, tier;
	int64_t ids[2] = { 0, 0 };
	size_t qlen;

	if (!query || !*query)
		return ins_error_set(INS_EUSAGE, "no test named (give a node id)");
	if ((rc = prepare(store, &st, Q_TEST_BY_NODEID)) < 0)
		return rc;
	ins_store__bind_text(st, 1, query);
	rc = step(store, st, Q_TEST_BY_NODEID);
	if (rc == 1) {
		*id = sqlite3_column_int64(st, 0);
		ins_buf_set(nodeid, query);
		rc = 0;
		goto done;
	}
	if (rc < 0)
		goto done;
	sqlite3_finalize(st);

	/*
	 * Not an exact node id: the one test that ends with it at a part's
	 * boundary (a function name, "file::name", the end of an id), else the
	 * one whose id contains it.
	 */
	if ((rc = prepare(store, &st, Q_TESTS)) < 0)
		goto done;
	qlen = strlen(query);
	while ((rc = step(store, st, Q_TESTS)) == 1) {
		const char *name = col_str(st, 1);
		size_t nlen;

		if (!name || !strstr(name, query))
			continue;
		nlen = strlen(name);
		tier = nlen > qlen && !strcmp(name + nlen - qlen, query) &&
		       strchr(":/.", name[nlen - qlen - 1]) ? 0 : 1;
		if (!found[tier]++) {
			ids[tier] = sqlite3_column_int64(st, 0);
			ins_buf_set(&first[tier], name);
		}
		if (found[tier] <= MAX_CANDIDATES)
			ins_buf_printf(&candidates[tier], "\n  %s", name);
	}
	if (rc < 0)
		goto done;
	tier = found[0] ? 0 : 1;
	if (found[tier] == 0) {
		rc = ins_error_set(INS_ENOTFOUND, "no test matches '%s'", query);
	} else if (found[tier] > 1) {
		rc = ins_error_set(INS_EAMBIGUOUS, "'%s' matches %d tests; give one node id:%s%s",
				   query, found[tier], candidates[tier].ptr,
				   found[tier] > MAX_CANDIDATES ? "\n  ..." : "");
	} else {
		*id = ids[tier];
		ins_buf_set(nodeid, first[tier].ptr);
		rc = 0;
	}
done:
	sqlite3_finalize(st);
	for (int i = 0; i < 2; i++) {
		ins_buf_release(&candidates[i]);
		ins_buf_release(&first[i]);
	}
	return rc;
}

/* Runs, passed and failed-or-error final results of a test (within a SUT when sut_id). */
struct test_stats {
	int64_t runs, passed, failing;
	int has_last;
	int last_outcome;
	int64_t last_ms;
};

static int test_stats(ins_store *store, int64_t test_id, int64_t sut_id, struct test_stats *ts)
{
	sqlite3_stmt *st;
	int rc;

	memset(ts, 0, sizeof(*ts));
	if ((rc = prepare(store, &st, Q_TEST_STATS)) < 0)
		return rc;
	sqlite3_bind_int64(st, 1, test_id);
	sqlite3_bind_int64(st, 2, sut_id);
	if ((rc = step(store, st, Q_TEST_STATS)) == 1) {
		ts->runs = sqlite3_column_int64(st, 0);
		ts->passed = sqlite3_column_int64(st, 1);
		ts->failing = sqlite3_column_int64(st, 2);
	}
	sqlite3_finalize(st);
	if (rc < 0)
		return rc;
	if ((rc = prepare(store, &st, Q_TEST_LAST)) < 0)
		return rc;
	sqlite3_bind_int64(st, 1, test_id);
	sqlite3_bind_int64(st, 2, sut_id);
	if ((rc = step(store, st, Q_TEST_LAST)) == 1) {
		ts->has_last = 1;
		ts->last_outcome = sqlite3_column_int(st, 0);
		ts->last_ms = sqlite3_column_int64(st, 1);
	}
	sqlite3_finalize(st);
	return rc < 0 ? rc : 0;
}

static int test_in_sut(ins_store *store, sqlite3_stmt *st, int64_t test_id, int64_t sut_id)
{
	int rc;

	sqlite3_reset(st);
	sqlite3_bind_int64(st, 1, test_id);
	sqlite3_bind_int64(st, 2, sut_id);
	rc = step(store, st, Q_TEST_IN_SUT);
	sqlite3_reset(st);
	return rc;
}

int ins_browse_test_list(ins_doc **out, ins_store *store, const char *sut, const char *grep,
			 size_t limit)
{
	sqlite3_stmt *st = NULL, *in_sut = NULL;
	ins_doc *doc = NULL;
	regex_t re;
	int have_re = 0, rc;
	int64_t sut_id = 0;
	size_t total = 0;
	ins_table *t;

	*out = NULL;
	if (sut && (rc = sut_lookup(store, sut, &sut_id)) < 0)
		return rc;
	if (grep) {
		int err = regcomp(&re, grep, REG_EXTENDED | REG_NOSUB);
		if (err) {
			char msg[256];
			regerror(err, &re, msg, sizeof(msg));
			return ins_error_set(INS_EUSAGE, "invalid pattern '%s': %s", grep, msg);
		}
		have_re = 1;
	}
	doc = ins_doc_new("insight.test.list", "Tests");
	filter_fact(doc, "sut", "SUT", sut);
	filter_fact(doc, "grep", "Matching", grep);
	t = ins_doc_table(doc, "tests", NULL);
	ins_table_column(t, "test", "Test", INS_V_TEXT);
	ins_table_column(t, "runs", "Runs", INS_V_INT);
	ins_table_column(t, "last_run", "Last run", INS_V_TIME);
	ins_table_column(t, "last_outcome", "Last outcome", INS_V_OUTCOME);
	ins_table_column(t, "pass_rate", "Pass rate", INS_V_PERCENT);
	ins_table_set_empty(t, "no tests");

	if ((rc = prepare(store, &st, Q_TESTS)) < 0)
		goto done;
	if (sut_id && (rc = prepare(store, &in_sut, Q_TEST_IN_SUT)) < 0)
		goto done;
	/*
	 * The test table is small next to result (one row per test, not per
	 * run): it is read in node id order and filtered here; the per-test
	 * figures are looked up only for the rows shown.
	 */
	while ((rc = step(store, st, Q_TESTS)) == 1) {
		int64_t id = sqlite3_column_int64(st, 0);
		const char *name = col_str(st, 1);
		struct test_stats ts;

		if (!name || (have_re && regexec(&re, name, 0, NULL, 0) != 0))
			continue;
		if (sut_id) {
			int r = test_in_sut(store, in_sut, id, sut_id);
			if (r < 0) {
				rc = r;
				goto done;
			}
			if (!r)
				continue;
		}
		total++;
		if (limit && total > limit)
			continue;
		if ((rc = test_stats(store, id, sut_id, &ts)) < 0)
			goto done;
		ins_table_row(t);
		ins_table_text(t, name);
		ins_table_int(t, ts.runs);
		ins_table_time(t, ts.has_last ? ts.last_ms : 0);
		ins_table_text(t, ts.has_last ? ins_outcome_name((ins_outcome)ts.last_outcome) : NULL);
		ins_table_real(t, pass_rate(ts.passed, ts.failing, 0));
	}
	if (rc < 0)
		goto done;
	ins_table_set_total(t, total);
	ins_doc_fact_int(doc, "tests", "Tests", (int64_t)total);
	rc = 0;
	*out = doc;
	doc = NULL;
done:
	if (have_re)
		regfree(&re);
	sqlite3_finalize(st);
	sqlite3_finalize(in_sut);
	ins_doc_free(doc);
	return rc;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/*
 * The p-th percentile (0 < p <= 1) of sorted v[0..n) by the nearest-rank
 * method: the smallest value with at least p of the values at or below it,
 * v[ceil(p * n) - 1]. Always one of the values; negative when n is 0.
 */
static double percentile(const double *v, size_t n, double p)
{
	size_t k;

	if (!n)
		return -1;
	k = (size_t)ceil(p * (double)n);
	if (k < 1)
		k = 1;
	return v[(k > n ? n : k) - 1];
}

struct test_summary {
	int64_t counts[INS_OUTCOME_COUNT];
	int64_t runs, flaky;
	int64_t first_ms, last_ms, last_sid;
	int last_outcome, last_attempt;
	char last_uid[INS_SESSION_ID_LEN + 1];
	double *durs;
	size_t ndurs, alloc;
};

static int test_summary_read(ins_store *store, int64_t test_id, int64_t sut_id,
			     struct test_summary *s)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = prepare(store, &st, Q_TEST_RESULTS)) < 0)
		return rc;
	sqlite3_bind_int64(st, 1, test_id);
	sqlite3_bind_int64(st, 2, sut_id);
	while ((rc = step(store, st, Q_TEST_RESULTS)) == 1) {
		int o = sqlite3_column_int(st, 0);
		int64_t ms = sqlite3_column_int64(st, 3), sid = sqlite3_column_int64(st, 5);

		if (o >= 0 && o < INS_OUTCOME_COUNT)
			s->counts[o]++;
		s->runs++;
		if (sqlite3_column_int64(st, 2) & INS_RESULT_FLAKY)
			s->flaky++;
		if (sqlite3_column_type(st, 1) != SQLITE_NULL) {
			s->durs = ins_xgrow(s->durs, &s->alloc, s->ndurs + 1, sizeof(*s->durs));
			s->durs[s->ndurs++] = sqlite3_column_double(st, 1);
		}
		if (s->runs == 1 || ms < s->first_ms)
			s->first_ms = ms;
		/* The latest run: the latest start, the later-recorded session on a tie. */
		if (s->runs == 1 || ms > s->last_ms || (ms == s->last_ms && sid > s->last_sid)) {
			s->last_ms = ms;
			s->last_sid = sid;
			s->last_outcome = o;
			s->last_attempt = sqlite3_column_int(st, 6);
			snprintf(s->last_uid, sizeof(s->last_uid), "%s",
				 ins_store__col_text(st, 4));
		}
	}
	sqlite3_finalize(st);
	return rc < 0 ? rc : 0;
}

/* First line of `s` (up to a newline), into b. */
static void first_line(ins_buf *b, const char *s)
{
	const char *nl = s ? strchr(s, '\n') : NULL;

	ins_buf_clear(b);
	if (s)
		ins_buf_put(b, s, nl ? (size_t)(nl - s) : strlen(s));
}

static int test_fingerprints(ins_store *store, ins_doc *doc, int64_t test_id, int64_t sut_id,
			     const struct ins_categories *cats)
{
	ins_table *t = ins_doc_table(doc, "fingerprints", "Failure fingerprints");
	ins_buf line = INS_BUF_INIT;
	sqlite3_stmt *st = NULL, *fp = NULL;
	int rc;

	ins_table_column(t, "fingerprint", "Fingerprint", INS_V_TEXT);
	ins_table_column(t, "failures", "Failures", INS_V_INT);
	ins_table_column(t, "first_seen", "First seen", INS_V_TIME);
	ins_table_column(t, "last_seen", "Last seen", INS_V_TIME);
	ins_table_column(t, "message", "Message", INS_V_TEXT);
	ins_table_column(t, "category", "Category", INS_V_TEXT);
	ins_table_column_detail(t, 4);
	ins_table_column(t, "signature", "Signature", INS_V_LONGTEXT);
	ins_table_set_empty(t, "no failures recorded");
	if ((rc = prepare(store, &st, Q_TEST_FINGERPRINTS)) < 0 ||
	    (rc = prepare(store, &fp, Q_FINGERPRINT)) < 0)
		goto done;
	sqlite3_bind_int64(st, 1, test_id);
	sqlite3_bind_int64(st, 2, sut_id);
	while ((rc = step(store, st, Q_TEST_FINGERPRINTS)) == 1) {
		const char *sig;

		sqlite3_reset(fp);
		sqlite3_bind_int64(fp, 1, sqlite3_column_int64(st, 0));
		if ((rc = step(store, fp, Q_FINGERPRINT)) < 0)
			goto done;
		sig = rc == 1 ? col_str(fp, 1) : NULL;
		first_line(&line, sig);
		ins_table_row(t);
		ins_table_text(t, rc == 1 ? col_str(fp, 0) : NULL);
		ins_table_int(t, sqlite3_column_int64(st, 1));
		ins_table_time(t, sqlite3_column_int64(st, 2));
		ins_table_time(t, sqlite3_column_int64(st, 3));
		ins_table_text(t, sig ? line.ptr : NULL);
		ins_table_text(t, ins_categories_match(cats, sig ? line.ptr : NULL,
						       (ins_outcome)sqlite3_column_int(st, 4)));
		ins_table_text(t, sig);
	}
done:
	sqlite3_finalize(st);
	sqlite3_finalize(fp);
	ins_buf_release(&line);
	return rc < 0 ? rc : 0;
}

static int test_properties(ins_store *store, ins_doc *doc, int64_t test_id,
			   const struct test_summary *s)
{
	ins_table *t = ins_doc_table(doc, "properties", "Properties (last run)");
	sqlite3_stmt *st;
	int rc;

	ins_table_column(t, "key", "Property", INS_V_TEXT);
	ins_table_column(t, "value", "Value", INS_V_TEXT);
	ins_table_set_empty(t, "none");
	if (!s->runs)
		return 0;
	if ((rc = prepare(store, &st, Q_RESULT_PROPS)) < 0)
		return rc;
	sqlite3_bind_int64(st, 1, s->last_sid);
	sqlite3_bind_int64(st, 2, test_id);
	sqlite3_bind_int(st, 3, s->last_attempt);
	while ((rc = step(store, st, Q_RESULT_PROPS)) == 1) {
		ins_table_row(t);
		ins_table_text(t, col_str(st, 0));
		ins_table_text(t, col_str(st, 1));
	}
	sqlite3_finalize(st);
	return rc < 0 ? rc : 0;
}

int ins_browse_test_show(ins_doc **out, ins_store *store, const char *test, const char *sut,
			 const struct ins_categories *categories)
{
	static const char *const count_labels[INS_OUTCOME_COUNT] = {
		"Passed", "Failed", "Error", "Skipped", "Xfailed", "Xpassed"
	};
	struct test_summary s;
	ins_buf nodeid = INS_BUF_INIT, title = INS_BUF_INIT;
	sqlite3_stmt *st = NULL;
	ins_doc *doc = NULL;
	int64_t test_id, sut_id = 0;
	int rc;

	*out = NULL;
	memset(&s, 0, sizeof(s));
	if (sut && (rc = sut_lookup(store, sut, &sut_id)) < 0)
		return rc;
	if ((rc = ins_browse_test_resolve(store, test, &nodeid, &test_id)) < 0)
		goto done;
	if ((rc = test_summary_read(store, test_id, sut_id, &s)) < 0)
		goto done;
	if ((rc = prepare(store, &st, Q_TEST_BY_ID)) < 0)
		goto done;
	sqlite3_bind_int64(st, 1, test_id);
	if ((rc = step(store, st, Q_TEST_BY_ID)) < 0)
		goto done;
	ins_buf_printf(&title, "Test %s", nodeid.ptr);
	doc = ins_doc_new("insight.test.show", title.ptr);
	ins_doc_fact_text(doc, "test", "Test", nodeid.ptr);
	ins_doc_fact_text(doc, "file", "File", rc == 1 ? col_str(st, 1) : NULL);
	ins_doc_fact_text(doc, "classname", "Class", rc == 1 ? col_str(st, 2) : NULL);
	ins_doc_fact_text(doc, "name", "Name", rc == 1 ? col_str(st, 3) : NULL);
	filter_fact(doc, "sut", "SUT", sut);
	ins_doc_fact_int(doc, "runs", "Runs", s.runs);
	ins_doc_fact_time(doc, "first_run", "First run", s.runs ? s.first_ms : 0);
	ins_doc_fact_time(doc, "last_run", "Last run", s.runs ? s.last_ms : 0);
	if (s.runs) {
		ins_doc_fact_text(doc, "last_outcome", "Last outcome",
				  ins_outcome_name((ins_outcome)s.last_outcome));
		ins_doc_fact_id(doc, "last_session", "Last session", s.last_uid);
	} else {
		ins_doc_fact_null(doc, "last_outcome", "Last outcome");
		ins_doc_fact_null(doc, "last_session", "Last session");
	}
	for (int o = 0; o < INS_OUTCOME_COUNT; o++)
		ins_doc_fact_int(doc, ins_outcome_name((ins_outcome)o), count_labels[o], s.counts[o]);
	ins_doc_fact_int(doc, "flaky_runs", "Flaky in a run", s.flaky);
	ins_doc_fact_percent(doc, "pass_rate", "Pass rate",
			     pass_rate(s.counts[INS_OUTCOME_PASSED], s.counts[INS_OUTCOME_FAILED],
				       s.counts[INS_OUTCOME_ERROR]));
	if (s.ndurs)
		qsort(s.durs, s.ndurs, sizeof(*s.durs), cmp_double);
	ins_doc_fact_duration(doc, "duration_p50", "Duration p50", percentile(s.durs, s.ndurs, 0.5));
	ins_doc_fact_duration(doc, "duration_p95", "Duration p95",
			      percentile(s.durs, s.ndurs, 0.95));
	if ((rc = test_fingerprints(store, doc, test_id, sut_id, categories)) < 0)
		goto done;
	if ((rc = test_properties(store, doc, test_id, &s)) < 0)
		goto done;
	rc = 0;
	*out = doc;
	doc = NULL;
done:
	sqlite3_finalize(st);
	ins_doc_free(doc);
	ins_buf_release(&nodeid);
	ins_buf_release(&title);
	free(s.durs);
	return rc;
}

/*
 * ?1 to ?4 of a test's history and of its count: the test, the SUT (0: every
 * SUT) and the window (an open end is the extreme).
 */
static void bind_test_window(sqlite3_stmt *st, int64_t test_id, int64_t sut_id,
			     const ins_session_filter *f)
{
	sqlite3_bind_int64(st, 1, test_id);
	sqlite3_bind_int64(st, 2, sut_id);
	sqlite3_bind_int64(st, 3, f->from_ms ? f->from_ms : INT64_MIN);
	sqlite3_bind_int64(st, 4, f->to_ms ? f->to_ms : INT64_MAX);
}

int ins_browse_test_history(ins_doc **out, ins_store *store, const char *test,
			    const ins_session_filter *f)
{
	ins_buf nodeid = INS_BUF_INIT, title = INS_BUF_INIT, when = INS_BUF_INIT;
	double *outc = NULL, *durs = NULL;
	char **xs = NULL;
	int64_t *tms = NULL;
	size_t n = 0, alloc_o = 0, alloc_d = 0, alloc_x = 0, alloc_t = 0;
	sqlite3_stmt *st = NULL;
	ins_doc *doc = NULL;
	ins_series *so, *sd;
	int64_t test_id, sut_id = 0;
	ins_table *t;
	int rc;

	*out = NULL;
	if (f->sut && (rc = sut_lookup(store, f->sut, &sut_id)) < 0)
		return rc;
	if ((rc = ins_browse_test_resolve(store, test, &nodeid, &test_id)) < 0)
		goto done;
	ins_buf_printf(&title, "History of %s", nodeid.ptr);
	doc = ins_doc_new("insight.test.history", title.ptr);
	ins_doc_fact_text(doc, "test", "Test", nodeid.ptr);
	filter_fact(doc, "sut", "SUT", f->sut);
	window_facts(doc, f);
	t = ins_doc_table(doc, "runs", NULL);
	ins_table_column(t, "session", "Session", INS_V_ID);
	ins_table_column(t, "sut", "SUT", INS_V_TEXT);
	ins_table_column(t, "started", "Started", INS_V_TIME);
	ins_table_column(t, "outcome", "Outcome", INS_V_OUTCOME);
	ins_table_column(t, "attempts", "Attempts", INS_V_INT);
	ins_table_column(t, "duration", "Duration", INS_V_DURATION);
	ins_table_column(t, "commit", "Commit", INS_V_ID);
	ins_table_column(t, "message", "Message", INS_V_TEXT);
	ins_table_set_empty(t, "no runs in this window");

	if ((rc = prepare(store, &st, Q_TEST_HISTORY)) < 0)
		goto done;
	bind_test_window(st, test_id, sut_id, f);
	sqlite3_bind_int64(st, 5, sql_limit(f->limit));
	while ((rc = step(store, st, Q_TEST_HISTORY)) == 1) {
		int o = sqlite3_column_int(st, 3);
		double d = col_secs(st, 5);

		ins_table_row(t);
		ins_table_text(t, col_str(st, 0));
		ins_table_text(t, col_str(st, 1));
		ins_table_time(t, sqlite3_column_int64(st, 2));
		ins_table_text(t, ins_outcome_name((ins_outcome)o));
		ins_table_int(t, sqlite3_column_int64(st, 4));
		ins_table_real(t, d);
		ins_table_text(t, col_str(st, 6));
		ins_table_text(t, col_str(st, 7));

		outc = ins_xgrow(outc, &alloc_o, n + 1, sizeof(*outc));
		durs = ins_xgrow(durs, &alloc_d, n + 1, sizeof(*durs));
		xs = ins_xgrow(xs, &alloc_x, n + 1, sizeof(*xs));
		outc[n] = o == INS_OUTCOME_PASSED ? 1.0 :
			  ins_outcome_is_failure((ins_outcome)o) ? 0.0 : NAN;
		durs[n] = d < 0 ? NAN : d;
		xs[n] = ins_xstrdup(ins_store__col_text(st, 0));
		tms = ins_xgrow(tms, &alloc_t, n + 1, sizeof(*tms));
		tms[n] = sqlite3_column_int64(st, 2);
		n++;
	}
	if (rc < 0)
		goto done;
	sqlite3_finalize(st);
	st = NULL;
	/* The rows are newest first; a chart reads left to right, oldest first. */
	so = ins_doc_series(doc, "outcome", "Passed", INS_V_INT);
	sd = ins_doc_series(doc, "duration", "Duration", INS_V_DURATION);
	for (size_t i = n; i-- > 0;) {
		ins_buf_clear(&when);
		ins_time_format_local(&when, tms[i], 0);
		ins_series_point_label(so, xs[i], when.ptr, outc[i]);
		ins_series_point_label(sd, xs[i], when.ptr, durs[i]);
	}
	if ((rc = prepare(store, &st, Q_TEST_HISTORY_COUNT)) < 0)
		goto done;
	bind_test_window(st, test_id, sut_id, f);
	if ((rc = step(store, st, Q_TEST_HISTORY_COUNT)) < 0)
		goto done;
	ins_table_set_total(t, rc == 1 ? (size_t)sqlite3_column_int64(st, 0) : 0);
	ins_doc_fact_int(doc, "runs", "Runs", (int64_t)t->total_rows);
	rc = 0;
	*out = doc;
	doc = NULL;
done:
	sqlite3_finalize(st);
	ins_doc_free(doc);
	ins_buf_release(&nodeid);
	ins_buf_release(&title);
	ins_buf_release(&when);
	free(tms);
	for (size_t i = 0; i < n; i++)
		free(xs[i]);
	free(xs);
	free(outc);
	free(durs);
	return rc;
}

/* ---- history list ---- */

/*
 * The SUT column stays in the tables of --by-sut too: each table then
 * stands on its own (a CSV block does not carry its section's title).
 */
static void history_columns(ins_table *t)
{
	ins_table_column(t, "started", "Started", INS_V_TIME);
	ins_table_column(t, "id", "Session", INS_V_ID);
	ins_table_column(t, "sut", "SUT", INS_V_TEXT);
	ins_table_column(t, "tests", "Tests", INS_V_INT);
	ins_table_column(t, "passed", "Passed", INS_V_INT);
	ins_table_column(t, "failed", "Failed", INS_V_INT);
	ins_table_column(t, "error", "Error", INS_V_INT);
	ins_table_column(t, "skipped", "Skipped", INS_V_INT);
	ins_table_column(t, "xfailed", "Xfailed", INS_V_INT);
	ins_table_column(t, "xpassed", "Xpassed", INS_V_INT);
	ins_table_column(t, "flaky", "Flaky", INS_V_INT);
	ins_table_column(t, "duration", "Duration", INS_V_DURATION);
	ins_table_column(t, "pass_rate", "Pass rate", INS_V_PERCENT);
}

static void history_row(ins_table *t, sqlite3_stmt *st)
{
	ins_table_row(t);
	ins_table_time(t, sqlite3_column_int64(st, SC_STARTED));
	ins_table_text(t, col_str(st, SC_UID));
	ins_table_text(t, col_str(st, SC_SUT));
	for (int c = SC_TESTS; c <= SC_FLAKY; c++)
		ins_table_int(t, sqlite3_column_int64(st, c));
	ins_table_real(t, col_secs(st, SC_DURATION));
	ins_table_real(t, row_pass_rate(st));
}

struct sut_window {
	int64_t id, sessions;
	char *name;
};

/* The SUTs (only `sut` when given) with at least one session in the window, by name. */
static int suts_in_window(ins_store *store, const ins_session_filter *f, struct sut_window **out,
			  size_t *count)
{
	int q = f->sut ? Q_SUT_ROW : Q_SUTS;
	struct sut_window *v = NULL;
	size_t n = 0, alloc = 0;
	sqlite3_stmt *st;
	int rc;

	if ((rc = prepare(store, &st, q)) < 0)
		return rc;
	if (f->sut)
		ins_store__bind_text(st, 1, f->sut);
	else
		sqlite3_bind_int64(st, 1, INT64_MAX);
	while ((rc = step(store, st, q)) == 1) {
		int64_t id = sqlite3_column_int64(st, 0), k;

		if ((rc = sessions_count(store, id, f->from_ms, f->to_ms, &k)) < 0)
			break;
		if (!k)
			continue;
		v = ins_xgrow(v, &alloc, n + 1, sizeof(*v));
		v[n].id = id;
		v[n].sessions = k;
		v[n].name = ins_xstrdup(ins_store__col_text(st, 1));
		n++;
	}
	sqlite3_finalize(st);
	*out = v;
	*count = n;
	return rc < 0 ? rc : 0;
}

int ins_browse_history_list(ins_doc **out, ins_store *store, const ins_session_filter *f,
			    int by_sut)
{
	ins_doc *doc = NULL;
	struct sut_window *suts = NULL;
	size_t nsuts = 0;
	int64_t sut_id = 0, total = 0;
	ins_table *t;
	int rc;

	*out = NULL;
	if (f->sut && (rc = sut_lookup(store, f->sut, &sut_id)) < 0)
		return rc;
	doc = ins_doc_new("insight.history.list", "Test history");
	filter_fact(doc, "sut", "SUT", f->sut);
	window_facts(doc, f);
	if (!by_sut) {
		t = ins_doc_table(doc, "sessions", NULL);
		history_columns(t);
		ins_table_set_empty(t, "no sessions in this window");
		if ((rc = fill_sessions(store, t, sut_id, f, f->limit, history_row, &total)) < 0)
			goto done;
		ins_doc_fact_int(doc, "sessions", "Sessions", total);
		rc = 0;
		goto ok;
	}
	/* Totals first: the document's own facts come before the SUTs' sections. */
	if ((rc = suts_in_window(store, f, &suts, &nsuts)) < 0)
		goto done;
	for (size_t i = 0; i < nsuts; i++)
		total += suts[i].sessions;
	ins_doc_fact_int(doc, "sessions", "Sessions", total);
	ins_doc_fact_int(doc, "suts", "SUTs", (int64_t)nsuts);
	if (!nsuts)
		ins_doc_note(doc, INS_NOTE_INFO, "no sessions in this window");
	for (size_t i = 0; i < nsuts; i++) {
		ins_doc_section(doc, "sut", suts[i].name);
		ins_doc_fact_text(doc, "sut", "SUT", suts[i].name);
		ins_doc_fact_int(doc, "sessions", "Sessions", suts[i].sessions);
		t = ins_doc_table(doc, "sessions", NULL);
		history_columns(t);
		ins_table_set_empty(t, "no sessions in this window");
		if ((rc = fill_sessions(store, t, suts[i].id, f, f->limit, history_row, NULL)) < 0)
			goto done;
	}
	rc = 0;
ok:
	*out = doc;
	doc = NULL;
done:
	for (size_t i = 0; i < nsuts; i++)
		free(suts[i].name);
	free(suts);
	ins_doc_free(doc);
	return rc;
}
