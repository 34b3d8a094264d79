#!/bin/bash
# insight sut list: every SUT with its sessions, last run, last pass rate
# and trend; golden output in every format and width.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/browse-lib.sh"

setup_history

test_expect_success 'sut list in every format and width' '
	golden_all sut-list sut list
'

test_expect_success 'the trend is the pass rate of the last sessions, oldest first' '
	insight sut list --format json >j &&
	test "$(json_get j "d[\"tables\"][\"suts\"][\"rows\"][0][\"sut\"]")" = api &&
	test "$(json_get j "d[\"tables\"][\"suts\"][\"rows\"][0][\"trend\"]")" = "[0.8, 0.6, 1]" &&
	test "$(json_get j "d[\"tables\"][\"suts\"][\"rows\"][0][\"sessions\"]")" = 3 &&
	test "$(json_get j "d[\"tables\"][\"suts\"][\"rows\"][1][\"trend\"]")" = "[0.5, 1]" &&
	insight sut list >out &&
	test_grep "▅▁█" out
'

test_expect_success '--limit and --all; arguments are refused' '
	insight sut list --limit 1 >out &&
	test_grep "1 more (use --all)" out &&
	insight sut list --limit 1 --format csv >out &&
	test_line_count = 2 out &&
	test_must_fail --exit 2 insight sut list api 2>err &&
	test_grep "sut show api" err
'

test_expect_success 'no SUTs yet: an empty list that says what to do' '
	insight --db empty.db init >/dev/null &&
	insight --db empty.db sut list >out &&
	test_grep "no SUTs yet" out
'

test_done
