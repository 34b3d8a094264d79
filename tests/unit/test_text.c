/*
 * test_text.c - the formatters' text utilities: UTF-8 decoding with U+FFFD
 * for bad bytes, display width (CJK, emoji, combining marks, zero-width),
 * truncation with "…", control-character escapes, sparklines and value text.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "text.h"

static void test_decode_valid(void **state)
{
	static const struct { const char *s; size_t n; uint32_t cp; } cases[] = {
		{ "A", 1, 0x41 }, { "\xc3\xa9", 2, 0xE9 }, { "\xe6\x9d\xb1", 3, 0x6771 },
		{ "\xf0\x9f\x98\x80", 4, 0x1F600 }, { "\xef\xbf\xbd", 3, 0xFFFD },
		{ "\xf4\x8f\xbf\xbf", 4, 0x10FFFF }, { "\xc2\x80", 2, 0x80 },
	};
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint32_t cp = 0;

		assert_int_equal(ins_utf8_decode(cases[i].s, strlen(cases[i].s), &cp), cases[i].n);
		assert_int_equal(cp, cases[i].cp);
	}
}

static void test_decode_invalid(void **state)
{
	static const char *const bad[] = {
		"\x80", "\xbf", "\xc0\x80", "\xc1\xbf", "\xe0\x80\x80", "\xed\xa0\x80",
		"\xf0\x80\x80\x80", "\xf4\x90\x80\x80", "\xf5\x80\x80\x80", "\xff", "\xe6\x9d",
		"\xc3(", "\xe6(\xb1",
	};
	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		uint32_t cp = 0;

		assert_int_equal(ins_utf8_decode(bad[i], strlen(bad[i]), &cp), 1);
		assert_int_equal(cp, INS_UTF8_REPLACEMENT);
	}
	/* A sequence cut by the length, not by a NUL. */
	{
		uint32_t cp = 0;

		assert_int_equal(ins_utf8_decode("\xe6\x9d\xb1", 2, &cp), 1);
		assert_int_equal(cp, INS_UTF8_REPLACEMENT);
	}
}

static void test_sanitize_and_put(void **state)
{
	ins_buf b = INS_BUF_INIT;
	const char in[] = "ok \xff caf\xc3\xa9 \xed\xa0\x80!";

	(void)state;
	ins_utf8_sanitize(&b, in, sizeof(in) - 1);
	assert_string_equal(b.ptr, "ok \xef\xbf\xbd caf\xc3\xa9 \xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd!");
	ins_buf_clear(&b);
	ins_utf8_put(&b, 0x41);
	ins_utf8_put(&b, 0xE9);
	ins_utf8_put(&b, 0x6771);
	ins_utf8_put(&b, 0x1F600);
	ins_utf8_put(&b, 0xD800);
	ins_utf8_put(&b, 0x110000);
	assert_string_equal(b.ptr, "A\xc3\xa9\xe6\x9d\xb1\xf0\x9f\x98\x80\xef\xbf\xbd\xef\xbf\xbd");
	ins_buf_release(&b);
}

static void test_width(void **state)
{
	static const struct { const char *s; size_t w; } cases[] = {
		{ "", 0 },
		{ "abc", 3 },
		{ "caf\xc3\xa9", 4 },                       /* precomposed é */
		{ "cafe\xcc\x81", 4 },                      /* e + combining acute */
		{ "\xe6\x9d\xb1\xe4\xba\xac", 4 },          /* 東京 */
		{ "\xed\x95\x9c\xea\xb5\xad\xec\x96\xb4", 6 }, /* 한국어 */
		{ "\xef\xbc\xa1", 2 },                      /* fullwidth A */
		{ "\xf0\x9f\x98\x80", 2 },                  /* 😀 */
		{ "\xf0\x9f\x9a\x80x", 3 },                 /* 🚀x */
		{ "a\xe2\x80\x8b" "b", 2 },                 /* zero width space */
		{ "\xf0\x9f\x91\xa8\xe2\x80\x8d\xf0\x9f\x92\xbb", 4 }, /* 👨‍💻: ZWJ is 0 */
		{ "\xe2\x9c\x85", 2 },                      /* ✅ */
		{ "\xe2\x80\xa6", 1 },                      /* … */
		{ "\xe2\x96\x81\xe2\x96\x88", 2 },          /* sparkline bars */
		{ "\xff\xfe", 2 },                          /* two replacement chars */
		{ "\xd7\xa9\xd7\x9c\xd7\x95\xd7\x9d", 4 },  /* Hebrew */
		{ "\xf0\xa0\x80\x80", 2 },                  /* CJK extension B */
		{ "\xe3\x81\x82\xe3\x82\x99", 2 },          /* hiragana + combining voiced mark */
	};
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_int_equal(ins_text_width(cases[i].s), cases[i].w);
	assert_int_equal(ins_cp_width(0x1B), 0);
	assert_int_equal(ins_cp_width(0x300), 0);
	assert_int_equal(ins_cp_width(0xFE0F), 0);
	assert_int_equal(ins_cp_width(0x4E00), 2);
	assert_int_equal(ins_cp_width(0xAC00), 2);
	assert_int_equal(ins_cp_width(0x1F9EA), 2);
	assert_int_equal(ins_cp_width(0x41), 1);
	assert_int_equal(ins_cp_width(0x10FFFF), 1);
}

