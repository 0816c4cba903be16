#!/usr/bin/env python3
"""tcpphase-batch as a command: --help, formats, several inputs with the
file column, exit codes, a cut-short capture, a file that is no capture.

    check_cli.py BATCH_BINARY CAPTURES_DIR"""

import json
import os
import pty
import re
import select
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "tshark"))
import tptest  # noqa: E402


def run(argv):
    p = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=300)
    return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")


def drain(master, wait):
    """What the terminal shows so far: reads the pty's master until it has
    been quiet for WAIT seconds or the other end is closed."""
    got = b""
    while select.select([master], [], [], wait)[0]:
        try:
            chunk = os.read(master, 4096)
        except OSError:  # the other end is closed
            break
        if not chunk:
            break
        got += chunk
    return got


PROGRESS = re.compile(rb"\r(.+?): +(\d+)% (\d+) packets (\d+)/s ETA (\d+)s   ")


def check_progress_line(r, binary, tmp, master, slave):
    """The progress line's content. The reader updates it every 16,384
    packets once 0.5 s have passed since the last update, and reads a
    synthetic capture of 240,000 packets in a fraction of a second: so
    this test stops it (SIGSTOP) for 0.6 s after every 10 ms of running,
    which makes the wall clock pass as on a large file, until a line
    shows (at most 60 rounds). Running slices this short leave most of
    the file unread when the first update is due, even on a machine
    several times faster than this one."""
    conversations = 30000
    path = os.path.join(tmp, "many.pcap")
    subprocess.run([sys.executable, os.path.join(HERE, "synth_cases.py"), "--many",
                    str(conversations), path], check=True, timeout=120)
    packets = conversations * 8  # see synth_cases.py --many
    with open(os.path.join(tmp, "plain.csv"), "wb") as out:
        subprocess.run([binary, path], stdout=out, check=True, timeout=300)
    shown = b""
    with open(os.path.join(tmp, "tty.csv"), "wb") as out:
        started = time.monotonic()
        p = subprocess.Popen([binary, path], stdout=out, stderr=slave)
        try:
            for _ in range(60):
                time.sleep(0.01)
                if p.poll() is not None or PROGRESS.search(shown):
                    break
                p.send_signal(signal.SIGSTOP)
                time.sleep(0.6)
                p.send_signal(signal.SIGCONT)
                shown += drain(master, 0.05)
            rc = p.wait(timeout=300)
            took = time.monotonic() - started
        finally:
            if p.poll() is None:
                p.kill()
                p.wait()
    os.close(slave)
    shown += drain(master, 0.5)
    r.equal(rc, 0, "progress: exit 0")
    with open(os.path.join(tmp, "plain.csv"), "rb") as a, open(os.path.join(tmp, "tty.csv"),
                                                                 "rb") as b:
        r.check(a.read() == b.read(), "progress: the same rows as without a terminal")
    lines = PROGRESS.findall(shown)
    for line in lines:
        print("progress line: %s: %s%% %s packets %s/s ETA %ss"
              % tuple(v.decode() for v in line))
    r.check(len(lines) > 0, "progress: a line shows while the file is read: %r" % shown[:200])
    for name, percent, count, rate, eta in lines:
        percent, count, rate, eta = int(percent), int(count), int(rate), int(eta)
        r.equal(name.decode(), path, "progress: the line names the capture")
        r.check(count % 16384 == 0 and 0 < count < packets,
                "progress: %d packets, a multiple of 16,384 below %d" % (count, packets))
        # The packets are all of one size, so the offset of packet N in
        # the file follows N (wiretap's own count of bytes read would run
        # up to 4 MiB ahead on 4.4 and later, docs/batch.md).
        expected = 100.0 * (count - 1) / packets
        r.check(expected - 1 <= percent <= expected + 1,
                "progress: %d%% of the bytes at packet %d of %d" % (percent, count, packets))
        r.check(rate > 0, "progress: a rate in packets/s (%d)" % rate)
        # ETA = elapsed * (size - read) / read, elapsed being more than
        # 0.5 s (the first update) and less than the whole run; the
        # percentage is rounded down.
        low = 0.5 * (100 - percent - 1) / (percent + 1)
        high = took * (100 - percent) / max(percent, 1)
        r.check(round(low) - 1 <= eta <= high + 1,
                "progress: ETA %d s at %d%% after %.1f s" % (eta, percent, took))
    r.check(shown.endswith(b"\r\x1b[K"), "progress: the line cleared at the end")


