/*
 * text.c - UTF-8, display width, escaping and value text for the formatters
 * (see text.h).
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "insight/timeutil.h"
#include "text.h"
#include "width_table.h"

size_t ins_utf8_decode(const char *str, size_t len, uint32_t *cp)
{
	const unsigned char *s = (const unsigned char *)str;
	uint32_t c, min;
	size_t n;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if (s[0] >= 0xC2 && s[0] <= 0xDF) {
		n = 2, c = s[0] & 0x1F, min = 0x80;
	} else if (s[0] >= 0xE0 && s[0] <= 0xEF) {
		n = 3, c = s[0] & 0x0F, min = 0x800;
	} else if (s[0] >= 0xF0 && s[0] <= 0xF4) {
		n = 4, c = s[0] & 0x07, min = 0x10000;
	} else {
		goto bad;
	}
	if (len < n)
		goto bad;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xC0) != 0x80)
			goto bad;
		c = (c << 6) | (s[i] & 0x3F);
	}
	if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
		goto bad;
	*cp = c;
	return n;
bad:
	*cp = INS_UTF8_REPLACEMENT;
	return 1;
}

void ins_utf8_put(ins_buf *b, uint32_t cp)
{
	char u[4];

	if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
		cp = INS_UTF8_REPLACEMENT;
	if (cp < 0x80) {
		ins_buf_putc(b, (char)cp);
	} else if (cp < 0x800) {
		u[0] = (char)(0xC0 | (cp >> 6));
		u[1] = (char)(0x80 | (cp & 0x3F));
		ins_buf_put(b, u, 2);
	} else if (cp < 0x10000) {
		u[0] = (char)(0xE0 | (cp >> 12));
		u[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		u[2] = (char)(0x80 | (cp & 0x3F));
		ins_buf_put(b, u, 3);
	} else {
		u[0] = (char)(0xF0 | (cp >> 18));
		u[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
		u[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
		u[3] = (char)(0x80 | (cp & 0x3F));
		ins_buf_put(b, u, 4);
	}
}

void ins_utf8_sanitize(ins_buf *b, const char *s, size_t len)
{
	size_t i = 0;

	while (i < len) {
		size_t start = i;
		uint32_t cp;

		/* Copy valid runs whole; only bad bytes are rewritten. */
		while (i < len) {
			size_t n = ins_utf8_decode(s + i, len - i, &cp);

			if (cp == INS_UTF8_REPLACEMENT && n == 1)
				break;
			i += n;
		}
		ins_buf_put(b, s + start, i - start);
		if (i < len) {
			ins_utf8_put(b, INS_UTF8_REPLACEMENT);
			i++;
		}
	}
}

static int in_table(uint32_t cp, const struct ins_width_range *t, size_t n)
{
	size_t lo = 0, hi = n;

	if (cp < t[0].lo || cp > t[n - 1].hi)
		return 0;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (cp > t[mid].hi)
			lo = mid + 1;
		else if (cp < t[mid].lo)
			hi = mid;
		else
			return 1;
	}
	return 0;
}

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

int ins_cp_is_control(uint32_t cp)
{
	return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) || cp == 0x2028 || cp == 0x2029 ||
	       (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069);
}

int ins_cp_width(uint32_t cp)
{
	if (cp < 0x20 || (cp >= 0x7F && cp <= 0x9F))
		return 0;
	if (cp < 0x300)
		return 1;
	if (in_table(cp, ins_width_zero, NELEM(ins_width_zero)))
		return 0;
	if (in_table(cp, ins_width_wide, NELEM(ins_width_wide)))
		return 2;
	return 1;
}

size_t ins_text_width(const char *s)
{
	size_t len = strlen(s), i = 0, w = 0;

	while (i < len) {
		uint32_t cp;

		i += ins_utf8_decode(s + i, len - i, &cp);
		w += (size_t)ins_cp_width(cp);
	}
	return w;
}

