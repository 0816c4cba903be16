/* tcpphase_taps.h
 * The statistics that read the "tcpphase" tap, registered from plugin.c
 * (tap listeners) and the protocol registration (the table).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef TCPPHASE_TAPS_H
#define TCPPHASE_TAPS_H

/* -z tcpphase,tree and Statistics > TCP Session Phase (stats_tree.c). */
void register_tcpphase_stats_tree(void);
/* -z tcpphase,ladder and -z tcpphase,explain (ladder_tap.c). */
void register_tcpphase_ladder(void);
/* -z tcpphase,csv (conv_table.c). */
void register_tcpphase_csv(void);
/* -z tcpphase,conv and its GUI table (conv_table.c): registered with the
 * protocol, where the GUI looks for table statistics. */
void register_tcpphase_conv_table(void);
/* -z tcpphase,writeup and its GUI table (ladder_tap.c): one row per packet,
 * registered with the protocol like the conversation table. */
void register_tcpphase_writeup_table(void);

#endif /* TCPPHASE_TAPS_H */
