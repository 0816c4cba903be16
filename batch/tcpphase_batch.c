/* tcpphase_batch.c
 * tcpphase-batch: the conversation rows of -z tcpphase,csv for captures of
 * any size, without epan. Frames come from libwiretap, the TCP header from
 * decode.c, and the results from the same pure machines the plugin runs
 * (tcp_phase, conn_state, tls_stage without keys, conv_summary, conv_csv).
 * Stream numbers follow the tcp.stream of the Wireshark release it is built
 * against (stream_rules.c; docs/batch.md, "Stream numbers"); a
 * conversation's state is released once it is finished, so memory follows
 * the open conversations, not the file.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
/* open_memstream, clock_gettime (C11 alone hides them). */
#define _POSIX_C_SOURCE 200809L

#include "config_tcpphase.h"

#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <glib.h>

#include "wtap_compat.h"

#include "conv_csv.h"
#include "conv_summary.h"
#include "decode.h"
#include "endpoint_pair.h"
#include "stream_rules.h"
#include "tcp_flags.h"
#include "tcp_phase.h"
#include "tls_stage.h"
#include "tp_time.h"

#define EXIT_USAGE  1
#define EXIT_INPUT  2 /* a file was refused, damaged or cut short */
#define EXIT_OUTPUT 3 /* the output could not be written */

typedef enum { FORMAT_CSV, FORMAT_ZEEK, FORMAT_JSON } out_format_t;

typedef struct {
    out_format_t format;
    bool         file_column;
    bool         tls;
    tp_time_t    idle_timeout; /* ns; 0: never release an open one */
    tp_time_t    close_linger; /* ns after the last packet of a closed one */
    FILE        *out;
} options_t;

static options_t opt;

/* tcp.stream numbering of the Wireshark release whose headers (and
 * libwiretap) this is built against (wtap_compat.h; docs/batch.md,
 * section 2). */
static const stream_rules_t *stream_rules;

/* ---- TLS memory, owned by its conversation ---- */

/* Every block the TLS machine holds is linked to its conversation, so a
 * released conversation frees what the machine still kept (hellos being
 * read, out-of-order bytes) without the machine having to. */
typedef struct block_s {
    struct block_s *prev, *next;
} block_t;

static void *
tls_block_alloc(void *ctx, size_t size)
{
    block_t **head = (block_t **)ctx;
    block_t  *b = (block_t *)malloc(sizeof(block_t) + size);

    if (b == NULL) {
        fputs("tcpphase-batch: out of memory\n", stderr);
        exit(EXIT_FAILURE);
    }
    b->prev = NULL;
    b->next = *head;
    if (*head)
        (*head)->prev = b;
    *head = b;
    return b + 1;
}

static void
tls_block_release(void *ctx, void *ptr)
{
    block_t **head = (block_t **)ctx;
    block_t  *b;

    if (ptr == NULL)
        return;
    b = (block_t *)ptr - 1;
    if (b->prev)
        b->prev->next = b->next;
    else
        *head = b->next;
    if (b->next)
        b->next->prev = b->prev;
    free(b);
}

/* ---- conversations ---- */

typedef struct {
    endpoint_pair_t key;
    uint32_t        stream;
    uint8_t         family;
    uint8_t         first_src[16], first_dst[16];
    uint16_t        first_src_port, first_dst_port;
    /* What decides when a segment on the same ports starts a new stream
     * (stream_rules.h). */
    stream_track_t track;
    bool           tagged; /* at least one packet fed the machines */
    bool           tls_checked;
    tp_time_t      last_seen; /* capture time of its last packet */
    uint32_t       pkts[2];   /* by flow_index() */
    uint64_t       ip_bytes[2];
    tp_conv_t      tcp;
    tls_conv_t    *tls;
    block_t       *blocks; /* the TLS machine's memory */
} conv_t;

static guint
pair_hash(gconstpointer k)
{
    return endpoint_pair_hash((const endpoint_pair_t *)k);
}

static gboolean
pair_equal(gconstpointer a, gconstpointer b)
{
    return endpoint_pair_equal((const endpoint_pair_t *)a, (const endpoint_pair_t *)b);
}

static size_t
addr_len(uint8_t family)
{
    return family == 4 ? 4 : 16;
}

/* Wireshark's flow order: source address greater than the destination
 * (ports break a tie) is flow 1 (index 0). */
static int
flow_index(const tcp_packet_facts_t *f)
{
    int c = memcmp(f->src, f->dst, addr_len(f->family));

    if (c == 0)
        c = f->src_port > f->dst_port ? 1 : -1;
    return c >= 0 ? 0 : 1;
}

