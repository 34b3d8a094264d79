/*
 * cmd_analytics.c - `insight analytics summary|compare|analyze|failures|flaky`
 * and the analysis commands of other groups (sut compare, sut analyze,
 * session compare, test since, test trends).
 *
 * The commands only read options, call one libcore analysis and hand its
 * document to the formatter. Two exceptions print themselves, by design:
 * `flaky --quarantine` prints bare node ids (one a line, for
 * `pytest --deselect`), and compare's gate turns into exit status 1.
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "cmd_analytics.h"
#include "insight/analytics.h"
#include "insight/browse.h"
#include "insight/category.h"
#include "insight/compare.h"
#include "insight/config.h"
#include "insight/timeutil.h"

/* The time window options shared by the analyses. */
struct window_opts {
	const char *time;
	long days;
	const char *since, *until;
};

#define WINDOW_OPTIONS(w, deflt) \
	OPT_STRING(0, "time", &(w).time, "WINDOW", "the window before now: 7d, 24h, 1d12h " \
		   "(default " deflt ")", NULL), \
	OPT_INT(0, "days", &(w).days, "N", "the last N days (same as --time Nd)"), \
	OPT_STRING(0, "since", &(w).since, "DATE", "from this date (2026-11-01, yesterday)", NULL), \
	OPT_STRING(0, "until", &(w).until, "DATE", "up to this date (default: now)", NULL)

/*
 * Turn the window options into [from, to]. Without --time, --days or
 * --since, the window is config key `key` (its default is the one -h shows).
 * Returns 0 or an exit code (printed).
 */
static int window_resolve(ins_ctx *ctx, const struct window_opts *w, const char *key,
			  ins_analytics_opts *o)
{
	int64_t now = ins_time_now_ms(), len;
	const ins_config *cfg;
	int rc;

	if ((w->time != NULL) + (w->days != 0) > 1)
		return cmd_usage_error(ctx, "give either --time or --days, not both");
	if (w->days < 0)
		return cmd_usage_error(ctx, "--days must be positive, not %ld", w->days);
	o->to_ms = now;
	if (w->until && (rc = ins_time_parse_date(&o->to_ms, w->until, 1)) < 0)
		return cmd_fail(rc);
	if (w->since) {
		if (w->time || w->days)
			return cmd_usage_error(ctx, "give either --since or --time/--days, not both");
		if ((rc = ins_time_parse_date(&o->from_ms, w->since, 0)) < 0)
			return cmd_fail(rc);
		return 0;
	}
	if (w->days) {
		len = (int64_t)w->days * 86400000;
	} else if (w->time) {
		if ((rc = ins_time_parse_window(&len, w->time)) < 0)
			return cmd_fail(rc);
	} else {
		if ((rc = cmd_config(ctx, &cfg)) != 0)
			return rc;
		if ((rc = ins_config_get_window(cfg, key, &len)) < 0)
			return cmd_fail(rc);
	}
	o->from_ms = o->to_ms - len;
	return 0;
}

/* Parse a number option given as text. */
static int parse_real(ins_ctx *ctx, const char *name, const char *s, double *out, double lo,
		      double hi)
{
	char *end;
	double v;

	if (!s)
		return 0;
	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || isnan(v) || v < lo || v > hi)
		return cmd_usage_error(ctx, "option '--%s' expects a number from %g to %g, not '%s'",
				       name, lo, hi, s);
	*out = v;
	return 0;
}

static int open_store(ins_ctx *ctx, ins_store **store)
{
	return cmd_store(ctx, CMD_STORE_READ, store);
}

/*
 * A test as the user named it: its node id, or any part of one that names
 * a single test (a function name, file::name, the end of an id), made whole
 * in `whole`. Returns 0 or the exit code of the error it reported.
 */
static int resolve_nodeid(ins_store *store, const char **nodeid, ins_buf *whole)
{
	int64_t id;
	int rc;

	if (!*nodeid)
		return 0;
	if ((rc = ins_browse_test_resolve(store, *nodeid, whole, &id)) < 0)
		return cmd_fail(rc);
	*nodeid = whole->ptr;
	return 0;
}

/* ---- summary ---- */

