#!/usr/bin/env bash
# `varde import-rt` against the real RT 5 (issue 15):
#   1. fill RT through its own clients (the `rt` CLI, python rt.rest1/rest2, rt-mailgate):
#      tickets, replies by mail, comments, attachments with non-ASCII names, links, a merge,
#      custom fields, a resolved and a rejected ticket (tests/rt-compat/import_rt.py fill);
#   2. import a copy of RT's database into a fresh Varde, start `varde serve`, and read every
#      ticket through the `rt` CLI (show -f, links, attachments and their bytes, history) and
#      python rt.rest2 (ticket, history, attachments) on both, and compare;
#   3. change RT (a reply on one ticket, a status change on another), import again: exactly the
#      changed tickets' new transactions arrive (the import's summary against RT's tables, and
#      the comparison again: nothing doubled), and a dry run then finds nothing;
#   4. reply by mail (rt-mailgate) to an imported ticket's tag: it lands on that ticket.
#
#   bash tests/rt-compat/import.sh RT_URL RT_DB_URL VARDE_BIN
#   bash tests/rt-compat/import.sh http://127.0.0.1:8085 sqlite:///var/lib/rt-anchor/rtdb /tmp/varde-import-bin
#
# RT is started by scripts/services/rt/setup.sh (root / password; RT_USER, RT_PASSWORD override);
# RT's $rtname is read from its session cookie (RT_NAME overrides).  Each run adds 5 tickets to
# RT, tagged with a fresh id; the first run also adds two ticket custom fields on General
# (ImportSite, ImportTags) and a privileged user imp-agent@example.com, whose imported staff
# account is given a password to log in to Varde with.  Varde runs from a temporary directory
# on a free port and is stopped at the end.  Takes 40-60 s.  Exits non-zero on any
# difference.  The comparison reports the differences docs/IMPORT-RT.md does not list, each
# by name (import_rt.py, KNOWN); with --tolerate-known (or RT_IMPORT_TOLERATE_KNOWN=1) those
# are reported but do not fail the run, anything else still does.  RT_IMPORT_KEEP=DIR keeps
# the raw answers and the full diffs there.
set -uo pipefail
TOLERATE=${RT_IMPORT_TOLERATE_KNOWN:-0}
args=()
for a in "$@"; do
  case "$a" in --tolerate-known) TOLERATE=1;; *) args+=("$a");; esac
done
[ "${#args[@]}" = 3 ] || { echo "usage: $0 [--tolerate-known] RT_URL RT_DB_URL VARDE_BIN" >&2; exit 2; }
RT_URL=${args[0]%/}; RT_DB=${args[1]}; VARDE=${args[2]}
RT_USER=${RT_USER:-root}; RT_PASSWORD=${RT_PASSWORD:-${RT_ROOT_PASSWORD:-password}}
here=$(cd "$(dirname "$0")" && pwd)
helper="$here/import_rt.py"
start=$(date +%s.%N)
[ -x "$VARDE" ] || { echo "no Varde binary at $VARDE" >&2; exit 2; }

work=$(mktemp -d /tmp/rt-import-test.XXXXXX)
export TMPDIR="$work"   # the helper's scratch homes and files go here and leave with it
varde_pid=""
cleanup() {
  if [ -n "$varde_pid" ]; then kill "$varde_pid" 2>/dev/null; wait "$varde_pid" 2>/dev/null; fi
  if [ -n "${RT_IMPORT_KEEP:-}" ]; then mkdir -p "$RT_IMPORT_KEEP" && cp -r "$work"/. "$RT_IMPORT_KEEP"/ 2>/dev/null; fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

failures=()
fail() { failures+=("$1"); echo "FAIL $1"; }
step() { echo "== $*"; }
h() { python3 "$helper" "$@"; }
elapsed() { python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.1f}')" "$start" "$(date +%s.%N)"; }

# ------------------------------------------------------------------------------- RT
case "$(curl -s --max-time 5 "$RT_URL/REST/1.0/")" in
  RT/*) ;;
  *) echo "RT does not answer at $RT_URL (start it: bash scripts/services/rt/setup.sh)" >&2; exit 2;;
esac
# RT's session cookie is RT_SID_<rtname>.<port>
rtname=${RT_NAME:-$(curl -s --max-time 10 -D - -o /dev/null --data-urlencode "user=$RT_USER" --data-urlencode "pass=$RT_PASSWORD" \
  "$RT_URL/REST/1.0/" | tr -d '\r' | sed -n 's/^[Ss]et-[Cc]ookie: RT_SID_\(.*\)\.[0-9]*=.*/\1/p' | head -1)}
[ -n "$rtname" ] || { echo "cannot tell RT's rtname (log-in as $RT_USER refused?); set RT_NAME" >&2; exit 2; }
rtargs=(--url "$RT_URL" --user "$RT_USER" --password "$RT_PASSWORD")

case "$RT_DB" in
  sqlite://*) rt_file=${RT_DB#sqlite://}; copy="$work/rt-copy.db"; from="sqlite://$copy";;
  *) rt_file=""; from="$RT_DB";;
