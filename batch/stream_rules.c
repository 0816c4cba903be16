/* stream_rules.c
 * tcp.stream numbering, one set of rules per Wireshark release
 * (docs/batch.md, section 2).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "stream_rules.h"

#include <string.h>

#include "tcp_flags.h"

/* The smallest data offset the TCP dissector accepts; with less it stops
 * right after numbering the segment. */
#define TCP_MIN_HEADER 20

static const stream_rules_t rules_4_0 = { "4.0", 16, true, false, false };
static const stream_rules_t rules_4_2 = { "4.2", 16, true, true, false };
static const stream_rules_t rules_4_4 = { "4.4", 16, false, true, true };
static const stream_rules_t rules_4_6 = { "4.6", 14, false, true, true };

const stream_rules_t *
stream_rules_for_version(int major, int minor)
{
    if (major > 4 || (major == 4 && minor >= 6))
        return &rules_4_6;
    if (major == 4 && minor >= 4)
        return &rules_4_4;
    if (major == 4 && minor >= 2)
        return &rules_4_2;
    return &rules_4_0;
}

bool
stream_rules_numbered(const stream_rules_t *rules, uint32_t tcp_captured)
{
    return tcp_captured >= rules->min_captured;
}

bool
stream_track_segment(const stream_rules_t *rules, stream_track_t *track, bool existing,
                     const stream_segment_t *seg)
{
    int      fwd = seg->flow, rev = 1 - seg->flow;
    unsigned syn_ack = seg->flags & (TCP_FLAG_SYN | TCP_FLAG_ACK);
    bool     starts = !existing;
    /* "Fresh": the stream's close marks start again from this segment. True
     * for a new stream, and also for a SYN in a direction that has no base
     * yet (the dissector then takes the stream for one that begins here). */
    bool fresh = !existing;

    if (!existing)
        memset(track, 0, sizeof(*track));
    if (syn_ack == TCP_FLAG_SYN) {
        if (!track->base_set[fwd])
            fresh = true;
        else if (seg->seq != track->base_seq[fwd] || (rules->reopen_after_close && track->closed))
            starts = fresh = true;
    } else if (syn_ack == (TCP_FLAG_SYN | TCP_FLAG_ACK) && track->base_set[fwd]) {
        bool other_seq = seg->seq != track->base_seq[fwd];

        if (rules->synack_starts) {
            if (other_seq || (rules->reopen_after_close && track->closed))
                starts = fresh = true;
        } else if (other_seq) {
            track->base_seq[fwd] = seg->seq;
        }
    }
    if (starts && existing)
        memset(track, 0, sizeof(*track));

    /* Base sequence numbers: a direction's first segment gives its own (a
     * SYN its sequence number, anything else one less), and the first ACK
     * gives the other direction's if it has none (acknowledgement - 1). */
    if (!rules->base_needs_whole_header || seg->segment_len >= seg->header_len) {
        if (!track->base_set[fwd]) {
            track->base_seq[fwd] = (seg->flags & TCP_FLAG_SYN) ? seg->seq : seg->seq - 1;
            track->base_set[fwd] = true;
        }
        if (!track->base_set[rev] && (seg->flags & TCP_FLAG_ACK)) {
            track->base_seq[rev] = seg->ack - 1;
            track->base_set[rev] = true;
        }
    }

    /* Close marks: kept by every set (only the ones that reopen read them),
     * and not touched by a segment whose data offset is below 20. */
    if (seg->header_len >= TCP_MIN_HEADER) {
        if (fresh)
            track->closed = false;
        if ((seg->flags & TCP_FLAG_RST) ||
            (seg->flags & (TCP_FLAG_FIN | TCP_FLAG_ACK)) == (TCP_FLAG_FIN | TCP_FLAG_ACK))
            track->closed = true;
    }
    return starts;
}
