/* packet-tcpphase.c
 * Registration and post-dissector of tcpphase ("TCP Session Phase"): tags
 * every TCP packet with the phase of its conversation and its step in it.
 *
 * Packet facts come in through packet_facts.c, go through the pure
 * machines in phase_analysis.c and leave here as tree items, expert info
 * and the "tcpphase" tap (docs/design.md, "Data path").
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config_tcpphase.h"

#include <string.h>

#include <epan/expert.h>
#include <epan/packet.h>
#include <epan/prefs.h>
#include <epan/tap.h>

#include "explain.h"
#include "packet-tcpphase.h"
#include "packet_facts.h"
#include "phase_analysis.h"
#include "tcp_flags.h"
#include "tcpphase_taps.h"
#include "ws_compat.h"
#include "tp_time.h"

static int proto_tcpphase = -1;

static int hf_tcpphase_dir = -1;
static int hf_tcpphase_step = -1;
static int hf_tcpphase_phase = -1;
static int hf_tcpphase_midstream = -1;
static int hf_tcpphase_phase_time = -1;
static int hf_tcpphase_phase_seq = -1;
static int hf_tcpphase_explain = -1;
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
static int hf_tcpphase_tls_alert = -1;
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
static gint           tcpphase_explain_language = EXPLAIN_LANG_EN;

static const enum_val_t explain_language_vals[] = {
    {"en",  "English",           EXPLAIN_LANG_EN},
    { "es", "Spanish (espanol)", EXPLAIN_LANG_ES},
    { NULL, NULL,                -1             }
};

static dissector_handle_t tcpphase_handle;
static int                tcpphase_tap = -1;
static int                tcpphase_explain_tap = -1;

/* clang-format off */
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
static const value_string tcpphase_tls_alert_vals[] = { TLS_ALERT_LIST(TP_VS_ENTRY) { 0, NULL } };
/* clang-format on */

