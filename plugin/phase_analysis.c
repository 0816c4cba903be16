/* phase_analysis.c
 * From packet facts to stored results: the TCP phase machine and the TLS
 * stage machine run over each TCP packet once, in capture order; the
 * results are kept for the re-dissections that follow (docs/design.md,
 * "Data path").
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config_tcpphase.h"

#include <epan/conversation.h>
#include <string.h>

#include <wsutil/wmem/wmem.h>

#include "endpoint_pair.h"
#include "packet_facts.h"
#include "phase_analysis.h"
#include "tcp_flags.h"

static int proto_tcpphase = -1;

/* Per-packet results by frame number, in chunks allocated as TCP packets
 * come (cheaper than a p_add_proto_data entry per packet); file scope. */
#define PACKET_CHUNK_BITS 12
#define PACKET_CHUNK_SIZE (1u << PACKET_CHUNK_BITS)
static wmem_array_t *packet_chunks; /* of tcpphase_packet_t * */

static void
phase_analysis_init(void)
{
    packet_chunks = wmem_array_new(wmem_file_scope(), sizeof(tcpphase_packet_t *));
}

static void
phase_analysis_cleanup(void)
{
    packet_chunks = NULL;
}

/* The record of the conversation last seen on each TCP endpoint pair, so
 * that most packets need no second conversation lookup after TCP's own
 * (a find_conversation and a proto-data lookup cost ~1,100 instructions a
 * packet, docs/performance.md). The record itself belongs to TCP's
 * conversation; this only remembers where it is. An entry is trusted
 * only while that conversation is the one TCP used for this very frame
 * (find_conversation marks it with the frame in last_frame) and the
 * packet is no SYN (TCP starts a new conversation on a reused port pair
 * at a SYN); otherwise the lookup is done and the entry refreshed. */
typedef struct {
    endpoint_pair_t  key;
    tcpphase_conv_t *conv;
} pair_entry_t;

static wmem_map_t *records_by_pair;

static guint
pair_key_hash(gconstpointer k)
{
    return endpoint_pair_hash((const endpoint_pair_t *)k);
}

static gboolean
pair_key_equal(gconstpointer a, gconstpointer b)
{
    return endpoint_pair_equal((const endpoint_pair_t *)a, (const endpoint_pair_t *)b);
}

/* FALSE for addresses that do not fit the key (not IPv4/IPv6-sized). */
static gboolean
make_endpoint_pair(const tcp_facts_t *facts, endpoint_pair_t *pair)
{
    if (facts->src.type != facts->dst.type || facts->src.len != facts->dst.len ||
        facts->src.len <= 0 || facts->src.len > 16)
        return FALSE;
    endpoint_pair_make(pair, (guint32)facts->src.type << 8 | (guint32)facts->src.len,
                       (size_t)facts->src.len, (const guint8 *)facts->src.data, facts->src_port,
                       (const guint8 *)facts->dst.data, facts->dst_port);
    return TRUE;
}

void
phase_analysis_register(int proto)
{
    proto_tcpphase = proto;
    records_by_pair =
        wmem_map_new_autoreset(wmem_epan_scope(), wmem_file_scope(), pair_key_hash, pair_key_equal);
    register_init_routine(phase_analysis_init);
    register_cleanup_routine(phase_analysis_cleanup);
    packet_facts_register_routines();
}

/* The stored result of frame num, or NULL. */
static tcpphase_packet_t *
stored_packet(guint32 num)
{
    guint               chunk = num >> PACKET_CHUNK_BITS;
    tcpphase_packet_t **chunks;

    if (packet_chunks == NULL || chunk >= wmem_array_get_count(packet_chunks))
        return NULL;
    chunks = (tcpphase_packet_t **)wmem_array_get_raw(packet_chunks);
    if (chunks[chunk] == NULL || chunks[chunk][num & (PACKET_CHUNK_SIZE - 1)].conv == NULL)
        return NULL;
    return &chunks[chunk][num & (PACKET_CHUNK_SIZE - 1)];
}

