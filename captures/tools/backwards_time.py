#!/usr/bin/env python3
"""backwards_time.py IN OUT: captures/backwards_time.pcapng from
captures/lab_https.pcapng (three curl -> nginx TLS 1.2 connections of 15
packets each), with single packets restamped before packets that precede
them, as captures merged from two interfaces or taken on a multi-queue NIC
hold them. Only timestamps change; bytes, order and blocks stay.

Each new stamp is another packet's original stamp minus an exact offset,
so the differences tcpphase shows are exact (docs in captures/README.md):

  stream 0: frame 3 (handshake ACK)  = frame 1 - 249 ns   rtt -0.000000249
            frame 6 (server answer)  = frame 4 - 1 ns     ttfb -0.000000001
            frame 9 (server Finished)= frame 4 - 3 ns     TLS time -0.000000003
            frame 15 (last ACK)      = frame 13 - 249 ns  phase.time -0.000000249
  stream 1: frame 18 (handshake ACK) = frame 16           rtt 0
            frame 21 (server answer) = frame 19 - 1.5 s   ttfb -1.500000000
            frame 24 (server Finished)= frame 19 - 1.999999999 s
  stream 2: frame 36 (server answer) = frame 34           ttfb 0
            frame 39 (server Finished)= frame 34          TLS time 0
            frame 45 (last packet)   = frame 31 - 1.5 s   duration -1.500000000

Python 3 standard library only (reads and writes with tests/fuzz/pcapio.py).
"""

import os
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "tests", "fuzz"))
import pcapio  # noqa: E402

SEC = 1000000000

# frame: (frame whose original stamp is the base, offset in ns)
RESTAMP = {
    3: (1, -249), 6: (4, -1), 9: (4, -3), 15: (13, -249),
    18: (16, 0), 21: (19, -1500000000), 24: (19, -(2 * SEC - 1)),
    36: (34, 0), 39: (34, 0), 45: (31, -1500000000),
}

# The packets RESTAMP names, as lab_https.pcapng has them (TCP flags and
# payload length): a regenerated lab_https with another shape is refused.
SHAPE = {1: ("S", 0), 3: ("A", 0), 4: ("AP", 222), 6: ("AP", 1328), 9: ("AP", 51),
         13: ("AF", 0), 15: ("A", 0)}


def tsresol(cap):
    """The interface's timestamp resolution as a power of ten (pcapng
    if_tsresol, default 6); only one interface is expected."""
    found = []
    for item in cap.items:
        if isinstance(item, pcapio.Packet):
            continue
        btype, blen = struct.unpack(cap.endian + "II", item[:8])
        if btype != pcapio.PCAPNG_IDB:
            continue
        opts, resol = item[16:blen - 4], 6
        while len(opts) >= 4:
            code, olen = struct.unpack(cap.endian + "HH", opts[:4])
            if code == 0:
                break
            if code == 9 and olen == 1:
                resol = opts[4]
            opts = opts[4 + olen + (4 - olen % 4) % 4:]
        found.append(resol)
    if found != [9]:
        sys.exit("expected one interface with nanosecond stamps, found %r" % found)


def tcp_shape(pkt):
    view = pcapio.tcp_view(pkt)
    flags = pkt.data[view.tcp + 13]
    letters = "".join(l for bit, l in ((0x10, "A"), (0x08, "P"), (0x02, "S"), (0x01, "F"),
                                       (0x04, "R")) if flags & bit)
    return letters, view.ip_end - view.payload


def main(argv):
    if len(argv) != 3:
        sys.exit(__doc__)
    cap = pcapio.read(argv[1])
    if cap.fmt != "pcapng":
        sys.exit("%s: not pcapng" % argv[1])
    tsresol(cap)
    packets = cap.packets()
    if len(packets) != 45:
        sys.exit("%s: %d packets, lab_https has 45" % (argv[1], len(packets)))
    for stream in range(3):
        for frame, want in SHAPE.items():
            got = tcp_shape(packets[stream * 15 + frame - 1])
            if got != want:
                sys.exit("frame %d: %r, expected %r" % (stream * 15 + frame, got, want))
    original = [p.ts for p in packets]
    for frame, (base, offset) in RESTAMP.items():
        packets[frame - 1].ts = original[base - 1] + offset
    pcapio.write(cap, argv[2])


if __name__ == "__main__":
    main(sys.argv)
