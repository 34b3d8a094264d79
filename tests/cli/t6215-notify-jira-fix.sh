#!/bin/bash
# t6215-notify-jira-fix - jira routes remember the issue of each failure in
# the history (notify_issue), reports link it (analytics failures: JSON,
# Markdown, HTML; analytics compare's new and still failing tests; the
# pull-request comment), and a fix reaches the same issue: a comment (on-fix =
# comment) or a transition looked up by name with its comment (on-fix =
# transition, API 3); a transition the issue does not offer is said; the
# token stays out of outputs and the history.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/server-lib.sh"

export INSIGHT_DB="$TRASH/h.db" INSIGHT_CONFIG="$TRASH/routes.config" INSIGHT_NET_TIME_SCALE=0.001
TOKEN=jiraFixT0kenNeverShown47
BASIC=$(printf "ci@example.com:%s" "$TOKEN" | base64 -w0)

start_contract_server jira --option token=$TOKEN --option user=ci@example.com || exit 1
export JIRA_TOKEN=$TOKEN

# session i of 3: t1 and t2 fail in the second only
session() {
	i=$1
	{
		echo "<testsuite name=\"s$i\" timestamp=\"2026-11-0${i}T01:00:00\">"
		for k in 1 2 3; do
			if [ "$i" = 2 ] && [ $k != 3 ]; then
				what=$(echo "apple banana" | cut -d" " -f$k)
				echo "<testcase classname=\"tests/test_a.py\" name=\"t$k\"><failure message=\"KeyError: $what\">tb $what</failure></testcase>"
			else
				echo "<testcase classname=\"tests/test_a.py\" name=\"t$k\"/>"
			fi
		done
		echo "</testsuite>"
	} >s$i.xml &&
	"$INSIGHT_BIN" -q session import --sut shop s$i.xml >/dev/null
}

test_expect_success 'setup: a passing session, two new failures, two routes' '
	session 1 && session 2 &&
	cat >"$INSIGHT_CONFIG" <<-EOF &&
	[notify "jc"]
		type = jira
		url = $SERVER_URL/
		project = SHOP
		user = ci@example.com
		token-env = JIRA_TOKEN
		on = new-failures, fixed
	[notify "jt"]
		type = jira
		url = $SERVER_URL
		project = SHOP
		api = 3
		user = ci@example.com
		token-env = JIRA_TOKEN
		on = new-failures, fixed
		fix-transition = resolve
	EOF
	chmod 600 "$INSIGHT_CONFIG"
'

test_expect_success 'the issues filed, and those found by label, are remembered per route' '
	insight notify --route jc 2>err &&
	test_grep "delivered: jc (2 created, 0 commented)" err &&
	insight notify --route jt 2>err &&
	test_grep "delivered: jt (0 created, 2 commented)" err &&
	sqlite3 h.db "SELECT i.route, i.issue_key, i.url, i.state FROM notify_issue i
		JOIN notify_seen s ON s.route = i.route AND s.key = i.fingerprint
		ORDER BY i.route, s.nodeid" >actual &&
	cat >expect <<-EOF &&
	jc|SHOP-1|$SERVER_URL/browse/SHOP-1|open
	jc|SHOP-2|$SERVER_URL/browse/SHOP-2|open
	jt|SHOP-1|$SERVER_URL/browse/SHOP-1|open
	jt|SHOP-2|$SERVER_URL/browse/SHOP-2|open
	EOF
	test_cmp expect actual
'

test_expect_success 'analytics failures names each fingerprint'"'"'s issue (JSON)' '
	for by in fingerprint cause; do
		insight analytics failures --sut shop --days 3650 --by $by --format json >f.json &&
		"$INSIGHT_PYTHON" - f.json "$SERVER_URL" <<-\EOF || return 1
		import json, sys
		d = json.load(open(sys.argv[1]))
		rows = {r["message"]: r for r in d["tables"]["failures"]["rows"]}
		assert set(rows) == {"KeyError: apple", "KeyError: banana"}, rows
		for msg, key in (("KeyError: apple", "SHOP-1"), ("KeyError: banana", "SHOP-2")):
		    assert rows[msg]["jira"] == key, rows[msg]
		    assert rows[msg]["jira_url"] == sys.argv[2] + "/browse/" + key, rows[msg]
		EOF
	done &&
	insight analytics failures --sut shop --days 3650 --by test --format json >t.json &&
	"$INSIGHT_PYTHON" - t.json <<-\EOF
	import json, sys
	d = json.load(open(sys.argv[1]))
	assert all("jira" not in r for r in d["tables"]["failures"]["rows"])
	EOF
