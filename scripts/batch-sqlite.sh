#!/usr/bin/env bash
# batch-sqlite.sh DB CAPTURE... [-- PARALLEL_OPTIONS...]
#
# Runs tcpphase-batch over many captures with GNU parallel (one job per
# capture, on every local core by default) and merges the per-file CSVs
# into one SQLite table `conn` (the columns of -z tcpphase,csv, with the
# capture in `file`; undefined times are NULL). PARALLEL_OPTIONS go to
# parallel as they are, e.g. `-- -j 2` or, for other hosts,
# `-- --sshlogin 8/user@host1,8/user@host2 --transferfile {} --cleanup`
# (each host needs tcpphase-batch in its PATH; rows come back on ssh). TCPPHASE_BATCH names the binary (default:
# tcpphase-batch in PATH). A capture that is cut short still gives its
# rows; its "#incomplete" line is left out of the table and listed on
# stderr. Needs the Debian packages parallel and sqlite3.
set -euo pipefail

[ $# -ge 2 ] || { sed -n '2,16p' "$0" >&2; exit 1; }
db=$1; shift
captures=()
while [ $# -gt 0 ] && [ "$1" != -- ]; do captures+=("$1"); shift; done
[ $# -gt 0 ] && shift
batch=${TCPPHASE_BATCH:-tcpphase-batch}
out=$(mktemp -d "${TMPDIR:-/tmp}/batch-sqlite.XXXXXX")
trap 'rm -rf "$out"' EXIT

# Each job writes its rows to standard output, which parallel collects
# whole per job (also from other hosts, over ssh); a failed capture does
# not stop the others.
status=0
parallel --halt never "$@" "$batch" --file-column {} ::: "${captures[@]}" \
    >"$out/all.csv" || status=$?
# parallel's exit status: how many jobs failed (capped at 101).
[ "$status" -ne 0 ] && echo "batch-sqlite: $status capture(s) refused or incomplete" >&2
grep '^#incomplete' "$out/all.csv" >&2 || true
grep -v -e '^#' -e '^file,stream,client,' "$out/all.csv" >"$out/rows.csv" || true
{
    cat <<'SQL'
CREATE TABLE IF NOT EXISTS conn (
    file TEXT, stream INTEGER, client TEXT, server TEXT, state TEXT, history TEXT,
    handshake_rtt REAL, ttfb REAL, duration REAL,
    packets_handshake INTEGER, packets_data INTEGER, packets_teardown INTEGER,
    bytes_to_server INTEGER, bytes_to_client INTEGER, closer TEXT, close TEXT,
    tls_version TEXT, tls_sni TEXT, tls_handshake_time REAL, tls_result TEXT);
CREATE TEMP TABLE csv_in AS SELECT * FROM conn WHERE 0;
SQL
    echo ".import --csv '$out/rows.csv' csv_in"
    cat <<'SQL'
INSERT INTO conn SELECT file, stream, client, server, state, history,
    NULLIF(handshake_rtt, ''), NULLIF(ttfb, ''), duration,
    packets_handshake, packets_data, packets_teardown, bytes_to_server, bytes_to_client,
    NULLIF(closer, ''), close, NULLIF(tls_version, ''), NULLIF(tls_sni, ''),
    NULLIF(tls_handshake_time, ''), tls_result FROM csv_in;
SQL
} | sqlite3 -bail "$db"
exit 0
