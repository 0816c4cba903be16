#!/usr/bin/env python3
"""The shipped Wireshark profile is usable: every colouring rule and filter
button compiles and selects what it says on a capture, and the columns
name tcpphase fields that exist.

usage: check_profile.py PROFILE_DIR CAPTURES_DIR"""

import os
import re
import sys

import tptest


def main(argv):
    profile, captures = argv[1], argv[2]
    report = tptest.Report("profile")
    merged_counts = {}

    rules = []
    with open(os.path.join(profile, "colorfilters"), encoding="utf-8") as f:
        for line in f:
            if line.startswith("@"):
                _, name, expr, _ = line.split("@", 3)
                rules.append((name, expr))
    buttons = []
    with open(os.path.join(profile, "dfilter_buttons"), encoding="utf-8") as f:
        for line in f:
            if line.startswith('"'):
                cells = re.findall(r'"((?:[^"\\]|\\.)*)"', line)
                buttons.append((cells[1], cells[2].replace("\\x22", '"')))
    report.check(len(rules) >= 5 and len(buttons) == 4, "profile has its rules and buttons")

    # Each rule and button compiles and matches something where it should.
    where = {"Refused or unanswered session": "refused", "Reset session": "client_rst",
             "Failed TLS handshake": "tls_fail_version", "TLS alert": "lab_https",
             "Handshake": "lab_http", "Teardown": "lab_http", "Data": "lab_http",
             "Bad TCP": None, "TCP": "lab_http", "Handshakes": "lab_http",
             "Teardowns": "lab_http", "Failed sessions": "unanswered",
             "TLS handshakes": "lab_https"}
    for name, expr in rules + buttons:
        capture = where.get(name)
        if capture is None:
            continue
        out = tptest.tshark(["-2", "-r", os.path.join(captures, capture + ".pcapng"), "-Y", expr,
                             "-T", "fields", "-e", "frame.number"])
        merged_counts[name] = len(out.split())
        report.check(merged_counts[name] > 0, "%s (%s) matches packets of %s" % (name, expr, capture))

    fields = {l.split("\t")[2] for l in tptest.tshark(["-G", "fields"]).splitlines()
              if l.startswith("F\t")}
    with open(os.path.join(profile, "preferences"), encoding="utf-8") as f:
        columns = re.findall(r"%Cus:([a-z0-9_.]+)", f.read())
    report.check(len(columns) >= 5, "profile has custom columns")
    for field in columns:
        report.check(field in fields, "column field %s exists" % field)
    return report.finish()


if __name__ == "__main__":
    sys.exit(main(sys.argv))
