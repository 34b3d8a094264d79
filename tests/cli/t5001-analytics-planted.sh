#!/bin/bash
# t5001-analytics-planted - every analysis on a history with planted truths
# (scripts/gen-history --planted): a test that breaks at a known commit, one
# fixed at a known commit, one flaky on the same commit, one flaky only
# through reruns, one 5x slower from a known commit, one noisy only, an added
# and a removed test, failure messages that differ only in numbers and paths
# and one that differs in substance. Each report is imported from inside a
# real git repository checked out at the commit it names, so the sessions
# carry real git facts. Every analysis must find exactly the planted truths:
# no misses, no false alarms.

. "$(dirname "$0")/lib.sh"

GEN=$INSIGHT_SRCDIR/scripts/gen-history
export INSIGHT_DB="$TRASH/history.db" INSIGHT_NOW=2026-11-11T00:00:00Z

# check.py WHAT TRUTHS JSON: one assertion group over an analysis' JSON output.
cat >"$TRASH/check.py" <<'EOF'
import json, sys

what, truths_path, out_path = sys.argv[1], sys.argv[2], sys.argv[3]
truths = json.load(open(truths_path))
doc = json.load(open(out_path))

def rows(table, d=doc):
    return d["tables"][table]["rows"]

def ids(table, d=doc):
    return sorted(r["nodeid"] for r in rows(table, d))

def same(label, got, want):
    if got != want:
        sys.exit("%s: got %r, want %r" % (label, got, want))

def compare(key):
    t = truths[key]
    for sec in ("new_failures", "fixed", "still_failing", "flaky", "added", "removed",
                "slower", "faster"):
        same(sec, ids(sec), sorted(t[sec]))
        same(sec + " count", doc["facts"][sec], len(t[sec]))
    same("changed", ids("changed"), [])

if what == "compare-period":
    compare("compare_period")
    same("base sessions", doc["facts"]["base_sessions"], 20)
    same("target sessions", doc["facts"]["target_sessions"], 16)
    slow = rows("slower")[0]
    if not (3.5 < slow["change"] < 4.5 and slow["p"] < 0.01):
        sys.exit("slowdown %r is not about 5x with p < 0.01" % slow)
    same("too few", doc["facts"]["duration_too_few"], 0)
elif what == "compare-commit":
    compare("compare_commit")
    same("base mode", doc["facts"]["base_mode"], "commit")
    same("distance", doc["facts"]["base_commit_distance"], 0)
    # two sessions a side: durations are not compared, and the answer says so
    if doc["facts"]["duration_too_few"] < 15:
        sys.exit("too few runs not reported: %r" % doc["facts"]["duration_too_few"])
elif what == "flaky":
    same("flaky", ids("flaky"), truths["flaky"])
    same("not enough data", ids("not_enough_data"), [])
    by = {r["nodeid"]: r for r in rows("flaky")}
    same_commit = by[truths["flaky_same_commit"]["test"]]
    same("same-tree evidence", same_commit["same_tree"], len(truths["flaky_same_commit"]["commits"]))
    same("same-commit failures", same_commit["failed"], len(truths["flaky_same_commit"]["commits"]))
    same("same-commit in-run", same_commit["in_run"], 0)
    rerun = by[truths["flaky_rerun"]["test"]]
    same("in-run evidence", rerun["in_run"], len(truths["flaky_rerun"]["sessions"]))
    same("rerun final failures", rerun["failed"], 0)
    same("rerun flips", rerun["flips"], 0)
    same("tests with a failed attempt", doc["facts"]["tests_with_failures"], 4)
elif what == "flaky-few":
    same("flaky", ids("flaky"), [])
    same("not enough data", ids("not_enough_data"), truths["flaky"])
elif what == "failures":
    fp = truths["fingerprints"]
    got = {}
    for r in rows("failures"):
        tests = r["test_ids"].split(" ")
        if len(tests) != 1 or r["tests"] != 1:
            sys.exit("fingerprint %s spans %r" % (r["fingerprint"], tests))
        if tests[0] in got:
            sys.exit("%s has two fingerprints" % tests[0])
        got[tests[0]] = r
    want = {v["test"]: v["count"] for v in fp.values()}
    same("tests with failures", sorted(got), sorted(want))
    for t, n in want.items():
        same("failures of " + t, got[t]["count"], n)
    if fp["numbers_and_paths"]["distinct_messages"] < 10:
        sys.exit("the planted messages do not differ")
    same("fingerprints", doc["facts"]["fingerprints"], 4)
    same("all new in a window covering all", doc["facts"]["new_fingerprints"], 4)
