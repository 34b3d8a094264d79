/*
 * merge.c - merge other insight histories (SQLite files) into this one.
 *
 * The CI fan-in without a database: parallel jobs each record to their own
 * file and a last job merges them. Each session the history lacks is read
 * from the other file and written through the store's session writer under
 * its own id, in the order a push and a fetch would carry it (sessions by
 * start time, results in the order the other history numbered its tests),
 * so that a merged history and a fetched one answer alike.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "insight/buf.h"
#include "insight/errors.h"
#include "insight/remote.h"
#include "remote/remote_internal.h"
#include "store/store_internal.h"

static const char *col(sqlite3_stmt *st, int c)
{
	return (const char *)sqlite3_column_text(st, c);
}

static char *dupcol(sqlite3_stmt *st, int c)
{
	return ins_xstrdup(col(st, c));
}

typedef struct merger {
	ins_store *src, *dst;
	sqlite3_stmt *q_session, *q_results, *q_props, *q_tags, *q_sections, *q_have;
} merger;

static int prepare(merger *m)
{
	int rc;

	if ((rc = ins_store__prepare(m->src, &m->q_session,
		"SELECT " INS_REMOTE__SESSION_COLS ", s.id FROM session s"
		" JOIN sut ON sut.id = s.sut_id"
		" WHERE (?1 IS NULL OR sut.name = ?1) AND s.started_ms >= ?2"
		" ORDER BY s.started_ms, s.uid")) < 0)
		return rc;
	if ((rc = ins_store__prepare(m->src, &m->q_results,
		"SELECT t.nodeid, t.file, t.classname, t.name, r.outcome, r.duration, r.start_ms,"
		" r.flags, r.message, x.detail, x.stdout, x.stderr, x.log, r.test_id, r.attempt"
		" FROM result r JOIN test t ON t.id = r.test_id"
		" LEFT JOIN result_text x ON x.session_id = r.session_id AND x.test_id = r.test_id"
		"  AND x.attempt = r.attempt"
		" WHERE r.session_id = ?1 ORDER BY r.test_id, r.attempt")) < 0)
		return rc;
	if ((rc = ins_store__prepare(m->src, &m->q_props,
		"SELECT key, value FROM result_property WHERE session_id = ?1 AND test_id = ?2"
		" AND attempt = ?3 ORDER BY rowid")) < 0)
		return rc;
	if ((rc = ins_store__prepare(m->src, &m->q_tags,
		"SELECT key, value FROM session_tag WHERE session_id = ?1 ORDER BY key")) < 0)
		return rc;
	if ((rc = ins_store__prepare(m->src, &m->q_sections,
		"SELECT name, content FROM output_section WHERE session_id = ?1 ORDER BY seq")) < 0)
		return rc;
	/* A session the destination deleted is not brought back, as a fetch does not. */
	return ins_store__prepare(m->dst, &m->q_have, "SELECT 1 FROM session WHERE uid = ?1"
				  " UNION ALL SELECT 1 FROM session_deleted WHERE uid = ?1");
}

static void finalize(merger *m)
{
	sqlite3_finalize(m->q_session);
	sqlite3_finalize(m->q_results);
	sqlite3_finalize(m->q_props);
	sqlite3_finalize(m->q_tags);
	sqlite3_finalize(m->q_sections);
	sqlite3_finalize(m->q_have);
}

