/* endpoint_pair.h
 * The two endpoints (address and port) of a TCP packet in a fixed order,
 * so that both directions give the same key: the hash key of the
 * plugin's record cache (phase_analysis.c) and of tcpphase-batch's
 * conversation table (docs/design.md, docs/batch.md section 2).
 *
 * Pure C: no epan headers, so the batch reader shares it.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef TCPPHASE_ENDPOINT_PAIR_H
#define TCPPHASE_ENDPOINT_PAIR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef struct {
    uint32_t kind;                     /* the caller's address kind: type, length */
    uint16_t port_lo, port_hi;         /* endpoint (port, address) order */
    uint8_t  addr_lo[16], addr_hi[16]; /* zero-padded */
} endpoint_pair_t;

/* src/dst: addresses of len bytes (at most 16). The endpoint with the
 * lower port comes first; equal ports, the lower address. */
static inline void
endpoint_pair_make(endpoint_pair_t *pair, uint32_t kind, size_t len, const uint8_t *src,
                   uint16_t src_port, const uint8_t *dst, uint16_t dst_port)
{
    int order = src_port != dst_port ? (src_port < dst_port ? -1 : 1) : memcmp(src, dst, len);

    memset(pair, 0, sizeof(*pair));
    pair->kind = kind;
    pair->port_lo = order > 0 ? dst_port : src_port;
    pair->port_hi = order > 0 ? src_port : dst_port;
    memcpy(pair->addr_lo, order > 0 ? dst : src, len);
    memcpy(pair->addr_hi, order > 0 ? src : dst, len);
}

/* The first 8 address bytes of each side: the whole IPv4 address, the
 * prefix of an IPv6 one (the ports tell hosts of one prefix apart). */
static inline unsigned
endpoint_pair_hash(const endpoint_pair_t *pair)
{
    uint32_t words[4];
    uint32_t h = ((uint32_t)pair->port_lo << 16 | pair->port_hi) * 0x9E3779B1u;

    memcpy(words, pair->addr_lo, 8);
    memcpy(words + 2, pair->addr_hi, 8);
    for (unsigned i = 0; i < 4; i++)
        h = (h ^ words[i]) * 0x85EBCA6Bu;
    return h ^ (h >> 15);
}

static inline bool
endpoint_pair_equal(const endpoint_pair_t *a, const endpoint_pair_t *b)
{
    return memcmp(a, b, sizeof(*a)) == 0;
}

#endif /* TCPPHASE_ENDPOINT_PAIR_H */
