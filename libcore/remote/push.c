/*
 * push.c - send the sessions a PostgreSQL remote lacks.
 *
 * The local history is only read. The remote is asked which of the
 * candidate sessions it has; the others travel in batches. A batch is one
 * transaction: its rows are copied (COPY ... FROM STDIN, text format) into
 * temporary staging tables, then moved into the remote's tables by INSERT
 * ... SELECT with ON CONFLICT DO NOTHING. Catalogue rows (SUTs, tests,
 * fingerprints) are matched by their natural keys; a session already on
 * the remote, pushed meanwhile by someone else, is skipped whole, children
 * included, as the insertion of its row says. Pushing twice therefore
 * changes no row, and a push killed half-way leaves its open batch
 * uncommitted and nothing else.
 *
 * The moves of each batch run under one transaction-scoped advisory lock,
 * so that sessions get their arrival numbers in the order they become
 * visible: a fetch that has seen arrival N has seen every session before
 * it. The copying, the slow part, runs outside that lock.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "insight/buf.h"
#include "insight/errors.h"
#include "insight/remote.h"
#include "remote/remote_internal.h"
#include "store/store_internal.h"

/* A batch ends after this many sessions, results or bytes of COPY data. */
#define BATCH_SESSIONS 200
#define BATCH_RESULTS 50000
#define BATCH_BYTES (64u << 20)
/* Uids asked about in one query. */
#define ASK_UIDS 1000

/* Serialises the moves of concurrent pushes (any 64-bit constant). */
#define PUSH_LOCK "7283950118"

enum { T_SESSION, T_TAG, T_RESULT, T_PROP, T_SECTION, T__COUNT };

static const char *const stage_names[T__COUNT] = {
	"pg_temp.stage_session", "pg_temp.stage_tag", "pg_temp.stage_result",
	"pg_temp.stage_prop", "pg_temp.stage_section"
};

static const char stage_sql[] =
	"CREATE TEMP TABLE IF NOT EXISTS stage_session (uid text, sut text, started_ms bigint,"
	"  finished_ms bigint, state text, command text, exit_status integer, format text,"
	"  source text, host text, git_commit text, git_tree text, git_branch text,"
	"  git_parents text, git_dirty integer, git_commit_ms bigint, git_author text,"
	"  git_subject text, ci_provider text, ci_build_id text, ci_build_url text, ci_job text,"
	"  ci_pr text, ci_branch text, ci_base_branch text, ci_commit text, ci_repo text)"
	"  ON COMMIT DELETE ROWS;"
	"CREATE TEMP TABLE IF NOT EXISTS stage_tag (uid text, key text, value text)"
	"  ON COMMIT DELETE ROWS;"
	"CREATE TEMP TABLE IF NOT EXISTS stage_result (uid text, ord integer, nodeid text,"
	"  file text, classname text, name text, attempt integer, outcome smallint,"
	"  duration double precision, start_ms bigint, flags integer, fp_hash text,"
	"  fp_signature text, message text, detail text, stdout text, stderr text, log text)"
	"  ON COMMIT DELETE ROWS;"
	"CREATE TEMP TABLE IF NOT EXISTS stage_prop (uid text, nodeid text, attempt integer,"
	"  seq integer, key text, value text) ON COMMIT DELETE ROWS;"
	"CREATE TEMP TABLE IF NOT EXISTS stage_section (uid text, seq integer, name text,"
	"  content text) ON COMMIT DELETE ROWS;"
	"CREATE TEMP TABLE IF NOT EXISTS stage_new (id bigint, uid text, started_ms bigint)"
	"  ON COMMIT DELETE ROWS;";

