#!/bin/bash
# t6213-notify-jira - insight notify to a jira route, against the contract
# server's Jira: one issue per new failure, labelled by its fingerprint; a
# second route finds them through JQL and comments instead of creating
# (API 3, Atlassian Document Format); dedup through the history; Jira's
# errors reported; the token kept out of every output. Then the other
# routes' messages name each failure's issue: Slack, Teams, email and the
# webhook, with a jira route listed after them whose issues still make it
# into the same run's messages; again on a later run; none for a failure
# without an issue; and the flaky test whose failing attempt has one. Last,
# a failure whose node id, message, SUT, branch and commit subject are full
# of markup reaches Slack and Jira's wiki markup (API 2) as the text it is,
# beside insight's own links, and ADF (API 3) as it is.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/server-lib.sh"

export INSIGHT_DB="$TRASH/h.db" INSIGHT_CONFIG="$TRASH/routes.config" INSIGHT_NET_TIME_SCALE=0.001
TOKEN=jiraT0kenThatMustNeverLeak31
BASIC=$(printf "ci@example.com:%s" "$TOKEN" | base64 -w0)

start_contract_server jira --option token=$TOKEN --option user=ci@example.com || exit 1
export JIRA_TOKEN=$TOKEN

test_expect_success 'setup: a passing session, then two new failures' '
	for i in 1 2; do
		{
			echo "<testsuite name=\"s$i\" timestamp=\"2026-11-01T0$i:00:00\">"
			for k in 1 2 3; do
				if [ $i = 2 ] && [ $k != 3 ]; then
					what=$(echo "apple banana" | cut -d" " -f$k)
					echo "<testcase classname=\"tests/test_a.py\" name=\"t$k\"><failure message=\"KeyError: $what\">tb $what</failure></testcase>"
				else
					echo "<testcase classname=\"tests/test_a.py\" name=\"t$k\"/>"
				fi
			done
			echo "</testsuite>"
		} >s$i.xml &&
		"$INSIGHT_BIN" -q session import --sut shop s$i.xml >/dev/null || return 1
	done &&
	cat >"$INSIGHT_CONFIG" <<-EOF &&
	[notify "jira2"]
		type = jira
		url = $SERVER_URL/
		project = SHOP
		user = ci@example.com
		token-env = JIRA_TOKEN
	[notify "jira3"]
		type = jira
		url = $SERVER_URL
		project = SHOP
		issue-type = Task
		api = 3
		user = ci@example.com
		token-env = JIRA_TOKEN
	EOF
	chmod 600 "$INSIGHT_CONFIG"
'

test_expect_success 'a search, then an issue, for each new failure' '
	insight notify --route jira2 -vv >out 2>err &&
	test_grep "delivered: jira2 (2 created, 0 commented)" err &&
	server_requests >actual &&
	sed -e "s/insight-fp-[0-9a-f]*/insight-fp-H/" actual >masked &&
	cat >expect <<-\EOF &&
	GET /rest/api/2/search?fields=key&jql=project+%3D+%22SHOP%22+AND+labels+%3D+%22insight-fp-H%22+AND+statusCategory+%21%3D+Done+ORDER+BY+created+DESC&maxResults=1
	POST /rest/api/2/issue
	GET /rest/api/2/search?fields=key&jql=project+%3D+%22SHOP%22+AND+labels+%3D+%22insight-fp-H%22+AND+statusCategory+%21%3D+Done+ORDER+BY+created+DESC&maxResults=1
	POST /rest/api/2/issue
	EOF
	test_cmp expect masked &&
	test_must_fail grep -F -e "$TOKEN" -e "$BASIC" out err &&
	curl -s --noproxy "*" "$SERVER_URL/__issues" >issues.json &&
	"$INSIGHT_PYTHON" - issues.json <<-\EOF
	import json, sys
	issues = json.load(open(sys.argv[1]))
	assert [i["key"] for i in issues] == ["SHOP-1", "SHOP-2"], issues
	for i, t in zip(issues, ("t1", "t2")):
	    f = i["fields"]
	    assert f["summary"] == "[insight] tests/test_a.py::%s failing" % t, f
	    assert f["issuetype"] == {"name": "Bug"} and f["project"] == {"key": "SHOP"}
	    assert f["labels"][0] == "insight" and f["labels"][1].startswith("insight-fp-"), f
	    lines = f["description"].split("\n")
	    assert lines[0].startswith(r"tests/test\_a.py::%s failed in shop" % t), f
	    assert lines[1:4] == ["{noformat}", "KeyError: %s" % {"t1": "apple", "t2": "banana"}[t], "{noformat}"], f
	assert issues[0]["labels"][1] != issues[1]["labels"][1]
	EOF
