#!/usr/bin/env python3
"""RT compatibility suite: the real clients against a running Varde.

Runs Debian's `rt` CLI (rt5-clients) and PyPI's `rt` library (rest1 and rest2) unchanged,
covering create, show, search, comment, correspond, edit, take/steal/untake, link, merge,
history, transactions and attachments, and asserts on the state each leaves behind.

    python3 tests/rt-compat/compat.py --url http://127.0.0.1:8080 --user agent@example.com --password PW
"""
import argparse
import os
import subprocess
import sys
import tempfile

import httpx2
import rt.exceptions
import rt.rest1
import rt.rest2

failures = []


def check(name, ok, detail=""):
    print(("ok   " if ok else "FAIL ") + name + (f"  ({detail})" if detail and not ok else ""))
    if not ok:
        failures.append(name)


def cli(args, env, stdin=None):
    r = subprocess.run(["rt", *args], env=env, capture_output=True, text=True, input=stdin, timeout=60)
    return r.returncode, r.stdout + r.stderr


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--url", required=True)
    p.add_argument("--user", required=True)
    p.add_argument("--password", required=True)
    p.add_argument("--admin", help="an administrator, for the users' and queues' checks")
    p.add_argument("--admin-password")
    a = p.parse_args()

    # --- PyPI rt, REST2 (basic auth on every call) ---
    r2 = rt.rest2.Rt(a.url + "/REST/2.0/", http_auth=httpx2.BasicAuth(a.user, a.password))
    tid = r2.create_ticket("General", subject="compat: disk full", content="Volume vol-9 is at 100%.",
                           Requestor="carol@customer.example", Priority=10, CustomFields={"Site": "se-sto1"})
    check("rest2 create", isinstance(tid, int) and tid > 0, tid)
    t = r2.get_ticket(tid)
    check("rest2 get", t["Subject"] == "compat: disk full" and t["Status"] == "new" and t["Queue"]["Name"] == "General"
          and [x["id"] for x in t["Requestor"]] == ["carol@customer.example"] and t["Priority"] == "10", t)
    check("rest2 custom field", any(cf["name"] == "Site" and cf["values"] == ["se-sto1"] for cf in t["CustomFields"]), t["CustomFields"])
    check("rest2 reply", r2.reply(tid, content="We are on it.") is True)
    check("rest2 reply opens a new ticket", r2.get_ticket(tid)["Status"] == "open")
    check("rest2 comment", r2.comment(tid, content="internal: hypervisor ok") is True)
    check("rest2 edit", r2.edit_ticket(tid, Priority=50, Subject="compat: disk full on vol-9") is True)
    t = r2.get_ticket(tid)
    check("rest2 edit applied", t["Priority"] == "50" and t["Subject"] == "compat: disk full on vol-9", t)
    check("rest2 take", r2.take(tid) is True and r2.get_ticket(tid)["Owner"]["id"] == a.user)
    check("rest2 untake", r2.untake(tid) is True and r2.get_ticket(tid)["Owner"]["id"] == "Nobody")
    check("rest2 steal of an unowned ticket is refused, as in RT", r2.steal(tid) is False and r2.get_ticket(tid)["Owner"]["id"] == "Nobody")
    queues = r2.get_all_queues()
    check("rest2 all queues", any(q["Name"] == "General" and "Description" in q for q in queues), queues)
    check("rest2 take again", r2.take(tid) is True and r2.get_ticket(tid)["Owner"]["id"] == a.user)
    found = [x["id"] for x in r2.search(raw_query=f"id = {tid} AND Status = '__Active__'")]
    check("rest2 search", found == [str(tid)], found)
    found = [x["id"] for x in r2.search(raw_query="Requestor.EmailAddress = 'carol@customer.example' AND Subject LIKE 'vol-9'")]
    check("rest2 search by requestor", str(tid) in found, found)
    found = [x["id"] for x in r2.search(raw_query="Content LIKE 'hypervisor'")]
    check("rest2 full-text search", str(tid) in found, found)
    history = r2.get_ticket_history(tid)
    types = [h["Type"] for h in history]
    # RT 5 records each owner change as a Set of the Owner field.
    check("rest2 history", types[:3] == ["Create", "Correspond", "Status"] and "Comment" in types and types[-3:] == ["Set", "Set", "Set"], types)
    tx = r2.get_transaction(history[0]["id"])
    check("rest2 transaction", tx["Type"] == "Create" and tx["Object"]["id"] == str(tid), tx)
    att = r2.create_ticket("General", subject="compat: attachment", content="see log",
                           attachments=[rt.rest2.Attachment("kern.log", "text/plain", b"kernel: oops")])
    ids = r2.get_attachments_ids(att)
    check("rest2 attachment listed", len(ids) == 1, ids)
    got = r2.get_attachment(ids[0]) if ids else {}
    check("rest2 attachment content", got.get("Filename") == "kern.log", got.get("Filename"))
    other = r2.create_ticket("General", subject="compat: duplicate", content="dup")
    check("rest2 link", r2.edit_link(tid, "DependsOn", other) is True)
    check("rest2 links listed", any(l["id"] == str(other) for l in r2.get_links(tid)), r2.get_links(tid))
    check("rest2 merge", r2.merge_ticket(other, tid) is True)
    check("rest2 merged id resolves to survivor", str(r2.get_ticket(other)["id"]) == str(tid))
    try:
        r2.get_ticket(999999)
        check("rest2 missing ticket is 404", False)
    except rt.exceptions.NotFoundError:
        check("rest2 missing ticket is 404", True)
    bad = rt.rest2.Rt(a.url + "/REST/2.0/", http_auth=httpx2.BasicAuth(a.user, "wrong password"))
    try:
        bad.get_ticket(tid)
        check("rest2 bad password is refused", False)
    except rt.exceptions.AuthorizationError:
        check("rest2 bad password is refused", True)

    # --- PyPI rt, REST 1.0 (login once, then the session cookie) ---
    r1 = rt.rest1.Rt(a.url + "/REST/1.0/", a.user, a.password)
    check("rest1 login", r1.login() is True)
    t1 = r1.create_ticket(Queue="General", Subject="compat: rest1", Text="first line\nsecond line", Requestors="dave@other.example")
    check("rest1 create", isinstance(t1, int) and t1 > 0, t1)
    g = r1.get_ticket(t1)
    check("rest1 get", g["Subject"] == "compat: rest1" and g["Status"] == "new" and g["Requestors"] == ["dave@other.example"], g)
    check("rest1 reply", r1.reply(t1, text="answer") is True)
    check("rest1 comment", r1.comment(t1, text="note") is True)
    check("rest1 edit", r1.edit_ticket(t1, Status="resolved") is True and r1.get_ticket(t1)["Status"] == "resolved")
    found = [x["id"] for x in r1.search(Queue="General", Status="resolved")]
    check("rest1 search", f"ticket/{t1}" in found, found)
    hist = r1.get_history(t1)
    # python-rt sends the plural Requestors, which RT applies after creating: Create, AddWatcher.
    check("rest1 history", [h["Type"] for h in hist][:3] == ["Create", "AddWatcher", "Correspond"], [h["Type"] for h in hist])

    # --- Debian's rt CLI (multipart, cookie kept in ~/.rt_sessions) ---
    home = tempfile.mkdtemp()
    env = dict(os.environ, RTSERVER=a.url, RTUSER=a.user, RTPASSWD=a.password, HOME=home)
    code, out = cli(["create", "-t", "ticket", "set", "queue=General", "set", "subject=compat: cli", "set", "requestor=erin@third.example", "set", "text=made by the CLI"], env)
    check("cli create", code == 0 and "created" in out, out)
    cid = int(out.split("Ticket ")[1].split(" ")[0]) if "Ticket " in out else 0
    code, out = cli(["ls", "-s", f"id = {cid}"], env)
    check("cli ls", out.strip() == f"{cid}: compat: cli", out)
    code, out = cli(["ls", "-i", "Subject LIKE 'compat'"], env)
    check("cli ls -i", f"ticket/{cid}" in out.split(), out)
    code, out = cli(["comment", "-m", "cli comment", str(cid)], env)
    check("cli comment", "Comments added" in out, out)
    code, out = cli(["correspond", "-m", "cli reply", str(cid)], env)
    check("cli correspond", "Correspondence added" in out, out)
    code, out = cli(["edit", f"ticket/{cid}", "set", "status=stalled", "set", "priority=20"], env)
    check("cli edit", "updated" in out, out)
    code, out = cli(["show", "-f", "status,priority", f"ticket/{cid}"], env)
    check("cli show fields", "Status: stalled" in out and "Priority: 20" in out and "Subject" not in out, out)
    code, out = cli(["show", "-t", "ticket", str(cid)], env)
    check("cli show with history", "made by the CLI" in out and "cli reply" in out and "===> Comments added" in out, out)
    code, out = cli(["link", str(cid), "refersto", str(tid)], env)
    check("cli link", code == 0 and out.strip() == f"Ticket {cid} refers to Ticket {tid}. Created link {cid} RefersTo {tid}", out)
    code, out = cli(["link", str(tid), "dependedonby", str(cid)], env)
    check("cli link, seen from the other side", out.strip() == f"Ticket {cid} depends on Ticket {tid}. Created link {tid} DependedOnBy {cid}", out)
    code, out = cli(["show", f"ticket/{cid}/history", "-f", "type"], env)
    lines = out.splitlines()
    types = [l.split(": ", 1)[1] for l in lines if l.startswith("Type: ")]
    check("cli history with a field list", "Create" in types and "Correspond" in types
          and sum(1 for l in lines if l.startswith("id: ")) == len(types)
          and not any(l.startswith(("Content", "Creator", "Description")) for l in lines), out)
    links = r1.get_links(cid) or {}
    check("rest1 links", any(l.endswith(f"/ticket/{tid}") for l in links.get("RefersTo", [])) and any(l.endswith(f"/ticket/{tid}") for l in links.get("DependsOn", [])), links)
    code, out = cli(["show", f"ticket/{cid}/links"], env)
    check("cli show links", f"RefersTo: fsck.com-rt://" in out and f"/ticket/{tid}" in out, out)
    me = r1.get_user(a.user) or {}
    check("rest1 user (one's own)", me.get("EmailAddress") == a.user and me.get("Privileged") == "1", me)
    them = r1.get_user("carol@customer.example") or {}
    check("rest1 user (a requestor)", them.get("EmailAddress") == "carol@customer.example", them)
    check("rest1 user that does not exist", r1.get_user(987654) is None)
    # take, untake and steal: the CLI sends all three to ticket/<id>/take with Action: …
    code, out = cli(["take", str(cid)], env)
    check("cli take", out.strip() == f"# Owner changed from Nobody to {a.user}", out)
    code, out = cli(["take", str(cid)], env)
    check("cli take twice", "# That user already owns that ticket" in out, out)
    code, out = cli(["untake", str(cid)], env)
    check("cli untake", out.strip() == f"# Owner changed from {a.user} to Nobody", out)
    code, out = cli(["untake", str(cid)], env)
    check("cli untake an unowned ticket", "# That user already owns that ticket" in out, out)
    code, out = cli(["steal", str(cid)], env)
    check("cli steal of an unowned ticket", "# You can only steal a ticket owned by someone else" in out, out)
    try:  # RT answers the refusal with 400 Bad Request, which python rt raises
        refused = r1.untake(cid) is False
    except rt.exceptions.BadRequestError as e:
        refused = "already owns" in str(e)
    check("rest1 untake of an unowned ticket is refused", refused)
    check("rest1 take", r1.take(cid) is True and r1.get_ticket(cid)["Owner"] == a.user)
    check("rest1 untake", r1.untake(cid) is True and r1.get_ticket(cid)["Owner"] == "Nobody")
    code, out = cli(["show", "-f", "id", f"ticket/99999"], env)
    check("cli missing ticket", "does not exist" in out, out)
    code, out = cli(["merge", str(t1), str(cid)], env)
    check("cli merge", out.strip() == "# Merge completed.", out)
    check("cli merge visible to rest2", str(r2.get_ticket(t1)["id"]) == str(cid))

    # Queues, users by address, several tickets, attachments: as RT 5.0.3 answers them.
    code, out = cli(["show", "queue/General"], env)
    check("cli show queue", "id: queue/" in out and "Name: General" in out and "SLADisabled:" in out, out)
    code, out = cli(["show", "queue/NoSuchQueue"], env)
    check("cli show missing queue", "# No queue named NoSuchQueue exists." in out, out)
    code, out = cli(["ls", "-t", "queue"], env)
    check("cli ls queues", "Name: General" in out, out)
    code, out = cli(["show", f"user/{a.user}"], env)
    check("cli show user by address", f"EmailAddress: {a.user}" in out and "Privileged: 1" in out, out)
    code, out = cli(["show", "-t", "ticket", f"{tid},{cid}", "-f", "id,subject"], env)
    check("cli show several tickets", f"id: ticket/{tid}" in out and f"id: ticket/{cid}" in out and "\n--\n" in out, out)
    code, out = cli(["show", f"ticket/{att}/attachments"], env)
    check("cli show attachments", "kern.log (" in out and "b)" in out, out)
    code, out = cli(["ls", "-f", "id,subject,owner", f"id = {att}"], env)
    check("cli ls with a field list (RT's table)", out.splitlines()[:2] == ["id\tOwner\tSubject", f"{att}\tNobody\tcompat: attachment"], out)
    listed = r1.get_attachments_ids(att) or []
    check("rest1 attachments", len(listed) >= 1, listed)
    kern = [i for i in listed if (r1.get_attachment(att, i) or {}).get("Filename") == "kern.log"]
    check("rest1 attachment", len(kern) == 1, listed)
    if kern:
        code, out = cli(["show", f"ticket/{att}/attachments/{kern[0]}/content"], env)
        check("cli attachment content", out.rstrip("\n") == "kernel: oops", repr(out))
        check("rest1 attachment content", r1.get_attachment_content(att, kern[0]) == b"kernel: oops")
    code, out = cli(["show", f"ticket/{att}/attachments/999999/content"], env)
    check("cli missing attachment", "# Invalid attachment id: 999999" in out, out)
    # `add requestor=` is no field of RT's form: RT names it and changes nothing; `requestors`
    # adds and deletes one address.
    code, out = cli(["edit", f"ticket/{att}", "add", "requestor=x1@fourth.example"], env)
    code2, shown = cli(["show", f"ticket/{att}", "-f", "requestors"], env)
    check("cli add requestor (RT's unknown field)", "# requestor: Unknown field." in out and "x1@fourth.example" not in shown, out + shown)
    cli(["edit", f"ticket/{att}", "add", "requestors=x2@fourth.example"], env)
    code, shown = cli(["show", f"ticket/{att}", "-f", "requestors"], env)
    check("cli add requestors keeps the others", "x2@fourth.example" in shown and "," in shown, shown)
    cli(["edit", f"ticket/{att}", "del", "requestors=x2@fourth.example"], env)
    code, shown = cli(["show", f"ticket/{att}", "-f", "requestors"], env)
    check("cli del requestors", "x2@fourth.example" not in shown and "Requestors: " in shown, shown)
    # python rt's edit_ticket_links sets each named kind to exactly the given tickets.
    check("rest1 edit_ticket_links", r1.edit_ticket_links(att, RefersTo=tid, DependsOn=cid) is True)
    got = r1.get_links(att) or {}
    check("rest1 links after edit_ticket_links", [l.rsplit("/", 1)[1] for l in got.get("RefersTo", [])] == [str(tid)]
          and [l.rsplit("/", 1)[1] for l in got.get("DependsOn", [])] == [str(cid)], got)
    check("rest1 edit_ticket_links removes with an empty value", r1.edit_ticket_links(att, RefersTo="") is True
          and "RefersTo" not in (r1.get_links(att) or {}))
    queues = r1.get_queue("General") or {}
    check("rest1 queue", queues.get("Name") == "General", queues)

    # REST2's saved searches (the demo's agent keeps two) and custom fields, as raw HTTP:
    # python-rt has no calls for them.
    http = httpx2.Client(base_url=a.url + "/REST/2.0/", auth=httpx2.BasicAuth(a.user, a.password))
    kept = http.get("searches", params={"fields": "Description"}).json()
    names = [i.get("Description") for i in kept.get("items", [])]
    check("rest2 saved searches", "Open and mine" in names, kept)
    mine = [i["id"] for i in kept.get("items", []) if i.get("Description") == "Open and mine"]
    if mine:
        s = http.get(f"search/{mine[0]}").json()
        check("rest2 saved search", "Owner" in s.get("Content", {}).get("Query", ""), s)
        run = http.get("tickets", params={"search": mine[0], "fields": "Owner"}).json()
        check("rest2 tickets of a saved search", run.get("total", 0) >= 1
              and all(i["Owner"]["id"] == a.user for i in run["items"]), run)
    fields = http.post("customfields", json=[{"field": "Name", "value": "Site"}]).json()
    check("rest2 custom fields searched", fields.get("total", 0) >= 1, fields)
    if fields.get("items"):
        cf = http.get(f"customfield/{fields['items'][0]['id']}").json()
        check("rest2 custom field", cf.get("Name") == "Site" and "se-sto1" in cf.get("Values", []), cf)

    if a.admin:
        administration(a)

    print(f"\n{len(failures)} failure(s)")
    return 1 if failures else 0


