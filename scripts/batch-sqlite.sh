#!/usr/bin/env bash
# batch-sqlite.sh DB CAPTURE... [-- PARALLEL_OPTIONS...]
#
# Runs tcpphase-batch over many captures with GNU parallel (one job per
# capture, on every local core by default) and merges the per-file CSVs
# into one SQLite table `conn` (the columns of -z tcpphase,csv, with the
# capture as it was named here in `file`; undefined times are NULL).
# PARALLEL_OPTIONS go to parallel as they are, e.g. `-- -j 2`, or for other
# hosts `-- --sshlogin 8/user@host1,8/user@host2,:` (`:` is this machine).
# On a host reached by ssh, each capture is copied (rsync) into a folder of
# its own under that host's ~/.parallel/tmp, read there, and removed with
# the folder; the rows come back through ssh. Such a host needs rsync, and
# tcpphase-batch in the PATH of its ssh commands. TCPPHASE_BATCH names the
# binary on every host (default: tcpphase-batch). A capture that is cut
# short still gives its rows; its "#incomplete" line is left out of the
# table and listed on stderr. Needs the Debian packages parallel and
# sqlite3 (and rsync, with other hosts).
set -euo pipefail

[ $# -ge 2 ] || { sed -n '2,17p' "$0" >&2; exit 1; }
db=$1; shift
captures=()
while [ $# -gt 0 ] && [ "$1" != -- ]; do captures+=("$1"); shift; done
[ $# -gt 0 ] && shift
batch=${TCPPHASE_BATCH:-tcpphase-batch}
out=$(mktemp -d "${TMPDIR:-/tmp}/batch-sqlite.XXXXXX")
trap 'rm -rf "$out"' EXIT

# GNU parallel 20221122 (Debian 12; the code is the same in 20240222,
# Debian 13) starts the ssh master of -M (--controlmaster) with the --ssh
# command taken as one program name (Perl's exec of a list); with
# a command of several words that fails, and the forked copy of parallel
# goes on running jobs whose output is lost (over loopback it once also
# removed a capture). Refused: with -M, give --ssh one word (a wrapper
# script).
controlmaster=false multiword=false
[[ ${PARALLEL_SSH:-} == *" "* ]] && multiword=true
opts=("$@")
for ((i = 0; i < ${#opts[@]}; i++)); do
    o=${opts[i]} v=""
    case $o in
        -M | --controlmaster) controlmaster=true ;;
        --ssh | -S | --sshlogin) v=${opts[i + 1]:-} ;;
        --ssh=* | --sshlogin=*) v=${o#*=} ;;
        -S?*) v=${o#-S} ;;
    esac
    [[ $v == *" "* ]] && multiword=true
done
if $controlmaster && $multiword; then
    echo "batch-sqlite: -M with an ssh command of several words loses jobs in GNU parallel;" \
        "give --ssh a wrapper script instead (see README.md)" >&2
    exit 2
fi

# Each capture goes to parallel as /./PATH (PATH: its absolute path
# without the leading /). rsync copies such a name to PATH under the job's
# folder on the other host (parallel --transferfile, "/./" as in rsync -R),
# never over the capture itself, even where that host shares this one's
# files (the same machine under another name, NFS); --cleanup then removes
# the copy and --workdir ... the folder. A job reads PATH: on another host
# from its folder, here (parallel's host `:`, where nothing is copied)
# from /. So every job writes PATH in the file column, mapped back below
# to the name the capture was given.
args=()
map=""
sq() { printf "'%s'" "${1//\'/\'\'}"; }
for c in "${captures[@]}"; do
    abs=$(realpath -m -s -- "$c")
    args+=("/.$abs")
    map+="INSERT OR IGNORE INTO arg_file VALUES ($(sq "${abs#/}"), $(sq "$c"));"$'\n'
done
job="f={}; f=\${f#/./}; [ \"\${PARALLEL_SSHHOST:-:}\" != : ] || cd /; $(printf '%q' "$batch") --file-column \"\$f\""

# Each job writes its rows to standard output, which parallel collects
# whole per job (also from other hosts, over ssh); a failed capture does
# not stop the others. Without another host parallel warns that it does
# not copy anything: that warning is left out.
ignored="parallel: Warning: --transferfile ignored as there are no remote --sshlogin."
status=0
{
    parallel --halt never --workdir ... --transferfile {} --cleanup "$@" "( $job )" ::: "${args[@]}" \
        2>&1 >&3 3>&- | { grep -v -x -F -e "$ignored" >&2 || true; }
} 3>"$out/all.csv" || status=$?
# parallel's exit status: how many jobs failed (capped at 101).
[ "$status" -ne 0 ] && echo "batch-sqlite: $status capture(s) refused or incomplete" >&2
# The #incomplete lines name the capture by its absolute path.
sed -n 's|^#incomplete,\("\{0,1\}\)|#incomplete,\1/|p' "$out/all.csv" >&2
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
CREATE TEMP TABLE arg_file (arg TEXT PRIMARY KEY, file TEXT);
SQL
    printf 'BEGIN;\n%sCOMMIT;\n' "$map"
    echo ".import --csv '$out/rows.csv' csv_in"
    cat <<'SQL'
INSERT INTO conn SELECT coalesce(m.file, c.file), stream, client, server, state, history,
    NULLIF(handshake_rtt, ''), NULLIF(ttfb, ''), duration,
    packets_handshake, packets_data, packets_teardown, bytes_to_server, bytes_to_client,
    NULLIF(closer, ''), close, NULLIF(tls_version, ''), NULLIF(tls_sni, ''),
    NULLIF(tls_handshake_time, ''), tls_result
    FROM csv_in AS c LEFT JOIN arg_file AS m ON m.arg = c.file ORDER BY c.rowid;
SQL
} | sqlite3 -bail "$db"
exit 0
