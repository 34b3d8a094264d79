/*
 * compare.c - the compare engine behind `analytics compare`, `sut compare`
 * and `session compare` (see compare.h for what each section means).
 *
 * One query reads the final attempts of both sets' sessions, ordered by
 * node id; tests are classified one at a time as the rows stream by, so
 * memory holds one test's durations plus the rows that will be shown.
 * Cost: a primary-key range seek into `result` per session of either set,
 * then a sort of those rows by node id (what a GROUP BY would cost too).
 *
 * Invariants: a test lands in exactly one status section; the gate
 * conditions are computed whether or not they were asked for, and the
 * document carries the same numbers as ins_compare_result.
 */
#include <ctype.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analysis/analysis_internal.h"
#include "insight/category.h"
#include "insight/compare.h"
#include "insight/fingerprint.h"
#include "insight/timeutil.h"

/* ---- duration rule ---- */

/*
 * A duration change is reported when all three hold:
 *   p < alpha                                  (Mann-Whitney U, two-sided)
 *   |median(target) - median(base)| >= min_rel * median(base)
 *   |median(target) - median(base)| >= min_abs
 * "Too few samples" when min_p = 2 / C(nb + nt, nb) >= alpha: then no data
 * of these sizes could pass the first test, and insight says so instead of
 * guessing (with alpha = 0.01 that takes about 5 runs on each side).
 */
int ins_duration_judge(ins_duration_change *out, double *base, size_t nbase, double *target,
		       size_t ntarget, const ins_duration_rule *rule)
{
	static const ins_duration_rule def = INS_DURATION_RULE_INIT;
	const ins_duration_rule *r = rule ? rule : &def;
	double delta;
	int rc;

	memset(out, 0, sizeof(*out));
	out->nbase = nbase;
	out->ntarget = ntarget;
	out->base_median = ins_stats_median(base, nbase);
	out->target_median = ins_stats_median(target, ntarget);
	out->rel = out->base_median > 0 ? (out->target_median - out->base_median) /
		   out->base_median : NAN;
	out->mwu.p = NAN;
	out->mwu.z = NAN;
	if (nbase == 0 || ntarget == 0 || ins_stats_mwu_min_p(nbase, ntarget) >= r->alpha) {
		out->verdict = INS_DUR_TOO_FEW;
		return 0;
	}
	if ((rc = ins_stats_mwu(&out->mwu, target, ntarget, base, nbase)) < 0)
		return rc;
	delta = out->target_median - out->base_median;
	if (out->mwu.p < r->alpha && fabs(delta) >= r->min_abs &&
	    fabs(delta) >= r->min_rel * out->base_median)
		out->verdict = delta > 0 ? INS_DUR_SLOWER : INS_DUR_FASTER;
	else
		out->verdict = INS_DUR_UNCHANGED;
	return 0;
}

/* ---- gate ---- */

static const char *const gate_names[INS_GATE_COUNT] = {
	"new-failures", "regressions", "any-failure", "flaky"
};

const char *ins_gate_name(int bit)
{
	return bit >= 0 && bit < INS_GATE_COUNT ? gate_names[bit] : "?";
}

int ins_gate_parse(unsigned *out, const char *list)
{
	const char *p = list;

	*out = 0;
	while (*p) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		int found = 0;

		for (int i = 0; i < INS_GATE_COUNT; i++) {
			if (len == strlen(gate_names[i]) && !strncmp(p, gate_names[i], len)) {
				*out |= 1u << i;
				found = 1;
			}
		}
		if (!found)
			return ins_error_set(INS_EUSAGE, "unknown --fail-on condition '%.*s' (expected "
					     "new-failures, regressions, any-failure or flaky)",
					     (int)len, p);
		p += len;
		if (*p == ',')
			p++;
	}
	return 0;
}

void ins_compare_opts_init(ins_compare_opts *o)
{
	static const ins_duration_rule def = INS_DURATION_RULE_INIT;

	memset(o, 0, sizeof(*o));
	o->dur = def;
}

/* ---- per-test accumulation ---- */

enum status { ST_ABSENT = 0, ST_PASSED, ST_FAILED, ST_FLAKY, ST_SKIPPED };
static const char *const status_names[] = { "absent", "passed", "failed", "flaky", "skipped" };

struct side {
	size_t runs, passed, failed, skipped, inrun;
	double *dur;
	size_t ndur, adur;
	int64_t fail_sid, fail_ms;  /* the latest run with a failed attempt, final or retried
	                               (fail_sid 0: none); kept for the target */
};

enum section {
	SEC_NEW, SEC_FIXED, SEC_STILL, SEC_FLAKY, SEC_ADDED, SEC_REMOVED, SEC_CHANGED,
	SEC_SLOWER, SEC_FASTER, SEC__COUNT
};

struct row {
	char *nodeid;
	enum status b, t;
	size_t bruns, bfailed, binrun, truns, tfailed, tinrun;
	char *msg;                  /* latest failure message in the target */
	char *trace;                /* new failures: that run's traceback (read when shown) */
	char *cause, *cause_sig;    /* new failures: that run's cause (hash and signature) */
	char *jira, *jira_url;      /* new, still failing and flaky: the Jira issues of that
	                               run's failure (keys, newest first), the newest's page */
	const char *category;       /* new failures: its category (insight/category.h) */
	int64_t test_id, msg_sid;   /* the test, and the session of that latest failing run
	                               (flaky: of the latest run with a failed attempt) */
	int added;
	ins_duration_change dc;
};

struct rows {
	struct row *v;
	size_t n, alloc;
};

struct cmp {
	const ins_sessset *b, *t;
	struct side sb, st;
	ins_buf nodeid;
	int64_t test_id;
	ins_buf msg;
	int64_t msg_ms;
	/*
	 * Read test by test (scan_by_test): the node id and the message are
	 * looked up only for the tests that get a row, from these.
	 */
	ins_store *store;
	sqlite3_stmt *q_nodeid, *q_msg;
	int lazy, have_nodeid, have_msg;
	int64_t msg_sid;               /* 0: no failing target run */
	struct rows sec[SEC__COUNT];
	ins_compare_result *res;
	const ins_compare_opts *o;
	int rc;
};

static void side_reset(struct side *s)
{
	s->runs = s->passed = s->failed = s->skipped = s->inrun = s->ndur = 0;
	s->fail_sid = 0;
	s->fail_ms = INT64_MIN;
}

static void side_add(struct side *s, int outcome, int flags, int has_dur, double dur)
{
	s->runs++;
	if (outcome == INS_OUTCOME_PASSED) {
		s->passed++;
		if (has_dur && dur >= 0) {
			s->dur = ins_xgrow(s->dur, &s->adur, s->ndur + 1, sizeof(*s->dur));
			s->dur[s->ndur++] = dur;
		}
	} else if (ins__failing(outcome)) {
		s->failed++;
	} else {
		s->skipped++;
	}
	if (flags & INS_RESULT_FLAKY)
		s->inrun++;
}

static enum status side_status(const struct side *s)
{
	if (!s->runs)
		return ST_ABSENT;
	if (s->passed && s->failed)
		return ST_FLAKY;
	if (s->failed)
		return ST_FAILED;
	if (s->passed)
		return ST_PASSED;
	return ST_SKIPPED;
}

/* One text column of one row into `out` (empty when absent); *st is prepared once. */
static int lookup_text(struct cmp *c, sqlite3_stmt **st_, ins_buf *out, const char *sql,
		       int64_t a, int64_t b, int64_t d)
{
	sqlite3_stmt *st;
	int rc;

	ins_buf_clear(out);
	if (!*st_ && (rc = ins_store__prepare(c->store, st_, sql)) < 0)
		return rc;
	st = *st_;
	sqlite3_reset(st);
	sqlite3_bind_int64(st, 1, a);
	sqlite3_bind_int64(st, 2, b);
	sqlite3_bind_int64(st, 3, d);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		if (sqlite3_column_type(st, 0) != SQLITE_NULL)
			ins_buf_set(out, ins_store__col_text(st, 0));
		rc = 0;
	} else {
		rc = rc == SQLITE_DONE ? 0 : ins_store__error(c->store, "reading a compared test");
	}
	sqlite3_reset(st);
	return rc;
}

