/*
 * cmd_remote.c - `insight remote add|remove|list|show|init`, `insight push`,
 * `insight fetch` (alias `pull`) and `insight db merge`: a team's shared
 * history on PostgreSQL, or in another history file.
 *
 * Remotes live in the configuration as remote.NAME.url, in the project file
 * by default and in the user's with --global, as git keeps them. A URL is
 * always shown with its password masked; a password written in one is
 * accepted with a warning (libpq's PGPASSWORD, ~/.pgpass and service files
 * keep it out of files).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "insight/config.h"
#include "insight/remote.h"
#include "insight/timeutil.h"

#define URL_KEY_FMT "remote.%s.url"

/* The URL as shown: password masked. Returns a new string. */
static char *masked(const char *url)
{
	char *m = NULL;

	if (ins_remote_url_mask(url, &m) < 0 || !m)
		return ins_xstrdup("***");
	return m;
}

static int has_password(const char *url)
{
	char *m = masked(url);
	int differs = strcmp(m, url) != 0;

	free(m);
	return differs;
}

struct remote_entry {
	char *name;
	const char *url;
	const char *origin;
	ins_config_level level;
};

struct remote_list {
	struct remote_entry *v;
	size_t n, alloc;
};

static int collect_remote(const ins_config_entry *e, void *data)
{
	struct remote_list *l = data;
	size_t len = strlen(e->name);

	if (strncmp(e->name, "remote.", 7) || len < 12 || strcmp(e->name + len - 4, ".url"))
		return 0;
	/* A later level wins: replace an entry of the same name. */
	for (size_t i = 0; i < l->n; i++) {
		if (strlen(l->v[i].name) == len - 11 && !strncmp(l->v[i].name, e->name + 7, len - 11)) {
			l->v[i].url = e->value;
			l->v[i].origin = e->origin;
			l->v[i].level = e->level;
			return 0;
		}
	}
	l->v = ins_xgrow(l->v, &l->alloc, l->n + 1, sizeof(*l->v));
	l->v[l->n].name = ins_xstrndup(e->name + 7, len - 11);
	l->v[l->n].url = e->value;
	l->v[l->n].origin = e->origin;
	l->v[l->n].level = e->level;
	l->n++;
	return 0;
}

static int cmp_entry(const void *a, const void *b)
{
	return strcmp(((const struct remote_entry *)a)->name, ((const struct remote_entry *)b)->name);
}

static void remote_list_release(struct remote_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i].name);
	free(l->v);
}

static int read_remotes(ins_ctx *ctx, struct remote_list *l, const ins_config **cfg)
{
	int rc;

	memset(l, 0, sizeof(*l));
	if ((rc = cmd_config(ctx, cfg)) != 0)
		return rc;
	ins_config_foreach(*cfg, INS_CONFIG_DEFAULT, collect_remote, l);
	if (l->n)
		qsort(l->v, l->n, sizeof(*l->v), cmp_entry);
	return 0;
}

/*
 * The remote a push or fetch talks to: `given`, else remote.default, else
 * the only remote. Sets *name and *url (borrowed from the config).
 */
static int pick_remote(ins_ctx *ctx, const char *given, char **name, const char **url)
{
	struct remote_list l;
	const ins_config *cfg;
	const char *def = NULL;
	int rc;

	if ((rc = read_remotes(ctx, &l, &cfg)) != 0)
		return rc;
	if (!given && ins_config_get_string(cfg, "remote.default", &def) == 0 && *def)
		given = def;
	rc = EXIT_OK;
	if (given) {
		size_t i;

		for (i = 0; i < l.n && strcmp(l.v[i].name, given); i++)
			;
		if (i == l.n)
			rc = cmd_usage_error(ctx, "no remote named '%s'%s (see 'insight remote list')",
					     given, given == def ? " (remote.default)" : "");
		else
			*url = l.v[i].url;
	} else if (l.n == 1) {
		given = l.v[0].name;
		*url = l.v[0].url;
	} else if (l.n == 0) {
		rc = cmd_usage_error(ctx, "no remote; add one with 'insight remote add <name> <url>'");
	} else {
		ins_buf names = INS_BUF_INIT;

		for (size_t i = 0; i < l.n; i++)
			ins_buf_printf(&names, "%s%s", i ? ", " : "", l.v[i].name);
		rc = cmd_usage_error(ctx, "several remotes (%s) and no remote.default: name one",
				     names.ptr);
		ins_buf_release(&names);
	}
	if (rc == EXIT_OK)
		*name = ins_xstrdup(given);
	remote_list_release(&l);
	return rc;
}

