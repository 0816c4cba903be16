/* conv_table.c
 * One row per TCP conversation (docs/spec.md section 7):
 *   -z tcpphase,conv[,FILTER]  an aligned table, also Statistics > TCP
 *                              Session Phase Conversations in the GUI
 *                              (sortable, copy and save as usual);
 *   -z tcpphase,csv[,FILTER]   the same rows as RFC 4180 CSV (conv_csv.c).
 * Rows are drawn from the conversation summary (conv_summary.h), as the
 * tcpphase.conv.* fields are, so the two cannot differ.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config_tcpphase.h"

#include <stdio.h>
#include <string.h>

#include <epan/addr_resolv.h>
#include <epan/packet.h>
#include <epan/stat_tap_ui.h>
#include <epan/tap.h>
#include <wsutil/str_util.h>

#include "conv_csv.h"
#include "tcpphase_record.h"
#include "tap_util.h"
#include "tcpphase_taps.h"
#include "ws_compat.h"
#include "tp_time.h"

/* ---- formatting shared by both outputs ---- */

/* Seconds with 6 decimals, "" when undefined. */
static void
format_seconds(char *buf, size_t size, gboolean defined, tp_time_t t)
{
    if (!defined) {
        buf[0] = '\0';
        return;
    }
    tp_time_format(buf, size, t, 6);
}

/* The label columns of one row: static names and the record's own
 * texts, nothing to format (the table sets them on every packet). */
typedef struct {
    const char *state, *closer, *close, *tls_version, *tls_result;
} conv_row_labels_t;

static void
conv_row_labels(const conv_summary_t *sum, conv_row_labels_t *row)
{
    row->state = conn_state_name(sum->state);
    row->closer = sum->closer ? tp_role_name(sum->closer) : "";
    row->close = tp_close_name(sum->close);
    row->tls_version = sum->tls_version ? tls_version_name(sum->tls_version) : "";
    row->tls_result = tls_result_name(sum->tls_result);
}

/* ---- -z tcpphase,conv and the GUI table ---- */

/* clang-format off */
enum {
    COL_STREAM, COL_CLIENT, COL_SERVER, COL_STATE, COL_HISTORY, COL_RTT, COL_TTFB,
    COL_DURATION, COL_PKTS_HANDSHAKE, COL_PKTS_DATA, COL_PKTS_TEARDOWN, COL_BYTES_TO_SERVER,
    COL_BYTES_TO_CLIENT, COL_CLOSER, COL_CLOSE, COL_TLS_VERSION, COL_TLS_SNI, COL_TLS_TIME,
    COL_TLS_RESULT, NUM_COLS
};

/* Names are padded to the field widths so tshark's header lines up. */
static stat_tap_table_item conv_table_fields[NUM_COLS] = {
    { TABLE_ITEM_UINT,   TAP_ALIGN_RIGHT, "Stream", "%6u" },
    { TABLE_ITEM_STRING, TAP_ALIGN_LEFT,  "Client                ", "%-22s" },
    { TABLE_ITEM_STRING, TAP_ALIGN_LEFT,  "Server                ", "%-22s" },
    { TABLE_ITEM_STRING, TAP_ALIGN_LEFT,  "State ", "%-6s" },
    { TABLE_ITEM_STRING, TAP_ALIGN_LEFT,  "History     ", "%-12s" },
    { TABLE_ITEM_STRING, TAP_ALIGN_RIGHT, "Handshake RTT", "%13s" },
    { TABLE_ITEM_STRING, TAP_ALIGN_RIGHT, "      TTFB", "%10s" },
    { TABLE_ITEM_FLOAT,  TAP_ALIGN_RIGHT, "  Duration", "%10.6f" },
    { TABLE_ITEM_UINT,   TAP_ALIGN_RIGHT, "Hs pkts", "%7u" },
    { TABLE_ITEM_UINT,   TAP_ALIGN_RIGHT, "Data pkts", "%9u" },
    { TABLE_ITEM_UINT,   TAP_ALIGN_RIGHT, "Td pkts", "%7u" },
    /* 64-bit counts: a double holds them exactly up to 2^53 bytes. */
    { TABLE_ITEM_FLOAT,  TAP_ALIGN_RIGHT, "Bytes to server", "%15.0f" },
    { TABLE_ITEM_FLOAT,  TAP_ALIGN_RIGHT, "Bytes to client", "%15.0f" },
    { TABLE_ITEM_STRING, TAP_ALIGN_LEFT,  "Closer", "%-6s" },
    { TABLE_ITEM_STRING, TAP_ALIGN_LEFT,  "Close      ", "%-11s" },
    { TABLE_ITEM_STRING, TAP_ALIGN_LEFT,  "TLS    ", "%-7s" },
    { TABLE_ITEM_STRING, TAP_ALIGN_LEFT,  "SNI                 ", "%-20s" },
    { TABLE_ITEM_STRING, TAP_ALIGN_RIGHT, "TLS hs time", "%11s" },
    { TABLE_ITEM_STRING, TAP_ALIGN_LEFT,  "TLS result ", "%-11s" },
};
/* clang-format on */