/* A zeroed slot for frame num's result. */
static tcpphase_packet_t *
new_stored_packet(guint32 num)
{
    guint               chunk = num >> PACKET_CHUNK_BITS;
    tcpphase_packet_t **chunks;
    tcpphase_packet_t  *none = NULL;

    while (wmem_array_get_count(packet_chunks) <= chunk)
        wmem_array_append_one(packet_chunks, none);
    chunks = (tcpphase_packet_t **)wmem_array_get_raw(packet_chunks);
    if (chunks[chunk] == NULL)
        chunks[chunk] = wmem_alloc0_array(wmem_file_scope(), tcpphase_packet_t, PACKET_CHUNK_SIZE);
    return &chunks[chunk][num & (PACKET_CHUNK_SIZE - 1)];
}

/* The record of TCP's conversation tcp_conv, stream `stream`. A reused
 * port pair normally gets a new conversation from TCP; where TCP keeps the
 * old one and gives it a new stream index, the record starts again too. */
static tcpphase_conv_t *
conv_record(conversation_t *tcp_conv, guint32 stream, const tcp_facts_t *facts)
{
    tcpphase_conv_t *conv;

    conv = (tcpphase_conv_t *)conversation_get_proto_data(tcp_conv, proto_tcpphase);
    if (conv == NULL || conv->stream != stream) {
        conv = wmem_new0(wmem_file_scope(), tcpphase_conv_t);
        conv->tcp_conv = tcp_conv;
        conv->stream = stream;
        copy_address_wmem(wmem_file_scope(), &conv->first_src, &facts->src);
        copy_address_wmem(wmem_file_scope(), &conv->first_dst, &facts->dst);
        conv->first_src_port = facts->src_port;
        conv->first_dst_port = facts->dst_port;
        tp_conv_init(&conv->tcp);
        conv->state = (guint8)tp_conv_state(&conv->tcp);
        conv->tls_result = TLS_RESULT_NONE;
        conversation_add_proto_data(tcp_conv, proto_tcpphase, conv);
    }
    return conv;
}

/* This packet's conversation record, through the endpoint-pair entry when
 * it is still good. */
static tcpphase_conv_t *
find_conv_record(packet_info *pinfo, const tcp_facts_t *facts)
{
    endpoint_pair_t pair;
    pair_entry_t   *entry = NULL;
    conversation_t *tcp_conv;
    guint32         stream;
    gboolean        cacheable = make_endpoint_pair(facts, &pair);

    if (cacheable) {
        entry = (pair_entry_t *)wmem_map_lookup(records_by_pair, &pair);
        if (entry != NULL && !(facts->flags & TCP_FLAG_SYN) &&
            entry->conv->tcp_conv->last_frame == pinfo->num)
            return entry->conv;
    }
    tcp_conv = packet_facts_tcp_conversation(pinfo, facts, &stream);
    if (tcp_conv == NULL)
        return NULL;
    if (!cacheable)
        return conv_record(tcp_conv, stream, facts);
    if (entry == NULL) {
        entry = wmem_new(wmem_file_scope(), pair_entry_t);
        entry->key = pair;
        wmem_map_insert(records_by_pair, &entry->key, entry);
    }
    entry->conv = conv_record(tcp_conv, stream, facts);
    return entry->conv;
}

/* Nanoseconds since the epoch, clamped (tp_time.h). */
static tp_time_t
frame_time(const packet_info *pinfo)
{
    return tp_time_from_timestamp((int64_t)pinfo->abs_ts.secs, pinfo->abs_ts.nsecs);
}

/* The TLS machine's memory lives as long as the capture file. */
static void *
tls_file_alloc(void *ctx _U_, size_t size)
{
    return wmem_alloc(wmem_file_scope(), size);
}

static void
tls_file_release(void *ctx _U_, void *ptr)
{
    wmem_free(wmem_file_scope(), ptr);
}

static const tls_allocator_t tls_file_allocator = { tls_file_alloc, tls_file_release, NULL };

/* Walks the TLS records of the segment's payload. The walker is created
 * where TLS may start: a client segment beginning with a ClientHello (first
 * payload or after a plaintext prelude), or any payload of a conversation
 * picked up mid-stream (docs/spec.md section 4). */
