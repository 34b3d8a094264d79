/*
 * plan.c - shards of equal predicted time from the history (see plan.h).
 *
 * Cost: one statement reading the final results of the SUT's latest
 * INS_PLAN_RECENT_SESSIONS sessions (their primary-key ranges), in test
 * order; then sorting the items and a bounded improvement pass.
 */
#define _GNU_SOURCE

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/analysis_internal.h"
#include "analysis/plan_internal.h"
#include "insight/plan.h"

#define DEFAULT_ESTIMATE 1.0    /* seconds, when the SUT has no times at all */
#define IMPROVE_ROUNDS 1000     /* moves and swaps tried at most */

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double median(double *v, size_t n)
{
	if (!n)
		return NAN;
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* The median of the runs plus half their median absolute deviation. */
static double estimate_of(const double *runs, size_t n)
{
	double v[INS_PLAN_RECENT_SESSIONS], dev[INS_PLAN_RECENT_SESSIONS], m;

	memcpy(v, runs, n * sizeof(*v));
	m = median(v, n);
	for (size_t i = 0; i < n; i++)
		dev[i] = fabs(runs[i] - m);
	return m + median(dev, n) / 2;
}

size_t ins__plan_key_len(const char *id, ins_plan_by by)
{
	const char *sep = strstr(id, "::"), *last = NULL;

	if (by == INS_PLAN_BY_TEST)
		return strlen(id);
	if (by == INS_PLAN_BY_FILE)
		return sep ? (size_t)(sep - id) : strlen(id);
	for (const char *p = id; (p = strstr(p, "::")); p += 2)
		last = p;
	return last ? (size_t)(last - id) : strlen(id);
}

static int cmp_known(const void *a, const void *b)
{
	return strcmp(((const struct ins_plan_known *)a)->nodeid,
		      ((const struct ins_plan_known *)b)->nodeid);
}

/* How much one final result counts as a failure: failed or error 1, passed on a retry 0.5. */
static double fail_weight(int outcome, int attempt)
{
	if (ins_outcome_is_failure((ins_outcome)outcome))
		return 1;
	if (outcome == INS_OUTCOME_PASSED && attempt > 1)
		return 0.5;
	return 0;
}

/* The decayed failure rate of runs newest first: weights halve every INS_PLAN_FAIL_HALF_LIFE runs. */
static double fail_rate_of(const double *fails, size_t n)
{
	double num = 0, den = 0;

	for (size_t i = 0; i < n; i++) {
		double w = pow(0.5, (double)i / INS_PLAN_FAIL_HALF_LIFE);

		num += w * fails[i];
		den += w;
	}
	return den > 0 ? num / den : 0;
}

int ins__plan_read_known(ins_store *store, int64_t sut_id, int64_t since_ms, int run_total,
			 const char *run_commit, struct ins_plan_known **out, size_t *nout)
{
	char pattern[32];
	sqlite3_stmt *st;
	struct ins_plan_known *v = NULL;
	size_t n = 0, alloc = 0, ntimes = 0, nfails = 0;
	double times[INS_PLAN_RECENT_SESSIONS], fails[INS_PLAN_RECENT_SESSIONS];
	int64_t cur = -1, latest = -1;
	int rc;

	*out = NULL;
	*nout = 0;
	/* the latest session, whose failures go first in an order */
	if ((rc = ins_store__prepare(store, &st,
		"SELECT id FROM session WHERE sut_id = ?1 AND started_ms >= ?2 "
		"ORDER BY started_ms DESC, id DESC LIMIT 1")) < 0)
		return rc;
	sqlite3_bind_int64(st, 1, sut_id);
	sqlite3_bind_int64(st, 2, since_ms);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		latest = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return ins_store__error(store, "reading the latest session");
	if ((rc = ins_store__prepare(store, &st,
		"SELECT r.test_id, t.nodeid, r.duration, r.outcome, r.attempt, r.session_id "
		"FROM result r JOIN test t ON t.id = r.test_id JOIN session s ON s.id = r.session_id "
		"WHERE r.session_id IN (SELECT id FROM session WHERE sut_id = ?1 "
		"  AND started_ms >= ?2 AND NOT (?4 IS NOT NULL AND git_commit IS ?5 AND id IN "
		"    (SELECT session_id FROM session_tag WHERE key = 'shard' AND value LIKE ?4)) "
		"  ORDER BY started_ms DESC, id DESC LIMIT ?3) "
		"AND r.final = 1 ORDER BY r.test_id, s.started_ms DESC, s.id DESC")) < 0)
		return rc;
	sqlite3_bind_int64(st, 1, sut_id);
	sqlite3_bind_int64(st, 2, since_ms);
	sqlite3_bind_int(st, 3, INS_PLAN_RECENT_SESSIONS);
	if (run_total > 0) {
		snprintf(pattern, sizeof(pattern), "%%/%d", run_total);
		sqlite3_bind_text(st, 4, pattern, -1, SQLITE_STATIC);
		if (run_commit)
			sqlite3_bind_text(st, 5, run_commit, -1, SQLITE_STATIC);
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(st, 0);
		int outcome = sqlite3_column_int(st, 3);

		if (id != cur) {
			if (cur >= 0) {
				v[n - 1].estimate = ntimes ? estimate_of(times, ntimes) : -1;
				v[n - 1].fail_rate = fail_rate_of(fails, nfails);
			}
			v = ins_xgrow(v, &alloc, n + 1, sizeof(*v));
			memset(&v[n], 0, sizeof(v[n]));
			v[n].nodeid = ins_xstrdup(ins_store__col_text(st, 1));
			n++;
			ntimes = nfails = 0;
			cur = id;
		}
		if (sqlite3_column_int64(st, 5) == latest && ins_outcome_is_failure((ins_outcome)outcome))
			v[n - 1].failed_last = 1;
		if (sqlite3_column_type(st, 2) != SQLITE_NULL && sqlite3_column_double(st, 2) >= 0 &&
		    ntimes < INS_PLAN_RECENT_SESSIONS)
			times[ntimes++] = sqlite3_column_double(st, 2);
		/* a skip says nothing about the failure rate */
		if (outcome != INS_OUTCOME_SKIPPED && nfails < INS_PLAN_RECENT_SESSIONS)
			fails[nfails++] = fail_weight(outcome, sqlite3_column_int(st, 4));
		v[n - 1].runs++;
	}
	if (cur >= 0) {
		v[n - 1].estimate = ntimes ? estimate_of(times, ntimes) : -1;
		v[n - 1].fail_rate = fail_rate_of(fails, nfails);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		ins__plan_known_free(v, n);
		return ins_store__error(store, "reading the tests' times");
	}
	if (n > 1)
		qsort(v, n, sizeof(*v), cmp_known);
	*out = v;
	*nout = n;
	return 0;
}

void ins__plan_known_free(struct ins_plan_known *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i].nodeid);
	free(v);
}

