#!/bin/bash
# session import: the repeat rule in every format that has one. One report
# names the same tests again and again, as each tool writes it: a repeat is
# a retry only while every earlier occurrence failed, else a test of its own
# (name[#2], name[#3], ...); a later skip never hides a failure; the
# attempts inside one occurrence (Surefire's flaky elements, Mocha's and
# Jest's retries) stay attempts of it. The rule holds inside one report.
. "$(dirname "$0")/lib.sh"

# The occurrences of every report below, in report order: name and outcome.
SCENARIO="flaky F
flaky P
provider P
provider F
provider F
hides F
hides S
again F
again P
again F"

# What is stored: each test (its name less any prefix), final outcome, attempts.
cat >expect <<-\EOF
again	passed	2
again[#2]	failed	1
flaky	passed	2
hides	failed	1
provider	passed	1
provider[#2]	failed	1
provider[#3]	failed	1
EOF

results() {
	insight --format tsv --table results session show --outcome all --all latest |
		tail -n +2 | cut -f1-3 | sed -E 's/^([^\t]*(::|\.))?//' | LC_ALL=C sort
}

# Import report $1 into a history of its own and compare with `expect` (or $2).
check() {
	export INSIGHT_DB="$TRASH/$1.db" &&
	insight -q session import --sut rep "$1" >/dev/null &&
	results >got &&
	test_cmp "${2:-expect}" got
}

each() {
	local i=0 name o
	while read -r name o; do
		i=$((i + 1))
		"$@" "$i" "$name" "$o"
	done <<<"$SCENARIO"
}

junit_case() {
	case $3 in
	P) echo "<testcase classname=\"Shop.T\" name=\"$2\"/>" ;;
	F) echo "<testcase classname=\"Shop.T\" name=\"$2\"><failure message=\"boom $1\"/></testcase>" ;;
	S) echo "<testcase classname=\"Shop.T\" name=\"$2\"><skipped/></testcase>" ;;
	esac
}

gotest_case() {
	local a
	case $3 in P) a=pass ;; F) a=fail ;; S) a=skip ;; esac
	echo "{\"Action\":\"run\",\"Package\":\"example.com/shop\",\"Test\":\"$2\"}"
	echo "{\"Action\":\"output\",\"Package\":\"example.com/shop\",\"Test\":\"$2\",\"Output\":\"--- $a $1\\n\"}"
	echo "{\"Action\":\"$a\",\"Package\":\"example.com/shop\",\"Test\":\"$2\",\"Elapsed\":0.01}"
}

tap_case() {
	case $3 in
	P) echo "ok $1 - $2" ;;
	F) echo "not ok $1 - $2" ;;
	S) echo "ok $1 - $2 # SKIP not today" ;;
	esac
}

mocha_case() {
	local sep=,
	test "$1" = 1 && sep=
	case $3 in
	P) echo "$sep{\"title\":\"$2\",\"fullTitle\":\"shop $2\",\"file\":\"/src/shop.spec.js\",\"duration\":1,\"currentRetry\":0,\"err\":{}}" ;;
	F) echo "$sep{\"title\":\"$2\",\"fullTitle\":\"shop $2\",\"file\":\"/src/shop.spec.js\",\"duration\":1,\"currentRetry\":0,\"err\":{\"message\":\"boom $1\"}}" ;;
	S) echo "$sep{\"title\":\"$2\",\"fullTitle\":\"shop $2\",\"file\":\"/src/shop.spec.js\",\"currentRetry\":0,\"err\":{}}" ;;
	esac
}

jest_case() {
	local sep=, s
	test "$1" = 1 && sep=
	case $3 in P) s=passed ;; F) s=failed ;; S) s=pending ;; esac
	echo "$sep{\"ancestorTitles\":[\"shop\"],\"title\":\"$2\",\"status\":\"$s\",\"duration\":1,\"failureMessages\":[$(test "$3" = F && echo "\"boom $1\"")]}"
}

allure_case() {
	local s
	case $3 in P) s=passed ;; F) s=failed ;; S) s=skipped ;; esac
	printf '{"uuid":"u%s","historyId":"h-%s","name":"%s","fullName":"shop.%s","status":"%s","start":%s,"stop":%s}\n' \
		"$1" "$2" "$2" "$2" "$s" $((1764930000000 + $1 * 10)) $((1764930000005 + $1 * 10)) \
		>allure/u$1-result.json
}

trx_result() {
	local s
	case $3 in P) s=Passed ;; F) s=Failed ;; S) s=NotExecuted ;; esac
	echo "<UnitTestResult executionId=\"e$1\" testId=\"t-$2\" testName=\"$2\" duration=\"00:00:00.0010000\" outcome=\"$s\" />"
}

