/*
 * pg.c - a PostgreSQL remote: its schema, and the connection every push and
 * fetch goes through.
 *
 * The remote's tables live in the PostgreSQL schema `insight`. They are
 * created and migrated by `remote init` only (remote_migrations[], the same
 * rules as the local store's: a released migration is never edited); push
 * and fetch need nothing but SELECT and INSERT on them, and USAGE on their
 * sequences. insight.meta holds the schema version and the remote's id, a
 * random uuid by which a history remembers how far it has fetched.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pglib.h"

#include "insight/buf.h"
#include "insight/errors.h"
#include "insight/remote.h"
#include "remote/remote_internal.h"

static const char *const remote_migrations[] = {
	/* 0 -> 1: the initial schema. */
	"CREATE SCHEMA IF NOT EXISTS insight;"
	"CREATE TABLE insight.meta ("
	"  key text PRIMARY KEY,"
	"  value text NOT NULL"
	");"
	"INSERT INTO insight.meta VALUES ('id', gen_random_uuid()::text);"
	"CREATE SEQUENCE insight.arrival;"
	"CREATE TABLE insight.sut ("
	"  id bigserial PRIMARY KEY,"
	"  name text NOT NULL UNIQUE"
	");"
	"CREATE TABLE insight.test ("
	"  id bigserial PRIMARY KEY,"
	"  nodeid text NOT NULL UNIQUE,"
	"  file text, classname text, name text"
	");"
	"CREATE TABLE insight.fingerprint ("
	"  id bigserial PRIMARY KEY,"
	"  hash text NOT NULL UNIQUE,"
	"  signature text NOT NULL"
	");"
	"CREATE TABLE insight.session ("
	"  id bigserial PRIMARY KEY,"
	"  uid text NOT NULL UNIQUE,"
	/* assigned on arrival, in commit order: a fetch's watermark */
	"  arrival bigint NOT NULL DEFAULT nextval('insight.arrival'),"
	"  pushed_at timestamptz NOT NULL DEFAULT now(),"
	"  sut_id bigint NOT NULL REFERENCES insight.sut(id),"
	"  started_ms bigint NOT NULL,"
	"  finished_ms bigint,"
	"  state text NOT NULL,"
	"  command text, exit_status integer, format text, source text, host text,"
	"  git_commit text, git_tree text, git_branch text, git_parents text,"
	"  git_dirty integer, git_commit_ms bigint, git_author text, git_subject text,"
	"  ci_provider text, ci_build_id text, ci_build_url text, ci_job text, ci_pr text,"
	"  ci_branch text, ci_base_branch text, ci_commit text, ci_repo text"
	");"
	"CREATE INDEX session_by_arrival ON insight.session(arrival);"
	"CREATE INDEX session_by_sut_time ON insight.session(sut_id, started_ms);"
	"CREATE TABLE insight.session_tag ("
	"  session_id bigint NOT NULL REFERENCES insight.session(id),"
	"  key text NOT NULL,"
	"  value text NOT NULL,"
	"  PRIMARY KEY (session_id, key)"
	");"
	"CREATE TABLE insight.result ("
	"  session_id bigint NOT NULL REFERENCES insight.session(id),"
	"  ord integer NOT NULL,"                /* the order the session recorded it in */
	"  test_id bigint NOT NULL REFERENCES insight.test(id),"
	"  attempt integer NOT NULL,"
	"  outcome smallint NOT NULL,"
	"  duration double precision,"
	"  start_ms bigint,"
	"  flags integer NOT NULL,"
	"  fingerprint_id bigint REFERENCES insight.fingerprint(id),"
	"  message text, detail text, stdout text, stderr text, log text,"
	"  PRIMARY KEY (session_id, test_id, attempt)"
	");"
	"CREATE TABLE insight.result_property ("
	"  session_id bigint NOT NULL REFERENCES insight.session(id),"
	"  test_id bigint NOT NULL REFERENCES insight.test(id),"
	"  attempt integer NOT NULL,"
	"  seq integer NOT NULL,"                /* the order within the session */
	"  key text NOT NULL,"
	"  value text,"
	"  PRIMARY KEY (session_id, seq)"
	");"
	"CREATE TABLE insight.output_section ("
	"  session_id bigint NOT NULL REFERENCES insight.session(id),"
	"  seq integer NOT NULL,"
	"  name text NOT NULL,"
	"  content text NOT NULL,"
	"  PRIMARY KEY (session_id, seq)"
	");",
	/*
	 * 1 -> 2: tombstones. `push --delete` records each session deleted in
	 * the pusher's history here and removes it; a push never brings back a
	 * session with a tombstone, and a fetch deletes it from the fetching
	 * history. seq is assigned in commit order (under the push lock), a
	 * fetch's second watermark.
	 */
	"CREATE SEQUENCE insight.tombstone_seq;"
	"CREATE TABLE insight.tombstone ("
	"  uid text PRIMARY KEY,"
	"  seq bigint NOT NULL DEFAULT nextval('insight.tombstone_seq'),"
	"  deleted_at timestamptz NOT NULL DEFAULT now()"
	");"
	"CREATE INDEX tombstone_by_seq ON insight.tombstone(seq);",
	/*
	 * 2 -> 3: results partitioned by the month (UTC) their session started
	 * in, so that retention drops whole partitions. The partition key,
	 * session_started_ms, is part of the primary key. Rows of a month
	 * without a partition go to result_default, so that a push, which
	 * never runs DDL, always succeeds; ensure_result_month() (run by
	 * `remote init` and `remote prune`, as the schema's owner) creates a
	 * month's partition and moves its rows there from the default one,
	 * and drop_result_month() drops one.
	 */
	"ALTER TABLE insight.result RENAME TO result_unpartitioned;"
	"ALTER INDEX insight.result_pkey RENAME TO result_unpartitioned_pkey;"
	"CREATE TABLE insight.result ("
	"  session_id bigint NOT NULL REFERENCES insight.session(id),"
	"  ord integer NOT NULL,"
	"  test_id bigint NOT NULL REFERENCES insight.test(id),"
	"  attempt integer NOT NULL,"
	"  outcome smallint NOT NULL,"
	"  duration double precision,"
	"  start_ms bigint,"
	"  flags integer NOT NULL,"
	"  fingerprint_id bigint REFERENCES insight.fingerprint(id),"
	"  message text, detail text, stdout text, stderr text, log text,"
	"  session_started_ms bigint NOT NULL,"
	"  PRIMARY KEY (session_id, test_id, attempt, session_started_ms)"
	") PARTITION BY RANGE (session_started_ms);"
	"CREATE TABLE insight.result_default PARTITION OF insight.result DEFAULT;"
	"INSERT INTO insight.result SELECT r.*, s.started_ms FROM insight.result_unpartitioned r"
	"  JOIN insight.session s ON s.id = r.session_id;"
	"DROP TABLE insight.result_unpartitioned;"
	"CREATE FUNCTION insight.month_ms(month date) RETURNS bigint LANGUAGE sql IMMUTABLE AS"
	"  $f$ SELECT (extract(epoch FROM month::timestamp AT TIME ZONE 'UTC') * 1000)::bigint $f$;"
	"CREATE FUNCTION insight.ensure_result_month(month date) RETURNS boolean"
	"  LANGUAGE plpgsql AS $f$"
	"DECLARE"
	"  part text := 'result_' || to_char(date_trunc('month', month), 'YYYYMM');"
	"  lo bigint := insight.month_ms(date_trunc('month', month)::date);"
	"  hi bigint := insight.month_ms((date_trunc('month', month) + interval '1 month')::date);"
	"BEGIN"
	"  IF to_regclass('insight.' || part) IS NOT NULL THEN RETURN false; END IF;"
	"  EXECUTE format('CREATE TABLE insight.%I (LIKE insight.result INCLUDING DEFAULTS)', part);"
	"  EXECUTE format('WITH moved AS (DELETE FROM insight.result_default"
	"    WHERE session_started_ms >= %s AND session_started_ms < %s RETURNING *)"
	"    INSERT INTO insight.%I SELECT * FROM moved', lo, hi, part);"
	"  EXECUTE format('ALTER TABLE insight.result ATTACH PARTITION insight.%I"
	"    FOR VALUES FROM (%s) TO (%s)', part, lo, hi);"
	"  RETURN true;"
	"END $f$;"
	"CREATE FUNCTION insight.drop_result_month(month date) RETURNS boolean"
	"  LANGUAGE plpgsql AS $f$"
	"DECLARE"
	"  part text := 'result_' || to_char(date_trunc('month', month), 'YYYYMM');"
	"BEGIN"
	"  IF to_regclass('insight.' || part) IS NULL THEN RETURN false; END IF;"
	"  EXECUTE format('DROP TABLE insight.%I', part);"
	"  RETURN true;"
	"END $f$;",
};

