#!/bin/bash
# insight test list: the tests by node id with runs, last outcome and pass
# rate, by SUT and pattern; golden output in every format and width.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/browse-lib.sh"

setup_history

test_expect_success 'test list in every format and width' '
	golden_all test-list test list &&
	golden_all test-list-web test list --sut web --grep "render|retry"
'

test_expect_success '--grep is an extended regular expression over the node id' '
	insight test list --grep "::test_(login|logout)$" --format tsv >out &&
	test_line_count = 3 out &&
	insight test list --grep "名前" --format csv >out &&
	test_line_count = 2 out &&
	test_grep "東京" out &&
	insight test list --grep "^nothing" >out &&
	test_grep "no tests" out &&
	test_must_fail --exit 2 insight test list --grep "(" 2>err &&
	test_grep "invalid pattern" err
'

test_expect_success '--sut counts only that SUT; an unknown SUT is an error' '
	insight test list --sut api --format json >j &&
	test "$(json_get j "d[\"facts\"][\"tests\"]")" = 7 &&
	test "$(json_get j "[r[\"runs\"] for r in d[\"tables\"][\"tests\"][\"rows\"]]")" = "[3, 3, 3, 3, 3, 3, 1]" &&
	test_must_fail --exit 2 insight test list --sut nope 2>err &&
	test_grep "no SUT named" err
'

test_expect_success 'names with tabs, newlines and escapes stay one escaped line' '
	COLUMNS=200 insight test list >out &&
	no_raw_controls out &&
	test_grep "test_tab\\\\tin\\\\nname" out &&
	insight test list --format json >j &&
	test "$(json_get j "any(r[\"test\"] == \"tests/test_tabs.py::test_tab\\tin\\nname\" for r in d[\"tables\"][\"tests\"][\"rows\"])")" = True &&
	insight test list --format tsv >out &&
	test_grep "test_tab\\\\tin\\\\nname" out
'

test_expect_success '--limit cuts the list, --all shows it all' '
	insight test list --limit 3 >out &&
	test_grep "8 more (use --all)" out &&
	insight test list --all --format json >j &&
	test "$(json_get j "len(d[\"tables\"][\"tests\"][\"rows\"])")" = 11
'

test_done
