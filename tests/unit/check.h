/* check.h
 * A few assertion macros for the unit tests of the pure machines. Prints
 * one line per failure and a closing "N passed, N failed" line.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef TCPPHASE_CHECK_H
#define TCPPHASE_CHECK_H

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "tcp_flags.h"

static int check_passed;
static int check_failed;

#define CHECK(cond) \
    do { \
        if (cond) { \
            check_passed++; \
        } else { \
            check_failed++; \
            printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond); \
        } \
    } while (0)

#define CHECK_STR(actual, expected, what) \
    do { \
        const char *check_a_ = (actual), *check_e_ = (expected); \
        if (strcmp(check_a_, check_e_) == 0) { \
            check_passed++; \
        } else { \
            check_failed++; \
            printf("FAIL %s:%d: %s\n  expected: %s\n  actual:   %s\n", __FILE__, __LINE__, (what), \
                   check_e_, check_a_); \
        } \
    } while (0)

/* TCP flags from letters, as the tests write packets: S=SYN A=ACK F=FIN
 * R=RST P=PSH; other characters are ignored. */
static inline uint16_t
check_tcp_flags(const char *letters)
{
    uint16_t flags = 0;

    for (; *letters; letters++) {
        switch (*letters) {
        case 'S': flags |= TCP_FLAG_SYN; break;
        case 'A': flags |= TCP_FLAG_ACK; break;
        case 'F': flags |= TCP_FLAG_FIN; break;
        case 'R': flags |= TCP_FLAG_RST; break;
        case 'P': flags |= TCP_FLAG_PSH; break;
        default: break;
        }
    }
    return flags;
}

static inline int
check_report(void)
{
    printf("%d passed, %d failed\n", check_passed, check_failed);
    return check_failed == 0 ? 0 : 1;
}

#endif /* TCPPHASE_CHECK_H */