'

test_expect_success 'Markdown and HTML name the issue and its page (HTML makes web URLs links)' '
	insight analytics failures --sut shop --days 3650 --by fingerprint --format md >f.md &&
	test_grep "| SHOP-1 | $SERVER_URL/browse/SHOP-1 |" f.md &&
	test_grep "| SHOP-2 | $SERVER_URL/browse/SHOP-2 |" f.md &&
	insight analytics failures --sut shop --days 3650 --by fingerprint --format html >f.html &&
	grep -F "\"$SERVER_URL/browse/SHOP-1\"" f.html &&
	grep -F "\"jira_url\"" f.html
'

test_expect_success 'analytics compare names the issue of each new failure (JSON, terminal)' '
	insight analytics compare --base latest~1 --target latest --format json >c.json &&
	"$INSIGHT_PYTHON" - c.json "$SERVER_URL" <<-\EOF &&
	import json, sys
	d = json.load(open(sys.argv[1]))
	rows = {r["nodeid"]: r for r in d["tables"]["new_failures"]["rows"]}
	assert set(rows) == {"tests/test_a.py::t1", "tests/test_a.py::t2"}, rows
	for t, key in (("t1", "SHOP-1"), ("t2", "SHOP-2")):
	    r = rows["tests/test_a.py::" + t]
	    assert r["jira"] == key, r
	    assert r["jira_url"] == sys.argv[2] + "/browse/" + key, r
	cols = [c["id"] for c in d["tables"]["still_failing"]["columns"]]
	assert "jira" in cols and "jira_url" in cols, cols
	EOF
	COLUMNS=200 insight analytics compare --base latest~1 --target latest >c.txt &&
	test_grep "tests/test_a.py::t1 .*SHOP-1" c.txt &&
	test_grep "tests/test_a.py::t2 .*SHOP-2" c.txt
'

test_expect_success 'session show names the issue of each failure (JSON, terminal, HTML)' '
	insight session show --sut shop latest --format json >s.json &&
	"$INSIGHT_PYTHON" - s.json "$SERVER_URL" <<-\EOF &&
	import json, sys
	d = json.load(open(sys.argv[1]))
	res = [s for s in d["sections"] if s["id"] == "counts"][0]["tables"]["results"]
	rows = {r["test"]: r for r in res["rows"]}
	assert set(rows) == {"tests/test_a.py::t1", "tests/test_a.py::t2"}, rows
	for t, key in (("t1", "SHOP-1"), ("t2", "SHOP-2")):
	    r = rows["tests/test_a.py::" + t]
	    assert (r["jira"], r["jira_url"]) == (key, sys.argv[2] + "/browse/" + key), r
	EOF
	insight session show --sut shop latest --outcome all --format json >all.json &&
	"$INSIGHT_PYTHON" - all.json <<-\EOF &&
	import json, sys
	d = json.load(open(sys.argv[1]))
	res = [s for s in d["sections"] if s["id"] == "counts"][0]["tables"]["results"]
	passed = [r for r in res["rows"] if r["outcome"] == "passed"]
	assert passed and all(r["jira"] is None and r["jira_url"] is None for r in passed), passed
	EOF
	COLUMNS=200 insight session show --sut shop latest >s.txt &&
	test_grep "tests/test_a.py::t1 .*SHOP-1" s.txt &&
	test_grep "tests/test_a.py::t2 .*SHOP-2" s.txt &&
	insight session show --sut shop latest --format html >s.html &&
	grep -F "\"$SERVER_URL/browse/SHOP-2\"" s.html
'

