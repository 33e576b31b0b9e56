#!/usr/bin/env bash
# Server CPU per request and memory (issue 20), in one command: builds the release binary,
# starts `varde serve` on a fresh embedded database with an agent account on 127.0.0.1, runs
# scripts/bench/efficiency.py against it, and stops it.
#   bash scripts/bench/efficiency.sh [--n 1000] [--fill 10000]
set -euo pipefail
cd "$(dirname "$0")/../.."
cargo build --release -p varde >&2
dir=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
echo "bench password 123" | target/release/varde user add --email bench@example.com --name Bench \
    --role agent --password-stdin --data "$dir" >/dev/null
target/release/varde serve --listen "127.0.0.1:$port" --data "$dir" > "$dir/serve.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$dir"' EXIT
for _ in $(seq 100); do
    curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && break
    sleep 0.1
done
python3 scripts/bench/efficiency.py --url "http://127.0.0.1:$port" --pid "$pid" --data "$dir" "$@"
