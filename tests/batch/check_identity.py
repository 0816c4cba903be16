#!/usr/bin/env python3
"""tcpphase-batch against tshark -q -z tcpphase,csv (with the staged plugin),
byte for byte, on every capture given (files or folders of .pcap/.pcapng)
and on the synthetic cases of synth_cases.py, whatever the Wireshark
version: the reader numbers streams by the rules of the release it was
built against (docs/batch.md, section 2), so every case must match.

    check_identity.py BATCH_BINARY CAPTURE_OR_DIR...

Captures with a key log (NAME.keys next to them) are run by tshark with the
keys, as the other tests run them: tshark may then decrypt TLS, which the
batch reader never does (keyless by design). For those the full row is
compared first; if it differs, the test says so and compares the TCP
columns only, and tshark is run once more without keys, which must match
byte for byte."""

import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "tshark"))
import tptest  # noqa: E402

TCP_COLUMNS = 15    # stream .. close: what TLS keys cannot change

def batch(binary, capture):
    proc = subprocess.run([binary, capture], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          timeout=600)
    if proc.returncode != 0:
        raise RuntimeError("tcpphase-batch %s failed (%d): %s"
                           % (capture, proc.returncode, proc.stderr.decode()))
    return proc.stdout


def tshark_csv(capture, keyed):
    args = ["-q", "-r", capture, "-z", "tcpphase,csv"]
    if keyed:
        args = tptest.capture_args(capture) + args
    out = subprocess.run([tptest.RUN_TSHARK, tptest.stage_dir()] + args,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=600)
    if out.returncode != 0:
        raise RuntimeError("tshark %s failed: %s" % (capture, out.stderr.decode()))
    return out.stdout


def tcp_columns(csv_bytes):
    # Naive split is enough up to the close column: no quoting before it.
    return [b",".join(line.split(b",")[:TCP_COLUMNS]) for line in csv_bytes.splitlines()]


def first_difference(a, b):
    la, lb = a.splitlines(), b.splitlines()
    for i, (x, y) in enumerate(zip(la, lb)):
        if x != y:
            return "line %d\n  tshark: %r\n  batch:  %r" % (i + 1, x, y)
    return "line counts %d vs %d" % (len(la), len(lb))


def main():
    binary = sys.argv[1]
    captures = []
    for arg in sys.argv[2:]:
        if os.path.isdir(arg):
            captures += sorted(os.path.join(arg, n) for n in os.listdir(arg)
                               if n.endswith((".pcap", ".pcapng")))
        else:
            captures.append(arg)
    report = tptest.Report("batch.identity")
    # Which release's stream rules the binary applies, for the log.
    print(subprocess.run([binary, "--version"], stdout=subprocess.PIPE,
                         check=True).stdout.decode().strip())
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([sys.executable, os.path.join(HERE, "synth_cases.py"), tmp], check=True)
        captures += sorted(os.path.join(tmp, n) for n in os.listdir(tmp))
        for capture in captures:
            name = os.path.basename(capture)
            keyed = bool(tptest.capture_args(capture))
            ours = batch(binary, capture)
            theirs = tshark_csv(capture, keyed)
            rows = len(ours.splitlines()) - 1
            if ours == theirs:
                print("identical  %-40s %4d rows%s" % (name, rows,
                      " (tshark with keys)" if keyed else ""))
                report.check(rows >= 0, name)
                continue
            if not keyed:
                report.check(False, "%s differs: %s" % (name, first_difference(theirs, ours)))
                continue
            print("%s: tshark decrypts with %s.keys, tcpphase-batch reads TLS without keys:"
                  " TCP columns compared, then tshark without keys" % (name,
                                                                       os.path.splitext(name)[0]))
            report.equal(tcp_columns(ours), tcp_columns(theirs), name + " TCP columns")
            report.check(ours == tshark_csv(capture, False),
                         name + " differs from keyless tshark")
    return report.finish()


if __name__ == "__main__":
    sys.exit(main())