/* Write the session in q_session's current row to the destination. */
static int merge_one(merger *m, int64_t *results)
{
	sqlite3_stmt *s = m->q_session;
	int64_t id = sqlite3_column_int64(s, 27);
	ins_session_info info = { 0 };
	ins_git_facts git = { 0 };
	ins_ci_facts ci = { 0 };
	ins_tag *tags = NULL;
	size_t ntags = 0, tags_alloc = 0;
	ins_session_writer *w = NULL;
	ins_property *props = NULL;
	size_t props_alloc = 0;
	int rc;

	info.uid = col(s, 0);
	info.sut = col(s, 1);
	info.started_ms = sqlite3_column_int64(s, 2);
	info.finished_ms = sqlite3_column_int64(s, 3);
	info.state = col(s, 4);
	info.command = col(s, 5);
	info.has_exit_status = sqlite3_column_type(s, 6) != SQLITE_NULL;
	info.exit_status = sqlite3_column_int(s, 6);
	info.format = col(s, 7);
	info.source = col(s, 8);
	info.host = col(s, 9);
	if (sqlite3_column_type(s, 10) != SQLITE_NULL || sqlite3_column_type(s, 14) != SQLITE_NULL) {
		git.present = 1;
		git.commit = dupcol(s, 10);
		git.tree = dupcol(s, 11);
		git.branch = dupcol(s, 12);
		git.parents = dupcol(s, 13);
		git.dirty = sqlite3_column_int(s, 14);
		git.commit_time_ms = sqlite3_column_int64(s, 15);
		git.author = dupcol(s, 16);
		git.subject = dupcol(s, 17);
		info.git = &git;
	}
	ci.provider = dupcol(s, 18);
	ci.build_id = dupcol(s, 19);
	ci.build_url = dupcol(s, 20);
	ci.job = dupcol(s, 21);
	ci.pr = dupcol(s, 22);
	ci.branch = dupcol(s, 23);
	ci.base_branch = dupcol(s, 24);
	ci.commit = dupcol(s, 25);
	ci.repo = dupcol(s, 26);
	info.ci = &ci;

	sqlite3_reset(m->q_tags);
	sqlite3_bind_int64(m->q_tags, 1, id);
	while ((rc = sqlite3_step(m->q_tags)) == SQLITE_ROW) {
		tags = ins_xgrow(tags, &tags_alloc, ntags + 1, sizeof(*tags));
		tags[ntags].key = ins_xstrdup(col(m->q_tags, 0));
		tags[ntags].value = ins_xstrdup(col(m->q_tags, 1));
		ntags++;
	}
	sqlite3_reset(m->q_tags);
	if (rc != SQLITE_DONE) {
		rc = ins_store__error(m->src, "reading a session to merge");
		goto done;
	}
	info.tags = tags;
	info.ntags = ntags;

	if ((rc = ins_session_writer_begin(&w, m->dst, &info)) < 0)
		goto done;
	ins_session_writer_keep_all_text(w, 1);
	sqlite3_reset(m->q_results);
	sqlite3_bind_int64(m->q_results, 1, id);
	while ((rc = sqlite3_step(m->q_results)) == SQLITE_ROW) {
		sqlite3_stmt *r = m->q_results;
		ins_result x = { 0 };
		size_t np = 0;
		int prc;

		x.nodeid = col(r, 0);
		x.file = col(r, 1);
		x.classname = col(r, 2);
		x.name = col(r, 3);
		x.outcome = (ins_outcome)sqlite3_column_int(r, 4);
		x.duration = sqlite3_column_type(r, 5) == SQLITE_NULL ? -1 : sqlite3_column_double(r, 5);
		x.start_ms = sqlite3_column_int64(r, 6);
		x.flags = (unsigned)sqlite3_column_int(r, 7);
		x.message = col(r, 8);
		x.detail = col(r, 9);
		x.out = col(r, 10);
		x.err = col(r, 11);
		x.log = col(r, 12);
		sqlite3_reset(m->q_props);
		sqlite3_bind_int64(m->q_props, 1, id);
		sqlite3_bind_int64(m->q_props, 2, sqlite3_column_int64(r, 13));
		sqlite3_bind_int64(m->q_props, 3, sqlite3_column_int64(r, 14));
		while ((prc = sqlite3_step(m->q_props)) == SQLITE_ROW) {
			props = ins_xgrow(props, &props_alloc, np + 1, sizeof(*props));
			props[np].key = ins_xstrdup(col(m->q_props, 0));
			props[np].value = ins_xstrdup(col(m->q_props, 1));
			np++;
		}
		sqlite3_reset(m->q_props);
		x.props = props;
		x.nprops = np;
		rc = prc == SQLITE_DONE ? ins_session_writer_add_result(w, &x)
					: ins_store__error(m->src, "reading a session to merge");
		for (size_t i = 0; i < np; i++) {
			free((char *)props[i].key);
			free((char *)props[i].value);
		}
		if (rc < 0)
			goto done;
		(*results)++;
	}
	sqlite3_reset(m->q_results);
	if (rc != SQLITE_DONE) {
		rc = ins_store__error(m->src, "reading a session to merge");
		goto done;
	}
	sqlite3_reset(m->q_sections);
	sqlite3_bind_int64(m->q_sections, 1, id);
	while ((rc = sqlite3_step(m->q_sections)) == SQLITE_ROW) {
		if ((rc = ins_session_writer_add_section(w, col(m->q_sections, 0),
							 col(m->q_sections, 1))) < 0) {
			sqlite3_reset(m->q_sections);
			goto done;
		}
	}
	sqlite3_reset(m->q_sections);
	if (rc != SQLITE_DONE) {
		rc = ins_store__error(m->src, "reading a session to merge");
		goto done;
	}
	rc = ins_session_writer_commit(w, NULL);
	w = NULL;
done:
	ins_session_writer_abort(w);
	for (size_t i = 0; i < ntags; i++) {
		free((char *)tags[i].key);
		free((char *)tags[i].value);
	}
	free(tags);
	free(props);
	ins_git_facts_release(&git);
	ins_ci_facts_release(&ci);
	return rc;
}

int ins_store_merge(ins_store *dst, const char *src_path, const ins_remote_sync_opts *o,
		    ins_remote_counts *out)
{
	merger m = { 0 };
	int rc;

	if ((rc = ins_store_open(&m.src, src_path, INS_STORE_READONLY)) < 0)
		return ins_error_prefix("%s", src_path);
	if (!strcmp(ins_store_path(m.src), ins_store_path(dst))) {
		rc = ins_error_set(INS_EUSAGE, "'%s' is this history", src_path);
		goto done;
	}
	m.dst = dst;
	if ((rc = prepare(&m)) < 0)
		goto done;
	ins_store__bind_text(m.q_session, 1, o ? o->sut : NULL);
	sqlite3_bind_int64(m.q_session, 2, o ? o->since_ms : 0);
	/* One read transaction on the other file: the sessions listed are those read. */
	if ((rc = ins_store__exec(m.src, "BEGIN")) < 0)
		goto done;
	while ((rc = sqlite3_step(m.q_session)) == SQLITE_ROW) {
		int have;

		sqlite3_reset(m.q_have);
		ins_store__bind_text(m.q_have, 1, col(m.q_session, 0));
		have = sqlite3_step(m.q_have) == SQLITE_ROW;
		sqlite3_reset(m.q_have);
		if (have) {
			out->present++;
			continue;
		}
		if (o && o->dry_run) {
			out->sessions++;
			continue;
		}
		if ((rc = merge_one(&m, &out->results)) < 0)
			break;
		out->sessions++;
	}
	if (rc == SQLITE_DONE)
		rc = 0;
	else if (rc > 0)
		rc = ins_store__error(m.src, "listing the sessions to merge");
	sqlite3_reset(m.q_session);
	ins_store__exec(m.src, "COMMIT");
done:
	finalize(&m);
	ins_store_free(m.src);
	return rc;
}
