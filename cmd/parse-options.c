/*
 * parse-options.c - declarative option tables on top of plain argv scanning.
 *
 * One table per command gives the options, their help, and what completes
 * them; -h output, the hidden completion listing and validation all come
 * from it, so they cannot drift apart. Global options (--db, --format, ...)
 * are accepted before the command and after it, anywhere among its options.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"

static ins_ctx *global_ctx;
static int global_verbose_dummy;

/* The storage of the global options is the running command's context. */
const struct ins_option cmd_global_options[] = {
	OPT_GROUP("Global options"),
	OPT_STRING(0, "db", NULL, "PATH", "the history file (default: discovered)", "file"),
	OPT_STRING(0, "config", NULL, "FILE", "read this config file too, over the others", "file"),
	OPT_STRING(0, "format", NULL, "FORMAT", "output format: term, md, html, json, csv, tsv",
		   "term|md|html|json|csv|tsv"),
	OPT_STRING('o', "output", NULL, "FILE", "write the answer to FILE instead of stdout", "file"),
	OPT_STRING(0, "color", NULL, "WHEN", "colour: auto, always, never", "auto|always|never"),
	OPT_BOOL(0, "no-pager", NULL, "never page long answers at a terminal"),
	OPT_BOOL(0, "wide", NULL, "not at a terminal: tables as wide as their content"),
	OPT_STRING(0, "table", NULL, "ID", "csv, tsv: the table to write (default: the first)", NULL),
	OPT_COUNT('q', "quiet", NULL, "print no progress or notes"),
	OPT_COUNT('v', "verbose", NULL, "say more (repeatable)"),
	OPT_END(),
};

void cmd_list_release(struct cmd_list *l)
{
	free(l->items);
	l->items = NULL;
	l->n = l->alloc = 0;
}

/* Where a global option stores its value for this run. */
static void *global_slot(const struct ins_option *o)
{
	if (!strcmp(o->long_name, "db"))
		return &global_ctx->db;
	if (!strcmp(o->long_name, "config"))
		return &global_ctx->config_file;
	if (!strcmp(o->long_name, "format"))
		return &global_ctx->output_name;
	if (!strcmp(o->long_name, "output"))
		return &global_ctx->output_file;
	if (!strcmp(o->long_name, "color"))
		return &global_ctx->color_when;
	if (!strcmp(o->long_name, "no-pager"))
		return &global_ctx->no_pager;
	if (!strcmp(o->long_name, "wide"))
		return &global_ctx->wide;
	if (!strcmp(o->long_name, "table"))
		return &global_ctx->table;
	if (!strcmp(o->long_name, "quiet"))
		return &global_ctx->quiet;
	if (!strcmp(o->long_name, "verbose"))
		return &global_ctx->verbose;
	return &global_verbose_dummy;
}

int cmd_parse_long(const char *s, long *out)
{
	char *end;
	long v;

	if (!s || !*s)
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || end == s)
		return -1;
	*out = v;
	return 0;
}

static void print_option(FILE *fp, const struct ins_option *o)
{
	char head[128];
	int n;

	if (o->short_name && o->long_name)
		n = snprintf(head, sizeof(head), "-%c, --%s", o->short_name, o->long_name);
	else if (o->short_name)
		n = snprintf(head, sizeof(head), "-%c", o->short_name);
	else
		n = snprintf(head, sizeof(head), "    --%s", o->long_name);
	if (o->argh && n > 0 && (size_t)n < sizeof(head))
		n += snprintf(head + n, sizeof(head) - (size_t)n, " %s", o->argh);
	if (n < 24)
		fprintf(fp, "    %-24s %s\n", head, o->help ? o->help : "");
	else
		fprintf(fp, "    %s\n    %-24s %s\n", head, "", o->help ? o->help : "");
}

static void print_table(FILE *fp, const struct ins_option *opts)
{
	for (const struct ins_option *o = opts; o && o->type != OPT_END; o++) {
		if (o->type == OPT_GROUP)
			fprintf(fp, "\n%s\n", o->help);
		else
			print_option(fp, o);
	}
}

