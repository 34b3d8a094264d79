#!/bin/bash
# t5010-compare-output - what people read of a comparison, on real pytest
# sessions recorded by `insight session run` in a git repository: the verdict
# and the counts line first, then only the sections with rows, the most
# important first (new failures with the first lines of their traceback);
# empty sections and the gate table with -v or --fail-on only, while JSON
# keeps every section; facts such as "commits back" only when an ancestor
# stood in; the title reads base -> target; a commit tested for two SUTs is
# refused without --sut. At several terminal widths: no line wider than
# COLUMNS, and no test name cut from the right.

. "$(dirname "$0")/lib.sh"

if ! "$INSIGHT_PYTHON" -c 'import pytest' 2>/dev/null; then
	echo "1..0 # SKIP $INSIGHT_PYTHON has no pytest"
	exit 0
fi
export INSIGHT_DB="$TRASH/history.db" PYTHONDONTWRITEBYTECODE=1
LONG=tests/test_checkout.py::test_checkout_with_coupon_applied_to_the_cart

# write_tests BROKEN: the project's tests; with BROKEN=1 two of them fail
# (names that share a long start), one is fixed, one is removed, one added.
write_tests() {
	mkdir -p tests &&
	cat >tests/test_checkout.py <<EOF
BROKEN = $1

def total(items, coupon=0):
    return sum(items) - coupon - (1 if BROKEN else 0)

def test_checkout_with_coupon_applied_to_the_cart_total():
    cart = [100, 20]
    assert total(cart, coupon=10) == 110

def test_checkout_with_coupon_applied_to_the_cart_items():
    items = {"book": 1}
    if BROKEN:
        items.pop("book")
    assert items["book"] == 1

def test_plain():
    assert total([1, 2]) == (2 if BROKEN else 3)

def test_fixed_later():
    assert BROKEN

def test_still_failing():
    assert 1 == 2
EOF
	if [ "$1" = 1 ]; then
		rm -f tests/test_gone.py &&
		printf 'def test_new_one():\n    assert True\n' >tests/test_added.py
	else
		printf 'def test_gone():\n    assert True\n' >tests/test_gone.py
	fi
}

run() {
	insight -q session run --sut shop -- "$INSIGHT_PYTHON" -m pytest -q -p no:cacheprovider \
		>/dev/null 2>&1
	test $? -le 1
}

test_expect_success 'three commits: all good but one, then two new failures, then an untested one' '
	mkdir shop && (
		cd shop && git init -q &&
		write_tests 0 && git add -A && git commit -qm good && run &&
		write_tests 1 && git add -A && git commit -qm broken && run &&
		echo docs >README && git add README && git commit -qm "untested"
	) &&
	test "$(sqlite3 "$INSIGHT_DB" "SELECT count(*) FROM session")" = 2
'

# fits FILE WIDTH: no line of FILE is wider than WIDTH columns.
fits() {
	"$INSIGHT_PYTHON" - "$1" "$2" <<-'EOF'
	import sys, unicodedata
	width = int(sys.argv[2])
	for n, line in enumerate(open(sys.argv[1], encoding="utf-8"), 1):
	    line = line.rstrip("\n")
	    w = sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in line)
	    if w > width:
	        sys.exit("line %d is %d columns wide, more than %d: %r" % (n, w, width, line))
	EOF
}

# names_whole FILE ID...: each test name reads whole in FILE: on one line, cut
# into lines of the width, or shortened from the left with the start said in
# a "… stands for" line; never cut on the right.
names_whole() {
	"$INSIGHT_PYTHON" - "$@" <<-'EOF'
	import sys
	text = open(sys.argv[1], encoding="utf-8").read()
	lines = text.split("\n")
	joined = "".join(lines)
	prefixes = [l.split("stands for ", 1)[1] for l in lines if "\u2026 stands for " in l]
	for nodeid in sys.argv[2:]:
	    if nodeid in text or nodeid in joined:
	        continue
	    if any(nodeid.startswith(p) and ("\u2026" + nodeid[len(p):]) in joined for p in prefixes):
	        continue
	    sys.exit("%s does not read whole in:\n%s" % (nodeid, text))
	EOF
}

