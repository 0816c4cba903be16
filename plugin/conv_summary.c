/* conv_summary.c
 * The conversation summary every output draws (docs/spec.md section 5).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "conv_summary.h"

#include <string.h>

void
conv_summary_fill(const tp_conv_t *tcp, const tls_conv_t *tls, conv_summary_t *out)
{
    memset(out, 0, sizeof(*out));
    out->state = tp_conv_state(tcp);
    out->history = tp_conv_history(tcp);
    out->complete = tp_conv_complete(tcp);
    out->close = tp_conv_close(tcp);
    out->closer = tcp->closer;
    out->has_handshake_rtt = tp_conv_handshake_rtt(tcp, &out->handshake_rtt);
    out->has_ttfb = tp_conv_ttfb(tcp, &out->ttfb);
    out->duration = tp_conv_duration(tcp);
    out->syn_frame = tcp->syn_frame;
    out->established_frame = tcp->established_frame;
    out->close_frame = tcp->close_frame;
    for (int i = 0; i < TP_PHASE_COUNT; i++)
        out->packets[i] = tcp->phase_packets[i];
    out->bytes_to_server = tcp->bytes_to_server;
    out->bytes_to_client = tcp->bytes_to_client;

    out->tls_sni = "";
    out->tls_result = tls != NULL ? tls_conv_result(tls) : TLS_RESULT_NONE;
    if (out->tls_result == TLS_RESULT_NONE)
        return;
    out->tls_version = tls->version;
    out->tls_sni = tls->sni;
    out->tls_established = tls->established;
    out->tls_resumed = tls_conv_resumed(tls);
    out->has_tls_handshake_time = tls_conv_handshake_time(tls, &out->tls_handshake_time);
}
