/* test_stream_rules.c
 * Unit tests of tcpphase-batch's tcp.stream rules, every release's set on
 * the same segment sequences. The expected numbers are what tshark 4.0.17,
 * 4.4.19 and 4.6.9 print for tcp.stream on the same segments (the
 * synthetic captures of tests/batch/synth_cases.py hold most of them);
 * 4.2's follow from its source (docs/batch.md, section 2).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <stdint.h>
#include <string.h>

#include "check.h"
#include "stream_rules.h"

#define C 1 /* from the client (10.0.0.1, the smaller address): flow 1 */
#define S 0 /* from the server: flow 0 */

#define SYN    TCP_FLAG_SYN
#define SYNACK (TCP_FLAG_SYN | TCP_FLAG_ACK)
#define ACK    TCP_FLAG_ACK
#define RST    TCP_FLAG_RST
#define RSTACK (TCP_FLAG_RST | TCP_FLAG_ACK)
#define FINACK (TCP_FLAG_FIN | TCP_FLAG_ACK)

typedef struct {
    int      flow;
    uint16_t flags;
    uint32_t seq, ack;
    uint32_t header_len, segment_len, captured;
} seg_t;

/* A whole 20-byte header, no payload. */
#define SEG(flow, flags, seq, ack) \
    { \
        (flow), (flags), (seq), (ack), 20, 20, 20 \
    }

/* Streams of a sequence on one endpoint pair under one set of rules, as
 * the reader numbers them ("-" for a segment that is not numbered). */
static void
streams_of(const stream_rules_t *rules, const seg_t *segs, size_t n, char *out)
{
    stream_track_t track;
    bool           existing = false;
    int            stream = -1;

    memset(&track, 0xA5, sizeof(track)); /* ignored while !existing */
    for (size_t i = 0; i < n; i++) {
        stream_segment_t s;

        if (!stream_rules_numbered(rules, segs[i].captured)) {
            *out++ = '-';
            continue;
        }
        s.flow = segs[i].flow;
        s.flags = segs[i].flags;
        s.seq = segs[i].seq;
        s.ack = segs[i].ack;
        s.header_len = segs[i].header_len;
        s.segment_len = segs[i].segment_len;
        if (stream_track_segment(rules, &track, existing, &s))
            stream++;
        existing = true;
        *out++ = (char)('0' + stream);
    }
    *out = '\0';
}

/* Expected streams by release: 4.0, 4.2, 4.4, 4.6. */
static void
expect(const char *what, const seg_t *segs, size_t n, const char *v40, const char *v42,
       const char *v44, const char *v46)
{
    static const int minors[] = { 0, 2, 4, 6 };
    const char      *want[] = { v40, v42, v44, v46 };
    char             got[64], label[160];

    for (int i = 0; i < 4; i++) {
        const stream_rules_t *rules = stream_rules_for_version(4, minors[i]);

        streams_of(rules, segs, n, got);
        snprintf(label, sizeof(label), "%s, rules of %s", what, rules->name);
        CHECK_STR(got, want[i], label);
    }
}

#define EXPECT(what, segs, v40, v42, v44, v46) \
    expect((what), (segs), sizeof(segs) / sizeof((segs)[0]), (v40), (v42), (v44), (v46))

static void
test_versions(void)
{
    CHECK_STR(stream_rules_for_version(4, 0)->name, "4.0", "4.0");
    CHECK_STR(stream_rules_for_version(4, 1)->name, "4.0", "4.1 (development)");
    CHECK_STR(stream_rules_for_version(3, 6)->name, "4.0", "before 4.0");
    CHECK_STR(stream_rules_for_version(4, 2)->name, "4.2", "4.2");
    CHECK_STR(stream_rules_for_version(4, 3)->name, "4.2", "4.3 (development)");
    CHECK_STR(stream_rules_for_version(4, 4)->name, "4.4", "4.4");
    CHECK_STR(stream_rules_for_version(4, 6)->name, "4.6", "4.6");
    CHECK_STR(stream_rules_for_version(4, 7)->name, "4.6", "4.7 (development)");
    CHECK_STR(stream_rules_for_version(5, 0)->name, "4.6", "5.0");
}

static void
test_new_isn(void)
{
    /* Port reuse with a new ISN after a close: a new stream everywhere. */
    static const seg_t reuse[] = {
        SEG(C, SYN, 1000, 0),       SEG(S, SYNACK, 9000, 1001),    SEG(C, ACK, 1001, 9001),
        SEG(C, FINACK, 1001, 9001), SEG(S, FINACK, 9001, 1002),    SEG(C, ACK, 1002, 9002),
        SEG(C, SYN, 555000, 0),     SEG(S, SYNACK, 77000, 555001),
    };
    /* A retransmitted SYN, and a SYN from the server's side. */
    static const seg_t retrans[] = {
        SEG(C, SYN, 100, 0),
        SEG(C, SYN, 100, 0),
        SEG(S, SYNACK, 500, 101),
        SEG(S, SYN, 123456, 0),
    };

    EXPECT("new ISN after FIN", reuse, "00000011", "00000011", "00000011", "00000011");
    EXPECT("retransmitted SYN, server SYN", retrans, "0001", "0001", "0001", "0001");
}

