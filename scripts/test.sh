#!/bin/sh
# test.sh: installs what is missing, builds tcpphase and runs the whole
# test suite. Never installs the plugin. Stages:
#   1. the default build against this machine's Wireshark (4.0 on Debian
#      12): unit tests of the pure machines, tshark-level tests over every
#      committed capture, the GUI under Xvfb, the source format check;
#   2. the version matrix (scripts/matrix.sh): the same build with -Werror
#      and the same CTest stage (all but the GUI test) against Wireshark 4.4
#      (Debian 13) and 4.6 (Debian unstable) in cached root filesystems,
#      and each version's .deb installed, tried and purged there;
#   3. the benchmark's smoke run (bench/run --quick: proves it works, times
#      nothing);
#   4. the sanitizer build (ASan + UBSan, leak detection on): the unit
#      tests, the whole tshark-level suite again with tshark running the
#      sanitized plugin, the libFuzzer harness (seed corpus and regressions
#      replayed, then 60 s of coverage-guided fuzzing);
#   5. the fuzz batch: 500 mutated captures (fixed seed) through the
#      sanitized plugin with -2 -V and the statistics taps;
#   6. the fresh-machine check (scripts/fresh-machine.sh): setup.sh, then
#      stages 1 and 3 of this command, from a clone of this commit under
#      /root of a bare Debian 12 root filesystem.
# Stages 3 to 6 use this machine's Wireshark only.
# TCPPHASE_STAGES="1 3 ..." runs only those stages (TCPPHASE_QUICK=1: "1");
# TCPPHASE_MATRIX="4.4" picks the versions of stage 2 (default "4.4 4.6").
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
build=${TCPPHASE_BUILD:-$top/build}
asan=${TCPPHASE_ASAN_BUILD:-$top/build-asan}
jobs=$(nproc)
stages=${TCPPHASE_STAGES:-1 2 3 4 5 6}
[ "${TCPPHASE_QUICK:-0}" = 1 ] && stages=1
want() { case " $stages " in *" $1 "*) return 0 ;; esac; return 1; }
started=$(date +%s)
stage_start=$started
stage_done() { echo "== stage $1 done in $(( $(date +%s) - stage_start )) s"; stage_start=$(date +%s); }

# Beyond the build: Wireshark Qt under Xvfb for the GUI test, clang-format
# for the format check, valgrind for the reload check's memory judgement,
# GNU parallel, sqlite3 and time for the batch tests (with rsync and
# OpenSSH's client and server: the recipe over ssh, batch.parallel.ssh),
# clang and its runtimes for the fuzz harness, debootstrap for the version
# matrix and the fresh machine.
extra="xvfb xdotool imagemagick wireshark-qt x11-utils clang-format valgrind parallel sqlite3 time
       rsync openssh-client openssh-server"
want 2 && extra="$extra debootstrap"
want 4 && extra="$extra clang libclang-rt-14-dev"
want 6 && extra="$extra debootstrap git"
# shellcheck disable=SC2086
"$top/scripts/deps.sh" $extra

if want 1; then
    echo "== 1. default build and tests"
    cmake -S "$top" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo
    cmake --build "$build" -j"$jobs"
    ctest --test-dir "$build" --output-on-failure -j"$jobs"
    stage_done 1
fi

if want 2; then
    matrix=${TCPPHASE_MATRIX-4.4 4.6}
    echo "== 2. version matrix: ${matrix:-skipped}"
    if [ -n "$matrix" ]; then
        # shellcheck disable=SC2086
        "$top/scripts/matrix.sh" $matrix
    fi
    stage_done 2
fi

if want 3; then
    echo "== 3. benchmark smoke run"
    BENCH_BUILD="$build" BENCH_OUT="$build/bench-quick" "$top/bench/run" --quick
    stage_done 3
fi

if want 4; then
    echo "== 4. sanitizer build and tests"
    cmake -S "$top" -B "$asan" -DCMAKE_BUILD_TYPE=Debug -DCMAKE_C_COMPILER=gcc \
        -DTCPPHASE_SANITIZE=ON -DTCPPHASE_FUZZ=ON
    cmake --build "$asan" -j"$jobs"
    (
        . "$top/tests/fuzz/asan-env.sh"
        # Wireshark Qt and the format check are left out: stage 1 ran them.
        ctest --test-dir "$asan" --output-on-failure -j"$jobs" -LE 'gui|style'
    )
    stage_done 4
fi

if want 5; then
    echo "== 5. fuzz batch"
    (
        . "$top/tests/fuzz/asan-env.sh"
        python3 "$top/tests/fuzz/mutate_and_run.py" --count 500 --seed 1 \
            --stage "$asan/stage/plugins" --jobs "$jobs" --out "$asan/fuzz-failures"
    )
    stage_done 5
fi

if want 6; then
    echo "== 6. fresh-machine check"
    "$top/scripts/fresh-machine.sh"
    stage_done 6
fi
echo "== test.sh: stages $stages passed in $(( $(date +%s) - started )) s"
