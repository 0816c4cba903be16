#!/usr/bin/env python3
"""Fuzz driver: mutates every committed capture with a fixed seed and runs
tshark with the sanitizer build of tcpphase over each mutated file.

usage: mutate_and_run.py [--count N] [--seed S] [--out DIR] [--jobs J]
                         [--stage DIR] [--tap TAP ...] [--timeout SEC]
                         [--kinds K,K] [--only I ...] [--start I] [--keep-all]
                         [--list] [--no-asan] [--via-run-tshark] [--quiet]
       mutate_and_run.py --replay [FILE ...]   (default: tests/fuzz/regressions/*.pcap*)

Without asan-env.sh sourced, the driver sources it itself (--no-asan: not,
for a --stage without sanitizers). Default stage: build-asan/stage/plugins.

Each case i is a pure function of (seed, i): the base capture and the
mutation come from random.Random("<seed>:<i>"), so a failing case is
rebuilt with the same --seed and --only i. The one exception is `randpkt`
(Wireshark's randpkt has no seed option): its files are kept on failure.

A case fails when tshark dies of a signal, times out, exits with the
sanitizer exit code (86, see asan-env.sh) or anything but 0/2 (2: tshark
could not read a malformed file, fine), prints an AddressSanitizer,
UndefinedBehaviorSanitizer or LeakSanitizer report, or shows an exception
raised in tcpphase ("Dissector bug, protocol TCPPHASE", "Malformed Packet:
TCPPHASE"). Failing files are copied to --out with a .txt saying how to
reproduce; passing files are deleted. The last line is
"N passed, N failed"; the exit status is 0 only when nothing failed.
"""

import argparse
import concurrent.futures
import glob
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
RUN_TSHARK = os.path.join(ROOT, "tests", "tshark", "run-tshark")
sys.path.insert(0, HERE)

import pcapio  # noqa: E402
import synth   # noqa: E402

SANITIZER_EXIT = 86
REPORT_MARKERS = ("ERROR: AddressSanitizer", "runtime error:", "LeakSanitizer",
                  "AddressSanitizer:", "UndefinedBehaviorSanitizer")
PLUGIN_EXCEPTION_MARKERS = ("Dissector bug, protocol TCPPHASE", "Malformed Packet: TCPPHASE",
                            "Dissector bug, protocol TCP Session Phase",
                            "Malformed Packet: TCP Session Phase")
# Mutation kinds and their weights in a batch.
KINDS = {
    "editcap_E": 18,   # editcap -E (random byte errors in packet data)
    "snaplen": 7,      # editcap -s 54/64/128/random
    "cut": 7,          # the file cut at a random byte offset
    "flip": 4,         # random bytes of the whole file (block headers too)
    "reorder": 9,      # packets swapped / shuffled
    "duplicate": 7,    # packets repeated
    "drop": 6,         # packets removed (handshakes, FINs go missing)
    "timestamps": 5,   # extreme / backwards timestamps
    "tcpfields": 12,   # flags, seq, ack, data offset, ports of TCP headers
    "split": 7,        # TCP segments split in pieces (records across segments)
    "payload": 8,      # bytes at the start of TCP payloads (TLS record headers)
    "merge": 4,        # the capture merged with a shifted copy / another capture
    "randpkt": 3,      # Wireshark's randpkt, TCP-carried types
    "synth": 12,       # synthetic hostile conversations (synth.py)
}
RECORD_KINDS = ("reorder", "duplicate", "drop", "timestamps", "tcpfields", "split", "payload")


def captures():
    files = sorted(glob.glob(os.path.join(ROOT, "captures", "*.pcapng")) +
                   glob.glob(os.path.join(ROOT, "captures", "public", "*.pcap")))
    if not files:
        sys.exit("no captures under %s/captures" % ROOT)
    return files


def keylog_of(capture):
    keys = os.path.splitext(capture)[0] + ".keys"
    return keys if os.path.exists(keys) else None


