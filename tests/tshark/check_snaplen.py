#!/usr/bin/env python3
"""Packets cut by a snapshot length (docs/spec.md section 8, issue 7).

Each capture is cut with editcap -s 54, 64 and 128 and read with tshark -2
next to the whole capture:

- the TCP facts of a packet do not depend on its payload bytes, so every
  packet keeps its tcp.stream, direction, step, phase, phase.seq,
  mid-stream flag and conversation state/history (payload lengths come
  from the IP header, which even -s 54 keeps);
- a TLS stage is never guessed from bytes the capture lost: each stage the
  cut capture reports is the whole capture's stage at the same place in
  the packet, or "unknown" where the record was cut. At 128 bytes both
  kinds must occur on the TLS captures, so the check cannot pass on
  captures where nothing was cut or nothing was kept.

usage: check_snaplen.py CAPTURE..."""

import os
import subprocess
import sys
import tempfile

import tptest

SNAPLENS = (54, 64, 128)
TCP_FIELDS = ["tcp.stream", "tcpphase.dir", "tcpphase.step", "tcpphase.phase",
              "tcpphase.phase.seq", "tcpphase.midstream", "tcpphase.conv.state",
              "tcpphase.conv.history"]
STAGE = "tcpphase.tls.stage"


def rows(capture):
    """{frame: (tcp values, [tls stages])} from tshark -2 (no keys: a cut
    capture cannot be decrypted either, and the inference is what the cut
    tests)."""
    out = tptest.tshark(["-2", "-r", capture, "-T", "fields", "-E", "occurrence=a",
                         "-E", "separator=\t", "-e", "frame.number"] +
                        sum([["-e", f] for f in TCP_FIELDS + [STAGE]], []))
    result = {}
    for line in out.splitlines():
        cells = line.split("\t")
        stages = [s for s in cells[-1].split(",") if s]
        result[cells[0]] = (cells[1:-1], stages)
    return result


def main(argv):
    report = tptest.Report("snaplen")
    labels = tptest.value_labels()[STAGE]
    unknown = [k for k, v in labels.items() if v == "unknown"][0]
    with tempfile.TemporaryDirectory() as tmp:
        os.chmod(tmp, 0o755)
        for capture in argv[1:]:
            name = os.path.basename(capture)
            whole = rows(capture)
            tagged = sum(1 for tcp, _ in whole.values() if tcp[2])
            report.check(tagged > 0, "%s: the whole capture has tagged packets" % name)
            has_tls = any(stages for _, stages in whole.values())
            for snaplen in SNAPLENS:
                cut_file = os.path.join(tmp, "%d-%s" % (snaplen, name))
                subprocess.run(["editcap", "-s", str(snaplen), capture, cut_file], check=True)
                os.chmod(cut_file, 0o644)
                cut = rows(cut_file)
                report.equal(sorted(cut), sorted(whole), "%s -s %d: same frames" % (name, snaplen))
                tcp_diff = [f for f in whole if f in cut and cut[f][0] != whole[f][0]]
                report.equal(tcp_diff, [], "%s -s %d: frames whose TCP phase fields changed"
                             % (name, snaplen))
                guessed, kept, cut_records = [], 0, 0
                for frame, (_, stages) in cut.items():
                    full = whole[frame][1]
                    if len(stages) > len(full):
                        guessed.append(frame)
                        continue
                    for i, stage in enumerate(stages):
                        if stage == unknown:
                            cut_records += 1
                        elif stage == full[i]:
                            kept += 1
                        else:
                            guessed.append(frame)
                report.equal(guessed, [], "%s -s %d: frames with a TLS stage that is neither "
                             "the whole capture's nor unknown" % (name, snaplen))
                if has_tls and snaplen == 128:
                    report.check(cut_records > 0, "%s -s 128: some record reported unknown"
                                 % name)
                    report.check(kept > 0, "%s -s 128: some stage still named" % name)
    return report.finish()


if __name__ == "__main__":
    sys.exit(main(sys.argv))