void cmd_usage_print(FILE *fp, const char *const *usage, const struct ins_option *opts)
{
	for (int i = 0; usage && usage[i]; i++)
		fprintf(fp, "%s%s\n", i ? "   or: " : "usage: ", usage[i]);
	if (opts && opts->type != OPT_END) {
		if (opts->type != OPT_GROUP)
			fputc('\n', fp);
		print_table(fp, opts);
	}
	print_table(fp, cmd_global_options);
}

/*
 * The hidden listing used by completion and by the manual page test: one
 * option a line, "--name<TAB>ARGH<TAB>complete<TAB>help" (and "-x<TAB>..."
 * for a short name), then the command's usage lines as "usage<TAB>line".
 */
static void print_completion_options(const struct ins_option *opts, const char *const *usage)
{
	const struct ins_option *tables[2] = { opts, cmd_global_options };

	for (int t = 0; t < 2; t++) {
		for (const struct ins_option *o = tables[t]; o && o->type != OPT_END; o++) {
			const char *argh = o->argh ? o->argh : "";
			const char *complete = o->complete ? o->complete : "";
			const char *help = o->help ? o->help : "";

			if (o->type == OPT_GROUP)
				continue;
			if (o->long_name)
				printf("--%s\t%s\t%s\t%s\n", o->long_name, argh, complete, help);
			if (o->short_name)
				printf("-%c\t%s\t%s\t%s\n", o->short_name, argh, complete, help);
		}
	}
	for (int i = 0; usage && usage[i]; i++)
		printf("usage\t%s\n", usage[i]);
}

/* Find an option by long name in the command's table, then the global one. */
static const struct ins_option *find_long(const struct ins_option *opts, const char *name,
					  size_t len, int *is_global, int *negated)
{
	const struct ins_option *tables[2] = { opts, cmd_global_options };

	*negated = 0;
	for (int t = 0; t < 2; t++) {
		for (const struct ins_option *o = tables[t]; o && o->type != OPT_END; o++) {
			if (o->type == OPT_GROUP || !o->long_name)
				continue;
			if (strlen(o->long_name) == len && !strncmp(o->long_name, name, len)) {
				*is_global = t == 1;
				return o;
			}
			if (o->type == OPT_BOOL && len > 3 && !strncmp(name, "no-", 3) &&
			    strlen(o->long_name) == len - 3 && !strncmp(o->long_name, name + 3, len - 3)) {
				*is_global = t == 1;
				*negated = 1;
				return o;
			}
		}
	}
	return NULL;
}

/* "; did you mean '--x'?" for a long option that is not one, when one is close. */
static const char *option_guess(const struct ins_option *opts, const char *name, size_t len)
{
	const struct ins_option *tables[2] = { opts, cmd_global_options };
	const char *names[128];
	char word[65];
	size_t n = 0;

	if (len >= sizeof(word))
		return NULL;
	memcpy(word, name, len);
	word[len] = '\0';
	for (int t = 0; t < 2; t++)
		for (const struct ins_option *o = tables[t]; o && o->type != OPT_END && n < 128; o++)
			if (o->type != OPT_GROUP && o->long_name)
				names[n++] = o->long_name;
	return cmd_closest(word, names, n);
}

static const struct ins_option *find_short(const struct ins_option *opts, int c, int *is_global)
{
	const struct ins_option *tables[2] = { opts, cmd_global_options };

	for (int t = 0; t < 2; t++) {
		for (const struct ins_option *o = tables[t]; o && o->type != OPT_END; o++) {
			if (o->type != OPT_GROUP && o->short_name == c) {
				*is_global = t == 1;
				return o;
			}
		}
	}
	return NULL;
}

static void option_name(char *buf, size_t n, const struct ins_option *o)
{
	if (o->long_name)
		snprintf(buf, n, "--%s", o->long_name);
	else
		snprintf(buf, n, "-%c", o->short_name);
}