def run(cmd, **kw):
    return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kw)


# ---- record-level mutations (pcapio) ----

def m_reorder(rng, pkts):
    if len(pkts) < 2:
        return pkts
    if rng.random() < 0.3:
        a = rng.randrange(len(pkts))
        b = min(len(pkts), a + rng.randrange(2, 12))
        mid = pkts[a:b]
        rng.shuffle(mid)
        return pkts[:a] + mid + pkts[b:]
    for _ in range(rng.randrange(1, 6)):
        i = rng.randrange(len(pkts) - 1)
        j = min(len(pkts) - 1, i + rng.randrange(1, 4))
        pkts[i], pkts[j] = pkts[j], pkts[i]
    return pkts


def m_duplicate(rng, pkts):
    for _ in range(rng.randrange(1, 8)):
        if not pkts:
            break
        i = rng.randrange(len(pkts))
        j = i + 1 if rng.random() < 0.6 else rng.randrange(len(pkts) + 1)
        pkts.insert(j, pkts[i].copy())
    return pkts


def m_drop(rng, pkts):
    for _ in range(rng.randrange(1, 5)):
        if len(pkts) <= 1:
            break
        pkts.pop(rng.randrange(len(pkts)) if rng.random() < 0.7 else rng.randrange(min(4, len(pkts))))
    return pkts


def m_timestamps(rng, pkts):
    extremes = [0, 1, (1 << 32) - 1, 1 << 32, (1 << 63) - 1, 1 << 63, (1 << 64) - 1,
                (1 << 64) - 1000000]
    mode = rng.random()
    for p in pkts:
        if mode < 0.3:
            p.ts = rng.choice(extremes)
        elif mode < 0.6:
            if rng.random() < 0.3:
                p.ts = rng.choice(extremes)
        elif mode < 0.8:
            p.ts = rng.randrange(1 << 64)
        else:
            p.ts = max(0, p.ts - rng.randrange(10 ** 9))
    return pkts


def m_tcpfields(rng, pkts):
    rate = rng.choice([0.05, 0.2, 0.5, 1.0])
    for k, p in enumerate(pkts):
        v = pcapio.tcp_view(p)
        if v is None or rng.random() > rate:
            continue
        d = bytearray(p.data)
        t = v.tcp
        what = rng.randrange(8)
        if what == 0:      # flags, AE included
            flags = rng.randrange(0x200) if rng.random() < 0.5 else \
                rng.choice([0x02, 0x12, 0x10, 0x11, 0x04, 0x14, 0x07, 0x3F, 0x1FF, 0x00, 0x01])
            d[t + 12] = (d[t + 12] & 0xF0) | (flags >> 8)
            d[t + 13] = flags & 0xFF
        elif what == 1:    # seq
            delta = rng.choice([1, -1, 1 << 31, rng.randrange(1 << 32), 1460, -1460])
            seq = (int.from_bytes(d[t + 4:t + 8], "big") + delta) & 0xFFFFFFFF
            d[t + 4:t + 8] = seq.to_bytes(4, "big")
        elif what == 2:    # ack
            d[t + 8:t + 12] = rng.randrange(1 << 32).to_bytes(4, "big")
        elif what == 3:    # data offset
            d[t + 12] = (rng.randrange(16) << 4) | (d[t + 12] & 0x0F)
        elif what == 4:    # ports (another or the same conversation)
            if rng.random() < 0.5:
                d[t:t + 2], d[t + 2:t + 4] = d[t + 2:t + 4], d[t:t + 2]
            else:
                d[t + rng.choice([0, 2]):t + rng.choice([0, 2]) + 2] = \
                    rng.choice([0, 80, 443, 1023, 1024, 65535]).to_bytes(2, "big")
        elif what == 5:    # IP length fields (payload length as TCP sees it)
            if v.version == 4:
                d[v.ip + 2:v.ip + 4] = rng.randrange(1 << 16).to_bytes(2, "big")
            else:
                d[v.ip + 4:v.ip + 6] = rng.randrange(1 << 16).to_bytes(2, "big")
        elif what == 6:    # IP protocol / version
            if v.version == 4:
                d[v.ip + 9] = rng.choice([6, 17, 4, 41, 47, 1])
            else:
                d[v.ip + 6] = rng.choice([6, 17, 0, 43, 44, 58])
        else:              # SYN+data, FIN+data
            d[t + 13] |= rng.choice([0x02, 0x01, 0x04])
        p.data = bytes(d)
        pkts[k] = p
    return pkts