'

test_expect_success 'another route finds the open issues by label and comments instead (ADF)' '
	insight notify --route jira3 >out 2>err &&
	test_grep "delivered: jira3 (0 created, 2 commented)" err &&
	server_count "r[\"method\"] == \"POST\" and r[\"path\"] == \"/rest/api/3/issue\"" >n &&
	echo 0 >expect && test_cmp expect n &&
	curl -s --noproxy "*" "$SERVER_URL/__issues" >issues.json &&
	"$INSIGHT_PYTHON" - issues.json <<-\EOF
	import json, sys
	issues = json.load(open(sys.argv[1]))
	assert len(issues) == 2
	for i, t in zip(issues, ("t1", "t2")):
	    assert len(i["comments"]) == 1, i
	    c = i["comments"][0]
	    assert c["type"] == "doc" and c["version"] == 1
	    texts = [p["content"][0]["text"] for p in c["content"]]
	    assert texts[0].startswith("tests/test_a.py::%s failed in shop" % t), texts
	    assert "KeyError: %s" % {"t1": "apple", "t2": "banana"}[t] in texts, texts
	EOF
'

test_expect_success 'the same failures are not filed again' '
	n=$(server_count) &&
	insight notify --route jira2 2>err &&
	test_grep "skipped: jira2 (nothing to announce)" err &&
	test "$(server_count)" = "$n"
'

test_expect_success 'Jira refusing an issue is not delivered, with its reason' '
	printf "[notify \"x\"]\n\ttype = jira\n\turl = %s\n\tproject = NOPE\n\tuser = ci@example.com\n\ttoken-env = JIRA_TOKEN\n" "$SERVER_URL" >nope.config &&
	test_must_fail --exit 5 insight --config nope.config notify 2>err &&
	test_grep "not delivered: x (0 created, 0 commented; create: Jira answered 400: project: valid project is required)" err &&
	test_must_fail insight --config nope.config notify 2>err &&
	test_grep "not delivered: x" err
'

test_expect_success 'a wrong token: 401, said without the token' '
	JIRA_TOKEN=wrongT0kenValue99 test_must_fail --exit 5 insight notify --route jira2 --force 2>err &&
	test_grep "not delivered: jira2 (0 created, 0 commented; search: Jira answered 401: You are not authenticated. Authentication required to perform this operation.)" err &&
	test_must_fail grep -F wrongT0kenValue99 err
'

test_expect_success 'a jira route that does not read' '
	printf "[notify \"j\"]\n\ttype = jira\n\turl = https://x\n\ttoken-env = T\n" >bad &&
	test_must_fail --exit 2 insight --config bad notify 2>err &&
	test_grep "^insight: notify.j: a jira route needs url, project and token-env (or token)$" err &&
	printf "[notify \"j\"]\n\ttype = jira\n\turl = https://x\n\tproject = P\n\ttoken-env = T\n\tapi = 4\n" >bad &&
	test_must_fail --exit 2 insight --config bad notify 2>err &&
	test_grep "^insight: notify.j.api in bad: .4. is not 2 or 3$" err &&
	printf "[notify \"j\"]\n\ttype = jira\n\turl = https://x\n\tproject = P\n\ttoken-env = T\n\ton = always\n" >bad &&
	test_must_fail --exit 2 insight --config bad notify 2>err &&
	test_grep "^insight: notify.j.on: a jira route files new failures and tells their issues about fixes (on = new-failures, fixed)$" err
'

# The other routes name the issues. A fresh history and Jira; the jira route
# comes last in the configuration and files for main only.
start_contract_server jira --option token=$TOKEN --option user=ci@example.com || exit 1
JIRA_URL=$SERVER_URL
start_contract_server notify || exit 1
NOTIFY_URL=$SERVER_URL
NOTIFY_LOG=$SERVER_LOG
start_smtp mail || exit 1

