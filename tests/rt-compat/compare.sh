#!/usr/bin/env bash
# Runs tests/rt-compat/scenario.py against the real RT 5 and against Varde and compares the
# resulting tickets, statuses, owners, requestors, links and transaction types.
#   bash tests/rt-compat/compare.sh RT_URL VARDE_URL VARDE_USER VARDE_PASSWORD [ADMIN ADMIN_PASSWORD]
# Then tests/rt-compat/records.py (users and queues, as an administrator) the same way.
# RT's own bookkeeping of the Owner role group (a SetWatcher transaction after each owner
# change) has no counterpart in Varde and is left out of the comparison.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=$(mktemp -d)
python3 "$here/scenario.py" --url "$1" --user root --password "${RT_ROOT_PASSWORD:-password}" | sed 's/ SetWatcher//g' > "$out/rt.txt"
python3 "$here/scenario.py" --url "$2" --user "$3" --password "$4" > "$out/varde.txt"
if diff -u "$out/rt.txt" "$out/varde.txt"; then
  echo "== the scenario ends the same on RT and on Varde:"
  cat "$out/varde.txt"
else
  echo "== RT and Varde differ (above)"
  exit 1
fi
admin=${5:-admin@example.com}
admin_password=${6:-varde-demo-admin}
python3 "$here/records.py" --url "$1" --user root --password "${RT_ROOT_PASSWORD:-password}" > "$out/rt-records.txt"
python3 "$here/records.py" --url "$2" --user "$admin" --password "$admin_password" > "$out/varde-records.txt"
if diff -u "$out/rt-records.txt" "$out/varde-records.txt"; then
  echo "== users and queues end the same on RT and on Varde:"
  cat "$out/varde-records.txt"
else
  echo "== RT and Varde differ on users and queues (above)"
  exit 1
fi