static void check_escape(const char *in, unsigned flags, const char *want)
{
	ins_buf b = INS_BUF_INIT;

	ins_text_escape(&b, in, strlen(in), flags);
	assert_string_equal(b.ptr, want);
	ins_buf_release(&b);
}

static void test_escape(void **state)
{
	(void)state;
	check_escape("plain text", 0, "plain text");
	check_escape("\x1b[31mred\x1b[0m", 0, "\\x1b[31mred\\x1b[0m");
	check_escape("a\tb\nc\rd", 0, "a\\tb\\nc\\rd");
	check_escape("bell\a del\x7f nul-ish\x01", 0, "bell\\x07 del\\x7f nul-ish\\x01");
	check_escape("c1 \xc2\x9b" "31m", 0, "c1 \\u009b31m");
	check_escape("nel\xc2\x85", 0, "nel\\u0085");
	check_escape("bidi \xe2\x80\xae" "cba", 0, "bidi \\u202ecba");
	check_escape("iso \xe2\x81\xa6x\xe2\x81\xa9", 0, "iso \\u2066x\\u2069");
	check_escape("ls\xe2\x80\xa8ps\xe2\x80\xa9", 0, "ls\\u2028ps\\u2029");
	check_escape("bad \xff byte", 0, "bad \xef\xbf\xbd byte");
	check_escape("\xe6\x9d\xb1\xe4\xba\xac \xf0\x9f\x98\x80", 0, "\xe6\x9d\xb1\xe4\xba\xac \xf0\x9f\x98\x80");
	check_escape("line1\nline2\r\nline3\r", INS_ESC_KEEP_NL, "line1\nline2\nline3\\r");
	check_escape("a\tb\n\tc", INS_ESC_KEEP_NL | INS_ESC_EXPAND_TAB, "a       b\n        c");
	check_escape("\xe6\x9d\xb1\tx", INS_ESC_EXPAND_TAB, "\xe6\x9d\xb1      x");
	check_escape("a,\"b\"\n\tc\r\x1b", INS_ESC_KEEP_WS, "a,\"b\"\n\tc\r\\x1b");
}

static void check_fit(const char *in, size_t width, const char *want, size_t want_w)
{
	ins_buf b = INS_BUF_INIT;

	assert_int_equal(ins_text_fit(&b, in, width), want_w);
	assert_string_equal(b.ptr, want);
	assert_true(ins_text_width(b.ptr) <= width);
	ins_buf_release(&b);
}

static void test_fit(void **state)
{
	(void)state;
	check_fit("hello world", 20, "hello world", 11);
	check_fit("hello world", 11, "hello world", 11);
	check_fit("hello world", 10, "hello wor\xe2\x80\xa6", 10);
	check_fit("hello world", 5, "hell\xe2\x80\xa6", 5);
	check_fit("hello world", 1, "\xe2\x80\xa6", 1);
	check_fit("hello world", 0, "", 0);
	/* 東京都庁: a wide character never splits; the result may be a column short. */
	check_fit("\xe6\x9d\xb1\xe4\xba\xac\xe9\x83\xbd\xe5\xba\x81", 5, "\xe6\x9d\xb1\xe4\xba\xac\xe2\x80\xa6", 5);
	check_fit("\xe6\x9d\xb1\xe4\xba\xac\xe9\x83\xbd\xe5\xba\x81", 4, "\xe6\x9d\xb1\xe2\x80\xa6", 3);
	/* A combining mark stays with its base or goes with it. */
	check_fit("cafe\xcc\x81s and more", 5, "cafe\xcc\x81\xe2\x80\xa6", 5);
	check_fit("cafe\xcc\x81", 4, "cafe\xcc\x81", 4);
}

static void check_prefix(const char *const *s, size_t n, const char *want)
{
	size_t len = ins_text_common_prefix(s, n);

	assert_int_equal(len, strlen(want));
	for (size_t k = 0; k < n; k++)
		assert_memory_equal(s[k], want, len);
}

