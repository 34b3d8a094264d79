/*
 * timeutil.c - parsing and formatting of times, dates, periods and durations
 * (see timeutil.h).
 *
 * UTC conversions use our own civil-calendar arithmetic (proleptic Gregorian)
 * so that they never depend on TZ; local-time conversions go through
 * mktime()/localtime_r(), so TZ and DST rules are the C library's.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "insight/errors.h"
#include "insight/timeutil.h"

#define MS_PER_SEC INT64_C(1000)
#define MS_PER_MIN (60 * MS_PER_SEC)
#define MS_PER_HOUR (60 * MS_PER_MIN)
#define MS_PER_DAY (24 * MS_PER_HOUR)

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
	int64_t era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

static int days_in_month(int64_t y, int m)
{
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return mdays[m - 1];
}

/* The fields of an ISO 8601 date-time as written. */
struct iso_fields {
	int year, mon, day;
	int hour, min, sec, msec;
	int has_time;     /* a time of day was given */
	int has_zone;     /* "Z" or an offset was given */
	int offset_min;   /* the offset east of UTC, in minutes */
};

/* Read exactly `n` digits at *p; advance. Returns -1 when they are not there. */
static int digits(const char **p, int n)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (!isdigit((unsigned char)(*p)[i]))
			return -1;
		v = v * 10 + ((*p)[i] - '0');
	}
	*p += n;
	return v;
}

/*
 * Parse "YYYY-MM-DD[(T|t| )HH:MM[:SS[(.|,)f+]]][Z|z|(+|-)HH[[:]MM]]" in full,
 * surrounding white space allowed. Returns 0 or -1.
 */
static int iso_parse(struct iso_fields *f, const char *s)
{
	const char *p = s;

	memset(f, 0, sizeof(*f));
	while (isspace((unsigned char)*p))
		p++;
	if ((f->year = digits(&p, 4)) < 0 || *p++ != '-' || (f->mon = digits(&p, 2)) < 0 ||
	    *p++ != '-' || (f->day = digits(&p, 2)) < 0)
		return -1;
	if (f->mon < 1 || f->mon > 12 || f->day < 1 || f->day > days_in_month(f->year, f->mon))
		return -1;
	/* "2024-01-03T 12:40:13": a space after the T is seen in real reports. */
	if ((*p == 'T' || *p == 't') && p[1] == ' ' && isdigit((unsigned char)p[2]))
		p++;
	if ((*p == 'T' || *p == 't' || *p == ' ') && isdigit((unsigned char)p[1])) {
		p++;
		f->has_time = 1;
		if ((f->hour = digits(&p, 2)) < 0 || *p++ != ':' || (f->min = digits(&p, 2)) < 0)
			return -1;
		if (*p == ':') {
			p++;
			if ((f->sec = digits(&p, 2)) < 0)
				return -1;
			if ((*p == '.' || *p == ',') && isdigit((unsigned char)p[1])) {
				int scale = 100;

				for (p++; isdigit((unsigned char)*p); p++) {
					f->msec += (*p - '0') * scale;
					scale /= 10;
				}
			}
		}
		/* 24:00 is not accepted; a leap second 60 is folded into :59. */
		if (f->hour > 23 || f->min > 59 || f->sec > 60)
			return -1;
		if (f->sec == 60)
			f->sec = 59;
	}
	if (*p == 'Z' || *p == 'z') {
		f->has_zone = 1;
		p++;
	} else if ((*p == '+' || *p == '-') && f->has_time) {
		int sign = *p++ == '-' ? -1 : 1;
		int oh, om = 0;

		if ((oh = digits(&p, 2)) < 0)
			return -1;
		if (*p == ':')
			p++;
		if (isdigit((unsigned char)*p) && (om = digits(&p, 2)) < 0)
			return -1;
		if (oh > 23 || om > 59)
			return -1;
		f->has_zone = 1;
		f->offset_min = sign * (oh * 60 + om);
	}
	while (isspace((unsigned char)*p))
		p++;
	return *p ? -1 : 0;
}

static int64_t iso_to_utc_ms(const struct iso_fields *f)
{
	int64_t days = days_from_civil(f->year, f->mon, f->day);

	return days * MS_PER_DAY + f->hour * MS_PER_HOUR + f->min * MS_PER_MIN +
	       f->sec * MS_PER_SEC + f->msec - f->offset_min * MS_PER_MIN;
}

/*
 * Local midnight of a calendar day (plus `day_offset` days, normalised by
 * mktime), in ms. Returns 0 or -1 when the C library cannot represent it.
 */
static int local_day_start(int64_t *ms, int year, int mon, int day, int day_offset)
{
	struct tm tm;
	time_t t;

	memset(&tm, 0, sizeof(tm));
	tm.tm_year = year - 1900;
	tm.tm_mon = mon - 1;
	tm.tm_mday = day + day_offset;
	tm.tm_isdst = -1;
	t = mktime(&tm);
	/* -1 is also 23:59:59 on 1969-12-31, never a midnight: it can only be an error. */
	if (t == (time_t)-1)
		return -1;
	/*
	 * Where DST starts at midnight, 00:00 does not exist and mktime moves
	 * on to 01:00: that is the start of that day, which is what we want.
	 */
	*ms = (int64_t)t * MS_PER_SEC;
	return 0;
}