static void scope_file(ins_ctx *ctx, int global, ins_buf *path)
{
	if (global)
		ins_config_user_path(path);
	else
		cmd_config_project_path(ctx, path);
}

static int cmd_remote_add(int argc, const char **argv, ins_ctx *ctx)
{
	static const char *const usage[] = { "insight remote add [--global] <name> <url>", NULL };
	int global = 0;
	const struct ins_option opts[] = {
		OPT_BOOL(0, "global", &global, "in the user file ($XDG_CONFIG_HOME/insight/config)"),
		OPT_END(),
	};
	ins_buf path = INS_BUF_INIT, key = INS_BUF_INIT, abs = INS_BUF_INIT;
	struct remote_list l;
	const ins_config *cfg;
	const char *url;
	int n, rc;

	if ((n = cmd_parse_options(ctx, argc, argv, opts, usage, 0)) < 0)
		return EXIT_USAGE;
	if (n != 2)
		return cmd_usage_error(ctx, "remote add takes a name and a URL (usage: %s)", usage[0]);
	if ((rc = ins_remote_name_check(argv[0])) < 0)
		return cmd_fail(rc);
	if (!ins_remote_url_is_pg(argv[1]) && strstr(argv[1], "://") &&
	    strncmp(argv[1], "file://", 7))
		return cmd_usage_error(ctx, "a remote is a postgresql:// or postgres:// URL, or a "
				       "history file (a path or file://), not '%s'", argv[1]);
	url = argv[1];
	if (!ins_remote_url_is_pg(url) && !strncmp(url, "file://", 7))
		url += 7;
	if (!ins_remote_url_is_pg(url) && url[0] != '/') {
		/* Kept absolute: a relative path would change with the working directory. */
		char *cwd = getcwd(NULL, 0);

		if (!cwd)
			return cmd_error(EXIT_USAGE, "cannot resolve '%s': %s", url, strerror(errno));
		ins_buf_printf(&abs, "%s/%s", cwd, url);
		free(cwd);
		url = abs.ptr;
	} else if (!ins_remote_url_is_pg(url)) {
		ins_buf_set(&abs, url);
		url = abs.ptr;
	} else {
		url = argv[1];
	}
	if ((rc = read_remotes(ctx, &l, &cfg)) != 0) {
		ins_buf_release(&abs);
		return rc;
	}
	for (size_t i = 0; i < l.n; i++) {
		if (!strcmp(l.v[i].name, argv[0])) {
			rc = cmd_usage_error(ctx, "remote '%s' exists already (in %s)", argv[0],
					     l.v[i].origin);
			goto done;
		}
	}
	scope_file(ctx, global, &path);
	ins_buf_printf(&key, URL_KEY_FMT, argv[0]);
	if ((rc = ins_config_set(path.ptr, key.ptr, url)) < 0) {
		rc = cmd_fail(rc);
		goto done;
	}
	if (has_password(argv[1]))
		cmd_warn("the URL of remote '%s' holds a password, stored as given in %s; "
			 "PGPASSWORD, ~/.pgpass or a service file keep it out of the config",
			 argv[0], path.ptr);
	rc = EXIT_OK;
done:
	remote_list_release(&l);
	ins_buf_release(&path);
	ins_buf_release(&key);
	ins_buf_release(&abs);
	return rc;
}

