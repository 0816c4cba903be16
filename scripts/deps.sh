#!/bin/sh
# deps.sh [extra Debian packages...]
# Installs, on Debian 12 or later, what building and testing tcpphase
# needs and is not there yet. Needs root (or sudo) only when something is
# missing.
set -eu

# libgcrypt20-dev: Wireshark's TLS and wsutil headers include gcrypt.h,
# and no Wireshark development package depends on it.
need="cmake make gcc pkg-config libglib2.0-dev libgcrypt20-dev libwireshark-dev wireshark-dev
      tshark python3 util-linux $*"
installed() {
    dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"
}
# Wireshark's Qt GUI is wireshark-qt up to Debian 12 and wireshark from
# Debian 13 on (no wireshark-qt there): either counts as installed.
missing=""
for pkg in $need; do
    case $pkg in
        wireshark-qt) installed wireshark-qt || installed wireshark || missing="$missing $pkg" ;;
        *) installed "$pkg" || missing="$missing $pkg" ;;
    esac
done
[ -z "$missing" ] && exit 0

sudo=""
[ "$(id -u)" = 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
# wireshark-common asks whether non-root users may capture; keep Debian's
# default (no) without a prompt.
echo "wireshark-common wireshark-common/install-setuid boolean false" | $sudo debconf-set-selections
$sudo apt-get update -qq
# Which name of the GUI package this release has.
has_candidate() {
    apt-cache policy "$1" 2>/dev/null | grep -q "Candidate: [^(]"
}
pkgs=""
for pkg in $missing; do
    if [ "$pkg" = wireshark-qt ] && ! has_candidate wireshark-qt; then
        pkg=wireshark
    fi
    pkgs="$pkgs $pkg"
done
# openssh-server (for the test batch.parallel.ssh, which runs an sshd of
# its own) must not bring up this machine's ssh service: Debian's
# ssh.service, ssh.socket and /etc/init.d/ssh do not start while
# /etc/ssh/sshd_not_to_be_run exists. Made before the package is
# installed, so its service starts neither now nor at boot.
case " $pkgs " in
    *" openssh-server "*)
        $sudo mkdir -p /etc/ssh
        $sudo touch /etc/ssh/sshd_not_to_be_run
        echo "deps.sh: openssh-server's service stays off (remove /etc/ssh/sshd_not_to_be_run to run it)"
        ;;
esac
echo "Installing:$pkgs"
# shellcheck disable=SC2086
$sudo apt-get install -y -qq --no-install-recommends $pkgs
