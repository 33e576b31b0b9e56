#!/usr/bin/env bash
# The reference Request Tracker for Varde's tests: the real RT 5 from Debian 12's packages
# (request-tracker5, SQLite, its own standalone server) on 127.0.0.1:8085. scripts/test.sh
# starts it when nothing answers there, then
#   - tests/rt-compat/compare.sh runs one scenario on this RT and on Varde (log-in root /
#     password) and requires the same end state;
#   - tests/rt-compat/import.sh fills this RT through its clients and imports its database
#     (RT_STATE/rtdb, i.e. sqlite:///var/lib/rt-anchor/rtdb) into Varde.
# Both rely on what this script sets up: port 8085, user root with password `password`,
# rtname example.com, the database file /var/lib/rt-anchor/rtdb, and the rights of
# initialdata-anchor.pl (beside this script) that let unauthenticated mail open tickets.
#
#   bash scripts/services/rt/setup.sh            install if needed, init DB if missing, start server
#   bash scripts/services/rt/setup.sh --reset    same, but stop the server and recreate an empty database
#   bash scripts/services/rt/stop.sh             stop the server
#
# Needs root (it installs Debian packages and writes RT's site configuration in
# /etc/request-tracker5). Idempotent: re-running skips what is already done, and leaves a
# running server alone unless its configuration changed. Progress goes to stdout; the last
# line is RT's URL.
#
# Env knobs: RT_PORT (8085), RT_WORKERS (Starlet prefork workers, default 10 = Starlet's
# own default), RT_ROOT_PASSWORD (password), RT_NAME (example.com), RT_STATE (/var/lib/rt-anchor).
# RT_STATE holds the database (rtdb), the server's pid file (rt-server.pid) and its log
# (server.log); stop.sh reads RT_STATE too.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
PORT="${RT_PORT:-8085}"
WORKERS="${RT_WORKERS:-10}"
ROOTPW="${RT_ROOT_PASSWORD:-password}"
RTNAME="${RT_NAME:-example.com}"
STATE="${RT_STATE:-/var/lib/rt-anchor}"
DB="$STATE/rtdb"
PIDFILE="$STATE/rt-server.pid"
LOG="$STATE/server.log"
SITECONF=/etc/request-tracker5/RT_SiteConfig.d/90-anchor.pm
URL="http://127.0.0.1:$PORT"
RESET=0
[ "${1:-}" = "--reset" ] && RESET=1

[ "$(id -u)" = 0 ] || { echo "run as root" >&2; exit 1; }
export DEBIAN_FRONTEND=noninteractive

# ---------------------------------------------------------------- 1. packages
# RT itself, its SQLite driver, its clients (the `rt` CLI and rt-mailgate, which the tests
# also use), the standalone server (rt-server, Starlet) and what its setup and this script call.
PKGS="request-tracker5 rt5-db-sqlite rt5-clients rt5-standalone w3m curl sqlite3"
missing=""
for p in $PKGS; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing="$missing $p"
done
if [ -n "$missing" ]; then
  echo "[setup] installing:$missing"
  apt-get update -qq
  # Answer the debconf questions up front.  With dbconfig-common + sqlite3 the package
  # creates its own DB under /var/lib/dbconfig-common/sqlite3/request-tracker5/ (root pw
  # 'password' unless preseeded); the tests use a DB file of their own ($DB) instead, see below.
  debconf-set-selections <<EOF
request-tracker5 request-tracker5/rtname string $RTNAME
request-tracker5 request-tracker5/organization string $RTNAME
request-tracker5 request-tracker5/correspondaddress string rt@$RTNAME
request-tracker5 request-tracker5/commentaddress string rt-comment@$RTNAME
request-tracker5 request-tracker5/webbaseurl string $URL
request-tracker5 request-tracker5/handle-siteconfig-permissions boolean true
request-tracker5 request-tracker5/install-cronjobs boolean false
request-tracker5 request-tracker5/dbconfig-install boolean true
request-tracker5 request-tracker5/database-type select sqlite3
request-tracker5 request-tracker5/initial-root-password password $ROOTPW
EOF
  # --no-install-recommends: no apache, no mysql/postgres server.  The MTA dependency is
  # satisfied by exim4-daemon-light, which RT never uses ($MailCommand = 'mbox' below); in
  # containers with a policy-rc.d (as Debian's images) it is not even started.
  apt-get install -y -qq --no-install-recommends $PKGS >/dev/null