static int cmd_remote_remove(int argc, const char **argv, ins_ctx *ctx)
{
	static const char *const usage[] = { "insight remote remove [--global] <name>", NULL };
	int global = 0;
	const struct ins_option opts[] = {
		OPT_BOOL(0, "global", &global, "from the user file ($XDG_CONFIG_HOME/insight/config)"),
		OPT_END(),
	};
	ins_buf path = INS_BUF_INIT, key = INS_BUF_INIT;
	int n, rc;

	if ((n = cmd_parse_options(ctx, argc, argv, opts, usage, 0)) < 0)
		return EXIT_USAGE;
	if (n != 1)
		return cmd_usage_error(ctx, "remote remove takes a name (usage: %s)", usage[0]);
	scope_file(ctx, global, &path);
	ins_buf_printf(&key, URL_KEY_FMT, argv[0]);
	rc = ins_config_unset(path.ptr, key.ptr);
	if (rc == INS_ENOTFOUND) {
		rc = cmd_usage_error(ctx, "no remote named '%s' in %s", argv[0], path.ptr);
	} else if (rc < 0) {
		rc = cmd_fail(rc);
	} else {
		const ins_config *cfg;
		const char *def;

		rc = EXIT_OK;
		/* A default that named it goes with it, from the same file. */
		if (cmd_config(ctx, &cfg) == 0 && ins_config_get_string(cfg, "remote.default", &def) == 0 &&
		    !strcmp(def, argv[0]))
			ins_config_unset(path.ptr, "remote.default");
	}
	ins_buf_release(&path);
	ins_buf_release(&key);
	return rc;
}

static int cmd_remote_list(int argc, const char **argv, ins_ctx *ctx)
{
	static const char *const usage[] = { "insight remote list", NULL };
	const struct ins_option opts[] = { OPT_END() };
	struct remote_list l;
	const ins_config *cfg;
	const char *def = "";
	ins_doc *doc;
	ins_table *t;
	int n, rc;

	if ((n = cmd_parse_options(ctx, argc, argv, opts, usage, 0)) < 0)
		return EXIT_USAGE;
	if (n != 0)
		return cmd_usage_error(ctx, "remote list takes no arguments");
	if ((rc = read_remotes(ctx, &l, &cfg)) != 0)
		return rc;
	ins_config_get_string(cfg, "remote.default", &def);
	doc = ins_doc_new("insight.remote.list", "Remotes");
	t = ins_doc_table(doc, "remotes", NULL);
	ins_table_column(t, "name", "Name", INS_V_TEXT);
	ins_table_column(t, "url", "URL", INS_V_TEXT);
	ins_table_column(t, "level", "Level", INS_V_TEXT);
	ins_table_column(t, "default", "Default", INS_V_BOOL);
	ins_table_set_empty(t, "no remote; add one with 'insight remote add <name> <url>'");
	for (size_t i = 0; i < l.n; i++) {
		char *m = masked(l.v[i].url);

		ins_table_row(t);
		ins_table_text(t, l.v[i].name);
		ins_table_text(t, m);
		ins_table_text(t, cmd_config_level_name(l.v[i].level));
		ins_table_bool(t, def && !strcmp(def, l.v[i].name));
		free(m);
	}
	remote_list_release(&l);
	ctx->all = 1;
	return cmd_render(ctx, doc);
}