static int local_to_ms(int64_t *ms, const struct iso_fields *f)
{
	struct tm tm;
	time_t t;

	memset(&tm, 0, sizeof(tm));
	tm.tm_year = f->year - 1900;
	tm.tm_mon = f->mon - 1;
	tm.tm_mday = f->day;
	tm.tm_hour = f->hour;
	tm.tm_min = f->min;
	tm.tm_sec = f->sec;
	tm.tm_isdst = -1;
	errno = 0;
	t = mktime(&tm);
	if (t == (time_t)-1 && errno)
		return -1;
	*ms = (int64_t)t * MS_PER_SEC + f->msec;
	return 0;
}

/* The local calendar day of an instant. */
static int local_day_of(int64_t ms, int *year, int *mon, int *day)
{
	time_t t = (time_t)(ms >= 0 ? ms / MS_PER_SEC : (ms - 999) / MS_PER_SEC);
	struct tm tm;

	if (!localtime_r(&t, &tm))
		return -1;
	*year = tm.tm_year + 1900;
	*mon = tm.tm_mon + 1;
	*day = tm.tm_mday;
	return 0;
}

int ins_time_parse_window(int64_t *ms, const char *s)
{
	const char *p = s;
	int64_t total = 0;
	int parts = 0;

	if (!s)
		return ins_error_set(INS_EUSAGE, "missing time window");
	while (*p) {
		int64_t n = 0, unit;

		if (!isdigit((unsigned char)*p))
			goto bad;
		for (; isdigit((unsigned char)*p); p++) {
			if (n > (INT64_MAX - 9) / 10)
				goto bad;
			n = n * 10 + (*p - '0');
		}
		switch (*p) {
		case 'w': unit = 7 * MS_PER_DAY; break;
		case 'd': unit = MS_PER_DAY; break;
		case 'h': unit = MS_PER_HOUR; break;
		case 'm': unit = MS_PER_MIN; break;
		case 's': unit = MS_PER_SEC; break;
		default: goto bad;
		}
		p++;
		if (n > (INT64_MAX - total) / unit)
			goto bad;
		total += n * unit;
		parts++;
	}
	if (!parts)
		goto bad;
	*ms = total;
	return 0;
bad:
	return ins_error_set(INS_EUSAGE,
			     "invalid time window '%s' (expected e.g. 7d, 24h, 30m, 1d12h)", s);
}

/* A date relative to `now`; see ins_time_parse_date. */
static int parse_date_at(int64_t *ms, const char *s, int end_of_day, int64_t now)
{
	struct iso_fields f;
	int year, mon, day, back;

	if (!s)
		goto bad;
	if (!strcmp(s, "now")) {
		*ms = now;
		return 0;
	}
	if (!strcmp(s, "today") || !strcmp(s, "yesterday")) {
		back = !strcmp(s, "yesterday");
		if (local_day_of(now, &year, &mon, &day) < 0)
			goto bad;
	} else {
		if (iso_parse(&f, s) < 0)
			goto bad;
		if (f.has_time) {
			if (f.has_zone) {
				*ms = iso_to_utc_ms(&f);
				return 0;
			}
			if (local_to_ms(ms, &f) < 0)
				goto bad;
			return 0;
		}
		if (f.has_zone) {
			/* A bare date with Z: that UTC day. */
			*ms = iso_to_utc_ms(&f) + (end_of_day ? MS_PER_DAY - 1 : 0);
			return 0;
		}
		year = f.year, mon = f.mon, day = f.day;
		back = 0;
	}
	if (end_of_day) {
		/* The next local midnight minus 1 ms: right on days of 23 or 25 hours too. */
		if (local_day_start(ms, year, mon, day, 1 - back) < 0)
			goto bad;
		*ms -= 1;
	} else if (local_day_start(ms, year, mon, day, -back) < 0) {
		goto bad;
	}
	return 0;
bad:
	return ins_error_set(INS_EUSAGE,
			     "invalid date '%s' (expected YYYY-MM-DD, YYYY-MM-DDTHH:MM, today, "
			     "yesterday or now)", s ? s : "");
}

int ins_time_parse_date(int64_t *ms, const char *s, int end_of_day)
{
	return parse_date_at(ms, s, end_of_day, ins_time_now_ms());
}

