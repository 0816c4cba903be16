/* tcpphase.c
 * Registration and post-dissector of tcpphase ("TCP Session Phase"): tags
 * every TCP packet with the phase of its conversation and its step in it.
 *
 * Packet facts come in through packet_facts.c, go through the pure
 * machines (tcp_phase.c, conn_state.c) and leave here as tree items.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config_tcpphase.h"

#include <epan/expert.h>
#include <epan/packet.h>
#include <epan/prefs.h>
#include <epan/tap.h>
#include <epan/proto_data.h>
#include <wsutil/wmem/wmem.h>

#include "packet_facts.h"
#include "tcp_flags.h"
#include "tcp_phase.h"
#include "tcpphase.h"

static int proto_tcpphase = -1;

static int hf_tcpphase_dir = -1;
static int hf_tcpphase_step = -1;
static int hf_tcpphase_phase = -1;
static int hf_tcpphase_midstream = -1;
static int hf_tcpphase_phase_time = -1;
static int hf_tcpphase_phase_seq = -1;
static int hf_tcpphase_conv_state = -1;
static int hf_tcpphase_conv_history = -1;
static int hf_tcpphase_conv_complete = -1;
static int hf_tcpphase_conv_close = -1;
static int hf_tcpphase_conv_closer = -1;
static int hf_tcpphase_conv_handshake_rtt = -1;
static int hf_tcpphase_conv_ttfb = -1;
static int hf_tcpphase_conv_duration = -1;
static int hf_tcpphase_conv_syn_frame = -1;
static int hf_tcpphase_conv_established_frame = -1;
static int hf_tcpphase_conv_close_frame = -1;
static int hf_tcpphase_conv_packets_handshake = -1;
static int hf_tcpphase_conv_packets_data = -1;
static int hf_tcpphase_conv_packets_teardown = -1;
static int hf_tcpphase_conv_bytes_to_server = -1;
static int hf_tcpphase_conv_bytes_to_client = -1;
static int hf_tcpphase_tls_stage = -1;
static int hf_tcpphase_tls_phase = -1;
static int hf_tcpphase_conv_tls_version = -1;
static int hf_tcpphase_conv_tls_sni = -1;
static int hf_tcpphase_conv_tls_established = -1;
static int hf_tcpphase_conv_tls_resumed = -1;
static int hf_tcpphase_conv_tls_handshake_time = -1;
static int hf_tcpphase_conv_tls_result = -1;

static gint ett_tcpphase = -1;
static gint ett_tcpphase_conv = -1;

static expert_field ei_tcpphase_refused = EI_INIT;
static expert_field ei_tcpphase_unanswered = EI_INIT;
static expert_field ei_tcpphase_abort = EI_INIT;
static expert_field ei_tcpphase_data_after_fin = EI_INIT;
static expert_field ei_tcpphase_midstream_start = EI_INIT;
static expert_field ei_tcpphase_tls_failed = EI_INIT;

/* Preferences. */
static tp_pref_bool_t tcpphase_tls_enabled = TRUE;
static tp_pref_bool_t tcpphase_conv_summary = TRUE;

static dissector_handle_t tcpphase_handle;
static int tcpphase_tap = -1;

#define TP_VS_ENTRY(name, value, label) { name, label },
static const value_string tcpphase_dir_vals[] = { TP_DIR_LIST(TP_VS_ENTRY) { 0, NULL } };
static const value_string tcpphase_step_vals[] = { TP_STEP_LIST(TP_VS_ENTRY) { 0, NULL } };
static const value_string tcpphase_phase_vals[] = { TP_PHASE_LIST(TP_VS_ENTRY) { 0, NULL } };
static const value_string tcpphase_close_vals[] = { TP_CLOSE_LIST(TP_VS_ENTRY) { 0, NULL } };
static const value_string tcpphase_role_vals[] = { TP_ROLE_LIST(TP_VS_ENTRY) { 0, NULL } };
static const value_string tcpphase_tls_stage_vals[] = { TLS_STAGE_LIST(TP_VS_ENTRY) { 0, NULL } };
static const value_string tcpphase_tls_phase_vals[] = { TLS_PHASE_LIST(TP_VS_ENTRY) { 0, NULL } };
static const value_string tcpphase_tls_result_vals[] = { TLS_RESULT_LIST(TP_VS_ENTRY) { 0, NULL } };
static const value_string tcpphase_tls_version_vals[] = { TLS_VERSION_LIST(TP_VS_ENTRY) { 0, NULL } };

/* Conversations by tcp.stream; emptied when the capture file closes. */
static wmem_map_t *tcpphase_convs;

/* Per-packet results by frame number, in chunks allocated as TCP packets
 * come (cheaper than a p_add_proto_data entry per packet); file scope. */
