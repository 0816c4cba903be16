/* packet_facts.c
 * The one place that reads a packet's TCP facts out of epan.
 *
 * Why a reader in front of TCP rather than the "tcp" tap or wanted hfids:
 * tshark -2 runs its first pass without taps, so tap data is missing
 * exactly where the conversation-wide fields are gathered; wanted hfids
 * would make tshark build a protocol tree for every packet of every run
 * (+29% measured, see docs/design.md). Reading the header here works the
 * same in the GUI, in one-pass tshark and in both passes of tshark -2,
 * without a tree, for the price of a function call and a few loads.
 *
 * The reader takes TCP's place in the "ip.proto" table (which IPv4 and
 * IPv6 share), notes the header and hands the segment unchanged to the
 * handle that was there before. It has no protocol of its own, so the
 * layer list, Decode As and protocol enabling behave as before: TCP adds
 * its own layer and is skipped when disabled.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "packet_facts.h"

#include <epan/conversation.h>
#include <epan/proto_data.h>
#include <epan/ipproto.h>
#include <epan/dissectors/packet-tcp.h>
#include <epan/dissectors/packet-tls-utils.h>

#include "tcp_flags.h"
#include "tls_stage.h"
#include "ws_compat.h"

#define TCP_MIN_HEADER_LEN 20

static int                proto_tcp = -1;
static int                proto_tls = -1;
static dissector_handle_t next_handle; /* what "ip.proto" 6 held before */

static const protocol_t *tcpphase_protocol; /* NULL before the handoff */

/* The facts of the packet being dissected. A packet is dissected to the
 * end before the next one starts, so one slot stamped with its frame
 * does what a p_add_proto_data(pinfo->pool) entry would, for ~850 fewer
 * instructions per packet (docs/performance.md). Frame numbers start at
 * 1, and a new file restarts them: the stamp is cleared when one opens. */
static tcp_facts_t facts_slot;
static guint32     facts_frame;

static int
read_tcp_header(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data)
{
    guint header_len;

    /* Nothing at all while tcpphase is disabled (Analyze > Enabled
     * Protocols): TCP gets the segment as if the reader were not there. */
    if (tcpphase_protocol != NULL && proto_is_protocol_enabled(tcpphase_protocol) &&
        !pinfo->flags.in_error_pkt && tvb_captured_length(tvb) >= TCP_MIN_HEADER_LEN) {
        /* A TCP header quoted inside an ICMP error is not a packet of the
         * conversation; the header must be captured whole to be read. */
        header_len = (tvb_get_uint8(tvb, 12) >> 4) * 4;
        if (header_len >= TCP_MIN_HEADER_LEN && header_len <= tvb_reported_length(tvb)) {
            tcp_facts_t *facts = &facts_slot;

            copy_address_shallow(&facts->src, &pinfo->src);
            copy_address_shallow(&facts->dst, &pinfo->dst);
            facts->src_port = tvb_get_ntohs(tvb, 0);
            facts->dst_port = tvb_get_ntohs(tvb, 2);
            facts->seq = tvb_get_ntohl(tvb, 4);
            facts->ack = tvb_get_ntohl(tvb, 8);
            facts->flags = tvb_get_ntohs(tvb, 12) & 0x01FF;
            facts->payload_len = tvb_reported_length(tvb) - header_len;
            facts->segment = tvb;
            facts->payload_offset = header_len;
            /* The last TCP header of the packet wins (tunnels). */
            facts_frame = pinfo->num;
        }
    }
    return call_dissector_only(next_handle, tvb, pinfo, tree, data);
}

static void
packet_facts_init(void)
{
    facts_frame = 0;
}

void
packet_facts_register(int proto_tcpphase)
{
    dissector_table_t ip_proto_table = find_dissector_table("ip.proto");

    proto_tcp = proto_get_id_by_filter_name("tcp");
    proto_tls = proto_get_id_by_filter_name("tls");
    next_handle = dissector_get_uint_handle(ip_proto_table, IP_PROTO_TCP);
    if (next_handle == NULL)
        next_handle = find_dissector("tcp");
    if (next_handle == NULL || proto_tcp < 0)
        return;
    tcpphase_protocol = find_protocol_by_id(proto_tcpphase);
    dissector_add_uint(
        "ip.proto", IP_PROTO_TCP,
        create_dissector_handle_with_name_and_description(
            read_tcp_header, -1, "tcpphase_tcp_reader", "TCP (header noted by tcpphase)"));
}

void
packet_facts_register_routines(void)
{
    register_init_routine(packet_facts_init);
}

const tcp_facts_t *
packet_facts_get(packet_info *pinfo)
{
    return facts_frame == pinfo->num ? &facts_slot : NULL;
}

conversation_t *
packet_facts_tcp_conversation(packet_info *pinfo, const tcp_facts_t *facts, guint32 *stream)
{
    conversation_t      *conv;
    struct tcp_analysis *tcpd;

    /* The same lookup the TCP dissector made for this frame, so a reused
     * port pair gets the new conversation TCP made for it. Read-only. */
    conv = find_conversation(pinfo->num, &facts->src, &facts->dst, CONVERSATION_TCP,
                             facts->src_port, facts->dst_port, 0);
    if (conv == NULL)
        return NULL;
    tcpd = (struct tcp_analysis *)conversation_get_proto_data(conv, proto_tcp);
    if (tcpd == NULL)
        return NULL;
    *stream = tcpd->stream;
    return conv;
}

const guint8 *
packet_facts_payload(const tcp_facts_t *facts, guint32 *captured_len)
{
    guint captured = tvb_captured_length(facts->segment);

    if (captured <= facts->payload_offset) {
        *captured_len = 0;
        return NULL;
    }
    *captured_len = captured - facts->payload_offset;
    return tvb_get_ptr(facts->segment, facts->payload_offset, *captured_len);
}

const struct tls_plaintext_s *
packet_facts_tls_plaintext(packet_info *pinfo, size_t *count)
{
    SslPacketInfo   *pi;
    SslRecordInfo   *rec;
    tls_plaintext_t *out;
    unsigned         key, first_key, last_key;
    size_t           n = 0;

    *count = 0;
    if (proto_tls < 0)
        return NULL;
    /* The TLS dissector keeps the records it decrypted in file scope, one
     * SslPacketInfo per TLS layer of the frame; layers come in stream
     * order, and so do the records within one. */
    first_key = tp_tls_record_keys(pinfo, proto_tls, &last_key);
    for (key = first_key; key <= last_key; key++) {
        pi = (SslPacketInfo *)p_get_proto_data(wmem_file_scope(), pinfo, proto_tls, key);
        for (rec = pi != NULL ? pi->records : NULL; rec != NULL; rec = rec->next)
            n++;
    }
    if (n == 0)
        return NULL;
    out = wmem_alloc_array(pinfo->pool, tls_plaintext_t, n);
    n = 0;
    for (key = first_key; key <= last_key; key++) {
        pi = (SslPacketInfo *)p_get_proto_data(wmem_file_scope(), pinfo, proto_tls, key);
        for (rec = pi != NULL ? pi->records : NULL; rec != NULL; rec = rec->next) {
            out[n].content_type = (uint8_t)rec->type;
            out[n].data = rec->plain_data;
            out[n].len = rec->data_len;
            n++;
        }
    }
    *count = n;
    return (const struct tls_plaintext_s *)out;
}