def m_split(rng, pkts):
    out = []
    for p in pkts:
        v = pcapio.tcp_view(p)
        payload_len = v.ip_end - v.payload if v else 0
        if v is None or payload_len < 2 or len(p.data) < p.orig_len or rng.random() < 0.5:
            out.append(p)
            continue
        header = bytearray(p.data[v.tcp:v.payload])
        payload = p.data[v.payload:v.ip_end]
        seq = int.from_bytes(header[4:8], "big")
        cuts = sorted(set([0, payload_len] + [rng.randrange(1, payload_len)
                                              for _ in range(rng.randrange(1, 4))]))
        pieces = []
        for a, b in zip(cuts, cuts[1:]):
            h = bytearray(header)
            h[4:8] = ((seq + a) & 0xFFFFFFFF).to_bytes(4, "big")
            piece = pcapio.set_ip_payload(p, v, bytes(h) + payload[a:b])
            piece.ts = p.ts
            pieces.append(piece)
        if rng.random() < 0.4:
            rng.shuffle(pieces)
        out.extend(pieces)
    return out


def m_payload(rng, pkts):
    rate = rng.choice([0.1, 0.3, 1.0])
    for p in pkts:
        v = pcapio.tcp_view(p)
        if v is None or v.ip_end <= v.payload or rng.random() > rate:
            continue
        d = bytearray(p.data)
        n = v.ip_end - v.payload
        for _ in range(rng.randrange(1, 4)):
            # Mostly the first bytes of the segment: TLS record and
            # handshake headers (type, version, length, msg type, length).
            off = v.payload + (rng.randrange(min(n, 12)) if rng.random() < 0.7 else rng.randrange(n))
            d[off] = rng.choice([0x00, 0x01, 0x02, 0x03, 0x04, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19,
                                 0x40, 0x47, 0x80, 0xFF, rng.randrange(256)])
        p.data = bytes(d)
    return pkts


RECORD_MUTATORS = {
    "reorder": m_reorder, "duplicate": m_duplicate, "drop": m_drop,
    "timestamps": m_timestamps, "tcpfields": m_tcpfields, "split": m_split,
    "payload": m_payload,
}


# ---- building one case ----

class Case:
    def __init__(self, index, base, kind, path, detail, keylog):
        self.index = index
        self.base = base
        self.kind = kind
        self.path = path
        self.detail = detail
        self.keylog = keylog