void ins_text_escape(ins_buf *b, const char *s, size_t len, unsigned flags)
{
	size_t i = 0, col = 0;

	while (i < len) {
		uint32_t cp;
		size_t n = ins_utf8_decode(s + i, len - i, &cp);

		if (!ins_cp_is_control(cp)) {
			if (cp == INS_UTF8_REPLACEMENT && n == 1)
				ins_utf8_put(b, cp);
			else
				ins_buf_put(b, s + i, n);
			col += (size_t)ins_cp_width(cp);
			i += n;
			continue;
		}
		i += n;
		if ((flags & INS_ESC_KEEP_WS) && (cp == '\t' || cp == '\n' || cp == '\r')) {
			ins_buf_putc(b, (char)cp);
			col = cp == '\t' ? col + 1 : 0;
		} else if (cp == '\n' && (flags & INS_ESC_KEEP_NL)) {
			ins_buf_putc(b, '\n');
			col = 0;
		} else if (cp == '\r' && (flags & INS_ESC_KEEP_NL) && i < len && s[i] == '\n') {
			/* The CR of a CRLF line end: the LF alone ends the line. */
		} else if (cp == '\t' && (flags & INS_ESC_EXPAND_TAB)) {
			size_t to = (col / 8 + 1) * 8;

			ins_text_spaces(b, to - col);
			col = to;
		} else if (cp == '\t') {
			ins_buf_puts(b, "\\t"), col += 2;
		} else if (cp == '\n') {
			ins_buf_puts(b, "\\n"), col += 2;
		} else if (cp == '\r') {
			ins_buf_puts(b, "\\r"), col += 2;
		} else if (cp < 0x80) {
			ins_buf_printf(b, "\\x%02x", (unsigned)cp), col += 4;
		} else {
			ins_buf_printf(b, "\\u%04x", (unsigned)cp), col += 6;
		}
	}
}

/*
 * The two-character escape of `cp` in a JSON string; NULL when it has none
 * (written raw, or as \u). The embedded data of an HTML page writes \b, \f
 * and \r as \u escapes, as it does every other control character.
 */
static const char *json_escape(uint32_t cp, int in_script)
{
	switch (cp) {
	case '"': return "\\\"";
	case '\\': return "\\\\";
	case '\n': return "\\n";
	case '\t': return "\\t";
	case '\r': return in_script ? NULL : "\\r";
	case '\b': return in_script ? NULL : "\\b";
	case '\f': return in_script ? NULL : "\\f";
	default: return NULL;
	}
}

void ins_json_string(ins_buf *b, const char *s, int in_script)
{
	size_t len = strlen(s), i = 0;

	ins_buf_putc(b, '"');
	while (i < len) {
		uint32_t cp;
		size_t n = ins_utf8_decode(s + i, len - i, &cp);
		const char *esc = json_escape(cp, in_script);

		if (esc)
			ins_buf_puts(b, esc);
		else if (cp < 0x20 || cp == 0x7F || cp == 0x2028 || cp == 0x2029 ||
			 (in_script && (cp == '<' || cp == '>' || cp == '&')))
			ins_buf_printf(b, "\\u%04x", (unsigned)cp);
		else if (cp == INS_UTF8_REPLACEMENT && n == 1)
			ins_utf8_put(b, cp);
		else
			ins_buf_put(b, s + i, n);
		i += n;
	}
	ins_buf_putc(b, '"');
}

size_t ins_text_fit(ins_buf *b, const char *s, size_t width)
{
	size_t len = strlen(s), i = 0, w = 0, cut = 0, cut_w = 0;
	size_t total = ins_text_width(s);

	if (total <= width) {
		ins_buf_put(b, s, len);
		return total;
	}
	if (!width)
		return 0;
	/* Keep what fits in width - 1 columns, then the ellipsis. */
	while (i < len) {
		uint32_t cp;
		size_t n = ins_utf8_decode(s + i, len - i, &cp);
		size_t cw = (size_t)ins_cp_width(cp);

		if (w + cw > width - 1)
			break;
		w += cw;
		i += n;
		cut = i;
		cut_w = w;
	}
	ins_buf_put(b, s, cut);
	ins_buf_puts(b, "…");
	return cut_w + 1;
}

