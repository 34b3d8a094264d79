/*
 * failures.c - failures grouped by fingerprint, with first and last sightings.
 */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/analytics_internal.h"
#include "insight/analytics.h"
#include "insight/category.h"
#include "insight/fingerprint.h"
#include "insight/stats.h"
#include "insight/timeutil.h"


struct sighting {
	char uid[INS_SESSION_ID_LEN + 1];
	int64_t ms;
	char *commit;
};

/*
 * What ties a failing attempt `r` to a group (?1 its id): one fingerprint,
 * the fingerprints of one cause, or one test.
 */
static const char *group_filter(ins_failures_by by)
{
	switch (by) {
	case INS_FAILURES_BY_FINGERPRINT:
		return "r.fingerprint_id = ?1";
	case INS_FAILURES_BY_TEST:
		return "r.test_id = ?1 AND r.outcome IN (1, 2)";
	case INS_FAILURES_BY_CATEGORY:
		return "EXISTS (SELECT 1 FROM temp.ins_fcat c WHERE c.fp_id = "
		       "coalesce(r.fingerprint_id, 0) AND c.outcome = r.outcome AND c.cat = ?1)";
	case INS_FAILURES_BY_CAUSE:
	default:
		return "r.fingerprint_id IN (SELECT id FROM fingerprint WHERE cause_id = ?1)";
	}
}

/*
 * The first (or last) session in the history (of the SUT when given) with a
 * failing attempt of this group (and of this test when test_id > 0).
 * Cost: the group's rows through result_by_fingerprint (result_by_test by
 * test), joined to their sessions and sorted by time.
 */