/* In a lazy scan, fetch what a row shows: the node id, and the message. */
static void fill_lazy(struct cmp *c)
{
	int rc = 0;

	if (!c->lazy)
		return;
	if (!c->have_nodeid) {
		rc = lookup_text(c, &c->q_nodeid, &c->nodeid, "SELECT nodeid FROM test WHERE id = ?1 "
				 "AND ?2 = ?2 AND ?3 = ?3", c->test_id, 0, 0);
		c->have_nodeid = 1;
	}
	if (!rc && !c->have_msg) {
		if (c->msg_sid)
			rc = lookup_text(c, &c->q_msg, &c->msg, "SELECT message FROM result WHERE "
					 "session_id = ?1 AND test_id = ?2 AND final = 1 AND ?3 = ?3",
					 c->msg_sid, c->test_id, 0);
		c->have_msg = 1;
	}
	if (rc < 0 && !c->rc)
		c->rc = rc;
}

static struct row *push_row(struct cmp *c, enum section sec, enum status b, enum status t)
{
	struct rows *r = &c->sec[sec];
	struct row *x;

	fill_lazy(c);

	r->v = ins_xgrow(r->v, &r->alloc, r->n + 1, sizeof(*r->v));
	x = &r->v[r->n++];
	memset(x, 0, sizeof(*x));
	x->nodeid = ins_xstrdup(c->nodeid.ptr);
	x->b = b;
	x->t = t;
	x->bruns = c->sb.runs;
	x->bfailed = c->sb.failed;
	x->binrun = c->sb.inrun;
	x->truns = c->st.runs;
	x->tfailed = c->st.failed;
	x->tinrun = c->st.inrun;
	x->test_id = c->test_id;
	x->msg_sid = sec == SEC_FLAKY ? c->st.fail_sid : c->msg_sid;
	if (c->msg.len)
		x->msg = ins_xstrdup(c->msg.ptr);
	return x;
}

/* Classify the test accumulated so far. */
static void finish_test(struct cmp *c)
{
	enum status b = side_status(&c->sb), t = side_status(&c->st);
	ins_compare_result *res = c->res;
	int bflaky = b == ST_FLAKY || c->sb.inrun, tflaky = t == ST_FLAKY || c->st.inrun;

	if (b == ST_ABSENT && t == ST_ABSENT)
		return;
	res->tests++;
	if (c->st.failed)
		res->target_failing++;
	if (tflaky)
		res->target_flaky++;
	if (t != ST_ABSENT)
		res->target_tests++;
	if (t == ST_PASSED || t == ST_FLAKY)
		res->target_passed++;
	else if (t == ST_FAILED)
		res->target_failed++;
	else if (t == ST_SKIPPED)
		res->target_skipped++;
	if (b != ST_ABSENT)
		res->base_tests++;
	if (b == ST_PASSED || b == ST_FLAKY)
		res->base_passed++;
	else if (b == ST_FAILED)
		res->base_failed++;
	else if (b == ST_SKIPPED)
		res->base_skipped++;

	if (b == ST_ABSENT) {
		push_row(c, SEC_ADDED, b, t);
		if (t == ST_FAILED)
			push_row(c, SEC_NEW, b, t)->added = 1;
	} else if (t == ST_ABSENT) {
		push_row(c, SEC_REMOVED, b, t);
	} else if (bflaky || tflaky) {
		push_row(c, SEC_FLAKY, b, t);
	} else if (t == ST_FAILED && b == ST_FAILED) {
		push_row(c, SEC_STILL, b, t);
	} else if (t == ST_FAILED) {
		push_row(c, SEC_NEW, b, t);
	} else if (b == ST_FAILED && t == ST_PASSED) {
		push_row(c, SEC_FIXED, b, t);
	} else if (b != t) {
		push_row(c, SEC_CHANGED, b, t);
	}

	if (c->sb.ndur && c->st.ndur) {
		const ins_duration_rule *rule = &c->o->dur;
		ins_duration_change dc;
		double bm, delta;

		/*
		 * The verdict needs the effect as well as the rank test: when the
		 * medians (found without sorting) are too close, the answer is
		 * "unchanged" whatever p is, and nothing of it is shown.
		 */
		if (ins_stats_mwu_min_p(c->sb.ndur, c->st.ndur) >= rule->alpha) {
			res->too_few++;
			return;
		}
		bm = ins_stats_median_select(c->sb.dur, c->sb.ndur);
		delta = ins_stats_median_select(c->st.dur, c->st.ndur) - bm;
		if (!(fabs(delta) >= rule->min_abs && fabs(delta) >= rule->min_rel * bm))
			return;
		if (ins_duration_judge(&dc, c->sb.dur, c->sb.ndur, c->st.dur, c->st.ndur,
				       &c->o->dur) == 0) {
			if (dc.verdict == INS_DUR_SLOWER)
				push_row(c, SEC_SLOWER, b, t)->dc = dc;
			else if (dc.verdict == INS_DUR_FASTER)
				push_row(c, SEC_FASTER, b, t)->dc = dc;
			else if (dc.verdict == INS_DUR_TOO_FEW)
				res->too_few++;
		}
	}
}

/*
 * Add one final result to the sides whose sets hold its session. The row's
 * columns from `at` on are session_id, outcome, flags, duration. Returns 1
 * when it is the target's latest failing run so far (its message stands
 * for the test), 0 otherwise; a run that failed, finally or before passing
 * on a retry, may be the target's latest run with a failed attempt.
 */
static int take_row(struct cmp *c, sqlite3_stmt *st, int at)
{
	int64_t sid = sqlite3_column_int64(st, at);
	int outcome = sqlite3_column_int(st, at + 1), flags = sqlite3_column_int(st, at + 2);
	int has_dur = sqlite3_column_type(st, at + 3) != SQLITE_NULL;
	double dur = sqlite3_column_double(st, at + 3);
	long ib = ins_sessset_find(c->b, sid), it = ins_sessset_find(c->t, sid);

	if (ib >= 0)
		side_add(&c->sb, outcome, flags, has_dur, dur);
	if (it < 0)
		return 0;
	side_add(&c->st, outcome, flags, has_dur, dur);
	if ((ins__failing(outcome) || (flags & INS_RESULT_FLAKY)) &&
	    c->t->v[it].started_ms >= c->st.fail_ms) {
		c->st.fail_ms = c->t->v[it].started_ms;
		c->st.fail_sid = sid;
	}
	if (!ins__failing(outcome) || c->t->v[it].started_ms < c->msg_ms)
		return 0;
	c->msg_ms = c->t->v[it].started_ms;
	return 1;
}

/* The union of two sets' ids as a JSON array. */
static void union_json(ins_buf *out, const ins_sessset *a, const ins_sessset *b)
{
	int first = 1;

	ins_buf_putc(out, '[');
	for (size_t i = 0; i < a->n; i++) {
		ins_buf_printf(out, "%s%lld", first ? "" : ",", (long long)a->v[i].id);
		first = 0;
	}
	for (size_t i = 0; i < b->n; i++) {
		if (ins_sessset_find(a, b->v[i].id) >= 0)
			continue;
		ins_buf_printf(out, "%s%lld", first ? "" : ",", (long long)b->v[i].id);
		first = 0;
	}
	ins_buf_putc(out, ']');
}

