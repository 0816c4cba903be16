#!/usr/bin/env python3
"""Conversation-wide fields of one capture (docs/spec.md section 5).

- tshark -2: every packet of a conversation carries the same
  tcpphase.conv.* values, and they equal the committed expectation
  (tests/tshark/expected/<capture>.conv.tsv, one row per tcp.stream);
- one-pass tshark: the last packet of each conversation carries the same
  values (it has seen everything), and the first packet shows the
  conversation as seen so far (one packet).

usage: check_conv.py CAPTURE
       check_conv.py --write CAPTURE   (write the expectation from -2 output,
                                        for review by hand)"""

import os
import sys

import tptest

CONV_FIELDS = [
    "tcpphase.conv.state", "tcpphase.conv.history", "tcpphase.conv.complete",
    "tcpphase.conv.close", "tcpphase.conv.closer", "tcpphase.conv.handshake_rtt",
    "tcpphase.conv.ttfb", "tcpphase.conv.duration", "tcpphase.conv.syn_frame",
    "tcpphase.conv.established_frame", "tcpphase.conv.close_frame",
    "tcpphase.conv.packets.handshake", "tcpphase.conv.packets.data",
    "tcpphase.conv.packets.teardown", "tcpphase.conv.bytes.to_server",
    "tcpphase.conv.bytes.to_client",
    "tcpphase.conv.tls.result", "tcpphase.conv.tls.version", "tcpphase.conv.tls.sni",
    "tcpphase.conv.tls.established", "tcpphase.conv.tls.resumed",
    "tcpphase.conv.tls.handshake_time",
]
LABELLED = {"tcpphase.conv.close", "tcpphase.conv.closer", "tcpphase.conv.tls.result",
            "tcpphase.conv.tls.version"}
BOOLEANS = {"tcpphase.conv.complete", "tcpphase.conv.tls.established",
            "tcpphase.conv.tls.resumed"}
HEADER = ["stream"] + [f[len("tcpphase.conv."):] for f in CONV_FIELDS]


FIELDS = ["frame.number", "tcp.stream", "tcpphase.step"] + CONV_FIELDS


def conv_row(r):
    """(frame, stream, [conv values]) of one packet ({field: value} of
    FIELDS), or None for a packet tcpphase did not tag."""
    if not r["tcpphase.step"]:
        return None
    values = []
    for name in CONV_FIELDS:
        raw = r[name]
        if name in LABELLED:
            raw = tptest.labelled(name, raw)
        elif name in BOOLEANS:
            raw = tptest.boolean(raw)
        values.append(raw)
    return (r["frame.number"], tptest.stream_of(r["tcp.stream"]), values)


def packet_rows(capture, extra=()):
    """(frame, stream, [conv values]) for every tagged packet."""
    rows = (conv_row(r) for r in tptest.field_dicts(capture, FIELDS,
                                                     list(extra) + tptest.capture_args(capture)))
    return [r for r in rows if r is not None]


def by_stream(rows):
    streams = {}
    for frame, stream, values in rows:
        streams.setdefault(stream, []).append((frame, values))
    return streams


def expectation_path(capture):
    return tptest.expectation_path(capture, "conv")


def compare(report, expected_rows, whole_rows, so_far_rows):
    """-2 (whole_rows): every packet of a stream carries its expected
    values; one pass (so_far_rows): the last packet of each stream does,
    and the first has seen one packet. Rows as conv_row() makes them."""
    expected = {row[0]: row[1:] for row in expected_rows}
    whole = by_stream(whole_rows)
    report.equal(sorted(whole, key=int), sorted(expected, key=int), "-2: streams")
    for stream, packets in sorted(whole.items(), key=lambda kv: int(kv[0])):
        for frame, values in packets:
            report.equal(values, expected.get(stream), "-2: stream %s frame %s" % (stream, frame))

    so_far = by_stream(so_far_rows)
    for stream, packets in sorted(so_far.items(), key=lambda kv: int(kv[0])):
        frame, values = packets[-1]
        report.equal(values, expected.get(stream),
                     "one-pass: last packet (frame %s) of stream %s sees it all" % (frame, stream))
        if len(packets) > 1:
            first = dict(zip(HEADER[1:], packets[0][1]))
            total = sum(int(first[k]) for k in ("packets.handshake", "packets.data",
                                                 "packets.teardown"))
            report.equal(total, 1, "one-pass: first packet (frame %s) of stream %s sees "
                         "one packet" % (packets[0][0], stream))
            report.equal(first["duration"], "0.000000000",
                         "one-pass: first packet of stream %s: duration so far" % stream)


def main(argv):
    if argv[1] == "--write":
        capture = argv[2]
        streams = by_stream(packet_rows(capture, ["-2"]))
        rows = [[s] + streams[s][0][1] for s in sorted(streams, key=int)]
        tptest.write_tsv(expectation_path(capture), HEADER, rows,
                         "Expected tcpphase.conv.* of %s, one row per tcp.stream (tshark -2).\n"
                         "Written by check_conv.py --write, then checked by hand against "
                         "the packets." % os.path.basename(capture))
        return 0

    capture = argv[1]
    report = tptest.Report("conv " + os.path.basename(capture))
    header, expected_rows = tptest.read_tsv(expectation_path(capture))
    report.equal(header, HEADER, "expectation header")
    compare(report, expected_rows, packet_rows(capture, ["-2"]), packet_rows(capture))
    return report.finish()


if __name__ == "__main__":
    sys.exit(main(sys.argv))