size_t ins_text_take(const char *s, size_t width)
{
	size_t len = strlen(s), i = 0, w = 0;

	while (i < len) {
		uint32_t cp;
		size_t n = ins_utf8_decode(s + i, len - i, &cp);
		size_t cw = (size_t)ins_cp_width(cp);

		if (i && w + cw > width)
			break;
		w += cw;
		i += n;
	}
	return i;
}

static int name_separator(char c)
{
	return c == '/' || c == ':' || c == '.' || c == '\\';
}

size_t ins_text_common_prefix(const char *const *s, size_t n)
{
	size_t len, cut = 0;

	if (!n)
		return 0;
	len = strlen(s[0]);
	for (size_t k = 1; k < n; k++) {
		size_t i = 0;

		while (i < len && s[k][i] == s[0][i])
			i++;
		len = i;
	}
	/*
	 * Back to the last separator, never inside a test's parameters (after
	 * '['), and never the whole of a string.
	 */
	for (size_t i = 0; i < len && s[0][i] != '['; i++) {
		int whole = 0;

		if (!name_separator(s[0][i]))
			continue;
		for (size_t k = 0; k < n && !whole; k++)
			whole = s[k][i + 1] == '\0';
		if (!whole)
			cut = i + 1;
	}
	return cut;
}

static int word_char(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       c == '_' || c == '-' || c == '.' || c == '/' || c == ':' || (unsigned char)c >= 0x80;
}

int ins_fact_echoes(const ins_fact *f, const char *title)
{
	const char *v = f->value.s, *p;
	size_t len;

	if (!title || !v || (f->value.type != INS_V_TEXT && f->value.type != INS_V_ID))
		return 0;
	len = strlen(v);
	if (len < 2)
		return 0;
	for (p = strstr(title, v); p; p = strstr(p + 1, v)) {
		int before = p > title && word_char(p[-1]) && word_char(v[0]);
		int after = p[len] && word_char(p[len]) && word_char(v[len - 1]);

		/* a trailing ':' or '.' ends a sentence, not the word */
		if (after && (p[len] == ':' || p[len] == '.') && !word_char(p[len + 1]))
			after = 0;
		if (!before && !after)
			return 1;
	}
	return 0;
}

int ins_title_same(const char *a, const char *b)
{
	if (!a || !b)
		return 0;
	while (*a && *b) {
		char x = *a >= 'A' && *a <= 'Z' ? (char)(*a - 'A' + 'a') : *a;
		char y = *b >= 'A' && *b <= 'Z' ? (char)(*b - 'A' + 'a') : *b;

		if (x != y)
			return 0;
		a++;
		b++;
	}
	return *a == *b;
}

void ins_text_spaces(ins_buf *b, size_t n)
{
	ins_buf_grow(b, n);
	memset(b->ptr + b->len, ' ', n);
	b->len += n;
	b->ptr[b->len] = '\0';
}

void ins_text_spark(ins_buf *b, const double *v, size_t n)
{
	static const char *const bars[] = { "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█" };
	double lo = INFINITY, hi = -INFINITY;

	for (size_t i = 0; i < n; i++) {
		if (isfinite(v[i])) {
			lo = v[i] < lo ? v[i] : lo;
			hi = v[i] > hi ? v[i] : hi;
		}
	}
	for (size_t i = 0; i < n; i++) {
		int level;

		if (!isfinite(v[i])) {
			ins_buf_putc(b, ' ');
			continue;
		}
		/* A flat line sits in the middle: neither "all good" nor "all bad". */
		if (hi - lo <= 0)
			level = 3;
		else
			level = (int)lround((v[i] - lo) / (hi - lo) * 7.0);
		ins_buf_puts(b, bars[level < 0 ? 0 : level > 7 ? 7 : level]);
	}
}

int ins_vtype_is_numeric(ins_vtype t)
{
	return t == INS_V_INT || t == INS_V_REAL || t == INS_V_PERCENT || t == INS_V_DURATION ||
	       t == INS_V_POINTS || t == INS_V_DURATION_DELTA;
}

