/* tap_util.c
 * What the statistics share (see tap_util.h).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config_tcpphase.h"

#include <epan/addr_resolv.h>
#include <epan/packet.h>

#include "tap_util.h"

static const char *
format_endpoint(const address *addr, guint16 port, wmem_allocator_t *scope)
{
    char *text = address_to_str(scope, addr);

    if (addr->type == AT_IPv6)
        return wmem_strdup_printf(scope, "[%s]:%u", text, port);
    return wmem_strdup_printf(scope, "%s:%u", text, port);
}

const char *
tap_conv_client(const tcpphase_conv_t *conv, wmem_allocator_t *scope)
{
    return conv->tcp.first_sender_is_client
        ? format_endpoint(&conv->first_src, conv->first_src_port, scope)
        : format_endpoint(&conv->first_dst, conv->first_dst_port, scope);
}

const char *
tap_conv_server(const tcpphase_conv_t *conv, wmem_allocator_t *scope)
{
    return conv->tcp.first_sender_is_client
        ? format_endpoint(&conv->first_dst, conv->first_dst_port, scope)
        : format_endpoint(&conv->first_src, conv->first_src_port, scope);
}

void
tap_table_free_text(stat_tap_table *table _U_, guint row _U_, guint column _U_,
                    stat_tap_table_item_type *field_data)
{
    if (field_data->type == TABLE_ITEM_STRING) {
        g_free((char *)field_data->value.string_value);
        field_data->value.string_value = NULL;
    }
}

void
tap_table_clear_rows(stat_tap_table *table)
{
    for (guint row = 0; row < table->num_elements; row++) {
        for (guint col = 0; col < table->num_fields; col++)
            tap_table_free_text(table, row, col, stat_tap_get_field_data(table, row, col));
        g_free(table->elements[row]);
    }
    g_free(table->elements);
    table->elements = NULL;
    table->num_elements = 0;
}
