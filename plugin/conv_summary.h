/* conv_summary.h
 * The one summary of a TCP conversation that every output draws: the
 * tcpphase.conv.* fields, the -z tcpphase,conv table, the CSV and the
 * statistics tree. Filled by one function from the two machines' records,
 * so no two outputs can disagree (docs/spec.md section 5).
 *
 * Pure C: no epan headers, so it can be unit-tested on its own.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef TCPPHASE_CONV_SUMMARY_H
#define TCPPHASE_CONV_SUMMARY_H

#include <stdbool.h>
#include <stdint.h>

#include "conn_state.h"
#include "tcp_phase.h"
#include "tls_stage.h"

typedef struct {
    /* TCP (docs/spec.md sections 5 and 5.1) */
    conn_state_t state;
    const char  *history; /* the record's own text, never NULL */
    bool         complete;
    tp_close_t   close;
    tp_role_t    closer; /* 0 while open */
    bool         has_handshake_rtt, has_ttfb;
    tp_time_t    handshake_rtt, ttfb, duration;             /* nanoseconds */
    uint32_t     syn_frame, established_frame, close_frame; /* 0 = none */
    uint32_t     packets[TP_PHASE_COUNT];                   /* by tp_phase_t - 1 */
    uint64_t     bytes_to_server, bytes_to_client;

    /* TLS (docs/spec.md section 4); the rest is unset while result is none */
    tls_result_t tls_result;
    uint16_t     tls_version; /* 0: not negotiated yet */
    const char  *tls_sni;     /* "" without a server_name, never NULL */
    bool         tls_established, tls_resumed;
    bool         has_tls_handshake_time;
    tls_time_t   tls_handshake_time;
} conv_summary_t;

/* tls may be NULL (no TLS seen on the conversation). The summary points
 * into the records (history, SNI): it is valid while they are. */
void conv_summary_fill(const tp_conv_t *tcp, const tls_conv_t *tls, conv_summary_t *out);

#endif /* TCPPHASE_CONV_SUMMARY_H */
