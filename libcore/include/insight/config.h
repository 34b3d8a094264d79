/*
 * config.h - insight's configuration: git-config files read with libgit2's
 * config API, typed values with defaults, and the registry of known keys.
 *
 * Where values come from, the first that has the key winning:
 *
 *   environment   INSIGHT_<KEY> (the key upper-cased, '.' and '-' as '_',
 *                 e.g. INSIGHT_SESSION_SUT), and for a few keys a variable of
 *                 their own (the registry's `env`)
 *   --config FILE a file named on the command line
 *   project       `config` in the folder of the history in use
 *                 (.insight/config beside .insight/history.db)
 *   user          $XDG_CONFIG_HOME/insight/config (~/.config/insight/config)
 *   default       the registry below
 *
 * The files are read once by ins_config_open() into memory; getters never
 * touch the disk, never load libgit2 and are safe to call from any thread
 * once the config is open. libgit2 is loaded only when one of the files
 * exists (or a value is written), so commands without a config file do not
 * pay for it.
 *
 * Every getter accepts a NULL config, which reads as "no file": the
 * environment and the registry's defaults still apply.
 *
 * Secrets (keys whose last part is `token`, `password`, `secret`, or ends in
 * `webhook-url`) are looked up with ins_config_get_secret(): the variable
 * named by `<key>-env` when set, else the registry's own variable, else the
 * value in a file. A secret's value is registered with ins_secret_add()
 * (insight/secret.h) as soon as it is read, so that every trace masks it.
 */
#ifndef INSIGHT_CONFIG_H
#define INSIGHT_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include "insight/buf.h"

typedef struct ins_config ins_config;

/* Where a value came from; a higher level wins. */
typedef enum ins_config_level {
	INS_CONFIG_DEFAULT = 0, /* the registry */
	INS_CONFIG_USER = 1,    /* $XDG_CONFIG_HOME/insight/config */
	INS_CONFIG_PROJECT = 2, /* beside the history */
	INS_CONFIG_FILE = 3,    /* --config FILE */
	INS_CONFIG_ENV = 4      /* the environment */
} ins_config_level;

/* The type of a known key's value. */
typedef enum ins_config_type {
	INS_CONFIG_STRING = 0,
	INS_CONFIG_INT,      /* a whole number */
	INS_CONFIG_REAL,     /* a number, e.g. 0.5 */
	INS_CONFIG_BOOL,     /* true/false, yes/no, on/off, 1/0 */
	INS_CONFIG_DURATION, /* 30s, 500ms, 2m, 1h30m; a bare number is seconds */
	INS_CONFIG_LIST,     /* words separated by commas or white space */
	INS_CONFIG_WINDOW,   /* a time window as --time takes it: 7d, 24h, 1d12h */
	INS_CONFIG_SECRET    /* a token, password or webhook URL: never shown */
} ins_config_type;

/*
 * A known key. Names are lower case; a `*` part matches any one part (a
 * subsection such as a remote's or a SUT's name), e.g. "sut.*.command".
 * The registry is one table in libcore/config_keys.c, one key a line; add a
 * key there and to man/insightconfig.5 (a test checks they agree).
 */
typedef struct ins_config_key {
	const char *name;        /* "session.sut" */
	ins_config_type type;
	const char *def;         /* the default as text, NULL = unset */
	const char *env;         /* a variable of its own besides INSIGHT_<KEY>, or NULL */
	const char *help;        /* one line for `config list --defaults` */
} ins_config_key;

/* The registry, ending with a zeroed entry. */
extern const ins_config_key ins_config_keys[];

/* The known key `name` matches (patterns included), or NULL. */
const ins_config_key *ins_config_key_find(const char *name);
/* The known key closest to `name` for "did you mean", or NULL when none is close. */
const char *ins_config_key_suggest(const char *name);
/* Whether `name` holds a secret (by its last part; see above). */
int ins_config_key_is_secret(const char *name);
/* The environment variable INSIGHT_<KEY> for `name`, written to `out`. */
void ins_config_key_envvar(ins_buf *out, const char *name);

/* The files to read; NULL or "" leaves one out. A missing file is no error. */
typedef struct ins_config_files {
	const char *user;    /* ins_config_user_path() */
	const char *project; /* ins_config_project_path() */
	const char *file;    /* --config FILE: must exist */
} ins_config_files;

/* $XDG_CONFIG_HOME/insight/config, or ~/.config/insight/config without it. */
void ins_config_user_path(ins_buf *out);
/* `config` in the folder of the history at `db_path` (a file path, not ":memory:"). */
void ins_config_project_path(ins_buf *out, const char *db_path);

