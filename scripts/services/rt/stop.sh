#!/usr/bin/env bash
# Stops the reference RT that scripts/services/rt/setup.sh started for Varde's tests: only the
# PID recorded in RT_STATE/rt-server.pid (the Starlet master) and, if any survive it, that
# master's own worker children. RT's packages, configuration and database stay, so the next
# setup.sh only starts the server again.
#   bash scripts/services/rt/stop.sh       # RT_STATE defaults to /var/lib/rt-anchor
set -uo pipefail
STATE="${RT_STATE:-/var/lib/rt-anchor}"
PIDFILE="$STATE/rt-server.pid"
[ -f "$PIDFILE" ] || { echo "[stop] no pid file ($PIDFILE): nothing to stop"; exit 0; }
PID="$(cat "$PIDFILE")"
# guard against a recycled PID: it must be an rt-server
if ! kill -0 "$PID" 2>/dev/null || ! grep -q rt-server "/proc/$PID/cmdline" 2>/dev/null; then
  echo "[stop] pid $PID is not a running rt-server; removing stale pid file"
  rm -f "$PIDFILE"; exit 0
fi
CHILDREN="$(ps -o pid= --ppid "$PID" | tr -d ' ' | tr '\n' ' ')"
echo "[stop] TERM rt-server master $PID (workers: $CHILDREN)"
kill -TERM "$PID"
for _ in $(seq 40); do kill -0 "$PID" 2>/dev/null || break; sleep 0.25; done
if kill -0 "$PID" 2>/dev/null; then echo "[stop] master still alive, KILL $PID"; kill -KILL "$PID"; fi
for c in $CHILDREN; do   # workers are normally reaped by the master; make sure
  if kill -0 "$c" 2>/dev/null && grep -q rt-server "/proc/$c/cmdline" 2>/dev/null; then
    kill -TERM "$c"; sleep 0.5; kill -0 "$c" 2>/dev/null && kill -KILL "$c"
  fi
done
rm -f "$PIDFILE"
echo "[stop] stopped"