esac
# Import from a copy, as docs/IMPORT-RT.md's switch-over does (the delta reads a new copy at
# the same path), so that RT's tables can say exactly what each import has to bring.
take_copy() { # $1: where the previous copy is kept for the oracle
  [ -n "$rt_file" ] || return 0
  [ -f "$copy" ] && mv "$copy" "$1"
  h snapshot --db1 "$rt_file" --db2 "$copy"
}

step "filling RT ($RT_URL, rtname $rtname) through its clients"
fill_out=$(h fill "${rtargs[@]}" --rtname "$rtname" --state "$work/state.json") || { echo "$fill_out"; echo "FAIL filling RT"; exit 1; }
echo "   RT tickets: $fill_out (T5 merged into T1)"

# ------------------------------------------------------------------------------ import
data="$work/varde-data"
import_rt() { "$VARDE" import-rt --from "$from" --rtname "$rtname" --data "$data" "$@"; }
# "imported 15 new and 0 changed tickets, 125 transactions, 9 attachments; 0 unchanged"
counts_of() { sed -n 's/.*[0-9]* tickets in RT; \(would import\|imported\) \([0-9]*\) new and \([0-9]*\) changed tickets, \([0-9]*\) transactions.*/\2 \3 \4/p' <<<"$1"; }
tickets_in_rt() { sed -n 's/.* \([0-9]*\) tickets in RT;.*/\1/p' <<<"$1"; }

step "varde import-rt --from $from --rtname $rtname (a fresh Varde)"
take_copy "$work/rt-copy-0.db"
out1=$(import_rt 2>&1) || { echo "$out1"; echo "FAIL the import exited non-zero"; exit 1; }
sed -n '1,8p' <<<"$out1" | sed 's/^/   /'
read -r new1 changed1 txs1 <<<"$(counts_of "$out1")"
if [ -n "$rt_file" ]; then
  n=$(python3 -c "import sqlite3,sys; print(sqlite3.connect(f'file:{sys.argv[1]}?mode=ro', uri=True).execute('select count(*) from Tickets').fetchone()[0])" "$copy")
  [ "${new1:-x}" = "$n" ] && [ "$changed1" = 0 ] || fail "the first import brought '$new1 new, $changed1 changed' tickets; RT's copy has $n"
fi