static int scan(struct cmp *c, ins_store *store)
{
	/*
	 * Final attempts only: a session's outcome for a test is its last
	 * attempt, and "flaky in the run" is a flag on that attempt.
	 */
	static const char sql[] =
		"SELECT r.test_id, t.nodeid, r.session_id, r.outcome, r.flags, r.duration, r.message "
		"FROM result r JOIN test t ON t.id = r.test_id "
		"WHERE r.session_id IN (SELECT value FROM json_each(?1)) AND r.final = 1 "
		"ORDER BY t.nodeid";
	ins_buf ids = INS_BUF_INIT;
	sqlite3_stmt *st;
	int rc;

	union_json(&ids, c->b, c->t);
	if ((rc = ins_store__prepare(store, &st, sql)) < 0)
		goto done;
	ins_store__bind_text(st, 1, ids.ptr);
	c->test_id = -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t tid = sqlite3_column_int64(st, 0);

		if (tid != c->test_id) {
			if (c->test_id >= 0)
				finish_test(c);
			c->test_id = tid;
			ins_buf_set(&c->nodeid, ins_store__col_text(st, 1));
			side_reset(&c->sb);
			side_reset(&c->st);
			ins_buf_clear(&c->msg);
			c->msg_ms = INT64_MIN;
			c->msg_sid = 0;
		}
		if (take_row(c, st, 2)) {
			ins_buf_set(&c->msg, ins_store__col_text(st, 6));
			c->msg_sid = sqlite3_column_int64(st, 2);
		}
	}
	if (rc != SQLITE_DONE) {
		rc = ins_store__error(store, "comparing results");
	} else {
		rc = 0;
		if (c->test_id >= 0)
			finish_test(c);
	}
	sqlite3_finalize(st);
done:
	ins_buf_release(&ids);
	return rc;
}

/* Rows of both sets read session by session, sorted by node id: best for a few sessions. */
#define SCAN_BY_TEST_MIN_SESSIONS 64

/* The union of two sets' session id ranges: one range, or two when they do not overlap. */
static size_t id_ranges(const struct cmp *c, int64_t lo[2], int64_t hi[2])
{
	const ins_sessset *s[2] = { c->b, c->t };
	size_t n = 0;

	for (int i = 0; i < 2; i++) {
		if (!s[i]->n)
			continue;
		lo[n] = s[i]->by_id[0].id;
		hi[n] = s[i]->by_id[s[i]->n - 1].id;
		n++;
	}
	if (n == 2 && lo[1] <= hi[0] + 1 && lo[0] <= hi[1] + 1) {
		lo[0] = lo[0] < lo[1] ? lo[0] : lo[1];
		hi[0] = hi[0] > hi[1] ? hi[0] : hi[1];
		n = 1;
	}
	return n;
}

/*
 * The same classification, read test by test: the candidates are the tests
 * with a test_day row for a SUT and UTC day of some session of either set
 * (every test with a result in a session has one), and each candidate's
 * final attempts come from result_by_test and result_recent, which carry
 * outcome, flags and duration: one or two index ranges per test (each a
 * range of both indexes, merged in session order) over the sets' span of
 * session ids, with no sort and no look-up into `result` per run. Node ids and
 * messages are read only for the tests that end up in a section. Sections
 * are put in node-id order afterwards, so the answer is the one scan()
 * gives. Cost: the rows of the sets' span for every candidate, which for a
 * period is about the rows of its sessions.
 *
 * Tests are independent of each other, so with many candidates and a
 * history in a file the candidates are dealt out to one worker thread per
 * processor (up to SCAN_WORKERS), each with its own read-only connection
 * and its own sections, merged at the end. Each connection reads its own
 * snapshot: a session committed meanwhile is not in the sets (their ids are
 * fixed when they are loaded), and a session deleted meanwhile can be missing
 * from one part's reads and not another's, as it can between the separate
 * statements of any analysis.
 */
#define SCAN_WORKERS 4
#define SCAN_PARALLEL_MIN_TESTS 512

struct scan_part {
	struct cmp c;                /* this part's sections; b, t and o shared */
	ins_compare_result res;      /* this part's tests, target_failing, target_flaky, too_few */
	const int64_t *ids;
	size_t nids, first, step;
	int64_t lo[2], hi[2];
	size_t nranges;
	int own_store;               /* c.store was opened for this part */
	int rc;
	char *err;                   /* the part's error message, for the calling thread */
	pthread_t thread;
};

static int scan_part_run(struct scan_part *p)
{
	struct cmp *c = &p->c;
	sqlite3_stmt *per = NULL;
	int rc;

	if ((rc = ins_store__prepare(c->store, &per,
		"SELECT session_id, outcome, flags, duration FROM " INS_RESULT_BY_TEST " "
		"WHERE test_id = ?1 AND session_id BETWEEN ?2 AND ?3 AND final = 1 "
		"ORDER BY session_id")) < 0)
		return rc;
	c->lazy = 1;
	for (size_t i = p->first; i < p->nids; i += p->step) {
		c->test_id = p->ids[i];
		c->have_nodeid = c->have_msg = 0;
		c->msg_sid = 0;
		c->msg_ms = INT64_MIN;
		side_reset(&c->sb);
		side_reset(&c->st);
		for (size_t k = 0; k < p->nranges; k++) {
			sqlite3_reset(per);
			sqlite3_bind_int64(per, 1, c->test_id);
			sqlite3_bind_int64(per, 2, p->lo[k]);
			sqlite3_bind_int64(per, 3, p->hi[k]);
			while ((rc = sqlite3_step(per)) == SQLITE_ROW)
				if (take_row(c, per, 0))
					c->msg_sid = sqlite3_column_int64(per, 0);
			if (rc != SQLITE_DONE) {
				rc = ins_store__error(c->store, "comparing results");
				goto done;
			}
		}
		finish_test(c);
		if (c->rc) {
			rc = c->rc;
			goto done;
		}
	}
	rc = 0;
done:
	sqlite3_finalize(per);
	return rc;
}

static void *scan_part_thread(void *arg)
{
	struct scan_part *p = arg;

	p->rc = scan_part_run(p);
	if (p->rc < 0)
		p->err = ins_xstrdup(ins_error_last());
	return NULL;
}

static void cmp_release(struct cmp *c)
{
	for (int s = 0; s < SEC__COUNT; s++) {
		for (size_t i = 0; i < c->sec[s].n; i++) {
			free(c->sec[s].v[i].nodeid);
			free(c->sec[s].v[i].msg);
			free(c->sec[s].v[i].trace);
			free(c->sec[s].v[i].cause);
			free(c->sec[s].v[i].cause_sig);
			free(c->sec[s].v[i].jira);
			free(c->sec[s].v[i].jira_url);
		}
		free(c->sec[s].v);
		c->sec[s].v = NULL;
		c->sec[s].n = c->sec[s].alloc = 0;
	}
	sqlite3_finalize(c->q_nodeid);
	sqlite3_finalize(c->q_msg);
	c->q_nodeid = c->q_msg = NULL;
	free(c->sb.dur);
	free(c->st.dur);
	c->sb.dur = c->st.dur = NULL;
	ins_buf_release(&c->nodeid);
	ins_buf_release(&c->msg);
}

/* Move a part's rows and counts into the whole. */
static void scan_part_merge(struct cmp *into, struct scan_part *p)
{
	for (int s = 0; s < SEC__COUNT; s++) {
		struct rows *r = &into->sec[s], *from = &p->c.sec[s];

		if (!from->n)
			continue; /* from->v may be NULL, which memcpy must not get */
		r->v = ins_xgrow(r->v, &r->alloc, r->n + from->n, sizeof(*r->v));
		memcpy(r->v + r->n, from->v, from->n * sizeof(*r->v));
		r->n += from->n;
		from->n = 0;
	}
	into->res->tests += p->res.tests;
	into->res->target_failing += p->res.target_failing;
	into->res->target_flaky += p->res.target_flaky;
	into->res->too_few += p->res.too_few;
	into->res->target_tests += p->res.target_tests;
	into->res->target_passed += p->res.target_passed;
	into->res->target_failed += p->res.target_failed;
	into->res->target_skipped += p->res.target_skipped;
	into->res->base_tests += p->res.base_tests;
	into->res->base_passed += p->res.base_passed;
	into->res->base_failed += p->res.base_failed;
	into->res->base_skipped += p->res.base_skipped;
}