static void test_common_prefix(void **state)
{
	static const char *const ids[] = {
		"tests/test_shop.py::test_checkout_with_coupon_total",
		"tests/test_shop.py::test_checkout_with_coupon_items",
		"tests/test_shop.py::test_cart",
	};
	static const char *const dirs[] = { "tests/unit/a.py::x", "tests/ui/b.py::y" };
	static const char *const none[] = { "a/b", "c/d" };
	static const char *const one[] = { "tests/test_x.py::test_y[a/b]" };
	static const char *const same[] = { "pkg/t.py::a", "pkg/t.py::a" };
	static const char *const nested[] = { "t.py::A::b", "t.py::A" };

	(void)state;
	/* cut after the last separator: what is left of each still reads as a name */
	check_prefix(ids, 3, "tests/test_shop.py::");
	check_prefix(ids, 2, "tests/test_shop.py::");
	check_prefix(dirs, 2, "tests/");
	check_prefix(none, 2, "");
	/* parameters are no place to cut: the test's name stays */
	check_prefix(one, 1, "tests/test_x.py::");
	check_prefix(same, 2, "pkg/t.py::");
	/* never the whole of a string: "t.py::A" keeps its "A" */
	check_prefix(nested, 2, "t.py::");
	check_prefix(NULL, 0, "");
}

static void test_take(void **state)
{
	(void)state;
	assert_int_equal(ins_text_take("hello", 3), 3);
	assert_int_equal(ins_text_take("hello", 10), 5);
	assert_int_equal(ins_text_take("", 3), 0);
	/* at least one code point, even a wide one in one column */
	assert_int_equal(ins_text_take("\xe6\x9d\xb1\xe4\xba\xac", 1), 3);
	assert_int_equal(ins_text_take("\xe6\x9d\xb1\xe4\xba\xac", 3), 3);
	assert_int_equal(ins_text_take("\xe6\x9d\xb1\xe4\xba\xac", 4), 6);
}

static int echoes(ins_vtype type, const char *value, const char *title)
{
	ins_fact f = { "id", "Label", { type, (char *)value, 0, 0, NULL, 0 }, 0 };

	return ins_fact_echoes(&f, title);
}

static void test_title_echo(void **state)
{
	(void)state;
	assert_true(echoes(INS_V_ID, "01JDA7K3ZP5R0000000000000A", "Session 01JDA7K3ZP5R0000000000000A"));
	assert_true(echoes(INS_V_TEXT, "shop", "SUT shop"));
	assert_true(echoes(INS_V_TEXT, "tests/t.py::test_a", "History of tests/t.py::test_a"));
	assert_true(echoes(INS_V_TEXT, "t.py::a", "Since when does t.py::a fail"));
	assert_true(echoes(INS_V_TEXT, "shop", "Summary of shop: 3 sessions"));
	/* a part of a longer word is not the same thing */
	assert_false(echoes(INS_V_TEXT, "shop", "SUT shopping"));
	assert_false(echoes(INS_V_TEXT, "tests.test_shop", "Test tests.test_shop::test_still"));
	assert_false(echoes(INS_V_TEXT, "test_still", "Test tests.test_shop::test_still"));
	/* numbers, short values and missing titles never echo */
	assert_false(echoes(INS_V_INT, NULL, "Sessions 3"));
	assert_false(echoes(INS_V_TEXT, "a", "a b"));
	assert_false(echoes(INS_V_TEXT, "shop", NULL));
	assert_true(ins_title_same("Flaky tests", "flaky Tests"));
	assert_false(ins_title_same("Flaky tests", "Flaky"));
	assert_false(ins_title_same("Flaky", NULL));
}

static void check_spark(const double *v, size_t n, const char *want)
{
	ins_buf b = INS_BUF_INIT;

	ins_text_spark(&b, v, n);
	assert_string_equal(b.ptr, want);
	ins_buf_release(&b);
}

static void test_spark(void **state)
{
	static const double up[] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	static const double gap[] = { 0, NAN, 10 };
	static const double flat[] = { 5, 5, 5 };
	static const double neg[] = { -1, 1 };

	(void)state;
	check_spark(up, 8, "\xe2\x96\x81\xe2\x96\x82\xe2\x96\x83\xe2\x96\x84\xe2\x96\x85\xe2\x96\x86\xe2\x96\x87\xe2\x96\x88");
	check_spark(gap, 3, "\xe2\x96\x81 \xe2\x96\x88");
	check_spark(flat, 3, "\xe2\x96\x84\xe2\x96\x84\xe2\x96\x84");
	check_spark(neg, 2, "\xe2\x96\x81\xe2\x96\x88");
	check_spark(NULL, 0, "");
}

