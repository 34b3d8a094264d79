/*
 * failures.c - failures grouped by fingerprint, with first and last sightings.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/analytics_internal.h"
#include "insight/analytics.h"
#include "insight/stats.h"
#include "insight/timeutil.h"


struct sighting {
	char uid[INS_SESSION_ID_LEN + 1];
	int64_t ms;
	char *commit;
};

/*
 * The first (or last) session in the history (of the SUT when given) with a
 * failing attempt of this fingerprint (and of this test when test_id > 0).
 * Cost: the fingerprint's rows through result_by_fingerprint, joined to
 * their sessions and sorted by time.
 */
static int sighting(ins_store *store, struct sighting *out, int64_t fp_id, int64_t test_id,
		    int64_t sut_id, int last)
{
	sqlite3_stmt *st;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = ins_store__prepare(store, &st, last ?
		"SELECT s.uid, s.started_ms, s.git_commit FROM result r "
		"JOIN session s ON s.id = r.session_id "
		"WHERE r.fingerprint_id = ?1 AND (?2 = 0 OR +r.test_id = ?2) "
		"AND (?3 = 0 OR s.sut_id = ?3) ORDER BY s.started_ms DESC, s.id DESC LIMIT 1" :
		"SELECT s.uid, s.started_ms, s.git_commit FROM result r "
		"JOIN session s ON s.id = r.session_id "
		"WHERE r.fingerprint_id = ?1 AND (?2 = 0 OR +r.test_id = ?2) "
		"AND (?3 = 0 OR s.sut_id = ?3) ORDER BY s.started_ms, s.id LIMIT 1");
	if (rc < 0)
		return rc;
	sqlite3_bind_int64(st, 1, fp_id);
	sqlite3_bind_int64(st, 2, test_id);
	sqlite3_bind_int64(st, 3, sut_id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		snprintf(out->uid, sizeof(out->uid), "%s", ins_store__col_text(st, 0));
		out->ms = sqlite3_column_int64(st, 1);
		if (sqlite3_column_type(st, 2) != SQLITE_NULL)
			out->commit = ins_xstrdup(ins_store__col_text(st, 2));
		rc = 0;
	} else {
		rc = rc == SQLITE_DONE ? 0 : ins_store__error(store, "finding a failure's sightings");
	}
	sqlite3_finalize(st);
	return rc;
}

/*
 * The first (or last) sighting of a fingerprint as the store keeps it on
 * the fingerprint row (set by the session writer at commit: the earliest
 * start, the lowest id among equal starts; the latest start, the highest
 * id). That session is also the first (last) of its own SUT, so it answers
 * for the whole history and for that SUT; 1 when it answered, 0 when the
 * rows must be read (another SUT, or the session was deleted).
 */
static int sighting_kept(ins_store *store, struct sighting *out, int64_t fp_id, int64_t sut_id,
			 int last)
{
	sqlite3_stmt *st;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = ins_store__prepare(store, &st, last ?
		"SELECT s.uid, s.started_ms, s.git_commit, s.sut_id FROM fingerprint f "
		"JOIN session s ON s.id = f.last_session_id WHERE f.id = ?1" :
		"SELECT s.uid, s.started_ms, s.git_commit, s.sut_id FROM fingerprint f "
		"JOIN session s ON s.id = f.first_session_id WHERE f.id = ?1");
	if (rc < 0)
		return rc;
	sqlite3_bind_int64(st, 1, fp_id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && (!sut_id || sqlite3_column_int64(st, 3) == sut_id)) {
		snprintf(out->uid, sizeof(out->uid), "%s", ins_store__col_text(st, 0));
		out->ms = sqlite3_column_int64(st, 1);
		if (sqlite3_column_type(st, 2) != SQLITE_NULL)
			out->commit = ins_xstrdup(ins_store__col_text(st, 2));
		rc = 1;
	} else {
		rc = rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 :
		     ins_store__error(store, "finding a failure's sightings");
	}
	sqlite3_finalize(st);
	return rc;
}

