/* tp_time.h
 * Time differences and their display, shared by the phase and TLS machines
 * (the differences) and by the plugin's tree, table and CSV (the display).
 *
 * Pure C: no epan headers, so it can be unit-tested on its own.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef TCPPHASE_TP_TIME_H
#define TCPPHASE_TP_TIME_H

#include <stddef.h>
#include <stdint.h>

/* Times are nanoseconds since the epoch (or any fixed origin). */
typedef int64_t tp_time_t;

/* A capture's timestamp (seconds and nanoseconds since the epoch) as a
 * tp_time_t. A capture may hold any timestamp (fuzzed files do): seconds
 * are clamped to +-(2^62 / 1e9) (years 1823 to 2116, beyond pcap's own
 * range) so that times and their differences fit in 64 bits, and
 * nanoseconds outside 0..999,999,999 count as 0. */
tp_time_t tp_time_from_timestamp(int64_t secs, int64_t nsecs);

/* later - earlier, saturated at INT64_MIN/INT64_MAX: a capture may hold any
 * timestamps, in any order, so the difference may be negative. */
static inline tp_time_t
tp_time_diff(tp_time_t later, tp_time_t earlier)
{
    /* inline: the machines take a difference on every packet */
    if (earlier < 0 && later > INT64_MAX + earlier)
        return INT64_MAX;
    if (earlier > 0 && later < INT64_MIN + earlier)
        return INT64_MIN;
    return later - earlier;
}

/* t as seconds and nanoseconds the way an nstime_t keeps a relative time:
 * both parts carry the sign of t (-249 ns is {0, -249}, -1.5 s is
 * {-1, -500000000}), |nsecs| < 1e9. Wireshark prints such a pair as
 * "-0.000000249" and "-1.500000000". */
void tp_time_split(tp_time_t t, int64_t *secs, int32_t *nsecs);

/* t in seconds with `decimals` (0 to 9) digits, cut (not rounded) like
 * Wireshark cuts a time to the precision it shows, and a '-' in front of
 * any negative t, also one that the cut makes all zeros ("-0.000000" for
 * -249 ns with 6 decimals: the order was still backwards). Returns what
 * snprintf returns. */
int tp_time_format(char *buf, size_t size, tp_time_t t, unsigned decimals);

#endif /* TCPPHASE_TP_TIME_H */