test_expect_success 'the verdict and the counts line come first, under a title base -> target' '
	(cd shop && COLUMNS=120 insight analytics compare --base HEAD~2 --target HEAD~1) >out &&
	base=$(cd shop && git rev-parse --short=7 HEAD~2) &&
	target=$(cd shop && git rev-parse --short=7 HEAD~1) &&
	head -n 1 out >title &&
	test_grep "^Compare commit $base.* → commit $target" title &&
	sed -n 2p out >verdict &&
	echo "==> 2 new failures, 1 still failing, 1 fixed" >expect &&
	test_cmp expect verdict &&
	sed -n 3p out >counts &&
	echo "    6 tests: 3 passed, 3 failed (2 new); pass rate 66.7% → 50.0% (−16.7 points)" >expect &&
	test_cmp expect counts
'

test_expect_success 'then only the sections with rows, by importance; no gate, no empty ones' '
	(cd shop && COLUMNS=120 insight analytics compare --base HEAD~2 --target HEAD~1) >out &&
	grep -E "^(New failures|Duration regressions|Flaky|Fixed|Still failing|Added tests|Removed tests|Other outcome changes|Duration improvements|Gate)$" out >sections &&
	printf "%s\n" "New failures" "Fixed" "Still failing" "Added tests" "Removed tests" >expect &&
	test_cmp expect sections &&
	test_grep -v "no flaky tests" out &&
	test_grep -v "no duration regressions" out &&
	test_grep -v "read as" out &&
	test_grep -v "commits back" out &&
	test_grep -v "Tests compared" out
'

test_expect_success 'a new failure shows the first lines of its traceback; -v all of it' '
	(cd shop && COLUMNS=120 insight analytics compare --base HEAD~2 --target HEAD~1) >out &&
	test_grep "^ *def test_checkout_with_coupon_applied_to_the_cart_items():" out &&
	test_grep "^    … [0-9]* more lines$" out &&
	test_grep -v "^ *E  *KeyError" out &&
	(cd shop && COLUMNS=120 insight -v analytics compare --base HEAD~2 --target HEAD~1) >verbose &&
	test_grep "^ *E  *KeyError" verbose
'

test_expect_success 'with -v or --fail-on, the empty sections and the gate table are shown' '
	(cd shop && COLUMNS=120 insight -v analytics compare --base HEAD~2 --target HEAD~1) >out &&
	test_grep "^no flaky tests$" out &&
	test_grep "^no duration regressions$" out &&
	test_grep "^Gate$" out &&
	test_grep "^Base read as: *commit$" out &&
	(cd shop && COLUMNS=120 test_must_fail --exit 1 insight analytics compare --base HEAD~2 \
		--target HEAD~1 --fail-on new-failures) >gate 2>err &&
	sed -n 2p gate >verdict &&
	echo "==> gate failed on new-failures: 2 new failures, 1 still failing, 1 fixed" >expect &&
	test_cmp expect verdict &&
	test_grep "^Gate$" gate &&
	test_grep "^no flaky tests$" gate &&
	test_grep "gate failed: new-failures" err &&
	(cd shop && COLUMNS=120 insight analytics compare --base HEAD~2 --target HEAD~1 \
		--fail-on regressions) >pass &&
	sed -n 2p pass >verdict &&
	echo "==> gate passed: 2 new failures, 1 still failing, 1 fixed" >expect &&
	test_cmp expect verdict
'

