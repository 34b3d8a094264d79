/*
 * test_timeutil.c - windows, dates, periods, report timestamps, "now" and
 * the time and duration formats, under explicit time zones (POSIX TZ rules,
 * so no tzdata is needed): UTC, Berlin (CET/CEST) and New York (EST/EDT).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "insight/errors.h"
#include "insight/timeutil.h"

#define TZ_BERLIN "CET-1CEST,M3.5.0,M10.5.0/3"
#define TZ_NEWYORK "EST5EDT,M3.2.0,M11.1.0"

#define MIN INT64_C(60000)
#define HOUR (60 * MIN)
#define DAY (24 * HOUR)

/* 2026-11-23T12:00:00Z */
#define T_1123 INT64_C(1795435200000)

static void set_tz(const char *tz)
{
	setenv("TZ", tz, 1);
	tzset();
}

static int64_t iso(const char *s)
{
	int64_t ms = 0;

	assert_int_equal(ins_timestamp_parse(&ms, s), 0);
	return ms;
}

static void test_window_valid(void **state)
{
	static const struct { const char *s; int64_t ms; } cases[] = {
		{ "7d", 7 * DAY }, { "24h", 24 * HOUR }, { "30m", 30 * MIN },
		{ "45s", 45000 }, { "2w", 14 * DAY }, { "1d12h", DAY + 12 * HOUR },
		{ "90m", 90 * MIN }, { "1h30m15s", HOUR + 30 * MIN + 15000 }, { "0s", 0 },
		{ "365d", 365 * DAY },
	};
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int64_t ms = -1;

		assert_int_equal(ins_time_parse_window(&ms, cases[i].s), 0);
		assert_true(ms == cases[i].ms);
	}
}

static void test_window_invalid(void **state)
{
	static const char *const bad[] = {
		"", "7", "d", "7x", "-7d", "7 d", "7d ", "1.5h", "7D", "h24", "99999999999999999999d",
		"9223372036854775807w",
	};
	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int64_t ms = 42;

		assert_int_equal(ins_time_parse_window(&ms, bad[i]), INS_EUSAGE);
		assert_true(ms == 42);
		assert_non_null(strstr(ins_error_last(), "invalid time window"));
		assert_non_null(strstr(ins_error_last(), "expected e.g. 7d"));
	}
	ins_time_parse_window(&(int64_t){ 0 }, "7x");
	assert_string_equal(ins_error_last(),
			    "invalid time window '7x' (expected e.g. 7d, 24h, 30m, 1d12h)");
}

static void test_timestamp_forms(void **state)
{
	(void)state;
	set_tz(TZ_BERLIN); /* must not matter: no zone means UTC */
	assert_true(iso("2026-11-23T12:00:00Z") == T_1123);
	assert_true(iso("2026-11-23T12:00:00") == T_1123);
	assert_true(iso("2026-11-23 12:00:00") == T_1123);
	assert_true(iso("2026-11-23T12:00") == T_1123);
	assert_true(iso("2026-11-23t12:00:00z") == T_1123);
	assert_true(iso("2026-11-23T12:00:00.123Z") == T_1123 + 123);
	assert_true(iso("2026-11-23T12:00:00.123456789") == T_1123 + 123);
	assert_true(iso("2026-11-23T12:00:00,5") == T_1123 + 500);
	assert_true(iso("2026-11-23T13:00:00+01:00") == T_1123);
	assert_true(iso("2026-11-23T13:30:00+0130") == T_1123);
	assert_true(iso("2026-11-23T07:00:00-05:00") == T_1123);
	assert_true(iso("2026-11-23T14:00:00+02") == T_1123);
	assert_true(iso("  2026-11-23T12:00:00Z \n") == T_1123);
	assert_true(iso("2026-11-23") == T_1123 - 12 * HOUR);
	assert_true(iso("1970-01-01T00:00:00Z") == 0);
	assert_true(iso("1969-12-31T23:59:59.999Z") == -1);
	assert_true(iso("2024-02-29T00:00:00Z") == INT64_C(1709164800000));
	assert_true(iso("2016-12-31T23:59:60Z") == INT64_C(1483228799000)); /* leap second folded */
}

