/*
 * import.c - reports into the history (see import.h).
 *
 * Every report file is hashed first (duplicate detection), then streamed
 * through its parser into the session writer inside a savepoint: if the
 * parser fails half-way, the savepoint is rolled back and nothing of that
 * file remains, while the session and the other files go on.
 *
 * Parsing and storing run side by side: the parser runs in a thread of its
 * own and hands what it reads to the calling thread in batches (copies, in
 * report order), which writes them to the store. Only the calling thread
 * touches the store. The parser's thread also computes the failure
 * fingerprints (normalising messages and tracebacks, hashing): the store
 * is the slower side, so work moved off it shortens the whole import. At
 * most three batches of about BATCH_BYTES exist at a time, so memory stays
 * bounded whatever the size of the report; a failure on either side stops
 * the other.
 */
#define _XOPEN_SOURCE 700

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <glob.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "insight/buf.h"
#include "insight/errors.h"
#include "insight/fingerprint.h"
#include "insight/hash.h"
#include "insight/import.h"
#include "insight/pytest_console.h"
#include "insight/redact.h"
#include "ingest/repeat.h"

#define SNIFF_SIZE 65536 /* bytes looked at to tell a format */

struct file_list {
	char **v;
	size_t n, alloc;
	unsigned char *from_dir; /* found by walking a directory, not named */
	size_t dir_alloc;
};

static void list_add(struct file_list *l, const char *path, int from_dir)
{
	l->v = ins_xgrow(l->v, &l->alloc, l->n + 1, sizeof(*l->v));
	l->from_dir = ins_xgrow(l->from_dir, &l->dir_alloc, l->n + 1, 1);
	l->from_dir[l->n] = (unsigned char)from_dir;
	l->v[l->n++] = ins_xstrdup(path);
}

static void list_release(struct file_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	free(l->from_dir);
	memset(l, 0, sizeof(*l));
}

void ins_import_summary_release(ins_import_summary *s)
{
	for (size_t i = 0; i < s->nsessions; i++)
		free(s->sessions[i]);
	free(s->sessions);
	memset(s, 0, sizeof(*s));
}

/* ---- expanding paths ---- */

static struct file_list *walk_list;

static int has_report_ext(const char *path)
{
	static const char *const exts[] = { ".xml", ".json", ".jsonl", ".ndjson" };
	const char *dot = strrchr(path, '.');
	size_t len;

	if (!dot)
		return 0;
	len = strlen(dot);
	if (!strcmp(dot, ".gz")) {
		/* report.xml.gz: the extension before */
		const char *p = dot;

		while (p > path && p[-1] != '.' && p[-1] != '/')
			p--;
		if (p == path || p[-1] != '.')
			return 0;
		dot = p - 1;
		len = (size_t)(strrchr(path, '.') - dot);
	}
	for (size_t i = 0; i < sizeof(exts) / sizeof(*exts); i++)
		if (strlen(exts[i]) == len && !strncmp(dot, exts[i], len))
			return 1;
	return 0;
}

