/*
 * cmd_plan.c - `insight plan shard` and `insight plan order`: the next
 * run's tests split into shards of equal predicted time, or ordered for
 * fast feedback, from the history (insight/plan.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "insight/config.h"
#include "insight/git.h"
#include "insight/plan.h"
#include "insight/timeutil.h"

/* The lines of `path` ("-": stdin), one item each; blank lines and "#" comments skipped. */
static int read_items(ins_ctx *ctx, const char *path, char ***out, size_t *n)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "r") : stdin;
	char *line = NULL, **v = NULL;
	size_t cap = 0, alloc = 0;
	ssize_t len;

	(void)ctx;
	*out = NULL;
	*n = 0;
	if (!f)
		return cmd_error(EXIT_USAGE, "cannot read '%s': %s", path, strerror(errno));
	while ((len = getline(&line, &cap, f)) >= 0) {
		while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			line[--len] = '\0';
		if (!len || line[0] == '#')
			continue;
		v = ins_xgrow(v, &alloc, *n + 1, sizeof(*v));
		v[(*n)++] = ins_xstrdup(line);
	}
	free(line);
	if (f != stdin)
		fclose(f);
	*out = v;
	return 0;
}

/* --since as a start time in ms, into *ms. */
static int parse_since(ins_ctx *ctx, const char *since, int64_t *ms)
{
	int64_t w;

	*ms = 0;
	if (!since)
		return 0;
	if (ins_time_parse_window(&w, since) == 0) {
		*ms = ins_time_now_ms() - w;
		return 0;
	}
	if (ins_time_parse_date(ms, since, 0) < 0)
		return cmd_usage_error(ctx, "--since takes a window (7d) or a date (2026-11-01), "
				       "not '%s'", since);
	return 0;
}

/* --sut, else session.sut from the configuration. */
static int plan_sut(ins_ctx *ctx, const char **sut)
{
	const ins_config *cfg;
	int rc;

	if (*sut)
		return 0;
	if ((rc = cmd_config(ctx, &cfg)) != 0)
		return rc;
	if (ins_config_get_string(cfg, "session.sut", sut) < 0 || !*sut)
		return cmd_usage_error(ctx, "give --sut, the SUT whose history gives the times "
				       "(or set session.sut)");
	return 0;
}

static void free_items(char **items, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(items[i]);
	free(items);
}

