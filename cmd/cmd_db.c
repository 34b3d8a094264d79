/*
 * cmd_db.c - `insight init` and `insight db path|check|stats|vacuum|backup|prune|migrate`
 * (`db merge` is in cmd_remote.c, beside push and fetch).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd.h"
#include "insight/timeutil.h"

/* ---- insight init ---- */

static int cmd_init(int argc, const char **argv, ins_ctx *ctx)
{
	static const char *const usage[] = { "insight init [<directory>]", NULL };
	const struct ins_option opts[] = { OPT_END() };
	ins_buf path = INS_BUF_INIT, ignore = INS_BUF_INIT;
	const char *db, *env;
	char *cwd = NULL;
	ins_store *store = NULL;
	int n, in_git, existed, rc = EXIT_OK;
	struct stat st;
	FILE *fp;

	if ((n = cmd_parse_options(ctx, argc, argv, opts, usage, 0)) < 0)
		return EXIT_USAGE;
	if (n > 1)
		return cmd_usage_error(ctx, "init takes at most one directory, not %d "
				       "(usage: insight init [<directory>])", n);
	if (n && ctx->db)
		return cmd_usage_error(ctx, "init: --db names the history to create; name no "
				       "directory with it (not '%s')", argv[0]);
	/*
	 * Where every later command will look: --db, or INSIGHT_DB unless a
	 * directory is named (the command line before the environment).
	 */
	db = ctx->db;
	if (!db && !n && (env = getenv("INSIGHT_DB")) && *env)
		db = env;
	if (db) {
		ins_buf_puts(&path, db);
		in_git = 0;
	} else {
		cwd = n ? realpath(argv[0], NULL) : getcwd(NULL, 0);
		if (!cwd)
			return cmd_error(EXIT_USAGE, "cannot use directory '%s': %s",
					 n ? argv[0] : ".", strerror(errno));
		if (ins_store_init_path(&path, cwd, &in_git) < 0)
			cmd_warn("%s; not looking for a git work tree", ins_error_last());
	}
	existed = stat(path.ptr, &st) == 0;
	if ((rc = ins_store_open(&store, path.ptr, INS_STORE_CREATE)) < 0) {
		rc = cmd_fail(rc);
		goto done;
	}
	rc = EXIT_OK;
	if (!db) {
		/* The history is data, not source: keep it out of commits by default. */
		ins_buf_put(&ignore, path.ptr, path.len - strlen("history.db"));
		ins_buf_puts(&ignore, ".gitignore");
		if (stat(ignore.ptr, &st) != 0 && (fp = fopen(ignore.ptr, "w")) != NULL) {
			fputs("# insight's history; remove these lines to commit it\n/history.db*\n"
			      "# runs in progress (session run)\n/runs/\n", fp);
			fclose(fp);
		}
	}
	if (ctx->output != INS_OUT_TERM || ctx->output_file) {
		ins_doc *doc = ins_doc_new("insight.init", "insight init");
		ins_doc_fact_text(doc, "path", "History", path.ptr);
		ins_doc_fact_bool(doc, "created", "Created", !existed);
		ins_doc_fact_bool(doc, "in_git", "In a git work tree", in_git);
		rc = cmd_render(ctx, doc);
	} else {
		printf("%s insight history in %s\n", existed ? "Reinitialized existing" :
		       "Initialized empty", path.ptr);
	}
done:
	ins_store_free(store);
	ins_buf_release(&path);
	ins_buf_release(&ignore);
	free(cwd);
	return rc;
}

const struct ins_group cmd_group_init = {
	"init", "create a history for this project (.insight/ at the git top level)", NULL,
	cmd_init, CMD_STORE_WRITE, 0
};

/* ---- insight db ... ---- */

