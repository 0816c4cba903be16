/* conn_state.c
 * Zeek's TCP connection model, as docs/spec.md section 5.1 states it.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "conn_state.h"

#include <string.h>

/* Which history letters an endpoint has already added (Zeek HIST_*). */
enum {
    HIST_SYN = 0x01,
    HIST_FIN = 0x02,
    HIST_RST = 0x04,
    HIST_MULTI = 0x08,  /* Q */
    HIST_FINRST = 0x10, /* I */
    HIST_DATA = 0x20,
    HIST_ACK = 0x40
};

void
conn_model_init(conn_model_t *model)
{
    memset(model, 0, sizeof(*model));
}

static void
history_add(conn_model_t *model, bool from_orig, char letter)
{
    if (model->history_len >= CONN_HISTORY_MAX)
        return;
    /* Upper case from the originator, lower case from the responder. */
    if (!from_orig)
        letter = (char)(letter - 'A' + 'a');
    model->history[model->history_len++] = letter;
    model->history[model->history_len] = '\0';
}

/* Add the letter the first time this endpoint shows it; returns whether it
 * had been shown before (Zeek's CheckHistory). */
static bool
history_check(conn_model_t *model, conn_endpoint_t *ep, bool from_orig, uint8_t bit, char letter)
{
    if (ep->letters_seen & bit)
        return true;
    ep->letters_seen |= bit;
    history_add(model, from_orig, letter);
    return false;
}

static void
update_history(conn_model_t *model, conn_endpoint_t *ep, bool from_orig, uint16_t flags,
               uint32_t rel_seq, uint32_t payload_len)
{
    bool syn = (flags & TCP_FLAG_SYN) != 0;
    bool fin = (flags & TCP_FLAG_FIN) != 0;
    bool rst = (flags & TCP_FLAG_RST) != 0;
    int  bits = syn + fin + rst;

    if (bits > 1) {
        if (fin && rst)
            history_check(model, ep, from_orig, HIST_FINRST, 'I');
        else
            history_check(model, ep, from_orig, HIST_MULTI, 'Q');
    } else if (bits == 1) {
        /* A repeat is recorded again only when it moved in sequence space:
         * a plain retransmission adds nothing. */
        if (syn) {
            char letter = (flags & TCP_FLAG_ACK) ? 'H' : 'S';
            if (history_check(model, ep, from_orig, HIST_SYN, letter) &&
                rel_seq != ep->last_syn_rel)
                history_add(model, from_orig, letter);
            ep->last_syn_rel = rel_seq;
        } else if (fin) {
            /* A FIN's sequence number sits after its payload. */
            uint32_t fin_rel = rel_seq + payload_len;
            if (history_check(model, ep, from_orig, HIST_FIN, 'F') && fin_rel != ep->last_fin_rel)
                history_add(model, from_orig, 'F');
            ep->last_fin_rel = fin_rel;
        } else {
            if (history_check(model, ep, from_orig, HIST_RST, 'R') && rel_seq != ep->last_rst_rel)
                history_add(model, from_orig, 'R');
            ep->last_rst_rel = rel_seq;
        }
    } else if (payload_len > 0) {
        history_check(model, ep, from_orig, HIST_DATA, 'D');
    } else if (flags & TCP_FLAG_ACK) {
        history_check(model, ep, from_orig, HIST_ACK, 'A');
    }
}

static void
set_state(conn_endpoint_t *ep, endpoint_state_t state)
{
    if (ep->state != state) {
        ep->prev_state = ep->state;
        ep->state = state;
    }
}

static bool
is_inactive(endpoint_state_t state)
{
    return state == ENDPOINT_INACTIVE || state == ENDPOINT_PARTIAL;
}

