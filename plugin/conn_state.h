/* conn_state.h
 * Zeek's TCP connection model (endpoint states, history letters and the
 * conn_state verdict), as docs/spec.md section 5.1 states it.
 *
 * Pure C: no epan headers, so it can be unit-tested on its own.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef TCPPHASE_CONN_STATE_H
#define TCPPHASE_CONN_STATE_H

#include <stdbool.h>
#include <stdint.h>

#include "enum_list.h"
#include "tcp_flags.h"

/* Zeek's TCP endpoint states (TCP_ENDPOINT_*). */
typedef enum {
    ENDPOINT_INACTIVE = 0,
    ENDPOINT_SYN_SENT,
    ENDPOINT_SYN_ACK_SENT,
    ENDPOINT_PARTIAL,
    ENDPOINT_ESTABLISHED,
    ENDPOINT_CLOSED,
    ENDPOINT_RESET
} endpoint_state_t;

/* Zeek's conn.log conn_state codes (docs/spec.md section 5.1); the labels
 * are what tcpphase.conv.state shows. */
/* clang-format off */
#define CONN_STATE_LIST(X) \
    X(CONN_STATE_OTH,     0, "OTH") \
    X(CONN_STATE_S0,      1, "S0") \
    X(CONN_STATE_S1,      2, "S1") \
    X(CONN_STATE_SF,      3, "SF") \
    X(CONN_STATE_REJ,     4, "REJ") \
    X(CONN_STATE_S2,      5, "S2") \
    X(CONN_STATE_S3,      6, "S3") \
    X(CONN_STATE_RSTO,    7, "RSTO") \
    X(CONN_STATE_RSTR,    8, "RSTR") \
    X(CONN_STATE_RSTOS0,  9, "RSTOS0") \
    X(CONN_STATE_RSTRH,  10, "RSTRH") \
    X(CONN_STATE_SH,     11, "SH") \
    X(CONN_STATE_SHR,    12, "SHR")
/* clang-format on */

typedef enum { CONN_STATE_LIST(ENUM_LIST_ENTRY) CONN_STATE_COUNT } conn_state_t;

/* Longest history we keep: each letter appears at most once per direction
 * except S/H/F/R repeated with new sequence numbers; more than this many
 * letters are dropped (Zeek caps repeats too). */
#define CONN_HISTORY_MAX 32

typedef struct {
    endpoint_state_t state;
    endpoint_state_t prev_state;
    uint64_t         payload_bytes; /* payload in packets without RST */
    bool             seq_base_set;
    uint32_t         seq_base;     /* relative sequence 0 = this value */
    uint8_t          letters_seen; /* HIST_* bits: letter added at least once */
    uint32_t         last_syn_rel;
    uint32_t         last_fin_rel;
    uint32_t         last_rst_rel;
} conn_endpoint_t;

typedef struct {
    conn_endpoint_t orig; /* originator = tcpphase's client */
    conn_endpoint_t resp; /* responder  = tcpphase's server */
    uint8_t         history_len;
    char            history[CONN_HISTORY_MAX + 1];
} conn_model_t;

void conn_model_init(conn_model_t *model);

/* Feed one packet. from_orig: sent by the originator. */
void conn_model_on_packet(conn_model_t *model, bool from_orig, uint16_t flags, uint32_t seq,
                          uint32_t payload_len);

/* The conn_state verdict: a pure function of the two endpoint states, the
 * payload counters and the history, like Zeek's conn_state(). */
conn_state_t conn_model_verdict(const conn_model_t *model);

const char *conn_state_name(conn_state_t state);

#endif /* TCPPHASE_CONN_STATE_H */