static void test_timestamp_invalid(void **state)
{
	static const char *const bad[] = {
		"", "yesterday", "2026-13-01", "2026-02-29", "2026-11-31", "2026-11-23T24:00:00",
		"2026-11-23T12:60", "2026-11-23T12", "2026/11/23", "26-11-23", "2026-11-23T12:00:00Zjunk",
		"2026-11-23T12:00:00+25:00", "2026-11-23T12:00:00.", "1795435200000",
	};
	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int64_t ms = 7;

		assert_int_equal(ins_timestamp_parse(&ms, bad[i]), INS_EINVALID);
		assert_true(ms == 7);
	}
}

static void test_date_local(void **state)
{
	int64_t ms;

	(void)state;
	set_tz(TZ_BERLIN);
	/* A date alone is local midnight: 2026-11-23 00:00 CET = 2026-11-22T23:00Z. */
	assert_int_equal(ins_time_parse_date(&ms, "2026-11-23", 0), 0);
	assert_true(ms == iso("2026-11-22T23:00:00Z"));
	assert_int_equal(ins_time_parse_date(&ms, "2026-11-23", 1), 0);
	assert_true(ms == iso("2026-11-23T22:59:59.999Z"));
	/* Summer time: CEST is UTC+2. */
	assert_int_equal(ins_time_parse_date(&ms, "2026-07-01T10:00", 0), 0);
	assert_true(ms == iso("2026-07-01T08:00:00Z"));
	assert_int_equal(ins_time_parse_date(&ms, "2026-11-01 10:00:30", 0), 0);
	assert_true(ms == iso("2026-11-01T09:00:30Z"));
	/* An explicit zone wins over TZ. */
	assert_int_equal(ins_time_parse_date(&ms, "2026-11-01T10:00Z", 0), 0);
	assert_true(ms == iso("2026-11-01T10:00:00Z"));
	assert_int_equal(ins_time_parse_date(&ms, "2026-11-01T10:00-03:00", 0), 0);
	assert_true(ms == iso("2026-11-01T13:00:00Z"));
	/* The day DST starts has 23 hours; the day it ends 25. */
	assert_int_equal(ins_time_parse_date(&ms, "2026-03-29", 0), 0);
	assert_true(ms == iso("2026-03-28T23:00:00Z"));
	assert_int_equal(ins_time_parse_date(&ms, "2026-03-29", 1), 0);
	assert_true(ms == iso("2026-03-29T21:59:59.999Z"));
	assert_int_equal(ins_time_parse_date(&ms, "2026-10-25", 1), 0);
	assert_true(ms == iso("2026-10-25T22:59:59.999Z"));

	set_tz(TZ_NEWYORK);
	assert_int_equal(ins_time_parse_date(&ms, "2026-11-23", 0), 0);
	assert_true(ms == iso("2026-11-23T05:00:00Z"));
	set_tz("UTC0");
	assert_int_equal(ins_time_parse_date(&ms, "2026-11-23", 0), 0);
	assert_true(ms == iso("2026-11-23T00:00:00Z"));
}

static void test_date_relative(void **state)
{
	int64_t ms;

	(void)state;
	set_tz(TZ_BERLIN);
	/* 2026-11-23T23:30Z is already the 24th in Berlin. */
	setenv("INSIGHT_NOW", "2026-11-23T23:30:00Z", 1);
	assert_int_equal(ins_time_parse_date(&ms, "now", 0), 0);
	assert_true(ms == iso("2026-11-23T23:30:00Z"));
	assert_int_equal(ins_time_parse_date(&ms, "today", 0), 0);
	assert_true(ms == iso("2026-11-23T23:00:00Z"));
	assert_int_equal(ins_time_parse_date(&ms, "today", 1), 0);
	assert_true(ms == iso("2026-11-24T22:59:59.999Z"));
	assert_int_equal(ins_time_parse_date(&ms, "yesterday", 0), 0);
	assert_true(ms == iso("2026-11-22T23:00:00Z"));
	assert_int_equal(ins_time_parse_date(&ms, "yesterday", 1), 0);
	assert_true(ms == iso("2026-11-23T22:59:59.999Z"));
	unsetenv("INSIGHT_NOW");

	assert_int_equal(ins_time_parse_date(&ms, "tomorrow", 0), INS_EUSAGE);
	assert_non_null(strstr(ins_error_last(), "invalid date 'tomorrow'"));
	assert_int_equal(ins_time_parse_date(&ms, "2026-11-23x", 0), INS_EUSAGE);
	assert_int_equal(ins_time_parse_date(&ms, "7d", 0), INS_EUSAGE);
	assert_int_equal(ins_time_parse_date(&ms, "", 0), INS_EUSAGE);
}