static int walk_fn(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	struct stat target;

	(void)st;
	(void)ftw;
	/* a link to a report is a report; a link to a directory is not walked */
	if ((type == FTW_F || (type == FTW_SL && stat(path, &target) == 0 &&
			       S_ISREG(target.st_mode))) && has_report_ext(path))
		list_add(walk_list, path, 1);
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * An Allure results directory is one report: the files found from `from` on
 * that lie in a directory holding a *-result.json are replaced by that
 * directory (its containers, categories.json and the like go with it).
 */
static void allure_dirs(struct file_list *l, size_t from)
{
	struct file_list dirs = { 0 };
	size_t keep = from;

	for (size_t i = from; i < l->n; i++) {
		char *slash = strrchr(l->v[i], '/');
		size_t k;

		if (!slash)
			continue;
		*slash = '\0';
		for (k = 0; k < dirs.n && strcmp(dirs.v[k], l->v[i]); k++)
			;
		if (k == dirs.n && ins_allure_dir_is(l->v[i]))
			list_add(&dirs, l->v[i], 0);
		*slash = '/';
	}
	for (size_t i = from; i < l->n; i++) {
		char *slash = strrchr(l->v[i], '/');
		int in_dir = 0;

		if (slash) {
			*slash = '\0';
			for (size_t k = 0; k < dirs.n && !in_dir; k++)
				in_dir = !strcmp(dirs.v[k], l->v[i]);
			*slash = '/';
		}
		if (in_dir) {
			free(l->v[i]);
			continue;
		}
		l->v[keep] = l->v[i];
		l->from_dir[keep++] = l->from_dir[i];
	}
	l->n = keep;
	for (size_t k = 0; k < dirs.n; k++)
		list_add(l, dirs.v[k], 1);
	list_release(&dirs);
}

static int expand(struct file_list *out, const char *path)
{
	struct stat st;
	size_t before = out->n;

	if (!strcmp(path, "-")) {
		list_add(out, "-", 0);
		return 0;
	}
	if (stat(path, &st) == 0) {
		if (S_ISDIR(st.st_mode)) {
			struct stat lst;
			int via_link = lstat(path, &lst) == 0 && S_ISLNK(lst.st_mode);
			ins_buf root = INS_BUF_INIT;
			int rc;

			/*
			 * Links inside the tree are not followed (FTW_PHYS: no loops),
			 * but a directory named through a link is walked: as "link/.",
			 * each file's "link/./" then written back as "link/".
			 */
			ins_buf_puts(&root, path);
			if (via_link)
				ins_buf_puts(&root, "/.");
			walk_list = out;
			rc = nftw(root.ptr, walk_fn, 16, FTW_PHYS);
			ins_buf_release(&root);
			if (rc != 0)
				return ins_error_set(INS_EIO, "cannot read directory '%s': %s", path,
						     strerror(errno));
			for (size_t i = before; via_link && i < out->n; i++) {
				char *dot = out->v[i] + strlen(path);

				if (!strncmp(dot, "/./", 3))
					memmove(dot + 1, dot + 3, strlen(dot + 3) + 1);
			}
			allure_dirs(out, before);
			qsort(out->v + before, out->n - before, sizeof(*out->v), cmp_str);
			if (out->n == before)
				return ins_error_set(INS_ENOTFOUND, "no report files (*.xml, *.json, "
						     "*.jsonl, *.ndjson, or those .gz) in directory "
						     "'%s'", path);
			return 0;
		}
		list_add(out, path, 0);
		return 0;
	}
	if (strpbrk(path, "*?[")) {
		glob_t g;
		int rc = glob(path, 0, NULL, &g);

		if (rc == 0) {
			for (size_t i = 0; i < g.gl_pathc; i++)
				list_add(out, g.gl_pathv[i], 0);
		}
		globfree(&g);
		if (rc == 0)
			return 0;
		return ins_error_set(INS_ENOTFOUND, "no report matches '%s'", path);
	}
	return ins_error_set(INS_ENOTFOUND, "no report at '%s'", path);
}

/* ---- hashing a report-log written by `session run` ---- */

static int hash_file(const char *path, char hex[65])
{
	ins_input *in;
	int rc;

	if ((rc = ins_input_open(&in, path, NULL)) < 0)
		return rc;
	rc = ins_input_finish(in, hex);
	ins_input_close(in);
	return rc;
}

static void report(const ins_import_opts *o, ins_import_status st, const char *path,
		   const char *msg, const char *session)
{
	if (o->on_file)
		o->on_file(o->data, st, path, msg, session);
}

/*
 * pytest's own JUnit XML without a `file` attribute (xunit2, the default)
 * names a test by classname="tests.test_cart" (or "tests.test_cart.TestCart")
 * and name, while `session run` and the report-log name it
 * "tests/test_cart.py::TestCart::test_x". Once the report says it is
 * pytest's (the root suite is named "pytest"), each classname is mapped
 * back to a file: the longest leading part of it that names an existing
 * "a/b/c.py" below the report's directory, one of its parents, or the
 * working directory; the rest of the classname are the classes. A
 * classname that names no such file keeps the classname::name form.
 */
#define PYMAP_PARENTS 8

/*
 * Strings to strings, for what the pytest map has found already. It holds
 * at most STRCACHE_MAX entries, and starts afresh when full: a report with
 * a million packages costs no more memory than one with a thousand.
 */
#define STRCACHE_MAX 65536

struct strcache {
	char **keys, **vals;
	uint64_t *hashes;
	size_t cap, n;
};

static uint64_t str_hash(const char *s, size_t n)
{
	uint64_t h = 1469598103934665603ull;

	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
	return h;
}

static char **strcache_slot(struct strcache *c, const char *key, size_t n, uint64_t h)
{
	size_t i = (size_t)h & (c->cap - 1);

	while (c->keys[i] && (c->hashes[i] != h || strncmp(c->keys[i], key, n) || c->keys[i][n]))
		i = (i + 1) & (c->cap - 1);
	return &c->keys[i];
}

/* The value kept for key[0..n), or NULL. */
static const char *strcache_get(const struct strcache *c, const char *key, size_t n)
{
	char **k;

	if (!c->cap)
		return NULL;
	k = strcache_slot((struct strcache *)c, key, n, str_hash(key, n));
	return *k ? c->vals[k - c->keys] : NULL;
}

static void strcache_release(struct strcache *c);

/* Keep val for key[0..n); returns the copy kept. */
static const char *strcache_put(struct strcache *c, const char *key, size_t n, const char *val)
{
	uint64_t h = str_hash(key, n);
	char **k;

	if (c->n >= STRCACHE_MAX)
		strcache_release(c);
	if ((c->n + 1) * 10 > c->cap * 7) {
		struct strcache big = { 0 };

		big.cap = c->cap ? c->cap * 2 : 64;
		big.keys = ins_xcalloc(big.cap, sizeof(*big.keys));
		big.vals = ins_xcalloc(big.cap, sizeof(*big.vals));
		big.hashes = ins_xcalloc(big.cap, sizeof(*big.hashes));
		for (size_t i = 0; i < c->cap; i++) {
			if (!c->keys[i])
				continue;
			k = strcache_slot(&big, c->keys[i], strlen(c->keys[i]), c->hashes[i]);
			*k = c->keys[i];
			big.vals[k - big.keys] = c->vals[i];
			big.hashes[k - big.keys] = c->hashes[i];
		}
		big.n = c->n;
		free(c->keys);
		free(c->vals);
		free(c->hashes);
		*c = big;
	}
	k = strcache_slot(c, key, n, h);
	if (!*k) {
		*k = ins_xmalloc(n + 1);
		memcpy(*k, key, n);
		(*k)[n] = '\0';
		c->hashes[k - c->keys] = h;
		c->n++;
	} else {
		free(c->vals[k - c->keys]);
	}
	c->vals[k - c->keys] = ins_xstrdup(val);
	return c->vals[k - c->keys];
}

static void strcache_release(struct strcache *c)
{
	for (size_t i = 0; i < c->cap; i++) {
		free(c->keys[i]);
		free(c->vals[i]);
	}
	free(c->keys);
	free(c->vals);
	free(c->hashes);
	memset(c, 0, sizeof(*c));
}

/*
 * What each root holds of a dotted name "a.b.c" (a prefix of a classname),
 * one character per root: PYMAP_DIR when root/a/b/c is a directory,
 * PYMAP_FILE when root/a/b/c.py is a regular file, PYMAP_BOTH, or
 * PYMAP_NONE. A name's entry is worked out from its parent's: only a root
 * where the parent is a directory is asked, so a classname costs one look-up
 * per leading part until no root holds a directory of that name, and the
 * file system is asked once per package or module, not per classname.
 */
enum { PYMAP_NONE = '0', PYMAP_DIR = 'd', PYMAP_FILE = 'f', PYMAP_BOTH = 'b' };

struct pytest_map {
	int enabled;
	struct strcache parts;    /* dotted name -> what each root holds of it (above) */
	char *roots[PYMAP_PARENTS + 2];  /* directories to look from (owned) */
	size_t nroots;
	ins_buf cls;       /* the classname last mapped */
	ins_buf prefix;    /* what it maps to ("" when it names no file) */
	ins_buf path, id;  /* scratch, and the mapped node id */
};

static void pytest_map_init(struct pytest_map *m, const char *report_path)
{
	char *dir, *slash;
	char cwd[4096];

	memset(m, 0, sizeof(*m));
	ins_buf_init(&m->cls);
	ins_buf_init(&m->prefix);
	ins_buf_init(&m->path);
	ins_buf_init(&m->id);
	if (report_path && strcmp(report_path, "-") && (dir = realpath(report_path, NULL))) {
		while ((slash = strrchr(dir, '/')) && m->nroots < PYMAP_PARENTS) {
			*slash = '\0';
			m->roots[m->nroots++] = ins_xstrdup(*dir ? dir : "/");
			if (!*dir)
				break;
		}
		free(dir);
	}
	if (getcwd(cwd, sizeof(cwd)))
		m->roots[m->nroots++] = ins_xstrdup(cwd);
}

static void pytest_map_release(struct pytest_map *m)
{
	strcache_release(&m->parts);
	for (size_t i = 0; i < m->nroots; i++)
		free(m->roots[i]);
	ins_buf_release(&m->cls);
	ins_buf_release(&m->prefix);
	ins_buf_release(&m->path);
	ins_buf_release(&m->id);
}

static void pytest_map_enable(struct pytest_map *m)
{
	m->enabled = 1;
}

static int pymap_is_dir(char c)
{
	return c == PYMAP_DIR || c == PYMAP_BOTH;
}

/*
 * What the roots hold of the dotted name cls[0..n), given what they hold of
 * its parent (`parent`, or NULL for a first part: every root is a
 * directory). Borrowed from the map, valid until the next call.
 */
static const char *pymap_part(struct pytest_map *m, const char *cls, size_t n, const char *parent)
{
	const char *known = strcache_get(&m->parts, cls, n);
	char held[PYMAP_PARENTS + 3];
	struct stat st;

	if (known)
		return known;
	for (size_t r = 0; r < m->nroots; r++) {
		int dir, file;

		held[r] = PYMAP_NONE;
		if (parent && !pymap_is_dir(parent[r]))
			continue;
		/* root/a/b/c, built by hand: this runs once per package or module */
		ins_buf_set(&m->path, m->roots[r]);
		ins_buf_putc(&m->path, '/');
		for (size_t i = 0; i < n; i++)
			ins_buf_putc(&m->path, cls[i] == '.' ? '/' : cls[i]);
		dir = !stat(m->path.ptr, &st) && S_ISDIR(st.st_mode);
		ins_buf_puts(&m->path, ".py");
		file = !stat(m->path.ptr, &st) && S_ISREG(st.st_mode);
		held[r] = dir && file ? PYMAP_BOTH : dir ? PYMAP_DIR : file ? PYMAP_FILE : PYMAP_NONE;
	}
	held[m->nroots] = '\0';
	return strcache_put(&m->parts, cls, n, held);
}

/*
 * Fill m->prefix with the node id prefix for classname `cls` ("" if none):
 * the longest leading part of it that is a file below some root (the first
 * such root in order), as "a/b/c.py", then the rest of the classname's
 * parts, each after "::".
 */
static void pymap_resolve(struct pytest_map *m, const char *cls)
{
	const char *held = NULL, *p;
	size_t best = 0;

	ins_buf_set(&m->cls, cls);
	ins_buf_clear(&m->prefix);
	for (size_t end = 0;; end++) {
		int deeper = 0;

		if (cls[end] && cls[end] != '.')
			continue;
		/* cls[0..end) is the next leading part */
		if (end == 0 || cls[end - 1] == '.')
			break;  /* an empty part names nothing */
		held = pymap_part(m, cls, end, held);
		for (size_t r = 0; r < m->nroots; r++) {
			if (held[r] == PYMAP_FILE || held[r] == PYMAP_BOTH)
				best = end;
			deeper |= pymap_is_dir(held[r]);
		}
		if (!cls[end] || !deeper)
			break;
	}
	if (!best)
		return;
	for (size_t i = 0; i < best; i++)
		ins_buf_putc(&m->prefix, cls[i] == '.' ? '/' : cls[i]);
	ins_buf_puts(&m->prefix, ".py");
	for (p = cls + best; *p; ) {
		const char *e = strchr(p + 1, '.');
		size_t len = e ? (size_t)(e - p - 1) : strlen(p + 1);

		ins_buf_puts(&m->prefix, "::");
		ins_buf_put(&m->prefix, p + 1, len);
		p = e ? e : p + 1 + len;
	}
}

/*
 * The node id of `r` in pytest's own form, or NULL to keep it. Borrowed
 * from `m`, valid until the next call.
 */
static const char *pytest_map_nodeid(struct pytest_map *m, const ins_result *r)
{
	size_t clen;

	if (!m->enabled || r->file || !r->classname || !*r->classname || strstr(r->nodeid, ".py::"))
		return NULL;
	clen = strlen(r->classname);
	if (strncmp(r->nodeid, r->classname, clen) || strncmp(r->nodeid + clen, "::", 2))
		return NULL;
	if (!m->cls.len || strcmp(m->cls.ptr, r->classname))
		pymap_resolve(m, r->classname);
	if (!m->prefix.len)
		return NULL;
	ins_buf_set(&m->id, m->prefix.ptr);
	ins_buf_puts(&m->id, r->nodeid + clen);
	return m->id.ptr;
}

/* ---- the sink into the writer ---- */

struct import_ctx {
	ins_session_writer *w;
	ins_import_summary *sum;
	const ins_import_opts *opts;
	const char *display;      /* the report, as the user named it */
	struct pytest_map *pymap; /* pytest's JUnit: classnames mapped back to files, or NULL */
	size_t capped;            /* results whose names were cut to INS_NAME_MAX */
	unsigned occ_k;           /* the occurrence being read is "id[#occ_k]"; 0: plain id */
};

/*
 * A test's name, class, file or node id longer than this is cut: what is
 * kept ends in "…" and 16 hex digits of the whole name's SHA-256, so two
 * long names that differ only at the end stay two tests.
 */
#define INS_NAME_MAX 8192

static const char *cap_name(const char *s, ins_buf *b, int *cut)
{
	char hex[65];
	size_t n, keep = INS_NAME_MAX - 32;

	if (!s || (n = strlen(s)) <= INS_NAME_MAX)
		return s;
	while (keep && ((unsigned char)s[keep] & 0xc0) == 0x80)
		keep--;
	ins_sha256_hex(hex, s, n);
	ins_buf_clear(b);
	ins_buf_put(b, s, keep);
	ins_buf_printf(b, "\xe2\x80\xa6%.16s", hex);
	*cut = 1;
	return b->ptr;
}

/* The result with over-long names cut (1 when any was), its names in `bufs`. */
static int cap_names(const ins_result *r, ins_result *copy, ins_buf bufs[4])
{
	int cut = 0;

	*copy = *r;
	copy->nodeid = cap_name(r->nodeid, &bufs[0], &cut);
	copy->name = cap_name(r->name, &bufs[1], &cut);
	copy->classname = cap_name(r->classname, &bufs[2], &cut);
	copy->file = cap_name(r->file, &bufs[3], &cut);
	return cut;
}

static int sink_meta(void *data, const char *key, const char *value)
{
	struct import_ctx *c = data;
	long long v;
	char *end;

	if (!strcmp(key, "started_ms") || !strcmp(key, "finished_ms")) {
		errno = 0;
		v = strtoll(value, &end, 10);
		if (errno || *end || v <= 0)
			return 0;
		if (key[0] == 's')
			ins_session_writer_set_times(c->w, v, 0);
		else
			ins_session_writer_set_times(c->w, 0, v);
	} else if (!strcmp(key, "host")) {
		ins_session_writer_set_host(c->w, value);
	} else if (!strcmp(key, "warning")) {
		report(c->opts, INS_IMPORT_WARNING, c->display, value, NULL);
	} else if (!strcmp(key, "tool") && !strcmp(value, "pytest") && c->pymap) {
		pytest_map_enable(c->pymap);
	} else if (!strcmp(key, "truncated") || !strcmp(key, "incomplete")) {
		/* The tool stopped mid-write: keep what finished, and say the session is partial. */
		c->sum->truncated = 1;
		if (!c->opts->info.state)
			ins_session_writer_set_state(c->w, INS_SESSION_INCOMPLETE);
	}
	return 0;
}

/* `r` under the node id pytest gives it, when it came from pytest's JUnit. */
static const ins_result *sink_mapped(struct import_ctx *c, const ins_result *r, ins_result *tmp)
{
	const char *id = c->pymap ? pytest_map_nodeid(c->pymap, r) : NULL;

	if (!id)
		return r;
	*tmp = *r;
	tmp->nodeid = id;
	return tmp;
}

/*
 * The result with the secrets of opts.redact hidden in its texts and
 * property values (insight/redact.h); 1 when anything was hidden, and then
 * *copy and `bufs` hold the masked result.
 */
static int redact_result(const ins_redactor *rd, const ins_result *r, ins_result *copy,
			 ins_buf bufs[5], ins_property **props)
{
	const char **texts[5];
	int changed = 0;

	if (!rd)
		return 0;
	*copy = *r;
	texts[0] = &copy->message;
	texts[1] = &copy->detail;
	texts[2] = &copy->out;
	texts[3] = &copy->err;
	texts[4] = &copy->log;
	for (int i = 0; i < 5; i++) {
		const char *orig = *texts[i];
		*texts[i] = ins_redact_str(rd, orig, &bufs[i]);
		changed |= *texts[i] != orig;
	}
	for (size_t i = 0; i < r->nprops; i++) {
		ins_buf b = INS_BUF_INIT;
		if (!r->props[i].value || !ins_redact(rd, r->props[i].value, strlen(r->props[i].value), &b)) {
			ins_buf_release(&b);
			continue;
		}
		if (!*props) {
			*props = ins_xcalloc(r->nprops, sizeof(**props));
			memcpy(*props, r->props, r->nprops * sizeof(**props));
			copy->props = *props;
		}
		(*props)[i].value = ins_buf_detach(&b);
		changed = 1;
	}
	return changed;
}

static void redact_release(const ins_result *r, ins_buf bufs[5], ins_property *props)
{
	for (int i = 0; i < 5; i++)
		ins_buf_release(&bufs[i]);
	if (props) {
		for (size_t i = 0; i < r->nprops; i++)
			if (props[i].value != r->props[i].value)
				free((char *)props[i].value);
		free(props);
	}
}

/*
 * A result into the writer: under pytest's node id when it came from
 * pytest's JUnit, with secrets masked. `fp_hash` and `fp_signature` are the
 * fingerprint the parser's thread computed, or NULL; a result with a secret
 * in it gets its fingerprint from the masked text instead.
 */
static int sink_result_fp(void *data, const ins_result *r, const char *fp_hash,
			  const char *fp_signature)
{
	struct import_ctx *c = data;
	ins_buf bufs[5] = { INS_BUF_INIT, INS_BUF_INIT, INS_BUF_INIT, INS_BUF_INIT, INS_BUF_INIT };
	ins_buf names[4] = { INS_BUF_INIT, INS_BUF_INIT, INS_BUF_INIT, INS_BUF_INIT };
	ins_buf suffixed = INS_BUF_INIT;
	ins_property *props = NULL;
	ins_result copy, tmp, capped, named;
	int rc;

	/*
	 * The parser left the repeat rule to the import (ingest/repeat.h): the
	 * writer decides at each occurrence's first attempt, by the id as it
	 * will be stored, and its answer holds for the occurrence's attempts.
	 */
	if (r->flags & INS_RESULT_OCCURRENCE) {
		const ins_result *base = sink_mapped(c, r, &tmp);

		if (cap_names(base, &capped, names))
			base = &capped;
		if ((rc = ins_session_writer_occurrence(c->w, base, &c->occ_k)) < 0)
			goto done;
	}
	named = *r;
	named.flags &= ~(unsigned)INS_RESULT_OCCURRENCE;
	if (c->occ_k) {
		ins_buf_printf(&suffixed, "%s[#%u]", r->nodeid, c->occ_k);
		named.nodeid = suffixed.ptr;
	}
	r = sink_mapped(c, &named, &tmp);
	if (cap_names(r, &capped, names)) {
		r = &capped;
		c->capped++;
	}
	/* the masking's buffers hold text even when nothing was hidden: always released */
	if (redact_result(c->opts->redact, r, &copy, bufs, &props))
		rc = ins_session_writer_add_result(c->w, &copy);
	else
		rc = ins_session_writer_add_result_fp(c->w, r, fp_hash, fp_signature);
	redact_release(r, bufs, props);
done:
	for (int i = 0; i < 4; i++)
		ins_buf_release(&names[i]);
	ins_buf_release(&suffixed);
	return rc;
}

static int sink_result(void *data, const ins_result *r)
{
	return sink_result_fp(data, r, NULL, NULL);
}

/*
 * The result after the one being stored, by the node id it arrived with
 * (the one it is stored under when no map or suffix changes it).
 */
static void sink_ahead(void *data, const char *nodeid)
{
	struct import_ctx *c = data;

	ins_session_writer_prefetch(c->w, nodeid);
}

static int sink_section(void *data, const char *name, const char *text)
{
	struct import_ctx *c = data;
	ins_buf tmp = INS_BUF_INIT;
	int rc;

	rc = ins_session_writer_add_section(c->w, name, ins_redact_str(c->opts->redact, text, &tmp));
	ins_buf_release(&tmp);
	return rc;
}

static int add_console_section(void *data, const char *name, const char *text)
{
	return ins_session_writer_add_section(data, name, text);
}

/* ---- parsing beside storing ---- */

/* A batch is handed over when it holds this many items or bytes of text. */
#define BATCH_ITEMS 1024
#define BATCH_BYTES (512u * 1024)
#define NO_STR ((size_t)-1)

enum { Q_RESULT, Q_META, Q_SECTION };

/* One callback of the parser, its strings as offsets into the batch's text. */
typedef struct qitem {
	int kind;
	ins_result r;      /* Q_RESULT: every pointer field is unused; see off[] */
	size_t off[11];    /* nodeid file classname name message detail out err log, fingerprint
			      signature and hash; or key/value */
	size_t prop_first; /* Q_RESULT: its properties in batch.props */
} qitem;

typedef struct batch {
	qitem *items;
	size_t n, alloc;
	size_t *props;     /* key, value offsets, two per property */
	size_t nprops, props_alloc;
	ins_buf text;      /* every string, NUL-terminated */
} batch;

/*
 * Batches in flight: three for an import (one filled, one handed over, one
 * stored), more when a run's report-log is parsed while the run goes on and
 * nothing is stored yet (ins_import_follow_start): up to PIPE_AHEAD batches
 * (8 MiB of text at most) are parsed ahead, then the parser waits.
 */
#define PIPE_BATCHES 3
#define PIPE_AHEAD 16

typedef struct pipe_state {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	batch pool[PIPE_AHEAD];
	int nbatches;
	batch *filling;          /* the producer's; never shared */
	batch *queue[PIPE_AHEAD]; /* handed over, not yet taken, oldest first */
	int qhead, qlen;
	batch *spare[PIPE_AHEAD]; /* ready for reuse */
	int nspare;
	int done;                /* the producer has finished */
	atomic_int stop;         /* the consumer failed: the producer must stop */
	ins_buf fp_sig;          /* the producer's scratch for fingerprints */
	int parse_rc;            /* the parser's result */
	char *parse_msg;         /* its error message (the parser thread's last error) */
	/* what the producer runs */
	ins_input *input;
	const char *display;
	ins_format fmt;
	int ended;               /* a followed file is complete (see ins_import_follow) */
} pipe_state;

static size_t put_str(batch *b, const char *str)
{
	size_t at;

	if (!str)
		return NO_STR;
	at = b->text.len;
	ins_buf_put(&b->text, str, strlen(str) + 1);
	return at;
}

static const char *get_str(const batch *b, size_t off)
{
	return off == NO_STR ? NULL : b->text.ptr + off;
}

static void batch_reset(batch *b)
{
	b->n = 0;
	b->nprops = 0;
	ins_buf_clear(&b->text);
}

/* Producer: hand the filling batch over, then wait for a spare one to fill. */
static int pipe_flush(pipe_state *ps)
{
	int stop;

	pthread_mutex_lock(&ps->lock);
	stop = ps->stop;
	if (!stop && ps->filling->n) {
		ps->queue[(ps->qhead + ps->qlen++) % PIPE_AHEAD] = ps->filling;
		ps->filling = ps->nspare ? ps->spare[--ps->nspare] : NULL;
		pthread_cond_broadcast(&ps->cond);
	}
	while (!stop && !ps->filling) {
		pthread_cond_wait(&ps->cond, &ps->lock);
		stop = ps->stop;
		if (ps->nspare)
			ps->filling = ps->spare[--ps->nspare];
	}
	pthread_mutex_unlock(&ps->lock);
	return stop ? INS_EINTR : 0;
}

/* NULL when the consumer has stopped and no batch is left to fill. */
static qitem *pipe_item(pipe_state *ps, int kind)
{
	batch *b = ps->filling;
	qitem *q;

	if (!b)
		return NULL;
	b->items = ins_xgrow(b->items, &b->alloc, b->n + 1, sizeof(*b->items));
	q = &b->items[b->n++];
	memset(q, 0, sizeof(*q));
	q->kind = kind;
	return q;
}

static int pipe_after_item(pipe_state *ps)
{
	if (ps->filling->n >= BATCH_ITEMS || ps->filling->text.len >= BATCH_BYTES)
		return pipe_flush(ps);
	return atomic_load_explicit(&ps->stop, memory_order_relaxed) ? INS_EINTR : 0;
}

static int pipe_meta(void *data, const char *key, const char *value)
{
	pipe_state *ps = data;
	qitem *q = pipe_item(ps, Q_META);

	if (!q)
		return INS_EINTR;
	q->off[0] = put_str(ps->filling, key);
	q->off[1] = put_str(ps->filling, value);
	return pipe_after_item(ps);
}

static int pipe_section(void *data, const char *name, const char *text)
{
	pipe_state *ps = data;
	qitem *q = pipe_item(ps, Q_SECTION);

	if (!q)
		return INS_EINTR;
	q->off[0] = put_str(ps->filling, name);
	q->off[1] = put_str(ps->filling, text);
	return pipe_after_item(ps);
}

static int pipe_result(void *data, const ins_result *r)
{
	pipe_state *ps = data;
	batch *b = ps->filling;
	qitem *q = pipe_item(ps, Q_RESULT);
	const char *strs[9] = { r->nodeid, r->file, r->classname, r->name, r->message,
				r->detail, r->out, r->err, r->log };

	if (!q)
		return INS_EINTR;
	q->r = *r;
	for (int i = 0; i < 9; i++)
		q->off[i] = put_str(b, strs[i]);
	q->off[9] = q->off[10] = NO_STR;
	/* The same condition as the writer's: only failures with a text have a fingerprint. */
	if (ins_outcome_is_failure(r->outcome) && (r->message || r->detail)) {
		char hash[INS_FINGERPRINT_HEX + 1];

		if (ins_fingerprint_compute(&ps->fp_sig, hash, r->message, r->detail) == 0) {
			q->off[9] = put_str(b, ps->fp_sig.ptr);
			q->off[10] = put_str(b, hash);
		}
	}
	q->prop_first = b->nprops;
	for (size_t i = 0; i < r->nprops; i++) {
		b->props = ins_xgrow(b->props, &b->props_alloc, b->nprops + 2, sizeof(*b->props));
		b->props[b->nprops++] = put_str(b, r->props[i].key);
		b->props[b->nprops++] = put_str(b, r->props[i].value);
	}
	return pipe_after_item(ps);
}

/* Producer: the parse is over (rc); hand over the last batch and say so. */
static void pipe_producer_end(pipe_state *ps, int rc)
{
	if (rc >= 0)
		rc = pipe_flush(ps);
	pthread_mutex_lock(&ps->lock);
	ps->parse_rc = rc;
	if (rc < 0 && !ps->stop)
		ps->parse_msg = ins_xstrdup(ins_error_last());
	ps->done = 1;
	pthread_cond_broadcast(&ps->cond);
	pthread_mutex_unlock(&ps->lock);
	ins_error_clear(); /* this thread's message buffer goes with the thread */
}

static void *pipe_producer(void *arg)
{
	pipe_state *ps = arg;
	ins_ingest_sink sink = { ps, pipe_meta, pipe_result, pipe_section };

	pipe_producer_end(ps, ins_ingest_input(ps->input, ps->fmt, &sink));
	return NULL;
}

/* Consumer: store one batch through the ordinary sink. */
static int store_batch(const batch *b, const ins_ingest_sink *sink, ins_property **props,
		       size_t *props_alloc)
{
	int rc = 0;

	for (size_t i = 0; i < b->n && rc >= 0; i++) {
		const qitem *q = &b->items[i];
		ins_result r;

		if (i + 1 < b->n && b->items[i + 1].kind == Q_RESULT)
			sink_ahead(sink->data, get_str(b, b->items[i + 1].off[0]));
		switch (q->kind) {
		case Q_META:
			rc = sink->on_meta(sink->data, get_str(b, q->off[0]), get_str(b, q->off[1]));
			break;
		case Q_SECTION:
			rc = sink->on_section(sink->data, get_str(b, q->off[0]),
					      get_str(b, q->off[1]));
			break;
		default:
			r = q->r;
			r.nodeid = get_str(b, q->off[0]);
			r.file = get_str(b, q->off[1]);
			r.classname = get_str(b, q->off[2]);
			r.name = get_str(b, q->off[3]);
			r.message = get_str(b, q->off[4]);
			r.detail = get_str(b, q->off[5]);
			r.out = get_str(b, q->off[6]);
			r.err = get_str(b, q->off[7]);
			r.log = get_str(b, q->off[8]);
			if (r.nprops) {
				*props = ins_xgrow(*props, props_alloc, r.nprops, sizeof(**props));
				for (size_t k = 0; k < r.nprops; k++) {
					(*props)[k].key = get_str(b, b->props[q->prop_first + 2 * k]);
					(*props)[k].value = get_str(b, b->props[q->prop_first + 2 * k + 1]);
				}
				r.props = *props;
			}
			if (q->off[10] != NO_STR)
				rc = sink_result_fp(sink->data, &r, get_str(b, q->off[10]),
						    get_str(b, q->off[9]));
			else
				rc = sink->on_result(sink->data, &r);
			break;
		}
	}
	return rc;
}

static void pipe_init(pipe_state *ps, int nbatches, ins_input *input, const char *display,
		      ins_format fmt)
{
	memset(ps, 0, sizeof(*ps));
	pthread_mutex_init(&ps->lock, NULL);
	pthread_cond_init(&ps->cond, NULL);
	ps->nbatches = nbatches;
	for (int i = 0; i < nbatches; i++)
		ins_buf_init(&ps->pool[i].text);
	ps->filling = &ps->pool[0];
	for (int i = 1; i < nbatches; i++)
		ps->spare[ps->nspare++] = &ps->pool[i];
	ps->input = input;
	ps->display = display;
	ps->fmt = fmt;
	ins_buf_init(&ps->fp_sig);
}

static void pipe_release(pipe_state *ps)
{
	free(ps->parse_msg);
	for (int i = 0; i < ps->nbatches; i++) {
		free(ps->pool[i].items);
		free(ps->pool[i].props);
		ins_buf_release(&ps->pool[i].text);
	}
	ins_buf_release(&ps->fp_sig);
	pthread_cond_destroy(&ps->cond);
	pthread_mutex_destroy(&ps->lock);
}

/* Ask the producer to stop, e.g. when nothing will consume what it parses. */
static void pipe_stop(pipe_state *ps)
{
	pthread_mutex_lock(&ps->lock);
	ps->stop = 1;
	ps->ended = 1;
	pthread_cond_broadcast(&ps->cond);
	pthread_mutex_unlock(&ps->lock);
}

/*
 * Consumer: store the producer's batches through `sink`, in order, until it
 * is done; then join it. Returns the sink's failure first, else the
 * parser's (its message set in this thread).
 */
static int pipe_consume(pipe_state *ps, pthread_t th, const ins_ingest_sink *sink)
{
	ins_property *props = NULL;
	size_t props_alloc = 0;
	int rc = 0;

	for (;;) {
		batch *b = NULL;

		pthread_mutex_lock(&ps->lock);
		while (!ps->qlen && !ps->done)
			pthread_cond_wait(&ps->cond, &ps->lock);
		if (ps->qlen) {
			b = ps->queue[ps->qhead];
			ps->qhead = (ps->qhead + 1) % PIPE_AHEAD;
			ps->qlen--;
		}
		pthread_mutex_unlock(&ps->lock);
		if (!b)
			break; /* done, and nothing left */
		if (rc >= 0 && (rc = store_batch(b, sink, &props, &props_alloc)) < 0)
			pipe_stop(ps);
		batch_reset(b);
		pthread_mutex_lock(&ps->lock);
		ps->spare[ps->nspare++] = b;
		pthread_cond_broadcast(&ps->cond);
		pthread_mutex_unlock(&ps->lock);
	}
	pthread_join(th, NULL);
	if (rc >= 0 && ps->parse_rc < 0) {
		rc = ps->parse_rc;
		ins_error_set(rc, "%s", ps->parse_msg ? ps->parse_msg : "reading the report failed");
	}
	free(props);
	return rc;
}

/*
 * Parse `path` in a second thread into `sink` (called in this thread, in
 * report order; its data is the import's struct import_ctx). Returns what
 * the parser or the sink returned, the sink's failure first; the error
 * message is this thread's last error either way.
 */
static int ingest_beside(ins_input *input, ins_format fmt, const ins_ingest_sink *sink)
{
	pipe_state ps;
	pthread_t th;
	int rc;

	pipe_init(&ps, PIPE_BATCHES, input, ins_input_display(input), fmt);
	if (pthread_create(&th, NULL, pipe_producer, &ps) != 0)
		rc = ins_ingest_input(input, fmt, sink); /* no thread: parse here */
	else
		rc = pipe_consume(&ps, th, sink);
	pipe_release(&ps);
	return rc;
}

/* ---- a run's report-log, parsed while the run goes on ---- */

struct ins_import_follow {
	pipe_state ps;
	pthread_t th;
	char *path;
	int fd;
	int taken;               /* ins_import consumed it */
};

/* At the end of what is written so far: 1 to read again (after a while), 0 when it is all there. */
static int follow_more(void *data)
{
	pipe_state *ps = data;
	struct timespec until;
	int more;

	pthread_mutex_lock(&ps->lock);
	if (!ps->ended && !ps->stop) {
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_nsec += 10 * 1000000L;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&ps->cond, &ps->lock, &until);
	}
	more = !ps->ended && !ps->stop;
	pthread_mutex_unlock(&ps->lock);
	return more;
}