elif what == "failures-window":
    # last 5 days: only the breaking test's failure is new; the flaky ones were seen before
    new = sorted(r["test_ids"] for r in rows("failures") if r["new"])
    known = sorted(r["test_ids"] for r in rows("failures") if not r["new"])
    same("new", new, [truths["breaks"]["test"]])
    same("known", known, sorted([truths["flaky_same_commit"]["test"], truths["flaky_rerun"]["test"]]))
    for r in rows("failures"):
        if not r["new"] and r["first_seen"] >= doc["facts"]["from"]:
            sys.exit("known fingerprint first seen in the window: %r" % r)
elif what == "failures-nodeid":
    same("groups", len(rows("failures")), 1)
    same("count", rows("failures")[0]["count"], truths["fingerprints"]["numbers_and_paths"]["count"])
    same("history rows", len(rows("history")), truths["fingerprints"]["numbers_and_paths"]["count"])
    msgs = set(r["message"] for r in rows("history"))
    if len(msgs) < 10:
        sys.exit("history lost the messages' differences: %r" % msgs)
    same("one fingerprint", len(set(r["fingerprint"] for r in rows("history"))), 1)
elif what == "analyze-duration":
    same("movers", ids("movers"), [truths["slows"]["test"]])
    m = rows("movers")[0]
    if not (3.5 < m["change"] < 4.5):
        sys.exit("change %r" % m)
    same("trend", doc["facts"]["trend"], "worsening")
elif what == "analyze-pass-rate":
    got = {r["nodeid"]: round(r["change"], 6) for r in rows("movers")}
    same("movers", got, {truths["fixed"]["test"]: -1.0, truths["breaks"]["test"]: 0.9})
elif what == "summary":
    s = doc["sections"]
    same("sections", len(s), 1)
    f = s[0]["facts"]
    same("sessions", f["sessions"], 40)
    same("tests", f["tests"], len(truths["tests"]))
    same("flaky", f["flaky"], len(truths["flaky"]))
    same("failing sessions", f["failing_sessions"], 38)
    top = [r["nodeid"] for r in s[0]["tables"]["top_failing"]["rows"]]
    same("top failing", top, [truths["fixed"]["test"], truths["breaks"]["test"],
                             truths["flaky_same_commit"]["test"]])
    slow = [r["nodeid"] for r in s[0]["tables"]["slowest"]["rows"]][:2]
    same("slowest", slow, [truths["slows"]["test"], truths["noisy"]["test"]])
    p = s[0]["facts"]["pass_rate"]
    want = f["passed"] / (f["passed"] + f["failed"] + f["error"])
    if abs(p - want) > 1e-9:
        sys.exit("pass rate %r, want %r" % (p, want))
    pts = s[0]["series"]["pass_rate_by_day"]["points"]
    # 2026-11-01 .. 2026-11-11 (now): the last day has no session yet
    same("days", [p["x"] for p in pts], ["2026-11-%02d" % d for d in range(1, 12)])
    same("gap", pts[-1]["y"], None)
    same("first day", round(pts[0]["y"], 9), round(21 / 22, 9))  # 22 tests run, test_fixed fails
else:
    sys.exit("unknown check " + what)
EOF
check() { "$INSIGHT_PYTHON" "$TRASH/check.py" "$1" "$TRASH/planted/truths.json" "$2"; }

test_expect_success 'generate the planted history (deterministic)' '
	"$GEN" --planted planted &&
	"$GEN" --planted planted2 &&
	diff -r planted planted2 &&
	test -s planted/truths.json &&
	test $(ls planted/s*.xml | wc -l) = 40
'

# One commit per line of commits.txt (fixed dates), tagged with its label;
# each of its reports imported with the checkout at that commit.
test_expect_success 'import every report at its commit in a real git repository' '
	mkdir repo &&
	(
		cd repo && git init -q && n=0 &&
		while read label files; do
			n=$((n + 1)) &&
			echo "$label" >version.txt && git add version.txt &&
			GIT_AUTHOR_DATE="2026-10-01T00:00:$(printf %02d $n)Z" \
			GIT_COMMITTER_DATE="2026-10-01T00:00:$(printf %02d $n)Z" \
				git commit -qm "$label" && git tag "$label" &&
			for f in $files; do
				insight -q session import --sut planted "../planted/$f" >/dev/null || exit 1
			done
		done <../planted/commits.txt
	) &&
	insight --format json db stats >stats.json &&
	test "$(json_get stats.json "d[\"facts\"][\"sessions\"]")" = 40
'

test_expect_success 'compare two periods: exactly the planted changes' '
	(cd repo && insight --format json analytics compare --base 2026-11-01..2026-11-05 \
		--target 2026-11-07..2026-11-10) >cmp-period.json &&
	check compare-period cmp-period.json
'

test_expect_success 'compare two git revisions (tag and HEAD): exactly the planted changes' '
	(cd repo && insight --format json analytics compare --base c05 --target HEAD) >cmp-commit.json &&
	check compare-commit cmp-commit.json &&
	(cd repo && git rev-parse c05) >expect &&
	json_get cmp-commit.json "d[\"facts\"][\"base_commit\"]" >actual &&
	test_cmp expect actual
