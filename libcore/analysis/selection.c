/*
 * selection.c - refs into sets of sessions (see selection.h), and the
 * session sets the analyses share (analysis_internal.h).
 *
 * Invariants: a selection's ids are oldest first and distinct; a commit
 * reading never silently falls back to another commit without saying so
 * (requested, commit and distance are always filled); a failed resolution
 * leaves the selection empty but releasable.
 */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "analysis/analysis_internal.h"
#include "insight/closest.h"
#include "insight/git.h"
#include "insight/selection.h"
#include "insight/timeutil.h"

/* ---- session sets ---- */

void ins_sessset_init(ins_sessset *s)
{
	memset(s, 0, sizeof(*s));
	ins_buf_init(&s->json);
}

void ins_sessset_release(ins_sessset *s)
{
	for (size_t i = 0; i < s->n; i++) {
		free(s->v[i].commit);
		free(s->v[i].tree);
	}
	free(s->v);
	free(s->by_id);
	free(s->dense);
	ins_buf_release(&s->json);
	ins_sessset_init(s);
}

#define SESS_COLUMNS \
	"s.id, s.uid, s.sut_id, s.started_ms, s.git_commit, s.git_tree, coalesce(s.git_dirty, 0), " \
	"coalesce(s.duration, -1), s.n_tests, s.n_passed, s.n_failed, s.n_error, s.n_skipped, " \
	"s.n_flaky"

static void sess_from_row(ins_sess *x, sqlite3_stmt *st)
{
	memset(x, 0, sizeof(*x));
	x->id = sqlite3_column_int64(st, 0);
	snprintf(x->uid, sizeof(x->uid), "%s", ins_store__col_text(st, 1));
	x->sut_id = sqlite3_column_int64(st, 2);
	x->started_ms = sqlite3_column_int64(st, 3);
	if (sqlite3_column_type(st, 4) != SQLITE_NULL)
		x->commit = ins_xstrdup(ins_store__col_text(st, 4));
	if (sqlite3_column_type(st, 5) != SQLITE_NULL)
		x->tree = ins_xstrdup(ins_store__col_text(st, 5));
	x->dirty = sqlite3_column_int(st, 6);
	x->duration = sqlite3_column_double(st, 7);
	x->n_tests = sqlite3_column_int64(st, 8);
	x->n_passed = sqlite3_column_int64(st, 9);
	x->n_failed = sqlite3_column_int64(st, 10);
	x->n_error = sqlite3_column_int64(st, 11);
	x->n_skipped = sqlite3_column_int64(st, 12);
	x->n_flaky = sqlite3_column_int64(st, 13);
}

static int cmp_by_id(const void *a, const void *b)
{
	const struct ins_sess_ref *x = a, *y = b;

	return (x->id > y->id) - (x->id < y->id);
}

static int cmp_by_time(const void *a, const void *b)
{
	const ins_sess *x = a, *y = b;

	if (x->started_ms != y->started_ms)
		return (x->started_ms > y->started_ms) - (x->started_ms < y->started_ms);
	return (x->id > y->id) - (x->id < y->id);
}