static void *follow_producer(void *arg)
{
	ins_import_follow *f = arg;
	pipe_state *ps = &f->ps;
	ins_ingest_sink sink = { ps, pipe_meta, pipe_result, pipe_section };
	struct stat st;
	int rc = ins_ingest_reportlog_follow(f->fd, ps->display, &sink, follow_more, ps);

	/* the same answer as reading the finished file: an empty one is refused */
	if (rc >= 0 && fstat(f->fd, &st) == 0 && st.st_size == 0)
		rc = ins_error_set(INS_EINVALID, "%s: empty file", ps->display);
	pipe_producer_end(ps, rc);
	return NULL;
}

int ins_import_follow_start(ins_import_follow **out, const char *path)
{
	ins_import_follow *f;

	*out = NULL;
	f = ins_xcalloc(1, sizeof(*f));
	f->path = ins_xstrdup(path);
	f->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (f->fd < 0) {
		int rc = ins_error_set(INS_EIO, "cannot open '%s': %s", path, strerror(errno));
		free(f->path);
		free(f);
		return rc;
	}
	pipe_init(&f->ps, PIPE_AHEAD, NULL, f->path, INS_FORMAT_REPORTLOG);
	if (pthread_create(&f->th, NULL, follow_producer, f) != 0) {
		pipe_release(&f->ps);
		close(f->fd);
		free(f->path);
		free(f);
		return ins_error_set(INS_EIO, "cannot start a thread to read '%s'", path);
	}
	*out = f;
	return 0;
}

