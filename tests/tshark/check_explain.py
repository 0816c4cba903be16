#!/usr/bin/env python3
"""tcpphase.explain on every TCP packet of every capture: no tagged packet
without a sentence, the sentence agrees with the packet's dir, step and TLS
stage fields, and one-pass and -2 runs give the same sentences (English),
and the Spanish column gives a sentence too (docs/spec.md section 9).

usage: check_explain.py CAPTURE_DIR"""

import glob
import os
import sys

import tptest

FIELDS = ["frame.number", "tcpphase.dir", "tcpphase.step", "tcpphase.tls.stage",
          "tcpphase.explain"]

# What the English sentence of each step must say.
STEP_WORDS = {
    "syn": "SYN", "syn_ack": "SYN-ACK", "handshake_ack": "three-way handshake",
    "fin": "FIN", "last_ack": "last ACK", "rst": "RST", "ack": "ACK", "data": "bytes",
}
# The name each TLS stage must be given.
STAGE_WORDS = {
    "client_hello": "Client Hello", "server_hello": "Server Hello",
    "hello_retry_request": "Hello Retry Request", "certificate": "Certificate",
    "server_key_exchange": "Server Key Exchange", "certificate_request": "Certificate Request",
    "server_hello_done": "Server Hello Done", "client_key_exchange": "Client Key Exchange",
    "certificate_verify": "Certificate Verify", "change_cipher_spec": "Change Cipher Spec",
    "finished": "Finished", "encrypted_extensions": "Encrypted Extensions",
    "encrypted_handshake": "encrypted flight", "new_session_ticket": "New Session Ticket",
    "key_update": "Key Update", "application_data": "Application Data", "alert": "Alert",
    "encrypted_alert": "Encrypted Alert", "heartbeat": "Heartbeat", "other": "TLS record",
    "unknown": "TLS record",
}


def rows(capture, extra=()):
    out = []
    for r in tptest.fields(capture, FIELDS, list(extra) + tptest.capture_args(capture)):
        if r[1] == "":
            continue
        out.append((r[0], tptest.labelled("tcpphase.dir", r[1]),
                    tptest.labelled("tcpphase.step", r[2]),
                    tptest.labelled("tcpphase.tls.stage", r[3]), r[4]))
    return out


def check_capture(report, capture):
    name = os.path.basename(capture)
    one = rows(capture)
    two = rows(capture, ["-2"])
    report.equal([r[4] for r in two], [r[4] for r in one], "%s: one-pass == -2" % name)
    for frame, direction, step, stages, sentence in one:
        where = "%s frame %s" % (name, frame)
        if not report.check(sentence != "", "%s: empty explanation" % where):
            continue
        who = "The client" if direction == "to_server" else "The server"
        report.check(sentence.startswith(who), "%s: %r starts with %r" % (where, sentence, who))
        report.check(STEP_WORDS[step] in sentence,
                     "%s: step %s, %r lacks %r" % (where, step, sentence, STEP_WORDS[step]))
        for stage in filter(None, stages.split(",")):
            report.check(STAGE_WORDS[stage] in sentence,
                         "%s: stage %s, %r lacks %r" % (where, stage, sentence, STAGE_WORDS[stage]))
    spanish = rows(capture, ["-o", "tcpphase.explain_language:es"])
    report.equal(len(spanish), len(one), "%s: Spanish run tags the same packets" % name)
    for frame, direction, _, _, sentence in spanish:
        who = "El cliente" if direction == "to_server" else "El servidor"
        alt = "El ACK" if direction else ""
        ok = sentence.startswith(who) or sentence.startswith(alt) or sentence.startswith("El último")
        report.check(ok, "%s frame %s: Spanish %r" % (name, frame, sentence))
    return len(one)


def main(argv):
    report = tptest.Report("explain")
    captures = sorted(glob.glob(os.path.join(argv[1], "*.pcapng")) +
                      glob.glob(os.path.join(argv[1], "public", "*.pcap*")))
    total = 0
    for capture in captures:
        total += check_capture(report, capture)
    print("%d captures, %d tagged packets" % (len(captures), total))
    report.check(total > 0, "some packets were tagged")
    return report.finish()


if __name__ == "__main__":
    sys.exit(main(sys.argv))
