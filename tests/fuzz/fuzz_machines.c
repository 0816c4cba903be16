/* fuzz_machines.c
 * libFuzzer harness for tcpphase's pure machines, no epan: the TCP phase
 * machine (tcp_phase.h, which drives the Zeek model of conn_state.h) and
 * the TLS stage machine (tls_stage.h), fed the way plugin/tcpphase.c
 * feeds them (analyze_packet / analyze_tls), with packet facts decoded
 * from the fuzz input.
 *
 * Input format (all integers little endian; a field cut by the end of the
 * input reads as zero; see docs/robustness.md):
 *
 *   u8  config    bit0: TLS analysis on; bit1: run the decoded sequence a
 *                 second time on fresh state and require identical results
 *   u16 port of the first sender, u16 port of the other side
 *   then segments until the input ends:
 *   u8  op        bit0: sent by the first sender
 *                 bits1-2 seq: 0 next in order, 1 next + (s16 << u8 % 17),
 *                              2 u32,
 *                              3 the previous seq of this side
 *                 bits3-4 ack: 0 the peer's next, 1 u32, 2 peer's next + s8,
 *                              3 zero
 *                 bit5: plaintext records follow (what Wireshark decrypted)
 *                 bit6: the capture cut the payload (u8 keep fraction/255)
 *                 bit7: absolute time (s64) instead of a u16 µs step
 *   u16 flags     masked to the 9 TCP flag bits, as packet_facts.c does
 *   ...seq / ack operands
 *   u16 payload length on the wire
 *   [u8 keep]     when bit6
 *   time          s64 (any value), or a u16 step in µs
 *   payload       min(length, rest of input) captured bytes, then keep
 *   [u8 n, n x (u8 content type, u16 length, bytes)]   when bit5, n <= 4
 *
 * Checks beyond the sanitizers: every label is in range, the Zeek history
 * is a NUL-terminated string of its recorded length, the SNI is printable,
 * at most TLS_MAX_STAGES_PER_PACKET stages, the TLS allocator stays under
 * a bound, and (config bit1) the same input gives the same results twice.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conn_state.h"
#include "conv_summary.h"
#include "tcp_flags.h"
#include "tcp_phase.h"
#include "tls_stage.h"

/* Times are any int64 nanoseconds: the plugin clamps frame times, and the
 * machines saturate their differences (a capture may hold any timestamp). */
#define MAX_SEGMENTS 4096
#define MAX_PLAIN    4
#define ALLOC_LIMIT  (8u * 1024u * 1024u)

#define CHECK(cond) \
    do { \
        if (!(cond)) { \
            fprintf(stderr, "fuzz_machines: check failed: %s (%s:%d)\n", #cond, __FILE__, \
                    __LINE__); \
            abort(); \
        } \
    } while (0)

/* ---- the TLS machine's allocator: every block on a list, all freed at
 * the end (the plugin uses file-scope wmem, freed when the file closes) */

typedef struct link_s {
    struct link_s *prev, *next;
} link_t;

typedef struct {
    link_t      link; /* first: a link_t * is its block_t * */
    size_t      size;
    max_align_t data[];
} block_t;

typedef struct {
    link_t head;
    size_t outstanding;
    size_t peak;
    size_t count;
} tracker_t;

static void *
tracked_alloc(void *ctx, size_t size)
{
    tracker_t *t = (tracker_t *)ctx;
    block_t   *b = (block_t *)malloc(sizeof(block_t) + size);

    CHECK(b != NULL);
    b->size = size;
    b->link.next = t->head.next;
    b->link.prev = &t->head;
    t->head.next->prev = &b->link;
    t->head.next = &b->link;
    t->outstanding += size;
    t->count++;
    if (t->outstanding > t->peak)
        t->peak = t->outstanding;
    CHECK(t->outstanding <= ALLOC_LIMIT);
    return b->data;
}

static void
tracked_release(void *ctx, void *ptr)
{
    tracker_t *t = (tracker_t *)ctx;
    block_t   *b;

    CHECK(ptr != NULL);
    b = (block_t *)((char *)ptr - offsetof(block_t, data));
    b->link.prev->next = b->link.next;
    b->link.next->prev = b->link.prev;
    CHECK(t->outstanding >= b->size && t->count > 0);
    t->outstanding -= b->size;
    t->count--;
    free(b);
}

static void
tracker_init(tracker_t *t)
{
    memset(t, 0, sizeof(*t));
    t->head.next = t->head.prev = &t->head;
}

static void
tracker_free_all(tracker_t *t)
{
    while (t->head.next != &t->head)
        tracked_release(t, ((block_t *)t->head.next)->data);
}

