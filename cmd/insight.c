/*
 * insight.c - the dispatcher: global options, the command table, help,
 * "did you mean", and git-style external commands (`insight foo` runs
 * `insight-foo` from PATH when there is no built-in `foo`).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "cmd.h"
#include "insight/category.h"
#include "insight/closest.h"
#include "insight/config.h"

extern const struct ins_group cmd_group_session;
extern const struct ins_group cmd_group_sut;
extern const struct ins_group cmd_group_test;
extern const struct ins_group cmd_group_history;
extern const struct ins_group cmd_group_analytics;
extern const struct ins_group cmd_group_plan;
extern const struct ins_group cmd_group_db;
extern const struct ins_group cmd_group_config;
extern const struct ins_group cmd_group_ci;
extern const struct ins_group cmd_group_export;
extern const struct ins_group cmd_group_publish;
extern const struct ins_group cmd_group_metrics;
extern const struct ins_group cmd_group_notify;
extern const struct ins_group cmd_group_init;
extern const struct ins_group cmd_group_version;
extern const struct ins_group cmd_group_help;
extern const struct ins_group cmd_group_completion;
extern const struct ins_group cmd_group_complete;
extern const struct ins_group cmd_group_http;
extern const struct ins_group cmd_group_remote;
extern const struct ins_group cmd_group_push;
extern const struct ins_group cmd_group_fetch;
extern const struct ins_group cmd_group_pull;

const struct ins_group *const cmd_groups[] = {
	&cmd_group_session,
	&cmd_group_sut,
	&cmd_group_test,
	&cmd_group_history,
	&cmd_group_analytics,
	&cmd_group_plan,
	&cmd_group_init,
	&cmd_group_db,
	&cmd_group_config,
	&cmd_group_remote,
	&cmd_group_push,
	&cmd_group_fetch,
	&cmd_group_pull,
	&cmd_group_ci,
	&cmd_group_export,
	&cmd_group_publish,
	&cmd_group_metrics,
	&cmd_group_notify,
	&cmd_group_help,
	&cmd_group_completion,
	&cmd_group_version,
	&cmd_group_complete,
	&cmd_group_http,
	NULL,
};

static const char *const top_usage[] = {
	"insight [--db PATH] [--config FILE] [--format FORMAT] [--color WHEN] [--no-pager] [-q | -v] <command> [<args>]",
	"insight --version",
	NULL,
};

static void print_top_help(FILE *fp)
{
	for (int i = 0; top_usage[i]; i++)
		fprintf(fp, "%s%s\n", i ? "   or: " : "usage: ", top_usage[i]);
	fputs("\ninsight keeps the history of test runs and answers questions about it.\n\n"
	      "Commands:\n", fp);
	for (int i = 0; cmd_groups[i]; i++) {
		const struct ins_group *g = cmd_groups[i];

		if (g->hidden)
			continue;
		fprintf(fp, "  %-11s %s\n", g->name, g->summary);
		if (!g->subs)
			continue;
		fputs("              ", fp);
		for (int k = 0; g->subs[k].name; k++)
			fprintf(fp, "%s%s", k ? " | " : "", g->subs[k].name);
		fputc('\n', fp);
	}
	fputs("\n'insight <command> -h' shows a command's options; 'insight help <command>' its manual.\n"
	      "Exit status: 0 ok, 1 a check or gate failed, 2 usage error, 3 bad input,\n"
	      "4 history error, 5 something could not be delivered (network); 'session run'\n"
	      "passes the test command's status. -vv traces HTTP requests, secrets masked.\n",
	      fp);
	cmd_usage_print(fp, NULL, NULL);
}

static void print_group_help(FILE *fp, const struct ins_group *g)
{
	fprintf(fp, "usage: insight %s <command> [<args>]\n\n%s\n\nCommands:\n", g->name, g->summary);
	for (int k = 0; g->subs[k].name; k++)
		fprintf(fp, "  %-10s %s\n", g->subs[k].name, g->subs[k].summary);
	fprintf(fp, "\n'insight %s <command> -h' shows a command's options.\n", g->name);
}

/* `insight <group> --help`: the group's manual page when it can be shown. */
static void show_group_man(const struct ins_group *g)
{
	ins_buf page = INS_BUF_INIT;

	ins_buf_printf(&page, "insight-%s", g->name);
	cmd_show_man(page.ptr);
	ins_buf_release(&page);
}