/* The window's session that started at `ms` (the first of them), as a sighting. */
static void sighting_in_window(struct sighting *out, const ins_sessset *set, int64_t ms)
{
	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < set->n; i++) {
		if (set->v[i].started_ms == ms) {
			memcpy(out->uid, set->v[i].uid, sizeof(out->uid));
			out->ms = ms;
			out->commit = ins_xstrdup(set->v[i].commit);
			return;
		}
	}
}

struct fp_group {
	int64_t fp_id;           /* 0: failures without a message (no fingerprint) */
	char *hash, *signature, *message, *tests_list;
	int64_t count, tests, sessions;
	int64_t win_first_ms, win_last_ms;
	struct sighting first, last;
	int is_new;              /* -1: cannot tell (no fingerprint) */
};

static int cmp_fp_group(const void *x, const void *y)
{
	const struct fp_group *a = x, *b = y;

	if (a->count != b->count)
		return (a->count < b->count) - (a->count > b->count);
	return strcmp(a->hash ? a->hash : "", b->hash ? b->hash : "");
}

/* Text of the first row of a one-column query with integer parameters (NULL when none). */
static char *query_text(ins_store *store, const char *sql, int64_t a, int64_t b, const char *json)
{
	sqlite3_stmt *st;
	char *r = NULL;

	if (ins_store__prepare(store, &st, sql) < 0)
		return NULL;
	sqlite3_bind_int64(st, 1, a);
	sqlite3_bind_int64(st, 2, b);
	if (json)
		ins_store__bind_text(st, 3, json);
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
		r = ins_xstrdup(ins_store__col_text(st, 0));
	sqlite3_finalize(st);
	return r;
}

/*
 * Per fingerprint, the queries go through result_by_fingerprint (the
 * unary + keeps SQLite from driving them by the window's sessions, which
 * would read the whole window once per fingerprint): their cost is the
 * fingerprint's own rows. Failures without a fingerprint have no index:
 * they are read from the window's sessions, once.
 */
static const char *const fp_message_sql[2] = {
	"SELECT r.message FROM result r JOIN session s ON s.id = r.session_id "
	"WHERE r.fingerprint_id IS NULL AND r.outcome IN (1, 2) AND ?1 = 0 "
	"AND (?2 = 0 OR r.test_id = ?2) AND r.session_id IN (SELECT value FROM json_each(?3)) "
	"ORDER BY s.started_ms DESC, r.attempt DESC, r.session_id DESC, r.test_id DESC LIMIT 1",
	/*
	 * The latest sighting is found in result_by_fingerprint alone (it
	 * holds the primary key), and only its row is read for the message.
	 */
	"SELECT m.message FROM result m WHERE (m.session_id, m.test_id, m.attempt) = "
	"(SELECT r.session_id, r.test_id, r.attempt FROM result r "
	"JOIN session s ON s.id = r.session_id "
	"WHERE r.fingerprint_id = ?1 AND (?2 = 0 OR +r.test_id = ?2) "
	"AND +r.session_id IN (SELECT value FROM json_each(?3)) "
	"ORDER BY s.started_ms DESC, r.attempt DESC, r.session_id DESC, r.test_id DESC LIMIT 1)",
};
static const char *const fp_tests_sql[2] = {
	"SELECT group_concat(nodeid, ' ') FROM (SELECT DISTINCT t.nodeid FROM result r "
	"JOIN test t ON t.id = r.test_id "
	"WHERE r.fingerprint_id IS NULL AND r.outcome IN (1, 2) AND ?1 = 0 "
	"AND (?2 = 0 OR r.test_id = ?2) AND r.session_id IN (SELECT value FROM json_each(?3)) "
	"ORDER BY t.nodeid LIMIT 5)",
	"SELECT group_concat(nodeid, ' ') FROM (SELECT DISTINCT t.nodeid FROM result r "
	"JOIN test t ON t.id = r.test_id "
	"WHERE r.fingerprint_id = ?1 AND (?2 = 0 OR +r.test_id = ?2) "
	"AND +r.session_id IN (SELECT value FROM json_each(?3)) ORDER BY t.nodeid LIMIT 5)",
};

