#!/bin/sh
# test.sh: installs what is missing, builds tcpphase and runs the whole
# default test suite (unit tests of the pure machines, tshark-level tests
# over every committed capture). Never installs the plugin.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
build=${TCPPHASE_BUILD:-$top/build}

# Beyond the build: mergecap (wireshark-common, with tshark), and Wireshark
# Qt under Xvfb for the GUI test.
"$top/scripts/deps.sh" xvfb xdotool imagemagick wireshark-qt x11-utils
cmake -S "$top" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo
cmake --build "$build" -j"$(nproc)"
ctest --test-dir "$build" --output-on-failure -j"$(nproc)"
