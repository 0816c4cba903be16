/* tcpphase.h
 * Types shared by the plugin's epan-facing files.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef TCPPHASE_TCPPHASE_H
#define TCPPHASE_TCPPHASE_H

#include <epan/address.h>

#include "tcp_phase.h"
#include "tls_stage.h"

/* One TCP conversation (one tcp.stream), file scope. */
typedef struct {
    guint32   stream;
    address   first_src, first_dst;   /* endpoints of its first packet */
    guint16   first_src_port, first_dst_port;
    tp_conv_t tcp;
    tls_conv_t *tls;                  /* NULL until TLS is recognised */
    gboolean  tls_checked;            /* the first payload was looked at */
} tcpphase_conv_t;

/* The stored result for one packet, file scope. */
typedef struct {
    tcpphase_conv_t *conv;
    tp_packet_t      tcp;
    guint8           tls_count;       /* TLS records completing here */
    guint8           tls_phase;       /* tls_phase_t, 0 without records */
    gboolean         tls_failed_here; /* the TLS handshake failed here */
    guint8          *tls_stages;      /* tls_stage_t each, record order */
} tcpphase_packet_t;

void proto_register_tcpphase(void);
void proto_reg_handoff_tcpphase(void);

#endif /* TCPPHASE_TCPPHASE_H */