/*
 * Group the window's failing attempts (failed or error, every attempt) by
 * fingerprint (test_id > 0: of one test only). Cost: the rows of the
 * window's sessions (primary-key ranges), aggregated by SQL; then the
 * per-fingerprint queries above for each group.
 */
static int failure_groups(ins_store *store, const ins_sessset *set, int64_t test_id,
			  int64_t sut_id, struct fp_group **out, size_t *nout)
{
	sqlite3_stmt *st;
	struct fp_group *v = NULL;
	size_t n = 0, alloc = 0;
	int rc = 0;

	*out = NULL;
	*nout = 0;
	if ((rc = ins_store__prepare(store, &st,
		"SELECT coalesce(r.fingerprint_id, 0), count(*), count(DISTINCT r.test_id), "
		"count(DISTINCT r.session_id), min(s.started_ms), max(s.started_ms) FROM result r "
		"JOIN session s ON s.id = r.session_id "
		"WHERE r.session_id IN (SELECT value FROM json_each(?1)) AND r.outcome IN (1, 2) "
		"AND (?2 = 0 OR r.test_id = ?2) GROUP BY 1")) < 0)
		return rc;
	ins_store__bind_text(st, 1, ins_sessset_json(set));
	sqlite3_bind_int64(st, 2, test_id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		v = ins_xgrow(v, &alloc, n + 1, sizeof(*v));
		memset(&v[n], 0, sizeof(*v));
		v[n].fp_id = sqlite3_column_int64(st, 0);
		v[n].count = sqlite3_column_int64(st, 1);
		v[n].tests = sqlite3_column_int64(st, 2);
		v[n].sessions = sqlite3_column_int64(st, 3);
		v[n].win_first_ms = sqlite3_column_int64(st, 4);
		v[n].win_last_ms = sqlite3_column_int64(st, 5);
		n++;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		free(v);
		return ins_store__error(store, "grouping failures");
	}
	rc = 0;
	for (size_t i = 0; i < n; i++) {
		struct fp_group *g = &v[i];
		int has = g->fp_id != 0;

		if (has) {
			g->hash = query_text(store, "SELECT hash FROM fingerprint WHERE id = ?1 AND ?2 = ?2",
					     g->fp_id, 0, NULL);
			g->signature = query_text(store, "SELECT signature FROM fingerprint "
						  "WHERE id = ?1 AND ?2 = ?2", g->fp_id, 0, NULL);
		}
		/* the latest message in the window stands for the group */
		g->message = query_text(store, fp_message_sql[has], g->fp_id, test_id,
					ins_sessset_json(set));
		g->tests_list = query_text(store, fp_tests_sql[has], g->fp_id, test_id,
					   ins_sessset_json(set));
		if (!has) {
			/* no fingerprint: nothing ties these failures to earlier ones */
			sighting_in_window(&g->first, set, g->win_first_ms);
			sighting_in_window(&g->last, set, g->win_last_ms);
			g->is_new = -1;
			continue;
		}
		for (int last = 0; last < 2 && rc >= 0; last++) {
			struct sighting *sg = last ? &g->last : &g->first;

			rc = test_id ? 0 : sighting_kept(store, sg, g->fp_id, sut_id, last);
			if (rc == 0)
				rc = sighting(store, sg, g->fp_id, test_id, sut_id, last);
		}
		if (rc < 0)
			break;
		rc = 0;
	}
	*out = v;
	*nout = n;
	return rc;
}

static void fp_groups_free(struct fp_group *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].hash);
		free(v[i].signature);
		free(v[i].message);
		free(v[i].tests_list);
		free(v[i].first.commit);
		free(v[i].last.commit);
	}
	free(v);
}

