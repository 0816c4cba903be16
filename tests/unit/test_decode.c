/* test_decode.c
 * Unit tests of tcpphase-batch's frame decoder on hand-built frames.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <stdint.h>
#include <string.h>

#include "check.h"
#include "decode.h"

static uint8_t frame[2048];

/* A 20-byte TCP header (data offset doff words) and len payload bytes. */
static size_t
put_tcp(uint8_t *p, uint16_t sport, uint16_t dport, uint32_t seq, uint16_t flags, unsigned doff,
        size_t len)
{
    memset(p, 0, doff * 4 + len);
    p[0] = (uint8_t)(sport >> 8);
    p[1] = (uint8_t)sport;
    p[2] = (uint8_t)(dport >> 8);
    p[3] = (uint8_t)dport;
    p[4] = (uint8_t)(seq >> 24);
    p[5] = (uint8_t)(seq >> 16);
    p[6] = (uint8_t)(seq >> 8);
    p[7] = (uint8_t)seq;
    p[12] = (uint8_t)(doff << 4 | (flags >> 8));
    p[13] = (uint8_t)flags;
    for (size_t i = 0; i < len; i++)
        p[doff * 4 + i] = (uint8_t)('a' + i % 26);
    return doff * 4 + len;
}

static size_t
put_ipv4(uint8_t *p, uint8_t proto, size_t payload_len, uint16_t frag)
{
    size_t total = 20 + payload_len;

    memset(p, 0, 20);
    p[0] = 0x45;
    p[2] = (uint8_t)(total >> 8);
    p[3] = (uint8_t)total;
    p[6] = (uint8_t)(frag >> 8);
    p[7] = (uint8_t)frag;
    p[8] = 64;
    p[9] = proto;
    p[12] = 192;
    p[13] = 0;
    p[14] = 2;
    p[15] = 1;
    p[16] = 192;
    p[17] = 0;
    p[18] = 2;
    p[19] = 2;
    return 20;
}

static size_t
put_eth(uint8_t *p, uint16_t type)
{
    memset(p, 0, 12);
    p[12] = (uint8_t)(type >> 8);
    p[13] = (uint8_t)type;
    return 14;
}

static void
test_ethernet_ipv4_padding(void)
{
    tcp_packet_facts_t f;
    size_t             off = put_eth(frame, 0x0800);
    size_t             tcp_len;

    off += put_ipv4(frame + off, 6, 20 + 2, 0x4000);
    tcp_len = put_tcp(frame + off, 1234, 80, 0x01020304, TCP_FLAG_SYN | TCP_FLAG_ACK, 5, 2);
    /* 14 + 20 + 22 = 56 bytes, padded to 60 on the wire. */
    memset(frame + off + tcp_len, 0xEE, 4);
    CHECK(decode_frame(LINK_ETHERNET, frame, 60, 60, &f) == DECODE_TCP);
    CHECK(f.family == 4 && f.src[3] == 1 && f.dst[3] == 2);
    CHECK(f.src_port == 1234 && f.dst_port == 80 && f.seq == 0x01020304);
    CHECK(f.flags == (TCP_FLAG_SYN | TCP_FLAG_ACK));
    CHECK(f.payload_len == 2 && f.payload_captured == 2 && f.payload[0] == 'a');
    CHECK(f.ip_bytes == 42);
}

static void
test_vlan_qinq_and_snaplen(void)
{
    tcp_packet_facts_t f;
    size_t             off;

    memset(frame, 0, 12);
    frame[12] = 0x88;
    frame[13] = 0xA8;
    frame[16] = 0x81;
    frame[17] = 0x00;
    frame[20] = 0x08;
    frame[21] = 0x00;
    off = 22;
    off += put_ipv4(frame + off, 6, 32 + 100, 0);
    off += put_tcp(frame + off, 5, 6, 7, TCP_FLAG_ACK, 8, 100);
    /* Captured up to 10 payload bytes; 100 on the wire. */
    CHECK(decode_frame(LINK_ETHERNET, frame, 22 + 20 + 32 + 10, (uint32_t)off, &f) == DECODE_TCP);
    CHECK(f.header_len == 32 && f.payload_len == 100 && f.payload_captured == 10);
}

