#!/usr/bin/env python3
"""Per-packet test of one capture: the plugin's dir/step/phase/phase.seq/
midstream on every TCP packet equal the committed expectation, in one-pass
tshark and in tshark -2; the spec oracle agrees with the expectation too.

usage: check_packets.py CAPTURE            (test)
       check_packets.py --write CAPTURE    (write the expectation from the
                                            oracle, for review by hand)"""

import os
import sys

import spec_oracle
import tptest

HEADER = ["frame", "stream", "dir", "step", "phase", "phase_seq", "midstream"]
PLUGIN_FIELDS = ["frame.number", "tcp.stream", "tcpphase.dir", "tcpphase.step",
                 "tcpphase.phase", "tcpphase.phase.seq", "tcpphase.midstream"]


def plugin_rows(capture, extra=()):
    rows = []
    for r in tptest.fields(capture, PLUGIN_FIELDS, extra):
        if r[2] == "":
            continue
        rows.append([r[0], r[1].split(",")[-1], tptest.labelled("tcpphase.dir", r[2]),
                     tptest.labelled("tcpphase.step", r[3]),
                     tptest.labelled("tcpphase.phase", r[4]), r[5],
                     "1" if tptest.boolean(r[6]) == "1" else "0"])
    return rows


def expectation_path(capture):
    name = os.path.splitext(os.path.basename(capture))[0]
    return os.path.join(tptest.EXPECTED, name + ".packets.tsv")


def compare(report, what, actual, expected):
    report.equal(len(actual), len(expected), "%s: number of tagged packets" % what)
    for a, e in zip(actual, expected):
        report.equal(a, e, "%s: frame %s" % (what, e[0]))


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
    compare(report, "one-pass", plugin_rows(capture), expected)
    compare(report, "two-pass (-2)", plugin_rows(capture, ["-2"]), expected)
    compare(report, "spec oracle", spec_oracle.expected_rows(capture), expected)
    return report.finish()


if __name__ == "__main__":
    sys.exit(main(sys.argv))