static const char move_sql[] =
	"SELECT pg_advisory_xact_lock(" PUSH_LOCK ");"
	"INSERT INTO insight.sut (name) SELECT DISTINCT sut FROM pg_temp.stage_session "
	"  ORDER BY 1 ON CONFLICT DO NOTHING;"
	"INSERT INTO insight.test (nodeid, file, classname, name) "
	"  SELECT DISTINCT ON (nodeid) nodeid, file, classname, name FROM pg_temp.stage_result "
	"  ORDER BY nodeid ON CONFLICT DO NOTHING;"
	"INSERT INTO insight.fingerprint (hash, signature) "
	"  SELECT DISTINCT ON (fp_hash) fp_hash, fp_signature FROM pg_temp.stage_result "
	"  WHERE fp_hash IS NOT NULL ORDER BY fp_hash ON CONFLICT DO NOTHING;"
	"WITH ins AS (INSERT INTO insight.session (uid, sut_id, started_ms, finished_ms, state,"
	"  command, exit_status, format, source, host, git_commit, git_tree, git_branch,"
	"  git_parents, git_dirty, git_commit_ms, git_author, git_subject, ci_provider,"
	"  ci_build_id, ci_build_url, ci_job, ci_pr, ci_branch, ci_base_branch, ci_commit, ci_repo)"
	"  SELECT st.uid, s.id, st.started_ms, st.finished_ms, st.state, st.command,"
	"  st.exit_status, st.format, st.source, st.host, st.git_commit, st.git_tree,"
	"  st.git_branch, st.git_parents, st.git_dirty, st.git_commit_ms, st.git_author,"
	"  st.git_subject, st.ci_provider, st.ci_build_id, st.ci_build_url, st.ci_job, st.ci_pr,"
	"  st.ci_branch, st.ci_base_branch, st.ci_commit, st.ci_repo"
	"  FROM pg_temp.stage_session st JOIN insight.sut s ON s.name = st.sut"
	"  WHERE NOT EXISTS (SELECT 1 FROM insight.tombstone d WHERE d.uid = st.uid)"
	"  AND st.started_ms >= coalesce((SELECT value::bigint FROM insight.meta"
	"  WHERE key = 'pruned_before'), 0)"
	"  ORDER BY st.started_ms, st.uid ON CONFLICT (uid) DO NOTHING"
	"  RETURNING id, uid, started_ms)"
	"  INSERT INTO pg_temp.stage_new SELECT id, uid, started_ms FROM ins;"
	"INSERT INTO insight.session_tag (session_id, key, value) "
	"  SELECT n.id, t.key, t.value FROM pg_temp.stage_tag t JOIN pg_temp.stage_new n "
	"  ON n.uid = t.uid ON CONFLICT DO NOTHING;"
	"INSERT INTO insight.result (session_id, ord, test_id, attempt, outcome, duration,"
	"  start_ms, flags, fingerprint_id, message, detail, stdout, stderr, log,"
	"  session_started_ms) "
	"  SELECT n.id, r.ord, t.id, r.attempt, r.outcome, r.duration, r.start_ms, r.flags, f.id,"
	"  r.message, r.detail, r.stdout, r.stderr, r.log, n.started_ms FROM pg_temp.stage_result r"
	"  JOIN pg_temp.stage_new n ON n.uid = r.uid JOIN insight.test t ON t.nodeid = r.nodeid"
	"  LEFT JOIN insight.fingerprint f ON f.hash = r.fp_hash ON CONFLICT DO NOTHING;"
	"INSERT INTO insight.result_property (session_id, test_id, attempt, seq, key, value) "
	"  SELECT n.id, t.id, p.attempt, p.seq, p.key, p.value FROM pg_temp.stage_prop p"
	"  JOIN pg_temp.stage_new n ON n.uid = p.uid JOIN insight.test t ON t.nodeid = p.nodeid"
	"  ON CONFLICT DO NOTHING;"
	"INSERT INTO insight.output_section (session_id, seq, name, content) "
	"  SELECT n.id, s.seq, s.name, s.content FROM pg_temp.stage_section s"
	"  JOIN pg_temp.stage_new n ON n.uid = s.uid ON CONFLICT DO NOTHING;";

