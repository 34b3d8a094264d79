#!/bin/bash
# The JSON and line formats of other test tools, read as their tools write
# them: go test -json, TAP (perl's Test::More, node --test), Mocha's JSON
# reporter, Jest's --json and Allure results directories. The reports in
# tests/fixtures/formats/out/ were written by the real tools
# (scripts/gen-format-fixtures); expect/ lists each one's tests, outcomes
# and attempts.
. "$(dirname "$0")/lib.sh"

FX="$INSIGHT_SRCDIR/tests/fixtures/formats"

# The tests of the latest session: node id, outcome, attempts, sorted.
results() {
	insight --format tsv --table results session show --outcome all --all latest |
		tail -n +2 | cut -f1-3 | LC_ALL=C sort
}

for f in gotest.json tap-basic.tap tap-bail.tap node.tap mocha.json jest.json allure-results; do
	name=${f%.*}
	test_expect_success "$f: every test, outcome and attempt" '
		export INSIGHT_DB="$TRASH/'$name'.db" &&
		insight -q session import --sut fx "$FX/out/'$f'" >/dev/null &&
		results >got &&
		test_cmp "$FX/expect/'$name'.tsv" got
	'
done

test_expect_success 'go test -json: messages and output are kept, the build failure named' '
	export INSIGHT_DB="$TRASH/gotest.db" &&
	insight --format tsv --table results session show --outcome all --all latest >all.tsv &&
	grep "::TestAddWrong	" all.tsv >row &&
	test_grep "Add(2, 2) = 4, want 5" row &&
	grep "build failed" all.tsv >row &&
	test_grep "the package did not build" row
'

test_expect_success 'TAP: the diagnostics of a failure are its detail; Bail out! is an error' '
	export INSIGHT_DB="$TRASH/tap-basic.db" &&
	insight --format tsv --table results session show --outcome all --all latest >all.tsv &&
	grep "^adds wrongly	" all.tsv >row &&
	test_grep "expected: .4." row &&
	export INSIGHT_DB="$TRASH/tap-bail.db" &&
	insight --format tsv --table results session show --outcome all --all latest >all.tsv &&
	grep "	error	" all.tsv >row &&
	test_grep "the database is gone" row
'

test_expect_success 'from standard input, as a pipe from the tool' '
	export INSIGHT_DB="$TRASH/stdin.db" &&
	cat "$FX/out/gotest.json" | insight -q session import --sut fx - >/dev/null &&
	results >got && test_cmp "$FX/expect/gotest.tsv" got &&
	cat "$FX/out/node.tap" | insight -q session import --sut tap - >/dev/null &&
	results >got && test_cmp "$FX/expect/node.tsv" got
'

test_expect_success 'session run --report picks each format by sniffing' '
	export INSIGHT_DB="$TRASH/run.db" &&
	for f in gotest.json jest.json tap-basic.tap; do
		{ insight -q session run --sut run --report "$TRASH/r-$f" -- cp "$FX/out/$f" "$TRASH/r-$f" \
			>/dev/null 2>err; test $? = 0; } || { cat err; return 1; }
		results >got && test_cmp "$FX/expect/${f%.*}.tsv" got || return 1
	done
'

test_expect_success 'a file of no format insight reads: what it saw, and every format' '
	export INSIGHT_DB="$TRASH/unknown.db" &&
	printf "{\"name\": \"shop\", \"version\": \"1.0.0\", \"scripts\": {}}\n" >package.json &&
	test_must_fail insight session import --sut x package.json 2>err &&
	test_grep "not a test report insight knows (a JSON object with the keys name, version, scripts; insight reads JUnit XML, pytest report-log, CTRF, go test -json, TAP, Mocha JSON, Jest JSON, Allure results, TRX, NUnit and xUnit.net XML)" err &&
	printf "hello\n" >notes.txt &&
	test_must_fail insight session import --sut x notes.txt 2>err &&
	test_grep "it starts with .hello." err
'

test_done