nunit_case() {
	case $3 in
	P) echo "<test-case name=\"$2\" fullname=\"Shop.T.$2\" methodname=\"$2\" classname=\"Shop.T\" result=\"Passed\"/>" ;;
	F) echo "<test-case name=\"$2\" fullname=\"Shop.T.$2\" methodname=\"$2\" classname=\"Shop.T\" result=\"Failed\"><failure><message>boom $1</message></failure></test-case>" ;;
	S) echo "<test-case name=\"$2\" fullname=\"Shop.T.$2\" methodname=\"$2\" classname=\"Shop.T\" result=\"Skipped\" label=\"Ignored\"/>" ;;
	esac
}

xunit_case() {
	local s
	case $3 in P) s=Pass ;; F) s=Fail ;; S) s=Skip ;; esac
	echo "<test name=\"Shop.T.$2\" type=\"Shop.T\" method=\"$2\" time=\"0.001\" result=\"$s\"/>"
}

test_expect_success 'setup: one report of the scenario in each format' '
	insight init >/dev/null &&
	{ echo "<testsuite name=\"s\">" && each junit_case && echo "</testsuite>"; } >repeats.xml &&
	{ each gotest_case && echo "{\"Action\":\"fail\",\"Package\":\"example.com/shop\",\"Elapsed\":0.2}"; } \
		>repeats.json &&
	{ echo "TAP version 13" && echo "1..10" && each tap_case; } >repeats.tap &&
	{ echo "{\"stats\":{\"suites\":1,\"tests\":10,\"passes\":3},\"tests\":[" && each mocha_case && echo "]}"; } >mocha.json &&
	{ echo "{\"numFailedTestSuites\":0,\"numTotalTests\":10,\"testResults\":[{\"name\":\"/src/shop.test.js\",\"assertionResults\":[" &&
	  each jest_case && echo "]}]}"; } >jest.json &&
	mkdir allure && each allure_case &&
	{ echo "<TestRun id=\"r\" xmlns=\"http://microsoft.com/schemas/VisualStudio/TeamTest/2010\"><Results>" &&
	  each trx_result && echo "</Results><TestDefinitions>" &&
	  for n in flaky provider hides again; do
		echo "<UnitTest name=\"$n\" id=\"t-$n\"><TestMethod className=\"Shop.T\" name=\"$n\"/></UnitTest>"
	  done && echo "</TestDefinitions></TestRun>"; } >repeats.trx &&
	{ echo "<test-run><test-suite type=\"TestFixture\" name=\"T\" fullname=\"Shop.T\">" &&
	  each nunit_case && echo "</test-suite></test-run>"; } >nunit.xml &&
	{ echo "<assemblies><assembly name=\"shop.dll\"><collection name=\"c\">" &&
	  each xunit_case && echo "</collection></assembly></assemblies>"; } >xunit.xml
'

for f in repeats.xml repeats.json repeats.tap mocha.json jest.json allure repeats.trx nunit.xml xunit.xml; do
	test_expect_success "$f: retries, tests of their own, a skip after a failure" '
		check '$f'
	'
done

test_expect_success 'the tests and their attempts are numbered in report order' '
	export INSIGHT_DB="$TRASH/repeats.tap.db" &&
	q() { sqlite3 -separator " " "$INSIGHT_DB" "$@"; } &&
	q "SELECT t.nodeid, r.attempt, r.outcome, r.final FROM result r JOIN test t ON t.id = r.test_id
		ORDER BY t.nodeid, r.attempt" >got &&
	printf "%s\n" "again 1 1 0" "again 2 0 1" "again[#2] 1 1 1" "flaky 1 1 0" "flaky 2 0 1" \
		"hides 1 1 1" "hides 2 3 0" "provider 1 0 1" "provider[#2] 1 1 1" \
		"provider[#3] 1 1 1" >want &&
	test_cmp want got &&
	test "$(q "SELECT n_tests, n_passed, n_failed, n_skipped, n_flaky FROM session")" = "7 3 4 0 2"
'

test_expect_success 'attempts inside one occurrence stay its attempts; a repeat after them is its own test' '
	cat >inner.xml <<-\XML &&
	<testsuite name="s">
	  <testcase classname="Shop.T" name="inner"><flakyFailure message="first try"/></testcase>
	  <testcase classname="Shop.T" name="inner"/>
	  <testcase classname="Shop.T" name="rerun"><failure message="a"/><rerunFailure message="b"/></testcase>
	  <testcase classname="Shop.T" name="rerun"/>
	</testsuite>
	XML
	cat >inner-mocha.json <<-\JSON &&
	{"stats": {"suites": 1, "tests": 4, "passes": 4}, "tests": [
	 {"title": "inner", "fullTitle": "shop inner", "duration": 1, "currentRetry": 1, "err": {}},
	 {"title": "inner", "fullTitle": "shop inner", "duration": 1, "currentRetry": 0, "err": {}},
	 {"title": "rerun", "fullTitle": "shop rerun", "duration": 1, "currentRetry": 1, "err": {"message": "b"}},
	 {"title": "rerun", "fullTitle": "shop rerun", "duration": 1, "currentRetry": 0, "err": {}}]}
	JSON
	cat >inner-jest.json <<-\JSON &&
	{"numFailedTestSuites": 0, "numTotalTests": 4, "testResults": [{"name": "/src/shop.test.js", "assertionResults": [
	 {"ancestorTitles": ["shop"], "title": "inner", "status": "passed", "invocations": 2},
	 {"ancestorTitles": ["shop"], "title": "inner", "status": "passed"},
	 {"ancestorTitles": ["shop"], "title": "rerun", "status": "failed", "invocations": 2,
	  "failureMessages": ["b"]},
	 {"ancestorTitles": ["shop"], "title": "rerun", "status": "passed"}]}]}
	JSON
	printf "%s\n" "inner	passed	2" "inner[#2]	passed	1" "rerun	passed	3" >want &&
	check inner.xml want &&
	check inner-mocha.json want &&
	check inner-jest.json want
