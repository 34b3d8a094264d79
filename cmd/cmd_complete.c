/*
 * cmd_complete.c - `insight completion bash|zsh|fish` and the hidden
 * `insight __complete <words>...` that the completion scripts call.
 *
 * The scripts know nothing about insight's commands: on every Tab they hand
 * the words typed so far to `insight __complete`, which answers from the
 * tables the dispatcher itself uses:
 *   - groups and subcommands from cmd_groups[];
 *   - a command's options, and its usage lines (which name its positional
 *     arguments), from the command's own option table: a child process runs
 *     the command with the hidden --insight-complete-options and reads what
 *     it prints (cmd_probing stops such a child before it can touch the
 *     history);
 *   - values named by an option's `complete` hint or a positional's
 *     placeholder: SUT names, session ids and test node ids from the history
 *     (opened read-only), fixed words, formats, shells.
 * So the completions cannot drift from the commands.
 *
 * Answer format (stdout): the first line is a directive, one of
 *   :words    the lines that follow are the candidates, "value" or
 *             "value<TAB>description"
 *   :file     complete file names (no candidates follow)
 *   :dir      complete directory names
 *   :command  complete command names (the command `session run` runs)
 * Nothing is ever printed on stderr, and a history that cannot be read
 * simply gives no candidates: completion must never disturb the prompt.
 */
#define _GNU_SOURCE /* memmem */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cmd.h"
#include "insight/git.h"
#include "completion-scripts.h"
#include "insight/complete.h"
#include "insight/config.h"

int cmd_probing;

/* ---- the candidates ---- */

struct answer {
	const char *directive; /* ":words", ":file", ":dir", ":command" */
	const char *cur;       /* the word being completed */
	const char *prefix;    /* text the candidates are printed after ("--format=") */
	ins_buf out;           /* candidate lines */
};

/*
 * Add a candidate when it starts with the current word (after the prefix,
 * which is always a leading part of the current word); control characters
 * in a description become spaces, a value holding one is left out.
 */
static void add(struct answer *a, const char *value, const char *desc)
{
	const char *v = a->cur + strlen(a->prefix);

	ins_buf line = INS_BUF_INIT;
	int seen;

	if (strncmp(value, v, strlen(v)) || strpbrk(value, "\t\n\r"))
		return;
	/* A command option may share its name with a global one: offer it once. */
	ins_buf_printf(&line, "\n%s%s", a->prefix, value);
	seen = !strncmp(a->out.ptr, line.ptr + 1, line.len - 1) &&
	       strchr("\t\n", a->out.ptr[line.len - 1]);
	for (const char *p = a->out.ptr; !seen && (p = strstr(p, line.ptr)) != NULL; p++)
		seen = p[line.len] == '\t' || p[line.len] == '\n';
	ins_buf_release(&line);
	if (seen)
		return;
	ins_buf_printf(&a->out, "%s%s", a->prefix, value);
	if (desc && *desc) {
		ins_buf_putc(&a->out, '\t');
		for (const char *p = desc; *p; p++)
			ins_buf_putc(&a->out, (unsigned char)*p < ' ' ? ' ' : *p);
	}
	ins_buf_putc(&a->out, '\n');
}

static void add_cb(void *data, const char *value, const char *desc)
{
	add(data, value, desc);
}

/* Fixed words "a|b|c". */
static void add_words(struct answer *a, const char *words)
{
	ins_buf w = INS_BUF_INIT;

	for (const char *p = words; *p;) {
		size_t n = strcspn(p, "|");
		ins_buf_clear(&w);
		ins_buf_put(&w, p, n);
		add(a, w.ptr, NULL);
		p += n;
		if (*p)
			p++;
	}
	ins_buf_release(&w);
}

/* The groups, and external insight-* commands found in $PATH. */
static void add_groups(struct answer *a)
{
	const char *path = getenv("PATH"), *p, *end;
	ins_buf dir = INS_BUF_INIT, file = INS_BUF_INIT;

	for (int i = 0; cmd_groups[i]; i++)
		if (!cmd_groups[i]->hidden)
			add(a, cmd_groups[i]->name, cmd_groups[i]->summary);
	for (p = path; p && *p; p = *end ? end + 1 : end) {
		DIR *d;
		struct dirent *e;

		end = p + strcspn(p, ":");
		if (end == p)
			continue;
		ins_buf_clear(&dir);
		ins_buf_put(&dir, p, (size_t)(end - p));
		if (!(d = opendir(dir.ptr)))
			continue;
		while ((e = readdir(d)) != NULL) {
			if (strncmp(e->d_name, "insight-", 8) || !e->d_name[8] ||
			    cmd_find_group(e->d_name + 8))
				continue;
			ins_buf_clear(&file);
			ins_buf_printf(&file, "%s/%s", dir.ptr, e->d_name);
			if (access(file.ptr, X_OK) == 0)
				add(a, e->d_name + 8, "external command");
		}
		closedir(d);
	}
	ins_buf_release(&dir);
	ins_buf_release(&file);
}