/* ---- input reader ---- */

typedef struct {
    const uint8_t *p;
    size_t         len, off;
} input_t;

static uint64_t
take(input_t *in, size_t n)
{
    uint64_t v = 0;
    size_t   i;

    for (i = 0; i < n; i++) {
        uint64_t byte = in->off < in->len ? in->p[in->off++] : 0;
        v |= byte << (8 * i);
    }
    return v;
}

static size_t
remaining(const input_t *in)
{
    return in->len - in->off;
}

/* ---- one run over the decoded sequence ---- */

/* A digest of every result, compared between the two runs. */
typedef struct {
    uint64_t h;
} digest_t;

static void
mix(digest_t *d, uint64_t v)
{
    d->h = (d->h ^ v) * 0x100000001B3ull + 0x9E3779B97F4A7C15ull;
}

static void
check_packet(const tp_packet_t *out, digest_t *d)
{
    CHECK(out->dir == TP_DIR_TO_SERVER || out->dir == TP_DIR_TO_CLIENT);
    CHECK(out->step >= TP_STEP_RST && out->step <= TP_STEP_ACK);
    CHECK(out->phase >= TP_PHASE_HANDSHAKE && out->phase <= TP_PHASE_TEARDOWN);
    CHECK(out->phase_seq >= 1);
    CHECK(strcmp(tp_dir_name(out->dir), "?") != 0);
    CHECK(strcmp(tp_step_name(out->step), "?") != 0);
    CHECK(strcmp(tp_phase_name(out->phase), "?") != 0);
    mix(d, out->dir);
    mix(d, out->step);
    mix(d, out->phase);
    mix(d, out->phase_seq);
    mix(d, (uint64_t)out->phase_time);
    mix(d, out->midstream);
    mix(d, out->events);
}

static void
check_tls_packet(const tls_packet_t *out, digest_t *d)
{
    uint8_t i;

    CHECK(out->count <= TLS_MAX_STAGES_PER_PACKET);
    for (i = 0; i < out->count; i++) {
        CHECK(out->stages[i] >= TLS_STAGE_CLIENT_HELLO && out->stages[i] <= TLS_STAGE_UNKNOWN);
        CHECK(strcmp(tls_stage_name((tls_stage_t)out->stages[i]), "?") != 0);
        mix(d, out->stages[i]);
    }
    CHECK((out->phase_mask & ~0x0Eu) == 0);
    CHECK(tls_packet_phase(out) <= TLS_PHASE_ALERT);
    if (out->count > 0)
        CHECK(tls_packet_phase(out) != 0);
    /* a readable alert is an alert record of this packet */
    CHECK(out->alert_count <= out->count);
    for (i = 0; i < out->alert_count; i++)
        mix(d, out->alerts[i]);
    mix(d, out->count);
    mix(d, out->phase_mask);
    mix(d, out->dropped);
    mix(d, out->failed_here);
}

/* The summary every output draws says what the machines say. */
static void
check_summary(const tp_conv_t *conv, const tls_conv_t *tls)
{
    conv_summary_t sum;
    tp_time_t      t = 0;

    conv_summary_fill(conv, tls, &sum);
    CHECK(sum.state == tp_conv_state(conv));
    CHECK(sum.history == tp_conv_history(conv));
    CHECK(sum.close == tp_conv_close(conv));
    CHECK(sum.complete == tp_conv_complete(conv));
    CHECK(sum.has_handshake_rtt == tp_conv_handshake_rtt(conv, &t));
    CHECK(!sum.has_handshake_rtt || sum.handshake_rtt == t);
    CHECK(sum.duration == tp_conv_duration(conv));
    CHECK(sum.bytes_to_server == conv->bytes_to_server);
    CHECK(sum.bytes_to_client == conv->bytes_to_client);
    CHECK(sum.tls_sni != NULL);
    CHECK(sum.tls_result == (tls ? tls_conv_result(tls) : TLS_RESULT_NONE));
    if (sum.tls_result == TLS_RESULT_NONE)
        CHECK(sum.tls_sni[0] == '\0' && sum.tls_version == 0 && !sum.has_tls_handshake_time);
}

