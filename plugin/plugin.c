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

#ifndef PLUGIN_VERSION
#define PLUGIN_VERSION "0.0.0"
#endif

/* 4.0 and 4.2 look for these symbols; later releases also accept the
 * WIRESHARK_PLUGIN_REGISTER_EPAN macro from wsutil/plugins.h. */
WS_DLL_PUBLIC_DEF const gchar plugin_version[] = PLUGIN_VERSION;
WS_DLL_PUBLIC_DEF const int plugin_want_major = WIRESHARK_VERSION_MAJOR;
WS_DLL_PUBLIC_DEF const int plugin_want_minor = WIRESHARK_VERSION_MINOR;

WS_DLL_PUBLIC void plugin_register(void);
#if WIRESHARK_VERSION_MAJOR > 4 || (WIRESHARK_VERSION_MAJOR == 4 && WIRESHARK_VERSION_MINOR >= 2)
WS_DLL_PUBLIC const gchar *plugin_describe(void);

const gchar *
plugin_describe(void)
{
    return "Tags every TCP packet with its conversation phase and step";
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
    static tap_plugin plug_tcpphase_tap;

    plug_tcpphase.register_protoinfo = proto_register_tcpphase;
    plug_tcpphase.register_handoff = proto_reg_handoff_tcpphase;
    proto_register_plugin(&plug_tcpphase);

    /* -z tcpphase,tree and -z tcpphase,csv (the Statistics menu lists the
     * tree); -z tcpphase,conv registers with the protocol. */
    plug_tcpphase_tap.register_tap_listener = register_tcpphase_tap_listeners;
    tap_register_plugin(&plug_tcpphase_tap);
}
