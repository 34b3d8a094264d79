/*
 * common.c - helpers every command uses: errors, the store, rendering.
 */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "cmd.h"
#include "insight/category.h"
#include "insight/config.h"

int cmd_exit_code(int code)
{
	switch (code) {
	case INS_OK: return EXIT_OK;
	case INS_EUSAGE:
	case INS_ENOTFOUND:
	case INS_EAMBIGUOUS: return EXIT_USAGE;
	case INS_EINVALID:
	case INS_EIO: return EXIT_INPUT;
	case INS_ENET: return EXIT_NET;
	case INS_ECORRUPT: return EXIT_CHECK;
	default: return EXIT_STORE;
	}
}

int cmd_fail(int code)
{
	cmd_say("%s", ins_error_last());
	return cmd_exit_code(code);
}

/*
 * Every diagnostic line goes through here. Messages can carry text from
 * reports (test names, file names): control characters are written as
 * \xNN so that nothing from outside reaches the terminal as a sequence. A
 * message of several lines (a list of candidates) is written as several
 * lines, the first one prefixed.
 */
__attribute__((format(printf, 2, 0)))
static void vsay(const char *prefix, const char *fmt, va_list ap)
{
	ins_buf msg = INS_BUF_INIT;

	ins_buf_vprintf(&msg, fmt, ap);
	fflush(stdout);
	fputs(prefix, stderr);
	for (const unsigned char *p = (const unsigned char *)msg.ptr; *p; p++) {
		if (*p == '\n' && p[1])
			fputc('\n', stderr);
		else if (*p == '\n')
			;
		else if (*p < 0x20 || *p == 0x7f)
			fprintf(stderr, "\\x%02x", *p);
		else
			fputc(*p, stderr);
	}
	fputc('\n', stderr);
	ins_buf_release(&msg);
}

void cmd_say(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsay("insight: ", fmt, ap);
	va_end(ap);
}

int cmd_usage_error(ins_ctx *ctx, const char *fmt, ...)
{
	va_list ap;

	(void)ctx;
	va_start(ap, fmt);
	vsay("insight: ", fmt, ap);
	va_end(ap);
	return EXIT_USAGE;
}

int cmd_sut_check(ins_ctx *ctx, const char *sut)
{
	if (sut && !*sut)
		return cmd_usage_error(ctx, "--sut needs a SUT name (see 'insight sut list')");
	return 0;
}

int cmd_error(int exit_code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsay("insight: ", fmt, ap);
	va_end(ap);
	return exit_code;
}

void cmd_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsay("insight: warning: ", fmt, ap);
	va_end(ap);
}

void cmd_note(ins_ctx *ctx, const char *fmt, ...)
{
	va_list ap;

	if (ctx->quiet)
		return;
	va_start(ap, fmt);
	vsay("", fmt, ap);
	va_end(ap);
}

static void say_migrating(const char *path, int from, int to, void *data)
{
	cmd_note(data, "insight: upgrading the history '%s' from schema %d to %d (once; a large "
		 "history takes a while)", path, from, to);
}

static void say_migrating_still(const char *path, double seconds, void *data)
{
	(void)path;
	cmd_note(data, "insight: still upgrading the history (%.0f s so far)", seconds);
}

int cmd_store(ins_ctx *ctx, unsigned mode, ins_store **out)
{
	ins_buf path = INS_BUF_INIT;
	int how, rc;

	if (ctx->store) {
		*out = ctx->store;
		return 0;
	}
	/*
	 * A completion probe only lists a command's options; a command that
	 * reaches its store has gone past option parsing and must not run on.
	 */
	if (cmd_probing)
		_exit(EXIT_OK);
	how = ins_store_discover(&path, ctx->db);
	ins_store_on_migrate(say_migrating, ctx);
	ins_store_on_migrate_progress(say_migrating_still, ctx);
	if (mode == CMD_STORE_WRITE) {
		if (!ins_store_writable(path.ptr))
			rc = ins_error_set(INS_ESTORE, "the history '%s' cannot be written here (%s); "
					   "commands that read it still work", path.ptr,
					   access(path.ptr, W_OK) != 0 ? strerror(errno) :
					   "its directory is read-only to this user");
		else
			rc = ins_store_open(&ctx->store, path.ptr, INS_STORE_CREATE);
		if (rc == 0)
			cmd_recover_orphans(ctx, path.ptr, mode);
	} else {
		cmd_recover_orphans(ctx, path.ptr, mode);
		/* a history on read-only media, or another user's, is read as it is */
		rc = ins_store_open(&ctx->store, path.ptr,
				   ins_store_writable(path.ptr) ? 0 : INS_STORE_READONLY);
		/*
		 * Nothing recorded yet: a found-by-default history that does not
		 * exist reads as empty. A path the user named must exist.
		 */
		if (rc == INS_ENOTFOUND && how >= 2)
			rc = ins_store_open(&ctx->store, ":memory:", INS_STORE_CREATE);
	}
	ins_buf_release(&path);
	if (rc < 0) {
		ctx->store = NULL;
		return cmd_fail(rc);
	}
	*out = ctx->store;
	return 0;
}

