/*
 * cmd_config.c - `insight config get|set|unset|list`, as `git config` does.
 *
 * Without a scope, get and list read every source (environment, --config,
 * project, user) and set and unset write the project file, `config` beside
 * the history in use. --global is the user file, --local the project file,
 * --file F any file. A secret is always shown as "***".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cmd.h"
#include "insight/config.h"
#include "insight/remote.h"
#include "insight/secret.h"

struct scope {
	int global, local;
	const char *file;
	int show_origin;
};

#define SCOPE_OPTIONS(s) \
	OPT_BOOL(0, "global", &(s).global, "the user file ($XDG_CONFIG_HOME/insight/config)"), \
	OPT_BOOL(0, "local", &(s).local, "the project file beside the history in use"), \
	OPT_STRING('f', "file", &(s).file, "FILE", "this file only", "file")

/* The one file a scope names, or NULL for every source. Returns 0 or EXIT_USAGE. */
static int scope_path(ins_ctx *ctx, const struct scope *s, ins_buf *out, int *named)
{
	if (s->global + s->local + (s->file != NULL) > 1)
		return cmd_usage_error(ctx, "give one of --global, --local and --file");
	*named = 1;
	if (s->global)
		ins_config_user_path(out);
	else if (s->file)
		ins_buf_set(out, s->file);
	else if (s->local)
		cmd_config_project_path(ctx, out);
	else
		*named = 0;
	return 0;
}

/* The file set and unset write: the one the scope names, else the project file. */
static int write_path(ins_ctx *ctx, const struct scope *s, ins_buf *out)
{
	int named, rc;

	if ((rc = scope_path(ctx, s, out, &named)) != 0)
		return rc;
	if (!named)
		cmd_config_project_path(ctx, out);
	return 0;
}

/*
 * What is shown of a value: never a secret, and a remote's URL with its
 * password masked. Valid until the next call.
 */
static const char *shown(const char *name, const char *value)
{
	static char *masked;
	size_t n = strlen(name);

	if (ins_config_key_is_secret(name) && *value)
		return INS_SECRET_MASK;
	if (!strncmp(name, "remote.", 7) && n > 11 && !strcmp(name + n - 4, ".url")) {
		free(masked);
		masked = NULL;
		if (ins_remote_url_mask(value, &masked) == 0 && masked)
			return masked;
		return INS_SECRET_MASK;
	}
	return value;
}

/* Read the one file of a scope (a missing file reads as empty). */
static int open_scope(ins_ctx *ctx, const ins_buf *path, ins_config **out)
{
	ins_config_files files = { 0 };
	struct stat st;
	int rc;

	/* As --file: the file must exist for reading. */
	if (stat(path->ptr, &st) == 0)
		files.file = path->ptr;
	if ((rc = ins_config_open(out, &files)) < 0)
		return cmd_fail(rc);
	(void)ctx;
	return 0;
}

static int cmd_config_get(int argc, const char **argv, ins_ctx *ctx)
{
	static const char *const usage[] = {
		"insight config get [--global | --local | --file <file>] [--show-origin] <key>", NULL
	};
	struct scope s = { 0 };
	const struct ins_option opts[] = {
		SCOPE_OPTIONS(s),
		OPT_BOOL(0, "show-origin", &s.show_origin, "say where the value comes from"),
		OPT_END(),
	};
	ins_buf path = INS_BUF_INIT;
	ins_config *own = NULL;
	const ins_config *cfg;
	const ins_config_key *k;
	const char *value, *origin = NULL;
	ins_config_level level = INS_CONFIG_DEFAULT;
	int n, named, rc;

	if ((n = cmd_parse_options(ctx, argc, argv, opts, usage, 0)) < 0)
		return EXIT_USAGE;
	if (n != 1)
		return cmd_usage_error(ctx, "config get takes one key (usage: %s)", usage[0]);
	if ((rc = scope_path(ctx, &s, &path, &named)) != 0)
		goto done;
	if (named) {
		if ((rc = open_scope(ctx, &path, &own)) != 0)
			goto done;
		/* Only the file: the environment and the defaults do not count. */
		cfg = own;
		value = NULL;
		{
			const char *v;
			ins_config_level lv;
			if (ins_config_lookup(cfg, argv[0], &v, &lv, &origin) == 0 &&
			    lv == INS_CONFIG_FILE) {
				value = v;
				level = lv;
			}
		}
		if (!value) {
			rc = EXIT_CHECK;
			goto done;
		}
	} else {
		if ((rc = cmd_config(ctx, &cfg)) != 0)
			goto done;
		if (ins_config_lookup(cfg, argv[0], &value, &level, &origin) < 0) {
			k = ins_config_key_find(argv[0]);
			if (!k || !k->def || k->type == INS_CONFIG_SECRET) {
				rc = EXIT_CHECK;
				goto done;
			}
			value = k->def;
			origin = "default";
			level = INS_CONFIG_DEFAULT;
		}
	}
	if (s.show_origin && level == INS_CONFIG_DEFAULT)
		printf("default\t");
	else if (s.show_origin)
		printf("%s:%s\t", cmd_config_level_name(level),
		       !strncmp(origin, "environment ", 12) ? origin + 12 : origin);
	printf("%s\n", shown(argv[0], value));
	rc = EXIT_OK;
done:
	ins_config_free(own);
	ins_buf_release(&path);
	return rc;
}