/* One field of COPY's text format: tab, newline, return and backslash escaped. */
static void copy_text(ins_buf *b, const char *s)
{
	const char *p;

	if (!s) {
		ins_buf_puts(b, "\\N");
		return;
	}
	while (*s) {
		p = s + strcspn(s, "\\\t\n\r");
		ins_buf_put(b, s, (size_t)(p - s));
		if (!*p)
			break;
		switch (*p) {
		case '\\': ins_buf_puts(b, "\\\\"); break;
		case '\t': ins_buf_puts(b, "\\t"); break;
		case '\n': ins_buf_puts(b, "\\n"); break;
		default: ins_buf_puts(b, "\\r"); break;
		}
		s = p + 1;
	}
}

/* A column of a local row as one COPY field; `sep` before it unless first. */
static void copy_col(ins_buf *b, sqlite3_stmt *st, int col, int first)
{
	if (!first)
		ins_buf_putc(b, '\t');
	switch (sqlite3_column_type(st, col)) {
	case SQLITE_NULL:
		ins_buf_puts(b, "\\N");
		break;
	case SQLITE_INTEGER:
		ins_buf_printf(b, "%lld", (long long)sqlite3_column_int64(st, col));
		break;
	case SQLITE_FLOAT:
		ins_buf_printf(b, "%.17g", sqlite3_column_double(st, col));
		break;
	default:
		copy_text(b, (const char *)sqlite3_column_text(st, col));
		break;
	}
}

static void copy_field(ins_buf *b, const char *s, int first)
{
	if (!first)
		ins_buf_putc(b, '\t');
	copy_text(b, s);
}

typedef struct candidate {
	int64_t id;
	char uid[INS_SESSION_ID_LEN + 1];
} candidate;

typedef struct pusher {
	ins_remote *r;
	ins_store *store;
	sqlite3_stmt *q_session, *q_results, *q_props, *q_tags, *q_sections;
	ins_buf data[T__COUNT];
	int64_t batch_sessions, batch_results;
} pusher;

static int prepare_local(pusher *p)
{
	int rc;

	if ((rc = ins_store__prepare(p->store, &p->q_session,
		"SELECT " INS_REMOTE__SESSION_COLS " FROM session s JOIN sut ON sut.id = s.sut_id"
		" WHERE s.id = ?1")) < 0)
		return rc;
	if ((rc = ins_store__prepare(p->store, &p->q_results,
		"SELECT t.nodeid, t.file, t.classname, t.name, r.attempt, r.outcome, r.duration,"
		" r.start_ms, r.flags, f.hash, f.signature, r.message, x.detail, x.stdout, x.stderr,"
		" x.log FROM result r JOIN test t ON t.id = r.test_id"
		" LEFT JOIN fingerprint f ON f.id = r.fingerprint_id"
		" LEFT JOIN result_text x ON x.session_id = r.session_id AND x.test_id = r.test_id"
		"  AND x.attempt = r.attempt"
		" WHERE r.session_id = ?1 ORDER BY r.test_id, r.attempt")) < 0)
		return rc;
	if ((rc = ins_store__prepare(p->store, &p->q_props,
		"SELECT t.nodeid, p.attempt, p.key, p.value FROM result_property p"
		" JOIN test t ON t.id = p.test_id WHERE p.session_id = ?1"
		" ORDER BY p.test_id, p.attempt, p.rowid")) < 0)
		return rc;
	if ((rc = ins_store__prepare(p->store, &p->q_tags,
		"SELECT key, value FROM session_tag WHERE session_id = ?1 ORDER BY key")) < 0)
		return rc;
	return ins_store__prepare(p->store, &p->q_sections,
		"SELECT seq, name, content FROM output_section WHERE session_id = ?1 ORDER BY seq");
}

static void finalize_local(pusher *p)
{
	sqlite3_finalize(p->q_session);
	sqlite3_finalize(p->q_results);
	sqlite3_finalize(p->q_props);
	sqlite3_finalize(p->q_tags);
	sqlite3_finalize(p->q_sections);
}