const char *ins_vtype_name(ins_vtype t)
{
	static const char *const names[] = {
		"null", "text", "longtext", "int", "real", "percent", "duration", "time",
		"bool", "outcome", "id", "spark", "points", "duration_delta",
	};

	return (unsigned)t < NELEM(names) ? names[t] : "null";
}

void ins_number_text(ins_buf *b, double d)
{
	char tmp[64];
	size_t n;

	if (!isfinite(d)) {
		ins_buf_puts(b, "-");
		return;
	}
	if (d == floor(d) && fabs(d) < 1e15) {
		ins_buf_printf(b, "%.0f", d);
		return;
	}
	/* Two decimals for ordinary numbers, three significant digits for small ones. */
	if (fabs(d) >= 1)
		snprintf(tmp, sizeof(tmp), "%.2f", d);
	else
		snprintf(tmp, sizeof(tmp), "%.3g", d);
	if (strchr(tmp, '.') && !strchr(tmp, 'e')) {
		n = strlen(tmp);
		while (n && tmp[n - 1] == '0')
			tmp[--n] = '\0';
		if (n && tmp[n - 1] == '.')
			tmp[--n] = '\0';
	}
	ins_buf_puts(b, tmp);
}

void ins_percent_text(ins_buf *b, double ratio)
{
	char tmp[64];
	size_t n;

	if (!isfinite(ratio)) {
		ins_buf_puts(b, "-");
		return;
	}
	snprintf(tmp, sizeof(tmp), "%.1f", ratio * 100.0);
	/* Never round a gate's answer to a value it did not reach. */
	if (ratio > 0 && !strcmp(tmp, "0.0")) {
		ins_buf_puts(b, "<0.1%");
		return;
	}
	if (ratio < 1 && !strcmp(tmp, "100.0")) {
		ins_buf_puts(b, ">99.9%");
		return;
	}
	n = strlen(tmp);
	if (n > 2 && !strcmp(tmp + n - 2, ".0"))
		tmp[n - 2] = '\0';
	ins_buf_printf(b, "%s%%", tmp);
}

void ins_series_value_text(ins_buf *b, ins_vtype type, double y, const char *none)
{
	if (!isfinite(y))
		ins_buf_puts(b, none);
	else if (type == INS_V_PERCENT)
		ins_percent_text(b, y);
	else if (type == INS_V_DURATION)
		ins_duration_format(b, y);
	else
		ins_number_text(b, y);
}

void ins_value_text(ins_buf *b, const ins_value *v, unsigned flags)
{
	switch (v->type) {
	case INS_V_NULL:
		ins_buf_puts(b, "-");
		break;
	case INS_V_TEXT:
	case INS_V_LONGTEXT:
	case INS_V_OUTCOME:
		ins_buf_puts(b, v->s ? v->s : "-");
		break;
	case INS_V_ID:
		if (!v->s)
			ins_buf_puts(b, "-");
		else if (flags & INS_VAL_SHORT_ID)
			ins_buf_put(b, v->s, strnlen(v->s, INS_ID_SHORT));
		else
			ins_buf_puts(b, v->s);
		break;
	case INS_V_INT:
		ins_buf_printf(b, "%lld", (long long)v->i);
		break;
	case INS_V_REAL:
		ins_number_text(b, v->d);
		break;
	case INS_V_PERCENT:
		ins_percent_text(b, v->d);
		break;
	case INS_V_POINTS:
		ins_points_format(b, v->d, 1);
		break;
	case INS_V_DURATION:
		ins_duration_format(b, v->d);
		break;
	case INS_V_DURATION_DELTA:
		ins_duration_format_signed(b, v->d);
		break;
	case INS_V_TIME:
		ins_time_format_local(b, v->i, 0);
		break;
	case INS_V_BOOL:
		ins_buf_puts(b, v->i ? "yes" : "no");
		break;
	case INS_V_SPARK:
		ins_text_spark(b, v->spark, v->nspark);
		break;
	}
}