def make_case(seed, index, files, kinds, workdir):
    rng = random.Random("%s:%d" % (seed, index))
    names, weights = zip(*[(k, KINDS[k]) for k in kinds])
    kind = rng.choices(names, weights)[0]
    base = rng.choice(files)
    keylog = keylog_of(base)
    ext = os.path.splitext(base)[1]
    out = os.path.join(workdir, "case%06d-%s-%s%s" % (index, kind,
                                                     os.path.splitext(os.path.basename(base))[0],
                                                     ext))
    detail = ""
    if kind == "editcap_E":
        rate = rng.choice(["0.001", "0.01", "0.05", "0.2"])
        eseed = rng.randrange(1 << 31)
        skip = rng.choice([0, 0, 14, 34, 54])
        cmd = ["editcap", "-E", rate, "--seed", str(eseed)] + (["-o", str(skip)] if skip else [])
        if run(cmd + [base, out]).returncode == 0:
            detail = " ".join(cmd[1:])
        else:
            # editcap cannot write some files back (pcapng with injected
            # secrets): the same kind of errors, by hand.
            erng = random.Random(eseed)
            cap = pcapio.read(base)
            for p in cap.packets():
                d = bytearray(p.data)
                for k in range(skip, len(d)):
                    if erng.random() < float(rate):
                        d[k] = erng.randrange(256)
                p.data = bytes(d)
            pcapio.write(cap, out)
            detail = "byte errors %s from %d (python, seed %d)" % (rate, skip, eseed)
    elif kind == "snaplen":
        snap = rng.choice([54, 64, 128, rng.randrange(14, 200)])
        if run(["editcap", "-s", str(snap), base, out]).returncode == 0:
            detail = "editcap -s %d" % snap
        else:
            cap = pcapio.read(base)
            for p in cap.packets():
                p.data = p.data[:snap]
            pcapio.write(cap, out)
            detail = "snaplen %d (python)" % snap
    elif kind == "cut":
        raw = open(base, "rb").read()
        at = rng.randrange(len(raw))
        with open(out, "wb") as f:
            f.write(raw[:at])
        detail = "cut at byte %d of %d" % (at, len(raw))
    elif kind == "flip":
        raw = bytearray(open(base, "rb").read())
        n = rng.choice([1, 2, 4, 16, 64])
        for _ in range(n):
            raw[rng.randrange(len(raw))] = rng.randrange(256)
        with open(out, "wb") as f:
            f.write(raw)
        detail = "%d random bytes of the file" % n
    elif kind in RECORD_KINDS:
        cap = pcapio.read(base)
        pkts = [p.copy() for p in cap.packets()]
        chain = [kind] + [rng.choice(RECORD_KINDS) for _ in range(rng.choice([0, 0, 1, 2]))]
        for k in chain:
            pkts = RECORD_MUTATORS[k](rng, pkts)
        cap.set_packets(pkts)
        pcapio.write(cap, out)
        detail = "+".join(chain)
    elif kind == "merge":
        other = base if rng.random() < 0.5 else rng.choice(files)
        shifted = os.path.join(workdir, "shift%06d%s" % (index, os.path.splitext(other)[1]))
        shift = rng.choice(["0.000001", "0.001", "0.5", "-0.01", "3600"])
        merge = ["mergecap", "-F", "pcapng", "-w", out.replace(ext, ".pcapng"), base, shifted]
        if rng.random() < 0.3:
            merge.insert(1, "-a")
        if (run(["editcap", "-t", shift, other, shifted]).returncode == 0 and
                run(merge).returncode == 0):
            out = out.replace(ext, ".pcapng")
            detail = "%s with %s shifted %s s" % ("concatenated" if "-a" in merge else "merged",
                                                    os.path.basename(other), shift)
            if keylog is None:
                keylog = keylog_of(other)
        else:
            # editcap and mergecap cannot write some files back (pcapng
            # with injected secrets): the capture followed by itself again,
            # later by 1000 time units, in python.
            cap = pcapio.read(base)
            pkts = [p.copy() for p in cap.packets()]
            last = max([p.ts for p in pkts] or [0])
            again = [p.copy() for p in pkts]
            for p in again:
                p.ts = p.ts - pkts[0].ts + last + 1000
            cap.set_packets(pkts + again)
            pcapio.write(cap, out)
            detail = "followed by itself (python)"
        if os.path.exists(shifted):
            os.unlink(shifted)
    elif kind == "randpkt":
        rtype = rng.choice(["tcp", "tcp", "tcp", "ip", "ipv6", "eth", "tds", "giop", "bgp"])
        count = rng.choice([10, 100, 500])
        out = os.path.join(workdir, "case%06d-randpkt-%s.pcap" % (index, rtype))
        run(["randpkt", "-b", str(rng.choice([100, 200, 1500])), "-c", str(count), "-t", rtype,
             out], check=True)
        base, keylog = "randpkt", None
        detail = "randpkt -t %s -c %d (unseeded)" % (rtype, count)
    elif kind == "synth":
        cap = synth.generate(rng)
        out = os.path.join(workdir, "case%06d-synth.%s" % (index, cap.fmt))
        pcapio.write(cap, out)
        base, keylog = "synth", None
        detail = "synth.generate"
    return Case(index, base, kind, out, detail, keylog)


