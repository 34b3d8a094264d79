#!/usr/bin/python3
"""contract.py - a local fake of the HTTP APIs insight talks to, for tests.

It listens on 127.0.0.1 only, on a free port that it writes to --port-file
once it accepts connections, and exits by itself after --lifetime seconds
whatever happens. Every request is recorded, before any fault applies, as
one JSON line in --log: {"method", "path", "query", "headers", "body"}
("query" maps each parameter to its list of values; "body" is the text).

The routes of a host come from a small module in routes/ (--routes github
loads routes/github.py); see routes/README.md for what a module provides.

Faults are injected on demand, from --faults FILE (a JSON list) and from
POST /__control/faults (a JSON list appended to the rules; not recorded);
DELETE /__control/faults removes every rule.
A rule applies to requests whose "METHOD PATH" matches its "match" regular
expression (search), the first matching rule with uses left winning:

  {"match": "POST /repos/.*/comments", "times": 2, "kind": "status",
   "status": 502}                                  # 502 twice, then the route
  {"kind": "status", "status": 429, "headers": {"Retry-After": "3"}}
  {"kind": "status", "status": 403}                # the host's real 403 body
  {"kind": "ratelimit", "reset_in": 4}             # GitHub's primary limit
  {"kind": "slow", "seconds": 3}                   # answer late
  {"kind": "drop"}                                 # close without answering
  {"kind": "land-then-drop"}                       # act on it, then drop
  {"kind": "big", "bytes": 52428801, "chunked": true}

A route module may define fault_path(path, query) to say what PATH the
rules see (TestRail's methods live in the query: "/index.php?/api/v2/...").

"times" (default 1) counts the requests the rule takes; 0 means every one.
"status" rules use the route module's error body for that status unless
the rule gives "body"; "error" names a variant of it (error_body's kind).

With --tls-cert and --tls-key it speaks HTTPS (to check the CA bundle the
client trusts).

Run: contract.py --routes github --port-file P --log L [--lifetime 60]
     [--faults F] [--option key=value]... (options go to the module's setup)
     [--tls-cert CERT --tls-key KEY]
"""

import argparse
import http.server
import importlib.util
import json
import os
import re
import socket
import ssl
import sys
import threading
import time
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))


class State:
    """What the routes keep between requests, and the fault rules."""

    def __init__(self):
        self.lock = threading.Lock()
        self.data = {}
        self.faults = []
        self.options = {}
        self.base_url = ""