def main():
    binary, captures = sys.argv[1], sys.argv[2]
    r = tptest.Report("batch.cli")
    http = os.path.join(captures, "lab_mixed.pcapng")
    v6 = os.path.join(captures, "ipv6.pcapng")

    rc, out, err = run([binary, "--help"])
    r.equal(rc, 0, "--help exits 0")
    r.check("--format" in out and "Exit status" in out, "--help lists the options")
    rc, out, err = run([binary])
    r.equal(rc, 1, "no input: usage error")
    rc, out, err = run([binary, "-f", "xml", http])
    r.equal(rc, 1, "unknown format: usage error")

    rc, csv_out, err = run([binary, http])
    r.equal(rc, 0, "csv exit 0")
    r.equal(err, "", "quiet on stderr when it is no terminal")
    # On a terminal the progress line is on: a capture this small is read
    # before the first update (every 16,384 packets, 0.5 s apart), so what
    # shows is the line being cleared at the end of the file.
    try:
        master, slave = pty.openpty()
    except OSError as e:  # a chroot without its own /dev/ptmx
        master = None
        print("no pseudo-terminal here (%s): the terminal case is not checked" % e)
    if master is not None:
        try:
            p = subprocess.run([binary, http], stdout=subprocess.PIPE, stderr=slave, timeout=300)
            os.close(slave)
            slave = None
            tty_err = drain(master, 0.5)
        finally:
            if slave is not None:
                os.close(slave)
            os.close(master)
        r.equal(p.returncode, 0, "exit 0 with stderr on a terminal")
        r.equal(p.stdout.decode(), csv_out, "same rows with stderr on a terminal")
        r.equal(tty_err, b"\r\x1b[K", "stderr on a terminal: the progress line cleared")
        master, slave = pty.openpty()
        try:
            with tempfile.TemporaryDirectory() as tmp:
                check_progress_line(r, binary, tmp, master, slave)
        finally:
            os.close(master)
    csv_rows = csv_out.splitlines()[1:]

    # JSON lines: one object per CSV row, same values.
    rc, out, err = run([binary, "-f", "json", http])
    objs = [json.loads(line) for line in out.splitlines()]
    r.equal(len(objs), len(csv_rows), "one JSON object per conversation")
    r.equal([str(o["stream"]) + "," + o["client"] + "," + o["state"] for o in objs],
            [",".join(row.split(",")[i] for i in (0, 1, 3)) for row in csv_rows],
            "JSON stream/client/state = CSV")

    # Zeek conn.log: header lines, fields and types agree, one row each.
    rc, out, err = run([binary, "-f", "zeek", http])
    lines = out.splitlines()
    fields = [l for l in lines if l.startswith("#fields")][0].split("\t")[1:]
    types = [l for l in lines if l.startswith("#types")][0].split("\t")[1:]
    r.equal(lines[0], "#separator \\x09", "zeek #separator line")
    r.equal(len(fields), len(types), "zeek #fields and #types agree")
    r.check(fields[:6] == ["ts", "uid", "id.orig_h", "id.orig_p", "id.resp_h", "id.resp_p"],
            "zeek field names")
    data = [l.split("\t") for l in lines if not l.startswith("#")]
    r.equal(len(data), len(csv_rows), "one conn.log row per conversation")
    r.check(all(len(d) == len(fields) for d in data), "every conn.log row has every field")
    r.check(all(d[1].startswith("C") and len(d[1]) == 18 for d in data), "uid-like ids")
    r.equal(len({d[1] for d in data}), len(data), "ids are unique")
    r.check(lines[-1].startswith("#close"), "zeek #close line")

    # Several inputs with the file column.
    rc, out, err = run([binary, "--file-column", http, v6])
    lines = out.splitlines()
    r.check(lines[0].startswith("file,stream,client"), "file column header")
    r.equal({l.split(",")[0] for l in lines[1:]}, {http, v6}, "rows of both files")

    with tempfile.TemporaryDirectory() as tmp:
        # A capture cut in the middle of a packet.
        cut = os.path.join(tmp, "cut.pcapng")
        with open(http, "rb") as f:
            data = f.read()
        with open(cut, "wb") as f:
            f.write(data[:len(data) // 2])
        rc, out, err = run([binary, cut])
        r.equal(rc, 2, "cut capture exits 2")
        r.check("packets; the rows of what was read are written and marked incomplete" in err,
                "cut capture: error names the packets read: " + err)
        r.check(out.splitlines()[-1].startswith("#incomplete,"), "rows marked incomplete")
        r.check(len(out.splitlines()) > 2, "rows so far are written")
        # A file that is no capture: wiretap's message, exit 2, the other
        # input still read.
        text = os.path.join(tmp, "notes.txt")
        with open(text, "w") as f:
            f.write("not a capture\n" * 10)
        rc, out, err = run([binary, text, v6])
        r.equal(rc, 2, "non-capture exits 2")
        r.check("isn't a capture file in a known format" in err, "wiretap's message: " + err)
        r.check(len(out.splitlines()) > 1, "the next input is still read")
        rc, out, err = run([binary, os.path.join(tmp, "missing.pcap")])
        r.equal(rc, 2, "missing file exits 2")
        rc, out, err = run([binary, "-o", os.path.join(tmp, "no", "dir.csv"), http])
        r.equal(rc, 3, "unwritable output exits 3")
    return r.finish()


if __name__ == "__main__":
    sys.exit(main())
