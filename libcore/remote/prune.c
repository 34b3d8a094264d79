/*
 * prune.c - retention on a PostgreSQL remote, and the monthly partitions of
 * its results.
 *
 * Results are partitioned by the month their session started in (see the
 * schema in pg.c). `remote init` and `remote prune` keep a partition for
 * every month that has rows and for the months ahead; a push never creates
 * one, and a month without its partition fills the default partition until
 * the next of them moves its rows out.
 *
 * Pruning deletes the sessions that started before a limit: the months
 * wholly before it lose their partition (DROP TABLE, no row by row work);
 * the rest goes row by row. The limit is kept in insight.meta
 * (pruned_before), and pushes leave out sessions older than it, so that a
 * history that still has them does not send them again. Fetching histories
 * keep their copies: remote retention is the remote's own.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "insight/buf.h"
#include "insight/errors.h"
#include "insight/remote.h"
#include "remote/remote_internal.h"

/* Serialises pushes, deletions and pruning (as in push.c). */
#define PUSH_LOCK "7283950118"

/* Months whose partition `remote init` and `remote prune` create ahead of now. */
#define MONTHS_AHEAD 12

/* The first cell of a result as a number (0 when NULL). */
static int64_t first_i64(const PGresult *res)
{
	return PQgetisnull(res, 0, 0) ? 0 : strtoll(PQgetvalue(res, 0, 0), NULL, 10);
}

int ins_remote_partition(ins_remote *r, int64_t now_ms, int *created)
{
	char now_s[32], ahead_s[16];
	const char *params[2] = { now_s, ahead_s };
	PGresult *res;
	int rc;

	snprintf(now_s, sizeof(now_s), "%lld", (long long)now_ms);
	snprintf(ahead_s, sizeof(ahead_s), "%d", MONTHS_AHEAD);
	res = ins_remote__query(r,
		"SELECT count(*) FILTER (WHERE insight.ensure_result_month(m)) FROM ("
		" SELECT DISTINCT date_trunc('month', to_timestamp(session_started_ms / 1000.0)"
		"  AT TIME ZONE 'UTC')::date AS m FROM insight.result_default"
		" UNION SELECT generate_series(date_trunc('month', to_timestamp($1::bigint / 1000.0)"
		"  AT TIME ZONE 'UTC'), date_trunc('month', to_timestamp($1::bigint / 1000.0)"
		"  AT TIME ZONE 'UTC') + make_interval(months => $2::int), interval '1 month')::date"
		") months", 2, params, "creating the monthly partitions", &rc);
	if (!res)
		return rc;
	if (created)
		*created = (int)first_i64(res);
	PQclear(res);
	return 0;
}

/* The statements that prune, each with $1 = the limit in ms; counts come first. */
static const char *const prune_sql[] = {
	"DELETE FROM insight.result WHERE session_started_ms < $1",
	"DELETE FROM insight.result_property WHERE session_id IN"
	"  (SELECT id FROM insight.session WHERE started_ms < $1)",
	"DELETE FROM insight.session_tag WHERE session_id IN"
	"  (SELECT id FROM insight.session WHERE started_ms < $1)",
	"DELETE FROM insight.output_section WHERE session_id IN"
	"  (SELECT id FROM insight.session WHERE started_ms < $1)",
	"DELETE FROM insight.session WHERE started_ms < $1",
	"INSERT INTO insight.meta VALUES ('pruned_before', $1) ON CONFLICT (key) DO UPDATE"
	"  SET value = greatest(insight.meta.value::bigint, excluded.value::bigint)::text",
};

int ins_remote_prune(ins_remote *r, int64_t before_ms, int64_t now_ms, int dry_run,
		     ins_remote_prune_counts *out)
{
	char before_s[32];
	const char *params[1] = { before_s };
	PGresult *res;
	int rc;

	memset(out, 0, sizeof(*out));
	snprintf(before_s, sizeof(before_s), "%lld", (long long)before_ms);
	if ((rc = ins_remote_check(r)) < 0)
		return rc;
	if ((rc = ins_remote__exec(r, "BEGIN; SELECT pg_advisory_xact_lock(" PUSH_LOCK ")",
				   "starting to prune")) < 0)
		return rc;
	if (!(res = ins_remote__query(r, "SELECT (SELECT count(*) FROM insight.session"
				      " WHERE started_ms < $1), (SELECT count(*) FROM insight.result"
				      " WHERE session_started_ms < $1)", 1, params,
				      "counting what to prune", &rc)))
		goto fail;
	out->sessions = first_i64(res);
	out->results = strtoll(PQgetvalue(res, 0, 1), NULL, 10);
	PQclear(res);
	/* The month partitions wholly before the limit. */
	if (!(res = ins_remote__query(r,
		"SELECT to_date(substr(c.relname, 8), 'YYYYMM') FROM pg_inherits i"
		" JOIN pg_class c ON c.oid = i.inhrelid"
		" WHERE i.inhparent = 'insight.result'::regclass AND c.relname ~ '^result_[0-9]{6}$'"
		" AND insight.month_ms((to_date(substr(c.relname, 8), 'YYYYMM')"
		"  + interval '1 month')::date) <= $1 ORDER BY 1", 1, params,
		"listing the monthly partitions", &rc)))
		goto fail;
	out->partitions = PQntuples(res);
	for (int i = 0; i < PQntuples(res) && !dry_run; i++) {
		const char *month[1] = { PQgetvalue(res, i, 0) };
		PGresult *d = ins_remote__query(r, "SELECT insight.drop_result_month($1::date)", 1,
						month, "dropping a monthly partition", &rc);

		if (!d)
			break;
		PQclear(d);
	}
	PQclear(res);
	if (rc < 0)
		goto fail;
	if (dry_run) {
		PQclear(PQexec(r->conn, "ROLLBACK"));
		return 0;
	}
	for (size_t i = 0; i < sizeof(prune_sql) / sizeof(prune_sql[0]); i++) {
		if (!(res = ins_remote__query(r, prune_sql[i], 1, params, "pruning", &rc)))
			goto fail;
		PQclear(res);
	}
	if ((rc = ins_remote_partition(r, now_ms, &out->created)) < 0)
		goto fail;
	return ins_remote__exec(r, "COMMIT", "committing the pruning");
fail:
	if (PQstatus(r->conn) == CONNECTION_OK)
		PQclear(PQexec(r->conn, "ROLLBACK"));
	return rc;
}
