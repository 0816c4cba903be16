/* packet_facts.h
 * The one place that reads a packet's TCP facts out of epan.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef TCPPHASE_PACKET_FACTS_H
#define TCPPHASE_PACKET_FACTS_H

#include <epan/conversation.h>
#include <epan/packet.h>

/* What the TCP header of this packet said (the last TCP header when a
 * packet carries several, as in tunnels). Valid while that packet is
 * being dissected. */
typedef struct {
    address   src, dst; /* network addresses TCP saw */
    guint16   src_port, dst_port;
    guint16   flags;          /* TCP_FLAG_* incl. AE */
    guint32   seq, ack;       /* raw */
    guint32   payload_len;    /* as on the wire (reported length) */
    tvbuff_t *segment;        /* the TCP segment: header + payload */
    guint     payload_offset; /* where the payload starts in segment */
} tcp_facts_t;

/* The payload bytes the capture kept (may be fewer than payload_len). */
const guint8 *packet_facts_payload(const tcp_facts_t *facts, guint32 *captured_len);

/* Records Wireshark's TLS dissector decrypted in this packet (keys
 * available), in record order; *count = 0 when there are none. Returns an
 * array in pinfo->pool of (content type, plaintext) pairs. */
struct tls_plaintext_s;
const struct tls_plaintext_s *packet_facts_tls_plaintext(packet_info *pinfo, size_t *count);

/* Called from the protocol registration: file-scope state. */
void packet_facts_register_routines(void);

/* Called from the protocol handoff: puts the TCP header reader in front of
 * the TCP dissector. It reads nothing while proto_tcpphase is disabled. */
void packet_facts_register(int proto_tcpphase);

/* The facts of this packet's last TCP header, or
 * NULL if it has none. */
const tcp_facts_t *packet_facts_get(packet_info *pinfo);

/* The conversation the TCP dissector used for this packet, and the
 * tcp.stream it gave it; NULL if TCP made none. A hash lookup: callers
 * keep what they can (phase_analysis.c). */
conversation_t *packet_facts_tcp_conversation(packet_info *pinfo, const tcp_facts_t *facts,
                                              guint32 *stream);

#endif /* TCPPHASE_PACKET_FACTS_H */
