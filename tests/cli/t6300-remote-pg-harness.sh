#!/bin/bash
# t6300-remote-pg-harness - the throwaway PostgreSQL of tests/cli/pg-lib.sh,
# on which the remote tests run: it starts in a temporary directory, listens
# on its Unix socket and on 127.0.0.1 only, runs as `postgres` under root,
# and is gone after stop_pg.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/pg-lib.sh"

if ! start_pg; then
	test_skip 'PostgreSQL harness' 'PostgreSQL is not installed (scripts/setup-deps installs it)'
	test_done
fi

test_expect_success 'the server answers on its Unix socket' '
	pg_psql -At -c "select 40 + 2" >actual &&
	echo 42 >expect &&
	test_cmp expect actual
'

test_expect_success 'the server answers on 127.0.0.1 at its port, and listens nowhere else' '
	PSQLRC=/dev/null psql -X -At "$PG_URL" -c "show listen_addresses" >actual &&
	echo 127.0.0.1 >expect &&
	test_cmp expect actual &&
	PSQLRC=/dev/null psql -X -At "$PG_URL" -c "select current_database()" >actual &&
	echo insight >expect &&
	test_cmp expect actual
'

test_expect_success 'the server runs as postgres when the tests run as root' '
	owner=$(stat -c %U "$PG_DIR/data") &&
	if [ "$(id -u)" = 0 ]; then test "$owner" = postgres; else test "$owner" = "$(id -un)"; fi
'

test_expect_success 'stop_pg stops the server and removes its directory' '
	dir=$PG_DIR &&
	PSQLRC=/dev/null psql -X -At "$PG_URL" -c "select 1" &&
	stop_pg &&
	! test -d "$dir" &&
	test_must_fail env PSQLRC=/dev/null psql -X -At "$PG_URL" -c "select 1"
'

test_done
