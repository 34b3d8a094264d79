#!/bin/bash
# export junit: every conformance report that imports, exported and imported
# again, gives the same tests, final outcomes and attempts (outcome, message
# and output of each), read back from insight's own JSON and CTRF exports.
. "$(dirname "$0")/lib.sh"

export INSIGHT_DB="$TRASH/h.db"
CONF="$INSIGHT_SHARED_DIR/conformance"

# The tests of one session as lines: node id, final outcome, attempts, then
# each attempt's status, rawStatus and message, from the JSON and CTRF exports.
session_lines() {
	insight export json "$1" >"$1.json" &&
	insight export ctrf "$1" >"$1.ctrf" &&
	"$INSIGHT_PYTHON" - "$1.json" "$1.ctrf" <<-\EOF
	import json, sys
	doc = json.load(open(sys.argv[1]))
	rows = {}
	for sec in doc["sections"]:
	    if sec["id"] == "counts":
	        for r in sec["tables"]["results"]["rows"]:
	            rows[r["test"]] = (r["outcome"], r["attempts"])
	ctrf = json.load(open(sys.argv[2]))["results"]["tests"]
	assert len(ctrf) == len(rows), (len(ctrf), len(rows))
	for t in sorted(ctrf, key=lambda t: t["name"]):
	    tries = [(a["status"], a.get("message")) for a in t.get("retryAttempts", [])]
	    print(t["name"], *rows[t["name"]], t["status"], t.get("rawStatus"), t.get("message"),
	          "".join(t.get("stdout", [])), "".join(t.get("stderr", [])), tries, sep="\t")
	EOF
}

test_expect_success 'setup: the conformance corpus is there' '
	insight init -q &&
	find "$CONF" -name "*.xml" | sort >files &&
	test "$(wc -l <files)" -gt 40
'

test_expect_success 'every report that imports comes back the same through export junit' '
	: >imported &&
	i=0 &&
	while read -r f; do
		i=$((i + 1))
		insight session import -q --sut "orig$i" "$f" >/dev/null 2>&1 || continue
		echo "$f" >>imported &&
		insight export junit --sut "orig$i" -o "back$i.xml" &&
		insight session import -q --sut "back$i" "back$i.xml" >/dev/null ||
			{ echo "export of $f does not import"; return 1; }
		a=$(insight session list --sut "orig$i" --format tsv | sed -n 2p | cut -f1) &&
		b=$(insight session list --sut "back$i" --format tsv | sed -n 2p | cut -f1) &&
		session_lines "$a" >"a$i" && session_lines "$b" >"b$i" &&
		test_cmp "a$i" "b$i" ||
			{ echo "round trip of $f differs"; return 1; }
	done <files &&
	test "$(wc -l <imported)" -gt 30 &&
	test "$(cat a* | wc -l)" -gt 100
'

test_expect_success 'retries survive: Surefire flakyFailure and rerunFailure, repeated test cases' '
	grep -q "gh-237" imported &&
	grep -q "flaky_retries" imported &&
	cat a* | awk -F"\t" "\$3 > 1" >retried &&
	test "$(wc -l <retried)" -ge 3 &&
	grep -q "	passed	3	passed	" retried
'

test_expect_success 'a session that does not exist: exit 2, one line' '
	test_must_fail --exit 2 insight export junit nosuchsession 2>err &&
	test "$(wc -l <err)" = 1 &&
	test_grep "^insight: " err
'

test_done
