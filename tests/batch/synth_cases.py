#!/usr/bin/env python3
"""Writes small pcap files that test what tcpphase-batch must do like
Wireshark: tcp.stream numbering on reused port pairs (with the cases where
Wireshark releases differ), link layers, IPv6 extension headers, padding
and snaplen, a bogus TCP header.

    synth_cases.py OUTDIR            every case, one pcap each
    synth_cases.py --many N OUT      N short conversations (the RSS test)
"""

import os
import struct
import sys


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


def ipv4(src, dst, proto, payload, options=b"", frag=0x4000, total=None):
    ihl = (20 + len(options)) // 4
    length = 20 + len(options) + len(payload) if total is None else total
    hdr = struct.pack("!BBHHHBBH4s4s", 0x40 | ihl, 0, length, 1, frag, 64, proto, 0,
                      bytes(src), bytes(dst)) + options
    hdr = hdr[:10] + struct.pack("!H", csum(hdr)) + hdr[12:]
    return hdr + payload


def ipv6(src, dst, nxt, payload, ext=()):
    """ext: (type, body) pairs in order; body padded to the header's unit."""
    chain = b""
    types = [t for t, _ in ext] + [nxt]
    for i, (t, body) in enumerate(ext):
        if t == 51:                       # AH: length in 4-byte units - 2
            body = body + b"\0" * ((-(len(body) + 2)) % 4)
            chain += bytes([types[i + 1], (len(body) + 2) // 4 - 2]) + body
        elif t == 44:
            chain += bytes([types[i + 1], 0]) + body
        else:
            body = body + b"\0" * ((-(len(body) + 2)) % 8)
            chain += bytes([types[i + 1], (len(body) + 2) // 8 - 1]) + body
    first = types[0]
    return struct.pack("!IHBB16s16s", 0x60000000, len(chain) + len(payload), first, 64,
                       bytes(src), bytes(dst)) + chain + payload


def tcp(sport, dport, seq, ack, flags, payload=b"", offset=5):
    f = 0
    for ch, bit in (("F", 1), ("S", 2), ("R", 4), ("P", 8), ("A", 16)):
        if ch in flags:
            f |= bit
    hdr = struct.pack("!HHIIBBHHH", sport, dport, seq & 0xFFFFFFFF, ack & 0xFFFFFFFF,
                      offset << 4, f, 65535, 0, 0)
    return hdr + b"\0" * (max(offset, 5) * 4 - 20) + payload


def ether(etype, payload, tags=()):
    out = b"\x02\0\0\0\0\x01\x02\0\0\0\0\x02"
    for tpid, vid in tags:
        out += struct.pack("!HH", tpid, vid)
    frame = out + struct.pack("!H", etype) + payload
    return frame + b"\0" * max(0, 60 - len(frame))     # Ethernet minimum: padding


def write_pcap(path, linktype, frames, snaplen=262144):
    """frames: (time in µs, bytes) or (time, bytes, caplen)."""
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, snaplen, linktype))
        for fr in frames:
            ts, data = fr[0], fr[1]
            cap = fr[2] if len(fr) > 2 else len(data)
            f.write(struct.pack("<IIII", ts // 1000000, ts % 1000000, cap, len(data)))
            f.write(data[:cap])


A4, B4 = [10, 0, 0, 1], [10, 0, 0, 2]
A6 = [0xfd, 0x99] + [0] * 13 + [2]
B6 = [0xfd, 0x99] + [0] * 13 + [1]


def http_conv(cport, isn_c, isn_s, t0, sport=80, close=True):
    """(time, from_client, tcp bytes) of a short HTTP-like exchange."""
    req, resp = b"GET / HTTP/1.1\r\n\r\n", b"HTTP/1.1 200 OK\r\n\r\nhello"
    c, s = isn_c + 1, isn_s + 1
    out = [
        (t0, True, tcp(cport, sport, isn_c, 0, "S")),
        (t0 + 100, False, tcp(sport, cport, isn_s, c, "SA")),
        (t0 + 200, True, tcp(cport, sport, c, s, "A")),
        (t0 + 300, True, tcp(cport, sport, c, s, "PA", req)),
        (t0 + 400, False, tcp(sport, cport, s, c + len(req), "PA", resp)),
    ]
    c += len(req)
    s += len(resp)
    if close:
        out += [
            (t0 + 500, True, tcp(cport, sport, c, s, "FA")),
            (t0 + 600, False, tcp(sport, cport, s, c + 1, "FA")),
            (t0 + 700, True, tcp(cport, sport, c + 1, s + 1, "A")),
        ]
    return out


def v4(pkts):
    return [(t, ether(0x0800, ipv4(A4 if fc else B4, B4 if fc else A4, 6, seg)))
            for t, fc, seg in pkts]


def seg_only(t, fc, seg):
    return (t, fc, seg)


def cases():
    T = 1700000000 * 1000000
    out = {}
    # A new SYN (other ISN) on the same ports after a graceful close: new stream.
    out["reuse_after_fin"] = (1, v4(http_conv(40000, 1000, 9000, T) +
                                    http_conv(40000, 555000, 77000, T + 10000)))
    # Refused, then retried with a retransmitted SYN (same ISN) and a new one.
    p = [(T, True, tcp(40001, 81, 100, 0, "S")), (T + 50, False, tcp(81, 40001, 0, 101, "RA")),
         (T + 1000000, True, tcp(40001, 81, 100, 0, "S")),
         (T + 1000050, False, tcp(81, 40001, 0, 101, "RA")),
         (T + 3000000, True, tcp(40001, 81, 999, 0, "S")),
         (T + 3000050, False, tcp(81, 40001, 0, 1000, "RA"))]
    out["reuse_after_rst"] = (1, v4(p))
    # The same ISN again after a close: Wireshark keeps the stream.
    out["same_isn_after_close"] = (1, v4(http_conv(40002, 1000, 9000, T) +
                                         http_conv(40002, 1000, 9000, T + 20000)))
    # The server side opens on the same ports (its SYN differs from its
    # SYN-ACK's sequence number).
    rev = http_conv(40003, 1000, 9000, T)
    rev.append((T + 50000, False, tcp(80, 40003, 123456, 0, "S")))
    rev.append((T + 50100, True, tcp(40003, 80, 654321, 123457, "SA")))
    out["reverse_syn"] = (1, v4(rev))
    # Mid-stream data first, then a SYN: the base was the data's seq - 1.
    mid = [(T, True, tcp(40004, 80, 5000, 7000, "PA", b"xx")),
           (T + 100, False, tcp(80, 40004, 7000, 5002, "A"))]
    mid += http_conv(40004, 4999, 8000, T + 1000)      # SYN seq == base: same stream
    mid += http_conv(40004, 90000, 8000, T + 9000)     # new ISN: new stream
    out["midstream_then_syn"] = (1, v4(mid))
    # A SYN-ACK with another sequence number never starts a stream.
    sa = http_conv(40005, 1000, 9000, T, close=False)
    sa.append((T + 800, False, tcp(80, 40005, 31337, 1001, "SA")))
    out["synack_other_seq"] = (1, v4(sa))
    # Link layers and IP variants, one conversation each on its own ports.
    frames = []
    t = T
    for port, tags in ((41000, ()), (41001, ((0x8100, 5),)), (41002, ((0x88A8, 7), (0x8100, 5)))):
        for tt, fc, seg in http_conv(port, port * 7, port * 11, t):
            frames.append((tt, ether(0x0800, ipv4(A4 if fc else B4, B4 if fc else A4, 6, seg),
                                     tags)))
        t += 10000
    # IPv4 options; IPv6 with hop-by-hop, routing, destination options, AH
    # and an atomic fragment header.
    for tt, fc, seg in http_conv(41003, 3, 4, t):
        frames.append((tt, ether(0x0800, ipv4(A4 if fc else B4, B4 if fc else A4, 6, seg,
                                              options=b"\x01\x01\x01\x00"))))
    t += 10000
    ext = ((0, b"\x01\x04\0\0\0\0"), (60, b"\x01\x04\0\0\0\0"), (51, b"\0" * 10),
           (44, b"\0\0\0\0\0\x01"))
    for tt, fc, seg in http_conv(41004, 5, 6, t):
        frames.append((tt, ether(0x86DD, ipv6(A6 if fc else B6, B6 if fc else A6, 6, seg, ext))))
    t += 10000
    # Other traffic: UDP, ARP, an IPv4 fragment of a TCP segment.
    frames.append((t, ether(0x0800, ipv4(A4, B4, 17, b"\0" * 16))))
    frames.append((t + 1, ether(0x0806, b"\0" * 28)))
    # A snaplen-cut data segment (payload on the wire longer than captured).
    cut = http_conv(41005, 50, 60, t + 100)
    for tt, fc, seg in cut:
        fr = ether(0x0800, ipv4(A4 if fc else B4, B4 if fc else A4, 6, seg + b"z" * 300))
        frames.append((tt, fr, 14 + 20 + 20 + 4))
    out["links_ethernet"] = (1, frames)
    # A TCP header with a data offset of 16 bytes: numbered, not tagged.
    bad = [(T, ether(0x0800, ipv4(A4, B4, 6, tcp(42000, 80, 1, 0, "S", offset=4))))]
    bad += v4(http_conv(42001, 10, 20, T + 100))
    # The bogus header from the server side first: the client is still
    # chosen by the first packet the plugin reads.
    bad += [(T + 5000, ether(0x0800, ipv4(B4, A4, 6, tcp(80, 42002, 1, 0, "", offset=3))))]
    bad += v4(http_conv(42002, 30, 40, T + 5100))
    out["bogus_offset"] = (1, bad)

    # Where Wireshark releases number differently (docs/batch.md, section
    # 2; tests/unit/test_stream_rules.c has the same sequences with each
    # release's numbers). One port pair per sub-case, one after the other.
    def seq_frames(parts, tags=()):
        frames = []
        t = T
        for part in parts:
            for fc, seg, *cap in part:
                fr = ether(0x0800, ipv4(A4 if fc else B4, B4 if fc else A4, 6, seg), tags)
                frames.append((t, fr, 14 + 20 + cap[0]) if cap else (t, fr))
                t += 100
            t += 10000
        return frames

    C, S = True, False
    # Another SYN-ACK: up to 4.2 it becomes the new base (a later SYN from
    # the server with it stays), from 4.4 it starts a stream; the base from
    # an ACK (ack - 1) counts the same; a SYN-ACK from the SYN's sender.
    out["synack_rebase"] = (1, seq_frames([
        [(C, tcp(44000, 80, 100, 0, "S")), (S, tcp(80, 44000, 500, 101, "SA")),
         (S, tcp(80, 44000, 700, 101, "SA")), (S, tcp(80, 44000, 700, 0, "S")),
         (S, tcp(80, 44000, 500, 0, "S"))],
        [(C, tcp(44001, 80, 100, 0, "S")), (C, tcp(44001, 80, 101, 4001, "A")),
         (S, tcp(80, 44001, 4000, 101, "SA")), (S, tcp(80, 44001, 4444, 101, "SA"))],
        [(C, tcp(44002, 80, 100, 0, "S")), (C, tcp(44002, 80, 300, 1, "SA"))],
    ]))
    # The same endpoints on two VLANs: one endpoint pair for Wireshark.
    vlan = []
    for vid, (isn_c, isn_s) in ((5, (100, 500)), (6, (900, 700))):
        vlan.append(seq_frames([[(C, tcp(44003, 80, isn_c, 0, "S"))],
                                [(S, tcp(80, 44003, isn_s, isn_c + 1, "SA"))]], ((0x8100, vid),)))
    out["vlan_same_pair"] = (1, [vlan[0][0], vlan[1][0], vlan[0][1], vlan[1][1]])
    # The same SYN-ACK again after a RST, after a FIN-ACK.
    out["synack_after_close"] = (1, seq_frames([
        [(C, tcp(44010, 80, 100, 0, "S")), (S, tcp(80, 44010, 500, 101, "SA")),
         (C, tcp(44010, 80, 101, 0, "R")), (S, tcp(80, 44010, 500, 101, "SA")),
         (C, tcp(44010, 80, 101, 501, "A"))],
        [(C, tcp(44011, 80, 100, 0, "S")), (S, tcp(80, 44011, 500, 101, "SA")),
         (S, tcp(80, 44011, 600, 101, "SA")), (C, tcp(44011, 80, 101, 601, "FA")),
         (S, tcp(80, 44011, 600, 101, "SA")), (C, tcp(44011, 80, 100, 0, "S"))],
    ]))
    # What marks a close for a SYN with the old ISN (4.2 on): RST (also on a
    # SYN, also without ACK) and FIN with ACK, from a header of 20 bytes or
    # more even if longer than its segment; a first SYN of a direction
    # without a base clears the marks unless its own offset is bogus.
    out["close_marks"] = (1, seq_frames([
        [(S, tcp(80, 44020, 5, 101, "RA")), (C, tcp(44020, 80, 100, 0, "S"))],
        [(C, tcp(44021, 80, 100, 0, "S")), (C, tcp(44021, 80, 100, 0, "SR")),
         (C, tcp(44021, 80, 100, 0, "S"))],
        [(C, tcp(44022, 80, 100, 0, "S")), (C, tcp(44022, 80, 101, 0, "F")),
         (C, tcp(44022, 80, 100, 0, "S")), (C, tcp(44022, 80, 100, 0, "SF")),
         (C, tcp(44022, 80, 100, 0, "S"))],
        [(S, tcp(80, 44023, 5, 0, "R")), (C, tcp(44023, 80, 100, 0, "S")),
         (C, tcp(44023, 80, 100, 0, "S"))],
        [(S, tcp(80, 44024, 5, 0, "R")), (C, tcp(44024, 80, 100, 0, "SR")),
         (C, tcp(44024, 80, 100, 0, "S"))],
        [(S, tcp(80, 44025, 5, 0, "R")), (C, tcp(44025, 80, 100, 0, "S", offset=4)),
         (C, tcp(44025, 80, 100, 0, "S"))],
        [(S, tcp(80, 44026, 5, 0, "R")), (C, tcp(44026, 80, 100, 0, "S", offset=8)[:20]),
         (C, tcp(44026, 80, 100, 0, "S"))],
        [(C, tcp(44027, 80, 100, 0, "S")), (S, tcp(80, 44027, 0, 101, "RA", offset=4)),
         (C, tcp(44027, 80, 100, 0, "S"))],
        [(C, tcp(44028, 80, 100, 0, "S")), (S, tcp(80, 44028, 0, 101, "RA", offset=8)[:20]),
         (C, tcp(44028, 80, 100, 0, "S"))],
    ]))
    # A first segment whose header is longer than the segment: its base
    # counts from 4.4 on.
    out["header_past_segment"] = (1, seq_frames([
        [(C, tcp(44030, 80, 5000, 0, "A", offset=15)[:20]), (C, tcp(44030, 80, 777, 0, "S")),
         (S, tcp(80, 44030, 900, 778, "SA"))],
    ]))
    # Headers cut by the snapshot length (TCP bytes captured): 4.6 numbers
    # a segment from 14 bytes on, earlier releases from 16.
    cut = [[(C, tcp(44040 + n, 80, 100, 0, "S"), n)] for n in (12, 13, 14, 15, 16, 17, 19)]
    cut += [[(C, tcp(44050 + n, 80, 100, 0, "S")), (S, tcp(80, 44050 + n, 0, 101, "RA"), n),
             (C, tcp(44050 + n, 80, 100, 0, "S"))] for n in (14, 15, 16, 18)]
    cut += [[(C, tcp(44070, 80, 100, 0, "S")), (C, tcp(44070, 80, 200, 0, "S"), 14),
             (C, tcp(44070, 80, 200, 0, "S")), (S, tcp(80, 44070, 9, 201, "SA"), 15),
             (S, tcp(80, 44070, 9, 201, "SA"))],
            [(S, tcp(80, 44071, 5, 0, "R"), 14), (C, tcp(44071, 80, 100, 0, "S")),
             (C, tcp(44071, 80, 100, 0, "S"))],
            [(C, tcp(44072, 80, 100, 0, "S")), (S, tcp(80, 44072, 7, 101, "FA"), 16),
             (C, tcp(44072, 80, 100, 0, "S"))]]
    out["cut_headers"] = (1, seq_frames(cut))

    def conv_frames(wrap, port):
        return [(tt, wrap(fc, seg)) for tt, fc, seg in http_conv(port, port, port * 3, T)]

    out["link_sll"] = (113, conv_frames(
        lambda fc, seg: struct.pack("!HHH8sH", 0 if fc else 4, 1, 6, b"\x02\0\0\0\0\x01\0\0", 0x0800)
        + ipv4(A4 if fc else B4, B4 if fc else A4, 6, seg), 43000))
    out["link_sll2"] = (276, conv_frames(
        lambda fc, seg: struct.pack("!HHIHBB8s", 0x86DD, 0, 2, 1, 0 if fc else 4, 6,
                                    b"\x02\0\0\0\0\x01\0\0")
        + ipv6(A6 if fc else B6, B6 if fc else A6, 6, seg), 43001))
    out["link_null"] = (0, conv_frames(
        lambda fc, seg: struct.pack("<I", 2) + ipv4(A4 if fc else B4, B4 if fc else A4, 6, seg),
        43002))
    out["link_loop"] = (108, conv_frames(
        lambda fc, seg: struct.pack("!I", 24) + ipv6(A6 if fc else B6, B6 if fc else A6, 6, seg),
        43003))
    out["link_raw"] = (101, conv_frames(
        lambda fc, seg: ipv4(A4 if fc else B4, B4 if fc else A4, 6, seg), 43004))
    return out


def many(n, path):
    """n short conversations, one every 0.1 s of capture time, on distinct
    client ports (several client addresses), each closed gracefully."""
    T = 1700000000 * 1000000
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, 1))
        for i in range(n):
            client = [10, 1 + (i >> 24) % 200, (i >> 16) & 255, 1 + (i & 255) % 250]
            port = 1024 + (i * 7) % 60000
            for tt, fc, seg in http_conv(port, i * 7919, i * 104729, T + i * 100000):
                frame = ether(0x0800, ipv4(client if fc else B4, B4 if fc else client, 6, seg))
                f.write(struct.pack("<IIII", tt // 1000000, tt % 1000000, len(frame),
                                    len(frame)))
                f.write(frame)


def main():
    if len(sys.argv) == 4 and sys.argv[1] == "--many":
        many(int(sys.argv[2]), sys.argv[3])
        return
    outdir = sys.argv[1]
    os.makedirs(outdir, exist_ok=True)
    for name, (linktype, frames) in cases().items():
        write_pcap(os.path.join(outdir, "synth_%s.pcap" % name), linktype, frames)


if __name__ == "__main__":
    main()