static int cmd_plan_shard(int argc, const char **argv, ins_ctx *ctx)
{
	static const char *const usage[] = {
		"insight plan shard --total <n> --index <i> [--by test|file|class] [--sut <name>] "
		"[--since <time>] [--explain] [<file>|-]", NULL
	};
	const char *sut = NULL, *by = NULL, *since = NULL;
	long total = 0, index = 0;
	int explain = 0, n, rc;
	const struct ins_option opts[] = {
		OPT_INT(0, "total", &total, "N", "the number of shards"),
		OPT_INT(0, "index", &index, "I", "the shard to print, 1 to N"),
		OPT_STRING(0, "by", &by, "UNIT", "split by test (default), file or class",
			   "test|file|class"),
		OPT_STRING('s', "sut", &sut, "NAME", "the SUT whose history gives the times "
			   "(default: session.sut)", "sut"),
		OPT_STRING(0, "since", &since, "TIME", "only sessions since TIME (7d, 2026-11-01)",
			   NULL),
		OPT_BOOL(0, "explain", &explain, "print each shard's predicted time and the balance"),
		OPT_END(),
	};
	ins_plan_opts o = { 0 };
	ins_store *store;
	ins_plan *plan = NULL;
	char **items = NULL, head[41];
	size_t nitems = 0;

	if ((n = cmd_parse_options(ctx, argc, argv, opts, usage, 0)) < 0)
		return EXIT_USAGE;
	if (n > 1)
		return cmd_usage_error(ctx, "plan shard takes one list of tests (a file, or - for "
				       "standard input)");
	if (total < 1)
		return cmd_usage_error(ctx, "give --total, the number of shards (1 or more)");
	if (index == 0 && total >= 1)
		return cmd_usage_error(ctx, "--index counts from 1 to %ld (CircleCI's "
				       "CIRCLE_NODE_INDEX counts from 0: give $((CIRCLE_NODE_INDEX + 1)))",
				       total);
	if (index < 0 || index > total)
		return cmd_usage_error(ctx, "--index must be from 1 to %ld, not %ld", total, index);
	if (!by || !strcmp(by, "test"))
		o.by = INS_PLAN_BY_TEST;
	else if (!strcmp(by, "file"))
		o.by = INS_PLAN_BY_FILE;
	else if (!strcmp(by, "class"))
		o.by = INS_PLAN_BY_CLASS;
	else
		return cmd_usage_error(ctx, "--by takes test, file or class, not '%s'", by);
	if ((rc = parse_since(ctx, since, &o.since_ms)) != 0 || (rc = plan_sut(ctx, &sut)) != 0)
		return rc;
	o.sut = sut;
	o.total = (int)total;
	if (n == 1 && (rc = read_items(ctx, argv[0], &items, &nitems)) != 0)
		return rc;
	if ((rc = cmd_store(ctx, CMD_STORE_READ, &store)) != 0)
		goto done;
	/*
	 * What the jobs of this run recorded already (session run --shard) does
	 * not count. Only a history with such sessions needs the commit, and
	 * with it libgit2.
	 */
	o.run_total = o.total;
	if (ins_plan_has_shards(store, sut, o.total) > 0 &&
	    ins_git_resolve(head, NULL, "HEAD") == 0)
		o.run_commit = head;
	ins_error_clear();
	if ((rc = ins_plan_shard(&plan, store, &o, (const char *const *)items, nitems)) < 0) {
		rc = cmd_fail(rc);
		goto done;
	}
	if (explain || ctx->output_name) {
		rc = cmd_render(ctx, ins_plan_doc(plan));
	} else {
		cmd_out out;

		if ((rc = cmd_out_open(ctx, &out)) != EXIT_OK)
			goto done;
		for (size_t i = 0; i < plan->n; i++)
			if (plan->items[i].shard == index)
				fprintf(out.fp, "%s\n", plan->items[i].name);
		rc = cmd_out_close(&out, EXIT_OK);
	}
done:
	ins_plan_free(plan);
	free_items(items, nitems);
	return rc;
}

struct paths {
	char **v;
	size_t n, alloc;
};

static void add_path(void *data, const char *path)
{
	struct paths *p = data;

	p->v = ins_xgrow(p->v, &p->alloc, p->n + 1, sizeof(*p->v));
	p->v[p->n++] = ins_xstrdup(path);
}

