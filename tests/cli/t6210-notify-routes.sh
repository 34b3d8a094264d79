#!/bin/bash
# t6210-notify-routes - insight notify over a scripted history (a failure, a
# second one while the first still fails, a fix and a flaky test, the first
# failing again): exactly the expected messages per route (Slack incoming
# webhooks and the generic webhook, against the contract server), --explain
# saying why, dedup and min-interval kept in the history, --force, --dry-run,
# retries on 5xx and 429, the HMAC recomputed, Block Kit's limits, route
# errors naming the key, and the secrets kept out of every output, trace
# and the history.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/server-lib.sh"

export INSIGHT_DB="$TRASH/h.db" INSIGHT_NET_TIME_SCALE=0.001
export INSIGHT_CONFIG="$TRASH/routes.config"
HOOK_KEY=whsec_n0tifyS1gningKeyThatMustNeverLeak
SECRETS="T0TEAMHOOKSECRET4242 T0FLAKYHOOKSECRET777 T0RELEASESECRET999 $HOOK_KEY"

# mk FILE HOUR t1=pass t2=fail t3=flaky ...: a JUnit report started at 2026-11-01THOUR:00
mk() {
	f=$1 h=$2
	shift 2
	{
		echo "<testsuite name=\"$f\" timestamp=\"2026-11-01T$h:00:00\">"
		for kv in "$@"; do
			n=${kv%%=*} o=${kv#*=}
			case $o in
			pass) echo "<testcase classname=\"tests/test_a.py\" name=\"$n\" time=\"0.1\"/>" ;;
			fail) echo "<testcase classname=\"tests/test_a.py\" name=\"$n\" time=\"0.1\"><failure message=\"assert $n == 0&#10;second line\">tb $n</failure></testcase>" ;;
			flaky) echo "<testcase classname=\"tests/test_a.py\" name=\"$n\" time=\"0.1\"><flakyFailure message=\"timing\"/></testcase>" ;;
			esac
		done
		echo "</testsuite>"
	} >"$f.xml"
}

# import FILE: stored as a GitLab pipeline on main
import() {
	env GITLAB_CI=true CI_COMMIT_SHA=0123456789abcdef0123456789abcdef01234567 \
		CI_COMMIT_BRANCH=main CI_PIPELINE_URL=https://ci.example/p/7 \
		"$INSIGHT_BIN" -q session import --sut "${SUT:-shop}" "$1.xml" >/dev/null
}

# notify_at HH:MM [options]: notify at that time of 2026-11-01 (the clock of min-interval)
notify_at() {
	at=$1
	shift
	INSIGHT_NOW="2026-11-01T$at:00Z" "$INSIGHT_BIN" notify "$@"
}

# messages: the requests recorded since the last call, one line each:
# "ROUTE EVENTS: NEW a,b; FIXED c; FLAKY d" (Slack routes by their hook path)
: >"$TRASH/seen"
messages() {
	"$INSIGHT_PYTHON" - "$SERVER_LOG" "$TRASH/seen" <<-\EOF
	import json, re, sys
	reqs = [json.loads(l) for l in open(sys.argv[1])]
	reqs = [r for r in reqs if r["method"] == "POST"]
	seen = int(open(sys.argv[2]).read() or 0)
	names = {"T0TEAMHOOKSECRET4242": "team", "T0FLAKYHOOKSECRET777": "flaky",
	         "T0RELEASESECRET999": "release"}
	for r in reqs[seen:]:
	    body = json.loads(r["body"])
	    lists = {}
	    if r["path"].startswith("/services/"):
	        route = names[r["path"].rsplit("/", 1)[1]]
	        events = "-"
	        for b in body["blocks"]:
	            t = b.get("text", {}).get("text", "")
	            m = re.match(r"\*(New failures|Fixed|Newly flaky) \(\d+\)\*", t)
	            if m:
	                key = {"New failures": "NEW", "Fixed": "FIXED", "Newly flaky": "FLAKY"}[m.group(1)]
	                lists[key] = re.findall(r"`tests/test_a.py::(\w+)`", t)
	    else:
	        # the body is the comparison; the events that fired say which lists it announces
	        route = r["headers"]["X-Insight-Route"]
	        events = r["headers"]["X-Insight-Event"]
	        t = body["tables"]
	        for key, k, ev in (("NEW", "new_failures", "new-failures"), ("FIXED", "fixed", "fixed"),
	                           ("FLAKY", "flaky", "flaky-new")):
	            rows = t[k]["rows"] if k in t else []
	            if ev in events.split(",") and rows:
	                lists[key] = [x["nodeid"].split("::")[1] for x in rows]
	    print("%s %s: %s" % (route, events, "; ".join("%s %s" % (k, ",".join(v)) for k, v in lists.items())))
	open(sys.argv[2], "w").write(str(len(reqs)))
	EOF
}

