/*
 * cmd_sut.c - the `insight sut` group: the systems under test in the history.
 */
#include "cmd_analytics.h"
#include "cmd_browse.h"

/*
 * insight sut list [--limit <n> | --all]
 *
 * Every SUT by name: how many sessions it has, when it last ran (local
 * time) and that session's id, the number of tests and the pass rate
 * (passed / (passed + failed + error)) of that last session, and a trend:
 * the pass rates of its last 20 sessions as a sparkline, oldest first.
 *
 *   -n, --limit N   show at most N SUTs (default 50)
 *   --all           show every SUT
 */
static int cmd_sut_list(int argc, const char **argv, ins_ctx *ctx)
{
	static const char *const usage[] = { "insight sut list [--limit <n> | --all]", NULL };
	struct browse_opts o = BROWSE_OPTS_INIT;
	const struct ins_option opts[] = {
		BROWSE_OPT_LIMIT(&o, "show at most N SUTs (default 50)"),
		OPT_END(),
	};
	ins_store *store;
	size_t limit;
	ins_doc *doc;
	int n, rc;

	if ((n = cmd_parse_options(ctx, argc, argv, opts, usage, 0)) < 0)
		return EXIT_USAGE;
	if (n > 0)
		return cmd_usage_error(ctx, "sut list takes no arguments (did you mean "
				       "'sut show %s'?)", argv[0]);
	if ((rc = browse_limit(ctx, &o, INS_BROWSE_DEFAULT_LIMIT, &limit)) != 0)
		return rc;
	if ((rc = cmd_store(ctx, CMD_STORE_READ, &store)) != 0)
		return rc;
	if ((rc = ins_browse_sut_list(&doc, store, limit)) < 0)
		return cmd_fail(rc);
	return cmd_render(ctx, doc);
}

/*
 * insight sut show [--limit <n> | --all] <sut>
 *
 * One SUT: when it was first recorded, its number of sessions, its first
 * and last run, the tests, pass rate and flaky count of its last session;
 * its pass rate and duration over its last 50 sessions (sparklines); its
 * most recent sessions (as in session list); and the tests that failed or
 * errored in its last session, with their messages.
 *
 *   -n, --limit N   show N recent sessions and failing tests (default 10)
 *   --all           show all of them
 */
static int cmd_sut_show(int argc, const char **argv, ins_ctx *ctx)
{
	static const char *const usage[] = { "insight sut show [--limit <n> | --all] <sut>", NULL };
	struct browse_opts o = BROWSE_OPTS_INIT;
	const struct ins_option opts[] = {
		BROWSE_OPT_LIMIT(&o, "show N recent sessions and failing tests (default 10)"),
		OPT_END(),
	};
	ins_store *store;
	size_t limit;
	ins_doc *doc;
	int n, rc;

	if ((n = cmd_parse_options(ctx, argc, argv, opts, usage, 0)) < 0)
		return EXIT_USAGE;
	if (n != 1)
		return cmd_usage_error(ctx, "sut show takes one SUT name (see 'insight sut list')");
	if ((rc = browse_limit(ctx, &o, 10, &limit)) != 0)
		return rc;
	if ((rc = cmd_store(ctx, CMD_STORE_READ, &store)) != 0)
		return rc;
	if ((rc = ins_browse_sut_show(&doc, store, argv[0], limit)) < 0)
		return cmd_fail(rc);
	return cmd_render(ctx, doc);
}

static const struct ins_subcmd sut_subs[] = {
	{ "list", cmd_sut_list, "list the systems under test", CMD_STORE_READ },
	{ "show", cmd_sut_show, "show one system under test", CMD_STORE_READ },
	{ "compare", cmd_sut_compare, "compare two systems under test", CMD_STORE_READ },
	{ "analyze", cmd_sut_analyze, "a metric of one system under test over time",
	  CMD_STORE_READ },
	{ NULL, NULL, NULL, 0 },
};

const struct ins_group cmd_group_sut = {
	"sut", "the systems under test in the history", sut_subs, NULL, CMD_NO_STORE, 0
};
