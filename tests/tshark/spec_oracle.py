"""An independent reading of docs/spec.md sections 2 and 3, in Python, over the
TCP fields that Wireshark's own TCP dissector shows. It is the second
opinion behind the committed expectations: tests check that the plugin and
this oracle both agree with tests/tshark/expected/*.packets.tsv."""

import tptest

FIN, SYN, RST, ACK = 0x01, 0x02, 0x04, 0x10

TCP_FIELDS = ["frame.number", "tcp.stream", "ip.src", "ipv6.src", "tcp.srcport",
              "tcp.dstport", "tcp.flags", "tcp.seq_raw", "tcp.ack_raw", "tcp.len"]


def last(value):
    return value.split(",")[-1] if value else ""


class Conv:
    def __init__(self, sender, flags, sport, dport):
        self.first_sender = sender
        if flags & (SYN | ACK) == SYN:
            self.client = sender
        elif flags & (SYN | ACK) == SYN | ACK:
            self.client = None          # the receiver: whoever is not sender
        elif sport < 1024 <= dport:
            self.client = None
        else:
            self.client = sender
        self.midstream = not flags & SYN
        self.handshake_started = bool(flags & SYN)
        self.handshake_done = False
        self.phase = None
        self.phase_seq = 0
        self.fin_from = set()
        self.second_fin = None          # (sender_is_client, next_seq)
        self.last_ack_done = False

    def is_client(self, sender):
        if self.client is None:
            return sender != self.first_sender
        return sender == self.client


def seq_geq(a, b):
    return ((a - b) & 0xFFFFFFFF) < 0x80000000


def expected_rows(capture):
    """[frame, stream, dir, step, phase, phase_seq, midstream] per TCP packet."""
    return expected_rows_from(tptest.fields(capture, TCP_FIELDS))


def expected_rows_from(tcp_rows):
    """The same from rows of TCP_FIELDS values already read."""
    convs = {}
    rows = []
    for r in tcp_rows:
        frame, stream = r[0], last(r[1])
        if stream == "":
            continue
        src = last(r[3]) or last(r[2])
        sport, dport = int(last(r[4])), int(last(r[5]))
        flags = int(last(r[6]), 16)
        seq, ack, length = int(last(r[7])), int(last(r[8])), int(last(r[9]))
        sender = (src, sport)
        conv = convs.get(stream)
        if conv is None:
            conv = convs[stream] = Conv(sender, flags, sport, dport)
        client = conv.is_client(sender)

        if flags & RST:
            step = "rst"
        elif flags & SYN:
            step = "syn_ack" if flags & ACK else "syn"
        elif (client and flags & ACK and not flags & FIN and conv.handshake_started
              and not conv.handshake_done):
            step = "handshake_ack"
        elif flags & FIN:
            step = "fin"
        elif (length == 0 and flags & ACK and conv.second_fin and not conv.last_ack_done
              and client != conv.second_fin[0] and seq_geq(ack, conv.second_fin[1])):
            step = "last_ack"
        elif length > 0:
            step = "data"
        else:
            step = "ack"

        if flags & (FIN | RST):
            phase = "teardown"
        elif conv.phase == "teardown":
            phase = "teardown"
        elif conv.phase is None:
            phase = "handshake" if conv.handshake_started else "data"
        elif conv.phase == "handshake" and conv.handshake_done:
            phase = "data"
        else:
            phase = conv.phase
        conv.phase_seq = conv.phase_seq + 1 if phase == conv.phase else 1
        conv.phase = phase

        if step == "handshake_ack":
            conv.handshake_done = True
        if step == "last_ack":
            conv.last_ack_done = True
        if flags & FIN and client not in conv.fin_from:
            if conv.fin_from:
                conv.second_fin = (client, (seq + length + 1) & 0xFFFFFFFF)
            conv.fin_from.add(client)

        rows.append([frame, stream, "to_server" if client else "to_client", step, phase,
                     str(conv.phase_seq), "1" if conv.midstream else "0"])
    return rows
