#!/bin/bash
# t6211-notify-email - insight notify to an email route, against a real SMTP
# server (Debian's aiosmtpd) started by the test on 127.0.0.1: a
# multipart/alternative message with a plain text part and the comparison's
# HTML as analytics compare --format html gives it, RFC 5322 headers (Date,
# Message-ID, an RFC 2047 UTF-8 subject), several recipients, CRLF line
# endings, the links (the CI run, the report's page from
# INSIGHT_NOTIFY_REPORT_URL), the password sent to the server and kept out
# of every output and the history, and STARTTLS required by default.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/server-lib.sh"

export INSIGHT_DB="$TRASH/h.db" INSIGHT_CONFIG="$TRASH/routes.config"
PASSWORD=smtpPassw0rdThatMustNeverLeak

start_smtp mail --auth "ci@example.com:$PASSWORD" || exit 1
export SMTP_PASSWORD=$PASSWORD

test_expect_success 'setup: a session and one that breaks a test, on main' '
	for i in 1 2; do
		{
			echo "<testsuite name=\"s$i\" timestamp=\"2026-11-01T0$i:00:00\">"
			echo "<testcase classname=\"tests/test_a.py\" name=\"t1\"/>"
			if [ $i = 2 ]; then
				echo "<testcase classname=\"tests/test_a.py\" name=\"t2\"><failure message=\"expected é == ü\">tb</failure></testcase>"
			else
				echo "<testcase classname=\"tests/test_a.py\" name=\"t2\"/>"
			fi
			echo "</testsuite>"
		} >s$i.xml &&
		env GITLAB_CI=true CI_COMMIT_SHA=0123456789abcdef0123456789abcdef01234567 \
			CI_COMMIT_BRANCH=main CI_PIPELINE_URL=https://ci.example/p/7 \
			"$INSIGHT_BIN" -q session import --sut shop s$i.xml >/dev/null || return 1
	done &&
	cat >"$INSIGHT_CONFIG" <<-EOF &&
	[notify "mail"]
		type = email
		smtp-url = smtp://127.0.0.1:$SMTP_PORT
		starttls = off
		from = insight CI <ci@example.com>
		to = dev@example.com, qa@example.com
		to = Lead <lead@example.com>
		user = ci@example.com
		password-env = SMTP_PASSWORD
	EOF
	chmod 600 "$INSIGHT_CONFIG"
'

test_expect_success 'one message to three recipients, the password sent to the server' '
	INSIGHT_NOW=2026-11-01T12:00:00Z INSIGHT_NOTIFY_REPORT_URL="https://reports.example/{session}/" \
		insight notify -vv >out 2>err &&
	test_grep "delivered: mail" err &&
	test_must_fail grep -F "$PASSWORD" out err &&
	test "$(wc -l <"$SMTP_LOG")" = 1 &&
	json_get "$SMTP_LOG" "d[\"mail_from\"]" >actual &&
	echo ci@example.com >expect && test_cmp expect actual &&
	json_get "$SMTP_LOG" "\" \".join(d[\"rcpt_tos\"])" >actual &&
	echo "dev@example.com qa@example.com lead@example.com" >expect && test_cmp expect actual &&
	json_get "$SMTP_LOG" "\":\".join(d[\"auth\"])" >actual &&
	echo "ci@example.com:$PASSWORD" >expect && test_cmp expect actual
'

