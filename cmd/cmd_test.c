/*
 * cmd_test.c - the `insight test` group: tests across sessions.
 */
#include "cmd_analytics.h"
#include "cmd_browse.h"

/*
 * insight test list [--sut <name>] [--grep <pattern>] [--limit <n> | --all]
 *
 * The tests in the history by node id: how many sessions each ran in, its
 * last run (local time) and last outcome, and its pass rate (passed /
 * (passed + failed + error) over its final outcomes).
 *
 *   -s, --sut NAME      only tests that ran in this SUT; the figures count
 *                       only its sessions
 *   -g, --grep PATTERN  only tests whose node id matches PATTERN, a POSIX
 *                       extended regular expression found anywhere in the id
 *                       (as grep -E reads it; anchor with ^ and $)
 *   -n, --limit N       show at most N tests (default 50)
 *   --all               show every test
 */
static int cmd_test_list(int argc, const char **argv, ins_ctx *ctx)
{
	static const char *const usage[] = {
		"insight test list [--sut <name>] [--grep <pattern>] [--limit <n> | --all]", NULL
	};
	struct browse_opts o = BROWSE_OPTS_INIT;
	const char *grep = NULL;
	const struct ins_option opts[] = {
		BROWSE_OPT_SUT(&o, "only tests that ran in this SUT"),
		OPT_STRING('g', "grep", &grep, "PATTERN",
			   "only node ids matching PATTERN (extended regular expression)", NULL),
		BROWSE_OPT_LIMIT(&o, "show at most N tests (default 50)"),
		OPT_END(),
	};
	ins_store *store;
	size_t limit;
	ins_doc *doc;
	int n, rc;

	if ((n = cmd_parse_options(ctx, argc, argv, opts, usage, 0)) < 0)
		return EXIT_USAGE;
	if (n > 0)
		return cmd_usage_error(ctx, "test list takes no arguments (use --grep PATTERN to "
				       "choose tests)");
	if ((rc = cmd_sut_check(ctx, o.sut)) != 0)
		return rc;
	if ((rc = browse_limit(ctx, &o, INS_BROWSE_DEFAULT_LIMIT, &limit)) != 0)
		return rc;
	if ((rc = cmd_store(ctx, CMD_STORE_READ, &store)) != 0)
		return rc;
	if ((rc = ins_browse_test_list(&doc, store, o.sut, grep, limit)) < 0)
		return cmd_fail(rc);
	return cmd_render(ctx, doc);
}

/*
 * insight test show [--sut <name>] <nodeid>
 *
 * One test: its node id, file, class and name; how many sessions it ran in,
 * its first and last run, last outcome and last session; its final outcome
 * counts, how often it was flaky within a run, its pass rate (passed /
 * (passed + failed + error)); its duration's median (p50) and 95th
 * percentile (p95) over its final attempts, by the nearest-rank method; the
 * fingerprints of its failures (how often, first and last seen, the
 * normalised message); and the properties of its last result (markers,
 * record_property values, case ids).
 *
 * <nodeid> is a test's node id, or any part of one that names a single test
 * (an ambiguous part is an error that lists the candidates).
 *
 *   -s, --sut NAME   count only the sessions of this SUT
 */
static int cmd_test_show(int argc, const char **argv, ins_ctx *ctx)
{
	static const char *const usage[] = { "insight test show [--sut <name>] <nodeid>", NULL };
	struct browse_opts o = BROWSE_OPTS_INIT;
	const struct ins_option opts[] = {
		BROWSE_OPT_SUT(&o, "count only the sessions of this SUT"),
		OPT_END(),
	};
	const struct ins_categories *cats = NULL;
	ins_store *store;
	ins_doc *doc;
	int n, rc;

	if ((n = cmd_parse_options(ctx, argc, argv, opts, usage, 0)) < 0)
		return EXIT_USAGE;
	if (n != 1)
		return cmd_usage_error(ctx, "test show takes one node id (see 'insight test list')");
	if ((rc = cmd_sut_check(ctx, o.sut)) != 0)
		return rc;
	if ((rc = cmd_categories(ctx, &cats)) != 0)
		return rc;
	if ((rc = cmd_store(ctx, CMD_STORE_READ, &store)) != 0)
		return rc;
	if ((rc = ins_browse_test_show(&doc, store, argv[0], o.sut, cats)) < 0)
		return cmd_fail(rc);
	return cmd_render(ctx, doc);
}

/*
 * insight test history [--sut <name>] [--time <window> | --days <n> | --since <date>]
 *                      [--until <date>] [--limit <n> | --all] <nodeid>
 *
 * One test, one row per session it ran in, newest first: the session, its
 * SUT and start, the test's final outcome, its number of attempts, its
 * duration, the git commit and the failure message; above the rows, the
 * outcomes (passed high, failed low, a gap for skipped) and durations of
 * those sessions as sparklines, oldest first.
 *
 * <nodeid> is a node id, or a part of one that names a single test.
 *
 *   -s, --sut NAME    only sessions of this SUT
 *   --time WINDOW     only sessions started in the last WINDOW (7d, 24h, 1d12h)
 *   --days N          the same as --time Nd
 *   --since DATE      only sessions started at or after DATE
 *   --until DATE      only sessions started at or before DATE (its whole day)
 *   -n, --limit N     show the newest N sessions (default 50)
 *   --all             show every session
 */
static int cmd_test_history(int argc, const char **argv, ins_ctx *ctx)
{
	static const char *const usage[] = {
		"insight test history [--sut <name>] [--time <window> | --days <n> | "
		"--since <date>] [--until <date>] [--limit <n> | --all] <nodeid>",
		NULL
	};
	struct browse_opts o = BROWSE_OPTS_INIT;
	const struct ins_option opts[] = {
		BROWSE_OPT_SUT(&o, "only sessions of this SUT"),
		BROWSE_OPT_TIME(&o),
		BROWSE_OPT_LIMIT(&o, "show the newest N sessions (default 50)"),
		OPT_END(),
	};
	ins_session_filter f;
	ins_store *store;
	ins_doc *doc;
	int n, rc;

	if ((n = cmd_parse_options(ctx, argc, argv, opts, usage, 0)) < 0)
		return EXIT_USAGE;
	if (n != 1)
		return cmd_usage_error(ctx, "test history takes one node id (see 'insight test list')");
	if ((rc = browse_filter(ctx, &o, &f)) != 0)
		return rc;
	if ((rc = cmd_store(ctx, CMD_STORE_READ, &store)) != 0)
		return rc;
	if ((rc = ins_browse_test_history(&doc, store, argv[0], &f)) < 0)
		return cmd_fail(rc);
	return cmd_render(ctx, doc);
}

static const struct ins_subcmd test_subs[] = {
	{ "list", cmd_test_list, "list the tests in the history", CMD_STORE_READ },
	{ "show", cmd_test_show, "show one test: outcomes, durations, failures", CMD_STORE_READ },
	{ "history", cmd_test_history, "one test's outcome in each session", CMD_STORE_READ },
	{ "since", cmd_test_since, "since which commit a test fails, and the commits between",
	  CMD_STORE_READ },
	{ "trends", cmd_test_trends, "a test's (or the tests') metric over time", CMD_STORE_READ },
	{ NULL, NULL, NULL, 0 },
};

const struct ins_group cmd_group_test = {
	"test", "tests across sessions", test_subs, NULL, CMD_NO_STORE, 0
};
