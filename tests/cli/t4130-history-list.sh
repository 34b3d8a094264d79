#!/bin/bash
# insight history list: one line per session with every outcome count, in a
# window, grouped by SUT with --by-sut; golden output in every format and width.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/browse-lib.sh"

setup_history

test_expect_success 'history list in every format and width' '
	golden_all history-list history list &&
	golden_all history-list-by-sut history list --by-sut --time 7d
'

test_expect_success '--by-sut: one section per SUT, totals first' '
	insight history list --by-sut --format json >j &&
	"$INSIGHT_PYTHON" - j <<-\PY
	import json, sys
	d = json.load(open(sys.argv[1]))
	assert d["facts"]["sessions"] == 5 and d["facts"]["suts"] == 2, d["facts"]
	assert [s["title"] for s in d["sections"]] == ["api", "web"]
	api = d["sections"][0]
	assert api["facts"]["sessions"] == 3
	rows = api["tables"]["sessions"]["rows"]
	assert [r["xfailed"] for r in rows] == [0, 0, 0]
	assert [r["sut"] for r in rows] == ["api"] * 3
	web = d["sections"][1]["tables"]["sessions"]["rows"]
	assert [r["xfailed"] for r in web] == [1, 1], web
	PY
'

test_expect_success 'a window, a SUT, a limit' '
	insight history list --time 1d --format json >j &&
	test "$(json_get j "d[\"facts\"][\"sessions\"]")" = 2 &&
	insight history list --sut web --format csv >out &&
	test_line_count = 3 out &&
	insight history list --by-sut --limit 1 >out &&
	test_grep "2 more (use --all)" out &&
	test_grep "1 more (use --all)" out &&
	insight history list --time 1h --by-sut >out &&
	test_grep "no sessions in this window" out &&
	test_must_fail --exit 2 insight history list --time week 2>err &&
	test_grep "week" err
'

test_done
