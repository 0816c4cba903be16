/* tp_time.c
 * Time differences and their display (see tp_time.h).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "tp_time.h"

#include <inttypes.h>
#include <stdio.h>

#define NS_PER_SEC INT64_C(1000000000)

#define TIMESTAMP_SECS_LIMIT INT64_C(4611686015)

tp_time_t
tp_time_from_timestamp(int64_t secs, int64_t nsecs)
{
    if (secs > TIMESTAMP_SECS_LIMIT)
        secs = TIMESTAMP_SECS_LIMIT;
    else if (secs < -TIMESTAMP_SECS_LIMIT)
        secs = -TIMESTAMP_SECS_LIMIT;
    if (nsecs < 0 || nsecs >= NS_PER_SEC)
        nsecs = 0;
    return secs * NS_PER_SEC + nsecs;
}

void
tp_time_split(tp_time_t t, int64_t *secs, int32_t *nsecs)
{
    /* C division truncates toward zero, so quotient and remainder already
     * share the sign of t; no floor adjustment ({-1, 999999751} for -249 ns
     * would print as -1.999999751). */
    *secs = t / NS_PER_SEC;
    *nsecs = (int32_t)(t % NS_PER_SEC);
}

int
tp_time_format(char *buf, size_t size, tp_time_t t, unsigned decimals)
{
    int64_t  secs;
    int32_t  nsecs;
    uint64_t abs_secs, frac;
    unsigned cut;

    if (decimals > 9)
        decimals = 9;
    tp_time_split(t, &secs, &nsecs);
    /* Magnitudes, computed unsigned: -INT64_MIN does not fit in 64 bits. */
    abs_secs = secs < 0 ? (uint64_t)0 - (uint64_t)secs : (uint64_t)secs;
    frac = (uint64_t)(nsecs < 0 ? -nsecs : nsecs);
    for (cut = decimals; cut < 9; cut++)
        frac /= 10;
    if (decimals == 0)
        return snprintf(buf, size, "%s%" PRIu64, t < 0 ? "-" : "", abs_secs);
    return snprintf(buf, size, "%s%" PRIu64 ".%0*" PRIu64, t < 0 ? "-" : "", abs_secs,
                    (int)decimals, frac);
}
