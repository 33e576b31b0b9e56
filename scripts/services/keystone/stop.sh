#!/usr/bin/env bash
# Stops the Keystone that scripts/services/keystone/setup.sh started for Varde's tests.
# Kills ONLY the PID in DIR/keystone.pid (the gunicorn master; it takes its workers down with
# it), and only if that process really is our gunicorn. DIR (the venv, keys and database) is
# kept, so the next setup.sh starts again in a few seconds.
#   bash scripts/services/keystone/stop.sh [DIR]     # DIR defaults to /tmp/keystone
set -euo pipefail
DIR="${1:-/tmp/keystone}"
PIDFILE="$DIR/keystone.pid"
if [ ! -f "$PIDFILE" ]; then echo "[keystone-stop] no pid file ($PIDFILE); nothing to do" >&2; exit 0; fi
PID="$(cat "$PIDFILE")"
if ! kill -0 "$PID" 2>/dev/null; then
  echo "[keystone-stop] pid $PID not running; removing stale pid file" >&2
  rm -f "$PIDFILE"; exit 0
fi
# guard against a recycled PID: it must be our gunicorn
if ! tr '\0' ' ' <"/proc/$PID/cmdline" 2>/dev/null | grep -q 'gunicorn.*keystone_wsgi'; then
  echo "[keystone-stop] pid $PID is not our gunicorn; leaving it alone" >&2
  rm -f "$PIDFILE"; exit 1
fi
kill -TERM "$PID"
for _ in $(seq 1 100); do kill -0 "$PID" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$PID" 2>/dev/null; then
  echo "[keystone-stop] pid $PID ignored TERM for 10 s; sending KILL" >&2
  kill -KILL "$PID" 2>/dev/null || true
fi
rm -f "$PIDFILE"
echo "[keystone-stop] stopped pid $PID" >&2
