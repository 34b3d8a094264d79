#!/bin/bash
# t5005-analytics-slope - the slope of a trend reads in the metric's unit:
# a signed duration for the duration metric, signed percentage points for
# the rates, in the terminal, Markdown and HTML; JSON keeps the number
# (seconds, or the ratio's change, per session or day).

. "$(dirname "$0")/lib.sh"

export INSIGHT_DB="$TRASH/history.db" INSIGHT_NOW=2026-11-11T00:00:00Z

# report FILE DAY SECONDS FAILURES: a JUnit report of 200 tests on
# 2026-11-DAY whose suite took SECONDS, the first FAILURES of them failing.
report() {
	{
		echo "<testsuite name=\"s\" timestamp=\"2026-11-$2T12:00:00\" time=\"$3\">"
		for i in $(seq 1 200); do
			if [ "$i" -le "$4" ]; then
				echo "<testcase classname=\"s\" name=\"t$i\" time=\"0.001\"><failure message=\"boom\">x</failure></testcase>"
			else
				echo "<testcase classname=\"s\" name=\"t$i\" time=\"0.001\"/>"
			fi
		done
		echo "</testsuite>"
	} >"$1"
}

# SUT api: 12ms slower a session, and one more failure of 200 (0.5 points)
# each session. SUT web: 1.2s faster a day, nothing failing.
test_expect_success 'setup: a history with a rising and a falling duration' '
	report a1.xml 01 2.000 0 &&
	report a2.xml 02 2.012 1 &&
	report a3.xml 03 2.024 2 &&
	report a4.xml 04 2.036 3 &&
	report a5.xml 05 2.048 4 &&
	insight -q session import --sut api --split a1.xml a2.xml a3.xml a4.xml a5.xml >/dev/null &&
	report w1.xml 01 10.0 0 &&
	report w2.xml 02 8.8 0 &&
	report w3.xml 03 7.6 0 &&
	report w4.xml 04 6.4 0 &&
	insight -q session import --sut web --split w1.xml w2.xml w3.xml w4.xml >/dev/null
'

test_expect_success 'terminal: a rising duration reads as a signed duration' '
	insight sut analyze api --metric duration --by session >out &&
	test_grep "^Slope per session: *+12ms$" out &&
	test_grep "duration rising by 12ms a session" out
'

test_expect_success 'terminal: a falling duration reads negative' '
	insight analytics analyze --sut web --metric duration >out &&
	test_grep "^Slope per day: *-1\.20s$" out &&
	test_grep "duration falling by 1\.20s a day" out
'

test_expect_success 'terminal: a falling pass rate reads in points, as the verdict says' '
	insight test trends --sut api --by session >out &&
	test_grep "^Slope per session: *-0\.50 points$" out &&
	test_grep "pass-rate falling by 0\.50 points a session" out &&
	insight sut analyze api --metric failure-rate >out &&
	test_grep "^Slope per day: *+0\.50 points$" out
'

test_expect_success 'Markdown: the same signed values' '
	insight --format md test trends --sut api --metric duration --by session >out.md &&
	test_grep "^- \*\*Slope per session:\*\* +12ms$" out.md &&
	insight --format md sut analyze api --by session >out.md &&
	test_grep "^- \*\*Slope per session:\*\* -0\.50 points$" out.md &&
	insight --format md sut analyze web --metric duration >out.md &&
	test_grep "^- \*\*Slope per day:\*\* -1\.20s$" out.md
'

test_expect_success 'HTML: the slope card holds the signed value' '
	insight --format html sut analyze web --metric duration >out.html &&
	test_grep "Slope per day</div><div class=\"value\">-1\.20s<" out.html
'

# slope_is FILE VALUE: the JSON slope is a number within 1e-9 of VALUE.
slope_is() {
	"$INSIGHT_PYTHON" - "$1" "$2" <<-\EOF
	import json, sys
	d = json.load(open(sys.argv[1]))
	s = d["facts"]["slope"]
	assert d["schema_version"] == 1, d["schema_version"]
	assert isinstance(s, float), repr(s)
	assert abs(s - float(sys.argv[2])) < 1e-9, s
	EOF
}

test_expect_success 'JSON: the slope is seconds, or a ratio, per session or day' '
	insight --format json sut analyze api --metric duration --by session >d.json &&
	slope_is d.json 0.012 &&
	insight --format json test trends --sut api --by session >p.json &&
	slope_is p.json -0.005 &&
	insight --format json analytics analyze --sut web --metric duration >w.json &&
	slope_is w.json -1.2
'

test_done
