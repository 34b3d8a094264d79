/*
 * ingest_collect.h - a sink for the parser tests that keeps copies of
 * everything a parser reports, plus helpers to run commands and write files.
 * Header-only: each test program includes it once.
 */
#ifndef INSIGHT_TEST_INGEST_COLLECT_H
#define INSIGHT_TEST_INGEST_COLLECT_H

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "insight/buf.h"
#include "insight/errors.h"
#include "insight/ingest.h"

typedef struct got_result {
	char *nodeid, *file, *classname, *name;
	ins_outcome outcome;
	double duration;
	int64_t start_ms;
	unsigned flags;
	char *message, *detail, *out, *err, *log;
	char **pkeys, **pvals;
	size_t nprops;
} got_result;

typedef struct collected {
	got_result *r;
	size_t n, alloc;
	char **mkeys, **mvals; /* meta */
	size_t nmeta, meta_alloc;
	char **snames, **stexts; /* sections */
	size_t nsec, sec_alloc;
	int stop_after;          /* >0: on_result returns 42 once this many were seen */
} collected;

static inline int collect_meta(void *data, const char *key, const char *value)
{
	collected *c = data;

	c->mkeys = ins_xgrow(c->mkeys, &c->meta_alloc, c->nmeta + 1, sizeof(char *));
	c->mvals = ins_xrealloc(c->mvals, c->meta_alloc * sizeof(char *));
	c->mkeys[c->nmeta] = ins_xstrdup(key);
	c->mvals[c->nmeta] = ins_xstrdup(value);
	c->nmeta++;
	return 0;
}

static inline int collect_result(void *data, const ins_result *r)
{
	collected *c = data;
	got_result *g;

	c->r = ins_xgrow(c->r, &c->alloc, c->n + 1, sizeof(*c->r));
	g = &c->r[c->n++];
	memset(g, 0, sizeof(*g));
	g->nodeid = ins_xstrdup(r->nodeid);
	g->file = ins_xstrdup(r->file);
	g->classname = ins_xstrdup(r->classname);
	g->name = ins_xstrdup(r->name);
	g->outcome = r->outcome;
	g->duration = r->duration;
	g->start_ms = r->start_ms;
	g->flags = r->flags;
	g->message = ins_xstrdup(r->message);
	g->detail = ins_xstrdup(r->detail);
	g->out = ins_xstrdup(r->out);
	g->err = ins_xstrdup(r->err);
	g->log = ins_xstrdup(r->log);
	g->nprops = r->nprops;
	g->pkeys = ins_xcalloc(r->nprops + 1, sizeof(char *));
	g->pvals = ins_xcalloc(r->nprops + 1, sizeof(char *));
	for (size_t i = 0; i < r->nprops; i++) {
		g->pkeys[i] = ins_xstrdup(r->props[i].key);
		g->pvals[i] = ins_xstrdup(r->props[i].value);
	}
	if (c->stop_after && (int)c->n == c->stop_after)
		return 42;
	return 0;
}

static inline int collect_section(void *data, const char *name, const char *text)
{
	collected *c = data;

	c->snames = ins_xgrow(c->snames, &c->sec_alloc, c->nsec + 1, sizeof(char *));
	c->stexts = ins_xrealloc(c->stexts, c->sec_alloc * sizeof(char *));
	c->snames[c->nsec] = ins_xstrdup(name);
	c->stexts[c->nsec] = ins_xstrdup(text);
	c->nsec++;
	return 0;
}

static inline ins_ingest_sink collect_sink(collected *c)
{
	ins_ingest_sink s = { c, collect_meta, collect_result, collect_section };
	return s;
}

static inline void collected_free(collected *c)
{
	for (size_t i = 0; i < c->n; i++) {
		got_result *g = &c->r[i];

		free(g->nodeid); free(g->file); free(g->classname); free(g->name);
		free(g->message); free(g->detail); free(g->out); free(g->err); free(g->log);
		for (size_t k = 0; k < g->nprops; k++) {
			free(g->pkeys[k]);
			free(g->pvals[k]);
		}
		free(g->pkeys);
		free(g->pvals);
	}
	free(c->r);
	for (size_t i = 0; i < c->nmeta; i++) {
		free(c->mkeys[i]);
		free(c->mvals[i]);
	}
	free(c->mkeys);
	free(c->mvals);
	for (size_t i = 0; i < c->nsec; i++) {
		free(c->snames[i]);
		free(c->stexts[i]);
	}
	free(c->snames);
	free(c->stexts);
	memset(c, 0, sizeof(*c));
}