def administration(a):
    """Users and queues, as an administrator: what Varde does beside RT (RT's side is compared
    by records.py): RT's login names log in, requestors are contacts, queues keep their name
    and their SLA, custom fields are read."""
    import uuid
    tag = uuid.uuid4().hex[:6]
    r2 = rt.rest2.Rt(a.url + "/REST/2.0/", http_auth=httpx2.BasicAuth(a.admin, a.admin_password))
    name, password = f"ops{tag}", "a long pass phrase for ops"
    made = r2.create_user(name, f"{name}@example.com", RealName="Ops", Privileged=1, Password=password)
    check("rest2 create_user with a password", made == name, made)
    env = dict(os.environ, RTSERVER=a.url, RTUSER=name, RTPASSWD=password, HOME=tempfile.mkdtemp())
    code, out = cli(["show", f"user/{name}"], env)
    check("cli logs in with RT's login name", f"Name: {name}" in out and "RealName: Ops" in out, out)
    r1 = rt.rest1.Rt(a.url + "/REST/1.0/", name, password)
    check("rest1 logs in with RT's login name", r1.login() is True)
    got = r2.create_user("kunde", f"kunde{tag}@sikt.no", RealName="Kunde")
    check("rest2 an unprivileged user is a contact of its domain's organisation", got == f"kunde{tag}@sikt.no"
          and r2.user_exists(got, privileged=False) and not r2.user_exists(got), got)
    try:
        r2.create_user("x", f"x{tag}@nowhere.example")
        check("rest2 an unprivileged user outside every organisation is refused", False)
    except rt.exceptions.BadRequestError as e:
        check("rest2 an unprivileged user outside every organisation is refused", "no organisation has the mail domain" in str(e), e)
    try:
        r2.edit_queue("General", Name="Renamed")
        check("rest2 a queue keeps its name", False)
    except rt.exceptions.BadRequestError as e:
        check("rest2 a queue keeps its name", "keeps its name" in str(e), e)
    admin_env = dict(os.environ, RTSERVER=a.url, RTUSER=a.admin, RTPASSWD=a.admin_password, HOME=tempfile.mkdtemp())
    code, out = cli(["show", "queue/General/ticketcustomfields"], admin_env)
    check("cli show a queue's ticket custom fields", "Site: " in out and "Service: " in out, out)
    code, out = cli(["create", "-t", "queue", "set", f"name=Q{tag}"], admin_env)
    check("cli create queue", code == 0 and "created." in out and "Syntax" not in out and "#" in out, out)
    code, out = cli(["create", "-t", "user", "set", f"name=w{tag}", "set", "email=w@example.com"], admin_env)
    check("cli create user without an address (RT's 'email' is no field)", "# Could not create user." in out, out)


if __name__ == "__main__":
    sys.exit(main())
