#!/bin/bash
# t6010-net-retries - the network layer against the contract server, through
# the hidden `insight __http`: each fault of the server (429 with Retry-After
# as seconds or a date, GitHub's rate-limit reset, 502 twice, a slow answer
# past the timeout, a dropped connection, 401/403/404/422 bodies), the number
# of attempts and the waits requested (time scaled down with
# INSIGHT_NET_TIME_SCALE, so nothing sleeps the real amounts), POSTs that
# may have landed, the budget, the 50 MB cap, the CA bundle and proxies
# from the environment, dry runs, secrets masked everywhere, and exit 5.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/server-lib.sh"

export INSIGHT_NET_TIME_SCALE=0.001
REPO=/repos/octo/shop

# stat NAME: a number from the "http: status=... attempts=..." line in err.
nstat() {
	sed -n "s/^http: .*\b$1=\([0-9-]*\).*/\1/p" err
}

# The waits the trace says were requested, in ms, one a line.
waits() {
	sed -n 's/^insight: http: \* retry [0-9]* of [0-9]* in \([0-9.]*\) s .*/\1/p' err |
		awk '{ printf "%d\n", $1 * 1000 + 0.5 }'
}

# Servers are started here, outside the tests' subshells, so that the trap
# of server-lib.sh knows them: one with a token, one stopped at once (for a
# refused connection), and the one most tests use (SERVER_URL, SERVER_LOG).
start_contract_server github --option token=right-token-1234 || exit 1
AUTH_URL=$SERVER_URL
start_contract_server github || exit 1
CLOSED_URL=$SERVER_URL
stop_contract_server "$SERVER_PID"
# An HTTPS server with a certificate of its own, not in the system's bundle.
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=127.0.0.1 \
	-addext subjectAltName=IP:127.0.0.1 -keyout tls.key -out tls.pem 2>/dev/null || exit 1
start_contract_server github --tls-cert tls.pem --tls-key tls.key || exit 1
TLS_URL=$SERVER_URL
start_contract_server github --option comments=120 --option marker_at=117 || exit 1

test_expect_success 'a plain GET: one attempt, insight'"'"'s User-Agent, exit 0' '
	insight -vv __http GET "$SERVER_URL/echo?x=1" >out 2>err &&
	test "$(nstat attempts)" = 1 && test "$(nstat retries)" = 0 &&
	test_grep "\"user_agent\": \"insight/[0-9.]*\"" out &&
	test_grep "^insight: http: > GET $SERVER_URL/echo?x=1\$" err &&
	test_grep "^insight: http: < HTTP/1.1 200 OK" err &&
	test_grep "^insight: delivered: request" err
'

test_expect_success '502 twice, then success: three attempts, backoff within 1 s then 2 s' '
	: >"$SERVER_LOG" &&
	server_faults "[{\"match\": \"GET /echo\", \"times\": 2, \"kind\": \"status\", \"status\": 502}]" &&
	insight -vv __http GET "$SERVER_URL/echo" >out 2>err &&
	test "$(nstat attempts)" = 3 && test "$(nstat retries)" = 2 &&
	test "$(server_count)" = 3 &&
	test_grep "retry 1 of 5 in [0-9.]* s (backoff) after HTTP 502" err &&
	test_grep "retry 2 of 5 in [0-9.]* s (backoff) after HTTP 502" err &&
	waits >w && test_line_count = 2 w &&
	test "$(sed -n 1p w)" -le 1000 && test "$(sed -n 2p w)" -le 2000 &&
	test "$(nstat waited_ms)" -le 3000
'

test_expect_success '429 with Retry-After in seconds: the wait is the server'"'"'s' '
	server_faults "[{\"match\": \"GET /echo\", \"kind\": \"status\", \"status\": 429, \"headers\": {\"Retry-After\": \"7\"}}]" &&
	insight -vv __http GET "$SERVER_URL/echo" >out 2>err &&
	test "$(nstat attempts)" = 2 &&
	test "$(nstat waited_ms)" = 7000 &&
	test_grep "retry 1 of 5 in 7.000 s (Retry-After) after HTTP 429" err
'

