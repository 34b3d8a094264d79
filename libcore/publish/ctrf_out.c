/*
 * ctrf_out.c - a stored session written as CTRF JSON (the Common Test Report
 * Format, ctrf.io), the document CTRF's reporters, GitHub actions and
 * dashboards read.
 *
 * One test object per test, its final attempt deciding its status; CTRF has
 * five statuses, so insight's outcomes keep their own name in rawStatus:
 *
 *   passed   passed                 xpassed  passed, rawStatus "xpassed"
 *   failed   failed                 error    failed, rawStatus "error"
 *   skipped  skipped                xfailed  skipped, rawStatus "xfailed"
 *
 * Earlier attempts go in retryAttempts (attempt numbers from 1), with
 * "retries" their count and "flaky" true when the test passed in the end
 * after a failing attempt. stdout and stderr are split into lines as CTRF
 * wants them. Strings are written as valid UTF-8 whatever was stored.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "insight/buf.h"
#include "insight/errors.h"
#include "insight/export.h"
#include "insight/model.h"
#include "insight/timeutil.h"
#include "publish/publish_internal.h"
#include "store/store_internal.h"

/* Length of the valid UTF-8 sequence at s (at most n bytes), 0 if invalid. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	size_t len;
	unsigned cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xC2 && s[0] <= 0xDF) {
		len = 2;
		cp = s[0] & 0x1F;
	} else if (s[0] >= 0xE0 && s[0] <= 0xEF) {
		len = 3;
		cp = s[0] & 0x0F;
	} else if (s[0] >= 0xF0 && s[0] <= 0xF4) {
		len = 4;
		cp = s[0] & 0x07;
	} else {
		return 0;
	}
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3F);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
	    (cp >= 0xD800 && cp <= 0xDFFF))
		return 0;
	return len;
}

/* `s` (n bytes) as a JSON string; invalid UTF-8 becomes U+FFFD. */
void ins_publish__json_str_n(FILE *fp, const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;

	fputc('"', fp);
	for (size_t i = 0; i < n;) {
		size_t len = utf8_len(s + i, n - i);

		if (!len) {
			fputs("\xEF\xBF\xBD", fp);
			i++;
			continue;
		}
		if (len > 1) {
			/* U+2028/9 are valid JSON but break JavaScript string literals */
			if (len == 3 && s[i] == 0xE2 && s[i + 1] == 0x80 &&
			    (s[i + 2] == 0xA8 || s[i + 2] == 0xA9))
				fprintf(fp, "\\u%04x", s[i + 2] == 0xA8 ? 0x2028 : 0x2029);
			else
				fwrite(s + i, 1, len, fp);
			i += len;
			continue;
		}
		switch (s[i]) {
		case '"': fputs("\\\"", fp); break;
		case '\\': fputs("\\\\", fp); break;
		case '\n': fputs("\\n", fp); break;
		case '\r': fputs("\\r", fp); break;
		case '\t': fputs("\\t", fp); break;
		default:
			if (s[i] < 0x20 || s[i] == 0x7F)
				fprintf(fp, "\\u%04x", s[i]);
			else
				fputc(s[i], fp);
		}
		i++;
	}
	fputc('"', fp);
}

static void json_str(FILE *fp, const char *s)
{
	ins_publish__json_str_n(fp, s ? s : "", strlen(s ? s : ""));
}

static void json_key_str(FILE *fp, const char *key, const char *val)
{
	fprintf(fp, ", \"%s\": ", key);
	json_str(fp, val);
}

/* Captured output as CTRF's list of lines. */
static void json_lines(FILE *fp, const char *key, const char *text)
{
	const char *p = text;

	if (!text)
		return;
	fprintf(fp, ", \"%s\": [", key);
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);

		if (p != text)
			fputs(", ", fp);
		ins_publish__json_str_n(fp, p, n);
		p += n + (nl ? 1 : 0);
	}
	fputc(']', fp);
}

static const char *ctrf_status(int outcome)
{
	switch (outcome) {
	case INS_OUTCOME_PASSED: case INS_OUTCOME_XPASSED: return "passed";
	case INS_OUTCOME_FAILED: case INS_OUTCOME_ERROR: return "failed";
	default: return "skipped";
	}
}

static long long ms(double seconds)
{
	return seconds > 0 ? (long long)(seconds * 1000.0 + 0.5) : 0;
}

struct ctrf_state {
	FILE *fp;
	size_t n;
};

