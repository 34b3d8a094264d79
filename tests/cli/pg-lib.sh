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
