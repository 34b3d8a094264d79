#!/bin/bash
# t6130-ci-report-teamcity - ci report in TeamCity: statistics for the counts,
# a build problem per new failure and the session's tests as test messages
# (started, failed or ignored, finished with a duration), on stdout, parsed
# back here with TeamCity's escaping (|| |' |[ |] |n |r |0xXXXX).
. "$(dirname "$0")/lib.sh"

export INSIGHT_DB="$TRASH/h.db"

cat >base.xml <<'XML'
<testsuite name="s"><testcase classname="tests/test_a.py" name="test_one"/>
<testcase classname="tests/test_a.py" name="test_two"/></testsuite>
XML
cat >target.xml <<'XML'
<testsuite name="s"><testcase classname="tests/test_a.py" name="test_one"><failure message="it's [bad] | x&#10;next&#x2028;end">tb</failure></testcase>
<testcase classname="tests/test_a.py" name="test_two"/></testsuite>
XML

# Parse service messages back and check them.
cat >parse-tc.py <<'EOF_PY'
import re, sys
def unescape(v):
    out, i = [], 0
    while i < len(v):
        c = v[i]
        if c != "|":
            out.append(c); i += 1; continue
        n = v[i + 1]
        if n == "0":
            out.append(chr(int(v[i + 3:i + 7], 16))); i += 7; continue
        out.append({"|": "|", "'": "'", "[": "[", "]": "]", "n": "\n", "r": "\r"}[n]); i += 2
    return "".join(out)
msgs = []
for line in open(sys.argv[1], encoding="utf-8").read().splitlines():
    m = re.match(r"^##teamcity\[(\w+)((?: \w+='(?:[^'|]|\|.)*')*)\]$", line)
    assert m, line
    attrs = {k: unescape(v) for k, v in re.findall(r"(\w+)='((?:[^'|]|\|.)*)'", m.group(2))}
    msgs.append((m.group(1), attrs))
stats = {a["key"]: a["value"] for n, a in msgs if n == "buildStatisticValue"}
assert stats["insight.tests"] == "2" and stats["insight.failing"] == "1", stats
assert stats["insight.newFailures"] == "1" and stats["insight.passRate"] == "50.00", stats
problems = [a for n, a in msgs if n == "buildProblem"]
assert len(problems) == 1, msgs
want = "new failure: tests/test_a.py::test_one: it's [bad] | x\nnext\u2028end"
assert problems[0]["description"] == want, repr(problems[0]["description"])
assert re.fullmatch(r"insight-[0-9a-f]{16}", problems[0]["identity"]), problems[0]
# every test of the session, in a suite named after the SUT, as TeamCity reads test results
names = [n for n, a in msgs if n.startswith("test")]
assert names == ["testSuiteStarted",
                 "testStarted", "testFailed", "testFinished",
                 "testStarted", "testFinished", "testSuiteFinished"], names
started = [a["name"] for n, a in msgs if n == "testStarted"]
assert started == ["tests/test_a.py::test_one", "tests/test_a.py::test_two"], started
failed = [a for n, a in msgs if n == "testFailed"][0]
assert failed["message"] == "it's [bad] | x\nnext\u2028end" and failed["details"] == "tb", failed
finished = [a for n, a in msgs if n == "testFinished"]
assert all(a["duration"].isdigit() for a in finished), finished
EOF_PY

test_expect_success 'setup: one new failure' '
	insight -q session import --sut shop base.xml &&
	insight -q session import --sut shop target.xml
'

test_expect_success 'TeamCity: statistics and a build problem, parsed back, twice the same identity' '
	for run in 1 2; do
		env -i PATH="$PATH" HOME="$HOME" LC_ALL=C INSIGHT_DB="$INSIGHT_DB" TEAMCITY_VERSION=2024.1 \
			BUILD_NUMBER=3 "$INSIGHT_BIN" ci report --sut shop --base latest~1 >out.$run 2>err || return 1
	done &&
	test_grep "delivered: service messages" err &&
	test_cmp out.1 out.2 &&
	"$INSIGHT_PYTHON" parse-tc.py out.1
'

test_done
