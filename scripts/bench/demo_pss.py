#!/usr/bin/env python3
"""The demo's memory under browsing (issue 20: at most 150 MiB): logs in to a running
`varde demo` as the agent, the service manager and a customer, opens each one's pages
`--rounds` times, and prints the server's PSS (from /proc/<pid>/smaps_rollup) before and
after, with where it is (anonymous memory, files mapped).

    target/release/varde demo --listen 127.0.0.1:18282 --data /tmp/vdr &
    python3 scripts/bench/demo_pss.py --url http://127.0.0.1:18282 --pid $! --rounds 20
"""
import argparse
import re

import httpx2

PAGES = {
    ("agent@example.com", "varde-demo-agent"): [
        "/console/tickets", "/console/tickets?view=unowned", "/console/tickets?view=soon",
        "/console/tickets?view=breached", "/console/tickets?q=disk", "/console/tickets/1",
        "/console/tickets/2", "/console/organizations", "/console/status", "/console/onboarding",
        "/console/sla",
    ],
    ("manager@example.com", "varde-demo-manager"): [
        "/console/portfolio", "/console/health", "/console/organizations",
        "/console/roadmap", "/console/meetings",
    ],
    ("ingrid.nilsen@sikt.no", "varde-demo-customer"): [
        "/portal", "/portal/tickets", "/portal/report", "/portal/incidents", "/portal/organization",
    ],
}
PUBLIC = ["/status", "/status/history", "/api/v2/summary.json", "/status/feed.atom"]


def pss(pid):
    """PSS, anonymous and file-backed memory of the process, in MiB."""
    fields = {}
    with open(f"/proc/{pid}/smaps_rollup") as f:
        for line in f:
            m = re.match(r"(\w+):\s+(\d+) kB", line)
            if m:
                fields[m.group(1)] = int(m.group(2)) / 1024
    return fields.get("Pss", 0), fields.get("Pss_Anon", 0), fields.get("Pss_File", 0)


def log_in(url, email, password):
    c = httpx2.Client(base_url=url, follow_redirects=False, timeout=60)
    page = c.get("/login").text
    csrf = page.split('name="csrf" value="')[1].split('"')[0]
    r = c.post("/login", data={"email": email, "password": password, "next": "", "csrf": csrf})
    assert r.status_code == 303, (email, r.status_code)
    return c


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--url", required=True)
    p.add_argument("--pid", type=int, required=True)
    p.add_argument("--rounds", type=int, default=20)
    a = p.parse_args()
    before = pss(a.pid)
    print("before browsing: PSS %.1f MiB (anonymous %.1f, files %.1f)" % before)
    clients = [(log_in(a.url, e, pw), pages) for (e, pw), pages in PAGES.items()]
    public = httpx2.Client(base_url=a.url, timeout=60)
    statuses = {}
    for _ in range(a.rounds):
        for c, pages in clients + [(public, PUBLIC)]:
            for page in pages:
                s = c.get(page).status_code
                statuses[s] = statuses.get(s, 0) + 1
    after = pss(a.pid)
    print(f"answers: {statuses}")
    print("after %d rounds: PSS %.1f MiB (anonymous %.1f, files %.1f)" % ((a.rounds,) + after))


if __name__ == "__main__":
    main()