static int cmd_config_set(int argc, const char **argv, ins_ctx *ctx)
{
	static const char *const usage[] = {
		"insight config set [--global | --local | --file <file>] <key> <value>", NULL
	};
	struct scope s = { 0 };
	const struct ins_option opts[] = {
		SCOPE_OPTIONS(s),
		OPT_END(),
	};
	ins_buf path = INS_BUF_INIT;
	struct stat st;
	int n, rc;

	if ((n = cmd_parse_options(ctx, argc, argv, opts, usage, 0)) < 0)
		return EXIT_USAGE;
	if (n != 2)
		return cmd_usage_error(ctx, "config set takes a key and a value (usage: %s)",
				       usage[0]);
	if ((rc = write_path(ctx, &s, &path)) != 0)
		goto done;
	if (!ins_config_key_find(argv[0])) {
		const char *guess = ins_config_key_suggest(argv[0]);
		if (guess)
			rc = cmd_usage_error(ctx, "'%s' is not a known config key; did you mean '%s'?",
					     argv[0], guess);
		else
			rc = cmd_usage_error(ctx, "'%s' is not a known config key; see 'insight config "
					     "list --defaults'", argv[0]);
		goto done;
	}
	if ((rc = ins_config_check_value(argv[0], argv[1])) < 0 ||
	    (rc = ins_config_set(path.ptr, argv[0], argv[1])) < 0) {
		rc = cmd_fail(rc);
		goto done;
	}
	if (ins_config_key_is_secret(argv[0]) && stat(path.ptr, &st) == 0 && (st.st_mode & 077))
		cmd_warn("'%s' holds a secret (%s) and others can read it; run 'chmod 600 %s' or "
			 "keep the secret in the environment", path.ptr, argv[0], path.ptr);
	rc = EXIT_OK;
done:
	ins_buf_release(&path);
	return rc;
}

static int cmd_config_unset(int argc, const char **argv, ins_ctx *ctx)
{
	static const char *const usage[] = {
		"insight config unset [--global | --local | --file <file>] <key>", NULL
	};
	struct scope s = { 0 };
	const struct ins_option opts[] = {
		SCOPE_OPTIONS(s),
		OPT_END(),
	};
	ins_buf path = INS_BUF_INIT;
	int n, rc;

	if ((n = cmd_parse_options(ctx, argc, argv, opts, usage, 0)) < 0)
		return EXIT_USAGE;
	if (n != 1)
		return cmd_usage_error(ctx, "config unset takes one key (usage: %s)", usage[0]);
	if ((rc = write_path(ctx, &s, &path)) != 0)
		goto done;
	rc = ins_config_unset(path.ptr, argv[0]);
	if (rc == INS_ENOTFOUND) {
		cmd_say("%s", ins_error_last());
		rc = EXIT_CHECK;
	} else if (rc < 0) {
		rc = cmd_fail(rc);
	}
done:
	ins_buf_release(&path);
	return rc;
}

struct list_ctx {
	ins_table *t;
	const ins_config *cfg;
	int show_origin;
};

static int list_one(const ins_config_entry *e, void *data)
{
	struct list_ctx *lc = data;

	ins_table_row(lc->t);
	ins_table_text(lc->t, e->name);
	ins_table_text(lc->t, shown(e->name, e->value));
	if (lc->show_origin) {
		ins_table_text(lc->t, cmd_config_level_name(e->level));
		ins_table_text(lc->t, e->origin);
	}
	return 0;
}

