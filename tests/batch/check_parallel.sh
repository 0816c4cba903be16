#!/usr/bin/env bash
# The GNU parallel + SQLite recipe of README.md ("Batch statistics"), run
# on captures/ with 2 local jobs and once through --sshlogin ':' (the local
# host as a parallel "remote": nothing copied), then the README's example
# queries. Over ssh for real: check_parallel_ssh.sh (batch.parallel.ssh).
# Skipped (77) without parallel or sqlite3.
set -euo pipefail
batch=$1 root=$2
command -v parallel >/dev/null && command -v sqlite3 >/dev/null || exit 77
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
export TCPPHASE_BATCH=$batch
caps=("$root"/captures/*.pcapng "$root"/captures/public/*.pcap)
fail() { echo "FAIL batch.parallel: $*"; exit 1; }

"$root/scripts/batch-sqlite.sh" "$tmp/a.db" "${caps[@]}" -- -j 2
"$root/scripts/batch-sqlite.sh" "$tmp/b.db" "${caps[@]}" -- --sshlogin 2/:
expected=0
for c in "${caps[@]}"; do
    expected=$((expected + $("$batch" "$c" | wc -l) - 1))
done
for db in a b; do
    got=$(sqlite3 "$tmp/$db.db" 'SELECT count(*) FROM conn')
    [ "$got" = "$expected" ] || fail "$db.db has $got rows, expected $expected"
done
echo "rows: $expected in both databases"
q() { echo "-- $1"; sqlite3 -header -column "$tmp/a.db" "$1"; }
q "SELECT server, count(*) AS refused FROM conn WHERE state = 'REJ' GROUP BY server ORDER BY refused DESC"
q "SELECT file, stream, client, server, handshake_rtt FROM conn WHERE handshake_rtt IS NOT NULL ORDER BY handshake_rtt DESC LIMIT 5"
q "SELECT tls_sni, tls_version, count(*) AS failures FROM conn WHERE tls_result = 'failed' GROUP BY tls_sni, tls_version"
[ "$(sqlite3 "$tmp/a.db" "SELECT count(*) FROM conn WHERE state = 'REJ'")" -gt 0 ] || fail "no REJ row"
[ "$(sqlite3 "$tmp/a.db" "SELECT count(*) FROM conn WHERE tls_result = 'failed'")" -gt 0 ] || fail "no failed TLS"
[ "$(sqlite3 "$tmp/a.db" "SELECT count(*) FROM conn WHERE handshake_rtt = ''")" = 0 ] || fail "'' left in a REAL column"
# A cut capture: its rows go in, the run says it is incomplete.
head -c 9000 "$root/captures/lab_mixed.pcapng" >"$tmp/cut.pcapng"
"$root/scripts/batch-sqlite.sh" "$tmp/c.db" "$tmp/cut.pcapng" 2>"$tmp/err" -- -j 1
grep -q '^#incomplete' "$tmp/err" || fail "incomplete capture not reported"
[ "$(sqlite3 "$tmp/c.db" 'SELECT count(*) FROM conn')" -gt 0 ] || fail "no rows from the cut capture"
echo "PASS"
