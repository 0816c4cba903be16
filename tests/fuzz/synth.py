"""Structure-aware generator of hostile TCP/TLS captures for the fuzz
driver: plausible conversations that break the rules on purpose (docs/spec.md
section 8: truncated, malformed, out-of-order, duplicated, missing
handshakes, port reuse, IPv6, VLAN, tunnels), so that the phase machine,
the Zeek model and the TLS record walker see sequences that byte flips
alone almost never produce. Deterministic for a given random.Random.
"""

import struct

import pcapio

# ---- packet building ----


def ipv4(src, dst, proto, payload, ttl=64, ident=0, flags_frag=0x4000):
    total = 20 + len(payload)
    h = bytearray(struct.pack(">BBHHHBBH4s4s", 0x45, 0, total & 0xFFFF, ident, flags_frag, ttl,
                              proto, 0, src, dst))
    struct.pack_into(">H", h, 10, pcapio.ipv4_checksum(bytes(h)))
    return bytes(h) + payload


def ipv6(src, dst, nxt, payload, hlim=64):
    return struct.pack(">IHBB16s16s", 0x60000000, len(payload) & 0xFFFF, nxt, hlim, src,
                       dst) + payload


def tcp(sport, dport, seq, ack, flags, payload=b"", window=65535, options=b""):
    options += b"\0" * ((4 - len(options) % 4) % 4)
    doff = (20 + len(options)) // 4
    return struct.pack(">HHIIHHHH", sport, dport, seq & 0xFFFFFFFF, ack & 0xFFFFFFFF,
                       ((doff & 0xF) << 12) | (flags & 0x1FF), window, 0, 0) + options + payload


def ethernet(ethertype, payload, vlans=()):
    head = b"\x02\x00\x00\x00\x00\x02" + b"\x02\x00\x00\x00\x00\x01"
    for vid in vlans:
        head += struct.pack(">HH", 0x8100, vid & 0x0FFF)
    return head + struct.pack(">H", ethertype) + payload


FIN, SYN, RST, PSH, ACK, URG, ECE, CWR, AE = 1, 2, 4, 8, 0x10, 0x20, 0x40, 0x80, 0x100


class Path:
    """How one conversation's segments are wrapped: addresses, IP version,
    VLAN tags, tunnel."""

    def __init__(self, rng, reuse=None):
        if reuse is not None:
            self.__dict__.update(reuse.__dict__)
            return
        self.v6 = rng.random() < 0.3
        n = 16 if self.v6 else 4
        self.a = bytes([0xFD if self.v6 else 10] + [rng.randrange(256) for _ in range(n - 1)])
        self.b = bytes([0xFD if self.v6 else 10] + [rng.randrange(256) for _ in range(n - 1)])
        if rng.random() < 0.05:
            self.b = self.a                         # talking to itself
        self.vlans = [rng.randrange(4096) for _ in range(rng.choice([0, 0, 0, 1, 2]))]
        self.tunnel = rng.choice([None] * 6 + ["ipip", "gre", "6in4"])
        port_kind = rng.random()
        if port_kind < 0.6:
            self.cport, self.sport = rng.randrange(1024, 65536), rng.choice([80, 443, 8443, 22, 25])
        elif port_kind < 0.8:
            self.cport, self.sport = rng.randrange(65536), rng.randrange(65536)
        elif port_kind < 0.9:
            self.cport = self.sport = rng.choice([0, 443, 1024, 65535])
        else:                                       # server on the high port
            self.cport, self.sport = rng.randrange(1, 1024), rng.randrange(1024, 65536)

    def frame(self, from_client, segment):
        src, dst = (self.a, self.b) if from_client else (self.b, self.a)
        if self.v6:
            inner, inner_type = ipv6(src, dst, 6, segment), 0x86DD
        else:
            inner, inner_type = ipv4(src, dst, 6, segment), 0x0800
        if self.tunnel == "ipip" and not self.v6:
            inner = ipv4(b"\xc0\x00\x02\x01", b"\xc0\x00\x02\x02", 4, inner)
        elif self.tunnel == "6in4" and self.v6:
            inner, inner_type = ipv4(b"\xc0\x00\x02\x01", b"\xc0\x00\x02\x02", 41, inner), 0x0800
        elif self.tunnel == "gre":
            gre = struct.pack(">HH", 0, inner_type) + inner
            inner, inner_type = ipv4(b"\xc0\x00\x02\x01", b"\xc0\x00\x02\x02", 47, gre), 0x0800
        return ethernet(inner_type, inner, self.vlans)

    def icmp_error(self, from_client, segment):
        """An ICMP/ICMPv6 error quoting the segment (a TCP header that is
        not a packet of the conversation)."""
        src, dst = (self.a, self.b) if from_client else (self.b, self.a)
        if self.v6:
            quoted = ipv6(src, dst, 6, segment)[:1232]
            icmp = struct.pack(">BBHI", 1, 4, 0, 0) + quoted
            return ethernet(0x86DD, ipv6(dst, src, 58, icmp), self.vlans)
        quoted = ipv4(src, dst, 6, segment)[:28 + 40]
        icmp = struct.pack(">BBHI", 3, 3, 0, 0) + quoted
        return ethernet(0x0800, ipv4(dst, src, 1, icmp), self.vlans)


