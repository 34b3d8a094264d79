/*
 * cmd_browse.h - what the browsing commands (session list/show, sut, test,
 * history) share: the time-window and row-limit options and their checks.
 */
#ifndef INSIGHT_CMD_BROWSE_H
#define INSIGHT_CMD_BROWSE_H

#include "cmd.h"
#include "insight/browse.h"

/* Values of the shared options, as parsed (strings point into argv). */
struct browse_opts {
	const char *sut;
	const char *time;   /* --time WINDOW */
	const char *since;  /* --since DATE */
	const char *until;  /* --until DATE */
	long days;          /* --days N; -1 when not given */
	long limit;         /* --limit N; -1 when not given */
	int all;            /* --all */
};

#define BROWSE_OPTS_INIT { NULL, NULL, NULL, NULL, -1, -1, 0 }

#define BROWSE_OPT_SUT(o, help) \
	OPT_STRING('s', "sut", &(o)->sut, "NAME", (help), "sut")
#define BROWSE_OPT_TIME(o) \
	OPT_STRING(0, "time", &(o)->time, "WINDOW", \
		   "only the last WINDOW: 7d, 24h, 30m, 1d12h, 2w", "7d|24h|30d"), \
	OPT_INT(0, "days", &(o)->days, "N", "only the last N days (--time Nd)"), \
	OPT_STRING(0, "since", &(o)->since, "DATE", \
		   "only from DATE on (2026-11-01, 2026-11-01T10:00, yesterday)", NULL), \
	OPT_STRING(0, "until", &(o)->until, "DATE", "only up to DATE (its whole day)", NULL)
#define BROWSE_OPT_LIMIT(o, help) \
	OPT_INT('n', "limit", &(o)->limit, "N", (help)), \
	OPT_BOOL(0, "all", &(o)->all, "show every row")

/*
 * Fill a session filter from the options (SUT, window, limit). Prints the
 * error and returns an exit code when an option is malformed, else 0.
 */
int browse_filter(ins_ctx *ctx, const struct browse_opts *o, ins_session_filter *f);

/*
 * The row limit: --all gives 0 (every row), --limit N gives N, else
 * `dflt`. The command applies the limit itself, so the renderer is told to
 * show every row it gets (ctx->all). Returns 0 or an exit code (printed).
 */
int browse_limit(ins_ctx *ctx, const struct browse_opts *o, size_t dflt, size_t *limit);

#endif
