/*
 * fetch.c - bring the sessions of a PostgreSQL remote into the history.
 *
 * Each session the history lacks is written through the store's session
 * writer under its own id, as an import would write it: the counts, the
 * flaky marks, the fingerprints, their causes and the daily aggregates
 * are computed here exactly as for a session recorded locally.
 *
 * A fetch without a filter starts after the highest arrival number it
 * reached last time on this remote (the table remote_fetch, keyed by the
 * remote's id, so that a remote renamed or moved keeps its place and two
 * names for one remote share it). Pushes give arrival numbers in commit
 * order (see push.c), so nothing committed before that number is missed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "insight/buf.h"
#include "insight/errors.h"
#include "insight/remote.h"
#include "remote/remote_internal.h"
#include "store/store_internal.h"

/* Sessions listed per query. */
#define LIST_SESSIONS 500

static const char *val(const PGresult *res, int row, int col)
{
	return PQgetisnull(res, row, col) ? NULL : PQgetvalue(res, row, col);
}

static int64_t val_i64(const PGresult *res, int row, int col, int64_t def)
{
	return PQgetisnull(res, row, col) ? def : strtoll(PQgetvalue(res, row, col), NULL, 10);
}

/* Read or move on a watermark: the arrival number, or the tombstone number. */
static int watermark_of(ins_store *store, const char *remote_id, int64_t *arrival, int set,
			int tombstone)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = ins_store__prepare(store, &st, tombstone ? (set ?
		"INSERT INTO remote_tombstone VALUES (?1, ?2)"
		" ON CONFLICT (remote_id) DO UPDATE SET seq = max(seq, excluded.seq)" :
		"SELECT seq FROM remote_tombstone WHERE remote_id = ?1") : (set ?
		"INSERT INTO remote_fetch (remote_id, arrival) VALUES (?1, ?2) ON CONFLICT (remote_id)"
		" DO UPDATE SET arrival = max(arrival, excluded.arrival)" :
		"SELECT arrival FROM remote_fetch WHERE remote_id = ?1"))) < 0)
		return rc;
	ins_store__bind_text(st, 1, remote_id);
	if (set)
		sqlite3_bind_int64(st, 2, *arrival);
	rc = sqlite3_step(st);
	if (!set && rc == SQLITE_ROW)
		*arrival = sqlite3_column_int64(st, 0);
	else if (!set)
		*arrival = 0;
	rc = rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : ins_store__error(store, "keeping the "
									    "fetch position");
	sqlite3_finalize(st);
	return rc;
}

static int watermark(ins_store *store, const char *remote_id, int64_t *arrival, int set)
{
	return watermark_of(store, remote_id, arrival, set, 0);
}

/* A session this history has, or had and deleted. */
static int have_session(ins_store *store, const char *uid, int *have)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = ins_store__prepare(store, &st, "SELECT 1 FROM session WHERE uid = ?1"
				       " UNION ALL SELECT 1 FROM session_deleted WHERE uid = ?1")) < 0)
		return rc;
	ins_store__bind_text(st, 1, uid);
	rc = sqlite3_step(st);
	*have = rc == SQLITE_ROW;
	rc = rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : ins_store__error(store, "looking up a "
									    "session");
	sqlite3_finalize(st);
	return rc;
}

/* Columns of the session list, in order. */
#define SESSION_COLS \
	"s.id, s.uid, s.arrival, sut.name, s.started_ms, s.finished_ms, s.state, s.command," \
	" s.exit_status, s.format, s.source, s.host, s.git_commit, s.git_tree, s.git_branch," \
	" s.git_parents, s.git_dirty, s.git_commit_ms, s.git_author, s.git_subject," \
	" s.ci_provider, s.ci_build_id, s.ci_build_url, s.ci_job, s.ci_pr, s.ci_branch," \
	" s.ci_base_branch, s.ci_commit, s.ci_repo"

static char *dup(const PGresult *res, int row, int col)
{
	return ins_xstrdup(val(res, row, col));
}

