#!/bin/bash
# The .NET test tools' own XML reports: VSTest's TRX, NUnit 3 and 2,
# xUnit.net v2 and v1 (tests/fixtures/dotnet/). Each one's tests, outcomes,
# attempts and messages are listed in expect/; the same test has the same
# node id whichever of the three tools reported it.
. "$(dirname "$0")/lib.sh"

FX="$INSIGHT_SRCDIR/tests/fixtures/dotnet"

results() {
	insight --format tsv --table results session show --outcome all --all latest |
		tail -n +2 | cut -f1-3,5 | LC_ALL=C sort
}

for f in vstest.trx nunit3.xml nunit2.xml xunit2.xml xunit1.xml; do
	name=${f%.*}
	test_expect_success "$f: every test, outcome, attempt and message" '
		export INSIGHT_DB="$TRASH/'$name'.db" &&
		insight -q session import --sut fx "$FX/'$f'" >/dev/null &&
		results >got &&
		test_cmp "$FX/expect/'$name'.tsv" got
	'
done

test_expect_success 'TRX: a failure keeps its stack trace and output; a run of results read before their definitions' '
	export INSIGHT_DB="$TRASH/vstest.db" &&
	insight --format tsv --table results session show --outcome all --all latest >all.tsv &&
	grep "::Divide	" all.tsv >row &&
	test_grep "at Shop.Calc.Div(Int32 a, Int32 b)" row &&
	test_grep "dividing 1 by 0" row &&
	insight --format json test list >tests.json &&
	test_grep "Shop.Tests.CartTests::Total (Data Row 1)" tests.json
'

test_expect_success 'one test, one id: TRX, NUnit 3 and xUnit.net name Add alike' '
	for f in vstest nunit3 xunit2; do
		grep -c "^Shop.Tests.CalcTests::Add	" "$FX/expect/$f.tsv" >n && echo 1 >one &&
		test_cmp one n || return 1
	done
'

test_expect_success 'NUnit categories and xUnit.net traits are properties' '
	export INSIGHT_DB="$TRASH/nunit3.db" &&
	insight --format json test show "Shop.Tests.CalcTests::Add" >show.json &&
	test_grep "\"Owner\"" show.json &&
	export INSIGHT_DB="$TRASH/xunit2.db" &&
	insight --format json test show "Shop.Tests.CalcTests::Add" >show.json &&
	test_grep "\"Category\"" show.json
'

test_expect_success 'standard input, gzip, and --format naming the format' '
	export INSIGHT_DB="$TRASH/stdin.db" &&
	insight -q session import --sut s - <"$FX/vstest.trx" >/dev/null &&
	results >got && test_cmp "$FX/expect/vstest.tsv" got &&
	gzip -c "$FX/nunit3.xml" >n3.xml.gz &&
	insight -q session import --sut s n3.xml.gz >/dev/null &&
	results >got && test_cmp "$FX/expect/nunit3.tsv" got &&
	insight -q session import --sut s --format xunit "$FX/xunit2.xml" --force >/dev/null &&
	results >got && test_cmp "$FX/expect/xunit2.tsv" got
'

test_expect_success 'hostile input: an entity declaration is refused, a cut file is an error' '
	export INSIGHT_DB="$TRASH/bad.db" &&
	printf "<?xml version=\"1.0\"?>\n<!DOCTYPE TestRun [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>\n<TestRun><Results><UnitTestResult testName=\"&x;\" outcome=\"Passed\"/></Results></TestRun>\n" >xxe.trx &&
	test_must_fail insight session import --sut b xxe.trx 2>err &&
	test_grep "declares XML entities; refused" err &&
	head -c 1500 "$FX/nunit3.xml" >cut.xml &&
	test_must_fail insight session import --sut b cut.xml 2>err &&
	test_grep "cut.xml" err
'

test_done
