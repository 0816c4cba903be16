#!/bin/sh
# test.sh: installs what is missing, builds tcpphase and runs the whole
# test suite. Never installs the plugin. Stages:
#   1. the default build: unit tests of the pure machines, tshark-level
#      tests over every committed capture, the GUI under Xvfb;
#   2. the benchmark's smoke run (bench/run --quick: proves it works, times
#      nothing);
#   3. the sanitizer build (ASan + UBSan, leak detection on): the unit
#      tests, the whole tshark-level suite again with tshark running the
#      sanitized plugin, the libFuzzer harness (seed corpus and regressions
#      replayed, then 60 s of coverage-guided fuzzing);
#   4. the fuzz batch: 500 mutated captures (fixed seed) through the
#      sanitized plugin with -2 -V and the statistics taps.
#   5. the fresh-machine check (scripts/fresh-machine.sh): setup.sh and
#      stages 1-2 of this command again, from a clone of this commit
#      under /root of a bare Debian 12 root filesystem.
# TCPPHASE_STAGES="1 2 ..." runs only those stages (TCPPHASE_QUICK=1: "1").
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
build=${TCPPHASE_BUILD:-$top/build}
asan=${TCPPHASE_ASAN_BUILD:-$top/build-asan}
jobs=$(nproc)
stages=${TCPPHASE_STAGES:-1 2 3 4 5}
[ "${TCPPHASE_QUICK:-0}" = 1 ] && stages=1
want() { case " $stages " in *" $1 "*) return 0 ;; esac; return 1; }

# Beyond the build: Wireshark Qt under Xvfb for the GUI test, GNU parallel
# and sqlite3 for the batch recipe test, clang and its runtimes for the
# fuzz harness, debootstrap for the fresh machine.
extra="xvfb xdotool imagemagick wireshark-qt x11-utils parallel sqlite3"
want 3 && extra="$extra clang libclang-rt-14-dev"
want 5 && extra="$extra debootstrap git"
# shellcheck disable=SC2086
"$top/scripts/deps.sh" $extra

if want 1; then
echo "== 1. default build and tests"
cmake -S "$top" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo
cmake --build "$build" -j"$jobs"
ctest --test-dir "$build" --output-on-failure -j"$jobs"
fi

if want 2; then
echo "== 2. benchmark smoke run"
BENCH_BUILD="$build" BENCH_OUT="$build/bench-quick" "$top/bench/run" --quick
fi

if want 3; then
echo "== 3. sanitizer build and tests"
cmake -S "$top" -B "$asan" -DCMAKE_BUILD_TYPE=Debug -DCMAKE_C_COMPILER=gcc \
    -DTCPPHASE_SANITIZE=ON -DTCPPHASE_FUZZ=ON
cmake --build "$asan" -j"$jobs"
(
    . "$top/tests/fuzz/asan-env.sh"
    # Wireshark Qt is left out: its GUI test runs in stage 1.
    ctest --test-dir "$asan" --output-on-failure -j"$jobs" -LE gui
)
fi

if want 4; then
echo "== 4. fuzz batch"
(
    . "$top/tests/fuzz/asan-env.sh"
    python3 "$top/tests/fuzz/mutate_and_run.py" --count 500 --seed 1 \
        --stage "$asan/stage/plugins" --jobs "$jobs" --out "$asan/fuzz-failures"
)
fi

if want 5; then
echo "== 5. fresh-machine check"
"$top/scripts/fresh-machine.sh"
fi