static int cmd_analytics_summary(int argc, const char **argv, ins_ctx *ctx)
{
	static const char *const usage[] = {
		"insight analytics summary [--sut <name>] [--time <window> | --days <n>] [--limit <n>]",
		NULL
	};
	struct window_opts w = { 0 };
	const char *sut = NULL;
	long limit = 0;
	const struct ins_option opts[] = {
		OPT_STRING('s', "sut", &sut, "NAME", "only this SUT (default: every SUT)", "sut"),
		WINDOW_OPTIONS(w, "7d"),
		OPT_INT(0, "limit", &limit, "N", "rows in the top-failing and slowest lists (default 10)"),
		OPT_END(),
	};
	ins_analytics_opts o;
	ins_store *store;
	ins_doc *doc;
	int rc;

	if (cmd_parse_options(ctx, argc, argv, opts, usage, 0) != 0)
		return EXIT_USAGE;
	ins_analytics_opts_init(&o);
	if ((rc = window_resolve(ctx, &w, "analytics.window", &o)) != 0)
		return rc;
	o.sut = sut;
	o.limit = limit > 0 ? (size_t)limit : 0;
	if ((rc = open_store(ctx, &store)) != 0)
		return rc;
	if ((rc = ins_analytics_summary(&doc, store, &o)) < 0)
		return cmd_fail(rc);
	return cmd_render(ctx, doc);
}

/* ---- compare ---- */

struct compare_cli {
	const char *mode, *sut, *time, *fail_on, *alpha, *min_change, *min_ms;
};

#define COMPARE_OPTIONS(c) \
	OPT_STRING('s', "sut", &(c).sut, "NAME", "only sessions of this SUT", "sut"), \
	OPT_STRING(0, "time", &(c).time, "WINDOW", \
		   "a SUT stands for its sessions in this window (default: its latest session)", NULL), \
	OPT_STRING(0, "fail-on", &(c).fail_on, "LIST", \
		   "exit 1 when one holds: new-failures,regressions,any-failure,flaky", \
		   "new-failures|regressions|any-failure|flaky"), \
	OPT_STRING(0, "alpha", &(c).alpha, "P", "duration changes: significance level (default 0.01)", \
		   NULL), \
	OPT_STRING(0, "min-change", &(c).min_change, "PCT", \
		   "duration changes: smallest change of the median in percent (default 20)", NULL), \
	OPT_STRING(0, "min-ms", &(c).min_ms, "MS", \
		   "duration changes: smallest change of the median in ms (default 50)", NULL)

static int compare_setup(ins_ctx *ctx, const struct compare_cli *c, ins_compare_opts *o)
{
	double pct = 20, ms = 50;
	int rc;

	ins_compare_opts_init(o);
	if ((rc = cmd_categories(ctx, &o->categories)) != 0)
		return rc;
	if (c->mode && (rc = ins_sel_mode_parse(&o->sel.mode, c->mode)) < 0)
		return cmd_fail(rc);
	o->sel.sut = c->sut;
	if (c->time) {
		int64_t len;
		if ((rc = ins_time_parse_window(&len, c->time)) < 0)
			return cmd_fail(rc);
		o->sel.window = c->time;
	}
	if (c->fail_on && (rc = ins_gate_parse(&o->fail_on, c->fail_on)) < 0)
		return cmd_fail(rc);
	if ((rc = parse_real(ctx, "alpha", c->alpha, &o->dur.alpha, 1e-12, 1)) != 0 ||
	    (rc = parse_real(ctx, "min-change", c->min_change, &pct, 0, 1e6)) != 0 ||
	    (rc = parse_real(ctx, "min-ms", c->min_ms, &ms, 0, 1e9)) != 0)
		return rc;
	o->dur.min_rel = pct / 100.0;
	o->dur.min_abs = ms / 1000.0;
	return 0;
}

/* Run the comparison, render it, and turn a failed gate into exit status 1. */
static int compare_run(ins_ctx *ctx, const char *base, const char *target,
		       const ins_compare_opts *o)
{
	ins_compare_result res;
	ins_store *store;
	ins_doc *doc;
	int rc;

	if ((rc = open_store(ctx, &store)) != 0)
		return rc;
	if ((rc = ins_compare_refs(&doc, &res, store, base, target, o)) < 0)
		return cmd_fail(rc);
	rc = cmd_render(ctx, doc);
	if (rc == EXIT_OK && res.gate_failed) {
		ins_buf which = INS_BUF_INIT;

		for (int i = 0; i < INS_GATE_COUNT; i++)
			if (res.tripped & o->fail_on & (1u << i))
				ins_buf_printf(&which, "%s%s", which.len ? ", " : "", ins_gate_name(i));
		if (!ctx->quiet)
			fprintf(stderr, "insight: gate failed: %s\n", which.ptr);
		ins_buf_release(&which);
		return EXIT_CHECK;
	}
	return rc;
}