fi

# ---------------------------------------------------------------- 2. site config
# Loaded after Debian's 50/51 files.  Rewritten only when it differs; a change restarts the
# server below.
mkdir -p "$STATE"
cat > "$SITECONF.tmp" <<EOF
# RT anchor overrides, written by $HERE/setup.sh -- loaded after the Debian 50/51 files.
Set(\$rtname, '$RTNAME');
Set(\$Organization, '$RTNAME');
Set(\$CorrespondAddress, 'rt@$RTNAME');
Set(\$CommentAddress, 'rt-comment@$RTNAME');
Set(\$WebPath, "");
Set(\$WebDomain, "127.0.0.1");
Set(\$WebPort, $PORT);
Set(\$WebBaseURL, "$URL");
Set(\$DatabaseType, 'SQLite');
Set(\$DatabaseName, '$DB');
# no syslog daemon here: log warnings to the server's stderr ($LOG)
Set(\$LogToSyslog, undef);
Set(\$LogToSTDERR, 'warning');
# never hand mail to an MTA: outgoing mail (autoreplies, notifications) is appended to
# mbox files in /var/lib/request-tracker5/ (one per server process)
Set(\$MailCommand, 'mbox');
1;
EOF
if ! cmp -s "$SITECONF.tmp" "$SITECONF"; then
  mv "$SITECONF.tmp" "$SITECONF"; CONF_CHANGED=1
else
  rm -f "$SITECONF.tmp"; CONF_CHANGED=0
fi

# running: the pid file names a live rt-server (not a recycled pid).
running() { [ -f "$PIDFILE" ] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null \
            && grep -q rt-server "/proc/$(cat "$PIDFILE")/cmdline" 2>/dev/null; }

if [ "$RESET" = 1 ] || [ "$CONF_CHANGED" = 1 ]; then
  running && bash "$HERE/stop.sh"
fi

# ---------------------------------------------------------------- 3. database
if [ "$RESET" = 1 ]; then
  echo "[setup] --reset: removing $DB and old outgoing-mail mbox files"
  rm -f "$DB" "$DB"-journal /var/lib/request-tracker5/*.mbox
fi
if [ ! -s "$DB" ]; then
  echo "[setup] initialising database $DB"
  pwfile="$(mktemp)"; echo "$ROOTPW" > "$pwfile"
  rt-setup-database-5 --action init --root-password-file "$pwfile" >"$STATE/setup-db.log" 2>&1 \
    || { rm -f "$pwfile"; cat "$STATE/setup-db.log"; exit 1; }
  rm -f "$pwfile"
  # grant Everyone CreateTicket/ReplyToTicket/CommentOnTicket/SeeQueue on General (mail gateway)
  rt-setup-database-5 --action insert --datafile "$HERE/initialdata-anchor.pl" \
    >>"$STATE/setup-db.log" 2>&1 || { cat "$STATE/setup-db.log"; exit 1; }
fi

# ---------------------------------------------------------------- 4. server
# rt-server (Starlet) in its own session, so that it outlives this script and the caller's
# terminal; the wait below ends when REST 1.0 answers "RT/5…".
if running; then
  echo "[setup] rt-server already running (pid $(cat "$PIDFILE"))"
else
  echo "[setup] starting rt-server on $URL ($WORKERS workers), log $LOG"
  cd "$STATE"
  setsid nohup /usr/share/request-tracker5/libexec/rt-server \
      --host 127.0.0.1 --port "$PORT" --max-workers "$WORKERS" >>"$LOG" 2>&1 < /dev/null &
  echo $! > "$PIDFILE"
  cd - >/dev/null
fi
for i in $(seq 120); do
  body="$(curl -s --max-time 5 "$URL/REST/1.0/" || true)"
  case "$body" in RT/*) break;; esac
  running || { echo "[setup] rt-server died, see $LOG" >&2; tail -20 "$LOG" >&2; exit 1; }
  sleep 1
done
case "$body" in RT/*) ;; *) echo "[setup] server did not answer in time" >&2; exit 1;; esac
echo "[setup] RT answers: $(echo "$body" | head -1)"
echo "[setup] ready: $URL   (root / $ROOTPW; rtname $RTNAME; pidfile $PIDFILE)"
echo "[setup] try:  RTSERVER=$URL RTUSER=root RTPASSWD=$ROOTPW rt ls 'id>0'"
echo "$URL"
