/* conv_csv.h
 * The CSV form of the conversation summary (docs/spec.md section 7): the
 * header and one row per conversation, RFC 4180, CRLF line ends. Shared by
 * -z tcpphase,csv and any other program that writes the same rows.
 *
 * Pure C: no epan headers, so it can be unit-tested on its own.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef TCPPHASE_CONV_CSV_H
#define TCPPHASE_CONV_CSV_H

#include <stdint.h>
#include <stdbool.h>
#include <stdio.h>

#include "conv_summary.h"

void conv_csv_write_header(FILE *out);

/* One RFC 4180 field: quoted when the text holds a comma, a quote or a
 * line break, quotes doubled; always_quote for free text such as the SNI. */
void conv_csv_field(FILE *out, const char *text, bool always_quote);

/* client and server are "address:port" ("[v6]:port" for IPv6). */
void conv_csv_write_row(FILE *out, uint32_t stream, const char *client, const char *server,
                        const conv_summary_t *sum);

#endif /* TCPPHASE_CONV_CSV_H */
