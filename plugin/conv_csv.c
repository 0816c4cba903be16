/* conv_csv.c
 * The CSV form of the conversation summary (docs/spec.md section 7).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "conv_csv.h"

#include <inttypes.h>
#include <stdbool.h>
#include <string.h>

#include "tp_time.h"

void
conv_csv_write_header(FILE *out)
{
    fputs("stream,client,server,state,history,handshake_rtt,ttfb,duration,"
          "packets_handshake,packets_data,packets_teardown,bytes_to_server,"
          "bytes_to_client,closer,close,tls_version,tls_sni,tls_handshake_time,tls_result\r\n",
          out);
}

void
conv_csv_field(FILE *out, const char *text, bool always_quote)
{
    if (!always_quote && strpbrk(text, ",\"\r\n") == NULL) {
        fputs(text, out);
        return;
    }
    fputc('"', out);
    for (; *text; text++) {
        if (*text == '"')
            fputc('"', out);
        fputc(*text, out);
    }
    fputc('"', out);
}

/* Seconds with 6 decimals, cut, sign kept; nothing when undefined. */
static void
put_seconds(FILE *out, bool defined, tp_time_t t)
{
    char text[32];

    if (!defined)
        return;
    tp_time_format(text, sizeof(text), t, 6);
    fputs(text, out);
}

void
conv_csv_write_row(FILE *out, uint32_t stream, const char *client, const char *server,
                   const conv_summary_t *sum)
{
    fprintf(out, "%" PRIu32 ",", stream);
    conv_csv_field(out, client, false);
    fputc(',', out);
    conv_csv_field(out, server, false);
    fprintf(out, ",%s,", conn_state_name(sum->state));
    conv_csv_field(out, sum->history, false);
    fputc(',', out);
    put_seconds(out, sum->has_handshake_rtt, sum->handshake_rtt);
    fputc(',', out);
    put_seconds(out, sum->has_ttfb, sum->ttfb);
    fputc(',', out);
    put_seconds(out, true, sum->duration);
    fprintf(out, ",%" PRIu32 ",%" PRIu32 ",%" PRIu32 ",%" PRIu64 ",%" PRIu64 ",%s,%s,%s,",
            sum->packets[TP_PHASE_HANDSHAKE - 1], sum->packets[TP_PHASE_DATA - 1],
            sum->packets[TP_PHASE_TEARDOWN - 1], sum->bytes_to_server, sum->bytes_to_client,
            sum->closer ? tp_role_name(sum->closer) : "", tp_close_name(sum->close),
            sum->tls_version ? tls_version_name(sum->tls_version) : "");
    conv_csv_field(out, sum->tls_sni, true);
    fputc(',', out);
    put_seconds(out, sum->has_tls_handshake_time, sum->tls_handshake_time);
    fprintf(out, ",%s\r\n", tls_result_name(sum->tls_result));
}
