#!/bin/bash
# t0006-stderr-lines - each line insight writes on stderr reaches it in one
# write(2). A CI log that gathers the output of parallel jobs interleaves
# them by write: a line written in pieces (a prefix, then each escaped
# character) arrives cut apart by the other jobs' output.
. "$(dirname "$0")/lib.sh"

export INSIGHT_DB="$TRASH/h.db"

# traced CMD...: CMD under strace, its writes in ./trace. LeakSanitizer (the
# ASan build) stops the process with ptrace at exit, which a traced process
# cannot: leak checking is off for these runs only.
traced() {
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
		strace -f -qq -e trace=write -e signal=none -s 65536 -o trace "$@"
}

# writes_match TRACE ERR: every write to fd 2 in TRACE (strace -e write)
# is one whole line, and there is one for each line of ERR.
writes_match() {
	grep -E "^[0-9]+ +write\(2, " "$1" >writes || return 1
	n=$(wc -l <"$2") &&
	w=$(wc -l <writes) &&
	if test "$n" != "$w"; then
		echo "stderr has $n lines, written in $w writes:" && head -20 writes
		return 1
	fi
	# each write ends its line
	grep -v -E '\\n", [0-9]+\) += [0-9]+$' writes >partial
	test_line_count = 0 partial
}

test_expect_success 'setup: a passing session, then one with new failures' '
	{
		echo "<testsuite name=\"s\">" &&
		for i in 1 2 3 4 5 6 7 8; do
			echo "<testcase classname=\"tests.test_cart\" name=\"test_$i\" time=\"0.5\"/>"
		done &&
		echo "</testsuite>"
	} >pass.xml &&
	{
		echo "<testsuite name=\"s\">" &&
		for i in 1 2 3 4 5 6 7 8; do
			echo "<testcase classname=\"tests.test_cart\" name=\"test_$i&#x1B;[31m\" time=\"0.5\"><failure message=\"boom\">AssertionError</failure></testcase>"
		done &&
		echo "</testsuite>"
	} >fail.xml &&
	insight -q session import --sut api pass.xml
'

test_expect_success 'the summary after an import: one write for each line' '
	traced \
		"$INSIGHT_BIN" session import --sut api fail.xml >out 2>err &&
	test_grep "new failures since session" err &&
	test_grep "\\\\x1b" err &&
	test_line_count -ge 6 err &&
	writes_match trace err
'

test_expect_success 'an error: one line, one write' '
	test_must_fail --exit 2 traced \
		"$INSIGHT_BIN" session import --sut api "$TRASH/no-such-report.xml" >out 2>err &&
	test_line_count = 1 err &&
	writes_match trace err
'

test_expect_success 'per-file notes with -v: one write for each line' '
	mkdir reports && cp pass.xml fail.xml reports/ &&
	echo "<testng-results/>" >reports/testng-results.xml &&
	traced \
		"$INSIGHT_BIN" -v session import --force --sut api reports >out 2>err &&
	test_line_count -ge 4 err &&
	writes_match trace err
'

test_done