/* Run `st` bound to session `id`, adding each row to `b` after the session's uid. */
static int stage_rows(pusher *p, sqlite3_stmt *st, int64_t id, const char *uid, ins_buf *b,
		      int64_t *rows, int numbered)
{
	int rc, ncols = sqlite3_column_count(st);
	int64_t n = 0;

	sqlite3_reset(st);
	sqlite3_bind_int64(st, 1, id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		n++;
		copy_field(b, uid, 1);
		if (numbered)
			ins_buf_printf(b, "\t%lld", (long long)n);
		for (int c = 0; c < ncols; c++)
			copy_col(b, st, c, 0);
		ins_buf_putc(b, '\n');
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return ins_store__error(p->store, "reading a session to push");
	if (rows)
		*rows += n;
	return 0;
}

/* Add local session `c` to the batch's COPY data. */
static int stage_session(pusher *p, const candidate *c)
{
	ins_buf *b = &p->data[T_SESSION];
	int rc, ncols;
	int64_t results = 0;

	sqlite3_reset(p->q_session);
	sqlite3_bind_int64(p->q_session, 1, c->id);
	if ((rc = sqlite3_step(p->q_session)) != SQLITE_ROW) {
		sqlite3_reset(p->q_session);
		return ins_store__error(p->store, "reading a session to push");
	}
	ncols = sqlite3_column_count(p->q_session);
	for (int col = 0; col < ncols; col++)
		copy_col(b, p->q_session, col, col == 0);
	ins_buf_putc(b, '\n');
	sqlite3_reset(p->q_session);

	if ((rc = stage_rows(p, p->q_tags, c->id, c->uid, &p->data[T_TAG], NULL, 0)) < 0 ||
	    (rc = stage_rows(p, p->q_results, c->id, c->uid, &p->data[T_RESULT], &results, 1)) < 0 ||
	    (rc = stage_rows(p, p->q_sections, c->id, c->uid, &p->data[T_SECTION], NULL, 0)) < 0)
		return rc;
	/* Properties: uid, nodeid, attempt, seq, key, value. */
	{
		sqlite3_stmt *st = p->q_props;
		ins_buf *pb = &p->data[T_PROP];
		int64_t seq = 0;

		sqlite3_reset(st);
		sqlite3_bind_int64(st, 1, c->id);
		while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			copy_field(pb, c->uid, 1);
			copy_col(pb, st, 0, 0);
			copy_col(pb, st, 1, 0);
			ins_buf_printf(pb, "\t%lld", (long long)++seq);
			copy_col(pb, st, 2, 0);
			copy_col(pb, st, 3, 0);
			ins_buf_putc(pb, '\n');
		}
		sqlite3_reset(st);
		if (rc != SQLITE_DONE)
			return ins_store__error(p->store, "reading a session to push");
	}
	p->batch_sessions++;
	p->batch_results += results;
	return 0;
}

static int copy_in(pusher *p, int t)
{
	ins_buf sql = INS_BUF_INIT;
	PGresult *res;
	ins_buf *b = &p->data[t];
	int rc = 0;

	if (b->len == 0)
		return 0;
	ins_buf_printf(&sql, "COPY %s FROM STDIN", stage_names[t]);
	res = PQexec(p->r->conn, sql.ptr);
	ins_buf_release(&sql);
	if (PQresultStatus(res) != PGRES_COPY_IN) {
		rc = ins_remote__error(p->r, "starting to copy sessions", res);
		PQclear(res);
		return rc;
	}
	PQclear(res);
	for (size_t off = 0; off < b->len && rc == 0;) {
		size_t n = b->len - off > (1u << 20) ? (1u << 20) : b->len - off;

		if (PQputCopyData(p->r->conn, b->ptr + off, (int)n) != 1)
			rc = ins_remote__error(p->r, "copying sessions", NULL);
		off += n;
	}
	if (PQputCopyEnd(p->r->conn, rc ? "aborted" : NULL) != 1 && !rc)
		rc = ins_remote__error(p->r, "copying sessions", NULL);
	while ((res = PQgetResult(p->r->conn))) {
		if (PQresultStatus(res) != PGRES_COMMAND_OK && !rc)
			rc = ins_remote__error(p->r, "copying sessions", res);
		PQclear(res);
	}
	if (!rc && PQstatus(p->r->conn) == CONNECTION_BAD)
		rc = ins_remote__error(p->r, "copying sessions", NULL);
	return rc;
}

