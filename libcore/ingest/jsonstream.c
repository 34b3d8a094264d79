/*
 * jsonstream.c - one JSON document read as a stream (see jsonstream.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yajl/yajl_parse.h>

#include "insight/buf.h"
#include "insight/errors.h"
#include "insight/ingest.h"
#include "ingest/jsonstream.h"

#define CHUNK (64u * 1024)

/* Raw control characters inside strings become \u00XX escapes (see jsonstream.h). */
typedef struct ctl_filter {
	int in_string, escaped;
} ctl_filter;

/* Filter n bytes from `in` into `out` (room for 6n); returns the bytes written. */
static size_t ctl_filter_run(ctl_filter *f, const char *in, size_t n, char *out)
{
	char *o = out;

	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)in[i];

		if (!f->in_string) {
			f->in_string = c == '"';
		} else if (f->escaped) {
			f->escaped = 0;
		} else if (c == '\\') {
			f->escaped = 1;
		} else if (c == '"') {
			f->in_string = 0;
		} else if (c < 0x20) {
			o += sprintf(o, "\\u%04x", c);
			continue;
		}
		*o++ = (char)c;
	}
	return (size_t)(o - out);
}

typedef struct builder {
	const struct ins_jstream_ops *ops;
	const char *display;
	cJSON *stack[INS_INGEST_MAX_DEPTH + 2];
	char *keys[INS_INGEST_MAX_DEPTH + 2]; /* the key each open container has in its parent */
	int streamed[INS_INGEST_MAX_DEPTH + 2]; /* the container at this depth is streamed */
	size_t index[INS_INGEST_MAX_DEPTH + 2];
	int depth;
	char *key;             /* the key of the next value in an object */
	cJSON *root;
	int rc;                /* item()'s value, or a depth error */
} builder;

/* Put a finished value in its place: in its parent, or to item(). */
static int put(builder *b, cJSON *v)
{
	cJSON *parent;

	if (b->depth == 0) {
		if (b->root)
			cJSON_Delete(b->root);
		b->root = v;
		return 1;
	}
	parent = b->stack[b->depth - 1];
	if (b->streamed[b->depth - 1]) {
		b->rc = b->ops->item(b->ops->data, (const char *const *)b->keys + 1, b->depth - 1,
				     b->index[b->depth - 1]++, v);
		cJSON_Delete(v);
		free(b->key);
		b->key = NULL;
		return b->rc ? 0 : 1;
	}
	if (cJSON_IsObject(parent)) {
		cJSON_AddItemToObject(parent, b->key ? b->key : "", v);
		free(b->key);
		b->key = NULL;
	} else {
		cJSON_AddItemToArray(parent, v);
	}
	return 1;
}

static int open_container(builder *b, cJSON *v)
{
	if (b->depth > INS_INGEST_MAX_DEPTH) {
		cJSON_Delete(v);
		b->rc = ins_error_set(INS_EINVALID, "%s: invalid JSON: nested too deeply", b->display);
		return 0;
	}
	b->keys[b->depth] = b->key;
	b->key = NULL;
	b->streamed[b->depth] = 0;
	b->index[b->depth] = 0;
	/* keys[1..depth] lead to this container from the root */
	if (cJSON_IsArray(v) && b->ops->stream &&
	    b->ops->stream(b->ops->data, (const char *const *)b->keys + 1, b->depth))
		b->streamed[b->depth] = 1;
	b->stack[b->depth++] = v;
	return 1;
}

static int close_container(builder *b)
{
	cJSON *v = b->stack[--b->depth];

	b->streamed[b->depth] = 0;
	free(b->key);
	b->key = b->keys[b->depth];
	b->keys[b->depth] = NULL;
	return put(b, v);
}

static int y_null(void *ctx)
{
	return put(ctx, cJSON_CreateNull());
}

static int y_bool(void *ctx, int v)
{
	return put(ctx, cJSON_CreateBool(v));
}

static int y_number(void *ctx, const char *s, size_t len)
{
	char buf[64];

	if (len >= sizeof(buf))
		len = sizeof(buf) - 1;
	memcpy(buf, s, len);
	buf[len] = '\0';
	return put(ctx, cJSON_CreateNumber(strtod(buf, NULL)));
}

static int y_string(void *ctx, const unsigned char *s, size_t len)
{
	cJSON *v = cJSON_CreateString("");
	char *copy = ins_xmalloc(len + 1);

	memcpy(copy, s, len);
	copy[len] = '\0';
	cJSON_free(v->valuestring);
	v->valuestring = copy;
	return put(ctx, v);
}

static int y_start_map(void *ctx)
{
	return open_container(ctx, cJSON_CreateObject());
}

static int y_key(void *ctx, const unsigned char *s, size_t len)
{
	builder *b = ctx;

	free(b->key);
	b->key = ins_xmalloc(len + 1);
	memcpy(b->key, s, len);
	b->key[len] = '\0';
	return 1;
}