/* Store `arg` (NULL for flags) into the option's slot. Returns 0 or -1 (error printed). */
static int apply(ins_ctx *ctx, const struct ins_option *o, int is_global, int negated,
		 const char *arg)
{
	void *slot = is_global ? global_slot(o) : o->value;
	char name[80];

	option_name(name, sizeof(name), o);
	switch (o->type) {
	case OPT_BOOL:
		*(int *)slot = !negated;
		return 0;
	case OPT_COUNT:
		(*(int *)slot)++;
		return 0;
	case OPT_STRING:
		*(const char **)slot = arg;
		return 0;
	case OPT_INT: {
		long v;
		if (cmd_parse_long(arg, &v) < 0) {
			cmd_usage_error(ctx, "option '%s' expects a whole number, not '%s'", name, arg);
			return -1;
		}
		/* every count insight takes (--limit, --days, --min-runs) is one */
		if (v < 0) {
			cmd_usage_error(ctx, "option '%s' expects a number of 0 or more, not '%s'",
					name, arg);
			return -1;
		}
		*(long *)slot = v;
		return 0;
	}
	case OPT_LIST: {
		struct cmd_list *l = slot;
		l->items = ins_xgrow(l->items, &l->alloc, l->n + 1, sizeof(*l->items));
		l->items[l->n++] = arg;
		return 0;
	}
	default:
		return 0;
	}
}

static int takes_arg(const struct ins_option *o)
{
	return o->type == OPT_STRING || o->type == OPT_INT || o->type == OPT_LIST;
}

/*
 * -h prints the usage and options; --help shows the manual page of the
 * command's group when it can (cmd_show_man), else the same as -h.
 */
static void show_help(ins_ctx *ctx, const char *const *usage, const struct ins_option *opts,
		      int long_help)
{
	if (long_help) {
		ins_buf page = INS_BUF_INIT;

		ins_buf_puts(&page, "insight");
		if (ctx->cmdname)
			ins_buf_printf(&page, "-%.*s", (int)strcspn(ctx->cmdname, " "), ctx->cmdname);
		cmd_show_man(page.ptr);
		ins_buf_release(&page);
	}
	cmd_usage_print(stdout, usage, opts);
	fflush(stdout);
}

/* Whether `prog` is an executable file in a directory of $PATH. */
static int in_path(const char *prog)
{
	const char *path = getenv("PATH"), *p, *end;
	ins_buf file = INS_BUF_INIT;
	int found = 0;

	for (p = path; p && *p && !found; p = *end ? end + 1 : end) {
		end = p + strcspn(p, ":");
		ins_buf_clear(&file);
		if (end == p)
			ins_buf_puts(&file, ".");
		else
			ins_buf_put(&file, p, (size_t)(end - p));
		ins_buf_printf(&file, "/%s", prog);
		found = access(file.ptr, X_OK) == 0;
	}
	ins_buf_release(&file);
	return found;
}

void cmd_show_man(const char *page)
{
	/*
	 * The installed page (GNUInstallDirs puts man pages beside the data
	 * directory: <prefix>/share/man), else the one in the source tree this
	 * binary was built from.
	 */
	const char *dirs[] = { INSIGHT_DATADIR "/../man/man1", INSIGHT_SOURCE_DIR "/man" };
	ins_buf file = INS_BUF_INIT;

	if (!isatty(STDOUT_FILENO) || !in_path("man"))
		return;
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		ins_buf_clear(&file);
		ins_buf_printf(&file, "%s/%s.1", dirs[i], page);
		if (access(file.ptr, R_OK) == 0) {
			fflush(NULL);
			execlp("man", "man", "-l", file.ptr, (char *)NULL);
			/* man could not be started after all: the built-in help follows. */
			break;
		}
	}
	ins_buf_release(&file);
}