# ---- TLS bytes ----


def tls_record(ctype, body, version=0x0303, length=None):
    n = len(body) if length is None else length
    return struct.pack(">BHH", ctype, version, n & 0xFFFF) + body


def hs_message(mtype, body, length=None):
    n = len(body) if length is None else length
    return struct.pack(">B", mtype) + n.to_bytes(3, "big")[-3:] + body


def rand_bytes(rng, n):
    return bytes(rng.getrandbits(8) for _ in range(n))


def extension(etype, body, length=None):
    return struct.pack(">HH", etype, (len(body) if length is None else length) & 0xFFFF) + body


def client_hello(rng):
    exts = b""
    if rng.random() < 0.8:
        nlen = rng.choice([0, 1, 11, 64, 255, 256, 300, 1000])
        name = bytes(rng.choice(b"abcdefghijklmnop.-") for _ in range(nlen))
        if rng.random() < 0.2:
            name = rand_bytes(rng, nlen)
        entry = struct.pack(">BH", rng.choice([0, 0, 0, 1]),
                            (nlen + rng.choice([0, 0, 0, 1, -1, 100])) & 0xFFFF) + name
        sni = struct.pack(">H", (len(entry) + rng.choice([0, 0, 0, 5, -3])) & 0xFFFF) + entry
        exts += extension(0, sni, None if rng.random() < 0.9 else rng.randrange(65536))
    if rng.random() < 0.5:
        exts += extension(43, b"\x04\x03\x04\x03\x03")
    for _ in range(rng.randrange(4)):
        exts += extension(rng.randrange(65536), rand_bytes(rng, rng.randrange(20)))
    body = (struct.pack(">H", 0x0303) + rand_bytes(rng, 32) + b"\x20" + rand_bytes(rng, 32) +
            b"\x00\x04\x13\x01\x13\x02" + b"\x01\x00" +
            struct.pack(">H", (len(exts) + rng.choice([0, 0, 0, 0, 7, -2])) & 0xFFFF) + exts)
    if rng.random() < 0.15:
        body = body[:rng.randrange(len(body) + 1)]          # truncated hello
    if rng.random() < 0.05:
        body += rand_bytes(rng, rng.choice([70000, 3000]))  # larger than kept
    return hs_message(1, body, None if rng.random() < 0.9 else rng.randrange(1 << 24))


HRR_RANDOM = bytes.fromhex("CF21AD74E59A6111BE1D8C021E65B891C2A211167ABB8C5E079E09E2C8A8339C")


def server_hello(rng):
    random_ = HRR_RANDOM if rng.random() < 0.15 else rand_bytes(rng, 32)
    exts = b""
    if rng.random() < 0.5:
        exts += extension(43, struct.pack(">H", rng.choice([0x0304, 0x0303, 0x0300, 0x7f1c,
                                                             0xFFFF])))
    if rng.random() < 0.3:
        exts += extension(41, b"\x00\x00")
    body = (struct.pack(">H", rng.choice([0x0303, 0x0301, 0x0300, 0x0200, 0x0304])) + random_ +
            b"\x20" + rand_bytes(rng, 32) + b"\x13\x01\x00" +
            struct.pack(">H", (len(exts) + rng.choice([0, 0, 0, 3])) & 0xFFFF) + exts)
    if rng.random() < 0.15:
        body = body[:rng.randrange(len(body) + 1)]
    return hs_message(2, body)