static int y_end(void *ctx)
{
	return close_container(ctx);
}

static int y_start_array(void *ctx)
{
	return open_container(ctx, cJSON_CreateArray());
}

static const yajl_callbacks callbacks = {
	y_null, y_bool, NULL, NULL, y_number, y_string,
	y_start_map, y_key, y_end, y_start_array, y_end,
};

static void builder_release(builder *b)
{
	/* the open containers are not in their parents yet */
	while (b->depth > 0) {
		b->depth--;
		cJSON_Delete(b->stack[b->depth]);
		free(b->keys[b->depth]);
	}
	free(b->key);
	cJSON_Delete(b->root);
}

int ins_jstream_parse(ins_input *in, const char *what, const struct ins_jstream_ops *ops,
		      cJSON **root)
{
	builder *b = ins_xcalloc(1, sizeof(*b));
	yajl_handle h;
	ctl_filter cf = { 0, 0 };
	char *buf = ins_xmalloc(CHUNK), *esc = ins_xmalloc(6 * CHUNK);
	size_t line = 1, total = 0;
	int ret = 0, first = 1, last_closer = 0;

	*root = NULL;
	b->ops = ops;
	b->display = ins_input_display(in);
	h = yajl_alloc(&callbacks, NULL, b);
	yajl_config(h, yajl_allow_comments, 0);
	for (;;) {
		ssize_t n = ins_input_read(in, buf, CHUNK);
		const char *p = buf;
		yajl_status ys;

		if (n < 0) {
			ret = (int)n;
			goto done;
		}
		if (n == 0) {
			ys = yajl_complete_parse(h);
			if (ys != yajl_status_ok || !b->root) {
				if (b->rc)
					ret = b->rc;
				else if (!total)
					ret = ins_error_set(INS_EINVALID, "%s: empty file; not %s",
							    b->display, what);
				else
					ret = ins_error_set(INS_EINVALID, "%s:%zu: invalid JSON%s",
							    b->display, line,
							    !last_closer ? " (cut short?)" : "");
				goto done;
			}
			break;
		}
		if (first && n >= 3 && !memcmp(buf, "\xef\xbb\xbf", 3)) {
			p += 3;
			n -= 3;
		}
		first = 0;
		n = (ssize_t)ctl_filter_run(&cf, p, (size_t)n, esc);
		p = esc;
		ys = yajl_parse(h, (const unsigned char *)p, (size_t)n);
		if (ys != yajl_status_ok) {
			size_t used = yajl_get_bytes_consumed(h);
			unsigned char *msg;

			if (b->rc) {
				ret = b->rc;
				goto done;
			}
			for (size_t i = 0; i < used && i < (size_t)n; i++)
				line += p[i] == '\n';
			msg = yajl_get_error(h, 0, NULL, 0);
			ret = ins_error_set(INS_EINVALID, "%s:%zu: %s", b->display, line,
					    msg && strstr((const char *)msg, "UTF8") ?
					    "invalid UTF-8" : "invalid JSON");
			yajl_free_error(h, msg);
			goto done;
		}
		for (ssize_t i = 0; i < n; i++) {
			line += p[i] == '\n';
			if (!strchr(" \t\r\n", p[i]))
				last_closer = p[i] == '}' || p[i] == ']';
		}
		total += (size_t)n;
	}
	*root = b->root;
	b->root = NULL;
done:
	yajl_free(h);
	builder_release(b);
	free(b);
	free(buf);
	free(esc);
	return ret;
}

void ins_jstream_relpath(ins_buf *out, const char *path, const char *cwd)
{
	size_t n = cwd ? strlen(cwd) : 0;

	ins_buf_clear(out);
	if (path[0] == '/' && n > 1 && !strncmp(path, cwd, n) && path[n] == '/' && path[n + 1])
		path += n + 1;
	ins_buf_puts(out, path);
}

void ins_jstream_put_plain(ins_buf *out, const char *s)
{
	while (*s) {
		if (s[0] == '\x1b' && s[1] == '[') {
			const char *e = s + 2;

			while (*e && ((*e >= '0' && *e <= '9') || *e == ';' || *e == '?'))
				e++;
			if (*e >= '@' && *e <= '~') {
				s = e + 1;
				continue;
			}
		}
		ins_buf_putc(out, *s++);
	}
}

void ins_jstream_first_line(ins_buf *out, const char *s)
{
	ins_buf_clear(out);
	if (!s)
		return;
	for (;;) {
		const char *nl;

		while (*s == ' ' || *s == '\t' || *s == '\r')
			s++;
		nl = strchr(s, '\n');
		if (!nl) {
			ins_buf_puts(out, s);
			break;
		}
		if (nl > s) {
			ins_buf_put(out, s, (size_t)(nl - s));
			break;
		}
		s = nl + 1;
	}
	ins_buf_rtrim(out);
}
