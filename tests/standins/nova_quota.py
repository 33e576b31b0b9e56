#!/usr/bin/env python3
"""A STAND-IN for Nova's compute quota API (`os-quota-sets`), for tests: Nova cannot run on
this machine, Keystone can. It speaks only the contract of Nova's API reference
(https://docs.openstack.org/api-ref/compute/#quota-sets-os-quota-sets) and is honest in four
ways (see ../shared/services/keystone/NOTES.md):

1. every X-Auth-Token is validated against the REAL Keystone (GET /v3/auth/tokens), the
   caller needs the admin role, and project ids Keystone does not know get 404;
2. it registers itself in Keystone's catalog as the `compute` service's public endpoint
   (http://127.0.0.1:PORT/v2.1), so Varde finds it through the catalog as in production;
3. it keeps state and a request log (GET /_standin/log) so tests assert the exact calls;
4. its shapes are Nova's samples: GET/PUT/DELETE /v2.1/os-quota-sets/{project}[/detail|/defaults].

    python3 nova_quota.py --port 0 --keystone http://127.0.0.1:5000/v3 --admin-password PW
prints `listening on PORT` once it is registered, then serves until killed.
"""
import argparse
import json
import threading
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

DEFAULTS = {
    "instances": 10, "cores": 20, "ram": 51200, "key_pairs": 100, "metadata_items": 128,
    "server_groups": 10, "server_group_members": 10, "injected_files": 5,
    "injected_file_content_bytes": 10240, "injected_file_path_bytes": 255,
    "fixed_ips": -1, "floating_ips": -1, "security_groups": -1, "security_group_rules": -1,
}
NETWORK_KEYS = {"fixed_ips", "floating_ips", "security_groups", "security_group_rules"}
FILE_KEYS = {"injected_files", "injected_file_content_bytes", "injected_file_path_bytes"}


def keystone(method, url, token=None, body=None, subject=None):
    req = urllib.request.Request(url, method=method, data=json.dumps(body).encode() if body is not None else None)
    req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("X-Auth-Token", token)
    if subject:
        req.add_header("X-Subject-Token", subject)
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            raw = r.read()
            return r.status, dict(r.headers), json.loads(raw) if raw else {}
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), {}


class State:
    def __init__(self, args):
        self.args = args
        self.quotas = {}
        self.log = []
        self.lock = threading.Lock()

    def admin_token(self):
        a = self.args
        status, headers, _ = keystone("POST", f"{a.keystone}/auth/tokens", body={"auth": {
            "identity": {"methods": ["password"], "password": {"user": {
                "name": "admin", "domain": {"id": "default"}, "password": a.admin_password}}},
            "scope": {"project": {"name": "admin", "domain": {"id": "default"}}}}})
        assert status == 201, f"admin token: {status}"
        return headers.get("X-Subject-Token") or headers.get("x-subject-token")

    def register(self, port):
        """Makes this server the catalog's public compute endpoint in RegionOne."""
        k, tok = self.args.keystone, self.admin_token()
        _, _, v = keystone("GET", f"{k}/services?type=compute", tok)
        if v.get("services"):
            service = v["services"][0]["id"]
        else:
            _, _, v = keystone("POST", f"{k}/services", tok, {"service": {"type": "compute", "name": "nova"}})
            service = v["service"]["id"]
        url = f"http://127.0.0.1:{port}/v2.1"
        _, _, v = keystone("GET", f"{k}/endpoints?service_id={service}&interface=public", tok)
        mine = [e for e in v.get("endpoints", []) if e.get("region_id") in (self.args.region, None)]
        if mine:
            keystone("PATCH", f"{k}/endpoints/{mine[0]['id']}", tok, {"endpoint": {"url": url}})
        else:
            keystone("POST", f"{k}/endpoints", tok, {"endpoint": {
                "service_id": service, "interface": "public", "region_id": self.args.region, "url": url}})


