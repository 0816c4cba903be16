/* ladder_tap.c
 * -z tcpphase,ladder[,OPTIONS][,FILTER]   a ladder diagram per conversation
 * -z tcpphase,explain[,OPTIONS][,FILTER]  the narrative per conversation
 * OPTIONS: any of utf8, ascii, svg (ladder), md (narrative), all, each
 * followed by a comma.
 * -z tcpphase,writeup[,FILTER]            the same rows as a table, which is
 *                                          also Statistics > TCP Session
 *                                          Phase Write-up in the GUI.
 * All read the "tcpphase.explain" tap, which the post-dissector queues
 * only while one of them listens; the text is written by the pure
 * explain.c and ladder.c (docs/spec.md section 9).
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

#include "ladder.h"
#include "tcpphase_record.h"
#include "tap_util.h"
#include "tcpphase_taps.h"
#include "tp_time.h"
#include "ws_compat.h"

typedef struct {
    const tcpphase_conv_t *conv;
    GArray                *rows; /* ladder_row_t; texts and row.in's arrays owned */
} ladder_entry_t;

typedef struct {
    gboolean      narrative;
    gboolean      svg, markdown;
    ladder_opts_t opts;
    char         *filter;
    GHashTable   *convs; /* tcpphase_conv_t * -> ladder_entry_t * */
} ladder_tap_t;

static void
free_entry(gpointer p)
{
    ladder_entry_t *entry = (ladder_entry_t *)p;

    for (guint i = 0; i < entry->rows->len; i++) {
        ladder_row_t *row = &g_array_index(entry->rows, ladder_row_t, i);
        g_free((char *)row->label);
        g_free((char *)row->sentence);
        g_free((char *)row->in.tls_stages);
        g_free((char *)row->in.tls_alerts);
        g_free((char *)row->in.app_line);
    }
    g_array_free(entry->rows, TRUE);
    g_free(entry);
}

static tap_packet_status
ladder_packet(void *tapdata, packet_info *pinfo, epan_dissect_t *edt _U_, const void *data,
              tap_flags_t flags _U_)
{
    ladder_tap_t                 *lt = (ladder_tap_t *)tapdata;
    const tcpphase_explain_tap_t *ex = (const tcpphase_explain_tap_t *)data;
    const tcpphase_conv_t        *conv = ex->pkt->conv;
    ladder_entry_t               *entry = (ladder_entry_t *)g_hash_table_lookup(lt->convs, conv);
    ladder_row_t                  row;
    char                          text[768];
    /* Clamped as the analysis clamps the times it stores, so that any
     * timestamp gives a defined difference. */
    gint64 now = tp_time_from_timestamp((int64_t)pinfo->abs_ts.secs, pinfo->abs_ts.nsecs);

    /* The explain_language preference, as the post-dissector read it. */
    lt->opts.lang = ex->lang;
    if (entry == NULL) {
        entry = g_new0(ladder_entry_t, 1);
        entry->conv = conv;
        entry->rows = g_array_new(FALSE, FALSE, sizeof(ladder_row_t));
        g_hash_table_insert(lt->convs, (gpointer)conv, entry);
    }
    row.frame = pinfo->num;
    row.time = now - conv->tcp.first_time;
    row.dir = ex->pkt->tcp.dir;
    row.phase = ex->pkt->tcp.phase;
    explain_label(&ex->in, text, sizeof(text));
    row.label = g_strdup(text);
    row.sentence = NULL;
    memset(&row.in, 0, sizeof(row.in));
    if (lt->narrative) {
        explain_sentence(&ex->in, lt->opts.lang, text, sizeof(text));
        row.sentence = g_strdup(text);
        /* The facts outlive the packet: the summary reads them at the end. */
        row.in = ex->in;
        row.in.tls_stages = (const uint8_t *)g_memdup2(ex->in.tls_stages, ex->in.tls_count);
        row.in.tls_alerts = (const uint8_t *)g_memdup2(ex->in.tls_alerts, ex->in.tls_alert_count);
        row.in.app_line = g_strdup(ex->in.app_line);
    }
    g_array_append_val(entry->rows, row);
    return TAP_PACKET_DONT_REDRAW;
}

static gint
compare_entries(gconstpointer a, gconstpointer b)
{
    const ladder_entry_t *ea = *(const ladder_entry_t *const *)a;
    const ladder_entry_t *eb = *(const ladder_entry_t *const *)b;

    if (ea->conv->stream != eb->conv->stream)
        return ea->conv->stream < eb->conv->stream ? -1 : 1;
    return ea->rows->len && eb->rows->len ? (g_array_index(ea->rows, ladder_row_t, 0).frame <
                                                     g_array_index(eb->rows, ladder_row_t, 0).frame
                                                 ? -1
                                                 : 1)
                                          : 0;
}