static int cmd_db_path(int argc, const char **argv, ins_ctx *ctx)
{
	static const char *const usage[] = { "insight db path", NULL };
	const struct ins_option opts[] = { OPT_END() };
	static const char *const how_names[] = { "--db", "INSIGHT_DB", "discovered", "default" };
	ins_buf path = INS_BUF_INIT;
	struct stat st;
	int how, rc;

	if (cmd_parse_options(ctx, argc, argv, opts, usage, 0) != 0)
		return EXIT_USAGE;
	how = ins_store_discover(&path, ctx->db);
	if (ctx->output == INS_OUT_TERM) {
		/* The bare path, so that `$(insight db path)` works. */
		printf("%s\n", path.ptr);
		if (ctx->verbose)
			fprintf(stderr, "(%s%s)\n", how_names[how],
				stat(path.ptr, &st) == 0 ? "" : ", does not exist yet");
		ins_buf_release(&path);
		return EXIT_OK;
	}
	{
		ins_doc *doc = ins_doc_new("insight.db.path", "History location");
		ins_doc_fact_text(doc, "path", "Path", path.ptr);
		ins_doc_fact_text(doc, "source", "Found by", how_names[how]);
		ins_doc_fact_bool(doc, "exists", "Exists", stat(path.ptr, &st) == 0);
		rc = cmd_render(ctx, doc);
	}
	ins_buf_release(&path);
	return rc;
}

struct problems {
	ins_doc *doc;
	ins_table *table;
	int n;
};

static void add_problem(void *data, const char *problem)
{
	struct problems *p = data;

	ins_table_row(p->table);
	ins_table_text(p->table, problem);
	p->n++;
}

static int cmd_db_check(int argc, const char **argv, ins_ctx *ctx)
{
	static const char *const usage[] = { "insight db check", NULL };
	const struct ins_option opts[] = { OPT_END() };
	struct problems p = { 0 };
	ins_store *store;
	int rc;

	if (cmd_parse_options(ctx, argc, argv, opts, usage, 0) != 0)
		return EXIT_USAGE;
	if ((rc = cmd_store(ctx, CMD_STORE_READ, &store)) != 0)
		return rc;
	p.doc = ins_doc_new("insight.db.check", "History check");
	ins_doc_fact_text(p.doc, "path", "History", ins_store_path(store));
	p.table = ins_doc_table(p.doc, "problems", "Problems");
	ins_table_column(p.table, "problem", "Problem", INS_V_TEXT);
	ins_table_set_empty(p.table, "none");
	rc = ins_store_check(store, add_problem, &p);
	ins_doc_fact_bool(p.doc, "ok", "Sound", rc == 0);
	ins_doc_fact_int(p.doc, "problems", "Problems found", p.n);
	if (rc < 0 && rc != INS_ECORRUPT) {
		ins_doc_free(p.doc);
		return cmd_fail(rc);
	}
	if (rc == INS_ECORRUPT)
		ins_doc_note(p.doc, INS_NOTE_VERDICT, "the history is damaged: restore a backup "
			     "('insight db backup') or re-import the reports");
	rc = cmd_render(ctx, p.doc);
	if (rc == EXIT_OK && p.n) {
		fprintf(stderr, "insight: history '%s' failed %d check%s (listed above)\n",
			ins_store_path(store), p.n, p.n == 1 ? "" : "s");
		return EXIT_CHECK;
	}
	return rc;
}