static int cmd_config_list(int argc, const char **argv, ins_ctx *ctx)
{
	static const char *const usage[] = {
		"insight config list [--global | --local | --file <file>] [--show-origin]",
		"insight config list --defaults",
		NULL
	};
	struct scope s = { 0 };
	int defaults = 0;
	const struct ins_option opts[] = {
		SCOPE_OPTIONS(s),
		OPT_BOOL(0, "show-origin", &s.show_origin, "say where each value comes from"),
		OPT_BOOL(0, "defaults", &defaults,
			 "every known key with its type, default and meaning"),
		OPT_END(),
	};
	static const char *const type_names[] = {
		"string", "int", "number", "bool", "duration", "list", "window", "secret"
	};
	ins_buf path = INS_BUF_INIT;
	ins_config *own = NULL;
	const ins_config *cfg;
	struct list_ctx lc = { 0 };
	ins_doc *doc;
	int n, named, rc;

	if ((n = cmd_parse_options(ctx, argc, argv, opts, usage, 0)) < 0)
		return EXIT_USAGE;
	if (n != 0)
		return cmd_usage_error(ctx, "config list takes no arguments");
	if (defaults) {
		if (s.global || s.local || s.file || s.show_origin)
			return cmd_usage_error(ctx, "--defaults lists the known keys; it takes no scope");
		doc = ins_doc_new("insight.config.defaults", "Configuration keys");
		lc.t = ins_doc_table(doc, "keys", NULL);
		ins_table_column(lc.t, "key", "Key", INS_V_TEXT);
		ins_table_column(lc.t, "type", "Type", INS_V_TEXT);
		ins_table_column(lc.t, "default", "Default", INS_V_TEXT);
		ins_table_column(lc.t, "env", "Environment", INS_V_TEXT);
		ins_table_column_detail(lc.t, 1);
		ins_table_column(lc.t, "description", "Description", INS_V_TEXT);
		for (const ins_config_key *k = ins_config_keys; k->name; k++) {
			ins_buf env = INS_BUF_INIT;

			if (k->env)
				ins_buf_printf(&env, "%s ", k->env);
			if (!strchr(k->name, '*'))
				ins_config_key_envvar(&env, k->name);
			ins_table_row(lc.t);
			ins_table_text(lc.t, k->name);
			ins_table_text(lc.t, type_names[k->type]);
			ins_table_text(lc.t, k->def);
			ins_table_text(lc.t, env.ptr);
			ins_table_text(lc.t, k->help);
			ins_buf_release(&env);
		}
		ctx->all = 1;
		return cmd_render(ctx, doc);
	}
	if ((rc = scope_path(ctx, &s, &path, &named)) != 0)
		goto done;
	if (named) {
		if ((rc = open_scope(ctx, &path, &own)) != 0)
			goto done;
		cfg = own;
	} else if ((rc = cmd_config(ctx, &cfg)) != 0) {
		goto done;
	}
	doc = ins_doc_new("insight.config.list", "Configuration");
	lc.t = ins_doc_table(doc, "values", NULL);
	lc.cfg = cfg;
	ins_table_column(lc.t, "key", "Key", INS_V_TEXT);
	ins_table_column(lc.t, "value", "Value", INS_V_TEXT);
	lc.show_origin = s.show_origin;
	if (s.show_origin) {
		ins_table_column(lc.t, "level", "Level", INS_V_TEXT);
		ins_table_column(lc.t, "origin", "Origin", INS_V_TEXT);
	}
	ins_table_set_empty(lc.t, "nothing is set");
	ins_config_foreach(cfg, named ? INS_CONFIG_FILE : INS_CONFIG_DEFAULT, list_one, &lc);
	ctx->all = 1;
	rc = cmd_render(ctx, doc);
done:
	ins_config_free(own);
	ins_buf_release(&path);
	return rc;
}

static const struct ins_subcmd config_subs[] = {
	{ "get", cmd_config_get, "print the value of a key", CMD_NO_STORE, 1 },
	{ "set", cmd_config_set, "set a key in the project (or user) file", CMD_NO_STORE, 1 },
	{ "unset", cmd_config_unset, "remove a key from the project (or user) file", CMD_NO_STORE, 1 },
	{ "list", cmd_config_list, "list the values set, or every known key", CMD_NO_STORE },
	{ NULL, NULL, NULL, 0 },
};

const struct ins_group cmd_group_config = {
	"config", "read and write insight's configuration", config_subs, NULL, CMD_NO_STORE, 0
};