static int scan_by_test(struct cmp *c, ins_store *store)
{
	const ins_sessset *s[2] = { c->b, c->t };
	ins_buf suts = INS_BUF_INIT;
	sqlite3_stmt *cand = NULL;
	struct scan_part part[SCAN_WORKERS];
	int64_t dlo = INT64_MAX, dhi = INT64_MIN, *ids = NULL;
	size_t nids = 0, aids = 0, nparts = 1;
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	int rc;

	ins_buf_putc(&suts, '[');
	for (int k = 0; k < 2; k++) {
		for (size_t i = 0; i < s[k]->n; i++) {
			const ins_sess *x = &s[k]->v[i];
			int64_t d = x->started_ms / INS_DAY_MS;

			dlo = d < dlo ? d : dlo;
			dhi = d > dhi ? d : dhi;
			ins_buf_printf(&suts, "%s%lld", suts.len > 1 ? "," : "", (long long)x->sut_id);
		}
	}
	ins_buf_putc(&suts, ']');
	if ((rc = ins_store__prepare(store, &cand,
		"SELECT DISTINCT test_id FROM test_day WHERE sut_id IN "
		"(SELECT DISTINCT value FROM json_each(?1)) AND day BETWEEN ?2 AND ?3 "
		"ORDER BY test_id")) < 0)
		goto out;
	ins_store__bind_text(cand, 1, suts.ptr);
	sqlite3_bind_int64(cand, 2, dlo);
	sqlite3_bind_int64(cand, 3, dhi);
	while ((rc = sqlite3_step(cand)) == SQLITE_ROW) {
		ids = ins_xgrow(ids, &aids, nids + 1, sizeof(*ids));
		ids[nids++] = sqlite3_column_int64(cand, 0);
	}
	sqlite3_finalize(cand);
	if (rc != SQLITE_DONE) {
		rc = ins_store__error(store, "finding the compared tests");
		goto out;
	}

	if (nids >= SCAN_PARALLEL_MIN_TESTS && cpus > 1 && strcmp(ins_store_path(store), ":memory:"))
		nparts = cpus < SCAN_WORKERS ? (size_t)cpus : SCAN_WORKERS;
	memset(part, 0, sizeof(part));
	for (size_t w = 0; w < nparts; w++) {
		struct scan_part *p = &part[w];

		p->c.b = c->b;
		p->c.t = c->t;
		p->c.o = c->o;
		p->c.res = &p->res;
		ins_buf_init(&p->c.nodeid);
		ins_buf_init(&p->c.msg);
		p->ids = ids;
		p->nids = nids;
		p->first = w;
		p->step = nparts;
		p->nranges = id_ranges(c, p->lo, p->hi);
		p->c.store = store;
		if (w > 0) {
			/* a part that cannot have its own connection is done by the caller's */
			if (ins_store_open(&p->c.store, ins_store_path(store),
					   INS_STORE_READONLY | INS_STORE_NO_MIGRATE) < 0) {
				p->c.store = NULL;
				nparts = w;
				for (size_t k = 0; k < w; k++)
					part[k].step = nparts;
				break;
			}
			p->own_store = 1;
		}
	}
	for (size_t w = 1; w < nparts; w++)
		if (pthread_create(&part[w].thread, NULL, scan_part_thread, &part[w]) != 0)
			scan_part_thread(&part[w]);
		else
			part[w].own_store |= 2;
	part[0].rc = scan_part_run(&part[0]);
	rc = part[0].rc;
	for (size_t w = 1; w < nparts; w++) {
		if (part[w].own_store & 2)
			pthread_join(part[w].thread, NULL);
		if (rc >= 0 && part[w].rc < 0)
			rc = ins_error_set(part[w].rc, "%s", part[w].err);
	}
	for (size_t w = 0; w < nparts; w++) {
		/* statements first: a part's connection closes after them */
		sqlite3_finalize(part[w].c.q_nodeid);
		sqlite3_finalize(part[w].c.q_msg);
		part[w].c.q_nodeid = part[w].c.q_msg = NULL;
		if (rc >= 0)
			scan_part_merge(c, &part[w]);
		cmp_release(&part[w].c);
		if (part[w].own_store)
			ins_store_free(part[w].c.store);
		free(part[w].err);
	}
out:
	free(ids);
	ins_buf_release(&suts);
	return rc;
}

static int cmp_nodeid(const void *a, const void *b)
{
	return strcmp(((const struct row *)a)->nodeid, ((const struct row *)b)->nodeid);
}

/* ---- the document ---- */

static const struct {
	const char *id, *title, *empty;
} sec_info[SEC__COUNT] = {
	[SEC_NEW] = { "new_failures", "New failures", "no new failures" },
	[SEC_FIXED] = { "fixed", "Fixed", "nothing fixed" },
	[SEC_STILL] = { "still_failing", "Still failing", "nothing still failing" },
	[SEC_FLAKY] = { "flaky", "Flaky", "no flaky tests" },
	[SEC_ADDED] = { "added", "Added tests", "no tests added" },
	[SEC_REMOVED] = { "removed", "Removed tests", "no tests removed" },
	[SEC_CHANGED] = { "changed", "Other outcome changes", "no other changes" },
	[SEC_SLOWER] = { "slower", "Duration regressions", "no duration regressions" },
	[SEC_FASTER] = { "faster", "Duration improvements", "no duration improvements" },
};

/* The order people read the sections in: the news first. */
static const enum section sec_order[SEC__COUNT] = {
	SEC_NEW, SEC_SLOWER, SEC_FLAKY, SEC_FIXED, SEC_STILL, SEC_ADDED, SEC_REMOVED, SEC_CHANGED,
	SEC_FASTER
};

/* Lines of a new failure's traceback shown under it in the terminal. */
#define TRACE_PREVIEW_LINES 5

static void status_cell(ins_table *t, enum status s)
{
	ins_table_text(t, status_names[s]);
}

/* Whether two texts are the same but for white space around them (a trace that only repeats its message). */
static int same_text(const char *a, const char *b)
{
	size_t la, lb;

	if (!a || !b)
		return 0;
	while (isspace((unsigned char)*a))
		a++;
	while (isspace((unsigned char)*b))
		b++;
	la = strlen(a);
	lb = strlen(b);
	while (la && isspace((unsigned char)a[la - 1]))
		la--;
	while (lb && isspace((unsigned char)b[lb - 1]))
		lb--;
	return la == lb && !memcmp(a, b, la);
}

/*
 * Reset `st` and bind the session and the test of row x's latest failing
 * run in the target (?1, ?2); 0 when the row has no failing run.
 */
static int bind_failing_run(sqlite3_stmt *st, const struct row *x)
{
	if (!x->msg_sid)
		return 0;
	sqlite3_reset(st);
	sqlite3_bind_int64(st, 1, x->msg_sid);
	sqlite3_bind_int64(st, 2, x->test_id);
	return 1;
}