static int cmd_db_stats(int argc, const char **argv, ins_ctx *ctx)
{
	static const char *const usage[] = { "insight db stats", NULL };
	const struct ins_option opts[] = { OPT_END() };
	ins_store_stats s;
	ins_store *store;
	ins_doc *doc;
	int rc;

	if (cmd_parse_options(ctx, argc, argv, opts, usage, 0) != 0)
		return EXIT_USAGE;
	if ((rc = cmd_store(ctx, CMD_STORE_READ, &store)) != 0)
		return rc;
	if ((rc = ins_store_stats_get(store, &s)) < 0)
		return cmd_fail(rc);
	doc = ins_doc_new("insight.db.stats", "History statistics");
	ins_doc_fact_text(doc, "path", "History", ins_store_path(store));
	ins_doc_fact_int(doc, "schema_version", "Schema version", s.schema_version);
	ins_doc_fact_int(doc, "suts", "SUTs", s.suts);
	ins_doc_fact_int(doc, "sessions", "Sessions", s.sessions);
	ins_doc_fact_int(doc, "tests", "Tests", s.tests);
	ins_doc_fact_int(doc, "results", "Results (attempts)", s.results);
	ins_doc_fact_int(doc, "fingerprints", "Failure fingerprints", s.fingerprints);
	ins_doc_fact_int(doc, "file_bytes", "File size (bytes)", s.file_bytes);
	ins_doc_fact_int(doc, "free_bytes", "Reclaimable (bytes)", s.free_bytes);
	ins_doc_fact_time(doc, "oldest", "Oldest session", s.oldest_ms);
	ins_doc_fact_time(doc, "newest", "Newest session", s.newest_ms);
	return cmd_render(ctx, doc);
}

static int cmd_db_vacuum(int argc, const char **argv, ins_ctx *ctx)
{
	static const char *const usage[] = { "insight db vacuum", NULL };
	const struct ins_option opts[] = { OPT_END() };
	ins_store_stats before, after;
	ins_store *store;
	int rc;

	if (cmd_parse_options(ctx, argc, argv, opts, usage, 0) != 0)
		return EXIT_USAGE;
	if ((rc = cmd_store(ctx, CMD_STORE_WRITE, &store)) != 0)
		return rc;
	if ((rc = ins_store_stats_get(store, &before)) < 0 || (rc = ins_store_vacuum(store)) < 0 ||
	    (rc = ins_store_stats_get(store, &after)) < 0)
		return cmd_fail(rc);
	cmd_note(ctx, "vacuumed %s: %lld -> %lld bytes", ins_store_path(store),
		 (long long)before.file_bytes, (long long)after.file_bytes);
	return EXIT_OK;
}

static int cmd_db_backup(int argc, const char **argv, ins_ctx *ctx)
{
	static const char *const usage[] = { "insight db backup [--force] <file>", NULL };
	int force = 0;
	const struct ins_option opts[] = {
		OPT_BOOL('f', "force", &force, "overwrite an existing file"),
		OPT_END(),
	};
	ins_store *store;
	struct stat st;
	int n, rc;

	if ((n = cmd_parse_options(ctx, argc, argv, opts, usage, 0)) < 0)
		return EXIT_USAGE;
	if (n != 1)
		return cmd_usage_error(ctx, "db backup needs one destination file "
				       "(e.g. 'insight db backup history-copy.db')");
	if (!force && stat(argv[0], &st) == 0)
		return cmd_usage_error(ctx, "'%s' exists; use --force to overwrite it", argv[0]);
	if ((rc = cmd_store(ctx, CMD_STORE_READ, &store)) != 0)
		return rc;
	if ((rc = ins_store_backup(store, argv[0])) < 0)
		return cmd_fail(rc);
	cmd_note(ctx, "backed up %s to %s", ins_store_path(store), argv[0]);
	return EXIT_OK;
}

