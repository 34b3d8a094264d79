/*
 * lines.c - reading a report line by line (see lines.h).
 */
#include <stdlib.h>
#include <string.h>

#include "insight/errors.h"
#include "ingest/lines.h"

#define CHUNK (64u * 1024)

void ins_lines_init(ins_lines *l, ins_input *in, size_t max)
{
	memset(l, 0, sizeof(*l));
	l->in = in;
	l->max = max;
	l->alloc = CHUNK;
	l->buf = ins_xmalloc(l->alloc);
}

void ins_lines_release(ins_lines *l)
{
	free(l->buf);
	l->buf = NULL;
}

int ins_lines_next(ins_lines *l, const char **line, size_t *len)
{
	size_t scanned = 0;

	for (;;) {
		char *nl = memchr(l->buf + l->start + scanned, '\n', l->len - l->start - scanned);
		ssize_t n;

		if (nl || (l->eof && l->len > l->start)) {
			size_t end = nl ? (size_t)(nl - l->buf) : l->len;
			size_t k = end - l->start;

			if (k > l->max)
				goto too_long;
			*line = l->buf + l->start;
			l->ended_without_newline = !nl;
			l->start = nl ? end + 1 : end;
			if (k && (*line)[k - 1] == '\r')
				k--;
			*len = k;
			l->lineno++;
			return 1;
		}
		if (l->eof)
			return 0;
		scanned = l->len - l->start;
		if (scanned > l->max)
			goto too_long;
		/* move what is left to the front, then make room for a chunk */
		if (l->start) {
			memmove(l->buf, l->buf + l->start, scanned);
			l->len = scanned;
			l->start = 0;
		}
		if (l->alloc - l->len < CHUNK) {
			l->alloc = l->alloc * 2 > l->len + CHUNK ? l->alloc * 2 : l->len + CHUNK;
			l->buf = ins_xrealloc(l->buf, l->alloc);
		}
		n = ins_input_read(l->in, l->buf + l->len, l->alloc - l->len);
		if (n < 0)
			return (int)n;
		if (n == 0)
			l->eof = 1;
		l->len += (size_t)n;
	}
too_long:
	return ins_error_set(INS_EINVALID, "%s:%zu: a line longer than %zu MiB",
			     ins_input_display(l->in), l->lineno + 1, l->max >> 20);
}

/* The length of the well-formed UTF-8 sequence at s[0..n), or 0. */
static size_t seq_len(const unsigned char *s, size_t n)
{
	unsigned c = s[0], cp;
	size_t k;

	if (c && c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf) {
		k = 1;
		cp = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		k = 2;
		cp = c & 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		k = 3;
		cp = c & 0x07;
	} else {
		return 0;
	}
	if (n - 1 < k)
		return 0;
	for (size_t i = 1; i <= k; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((k == 2 && cp < 0x800) || (k == 3 && cp < 0x10000) || (cp >= 0xd800 && cp <= 0xdfff) ||
	    cp > 0x10ffff)
		return 0;
	return k + 1;
}

void ins_put_utf8(ins_buf *b, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, run = 0;

	while (i < n) {
		size_t k = seq_len(p + i, n - i);

		if (k) {
			i += k;
			continue;
		}
		ins_buf_put(b, s + run, i - run);
		ins_buf_puts(b, "\xef\xbf\xbd");
		run = ++i;
	}
	ins_buf_put(b, s + run, n - run);
}

int ins_is_utf8(const char *s, size_t n)
{
	for (size_t i = 0, k; i < n; i += k)
		if (!(k = seq_len((const unsigned char *)s + i, n - i)))
			return 0;
	return 1;
}
