#!/bin/bash
# export ctrf: every conformance session as CTRF JSON, valid against the
# schema CTRF publishes (npm ctrf), retries and flaky as CTRF defines them;
# export json, md and html: the whole session's document.
. "$(dirname "$0")/lib.sh"

export INSIGHT_DB="$TRASH/h.db"
CONF="$INSIGHT_SHARED_DIR/conformance"
NODE_MODULES="$INSIGHT_SRCDIR/tests/node/node_modules"

test_expect_success 'setup: the conformance reports that import, one SUT each' '
	insight init -q &&
	i=0 &&
	find "$CONF" -name "*.xml" | sort >files &&
	while read -r f; do
		i=$((i + 1))
		if insight session import -q --sut "s$i" "$f" >/dev/null 2>&1; then
			echo "s$i $f" >>suts
		fi
	done <files &&
	test "$(wc -l <suts)" -gt 30
'

test_expect_success 'every export validates against CTRF'"'"'s published schema' '
	while read -r sut f; do
		insight export ctrf --sut "$sut" -o "$sut.ctrf.json" || return 1
	done <suts &&
	NODE_PATH="$NODE_MODULES" node "$INSIGHT_SRCDIR/tests/node/check-ctrf-schema.js" s*.ctrf.json >check &&
	test "$(grep -c "^ok " check)" = "$(wc -l <suts)"
'

test_expect_success 'a flaky Surefire test: passed, flaky, its failed attempts in retryAttempts' '
	sut=$(grep "gh-237/TEST-io.olamy.FlakyTest.xml" suts | cut -d" " -f1) &&
	"$INSIGHT_PYTHON" - "$sut.ctrf.json" <<-\EOF
	import json, sys
	d = json.load(open(sys.argv[1]))
	t = d["results"]["tests"]
	assert len(t) == 1, t
	t = t[0]
	assert t["status"] == "passed" and t["flaky"] is True, t
	assert t["retries"] == 2 and [a["attempt"] for a in t["retryAttempts"]] == [1, 2], t
	assert all(a["status"] == "failed" for a in t["retryAttempts"]), t
	assert t["retryAttempts"][0]["message"] == "obvious fail", t
	assert d["results"]["summary"]["flaky"] == 1 and d["results"]["summary"]["passed"] == 1
	EOF
'

test_expect_success 'errors, xfails and outcomes counted as CTRF sums them; read back by insight' '
	sut=$(grep "unsupported-unicode.xml" suts | cut -d" " -f1) &&
	"$INSIGHT_PYTHON" - "$sut.ctrf.json" <<-\EOF &&
	import json, sys
	d = json.load(open(sys.argv[1]))
	s, t = d["results"]["summary"], d["results"]["tests"]
	assert s["tests"] == len(t) == 7 and s["passed"] == 1 and s["failed"] == 4 and s["skipped"] == 2, s
	assert sorted(x.get("rawStatus", "") for x in t if x["status"] == "failed") == ["", "", "error", "error"]
	EOF
	insight session import -q --sut "$sut-back" "$sut.ctrf.json" >/dev/null &&
	insight --format json session show latest --sut "$sut" >a.json &&
	insight --format json session show latest --sut "$sut-back" >b.json &&
	for k in tests passed failed error skipped xfailed; do
		test "$(json_get a.json "[s for s in d[\"sections\"] if s[\"id\"] == \"counts\"][0][\"facts\"][\"$k\"]")" = \
		     "$(json_get b.json "[s for s in d[\"sections\"] if s[\"id\"] == \"counts\"][0][\"facts\"][\"$k\"]")" ||
			{ echo "$k differs"; return 1; }
	done
'

test_expect_success 'export json: the session document with every result, not only failures' '
	sut=$(grep "unsupported-unicode.xml" suts | cut -d" " -f1) &&
	insight export json --sut "$sut" >doc.json &&
	test "$(json_get doc.json "d[\"schema\"]")" = insight.session.show &&
	test "$(json_get doc.json "len([s for s in d[\"sections\"] if s[\"id\"] == \"counts\"][0][\"tables\"][\"results\"][\"rows\"])")" = 7
'

test_expect_success 'export md and html: the same session for people, every test named' '
	sut=$(grep "unsupported-unicode.xml" suts | cut -d" " -f1) &&
	insight export md --sut "$sut" -o doc.md &&
	insight export html --sut "$sut" -o doc.html &&
	for n in 1 2 3 4 5 6 7; do
		grep -q "test $n" doc.md && grep -q "test $n" doc.html || { echo "test $n missing"; return 1; }
	done &&
	"$INSIGHT_PYTHON" -c "import html.parser,sys; html.parser.HTMLParser().feed(open(\"doc.html\").read())" &&
	head -1 doc.html | grep -qi "<!DOCTYPE html>"
'

test_expect_success 'an output file that cannot be written: nothing half-written, exit 3' '
	test_must_fail --exit 3 insight export ctrf --sut s1 -o nodir/x.json 2>err &&
	test_grep "^insight: " err &&
	test ! -e nodir/x.json
'

test_done