static void
make_pair(const tcp_packet_facts_t *f, endpoint_pair_t *p)
{
    endpoint_pair_make(p, f->family, addr_len(f->family), f->src, f->src_port, f->dst, f->dst_port);
}

/* ---- rows, written in stream order as soon as all before are done ---- */

#define ROW_NONE ((char *)1) /* a stream without a tagged packet */

typedef struct {
    char   **slots; /* by stream - base: NULL while open */
    size_t  *lens;
    size_t   start, count, cap;
    uint32_t base; /* stream of slots[start] */
    uint64_t written;
} rows_t;

static rows_t rows;

static void
rows_reset(void)
{
    free(rows.slots);
    free(rows.lens);
    memset(&rows, 0, sizeof(rows));
}

/* A slot for a new stream (streams come in order). */
static void
rows_add_stream(void)
{
    if (rows.start + rows.count == rows.cap) {
        if (rows.start > 0) {
            memmove(rows.slots, rows.slots + rows.start, rows.count * sizeof(char *));
            memmove(rows.lens, rows.lens + rows.start, rows.count * sizeof(size_t));
            rows.start = 0;
        }
        if (rows.count == rows.cap) {
            rows.cap = rows.cap ? rows.cap * 2 : 1024;
            rows.slots = (char **)realloc(rows.slots, rows.cap * sizeof(char *));
            rows.lens = (size_t *)realloc(rows.lens, rows.cap * sizeof(size_t));
            if (rows.slots == NULL || rows.lens == NULL) {
                fputs("tcpphase-batch: out of memory\n", stderr);
                exit(EXIT_FAILURE);
            }
        }
    }
    rows.slots[rows.start + rows.count] = NULL;
    rows.count++;
}

static void
rows_flush(void)
{
    while (rows.count > 0 && rows.slots[rows.start] != NULL) {
        char *row = rows.slots[rows.start];

        if (row != ROW_NONE) {
            fwrite(row, 1, rows.lens[rows.start], opt.out);
            free(row);
            rows.written++;
        }
        rows.start++;
        rows.count--;
        rows.base++;
    }
}

/* ---- the formats ---- */

typedef struct {
    const char *name;  /* as given on the command line */
    uint32_t    index; /* 0-based position among the inputs */
} input_t;

static void
format_endpoint(char *buf, size_t size, uint8_t family, const uint8_t *addr, uint16_t port,
                bool brackets)
{
    char text[INET6_ADDRSTRLEN];

    inet_ntop(family == 4 ? AF_INET : AF_INET6, addr, text, sizeof(text));
    if (port == 0 && !brackets) {
        snprintf(buf, size, "%s", text);
        return;
    }
    if (family == 6 && brackets)
        snprintf(buf, size, "[%s]:%u", text, port);
    else
        snprintf(buf, size, "%s:%u", text, port);
}

static void
json_text(FILE *f, const char *text)
{
    fputc('"', f);
    for (const unsigned char *c = (const unsigned char *)text; *c; c++) {
        if (*c == '"' || *c == '\\')
            fprintf(f, "\\%c", *c);
        else if (*c < 0x20 || *c == 0x7F)
            fprintf(f, "\\u%04x", *c);
        else
            fputc(*c, f);
    }
    fputc('"', f);
}

/* Zeek escapes non-printable bytes and its separators as \xHH. */
static void
zeek_text(FILE *f, const char *text)
{
    if (text[0] == '\0') {
        fputs("(empty)", f);
        return;
    }
    for (const unsigned char *c = (const unsigned char *)text; *c; c++) {
        if (*c < 0x20 || *c >= 0x7F || *c == '\\' || *c == ',')
            fprintf(f, "\\x%02x", *c);
        else
            fputc(*c, f);
    }
}

static void
json_seconds(FILE *f, bool defined, tp_time_t t)
{
    char text[32];

    if (!defined) {
        fputs("null", f);
        return;
    }
    tp_time_format(text, sizeof(text), t, 6);
    fputs(text, f);
}

static const char *
label_or_empty(bool set, const char *label)
{
    return set ? label : "";
}

/* Zeek-like connection id: 'C' and 17 base-62 digits, fixed by the
 * input, the stream and the first packet's time (the same run gives the
 * same ids). */
