#!/bin/sh
# deps.sh [extra Debian packages...]
# Installs, on Debian 12, what building and testing tcpphase needs and is
# not there yet. Needs root (or sudo) only when something is missing.
set -eu

need="cmake make gcc pkg-config libglib2.0-dev libgcrypt20-dev libwireshark-dev wireshark-dev tshark python3 util-linux $*"
missing=""
for pkg in $need; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $pkg"
    fi
done
[ -z "$missing" ] && exit 0

echo "Installing:$missing"
sudo=""
[ "$(id -u)" = 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
# wireshark-common asks whether non-root users may capture; keep Debian's
# default (no) without a prompt.
echo "wireshark-common wireshark-common/install-setuid boolean false" | $sudo debconf-set-selections
$sudo apt-get update -qq
# shellcheck disable=SC2086
$sudo apt-get install -y -qq --no-install-recommends $missing
