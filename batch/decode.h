/* decode.h
 * Link layer -> IPv4/IPv6 -> TCP header, for tcpphase-batch: the facts the
 * machines need from one captured frame, read the way Wireshark's
 * dissectors would read them (docs/spec.md section 2, docs/batch.md).
 *
 * Pure C: no wiretap or epan headers, so it can be unit-tested on its own.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef TCPPHASE_BATCH_DECODE_H
#define TCPPHASE_BATCH_DECODE_H

#include <stdbool.h>
#include <stdint.h>

/* The link types the decoder reads (the caller maps wiretap's encapsulation
 * numbers onto these in one place). */
typedef enum {
    LINK_OTHER = 0,
    LINK_ETHERNET, /* Ethernet II, 802.1Q/802.1ad/QinQ tags, PPPoE session */
    LINK_RAW_IP,   /* no link header: IPv4 or IPv6 by the version nibble */
    LINK_RAW_IP4,
    LINK_RAW_IP6,
    LINK_NULL, /* BSD loopback: 4-byte address family, host order */
    LINK_LOOP, /* OpenBSD loopback: 4-byte address family, big-endian */
    LINK_SLL,  /* Linux cooked v1 */
    LINK_SLL2  /* Linux cooked v2 */
} link_type_t;

/* What became of a frame. */
typedef enum {
    DECODE_TCP = 0,        /* a TCP header was read: facts filled */
    DECODE_TCP_SHORT,      /* TCP, but fewer than 16 header bytes captured
                            * (facts filled from 14 on) */
    DECODE_TCP_BAD_HEADER, /* TCP with a data offset < 20 or past the segment,
                            * or its first 20 bytes not captured */
    DECODE_NOT_IP,         /* a link type we read, carrying no IPv4/IPv6 */
    DECODE_NOT_TCP,        /* IP carrying another protocol */
    DECODE_FRAGMENT,       /* an IP fragment: counted and skipped */
    DECODE_BAD_IP,         /* truncated or impossible IP header */
    DECODE_TRUNCATED_LINK, /* link header cut short */
    DECODE_OTHER_LINK,     /* a link type the decoder does not read */
    DECODE_RESULT_COUNT
} decode_result_t;

typedef struct {
    uint8_t        family;           /* 4 or 6 */
    uint8_t        src[16], dst[16]; /* IPv4 uses the first 4 bytes */
    uint16_t       src_port, dst_port;
    uint16_t       flags; /* TCP_FLAG_* incl. AE (9 bits) */
    uint32_t       seq, ack;
    uint32_t       header_len;       /* TCP data offset in bytes */
    uint32_t       segment_len;      /* TCP header + payload on the wire */
    uint32_t       payload_len;      /* on the wire: IP length minus headers */
    const uint8_t *payload;          /* captured payload bytes, or NULL */
    uint32_t       payload_captured; /* <= payload_len */
    uint32_t       ip_bytes;         /* IP total length (outermost IP header) */
    uint32_t       tcp_captured;     /* TCP bytes captured, header included */
} tcp_packet_facts_t;

/* data/caplen: the captured bytes; wire_len: the frame's length on the
 * wire. The last TCP header of the frame wins (IP-in-IP tunnels). For
 * DECODE_TCP_BAD_HEADER, and for DECODE_TCP_SHORT with tcp_captured of 14
 * or more, addresses, ports, seq, ack, flags and lengths are filled: the
 * TCP dissector may still number such a packet's conversation
 * (stream_rules.h). */
decode_result_t decode_frame(link_type_t link, const uint8_t *data, uint32_t caplen,
                             uint32_t wire_len, tcp_packet_facts_t *out);

const char *decode_result_name(decode_result_t result);

#endif /* TCPPHASE_BATCH_DECODE_H */