static int put_test(void *data, const ins_export_test *t)
{
	struct ctrf_state *cs = data;
	FILE *fp = cs->fp;
	const ins_export_attempt *fin = &t->attempts[t->nattempts - 1];
	int any_failed = 0;

	fputs(cs->n++ ? ",\n    " : "\n    ", fp);
	fputs("{\"name\": ", fp);
	json_str(fp, t->nodeid);
	fprintf(fp, ", \"status\": \"%s\", \"duration\": %lld", ctrf_status(fin->outcome),
		ms(fin->duration));
	if (fin->outcome == INS_OUTCOME_ERROR || fin->outcome == INS_OUTCOME_XFAILED ||
	    fin->outcome == INS_OUTCOME_XPASSED)
		json_key_str(fp, "rawStatus", ins_outcome_name(fin->outcome));
	if (t->classname && *t->classname) {
		fputs(", \"suite\": [", fp);
		json_str(fp, t->classname);
		fputc(']', fp);
	}
	if (t->file)
		json_key_str(fp, "filePath", t->file);
	if (fin->message)
		json_key_str(fp, "message", fin->message);
	if (fin->detail)
		json_key_str(fp, "trace", fin->detail);
	json_lines(fp, "stdout", fin->out);
	json_lines(fp, "stderr", fin->err);
	if (t->nattempts > 1) {
		fprintf(fp, ", \"retries\": %zu, \"retryAttempts\": [", t->nattempts - 1);
		for (size_t i = 0; i + 1 < t->nattempts; i++) {
			const ins_export_attempt *a = &t->attempts[i];

			if (a->outcome == INS_OUTCOME_FAILED || a->outcome == INS_OUTCOME_ERROR)
				any_failed = 1;
			fprintf(fp, "%s{\"attempt\": %zu, \"status\": \"%s\", \"duration\": %lld",
				i ? ", " : "", i + 1, ctrf_status(a->outcome), ms(a->duration));
			if (a->message)
				json_key_str(fp, "message", a->message);
			if (a->detail)
				json_key_str(fp, "trace", a->detail);
			json_lines(fp, "stdout", a->out);
			json_lines(fp, "stderr", a->err);
			fputc('}', fp);
		}
		fputc(']', fp);
	}
	if (any_failed && (fin->outcome == INS_OUTCOME_PASSED || fin->outcome == INS_OUTCOME_XPASSED))
		fputs(", \"flaky\": true", fp);
	fputc('}', fp);
	return 0;
}

int ins_export_ctrf(ins_store *store, const char *uid, FILE *fp)
{
	sqlite3_stmt *st = NULL;
	ins_buf ts = INS_BUF_INIT;
	struct ctrf_state cs = { fp, 0 };
	long long start, stop;
	int rc;

	if ((rc = ins_store__prepare(store, &st,
		"SELECT u.name, s.started_ms, coalesce(s.finished_ms, s.started_ms + "
		"coalesce(s.duration, 0) * 1000), s.format, s.n_tests, s.n_passed + s.n_xpassed, "
		"s.n_failed + s.n_error, s.n_skipped + s.n_xfailed, s.n_flaky, s.git_commit, "
		"s.git_branch, s.ci_build_id, s.ci_build_url, s.ci_repo, s.host "
		"FROM session s JOIN sut u ON u.id = s.sut_id WHERE s.uid = ?1")) < 0)
		return rc;
	ins_store__bind_text(st, 1, uid);
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_finalize(st);
		return ins_error_set(INS_ENOTFOUND, "no session %s", uid);
	}
	start = sqlite3_column_int64(st, 1);
	stop = sqlite3_column_int64(st, 2);
	ins_time_format_iso(&ts, start);
	fputs("{\n  \"reportFormat\": \"CTRF\",\n  \"specVersion\": \"0.0.0\",\n", fp);
	fputs("  \"generatedBy\": \"insight\",\n  \"runId\": ", fp);
	json_str(fp, uid);
	fputs(",\n  \"timestamp\": ", fp);
	json_str(fp, ts.ptr);
	fputs(",\n  \"results\": {\n  \"tool\": {\"name\": ", fp);
	json_str(fp, ins_store__col_text(st, 3) ? ins_store__col_text(st, 3) : "insight");
	fprintf(fp, "},\n  \"summary\": {\"tests\": %lld, \"passed\": %lld, \"failed\": %lld, "
		"\"skipped\": %lld, \"pending\": 0, \"other\": 0, \"flaky\": %lld, "
		"\"start\": %lld, \"stop\": %lld, \"duration\": %lld},\n",
		(long long)sqlite3_column_int64(st, 4), (long long)sqlite3_column_int64(st, 5),
		(long long)sqlite3_column_int64(st, 6), (long long)sqlite3_column_int64(st, 7),
		(long long)sqlite3_column_int64(st, 8), start, stop < start ? start : stop,
		stop < start ? 0 : stop - start);
	fputs("  \"environment\": {\"appName\": ", fp);
	json_str(fp, ins_store__col_text(st, 0));
	{
		static const struct { int col; const char *key; } env[] = {
			{ 9, "commit" }, { 10, "branchName" }, { 11, "buildId" },
			{ 12, "buildUrl" }, { 13, "repositoryName" },
		};
		for (size_t i = 0; i < sizeof(env) / sizeof(env[0]); i++)
			if (sqlite3_column_type(st, env[i].col) != SQLITE_NULL)
				json_key_str(fp, env[i].key, ins_store__col_text(st, env[i].col));
		if (sqlite3_column_type(st, 14) != SQLITE_NULL) {
			fputs(", \"extra\": {\"host\": ", fp);
			json_str(fp, ins_store__col_text(st, 14));
			fputc('}', fp);
		}
	}
	fputs("},\n  \"tests\": [", fp);
	sqlite3_finalize(st);
	ins_buf_release(&ts);
	if ((rc = ins_export_each_test(store, uid, put_test, &cs)) < 0)
		return rc;
	fputs(cs.n ? "\n  ]\n  }\n}\n" : "]\n  }\n}\n", fp);
	return 0;
}
