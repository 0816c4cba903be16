#!/usr/bin/env python3
"""report.py OUT_DIR: the Markdown results of bench/run.

Reads OUT_DIR/meta.txt, OUT_DIR/json/*.json (hyperfine --export-json) and
OUT_DIR/rss/*.txt (/usr/bin/time -v) and prints the tables with the
plugin/baseline ratios and the verdict for each target.
"""
import json
import math
import os
import re
import statistics
import sys

OUT = sys.argv[1]

# targets: ratio limits, plugin / baseline
T_ONEPASS = 1.10
T_TWOPASS = 1.25
T_UNUSED = 1.02
T_RSS = 1.15
T_GROWTH = 0.05   # growth exponent 250k -> 1M (1.0 = linear): tcpphase's may
                  # exceed tshark's own (the baseline's) by at most this


def meta():
    m = {}
    with open(os.path.join(OUT, "meta.txt")) as f:
        for line in f:
            k, _, v = line.rstrip("\n").partition("=")
            m[k] = v
    return m


def hyperfine(name):
    """merges the rounds json/NAME.roundI.json into json/NAME.json: one
    result per command with the times, user and system of every run"""
    merged = {}
    order = []
    i = 1
    while os.path.exists(os.path.join(OUT, "json", "%s.round%d.json" % (name, i))):
        with open(os.path.join(OUT, "json", "%s.round%d.json" % (name, i))) as f:
            for r in json.load(f)["results"]:
                m = merged.get(r["command"])
                if m is None:
                    m = merged[r["command"]] = {"command": r["command"], "times": [],
                                                "user_times": [], "system_times": []}
                    order.append(r["command"])
                m["times"] += r["times"]
                m["user_times"].append(r["user"])
                m["system_times"].append(r["system"])
        i += 1
    results = []
    for c in order:
        m = merged[c]
        t = m["times"]
        m.update(mean=statistics.mean(t), median=statistics.median(t), min=min(t), max=max(t),
                 stddev=statistics.stdev(t) if len(t) > 1 else 0.0,
                 user=statistics.mean(m["user_times"]), system=statistics.mean(m["system_times"]))
        results.append(m)
    with open(os.path.join(OUT, "json", name + ".json"), "w") as f:
        json.dump({"results": results}, f, indent=1)
    return results


def rss_kib(name, i):
    path = os.path.join(OUT, "rss", "%s.%d.txt" % (name, i))
    if not os.path.exists(path):
        return float("nan")
    with open(path) as f:
        m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", f.read())
    return int(m.group(1)) if m else float("nan")


class Side:
    def __init__(self, res, rss):
        t = res["times"]
        self.times = t
        self.median = statistics.median(t)
        self.min = min(t)
        self.max = max(t)
        self.stddev = statistics.stdev(t) if len(t) > 1 else 0.0
        self.n = len(t)
        self.cpu = statistics.median(u + s for u, s in zip(res["user_times"], res["system_times"]))
        self.command = res["command"]
        self.rss = rss

    def cell(self):
        if self.n == 1:
            return "%.2f s (1 run)" % self.median
        return "%.2f s [%.2f–%.2f]" % (self.median, self.min, self.max)


def pair(name):
    res = hyperfine(name)
    with open(os.path.join(OUT, "json", name + ".commands")) as f:
        cmds = f.read().splitlines()
    sides = [Side(r, rss_kib(name, i)) for i, r in enumerate(res)]
    for s, c in zip(sides, cmds):
        s.command = c
    return sides


def ratio(b, p):
    r = p.median / b.median
    if b.n > 1 and p.n > 1:
        return r, p.min / b.max, p.max / b.min
    return r, r, r


def fmt_ratio(r):
    m, lo, hi = r
    if lo == hi:
        return "%.3f" % m
    return "%.3f (%.2f–%.2f)" % (m, lo, hi)


def mib(k):
    if math.isnan(k):
        return "n/a"
    return "%.0f MiB" % (k / 1024.0)


def verdict(value, limit):
    return "met" if value <= limit else "**missed**"


def tverdict(r, limit):
    """a time ratio (median, worst, best): resolved only when the spread
    of the runs does not cross the limit"""
    m, lo, hi = r
    if hi <= limit:
        return "met"
    if lo > limit:
        return "**missed**"
    return "not resolved by the noise (median: %s)" % ("met" if m <= limit else "missed")