static void
test_fragments_and_others(void)
{
    tcp_packet_facts_t f;
    size_t             off = put_eth(frame, 0x0800);

    put_ipv4(frame + off, 6, 40, 0x2000); /* more fragments */
    CHECK(decode_frame(LINK_ETHERNET, frame, 74, 74, &f) == DECODE_FRAGMENT);
    put_ipv4(frame + off, 6, 40, 0x0010); /* an offset */
    CHECK(decode_frame(LINK_ETHERNET, frame, 74, 74, &f) == DECODE_FRAGMENT);
    put_ipv4(frame + off, 17, 40, 0);
    CHECK(decode_frame(LINK_ETHERNET, frame, 74, 74, &f) == DECODE_NOT_TCP);
    put_eth(frame, 0x0806);
    CHECK(decode_frame(LINK_ETHERNET, frame, 60, 60, &f) == DECODE_NOT_IP);
    CHECK(decode_frame(LINK_ETHERNET, frame, 10, 60, &f) == DECODE_TRUNCATED_LINK);
    CHECK(decode_frame(LINK_OTHER, frame, 60, 60, &f) == DECODE_OTHER_LINK);
}

static void
test_bad_tcp_headers(void)
{
    tcp_packet_facts_t f;
    size_t             off = put_ipv4(frame, 6, 20, 0);

    put_tcp(frame + off, 1, 2, 3, TCP_FLAG_SYN, 4, 0); /* offset 16 < 20 */
    CHECK(decode_frame(LINK_RAW_IP, frame, 40, 40, &f) == DECODE_TCP_BAD_HEADER);
    CHECK(f.src_port == 1 && f.flags == TCP_FLAG_SYN);
    put_tcp(frame + off, 1, 2, 3, TCP_FLAG_SYN, 6, 0); /* 24 > 20 on the wire */
    CHECK(decode_frame(LINK_RAW_IP, frame, 40, 40, &f) == DECODE_TCP_BAD_HEADER);
    put_tcp(frame + off, 1, 2, 3, TCP_FLAG_SYN, 5, 0);
    CHECK(decode_frame(LINK_RAW_IP, frame, 35, 40, &f) == DECODE_TCP_SHORT);
    /* 14 and 15 bytes: short, but the facts a conversation look-up needs
     * are there (4.6 numbers such a segment); 13: nothing. */
    CHECK(f.tcp_captured == 15 && f.src_port == 1 && f.dst_port == 2 && f.seq == 3);
    CHECK(f.flags == TCP_FLAG_SYN && f.header_len == 20 && f.segment_len == 20);
    CHECK(decode_frame(LINK_RAW_IP, frame, 34, 40, &f) == DECODE_TCP_SHORT);
    CHECK(f.tcp_captured == 14 && f.src_port == 1 && f.flags == TCP_FLAG_SYN);
    CHECK(decode_frame(LINK_RAW_IP, frame, 33, 40, &f) == DECODE_TCP_SHORT);
    CHECK(f.tcp_captured == 13 && f.src_port == 0 && f.flags == 0);
    CHECK(decode_frame(LINK_RAW_IP, frame, 36, 40, &f) == DECODE_TCP_BAD_HEADER);
    CHECK(f.tcp_captured == 16);
    CHECK(decode_frame(LINK_RAW_IP, frame, 38, 40, &f) == DECODE_TCP_BAD_HEADER);
    CHECK(decode_frame(LINK_RAW_IP, frame, 40, 40, &f) == DECODE_TCP);
}

