#!/bin/bash
# session import reads every input once: stdin, a FIFO, <(command), gzip,
# UTF-16 and 8-bit encodings, devices stopped at the size limit, and a
# Maven directory whose companion files are skipped.
. "$(dirname "$0")/lib.sh"

PYTEST="$INSIGHT_PYTHON -m pytest"

q() { sqlite3 -separator ' ' .insight/history.db "$@"; }
names() { q "SELECT t.name FROM result r JOIN test t ON t.id = r.test_id JOIN session s
	ON s.id = r.session_id JOIN sut u ON u.id = s.sut_id WHERE u.name = '$1' ORDER BY t.name"; }

test_expect_success 'setup: a JUnit report written by pytest' '
	insight init >/dev/null &&
	mkdir proj &&
	cat >proj/test_cart.py <<-\EOF &&
	def test_adds():
	    assert 1 + 1 == 2

	def test_totals():
	    assert 2 * 2 == 5, "the total is wrong"
	EOF
	(cd proj && $PYTEST -q -p no:cacheprovider --junitxml=../report.xml >/dev/null; test $? = 1) &&
	test_grep "<testcase" report.xml
'

test_expect_success 'standard input: stored, and the same bytes again are a duplicate' '
	insight session import --sut stdin - <report.xml >out 2>err &&
	test "$(q "SELECT n_tests, n_failed FROM session")" = "2 1" &&
	insight session import --sut stdin - <report.xml >out 2>err &&
	test_grep "<stdin> was imported before" err &&
	test "$(q "SELECT count(*) FROM session")" = 1
'

test_expect_success 'a FIFO is read once, as it is written' '
	sed "s/test_adds/test_adds_fifo/" report.xml >fifo-src.xml &&
	mkfifo pipe.xml &&
	(cat fifo-src.xml >pipe.xml &) &&
	timeout 20 "$INSIGHT_BIN" session import --sut fifo pipe.xml >out 2>err &&
	names fifo >actual &&
	printf "%s\n" test_adds_fifo test_totals >expect &&
	test_cmp expect actual
'

test_expect_success '<(command) is read, not taken for an empty file' '
	insight session import --sut procsub <(sed "s/test_adds/test_adds_ps/" report.xml) >out 2>err &&
	names procsub >actual &&
	printf "%s\n" test_adds_ps test_totals >expect &&
	test_cmp expect actual
'

test_expect_success 'gzip is told by its magic number, in a file and on stdin; its hash is the file'"'"'s' '
	sed "s/test_adds/test_adds_gz/" report.xml | gzip -9 >report.gz &&
	insight session import --sut gz report.gz >out 2>err &&
	names gz >actual &&
	printf "%s\n" test_adds_gz test_totals >expect &&
	test_cmp expect actual &&
	test "$(q "SELECT hash FROM report_file WHERE path = \"report.gz\"")" = "$(sha256sum <report.gz | cut -c1-64)" &&
	insight session import --sut gz - <report.gz >out 2>err &&
	test_grep "was imported before" err
'

test_expect_success 'concatenated gzip members are one report; a cut one is refused' '
	printf "%s\n" "<testsuite name=\"s\"><testcase classname=\"m\" name=\"first\"/>" | gzip >cat.gz &&
	printf "%s\n" "<testcase classname=\"m\" name=\"second\"/></testsuite>" | gzip >>cat.gz &&
	insight session import --sut gzcat cat.gz >out 2>err &&
	names gzcat >actual &&
	printf "%s\n" first second >expect &&
	test_cmp expect actual &&
	head -c 100 report.gz >cut.gz &&
	test_must_fail insight session import --sut gzcut cut.gz >out 2>err &&
	test_grep "cut.gz: the gzip data is cut short" err
'