int cmd_parse_options(ins_ctx *ctx, int argc, const char **argv, const struct ins_option *opts,
		      const char *const *usage, unsigned flags)
{
	int npos = 0, i;
	const char **pos = ins_xcalloc((size_t)argc + 1, sizeof(*pos));

	global_ctx = ctx;
	ctx->usage = usage;
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];
		const struct ins_option *o;
		int is_global, negated;

		if (a[0] != '-' || !a[1]) {
			if (flags & PARSE_STOP_AT_NON_OPTION) {
				while (i < argc)
					pos[npos++] = argv[i++];
				break;
			}
			pos[npos++] = a;
			continue;
		}
		if (!strcmp(a, "--")) {
			while (++i < argc)
				pos[npos++] = argv[i];
			break;
		}
		if (!strcmp(a, "-h")) {
			show_help(ctx, usage, opts, 0);
			exit(EXIT_OK);
		}
		if (!strcmp(a, "--help")) {
			show_help(ctx, usage, opts, 1);
			exit(EXIT_OK);
		}
		if (!strcmp(a, "--insight-complete-options")) {
			print_completion_options(opts, usage);
			exit(EXIT_OK);
		}
		if (a[1] == '-') {
			const char *name = a + 2, *eq = strchr(name, '=');
			size_t len = eq ? (size_t)(eq - name) : strlen(name);

			o = find_long(opts, name, len, &is_global, &negated);
			if (!o) {
				const char *guess = option_guess(opts, name, len);

				if (guess)
					cmd_usage_error(ctx, "unknown option '--%.*s'; did you mean "
							"'--%s'?", (int)len, name, guess);
				else
					cmd_usage_error(ctx, "unknown option '--%.*s' (see "
							"'insight%s%s -h')", (int)len, name,
							ctx->cmdname ? " " : "",
							ctx->cmdname ? ctx->cmdname : "");
				goto fail;
			}
			if (takes_arg(o)) {
				const char *arg = eq ? eq + 1 : (i + 1 < argc ? argv[++i] : NULL);
				if (!arg) {
					cmd_usage_error(ctx, "option '--%s' needs a value (%s)",
							o->long_name, o->argh ? o->argh : "a value");
					goto fail;
				}
				if (apply(ctx, o, is_global, negated, arg) < 0)
					goto fail;
			} else {
				if (eq) {
					cmd_usage_error(ctx, "option '--%s' takes no value", o->long_name);
					goto fail;
				}
				apply(ctx, o, is_global, negated, NULL);
			}
			continue;
		}
		/* One or more short options: -qv, -o FILE, -oFILE. */
		for (const char *p = a + 1; *p; p++) {
			o = find_short(opts, (unsigned char)*p, &is_global);
			if (!o) {
				cmd_usage_error(ctx, "unknown option '-%c' (see 'insight%s%s -h')", *p,
						ctx->cmdname ? " " : "", ctx->cmdname ? ctx->cmdname : "");
				goto fail;
			}
			if (takes_arg(o)) {
				const char *arg = p[1] ? p + 1 : (i + 1 < argc ? argv[++i] : NULL);
				if (!arg) {
					cmd_usage_error(ctx, "option '-%c' needs a value (%s)", *p,
							o->argh ? o->argh : "a value");
					goto fail;
				}
				if (apply(ctx, o, is_global, 0, arg) < 0)
					goto fail;
				break;
			}
			apply(ctx, o, is_global, 0, NULL);
		}
	}
	if (ctx->output_name && ins_output_parse(ctx->output_name, &ctx->output) < 0) {
		cmd_usage_error(ctx, "unknown output format '%s' (expected term, md, html, json, "
				"csv or tsv)", ctx->output_name);
		goto fail;
	}
	if (ctx->text_only && ctx->output_name && ctx->output != INS_OUT_TERM) {
		cmd_usage_error(ctx, "'insight %s' answers in text only; --format %s is not "
				"for it", ctx->cmdname ? ctx->cmdname : "", ctx->output_name);
		goto fail;
	}
	if (ctx->color_when && strcmp(ctx->color_when, "auto") && strcmp(ctx->color_when, "always") &&
	    strcmp(ctx->color_when, "never")) {
		cmd_usage_error(ctx, "unknown --color value '%s' (expected auto, always or never)",
				ctx->color_when);
		goto fail;
	}
	for (int k = 0; k < npos; k++)
		argv[k] = pos[k];
	argv[npos] = NULL;
	free(pos);
	return npos;
fail:
	free(pos);
	return -1;
}
