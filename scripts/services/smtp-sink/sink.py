#!/usr/bin/env python3
"""The SMTP server of Varde's mail tests: a real SMTP server (PyPI aiosmtpd, RFC 5321) on
127.0.0.1 that keeps every message it accepts as one .eml file in a folder, for tests that
must read what Varde sent (varde_notify::testing::SmtpSink, crates/varde/tests/cli/mail.rs,
the varde-web fanout bench). Started by start.sh beside it.

    python3 sink.py --port 2525 --dir /tmp/mail-out [--fail-first N] [--require-auth USER:PASS]
                    [--starttls-self-signed]

Each accepted message is written atomically to DIR/NNNNNN.eml with the envelope in
X-Sink-Mail-From / X-Sink-Rcpt-To headers prepended. --fail-first N answers the first N
DATA commands with 451 (temporary failure), to test retries. --starttls-self-signed offers
STARTTLS with a certificate made for the occasion (openssl, CN=localhost), as a stock Postfix
offers its own snakeoil one.
"""
import argparse, asyncio, os, signal, ssl, subprocess, tempfile, threading
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


class Keep:
    def __init__(self, folder, fail_first):
        self.folder, self.fail_left, self.n, self.lock = folder, fail_first, 0, threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            if self.fail_left > 0:
                self.fail_left -= 1
                return "451 4.3.0 temporary failure (test)"
            self.n += 1
            name = os.path.join(self.folder, f"{self.n:06d}.eml")
        head = (f"X-Sink-Mail-From: {envelope.mail_from}\r\n"
                f"X-Sink-Rcpt-To: {', '.join(envelope.rcpt_tos)}\r\n").encode()
        tmp = name + ".tmp"
        with open(tmp, "wb") as f:
            f.write(head + envelope.original_content)
        os.replace(tmp, name)
        return "250 2.0.0 queued"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, default=2525)
    ap.add_argument("--dir", required=True)
    ap.add_argument("--fail-first", type=int, default=0)
    ap.add_argument("--require-auth", default=None, help="USER:PASS")
    ap.add_argument("--starttls-self-signed", action="store_true")
    a = ap.parse_args()
    os.makedirs(a.dir, exist_ok=True)
    kw = {}
    if a.starttls_self_signed:
        d = tempfile.mkdtemp(prefix="smtp-sink-tls-")
        key, cert = os.path.join(d, "key.pem"), os.path.join(d, "cert.pem")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost",
                        "-days", "1", "-keyout", key, "-out", cert], check=True, capture_output=True)
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(cert, key)
        kw["tls_context"] = context
    if a.require_auth:
        user, pw = a.require_auth.split(":", 1)
        def auth(server, session, envelope, mechanism, data):
            ok = isinstance(data, LoginPassword) and data.login.decode() == user and data.password.decode() == pw
            return AuthResult(success=ok)
        kw.update(authenticator=auth, auth_required=True, auth_require_tls=False)
    c = Controller(Keep(a.dir, a.fail_first), hostname="127.0.0.1", port=a.port, **kw)
    c.start()
    print(f"smtp sink on 127.0.0.1:{a.port}, writing to {a.dir}", flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    stop.wait()
    c.stop()


if __name__ == "__main__":
    main()