void ins_import_follow_end(ins_import_follow *f)
{
	if (!f)
		return;
	pthread_mutex_lock(&f->ps.lock);
	f->ps.ended = 1;
	pthread_cond_broadcast(&f->ps.cond);
	pthread_mutex_unlock(&f->ps.lock);
}

void ins_import_follow_free(ins_import_follow *f)
{
	if (!f)
		return;
	if (!f->taken) {
		pipe_stop(&f->ps);
		pthread_join(f->th, NULL);
	}
	pipe_release(&f->ps);
	close(f->fd);
	free(f->path);
	free(f);
}

/* Store what the follower parsed (and parses still) through `sink`. */
static int ingest_followed(ins_import_follow *f, const ins_ingest_sink *sink)
{
	ins_import_follow_end(f);
	f->taken = 1;
	return pipe_consume(&f->ps, f->th, sink);
}

/* ---- the import itself ---- */

static int begin(ins_store *store, const ins_import_opts *o, ins_format fmt,
		 const char *source, ins_session_writer **w)
{
	ins_session_info info = o->info;
	int rc;

	if (!info.format && fmt != INS_FORMAT_AUTO)
		info.format = ins_format_name(fmt);
	if (!info.source)
		info.source = source;
	if (o->git_facts)
		info.git = NULL; /* recorded at the end (finish) */
	if ((rc = ins_session_writer_begin(w, store, &info)) < 0)
		return rc;
	ins_session_writer_keep_all_text(*w, o->keep_all_text);
	return 0;
}

