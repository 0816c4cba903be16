#!/usr/bin/env python3
"""Statistics of one capture (docs/spec.md section 7):

- -z tcpphase,conv: one row per conversation whose state, history, TLS
  version and result equal the tcpphase.conv.* fields (tshark -2);
- -z tcpphase,csv: RFC 4180 with the spec's header, read by Python's csv
  module into the same rows;
- the time cells of both equal the tcpphase.conv.* times, negative ones
  included, and, where expected/<capture>.stats.tsv exists, the values
  written there by hand;
- -z tcpphase,tree: "Packets by phase" equals the capture's packet count
  and each phase equals the count of its tcpphase.phase filter;
  conversations by state equal the states of the conversation fields;
  the handshake RTT node counts every conversation with an RTT, its
  ranges those whose RTT is not negative;
- each of them prints the same in one-pass tshark and with -2;
- a FILTER argument restricts the rows.

usage: check_stats.py CAPTURE [EXPECTED_ROWS]"""

import csv
import io
import os
import sys

import check_conv
import tptest

CSV_HEADER = ["stream", "client", "server", "state", "history", "handshake_rtt", "ttfb",
              "duration", "packets_handshake", "packets_data", "packets_teardown",
              "bytes_to_server", "bytes_to_client", "closer", "close", "tls_version", "tls_sni",
              "tls_handshake_time", "tls_result"]


def conv_table(capture, extra=(), arg="tcpphase,conv"):
    # With a filter, tshark itself leaks the filter's copy: see
    # tptest.without_leak_check.
    env = tptest.without_leak_check() if arg != "tcpphase,conv" else None
    out = tptest.tshark(list(extra) + tptest.capture_args(capture) +
                        ["-r", capture, "-q", "-z", arg], env=env)
    rows = []
    for line in out.splitlines():
        cells = [c.strip() for c in line.split("|")]
        if len(cells) == len(CSV_HEADER) + 1 and cells[0].isdigit():
            rows.append(cells[:-1])
    return out, rows


def csv_rows(capture, extra=(), arg="tcpphase,csv"):
    out = tptest.tshark(list(extra) + tptest.capture_args(capture) +
                        ["-r", capture, "-q", "-z", arg])
    return out, list(csv.reader(io.StringIO(out, newline="")))


def tree_counts(capture, extra=()):
    out = tptest.tshark(list(extra) + tptest.capture_args(capture) +
                        ["-r", capture, "-q", "-z", "tcpphase,tree"])
    counts, section = {}, None
    for line in out.splitlines():
        if not line.strip() or line.startswith(("=", "-", "Topic", "TCP Session")):
            continue
        name = line[:30].rstrip()
        count = int(line[30:].split()[0])
        if not name.startswith(" "):
            section = name
            counts[(section, None)] = count
        elif not name.startswith("  "):
            counts[(section, name.strip())] = count
    return counts


def field_ns(text):
    """A relative time as tshark prints it ("-1.500000000") in integer ns."""
    sign = -1 if text.startswith("-") else 1
    secs, frac = text.lstrip("-").split(".")
    return sign * (int(secs) * 1000000000 + int(frac.ljust(9, "0")[:9]))


def count(capture, expr):
    return len(tptest.tshark(["-r", capture, "-Y", expr, "-T", "fields",
                              "-e", "frame.number"]).split())


