/*
 * store_schema.c - the history's schema and its forward migrations.
 *
 * migrations[i] takes a store from user_version i to i + 1. A released
 * migration is never edited: a change to the schema is a new entry at the
 * end (and INS_STORE_SCHEMA_VERSION goes up by one). The SQL stays plain so
 * that it reads the same on PostgreSQL, apart from WITHOUT ROWID.
 *
 * Sizes matter: a history of years holds tens of millions of results, so a
 * passing result is one narrow row (no text), large text lives in
 * result_text only for non-passing results, and the counts a listing needs
 * are kept on the session row at ingest.
 */
#include <stddef.h>

#include "store/store_internal.h"
#include "store/store_schema.h"

static const char *const migrations[] = {
	/* 0 -> 1: the initial schema. */
	"CREATE TABLE sut ("
	"  id INTEGER PRIMARY KEY,"
	"  name TEXT NOT NULL UNIQUE,"
	"  created_ms INTEGER NOT NULL"
	");"
	"CREATE TABLE session ("
	"  id INTEGER PRIMARY KEY,"
	"  uid TEXT NOT NULL UNIQUE,"            /* ULID-like public id */
	"  sut_id INTEGER NOT NULL REFERENCES sut(id),"
	"  started_ms INTEGER NOT NULL,"         /* epoch ms UTC */
	"  finished_ms INTEGER,"
	"  duration REAL,"                       /* seconds, wall clock of the run */
	"  state TEXT NOT NULL DEFAULT 'complete',"
	"  command TEXT,"
	"  exit_status INTEGER,"
	"  format TEXT,"
	"  source TEXT,"
	"  host TEXT,"
	"  git_commit TEXT, git_tree TEXT, git_branch TEXT, git_parents TEXT,"
	"  git_dirty INTEGER, git_commit_ms INTEGER, git_author TEXT, git_subject TEXT,"
	"  ci_provider TEXT, ci_build_id TEXT, ci_build_url TEXT, ci_job TEXT, ci_pr TEXT,"
	"  ci_branch TEXT, ci_base_branch TEXT, ci_commit TEXT, ci_repo TEXT,"
	/* counts of final outcomes, maintained at ingest */
	"  n_tests INTEGER NOT NULL DEFAULT 0,"
	"  n_passed INTEGER NOT NULL DEFAULT 0,"
	"  n_failed INTEGER NOT NULL DEFAULT 0,"
	"  n_error INTEGER NOT NULL DEFAULT 0,"
	"  n_skipped INTEGER NOT NULL DEFAULT 0,"
	"  n_xfailed INTEGER NOT NULL DEFAULT 0,"
	"  n_xpassed INTEGER NOT NULL DEFAULT 0,"
	"  n_flaky INTEGER NOT NULL DEFAULT 0,"  /* passed after a failed attempt */
	"  n_attempts INTEGER NOT NULL DEFAULT 0"
	");"
	"CREATE INDEX session_by_sut_time ON session(sut_id, started_ms);"
	"CREATE INDEX session_by_time ON session(started_ms);"
	"CREATE INDEX session_by_commit ON session(git_commit);"
	"CREATE TABLE session_tag ("
	"  session_id INTEGER NOT NULL REFERENCES session(id) ON DELETE CASCADE,"
	"  key TEXT NOT NULL,"
	"  value TEXT NOT NULL,"
	"  PRIMARY KEY (session_id, key)"
	");"
	"CREATE TABLE report_file ("              /* duplicate-import detection */
	"  hash TEXT NOT NULL,"                   /* SHA-256 of the report's bytes */
	"  session_id INTEGER NOT NULL REFERENCES session(id) ON DELETE CASCADE,"
	"  path TEXT,"
	"  PRIMARY KEY (hash, session_id)"
	");"
	"CREATE INDEX report_file_by_session ON report_file(session_id);"
	"CREATE TABLE test ("
	"  id INTEGER PRIMARY KEY,"
	"  nodeid TEXT NOT NULL UNIQUE,"
	"  file TEXT,"
	"  classname TEXT,"
	"  name TEXT"
	");"
	"CREATE TABLE fingerprint ("
	"  id INTEGER PRIMARY KEY,"
	"  hash TEXT NOT NULL UNIQUE,"
	"  signature TEXT NOT NULL,"             /* the normalised message and frames */
	"  first_session_id INTEGER REFERENCES session(id) ON DELETE SET NULL,"
	"  first_seen_ms INTEGER,"
	"  last_session_id INTEGER REFERENCES session(id) ON DELETE SET NULL,"
	"  last_seen_ms INTEGER"
	");"
	"CREATE TABLE result ("
	"  session_id INTEGER NOT NULL REFERENCES session(id) ON DELETE CASCADE,"
	"  test_id INTEGER NOT NULL REFERENCES test(id),"
	"  attempt INTEGER NOT NULL,"            /* 1, 2, ... in the order run */
	"  outcome INTEGER NOT NULL,"            /* enum ins_outcome */
	"  final INTEGER NOT NULL,"              /* 1 on the test's last attempt in the session */
	"  duration REAL,"                       /* seconds; NULL unknown */
	"  start_ms INTEGER,"
	"  flags INTEGER NOT NULL DEFAULT 0,"    /* INS_RESULT_* */
	"  fingerprint_id INTEGER REFERENCES fingerprint(id),"
	"  message TEXT,"
	"  PRIMARY KEY (session_id, test_id, attempt)"
	") WITHOUT ROWID;"
	"CREATE INDEX result_by_test ON result(test_id, session_id);"
	"CREATE INDEX result_by_fingerprint ON result(fingerprint_id) WHERE fingerprint_id IS NOT NULL;"
	"CREATE TABLE result_text ("
	"  session_id INTEGER NOT NULL REFERENCES session(id) ON DELETE CASCADE,"
	"  test_id INTEGER NOT NULL,"
	"  attempt INTEGER NOT NULL,"
	"  detail TEXT, stdout TEXT, stderr TEXT, log TEXT,"
	"  UNIQUE (session_id, test_id, attempt)"
	");"
	"CREATE TABLE result_property ("
	"  session_id INTEGER NOT NULL REFERENCES session(id) ON DELETE CASCADE,"
	"  test_id INTEGER NOT NULL,"
	"  attempt INTEGER NOT NULL,"
	"  key TEXT NOT NULL,"
	"  value TEXT"
	");"
	"CREATE INDEX result_property_by_result ON result_property(session_id, test_id, attempt);"
	"CREATE TABLE output_section ("
	"  session_id INTEGER NOT NULL REFERENCES session(id) ON DELETE CASCADE,"
	"  seq INTEGER NOT NULL,"
	"  name TEXT NOT NULL,"
	"  content TEXT NOT NULL,"
	"  PRIMARY KEY (session_id, seq)"
	");",
	/*
	 * 1 -> 2: test_day, the per-test daily aggregate the window analyses
	 * read instead of every result. One row per (SUT, UTC day of the
	 * session's start = started_ms / 86400000, test); counts are over the
	 * final attempts of the sessions of that SUT and day, except
	 * failing_sessions: sessions with any failed or error attempt of the
	 * test, final or not, among those whose counts show a failure or a
	 * flaky test (the sessions the flaky analysis reads). The dur_* columns cover passing final attempts with a known
	 * duration. Kept by the session writer at commit and rebuilt for the
	 * affected days when sessions are deleted; 'db check' compares it with
	 * the results. The backfill makes an older store whole on upgrade.
	 */
	"CREATE TABLE test_day ("
	"  sut_id INTEGER NOT NULL,"
	"  day INTEGER NOT NULL,"
	"  test_id INTEGER NOT NULL,"
	"  runs INTEGER NOT NULL,"
	"  passed INTEGER NOT NULL,"
	"  failed INTEGER NOT NULL,"
	"  error INTEGER NOT NULL,"
	"  skipped INTEGER NOT NULL,"
	"  xfailed INTEGER NOT NULL,"
	"  xpassed INTEGER NOT NULL,"
	"  failing_sessions INTEGER NOT NULL,"
	"  flaky_in_run INTEGER NOT NULL,"
	"  dur_n INTEGER NOT NULL,"
	"  dur_sum REAL NOT NULL,"
	"  dur_max REAL,"
	"  PRIMARY KEY (sut_id, day, test_id)"
	") WITHOUT ROWID;"
	"INSERT INTO test_day SELECT s.sut_id, s.started_ms / 86400000, r.test_id,"
	"  sum(r.final), sum(r.final AND r.outcome = 0), sum(r.final AND r.outcome = 1),"
	"  sum(r.final AND r.outcome = 2), sum(r.final AND r.outcome = 3),"
	"  sum(r.final AND r.outcome = 4), sum(r.final AND r.outcome = 5),"
	"  count(DISTINCT CASE WHEN r.outcome IN (1, 2) AND s.n_failed + s.n_error + s.n_flaky > 0 "
	"  THEN r.session_id END),"
	"  sum(r.final AND (r.flags & 4) <> 0),"
	"  count(CASE WHEN r.final AND r.outcome = 0 AND r.duration >= 0 THEN 1 END),"
	"  total(CASE WHEN r.final AND r.outcome = 0 AND r.duration >= 0 THEN r.duration END),"
	"  max(CASE WHEN r.final AND r.outcome = 0 AND r.duration >= 0 THEN r.duration END) "
	"  FROM result r JOIN session s ON s.id = r.session_id "
	"  GROUP BY s.sut_id, s.started_ms / 86400000, r.test_id;",
	/*
	 * 2 -> 3: indexes that answer the per-test and per-failure reads from
	 * the index alone. result_by_test keeps its leading (test_id,
	 * session_id) and now carries what the analyses read of each run (a
	 * flaky candidate's run sequence, a test's passing durations), so a
	 * test's runs are one index range with no look-up into `result` per
	 * run. result_failing holds only failed and error attempts, keyed by
	 * session: the failures of a window are one small range per session
	 * instead of every result of it.
	 */
	"DROP INDEX result_by_test;"
	"CREATE INDEX result_by_test ON result(test_id, session_id, final, outcome, flags, duration);"
	"CREATE INDEX result_failing ON result(session_id, fingerprint_id, outcome) "
	"  WHERE outcome IN (1, 2);",
	/*
	 * 3 -> 4: one test, one id. pytest's own JUnit XML used to be stored
	 * under its classname ("tests.test_cart.TestCart::test_x") while
	 * `session run` stores pytest's node id ("tests/test_cart.py::TestCart::
	 * test_x"), so one test had two histories. Each such pair is merged
	 * into the node id: results, their texts and properties move to it,
	 * its daily aggregate is recomputed, and the classname form goes. A
	 * pair with results of both forms in one session cannot be merged
	 * without renumbering attempts: it stays, and 'db check' names it.
	 * insight_junit_nodeid() is defined by the store (store.c).
	 */
	"CREATE TEMP TABLE ins_pair AS SELECT a.id AS old_id, b.id AS new_id "
	"  FROM test b JOIN test a ON a.nodeid = insight_junit_nodeid(b.nodeid) "
	"  WHERE b.nodeid GLOB '*.py::*' AND NOT EXISTS (SELECT 1 FROM result r1 "
	"    JOIN result r2 ON r2.session_id = r1.session_id AND r2.test_id = b.id "
	"    WHERE r1.test_id = a.id);"
	"UPDATE result SET test_id = (SELECT new_id FROM temp.ins_pair WHERE old_id = test_id) "
	"  WHERE test_id IN (SELECT old_id FROM temp.ins_pair);"
	"UPDATE result_text SET test_id = (SELECT new_id FROM temp.ins_pair WHERE old_id = test_id) "
	"  WHERE test_id IN (SELECT old_id FROM temp.ins_pair);"
	"UPDATE result_property SET test_id = (SELECT new_id FROM temp.ins_pair "
	"  WHERE old_id = test_id) WHERE test_id IN (SELECT old_id FROM temp.ins_pair);"
	"DELETE FROM test_day WHERE test_id IN (SELECT old_id FROM temp.ins_pair "
	"  UNION SELECT new_id FROM temp.ins_pair);"
	"INSERT INTO test_day SELECT s.sut_id, s.started_ms / 86400000, r.test_id, "
	INS_TEST_DAY_AGG " FROM result r JOIN session s ON s.id = r.session_id "
	"  WHERE r.test_id IN (SELECT new_id FROM temp.ins_pair) "
	"  GROUP BY s.sut_id, s.started_ms / 86400000, r.test_id;"
	"DELETE FROM test WHERE id IN (SELECT old_id FROM temp.ins_pair);"
	"DROP TABLE temp.ins_pair;",
	/*
	 * 4 -> 5: causes. A fingerprint includes the failing test's own frame,
	 * so one root error reached from fifty tests is fifty fingerprints; its
	 * cause (ins_fingerprint_cause) is the message and the innermost frame
	 * when that frame lies outside the test files, and the fingerprint
	 * itself otherwise. Each fingerprint gets its cause; insight_cause()
	 * and insight_hash() are defined by the store (store.c).
	 */
	"CREATE TABLE cause ("
	"  id INTEGER PRIMARY KEY,"
	"  hash TEXT NOT NULL UNIQUE,"
	"  signature TEXT NOT NULL"
	");"
	"ALTER TABLE fingerprint ADD COLUMN cause_id INTEGER REFERENCES cause(id);"
	"CREATE INDEX fingerprint_by_cause ON fingerprint(cause_id);"
	INS_STORE_ASSIGN_CAUSES_SQL,
	/*
	 * 5 -> 6: what `notify` announced. notify_seen holds, per route and
	 * branch, each failure (by fingerprint hash; kind 'failure', state
	 * 'failing' once announced, 'fixed' once its fix was announced) and each
	 * test announced as flaky (kind 'flaky', keyed by a hash of its node
	 * id). notify_sent holds each message delivered, for the routes'
	 * minimum interval and "once a session". Sessions are named by their
	 * public id, so deleting one leaves what was said about it.
	 */
	"CREATE TABLE IF NOT EXISTS notify_seen ("
	"  route TEXT NOT NULL,"
	"  branch TEXT NOT NULL,"               /* '' for sessions without a branch */
	"  kind TEXT NOT NULL,"                 /* 'failure' or 'flaky' */
	"  key TEXT NOT NULL,"
	"  state TEXT NOT NULL,"                /* 'failing', 'fixed', 'flaky' */
	"  nodeid TEXT,"
	"  session_uid TEXT NOT NULL,"          /* the session that changed it last */
	"  updated_ms INTEGER NOT NULL,"
	"  PRIMARY KEY (route, branch, kind, key)"
	") WITHOUT ROWID;"
	"CREATE TABLE IF NOT EXISTS notify_sent ("
	"  id INTEGER PRIMARY KEY,"
	"  route TEXT NOT NULL,"
	"  branch TEXT NOT NULL,"
	"  session_uid TEXT NOT NULL,"
	"  events TEXT NOT NULL,"
	"  delivery TEXT NOT NULL,"             /* the message's idempotency id */
	"  sent_ms INTEGER NOT NULL"
	");"
	"CREATE INDEX IF NOT EXISTS notify_sent_by_route ON notify_sent(route, branch, sent_ms);"
	"CREATE INDEX IF NOT EXISTS notify_sent_by_session ON notify_sent(route, session_uid);",
	/*
	 * 6 -> 7: the Jira issues of failures. A jira route files or comments
	 * on one issue per failure (by fingerprint hash); notify_issue keeps
	 * its key and page per route, so that reports link them and a fix
	 * reaches the same issue. state is 'open' until the route told the
	 * issue about the fix ('fixed').
	 */
	"CREATE TABLE IF NOT EXISTS notify_issue ("
	"  route TEXT NOT NULL,"
	"  fingerprint TEXT NOT NULL,"          /* the failure's key, as in notify_seen */
	"  issue_key TEXT NOT NULL,"            /* SHOP-12 */
	"  url TEXT,"                           /* the page: SITE/browse/KEY */
	"  state TEXT NOT NULL,"                /* 'open' or 'fixed' */
	"  session_uid TEXT NOT NULL,"          /* the session that changed it last */
	"  updated_ms INTEGER NOT NULL,"
	"  PRIMARY KEY (route, fingerprint)"
	") WITHOUT ROWID;"
	"CREATE INDEX IF NOT EXISTS notify_issue_by_fingerprint ON notify_issue(fingerprint);",
	/*
	 * 7 -> 8: deletions and remotes. session_deleted remembers each
	 * session deleted from this history by `session delete` (or by a
	 * remote's tombstone that a fetch applied): `push --delete` sends them
	 * to a remote as tombstones, and a fetch does not bring them back.
	 * Retention (`db prune`) is not recorded. remote_fetch keeps, per
	 * remote id, the last arrival number a fetch has seen (the table was
	 * created on a history's first fetch before this version), and
	 * remote_tombstone the last tombstone number.
	 */
	"CREATE TABLE IF NOT EXISTS session_deleted ("
	"  uid TEXT PRIMARY KEY,"
	"  sut TEXT NOT NULL,"
	"  started_ms INTEGER NOT NULL,"
	"  deleted_ms INTEGER NOT NULL"
	") WITHOUT ROWID;"
	"CREATE TABLE IF NOT EXISTS remote_fetch ("
	"  remote_id TEXT PRIMARY KEY,"
	"  arrival INTEGER NOT NULL"
	");"
	"CREATE TABLE IF NOT EXISTS remote_tombstone ("
	"  remote_id TEXT PRIMARY KEY,"
	"  seq INTEGER NOT NULL"
	");",
	/*
	 * 8 -> 9: the catalogue's uniqueness as a named index. A first import
	 * of a large suite drops test_by_nodeid, appends the new tests and
	 * builds the index again at commit (store_write.c), which SQLite can
	 * do for a named index but not for the automatic index of a column
	 * declared UNIQUE. The table is rebuilt with the same rows and ids;
	 * it runs with foreign keys off (see ins_store__migration_rebuilds).
	 */
	"CREATE TABLE ins_test_new ("
	"  id INTEGER PRIMARY KEY,"
	"  nodeid TEXT NOT NULL,"
	"  file TEXT,"
	"  classname TEXT,"
	"  name TEXT"
	");"
	"INSERT INTO ins_test_new (id, nodeid, file, classname, name) "
	"  SELECT id, nodeid, file, classname, name FROM test ORDER BY id;"
	"DROP TABLE test;"
	"ALTER TABLE ins_test_new RENAME TO test;"
	"CREATE UNIQUE INDEX test_by_nodeid ON test(nodeid);",
	/*
	 * 9 -> 10: a test's recent runs beside its index. result_by_test is
	 * keyed by test first, so a session of tests the history already knows
	 * changed one leaf of it per test (5,000 scattered pages for a session
	 * of 5,000 tests, whatever the history's size), and each was written,
	 * checkpointed and synced. A result of a test known before its session
	 * now arrives with `recent` set and goes to result_recent, an index of
	 * the same columns over those rows only, small enough that a session
	 * changes a few hundred of its pages; once it holds INS_RECENT_FOLD rows
	 * they are moved into result_by_test at once (ins_store__fold_recent),
	 * each leaf changed once for many sessions. Every read of a test's runs
	 * reads both (INS_RESULT_BY_TEST in store_internal.h). Existing rows
	 * have `recent` NULL: the column costs them nothing. Each index carries
	 * `recent` too, so that a query naming its condition can still be
	 * answered from the index alone.
	 */
	"ALTER TABLE result ADD COLUMN recent INTEGER;"
	"DROP INDEX result_by_test;"
	"CREATE INDEX result_by_test "
	"  ON result(test_id, session_id, final, outcome, flags, duration, recent) "
	"  WHERE recent IS NULL;"
	"CREATE INDEX result_recent "
	"  ON result(test_id, session_id, final, outcome, flags, duration, recent) "
	"  WHERE recent IS NOT NULL;",
};

/* The migrations that rebuild a table others refer to: 8 -> 9. */
int ins_store__migration_rebuilds(int from_version)
{
	return from_version == 8;
}

const char *ins_store__migration(int from_version)
{
	if (from_version < 0 || (size_t)from_version >= sizeof(migrations) / sizeof(migrations[0]))
		return NULL;
	return migrations[from_version];
}

int ins_store__migration_count(void)
{
	return (int)(sizeof(migrations) / sizeof(migrations[0]));
}
