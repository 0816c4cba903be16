/* tcp_phase.h
 * The TCP phase machine: given the TCP facts of each packet of one
 * conversation, in capture order, it says who is client and server, what
 * step each packet is and which phase of the conversation it belongs to
 * (docs/spec.md sections 2 and 3), and keeps the conversation summary of
 * section 5.
 *
 * Pure C: no epan headers, so it can be unit-tested on its own.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef TCPPHASE_TCP_PHASE_H
#define TCPPHASE_TCP_PHASE_H

#include <stdbool.h>
#include <stdint.h>

#include "conn_state.h"
#include "enum_list.h"
#include "tcp_flags.h"
#include "tp_time.h"

/* Labels are the user interface (display filters compare them, docs/spec.md
 * spells them) and values are printed by tshark -T fields: keep both
 * stable. Each list is the single source of its enum, its value_string in
 * the plugin and its name function. 0 is never used. */
/* clang-format off */
#define TP_DIR_LIST(X) \
    X(TP_DIR_TO_SERVER, 1, "to_server") \
    X(TP_DIR_TO_CLIENT, 2, "to_client")

#define TP_STEP_LIST(X) \
    X(TP_STEP_RST,           1, "rst") \
    X(TP_STEP_SYN,           2, "syn") \
    X(TP_STEP_SYN_ACK,       3, "syn_ack") \
    X(TP_STEP_HANDSHAKE_ACK, 4, "handshake_ack") \
    X(TP_STEP_FIN,           5, "fin") \
    X(TP_STEP_LAST_ACK,      6, "last_ack") \
    X(TP_STEP_DATA,          7, "data") \
    X(TP_STEP_ACK,           8, "ack")

#define TP_PHASE_LIST(X) \
    X(TP_PHASE_HANDSHAKE, 1, "handshake") \
    X(TP_PHASE_DATA,      2, "data") \
    X(TP_PHASE_TEARDOWN,  3, "teardown")

#define TP_CLOSE_LIST(X) \
    X(TP_CLOSE_OPEN,        1, "open") \
    X(TP_CLOSE_HALF_CLOSED, 2, "half_closed") \
    X(TP_CLOSE_GRACEFUL,    3, "graceful") \
    X(TP_CLOSE_RESET,       4, "reset")

#define TP_ROLE_LIST(X) \
    X(TP_ROLE_CLIENT, 1, "client") \
    X(TP_ROLE_SERVER, 2, "server")
/* clang-format on */

typedef enum { TP_DIR_LIST(ENUM_LIST_ENTRY) } tp_dir_t;
typedef enum { TP_STEP_LIST(ENUM_LIST_ENTRY) } tp_step_t;
typedef enum { TP_PHASE_LIST(ENUM_LIST_ENTRY) } tp_phase_t;
typedef enum { TP_CLOSE_LIST(ENUM_LIST_ENTRY) } tp_close_t;
typedef enum { TP_ROLE_LIST(ENUM_LIST_ENTRY) } tp_role_t;

#define TP_PHASE_COUNT 3

/* What the phase machine needs to know of one TCP segment. */
typedef struct {
    uint32_t  frame;       /* frame number, for the *_frame fields */
    tp_time_t ts;          /* when it was captured */
    uint16_t  flags;       /* TCP_FLAG_* */
    uint32_t  seq;         /* raw sequence number */
    uint32_t  ack;         /* raw acknowledgement number */
    uint32_t  payload_len; /* TCP payload length (as on the wire) */
    uint16_t  src_port;
    uint16_t  dst_port;
    bool      from_first_sender; /* sent by the endpoint whose packet opened
                                    this conversation in the capture */
} tp_segment_t;

/* Anomalies a packet shows, for expert info (docs/spec.md section 6). */
#define TP_EVENT_REFUSED        0x01 /* server RST answering a SYN */
#define TP_EVENT_ABORT          0x02 /* first RST after payload flowed */
#define TP_EVENT_DATA_AFTER_FIN 0x04 /* payload after the peer's FIN */
#define TP_EVENT_MIDSTREAM      0x08 /* first packet, no handshake seen */

/* The per-packet result, causal: it depends only on earlier packets. Kept
 * for every TCP packet of a capture, so it is packed small. */
typedef struct {
    tp_time_t phase_time; /* since the first packet of the phase */
    uint32_t  phase_seq;  /* 1-based position inside the phase */
    uint8_t   dir;        /* tp_dir_t */
    uint8_t   step;       /* tp_step_t */
    uint8_t   phase;      /* tp_phase_t */
    uint8_t   events;     /* TP_EVENT_* */
    bool      midstream;
} tp_packet_t;

/* One TCP conversation (one tcp.stream). */
typedef struct {
    uint32_t   packets;
    uint32_t   server_packets;
    bool       syn_ack_seen;
    bool       first_sender_is_client;
    bool       midstream;
    bool       handshake_started; /* SYN or SYN-ACK seen */
    bool       handshake_done;    /* handshake_ack seen */
    tp_phase_t phase;
    uint32_t   phase_seq;
    tp_time_t  phase_start;

    /* FIN bookkeeping, indexed by tp_role_t - 1. */
    bool      fin_seen[2];
    bool      second_fin_seen;
    tp_role_t second_fin_role;
    uint32_t  second_fin_next_seq; /* first sequence number after it */
    bool      last_ack_seen;
    bool      rst_seen;

    /* Conversation summary (docs/spec.md section 5). */
    tp_role_t closer; /* 0 until the first FIN or RST */
    tp_time_t first_time, last_time;
    bool      syn_time_set, established_time_set;
    tp_time_t syn_time, established_time;
    bool      client_payload_seen, server_payload_seen; /* server: answer */
    tp_time_t client_payload_time, server_payload_time;
    uint32_t  syn_frame, established_frame, close_frame; /* 0 = none */
    uint32_t  phase_packets[TP_PHASE_COUNT];
    uint64_t  bytes_to_server, bytes_to_client;

    conn_model_t zeek; /* Zeek state and history */
} tp_conv_t;

void tp_conv_init(tp_conv_t *conv);

/* Feed the next packet of the conversation; fills *out. */
void tp_conv_on_segment(tp_conv_t *conv, const tp_segment_t *seg, tp_packet_t *out);

/* Conversation verdicts (pure functions of the record). */
bool tp_conv_complete(const tp_conv_t *conv);
/* A SYN that nothing ever answered: no packet from the server at all. */
bool       tp_conv_unanswered(const tp_conv_t *conv);
tp_close_t tp_conv_close(const tp_conv_t *conv);
/* Each of these returns false when the time is undefined. */
bool      tp_conv_handshake_rtt(const tp_conv_t *conv, tp_time_t *rtt);
bool      tp_conv_ttfb(const tp_conv_t *conv, tp_time_t *ttfb);
tp_time_t tp_conv_duration(const tp_conv_t *conv);

static inline conn_state_t
tp_conv_state(const tp_conv_t *conv)
{
    return conn_model_verdict(&conv->zeek);
}

static inline const char *
tp_conv_history(const tp_conv_t *conv)
{
    return conv->zeek.history;
}

const char *tp_dir_name(tp_dir_t dir);
const char *tp_step_name(tp_step_t step);
const char *tp_phase_name(tp_phase_t phase);
const char *tp_close_name(tp_close_t close_kind);
const char *tp_role_name(tp_role_t role);

#endif /* TCPPHASE_TCP_PHASE_H */
