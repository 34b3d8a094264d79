#!/bin/bash
# session import of a large suite insight has never seen: the catalogue's
# node-id index is dropped while the new tests are appended and built again
# before the commit. What is stored must not change: the repeat rule holds
# for repeats far apart in the report (found without the index), tests the
# catalogue had already are found again, a report dropped half-way takes the
# dropped index back with it, and a kill -9 leaves the history as it was.
. "$(dirname "$0")/lib.sh"

FILL=20000   # new tests, more than the writer needs to begin a bulk load

# report FILE [FIRST...]: a JUnit report of $FILL filler tests with the
# occurrences of the repeat scenario (t3150) spread among them: the first
# occurrence of each name near the start, each later one thousands of
# tests further on. FIRST: test names of an earlier report, named again
# after the bulk load began.
report() {
	local out=$1
	shift
	"$INSIGHT_PYTHON" - "$FILL" "$@" >"$out" <<-\PY
	import sys
	fill = int(sys.argv[1])
	known = sys.argv[2:]
	scenario = [("flaky", "F"), ("flaky", "P"), ("provider", "P"), ("provider", "F"),
	            ("provider", "F"), ("hides", "F"), ("hides", "S"), ("again", "F"),
	            ("again", "P"), ("again", "F")]
	def case(cls, name, o, i):
	    if o == "P":
	        return '<testcase classname="%s" name="%s"/>' % (cls, name)
	    if o == "S":
	        return '<testcase classname="%s" name="%s"><skipped/></testcase>' % (cls, name)
	    return ('<testcase classname="%s" name="%s"><failure message="boom %d"/></testcase>'
	            % (cls, name, i))
	# where each scenario line goes: before filler test number `at`
	first, at = set(), {}
	for i, (name, o) in enumerate(scenario):
	    at.setdefault(10 + i if name not in first else 17000 + 300 * i, []).append((i, name, o))
	    first.add(name)
	print('<testsuite name="bulk">')
	for n in range(fill):
	    for i, name, o in at.get(n, []):
	        print(case("Shop.T", name, o, i + 1))
	    if n == 16500:
	        for k in known:
	            print(case("Shop.Old", k, "P", 0))
	    print(case("Shop.Fill", "f%05d" % n, "F" if n % 97 == 0 else "P", n))
	print("</testsuite>")
	PY
}

results() {
	insight --format tsv --table results session show --outcome all --all latest |
		tail -n +2 | cut -f1-3 | sed -E 's/^([^\t]*(::|\.))?//' | grep -v "^f[0-9]" |
		LC_ALL=C sort
}

sound() {
	insight db check >check.out &&
	test_grep "Problems found: 0" check.out &&
	test "$(sqlite3 "$INSIGHT_DB" "SELECT \"unique\" FROM pragma_index_list('test')
		WHERE name = 'test_by_nodeid'")" = 1 &&
	test "$(sqlite3 "$INSIGHT_DB" "SELECT count(*) - count(DISTINCT nodeid) FROM test")" = 0
}

test_expect_success 'setup' '
	insight init >/dev/null &&
	report big.xml &&
	test "$(grep -c "<testcase" big.xml)" = $((FILL + 10))
'

test_expect_success 'a first import of a large suite keeps the repeat rule for repeats far apart' '
	export INSIGHT_DB="$TRASH/big.db" &&
	insight -q session import --sut bulk big.xml >/dev/null &&
	printf "%s\n" "again	passed	2" "again[#2]	failed	1" "flaky	passed	2" \
		"hides	failed	1" "provider	passed	1" "provider[#2]	failed	1" \
		"provider[#3]	failed	1" >want &&
	results >got &&
	test_cmp want got &&
	test "$(sqlite3 "$INSIGHT_DB" "SELECT count(*) FROM test")" = $((FILL + 7)) &&
	test "$(sqlite3 "$INSIGHT_DB" "SELECT n_tests, n_attempts, n_flaky FROM session")" = \
		"$((FILL + 7))|$((FILL + 10))|2" &&
	sound