/* The tracebacks of the new failures that will be shown, from their latest failing run. */
static int read_traces(struct cmp *c, ins_store *store, size_t limit)
{
	struct rows *r = &c->sec[SEC_NEW];
	size_t n = limit && r->n > limit ? limit : r->n;
	sqlite3_stmt *st = NULL;
	int rc;

	if (!n)
		return 0;
	if ((rc = ins_store__prepare(store, &st, "SELECT detail FROM result_text "
				     "WHERE session_id = ?1 AND test_id = ?2 "
				     "ORDER BY attempt DESC LIMIT 1")) < 0)
		return rc;
	for (size_t i = 0; i < n && rc == 0; i++) {
		struct row *x = &r->v[i];

		if (!bind_failing_run(st, x))
			continue;
		rc = sqlite3_step(st);
		if (rc == SQLITE_ROW) {
			if (sqlite3_column_type(st, 0) != SQLITE_NULL &&
			    !same_text(ins_store__col_text(st, 0), x->msg))
				x->trace = ins_xstrdup(ins_store__col_text(st, 0));
			rc = 0;
		} else {
			rc = rc == SQLITE_DONE ? 0 : ins_store__error(store, "reading a traceback");
		}
	}
	sqlite3_finalize(st);
	return rc;
}

/* `s` into dst[size], cut at a character boundary with "…" when it does not fit. */
static void cut_utf8(char *dst, size_t size, const char *s)
{
	size_t n = strlen(s);

	if (n < size) {
		memcpy(dst, s, n + 1);
		return;
	}
	n = size - 4;   /* room for "…" (3 bytes) and the NUL */
	while (n && ((unsigned char)s[n] & 0xc0) == 0x80)
		n--;
	memcpy(dst, s, n);
	memcpy(dst + n, "\xe2\x80\xa6", 4);
}

static int cmp_cause(const void *a, const void *b)
{
	const struct row *x = *(const struct row *const *)a, *y = *(const struct row *const *)b;

	return strcmp(x->cause, y->cause);
}

/*
 * The cause of each new failure (its latest failing run's, as the message
 * is), and how many causes there are among them: when several new
 * failures share one, the verdict says so (res->new_causes, and the
 * signature of the cause with the most of them).
 */
static int read_causes(struct cmp *c, ins_store *store)
{
	struct rows *r = &c->sec[SEC_NEW];
	struct row **by = NULL;
	sqlite3_stmt *st = NULL;
	ins_buf title = INS_BUF_INIT;
	size_t n = 0, best = 0;
	int rc;

	if (!r->n)
		return 0;
	if ((rc = ins_store__prepare(store, &st, "SELECT k.hash, k.signature, r.outcome "
				     "FROM result r LEFT JOIN fingerprint f ON f.id = r.fingerprint_id "
				     "LEFT JOIN cause k ON k.id = f.cause_id "
				     "WHERE r.session_id = ?1 AND r.test_id = ?2 AND r.outcome IN (1, 2) "
				     "ORDER BY r.attempt DESC LIMIT 1")) < 0)
		return rc;
	by = ins_xcalloc(r->n, sizeof(*by));
	for (size_t i = 0; i < r->n && rc == 0; i++) {
		struct row *x = &r->v[i];

		if (!bind_failing_run(st, x))
			continue;
		rc = sqlite3_step(st);
		if (rc == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL) {
			x->cause = ins_xstrdup(ins_store__col_text(st, 0));
			x->cause_sig = ins_xstrdup(ins_store__col_text(st, 1));
			ins_buf_clear(&title);
			ins_buf_put(&title, x->cause_sig, strcspn(x->cause_sig, "\n"));
			x->category = ins_categories_match(c->o->categories, title.ptr,
							   (ins_outcome)sqlite3_column_int(st, 2));
			by[n++] = x;
			rc = 0;
		} else if (rc == SQLITE_ROW) {
			/* a failure without a message: no cause, and the rules see no message */
			x->category = ins_categories_match(c->o->categories, NULL,
							   (ins_outcome)sqlite3_column_int(st, 2));
			rc = 0;
		} else {
			rc = rc == SQLITE_DONE ? 0 : ins_store__error(store, "reading a failure's cause");
		}
	}
	sqlite3_finalize(st);
	if (rc == 0 && n) {
		/* failures without a message have no cause: each counts as one of its own */
		qsort(by, n, sizeof(*by), cmp_cause);
		c->res->new_causes = r->n - n;
		for (size_t i = 0, run; i < n; i += run) {
			for (run = 1; i + run < n && !strcmp(by[i]->cause, by[i + run]->cause); run++)
				;
			c->res->new_causes++;
			if (run > best) {
				best = run;
				c->res->top_cause_failures = run;
				ins_fingerprint_hash(c->res->top_cause, by[i]->cause_sig,
						     strlen(by[i]->cause_sig));
				ins_fingerprint_title(&title, by[i]->cause_sig);
				cut_utf8(c->res->top_cause_title, sizeof(c->res->top_cause_title),
					 title.ptr);
			}
		}
	} else if (rc == 0) {
		c->res->new_causes = r->n;
	}
	free(by);
	ins_buf_release(&title);
	return rc;
}

/*
 * The Jira issues of the new, still failing and flaky tests that are shown:
 * those `insight notify`'s jira routes filed or commented on for the
 * fingerprint of the last failed attempt of each one's latest failing run
 * (the run its message comes from; for a flaky test, the latest run with a
 * failed attempt). One index look-up a row, none when no route ever filed
 * an issue.
 */
static int read_jira(struct cmp *c, ins_store *store, size_t limit)
{
	static const enum section secs[] = { SEC_NEW, SEC_STILL, SEC_FLAKY };
	sqlite3_stmt *st = NULL;
	int rc;

	if ((rc = ins__jira_prepare(store,
		"SELECT i.issue_key, i.url FROM notify_issue i JOIN fingerprint f "
		"ON f.hash = i.fingerprint WHERE f.id = (SELECT r.fingerprint_id FROM result r "
		"  WHERE r.session_id = ?1 AND r.test_id = ?2 AND r.outcome IN (1, 2) "
		"  ORDER BY r.attempt DESC LIMIT 1) "
		"ORDER BY i.updated_ms DESC, i.issue_key", &st)) < 0 || !st)
		return rc;
	for (size_t k = 0; k < sizeof(secs) / sizeof(secs[0]) && rc == 0; k++) {
		struct rows *r = &c->sec[secs[k]];
		size_t n = limit && r->n > limit ? limit : r->n;

		for (size_t i = 0; i < n && rc == 0; i++) {
			struct row *x = &r->v[i];

			if (bind_failing_run(st, x))
				rc = ins__jira_read(store, st, &x->jira, &x->jira_url);
		}
	}
	sqlite3_finalize(st);
	return rc;
}

/*
 * A section's table. An empty one is minor (people see it with -v, or
 * when a gate was asked for); JSON carries every section whatever.
 */
