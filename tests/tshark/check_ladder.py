#!/usr/bin/env python3
"""-z tcpphase,ladder and -z tcpphase,explain against committed goldens
(tests/tshark/expected/writeup/), in English and Spanish: one-pass and -2
output identical and equal to the golden (docs/spec.md section 9).

usage: check_ladder.py CAPTURE_DIR            (test)
       check_ladder.py --write CAPTURE_DIR    (write the goldens, for review
                                               by hand against the packets)"""

import os
import sys

import tptest

GOLDEN = os.path.join(tptest.EXPECTED, "writeup")
CAPTURES = ["lab_http", "lab_https", "refused", "tls_fail_handshake", "midstream", "half_close",
            "simultaneous_close", "server_close_first", "port_reuse"]
LANGS = ["en", "es"]
# golden suffix -> -z argument
OUTPUTS = {"ladder.txt": "tcpphase,ladder,utf8", "explain.txt": "tcpphase,explain,utf8"}
# A few more forms, on one capture each.
EXTRA = [("lab_http", "en", "ladder.ascii.txt", "tcpphase,ladder,ascii"),
         ("lab_https", "en", "explain.md", "tcpphase,explain,md,utf8"),
         ("lab_https", "en", "ladder.svg", "tcpphase,ladder,svg"),
         ("lab_mixed", "en", "ladder.filtered.txt", "tcpphase,ladder,utf8,tcp.dstport == 443"),
         ("client_rst", "en", "ladder.txt", "tcpphase,ladder,utf8"),
         ("lab_http", "en", "writeup.txt", "tcpphase,writeup,tcp.stream == 0"),
         ("lab_http", "es", "writeup.txt", "tcpphase,writeup,tcp.stream == 0"),
         ("client_rst", "en", "ladder.all.txt", "tcpphase,ladder,utf8,all")]


def cases():
    for name in CAPTURES:
        for lang in LANGS:
            for suffix, arg in OUTPUTS.items():
                yield name, lang, suffix, arg
    for case in EXTRA:
        yield case


def run(captures, name, lang, arg, two_pass):
    capture = os.path.join(captures, name + ".pcapng")
    args = (["-2"] if two_pass else []) + ["-r", capture, "-q", "-z", arg,
                                           "-o", "tcpphase.explain_language:" + lang]
    # -z tcpphase,writeup is a table statistic: given a filter, tshark 4.0
    # leaks its own copy of it (see tptest.without_leak_check).
    env = tptest.without_leak_check() if arg.startswith("tcpphase,writeup,") else None
    return tptest.tshark(args + tptest.capture_args(capture), env=env)


def main(argv):
    write = argv[1] == "--write"
    captures = argv[2] if write else argv[1]
    report = tptest.Report("ladder")
    os.makedirs(GOLDEN, exist_ok=True)
    for name, lang, suffix, arg in cases():
        path = os.path.join(GOLDEN, "%s.%s.%s" % (name, lang, suffix))
        one = run(captures, name, lang, arg, False)
        two = run(captures, name, lang, arg, True)
        report.equal(two, one, "%s: -2 == one pass" % os.path.basename(path))
        if write:
            with open(path, "w", encoding="utf-8") as f:
                f.write(one)
            continue
        with open(path, encoding="utf-8") as f:
            golden = f.read()
        report.equal(one, golden, "%s: output == golden" % os.path.basename(path))
    return report.finish()


if __name__ == "__main__":
    sys.exit(main(sys.argv))