static void test_period(void **state)
{
	int64_t now = T_1123, from, to;

	(void)state;
	set_tz("UTC0");
	assert_int_equal(ins_time_parse_period(&from, &to, "2026-11-01..2026-11-07", now), 0);
	assert_true(from == iso("2026-11-01T00:00:00Z"));
	assert_true(to == iso("2026-11-07T23:59:59.999Z"));
	assert_int_equal(ins_time_parse_period(&from, &to, "2026-11-01..", now), 0);
	assert_true(from == iso("2026-11-01T00:00:00Z"));
	assert_true(to == INT64_MAX);
	assert_int_equal(ins_time_parse_period(&from, &to, "..2026-11-07", now), 0);
	assert_true(from == INT64_MIN);
	assert_true(to == iso("2026-11-07T23:59:59.999Z"));
	assert_int_equal(ins_time_parse_period(&from, &to, "7d", now), 0);
	assert_true(from == now - 7 * DAY && to == now);
	assert_int_equal(ins_time_parse_period(&from, &to, "1d12h", now), 0);
	assert_true(from == now - 36 * HOUR && to == now);
	assert_int_equal(ins_time_parse_period(&from, &to, "today", now), 0);
	assert_true(from == iso("2026-11-23T00:00:00Z"));
	assert_true(to == iso("2026-11-23T23:59:59.999Z"));
	assert_int_equal(ins_time_parse_period(&from, &to, "yesterday", now), 0);
	assert_true(from == iso("2026-11-22T00:00:00Z"));
	assert_true(to == iso("2026-11-22T23:59:59.999Z"));
	assert_int_equal(ins_time_parse_period(&from, &to, "2026-11-05", now), 0);
	assert_true(from == iso("2026-11-05T00:00:00Z"));
	assert_true(to == iso("2026-11-05T23:59:59.999Z"));
	assert_int_equal(ins_time_parse_period(&from, &to, "2026-11-05T10:00Z..2026-11-05T11:00Z",
					       now), 0);
	assert_true(to - from == HOUR);
	assert_int_equal(ins_time_parse_period(&from, &to, "yesterday..today", now), 0);
	assert_true(to - from == 2 * DAY - 1);

	/* Local days in Berlin. */
	set_tz(TZ_BERLIN);
	assert_int_equal(ins_time_parse_period(&from, &to, "2026-11-01..2026-11-07", now), 0);
	assert_true(from == iso("2026-10-31T23:00:00Z"));
	assert_true(to == iso("2026-11-07T22:59:59.999Z"));

	from = to = 99;
	assert_int_equal(ins_time_parse_period(&from, &to, "2026-11-07..2026-11-01", now), INS_EUSAGE);
	assert_non_null(strstr(ins_error_last(), "ends before it starts"));
	assert_int_equal(ins_time_parse_period(&from, &to, "..", now), INS_EUSAGE);
	assert_int_equal(ins_time_parse_period(&from, &to, "7x", now), INS_EUSAGE);
	assert_non_null(strstr(ins_error_last(), "invalid time window '7x'"));
	assert_int_equal(ins_time_parse_period(&from, &to, "last week", now), INS_EUSAGE);
	assert_non_null(strstr(ins_error_last(), "invalid period 'last week'"));
	assert_int_equal(ins_time_parse_period(&from, &to, "", now), INS_EUSAGE);
	assert_true(from == 99 && to == 99);
}

static void test_now(void **state)
{
	int64_t real;

	(void)state;
	setenv("INSIGHT_NOW", "1795435200123", 1);
	assert_true(ins_time_now_ms() == T_1123 + 123);
	setenv("INSIGHT_NOW", "2026-11-23T12:00:00Z", 1);
	assert_true(ins_time_now_ms() == T_1123);
	setenv("INSIGHT_NOW", "2026-11-23T13:00:00", 1); /* no zone: UTC */
	assert_true(ins_time_now_ms() == T_1123 + HOUR);
	/* An unreadable pin falls back to the clock. */
	setenv("INSIGHT_NOW", "soon", 1);
	real = (int64_t)time(NULL) * 1000;
	assert_true(llabs(ins_time_now_ms() - real) < 5000);
	unsetenv("INSIGHT_NOW");
	real = (int64_t)time(NULL) * 1000;
	assert_true(llabs(ins_time_now_ms() - real) < 5000);
}

