#!/bin/bash
# insight session show: one session's facts, counts, failures and flaky
# tests, found by id prefix, latest or latest~N; golden output in every
# format and width; test data with markup, pipes, backticks, ANSI escapes,
# tabs, newlines and CJK comes out escaped in every format.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/browse-lib.sh"

setup_history

test_expect_success 'the first api session: a failure with markup in its message' '
	golden_all session-show-markup session show --sut api latest~2
'

test_expect_success 'a web session with ANSI escapes, a rerun, an xfail, CI facts; -v adds output' '
	golden_all session-show-ansi session show --sut web latest~1 -v
'

test_expect_success 'the last api session: tags, a flaky test, all outcomes listed' '
	golden_all session-show-flaky session show --sut api --outcome all latest
'

test_expect_success 'HTML escapes the data and stays well-formed' '
	insight session show --sut api latest~2 --format html >page.html &&
	html_well_formed page.html &&
	grep -qF "\u003cscript\u003ealert(1)\u003c/script\u003e" page.html &&
	test_grep -v "<script>alert" page.html &&
	insight session show --sut web latest~1 -v --format html >page2.html &&
	html_well_formed page2.html &&
	no_raw_controls page2.html &&
	grep -qF "\u003cb\u003enot bold\u003c/b\u003e" page2.html
'

test_expect_success 'Markdown escapes pipes, backticks and markup in table cells' '
	insight session show --sut api latest~2 --format md >out.md &&
	grep "^|" out.md >rows &&
	test_grep -v "<script>" rows &&
	test_grep "&lt;script&gt;" rows &&
	"$INSIGHT_PYTHON" - out.md <<-\PY
	import re, sys
	# Every row of a table has as many unescaped pipes as its header.
	want = None
	for line in open(sys.argv[1], encoding="utf-8"):
	    if not line.startswith("|"):
	        want = None
	        continue
	    n = len(re.findall(r"(?<!\\)\|", line))
	    if want is None:
	        want = n
	    assert n == want, (n, want, line)
	PY
'

test_expect_success 'the terminal shows control characters as escapes, tracebacks with -v' '
	insight session show --sut web latest~1 >out &&
	no_raw_controls out &&
	test_grep -v "Traceback:" out &&
	insight session show --sut web latest~1 -v >out &&
	no_raw_controls out &&
	test_grep "\\\\x1b\\[31mred" out &&
	test_grep "Traceback:" out &&
	test_grep "short test summary info" out
'

test_expect_success 'the JSON keeps the data exactly, full ids and commits' '
	insight session show --sut web latest~1 -v --format json >j &&
	test "$(json_get j "d[\"tables\"][\"tags\"][\"total_rows\"]")" = 0 &&
	"$INSIGHT_PYTHON" - j <<-\PY
	import json, sys
	d = json.load(open(sys.argv[1]))
	sec = {s["id"]: s for s in d["sections"]}
	res = sec["counts"]["tables"]["results"]["rows"]
	assert res[0]["test"] == "tests/test_ui.py::test_render[\x1b[31mred]", res[0]
	assert "\x1b[31mred\x1b[0m != red\tplain" in res[0]["detail"], res[0]
	assert sec["ci"]["facts"]["provider"] == "github"
	assert sec["ci"]["facts"]["build_url"] == "https://github.com/acme/shop/actions/runs/4242"
	assert len(sec["git"]["facts"]["commit"]) == 40
	assert sec["counts"]["facts"]["flaky"] == 1
	assert sec["counts"]["tables"]["flaky"]["rows"][0]["message"].startswith("TimeoutError")
	assert sec["counts"]["tables"]["output"]["rows"][0]["name"] == "short test summary info"
	assert len(d["facts"]["id"]) == 26
	PY
'

test_expect_success 'refs: a unique prefix in either case, latest, latest~N; errors for the rest' '
	id=$(insight session list --format csv | sed -n "2p" | cut -d, -f1) &&
	insight session show "$(echo $id | cut -c1-16)" --format json >j &&
	test "$(json_get j "d[\"facts\"][\"id\"]")" = "$id" &&
	insight session show "$(echo $id | cut -c1-16 | tr A-Z a-z)" --format json >j &&
	test "$(json_get j "d[\"facts\"][\"id\"]")" = "$id" &&
	insight session show --format json >j &&
	test "$(json_get j "d[\"facts\"][\"id\"]")" = "$id" &&
	insight session show latest~4 --format json >j &&
	test "$(json_get j "d[\"facts\"][\"started\"]")" = "2026-11-20T09:00:00.000Z" &&
	test_must_fail --exit 2 insight session show latest~5 2>err &&
	test_grep "no session .latest~5." err &&
	test_must_fail --exit 2 insight session show abc 2>err &&
	test_grep "at least 4" err &&
	test_must_fail --exit 2 insight session show ZZZZZZZZ 2>err &&
	test_grep "no session matches" err &&
	test_must_fail --exit 2 insight session show a b 2>err &&
	test_must_fail --exit 2 insight session show --outcome nope 2>err &&
	test_grep "unknown outcome .nope." err &&
	test_must_fail --exit 2 insight session show --sut nope 2>err &&
	test_grep "no SUT named" err
'

test_expect_success 'an ambiguous prefix lists the candidates' '
	# The five imports ran within a second: their ids share the time prefix.
	prefix=$(insight session list --format csv | sed -n "2p" | cut -c1-6) &&
	test_must_fail --exit 2 insight session show "$prefix" >out 2>err &&
	test_line_count = 0 out && test_line_count = 1 err &&
	test_grep "ambiguous: $prefix" err &&
	test "$(grep -o "$prefix[0-9A-Z]*" err | wc -l)" -ge 3
'

test_expect_success '--outcome and --limit choose the rows; the total is kept' '
	insight session show --sut api --outcome passed --limit 2 latest --format json >j &&
	test "$(json_get j "[s for s in d[\"sections\"] if s[\"id\"]==\"counts\"][0][\"tables\"][\"results\"][\"total_rows\"]")" = 6 &&
	test "$(json_get j "len([s for s in d[\"sections\"] if s[\"id\"]==\"counts\"][0][\"tables\"][\"results\"][\"rows\"])")" = 2 &&
	insight session show --sut api --outcome passed --limit 2 latest >out &&
	test_grep "4 more (use --all)" out
'

test_done