/*
 * Read the files. On success *out is a new config the caller frees with
 * ins_config_free(). Errors: INS_EINVALID (a file that does not parse; the
 * message names it and the line), INS_ENOTFOUND (`file` does not exist),
 * INS_ERROR (libgit2 cannot be loaded and a file exists).
 */
int ins_config_open(ins_config **out, const ins_config_files *files);
void ins_config_free(ins_config *cfg);

/*
 * The raw value of `name` and where it came from, the environment and the
 * files considered (not the default). Returns 0 and sets *value (borrowed,
 * valid until ins_config_free) and, when not NULL, *level and *origin (the
 * file's path, or "environment VAR"); INS_ENOTFOUND when unset. Secrets are
 * returned too: the caller must not print them (ins_config_get_secret is the
 * way to read one).
 */
int ins_config_lookup(const ins_config *cfg, const char *name, const char **value,
		      ins_config_level *level, const char **origin);

/*
 * Typed getters. Each sets *out to the value (environment, files) or else
 * the registry's default, and returns 0; INS_ENOTFOUND when the key is unset
 * and has no default (*out untouched); INS_EINVALID when the value does not
 * read as the type ("session.flaky-min-runs in ~/.config/insight/config: 'x'
 * is not a whole number"). `name` need not be a known key; an unknown one
 * simply has no default.
 */
int ins_config_get_string(const ins_config *cfg, const char *name, const char **out);
int ins_config_get_int(const ins_config *cfg, const char *name, long *out);
int ins_config_get_real(const ins_config *cfg, const char *name, double *out);
int ins_config_get_bool(const ins_config *cfg, const char *name, int *out);
/* A duration, in milliseconds. */
int ins_config_get_duration(const ins_config *cfg, const char *name, int64_t *out_ms);
/* A time window, in milliseconds (ins_time_parse_window). */
int ins_config_get_window(const ins_config *cfg, const char *name, int64_t *out_ms);
/*
 * A list: *out is a new NULL-terminated array of new strings the caller
 * frees with ins_config_list_free(); *n (when not NULL) the count.
 */
int ins_config_get_list(const ins_config *cfg, const char *name, char ***out, size_t *n);
void ins_config_list_free(char **list);

/*
 * A secret for key `name` (e.g. "ci.gitlab.token"): the variable named by
 * `<name>-env` in the config when it is set, else the registry's variable
 * (e.g. GITLAB_TOKEN), else INSIGHT_<KEY>, else the value in a file. *out is
 * borrowed (valid until the process exits) and registered with
 * ins_secret_add(). *from (when not NULL) says where it came from without
 * the value: "GITLAB_TOKEN", "the config file /x/.insight/config".
 * INS_ENOTFOUND when there is none (the message names what to set).
 */
int ins_config_get_secret(const ins_config *cfg, const char *name, const char **out,
			  const char **from);

/* Every value in the environment and the files, in a stable order. */
typedef struct ins_config_entry {
	const char *name;        /* normalised: section and key lower case */
	const char *value;
	ins_config_level level;
	const char *origin;      /* path, or "environment VAR" */
} ins_config_entry;

/*
 * Call `fn` for each value set at `level` (or at every level when level is
 * INS_CONFIG_DEFAULT), lowest level first, in file order. Stops and returns
 * fn's value when it is not 0.
 */
int ins_config_foreach(const ins_config *cfg, ins_config_level level,
		       int (*fn)(const ins_config_entry *e, void *data), void *data);

/*
 * Files whose mode lets others read them (mode & 077) and that hold a
 * secret: calls `fn` once per such file with its path. For the CLI's
 * warning; never fails.
 */
void ins_config_check_secret_files(const ins_config *cfg,
				   void (*fn)(const char *path, const char *key, void *data),
				   void *data);

/*
 * Write `name = value` to the file at `path` (created with its folder when
 * missing), replacing the value already there. INS_EUSAGE for an invalid
 * key name; INS_EIO when the file cannot be written.
 */
int ins_config_set(const char *path, const char *name, const char *value);
/* Remove `name` from the file at `path`; INS_ENOTFOUND when it is not there. */
int ins_config_unset(const char *path, const char *name);

/*
 * Check that `value` reads as `name`'s type (known keys only; any value of
 * an unknown key or of a string key is fine). 0 or INS_EINVALID.
 */
int ins_config_check_value(const char *name, const char *value);

/* Parse a duration ("30s", "500ms", "1m30s", "2h"; a bare number is seconds). 0 or INS_EINVALID. */
int ins_config_parse_duration(const char *s, int64_t *out_ms);
/* Parse a boolean the git way. 0 or INS_EINVALID. */
int ins_config_parse_bool(const char *s, int *out);

#endif
