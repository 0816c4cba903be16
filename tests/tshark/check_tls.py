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


FIELDS = ["frame.number", "tcp.stream", "tcpphase.dir", "tcpphase.tls.stage",
          "tcpphase.tls.phase"]


def tls_row(r):
    """The expectation row of one packet ({field: value} of FIELDS), or
    None for a packet that completes no TLS record."""
    if not r["tcpphase.tls.stage"]:
        return None
    return [r["frame.number"], tptest.stream_of(r["tcp.stream"]),
            tptest.labelled("tcpphase.dir", r["tcpphase.dir"]),
            tptest.labelled("tcpphase.tls.stage", r["tcpphase.tls.stage"]),
            tptest.labelled("tcpphase.tls.phase", r["tcpphase.tls.phase"])]


def tls_rows(capture, extra=()):
    rows = (tls_row(r) for r in tptest.field_dicts(capture, FIELDS,
                                                    list(extra) + tptest.capture_args(capture)))
    return [r for r in rows if r is not None]


def expectation_path(capture):
    return tptest.expectation_path(capture, "tls")


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
        report.rows(" ".join(mode) or "one-pass", tls_rows(capture, mode), expected)
    return report.finish()


if __name__ == "__main__":
    sys.exit(main(sys.argv))
