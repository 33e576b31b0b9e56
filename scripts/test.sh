#!/usr/bin/env bash
# The whole test suite, as README.md gives it and as CI runs it:
#   1. every Rust test (unit, store conformance, HTTP, CLI) on SQLite and on PostgreSQL;
#   2. RT's real clients (Debian's `rt` CLI, PyPI's `rt` rest1/rest2) against `varde demo`,
#      and one scenario run against the real RT 5 and Varde, which must end the same;
#   3. the browser tests: Playwright driving Debian's chromium against the same server;
#   4. between 1 and 2, the cluster test: three nodes behind Debian's HAProxy (tests/cluster).
# It starts what it needs on 127.0.0.1 with the project's own scripts in scripts/services/
# (PostgreSQL, Keystone, the reference RT, the SMTP sink) and stops it again. What is missing
# is installed from Debian and PyPI (Debian's packages need root, as on CI).
set -euo pipefail
cd "$(dirname "$0")/.."
services=$(pwd)/scripts/services
cleanup=()
trap 'for c in "${cleanup[@]}"; do eval "$c" || true; done' EXIT

# 1. PostgreSQL on a loopback port, unless the caller already has one.
if [ -z "${VARDE_TEST_PG_URL:-}" ]; then
  eval "$(bash "$services/postgres/start.sh")"
  cleanup+=("bash '$services/postgres/stop.sh' '$PGDATA_DIR'")
fi
echo "== PostgreSQL for tests: $VARDE_TEST_PG_URL"

# A real OpenStack Keystone on 127.0.0.1:5000 (PyPI keystone, SQLite) for the onboarding
# tests, installed and started while the build runs; unless the caller has one (OS_AUTH_URL).
if [ -z "${OS_AUTH_URL:-}" ]; then
  ks_dir=${VARDE_KEYSTONE_DIR:-/tmp/varde-keystone}
  (bash "$services/keystone/setup.sh" "$ks_dir" >"$ks_dir.env" 2>"$ks_dir.log"; echo $? >"$ks_dir.rc") &
  keystone_setup=$!
  cleanup+=("bash '$services/keystone/stop.sh' '$ks_dir'")
fi

# Chromium prints report PDFs (a Rust test renders one with poppler's pdftoppm) and runs
# the browser tests.
if [ ! -x /usr/bin/chromium ] || ! command -v pdftoppm >/dev/null; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core poppler-utils >/dev/null
fi

