/* plugin.c
 * Entry points Wireshark's plugin loader looks for.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config_tcpphase.h"

#include <epan/packet.h>
#include <epan/tap.h>
#include <ws_version.h>

#include "packet-tcpphase.h"
#include "tcpphase_taps.h"
#include "ws_compat.h"

#ifndef PLUGIN_VERSION
#define PLUGIN_VERSION "0.0.0"
#endif

/* The symbols Wireshark's plugin loader looks for, 4.0 to 4.6 alike. */
WS_DLL_PUBLIC_DEF const gchar plugin_version[] = PLUGIN_VERSION;
WS_DLL_PUBLIC_DEF const int   plugin_want_major = WIRESHARK_VERSION_MAJOR;
WS_DLL_PUBLIC_DEF const int   plugin_want_minor = WIRESHARK_VERSION_MINOR;

WS_DLL_PUBLIC void plugin_register(void);
#ifdef TP_HAVE_PLUGIN_DESCRIBE
WS_DLL_PUBLIC uint32_t plugin_describe(void);

uint32_t
plugin_describe(void)
{
    return WS_PLUGIN_DESC_DISSECTOR;
}
#endif

static void
register_tcpphase_tap_listeners(void)
{
    register_tcpphase_stats_tree();
    register_tcpphase_csv();
    register_tcpphase_ladder();
}

void
plugin_register(void)
{
    static proto_plugin plug_tcpphase;
    static tap_plugin   plug_tcpphase_tap;

    plug_tcpphase.register_protoinfo = proto_register_tcpphase;
    plug_tcpphase.register_handoff = proto_reg_handoff_tcpphase;
    proto_register_plugin(&plug_tcpphase);

    /* -z tcpphase,tree and -z tcpphase,csv (the Statistics menu lists the
     * tree); -z tcpphase,conv registers with the protocol. */
    plug_tcpphase_tap.register_tap_listener = register_tcpphase_tap_listeners;
    tap_register_plugin(&plug_tcpphase_tap);
}