const char *cmd_closest(const char *word, const char *const *names, size_t n)
{
	return ins_closest(word, names, n);
}

static int unknown_command(const char *what, const char *word, const char *const *names, size_t n,
			   const char *help_hint)
{
	const char *guess = cmd_closest(word, names, n);

	if (guess)
		return cmd_error(EXIT_USAGE, "'%s' is not %s; did you mean '%s'?", word, what, guess);
	return cmd_error(EXIT_USAGE, "'%s' is not %s; see '%s'", word, what, help_hint);
}

/* Run `insight-<name>` from PATH with the remaining arguments. Returns only on failure. */
static void run_external(ins_ctx *ctx, const char *name, int argc, const char **argv)
{
	ins_buf prog = INS_BUF_INIT;
	const char **args = ins_xcalloc((size_t)argc + 1, sizeof(*args));

	ins_buf_printf(&prog, "insight-%s", name);
	args[0] = prog.ptr;
	for (int i = 1; i < argc; i++)
		args[i] = argv[i];
	/* Hand the global options on through the environment. */
	if (ctx->db)
		setenv("INSIGHT_DB", ctx->db, 1);
	if (ctx->config_file)
		setenv("INSIGHT_CONFIG", ctx->config_file, 1);
	if (ctx->output_name)
		setenv("INSIGHT_FORMAT", ctx->output_name, 1);
	if (ctx->color_when)
		setenv("INSIGHT_COLOR", ctx->color_when, 1);
	fflush(NULL);
	execvp(prog.ptr, (char *const *)args);
	/* Not found (or not runnable): the caller reports an unknown command. */
	if (errno != ENOENT) {
		cmd_error(EXIT_NOEXEC, "cannot run '%s': %s", prog.ptr, strerror(errno));
		exit(EXIT_NOEXEC);
	}
	free(args);
	ins_buf_release(&prog);
}

static int run_group(ins_ctx *ctx, const struct ins_group *g, int argc, const char **argv)
{
	const char *names[64];
	size_t n = 0;
	ins_buf cmdname = INS_BUF_INIT;
	int rc;

	if (!g->subs) {
		ctx->cmdname = g->name;
		return g->fn(argc, argv, ctx);
	}
	if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") ||
	    !strcmp(argv[1], "help")) {
		if (argc >= 2 && strcmp(argv[1], "-h"))
			show_group_man(g);
		print_group_help(stdout, g);
		return EXIT_OK;
	}
	for (int k = 0; g->subs[k].name; k++) {
		if (!strcmp(g->subs[k].name, argv[1])) {
			ins_buf_printf(&cmdname, "%s %s", g->name, g->subs[k].name);
			ctx->cmdname = cmdname.ptr;
			ctx->text_only = g->subs[k].text_only;
			rc = g->subs[k].fn(argc - 1, argv + 1, ctx);
			ctx->cmdname = NULL;
			ins_buf_release(&cmdname);
			return rc;
		}
		if (n < 64)
			names[n++] = g->subs[k].name;
	}
	ins_buf_printf(&cmdname, "an 'insight %s' command", g->name);
	rc = unknown_command(cmdname.ptr, argv[1], names, n, "insight help");
	ins_buf_release(&cmdname);
	return rc;
}

const struct ins_group *cmd_find_group(const char *name)
{
	for (int i = 0; cmd_groups[i]; i++)
		if (!strcmp(cmd_groups[i]->name, name))
			return cmd_groups[i];
	return NULL;
}

