/* tcpphase_record.h
 * What the analysis keeps and every output reads: one record per TCP
 * conversation, one result per TCP packet, and the tap that carries the
 * packet results to the statistics.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef TCPPHASE_RECORD_H
#define TCPPHASE_RECORD_H

#include <epan/address.h>

#include "conv_summary.h"
#include "explain.h"
#include "tcp_phase.h"
#include "tls_stage.h"

/* One TCP conversation (one tcp.stream), kept with TCP's own conversation
 * (conversation_add_proto_data), file scope. */
typedef struct {
    struct conversation *tcp_conv; /* TCP's conversation, which holds it */
    guint32              stream;
    address              first_src, first_dst; /* endpoints of its first packet */
    guint16              first_src_port, first_dst_port;
    tp_conv_t            tcp;
    tls_conv_t          *tls;         /* NULL until TLS may start */
    gboolean             tls_checked; /* the first payload was looked at */
    guint8               state;       /* conn_state_t after the last packet */
    guint8               tls_result;  /* tls_result_t after the last packet */
} tcpphase_conv_t;

/* The stored result for one TCP packet, file scope; one per TCP packet of
 * the capture, so packed small. */
typedef struct {
    tcpphase_conv_t *conv;       /* NULL: no result for this frame */
    guint8          *tls_stages; /* tls_stage_t each, record order, then
                                  * tls_alert_count alert descriptions */
    tp_packet_t tcp;
    guint8      tls_count;       /* TLS records completing here */
    guint8      tls_phase;       /* tls_phase_t, 0 without records */
    guint8      tls_alert_count; /* readable alerts completing here */
    /* How this packet moved the conversation's verdicts, for statistics
     * that must come out the same in one pass and in two. */
    guint8 state_before; /* conn_state_t; unset on the first */
    guint8 state_after;
    guint8 tls_result_before; /* tls_result_t */
    guint8 tls_result_after;
    guint8 flags; /* PACKET_* */
} tcpphase_packet_t;

#define PACKET_FIRST_OF_CONV   0x01
#define PACKET_TLS_FAILED_HERE 0x02 /* the TLS handshake failed here */

/* The tap the post-dissector queues once per TCP packet; its data is the
 * packet's tcpphase_packet_t (conversation reachable through ->conv). */
#define TCPPHASE_TAP_NAME "tcpphase"

/* The tap the post-dissector queues, only while something listens, for
 * the ladder and the narrative: the packet with what its sentence and
 * label are made of (data in pinfo->pool). */
#define TCPPHASE_EXPLAIN_TAP_NAME "tcpphase.explain"

typedef struct {
    const tcpphase_packet_t *pkt;
    explain_packet_t         in;
    explain_lang_t           lang;
    char                     app[128]; /* in.app_line points here */
} tcpphase_explain_tap_t;

/* The conversation as its record holds it now. */
static inline void
conv_record_summary(const tcpphase_conv_t *conv, conv_summary_t *out)
{
    conv_summary_fill(&conv->tcp, conv->tls, out);
}

#endif /* TCPPHASE_RECORD_H */
