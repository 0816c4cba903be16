#!/usr/bin/env python3
"""Mutation fuzzing of tcpphase-batch: every committed capture, mutated
with a fixed seed (bytes flipped in packets, lengths cut, headers of IP and
TCP scrambled, timestamps scattered, packets duplicated or dropped), read
by a tcpphase-batch binary (meant: the sanitizer build,
-DTCPPHASE_SANITIZE=ON) in each output format.

    fuzz_batch.py BATCH_BINARY CAPTURES_DIR [--count N] [--seed S]

A case fails when the binary dies of a signal, exits with anything but 0
or 2, or prints a sanitizer report. Failing files are kept in the current
folder with the case number."""

import argparse
import glob
import os
import random
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "fuzz"))
import pcapio  # noqa: E402


def mutate(rng, cap):
    packets = cap.packets()
    out = []
    for p in packets:
        q = p.copy()
        data = bytearray(q.data)
        r = rng.random()
        if data and r < 0.3:
            for _ in range(rng.randint(1, 8)):
                data[rng.randrange(len(data))] = rng.randrange(256)
        elif data and r < 0.4:
            # scramble a header byte where IP/TCP lengths and flags live
            i = rng.randrange(min(len(data), 80))
            data[i] = rng.choice((0, 0xFF, 0x45, 0x60, 6, 0x50, 0x02, data[i] ^ 0x80))
        elif r < 0.5:
            del data[rng.randrange(len(data) + 1):]
        elif r < 0.55:
            q.orig_len = rng.choice((0, len(data), len(data) + rng.randrange(70000)))
        if rng.random() < 0.05:
            q.ts = rng.randrange(1 << 63)
        q.data = bytes(data)
        q.orig_len = max(q.orig_len, len(q.data))
        out.append(q)
        if rng.random() < 0.03:
            out.append(q.copy())
    if out and rng.random() < 0.3:
        rng.shuffle(out)
    cap.set_packets(out)
    return cap


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("binary")
    ap.add_argument("captures")
    ap.add_argument("--count", type=int, default=300)
    ap.add_argument("--seed", default="batch")
    args = ap.parse_args()
    bases = sorted(glob.glob(os.path.join(args.captures, "*.pcapng")) +
                   glob.glob(os.path.join(args.captures, "public", "*.pcap")))
    failed = 0
    env = dict(os.environ)
    env.setdefault("ASAN_OPTIONS", "detect_leaks=1:abort_on_error=0:exitcode=86")
    env.setdefault("UBSAN_OPTIONS", "print_stacktrace=1:halt_on_error=1:exitcode=86")
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(args.count):
            rng = random.Random("%s:%d" % (args.seed, i))
            base = rng.choice(bases)
            path = os.path.join(tmp, "case%d%s" % (i, os.path.splitext(base)[1]))
            pcapio.write(mutate(rng, pcapio.read(base)), path)
            fmt = ("csv", "zeek", "json")[i % 3]
            p = subprocess.run([args.binary, "-f", fmt, "--close-linger", "0.001", path],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env,
                               timeout=120)
            err = p.stderr.decode("utf-8", "replace")
            if p.returncode not in (0, 2) or "Sanitizer" in err or "runtime error" in err:
                failed += 1
                keep = "fuzz-batch-case%d%s" % (i, os.path.splitext(base)[1])
                shutil.copy(path, keep)
                print("FAIL case %d (%s, %s): exit %d, kept %s\n%s"
                      % (i, os.path.basename(base), fmt, p.returncode, keep, err[-2000:]))
            os.unlink(path)
    print("%d passed, %d failed" % (args.count - failed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