/*
 * Session ids are stored upper-case and read in any case: offer them in the
 * case being typed, so that every shell's own prefix matching keeps them.
 */
static void add_session_cb(void *data, const char *value, const char *desc)
{
	struct answer *a = data;
	const char *v = a->cur + strlen(a->prefix);
	ins_buf id = INS_BUF_INIT;
	int lower = 0;

	for (const char *p = v; *p; p++)
		lower |= *p >= 'a' && *p <= 'z';
	for (const char *p = value; *p; p++)
		ins_buf_putc(&id, lower && *p >= 'A' && *p <= 'Z' ? (char)(*p - 'A' + 'a') : *p);
	add(a, id.ptr, desc);
	ins_buf_release(&id);
}

/* SUT names, session ids or node ids from the history; silent when there is none. */
static void add_store(struct answer *a, ins_complete_kind kind, const char *db, const char *sut)
{
	ins_buf path = INS_BUF_INIT;
	ins_store *store = NULL;
	const char *v = a->cur + strlen(a->prefix);

	ins_store_discover(&path, db);
	if (ins_store_open(&store, path.ptr, INS_STORE_READONLY | INS_STORE_NO_MIGRATE) == 0) {
		if (kind == INS_COMPLETE_SESSION && !strncmp("latest", v, strlen(v)))
			add(a, "latest", "the newest session");
		ins_complete_values(store, kind, v, sut, 0,
				    kind == INS_COMPLETE_SESSION ? add_session_cb : add_cb, a);
	}
	ins_store_free(store);
	ins_buf_release(&path);
	ins_error_clear();
}

static void add_branch_cb(void *data, const char *name)
{
	add(data, name, "branch");
}

/* A ref of compare: latest~N, SUTs, periods and the repository's branches. */
static void add_refs(struct answer *a, const char *db)
{
	add(a, "latest", "the newest session");
	add(a, "latest~1", "the session before it");
	add(a, "latest~2", NULL);
	add_words(a, "1d|7d|14d|30d|yesterday");
	add_store(a, INS_COMPLETE_SUT, db, NULL);
	ins_git_branches(NULL, add_branch_cb, a);
	ins_error_clear();
}

struct route_names {
	struct answer *a;
	const char *v;
};

static int add_route_cb(const ins_config_entry *e, void *data)
{
	struct route_names *rn = data;
	const char *sub = e->name + 7, *key = strrchr(e->name, '.');
	ins_buf name = INS_BUF_INIT;

	if (strncmp(e->name, "notify.", 7) || key <= sub || strcmp(key, ".type"))
		return 0;
	ins_buf_put(&name, sub, (size_t)(key - sub));
	add(rn->a, name.ptr, e->value);
	ins_buf_release(&name);
	return 0;
}

/* The notify routes of the configuration ([notify "NAME"] sections with a type). */
static void add_notify_routes(struct answer *a, const char *db)
{
	ins_buf path = INS_BUF_INIT, user = INS_BUF_INIT, project = INS_BUF_INIT;
	ins_config_files files = { 0 };
	struct route_names rn = { a, NULL };
	ins_config *cfg = NULL;

	ins_store_discover(&path, db);
	ins_config_user_path(&user);
	if (strcmp(path.ptr, ":memory:"))
		ins_config_project_path(&project, path.ptr);
	files.user = user.ptr;
	files.project = project.ptr;
	files.file = getenv("INSIGHT_CONFIG");
	if (ins_config_open(&cfg, &files) == 0)
		ins_config_foreach(cfg, INS_CONFIG_DEFAULT, add_route_cb, &rn);
	ins_config_free(cfg);
	ins_buf_release(&path);
	ins_buf_release(&user);
	ins_buf_release(&project);
	ins_error_clear();
}