# Imported staff accounts have no password until an administrator sets one (IMPORT-RT.md).
agent=imp-agent@example.com
pw="imp-$(python3 -c 'import secrets; print(secrets.token_hex(12))')"
echo "$pw" | "$VARDE" user password --email "$agent" --password-stdin --data "$data" >/dev/null \
  || { echo "FAIL: no imported staff account $agent to log in with"; exit 1; }

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
VURL="http://127.0.0.1:$port"
"$VARDE" serve --data "$data" --listen "127.0.0.1:$port" --rtname "$rtname" >"$work/serve.log" 2>&1 &
varde_pid=$!
for _ in $(seq 100); do
  case "$(curl -s --max-time 2 "$VURL/REST/1.0/")" in RT/*) break;; esac
  kill -0 "$varde_pid" 2>/dev/null || { tail -20 "$work/serve.log"; echo "FAIL varde serve died"; exit 1; }
  sleep 0.2
done
vargs=(--url "$VURL" --user "$agent" --password "$pw")
cmpargs=(--state "$work/state.json")
[ "$TOLERATE" = 1 ] && cmpargs+=(--tolerate-known)

compare() { # $1: name of the round
  local pid
  h collect "${rtargs[@]}" --state "$work/state.json" --side rt --out "$work/$1-rt.json" &
  pid=$!
  h collect "${vargs[@]}" --state "$work/state.json" --side varde --out "$work/$1-varde.json" || { wait $pid; return 1; }
  wait $pid || return 1
  h compare "${cmpargs[@]}" "$work/$1-rt.json" "$work/$1-varde.json" --diff-out "$work/$1.diff"
}

step "every scenario ticket through the rt CLI and rest2, RT against Varde ($VURL, as $agent)"
compare first || fail "RT and Varde differ after the import"

# ------------------------------------------------------------------------------- delta
step "RT moves on: a reply on T2, a status change on T4; import again"
h txids "${rtargs[@]}" --state "$work/state.json" --out "$work/txids.json" || fail "reading RT's history"
h change "${rtargs[@]}" --state "$work/state.json" || fail "changing RT"
ours=$(h expect "${rtargs[@]}" --state "$work/state.json" --before "$work/txids.json")
take_copy "$work/rt-copy-1.db"
out2=$(import_rt 2>&1) || { echo "$out2"; fail "the second import exited non-zero"; }
sed -n '1p' <<<"$out2" | sed 's/^/   /'
read -r new2 changed2 txs2 <<<"$(counts_of "$out2")"
echo "   RT's new transactions on the scenario's tickets: $ours"
[[ "$ours" =~ ^T2=[0-9]+\ T4=[0-9]+$ ]] || fail "RT's changes are not where the scenario made them: '$ours'"
if [ -n "$rt_file" ]; then
  # Compared with RT's tables, so that other users of a shared RT do not make this flaky.
  read -r t1 t2 enew echanged etxs <<<"$(h oracle --db1 "$work/rt-copy-1.db" --db2 "$copy")"
  echo "   RT's tables since the first copy: $enew new tickets, $echanged changed tickets, $etxs transactions"
  [ "$new2 $changed2 $txs2" = "$enew $echanged $etxs" ] \
    || fail "the second import brought '$new2 new, $changed2 changed, $txs2 transactions'; RT's tables say '$enew new, $echanged changed, $etxs transactions'"
  [ "$(tickets_in_rt "$out2")" = "$t2" ] || fail "the second import counts $(tickets_in_rt "$out2") tickets in RT; RT's copy has $t2"
else
  # no copy to read: RT must be quiet but for this test
  want=0; for x in $ours; do want=$((want + ${x#*=})); done
  [ "$new2 $changed2 $txs2" = "0 2 $want" ] || fail "the second import brought '$new2 new, $changed2 changed, $txs2 transactions', expected '0 2 $want'"
fi
compare delta || fail "RT and Varde differ after the delta import"
out3=$(import_rt --dry-run 2>&1) || { echo "$out3"; fail "the dry run exited non-zero"; }
read -r new3 changed3 _ <<<"$(counts_of "$out3")"
[ "$new3 $changed3" = "0 0" ] && echo "   a dry run now: $(sed -n '1s/.*; \(would import\)/\1/p' <<<"$out3")" \
  || fail "a dry run after the delta still finds '$new3 new, $changed3 changed': $(sed -n 1p <<<"$out3")"

# -------------------------------------------------------------------------------- mail
step "replies by mail (rt-mailgate) into Varde"
h mail "${vargs[@]}" --state "$work/state.json" --rtname "$rtname" || fail "mail to an imported ticket"

# ----------------------------------------------------------------------------- summary
echo "== took $(elapsed) s"
if [ "${#failures[@]}" -gt 0 ]; then
  echo "FAILED: ${#failures[@]} check(s):"
  printf '  - %s\n' "${failures[@]}"
  grep '"level":"ERROR"' "$work/serve.log" | tail -5
  exit 1
fi
same="read the same through rt and rest2"
[ "$TOLERATE" = 1 ] && same="read the same through rt and rest2 but for the known differences listed above"
echo "OK: RT's history came across: 5 tickets (comments, replies by mail, non-ASCII attachments, links, a merge,"
echo "    custom fields, resolved, rejected) $same;"
echo "    the delta import brought exactly RT's changes; mail to an imported ticket's tag landed on it"