/* Order by time, build the id index and the JSON id list. */
static void sessset_finish(ins_sessset *s)
{
	if (s->n > 1)
		qsort(s->v, s->n, sizeof(*s->v), cmp_by_time);
	free(s->by_id);
	s->by_id = ins_xmalloc((s->n ? s->n : 1) * sizeof(*s->by_id));
	for (size_t i = 0; i < s->n; i++) {
		s->by_id[i].id = s->v[i].id;
		s->by_id[i].idx = i;
	}
	if (s->n > 1)
		qsort(s->by_id, s->n, sizeof(*s->by_id), cmp_by_id);
	/* the dense map, when it costs at most 16 slots per session (64 bytes) */
	free(s->dense);
	s->dense = NULL;
	s->dense_n = 0;
	if (s->n && s->n <= UINT32_MAX - 1) {
		int64_t lo = s->by_id[0].id, hi = s->by_id[s->n - 1].id;
		uint64_t span = (uint64_t)hi - (uint64_t)lo + 1;

		if (span <= 16 * (uint64_t)s->n + 1024) {
			s->dense = ins_xcalloc((size_t)span, sizeof(*s->dense));
			s->dense_lo = lo;
			s->dense_n = (size_t)span;
			for (size_t i = 0; i < s->n; i++)
				s->dense[s->by_id[i].id - lo] = (uint32_t)s->by_id[i].idx + 1;
		}
	}
	ins_buf_clear(&s->json);
	ins_buf_putc(&s->json, '[');
	for (size_t i = 0; i < s->n; i++)
		ins_buf_printf(&s->json, "%s%lld", i ? "," : "", (long long)s->v[i].id);
	ins_buf_putc(&s->json, ']');
}

static int sessset_fill(ins_sessset *s, ins_store *store, sqlite3_stmt *st)
{
	int rc;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		s->v = ins_xgrow(s->v, &s->alloc, s->n + 1, sizeof(*s->v));
		sess_from_row(&s->v[s->n++], st);
	}
	if (rc != SQLITE_DONE)
		return ins_store__error(store, "reading sessions");
	sessset_finish(s);
	return 0;
}

int ins__no_sut(ins_store *store, const char *name)
{
	sqlite3_stmt *st;
	char **names = NULL;
	size_t n = 0, alloc = 0;
	const char *guess;
	int rc;

	if (ins_store__prepare(store, &st, "SELECT name FROM sut ORDER BY name LIMIT 1000") == 0) {
		while (sqlite3_step(st) == SQLITE_ROW) {
			names = ins_xgrow(names, &alloc, n + 1, sizeof(*names));
			names[n++] = ins_xstrdup(ins_store__col_text(st, 0));
		}
		sqlite3_finalize(st);
	}
	guess = ins_closest(name, (const char *const *)names, n);
	if (guess)
		rc = ins_error_set(INS_ENOTFOUND, "no SUT named '%s' in the history; did you mean "
				   "'%s'?", name, guess);
	else
		rc = ins_error_set(INS_ENOTFOUND, "no SUT named '%s' in the history", name);
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return rc;
}

int ins__sut_id(ins_store *store, const char *name, int64_t *id)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = ins_store__prepare(store, &st, "SELECT id FROM sut WHERE name = ?1")) < 0)
		return rc;
	ins_store__bind_text(st, 1, name);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*id = sqlite3_column_int64(st, 0);
		rc = 0;
	} else if (rc == SQLITE_DONE) {
		rc = ins__no_sut(store, name);
	} else {
		rc = ins_store__error(store, "looking up a SUT");
	}
	sqlite3_finalize(st);
	return rc;
}

int ins__test_id(ins_store *store, const char *nodeid, int64_t *id)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = ins_store__prepare(store, &st, "SELECT id FROM test WHERE nodeid = ?1")) < 0)
		return rc;
	ins_store__bind_text(st, 1, nodeid);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*id = sqlite3_column_int64(st, 0);
		rc = 0;
	} else if (rc == SQLITE_DONE) {
		rc = ins_error_set(INS_ENOTFOUND, "no test '%s' in the history", nodeid);
	} else {
		rc = ins_store__error(store, "looking up a test");
	}
	sqlite3_finalize(st);
	return rc;
}

