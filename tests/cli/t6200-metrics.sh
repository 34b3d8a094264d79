#!/bin/bash
# t6200-metrics - insight metrics: the Prometheus text exposition of every
# SUT's latest session, accepted by promtool without a lint warning, the
# values computed from known reports, label values escaped, one SUT with
# --sut, and --textfile replacing its file atomically.
. "$(dirname "$0")/lib.sh"

export INSIGHT_DB="$TRASH/h.db"

# promtool_clean FILE: promtool accepts it and has nothing to say.
promtool_clean() {
	promtool check metrics <"$1" >promtool.out 2>&1 || { cat promtool.out; return 1; }
	test ! -s promtool.out || { cat promtool.out; return 1; }
}

test_expect_success 'setup: two sessions of web, one of a SUT with quotes in its name' '
	command -v promtool >/dev/null || { echo "promtool missing: run scripts/setup-deps"; return 1; } &&
	cat >web1.xml <<-\EOF &&
	<testsuite name="s" timestamp="2026-01-01T00:00:00" time="5"><testcase classname="t" name="a" time="0.2"/><testcase classname="t" name="b" time="1"/></testsuite>
	EOF
	cat >web2.xml <<-\EOF &&
	<testsuite name="s" timestamp="2026-01-02T03:04:05" time="10.5">
	<testcase classname="t" name="a" time="0.2"/>
	<testcase classname="t" name="b" time="1.5"><failure message="boom">x</failure></testcase>
	<testcase classname="t" name="d" time="0.04"><flakyFailure message="once"/></testcase>
	<testcase classname="t" name="c" time="0.003"><skipped/></testcase>
	<testcase classname="t" name="e" time="400"><error message="setup"/></testcase>
	</testsuite>
	EOF
	cat >odd.xml <<-\EOF &&
	<testsuite name="s" timestamp="2026-01-03T00:00:00" time="1"><testcase classname="t" name="z" time="0.5"/></testsuite>
	EOF
	insight -q session import --sut web web1.xml >/dev/null &&
	insight -q session import --sut web web2.xml >/dev/null &&
	insight -q session import --sut "odd \"q\" \\ name" odd.xml >/dev/null
'

test_expect_success 'promtool checks the exposition with no lint warning' '
	insight metrics >all.prom &&
	promtool_clean all.prom &&
	test "$(grep -c "^# TYPE " all.prom)" = 8 &&
	grep "^# TYPE insight_sessions_total counter$" all.prom &&
	grep "^# TYPE insight_test_duration_seconds histogram$" all.prom &&
	! grep -q "$(printf "\r")" all.prom
'

test_expect_success 'the values of the latest session of web' '
	grep "sut=\"web\"" all.prom >web.prom &&
	cat >expect <<-\EOF &&
	insight_sessions_total{sut="web"} 2
	insight_tests{sut="web",outcome="passed"} 2
	insight_tests{sut="web",outcome="failed"} 1
	insight_tests{sut="web",outcome="error"} 1
	insight_tests{sut="web",outcome="skipped"} 1
	insight_tests{sut="web",outcome="xfailed"} 0
	insight_tests{sut="web",outcome="xpassed"} 0
	insight_pass_ratio{sut="web"} 0.5
	insight_flaky_tests{sut="web"} 1
	insight_new_failures{sut="web"} 2
	insight_last_session_timestamp_seconds{sut="web"} 1767323055.5
	insight_last_session_duration_seconds{sut="web"} 10.5
	insight_test_duration_seconds_bucket{sut="web",le="0.005"} 1
	insight_test_duration_seconds_bucket{sut="web",le="0.01"} 1
	insight_test_duration_seconds_bucket{sut="web",le="0.025"} 1
	insight_test_duration_seconds_bucket{sut="web",le="0.05"} 2
	insight_test_duration_seconds_bucket{sut="web",le="0.1"} 2
	insight_test_duration_seconds_bucket{sut="web",le="0.25"} 3
	insight_test_duration_seconds_bucket{sut="web",le="0.5"} 3
	insight_test_duration_seconds_bucket{sut="web",le="1"} 3
	insight_test_duration_seconds_bucket{sut="web",le="2.5"} 4
	insight_test_duration_seconds_bucket{sut="web",le="5"} 4
	insight_test_duration_seconds_bucket{sut="web",le="10"} 4
	insight_test_duration_seconds_bucket{sut="web",le="30"} 4
	insight_test_duration_seconds_bucket{sut="web",le="60"} 4
	insight_test_duration_seconds_bucket{sut="web",le="120"} 4
	insight_test_duration_seconds_bucket{sut="web",le="300"} 4
	insight_test_duration_seconds_bucket{sut="web",le="600"} 5
	insight_test_duration_seconds_bucket{sut="web",le="+Inf"} 5
	insight_test_duration_seconds_sum{sut="web"} 401.743
	insight_test_duration_seconds_count{sut="web"} 5
	EOF
	test_cmp expect web.prom
'

test_expect_success 'a label value with quotes and a backslash is escaped' '
	grep -F "insight_sessions_total{sut=\"odd \\\"q\\\" \\\\ name\"} 1" all.prom
'

test_expect_success '--sut: one SUT only; an unknown SUT is an error' '
	insight metrics --sut web >one.prom &&
	promtool_clean one.prom &&
	! grep -q odd one.prom &&
	grep -c "sut=\"web\"" one.prom >n && test "$(cat n)" = 31 &&
	test_must_fail --exit 2 insight metrics --sut nosuch 2>err &&
	test_grep "insight: no sessions of SUT .nosuch." err
'

test_expect_success '--textfile writes insight.prom atomically and prints its path' '
	mkdir tf &&
	insight metrics --textfile tf >out &&
	echo tf/insight.prom >expect && test_cmp expect out &&
	test_cmp all.prom tf/insight.prom &&
	ino1=$(stat -c %i tf/insight.prom) &&
	insight -q session import --sut api odd.xml >/dev/null &&
	insight metrics --textfile tf >/dev/null &&
	test "$(stat -c %i tf/insight.prom)" != "$ino1" &&
	ls -A tf >files && echo insight.prom >expect && test_cmp expect files &&
	promtool_clean tf/insight.prom &&
	insight metrics --sut web --textfile tf >out &&
	echo tf/insight-web.prom >expect && test_cmp expect out
'

test_expect_success '--textfile: a directory that is not there is a usage error' '
	test_must_fail --exit 2 insight metrics --textfile nodir 2>err &&
	test_grep "insight: --textfile: .nodir. is not a directory" err
'

test_expect_success 'an empty history gives the families with no samples' '
	INSIGHT_DB="$TRASH/empty.db" insight -q session import --sut gone odd.xml >/dev/null &&
	INSIGHT_DB="$TRASH/empty.db" insight -q session delete --yes latest &&
	INSIGHT_DB="$TRASH/empty.db" insight metrics >empty.prom &&
	test "$(grep -vc "^#" empty.prom)" = 0 &&
	test "$(grep -c "^# TYPE" empty.prom)" = 8 &&
	promtool_clean empty.prom
'

test_done
