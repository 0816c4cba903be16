# asan-env.sh: source it (bash, dash, zsh) to run tshark and sharkd with the
# sanitizer build of tcpphase (cmake -DTCPPHASE_SANITIZE=ON):
#
#   . tests/fuzz/asan-env.sh
#   TCPPHASE_STAGE=$PWD/build-asan/stage/plugins python3 tests/tshark/check_packets.py captures/lab_https.pcapng
#
# tshark itself is not instrumented, so the ASan runtime must be the first
# library of the process: it is preloaded. LD_PRELOAD is NOT exported to the
# shell: tests/tshark/run-tshark runs bash, mktemp, cp, chown and setpriv
# before tshark, and under a preloaded ASan runtime mktemp exits 1 (its
# leaks at exit), python and bash report their own leaks, and extcap
# helpers deadlock (androiddump, when tshark -G plugins runs them). Instead
# asan-bin/ goes first on PATH: its tshark and sharkd set LD_PRELOAD for
# that one exec only. run-tshark finds them by PATH, and setpriv/env pass
# PATH and the *SAN_OPTIONS through unchanged (checked).
#
# Leak detection is on. LeakSanitizer suppressions match a report when ANY
# frame of its stack matches, so suppressing whole modules (libglib,
# libwireshark, libwsutil) would also hide every leak of the plugin, whose
# allocations all go through g_malloc/wmem. lsan.supp therefore lists only
# named Wireshark-internal functions seen leaking on fuzzed input, never a
# module; a leak whose stack contains tcpphase.so is never suppressed.

if [ -n "${BASH_SOURCE:-}" ]; then
    _tp_fuzz_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
elif [ -n "${ZSH_VERSION:-}" ]; then
    _tp_fuzz_dir=$(cd "$(dirname "${(%):-%x}")" && pwd)
else
    # dash cannot tell where a sourced file is: from the top of the repo,
    # or set TCPPHASE_FUZZ_DIR.
    _tp_fuzz_dir=${TCPPHASE_FUZZ_DIR:-$PWD/tests/fuzz}
fi
if [ ! -f "$_tp_fuzz_dir/lsan.supp" ]; then
    echo "asan-env.sh: cannot find tests/fuzz (set TCPPHASE_FUZZ_DIR)" >&2
    return 1 2>/dev/null || exit 1
fi
export TCPPHASE_FUZZ_DIR=$_tp_fuzz_dir

# The runtimes of the gcc that built the plugin (gcc 12: libasan.so.8,
# libubsan.so.1), by their real names so that nobody can open them.
_tp_cc=${TCPPHASE_ASAN_CC:-gcc}
TCPPHASE_ASAN_PRELOAD="$(readlink -f "$($_tp_cc -print-file-name=libasan.so)"):$(readlink -f "$($_tp_cc -print-file-name=libubsan.so)")"
export TCPPHASE_ASAN_PRELOAD

# As root the tests run tshark as nobody, who must be able to run the
# wrappers and read the suppressions even when the checkout sits in a
# folder only root can enter (/root, mktemp -d): they are copied to a
# folder of their own in TMPDIR. Each file is written aside and renamed
# into place, so a test sourcing this while another runs a wrapper never
# sees a half-written one.
_tp_pub=${TMPDIR:-/tmp}/tcpphase-asan-$(id -u)
if [ -L "$_tp_pub" ] || { [ -e "$_tp_pub" ] && [ "$(stat -c %u "$_tp_pub")" != "$(id -u)" ]; }; then
    _tp_pub=$(mktemp -d "${TMPDIR:-/tmp}/tcpphase-asan.XXXXXX")
fi
mkdir -p "$_tp_pub/asan-bin"
chmod 755 "$_tp_pub" "$_tp_pub/asan-bin"
for _tp_f in asan-bin/tshark asan-bin/sharkd lsan.supp; do
    # mktemp, not $$: subshells of one shell share $$.
    _tp_t=$(mktemp "$_tp_pub/$_tp_f.XXXXXX")
    cp "$_tp_fuzz_dir/$_tp_f" "$_tp_t"
    chmod a+rx "$_tp_t"
    mv -f "$_tp_t" "$_tp_pub/$_tp_f"
done

# The real programs, found before asan-bin goes first on PATH (sourcing
# twice keeps the first answer).
case ":$PATH:" in
*":$_tp_pub/asan-bin:"*) ;;
*)
    TCPPHASE_REAL_TSHARK=${TCPPHASE_REAL_TSHARK:-$(command -v tshark)}
    TCPPHASE_REAL_SHARKD=${TCPPHASE_REAL_SHARKD:-$(command -v sharkd)}
    export TCPPHASE_REAL_TSHARK TCPPHASE_REAL_SHARKD
    PATH="$_tp_pub/asan-bin:$PATH"
    export PATH
    ;;
esac

# exitcode=86: a sanitizer report, told apart from tshark's own exit codes
# (2 for a file it cannot read). halt_on_error: stop at the first report.
export ASAN_OPTIONS="detect_leaks=1:halt_on_error=1:abort_on_error=0:exitcode=86:handle_segv=1:handle_abort=1:allocator_may_return_null=0:detect_odr_violation=0:symbolize=1"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:exitcode=86:symbolize=1"
export LSAN_OPTIONS="suppressions=$_tp_pub/lsan.supp:print_suppressions=0:exitcode=86"
# Every wmem allocation is its own malloc: the plugin's file-scope blocks
# (per-packet results, TLS buffers) get ASan redzones instead of sitting
# inside a large wmem block where an overflow goes unseen.
export WIRESHARK_DEBUG_WMEM_OVERRIDE=simple

unset _tp_fuzz_dir _tp_cc _tp_pub _tp_f _tp_t
