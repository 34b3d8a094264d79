#!/bin/bash
# plan shard on a generated history (scripts/gen-history: 6 sessions of
# 5,000 tests with heavy-tailed durations clustered by file) plus 10 % new
# tests: every test
# in exactly one shard, the same shards from any input order and from 16
# processes, the longest shard close to the lower bound and better than
# round-robin and an even split by count, and the prediction checked
# against a session held back.
. "$(dirname "$0")/lib.sh"

export INSIGHT_DB="$TRASH/h.db"

test_expect_success 'setup: five sessions imported, the sixth held back' '
	"$INSIGHT_PYTHON" "$INSIGHT_SRCDIR/scripts/gen-history" --sessions 6 --tests 5000 --days 6 \
		--clustered --out gen >/dev/null &&
	for i in 0 1 2 3 4; do
		insight -q session import --sut app --no-git gen/s0000$i.xml >/dev/null || return 1
	done &&
	"$INSIGHT_PYTHON" - <<-\EOF_PY
	import re
	ids = []
	for m in re.finditer(r"<testcase classname=\"([^\"]*)\" name=\"([^\"]*)\" file=\"([^\"]*)\"",
	                     open("gen/s00005.xml").read()):
	    ids.append(m.group(3) + "::" + m.group(2))
	new = ["tests/new/test_new_%d.py::test_fresh_%d" % (i % 7, i) for i in range(len(ids) // 10)]
	open("tests.txt", "w").write("\n".join(ids + new) + "\n")
	open("shuffled.txt", "w").write("\n".join(sorted(ids + new, key=lambda s: s[::-1])) + "\n")
	EOF_PY
'

test_expect_success 'every test in exactly one of 8 shards' '
	for i in 1 2 3 4 5 6 7 8; do
		insight plan shard --sut app --total 8 --index $i tests.txt >shard$i || return 1
	done &&
	cat shard? | LC_ALL=C sort >union &&
	LC_ALL=C sort tests.txt >all &&
	test_cmp all union
'

test_expect_success 'the same shards from a shuffled input and from 16 processes at once' '
	for i in 1 2 3 4 5 6 7 8; do
		insight plan shard --sut app --total 8 --index $i shuffled.txt | LC_ALL=C sort >s$i &&
		LC_ALL=C sort shard$i >t$i && test_cmp t$i s$i || return 1
	done &&
	for p in $(seq 16); do
		insight plan shard --sut app --total 8 --index 3 tests.txt >p$p &
	done && wait &&
	for p in $(seq 16); do test_cmp shard3 p$p || return 1; done
'

test_expect_success 'balance: by test within 5 %, by file within 15 % of the lower bound, 4 to 16 shards' '
	for n in 4 8 16; do
		insight --format json plan shard --sut app --total $n --index 1 tests.txt >t.json &&
		json_get t.json "d[\"facts\"][\"imbalance\"] <= 0.05" >ok && echo True >yes &&
		test_cmp yes ok || { json_get t.json "d[\"facts\"]"; return 1; }
		insight --format json plan shard --sut app --total $n --index 1 --by file tests.txt >f.json &&
		json_get f.json "d[\"facts\"][\"imbalance\"] <= 0.15" >ok &&
		test_cmp yes ok || { json_get f.json "d[\"facts\"]"; return 1; }
	done
'

test_expect_success 'better than round-robin and an even split by count, on the same estimates' '
	insight --format json plan shard --sut app --total 8 --index 1 tests.txt >t.json &&
	"$INSIGHT_PYTHON" - <<-\EOF_PY
	import json
	d = json.load(open("t.json"))
	rows = d["tables"]["items"]["rows"]
	est = {r["name"]: r["estimate"] for r in rows}
	names = [l.strip() for l in open("tests.txt") if l.strip()]
	n = 8
	plan = max(r["predicted"] for r in d["tables"]["shards"]["rows"])
	rr = max(sum(est[x] for x in names[i::n]) for i in range(n))
	k = (len(names) + n - 1) // n
	even = max(sum(est[x] for x in names[i * k:(i + 1) * k]) for i in range(n))
	assert plan < rr and plan < even, (plan, rr, even)
	EOF_PY
'

test_expect_success 'the prediction is within 10 % of the held-back session, shard by shard' '
	insight --format json plan shard --sut app --total 4 --index 1 tests.txt >t.json &&
	"$INSIGHT_PYTHON" - <<-\EOF_PY
	import json, re
	d = json.load(open("t.json"))
	rows = {r["name"]: r for r in d["tables"]["items"]["rows"]}
	pred = {s: 0.0 for s in range(1, 5)}
	actual = {s: 0.0 for s in range(1, 5)}
	# the tests the held-back session ran (the new ones did not run there)
	for m in re.finditer(r"<testcase classname=\"[^\"]*\" name=\"([^\"]*)\" file=\"([^\"]*)\" time=\"([^\"]*)\"",
	                     open("gen/s00005.xml").read()):
	    r = rows[m.group(2) + "::" + m.group(1)]
	    pred[r["shard"]] += r["estimate"]
	    actual[r["shard"]] += float(m.group(3))
	for s in pred:
	    assert abs(pred[s] - actual[s]) <= 0.10 * actual[s], (s, pred[s], actual[s])
	EOF_PY
'

test_expect_success 'without a list: the tests of the SUT'"'"'s latest session' '
	insight plan shard --sut app --total 2 --index 1 >a && insight plan shard --sut app --total 2 --index 2 >b &&
	cat a b | LC_ALL=C sort >got &&
	test "$(wc -l <got)" -eq 5000 &&
	test "$(LC_ALL=C sort -u got | wc -l)" -eq 5000
'

test_expect_success 'usage: --index 0 gives the CircleCI hint; bad --by, --total, an unknown SUT' '
	{ insight plan shard --sut app --total 4 --index 0 tests.txt 2>err; test $? = 2; } &&
	test_grep "CIRCLE_NODE_INDEX counts from 0" err &&
	{ insight plan shard --sut app --total 4 --index 5 tests.txt 2>err; test $? = 2; } &&
	{ insight plan shard --sut app --total 0 --index 1 tests.txt 2>err; test $? = 2; } &&
	{ insight plan shard --sut app --total 4 --index 1 --by suite tests.txt 2>err; test $? = 2; } &&
	test_grep "by takes test, file or class" err &&
	test_must_fail insight plan shard --sut nope --total 4 --index 1 tests.txt 2>err &&
	test_grep "nope" err
'

test_done