static void
test_same_isn_after_close(void)
{
    /* Refused twice with the same ISN, then a new one. */
    static const seg_t refused[] = {
        SEG(C, SYN, 100, 0),    SEG(S, RSTACK, 0, 101), SEG(C, SYN, 100, 0),
        SEG(S, RSTACK, 0, 101), SEG(C, SYN, 999, 0),    SEG(S, RSTACK, 0, 1000),
    };
    static const seg_t closed[] = {
        SEG(C, SYN, 1000, 0),       SEG(S, SYNACK, 9000, 1001), SEG(C, FINACK, 1001, 9001),
        SEG(S, FINACK, 9001, 1002), SEG(C, SYN, 1000, 0),       SEG(S, SYNACK, 9000, 1001),
    };
    /* A FIN without ACK is no close mark; a SYN carrying RST is one. */
    static const seg_t fin_no_ack[] = {
        SEG(C, SYN, 100, 0),
        SEG(C, TCP_FLAG_FIN, 101, 0),
        SEG(C, SYN, 100, 0),
    };
    static const seg_t syn_rst[] = {
        SEG(C, SYN, 100, 0),
        SEG(C, SYN | RST, 100, 0),
        SEG(C, SYN, 100, 0),
    };
    /* RST-ACK first: its ACK gives the client's base, which the SYN has. */
    static const seg_t rst_first[] = { SEG(S, RSTACK, 5, 101), SEG(C, SYN, 100, 0) };

    EXPECT("same ISN after RST", refused, "000011", "001122", "001122", "001122");
    EXPECT("same ISN after FIN", closed, "000000", "000011", "000011", "000011");
    EXPECT("FIN without ACK", fin_no_ack, "000", "000", "000", "000");
    EXPECT("SYN with RST", syn_rst, "000", "001", "001", "001");
    EXPECT("RST-ACK then SYN", rst_first, "00", "01", "01", "01");
}

static void
test_first_syn_forgets_close(void)
{
    /* A RST without ACK first leaves the client without a base: its first
     * SYN counts as the start of the stream and clears the close mark,
     * unless that SYN's data offset is bogus (marks untouched: the RST's
     * mark stays). */
    static const seg_t plain[] = { SEG(S, RST, 5, 0), SEG(C, SYN, 100, 0), SEG(C, SYN, 100, 0) };
    static const seg_t syn_rst[] = {
        SEG(S, RST, 5, 0),
        SEG(C, SYN | RST, 100, 0),
        SEG(C, SYN, 100, 0),
    };
    static const seg_t bogus_syn[] = {
        SEG(S, RST, 5, 0),
        {C, SYN, 100, 0, 16, 20, 20},
        SEG(C, SYN, 100, 0),
    };
    /* A header longer than its segment still sets the marks. */
    static const seg_t long_syn[] = {
        SEG(S, RST, 5, 0),
        {C, SYN, 100, 0, 32, 20, 20},
        SEG(C, SYN, 100, 0),
    };
    static const seg_t bogus_rst[] = {
        SEG(C, SYN, 100, 0),
        {S, RSTACK, 0, 101, 16, 20, 20},
        SEG(C, SYN, 100, 0),
    };
    static const seg_t long_rst[] = {
        SEG(C, SYN, 100, 0),
        {S, RSTACK, 0, 101, 32, 20, 20},
        SEG(C, SYN, 100, 0),
    };

    EXPECT("RST then SYN twice", plain, "000", "000", "000", "000");
    EXPECT("RST then SYN+RST", syn_rst, "000", "001", "001", "001");
    EXPECT("RST then bogus SYN", bogus_syn, "000", "001", "001", "001");
    EXPECT("RST then long-header SYN", long_syn, "000", "000", "000", "000");
    EXPECT("bogus RST", bogus_rst, "000", "000", "000", "000");
    EXPECT("long-header RST", long_rst, "000", "001", "001", "001");
}