/* Send the staged batch as one transaction; counts what the remote took. */
static int send_batch(pusher *p, ins_remote_counts *out)
{
	PGresult *res;
	int rc;

	if (p->batch_sessions == 0)
		return 0;
	if ((rc = ins_remote__exec(p->r, "BEGIN", "starting a batch")) < 0)
		goto done;
	for (int t = 0; t < T__COUNT; t++)
		if ((rc = copy_in(p, t)) < 0)
			goto fail;
	if ((rc = ins_remote__exec(p->r, move_sql, "storing sessions")) < 0)
		goto fail;
	res = ins_remote__query(p->r,
		"SELECT (SELECT count(*) FROM pg_temp.stage_new), (SELECT count(*) FROM "
		"pg_temp.stage_result r JOIN pg_temp.stage_new n ON n.uid = r.uid)", 0, NULL,
		"counting sessions", &rc);
	if (!res)
		goto fail;
	if (out) {
		int64_t taken = strtoll(PQgetvalue(res, 0, 0), NULL, 10);

		out->sessions += taken;
		out->present += p->batch_sessions - taken;
		out->results += strtoll(PQgetvalue(res, 0, 1), NULL, 10);
	}
	PQclear(res);
	rc = ins_remote__exec(p->r, "COMMIT", "committing a batch");
	goto done;
fail:
	if (PQstatus(p->r->conn) == CONNECTION_OK)
		PQclear(PQexec(p->r->conn, "ROLLBACK"));
done:
	for (int t = 0; t < T__COUNT; t++)
		ins_buf_clear(&p->data[t]);
	p->batch_sessions = p->batch_results = 0;
	return rc;
}

/* The local sessions the options select, oldest first. */
static int local_candidates(ins_store *store, const ins_remote_sync_opts *o, int64_t since_ms,
			    candidate **out, size_t *n)
{
	sqlite3_stmt *st;
	size_t alloc = 0;
	int rc;

	*out = NULL;
	*n = 0;
	if ((rc = ins_store__prepare(store, &st,
		"SELECT s.id, s.uid FROM session s JOIN sut ON sut.id = s.sut_id"
		" WHERE (?1 IS NULL OR sut.name = ?1) AND s.started_ms >= ?2"
		" ORDER BY s.started_ms, s.uid")) < 0)
		return rc;
	ins_store__bind_text(st, 1, o ? o->sut : NULL);
	sqlite3_bind_int64(st, 2, since_ms);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		candidate *c;

		*out = ins_xgrow(*out, &alloc, *n + 1, sizeof(**out));
		c = &(*out)[(*n)++];
		c->id = sqlite3_column_int64(st, 0);
		snprintf(c->uid, sizeof(c->uid), "%s", ins_store__col_text(st, 1));
	}
	if (rc != SQLITE_DONE)
		rc = ins_store__error(store, "listing the sessions to push");
	else
		rc = 0;
	sqlite3_finalize(st);
	return rc;
}

