#!/bin/bash
# insight session list: the sessions newest first, filtered by SUT and time,
# limited; golden output in every format and width; colour only on a
# terminal and never with NO_COLOR; bad windows and dates refused clearly.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/browse-lib.sh"

setup_history

test_expect_success 'session list in every format and width' '
	golden_all session-list session list
'

test_expect_success 'newest first, with the counts and pass rate of each session' '
	insight session list --format json >j &&
	test "$(json_get j "[r[\"started\"] for r in d[\"tables\"][\"sessions\"][\"rows\"]]")" = \
		"[\"2026-11-22T12:00:00.000Z\", \"2026-11-22T09:00:00.000Z\", \"2026-11-21T12:00:00.000Z\", \"2026-11-21T09:00:00.000Z\", \"2026-11-20T09:00:00.000Z\"]" &&
	test "$(json_get j "d[\"tables\"][\"sessions\"][\"rows\"][3][\"pass_rate\"]")" = 0.6 &&
	test "$(json_get j "len(d[\"tables\"][\"sessions\"][\"rows\"][0][\"id\"])")" = 26 &&
	test "$(json_get j "len(d[\"tables\"][\"sessions\"][\"rows\"][0][\"commit\"])")" = 40
'

test_expect_success '--sut keeps one SUT; an unknown SUT is an error' '
	insight session list --sut web --format csv >out &&
	test_line_count = 3 out &&
	test_grep -v ",api," out &&
	test_must_fail --exit 2 insight session list --sut nope 2>err &&
	test_grep "no SUT named .nope." err && test_line_count = 1 err
'

test_expect_success '--time, --days, --since and --until select by start time' '
	# now is 2026-11-23 00:00; the window starts 2026-11-21 12:00, inclusive
	insight session list --time 1d12h --format csv >out &&
	test_line_count = 4 out &&
	test_grep "2026-11-21T12:00:00.000Z" out &&
	insight session list --days 2 --format csv >out &&
	test_line_count = 5 out &&
	insight session list --since 2026-11-21 --until 2026-11-21 --format csv >out &&
	test_line_count = 3 out &&
	insight session list --since "2026-11-21T10:00Z" --format json >j &&
	test "$(json_get j "d[\"facts\"][\"sessions\"]")" = 3 &&
	test "$(json_get j "d[\"facts\"][\"from\"]")" = "2026-11-21T10:00:00.000Z"
'

test_expect_success 'malformed windows and dates are refused with one clear line, exit 2' '
	for bad in "--time 7x" "--time d7" "--time=" "--since 2026-13-01" "--until yesterdayish" \
		"--days 0" "--days -3" "--limit 0" "--time 7d --since 2026-11-01" \
		"--time 7d --days 3" "--limit 3 --all"; do
		test_must_fail --exit 2 insight session list $bad >out 2>err &&
		test_line_count = 0 out && test_line_count = 1 err &&
		test_grep "^insight: " err || { echo "accepted: $bad"; return 1; }
	done &&
	test_must_fail insight session list --time 7x 2>err &&
	test_grep "7x" err &&
	test_must_fail insight session list --since 2026-11-22 --until 2026-11-21 2>err &&
	test_grep "empty" err
'

test_expect_success 'a narrow terminal hides the detail columns first, and names them' '
	COLUMNS=80 insight session list >out &&
	head -n 4 out | tail -n 1 >header &&
	echo "Session       SUT  Started           Tests  Passed  Failed  Pass rate" >expect &&
	test_cmp expect header &&
	test_grep "not shown at this width: Duration, Error, Skipped, Flaky, Commit, Branch" out &&
	COLUMNS=120 insight session list >out &&
	test_grep "^Session .* Duration .* Error  Flaky  Pass rate  Commit  *Branch$" out &&
	test_grep "not shown at this width: Skipped$" out &&
	COLUMNS=200 insight session list >out &&
	test_grep -v "not shown" out &&
	insight --format csv session list >out &&
	test_grep "^id,sut,started,duration,tests,passed,failed,error,skipped,flaky,pass_rate,commit,branch" out
'

test_expect_success '--limit cuts the list and says how many more; --all shows them all' '
	insight session list --limit 2 >out &&
	test_grep "3 more (use --all)" out &&
	insight session list --limit 2 --format json >j &&
	test "$(json_get j "len(d[\"tables\"][\"sessions\"][\"rows\"])")" = 2 &&
	test "$(json_get j "d[\"tables\"][\"sessions\"][\"total_rows\"]")" = 5 &&
	COLUMNS=200 insight session list --all >out &&
	test_grep -v "more (use --all)" out &&
	test_line_count = 9 out
'

test_expect_success 'the global options work before and after the command' '
	insight --format json session list >a &&
	insight session list --format json >b &&
	test_cmp a b &&
	insight session list -o file.md --format md &&
	test_grep "^| Session" file.md
'

test_expect_success 'a pipe gets no colour; a terminal does, unless NO_COLOR or --color never' '
	insight session list >out &&
	! grep -q "$(printf "\033")" out &&
	insight --color always session list >out &&
	grep -q "$(printf "\033")\\[" out &&
	if command -v script >/dev/null; then
		script -qec "$INSIGHT_BIN session list" /dev/null >tty.out &&
		grep -q "$(printf "\033")\\[" tty.out &&
		NO_COLOR=1 script -qec "$INSIGHT_BIN session list" /dev/null >tty.out &&
		! grep -q "$(printf "\033")\\[" tty.out &&
		script -qec "$INSIGHT_BIN --color never session list" /dev/null >tty.out &&
		! grep -q "$(printf "\033")\\[" tty.out
	fi
'

test_expect_success 'an empty history lists nothing and says so' '
	mkdir empty && cd empty &&
	insight --db none.db init >/dev/null &&
	insight --db none.db session list >out &&
	test_grep "no sessions" out &&
	insight --db none.db session list --format json >j &&
	test "$(json_get j "d[\"tables\"][\"sessions\"][\"total_rows\"]")" = 0
'

test_done