#define REMOTE_MIGRATIONS ((int)(sizeof(remote_migrations) / sizeof(remote_migrations[0])))
_Static_assert(sizeof(remote_migrations) / sizeof(remote_migrations[0]) ==
	       INS_REMOTE_SCHEMA_VERSION, "one migration per remote schema version");

/* Serialises `remote init` runs on one database (any 64-bit constant). */
#define INIT_LOCK "7283950117"

int ins_remote_url_is_pg(const char *url)
{
	return url && (!strncmp(url, "postgresql://", 13) || !strncmp(url, "postgres://", 11));
}

int ins_remote_name_check(const char *name)
{
	size_t n = name ? strlen(name) : 0;

	if (n == 0 || n > 64 || strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
				       "0123456789-_") != n || name[0] == '-' || name[0] == '_')
		return ins_error_set(INS_EUSAGE, "'%s' is not a valid remote name (letters, digits, "
				     "'-' and '_', starting with a letter or digit)", name ? name : "");
	return 0;
}

/* libpq's message in one line: lines joined with "; ", white space trimmed. */
static void one_line(ins_buf *out, const char *msg)
{
	const char *p = msg ? msg : "";
	int sep = 0;

	while (*p) {
		size_t n = strcspn(p, "\n");
		const char *s = p, *e = p + n;

		while (s < e && (*s == ' ' || *s == '\t'))
			s++;
		while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
			e--;
		if (e > s) {
			if (sep)
				ins_buf_puts(out, "; ");
			ins_buf_put(out, s, (size_t)(e - s));
			sep = 1;
		}
		p += n;
		if (*p)
			p++;
	}
	if (!sep)
		ins_buf_puts(out, "no answer");
}