static int sighting(ins_store *store, struct sighting *out, ins_failures_by by, int64_t id,
		    int64_t test_id, int64_t sut_id, int last)
{
	sqlite3_stmt *st;
	ins_buf sql = INS_BUF_INIT;
	int rc;

	memset(out, 0, sizeof(*out));
	ins_buf_printf(&sql, "SELECT s.uid, s.started_ms, s.git_commit FROM result r "
		       "JOIN session s ON s.id = r.session_id WHERE %s "
		       "AND (?2 = 0 OR +r.test_id = ?2) AND (?3 = 0 OR s.sut_id = ?3) "
		       "ORDER BY s.started_ms%s, s.id%s LIMIT 1", group_filter(by),
		       last ? " DESC" : "", last ? " DESC" : "");
	rc = ins_store__prepare(store, &st, sql.ptr);
	ins_buf_release(&sql);
	if (rc < 0)
		return rc;
	sqlite3_bind_int64(st, 1, id);
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
 * The first (or last) sighting of a fingerprint (or of a cause: of its
 * fingerprints) as the store keeps it on the fingerprint row (set by the session writer at commit: the earliest
 * start, the lowest id among equal starts; the latest start, the highest
 * id). That session is also the first (last) of its own SUT, so it answers
 * for the whole history and for that SUT; 1 when it answered, 0 when the
 * rows must be read (another SUT, or the session was deleted).
 */
static int sighting_kept(ins_store *store, struct sighting *out, ins_failures_by by, int64_t id,
			 int64_t sut_id, int last)
{
	sqlite3_stmt *st;
	int rc;

	memset(out, 0, sizeof(*out));
	if (by == INS_FAILURES_BY_TEST)
		return 0;
	/* a cause's: the earliest (latest) of its fingerprints' */
	rc = ins_store__prepare(store, &st, by == INS_FAILURES_BY_CAUSE ? (last ?
		"SELECT s.uid, s.started_ms, s.git_commit, s.sut_id FROM fingerprint f "
		"JOIN session s ON s.id = f.last_session_id WHERE f.cause_id = ?1 "
		"ORDER BY f.last_seen_ms DESC, s.id DESC LIMIT 1" :
		"SELECT s.uid, s.started_ms, s.git_commit, s.sut_id FROM fingerprint f "
		"JOIN session s ON s.id = f.first_session_id WHERE f.cause_id = ?1 "
		"ORDER BY f.first_seen_ms, s.id LIMIT 1") : last ?
		"SELECT s.uid, s.started_ms, s.git_commit, s.sut_id FROM fingerprint f "
		"JOIN session s ON s.id = f.last_session_id WHERE f.id = ?1" :
		"SELECT s.uid, s.started_ms, s.git_commit, s.sut_id FROM fingerprint f "
		"JOIN session s ON s.id = f.first_session_id WHERE f.id = ?1");
	if (rc < 0)
		return rc;
	sqlite3_bind_int64(st, 1, id);
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
	int64_t id;              /* the fingerprint, cause or test; 0: failures without a message */
	char *hash, *signature, *message, *tests_list;
	int64_t count, tests, sessions, fingerprints;
	int64_t win_first_ms, win_last_ms;
	struct sighting first, last;
	int is_new;              /* -1: cannot tell (no fingerprint) */
	int outcome;             /* INS_OUTCOME_ERROR when one of them is an error, else FAILED */
	const char *category;
	char *jira, *jira_url;   /* its Jira issues (keys, newest first) and the newest's page */
};

static int cmp_fp_group(const void *x, const void *y)
{
	const struct fp_group *a = x, *b = y;

	if (a->count != b->count)
		return (a->count < b->count) - (a->count > b->count);
	return strcmp(a->hash ? a->hash : "", b->hash ? b->hash : "");
}

#define TESTS_NAMED 5   /* tests named in a group's row; the others are counted */

/*
 * The category of each (fingerprint, outcome) failing in the window, into
 * temp.ins_fcat (cat: 1 + the category's index; fingerprint 0: failures
 * without a message), for grouping by category. Cost: the window's failing
 * rows once, then one rule match per pair.
 */
static int categorise(ins_store *store, const ins_sessset *set, const ins_categories *cats)
{
	sqlite3_stmt *st = NULL, *ins = NULL;
	ins_buf line = INS_BUF_INIT;
	int rc;

	if ((rc = ins_store__exec(store, "CREATE TEMP TABLE IF NOT EXISTS ins_fcat (fp_id INTEGER, "
				  "outcome INTEGER, cat INTEGER, PRIMARY KEY (fp_id, outcome));"
				  "DELETE FROM temp.ins_fcat;")) < 0)
		return rc;
	if ((rc = ins_store__prepare(store, &st,
		"SELECT DISTINCT coalesce(r.fingerprint_id, 0), r.outcome, f.signature FROM result r "
		"LEFT JOIN fingerprint f ON f.id = r.fingerprint_id "
		"WHERE r.session_id IN (SELECT value FROM json_each(?1)) AND r.outcome IN (1, 2)")) < 0 ||
	    (rc = ins_store__prepare(store, &ins,
		"INSERT INTO temp.ins_fcat (fp_id, outcome, cat) VALUES (?1, ?2, ?3)")) < 0)
		goto done;
	ins_store__bind_text(st, 1, ins_sessset_json(set));
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *sig = sqlite3_column_type(st, 2) == SQLITE_NULL ? NULL :
				  ins_store__col_text(st, 2);

		ins_buf_clear(&line);
		if (sig)
			ins_buf_put(&line, sig, strcspn(sig, "\n"));
		sqlite3_reset(ins);
		sqlite3_bind_int64(ins, 1, sqlite3_column_int64(st, 0));
		sqlite3_bind_int(ins, 2, sqlite3_column_int(st, 1));
		sqlite3_bind_int64(ins, 3, 1 + (int64_t)ins_categories_find(cats, sig ? line.ptr : NULL,
			(ins_outcome)sqlite3_column_int(st, 1)));
		if (sqlite3_step(ins) != SQLITE_DONE) {
			rc = ins_store__error(store, "sorting failures into categories");
			goto done;
		}
	}
	rc = rc == SQLITE_DONE ? 0 : ins_store__error(store, "sorting failures into categories");
done:
	sqlite3_finalize(st);
	sqlite3_finalize(ins);
	ins_buf_release(&line);
	return rc;
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

static size_t count_distinct(int64_t *v, size_t n)
{
	size_t d = 0;

	if (n > 1)
		qsort(v, n, sizeof(*v), cmp_i64);
	for (size_t i = 0; i < n; i++)
		d += !i || v[i] != v[i - 1];
	return d;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* One group's rows as they stream by: what its row needs. */
struct acc {
	int64_t *tests, *sessions, *fps;
	char **names;
	size_t n, alloc, nalloc, nnames;
};

static void acc_row(struct acc *a, int64_t test, int64_t session, int64_t fp, const char *nodeid,
		    int new_test)
{
	if (a->n == a->alloc) {
		a->alloc = a->alloc ? 2 * a->alloc : 64;
		a->tests = ins_xrealloc(a->tests, a->alloc * sizeof(int64_t));
		a->sessions = ins_xrealloc(a->sessions, a->alloc * sizeof(int64_t));
		a->fps = ins_xrealloc(a->fps, a->alloc * sizeof(int64_t));
	}
	a->tests[a->n] = test;
	a->sessions[a->n] = session;
	a->fps[a->n] = fp;
	a->n++;
	if (new_test) {
		a->names = ins_xgrow(a->names, &a->nalloc, a->nnames + 1, sizeof(char *));
		a->names[a->nnames++] = ins_xstrdup(nodeid);
	}
}

/* Close a group: its distinct counts and its first tests by node id. */
static void acc_close(struct acc *a, struct fp_group *g)
{
	ins_buf list = INS_BUF_INIT;
	size_t named = 0;

	g->tests = (int64_t)count_distinct(a->tests, a->n);
	g->sessions = (int64_t)count_distinct(a->sessions, a->n);
	g->fingerprints = (int64_t)count_distinct(a->fps, a->n);
	if (g->fingerprints && a->n && !a->fps[0])
		g->fingerprints--;          /* failures without a fingerprint */
	if (a->nnames > 1)
		qsort(a->names, a->nnames, sizeof(char *), cmp_str);
	for (size_t i = 0; i < a->nnames && named < TESTS_NAMED; i++) {
		if (!i || strcmp(a->names[i], a->names[i - 1])) {
			ins_buf_printf(&list, "%s%s", named ? " " : "", a->names[i]);
			named++;
		}
	}
	for (size_t i = 0; i < a->nnames; i++)
		free(a->names[i]);
	g->tests_list = named ? ins_xstrdup(list.ptr) : NULL;
	ins_buf_release(&list);
	a->n = a->nnames = 0;
}

static void acc_release(struct acc *a)
{
	free(a->tests);
	free(a->sessions);
	free(a->fps);
	free(a->names);
}

/*
 * Group the window's failing attempts (failed or error, every attempt) by
 * cause, fingerprint, test or category (test_id > 0: of one test only;
 * cause_id > 0: of one cause only). Cost: the window's failing rows, read
 * once in group order, newest first within a group, from result_failing
 * alone: the partial index holds every column the grouping needs, so no
 * result row is read for it. Without statistics the planner would rather
 * walk every result of the window's sessions by the primary key (ten
 * million rows in the bench history) than use a partial index, hence
 * INDEXED BY. What only the group's newest row gives (its message) and what
 * is the same for the whole group (the hash and signature) are read once
 * per group, then its first and last sighting from the fingerprint rows the
 * store keeps.
 */
static int failure_groups(ins_store *store, const ins_sessset *set, ins_failures_by by,
			  const ins_categories *cats, int64_t test_id, int64_t cause_id,
			  int64_t sut_id, struct fp_group **out, size_t *nout)
{
	static const char *const key[] = {
		[INS_FAILURES_BY_CAUSE] = "coalesce(f.cause_id, 0)",
		[INS_FAILURES_BY_FINGERPRINT] = "coalesce(r.fingerprint_id, 0)",
		[INS_FAILURES_BY_TEST] = "r.test_id",
		[INS_FAILURES_BY_CATEGORY] = ("(SELECT c.cat FROM temp.ins_fcat c WHERE c.fp_id = "
					      "coalesce(r.fingerprint_id, 0) AND c.outcome = r.outcome)"),
	};
	static const char *const ident[] = {
		[INS_FAILURES_BY_CAUSE] = "SELECT hash, signature FROM cause WHERE id = ?1",
		[INS_FAILURES_BY_FINGERPRINT] = "SELECT hash, signature FROM fingerprint WHERE id = ?1",
		[INS_FAILURES_BY_TEST] = NULL,
		[INS_FAILURES_BY_CATEGORY] = NULL,
	};
	sqlite3_stmt *st, *msg = NULL, *idst = NULL;
	struct fp_group *v = NULL, *g = NULL;
	struct acc acc = { 0 };
	size_t n = 0, alloc = 0;
	ins_buf sql = INS_BUF_INIT;
	int64_t prev_test = -1;
	int rc = 0;

	*out = NULL;
	*nout = 0;
	if (by == INS_FAILURES_BY_CATEGORY && (rc = categorise(store, set, cats)) < 0)
		return rc;
	ins_buf_printf(&sql, "SELECT %s, r.test_id, r.session_id, s.started_ms, r.outcome, "
		       "coalesce(r.fingerprint_id, 0), r.attempt, t.nodeid FROM result r%s "
		       "JOIN session s ON s.id = r.session_id JOIN test t ON t.id = r.test_id "
		       "LEFT JOIN fingerprint f ON f.id = r.fingerprint_id "
		       "WHERE r.session_id IN (SELECT value FROM json_each(?1)) "
		       "AND r.outcome IN (1, 2) AND (?2 = 0 OR r.test_id = ?2) "
		       "AND (?3 = 0 OR f.cause_id = ?3) "
		       "ORDER BY 1, s.started_ms DESC, r.attempt DESC, r.session_id DESC, "
		       "r.test_id DESC", key[by],
		       /* one test's rows come faster through result_by_test */
		       test_id ? "" : " INDEXED BY result_failing");
	rc = ins_store__prepare(store, &st, sql.ptr);
	ins_buf_release(&sql);
	if (rc < 0)
		return rc;
	if ((rc = ins_store__prepare(store, &msg, "SELECT message FROM result WHERE session_id = ?1 "
				     "AND test_id = ?2 AND attempt = ?3")) < 0 ||
	    (ident[by] && (rc = ins_store__prepare(store, &idst, ident[by])) < 0)) {
		sqlite3_finalize(st);
		sqlite3_finalize(msg);
		return rc;
	}
	ins_store__bind_text(st, 1, ins_sessset_json(set));
	sqlite3_bind_int64(st, 2, test_id);
	sqlite3_bind_int64(st, 3, cause_id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(st, 0), test = sqlite3_column_int64(st, 1);
		int64_t ms = sqlite3_column_int64(st, 3);
		int outcome = sqlite3_column_int(st, 4);

		if (!g || g->id != id) {
			if (g)
				acc_close(&acc, g);
			v = ins_xgrow(v, &alloc, n + 1, sizeof(*v));
			g = &v[n++];
			memset(g, 0, sizeof(*g));
			g->id = id;
			g->win_first_ms = g->win_last_ms = ms;
			/* the newest row comes first: its message stands for the group */
			sqlite3_reset(msg);
			sqlite3_bind_int64(msg, 1, sqlite3_column_int64(st, 2));
			sqlite3_bind_int64(msg, 2, test);
			sqlite3_bind_int64(msg, 3, sqlite3_column_int64(st, 6));
			if ((rc = sqlite3_step(msg)) == SQLITE_ROW &&
			    sqlite3_column_type(msg, 0) != SQLITE_NULL)
				g->message = ins_xstrdup(ins_store__col_text(msg, 0));
			if (rc != SQLITE_ROW && rc != SQLITE_DONE)
				break;
			if (idst && id) {
				sqlite3_reset(idst);
				sqlite3_bind_int64(idst, 1, id);
				if ((rc = sqlite3_step(idst)) == SQLITE_ROW) {
					g->hash = ins_xstrdup(ins_store__col_text(idst, 0));
					g->signature = ins_xstrdup(ins_store__col_text(idst, 1));
				} else if (rc != SQLITE_DONE) {
					break;
				}
			}
			prev_test = -1;
		}
		g->count++;
		if (ms < g->win_first_ms)
			g->win_first_ms = ms;
		if (outcome > g->outcome)
			g->outcome = outcome;
		/* a test's rows often come together: keep its name once per run of rows */
		acc_row(&acc, test, sqlite3_column_int64(st, 2), sqlite3_column_int64(st, 5),
			ins_store__col_text(st, 7), test != prev_test);
		prev_test = test;
	}
	sqlite3_finalize(st);
	sqlite3_finalize(msg);
	sqlite3_finalize(idst);
	if (g)
		acc_close(&acc, g);
	acc_release(&acc);
	if (rc != SQLITE_DONE) {
		*out = v;
		*nout = n;
		return ins_store__error(store, "grouping failures");
	}
	rc = 0;
	for (size_t i = 0; i < n; i++) {
		int has;

		g = &v[i];
		has = g->id != 0;
		if (by == INS_FAILURES_BY_TEST)
			g->hash = ins_xstrdup(g->tests_list ? g->tests_list : "");
		if (by == INS_FAILURES_BY_CATEGORY) {
			g->hash = ins_xstrdup(ins_categories_name(cats, (size_t)g->id - 1));
			g->category = ins_categories_name(cats, (size_t)g->id - 1);
		} else {
			/* the normalised message line the rules read */
			ins_buf line = INS_BUF_INIT;
			const char *m = g->signature ? g->signature : g->message;

			if (g->signature)
				ins_buf_put(&line, m, strcspn(m, "\n"));
			else if (m)
				ins_fingerprint_normalize(&line, m, strcspn(m, "\n"));
			g->category = ins_categories_match(cats, m ? line.ptr : NULL,
							   (ins_outcome)g->outcome);
			ins_buf_release(&line);
		}
		if (!has || by == INS_FAILURES_BY_CATEGORY) {
			/*
			 * no fingerprint: nothing ties these failures to earlier ones;
			 * a category is the configuration's today, not the history's
			 */
			sighting_in_window(&g->first, set, g->win_first_ms);
			sighting_in_window(&g->last, set, g->win_last_ms);
			g->is_new = -1;
			continue;
		}
		for (int last = 0; last < 2 && rc >= 0; last++) {
			struct sighting *sg = last ? &g->last : &g->first;

			rc = test_id ? 0 : sighting_kept(store, sg, by, g->id, sut_id, last);
			if (rc == 0)
				rc = sighting(store, sg, by, g->id, test_id, sut_id, last);
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
		free(v[i].jira);
		free(v[i].jira_url);
	}
	free(v);
}

/* Whether a group of `by` names its fingerprints: the groupings that list Jira issues. */
static int by_fingerprints(ins_failures_by by)
{
	return by == INS_FAILURES_BY_FINGERPRINT || by == INS_FAILURES_BY_CAUSE;
}

void ins__jira_columns(ins_table *t)
{
	ins_table_column(t, "jira", "Jira", INS_V_TEXT);
	ins_table_column_detail(t, 2);
	ins_table_column_optional(t);
	ins_table_column(t, "jira_url", "Jira issue", INS_V_TEXT);
	ins_table_column_detail(t, 3);
	ins_table_column_optional(t);
}

int ins__jira_read(ins_store *store, sqlite3_stmt *st, char **keys, char **url)
{
	ins_buf list = INS_BUF_INIT;
	int rc;

	*keys = *url = NULL;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *k = ins_store__col_text(st, 0);
		const char *p = list.ptr;
		size_t kn = strlen(k);
		int dup = 0;

		/* distinct keys, a space between them */
		while (*p && !dup) {
			size_t w = strcspn(p, " ");
			dup = w == kn && !strncmp(p, k, kn);
			p += w + (p[w] == ' ');
		}
		if (dup)
			continue;
		if (!*url && sqlite3_column_type(st, 1) != SQLITE_NULL)
			*url = ins_xstrdup(ins_store__col_text(st, 1));
		ins_buf_printf(&list, "%s%s", list.len ? " " : "", k);
	}
	if (rc != SQLITE_DONE) {
		free(*url);
		*url = NULL;
		ins_buf_release(&list);
		return ins_store__error(store, "reading Jira issues");
	}
	*keys = list.len ? ins_xstrdup(list.ptr) : NULL;
	ins_buf_release(&list);
	return 0;
}

static const char jira_fingerprint_sql[] =
	"SELECT i.issue_key, i.url FROM notify_issue i JOIN fingerprint f "
	"ON f.hash = i.fingerprint WHERE f.id = ?1 "
	"ORDER BY i.updated_ms DESC, i.issue_key";

int ins__jira_prepare(ins_store *store, const char *sql, sqlite3_stmt **st)
{
	int rc;

	*st = NULL;
	if ((rc = ins_store__prepare(store, st, "SELECT EXISTS (SELECT 1 FROM notify_issue)")) < 0)
		return rc;
	rc = sqlite3_step(*st);
	if (rc != SQLITE_ROW || !sqlite3_column_int(*st, 0)) {
		sqlite3_finalize(*st);
		*st = NULL;
		return rc == SQLITE_ROW ? 0 : ins_store__error(store, "reading Jira issues");
	}
	sqlite3_finalize(*st);
	*st = NULL;
	return ins_store__prepare(store, st, sql);
}

int ins__jira_by_fingerprint(ins_store *store, sqlite3_stmt **st)
{
	return ins__jira_prepare(store, jira_fingerprint_sql, st);
}

/*
 * The Jira issues `insight notify` filed or found for the fingerprints of
 * each of the first `n` groups (notify_issue), distinct keys newest first,
 * and the newest one's page. Cost: one index look-up per group.
 */
static int jira_issues(ins_store *store, ins_failures_by by, struct fp_group *v, size_t n)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if (!by_fingerprints(by))
		return 0;
	if ((rc = ins_store__prepare(store, &st, by == INS_FAILURES_BY_CAUSE ?
		"SELECT i.issue_key, i.url FROM notify_issue i JOIN fingerprint f "
		"ON f.hash = i.fingerprint WHERE f.cause_id = ?1 "
		"ORDER BY i.updated_ms DESC, i.issue_key" : jira_fingerprint_sql)) < 0)
		return rc;
	for (size_t g = 0; g < n && rc == 0; g++) {
		if (!v[g].id)
			continue;
		sqlite3_reset(st);
		sqlite3_bind_int64(st, 1, v[g].id);
		rc = ins__jira_read(store, st, &v[g].jira, &v[g].jira_url);
	}
	sqlite3_finalize(st);
	return rc;
}

static void fp_table(ins_doc *doc, const char *id, const char *title, ins_failures_by by,
		     struct fp_group *v, size_t n, size_t limit, int with_tests)
{
	ins_table *t = ins_doc_table(doc, id, title);
	size_t shown = limit && n > limit ? limit : n;
	ins_buf buf = INS_BUF_INIT;

	if (by == INS_FAILURES_BY_CAUSE) {
		ins_table_column(t, "cause", "Cause", INS_V_TEXT);
		ins_table_column(t, "title", "Signature", INS_V_TEXT);
	} else if (by == INS_FAILURES_BY_CATEGORY) {
		ins_table_column(t, "category", "Category", INS_V_TEXT);
	} else if (by == INS_FAILURES_BY_TEST) {
		ins_table_column(t, "nodeid", "Test", INS_V_TEXT);
	} else {
		ins_table_column(t, "fingerprint", "Fingerprint", INS_V_TEXT);
	}
	ins_table_column(t, "message", by == INS_FAILURES_BY_FINGERPRINT ? "Message" :
			 "Example message", INS_V_TEXT);
	if (by != INS_FAILURES_BY_CATEGORY)
		ins_table_column(t, "category", "Category", INS_V_TEXT);
	ins_table_column(t, "count", "Failures", INS_V_INT);
	if (with_tests && by != INS_FAILURES_BY_TEST)
		ins_table_column(t, "tests", "Tests", INS_V_INT);
	if (by != INS_FAILURES_BY_FINGERPRINT)
		ins_table_column(t, "fingerprints", "Fingerprints", INS_V_INT);
	ins_table_column(t, "sessions", "Sessions", INS_V_INT);
	ins_table_column(t, "new", "New", INS_V_BOOL);
	ins_table_column(t, "first_seen", "First seen", INS_V_TIME);
	ins_table_column(t, "first_session", "First session", INS_V_ID);
	ins_table_column(t, "first_commit", "First commit", INS_V_ID);
	ins_table_column(t, "last_seen", "Last seen", INS_V_TIME);
	ins_table_column(t, "last_session", "Last session", INS_V_ID);
	ins_table_column(t, "last_commit", "Last commit", INS_V_ID);
	if (with_tests && by != INS_FAILURES_BY_TEST)
		ins_table_column(t, "test_ids", "Affected tests", INS_V_TEXT);
	if (by_fingerprints(by)) {
		ins__jira_columns(t);
	}
	if (by != INS_FAILURES_BY_TEST && by != INS_FAILURES_BY_CATEGORY)
		ins_table_column(t, "signature", by == INS_FAILURES_BY_CAUSE ? "Full signature" :
				 "Signature", INS_V_LONGTEXT);
	ins_table_set_empty(t, "no failures");
	for (size_t i = 0; i < shown; i++) {
		struct fp_group *g = &v[i];

		ins_table_row(t);
		ins_table_text(t, g->hash ? g->hash : "(no message)");
		if (by == INS_FAILURES_BY_CAUSE) {
			if (g->signature)
				ins_fingerprint_title(&buf, g->signature);
			ins_table_text(t, g->signature ? buf.ptr : "(no message)");
		}
		ins_table_text(t, g->message);
		if (by != INS_FAILURES_BY_CATEGORY)
			ins_table_text(t, g->category);
		ins_table_int(t, g->count);
		if (with_tests && by != INS_FAILURES_BY_TEST)
			ins_table_int(t, g->tests);
		if (by != INS_FAILURES_BY_FINGERPRINT)
			ins_table_int(t, g->fingerprints);
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
		if (with_tests && by != INS_FAILURES_BY_TEST) {
			ins_buf_clear(&buf);
			ins_buf_puts(&buf, g->tests_list ? g->tests_list : "");
			if (g->tests > TESTS_NAMED)
				ins_buf_printf(&buf, " and %lld more",
					       (long long)(g->tests - TESTS_NAMED));
			ins_table_text(t, g->tests_list ? buf.ptr : NULL);
		}
		if (by_fingerprints(by)) {
			ins_table_text(t, g->jira);
			ins_table_text(t, g->jira_url);
		}
		if (by != INS_FAILURES_BY_TEST && by != INS_FAILURES_BY_CATEGORY)
			ins_table_text(t, g->signature);
	}
	ins_table_set_total(t, n);
	ins_buf_release(&buf);
}

/* The session, time and commit that start a table of sessions (columns 0 to 2 of `st`). */
static void session_columns(ins_table *t)
{
	ins_table_column(t, "session", "Session", INS_V_ID);
	ins_table_column(t, "time", "Time", INS_V_TIME);
	ins_table_column(t, "commit", "Commit", INS_V_ID);
}

static void session_cells(ins_table *t, sqlite3_stmt *st)
{
	ins_table_row(t);
	ins_table_text(t, ins_store__col_text(st, 0));
	ins_table_time(t, sqlite3_column_int64(st, 1));
	ins_table_text(t, sqlite3_column_type(st, 2) == SQLITE_NULL ? NULL :
		       ins_store__col_text(st, 2));
}

/*
 * The rows of `sql` into `t`, whose columns session_columns() began: ?1 is
 * `id` (a cause, a test), ?2 the window's sessions; columns 0 to 2 are the
 * session, its start and its commit, and `cells` adds the rest of a row.
 * At most `limit` rows (0: all) are shown, every row counted in the total.
 * `what` names the reading in an error.
 */
static int session_rows(ins_store *store, ins_table *t, const char *sql, int64_t id,
			const ins_sessset *set, size_t limit,
			void (*cells)(ins_table *, sqlite3_stmt *), const char *what)
{
	sqlite3_stmt *st;
	size_t n = 0;
	int rc;

	if ((rc = ins_store__prepare(store, &st, sql)) < 0)
		return rc;
	sqlite3_bind_int64(st, 1, id);
	ins_store__bind_text(st, 2, ins_sessset_json(set));
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (limit && n++ >= limit)
			continue;
		session_cells(t, st);
		cells(t, st);
	}
	ins_table_set_total(t, limit ? n : t->nrows);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : ins_store__error(store, what);
}

