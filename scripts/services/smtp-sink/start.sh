#!/usr/bin/env bash
# The SMTP sink of Varde's mail tests: sink.py (beside this script; a real SMTP server, PyPI
# aiosmtpd) started in the background on a free loopback port. The Rust tests start one per
# test (varde_notify::testing::SmtpSink, crates/varde/tests/cli/mail.rs) and kill it by pid.
#
#   eval "$(bash scripts/services/smtp-sink/start.sh [DIR])"   # exports SMTP_SINK_PORT, SMTP_SINK_DIR, SMTP_SINK_PID
#   kill "$SMTP_SINK_PID"
#
# DIR (default: a new temporary directory) receives one .eml file per accepted message, and
# the sink's log in DIR/.sink.log. Extra arguments for sink.py can be given in SMTP_SINK_ARGS
# (e.g. "--fail-first 2"). aiosmtpd is installed from PyPI when missing. stdout carries only
# the one `export` line, on which the tests split words.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
python3 -c 'import aiosmtpd' 2>/dev/null || pip install -q aiosmtpd==1.4.6 >&2
DIR=${1:-$(mktemp -d)}; mkdir -p "$DIR"
PORT=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
python3 "$HERE/sink.py" --port "$PORT" --dir "$DIR" ${SMTP_SINK_ARGS:-} >"$DIR/.sink.log" 2>&1 &
PID=$!
# Ready when sink.py says so (it prints after binding); fail if it dies first.
for _ in $(seq 1 50); do
  grep -q "smtp sink on" "$DIR/.sink.log" 2>/dev/null && break
  kill -0 "$PID" 2>/dev/null || { cat "$DIR/.sink.log" >&2; exit 1; }
  sleep 0.1
done
echo "export SMTP_SINK_PORT=$PORT SMTP_SINK_DIR=$DIR SMTP_SINK_PID=$PID"
