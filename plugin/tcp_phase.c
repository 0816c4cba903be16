/* tcp_phase.c
 * The TCP phase machine (docs/spec.md sections 2, 3 and 5).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "tcp_phase.h"

#include <string.h>

#define ROLE_INDEX(role) ((role) == TP_ROLE_CLIENT ? 0 : 1)

void
tp_conv_init(tp_conv_t *conv)
{
    memset(conv, 0, sizeof(*conv));
    conn_model_init(&conv->zeek);
}

/* Roles are fixed by the first packet seen, so a packet's direction never
 * depends on later packets (docs/spec.md section 2). */
static bool
first_sender_is_client(const tp_segment_t *seg)
{
    uint16_t syn_ack = seg->flags & (TCP_FLAG_SYN | TCP_FLAG_ACK);

    if (syn_ack == TCP_FLAG_SYN)
        return true;
    if (syn_ack == (TCP_FLAG_SYN | TCP_FLAG_ACK))
        return false;
    /* Picked up mid-stream: a well-known port sending to an ephemeral one
     * is the server talking. */
    return !(seg->src_port < 1024 && seg->dst_port >= 1024);
}

static tp_step_t
classify_step(const tp_conv_t *conv, const tp_segment_t *seg, tp_role_t sender)
{
    uint16_t f = seg->flags;

    if (f & TCP_FLAG_RST)
        return TP_STEP_RST;
    if (f & TCP_FLAG_SYN)
        return (f & TCP_FLAG_ACK) ? TP_STEP_SYN_ACK : TP_STEP_SYN;
    if (sender == TP_ROLE_CLIENT && (f & TCP_FLAG_ACK) && !(f & TCP_FLAG_FIN) &&
        conv->handshake_started && !conv->handshake_done)
        return TP_STEP_HANDSHAKE_ACK;
    if (f & TCP_FLAG_FIN)
        return TP_STEP_FIN;
    /* The FIN flag takes one sequence number, so the ACK that covers the
     * second FIN carries at least the sequence number after it. */
    if (seg->payload_len == 0 && (f & TCP_FLAG_ACK) && conv->second_fin_seen &&
        !conv->last_ack_seen && sender != conv->second_fin_role &&
        TCP_SEQ_GEQ(seg->ack, conv->second_fin_next_seq))
        return TP_STEP_LAST_ACK;
    if (seg->payload_len > 0)
        return TP_STEP_DATA;
    return TP_STEP_ACK;
}

/* Looks at the conversation as it was before this packet. */
static uint8_t
detect_events(const tp_conv_t *conv, const tp_segment_t *seg, tp_role_t sender, tp_step_t step)
{
    uint8_t events = 0;

    /* After both FINs a RST answers data sent after the close: no abort. */
    if (step == TP_STEP_RST && !conv->rst_seen && !(conv->fin_seen[0] && conv->fin_seen[1])) {
        if (sender == TP_ROLE_SERVER && conv->syn_time_set && !conv->syn_ack_seen &&
            !conv->handshake_done)
            events |= TP_EVENT_REFUSED;
        else if (conv->bytes_to_server + conv->bytes_to_client > 0)
            events |= TP_EVENT_ABORT;
    }
    if (seg->payload_len > 0 && conv->fin_seen[sender == TP_ROLE_CLIENT ? 1 : 0])
        events |= TP_EVENT_DATA_AFTER_FIN;
    if (conv->packets == 1 && conv->midstream)
        events |= TP_EVENT_MIDSTREAM;
    return events;
}

static tp_phase_t
next_phase(const tp_conv_t *conv, const tp_segment_t *seg)
{
    if (seg->flags & (TCP_FLAG_FIN | TCP_FLAG_RST))
        return TP_PHASE_TEARDOWN;
    if (conv->phase == TP_PHASE_HANDSHAKE && conv->handshake_done)
        return TP_PHASE_DATA;
    return conv->phase;
}

static void
note_close(tp_conv_t *conv, const tp_segment_t *seg, tp_role_t sender)
{
    int idx = ROLE_INDEX(sender);

    /* Once both sides have sent FIN the conversation closed gracefully; a
     * later RST only answers data that came after the close (Zeek: SF). */
    if ((seg->flags & TCP_FLAG_RST) && !(conv->fin_seen[0] && conv->fin_seen[1]))
        conv->rst_seen = true;
    if ((seg->flags & TCP_FLAG_FIN) && !conv->fin_seen[idx]) {
        conv->fin_seen[idx] = true;
        if (conv->fin_seen[1 - idx]) {
            conv->second_fin_seen = true;
            conv->second_fin_role = sender;
            conv->second_fin_next_seq = seg->seq + seg->payload_len + 1;
        }
    }
    if ((seg->flags & (TCP_FLAG_FIN | TCP_FLAG_RST)) && conv->closer == 0) {
        conv->closer = sender;
        conv->close_frame = seg->frame;
    }
}