# import_cart N BRANCH FAILING...: session N of SUT cart on BRANCH, the named
# tests of t1 t2 t3 failing (~tN: flaky, failing as tN does, then passing)
import_cart() {
	n=$1 branch=$2
	shift 2
	{
		echo "<testsuite name=\"c$n\" timestamp=\"2026-11-02T0$n:00:00\">"
		for t in t1 t2 t3; do
			case " $* " in
			*" $t "*) tag=failure ;;
			*" ~$t "*) tag=flakyFailure ;;
			*) tag= ;;
			esac
			if [ -n "$tag" ]; then
				what=banana
				[ $t = t1 ] && what="apple & <pear>"
				echo "<testcase classname=\"tests/test_a.py\" name=\"$t\"><$tag message=\"KeyError: $(echo "$what" | sed -e "s/&/\&amp;/g" -e "s/</\&lt;/g" -e "s/>/\&gt;/g")\">tb</$tag></testcase>"
			else
				echo "<testcase classname=\"tests/test_a.py\" name=\"$t\"/>"
			fi
		done
		echo "</testsuite>"
	} >c$n.xml &&
	env GITLAB_CI=true CI_COMMIT_SHA=0123456789abcdef0123456789abcdef0123456$n CI_COMMIT_BRANCH=$branch \
		CI_PIPELINE_URL=https://ci.example/p/$n INSIGHT_DB="$TRASH/keys.db" \
		"$INSIGHT_BIN" -q session import --sut cart c$n.xml >/dev/null
}

# check_messages TABLE TEST=KEY...: the latest Slack payload, Teams card,
# email and webhook body each list TEST (tests/test_a.py::tN) among the new
# failures (TABLE new_failures, with its message) or the newly flaky tests
# (TABLE flaky), with issue KEY (its page on $JIRA_URL), or with none for
# TEST=
check_messages() {
	"$INSIGHT_PYTHON" - "$NOTIFY_LOG" "$SMTP_LOG" "$JIRA_URL" "$@" <<-\EOF
	import base64, email, email.policy, json, sys
	reqs = [json.loads(l) for l in open(sys.argv[1])]
	last = lambda p: json.loads([r for r in reqs if r["path"].startswith(p)][-1]["body"])
	mail = email.message_from_bytes(base64.b64decode(json.loads(open(sys.argv[2]).readlines()[-1])["data"]),
	                                policy=email.policy.default)
	text, html = [p.get_content() for p in mail.iter_parts()]
	slack = "\n".join(b["text"]["text"] for b in last("/services/")["blocks"] if b["type"] == "section")
	card = [b.get("text") for b in last("/workflows/")["attachments"][0]["content"]["body"]]
	table = sys.argv[4]
	hook = {r["nodeid"]: r for r in last("/hook/")["tables"][table]["rows"]}
	msg = {"t1": "KeyError: apple & <pear>", "t2": "KeyError: banana"} if table == "new_failures" else {}
	for arg in sys.argv[5:]:
	    t, key = arg.split("=")
	    node, url, m = "tests/test_a.py::" + t, "%s/browse/%s" % (sys.argv[3], key), msg.get(t)
	    esc = m and m.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
	    lines = {
	        "slack": ("\u2022 `%s`" % node + (" \u2014 `%s`" % esc if m else ""), slack.split("\n")),
	        "card": ("- tests/test\\_a.py::" + t + (": %s" % m.replace("<", "\\<") if m else ""), card),
	        "text": ("- %s" % node + (": %s" % m if m else ""), text.splitlines()),
	    }
	    jira = {"slack": " (Jira <%s|%s>)" % (url, key), "card": " (Jira [%s](%s))" % (key, url),
	            "text": " (Jira %s: %s)" % (key, url)}
	    for kind, (want, got) in lines.items():
	        want += jira[kind] if key else ""
	        assert want in got, (kind, want, got)
	    if key:
	        assert '"%s"' % key in html and '"%s"' % url in html, "the HTML part has no issue"
	    assert hook[node]["jira"] == (key or None) and hook[node]["jira_url"] == (key and url or None), hook[node]
	EOF
}