test_expect_success 'the pull-request comment links the issue after the message' '
	insight ci report --sut shop --base latest~1 --out-dir reports >out 2>err &&
	grep -F "| \`tests/test_a.py::t1\` | KeyError: apple · Jira: [SHOP-1]($SERVER_URL/browse/SHOP-1) |" \
		reports/insight-report.md &&
	grep -F "| \`tests/test_a.py::t2\` | KeyError: banana · Jira: [SHOP-2]($SERVER_URL/browse/SHOP-2) |" \
		reports/insight-report.md &&
	NODE_PATH="$INSIGHT_SRCDIR/tests/node/node_modules" \
		node "$INSIGHT_SRCDIR/tests/node/render-md.js" reports/insight-report.md >r.html &&
	grep -F "<a href=\"$SERVER_URL/browse/SHOP-1\">SHOP-1</a>" r.html &&
	grep -F "<a href=\"$SERVER_URL/browse/SHOP-2\">SHOP-2</a>" r.html
'

test_expect_success 'a failure that goes on failing keeps its issue (still failing)' '
	cp h.db h2.db &&
	printf "%s\n" "<testsuite name=\"s2b\" timestamp=\"2026-11-02T05:00:00\">" \
		"<testcase classname=\"tests/test_a.py\" name=\"t1\"><failure message=\"KeyError: apple\">tb apple</failure></testcase>" \
		"<testcase classname=\"tests/test_a.py\" name=\"t2\"/>" \
		"<testcase classname=\"tests/test_a.py\" name=\"t3\"><failure message=\"KeyError: cherry\">tb cherry</failure></testcase>" \
		"</testsuite>" >s2b.xml &&
	INSIGHT_DB=h2.db insight -q session import --sut shop s2b.xml >/dev/null &&
	INSIGHT_DB=h2.db insight analytics compare --base latest~1 --target latest --format json >c2.json &&
	"$INSIGHT_PYTHON" - c2.json <<-\EOF
	import json, sys
	d = json.load(open(sys.argv[1]))
	still = d["tables"]["still_failing"]["rows"]
	assert [(r["nodeid"], r["jira"]) for r in still] == [("tests/test_a.py::t1", "SHOP-1")], still
	new = d["tables"]["new_failures"]["rows"]
	assert [(r["nodeid"], r["jira"], r["jira_url"]) for r in new] == \
	    [("tests/test_a.py::t3", None, None)], new
	EOF
'

test_expect_success 'without any issue filed: null in JSON, no Jira column for people' '
	INSIGHT_DB=$TRASH/none.db insight -q session import --sut shop s1.xml >/dev/null &&
	INSIGHT_DB=$TRASH/none.db insight -q session import --sut shop s2.xml >/dev/null &&
	INSIGHT_DB=$TRASH/none.db insight analytics compare --base latest~1 --target latest \
		--format json >c3.json &&
	"$INSIGHT_PYTHON" - c3.json <<-\EOF &&
	import json, sys
	d = json.load(open(sys.argv[1]))
	rows = d["tables"]["new_failures"]["rows"]
	assert len(rows) == 2 and all(r["jira"] is None and r["jira_url"] is None for r in rows), rows
	EOF
	for f in term md html; do
		COLUMNS=200 INSIGHT_DB=$TRASH/none.db insight analytics compare --base latest~1 \
			--target latest --format $f >c3.$f &&
		test_grep "KeyError: apple" c3.$f &&
		test_grep "Cause" c3.$f &&
		test_grep -v "Jira" c3.$f || return 1
	done &&
	for f in term html; do
		COLUMNS=200 INSIGHT_DB=$TRASH/none.db insight analytics failures --sut shop \
			--days 3650 --by fingerprint --format $f >f3.$f &&
		test_grep "KeyError: apple" f3.$f &&
		test_grep -v "Jira" f3.$f &&
		COLUMNS=200 INSIGHT_DB=$TRASH/none.db insight session show --sut shop latest \
			--format $f >s3.$f &&
		test_grep "KeyError: apple" s3.$f &&
		test_grep -v "Jira" s3.$f || return 1
	done
'

