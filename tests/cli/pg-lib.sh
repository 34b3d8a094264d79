# pg-lib.sh - start a throwaway PostgreSQL server from a CLI test. Source it
# after lib.sh; one server per test script.
#
#   start_pg      runs initdb and pg_ctl in a fresh directory, listening on
#                 a Unix socket in that directory and on 127.0.0.1 at a free
#                 port, and sets PG_HOST (the socket directory), PG_PORT,
#                 PG_DB and PG_URL (postgresql://USER@127.0.0.1:PORT/insight).
#                 When the tests run as root, the server runs as the
#                 `postgres` user. Returns 2 when PostgreSQL is not installed.
#   stop_pg       stops it; also done by a trap on EXIT, however the test ends.
#   pg_psql ARGS  runs psql against it (no .psqlrc, errors stop it).

PG_BIN=""
for d in /usr/lib/postgresql/*/bin; do
	[ -x "$d/pg_ctl" ] && PG_BIN=$d
done
PG_DIR=""
PG_RUNAS=""

pg_as() {
	if [ -n "$PG_RUNAS" ]; then
		(cd / && runuser -u "$PG_RUNAS" -- "$@")
	else
		"$@"
	fi
}

stop_pg() {
	[ -n "$PG_DIR" ] && [ -f "$PG_DIR/data/postmaster.pid" ] &&
		pg_as "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m immediate -w stop >/dev/null 2>&1
	[ -n "$PG_DIR" ] && rm -rf "$PG_DIR"
	PG_DIR=""
}
trap stop_pg EXIT

pg_free_port() {
	"$INSIGHT_PYTHON" -c '
import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])'
}

start_pg() {
	[ -n "$PG_BIN" ] || return 2
	PG_DIR=$(mktemp -d "${TMPDIR:-/tmp}/insight-pg.XXXXXX")
	PG_USER=$(id -un)
	if [ "$(id -u)" = 0 ]; then
		PG_RUNAS=postgres
		PG_USER=postgres
		chmod 755 "$PG_DIR"
		chown postgres "$PG_DIR"
	fi
	pg_as "$PG_BIN/initdb" -D "$PG_DIR/data" -U "$PG_USER" -A trust \
		--no-sync -E UTF8 --locale=C >"$PG_DIR/initdb.log" 2>&1 || {
		cat "$PG_DIR/initdb.log" >&2
		return 1
	}
	for _ in 1 2 3 4 5; do
		PG_PORT=$(pg_free_port)
		if pg_as "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -t 30 \
			-o "-k $PG_DIR -h 127.0.0.1 -p $PG_PORT -F -c fsync=off" start >/dev/null 2>&1; then
			PG_HOST=$PG_DIR
			PG_DB=insight
			pg_as "$PG_BIN/createdb" -h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER" "$PG_DB" || return 1
			PG_URL="postgresql://$PG_USER@127.0.0.1:$PG_PORT/$PG_DB"
			export PG_HOST PG_PORT PG_USER PG_DB PG_URL
			return 0
		fi
	done
	cat "$PG_DIR/server.log" >&2
	return 1
}

pg_psql() {
	PSQLRC=/dev/null psql -X -q -v ON_ERROR_STOP=1 -h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER" \
		-d "$PG_DB" "$@"
}

# pg_remote_downgrade VERSION [DB]: turn the insight schema of the test
# database (or DB) back into the schema of an older insight (version 2:
# results not partitioned; version 1: no tombstones either), keeping the
# rows, as such an insight left it.
pg_remote_downgrade() {
	pg_psql -d "${2:-$PG_DB}" -c "BEGIN;
		CREATE TABLE insight.result_v2 AS SELECT session_id, ord, test_id, attempt, outcome,
			duration, start_ms, flags, fingerprint_id, message, detail, stdout, stderr, log
			FROM insight.result;
		DROP TABLE insight.result;
		DROP FUNCTION insight.ensure_result_month(date);
		DROP FUNCTION insight.drop_result_month(date);
		DROP FUNCTION insight.month_ms(date);
		ALTER TABLE insight.result_v2 RENAME TO result;
		ALTER TABLE insight.result ALTER COLUMN ord SET NOT NULL,
			ALTER COLUMN outcome SET NOT NULL, ALTER COLUMN flags SET NOT NULL,
			ADD CONSTRAINT result_pkey PRIMARY KEY (session_id, test_id, attempt),
			ADD FOREIGN KEY (session_id) REFERENCES insight.session(id),
			ADD FOREIGN KEY (test_id) REFERENCES insight.test(id),
			ADD FOREIGN KEY (fingerprint_id) REFERENCES insight.fingerprint(id);
		UPDATE insight.meta SET value = '2' WHERE key = 'version';
		COMMIT" >/dev/null || return 1
	if [ "$1" = 1 ]; then
		pg_psql -d "${2:-$PG_DB}" -c "DROP TABLE insight.tombstone;
			DROP SEQUENCE insight.tombstone_seq;
			UPDATE insight.meta SET value = '1' WHERE key = 'version'" >/dev/null || return 1
	fi
}
