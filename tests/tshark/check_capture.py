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

PACKET_FIELDS = ["frame.number", "tcp.stream", "tcpphase.dir", "tcpphase.step",
                 "tcpphase.phase", "tcpphase.phase.seq", "tcpphase.midstream",
                 "tcpphase.tls.stage", "tcpphase.tls.phase", "tcpphase.phase.time"]
ALL_FIELDS = PACKET_FIELDS + check_conv.CONV_FIELDS + spec_oracle.TCP_FIELDS


def read(capture, extra=()):
    rows = tptest.fields(capture, ALL_FIELDS, list(extra) + tptest.capture_args(capture))
    return [dict(zip(ALL_FIELDS, r + [""] * (len(ALL_FIELDS) - len(r)))) for r in rows]


def packet_rows(rows):
    return [[r["frame.number"], r["tcp.stream"].split(",")[-1],
             tptest.labelled("tcpphase.dir", r["tcpphase.dir"]),
             tptest.labelled("tcpphase.step", r["tcpphase.step"]),
             tptest.labelled("tcpphase.phase", r["tcpphase.phase"]),
             r["tcpphase.phase.seq"], "1" if tptest.boolean(r["tcpphase.midstream"]) == "1" else "0"]
            for r in rows if r["tcpphase.dir"]]


def tls_rows(rows):
    return [[r["frame.number"], r["tcp.stream"].split(",")[-1],
             tptest.labelled("tcpphase.dir", r["tcpphase.dir"]),
             tptest.labelled("tcpphase.tls.stage", r["tcpphase.tls.stage"]),
             tptest.labelled("tcpphase.tls.phase", r["tcpphase.tls.phase"])]
            for r in rows if r["tcpphase.tls.stage"]]


def phase_time_rows(rows):
    return [[r["frame.number"], r["tcp.stream"].split(",")[-1],
             tptest.labelled("tcpphase.phase", r["tcpphase.phase"]), r["tcpphase.phase.time"]]
            for r in rows if r["tcpphase.dir"]]


def phase_time_path(capture):
    name = os.path.splitext(os.path.basename(capture))[0]
    return os.path.join(tptest.EXPECTED, name + ".phase_time.tsv")


def conv_rows(rows):
    out = []
    for r in rows:
        if not r["tcpphase.step"]:
            continue
        values = []
        for name in check_conv.CONV_FIELDS:
            raw = r[name]
            if name in check_conv.LABELLED:
                raw = tptest.labelled(name, raw)
            elif name in check_conv.BOOLEANS:
                raw = tptest.boolean(raw)
            values.append(raw)
        out.append((r["frame.number"], r["tcp.stream"].split(",")[-1], values))
    return out


def compare_rows(report, what, actual, expected):
    report.equal(len(actual), len(expected), "%s: number of rows" % what)
    for a, e in zip(actual, expected):
        report.equal(a, e, "%s: frame %s" % (what, e[0]))


def main(argv):
    capture = argv[1]
    report = tptest.Report(os.path.basename(capture))
    one_pass, two_pass = read(capture), read(capture, ["-2"])

    header, expected = tptest.read_tsv(check_packets.expectation_path(capture))
    report.equal(header, check_packets.HEADER, "packets expectation header")
    compare_rows(report, "packets one-pass", packet_rows(one_pass), expected)
    compare_rows(report, "packets -2", packet_rows(two_pass), expected)
    oracle = spec_oracle.expected_rows_from([[r[f] for f in spec_oracle.TCP_FIELDS]
                                             for r in one_pass])
    compare_rows(report, "spec oracle", oracle, expected)

    if os.path.exists(check_tls.expectation_path(capture)):
        header, expected = tptest.read_tsv(check_tls.expectation_path(capture))
        report.equal(header, check_tls.HEADER, "TLS expectation header")
        compare_rows(report, "TLS one-pass", tls_rows(one_pass), expected)
        compare_rows(report, "TLS -2", tls_rows(two_pass), expected)

    if os.path.exists(phase_time_path(capture)):
        header, expected = tptest.read_tsv(phase_time_path(capture))
        report.equal(header, ["frame", "stream", "phase", "phase_time"],
                     "phase time expectation header")
        compare_rows(report, "phase time one-pass", phase_time_rows(one_pass), expected)
        compare_rows(report, "phase time -2", phase_time_rows(two_pass), expected)

    if os.path.exists(check_conv.expectation_path(capture)):
        header, expected_rows = tptest.read_tsv(check_conv.expectation_path(capture))
        report.equal(header, check_conv.HEADER, "conv expectation header")
        expected = {row[0]: row[1:] for row in expected_rows}
        whole = check_conv.by_stream(conv_rows(two_pass))
        report.equal(sorted(whole, key=int), sorted(expected, key=int), "-2: streams")
        for stream, packets in sorted(whole.items(), key=lambda kv: int(kv[0])):
            for frame, values in packets:
                report.equal(values, expected.get(stream), "-2 conv: stream %s frame %s"
                             % (stream, frame))
        so_far = check_conv.by_stream(conv_rows(one_pass))
        for stream, packets in sorted(so_far.items(), key=lambda kv: int(kv[0])):
            frame, values = packets[-1]
            report.equal(values, expected.get(stream), "one-pass conv: last packet (frame %s) "
                         "of stream %s sees it all" % (frame, stream))
            if len(packets) > 1:
                first = dict(zip(check_conv.HEADER[1:], packets[0][1]))
                total = sum(int(first[k]) for k in ("packets.handshake", "packets.data",
                                                     "packets.teardown"))
                report.equal(total, 1, "one-pass conv: first packet (frame %s) of stream %s "
                             "sees one packet" % (packets[0][0], stream))
                report.equal(first["duration"], "0.000000000",
                             "one-pass conv: first packet of stream %s: duration so far" % stream)
    return report.finish()


if __name__ == "__main__":
    sys.exit(main(sys.argv))