static int cmd_db_prune(int argc, const char **argv, ins_ctx *ctx)
{
	static const char *const usage[] = {
		"insight db prune --older-than <window> [--dry-run] [--yes]", NULL
	};
	const char *older = NULL;
	int dry_run = 0, yes = 0;
	const struct ins_option opts[] = {
		OPT_STRING(0, "older-than", &older, "WINDOW",
			   "delete sessions that started longer ago than this (e.g. 180d)", NULL),
		OPT_BOOL('n', "dry-run", &dry_run, "only say how many sessions would go"),
		OPT_BOOL('y', "yes", &yes, "do not ask, even at a terminal"),
		OPT_END(),
	};
	ins_store *store;
	int64_t window, n;
	int rc;

	if (cmd_parse_options(ctx, argc, argv, opts, usage, 0) != 0)
		return EXIT_USAGE;
	if (!older)
		return cmd_usage_error(ctx, "db prune needs --older-than (e.g. --older-than 180d)");
	if ((rc = ins_time_parse_window(&window, older)) < 0)
		return cmd_fail(rc);
	if ((rc = cmd_store(ctx, CMD_STORE_WRITE, &store)) != 0)
		return rc;
	if (!dry_run) {
		if ((rc = ins_store_prune(store, ins_time_now_ms() - window, 1, &n)) < 0)
			return cmd_fail(rc);
		if (n && !cmd_confirm(ctx, yes, "delete %lld session%s older than %s? This cannot "
				      "be undone.", (long long)n, n == 1 ? "" : "s", older)) {
			cmd_note(ctx, "insight: nothing deleted");
			return EXIT_OK;
		}
	}
	if ((rc = ins_store_prune(store, ins_time_now_ms() - window, dry_run, &n)) < 0)
		return cmd_fail(rc);
	if (ctx->output != INS_OUT_TERM || ctx->output_file) {
		ins_doc *doc = ins_doc_new("insight.db.prune", "Prune");
		ins_doc_fact_int(doc, "sessions", "Sessions", n);
		ins_doc_fact_bool(doc, "dry_run", "Dry run", dry_run);
		ins_doc_fact_text(doc, "older_than", "Older than", older);
		return cmd_render(ctx, doc);
	}
	cmd_note(ctx, "%s %lld session%s older than %s", dry_run ? "would delete" : "deleted",
		 (long long)n, n == 1 ? "" : "s", older);
	return EXIT_OK;
}

static int cmd_db_migrate(int argc, const char **argv, ins_ctx *ctx)
{
	static const char *const usage[] = { "insight db migrate", NULL };
	const struct ins_option opts[] = { OPT_END() };
	ins_buf path = INS_BUF_INIT;
	ins_store *store = NULL;
	int from = 0, to = 0, rc;

	if (cmd_parse_options(ctx, argc, argv, opts, usage, 0) != 0)
		return EXIT_USAGE;
	ins_store_discover(&path, ctx->db);
	rc = ins_store_open(&store, path.ptr, INS_STORE_NO_MIGRATE);
	ins_buf_release(&path);
	if (rc < 0)
		return cmd_fail(rc);
	rc = ins_store_migrate(store, &from, &to);
	if (rc < 0) {
		ins_store_free(store);
		return cmd_fail(rc);
	}
	if (from == to)
		cmd_note(ctx, "%s is up to date (schema version %d)", ins_store_path(store), to);
	else
		cmd_note(ctx, "migrated %s from schema version %d to %d", ins_store_path(store),
			 from, to);
	ins_store_free(store);
	return EXIT_OK;
}

/* cmd_remote.c */
int cmd_db_merge(int argc, const char **argv, ins_ctx *ctx);

static const struct ins_subcmd db_subs[] = {
	{ "path", cmd_db_path, "print where the history is", CMD_NO_STORE },
	{ "check", cmd_db_check, "check the history for damage and inconsistency", CMD_STORE_READ },
	{ "stats", cmd_db_stats, "count what the history holds", CMD_STORE_READ },
	{ "vacuum", cmd_db_vacuum, "reclaim free space", CMD_STORE_WRITE, 1 },
	{ "backup", cmd_db_backup, "copy the history safely while it is in use", CMD_STORE_READ, 1 },
	{ "prune", cmd_db_prune, "delete old sessions", CMD_STORE_WRITE },
	{ "migrate", cmd_db_migrate, "upgrade the history's schema", CMD_STORE_WRITE, 1 },
	{ "merge", cmd_db_merge, "merge other histories into this one", CMD_STORE_WRITE, 1 },
	{ NULL, NULL, NULL, 0 },
};

const struct ins_group cmd_group_db = {
	"db", "look after the history file", db_subs, NULL, CMD_NO_STORE, 0
};