/* A cause's failures and failing tests in one session. */
static void cause_session_cells(ins_table *t, sqlite3_stmt *st)
{
	ins_table_int(t, sqlite3_column_int64(st, 3));
	ins_table_int(t, sqlite3_column_int64(st, 4));
}

/* The sessions with a failure of one cause in the window, newest first. */
static int cause_sessions_table(ins_doc *doc, ins_store *store, const ins_sessset *set,
				int64_t cause_id, size_t limit)
{
	ins_table *t = ins_doc_table(doc, "sessions", "Sessions");

	session_columns(t);
	ins_table_column(t, "count", "Failures", INS_V_INT);
	ins_table_column(t, "tests", "Tests", INS_V_INT);
	ins_table_set_empty(t, "no failures in the window");
	return session_rows(store, t,
		"SELECT s.uid, s.started_ms, s.git_commit, count(*), count(DISTINCT r.test_id) "
		"FROM result r JOIN session s ON s.id = r.session_id "
		"WHERE r.fingerprint_id IN (SELECT id FROM fingerprint WHERE cause_id = ?1) "
		"AND +r.session_id IN (SELECT value FROM json_each(?2)) "
		"GROUP BY r.session_id ORDER BY s.started_ms DESC, s.id DESC",
		cause_id, set, limit, cause_session_cells, "reading a cause's sessions");
}