test_expect_success '503 with Retry-After as an HTTP-date' '
	when=$(date -u -d "@$(( $(date +%s) + 6 ))" "+%a, %d %b %Y %H:%M:%S GMT") &&
	server_faults "[{\"match\": \"GET /echo\", \"kind\": \"status\", \"status\": 503, \"headers\": {\"Retry-After\": \"$when\"}}]" &&
	insight -vv __http GET "$SERVER_URL/echo" >out 2>err &&
	test "$(nstat attempts)" = 2 &&
	test "$(nstat waited_ms)" -ge 4000 && test "$(nstat waited_ms)" -le 6000 &&
	test_grep "(Retry-After) after HTTP 503" err
'

test_expect_success 'GitHub'"'"'s rate limit: 403 with x-ratelimit-remaining 0 waits for the reset' '
	server_faults "[{\"match\": \"GET /echo\", \"kind\": \"ratelimit\", \"reset_in\": 5}]" &&
	insight -vv __http GET "$SERVER_URL/echo" >out 2>err &&
	test "$(nstat attempts)" = 2 &&
	test "$(nstat waited_ms)" -ge 3000 && test "$(nstat waited_ms)" -le 5000 &&
	test_grep "(x-ratelimit-reset) after HTTP 403" err
'

test_expect_success 'a 403 without a rate limit is final: no retry, the reason named' '
	server_faults "[{\"match\": \"POST $REPO/issues/1/comments\", \"kind\": \"status\", \"status\": 403}]" &&
	test_must_fail --exit 5 insight __http --json --data "{\"body\": \"x\"}" \
		POST "$SERVER_URL$REPO/issues/1/comments" >out 2>err &&
	test "$(nstat attempts)" = 1 &&
	test_grep "^insight: not delivered: request (HTTP 403: Resource not accessible by integration)" err
'

test_expect_success '401 and 404 with GitHub'"'"'s bodies' '
	INSIGHT_CI_GITHUB_TOKEN=wrong-token-5678 test_must_fail --exit 5 \
		insight __http --auth ci.github.token GET "$AUTH_URL$REPO/pulls/1" >out 2>err &&
	test_grep "not delivered: request (HTTP 401: Bad credentials)" err &&
	GITHUB_TOKEN=right-token-1234 test_must_fail --exit 5 \
		insight __http --auth ci.github.token GET "$AUTH_URL$REPO/pulls/2" >out 2>err &&
	test_grep "not delivered: request (HTTP 404: Not Found)" err &&
	GITHUB_TOKEN=right-token-1234 insight __http --auth ci.github.token \
		GET "$AUTH_URL$REPO/pulls/1" >pull.json 2>err &&
	test "$(json_get pull.json "d[\"head\"][\"ref\"]")" = feature
'

test_expect_success '422 for a comment body that is too long' '
	"$INSIGHT_PYTHON" -c "import json; print(json.dumps({\"body\": \"x\" * 65537}))" >long.json &&
	test_must_fail --exit 5 insight __http --json --data "$(cat long.json)" \
		POST "$SERVER_URL$REPO/issues/1/comments" >out 2>err &&
	test_grep "not delivered: request (HTTP 422: Validation Failed)" err &&
	test "$(nstat attempts)" = 1
'

test_expect_success 'more than 100 comments: the first page links to the next' '
	insight -vv __http GET "$SERVER_URL$REPO/issues/1/comments?per_page=100&page=1" \
		>page1.json 2>err &&
	test "$(json_get page1.json "len(d)")" = 100 &&
	test_grep "^insight: http: < Link: <$SERVER_URL$REPO/issues/1/comments?per_page=100&page=2>; rel=\"next\"" err &&
	insight __http GET "$SERVER_URL$REPO/issues/1/comments?per_page=100&page=2" >page2.json 2>err &&
	test "$(json_get page2.json "len(d)")" = 20 &&
	json_get page2.json "[c[\"id\"] for c in d if \"insight:report\" in c[\"body\"]]" >ids &&
	test "$(cat ids)" = "[1117]"
'

