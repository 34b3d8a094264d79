#!/bin/bash
# session import: characters XML forbids (ANSI colours, NUL), raw or as
# character references, are shown as escapes and the report is kept.
. "$(dirname "$0")/lib.sh"

q() { sqlite3 -separator ' ' .insight/history.db "$@"; }

test_expect_success 'setup' '
	insight init >/dev/null
'

test_expect_success 'a jest-junit report with coloured output: kept, one warning, escapes shown' '
	esc=$(printf "\033") &&
	printf "%s\n" "<testsuites name=\"jest tests\"><testsuite name=\"cart.test.js\">" \
		"<testcase classname=\"cart adds\" name=\"cart adds\"><failure>Error: ${esc}[31mexpected${esc}[39m 2 &#x1B;[2mreceived&#x1B;[22m 3</failure></testcase>" \
		"<testcase classname=\"cart empties\" name=\"cart empties\"/>" \
		"</testsuite></testsuites>" >jest.xml &&
	insight session import --sut js jest.xml >out 2>err &&
	test_grep "warning: jest.xml: 4 characters that XML does not allow" err &&
	test "$(grep -c warning err)" = 1 &&
	test "$(q "SELECT n_tests, n_failed FROM session")" = "2 1" &&
	q "SELECT detail FROM result_text" >detail &&
	test_grep "Error: \\\\x1b\[31mexpected\\\\x1b\[39m 2 \\\\x1b\[2mreceived" detail
'

test_expect_success 'a NUL and a decimal reference: the test is kept under a visible name' '
	printf "<testsuite><testcase classname=\"c\" name=\"a\0b\"><error message=\"bell &#7;\"/></testcase></testsuite>" >nul.xml &&
	insight session import --sut nul nul.xml >out 2>err &&
	test_grep "2 characters that XML does not allow" err &&
	q "SELECT t.nodeid, r.message FROM result r JOIN test t ON t.id = r.test_id
		JOIN session s ON s.id = r.session_id JOIN sut u ON u.id = s.sut_id WHERE u.name = \"nul\"" >actual &&
	echo "c::a\\x00b bell \\x07" >expect &&
	test_cmp expect actual &&
	insight --format json session show latest >show.json &&
	! grep -q "$(printf "\033")" show.json
'

test_done
