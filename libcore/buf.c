/*
 * buf.c - growable strings and allocation helpers (see buf.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "insight/buf.h"

char ins_buf__empty[1];

static void oom(size_t n)
{
	fprintf(stderr, "insight: out of memory (allocating %zu bytes)\n", n);
	abort();
}

void *ins_xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p)
		oom(n);
	return p;
}

void *ins_xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (!p)
		oom(n * size);
	return p;
}

void *ins_xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);

	if (!q)
		oom(n);
	return q;
}

char *ins_xstrdup(const char *s)
{
	return s ? ins_xstrndup(s, strlen(s)) : NULL;
}

char *ins_xstrndup(const char *s, size_t n)
{
	char *p;

	if (!s)
		return NULL;
	p = ins_xmalloc(n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

void *ins_xgrow(void *p, size_t *alloc, size_t need, size_t size)
{
	size_t n = *alloc ? *alloc : 8;

	if (need <= *alloc)
		return p;
	while (n < need) {
		if (n > ((size_t)-1) / 2 / size)
			oom(need * size);
		n *= 2;
	}
	p = ins_xrealloc(p, n * size);
	*alloc = n;
	return p;
}

void ins_buf_init(ins_buf *b)
{
	b->ptr = ins_buf__empty;
	b->len = 0;
	b->alloc = 0;
}

void ins_buf_release(ins_buf *b)
{
	if (b->alloc)
		free(b->ptr);
	ins_buf_init(b);
}

void ins_buf_grow(ins_buf *b, size_t extra)
{
	size_t need;

	if (extra > ((size_t)-1) - b->len - 1)
		oom(extra);
	need = b->len + extra + 1;
	if (need <= b->alloc)
		return;
	if (!b->alloc) {
		size_t n = need < 64 ? 64 : need;
		b->ptr = ins_xmalloc(n);
		b->ptr[0] = '\0';
		b->alloc = n;
		return;
	}
	b->ptr = ins_xgrow(b->ptr, &b->alloc, need, 1);
}

void ins_buf_clear(ins_buf *b)
{
	ins_buf_truncate(b, 0);
}

void ins_buf_truncate(ins_buf *b, size_t len)
{
	if (len >= b->len)
		return;
	b->len = len;
	if (b->alloc)
		b->ptr[len] = '\0';
}

void ins_buf_put(ins_buf *b, const void *data, size_t len)
{
	if (!len)
		return;
	ins_buf_grow(b, len);
	memmove(b->ptr + b->len, data, len);
	b->len += len;
	b->ptr[b->len] = '\0';
}

void ins_buf_puts(ins_buf *b, const char *s)
{
	if (s)
		ins_buf_put(b, s, strlen(s));
}

void ins_buf_putc(ins_buf *b, char c)
{
	ins_buf_grow(b, 1);
	b->ptr[b->len++] = c;
	b->ptr[b->len] = '\0';
}

void ins_buf_vprintf(ins_buf *b, const char *fmt, va_list ap)
{
	va_list cp;
	int n;

	ins_buf_grow(b, 64);
	va_copy(cp, ap);
	n = vsnprintf(b->ptr + b->len, b->alloc - b->len, fmt, cp);
	va_end(cp);
	if (n < 0)
		return;
	if ((size_t)n >= b->alloc - b->len) {
		ins_buf_grow(b, (size_t)n);
		va_copy(cp, ap);
		vsnprintf(b->ptr + b->len, b->alloc - b->len, fmt, cp);
		va_end(cp);
	}
	b->len += (size_t)n;
}

void ins_buf_printf(ins_buf *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ins_buf_vprintf(b, fmt, ap);
	va_end(ap);
}

void ins_buf_set(ins_buf *b, const char *s)
{
	ins_buf_clear(b);
	ins_buf_puts(b, s);
}

void ins_buf_rtrim(ins_buf *b)
{
	while (b->len && (b->ptr[b->len - 1] == ' ' || b->ptr[b->len - 1] == '\t' ||
			  b->ptr[b->len - 1] == '\n' || b->ptr[b->len - 1] == '\r'))
		b->len--;
	if (b->alloc)
		b->ptr[b->len] = '\0';
}

char *ins_buf_detach(ins_buf *b)
{
	char *p = b->alloc ? b->ptr : ins_xstrdup("");

	ins_buf_init(b);
	return p;
}