def main(argv):
    capture = argv[1]
    report = tptest.Report("stats " + os.path.basename(capture))
    convs = check_conv.by_stream(check_conv.packet_rows(capture, ["-2"]))
    fields = {s: dict(zip(check_conv.HEADER[1:], p[0][1])) for s, p in convs.items()}
    if len(argv) > 2:
        report.equal(len(fields), int(argv[2]), "conversations in the capture")

    table_out, table = conv_table(capture)
    table2_out, _ = conv_table(capture, ["-2"])
    report.equal(table2_out, table_out, "-z tcpphase,conv: -2 prints what one pass prints")
    report.equal([r[0] for r in table], sorted(fields, key=int), "-z tcpphase,conv: one row per stream")
    for row in table:
        f = fields.get(row[0], {})
        got = (row[3], row[4], row[15], row[18])
        want = (f.get("state"), f.get("history"), f.get("tls.version"), f.get("tls.result"))
        report.equal(got, want, "conv row %s: state, history, TLS version, TLS result" % row[0])
        # Duration is a number cell: tshark prints the double ns / 1e9 with
        # %10.6f, which Python's % reproduces from the same double.
        report.equal(row[7], "%.6f" % (field_ns(f.get("duration", "0.0")) / 1e9),
                     "conv row %s: Duration == tcpphase.conv.duration" % row[0])

    csv_out, rows = csv_rows(capture)
    csv2_out, _ = csv_rows(capture, ["-2"])
    report.equal(csv2_out, csv_out, "-z tcpphase,csv: -2 prints what one pass prints")
    report.check(csv_out.endswith("\r\n"), "CSV lines end with CRLF (RFC 4180)")
    report.equal(rows[0] if rows else None, CSV_HEADER, "CSV header")
    report.equal(len(rows) - 1, len(table), "CSV rows == table rows")
    for crow, trow in zip(rows[1:], table):
        d = dict(zip(CSV_HEADER, crow))
        report.equal([d["stream"], d["client"], d["server"], d["state"], d["history"],
                      d["packets_handshake"], d["packets_data"], d["packets_teardown"],
                      d["bytes_to_server"], d["bytes_to_client"], d["closer"], d["close"],
                      d["tls_version"], d["tls_sni"], d["tls_result"]],
                     [trow[i] for i in (0, 1, 2, 3, 4, 8, 9, 10, 11, 12, 13, 14, 15, 16, 18)],
                     "CSV row %s == table row" % d["stream"])
        report.equal([d["handshake_rtt"], d["ttfb"], d["tls_handshake_time"]],
                     [trow[5], trow[6], trow[17]], "CSV row %s times == table row" % d["stream"])
        f = fields.get(d["stream"], {})
        for col, field in (("handshake_rtt", "handshake_rtt"), ("ttfb", "ttfb"),
                           ("duration", "duration"), ("tls_handshake_time", "tls.handshake_time")):
            want = f.get(field, "")
            want = want[:want.index(".") + 7] if want else ""
            report.equal(d[col], want, "CSV row %s %s == tcpphase.conv.%s" % (d["stream"], col, field))

    stats_path = os.path.join(tptest.EXPECTED, os.path.splitext(os.path.basename(capture))[0]
                              + ".stats.tsv")
    if os.path.exists(stats_path):
        header, expected = tptest.read_tsv(stats_path)
        got = []
        for crow, trow in zip(rows[1:], table):
            d = dict(zip(CSV_HEADER, crow))
            got.append([d["stream"], d["handshake_rtt"], d["ttfb"], d["duration"],
                        d["tls_handshake_time"], trow[5], trow[6], trow[7], trow[17]])
        report.equal(got, expected, "CSV and table times == %s" % os.path.basename(stats_path))

    tree = tree_counts(capture)
    report.equal(tree_counts(capture, ["-2"]), tree, "-z tcpphase,tree: -2 counts == one-pass counts")
    total = len(tptest.tshark(["-r", capture, "-T", "fields", "-e", "frame.number"]).split())
    report.equal(tree.get(("Packets by phase", None)), total, "tree total == packets in capture")
    for phase in ("handshake", "data", "teardown"):
        report.equal(tree.get(("Packets by phase", phase), 0),
                     count(capture, 'tcpphase.phase == "%s"' % phase), "tree %s packets" % phase)
    states = {}
    for f in fields.values():
        states[f["state"]] = states.get(f["state"], 0) + 1
    got_states = {k[1]: v for k, v in tree.items()
                  if k[0] == "Conversations by state" and k[1] and v}
    report.equal(got_states, states, "tree conversations by state == conversation fields")

    rtt = "Handshake RTT (microseconds)"
    rtts = [field_ns(f["handshake_rtt"]) for f in fields.values() if f.get("handshake_rtt")]
    report.equal(tree.get((rtt, None), 0), len(rtts), "tree RTT count == conversations with an RTT")
    report.equal(sum(v for k, v in tree.items() if k[0] == rtt and k[1]),
                 len([t for t in rtts if t >= 0]), "tree RTT ranges: the RTTs not negative")

    # A filter restricts the rows to conversations with a matching packet.
    want = sorted({s for s, f in fields.items() if f.get("tls.result") not in ("", "none")}, key=int)
    _, frows = conv_table(capture, arg="tcpphase,conv,tcpphase.tls.stage")
    report.equal([r[0] for r in frows], want, "-z tcpphase,conv,FILTER rows")
    _, fcsv = csv_rows(capture, arg="tcpphase,csv,tcpphase.tls.stage")
    report.equal([r[0] for r in fcsv[1:]], want, "-z tcpphase,csv,FILTER rows")
    return report.finish()


if __name__ == "__main__":
    sys.exit(main(sys.argv))
