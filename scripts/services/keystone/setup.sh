#!/usr/bin/env bash
# OpenStack Keystone for Varde's tests: the real Keystone server from PyPI (keystone 30.0.0,
# pinned with the rest of its dependencies in constraints.txt beside this script), on SQLite
# with fernet tokens, served by gunicorn on 127.0.0.1 only. Onboarding creates domains,
# projects, users, role assignments, application credentials and EC2 keys in it
# (crates/varde-notify/tests/onboarding.rs, crates/varde/tests/cli/onboarding.rs, and the
# demo server that scripts/test.sh starts with --keystone-url).
#
#   eval "$(bash scripts/services/keystone/setup.sh [DIR])"   # DIR defaults to /tmp/keystone
#   bash scripts/services/keystone/stop.sh [DIR]
#
# stdout carries ONLY `export` lines, which the tests read:
#   OS_AUTH_URL=http://127.0.0.1:5000/v3  OS_IDENTITY_API_VERSION=3  OS_AUTH_TYPE=password
#   OS_USERNAME=admin  OS_PASSWORD=keystone-admin-pw  OS_PROJECT_NAME=admin
#   OS_USER_DOMAIN_ID=default  OS_PROJECT_DOMAIN_ID=default  OS_REGION_NAME=RegionOne
#   KEYSTONE_DIR=DIR  KEYSTONE_PID=<gunicorn master>
# Progress goes to stderr, pip's and keystone-manage's output to DIR/setup.log.
#
# Idempotent: re-running reuses the venv, keys, DB and a running server (0.2 s when it is up,
# about 3 s when installed but stopped, about 1 min from nothing, mostly pip). Needs python3,
# curl and awk; the only thing it installs system-wide is Debian's python3-venv when missing
# (as root); everything else lives in DIR:
#   DIR/venv                 keystone + gunicorn        DIR/keystone.conf, DIR/keystone_wsgi.py
#   DIR/keystone.db          SQLite (+ .pristine copy)  DIR/fernet-keys, DIR/credential-keys
#   DIR/keystone.pid         gunicorn master            DIR/*.log
#
# Environment knobs (all optional):
#   KS_PORT            listen port on 127.0.0.1           (default 5000)
#   KS_ADMIN_PASSWORD  bootstrap admin password           (default keystone-admin-pw)
#   KS_WORKERS         gunicorn sync workers              (default 1; SQLite -> keep it 1)
#   KS_START_TIMEOUT   seconds to wait for a first token  (default 90)
#   KS_RESET=1         stop our server, restore the just-bootstrapped DB, restart (~5 s)
#   KS_INSTALL_OSC=1   also install python-openstackclient into DIR/osc-venv
#   KS_NO_CONSTRAINTS=1  ignore constraints.txt (take newest from PyPI)
set -euo pipefail

DIR="${1:-/tmp/keystone}"
mkdir -p "$DIR"
DIR="$(cd "$DIR" && pwd)"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
HOST=127.0.0.1
PORT="${KS_PORT:-5000}"
PW="${KS_ADMIN_PASSWORD:-keystone-admin-pw}"
WORKERS="${KS_WORKERS:-1}"
START_TIMEOUT="${KS_START_TIMEOUT:-90}"
URL="http://$HOST:$PORT/v3"
VENV="$DIR/venv"
CONF="$DIR/keystone.conf"
PIDFILE="$DIR/keystone.pid"
LOG="$DIR/setup.log"

log() { echo "[keystone-setup] $*" >&2; }
die() { log "ERROR: $*"; exit 1; }
export PYTHONWARNINGS=ignore   # silence eventlet/pycadf deprecation noise from keystone-manage
# venv PATH: Debian's python3 makes venvs only with python3-venv, installed here when missing
# (as root; that is the only Debian package this script needs).
venv() {
  python3 -m venv "$1" >>"$LOG" 2>&1 && return 0
  [ "$(id -u)" = 0 ] || die "python3 -m venv failed (install python3-venv), see $LOG"
  log "installing Debian's python3-venv"
  rm -rf "$1"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2 &&
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3-venv >&2 ||
    die "cannot install python3-venv"
  python3 -m venv "$1" >>"$LOG" 2>&1 || die "python3 -m venv failed, see $LOG"
}

