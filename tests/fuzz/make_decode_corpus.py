#!/usr/bin/env python3
"""Seed corpus for fuzz_decode: frames of every committed capture in the
harness's input format (see fuzz_decode.c): the link type, the frame's
length on the wire beyond what was captured, the captured bytes. At most
PER_CAPTURE distinct frames per capture, the first ones (handshakes,
first data, the odd link layers of the public captures).

usage: make_decode_corpus.py OUT_DIR [CAPTURE...]   (default: every capture)
"""

import glob
import hashlib
import os
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
import pcapio  # noqa: E402

PER_CAPTURE = 40
# pcap/pcapng link types -> decode.h's link_type_t (the harness takes % 9)
LINKS = {1: 1, 101: 2, 12: 2, 14: 2, 228: 3, 229: 4, 0: 5, 108: 6, 113: 7, 276: 8}


def seeds(path):
    seen = set()
    for pkt in pcapio.read(path).packets():
        data = bytes(pkt.data)
        if len(data) > 65535:
            continue
        extra = max(0, min(0x7FFF, pkt.orig_len - len(data)))
        seed = struct.pack("<BH", LINKS.get(pkt.linktype, 0), extra) + data
        key = hashlib.sha1(seed).hexdigest()
        if key in seen:
            continue
        seen.add(key)
        yield key, seed
        if len(seen) >= PER_CAPTURE:
            return


def main(argv):
    out = argv[1]
    captures = argv[2:] or sorted(glob.glob(os.path.join(ROOT, "captures", "*.pcap*")) +
                                  glob.glob(os.path.join(ROOT, "captures", "public", "*.pcap*")))
    os.makedirs(out, exist_ok=True)
    n = 0
    for capture in captures:
        try:
            for key, seed in seeds(capture):
                with open(os.path.join(out, key), "wb") as f:
                    f.write(seed)
                n += 1
        except Exception as e:  # a format pcapio does not read: no seeds from it
            print("%s: skipped (%s)" % (capture, e), file=sys.stderr)
    print("%d seeds in %s" % (n, out))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