static int cmd_remote_show(int argc, const char **argv, ins_ctx *ctx)
{
	static const char *const usage[] = { "insight remote show <name>", NULL };
	const struct ins_option opts[] = { OPT_END() };
	struct remote_list l;
	const ins_config *cfg;
	const char *def = "";
	size_t i;
	char *m;
	int n, rc;

	if ((n = cmd_parse_options(ctx, argc, argv, opts, usage, 0)) < 0)
		return EXIT_USAGE;
	if (n != 1)
		return cmd_usage_error(ctx, "remote show takes a name (usage: %s)", usage[0]);
	if ((rc = read_remotes(ctx, &l, &cfg)) != 0)
		return rc;
	for (i = 0; i < l.n && strcmp(l.v[i].name, argv[0]); i++)
		;
	if (i == l.n) {
		remote_list_release(&l);
		return cmd_usage_error(ctx, "no remote named '%s' (see 'insight remote list')",
				       argv[0]);
	}
	ins_config_get_string(cfg, "remote.default", &def);
	m = masked(l.v[i].url);
	printf("name: %s\nurl: %s\nset in: %s (%s)\ndefault: %s\n", l.v[i].name, m,
	       l.v[i].origin, cmd_config_level_name(l.v[i].level),
	       def && !strcmp(def, l.v[i].name) ? "yes" : "no");
	free(m);
	remote_list_release(&l);
	return EXIT_OK;
}

/* The remote a command works with: a PostgreSQL connection or a history file. */
struct target {
	char *name;
	ins_remote *pg;   /* a PostgreSQL remote */
	char *path;       /* a history file */
};

static void target_release(struct target *t)
{
	ins_remote_free(t->pg);
	free(t->path);
	free(t->name);
	memset(t, 0, sizeof(*t));
}

/* Open the remote a command names (or the default one). */
static int open_target(ins_ctx *ctx, const char *given, struct target *t)
{
	const char *url = NULL;
	int rc;

	memset(t, 0, sizeof(*t));
	if ((rc = pick_remote(ctx, given, &t->name, &url)) != 0)
		return rc;
	if (!ins_remote_url_is_pg(url)) {
		t->path = ins_xstrdup(!strncmp(url, "file://", 7) ? url + 7 : url);
		return EXIT_OK;
	}
	if ((rc = ins_remote_open(&t->pg, t->name, url)) < 0)
		return cmd_fail(rc);
	return EXIT_OK;
}

static int cmd_remote_init(int argc, const char **argv, ins_ctx *ctx)
{
	static const char *const usage[] = { "insight remote init <name>", NULL };
	const struct ins_option opts[] = { OPT_END() };
	struct target t;
	int n, rc, from = 0, to = 0, created = 0;

	if ((n = cmd_parse_options(ctx, argc, argv, opts, usage, 0)) < 0)
		return EXIT_USAGE;
	if (n != 1)
		return cmd_usage_error(ctx, "remote init takes a name (usage: %s)", usage[0]);
	if ((rc = open_target(ctx, argv[0], &t)) != 0)
		goto done;
	if (t.path) {
		ins_store *file = NULL;

		if ((rc = ins_store_open(&file, t.path, INS_STORE_CREATE)) < 0) {
			rc = cmd_fail(rc);
			goto done;
		}
		ins_store_free(file);
		printf("remote '%s' is the history %s\n", t.name, t.path);
		rc = EXIT_OK;
		goto done;
	}
	if ((rc = ins_remote_init(t.pg, &from, &to)) < 0) {
		rc = cmd_fail(rc);
		goto done;
	}
	/* The schema is there: a role that may not create tables only misses the partitions. */
	if (ins_remote_partition(t.pg, ins_time_now_ms(), &created) < 0)
		cmd_warn("%s; the results of months without a partition wait in the default one",
			 ins_error_last());
	else if (created)
		cmd_note(ctx, "created %d monthly partitions of results on remote '%s'", created,
			 t.name);
	if (from == to)
		printf("remote '%s' has the schema already (version %d)\n", t.name, to);
	else if (from == 0)
		printf("created the schema on remote '%s' (version %d)\n", t.name, to);
	else
		printf("upgraded the schema on remote '%s' from version %d to %d\n", t.name, from,
		       to);
	rc = EXIT_OK;
done:
	target_release(&t);
	return rc;
}