static void
zeek_uid(char *buf, const input_t *in, const conv_t *c)
{
    static const char digits[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    uint64_t          h1 = 1469598103934665603ULL, h2;

    for (const char *p = in->name; *p; p++)
        h1 = (h1 ^ (uint8_t)*p) * 1099511628211ULL;
    h1 = (h1 ^ c->stream) * 0x9E3779B97F4A7C15ULL;
    h2 = (h1 ^ (uint64_t)c->tcp.first_time) * 0xC2B2AE3D27D4EB4FULL;
    buf[0] = 'C';
    for (int i = 1; i <= 11; i++, h1 /= 62)
        buf[i] = digits[h1 % 62];
    for (int i = 12; i <= 17; i++, h2 /= 62)
        buf[i] = digits[h2 % 62];
    buf[18] = '\0';
}

static void
write_header(void)
{
    switch (opt.format) {
    case FORMAT_CSV:
        if (opt.file_column)
            fputs("file,", opt.out);
        conv_csv_write_header(opt.out);
        break;
    case FORMAT_ZEEK: {
        char   when[32];
        time_t now = time(NULL);

        strftime(when, sizeof(when), "%Y-%m-%d-%H-%M-%S", gmtime(&now));
        fprintf(opt.out,
                "#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n"
                "#unset_field\t-\n#path\tconn\n#open\t%s\n",
                when);
        fprintf(opt.out,
                "#fields\t%sts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto"
                "\tservice\tduration\torig_bytes\tresp_bytes\tconn_state\tlocal_orig"
                "\tlocal_resp\tmissed_bytes\thistory\torig_pkts\torig_ip_bytes"
                "\tresp_pkts\tresp_ip_bytes\ttunnel_parents\n",
                opt.file_column ? "file\t" : "");
        fprintf(opt.out,
                "#types\t%stime\tstring\taddr\tport\taddr\tport\tenum\tstring\tinterval"
                "\tcount\tcount\tstring\tbool\tbool\tcount\tstring\tcount\tcount\tcount"
                "\tcount\tset[string]\n",
                opt.file_column ? "string\t" : "");
        break;
    }
    case FORMAT_JSON: break;
    }
}

static void
write_footer(void)
{
    if (opt.format == FORMAT_ZEEK) {
        char   when[32];
        time_t now = time(NULL);

        strftime(when, sizeof(when), "%Y-%m-%d-%H-%M-%S", gmtime(&now));
        fprintf(opt.out, "#close\t%s\n", when);
    }
}

static void
write_row(FILE *f, const input_t *in, const conv_t *c)
{
    conv_summary_t     sum;
    char               client[64], server[64];
    bool               fc = c->tcp.first_sender_is_client;
    const uint8_t     *caddr = fc ? c->first_src : c->first_dst;
    const uint8_t     *saddr = fc ? c->first_dst : c->first_src;
    uint16_t           cport = fc ? c->first_src_port : c->first_dst_port;
    uint16_t           sport = fc ? c->first_dst_port : c->first_src_port;
    int                ci; /* pkts[] index of the client's flow */
    tcp_packet_facts_t client_side;

    client_side.family = c->family;
    memcpy(client_side.src, caddr, 16);
    memcpy(client_side.dst, saddr, 16);
    client_side.src_port = cport;
    client_side.dst_port = sport;
    ci = flow_index(&client_side);

    conv_summary_fill(&c->tcp, c->tls, &sum);
    switch (opt.format) {
    case FORMAT_CSV:
        format_endpoint(client, sizeof(client), c->family, caddr, cport, true);
        format_endpoint(server, sizeof(server), c->family, saddr, sport, true);
        if (opt.file_column) {
            conv_csv_field(f, in->name, false);
            fputc(',', f);
        }
        conv_csv_write_row(f, c->stream, client, server, &sum);
        break;
    case FORMAT_ZEEK: {
        char uid[20], ts[32], dur[32];

        format_endpoint(client, sizeof(client), c->family, caddr, 0, false);
        format_endpoint(server, sizeof(server), c->family, saddr, 0, false);
        zeek_uid(uid, in, c);
        tp_time_format(ts, sizeof(ts), c->tcp.first_time, 6);
        tp_time_format(dur, sizeof(dur), sum.duration, 6);
        if (opt.file_column) {
            zeek_text(f, in->name);
            fputc('\t', f);
        }
        fprintf(f, "%s\t%s\t%s\t%u\t%s\t%u\ttcp\t%s\t%s\t%" PRIu64 "\t%" PRIu64 "\t%s\t-\t-\t0\t",
                ts, uid, client, cport, server, sport,
                sum.tls_result != TLS_RESULT_NONE ? "ssl" : "-", dur, sum.bytes_to_server,
                sum.bytes_to_client, conn_state_name(sum.state));
        zeek_text(f, sum.history);
        fprintf(f, "\t%" PRIu32 "\t%" PRIu64 "\t%" PRIu32 "\t%" PRIu64 "\t-\n", c->pkts[ci],
                c->ip_bytes[ci], c->pkts[1 - ci], c->ip_bytes[1 - ci]);
        break;
    }
    case FORMAT_JSON:
        format_endpoint(client, sizeof(client), c->family, caddr, cport, true);
        format_endpoint(server, sizeof(server), c->family, saddr, sport, true);
        fputc('{', f);
        if (opt.file_column) {
            fputs("\"file\":", f);
            json_text(f, in->name);
            fputc(',', f);
        }
        fprintf(f, "\"stream\":%" PRIu32 ",\"client\":", c->stream);
        json_text(f, client);
        fputs(",\"server\":", f);
        json_text(f, server);
        fprintf(f, ",\"state\":\"%s\",\"history\":", conn_state_name(sum.state));
        json_text(f, sum.history);
        fputs(",\"handshake_rtt\":", f);
        json_seconds(f, sum.has_handshake_rtt, sum.handshake_rtt);
        fputs(",\"ttfb\":", f);
        json_seconds(f, sum.has_ttfb, sum.ttfb);
        fputs(",\"duration\":", f);
        json_seconds(f, true, sum.duration);
        fprintf(f,
                ",\"packets_handshake\":%" PRIu32 ",\"packets_data\":%" PRIu32
                ",\"packets_teardown\":%" PRIu32 ",\"bytes_to_server\":%" PRIu64
                ",\"bytes_to_client\":%" PRIu64 ",\"closer\":\"%s\",\"close\":\"%s\""
                ",\"tls_version\":\"%s\",\"tls_sni\":",
                sum.packets[TP_PHASE_HANDSHAKE - 1], sum.packets[TP_PHASE_DATA - 1],
                sum.packets[TP_PHASE_TEARDOWN - 1], sum.bytes_to_server, sum.bytes_to_client,
                label_or_empty(sum.closer != 0, sum.closer ? tp_role_name(sum.closer) : ""),
                tp_close_name(sum.close),
                label_or_empty(sum.tls_version != 0,
                               sum.tls_version ? tls_version_name(sum.tls_version) : ""));
        json_text(f, sum.tls_sni);
        fputs(",\"tls_handshake_time\":", f);
        json_seconds(f, sum.has_tls_handshake_time, sum.tls_handshake_time);
        fprintf(f, ",\"tls_result\":\"%s\"}\n", tls_result_name(sum.tls_result));
        break;
    }
}

/* ---- one capture ---- */

typedef struct {
    const input_t *in;
    GHashTable    *convs; /* endpoint_pair_t -> conv_t (the current one) */
    uint32_t       next_stream;
    tp_time_t      now; /* the latest capture time seen */
    tp_time_t      last_sweep;
    uint64_t       last_sweep_frame;
    uint64_t       frames;
    uint64_t       results[DECODE_RESULT_COUNT];
    uint64_t       other_link_frames;
    int            other_link_encap; /* the last unread link type seen */
    uint64_t       non_packet_records;
    uint64_t       released;
    size_t         open, peak_open;
} reader_t;

/* Finished: its row goes to its slot, its memory back. */
static void
conv_finish(reader_t *r, conv_t *c)
{
    size_t slot = rows.start + (c->stream - rows.base);

    if (c->tagged) {
        char  *text = NULL;
        size_t len = 0;
        FILE  *mem = open_memstream(&text, &len);

        if (mem == NULL) {
            fputs("tcpphase-batch: out of memory\n", stderr);
            exit(EXIT_FAILURE);
        }
        write_row(mem, r->in, c);
        fclose(mem);
        rows.slots[slot] = text;
        rows.lens[slot] = len;
    } else {
        rows.slots[slot] = ROW_NONE;
    }
    while (c->blocks != NULL)
        tls_block_release(&c->blocks, c->blocks + 1);
    free(c);
    r->open--;
}

static conv_t *
conv_new(reader_t *r, const tcp_packet_facts_t *f, const endpoint_pair_t *key)
{
    conv_t *c = (conv_t *)calloc(1, sizeof(conv_t));

    if (c == NULL) {
        fputs("tcpphase-batch: out of memory\n", stderr);
        exit(EXIT_FAILURE);
    }
    c->key = *key;
    c->stream = r->next_stream++;
    c->family = f->family;
    tp_conv_init(&c->tcp);
    rows_add_stream();
    g_hash_table_replace(r->convs, &c->key, c);
    if (++r->open > r->peak_open)
        r->peak_open = r->open;
    return c;
}

/* The conversation TCP would give this segment: the latest one on its
 * endpoint pair, unless the release's rules say the segment starts a new
 * stream (stream_rules.c; docs/batch.md, "Stream numbers"). */
static conv_t *
conv_for(reader_t *r, const tcp_packet_facts_t *f)
{
    endpoint_pair_t  key;
    conv_t          *c;
    stream_track_t   track;
    stream_segment_t seg;

    make_pair(f, &key);
    c = (conv_t *)g_hash_table_lookup(r->convs, &key);
    if (c != NULL)
        track = c->track;
    else
        memset(&track, 0, sizeof(track));
    seg.flow = flow_index(f);
    seg.flags = f->flags;
    seg.seq = f->seq;
    seg.ack = f->ack;
    seg.header_len = f->header_len;
    seg.segment_len = f->segment_len;
    if (stream_track_segment(stream_rules, &track, c != NULL, &seg)) {
        if (c != NULL) {
            g_hash_table_steal(r->convs, &key);
            conv_finish(r, c);
        }
        c = conv_new(r, f, &key);
    }
    c->track = track;
    return c;
}

/* The keyless TLS walk, as the plugin runs it (analyze_tls() in
 * phase_analysis.c): the walker is made where TLS may start (docs/spec.md
 * section 4). */
static void
feed_tls(conv_t *c, const tcp_packet_facts_t *f, const tp_packet_t *pkt, tp_time_t t)
{
    bool         to_server = pkt->dir == TP_DIR_TO_SERVER;
    tls_packet_t out;

    if (f->payload_len == 0)
        return;
    if (c->tls == NULL) {
        tls_allocator_t a = { tls_block_alloc, tls_block_release, &c->blocks };
        bool            first = !c->tls_checked;

        c->tls_checked = true;
        if (!tls_segment_may_start(to_server, first, pkt->midstream, f->payload,
                                   f->payload_captured))
            return;
        c->tls = (tls_conv_t *)tls_block_alloc(&c->blocks, sizeof(tls_conv_t));
        tls_conv_start(c->tls, &a, first, pkt->midstream);
    }
    tls_conv_on_segment(c->tls, to_server, f->seq, f->payload, f->payload_captured, f->payload_len,
                        t, NULL, 0, &out);
}

/* Nanoseconds since the epoch, clamped as the plugin clamps (tp_time.h). */
static tp_time_t
record_time(const wtap_rec *rec)
{
    return tp_time_from_timestamp((int64_t)rec->ts.secs, rec->ts.nsecs);
}

static void
feed_packet(reader_t *r, const tcp_packet_facts_t *f, decode_result_t res, uint32_t frame,
            tp_time_t t)
{
    conv_t      *c = conv_for(r, f);
    int          flow = flow_index(f);
    bool         first_sender;
    tp_segment_t seg;
    tp_packet_t  pkt;

    c->last_seen = t;
    c->pkts[flow]++;
    c->ip_bytes[flow] += f->ip_bytes;
    if (res != DECODE_TCP)
        return;
    /* The plugin's record starts with the first packet it tags, so the
     * endpoints that choose the client are that packet's. */
    if (!c->tagged) {
        memcpy(c->first_src, f->src, 16);
        memcpy(c->first_dst, f->dst, 16);
        c->first_src_port = f->src_port;
        c->first_dst_port = f->dst_port;
        c->tagged = true;
    }
    first_sender = f->src_port == c->first_src_port && memcmp(f->src, c->first_src, 16) == 0;
    seg.frame = frame;
    seg.ts = t;
    seg.flags = f->flags;
    seg.seq = f->seq;
    seg.ack = f->ack;
    seg.payload_len = f->payload_len;
    seg.src_port = f->src_port;
    seg.dst_port = f->dst_port;
    seg.from_first_sender = first_sender;
    tp_conv_on_segment(&c->tcp, &seg, &pkt);
    if (opt.tls)
        feed_tls(c, f, &pkt, t);
    if (c->tls != NULL && (f->flags & (TCP_FLAG_FIN | TCP_FLAG_RST)))
        tls_conv_on_close(c->tls);
}

/* Releases what is finished: closed and quiet for close_linger, or quiet
 * for idle_timeout. Runs once per second of capture time. */
static void
sweep(reader_t *r)
{
    GHashTableIter it;
    gpointer       value;

    if (opt.idle_timeout == 0)
        return;
    g_hash_table_iter_init(&it, r->convs);
    while (g_hash_table_iter_next(&it, NULL, &value)) {
        conv_t    *c = (conv_t *)value;
        tp_close_t close_kind = tp_conv_close(&c->tcp);
        tp_time_t  quiet = tp_time_diff(r->now, c->last_seen);
        bool       closed = close_kind == TP_CLOSE_GRACEFUL || close_kind == TP_CLOSE_RESET;

        if ((closed && quiet > opt.close_linger) || quiet > opt.idle_timeout) {
            g_hash_table_iter_steal(&it);
            conv_finish(r, c);
            r->released++;
        }
    }
    rows_flush();
}

static link_type_t
link_of(int encap)
{
    switch (encap) {
    case WTAP_ENCAP_ETHERNET: return LINK_ETHERNET;
    case WTAP_ENCAP_RAW_IP: return LINK_RAW_IP;
    case WTAP_ENCAP_RAW_IP4: return LINK_RAW_IP4;
    case WTAP_ENCAP_RAW_IP6: return LINK_RAW_IP6;
    case WTAP_ENCAP_NULL: return LINK_NULL;
    case WTAP_ENCAP_LOOP: return LINK_LOOP;
    case WTAP_ENCAP_SLL: return LINK_SLL;
    case WTAP_ENCAP_SLL2: return LINK_SLL2;
    default: return LINK_OTHER;
    }
}

static double
wall_seconds(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The bytes of the file read so far. wtap_read_so_far() counts what
 * wiretap has pulled into its buffer, which from 4.4 on is read 4 MiB at a
 * time (the line would jump by 4 MiB); an uncompressed file's own offset
 * of the record is exact. A compressed file has no other measure. */
static void
progress(wtap *wth, const reader_t *r, gint64 record_offset, double started, gint64 size)
{
    double elapsed = wall_seconds() - started;
    gint64 done =
        wtap_get_compression_type(wth) == WTAP_UNCOMPRESSED ? record_offset : wtap_read_so_far(wth);
    double rate = elapsed > 0 ? (double)r->frames / elapsed : 0;

    if (size > 0 && done > 0) {
        double eta = elapsed * (double)(size - done) / (double)done;
        fprintf(stderr, "\r%s: %3d%% %" PRIu64 " packets %.0f/s ETA %.0fs   ", r->in->name,
                (int)(100.0 * (double)done / (double)size), r->frames, rate, eta);
    } else {
        fprintf(stderr, "\r%s: %" PRIu64 " packets %.0f/s   ", r->in->name, r->frames, rate);
    }
}

/* Reads one capture and writes its rows; returns 0 or EXIT_INPUT. */
static int
read_capture(const input_t *in, bool show_progress)
{
    int              err = 0;
    char            *err_info = NULL;
    wtap            *wth = wtap_open_offline(in->name, WTAP_TYPE_AUTO, &err, &err_info, FALSE);
    tp_wtap_record_t rec;
    reader_t         r;
    gint64           size = 0;
    double           started = wall_seconds(), last_progress = started;
    int              status = 0;

    if (wth == NULL) {
        fprintf(stderr, "tcpphase-batch: %s: %s%s%s%s\n", in->name, wtap_strerror(err),
                err_info ? " (" : "", err_info ? err_info : "", err_info ? ")" : "");
        g_free(err_info);
        return EXIT_INPUT;
    }
    memset(&r, 0, sizeof(r));
    r.in = in;
    r.convs = g_hash_table_new(pair_hash, pair_equal);
    rows_reset();
    if (show_progress)
        size = wtap_file_size(wth, &err);
    tp_wtap_record_init(&rec);
    while (tp_wtap_next(wth, &rec, &err, &err_info)) {
        const wtap_rec    *wr = &rec.rec;
        tcp_packet_facts_t f;
        decode_result_t    res;
        tp_time_t          t;

        /* tshark numbers every record it reads. */
        r.frames++;
        if (wr->rec_type != REC_TYPE_PACKET) {
            r.non_packet_records++;
            continue;
        }
        res =
            decode_frame(link_of(wr->rec_header.packet_header.pkt_encap), tp_wtap_data(&rec),
                         wr->rec_header.packet_header.caplen, wr->rec_header.packet_header.len, &f);
        r.results[res]++;
        if (res == DECODE_OTHER_LINK)
            r.other_link_encap = wr->rec_header.packet_header.pkt_encap;
        t = record_time(wr);
        if (r.frames == 1 || t > r.now)
            r.now = t;
        /* A bogus or cut header is numbered (and counted) without feeding
         * the machines, if this release's TCP dissector numbers it. */
        if (res == DECODE_TCP ||
            ((res == DECODE_TCP_BAD_HEADER || res == DECODE_TCP_SHORT) &&
             stream_rules_numbered(stream_rules, f.tcp_captured)))
            feed_packet(&r, &f, res, (uint32_t)r.frames, t);
        /* A sweep costs one look at every open conversation: at most once
         * per second of capture time, and only after open/8 packets, so
         * that odd timestamps cannot make it run on every packet. */
        if ((tp_time_diff(r.now, r.last_sweep) >= 1000000000 || r.now < r.last_sweep) &&
            r.frames - r.last_sweep_frame >= r.open / 8) {
            sweep(&r);
            r.last_sweep = r.now;
            r.last_sweep_frame = r.frames;
        }
        if (show_progress && (r.frames & 0x3FFF) == 0 && wall_seconds() - last_progress > 0.5) {
            progress(wth, &r, rec.offset, started, size);
            last_progress = wall_seconds();
        }
    }
    if (show_progress)
        fputs("\r\033[K", stderr);
    if (err != 0) {
        fprintf(stderr,
                "tcpphase-batch: %s: %s%s%s%s after %" PRIu64 " packets; the rows of "
                "what was read are written and marked incomplete\n",
                in->name, wtap_strerror(err), err_info ? " (" : "", err_info ? err_info : "",
                err_info ? ")" : "", r.frames);
        status = EXIT_INPUT;
    }
    /* The end of the file finishes every conversation still open. */
    {
        GHashTableIter it;
        gpointer       value;

        g_hash_table_iter_init(&it, r.convs);
        while (g_hash_table_iter_next(&it, NULL, &value)) {
            g_hash_table_iter_steal(&it);
            conv_finish(&r, (conv_t *)value);
        }
    }
    rows_flush();
    if (status != 0) {
        switch (opt.format) {
        case FORMAT_CSV:
            /* A comment line (pandas: comment='#', sqlite: skipped by the
             * recipe in README.md) rather than a row of wrong columns. */
            fputs("#incomplete,", opt.out);
            conv_csv_field(opt.out, in->name, false);
            fprintf(opt.out, ",%" PRIu64 " packets read,", r.frames);
            conv_csv_field(opt.out, wtap_strerror(err), false);
            fputs("\r\n", opt.out);
            break;
        case FORMAT_ZEEK:
            fprintf(opt.out, "#incomplete\t%s\t%" PRIu64 " packets read\t%s\n", in->name, r.frames,
                    wtap_strerror(err));
            break;
        case FORMAT_JSON:
            fputs("{\"incomplete\":true,\"file\":", opt.out);
            json_text(opt.out, in->name);
            fprintf(opt.out, ",\"packets\":%" PRIu64 ",\"error\":", r.frames);
            json_text(opt.out, wtap_strerror(err));
            fputs("}\n", opt.out);
            break;
        }
    }
    g_free(err_info);
    if (r.results[DECODE_OTHER_LINK] > 0)
        fprintf(stderr,
                "tcpphase-batch: %s: %" PRIu64 " frames of a link type not read "
                "(last: %s)\n",
                in->name, r.results[DECODE_OTHER_LINK], wtap_encap_description(r.other_link_encap));
    if (r.results[DECODE_FRAGMENT] > 0)
        fprintf(stderr, "tcpphase-batch: %s: %" PRIu64 " IP fragments skipped\n", in->name,
                r.results[DECODE_FRAGMENT]);
    if (getenv("TCPPHASE_BATCH_STATS") != NULL) {
        fprintf(stderr,
                "%s: frames %" PRIu64 " non-packet %" PRIu64 " streams %" PRIu32
                " released early %" PRIu64 " peak open %zu rows %" PRIu64 "\n",
                in->name, r.frames, r.non_packet_records, r.next_stream, r.released, r.peak_open,
                rows.written);
        for (int i = 0; i < DECODE_RESULT_COUNT; i++)
            fprintf(stderr, "  %s %" PRIu64 "\n", decode_result_name((decode_result_t)i),
                    r.results[i]);
    }
    tp_wtap_record_free(&rec);
    g_hash_table_destroy(r.convs);
    rows_reset();
    wtap_close(wth);
    return status;
}

static void
usage(FILE *f)
{
    fputs("Usage: tcpphase-batch [OPTIONS] CAPTURE...\n"
          "\n"
          "One row per TCP conversation of each capture, the rows of\n"
          "tshark -q -z tcpphase,csv, without dissecting: frames are read with\n"
          "libwiretap (every format and compression Wireshark reads), the TCP\n"
          "header is decoded here, and the tcpphase machines run on it. TLS is\n"
          "walked without keys (no decryption).\n"
          "\n"
          "  -f, --format FMT      csv (default), zeek (conn.log TSV) or json (JSON lines)\n"
          "  -F, --file-column     first column: the capture the row comes from\n"
          "  -o, --output FILE     write to FILE instead of standard output\n"
          "      --idle-timeout S  release a conversation quiet for S seconds of capture\n"
          "                        time (default 3600; 0: keep every one to the end)\n"
          "      --close-linger S  release a closed conversation quiet for S seconds\n"
          "                        (default 120)\n"
          "      --no-tls          no TLS walk (tls_result none, as tcpphase.tls_analysis:FALSE)\n"
          "  -h, --help            this text\n"
          "  -V, --version         the version\n"
          "\n"
          "Exit status: 0 all read; 1 usage error; 2 a capture was refused, damaged or\n"
          "cut short (the rows read so far are written, then an #incomplete line);\n"
          "3 the output could not be written. A progress line goes to standard error\n"
          "when it is a terminal.\n",
          f);
}

static bool
parse_seconds(const char *text, tp_time_t *out)
{
    char  *end;
    double v;

    errno = 0;
    v = strtod(text, &end);
    if (errno != 0 || end == text || *end != '\0' || v < 0 || v > 1e9)
        return false;
    *out = (tp_time_t)(v * 1e9);
    return true;
}

int
main(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"format",        required_argument, NULL, 'f'},
        { "file-column",  no_argument,       NULL, 'F'},
        { "output",       required_argument, NULL, 'o'},
        { "idle-timeout", required_argument, NULL, 'i'},
        { "close-linger", required_argument, NULL, 'l'},
        { "no-tls",       no_argument,       NULL, 'n'},
        { "help",         no_argument,       NULL, 'h'},
        { "version",      no_argument,       NULL, 'V'},
        { NULL,           0,                 NULL, 0  }
    };
    const char *output = NULL;
    int         ch, status = 0;
    bool        show_progress;

    stream_rules = tp_wtap_stream_rules();
    opt.format = FORMAT_CSV;
    opt.tls = true;
    opt.idle_timeout = INT64_C(3600) * 1000000000;
    opt.close_linger = INT64_C(120) * 1000000000;
    while ((ch = getopt_long(argc, argv, "f:Fo:hV", longopts, NULL)) != -1) {
        switch (ch) {
        case 'f':
            if (strcmp(optarg, "csv") == 0)
                opt.format = FORMAT_CSV;
            else if (strcmp(optarg, "zeek") == 0)
                opt.format = FORMAT_ZEEK;
            else if (strcmp(optarg, "json") == 0)
                opt.format = FORMAT_JSON;
            else {
                fprintf(stderr, "tcpphase-batch: unknown format '%s' (csv, zeek, json)\n", optarg);
                return EXIT_USAGE;
            }
            break;
        case 'F': opt.file_column = true; break;
        case 'o': output = optarg; break;
        case 'i':
        case 'l':
            if (!parse_seconds(optarg, ch == 'i' ? &opt.idle_timeout : &opt.close_linger)) {
                fprintf(stderr, "tcpphase-batch: not a number of seconds: '%s'\n", optarg);
                return EXIT_USAGE;
            }
            break;
        case 'n': opt.tls = false; break;
        case 'h': usage(stdout); return 0;
        case 'V':
            printf("tcpphase-batch %s (libwiretap of Wireshark %d.%d.%d; tcp.stream rules of %s)\n",
                   PLUGIN_VERSION, WIRESHARK_VERSION_MAJOR, WIRESHARK_VERSION_MINOR,
                   WIRESHARK_VERSION_MICRO, stream_rules->name);
            return 0;
        default: usage(stderr); return EXIT_USAGE;
        }
    }
    if (optind >= argc) {
        usage(stderr);
        return EXIT_USAGE;
    }
    opt.out = stdout;
    if (output != NULL && (opt.out = fopen(output, "w")) == NULL) {
        fprintf(stderr, "tcpphase-batch: %s: %s\n", output, strerror(errno));
        return EXIT_OUTPUT;
    }
    /* Rows are written in big blocks; the row strings are short. */
    setvbuf(opt.out, NULL, _IOFBF, 1 << 16);
    show_progress = isatty(STDERR_FILENO);
    tp_wtap_log_init("tcpphase-batch");
    wtap_init(FALSE);
    write_header();
    for (int i = optind; i < argc; i++) {
        input_t in = { argv[i], (uint32_t)(i - optind) };
        int     s = read_capture(&in, show_progress);

        if (s != 0)
            status = s;
    }
    write_footer();
    wtap_cleanup();
    if (fflush(opt.out) != 0 || ferror(opt.out) || (output != NULL && fclose(opt.out) != 0)) {
        fprintf(stderr, "tcpphase-batch: writing the output: %s\n", strerror(errno));
        return EXIT_OUTPUT;
    }
    return status;
}