static void check_iso(int64_t ms, const char *want)
{
	ins_buf b = INS_BUF_INIT;

	ins_time_format_iso(&b, ms);
	assert_string_equal(b.ptr, want);
	ins_buf_release(&b);
}

static void check_local(int64_t ms, int secs, const char *want)
{
	ins_buf b = INS_BUF_INIT;

	ins_time_format_local(&b, ms, secs);
	assert_string_equal(b.ptr, want);
	ins_buf_release(&b);
}

static void test_format_times(void **state)
{
	(void)state;
	check_iso(T_1123 + 123, "2026-11-23T12:00:00.123Z");
	check_iso(0, "1970-01-01T00:00:00.000Z");
	check_iso(-1, "1969-12-31T23:59:59.999Z");
	check_iso(INT64_C(951782400000), "2000-02-29T00:00:00.000Z");
	/* Round trip through the parser. */
	for (int64_t ms = -DAY * 400; ms < DAY * 40000; ms += DAY * 97 + 12345) {
		ins_buf b = INS_BUF_INIT;

		ins_time_format_iso(&b, ms);
		assert_true(iso(b.ptr) == ms);
		ins_buf_release(&b);
	}

	set_tz(TZ_BERLIN);
	check_local(T_1123, 0, "2026-11-23 13:00");
	check_local(T_1123 + 5999, 1, "2026-11-23 13:00:05");
	check_local(iso("2026-07-01T08:00:00Z"), 0, "2026-07-01 10:00");
	set_tz(TZ_NEWYORK);
	check_local(T_1123, 0, "2026-11-23 07:00");
	set_tz("UTC0");
	check_local(T_1123, 1, "2026-11-23 12:00:00");
}

struct duration_case {
	double secs;
	const char *want;
};

static void check_durations(void (*format)(ins_buf *, double), const struct duration_case *cases,
			    size_t n)
{
	for (size_t i = 0; i < n; i++) {
		ins_buf b = INS_BUF_INIT;

		format(&b, cases[i].secs);
		assert_string_equal(b.ptr, cases[i].want);
		ins_buf_release(&b);
	}
}

static void test_duration(void **state)
{
	static const struct duration_case cases[] = {
		{ 0, "0ms" }, { 0.00004, "0ms" }, { 0.0004, "0.4ms" }, { 0.00094, "0.9ms" },
		{ 0.012, "12ms" }, { 0.0125, "12ms" }, { 0.9994, "999ms" }, { 0.9996, "1.00s" },
		{ 1.25, "1.25s" }, { 59.99, "59.99s" }, { 59.996, "1m 00s" }, { 184, "3m 04s" },
		{ 3599.4, "59m 59s" }, { 3599.6, "1h 00m" }, { 3720, "1h 02m" },
		{ 100 * 3600 + 59, "100h 01m" }, { -1, "-" }, { 0.0 / 0.0, "-" },
	};
	(void)state;
	check_durations(ins_duration_format, cases, sizeof(cases) / sizeof(cases[0]));
}

static void test_duration_signed(void **state)
{
	static const struct duration_case cases[] = {
		{ 0.012, "+12ms" }, { -0.012, "-12ms" }, { -1.2, "-1.20s" }, { 1.2, "+1.20s" },
		{ -184, "-3m 04s" }, { 3720, "+1h 02m" }, { -0.0004, "-0.4ms" }, { 0, "+0ms" },
		{ 0.0 / 0.0, "-" }, { -1.0 / 0.0, "-" },
	};
	(void)state;
	check_durations(ins_duration_format_signed, cases, sizeof(cases) / sizeof(cases[0]));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_window_valid),
		cmocka_unit_test(test_window_invalid),
		cmocka_unit_test(test_timestamp_forms),
		cmocka_unit_test(test_timestamp_invalid),
		cmocka_unit_test(test_date_local),
		cmocka_unit_test(test_date_relative),
		cmocka_unit_test(test_period),
		cmocka_unit_test(test_now),
		cmocka_unit_test(test_format_times),
		cmocka_unit_test(test_duration),
		cmocka_unit_test(test_duration_signed),
	};

	unsetenv("INSIGHT_NOW");
	set_tz("UTC0");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