'

test_expect_success 'the rule holds inside one report: the next report of the session starts afresh' '
	mkdir two &&
	printf "%s\n" "<testsuite name=\"a\">" "<testcase classname=\"Shop.T\" name=\"x\"/>" \
		"</testsuite>" >two/a.xml &&
	printf "%s\n" "<testsuite name=\"b\">" "<testcase classname=\"Shop.T\" name=\"x\"/>" \
		"<testcase classname=\"Shop.T\" name=\"x\"/>" "</testsuite>" >two/b.xml &&
	printf "%s\n" "x	passed	2" "x[#2]	passed	1" >want &&
	check two want
'

test_expect_success 'a report dropped half-way leaves no trace in the rule of the next one' '
	mkdir three &&
	cp two/a.xml three/a.xml &&
	printf "%s\n" "<testsuite name=\"b\">" "<testcase classname=\"Shop.T\" name=\"x\"/>" \
		"<testcase classname=\"Shop.T\" name=\"x\"/>" "<testcase" >three/b.xml &&
	printf "%s\n" "<testsuite name=\"c\">" "<testcase classname=\"Shop.T\" name=\"x\"/>" \
		"<testcase classname=\"Shop.T\" name=\"x\"><failure message=\"c\"/></testcase>" \
		"</testsuite>" >three/c.xml &&
	printf "%s\n" "x	passed	2" "x[#2]	failed	1" >want &&
	export INSIGHT_DB="$TRASH/three.db" &&
	test_must_fail --exit 3 insight -q session import --sut rep three >/dev/null 2>err &&
	test_grep "b.xml" err &&
	results >got &&
	test_cmp want got
'

test_expect_success 'TRX: results before their definitions find their class by GUID or by any other id' '
	cat >guids.trx <<-\XML &&
	<TestRun id="r" xmlns="http://microsoft.com/schemas/VisualStudio/TeamTest/2010"><Results>
	<UnitTestResult executionId="e1" testId="0f8fad5b-d9cb-469f-a165-70867728950e" testName="Add" outcome="Passed"/>
	<UnitTestResult executionId="e2" testId="7C9E6679-7425-40DE-944B-E07FC1F90AE7" testName="Sub" outcome="Failed"/>
	<UnitTestResult executionId="e3" testId="plain-id" testName="Mul" outcome="Passed"/>
	<UnitTestResult executionId="e4" testId="0f8fad5b-d9cb-469f-a165-70867728950f" testName="Div" outcome="Passed"/>
	<UnitTestResult executionId="e5" testId="0f8fad5b-d9cb-469f-a165-70867728950e" testName="Add" outcome="Passed"/>
	</Results><TestDefinitions>
	<UnitTest name="Add" id="0f8fad5b-d9cb-469f-a165-70867728950e"><TestMethod className="Shop.Calc, Shop.Tests" name="Add"/></UnitTest>
	<UnitTest name="Sub" id="7C9E6679-7425-40DE-944B-E07FC1F90AE7"><TestMethod className="Shop.Calc" name="Sub"/></UnitTest>
	<UnitTest name="Mul" id="plain-id"><TestMethod className="Shop.More" name="Mul"/></UnitTest>
	<UnitTest name="Div" id="0f8fad5b-d9cb-469f-a165-70867728950F"><TestMethod className="Shop.Other" name="Div"/></UnitTest>
	</TestDefinitions></TestRun>
	XML
	export INSIGHT_DB="$TRASH/guids.db" &&
	insight -q session import --sut rep guids.trx >/dev/null &&
	insight --format tsv --table results session show --outcome all --all latest |
		tail -n +2 | cut -f1-3 | LC_ALL=C sort >got &&
	printf "%s\n" "Div	passed	1" "Shop.Calc::Add	passed	1" "Shop.Calc::Add[#2]	passed	1" \
		"Shop.Calc::Sub	failed	1" "Shop.More::Mul	passed	1" >want &&
	test_cmp want got
'

test_done
