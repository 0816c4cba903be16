#!/usr/bin/env python3
"""Seed corpus for fuzz_machines: one input per TCP conversation of every
committed capture, in the harness's input format (see fuzz_machines.c),
from the segment facts tshark reads (flags, raw seq/ack, length, payload).

usage: make_corpus.py OUT_DIR [CAPTURE...]     (default: every capture)

Needs only the stock tshark (no plugin): the fields are Wireshark's own.
"""

import glob
import hashlib
import os
import struct
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
FIELDS = ["tcp.stream", "ip.src", "ipv6.src", "tcp.srcport", "tcp.dstport", "tcp.flags",
          "tcp.seq_raw", "tcp.ack_raw", "tcp.len", "tcp.payload", "frame.time_epoch"]
MAX_INPUT = 65536


def rows(capture):
    cmd = ["tshark", "-n", "-r", capture, "-Y", "tcp", "-T", "fields", "-E", "occurrence=l",
           "-E", "separator=\t"]
    keys = os.path.splitext(capture)[0] + ".keys"
    if os.path.exists(keys):
        cmd += ["-o", "tls.keylog_file:" + keys]
    for f in FIELDS:
        cmd += ["-e", f]
    out = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                         check=True).stdout
    for line in out.splitlines():
        r = line.split("\t")
        if len(r) == len(FIELDS) and r[0] != "":
            yield r


def encode_stream(packets):
    """packets: list of (src, sport, dport, flags, seq, ack, len, payload, ns)."""
    first_src, first_sport, first_dport = packets[0][0], packets[0][1], packets[0][2]
    out = bytearray([0x03]) + struct.pack("<HH", first_sport, first_dport)
    prev_ns = None
    for src, sport, dport, flags, seq, ack, length, payload, ns in packets:
        first = src == first_src and sport == first_sport
        cut = len(payload) < length
        absolute = prev_ns is None or ns < prev_ns or ns - prev_ns > 65535000
        op = (1 if first else 0) | (2 << 1) | (1 << 3) | (0x40 if cut else 0) | \
            (0x80 if absolute else 0)
        rec = bytearray([op]) + struct.pack("<HII", flags & 0x1FF, seq, ack) + \
            struct.pack("<H", min(length, 0xFFFF))
        if cut:
            rec.append(min(255, len(payload) * 255 // max(1, length)))
        if absolute:
            rec += struct.pack("<q", ns)
        else:
            rec += struct.pack("<H", (ns - prev_ns) // 1000)
        prev_ns = ns
        rec += payload[:length]
        if len(out) + len(rec) > MAX_INPUT:
            break
        out += rec
    return bytes(out)


# ---- hand-made seeds for what the captures do not show ----

def _rec(ctype, body, version=0x0303):
    return struct.pack(">BHH", ctype, version, len(body)) + body


def _hs(mtype, body):
    return bytes([mtype]) + len(body).to_bytes(3, "big") + body


def _ext(etype, body):
    return struct.pack(">HH", etype, len(body)) + body


def _client_hello(sni=b"example.com"):
    name = struct.pack(">BH", 0, len(sni)) + sni
    exts = _ext(0, struct.pack(">H", len(name)) + name)
    body = (b"\x03\x03" + bytes(32) + b"\x00" + b"\x00\x02\x13\x01" + b"\x01\x00" +
            struct.pack(">H", len(exts)) + exts)
    return _rec(22, _hs(1, body))


def _server_hello(version=None):
    exts = _ext(43, struct.pack(">H", version)) if version else b""
    body = b"\x03\x03" + bytes(range(32)) + b"\x00" + b"\x13\x01\x00" + struct.pack(">H", len(exts)) + exts
    return _rec(22, _hs(2, body))


def _stream(segments):
    """segments: (from_client, flags, payload, absolute time or None)."""
    out = bytearray([0x03]) + struct.pack("<HH", 40000, 443)
    for from_client, flags, payload, t in segments:
        op = (1 if from_client else 0) | (0x80 if t is not None else 0)
        out += bytes([op]) + struct.pack("<HH", flags, len(payload))
        out += struct.pack("<q", t) if t is not None else struct.pack("<H", 1)
        out += payload
    return bytes(out)


def handmade_seeds():
    syn = [(True, 0x02, b"", None), (False, 0x12, b"", None), (True, 0x10, b"", None)]
    psh = 0x18
    return {
        # a server_name longer than the 255 bytes kept
        "sni-300": _stream(syn + [(True, psh, _client_hello(b"a" * 300), None)]),
        # more records completing in one segment than a packet lists (32)
        "records-40": _stream(syn + [(True, psh, _client_hello(), None),
                                     (False, psh, _server_hello(), None),
                                     (False, psh, _rec(23, b"") * 40, None)]),
        # TLS 1.3: the client's first encrypted record has the size of an
        # alert (a refusal), then FIN
        "tls13-alert-sized": _stream(syn + [(True, psh, _client_hello(), None),
                                            (False, psh, _server_hello(0x0304), None),
                                            (False, psh, _rec(23, bytes(40)), None),
                                            (True, psh, _rec(23, bytes(19)), None),
                                            (True, 0x11, b"", None)]),
        # TLS 1.2 handshake from the earliest to the latest time there is
        "tls12-extreme-times": _stream(syn + [
            (True, psh, _client_hello(), -(1 << 63)),
            (False, psh, _server_hello() + _rec(20, b"\x01") + _rec(22, bytes(40)), None),
            (True, psh, _rec(20, b"\x01") + _rec(22, bytes(40)), (1 << 63) - 1)]),
    }


def main(argv):
    out_dir = argv[1]
    captures = argv[2:] or sorted(glob.glob(os.path.join(ROOT, "captures", "*.pcapng")) +
                                  glob.glob(os.path.join(ROOT, "captures", "public", "*.pcap")))
    os.makedirs(out_dir, exist_ok=True)
    written = 0
    for capture in captures:
        streams = {}
        for r in rows(capture):
            stream, src4, src6, sport, dport, flags, seq, ack, length, payload, t = r
            sec, _, frac = t.partition(".")
            ns = int(sec) * 10 ** 9 + int((frac + "000000000")[:9])
            streams.setdefault(int(stream), []).append(
                (src4 or src6, int(sport), int(dport), int(flags, 16), int(seq), int(ack),
                 int(length), bytes.fromhex(payload.replace(":", "")), ns))
        for stream, packets in sorted(streams.items()):
            data = encode_stream(packets)
            name = "%s-%d-%s" % (os.path.splitext(os.path.basename(capture))[0], stream,
                                 hashlib.sha1(data).hexdigest()[:8])
            with open(os.path.join(out_dir, name), "wb") as f:
                f.write(data)
            written += 1
    for name, data in handmade_seeds().items():
        with open(os.path.join(out_dir, "handmade-" + name), "wb") as f:
            f.write(data)
        written += 1
    print("%d seed inputs in %s" % (written, out_dir))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
