#!/bin/bash
# t6216-notify-links - the links of a message: the CI run and the pull
# request from the session's CI facts, and the report's page from
# notify.report-url ({session} replaced), in Slack's context line, the Teams
# card's buttons, the webhook's headers and Jira's texts; a value that is not
# an http(s) URL is left out with a warning; the environment variable wins.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/server-lib.sh"

export INSIGHT_DB="$TRASH/h.db" INSIGHT_CONFIG="$TRASH/routes.config" INSIGHT_NET_TIME_SCALE=0.001

start_contract_server notify || exit 1
NOTIFY_URL=$SERVER_URL
start_contract_server jira || exit 1
JIRA_URL=$SERVER_URL
export JIRA_TOKEN=jiraLinksT0ken55

# session i: t2 fails in the second; recorded by GitHub Actions for pull request 42
session() {
	{
		echo "<testsuite name=\"s$1\" timestamp=\"2026-11-0${1}T01:00:00\">"
		echo "<testcase classname=\"tests/test_a.py\" name=\"t1\"/>"
		if [ "$1" = 2 ]; then
			echo "<testcase classname=\"tests/test_a.py\" name=\"t2\"><failure message=\"boom\">tb</failure></testcase>"
		else
			echo "<testcase classname=\"tests/test_a.py\" name=\"t2\"/>"
		fi
		echo "</testsuite>"
	} >s$1.xml &&
	env GITHUB_ACTIONS=true GITHUB_SHA=0123456789abcdef0123456789abcdef01234567 \
		GITHUB_REF=refs/pull/42/merge GITHUB_HEAD_REF=feature GITHUB_BASE_REF=main \
		GITHUB_REPOSITORY=octo/shop GITHUB_SERVER_URL=https://github.com GITHUB_RUN_ID=99 \
		"$INSIGHT_BIN" -q session import --sut shop s$1.xml >/dev/null
}

test_expect_success 'setup: a failure on a pull request; slack, teams, webhook and jira routes' '
	session 1 && session 2 &&
	cat >"$INSIGHT_CONFIG" <<-EOF &&
	[notify]
		report-url = https://reports.example/shop/{session}/index.html
	[notify "team"]
		type = slack
		url = $NOTIFY_URL/services/T0/B1/LINKS
	[notify "teams"]
		type = teams
		url = $NOTIFY_URL/workflows/links
	[notify "hook"]
		type = webhook
		url = $NOTIFY_URL/hook/links
	[notify "jira"]
		type = jira
		url = $JIRA_URL
		project = SHOP
		token-env = JIRA_TOKEN
	EOF
	chmod 600 "$INSIGHT_CONFIG" &&
	"$INSIGHT_BIN" session list --format csv | sed -n 2p | cut -d, -f1 >uid &&
	test_line_count = 1 uid
'

test_expect_success 'every message links the CI run, the pull request and the report' '
	insight notify 2>err &&
	test_grep "delivered: jira (1 created, 0 commented), team, teams, hook$" err &&
	curl -s --noproxy "*" "$JIRA_URL/__issues" >issues.json &&
	"$INSIGHT_PYTHON" - "$TRASH/server-1.jsonl" issues.json "$(cat uid)" <<-\EOF
	import json, sys
	reqs = [json.loads(l) for l in open(sys.argv[1])]
	report = "https://reports.example/shop/%s/index.html" % sys.argv[3]
	pr = "https://github.com/octo/shop/pull/42"
	run = "https://github.com/octo/shop/actions/runs/99"
	by = {r["path"].split("/")[1]: r for r in reqs}
	slack = json.loads(by["services"]["body"])
	ctx = slack["blocks"][-1]
	assert ctx["type"] == "context", ctx
	assert [e["text"] for e in ctx["elements"]] == ["<%s|CI run>" % run, "<%s|pull request #42>" % pr,
	                                               "<%s|report>" % report], ctx
	card = json.loads(by["workflows"]["body"])["attachments"][0]["content"]
	assert [(a["title"], a["url"]) for a in card["actions"]] == [("CI run", run), ("Pull request", pr),
	                                                             ("Report", report)], card["actions"]
	h = by["hook"]["headers"]
	assert h["X-Insight-CI-Run"] == run and h["X-Insight-Pull-Request"] == pr, h
	assert h["X-Insight-Report"] == report and h["X-Insight-Session"] == sys.argv[3], h
	desc = json.load(open(sys.argv[2]))[0]["fields"]["description"]
	for line in ("CI run: " + run, "Pull request: " + pr, "Report: " + report):
	    assert line in desc.split("\n"), desc
	EOF
'

test_expect_success 'the environment variable wins; a value that is not a web URL is left out, said once' '
	INSIGHT_NOTIFY_REPORT_URL="javascript:alert(1)" insight notify --force --route team 2>err &&
	test_grep "^insight: warning: notify.report-url is not an http(s) URL; messages leave it out$" err &&
	test_line_count = 2 err &&
	INSIGHT_NOTIFY_REPORT_URL="https://other.example/{session}" insight notify --force --route hook 2>err &&
	test_grep "delivered: hook" err &&
	"$INSIGHT_PYTHON" - "$TRASH/server-1.jsonl" "$(cat uid)" <<-\EOF
	import json, sys
	reqs = [json.loads(l) for l in open(sys.argv[1])]
	slack = [r for r in reqs if r["path"].startswith("/services/")][-1]
	texts = [e["text"] for e in json.loads(slack["body"])["blocks"][-1]["elements"]]
	assert not any("report" in t or "javascript" in t for t in texts), texts
	hook = [r for r in reqs if r["path"].startswith("/hook/")][-1]
	assert hook["headers"]["X-Insight-Report"] == "https://other.example/" + sys.argv[2], hook["headers"]
	EOF
'

test_done
