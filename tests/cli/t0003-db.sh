#!/bin/bash
# insight db path|check|stats|vacuum|backup|prune|migrate.
. "$(dirname "$0")/lib.sh"

# Make a history with two sessions through the store (sqlite3 is not used to write).
seed() {
	insight init >/dev/null &&
	sqlite3 .insight/history.db "PRAGMA user_version" >/dev/null
}

test_expect_success 'db path follows --db, INSIGHT_DB, discovery and the default' '
	insight db path >out &&
	echo "$XDG_DATA_HOME/insight/history.db" >expect && test_cmp expect out &&
	INSIGHT_DB=/tmp/env.db insight db path >out &&
	echo /tmp/env.db >expect && test_cmp expect out &&
	insight --db rel.db db path >out &&
	echo rel.db >expect && test_cmp expect out &&
	seed && mkdir -p sub/dir && (cd sub/dir && insight db path >../../out) &&
	echo "$PWD/.insight/history.db" >expect && test_cmp expect out
'

test_expect_success 'reading commands on a history that does not exist yet see it empty' '
	mkdir empty && cd empty &&
	insight db stats --format json >out &&
	test "$(json_get out "d[\"facts\"][\"sessions\"] if \"facts\" in d else d[\"sessions\"]")" = 0 &&
	test ! -e "$XDG_DATA_HOME/insight/history.db"
'

test_expect_success 'a named history that does not exist is an error' '
	test_must_fail --exit 2 insight --db nope.db db stats 2>err &&
	test_grep "no history at .nope.db." err
'

test_expect_success 'db stats counts what is there' '
	seed &&
	insight db stats >out &&
	test_grep "Sessions" out && test_grep "Schema version" out &&
	insight db stats --format json >j &&
	test "$(json_get j "d[\"facts\"][\"schema_version\"] if \"facts\" in d else d[\"schema_version\"]")" = 10
'

test_expect_success 'db check passes on a sound history' '
	seed &&
	insight db check >out &&
	test_grep "none" out
'

test_expect_success 'db check finds deliberate damage and exits 1' '
	seed &&
	sqlite3 .insight/history.db "INSERT INTO sut (name, created_ms) VALUES (\"api\", 1);
		INSERT INTO session (uid, sut_id, started_ms, n_tests, n_failed)
		VALUES (\"01JAAAAAAAAAAAAAAAAAAAAAAA\", 1, 1, 3, 3);" &&
	test_must_fail --exit 1 insight db check >out 2>err &&
	test_grep "stored counts do not match" out &&
	test_grep "failed 1 check" err
'

test_expect_success 'db check on a file that is not a history fails clearly' '
	head -c 8192 /dev/urandom >junk.db &&
	test_must_fail --exit 4 insight --db junk.db db check 2>err &&
	test_grep "not an insight history" err
'

test_expect_success 'db check on a corrupted page reports the damage' '
	seed && cp .insight/history.db damaged.db &&
	sqlite3 damaged.db "PRAGMA journal_mode=DELETE" >/dev/null &&
	page=$(sqlite3 damaged.db "PRAGMA page_size") &&
	root=$(sqlite3 damaged.db "SELECT rootpage FROM sqlite_schema WHERE name = \"session\"") &&
	printf "\377\377\377\377\377\377\377\377" |
		dd of=damaged.db bs=1 seek=$(( (root - 1) * page )) conv=notrunc 2>/dev/null &&
	test_must_fail --exit 1 insight --db damaged.db db check >out 2>err &&
	test_grep "Sound: *no" out && test_grep "Page $root: btreeInitPage" out &&
	test_grep "failed [0-9]* checks" err
'

test_expect_success 'db backup makes a standalone copy and refuses to overwrite' '
	seed &&
	insight db backup copy.db 2>err &&
	test_grep "backed up" err &&
	test "$(sqlite3 copy.db "PRAGMA user_version")" = 10 &&
	test "$(sqlite3 copy.db "PRAGMA journal_mode")" = delete &&
	test_must_fail --exit 2 insight db backup copy.db 2>err &&
	test_grep "use --force" err &&
	insight db backup --force copy.db
'

test_expect_success 'db vacuum and db migrate on a current history' '
	seed &&
	insight db vacuum 2>err && test_grep "vacuumed" err &&
	insight db migrate 2>err && test_grep "up to date" err
'

test_expect_success 'db migrate refuses a history from a newer insight and leaves it alone' '
	sqlite3 newer.db "CREATE TABLE t(x); PRAGMA user_version = 42;" &&
	cp newer.db before.db &&
	test_must_fail --exit 4 insight --db newer.db db migrate 2>err &&
	test_grep "schema version 42" err && test_line_count = 1 err &&
	cmp newer.db before.db
'

test_expect_success 'db prune needs a window and validates it' '
	mkdir prune && cd prune && seed &&
	test_must_fail --exit 2 insight db prune 2>err && test_grep "older-than" err &&
	test_must_fail --exit 2 insight db prune --older-than soon 2>err &&
	test_grep "invalid time window" err &&
	insight db prune --older-than 180d --dry-run 2>err &&
	test_grep "would delete 0 sessions" err
'

test_expect_success 'an older history is upgraded on first use, and says so once' '
	rm -rf up && mkdir up &&
	insight --db up/h.db init 2>err &&
	test_must_fail test_grep upgrading err &&
	sqlite3 up/h.db "$SCHEMA_9_SQL DROP INDEX result_failing; DROP INDEX result_by_test; DROP INDEX fingerprint_by_cause; DROP TABLE cause; ALTER TABLE fingerprint DROP COLUMN cause_id;
		CREATE INDEX result_by_test ON result(test_id, session_id); PRAGMA user_version = 2" &&
	insight --db up/h.db session list >out 2>err &&
	test_grep "upgrading the history .* from schema 2 to 10" err && test_line_count = 1 err &&
	test "$(sqlite3 up/h.db "PRAGMA user_version")" = 10 &&
	test "$(sqlite3 up/h.db "SELECT count(*) FROM pragma_index_info(\"result_by_test\")")" = 7 &&
	insight --db up/h.db session list >out 2>err &&
	test_must_fail test_grep upgrading err &&
	sqlite3 up/h.db "$SCHEMA_9_SQL DROP INDEX result_failing; DROP INDEX fingerprint_by_cause; DROP TABLE cause; ALTER TABLE fingerprint DROP COLUMN cause_id; PRAGMA user_version = 2" &&
	insight -q --db up/h.db session list >out 2>err &&
	test_must_fail test -s err
'

test_done
