#!/bin/bash
# check_gui.sh STAGE_DIR CAPTURE
# Wireshark (Qt) starts under Xvfb with the freshly built plugin and the
# tcpphase profile, loads CAPTURE, opens the plugin's conversation table
# (an unknown -z argument would stop Wireshark: the plugin is loaded),
# reloads the file twice (Ctrl+R: file scope freed, init routines run
# again) and exits cleanly on Ctrl+Q. Exit 77 (skip) only when no X
# server can run.
set -u
stage=$1; capture=$2
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
RELOADS=2 MAIN_TITLE=$(basename "$capture") "$(dirname "$0")/wireshark-xvfb.sh" "$stage" "$tmp/shot.png" "TCP Session Phase Conversations" \
    -C tcpphase -r "$capture" -z tcpphase,conv
status=$?
[ $status -ne 0 ] && exit $status
size=$(stat -c %s "$tmp/shot.png" 2>/dev/null || echo 0)
if [ "$size" -lt 20000 ]; then
    echo "FAIL: screenshot is $size bytes"
    exit 1
fi
echo "1 passed, 0 failed"
