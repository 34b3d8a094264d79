/*
 * jsonin.c - input checks and value access for the JSON report parsers (see jsonin.h).
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "insight/errors.h"
#include "insight/ingest.h"
#include "ingest/jsonin.h"

int ins_jsonin_check(const char *p, size_t len, const char **why, size_t *off)
{
	const unsigned char *s = (const unsigned char *)p;
	int in_str = 0, esc = 0;
	size_t depth = 0, i;

	for (i = 0; i < len; i++) {
		unsigned c = s[i];

		if (c == 0) {
			*why = "NUL byte";
			*off = i;
			return -1;
		}
		if (c >= 0x80) {
			size_t n;
			unsigned cp;

			if (c >= 0xc2 && c <= 0xdf) {
				n = 1;
				cp = c & 0x1f;
			} else if (c >= 0xe0 && c <= 0xef) {
				n = 2;
				cp = c & 0x0f;
			} else if (c >= 0xf0 && c <= 0xf4) {
				n = 3;
				cp = c & 0x07;
			} else {
				goto bad_utf8;
			}
			if (len - i - 1 < n)
				goto bad_utf8;
			for (size_t k = 1; k <= n; k++) {
				if ((s[i + k] & 0xc0) != 0x80)
					goto bad_utf8;
				cp = cp << 6 | (s[i + k] & 0x3f);
			}
			/* overlong forms, surrogates and values past U+10FFFF */
			if ((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
			    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
				goto bad_utf8;
			i += n;
			esc = 0;
			continue;
		}
		if (in_str) {
			if (esc)
				esc = 0;
			else if (c == '\\')
				esc = 1;
			else if (c == '"')
				in_str = 0;
			continue;
		}
		if (c == '"') {
			in_str = 1;
		} else if (c == '[' || c == '{') {
			if (++depth > INS_INGEST_MAX_DEPTH) {
				*why = "nested too deeply";
				*off = i;
				return -1;
			}
		} else if ((c == ']' || c == '}') && depth) {
			depth--;
		}
	}
	return 0;

bad_utf8:
	*off = i;
	*why = "invalid UTF-8";
	return -1;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* The code unit of a "\uXXXX" escape starting at p[0] == '\\', or -1. */
static long escape_unit(const char *p, size_t left)
{
	long v = 0;

	if (left < 6 || p[0] != '\\' || p[1] != 'u')
		return -1;
	for (int k = 2; k < 6; k++) {
		int h = hexval(p[k]);

		if (h < 0)
			return -1;
		v = v << 4 | h;
	}
	return v;
}

void ins_jsonin_fix_surrogates(char *p, size_t len)
{
	int in_str = 0;

	for (size_t i = 0; i < len; i++) {
		long u;

		if (!in_str) {
			if (p[i] == '"')
				in_str = 1;
			continue;
		}
		if (p[i] == '"') {
			in_str = 0;
			continue;
		}
		if (p[i] != '\\')
			continue;
		u = escape_unit(p + i, len - i);
		if (u < 0) {
			i++; /* skip the escaped character */
			continue;
		}
		if (u >= 0xd800 && u <= 0xdbff) {
			long lo = escape_unit(p + i + 6, len - i - 6);

			if (lo >= 0xdc00 && lo <= 0xdfff) {
				i += 11; /* a proper pair */
				continue;
			}
		}
		if (u >= 0xd800 && u <= 0xdfff)
			memcpy(p + i, "\\ufffd", 6);
		i += 5;
	}
}

const char *ins_jsonin_str(const cJSON *obj, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

int ins_jsonin_num(const cJSON *obj, const char *key, double *out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

	if (!cJSON_IsNumber(v))
		return -1;
	*out = v->valuedouble;
	return 0;
}

void ins_jsonin_text(ins_buf *out, const cJSON *v)
{
	char *s;

	if (!v || cJSON_IsNull(v))
		return;
	if (cJSON_IsString(v)) {
		ins_buf_puts(out, v->valuestring);
		return;
	}
	s = cJSON_PrintUnformatted(v);
	if (!s)
		return;
	ins_buf_puts(out, s);
	cJSON_free(s);
}

int ins_jsonin_cap(ins_buf *b)
{
	size_t keep = INS_INGEST_MAX_TEXT, dropped;

	if (b->len <= keep)
		return 0;
	while (keep && ((unsigned char)b->ptr[keep] & 0xc0) == 0x80)
		keep--;
	dropped = b->len - keep;
	ins_buf_truncate(b, keep);
	ins_buf_printf(b, "\n[insight: %zu more bytes were cut]", dropped);
	return 1;
}

int ins_jsonin_read_input(ins_buf *out, ins_input *in, size_t max)
{
	const char *display = ins_input_display(in);

	for (;;) {
		ssize_t n;

		ins_buf_grow(out, 65536);
		n = ins_input_read(in, out->ptr + out->len, out->alloc - out->len - 1);
		if (n < 0)
			return (int)n;
		if (n == 0)
			break;
		out->len += (size_t)n;
		out->ptr[out->len] = '\0';
		if (out->len > max)
			return ins_error_set(INS_EINVALID, "%s: larger than %zu MiB, too large a report",
					     display, max >> 20);
	}
	return 0;
}

int64_t ins_jsonin_epoch_s_to_ms(double s)
{
	/* 7258118400 = 2200-01-01; later or earlier times are not real */
	if (!(s > 0 && s < 7258118400.0))
		return 0;
	return (int64_t)(s * 1000.0 + 0.5);
}
