#!/bin/bash
# t6212-notify-teams-pushgateway - insight notify to Microsoft Teams (a
# Workflows webhook of the contract server: the message envelope with an
# Adaptive Card 1.4, read by Microsoft's adaptivecards library and validated
# against the Adaptive Card JSON schema its designer ships; an Office 365
# connector URL refused) and to a real Prometheus Pushgateway started by the
# test (the SUT's metrics PUT under job and SUT, base64 grouping keys for a
# SUT with a slash, the values then in the gateway's /metrics). Last, names
# and messages full of Markdown reach the card escaped, and render as written
# beside the Jira link insight adds.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/server-lib.sh"

export INSIGHT_DB="$TRASH/h.db" INSIGHT_CONFIG="$TRASH/routes.config" INSIGHT_NET_TIME_SCALE=0.001
NODE_MODULES="$INSIGHT_SRCDIR/tests/node/node_modules"

PG_PID=""
stop_pushgateway() {
	if [ -n "$PG_PID" ]; then kill "$PG_PID" 2>/dev/null; wait "$PG_PID" 2>/dev/null; fi
	stop_contract_servers
}
trap stop_pushgateway EXIT

# A free port on 127.0.0.1 for the Pushgateway.
PG_PORT=$("$INSIGHT_PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
timeout 120 prometheus-pushgateway --web.listen-address="127.0.0.1:$PG_PORT" \
	--persistence.file="$TRASH/pushgateway.data" --log.level=warn 2>"$TRASH/pushgateway.err" &
PG_PID=$!
PG_URL="http://127.0.0.1:$PG_PORT"
for _ in $(seq 1 100); do
	curl -s --noproxy '*' "$PG_URL/-/ready" >/dev/null 2>&1 && break
	sleep 0.1
done

start_contract_server notify || exit 1
export TEAMS_URL="$SERVER_URL/workflows/8f2c/triggers/manual/paths/invoke?sig=T3amsS1gnatureMustNeverLeak"

test_expect_success 'setup: the Pushgateway answers; two sessions of shop and of team/api, the second failing' '
	curl -s --noproxy "*" "$PG_URL/-/ready" >/dev/null || { cat "$TRASH/pushgateway.err"; return 1; } &&
	for sut in shop team/api; do
		for i in 1 2; do
			{
				echo "<testsuite name=\"$sut$i\" timestamp=\"2026-11-01T0$i:00:00\">"
				echo "<testcase classname=\"tests/test_a.py\" name=\"t1\" time=\"0.25\"/>"
				for k in 2 3 4; do
					if [ $i = 2 ] && [ $k != 4 ]; then
						echo "<testcase classname=\"tests/test_a.py\" name=\"t$k\" time=\"0.5\"><failure message=\"boom $k\">tb</failure></testcase>"
					else
						echo "<testcase classname=\"tests/test_a.py\" name=\"t$k\" time=\"0.5\"/>"
					fi
				done
				echo "</testsuite>"
			} >s.xml &&
			env GITLAB_CI=true CI_COMMIT_SHA=0123456789abcdef0123456789abcdef01234567 \
				CI_COMMIT_BRANCH=main CI_PIPELINE_URL=https://ci.example/p/7 \
				"$INSIGHT_BIN" -q session import --sut $sut s.xml >/dev/null || return 1
		done
	done &&
	cat >"$INSIGHT_CONFIG" <<-EOF &&
	[notify "teams"]
		type = teams
		url-env = TEAMS_URL
		on = new-failures
	[notify "gateway"]
		type = pushgateway
		url = $PG_URL
	EOF
	chmod 600 "$INSIGHT_CONFIG"
'

test_expect_success 'teams: one card in the Workflows envelope; the gateway gets the SUT' '
	insight notify --session latest --explain -vv >out 2>err &&
	test_grep "delivered: teams, gateway" err &&
	test_grep "^gateway (pushgateway): fires on always$" out &&
	test_must_fail grep -F T3amsS1gnatureMustNeverLeak out err &&
	test "$(server_count "r[\"path\"].startswith(\"/workflows/\")")" = 1 &&
	"$INSIGHT_PYTHON" - "$SERVER_LOG" <<-\EOF
	import json, sys
	r = [json.loads(l) for l in open(sys.argv[1])][-1]
	m = json.loads(r["body"])
	assert m["type"] == "message" and len(m["attachments"]) == 1
	a = m["attachments"][0]
	assert a["contentType"] == "application/vnd.microsoft.card.adaptive" and a["contentUrl"] is None
	c = a["content"]
	assert c["type"] == "AdaptiveCard" and c["version"] == "1.4"
	assert c["$schema"] == "http://adaptivecards.io/schemas/adaptive-card.json"
	texts = [b.get("text") for b in c["body"] if b["type"] == "TextBlock"]
	assert texts[0] == "insight: team/api on main @ 0123456789ab", texts
	assert "New failures (2)" in texts, texts
	assert "- tests/test\\_a.py::t2: boom 2" in texts and "- tests/test\\_a.py::t3: boom 3" in texts, texts
	facts = {f["title"]: f["value"] for b in c["body"] if b["type"] == "FactSet" for f in b["facts"]}
	assert facts["Branch"] == "main" and facts["New failures"] == "2" and facts["SUT"] == "team/api", facts
	assert c["actions"] == [{"type": "Action.OpenUrl", "title": "CI run", "url": "https://ci.example/p/7"}]
	EOF
'

test_expect_success 'the card reads as Adaptive Card 1.4 in Microsoft'"'"'s library and passes the Adaptive Card JSON schema' '
	test -d "$NODE_MODULES/adaptivecards" || { echo "run scripts/setup-deps"; return 1; } &&
	test -d "$NODE_MODULES/adaptivecards-designer" || { echo "run scripts/setup-deps"; return 1; } &&
	NODE_PATH="$NODE_MODULES" node "$INSIGHT_SRCDIR/tests/node/check-adaptive-card.js" "$SERVER_LOG" >cards.out ||
		{ cat cards.out; return 1; } &&
	test_grep "^ok card 1: .*, valid against the schema$" cards.out
'

test_expect_success 'the schema check catches a card that breaks it' '
	"$INSIGHT_PYTHON" - "$SERVER_LOG" <<-\EOF >broken.jsonl &&
	import json, sys
	for line in open(sys.argv[1]):
	    r = json.loads(line)
	    if r["method"] == "POST" and r["path"].startswith("/workflows/"):
	        env = json.loads(r["body"])
	        env["attachments"][0]["content"]["body"][0]["weight"] = "heavy"
	        r["body"] = json.dumps(env)
	        print(json.dumps(r))
	        break
	EOF
	test_line_count = 1 broken.jsonl &&
	test_must_fail env NODE_PATH="$NODE_MODULES" node "$INSIGHT_SRCDIR/tests/node/check-adaptive-card.js" broken.jsonl >cards.out &&
	test_grep "^card 1: .*schema: /body/0/weight must be equal to one of the allowed values" cards.out
'

test_expect_success 'the Pushgateway shows the values insight computed, under a base64 grouping key' '
	insight notify --session latest --route gateway --force 2>err &&
	curl -s --noproxy "*" "$PG_URL/metrics" >metrics &&
	grep "^insight_" metrics | grep "sut=\"team/api\"" >got &&
	test_grep "^insight_new_failures{.*job=\"insight\".*sut=\"team/api\"} 2$" got &&
	test_grep "^insight_tests{.*outcome=\"failed\".*} 2$" got &&
	test_grep "^insight_tests{.*outcome=\"passed\".*} 2$" got &&
	test_grep "^insight_sessions_total{.*} 2$" got &&
	curl -s --noproxy "*" "$PG_URL/api/v1/metrics" >groups.json &&
	"$INSIGHT_PYTHON" -c "import json,sys; d=json.load(open(sys.argv[1])); ls=[g[\"labels\"] for g in d[\"data\"]]; assert {\"job\": \"insight\", \"sut\": \"team/api\"} in ls, ls" groups.json
'

test_expect_success 'the PUT path: job and SUT, base64 for a value with a slash' '
	insight notify --session latest --route gateway --force --dry-run >out 2>err &&
	test_grep "^PUT \*\*\*/metrics/job/insight/sut@base64/dGVhbS9hcGk=$" out &&
	test_grep "^Content-Type: text/plain; version=0.0.4; charset=utf-8$" out &&
	insight notify --session latest --route gateway --force -vv 2>err &&
	test_grep "< HTTP.* 200\|< 200" err
'

test_expect_success 'a plain SUT name is a plain path; the job comes from the route' '
	printf "\tjob = nightly\n" >>"$INSIGHT_CONFIG" &&
	insight notify --session "$(insight session list --sut shop --format json | json_get /dev/stdin "d[\"tables\"][\"sessions\"][\"rows\"][0][\"id\"]")" --route gateway 2>err &&
	test_grep "delivered: gateway" err &&
	curl -s --noproxy "*" "$PG_URL/api/v1/metrics" >groups.json &&
	"$INSIGHT_PYTHON" -c "import json,sys; d=json.load(open(sys.argv[1])); ls=[g[\"labels\"] for g in d[\"data\"]]; assert {\"job\": \"nightly\", \"sut\": \"shop\"} in ls, ls" groups.json
'

test_expect_success 'an Office 365 connector URL is refused, saying what to use' '
	TEAMS_URL=https://contoso.webhook.office.com/webhookb2/abc@def/IncomingWebhook/123/456 \
		test_must_fail --exit 5 insight notify --route teams --force 2>err &&
	test_grep "not delivered: teams (notify.teams: an Office 365 connector URL; Microsoft retired connectors: make a Workflows webhook" err &&
	test_must_fail grep IncomingWebhook err
'

test_expect_success 'a Teams error is not delivered, with the reason' '
	server_faults "[{\"match\": \"POST /workflows/\", \"kind\": \"status\", \"status\": 400, \"body\": {\"error\": {\"code\": \"InvalidRequestContent\", \"message\": \"bad card\"}}}]" &&
	test_must_fail --exit 5 insight notify --route teams --force 2>err &&
	test_grep "not delivered: teams (Teams answered 400: " err
'

# Markdown in what a card names: a history of its own, whose new failure a
# jira route (the contract server's Jira) files first, so that the card links
# its issue.
NOTIFY_URL=$SERVER_URL NOTIFY_LOG=$SERVER_LOG
start_contract_server jira --option token=jiraT0ken --option user=ci@example.com || exit 1
JIRA_URL=$SERVER_URL

test_expect_success 'teams: Markdown in names and messages arrives escaped; the Jira link stays a link' '
	case="<testcase classname=\"tests/test_b.py\" name=\"test_x[__init__-*]\""
	echo "<testsuite name=\"md1\" timestamp=\"2026-11-02T01:00:00\">$case/></testsuite>" >md1.xml &&
	echo "<testsuite name=\"md2\" timestamp=\"2026-11-02T02:00:00\">$case><failure message=\"1. assert a*b == c*d, see [docs](evil.example/x)\">tb</failure></testcase></testsuite>" >md2.xml &&
	for i in 1 2; do
		env GITLAB_CI=true CI_COMMIT_SHA=0123456789abcdef0123456789abcdef01234567 \
			CI_COMMIT_BRANCH=fix/__x__ INSIGHT_DB="$TRASH/md.db" \
			"$INSIGHT_BIN" -q session import --sut "web_*ui*" md$i.xml >/dev/null || return 1
	done &&
	cat >md.config <<-EOF &&
	[notify "teams"]
		type = teams
		url = $NOTIFY_URL/workflows/md
	[notify "file"]
		type = jira
		url = $JIRA_URL
		project = SHOP
		user = ci@example.com
		token-env = JIRA_TOKEN
	EOF
	JIRA_TOKEN=jiraT0ken INSIGHT_DB="$TRASH/md.db" insight --config md.config notify 2>err &&
	test_grep "delivered: file (1 created, 0 commented), teams$" err &&
	"$INSIGHT_PYTHON" - "$NOTIFY_LOG" "$JIRA_URL" <<-\EOF &&
	import json, sys
	r = [json.loads(l) for l in open(sys.argv[1])][-1]
	assert r["path"] == "/workflows/md", r["path"]
	c = json.loads(r["body"])["attachments"][0]["content"]
	texts = [b.get("text") for b in c["body"] if b["type"] == "TextBlock"]
	assert texts[0] == r"insight: web\_\*ui\* on fix/\_\_x\_\_ @ 0123456789ab", texts[0]
	want = (r"- tests/test\_b.py::test\_x\[\_\_init\_\_-\*\]: 1\. assert a\*b == c\*d, "
	        r"see \[docs\]\(evil.example/x\) (Jira [SHOP-1](%s/browse/SHOP-1))" % sys.argv[2])
	assert want in texts, (want, texts)
	facts = {f["title"]: f["value"] for b in c["body"] if b["type"] == "FactSet" for f in b["facts"]}
	assert facts["SUT"] == r"web\_\*ui\*" and facts["Branch"] == r"fix/\_\_x\_\_", facts
	open("item.md", "w").write(want)
	EOF
	NODE_PATH="$NODE_MODULES" node "$INSIGHT_SRCDIR/tests/node/render-md.js" item.md >item.html &&
	cat >expect <<-EOF &&
	<ul>
	<li>tests/test_b.py::test_x[__init__-*]: 1. assert a*b == c*d, see [docs](evil.example/x) (Jira <a href="$JIRA_URL/browse/SHOP-1">SHOP-1</a>)</li>
	</ul>
	EOF
	test_cmp expect item.html &&
	NODE_PATH="$NODE_MODULES" node "$INSIGHT_SRCDIR/tests/node/check-adaptive-card.js" "$NOTIFY_LOG" >cards.out ||
		{ cat cards.out; return 1; }
'

test_done
