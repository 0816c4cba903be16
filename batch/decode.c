/* decode.c
 * Link layer -> IPv4/IPv6 -> TCP header for tcpphase-batch.
 *
 * Lengths follow Wireshark's dissectors, so payload lengths match what
 * the plugin reads from tshark: the IP total length (IPv6 payload length)
 * trims link padding; a zero length (TSO, jumbograms) or one past the
 * frame means "what the frame holds"; captured bytes may be fewer than
 * the length on the wire (snaplen).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "decode.h"

#include <string.h>

#include "tcp_flags.h"

#define ETHERTYPE_IPV4     0x0800
#define ETHERTYPE_IPV6     0x86DD
#define ETHERTYPE_VLAN     0x8100
#define ETHERTYPE_QINQ     0x88A8
#define ETHERTYPE_QINQ_OLD 0x9100
#define ETHERTYPE_PPPOES   0x8864

#define IPPROTO_V4_IN_IP 4
#define IPPROTO_V6_IN_IP 41
#define IPPROTO_TCP_NUM  6

/* Bytes still to read: captured and on the wire (reported >= captured). */
typedef struct {
    const uint8_t *p;
    uint32_t       cap, rep;
} span_t;

static uint16_t
get16(const uint8_t *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t
get32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static span_t
advance(span_t s, uint32_t n)
{
    span_t r;

    r.p = s.p + n;
    r.cap = s.cap - n;
    r.rep = s.rep >= n ? s.rep - n : 0;
    return r;
}

/* Limits the span to len bytes on the wire (an IP length). */
static span_t
limit(span_t s, uint32_t len)
{
    if (len < s.rep)
        s.rep = len;
    if (s.cap > s.rep)
        s.cap = s.rep;
    return s;
}

static decode_result_t decode_ip(span_t s, int depth, tcp_packet_facts_t *out);

static decode_result_t
decode_tcp(span_t s, tcp_packet_facts_t *out)
{
    uint32_t hlen;

    /* The TCP dissector reads up to the flags (14 bytes) or the window (16)
     * before it looks its conversation up, depending on the release
     * (stream_rules.h): the facts are filled from 14 on, for the caller to
     * decide whether such a segment is numbered. */
    out->tcp_captured = s.cap;
    if (s.cap < 14)
        return DECODE_TCP_SHORT;
    out->src_port = get16(s.p);
    out->dst_port = get16(s.p + 2);
    out->seq = get32(s.p + 4);
    out->ack = get32(s.p + 8);
    out->flags = get16(s.p + 12) & 0x01FF;
    hlen = (uint32_t)(s.p[12] >> 4) * 4;
    out->header_len = hlen;
    out->segment_len = s.rep;
    out->payload = NULL;
    out->payload_captured = 0;
    out->payload_len = 0;
    if (s.cap < 16)
        return DECODE_TCP_SHORT;
    if (s.cap < 20 || hlen < 20 || hlen > s.rep)
        return DECODE_TCP_BAD_HEADER;
    out->payload_len = s.rep - hlen;
    if (s.cap > hlen) {
        out->payload = s.p + hlen;
        out->payload_captured = s.cap - hlen;
    }
    return DECODE_TCP;
}

static decode_result_t
decode_next(uint8_t proto, span_t s, int depth, tcp_packet_facts_t *out)
{
    if (proto == IPPROTO_TCP_NUM)
        return decode_tcp(s, out);
    if ((proto == IPPROTO_V4_IN_IP || proto == IPPROTO_V6_IN_IP) && depth < 4)
        return decode_ip(s, depth + 1, out);
    return DECODE_NOT_TCP;
}

static decode_result_t
decode_ipv4(span_t s, int depth, tcp_packet_facts_t *out)
{
    uint32_t ihl, total;

    if (s.cap < 20)
        return DECODE_BAD_IP;
    ihl = (uint32_t)(s.p[0] & 0x0F) * 4;
    total = get16(s.p + 2);
    if (ihl < 20 || s.cap < ihl)
        return DECODE_BAD_IP;
    if (total == 0) /* TSO: the frame holds the datagram */
        total = s.rep;
    if (total < ihl)
        return DECODE_BAD_IP;
    if (depth == 0)
        out->ip_bytes = total;
    out->family = 4;
    memset(out->src, 0, sizeof(out->src));
    memset(out->dst, 0, sizeof(out->dst));
    memcpy(out->src, s.p + 12, 4);
    memcpy(out->dst, s.p + 16, 4);
    /* More fragments or an offset: not reassembled here. */
    if (get16(s.p + 6) & 0x3FFF)
        return DECODE_FRAGMENT;
    return decode_next(s.p[9], advance(limit(s, total), ihl), depth, out);
}

static decode_result_t
decode_ipv6(span_t s, int depth, tcp_packet_facts_t *out)
{
    uint32_t plen;
    uint8_t  next;

    if (s.cap < 40)
        return DECODE_BAD_IP;
    plen = get16(s.p + 4);
    next = s.p[6];
    out->family = 6;
    memcpy(out->src, s.p + 8, 16);
    memcpy(out->dst, s.p + 24, 16);
    s = advance(s, 40);
    if (plen != 0) /* 0: jumbogram or TSO, the frame decides */
        s = limit(s, plen);
    if (depth == 0)
        out->ip_bytes = 40 + s.rep;
    /* Extension headers, RFC 8200 section 4 (AH: RFC 4302, length in
     * 4-byte units). */
    for (int i = 0; i < 16; i++) {
        uint32_t len;

        switch (next) {
        case 0:   /* hop-by-hop */
        case 43:  /* routing */
        case 60:  /* destination options */
        case 135: /* mobility */
        case 139: /* HIP */
        case 140: /* shim6 */
            if (s.cap < 8)
                return DECODE_BAD_IP;
            len = ((uint32_t)s.p[1] + 1) * 8;
            break;
        case 51: /* AH */
            if (s.cap < 8)
                return DECODE_BAD_IP;
            len = ((uint32_t)s.p[1] + 2) * 4;
            break;
        case 44: /* fragment */
            if (s.cap < 8)
                return DECODE_BAD_IP;
            /* An atomic fragment (offset 0, no more) is a whole datagram. */
            if (get16(s.p + 2) & 0xFFF9)
                return DECODE_FRAGMENT;
            len = 8;
            break;
        default: return decode_next(next, s, depth, out);
        }
        if (s.cap < len)
            return DECODE_BAD_IP;
        next = s.p[0];
        s = advance(s, len);
    }
    return DECODE_BAD_IP;
}

static decode_result_t
decode_ip(span_t s, int depth, tcp_packet_facts_t *out)
{
    if (s.cap < 1)
        return DECODE_BAD_IP;
    /* Like Wireshark's IP dissector: the version nibble decides. */
    switch (s.p[0] >> 4) {
    case 4: return decode_ipv4(s, depth, out);
    case 6: return decode_ipv6(s, depth, out);
    default: return DECODE_BAD_IP;
    }
}

static decode_result_t
decode_ethertype(uint16_t type, span_t s, tcp_packet_facts_t *out)
{
    if (type == ETHERTYPE_IPV4 || type == ETHERTYPE_IPV6)
        return decode_ip(s, 0, out);
    return DECODE_NOT_IP;
}

static decode_result_t
decode_ethernet(span_t s, tcp_packet_facts_t *out)
{
    uint16_t type;

    if (s.cap < 14)
        return DECODE_TRUNCATED_LINK;
    type = get16(s.p + 12);
    s = advance(s, 14);
    /* 802.1Q, 802.1ad and the older QinQ tag, stacked any number of times. */
    while (type == ETHERTYPE_VLAN || type == ETHERTYPE_QINQ || type == ETHERTYPE_QINQ_OLD) {
        if (s.cap < 4)
            return DECODE_TRUNCATED_LINK;
        type = get16(s.p + 2);
        s = advance(s, 4);
    }
    if (type == ETHERTYPE_PPPOES) {
        uint16_t ppp;

        if (s.cap < 8)
            return DECODE_TRUNCATED_LINK;
        ppp = get16(s.p + 6);
        s = limit(advance(s, 8), get16(s.p + 4) >= 2 ? get16(s.p + 4) - 2u : 0u);
        if (ppp == 0x0021 || ppp == 0x0057)
            return decode_ip(s, 0, out);
        return DECODE_NOT_IP;
    }
    return decode_ethertype(type, s, out);
}

/* BSD address families that mean IPv4 or IPv6 (every BSD numbers AF_INET6
 * its own way; Linux uses 10). */
static decode_result_t
decode_family(uint32_t af, span_t s, tcp_packet_facts_t *out)
{
    switch (af) {
    case 2:
    case 10:
    case 24:
    case 28:
    case 30: return decode_ip(s, 0, out);
    default: return DECODE_NOT_IP;
    }
}

decode_result_t
decode_frame(link_type_t link, const uint8_t *data, uint32_t caplen, uint32_t wire_len,
             tcp_packet_facts_t *out)
{
    span_t s;

    s.p = data;
    s.cap = caplen;
    s.rep = wire_len > caplen ? wire_len : caplen;
    memset(out, 0, sizeof(*out));
    switch (link) {
    case LINK_ETHERNET: return decode_ethernet(s, out);
    case LINK_RAW_IP: return decode_ip(s, 0, out);
    case LINK_RAW_IP4:
        return s.cap > 0 && (s.p[0] >> 4) == 4 ? decode_ipv4(s, 0, out) : DECODE_BAD_IP;
    case LINK_RAW_IP6:
        return s.cap > 0 && (s.p[0] >> 4) == 6 ? decode_ipv6(s, 0, out) : DECODE_BAD_IP;
    case LINK_NULL: {
        uint32_t af;

        if (s.cap < 4)
            return DECODE_TRUNCATED_LINK;
        /* Host order of the capturing machine: the family fits in the
         * low 16 bits, so zero high bytes show which end they were. */
        if (s.p[0] == 0 && s.p[1] == 0)
            af = get32(s.p);
        else
            af = (uint32_t)s.p[0] | (uint32_t)s.p[1] << 8 | (uint32_t)s.p[2] << 16 |
                (uint32_t)s.p[3] << 24;
        return decode_family(af, advance(s, 4), out);
    }
    case LINK_LOOP:
        if (s.cap < 4)
            return DECODE_TRUNCATED_LINK;
        return decode_family(get32(s.p), advance(s, 4), out);
    case LINK_SLL:
        if (s.cap < 16)
            return DECODE_TRUNCATED_LINK;
        return decode_ethertype(get16(s.p + 14), advance(s, 16), out);
    case LINK_SLL2:
        if (s.cap < 20)
            return DECODE_TRUNCATED_LINK;
        return decode_ethertype(get16(s.p), advance(s, 20), out);
    case LINK_OTHER:
    default: return DECODE_OTHER_LINK;
    }
}

const char *
decode_result_name(decode_result_t result)
{
    static const char *const names[DECODE_RESULT_COUNT] = {
        "tcp",         "tcp_short", "tcp_bad_header", "not_ip",    "not_tcp",
        "ip_fragment", "bad_ip",    "truncated_link", "other_link"
    };

    return (unsigned)result < DECODE_RESULT_COUNT ? names[result] : "?";
}
