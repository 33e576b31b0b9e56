#!/usr/bin/env bash
# PostgreSQL for Varde's tests: a throwaway cluster on 127.0.0.1, started by scripts/test.sh
# so that every Rust test also runs on PostgreSQL (VARDE_TEST_PG_URL) and the cluster test
# (tests/cluster/cluster.py) has a server it may stop and start again.
#
#   eval "$(bash scripts/services/postgres/start.sh [DIR])"   # exports VARDE_TEST_PG_URL, PGDATA_DIR, PG_PORT
#   bash scripts/services/postgres/stop.sh DIR                # stops it and removes DIR
#
# DIR (default: a new temporary directory) holds everything, in the layout cluster.py relies on:
#   DIR/db    the cluster (initdb; user `varde`, trust authentication, UTF-8, database `varde`)
#   DIR/port  the TCP port it listens on (127.0.0.1 only); the Unix socket is in DIR itself
#   DIR/log   the server's log
# cluster.py restarts the server exactly as this script starts it:
#   pg_ctl -D DIR/db -o "-k DIR -p PORT -h 127.0.0.1 -c fsync=on" -l DIR/log -w start
#
# Run as root (as on CI), the server runs as the `postgres` system user (PostgreSQL refuses to
# run as root) and Debian's postgresql is installed when missing. Run as another user, it runs
# as that user and PostgreSQL must already be installed. Idempotent: on a DIR whose server is
# up, it only prints the exports again. stdout carries only `export` lines; progress goes to
# stderr.
set -euo pipefail
log() { echo "[postgres] $*" >&2; }

# Debian's server binaries (initdb, pg_ctl) live in /usr/lib/postgresql/VERSION/bin, not on PATH.
if ! ls -d /usr/lib/postgresql/*/bin >/dev/null 2>&1; then
  log "installing Debian's postgresql"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2 && apt-get install -y -qq --no-install-recommends postgresql >&2
fi
BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)

DIR=${1:-$(mktemp -d)}
mkdir -p "$DIR"; DIR=$(cd "$DIR" && pwd)
# as_pg CMD: run a shell command as the user the server runs as.
if [ "$(id -u)" = 0 ]; then
  chown postgres "$DIR"
  as_pg() { su postgres -s /bin/sh -c "$*"; }
else
  as_pg() { sh -c "$*"; }
fi

if [ ! -f "$DIR/db/PG_VERSION" ]; then
  as_pg "$BIN/initdb -D $DIR/db -U varde --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null"
fi
if [ -f "$DIR/port" ] && as_pg "$BIN/pg_ctl -D $DIR/db status" >/dev/null 2>&1; then
  PORT=$(cat "$DIR/port")
else
  # A free port, chosen by the kernel.
  PORT=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
  echo "$PORT" > "$DIR/port"
  # fsync=on is PostgreSQL's default, spelled out: commits are durable, as in production
  # (docs/BENCHMARKS.md measures with it).
  as_pg "$BIN/pg_ctl -D $DIR/db -o \"-k $DIR -p $PORT -h 127.0.0.1 -c fsync=on\" -l $DIR/log -w start >/dev/null"
  as_pg "$BIN/createdb -h 127.0.0.1 -p $PORT -U varde varde" 2>/dev/null || true   # exists after a restart
fi
log "ready on 127.0.0.1:$PORT (data in $DIR)"
echo "export VARDE_TEST_PG_URL=postgres://varde@127.0.0.1:$PORT/varde"
echo "export PGDATA_DIR=$DIR"
echo "export PG_PORT=$PORT"
