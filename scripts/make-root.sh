#!/bin/sh
# make-root.sh SUITE DIR [extra Debian packages...]
# Makes DIR a minimal Debian SUITE root filesystem (debootstrap minbase) with
# what building and testing tcpphase needs, plus the extra packages. The
# mirror is the one this machine's own apt sources name. Idempotent: a stamp
# file marks a finished root; run again, it only adds what is missing.
# TCPPHASE_ROOT_BASE replaces the default package list (set it empty for a
# bare root that gets only the extra packages). Needs root.
set -eu

usage() { echo "usage: $0 SUITE DIR [extra packages...]" >&2; exit 2; }
[ $# -ge 2 ] || usage
suite=$1
dir=$2
shift 2
extra="$*"

base=${TCPPHASE_ROOT_BASE-"tshark libwireshark-dev wireshark-dev libglib2.0-dev libgcrypt20-dev
      cmake build-essential pkg-config python3 util-linux"}
stamp="$dir/.tcpphase-root"

[ "$(id -u)" = 0 ] || { echo "$0: needs root (debootstrap, chroot)" >&2; exit 1; }
case "$dir" in
    /|"") echo "$0: refusing DIR '$dir'" >&2; exit 2 ;;
esac

# The first non-security URI of the machine's apt sources (deb822 .sources
# files, then one-line .list files).
mirror_from_apt_sources() {
    for f in /etc/apt/sources.list.d/*.sources; do
        [ -f "$f" ] || continue
        awk '
            /^[ \t]*$/ { if (uri != "" && suites !~ /-security/) { print uri; exit }
                         uri = ""; suites = ""; next }
            /^URIs:/   { uri = $2 }
            /^Suites:/ { suites = $0 }
            END        { if (uri != "" && suites !~ /-security/) print uri }
        ' "$f"
    done
    for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
        [ -f "$f" ] || continue
        # "deb [options] URI suite components"
        awk '$1 == "deb" { for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]+:\/\//) {
                 if ($(i + 1) !~ /-security/) print $i; break } }' "$f"
    done
}

# Runs in the root with /proc, /sys and /dev/pts mounted (postinst scripts
# want them); the trap unmounts them however we leave.
mounted=""
unmount_all() {
    for m in $mounted; do umount -l "$m" 2>/dev/null || true; done
    mounted=""
}
trap unmount_all EXIT
trap 'exit 130' INT TERM
mount_api() {
    for m in proc sys dev/pts; do
        mountpoint -q "$dir/$m" && continue
        mkdir -p "$dir/$m"
        case $m in
            proc) mount -t proc proc "$dir/proc" ;;
            sys) mount -t sysfs sysfs "$dir/sys" ;;
            dev/pts) mount -t devpts -o newinstance,ptmxmode=0666 devpts "$dir/dev/pts" ;;
        esac
        mounted="$dir/$m $mounted"
    done
}
in_root() {
    chroot "$dir" env DEBIAN_FRONTEND=noninteractive LC_ALL=C.UTF-8 \
        PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin "$@"
}

missing_in_root() {
    out=""
    for pkg in "$@"; do
        in_root dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" ||
            out="$out $pkg"
    done
    echo "$out"
}

if [ -f "$stamp" ]; then
    # shellcheck disable=SC2086
    missing=$(missing_in_root $base $extra)
    [ -z "$missing" ] && exit 0
    echo "make-root: adding$missing to $dir"
    mount_api
    in_root apt-get update -qq
    # shellcheck disable=SC2086
    in_root apt-get install -y -qq --no-install-recommends $missing
    exit 0
fi

# An unfinished root (no stamp) is made again from scratch, unless
# something is still mounted inside it.
if [ -e "$dir" ]; then
    if awk -v d="$(realpath "$dir")/" 'index($2 "/", d) == 1 { found = 1 } END { exit !found }' /proc/mounts; then
        echo "$0: something is mounted under $dir; unmount it first" >&2
        exit 1
    fi
    echo "make-root: $dir is unfinished; starting again"
    rm -rf "$dir"
fi

mirror=$(mirror_from_apt_sources | head -n 1)
[ -n "$mirror" ] || { echo "$0: no deb URI in /etc/apt/sources*" >&2; exit 1; }
command -v debootstrap >/dev/null || {
    echo "make-root: installing debootstrap"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends debootstrap
}

# A suite newer than this debootstrap (forky on Debian 12) has no script of
# its own; Debian's testing and unstable share the sid script.
scripts=/usr/share/debootstrap/scripts
script=""
[ -e "$scripts/$suite" ] || script="$scripts/sid"

mkdir -p "$dir"
echo "make-root: debootstrap $suite from $mirror into $dir"
debootstrap --variant=minbase "$suite" "$dir" "$mirror" $script

# Keep daemons in packages from starting inside the root.
printf '#!/bin/sh\nexit 101\n' > "$dir/usr/sbin/policy-rc.d"
chmod 755 "$dir/usr/sbin/policy-rc.d"

# The machine's mirror may be a snapshot of the archive whose Release files
# are past their Valid-Until date (sid's and forky's expire within days);
# where this machine's apt accepts them, so does the root's.
if [ "$(apt-config dump Acquire::Check-Valid-Until | sed -n 's/^Acquire::Check-Valid-Until "\(.*\)";$/\1/p')" = false ]; then
    echo 'Acquire::Check-Valid-Until "false";' > "$dir/etc/apt/apt.conf.d/99tcpphase-valid-until"
fi

mount_api
# wireshark-common asks whether non-root users may capture: Debian's
# default (no), without a prompt.
echo "wireshark-common wireshark-common/install-setuid boolean false" |
    in_root debconf-set-selections
in_root apt-get update -qq
# sid can be mid-transition: finish what debootstrap left unconfigured.
in_root apt-get -f install -y -qq
# shellcheck disable=SC2086
[ -z "$base$extra" ] || in_root apt-get install -y -qq --no-install-recommends $base $extra
in_root apt-get clean

printf 'suite=%s\nmirror=%s\nmade=%s\n' "$suite" "$mirror" "$(date -u +%FT%TZ)" > "$stamp"
echo "make-root: $dir ready"