test_expect_success 'the message: headers, parts, CRLF, the subject in UTF-8' '
	insight analytics compare --base latest~1 --target latest --sut shop --format html >report.html &&
	"$INSIGHT_PYTHON" - "$SMTP_LOG" report.html <<-\EOF
	import base64, email, email.policy, json, re, sys
	rec = json.loads(open(sys.argv[1]).readline())
	raw = base64.b64decode(rec["data"])
	assert b"\n" not in raw.replace(b"\r\n", b""), "a bare LF"
	assert b"\r" not in raw.replace(b"\r\n", b""), "a bare CR"
	assert all(len(l) <= 998 for l in raw.split(b"\r\n"))
	head = raw.split(b"\r\n\r\n", 1)[0].decode("ascii")
	assert re.search(r"^Subject: =\?UTF-8\?B\?", head, re.M), head
	m = email.message_from_bytes(raw, policy=email.policy.default)
	assert m["Date"] == "Sun, 01 Nov 2026 12:00:00 +0000", m["Date"]
	assert re.fullmatch(r"<[0-9a-f-]{36}@example\.com>", m["Message-ID"]), m["Message-ID"]
	assert m["From"] == "insight CI <ci@example.com>", m["From"]
	assert [a.addr_spec for a in m["To"].addresses] == ["dev@example.com", "qa@example.com", "lead@example.com"]
	subj = str(m["Subject"])
	assert subj.startswith("[insight] shop on main: 2 tests: 1 passed, 1 failed (1 new); pass rate 100.0% \u2192 50.0%"), subj
	assert m["MIME-Version"] == "1.0"
	assert m.get_content_type() == "multipart/alternative"
	parts = list(m.iter_parts())
	assert [p.get_content_type() for p in parts] == ["text/plain", "text/html"]
	text = parts[0].get_content()
	assert "insight: shop on main @ 0123456789ab" in text, text
	assert "- tests/test_a.py::t2: expected \u00e9 == \u00fc" in text, text
	assert "CI run: https://ci.example/p/7" in text
	assert re.search(r"^Report: https://reports\.example/[0-9A-Z]{26}/\r?$", text, re.M), text
	assert parts[1].get_content() == open(sys.argv[2], encoding="utf-8").read(), "the HTML part is not the report"
	EOF
'

test_expect_success 'the history remembers it: the same session sends nothing more' '
	INSIGHT_NOW=2026-11-01T12:05:00Z insight notify >out 2>err &&
	test_grep "skipped: mail (nothing to announce)" err &&
	test "$(wc -l <"$SMTP_LOG")" = 1 &&
	test_must_fail grep -a -F "$PASSWORD" h.db
'

test_expect_success '--dry-run shows the envelope and the message, masked, and sends nothing' '
	insight notify --force --dry-run >out 2>err &&
	test_grep "^SMTP smtp://127.0.0.1:$SMTP_PORT$" out &&
	test_grep "^MAIL FROM:<ci@example.com>$" out &&
	test_grep "^RCPT TO:<lead@example.com>$" out &&
	test_grep "^Subject: =?UTF-8?B?" out &&
	test_must_fail grep -F "$PASSWORD" out err &&
	test "$(wc -l <"$SMTP_LOG")" = 1
'

test_expect_success 'STARTTLS is required by default: a server without it gets nothing' '
	sed "/starttls = off/d" "$INSIGHT_CONFIG" >strict.config &&
	test_must_fail --exit 5 insight --config strict.config notify --force 2>err &&
	test_grep "not delivered: mail (smtp://127.0.0.1:$SMTP_PORT: " err &&
	test "$(wc -l <"$SMTP_LOG")" = 1
'

test_expect_success 'a wrong password is not delivered, and says so without the password' '
	SMTP_PASSWORD=wrongPassw0rd12 test_must_fail --exit 5 insight notify --force 2>err &&
	test_grep "not delivered: mail (smtp://127.0.0.1:$SMTP_PORT: " err &&
	test_must_fail grep -F wrongPassw0rd12 err
'

test_expect_success 'an email route without its recipients does not read' '
	printf "[notify \"m\"]\n\ttype = email\n\tsmtp-url = smtp://127.0.0.1:25\n\tfrom = a@b\n" >bad &&
	test_must_fail --exit 2 insight --config bad notify 2>err &&
	test_grep "^insight: notify.m: an email route needs smtp-url, from and to$" err &&
	printf "[notify \"m\"]\n\ttype = email\n\tsmtp-url = http://x\n\tfrom = a@b\n\tto = c@d\n" >bad &&
	test_must_fail --exit 2 insight --config bad notify 2>err &&
	test_grep "^insight: notify.m.smtp-url in bad: .http://x. is not an smtp:// or smtps:// URL$" err &&
	printf "[notify \"m\"]\n\ttype = email\n\tsmtp-url = smtp://x\n\tfrom = a@b\n\tto = c@d\n\tstarttls = maybe\n" >bad &&
	test_must_fail --exit 2 insight --config bad notify 2>err &&
	test_grep "^insight: notify.m.starttls in bad: .maybe. is not required or off$" err
'

test_done