#define PACKET_CHUNK_BITS 12
#define PACKET_CHUNK_SIZE (1u << PACKET_CHUNK_BITS)
static wmem_array_t *tcpphase_packet_chunks;  /* of tcpphase_packet_t * */

static void
tcpphase_init(void)
{
    tcpphase_packet_chunks = wmem_array_new(wmem_file_scope(), sizeof(tcpphase_packet_t *));
}

static void
tcpphase_cleanup(void)
{
    tcpphase_packet_chunks = NULL;
}

/* The stored result of frame num, or NULL. */
static tcpphase_packet_t *
stored_packet(guint32 num)
{
    guint chunk = num >> PACKET_CHUNK_BITS;
    tcpphase_packet_t **chunks;

    if (tcpphase_packet_chunks == NULL || chunk >= wmem_array_get_count(tcpphase_packet_chunks))
        return NULL;
    chunks = (tcpphase_packet_t **)wmem_array_get_raw(tcpphase_packet_chunks);
    if (chunks[chunk] == NULL || chunks[chunk][num & (PACKET_CHUNK_SIZE - 1)].conv == NULL)
        return NULL;
    return &chunks[chunk][num & (PACKET_CHUNK_SIZE - 1)];
}

/* A zeroed slot for frame num's result. */
static tcpphase_packet_t *
new_stored_packet(guint32 num)
{
    guint chunk = num >> PACKET_CHUNK_BITS;
    tcpphase_packet_t **chunks;
    tcpphase_packet_t *none = NULL;

    while (wmem_array_get_count(tcpphase_packet_chunks) <= chunk)
        wmem_array_append_one(tcpphase_packet_chunks, none);
    chunks = (tcpphase_packet_t **)wmem_array_get_raw(tcpphase_packet_chunks);
    if (chunks[chunk] == NULL)
        chunks[chunk] = wmem_alloc0_array(wmem_file_scope(), tcpphase_packet_t, PACKET_CHUNK_SIZE);
    return &chunks[chunk][num & (PACKET_CHUNK_SIZE - 1)];
}

static tcpphase_conv_t *
conv_for_stream(guint32 stream, const tcp_facts_t *facts)
{
    tcpphase_conv_t *conv;

    conv = (tcpphase_conv_t *)wmem_map_lookup(tcpphase_convs, GUINT_TO_POINTER(stream));
    if (conv == NULL) {
        conv = wmem_new0(wmem_file_scope(), tcpphase_conv_t);
        conv->stream = stream;
        copy_address_wmem(wmem_file_scope(), &conv->first_src, &facts->src);
        copy_address_wmem(wmem_file_scope(), &conv->first_dst, &facts->dst);
        conv->first_src_port = facts->src_port;
        conv->first_dst_port = facts->dst_port;
        tp_conv_init(&conv->tcp);
        conv->state = (guint8)tp_conv_state(&conv->tcp);
        conv->tls_result = TLS_RESULT_NONE;
        wmem_map_insert(tcpphase_convs, GUINT_TO_POINTER(stream), conv);
    }
    return conv;
}

/* Nanoseconds since the epoch. A capture may hold any timestamp (fuzzed
 * files do): seconds are clamped to +-(2^62 / 1e9) (years 1823 to 2116,
 * beyond pcap's own range) so that times and their differences fit in
 * 64 bits. */
#define FRAME_SECS_LIMIT G_GINT64_CONSTANT(4611686015)

static tp_time_t
frame_time(const packet_info *pinfo)
{
    gint64 secs = (gint64)pinfo->abs_ts.secs;
    gint64 nsecs = pinfo->abs_ts.nsecs;

    if (secs > FRAME_SECS_LIMIT)
        secs = FRAME_SECS_LIMIT;
    else if (secs < -FRAME_SECS_LIMIT)
        secs = -FRAME_SECS_LIMIT;
    if (nsecs < 0 || nsecs >= 1000000000)
        nsecs = 0;
    return (tp_time_t)(secs * 1000000000 + nsecs);
}