static void add_section_table(ins_doc *doc, struct rows *r, enum section sec, size_t limit,
			      int minor)
{
	ins_table *t = ins_doc_table(doc, sec_info[sec].id, sec_info[sec].title);
	size_t n = limit && r->n > limit ? limit : r->n;

	ins_table_column(t, "nodeid", "Test", INS_V_TEXT);
	switch (sec) {
	case SEC_SLOWER:
	case SEC_FASTER:
		ins_table_column(t, "base_median", "Base median", INS_V_DURATION);
		ins_table_column(t, "target_median", "Target median", INS_V_DURATION);
		ins_table_column(t, "change", "Change", INS_V_PERCENT);
		ins_table_column(t, "p", "p", INS_V_REAL);
		ins_table_column(t, "base_runs", "Base runs", INS_V_INT);
		ins_table_column_detail(t, 1);
		ins_table_column(t, "target_runs", "Target runs", INS_V_INT);
		ins_table_column_detail(t, 1);
		break;
	case SEC_ADDED:
		ins_table_column(t, "target", "Target", INS_V_OUTCOME);
		break;
	case SEC_REMOVED:
		ins_table_column(t, "base", "Base", INS_V_OUTCOME);
		break;
	case SEC_FLAKY:
		ins_table_column(t, "base", "Base", INS_V_OUTCOME);
		ins_table_column(t, "target", "Target", INS_V_OUTCOME);
		ins_table_column(t, "base_failed", "Base failed", INS_V_INT);
		ins_table_column(t, "base_runs", "Base runs", INS_V_INT);
		ins_table_column(t, "base_in_run", "Base in-run", INS_V_INT);
		ins_table_column_detail(t, 1);
		ins_table_column(t, "target_failed", "Target failed", INS_V_INT);
		ins_table_column(t, "target_runs", "Target runs", INS_V_INT);
		ins_table_column(t, "target_in_run", "Target in-run", INS_V_INT);
		ins_table_column_detail(t, 1);
		ins__jira_columns(t);
		break;
	default:
		ins_table_column(t, "base", "Base", INS_V_OUTCOME);
		ins_table_column(t, "target", "Target", INS_V_OUTCOME);
		if (sec == SEC_NEW || sec == SEC_STILL)
			ins_table_column(t, "message", "Message", INS_V_TEXT);
		if (sec == SEC_NEW) {
			ins_table_column(t, "category", "Category", INS_V_TEXT);
			ins_table_column_detail(t, 1);
			ins_table_column(t, "cause", "Cause", INS_V_TEXT);
			ins_table_column_detail(t, 1);
		}
		if (sec == SEC_NEW || sec == SEC_STILL)
			ins__jira_columns(t);
		if (sec == SEC_NEW) {
			ins_table_column(t, "traceback", "Traceback", INS_V_LONGTEXT);
			ins_table_column_preview(t, TRACE_PREVIEW_LINES);
		}
	}
	ins_table_set_empty(t, sec_info[sec].empty);
	ins_table_set_minor(t, minor && !r->n);
	for (size_t i = 0; i < n; i++) {
		struct row *x = &r->v[i];

		ins_table_row(t);
		ins_table_text(t, x->nodeid);
		switch (sec) {
		case SEC_SLOWER:
		case SEC_FASTER:
			ins_table_real(t, x->dc.base_median);
			ins_table_real(t, x->dc.target_median);
			ins_table_real(t, x->dc.rel);
			ins_table_real(t, x->dc.mwu.p);
			ins_table_int(t, (int64_t)x->dc.nbase);
			ins_table_int(t, (int64_t)x->dc.ntarget);
			break;
		case SEC_ADDED:
			status_cell(t, x->t);
			break;
		case SEC_REMOVED:
			status_cell(t, x->b);
			break;
		case SEC_FLAKY:
			status_cell(t, x->b);
			status_cell(t, x->t);
			ins_table_int(t, (int64_t)x->bfailed);
			ins_table_int(t, (int64_t)x->bruns);
			ins_table_int(t, (int64_t)x->binrun);
			ins_table_int(t, (int64_t)x->tfailed);
			ins_table_int(t, (int64_t)x->truns);
			ins_table_int(t, (int64_t)x->tinrun);
			ins_table_text(t, x->jira);
			ins_table_text(t, x->jira_url);
			break;
		default:
			status_cell(t, x->b);
			status_cell(t, x->t);
			if (sec == SEC_NEW || sec == SEC_STILL)
				ins_table_text(t, x->msg);
			if (sec == SEC_NEW) {
				ins_table_text(t, x->category);
				ins_table_text(t, x->cause);
			}
			if (sec == SEC_NEW || sec == SEC_STILL) {
				ins_table_text(t, x->jira);
				ins_table_text(t, x->jira_url);
			}
			if (sec == SEC_NEW)
				ins_table_text(t, x->trace);
		}
	}
	ins_table_set_total(t, r->n);
}

static int cmp_rel_desc(const void *a, const void *b)
{
	double x = fabs(((const struct row *)a)->dc.rel), y = fabs(((const struct row *)b)->dc.rel);

	if (x != y)
		return (x < y) - (x > y);
	return strcmp(((const struct row *)a)->nodeid, ((const struct row *)b)->nodeid);
}

/*
 * A side's facts. What it is (its label) is in the title, how it was read
 * matters when the two sides were read differently, and its commit when
 * it is an ancestor of the one asked for: otherwise those facts are minor.
 */
static void selection_facts(ins_doc *doc, const char *which, const ins_selection *s,
			    const ins_selection *other, const ins_sessset *set)
{
	ins_buf id = INS_BUF_INIT, label = INS_BUF_INIT;
	int upper = toupper((unsigned char)which[0]);

	ins_buf_printf(&id, "%s", which);
	ins_buf_printf(&label, "%c%s", upper, which + 1);
	ins_doc_fact_text(doc, id.ptr, label.ptr, s->label);
	ins_doc_fact_minor(doc);
	ins_buf_printf(&id, "_mode");
	ins_buf_printf(&label, " read as");
	ins_doc_fact_text(doc, id.ptr, label.ptr, ins_sel_mode_name(s->mode));
	if (s->mode == other->mode)
		ins_doc_fact_minor(doc);
	ins_buf_clear(&id);
	ins_buf_clear(&label);
	ins_buf_printf(&id, "%s_sessions", which);
	ins_buf_printf(&label, "%c%s sessions", upper, which + 1);
	ins_doc_fact_int(doc, id.ptr, label.ptr, (int64_t)set->n);
	if (s->mode == INS_SEL_SESSION)
		ins_doc_fact_minor(doc);
	if (s->mode == INS_SEL_COMMIT) {
		ins_buf_clear(&id);
		ins_buf_clear(&label);
		ins_buf_printf(&id, "%s_commit", which);
		ins_buf_printf(&label, "%c%s commit", upper, which + 1);
		ins_doc_fact_text(doc, id.ptr, label.ptr, s->commit);
		if (!s->distance)
			ins_doc_fact_minor(doc);
		ins_buf_clear(&id);
		ins_buf_clear(&label);
		ins_buf_printf(&id, "%s_commit_distance", which);
		ins_buf_printf(&label, "%c%s commits back", upper, which + 1);
		ins_doc_fact_int(doc, id.ptr, label.ptr, (int64_t)s->distance);
		if (!s->distance)
			ins_doc_fact_minor(doc);
		if (s->distance)
			ins_doc_note(doc, INS_NOTE_INFO, "%s: no session was recorded on %.7s (%s); "
				     "used its nearest tested ancestor %.7s, %zu commit%s back", which,
				     s->requested, s->ref, s->commit, s->distance,
				     s->distance == 1 ? "" : "s");
	}
	ins_buf_release(&id);
	ins_buf_release(&label);
}

/* A count the counts line and the section headings already say. */
static void put_count(ins_doc *doc, const char *id, const char *label, size_t n)
{
	ins_doc_fact_int(doc, id, label, (int64_t)n);
	ins_doc_fact_minor(doc);
}

static const char *plural(size_t n)
{
	return n == 1 ? "" : "s";
}

