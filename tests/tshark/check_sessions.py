#!/usr/bin/env python3
"""Whole-session selection and expert info (docs/spec.md sections 5 and 6).

- On a capture merged from several committed ones, tshark -2 -Y on
  tcpphase.conv.state and tcpphase.conv.tls.sni writes every packet of
  exactly the matching conversations (counted per stream in the written
  file); one-pass shows the conversation as seen so far instead.
- The expert items appear where expected (-z expert), the "never
  answered" one only with -2.

usage: check_sessions.py CAPTURES_DIR"""

import collections
import os
import subprocess
import sys
import tempfile

import tptest

MERGED = ["lab_mixed", "refused", "unanswered", "client_rst", "server_rst", "syn_rst_client",
          "midstream_open", "tls_fail_unknown_ca12"]


def per_stream(capture, extra=()):
    out = tptest.tshark(list(extra) + ["-r", capture, "-T", "fields", "-e", "tcp.stream",
                                       "-e", "tcpphase.conv.state"])
    counts, states = collections.Counter(), {}
    for line in out.splitlines():
        stream, state = line.split("\t")
        counts[stream] += 1
        states[stream] = state
    return counts, states


def frames_of(capture, extra=()):
    out = tptest.tshark(list(extra) + ["-r", capture, "-T", "fields", "-e", "frame.time_epoch",
                                       "-e", "tcp.seq_raw", "-e", "tcp.flags"])
    return collections.Counter(out.splitlines())


def expert(capture, extra=()):
    out = tptest.tshark(list(extra) + ["-r", capture, "-q", "-z", "expert"])
    found = collections.Counter()
    section = None
    for line in out.splitlines():
        if line.startswith(("Errors", "Warns", "Notes", "Chats")):
            section = line.split()[0]
        parts = line.split(None, 3)
        if section and len(parts) == 4 and parts[0].isdigit() and parts[2] == "TCPPHASE":
            found[(section, parts[3])] += int(parts[0])
    return found


def main(argv):
    captures = argv[1]
    report = tptest.Report("sessions")
    with tempfile.TemporaryDirectory() as tmp:
        os.chmod(tmp, 0o755)
        merged = os.path.join(tmp, "merged.pcapng")
        subprocess.run(["mergecap", "-a", "-w", merged] +
                       [os.path.join(captures, n + ".pcapng") for n in MERGED], check=True)
        counts, states = per_stream(merged, ["-2"])
        report.check(len(set(states.values())) >= 6, "merged capture mixes states: %s"
                     % sorted(set(states.values())))

        for state in sorted(set(states.values())):
            out = os.path.join(tmp, "out-%s.pcapng" % state)
            tptest.tshark(["-2", "-r", merged, "-Y", 'tcpphase.conv.state == "%s"' % state,
                           "-w", out])
            got, _ = per_stream(out)
            # Streams are renumbered in the written file: compare the
            # multiset of per-stream packet counts and the total.
            want = sorted(c for s, c in counts.items() if states[s] == state)
            report.equal(sorted(got.values()), want,
                         "-2 -Y state == %s -w: packets per stream" % state)

        # The same packets, not only the same counts, for REJ.
        out = os.path.join(tmp, "rej.pcapng")
        tptest.tshark(["-2", "-r", merged, "-Y", 'tcpphase.conv.state == "REJ"', "-w", out])
        rej_streams = {s for s in states if states[s] == "REJ"}
        want = collections.Counter()
        for line in tptest.tshark(["-2", "-r", merged, "-T", "fields", "-e", "tcp.stream",
                                   "-e", "frame.time_epoch", "-e", "tcp.seq_raw",
                                   "-e", "tcp.flags"]).splitlines():
            stream, rest = line.split("\t", 1)
            if stream in rej_streams:
                want[rest] += 1
        report.equal(frames_of(out), want, "-2 REJ export holds exactly the refused packets")

        # One pass: as seen so far, the refused SYNs are not yet REJ.
        one_pass = tptest.tshark(["-r", merged, "-Y", 'tcpphase.conv.state == "REJ"',
                                  "-T", "fields", "-e", "tcpphase.step"]).split()
        report.equal(sorted(set(one_pass)), ["1"], "one-pass REJ filter: only the RSTs (as seen so far)")

        sni = tptest.tshark(["-2", "-r", merged, "-Y", 'tcpphase.conv.tls.sni contains "example"',
                             "-T", "fields", "-e", "tcp.stream"]).split()
        tls_streams = tptest.tshark(["-2", "-r", merged, "-Y", "tcpphase.conv.tls.result != 1",
                                     "-T", "fields", "-e", "tcp.stream"]).split()
        report.equal(sorted(collections.Counter(sni).items()),
                     sorted(collections.Counter(tls_streams).items()),
                     "-2 SNI filter selects every packet of the TLS sessions")
        report.equal(len(set(sni)), 4, "four TLS sessions to lab.example")
        all_counts = collections.Counter(tptest.tshark(["-r", merged, "-T", "fields", "-e",
                                                        "tcp.stream"]).split())
        report.equal({s: all_counts[s] for s in set(sni)}, dict(collections.Counter(sni)),
                     "-2 SNI filter: every packet of each of those streams")

    expectations = [
        ("refused", [], {("Warns", "Connection refused: the server answered the SYN with a RST"): 2}),
        ("unanswered", [], {}),
        ("unanswered", ["-2"], {("Warns", "Handshake never completed: nothing answered this SYN"): 1}),
        ("client_rst", [], {("Warns", "Abortive close: RST after data was exchanged"): 1}),
        ("server_rst", [], {("Warns", "Abortive close: RST after data was exchanged"): 1}),
        ("half_close", [], {("Notes", "Data after the peer's FIN (half-close)"): 3}),
        ("midstream", [], {("Notes", "Conversation picked up mid-stream: its handshake was not captured"): 1}),
        ("tls_fail_unknown_ca12", [], {
            ("Warns", "TLS handshake failed: alert or close before the handshake completed"): 1,
            ("Warns", "Abortive close: RST after data was exchanged"): 1}),
        ("tls_fail_version", [], {
            ("Warns", "TLS handshake failed: alert or close before the handshake completed"): 1}),
        ("lab_mixed", ["-2"], {}),
    ]
    for name, extra, want in expectations:
        got = expert(os.path.join(captures, name + ".pcapng"), extra)
        report.equal(dict(got), want, "expert items of %s %s" % (name, " ".join(extra)))
    return report.finish()


if __name__ == "__main__":
    sys.exit(main(sys.argv))
