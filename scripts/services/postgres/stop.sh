#!/usr/bin/env bash
# Stops the PostgreSQL that scripts/services/postgres/start.sh started for Varde's tests, and
# removes its directory (the cluster, socket, port file and log).
#
#   bash scripts/services/postgres/stop.sh [DIR]   # DIR defaults to $PGDATA_DIR
#
# Does nothing (and succeeds) when DIR holds no cluster, so it is safe in cleanup traps.
set -u
DIR=${1:-${PGDATA_DIR:-}}
[ -n "$DIR" ] && [ -f "$DIR/db/PG_VERSION" ] || { echo "[postgres] no cluster in '$DIR'" >&2; exit 0; }
BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
# As root the server runs as `postgres` (see start.sh), so pg_ctl must too.
if [ "$(id -u)" = 0 ]; then su postgres -s /bin/sh -c "$BIN/pg_ctl -D $DIR/db -m fast stop" >/dev/null 2>&1
else "$BIN/pg_ctl" -D "$DIR/db" -m fast stop >/dev/null 2>&1; fi
rm -rf "$DIR"
echo "[postgres] stopped" >&2