int ins_remote__error(ins_remote *r, const char *what, const PGresult *res)
{
	ins_buf msg = INS_BUF_INIT;
	int code = INS_ENET;

	if (PQstatus(r->conn) == CONNECTION_BAD) {
		one_line(&msg, PQerrorMessage(r->conn));
		ins_error_set(code, "remote '%s' went away while %s: %s", r->name, what, msg.ptr);
	} else {
		one_line(&msg, res ? PQresultErrorMessage(res) : PQerrorMessage(r->conn));
		ins_error_set(code, "remote '%s': %s: %s", r->name, what, msg.ptr);
	}
	ins_buf_release(&msg);
	return code;
}

int ins_remote__exec(ins_remote *r, const char *sql, const char *what)
{
	PGresult *res = PQexec(r->conn, sql);
	int rc = 0;

	if (PQresultStatus(res) != PGRES_COMMAND_OK && PQresultStatus(res) != PGRES_TUPLES_OK)
		rc = ins_remote__error(r, what, res);
	PQclear(res);
	return rc;
}

PGresult *ins_remote__query(ins_remote *r, const char *sql, int nparams,
			    const char *const *params, const char *what, int *rc)
{
	PGresult *res = PQexecParams(r->conn, sql, nparams, NULL, params, NULL, NULL, 0);

	*rc = 0;
	if (PQresultStatus(res) != PGRES_TUPLES_OK && PQresultStatus(res) != PGRES_COMMAND_OK) {
		*rc = ins_remote__error(r, what, res);
		PQclear(res);
		return NULL;
	}
	return res;
}

static void notice_quiet(void *arg, const char *message)
{
	(void)arg;
	(void)message;
}

int ins_remote_open(ins_remote **out, const char *name, const char *url)
{
	static const char *const keys[] = { "dbname", "fallback_application_name",
					     "client_encoding", NULL };
	const char *values[] = { url, "insight", "UTF8", NULL };
	ins_remote *r;
	char *masked = NULL;
	ins_buf msg = INS_BUF_INIT;
	int rc;

	*out = NULL;
	if (!ins_remote_url_is_pg(url))
		return ins_error_set(INS_EUSAGE, "remote '%s' is not a postgresql:// URL", name);
	if ((rc = ins__pglib_load()) < 0)
		return rc;
	r = ins_xcalloc(1, sizeof(*r));
	r->name = ins_xstrdup(name);
	r->conn = PQconnectdbParams(keys, values, 1);
	if (!r->conn || PQstatus(r->conn) != CONNECTION_OK) {
		if (ins_remote_url_mask(url, &masked) < 0)
			masked = NULL;
		one_line(&msg, r->conn ? PQerrorMessage(r->conn) : "out of memory");
		rc = ins_error_set(INS_ENET, "cannot connect to remote '%s' (%s): %s", name,
				   masked ? masked : "?", msg.ptr);
		free(masked);
		ins_buf_release(&msg);
		ins_remote_free(r);
		return rc;
	}
	PQsetNoticeProcessor(r->conn, notice_quiet, NULL);
	*out = r;
	return 0;
}

