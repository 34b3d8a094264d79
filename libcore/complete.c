/*
 * complete.c - names for shell completion (see complete.h).
 *
 * Invariants: read-only; every query is bounded by the limit; a prefix is
 * matched in C or with substr(), never spliced into SQL or LIKE patterns
 * (a typed '%' or '_' must not act as a wildcard).
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "insight/complete.h"
#include "store/store_internal.h"

static int run(ins_store *store, ins_complete_kind kind, sqlite3_stmt *st, const char *prefix,
	       size_t limit, ins_complete_fn fn, void *data)
{
	size_t n = 0, plen = strlen(prefix);
	int rc = SQLITE_DONE;

	while (n < limit && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *value = ins_store__col_text(st, 0);
		char desc[96];

		if (kind == INS_COMPLETE_TEST) {
			/* Rows come in node id order from the first id >= prefix. */
			if (strncmp(value, prefix, plen))
				break;
			fn(data, value, NULL);
		} else if (kind == INS_COMPLETE_SESSION) {
			char shortid[INS_SESSION_ID_SHORT + 1];
			time_t t = (time_t)(sqlite3_column_int64(st, 2) / 1000);
			struct tm tm;
			char when[32] = "";

			snprintf(shortid, sizeof(shortid), "%s", value);
			if (gmtime_r(&t, &tm))
				strftime(when, sizeof(when), "%Y-%m-%d %H:%M", &tm);
			snprintf(desc, sizeof(desc), "%.60s %s", ins_store__col_text(st, 1), when);
			fn(data, shortid, desc);
		} else {
			long long k = sqlite3_column_int64(st, 1);
			snprintf(desc, sizeof(desc), "%lld session%s", k, k == 1 ? "" : "s");
			fn(data, value, desc);
		}
		n++;
	}
	if (n < limit && rc != SQLITE_DONE && rc != SQLITE_ROW)
		return ins_store__error(store, "listing names for completion");
	return 0;
}

int ins_complete_values(ins_store *store, ins_complete_kind kind, const char *prefix,
			const char *sut, size_t limit, ins_complete_fn fn, void *data)
{
	static const char *const sql[] = {
		[INS_COMPLETE_SUT] =
		"SELECT s.name, (SELECT count(*) FROM session se WHERE se.sut_id = s.id) "
		"FROM sut s WHERE substr(s.name, 1, length(?1)) = ?1 ORDER BY s.name",
		[INS_COMPLETE_SESSION] =
		"SELECT se.uid, s.name, se.started_ms FROM session se JOIN sut s ON s.id = se.sut_id "
		"WHERE substr(se.uid, 1, length(?1)) = ?1 AND (?2 IS NULL OR s.name = ?2) "
		"ORDER BY se.started_ms DESC, se.uid DESC",
		[INS_COMPLETE_TEST] =
		"SELECT t.nodeid FROM test t WHERE t.nodeid >= ?1 AND (?2 IS NULL OR EXISTS ("
		"SELECT 1 FROM " INS_RESULT_BY_TEST " r JOIN session se ON se.id = r.session_id "
		"JOIN sut s ON s.id = se.sut_id WHERE r.test_id = t.id AND s.name = ?2)) "
		"ORDER BY t.nodeid",
	};
	ins_buf upper = INS_BUF_INIT;
	sqlite3_stmt *st;
	int rc;

	if ((unsigned)kind > INS_COMPLETE_TEST)
		return ins_error_set(INS_EUSAGE, "unknown completion kind %d", (int)kind);
	if (!prefix)
		prefix = "";
	if (!limit)
		limit = 200;
	if (kind == INS_COMPLETE_SESSION) {
		/* Session ids are stored upper-case; refs are case-insensitive. */
		for (const char *p = prefix; *p; p++)
			ins_buf_putc(&upper, (char)toupper((unsigned char)*p));
		prefix = upper.ptr;
	}
	if ((rc = ins_store__prepare(store, &st, sql[kind])) < 0)
		goto done;
	ins_store__bind_text(st, 1, prefix);
	if (kind != INS_COMPLETE_SUT)
		ins_store__bind_text(st, 2, sut && *sut ? sut : NULL);
	rc = run(store, kind, st, prefix, limit, fn, data);
	sqlite3_finalize(st);
done:
	ins_buf_release(&upper);
	return rc;
}
