/*
 * text.h - text utilities shared by the formatters: UTF-8 decoding, display
 * width, truncation, escaping of control characters, and the way values of
 * the document are written for people.
 *
 * Invariants: nothing here depends on the C locale; every function accepts
 * any bytes (invalid UTF-8 is read as U+FFFD, one per bad byte) and every
 * function that appends to an ins_buf appends valid UTF-8.
 */
#ifndef INSIGHT_FORMAT_TEXT_H
#define INSIGHT_FORMAT_TEXT_H

#include <stddef.h>
#include <stdint.h>

#include "insight/buf.h"
#include "insight/doc.h"

/* Session ids are shown this many characters long in the terminal and Markdown. */
#define INS_ID_SHORT 12

#define INS_UTF8_REPLACEMENT 0xFFFDu

/*
 * Decode one code point from s[0..len) (len > 0). Returns the number of bytes
 * used (1..4). An invalid, overlong, surrogate or truncated sequence yields
 * U+FFFD and uses one byte, so decoding always advances.
 */
size_t ins_utf8_decode(const char *s, size_t len, uint32_t *cp);

/* Append code point `cp` as UTF-8 (U+FFFD when it is not a scalar value). */
void ins_utf8_put(ins_buf *b, uint32_t cp);

/* Append s[0..len) with every invalid byte replaced by U+FFFD. */
void ins_utf8_sanitize(ins_buf *b, const char *s, size_t len);

/*
 * Columns a code point takes on a terminal: 2 for East Asian wide and
 * fullwidth characters (CJK, Hangul, most emoji), 0 for combining marks and
 * zero-width format characters, 1 otherwise. Control characters count 0:
 * they are escaped before anything is measured.
 */
int ins_cp_width(uint32_t cp);

/* Display width of a NUL-terminated UTF-8 string. */
size_t ins_text_width(const char *s);

/* Does this code point have to be escaped in text shown to people? */
int ins_cp_is_control(uint32_t cp);

/* Flags of ins_text_escape. */
enum {
	INS_ESC_KEEP_NL = 1 << 0,    /* keep line feeds (and drop the CR of CRLF) */
	INS_ESC_EXPAND_TAB = 1 << 1, /* tabs become spaces to the next multiple of 8 */
	INS_ESC_KEEP_WS = 1 << 2     /* keep tab, LF and CR as they are (CSV quotes them) */
};

/*
 * Append s[0..len) with invalid bytes as U+FFFD and every control character
 * written as an escape: "\t", "\n", "\r", "\x1b" (other C0 and DEL), "\u0085"
 * (C1, line/paragraph separators and the bidirectional overrides that can
 * make text read differently from what it is). Nothing that can move the
 * cursor or change colours is ever appended raw.
 */
void ins_text_escape(ins_buf *b, const char *s, size_t len, unsigned flags);

/*
 * Append s as a JSON string, quotes included: invalid bytes as U+FFFD,
 * control characters, DEL and U+2028/2029 (valid JSON, but they end a
 * JavaScript string literal) escaped. With `in_script`, for data embedded
 * in an HTML <script> element, '<', '>' and '&' are escaped too, so that
 * nothing in the string can end the element or open a comment in it.
 */
void ins_json_string(ins_buf *b, const char *s, int in_script);

/*
 * Append at most `width` columns of the (already escaped) string s: the
 * whole string when it fits, else its start and "…". Returns the display
 * width appended.
 */
size_t ins_text_fit(ins_buf *b, const char *s, size_t width);

/*
 * Bytes of the longest start of s that takes at most `width` columns, and
 * at least one code point (for cutting a long line into lines of a width).
 */
size_t ins_text_take(const char *s, size_t width);
/*
 * The length in bytes of the start that all n strings share, up to and with
 * the last separator in it ('/', ':', '.' or a backslash) before any '['
 * (parameters), so that what is left of each reads as a name
 * ("test_shop.py::test_a", not "a"); never the whole of one of them.
 * 0 when they share no such start.
 */
size_t ins_text_common_prefix(const char *const *s, size_t n);
/*
 * Whether a fact only repeats a title ("Session 01JD..." over "Session:
 * 01JD...", "SUT shop" over "SUT: shop"): its value is text or a session
 * id of two characters or more found in `title` as a whole word. NULL
 * titles hold nothing.
 */
int ins_fact_echoes(const ins_fact *f, const char *title);
/* Whether two titles are the same, but for case ("Flaky tests" under "Flaky tests"). */
int ins_title_same(const char *a, const char *b);
/* Append `n` spaces. */
void ins_text_spaces(ins_buf *b, size_t n);

/*
 * Append a sparkline of v[0..n): one of ▁▂▃▄▅▆▇█ per value, scaled between
 * the smallest and largest value; a NAN (a gap) is a space.
 */
void ins_text_spark(ins_buf *b, const double *v, size_t n);

/* Is a value of this type a number (right-aligned by default)? */
int ins_vtype_is_numeric(ins_vtype t);

/* The JSON name of a value type: "text", "int", "percent", ... */
const char *ins_vtype_name(ins_vtype t);

/* Flags of ins_value_text. */
enum {
	INS_VAL_SHORT_ID = 1 << 0 /* session ids cut to INS_ID_SHORT characters */
};

/*
 * Append a value as people read it: "-" for null, "96.7%", "1.25s", local
 * times "2026-11-23 13:00", "yes"/"no", sparklines. Text is appended as it
 * is (not escaped): the caller escapes for its medium.
 */
void ins_value_text(ins_buf *b, const ins_value *v, unsigned flags);

/* Append a plain number as people read it ("12", "3.14", "0.00123"). */
void ins_number_text(ins_buf *b, double d);

/* Append a ratio as a percentage ("96.7%", "100%", "<0.1%", ">99.9%"). */
void ins_percent_text(ins_buf *b, double ratio);

/*
 * Append a series' y value as people read it in the series' type ("96.7%",
 * "1.25s", "12"), or `none` for a gap (not a finite number).
 */
void ins_series_value_text(ins_buf *b, ins_vtype type, double y, const char *none);

#endif
