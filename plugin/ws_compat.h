/* ws_compat.h
 * Every Wireshark API difference tcpphase meets between 4.0 and 4.6, in
 * one place, keyed on the version of the headers being built against.
 * Struct layouts (SslPacketInfo, struct tcp_analysis, conversation_t) need
 * nothing here: each build compiles against its own version's headers.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef TCPPHASE_WS_COMPAT_H
#define TCPPHASE_WS_COMPAT_H

#include <stdlib.h>

#include <ws_version.h>
#include <epan/packet.h>

#define TP_WS_AT_LEAST(major, minor) \
    (WIRESHARK_VERSION_MAJOR > (major) || \
     (WIRESHARK_VERSION_MAJOR == (major) && WIRESHARK_VERSION_MINOR >= (minor)))

/* prefs_register_bool_preference() points at a gboolean up to 4.2 and at
 * a C bool from 4.4 (the two differ in size). */
#if TP_WS_AT_LEAST(4, 4)
typedef bool tp_pref_bool_t;
#else
typedef gboolean tp_pref_bool_t;
#endif

/* 4.4 renamed the tvb accessors (the guint8 name is deprecated there);
 * 4.0 and 4.2 have only the old one. */
#if !TP_WS_AT_LEAST(4, 4)
#define tvb_get_uint8 tvb_get_guint8
#endif

/* A stat_tap_ui init callback reports success from 4.6 on; before, the
 * only way out of a failed one is to end tshark, as its own CLI taps do. */
#if TP_WS_AT_LEAST(4, 6)
typedef bool tp_stat_tap_init_ret_t;
#define TP_STAT_TAP_INIT_OK       true
#define TP_STAT_TAP_INIT_FAILED() return false
#else
typedef void     tp_stat_tap_init_ret_t;
#define TP_STAT_TAP_INIT_OK
#define TP_STAT_TAP_INIT_FAILED() exit(1)
#endif

/* From 4.2 the loader asks an optional plugin_describe() what the plugin
 * provides; without it tshark -G plugins says "unknown". Its flags live in
 * wsutil/plugins.h, which 4.0's development package does not ship. */
#if TP_WS_AT_LEAST(4, 2) && defined(__has_include)
#if __has_include(<wsutil/plugins.h>)
#include <wsutil/plugins.h>
#endif
#endif
#ifdef WS_PLUGIN_DESC_DISSECTOR
#define TP_HAVE_PLUGIN_DESCRIBE 1
#endif

/* The keys under which the TLS dissector filed this frame's SslPacketInfo
 * (p_get_proto_data(wmem_file_scope(), pinfo, proto_tls, key)): always 0
 * in 4.0; from 4.2 the number of that TLS layer in the frame, 1, 2, ...
 * (TCP calls TLS once for a reassembled PDU and again for the rest of the
 * segment). After dissection pinfo->proto_layers holds how many TLS layers
 * the frame had. Returns the first key; *last is the last (first > *last:
 * none). */
static inline unsigned
tp_tls_record_keys(const packet_info *pinfo, int proto_tls, unsigned *last)
{
#if TP_WS_AT_LEAST(4, 2)
    const int *layers = pinfo->proto_layers == NULL
        ? NULL
        : (const int *)wmem_map_lookup(pinfo->proto_layers, GINT_TO_POINTER(proto_tls));

    *last = layers != NULL && *layers > 0 ? (unsigned)*layers : 0;
    return 1;
#else
    (void)pinfo;
    (void)proto_tls;
    *last = 0;
    return 0;
#endif
}

#endif /* TCPPHASE_WS_COMPAT_H */
