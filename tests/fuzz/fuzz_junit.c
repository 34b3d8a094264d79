/*
 * fuzz_junit.c - fuzz target for the JUnit XML parser.
 *
 * Run it (clang with libFuzzer):
 *   cmake -S . -B build-fuzz -DCMAKE_C_COMPILER=clang -DINSIGHT_FUZZ=ON \
 *         -DCMAKE_BUILD_TYPE=RelWithDebInfo
 *   cmake --build build-fuzz --target fuzz_junit
 *   mkdir -p /tmp/fuzz-junit && build-fuzz/tests/fuzz/fuzz_junit /tmp/fuzz-junit \
 *         ../shared/conformance/junit -dict=tests/fuzz/junit.dict -max_len=65536 \
 *         -max_total_time=300
 * The ordinary build links the same entry point with replay.c instead; CTest
 * runs it over the conformance corpus as fuzz/fuzz_junit.
 *
 * The input is written to an in-memory file and parsed with a sink that
 * checks the contract every result must honour; a broken one aborts.
 */
#define _GNU_SOURCE /* memfd_create */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "insight/errors.h"
#include "insight/ingest.h"

#define MARK_LEN (sizeof("\n[truncated by insight]") - 1)

static void check(int ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "fuzz_junit: broken invariant: %s\n", what);
		abort();
	}
}

/* Every byte sequence is a complete UTF-8 character: expat hands out UTF-8. */
static void check_text(const char *s, const char *what)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n;

	if (!s)
		return;
	n = strlen(s);
	check(n <= INS_INGEST_MAX_TEXT + MARK_LEN, what);
	for (size_t i = 0; i < n;) {
		size_t k = p[i] < 0x80 ? 1 : (p[i] & 0xE0) == 0xC0 ? 2 : (p[i] & 0xF0) == 0xE0 ? 3 :
			   (p[i] & 0xF8) == 0xF0 ? 4 : 0;

		check(k && i + k <= n, what);
		for (size_t j = 1; j < k; j++)
			check((p[i + j] & 0xC0) == 0x80, what);
		i += k;
	}
}

static int on_result(void *data, const ins_result *r)
{
	check(r->nodeid && r->nodeid[0], "nodeid is set");
	check_text(r->nodeid, "nodeid is UTF-8");
	check((int)r->outcome >= 0 && (int)r->outcome < INS_OUTCOME_COUNT, "outcome in range");
	check(r->duration == -1 || (r->duration >= 0 && r->duration <= INS_INGEST_MAX_DURATION),
	      "duration unknown or sane");
	check(!(r->flags & INS_RESULT_DURATION_CLAMPED) || r->duration == -1,
	      "clamped duration is unknown");
	check(r->start_ms >= 0, "start is 0 or after 1970");
	check_text(r->file, "file");
	check_text(r->classname, "classname");
	check_text(r->name, "name");
	check(!r->message || r->message[0], "message is NULL or not empty");
	check_text(r->message, "message");
	check_text(r->detail, "detail");
	check_text(r->out, "out");
	check_text(r->err, "err");
	check(!r->nprops || r->props, "props with nprops");
	for (size_t i = 0; i < r->nprops; i++) {
		check(r->props[i].key && r->props[i].key[0] && r->props[i].value, "property set");
		check_text(r->props[i].key, "property key");
		check_text(r->props[i].value, "property value");
	}
	(*(unsigned long *)data)++;
	return 0;
}

static int on_meta(void *data, const char *key, const char *value)
{
	check(key && key[0] && value, "meta set");
	check_text(value, "meta value");
	if (!strcmp(key, "started_ms"))
		check(strtoll(value, NULL, 10) > 0, "started_ms positive");
	return 0;
}

static int on_section(void *data, const char *name, const char *text)
{
	check(name && !strncmp(name, "system-", 7), "section name");
	check(text && text[0], "section text");
	check_text(text, "section text");
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int fd = -1;
	unsigned long nresults = 0;
	ins_ingest_sink sink = { &nresults, on_meta, on_result, on_section };
	int rc;

	if (fd < 0) {
		fd = memfd_create("fuzz_junit", 0);
		check(fd >= 0, "memfd_create");
	}
	check(ftruncate(fd, 0) == 0, "ftruncate");
	check(pwrite(fd, data, size, 0) == (ssize_t)size, "pwrite");
	check(lseek(fd, 0, SEEK_SET) == 0, "lseek");
	rc = ins_ingest_junit(fd, "fuzz.xml", &sink);
	check(rc == 0 || rc == INS_EINVALID, "returns 0 or INS_EINVALID");
	if (rc) {
		const char *msg = ins_error_last();

		check(!strncmp(msg, "fuzz.xml:", 9), "message names the file");
		check(!strchr(msg, '\n'), "message is one line");
	}
	return 0;
}