def handshake_record(rng, messages):
    """One or more handshake records carrying messages, sometimes split
    across records or many messages packed in one record."""
    data = b"".join(messages)
    out = b""
    while data:
        take = len(data) if rng.random() < 0.7 else rng.randrange(1, len(data) + 1)
        out += tls_record(22, data[:take], length=None if rng.random() < 0.95 else
                          rng.choice([0, 16384 + 2048, 16384 + 2049, 65535]))
        data = data[take:]
    return out


def server_flight(rng):
    msgs = [server_hello(rng)]
    for mtype in rng.sample([11, 12, 13, 14, 8, 15, 20, 4, 24, 25, 0, 99], rng.randrange(5)):
        msgs.append(hs_message(mtype, rand_bytes(rng, rng.randrange(60))))
    if rng.random() < 0.2:                                # > 16 messages in one record
        msgs += [hs_message(rng.choice([14, 0, 4]), b"") for _ in range(rng.randrange(17, 60))]
    out = handshake_record(rng, msgs)
    if rng.random() < 0.6:
        out += tls_record(20, b"\x01")
    for _ in range(rng.randrange(4)):
        out += encrypted_record(rng)
    return out


def encrypted_record(rng):
    ctype = rng.choice([23, 23, 23, 22, 21, 24, 20, 25, 19, 0, 255])
    n = rng.choice([19, 11, 40, 100, 1000, 16384 + 2048, 0])
    return tls_record(ctype, rand_bytes(rng, min(n, 4000)), length=n,
                      version=rng.choice([0x0303, 0x0303, 0x0301, 0x0304, 0x0305, 0x0403]))


def client_flight(rng):
    out = b""
    if rng.random() < 0.5:
        out += handshake_record(rng, [hs_message(16, rand_bytes(rng, 33))])
    if rng.random() < 0.7:
        out += tls_record(20, b"\x01")
    for _ in range(rng.randrange(1, 4)):
        out += encrypted_record(rng)
    if rng.random() < 0.2:                    # many tiny records in one packet
        out += b"".join(tls_record(rng.choice([23, 21, 24]), b"") for _ in range(40))
    return out


def application_bytes(rng):
    kind = rng.random()
    if kind < 0.4:
        return b"GET / HTTP/1.1\r\nHost: x\r\n\r\n"
    if kind < 0.7:
        return rand_bytes(rng, rng.choice([1, 5, 6, 100, 1400]))
    return b"".join(encrypted_record(rng) for _ in range(rng.randrange(1, 5)))


# ---- conversations ----


