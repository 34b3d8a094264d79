# server-lib.sh - start the contract server (tests/servers/contract.py) from a
# CLI test, and read what it recorded. Source it after lib.sh.
#
#   start_contract_server ROUTES [contract.py options...]
#       starts a server on 127.0.0.1 (a free port) and sets SERVER_URL
#       (http://127.0.0.1:PORT), SERVER_LOG (its JSON-lines record) and
#       SERVER_PID. Each call starts one more server; all are stopped when
#       the test script exits, however it exits (a trap on EXIT), and each
#       stops by itself after SERVER_LIFETIME seconds (default 120).
#   stop_contract_server PID       stops one server before the end
#   server_faults 'JSON list'      adds fault rules to the latest server
#   server_faults_clear            removes them all
#   server_requests [PY-EXPR]      prints "METHOD PATH[?QUERY]" of each
#                                  recorded request for which PY-EXPR over
#                                  `r` (the record) holds, in order
#   server_count [PY-EXPR]         how many recorded requests match
#   start_smtp NAME [smtp.py options...]
#       starts a real SMTP server (tests/servers/smtp.py) on 127.0.0.1 and
#       sets SMTP_PORT and SMTP_LOG (a JSON line per message received);
#       stopped with the contract servers

SERVER_PIDS=""
SERVER_N=0
SMTP_PIDS=""

stop_contract_servers() {
	for pid in $SERVER_PIDS $SMTP_PIDS; do
		kill "$pid" 2>/dev/null
	done
	for pid in $SERVER_PIDS $SMTP_PIDS; do
		wait "$pid" 2>/dev/null
	done
	SERVER_PIDS=""
	SMTP_PIDS=""
}
trap stop_contract_servers EXIT

# stop_contract_server PID: stop one of them.
stop_contract_server() {
	kill "$1" 2>/dev/null
	wait "$1" 2>/dev/null
	SERVER_PIDS=$(echo "$SERVER_PIDS" | tr " " "\n" | grep -vx "$1" | tr "\n" " ")
}

start_contract_server() {
	routes=$1
	shift
	SERVER_N=$((SERVER_N + 1))
	port_file="$TRASH/server-$SERVER_N.port"
	SERVER_LOG="$TRASH/server-$SERVER_N.jsonl"
	: >"$SERVER_LOG"
	"$INSIGHT_PYTHON" "$INSIGHT_SRCDIR/tests/servers/contract.py" --routes "$routes" \
		--port-file "$port_file" --log "$SERVER_LOG" \
		--lifetime "${SERVER_LIFETIME:-120}" "$@" 2>"$TRASH/server-$SERVER_N.err" &
	SERVER_PID=$!
	SERVER_PIDS="$SERVER_PIDS $SERVER_PID"
	for _ in $(seq 1 100); do
		[ -s "$port_file" ] && break
		kill -0 "$SERVER_PID" 2>/dev/null || break
		sleep 0.05
	done
	if ! [ -s "$port_file" ]; then
		echo "the contract server did not start:" >&2
		cat "$TRASH/server-$SERVER_N.err" >&2
		return 1
	fi
	case " $* " in
	*" --tls-cert "*) SERVER_URL="https://127.0.0.1:$(cat "$port_file")" ;;
	*) SERVER_URL="http://127.0.0.1:$(cat "$port_file")" ;;
	esac
	# Requests to the local server never go through a proxy.
	export no_proxy="127.0.0.1,localhost" NO_PROXY="127.0.0.1,localhost"
	unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY ALL_PROXY all_proxy
}

start_smtp() {
	name=$1
	shift
	SMTP_LOG="$TRASH/$name.jsonl"
	: >"$SMTP_LOG"
	"$INSIGHT_PYTHON" "$INSIGHT_SRCDIR/tests/servers/smtp.py" --port-file "$TRASH/$name.port" \
		--log "$SMTP_LOG" --lifetime "${SERVER_LIFETIME:-120}" "$@" 2>"$TRASH/$name.err" &
	SMTP_PIDS="$SMTP_PIDS $!"
	for _ in $(seq 1 100); do
		[ -s "$TRASH/$name.port" ] && break
		sleep 0.05
	done
	[ -s "$TRASH/$name.port" ] || { cat "$TRASH/$name.err" >&2; return 1; }
	SMTP_PORT=$(cat "$TRASH/$name.port")
}

server_faults_clear() {
	"$INSIGHT_PYTHON" -c 'import sys, urllib.request
h = urllib.request.ProxyHandler({})
req = urllib.request.Request(sys.argv[1] + "/__control/faults", method="DELETE")
urllib.request.build_opener(h).open(req, timeout=10).read()' "$SERVER_URL"
}

server_faults() {
	"$INSIGHT_PYTHON" -c 'import sys, urllib.request
h = urllib.request.ProxyHandler({})
req = urllib.request.Request(sys.argv[1] + "/__control/faults", data=sys.argv[2].encode(), method="POST")
urllib.request.build_opener(h).open(req, timeout=10).read()' "$SERVER_URL" "$1"
}

server_requests() {
	"$INSIGHT_PYTHON" - "$SERVER_LOG" "${1:-True}" <<'PY'
import json, sys, urllib.parse
for line in open(sys.argv[1]):
    r = json.loads(line)
    if eval(sys.argv[2]):
        q = urllib.parse.urlencode([(k, v) for k, vs in sorted(r["query"].items()) for v in vs])
        print(r["method"], r["path"] + ("?" + q if q else ""))
PY
}

server_count() {
	server_requests "${1:-True}" | wc -l
}

# server_marked URL HEADER: how many items of the paged JSON list at URL
# (page=N is added; 100 a page) hold insight's marker for SUT shop, asked
# with HEADER ("Name: value").
server_marked() {
	"$INSIGHT_PYTHON" -c 'import json, sys, urllib.request
h = urllib.request.ProxyHandler({})
name, value = sys.argv[2].split(": ", 1)
n, page = 0, 1
while True:
    req = urllib.request.Request("%s&page=%d" % (sys.argv[1], page), headers={name: value})
    items = json.load(urllib.request.build_opener(h).open(req, timeout=10))
    n += sum("<!-- insight:report sut=shop -->" in c["body"] for c in items)
    if len(items) < 100:
        break
    page += 1
print(n)' "$1" "$2"
}
