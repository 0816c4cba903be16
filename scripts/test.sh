#!/bin/sh
# test.sh: installs what is missing, builds tcpphase and runs the whole
# test suite. Never installs the plugin. Stages:
#   1. the default build against this machine's Wireshark (4.0 on Debian
#      12): unit tests of the pure machines, tshark-level tests over every
#      committed capture, the GUI under Xvfb;
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
#      sanitized plugin with -2 -V and the statistics taps.
# Stages 3 to 5 use this machine's Wireshark only.
# TCPPHASE_QUICK=1 runs stage 1 only; TCPPHASE_MATRIX="4.4" (or "") picks
# the versions of stage 2 (default "4.4 4.6").
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
build=${TCPPHASE_BUILD:-$top/build}
asan=${TCPPHASE_ASAN_BUILD:-$top/build-asan}
jobs=$(nproc)

# Beyond the build: Wireshark Qt under Xvfb for the GUI test, clang and
# its runtimes for the fuzz harness.
"$top/scripts/deps.sh" xvfb xdotool imagemagick wireshark-qt x11-utils clang \
    libclang-rt-14-dev

echo "== 1. default build and tests"
cmake -S "$top" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo
cmake --build "$build" -j"$jobs"
ctest --test-dir "$build" --output-on-failure -j"$jobs"
[ "${TCPPHASE_QUICK:-0}" = 1 ] && exit 0

matrix=${TCPPHASE_MATRIX-4.4 4.6}
echo "== 2. version matrix: ${matrix:-skipped}"
if [ -n "$matrix" ]; then
    # shellcheck disable=SC2086
    "$top/scripts/matrix.sh" $matrix
fi

echo "== 3. benchmark smoke run"
BENCH_BUILD="$build" BENCH_OUT="$build/bench-quick" "$top/bench/run" --quick

echo "== 4. sanitizer build and tests"
cmake -S "$top" -B "$asan" -DCMAKE_BUILD_TYPE=Debug -DCMAKE_C_COMPILER=gcc \
    -DTCPPHASE_SANITIZE=ON -DTCPPHASE_FUZZ=ON
cmake --build "$asan" -j"$jobs"
(
    . "$top/tests/fuzz/asan-env.sh"
    # Wireshark Qt is left out: its GUI test runs in stage 1.
    ctest --test-dir "$asan" --output-on-failure -j"$jobs" -LE gui
)

echo "== 5. fuzz batch"
(
    . "$top/tests/fuzz/asan-env.sh"
    python3 "$top/tests/fuzz/mutate_and_run.py" --count 500 --seed 1 \
        --stage "$asan/stage/plugins" --jobs "$jobs" --out "$asan/fuzz-failures"
)