/* Complete per a `complete` hint of an option table ("file", "sut", "a|b", ...). */
static void add_hint(struct answer *a, const char *hint, const char *db, const char *sut)
{
	if (!hint || !*hint)
		return;
	if (!strcmp(hint, "file"))
		a->directive = ":file";
	else if (!strcmp(hint, "dir"))
		a->directive = ":dir";
	else if (!strcmp(hint, "command"))
		a->directive = ":command";
	else if (!strcmp(hint, "sut"))
		add_store(a, INS_COMPLETE_SUT, db, NULL);
	else if (!strcmp(hint, "session"))
		add_store(a, INS_COMPLETE_SESSION, db, sut);
	else if (!strcmp(hint, "ref"))
		add_refs(a, db);
	else if (!strcmp(hint, "test"))
		add_store(a, INS_COMPLETE_TEST, db, sut);
	else if (!strcmp(hint, "config-key"))
		for (const ins_config_key *k = ins_config_keys; k->name; k++) {
			if (!strchr(k->name, '*'))
				add(a, k->name, k->help);
		}
	else if (!strcmp(hint, "notify-route"))
		add_notify_routes(a, db);
	else if (!strcmp(hint, "format"))
		add_words(a, "term|md|html|json|csv|tsv");
	else if (!strcmp(hint, "shell"))
		add_words(a, "bash|zsh|fish");
	else if (strchr(hint, '|') || !strchr(hint, ' '))
		add_words(a, hint);
}

/* ---- a command's options and positionals, from its own table ---- */

struct copt {
	char *name;     /* "--sut" or "-s" */
	int takes_arg;
	char *hint;
	char *help;
};

struct cmdinfo {
	struct copt *opts;
	size_t nopts, alloc;
	char *usage;    /* the first usage line, "" when none */
};

static void cmdinfo_release(struct cmdinfo *ci)
{
	for (size_t i = 0; i < ci->nopts; i++) {
		free(ci->opts[i].name);
		free(ci->opts[i].hint);
		free(ci->opts[i].help);
	}
	free(ci->opts);
	free(ci->usage);
}

/* Split "--name\tARGH\tcomplete\thelp" / "usage\tline" lines into `ci`. */
static void cmdinfo_parse(struct cmdinfo *ci, char *text)
{
	char *line, *next;

	for (line = text; line && *line; line = next) {
		char *f[4] = { NULL, NULL, NULL, NULL };
		int nf = 0;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		for (char *p = line; p && nf < 4; nf++) {
			f[nf] = p;
			p = nf < 3 ? strchr(p, '\t') : NULL;
			if (p)
				*p++ = '\0';
		}
		if (!strcmp(f[0], "usage") && f[1]) {
			if (!ci->usage)
				ci->usage = ins_xstrdup(f[1]);
			continue;
		}
		if (f[0][0] != '-')
			continue;
		ci->opts = ins_xgrow(ci->opts, &ci->alloc, ci->nopts + 1, sizeof(*ci->opts));
		ci->opts[ci->nopts].name = ins_xstrdup(f[0]);
		ci->opts[ci->nopts].takes_arg = f[1] && *f[1];
		ci->opts[ci->nopts].hint = ins_xstrdup(f[2] ? f[2] : "");
		ci->opts[ci->nopts].help = ins_xstrdup(f[3] ? f[3] : "");
		ci->nopts++;
	}
	if (!ci->usage)
		ci->usage = ins_xstrdup("");
}

/*
 * Run `fn` in a child with --insight-complete-options and read what it
 * prints. Returns 0, or -1 when the child could not be run.
 */
