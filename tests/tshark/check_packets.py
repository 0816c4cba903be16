#!/usr/bin/env python3
"""Per-packet test of one capture: the plugin's dir/step/phase/phase.seq/
midstream on every TCP packet equal the committed expectation, in one-pass
tshark and in tshark -2; the spec oracle agrees with the expectation too.

usage: check_packets.py CAPTURE            (test)
       check_packets.py --write CAPTURE    (write the expectation from the
                                            oracle, for review by hand)"""

import sys

import spec_oracle
import tptest

HEADER = ["frame", "stream", "dir", "step", "phase", "phase_seq", "midstream"]
PLUGIN_FIELDS = ["frame.number", "tcp.stream", "tcpphase.dir", "tcpphase.step",
                 "tcpphase.phase", "tcpphase.phase.seq", "tcpphase.midstream"]


def packet_row(r):
    """The expectation row of one packet ({field: value} of PLUGIN_FIELDS),
    or None for a packet tcpphase did not tag."""
    if not r["tcpphase.dir"]:
        return None
    return [r["frame.number"], tptest.stream_of(r["tcp.stream"]),
            tptest.labelled("tcpphase.dir", r["tcpphase.dir"]),
            tptest.labelled("tcpphase.step", r["tcpphase.step"]),
            tptest.labelled("tcpphase.phase", r["tcpphase.phase"]), r["tcpphase.phase.seq"],
            tptest.boolean(r["tcpphase.midstream"]) or "0"]


def plugin_rows(capture, extra=()):
    rows = (packet_row(r) for r in tptest.field_dicts(capture, PLUGIN_FIELDS, extra))
    return [r for r in rows if r is not None]


def expectation_path(capture):
    return tptest.expectation_path(capture, "packets")


def main(argv):
    if argv[1] == "--write":
        capture = argv[2]
        tptest.write_tsv(expectation_path(capture), HEADER, spec_oracle.expected_rows(capture),
                         "Expected tcpphase fields of %s, one row per TCP packet.\n"
                         "Written by check_packets.py --write (the spec oracle), then "
                         "checked by hand against the packets." % os.path.basename(capture))
        return 0
    capture = argv[1]
    report = tptest.Report(os.path.basename(capture))
    header, expected = tptest.read_tsv(expectation_path(capture))
    report.equal(header, HEADER, "expectation header")
    report.rows("one-pass", plugin_rows(capture), expected)
    report.rows("two-pass (-2)", plugin_rows(capture, ["-2"]), expected)
    report.rows("spec oracle", spec_oracle.expected_rows(capture), expected)
    return report.finish()


if __name__ == "__main__":
    sys.exit(main(sys.argv))