static void test_numbers(void **state)
{
	static const struct { double r; const char *want; } pct[] = {
		{ 0.9666, "96.7%" }, { 1, "100%" }, { 0, "0%" }, { 0.5, "50%" },
		{ 0.99996, ">99.9%" }, { 0.00001, "<0.1%" }, { 0.0004, "<0.1%" }, { 0.123, "12.3%" },
	};
	static const struct { double d; const char *want; } num[] = {
		{ 12, "12" }, { 3.14159, "3.14" }, { 0.00123, "0.00123" }, { -2.5, "-2.5" },
		{ 1e20, "100000000000000000000" }, { 1.10, "1.1" }, { 0.5, "0.5" },
	};
	(void)state;
	for (size_t i = 0; i < sizeof(pct) / sizeof(pct[0]); i++) {
		ins_buf b = INS_BUF_INIT;

		ins_percent_text(&b, pct[i].r);
		assert_string_equal(b.ptr, pct[i].want);
		ins_buf_release(&b);
	}
	for (size_t i = 0; i < sizeof(num) / sizeof(num[0]); i++) {
		ins_buf b = INS_BUF_INIT;

		ins_number_text(&b, num[i].d);
		assert_string_equal(b.ptr, num[i].want);
		ins_buf_release(&b);
	}
}

static void check_value(ins_value v, unsigned flags, const char *want)
{
	ins_buf b = INS_BUF_INIT;

	ins_value_text(&b, &v, flags);
	assert_string_equal(b.ptr, want);
	ins_buf_release(&b);
}

static void test_value_text(void **state)
{
	double sp[] = { 1, 3 };

	(void)state;
	check_value((ins_value){ .type = INS_V_NULL }, 0, "-");
	check_value((ins_value){ .type = INS_V_TEXT, .s = "hi" }, 0, "hi");
	check_value((ins_value){ .type = INS_V_OUTCOME, .s = "failed" }, 0, "failed");
	check_value((ins_value){ .type = INS_V_ID, .s = "01JDA7K3ZP5R8W2N6QX4TBC9HV" }, 0,
		    "01JDA7K3ZP5R8W2N6QX4TBC9HV");
	check_value((ins_value){ .type = INS_V_ID, .s = "01JDA7K3ZP5R8W2N6QX4TBC9HV" },
		    INS_VAL_SHORT_ID, "01JDA7K3ZP5R");
	check_value((ins_value){ .type = INS_V_ID, .s = "abc" }, INS_VAL_SHORT_ID, "abc");
	check_value((ins_value){ .type = INS_V_INT, .i = -42 }, 0, "-42");
	check_value((ins_value){ .type = INS_V_REAL, .d = 2.5 }, 0, "2.5");
	check_value((ins_value){ .type = INS_V_PERCENT, .d = 0.25 }, 0, "25%");
	check_value((ins_value){ .type = INS_V_DURATION, .d = 184 }, 0, "3m 04s");
	check_value((ins_value){ .type = INS_V_DURATION_DELTA, .d = 0.012 }, 0, "+12ms");
	check_value((ins_value){ .type = INS_V_DURATION_DELTA, .d = -1.2 }, 0, "-1.20s");
	check_value((ins_value){ .type = INS_V_POINTS, .d = -0.062 }, 0, "-6.2 points");
	check_value((ins_value){ .type = INS_V_POINTS, .d = 0.0052 }, 0, "+0.52 points");
	check_value((ins_value){ .type = INS_V_TIME, .i = INT64_C(1795435200000) }, 0,
		    "2026-11-23 12:00");
	check_value((ins_value){ .type = INS_V_BOOL, .i = 1 }, 0, "yes");
	check_value((ins_value){ .type = INS_V_BOOL, .i = 0 }, 0, "no");
	check_value((ins_value){ .type = INS_V_SPARK, .spark = sp, .nspark = 2 }, 0,
		    "\xe2\x96\x81\xe2\x96\x88");
	assert_string_equal(ins_vtype_name(INS_V_PERCENT), "percent");
	assert_string_equal(ins_vtype_name(INS_V_SPARK), "spark");
	assert_string_equal(ins_vtype_name((ins_vtype)99), "null");
	assert_string_equal(ins_vtype_name(INS_V_DURATION_DELTA), "duration_delta");
	assert_true(ins_vtype_is_numeric(INS_V_DURATION));
	assert_true(ins_vtype_is_numeric(INS_V_DURATION_DELTA));
	assert_false(ins_vtype_is_numeric(INS_V_TIME));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decode_valid),
		cmocka_unit_test(test_decode_invalid),
		cmocka_unit_test(test_sanitize_and_put),
		cmocka_unit_test(test_width),
		cmocka_unit_test(test_escape),
		cmocka_unit_test(test_fit),
		cmocka_unit_test(test_common_prefix),
		cmocka_unit_test(test_take),
		cmocka_unit_test(test_title_echo),
		cmocka_unit_test(test_spark),
		cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_value_text),
	};

	setenv("TZ", "UTC0", 1);
	tzset();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