int ins_time_parse_period(int64_t *from_ms, int64_t *to_ms, const char *s, int64_t now_ms)
{
	const char *dots;
	int64_t from, to, win;
	char *a = NULL, *b = NULL;
	int err = 0;

	if (!s || !*s)
		return ins_error_set(INS_EUSAGE, "missing period");
	dots = strstr(s, "..");
	if (dots) {
		a = ins_xstrndup(s, (size_t)(dots - s));
		b = ins_xstrdup(dots + 2);
		if (!*a && !*b)
			goto bad;
		from = INT64_MIN;
		to = INT64_MAX;
		if (*a && parse_date_at(&from, a, 0, now_ms) < 0)
			goto bad;
		if (*b && parse_date_at(&to, b, 1, now_ms) < 0)
			goto bad;
	} else if (isdigit((unsigned char)s[0]) && strchr(s, '-') == NULL) {
		if (ins_time_parse_window(&win, s) < 0) {
			err = ins_error_code();
			goto done;
		}
		from = now_ms - win;
		to = now_ms;
	} else {
		if (parse_date_at(&from, s, 0, now_ms) < 0 || parse_date_at(&to, s, 1, now_ms) < 0)
			goto bad;
	}
	if (from > to) {
		err = ins_error_set(INS_EUSAGE, "empty period '%s': it ends before it starts", s);
		goto done;
	}
	*from_ms = from;
	*to_ms = to;
	goto done;
bad:
	err = ins_error_set(INS_EUSAGE,
			    "invalid period '%s' (expected e.g. 7d, 24h, today, yesterday, "
			    "2026-11-01..2026-11-07 or 2026-11-01..)", s);
done:
	free(a);
	free(b);
	return err;
}

int ins_timestamp_parse(int64_t *ms, const char *s)
{
	struct iso_fields f;

	if (!s || iso_parse(&f, s) < 0)
		return ins_error_set(INS_EINVALID, "invalid timestamp '%s' (expected ISO 8601)",
				     s ? s : "");
	*ms = iso_to_utc_ms(&f);
	return 0;
}

int64_t ins_time_now_ms(void)
{
	const char *pin = getenv("INSIGHT_NOW");
	struct timespec ts;

	if (pin && *pin) {
		struct iso_fields f;
		char *end;
		long long v;

		errno = 0;
		v = strtoll(pin, &end, 10);
		if (!*end && !errno && end != pin)
			return (int64_t)v;
		if (iso_parse(&f, pin) == 0)
			return iso_to_utc_ms(&f);
		/* An unreadable pin is ignored: the clock is the honest fallback. */
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * MS_PER_SEC + ts.tv_nsec / 1000000;
}

/* Floor division and remainder, right for times before 1970 too. */
static int64_t floor_div(int64_t a, int64_t b, int64_t *rem)
{
	int64_t q = a / b, r = a % b;

	if (r < 0) {
		r += b;
		q--;
	}
	*rem = r;
	return q;
}

void ins_time_format_iso(ins_buf *b, int64_t ms)
{
	int64_t days, rem, y;
	int m, d;

	days = floor_div(ms, MS_PER_DAY, &rem);
	civil_from_days(days, &y, &m, &d);
	ins_buf_printf(b, "%04lld-%02d-%02dT%02d:%02d:%02d.%03dZ", (long long)y, m, d,
		       (int)(rem / MS_PER_HOUR), (int)(rem / MS_PER_MIN % 60),
		       (int)(rem / MS_PER_SEC % 60), (int)(rem % MS_PER_SEC));
}

void ins_time_format_local(ins_buf *b, int64_t ms, int with_seconds)
{
	int64_t rem;
	time_t t = (time_t)floor_div(ms, MS_PER_SEC, &rem);
	struct tm tm;

	if (!localtime_r(&t, &tm)) {
		ins_time_format_iso(b, ms);
		return;
	}
	ins_buf_printf(b, "%04d-%02d-%02d %02d:%02d", tm.tm_year + 1900, tm.tm_mon + 1,
		       tm.tm_mday, tm.tm_hour, tm.tm_min);
	if (with_seconds)
		ins_buf_printf(b, ":%02d", tm.tm_sec);
}

void ins_duration_format(ins_buf *b, double secs)
{
	double ms;
	int64_t r;

	if (!isfinite(secs) || secs < 0) {
		ins_buf_puts(b, "-");
		return;
	}
	ms = secs * 1000.0;
	if (ms < 0.95) {
		/* Under a millisecond: one decimal, "0.4ms"; zero is "0ms". */
		if (ms < 0.05)
			ins_buf_puts(b, "0ms");
		else
			ins_buf_printf(b, "%.1fms", ms);
		return;
	}
	if (ms < 999.5) {
		ins_buf_printf(b, "%.0fms", ms);
		return;
	}
	/* Round to centiseconds once, so "59.999" becomes "1m 00s", never "60.00s". */
	if (secs < 59.995) {
		ins_buf_printf(b, "%.2fs", secs);
		return;
	}
	r = (int64_t)llround(secs);
	if (r < 3600) {
		ins_buf_printf(b, "%dm %02ds", (int)(r / 60), (int)(r % 60));
		return;
	}
	r = (int64_t)llround(secs / 60.0);
	ins_buf_printf(b, "%lldh %02dm", (long long)(r / 60), (int)(r % 60));
}

void ins_duration_format_signed(ins_buf *b, double secs)
{
	if (!isfinite(secs)) {
		ins_buf_puts(b, "-");
		return;
	}
	ins_buf_putc(b, secs < 0 ? '-' : '+');
	ins_duration_format(b, fabs(secs));
}
