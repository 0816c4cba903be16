/* test_tp_time.c
 * Unit tests of the time helpers: differences of timestamps that run
 * backwards, their nstime_t-style split, and the text the tree, table and
 * CSV show. Expected values are worked out by hand in the comments.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <stdint.h>
#include <stdio.h>

#include "check.h"
#include "tp_time.h"

#define SEC INT64_C(1000000000)

/* Sign and digits as Wireshark prints a relative nstime_t (to_str.c,
 * display_signed_time: a '-' when nsecs < 0 and secs >= 0, then secs,
 * then |nsecs| with 9 digits), to check the split against. */
static void
wireshark_print(char *buf, size_t size, int64_t secs, int32_t nsecs)
{
    const char *sign = "";

    if (nsecs < 0) {
        nsecs = -nsecs;
        if (secs >= 0)
            sign = "-";
    }
    snprintf(buf, size, "%s%lld.%09d", sign, (long long)secs, (int)nsecs);
}

static void
check_split(tp_time_t t, int64_t want_secs, int32_t want_nsecs, const char *want_text)
{
    int64_t secs;
    int32_t nsecs;
    char    text[64];

    tp_time_split(t, &secs, &nsecs);
    CHECK(secs == want_secs);
    CHECK(nsecs == want_nsecs);
    wireshark_print(text, sizeof(text), secs, nsecs);
    CHECK_STR(text, want_text, "Wireshark's print of the split");
    /* Our own 9-digit text is the same string. */
    tp_time_format(text, sizeof(text), t, 9);
    CHECK_STR(text, want_text, "tp_time_format, 9 decimals");
}

static void
test_split(void)
{
    check_split(0, 0, 0, "0.000000000");
    check_split(-249, 0, -249, "-0.000000249"); /* the case */
    check_split(-1, 0, -1, "-0.000000001");
    check_split(-3, 0, -3, "-0.000000003");
    check_split(249, 0, 249, "0.000000249");
    check_split(-SEC, -1, 0, "-1.000000000");
    check_split(-SEC - 1, -1, -1, "-1.000000001");
    check_split(-SEC / 2 * 3, -1, -500000000, "-1.500000000"); /* not -2.5, not -0.5 */
    check_split(-2 * SEC + 1, -1, -999999999, "-1.999999999"); /* not -2.000000001 */
    check_split(SEC / 2 * 3, 1, 500000000, "1.500000000");
    check_split(INT64_C(9785988), 0, 9785988, "0.009785988");
    /* The saturated ends: 2^63 - 1 ns = 9223372036.854775807 s. */
    check_split(INT64_MAX, INT64_C(9223372036), 854775807, "9223372036.854775807");
    check_split(INT64_MIN, INT64_C(-9223372036), -854775808, "-9223372036.854775808");
}

static void
check_format(tp_time_t t, unsigned decimals, const char *want)
{
    char text[64];

    tp_time_format(text, sizeof(text), t, decimals);
    CHECK_STR(text, want, "tp_time_format");
}

static void
test_format_six_decimals(void)
{
    /* The table and CSV cut to microseconds and keep the sign. */
    check_format(0, 6, "0.000000");
    check_format(-249, 6, "-0.000000");
    check_format(-999, 6, "-0.000000");
    check_format(-1000, 6, "-0.000001");
    check_format(-1999, 6, "-0.000001");
    check_format(-SEC / 2 * 3, 6, "-1.500000");
    check_format(-2 * SEC + 1, 6, "-1.999999");
    check_format(INT64_C(9785988), 6, "0.009785");
    check_format(INT64_C(47188), 6, "0.000047");
    check_format(INT64_MIN, 6, "-9223372036.854775");
    check_format(-SEC / 2 * 3, 0, "-1");
    check_format(-249, 0, "-0");
    check_format(-249, 12, "-0.000000249"); /* more than 9: nanoseconds */
}

static void
test_diff(void)
{
    /* Backwards: later stamped before earlier. */
    CHECK(tp_time_diff(1000, 1249) == -249);
    CHECK(tp_time_diff(5 * SEC, 5 * SEC) == 0);
    CHECK(tp_time_diff(5 * SEC, 6 * SEC + SEC / 2) == -SEC / 2 * 3);
    /* Saturated, never wrapped. */
    CHECK(tp_time_diff(INT64_MAX, -1) == INT64_MAX);
    CHECK(tp_time_diff(INT64_MIN, 1) == INT64_MIN);
    CHECK(tp_time_diff(INT64_MIN, INT64_MAX) == INT64_MIN);
    CHECK(tp_time_diff(INT64_MAX, INT64_MIN) == INT64_MAX);
    CHECK(tp_time_diff(INT64_MIN, INT64_MIN) == 0);
    CHECK(tp_time_diff(-1, INT64_MAX) == INT64_MIN);
    CHECK(tp_time_diff(-2, INT64_MAX) == INT64_MIN); /* -2^63 - 1 */
}

/* Capture timestamps: kept as they are inside the range, clamped outside
 * it, bad nanoseconds counted as 0. */
static void
test_from_timestamp(void)
{
    CHECK(tp_time_from_timestamp(0, 0) == 0);
    CHECK(tp_time_from_timestamp(1764633600, 123456789) == INT64_C(1764633600123456789));
    CHECK(tp_time_from_timestamp(-1, 999999999) == -1);
    CHECK(tp_time_from_timestamp(4611686015, 999999999) == INT64_C(4611686015999999999));
    CHECK(tp_time_from_timestamp(INT64_MAX, 5) == INT64_C(4611686015000000005));
    CHECK(tp_time_from_timestamp(INT64_MIN, 0) == INT64_C(-4611686015000000000));
    CHECK(tp_time_from_timestamp(7, 1000000000) == INT64_C(7000000000));
    CHECK(tp_time_from_timestamp(7, -1) == INT64_C(7000000000));
    /* the whole clamped range keeps differences inside 64 bits */
    CHECK(tp_time_diff(tp_time_from_timestamp(INT64_MAX, 999999999),
                       tp_time_from_timestamp(INT64_MIN, 0)) == INT64_C(9223372030999999999));
}

int
main(void)
{
    test_split();
    test_format_six_decimals();
    test_diff();
    test_from_timestamp();
    return check_report();
}