static int cmd_remote_prune(int argc, const char **argv, ins_ctx *ctx)
{
	static const char *const usage[] = {
		"insight remote prune --older-than <window> [--dry-run] [--yes] <name>", NULL
	};
	const char *older = NULL;
	int dry_run = 0, yes = 0;
	const struct ins_option opts[] = {
		OPT_STRING(0, "older-than", &older, "WINDOW",
			   "delete the sessions that started longer ago than this (e.g. 180d)", NULL),
		OPT_BOOL('n', "dry-run", &dry_run, "only say what would go"),
		OPT_BOOL('y', "yes", &yes, "do not ask, even at a terminal"),
		OPT_END(),
	};
	ins_remote_prune_counts c = { 0 };
	struct target t = { 0 };
	int64_t window, before;
	int n, rc;

	ctx->text_only = 1;
	if ((n = cmd_parse_options(ctx, argc, argv, opts, usage, 0)) < 0)
		return EXIT_USAGE;
	if (n != 1)
		return cmd_usage_error(ctx, "remote prune takes a name (usage: %s)", usage[0]);
	if (!older)
		return cmd_usage_error(ctx, "remote prune needs --older-than (e.g. --older-than 180d)");
	if ((rc = ins_time_parse_window(&window, older)) < 0)
		return cmd_fail(rc);
	before = ins_time_now_ms() - window;
	if ((rc = open_target(ctx, argv[0], &t)) != 0)
		goto done;
	if (t.path) {
		ins_store *file = NULL;
		int64_t sessions = 0;

		/* A history file: pruned as 'db prune' prunes one. */
		if ((rc = ins_store_open(&file, t.path, 0)) == 0 && !dry_run &&
		    (rc = ins_store_prune(file, before, 1, &sessions)) == 0 && sessions &&
		    !cmd_confirm(ctx, yes, "delete %lld sessions older than %s from remote '%s'? "
				 "This cannot be undone.", (long long)sessions, older, t.name)) {
			cmd_note(ctx, "insight: nothing deleted");
			ins_store_free(file);
			goto done;
		}
		if (rc == 0)
			rc = ins_store_prune(file, before, dry_run, &sessions);
		ins_store_free(file);
		if (rc < 0) {
			rc = cmd_fail(rc);
			goto done;
		}
		c.sessions = sessions;
	} else {
		if (!dry_run) {
			if ((rc = ins_remote_prune(t.pg, before, ins_time_now_ms(), 1, &c)) < 0) {
				rc = cmd_fail(rc);
				goto done;
			}
			if (c.sessions && !cmd_confirm(ctx, yes, "delete %lld sessions older than %s "
						       "from remote '%s'? This cannot be undone.",
						       (long long)c.sessions, older, t.name)) {
				cmd_note(ctx, "insight: nothing deleted");
				goto done;
			}
		}
		if ((rc = ins_remote_prune(t.pg, before, ins_time_now_ms(), dry_run, &c)) < 0) {
			rc = cmd_fail(rc);
			goto done;
		}
	}
	if (!ctx->quiet) {
		if (dry_run)
			printf("would prune %lld sessions (%lld results) older than %s from %s; "
			       "%d monthly partitions whole\n", (long long)c.sessions,
			       (long long)c.results, older, t.name, c.partitions);
		else
			printf("pruned %lld sessions (%lld results) older than %s from %s; "
			       "%d monthly partitions dropped\n", (long long)c.sessions,
			       (long long)c.results, older, t.name, c.partitions);
	}
	rc = EXIT_OK;
done:
	target_release(&t);
	return rc;
}

struct sync_args {
	const char *sut, *since;
	int dry_run, deletions;
};