static void fp_table(ins_doc *doc, const char *id, const char *title, struct fp_group *v, size_t n,
		     size_t limit, int with_tests)
{
	ins_table *t = ins_doc_table(doc, id, title);
	size_t shown = limit && n > limit ? limit : n;
	ins_buf sha = INS_BUF_INIT;

	ins_table_column(t, "fingerprint", "Fingerprint", INS_V_TEXT);
	ins_table_column(t, "message", "Message", INS_V_TEXT);
	ins_table_column(t, "count", "Failures", INS_V_INT);
	if (with_tests)
		ins_table_column(t, "tests", "Tests", INS_V_INT);
	ins_table_column(t, "sessions", "Sessions", INS_V_INT);
	ins_table_column(t, "new", "New", INS_V_BOOL);
	ins_table_column(t, "first_seen", "First seen", INS_V_TIME);
	ins_table_column(t, "first_session", "First session", INS_V_ID);
	ins_table_column(t, "first_commit", "First commit", INS_V_ID);
	ins_table_column(t, "last_seen", "Last seen", INS_V_TIME);
	ins_table_column(t, "last_session", "Last session", INS_V_ID);
	ins_table_column(t, "last_commit", "Last commit", INS_V_ID);
	if (with_tests)
		ins_table_column(t, "test_ids", "Affected tests", INS_V_TEXT);
	ins_table_column(t, "signature", "Signature", INS_V_LONGTEXT);
	ins_table_set_empty(t, "no failures");
	for (size_t i = 0; i < shown; i++) {
		struct fp_group *g = &v[i];

		ins_table_row(t);
		ins_table_text(t, g->hash ? g->hash : "(no message)");
		ins_table_text(t, g->message);
		ins_table_int(t, g->count);
		if (with_tests)
			ins_table_int(t, g->tests);
		ins_table_int(t, g->sessions);
		if (g->is_new < 0)
			ins_table_null(t);
		else
			ins_table_bool(t, g->is_new);
		ins_table_time(t, g->first.ms);
		ins_table_text(t, g->first.uid[0] ? g->first.uid : NULL);
		ins_table_text(t, g->first.commit);
		ins_table_time(t, g->last.ms);
		ins_table_text(t, g->last.uid[0] ? g->last.uid : NULL);
		ins_table_text(t, g->last.commit);
		if (with_tests)
			ins_table_text(t, g->tests_list);
		ins_table_text(t, g->signature);
	}
	ins_table_set_total(t, n);
	ins_buf_release(&sha);
}

/* One test's failing attempts in the window, newest first. */
static int failure_history_table(ins_doc *doc, ins_store *store, const ins_sessset *set,
				 int64_t test_id, size_t limit)
{
	sqlite3_stmt *st;
	ins_table *t;
	size_t n = 0;
	int rc;

	if ((rc = ins_store__prepare(store, &st,
		"SELECT s.uid, s.started_ms, s.git_commit, r.attempt, r.outcome, f.hash, r.message "
		"FROM result r JOIN session s ON s.id = r.session_id "
		"LEFT JOIN fingerprint f ON f.id = r.fingerprint_id "
		"WHERE r.test_id = ?1 AND r.session_id IN (SELECT value FROM json_each(?2)) "
		"AND r.outcome IN (1, 2) ORDER BY s.started_ms DESC, s.id DESC, r.attempt DESC")) < 0)
		return rc;
	sqlite3_bind_int64(st, 1, test_id);
	ins_store__bind_text(st, 2, ins_sessset_json(set));
	t = ins_doc_table(doc, "history", "Failing attempts");
	ins_table_column(t, "session", "Session", INS_V_ID);
	ins_table_column(t, "time", "Time", INS_V_TIME);
	ins_table_column(t, "commit", "Commit", INS_V_ID);
	ins_table_column(t, "attempt", "Attempt", INS_V_INT);
	ins_table_column(t, "outcome", "Outcome", INS_V_OUTCOME);
	ins_table_column(t, "fingerprint", "Fingerprint", INS_V_TEXT);
	ins_table_column(t, "message", "Message", INS_V_TEXT);
	ins_table_set_empty(t, "no failures in the window");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (limit && n++ >= limit)
			continue;
		ins_table_row(t);
		ins_table_text(t, ins_store__col_text(st, 0));
		ins_table_time(t, sqlite3_column_int64(st, 1));
		ins_table_text(t, sqlite3_column_type(st, 2) == SQLITE_NULL ? NULL :
			       ins_store__col_text(st, 2));
		ins_table_int(t, sqlite3_column_int64(st, 3));
		ins_table_text(t, ins_outcome_name((ins_outcome)sqlite3_column_int(st, 4)));
		ins_table_text(t, sqlite3_column_type(st, 5) == SQLITE_NULL ? "(no message)" :
			       ins_store__col_text(st, 5));
		ins_table_text(t, sqlite3_column_type(st, 6) == SQLITE_NULL ? NULL :
			       ins_store__col_text(st, 6));
	}
	ins_table_set_total(t, limit ? n : t->nrows);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : ins_store__error(store, "reading a test's failures");
}

