/*
 * cmd_history.c - the `insight history` group: the history at a glance.
 */
#include "cmd_browse.h"

/*
 * insight history list [--sut <name>] [--time <window> | --days <n> | --since <date>]
 *                      [--until <date>] [--by-sut] [--limit <n> | --all]
 *
 * One line per session, newest first, with every outcome count: start
 * (local time), session id, SUT, tests, passed, failed, error, skipped,
 * xfailed, xpassed, flaky in the run, duration, and the pass rate (passed /
 * (passed + failed + error)). The totals come first: sessions in the window
 * (and SUTs with --by-sut).
 *
 *   -s, --sut NAME    only sessions of this SUT
 *   --time WINDOW     only sessions started in the last WINDOW (7d, 24h, 1d12h)
 *   --days N          the same as --time Nd
 *   --since DATE      only sessions started at or after DATE
 *   --until DATE      only sessions started at or before DATE (its whole day)
 *   --by-sut          group the sessions by SUT: one table per SUT, by name,
 *                     the limit applying to each
 *   -n, --limit N     show the newest N sessions (default 50)
 *   --all             show every session
 */
static int cmd_history_list(int argc, const char **argv, ins_ctx *ctx)
{
	static const char *const usage[] = {
		"insight history list [--sut <name>] [--time <window> | --days <n> | "
		"--since <date>] [--until <date>] [--by-sut] [--limit <n> | --all]",
		NULL
	};
	struct browse_opts o = BROWSE_OPTS_INIT;
	int by_sut = 0;
	const struct ins_option opts[] = {
		BROWSE_OPT_SUT(&o, "only sessions of this SUT"),
		BROWSE_OPT_TIME(&o),
		OPT_BOOL(0, "by-sut", &by_sut, "one table per SUT"),
		BROWSE_OPT_LIMIT(&o, "show the newest N sessions (default 50)"),
		OPT_END(),
	};
	ins_session_filter f;
	ins_store *store;
	ins_doc *doc;
	int n, rc;

	if ((n = cmd_parse_options(ctx, argc, argv, opts, usage, 0)) < 0)
		return EXIT_USAGE;
	if (n > 0)
		return cmd_usage_error(ctx, "history list takes no arguments, not '%s' (choose "
				       "a SUT with --sut NAME)", argv[0]);
	if ((rc = browse_filter(ctx, &o, &f)) != 0)
		return rc;
	if ((rc = cmd_store(ctx, CMD_STORE_READ, &store)) != 0)
		return rc;
	if ((rc = ins_browse_history_list(&doc, store, &f, by_sut)) < 0)
		return cmd_fail(rc);
	return cmd_render(ctx, doc);
}

static const struct ins_subcmd history_subs[] = {
	{ "list", cmd_history_list, "one line per session, grouped by SUT", CMD_STORE_READ },
	{ NULL, NULL, NULL, 0 },
};

const struct ins_group cmd_group_history = {
	"history", "the history at a glance", history_subs, NULL, CMD_NO_STORE, 0
};