# ---- running tshark ----

class Runner:
    """Runs tshark the way tests/tshark/run-tshark does (as nobody when
    root, with a private plugin folder that mirrors the system one minus any
    installed tcpphase.so, plus the build's copy), but sets the folder up
    once per worker instead of once per run: run-tshark starts a second
    tshark (-G folders) every time, which would double the cost of a case.
    --via-run-tshark uses run-tshark itself."""

    def __init__(self, stage, env, via_run_tshark):
        self.stage = stage
        self.env = env
        self.via_run_tshark = via_run_tshark
        self.local = threading.local()
        self.homes = []
        self.lock = threading.Lock()
        self.root = os.getuid() == 0
        self.system_plugins = None

    def _home(self):
        home = getattr(self.local, "home", None)
        if home is not None:
            return home
        with self.lock:
            if self.system_plugins is None:
                out = run(["tshark", "-G", "folders"], env=self.env).stdout.decode()
                self.system_plugins = next(l.split(":", 1)[1].strip() for l in out.splitlines()
                                           if l.startswith("Global Plugins:"))
        home = tempfile.mkdtemp(prefix="tcpphase-fuzz-home.")
        abi = os.path.basename(self.system_plugins)
        for kind in sorted(os.listdir(self.system_plugins)):
            src = os.path.join(self.system_plugins, kind)
            dst = os.path.join(home, "plugins", abi, kind)
            os.makedirs(dst, exist_ok=True)
            for f in sorted(os.listdir(src)):
                if f != "tcpphase.so":
                    os.symlink(os.path.join(src, f), os.path.join(dst, f))
        os.makedirs(os.path.join(home, "plugins", abi, "epan"), exist_ok=True)
        shutil.copy(os.path.join(self.stage, abi, "epan", "tcpphase.so"),
                    os.path.join(home, "plugins", abi, "epan"))
        os.makedirs(os.path.join(home, "files"))
        if self.root:
            for d, dirs, files in os.walk(home):
                for name in [d] + [os.path.join(d, x) for x in dirs + files]:
                    os.lchown(name, 65534, 65534)
            os.chmod(home, 0o755)
        with self.lock:
            self.homes.append(home)
        self.local.home = home
        return home

    def command(self, args):
        """The command line for tshark args; files in args must already be
        where tshark can read them (see place)."""
        if self.via_run_tshark:
            return [RUN_TSHARK, self.stage] + args
        home = self._home()
        cmd = ["env", "HOME=" + home, "XDG_CONFIG_HOME=" + os.path.join(home, ".config"),
               "WIRESHARK_PLUGIN_DIR=" + os.path.join(home, "plugins"), "tshark"] + args
        if self.root:
            cmd = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"] + cmd
        return cmd

    def place(self, path):
        """A copy of path that tshark (nobody) can read; run-tshark copies
        by itself."""
        if self.via_run_tshark:
            return path
        dst = os.path.join(self._home(), "files", os.path.basename(path))
        shutil.copy(path, dst)
        os.chmod(dst, 0o644)
        return dst

    def cleanup(self):
        for home in self.homes:
            shutil.rmtree(home, ignore_errors=True)


def tshark_args(taps, case, runner):
    args = ["-2", "-V"]
    for tap in taps:
        args += ["-z", tap]
    placed = [runner.place(case.path)]
    if case.keylog:
        placed.append(runner.place(case.keylog))
        args += ["-o", "tls.keylog_file:" + placed[-1]]
    return args + ["-r", placed[0]], placed