static int finish(ins_session_writer *w, const ins_import_opts *o, ins_import_summary *sum)
{
	char uid[INS_SESSION_ID_LEN + 1];
	int rc;

	if (o->git_facts && (rc = ins_session_writer_set_git(w, o->git_facts(o->git_data))) < 0) {
		ins_session_writer_abort(w);
		return rc;
	}
	if ((rc = ins_session_writer_commit(w, uid)) < 0)
		return rc;
	sum->sessions = ins_xrealloc(sum->sessions, (sum->nsessions + 1) * sizeof(*sum->sessions));
	sum->sessions[sum->nsessions++] = ins_xstrdup(uid);
	return 0;
}

/*
 * Parse one report into the open writer, atomically. The report is read
 * once: its hash is known at the end, and a report imported before is then
 * dropped like one that did not parse. Returns 0 (with *parsed set when it
 * was stored) or a store error.
 */
static int import_parse(struct import_ctx *c, ins_store *store, ins_input *input,
			const char *path, ins_format fmt, int *parsed)
{
	ins_session_writer *w = c->w;
	const ins_import_opts *o = c->opts;
	ins_import_summary *sum = c->sum;
	const char *display = c->display;
	ins_ingest_sink sink = { c, sink_meta, sink_result, sink_section };
	char hash[65], dup[INS_SESSION_ID_LEN + 1];
	size_t before, after;
	int rc, followed = o->follow && !o->follow->taken && !strcmp(path, o->follow->path);

	*parsed = 0;
	c->occ_k = 0;
	ins_session_writer_count(w, &before);
	if ((rc = ins_session_writer_mark(w)) < 0)
		return rc;
	if (followed)
		rc = ingest_followed(o->follow, &sink);
	else if (!input) /* an Allure results directory */
		rc = ins_ingest_allure_dir_leaving_repeats(path, display, &sink, hash, 1);
	else {
		ins_input_leave_repeats(input);
		rc = ingest_beside(input, fmt, &sink);
	}
	if (rc >= 0 && input)
		rc = followed ? hash_file(path, hash) : ins_input_finish(input, hash);
	if (rc == INS_EINVALID || rc == INS_EIO || rc == INS_ENOTFOUND) {
		/* The report is bad: drop what it added, keep going with the others. */
		report(o, INS_IMPORT_FAILED, display, ins_error_last(), NULL);
		if ((rc = ins_session_writer_rollback_mark(w)) < 0)
			return rc;
		sum->failed++;
		return 0;
	}
	/*
	 * The store failed (disk full, I/O): the caller abandons the whole
	 * session. No rollback to the mark here: SQLite may have ended the
	 * transaction already, and the rollback's own error would replace the
	 * cause the user needs to see.
	 */
	if (rc < 0)
		return rc;
	if (!o->force && ins_store_find_report(store, hash, dup) == 0) {
		if ((rc = ins_session_writer_rollback_mark(w)) < 0)
			return rc;
		report(o, INS_IMPORT_DUPLICATE, display, NULL, dup);
		sum->duplicates++;
		return 0;
	}
	if ((rc = ins_session_writer_add_report(w, hash, display)) < 0 ||
	    (rc = ins_session_writer_release_mark(w)) < 0)
		return rc;
	ins_session_writer_count(w, &after);
	sum->results += after - before;
	sum->imported++;
	*parsed = 1;
	if (c->capped) {
		ins_buf msg = INS_BUF_INIT;

		ins_buf_printf(&msg, "%zu result%s with a name longer than %d KiB, cut to that "
			       "length and ended with a hash of the whole", c->capped,
			       c->capped == 1 ? "" : "s", INS_NAME_MAX >> 10);
		report(o, INS_IMPORT_WARNING, display, msg.ptr, NULL);
		ins_buf_release(&msg);
	}
	report(o, INS_IMPORT_OK, display, NULL, NULL);
	return 0;
}