int ins_sessset_load_window(ins_sessset *s, ins_store *store, const char *sut, int64_t from_ms,
			    int64_t to_ms)
{
	sqlite3_stmt *st;
	int64_t sut_id = 0;
	int rc;

	if (sut && (rc = ins__sut_id(store, sut, &sut_id)) < 0)
		return rc;
	/* session_by_sut_time (or session_by_time): a range scan over the window. */
	rc = ins_store__prepare(store, &st, sut ?
		"SELECT " SESS_COLUMNS " FROM session s WHERE s.sut_id = ?1 "
		"AND s.started_ms BETWEEN ?2 AND ?3 ORDER BY s.started_ms, s.id" :
		"SELECT " SESS_COLUMNS " FROM session s WHERE ?1 IS NULL "
		"AND s.started_ms BETWEEN ?2 AND ?3 ORDER BY s.started_ms, s.id");
	if (rc < 0)
		return rc;
	if (sut)
		sqlite3_bind_int64(st, 1, sut_id);
	sqlite3_bind_int64(st, 2, from_ms);
	sqlite3_bind_int64(st, 3, to_ms);
	rc = sessset_fill(s, store, st);
	sqlite3_finalize(st);
	return rc;
}

int ins_sessset_load_ids(ins_sessset *s, ins_store *store, const int64_t *ids, size_t n)
{
	ins_buf json = INS_BUF_INIT;
	sqlite3_stmt *st;
	int rc;

	ins_buf_putc(&json, '[');
	for (size_t i = 0; i < n; i++)
		ins_buf_printf(&json, "%s%lld", i ? "," : "", (long long)ids[i]);
	ins_buf_putc(&json, ']');
	rc = ins_store__prepare(store, &st,
		"SELECT " SESS_COLUMNS " FROM session s "
		"WHERE s.id IN (SELECT value FROM json_each(?1))");
	if (rc == 0) {
		ins_store__bind_text(st, 1, json.ptr);
		rc = sessset_fill(s, store, st);
		sqlite3_finalize(st);
	}
	ins_buf_release(&json);
	return rc;
}

int ins__dayspan_split(ins_dayspan *out, ins_store *store, const ins_sessset *set,
		       int64_t sut_id, int64_t from_ms, int64_t to_ms)
{
	const int64_t day = INS_DAY_MS;
	int64_t *ids = NULL;
	size_t n = 0;
	int rc;

	memset(out, 0, sizeof(*out));
	ins_sessset_init(&out->edge);
	out->sut_id = sut_id;
	out->dlo = 1;
	out->dhi = 0;
	/* Days are started_ms / 86400000 (truncating): exact for times from 1970 on. */
	if (from_ms >= 0 && to_ms >= from_ms) {
		out->dlo = from_ms / day + (from_ms % day != 0);
		out->dhi = to_ms / day - (to_ms % day != day - 1);
	}
	if (set->n)
		ids = ins_xmalloc(set->n * sizeof(*ids));
	for (size_t i = 0; i < set->n; i++) {
		int64_t d = set->v[i].started_ms / day;

		if (set->v[i].started_ms < 0 || d < out->dlo || d > out->dhi)
			ids[n++] = set->v[i].id;
	}
	rc = ins_sessset_load_ids(&out->edge, store, ids, n);
	free(ids);
	return rc;
}

void ins__dayspan_release(ins_dayspan *d)
{
	ins_sessset_release(&d->edge);
}

