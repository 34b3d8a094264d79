/*
 * config.c - configuration files read and written with libgit2's config API;
 * see insight/config.h.
 *
 * Each file is read once into a flat list of entries (name, value, level,
 * origin) and libgit2's handle is let go at once: lookups then walk the
 * list, the last entry of the highest level winning, as git does. The
 * environment is read at lookup time.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gitlib.h"
#include "insight/closest.h"
#include "insight/config.h"
#include "insight/errors.h"
#include "insight/secret.h"
#include "insight/timeutil.h"

struct entry {
	char *name;
	char *value;
	ins_config_level level;
	const char *origin; /* one of cfg->paths */
};

struct ins_config {
	struct entry *entries;
	size_t n, alloc;
	char *paths[4]; /* indexed by level: the file read at that level, or NULL */
	/* Strings handed out by lookups of the environment (kept until free). */
	char **keep;
	size_t nkeep, keep_alloc;
	pthread_mutex_t lock;
};

/* ---- names ---- */

/*
 * The normal form libgit2 gives names: section and key lower case, the
 * subsection (everything between the first and the last dot) as it is.
 */
static char *normalise(const char *name)
{
	char *s = ins_xstrdup(name);
	char *first = strchr(s, '.'), *last = strrchr(s, '.');

	for (char *p = s; *p; p++) {
		if (first && last && p > first && p < last)
			continue;
		*p = (char)tolower((unsigned char)*p);
	}
	return s;
}

/* Whether `name` matches `pattern` (a `*` part stands for any subsection). */
static int key_match(const char *pattern, const char *name)
{
	const char *pdot = strchr(pattern, '.'), *plast = strrchr(pattern, '.');
	const char *ndot = strchr(name, '.'), *nlast = strrchr(name, '.');

	if (!strchr(pattern, '*'))
		return !strcmp(pattern, name);
	if (!pdot || !ndot || pdot == plast || ndot == nlast)
		return 0;
	/* "a.*.b": the section and the key must agree, any subsection between. */
	return (size_t)(pdot - pattern) == (size_t)(ndot - name) &&
	       !strncmp(pattern, name, (size_t)(pdot - pattern)) && !strcmp(plast, nlast);
}

static const ins_config_key secret_env_key = {
	"*.*-env", INS_CONFIG_STRING, NULL, NULL,
	"the environment variable that holds the secret of the same name without -env"
};

const ins_config_key *ins_config_key_find(const char *name)
{
	char *norm = normalise(name);
	const ins_config_key *found = NULL;
	size_t len = strlen(norm);

	for (const ins_config_key *k = ins_config_keys; k->name && !found; k++)
		if (key_match(k->name, norm))
			found = k;
	/* `<secret>-env` names the variable of a secret. */
	if (!found && len > 4 && !strcmp(norm + len - 4, "-env")) {
		norm[len - 4] = '\0';
		if (ins_config_key_is_secret(norm))
			found = &secret_env_key;
	}
	free(norm);
	return found;
}

int ins_config_key_is_secret(const char *name)
{
	const char *last = strrchr(name, '.');
	static const char *const words[] = { "token", "password", "secret", "passphrase", NULL };
	size_t len;

	last = last ? last + 1 : name;
	len = strlen(last);
	for (int i = 0; words[i]; i++)
		if (!strcasecmp(last, words[i]))
			return 1;
	if (len >= 11 && !strcasecmp(last + len - 11, "webhook-url"))
		return 1;
	for (const ins_config_key *k = ins_config_keys; k->name; k++)
		if (k->type == INS_CONFIG_SECRET && key_match(k->name, name))
			return 1;
	return 0;
}

void ins_config_key_envvar(ins_buf *out, const char *name)
{
	ins_buf_puts(out, "INSIGHT_");
	for (const char *p = name; *p; p++) {
		if (isalnum((unsigned char)*p))
			ins_buf_putc(out, (char)toupper((unsigned char)*p));
		else
			ins_buf_putc(out, '_');
	}
}