static void
tp_time_to_nstime(tp_time_t t, nstime_t *out)
{
    int64_t secs;
    int32_t nsecs;

    tp_time_split(t, &secs, &nsecs);
    out->secs = (time_t)secs;
    out->nsecs = (int)nsecs;
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

static void
add_uint_item(proto_tree *tree, int hf, tvbuff_t *tvb, guint32 value)
{
    proto_item_set_generated(proto_tree_add_uint(tree, hf, tvb, 0, 0, value));
}

static void
add_uint64_item(proto_tree *tree, int hf, tvbuff_t *tvb, guint64 value)
{
    proto_item_set_generated(proto_tree_add_uint64(tree, hf, tvb, 0, 0, value));
}

static void
add_boolean_item(proto_tree *tree, int hf, tvbuff_t *tvb, gboolean value)
{
    proto_item_set_generated(proto_tree_add_boolean(tree, hf, tvb, 0, 0, value));
}

static void
add_string_item(proto_tree *tree, int hf, tvbuff_t *tvb, const char *value)
{
    proto_item_set_generated(proto_tree_add_string(tree, hf, tvb, 0, 0, value));
}

static void
add_conv_tls_items(proto_tree *tree, tvbuff_t *tvb, const conv_summary_t *sum)
{
    add_uint_item(tree, hf_tcpphase_conv_tls_result, tvb, sum->tls_result);
    if (sum->tls_result == TLS_RESULT_NONE)
        return;
    if (sum->tls_version != 0)
        add_uint_item(tree, hf_tcpphase_conv_tls_version, tvb, sum->tls_version);
    if (sum->tls_sni[0] != '\0')
        add_string_item(tree, hf_tcpphase_conv_tls_sni, tvb, sum->tls_sni);
    add_boolean_item(tree, hf_tcpphase_conv_tls_established, tvb, sum->tls_established);
    add_boolean_item(tree, hf_tcpphase_conv_tls_resumed, tvb, sum->tls_resumed);
    if (sum->has_tls_handshake_time)
        add_time_item(tree, hf_tcpphase_conv_tls_handshake_time, tvb, sum->tls_handshake_time);
}

/* The tcpphase.conv.* fields, found by their prefix at registration so
 * that a new one cannot be left out. */
static int  *conv_hf_ids;
static guint conv_hf_count;

/* The summary is ~25 items: build it only when it will be shown or a
 * filter, column or field output refers to one of them (tshark -T fields
 * or -Y on other fields builds a tree that would discard them). */
static gboolean
conv_items_wanted(proto_tree *tree)
{
    if (PTREE_DATA(tree)->visible)
        return TRUE;
    for (guint i = 0; i < conv_hf_count; i++) {
        if (proto_field_is_referenced(tree, conv_hf_ids[i]))
            return TRUE;
    }
    return FALSE;
}

/* The conversation as its record holds it now: the whole capture once the
 * first pass is over (GUI, tshark -2), as seen so far in one-pass tshark. */
static void
add_conv_items(proto_tree *tree, tvbuff_t *tvb, const tcpphase_conv_t *conv)
{
    conv_summary_t sum;
    proto_item    *ti;
    proto_tree    *conv_tree;

    conv_record_summary(conv, &sum);
    conv_tree = proto_tree_add_subtree_format(tree, tvb, 0, 0, ett_tcpphase_conv, &ti,
                                              "Conversation: %s, %s", conn_state_name(sum.state),
                                              sum.history);
    proto_item_set_generated(ti);
    add_string_item(conv_tree, hf_tcpphase_conv_state, tvb, conn_state_name(sum.state));
    add_string_item(conv_tree, hf_tcpphase_conv_history, tvb, sum.history);
    add_boolean_item(conv_tree, hf_tcpphase_conv_complete, tvb, sum.complete);
    add_uint_item(conv_tree, hf_tcpphase_conv_close, tvb, sum.close);
    if (sum.closer != 0)
        add_uint_item(conv_tree, hf_tcpphase_conv_closer, tvb, sum.closer);
    if (sum.has_handshake_rtt)
        add_time_item(conv_tree, hf_tcpphase_conv_handshake_rtt, tvb, sum.handshake_rtt);
    if (sum.has_ttfb)
        add_time_item(conv_tree, hf_tcpphase_conv_ttfb, tvb, sum.ttfb);
    add_time_item(conv_tree, hf_tcpphase_conv_duration, tvb, sum.duration);
    add_frame_item(conv_tree, hf_tcpphase_conv_syn_frame, tvb, sum.syn_frame);
    add_frame_item(conv_tree, hf_tcpphase_conv_established_frame, tvb, sum.established_frame);
    add_frame_item(conv_tree, hf_tcpphase_conv_close_frame, tvb, sum.close_frame);
    add_uint_item(conv_tree, hf_tcpphase_conv_packets_handshake, tvb,
                  sum.packets[TP_PHASE_HANDSHAKE - 1]);
    add_uint_item(conv_tree, hf_tcpphase_conv_packets_data, tvb, sum.packets[TP_PHASE_DATA - 1]);
    add_uint_item(conv_tree, hf_tcpphase_conv_packets_teardown, tvb,
                  sum.packets[TP_PHASE_TEARDOWN - 1]);
    add_uint64_item(conv_tree, hf_tcpphase_conv_bytes_to_server, tvb, sum.bytes_to_server);
    add_uint64_item(conv_tree, hf_tcpphase_conv_bytes_to_client, tvb, sum.bytes_to_client);
    add_conv_tls_items(conv_tree, tvb, &sum);
}

/* What the sentence and the ladder label of this packet are made of. The
 * conversation facts used are fixed before this packet is seen, so the
 * text is the same in every pass (docs/spec.md section 9). */
static void
explain_input(packet_info *pinfo, const tcpphase_packet_t *pkt, explain_packet_t *in, char *app,
              size_t app_size)
{
    const tcp_facts_t *facts = packet_facts_get(pinfo);
    const tp_conv_t   *tcp = &pkt->conv->tcp;
    gboolean           closed_before = tcp->close_frame != 0 && tcp->close_frame <= pinfo->num;

    memset(in, 0, sizeof(*in));
    in->dir = pkt->tcp.dir;
    in->step = pkt->tcp.step;
    in->phase = pkt->tcp.phase;
    in->events = pkt->tcp.events;
    in->midstream = pkt->tcp.midstream;
    in->phase_seq = pkt->tcp.phase_seq;
    in->tls_count = pkt->tls_count;
    in->tls_stages = pkt->tls_stages;
    in->tls_alert_count = pkt->tls_alert_count;
    in->tls_alerts = pkt->tls_stages ? pkt->tls_stages + pkt->tls_count : NULL;
    in->tls_failed_here = (pkt->flags & PACKET_TLS_FAILED_HERE) != 0;
    in->first_syn = tcp->syn_frame == pinfo->num;
    in->first_close = tcp->close_frame == pinfo->num;
    in->closer = closed_before ? (guint8)tcp->closer : 0;
    if (facts != NULL) {
        guint32       captured;
        const guint8 *payload = packet_facts_payload(facts, &captured);

        in->tcp_flags = facts->flags;
        in->payload_len = facts->payload_len;
        if (in->tls_count == 0 && explain_app_line(payload, captured, app, app_size))
            in->app_line = app;
    }
}

/* The sentence costs a string per packet: only when it is shown or a
 * filter, column or field output refers to it. */
static void
add_explain_item(proto_tree *tree, tvbuff_t *tvb, packet_info *pinfo, const tcpphase_packet_t *pkt)
{
    explain_packet_t in;
    char             app[128];
    char             sentence[768];

    if (!PTREE_DATA(tree)->visible && !proto_field_is_referenced(tree, hf_tcpphase_explain))
        return;
    explain_input(pinfo, pkt, &in, app, sizeof(app));
    explain_sentence(&in, (explain_lang_t)tcpphase_explain_language, sentence, sizeof(sentence));
    add_string_item(tree, hf_tcpphase_explain, tvb, sentence);
}

static proto_item *
add_packet_items(proto_tree *tree, tvbuff_t *tvb, packet_info *pinfo, const tcpphase_packet_t *pkt)
{
    proto_item *top;
    proto_tree *phase_tree;

    top = proto_tree_add_item(tree, proto_tcpphase, tvb, 0, 0, ENC_NA);
    proto_item_append_text(top, ": %s, %s", tp_phase_name(pkt->tcp.phase),
                           tp_step_name(pkt->tcp.step));
    proto_item_set_generated(top);
    phase_tree = proto_item_add_subtree(top, ett_tcpphase);

    add_explain_item(phase_tree, tvb, pinfo, pkt);
    add_uint_item(phase_tree, hf_tcpphase_dir, tvb, pkt->tcp.dir);
    add_uint_item(phase_tree, hf_tcpphase_step, tvb, pkt->tcp.step);
    add_uint_item(phase_tree, hf_tcpphase_phase, tvb, pkt->tcp.phase);
    add_boolean_item(phase_tree, hf_tcpphase_midstream, tvb, pkt->tcp.midstream);
    add_time_item(phase_tree, hf_tcpphase_phase_time, tvb, pkt->tcp.phase_time);
    add_uint_item(phase_tree, hf_tcpphase_phase_seq, tvb, pkt->tcp.phase_seq);
    for (guint i = 0; i < pkt->tls_count; i++)
        add_uint_item(phase_tree, hf_tcpphase_tls_stage, tvb, pkt->tls_stages[i]);
    for (guint i = 0; i < pkt->tls_alert_count; i++)
        add_uint_item(phase_tree, hf_tcpphase_tls_alert, tvb, pkt->tls_stages[pkt->tls_count + i]);
    if (pkt->tls_phase != 0) {
        add_uint_item(phase_tree, hf_tcpphase_tls_phase, tvb, pkt->tls_phase);
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
    tcpphase_packet_t *pkt = phase_analysis_packet(pinfo, tcpphase_tls_enabled);

    if (pkt == NULL)
        return 0;

    /* Expert info is added even without a tree: the Expert Information
     * dialog and -z expert collect it from the tap pass. */
    add_expert_items(pinfo, tree ? add_packet_items(tree, tvb, pinfo, pkt) : NULL, pkt);
    if (have_tap_listener(tcpphase_tap))
        tap_queue_packet(tcpphase_tap, pinfo, pkt);
    if (have_tap_listener(tcpphase_explain_tap)) {
        tcpphase_explain_tap_t *ex = wmem_new(pinfo->pool, tcpphase_explain_tap_t);

        ex->pkt = pkt;
        ex->lang = (explain_lang_t)tcpphase_explain_language;
        explain_input(pinfo, pkt, &ex->in, ex->app, sizeof(ex->app));
        tap_queue_packet(tcpphase_explain_tap, pinfo, ex);
    }
    return tvb_captured_length(tvb);
}

void
proto_register_tcpphase(void)
{
    /* clang-format off */
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
        { &hf_tcpphase_explain,
          { "Explanation", "tcpphase.explain",
            FT_STRING, BASE_NONE, NULL, 0x0,
            "One plain sentence of what this packet does in its conversation: who "
            "sends it, its step and place in the phase, the TLS messages that end "
            "in it, the HTTP request or status line, anomalies (language: the "
            "explain_language preference)", HFILL }},
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
        { &hf_tcpphase_tls_alert,
          { "TLS alert", "tcpphase.tls.alert",
            FT_UINT8, BASE_DEC, VALS(tcpphase_tls_alert_vals), 0x0,
            "Description of each alert completing in this packet whose content "
            "could be read (sent in clear, or decrypted with keys), in record "
            "order; absent for an encrypted alert without keys", HFILL }},
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
            "failed (an alert, or the connection closed, before completion), "
            "midstream (TLS records followed without their handshake, which was "
            "not captured)", HFILL }},
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
    /* clang-format on */
    expert_module_t *expert_tcpphase;
    module_t        *tcpphase_module;

    proto_tcpphase = proto_register_protocol("TCP Session Phase", "TCPPHASE", "tcpphase");
    proto_register_field_array(proto_tcpphase, hf, array_length(hf));
    proto_register_subtree_array(ett, array_length(ett));
    expert_tcpphase = expert_register_protocol(proto_tcpphase);
    expert_register_field_array(expert_tcpphase, ei, array_length(ei));

    tcpphase_module = prefs_register_protocol(proto_tcpphase, NULL);
    prefs_register_bool_preference(
        tcpphase_module, "tls_analysis", "Name the TLS stage of every TLS record",
        "Walk the TLS record layer of every TCP conversation, on any port, from "
        "the first client segment that begins with a ClientHello (after any "
        "plaintext prelude, e.g. STARTTLS), or, in a conversation picked up "
        "mid-stream, from the first record boundary found; add tcpphase.tls.* "
        "and tcpphase.conv.tls.*",
        &tcpphase_tls_enabled);
    prefs_register_bool_preference(
        tcpphase_module, "conversation_summary", "Show the conversation summary on every packet",
        "Add the Conversation subtree (tcpphase.conv.*) to every packet", &tcpphase_conv_summary);

    prefs_register_enum_preference(
        tcpphase_module, "explain_language", "Language of the explanations",
        "Language of tcpphase.explain and of the ladder and narrative statistics "
        "(field names and labels stay English)",
        &tcpphase_explain_language, explain_language_vals, FALSE);

    /* Every tcpphase.conv.* field, for conv_items_wanted(). */
    conv_hf_ids = wmem_alloc_array(wmem_epan_scope(), int, array_length(hf));
    for (size_t i = 0; i < array_length(hf); i++) {
        if (g_str_has_prefix(hf[i].hfinfo.abbrev, "tcpphase.conv."))
            conv_hf_ids[conv_hf_count++] = *hf[i].p_id;
    }

    phase_analysis_register(proto_tcpphase);

    tcpphase_handle = register_dissector("tcpphase", dissect_tcpphase, proto_tcpphase);
    tcpphase_tap = register_tap(TCPPHASE_TAP_NAME);
    tcpphase_explain_tap = register_tap(TCPPHASE_EXPLAIN_TAP_NAME);
    register_tcpphase_conv_table();
    register_tcpphase_writeup_table();
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
