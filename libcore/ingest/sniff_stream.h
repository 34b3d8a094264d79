/*
 * sniff_stream.h - telling the other tools' own formats from their first
 * bytes: go test -json, TAP, Mocha JSON, Jest JSON and Allure results.
 *
 * Private to libcore; ins_format_sniff() (sniff.c) asks it before giving up,
 * and the parsers' descriptor entry points of both files share one body.
 */
#ifndef INSIGHT_INGEST_SNIFF_STREAM_H
#define INSIGHT_INGEST_SNIFF_STREAM_H

#include <stddef.h>

#include "insight/ingest.h"

/*
 * `s[0..n)` starts at the first byte that is not white space. Returns 0 and
 * sets *out when it is one of the formats above, else -1.
 */
int ins_format_sniff_stream(const char *s, size_t n, ins_format *out);

/*
 * Parse the report open on `fd` with `parse`, named `display` in messages:
 * the body of every ins_ingest_FORMAT(fd, ...). The descriptor stays open.
 */
int ins_ingest__over_fd(int (*parse)(ins_input *, const ins_ingest_sink *), int fd,
			const char *display, const ins_ingest_sink *sink);

/* Is the JSON in s[0..n) an Allure container (a companion of results, not a report)? */
int ins_allure_is_container(const char *s, size_t n);

#endif