static int probe(struct cmdinfo *ci, cmd_fn fn, const char *name, const char *cmdname)
{
	int fds[2], status;
	ins_buf text = INS_BUF_INIT;
	char buf[4096];
	ssize_t n;
	pid_t pid;

	memset(ci, 0, sizeof(*ci));
	if (pipe(fds) != 0)
		return -1;
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		close(fds[0]);
		close(fds[1]);
		return -1;
	}
	if (pid == 0) {
		const char *argv[] = { name, "--insight-complete-options", NULL };
		ins_ctx ctx = { 0 };
		int fd = open("/dev/null", O_WRONLY);

		close(fds[0]);
		dup2(fds[1], STDOUT_FILENO);
		if (fd >= 0)
			dup2(fd, STDERR_FILENO);
		cmd_probing = 1;
		alarm(5);
		ctx.cmdname = cmdname;
		fn(2, argv, &ctx);
		fflush(stdout);
		_exit(EXIT_OK);
	}
	close(fds[1]);
	while ((n = read(fds[0], buf, sizeof(buf))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		ins_buf_put(&text, buf, (size_t)n);
	}
	close(fds[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	cmdinfo_parse(ci, text.ptr);
	ins_buf_release(&text);
	return 0;
}

static const struct copt *find_opt(const struct cmdinfo *ci, const char *word, size_t len)
{
	for (size_t i = 0; i < ci->nopts; i++)
		if (strlen(ci->opts[i].name) == len && !strncmp(ci->opts[i].name, word, len))
			return &ci->opts[i];
	return NULL;
}

/*
 * The kind of the n-th positional argument, read from the usage line after
 * the command's name: placeholders "<name>" not right after an option, the
 * last one repeating when it ends in "...". `group` disambiguates <a>/<b>.
 */
static void positional_kind(ins_buf *kind, const char *usage, int skip_words, int n,
			    const char *group)
{
	const char *p = usage, *last = NULL;
	ins_buf tok = INS_BUF_INIT;
	int after_opt = 0, idx = 0, repeats = 0, found = 0;

	ins_buf_clear(kind);
	for (int i = 0; i < skip_words && *p; i++) {
		p += strcspn(p, " ");
		p += strspn(p, " ");
	}
	while (*p && !found) {
		size_t len = strcspn(p, " ");
		const char *t = p, *lt, *gt;

		p += len;
		p += strspn(p, " ");
		while (len && (*t == '[' || *t == '(')) {
			t++;
			len--;
		}
		if (len && t[0] == '-' && !(len == 2 && t[1] == '-')) {
			/* "--all]" closes its group: it takes no argument. */
			after_opt = t[len - 1] != ']' && t[len - 1] != ')';
			continue;
		}
		lt = memchr(t, '<', len);
		gt = lt ? memchr(lt, '>', len - (size_t)(lt - t)) : NULL;
		if (!lt || !gt || after_opt) {
			after_opt = 0;
			continue;
		}
		ins_buf_clear(&tok);
		ins_buf_put(&tok, lt + 1, (size_t)(gt - lt - 1));
		repeats = memmem(t, len, "...", 3) != NULL;
		last = tok.ptr;
		if (idx++ == n)
			found = 1;
	}
	if (found || (last && repeats)) {
		/* "<base-session>", "<target-sut>": the kind is the last word. */
		const char *name = strrchr(tok.ptr, '-') && tok.ptr[strcspn(tok.ptr, "|")] == '\0' ?
				   strrchr(tok.ptr, '-') + 1 : tok.ptr;
		size_t l = strcspn(name, "|");

		if (!strcmp(name, "ref") || !strcmp(name, "session"))
			ins_buf_puts(kind, "session");
		else if (!strcmp(name, "sut") || !strcmp(name, "name"))
			ins_buf_puts(kind, "sut");
		else if (!strcmp(name, "nodeid") || !strcmp(name, "test"))
			ins_buf_puts(kind, "test");
		else if (!strcmp(name, "a") || !strcmp(name, "b"))
			ins_buf_puts(kind, !strcmp(group, "sut") ? "sut" : "session");
		else if (!strcmp(name, "shell"))
			ins_buf_puts(kind, "shell");
		else if (!strcmp(name, "target") && !strcmp(group, "publish"))
			ins_buf_puts(kind, "testrail|zephyr|xray");
		else if (!strcmp(name, "key"))
			ins_buf_puts(kind, "config-key");
		else if (!strcmp(name, "command"))
			ins_buf_puts(kind, !strcmp(group, "help") ? "insight-command" : "command");
		else if (!strcmp(name, "subcommand"))
			ins_buf_puts(kind, "insight-subcommand");
		else if (!strcmp(name, "directory") || !strcmp(name, "dir"))
			ins_buf_puts(kind, "dir");
		else if (!strncmp(name, "path", l) || !strncmp(name, "file", l) ||
			 !strcmp(name, "args") || !strcmp(name, "report"))
			ins_buf_puts(kind, "file");
	}
	ins_buf_release(&tok);
}

/* ---- insight __complete ---- */

/* The global option a word names ("--db", "--db=x", "-o"), or NULL. */
static const struct ins_option *global_find(const char *w)
{
	size_t len = strcspn(w, "=");

	for (const struct ins_option *o = cmd_global_options; o->type != OPT_END; o++) {
		if (o->type == OPT_GROUP)
			continue;
		if (o->long_name && w[1] == '-' && strlen(o->long_name) == len - 2 &&
		    !strncmp(w + 2, o->long_name, len - 2))
			return o;
		if (o->short_name && w[1] == o->short_name && !w[2])
			return o;
	}
	return NULL;
}

static int takes_value(const struct ins_option *o)
{
	return o && (o->type == OPT_STRING || o->type == OPT_INT || o->type == OPT_LIST);
}

/* List every built-in command, one "group[ sub]" a line (used by the manual page test). */
static void list_commands(void)
{
	for (int i = 0; cmd_groups[i]; i++) {
		const struct ins_group *g = cmd_groups[i];
		if (g->hidden)
			continue;
		if (!g->subs)
			printf("%s\n", g->name);
		for (int k = 0; g->subs && g->subs[k].name; k++)
			printf("%s %s\n", g->name, g->subs[k].name);
	}
}

static void complete_words(struct answer *a, int nw, const char **w)
{
	const char *db = getenv("INSIGHT_DB"), *sut = NULL;
	const struct ins_group *g;
	const struct ins_subcmd *sub = NULL;
	struct cmdinfo ci;
	ins_buf kind = INS_BUF_INIT, cmdname = INS_BUF_INIT;
	int i = 0, npos = 0, dashdash = 0, skip;
	cmd_fn fn;

	/* Global options before the command. */
	while (i < nw - 1 && w[i][0] == '-' && w[i][1]) {
		const struct ins_option *o = global_find(w[i]);

		if (!strncmp(w[i], "--db=", 5))
			db = w[i] + 5;
		if (takes_value(o) && !strchr(w[i], '=')) {
			if (i + 1 == nw - 1) {
				add_hint(a, o->complete, db, NULL);
				return;
			}
			if (!strcmp(w[i], "--db"))
				db = w[i + 1];
			i++;
		}
		i++;
	}
	if (i == nw - 1) {
		if (a->cur[0] == '-') {
			const char *eq = strchr(a->cur, '=');
			if (eq && a->cur[1] == '-') {
				const struct ins_option *o = global_find(a->cur);
				a->prefix = ins_xstrndup(a->cur, (size_t)(eq - a->cur + 1));
				add_hint(a, o ? o->complete : NULL, db, NULL);
				return;
			}
			for (const struct ins_option *o = cmd_global_options; o->type != OPT_END; o++)
				if (o->type != OPT_GROUP && o->long_name) {
					ins_buf_clear(&kind);
					ins_buf_printf(&kind, "--%s", o->long_name);
					add(a, kind.ptr, o->help);
				}
			add(a, "--version", "print the version and exit");
			add(a, "--help", "show the commands");
		} else {
			add_groups(a);
		}
		ins_buf_release(&kind);
		return;
	}
	g = cmd_find_group(w[i]);
	if (!g || g->hidden) {
		a->directive = ":file"; /* an external command: its arguments are its own */
		return;
	}
	i++;
	if (g->subs) {
		if (i == nw - 1) {
			for (int k = 0; g->subs[k].name; k++)
				add(a, g->subs[k].name, g->subs[k].summary);
			return;
		}
		for (int k = 0; g->subs[k].name; k++)
			if (!strcmp(g->subs[k].name, w[i]))
				sub = &g->subs[k];
		if (!sub)
			return;
		i++;
	}
	fn = sub ? sub->fn : g->fn;
	ins_buf_printf(&cmdname, "%s%s%s", g->name, sub ? " " : "", sub ? sub->name : "");
	if (probe(&ci, fn, sub ? sub->name : g->name, cmdname.ptr) < 0)
		goto done;
	skip = sub ? 3 : 2; /* "insight group sub" before the arguments in the usage line */

	/* The words typed after the command: options, their values, positionals. */
	for (; i < nw - 1; i++) {
		const char *x = w[i];
		size_t len = strcspn(x, "=");
		const struct copt *o;

		if (dashdash || x[0] != '-' || !x[1]) {
			positional_kind(&kind, ci.usage, skip, npos++, g->name);
			if (!strcmp(kind.ptr, "command")) {
				/* Everything after the command is the command's own. */
				a->directive = ":file";
				goto done;
			}
			if (!strcmp(kind.ptr, "insight-command"))
				ins_buf_set(&cmdname, x);
			continue;
		}
		if (!strcmp(x, "--")) {
			dashdash = 1;
			continue;
		}
		o = find_opt(&ci, x, x[1] == '-' ? len : 2);
		if (!o || !o->takes_arg || x[len] == '=' || (x[1] != '-' && x[2]))
			continue;
		if (i + 1 == nw - 1) {
			add_hint(a, o->hint, db, sut);
			goto done;
		}
		if (!strcmp(o->name, "--db"))
			db = w[i + 1];
		if (!strcmp(o->name, "--sut") || !strcmp(o->name, "-s"))
			sut = w[i + 1];
		i++;
	}

	/* The current word. */
	if (!dashdash && a->cur[0] == '-') {
		const char *eq = strchr(a->cur, '=');
		if (eq && a->cur[1] == '-') {
			const struct copt *o = find_opt(&ci, a->cur, (size_t)(eq - a->cur));
			a->prefix = ins_xstrndup(a->cur, (size_t)(eq - a->cur + 1));
			if (o)
				add_hint(a, o->hint, db, sut);
			goto done;
		}
		for (size_t k = 0; k < ci.nopts; k++)
			if (ci.opts[k].name[1] == '-' || !strcmp(a->cur, "-"))
				add(a, ci.opts[k].name, ci.opts[k].help);
		add(a, "--help", "show the manual page");
		goto done;
	}
	positional_kind(&kind, ci.usage, skip, npos, g->name);
	if (!strcmp(kind.ptr, "insight-command")) {
		add_groups(a);
	} else if (!strcmp(kind.ptr, "insight-subcommand")) {
		const struct ins_group *hg = cmd_find_group(cmdname.ptr);
		for (int k = 0; hg && hg->subs && hg->subs[k].name; k++)
			add(a, hg->subs[k].name, hg->subs[k].summary);
	} else {
		add_hint(a, kind.ptr, db, sut);
	}
done:
	cmdinfo_release(&ci);
	ins_buf_release(&kind);
	ins_buf_release(&cmdname);
}

static int cmd_complete(int argc, const char **argv, ins_ctx *ctx)
{
	struct answer a = { ":words", "", "", INS_BUF_INIT };
	const char **w = argv + 1;
	int nw = argc - 1;
	const char *empty[] = { "" };

	(void)ctx;
	if (nw == 1 && !strcmp(w[0], "--commands")) {
		list_commands();
		return EXIT_OK;
	}
	if (nw == 0) {
		w = empty;
		nw = 1;
	}
	a.cur = w[nw - 1];
	complete_words(&a, nw, w);
	printf("%s\n%s", a.directive, a.directive[1] == 'w' ? a.out.ptr : "");
	if (a.prefix[0])
		free((char *)a.prefix);
	ins_buf_release(&a.out);
	return EXIT_OK;
}

/* ---- insight completion <shell> ---- */

static int cmd_completion(int argc, const char **argv, ins_ctx *ctx)
{
	static const char *const usage[] = { "insight completion <shell>", NULL };
	const struct ins_option opts[] = { OPT_END() };
	static const struct {
		const char *shell;
		const char *script;
	} scripts[] = {
		{ "bash", completion_script_bash },
		{ "zsh", completion_script_zsh },
		{ "fish", completion_script_fish },
	};
	int n = cmd_parse_options(ctx, argc, argv, opts, usage, 0);

	if (n < 0)
		return EXIT_USAGE;
	if (n != 1)
		return cmd_usage_error(ctx, "completion needs a shell: bash, zsh or fish "
				       "(e.g. 'insight completion bash')");
	for (size_t i = 0; i < sizeof(scripts) / sizeof(scripts[0]); i++) {
		if (!strcmp(argv[0], scripts[i].shell)) {
			fputs(scripts[i].script, stdout);
			return EXIT_OK;
		}
	}
	return cmd_usage_error(ctx, "no completion for shell '%s' (expected bash, zsh or fish)",
			       argv[0]);
}

const struct ins_group cmd_group_completion = {
	"completion", "print the shell completion script for bash, zsh or fish", NULL,
	cmd_completion, CMD_NO_STORE, 0
};

const struct ins_group cmd_group_complete = {
	"__complete", "answer the completion scripts", NULL, cmd_complete, CMD_NO_STORE, 1
};
