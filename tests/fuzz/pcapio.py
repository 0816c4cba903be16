"""Minimal pcap / pcapng reader and writer for the fuzz driver (python3
stdlib only).

A capture is read into a list of blocks that keeps everything it does not
understand byte for byte, so a rewrite that changes nothing gives back an
equivalent file (secrets, name resolution and interface blocks survive).
Packets are the mutable part: Packet objects with a timestamp, the captured
bytes, the original length and the link type of their interface.
"""

import struct

PCAP_MAGICS = {
    b"\xd4\xc3\xb2\xa1": ("<", False),   # microseconds, little endian
    b"\xa1\xb2\xc3\xd4": (">", False),
    b"\x4d\x3c\xb2\xa1": ("<", True),    # nanoseconds
    b"\xa1\xb2\x3c\x4d": (">", True),
}
PCAPNG_SHB = 0x0A0D0D0A
PCAPNG_IDB = 1
PCAPNG_SPB = 3
PCAPNG_EPB = 6
BYTE_ORDER_MAGIC = 0x1A2B3C4D


class Packet:
    """One packet. ts is an integer in the capture's time units (pcap: µs or
    ns; pcapng: the interface's units, usually µs or ns)."""

    __slots__ = ("ts", "data", "orig_len", "linktype", "if_id", "options")

    def __init__(self, ts, data, orig_len, linktype, if_id=0, options=b""):
        self.ts = ts
        self.data = data
        self.orig_len = orig_len
        self.linktype = linktype
        self.if_id = if_id
        self.options = options

    def copy(self):
        return Packet(self.ts, self.data, self.orig_len, self.linktype, self.if_id,
                      self.options)


class Capture:
    """fmt: "pcap" or "pcapng". items: for pcap, Packets; for pcapng, raw
    non-packet blocks (bytes, written as they were) and Packets in file
    order."""

    def __init__(self, fmt, endian, items, pcap_header=None):
        self.fmt = fmt
        self.endian = endian
        self.items = items
        self.pcap_header = pcap_header     # (nanosecond, snaplen, linktype)

    def packets(self):
        return [i for i in self.items if isinstance(i, Packet)]

    def set_packets(self, packets):
        """Replaces the packets, keeping the other blocks: those before the
        first packet stay first, those between packets stay after the
        packets they followed (by index), the rest go last."""
        out, n = [], 0
        placed = []
        for item in self.items:
            if isinstance(item, Packet):
                n += 1
            else:
                placed.append((n, item))
        k = 0
        for i, pkt in enumerate(packets):
            while k < len(placed) and placed[k][0] <= i:
                out.append(placed[k][1])
                k += 1
            out.append(pkt)
        out.extend(item for _, item in placed[k:])
        self.items = out


def _pad4(n):
    return (4 - n % 4) % 4


def read(path):
    with open(path, "rb") as f:
        raw = f.read()
    if raw[:4] in PCAP_MAGICS:
        return _read_pcap(raw)
    if len(raw) >= 12 and struct.unpack("<I", raw[:4])[0] == PCAPNG_SHB:
        return _read_pcapng(raw)
    raise ValueError("%s: neither pcap nor pcapng" % path)


def _read_pcap(raw):
    e, nano = PCAP_MAGICS[raw[:4]]
    _, _, _, _, snaplen, linktype = struct.unpack(e + "HHiIII", raw[4:24])
    linktype &= 0x0FFFFFFF
    items, off = [], 24
    unit = 1000000000 if nano else 1000000
    while off + 16 <= len(raw):
        sec, frac, incl, orig = struct.unpack(e + "IIII", raw[off:off + 16])
        data = raw[off + 16:off + 16 + incl]
        if len(data) < incl:
            break
        items.append(Packet(sec * unit + frac, data, orig, linktype))
        off += 16 + incl
    return Capture("pcap", e, items, (nano, snaplen, linktype))


def _read_pcapng(raw):
    items, off, e = [], 0, "<"
    linktypes = []
    while off + 12 <= len(raw):
        btype = struct.unpack(e + "I", raw[off:off + 4])[0]
        if btype == PCAPNG_SHB:
            bom = raw[off + 8:off + 12]
            e = "<" if struct.unpack("<I", bom)[0] == BYTE_ORDER_MAGIC else ">"
            linktypes = []
        blen = struct.unpack(e + "I", raw[off + 4:off + 8])[0]
        if blen < 12 or off + blen > len(raw):
            break
        body = raw[off + 8:off + blen - 4]
        if btype == PCAPNG_IDB:
            linktypes.append(struct.unpack(e + "H", body[:2])[0])
        if btype == PCAPNG_EPB and len(body) >= 20:
            if_id, hi, lo, incl, orig = struct.unpack(e + "IIIII", body[:20])
            data = body[20:20 + incl]
            opts = body[20 + incl + _pad4(incl):]
            lt = linktypes[if_id] if if_id < len(linktypes) else 1
            items.append(Packet((hi << 32) | lo, data, orig, lt, if_id, opts))
        else:
            items.append(raw[off:off + blen])
        off += blen
    return Capture("pcapng", e, items)


def write(cap, path):
    with open(path, "wb") as f:
        f.write(encode(cap))


def encode(cap):
    if cap.fmt == "pcap":
        return _encode_pcap(cap)
    return _encode_pcapng(cap)


