/* stats_tree.c
 * -z tcpphase,tree[,FILTER] and Statistics > TCP Session Phase: packets and
 * bytes by phase and step, conversations by state, TLS records by stage,
 * TLS handshakes by result, handshake RTT ranges.
 *
 * Conversation counts follow the verdict deltas the post-dissector stored
 * with each packet on the first pass, so one-pass and two-pass runs end
 * with the same numbers.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config_tcpphase.h"

#include <epan/packet.h>
#include <epan/stats_tree.h>

#include "tcpphase_record.h"
#include "tcpphase_taps.h"

static const char st_str_packets[] = "Packets by phase";
static const char st_str_bytes[] = "Bytes by phase (frame bytes)";
static const char st_str_steps[] = "Packets by step";
static const char st_str_states[] = "Conversations by state";
static const char st_str_tls_stages[] = "TLS records by stage";
static const char st_str_tls_results[] = "TLS handshakes by result";
static const char st_str_rtt[] = "Handshake RTT (microseconds)";

static int st_node_packets = -1;
static int st_node_bytes = -1;
static int st_node_steps = -1;
static int st_node_states = -1;
static int st_node_tls_stages = -1;
static int st_node_tls_results = -1;
static int st_node_rtt = -1;

static void
tcpphase_stats_tree_init(stats_tree *st)
{
    st_node_packets = stats_tree_create_node(st, st_str_packets, 0, STAT_DT_INT, TRUE);
    st_node_bytes = stats_tree_create_node(st, st_str_bytes, 0, STAT_DT_INT, TRUE);
    st_node_steps = stats_tree_create_node(st, st_str_steps, 0, STAT_DT_INT, TRUE);
    st_node_states = stats_tree_create_node(st, st_str_states, 0, STAT_DT_INT, TRUE);
    st_node_tls_stages = stats_tree_create_node(st, st_str_tls_stages, 0, STAT_DT_INT, TRUE);
    st_node_tls_results = stats_tree_create_node(st, st_str_tls_results, 0, STAT_DT_INT, TRUE);
    st_node_rtt = stats_tree_create_range_node(st, st_str_rtt, 0, "0-99", "100-999", "1000-9999",
                                               "10000-99999", "100000-999999", "1000000-", NULL);
}

static tap_packet_status
tcpphase_stats_tree_packet(stats_tree *st, packet_info *pinfo, epan_dissect_t *edt _U_,
                           const void *data, tap_flags_t flags _U_)
{
    const tcpphase_packet_t *pkt = (const tcpphase_packet_t *)data;
    const char              *phase = tp_phase_name(pkt->tcp.phase);
    int                      node;

    tick_stat_node(st, st_str_packets, 0, FALSE);
    node = tick_stat_node(st, phase, st_node_packets, TRUE);
    tick_stat_node(st, tp_step_name(pkt->tcp.step), node, FALSE);
    increase_stat_node(st, st_str_bytes, 0, FALSE, (gint)pinfo->fd->pkt_len);
    increase_stat_node(st, phase, st_node_bytes, FALSE, (gint)pinfo->fd->pkt_len);
    tick_stat_node(st, st_str_steps, 0, FALSE);
    tick_stat_node(st, tp_step_name(pkt->tcp.step), st_node_steps, FALSE);

    /* A conversation moves from one state to another: count it once, under
     * the state it has now. */
    if (pkt->flags & PACKET_FIRST_OF_CONV) {
        tick_stat_node(st, st_str_states, 0, FALSE);
        tick_stat_node(st, conn_state_name((conn_state_t)pkt->state_after), st_node_states, FALSE);
    } else if (pkt->state_before != pkt->state_after) {
        increase_stat_node(st, conn_state_name((conn_state_t)pkt->state_before), st_node_states,
                           FALSE, -1);
        tick_stat_node(st, conn_state_name((conn_state_t)pkt->state_after), st_node_states, FALSE);
    }

    for (guint i = 0; i < pkt->tls_count; i++) {
        tick_stat_node(st, st_str_tls_stages, 0, FALSE);
        tick_stat_node(st, tls_stage_name((tls_stage_t)pkt->tls_stages[i]), st_node_tls_stages,
                       FALSE);
    }
    if (pkt->tls_result_before != pkt->tls_result_after) {
        if (pkt->tls_result_before == TLS_RESULT_NONE)
            tick_stat_node(st, st_str_tls_results, 0, FALSE);
        else
            increase_stat_node(st, tls_result_name((tls_result_t)pkt->tls_result_before),
                               st_node_tls_results, FALSE, -1);
        tick_stat_node(st, tls_result_name((tls_result_t)pkt->tls_result_after),
                       st_node_tls_results, FALSE);
    }

    if (pkt->tcp.step == TP_STEP_HANDSHAKE_ACK && pkt->conv->tcp.established_frame == pinfo->num) {
        conv_summary_t sum;

        conv_record_summary(pkt->conv, &sum);
        if (sum.has_handshake_rtt) {
            tp_time_t rtt = sum.handshake_rtt;
            /* Rounded down: a negative RTT (timestamps running backwards)
             * stays below zero, counted in the total and in no range,
             * instead of passing for 0 us. */
            gint64 us = rtt / 1000 - (rtt % 1000 < 0 ? 1 : 0);
            if (us > G_MAXINT)
                us = G_MAXINT;
            else if (us < G_MININT)
                us = G_MININT;
            tick_stat_node(st, st_str_rtt, 0, FALSE);
            stats_tree_tick_range(st, st_str_rtt, 0, (int)us);
        }
    }
    return TAP_PACKET_REDRAW;
}

void
register_tcpphase_stats_tree(void)
{
    stats_tree_register_plugin(TCPPHASE_TAP_NAME, "tcpphase", "TCP Session Phase", 0,
                               tcpphase_stats_tree_packet, tcpphase_stats_tree_init, NULL);
}
