#!/bin/bash
# t5011-term-tables - terminal tables at any width, on imported JUnit reports
# whose tests have long names that differ only at their end: no two rows read
# the same and no name is cut on the right (shortened from the left with the
# start they share said under the table, or on lines of their own); session
# ids, commits and times give way before the test, its outcome and its
# message; no line wider than COLUMNS, rows becoming records when numbers
# alone are too wide; --wide lifts the width when not at a terminal; a fact
# that repeats the title is left out.

. "$(dirname "$0")/lib.sh"

export INSIGHT_DB="$TRASH/history.db"
C=tests.integration.payments.test_refunds
N=test_refund_is_split_across_the_original_payment_methods
P=$C::$N

test_expect_success 'two JUnit reports of tests with long, alike names' '
	for run in 1 2; do
		{
			echo "<testsuite name=\"s\" tests=\"4\">" &&
			for m in card voucher gift_card; do
				if [ $run = 2 ] && [ $m = voucher ]; then
					echo "<testcase classname=\"$C\" name=\"$N[$m]\" time=\"0.$run\"><failure message=\"AssertionError: refund of 10.00 went to card\">trace</failure></testcase>"
				else
					echo "<testcase classname=\"$C\" name=\"$N[$m]\" time=\"0.$run\"/>"
				fi
			done &&
			echo "<testcase classname=\"tests.unit.test_a\" name=\"test_short\" time=\"0.1\"/>" &&
			echo "</testsuite>"
		} >run$run.xml || return 1
		insight -q session import --sut payments --no-git run$run.xml >/dev/null || return 1
	done &&
	test "$(sqlite3 "$INSIGHT_DB" "SELECT count(*) FROM test")" = 4
'

# check WIDTH FILE ID...: no line wider than WIDTH; each ID reads whole
# (on a line, cut into lines, or as "…" + its end with the start said).
check() {
	"$INSIGHT_PYTHON" - "$@" <<-'EOF'
	import sys, unicodedata
	width, path, ids = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
	text = open(path, encoding="utf-8").read()
	lines = text.split("\n")
	for n, line in enumerate(lines, 1):
	    w = sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in line)
	    if w > width:
	        sys.exit("line %d is %d columns wide (> %d): %r" % (n, w, width, line))
	joined = "".join(lines)
	prefixes = [l.split("stands for ", 1)[1] for l in lines if "\u2026 stands for " in l]
	for i in ids:
	    if i in text or i in joined:
	        continue
	    if any(i.startswith(p) and ("\u2026" + i[len(p):]) in joined for p in prefixes):
	        continue
	    sys.exit("%s does not read whole in:\n%s" % (i, text))
	EOF
}

for width in 30 50 80 120 200; do
	test_expect_success "test list at COLUMNS=$width: every name whole, nothing wider" "
		COLUMNS=$width insight test list --sut payments >list$width &&
		check $width list$width '$P[card]' '$P[voucher]' '$P[gift_card]' \
			tests.unit.test_a::test_short
	"
	test_expect_success "session show at COLUMNS=$width: the failure's name and message" "
		COLUMNS=$width insight session show latest >show$width &&
		check $width show$width '$P[voucher]' &&
		test_grep 'AssertionError' show$width
	"
	test_expect_success "compare at COLUMNS=$width: the new failure whole" "
		COLUMNS=$width insight session compare latest~1 latest >cmp$width &&
		check $width cmp$width '$P[voucher]' &&
		test_grep '^==> 1 new failure' cmp$width
	"
done

test_expect_success 'a shared start is said once under the table, and rows still differ' '
	COLUMNS=100 insight test list --sut payments >out &&
	test_grep "^… stands for tests\." out &&
	grep "^…" out | sort | uniq -d >dups &&
	test ! -s dups
'

test_expect_success 'times give way before the test, its outcome and its message' '
	COLUMNS=40 insight test list --sut payments >out &&
	test_grep "^  Runs  Last outcome  Pass rate$" out &&
	test_grep "not shown at this width: Last run" out &&
	COLUMNS=80 insight test history "$P[voucher]" >hist &&
	test_grep "^AssertionError: refund of 10.00 went to card$" hist &&
	test_grep "failed" hist
'

test_expect_success 'rows too wide for any layout become records, with every column' '
	COLUMNS=40 insight history list >out &&
	check 40 out &&
	test_grep "^  .*Pass rate: " out &&
	test_grep "^  .*Session: " out &&
	test_grep -v "not shown at this width" out
'

test_expect_success '--wide, not at a terminal: the table as wide as it is' '
	COLUMNS=40 insight --wide history list >wide &&
	test_grep "^Started  *Session  *SUT  *Tests" wide &&
	test_grep -v "not shown at this width" wide &&
	COLUMNS=40 insight --wide test list --sut payments >wide2 &&
	test_grep "$P\[gift_card\]" wide2 &&
	test_grep -v "stands for" wide2
'

test_expect_success 'a fact that only repeats the title is left out, and shown with -v' '
	insight session show latest >out &&
	head -n 1 out >title &&
	test_grep "^Session [0-9A-Z]\{26\}" title &&
	test_grep -v "^Session: " out &&
	insight -v session show latest >verbose &&
	test_grep "^Session: " verbose &&
	insight sut show payments >sut &&
	test_grep -v "^SUT: " sut
'

test_done