class Conversation:
    def __init__(self, rng, path):
        self.rng = rng
        self.path = path
        near_wrap = rng.random() < 0.2
        self.seq = [rng.randrange(1 << 32) if not near_wrap else (1 << 32) - rng.randrange(1, 3000),
                    rng.randrange(1 << 32)]
        self.packets = []                   # (from_client, frame bytes)

    def send(self, from_client, flags, payload=b"", seq=None, ack=None, advance=True):
        i = 0 if from_client else 1
        s = self.seq[i] if seq is None else seq
        a = self.seq[1 - i] if ack is None else ack
        p = self.path
        ports = (p.cport, p.sport) if from_client else (p.sport, p.cport)
        opts = b""
        if self.rng.random() < 0.1:
            opts = self.rng.choice([b"\x02\x04\x05\xb4", b"\x01" * 7, b"\x08\x0a" + b"\0" * 8,
                                    b"\x1e\x02", b"\xff"])
        seg = tcp(ports[0], ports[1], s, a, flags, payload, options=opts)
        self.packets.append((from_client, p.frame(from_client, seg)))
        if self.rng.random() < 0.03:
            self.packets.append((not from_client, p.icmp_error(from_client, seg)))
        if advance and seq is None:
            self.seq[i] = (self.seq[i] + len(payload) + (1 if flags & (SYN | FIN) else 0)) \
                & 0xFFFFFFFF

    def send_stream(self, from_client, data):
        """Sends data in segments, sometimes out of order, overlapping,
        retransmitted or with a gap that never fills."""
        rng = self.rng
        i = 0 if from_client else 1
        base = self.seq[i]
        cuts = sorted(set([0, len(data)] + [rng.randrange(len(data) + 1)
                                            for _ in range(rng.randrange(4))]))
        segs = [(base + a, data[a:b]) for a, b in zip(cuts, cuts[1:]) if b > a]
        if rng.random() < 0.25:
            rng.shuffle(segs)
        if rng.random() < 0.15 and segs:
            segs.insert(rng.randrange(len(segs) + 1), rng.choice(segs))        # retransmission
        if rng.random() < 0.1 and len(data) > 4:                                # overlap
            a = rng.randrange(len(data) - 2)
            segs.append((base + a, data[a:a + rng.randrange(1, len(data) - a)]))
        if rng.random() < 0.05 and len(segs) > 1:
            segs.pop(rng.randrange(len(segs)))                                   # hole
        for s, chunk in segs:
            self.send(from_client, ACK | PSH, chunk, seq=s & 0xFFFFFFFF)
        self.seq[i] = (base + len(data)) & 0xFFFFFFFF

    def script(self):
        rng = self.rng
        hs = rng.random()
        if hs < 0.65:
            self.send(True, SYN | (ECE | CWR if rng.random() < 0.1 else 0))
            if rng.random() < 0.1:
                self.send(True, SYN)                                  # SYN retransmitted
            r = rng.random()
            if r < 0.08:
                self.send(False, RST | ACK)                           # refused
                return
            if r < 0.12:
                return                                                # unanswered
            self.send(False, SYN | ACK)
            if rng.random() < 0.85:
                self.send(True, ACK, rand_bytes(rng, 10) if rng.random() < 0.05 else b"")
        elif hs < 0.75:
            self.send(False, SYN | ACK)                               # SYN lost
            self.send(True, ACK)
        elif hs < 0.8:
            self.send(True, SYN | FIN | RST | rng.choice([0, ACK, URG, AE]))
        # else: picked up mid-stream
        if rng.random() < 0.6:
            self.send_stream(True, handshake_record(rng, [client_hello(rng)]))
            if rng.random() < 0.9:
                self.send_stream(False, server_flight(rng))
            if rng.random() < 0.8:
                self.send_stream(True, client_flight(rng))
        for _ in range(rng.randrange(4)):
            self.send_stream(rng.random() < 0.5, application_bytes(rng))
            if rng.random() < 0.3:
                self.send(rng.random() < 0.5, ACK)
        for _ in range(rng.randrange(3)):
            self.send(rng.random() < 0.5, rng.randrange(0x200),
                      rand_bytes(rng, rng.choice([0, 0, 1, 30])),
                      seq=rng.choice([None, rng.randrange(1 << 32)]),
                      ack=rng.choice([None, rng.randrange(1 << 32)]))
        close = rng.random()
        first = rng.random() < 0.6
        if close < 0.5:
            self.send(first, FIN | ACK)
            if rng.random() < 0.2:
                self.send_stream(not first, application_bytes(rng))    # data after FIN
            self.send(not first, FIN | ACK)
            self.send(first, ACK)
            if rng.random() < 0.2:
                self.send(first, ACK)
        elif close < 0.75:
            self.send(first, RST | rng.choice([0, ACK]))
            if rng.random() < 0.2:
                self.send(not first, RST)
        elif close < 0.85:
            self.send(first, FIN | ACK)


def generate(rng):
    """A pcap or pcapng Capture of a few interleaved conversations."""
    convs = []
    for _ in range(rng.randrange(1, 7)):
        reuse = convs[-1].path if convs and rng.random() < 0.25 else None
        conv = Conversation(rng, Path(rng, reuse))
        conv.script()
        convs.append(conv)
    frames = []
    queues = [list(c.packets) for c in convs if c.packets]
    sequential = rng.random() < 0.5
    while queues:
        q = queues[0] if sequential else rng.choice(queues)
        frames.append(q.pop(0)[1])
        if not q:
            queues.remove(q)
    t = rng.randrange(1, 1 << 31) * 1000000
    packets = []
    for data in frames:
        t += rng.choice([0, 1, 20, 1000, 200000])
        if rng.random() < 0.02:
            t -= rng.randrange(5000000)                       # time goes backwards
        packets.append(pcapio.Packet(max(t, 0), data, len(data), pcapio.LINKTYPE_ETHERNET))
    if rng.random() < 0.5:
        return pcapio.Capture("pcap", "<", packets, (False, 262144, pcapio.LINKTYPE_ETHERNET))
    shb = _block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1))
    idb = _block(1, struct.pack("<HHI", pcapio.LINKTYPE_ETHERNET, 0, 0))
    return pcapio.Capture("pcapng", "<", [shb, idb] + packets)


def _block(btype, body):
    body += b"\0" * ((4 - len(body) % 4) % 4)
    n = len(body) + 12
    return struct.pack("<II", btype, n) + body + struct.pack("<I", n)