/* Fetch the remote session in row `row` of `list` and write it locally. */
static int fetch_one(ins_remote *r, ins_store *store, const PGresult *list, int row,
		     int64_t *results)
{
	const char *params[2] = { PQgetvalue(list, row, 0), PQgetvalue(list, row, 4) };
	PGresult *res = NULL, *props = NULL, *tags = NULL, *secs = NULL;
	ins_session_writer *w = NULL;
	ins_session_info info = { 0 };
	ins_git_facts git = { 0 };
	ins_ci_facts ci = { 0 };
	ins_tag *tagv = NULL;
	ins_property *propv = NULL;
	int rc, nprops = 0, p = 0;

	if (!(tags = ins_remote__query(r, "SELECT key, value FROM insight.session_tag "
				       "WHERE session_id = $1 ORDER BY key", 1, params,
				       "reading a session", &rc)) ||
	    !(res = ins_remote__query(r,
		"SELECT t.nodeid, t.file, t.classname, t.name, r.outcome, r.duration, r.start_ms,"
		" r.flags, r.message, r.detail, r.stdout, r.stderr, r.log, r.test_id, r.attempt"
		" FROM insight.result r JOIN insight.test t ON t.id = r.test_id"
		" WHERE r.session_id = $1 AND r.session_started_ms = $2 ORDER BY r.ord", 2, params,
		"reading a session", &rc)) ||
	    !(props = ins_remote__query(r, "SELECT test_id, attempt, key, value FROM "
		"insight.result_property WHERE session_id = $1 ORDER BY seq", 1, params,
		"reading a session", &rc)) ||
	    !(secs = ins_remote__query(r, "SELECT name, content FROM insight.output_section "
		"WHERE session_id = $1 ORDER BY seq", 1, params, "reading a session", &rc)))
		goto done;

	info.uid = PQgetvalue(list, row, 1);
	info.sut = PQgetvalue(list, row, 3);
	info.started_ms = val_i64(list, row, 4, 0);
	info.finished_ms = val_i64(list, row, 5, 0);
	info.state = val(list, row, 6);
	info.command = val(list, row, 7);
	info.has_exit_status = !PQgetisnull(list, row, 8);
	info.exit_status = (int)val_i64(list, row, 8, 0);
	info.format = val(list, row, 9);
	info.source = val(list, row, 10);
	info.host = val(list, row, 11);
	if (!PQgetisnull(list, row, 12) || !PQgetisnull(list, row, 16)) {
		git.present = 1;
		git.commit = dup(list, row, 12);
		git.tree = dup(list, row, 13);
		git.branch = dup(list, row, 14);
		git.parents = dup(list, row, 15);
		git.dirty = (int)val_i64(list, row, 16, 0);
		git.commit_time_ms = val_i64(list, row, 17, 0);
		git.author = dup(list, row, 18);
		git.subject = dup(list, row, 19);
		info.git = &git;
	}
	ci.provider = dup(list, row, 20);
	ci.build_id = dup(list, row, 21);
	ci.build_url = dup(list, row, 22);
	ci.job = dup(list, row, 23);
	ci.pr = dup(list, row, 24);
	ci.branch = dup(list, row, 25);
	ci.base_branch = dup(list, row, 26);
	ci.commit = dup(list, row, 27);
	ci.repo = dup(list, row, 28);
	info.ci = &ci;
	info.ntags = (size_t)PQntuples(tags);
	tagv = ins_xcalloc(info.ntags + 1, sizeof(*tagv));
	for (size_t i = 0; i < info.ntags; i++) {
		tagv[i].key = PQgetvalue(tags, (int)i, 0);
		tagv[i].value = PQgetvalue(tags, (int)i, 1);
	}
	info.tags = tagv;

	if ((rc = ins_session_writer_begin(&w, store, &info)) < 0)
		goto done;
	ins_session_writer_keep_all_text(w, 1);
	nprops = PQntuples(props);
	propv = ins_xcalloc((size_t)nprops + 1, sizeof(*propv));
	for (int i = 0; i < PQntuples(res); i++) {
		ins_result x = { 0 };
		const char *test_id = PQgetvalue(res, i, 13), *attempt = PQgetvalue(res, i, 14);
		size_t first = (size_t)p;

		x.nodeid = PQgetvalue(res, i, 0);
		x.file = val(res, i, 1);
		x.classname = val(res, i, 2);
		x.name = val(res, i, 3);
		x.outcome = (ins_outcome)atoi(PQgetvalue(res, i, 4));
		x.duration = PQgetisnull(res, i, 5) ? -1 : strtod(PQgetvalue(res, i, 5), NULL);
		x.start_ms = val_i64(res, i, 6, 0);
		x.flags = (unsigned)atoi(PQgetvalue(res, i, 7));
		x.message = val(res, i, 8);
		x.detail = val(res, i, 9);
		x.out = val(res, i, 10);
		x.err = val(res, i, 11);
		x.log = val(res, i, 12);
		/* Properties are ordered as the results were pushed: take this one's. */
		for (int j = 0; j < nprops; j++) {
			if (strcmp(PQgetvalue(props, j, 0), test_id) ||
			    strcmp(PQgetvalue(props, j, 1), attempt))
				continue;
			propv[p].key = PQgetvalue(props, j, 2);
			propv[p].value = val(props, j, 3);
			p++;
		}
		x.props = propv + first;
		x.nprops = (size_t)p - first;
		if ((rc = ins_session_writer_add_result(w, &x)) < 0)
			goto done;
	}
	for (int i = 0; i < PQntuples(secs); i++)
		if ((rc = ins_session_writer_add_section(w, PQgetvalue(secs, i, 0),
							 PQgetvalue(secs, i, 1))) < 0)
			goto done;
	*results += PQntuples(res);
	rc = ins_session_writer_commit(w, NULL);
	w = NULL;
done:
	ins_session_writer_abort(w);
	PQclear(res);
	PQclear(props);
	PQclear(tags);
	PQclear(secs);
	free(tagv);
	free(propv);
	ins_git_facts_release(&git);
	ins_ci_facts_release(&ci);
	return rc;
}