static const char conv_table_name[] = "TCP Session Phase Conversations";

/* One row of the table being filled, and what its text cells were last
 * drawn from: most packets change counters only, so the texts are
 * compared and replaced only when one of these moved. */
typedef struct {
    guint    row;
    gboolean drawn; /* the text cells hold this row's texts */
    guint8   history_len;
    guint8   state, close, closer, tls_result;
    guint16  tls_version;
} conv_row_t;

/* tcp.stream -> conv_row_t of the table being filled. */
static GHashTable *conv_table_rows;

static void
conv_table_init(stat_tap_table_ui *new_stat)
{
    stat_tap_table *table = stat_tap_find_table(new_stat, conv_table_name);

    if (table != NULL) {
        if (new_stat->stat_tap_reset_table_cb)
            new_stat->stat_tap_reset_table_cb(table);
        return;
    }
    table = stat_tap_init_table(conv_table_name, NUM_COLS, 0, "tcp.stream == %d");
    stat_tap_add_table(new_stat, table);
    if (conv_table_rows == NULL)
        conv_table_rows = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, g_free);
    g_hash_table_remove_all(conv_table_rows);
}

static void
set_uint(stat_tap_table *table, guint row, guint col, guint32 value)
{
    stat_tap_get_field_data(table, row, col)->value.uint_value = value;
}

static void
set_count64(stat_tap_table *table, guint row, guint col, guint64 value)
{
    stat_tap_get_field_data(table, row, col)->value.float_value = (double)value;
}

/* Replaces a text cell only when its text changed: most packets change
 * counters only. */
static void
set_text(stat_tap_table *table, guint row, guint col, const char *text)
{
    stat_tap_table_item_type *item = stat_tap_get_field_data(table, row, col);

    if (item->value.string_value != NULL && strcmp(item->value.string_value, text) == 0)
        return;
    g_free((char *)item->value.string_value);
    item->value.string_value = g_strdup(text);
}

/* A time cell: formatted once, when the time becomes known. */
static void
set_time_once(stat_tap_table *table, guint row, guint col, gboolean known, tp_time_t t)
{
    const char *old = stat_tap_get_field_data(table, row, col)->value.string_value;
    char        text[32];

    if (!known || (old != NULL && old[0] != '\0'))
        return;
    format_seconds(text, sizeof(text), TRUE, t);
    set_text(table, row, col, text);
}

