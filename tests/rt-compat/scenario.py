#!/usr/bin/env python3
"""One support scenario, run unchanged against any RT-speaking server, printed as normalised
state: for each ticket its status, owner, requestors, links and transaction types. Run it
against the real RT 5 (scripts/services/rt/setup.sh) and against Varde, and diff the outputs.

    python3 tests/rt-compat/scenario.py --url http://127.0.0.1:8085 --user root --password password > rt.txt
    python3 tests/rt-compat/scenario.py --url http://127.0.0.1:8080 --user agent@example.com --password PW > varde.txt
    diff rt.txt varde.txt

Outgoing-mail records (EmailRecord) are left out: RT's default scrips send autoreplies,
which Varde's mail issue covers. The acting user is printed as "me".
"""
import argparse
import os
import subprocess
import tempfile
import uuid

import httpx2
import rt.rest1
import rt.rest2


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--url", required=True)
    p.add_argument("--user", required=True)
    p.add_argument("--password", required=True)
    a = p.parse_args()
    tag = uuid.uuid4().hex[:8]
    r2 = rt.rest2.Rt(a.url + "/REST/2.0/", http_auth=httpx2.BasicAuth(a.user, a.password))
    r1 = rt.rest1.Rt(a.url + "/REST/1.0/", a.user, a.password)
    r1.login()
    env = dict(os.environ, RTSERVER=a.url, RTUSER=a.user, RTPASSWD=a.password, HOME=tempfile.mkdtemp())

    t1 = r2.create_ticket("General", subject=f"{tag} disk full", content="vol-9 is full", Requestor="carol@customer.example")
    t2 = r1.create_ticket(Queue="General", Subject=f"{tag} cannot log in", Text="401 from keystone", Requestors="dave@other.example")
    out = subprocess.run(["rt", "create", "-t", "ticket", "set", "queue=General", "set", f"subject={tag} quota", "set", "requestor=erin@third.example", "set", "text=more quota"],
                         env=env, capture_output=True, text=True).stdout
    t3 = int(out.split("Ticket ")[1].split(" ")[0])

    r2.comment(t1, content="checking the hypervisor")
    r2.reply(t1, content="we are on it")
    r2.take(t1)
    r2.edit_ticket(t1, Priority=40)
    r1.reply(t2, text="try again now")
    r1.edit_ticket(t2, Status="resolved")
    subprocess.run(["rt", "correspond", "-m", "which project?", str(t3)], env=env, capture_output=True)
    subprocess.run(["rt", "edit", f"ticket/{t3}", "set", "status=stalled"], env=env, capture_output=True)
    r2.edit_link(t3, "DependsOn", t1)
    t4 = r2.create_ticket("General", subject=f"{tag} duplicate of disk full", content="same problem", Requestor="carol@customer.example")
    r2.merge_ticket(t4, t1)
    r2.steal(t3)
    r2.untake(t3)

    names = {t1: "T1", t2: "T2", t3: "T3", t4: "T4"}
    for tid in (t1, t2, t3, t4):
        t = r2.get_ticket(tid)
        owner = t["Owner"]["id"]
        owner = "me" if owner == a.user else owner
        links = sorted(f"{l['ref']}:{names.get(int(l['id']), l['id'])}" for l in t["_hyperlinks"] if l.get("type") == "ticket" and l["ref"] != "self")
        types = [h["Type"] for h in r2.get_ticket_history(tid) if h["Type"] != "EmailRecord"]
        print(f"{names[tid]} -> {names.get(int(t['id']), t['id'])}: status={t['Status']} owner={owner} priority={t['Priority']} "
              f"requestors={sorted(x['id'] for x in t['Requestor'])} links={links}")
        print(f"   history: {' '.join(types)}")


if __name__ == "__main__":
    main()