void ins_compare_headline(ins_buf *verdict, ins_buf *counts, const ins_compare_result *r,
			  unsigned fail_on)
{
	if (fail_on) {
		if (r->gate_failed) {
			ins_buf_puts(verdict, "gate failed on ");
			for (int i = 0, k = 0; i < INS_GATE_COUNT; i++)
				if (r->tripped & fail_on & (1u << i))
					ins_buf_printf(verdict, "%s%s", k++ ? "," : "", gate_names[i]);
			ins_buf_puts(verdict, ": ");
		} else {
			ins_buf_puts(verdict, "gate passed: ");
		}
	}
	if (r->new_failures)
		ins_buf_printf(verdict, "%zu new failure%s", r->new_failures, plural(r->new_failures));
	if (r->new_failures > 1 && r->new_causes == 1 && r->top_cause_title[0])
		ins_buf_printf(verdict, ", 1 cause: %s", r->top_cause_title);
	else if (r->new_failures > 1 && r->new_causes < r->new_failures && r->top_cause_title[0])
		ins_buf_printf(verdict, ", %zu causes (%zu from %s)", r->new_causes,
			       r->top_cause_failures, r->top_cause_title);
	if (r->slower)
		ins_buf_printf(verdict, "%s%zu duration regression%s", r->new_failures ? ", " : "",
			       r->slower, plural(r->slower));
	if (!r->new_failures && !r->slower)
		ins_buf_puts(verdict, "no new failures");
	if (r->still_failing)
		ins_buf_printf(verdict, ", %zu still failing", r->still_failing);
	if (r->fixed)
		ins_buf_printf(verdict, ", %zu fixed", r->fixed);

	ins_buf_printf(counts, "%zu test%s: %zu passed, %zu failed", r->target_tests,
		       plural(r->target_tests), r->target_passed, r->target_failed);
	if (r->target_failed && r->new_failures)
		ins_buf_printf(counts, " (%zu new)", r->new_failures);
	if (r->target_skipped)
		ins_buf_printf(counts, ", %zu skipped", r->target_skipped);
	if (r->target_flaky)
		ins_buf_printf(counts, ", %zu flaky", r->target_flaky);
	if (!isnan(r->target_pass_rate)) {
		ins_buf_printf(counts, "; pass rate ");
		if (!isnan(r->base_pass_rate)) {
			double pts = 100 * (r->target_pass_rate - r->base_pass_rate);

			ins_buf_printf(counts, "%.1f%% \xe2\x86\x92 %.1f%% ", 100 * r->base_pass_rate,
				       100 * r->target_pass_rate);
			if (fabs(pts) < 0.05)
				ins_buf_puts(counts, "(no change)");
			else
				ins_buf_printf(counts, "(%s%.1f points)", pts < 0 ? "\xe2\x88\x92" : "+",
					       fabs(pts));
		} else {
			ins_buf_printf(counts, "%.1f%%", 100 * r->target_pass_rate);
		}
	}
}

static ins_doc *build_doc(struct cmp *c, const ins_selection *bs, const ins_selection *ts)
{
	ins_compare_result *r = c->res;
	ins_buf title = INS_BUF_INIT, tripped = INS_BUF_INIT;
	ins_buf verdict = INS_BUF_INIT, counts = INS_BUF_INIT;
	ins_doc *doc;
	ins_table *g;
	size_t limit = c->o->limit;
	int minor = !c->o->fail_on;

	ins_buf_printf(&title, "Compare %s \xe2\x86\x92 %s", bs->label, ts->label);
	doc = ins_doc_new("insight.analytics.compare", title.ptr);
	ins_compare_headline(&verdict, &counts, r, c->o->fail_on);
	ins_doc_note(doc, INS_NOTE_VERDICT, "%s", verdict.ptr);
	ins_doc_note(doc, INS_NOTE_VERDICT, "%s", counts.ptr);
	selection_facts(doc, "base", bs, ts, c->b);
	selection_facts(doc, "target", ts, bs, c->t);
	put_count(doc, "tests", "Tests compared", r->tests);
	put_count(doc, "new_failures", "New failures", r->new_failures);
	put_count(doc, "fixed", "Fixed", r->fixed);
	put_count(doc, "still_failing", "Still failing", r->still_failing);
	put_count(doc, "flaky", "Flaky", r->flaky);
	put_count(doc, "added", "Added", r->added);
	put_count(doc, "removed", "Removed", r->removed);
	put_count(doc, "changed", "Other changes", r->changed);
	put_count(doc, "slower", "Duration regressions", r->slower);
	put_count(doc, "faster", "Duration improvements", r->faster);
	put_count(doc, "duration_too_few", "Durations with too few runs", r->too_few);
	ins_doc_fact_percent(doc, "base_pass_rate", "Base pass rate", r->base_pass_rate);
	ins_doc_fact_minor(doc);
	ins_doc_fact_percent(doc, "target_pass_rate", "Target pass rate", r->target_pass_rate);
	ins_doc_fact_minor(doc);
	ins_doc_fact_points(doc, "pass_rate_delta", "Pass-rate change",
			     isnan(r->base_pass_rate) || isnan(r->target_pass_rate) ? NAN :
			     r->target_pass_rate - r->base_pass_rate);
	ins_doc_fact_minor(doc);
	/* The tests of each side by their outcome there, as the counts line reads the target. */
	g = ins_doc_table(doc, "counts", "Base and target");
	ins_table_set_minor(g, 1);
	ins_table_column(g, "side", "Side", INS_V_TEXT);
	ins_table_column(g, "tests", "Tests", INS_V_INT);
	ins_table_column(g, "passed", "Passed", INS_V_INT);
	ins_table_column(g, "failed", "Failed", INS_V_INT);
	ins_table_column(g, "skipped", "Skipped", INS_V_INT);
	ins_table_column(g, "pass_rate", "Pass rate", INS_V_PERCENT);
	ins_table_row(g);
	ins_table_text(g, "base");
	ins_table_int(g, (int64_t)r->base_tests);
	ins_table_int(g, (int64_t)r->base_passed);
	ins_table_int(g, (int64_t)r->base_failed);
	ins_table_int(g, (int64_t)r->base_skipped);
	ins_table_real(g, r->base_pass_rate);
	ins_table_row(g);
	ins_table_text(g, "target");
	ins_table_int(g, (int64_t)r->target_tests);
	ins_table_int(g, (int64_t)r->target_passed);
	ins_table_int(g, (int64_t)r->target_failed);
	ins_table_int(g, (int64_t)r->target_skipped);
	ins_table_real(g, r->target_pass_rate);
	for (int i = 0; i < INS_GATE_COUNT; i++)
		if (r->tripped & c->o->fail_on & (1u << i))
			ins_buf_printf(&tripped, "%s%s", tripped.len ? "," : "", gate_names[i]);
	ins_doc_fact_bool(doc, "gate_failed", "Gate failed", r->gate_failed);
	ins_doc_fact_minor(doc);
	ins_doc_fact_text(doc, "gate_tripped", "Gate conditions that held",
			  tripped.len ? tripped.ptr : NULL);
	ins_doc_fact_minor(doc);

	for (int s = 0; s < SEC__COUNT; s++)
		add_section_table(doc, &c->sec[sec_order[s]], sec_order[s], limit, minor);

	g = ins_doc_table(doc, "gate", "Gate");
	ins_table_set_minor(g, minor);
	ins_table_column(g, "condition", "Condition", INS_V_TEXT);
	ins_table_column(g, "requested", "Requested", INS_V_BOOL);
	ins_table_column(g, "tripped", "Holds", INS_V_BOOL);
	ins_table_column(g, "count", "Tests", INS_V_INT);
	for (int i = 0; i < INS_GATE_COUNT; i++) {
		size_t n = i == 0 ? r->new_failures : i == 1 ? r->slower :
			   i == 2 ? r->target_failing : r->target_flaky;
		ins_table_row(g);
		ins_table_text(g, gate_names[i]);
		ins_table_bool(g, !!(c->o->fail_on & (1u << i)));
		ins_table_bool(g, !!(r->tripped & (1u << i)));
		ins_table_int(g, (int64_t)n);
	}

	/* one session a side never has enough runs: nothing worth saying then */
	if (r->too_few && (c->b->n > 1 || c->t->n > 1))
		ins_doc_note(doc, INS_NOTE_INFO, "%zu test%s had too few runs to compare durations "
			     "(at p < %g a difference needs about 5 runs on each side)", r->too_few,
			     r->too_few == 1 ? "" : "s", c->o->dur.alpha);
	ins_buf_release(&verdict);
	ins_buf_release(&counts);
	ins_buf_release(&title);
	ins_buf_release(&tripped);
	return doc;
}