const struct ins_plan_known *ins__plan_known_find(const struct ins_plan_known *k, size_t nk,
						  const char *nodeid)
{
	struct ins_plan_known key = { .nodeid = (char *)nodeid };

	return nk ? bsearch(&key, k, nk, sizeof(*k), cmp_known) : NULL;
}

int ins__plan_latest_tests(ins_store *store, int64_t sut_id, char ***out, size_t *nout)
{
	sqlite3_stmt *st;
	char **v = NULL;
	size_t n = 0, alloc = 0;
	int rc;

	*out = NULL;
	*nout = 0;
	if ((rc = ins_store__prepare(store, &st,
		"SELECT t.nodeid FROM result r JOIN test t ON t.id = r.test_id "
		"WHERE r.session_id = (SELECT id FROM session WHERE sut_id = ?1 AND id NOT IN "
		"  (SELECT session_id FROM session_tag WHERE key = 'shard') "
		"  ORDER BY started_ms DESC, id DESC LIMIT 1) AND r.final = 1 ORDER BY t.nodeid")) < 0)
		return rc;
	sqlite3_bind_int64(st, 1, sut_id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		v = ins_xgrow(v, &alloc, n + 1, sizeof(*v));
		v[n++] = ins_xstrdup(ins_store__col_text(st, 0));
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		ins__plan_names_free(v, n);
		return ins_store__error(store, "reading the latest session's tests");
	}
	*out = v;
	*nout = n;
	return 0;
}

