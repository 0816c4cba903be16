#!/usr/bin/env python3
"""Makes a long capture from a short real one: N copies, back to back in
time, each on its own addresses (the third byte of every IPv4 address and
the eighth of every IPv6 address gets the copy's number added), so every
copy's conversations are new ones (no port reuse across copies).

    bench/widen-capture.py IN.pcapng N OUT.pcapng

Checksums are not fixed: Wireshark does not check them by default, and
tcpphase never does."""

import os
import struct
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests",
                                "fuzz"))
import pcapio  # noqa: E402


def main():
    src, n, dst = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    cap = pcapio.read(src)
    packets = cap.packets()
    span = max(p.ts for p in packets) - min(p.ts for p in packets)
    # pcapng interface units are usually µs or ns: one minute in either
    # would be a large gap; a span plus 1/10 of itself is enough.
    gap = span + span // 10 + 1
    head = [i for i in cap.items if not isinstance(i, pcapio.Packet)]
    with open(dst, "wb") as out:
        out.write(b"".join(head))
        for copy in range(n):
            batch = []
            for p in packets:
                data = bytearray(p.data)
                where = pcapio.network_offset(p.linktype, bytes(data))
                if where is not None:
                    off, version = where
                    if version == 4 and len(data) >= off + 20:
                        data[off + 14] = (data[off + 14] + copy) & 0xFF
                        data[off + 18] = (data[off + 18] + copy) & 0xFF
                    elif version == 6 and len(data) >= off + 40:
                        data[off + 15] = (data[off + 15] + copy) & 0xFF
                        data[off + 31] = (data[off + 31] + copy) & 0xFF
                q = p.copy()
                q.data = bytes(data)
                q.ts = p.ts + copy * gap
                batch.append(q)
            out.write(pcapio.encode(pcapio.Capture("pcapng", cap.endian, batch)))


if __name__ == "__main__":
    main()