# ---- 1. venv + packages ---------------------------------------------------
# constraints.txt is the `pip freeze` of a set that worked (keystone, gunicorn and their
# dependencies): it halves pip's resolving time and keeps a new upstream release out.
if [ ! -f "$VENV/.installed" ]; then
  log "installing keystone + gunicorn into $VENV (~1 min)"
  rm -rf "$VENV"
  venv "$VENV"
  CONSTRAINTS=()
  if [ -z "${KS_NO_CONSTRAINTS:-}" ] && [ -f "$HERE/constraints.txt" ]; then
    CONSTRAINTS=(-c "$HERE/constraints.txt")
  fi
  "$VENV/bin/pip" install -q --disable-pip-version-check "${CONSTRAINTS[@]}" \
      keystone gunicorn >>"$LOG" 2>&1 || die "pip install failed, see $LOG"
  touch "$VENV/.installed"
fi
if [ -n "${KS_INSTALL_OSC:-}" ] && [ ! -x "$DIR/osc-venv/bin/openstack" ]; then
  log "installing python-openstackclient into $DIR/osc-venv (~20 s)"
  venv "$DIR/osc-venv"
  "$DIR/osc-venv/bin/pip" install -q --disable-pip-version-check \
      python-openstackclient >>"$LOG" 2>&1 || die "osc install failed, see $LOG"
fi

# ---- 2. config (rewritten every run; deterministic) -----------------------
mkdir -p "$DIR/fernet-keys" "$DIR/credential-keys"
chmod 700 "$DIR/fernet-keys" "$DIR/credential-keys"
cat >"$CONF" <<EOF
[DEFAULT]
log_file = $DIR/keystone.log
[database]
connection = sqlite:///$DIR/keystone.db
[token]
provider = fernet
[fernet_tokens]
key_repository = $DIR/fernet-keys
[fernet_receipts]
# default is /etc/keystone/fernet-keys/ -- the app dies at start without this
key_repository = $DIR/fernet-keys
[credential]
key_repository = $DIR/credential-keys
[identity]
# bcrypt cost 4 instead of 12: every password auth/user create is ~1 ms, not ~250 ms
password_hash_rounds = 4
EOF
# WSGI shim for gunicorn (Keystone no longer ships keystone-wsgi-public; the entry point is
# the module keystone.wsgi.api, which reads its config from OS_KEYSTONE_CONFIG_FILES):
# - oslo.config parses sys.argv; under gunicorn that is gunicorn's argv ->
#   argparse error + worker exit code 2, respawned for ever while the port stays bound
#   (so every readiness check below uses a curl timeout). Hide it.
# - Keystone turns SQLite foreign keys on only in its own unit tests. Without
#   them ON DELETE CASCADE never runs: deleting a user/domain leaves orphaned
#   application_credential_role rows, SQLite reuses the integer id, and the next
#   application credential fails with a bogus 409 "Duplicate entry found with
#   name ...". Keystone's unit tests run with FKs on, so this is the tested mode.
cat >"$DIR/keystone_wsgi.py" <<'EOF'
import sys
sys.argv = sys.argv[:1]
from keystone.common.sql import core as _sql_core  # noqa: E402
_sql_core.enable_sqlite_foreign_key()
from keystone.wsgi.api import application  # noqa: E402,F401
EOF

KM=("$VENV/bin/keystone-manage" --config-file "$CONF")
ME_U="$(id -un)"; ME_G="$(id -gn)"

# ---- 3. keys, schema, bootstrap (each only once) --------------------------
if [ ! -e "$DIR/fernet-keys/0" ]; then
  log "fernet_setup"
  "${KM[@]}" fernet_setup --keystone-user "$ME_U" --keystone-group "$ME_G" >>"$LOG" 2>&1
fi
if [ ! -e "$DIR/credential-keys/0" ]; then
  log "credential_setup"
  "${KM[@]}" credential_setup --keystone-user "$ME_U" --keystone-group "$ME_G" >>"$LOG" 2>&1
fi
# bootstrap: the admin user/project/role, the roles admin, manager, member, reader and
# service, and the identity service with its endpoints in region RegionOne.
if [ ! -f "$DIR/.bootstrapped" ] || [ ! -f "$DIR/keystone.db" ]; then
  log "db_sync + bootstrap"
  "${KM[@]}" db_sync >>"$LOG" 2>&1 || die "db_sync failed, see $LOG"
  "${KM[@]}" bootstrap --bootstrap-password "$PW" \
      --bootstrap-username admin --bootstrap-project-name admin \
      --bootstrap-role-name admin --bootstrap-service-name keystone \
      --bootstrap-region-id RegionOne \
      --bootstrap-admin-url "$URL/" --bootstrap-internal-url "$URL/" \
      --bootstrap-public-url "$URL/" >>"$LOG" 2>&1 || die "bootstrap failed, see $LOG"
  cp "$DIR/keystone.db" "$DIR/keystone.db.pristine"
  echo "$PORT" >"$DIR/.port"
  echo "$PW" >"$DIR/.bootstrapped"
