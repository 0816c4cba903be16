#!/bin/bash
# gui-screenshots.sh: makes the README's screenshots from the real plugin in
# Wireshark (Qt) under Xvfb, with the repository's "tcpphase" profile:
#   docs/screenshots/packet-list.png  phase, step, TLS stage columns, colours
#   docs/screenshots/stats-tree.png   Statistics > TCP Session Phase
#   docs/screenshots/conv-table.png   Statistics > TCP Session Phase Conversations
#   docs/screenshots/explanation-column.png  the Explanation column on lab_https
#                                      (the profile's columns cut to a few)
#   docs/screenshots/writeup-table.png Statistics > TCP Session Phase Write-up,
#                                      the first HTTPS connection of lab_https
# Needs a build (./scripts/test.sh or cmake --build build) and
# xvfb xdotool imagemagick wireshark-qt (installed if missing).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
stage=${TCPPHASE_BUILD:-$top/build}/stage/plugins
out=$top/docs/screenshots
"$top/scripts/deps.sh" xvfb xdotool imagemagick wireshark-qt x11-utils
mkdir -p "$out"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
chmod 755 "$tmp"
# The lab capture plus a refused, a reset and a failed-TLS session.
mergecap -a -w "$tmp/demo.pcapng" "$top/captures/lab_mixed.pcapng" \
    "$top/captures/refused.pcapng" "$top/captures/tls_fail_unknown_ca12.pcapng" \
    "$top/captures/client_rst.pcapng"
shot="$top/tests/gui/wireshark-xvfb.sh"

MAIN_TITLE=demo "$shot" "$stage" "$out/packet-list.png" demo \
    -C tcpphase -r "$tmp/demo.pcapng" -g 30
# Statistics menu, then its last entry "TCP Session Phase" (1600x1000 screen).
MAIN_TITLE=demo CLICKS="325,10 379,763" DIALOG="TCP Session Phase" \
    "$shot" "$stage" "$out/stats-tree.png" demo -C tcpphase -r "$tmp/demo.pcapng"
MAIN_TITLE=demo DIALOG="TCP Session Phase Conversations" \
    "$shot" "$stage" "$out/conv-table.png" "TCP Session Phase Conversations" \
    -C tcpphase -r "$tmp/demo.pcapng" -z tcpphase,conv
MAIN_TITLE=lab_https "$shot" "$stage" "$out/explanation-column.png" lab_https \
    -C tcpphase -r "$top/captures/lab_https.pcapng" -g 8 -o 'gui.column.format:"No.","%m",'\
'"Time","%t","Source","%s","Destination","%d","Phase","%Cus:tcpphase.phase:0:R",'\
'"Step","%Cus:tcpphase.step:0:R","Explanation","%Cus:tcpphase.explain:0:R"'
MAIN_TITLE=lab_https DIALOG="TCP Session Phase Write-up" \
    "$shot" "$stage" "$out/writeup-table.png" "TCP Session Phase Write-up" \
    -C tcpphase -r "$top/captures/lab_https.pcapng" -z "tcpphase,writeup,tcp.stream == 0"
echo "screenshots in $out"