static int cmd_analytics_compare(int argc, const char **argv, ins_ctx *ctx)
{
	static const char *const usage[] = {
		"insight analytics compare --base <ref> --target <ref> [--mode <mode>] [--sut <name>] "
		"[--time <window>] [--fail-on <list>]",
		NULL
	};
	struct compare_cli c = { 0 };
	const char *base = NULL, *target = NULL;
	const struct ins_option opts[] = {
		OPT_STRING('b', "base", &base, "REF",
			   "a session, SUT, period (7d, 2026-11-01..2026-11-07) or git revision", "ref"),
		OPT_STRING('t', "target", &target, "REF", "the same kinds of ref as --base", "ref"),
		OPT_STRING('m', "mode", &c.mode, "MODE", "read both refs as: session, sut, period, commit",
			   "session|sut|period|commit"),
		COMPARE_OPTIONS(c),
		OPT_END(),
	};
	ins_compare_opts o;
	int rc;

	if (cmd_parse_options(ctx, argc, argv, opts, usage, 0) != 0)
		return EXIT_USAGE;
	if (!base || !target)
		return cmd_usage_error(ctx, "analytics compare needs --base REF and --target REF");
	if ((rc = compare_setup(ctx, &c, &o)) != 0)
		return rc;
	return compare_run(ctx, base, target, &o);
}

/*
 * `sut compare` and `session compare`: the base and the target as the two
 * arguments, read as `mode`; `need` says what they are when they are not
 * two.
 */
static int compare_two(int argc, const char **argv, ins_ctx *ctx, const char *const *usage,
		       ins_sel_mode mode, const char *need)
{
	struct compare_cli c = { 0 };
	const struct ins_option opts[] = {
		COMPARE_OPTIONS(c),
		OPT_END(),
	};
	ins_compare_opts o;
	int n, rc;

	if ((n = cmd_parse_options(ctx, argc, argv, opts, usage, 0)) < 0)
		return EXIT_USAGE;
	if (n != 2)
		return cmd_usage_error(ctx, "%s", need);
	/* the SUTs compared are the arguments; --sut would name a third */
	if (mode == INS_SEL_SUT && c.sut)
		return cmd_usage_error(ctx, "sut compare takes the SUTs as arguments, not --sut");
	if ((rc = compare_setup(ctx, &c, &o)) != 0)
		return rc;
	o.sel.mode = mode;
	return compare_run(ctx, argv[0], argv[1], &o);
}

int cmd_sut_compare(int argc, const char **argv, ins_ctx *ctx)
{
	static const char *const usage[] = {
		"insight sut compare <base-sut> <target-sut> [--time <window>] [--fail-on <list>]", NULL
	};

	return compare_two(argc, argv, ctx, usage, INS_SEL_SUT,
			   "sut compare needs two SUT names (see 'insight sut list')");
}

int cmd_session_compare(int argc, const char **argv, ins_ctx *ctx)
{
	static const char *const usage[] = {
		"insight session compare <base-session> <target-session> [--sut <name>] "
		"[--fail-on <list>]", NULL
	};

	return compare_two(argc, argv, ctx, usage, INS_SEL_SESSION,
			   "session compare needs two session refs: id prefixes, latest or "
			   "latest~N (see 'insight session list')");
}

/* ---- flaky ---- */

static int print_quarantine(ins_ctx *ctx, ins_doc *doc)
{
	const ins_table *t = ins_doc_find_table(doc, "flaky");
	cmd_out out;
	int col, rc;

	if ((rc = cmd_out_open(ctx, &out)) != EXIT_OK) {
		ins_doc_free(doc);
		return rc;
	}
	col = t ? ins_table_col_index(t, "nodeid") : -1;
	for (size_t r = 0; t && col >= 0 && r < t->nrows; r++)
		fprintf(out.fp, "%s\n", ins_table_cell(t, r, (size_t)col)->s);
	rc = cmd_out_close(&out, EXIT_OK);
	ins_doc_free(doc);
	return rc;
}