/* Drop from `c` the sessions the remote has already; *n shrinks. */
static int drop_present(ins_remote *r, candidate *c, size_t *n, int64_t *present)
{
	size_t kept = 0;
	int rc = 0;

	for (size_t i = 0; i < *n; i += ASK_UIDS) {
		size_t end = i + ASK_UIDS < *n ? i + ASK_UIDS : *n, row = 0;
		ins_buf arr = INS_BUF_INIT;
		const char *params[1];
		PGresult *res;
		int nrows;

		ins_buf_putc(&arr, '{');
		for (size_t j = i; j < end; j++)
			ins_buf_printf(&arr, "%s%s", j > i ? "," : "", c[j].uid);
		ins_buf_putc(&arr, '}');
		params[0] = arr.ptr;
		res = ins_remote__query(r, "SELECT uid FROM insight.session WHERE uid = ANY($1::text[])"
					" UNION SELECT uid FROM insight.tombstone WHERE uid = ANY($1::text[])",
					1, params, "asking for sessions", &rc);
		ins_buf_release(&arr);
		if (!res)
			return rc;
		nrows = PQntuples(res);
		/* Both sides sorted by uid would be faster; the sets are small, look each up. */
		for (size_t j = i; j < end; j++) {
			int found = 0;

			for (row = 0; row < (size_t)nrows; row++)
				if (!strcmp(PQgetvalue(res, (int)row, 0), c[j].uid)) {
					found = 1;
					break;
				}
			if (found)
				(*present)++;
			else
				c[kept++] = c[j];
		}
		PQclear(res);
	}
	*n = kept;
	return 0;
}

/* The uids of the sessions deleted from `store` that the options select. */
static int local_deletions(ins_store *store, const ins_remote_sync_opts *o, candidate **out,
			   size_t *n)
{
	sqlite3_stmt *st;
	size_t alloc = 0;
	int rc;

	*out = NULL;
	*n = 0;
	if ((rc = ins_store__prepare(store, &st,
		"SELECT uid FROM session_deleted WHERE (?1 IS NULL OR sut = ?1) AND started_ms >= ?2"
		" ORDER BY uid")) < 0)
		return rc;
	ins_store__bind_text(st, 1, o->sut);
	sqlite3_bind_int64(st, 2, o->since_ms);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		*out = ins_xgrow(*out, &alloc, *n + 1, sizeof(**out));
		(*out)[*n].id = 0;
		snprintf((*out)[*n].uid, sizeof((*out)[*n].uid), "%s", ins_store__col_text(st, 0));
		(*n)++;
	}
	rc = rc == SQLITE_DONE ? 0 : ins_store__error(store, "listing the deleted sessions");
	sqlite3_finalize(st);
	return rc;
}

/* The statements that remove the sessions named by $1 (a text[] of uids). */
static const char *const remove_sql[] = {
	"DELETE FROM insight.result WHERE session_id IN"
	"  (SELECT id FROM insight.session WHERE uid = ANY($1::text[]))",
	"DELETE FROM insight.result_property WHERE session_id IN"
	"  (SELECT id FROM insight.session WHERE uid = ANY($1::text[]))",
	"DELETE FROM insight.session_tag WHERE session_id IN"
	"  (SELECT id FROM insight.session WHERE uid = ANY($1::text[]))",
	"DELETE FROM insight.output_section WHERE session_id IN"
	"  (SELECT id FROM insight.session WHERE uid = ANY($1::text[]))",
	"DELETE FROM insight.session WHERE uid = ANY($1::text[])",
};

/*
 * Send the history's deletions: tombstones for them, and the sessions
 * removed, in one transaction under the push lock (so that tombstones get
 * their numbers in commit order, and no push adds one of them meanwhile).
 */