test_expect_success 'JSON keeps every section, empty or not, and the tracebacks' '
	(cd shop && insight --format json analytics compare --base HEAD~2 --target HEAD~1) >cmp.json &&
	json_get cmp.json "sorted(d[\"tables\"])" >actual &&
	echo "[\"added\", \"changed\", \"counts\", \"faster\", \"fixed\", \"flaky\", \"gate\", \"new_failures\", \"removed\", \"slower\", \"still_failing\"]" >expect &&
	test_cmp expect actual &&
	json_get cmp.json "[\"KeyError\" in (r[\"traceback\"] or \"\") for r in d[\"tables\"][\"new_failures\"][\"rows\"]]" >actual &&
	echo "[true, false]" >expect &&
	test_cmp expect actual &&
	for f in base_mode base_commit_distance tests flaky gate_failed pass_rate_delta; do
		test "$(json_get cmp.json "\"$f\" in d[\"facts\"]")" = True || return 1
	done &&
	json_get cmp.json "[n[\"text\"] for n in d[\"notes\"] if n[\"level\"] == \"verdict\"]" >actual &&
	echo "[\"2 new failures, 1 still failing, 1 fixed\", \"6 tests: 3 passed, 3 failed (2 new); pass rate 66.7% \\u2192 50.0% (\\u221216.7 points)\"]" >expect &&
	test_cmp expect actual
'

test_expect_success 'commits back is said when an ancestor stood in for the commit asked for' '
	(cd shop && COLUMNS=120 insight analytics compare --base HEAD~2 --target HEAD) >out &&
	test_grep "^Target commits back: *1$" out &&
	test_grep "^Target commit: " out &&
	test_grep -v "^Base commits back" out &&
	test_grep "nearest tested ancestor" out
'

test_expect_success 'Markdown leads with the verdict too, and leaves the empty sections out' '
	(cd shop && insight --format md analytics compare --base HEAD~2 --target HEAD~1) >out.md &&
	sed -n 3p out.md >verdict &&
	echo "**2 new failures, 1 still failing, 1 fixed**" >expect &&
	test_cmp expect verdict &&
	test_grep "^#### New failures" out.md &&
	test_grep -v "Duration regressions" out.md &&
	test_grep -v "^#### Gate" out.md
'

for width in 40 60 80 120; do
	test_expect_success "COLUMNS=$width: no line wider, every test name whole" "
		(cd shop && COLUMNS=$width insight analytics compare --base HEAD~2 --target HEAD~1) >w$width &&
		fits w$width $width &&
		names_whole w$width ${LONG}_total ${LONG}_items tests/test_checkout.py::test_fixed_later \
			tests/test_added.py::test_new_one tests/test_gone.py::test_gone &&
		test_grep '^==> 2 new failures' w$width
	"
done

test_expect_success 'a commit tested for two SUTs: refused without --sut, each SUT with it' '
	cat >other.xml <<-EOF &&
	<testsuite name="other" tests="1"><testcase classname="o" name="test_o" time="0.1"/></testsuite>
	EOF
	(cd shop && git checkout -q HEAD~1 && insight -q session import --sut other ../other.xml &&
		git checkout -q - ) >/dev/null &&
	(cd shop && test_must_fail --exit 2 insight analytics compare --base HEAD~2 --target HEAD~1) \
		>out 2>err &&
	test ! -s out &&
	test_line_count = 1 err &&
	test_grep "sessions of 2 SUTs (other, shop): compare one at a time with --sut NAME" err &&
	(cd shop && insight --format json analytics compare --sut shop --base HEAD~2 --target HEAD~1) >cmp.json &&
	test "$(json_get cmp.json "d[\"facts\"][\"new_failures\"]")" = 2 &&
	test "$(json_get cmp.json "d[\"facts\"][\"tests\"]")" = 7
'

test_expect_success 'session compare names the sessions, base first, and no fact repeats the title' '
	COLUMNS=100 insight session compare latest~1 latest --sut shop >out &&
	head -n 1 out >title &&
	first=$(sqlite3 "$INSIGHT_DB" "SELECT substr(uid, 1, 12) FROM session s JOIN sut ON sut.id = s.sut_id WHERE sut.name = '\''shop'\'' ORDER BY started_ms LIMIT 1") &&
	test_grep "^Compare session $first → session " title &&
	test_grep -v "^Base sessions:" out &&
	test_grep -v "^Base:" out
'

test_done