long ins_sessset_find(const ins_sessset *s, int64_t id)
{
	size_t lo = 0, hi = s->n;

	if (s->dense) {
		uint64_t at = (uint64_t)id - (uint64_t)s->dense_lo;

		return at < s->dense_n ? (long)s->dense[at] - 1 : -1;
	}

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int64_t v = s->by_id[mid].id;

		if (v == id)
			return (long)s->by_id[mid].idx;
		if (v < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

const char *ins_sessset_json(const ins_sessset *s)
{
	return s->json.len ? s->json.ptr : "[]";
}

/* pass rate = passed / (passed + failed + error), over the final outcomes of every session */
double ins_sessset_pass_rate(const ins_sessset *s)
{
	int64_t p = 0, d = 0;

	for (size_t i = 0; i < s->n; i++) {
		p += s->v[i].n_passed;
		d += s->v[i].n_passed + s->v[i].n_failed + s->v[i].n_error;
	}
	return d ? (double)p / (double)d : NAN;
}

void ins__short_sha(ins_buf *b, const char *sha)
{
	if (!sha || !*sha)
		ins_buf_puts(b, "-");
	else
		ins_buf_put(b, sha, strlen(sha) < 7 ? strlen(sha) : 7);
}

void ins__day_label(ins_buf *b, int64_t ms)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;

	localtime_r(&t, &tm);
	ins_buf_printf(b, "%04d-%02d-%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}

int64_t ins__day_start(int64_t ms)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;

	localtime_r(&t, &tm);
	tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
	tm.tm_isdst = -1;
	return (int64_t)mktime(&tm) * 1000;
}

/* ---- modes ---- */

static const char *const mode_names[] = { "auto", "session", "sut", "period", "commit" };

const char *ins_sel_mode_name(ins_sel_mode m)
{
	return (unsigned)m < sizeof(mode_names) / sizeof(mode_names[0]) ? mode_names[m] : "?";
}

int ins_sel_mode_parse(ins_sel_mode *out, const char *name)
{
	for (size_t i = 0; i < sizeof(mode_names) / sizeof(mode_names[0]); i++) {
		if (!strcmp(name, mode_names[i])) {
			*out = (ins_sel_mode)i;
			return 0;
		}
	}
	return ins_error_set(INS_EUSAGE, "unknown mode '%s' (expected session, sut, period or "
			     "commit)", name);
}

void ins_selection_release(ins_selection *s)
{
	free(s->ref);
	free(s->label);
	free(s->ids);
	free(s->requested);
	free(s->commit);
	free(s->note);
	memset(s, 0, sizeof(*s));
}

static void push_id(ins_selection *s, size_t *alloc, int64_t id)
{
	s->ids = ins_xgrow(s->ids, alloc, s->n + 1, sizeof(*s->ids));
	s->ids[s->n++] = id;
}

/* Collect the ids a statement returns (first column), oldest first as the SQL orders them. */
static int collect_ids(ins_selection *s, ins_store *store, sqlite3_stmt *st)
{
	size_t alloc = 0;
	int rc;

	free(s->ids);
	s->ids = NULL;
	s->n = 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		push_id(s, &alloc, sqlite3_column_int64(st, 0));
	if (rc != SQLITE_DONE)
		return ins_store__error(store, "selecting sessions");
	return 0;
}

/* ---- the four readings ---- */

/*
 * Each reading has a probe (does the ref read this way at all? 1 yes, 0 no,
 * <0 an error worth reporting) and a resolver that fills the selection.
 */

static int is_latest(const char *ref)
{
	return !strcmp(ref, "latest") || !strncmp(ref, "latest~", 7);
}

static int looks_like_session(const char *ref)
{
	size_t len = strlen(ref);

	if (is_latest(ref))
		return 1;
	if (len < INS_SESSION_ID_MIN_PREFIX || len > INS_SESSION_ID_LEN)
		return 0;
	for (size_t i = 0; i < len; i++) {
		char c = (char)toupper((unsigned char)ref[i]);
		if (!isalnum((unsigned char)c) || c == 'I' || c == 'L' || c == 'O' || c == 'U')
			return 0;
	}
	return 1;
}

static int probe_session(ins_store *store, const char *ref, const ins_selection_opts *o)
{
	char uid[INS_SESSION_ID_LEN + 1];
	int rc;

	if (!looks_like_session(ref))
		return 0;
	rc = ins_store_session_resolve(store, ref, o->sut, uid, NULL);
	if (rc == 0 || rc == INS_EAMBIGUOUS)
		return 1;
	return rc == INS_ENOTFOUND || rc == INS_EUSAGE ? 0 : rc;
}

static int resolve_session(ins_selection *s, ins_store *store, const char *ref,
			   const ins_selection_opts *o)
{
	char uid[INS_SESSION_ID_LEN + 1];
	int64_t rowid;
	size_t alloc = 0;
	int rc;

	if ((rc = ins_store_session_resolve(store, ref, o->sut, uid, &rowid)) < 0)
		return rc;
	push_id(s, &alloc, rowid);
	{
		ins_buf b = INS_BUF_INIT;

		ins_buf_printf(&b, "session %.*s", INS_SESSION_ID_SHORT, uid);
		s->label = ins_buf_detach(&b);
	}
	return 0;
}

static int probe_sut(ins_store *store, const char *ref)
{
	int64_t id;
	int rc = ins__sut_id(store, ref, &id);

	if (rc == INS_ENOTFOUND)
		return 0;
	return rc < 0 ? rc : 1;
}

static int resolve_sut(ins_selection *s, ins_store *store, const char *ref,
		       const ins_selection_opts *o, int64_t now)
{
	ins_buf label = INS_BUF_INIT;
	sqlite3_stmt *st;
	int64_t sut_id, win;
	int rc;

	if ((rc = ins__sut_id(store, ref, &sut_id)) < 0)
		return rc;
	if (o->window) {
		if ((rc = ins_time_parse_window(&win, o->window)) < 0)
			return rc;
		s->from_ms = now - win;
		s->to_ms = now;
		rc = ins_store__prepare(store, &st,
			"SELECT id FROM session WHERE sut_id = ?1 AND started_ms BETWEEN ?2 AND ?3 "
			"ORDER BY started_ms, id");
		if (rc < 0)
			return rc;
		sqlite3_bind_int64(st, 2, s->from_ms);
		sqlite3_bind_int64(st, 3, s->to_ms);
		ins_buf_printf(&label, "SUT %s, last %s", ref, o->window);
	} else {
		rc = ins_store__prepare(store, &st,
			"SELECT id FROM session WHERE sut_id = ?1 "
			"ORDER BY started_ms DESC, id DESC LIMIT 1");
		if (rc < 0)
			return rc;
		ins_buf_printf(&label, "SUT %s, latest session", ref);
	}
	sqlite3_bind_int64(st, 1, sut_id);
	rc = collect_ids(s, store, st);
	sqlite3_finalize(st);
	s->label = ins_buf_detach(&label);
	if (rc == 0 && s->n == 0)
		rc = ins_error_set(INS_ENOTFOUND, "SUT '%s' has no session%s%s", ref,
				   o->window ? " in the last " : "", o->window ? o->window : "");
	return rc;
}

static int probe_period(const char *ref, int64_t now)
{
	int64_t from, to;

	return ins_time_parse_period(&from, &to, ref, now) == 0;
}

static int resolve_period(ins_selection *s, ins_store *store, const char *ref,
			  const ins_selection_opts *o, int64_t now)
{
	ins_buf label = INS_BUF_INIT;
	sqlite3_stmt *st;
	int64_t sut_id = 0;
	int rc;

	if ((rc = ins_time_parse_period(&s->from_ms, &s->to_ms, ref, now)) < 0)
		return rc;
	if (o->sut && (rc = ins__sut_id(store, o->sut, &sut_id)) < 0)
		return rc;
	rc = ins_store__prepare(store, &st,
		"SELECT id FROM session WHERE (?1 = 0 OR sut_id = ?1) "
		"AND started_ms BETWEEN ?2 AND ?3 ORDER BY started_ms, id");
	if (rc < 0)
		return rc;
	sqlite3_bind_int64(st, 1, sut_id);
	sqlite3_bind_int64(st, 2, s->from_ms);
	sqlite3_bind_int64(st, 3, s->to_ms);
	rc = collect_ids(s, store, st);
	sqlite3_finalize(st);
	ins_buf_printf(&label, "period %s", ref);
	if (o->sut)
		ins_buf_printf(&label, " (SUT %s)", o->sut);
	s->label = ins_buf_detach(&label);
	if (rc == 0 && s->n == 0)
		rc = ins_error_set(INS_ENOTFOUND, "no session%s%s%s in the period '%s'",
				   o->sut ? " of SUT '" : "", o->sut ? o->sut : "",
				   o->sut ? "'" : "", ref);
	return rc;
}

/*
 * 1 when `ref` names a commit, 0 when not. *git_rc keeps a failure other
 * than "no such revision" (libgit2 missing, a broken repository), so that
 * a ref that reads as nothing else can be answered with git's reason.
 */
static int probe_commit(const char *ref, const ins_selection_opts *o, int *git_rc)
{
	char sha[41];
	int rc = ins_git_resolve(sha, o->repo, ref);

	*git_rc = 0;
	/*
	 * A commit reading only when git resolves the name, or when it is a
	 * prefix of several objects long enough for git to look it up (four
	 * digits or more): "7d" or "30d" is a period, not a prefix.
	 */
	if (rc == 0 || (rc == INS_EAMBIGUOUS && strlen(ref) >= 4))
		return 1;
	if (rc != INS_ENOTFOUND)
		*git_rc = rc;
	return 0;
}

struct commit_search {
	ins_store *store;
	sqlite3_stmt *st;   /* sessions on a commit */
	ins_selection *sel;
	size_t seen;
	int rc;
};

/* Sessions recorded on `sha` (within the SUT), into sel->ids. */
static int sessions_on(struct commit_search *cs, const char *sha)
{
	sqlite3_reset(cs->st);
	ins_store__bind_text(cs->st, 1, sha);
	return collect_ids(cs->sel, cs->store, cs->st);
}

static int walk_visit(void *data, const ins_git_commit *c)
{
	struct commit_search *cs = data;
	int rc;

	if ((rc = sessions_on(cs, c->sha)) < 0) {
		cs->rc = rc;
		return 1;
	}
	if (cs->sel->n) {
		cs->sel->commit = ins_xstrdup(c->sha);
		cs->sel->distance = cs->seen;
		return 1;
	}
	cs->seen++;
	return 0;
}

/*
 * Cost: resolving the revision, then one lookup on session_by_commit per
 * commit walked until a tested one is found (at most max_walk).
 */
static int resolve_commit(ins_selection *s, ins_store *store, const char *ref,
			  const ins_selection_opts *o)
{
	struct commit_search cs = { store, NULL, s, 0, 0 };
	ins_buf label = INS_BUF_INIT;
	char sha[41];
	int64_t sut_id = 0;
	int rc;

	if ((rc = ins_git_resolve(sha, o->repo, ref)) < 0)
		return rc;
	if (o->sut && (rc = ins__sut_id(store, o->sut, &sut_id)) < 0)
		return rc;
	s->requested = ins_xstrdup(sha);
	rc = ins_store__prepare(store, &cs.st,
		"SELECT s.id FROM session s WHERE s.git_commit = ?1 AND (?2 = 0 OR s.sut_id = ?2) "
		"ORDER BY s.started_ms, s.id");
	if (rc < 0)
		return rc;
	sqlite3_bind_int64(cs.st, 2, sut_id);
	rc = ins_git_walk(o->repo, sha, o->max_walk ? o->max_walk : 10000, walk_visit, &cs);
	sqlite3_finalize(cs.st);
	if (cs.rc < 0)
		return cs.rc;
	if (rc < 0)
		return rc;
	if (!s->commit) {
		ins_buf_release(&label);
		return ins_error_set(INS_ENOTFOUND, "no session%s%s%s was recorded on %.7s ('%s') "
				     "or any of the %zu commits before it",
				     o->sut ? " of SUT '" : "", o->sut ? o->sut : "",
				     o->sut ? "'" : "", sha, ref, cs.seen ? cs.seen - 1 : 0);
	}
	ins_buf_printf(&label, "commit %.7s", s->commit);
	if (s->distance)
		ins_buf_printf(&label, " (nearest tested ancestor of %s, %zu commit%s back)", ref,
			       s->distance, s->distance == 1 ? "" : "s");
	else if (strncmp(ref, sha, strlen(ref)))
		ins_buf_printf(&label, " (%s)", ref);
	if (o->sut)
		ins_buf_printf(&label, ", SUT %s", o->sut);
	s->label = ins_buf_detach(&label);
	return 0;
}

int ins_selection_resolve(ins_selection *out, ins_store *store, const char *ref,
			  const ins_selection_opts *opts)
{
	static const ins_selection_opts none = { 0 };
	const ins_selection_opts *o = opts ? opts : &none;
	int64_t now = o->now_ms ? o->now_ms : ins_time_now_ms();
	ins_sel_mode mode = o->mode;
	int rc;

	memset(out, 0, sizeof(*out));
	if (!ref || !*ref)
		return ins_error_set(INS_EUSAGE, "an empty ref selects nothing");
	out->ref = ins_xstrdup(ref);

	if (mode == INS_SEL_AUTO) {
		int hits[5] = { 0 };
		ins_buf list = INS_BUF_INIT;
		int nhits = 0, git_rc;

		if ((hits[INS_SEL_SESSION] = probe_session(store, ref, o)) < 0)
			return hits[INS_SEL_SESSION];
		/*
		 * `latest` and `latest~N` are insight's own words, as HEAD is
		 * git's: they name sessions and are never looked up as SUTs,
		 * periods or revisions (which also spares loading libgit2).
		 */
		git_rc = 0;
		if (!hits[INS_SEL_SESSION] || !is_latest(ref)) {
			if ((hits[INS_SEL_SUT] = probe_sut(store, ref)) < 0)
				return hits[INS_SEL_SUT];
			hits[INS_SEL_PERIOD] = probe_period(ref, now);
			hits[INS_SEL_COMMIT] = probe_commit(ref, o, &git_rc);
		}
		for (int m = INS_SEL_SESSION; m <= INS_SEL_COMMIT; m++) {
			if (!hits[m])
				continue;
			mode = (ins_sel_mode)m;
			ins_buf_printf(&list, "%s%s", nhits++ ? ", " : "", ins_sel_mode_name(mode));
		}
		if (nhits == 0) {
			ins_buf_release(&list);
			if (git_rc < 0)
				return ins_error_prefix("'%s' is not a session, a SUT or a period, "
							"and git cannot say whether it is a "
							"revision", ref);
			return ins_error_set(INS_ENOTFOUND, "'%s' is not a session, a SUT, a period "
					     "or a git revision here", ref);
		}
		if (nhits == 2 && hits[INS_SEL_PERIOD] && hits[INS_SEL_COMMIT]) {
			/* a branch or tag named like a period: the period, said */
			mode = INS_SEL_PERIOD;
			ins_buf_clear(&list);
			ins_buf_printf(&list, "'%s' was read as a period; it also names a git "
				       "revision, which --mode commit reads", ref);
			out->note = ins_buf_detach(&list);
		} else if (nhits > 1) {
			rc = ins_error_set(INS_EAMBIGUOUS, "'%s' is ambiguous: it reads as %s; choose "
					   "one with --mode", ref, list.ptr);
			ins_buf_release(&list);
			return rc;
		}
		ins_buf_release(&list);
	}
	out->mode = mode;
	switch (mode) {
	case INS_SEL_SESSION:
		rc = resolve_session(out, store, ref, o);
		break;
	case INS_SEL_SUT:
		rc = resolve_sut(out, store, ref, o, now);
		break;
	case INS_SEL_PERIOD:
		rc = resolve_period(out, store, ref, o, now);
		break;
	case INS_SEL_COMMIT:
		rc = resolve_commit(out, store, ref, o);
		break;
	default:
		rc = ins_error_set(INS_EUSAGE, "unknown selection mode");
	}
	return rc;
}