fi
# the catalog (used by openstack CLI / SDKs to find identity) holds the port
# given at bootstrap; a different KS_PORT on the same DIR would break clients
if [ -f "$DIR/.port" ] && [ "$(cat "$DIR/.port")" != "$PORT" ]; then
  die "$DIR was bootstrapped for port $(cat "$DIR/.port"), not $PORT: use another DIR"
fi
PW="$(cat "$DIR/.bootstrapped")"   # the password the DB really has

# ---- 4. start (unless ours is already running) ----------------------------
# token_ok: the admin gets a project-scoped token (201), i.e. Keystone really serves.
token_ok() {
  local body
  body=$(printf '{"auth":{"identity":{"methods":["password"],"password":{"user":{"name":"admin","domain":{"id":"default"},"password":"%s"}}},"scope":{"project":{"name":"admin","domain":{"id":"default"}}}}}' "$PW")
  [ "$(curl -s -m 3 -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' \
        -d "$body" "$URL/auth/tokens" 2>/dev/null)" = 201 ]
}
alive() { [ -f "$PIDFILE" ] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null; }

if [ -n "${KS_RESET:-}" ] && [ -f "$DIR/keystone.db.pristine" ]; then
  log "reset: restoring freshly bootstrapped DB"
  if alive; then bash "$HERE/stop.sh" "$DIR"; fi
  cp "$DIR/keystone.db.pristine" "$DIR/keystone.db"
fi

if alive && token_ok; then
  log "already running (pid $(cat "$PIDFILE"))"
else
  if alive; then die "pid $(cat "$PIDFILE") alive but not answering; run stop.sh"; fi
  rm -f "$PIDFILE"
  if curl -s -m 2 -o /dev/null "http://$HOST:$PORT/" 2>/dev/null; then
    die "something else already listens on $HOST:$PORT"
  fi
  GUNI_EXTRA=()
  # gunicorn >= 24 opens a control socket in ~/.gunicorn unless told not to
  # (two instances would collide there)
  if "$VENV/bin/gunicorn" --help 2>/dev/null | grep -q -- '--no-control-socket'; then
    GUNI_EXTRA+=(--no-control-socket)
  fi
  log "starting gunicorn on $HOST:$PORT"
  T0=$EPOCHREALTIME
  OS_KEYSTONE_CONFIG_FILES="$CONF" "$VENV/bin/gunicorn" \
      --bind "$HOST:$PORT" --workers "$WORKERS" --timeout 60 --graceful-timeout 5 \
      --chdir "$DIR" --pid "$PIDFILE" --daemon "${GUNI_EXTRA[@]}" \
      --error-logfile "$DIR/gunicorn.log" --access-logfile "$DIR/access.log" \
      keystone_wsgi:application
  deadline=$(( $(date +%s) + START_TIMEOUT ))
  until token_ok; do
    if [ "$(date +%s)" -ge "$deadline" ]; then
      tail -n 30 "$DIR/gunicorn.log" >&2 || true
      die "no token after ${START_TIMEOUT}s (logs: $DIR/gunicorn.log, $DIR/keystone.log); run stop.sh"
    fi
    sleep 0.2
  done
  log "first token after $(awk "BEGIN{printf \"%.1f\", $EPOCHREALTIME - $T0}") s (pid $(cat "$PIDFILE"))"
fi

# ---- 5. credentials for the caller ----------------------------------------
cat <<EOF
export OS_AUTH_URL=$URL
export OS_IDENTITY_API_VERSION=3
export OS_AUTH_TYPE=password
export OS_USERNAME=admin
export OS_PASSWORD=$PW
export OS_PROJECT_NAME=admin
export OS_USER_DOMAIN_ID=default
export OS_PROJECT_DOMAIN_ID=default
export OS_REGION_NAME=RegionOne
export KEYSTONE_DIR=$DIR
export KEYSTONE_PID=$(cat "$PIDFILE")
EOF
