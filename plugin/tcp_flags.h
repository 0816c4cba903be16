/* tcp_flags.h
 * TCP header flag bits as they appear on the wire (RFC 9293, RFC 3168).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef TCPPHASE_TCP_FLAGS_H
#define TCPPHASE_TCP_FLAGS_H

#define TCP_FLAG_FIN 0x0001
#define TCP_FLAG_SYN 0x0002
#define TCP_FLAG_RST 0x0004
#define TCP_FLAG_PSH 0x0008
#define TCP_FLAG_ACK 0x0010
#define TCP_FLAG_URG 0x0020
#define TCP_FLAG_ECE 0x0040
#define TCP_FLAG_CWR 0x0080
#define TCP_FLAG_AE  0x0100

/* Serial-number comparison (RFC 1982) on 32-bit sequence numbers: a is at
 * or after b when a - b, modulo 2^32, is less than half the space. */
#define TCP_SEQ_GEQ(a, b) ((uint32_t)((uint32_t)(a) - (uint32_t)(b)) < 0x80000000u)
#define TCP_SEQ_GT(a, b)  ((uint32_t)(a) != (uint32_t)(b) && TCP_SEQ_GEQ(a, b))
#define TCP_SEQ_LT(a, b)  (!TCP_SEQ_GEQ(a, b))

#endif /* TCPPHASE_TCP_FLAGS_H */
