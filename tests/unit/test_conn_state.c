/* test_conn_state.c
 * Unit tests of the Zeek connection model: one packet sequence for every
 * conn_state code, and the history letter rules of docs/spec.md section 5.1.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <stdint.h>
#include <stdio.h>

#include "check.h"
#include "conn_state.h"

typedef struct {
    char        who;   /* 'O' originator (client), 'R' responder (server) */
    const char *flags; /* S A F R P */
    uint32_t    seq;
    uint32_t    len;
} zpkt_t;

static void
feed(conn_model_t *m, const zpkt_t *pkts, size_t n)
{
    size_t i;

    conn_model_init(m);
    for (i = 0; i < n; i++)
        conn_model_on_packet(m, pkts[i].who == 'O', check_tcp_flags(pkts[i].flags), pkts[i].seq,
                             pkts[i].len);
}

#define EXPECT_CONN(pkts, want_state, want_history) \
    do { \
        conn_model_t m_; \
        feed(&m_, (pkts), sizeof(pkts) / sizeof((pkts)[0])); \
        CHECK_STR(conn_state_name(conn_model_verdict(&m_)), (want_state), #pkts " state"); \
        CHECK_STR(m_.history, (want_history), #pkts " history"); \
    } while (0)

/* S0: a SYN, never answered. */
static const zpkt_t s0[] = {
    {'O',  "S", 100, 0},
    { 'O', "S", 100, 0},
};

/* S1: established, never closed. */
static const zpkt_t s1[] = {
    {'O',  "S",  100, 0 },
    { 'R', "SA", 500, 0 },
    { 'O', "A",  101, 0 },
    { 'O', "PA", 101, 10},
};

/* SF: normal establishment and termination. */
static const zpkt_t sf[] = {
    {'O',  "S",  100, 0 },
    { 'R', "SA", 500, 0 },
    { 'O', "A",  101, 0 },
    { 'O', "PA", 101, 10},
    { 'R', "A",  501, 0 },
    { 'R', "PA", 501, 20},
    { 'O', "FA", 111, 0 },
    { 'R', "FA", 521, 0 },
    { 'O', "A",  112, 0 },
};

/* REJ: the SYN is answered with a RST. */
static const zpkt_t rej[] = {
    {'O',  "S",  100, 0},
    { 'R', "RA", 0,   0},
};

/* REJ also when both reset an established connection that carried nothing. */
static const zpkt_t rej_both_reset[] = {
    {'O',  "S",  100, 0},
    { 'R', "SA", 500, 0},
    { 'O', "R",  101, 0},
    { 'R', "R",  501, 0},
};

/* S2: established, the originator closed, nothing from the responder. */
static const zpkt_t s2[] = {
    {'O',  "S",  100, 0},
    { 'R', "SA", 500, 0},
    { 'O', "A",  101, 0},
    { 'O', "FA", 101, 0},
};

/* S3: established, the responder closed, nothing from the originator. */
static const zpkt_t s3[] = {
    {'O',  "S",  100, 0},
    { 'R', "SA", 500, 0},
    { 'O', "A",  101, 0},
    { 'R', "FA", 501, 0},
};

/* RSTO: the originator aborted an established connection. */
static const zpkt_t rsto[] = {
    {'O',  "S",  100, 0  },
    { 'R', "SA", 500, 0  },
    { 'O', "A",  101, 0  },
    { 'O', "PA", 101, 10 },
    { 'R', "PA", 501, 100},
    { 'O', "RA", 111, 0  },
};

/* RSTR: the responder aborted an established connection. */
static const zpkt_t rstr[] = {
    {'O',  "S",  100, 0 },
    { 'R', "SA", 500, 0 },
    { 'O', "A",  101, 0 },
    { 'O', "PA", 101, 10},
    { 'R', "RA", 501, 0 },
};

/* RSTOS0: the originator sent a SYN, then a RST; no SYN-ACK seen. */
static const zpkt_t rstos0[] = {
    {'O',  "S", 100, 0},
    { 'O', "R", 101, 0},
};

/* RSTRH: a SYN-ACK and then a RST from the responder; the originator's
 * SYN was never seen. */
static const zpkt_t rstrh[] = {
    {'R',  "SA", 500, 0},
    { 'R', "R",  501, 0},
};

/* SH: the originator sent a SYN and then a FIN; no SYN-ACK. */
static const zpkt_t sh[] = {
    {'O',  "S", 100, 0},
    { 'O', "F", 101, 0},
};

/* SHR: the responder sent a SYN-ACK and then a FIN; no SYN from the
 * originator seen. */
static const zpkt_t shr[] = {
    {'R',  "SA", 500, 0},
    { 'R', "FA", 501, 0},
};

/* OTH: mid-stream traffic, no SYN. */
static const zpkt_t oth[] = {
    {'O',  "PA", 1000, 10},
    { 'R', "A",  5000, 0 },
};

/* OTH too: an originator RST without a preceding SYN. */
static const zpkt_t oth_rst[] = {
    {'O',  "A", 1000, 0},
    { 'O', "R", 1000, 0},
};

/* Q: several of SYN/FIN/RST at once; I: FIN and RST. Once per side.
 * The responder's FIN+RST leaves it RESET, the originator CLOSED: RSTR. */
static const zpkt_t multi_flags[] = {
    {'O',  "SF", 100, 0},
    { 'O', "SF", 100, 0},
    { 'R', "FR", 500, 0},
};

/* A SYN with a new sequence number is recorded again, a plain
 * retransmission is not; same for FIN (sequence after the payload). */
static const zpkt_t repeats[] = {
    {'O',  "S",  100,  0 },
    { 'O', "S",  100,  0 },
    { 'O', "S",  7000, 0 },
    { 'R', "SA", 500,  0 },
    { 'O', "A",  7001, 0 },
    { 'O', "FA", 7001, 10},
    { 'O', "FA", 7001, 10},
    { 'O', "FA", 7030, 0 },
    { 'R', "RA", 501,  0 },
    { 'R', "RA", 501,  0 },
    { 'R', "RA", 600,  0 },
};

/* A responder that reset after closing counts as closed again when the
 * originator closes: SF, not RSTR. */
static const zpkt_t reset_after_close[] = {
    {'O',  "S",  100, 0},
    { 'R', "SA", 500, 0},
    { 'O', "A",  101, 0},
    { 'R', "FA", 501, 0},
    { 'R', "R",  502, 0},
    { 'O', "FA", 101, 0},
};

static void
test_payload_counts_exclude_rst(void)
{
    static const zpkt_t p[] = {
        {'O',  "S",  100, 0 },
        { 'R', "SA", 500, 0 },
        { 'O', "PA", 101, 10},
        { 'O', "RA", 111, 5 },
    };
    conn_model_t m;

    feed(&m, p, 4);
    CHECK(m.orig.payload_bytes == 10);
    CHECK(m.resp.payload_bytes == 0);
}

static void
test_history_cap(void)
{
    conn_model_t m;
    uint32_t     i;

    conn_model_init(&m);
    for (i = 0; i < 100; i++)
        conn_model_on_packet(&m, true, TCP_FLAG_SYN, 1000 * i * i, 0);
    CHECK(m.history_len == CONN_HISTORY_MAX);
    CHECK(m.history[CONN_HISTORY_MAX] == '\0');
}

int
main(void)
{
    EXPECT_CONN(s0, "S0", "S");
    EXPECT_CONN(s1, "S1", "ShAD");
    EXPECT_CONN(sf, "SF", "ShADadFf");
    EXPECT_CONN(rej, "REJ", "Sr");
    EXPECT_CONN(rej_both_reset, "REJ", "ShRr");
    EXPECT_CONN(s2, "S2", "ShAF");
    EXPECT_CONN(s3, "S3", "ShAf");
    EXPECT_CONN(rsto, "RSTO", "ShADdR");
    EXPECT_CONN(rstr, "RSTR", "ShADr");
    EXPECT_CONN(rstos0, "RSTOS0", "SR");
    EXPECT_CONN(rstrh, "RSTRH", "hr");
    EXPECT_CONN(sh, "SH", "SF");
    EXPECT_CONN(shr, "SHR", "hf");
    EXPECT_CONN(oth, "OTH", "Da");
    EXPECT_CONN(oth_rst, "OTH", "AR");
    EXPECT_CONN(multi_flags, "RSTR", "Qi");
    EXPECT_CONN(repeats, "RSTR", "SShAFFrr");
    EXPECT_CONN(reset_after_close, "SF", "ShAfrF");
    test_payload_counts_exclude_rst();
    test_history_cap();
    return check_report();
}