def short(cmd, m):
    """the command as a reader would type it"""
    cmd = re.sub(r"\S*/bench/tshark-env run \S*/env-without", "tshark[without]", cmd)
    cmd = re.sub(r"\S*/bench/tshark-env run \S*/env-with", "tshark[with]", cmd)
    cmd = re.sub(r"\S*/(big[^ ]*\.pcap(ng)?)", r"\1", cmd)
    return cmd.replace(" >/dev/null", " > /dev/null")


def main():
    m = meta()
    quick = m.get("mode") == "quick"
    rows = {n: pair(n) for n in ("onepass", "twopass", "unused", "fields",
                                 "growth250", "growth500")}
    b1 = rows["onepass"][0]
    tcptrace = pair("tcptrace")[0]
    n1 = int(m["n_big"])
    n250 = int(m["n_250"])
    n500 = int(m["n_500"])

    out = []
    w = out.append
    w("# tcpphase benchmark results")
    w("")
    if quick:
        w("**Quick mode**: a tiny capture and %s run(s) per command; this only "
          "proves that the benchmark works. The numbers mean nothing." % m["runs"])
        w("")
    if m.get("standin") == "yes":
        w("**Stand-in**: this build has no `-z tcpphase,conv`; the plugin side "
          "ran `%s` instead. These are NOT the numbers of the targets." % m["tap_args"])
        w("")
    w("Machine: %s CPUs (`nproc`), %s, %s RAM, %s, %s; %s, %s, tcptrace %s." % (
        m["nproc"], m["cpu"], m["mem"], m["kernel"], m["os"], m["tshark"],
        m["hyperfine"], m["tcptrace"]))
    w("")
    w("Capture: %s." % m["big"])
    w("")
    try:
        with open(m["capture_info_file"]) as f:
            for line in f:
                w("- " + line.strip().rstrip(";"))
    except OSError:
        pass
    w("")
    w("Plugin: commit %s (sources sha1 %s). %s hyperfine run(s) per command after %s warm-up run(s); "
      "the runs of baseline and plugin alternate; "
      "time = median [min–max] wall clock; time ratio = plugin median / baseline median "
      "(in brackets: worst and best case from min/max); CPU time ratio = the same for the "
      "medians of user+system time; peak RSS from one more run "
      "under `/usr/bin/time -v`. Baseline and plugin run through `bench/tshark-env` "
      "as the same user with the same plugin folder, differing only in `tcpphase.so`. "
      "Measured %s, %s s in all; load average %s." % (m["plugin_commit"], m["plugin_sources"], m["runs"], m["warmup"],
                                     m["date"], m["elapsed"], m.get("load", "?")))
    w("")
    w("| case | baseline | tcpphase | time ratio | CPU time ratio | baseline peak RSS | tcpphase peak RSS | RSS ratio |")
    w("|---|---|---|---|---|---|---|---|")
    labels = {
        "onepass": "one pass: `-z conv,tcp` vs `%s`" % m["tap_args"],
        "twopass": "`-2`: `-z conv,tcp` vs `%s`" % m["tap_args"],
        "unused": "plugin installed, unused: `-z conv,tcp` without vs with",
        "fields": "`-T fields`: `tcp.flags, tls.handshake.type` vs `tcpphase.phase, tcpphase.tls.stage`",
    }
    for name in ("onepass", "twopass", "unused", "fields"):
        b, p = rows[name]
        w("| %s | %s | %s | %s | %.3f | %s | %s | %.3f |" % (
            labels[name], b.cell(), p.cell(), fmt_ratio(ratio(b, p)), p.cpu / b.cpu,
            mib(b.rss), mib(p.rss), p.rss / b.rss))
    w("| external peer: `tcptrace -n big.pcap` (ratios to one-pass `-z conv,tcp`) | | %s | %.3f | %.3f | | %s | %.3f |" % (
        tcptrace.cell(), tcptrace.median / b1.median, tcptrace.cpu / b1.cpu, mib(tcptrace.rss),
        tcptrace.rss / b1.rss))
    w("")

    # growth
    sizes = [("250k", n250, rows["growth250"]), ("500k", n500, rows["growth500"]),
             ("1M", n1, rows["onepass"])]
    w("Growth, one pass, `-z conv,tcp` (baseline) vs `%s` (tcpphase):" % m["tap_args"])
    w("")
    w("| prefix | packets | baseline | tcpphase | time ratio | baseline µs/packet | tcpphase µs/packet | baseline peak RSS | tcpphase peak RSS | RSS ratio |")
    w("|---|---|---|---|---|---|---|---|---|---|")
    for label, n, (b, p) in sizes:
        w("| %s | %d | %s | %s | %.3f | %.2f | %.2f | %s | %s | %.3f |" % (
            label, n, b.cell(), p.cell(), p.median / b.median,
            1e6 * b.median / n, 1e6 * p.median / n, mib(b.rss), mib(p.rss), p.rss / b.rss))
    w("")

    def exponent(a, b, na, nb):
        return math.log(b / a) / math.log(nb / na)

    _, _, (b250, p250) = sizes[0]
    _, _, (b1m, p1m) = sizes[2]
    g_tb = exponent(b250.median, b1m.median, n250, n1)
    g_tp = exponent(p250.median, p1m.median, n250, n1)
    g_rb = exponent(b250.rss, b1m.rss, n250, n1)
    g_rp = exponent(p250.rss, p1m.rss, n250, n1)
    # memory the plugin adds, per packet, at each size
    extra = ["%s: %.0f B" % (label, 1024.0 * (p.rss - b.rss) / n) for label, n, (b, p) in sizes]
    w("Growth exponent from 250k to 1M packets (log(value at 1M / value at 250k) / "
      "log(packets ratio); 1.00 = linear): time %.2f baseline, %.2f tcpphase; "
      "peak RSS %.2f baseline, %.2f tcpphase. Peak RSS tcpphase adds per packet: %s." % (
          g_tb, g_tp, g_rb, g_rp, ", ".join(extra)))
    w("")

    # targets
    r1f = ratio(*rows["onepass"])
    r2f = ratio(*rows["twopass"])
    ruf = ratio(*rows["unused"])
    r1, r2, ru = r1f[0], r2f[0], ruf[0]
    rss = {n: rows[n][1].rss / rows[n][0].rss for n in ("onepass", "twopass", "unused")}
    worst_rss = max(rss.values())
    w("| target | limit | measured | verdict |")
    w("|---|---|---|---|")
    w("| one pass: tcpphase,conv / conv,tcp | <= %.2fx | %s | %s |" % (T_ONEPASS, fmt_ratio(r1f), tverdict(r1f, T_ONEPASS)))
    w("| `-2`: tcpphase,conv / conv,tcp | <= %.2fx | %s | %s |" % (T_TWOPASS, fmt_ratio(r2f), tverdict(r2f, T_TWOPASS)))
    w("| plugin installed but unused | <= %.2fx | %s | %s |" % (T_UNUSED, fmt_ratio(ruf), tverdict(ruf, T_UNUSED)))
    w("| peak RSS (worst of one pass %.3f, `-2` %.3f, unused %.3f) | <= %.2fx | %.3fx | %s |" % (
        rss["onepass"], rss["twopass"], rss["unused"], T_RSS, worst_rss, verdict(worst_rss, T_RSS)))
    g = max(g_tp - g_tb, g_rp - g_rb)
    spread = max(x.max / x.min for _, _, pr in sizes for x in pr if x.n > 1) if b1.n > 1 else 1.0
    gv = verdict(g, T_GROWTH)
    if spread > 1.25:
        gv = "RSS %s; time not resolved by the noise (runs vary up to %.1fx)" % (
            verdict(g_rp - g_rb, T_GROWTH), spread)
    w("| linear growth: tcpphase's growth exponent (250k → 1M) minus the baseline's | <= +%.2f | "
      "time %+.2f (%.2f vs %.2f), RSS %+.2f (%.2f vs %.2f) | %s |" % (
        T_GROWTH, g_tp - g_tb, g_tp, g_tb, g_rp - g_rb, g_rp, g_rb, gv))
    w("")
    w("Commands (`tshark[with]` = `bench/tshark-env run bench/out/env-with`, "
      "`tshark[without]` = `bench/tshark-env run bench/out/env-without`; as nobody when run by root):")
    w("")
    for name in ("onepass", "twopass", "unused", "fields", "growth250", "growth500"):
        b, p = rows[name]
        w("- %s: `%s` vs `%s`" % (name, short(b.command, m), short(p.command, m)))
    w("- tcptrace: `%s`" % short(tcptrace.command, m))
    print("\n".join(out))


main()
