/* check.h
 * A few assertion macros for the unit tests of the pure machines. Prints
 * one line per failure and a closing "N passed, N failed" line.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef TCPPHASE_CHECK_H
#define TCPPHASE_CHECK_H

#include <stdio.h>
#include <string.h>

static int check_passed;
static int check_failed;

#define CHECK(cond)                                                          \
    do {                                                                     \
        if (cond) {                                                          \
            check_passed++;                                                  \
        } else {                                                             \
            check_failed++;                                                  \
            printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond);           \
        }                                                                    \
    } while (0)

#define CHECK_STR(actual, expected, what)                                    \
    do {                                                                     \
        const char *check_a_ = (actual), *check_e_ = (expected);             \
        if (strcmp(check_a_, check_e_) == 0) {                               \
            check_passed++;                                                  \
        } else {                                                             \
            check_failed++;                                                  \
            printf("FAIL %s:%d: %s\n  expected: %s\n  actual:   %s\n",       \
                   __FILE__, __LINE__, (what), check_e_, check_a_);          \
        }                                                                    \
    } while (0)

static inline int
check_report(void)
{
    printf("%d passed, %d failed\n", check_passed, check_failed);
    return check_failed == 0 ? 0 : 1;
}

#endif /* TCPPHASE_CHECK_H */