static tap_packet_status
conv_table_packet(void *tapdata, packet_info *pinfo _U_, epan_dissect_t *edt _U_, const void *data,
                  tap_flags_t flags _U_)
{
    stat_data_t             *stat_data = (stat_data_t *)tapdata;
    const tcpphase_packet_t *pkt = (const tcpphase_packet_t *)data;
    const tcpphase_conv_t   *conv = pkt->conv;
    stat_tap_table *table = g_array_index(stat_data->stat_tap_data->tables, stat_tap_table *, 0);
    conv_row_t     *r =
        (conv_row_t *)g_hash_table_lookup(conv_table_rows, GUINT_TO_POINTER(conv->stream));
    guint             row;
    conv_summary_t    sum;
    conv_row_labels_t labels;

    if (r == NULL) {
        stat_tap_table_item_type items[NUM_COLS];
        memset(items, 0, sizeof(items));
        for (guint c = 0; c < NUM_COLS; c++)
            items[c].type = conv_table_fields[c].type;
        items[COL_STREAM].value.uint_value = conv->stream;
        /* The filter column value: clicking a row filters tcp.stream. */
        items[COL_STREAM].user_data.uint_value = conv->stream;
        items[COL_CLIENT].value.string_value = g_strdup(tap_conv_client(conv, pinfo->pool));
        items[COL_SERVER].value.string_value = g_strdup(tap_conv_server(conv, pinfo->pool));
        for (guint c = 0; c < NUM_COLS; c++) {
            if (items[c].type == TABLE_ITEM_STRING && items[c].value.string_value == NULL)
                items[c].value.string_value = g_strdup("");
        }
        r = g_new0(conv_row_t, 1);
        r->row = table->num_elements;
        stat_tap_init_table_row(table, r->row, NUM_COLS, items);
        g_hash_table_insert(conv_table_rows, GUINT_TO_POINTER(conv->stream), r);
    }
    row = r->row;
    /* Per packet only counters and the duration change; the times below
     * are set once, the texts a few times per conversation. */
    conv_record_summary(conv, &sum);
    stat_tap_get_field_data(table, row, COL_DURATION)->value.float_value =
        (double)sum.duration / 1e9;
    set_uint(table, row, COL_PKTS_HANDSHAKE, sum.packets[TP_PHASE_HANDSHAKE - 1]);
    set_uint(table, row, COL_PKTS_DATA, sum.packets[TP_PHASE_DATA - 1]);
    set_uint(table, row, COL_PKTS_TEARDOWN, sum.packets[TP_PHASE_TEARDOWN - 1]);
    set_count64(table, row, COL_BYTES_TO_SERVER, sum.bytes_to_server);
    set_count64(table, row, COL_BYTES_TO_CLIENT, sum.bytes_to_client);
    /* A time can become known on a packet that changes no text (the TTFB
     * after a server banner): checked on every packet, formatted once. */
    set_time_once(table, row, COL_RTT, sum.has_handshake_rtt, sum.handshake_rtt);
    set_time_once(table, row, COL_TTFB, sum.has_ttfb, sum.ttfb);
    set_time_once(table, row, COL_TLS_TIME, sum.has_tls_handshake_time, sum.tls_handshake_time);
    if (r->drawn && r->history_len == conv->tcp.zeek.history_len && r->state == sum.state &&
        r->close == sum.close && r->closer == sum.closer && r->tls_result == sum.tls_result &&
        r->tls_version == sum.tls_version)
        return TAP_PACKET_REDRAW;
    r->drawn = TRUE;
    r->history_len = conv->tcp.zeek.history_len;
    r->state = (guint8)sum.state;
    r->close = (guint8)sum.close;
    r->closer = (guint8)sum.closer;
    r->tls_result = (guint8)sum.tls_result;
    r->tls_version = sum.tls_version;
    conv_row_labels(&sum, &labels);
    set_text(table, row, COL_STATE, labels.state);
    set_text(table, row, COL_HISTORY, sum.history);
    set_text(table, row, COL_CLOSER, labels.closer);
    set_text(table, row, COL_CLOSE, labels.close);
    set_text(table, row, COL_TLS_VERSION, labels.tls_version);
    set_text(table, row, COL_TLS_SNI, sum.tls_sni);
    set_text(table, row, COL_TLS_RESULT, labels.tls_result);
    return TAP_PACKET_REDRAW;
}

static void
conv_table_reset(stat_tap_table *table)
{
    /* Rows are rebuilt from scratch on a retap. */
    tap_table_clear_rows(table);
    if (conv_table_rows != NULL)
        g_hash_table_remove_all(conv_table_rows);
}

static void
conv_table_shutdown(void)
{
    if (conv_table_rows != NULL) {
        g_hash_table_destroy(conv_table_rows);
        conv_table_rows = NULL;
    }
}

void
register_tcpphase_conv_table(void)
{
    static tap_param conv_table_params[] = {
        {PARAM_FILTER, "filter", "Filter", NULL, TRUE}
    };
    static stat_tap_table_ui conv_table_ui = { REGISTER_STAT_GROUP_GENERIC,
                                               "TCP Session Phase Conversations",
                                               TCPPHASE_TAP_NAME,
                                               "tcpphase,conv",
                                               conv_table_init,
                                               conv_table_packet,
                                               conv_table_reset,
                                               tap_table_free_text,
                                               NULL,
                                               NUM_COLS,
                                               conv_table_fields,
                                               G_N_ELEMENTS(conv_table_params),
                                               conv_table_params,
                                               NULL,
                                               0 };

    register_stat_tap_table_ui(&conv_table_ui);
    register_shutdown_routine(conv_table_shutdown);
}