const char *ins_config_key_suggest(const char *name)
{
	char *norm = normalise(name);
	const char *best = NULL, *key = strrchr(norm, '.');
	size_t best_d = (size_t)-1, limit = strlen(norm) / 3 + 1;

	if (limit < 2)
		limit = 2;
	for (const ins_config_key *k = ins_config_keys; k->name; k++) {
		size_t dd;
		const char *kkey = strrchr(k->name, '.');

		if (strchr(k->name, '*'))
			continue;
		dd = ins_edit_distance(norm, k->name);
		/* The right key in the wrong section is a good guess too. */
		if (key && kkey && !strcmp(key, kkey) && dd > 1)
			dd = limit;
		if (dd < best_d) {
			best_d = dd;
			best = k->name;
		}
	}
	free(norm);
	return best_d <= limit ? best : NULL;
}

/* ---- paths ---- */

void ins_config_user_path(ins_buf *out)
{
	const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");

	ins_buf_clear(out);
	if (xdg && *xdg == '/')
		ins_buf_printf(out, "%s/insight/config", xdg);
	else
		ins_buf_printf(out, "%s/.config/insight/config", home && *home ? home : ".");
}

void ins_config_project_path(ins_buf *out, const char *db_path)
{
	const char *slash = strrchr(db_path, '/');

	ins_buf_clear(out);
	if (slash)
		ins_buf_put(out, db_path, (size_t)(slash - db_path + 1));
	ins_buf_puts(out, "config");
}

/* ---- reading ---- */

static void add_entry(ins_config *cfg, const char *name, const char *value,
		      ins_config_level level)
{
	struct entry *e;

	cfg->entries = ins_xgrow(cfg->entries, &cfg->alloc, cfg->n + 1, sizeof(*cfg->entries));
	e = &cfg->entries[cfg->n++];
	e->name = normalise(name);
	e->value = ins_xstrdup(value ? value : "");
	e->level = level;
	e->origin = cfg->paths[level];
}

struct read_ctx {
	ins_config *cfg;
	ins_config_level level;
};

static int read_one(const git_config_entry *ge, void *data)
{
	struct read_ctx *rc = data;

	add_entry(rc->cfg, ge->name, ge->value, rc->level);
	/* A secret in a file is masked everywhere from now on, used or not. */
	if (ge->value && ins_config_key_is_secret(ge->name))
		ins_secret_add(ge->value);
	return 0;
}

static int git_fail(int code, const char *what, const char *path)
{
	const git_error *e = git_error_last();

	return ins_error_set(code, "%s '%s': %s", what, path,
			     e && e->message ? e->message : "unknown error");
}

static int read_file(ins_config *cfg, const char *path, ins_config_level level)
{
	git_config *gc = NULL;
	struct read_ctx rctx = { cfg, level };
	int rc;

	if ((rc = ins__gitlib_load()) < 0)
		return ins_error_prefix("cannot read the config file '%s'", path);
	cfg->paths[level] = ins_xstrdup(path);
	if (git_config_open_ondisk(&gc, path) < 0)
		return git_fail(INS_EINVALID, "cannot read the config file", path);
	if (git_config_foreach(gc, read_one, &rctx) < 0)
		rc = git_fail(INS_EINVALID, "cannot read the config file", path);
	git_config_free(gc);
	return rc;
}