test_expect_success 'a slow answer past the timeout: a GET is sent again' '
	: >"$SERVER_LOG" &&
	server_faults "[{\"match\": \"GET /echo\", \"kind\": \"slow\", \"seconds\": 3}]" &&
	INSIGHT_NET_TIMEOUT=500ms insight -vv __http GET "$SERVER_URL/echo" >out 2>err &&
	test "$(nstat attempts)" = 2 &&
	test_grep "< Operation timed out after" err &&
	test_grep "retry 1 of 5 in [0-9.]* s (backoff) after Operation timed out" err &&
	test "$(server_count)" = 2
'

test_expect_success 'a timeout that persists: exit 5 after net.retries + 1 attempts' '
	server_faults "[{\"match\": \"GET /echo\", \"kind\": \"slow\", \"seconds\": 2, \"times\": 3}]" &&
	INSIGHT_NET_TIMEOUT=300ms INSIGHT_NET_RETRIES=2 test_must_fail --exit 5 \
		insight __http GET "$SERVER_URL/echo" >out 2>err &&
	test "$(nstat attempts)" = 3 &&
	test_grep "not delivered: request (GET $SERVER_URL/echo: Operation timed out.*(3 attempts))" err
'

test_expect_success 'a dropped connection: a GET is sent again' '
	server_faults "[{\"match\": \"GET /echo\", \"kind\": \"drop\"}]" &&
	insight -vv __http GET "$SERVER_URL/echo" >out 2>err &&
	test "$(nstat attempts)" = 2 &&
	test_grep "after Empty reply from server\|after Recv failure" err
'

test_expect_success 'a POST whose connection dropped is not sent again blindly' '
	: >"$SERVER_LOG" &&
	server_faults "[{\"match\": \"POST $REPO/issues/1/comments\", \"kind\": \"drop\"}]" &&
	test_must_fail --exit 5 insight __http --json --data "{\"body\": \"blind\"}" \
		POST "$SERVER_URL$REPO/issues/1/comments" >out 2>err &&
	test "$(nstat attempts)" = 1 &&
	test_grep "it may have reached the server, so it is not sent again" err &&
	test "$(server_count "r[\"method\"] == \"POST\"")" = 1
'

test_expect_success 'a POST that landed before the drop is found again, not repeated' '
	: >"$SERVER_LOG" &&
	server_faults "[{\"match\": \"POST $REPO/issues/1/comments\", \"kind\": \"land-then-drop\"}]" &&
	insight -vv __http --json --data "{\"body\": \"<!-- mark-landed -->\"}" \
		--landed-url "$SERVER_URL$REPO/issues/1/comments?per_page=100&page=2" \
		--landed-marker "mark-landed" \
		POST "$SERVER_URL$REPO/issues/1/comments" >out 2>err &&
	test "$(nstat landed)" = 1 &&
	test_grep "may have reached the server (.*): checking" err &&
	test_grep "it did: not sending it again" err &&
	test "$(server_count "r[\"method\"] == \"POST\"")" = 1 &&
	test_grep "delivered: request (found again)" err
'