static void
ladder_draw(void *tapdata)
{
    ladder_tap_t     *lt = (ladder_tap_t *)tapdata;
    GPtrArray        *entries = g_ptr_array_new();
    GHashTableIter    iter;
    gpointer          value;
    wmem_allocator_t *scratch = wmem_allocator_new(WMEM_ALLOCATOR_BLOCK);
    ladder_conv_t    *convs;
    conv_summary_t   *sums;

    g_hash_table_iter_init(&iter, lt->convs);
    while (g_hash_table_iter_next(&iter, NULL, &value))
        g_ptr_array_add(entries, value);
    g_ptr_array_sort(entries, compare_entries);
    convs = g_new0(ladder_conv_t, entries->len ? entries->len : 1);
    sums = g_new0(conv_summary_t, entries->len ? entries->len : 1);
    for (guint i = 0; i < entries->len; i++) {
        const ladder_entry_t  *entry = (const ladder_entry_t *)g_ptr_array_index(entries, i);
        const tcpphase_conv_t *conv = entry->conv;

        conv_record_summary(conv, &sums[i]);
        convs[i].stream = conv->stream;
        convs[i].client = tap_conv_client(conv, scratch);
        convs[i].server = tap_conv_server(conv, scratch);
        convs[i].rows = (const ladder_row_t *)(void *)entry->rows->data;
        convs[i].count = entry->rows->len;
        convs[i].sum = &sums[i];
    }
    if (lt->svg) {
        ladder_write_svg(stdout, convs, entries->len, &lt->opts);
    } else {
        for (guint i = 0; i < entries->len; i++) {
            if (lt->narrative)
                narrative_write(stdout, &convs[i], &lt->opts, lt->markdown);
            else
                ladder_write_text(stdout, &convs[i], &lt->opts);
        }
    }
    g_free(sums);
    g_free(convs);
    wmem_destroy_allocator(scratch);
    g_ptr_array_free(entries, TRUE);
}

static void
ladder_reset(void *tapdata)
{
    g_hash_table_remove_all(((ladder_tap_t *)tapdata)->convs);
}

static void
ladder_finish(void *tapdata)
{
    ladder_tap_t *lt = (ladder_tap_t *)tapdata;

    g_hash_table_destroy(lt->convs);
    g_free(lt->filter);
    g_free(lt);
}

/* Reads the option words after the name; what follows them is the filter.
 * The language comes with the packets (ladder_packet). FALSE when tshark
 * cannot listen (a filter that does not compile). */
static gboolean
ladder_start(const char *opt_arg, const char *prefix, gboolean narrative)
{
    ladder_tap_t *lt = g_new0(ladder_tap_t, 1);
    const char   *p = opt_arg + strlen(prefix);
    GString      *error;

    lt->narrative = narrative;
    lt->opts.ascii = !g_get_charset(NULL); /* UTF-8 arrows where the locale is UTF-8 */
    while (*p == ',') {
        const char *word = p + 1;
        const char *end = strchr(word, ',');
        size_t      len = end ? (size_t)(end - word) : strlen(word);

        if (len == 4 && strncmp(word, "utf8", 4) == 0)
            lt->opts.ascii = FALSE;
        else if (len == 5 && strncmp(word, "ascii", 5) == 0)
            lt->opts.ascii = TRUE;
        else if (len == 3 && strncmp(word, "all", 3) == 0)
            lt->opts.all = TRUE;
        else if (len == 3 && strncmp(word, "svg", 3) == 0 && !narrative)
            lt->svg = TRUE;
        else if (len == 2 && strncmp(word, "md", 2) == 0 && narrative)
            lt->markdown = TRUE;
        else
            break;
        p = word + len;
    }
    if (*p == ',' && p[1] != '\0')
        lt->filter = g_strdup(p + 1);
    lt->convs = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, free_entry);
    error = register_tap_listener(TCPPHASE_EXPLAIN_TAP_NAME, lt, lt->filter, TL_REQUIRES_NOTHING,
                                  ladder_reset, ladder_packet, ladder_draw, ladder_finish);
    if (error != NULL) {
        fprintf(stderr, "tshark: Couldn't register %s tap: %s\n", prefix, error->str);
        g_string_free(error, TRUE);
        ladder_finish(lt);
        return FALSE;
    }
    return TRUE;
}

static tp_stat_tap_init_ret_t
ladder_init(const char *opt_arg, void *userdata _U_)
{
    if (!ladder_start(opt_arg, "tcpphase,ladder", FALSE))
        TP_STAT_TAP_INIT_FAILED();
    return TP_STAT_TAP_INIT_OK;
}

static tp_stat_tap_init_ret_t
narrative_init(const char *opt_arg, void *userdata _U_)
{
    if (!ladder_start(opt_arg, "tcpphase,explain", TRUE))
        TP_STAT_TAP_INIT_FAILED();
    return TP_STAT_TAP_INIT_OK;
}

