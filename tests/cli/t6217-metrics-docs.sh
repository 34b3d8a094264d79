#!/bin/bash
# t6217-metrics-docs - the metric list of docs/metrics.md (the Grafana
# table) and insight-metrics(1) name exactly the metric families, with their
# types, that insight metrics prints.
. "$(dirname "$0")/lib.sh"

export INSIGHT_DB="$TRASH/h.db"

test_expect_success 'setup: a session with every kind of figure' '
	cat >s.xml <<-\EOF &&
	<testsuite name="s" timestamp="2026-01-02T03:04:05" time="10.5">
	<testcase classname="t" name="a" time="0.2"/>
	<testcase classname="t" name="b" time="1.5"><failure message="boom">x</failure></testcase>
	</testsuite>
	EOF
	insight -q session import --sut shop s.xml >/dev/null
'

test_expect_success 'docs/metrics.md lists every family insight metrics prints, with its type, and no other' '
	insight metrics >m.txt &&
	sed -n "s/^# TYPE \([a-z_]*\) \([a-z]*\)$/\1 \2/p" m.txt | sort >printed &&
	test_line_count = 8 printed &&
	sed -n "s/^| \`\(insight_[a-z_]*\)\` | \([a-z]*\).*/\1 \2/p" "$INSIGHT_SRCDIR/docs/metrics.md" | sort >documented &&
	test_cmp printed documented
'

test_expect_success 'insight-metrics(1) describes each of them' '
	MANWIDTH=2000 man -l "$INSIGHT_SRCDIR/man/insight-metrics.1" 2>/dev/null >page.txt &&
	while read -r name type; do
		grep -q "^ *$name\(({[a-z]*})\)\?\$" page.txt || grep -q "^ *$name{" page.txt ||
			{ echo "$name is not in insight-metrics(1)"; return 1; }
		grep -A1 "^ *$name" page.txt | grep -q "($type" ||
			{ echo "$name: insight-metrics(1) does not say $type"; return 1; }
	done <printed
'

test_done
