/*
 * since.c - `insight test since <nodeid>`: since which commit does a test
 * fail, where did it last pass, and which commits lie between.
 *
 * Order: commit ancestry, not the clock. From the commit of the test's
 * latest failing session, the history is walked newest to oldest
 * (libgit2 revwalk, topological then commit time). Along the walk, a
 * commit with a session where the test passed is the last pass; the
 * oldest failing commit met before it is the first failure. Sessions
 * whose commit is not on that walk (other branches, rewritten history)
 * and sessions without git facts take no part; the answer says how many.
 *
 * When there is no usable git order (no repository, the failing commit is
 * not in it, or the sessions have no git facts), the sessions are ordered
 * by start time instead and the answer says so.
 *
 * "Suspects" are the commits in (last pass, first failure]: reachable from
 * the first failing commit and not from the last passing one, as
 * `git rev-list last..first` lists them; the first failing commit is one.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/analysis_internal.h"
#include "insight/analytics.h"
#include "insight/git.h"

/* Commits walked at most (the answer is exact for histories up to this long). */
#define SINCE_MAX_WALK 200000

struct srun {
	char uid[INS_SESSION_ID_LEN + 1];
	int64_t ms;
	char *commit;
	int failing;
	char *message;
};

struct commit_state {
	const char *sha;
	size_t first_run;   /* index of its first run (time order) */
	int pass, fail;
};

static int cmp_commit_state(const void *a, const void *b)
{
	return strcmp(((const struct commit_state *)a)->sha, ((const struct commit_state *)b)->sha);
}

struct walk {
	struct commit_state *cs;
	size_t ncs;
	size_t steps;
	const struct commit_state *last_pass, *first_fail;
	size_t seen;   /* tested commits met on the walk */
};

static int visit(void *data, const ins_git_commit *c)
{
	struct walk *w = data;
	struct commit_state key = { c->sha, 0, 0, 0 }, *hit;

	w->steps++;
	hit = bsearch(&key, w->cs, w->ncs, sizeof(*w->cs), cmp_commit_state);
	if (!hit)
		return 0;
	w->seen++;
	/*
	 * Past the last pass the walk only goes on to learn which tested
	 * commits are on this history at all, and stops once all are found.
	 */
	if (w->last_pass)
		return w->seen == w->ncs;
	/* a commit where the test passed in any session is where it last passed */
	if (hit->pass) {
		w->last_pass = hit;
		return w->seen == w->ncs;
	}
	w->first_fail = hit;
	return 0;
}

static void runs_free(struct srun *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].commit);
		free(v[i].message);
	}
	free(v);
}

static void session_facts(ins_doc *doc, const char *prefix, const char *what,
			  const struct srun *r)
{
	ins_buf id = INS_BUF_INIT, label = INS_BUF_INIT;

	ins_buf_printf(&id, "%s_session", prefix);
	ins_buf_printf(&label, "%s: session", what);
	if (r)
		ins_doc_fact_id(doc, id.ptr, label.ptr, r->uid);
	else
		ins_doc_fact_null(doc, id.ptr, label.ptr);
	ins_buf_clear(&id);
	ins_buf_clear(&label);
	ins_buf_printf(&id, "%s_time", prefix);
	ins_buf_printf(&label, "%s: time", what);
	ins_doc_fact_time(doc, id.ptr, label.ptr, r ? r->ms : 0);
	ins_buf_clear(&id);
	ins_buf_clear(&label);
	ins_buf_printf(&id, "%s_commit", prefix);
	ins_buf_printf(&label, "%s: commit", what);
	ins_doc_fact_text(doc, id.ptr, label.ptr, r ? r->commit : NULL);
	ins_buf_release(&id);
	ins_buf_release(&label);
}

