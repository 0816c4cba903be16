/* test_tcp_phase.c
 * Unit tests of the TCP phase machine: each test is a packet sequence as
 * in docs/spec.md and the dir/step/phase/phase.seq it must produce.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "tcp_phase.h"

#define C 'C' /* sent by the client's address:port (40000) */
#define S 'S' /* sent by the server's address:port (80) */

typedef struct {
    char        who;
    const char *flags; /* letters: S=SYN A=ACK F=FIN R=RST P=PSH */
    uint32_t    seq;
    uint32_t    ack;
    uint32_t    len;
} pkt_t;

static tp_segment_t
make_segment(const pkt_t *first, const pkt_t *p, uint32_t frame)
{
    tp_segment_t seg;

    memset(&seg, 0, sizeof(seg));
    seg.frame = frame;
    seg.ts = (tp_time_t)frame * 1000000; /* 1 ms apart */
    seg.flags = check_tcp_flags(p->flags);
    seg.seq = p->seq;
    seg.ack = p->ack;
    seg.payload_len = p->len;
    seg.src_port = p->who == C ? 40000 : 80;
    seg.dst_port = p->who == C ? 80 : 40000;
    seg.from_first_sender = p->who == first->who;
    return seg;
}

/* Runs pkts through a fresh conversation; returns "dir:step:phase:seq ..."
 * with dir as > (to_server) or < (to_client). */
static void
run(tp_conv_t *conv, const pkt_t *pkts, size_t n, char *out, size_t out_size)
{
    size_t i, used = 0;

    tp_conv_init(conv);
    out[0] = '\0';
    for (i = 0; i < n; i++) {
        tp_segment_t seg = make_segment(&pkts[0], &pkts[i], (uint32_t)i + 1);
        tp_packet_t  res;
        int          w;

        tp_conv_on_segment(conv, &seg, &res);
        w = snprintf(out + used, out_size - used, "%s%s:%s:%s:%u", i ? " " : "",
                     res.dir == TP_DIR_TO_SERVER ? ">" : "<", tp_step_name(res.step),
                     tp_phase_name(res.phase), res.phase_seq);
        if (w < 0 || (size_t)w >= out_size - used)
            break;
        used += (size_t)w;
    }
}