static void
update_state(conn_endpoint_t *ep, conn_endpoint_t *peer, bool from_orig, uint16_t flags,
             uint32_t payload_len)
{
    bool syn = (flags & TCP_FLAG_SYN) != 0;
    bool fin = (flags & TCP_FLAG_FIN) != 0;
    bool rst = (flags & TCP_FLAG_RST) != 0;
    bool ack = (flags & TCP_FLAG_ACK) != 0;

    switch (ep->state) {
    case ENDPOINT_INACTIVE:
        if (syn) {
            if (from_orig) {
                set_state(ep, ack ? ENDPOINT_SYN_ACK_SENT : ENDPOINT_SYN_SENT);
            } else {
                /* The responder's SYN establishes both sides. */
                if (peer->state == ENDPOINT_SYN_SENT)
                    set_state(peer, ENDPOINT_ESTABLISHED);
                set_state(ep, ENDPOINT_ESTABLISHED);
            }
        }
        if (fin)
            set_state(ep, ENDPOINT_CLOSED);
        if (rst)
            set_state(ep, ENDPOINT_RESET);
        if (ep->state == ENDPOINT_INACTIVE) {
            if (!from_orig && payload_len == 0 && peer->state == ENDPOINT_SYN_SENT)
                ; /* some acknowledgement of a SYN still pending: no news */
            else if (ack && peer->state == ENDPOINT_ESTABLISHED)
                set_state(ep, ENDPOINT_ESTABLISHED);
            else
                set_state(ep, ENDPOINT_PARTIAL);
        }
        break;

    case ENDPOINT_SYN_SENT:
    case ENDPOINT_SYN_ACK_SENT:
        if (fin)
            set_state(ep, ENDPOINT_CLOSED);
        if (rst)
            set_state(ep, ENDPOINT_RESET);
        break;

    case ENDPOINT_ESTABLISHED:
    case ENDPOINT_PARTIAL:
        if (syn && !ack && ep->state == ENDPOINT_PARTIAL && peer->state == ENDPOINT_INACTIVE)
            set_state(ep, ENDPOINT_SYN_SENT);
        if (fin && !rst) {
            set_state(ep, ENDPOINT_CLOSED);
            /* A peer that reset after closing counts as closed again. */
            if (peer->state == ENDPOINT_RESET && peer->prev_state == ENDPOINT_CLOSED)
                set_state(peer, ENDPOINT_CLOSED);
        }
        if (rst)
            set_state(ep, ENDPOINT_RESET);
        break;

    case ENDPOINT_CLOSED:
        if (rst && peer->state != ENDPOINT_CLOSED)
            set_state(ep, ENDPOINT_RESET);
        break;

    case ENDPOINT_RESET: break;
    }
}

void
conn_model_on_packet(conn_model_t *model, bool from_orig, uint16_t flags, uint32_t seq,
                     uint32_t payload_len)
{
    conn_endpoint_t *ep = from_orig ? &model->orig : &model->resp;
    conn_endpoint_t *peer = from_orig ? &model->resp : &model->orig;
    bool             syn = (flags & TCP_FLAG_SYN) != 0;
    uint32_t         rel_seq;

    /* Relative sequence: from the endpoint's SYN, else from its first
     * sequence number - 1 (Zeek's start_seq). */
    if (!ep->seq_base_set) {
        ep->seq_base_set = true;
        ep->seq_base = syn ? seq : seq - 1;
    }
    rel_seq = seq - ep->seq_base;

    update_history(model, ep, from_orig, flags, rel_seq, payload_len);

    /* A SYN with a new sequence number starts a new sequence space. */
    if (syn && rel_seq != 0)
        ep->seq_base = seq;

    update_state(ep, peer, from_orig, flags, payload_len);

    if (!(flags & TCP_FLAG_RST))
        ep->payload_bytes += payload_len;
}

/* Zeek's ^?S[^HAFGIQ]*R.* on the history: the originator's SYN, nothing
 * that shows an answer or a close, then the originator's RST. */
static bool
history_is_syn_then_rst(const char *history)
{
    const char *p = history;

    if (*p == '^')
        p++;
    if (*p != 'S')
        return false;
    for (p++; *p; p++) {
        if (*p == 'R')
            return true;
        if (strchr("HAFGIQ", *p) != NULL)
            return false;
    }
    return false;
}

conn_state_t
conn_model_verdict(const conn_model_t *model)
{
    endpoint_state_t o = model->orig.state;
    endpoint_state_t r = model->resp.state;
    bool             o_inactive = is_inactive(o);
    bool             r_inactive = is_inactive(r);

    if (r == ENDPOINT_RESET) {
        if (o == ENDPOINT_SYN_SENT || o == ENDPOINT_SYN_ACK_SENT ||
            (o == ENDPOINT_RESET && model->orig.payload_bytes == 0 &&
             model->resp.payload_bytes == 0))
            return CONN_STATE_REJ;
        if (o_inactive)
            return CONN_STATE_RSTRH;
        return CONN_STATE_RSTR;
    }
    if (o == ENDPOINT_RESET) {
        if (r_inactive)
            return history_is_syn_then_rst(model->history) ? CONN_STATE_RSTOS0 : CONN_STATE_OTH;
        return CONN_STATE_RSTO;
    }
    if (o == ENDPOINT_CLOSED && r == ENDPOINT_CLOSED)
        return CONN_STATE_SF;
    if (o == ENDPOINT_CLOSED)
        return r_inactive ? CONN_STATE_SH : CONN_STATE_S2;
    if (r == ENDPOINT_CLOSED)
        return o_inactive ? CONN_STATE_SHR : CONN_STATE_S3;
    if (o == ENDPOINT_SYN_SENT && r == ENDPOINT_INACTIVE)
        return CONN_STATE_S0;
    if (o == ENDPOINT_ESTABLISHED && r == ENDPOINT_ESTABLISHED)
        return CONN_STATE_S1;
    return CONN_STATE_OTH;
}

ENUM_LIST_NAME_FUNCTION(conn_state_name, conn_state_t, CONN_STATE_LIST)
