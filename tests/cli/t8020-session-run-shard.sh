#!/bin/bash
# session run --shard with real pytest: the shards of a suite, each run by
# its own insight one after the other on one history, together run every
# test exactly once (a conftest logs each test pytest actually runs): the
# sessions the earlier shards recorded do not change the later shards'
# plan. They agree with plan shard, keep a file's tests together with --by
# file, and are tagged shard=I/N. Another runner gets its tests on stdin or
# in --shard-file.
. "$(dirname "$0")/lib.sh"

export INSIGHT_DB="$TRASH/h.db"

pytest_cmd() {
	echo "$INSIGHT_PYTHON" -m pytest -q -p no:cacheprovider tests
}

test_expect_success 'setup: a suite of 5 files and a full run' '
	mkdir -p proj/tests &&
	cat >proj/tests/conftest.py <<-\EOF_PY &&
	import os
	import pytest

	@pytest.fixture(autouse=True)
	def runlog(request):
	    with open(os.environ["RUNLOG"], "a") as f:
	        f.write(request.node.nodeid + "\n")
	EOF_PY
	"$INSIGHT_PYTHON" - <<-\EOF_PY &&
	import random
	random.seed(7)
	for f in range(5):
	    with open("proj/tests/test_m%d.py" % f, "w") as fh:
	        fh.write("import time\nimport pytest\n")
	        for t in range(8):
	            fh.write("\ndef test_%d():\n    time.sleep(%r)\n"
	                     % (t, random.choice([0.001, 0.005, 0.02, 0.04])))
	        fh.write("\n@pytest.mark.parametrize(\"x\", range(3))\ndef test_p(x):\n    pass\n")
	EOF_PY
	(cd proj && RUNLOG=../full.log insight -q session run --sut app -- $(pytest_cmd) >/dev/null) &&
	sort full.log >full.sorted &&
	test_line_count = 55 full.sorted
'

test_expect_success 'four shards run every test exactly once, each tagged' '
	(cd proj && "$INSIGHT_PYTHON" -m pytest -q -p no:cacheprovider --collect-only tests) |
		grep "::" >tests.txt &&
	for i in 1 2 3 4; do
		insight plan shard --sut app --total 4 --index $i tests.txt | sort >plan$i || return 1
	done &&
	for i in 1 2 3 4; do
		(cd proj && RUNLOG=../shard$i.log insight session run --sut app --shard $i/4 -- \
			$(pytest_cmd) >../out$i 2>../err$i) || return 1
		test_grep "^insight: shard $i/4: [0-9]* of 55 tests" err$i || return 1
		test -s shard$i.log || return 1
		insight --format json session show latest >s$i.json &&
		test "$(json_get s$i.json "[r[\"value\"] for r in d[\"tables\"][\"tags\"][\"rows\"] if r[\"key\"] == \"shard\"]")" = "[\"$i/4\"]" || return 1
	done &&
	cat shard?.log | sort >union &&
	test_cmp full.sorted union &&
	sort union | uniq -d >twice &&
	test ! -s twice
'

test_expect_success 'each shard ran what plan shard gives, before the shards ran and after' '
	for i in 1 2 3 4; do
		sort shard$i.log >ran$i &&
		test_cmp plan$i ran$i &&
		insight plan shard --sut app --total 4 --index $i tests.txt | sort >after$i &&
		test_cmp plan$i after$i || return 1
	done
'

test_expect_success '--by file keeps each file in one shard' '
	for i in 1 2 3; do
		(cd proj && RUNLOG=../byfile$i.log insight -q session run --sut app --shard $i/3 \
			--by file -- $(pytest_cmd) >/dev/null) || return 1
		sed "s/::.*//" byfile$i.log | sort -u >files$i
	done &&
	cat files? | sort | uniq -d >shared &&
	test ! -s shared &&
	cat byfile?.log | sort >union.file &&
	test_cmp full.sorted union.file
'

test_expect_success 'a SUT without history is split by count' '
	for i in 1 2; do
		(cd proj && RUNLOG=../fresh$i.log insight -q session run --sut fresh --shard $i/2 -- \
			$(pytest_cmd) >/dev/null) || return 1
	done &&
	cat fresh?.log | sort >union.fresh &&
	test_cmp full.sorted union.fresh &&
	test_line_count -ge 27 fresh1.log && test_line_count -ge 27 fresh2.log
'

test_expect_success 'another runner reads its tests on stdin, or from --shard-file' '
	insight plan shard --sut app --total 4 --index 2 tests.txt >expect.stdin &&
	insight -q session run --sut app --shard 2/4 --tests tests.txt -- \
		sh -c "cat >got.stdin" 2>/dev/null &&
	test_cmp expect.stdin got.stdin &&
	insight -q session run --sut app --shard 2/4 --tests tests.txt --shard-file mine.txt -- \
		sh -c "cp mine.txt got.file" </dev/null 2>/dev/null &&
	test_cmp expect.stdin got.file &&
	insight plan shard --sut app --total 3 --index 3 >expect.latest &&
	insight -q session run --sut app --shard 3/3 -- sh -c "cat >got.latest" 2>/dev/null &&
	test_line_count -ge 10 got.latest &&
	test_cmp expect.latest got.latest
'

test_expect_success 'errors: one line, exit 125, before anything runs' '
	for spec in 0/4 5/4 x 2 3/0; do
		test_must_fail --exit 125 insight session run --sut app --shard $spec -- \
			sh -c "echo ran >ran" 2>err || return 1
		test_line_count = 1 err || return 1
		test ! -e ran || return 1
	done &&
	insight session run --sut app --shard 0/4 -- true 2>err;
	test_grep "CIRCLE_NODE_INDEX" err &&
	test_must_fail --exit 125 insight session run --sut app --shard 1/2 --by suite -- true 2>err &&
	test_grep "test, file or class" err &&
	test_must_fail --exit 125 insight session run --sut app --shard-file f -- true 2>err &&
	test_grep "go with --shard" err &&
	test_must_fail --exit 125 insight session run --sut nosuch --shard 1/2 -- true 2>err &&
	test_grep "no history to shard from" err &&
	echo "def broken(:" >proj/tests/test_zz.py &&
	(cd proj && RUNLOG=../broken.log insight session run --sut app --shard 1/2 -- \
		$(pytest_cmd) >out 2>../err.broken);
	test $? = 125 &&
	test_grep "collecting the tests to shard failed" err.broken &&
	test ! -e broken.log
'

test_done
