#!/bin/bash
# insight test history: one row per session a test ran in, newest first,
# with sparklines; windows and SUTs; golden output in every format and width.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/browse-lib.sh"

setup_history

test_expect_success 'test history in every format and width' '
	golden_all test-history-total test history tests/test_cart.py::test_total &&
	golden_all test-history-add test history --time 2d test_add
'

test_expect_success 'rows newest first, series oldest first' '
	insight test history test_total --format json >j &&
	"$INSIGHT_PYTHON" - j <<-\PY
	import json, sys
	d = json.load(open(sys.argv[1]))
	rows = d["tables"]["runs"]["rows"]
	assert [r["outcome"] for r in rows] == ["passed", "failed", "passed"], rows
	assert [r["attempts"] for r in rows] == [2, 1, 1], rows
	assert rows[1]["message"] == "expected\t3\ngot\t4", rows[1]
	assert [p["y"] for p in d["series"]["outcome"]["points"]] == [1, 0, 1]
	assert [p["y"] for p in d["series"]["duration"]["points"]] == [0.9, 1.1, 1.0]
	assert [p["x"] for p in d["series"]["duration"]["points"]] == [r["session"] for r in rows][::-1]
	PY
	insight test history test_total >out &&
	test_grep "█▁█" out
'

test_expect_success 'windows, SUTs and limits' '
	insight test history test_total --since 2026-11-21 --format tsv >out &&
	test_line_count = 3 out &&
	insight test history test_total --until 2026-11-20 --format tsv >out &&
	test_line_count = 2 out &&
	insight test history test_total --sut web >out &&
	test_grep "no runs in this window" out &&
	insight test history test_total --limit 1 >out &&
	test_grep "2 more (use --all)" out &&
	test_must_fail --exit 2 insight test history test_total --time 3q 2>err &&
	test_grep "3q" err &&
	test_must_fail --exit 2 insight test history 2>err &&
	test_grep "one node id" err
'

test_done