int ins_analytics_failures(ins_doc **out, ins_store *store, const ins_analytics_opts *o)
{
	ins_sessset set;
	struct fp_group *groups = NULL;
	size_t ngroups = 0, nnew = 0;
	int64_t sut_id = 0, test_id = 0, total = 0;
	ins_doc *doc = NULL;
	ins_buf title = INS_BUF_INIT;
	int rc;

	*out = NULL;
	ins_sessset_init(&set);
	if (o->sut && (rc = ins__sut_id(store, o->sut, &sut_id)) < 0)
		goto done;
	if (o->nodeid && (rc = ins__test_id(store, o->nodeid, &test_id)) < 0)
		goto done;
	if ((rc = ins_sessset_load_window(&set, store, o->sut, o->from_ms, o->to_ms)) < 0)
		goto done;
	if ((rc = failure_groups(store, &set, test_id, sut_id, &groups, &ngroups)) < 0)
		goto done;
	/* new: the fingerprint's first sighting (in the SUT, of the test) lies in the window */
	for (size_t i = 0; i < ngroups; i++) {
		if (groups[i].is_new < 0)
			continue;
		groups[i].is_new = groups[i].first.ms >= o->from_ms;
		nnew += (size_t)groups[i].is_new;
		total += groups[i].count;
	}
	if (ngroups)
		qsort(groups, ngroups, sizeof(*groups), cmp_fp_group);

	if (o->nodeid)
		ins_buf_printf(&title, "Failures of %s", o->nodeid);
	else
		ins_buf_puts(&title, "Failures by fingerprint");
	doc = ins_doc_new("insight.analytics.failures", title.ptr);
	ins_an__window_facts(doc, o, &set);
	if (o->nodeid)
		ins_doc_fact_text(doc, "nodeid", "Test", o->nodeid);
	ins_doc_fact_int(doc, "failures", "Failing attempts", total);
	ins_doc_fact_int(doc, "fingerprints", "Fingerprints", (int64_t)ngroups);
	ins_doc_fact_int(doc, "new_fingerprints", "New in the window", (int64_t)nnew);
	fp_table(doc, "failures", o->nodeid ? "By fingerprint" : "Failures by fingerprint", groups,
		 ngroups, o->limit, !o->nodeid);
	if (o->nodeid && (rc = failure_history_table(doc, store, &set, test_id, o->limit)) < 0)
		goto done;
	ins_doc_note(doc, INS_NOTE_VERDICT, "%lld failing attempt%s, %zu fingerprint%s, %zu new in "
		     "the window", (long long)total, total == 1 ? "" : "s", ngroups,
		     ngroups == 1 ? "" : "s", nnew);
	rc = 0;
done:
	fp_groups_free(groups, ngroups);
	ins_sessset_release(&set);
	ins_buf_release(&title);
	if (rc < 0) {
		ins_doc_free(doc);
		doc = NULL;
	}
	*out = doc;
	return rc;
}