def _encode_pcap(cap):
    e = cap.endian
    nano, snaplen, linktype = cap.pcap_header
    magic = 0xA1B23C4D if nano else 0xA1B2C3D4
    unit = 1000000000 if nano else 1000000
    out = [struct.pack(e + "IHHiIII", magic, 2, 4, 0, 0, max(snaplen, 262144), linktype)]
    for p in cap.items:
        ts = p.ts & 0xFFFFFFFFFFFFFFFF
        sec, frac = divmod(ts, unit)
        out.append(struct.pack(e + "IIII", sec & 0xFFFFFFFF, frac, len(p.data),
                               max(p.orig_len, len(p.data)) & 0xFFFFFFFF))
        out.append(p.data)
    return b"".join(out)


def _encode_pcapng(cap):
    e = cap.endian
    out = []
    for item in cap.items:
        if not isinstance(item, Packet):
            out.append(item)
            continue
        ts = item.ts & 0xFFFFFFFFFFFFFFFF
        body = struct.pack(e + "IIIII", item.if_id, ts >> 32, ts & 0xFFFFFFFF,
                           len(item.data), max(item.orig_len, len(item.data)) & 0xFFFFFFFF)
        body += item.data + b"\0" * _pad4(len(item.data)) + item.options
        blen = len(body) + 12
        out.append(struct.pack(e + "II", PCAPNG_EPB, blen) + body + struct.pack(e + "I", blen))
    return b"".join(out)


# ---- finding the TCP header of a packet ----

LINKTYPE_NULL = 0
LINKTYPE_ETHERNET = 1
LINKTYPE_RAW = 101
LINKTYPE_LINUX_SLL = 113
LINKTYPE_IPV4 = 228
LINKTYPE_IPV6 = 229
LINKTYPE_LINUX_SLL2 = 276


def network_offset(linktype, data):
    """(offset of the IP header, IP version) or None."""
    if linktype == LINKTYPE_ETHERNET:
        off = 12
        while off + 2 <= len(data):
            et = struct.unpack(">H", data[off:off + 2])[0]
            if et in (0x8100, 0x88A8, 0x9100):
                off += 4
                continue
            if et == 0x0800:
                return off + 2, 4
            if et == 0x86DD:
                return off + 2, 6
            return None
        return None
    if linktype == LINKTYPE_LINUX_SLL and len(data) >= 16:
        et = struct.unpack(">H", data[14:16])[0]
        return (16, 4) if et == 0x0800 else (16, 6) if et == 0x86DD else None
    if linktype == LINKTYPE_LINUX_SLL2 and len(data) >= 20:
        et = struct.unpack(">H", data[0:2])[0]
        return (20, 4) if et == 0x0800 else (20, 6) if et == 0x86DD else None
    if linktype == LINKTYPE_NULL and len(data) >= 4:
        fam = struct.unpack("<I", data[:4])[0]
        if fam == 2:
            return 4, 4
        if fam in (10, 24, 28, 30):
            return 4, 6
        return None
    if linktype in (LINKTYPE_RAW, LINKTYPE_IPV4, LINKTYPE_IPV6) and data:
        v = data[0] >> 4
        return (0, v) if v in (4, 6) else None
    return None


class TcpView:
    """Where the IP and TCP headers of a packet are: ip, tcp, payload
    offsets, IP version, the end of the IP datagram in the captured bytes."""

    __slots__ = ("ip", "version", "tcp", "payload", "ip_end")

    def __init__(self, ip, version, tcp, payload, ip_end):
        self.ip, self.version, self.tcp, self.payload, self.ip_end = \
            ip, version, tcp, payload, ip_end


def tcp_view(pkt):
    found = network_offset(pkt.linktype, pkt.data)
    if not found:
        return None
    ip, version = found
    d = pkt.data
    if version == 4:
        if len(d) < ip + 20 or d[ip] >> 4 != 4 or d[ip + 9] != 6:
            return None
        ihl = (d[ip] & 0x0F) * 4
        total = struct.unpack(">H", d[ip + 2:ip + 4])[0]
        tcp = ip + ihl
        ip_end = min(len(d), ip + total) if total >= ihl else len(d)
    else:
        if len(d) < ip + 40 or d[ip] >> 4 != 6 or d[ip + 6] != 6:
            return None
        plen = struct.unpack(">H", d[ip + 4:ip + 6])[0]
        tcp = ip + 40
        ip_end = min(len(d), tcp + plen)
    if len(d) < tcp + 20:
        return None
    doff = (d[tcp + 12] >> 4) * 4
    if doff < 20:
        return None
    return TcpView(ip, version, tcp, tcp + doff, ip_end)


def ipv4_checksum(header):
    s = 0
    for i in range(0, len(header), 2):
        s += (header[i] << 8) + (header[i + 1] if i + 1 < len(header) else 0)
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


def set_ip_payload(pkt, view, tcp_bytes):
    """A copy of pkt whose TCP segment (header + payload) is tcp_bytes, with
    the IP length fields (and the IPv4 header checksum) fixed."""
    d = bytearray(pkt.data[:view.tcp]) + tcp_bytes
    ip = view.ip
    if view.version == 4:
        ihl = (d[ip] & 0x0F) * 4
        struct.pack_into(">H", d, ip + 2, (view.tcp - ip) + len(tcp_bytes))
        struct.pack_into(">H", d, ip + 10, 0)
        struct.pack_into(">H", d, ip + 10, ipv4_checksum(bytes(d[ip:ip + ihl])))
    else:
        struct.pack_into(">H", d, ip + 4, len(tcp_bytes))
    out = pkt.copy()
    out.data = bytes(d)
    out.orig_len = len(d)
    return out
