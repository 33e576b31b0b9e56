#!/usr/bin/env python3
"""Ticket creates per second through HAProxy: 1, 2 and 3 nodes on one PostgreSQL, and one
node on the embedded SQLite, the same client each time (REST2 `POST /REST/2.0/ticket`, Basic
auth, `--clients` threads for `--seconds`). A benchmark, not a test: it prints a table for
docs/BENCHMARKS.md. On a 2-core machine the nodes, PostgreSQL, HAProxy and the client share
the two cores, so more nodes show the cost of the hops, not scaling.

    python3 tests/cluster/throughput.py --varde ./target/release/varde --pg-url postgres://...
"""
import argparse, os, shutil, tempfile, threading, time

import requests

from cluster import ADMIN, Cluster


def creates(base, clients, seconds):
    done, failed, lock = [0], [0], threading.Lock()
    end = time.monotonic() + seconds

    def client(k):
        s = requests.Session()
        s.auth = ADMIN
        n = 0
        while time.monotonic() < end:
            r = s.post(f"{base}/REST/2.0/ticket", json={
                "Queue": "General", "Subject": f"bench {k}-{n}",
                "Requestor": f"user{k}@customer.example", "Content": "vol-9 is full"})
            with lock:
                if r.status_code == 201:
                    done[0] += 1
                else:
                    failed[0] += 1
            n += 1

    threads = [threading.Thread(target=client, args=(k,)) for k in range(clients)]
    t0 = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return done[0] / (time.monotonic() - t0), failed[0]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--varde", default="./target/release/varde")
    ap.add_argument("--pg-url", default=os.environ.get("VARDE_TEST_PG_URL"))
    ap.add_argument("--haproxy", default=shutil.which("haproxy") or "/usr/sbin/haproxy")
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--seconds", type=float, default=20)
    args = ap.parse_args()
    rows = []
    setups = [(n, None) for n in (1, 2, 3)] + [(1, "sqlite")]
    for nodes, engine in setups:
        data = tempfile.mkdtemp(prefix="varde-bench-") if engine else None
        c = Cluster(args, nodes=nodes, sqlite_dir=data)
        try:
            c.start(1, 1)  # no relay listens on port 1: mail waits in the outbox
            c.add_admin()
            creates(c.base, 2, 2)  # warm-up
            rate, failed = creates(c.base, args.clients, args.seconds)
            rows.append((engine or "PostgreSQL", nodes, rate, failed))
            print(f"{engine or 'PostgreSQL'}, {nodes} node(s): {rate:.1f} creates/s ({failed} failed)", flush=True)
        finally:
            c.stop()
            shutil.rmtree(c.dir, ignore_errors=True)
            if data:
                shutil.rmtree(data, ignore_errors=True)
    print(f"\n| store | nodes | creates/s ({args.clients} clients, {args.seconds:.0f} s) | failed |")
    print("| --- | --- | --- | --- |")
    for store, nodes, rate, failed in rows:
        print(f"| {store} | {nodes} | {rate:,.1f} | {failed} |")


if __name__ == "__main__":
    main()