static int push_deletions(ins_remote *r, ins_store *store, const ins_remote_sync_opts *o,
			  ins_remote_counts *counts)
{
	candidate *c = NULL;
	size_t n = 0;
	ins_buf arr = INS_BUF_INIT;
	const char *params[1];
	PGresult *res;
	int rc;

	if ((rc = local_deletions(store, o, &c, &n)) < 0 || n == 0)
		goto done;
	ins_buf_putc(&arr, '{');
	for (size_t i = 0; i < n; i++)
		ins_buf_printf(&arr, "%s%s", i ? "," : "", c[i].uid);
	ins_buf_putc(&arr, '}');
	params[0] = arr.ptr;
	if (o->dry_run) {
		res = ins_remote__query(r, "SELECT count(*) FROM unnest($1::text[]) u WHERE NOT EXISTS"
					" (SELECT 1 FROM insight.tombstone t WHERE t.uid = u)", 1,
					params, "asking for tombstones", &rc);
		if (res) {
			counts->deleted += strtoll(PQgetvalue(res, 0, 0), NULL, 10);
			PQclear(res);
		}
		goto done;
	}
	if ((rc = ins_remote__exec(r, "BEGIN; SELECT pg_advisory_xact_lock(" PUSH_LOCK ")",
				   "starting to send deletions")) < 0)
		goto done;
	if (!(res = ins_remote__query(r, "WITH t AS (INSERT INTO insight.tombstone (uid)"
				      " SELECT u FROM unnest($1::text[]) u ORDER BY u"
				      " ON CONFLICT DO NOTHING RETURNING uid) SELECT count(*) FROM t",
				      1, params, "recording deletions", &rc)))
		goto fail;
	counts->deleted += strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	PQclear(res);
	for (size_t i = 0; i < sizeof(remove_sql) / sizeof(remove_sql[0]); i++) {
		if (!(res = ins_remote__query(r, remove_sql[i], 1, params, "deleting sessions", &rc)))
			goto fail;
		PQclear(res);
	}
	rc = ins_remote__exec(r, "COMMIT", "committing deletions");
	goto done;
fail:
	if (PQstatus(r->conn) == CONNECTION_OK)
		PQclear(PQexec(r->conn, "ROLLBACK"));
done:
	ins_buf_release(&arr);
	free(c);
	return rc;
}

int ins_remote_push(ins_remote *r, ins_store *store, const ins_remote_sync_opts *o,
		    ins_remote_counts *out)
{
	pusher p = { 0 };
	candidate *c = NULL;
	size_t n = 0;
	int64_t done_sessions = 0, since_ms;
	ins_remote_counts counts = { 0 };
	int rc;

	p.r = r;
	p.store = store;
	for (int t = 0; t < T__COUNT; t++)
		ins_buf_init(&p.data[t]);
	if ((rc = ins_remote_check(r)) < 0)
		goto done;
	if (o && o->deletions && (rc = push_deletions(r, store, o, &counts)) < 0)
		goto done;
	/* Sessions older than the remote's retention are not sent back to it. */
	since_ms = o ? o->since_ms : 0;
	if (since_ms < r->pruned_before)
		since_ms = r->pruned_before;
	if ((rc = local_candidates(store, o, since_ms, &c, &n)) < 0)
		goto done;
	if ((rc = drop_present(r, c, &n, &counts.present)) < 0)
		goto done;
	if (o && o->dry_run) {
		counts.sessions = (int64_t)n;
		goto done;
	}
	if (n == 0)
		goto done;
	if ((rc = ins_remote__exec(r, stage_sql, "preparing to push")) < 0)
		goto done;
	if ((rc = prepare_local(&p)) < 0)
		goto done;
	/* One read transaction: the sessions read are those listed. */
	if ((rc = ins_store__exec(store, "BEGIN")) < 0)
		goto done;
	for (size_t i = 0; i < n; i++) {
		size_t bytes = 0;

		if ((rc = stage_session(&p, &c[i])) < 0)
			break;
		for (int t = 0; t < T__COUNT; t++)
			bytes += p.data[t].len;
		if (p.batch_sessions >= BATCH_SESSIONS || p.batch_results >= BATCH_RESULTS ||
		    bytes >= BATCH_BYTES || i + 1 == n) {
			int64_t in_batch = p.batch_sessions;

			if ((rc = send_batch(&p, &counts)) < 0)
				break;
			done_sessions += in_batch;
			if (o && o->progress)
				o->progress(done_sessions, (int64_t)n, o->progress_data);
		}
	}
	ins_store__exec(store, "COMMIT");
done:
	finalize_local(&p);
	for (int t = 0; t < T__COUNT; t++)
		ins_buf_release(&p.data[t]);
	free(c);
	if (out)
		*out = counts;
	return rc;
}
