/*
 * order.c - a list of tests ordered for fast feedback (see plan.h).
 *
 * Cost: the statement plan shard reads (the SUT's latest sessions), the
 * flaky scan of `analytics flaky` over its window, one indexed lookup per
 * test the recent sessions do not know, and a sort. Changed paths are
 * matched through a table sorted by file stem.
 */
#define _GNU_SOURCE

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "analysis/analytics_internal.h"
#include "analysis/plan_internal.h"
#include "insight/buf.h"
#include "insight/plan.h"
#include "insight/timeutil.h"

static const char *const strategy_names[] = {
	"risk", "failed-first", "new-first", "flaky-last", "slow-first"
};

const char *ins_order_strategy_name(ins_order_strategy s)
{
	return (unsigned)s < sizeof(strategy_names) / sizeof(*strategy_names) ?
		strategy_names[s] : NULL;
}

int ins_order_strategy_parse(const char *name, ins_order_strategy *out)
{
	for (size_t i = 0; i < sizeof(strategy_names) / sizeof(*strategy_names); i++) {
		if (!strcmp(name, strategy_names[i])) {
			*out = (ins_order_strategy)i;
			return 0;
		}
	}
	return ins_error_set(INS_EUSAGE, "unknown strategy '%s' (risk, failed-first, new-first, "
			     "flaky-last or slow-first)", name);
}

/* ---- changed files ---- */

static int has_suffix(const char *s, size_t len, const char *suffix)
{
	size_t n = strlen(suffix);

	return len > n && !strncasecmp(s + len - n, suffix, n);
}

/*
 * The stem of a path or a test's file: its base name without the
 * extension and without the affixes runners name test files by
 * (test_x.py, x_test.go, x.test.js, XTest.java...). A file part without
 * a "/" and with dots that end in no source extension is a class name
 * (com.shop.CartTest): its last part is the base name. Writes into `out`.
 */
static void file_stem(const char *path, ins_buf *out)
{
	static const char *const exts[] = {
		"py", "js", "mjs", "cjs", "jsx", "ts", "tsx", "go", "rb", "java", "kt", "scala",
		"cs", "fs", "php", "c", "cc", "cpp", "cxx", "h", "hpp", "rs", "swift", "ex", "exs",
		NULL
	};
	static const char *const suffixes[] = {
		"_test", "_tests", "_spec", ".test", ".spec", "-test", "-spec", "Tests", "Test",
		"Spec", "IT", NULL
	};
	const char *base = strrchr(path, '/'), *dot;
	size_t len;
	int known_ext = 0;

	base = base ? base + 1 : path;
	len = strlen(base);
	if ((dot = strrchr(base, '.'))) {
		for (size_t i = 0; exts[i]; i++)
			if (!strcasecmp(dot + 1, exts[i]))
				known_ext = 1;
		if (known_ext || strchr(path, '/')) {
			len = (size_t)(dot - base);
		} else {
			/* a class name: its last part */
			len -= (size_t)(dot + 1 - base);
			base = dot + 1;
		}
	}
	if (len > 5 && !strncasecmp(base, "test_", 5)) {
		base += 5;
		len -= 5;
	}
	for (size_t i = 0; suffixes[i]; i++) {
		if (has_suffix(base, len, suffixes[i])) {
			len -= strlen(suffixes[i]);
			break;
		}
	}
	ins_buf_clear(out);
	for (size_t i = 0; i < len; i++)
		ins_buf_putc(out, (char)tolower((unsigned char)base[i]));
}

struct changed {
	char *stem;
	const char *path;   /* borrowed from the options */
};

static int cmp_changed(const void *a, const void *b)
{
	return strcmp(((const struct changed *)a)->stem, ((const struct changed *)b)->stem);
}

/* `a` and `b` name the same file: equal, or one ends with "/" and the other. */
static int same_file(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);

	if (la < lb) {
		const char *t = a;

		a = b;
		b = t;
		la = lb;
		lb = strlen(b);
	}
	return !strcmp(a + la - lb, b) && (la == lb || a[la - lb - 1] == '/');
}