'

test_expect_success 'the same report into a catalogue that knows its tests adds none' '
	export INSIGHT_DB="$TRASH/big.db" &&
	insight -q session import --force --sut bulk big.xml >/dev/null &&
	test "$(sqlite3 "$INSIGHT_DB" "SELECT count(*) FROM test")" = $((FILL + 7)) &&
	results >got &&
	test_cmp want got &&
	sound
'

test_expect_success 'tests the catalogue had are found again during a bulk load' '
	export INSIGHT_DB="$TRASH/known.db" &&
	printf "%s\n" "<testsuite name=\"old\">" \
		"<testcase classname=\"Shop.Old\" name=\"kept\"/>" \
		"<testcase classname=\"Shop.Old\" name=\"also\"><failure message=\"x\"/></testcase>" \
		"</testsuite>" >old.xml &&
	insight -q session import --sut bulk old.xml >/dev/null &&
	old=$(sqlite3 "$INSIGHT_DB" "SELECT group_concat(id) FROM test ORDER BY id") &&
	report known.xml kept also &&
	insight -q session import --sut bulk known.xml >/dev/null &&
	test "$(sqlite3 "$INSIGHT_DB" "SELECT count(*) FROM test")" = $((FILL + 9)) &&
	test "$(sqlite3 "$INSIGHT_DB" "SELECT group_concat(t.id) FROM test t
		WHERE t.nodeid LIKE \"%Old%\" ORDER BY t.id")" = "$old" &&
	test "$(sqlite3 "$INSIGHT_DB" "SELECT count(*) FROM result r JOIN test t ON t.id = r.test_id
		WHERE t.nodeid LIKE \"%Old%\"")" = 4 &&
	sound
'

test_expect_success 'a report dropped half-way in a bulk load takes it back' '
	mkdir dir &&
	printf "%s\n" "<testsuite name=\"a\">" "<testcase classname=\"Shop.T\" name=\"x\"/>" \
		"</testsuite>" >dir/a.xml &&
	{ sed "\$d" big.xml && echo "<testcase"; } >dir/b.xml &&
	printf "%s\n" "<testsuite name=\"c\">" "<testcase classname=\"Shop.T\" name=\"y\"/>" \
		"</testsuite>" >dir/c.xml &&
	export INSIGHT_DB="$TRASH/dropped.db" &&
	test_must_fail --exit 3 insight -q session import --sut bulk dir >/dev/null 2>err &&
	test_grep "b.xml" err &&
	test "$(sqlite3 "$INSIGHT_DB" "SELECT group_concat(nodeid, \" \") FROM test ORDER BY id")" = \
		"Shop.T::x Shop.T::y" &&
	sound
'

test_expect_success 'kill -9 during a bulk load leaves the history as it was' '
	export INSIGHT_DB="$TRASH/killed.db" &&
	insight -q session import --sut bulk old.xml >/dev/null &&
	mkfifo pipe.xml &&
	{ sleep 600 >pipe.xml & } &&
	sleeper=$! &&
	# the binary itself in the background, so that $! is its pid: the shell
	# function would run it as the child of a subshell, out of kill -9 reach
	{ "$INSIGHT_BIN" -q session import --sut bulk pipe.xml >/dev/null 2>&1 & } &&
	pid=$! &&
	sed "\$d" big.xml >pipe.xml &&
	sleep 2 &&
	kill -9 $pid && kill $sleeper &&
	{ wait $pid; true; } &&
	test "$(sqlite3 "$INSIGHT_DB" "SELECT count(*) FROM session")" = 1 &&
	test "$(sqlite3 "$INSIGHT_DB" "SELECT count(*) FROM test")" = 2 &&
	sound &&
	insight -q session import --sut bulk big.xml >/dev/null &&
	test "$(sqlite3 "$INSIGHT_DB" "SELECT count(*) FROM test")" = $((FILL + 9)) &&
	sound
'

test_done
