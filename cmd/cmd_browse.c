/*
 * cmd_browse.c - `insight session list` and `insight session show`, and the
 * option checks every browsing command shares (cmd_browse.h).
 *
 * The answers are built in libcore (browse.h); these functions read the
 * command line, open the history and hand the document to the formatter.
 */
#include <stdio.h>
#include <string.h>

#include "cmd_browse.h"
#include "insight/timeutil.h"

int browse_limit(ins_ctx *ctx, const struct browse_opts *o, size_t dflt, size_t *limit)
{
	if (o->all && o->limit >= 0)
		return cmd_usage_error(ctx, "give --limit or --all, not both");
	if (o->limit == 0 || o->limit < -1)
		return cmd_usage_error(ctx, "--limit expects a positive number, not %ld", o->limit);
	*limit = o->all ? 0 : o->limit > 0 ? (size_t)o->limit : dflt;
	/* The document holds just the rows wanted; "N more" comes from its totals. */
	ctx->all = 1;
	return 0;
}

int browse_filter(ins_ctx *ctx, const struct browse_opts *o, ins_session_filter *f)
{
	ins_buf window = INS_BUF_INIT;
	int rc;

	memset(f, 0, sizeof(*f));
	f->sut = o->sut;
	if ((rc = cmd_sut_check(ctx, o->sut)) != 0)
		return rc;
	if (o->days >= 0 && o->time)
		return cmd_usage_error(ctx, "give --time or --days, not both");
	if (o->days == 0 || o->days < -1)
		return cmd_usage_error(ctx, "--days expects a positive number, not %ld", o->days);
	if (o->days > 0)
		ins_buf_printf(&window, "%ldd", o->days);
	rc = ins_session_filter_set_time(f, o->time ? o->time : window.len ? window.ptr : NULL,
					 o->since, o->until, ins_time_now_ms());
	ins_buf_release(&window);
	if (rc < 0)
		return cmd_fail(rc);
	return browse_limit(ctx, o, INS_BROWSE_DEFAULT_LIMIT, &f->limit);
}

/*
 * insight session list [--sut <name>] [--time <window> | --days <n> | --since <date>]
 *                      [--until <date>] [--limit <n> | --all]
 *
 * The recorded sessions, newest first, one a line: id (short), SUT, start
 * (local time), duration, tests, passed, failed, error, skipped, flaky in
 * the run, pass rate = passed / (passed + failed + error), git commit
 * (short) and branch.
 *
 *   -s, --sut NAME    only sessions of this SUT (an unknown SUT is an error)
 *   --time WINDOW     only sessions started in the last WINDOW: a number and
 *                     a unit, repeated: w, d, h, m, s (7d, 24h, 30m, 1d12h)
 *   --days N          the same as --time Nd
 *   --since DATE      only sessions started at or after DATE (2026-11-01,
 *                     2026-11-01T10:00, "2026-11-01 10:00:00", a zone such as
 *                     Z or +01:00, today, yesterday; local time without a zone)
 *   --until DATE      only sessions started at or before DATE (a date alone
 *                     means the end of that day)
 *   -n, --limit N     show the newest N sessions (default 50)
 *   --all             show every session
 *
 * With --format json the rows carry full ids and commits, times in UTC.
 */
int cmd_session_list(int argc, const char **argv, ins_ctx *ctx)
{
	static const char *const usage[] = {
		"insight session list [--sut <name>] [--time <window> | --days <n> | --since <date>] "
		"[--until <date>] [--limit <n> | --all]",
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
	if (n > 0)
		return cmd_usage_error(ctx, "session list takes no arguments (did you mean "
				       "'session show %s'?)", argv[0]);
	if ((rc = browse_filter(ctx, &o, &f)) != 0)
		return rc;
	if ((rc = cmd_store(ctx, CMD_STORE_READ, &store)) != 0)
		return rc;
	if ((rc = ins_browse_session_list(&doc, store, &f)) < 0)
		return cmd_fail(rc);
	return cmd_render(ctx, doc);
}

/*
 * insight session show [--sut <name>] [--outcome <list>] [--limit <n> | --all] [<ref>]
 *
 * One session: its facts (id, SUT, state, start, finish, duration, command
 * and exit status, host, report format and source files, tags; the git
 * commit, branch, uncommitted changes, author and subject; the CI provider,
 * build, URL, job, pull request), its outcome counts and pass rate, the
 * failures with their messages, and the tests that were flaky in this run
 * (failed, then passed on a rerun).
 *
 * <ref> is a unique prefix of a session id (at least 4 characters), latest
 * (the default) or latest~N (the N-th before the latest; within --sut when
 * given). An ambiguous prefix is an error that lists the candidates.
 *
 *   -s, --sut NAME      resolve latest and latest~N within this SUT
 *   --outcome LIST      list the results with these final outcomes instead of
 *                       the failures: a comma-separated list of passed,
 *                       failed, error, skipped, xfailed, xpassed, or all
 *                       (default failed,error)
 *   -n, --limit N       list at most N results (default 50)
 *   --all               list every result
 *   -v, --verbose       also show tracebacks and captured output in the
 *                       terminal, and the console's output sections (pytest
 *                       runs recorded by session run)
 */
int cmd_session_show(int argc, const char **argv, ins_ctx *ctx)
{
	static const char *const usage[] = {
		"insight session show [--sut <name>] [--outcome <list>] [--limit <n> | --all] "
		"[-v] [<ref>]",
		NULL
	};
	struct browse_opts o = BROWSE_OPTS_INIT;
	const char *outcome = NULL;
	const struct ins_option opts[] = {
		BROWSE_OPT_SUT(&o, "resolve latest and latest~N within this SUT"),
		OPT_STRING(0, "outcome", &outcome, "LIST",
			   "results to list: failed,error (default), skipped, ..., all",
			   "failed|error|skipped|xfailed|xpassed|passed|all"),
		BROWSE_OPT_LIMIT(&o, "list at most N results (default 50)"),
		OPT_END(),
	};
	ins_session_show_opts so = { 0 };
	ins_store *store;
	ins_doc *doc;
	int n, rc;

	if ((n = cmd_parse_options(ctx, argc, argv, opts, usage, 0)) < 0)
		return EXIT_USAGE;
	if (n > 1)
		return cmd_usage_error(ctx, "session show takes one session ref: an id prefix, latest "
				       "or latest~N (see 'insight session list')");
	if ((rc = cmd_sut_check(ctx, o.sut)) != 0)
		return rc;
	if (outcome && (rc = ins_outcome_mask_parse(&so.outcomes, outcome)) < 0)
		return cmd_fail(rc);
	if ((rc = browse_limit(ctx, &o, INS_BROWSE_DEFAULT_LIMIT, &so.limit)) != 0)
		return rc;
	so.sut = o.sut;
	so.sections = ctx->verbose > 0;
	/* the page shows each test's recent runs and where its failure began */
	if (ctx->output == INS_OUT_HTML)
		so.history = INS_BROWSE_PAGE_HISTORY;
	if ((rc = cmd_categories(ctx, &so.categories)) != 0)
		return rc;
	if ((rc = cmd_store(ctx, CMD_STORE_READ, &store)) != 0)
		return rc;
	if ((rc = ins_browse_session_show(&doc, store, n ? argv[0] : "latest", &so)) < 0)
		return cmd_fail(rc);
	return cmd_render(ctx, doc);
}