static int cmd_analytics_flaky(int argc, const char **argv, ins_ctx *ctx)
{
	static const char *const usage[] = {
		"insight analytics flaky [--sut <name>] [--time <window>] [--min-runs <n>] "
		"[--threshold <x>] [--quarantine]",
		NULL
	};
	struct window_opts w = { 0 };
	const char *sut = NULL, *threshold = NULL, *half_life = NULL;
	long min_runs = LONG_MIN;
	int quarantine = 0;
	const struct ins_option opts[] = {
		OPT_STRING('s', "sut", &sut, "NAME", "only this SUT", "sut"),
		WINDOW_OPTIONS(w, "30d"),
		OPT_INT(0, "min-runs", &min_runs, "N",
			"fewer runs than this are 'not enough data' (default 5)"),
		OPT_STRING(0, "threshold", &threshold, "X", "flaky when the score is at least X, "
			   "0 to 1 (default 0.5)", NULL),
		OPT_STRING(0, "half-life", &half_life, "RUNS",
			   "half-life of the flip weights, in runs (default 10)", NULL),
		OPT_BOOL(0, "quarantine", &quarantine,
			 "print only the flaky node ids, one a line (for pytest --deselect)"),
		OPT_END(),
	};
	ins_analytics_opts o;
	ins_store *store;
	ins_doc *doc;
	int rc;

	if (cmd_parse_options(ctx, argc, argv, opts, usage, 0) != 0)
		return EXIT_USAGE;
	ins_analytics_opts_init(&o);
	if ((rc = window_resolve(ctx, &w, "analytics.flaky-window", &o)) != 0)
		return rc;
	if (min_runs == LONG_MIN || !threshold) {
		const ins_config *cfg;

		if ((rc = cmd_config(ctx, &cfg)) != 0)
			return rc;
		if (min_runs == LONG_MIN &&
		    (rc = ins_config_get_int(cfg, "analytics.flaky-min-runs", &min_runs)) < 0)
			return cmd_fail(rc);
		if (!threshold &&
		    (rc = ins_config_get_real(cfg, "analytics.flaky-threshold", &o.threshold)) < 0)
			return cmd_fail(rc);
		if (min_runs < 1)
			return cmd_error(EXIT_USAGE, "analytics.flaky-min-runs must be at least 1");
		if (!threshold && (o.threshold < 0 || o.threshold > 1))
			return cmd_error(EXIT_USAGE, "analytics.flaky-threshold must be from 0 to 1, "
					 "not %g", o.threshold);
	}
	if (min_runs < 1)
		return cmd_usage_error(ctx, "--min-runs must be at least 1");
	if ((rc = parse_real(ctx, "threshold", threshold, &o.threshold, 0, 1)) != 0 ||
	    (rc = parse_real(ctx, "half-life", half_life, &o.half_life, 0.01, 1e9)) != 0)
		return rc;
	o.sut = sut;
	o.min_runs = min_runs;
	if ((rc = open_store(ctx, &store)) != 0)
		return rc;
	if ((rc = ins_analytics_flaky(&doc, store, &o)) < 0)
		return cmd_fail(rc);
	if (quarantine && ctx->output != INS_OUT_JSON)
		return print_quarantine(ctx, doc);
	return cmd_render(ctx, doc);
}

/* ---- failures ---- */

