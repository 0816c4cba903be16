#!/usr/bin/env python3
"""tcpphase-batch's peak memory follows the open conversations, not the
file: on a synthetic capture of many short conversations (one every 0.1 s
of capture time, each closed), 5 times the traffic must not need more
peak RSS than once the traffic plus a small margin. The same runs with
--idle-timeout 0 (nothing released) show what the release saves.

    check_rss.py BATCH_BINARY [CONVERSATIONS]"""

import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))


def peak_rss_kib(argv):
    """Runs argv (output discarded) and returns its peak RSS in KiB, as
    time(1) sees it: a child forked here would count this Python's pages
    too, before its exec."""
    with tempfile.NamedTemporaryFile("r") as rss, open(os.devnull, "wb") as null:
        subprocess.run(["/usr/bin/time", "-f", "%M", "-o", rss.name] + argv, stdout=null,
                       check=True)
        return int(rss.read().split()[-1])


def main():
    binary = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 10000
    failed = 0
    with tempfile.TemporaryDirectory() as tmp:
        sizes = {}
        for factor in (1, 5):
            path = os.path.join(tmp, "many%d.pcap" % factor)
            subprocess.run([sys.executable, os.path.join(HERE, "synth_cases.py"), "--many",
                            str(n * factor), path], check=True)
            released = peak_rss_kib([binary, path])
            kept = peak_rss_kib([binary, "--idle-timeout", "0", path])
            sizes[factor] = released
            print("%dx: %d conversations, %d packets, %.1f MB file: peak RSS %d KiB "
                  "(with --idle-timeout 0: %d KiB)"
                  % (factor, n * factor, n * factor * 8, os.path.getsize(path) / 1e6,
                     released, kept))
        # Flat: 5x traffic within 10% + 2 MiB of 1x traffic.
        limit = sizes[1] * 1.10 + 2048
        if sizes[5] > limit:
            print("FAIL batch.rss: 5x traffic peak RSS %d KiB > %d KiB" % (sizes[5], limit))
            failed = 1
        else:
            print("PASS: 5x traffic peak RSS %d KiB <= %d KiB" % (sizes[5], limit))
    return failed


if __name__ == "__main__":
    sys.exit(main())
