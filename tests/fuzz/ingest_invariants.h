/*
 * ingest_invariants.h - what every report parser promises its sink, checked
 * by the fuzz targets of the JSON parsers. A broken promise aborts, which
 * libFuzzer (and the replay driver) report as a crash.
 */
#ifndef INSIGHT_FUZZ_INGEST_INVARIANTS_H
#define INSIGHT_FUZZ_INGEST_INVARIANTS_H

#define _GNU_SOURCE /* memfd_create */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "insight/errors.h"
#include "insight/ingest.h"

/* room for the note a cut text ends with */
#define FUZZ_NOTE_ROOM 64

static void fuzz_check(int ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "broken invariant: %s\n", what);
		abort();
	}
}

/* NULL, or valid UTF-8 no longer than the text limit allows. */
static void fuzz_check_text(const char *s, const char *what)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n;

	if (!s)
		return;
	n = strlen(s);
	fuzz_check(n <= INS_INGEST_MAX_TEXT + FUZZ_NOTE_ROOM, what);
	for (size_t i = 0; i < n;) {
		size_t k = p[i] < 0x80 ? 1 : (p[i] & 0xE0) == 0xC0 ? 2 : (p[i] & 0xF0) == 0xE0 ? 3 :
			   (p[i] & 0xF8) == 0xF0 ? 4 : 0;

		fuzz_check(k && i + k <= n, what);
		for (size_t j = 1; j < k; j++)
			fuzz_check((p[i + j] & 0xC0) == 0x80, what);
		i += k;
	}
}

static int fuzz_on_meta(void *data, const char *key, const char *value)
{
	(void)data;
	fuzz_check(key && *key && value, "meta key and value");
	fuzz_check_text(key, "meta key is UTF-8");
	fuzz_check_text(value, "meta value is UTF-8");
	if (!strcmp(key, "started_ms") || !strcmp(key, "finished_ms")) {
		char *end;
		long long v = strtoll(value, &end, 10);

		fuzz_check(!*end && v > 0, "times are positive epoch ms");
	}
	return 0;
}

static int fuzz_on_result(void *data, const ins_result *r)
{
	(void)data;
	fuzz_check(r->nodeid && *r->nodeid, "a result has a node id");
	fuzz_check_text(r->nodeid, "node id");
	fuzz_check_text(r->file, "file");
	fuzz_check_text(r->classname, "classname");
	fuzz_check_text(r->name, "name");
	fuzz_check((unsigned)r->outcome < INS_OUTCOME_COUNT, "outcome in range");
	fuzz_check(r->duration < 0 || r->duration <= INS_INGEST_MAX_DURATION, "duration sane");
	fuzz_check(r->start_ms >= 0, "start_ms not negative");
	fuzz_check_text(r->message, "message");
	fuzz_check_text(r->detail, "detail");
	fuzz_check_text(r->out, "out");
	fuzz_check_text(r->err, "err");
	fuzz_check_text(r->log, "log");
	fuzz_check(!r->nprops || r->props, "props present when counted");
	for (size_t i = 0; i < r->nprops; i++) {
		fuzz_check(r->props[i].key && r->props[i].value, "property key and value");
		fuzz_check_text(r->props[i].key, "property key");
		fuzz_check_text(r->props[i].value, "property value");
	}
	return 0;
}

static int fuzz_on_section(void *data, const char *name, const char *text)
{
	(void)data;
	fuzz_check(name && text, "section name and text");
	fuzz_check_text(name, "section name");
	fuzz_check_text(text, "section text");
	return 0;
}

/* Run `parser` over data[0..size) through an in-memory file; check its result. */
static void fuzz_parse(int (*parser)(int, const char *, const ins_ingest_sink *),
		       const uint8_t *data, size_t size)
{
	ins_ingest_sink sink = { NULL, fuzz_on_meta, fuzz_on_result, fuzz_on_section };
	int fd = memfd_create("fuzz-report", MFD_CLOEXEC), rc;
	size_t off = 0;

	fuzz_check(fd >= 0, "memfd_create");
	while (off < size) {
		ssize_t n = write(fd, data + off, size - off);

		fuzz_check(n > 0, "write to the memfd");
		off += (size_t)n;
	}
	fuzz_check(lseek(fd, 0, SEEK_SET) == 0, "rewind the memfd");
	ins_error_clear();
	rc = parser(fd, "fuzz-input", &sink);
	fuzz_check(rc == 0 || rc == INS_EINVALID, "the parser succeeds or says the input is invalid");
	if (rc)
		fuzz_check(!strncmp(ins_error_last(), "fuzz-input", 10),
			   "an error message names the file");
	close(fd);
}

#endif
