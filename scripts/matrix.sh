#!/bin/sh
# matrix.sh [4.0|4.4|4.6|all]...   (default: all)
# Builds tcpphase with -Werror against each Wireshark version inside a
# Debian root filesystem that ships it, runs the default CTest stage there
# (everything but the GUI test: the roots carry no X server or Qt), makes
# the version's .deb with cpack, then installs it with apt-get, checks that
# tshark lists tcpphase.so as a dissector, runs one capture through the
# installed plugin and the installed profile, and purges it.
#
#   4.0  Debian 12 bookworm   4.4  Debian 13 trixie   4.6  Debian unstable (sid)
#
# Roots are cached in $TCPPHASE_ROOTS (default /var/cache/tcpphase/roots)
# and made by scripts/make-root.sh where absent (about 2.5 minutes and
# 1.2 GB each). Packages land in $TCPPHASE_MATRIX_OUT (default
# build-matrix/ in the checkout), with times.tsv: the wall-clock seconds of
# every stage. Needs root (chroot, mount).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
roots=${TCPPHASE_ROOTS:-/var/cache/tcpphase/roots}
out=${TCPPHASE_MATRIX_OUT:-$top/build-matrix}
jobs=${TCPPHASE_JOBS:-$(nproc)}

[ "$(id -u)" = 0 ] || { echo "$0: needs root (chroot, mount)" >&2; exit 1; }
[ $# -gt 0 ] || set -- all
versions=""
for arg in "$@"; do
    case "$arg" in
        4.0|4.4|4.6) versions="$versions $arg" ;;
        all) versions="$versions 4.0 4.4 4.6" ;;
        *) echo "usage: $0 [4.0|4.4|4.6|all]..." >&2; exit 2 ;;
    esac
done

suite_of() {
    case $1 in
        4.0) echo bookworm ;;
        4.4) echo trixie ;;
        4.6) echo sid ;;
    esac
}

# Mounts made by this script, unmounted however it ends.
mounted=""
unmount_all() {
    for m in $mounted; do umount -l "$m" 2>/dev/null || true; done
    mounted=""
}
trap unmount_all EXIT
trap 'exit 130' INT TERM
mount_api() {
    root=$1
    for m in proc sys dev/pts dev/shm; do
        mountpoint -q "$root/$m" && continue
        mkdir -p "$root/$m"
        case $m in
            proc) mount -t proc proc "$root/proc" ;;
            sys) mount -t sysfs sysfs "$root/sys" ;;
            dev/pts) mount -t devpts -o newinstance,ptmxmode=0666 devpts "$root/dev/pts" ;;
            dev/shm) mount -t tmpfs -o mode=1777 tmpfs "$root/dev/shm" ;;
        esac
        mounted="$root/$m $mounted"
    done
}

in_root() {
    root=$1; shift
    chroot "$root" env -i HOME=/root LC_ALL=C.UTF-8 TMPDIR=/tmp \
        DEBIAN_FRONTEND=noninteractive \
        PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin "$@"
}

now() { date +%s; }
mkdir -p "$out"
times="$out/times.tsv"
[ -f "$times" ] || printf 'date\twireshark\tstage\tseconds\n' > "$times"
record() {  # VERSION STAGE START
    printf '%s\t%s\t%s\t%s\n' "$(date -u +%FT%TZ)" "$1" "$2" $(($(now) - $3)) >> "$times"
    echo "matrix $1: $2 took $(($(now) - $3)) s"
}

# The checkout as git sees it (tracked and new files, nothing ignored).
copy_tree() {
    dest=$1
    mkdir -p "$dest"
    (cd "$top" && git ls-files -z --cached --others --exclude-standard |
        xargs -0 sh -c 'for f; do [ -f "$f" ] && printf "%s\0" "$f"; done; true' sh |
        tar --null -T - -cf -) | tar -C "$dest" -xf -
}

run_version() {
    version=$1
    suite=$(suite_of "$version")
    root="$roots/$suite"
    work=/tmp/tcpphase-matrix          # inside the root
    # One run at a time per root (engineers share the cache): a run wipes
    # the root's work folder and unmounts what it mounted.
    mkdir -p "$roots"
    exec 9>"$roots/.$suite.matrix.lock"
    if ! flock -n 9; then
        echo "matrix $version: another run is using $root; waiting for it"
        flock 9
    fi
    t=$(now)
    # valgrind: tshark.reload's exact memory check (required on 4.6);
    # parallel, sqlite3, time, rsync and OpenSSH: the batch tests (the
    # root's policy-rc.d keeps its sshd service from starting).
    "$top/scripts/make-root.sh" "$suite" "$root" valgrind parallel sqlite3 time \
        rsync openssh-client openssh-server
    record "$version" root "$t"

    got=$(in_root "$root" dpkg-query -W -f='${Version}' tshark)
    case "$got" in
        "$version".*) ;;
        *) echo "matrix: $root has tshark $got, not $version" >&2; return 1 ;;
    esac
    echo "== matrix $version: Debian $suite, Wireshark $got"

    mount_api "$root"
    # A package left by an interrupted run would shadow nothing (the tests
    # never load an installed copy) but would fail the install check.
    in_root "$root" sh -c 'dpkg-query -W tcpphase >/dev/null 2>&1 && apt-get purge -y -qq tcpphase || true'
    rm -rf "$root$work"
    copy_tree "$root$work/src"

    t=$(now)
    in_root "$root" cmake -S $work/src -B $work/build -DCMAKE_BUILD_TYPE=RelWithDebInfo \
        -DTCPPHASE_WERROR=ON
    in_root "$root" cmake --build $work/build -j"$jobs"
    record "$version" build "$t"

    t=$(now)
    in_root "$root" ctest --test-dir $work/build --output-on-failure -j"$jobs" -LE gui
    record "$version" ctest "$t"

    t=$(now)
    in_root "$root" sh -c "cd $work/build && cpack -G DEB"
    deb=$(cd "$root$work/build" && ls tcpphase_*_wireshark"$version"_*.deb)
    cp "$root$work/build/$deb" "$out/"
    in_root "$root" sh $work/src/scripts/check-package.sh "$work/build/$deb" $work/src
    record "$version" package "$t"
    unmount_all
    exec 9>&-
    echo "== matrix $version: passed ($out/$deb)"
}

for version in $versions; do
    t0=$(now)
    run_version "$version"
    record "$version" total "$t0"
done