def replay_args(taps, case, path):
    args = ["-2", "-V"]
    for tap in taps:
        args += ["-z", tap]
    if case.keylog:
        args += ["-o", "tls.keylog_file:" + case.keylog]
    return args + ["-r", path]


def run_tshark(cmd, env, timeout):
    """(returncode or 'timeout', stdout, stderr); the whole process group is
    killed on timeout (tshark runs as nobody under setpriv)."""
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
                            start_new_session=True)
    try:
        out, err = proc.communicate(timeout=timeout)
        return proc.returncode, out, err
    except subprocess.TimeoutExpired:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        out, err = proc.communicate()
        return "timeout", out, err


def verdict(rc, out, err):
    """None when the run is fine, else a reason."""
    text = err.decode("utf-8", "replace")
    for marker in REPORT_MARKERS:
        if marker in text:
            line = next((l for l in text.splitlines() if marker in l), marker)
            return "sanitizer: " + line.strip()
    if rc == "timeout":
        return "timeout"
    if rc < 0:
        return "killed by signal %d" % -rc
    if rc == SANITIZER_EXIT:
        return "sanitizer exit code %d" % rc
    if rc not in (0, 2):
        return "exit status %d" % rc
    stdout = out.decode("utf-8", "replace")
    for marker in PLUGIN_EXCEPTION_MARKERS:
        if marker in stdout:
            line = next((l for l in stdout.splitlines() if marker in l), marker)
            return "exception in tcpphase: " + line.strip()
    for line in text.splitlines():
        if re.search(r"tcpphase(?!-(fuzz-)?home)", line, re.I):
            return "tcpphase on stderr: " + line.strip()
    return None


def signature(reason, err):
    """What identifies a failure's cause: the sanitizer's first line and the
    first tcpphase source frame (or the first frame) of its stack."""
    text = err.decode("utf-8", "replace")
    m = re.search(r"^(\S+:\d+):\d+: runtime error: (.+?)(?= -?\d|:|$)", text, re.M)
    if m:
        return "UBSan %s at %s" % (m.group(2).strip(), m.group(1).split("/plugin/")[-1])
    m = re.search(r"ERROR: (AddressSanitizer|LeakSanitizer): ([\w-]+)", text)
    if m:
        frames = re.findall(r"#\d+ 0x[0-9a-f]+ in (\S+) (\S*plugin/[^ \n]+)", text)
        if frames:
            where = "%s %s" % (frames[0][0], frames[0][1].split("/plugin/")[-1])
        elif "(<unknown module>)" in text:
            # Wireshark unloads plugins before LeakSanitizer runs at exit:
            # frames of tcpphase.so are then nameless (link the sanitizer
            # build with -Wl,-z,nodelete to keep them named).
            named = re.findall(r"#\d+ 0x[0-9a-f]+ in (\w+) ", text.split("(<unknown module>)")[0])
            callee = [f for f in named if not re.match(
                r"(__interceptor_|__vasprintf|g_malloc|g_realloc|g_strdup|g_slice|malloc|calloc)", f)]
            where = "an unloaded module (tcpphase.so?) via %s" % (callee[0] if callee else "?")
        else:
            where = "no plugin frame"
        return "%s %s at %s" % (m.group(1), m.group(2), where)
    return reason.split(":")[0]


def full_stack_rerun(cmd, env, timeout):
    """A LeakSanitizer report again with the slow unwinder: the fast one
    stops at the first frame without frame pointer (g_malloc), so the
    default report does not say who allocated."""
    env = dict(env)
    env["ASAN_OPTIONS"] = env.get("ASAN_OPTIONS", "") + ":fast_unwind_on_malloc=0"
    return run_tshark(cmd, env, timeout * 4)[2]


def sanitizer_env(no_asan):
    if no_asan or os.environ.get("TCPPHASE_ASAN_PRELOAD"):
        return dict(os.environ)
    out = subprocess.run(["bash", "-c", '. "$1" >&2 && env -0', "-",
                          os.path.join(HERE, "asan-env.sh")],
                         stdout=subprocess.PIPE, check=True).stdout
    return dict(item.split("=", 1) for item in out.decode().split("\0") if "=" in item)


