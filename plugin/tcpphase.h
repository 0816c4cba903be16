/* tcpphase.h
 * Types shared by the plugin's epan-facing files.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef TCPPHASE_TCPPHASE_H
#define TCPPHASE_TCPPHASE_H

#include <epan/address.h>
#include <wsutil/wmem/wmem.h>

#include "tcp_phase.h"
#include "tls_stage.h"
#include "ws_compat.h"

/* One TCP conversation (one tcp.stream), file scope. */
typedef struct {
    guint32   stream;
    address   first_src, first_dst;   /* endpoints of its first packet */
    guint16   first_src_port, first_dst_port;
    tp_conv_t tcp;
    tls_conv_t *tls;                  /* NULL until TLS is recognised */
    gboolean  tls_checked;            /* the first payload was looked at */
    guint8    state;                  /* conn_state_t after the last packet */
    guint8    tls_result;             /* tls_result_t after the last packet */
} tcpphase_conv_t;

/* The stored result for one TCP packet, file scope; one per TCP packet of
 * the capture, so packed small. */
typedef struct {
    tcpphase_conv_t *conv;            /* NULL: no result for this frame */
    guint8          *tls_stages;      /* tls_stage_t each, record order */
    tp_packet_t      tcp;
    guint8           tls_count;       /* TLS records completing here */
    guint8           tls_phase;       /* tls_phase_t, 0 without records */
    /* How this packet moved the conversation's verdicts, for statistics
     * that must come out the same in one pass and in two. */
    guint8           state_before;    /* conn_state_t; unset on the first */
    guint8           state_after;
    guint8           tls_result_before; /* tls_result_t */
    guint8           tls_result_after;
    guint8           flags;           /* PACKET_* */
} tcpphase_packet_t;

#define PACKET_FIRST_OF_CONV   0x01
#define PACKET_TLS_FAILED_HERE 0x02   /* the TLS handshake failed here */

/* The tap the post-dissector queues once per TCP packet; its data is the
 * packet's tcpphase_packet_t (conversation reachable through ->conv). */
#define TCPPHASE_TAP_NAME "tcpphase"

/* Registered from the plugin's tap registration. */
void register_tcpphase_stats_tree(void);
void register_tcpphase_csv(void);
/* Registered with the protocol (the GUI finds table statistics there). */
void register_tcpphase_conv_table(void);

/* Formatting shared by the conversation table and the CSV output. */
const char *tcpphase_conv_client(const tcpphase_conv_t *conv, wmem_allocator_t *scope);
const char *tcpphase_conv_server(const tcpphase_conv_t *conv, wmem_allocator_t *scope);
tls_result_t tcpphase_conv_tls_result(const tcpphase_conv_t *conv);

void proto_register_tcpphase(void);
void proto_reg_handoff_tcpphase(void);

#endif /* TCPPHASE_TCPPHASE_H */