/*
 * The cause named by `prefix` (its hash, or the start of it): its id and
 * signature; INS_ENOTFOUND when none, INS_EAMBIGUOUS when several match.
 */
static int cause_lookup(ins_store *store, const char *prefix, int64_t *id, char **sig)
{
	sqlite3_stmt *st;
	ins_buf pat = INS_BUF_INIT;
	int rc, found = 0;

	for (const char *p = prefix; *p; p++)
		if (!isxdigit((unsigned char)*p))
			return ins_error_set(INS_EUSAGE, "'%s' is not a cause: causes are named by "
					     "hex digits (the first column of analytics failures)",
					     prefix);
	ins_buf_printf(&pat, "%s*", prefix);
	if ((rc = ins_store__prepare(store, &st,
		"SELECT id, signature FROM cause WHERE hash GLOB lower(?1) ORDER BY hash LIMIT 2")) < 0) {
		ins_buf_release(&pat);
		return rc;
	}
	ins_store__bind_text(st, 1, pat.ptr);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (!found++) {
			*id = sqlite3_column_int64(st, 0);
			*sig = ins_xstrdup(ins_store__col_text(st, 1));
		}
	}
	sqlite3_finalize(st);
	ins_buf_release(&pat);
	if (rc != SQLITE_DONE)
		return ins_store__error(store, "looking up a cause");
	if (!found || !*prefix)
		return ins_error_set(INS_ENOTFOUND, "no cause '%s' in the history", prefix);
	if (found > 1) {
		free(*sig);
		*sig = NULL;
		return ins_error_set(INS_EAMBIGUOUS, "'%s' names several causes: give more digits",
				     prefix);
	}
	return 0;
}

