#!/bin/bash
# t5004-analytics-large-sets - the readings insight uses on large sets give
# the answers of the direct ones.
#
# A history of two months of scripts/gen-history bulk data (two seeds, so
# every test's durations move between the months), 600 tests a session,
# plus a second SUT sharing the failures. compare reads a period test by
# test (through result_by_test, on worker threads when there are many
# tests) and a few sessions session by session; INSIGHT_COMPARE_SCAN forces
# either, and both must give the same document byte for byte. failures
# takes a fingerprint's first and last sightings from the fingerprint row
# when it can; they must equal what SQL over the results says, also after
# the sessions that held them are deleted.

. "$(dirname "$0")/lib.sh"

GEN=$INSIGHT_SRCDIR/scripts/gen-history
export INSIGHT_DB="$TRASH/history.db" INSIGHT_NOW=2026-12-31T00:00:00Z

test_expect_success 'a two-month history of 600 tests and a second SUT' '
	"$INSIGHT_PYTHON" "$GEN" --sessions 40 --tests 600 --days 10 --seed 1 --out nov &&
	"$INSIGHT_PYTHON" "$GEN" --sessions 40 --tests 600 --days 10 --seed 2 --out dec &&
	"$INSIGHT_PYTHON" "$GEN" --sessions 12 --tests 600 --days 10 --seed 3 --out other &&
	for f in dec/*.xml; do sed -i "s/2026-11-/2026-12-/g" "$f" || exit 1; done &&
	insight -q session import --sut bulk --no-git --split nov >/dev/null &&
	insight -q session import --sut bulk --no-git --split dec >/dev/null &&
	insight -q session import --sut other --no-git --split other >/dev/null &&
	insight --format json db stats >stats.json &&
	test "$(json_get stats.json "d[\"facts\"][\"sessions\"]")" = 92
'

# compare_both NAME ARGS...: the two readings of one compare, which must agree.
compare_both() {
	name=$1
	shift
	INSIGHT_COMPARE_SCAN=session insight --format json analytics compare "$@" >"$name.session.json" &&
	INSIGHT_COMPARE_SCAN=test insight --format json analytics compare "$@" >"$name.test.json" &&
	insight --format json analytics compare "$@" >"$name.json" &&
	test_cmp "$name.session.json" "$name.test.json" &&
	test_cmp "$name.session.json" "$name.json"
}

test_expect_success 'two adjacent periods: both readings agree' '
	compare_both adj --sut bulk --base 2026-11-01..2026-11-05 --target 2026-11-06..2026-11-10 &&
	test "$(json_get adj.json "d[\"facts\"][\"base_sessions\"] + d[\"facts\"][\"target_sessions\"]")" = 40 &&
	test "$(json_get adj.json "d[\"facts\"][\"tests\"]")" = 600
'

test_expect_success 'two months apart (two id ranges): both agree, with duration changes' '
	compare_both months --sut bulk --base 2026-11-01..2026-11-10 --target 2026-12-01..2026-12-10 &&
	test "$(json_get months.json "d[\"facts\"][\"slower\"] > 50 and d[\"facts\"][\"faster\"] > 50")" = True &&
	test "$(json_get months.json "d[\"facts\"][\"flaky\"] > 0 and d[\"facts\"][\"changed\"] > 0")" = True &&
	json_get months.json "[r[\"nodeid\"] for r in d[\"tables\"][\"slower\"][\"rows\"]][:3]" >top &&
	test -s top
'

test_expect_success 'both months without --sut: refused, as they hold two SUTs' '
	test_must_fail --exit 2 insight analytics compare --base 2026-11-01..2026-11-30 \
		--target 2026-12-01..2026-12-31 >out 2>err &&
	test_grep "sessions of 2 SUTs (bulk, other): compare one at a time with --sut NAME" err &&
	test_line_count = 1 err &&
	test ! -s out
'

test_expect_success 'one SUT over both months: both agree' '
	compare_both all --sut bulk --base 2026-11-01..2026-11-30 --target 2026-12-01..2026-12-31 &&
	test "$(json_get all.json "d[\"facts\"][\"base_sessions\"]")" = 40
'

test_expect_success 'a stricter duration rule (no effect floor): both agree' '
	compare_both rule --min-ms 0 --min-change 1 --alpha 0.05 --sut bulk \
		--base 2026-11-01..2026-11-05 --target 2026-11-06..2026-11-10
'

test_expect_success 'two sessions (read session by session): both agree' '
	compare_both two --mode session --base latest~1 --target latest
'

# check_sightings: failures' first and last seen against SQL over the results.
cat >"$TRASH/sightings.py" <<'EOF'
import json, sqlite3, sys

doc = json.load(open(sys.argv[1]))
db = sqlite3.connect(sys.argv[2])
sut = sys.argv[3] if len(sys.argv) > 3 else None
rows = doc["tables"]["failures"]["rows"]
if not rows:
    sys.exit("no failures listed")
checked = 0
for r in rows:
    if not r.get("fingerprint"):
        continue
    q = ("SELECT min(s.started_ms), max(s.started_ms) FROM result x "
         "JOIN session s ON s.id = x.session_id JOIN fingerprint f ON f.id = x.fingerprint_id "
         "JOIN sut u ON u.id = s.sut_id WHERE f.hash LIKE ? || '%'" +
         (" AND u.name = ?" if sut else ""))
    args = [r["fingerprint"]] + ([sut] if sut else [])
    lo, hi = db.execute(q, args).fetchone()
    for key, ms in (("first_seen", lo), ("last_seen", hi)):
        import datetime
        want = datetime.datetime.fromtimestamp(ms / 1000, datetime.timezone.utc)
        got = datetime.datetime.fromisoformat(r[key].replace("Z", "+00:00"))
        if abs((got - want).total_seconds()) > 0.001:
            sys.exit("%s %s: got %s, want %s" % (r["fingerprint"], key, got, want))
    checked += 1
if checked < 3:
    sys.exit("only %d fingerprints checked" % checked)
print(checked)
EOF

test_expect_success 'failures: first and last sightings equal SQL over the results' '
	insight --format json analytics failures --by fingerprint --since 2026-11-01 --until 2026-12-31 --sut bulk >f1.json &&
	"$INSIGHT_PYTHON" "$TRASH/sightings.py" f1.json "$INSIGHT_DB" bulk >n &&
	insight --format json analytics failures --by fingerprint --since 2026-11-01 --until 2026-12-31 >f2.json &&
	"$INSIGHT_PYTHON" "$TRASH/sightings.py" f2.json "$INSIGHT_DB" &&
	insight --format json analytics failures --by fingerprint --since 2026-11-01 --until 2026-12-31 --sut other >f3.json &&
	"$INSIGHT_PYTHON" "$TRASH/sightings.py" f3.json "$INSIGHT_DB" other
'

test_expect_success 'failures: still right after the first and last sessions are deleted' '
	first=$(sqlite3 "$INSIGHT_DB" "SELECT uid FROM session ORDER BY started_ms, id LIMIT 1") &&
	last=$(sqlite3 "$INSIGHT_DB" "SELECT uid FROM session ORDER BY started_ms DESC, id DESC LIMIT 1") &&
	insight -q session delete "$first" "$last" &&
	insight --format json analytics failures --by fingerprint --since 2026-11-01 --until 2026-12-31 --sut bulk >g1.json &&
	"$INSIGHT_PYTHON" "$TRASH/sightings.py" g1.json "$INSIGHT_DB" bulk &&
	insight --format json analytics failures --by fingerprint --since 2026-11-01 --until 2026-12-31 >g2.json &&
	"$INSIGHT_PYTHON" "$TRASH/sightings.py" g2.json "$INSIGHT_DB"
'

test_done