static int cmd_plan_order(int argc, const char **argv, ins_ctx *ctx)
{
	static const char *const usage[] = {
		"insight plan order [--strategy risk|failed-first|new-first|flaky-last|slow-first] "
		"[--sut <name>] [--since <time>] [--flaky-window <time>] [--changes-since <rev>] "
		"[--no-changes] [--repo <path>] [--explain] [<file>|-]", NULL
	};
	const char *sut = NULL, *strategy = NULL, *since = NULL, *window = NULL, *base = NULL,
		*repo = NULL;
	int explain = 0, no_changes = 0, n, rc;
	const struct ins_option opts[] = {
		OPT_STRING(0, "strategy", &strategy, "NAME", "risk (default), failed-first, "
			   "new-first, flaky-last or slow-first",
			   "risk|failed-first|new-first|flaky-last|slow-first"),
		OPT_STRING('s', "sut", &sut, "NAME", "the SUT whose history is read "
			   "(default: session.sut)", "sut"),
		OPT_STRING(0, "since", &since, "TIME", "only sessions since TIME (7d, 2026-11-01)",
			   NULL),
		OPT_STRING(0, "flaky-window", &window, "TIME", "the window of the flaky analysis "
			   "(default 30d)", NULL),
		OPT_STRING(0, "changes-since", &base, "REV", "count changes since REV (default: "
			   "the SUT's latest session without failures)", NULL),
		OPT_BOOL(0, "no-changes", &no_changes, "leave changed files out of the risk"),
		OPT_STRING(0, "repo", &repo, "PATH", "the git repository (default: the working "
			   "directory)", NULL),
		OPT_BOOL(0, "explain", &explain, "print every test with its group and risk"),
		OPT_END(),
	};
	ins_order_opts o = { 0 };
	ins_store *store;
	ins_order *ord = NULL;
	struct paths changed = { 0 };
	char **items = NULL, *green = NULL, sha[41];
	size_t nitems = 0;
	int64_t w;

	if ((n = cmd_parse_options(ctx, argc, argv, opts, usage, 0)) < 0)
		return EXIT_USAGE;
	if (n > 1)
		return cmd_usage_error(ctx, "plan order takes one list of tests (a file, or - for "
				       "standard input)");
	if (strategy && ins_order_strategy_parse(strategy, &o.strategy) < 0)
		return cmd_usage_error(ctx, "%s", ins_error_last());
	if (window && ins_time_parse_window(&w, window) < 0)
		return cmd_usage_error(ctx, "--flaky-window takes a window (30d, 12w), not '%s'",
				       window);
	o.flaky_from_ms = ins_time_now_ms() - (window ? w : 30 * INT64_C(86400000));
	if (no_changes && base)
		return cmd_usage_error(ctx, "--no-changes and --changes-since cannot be used together");
	if ((rc = parse_since(ctx, since, &o.since_ms)) != 0 || (rc = plan_sut(ctx, &sut)) != 0)
		return rc;
	o.sut = sut;
	if (n == 1 && (rc = read_items(ctx, argv[0], &items, &nitems)) != 0)
		return rc;
	if ((rc = cmd_store(ctx, CMD_STORE_READ, &store)) != 0)
		goto done;
	/* the files changed since the last green session weigh in the risk */
	if (!no_changes && o.strategy == INS_ORDER_RISK) {
		if (!base) {
			if ((rc = ins_plan_last_green_commit(store, sut, &green)) < 0) {
				rc = cmd_fail(rc);
				goto done;
			}
			base = green;
		}
		if (base) {
			if ((rc = ins_git_changed_paths(repo, base, add_path, &changed)) < 0) {
				/* an explicit revision must work; the default may be out of reach */
				if (base != green) {
					rc = cmd_fail(rc);
					goto done;
				}
				cmd_note(ctx, "insight: changed files left out: %s", ins_error_last());
			} else {
				o.changed = (const char *const *)changed.v;
				o.nchanged = changed.n;
				o.changed_since = ins_git_resolve(sha, repo, base) == 0 ? sha : base;
			}
		}
	}
	if ((rc = ins_plan_order(&ord, store, &o, (const char *const *)items, nitems)) < 0) {
		rc = cmd_fail(rc);
		goto done;
	}
	if (explain || ctx->output_name) {
		rc = cmd_render(ctx, ins_order_doc(ord));
	} else {
		cmd_out out;

		if ((rc = cmd_out_open(ctx, &out)) != EXIT_OK)
			goto done;
		for (size_t i = 0; i < ord->n; i++)
			fprintf(out.fp, "%s\n", ord->items[i].name);
		rc = cmd_out_close(&out, EXIT_OK);
	}
done:
	ins_order_free(ord);
	free_items(items, nitems);
	free_items(changed.v, changed.n);
	free(green);
	return rc;
}

static const struct ins_subcmd plan_subs[] = {
	{ "shard", cmd_plan_shard, "the tests of one shard of equal predicted time",
	  CMD_STORE_READ },
	{ "order", cmd_plan_order, "the tests in the order that fails fastest", CMD_STORE_READ },
	{ NULL, NULL, NULL, 0 },
};

const struct ins_group cmd_group_plan = {
	"plan", "plan the next run from the history", plan_subs, NULL, CMD_NO_STORE, 0
};
