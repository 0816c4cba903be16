/* test_conv_csv.c
 * The CSV row of a conversation summary (docs/spec.md section 7): empty
 * cells for what is undefined, times cut to 6 decimals with their sign,
 * RFC 4180 quoting, 64-bit byte counts.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define _POSIX_C_SOURCE 200809L
#include <stdlib.h>

#include "check.h"
#include "conv_csv.h"

static char *
row_text(uint32_t stream, const char *client, const char *server, const conv_summary_t *sum)
{
    char  *text = NULL;
    size_t size = 0;
    FILE  *out = open_memstream(&text, &size);

    conv_csv_write_row(out, stream, client, server, sum);
    fclose(out);
    return text;
}

static conv_summary_t
base_summary(void)
{
    conv_summary_t sum;

    memset(&sum, 0, sizeof(sum));
    sum.state = CONN_STATE_SF;
    sum.history = "ShADadFf";
    sum.close = TP_CLOSE_GRACEFUL;
    sum.closer = TP_ROLE_CLIENT;
    sum.has_handshake_rtt = true;
    sum.handshake_rtt = 123456; /* 0.000123456 s, cut to 0.000123 */
    sum.duration = 1500000000;
    sum.packets[0] = 3;
    sum.packets[1] = 4;
    sum.packets[2] = 3;
    sum.bytes_to_server = 75;
    sum.bytes_to_client = 428;
    sum.tls_result = TLS_RESULT_NONE;
    sum.tls_sni = "";
    return sum;
}

static void
edit_none(conv_summary_t *sum)
{
    (void)sum;
}

static void
edit_tls(conv_summary_t *sum)
{
    sum->tls_result = TLS_RESULT_ESTABLISHED;
    sum->tls_version = TLS_VERSION_TLS13;
    sum->tls_sni = "a,\"b\".example";
    sum->has_tls_handshake_time = true;
    sum->tls_handshake_time = 2000000;
    sum->has_ttfb = true;
    sum->ttfb = 0;
}

static void
edit_backwards(conv_summary_t *sum)
{
    sum->handshake_rtt = -249; /* under a microsecond: -0.000000 */
    sum->duration = -1500000000;
    sum->state = CONN_STATE_S1;
    sum->close = TP_CLOSE_OPEN;
    sum->closer = 0;
}

static void
edit_big(conv_summary_t *sum)
{
    sum->bytes_to_server = UINT64_C(5000000000); /* beyond 32 bits */
    sum->has_handshake_rtt = false;
}

/* clang-format off */
static const struct {
    const char *what;
    void (*edit)(conv_summary_t *sum);
    const char *client;
    const char *expected;
} cases[] = {
    { "plain HTTP", edit_none, "10.0.0.1:40000",
      "7,10.0.0.1:40000,10.0.0.2:80,SF,ShADadFf,0.000123,,1.500000,3,4,3,75,428,"
      "client,graceful,,\"\",,none\r\n" },
    { "TLS, SNI quoted", edit_tls, "10.0.0.1:40000",
      "7,10.0.0.1:40000,10.0.0.2:80,SF,ShADadFf,0.000123,0.000000,1.500000,3,4,3,75,428,"
      "client,graceful,TLS 1.3,\"a,\"\"b\"\".example\",0.002000,established\r\n" },
    { "backwards timestamps", edit_backwards, "10.0.0.1:40000",
      "7,10.0.0.1:40000,10.0.0.2:80,S1,ShADadFf,-0.000000,,-1.500000,3,4,3,75,428,"
      ",open,,\"\",,none\r\n" },
    { "64-bit bytes, no RTT", edit_big, "[2001:db8::1]:40000",
      "7,[2001:db8::1]:40000,10.0.0.2:80,SF,ShADadFf,,,1.500000,3,4,3,5000000000,428,"
      "client,graceful,,\"\",,none\r\n" },
};
/* clang-format on */

int
main(void)
{
    char  *header = NULL;
    size_t size = 0;
    FILE  *out = open_memstream(&header, &size);

    conv_csv_write_header(out);
    fclose(out);
    CHECK_STR(header,
              "stream,client,server,state,history,handshake_rtt,ttfb,duration,packets_handshake,"
              "packets_data,packets_teardown,bytes_to_server,bytes_to_client,closer,close,"
              "tls_version,tls_sni,tls_handshake_time,tls_result\r\n",
              "header");
    free(header);

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        conv_summary_t sum = base_summary();
        char          *row;

        cases[i].edit(&sum);
        row = row_text(7, cases[i].client, "10.0.0.2:80", &sum);
        CHECK_STR(row, cases[i].expected, cases[i].what);
        free(row);
    }
    return check_report();
}