static int cmd_analytics_failures(int argc, const char **argv, ins_ctx *ctx)
{
	static const char *const usage[] = {
		"insight analytics failures [--sut <name>] [--time <window>] "
		"[--by cause|fingerprint|test|category] [--cause <id>] [--nodeid <id>]", NULL
	};
	struct window_opts w = { 0 };
	const char *sut = NULL, *nodeid = NULL, *by = NULL, *cause = NULL;
	const ins_categories *cats = NULL;
	long limit = 0;
	const struct ins_option opts[] = {
		OPT_STRING('s', "sut", &sut, "NAME", "only this SUT", "sut"),
		WINDOW_OPTIONS(w, "7d"),
		OPT_STRING(0, "by", &by, "GROUP",
			   "group by cause (default), fingerprint, test or category",
			   "cause|fingerprint|test|category"),
		OPT_STRING(0, "cause", &cause, "ID", "every test and session of one cause", NULL),
		OPT_STRING(0, "nodeid", &nodeid, "ID", "one test's failure history", "test"),
		OPT_INT(0, "limit", &limit, "N", "rows per table (default: all)"),
		OPT_END(),
	};
	ins_buf whole = INS_BUF_INIT;
	ins_analytics_opts o;
	ins_store *store;
	ins_doc *doc;
	int rc;

	if (cmd_parse_options(ctx, argc, argv, opts, usage, 0) != 0)
		return EXIT_USAGE;
	ins_analytics_opts_init(&o);
	if ((rc = window_resolve(ctx, &w, "analytics.window", &o)) != 0)
		return rc;
	if (!by || !strcmp(by, "cause"))
		o.failures_by = INS_FAILURES_BY_CAUSE;
	else if (!strcmp(by, "fingerprint"))
		o.failures_by = INS_FAILURES_BY_FINGERPRINT;
	else if (!strcmp(by, "test"))
		o.failures_by = INS_FAILURES_BY_TEST;
	else if (!strcmp(by, "category"))
		o.failures_by = INS_FAILURES_BY_CATEGORY;
	else
		return cmd_usage_error(ctx, "--by takes cause, fingerprint, test or category, not '%s'",
				       by);
	if ((cause && nodeid) || (cause && by) || (nodeid && by))
		return cmd_usage_error(ctx, "give one of --by, --cause and --nodeid");
	o.sut = sut;
	o.cause = cause;
	o.limit = limit > 0 ? (size_t)limit : 0;
	if ((rc = cmd_categories(ctx, &cats)) != 0)
		return rc;
	o.categories = cats;
	if ((rc = open_store(ctx, &store)) != 0)
		return rc;
	if ((rc = resolve_nodeid(store, &nodeid, &whole)) != 0)
		return rc;
	o.nodeid = nodeid;
	rc = ins_analytics_failures(&doc, store, &o);
	ins_buf_release(&whole);
	if (rc < 0)
		return cmd_fail(rc);
	return cmd_render(ctx, doc);
}

/* ---- analyze and trends ---- */

static int analyze_common(ins_ctx *ctx, const char *sut, const char *nodeid, const char *metric,
			  const char *by, const struct window_opts *w)
{
	ins_buf whole = INS_BUF_INIT;
	ins_analytics_opts o;
	ins_store *store;
	ins_doc *doc;
	int rc;

	ins_analytics_opts_init(&o);
	if ((rc = window_resolve(ctx, w, "analytics.trend-window", &o)) != 0)
		return rc;
	if (metric && (rc = ins_metric_parse(&o.metric, metric)) < 0)
		return cmd_fail(rc);
	if (by && strcmp(by, "day") && strcmp(by, "session"))
		return cmd_usage_error(ctx, "--by takes day or session, not '%s'", by);
	o.by_session = by && !strcmp(by, "session");
	o.sut = sut;
	if ((rc = open_store(ctx, &store)) != 0)
		return rc;
	if ((rc = resolve_nodeid(store, &nodeid, &whole)) != 0)
		return rc;
	o.nodeid = nodeid;
	rc = ins_analytics_analyze(&doc, store, &o);
	ins_buf_release(&whole);
	if (rc < 0)
		return cmd_fail(rc);
	return cmd_render(ctx, doc);
}

#define ANALYZE_OPTIONS(metric, by, w) \
	OPT_STRING(0, "metric", &(metric), "METRIC", \
		   "pass-rate, duration, failure-rate or flakiness (default pass-rate)", \
		   "pass-rate|duration|failure-rate|flakiness"), \
	OPT_STRING(0, "by", &(by), "UNIT", "one point per day (default) or per session", \
		   "day|session"), \
	WINDOW_OPTIONS(w, "30d")

static int cmd_analytics_analyze(int argc, const char **argv, ins_ctx *ctx)
{
	static const char *const usage[] = {
		"insight analytics analyze --sut <name> --metric <metric> [--days <n>] [--by session]",
		NULL
	};
	struct window_opts w = { 0 };
	const char *sut = NULL, *metric = NULL, *by = NULL, *nodeid = NULL;
	const struct ins_option opts[] = {
		OPT_STRING('s', "sut", &sut, "NAME", "the SUT (default: every SUT together)", "sut"),
		ANALYZE_OPTIONS(metric, by, w),
		OPT_STRING(0, "nodeid", &nodeid, "ID", "the metric of one test", "test"),
		OPT_END(),
	};

	if (cmd_parse_options(ctx, argc, argv, opts, usage, 0) != 0)
		return EXIT_USAGE;
	return analyze_common(ctx, sut, nodeid, metric, by, &w);
}