void ins__plan_names_free(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/*
 * The known time of the item `name` of `by`: a test's own estimate, or the
 * sum of the tests of the history that make up the file or class. -1 when
 * none is known.
 */
static double item_known(const struct ins_plan_known *k, size_t nk, const char *name, ins_plan_by by)
{
	size_t lo = 0, hi = nk, len = strlen(name);
	double sum = 0;
	int any = 0;

	/* the first node id >= name: a test, or the first test of the file or class */
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (strcmp(k[mid].nodeid, name) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (size_t i = lo; i < nk && !strncmp(k[i].nodeid, name, len); i++) {
		if (by == INS_PLAN_BY_TEST) {
			if (!k[i].nodeid[len])
				return k[i].estimate;   /* -1 when its runs have no times */
			break;
		}
		/* a test of this file or class, not of one whose name merely starts alike */
		if (k[i].estimate >= 0 && ins__plan_key_len(k[i].nodeid, by) == len) {
			sum += k[i].estimate;
			any = 1;
		}
	}
	return any ? sum : -1;
}

/* The median time of the items of `by` in the history whose key starts `name[0..len)`. */
static double group_median(const struct ins_plan_known *k, size_t nk, const char *name, size_t len)
{
	double *v = NULL, m;
	size_t n = 0, alloc = 0, lo = 0, hi = nk;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (strncmp(k[mid].nodeid, name, len) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (size_t i = lo; i < nk && !strncmp(k[i].nodeid, name, len); i++) {
		if (k[i].estimate < 0)
			continue;
		v = ins_xgrow(v, &alloc, n + 1, sizeof(*v));
		v[n++] = k[i].estimate;
	}
	m = median(v, n);
	free(v);
	return m;
}

/*
 * The last group median asked for: new tests come in name order, so the
 * tests of one file (or class) ask for the same median one after another.
 */
struct median_memo {
	char *key;
	size_t len;
	double median;
};

static double memo_median(struct median_memo *m, const struct ins_plan_known *k, size_t nk,
			  const char *name, size_t len)
{
	if (m->key && m->len == len && !memcmp(m->key, name, len))
		return m->median;
	free(m->key);
	m->key = ins_xstrndup(name, len);
	m->len = len;
	m->median = group_median(k, nk, name, len);
	return m->median;
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(((const struct ins_plan_name *)a)->name, ((const struct ins_plan_name *)b)->name);
}

size_t ins__plan_unique(struct ins_plan_name **out, const char *const *names, size_t n,
			ins_plan_by by)
{
	struct ins_plan_name *v = ins_xcalloc(n ? n : 1, sizeof(*v));
	size_t m = 0, w = 0;

	for (size_t i = 0; i < n; i++) {
		const char *name = names[i];
		size_t len = ins__plan_key_len(name, by);

		while (len && (name[len - 1] == ' ' || name[len - 1] == '\t' || name[len - 1] == '\r'))
			len--;
		if (!len)
			continue;
		v[m].name = ins_xstrndup(name, len);
		v[m].order = i;
		m++;
	}
	if (m > 1)
		qsort(v, m, sizeof(*v), cmp_name);
	/* a name given twice keeps its first place */
	for (size_t i = 0; i < m; i++) {
		if (w && !strcmp(v[w - 1].name, v[i].name)) {
			if (v[i].order < v[w - 1].order)
				v[w - 1].order = v[i].order;
			free(v[i].name);
			continue;
		}
		v[w++] = v[i];
	}
	*out = v;
	return w;
}

static int cmp_item_ptr_name(const void *a, const void *b)
{
	return strcmp((*(ins_plan_item *const *)a)->name, (*(ins_plan_item *const *)b)->name);
}

/* Longest first; equal times by name, so that the input's order does not matter. */
static int cmp_item_lpt(const void *a, const void *b)
{
	const ins_plan_item *x = a, *y = b;

	if (x->estimate != y->estimate)
		return x->estimate < y->estimate ? 1 : -1;
	return strcmp(x->name, y->name);
}

static int cmp_item_order(const void *a, const void *b)
{
	const ins_plan_item *x = a, *y = b;

	return (x->order > y->order) - (x->order < y->order);
}

static void extremes(const ins_plan *p, int *longest, int *shortest)
{
	*longest = *shortest = 0;
	for (int s = 1; s < p->total; s++) {
		if (p->load[s] > p->load[*longest])
			*longest = s;
		if (p->load[s] < p->load[*shortest])
			*shortest = s;
	}
}

/* The items of the shortest shard by estimate, then by LPT position (qsort_r). */
static int cmp_by_estimate(const void *a, const void *b, void *items)
{
	size_t i = *(const size_t *)a, j = *(const size_t *)b;
	double x = ((const ins_plan_item *)items)[i].estimate;
	double y = ((const ins_plan_item *)items)[j].estimate;

	if (x != y)
		return x < y ? -1 : 1;
	return (i > j) - (i < j);
}

/*
 * The best swap partner in `b` (sorted by estimate) for an item of time
 * `e` between loads la > lb: the one whose difference d comes closest to
 * (la - lb) / 2, as max(la - d, lb + d) is least there. Of equal results
 * the first by LPT position. Returns that maximum, or la when none helps.
 */
static double best_swap(const ins_plan *p, const size_t *b, size_t nb, double e, double la,
			double lb, size_t *which)
{
	double target = e - (la - lb) / 2, best = la;
	size_t lo = 0, hi = nb, cand[2];

	*which = SIZE_MAX;
	/* the first item at or above the target, and the last one below */
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (p->items[b[mid]].estimate < target)
			lo = mid + 1;
		else
			hi = mid;
	}
	cand[0] = lo;
	cand[1] = lo ? lo - 1 : SIZE_MAX;
	for (int c = 0; c < 2; c++) {
		size_t at = cand[c], first;
		double d, m;

		if (at == SIZE_MAX || at >= nb)
			continue;
		/* the first of its equals, by LPT position */
		for (first = at; first && p->items[b[first - 1]].estimate ==
		     p->items[b[at]].estimate; first--)
			;
		d = e - p->items[b[first]].estimate;
		if (d <= 0)
			continue;
		m = fmax(la - d, lb + d);
		if (m < best || (m == best && *which != SIZE_MAX && b[first] < *which)) {
			best = m;
			*which = b[first];
		}
	}
	return best;
}

/*
 * Move one item, or swap two, between the longest shard and the shortest
 * while that shortens the longest: the change that leaves the smaller of
 * the two larger loads wins, ties to the first item by the LPT order.
 */
static void improve(ins_plan *p)
{
	size_t *in_a = ins_xcalloc(p->n, sizeof(*in_a)), *in_b = ins_xcalloc(p->n, sizeof(*in_b));

	for (int round = 0; round < IMPROVE_ROUNDS; round++) {
		int a, b;
		double best, la, lb;
		size_t bi = SIZE_MAX, bj = SIZE_MAX, na = 0, nb = 0;

		extremes(p, &a, &b);
		la = p->load[a];
		lb = p->load[b];
		best = la;
		if (a == b)
			break;
		/* the items of the two shards, in the LPT order the array is in */
		for (size_t i = 0; i < p->n; i++) {
			if (p->items[i].shard == a + 1)
				in_a[na++] = i;
			else if (p->items[i].shard == b + 1)
				in_b[nb++] = i;
		}
		qsort_r(in_b, nb, sizeof(*in_b), cmp_by_estimate, p->items);
		for (size_t ia = 0; ia < na; ia++) {
			const ins_plan_item *x = &p->items[in_a[ia]];
			double m = fmax(la - x->estimate, lb + x->estimate);
			size_t y;

			/* a move */
			if (m < best - 1e-9) {
				best = m;
				bi = in_a[ia];
				bj = SIZE_MAX;
			}
			/* a swap with a shorter item of the shortest shard */
			m = best_swap(p, in_b, nb, x->estimate, la, lb, &y);
			if (y != SIZE_MAX && m < best - 1e-9) {
				best = m;
				bi = in_a[ia];
				bj = y;
			}
		}
		if (bi == SIZE_MAX)
			break;
		p->items[bi].shard = b + 1;
		p->load[a] -= p->items[bi].estimate;
		p->load[b] += p->items[bi].estimate;
		p->count[a]--;
		p->count[b]++;
		if (bj != SIZE_MAX) {
			p->items[bj].shard = a + 1;
			p->load[b] -= p->items[bj].estimate;
			p->load[a] += p->items[bj].estimate;
			p->count[b]--;
			p->count[a]++;
		}
	}
	free(in_a);
	free(in_b);
}

int ins_plan_shard(ins_plan **out, ins_store *store, const ins_plan_opts *o,
		   const char *const *names, size_t n)
{
	ins_plan *p = NULL;
	struct ins_plan_known *k = NULL;
	char **latest = NULL;
	struct ins_plan_name *uniq = NULL;
	struct median_memo file_memo = { 0 }, class_memo = { 0 };
	size_t nk = 0, nlatest = 0, m = 0, nall = 0;
	int64_t sut_id;
	double sut_median, total = 0, longest = 0, *all = NULL;
	int rc;

	*out = NULL;
	if (o->total < 1)
		return ins_error_set(INS_EUSAGE, "the number of shards must be 1 or more");
	if ((rc = ins__sut_id(store, o->sut, &sut_id)) < 0) {
		if (rc != INS_ENOTFOUND || !o->new_sut || !n)
			return rc;
		ins_error_clear();
		sut_id = -1;    /* no session has it: every item is new */
	}
	if ((rc = ins__plan_read_known(store, sut_id, o->since_ms, o->run_total, o->run_commit, &k,
					&nk)) < 0)
		return rc;
	if (!n) {
		if ((rc = ins__plan_latest_tests(store, sut_id, &latest, &nlatest)) < 0)
			goto done;
		names = (const char *const *)latest;
		n = nlatest;
	}
	p = ins_xcalloc(1, sizeof(*p));
	p->total = o->total;
	p->by = o->by;
	p->sut = ins_xstrdup(o->sut);
	p->load = ins_xcalloc((size_t)o->total, sizeof(*p->load));
	p->count = ins_xcalloc((size_t)o->total, sizeof(*p->count));
	p->items = ins_xcalloc(n ? n : 1, sizeof(*p->items));
	m = ins__plan_unique(&uniq, names, n, o->by);
	for (size_t i = 0; i < m; i++) {
		p->items[i].name = uniq[i].name;
		p->items[i].order = uniq[i].order;
	}
	free(uniq);
	p->n = m;
	if (!m) {
		rc = ins_error_set(INS_EUSAGE, "nothing to plan: no tests were given and SUT '%s' "
				   "has no session with tests", o->sut);
		goto done;
	}
	/* estimates: known ones first, then the medians that stand in for the others */
	all = ins_xcalloc(nk ? nk : 1, sizeof(*all));
	for (size_t i = 0; i < nk; i++)
		if (k[i].estimate >= 0)
			all[nall++] = k[i].estimate;
	sut_median = median(all, nall);
	for (size_t i = 0; i < m; i++) {
		ins_plan_item *x = &p->items[i];
		double e = item_known(k, nk, x->name, o->by);

		if (e >= 0) {
			x->estimate = e;
			x->known = 1;
			continue;
		}
		p->unknown++;
		/* a new test: its file's tests, else its class's, else the SUT's */
		e = NAN;
		if (o->by == INS_PLAN_BY_TEST) {
			size_t fl = ins__plan_key_len(x->name, INS_PLAN_BY_FILE), cl = ins__plan_key_len(x->name,
										      INS_PLAN_BY_CLASS);

			if (fl < strlen(x->name))
				e = memo_median(&file_memo, k, nk, x->name, fl + 2);
			if (isnan(e) && cl < strlen(x->name))
				e = memo_median(&class_memo, k, nk, x->name, cl + 2);
		}
		x->estimate = !isnan(e) ? e : !isnan(sut_median) ? sut_median : DEFAULT_ESTIMATE;
	}
	/* longest processing time first, each to the shard with the least so far */
	qsort(p->items, m, sizeof(*p->items), cmp_item_lpt);
	for (size_t i = 0; i < m; i++) {
		int s = 0;

		for (int j = 1; j < p->total; j++)
			if (p->load[j] < p->load[s])
				s = j;
		p->items[i].shard = s + 1;
		p->load[s] += p->items[i].estimate;
		p->count[s]++;
		total += p->items[i].estimate;
		if (p->items[i].estimate > longest)
			longest = p->items[i].estimate;
	}
	improve(p);
	p->lower_bound = fmax(total / p->total, longest);
	/* the runner gets each shard's items in the order they were given */
	qsort(p->items, m, sizeof(*p->items), cmp_item_order);
	p->by_name = ins_xcalloc(m, sizeof(*p->by_name));
	for (size_t i = 0; i < m; i++)
		p->by_name[i] = &p->items[i];
	qsort(p->by_name, m, sizeof(*p->by_name), cmp_item_ptr_name);
	rc = 0;
done:
	ins__plan_known_free(k, nk);
	free(all);
	free(file_memo.key);
	free(class_memo.key);
	ins__plan_names_free(latest, nlatest);
	if (rc < 0) {
		ins_plan_free(p);
		p = NULL;
	}
	*out = p;
	return rc;
}

void ins_plan_free(ins_plan *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->n; i++)
		free(p->items[i].name);
	free(p->items);
	free(p->by_name);
	free(p->load);
	free(p->count);
	free(p->sut);
	free(p);
}

int ins_plan_has_shards(ins_store *store, const char *sut, int total)
{
	sqlite3_stmt *st;
	char pattern[32];
	int rc;

	if ((rc = ins_store__prepare(store, &st,
		"SELECT 1 FROM session_tag g JOIN session s ON s.id = g.session_id "
		"JOIN sut u ON u.id = s.sut_id WHERE g.key = 'shard' AND g.value LIKE ?1 "
		"AND u.name = ?2 LIMIT 1")) < 0)
		return rc;
	snprintf(pattern, sizeof(pattern), "%%/%d", total);
	sqlite3_bind_text(st, 1, pattern, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, sut, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc == SQLITE_ROW)
		return 1;
	return rc == SQLITE_DONE ? 0 : ins_store__error(store, "reading the sessions' tags");
}

int ins_plan_shard_of(const ins_plan *p, const char *nodeid)
{
	ins_plan_item key, *kp = &key, **hit;
	size_t len = ins__plan_key_len(nodeid, p->by);

	key.name = ins_xstrndup(nodeid, len);
	hit = p->n ? bsearch(&kp, p->by_name, p->n, sizeof(*p->by_name), cmp_item_ptr_name) : NULL;
	free(key.name);
	return hit ? (*hit)->shard : 0;
}

ins_doc *ins_plan_doc(const ins_plan *p)
{
	static const char *const by_name[] = { "test", "file", "class" };
	ins_doc *doc = ins_doc_new("insight.plan.shard", "Shards");
	ins_table *t;
	double longest = 0, shortest = INFINITY;

	for (int s = 0; s < p->total; s++) {
		longest = fmax(longest, p->load[s]);
		shortest = fmin(shortest, p->load[s]);
	}
	ins_doc_fact_text(doc, "sut", "SUT", p->sut);
	ins_doc_fact_text(doc, "by", "Split by", by_name[p->by]);
	ins_doc_fact_int(doc, "shards", "Shards", p->total);
	ins_doc_fact_int(doc, "items", "Items", (int64_t)p->n);
	ins_doc_fact_int(doc, "unknown", "Without a history", (int64_t)p->unknown);
	ins_doc_fact_duration(doc, "longest", "Longest shard", longest);
	ins_doc_fact_duration(doc, "lower_bound", "Lower bound", p->lower_bound);
	ins_doc_fact_percent(doc, "imbalance", "Over the lower bound",
			     p->lower_bound > 0 ? longest / p->lower_bound - 1 : 0);
	t = ins_doc_table(doc, "shards", "Shards");
	ins_table_column(t, "shard", "Shard", INS_V_INT);
	ins_table_column(t, "predicted", "Predicted", INS_V_DURATION);
	ins_table_column(t, "items", "Items", INS_V_INT);
	for (int s = 0; s < p->total; s++) {
		ins_table_row(t);
		ins_table_int(t, s + 1);
		ins_table_real(t, p->load[s]);
		ins_table_int(t, (int64_t)p->count[s]);
	}
	t = ins_doc_table(doc, "items", "Items");
	ins_table_column(t, "name", by_name[p->by][0] == 't' ? "Test" : by_name[p->by][0] == 'f' ?
			 "File" : "Class", INS_V_TEXT);
	ins_table_column(t, "shard", "Shard", INS_V_INT);
	ins_table_column(t, "estimate", "Estimate", INS_V_DURATION);
	ins_table_column(t, "known", "From its runs", INS_V_BOOL);
	ins_table_set_minor(t, 1);
	for (size_t i = 0; i < p->n; i++) {
		ins_table_row(t);
		ins_table_text(t, p->items[i].name);
		ins_table_int(t, p->items[i].shard);
		ins_table_real(t, p->items[i].estimate);
		ins_table_bool(t, p->items[i].known);
	}
	ins_doc_note(doc, INS_NOTE_VERDICT, "%zu %s%s in %d shards; the longest %.1f s, %.1f %% over "
		     "the lower bound; %zu without a history", p->n, by_name[p->by],
		     p->n == 1 ? "" : "s", p->total, longest,
		     p->lower_bound > 0 ? 100 * (longest / p->lower_bound - 1) : 0.0, p->unknown);
	return doc;
}
