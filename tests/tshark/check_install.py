#!/usr/bin/env python3
"""The tests load exactly the freshly built plugin (never an installed copy),
and `cmake --install` puts the plugin where Wireshark looks for it.

usage: check_install.py BUILD_DIR"""

import os
import subprocess
import sys
import tempfile

import tptest


def main(argv):
    build = argv[1]
    report = tptest.Report("install")

    rows = [l.split("\t") for l in tptest.tshark(["-G", "plugins"]).splitlines()]
    ours = [r for r in rows if r[0].strip() == "tcpphase.so"]
    report.equal(len(ours), 1, "tshark loads one tcpphase.so")
    if ours:
        report.check("/tcpphase-home." in ours[0][-1],
                     "the loaded tcpphase.so is the test's fresh copy: %s" % ours[0][-1])
        report.equal(ours[0][2].strip(), "dissector", "plugin type")

    # Install into a scratch DESTDIR: root gets the system plugin folder,
    # anyone else the personal one; an explicit folder wins.
    with tempfile.TemporaryDirectory() as dest:
        env = dict(os.environ, DESTDIR=dest, HOME="/home/someone")
        env.pop("XDG_CONFIG_HOME", None)
        out = subprocess.run(["cmake", "--install", build], env=env, text=True,
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT).stdout
        installed = [os.path.join(d, f)[len(dest):] for d, _, files in os.walk(dest)
                     for f in files]
        # The real system folder: tshark run directly, not through the
        # test's private plugin folder.
        folders = [l.split("\t", 1)[1] for l in
                   subprocess.run(["tshark", "-G", "folders"], text=True,
                                  stdout=subprocess.PIPE, stderr=subprocess.DEVNULL).stdout.splitlines()
                   if l.startswith("Global Plugins:")]
        if os.getuid() == 0:
            want = os.path.join(folders[0].strip(), "epan", "tcpphase.so")
        else:
            want = "/home/someone/.local/lib/wireshark/plugins/%s/epan/tcpphase.so" % \
                os.path.basename(folders[0].strip())
        profile = "/home/someone/.config/wireshark/profiles/tcpphase/"
        # tcpphase-batch goes to the bin folder of the install prefix.
        with open(os.path.join(build, "CMakeCache.txt")) as cache:
            prefix = [l.split("=", 1)[1].strip() for l in cache
                      if l.startswith("CMAKE_INSTALL_PREFIX:")][0]
        report.equal(sorted(installed),
                     sorted([want, os.path.join(prefix, "bin", "tcpphase-batch")] +
                            [profile + f for f in ("colorfilters", "dfilter_buttons",
                                                   "preferences")]),
                     "cmake --install destinations (%s)" % out.strip())
    return report.finish()


if __name__ == "__main__":
    sys.exit(main(sys.argv))
