#!/bin/bash
# wireshark-xvfb.sh STAGE_DIR OUT_PNG WAIT_TITLE [wireshark arguments...]
#
# Starts Wireshark (Qt) under a private Xvfb with the freshly built plugin
# and the repository's profiles, waits for a window whose title contains
# WAIT_TITLE, saves a screenshot of the screen to OUT_PNG, then closes
# Wireshark with Ctrl+Q and reports its exit status. Every wait is bounded;
# only processes this script started are stopped, by PID.
#
# RELOADS=N reloads the file N times before the screenshot.
# Exit: 0 clean exit; 1 Wireshark failed or crashed; 77 no X server here.
set -u
stage=$1; out=$2; title=$3; shift 3
MAIN_TITLE=${MAIN_TITLE:-$title}
top=$(cd "$(dirname "$0")/../.." && pwd)

for tool in Xvfb xdotool import wireshark; do
    if ! command -v "$tool" >/dev/null; then
        echo "SKIP: $tool is not installed (apt-get install xvfb xdotool imagemagick wireshark-qt)"
        exit 77
    fi
done

display=":$((90 + RANDOM % 9))"
Xvfb "$display" -screen 0 1600x1000x24 -nolisten tcp -ac >/dev/null 2>&1 &
xvfb_pid=$!
ws_pid=""
cleanup() {
    [ -n "$ws_pid" ] && kill "$ws_pid" 2>/dev/null
    kill "$xvfb_pid" 2>/dev/null
    wait 2>/dev/null
}
trap cleanup EXIT
export DISPLAY=$display
for _ in $(seq 50); do
    xdpyinfo >/dev/null 2>&1 && break
    sleep 0.1
done
if ! xdpyinfo >/dev/null 2>&1; then
    echo "SKIP: Xvfb did not start"
    exit 77
fi

log=$(mktemp)
TCPPHASE_PROGRAM=wireshark TCPPHASE_PROFILES="$top/profiles" QT_QPA_PLATFORM=xcb \
    QT_STYLE_OVERRIDE=Fusion \
    "$top/tests/tshark/run-tshark" "$stage" "$@" >"$log" 2>&1 &
ws_pid=$!

window=""
for _ in $(seq 120); do
    window=$(xdotool search --name "$title" 2>/dev/null | tail -1)
    [ -n "$window" ] && break
    if ! kill -0 "$ws_pid" 2>/dev/null; then break; fi
    sleep 0.5
done
if [ -z "$window" ]; then
    echo "FAIL: no window titled '$title' appeared"; cat "$log"; rm -f "$log"
    exit 1
fi
# No window manager: size the windows ourselves, the main one full screen.
main=$(xdotool search --onlyvisible --name "$MAIN_TITLE" 2>/dev/null | head -1)
main=${main:-$window}
xdotool windowmove "$main" 0 0 windowsize "$main" 1600 1000 2>/dev/null
if [ "$window" != "$main" ]; then
    xdotool windowmove "$window" 40 40 windowsize "$window" 1500 900 windowraise "$window" 2>/dev/null
fi
sleep 4      # let the packet list, colours and statistics fill in
# RELOADS=N: reload the file N times first (View > Reload, Ctrl+R): file
# scope is freed and the plugin's init routines run again each time.
for _ in $(seq "${RELOADS:-0}"); do
    xdotool windowfocus --sync "$main" 2>/dev/null
    sleep 0.5
    xdotool key ctrl+r 2>/dev/null
    sleep 4
done
# CLICKS="x,y x,y ...": clicks to make before the screenshot (menus).
for click in ${CLICKS:-}; do
    xdotool mousemove "${click%,*}" "${click#*,}" click 1 2>/dev/null
    sleep 1.5
done
# DIALOG="title": a dialog to bring forward and enlarge for the picture.
if [ -n "${DIALOG:-}" ]; then
    dialog=$(xdotool search --onlyvisible --name "$DIALOG" 2>/dev/null | tail -1)
    [ -n "$dialog" ] && xdotool windowmove "$dialog" 40 60 windowsize "$dialog" 1520 900 \
        windowraise "$dialog" 2>/dev/null
    sleep 2
fi
import -window root "$out"

# Ctrl+Q in the main window quits Wireshark (closing its dialogs too).
# (no window manager: give the main window the focus, then type; retried
# a few times in case a dialog took the focus back)
for _ in 1 2 3; do
    xdotool windowfocus --sync "$main" 2>/dev/null
    sleep 0.5
    xdotool key ctrl+q 2>/dev/null
    sleep 2
    kill -0 "$ws_pid" 2>/dev/null || break
done
status=""
for _ in $(seq 60); do
    if ! kill -0 "$ws_pid" 2>/dev/null; then
        wait "$ws_pid"; status=$?
        break
    fi
    sleep 0.5
done
ws_pid_done=$ws_pid; ws_pid=""
if [ -z "$status" ]; then
    echo "FAIL: Wireshark did not exit after Ctrl+Q"; kill "$ws_pid_done"; cat "$log"; rm -f "$log"
    exit 1
fi
if [ "$status" -ne 0 ] || grep -qiE "segmentation|abort|assert|critical" "$log"; then
    echo "FAIL: Wireshark exited with $status"; cat "$log"; rm -f "$log"
    exit 1
fi
rm -f "$log"
echo "OK: $out (Wireshark exited cleanly)"
exit 0