static void progress(int64_t done, int64_t total, void *data)
{
	ins_ctx *ctx = ((void **)data)[0];
	const char *verb = ((void **)data)[1];

	if (done < total)
		cmd_note(ctx, "%s: %lld of %lld sessions", verb, (long long)done, (long long)total);
}

static int sync_opts(ins_ctx *ctx, const struct sync_args *a, ins_remote_sync_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->sut = a->sut;
	o->dry_run = a->dry_run;
	o->deletions = a->deletions;
	if (a->since) {
		int64_t ms;

		if (ins_time_parse_window(&ms, a->since) == 0)
			o->since_ms = ins_time_now_ms() - ms;
		else if (ins_time_parse_date(&o->since_ms, a->since, 0) < 0)
			return cmd_usage_error(ctx, "--since takes a window (7d) or a date "
					       "(2026-11-01), not '%s'", a->since);
	}
	return 0;
}

/* The one line a push or fetch answers with, unless -q. */
static void report(ins_ctx *ctx, const char *line)
{
	if (!ctx->quiet)
		printf("%s\n", line);
}

/*
 * What push and fetch do first: their options, the sync settings, progress
 * under the command's name (pdata: the context and `verb`), the remote,
 * then this history (`mode`: read for a push, written for a fetch).
 * On failure `t` holds what it held; the caller releases it.
 */
static int sync_begin(ins_ctx *ctx, int argc, const char **argv, const struct ins_option *opts,
		      const char *const *usage, struct sync_args *a, ins_remote_sync_opts *o,
		      void **pdata, struct target *t, unsigned mode, ins_store **store)
{
	int n, rc;

	ctx->text_only = 1;
	if ((n = cmd_parse_options(ctx, argc, argv, opts, usage, 0)) < 0)
		return EXIT_USAGE;
	if (n > 1)
		return cmd_usage_error(ctx, "%s takes at most one remote (usage: %s)",
				       (const char *)pdata[1], usage[0]);
	if ((rc = sync_opts(ctx, a, o)) != 0)
		return rc;
	o->progress = progress;
	o->progress_data = pdata;
	if ((rc = open_target(ctx, n ? argv[0] : NULL, t)) != 0)
		return rc;
	return cmd_store(ctx, mode, store);
}

static int cmd_push(int argc, const char **argv, ins_ctx *ctx)
{
	static const char *const usage[] = {
		"insight push [--sut <name>] [--since <time>] [--delete] [--dry-run] [<remote>]", NULL
	};
	struct sync_args a = { 0 };
	const struct ins_option opts[] = {
		OPT_STRING(0, "sut", &a.sut, "NAME", "only the sessions of this SUT", "sut"),
		OPT_STRING(0, "since", &a.since, "TIME", "only sessions since TIME (7d, 2026-11-01)",
			   NULL),
		OPT_BOOL(0, "delete", &a.deletions,
			 "also delete there the sessions deleted here (as tombstones)"),
		OPT_BOOL('n', "dry-run", &a.dry_run, "say what would be pushed, push nothing"),
		OPT_END(),
	};
	ins_remote_sync_opts o;
	ins_remote_counts c = { 0 };
	struct target t = { 0 };
	ins_store *store;
	ins_buf line = INS_BUF_INIT;
	void *pdata[2] = { ctx, "push" };
	int rc;

	if ((rc = sync_begin(ctx, argc, argv, opts, usage, &a, &o, pdata, &t, CMD_STORE_READ,
			      &store)) != 0)
		goto done;
	if (t.path && a.deletions) {
		rc = cmd_usage_error(ctx, "push --delete needs a PostgreSQL remote; '%s' is a history "
				     "file (delete there with 'insight --db %s session delete')",
				     t.name, t.path);
		goto done;
	}
	if (t.path) {
		ins_store *file = NULL;

		/* A history file: this history merged into it. */
		rc = ins_store_open(&file, t.path, INS_STORE_CREATE);
		if (rc == 0)
			rc = ins_store_merge(file, ins_store_path(store), &o, &c);
		ins_store_free(file);
	} else {
		rc = ins_remote_push(t.pg, store, &o, &c);
	}
	if (rc < 0) {
		rc = cmd_fail(rc);
		goto done;
	}
	if (a.dry_run)
		ins_buf_printf(&line, "would push %lld sessions to %s; %lld there already",
			       (long long)c.sessions, t.name, (long long)c.present);
	else
		ins_buf_printf(&line, "pushed %lld sessions (%lld results) to %s; %lld there already",
			       (long long)c.sessions, (long long)c.results, t.name,
			       (long long)c.present);
	if (a.deletions)
		ins_buf_printf(&line, "; %s %lld deletions", a.dry_run ? "would send" : "sent",
			       (long long)c.deleted);
	report(ctx, line.ptr);
	rc = EXIT_OK;
done:
	ins_buf_release(&line);
	target_release(&t);
	return rc;
}