/* ---- -z tcpphase,csv ---- */

typedef struct {
    char       *filter;
    GHashTable *seen; /* tcp.stream -> conversation */
} csv_tap_t;

static tap_packet_status
csv_packet(void *tapdata, packet_info *pinfo _U_, epan_dissect_t *edt _U_, const void *data,
           tap_flags_t flags _U_)
{
    csv_tap_t               *csv = (csv_tap_t *)tapdata;
    const tcpphase_packet_t *pkt = (const tcpphase_packet_t *)data;

    g_hash_table_insert(csv->seen, GUINT_TO_POINTER(pkt->conv->stream), pkt->conv);
    return TAP_PACKET_DONT_REDRAW;
}

static gint
compare_streams(gconstpointer a, gconstpointer b)
{
    guint sa = GPOINTER_TO_UINT(*(gconstpointer const *)a);
    guint sb = GPOINTER_TO_UINT(*(gconstpointer const *)b);

    return sa < sb ? -1 : sa > sb;
}

static void
csv_draw(void *tapdata)
{
    csv_tap_t     *csv = (csv_tap_t *)tapdata;
    GPtrArray     *streams = g_ptr_array_new();
    GHashTableIter iter;
    gpointer       key;
    /* The endpoint texts of one row, freed after each row. */
    wmem_allocator_t *scratch = wmem_allocator_new(WMEM_ALLOCATOR_BLOCK);

    g_hash_table_iter_init(&iter, csv->seen);
    while (g_hash_table_iter_next(&iter, &key, NULL))
        g_ptr_array_add(streams, key);
    g_ptr_array_sort(streams, compare_streams);

    conv_csv_write_header(stdout);
    for (guint i = 0; i < streams->len; i++) {
        const tcpphase_conv_t *conv =
            (const tcpphase_conv_t *)g_hash_table_lookup(csv->seen, g_ptr_array_index(streams, i));
        conv_summary_t sum;

        conv_record_summary(conv, &sum);
        conv_csv_write_row(stdout, conv->stream, tap_conv_client(conv, scratch),
                           tap_conv_server(conv, scratch), &sum);
        wmem_free_all(scratch);
    }
    wmem_destroy_allocator(scratch);
    g_ptr_array_free(streams, TRUE);
}

static void
csv_finish(void *tapdata)
{
    csv_tap_t *csv = (csv_tap_t *)tapdata;

    g_hash_table_destroy(csv->seen);
    g_free(csv->filter);
    g_free(csv);
}

static tp_stat_tap_init_ret_t
csv_init(const char *opt_arg, void *userdata _U_)
{
    static const char prefix[] = "tcpphase,csv";
    csv_tap_t        *csv = g_new0(csv_tap_t, 1);
    GString          *error;

    if (strncmp(opt_arg, prefix, sizeof(prefix) - 1) == 0 && opt_arg[sizeof(prefix) - 1] == ',')
        csv->filter = g_strdup(opt_arg + sizeof(prefix));
    csv->seen = g_hash_table_new(g_direct_hash, g_direct_equal);
    error = register_tap_listener(TCPPHASE_TAP_NAME, csv, csv->filter, 0, NULL, csv_packet,
                                  csv_draw, csv_finish);
    if (error != NULL) {
        fprintf(stderr, "tshark: Couldn't register tcpphase,csv tap: %s\n", error->str);
        g_string_free(error, TRUE);
        csv_finish(csv);
        TP_STAT_TAP_INIT_FAILED();
    }
    return TP_STAT_TAP_INIT_OK;
}

void
register_tcpphase_csv(void)
{
    static tap_param csv_params[] = {
        {PARAM_FILTER, "filter", "Filter", NULL, TRUE}
    };
    static stat_tap_ui csv_ui = { REGISTER_STAT_GROUP_GENERIC, NULL,      "tcpphase,csv", csv_init,
                                  G_N_ELEMENTS(csv_params),    csv_params };

    register_stat_tap_ui(&csv_ui, NULL);
}