static int import_one(ins_session_writer *w, ins_store *store, ins_input *input,
		      const char *path, const char *display, ins_format fmt,
		      const ins_import_opts *o, ins_import_summary *sum, int *parsed)
{
	struct pytest_map pymap;
	struct import_ctx c = { w, sum, o, display, &pymap };
	int rc;

	pytest_map_init(&pymap, path);
	rc = import_parse(&c, store, input, path, fmt, parsed);
	pytest_map_release(&pymap);
	return rc;
}

/*
 * Open a report and tell its format. Returns 0, 1 when it is to be skipped
 * (a companion file found in a directory, reported), or a negative code for
 * a report that cannot be read (reported; the caller counts it).
 */
static int open_report(const char *path, int from_dir, const ins_import_opts *o,
		       ins_input **input, ins_format *fmt)
{
	const char *display = !strcmp(path, "-") ? "<stdin>" : path, *head;
	char why[160];
	ssize_t n;
	int rc;

	if (strcmp(path, "-") && ins_allure_dir_is(path)) {
		/* an Allure results directory, read whole by import_parse */
		if (*fmt != INS_FORMAT_AUTO && *fmt != INS_FORMAT_ALLURE)
			return ins_error_set(INS_EUSAGE, "%s: a directory of Allure results, not "
					     "%s", display, ins_format_name(*fmt));
		*fmt = INS_FORMAT_ALLURE;
		return 0;
	}
	if ((rc = ins_input_open(input, path, display)) < 0)
		return rc;
	if (*fmt != INS_FORMAT_AUTO && !from_dir)
		return 0;
	if ((n = ins_input_peek(*input, &head, SNIFF_SIZE)) < 0)
		return (int)n;
	if (from_dir && ins_companion_file(head, (size_t)n, why, sizeof(why))) {
		report(o, INS_IMPORT_SKIPPED, display, why, NULL);
		return 1;
	}
	if (*fmt != INS_FORMAT_AUTO)
		return 0;
	if (n == 0)
		return ins_error_set(INS_EINVALID, "%s: empty file", display);
	if (ins_format_sniff(head, (size_t)n, fmt) < 0)
		return ins_error_prefix("%s", display);
	return 0;
}