/* Apply the remote's tombstones this history has not seen yet. */
static int apply_tombstones(ins_remote *r, ins_store *store, int64_t *deleted)
{
	int64_t from = 0;
	char from_s[32];
	int rc;

	if ((rc = watermark_of(store, r->id, &from, 0, 1)) < 0)
		return rc;
	for (;;) {
		const char *params[2] = { from_s, "1000" };
		PGresult *res;
		int nrows, wrc;
		int64_t last = from;

		snprintf(from_s, sizeof(from_s), "%lld", (long long)from);
		res = ins_remote__query(r, "SELECT seq, uid FROM insight.tombstone WHERE seq > $1"
					" ORDER BY seq LIMIT $2", 2, params, "reading tombstones", &rc);
		if (!res)
			return rc;
		nrows = PQntuples(res);
		for (int i = 0; i < nrows && rc == 0; i++) {
			rc = ins_store_session_delete(store, PQgetvalue(res, i, 1));
			if (rc == 0)
				(*deleted)++;
			else if (rc == INS_ENOTFOUND)
				rc = 0;
			if (rc == 0)
				last = val_i64(res, i, 0, last);
		}
		PQclear(res);
		if (last > from && (wrc = watermark_of(store, r->id, &last, 1, 1)) < 0 && rc == 0)
			rc = wrc;
		if (rc < 0 || nrows < 1000)
			return rc;
		from = last;
	}
}

int ins_remote_fetch(ins_remote *r, ins_store *store, const ins_remote_sync_opts *o,
		     ins_remote_counts *out)
{
	int filtered = o && (o->sut || o->since_ms);
	int64_t from = 0, total = 0, done_sessions = 0;
	ins_remote_counts counts = { 0 };
	char from_s[32], since_s[32], limit_s[16];
	PGresult *res;
	int rc;

	if ((rc = ins_remote_check(r)) < 0)
		goto done;
	if ((rc = apply_tombstones(r, store, &counts.deleted)) < 0)
		goto done;
	if (!filtered && (rc = watermark(store, r->id, &from, 0)) < 0)
		goto done;
	snprintf(since_s, sizeof(since_s), "%lld", (long long)(o ? o->since_ms : 0));
	snprintf(limit_s, sizeof(limit_s), "%d", LIST_SESSIONS);
	{
		const char *params[3] = { NULL, o ? o->sut : NULL, since_s };

		snprintf(from_s, sizeof(from_s), "%lld", (long long)from);
		params[0] = from_s;
		res = ins_remote__query(r, "SELECT count(*) FROM insight.session s JOIN insight.sut"
			" sut ON sut.id = s.sut_id WHERE s.arrival > $1 AND ($2::text IS NULL OR"
			" sut.name = $2) AND s.started_ms >= $3", 3, params, "listing sessions", &rc);
		if (!res)
			goto done;
		total = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
		PQclear(res);
	}
	for (;;) {
		const char *params[4] = { from_s, o ? o->sut : NULL, since_s, limit_s };
		int nrows;
		int64_t last = from;

		snprintf(from_s, sizeof(from_s), "%lld", (long long)from);
		res = ins_remote__query(r, "SELECT " SESSION_COLS " FROM insight.session s"
			" JOIN insight.sut sut ON sut.id = s.sut_id WHERE s.arrival > $1"
			" AND ($2::text IS NULL OR sut.name = $2) AND s.started_ms >= $3"
			" ORDER BY s.arrival LIMIT $4", 4, params, "listing sessions", &rc);
		if (!res)
			goto done;
		nrows = PQntuples(res);
		for (int i = 0; i < nrows; i++) {
			int have;

			if ((rc = have_session(store, PQgetvalue(res, i, 1), &have)) < 0)
				break;
			if (have)
				counts.present++;
			else if ((rc = fetch_one(r, store, res, i, &counts.results)) < 0)
				break;
			else
				counts.sessions++;
			last = val_i64(res, i, 2, last);
			done_sessions++;
		}
		PQclear(res);
		if (!filtered && last > from) {
			int wrc = watermark(store, r->id, &last, 1);

			if (rc == 0)
				rc = wrc;
		}
		if (rc < 0)
			goto done;
		if (o && o->progress && nrows)
			o->progress(done_sessions, total, o->progress_data);
		if (nrows < LIST_SESSIONS)
			break;
		from = last;
	}
done:
	if (out)
		*out = counts;
	return rc;
}