static void
tp_time_to_nstime(tp_time_t t, nstime_t *out)
{
    out->secs = (time_t)(t / 1000000000);
    out->nsecs = (int)(t % 1000000000);
    if (out->nsecs < 0) {
        out->secs -= 1;
        out->nsecs += 1000000000;
    }
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

/* Walks the TLS records of the segment's payload; a conversation whose
 * first payload is not a ClientHello is left alone from then on. */
static void
analyze_tls(packet_info *pinfo, const tcp_facts_t *facts, tcpphase_conv_t *conv,
            tcpphase_packet_t *pkt, tp_time_t time)
{
    const tls_plaintext_t *plain;
    const guint8 *payload;
    guint32 captured;
    size_t plain_count;
    tls_packet_t out;

    if (facts->payload_len == 0 || (conv->tls == NULL && conv->tls_checked))
        return;
    if (conv->tls == NULL) {
        conv->tls = wmem_new(wmem_file_scope(), tls_conv_t);
        tls_conv_init(conv->tls, &tls_file_allocator);
    }
    payload = packet_facts_payload(facts, &captured);
    plain = (const tls_plaintext_t *)packet_facts_tls_plaintext(pinfo, &plain_count);
    tls_conv_on_segment(conv->tls, pkt->tcp.dir == TP_DIR_TO_SERVER, facts->seq, payload,
                        captured, facts->payload_len, time, plain, plain_count, &out);
    if (!conv->tls_checked) {
        conv->tls_checked = TRUE;
        if (conv->tls->detect == TLS_DETECT_NO) {
            wmem_free(wmem_file_scope(), conv->tls);
            conv->tls = NULL;
            return;
        }
    }
    if (out.count > 0) {
        pkt->tls_count = out.count;
        pkt->tls_stages = (guint8 *)wmem_memdup(wmem_file_scope(), out.stages, out.count);
        pkt->tls_phase = (guint8)tls_packet_phase(&out);
    }
    if (out.failed_here)
        pkt->flags |= PACKET_TLS_FAILED_HERE;
}

/* Runs the machines over this packet, once, in capture order. */
static tcpphase_packet_t *
analyze_packet(packet_info *pinfo)
{
    const tcp_facts_t *facts;
    tcpphase_packet_t *pkt;
    tcpphase_conv_t *conv;
    tp_segment_t seg;
    guint32 stream;
    void **slot;

    facts = packet_facts_get(pinfo);
    if (facts == NULL || !packet_facts_stream(pinfo, facts, &stream, &slot))
        return NULL;
    conv = slot != NULL ? (tcpphase_conv_t *)*slot : NULL;
    if (conv == NULL || conv->stream != stream) {
        conv = conv_for_stream(stream, facts);
        if (slot != NULL)
            *slot = conv;
    }

    seg.frame = pinfo->num;
    seg.time = frame_time(pinfo);
    seg.flags = facts->flags;
    seg.seq = facts->seq;
    seg.ack = facts->ack;
    seg.payload_len = facts->payload_len;
    seg.src_port = facts->src_port;
    seg.dst_port = facts->dst_port;
    seg.from_first_sender = facts->src_port == conv->first_src_port &&
                            addresses_equal(&facts->src, &conv->first_src);

    pkt = new_stored_packet(pinfo->num);
    pkt->conv = conv;
    if (conv->tcp.packets == 0)
        pkt->flags |= PACKET_FIRST_OF_CONV;
    /* The verdicts after the previous packet, kept rather than worked
     * out again. */
    pkt->state_before = conv->state;
    pkt->tls_result_before = conv->tls_result;
    tp_conv_on_segment(&conv->tcp, &seg, &pkt->tcp);
    if (tcpphase_tls_enabled)
        analyze_tls(pinfo, facts, conv, pkt, seg.time);
    if (conv->tls != NULL && (facts->flags & (TCP_FLAG_FIN | TCP_FLAG_RST)))
        tls_conv_on_close(conv->tls);
    pkt->state_after = conv->state = (guint8)tp_conv_state(&conv->tcp);
    pkt->tls_result_after = conv->tls_result = (guint8)tcpphase_conv_tls_result(conv);
    return pkt;
}

static void
add_time_item(proto_tree *tree, int hf, tvbuff_t *tvb, tp_time_t t)
{
    nstime_t ns;

    tp_time_to_nstime(t, &ns);
    proto_item_set_generated(proto_tree_add_time(tree, hf, tvb, 0, 0, &ns));
}

static void
add_frame_item(proto_tree *tree, int hf, tvbuff_t *tvb, guint32 frame)
{
    if (frame != 0)
        proto_item_set_generated(proto_tree_add_uint(tree, hf, tvb, 0, 0, frame));
}

tls_result_t
tcpphase_conv_tls_result(const tcpphase_conv_t *conv)
{
    return conv->tls ? tls_conv_result(conv->tls) : TLS_RESULT_NONE;
}

static void
add_conv_tls_items(proto_tree *tree, tvbuff_t *tvb, const tls_conv_t *tls)
{
    tls_result_t result = tls ? tls_conv_result(tls) : TLS_RESULT_NONE;
    tls_time_t t;

    proto_item_set_generated(proto_tree_add_uint(tree, hf_tcpphase_conv_tls_result, tvb, 0, 0,
                                                 result));
    if (result == TLS_RESULT_NONE)
        return;
    if (tls->version != 0)
        proto_item_set_generated(proto_tree_add_uint(tree, hf_tcpphase_conv_tls_version, tvb,
                                                     0, 0, tls->version));
    if (tls->sni[0] != '\0')
        proto_item_set_generated(proto_tree_add_string(tree, hf_tcpphase_conv_tls_sni, tvb, 0, 0,
                                                       tls->sni));
    proto_item_set_generated(proto_tree_add_boolean(tree, hf_tcpphase_conv_tls_established,
                                                    tvb, 0, 0, tls->established));
    proto_item_set_generated(proto_tree_add_boolean(tree, hf_tcpphase_conv_tls_resumed, tvb,
                                                    0, 0, tls_conv_resumed(tls)));
    if (tls_conv_handshake_time(tls, &t))
        add_time_item(tree, hf_tcpphase_conv_tls_handshake_time, tvb, t);
}

/* The summary is ~25 items: build it only when it will be shown or a
 * filter, column or field output refers to one of them (tshark -T fields
 * or -Y on other fields builds a tree that would discard them). */
static gboolean
conv_items_wanted(proto_tree *tree)
{
    static int *const conv_hfs[] = {
        &hf_tcpphase_conv_state, &hf_tcpphase_conv_history, &hf_tcpphase_conv_complete,
        &hf_tcpphase_conv_close, &hf_tcpphase_conv_closer, &hf_tcpphase_conv_handshake_rtt,
        &hf_tcpphase_conv_ttfb, &hf_tcpphase_conv_duration, &hf_tcpphase_conv_syn_frame,
        &hf_tcpphase_conv_established_frame, &hf_tcpphase_conv_close_frame,
        &hf_tcpphase_conv_packets_handshake, &hf_tcpphase_conv_packets_data,
        &hf_tcpphase_conv_packets_teardown, &hf_tcpphase_conv_bytes_to_server,
        &hf_tcpphase_conv_bytes_to_client, &hf_tcpphase_conv_tls_version,
        &hf_tcpphase_conv_tls_sni, &hf_tcpphase_conv_tls_established,
        &hf_tcpphase_conv_tls_resumed, &hf_tcpphase_conv_tls_handshake_time,
        &hf_tcpphase_conv_tls_result,
    };

    if (PTREE_DATA(tree)->visible)
        return TRUE;
    for (size_t i = 0; i < G_N_ELEMENTS(conv_hfs); i++) {
        if (proto_field_is_referenced(tree, *conv_hfs[i]))
            return TRUE;
    }
    return FALSE;
}

/* The conversation as its record holds it now: the whole capture once the
 * first pass is over (GUI, tshark -2), as seen so far in one-pass tshark. */
static void
add_conv_items(proto_tree *tree, tvbuff_t *tvb, const tcpphase_conv_t *conv)
{
    const tp_conv_t *tcp = &conv->tcp;
    proto_item *ti;
    proto_tree *conv_tree;
    tp_time_t t;

    conv_tree = proto_tree_add_subtree_format(tree, tvb, 0, 0, ett_tcpphase_conv, &ti,
                                              "Conversation: %s, %s",
                                              conn_state_name(tp_conv_state(tcp)),
                                              tp_conv_history(tcp));
    proto_item_set_generated(ti);
    proto_item_set_generated(proto_tree_add_string(conv_tree, hf_tcpphase_conv_state, tvb,
                                                   0, 0, conn_state_name(tp_conv_state(tcp))));
    proto_item_set_generated(proto_tree_add_string(conv_tree, hf_tcpphase_conv_history, tvb,
                                                   0, 0, tp_conv_history(tcp)));
    proto_item_set_generated(proto_tree_add_boolean(conv_tree, hf_tcpphase_conv_complete, tvb,
                                                    0, 0, tp_conv_complete(tcp)));
    proto_item_set_generated(proto_tree_add_uint(conv_tree, hf_tcpphase_conv_close, tvb, 0, 0,
                                                 tp_conv_close(tcp)));
    if (tcp->closer != 0)
        proto_item_set_generated(proto_tree_add_uint(conv_tree, hf_tcpphase_conv_closer, tvb,
                                                     0, 0, tcp->closer));
    if (tp_conv_handshake_rtt(tcp, &t))
        add_time_item(conv_tree, hf_tcpphase_conv_handshake_rtt, tvb, t);
    if (tp_conv_ttfb(tcp, &t))
        add_time_item(conv_tree, hf_tcpphase_conv_ttfb, tvb, t);
    add_time_item(conv_tree, hf_tcpphase_conv_duration, tvb, tp_conv_duration(tcp));
    add_frame_item(conv_tree, hf_tcpphase_conv_syn_frame, tvb, tcp->syn_frame);
    add_frame_item(conv_tree, hf_tcpphase_conv_established_frame, tvb, tcp->established_frame);
    add_frame_item(conv_tree, hf_tcpphase_conv_close_frame, tvb, tcp->close_frame);
    proto_item_set_generated(proto_tree_add_uint(conv_tree, hf_tcpphase_conv_packets_handshake,
        tvb, 0, 0, tcp->phase_packets[TP_PHASE_HANDSHAKE - 1]));
    proto_item_set_generated(proto_tree_add_uint(conv_tree, hf_tcpphase_conv_packets_data,
        tvb, 0, 0, tcp->phase_packets[TP_PHASE_DATA - 1]));
    proto_item_set_generated(proto_tree_add_uint(conv_tree, hf_tcpphase_conv_packets_teardown,
        tvb, 0, 0, tcp->phase_packets[TP_PHASE_TEARDOWN - 1]));
    proto_item_set_generated(proto_tree_add_uint64(conv_tree, hf_tcpphase_conv_bytes_to_server,
        tvb, 0, 0, tcp->bytes_to_server));
    proto_item_set_generated(proto_tree_add_uint64(conv_tree, hf_tcpphase_conv_bytes_to_client,
        tvb, 0, 0, tcp->bytes_to_client));
    add_conv_tls_items(conv_tree, tvb, conv->tls);
}

static proto_item *
add_packet_items(proto_tree *tree, tvbuff_t *tvb, const tcpphase_packet_t *pkt)
{
    proto_item *top;
    proto_item *ti;
    proto_tree *phase_tree;
    nstime_t phase_time;

    top = proto_tree_add_item(tree, proto_tcpphase, tvb, 0, 0, ENC_NA);
    proto_item_append_text(top, ": %s, %s", tp_phase_name(pkt->tcp.phase),
                           tp_step_name(pkt->tcp.step));
    proto_item_set_generated(top);
    phase_tree = proto_item_add_subtree(top, ett_tcpphase);

    ti = proto_tree_add_uint(phase_tree, hf_tcpphase_dir, tvb, 0, 0, pkt->tcp.dir);
    proto_item_set_generated(ti);
    ti = proto_tree_add_uint(phase_tree, hf_tcpphase_step, tvb, 0, 0, pkt->tcp.step);
    proto_item_set_generated(ti);
    ti = proto_tree_add_uint(phase_tree, hf_tcpphase_phase, tvb, 0, 0, pkt->tcp.phase);
    proto_item_set_generated(ti);
    ti = proto_tree_add_boolean(phase_tree, hf_tcpphase_midstream, tvb, 0, 0,
                                pkt->tcp.midstream);
    proto_item_set_generated(ti);
    tp_time_to_nstime(pkt->tcp.phase_time, &phase_time);
    ti = proto_tree_add_time(phase_tree, hf_tcpphase_phase_time, tvb, 0, 0, &phase_time);
    proto_item_set_generated(ti);
    ti = proto_tree_add_uint(phase_tree, hf_tcpphase_phase_seq, tvb, 0, 0,
                             pkt->tcp.phase_seq);
    proto_item_set_generated(ti);
    for (guint i = 0; i < pkt->tls_count; i++) {
        ti = proto_tree_add_uint(phase_tree, hf_tcpphase_tls_stage, tvb, 0, 0,
                                 pkt->tls_stages[i]);
        proto_item_set_generated(ti);
    }
    if (pkt->tls_phase != 0) {
        ti = proto_tree_add_uint(phase_tree, hf_tcpphase_tls_phase, tvb, 0, 0, pkt->tls_phase);
        proto_item_set_generated(ti);
        proto_item_append_text(top, ", TLS %s", tls_stage_name(pkt->tls_stages[0]));
        if (pkt->tls_count > 1)
            proto_item_append_text(top, " +%u", pkt->tls_count - 1u);
    }
    if (tcpphase_conv_summary && conv_items_wanted(tree))
        add_conv_items(phase_tree, tvb, pkt->conv);
    return top;
}

static void
add_expert_items(packet_info *pinfo, proto_item *ti, const tcpphase_packet_t *pkt)
{
    const tp_conv_t *tcp = &pkt->conv->tcp;

    if (pkt->tcp.events & TP_EVENT_REFUSED)
        expert_add_info(pinfo, ti, &ei_tcpphase_refused);
    if (pkt->tcp.events & TP_EVENT_ABORT)
        expert_add_info(pinfo, ti, &ei_tcpphase_abort);
    if (pkt->tcp.events & TP_EVENT_DATA_AFTER_FIN)
        expert_add_info(pinfo, ti, &ei_tcpphase_data_after_fin);
    if (pkt->tcp.events & TP_EVENT_MIDSTREAM)
        expert_add_info(pinfo, ti, &ei_tcpphase_midstream_start);
    if (pkt->flags & PACKET_TLS_FAILED_HERE)
        expert_add_info(pinfo, ti, &ei_tcpphase_tls_failed);
    /* "Never answered" needs the end of the conversation: only once the
     * first pass has seen it all (GUI, tshark -2). */
    if (PINFO_FD_VISITED(pinfo) && pinfo->num == tcp->syn_frame && tp_conv_unanswered(tcp))
        expert_add_info(pinfo, ti, &ei_tcpphase_unanswered);
}

static int
dissect_tcpphase(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data _U_)
{
    tcpphase_packet_t *pkt;

    pkt = stored_packet(pinfo->num);
    /* Computed once, on the first (in-order) pass; later passes and the
     * GUI's re-dissections read the stored result. */
    if (pkt == NULL && !PINFO_FD_VISITED(pinfo))
        pkt = analyze_packet(pinfo);
    if (pkt == NULL)
        return 0;

    /* Expert info is added even without a tree: the Expert Information
     * dialog and -z expert collect it from the tap pass. */
    add_expert_items(pinfo, tree ? add_packet_items(tree, tvb, pkt) : NULL, pkt);
    if (have_tap_listener(tcpphase_tap))
        tap_queue_packet(tcpphase_tap, pinfo, pkt);
    return tvb_captured_length(tvb);
}

void
proto_register_tcpphase(void)
{
    static hf_register_info hf[] = {
        { &hf_tcpphase_dir,
          { "Direction", "tcpphase.dir",
            FT_UINT8, BASE_DEC, VALS(tcpphase_dir_vals), 0x0,
            "Who sent this packet: to_server (from the client, the endpoint "
            "that sent the first SYN) or to_client", HFILL }},
        { &hf_tcpphase_step,
          { "Step", "tcpphase.step",
            FT_UINT8, BASE_DEC, VALS(tcpphase_step_vals), 0x0,
            "What this packet does in its TCP conversation, first match wins: "
            "rst, syn, syn_ack, handshake_ack (the client ACK completing the "
            "handshake), fin, last_ack (the ACK of the second FIN), data "
            "(payload), ack (anything else)", HFILL }},
        { &hf_tcpphase_phase,
          { "Phase", "tcpphase.phase",
            FT_UINT8, BASE_DEC, VALS(tcpphase_phase_vals), 0x0,
            "Phase of the TCP conversation this packet belongs to: handshake "
            "(until the handshake ACK), data (until the first FIN or RST), "
            "teardown (the first FIN or RST and everything after it)", HFILL }},
        { &hf_tcpphase_midstream,
          { "Mid-stream", "tcpphase.midstream",
            FT_BOOLEAN, BASE_NONE, NULL, 0x0,
            "True on every packet of a conversation whose SYN and SYN-ACK were "
            "not captured (picked up mid-stream)", HFILL }},
        { &hf_tcpphase_phase_time,
          { "Time since phase start", "tcpphase.phase.time",
            FT_RELATIVE_TIME, BASE_NONE, NULL, 0x0,
            "Seconds since the first packet of this phase in this conversation",
            HFILL }},
        { &hf_tcpphase_phase_seq,
          { "Packet in phase", "tcpphase.phase.seq",
            FT_UINT32, BASE_DEC, NULL, 0x0,
            "Position of this packet inside its phase, counting from 1 (a "
            "three-way handshake is 1, 2, 3)", HFILL }},
        { &hf_tcpphase_conv_state,
          { "State", "tcpphase.conv.state",
            FT_STRING, BASE_NONE, NULL, 0x0,
            "Zeek conn.log conn_state of this packet's conversation: S0, S1, SF, "
            "REJ, S2, S3, RSTO, RSTR, RSTOS0, RSTRH, SH, SHR or OTH (whole "
            "capture in the GUI and tshark -2, so far in one-pass tshark)", HFILL }},
        { &hf_tcpphase_conv_history,
          { "History", "tcpphase.conv.history",
            FT_STRING, BASE_NONE, NULL, 0x0,
            "Zeek conn.log history of the conversation: S syn, H syn-ack, A ack, "
            "D data, F fin, R rst, Q multi-flag, I fin+rst; upper case from the "
            "client, lower case from the server", HFILL }},
        { &hf_tcpphase_conv_complete,
          { "Complete", "tcpphase.conv.complete",
            FT_BOOLEAN, BASE_NONE, NULL, 0x0,
            "The conversation's handshake was seen complete and both sides sent "
            "a FIN", HFILL }},
        { &hf_tcpphase_conv_close,
          { "Close", "tcpphase.conv.close",
            FT_UINT8, BASE_DEC, VALS(tcpphase_close_vals), 0x0,
            "How the conversation ended: open (no FIN or RST), half_closed (one "
            "FIN), graceful (both FINs), reset (a RST)", HFILL }},
        { &hf_tcpphase_conv_closer,
          { "Closer", "tcpphase.conv.closer",
            FT_UINT8, BASE_DEC, VALS(tcpphase_role_vals), 0x0,
            "Who sent the conversation's first FIN or RST: client or server "
            "(absent while open)", HFILL }},
        { &hf_tcpphase_conv_handshake_rtt,
          { "Handshake RTT", "tcpphase.conv.handshake_rtt",
            FT_RELATIVE_TIME, BASE_NONE, NULL, 0x0,
            "Seconds from the first SYN to the handshake ACK (absent without "
            "both)", HFILL }},
        { &hf_tcpphase_conv_ttfb,
          { "Time to first byte", "tcpphase.conv.ttfb",
            FT_RELATIVE_TIME, BASE_NONE, NULL, 0x0,
            "Seconds from the client's first payload byte to the server's first "
            "payload after it (absent without an answer)", HFILL }},
        { &hf_tcpphase_conv_duration,
          { "Duration", "tcpphase.conv.duration",
            FT_RELATIVE_TIME, BASE_NONE, NULL, 0x0,
            "Seconds from the conversation's first to its last packet", HFILL }},
        { &hf_tcpphase_conv_syn_frame,
          { "SYN frame", "tcpphase.conv.syn_frame",
            FT_FRAMENUM, BASE_NONE, NULL, 0x0,
            "Frame of the conversation's first SYN", HFILL }},
        { &hf_tcpphase_conv_established_frame,
          { "Established frame", "tcpphase.conv.established_frame",
            FT_FRAMENUM, BASE_NONE, NULL, 0x0,
            "Frame of the handshake ACK that completed the handshake", HFILL }},
        { &hf_tcpphase_conv_close_frame,
          { "Close frame", "tcpphase.conv.close_frame",
            FT_FRAMENUM, BASE_NONE, NULL, 0x0,
            "Frame of the conversation's first FIN or RST", HFILL }},
        { &hf_tcpphase_conv_packets_handshake,
          { "Handshake packets", "tcpphase.conv.packets.handshake",
            FT_UINT32, BASE_DEC, NULL, 0x0,
            "Packets of the conversation in its handshake phase", HFILL }},
        { &hf_tcpphase_conv_packets_data,
          { "Data packets", "tcpphase.conv.packets.data",
            FT_UINT32, BASE_DEC, NULL, 0x0,
            "Packets of the conversation in its data phase", HFILL }},
        { &hf_tcpphase_conv_packets_teardown,
          { "Teardown packets", "tcpphase.conv.packets.teardown",
            FT_UINT32, BASE_DEC, NULL, 0x0,
            "Packets of the conversation in its teardown phase", HFILL }},
        { &hf_tcpphase_conv_bytes_to_server,
          { "Bytes to server", "tcpphase.conv.bytes.to_server",
            FT_UINT64, BASE_DEC, NULL, 0x0,
            "TCP payload bytes the client sent (retransmissions included)", HFILL }},
        { &hf_tcpphase_conv_bytes_to_client,
          { "Bytes to client", "tcpphase.conv.bytes.to_client",
            FT_UINT64, BASE_DEC, NULL, 0x0,
            "TCP payload bytes the server sent (retransmissions included)", HFILL }},
        { &hf_tcpphase_tls_stage,
          { "TLS stage", "tcpphase.tls.stage",
            FT_UINT8, BASE_DEC, VALS(tcpphase_tls_stage_vals), 0x0,
            "Handshake stage of each TLS record completing in this packet (one per "
            "handshake message when several share a record), in record order; "
            "inferred without keys (finished for an encrypted handshake message, "
            "encrypted_handshake for the TLS 1.3 server flight)", HFILL }},
        { &hf_tcpphase_tls_phase,
          { "TLS phase", "tcpphase.tls.phase",
            FT_UINT8, BASE_DEC, VALS(tcpphase_tls_phase_vals), 0x0,
            "TLS phase of this packet: handshake (records up to and including the "
            "second Finished), application (after it), alert (an alert record)", HFILL }},
        { &hf_tcpphase_conv_tls_version,
          { "TLS version", "tcpphase.conv.tls.version",
            FT_UINT16, BASE_HEX, VALS(tcpphase_tls_version_vals), 0x0,
            "TLS version the ServerHello negotiated (TLS 1.3 through "
            "supported_versions)", HFILL }},
        { &hf_tcpphase_conv_tls_sni,
          { "TLS server name", "tcpphase.conv.tls.sni",
            FT_STRING, BASE_NONE, NULL, 0x0,
            "server_name (SNI) of the ClientHello, non-printable bytes shown as ?",
            HFILL }},
        { &hf_tcpphase_conv_tls_established,
          { "TLS established", "tcpphase.conv.tls.established",
            FT_BOOLEAN, BASE_NONE, NULL, 0x0,
            "Both Finished messages were seen (or, without keys, inferred)", HFILL }},
        { &hf_tcpphase_conv_tls_resumed,
          { "TLS resumed", "tcpphase.conv.tls.resumed",
            FT_BOOLEAN, BASE_NONE, NULL, 0x0,
            "Abbreviated handshake: the server's ChangeCipherSpec came without a "
            "Certificate (TLS <= 1.2), or the server accepted a PSK (TLS 1.3)", HFILL }},
        { &hf_tcpphase_conv_tls_handshake_time,
          { "TLS handshake time", "tcpphase.conv.tls.handshake_time",
            FT_RELATIVE_TIME, BASE_NONE, NULL, 0x0,
            "Seconds from the ClientHello to the Finished that completed the "
            "handshake (absent until then)", HFILL }},
        { &hf_tcpphase_conv_tls_result,
          { "TLS result", "tcpphase.conv.tls.result",
            FT_UINT8, BASE_DEC, VALS(tcpphase_tls_result_vals), 0x0,
            "TLS handshake outcome: none (no TLS seen), in_progress, established, "
            "failed (an alert, or the connection closed, before completion)", HFILL }},
    };

    static gint *ett[] = {
        &ett_tcpphase,
        &ett_tcpphase_conv,
    };

    static ei_register_info ei[] = {
        { &ei_tcpphase_refused,
          { "tcpphase.refused", PI_SEQUENCE, PI_WARN,
            "Connection refused: the server answered the SYN with a RST", EXPFILL }},
        { &ei_tcpphase_unanswered,
          { "tcpphase.unanswered", PI_SEQUENCE, PI_WARN,
            "Handshake never completed: nothing answered this SYN", EXPFILL }},
        { &ei_tcpphase_abort,
          { "tcpphase.abort", PI_SEQUENCE, PI_WARN,
            "Abortive close: RST after data was exchanged", EXPFILL }},
        { &ei_tcpphase_data_after_fin,
          { "tcpphase.data_after_fin", PI_SEQUENCE, PI_NOTE,
            "Data after the peer's FIN (half-close)", EXPFILL }},
        { &ei_tcpphase_midstream_start,
          { "tcpphase.midstream_start", PI_SEQUENCE, PI_NOTE,
            "Conversation picked up mid-stream: its handshake was not captured", EXPFILL }},
        { &ei_tcpphase_tls_failed,
          { "tcpphase.tls_failed", PI_SECURITY, PI_WARN,
            "TLS handshake failed: alert or close before the handshake completed",
            EXPFILL }},
    };
    expert_module_t *expert_tcpphase;
    module_t *tcpphase_module;

    proto_tcpphase = proto_register_protocol("TCP Session Phase", "TCPPHASE", "tcpphase");
    proto_register_field_array(proto_tcpphase, hf, array_length(hf));
    proto_register_subtree_array(ett, array_length(ett));
    expert_tcpphase = expert_register_protocol(proto_tcpphase);
    expert_register_field_array(expert_tcpphase, ei, array_length(ei));

    tcpphase_module = prefs_register_protocol(proto_tcpphase, NULL);
    prefs_register_bool_preference(tcpphase_module, "tls_analysis",
        "Name the TLS stage of every TLS record",
        "Walk the TLS record layer of every TCP conversation that starts with a "
        "ClientHello, on any port, and add tcpphase.tls.* and tcpphase.conv.tls.*",
        &tcpphase_tls_enabled);
    prefs_register_bool_preference(tcpphase_module, "conversation_summary",
        "Show the conversation summary on every packet",
        "Add the Conversation subtree (tcpphase.conv.*) to every packet",
        &tcpphase_conv_summary);

    tcpphase_convs = wmem_map_new_autoreset(wmem_epan_scope(), wmem_file_scope(),
                                            g_direct_hash, g_direct_equal);
    register_init_routine(tcpphase_init);
    packet_facts_register_routines();
    register_cleanup_routine(tcpphase_cleanup);

    tcpphase_handle = register_dissector("tcpphase", dissect_tcpphase, proto_tcpphase);
    tcpphase_tap = register_tap(TCPPHASE_TAP_NAME);
    register_tcpphase_conv_table();
}

void
proto_reg_handoff_tcpphase(void)
{
    register_postdissector(tcpphase_handle);
    packet_facts_register();
}

/*
 * Editor modelines  -  https://www.wireshark.org/tools/modelines.html
 *
 * Local variables:
 * c-basic-offset: 4
 * tab-width: 8
 * indent-tabs-mode: nil
 * End:
 *
 * vi: set shiftwidth=4 tabstop=8 expandtab:
 * :indentSize=4:tabSize=8:noTabs=true:
 */