test_expect_success 'UTF-16 with a byte order mark (PowerShell >), either order, and without one' '
	sed "s/test_adds/test_adds_ünï/" report.xml >u8.xml &&
	{ printf "\377\376"; iconv -f UTF-8 -t UTF-16LE u8.xml; } >le.xml &&
	{ printf "\376\377"; sed "s/test_totals/test_totals_😀/" u8.xml | iconv -f UTF-8 -t UTF-16BE; } >be.xml &&
	sed "s/test_adds/test_adds_nobom/" report.xml | iconv -f UTF-8 -t UTF-16LE >nobom.xml &&
	insight session import --sut u16le le.xml >out 2>err &&
	insight session import --sut u16be be.xml >out 2>err &&
	insight session import --sut u16nobom nobom.xml >out 2>err &&
	printf "%s\n" test_adds_ünï test_totals >expect &&
	names u16le >actual &&
	test_cmp expect actual &&
	printf "%s\n" test_adds_ünï test_totals_😀 >expect &&
	names u16be >actual &&
	test_cmp expect actual &&
	test "$(names u16nobom | head -1)" = test_adds_nobom &&
	test "$(q "SELECT count(*) FROM result WHERE message LIKE \"%total is wrong%\"")" -ge 3
'

test_expect_success 'windows-1252 and ISO-8859-1 declarations are read as such' '
	printf "%s\n" "<?xml version=\"1.0\" encoding=\"windows-1252\"?>" \
		"<testsuite name=\"s\"><testcase classname=\"m\" name=\"costs 5 €\"><failure message=\"“quoted”\"/></testcase></testsuite>" |
		iconv -f UTF-8 -t CP1252 >cp1252.xml &&
	printf "%s\n" "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>" \
		"<testsuite name=\"s\"><testcase classname=\"m\" name=\"café\"/></testsuite>" |
		iconv -f UTF-8 -t ISO-8859-1 >latin1.xml &&
	insight session import --sut cp cp1252.xml >out 2>err &&
	insight session import --sut l1 latin1.xml >out 2>err &&
	test "$(names cp)" = "costs 5 €" &&
	test "$(names l1)" = "café" &&
	test "$(q "SELECT message FROM result WHERE message LIKE \"%quoted%\"")" = "“quoted”"
'

test_expect_success 'an encoding insight does not read is named in a clear error, nothing stored' '
	printf "%s\n" "<?xml version=\"1.0\" encoding=\"Shift_JIS\"?>" \
		"<testsuite name=\"s\"><testcase classname=\"m\" name=\"x\"/></testsuite>" >sjis.xml &&
	test_must_fail insight session import --sut sj sjis.xml >out 2>err &&
	test_grep "sjis.xml: the encoding \"Shift_JIS\" is not one insight reads" err &&
	test "$(q "SELECT count(*) FROM sut WHERE name = \"sj\"")" = 0
'

test_expect_success '/dev/zero: refused at once when sniffed, stopped at the limit when a format is named' '
	test_must_fail timeout 20 "$INSIGHT_BIN" session import --sut z /dev/zero >out 2>err &&
	test_grep "/dev/zero: not a test report insight knows" err &&
	for f in junit ctrf reportlog; do
		test_must_fail env INSIGHT_MAX_INPUT=2M timeout 60 "$INSIGHT_BIN" session import --sut z \
			--format $f /dev/zero >out 2>err || return 1
		test_grep "/dev/zero: more than 2 MiB, the most insight reads from one input" err ||
			test_grep "/dev/zero:1: not well-formed XML" err ||
			test_grep "/dev/zero:1: invalid JSON" err || return 1
	done &&
	test_must_fail env INSIGHT_MAX_INPUT=2M timeout 60 "$INSIGHT_BIN" session import --sut z \
		--format reportlog /dev/zero >out 2>err &&
	test_grep "more than 2 MiB" err &&
	test_must_fail env INSIGHT_MAX_INPUT=lots "$INSIGHT_BIN" session import --sut z report.xml >out 2>err &&
	test_grep "INSIGHT_MAX_INPUT=.lots. is not a size" err &&
	test "$(q "SELECT count(*) FROM sut WHERE name = \"z\"")" = 0
'