static void
test_ipv6_extension_headers(void)
{
    tcp_packet_facts_t f;
    uint8_t           *p = frame;
    size_t             tcp_len;

    memset(p, 0, 40);
    p[0] = 0x60;
    p[6] = 0; /* hop-by-hop */
    p[8] = 0xfd;
    p[23] = 1;
    p[24] = 0xfd;
    p[39] = 2;
    /* hop-by-hop (8), routing (16), fragment atomic (8), AH (12), TCP */
    memset(p + 40, 0, 44);
    p[40] = 43;
    p[41] = 0;
    p[48] = 44;
    p[49] = 1;
    p[64] = 51;
    p[66] = 0;
    p[67] = 0;
    p[72] = 6;
    p[73] = 1;
    tcp_len = put_tcp(p + 84, 443, 50000, 9, TCP_FLAG_ACK, 5, 3);
    p[4] = (uint8_t)((44 + tcp_len) >> 8);
    p[5] = (uint8_t)(44 + tcp_len);
    CHECK(decode_frame(LINK_RAW_IP, frame, (uint32_t)(84 + tcp_len), (uint32_t)(84 + tcp_len),
                       &f) == DECODE_TCP);
    CHECK(f.family == 6 && f.src[15] == 1 && f.dst[15] == 2 && f.src_port == 443);
    CHECK(f.payload_len == 3);
    p[67] = 8; /* a real fragment offset */
    CHECK(decode_frame(LINK_RAW_IP6, frame, (uint32_t)(84 + tcp_len), (uint32_t)(84 + tcp_len),
                       &f) == DECODE_FRAGMENT);
}

static void
test_cooked_and_loopback(void)
{
    tcp_packet_facts_t f;
    uint8_t           *p = frame;
    size_t             len;

    /* Linux SLL: protocol at 14. */
    memset(p, 0, 16);
    p[14] = 0x08;
    len = 16 + put_ipv4(p + 16, 6, 20, 0);
    len += put_tcp(p + len, 1, 2, 3, TCP_FLAG_SYN, 5, 0);
    CHECK(decode_frame(LINK_SLL, frame, (uint32_t)len, (uint32_t)len, &f) == DECODE_TCP);
    /* SLL2: protocol first, 20-byte header. */
    memmove(p + 20, p + 16, len - 16);
    memset(p, 0, 20);
    p[0] = 0x08;
    CHECK(decode_frame(LINK_SLL2, frame, (uint32_t)(len + 4), (uint32_t)(len + 4), &f) ==
          DECODE_TCP);
    /* BSD null, little-endian AF_INET; OpenBSD loop, big-endian. */
    memmove(p + 4, p + 20, len - 16);
    p[0] = 2;
    p[1] = 0;
    p[2] = 0;
    p[3] = 0;
    CHECK(decode_frame(LINK_NULL, frame, (uint32_t)(len - 12), (uint32_t)(len - 12), &f) ==
          DECODE_TCP);
    p[0] = 0;
    p[3] = 2;
    CHECK(decode_frame(LINK_NULL, frame, (uint32_t)(len - 12), (uint32_t)(len - 12), &f) ==
          DECODE_TCP);
    CHECK(decode_frame(LINK_LOOP, frame, (uint32_t)(len - 12), (uint32_t)(len - 12), &f) ==
          DECODE_TCP);
    p[3] = 7;
    CHECK(decode_frame(LINK_LOOP, frame, (uint32_t)(len - 12), (uint32_t)(len - 12), &f) ==
          DECODE_NOT_IP);
}

static void
test_tunnel_last_header_wins(void)
{
    tcp_packet_facts_t f;
    size_t             off = put_ipv4(frame, 4, 20 + 20, 0); /* IPv4 in IPv4 */

    off += put_ipv4(frame + off, 6, 20, 0);
    frame[off - 1] = 9; /* inner destination 192.0.2.9 */
    put_tcp(frame + off, 7, 8, 1, TCP_FLAG_ACK, 5, 0);
    CHECK(decode_frame(LINK_RAW_IP4, frame, 60, 60, &f) == DECODE_TCP);
    CHECK(f.dst[3] == 9 && f.ip_bytes == 60);
}

int
main(void)
{
    test_ethernet_ipv4_padding();
    test_vlan_qinq_and_snaplen();
    test_fragments_and_others();
    test_bad_tcp_headers();
    test_ipv6_extension_headers();
    test_cooked_and_loopback();
    test_tunnel_last_header_wins();
    return check_report();
}
