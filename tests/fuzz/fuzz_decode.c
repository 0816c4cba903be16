/* fuzz_decode.c
 * libFuzzer harness for tcpphase-batch's frame decoder (batch/decode.c):
 * link layer -> IPv4/IPv6 -> TCP over any bytes, under ASan and UBSan,
 * with the promises of decode.h checked on every result.
 *
 * Input format (docs/robustness.md):
 *
 *   u8  link      % 9: a link_type_t (0 = a link type it does not read)
 *   u16 wire      little endian; bit15 clear: the frame's length on the
 *                 wire is caplen + (wire & 0x7fff); set: caplen minus it
 *                 (a record that claims less than it holds), at least 0
 *   frame         the captured bytes: the rest of the input
 *
 * The frame is copied into a buffer of exactly its size, so a read past
 * the captured bytes is an ASan report.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "decode.h"

#define REQUIRE(cond) \
    do { \
        if (!(cond)) \
            __builtin_trap(); \
    } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    tcp_packet_facts_t facts;
    decode_result_t    result;
    uint8_t           *frame;
    uint32_t           caplen, wire, delta;

    if (size < 3 || size - 3 > 65535)
        return 0;
    caplen = (uint32_t)(size - 3);
    delta = (uint32_t)(data[1] | (data[2] << 8));
    if (delta & 0x8000)
        wire = (delta & 0x7fff) > caplen ? 0 : caplen - (delta & 0x7fff);
    else
        wire = caplen + delta;
    frame = malloc(caplen ? caplen : 1);
    if (frame == NULL)
        return 0;
    memcpy(frame, data + 3, caplen);
    memset(&facts, 0xA5, sizeof(facts)); /* nothing may be read unset */
    result = decode_frame((link_type_t)(data[0] % 9), frame, caplen, wire, &facts);

    REQUIRE((unsigned)result < DECODE_RESULT_COUNT);
    REQUIRE(decode_result_name(result) != NULL);
    if (result == DECODE_TCP) {
        REQUIRE(facts.family == 4 || facts.family == 6);
        REQUIRE(facts.header_len >= 20 && facts.header_len <= 60 && facts.header_len % 4 == 0);
        REQUIRE(facts.header_len <= facts.segment_len);
        REQUIRE(facts.payload_len == facts.segment_len - facts.header_len);
        REQUIRE(facts.payload_captured <= facts.payload_len);
        REQUIRE(facts.tcp_captured >= 20);
        if (facts.payload_captured > 0) {
            /* the payload lies inside the captured bytes */
            REQUIRE(facts.payload >= frame);
            REQUIRE(facts.payload + facts.payload_captured <= frame + caplen);
        }
        REQUIRE((facts.flags & ~0x1FFu) == 0);
    }
    free(frame);
    return 0;
}