test_expect_success 'a POST that did not land is sent again after looking' '
	: >"$SERVER_LOG" &&
	server_faults "[{\"match\": \"POST $REPO/issues/1/comments\", \"kind\": \"drop\"}]" &&
	insight -vv __http --json --data "{\"body\": \"<!-- mark-second -->\"}" \
		--landed-url "$SERVER_URL$REPO/issues/1/comments?per_page=100&page=2" \
		--landed-marker "mark-second" \
		POST "$SERVER_URL$REPO/issues/1/comments" >out 2>err &&
	test "$(nstat landed)" = 0 &&
	test_grep "it did not: sending it again" err &&
	server_requests >reqs &&
	printf "%s\n" "POST $REPO/issues/1/comments" \
		"GET $REPO/issues/1/comments?page=2&per_page=100" \
		"POST $REPO/issues/1/comments" >expect &&
	test_cmp expect reqs &&
	insight __http GET "$SERVER_URL$REPO/issues/1/comments?per_page=100&page=2" >page.json 2>/dev/null &&
	test "$(json_get page.json "len([c for c in d if \"mark-second\" in c[\"body\"]])")" = 1
'

test_expect_success 'a POST refused with 429 or 503 is sent again: the server did not act' '
	: >"$SERVER_LOG" &&
	server_faults "[{\"match\": \"POST /echo\", \"kind\": \"status\", \"status\": 429, \"headers\": {\"Retry-After\": \"1\"}}]" &&
	insight __http --data x POST "$SERVER_URL/echo" >out 2>err &&
	test "$(nstat attempts)" = 2 &&
	server_faults "[{\"match\": \"POST /echo\", \"kind\": \"status\", \"status\": 502}]" &&
	test_must_fail --exit 5 insight __http --data x POST "$SERVER_URL/echo" >out 2>err &&
	test "$(nstat attempts)" = 1 &&
	test_grep "HTTP 502" err
'

test_expect_success 'a wait past the budget is not taken' '
	server_faults "[{\"match\": \"GET /echo\", \"kind\": \"status\", \"status\": 429, \"headers\": {\"Retry-After\": \"500\"}}]" &&
	test_must_fail --exit 5 insight -vv __http GET "$SERVER_URL/echo" >out 2>err &&
	test "$(nstat attempts)" = 1 && test "$(nstat retries)" = 0 &&
	test_grep "not retrying: a wait of 500.000 s (Retry-After) goes past the budget" err &&
	server_faults "[{\"match\": \"GET /echo\", \"kind\": \"status\", \"status\": 429, \"headers\": {\"Retry-After\": \"20\"}}]" &&
	INSIGHT_NET_BUDGET=1m insight __http GET "$SERVER_URL/echo" >out 2>err &&
	test "$(nstat waited_ms)" = 20000
'

test_expect_success 'answers are capped at 50 MB' '
	server_faults "[{\"match\": \"GET /big\", \"kind\": \"big\", \"bytes\": 52428801, \"chunked\": true},
		{\"match\": \"GET /big\", \"kind\": \"big\", \"bytes\": 52428801},
		{\"match\": \"GET /big\", \"kind\": \"big\", \"bytes\": 52428800}]" &&
	test_must_fail --exit 5 insight __http GET "$SERVER_URL/big" >/dev/null 2>err &&
	test_grep "the answer is larger than 50 MB" err &&
	test "$(nstat attempts)" = 1 &&
	test_must_fail --exit 5 insight __http GET "$SERVER_URL/big" >/dev/null 2>err &&
	test_grep "the answer is larger than 50 MB" err &&
	insight __http GET "$SERVER_URL/big" >big.out 2>err &&
	test "$(nstat bytes)" = 52428800 &&
	rm -f big.out
'

test_expect_success 'connection refused: retried, then exit 5 naming the URL' '
	INSIGHT_NET_RETRIES=2 test_must_fail --exit 5 insight -vv __http \
		GET "$CLOSED_URL/echo" >out 2>err &&
	test "$(nstat attempts)" = 3 &&
	test_grep "not delivered: request (GET $CLOSED_URL/echo: .*onnect.*(3 attempts))" err
'

test_expect_success 'HTTPS: the system bundle, then CURL_CA_BUNDLE or SSL_CERT_FILE' '
	unset CURL_CA_BUNDLE SSL_CERT_FILE SSL_CERT_DIR &&
	test_must_fail --exit 5 insight __http GET "$TLS_URL/echo" >out 2>err &&
	test "$(nstat attempts)" = 1 &&
	test_grep "not delivered: request (GET $TLS_URL/echo: SSL certificate problem" err &&
	CURL_CA_BUNDLE=$TRASH/tls.pem insight __http GET "$TLS_URL/echo" >out 2>err &&
	test_grep "\"path\": \"/echo\"" out &&
	SSL_CERT_FILE=$TRASH/tls.pem insight __http GET "$TLS_URL/echo" >out 2>err &&
	test_grep "\"path\": \"/echo\"" out &&
	CURL_CA_BUNDLE=$TRASH/none.pem SSL_CERT_FILE=$TRASH/tls.pem test_must_fail --exit 5 \
		insight __http GET "$TLS_URL/echo" >out 2>err &&
	test_grep "none.pem" err
'

test_expect_success 'fault rules can be cleared' '
	server_faults "[{\"match\": \"GET /echo\", \"kind\": \"status\", \"status\": 500, \"times\": 0}]" &&
	server_faults_clear &&
	insight __http GET "$SERVER_URL/echo" >out 2>err &&
	test "$(nstat attempts)" = 1
'

test_expect_success 'a proxy from the environment is used (http_proxy), no_proxy too' '
	: >"$SERVER_LOG" &&
	http_proxy=$SERVER_URL no_proxy= NO_PROXY= insight __http GET "http://127.0.0.2:9/echo?via=proxy" \
		>out 2>err &&
	test_grep "\"via\": \[\"proxy\"\]" out &&
	server_requests "r[\"headers\"][\"Host\"] == \"127.0.0.2:9\"" >reqs &&
	echo "GET /echo?via=proxy" >expect && test_cmp expect reqs &&
	http_proxy=$SERVER_URL no_proxy=127.0.0.2 INSIGHT_NET_RETRIES=0 test_must_fail --exit 5 \
		insight __http GET "http://127.0.0.2:9/echo?via=direct" >out 2>err &&
	test "$(server_count)" = 1
'

test_expect_success 'the contract server stops by itself after its lifetime' '
	timeout 30 "$INSIGHT_PYTHON" "$INSIGHT_SRCDIR/tests/servers/contract.py" --routes github \
		--port-file life.port --log life.jsonl --lifetime 0.5 &&
	test -s life.port
'

test_expect_success 'a dry run prints the request, masked, and sends nothing' '
	: >"$SERVER_LOG" &&
	GITHUB_TOKEN=ghs_dryruntoken0001 insight __http --dry-run --auth ci.github.token \
		-H "X-Other: visible" --json --data "{\"body\": \"hello\"}" \
		POST "$SERVER_URL$REPO/issues/1/comments?access_token=ghs_dryruntoken0001" >out 2>err &&
	version=$(insight --version | sed "s/^insight //") &&
	printf "%s\n" "POST $SERVER_URL$REPO/issues/1/comments?access_token=***" \
		"User-Agent: insight/$version" "X-Other: visible" "Authorization: Bearer ***" "Accept: application/json" \
		"Content-Type: application/json" "" "{\"body\":\"hello\"}" "" >expect &&
	test_cmp expect out &&
	test_grep "skipped: request (dry run)" err &&
	test "$(server_count)" = 0
'

test_expect_success 'secrets never appear in traces, dry runs or messages' '
	tok=ghs_neverprintme4242 &&
	git config -f cfg ci.gitlab.token glpat-filetoken-0099 && chmod 600 cfg &&
	GITHUB_TOKEN=$tok insight -vv __http --auth ci.github.token \
		GET "$SERVER_URL/echo?private_token=$tok" >out1 2>err1 &&
	GITHUB_TOKEN=$tok insight -vv __http --dry-run --auth ci.github.token \
		-H "PRIVATE-TOKEN: $tok" --data "token=$tok" \
		POST "$SERVER_URL/echo" >out2 2>err2 &&
	server_faults "[{\"match\": \"GET /echo\", \"kind\": \"status\", \"status\": 401, \"body\": \"bad token $tok\", \"times\": 0}]" &&
	GITHUB_TOKEN=$tok INSIGHT_NET_RETRIES=1 test_must_fail --exit 5 insight -vv __http \
		--auth ci.github.token GET "$SERVER_URL/echo?token=$tok" >out3 2>err3 &&
	test_grep "HTTP 401: bad token \*\*\*" err3 &&
	insight --config cfg -vv __http --auth ci.gitlab.token -H "X-Note: glpat-filetoken-0099" \
		GET "$SERVER_URL/pulls" >out4 2>err4 ;
	cat err1 out2 err2 err3 out3 err4 >all &&
	test_grep "Authorization: Bearer \*\*\*" all &&
	test_grep "PRIVATE-TOKEN: \*\*\*" all &&
	test_grep -v "$tok" all &&
	test_grep -v "glpat-filetoken-0099" all
'

test_done