def visible(quota_set, version):
    minor = int(version.split(".")[1]) if version and "." in version else 1
    out = dict(quota_set)
    if minor >= 36:
        for k in NETWORK_KEYS:
            out.pop(k, None)
    if minor >= 57:
        for k in FILE_KEYS:
            out.pop(k, None)
    return out


def handler_for(state):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *a):
            pass

        def reply(self, status, body=None):
            raw = json.dumps(body).encode() if body is not None else b""
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)

        def fault(self, status, message):
            names = {400: "badRequest", 401: "unauthorized", 403: "forbidden", 404: "itemNotFound"}
            self.reply(status, {names.get(status, "computeFault"): {"code": status, "message": message}})

        def route(self, method):
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            if self.path == "/_standin/log" and method == "GET":
                with state.lock:
                    return self.reply(200, {"log": state.log})
            with state.lock:
                state.log.append({"method": method, "path": self.path, "body": json.loads(body) if body else None})
            parts = self.path.split("?")[0].strip("/").split("/")
            if len(parts) < 3 or parts[:2] != ["v2.1", "os-quota-sets"]:
                return self.fault(404, "not a quota-set path")
            token = self.headers.get("X-Auth-Token")
            if not token:
                return self.fault(401, "no X-Auth-Token")
            admin = state.admin_token()
            status, _, t = keystone("GET", f"{state.args.keystone}/auth/tokens", admin, subject=token)
            if status != 200:
                return self.fault(401, "Keystone does not know this token")
            if "admin" not in [r["name"] for r in t["token"].get("roles", [])]:
                return self.fault(403, "Policy doesn't allow os_compute_api:os-quota-sets to be performed.")
            project, rest = parts[2], parts[3:]
            status, _, _ = keystone("GET", f"{state.args.keystone}/projects/{project}", admin)
            if status != 200:
                return self.fault(404, f"Project {project} could not be found.")
            version = (self.headers.get("OpenStack-API-Version") or "compute 2.1").split()[-1]
            with state.lock:
                current = dict(DEFAULTS, **state.quotas.get(project, {}))
                if method == "GET" and rest == ["defaults"]:
                    return self.reply(200, {"quota_set": dict(visible(DEFAULTS, version), id=project)})
                if method == "GET" and rest == ["detail"]:
                    detail = {k: {"in_use": 0, "limit": v, "reserved": 0} for k, v in visible(current, version).items()}
                    return self.reply(200, {"quota_set": dict(detail, id=project)})
                if method == "GET" and not rest:
                    return self.reply(200, {"quota_set": dict(visible(current, version), id=project)})
                if method == "PUT" and not rest:
                    try:
                        wanted = json.loads(body)["quota_set"]
                    except (ValueError, KeyError, TypeError):
                        return self.fault(400, "a body {\"quota_set\": {…}} is required")
                    for k, v in wanted.items():
                        if k in ("force",):
                            continue
                        if k not in visible(DEFAULTS, version):
                            return self.fault(400, f"Invalid input for field/attribute quota_set. Additional properties are not allowed ('{k}' was unexpected)")
                        if not isinstance(v, int) or v < -1:
                            return self.fault(400, f"Invalid input for field/attribute {k}.")
                    state.quotas.setdefault(project, {}).update({k: v for k, v in wanted.items() if k != "force"})
                    current = dict(DEFAULTS, **state.quotas[project])
                    return self.reply(200, {"quota_set": visible(current, version)})
                if method == "DELETE" and not rest:
                    state.quotas.pop(project, None)
                    return self.reply(202)
            return self.fault(404, "no such quota-set resource")

        def do_GET(self):
            self.route("GET")

        def do_PUT(self):
            self.route("PUT")

        def do_DELETE(self):
            self.route("DELETE")

    return Handler


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--keystone", required=True)
    p.add_argument("--admin-password", required=True)
    p.add_argument("--region", default="RegionOne")
    args = p.parse_args()
    state = State(args)
    server = ThreadingHTTPServer(("127.0.0.1", args.port), handler_for(state))
    port = server.server_address[1]
    state.register(port)
    print(f"listening on {port}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