static void
check_conv(const tp_conv_t *conv, const tls_conv_t *tls, digest_t *d)
{
    const char  *history = tp_conv_history(conv);
    conn_state_t state = tp_conv_state(conv);
    tp_time_t    t;
    tls_time_t   tt;
    size_t       i, n;

    CHECK(conv->zeek.history_len <= CONN_HISTORY_MAX);
    CHECK(strlen(history) == conv->zeek.history_len);
    CHECK((unsigned)state < CONN_STATE_COUNT);
    CHECK(strcmp(conn_state_name(state), "OTH") != 0 || state == CONN_STATE_OTH);
    CHECK(tp_conv_close(conv) >= TP_CLOSE_OPEN && tp_conv_close(conv) <= TP_CLOSE_RESET);
    CHECK(conv->closer == 0 || conv->closer == TP_ROLE_CLIENT || conv->closer == TP_ROLE_SERVER);
    CHECK(conv->phase_packets[0] + conv->phase_packets[1] + conv->phase_packets[2] ==
          conv->packets);
    check_summary(conv, tls);
    mix(d, state);
    for (i = 0; history[i]; i++)
        mix(d, (uint8_t)history[i]);
    mix(d, tp_conv_complete(conv));
    mix(d, tp_conv_unanswered(conv));
    mix(d, tp_conv_close(conv));
    if (tp_conv_handshake_rtt(conv, &t))
        mix(d, (uint64_t)t);
    if (tp_conv_ttfb(conv, &t))
        mix(d, (uint64_t)t);
    mix(d, (uint64_t)tp_conv_duration(conv));
    mix(d, conv->bytes_to_server);
    mix(d, conv->bytes_to_client);
    if (tls == NULL)
        return;
    CHECK(tls_conv_result(tls) >= TLS_RESULT_NONE && tls_conv_result(tls) <= TLS_RESULT_MIDSTREAM);
    /* mid-stream: no handshake, so nothing established, failed or resumed */
    if (tls_conv_result(tls) == TLS_RESULT_MIDSTREAM)
        CHECK(!tls->established && !tls->failed && !tls->client_hello_seen &&
              !tls_conv_resumed(tls));
    CHECK(memchr(tls->sni, '\0', sizeof(tls->sni)) != NULL);
    n = strlen(tls->sni);
    CHECK(n <= TLS_SNI_MAX);
    for (i = 0; i < n; i++)
        CHECK(tls->sni[i] >= 0x21 && tls->sni[i] < 0x7F);
    if (tls->version != 0)
        CHECK(strcmp(tls_version_name(tls->version), "?") != 0);
    mix(d, tls_conv_result(tls));
    mix(d, tls_conv_resumed(tls));
    if (tls_conv_handshake_time(tls, &tt))
        mix(d, (uint64_t)tt);
    mix(d, tls->version);
    for (i = 0; i < n; i++)
        mix(d, (uint8_t)tls->sni[i]);
}

/* FUZZ_MACHINES_TRACE=1: one line per segment (frame, dir, step, phase,
 * phase.seq, TLS stages), to compare the harness with the plugin. */
static int trace = -1;

static void
trace_packet(uint32_t frame, const tp_packet_t *out, const tls_packet_t *tls_out)
{
    uint8_t i;

    printf("%u\t%s\t%s\t%s\t%u\t", frame, tp_dir_name(out->dir), tp_step_name(out->step),
           tp_phase_name(out->phase), out->phase_seq);
    for (i = 0; tls_out != NULL && i < tls_out->count; i++)
        printf("%s%s", i ? "," : "", tls_stage_name((tls_stage_t)tls_out->stages[i]));
    printf("\n");
}