# Debian's HAProxy balances the cluster test's three nodes.
if ! command -v haproxy >/dev/null && [ ! -x /usr/sbin/haproxy ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends haproxy >/dev/null
fi

# RT's real clients: the Rust tests run rt-mailgate, step 3 the rt CLI and PyPI's rt.
if ! command -v rt >/dev/null; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends rt5-clients >/dev/null
fi
python3 -c 'import rt.rest2' 2>/dev/null || pip install -q rt==3.8.1
# A real SMTP server (aiosmtpd) in the cluster test.
python3 -c 'import aiosmtpd' 2>/dev/null || pip install -q aiosmtpd==1.4.6

# 2. Build once, test once.
cargo build --workspace --all-targets --locked
if [ -n "${keystone_setup:-}" ]; then
  wait "$keystone_setup" || true
  [ "$(cat "$ks_dir.rc")" = 0 ] || { cat "$ks_dir.log"; exit 1; }
  eval "$(cat "$ks_dir.env")"
fi
echo "== Keystone for tests: $OS_AUTH_URL"
cargo test --workspace --locked

# Several nodes: three `varde serve` on one PostgreSQL behind HAProxy, exactly-once checks,
# a node killed with -9 and PostgreSQL stopped for 10 s under a mail burst.
python3 tests/cluster/cluster.py --varde ./target/debug/varde --pg-url "$VARDE_TEST_PG_URL" --pg-dir "${PGDATA_DIR:-}" --mails 10000

# 3. RT's real clients and the browser, against a demo server on a free port.
[ -d e2e/node_modules/@playwright/test ] && [ -d e2e/node_modules/@axe-core/playwright ] || (cd e2e && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund)
port=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
data=$(mktemp -d)
# The demo onboards in the real Keystone, under a domain prefix of its own.
./target/debug/varde demo --listen "127.0.0.1:$port" --data "$data/demo" \
  --keystone-url "$OS_AUTH_URL" --keystone-password "$OS_PASSWORD" \
  --keystone-domain-prefix "demo$(date +%s)" >"$data/demo.log" 2>&1 &
server=$!
cleanup+=("kill $server; rm -rf '$data'")
for _ in $(seq 1 100); do
  curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
  sleep 0.1
done
curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null || { cat "$data/demo.log"; exit 1; }
python3 tests/rt-compat/compat.py --url "http://127.0.0.1:$port" --user agent@example.com --password varde-demo-agent --admin admin@example.com --admin-password varde-demo-admin || { tail -50 "$data/demo.log"; exit 1; }
# The same scenario on the real RT 5 and on Varde must end the same (RT is Debian's package,
# started on 127.0.0.1:8085 by scripts/services/rt/setup.sh, which needs root).
rt_url=${VARDE_RT_URL:-http://127.0.0.1:8085}
if ! curl -fsS -o /dev/null "$rt_url/REST/1.0/" 2>/dev/null && [ "$(id -u)" = 0 ]; then
  bash "$services/rt/setup.sh" >/dev/null
  cleanup+=("bash '$services/rt/stop.sh' >/dev/null")
fi
if curl -fsS -o /dev/null "$rt_url/REST/1.0/" 2>/dev/null; then
  bash tests/rt-compat/compare.sh "$rt_url" "http://127.0.0.1:$port" agent@example.com varde-demo-agent admin@example.com varde-demo-admin
  # RT's history into Varde: fill the real RT through its clients, import it, and read every
  # ticket through the rt CLI and rest2 on both (tests/rt-compat/import.sh).
  bash tests/rt-compat/import.sh "$rt_url" "sqlite://${RT_STATE:-/var/lib/rt-anchor}/rtdb" ./target/debug/varde
else
  echo "== the real RT is not running at $rt_url and cannot be installed without root: comparison not run" >&2
  exit 1
fi
(cd e2e && VARDE_URL="http://127.0.0.1:$port" env -u SMTP_SINK_DIR npx --no-install playwright test) || { tail -50 "$data/demo.log"; exit 1; }
# The customer's whole journey (e2e/journey.spec.js, skipped above) reads the mail Varde sends:
# it runs against a demo server of its own whose mail goes to the project's SMTP sink, one .eml
# file per message in $SMTP_SINK_DIR. The server above keeps its mail in the outbox on purpose:
# onboarding.spec.js watches a run that stays on the board while its welcome mail waits for a
# relay (with one the run completes), and compat.py reads histories that sent mail adds to.
mail=$(mktemp -d)
eval "$(bash "$services/smtp-sink/start.sh" "$mail/sink")"
[ -n "${SMTP_SINK_PID:-}" ] || { echo "== the SMTP sink did not start" >&2; exit 1; }
mail_port=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
./target/debug/varde demo --listen "127.0.0.1:$mail_port" --data "$mail/demo" \
  --smtp "smtp://127.0.0.1:$SMTP_SINK_PORT" >"$mail/demo.log" 2>&1 &
mail_server=$!
cleanup+=("kill $mail_server; kill $SMTP_SINK_PID; rm -rf '$mail'")
for _ in $(seq 1 100); do
  curl -fsS "http://127.0.0.1:$mail_port/healthz" >/dev/null 2>&1 && break
  sleep 0.1
done
curl -fsS "http://127.0.0.1:$mail_port/healthz" >/dev/null || { cat "$mail/demo.log"; exit 1; }
(cd e2e && VARDE_URL="http://127.0.0.1:$mail_port" SMTP_SINK_DIR="$SMTP_SINK_DIR" npx --no-install playwright test journey.spec.js) || { tail -50 "$mail/demo.log"; exit 1; }
echo "== all tests passed"
