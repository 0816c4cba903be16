#!/bin/sh
# run-libfuzzer.sh [SECONDS]   coverage-guided run of fuzz_machines (default 60 s)
#
# TCPPHASE_FUZZ_TARGET=decode: the same for fuzz_decode, the frame decoder
# of tcpphase-batch (its seeds from make_decode_corpus.py, its regression
# inputs in tests/fuzz/regressions/decode/). Default: machines.
# run-libfuzzer.sh --replay    run the seed corpus and the committed
#                              regression inputs once, no fuzzing
# run-libfuzzer.sh --ci        the suite's short run: a fixed seed and a fixed
#                              number of inputs (not a time), so every run of
#                              one build tries the same inputs
# run-libfuzzer.sh --seeds     only (re)write the seed corpus; CTest runs this
#                              once per build as the fixture the other two need
#
# Run by hand, it builds the harness with clang if needed (cmake -S
# tests/fuzz -B $TCPPHASE_FUZZ_BUILD, default build-fuzz); under CTest
# (TCPPHASE_FUZZ_PREBUILT=1) it takes the build's harness as it is. It
# writes the seed corpus from the committed captures (make_corpus.py, stock
# tshark), and keeps the corpus it grows in $TCPPHASE_FUZZ_BUILD/corpus
# across runs. Crashing inputs land in $TCPPHASE_FUZZ_BUILD/artifacts/;
# reduce one with
#   fuzz_machines -minimize_crash=1 -runs=100000 INPUT
# and commit it under tests/fuzz/regressions/machines/.
# Exit status: 0 when nothing crashed.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${TCPPHASE_FUZZ_BUILD:-$top/build-fuzz}
seconds=60
mode=fuzz
limit=""
case "${1:-}" in
--replay) mode=replay ;;
--seeds) mode=seeds ;;
--ci) limit="-seed=1 -runs=${TCPPHASE_FUZZ_RUNS:-150000}" ;;
"") ;;
*) seconds=$1 ;;
esac

target=${TCPPHASE_FUZZ_TARGET:-machines}
case $target in
machines) maker=make_corpus.py seeds=$build/seeds corpus=$build/corpus ;;
decode) maker=make_decode_corpus.py seeds=$build/seeds-decode corpus=$build/corpus-decode ;;
*) echo "run-libfuzzer.sh: unknown TCPPHASE_FUZZ_TARGET $target" >&2; exit 2 ;;
esac
fuzzer=$build/fuzz_$target
if [ -n "${TCPPHASE_FUZZ_PREBUILT:-}" ]; then
    # Under CTest the build made the harnesses (target ALL). Configuring
    # or building here would race with the fuzz tests running alongside:
    # two configures of one folder delete each other's files.
    [ -x "$fuzzer" ] || { echo "run-libfuzzer.sh: $fuzzer is missing: build the project first" >&2; exit 2; }
else
    [ -f "$build/CMakeCache.txt" ] || cmake -S "$top/tests/fuzz" -B "$build" >/dev/null
    cmake --build "$build" --target "tcpphase_fuzz_$target" >/dev/null
fi

stamp=$seeds/.made
if [ ! -f "$stamp" ] || [ -n "$(find "$top/captures" "$top/tests/fuzz/$maker" -newer "$stamp" \( -name '*.pcap*' -o -name '*.py' \) 2>/dev/null | head -1)" ]; then
    # Written aside and swapped in, so that a run reading the old corpus
    # never sees a half-written one.
    fresh=$(mktemp -d "$build/seeds.new.XXXXXX")
    python3 "$top/tests/fuzz/$maker" "$fresh" >/dev/null
    touch "$fresh/.made"
    rm -rf "$seeds.old"
    [ -d "$seeds" ] && mv "$seeds" "$seeds.old"
    mv "$fresh" "$seeds"
    rm -rf "$seeds.old"
fi
[ "$mode" = seeds ] && { echo "seeds: $(ls "$seeds" | wc -l) inputs in $seeds"; exit 0; }
regressions=$top/tests/fuzz/regressions/$target
mkdir -p "$corpus" "$build/artifacts"

if [ "$mode" = replay ]; then
    log=$build/libfuzzer-$target-replay.log
    set -- "$seeds"
    [ -d "$regressions" ] && set -- "$@" "$regressions"
    "$fuzzer" -runs=0 -max_len=65536 -timeout=10 "$@" >"$log" 2>&1 || {
        tail -60 "$log"
        echo "fuzz_$target: an input of the seed corpus or regressions failed (log: $log)"
        exit 1
    }
    grep -E '^#[0-9]+[[:space:]]+(INITED|DONE)' "$log" | tail -1
    echo "replay: $(ls "$seeds" | wc -l) seeds, $( [ -d "$regressions" ] && ls "$regressions" | wc -l || echo 0) regression inputs, no failure"
    exit 0
fi

log=$build/libfuzzer-$target.log
before=$(ls "$build/artifacts" | wc -l)
set -- "$corpus" "$seeds"
[ -d "$regressions" ] && set -- "$@" "$regressions"
status=0
[ -n "$limit" ] || limit="-max_total_time=$seconds"
# shellcheck disable=SC2086
"$fuzzer" $limit -max_len=65536 -len_control=100 -timeout=10 \
    -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$build/artifacts/" \
    "$@" >"$log" 2>&1 || status=$?
grep -E '^#[0-9]+[[:space:]]+(INITED|DONE)' "$log" | tail -2
grep -E '^stat::(number_of_executed_units|average_exec_per_sec|peak_rss_mb)' "$log" || true
echo "corpus: $(ls "$corpus" | wc -l) inputs; new crash artifacts: $(( $(ls "$build/artifacts" | wc -l) - before )) (in $build/artifacts)"
if [ "$status" != 0 ]; then
    grep -E 'ERROR|runtime error|check failed|SUMMARY|Test unit written' "$log" | head -20
    echo "fuzz_$target failed (status $status, log: $log)"
fi
exit $status