int cmd_want_color(const ins_ctx *ctx, FILE *fp)
{
	const char *when = ctx->color_when ? ctx->color_when : "auto";
	const char *no_color = getenv("NO_COLOR");

	if (!strcmp(when, "always"))
		return 1;
	if (!strcmp(when, "never"))
		return 0;
	if (no_color && *no_color)
		return 0;
	return isatty(fileno(fp));
}

int cmd_term_width(void)
{
	const char *cols = getenv("COLUMNS");
	struct winsize ws;
	long v;

	if (cols && cmd_parse_long(cols, &v) == 0 && v > 0 && v < 10000)
		return (int)v;
	if (isatty(STDOUT_FILENO) && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		return ws.ws_col;
	return 80;
}

/* The terminal's height in lines, or 0 when unknown. */
static int term_rows(void)
{
	struct winsize ws;

	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0)
		return ws.ws_row;
	return 0;
}

/*
 * The pager for an answer longer than the screen, as git chooses it:
 * INSIGHT_PAGER, then PAGER, then less; NULL for none ("" or "cat").
 */
static const char *pager_command(void)
{
	const char *p = getenv("INSIGHT_PAGER");

	if (!p)
		p = getenv("PAGER");
	if (!p)
		p = "less";
	return *p && strcmp(p, "cat") ? p : NULL;
}

/*
 * Show `text` at the terminal: through the pager when it has more lines
 * than the screen (less gets -FRX by way of LESS, unless LESS is set, so
 * that it quits on a short answer and keeps colours), else as it is.
 */
static int page(const char *text, size_t len)
{
	const char *pager = pager_command();
	int rows = term_rows(), lines = 0;
	struct sigaction ign = { 0 }, old_int, old_pipe;
	FILE *p;

	for (size_t i = 0; i < len; i++)
		lines += text[i] == '\n';
	if (!pager || !rows || lines < rows) {
		fwrite(text, 1, len, stdout);
		return 0;
	}
	fflush(stdout);
	setenv("LESS", getenv("LESS") ? getenv("LESS") : "FRX", 1);
	setenv("LV", getenv("LV") ? getenv("LV") : "-c", 1);
	if (!(p = popen(pager, "w"))) {
		fwrite(text, 1, len, stdout);
		return 0;
	}
	/* the pager answers ^C and may quit before reading everything */
	ign.sa_handler = SIG_IGN;
	sigaction(SIGINT, &ign, &old_int);
	sigaction(SIGPIPE, &ign, &old_pipe);
	fwrite(text, 1, len, p);
	pclose(p);
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGPIPE, &old_pipe, NULL);
	return 0;
}

/* The width of a --wide answer: wider than any table. */
#define WIDE_COLUMNS 100000

int cmd_render(ins_ctx *ctx, ins_doc *doc)
{
	ins_render_opts opts = { 0 };
	cmd_out out;
	int rc;

	if (ctx->table && ctx->output != INS_OUT_CSV && ctx->output != INS_OUT_TSV) {
		ins_doc_free(doc);
		return cmd_usage_error(ctx, "--table is for --format csv or tsv");
	}
	if (ctx->table && !ins_csv_table(doc, ctx->table)) {
		ins_buf ids = INS_BUF_INIT;

		for (size_t s = 0; s < doc->nsections; s++)
			for (size_t i = 0; i < doc->sections[s]->ntables; i++)
				ins_buf_printf(&ids, "%s%s", ids.len ? ", " : "",
					       doc->sections[s]->tables[i]->id);
		rc = cmd_usage_error(ctx, "no table '%s' in this answer (%s%s)", ctx->table,
				     ids.len ? "its tables: " : "it has no table",
				     ids.len ? ids.ptr : "");
		ins_buf_release(&ids);
		ins_doc_free(doc);
		return rc;
	}
	if ((rc = cmd_out_open(ctx, &out)) != EXIT_OK) {
		ins_doc_free(doc);
		return rc;
	}
	opts.color = out.fp == stdout && ctx->output == INS_OUT_TERM && cmd_want_color(ctx, out.fp);
	opts.width = out.fp == stdout ? cmd_term_width() : 100;
	/* --wide: nothing cut or dropped for the width, but never at a terminal */
	if (ctx->wide && !(out.fp == stdout && isatty(STDOUT_FILENO)))
		opts.width = WIDE_COLUMNS;
	opts.max_rows = ctx->all ? 0 : 50;
	opts.verbose = ctx->verbose;
	opts.table = ctx->table;
	if (out.fp == stdout && ctx->output == INS_OUT_TERM && !ctx->no_pager &&
	    isatty(STDOUT_FILENO) && pager_command()) {
		/* at a terminal: rendered first, then paged when it does not fit */
		char *text = NULL;
		size_t len = 0;
		FILE *mem = open_memstream(&text, &len);

		if (!mem) {
			if (ins_render(doc, ctx->output, &opts, stdout) < 0 && !ferror(stdout))
				rc = cmd_fail(INS_ERROR);
		} else {
			if (ins_render(doc, ctx->output, &opts, mem) < 0)
				rc = cmd_fail(INS_ERROR);
			if (fclose(mem) == 0 && rc == EXIT_OK)
				page(text, len);
			free(text);
		}
	} else if (ins_render(doc, ctx->output, &opts, out.fp) < 0 && !ferror(out.fp)) {
		rc = cmd_fail(INS_ERROR);
	}
	rc = cmd_out_close(&out, rc);
	ins_doc_free(doc);
	return rc;
}

