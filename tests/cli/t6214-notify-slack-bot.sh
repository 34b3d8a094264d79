#!/bin/bash
# t6214-notify-slack-bot - a slack route with a bot token: chat.postMessage
# to the route's channel on the contract server, the first message about a
# commit opening a thread that later messages about the same commit join, a
# new commit a new thread; Slack's {"ok": false} answers not delivered; the
# token kept out of every output and the history.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/server-lib.sh"

export INSIGHT_DB="$TRASH/h.db" INSIGHT_CONFIG="$TRASH/routes.config" INSIGHT_NET_TIME_SCALE=0.001
TOKEN=xoxb-b0tT0kenThatMustNeverLeak

start_contract_server notify --option bot_token=$TOKEN --option channel=C0SHOP || exit 1
export SLACK_BOT_TOKEN=$TOKEN

# session N COMMIT OUTCOMES...: import a session of shop on main at COMMIT
session() {
	n=$1 commit=$2
	shift 2
	{
		echo "<testsuite name=\"s$n\" timestamp=\"2026-11-01T0$n:00:00\">"
		for kv in "$@"; do
			t=${kv%%=*}
			case ${kv#*=} in
			pass) echo "<testcase classname=\"tests/test_a.py\" name=\"$t\"/>" ;;
			fail) echo "<testcase classname=\"tests/test_a.py\" name=\"$t\"><failure message=\"$t broke\">tb</failure></testcase>" ;;
			esac
		done
		echo "</testsuite>"
	} >s$n.xml &&
	env GITLAB_CI=true CI_COMMIT_SHA=$commit CI_COMMIT_BRANCH=main \
		"$INSIGHT_BIN" -q session import --sut shop s$n.xml >/dev/null
}

A=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
B=bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb

# posts: "thread_ts|text" of each chat.postMessage recorded, in order
posts() {
	"$INSIGHT_PYTHON" - "$SERVER_LOG" <<-\EOF
	import json, sys
	for l in open(sys.argv[1]):
	    r = json.loads(l)
	    if r["path"] == "/api/chat.postMessage":
	        b = json.loads(r["body"])
	        assert r["headers"]["Authorization"].startswith("Bearer ")
	        print("%s|%s|%s" % (b["channel"], b.get("thread_ts", "-"), b["text"].split(":")[1].strip()))
	EOF
}

test_expect_success 'setup: a bot route' '
	cat >"$INSIGHT_CONFIG" <<-EOF &&
	[notify "bot"]
		type = slack
		token-env = SLACK_BOT_TOKEN
		channel = C0SHOP
		url = $SERVER_URL/api
		on = new-failures, fixed
	EOF
	chmod 600 "$INSIGHT_CONFIG" &&
	session 1 $A t1=pass t2=pass t3=pass
'

test_expect_success 'messages about one commit share its thread; a new commit opens another' '
	session 2 $A t1=fail t2=pass t3=pass && insight notify -vv >out 2>err &&
	test_grep "delivered: bot$" err &&
	session 3 $A t1=fail t2=fail t3=pass && insight notify >out 2>err &&
	test_grep "delivered: bot (in the commit.s thread)" err &&
	session 4 $B t1=pass t2=fail t3=pass && insight notify >out 2>err &&
	test_grep "delivered: bot$" err &&
	session 5 $B t1=pass t2=fail t3=fail && insight notify >out 2>err &&
	posts >actual &&
	cat >expect <<-\EOF &&
	C0SHOP|-|shop on main @ aaaaaaaaaaaa
	C0SHOP|1764950400.000001|shop on main @ aaaaaaaaaaaa
	C0SHOP|-|shop on main @ bbbbbbbbbbbb
	C0SHOP|1764950400.000003|shop on main @ bbbbbbbbbbbb
	EOF
	test_cmp expect actual &&
	sqlite3 h.db "SELECT key, state FROM notify_seen WHERE kind = '"'"'thread'"'"' ORDER BY key" >actual &&
	printf "%s|1764950400.000001\n%s|1764950400.000003\n" $A $B >expect &&
	test_cmp expect actual
'

test_expect_success 'Slack saying ok: false is not delivered, with its error' '
	sed -i "s/channel = C0SHOP/channel = C0GONE/" "$INSIGHT_CONFIG" &&
	test_must_fail --exit 5 insight notify --force 2>err &&
	test_grep "not delivered: bot (Slack answered channel_not_found)" err &&
	SLACK_BOT_TOKEN=xoxb-wrongT0ken99 test_must_fail --exit 5 insight notify --force 2>err &&
	test_grep "not delivered: bot (Slack answered invalid_auth)" err
'

test_expect_success 'the token is in no output and not in the history' '
	insight notify --force --dry-run >out 2>err &&
	test_grep "^Authorization: Bearer \*\*\*$" out &&
	test_must_fail grep -F -e "$TOKEN" -e wrongT0ken out err &&
	test_must_fail grep -a -F "$TOKEN" h.db
'

test_expect_success 'a bot route without its channel, or with a webhook too, does not read' '
	printf "[notify \"b\"]\n\ttype = slack\n\ttoken-env = T\n" >bad &&
	test_must_fail --exit 2 insight --config bad notify 2>err &&
	test_grep "^insight: notify.b: a slack route with a bot token needs channel$" err &&
	printf "[notify \"b\"]\n\ttype = slack\n\ttoken-env = T\n\tchannel = C\n\turl-env = U\n" >bad &&
	test_must_fail --exit 2 insight --config bad notify 2>err &&
	test_grep "^insight: notify.b: give either url-env (an incoming webhook) or token-env and channel (a bot)$" err &&
	printf "[notify \"b\"]\n\ttype = slack\n\turl-env = U\n\tchannel = C\n" >bad &&
	test_must_fail --exit 2 insight --config bad notify 2>err &&
	test_grep "^insight: notify.b: channel goes with a bot token" err
'

test_done
