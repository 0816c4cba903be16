#!/usr/bin/env python3
"""Per-record TLS test of one capture: on every packet that completes TLS
records, tcpphase.tls.stage (all occurrences, in record order) and
tcpphase.tls.phase equal the committed expectation
(tests/tshark/expected/<capture>.tls.tsv), in one-pass tshark and with -2.
A key log next to the capture (captures/<name>.keys) is loaded.

With --not-tls-in-wireshark it also checks that Wireshark itself does not
dissect any packet of the capture as TLS (the stream runs on a port that
Wireshark gives to another protocol), so the stages come from tcpphase's
own record walk.

usage: check_tls.py [--not-tls-in-wireshark] CAPTURE
       check_tls.py --write CAPTURE   (write the expectation, for review)"""

import os
import sys

import tptest

HEADER = ["frame", "stream", "dir", "stages", "tls_phase"]


def tls_rows(capture, extra=()):
    rows = []
    for r in tptest.fields(capture, ["frame.number", "tcp.stream", "tcpphase.dir",
                                     "tcpphase.tls.stage", "tcpphase.tls.phase"],
                           list(extra) + tptest.capture_args(capture)):
        if r[3] == "":
            continue
        rows.append([r[0], r[1].split(",")[-1], tptest.labelled("tcpphase.dir", r[2]),
                     tptest.labelled("tcpphase.tls.stage", r[3]),
                     tptest.labelled("tcpphase.tls.phase", r[4])])
    return rows


def expectation_path(capture):
    name = os.path.splitext(os.path.basename(capture))[0]
    return os.path.join(tptest.EXPECTED, name + ".tls.tsv")


def main(argv):
    if argv[1] == "--write":
        capture = argv[2]
        tptest.write_tsv(expectation_path(capture), HEADER, tls_rows(capture),
                         "Expected TLS stages of %s, one row per packet completing TLS "
                         "records.\nWritten by check_tls.py --write, then checked by hand "
                         "against Wireshark's TLS dissection." % os.path.basename(capture))
        return 0
    not_tls = argv[1] == "--not-tls-in-wireshark"
    capture = argv[2] if not_tls else argv[1]
    report = tptest.Report("tls " + os.path.basename(capture))
    if not_tls:
        protocols = tptest.tshark(["-r", capture, "-T", "fields", "-e", "frame.protocols"]).split()
        report.check(protocols and not any(":tls" in p for p in protocols),
                     "Wireshark shows no TLS in this capture: %s" % sorted(set(protocols)))
    header, expected = tptest.read_tsv(expectation_path(capture))
    report.equal(header, HEADER, "expectation header")
    for mode in ([], ["-2"]):
        actual = tls_rows(capture, mode)
        what = " ".join(mode) or "one-pass"
        report.equal(len(actual), len(expected), "%s: packets with TLS records" % what)
        for a, e in zip(actual, expected):
            report.equal(a, e, "%s: frame %s" % (what, e[0]))
    return report.finish()


if __name__ == "__main__":
    sys.exit(main(sys.argv))