int ins_test_since(ins_doc **out, ins_store *store, const char *nodeid,
		   const ins_analytics_opts *o)
{
	struct srun *runs = NULL;
	size_t nruns = 0, aruns = 0, nogit = 0, offwalk = 0;
	struct commit_state *cs = NULL;
	size_t ncs = 0;
	ins_git_commit *between = NULL;
	size_t nbetween = 0;
	const struct srun *last_pass = NULL, *first_fail = NULL, *latest;
	int64_t test_id, sut_id = 0;
	char *sut_name = NULL;
	const char *order = "commits";
	ins_buf title = INS_BUF_INIT, v = INS_BUF_INIT;
	ins_doc *doc = NULL;
	sqlite3_stmt *st = NULL;
	int rc;

	*out = NULL;
	if ((rc = ins__test_id(store, nodeid, &test_id)) < 0)
		goto done;
	if (o->sut) {
		if ((rc = ins__sut_id(store, o->sut, &sut_id)) < 0)
			goto done;
		sut_name = ins_xstrdup(o->sut);
	} else {
		/* the SUT of the test's latest session */
		if ((rc = ins_store__prepare(store, &st,
			"SELECT s.sut_id, u.name FROM " INS_RESULT_BY_TEST " r "
			"JOIN session s ON s.id = r.session_id "
			"JOIN sut u ON u.id = s.sut_id WHERE r.test_id = ?1 AND r.final = 1 "
			"ORDER BY s.started_ms DESC, s.id DESC LIMIT 1")) < 0)
			goto done;
		sqlite3_bind_int64(st, 1, test_id);
		if (sqlite3_step(st) == SQLITE_ROW) {
			sut_id = sqlite3_column_int64(st, 0);
			sut_name = ins_xstrdup(ins_store__col_text(st, 1));
		}
		sqlite3_finalize(st);
		st = NULL;
	}

	/* Its runs in the SUT, oldest first. Cost: the test's rows via result_by_test. */
	if ((rc = ins_store__prepare(store, &st,
		"SELECT s.uid, s.started_ms, s.git_commit, r.outcome, r.message "
		"FROM " INS_RESULT_BY_TEST_ALL " r JOIN session s ON s.id = r.session_id "
		"WHERE r.test_id = ?1 AND r.final = 1 "
		"AND s.sut_id = ?2 AND r.outcome IN (0, 1, 2) ORDER BY s.started_ms, s.id")) < 0)
		goto done;
	sqlite3_bind_int64(st, 1, test_id);
	sqlite3_bind_int64(st, 2, sut_id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct srun *r;

		runs = ins_xgrow(runs, &aruns, nruns + 1, sizeof(*runs));
		r = &runs[nruns++];
		memset(r, 0, sizeof(*r));
		snprintf(r->uid, sizeof(r->uid), "%s", ins_store__col_text(st, 0));
		r->ms = sqlite3_column_int64(st, 1);
		if (sqlite3_column_type(st, 2) != SQLITE_NULL)
			r->commit = ins_xstrdup(ins_store__col_text(st, 2));
		r->failing = ins__failing(sqlite3_column_int(st, 3));
		if (sqlite3_column_type(st, 4) != SQLITE_NULL)
			r->message = ins_xstrdup(ins_store__col_text(st, 4));
	}
	sqlite3_finalize(st);
	st = NULL;
	if (rc != SQLITE_DONE) {
		rc = ins_store__error(store, "reading the test's runs");
		goto done;
	}
	rc = 0;
	if (!nruns) {
		rc = ins_error_set(INS_ENOTFOUND, "test '%s' never passed or failed%s%s%s", nodeid,
				   sut_name ? " in SUT '" : "", sut_name ? sut_name : "",
				   sut_name ? "'" : "");
		goto done;
	}
	latest = &runs[nruns - 1];

	ins_buf_printf(&title, "Since when does %s fail", nodeid);
	doc = ins_doc_new("insight.test.since", title.ptr);
	ins_doc_fact_text(doc, "nodeid", "Test", nodeid);
	ins_doc_fact_text(doc, "sut", "SUT", sut_name);
	ins_doc_fact_int(doc, "runs", "Runs (passed or failed)", (int64_t)nruns);

	if (!latest->failing) {
		const struct srun *lf = NULL;

		for (size_t i = nruns; i-- > 0;)
			if (runs[i].failing) {
				lf = &runs[i];
				break;
			}
		ins_doc_fact_text(doc, "status", "Status", "passing");
		ins_doc_fact_text(doc, "order", "Ordered by", NULL);
		session_facts(doc, "latest", "Latest run", latest);
		session_facts(doc, "last_failed", "Last failure", lf);
		if (lf)
			ins_doc_note(doc, INS_NOTE_VERDICT, "passing in its latest session %.*s; last "
				     "failed in session %.*s", INS_SESSION_ID_SHORT, latest->uid,
				     INS_SESSION_ID_SHORT, lf->uid);
		else
			ins_doc_note(doc, INS_NOTE_VERDICT, "passing in its latest session %.*s; it "
				     "never failed", INS_SESSION_ID_SHORT, latest->uid);
		goto done;
	}

	/* ---- commit order ---- */
	for (size_t i = 0; i < nruns; i++)
		if (!runs[i].commit)
			nogit++;
	if (latest->commit) {
		struct walk w = { 0 };

		cs = ins_xcalloc(nruns, sizeof(*cs));
		for (size_t i = 0; i < nruns; i++) {
			if (!runs[i].commit)
				continue;
			cs[ncs].sha = runs[i].commit;
			cs[ncs].first_run = i;
			cs[ncs].pass = !runs[i].failing;
			cs[ncs++].fail = runs[i].failing;
		}
		if (ncs)
			qsort(cs, ncs, sizeof(*cs), cmp_commit_state);
		/* merge the runs of each commit */
		{
			size_t k = 0;
			for (size_t i = 0; i < ncs; i++) {
				if (k && !strcmp(cs[k - 1].sha, cs[i].sha)) {
					cs[k - 1].pass |= cs[i].pass;
					cs[k - 1].fail |= cs[i].fail;
					continue;
				}
				cs[k++] = cs[i];
			}
			ncs = k;
		}
		w.cs = cs;
		w.ncs = ncs;
		rc = ins_git_walk(o->repo, latest->commit, SINCE_MAX_WALK, visit, &w);
		if (rc < 0) {
			ins_doc_note(doc, INS_NOTE_WARNING, "no commit order: %s; ordered by time "
				     "instead", ins_error_last());
			ins_error_clear();
			order = "time";
			rc = 0;
		} else {
			offwalk = ncs - w.seen;
			if (w.last_pass)
				last_pass = &runs[w.last_pass->first_run];
			if (!w.first_fail) {
				/* it passed on the failing commit itself: flaky there */
				ins_doc_note(doc, INS_NOTE_WARNING, "it also passed on %.7s, the commit "
					     "of its latest failure: flaky there (see 'insight "
					     "analytics flaky')", latest->commit);
				first_fail = latest;
			}
			if (w.first_fail) {
				/* the first failing session on the first failing commit */
				for (size_t i = 0; i < nruns; i++)
					if (runs[i].commit && runs[i].failing &&
					    !strcmp(runs[i].commit, w.first_fail->sha)) {
						first_fail = &runs[i];
						break;
					}
			}
			/* the last passing session on the last passing commit */
			if (w.last_pass)
				for (size_t i = nruns; i-- > 0;)
					if (runs[i].commit && !runs[i].failing &&
					    !strcmp(runs[i].commit, w.last_pass->sha)) {
						last_pass = &runs[i];
						break;
					}
		}
	} else {
		ins_doc_note(doc, INS_NOTE_WARNING, "the latest failing session has no git facts; "
			     "ordered by time instead");
		order = "time";
	}

	/* ---- time order ---- */
	if (!strcmp(order, "time")) {
		size_t i = nruns;

		while (i > 0 && runs[i - 1].failing)
			i--;
		first_fail = &runs[i];
		last_pass = i > 0 ? &runs[i - 1] : NULL;
	}

	ins_doc_fact_text(doc, "status", "Status", last_pass ? "failing" : "never passed");
	ins_doc_fact_text(doc, "order", "Ordered by", order);
	session_facts(doc, "latest", "Latest run", latest);
	session_facts(doc, "first_failed", "Failing since", first_fail);
	ins_doc_fact_text(doc, "first_failed_message", "Failing since: message",
			  first_fail ? first_fail->message : NULL);
	session_facts(doc, "last_passed", "Last passed", last_pass);
	ins_doc_fact_int(doc, "sessions_without_git", "Runs without git facts", (int64_t)nogit);
	if (!strcmp(order, "commits"))
		ins_doc_fact_int(doc, "commits_off_history", "Tested commits not in this history",
				 (int64_t)offwalk);

	if (last_pass && first_fail && last_pass->commit && first_fail->commit) {
		if (ins_git_commits_between(o->repo, last_pass->commit, first_fail->commit, &between,
					    &nbetween) < 0) {
			ins_doc_note(doc, INS_NOTE_WARNING, "cannot list the commits between: %s",
				     ins_error_last());
			ins_error_clear();
			between = NULL;
			nbetween = 0;
		}
	}
	{
		ins_table *t = ins_doc_table(doc, "commits", "Suspect commits (last pass, first failure]");
		ins_buf sha = INS_BUF_INIT;

		ins_table_column(t, "sha", "Commit", INS_V_ID);
		ins_table_column(t, "time", "Time", INS_V_TIME);
		ins_table_column(t, "author", "Author", INS_V_TEXT);
		ins_table_column(t, "subject", "Subject", INS_V_TEXT);
		ins_table_column(t, "tested", "Tested", INS_V_OUTCOME);
		ins_table_set_empty(t, last_pass ? "no commit range (no git facts)" :
				    "no passing run to start from");
		for (size_t i = 0; i < nbetween; i++) {
			struct commit_state key = { between[i].sha, 0, 0, 0 }, *hit;

			hit = cs ? bsearch(&key, cs, ncs, sizeof(*cs), cmp_commit_state) : NULL;
			ins_table_row(t);
			ins_table_text(t, between[i].sha);
			ins_table_time(t, between[i].time_ms);
			ins_table_text(t, between[i].author);
			ins_table_text(t, between[i].subject);
			ins_table_text(t, !hit ? "untested" : hit->pass && hit->fail ? "flaky" :
				       hit->fail ? "failed" : "passed");
		}
		ins_buf_release(&sha);
	}
	ins_doc_fact_int(doc, "suspects", "Suspect commits", (int64_t)nbetween);

	if (first_fail) {
		ins_buf_puts(&v, "failing since ");
		if (first_fail->commit)
			ins__short_sha(&v, first_fail->commit);
		else
			ins_buf_printf(&v, "session %.*s", INS_SESSION_ID_SHORT, first_fail->uid);
	}
	if (last_pass) {
		ins_buf_puts(&v, "; last passed at ");
		if (last_pass->commit)
			ins__short_sha(&v, last_pass->commit);
		else
			ins_buf_printf(&v, "session %.*s", INS_SESSION_ID_SHORT, last_pass->uid);
		if (nbetween)
			ins_buf_printf(&v, "; %zu commit%s in between (%zu suspect%s)", nbetween - 1,
				       nbetween - 1 == 1 ? "" : "s", nbetween, nbetween == 1 ? "" : "s");
	} else {
		ins_buf_printf(&v, "; it never passed%s", !strcmp(order, "commits") ?
			       " on this commit or its ancestors" : "");
	}
	ins_doc_note(doc, INS_NOTE_VERDICT, "%s", v.ptr);
	if (nogit)
		ins_doc_note(doc, INS_NOTE_INFO, "%zu run%s without git facts %s left out of the "
			     "commit order", nogit, nogit == 1 ? "" : "s", nogit == 1 ? "was" : "were");
	if (offwalk)
		ins_doc_note(doc, INS_NOTE_INFO, "%zu tested commit%s %s of %.7s (other branches or "
			     "rewritten history) and %s left out", offwalk, offwalk == 1 ? "" : "s",
			     offwalk == 1 ? "is not an ancestor" : "are not ancestors", latest->commit,
			     offwalk == 1 ? "was" : "were");
done:
	if (st)
		sqlite3_finalize(st);
	ins_git_commits_free(between, nbetween);
	free(cs);
	runs_free(runs, nruns);
	free(sut_name);
	ins_buf_release(&title);
	ins_buf_release(&v);
	if (rc < 0) {
		ins_doc_free(doc);
		doc = NULL;
	}
	*out = doc;
	return rc;
}
