"""Shared helpers for the tshark-level tests: run the real tshark with the
freshly built plugin and read its fields."""

import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
RUN_TSHARK = os.path.join(HERE, "run-tshark")
EXPECTED = os.path.join(HERE, "expected")


def stage_dir():
    stage = os.environ.get("TCPPHASE_STAGE")
    if not stage:
        sys.exit("TCPPHASE_STAGE is not set (the build's stage/plugins folder)")
    return stage


def tshark(args, check=True, env=None):
    """Runs tshark with the plugin; returns stdout as text (line ends kept
    as tshark wrote them). env: variables to set for this run only."""
    run_env = None
    if env:
        run_env = dict(os.environ)
        run_env.update(env)
    proc = subprocess.run([RUN_TSHARK, stage_dir()] + list(args), env=run_env,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=600)
    if check and proc.returncode != 0:
        raise RuntimeError("tshark %s failed (%d): %s"
                           % (" ".join(args), proc.returncode,
                              proc.stderr.decode("utf-8", "replace")))
    return proc.stdout.decode("utf-8", "replace")


def without_leak_check():
    """Environment for a sanitizer run whose only leak is tshark's own: for
    a stat_tap_table given a filter (-z NAME,FILTER), tshark 4.0 copies the
    filter with g_strdup and never frees it, with or without this plugin
    (reproduce: -z dhcp,stat,frame with no plugins loaded). Only the leak
    check is off; ASan's memory error checks stay on. Outside a sanitizer
    run it changes nothing."""
    options = os.environ.get("ASAN_OPTIONS")
    if not options:
        return None
    return {"ASAN_OPTIONS": options + ":detect_leaks=0"}


def field_dicts(capture, names, extra=()):
    """Like fields(), one {field name: value} per packet (missing: "")."""
    return [dict(zip(names, r + [""] * (len(names) - len(r))))
            for r in fields(capture, names, extra)]


def stream_of(raw):
    """The packet's tcp.stream: the last TCP header's when it has several."""
    return raw.split(",")[-1] if raw else ""


def expectation_path(capture, kind):
    """tests/tshark/expected/<capture name>.<kind>.tsv"""
    name = os.path.splitext(os.path.basename(capture))[0]
    return os.path.join(EXPECTED, "%s.%s.tsv" % (name, kind))


def fields(capture, names, extra=()):
    """Rows of -T fields output, one list per packet (multiple occurrences
    of a field stay comma-separated)."""
    args = list(extra) + ["-r", capture, "-T", "fields", "-E", "occurrence=a",
                          "-E", "separator=\t"]
    for name in names:
        args += ["-e", name]
    out = tshark(args)
    return [line.split("\t") for line in out.splitlines()]


_VALUES = None


def value_labels():
    """{field: {number: label}} from tshark -G values: the labels users see."""
    global _VALUES
    if _VALUES is None:
        _VALUES = {}
        for line in tshark(["-G", "values"]).splitlines():
            parts = line.split("\t")
            if parts[0] == "V" and parts[1].startswith("tcpphase."):
                _VALUES.setdefault(parts[1], {})[str(int(parts[2], 0))] = parts[3]
    return _VALUES


# Where a Wireshark version prints something other than 4.0 does (the
# expectation files hold 4.0's form, the same for every version). Keep
# this list short and give each entry its reason:
#   - FT_BOOLEAN fields in -T fields: "1"/"0" on 4.0, "True"/"False" from
#     4.2 on (tshark prints booleans through their true/false strings).
def boolean(raw):
    """A boolean field's -T fields value in 4.0's form ("1"/"0")."""
    return {"True": "1", "False": "0"}.get(raw, raw)


def labelled(field, raw):
    """Turns tshark's number for a value_string field into its label."""
    if raw == "":
        return ""
    table = value_labels().get(field, {})
    return ",".join(table.get(str(int(v, 0)), "?" + v) for v in raw.split(","))


def read_tsv(path):
    with open(path, encoding="utf-8") as f:
        lines = [l.rstrip("\n") for l in f if l.strip() and not l.startswith("#")]
    header = lines[0].split("\t")
    return header, [l.split("\t") for l in lines[1:]]


def write_tsv(path, header, rows, comment=None):
    with open(path, "w", encoding="utf-8") as f:
        if comment:
            for line in comment.splitlines():
                f.write("# " + line + "\n")
        f.write("\t".join(header) + "\n")
        for row in rows:
            f.write("\t".join(row) + "\n")


class Report:
    """Counts assertions; prints failures and a closing summary line."""

    def __init__(self, name):
        self.name = name
        self.passed = 0
        self.failed = 0

    def check(self, cond, message):
        if cond:
            self.passed += 1
        else:
            self.failed += 1
            print("FAIL %s: %s" % (self.name, message))
        return cond

    def equal(self, actual, expected, message):
        return self.check(actual == expected, "%s\n  expected: %r\n  actual:   %r"
                          % (message, expected, actual))

    def rows(self, what, actual, expected):
        """Row lists equal, row by row (rows start with their frame)."""
        self.equal(len(actual), len(expected), "%s: number of rows" % what)
        for a, e in zip(actual, expected):
            self.equal(a, e, "%s: frame %s" % (what, e[0]))

    def finish(self):
        print("%d passed, %d failed" % (self.passed, self.failed))
        if self.passed == 0:
            print("FAIL %s: no assertion ran" % self.name)
            return 1
        return 0 if self.failed == 0 else 1


def capture_args(capture):
    """tshark options a capture needs: its key log when one lies next to it
    (captures/<name>.keys)."""
    keys = os.path.splitext(capture)[0] + ".keys"
    if os.path.exists(keys):
        return ["-o", "tls.keylog_file:" + keys]
    return []
