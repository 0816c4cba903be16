/* explain.h
 * Plain words for what tcpphase found: one sentence per TCP packet
 * (tcpphase.explain), the short label of its arrow in a ladder diagram,
 * and the words the ladder and the narrative use (docs/spec.md section 9).
 *
 * Every text comes from one table of message templates with one column
 * per language, so a language is one more column (explain.c).
 *
 * Pure C: no epan headers, so it can be unit-tested on its own.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef TCPPHASE_EXPLAIN_H
#define TCPPHASE_EXPLAIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "conv_summary.h"

typedef enum { EXPLAIN_LANG_EN = 0, EXPLAIN_LANG_ES, EXPLAIN_LANG_COUNT } explain_lang_t;

/* What one packet's sentence is made of: its stored result, its TCP
 * header, and a few facts about the conversation that are already fixed
 * when the packet is seen (so the sentence is the same in every pass). */
typedef struct {
    uint8_t        dir;    /* tp_dir_t */
    uint8_t        step;   /* tp_step_t */
    uint8_t        phase;  /* tp_phase_t */
    uint8_t        events; /* TP_EVENT_* */
    bool           midstream;
    uint32_t       phase_seq;
    uint16_t       tcp_flags; /* TCP_FLAG_* */
    uint32_t       payload_len;
    uint8_t        tls_count;
    const uint8_t *tls_stages; /* tls_stage_t, record order */
    uint8_t        tls_alert_count;
    const uint8_t *tls_alerts; /* tls_alert_t of the readable alerts */
    bool           tls_failed_here;
    bool           first_syn;   /* this is the conversation's first SYN */
    bool           first_close; /* this is its first FIN or RST */
    uint8_t        closer;      /* tp_role_t of that FIN or RST, 0 before */
    const char    *app_line;    /* "GET / HTTP/1.1", or NULL */
} explain_packet_t;

/* The first line of an HTTP/1.x request or response that starts at the
 * beginning of payload, copied to buf (truncated to size - 1); false,
 * with buf empty, when the payload does not start with one. */
bool explain_app_line(const uint8_t *payload, size_t len, char *buf, size_t size);

/* One sentence for the packet, in buf (always terminated, truncated to
 * size - 1). Returns the length written. */
size_t explain_sentence(const explain_packet_t *pkt, explain_lang_t lang, char *buf, size_t size);

/* The label of the packet's arrow in a ladder diagram, as a lab report
 * writes it: "SYN", "SYN, ACK", "GET / HTTP/1.1", "Client Hello",
 * "FIN, ACK"... */
size_t explain_label(const explain_packet_t *pkt, char *buf, size_t size);

/* Words of the ladder and narrative, by message id (explain.c's table). */
typedef enum {
    EXPLAIN_WORD_CLIENT,
    EXPLAIN_WORD_SERVER,
    EXPLAIN_WORD_HANDSHAKE,
    EXPLAIN_WORD_DATA,
    EXPLAIN_WORD_TEARDOWN,
    EXPLAIN_WORD_CONVERSATION,
    EXPLAIN_WORD_MORE_PACKETS, /* "... {n} more packets ..." */
    EXPLAIN_WORD_FRAMES,       /* "frames {app}" */
    EXPLAIN_WORD_VERDICT,
    EXPLAIN_WORD_LADDER,
    EXPLAIN_WORD_SUMMARY,
    EXPLAIN_WORD_COUNT
} explain_word_t;

/* Writes the word (with {n} replaced by n, {app} by app) to buf. */
size_t explain_word(explain_word_t word, explain_lang_t lang, uint64_t n, const char *app,
                    char *buf, size_t size);

/* The verdict lines under a ladder: state and its meaning, who closed and
 * how, RTT, TTFB, TLS. One line per call, index 0, 1, ...; a line that
 * does not apply is empty; false past the last line. */
bool explain_verdict_line(const conv_summary_t *sum, explain_lang_t lang, unsigned index, char *buf,
                          size_t size);

/* The history letter by letter, in words: "S the client's SYN, h the
 * server's SYN-ACK, ...". Empty for an empty history. */
size_t explain_history_words(const char *history, explain_lang_t lang, char *buf, size_t size);

/* ---- the narrative's summary (docs/spec.md section 9) ---- */

#define EXPLAIN_FLIGHTS       6  /* TLS handshake flights told one by one */
#define EXPLAIN_FLIGHT_STAGES 12 /* message names kept per flight */

/* A TLS handshake flight: the handshake messages one side sent before the
 * other side sent any. */
typedef struct {
    uint8_t  role; /* tp_role_t of the sender */
    uint32_t first_frame, last_frame;
    uint8_t  count; /* stages kept */
    uint8_t  stages[EXPLAIN_FLIGHT_STAGES];
} explain_flight_t;

/* What the summary tells, gathered from the packets of one conversation
 * (ladder.c); frames are 0 where there is none. Roles are tp_role_t. */
typedef struct {
    /* the three-way handshake: the first of each */
    uint32_t syn_frame, syn_ack_frame, hs_ack_frame, refused_frame;
    unsigned syns; /* SYN packets from the client, retransmissions included */
    bool     midstream;
    /* the exchange: HTTP/1.x first lines */
    unsigned    requests, responses;
    const char *first_request, *first_response;
    uint32_t    first_request_frame, first_response_frame;
    /* TLS */
    explain_flight_t flights[EXPLAIN_FLIGHTS];
    unsigned         flight_count, flights_left_out;
    uint8_t          flight_role;    /* sender of the latest flight, told or not */
    unsigned         app_records[2]; /* Application Data records: client, server */
    uint32_t         app_first_frame, app_last_frame;
    uint32_t         alert_frame; /* the first alert */
    uint8_t          alert_role, alert_stage, alert_count;
    uint8_t          alert_desc; /* tls_alert_t, when alert_count > 0 */
    uint32_t         tls_failed_frame;
    /* the teardown */
    uint32_t first_fin_frame, second_fin_frame, last_ack_frame, rst_frame;
    uint32_t after_fin_first, after_fin_last; /* data after the peer's FIN */
    uint8_t  first_fin_role, rst_role;
} explain_story_t;

typedef enum {
    EXPLAIN_PARA_HANDSHAKE,
    EXPLAIN_PARA_TLS,
    EXPLAIN_PARA_EXCHANGE,
    EXPLAIN_PARA_TEARDOWN,
    EXPLAIN_PARA_COUNT
} explain_para_t;

/* One paragraph of the summary; 0 (buf empty) when it has nothing to
 * say for this conversation. */
size_t explain_paragraph(explain_para_t para, const explain_story_t *story,
                         const conv_summary_t *sum, explain_lang_t lang, char *buf, size_t size);

#endif /* TCPPHASE_EXPLAIN_H */