test_expect_success 'setup: cart passes, then fails t1 on main; slack, teams, email, webhook, then jira' '
	import_cart 1 main && import_cart 2 main t1 &&
	cat >keys.config <<-EOF &&
	[notify "chat"]
		type = slack
		url = $NOTIFY_URL/services/T0/B1/KEYS
		on = new-failures, fixed, flaky-new
	[notify "card"]
		type = teams
		url = $NOTIFY_URL/workflows/keys
		on = new-failures, fixed, flaky-new
	[notify "mail"]
		type = email
		smtp-url = smtp://127.0.0.1:$SMTP_PORT
		starttls = off
		from = ci@example.com
		to = dev@example.com
		on = new-failures, fixed, flaky-new
	[notify "hook"]
		type = webhook
		url = $NOTIFY_URL/hook/keys
		on = new-failures, fixed, flaky-new
	[notify "file"]
		type = jira
		url = $JIRA_URL
		project = SHOP
		user = ci@example.com
		token-env = JIRA_TOKEN
		branch = main
	EOF
	chmod 600 keys.config
'

test_expect_success 'the jira route files first: every message of the same run names the issue, linked' '
	INSIGHT_DB="$TRASH/keys.db" insight --config keys.config notify 2>err &&
	test_grep "delivered: file (1 created, 0 commented), chat, card, mail, hook$" err &&
	curl -s --noproxy "*" "$JIRA_URL/__issues" >issues.json &&
	json_get issues.json "\" \".join(i[\"key\"] for i in d)" >actual &&
	echo SHOP-1 >expect && test_cmp expect actual &&
	check_messages new_failures t1=SHOP-1 &&
	test_must_fail grep -F -e "$TOKEN" -e "$BASIC" err
'

test_expect_success 'a later run names the issue it knows (found again, or from the history alone)' '
	INSIGHT_DB="$TRASH/keys.db" insight --config keys.config notify --force 2>err &&
	test_grep "delivered: file (0 created, 1 commented), chat, card, mail, hook$" err &&
	check_messages new_failures t1=SHOP-1 &&
	n=$(server_count) &&
	INSIGHT_DB="$TRASH/keys.db" insight --config keys.config notify --force --route chat 2>err &&
	test_grep "delivered: chat$" err &&
	test "$(server_count)" = $((n + 1)) &&
	"$INSIGHT_PYTHON" - "$NOTIFY_LOG" "$JIRA_URL" <<-\EOF
	import json, sys
	r = [json.loads(l) for l in open(sys.argv[1])][-1]
	assert r["path"].startswith("/services/"), r["path"]
	assert "(Jira <%s/browse/SHOP-1|SHOP-1>)" % sys.argv[2] in r["body"], r["body"]
	EOF
'

test_expect_success 'a failure without an issue names none; one with an issue names it on any branch' '
	import_cart 3 dev && import_cart 4 dev t1 t2 &&
	INSIGHT_DB="$TRASH/keys.db" insight --config keys.config notify 2>err &&
	test_grep "delivered: chat, card, mail, hook" err &&
	test_grep "skipped: file (nothing to announce)" err &&
	check_messages new_failures t1=SHOP-1 t2= &&
	curl -s --noproxy "*" "$JIRA_URL/__issues" >issues.json &&
	json_get issues.json "len(d)" >actual && echo 1 >expect && test_cmp expect actual
'

test_expect_success 'a flaky test whose failing attempt has an issue names it, in every message' '
	import_cart 5 dev ~t1 ~t2 &&
	INSIGHT_DB="$TRASH/keys.db" insight --config keys.config notify 2>err &&
	test_grep "delivered: chat, card, mail, hook" err &&
	check_messages flaky t1=SHOP-1 t2=
'

# Markup in what a message names: a history of its own, in a git repository
# whose commit subject carries markup too; the jira route files the failure
# first (SHOP-2 on this Jira), so that the messages link its issue.

# jira_route NAME [SETTING...]: a jira route to $JIRA_URL's project SHOP, with SETTINGs added
jira_route() {
	printf "[notify \"%s\"]\n\ttype = jira\n\turl = %s\n\tproject = SHOP\n" "$1" "$JIRA_URL" &&
	printf "\tuser = ci@example.com\n\ttoken-env = JIRA_TOKEN\n" &&
	shift &&
	for setting in "$@"; do printf "\t%s\n" "$setting"; done
}

