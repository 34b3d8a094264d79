#!/bin/bash
# TRX: results joined to their definitions by testId, whatever the order of
# the two, in reports large enough that the definitions do not all stay in
# memory. The results' names carry no class, so each test's node id is right
# only if its result met its own definition; a failure's message names its
# test, and retries (a failure, then a pass at the end of the run) must be
# read in the document's order to count as two attempts of one test.
. "$(dirname "$0")/lib.sh"

# gen.py N ORDER REPORT EXPECTED: a TRX of N tests in 13 classes, results and
# definitions each in their own shuffled order, ORDER saying which comes
# first ("results", "definitions", or "split": half the definitions before
# the results, half after); EXPECTED lists node id, outcome, attempts and
# message of every test.
cat >gen.py <<'PY'
import random, sys, uuid

n, order, report, expected = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
rnd = random.Random(14)
classes = ["Shop.Tests.Area%02d.Suite" % k for k in range(13)]
tests = []
for i in range(n):
    # VSTest's GUIDs, and ids that are no GUID
    tid = str(uuid.UUID(int=rnd.getrandbits(128))) if i % 3 else "id-%d" % i
    cls = None if i % 97 == 13 else classes[(i * 7919) % 13]
    tests.append((i, tid, cls))

def result(i, tid, cls, outcome, message=None):
    name = "Case%05d" % i if cls else "Other.Place.Case%05d" % i
    body = ""
    if message:
        body = "<Output><ErrorInfo><Message>%s</Message></ErrorInfo></Output>" % message
    return ('<UnitTestResult executionId="e%d" testId="%s" testName="%s" '
            'duration="00:00:00.0010000" outcome="%s">%s</UnitTestResult>\n'
            % (i, tid, name, outcome, body))

results, retries, rows = [], [], []
for i, tid, cls in tests:
    node = "%s::Case%05d" % (cls or "Other.Place", i)
    if i % 101 == 9:
        results.append(result(i, tid, cls, "Failed", "first try of %d" % i))
        retries.append(result(i, tid, cls, "Passed"))
        rows.append("%s\tpassed\t2\t" % node)
    elif i % 17 == 5:
        results.append(result(i, tid, cls, "Failed", "case %d failed" % i))
        rows.append("%s\tfailed\t1\tcase %d failed" % (node, i))
    elif i % 23 == 4:
        results.append(result(i, tid, cls, "NotExecuted"))
        rows.append("%s\tskipped\t1\t" % node)
    else:
        results.append(result(i, tid, cls, "Passed"))
        rows.append("%s\tpassed\t1\t" % node)
rnd.shuffle(results)
defs = ['<UnitTest name="Case%05d" id="%s"><TestMethod className="%s, Shop.Tests" '
        'name="Case%05d" /></UnitTest>\n' % (i, tid, cls, i)
        for i, tid, cls in tests if cls]
rnd.shuffle(defs)
half = len(defs) // 2 if order == "split" else len(defs) if order == "definitions" else 0
with open(report, "w") as f:
    f.write('<?xml version="1.0" encoding="utf-8"?>\n<TestRun id="r" '
            'xmlns="http://microsoft.com/schemas/VisualStudio/TeamTest/2010">\n')
    f.write("<TestDefinitions>\n" + "".join(defs[:half]) + "</TestDefinitions>\n")
    f.write("<Results>\n" + "".join(results + retries) + "</Results>\n")
    f.write("<TestDefinitions>\n" + "".join(defs[half:]) + "</TestDefinitions>\n")
    f.write("</TestRun>\n")
with open(expected, "w") as f:
    f.write("".join(r + "\n" for r in sorted(rows, key=lambda r: r.encode())))
PY

results() {
	insight --format tsv --table results session show --outcome all --all latest |
		tail -n +2 | cut -f1-3,5 | LC_ALL=C sort
}

for spec in "500 results" "40000 results" "40000 definitions" "40000 split"; do
	set -- $spec
	test_expect_success "$1 tests, $2 first: every result joined to its own definition" '
		"$INSIGHT_PYTHON" gen.py '$1' '$2' r.trx expect &&
		test $(wc -l <expect) = '$1' &&
		export INSIGHT_DB="$TRASH/'$1-$2'.db" &&
		insight -q session import --sut join r.trx >/dev/null &&
		results >got &&
		test_cmp expect got
	'
done

test_expect_success 'results without testId (or testName), before and after results that wait for their definitions' '
	cat >noid.trx <<-\XML &&
	<TestRun><Results>
	<UnitTestResult outcome="Passed"/>
	<UnitTestResult testName="Shop.Tests.Free.First" outcome="Passed"/>
	<UnitTestResult testId="t-1" testName="Bare" outcome="Failed"/>
	<UnitTestResult testName="Shop.Tests.Free.Last" outcome="Passed"/>
	<UnitTestResult testId="t-1" testName="Bare" outcome="Passed"/>
	</Results><TestDefinitions>
	<UnitTest id="t-1"><TestMethod className="Shop.Tests.Defined" name="Bare"/></UnitTest>
	</TestDefinitions></TestRun>
	XML
	printf "%s\t%s\t%s\t\n" "(unnamed test)" passed 1 Shop.Tests.Defined::Bare passed 2 \
		Shop.Tests.Free::First passed 1 Shop.Tests.Free::Last passed 1 >expect &&
	export INSIGHT_DB="$TRASH/noid.db" &&
	insight -q session import --sut join noid.trx >/dev/null &&
	results >got &&
	test_cmp expect got
'

test_done
