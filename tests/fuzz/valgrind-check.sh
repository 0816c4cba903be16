#!/bin/bash
# valgrind-check.sh [--stage DIR] [--all|CAPTURE...]
#
# Runs tshark -2 -V (and the tcpphase taps when built) under valgrind
# memcheck with the normal (non-sanitizer) plugin build over committed
# captures: by default a representative set, --all every capture. Same set
# up as tests/tshark/run-tshark (as root: tshark runs as nobody with a
# private plugin folder mirroring the system one plus the build's
# tcpphase.so), built once for the whole run.
#
# A capture fails when memcheck reports any error not matched by
# tests/fuzz/valgrind.supp (which lists only Wireshark/GLib-internal
# stacks), or any "definitely lost" block whose allocation stack contains
# tcpphase.so. --keep-debuginfo=yes keeps the plugin's symbols after
# Wireshark unloads it at exit, so its frames stay named in leak reports.
# Other definite leaks (Wireshark's own, at exit) are counted and shown,
# not failed. Logs: $TCPPHASE_VALGRIND_LOGS (default build/valgrind-logs).
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
stage=$top/build/stage/plugins
logs=${TCPPHASE_VALGRIND_LOGS:-$top/build/valgrind-logs}
captures=()
all=0
while [ $# -gt 0 ]; do
    case "$1" in
    --stage) stage=$2; shift ;;
    --all) all=1 ;;
    *) captures+=("$1") ;;
    esac
    shift