static int cmd_fetch(int argc, const char **argv, ins_ctx *ctx)
{
	static const char *const usage[] = {
		"insight fetch [--sut <name>] [--since <time>] [<remote>]", NULL
	};
	struct sync_args a = { 0 };
	const struct ins_option opts[] = {
		OPT_STRING(0, "sut", &a.sut, "NAME", "only the sessions of this SUT", "sut"),
		OPT_STRING(0, "since", &a.since, "TIME", "only sessions since TIME (7d, 2026-11-01)",
			   NULL),
		OPT_END(),
	};
	ins_remote_sync_opts o;
	ins_remote_counts c = { 0 };
	struct target t = { 0 };
	ins_store *store;
	ins_buf line = INS_BUF_INIT;
	void *pdata[2] = { ctx, "fetch" };
	int rc;

	if ((rc = sync_begin(ctx, argc, argv, opts, usage, &a, &o, pdata, &t, CMD_STORE_WRITE,
			      &store)) != 0)
		goto done;
	if (t.path)
		rc = ins_store_merge(store, t.path, &o, &c);
	else
		rc = ins_remote_fetch(t.pg, store, &o, &c);
	if (rc < 0) {
		rc = cmd_fail(rc);
		goto done;
	}
	ins_buf_printf(&line, "fetched %lld sessions (%lld results) from %s; %lld here already",
		       (long long)c.sessions, (long long)c.results, t.name, (long long)c.present);
	if (c.deleted)
		ins_buf_printf(&line, "; deleted %lld sessions deleted there", (long long)c.deleted);
	report(ctx, line.ptr);
	rc = EXIT_OK;
done:
	ins_buf_release(&line);
	target_release(&t);
	return rc;
}

int cmd_db_merge(int argc, const char **argv, ins_ctx *ctx)
{
	static const char *const usage[] = {
		"insight db merge [--sut <name>] [--since <time>] [--dry-run] <file>...", NULL
	};
	struct sync_args a = { 0 };
	const struct ins_option opts[] = {
		OPT_STRING(0, "sut", &a.sut, "NAME", "only the sessions of this SUT", "sut"),
		OPT_STRING(0, "since", &a.since, "TIME", "only sessions since TIME (7d, 2026-11-01)",
			   NULL),
		OPT_BOOL('n', "dry-run", &a.dry_run, "say what would be merged, merge nothing"),
		OPT_END(),
	};
	ins_remote_sync_opts o;
	ins_store *store;
	int n, rc;

	if ((n = cmd_parse_options(ctx, argc, argv, opts, usage, 0)) < 0)
		return EXIT_USAGE;
	if (n < 1)
		return cmd_usage_error(ctx, "db merge takes the histories to merge (usage: %s)",
				       usage[0]);
	if ((rc = sync_opts(ctx, &a, &o)) != 0)
		return rc;
	if ((rc = cmd_store(ctx, CMD_STORE_WRITE, &store)) != 0)
		return rc;
	for (int i = 0; i < n; i++) {
		ins_remote_counts c = { 0 };

		if ((rc = ins_store_merge(store, argv[i], &o, &c)) < 0)
			return cmd_fail(rc);
		if (!ctx->quiet)
			printf("%s %lld sessions (%lld results) from %s; %lld here already\n",
			       a.dry_run ? "would merge" : "merged", (long long)c.sessions,
			       (long long)c.results, argv[i], (long long)c.present);
	}
	return EXIT_OK;
}

