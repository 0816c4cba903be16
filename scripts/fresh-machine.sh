#!/bin/sh
# fresh-machine.sh [STAGE...]: the README's two commands on a bare Debian 12,
# as a new user runs them.
#
# Makes (once, cached) a bare Debian 12 minbase root filesystem with
# debootstrap from the archive this machine's apt sources name
# (scripts/make-root.sh), copies it to a scratch folder, clones the current
# commit into its /root (a folder only root can enter, where root clones
# by habit) and runs there, as root, in order:
#
#   ./scripts/setup.sh                  installs, builds, installs the plugin, shows the lab capture
#   TCPPHASE_STAGES=... ./scripts/test.sh   the test command (default: stages 1 and 3)
#
# Nothing is installed beforehand: a package the two commands forget fails
# here instead of on a user's machine. Only committed files are tested (a
# clone, not the work tree). The scratch copy is deleted afterwards; the
# pristine root and the downloaded packages are kept for the next run.
#
# Needs root (debootstrap, chroot, mounts). Environment:
#   TCPPHASE_ROOTS   cache of root filesystems (default /var/cache/tcpphase/roots)
#   TCPPHASE_FRESH_STAGES  stages of test.sh to run inside (default "1 3": the
#                    default build and tests, the benchmark's smoke run)
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
roots=${TCPPHASE_ROOTS:-/var/cache/tcpphase/roots}
stages=${TCPPHASE_FRESH_STAGES:-1 3}
[ "$(id -u)" = 0 ] || { echo "fresh-machine.sh: needs root (debootstrap, chroot)" >&2; exit 2; }

pristine=$roots/bookworm-bare
# A bare root: none of the packages make-root.sh would add for a build.
TCPPHASE_ROOT_BASE="" "$top/scripts/make-root.sh" bookworm "$pristine"

commit=$(git -C "$top" rev-parse HEAD)
if [ -n "$(git -C "$top" status --porcelain --untracked-files=no)" ]; then
    echo "fresh-machine.sh: uncommitted changes are not tested (clone of $commit)" >&2
fi

work=$(mktemp -d "${TMPDIR:-/var/tmp}/tcpphase-fresh.XXXXXX")
root=$work/root
mounted=""
cleanup() {
    status=$?
    # Keep what a failure left for reading: the logs of the clone's builds.
    if [ "$status" != 0 ] && [ -d "$root/root/tcpphase" ]; then
        rm -rf "$roots/last-failure"
        mkdir -p "$roots/last-failure"
        (cd "$root/root/tcpphase" && find . -path ./.git -prune -o \( -name '*.log' -o -name 'LastTest*.log' \) \
            -type f -print | while read -r f; do
                mkdir -p "$roots/last-failure/$(dirname "$f")" && cp "$f" "$roots/last-failure/$f"; done)
        echo "fresh-machine.sh: failed ($status); logs kept in $roots/last-failure" >&2
    fi
    # Unmount in reverse order, lazily if a process inside still holds one.
    for m in $mounted; do umount -R "$m" 2>/dev/null || umount -R -l "$m" 2>/dev/null || true; done
    # Never delete through a mount that is still there.
    if ! grep -q " $work/" /proc/mounts; then rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

start=$(date +%s)
cp -a "$pristine" "$root"
rm -f "$root/.tcpphase-root"
cp /etc/resolv.conf "$root/etc/resolv.conf"

# Packages downloaded by earlier runs are kept outside the copy; apt still
# decides what to install, so a missing step fails all the same.
archives=$roots/apt-archives
mkdir -p "$archives/partial"
for spec in "proc:proc" "sys:sys" "dev:dev" "$archives:var/cache/apt/archives"; do
    src=${spec%%:*} dst=$root/${spec#*:}
    mkdir -p "$dst"
    case $src in
    proc) mount -t proc proc "$dst" ;;
    sys|dev) mount --rbind "/$src" "$dst" && mount --make-rslave "$dst" ;;
    *) mount --bind "$src" "$dst" ;;
    esac
    mounted="$dst $mounted"
done

git clone -q --no-hardlinks "$top" "$root/root/tcpphase"
git -C "$root/root/tcpphase" checkout -q "$commit"
chmod 700 "$root/root"

echo "== fresh Debian 12 root ($(date -u +%H:%M:%S)): ./scripts/setup.sh"
chroot "$root" /usr/bin/env -i HOME=/root TERM=dumb LANG=C.UTF-8 \
    PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    sh -c 'cd /root/tcpphase && ./scripts/setup.sh'
echo "== fresh Debian 12 root ($(date -u +%H:%M:%S)): TCPPHASE_STAGES=\"$stages\" ./scripts/test.sh"
chroot "$root" /usr/bin/env -i HOME=/root TERM=dumb LANG=C.UTF-8 \
    PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    TCPPHASE_STAGES="$stages" \
    sh -c 'cd /root/tcpphase && ./scripts/test.sh'
echo "== fresh Debian 12 root: both commands passed in $(( $(date +%s) - start )) s"