/* A failing attempt: its number, outcome, fingerprint and message. */
static void failing_attempt_cells(ins_table *t, sqlite3_stmt *st)
{
	ins_table_int(t, sqlite3_column_int64(st, 3));
	ins_table_text(t, ins_outcome_name((ins_outcome)sqlite3_column_int(st, 4)));
	ins_table_text(t, sqlite3_column_type(st, 5) == SQLITE_NULL ? "(no message)" :
		       ins_store__col_text(st, 5));
	ins_table_text(t, sqlite3_column_type(st, 6) == SQLITE_NULL ? NULL :
		       ins_store__col_text(st, 6));
}

/* One test's failing attempts in the window, newest first. */
static int failure_history_table(ins_doc *doc, ins_store *store, const ins_sessset *set,
				 int64_t test_id, size_t limit)
{
	ins_table *t = ins_doc_table(doc, "history", "Failing attempts");

	session_columns(t);
	ins_table_column(t, "attempt", "Attempt", INS_V_INT);
	ins_table_column(t, "outcome", "Outcome", INS_V_OUTCOME);
	ins_table_column(t, "fingerprint", "Fingerprint", INS_V_TEXT);
	ins_table_column(t, "message", "Message", INS_V_TEXT);
	ins_table_set_empty(t, "no failures in the window");
	return session_rows(store, t,
		"SELECT s.uid, s.started_ms, s.git_commit, r.attempt, r.outcome, f.hash, r.message "
		"FROM " INS_RESULT_BY_TEST_ALL " r JOIN session s ON s.id = r.session_id "
		"LEFT JOIN fingerprint f ON f.id = r.fingerprint_id "
		"WHERE r.test_id = ?1 AND r.session_id IN (SELECT value FROM json_each(?2)) "
		"AND r.outcome IN (1, 2) ORDER BY s.started_ms DESC, s.id DESC, r.attempt DESC",
		test_id, set, limit, failing_attempt_cells, "reading a test's failures");
}

