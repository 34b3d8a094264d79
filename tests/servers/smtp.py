#!/usr/bin/python3
"""smtp.py - a real SMTP server (Debian's aiosmtpd) for tests of insight's email.

It listens on 127.0.0.1 only, on a free port that it writes to --port-file
once it accepts connections, and exits by itself after --lifetime seconds.
Each message received is one JSON line in --log: {"mail_from", "rcpt_tos",
"data" (the message's bytes as received, base64), "auth" (the login and
password it was given, or null)}.

With --auth, it offers AUTH PLAIN and LOGIN without TLS and accepts the
login and password given as USER:PASSWORD. With --tls-cert and --tls-key it
offers STARTTLS.

Run: smtp.py --port-file P --log L [--lifetime 60] [--auth USER:PASSWORD]
     [--tls-cert CERT --tls-key KEY]
"""

import argparse
import warnings
import asyncio
import base64
import json
import os
import ssl
import threading

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword

warnings.simplefilter("ignore")


class Handler:
    def __init__(self, log):
        self.log = log

    async def handle_DATA(self, server, session, envelope):
        auth = session.auth_data
        if isinstance(auth, LoginPassword):
            auth = [auth.login.decode(), auth.password.decode()]
        rec = {"mail_from": envelope.mail_from, "rcpt_tos": envelope.rcpt_tos,
               "data": base64.b64encode(envelope.original_content).decode(), "auth": auth}
        with open(self.log, "a") as f:
            f.write(json.dumps(rec) + "\n")
        return "250 OK"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--log", required=True)
    ap.add_argument("--lifetime", type=float, default=60)
    ap.add_argument("--auth")
    ap.add_argument("--tls-cert")
    ap.add_argument("--tls-key")
    args = ap.parse_args()

    killer = threading.Timer(args.lifetime, lambda: os._exit(0))
    killer.daemon = True
    killer.start()

    kw = {"hostname": "insight-test", "auth_require_tls": False}
    if args.auth:
        user, _, password = args.auth.partition(":")

        def check(server, session, envelope, mechanism, data):
            ok = (isinstance(data, LoginPassword) and data.login.decode() == user and
                  data.password.decode() == password)
            return AuthResult(success=ok, auth_data=data)
        kw["authenticator"] = check
        kw["auth_required"] = True
    if args.tls_cert:
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.load_cert_chain(args.tls_cert, args.tls_key)
        kw["tls_context"] = ctx
        kw["require_starttls"] = True
    handler = Handler(args.log)

    async def serve():
        loop = asyncio.get_running_loop()
        srv = await loop.create_server(lambda: SMTP(handler, **kw), "127.0.0.1", 0)
        port = srv.sockets[0].getsockname()[1]
        with open(args.port_file + ".tmp", "w") as f:
            f.write(str(port))
        os.rename(args.port_file + ".tmp", args.port_file)
        await asyncio.sleep(args.lifetime)

    asyncio.run(serve())


if __name__ == "__main__":
    main()