done
if [ ${#captures[@]} -eq 0 ]; then
    if [ "$all" = 1 ]; then
        captures=("$top"/captures/*.pcapng "$top"/captures/public/*.pcap)
    else
        for c in lab_http lab_https lab_mixed tls12_keylog tls13_keylog tls13_injected tls_hrr \
                 midstream ipv6 client_rst tls_fail_handshake; do
            captures+=("$top/captures/$c.pcapng")
        done
        captures+=("$top/captures/public/tcpdump__mptcp-v1.pcap")
    fi
fi
# The real tshark, also when tests/fuzz/asan-env.sh put its wrapper first.
tshark_bin=${TCPPHASE_REAL_TSHARK:-$(command -v tshark)}
case "$tshark_bin" in */asan-bin/*) tshark_bin=/usr/bin/tshark ;; esac
command -v valgrind >/dev/null || { echo "valgrind is not installed (apt-get install valgrind)" >&2; exit 2; }

home=$(mktemp -d "${TMPDIR:-/tmp}/tcpphase-vg-home.XXXXXX")
trap 'rm -rf "$home"' EXIT INT TERM
mkdir -p "$home/files" "$logs"
system_plugins=$("$tshark_bin" -G folders 2>/dev/null | sed -n 's/^Global Plugins:[[:space:]]*//p')
abi=$(basename "$system_plugins")     # the Wireshark major.minor, e.g. 4.4
[ -f "$stage/$abi/epan/tcpphase.so" ] ||
    { echo "no $abi/epan/tcpphase.so under $stage (build first)" >&2; exit 2; }
for kind_dir in "$system_plugins"/*/; do
    kind=$(basename "$kind_dir")
    mkdir -p "$home/plugins/$abi/$kind"
    for f in "$kind_dir"*; do
        [ -e "$f" ] || continue
        [ "$(basename "$f")" = tcpphase.so ] && continue
        ln -s "$f" "$home/plugins/$abi/$kind/"
    done
done
mkdir -p "$home/plugins/$abi/epan"
cp "$stage/$abi/epan/tcpphase.so" "$home/plugins/$abi/epan/"
cp "$top/tests/fuzz/valgrind.supp" "$home/"
if [ "$(id -u)" = 0 ]; then
    chmod -R a+rX "$home"
    chown -R 65534:65534 "$home"
    as_tshark_user=(setpriv --reuid=65534 --regid=65534 --clear-groups)
else
    as_tshark_user=()
fi
taps=()
if "${as_tshark_user[@]}" env HOME="$home" WIRESHARK_PLUGIN_DIR="$home/plugins" \
        "$tshark_bin" -z help 2>&1 | grep -q 'tcpphase,tree'; then
    taps=(-z tcpphase,tree -z tcpphase,conv -z tcpphase,csv)
fi

# A frame of the plugin: in tcpphase.so, or a line of one of its sources.
plugin_frame="tcpphase\\.so|\\(($(cd "$top/plugin" && ls *.c | sed 's/\.c$//' | paste -sd'|'))\\.c:[0-9]+\\)"
failed=0
passed=0
for capture in "${captures[@]}"; do
    name=$(basename "$capture")
    cp "$capture" "$home/files/$name"
    extra=()
    keys="${capture%.*}.keys"
    if [ -f "$keys" ]; then
        cp "$keys" "$home/files/"
        extra=(-o "tls.keylog_file:$home/files/$(basename "$keys")")
    fi
    chmod -R a+rX "$home/files"
    [ "$(id -u)" = 0 ] && chown -R 65534:65534 "$home/files"
    log=$home/files/$name.vg.log
    start=$(date +%s)
    "${as_tshark_user[@]}" env HOME="$home" XDG_CONFIG_HOME="$home/.config" \
        WIRESHARK_PLUGIN_DIR="$home/plugins" WIRESHARK_EXTCAP_DIR=/nonexistent-tcpphase-extcap \
        G_SLICE=always-malloc G_DEBUG=gc-friendly WIRESHARK_DEBUG_WMEM_OVERRIDE=simple \
        valgrind --tool=memcheck --error-exitcode=1 --suppressions="$home/valgrind.supp" \
            --leak-check=full --show-leak-kinds=definite --errors-for-leak-kinds=none \
            --keep-debuginfo=yes --num-callers=40 --gen-suppressions=all --log-file="$log" \
            "$tshark_bin" -2 -V "${taps[@]}" "${extra[@]}" -r "$home/files/$name" >"$log.stdout" 2>"$log.stderr"
    status=$?
    tagged=$(grep -c '^ *\[\?TCP Session Phase: ' "$log.stdout")
    cp "$log" "$logs/$name.vg.log"
    errors=$(sed -n 's/.*ERROR SUMMARY: \([0-9]*\) errors.*/\1/p' "$log" | tail -1)
    suppressed=$(sed -n 's/.*ERROR SUMMARY: .*suppressed: \([0-9]*\) from.*/\1/p' "$log" | tail -1)
    # Loss records of definitely lost blocks: blank-line separated blocks.
    # Unsuppressed loss records, one per line: "ours" when a frame of the
    # allocation stack is in tcpphase.so (named thanks to --keep-debuginfo).
    records=$(sed -E 's/^==[0-9]+== ?//' "$log" | awk '
        /definitely lost in loss record/ { inrec = 1; rec = $0; next }
        inrec && (/^$/ || /^\{/) { print rec; inrec = 0; next }
        inrec { f = $0; sub(/^ *(at|by) 0x[0-9A-F]+: /, "", f); rec = rec " < " f }')
    ours=$(printf '%s\n' "$records" | grep -cE "$plugin_frame")
    theirs=$(printf '%s\n' "$records" | grep -vE "$plugin_frame" | grep -c 'definitely lost')
    lost=$(sed -n 's/.*definitely lost: \([0-9,]*\) bytes.*/\1/p' "$log" | tail -1)
    verdict=ok
    if [ "$status" -ne 0 ] && [ "$status" -ne 2 ]; then verdict="exit $status"; fi
    if [ "${errors:-1}" != 0 ]; then verdict="$errors memcheck errors"; fi
    if [ "$ours" != 0 ]; then verdict="$ours definitely-lost records from tcpphase.so"; fi
    if [ "$tagged" = 0 ]; then verdict="no packet tagged: the plugin did not run"; fi
    printf '%-36s %-4s %3s tagged, errors %s (suppressed %s), definitely lost %s bytes (tcpphase: %s records, others: %s), %ss\n' \
        "$name" "$([ "$verdict" = ok ] && echo ok || echo FAIL)" "$tagged" "${errors:-?}" \
        "${suppressed:-?}" "${lost:-0}" "$ours" "$theirs" "$(( $(date +%s) - start ))"
    if [ "$verdict" = ok ]; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
        echo "  $verdict; log: $logs/$name.vg.log"
        # each of our records: its size and the plugin frames of its stack
        printf '%s\n' "$records" | grep -E "$plugin_frame" | while IFS= read -r rec; do
            printf '    %s: %s\n' "$(printf '%s' "$rec" | sed 's/ are definitely lost.*//')" \
                "$(printf '%s' "$rec" | tr '<' '\n' | grep -E "$plugin_frame" | sed 's/^ *//; s/ *$//' | paste -sd'<' | sed 's/</ < /g')"
        done
    fi
    rm -f "$home/files/$name" "$log" "$log.stderr" "$log.stdout"
done
echo "taps: ${taps[*]:-none}"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