void
register_tcpphase_ladder(void)
{
    static tap_param params[] = {
        {PARAM_FILTER, "filter", "Filter", NULL, TRUE}
    };
    static stat_tap_ui ladder_ui = { REGISTER_STAT_GROUP_GENERIC, NULL,
                                     "tcpphase,ladder",           ladder_init,
                                     G_N_ELEMENTS(params),        params };
    static stat_tap_ui narrative_ui = { REGISTER_STAT_GROUP_GENERIC, NULL,
                                        "tcpphase,explain",          narrative_init,
                                        G_N_ELEMENTS(params),        params };

    register_stat_tap_ui(&ladder_ui, NULL);
    register_stat_tap_ui(&narrative_ui, NULL);
}

/* ---- the write-up table (tshark and the GUI's Statistics menu) ---- */

enum { WU_STREAM, WU_FRAME, WU_TIME, WU_ARROW, WU_LABEL, WU_EXPLANATION, WU_COLS };

static stat_tap_table_item writeup_fields[WU_COLS] = {
    {TABLE_ITEM_UINT,    TAP_ALIGN_RIGHT, "Stream",                "%6u"   },
    { TABLE_ITEM_UINT,   TAP_ALIGN_RIGHT, " Frame",                "%6u"   },
    { TABLE_ITEM_FLOAT,  TAP_ALIGN_RIGHT, "      Time",            "%10.6f"},
    { TABLE_ITEM_STRING, TAP_ALIGN_LEFT,  "Arrow                ", "%-21s" },
    { TABLE_ITEM_STRING, TAP_ALIGN_LEFT,  "Label",                 "%s"    },
    { TABLE_ITEM_STRING, TAP_ALIGN_LEFT,  "Explanation",           "%s"    },
};

static const char writeup_table_name[] = "TCP Session Phase Write-up";

static void
writeup_init(stat_tap_table_ui *new_stat)
{
    stat_tap_table *table = stat_tap_find_table(new_stat, writeup_table_name);

    if (table != NULL) {
        if (new_stat->stat_tap_reset_table_cb)
            new_stat->stat_tap_reset_table_cb(table);
        return;
    }
    table = stat_tap_init_table(writeup_table_name, WU_COLS, 0, "tcp.stream == %d");
    stat_tap_add_table(new_stat, table);
}

static tap_packet_status
writeup_packet(void *tapdata, packet_info *pinfo, epan_dissect_t *edt _U_, const void *data,
               tap_flags_t flags _U_)
{
    stat_data_t                  *stat_data = (stat_data_t *)tapdata;
    const tcpphase_explain_tap_t *ex = (const tcpphase_explain_tap_t *)data;
    stat_tap_table *table = g_array_index(stat_data->stat_tap_data->tables, stat_tap_table *, 0);
    stat_tap_table_item_type items[WU_COLS];
    char                     text[768];
    gint64 now = tp_time_from_timestamp((int64_t)pinfo->abs_ts.secs, pinfo->abs_ts.nsecs);

    memset(items, 0, sizeof(items));
    for (guint c = 0; c < WU_COLS; c++)
        items[c].type = writeup_fields[c].type;
    items[WU_STREAM].value.uint_value = ex->pkt->conv->stream;
    /* The filter column value, as in the conversation table. */
    items[WU_STREAM].user_data.uint_value = ex->pkt->conv->stream;
    items[WU_FRAME].value.uint_value = pinfo->num;
    items[WU_TIME].value.float_value = (double)(now - ex->pkt->conv->tcp.first_time) / 1e9;
    items[WU_ARROW].value.string_value = g_strdup(
        ex->pkt->tcp.dir == TP_DIR_TO_CLIENT ? "client <--- server" : "client ---> server");
    explain_label(&ex->in, text, sizeof(text));
    items[WU_LABEL].value.string_value = g_strdup(text);
    explain_sentence(&ex->in, ex->lang, text, sizeof(text));
    items[WU_EXPLANATION].value.string_value = g_strdup(text);
    stat_tap_init_table_row(table, table->num_elements, WU_COLS, items);
    return TAP_PACKET_REDRAW;
}

void
register_tcpphase_writeup_table(void)
{
    static tap_param writeup_params[] = {
        {PARAM_FILTER, "filter", "Filter", NULL, TRUE}
    };
    static stat_tap_table_ui writeup_ui = { REGISTER_STAT_GROUP_GENERIC,
                                            "TCP Session Phase Write-up",
                                            TCPPHASE_EXPLAIN_TAP_NAME,
                                            "tcpphase,writeup",
                                            writeup_init,
                                            writeup_packet,
                                            tap_table_clear_rows,
                                            tap_table_free_text,
                                            NULL,
                                            WU_COLS,
                                            writeup_fields,
                                            G_N_ELEMENTS(writeup_params),
                                            writeup_params,
                                            NULL,
                                            0 };

    register_stat_tap_table_ui(&writeup_ui);
}