int ins_import(ins_store *store, const char *const *paths, size_t npaths,
	       const ins_import_opts *o, int allow_empty, ins_import_summary *sum)
{
	struct file_list files = { 0 };
	ins_session_writer *w = NULL;
	int rc = 0, any = 0, stdin_seen = 0;

	memset(sum, 0, sizeof(*sum));
	if (!ins_input_limit())
		return ins_error_set(INS_EUSAGE, "INSIGHT_MAX_INPUT='%s' is not a size (bytes, or "
				     "a number with K, M or G)", getenv("INSIGHT_MAX_INPUT"));
	for (size_t i = 0; i < npaths; i++) {
		if ((rc = expand(&files, paths[i])) < 0)
			goto done;
	}
	sum->files = files.n;

	for (size_t i = 0; i < files.n; i++) {
		const char *path = files.v[i];
		const char *display = !strcmp(path, "-") ? "<stdin>" : path;
		ins_format fmt = o->format;
		ins_input *input = NULL;
		int parsed;

		if (!strcmp(path, "-") && stdin_seen++) {
			report(o, INS_IMPORT_FAILED, display, "standard input given twice", NULL);
			sum->failed++;
			continue;
		}
		rc = open_report(path, files.from_dir[i], o, &input, &fmt);
		if (rc) {
			if (rc < 0) {
				report(o, INS_IMPORT_FAILED, display, ins_error_last(), NULL);
				sum->failed++;
			} else {
				sum->skipped++;
			}
			ins_input_close(input);
			rc = 0;
			continue;
		}
		if (!w && (rc = begin(store, o, fmt, o->split || files.n == 1 ? display : NULL, &w)) < 0) {
			ins_input_close(input);
			goto done;
		}
		rc = import_one(w, store, input, path, display, fmt, o, sum, &parsed);
		ins_input_close(input);
		if (rc < 0)
			goto done;
		any |= parsed;
		if (o->split && w) {
			if (parsed) {
				rc = finish(w, o, sum);
			} else {
				ins_session_writer_abort(w);
				rc = 0;
			}
			w = NULL;
			if (rc < 0)
				goto done;
		}
	}

	if (!w && !any && allow_empty && !sum->nsessions) {
		if ((rc = begin(store, o, o->format, NULL, &w)) < 0)
			goto done;
	}
	if (w) {
		if (o->console && o->console_len &&
		    (rc = ins_pytest_sections(o->console, o->console_len, add_console_section, w)) < 0)
			goto done;
		if (any || allow_empty)
			rc = finish(w, o, sum);
		else
			ins_session_writer_abort(w);
		w = NULL;
	}
done:
	if (w)
		ins_session_writer_abort(w);
	list_release(&files);
	return rc < 0 ? rc : 0;
}