/* Whether a side was read in a way that can gather the sessions of several SUTs. */
static int may_mix(const ins_selection *s)
{
	return s->mode == INS_SEL_COMMIT || s->mode == INS_SEL_PERIOD;
}

/*
 * Without --sut, the sides read as commits or periods must hold the
 * sessions of one SUT between them: comparing the tests of several SUTs as
 * one set would say "added" and "removed" of tests that only belong to
 * another SUT. INS_EAMBIGUOUS names the SUTs.
 */
static int check_one_sut(ins_store *store, const ins_selection *bsel, const ins_sessset *b,
			 const ins_selection *tsel, const ins_sessset *t)
{
	const ins_selection *sel[2] = { bsel, tsel };
	const ins_sessset *set[2] = { b, t };
	static const char *const side[2] = { "base", "target" };
	ins_buf ids = INS_BUF_INIT, names = INS_BUF_INIT, which = INS_BUF_INIT;
	sqlite3_stmt *st = NULL;
	int64_t first = -1;
	int mixed = 0, rc = 0;
	size_t nnames = 0;

	ins_buf_putc(&ids, '[');
	for (int k = 0; k < 2; k++) {
		if (!may_mix(sel[k]))
			continue;
		ins_buf_printf(&which, "%s%s '%s'", which.len ? " and " : "", side[k], sel[k]->ref);
		for (size_t i = 0; i < set[k]->n; i++) {
			int64_t sut = set[k]->v[i].sut_id;

			if (first < 0)
				first = sut;
			else if (sut != first)
				mixed = 1;
			ins_buf_printf(&ids, "%s%lld", ids.len > 1 ? "," : "", (long long)sut);
		}
	}
	ins_buf_putc(&ids, ']');
	if (!mixed)
		goto done;
	if ((rc = ins_store__prepare(store, &st, "SELECT name FROM sut WHERE id IN "
				     "(SELECT value FROM json_each(?1)) ORDER BY name")) < 0)
		goto done;
	ins_store__bind_text(st, 1, ids.ptr);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		ins_buf_printf(&names, "%s%s", names.len ? ", " : "", ins_store__col_text(st, 0));
		nnames++;
	}
	if (rc != SQLITE_DONE) {
		rc = ins_store__error(store, "reading the compared SUTs");
		goto done;
	}
	rc = ins_error_set(INS_EAMBIGUOUS, "%s hold%s sessions of %zu SUTs (%s): compare one at "
			   "a time with --sut NAME", which.ptr, strstr(which.ptr, " and ") ? "" : "s", nnames, names.ptr);
done:
	sqlite3_finalize(st);
	ins_buf_release(&ids);
	ins_buf_release(&names);
	ins_buf_release(&which);
	return rc;
}

int ins_compare_selections(ins_doc **out, ins_compare_result *res, ins_store *store,
			   const ins_selection *base, const ins_selection *target,
			   const ins_compare_opts *opts)
{
	ins_compare_opts def;
	ins_compare_result local;
	ins_sessset b, t;
	struct cmp c;
	const char *how;
	int rc;

	*out = NULL;
	if (!opts) {
		ins_compare_opts_init(&def);
		opts = &def;
	}
	if (!res)
		res = &local;
	memset(res, 0, sizeof(*res));
	memset(&c, 0, sizeof(c));
	ins_sessset_init(&b);
	ins_sessset_init(&t);
	ins_buf_init(&c.nodeid);
	ins_buf_init(&c.msg);
	c.b = &b;
	c.t = &t;
	c.res = res;
	c.o = opts;

	if ((rc = ins_sessset_load_ids(&b, store, base->ids, base->n)) < 0 ||
	    (rc = ins_sessset_load_ids(&t, store, target->ids, target->n)) < 0)
		goto done;
	if (!opts->sel.sut && (rc = check_one_sut(store, base, &b, target, &t)) < 0)
		goto done;
	c.store = store;
	/* INSIGHT_COMPARE_SCAN=session|test forces a reading (tests check that both agree) */
	how = getenv("INSIGHT_COMPARE_SCAN");
	if (how && !strcmp(how, "test"))
		rc = scan_by_test(&c, store);
	else if (how && !strcmp(how, "session"))
		rc = scan(&c, store);
	else
		rc = b.n + t.n >= SCAN_BY_TEST_MIN_SESSIONS ? scan_by_test(&c, store) :
		     scan(&c, store);
	if (rc < 0)
		goto done;
	for (int s = 0; s < SEC__COUNT; s++)
		if (c.sec[s].n > 1)
			qsort(c.sec[s].v, c.sec[s].n, sizeof(struct row), cmp_nodeid);

	res->new_failures = c.sec[SEC_NEW].n;
	res->fixed = c.sec[SEC_FIXED].n;
	res->still_failing = c.sec[SEC_STILL].n;
	res->flaky = c.sec[SEC_FLAKY].n;
	res->added = c.sec[SEC_ADDED].n;
	res->removed = c.sec[SEC_REMOVED].n;
	res->changed = c.sec[SEC_CHANGED].n;
	res->slower = c.sec[SEC_SLOWER].n;
	res->faster = c.sec[SEC_FASTER].n;
	res->base_pass_rate = ins_sessset_pass_rate(&b);
	res->target_pass_rate = ins_sessset_pass_rate(&t);
	if (res->new_failures)
		res->tripped |= INS_GATE_NEW_FAILURES;
	if (res->slower)
		res->tripped |= INS_GATE_REGRESSIONS;
	if (res->target_failing)
		res->tripped |= INS_GATE_ANY_FAILURE;
	if (res->target_flaky)
		res->tripped |= INS_GATE_FLAKY;
	res->gate_failed = (res->tripped & opts->fail_on) != 0;
	if (c.sec[SEC_SLOWER].n)
		qsort(c.sec[SEC_SLOWER].v, c.sec[SEC_SLOWER].n, sizeof(struct row), cmp_rel_desc);
	if (c.sec[SEC_FASTER].n)
		qsort(c.sec[SEC_FASTER].v, c.sec[SEC_FASTER].n, sizeof(struct row), cmp_rel_desc);
	if ((rc = read_traces(&c, store, opts->limit)) < 0 || (rc = read_causes(&c, store)) < 0 ||
	    (rc = read_jira(&c, store, opts->limit)) < 0)
		goto done;
	*out = build_doc(&c, base, target);
done:
	cmp_release(&c);
	ins_sessset_release(&b);
	ins_sessset_release(&t);
	return rc;
}

int ins_compare_refs(ins_doc **out, ins_compare_result *res, ins_store *store, const char *base,
		     const char *target, const ins_compare_opts *opts)
{
	ins_compare_opts def;
	ins_selection bs, ts;
	ins_selection_opts so;
	int rc;

	*out = NULL;
	if (!opts) {
		ins_compare_opts_init(&def);
		opts = &def;
	}
	memset(&ts, 0, sizeof(ts));
	so = opts->sel;
	if (opts->base_mode != INS_SEL_AUTO)
		so.mode = opts->base_mode;
	if ((rc = ins_selection_resolve(&bs, store, base, &so)) < 0) {
		ins_error_prefix("base '%s'", base);
		goto done;
	}
	so = opts->sel;
	if (opts->target_mode != INS_SEL_AUTO)
		so.mode = opts->target_mode;
	if ((rc = ins_selection_resolve(&ts, store, target, &so)) < 0) {
		ins_error_prefix("target '%s'", target);
		goto done;
	}
	rc = ins_compare_selections(out, res, store, &bs, &ts, opts);
	if (rc == 0 && *out && bs.note)
		ins_doc_note(*out, INS_NOTE_INFO, "base: %s", bs.note);
	if (rc == 0 && *out && ts.note)
		ins_doc_note(*out, INS_NOTE_INFO, "target: %s", ts.note);
done:
	ins_selection_release(&bs);
	ins_selection_release(&ts);
	return rc;
}