int cmd_remote_auto_push(ins_ctx *ctx, ins_store *store)
{
	struct remote_list l;
	const ins_config *cfg;
	const char *name = NULL, *url = NULL;
	ins_remote_counts c = { 0 };
	ins_remote *pg = NULL;
	int rc;

	if (cmd_config(ctx, &cfg) != 0 || ins_config_get_string(cfg, "remote.auto-push", &name) != 0 ||
	    !name || !*name)
		return EXIT_OK;
	if (read_remotes(ctx, &l, &cfg) != 0)
		return EXIT_NET;
	for (size_t i = 0; i < l.n; i++)
		if (!strcmp(l.v[i].name, name))
			url = l.v[i].url;
	if (!url) {
		cmd_warn("remote.auto-push names no remote '%s' (see 'insight remote list'); the "
			 "session stays in this history", name);
		remote_list_release(&l);
		return EXIT_NET;
	}
	if (ins_remote_url_is_pg(url)) {
		if ((rc = ins_remote_open(&pg, name, url)) == 0)
			rc = ins_remote_push(pg, store, NULL, &c);
		ins_remote_free(pg);
	} else {
		ins_store *file = NULL;

		rc = ins_store_open(&file, !strncmp(url, "file://", 7) ? url + 7 : url,
				    INS_STORE_CREATE);
		if (rc == 0)
			rc = ins_store_merge(file, ins_store_path(store), NULL, &c);
		ins_store_free(file);
	}
	if (rc < 0)
		cmd_warn("auto-push to '%s' failed: %s; the session stays in this history and goes "
			 "with the next push", name, ins_error_last());
	else
		cmd_note(ctx, "pushed %lld sessions (%lld results) to %s", (long long)c.sessions,
			 (long long)c.results, name);
	remote_list_release(&l);
	return rc < 0 ? EXIT_NET : EXIT_OK;
}

static const struct ins_subcmd remote_subs[] = {
	{ "add", cmd_remote_add, "add a remote (a postgresql:// URL or a history file)",
	  CMD_NO_STORE, 1 },
	{ "remove", cmd_remote_remove, "remove a remote", CMD_NO_STORE, 1 },
	{ "list", cmd_remote_list, "list the remotes, URLs masked", CMD_NO_STORE, 0 },
	{ "show", cmd_remote_show, "show one remote", CMD_NO_STORE, 1 },
	{ "init", cmd_remote_init, "create or upgrade the schema on a remote",
	  CMD_NO_STORE, 1 },
	{ "prune", cmd_remote_prune, "delete a remote's old sessions (retention)",
	  CMD_NO_STORE, 1 },
	{ NULL, NULL, NULL, 0, 0 },
};

const struct ins_group cmd_group_remote = {
	"remote", "the shared histories sessions are pushed to and fetched from", remote_subs,
	NULL, CMD_NO_STORE, 0
};

const struct ins_group cmd_group_push = {
	"push", "send the sessions a remote lacks", NULL, cmd_push, CMD_STORE_READ, 0
};

const struct ins_group cmd_group_fetch = {
	"fetch", "copy the sessions of a remote that this history lacks", NULL, cmd_fetch,
	CMD_STORE_WRITE, 0
};

/* `pull`: fetch by another name, as people used to git type it. */
const struct ins_group cmd_group_pull = {
	"pull", "fetch", NULL, cmd_fetch, CMD_STORE_WRITE, 1
};