int main(int argc, char **argv)
{
	static char errbuf[16384];
	static int show_version;
	const struct ins_option top_opts[] = {
		OPT_BOOL(0, "version", &show_version, "print the version and exit"),
		OPT_END(),
	};
	const char **args = (const char **)argv;
	ins_ctx ctx = { 0 };
	const struct ins_group *g;
	int nargs, rc;

	cmd_heap_setup(argc, argv);
	/*
	 * stderr is unbuffered by default, so a diagnostic built from pieces
	 * (a prefix, escaped characters, counts) reached it one write per
	 * piece, down to a byte: a CI log that gathers the output of parallel
	 * jobs interleaves by write, and cut insight's lines apart. Line
	 * buffering writes each line in one go. Whatever waits for an answer
	 * on the same line (cmd_confirm) flushes, and every fork flushes first.
	 */
	setvbuf(stderr, errbuf, _IOLBF, sizeof(errbuf));
	/* Top-level help before anything else: `insight -h`, `insight --help`. */
	if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		print_top_help(stdout);
		return EXIT_OK;
	}
	ctx.cmdname = NULL;
	nargs = cmd_parse_options(&ctx, argc, args, top_opts, top_usage, PARSE_STOP_AT_NON_OPTION);
	if (nargs < 0)
		return EXIT_USAGE;
	if (show_version) {
		printf("insight %s\n", INSIGHT_VERSION);
		return EXIT_OK;
	}
	if (nargs == 0) {
		print_top_help(stdout);
		return EXIT_OK;
	}

	g = cmd_find_group(args[0]);
	if (!g) {
		const char *names[64];
		size_t n = 0;

		run_external(&ctx, args[0], nargs, args);
		for (int i = 0; cmd_groups[i] && n < 64; i++)
			if (!cmd_groups[i]->hidden)
				names[n++] = cmd_groups[i]->name;
		return unknown_command("an insight command", args[0], names, n, "insight help");
	}

	rc = run_group(&ctx, g, nargs, args);
	ins_store_free(ctx.store);
	ins_config_free(ctx.config);
	ins_categories_free(ctx.categories);
	errno = 0;
	if (fflush(stdout) != 0 || ferror(stdout)) {
		int e = errno;

		if (e == EPIPE)
			return rc;
		e = cmd_stdout_error(e);
		return rc == EXIT_OK ? e : rc;
	}
	return rc;
}

/* ---- help and version ---- */

static int cmd_help(int argc, const char **argv, ins_ctx *ctx)
{
	static const char *const usage[] = { "insight help [<command> [<subcommand>]]", NULL };
	const struct ins_option opts[] = { OPT_END() };
	const struct ins_group *g;
	int n = cmd_parse_options(ctx, argc, argv, opts, usage, 0);

	if (n < 0)
		return EXIT_USAGE;
	if (n == 0) {
		print_top_help(stdout);
		return EXIT_OK;
	}
	g = cmd_find_group(argv[0]);
	if (!g) {
		const char *names[64];
		size_t k = 0;
		for (int i = 0; cmd_groups[i] && k < 64; i++)
			names[k++] = cmd_groups[i]->name;
		return unknown_command("an insight command", argv[0], names, k, "insight help");
	}
	/* On a terminal, the manual page; otherwise the built-in help. */
	show_group_man(g);
	if (n == 1 && g->subs) {
		print_group_help(stdout, g);
		return EXIT_OK;
	}
	/* `insight help session list` = `insight session list -h`. */
	{
		const char *hargv[4];
		int hargc = 0;
		hargv[hargc++] = g->name;
		if (n > 1)
			hargv[hargc++] = argv[1];
		hargv[hargc++] = "-h";
		hargv[hargc] = NULL;
		return run_group(ctx, g, hargc, hargv);
	}
}

static int cmd_version(int argc, const char **argv, ins_ctx *ctx)
{
	static const char *const usage[] = { "insight version", NULL };
	const struct ins_option opts[] = { OPT_END() };

	if (cmd_parse_options(ctx, argc, argv, opts, usage, 0) < 0)
		return EXIT_USAGE;
	if (ctx->output != INS_OUT_TERM || ctx->output_file) {
		ins_doc *doc = ins_doc_new("insight.version", "insight version");

		ins_doc_fact_text(doc, "version", "Version", INSIGHT_VERSION);
		ins_doc_fact_int(doc, "history_schema", "History schema", INS_STORE_SCHEMA_VERSION);
		ins_doc_fact_text(doc, "sqlite", "SQLite", sqlite3_libversion());
		return cmd_render(ctx, doc);
	}
	printf("insight %s\n", INSIGHT_VERSION);
	return EXIT_OK;
}

const struct ins_group cmd_group_help = {
	"help", "show help for insight or one of its commands", NULL, cmd_help, CMD_NO_STORE, 0
};

const struct ins_group cmd_group_version = {
	"version", "print the version", NULL, cmd_version, CMD_NO_STORE, 0
};
