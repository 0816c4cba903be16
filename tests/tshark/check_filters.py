#!/usr/bin/env python3
"""Display filters on the plugin's fields select exactly the packets the
committed expectation says, in one-pass tshark and with -2.

usage: check_filters.py CAPTURE"""

import os
import sys

import check_packets
import tptest

# (display filter, predicate over an expectation row as a dict)
FILTERS = [
    ('tcpphase.phase == "handshake"', lambda r: r["phase"] == "handshake"),
    ('tcpphase.phase == "data"', lambda r: r["phase"] == "data"),
    ('tcpphase.phase == "teardown"', lambda r: r["phase"] == "teardown"),
    ('tcpphase.step in {"fin", "last_ack"}', lambda r: r["step"] in ("fin", "last_ack")),
    ('tcpphase.step == "syn" || tcpphase.step == "syn_ack"',
     lambda r: r["step"] in ("syn", "syn_ack")),
    ('tcpphase.dir == "to_client" && tcpphase.step == "data"',
     lambda r: r["dir"] == "to_client" and r["step"] == "data"),
    ('tcpphase.phase.seq == 1', lambda r: r["phase_seq"] == "1"),
    ('tcpphase.midstream', lambda r: True),
    ('tcpphase.midstream == 1', lambda r: r["midstream"] == "1"),
    ('tcpphase', lambda r: True),
]


def main(argv):
    capture = argv[1]
    report = tptest.Report("filters " + os.path.basename(capture))
    header, rows = tptest.read_tsv(check_packets.expectation_path(capture))
    rows = [dict(zip(header, r)) for r in rows]
    for mode in ([], ["-2"]):
        for expr, pred in FILTERS:
            out = tptest.tshark(mode + ["-r", capture, "-Y", expr, "-T", "fields",
                                        "-e", "frame.number"])
            got = out.split()
            want = [r["frame"] for r in rows if pred(r)]
            report.equal(got, want, "%s %s" % (" ".join(mode) or "one-pass", expr))
    return report.finish()


if __name__ == "__main__":
    sys.exit(main(sys.argv))
