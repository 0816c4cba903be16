#!/usr/bin/env python3
"""Everything the committed expectations say about one capture, from two
tshark runs (one pass, and -2) that print all the fields at once:

- per packet (expected/<capture>.packets.tsv): dir, step, phase,
  phase.seq, midstream, in one pass and with -2; the spec oracle
  (spec_oracle.py, over Wireshark's own TCP fields of the same run)
  agrees with the same file;
- per TLS record (expected/<capture>.tls.tsv, if present): stages and TLS
  phase, one pass and -2;
- per packet (expected/<capture>.phase_time.tsv, if present): the time
  since the phase began as tshark prints it, one pass and -2;
- per conversation (expected/<capture>.conv.tsv, if present): with -2 every
  packet carries the expected tcpphase.conv.* values; in one pass the last
  packet of each conversation does, and the first shows one packet so far.

A key log next to the capture (captures/<name>.keys) is loaded.

usage: check_capture.py CAPTURE"""

import os
import sys

import check_conv
import check_packets
import check_tls
import spec_oracle
import tptest

FIELDS = sorted(set(check_packets.PLUGIN_FIELDS + check_tls.FIELDS + check_conv.FIELDS
                    + ["tcpphase.phase.time"] + spec_oracle.TCP_FIELDS))


def read(capture, extra=()):
    return tptest.field_dicts(capture, FIELDS, list(extra) + tptest.capture_args(capture))


def rows_of(make_row, rows):
    return [r for r in map(make_row, rows) if r is not None]


def phase_time_row(r):
    if not r["tcpphase.dir"]:
        return None
    return [r["frame.number"], tptest.stream_of(r["tcp.stream"]),
            tptest.labelled("tcpphase.phase", r["tcpphase.phase"]), r["tcpphase.phase.time"]]


def main(argv):
    capture = argv[1]
    report = tptest.Report(os.path.basename(capture))
    one_pass, two_pass = read(capture), read(capture, ["-2"])

    header, expected = tptest.read_tsv(check_packets.expectation_path(capture))
    report.equal(header, check_packets.HEADER, "packets expectation header")
    report.rows("packets one-pass", rows_of(check_packets.packet_row, one_pass), expected)
    report.rows("packets -2", rows_of(check_packets.packet_row, two_pass), expected)
    oracle = spec_oracle.expected_rows_from([[r[f] for f in spec_oracle.TCP_FIELDS]
                                             for r in one_pass])
    report.rows("spec oracle", oracle, expected)

    if os.path.exists(check_tls.expectation_path(capture)):
        header, expected = tptest.read_tsv(check_tls.expectation_path(capture))
        report.equal(header, check_tls.HEADER, "TLS expectation header")
        report.rows("TLS one-pass", rows_of(check_tls.tls_row, one_pass), expected)
        report.rows("TLS -2", rows_of(check_tls.tls_row, two_pass), expected)

    phase_time_path = tptest.expectation_path(capture, "phase_time")
    if os.path.exists(phase_time_path):
        header, expected = tptest.read_tsv(phase_time_path)
        report.equal(header, ["frame", "stream", "phase", "phase_time"],
                     "phase time expectation header")
        report.rows("phase time one-pass", rows_of(phase_time_row, one_pass), expected)
        report.rows("phase time -2", rows_of(phase_time_row, two_pass), expected)

    if os.path.exists(check_conv.expectation_path(capture)):
        header, expected_rows = tptest.read_tsv(check_conv.expectation_path(capture))
        report.equal(header, check_conv.HEADER, "conv expectation header")
        check_conv.compare(report, expected_rows, rows_of(check_conv.conv_row, two_pass),
                           rows_of(check_conv.conv_row, one_pass))
    return report.finish()


if __name__ == "__main__":
    sys.exit(main(sys.argv))
