#!/bin/bash
# The JSON contract: every command's --format json output is valid against
# docs/schema/insight-document.schema.json and names its schema
# ("insight.<group>.<command>"). Every registered command must appear below,
# either with an invocation or in the list of commands that print no
# document, so a new command cannot ship without a checked JSON form.
#
# With JSON_EXAMPLES_DIR=DIR the validated outputs are also written to
# DIR/<schema>.json (that is how docs/json-examples/ is made).
. "$(dirname "$0")/lib.sh"

export INSIGHT_DB="$TRASH/history.db" PYTHONDONTWRITEBYTECODE=1
NODE=tests/test_pricing.py::test_bulk_discount_at_threshold

# Commands that print no report document (their answer is another program's
# output, a note on stderr, text for a shell, or files and CI workflow commands).
NO_DOCUMENT="session run|session delete|db vacuum|db backup|db migrate|help|completion|config get|config set|config unset|ci report|ci summary|ci annotate|ci comment|ci status|metrics|notify|export junit|export ctrf|export json|export md|export html|export allure|publish|db merge|remote add|remote remove|remote show|remote init|remote prune|push|fetch"

test_expect_success 'a small history: four commits of examples/shop, two runs each' '
	cp -r "$INSIGHT_SRCDIR/examples/shop" shop &&
	(
		cd shop && git init -q && git add -A && git commit -qm base &&
		for step in 1 2 3 4; do
			echo "$step" >STEP && git add STEP && git commit -qm "step $step" || exit 1
			for run in a b; do
				INSIGHT_NOW="2026-11-1${step}T1${step}:00:00Z" SHOP_STEP=$step \
				SHOP_REGRESSION_AT=3 SHOP_FLAKY_RATE=0.5 SHOP_SEED=$run \
					insight -q session run --sut shop -- "$INSIGHT_PYTHON" -m pytest -q \
					-p no:cacheprovider >/dev/null 2>&1
				test $? -le 1 || exit 1   # 1: the planted failures
			done
		done
	) &&
	test "$(sqlite3 "$INSIGHT_DB" "SELECT count(*) FROM session")" = 8
'

# One invocation per command: "group command|arguments[|schema]"; the schema
# is insight.<group>.<command> unless given (compare commands share one engine).
CASES='session import|--sut imported INSIGHT_SHARED_DIR/conformance/junit/enricomi/pytest/junit.fail.xml
session list|
session show|latest
session recover|--dry-run
session compare|latest~1 latest|insight.analytics.compare
sut list|
sut show|shop
sut compare|shop imported|insight.analytics.compare
sut analyze|shop --metric pass-rate --days 30|insight.analytics.analyze
test list|--sut shop
test show|NODE
test history|NODE
test since|NODE
test trends|NODE --days 30|insight.analytics.analyze
history list|--by-sut --all
analytics summary|--sut shop --days 30
analytics compare|--base HEAD~2 --target HEAD --sut shop
analytics analyze|--sut shop --metric duration --days 30
analytics failures|--sut shop --days 30
analytics flaky|--sut shop --days 30 --min-runs 2
plan shard|--sut shop --total 2 --index 1
plan order|--sut shop --explain
init|
version|
db path|
db check|
db stats|
db prune|--older-than 3650d --dry-run
config list|--show-origin
remote list|
ci env|'

test_expect_success 'every registered command has a JSON case or prints no document' '
	insight __complete --commands >commands &&
	test_line_count -gt 20 commands &&
	while read -r cmd; do
		echo "$CASES" | grep -q "^$cmd|" && continue
		echo "|$NO_DOCUMENT|" | grep -q "|$cmd|" && continue
		echo "no JSON contract case for \"$cmd\""; return 1
	done <commands
'

test_expect_success 'each command writes valid JSON that names its schema' '
	cd shop &&
	echo "$CASES" | while IFS="|" read -r cmd args schema; do
		args=$(echo "$args" | sed -e "s|INSIGHT_SHARED_DIR|$INSIGHT_SHARED_DIR|" -e "s|NODE|$NODE|") &&
		# shellcheck disable=SC2086
		insight $cmd $args --format json >out.json 2>err.txt
		rc=$?
		test $rc = 0 || { echo "$cmd $args: exit $rc"; cat err.txt; return 1; }
		"$INSIGHT_SRCDIR/scripts/validate-json" out.json ||
			{ echo "$cmd: invalid JSON document"; return 1; }
		want=${schema:-insight.$(echo "$cmd" | tr " " .)}
		test "$(json_get out.json "d[\"schema\"]")" = "$want" ||
			{ echo "$cmd: schema $(json_get out.json "d[\"schema\"]"), expected $want"; return 1; }
		test "$(json_get out.json "d[\"schema_version\"]")" = 1 || return 1
		if [ -n "${JSON_EXAMPLES_DIR:-}" ]; then
			cp out.json "$JSON_EXAMPLES_DIR/insight.$(echo "$cmd" | tr " " .).json" || return 1
		fi
	done
'

test_expect_success 'a command without a document refuses --format json in one line, exit 2' '
	cd shop &&
	echo "$NO_DOCUMENT" | tr "|" "\n" | grep -v "^help$\|^completion$" | while read -r cmd; do
		# shellcheck disable=SC2086
		insight $cmd --format json >out 2>err
		rc=$?
		# session run keeps 0-124 for the test command: its own usage error is 125
		test $rc = 2 || { test "$cmd" = "session run" && test $rc = 125; } ||
			{ echo "$cmd: exit $rc"; cat err; return 1; }
		test_line_count = 1 err || return 1
		test_grep "answers in text only; --format json is not for it" err || return 1
		test ! -s out || return 1
	done
'

test_done