static uint64_t
run_once(const uint8_t *data, size_t size)
{
    input_t         in = { data, size, 0 };
    uint8_t         config = (uint8_t)take(&in, 1);
    bool            tls_enabled = (config & 1) != 0;
    uint16_t        ports[2];
    uint32_t        next_seq[2] = { 0, 0 }, last_seq[2] = { 0, 0 };
    bool            seq_known[2] = { false, false };
    tp_time_t       now = 0;
    tp_conv_t       conv;
    tls_conv_t     *tls = NULL;
    bool            tls_checked = false;
    tracker_t       tracker;
    tls_allocator_t allocator = { tracked_alloc, tracked_release, &tracker };
    digest_t        digest = { 0xCBF29CE484222325ull };
    uint32_t        frame = 0;

    ports[0] = (uint16_t)take(&in, 2);
    ports[1] = (uint16_t)take(&in, 2);
    tracker_init(&tracker);
    tp_conv_init(&conv);

    while (remaining(&in) > 0 && frame < MAX_SEGMENTS) {
        uint8_t         op = (uint8_t)take(&in, 1);
        int             side = (op & 1) ? 0 : 1; /* 0: first sender */
        tp_segment_t    seg;
        tp_packet_t     out;
        uint32_t        seq, ack, payload_len, captured;
        uint8_t         keep = 255;
        const uint8_t  *payload;
        tls_plaintext_t plain[MAX_PLAIN];
        size_t          plain_count = 0;
        bool            traced;

        memset(&seg, 0, sizeof(seg));
        seg.flags = (uint16_t)(take(&in, 2) & 0x01FF);
        switch ((op >> 1) & 3) {
        case 0: seq = next_seq[side]; break;
        case 1: {
            uint32_t delta = (uint32_t)(int32_t)(int16_t)take(&in, 2);
            seq = next_seq[side] + (delta << (take(&in, 1) % 17));
            break;
        }
        case 2: seq = (uint32_t)take(&in, 4); break;
        default: seq = last_seq[side]; break;
        }
        switch ((op >> 3) & 3) {
        case 0: ack = next_seq[1 - side]; break;
        case 1: ack = (uint32_t)take(&in, 4); break;
        case 2: ack = next_seq[1 - side] + (uint32_t)(int32_t)(int8_t)take(&in, 1); break;
        default: ack = 0; break;
        }
        payload_len = (uint32_t)take(&in, 2);
        if (op & 0x40)
            keep = (uint8_t)take(&in, 1);
        if (op & 0x80)
            now = (tp_time_t)take(&in, 8);
        else /* wraps at INT64_MAX (no signed overflow here) */
            now = (tp_time_t)((uint64_t)now + take(&in, 2) * 1000u);
        captured = payload_len < remaining(&in) ? payload_len : (uint32_t)remaining(&in);
        captured = (uint32_t)((uint64_t)captured * keep / 255);
        payload = captured > 0 ? in.p + in.off : NULL;
        in.off += captured;
        if (op & 0x20) {
            size_t n = (size_t)take(&in, 1) % (MAX_PLAIN + 1);
            for (plain_count = 0; plain_count < n; plain_count++) {
                uint32_t len = (uint32_t)take(&in, 2);
                plain[plain_count].content_type = (uint8_t)take(&in, 1);
                if (len > remaining(&in))
                    len = (uint32_t)remaining(&in);
                plain[plain_count].data = in.p + in.off;
                plain[plain_count].len = len;
                in.off += len;
            }
        }

        if (!seq_known[side]) {
            seq_known[side] = true;
            next_seq[side] = seq;
        }
        last_seq[side] = seq;
        {
            uint32_t end =
                seq + payload_len + ((seg.flags & (TCP_FLAG_SYN | TCP_FLAG_FIN)) ? 1 : 0);
            if (TCP_SEQ_GEQ(end, next_seq[side]))
                next_seq[side] = end;
        }

        /* analyze_packet() in plugin/tcpphase.c */
        seg.frame = ++frame;
        seg.ts = now;
        seg.seq = seq;
        seg.ack = ack;
        seg.payload_len = payload_len;
        seg.src_port = ports[side];
        seg.dst_port = ports[1 - side];
        seg.from_first_sender = side == 0;
        memset(&out, 0xA5, sizeof(out));
        tp_conv_on_segment(&conv, &seg, &out);
        check_packet(&out, &digest);

        /* analyze_tls() */
        traced = false;
        if (tls_enabled && payload_len > 0 &&
            (tls != NULL ||
             tls_segment_may_start(out.dir == TP_DIR_TO_SERVER, !tls_checked, out.midstream,
                                   payload, captured))) {
            tls_packet_t tls_out;

            if (tls == NULL) {
                tls = (tls_conv_t *)malloc(sizeof(*tls));
                CHECK(tls != NULL);
                tls_conv_start(tls, &allocator, !tls_checked, out.midstream);
            }
            tls_checked = true;
            memset(&tls_out, 0x5A, sizeof(tls_out));
            tls_conv_on_segment(tls, out.dir == TP_DIR_TO_SERVER, seq, payload, captured,
                                payload_len, now, plain_count ? plain : NULL, plain_count,
                                &tls_out);
            check_tls_packet(&tls_out, &digest);
            if (trace) {
                trace_packet(frame, &out, &tls_out);
                traced = true;
            }
        } else if (payload_len > 0) {
            tls_checked = true;
        }
        if (trace && !traced)
            trace_packet(frame, &out, NULL);
        if (tls != NULL && (seg.flags & (TCP_FLAG_FIN | TCP_FLAG_RST)))
            tls_conv_on_close(tls);
        check_conv(&conv, tls, &digest);
    }
    mix(&digest, tracker.peak);
    tracker_free_all(&tracker);
    CHECK(tracker.outstanding == 0);
    free(tls);
    return digest.h;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint64_t first;

    if (trace < 0)
        trace = getenv("FUZZ_MACHINES_TRACE") != NULL;
    first = run_once(data, size);
    trace = 0; /* the first run of the first input only */
    if (size > 0 && (data[0] & 2))
        CHECK(run_once(data, size) == first);
    return 0;
}
