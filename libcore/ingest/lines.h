/*
 * lines.h - reading a report line by line, for the line-oriented formats
 * (go test -json, TAP).
 *
 * Private to libcore. A line is handed out without its end ("\n" or
 * "\r\n"); it stays valid until the next call. Lines longer than `max`
 * bytes are refused, so memory holds one line of bounded size at a time.
 */
#ifndef INSIGHT_INGEST_LINES_H
#define INSIGHT_INGEST_LINES_H

#include <stddef.h>

#include "insight/buf.h"
#include "insight/input.h"

typedef struct ins_lines {
	ins_input *in;
	char *buf;
	size_t start, len, alloc; /* unread bytes are buf[start..len) */
	size_t max;               /* longest line accepted */
	size_t lineno;            /* the number of the line last handed out (1-based) */
	int eof;
	int ended_without_newline; /* the last line handed out had no line end */
} ins_lines;

void ins_lines_init(ins_lines *l, ins_input *in, size_t max);

/*
 * The next line: 1 with *line and *len set, 0 at the end of the input, or a
 * negative code (the input's error, or INS_EINVALID for a line over `max`,
 * with "<display>:<line>: ..." as the message).
 */
int ins_lines_next(ins_lines *l, const char **line, size_t *len);

void ins_lines_release(ins_lines *l);

/*
 * Append s[0..n) to `b` as valid UTF-8: each byte that does not start a
 * well-formed sequence, and each NUL, becomes U+FFFD.
 */
void ins_put_utf8(ins_buf *b, const char *s, size_t n);

/* Is s[0..n) valid UTF-8 without NUL bytes? */
int ins_is_utf8(const char *s, size_t n);

#endif
