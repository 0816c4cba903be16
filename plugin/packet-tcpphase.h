/* packet-tcpphase.h
 * The protocol's registration, called by the plugin loader (plugin.c).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef TCPPHASE_PACKET_TCPPHASE_H
#define TCPPHASE_PACKET_TCPPHASE_H

void proto_register_tcpphase(void);
void proto_reg_handoff_tcpphase(void);

#endif /* TCPPHASE_PACKET_TCPPHASE_H */