#define EXPECT_SEQUENCE(conv, pkts, expected) \
    do { \
        char got_[2048]; \
        run((conv), (pkts), sizeof(pkts) / sizeof((pkts)[0]), got_, sizeof(got_)); \
        CHECK_STR(got_, (expected), #pkts); \
    } while (0)

/* The seed: handshake, GET and its ACK, response and its ACK, FIN, FIN,
 * last ACK. */
static void
test_seed(void)
{
    static const pkt_t seed[] = {
        {C,  "S",  100, 0,   0  },
        { S, "SA", 500, 101, 0  },
        { C, "A",  101, 501, 0  },
        { C, "PA", 101, 501, 80 },
        { S, "A",  501, 181, 0  },
        { S, "PA", 501, 181, 300},
        { C, "A",  181, 801, 0  },
        { C, "FA", 181, 801, 0  },
        { S, "FA", 801, 182, 0  },
        { C, "A",  182, 802, 0  },
    };
    tp_conv_t conv;
    tp_time_t t;

    EXPECT_SEQUENCE(&conv, seed,
                    ">:syn:handshake:1 <:syn_ack:handshake:2 >:handshake_ack:handshake:3 "
                    ">:data:data:1 <:ack:data:2 <:data:data:3 >:ack:data:4 "
                    ">:fin:teardown:1 <:fin:teardown:2 >:last_ack:teardown:3");
    CHECK(!conv.midstream);
    CHECK(tp_conv_complete(&conv));
    CHECK(tp_conv_close(&conv) == TP_CLOSE_GRACEFUL);
    CHECK(conv.closer == TP_ROLE_CLIENT);
    CHECK(conv.syn_frame == 1 && conv.established_frame == 3 && conv.close_frame == 8);
    CHECK(tp_conv_handshake_rtt(&conv, &t) && t == 2000000);
    CHECK(tp_conv_ttfb(&conv, &t) && t == 2000000); /* frame 4 -> frame 6 */
    CHECK(tp_conv_duration(&conv) == 9000000);
    CHECK(conv.phase_packets[0] == 3 && conv.phase_packets[1] == 4 && conv.phase_packets[2] == 3);
    CHECK(conv.bytes_to_server == 80 && conv.bytes_to_client == 300);
    CHECK_STR(tp_conv_history(&conv), "ShADadFf", "seed history");
    CHECK_STR(conn_state_name(tp_conv_state(&conv)), "SF", "seed state");
}

static void
test_refused(void)
{
    static const pkt_t refused[] = {
        {C,  "S",  100, 0,   0},
        { S, "RA", 0,   101, 0},
    };
    tp_conv_t conv;
    tp_time_t t;

    EXPECT_SEQUENCE(&conv, refused, ">:syn:handshake:1 <:rst:teardown:1");
    CHECK(tp_conv_close(&conv) == TP_CLOSE_RESET);
    CHECK(conv.closer == TP_ROLE_SERVER);
    CHECK(!tp_conv_complete(&conv));
    CHECK(!tp_conv_handshake_rtt(&conv, &t));
    CHECK(!tp_conv_ttfb(&conv, &t));
    CHECK_STR(tp_conv_history(&conv), "Sr", "refused history");
    CHECK_STR(conn_state_name(tp_conv_state(&conv)), "REJ", "refused state");
}

static void
test_unanswered_syns(void)
{
    static const pkt_t unanswered[] = {
        {C,  "S", 100, 0, 0},
        { C, "S", 100, 0, 0},
        { C, "S", 100, 0, 0},
    };
    tp_conv_t conv;

    EXPECT_SEQUENCE(&conv, unanswered, ">:syn:handshake:1 >:syn:handshake:2 >:syn:handshake:3");
    CHECK(tp_conv_close(&conv) == TP_CLOSE_OPEN);
    CHECK(conv.closer == 0);
    /* Retransmissions with the same sequence number add no letter. */
    CHECK_STR(tp_conv_history(&conv), "S", "unanswered history");
    CHECK_STR(conn_state_name(tp_conv_state(&conv)), "S0", "unanswered state");
}

static void
test_client_rst_abort(void)
{
    static const pkt_t client_abort[] = {
        {C,  "S",  100,  0,    0   },
        { S, "SA", 500,  101,  0   },
        { C, "A",  101,  501,  0   },
        { C, "PA", 101,  501,  50  },
        { S, "A",  501,  151,  1000},
        { C, "A",  151,  1501, 0   },
        { C, "RA", 151,  1501, 0   },
        { S, "A",  1501, 151,  1000},
        { C, "R",  151,  0,    0   },
    };
    tp_conv_t conv;

    EXPECT_SEQUENCE(&conv, client_abort,
                    ">:syn:handshake:1 <:syn_ack:handshake:2 >:handshake_ack:handshake:3 "
                    ">:data:data:1 <:data:data:2 >:ack:data:3 "
                    ">:rst:teardown:1 <:data:teardown:2 >:rst:teardown:3");
    CHECK(tp_conv_close(&conv) == TP_CLOSE_RESET);
    CHECK(conv.closer == TP_ROLE_CLIENT);
    CHECK_STR(conn_state_name(tp_conv_state(&conv)), "RSTO", "client abort state");
    CHECK_STR(tp_conv_history(&conv), "ShADdR", "client abort history");
}

static void
test_server_rst_abort(void)
{
    static const pkt_t server_abort[] = {
        {C,  "S",  100, 0,   0  },
        { S, "SA", 500, 101, 0  },
        { C, "A",  101, 501, 0  },
        { C, "PA", 101, 501, 50 },
        { S, "PA", 501, 151, 100},
        { S, "RA", 601, 151, 0  },
    };
    tp_conv_t conv;

    EXPECT_SEQUENCE(&conv, server_abort,
                    ">:syn:handshake:1 <:syn_ack:handshake:2 >:handshake_ack:handshake:3 "
                    ">:data:data:1 <:data:data:2 <:rst:teardown:1");
    CHECK(conv.closer == TP_ROLE_SERVER);
    CHECK_STR(conn_state_name(tp_conv_state(&conv)), "RSTR", "server abort state");
}

/* The client closes its side; the server keeps sending, then closes. */
static void
test_half_close(void)
{
    static const pkt_t half_close[] = {
        {C,  "S",  100, 0,   0  },
        { S, "SA", 500, 101, 0  },
        { C, "A",  101, 501, 0  },
        { C, "PA", 101, 501, 10 },
        { C, "FA", 111, 501, 0  },
        { S, "A",  501, 112, 0  },
        { S, "PA", 501, 112, 100},
        { C, "A",  112, 601, 0  },
        { S, "PA", 601, 112, 100},
        { S, "FA", 701, 112, 0  },
        { C, "A",  112, 702, 0  },
    };
    tp_conv_t conv;

    EXPECT_SEQUENCE(&conv, half_close,
                    ">:syn:handshake:1 <:syn_ack:handshake:2 >:handshake_ack:handshake:3 "
                    ">:data:data:1 >:fin:teardown:1 <:ack:teardown:2 <:data:teardown:3 "
                    ">:ack:teardown:4 <:data:teardown:5 <:fin:teardown:6 >:last_ack:teardown:7");
    CHECK(tp_conv_complete(&conv));
    CHECK(conv.bytes_to_client == 200);
}

static void
test_server_closes_first(void)
{
    static const pkt_t server_first[] = {
        {C,  "S",  100, 0,   0 },
        { S, "SA", 500, 101, 0 },
        { C, "A",  101, 501, 0 },
        { C, "PA", 101, 501, 10},
        { S, "PA", 501, 111, 20},
        { S, "FA", 521, 111, 0 },
        { C, "A",  111, 522, 0 },
        { C, "FA", 111, 522, 0 },
        { S, "A",  522, 112, 0 },
    };
    tp_conv_t conv;

    EXPECT_SEQUENCE(&conv, server_first,
                    ">:syn:handshake:1 <:syn_ack:handshake:2 >:handshake_ack:handshake:3 "
                    ">:data:data:1 <:data:data:2 <:fin:teardown:1 >:ack:teardown:2 "
                    ">:fin:teardown:3 <:last_ack:teardown:4");
    CHECK(conv.closer == TP_ROLE_SERVER);
    CHECK_STR(conn_state_name(tp_conv_state(&conv)), "SF", "server first state");
}

/* Both FINs cross on the wire; the second FIN in capture order is the
 * server's, so the client's ACK of it is the last ACK. */
static void
test_simultaneous_close(void)
{
    static const pkt_t simultaneous[] = {
        {C,  "S",  100, 0,   0},
        { S, "SA", 500, 101, 0},
        { C, "A",  101, 501, 0},
        { C, "FA", 101, 501, 0},
        { S, "FA", 501, 101, 0},
        { S, "A",  502, 102, 0},
        { C, "A",  102, 502, 0},
    };
    tp_conv_t conv;

    EXPECT_SEQUENCE(&conv, simultaneous,
                    ">:syn:handshake:1 <:syn_ack:handshake:2 >:handshake_ack:handshake:3 "
                    ">:fin:teardown:1 <:fin:teardown:2 <:ack:teardown:3 >:last_ack:teardown:4");
}

/* Capture starts during the transfer: data phase from the first packet. The
 * first sender has the well-known port, so it is the server. */
static void
test_midstream(void)
{
    static const pkt_t midstream[] = {
        {S,  "PA", 5000, 900,  100},
        { C, "A",  900,  5100, 0  },
        { C, "PA", 900,  5100, 10 },
        { C, "FA", 910,  5100, 0  },
        { S, "FA", 5100, 911,  0  },
        { C, "A",  911,  5101, 0  },
    };
    tp_conv_t conv;
    tp_time_t t;

    EXPECT_SEQUENCE(&conv, midstream,
                    "<:data:data:1 >:ack:data:2 >:data:data:3 "
                    ">:fin:teardown:1 <:fin:teardown:2 >:last_ack:teardown:3");
    CHECK(conv.midstream);
    CHECK(!tp_conv_handshake_rtt(&conv, &t));
    CHECK(!tp_conv_complete(&conv));
    CHECK_STR(conn_state_name(tp_conv_state(&conv)), "SF", "midstream state");
    CHECK_STR(tp_conv_history(&conv), "dADFf", "midstream history");
}

/* Mid-stream with both ports ephemeral: the first sender is the client. */
static void
test_midstream_ephemeral_ports(void)
{
    tp_conv_t    conv;
    tp_segment_t seg;
    tp_packet_t  res;

    tp_conv_init(&conv);
    memset(&seg, 0, sizeof(seg));
    seg.flags = TCP_FLAG_ACK;
    seg.src_port = 5000;
    seg.dst_port = 6000;
    seg.payload_len = 10;
    seg.from_first_sender = true;
    tp_conv_on_segment(&conv, &seg, &res);
    CHECK(res.dir == TP_DIR_TO_SERVER);
    CHECK(res.midstream && res.phase == TP_PHASE_DATA && res.step == TP_STEP_DATA);
}

/* First packet seen is the SYN-ACK: its receiver is the client. */
static void
test_syn_ack_first(void)
{
    static const pkt_t syn_ack_first[] = {
        {S,  "SA", 500, 101, 0},
        { C, "A",  101, 501, 0},
        { C, "PA", 101, 501, 5},
    };
    tp_conv_t conv;

    EXPECT_SEQUENCE(&conv, syn_ack_first,
                    "<:syn_ack:handshake:1 >:handshake_ack:handshake:2 >:data:data:1");
    CHECK(!conv.midstream);
}

/* A retransmitted SYN and a retransmitted FIN keep their steps; the second
 * FIN is the other side's, not the retransmission. */
static void
test_retransmitted_syn_and_fin(void)
{
    static const pkt_t retrans[] = {
        {C,  "S",  100, 0,   0},
        { C, "S",  100, 0,   0},
        { S, "SA", 500, 101, 0},
        { C, "A",  101, 501, 0},
        { C, "FA", 101, 501, 0},
        { C, "FA", 101, 501, 0},
        { S, "A",  501, 102, 0},
        { S, "FA", 501, 102, 0},
        { C, "A",  102, 502, 0},
        { C, "A",  102, 502, 0},
    };
    tp_conv_t conv;

    EXPECT_SEQUENCE(&conv, retrans,
                    ">:syn:handshake:1 >:syn:handshake:2 <:syn_ack:handshake:3 "
                    ">:handshake_ack:handshake:4 >:fin:teardown:1 >:fin:teardown:2 "
                    "<:ack:teardown:3 <:fin:teardown:4 >:last_ack:teardown:5 >:ack:teardown:6");
    CHECK_STR(tp_conv_history(&conv), "ShAFaf", "retransmission history");
}

/* TCP Fast Open style: data rides on the SYN. */
static void
test_syn_with_data(void)
{
    static const pkt_t syn_data[] = {
        {C,  "S",  100, 0,   20},
        { S, "SA", 500, 121, 0 },
        { C, "A",  121, 501, 0 },
    };
    tp_conv_t conv;

    EXPECT_SEQUENCE(&conv, syn_data,
                    ">:syn:handshake:1 <:syn_ack:handshake:2 >:handshake_ack:handshake:3");
    CHECK(conv.bytes_to_server == 20);
}

/* The handshake ACK may carry the request. */
static void
test_handshake_ack_with_payload(void)
{
    static const pkt_t ack_data[] = {
        {C,  "S",  100, 0,   0 },
        { S, "SA", 500, 101, 0 },
        { C, "PA", 101, 501, 30},
        { S, "A",  501, 131, 0 },
    };
    tp_conv_t conv;

    EXPECT_SEQUENCE(&conv, ack_data,
                    ">:syn:handshake:1 <:syn_ack:handshake:2 >:handshake_ack:handshake:3 "
                    "<:ack:data:1");
}

/* A server packet before the handshake completes stays in the handshake;
 * a server ACK never completes it. */
static void
test_server_packet_during_handshake(void)
{
    static const pkt_t early[] = {
        {C,  "S",  100, 0,   0},
        { S, "SA", 500, 101, 0},
        { S, "SA", 500, 101, 0},
        { S, "A",  501, 101, 0},
        { C, "A",  101, 501, 0},
    };
    tp_conv_t conv;

    EXPECT_SEQUENCE(&conv, early,
                    ">:syn:handshake:1 <:syn_ack:handshake:2 <:syn_ack:handshake:3 "
                    "<:ack:handshake:4 >:handshake_ack:handshake:5");
}

/* Port reuse gives a new tcp.stream and so a new conversation: a fresh
 * record starts at syn again even after a finished one. */
static void
test_port_reuse_is_a_new_conversation(void)
{
    static const pkt_t first[] = {
        {C,  "S",  100, 0,   0},
        { S, "RA", 0,   101, 0},
    };
    static const pkt_t second[] = {
        {C,  "S",  9000, 0,    0},
        { S, "SA", 7000, 9001, 0},
        { C, "A",  9001, 7001, 0},
    };
    tp_conv_t conv;

    EXPECT_SEQUENCE(&conv, first, ">:syn:handshake:1 <:rst:teardown:1");
    EXPECT_SEQUENCE(&conv, second,
                    ">:syn:handshake:1 <:syn_ack:handshake:2 >:handshake_ack:handshake:3");
}

static void
test_phase_time_and_seq(void)
{
    static const pkt_t seed[] = {
        {C,  "S",  100, 0,   0 },
        { S, "SA", 500, 101, 0 },
        { C, "A",  101, 501, 0 },
        { C, "PA", 101, 501, 10},
        { S, "PA", 501, 111, 10},
    };
    tp_conv_t   conv;
    tp_packet_t res;
    size_t      i;

    tp_conv_init(&conv);
    for (i = 0; i < 5; i++) {
        tp_segment_t seg = make_segment(&seed[0], &seed[i], (uint32_t)i + 1);
        tp_conv_on_segment(&conv, &seg, &res);
        if (i == 2)
            CHECK(res.phase_time == 2000000); /* frame 3 - frame 1 */
        if (i == 3)
            CHECK(res.phase_time == 0); /* first data packet */
    }
    CHECK(res.phase_time == 1000000 && res.phase_seq == 2);
}

/* Timestamps that run backwards (merged interfaces, clock steps): every
 * difference keeps its sign. Times in ns, chosen so the results are exact:
 * handshake ACK 249 ns before the SYN, the answer 1.5 s before the request,
 * the last ACK 249 ns before the FIN that opened the teardown, the last
 * packet 2 s before the first. */
static void
test_backwards_times(void)
{
    static const pkt_t seed[] = {
        {C,  "S",  100, 0,   0 },
        { S, "SA", 500, 101, 0 },
        { C, "A",  101, 501, 0 },
        { C, "PA", 101, 501, 10},
        { S, "PA", 501, 111, 10},
        { C, "FA", 111, 511, 0 },
        { S, "FA", 511, 112, 0 },
        { C, "A",  112, 512, 0 },
    };
    static const tp_time_t when[] = {
        10000000000, /* SYN at 10 s */
        10000000100,
        10000000000 - 249,        /* handshake ACK: rtt -249 ns */
        11000000000,              /* request at 11 s */
        11000000000 - 1500000000, /* answer: ttfb -1.5 s */
        12000000000,              /* FIN opens the teardown */
        12000000000,              /* same instant: phase.time 0 */
        8000000000,               /* last packet: duration -2 s */
    };
    static const tp_time_t phase_time[] = {
        0, 100,         -249,        /* handshake, from the SYN */
        0, -1500000000,              /* data, from the request */
        0, 0,           -4000000000, /* teardown, from the FIN */
    };
    tp_conv_t   conv;
    tp_packet_t res;
    tp_time_t   t;
    size_t      i;

    tp_conv_init(&conv);
    for (i = 0; i < sizeof(seed) / sizeof(seed[0]); i++) {
        tp_segment_t seg = make_segment(&seed[0], &seed[i], (uint32_t)i + 1);
        seg.ts = when[i];
        tp_conv_on_segment(&conv, &seg, &res);
        CHECK(res.phase_time == phase_time[i]);
    }
    CHECK(tp_conv_handshake_rtt(&conv, &t) && t == -249);
    CHECK(tp_conv_ttfb(&conv, &t) && t == -1500000000);
    CHECK(tp_conv_duration(&conv) == -2000000000);
    CHECK(tp_conv_complete(&conv));
}

/* Events of each packet, as a string of one character per packet:
 * '.' none, 'R' refused, 'A' abort, 'H' data after the peer's FIN,
 * 'M' mid-stream start. */
static void
events_of(const pkt_t *pkts, size_t n, char *out)
{
    tp_conv_t conv;
    size_t    i;

    tp_conv_init(&conv);
    for (i = 0; i < n; i++) {
        tp_segment_t seg = make_segment(&pkts[0], &pkts[i], (uint32_t)i + 1);
        tp_packet_t  res;

        tp_conv_on_segment(&conv, &seg, &res);
        out[i] = res.events & TP_EVENT_REFUSED     ? 'R'
            : res.events & TP_EVENT_ABORT          ? 'A'
            : res.events & TP_EVENT_DATA_AFTER_FIN ? 'H'
            : res.events & TP_EVENT_MIDSTREAM      ? 'M'
                                                   : '.';
    }
    out[n] = '\0';
}

#define EXPECT_EVENTS(pkts, expected) \
    do { \
        char ev_[64]; \
        events_of((pkts), sizeof(pkts) / sizeof((pkts)[0]), ev_); \
        CHECK_STR(ev_, (expected), #pkts " events"); \
    } while (0)

static void
test_events(void)
{
    static const pkt_t refused[] = {
        {C,  "S",  100, 0,   0},
        { S, "RA", 0,   101, 0},
    };
    static const pkt_t abort_after_data[] = {
        {C,  "S",  100, 0,   0 },
        { S, "SA", 500, 101, 0 },
        { C, "A",  101, 501, 0 },
        { C, "PA", 101, 501, 10},
        { C, "RA", 111, 501, 0 },
        { C, "R",  111, 0,   0 },
    };
    static const pkt_t rst_without_data[] = {
        {C,  "S",  100, 0,   0},
        { S, "SA", 500, 101, 0},
        { C, "A",  101, 501, 0},
        { C, "RA", 101, 501, 0},
    };
    static const pkt_t half_close[] = {
        {C,  "S",  100, 0,   0 },
        { S, "SA", 500, 101, 0 },
        { C, "A",  101, 501, 0 },
        { C, "FA", 101, 501, 0 },
        { S, "PA", 501, 102, 10},
        { S, "FA", 511, 102, 0 },
        { C, "A",  102, 512, 0 },
    };
    static const pkt_t midstream[] = {
        {C,  "PA", 900,  5000, 10},
        { S, "A",  5000, 910,  0 },
    };
    static const pkt_t unanswered[] = {
        {C,  "S", 100, 0, 0},
        { C, "S", 100, 0, 0},
    };
    tp_conv_t conv;
    char      buf[256];

    EXPECT_EVENTS(refused, ".R");
    EXPECT_EVENTS(abort_after_data, "....A.");
    EXPECT_EVENTS(rst_without_data, "....");
    EXPECT_EVENTS(half_close, "....H..");
    EXPECT_EVENTS(midstream, "M.");

    run(&conv, unanswered, 2, buf, sizeof(buf));
    CHECK(tp_conv_unanswered(&conv));
    run(&conv, refused, 2, buf, sizeof(buf));
    CHECK(!tp_conv_unanswered(&conv));
}

/* Both sides close, then the client writes once more and the server, whose
 * socket is gone, answers with a RST: the close was graceful (Zeek: SF),
 * the RST is no abort; the late data is data after the peer's FIN and the
 * RST stays in the history. */
static void
test_rst_after_both_fins(void)
{
    static const pkt_t pkts[] = {
        {C,  "S",  100, 0,   0 },
        { S, "SA", 500, 101, 0 },
        { C, "A",  101, 501, 0 },
        { C, "PA", 101, 501, 10},
        { S, "PA", 501, 111, 20},
        { S, "FA", 521, 111, 0 },
        { C, "FA", 111, 522, 0 },
        { S, "A",  522, 112, 0 },
        { C, "PA", 112, 522, 5 }, /* written after the close */
        { S, "R",  522, 0,   0 },
    };
    tp_conv_t conv;
    size_t    i;
    uint8_t   events[10];

    EXPECT_SEQUENCE(&conv, pkts,
                    ">:syn:handshake:1 <:syn_ack:handshake:2 >:handshake_ack:handshake:3 "
                    ">:data:data:1 <:data:data:2 <:fin:teardown:1 >:fin:teardown:2 "
                    "<:last_ack:teardown:3 >:data:teardown:4 <:rst:teardown:5");
    CHECK(tp_conv_close(&conv) == TP_CLOSE_GRACEFUL);
    CHECK(tp_conv_complete(&conv));
    CHECK(conv.closer == TP_ROLE_SERVER);
    CHECK(conv.close_frame == 6);
    CHECK_STR(tp_conv_history(&conv), "ShADdfFar", "rst after both fins: history");
    CHECK_STR(conn_state_name(tp_conv_state(&conv)), "SF", "rst after both fins: state");

    tp_conv_init(&conv);
    for (i = 0; i < 10; i++) {
        tp_segment_t seg = make_segment(&pkts[0], &pkts[i], (uint32_t)i + 1);
        tp_packet_t  res;
        tp_conv_on_segment(&conv, &seg, &res);
        events[i] = res.events;
    }
    CHECK(events[8] == TP_EVENT_DATA_AFTER_FIN); /* the late data */
    CHECK(events[9] == 0);                       /* the RST: no abort */

    /* One FIN only, then a RST: still a reset. */
    {
        static const pkt_t one_fin[] = {
            {C,  "S",  100, 0,   0 },
            { S, "SA", 500, 101, 0 },
            { C, "A",  101, 501, 0 },
            { C, "PA", 101, 501, 10},
            { S, "FA", 501, 111, 0 },
            { C, "R",  111, 0,   0 },
        };
        EXPECT_SEQUENCE(&conv, one_fin,
                        ">:syn:handshake:1 <:syn_ack:handshake:2 >:handshake_ack:handshake:3 "
                        ">:data:data:1 <:fin:teardown:1 >:rst:teardown:2");
        CHECK(tp_conv_close(&conv) == TP_CLOSE_RESET);
    }
}

int
main(void)
{
    test_events();
    test_seed();
    test_refused();
    test_unanswered_syns();
    test_client_rst_abort();
    test_server_rst_abort();
    test_half_close();
    test_server_closes_first();
    test_simultaneous_close();
    test_midstream();
    test_midstream_ephemeral_ports();
    test_syn_ack_first();
    test_retransmitted_syn_and_fin();
    test_syn_with_data();
    test_handshake_ack_with_payload();
    test_server_packet_during_handshake();
    test_port_reuse_is_a_new_conversation();
    test_phase_time_and_seq();
    test_backwards_times();
    test_rst_after_both_fins();
    return check_report();
}