void cmd_config_project_path(ins_ctx *ctx, ins_buf *out)
{
	ins_buf db = INS_BUF_INIT;

	if (ctx->store && strcmp(ins_store_path(ctx->store), ":memory:"))
		ins_buf_puts(&db, ins_store_path(ctx->store));
	else
		ins_store_discover(&db, ctx->db);
	ins_config_project_path(out, db.ptr);
	ins_buf_release(&db);
}

const char *cmd_config_level_name(ins_config_level level)
{
	switch (level) {
	case INS_CONFIG_USER: return "user";
	case INS_CONFIG_PROJECT: return "project";
	case INS_CONFIG_FILE: return "file";
	case INS_CONFIG_ENV: return "environment";
	default: return "default";
	}
}

static void warn_secret_file(const char *path, const char *key, void *data)
{
	(void)data;
	cmd_warn("'%s' holds a secret (%s) and others can read it; run 'chmod 600 %s' or keep "
		 "the secret in the environment", path, key, path);
}

int cmd_config(ins_ctx *ctx, const struct ins_config **out)
{
	ins_buf user = INS_BUF_INIT, project = INS_BUF_INIT;
	ins_config_files files = { 0 };
	const char *file = ctx->config_file;
	int rc;

	if (ctx->config_read) {
		*out = ctx->config;
		return 0;
	}
	if (!file || !*file)
		file = getenv("INSIGHT_CONFIG");
	ins_config_user_path(&user);
	cmd_config_project_path(ctx, &project);
	files.user = user.ptr;
	files.project = project.ptr;
	files.file = file;
	rc = ins_config_open(&ctx->config, &files);
	if (rc == INS_ERROR) {
		/* libgit2 cannot be loaded: go on with the environment and the defaults. */
		ins_config_files none = { 0 };

		cmd_warn("%s; using the environment and the defaults", ins_error_last());
		rc = ins_config_open(&ctx->config, &none);
	}
	ins_buf_release(&user);
	ins_buf_release(&project);
	if (rc < 0)
		return cmd_fail(rc);
	ctx->config_read = 1;
	ins_config_check_secret_files(ctx->config, warn_secret_file, NULL);
	*out = ctx->config;
	return 0;
}

int cmd_categories(ins_ctx *ctx, const struct ins_categories **out)
{
	const ins_config *cfg;
	int rc;

	*out = NULL;
	if (!ctx->categories) {
		if ((rc = cmd_config(ctx, &cfg)) != 0)
			return rc;
		if ((rc = ins_categories_load(&ctx->categories, cfg)) < 0)
			return cmd_fail(rc);
	}
	*out = ctx->categories;
	return 0;
}

int cmd_confirm(ins_ctx *ctx, int yes, const char *fmt, ...)
{
	char line[64];
	va_list ap;

	(void)ctx;
	if (yes || !isatty(STDIN_FILENO) || !isatty(STDERR_FILENO))
		return 1;
	fflush(stdout);
	fputs("insight: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs(" [y/N] ", stderr);
	fflush(stderr);
	if (!fgets(line, sizeof(line), stdin))
		return 0;
	return !strcmp(line, "y\n") || !strcmp(line, "Y\n") || !strcmp(line, "yes\n") ||
	       !strcmp(line, "y") || !strcmp(line, "yes");
}