static void
test_synack(void)
{
    /* Another SYN-ACK: 4.0 and 4.2 take its sequence number as the new
     * base (a later server SYN with it stays), 4.4 on start a stream. */
    static const seg_t rebase[] = {
        SEG(C, SYN, 100, 0), SEG(S, SYNACK, 500, 101), SEG(S, SYNACK, 700, 101),
        SEG(S, SYN, 700, 0), SEG(S, SYN, 500, 0),
    };
    /* The base from the client's ACK (ack - 1) counts the same. */
    static const seg_t from_ack[] = {
        SEG(C, SYN, 100, 0),
        SEG(C, ACK, 101, 4001),
        SEG(S, SYNACK, 4000, 101),
        SEG(S, SYNACK, 4444, 101),
    };
    /* The same SYN-ACK after a RST or a FIN-ACK. */
    static const seg_t after_rst[] = {
        SEG(C, SYN, 100, 0),      SEG(S, SYNACK, 500, 101), SEG(C, RST, 101, 0),
        SEG(S, SYNACK, 500, 101), SEG(C, ACK, 101, 501),
    };
    static const seg_t after_fin[] = {
        SEG(C, SYN, 100, 0),      SEG(S, SYNACK, 500, 101), SEG(S, SYNACK, 600, 101),
        SEG(C, FINACK, 101, 601), SEG(S, SYNACK, 600, 101), SEG(C, SYN, 100, 0),
    };
    /* A SYN-ACK from the side that sent the SYN. */
    static const seg_t own_syn[] = { SEG(C, SYN, 100, 0), SEG(C, SYNACK, 300, 1) };

    EXPECT("SYN-ACK rebase", rebase, "00001", "00001", "00112", "00112");
    EXPECT("SYN-ACK against an ACK's base", from_ack, "0000", "0000", "0001", "0001");
    EXPECT("SYN-ACK after RST", after_rst, "00000", "00000", "00011", "00011");
    EXPECT("SYN-ACK after FIN", after_fin, "000000", "000001", "001122", "001122");
    EXPECT("SYN-ACK after own SYN", own_syn, "00", "00", "01", "01");
}

static void
test_midstream_and_bases(void)
{
    /* Mid-stream data, a SYN with the data's seq - 1, its SYN-ACK, then
     * a new ISN (synth_midstream_then_syn). */
    static const seg_t mid[] = {
        SEG(C, ACK, 5000, 7000),     SEG(S, ACK, 7000, 5002), SEG(C, SYN, 4999, 0),
        SEG(S, SYNACK, 8000, 5000),  SEG(C, ACK, 5000, 8001), SEG(C, SYN, 90000, 0),
        SEG(S, SYNACK, 8000, 90001),
    };
    /* A first segment whose header is longer than the segment: only 4.4 on
     * take its base. */
    static const seg_t long_first[] = {
        {C, ACK, 5000, 0, 60, 20, 20},
        SEG(C, SYN, 777, 0),
        SEG(S, SYNACK, 900, 778),
    };
    /* A bogus data offset takes part in bases everywhere
     * (synth_bogus_offset, second pair). */
    static const seg_t bogus[] = {
        {S, 0, 1, 0, 12, 20, 20},
        SEG(C, SYN, 30, 0),
        SEG(S, SYNACK, 40, 31),
        SEG(C, ACK, 31, 41),
    };

    EXPECT("mid-stream then SYN", mid, "0000011", "0000011", "0001122", "0001122");
    EXPECT("header past the segment", long_first, "000", "000", "011", "011");
    EXPECT("bogus offset first", bogus, "0000", "0000", "0011", "0011");
}

static void
test_captured_length(void)
{
    /* Headers cut by the snapshot length: 4.6 numbers a segment from 14
     * bytes on, the others from 16; a cut RST still marks the close. */
    static const seg_t cut14[] = {
        SEG(C, SYN, 100, 0),
        {S, RSTACK, 0, 101, 20, 20, 14},
        SEG(C, SYN, 100, 0),
    };
    static const seg_t cut16[] = {
        SEG(C, SYN, 100, 0),
        {S, RSTACK, 0, 101, 20, 20, 16},
        SEG(C, SYN, 100, 0),
    };
    static const seg_t cut13[] = {
        SEG(C, SYN, 100, 0),
        {C, SYN, 200, 0, 20, 20, 13},
        SEG(C, SYN, 100, 0),
    };
    static const seg_t cut_syn[] = {
        SEG(C, SYN, 100, 0),
        {C, SYN, 200, 0, 20, 20, 15},
        SEG(C, SYN, 200, 0),
    };

    EXPECT("RST cut to 14 bytes", cut14, "0-0", "0-0", "0-0", "001");
    EXPECT("RST cut to 16 bytes", cut16, "000", "001", "001", "001");
    EXPECT("SYN cut to 13 bytes", cut13, "0-0", "0-0", "0-0", "0-0");
    EXPECT("SYN cut to 15 bytes", cut_syn, "0-1", "0-1", "0-1", "011");
    CHECK(!stream_rules_numbered(stream_rules_for_version(4, 4), 15));
    CHECK(stream_rules_numbered(stream_rules_for_version(4, 4), 16));
    CHECK(stream_rules_numbered(stream_rules_for_version(4, 6), 14));
}

int
main(void)
{
    test_versions();
    test_new_isn();
    test_same_isn_after_close();
    test_first_syn_forgets_close();
    test_synack();
    test_midstream_and_bases();
    test_captured_length();
    return check_report();
}