int cmd_sut_analyze(int argc, const char **argv, ins_ctx *ctx)
{
	static const char *const usage[] = {
		"insight sut analyze <sut> [--metric <metric>] [--days <n>] [--by session]", NULL
	};
	struct window_opts w = { 0 };
	const char *metric = NULL, *by = NULL;
	const struct ins_option opts[] = {
		ANALYZE_OPTIONS(metric, by, w),
		OPT_END(),
	};
	int n;

	if ((n = cmd_parse_options(ctx, argc, argv, opts, usage, 0)) < 0)
		return EXIT_USAGE;
	if (n != 1)
		return cmd_usage_error(ctx, "sut analyze needs one SUT name (see 'insight sut list')");
	return analyze_common(ctx, argv[0], NULL, metric, by, &w);
}

int cmd_test_trends(int argc, const char **argv, ins_ctx *ctx)
{
	static const char *const usage[] = {
		"insight test trends [<nodeid>] [--sut <name>] [--metric <metric>] [--days <n>]", NULL
	};
	struct window_opts w = { 0 };
	const char *sut = NULL, *metric = NULL, *by = NULL;
	const struct ins_option opts[] = {
		OPT_STRING('s', "sut", &sut, "NAME", "only this SUT", "sut"),
		ANALYZE_OPTIONS(metric, by, w),
		OPT_END(),
	};
	int n;

	if ((n = cmd_parse_options(ctx, argc, argv, opts, usage, 0)) < 0)
		return EXIT_USAGE;
	if (n > 1)
		return cmd_usage_error(ctx, "test trends takes at most one node id");
	return analyze_common(ctx, sut, n ? argv[0] : NULL, metric, by, &w);
}

/* ---- test since ---- */

int cmd_test_since(int argc, const char **argv, ins_ctx *ctx)
{
	static const char *const usage[] = {
		"insight test since <nodeid> [--sut <name>] [--repo <path>]", NULL
	};
	const char *sut = NULL, *repo = NULL;
	const struct ins_option opts[] = {
		OPT_STRING('s', "sut", &sut, "NAME", "the SUT (default: that of the test's latest session)",
			   "sut"),
		OPT_STRING(0, "repo", &repo, "PATH", "the git repository (default: the working directory)",
			   "dir"),
		OPT_END(),
	};
	ins_buf whole = INS_BUF_INIT;
	const char *test;
	ins_analytics_opts o;
	ins_store *store;
	ins_doc *doc;
	int n, rc;

	if ((n = cmd_parse_options(ctx, argc, argv, opts, usage, 0)) < 0)
		return EXIT_USAGE;
	if (n != 1)
		return cmd_usage_error(ctx, "test since needs one node id (see 'insight test list')");
	ins_analytics_opts_init(&o);
	o.sut = sut;
	o.repo = repo;
	if ((rc = open_store(ctx, &store)) != 0)
		return rc;
	test = argv[0];
	if ((rc = resolve_nodeid(store, &test, &whole)) != 0)
		return rc;
	rc = ins_test_since(&doc, store, test, &o);
	ins_buf_release(&whole);
	if (rc < 0)
		return cmd_fail(rc);
	return cmd_render(ctx, doc);
}

static const struct ins_subcmd analytics_subs[] = {
	{ "summary", cmd_analytics_summary, "pass rate, failures, flaky and slow tests per SUT",
	  CMD_STORE_READ },
	{ "compare", cmd_analytics_compare, "compare two sets of sessions; a gate for pipelines",
	  CMD_STORE_READ },
	{ "analyze", cmd_analytics_analyze, "a metric over time: its trend and what moved it",
	  CMD_STORE_READ },
	{ "failures", cmd_analytics_failures, "failures grouped by cause, fingerprint or test",
	  CMD_STORE_READ },
	{ "flaky", cmd_analytics_flaky, "flaky tests, their evidence and a quarantine list",
	  CMD_STORE_READ },
	{ NULL, NULL, NULL, 0 },
};

const struct ins_group cmd_group_analytics = {
	"analytics", "analyse the history: summary, compare, trends, failures, flaky tests",
	analytics_subs, NULL, CMD_NO_STORE, 0
};