/* C of the risk: 1 for the test's own file, 0.5 for a file of its stem, else 0. */
static double change_of(const struct changed *c, size_t nc, const char *file, ins_buf *stem)
{
	size_t lo = 0, hi = nc;
	double best = 0;

	if (!nc)
		return 0;
	file_stem(file, stem);
	if (!stem->len)
		return 0;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (strcmp(c[mid].stem, stem->ptr) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (size_t i = lo; i < nc && !strcmp(c[i].stem, stem->ptr); i++) {
		if (same_file(c[i].path, file))
			return 1;
		best = 0.5;
	}
	return best;
}

/* ---- the order ---- */

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The node ids `analytics flaky` calls flaky for the SUT from `from_ms` to now, sorted. */
static int flaky_tests(ins_store *store, const char *sut, int64_t sut_id, int64_t from_ms,
		       char ***out, size_t *nout)
{
	ins_analytics_opts ao;
	struct flaky_list fl;
	ins_sessset set;
	ins_dayspan ds;
	char **v = NULL;
	int rc;

	*out = NULL;
	*nout = 0;
	memset(&fl, 0, sizeof(fl));
	ins_analytics_opts_init(&ao);
	ao.sut = sut;
	ao.from_ms = from_ms;
	ins_sessset_init(&set);
	memset(&ds, 0, sizeof(ds));
	ins_sessset_init(&ds.edge);
	if ((rc = ins_sessset_load_window(&set, store, sut, ao.from_ms, ao.to_ms)) < 0)
		goto done;
	if ((rc = ins__dayspan_split(&ds, store, &set, sut_id, ao.from_ms, ao.to_ms)) < 0)
		goto done;
	if ((rc = ins_an__flaky_scan(&fl, store, &set, &ds, &ao)) < 0)
		goto done;
	v = ins_xcalloc(fl.n ? fl.n : 1, sizeof(*v));
	for (size_t i = 0; i < fl.n; i++)
		v[i] = ins_xstrdup(fl.v[i].nodeid);
	if (fl.n > 1)
		qsort(v, fl.n, sizeof(*v), cmp_str);
	*out = v;
	*nout = fl.n;
done:
	ins_an__flaky_list_release(&fl);
	ins__dayspan_release(&ds);
	ins_sessset_release(&set);
	return rc;
}

/* 1 when some session of the SUT ran the test. */
static int ever_ran(ins_store *store, sqlite3_stmt *st, int64_t sut_id, const char *nodeid)
{
	int rc;

	sqlite3_reset(st);
	sqlite3_bind_text(st, 1, nodeid, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, sut_id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		return 1;
	if (rc == SQLITE_DONE)
		return 0;
	return ins_store__error(store, "reading a test's history");
}

static int cmp_name_order(const ins_order_item *x, const ins_order_item *y)
{
	int c = strcmp(x->name, y->name);

	return c ? c : (x->order > y->order) - (x->order < y->order);
}

static int cmp_order(const ins_order_item *x, const ins_order_item *y)
{
	return (x->order > y->order) - (x->order < y->order);
}

static int cmp_risk(const ins_order_item *x, const ins_order_item *y)
{
	if (x->risk != y->risk)
		return x->risk < y->risk ? 1 : -1;
	if (x->estimate != y->estimate)
		return x->estimate < 0 ? 1 : y->estimate < 0 ? -1 : x->estimate < y->estimate ? -1 : 1;
	return cmp_name_order(x, y);
}

static int cmp_item(const void *a, const void *b, void *strategy)
{
	const ins_order_item *x = a, *y = b;
	int kx, ky;

	switch (*(const ins_order_strategy *)strategy) {
	case INS_ORDER_FAILED_FIRST:
		kx = !x->failed_last, ky = !y->failed_last;
		break;
	case INS_ORDER_NEW_FIRST:
		kx = !x->is_new, ky = !y->is_new;
		break;
	case INS_ORDER_FLAKY_LAST:
		kx = x->flaky, ky = y->flaky;
		break;
	case INS_ORDER_SLOW_FIRST:
		if (x->estimate != y->estimate)
			return x->estimate < y->estimate ? 1 : -1;
		return cmp_name_order(x, y);
	default:
		kx = (int)x->group, ky = (int)y->group;
		if (kx != ky)
			return kx - ky;
		return x->group == INS_ORDER_GROUP_NEW ? cmp_order(x, y) : cmp_risk(x, y);
	}
	return kx != ky ? kx - ky : cmp_order(x, y);
}

int ins_plan_last_green_commit(ins_store *store, const char *sut, char **out)
{
	sqlite3_stmt *st;
	int64_t sut_id;
	int rc;

	*out = NULL;
	if ((rc = ins__sut_id(store, sut, &sut_id)) < 0)
		return rc;
	if ((rc = ins_store__prepare(store, &st,
		"SELECT git_commit FROM session WHERE sut_id = ?1 AND git_commit IS NOT NULL "
		"AND n_tests > 0 AND n_failed = 0 AND n_error = 0 AND state = 'complete' "
		"ORDER BY started_ms DESC, id DESC LIMIT 1")) < 0)
		return rc;
	sqlite3_bind_int64(st, 1, sut_id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*out = ins_xstrdup(ins_store__col_text(st, 0));
	sqlite3_finalize(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 :
		ins_store__error(store, "reading the latest session without failures");
}

int ins_plan_order(ins_order **out, ins_store *store, const ins_order_opts *o,
		   const char *const *names, size_t n)
{
	ins_order *ord = NULL;
	struct ins_plan_known *k = NULL;
	struct ins_plan_name *uniq = NULL;
	struct changed *ch = NULL;
	sqlite3_stmt *ran = NULL;
	char **latest = NULL, **flaky = NULL;
	size_t nk = 0, nlatest = 0, nflaky = 0, m;
	ins_buf stem = INS_BUF_INIT;
	int64_t sut_id;
	int rc;

	*out = NULL;
	/* one read transaction: the lookups below take no lock each */
	if ((rc = ins_store__exec(store, "BEGIN")) < 0)
		return rc;
	if ((rc = ins__sut_id(store, o->sut, &sut_id)) < 0)
		goto done;
	if ((rc = ins__plan_read_known(store, sut_id, o->since_ms, 0, NULL, &k, &nk)) < 0)
		goto done;
	if ((rc = flaky_tests(store, o->sut, sut_id, o->flaky_from_ms, &flaky, &nflaky)) < 0)
		goto done;
	if (!n) {
		if ((rc = ins__plan_latest_tests(store, sut_id, &latest, &nlatest)) < 0)
			goto done;
		names = (const char *const *)latest;
		n = nlatest;
	}
	m = ins__plan_unique(&uniq, names, n, INS_PLAN_BY_TEST);
	if (!m) {
		rc = ins_error_set(INS_EUSAGE, "nothing to order: no tests were given and SUT '%s' "
				   "has no session with tests", o->sut);
		goto done;
	}
	ch = ins_xcalloc(o->nchanged ? o->nchanged : 1, sizeof(*ch));
	for (size_t i = 0; i < o->nchanged; i++) {
		file_stem(o->changed[i], &stem);
		ch[i].stem = ins_xstrdup(stem.len ? stem.ptr : "");
		ch[i].path = o->changed[i];
	}
	if (o->nchanged > 1)
		qsort(ch, o->nchanged, sizeof(*ch), cmp_changed);
	if ((rc = ins_store__prepare(store, &ran,
		"SELECT 1 FROM test t JOIN " INS_RESULT_BY_TEST " r ON r.test_id = t.id "
		"JOIN session s ON s.id = r.session_id WHERE t.nodeid = ?1 AND s.sut_id = ?2 "
		"LIMIT 1")) < 0)
		goto done;

	ord = ins_xcalloc(1, sizeof(*ord));
	ord->strategy = o->strategy;
	ord->sut = ins_xstrdup(o->sut);
	ord->changed_since = o->changed_since ? ins_xstrdup(o->changed_since) : NULL;
	ord->nchanged_paths = o->nchanged;
	ord->items = ins_xcalloc(m, sizeof(*ord->items));
	ord->n = m;
	for (size_t i = 0; i < m; i++) {
		ins_order_item *x = &ord->items[i];
		const struct ins_plan_known *kt = ins__plan_known_find(k, nk, uniq[i].name);
		size_t fl = ins__plan_key_len(uniq[i].name, INS_PLAN_BY_FILE);
		char *file = ins_xstrndup(uniq[i].name, fl);

		x->name = uniq[i].name;
		x->order = uniq[i].order;
		x->estimate = kt ? kt->estimate : -1;
		x->fail_rate = kt ? kt->fail_rate : 0;
		x->failed_last = kt && kt->failed_last;
		x->flaky = nflaky && bsearch(&x->name, flaky, nflaky, sizeof(*flaky), cmp_str);
		if (!kt) {
			if ((rc = ever_ran(store, ran, sut_id, x->name)) < 0) {
				free(file);
				for (size_t j = i + 1; j < m; j++)
					free(uniq[j].name);
				goto done;
			}
			x->is_new = !rc;
		}
		x->change = change_of(ch, o->nchanged, file, &stem);
		free(file);
		x->risk = x->fail_rate + x->change;
		x->group = x->failed_last ? INS_ORDER_GROUP_FAILED : x->is_new ? INS_ORDER_GROUP_NEW :
			x->flaky ? INS_ORDER_GROUP_FLAKY : INS_ORDER_GROUP_RISK;
		ord->groups[x->group]++;
		if (x->change > 0)
			ord->changed++;
	}
	qsort_r(ord->items, m, sizeof(*ord->items), cmp_item, (void *)&o->strategy);
	rc = 0;
done:
	sqlite3_finalize(ran);
	if (ins_store__exec(store, "COMMIT") < 0)
		ins_error_clear();
	free(uniq);
	for (size_t i = 0; ch && i < o->nchanged; i++)
		free(ch[i].stem);
	free(ch);
	ins_buf_release(&stem);
	ins__plan_known_free(k, nk);
	ins__plan_names_free(latest, nlatest);
	ins__plan_names_free(flaky, nflaky);
	if (rc < 0) {
		ins_order_free(ord);
		ord = NULL;
	}
	*out = ord;
	return rc;
}

void ins_order_free(ins_order *ord)
{
	if (!ord)
		return;
	for (size_t i = 0; i < ord->n; i++)
		free(ord->items[i].name);
	free(ord->items);
	free(ord->changed_since);
	free(ord->sut);
	free(ord);
}

ins_doc *ins_order_doc(const ins_order *ord)
{
	static const char *const group_names[] = { "failed", "new", "risk", "flaky" };
	ins_doc *doc = ins_doc_new("insight.plan.order", "Test order");
	ins_table *t;

	ins_doc_fact_text(doc, "sut", "SUT", ord->sut);
	ins_doc_fact_text(doc, "strategy", "Strategy", ins_order_strategy_name(ord->strategy));
	ins_doc_fact_int(doc, "tests", "Tests", (int64_t)ord->n);
	ins_doc_fact_int(doc, "failed_last", "Failed in the latest session",
			 (int64_t)ord->groups[INS_ORDER_GROUP_FAILED]);
	ins_doc_fact_int(doc, "new", "New", (int64_t)ord->groups[INS_ORDER_GROUP_NEW]);
	ins_doc_fact_int(doc, "flaky", "Flaky", (int64_t)ord->groups[INS_ORDER_GROUP_FLAKY]);
	if (ord->changed_since)
		ins_doc_fact_text(doc, "changed_since", "Changes since", ord->changed_since);
	else
		ins_doc_fact_null(doc, "changed_since", "Changes since");
	ins_doc_fact_int(doc, "changed_files", "Changed files", (int64_t)ord->nchanged_paths);
	ins_doc_fact_int(doc, "changed_tests", "Tests near a change", (int64_t)ord->changed);
	t = ins_doc_table(doc, "tests", "Tests in the order to run");
	ins_table_column(t, "rank", "#", INS_V_INT);
	ins_table_column(t, "nodeid", "Test", INS_V_TEXT);
	ins_table_column(t, "group", "Group", INS_V_TEXT);
	ins_table_column(t, "risk", "Risk", INS_V_REAL);
	ins_table_column(t, "fail_rate", "Failure rate", INS_V_REAL);
	ins_table_column(t, "change", "Change", INS_V_REAL);
	ins_table_column(t, "estimate", "Estimate", INS_V_DURATION);
	for (size_t i = 0; i < ord->n; i++) {
		const ins_order_item *x = &ord->items[i];

		ins_table_row(t);
		ins_table_int(t, (int64_t)i + 1);
		ins_table_text(t, x->name);
		ins_table_text(t, group_names[x->group]);
		ins_table_real(t, floor(x->risk * 1000 + 0.5) / 1000);
		ins_table_real(t, floor(x->fail_rate * 1000 + 0.5) / 1000);
		ins_table_real(t, x->change);
		if (x->estimate >= 0)
			ins_table_real(t, x->estimate);
		else
			ins_table_null(t);
	}
	ins_doc_note(doc, INS_NOTE_VERDICT, "%zu test%s ordered by %s: %zu failed in the latest "
		     "session, %zu new, %zu flaky; %zu near a change", ord->n, ord->n == 1 ? "" : "s",
		     ins_order_strategy_name(ord->strategy), ord->groups[INS_ORDER_GROUP_FAILED],
		     ord->groups[INS_ORDER_GROUP_NEW], ord->groups[INS_ORDER_GROUP_FLAKY],
		     ord->changed);
	return doc;
}