'

test_expect_success 'a short sha and HEAD~N name commits too' '
	sha=$(cd repo && git rev-parse --short=8 c05) &&
	(cd repo && insight --format json analytics compare --base "$sha" --target HEAD~0) >short.json &&
	check compare-commit short.json
'

test_expect_success 'an untested revision uses its nearest tested ancestor, and says so' '
	(cd repo && insight --format json analytics compare --base u2 --target HEAD) >near.json &&
	(cd repo && git rev-parse c11) >expect &&
	json_get near.json "d[\"facts\"][\"base_commit\"]" >actual &&
	test_cmp expect actual &&
	test "$(json_get near.json "d[\"facts\"][\"base_commit_distance\"]")" = 2 &&
	json_get near.json "[n[\"text\"] for n in d[\"notes\"]]" >notes &&
	test_grep "nearest tested ancestor" notes
'

test_expect_success 'flaky: exactly the two planted flaky tests, with their evidence' '
	insight --format json analytics flaky --sut planted >flaky.json &&
	check flaky flaky.json
'

test_expect_success 'flaky --quarantine prints the node ids, one a line' '
	insight analytics flaky --sut planted --quarantine >actual &&
	printf "%s\n" tests/test_flaky.py::test_flaky_same_commit \
		tests/test_flaky.py::test_flaky_rerun >expect &&
	test_cmp expect actual
'

test_expect_success 'flaky below --min-runs: not enough data, not flaky' '
	insight --format json analytics flaky --sut planted --min-runs 41 >few.json &&
	check flaky-few few.json &&
	insight analytics flaky --sut planted --min-runs 41 --quarantine >actual &&
	test_line_count = 0 actual
'

test_expect_success 'failures: one fingerprint per planted failure, none split, none merged' '
	insight --format json analytics failures --by fingerprint --time 30d >failures.json &&
	check failures failures.json
'

test_expect_success 'failures in the last 5 days: new and known told apart' '
	insight --format json analytics failures --by fingerprint --sut planted --time 5d >failures5.json &&
	check failures-window failures5.json
'

test_expect_success 'failures --nodeid: that test history, one fingerprint' '
	insight --format json analytics failures --time 30d \
		--nodeid tests/test_fixed.py::test_fixed >fnode.json &&
	check failures-nodeid fnode.json
'

test_expect_success 'analyze duration: only the slowed test moved it' '
	insight --format json analytics analyze --sut planted --metric duration >dur.json &&
	check analyze-duration dur.json
'

test_expect_success 'analyze pass-rate: the broken and the fixed test moved it' '
	insight --format json analytics analyze --sut planted --metric pass-rate >pr.json &&
	check analyze-pass-rate pr.json &&
	insight --format json sut analyze planted --metric pass-rate >pr2.json &&
	check analyze-pass-rate pr2.json
'

test_expect_success 'summary: counts, top failing and slowest' '
	insight --format json analytics summary --time 30d >summary.json &&
	check summary summary.json
'

test_expect_success 'test since: failing since c12, last passed at c11, the untested commits between' '
	(cd repo && insight --format json test since tests/test_breaks.py::test_breaks) >since.json &&
	(cd repo && git rev-parse c12) >expect &&
	json_get since.json "d[\"facts\"][\"first_failed_commit\"]" >actual &&
	test_cmp expect actual &&
	(cd repo && git rev-parse c11) >expect &&
	json_get since.json "d[\"facts\"][\"last_passed_commit\"]" >actual &&
	test_cmp expect actual &&
	(cd repo && git rev-list c11..c12) >expect &&
	json_get since.json "\"\\n\".join(r[\"sha\"] for r in d[\"tables\"][\"commits\"][\"rows\"])" >actual &&
	test_cmp expect actual &&
	json_get since.json "[r[\"tested\"] for r in d[\"tables\"][\"commits\"][\"rows\"]]" >actual &&
	echo "[\"failed\", \"untested\", \"untested\", \"untested\"]" >expect &&
	test_cmp expect actual &&
	test "$(json_get since.json "d[\"facts\"][\"order\"]")" = commits
'

test_expect_success 'test since: the one-line answer names both commits' '
	(cd repo && insight test since tests/test_breaks.py::test_breaks) >out &&
	c12=$(cd repo && git rev-parse --short=7 c12) &&
	c11=$(cd repo && git rev-parse --short=7 c11) &&
	test_grep "failing since $c12; last passed at $c11; 3 commits in between (4" out
'

test_expect_success 'test since: a passing test and an unknown test' '
	(cd repo && insight --format json test since tests/test_fixed.py::test_fixed) >pass.json &&
	test "$(json_get pass.json "d[\"facts\"][\"status\"]")" = passing &&
	test_must_fail --exit 2 insight test since tests/nope.py::test_nope 2>err &&
	test_grep "no test matches .tests/nope.py::test_nope." err
'

test_done