test_expect_success 'setup: a failure whose node id and message carry markup' '
	git init -q md && (
		cd md &&
		git commit -q --allow-empty -m "fix: a*b _c_ ~d~ \`e\` <!here> & [x](y) {code}" &&
		case="<testcase classname=\"h1. tests/test_m.py\" name=\"test_x[\`a\`*b*_c_~d~|e|-f-+g+^h^{code}[i|http://evil.example]!j.png!\\\\&lt;k&gt;&amp;]\"" &&
		fail="<failure message=\"assert a*b == c*d, _x_ ~y~ \`z\` -d- +i+ ^s^ {code} {color:red}r{color} [t|http://evil.example] !i.png! |t| {noformat} \\\\* &lt;!channel&gt; &amp; h1. x\">tb</failure>" &&
		echo "<testsuite name=\"m1\" timestamp=\"2026-11-03T01:00:00\">$case/></testsuite>" >m1.xml &&
		echo "<testsuite name=\"m2\" timestamp=\"2026-11-03T02:00:00\">$case>$fail</testcase></testsuite>" >m2.xml &&
		for i in 1 2; do
			env GITLAB_CI=true CI_COMMIT_SHA=$(git rev-parse HEAD) CI_COMMIT_BRANCH="fix/__x__~y~" \
				CI_PIPELINE_URL=https://ci.example/p/9 INSIGHT_DB="$TRASH/md.db" \
				"$INSIGHT_BIN" -q session import --sut "web_*ui*" m$i.xml >/dev/null || return 1
		done
	) &&
	jira_route file >md.config &&
	printf "[notify \"chat\"]\n\ttype = slack\n\turl = %s\n" "$NOTIFY_URL/services/T0/B1/MD" >>md.config &&
	chmod 600 md.config
'

test_expect_success 'slack: node ids, messages, SUT, branch and subject arrive as text; insight'"'"'s links stay links' '
	INSIGHT_DB="$TRASH/md.db" insight --config md.config notify 2>err &&
	test_grep "delivered: file (1 created, 0 commented), chat$" err &&
	git -C md rev-parse --short=12 HEAD >sha &&
	"$INSIGHT_PYTHON" - "$NOTIFY_LOG" "$JIRA_URL" "$(cat sha)" <<-\EOF
	import json, sys
	r = [json.loads(l) for l in open(sys.argv[1])][-1]
	assert r["path"] == "/services/T0/B1/MD", r["path"]
	s = json.loads(r["body"])
	# the notification text: look-alikes for * _ ~, no code span there
	want = "insight: web\u02cd\u2217ui\u2217 on fix/\u02cd\u02cdx\u02cd\u02cd\u223cy\u223c @ %s: " % sys.argv[3]
	assert s["text"].startswith(want), (want, s["text"])
	b = s["blocks"]
	assert b[0]["text"] == {"type": "plain_text", "text": "insight: web_*ui* on fix/__x__~y~ @ " + sys.argv[3]}, b[0]
	# the subject, the node id and the message in code spans of their own,
	# a backtick in them a look-alike, &, < and > entities
	subject = "`fix: a*b _c_ ~d~ \u02cbe\u02cb &lt;!here&gt; &amp; [x](y) {code}`\n"
	assert b[1]["text"]["text"].startswith(subject), b[1]
	node = "h1. tests/test_m.py::test_x[\u02cba\u02cb*b*_c_~d~|e|-f-+g+^h^{code}[i|http://evil.example]!j.png!\\\\&lt;k&gt;&amp;]"
	msg = ("assert a*b == c*d, _x_ ~y~ \u02cbz\u02cb -d- +i+ ^s^ {code} {color:red}r{color} "
	       "[t|http://evil.example] !i.png! |t| {noformat} \\\\* &lt;!channel&gt; &amp; h1. x")
	line = "\u2022 `%s` \u2014 `%s` (Jira <%s/browse/SHOP-2|SHOP-2>)" % (node, msg, sys.argv[2])
	assert b[2]["text"]["text"] == "*New failures (1)*\n" + line, (line, b[2])
	assert b[-1]["elements"] == [{"type": "mrkdwn", "text": "<https://ci.example/p/9|CI run>"}], b[-1]
	EOF
'