static int file_exists(const char *path)
{
	struct stat st;

	return path && *path && stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

int ins_config_open(ins_config **out, const ins_config_files *files)
{
	ins_config *cfg = ins_xcalloc(1, sizeof(*cfg));
	int rc = 0;

	*out = NULL;
	pthread_mutex_init(&cfg->lock, NULL);
	if (files && files->file && *files->file && !file_exists(files->file)) {
		rc = ins_error_set(INS_ENOTFOUND, "no config file '%s'", files->file);
		goto done;
	}
	if (files && file_exists(files->user) &&
	    (rc = read_file(cfg, files->user, INS_CONFIG_USER)) < 0)
		goto done;
	if (files && file_exists(files->project) &&
	    (rc = read_file(cfg, files->project, INS_CONFIG_PROJECT)) < 0)
		goto done;
	if (files && file_exists(files->file) &&
	    (rc = read_file(cfg, files->file, INS_CONFIG_FILE)) < 0)
		goto done;
done:
	if (rc < 0) {
		ins_config_free(cfg);
		return rc;
	}
	/* So are the secrets in the variables a `<secret>-env` names... */
	for (size_t i = 0; i < cfg->n; i++) {
		size_t len = strlen(cfg->entries[i].name);
		const char *v;

		if (len > 4 && !strcmp(cfg->entries[i].name + len - 4, "-env") &&
		    ins_config_key_find(cfg->entries[i].name) && (v = getenv(cfg->entries[i].value)))
			ins_secret_add(v);
	}
	/* ...and the secrets of known keys in the environment. */
	for (const ins_config_key *k = ins_config_keys; k->name; k++) {
		ins_buf var = INS_BUF_INIT;
		const char *v;

		size_t len = strlen(k->name);

		if (len > 4 && !strcmp(k->name + len - 4, "-env") && k->def &&
		    (v = getenv(k->def)))
			ins_secret_add(v);
		if (k->type != INS_CONFIG_SECRET || strchr(k->name, '*'))
			continue;
		if (k->env && (v = getenv(k->env)))
			ins_secret_add(v);
		ins_config_key_envvar(&var, k->name);
		if ((v = getenv(var.ptr)))
			ins_secret_add(v);
		ins_buf_release(&var);
	}
	*out = cfg;
	return 0;
}

void ins_config_free(ins_config *cfg)
{
	if (!cfg)
		return;
	for (size_t i = 0; i < cfg->n; i++) {
		free(cfg->entries[i].name);
		free(cfg->entries[i].value);
	}
	free(cfg->entries);
	for (int i = 0; i < 4; i++)
		free(cfg->paths[i]);
	for (size_t i = 0; i < cfg->nkeep; i++)
		free(cfg->keep[i]);
	free(cfg->keep);
	pthread_mutex_destroy(&cfg->lock);
	free(cfg);
}

/* Strings that live as long as the config, or the process when there is none. */
static const char *keep(const ins_config *ccfg, char *s)
{
	ins_config *cfg = (ins_config *)ccfg;
	static pthread_mutex_t global_lock = PTHREAD_MUTEX_INITIALIZER;
	static char **global;
	static size_t nglobal, global_alloc;

	if (!cfg) {
		pthread_mutex_lock(&global_lock);
		global = ins_xgrow(global, &global_alloc, nglobal + 1, sizeof(*global));
		global[nglobal++] = s;
		pthread_mutex_unlock(&global_lock);
		return s;
	}
	pthread_mutex_lock(&cfg->lock);
	cfg->keep = ins_xgrow(cfg->keep, &cfg->keep_alloc, cfg->nkeep + 1, sizeof(*cfg->keep));
	cfg->keep[cfg->nkeep++] = s;
	pthread_mutex_unlock(&cfg->lock);
	return s;
}

/* The environment's value for `norm` and the variable's name, or NULL. */
static const char *env_value(const char *norm, ins_buf *var)
{
	const ins_config_key *k = ins_config_key_find(norm);
	const char *v;

	ins_buf_clear(var);
	ins_config_key_envvar(var, norm);
	v = getenv(var->ptr);
	if (v && *v)
		return v;
	if (k && k->env) {
		ins_buf_set(var, k->env);
		v = getenv(k->env);
		if (v && *v)
			return v;
	}
	return NULL;
}

int ins_config_lookup(const ins_config *cfg, const char *name, const char **value,
		      ins_config_level *level, const char **origin)
{
	char *norm = normalise(name);
	ins_buf var = INS_BUF_INIT;
	const struct entry *best = NULL;
	const char *v;
	int rc = 0;

	if ((v = env_value(norm, &var)) != NULL) {
		*value = v;
		if (level)
			*level = INS_CONFIG_ENV;
		if (origin) {
			ins_buf o = INS_BUF_INIT;
			ins_buf_printf(&o, "environment %s", var.ptr);
			*origin = keep(cfg, ins_buf_detach(&o));
		}
		goto done;
	}
	for (size_t i = 0; cfg && i < cfg->n; i++) {
		const struct entry *e = &cfg->entries[i];
		if (!strcmp(e->name, norm) && (!best || e->level >= best->level))
			best = e;
	}
	if (!best) {
		rc = INS_ENOTFOUND;
		goto done;
	}
	*value = best->value;
	if (level)
		*level = best->level;
	if (origin)
		*origin = best->origin;
done:
	free(norm);
	ins_buf_release(&var);
	return rc;
}

/* The value or the default, with where it came from for messages. */
static int raw(const ins_config *cfg, const char *name, const char **value, const char **origin)
{
	const ins_config_key *k;

	if (ins_config_lookup(cfg, name, value, NULL, origin) == 0)
		return 1;
	k = ins_config_key_find(name);
	if (k && k->def && k->type != INS_CONFIG_SECRET) {
		*value = k->def;
		*origin = "the default";
		return 0;
	}
	return -1;
}

static int bad_value(const char *name, const char *origin, const char *value, const char *what)
{
	if (ins_config_key_is_secret(name))
		value = INS_SECRET_MASK;
	return ins_error_set(INS_EINVALID, "%s in %s: '%s' is not %s", name,
			     origin ? origin : "the config", value, what);
}

int ins_config_get_string(const ins_config *cfg, const char *name, const char **out)
{
	const char *v, *origin;

	if (raw(cfg, name, &v, &origin) < 0)
		return INS_ENOTFOUND;
	*out = v;
	return 0;
}

int ins_config_get_int(const ins_config *cfg, const char *name, long *out)
{
	const char *v, *origin;
	char *end;
	long n;

	if (raw(cfg, name, &v, &origin) < 0)
		return INS_ENOTFOUND;
	errno = 0;
	n = strtol(v, &end, 10);
	if (errno || end == v || *end)
		return bad_value(name, origin, v, "a whole number");
	*out = n;
	return 0;
}

int ins_config_get_real(const ins_config *cfg, const char *name, double *out)
{
	const char *v, *origin;
	char *end;
	double d;

	if (raw(cfg, name, &v, &origin) < 0)
		return INS_ENOTFOUND;
	errno = 0;
	d = strtod(v, &end);
	if (errno || end == v || *end || !isfinite(d))
		return bad_value(name, origin, v, "a number");
	*out = d;
	return 0;
}

int ins_config_parse_bool(const char *s, int *out)
{
	static const char *const yes[] = { "true", "yes", "on", "1", NULL };
	static const char *const no[] = { "false", "no", "off", "0", "", NULL };

	for (int i = 0; yes[i]; i++)
		if (!strcasecmp(s, yes[i]))
			return *out = 1, 0;
	for (int i = 0; no[i]; i++)
		if (!strcasecmp(s, no[i]))
			return *out = 0, 0;
	return INS_EINVALID;
}

int ins_config_get_bool(const ins_config *cfg, const char *name, int *out)
{
	const char *v, *origin;

	if (raw(cfg, name, &v, &origin) < 0)
		return INS_ENOTFOUND;
	if (ins_config_parse_bool(v, out) < 0)
		return bad_value(name, origin, v, "a boolean (true or false)");
	return 0;
}

int ins_config_parse_duration(const char *s, int64_t *out_ms)
{
	const char *p = s;
	double total = 0;
	int parts = 0;

	while (*p) {
		char *end;
		double n, unit;

		if (!isdigit((unsigned char)*p) && *p != '.')
			return INS_EINVALID;
		errno = 0;
		n = strtod(p, &end);
		if (errno || end == p || n < 0)
			return INS_EINVALID;
		p = end;
		if (!strncmp(p, "ms", 2)) {
			unit = 1, p += 2;
		} else if (*p == 's') {
			unit = 1000, p++;
		} else if (*p == 'm') {
			unit = 60000, p++;
		} else if (*p == 'h') {
			unit = 3600000, p++;
		} else if (*p == 'd') {
			unit = 86400000, p++;
		} else if (!*p && !parts) {
			unit = 1000; /* a bare number is seconds */
		} else {
			return INS_EINVALID;
		}
		total += n * unit;
		parts++;
	}
	if (!parts || total > 1e15)
		return INS_EINVALID;
	*out_ms = (int64_t)llround(total);
	return 0;
}

int ins_config_get_duration(const ins_config *cfg, const char *name, int64_t *out_ms)
{
	const char *v, *origin;

	if (raw(cfg, name, &v, &origin) < 0)
		return INS_ENOTFOUND;
	if (ins_config_parse_duration(v, out_ms) < 0)
		return bad_value(name, origin, v, "a duration (30s, 500ms, 2m, 1h30m)");
	return 0;
}

int ins_config_get_window(const ins_config *cfg, const char *name, int64_t *out_ms)
{
	const char *v, *origin;

	if (raw(cfg, name, &v, &origin) < 0)
		return INS_ENOTFOUND;
	if (ins_time_parse_window(out_ms, v) < 0)
		return bad_value(name, origin, v, "a time window (7d, 24h, 1d12h)");
	return 0;
}

static char **split_list(const char *v, size_t *n)
{
	char **items = NULL;
	size_t count = 0, alloc = 0;
	const char *p = v;

	for (;;) {
		const char *start;

		while (*p && (*p == ',' || isspace((unsigned char)*p)))
			p++;
		if (!*p)
			break;
		start = p;
		while (*p && *p != ',' && !isspace((unsigned char)*p))
			p++;
		items = ins_xgrow(items, &alloc, count + 2, sizeof(*items));
		items[count++] = ins_xstrndup(start, (size_t)(p - start));
	}
	items = ins_xgrow(items, &alloc, count + 1, sizeof(*items));
	items[count] = NULL;
	if (n)
		*n = count;
	return items;
}

int ins_config_get_list(const ins_config *cfg, const char *name, char ***out, size_t *n)
{
	const char *v, *origin;

	if (raw(cfg, name, &v, &origin) < 0)
		return INS_ENOTFOUND;
	*out = split_list(v, n);
	return 0;
}

void ins_config_list_free(char **list)
{
	for (size_t i = 0; list && list[i]; i++)
		free(list[i]);
	free(list);
}

int ins_config_get_secret(const ins_config *cfg, const char *name, const char **out,
			  const char **from)
{
	ins_buf key = INS_BUF_INIT, var = INS_BUF_INIT;
	const ins_config_key *k = ins_config_key_find(name);
	const char *envname = NULL, *v = NULL, *origin = NULL;
	ins_config_level level;
	int rc = 0;

	/* 1. The variable `<name>-env` names (set, or the registry's default). */
	ins_buf_printf(&key, "%s-env", name);
	if (ins_config_lookup(cfg, key.ptr, &envname, NULL, NULL) < 0) {
		const ins_config_key *ek = ins_config_key_find(key.ptr);
		envname = ek ? ek->def : NULL;
	}
	if (envname && *envname) {
		v = getenv(envname);
		if (v && *v) {
			origin = keep(cfg, ins_xstrdup(envname));
			goto found;
		}
	}
	/* 2. The registry's own variable, then INSIGHT_<KEY>. */
	if (k && k->env && (v = getenv(k->env)) && *v) {
		origin = k->env;
		goto found;
	}
	ins_config_key_envvar(&var, name);
	if ((v = getenv(var.ptr)) && *v) {
		origin = keep(cfg, ins_buf_detach(&var));
		goto found;
	}
	/* 3. A value in a file. */
	if (ins_config_lookup(cfg, name, &v, &level, &origin) == 0 && *v) {
		ins_buf o = INS_BUF_INIT;
		ins_buf_printf(&o, "the config file %s", origin);
		origin = keep(cfg, ins_buf_detach(&o));
		goto found;
	}
	if (envname && *envname)
		rc = ins_error_set(INS_ENOTFOUND, "no %s: set %s (or %s in the config)", name,
				   envname, name);
	else if (k && k->env)
		rc = ins_error_set(INS_ENOTFOUND, "no %s: set %s (or %s in the config)", name,
				   k->env, name);
	else
		rc = ins_error_set(INS_ENOTFOUND, "no %s: set %s-env to the variable that "
				   "holds it", name, name);
	goto done;
found:
	ins_secret_add(v);
	*out = v;
	if (from)
		*from = origin;
done:
	ins_buf_release(&key);
	ins_buf_release(&var);
	return rc;
}

int ins_config_foreach(const ins_config *cfg, ins_config_level level,
		       int (*fn)(const ins_config_entry *e, void *data), void *data)
{
	ins_config_entry ce;
	ins_buf var = INS_BUF_INIT;
	int rc = 0;

	for (int l = INS_CONFIG_USER; l <= INS_CONFIG_FILE && !rc; l++) {
		if (level != INS_CONFIG_DEFAULT && level != (ins_config_level)l)
			continue;
		for (size_t i = 0; cfg && i < cfg->n && !rc; i++) {
			const struct entry *e = &cfg->entries[i];
			if (e->level != (ins_config_level)l)
				continue;
			ce.name = e->name;
			ce.value = e->value;
			ce.level = e->level;
			ce.origin = e->origin;
			rc = fn(&ce, data);
		}
	}
	if (level != INS_CONFIG_DEFAULT && level != INS_CONFIG_ENV)
		return rc;
	/* The environment: every known key set there. */
	for (const ins_config_key *k = ins_config_keys; k->name && !rc; k++) {
		const char *v;
		ins_buf o = INS_BUF_INIT;

		if (strchr(k->name, '*') || !(v = env_value(k->name, &var)))
			continue;
		ins_buf_printf(&o, "environment %s", var.ptr);
		ce.name = k->name;
		ce.value = v;
		ce.level = INS_CONFIG_ENV;
		ce.origin = o.ptr;
		rc = fn(&ce, data);
		ins_buf_release(&o);
	}
	ins_buf_release(&var);
	return rc;
}

void ins_config_check_secret_files(const ins_config *cfg,
				   void (*fn)(const char *path, const char *key, void *data),
				   void *data)
{
	for (int l = INS_CONFIG_USER; cfg && l <= INS_CONFIG_FILE; l++) {
		struct stat st;
		const char *path = cfg->paths[l];

		if (!path || stat(path, &st) != 0 || !(st.st_mode & 077))
			continue;
		for (size_t i = 0; i < cfg->n; i++) {
			const struct entry *e = &cfg->entries[i];
			if (e->level == (ins_config_level)l && *e->value &&
			    ins_config_key_is_secret(e->name)) {
				fn(path, e->name, data);
				break;
			}
		}
	}
}

/* ---- writing ---- */

static int make_parent_dirs(const char *path)
{
	char *dup = ins_xstrdup(path);
	int rc = 0;

	for (char *p = dup + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(dup, 0777) != 0 && errno != EEXIST) {
			rc = ins_error_set(INS_EIO, "cannot create '%s': %s", dup, strerror(errno));
			break;
		}
		*p = '/';
	}
	free(dup);
	return rc;
}

