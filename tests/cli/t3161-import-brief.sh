#!/bin/bash
# The paragraph `session import` prints after storing a session with many
# new failures: the first five by node id, how many more, and their causes.
# With a thousand new failures or more, the first five are looked for by
# reading the catalogue in node-id order; these reports put the failures
# where that read finds them at once, where it cannot (every failure late
# in the order), and among failures that are not new, so that the names
# must be the same as sorting every new failure would give.
. "$(dirname "$0")/lib.sh"

# report OUT EXPECT SPEC: a JUnit report of 3,000 tests and, in EXPECT, the
# brief's lines that name failures, computed here (EXPECT.n: how many are
# new). SPEC: "spread" (1,200 tests fail, all through the suite), "late"
# (the last 1,100 by name fail, and they sort after every other test of
# the history), "again" (the spread failures fail again, and more than a
# thousand others fail for the first time).
report() {
	"$INSIGHT_PYTHON" - "$@" <<-\PY
	import sys
	out, expect, spec = sys.argv[1:4]
	words = ["alpha", "beta", "gamma", "delta", "epsilon"]
	def name(i):
	    return ("zz.late" if spec == "late" else "pkg.mod%02d" % (i % 40)), "test_%04d" % i
	def spread(i):
	    return i % 3 == 0 or i % 10 == 1
	def failing(i):
	    if spec == "late":
	        return i >= 1900
	    if spec == "again":
	        return spread(i) or i % 3 == 1 or i < 700
	    return spread(i)
	def new(i):
	    return failing(i) and not (spec == "again" and spread(i))
	def cause(i):
	    # causes of unequal size: 1 in 15 tests in the first, 2 in 15 in the next...
	    k = i % 15
	    return words[0 if k < 1 else 1 if k < 3 else 2 if k < 6 else 3 if k < 10 else 4]
	ids = {}
	with open(out, "w") as f:
	    f.write('<testsuite name="brief">\n')
	    for i in range(3000):
	        cls, n = name(i)
	        ids[i] = "%s::%s" % (cls, n)
	        if failing(i):
	            f.write('<testcase classname="%s" name="%s"><failure message="%s broke"/>'
	                    '</testcase>\n' % (cls, n, cause(i)))
	        else:
	            f.write('<testcase classname="%s" name="%s"/>\n' % (cls, n))
	    f.write("</testsuite>\n")
	fresh = [i for i in range(3000) if new(i)]
	counts = {}
	for i in fresh:
	    counts[cause(i)] = counts.get(cause(i), 0) + 1
	top = max(counts, key=counts.get)
	assert len(fresh) >= 1024 and sorted(counts.values()).count(counts[top]) == 1
	with open(expect + ".n", "w") as f:
	    f.write("%d\n" % len(fresh))
	with open(expect, "w") as f:
	    for n in sorted(ids[i] for i in fresh)[:5]:
	        f.write("insight:   %s\n" % n)
	    f.write("insight:   and %d more\n" % (len(fresh) - 5))
	    f.write("insight: %d causes; %d of them: %s broke\n" % (len(counts), counts[top], top))
	PY
}

# names FILE: the lines of a brief that name failures and their causes.
names() {
	grep -E "^insight: ( |[0-9]+ causes)" "$1"
}

test_expect_success 'a first session with failures all through the suite' '
	report a.xml a.expect spread &&
	insight session import --sut a a.xml >/dev/null 2>a.err &&
	test_grep "^insight: first session of this SUT; failing:\$" a.err &&
	names a.err >a.got &&
	test_cmp a.expect a.got
'

test_expect_success 'a first session whose failures all sort after the rest of the history' '
	report b.xml b.expect late &&
	insight session import --sut b b.xml >/dev/null 2>b.err &&
	names b.err >b.got &&
	test_cmp b.expect b.got
'

test_expect_success 'a later session: failures that failed before are not named' '
	report c.xml c.expect again &&
	insight session import --sut a c.xml >/dev/null 2>c.err &&
	test_grep "^insight: $(cat c.expect.n) new failures since session " c.err &&
	names c.err >c.got &&
	test_cmp c.expect c.got &&
	insight --format json session show latest >c.json &&
	test "$(json_get c.json "[s[\"facts\"][\"new_failure_causes\"] for s in d[\"sections\"] if s[\"id\"] == \"counts\"][0]")" = "$(sed -n "s/^insight: \([0-9]*\) causes.*/\1/p" c.expect)"
'

test_done
