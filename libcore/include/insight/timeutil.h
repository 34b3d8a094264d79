/*
 * timeutil.h - every conversion between time and text in one place.
 *
 * insight keeps time as int64 milliseconds since the Unix epoch, UTC. Text
 * from users (windows, dates, periods) is read here; timestamps from reports
 * are read here; times are shown to people in local time and written to
 * JSON in ISO 8601 UTC, both from here.
 *
 * "Now" is ins_time_now_ms(): the clock, unless the environment variable
 * INSIGHT_NOW pins it (an ISO 8601 time, UTC when it has no zone, or epoch
 * milliseconds), so that tests and demos give the same answer every day.
 */
#ifndef INSIGHT_TIMEUTIL_H
#define INSIGHT_TIMEUTIL_H

#include <stdint.h>

#include "insight/buf.h"

/*
 * A time window: one or more <number><unit> pairs with the units w (weeks),
 * d (days), h (hours), m (minutes) and s (seconds), e.g. "7d", "24h",
 * "1d12h", "90m". Sets *ms and returns 0, or INS_EUSAGE with a message.
 */
int ins_time_parse_window(int64_t *ms, const char *s);

/*
 * A date given by a user: "2026-11-01", "2026-11-01T10:00",
 * "2026-11-01 10:00:00" (optionally with seconds' fraction), each with an
 * optional "Z" or "+01:00" zone (local time without one); or "today",
 * "yesterday", "now". A date without a time means the start of that local
 * day, or its last millisecond when `end_of_day` is set. Returns 0 or
 * INS_EUSAGE with a message.
 */
int ins_time_parse_date(int64_t *ms, const char *s, int end_of_day);

/*
 * A period given by a user, read against `now_ms`:
 *   "2026-11-01..2026-11-07"  both days inclusive (times allowed too)
 *   "2026-11-01.."            from that day on: *to_ms = INT64_MAX
 *   "..2026-11-07"            up to the end of that day: *from_ms = INT64_MIN
 *   "7d", "24h", "1d12h"      the window before now: now - window .. now
 *   "today", "yesterday", "2026-11-01"   that whole local day
 * Sets [*from_ms, *to_ms] (inclusive) and returns 0, or INS_EUSAGE.
 */
int ins_time_parse_period(int64_t *from_ms, int64_t *to_ms, const char *s, int64_t now_ms);

/*
 * A timestamp from a report: ISO 8601 "YYYY-MM-DD[T| ]HH:MM[:SS[.fff...]]"
 * with an optional "Z" or "+HH:MM"/"+HHMM"/"+HH" zone, or a bare date. No zone
 * means UTC (reports are read the same on every machine). Fractions finer
 * than a millisecond are truncated. Returns 0 or INS_EINVALID with a message.
 */
int ins_timestamp_parse(int64_t *ms, const char *s);

/* Now, in epoch milliseconds (INSIGHT_NOW when set and valid). */
int64_t ins_time_now_ms(void);

/* Append `ms` as ISO 8601 UTC with milliseconds: "2026-11-23T12:00:00.123Z". */
void ins_time_format_iso(ins_buf *b, int64_t ms);

/* Append `ms` in local time: "2026-11-23 13:00", or "2026-11-23 13:00:05". */
void ins_time_format_local(ins_buf *b, int64_t ms, int with_seconds);

/*
 * Append a duration for people: "0.4ms", "12ms", "1.25s", "3m 04s",
 * "1h 02m"; "-" when negative or not a number.
 */
void ins_duration_format(ins_buf *b, double secs);

/*
 * Append a change of a duration, signed, in the same units: "+12ms",
 * "-1.20s", "+3m 04s"; "-" when not a number. Zero reads "+0ms".
 */
void ins_duration_format_signed(ins_buf *b, double secs);

#endif