static void
analyze_tls(packet_info *pinfo, const tcp_facts_t *facts, tcpphase_conv_t *conv,
            tcpphase_packet_t *pkt, tp_time_t ts)
{
    const tls_plaintext_t *plain;
    const guint8          *payload;
    guint32                captured;
    size_t                 plain_count;
    tls_packet_t           out;

    if (facts->payload_len == 0)
        return;
    payload = packet_facts_payload(facts, &captured);
    if (conv->tls == NULL) {
        gboolean first = !conv->tls_checked;

        conv->tls_checked = TRUE;
        if (!tls_segment_may_start(pkt->tcp.dir == TP_DIR_TO_SERVER, first, pkt->tcp.midstream,
                                   payload, captured))
            return;
        conv->tls = wmem_new(wmem_file_scope(), tls_conv_t);
        tls_conv_start(conv->tls, &tls_file_allocator, first, pkt->tcp.midstream);
    }
    plain = (const tls_plaintext_t *)packet_facts_tls_plaintext(pinfo, &plain_count);
    tls_conv_on_segment(conv->tls, pkt->tcp.dir == TP_DIR_TO_SERVER, facts->seq, payload, captured,
                        facts->payload_len, ts, plain, plain_count, &out);
    if (out.count > 0) {
        guint8 *stages = (guint8 *)wmem_alloc(wmem_file_scope(), out.count + out.alert_count);

        memcpy(stages, out.stages, out.count);
        memcpy(stages + out.count, out.alerts, out.alert_count);
        pkt->tls_count = out.count;
        pkt->tls_alert_count = out.alert_count;
        pkt->tls_stages = stages;
        pkt->tls_phase = (guint8)tls_packet_phase(&out);
    }
    if (out.failed_here)
        pkt->flags |= PACKET_TLS_FAILED_HERE;
}

static tls_result_t
conv_tls_result(const tcpphase_conv_t *conv)
{
    return conv->tls ? tls_conv_result(conv->tls) : TLS_RESULT_NONE;
}

/* Runs the machines over this packet. */
static tcpphase_packet_t *
analyze_packet(packet_info *pinfo, gboolean tls_enabled)
{
    const tcp_facts_t *facts;
    tcpphase_packet_t *pkt;
    tcpphase_conv_t   *conv;
    tp_segment_t       seg;

    facts = packet_facts_get(pinfo);
    if (facts == NULL)
        return NULL;
    conv = find_conv_record(pinfo, facts);
    if (conv == NULL)
        return NULL;

    seg.frame = pinfo->num;
    seg.ts = frame_time(pinfo);
    seg.flags = facts->flags;
    seg.seq = facts->seq;
    seg.ack = facts->ack;
    seg.payload_len = facts->payload_len;
    seg.src_port = facts->src_port;
    seg.dst_port = facts->dst_port;
    seg.from_first_sender =
        facts->src_port == conv->first_src_port && addresses_equal(&facts->src, &conv->first_src);

    pkt = new_stored_packet(pinfo->num);
    pkt->conv = conv;
    if (conv->tcp.packets == 0)
        pkt->flags |= PACKET_FIRST_OF_CONV;
    /* The verdicts after the previous packet, kept rather than worked
     * out again. */
    pkt->state_before = conv->state;
    pkt->tls_result_before = conv->tls_result;
    tp_conv_on_segment(&conv->tcp, &seg, &pkt->tcp);
    if (tls_enabled)
        analyze_tls(pinfo, facts, conv, pkt, seg.ts);
    if (conv->tls != NULL && (facts->flags & (TCP_FLAG_FIN | TCP_FLAG_RST)))
        tls_conv_on_close(conv->tls);
    pkt->state_after = conv->state = (guint8)tp_conv_state(&conv->tcp);
    pkt->tls_result_after = conv->tls_result = (guint8)conv_tls_result(conv);
    return pkt;
}

tcpphase_packet_t *
phase_analysis_packet(packet_info *pinfo, gboolean tls_enabled)
{
    tcpphase_packet_t *pkt = stored_packet(pinfo->num);

    /* Computed once, on the first (in-order) pass; later passes and the
     * GUI's re-dissections read the stored result. */
    if (pkt == NULL && !PINFO_FD_VISITED(pinfo))
        pkt = analyze_packet(pinfo, tls_enabled);
    return pkt;
}