# no_secrets FILE...: none of the secrets is in the files
no_secrets() {
	for s in $SECRETS; do
		if grep -a -l -F "$s" "$@"; then
			echo "a secret leaked: $s" >&2
			return 1
		fi
	done
}

start_contract_server notify --option secret=$HOOK_KEY || exit 1
export SLACK_TEAM="$SERVER_URL/services/T0/B1/T0TEAMHOOKSECRET4242"
export SLACK_FLAKY="$SERVER_URL/services/T0/B2/T0FLAKYHOOKSECRET777"
export SLACK_RELEASE="$SERVER_URL/services/T0/B3/T0RELEASESECRET999"
export HOOK_URL="$SERVER_URL/hook/shop" HOOK_SECRET=$HOOK_KEY

cat >"$INSIGHT_CONFIG" <<EOF
[notify "team"]
	type = slack
	url-env = SLACK_TEAM
	on = new-failures, fixed
	branch = main
[notify "flaky"]
	type = slack
	url-env = SLACK_FLAKY
	on = flaky-new
	sut = shop*
[notify "hook"]
	type = webhook
	url-env = HOOK_URL
	secret-env = HOOK_SECRET
	on = new-failures, any-failure
	min-interval = 1h
	ci-only = true
[notify "release"]
	type = slack
	url-env = SLACK_RELEASE
	on = always
	branch = release/*
[notify "api"]
	type = webhook
	url = $SERVER_URL/hook/api
	sut = api*
	on = always
EOF
chmod 600 "$INSIGHT_CONFIG"

test_expect_success 'the first session, all passing: no route fires, --explain says why' '
	mk s1 01 t1=pass t2=pass t3=pass t4=pass && import s1 &&
	notify_at 12:00 --explain >out 2>err &&
	test_grep "skipped: team (nothing to announce), flaky (nothing to announce), hook (nothing to announce), release (nothing to announce), api (nothing to announce)" err &&
	cat >expect <<-\EOF &&
	team (slack): does not fire
	  new-failures: none
	  fixed: none
	flaky (slack): does not fire
	  flaky-new: none
	hook (webhook): does not fire
	  new-failures: none
	  any-failure: 0 failing
	release (slack): does not fire
	  branch '"'"'main'"'"' does not match '"'"'release/*'"'"'
	api (webhook): does not fire
	  SUT '"'"'shop'"'"' does not match '"'"'api*'"'"'
	EOF
	test_cmp expect out &&
	test "$(server_count)" = 0
'

test_expect_success 'a new failure: one message on team and on hook' '
	mk s2 02 t1=fail t2=pass t3=pass t4=pass && import s2 &&
	notify_at 12:01 --explain >out 2>err &&
	test_grep "delivered: team, hook; skipped: flaky (nothing to announce), release (nothing to announce), api (nothing to announce)" err &&
	test_grep "^team (slack): fires on new-failures$" out &&
	test_grep "^  new-failures: 1 to announce (tests/test_a.py::t1)$" out &&
	test_grep "^hook (webhook): fires on new-failures, any-failure$" out &&
	messages >actual &&
	cat >expect <<-\EOF &&
	team -: NEW t1
	hook new-failures,any-failure: NEW t1
	EOF
	test_cmp expect actual
'

test_expect_success 'the same session again: nothing is sent twice' '
	notify_at 12:02 --explain >out 2>err &&
	test_grep "^  new-failures: 0 to announce; 1 announced before on this route and branch$" out &&
	test_grep "^  any-failure: held back: a message was sent for this session already$" out &&
	test_grep "skipped: team (nothing to announce), flaky" err &&
	messages >actual && test_must_fail test -s actual
'

test_expect_success 'a second failure while the first still fails: only it is new; min-interval holds any-failure' '
	mk s3 03 t1=fail t2=fail t3=pass t4=pass && import s3 &&
	notify_at 12:10 --explain >out 2>err &&
	test_grep "^  any-failure: held back: min-interval 1h, the last message went 9m ago$" out &&
	messages >actual &&
	cat >expect <<-\EOF &&
	team -: NEW t2
	hook new-failures: NEW t2
	EOF
	test_cmp expect actual
'

test_expect_success 'a fix and a flaky test: the fix on team, the flaky test on flaky; hook holds back' '
	mk s4 04 t1=pass t2=fail t3=flaky t4=pass && import s4 &&
	notify_at 12:20 --explain >out 2>err &&
	test_grep "^hook (webhook): does not fire$" out &&
	messages >actual &&
	cat >expect <<-\EOF &&
	team -: FIXED t1
	flaky -: FLAKY t3
	EOF
	test_cmp expect actual
'

test_expect_success '--dry-run prints the requests, sends and records nothing' '
	mk s5 05 t1=fail t2=fail t3=flaky t4=pass && import s5 &&
	notify_at 13:30 --dry-run >out 2>err &&
	test_grep "^POST \*\*\*$" out &&
	test_grep "^X-Insight-Signature-256: \*\*\*$" out &&
	test_grep "skipped: team (dry run), flaky (nothing to announce), hook (dry run)" err &&
	test "$(server_count "r[\"method\"] == \"POST\"")" = 6 &&
	test "$(sqlite3 h.db "SELECT count(*) FROM notify_sent")" = 6 &&
	no_secrets out err
'

test_expect_success 'failing again after its fix: announced again; a Slack error is not recorded' '
	server_faults "[{\"match\": \"POST /services/T0/B1/\", \"kind\": \"status\", \"status\": 404}]" &&
	test_must_fail --exit 5 notify_at 13:30 >out 2>err &&
	test_grep "not delivered: team (Slack answered 404: no_service)" err &&
	test_grep "delivered: hook" err &&
	notify_at 13:30 >out 2>err &&
	test_grep "delivered: team; skipped: flaky (nothing to announce), hook (nothing to announce)" err &&
	messages >actual &&
	cat >expect <<-\EOF &&
	team -: NEW t1
	hook new-failures,any-failure: NEW t1
	team -: NEW t1
	EOF
	test_cmp expect actual
'

test_expect_success '--force sends again what dedup holds back (the new failures, not those still failing), on the route asked for' '
	notify_at 13:30 --force --route team --explain >out 2>err &&
	test_grep "^  new-failures: 1 to announce (tests/test_a.py::t1) (--force)$" out &&
	test_must_fail test_grep "^hook" out &&
	messages >actual &&
	echo "team -: NEW t1" >expect &&
	test_cmp expect actual
'

test_expect_success 'the webhook: the compare document itself, signature recomputed, headers' '
	"$INSIGHT_PYTHON" - "$SERVER_LOG" "$HOOK_KEY" <<-\EOF &&
	import hashlib, hmac, json, re, sys
	reqs = [json.loads(l) for l in open(sys.argv[1])]
	hooks = [r for r in reqs if r["path"] == "/hook/shop"]
	assert len(hooks) == 3, len(hooks)
	with open("hooks.txt", "w") as out:
	    for i, r in enumerate(hooks):
	        h = r["headers"]
	        want = "sha256=" + hmac.new(sys.argv[2].encode(), r["body"].encode(), hashlib.sha256).hexdigest()
	        assert h["X-Insight-Signature-256"] == want, (h, want)
	        assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", h["X-Insight-Delivery"])
	        assert h["Content-Type"] == "application/json" and h["User-Agent"].startswith("insight/")
	        assert h["X-Insight-Route"] == "hook" and h["X-Insight-CI-Run"] == "https://ci.example/p/7", h
	        assert "X-Insight-Report" not in h and "X-Insight-Pull-Request" not in h, h
	        b = json.loads(r["body"])
	        assert b["schema"] == "insight.analytics.compare" and b["schema_version"] == 1, b["schema"]
	        assert b["facts"]["base_mode"] == "session" and b["facts"]["target_mode"] == "session"
	        assert b["facts"]["target"] == "session " + h["X-Insight-Session"][:12], b["facts"]
	        open("hook%d.json" % i, "w").write(r["body"])
	        out.write("%d %s %s\n" % (i, b["facts"]["base"].split()[1], h["X-Insight-Session"]))
	assert len({r["headers"]["X-Insight-Delivery"] for r in hooks}) == 3
	EOF
	while read -r i base target; do
		insight analytics compare --base "$base" --target "$target" --mode session --sut shop \
			--format json >cmp$i.json &&
		test_cmp cmp$i.json hook$i.json || return 1
	done <hooks.txt &&
	test_line_count = 3 hooks.txt
'

test_expect_success 'the Slack message: header, counts, the commit, the CI run, a text fallback' '
	"$INSIGHT_PYTHON" - "$SERVER_LOG" <<-\EOF
	import json, sys
	reqs = [json.loads(l) for l in open(sys.argv[1])]
	s = [json.loads(r["body"]) for r in reqs if r["path"].startswith("/services/T0/B1/")][0]
	assert s["text"].startswith("insight: shop on main @ 0123456789ab: 4 tests: 3 passed, 1 failed (1 new)"), s["text"]
	b = s["blocks"]
	assert b[0] == {"type": "header", "text": {"type": "plain_text", "text": "insight: shop on main @ 0123456789ab"}}, b[0]
	assert b[1]["text"]["text"].startswith("4 tests: 3 passed, 1 failed (1 new)"), b[1]
	assert b[2]["text"]["text"] == "*New failures (1)*\n\u2022 `tests/test_a.py::t1` \u2014 `assert t1 == 0`", b[2]
	assert b[-1] == {"type": "context", "elements": [{"type": "mrkdwn", "text": "<https://ci.example/p/7|CI run>"}]}, b[-1]
	EOF
'

test_expect_success 'dedup state and messages are in the history, after a migration of its own' '
	test "$(sqlite3 h.db "PRAGMA user_version")" = 10 &&
	sqlite3 h.db "SELECT route, branch, kind, state, nodeid FROM notify_seen ORDER BY route, kind, nodeid" >actual &&
	cat >expect <<-\EOF &&
	flaky|main|flaky|flaky|tests/test_a.py::t3
	hook|main|failure|failing|tests/test_a.py::t1
	hook|main|failure|failing|tests/test_a.py::t2
	team|main|failure|failing|tests/test_a.py::t1
	team|main|failure|failing|tests/test_a.py::t2
	EOF
	test_cmp expect actual &&
	sqlite3 h.db "SELECT route, events FROM notify_sent ORDER BY id" >actual &&
	cat >expect <<-\EOF &&
	team|new-failures
	hook|new-failures,any-failure
	team|new-failures
	hook|new-failures
	team|fixed
	flaky|flaky-new
	hook|new-failures,any-failure
	team|new-failures
	team|new-failures
	EOF
	test_cmp expect actual
'

test_expect_success 'retries: the webhook after two 502s (one delivery id), Slack after a 429 with Retry-After' '
	server_faults "[{\"match\": \"POST /hook/shop\", \"kind\": \"status\", \"status\": 502, \"times\": 2},
		{\"match\": \"POST /services/T0/B1/\", \"kind\": \"status\", \"status\": 429, \"headers\": {\"Retry-After\": \"2\"}}]" &&
	n=$(server_count) &&
	notify_at 13:30 --force --route hook -vv >out 2>err &&
	test_grep "delivered: hook" err &&
	server_requests "r[\"path\"] == \"/hook/shop\"" | tail -n 3 >reqs && test_line_count = 3 reqs &&
	"$INSIGHT_PYTHON" -c "import json,sys; r=[json.loads(l) for l in open(sys.argv[1])][-3:]; assert len({x[\"headers\"][\"X-Insight-Delivery\"] for x in r}) == 1" "$SERVER_LOG" &&
	curl -s "$SERVER_URL/__deliveries" >ids &&
	"$INSIGHT_PYTHON" -c "import json,sys; d=json.load(open(sys.argv[1])); assert len(d) == len(set(d)) == 4, d" ids &&
	no_secrets out err &&
	notify_at 13:30 --force --route team -vv >out 2>err &&
	test_grep "delivered: team" err &&
	test "$(server_count "r[\"path\"].startswith(\"/services/T0/B1/\")")" = 8 &&
	grep -i "retry-after: 2" err &&
	no_secrets out err &&
	messages >/dev/null
'

test_expect_success 'Block Kit limits: 40 new failures with long messages stay within a section' '
	long=$(printf "x%.0s" $(seq 1 150)) &&
	{
		echo "<testsuite name=\"bulk1\" timestamp=\"2026-11-01T06:00:00\">"
		for i in $(seq 1 40); do echo "<testcase classname=\"tests/test_a.py\" name=\"b$i\"/>"; done
		echo "</testsuite>"
	} >b1.xml &&
	{
		echo "<testsuite name=\"bulk2\" timestamp=\"2026-11-01T07:00:00\">"
		for i in $(seq 1 40); do echo "<testcase classname=\"tests/test_a.py\" name=\"b$i\"><failure message=\"$long &lt;b&gt; &amp;\">tb</failure></testcase>"; done
		echo "</testsuite>"
	} >b2.xml &&
	SUT=shopbulk import b1 && SUT=shopbulk import b2 &&
	notify_at 13:30 --route team >out 2>err &&
	test_grep "delivered: team" err &&
	"$INSIGHT_PYTHON" - "$SERVER_LOG" <<-\EOF
	import json, sys
	r = [json.loads(l) for l in open(sys.argv[1]) if "/services/T0/B1/" in l][-1]
	s = json.loads(r["body"])
	blocks = s["blocks"]
	assert len(blocks) <= 50
	news = [b for b in blocks if b.get("text", {}).get("text", "").startswith("*New failures (40)*")][0]
	t = news["text"]["text"]
	assert len(t) <= 3000, len(t)
	shown = t.count("\u2022")
	assert 1 <= shown <= 10 and t.endswith("\nand %d more" % (40 - shown)), t[-40:]
	assert "&lt;b&gt; &amp;" in t and "<b>" not in t
	EOF
'

test_expect_success 'a route that does not read is one error naming the key' '
	printf "[notify \"x\"]\n\ttype = slack\n\turl-env = A\n\ton = new-failure\n" >bad1 &&
	test_must_fail --exit 2 insight --config bad1 notify 2>err &&
	test_grep "^insight: notify.x.on in bad1: .new-failure. is not an event (new-failures, regressions, flaky-new, fixed, any-failure, always)$" err &&
	test_line_count = 1 err &&
	printf "[notify \"x\"]\n\ttype = webhook\n\turl-env = A\n\tchannel = c\n" >bad2 &&
	test_must_fail --exit 2 insight --config bad2 notify 2>err &&
	test_grep "^insight: notify.x.channel in bad2: not a key of a webhook route$" err &&
	printf "[notify \"x\"]\n\ttype = pager\n" >bad3 &&
	test_must_fail --exit 2 insight --config bad3 notify 2>err &&
	test_grep "^insight: notify.x.type in bad3: .pager. is not a route type" err &&
	printf "[notify \"x\"]\n\ttype = slack\n\tmin-interval = soon\n\turl-env = A\n" >bad4 &&
	test_must_fail --exit 2 insight --config bad4 notify 2>err &&
	test_grep "^insight: notify.x.min-interval in bad4: .soon. is not a duration" err &&
	printf "[notify \"x\"]\n\ttype = webhook\n" >bad5 &&
	test_must_fail --exit 2 insight --config bad5 notify 2>err &&
	test_grep "^insight: notify.x: a webhook route needs url or url-env$" err &&
	test_must_fail --exit 2 insight notify --route nope 2>err &&
	test_grep "^insight: --route: no route .nope. (routes: team, flaky, hook, release, api)$" err &&
	printf "[core]\n" >none &&
	test_must_fail --exit 2 insight --config none notify 2>err &&
	test_grep "no notify routes" err
'

test_expect_success 'a route whose variable is unset is not delivered, saying what to set' '
	SLACK_TEAM= test_must_fail --exit 5 notify_at 13:30 --route team --force 2>err &&
	test_grep "not delivered: team (no notify.team.url: set SLACK_TEAM" err
'

test_expect_success 'completion offers the routes of the configuration for --route' '
	insight __complete notify --route "" >out &&
	test_grep "^team	slack$" out && test_grep "^hook	webhook$" out && test_grep "^api	webhook$" out &&
	insight __complete notify --route fl >out &&
	test_grep "^flaky	slack$" out && test_must_fail test_grep "^team" out
'

test_expect_success 'the secrets are nowhere in the history' '
	for f in h.db h.db-wal; do
		if [ -f "$f" ]; then no_secrets "$f" || return 1; fi
	done
'

test_done