void
tp_conv_on_segment(tp_conv_t *conv, const tp_segment_t *seg, tp_packet_t *out)
{
    bool       is_syn = (seg->flags & TCP_FLAG_SYN) != 0;
    tp_role_t  sender;
    tp_phase_t phase;
    tp_step_t  step;

    if (conv->packets == 0) {
        conv->first_sender_is_client = first_sender_is_client(seg);
        conv->handshake_started = is_syn;
        conv->midstream = !is_syn;
        conv->phase = is_syn ? TP_PHASE_HANDSHAKE : TP_PHASE_DATA;
        conv->first_time = seg->ts;
    }
    conv->packets++;
    conv->last_time = seg->ts;

    sender =
        (seg->from_first_sender == conv->first_sender_is_client) ? TP_ROLE_CLIENT : TP_ROLE_SERVER;
    if (sender == TP_ROLE_SERVER)
        conv->server_packets++;
    step = classify_step(conv, seg, sender);
    phase = next_phase(conv, seg);
    out->events = detect_events(conv, seg, sender, step);

    if (conv->packets == 1 || phase != conv->phase) {
        conv->phase = phase;
        conv->phase_seq = 1;
        conv->phase_start = seg->ts;
    } else {
        conv->phase_seq++;
    }

    switch (step) {
    case TP_STEP_SYN:
        if (!conv->syn_time_set) {
            conv->syn_time_set = true;
            conv->syn_time = seg->ts;
            conv->syn_frame = seg->frame;
        }
        break;
    case TP_STEP_SYN_ACK: conv->syn_ack_seen = true; break;
    case TP_STEP_HANDSHAKE_ACK:
        conv->handshake_done = true;
        conv->established_time_set = true;
        conv->established_time = seg->ts;
        conv->established_frame = seg->frame;
        break;
    case TP_STEP_LAST_ACK: conv->last_ack_seen = true; break;
    default: break;
    }
    note_close(conv, seg, sender);

    if (seg->payload_len > 0) {
        if (sender == TP_ROLE_CLIENT) {
            conv->bytes_to_server += seg->payload_len;
            if (!conv->client_payload_seen) {
                conv->client_payload_seen = true;
                conv->client_payload_time = seg->ts;
            }
        } else {
            conv->bytes_to_client += seg->payload_len;
            /* The answer: the server's first payload after the request's
             * first byte (a banner sent before the request is no answer). */
            if (!conv->server_payload_seen && conv->client_payload_seen) {
                conv->server_payload_seen = true;
                conv->server_payload_time = seg->ts;
            }
        }
    }
    conv->phase_packets[conv->phase - 1]++;

    conn_model_on_packet(&conv->zeek, sender == TP_ROLE_CLIENT, seg->flags, seg->seq,
                         seg->payload_len);

    out->dir = (uint8_t)(sender == TP_ROLE_CLIENT ? TP_DIR_TO_SERVER : TP_DIR_TO_CLIENT);
    out->step = (uint8_t)step;
    out->phase = (uint8_t)conv->phase;
    out->phase_seq = conv->phase_seq;
    out->phase_time = tp_time_diff(seg->ts, conv->phase_start);
    out->midstream = conv->midstream;
}

bool
tp_conv_complete(const tp_conv_t *conv)
{
    return conv->handshake_done && conv->fin_seen[0] && conv->fin_seen[1];
}

bool
tp_conv_unanswered(const tp_conv_t *conv)
{
    return conv->syn_time_set && conv->server_packets == 0;
}

tp_close_t
tp_conv_close(const tp_conv_t *conv)
{
    if (conv->rst_seen)
        return TP_CLOSE_RESET;
    if (conv->fin_seen[0] && conv->fin_seen[1])
        return TP_CLOSE_GRACEFUL;
    if (conv->fin_seen[0] || conv->fin_seen[1])
        return TP_CLOSE_HALF_CLOSED;
    return TP_CLOSE_OPEN;
}

bool
tp_conv_handshake_rtt(const tp_conv_t *conv, tp_time_t *rtt)
{
    if (!conv->syn_time_set || !conv->established_time_set)
        return false;
    *rtt = tp_time_diff(conv->established_time, conv->syn_time);
    return true;
}

bool
tp_conv_ttfb(const tp_conv_t *conv, tp_time_t *ttfb)
{
    /* Time to first byte: from the request's first byte to the answer's. */
    if (!conv->server_payload_seen)
        return false;
    *ttfb = tp_time_diff(conv->server_payload_time, conv->client_payload_time);
    return true;
}

tp_time_t
tp_conv_duration(const tp_conv_t *conv)
{
    return tp_time_diff(conv->last_time, conv->first_time);
}

ENUM_LIST_NAME_FUNCTION(tp_dir_name, tp_dir_t, TP_DIR_LIST)
ENUM_LIST_NAME_FUNCTION(tp_step_name, tp_step_t, TP_STEP_LIST)
ENUM_LIST_NAME_FUNCTION(tp_phase_name, tp_phase_t, TP_PHASE_LIST)
ENUM_LIST_NAME_FUNCTION(tp_close_name, tp_close_t, TP_CLOSE_LIST)
ENUM_LIST_NAME_FUNCTION(tp_role_name, tp_role_t, TP_ROLE_LIST)
