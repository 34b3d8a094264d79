/*
 * buf.h - the growable string buffer used wherever libcore builds text.
 *
 * Modelled on git's strbuf: `ptr` is never NULL and is always
 * NUL-terminated, so a buffer can be handed to any C string function at any
 * time. A buffer initialised with INS_BUF_INIT or ins_buf_init() owns no
 * memory until something is added.
 *
 * Allocation failure aborts the process (like git's xmalloc): insight has no
 * useful way to continue without memory, and every caller is simpler for it.
 */
#ifndef INSIGHT_BUF_H
#define INSIGHT_BUF_H

#include <stdarg.h>
#include <stddef.h>

typedef struct ins_buf {
	char *ptr;    /* the text, NUL-terminated, never NULL */
	size_t len;   /* bytes used, not counting the NUL */
	size_t alloc; /* bytes allocated, 0 while ptr points at the shared empty string */
} ins_buf;

extern char ins_buf__empty[];
#define INS_BUF_INIT { ins_buf__empty, 0, 0 }

void ins_buf_init(ins_buf *b);          /* no allocation */
void ins_buf_release(ins_buf *b);       /* frees the contents; b is reusable */
void ins_buf_grow(ins_buf *b, size_t extra);
void ins_buf_clear(ins_buf *b);         /* len = 0, keeps the allocation */
void ins_buf_truncate(ins_buf *b, size_t len);
void ins_buf_put(ins_buf *b, const void *data, size_t len);
void ins_buf_puts(ins_buf *b, const char *s);
void ins_buf_putc(ins_buf *b, char c);
void ins_buf_printf(ins_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void ins_buf_vprintf(ins_buf *b, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
void ins_buf_set(ins_buf *b, const char *s); /* replace the contents */
void ins_buf_rtrim(ins_buf *b);              /* drop trailing white space */

/* Hand over the contents: the caller owns (and frees) the returned string. */
char *ins_buf_detach(ins_buf *b);

/* Allocation helpers that abort on failure. */
void *ins_xmalloc(size_t n);
void *ins_xcalloc(size_t n, size_t size);
void *ins_xrealloc(void *p, size_t n);
char *ins_xstrdup(const char *s);              /* NULL in, NULL out */
char *ins_xstrndup(const char *s, size_t n);
/* Grow an array to hold at least `need` items of `size` bytes; doubles. */
void *ins_xgrow(void *p, size_t *alloc, size_t need, size_t size);

#endif