test_expect_success 'slack: an issue key cannot end its link' '
	sqlite3 "$TRASH/md.db" "UPDATE notify_issue SET issue_key = '"'"'SHOP-2>|*b* _i_ <!here>'"'"'" &&
	INSIGHT_DB="$TRASH/md.db" insight --config md.config notify --force --route chat 2>err &&
	test_grep "delivered: chat$" err &&
	"$INSIGHT_PYTHON" - "$NOTIFY_LOG" "$JIRA_URL" <<-\EOF
	import json, sys
	r = [json.loads(l) for l in open(sys.argv[1])][-1]
	t = json.loads(r["body"])["blocks"][2]["text"]["text"]
	want = " (Jira <%s/browse/SHOP-2|SHOP-2&gt;\u2223\u2217b\u2217 \u02cdi\u02cd &lt;!here&gt;>)" % sys.argv[2]
	assert t.endswith(want), (want, t)
	EOF
'

test_expect_success 'jira: API 2 escapes the wiki markup of names, holds the message in {noformat}' '
	curl -s --noproxy "*" "$JIRA_URL/__issues" >issues.json &&
	"$INSIGHT_PYTHON" - issues.json "$(cat sha)" <<-\EOF
	import json, re, sys
	f = [i for i in json.load(open(sys.argv[1])) if i["key"] == "SHOP-2"][0]["fields"]
	Z = "\u200b"
	node = "h1. tests/test_m.py::test_x[`a`*b*_c_~d~|e|-f-+g+^h^{code}[i|http://evil.example]!j.png!\\\\<k>&]"
	msg = ("assert a*b == c*d, _x_ ~y~ `z` -d- +i+ ^s^ {code} {color:red}r{color} "
	       "[t|http://evil.example] !i.png! |t| {noformat} \\\\* <!channel> & h1. x")
	assert f["summary"] == "[insight] %s failing" % node, f["summary"]
	d = f["description"].split("\n")
	want = (Z + r"h1. tests/test\_m.py::test\_x\[`a`\*b\*\_c\_\~d\~\|e\|\-f\-\+g\+\^h\^\{code\}"
	        r"\[i\|http://evil.example\]\!j.png\!" + "\\" + Z + "\\" + Z + r"<k>&\] failed in "
	        r"web\_\*ui\* on fix/\_\_x\_\_\~y\~ \@ " + sys.argv[2] + " (session ")
	assert d[0].startswith(want), (want, d[0])
	assert d[1:4] == ["{noformat}", msg.replace("{noformat}", "{" + Z + "noformat}"), "{noformat}"], d
	assert d[4] == r"Commit: fix: a\*b \_c\_ \~d\~ `e` <\!here> & \[x\]\(y\) \{code\}", d[4]
	assert d[5] == "CI run: https://ci.example/p/9", d[5]
	# read back as the renderer reads a backslash (BackslashEscapeRendererComponent)
	read = lambda t: re.sub(r"(^|(?<!\\))\\([-#*_+?^~|%{}\[\]()!@])", r"\1\2", t).replace(Z, "")
	assert read(d[0]).startswith(node + " failed in web_*ui* on fix/__x__~y~ @ "), read(d[0])
	assert read(d[4]) == "Commit: fix: a*b _c_ ~d~ `e` <!here> & [x](y) {code}", read(d[4])
	EOF
'

test_expect_success 'jira: API 3 (ADF) carries the same texts as they are' '
	jira_route adf "api = 3" >>md.config &&
	INSIGHT_DB="$TRASH/md.db" insight --config md.config notify --route adf 2>err &&
	test_grep "delivered: adf (0 created, 1 commented)" err &&
	curl -s --noproxy "*" "$JIRA_URL/__issues" >issues.json &&
	"$INSIGHT_PYTHON" - issues.json <<-\EOF
	import json, sys
	c = [i for i in json.load(open(sys.argv[1])) if i["key"] == "SHOP-2"][0]["comments"][-1]
	texts = [p["content"][0]["text"] for p in c["content"]]
	node = "h1. tests/test_m.py::test_x[`a`*b*_c_~d~|e|-f-+g+^h^{code}[i|http://evil.example]!j.png!\\\\<k>&]"
	assert texts[0].startswith(node + " failed in web_*ui* on fix/__x__~y~ @ "), texts[0]
	assert texts[1].startswith("assert a*b == c*d, _x_ ~y~ `z` -d- +i+ ^s^ {code} {color:red}r{color}"), texts
	assert texts[1].endswith("|t| {noformat} \\\\* <!channel> & h1. x"), texts
	assert texts[2] == "Commit: fix: a*b _c_ ~d~ `e` <!here> & [x](y) {code}", texts
	EOF
'

test_done