int ins_analytics_failures(ins_doc **out, ins_store *store, const ins_analytics_opts *o)
{
	static const char *const by_name[] = {
		[INS_FAILURES_BY_CAUSE] = "cause",
		[INS_FAILURES_BY_FINGERPRINT] = "fingerprint",
		[INS_FAILURES_BY_TEST] = "test",
		[INS_FAILURES_BY_CATEGORY] = "category",
	};
	static const char *const by_plural[] = {
		[INS_FAILURES_BY_CAUSE] = "causes",
		[INS_FAILURES_BY_FINGERPRINT] = "fingerprints",
		[INS_FAILURES_BY_TEST] = "tests",
		[INS_FAILURES_BY_CATEGORY] = "categories",
	};
	static const char *const by_label[] = {
		[INS_FAILURES_BY_CAUSE] = "Causes",
		[INS_FAILURES_BY_FINGERPRINT] = "Fingerprints",
		[INS_FAILURES_BY_TEST] = "Tests",
		[INS_FAILURES_BY_CATEGORY] = "Categories",
	};
	ins_sessset set;
	struct fp_group *groups = NULL;
	size_t ngroups = 0, nnew = 0;
	int64_t sut_id = 0, test_id = 0, cause_id = 0, total = 0;
	ins_failures_by by = o->failures_by;
	ins_doc *doc = NULL;
	ins_buf title = INS_BUF_INIT;
	char *cause_sig = NULL;
	int rc;

	*out = NULL;
	ins_sessset_init(&set);
	if (o->sut && (rc = ins__sut_id(store, o->sut, &sut_id)) < 0)
		goto done;
	if (o->nodeid && (rc = ins__test_id(store, o->nodeid, &test_id)) < 0)
		goto done;
	if (o->cause && (rc = cause_lookup(store, o->cause, &cause_id, &cause_sig)) < 0)
		goto done;
	if (o->nodeid)
		by = INS_FAILURES_BY_FINGERPRINT;   /* one test: its failures fingerprint by fingerprint */
	else if (o->cause)
		by = INS_FAILURES_BY_TEST;          /* one cause: the tests it fails */
	if ((rc = ins_sessset_load_window(&set, store, o->sut, o->from_ms, o->to_ms)) < 0)
		goto done;
	if ((rc = failure_groups(store, &set, by, o->categories, test_id, cause_id, sut_id, &groups,
				 &ngroups)) < 0)
		goto done;
	/* new: the group's first sighting (in the SUT, of the test) lies in the window */
	for (size_t i = 0; i < ngroups; i++) {
		total += groups[i].count;
		if (groups[i].is_new < 0)
			continue;
		groups[i].is_new = groups[i].first.ms >= o->from_ms;
		nnew += (size_t)groups[i].is_new;
	}
	if (ngroups)
		qsort(groups, ngroups, sizeof(*groups), cmp_fp_group);

	if (o->nodeid) {
		ins_buf_printf(&title, "Failures of %s", o->nodeid);
	} else if (o->cause) {
		ins_buf sig = INS_BUF_INIT;

		ins_fingerprint_title(&sig, cause_sig);
		ins_buf_printf(&title, "Failures of one cause: %s", sig.ptr);
		ins_buf_release(&sig);
	} else {
		ins_buf_printf(&title, "Failures by %s", by_name[by]);
	}
	doc = ins_doc_new("insight.analytics.failures", title.ptr);
	ins_an__window_facts(doc, o, &set);
	ins_doc_fact_text(doc, "by", "Grouped by", by_name[by]);
	if (o->nodeid)
		ins_doc_fact_text(doc, "nodeid", "Test", o->nodeid);
	if (o->cause) {
		char hash[INS_FINGERPRINT_HEX + 1];

		ins_fingerprint_hash(hash, cause_sig, strlen(cause_sig));
		ins_doc_fact_text(doc, "cause", "Cause", hash);
		ins_doc_fact_text(doc, "signature", "Signature", cause_sig);
	}
	ins_doc_fact_int(doc, "failures", "Failing attempts", total);
	/* "causes", "fingerprints", "tests" or "categories", and how many of them are new */
	ins_doc_fact_int(doc, by_plural[by], by_label[by], (int64_t)ngroups);
	ins_buf_clear(&title);
	ins_buf_printf(&title, "new_%s", by_plural[by]);
	if (by == INS_FAILURES_BY_CATEGORY)
		ins_doc_fact_null(doc, title.ptr, "New in the window");
	else
		ins_doc_fact_int(doc, title.ptr, "New in the window", (int64_t)nnew);
	ins_buf_clear(&title);
	ins_buf_printf(&title, "Failures by %s", by_name[by]);
	if ((rc = jira_issues(store, by, groups, o->limit && ngroups > o->limit ? o->limit :
			      ngroups)) < 0)
		goto done;
	fp_table(doc, "failures", o->nodeid ? "By fingerprint" : title.ptr, by, groups, ngroups,
		 o->limit, !o->nodeid);
	if (o->nodeid && (rc = failure_history_table(doc, store, &set, test_id, o->limit)) < 0)
		goto done;
	if (o->cause && (rc = cause_sessions_table(doc, store, &set, cause_id, o->limit)) < 0)
		goto done;
	if (by == INS_FAILURES_BY_CATEGORY)
		ins_doc_note(doc, INS_NOTE_VERDICT, "%lld failing attempt%s in %zu categor%s",
			     (long long)total, total == 1 ? "" : "s", ngroups,
			     ngroups == 1 ? "y" : "ies");
	else
		ins_doc_note(doc, INS_NOTE_VERDICT, "%lld failing attempt%s, %zu %s, %zu new in "
			     "the window", (long long)total, total == 1 ? "" : "s", ngroups,
			     ngroups == 1 ? by_name[by] : by_plural[by], nnew);
	rc = 0;
done:
	fp_groups_free(groups, ngroups);
	ins_sessset_release(&set);
	ins_buf_release(&title);
	free(cause_sig);
	if (rc < 0) {
		ins_doc_free(doc);
		doc = NULL;
	}
	*out = doc;
	return rc;
}
