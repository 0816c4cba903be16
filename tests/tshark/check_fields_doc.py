#!/usr/bin/env python3
"""docs/fields.md and the built plugin agree: every tcpphase field of
`tshark -G fields` is documented with its type and value labels, every
documented field exists, and every field has help text.

usage: check_fields_doc.py docs/fields.md"""

import re
import sys

import tptest

ROW = re.compile(r"^\|\s*`(tcpphase[a-z0-9_.]*)`\s*\|\s*(FT_[A-Z0-9_]+)\s*\|([^|]*)\|")
EXPERT_ROW = re.compile(r"^\|\s*`(tcpphase[a-z0-9_.]*)`\s*\|\s*(Warning|Note|Error|Chat)\s*/")
LABEL = re.compile(r"`([^`]+)`=(0x[0-9a-fA-F]+|\d+)")


def documented(path):
    fields = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            m = ROW.match(line)
            if m:
                labels = {str(int(num, 0)): label for label, num in LABEL.findall(m.group(3))}
                fields[m.group(1)] = (m.group(2), labels)
            m = EXPERT_ROW.match(line)
            if m:
                fields[m.group(1)] = ("FT_NONE", {})
    return fields


def main(argv):
    report = tptest.Report("fields doc")
    doc = documented(argv[1])
    built = {}
    for line in tptest.tshark(["-G", "fields"]).splitlines():
        parts = line.split("\t")
        if parts[0] == "P" and parts[2] == "tcpphase":
            built["tcpphase"] = ("FT_PROTOCOL", None)
        elif parts[0] == "F" and parts[2].startswith("tcpphase."):
            built[parts[2]] = (parts[3], parts[7] if len(parts) > 7 else "")
    values = tptest.value_labels()

    report.equal(sorted(doc), sorted(built), "documented fields == registered fields")
    for name, (ftype, blurb) in sorted(built.items()):
        # Expert items (FT_NONE) carry their text as the name, not a blurb.
        if blurb is not None and ftype != "FT_NONE":
            report.check(len(blurb.strip()) >= 20, "%s has help text in tshark -G fields" % name)
        if name not in doc:
            continue
        report.equal(doc[name][0], ftype, "%s type" % name)
        report.equal(doc[name][1], values.get(name, {}), "%s value labels" % name)
    return report.finish()


if __name__ == "__main__":
    sys.exit(main(sys.argv))
