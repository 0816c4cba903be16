/* packet_facts.h
 * The one place that reads a packet's TCP facts out of epan.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef TCPPHASE_PACKET_FACTS_H
#define TCPPHASE_PACKET_FACTS_H

#include <epan/packet.h>

/* What the TCP header of this packet said (the last TCP header when a
 * packet carries several, as in tunnels). Valid while that packet is
 * being dissected. */
typedef struct {
    address    src, dst;        /* network addresses TCP saw */
    guint16    src_port, dst_port;
    guint16    flags;           /* TCP_FLAG_* incl. AE */
    guint32    seq, ack;        /* raw */
    guint32    payload_len;     /* as on the wire (reported length) */
    tvbuff_t  *segment;         /* the TCP segment: header + payload */
    guint      payload_offset;  /* where the payload starts in segment */
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
 * the TCP dissector. */
void packet_facts_register(void);

/* The facts of this packet's last TCP header, or NULL if it has none. */
const tcp_facts_t *packet_facts_get(packet_info *pinfo);

/* The tcp.stream index that the TCP dissector gave this packet. *user is
 * set to a file-scope slot that stays with this stream's endpoint pair,
 * for the caller's own record of the stream, or to NULL. The slot is NULL
 * until the caller sets it and keeps its value when the pair moves to a
 * new stream (port reuse): check that the record is for *stream. */
gboolean packet_facts_stream(packet_info *pinfo, const tcp_facts_t *facts,
                             guint32 *stream, void ***user);

#endif /* TCPPHASE_PACKET_FACTS_H */
