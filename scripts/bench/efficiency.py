#!/usr/bin/env python3
"""Server CPU per request and memory of a running Varde (issue 20), as the client sees it and
as the kernel counts it: `/proc/<pid>/stat` (user + system time of every thread) before and
after each workload, one sequential client opening a new connection per request (as curl and
`../shared/rt/bench.py` do), then PSS from `/proc/<pid>/smaps_rollup` once the server holds
`--fill` tickets. The disk's sync time is measured in the same run beside the data directory,
so a reader can tell the disk's share of a request from Varde's.

Only loopback addresses are accepted. Run by `scripts/bench/efficiency.sh`, which starts the
server; or alone against one: `efficiency.py --url http://127.0.0.1:PORT --pid PID --data DIR`.
"""
import argparse
import base64
import concurrent.futures
import http.client
import ipaddress
import json
import os
import statistics
import time
import urllib.parse
import uuid

TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid):
    """User + system time of every thread of the process, in seconds."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def pss_kib(pid):
    with open(f"/proc/{pid}/smaps_rollup") as f:
        for line in f:
            if line.startswith("Pss:"):
                return int(line.split()[1])
    return 0


class Server:
    def __init__(self, url, user, password):
        u = urllib.parse.urlsplit(url)
        if not ipaddress.ip_address(u.hostname).is_loopback:
            raise SystemExit(f"refusing to send traffic to {u.hostname}: loopback only")
        self.host, self.port = u.hostname, u.port
        self.basic = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()
        self.user, self.password = user, password
        self.cookie = None

    def req(self, method, path, body=b"", headers=None):
        c = http.client.HTTPConnection(self.host, self.port, timeout=60)
        try:
            h = {"Connection": "close"}
            h.update(headers or {})
            c.request(method, path, body=body, headers=h)
            r = c.getresponse()
            return r.status, r.getheader("Set-Cookie"), r.read()
        finally:
            c.close()

    def login(self):
        body = urllib.parse.urlencode({"user": self.user, "pass": self.password})
        _, cookie, _ = self.req("POST", "/REST/1.0/", body,
                                {"Content-Type": "application/x-www-form-urlencoded"})
        self.cookie = cookie.split(";", 1)[0]

    def rest2_create(self, i):
        body = json.dumps({"Queue": "General", "Subject": f"efficiency {i}",
                           "Requestor": "bench@customer.example", "Content": "benchmark body"})
        st, _, _ = self.req("POST", "/REST/2.0/ticket", body,
                            {"Authorization": self.basic, "Content-Type": "application/json"})
        return st == 201

    def rest1_create(self, i):
        content = (f"id: ticket/new\nQueue: General\nRequestor: bench@customer.example\n"
                   f"Subject: efficiency rest1 {i}\nText: benchmark body\n")
        body = urllib.parse.urlencode({"content": content})
        st, _, data = self.req("POST", "/REST/1.0/ticket/new", body,
                               {"Cookie": self.cookie,
                                "Content-Type": "application/x-www-form-urlencoded"})
        return st == 200 and b"created" in data

    def mail(self, i):
        b = "----efficiency" + uuid.uuid4().hex
        raw = (f"From: Bench <bench@customer.example>\nTo: support@example.com\n"
               f"Subject: efficiency mail {i}\nMessage-ID: <{uuid.uuid4().hex}@customer.example>\n"
               f"Content-Type: text/plain; charset=utf-8\n\nbenchmark mail\n")
        parts = [("queue", "General"), ("action", "correspond"), ("message", raw)]
        body = "".join(f"--{b}\r\nContent-Disposition: form-data; name=\"{n}\"\r\n\r\n{v}\r\n"
                       for n, v in parts) + f"--{b}--\r\n"
        st, _, data = self.req("POST", "/REST/1.0/NoAuth/mail-gateway", body.encode(),
                               {"Content-Type": f"multipart/form-data; boundary={b}"})
        return st == 200 and data.startswith(b"ok")


def sync_ms(directory, rounds=200):
    """Median time to write and sync 27 KiB (a create's write-ahead log frames) beside the data."""
    path = os.path.join(directory, "efficiency-sync-probe")
    times = []
    with open(path, "wb") as f:
        for _ in range(rounds):
            f.write(os.urandom(27 * 1024))
            t0 = time.perf_counter()
            f.flush()
            os.fsync(f.fileno())
            times.append(time.perf_counter() - t0)
            time.sleep(0.001)
    os.unlink(path)
    return 1000 * statistics.median(times)


def measure(name, pid, op, n):
    before, t0 = cpu_seconds(pid), time.perf_counter()
    ok = sum(1 for i in range(n) if op(i))
    wall, cpu = time.perf_counter() - t0, cpu_seconds(pid) - before
    print(f"| {name} | {n / wall:,.1f} /s | {1000 * cpu / n:.3f} ms | {ok}/{n} |", flush=True)
    return ok == n


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--url", required=True)
    ap.add_argument("--pid", type=int, required=True)
    ap.add_argument("--data", required=True, help="the server's data directory (for the sync probe)")
    ap.add_argument("--user", default="bench@example.com")
    ap.add_argument("--password", default="bench password 123")
    ap.add_argument("--n", type=int, default=1000, help="requests per workload")
    ap.add_argument("--fill", type=int, default=10000, help="tickets the server holds for PSS")
    a = ap.parse_args()
    s = Server(a.url, a.user, a.password)
    s.login()
    print(f"disk: writing and syncing 27 KiB takes {sync_ms(a.data):.2f} ms (median) here now\n")
    print("| workload, one sequential client | rate | server CPU per request | ok |")
    print("| --- | --- | --- | --- |")
    ok = measure("REST2 create, Basic auth", a.pid, s.rest2_create, a.n)
    ok &= measure("REST 1.0 create, session cookie", a.pid, s.rest1_create, a.n)
    ok &= measure("mail, POST to the mail gateway", a.pid, s.mail, a.n)
    try:
        import rt.rest1
        lib = rt.rest1.Rt(f"{a.url}/REST/1.0/", a.user, a.password, default_queue="General")
        lib.login()
        ok &= measure("REST 1.0 create, python rt.rest1", a.pid,
                      lambda i: lib.create_ticket(Queue="General", Subject=f"efficiency lib1 {i}",
                                                  Requestors="bench@customer.example",
                                                  Text="benchmark body") > 0, a.n)
    except ImportError:
        print("(python rt not installed: its row left out)")
    made = 4 * a.n
    if a.fill > made:
        with concurrent.futures.ThreadPoolExecutor(4) as pool:
            list(pool.map(s.rest2_create, range(made, a.fill)))
    print(f"\nserver PSS with {max(made, a.fill):,} tickets after the run: {pss_kib(a.pid) / 1024:.1f} MiB")
    raise SystemExit(0 if ok else 1)


if __name__ == "__main__":
    main()