test_expect_success 'a fix: a transition found by name, with its comment (ADF)' '
	session 3 &&
	insight notify --route jt -vv >out 2>err &&
	test_grep "delivered: jt (0 created, 0 commented; fixed: 0 commented, 2 transitioned)" err &&
	server_requests "r[\"path\"].endswith(\"/transitions\")" >actual &&
	cat >expect <<-\EOF &&
	GET /rest/api/3/issue/SHOP-1/transitions
	POST /rest/api/3/issue/SHOP-1/transitions
	GET /rest/api/3/issue/SHOP-2/transitions
	POST /rest/api/3/issue/SHOP-2/transitions
	EOF
	test_cmp expect actual &&
	curl -s --noproxy "*" "$SERVER_URL/__issues" >issues.json &&
	"$INSIGHT_PYTHON" - issues.json <<-\EOF &&
	import json, sys
	issues = json.load(open(sys.argv[1]))
	for i, t in zip(issues, ("t1", "t2")):
	    assert i["status"] == "Done" and i["transitions"] == ["Resolve"], i
	    c = i["comments"][-1]
	    assert c["type"] == "doc", c
	    texts = [p["content"][0]["text"] for p in c["content"]]
	    assert texts[0].startswith("tests/test_a.py::%s passes again in shop" % t), texts
	EOF
	sqlite3 h.db "SELECT route, issue_key, state FROM notify_issue ORDER BY route, issue_key" >actual &&
	cat >expect <<-\EOF &&
	jc|SHOP-1|open
	jc|SHOP-2|open
	jt|SHOP-1|fixed
	jt|SHOP-2|fixed
	EOF
	test_cmp expect actual
'

test_expect_success 'a fix: a comment on the remembered issue, even once it is done' '
	insight notify --route jc 2>err &&
	test_grep "delivered: jc (0 created, 0 commented; fixed: 2 commented, 0 transitioned)" err &&
	curl -s --noproxy "*" "$SERVER_URL/__issues" >issues.json &&
	"$INSIGHT_PYTHON" - issues.json <<-\EOF &&
	import json, sys
	issues = json.load(open(sys.argv[1]))
	for i, t in zip(issues, ("t1", "t2")):
	    c = i["comments"][-1]
	    assert isinstance(c, str) and c.startswith(r"tests/test\_a.py::%s passes again in shop" % t), c
	    assert "Fingerprint: " in c, c
	EOF
	test "$(sqlite3 h.db "SELECT count(*) FROM notify_issue WHERE state = '"'"'fixed'"'"'")" = 4
'

test_expect_success 'a fix is told once' '
	n=$(server_count) &&
	insight notify 2>err &&
	test_grep "skipped: jc (nothing to announce), jt (nothing to announce)" err &&
	test "$(server_count)" = "$n"
'

test_expect_success 'a transition the issue does not offer is not delivered, with the reason' '
	test_must_fail --exit 5 insight notify --route jt --force 2>err &&
	test_grep "not delivered: jt (0 created, 0 commented; fixed: 0 commented, 0 transitioned; transition: SHOP-1 offers no transition .resolve.)" err
'

test_expect_success 'the token is in no output and not in the history' '
	test_must_fail grep -F -e "$TOKEN" -e "$BASIC" out err &&
	sqlite3 h.db .dump >dump.sql &&
	test_grep "SHOP-1" dump.sql &&
	test_must_fail grep -F -e "$TOKEN" -e "$BASIC" dump.sql
'

test_expect_success 'on-fix and fix-transition that do not read' '
	printf "[notify \"j\"]\n\ttype = jira\n\turl = https://x\n\tproject = P\n\ttoken-env = T\n\ton-fix = close\n" >bad &&
	test_must_fail --exit 2 insight --config bad notify 2>err &&
	test_grep "^insight: notify.j.on-fix in bad: .close. is not comment, transition or none$" err &&
	printf "[notify \"j\"]\n\ttype = jira\n\turl = https://x\n\tproject = P\n\ttoken-env = T\n\ton-fix = transition\n" >bad &&
	test_must_fail --exit 2 insight --config bad notify 2>err &&
	test_grep "^insight: notify.j: on-fix = transition needs fix-transition (the name of the transition, e.g. Done)$" err &&
	printf "[notify \"j\"]\n\ttype = jira\n\turl = https://x\n\tproject = P\n\ttoken-env = T\n\ton = fixed\n\ton-fix = none\n" >bad &&
	test_must_fail --exit 2 insight --config bad notify 2>err &&
	test_grep "^insight: notify.j: on = fixed with on-fix = none does nothing; drop one of them$" err &&
	printf "[notify \"s\"]\n\ttype = slack\n\turl = https://x\n\ton-fix = comment\n" >bad &&
	test_must_fail --exit 2 insight --config bad notify 2>err &&
	test_grep "^insight: notify.s.on-fix in bad: not a key of a slack route$" err
'

test_done