/* The value of meta `key`, or NULL (the last one when repeated). */
static inline const char *meta_get(const collected *c, const char *key)
{
	const char *v = NULL;

	for (size_t i = 0; i < c->nmeta; i++)
		if (!strcmp(c->mkeys[i], key))
			v = c->mvals[i];
	return v;
}

/* The attempts of `nodeid`, in order: fills idx[] (up to max) and returns how many. */
static inline size_t attempts_of(const collected *c, const char *nodeid, size_t *idx, size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < c->n; i++)
		if (!strcmp(c->r[i].nodeid, nodeid) && n < max)
			idx[n++] = i;
	return n;
}

/* The last attempt of `nodeid`, or NULL. */
static inline const got_result *final_of(const collected *c, const char *nodeid)
{
	const got_result *g = NULL;

	for (size_t i = 0; i < c->n; i++)
		if (!strcmp(c->r[i].nodeid, nodeid))
			g = &c->r[i];
	return g;
}

/* The value of property `key` of a result (the first), or NULL. */
static inline const char *prop_get(const got_result *g, const char *key)
{
	for (size_t i = 0; i < g->nprops; i++)
		if (!strcmp(g->pkeys[i], key))
			return g->pvals[i];
	return NULL;
}

static inline void write_file(const char *path, const char *text, size_t len)
{
	FILE *f = fopen(path, "wb");

	if (!f) {
		perror(path);
		abort();
	}
	if (fwrite(text, 1, len, f) != len)
		abort();
	fclose(f);
}

static inline void write_text(const char *dir, const char *name, const char *text)
{
	ins_buf p = INS_BUF_INIT;

	ins_buf_printf(&p, "%s/%s", dir, name);
	write_file(p.ptr, text, strlen(text));
	ins_buf_release(&p);
}

/* Read a whole file into a buffer; aborts when it cannot. */
static inline void read_file(ins_buf *out, const char *path)
{
	FILE *f = fopen(path, "rb");
	char tmp[8192];
	size_t n;

	if (!f) {
		perror(path);
		abort();
	}
	while ((n = fread(tmp, 1, sizeof(tmp), f)) > 0)
		ins_buf_put(out, tmp, n);
	fclose(f);
}

/* A fresh temporary directory; the caller frees the string and removes the tree. */
static inline char *make_tempdir(void)
{
	char tmpl[] = "/tmp/insight-test-XXXXXX";

	if (!mkdtemp(tmpl)) {
		perror("mkdtemp");
		abort();
	}
	return ins_xstrdup(tmpl);
}

static inline void remove_tree(const char *dir)
{
	ins_buf cmd = INS_BUF_INIT;

	if (!dir || strncmp(dir, "/tmp/insight-test-", 18))
		return;
	ins_buf_printf(&cmd, "rm -rf '%s'", dir);
	if (system(cmd.ptr) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
	ins_buf_release(&cmd);
}

static inline const char *python(void)
{
	const char *p = getenv("INSIGHT_PYTHON");
	return p && *p ? p : "/usr/bin/python3";
}

/* Parse `path` with `parser` into `c`; returns the parser's return value. */
static inline int parse_file(int (*parser)(int, const char *, const ins_ingest_sink *),
		      const char *path, collected *c)
{
	ins_ingest_sink s = collect_sink(c);
	int fd = open(path, O_RDONLY), ret;

	if (fd < 0) {
		perror(path);
		abort();
	}
	ret = parser(fd, path, &s);
	close(fd);
	return ret;
}

/* Parse an in-memory text with `parser`, through a temporary file. */
static inline int parse_text(int (*parser)(int, const char *, const ins_ingest_sink *),
		      const char *text, size_t len, collected *c)
{
	char tmpl[] = "/tmp/insight-parse-XXXXXX";
	int fd = mkstemp(tmpl), ret;
	ins_ingest_sink s = collect_sink(c);

	if (fd < 0)
		abort();
	unlink(tmpl);
	if (len && write(fd, text, len) != (ssize_t)len)
		abort();
	lseek(fd, 0, SEEK_SET);
	ret = parser(fd, "input.json", &s);
	close(fd);
	return ret;
}

#endif