def load_routes(name):
    path = os.path.join(HERE, "routes", name + ".py")
    spec = importlib.util.spec_from_file_location("routes_" + name, path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "insight-contract/1"

    def log_message(self, fmt, *args):  # quiet: the JSON log is the record
        pass

    def _read_body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n > 0 else b""

    def _record(self, body, path, query):
        line = {
            "method": self.command,
            "path": path,
            "query": query,
            "headers": {k: v for k, v in self.headers.items()},
            "body": body.decode("utf-8", "replace"),
        }
        with self.server.log_lock:
            self.server.log.write(json.dumps(line, sort_keys=True) + "\n")
            self.server.log.flush()

    def _send(self, status, headers, body):
        if isinstance(body, (dict, list)):
            data = json.dumps(body).encode()
            headers = dict(headers or {})
            headers.setdefault("Content-Type", "application/json; charset=utf-8")
        elif isinstance(body, str):
            data = body.encode()
        else:
            data = body or b""
        self.send_response(status)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        if status not in (204, 304):
            self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD" and status not in (204, 304):
            self.wfile.write(data)

    def _drop(self):
        """Close the connection without a byte of answer."""
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.close_connection = True

    def _fault(self, path, rawquery):
        st = self.server.state
        mod = self.server.routes
        if hasattr(mod, "fault_path"):
            path = mod.fault_path(path, rawquery)
        key = "%s %s" % (self.command, path)
        with st.lock:
            for rule in st.faults:
                if not re.search(rule.get("match", ""), key):
                    continue
                times = rule.get("times", 1)
                if times != 0 and rule.get("_used", 0) >= times:
                    continue
                rule["_used"] = rule.get("_used", 0) + 1
                return rule
        return None

    def _handle(self):
        url = urllib.parse.urlsplit(self.path)
        path = url.path
        query = urllib.parse.parse_qs(url.query, keep_blank_values=True)
        body = self._read_body()
        st = self.server.state
        if path == "/__control/faults" and self.command == "POST":
            with st.lock:
                st.faults.extend(json.loads(body or b"[]"))
            return self._send(204, {}, b"")
        if path == "/__control/faults" and self.command == "DELETE":
            with st.lock:
                st.faults = []
            return self._send(204, {}, b"")
        self._record(body, path, query)
        rule = self._fault(path, url.query)
        mod = self.server.routes
        if rule:
            kind = rule.get("kind", "status")
            if kind == "status":
                status = int(rule.get("status", 500))
                err = rule.get("body")
                if err is None:
                    err = mod.error_body(status, rule.get("error"))
                return self._send(status, rule.get("headers", {}), err)
            if kind == "ratelimit":
                reset = int(time.time()) + int(rule.get("reset_in", 1))
                headers = {"x-ratelimit-limit": "5000", "x-ratelimit-remaining": "0",
                           "x-ratelimit-reset": str(reset)}
                return self._send(int(rule.get("status", 403)), headers,
                                  mod.error_body(403, "ratelimit"))
            if kind == "slow":
                time.sleep(float(rule.get("seconds", 2)))
            elif kind == "drop":
                return self._drop()
            elif kind == "big":
                return self._big(int(rule.get("bytes", 0)), rule.get("chunked", False))
        req = {"method": self.command, "path": path, "query": query, "headers": self.headers,
               "body": body, "json": None}
        if body:
            try:
                req["json"] = json.loads(body)
            except ValueError:
                req["json"] = None
        status, headers, answer = mod.dispatch(st, req)
        if rule and rule.get("kind") == "land-then-drop":
            return self._drop()
        try:
            self._send(status, headers, answer)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def _big(self, n, chunked):
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        block = b"x" * 65536
        try:
            if chunked:
                self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                left = n
                while left > 0:
                    part = block[:min(left, len(block))]
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(part), part))
                    left -= len(part)
                self.wfile.write(b"0\r\n\r\n")
            else:
                self.send_header("Content-Length", str(n))
                self.end_headers()
                left = n
                while left > 0:
                    part = block[:min(left, len(block))]
                    self.wfile.write(part)
                    left -= len(part)
        except (BrokenPipeError, ConnectionResetError):
            pass
        self.close_connection = True

    do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = do_HEAD = _handle


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--routes", required=True)
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--log", required=True)
    ap.add_argument("--lifetime", type=float, default=60)
    ap.add_argument("--faults")
    ap.add_argument("--option", action="append", default=[])
    ap.add_argument("--tls-cert")
    ap.add_argument("--tls-key")
    args = ap.parse_args()

    # The hard limit first: whatever happens below, the process ends.
    killer = threading.Timer(args.lifetime, lambda: os._exit(0))
    killer.daemon = True
    killer.start()

    state = State()
    for kv in args.option:
        k, _, v = kv.partition("=")
        state.options[k] = v
    if args.faults:
        with open(args.faults) as f:
            state.faults = json.load(f)
    routes = load_routes(args.routes)
    srv = Server(("127.0.0.1", 0), Handler)
    srv.state = state
    srv.routes = routes
    srv.log = open(args.log, "a")
    srv.log_lock = threading.Lock()
    port = srv.server_address[1]
    scheme = "http"
    if args.tls_cert:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(args.tls_cert, args.tls_key)
        srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
        scheme = "https"
    state.base_url = "%s://127.0.0.1:%d" % (scheme, port)
    if hasattr(routes, "setup"):
        routes.setup(state)
    tmp = args.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % port)
    os.rename(tmp, args.port_file)
    try:
        srv.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
