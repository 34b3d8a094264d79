#!/bin/bash
# insight init: .insight/ at the git top level, or here outside git.
. "$(dirname "$0")/lib.sh"

test_expect_success 'init outside git creates .insight/history.db here' '
	mkdir plain && cd plain &&
	insight init >out &&
	test -f .insight/history.db &&
	test_grep "Initialized empty insight history in $PWD/.insight/history.db" out &&
	test_grep "history.db" .insight/.gitignore
'

test_expect_success 'init again says it reinitialised and keeps the data' '
	cd plain &&
	insight init >out &&
	test_grep "^Reinitialized existing" out
'

test_expect_success 'init in a git subdirectory puts the history at the top level' '
	git init -q -b main repo && mkdir -p repo/a/b && cd repo/a/b &&
	insight init >out &&
	test -f ../../.insight/history.db &&
	test ! -e .insight &&
	insight db path >path &&
	echo "$(cd ../.. && pwd)/.insight/history.db" >expect &&
	test_cmp expect path
'

test_expect_success 'init with a directory argument' '
	mkdir there &&
	insight init there >/dev/null &&
	test -f there/.insight/history.db
'

test_expect_success 'init --format json reports what it did' '
	mkdir j && cd j &&
	insight init --format json >out &&
	test "$(json_get out "d[\"facts\"][\"created\"] if \"facts\" in d else d[\"created\"]")" = True
'

test_expect_success 'init creates the history INSIGHT_DB names, where later commands look' '
	mkdir env && cd env &&
	INSIGHT_DB="$TRASH/env-history/h.db" insight init >out &&
	test_grep "Initialized empty insight history in $TRASH/env-history/h.db" out &&
	test -f "$TRASH/env-history/h.db" &&
	test ! -e .insight &&
	test "$(INSIGHT_DB="$TRASH/env-history/h.db" insight db path)" = "$TRASH/env-history/h.db"
'

test_expect_success 'a directory named on the command line comes before INSIGHT_DB' '
	mkdir named &&
	INSIGHT_DB="$TRASH/unused.db" insight init named >/dev/null &&
	test -f named/.insight/history.db &&
	test ! -e "$TRASH/unused.db"
'

test_expect_success 'init with --db and a directory says it takes one of them' '
	mkdir both &&
	test_must_fail --exit 2 insight --db "$TRASH/both.db" init both 2>err &&
	test_line_count = 1 err &&
	test_grep "init: --db names the history to create; name no directory with it (not .both.)" err &&
	test ! -e "$TRASH/both.db" && test ! -e both/.insight
'

test_expect_success 'init of a missing directory fails clearly' '
	test_must_fail --exit 2 insight init no/such/dir 2>err &&
	test_grep "cannot use directory .no/such/dir." err
'

test_done
