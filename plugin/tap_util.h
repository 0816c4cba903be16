/* tap_util.h
 * What the statistics share: the endpoint texts of a conversation and the
 * row bookkeeping of a stat_tap_table whose text cells are g_strdup'ed.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef TCPPHASE_TAP_UTIL_H
#define TCPPHASE_TAP_UTIL_H

#include <epan/stat_tap_ui.h>
#include <wsutil/wmem/wmem.h>

#include "tcpphase_record.h"

/* "address:port" ("[v6]:port") of the conversation's client and server. */
const char *tap_conv_client(const tcpphase_conv_t *conv, wmem_allocator_t *scope);
const char *tap_conv_server(const tcpphase_conv_t *conv, wmem_allocator_t *scope);

/* A table's reset callback: frees every row and its text cells. */
void tap_table_clear_rows(stat_tap_table *table);
/* A table's free-item callback: frees a text cell. */
void tap_table_free_text(stat_tap_table *table, guint row, guint column,
                         stat_tap_table_item_type *field_data);

#endif /* TCPPHASE_TAP_UTIL_H */