test_expect_success 'a gzip bomb stops at the limit of decoded bytes' '
	head -c 3000000 /dev/zero | gzip >bomb.gz &&
	test $(stat -c %s bomb.gz) -lt 100000 &&
	test_must_fail env INSIGHT_MAX_INPUT=1M "$INSIGHT_BIN" session import --sut bomb --format reportlog \
		bomb.gz >out 2>err &&
	test_grep "bomb.gz: more than 1 MiB once decompressed" err
'

test_expect_success 'a name over 8 KiB is cut with a hash and a warning; two such names stay two tests' '
	long=$(head -c 9000 /dev/zero | tr "\0" a) &&
	printf "%s\n" "<testsuite name=\"s\"><testcase classname=\"m\" name=\"${long}1\"/>" \
		"<testcase classname=\"m\" name=\"${long}2\"><failure/></testcase></testsuite>" >long.xml &&
	insight session import --sut long long.xml >out 2>err &&
	test_grep "warning: long.xml: 2 results with a name longer than 8 KiB" err &&
	test "$(q "SELECT count(DISTINCT t.id), max(length(CAST(t.name AS BLOB))) FROM test t
		JOIN result r ON r.test_id = t.id JOIN session s ON s.id = r.session_id
		JOIN sut u ON u.id = s.sut_id WHERE u.name = \"long\"")" = "2 8179" &&
	test "$(q "SELECT n_failed FROM session s JOIN sut u ON u.id = s.sut_id WHERE u.name = \"long\"")" = 1
'

test_expect_success 'a Maven directory: the reports go in, the companions are skipped with a note, exit 0' '
	mkdir -p target/surefire-reports target/failsafe-reports &&
	sed "s/test_/unit_/g" report.xml >target/surefire-reports/TEST-com.example.CartTest.xml &&
	printf "%s\n" "-------------------------------------------------------------------------------" \
		"Test set: com.example.CartTest" >target/surefire-reports/com.example.CartTest.txt &&
	printf "%s\n" "<?xml version=\"1.0\" encoding=\"UTF-8\"?>" \
		"<failsafe-summary xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" result=\"255\" timeout=\"false\">" \
		"  <completed>2</completed><errors>0</errors><failures>1</failures><skipped>0</skipped>" \
		"</failsafe-summary>" >target/failsafe-reports/failsafe-summary.xml &&
	printf "%s\n" "<?xml version=\"1.0\" encoding=\"UTF-8\"?>" \
		"<!DOCTYPE suite SYSTEM \"https://testng.org/testng-1.0.dtd\">" \
		"<suite name=\"Failed suite [Default suite]\"><test name=\"Default test(failed)\"/></suite>" \
		>target/surefire-reports/testng-failed.xml &&
	printf "%s\n" "<?xml version=\"1.0\" encoding=\"UTF-8\"?>" \
		"<testng-results skipped=\"0\" failed=\"1\" total=\"2\" passed=\"1\"></testng-results>" \
		>target/surefire-reports/testng-results.xml &&
	echo "{\"name\": \"not a report\"}" >target/surefire-reports/settings.json &&
	sed "s/test_/it_/g" report.xml >target/failsafe-reports/TEST-com.example.CartIT.xml &&
	insight session import --sut maven target >out 2>err &&
	test_grep "note: target/failsafe-reports/failsafe-summary.xml: Maven Failsafe.s summary, not a test report; skipped" err &&
	test_grep "note: target/surefire-reports/testng-failed.xml: a TestNG suite definition" err &&
	test_grep "note: target/surefire-reports/testng-results.xml: TestNG.s own results file" err &&
	test_grep "note: target/surefire-reports/settings.json: not a test report insight knows" err &&
	test "$(q "SELECT n_tests, n_failed FROM session s JOIN sut u ON u.id = s.sut_id WHERE u.name = \"maven\"")" = "4 2" &&
	insight -q session import --sut maven2 target >out 2>err &&
	test ! -s err
'

test_expect_success 'a companion named on the command line is an error, not a skip' '
	test_must_fail insight session import --sut named target/failsafe-reports/failsafe-summary.xml >out 2>err &&
	test_grep "not a JUnit XML report (the root element is <failsafe-summary>" err
'

test_done
