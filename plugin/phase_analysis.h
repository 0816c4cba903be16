/* phase_analysis.h
 * Runs the machines over every TCP packet, once, in capture order, and
 * keeps what they said: a record per conversation (with TCP's own
 * conversation) and a result per packet (by frame number), both file
 * scope.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef TCPPHASE_PHASE_ANALYSIS_H
#define TCPPHASE_PHASE_ANALYSIS_H

#include <epan/packet.h>

#include "tcpphase_record.h"

/* Called from the protocol registration. */
void phase_analysis_register(int proto_tcpphase);

/* This frame's result: worked out on the first, in-order pass, read back
 * on every later one (GUI clicks, refilters, tshark -2's second pass).
 * NULL for a packet without a readable TCP header. */
tcpphase_packet_t *phase_analysis_packet(packet_info *pinfo, gboolean tls_enabled);

#endif /* TCPPHASE_PHASE_ANALYSIS_H */
