#!/usr/bin/env python3
"""With tcpphase disabled (Analyze > Enabled Protocols, tshark
--disable-protocol tcpphase), nothing of it shows and TCP is untouched:
no tcpphase field on any packet, the same tcp.stream, flags and
frame.protocols as with it enabled (the header reader in front of TCP
passes every segment straight on), and enabling it again tags every TCP
packet.

usage: check_disabled.py CAPTURE"""

import os
import sys

import tptest

FIELDS = ["frame.number", "tcp.stream", "tcp.flags", "frame.protocols", "tcpphase.step"]


def main(argv):
    capture = argv[1]
    report = tptest.Report("disabled " + os.path.basename(capture))
    enabled = tptest.field_dicts(capture, FIELDS)
    disabled = tptest.field_dicts(capture, FIELDS, ["--disable-protocol", "tcpphase"])
    report.check(any(r["tcpphase.step"] for r in enabled),
                 "enabled: tcpphase tags packets of %s" % os.path.basename(capture))
    report.equal([r["frame.number"] for r in disabled if r["tcpphase.step"]], [],
                 "disabled: no packet carries tcpphase.step")
    strip = [{k: v for k, v in r.items() if k != "tcpphase.step"} for r in enabled]
    report.equal([{k: v.replace(":tcpphase", "") if k == "frame.protocols" else v
                   for k, v in r.items()} for r in strip],
                 [{k: v for k, v in r.items() if k != "tcpphase.step"} for r in disabled],
                 "disabled: TCP's own fields unchanged, frame by frame")
    return report.finish()


if __name__ == "__main__":
    sys.exit(main(sys.argv))