static int check_name(const char *name)
{
	const char *first = strchr(name, '.'), *last = strrchr(name, '.');

	if (!first || first == name || !last[1])
		return ins_error_set(INS_EUSAGE, "'%s' is not a config key: it needs a section "
				     "and a name, as in 'session.sut'", name);
	for (const char *p = name; p < first; p++)
		if (!isalnum((unsigned char)*p) && *p != '-')
			return ins_error_set(INS_EUSAGE, "'%s' is not a config key: the section may "
					     "hold letters, digits and '-' only", name);
	if (!isalpha((unsigned char)last[1]))
		return ins_error_set(INS_EUSAGE, "'%s' is not a config key: the name must start "
				     "with a letter", name);
	for (const char *p = last + 1; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '-')
			return ins_error_set(INS_EUSAGE, "'%s' is not a config key: the name may hold "
					     "letters, digits and '-' only", name);
	return 0;
}

int ins_config_set(const char *path, const char *name, const char *value)
{
	git_config *gc = NULL;
	struct stat st;
	int rc;

	if ((rc = check_name(name)) < 0 || (rc = ins__gitlib_load()) < 0)
		return rc;
	if ((rc = make_parent_dirs(path)) < 0)
		return rc;
	if (!file_exists(path)) {
		/* A file made to hold a secret is readable by its owner only. */
		int fd = open(path, O_WRONLY | O_CREAT | O_EXCL,
			      ins_config_key_is_secret(name) ? 0600 : 0666);
		if (fd < 0 && errno != EEXIST)
			return ins_error_set(INS_EIO, "cannot create '%s': %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
	}
	if (git_config_open_ondisk(&gc, path) < 0)
		return git_fail(INS_EIO, "cannot read the config file", path);
	/* libgit2 writes a new file and renames it: keep the mode the file had. */
	if (stat(path, &st) != 0)
		st.st_mode = 0600;
	if (git_config_set_string(gc, name, value) < 0)
		rc = git_fail(INS_EIO, "cannot write the config file", path);
	git_config_free(gc);
	if (rc == 0)
		chmod(path, st.st_mode & 07777);
	return rc;
}

int ins_config_unset(const char *path, const char *name)
{
	git_config *gc = NULL;
	int rc, grc;

	if ((rc = check_name(name)) < 0)
		return rc;
	if (!file_exists(path))
		return ins_error_set(INS_ENOTFOUND, "'%s' is not set in '%s'", name, path);
	if ((rc = ins__gitlib_load()) < 0)
		return rc;
	if (git_config_open_ondisk(&gc, path) < 0)
		return git_fail(INS_EIO, "cannot read the config file", path);
	grc = git_config_delete_entry(gc, name);
	if (grc == GIT_ENOTFOUND)
		rc = ins_error_set(INS_ENOTFOUND, "'%s' is not set in '%s'", name, path);
	else if (grc < 0)
		rc = git_fail(INS_EIO, "cannot write the config file", path);
	git_config_free(gc);
	return rc;
}

int ins_config_check_value(const char *name, const char *value)
{
	const ins_config_key *k = ins_config_key_find(name);
	char *end;
	int64_t ms;
	int b;

	if (!k)
		return 0;
	errno = 0;
	switch (k->type) {
	case INS_CONFIG_INT:
		(void)strtol(value, &end, 10);
		if (errno || end == value || *end)
			return bad_value(name, "the value given", value, "a whole number");
		break;
	case INS_CONFIG_REAL:
		(void)strtod(value, &end);
		if (errno || end == value || *end)
			return bad_value(name, "the value given", value, "a number");
		break;
	case INS_CONFIG_BOOL:
		if (ins_config_parse_bool(value, &b) < 0)
			return bad_value(name, "the value given", value, "a boolean (true or false)");
		break;
	case INS_CONFIG_DURATION:
		if (ins_config_parse_duration(value, &ms) < 0)
			return bad_value(name, "the value given", value,
					 "a duration (30s, 500ms, 2m, 1h30m)");
		break;
	case INS_CONFIG_WINDOW:
		if (ins_time_parse_window(&ms, value) < 0)
			return bad_value(name, "the value given", value,
					 "a time window (7d, 24h, 1d12h)");
		break;
	default:
		break;
	}
	return 0;
}
