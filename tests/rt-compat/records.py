#!/usr/bin/env python3
"""Users and queues through RT's real clients, run unchanged against any RT-speaking server as
an administrator, printed as normalised state: what each client returned and what each record
looks like afterwards. Run it against the real RT 5 (as root) and against Varde (as an
administrator) and diff the outputs (tests/rt-compare/compare.sh does).

    python3 tests/rt-compat/records.py --url http://127.0.0.1:8085 --user root --password password

Numbers the servers give differently (user and queue ids) are printed as names; RT's
`SLADisabled` is left out (every Varde queue has SLA policies, RT starts a queue without).
"""
import argparse
import os
import re
import subprocess
import tempfile
import uuid

import httpx2
import rt.exceptions
import rt.rest1
import rt.rest2


def show(label, value):
    print(f"{label}: {value}")


def tried(label, call):
    """What a call gives, or the class of the error it raises."""
    try:
        show(label, call())
    except rt.exceptions.RtError as e:
        show(label, type(e).__name__)


def user_view(u):
    return {k: u.get(k) for k in ("Name", "EmailAddress", "RealName", "Privileged", "Disabled")}


def queue_view(q):
    return {k: q.get(k) for k in ("Name", "Description", "CorrespondAddress", "CommentAddress", "Disabled")}


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--url", required=True)
    p.add_argument("--user", required=True)
    p.add_argument("--password", required=True)
    a = p.parse_args()
    tag = uuid.uuid4().hex[:8]
    ids = {}

    def named(text):
        text = str(text)
        for number, name in sorted(ids.items(), key=lambda kv: -len(kv[0])):
            text = re.sub(rf"\b{number}\b", name, text)
        return text.replace(tag, "TAG")

    r2 = rt.rest2.Rt(a.url + "/REST/2.0/", http_auth=httpx2.BasicAuth(a.user, a.password))
    r1 = rt.rest1.Rt(a.url + "/REST/1.0/", a.user, a.password)
    r1.login()
    env = dict(os.environ, RTSERVER=a.url, RTUSER=a.user, RTPASSWD=a.password, HOME=tempfile.mkdtemp())

    def cli(*args):
        r = subprocess.run(["rt", *args], env=env, capture_output=True, text=True, timeout=60)
        return [line for line in (r.stdout + r.stderr).splitlines() if line.strip() and not line.startswith("id:")]

    # Queues through REST2.
    q = f"q{tag}"
    qid = r2.create_queue(q, Description="first", CorrespondAddress=f"{q}@example.com")
    # RT names a queue in its change messages by number or by name, as its record cache has it.
    ids[str(qid)] = ids[q] = "QUEUE2"
    show("rest2 create_queue", named(qid))
    show("rest2 edit_queue", named(r2.edit_queue(q, Description="second")))
    show("rest2 edit_queue again", r2.edit_queue(q, Description="second"))
    show("rest2 get_queue", named(queue_view(r2.get_queue(q))))
    tried("rest2 create_queue twice", lambda: r2.create_queue(q))
    tried("rest2 edit_queue of none", lambda: r2.edit_queue(f"none{tag}", Description="x"))
    show("rest2 delete_queue", r2.delete_queue(q))
    show("rest2 get_queue after delete", named(queue_view(r2.get_queue(q))))

    # Queues through REST 1.0 and the CLI.
    q1 = f"r{tag}"
    qid1 = r1.create_queue(q1, Description="rest1 queue", CorrespondAddress=f"{q1}@example.com")
    ids[str(qid1)] = "QUEUE1"
    show("rest1 create_queue", named(qid1))
    show("rest1 edit_queue", named(r1.edit_queue(q1, Description="rest1 queue, changed")))
    got = r1.get_queue(q1)
    got.pop("SLADisabled", None)
    show("rest1 get_queue", named(got))
    tried("rest1 create_queue twice", lambda: r1.create_queue(q1))
    tried("rest1 edit_queue of none", lambda: r1.edit_queue(f"none{tag}", Description="x"))
    qc = f"c{tag}"
    created = cli("create", "-t", "queue", "set", f"name={qc}")
    match = re.search(r"Queue (\d+) created", " ".join(created))
    if match:
        ids[match.group(1)] = "QUEUEC"
    show("cli create queue", named([line for line in created if "created" in line]))
    show("cli edit queue", named(cli("edit", f"queue/{qc}", "set", "description=VMs", "set", f"correspondaddress={qc}@example.com")))
    show("cli show queue", named([line for line in cli("show", f"queue/{qc}") if not line.startswith("SLADisabled")]))

    # Privileged users through REST2.
    u = f"u{tag}"
    show("rest2 create_user", named(r2.create_user(u, f"{u}@example.com", RealName="U One", Privileged=1)))
    show("rest2 user_exists", r2.user_exists(u))
    show("rest2 edit_user", named(r2.edit_user(u, RealName="U Two")))
    show("rest2 edit_user again", r2.edit_user(u, RealName="U Two"))
    show("rest2 get_user", named(user_view(r2.get_user(u))))
    tried("rest2 create_user twice", lambda: r2.create_user(u, f"{u}@example.com", Privileged=1))
    tried("rest2 edit_user of none", lambda: r2.edit_user(f"none{tag}", RealName="x"))
    show("rest2 delete_user", r2.delete_user(u))
    show("rest2 user_exists after delete", r2.user_exists(u))
    show("rest2 get_user after delete", named(user_view(r2.get_user(u))))

    # Privileged users through REST 1.0 and the CLI.
    v = f"v{tag}"
    vid = r1.create_user(v, f"{v}@example.com", RealName="V One", Privileged=1)
    ids[str(vid)] = "USER1"
    show("rest1 create_user", named(vid))
    show("rest1 edit_user", named(r1.edit_user(v, RealName="V Two")))
    show("rest1 get_user", named(r1.get_user(v)))
    tried("rest1 create_user twice", lambda: r1.create_user(v, f"{v}@example.com", Privileged=1))
    tried("rest1 edit_user of none", lambda: r1.edit_user(f"none{tag}", RealName="x"))
    w = f"w{tag}"
    created = cli("create", "-t", "user", "set", f"name={w}", "set", f"emailaddress={w}@example.com",
                  "set", "realname=W One", "set", "privileged=1")
    match = re.search(r"User (\d+) created", " ".join(created))
    if match:
        ids[match.group(1)] = "USERC"
    show("cli create user", named(created))
    show("cli edit user", named(cli("edit", f"user/{w}", "set", "realname=W Two")))
    show("cli show user", named(cli("show", f"user/{w}")))
    # `u…` was disabled above: a search leaves it out.
    show("cli ls users", named(cli("ls", "-t", "user", f"Name like '{tag}'")))
    show("cli ls -s users", named(cli("ls", "-s", "-t", "user", f"Name like '{tag}'")))
    show("cli ls -i users", named(cli("ls", "-i", "-t", "user", f"EmailAddress like '{w}@'")))
    show("cli ls users, a bad operator", named(cli("ls", "-t", "user", "Name frob 'x'")))


if __name__ == "__main__":
    main()