def available_taps(runner):
    proc = subprocess.run(runner.command(["-z", "help"]), stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, env=runner.env)
    out = proc.stdout.decode("utf-8", "replace")
    listed = {l.strip() for l in out.splitlines()}
    taps = [t for t in ("tcpphase,tree", "tcpphase,conv", "tcpphase,csv", "tcpphase,ladder",
                        "tcpphase,explain", "tcpphase,writeup") if t in listed]
    return taps + ["expert"] if taps else ["expert"]


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--count", type=int, default=500, help="mutated files (default 500)")
    ap.add_argument("--seed", default="20240607", help="seed of the batch")
    ap.add_argument("--out", default=os.path.join(ROOT, "build-asan", "fuzz-failures"),
                    help="failing files are kept here")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--stage", default=os.path.join(ROOT, "build-asan", "stage", "plugins"),
                    help="the sanitizer build's stage/plugins folder")
    ap.add_argument("--tap", action="append", help="-z argument (repeatable); default: "
                    "tcpphase,tree/conv/csv/ladder/explain/writeup when tshark -z help lists "
                    "them, and expert")
    ap.add_argument("--replay", nargs="*", metavar="FILE",
                    help="run these captures unmutated instead (default with no FILE: "
                    "tests/fuzz/regressions/*.pcap*)")
    ap.add_argument("--timeout", type=float, default=60)
    ap.add_argument("--kinds", help="comma-separated subset of: " + ",".join(KINDS))
    ap.add_argument("--only", type=int, action="append", help="run only case N (repeatable)")
    ap.add_argument("--start", type=int, default=0, help="first case index")
    ap.add_argument("--keep-all", action="store_true", help="keep every mutated file in --out")
    ap.add_argument("--list", action="store_true", help="list the cases, do not run tshark")
    ap.add_argument("--no-asan", action="store_true",
                    help="do not source asan-env.sh (for a non-sanitizer --stage)")
    ap.add_argument("--via-run-tshark", action="store_true",
                    help="run each case through tests/tshark/run-tshark (slower)")
    ap.add_argument("--quiet", action="store_true", help="progress every 500 cases only")
    args = ap.parse_args(argv)

    kinds = args.kinds.split(",") if args.kinds else list(KINDS)
    for k in kinds:
        if k not in KINDS:
            ap.error("unknown kind %s" % k)
    # The stage holds <major.minor>/epan/ for the Wireshark it was built for.
    if not glob.glob(os.path.join(args.stage, "*", "epan", "tcpphase.so")):
        sys.exit("no tcpphase.so under %s (build with -DTCPPHASE_SANITIZE=ON)" % args.stage)
    files = captures()
    env = sanitizer_env(args.no_asan)
    runner = Runner(args.stage, env, args.via_run_tshark)
    taps = args.tap or available_taps(runner)
    replay = None
    if args.replay is not None:
        replay = args.replay or sorted(glob.glob(os.path.join(HERE, "regressions", "*.pcap*")))
        if not replay:
            sys.exit("nothing to replay")
    indices = list(range(len(replay))) if replay else \
        args.only or list(range(args.start, args.start + args.count))
    work = tempfile.mkdtemp(prefix="tcpphase-fuzz-")
    os.makedirs(args.out, exist_ok=True)
    print("fuzz: %d cases, seed %s, %d captures, taps %s, %d jobs, stage %s"
          % (len(indices), "-" if replay else args.seed, len(replay or files), " ".join(taps),
             args.jobs, args.stage), flush=True)

    lock = threading.Lock()
    stats = {"passed": 0, "failed": 0, "rc": {}, "kinds": {}, "signatures": {}}
    started = time.time()

    def one(index):
        try:
            if replay:
                path = os.path.join(work, os.path.basename(replay[index]))
                shutil.copy(replay[index], path)
                case = Case(index, replay[index], "replay", path, "unmutated",
                            keylog_of(replay[index]))
            else:
                case = make_case(args.seed, index, files, kinds, work)
        except Exception as e:      # a tool could not make this file: not a finding
            with lock:
                stats["generation_errors"] = stats.get("generation_errors", 0) + 1
                print("could not make case %d: %s" % (index, e), flush=True)
            return
        if args.list:
            with lock:
                print("%6d %-10s %-40s %s" % (index, case.kind, os.path.basename(case.base),
                                              case.detail), flush=True)
            os.unlink(case.path)
            return
        targs, placed = tshark_args(taps, case, runner)
        cmd = runner.command(targs)
        t0 = time.time()
        rc, out, err = run_tshark(cmd, env, args.timeout)
        reason = verdict(rc, out, err)
        if reason is not None and b"LeakSanitizer" in err:
            err = full_stack_rerun(cmd, env, args.timeout) or err
        for p in placed:
            if p != case.path and p != case.keylog:
                os.unlink(p)
        sig = signature(reason, err) if reason else None
        with lock:
            stats["rc"][rc] = stats["rc"].get(rc, 0) + 1
            stats["kinds"][case.kind] = stats["kinds"].get(case.kind, 0) + 1
            done = stats["passed"] + stats["failed"] + 1
            if reason is None:
                stats["passed"] += 1
            else:
                stats["failed"] += 1
                stats["signatures"].setdefault(sig, []).append(index)
                print("FAIL case %d (%s, %s: %s): %s [%s]" % (index, case.kind,
                      os.path.basename(case.base), case.detail, reason, sig), flush=True)
            if done % (500 if args.quiet else 50) == 0 or (reason and not args.quiet):
                print("  %d/%d done, %d failed, %.0f s" % (done, len(indices), stats["failed"],
                                                         time.time() - started), flush=True)
        if reason is not None or args.keep_all:
            kept = os.path.join(args.out, os.path.basename(case.path))
            shutil.copy(case.path, kept)
            if reason is not None:
                with open(kept + ".txt", "w") as f:
                    f.write("case %d seed %s kind %s base %s\n%s\nreason: %s\nsignature: %s\n"
                            "rebuild: %s --seed %s --only %d --keep-all\n"
                            "replay: %s\nexit: %s (%.1f s)\n--- stderr ---\n%s\n"
                            % (index, args.seed, case.kind, case.base, case.detail, reason, sig,
                               os.path.relpath(__file__, ROOT), args.seed, index,
                               " ".join([". tests/fuzz/asan-env.sh;", RUN_TSHARK, args.stage] +
                                        replay_args(taps, case, kept)),
                               rc, time.time() - t0,
                               err.decode("utf-8", "replace")[-20000:]))
        os.unlink(case.path)

    try:
        with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
            for fut in [pool.submit(one, i) for i in indices]:
                fut.result()
    finally:
        shutil.rmtree(work, ignore_errors=True)
        runner.cleanup()
    if args.list:
        return 0
    elapsed = time.time() - started
    print("kinds: " + ", ".join("%s %d" % kv for kv in sorted(stats["kinds"].items())))
    print("exit statuses: " + ", ".join("%s: %d" % (k, v) for k, v in
                                        sorted(stats["rc"].items(), key=lambda kv: str(kv[0]))))
    for sig, cases in sorted(stats["signatures"].items(), key=lambda kv: -len(kv[1])):
        print("failure: %d x %s (cases %s%s)" % (len(cases), sig,
              " ".join(map(str, sorted(cases)[:10])), " ..." if len(cases) > 10 else ""))
    print("%.0f s, %.2f s per file" % (elapsed, elapsed / max(1, len(indices))))
    if stats.get("generation_errors"):
        print("%d cases could not be generated (not counted)" % stats["generation_errors"])
    print("%d passed, %d failed" % (stats["passed"], stats["failed"]))
    return 0 if stats["failed"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
