#!/bin/bash
# t0005-net-on-demand - libcurl and libpq, like libgit2 (t0004), are loaded
# by the commands that use them, not at start-up: the binary is not linked
# against them, so the commands that never go on the network do not map
# them and everything they bring (TLS, Kerberos, LDAP, SSH). A command that
# needs one loads it by its soname; when it cannot be loaded, that command
# fails with one line that names the library, and the others work as ever.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/server-lib.sh"

export INSIGHT_DB="$TRASH/h.db"
ZY_TOKEN=eyJ0eXAiOiJKV1QifQ.ondemand.NeverLeak4321

test_expect_success 'setup: a session with a Zephyr Scale test case' '
	printf "%s\n" "<testsuite name=\"s\">" \
		"<testcase classname=\"tests.test_a\" name=\"test_login_SHOP-T12\" time=\"1\"/>" \
		"<testcase classname=\"tests.test_a\" name=\"test_plain\" time=\"1\"/></testsuite>" \
		>r.xml &&
	insight -q session import --sut shop r.xml
'

test_expect_success 'the binary links neither libcurl nor libpq' '
	ldd "$INSIGHT_BIN" >libs &&
	test_grep "libsqlite3\.so" libs &&
	test_grep -v "libcurl" libs &&
	test_grep -v "libpq" libs
'

test_expect_success '--version, session import and session list load neither' '
	for cmd in "--version" "-q session import --force --sut shop r.xml" \
		   "session list --limit 1"; do
		LD_DEBUG=files insight $cmd >out 2>trace &&
		test_grep "file=libc\.so" trace &&
		test_grep -v "libcurl" trace &&
		test_grep -v "libpq" trace || return 1
	done
'

start_contract_server zephyr --option token=$ZY_TOKEN || exit 1

zephyr() {
	env INSIGHT_NET_TIME_SCALE=0.001 INSIGHT_NET_RETRIES=0 ZEPHYR_API_TOKEN=$ZY_TOKEN \
		INSIGHT_PUBLISH_ZEPHYR_URL="$SERVER_URL/v2" INSIGHT_PUBLISH_ZEPHYR_PROJECT_KEY=SHOP \
		"$@"
}

test_expect_success 'publish loads libcurl on its first request, and delivers' '
	LD_DEBUG=files zephyr "$INSIGHT_BIN" publish zephyr >out 2>trace &&
	test_grep "^zephyr: delivered 1 of 1 results" out &&
	test_grep "file=libcurl\.so.*dynamically loaded by" trace &&
	test_grep -v "libpq" trace &&
	sed -n "s/.*file=\(libcurl\.so[.0-9]*\) .*/\1/p" trace | sed 1q >curl-soname &&
	test -s curl-soname &&
	test "$(server_count "r[\"method\"] == \"POST\"")" -ge 1
'

# A library that cannot be loaded: an empty file by the same soname, found first.
test_expect_success 'without libcurl, publish fails with one line that names it' '
	mkdir broken && : >"broken/$(cat curl-soname)" &&
	posts=$(server_count "r[\"method\"] == \"POST\"") &&
	test_must_fail --exit 5 zephyr env LD_LIBRARY_PATH="$TRASH/broken" \
		"$INSIGHT_BIN" publish zephyr >out 2>err &&
	cat out err >all &&
	test_grep "HTTP support is unavailable: cannot load $(cat curl-soname)" all &&
	test "$(grep -c "unavailable" all)" = 1 &&
	test "$(server_count "r[\"method\"] == \"POST\"")" = "$posts"
'

test_expect_success 'without libcurl, the commands off the network still work' '
	LD_LIBRARY_PATH="$TRASH/broken" insight -q session import --force --sut shop r.xml &&
	LD_LIBRARY_PATH="$TRASH/broken" insight session list >out &&
	test "$(grep -c "shop" out)" = 3
'

test_expect_success 'push to a PostgreSQL remote loads libpq, and says why it cannot connect' '
	insight remote add origin "postgresql://127.0.0.1:1/insight?connect_timeout=2" &&
	LD_DEBUG=files test_must_fail insight push origin >out 2>trace &&
	test_grep "file=libpq\.so.*dynamically loaded by" trace &&
	test_grep "^insight: cannot connect to remote .origin." trace &&
	sed -n "s/.*file=\(libpq\.so[.0-9]*\) .*/\1/p" trace | sed 1q >pq-soname &&
	test -s pq-soname
'

test_expect_success 'without libpq, push fails with one line that names it' '
	: >"broken/$(cat pq-soname)" &&
	LD_LIBRARY_PATH="$TRASH/broken" test_must_fail insight push origin >out 2>err &&
	test_line_count = 1 err &&
	test_grep "^insight: PostgreSQL support is unavailable: cannot load $(cat pq-soname)" err
'

test_expect_success 'no output holds the token' '
	! grep -r "$ZY_TOKEN" --exclude="server-*" . 
'

test_done
