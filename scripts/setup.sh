#!/bin/sh
# setup.sh: installs what is missing, builds tcpphase, installs the plugin
# for the current user (the system plugin folder for root) and shows the
# phase and step of every packet of the bundled lab capture.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
build=${TCPPHASE_BUILD:-$top/build}

"$top/scripts/deps.sh"
cmake -S "$top" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo
cmake --build "$build" -j"$(nproc)" --target tcpphase tcpphase-batch
cmake --install "$build"
tshark -G plugins | grep -q '^tcpphase\.so' || {
    echo "tshark does not list tcpphase.so: see README.md, Installation" >&2
    exit 1
}
echo
echo "== captures/lab_http.pcapng: three HTTP GETs, each on its own connection =="
"$top/scripts/show-phases" "$top/captures/lab_http.pcapng"
