/* conn_state.h
 * Zeek's TCP connection model (endpoint states, history letters and the
 * conn_state verdict), restated from SPEC.md section 5.1.
 *
 * Pure C: no epan headers, so it can be unit-tested on its own.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef TCPPHASE_CONN_STATE_H
#define TCPPHASE_CONN_STATE_H

#include <stdbool.h>
#include <stdint.h>

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

/* Zeek's conn.log conn_state codes. */
typedef enum {
    CONN_STATE_OTH = 0,
    CONN_STATE_S0,
    CONN_STATE_S1,
    CONN_STATE_SF,
    CONN_STATE_REJ,
    CONN_STATE_S2,
    CONN_STATE_S3,
    CONN_STATE_RSTO,
    CONN_STATE_RSTR,
    CONN_STATE_RSTOS0,
    CONN_STATE_RSTRH,
    CONN_STATE_SH,
    CONN_STATE_SHR,
    CONN_STATE_COUNT
} conn_state_t;

/* Longest history we keep: each letter appears at most once per direction
 * except S/H/F/R repeated with new sequence numbers; more than this many
 * letters are dropped (Zeek caps repeats too). */
#define CONN_HISTORY_MAX 32

typedef struct {
    endpoint_state_t state;
    endpoint_state_t prev_state;
    uint64_t payload_bytes;     /* payload in packets without RST */
    bool     seq_base_set;
    uint32_t seq_base;          /* relative sequence 0 = this value */
    uint8_t  letters_seen;      /* HIST_* bits: letter added at least once */
    uint32_t last_syn_rel;
    uint32_t last_fin_rel;
    uint32_t last_rst_rel;
} conn_endpoint_t;

typedef struct {
    conn_endpoint_t orig;       /* originator = tcpphase's client */
    conn_endpoint_t resp;       /* responder  = tcpphase's server */
    uint8_t history_len;
    char    history[CONN_HISTORY_MAX + 1];
} conn_model_t;

void conn_model_init(conn_model_t *model);

/* Feed one packet. from_orig: sent by the originator. */
void conn_model_on_packet(conn_model_t *model, bool from_orig, uint16_t flags,
                          uint32_t seq, uint32_t payload_len);

/* The conn_state verdict: a pure function of the two endpoint states, the
 * payload counters and the history, like Zeek's conn_state(). */
conn_state_t conn_model_verdict(const conn_model_t *model);

const char *conn_state_name(conn_state_t state);

#endif /* TCPPHASE_CONN_STATE_H */
