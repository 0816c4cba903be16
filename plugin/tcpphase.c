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

#include <epan/packet.h>
#include <epan/proto_data.h>
#include <wsutil/wmem/wmem.h>

#include "packet_facts.h"
#include "tcp_phase.h"
#include "tcpphase.h"

static int proto_tcpphase = -1;

static int hf_tcpphase_dir = -1;
static int hf_tcpphase_step = -1;
static int hf_tcpphase_phase = -1;
static int hf_tcpphase_midstream = -1;
static int hf_tcpphase_phase_time = -1;
static int hf_tcpphase_phase_seq = -1;

static gint ett_tcpphase = -1;

static dissector_handle_t tcpphase_handle;

#define TP_VS_ENTRY(name, value, label) { name, label },
static const value_string tcpphase_dir_vals[] = { TP_DIR_LIST(TP_VS_ENTRY) { 0, NULL } };
static const value_string tcpphase_step_vals[] = { TP_STEP_LIST(TP_VS_ENTRY) { 0, NULL } };
static const value_string tcpphase_phase_vals[] = { TP_PHASE_LIST(TP_VS_ENTRY) { 0, NULL } };

/* Conversations by tcp.stream; emptied when the capture file closes. */
static wmem_map_t *tcpphase_convs;

#define PACKET_KEY_RESULT 0     /* p_*_proto_data key in file scope */

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
        wmem_map_insert(tcpphase_convs, GUINT_TO_POINTER(stream), conv);
    }
    return conv;
}

static tp_time_t
frame_time(const packet_info *pinfo)
{
    return (tp_time_t)pinfo->abs_ts.secs * 1000000000 + pinfo->abs_ts.nsecs;
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

/* Runs the machines over this packet, once, in capture order. */
static tcpphase_packet_t *
analyze_packet(packet_info *pinfo)
{
    const tcp_facts_t *facts;
    tcpphase_packet_t *pkt;
    tcpphase_conv_t *conv;
    tp_segment_t seg;
    guint32 stream;

    facts = packet_facts_get(pinfo);
    if (facts == NULL || !packet_facts_stream(pinfo, facts, &stream))
        return NULL;
    conv = conv_for_stream(stream, facts);

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

    pkt = wmem_new0(wmem_file_scope(), tcpphase_packet_t);
    pkt->conv = conv;
    tp_conv_on_segment(&conv->tcp, &seg, &pkt->tcp);
    return pkt;
}

static void
add_packet_items(proto_tree *tree, tvbuff_t *tvb, const tcpphase_packet_t *pkt)
{
    proto_item *ti;
    proto_tree *phase_tree;
    nstime_t phase_time;

    ti = proto_tree_add_item(tree, proto_tcpphase, tvb, 0, 0, ENC_NA);
    proto_item_append_text(ti, ": %s, %s", tp_phase_name(pkt->tcp.phase),
                           tp_step_name(pkt->tcp.step));
    proto_item_set_generated(ti);
    phase_tree = proto_item_add_subtree(ti, ett_tcpphase);

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
}

static int
dissect_tcpphase(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data _U_)
{
    tcpphase_packet_t *pkt;

    pkt = (tcpphase_packet_t *)p_get_proto_data(wmem_file_scope(), pinfo, proto_tcpphase,
                                                PACKET_KEY_RESULT);
    /* Computed once, on the first (in-order) pass; later passes and the
     * GUI's re-dissections read the stored result. */
    if (pkt == NULL && !PINFO_FD_VISITED(pinfo)) {
        pkt = analyze_packet(pinfo);
        if (pkt != NULL)
            p_add_proto_data(wmem_file_scope(), pinfo, proto_tcpphase, PACKET_KEY_RESULT, pkt);
    }
    if (pkt == NULL)
        return 0;

    if (tree)
        add_packet_items(tree, tvb, pkt);
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
    };

    static gint *ett[] = {
        &ett_tcpphase,
    };

    proto_tcpphase = proto_register_protocol("TCP Session Phase", "TCPPHASE", "tcpphase");
    proto_register_field_array(proto_tcpphase, hf, array_length(hf));
    proto_register_subtree_array(ett, array_length(ett));

    tcpphase_convs = wmem_map_new_autoreset(wmem_epan_scope(), wmem_file_scope(),
                                            g_direct_hash, g_direct_equal);

    tcpphase_handle = register_dissector("tcpphase", dissect_tcpphase, proto_tcpphase);
}

void
proto_reg_handoff_tcpphase(void)
{
    register_postdissector(tcpphase_handle);
    packet_facts_register(proto_tcpphase);
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
