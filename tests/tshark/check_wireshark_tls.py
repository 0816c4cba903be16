#!/usr/bin/env python3
"""tcpphase's TLS reading against Wireshark's own, packet by packet, in one
tshark run (one pass) over each capture:

- the packets that carry tcpphase.tls.stage are exactly the packets on which
  Wireshark's TLS dissector shows a record (a ClientHello after a STARTTLS
  prelude, an SSLv2-format hello, records picked up mid-stream; also the
  packets with none: plaintext before TLS, plaintext look-alikes);
- tcpphase.tls.alert equals Wireshark's alert descriptions on every packet
  (present where Wireshark could read the alert: in clear, or decrypted with
  the capture's keys; absent for an encrypted alert without keys).

With --alerts-only only the second check runs (captures where Wireshark
dissects more or less than the record walk, e.g. with snaplen cuts).

A key log next to the capture (captures/<name>.keys) is loaded.

usage: check_wireshark_tls.py [--alerts-only] CAPTURE..."""

import os
import sys

import tptest

FIELDS = ["frame.number", "tls.record.version", "tls.handshake.type", "tls.record.content_type",
          "tls.record.opaque_type", "tls.alert_message.desc", "tcpphase.tls.stage",
          "tcpphase.tls.alert"]


def check(report, capture, alerts_only):
    name = os.path.basename(capture)
    rows = tptest.fields(capture, FIELDS, tptest.capture_args(capture))
    ws_frames, tp_frames = [], []
    alerts = 0
    for r in rows:
        r = dict(zip(FIELDS, r + [""] * (len(FIELDS) - len(r))))
        frame = r["frame.number"]
        if any(r[f] for f in ("tls.record.version", "tls.handshake.type",
                              "tls.record.content_type", "tls.record.opaque_type")):
            ws_frames.append(frame)
        if r["tcpphase.tls.stage"]:
            tp_frames.append(frame)
        ws_alert = r["tls.alert_message.desc"]
        tp_alert = r["tcpphase.tls.alert"]
        if ws_alert or tp_alert:
            alerts += 1
            report.equal(tp_alert, ws_alert, "%s frame %s: alert descriptions" % (name, frame))
    if not alerts_only:
        report.equal(tp_frames, ws_frames, "%s: packets with TLS records" % name)
    return alerts


def main(argv):
    alerts_only = argv[1] == "--alerts-only"
    captures = argv[2:] if alerts_only else argv[1:]
    report = tptest.Report("wireshark tls")
    for capture in captures:
        check(report, capture, alerts_only)
    return report.finish()


if __name__ == "__main__":
    sys.exit(main(sys.argv))