void ins_remote_free(ins_remote *r)
{
	if (!r)
		return;
	if (r->conn)
		PQfinish(r->conn);
	free(r->name);
	free(r->id);
	free(r);
}

/* The schema version on the remote, 0 without one; the remote's id into r->id. */
static int schema_version(ins_remote *r, int *version)
{
	PGresult *res;
	int rc;

	*version = 0;
	res = ins_remote__query(r, "SELECT to_regclass('insight.meta') IS NOT NULL", 0, NULL,
				"reading the schema", &rc);
	if (!res)
		return rc;
	if (strcmp(PQgetvalue(res, 0, 0), "t") != 0) {
		PQclear(res);
		return 0;
	}
	PQclear(res);
	res = ins_remote__query(r, "SELECT (SELECT value FROM insight.meta WHERE key = 'version'),"
				" (SELECT value FROM insight.meta WHERE key = 'id'),"
				" (SELECT value FROM insight.meta WHERE key = 'pruned_before')", 0, NULL,
				"reading the schema version", &rc);
	if (!res)
		return rc;
	*version = PQgetisnull(res, 0, 0) ? 0 : atoi(PQgetvalue(res, 0, 0));
	free(r->id);
	r->id = PQgetisnull(res, 0, 1) ? NULL : ins_xstrdup(PQgetvalue(res, 0, 1));
	r->pruned_before = PQgetisnull(res, 0, 2) ? 0 : strtoll(PQgetvalue(res, 0, 2), NULL, 10);
	PQclear(res);
	return 0;
}

int ins_remote_init(ins_remote *r, int *from, int *to)
{
	int version, rc;
	char sql[64];

	if ((rc = ins_remote__exec(r, "BEGIN; SELECT pg_advisory_xact_lock(" INIT_LOCK ")",
				   "starting the schema upgrade")) < 0)
		return rc;
	if ((rc = schema_version(r, &version)) < 0)
		goto fail;
	if (from)
		*from = version;
	if (version > REMOTE_MIGRATIONS) {
		rc = ins_error_set(INS_ESCHEMA, "remote '%s' has schema version %d, newer than this "
				   "insight knows (%d); upgrade insight", r->name, version,
				   REMOTE_MIGRATIONS);
		goto fail;
	}
	for (int v = version; v < REMOTE_MIGRATIONS; v++) {
		if ((rc = ins_remote__exec(r, remote_migrations[v], "creating the schema")) < 0)
			goto fail;
	}
	snprintf(sql, sizeof(sql), "%d", REMOTE_MIGRATIONS);
	/* Up to date: nothing written, so that any role may run it. */
	if (version < REMOTE_MIGRATIONS) {
		const char *params[] = { sql };
		PGresult *res = ins_remote__query(r,
			"INSERT INTO insight.meta VALUES ('version', $1) "
			"ON CONFLICT (key) DO UPDATE SET value = excluded.value", 1, params,
			"recording the schema version", &rc);
		if (!res)
			goto fail;
		PQclear(res);
	}
	if ((rc = ins_remote__exec(r, "COMMIT", "committing the schema")) < 0)
		goto fail;
	if (to)
		*to = REMOTE_MIGRATIONS;
	return schema_version(r, &version);
fail:
	if (PQstatus(r->conn) == CONNECTION_OK)
		PQclear(PQexec(r->conn, "ROLLBACK"));
	return rc;
}

int ins_remote_check(ins_remote *r)
{
	int version, rc;

	if ((rc = schema_version(r, &version)) < 0)
		return rc;
	if (version == 0)
		return ins_error_set(INS_ESCHEMA, "remote '%s' has no insight schema; run "
				     "'insight remote init %s' (as a role allowed to create tables)",
				     r->name, r->name);
	if (version < REMOTE_MIGRATIONS)
		return ins_error_set(INS_ESCHEMA, "remote '%s' has schema version %d, older than "
				     "this insight writes (%d); run 'insight remote init %s'",
				     r->name, version, REMOTE_MIGRATIONS, r->name);
	if (version > REMOTE_MIGRATIONS)
		return ins_error_set(INS_ESCHEMA, "remote '%s' has schema version %d, newer than "
				     "this insight knows (%d); upgrade insight", r->name, version,
				     REMOTE_MIGRATIONS);
	if (!r->id)
		return ins_error_set(INS_ECORRUPT, "remote '%s' has no id in insight.meta", r->name);
	return 0;
}
