/* stream_rules.h
 * tcp.stream numbering for tcpphase-batch: when a segment on an endpoint
 * pair that already has a stream starts a new one. Wireshark's TCP
 * dissector changed its answer between releases, so the rules come in one
 * set per release; tcpphase-batch takes the set of the Wireshark it is
 * compiled against (docs/batch.md, section 2, says what each set does and
 * how it was established).
 *
 * Pure C: no wiretap or epan headers, so it can be unit-tested on its own.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef TCPPHASE_BATCH_STREAM_RULES_H
#define TCPPHASE_BATCH_STREAM_RULES_H

#include <stdbool.h>
#include <stdint.h>

typedef struct {
    const char *name; /* "4.0", "4.2", "4.4", "4.6": the release they follow */
    /* TCP bytes that must be captured before the dissector looks the
     * conversation up (it reads every field up to that point first). */
    uint32_t min_captured;
    /* A base sequence number is only taken from a segment at least as
     * long, on the wire, as its own header claims to be. */
    bool base_needs_whole_header;
    /* Once the stream has seen a RST or a FIN with ACK, a SYN with the
     * base sequence number (and, with synack_starts, a SYN-ACK with it)
     * starts a new stream instead of counting as a retransmission. */
    bool reopen_after_close;
    /* A SYN-ACK whose sequence number differs from the base of its
     * direction starts a new stream; without this it replaces the base. */
    bool synack_starts;
} stream_rules_t;

/* The set for a Wireshark major.minor: each release gets the set of the
 * nearest release at or below it (an odd development minor that of the
 * release before it); anything before 4.2 gets 4.0's, anything after 4.6
 * 4.6's. */
const stream_rules_t *stream_rules_for_version(int major, int minor);

/* Whether a TCP segment with this many bytes captured (from its first
 * header byte on) is numbered at all. */
bool stream_rules_numbered(const stream_rules_t *rules, uint32_t tcp_captured);

/* What the numbering keeps of one stream. Flow 0 is the direction from the
 * greater address to the smaller (the port breaks a tie), flow 1 the other,
 * as Wireshark orders the two directions of a conversation. */
typedef struct {
    bool     base_set[2];
    uint32_t base_seq[2];
    bool     closed; /* a RST or a FIN with ACK was seen (rules that reopen) */
} stream_track_t;

/* The header facts numbering reads from a segment. */
typedef struct {
    int      flow;  /* 0 or 1, as in stream_track_t */
    uint16_t flags; /* TCP_FLAG_* */
    uint32_t seq, ack;
    uint32_t header_len;  /* data offset in bytes, as the header says */
    uint32_t segment_len; /* TCP header + payload on the wire */
} stream_segment_t;

/* One numbered segment. *track is the record of the endpoint pair's latest
 * stream when existing is true (the pair has had a stream), and is ignored
 * otherwise. Returns true when the segment starts a new stream (always when
 * !existing); *track is then that new stream's record. Either way *track
 * ends up updated with this segment. */
bool stream_track_segment(const stream_rules_t *rules, stream_track_t *track, bool existing,
                          const stream_segment_t *seg);

#endif /* TCPPHASE_BATCH_STREAM_RULES_H */
