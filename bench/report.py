# SPDX-License-Identifier: ISC
"""bench/run's table: the rows issue 6 asks for, its targets next to the
figures, and the markdown and JSON files a later run compares with."""
import json

from benchlib import summary

COLS = ["ssh->sshd", "adit->sshd", "ssh->aditd", "adit->aditd", "floor"]
OPENSSH = "ssh->sshd"


def _ge(col, k, ref):
    return lambda m: _cmp(m, col, ref, lambda a, b: a >= k * b)


def _le(col, k, ref):
    return lambda m: _cmp(m, col, ref, lambda a, b: a <= k * b)


def _cmp(m, col, ref, op):
    a, b = m.get(col), m.get(ref) if isinstance(ref, str) else ref
    if a is None or b is None:
        return None
    return op(a, b)


def _all(*checks):
    def check(m):
        got = [c(m) for c in checks]
        return None if None in got else all(got)
    return check


AA = "adit->aditd"


def _bulk_rows():
    rows = []
    for d, what in (("L", "-L"), ("R", "-R")):
        for c in ("aes128-gcm", "chacha20-poly1305"):
            no_slower = [_ge("adit->sshd", 1, OPENSSH),
                         _ge("ssh->aditd", 1, OPENSSH)]
            if c == "aes128-gcm":
                mbs_t, mbs_c = "adit->sshd, ssh->aditd >= ssh->sshd", \
                    _all(*no_slower)
                cpu_t, cpu_c = "adit->aditd <= 1.1 x floor", \
                    _le(AA, 1.1, "floor")
            else:
                mbs_t = "adit->aditd >= 1.8 x ssh->sshd; others >= ssh->sshd"
                mbs_c = _all(_ge(AA, 1.8, OPENSSH), *no_slower)
                cpu_t, cpu_c = "adit->aditd <= 0.5 x ssh->sshd", \
                    _le(AA, 0.5, OPENSSH)
            rows.append(("bulk.%s.%s.mbs" % (d, c), "1 bulk %s %s" % (what, c),
                         "MB/s", mbs_t, mbs_c, AA))
            rows.append(("bulk.%s.%s.cpu" % (d, c),
                         "1 bulk %s %s CPU" % (what, c), "s/GB", cpu_t,
                         cpu_c, AA))
            rows.append(("bulk.%s.%s.floor" % (d, c),
                         "1 bulk %s %s CPU floor: relay + 2 cipher passes"
                         % (what, c), "s/GB",
                         "(openssl speed -evp, 16 KiB: the physical floor)",
                         None, "floor"))
    return rows


def _short_rows():
    rows = []
    for d, what in (("L", "-L"), ("D", "-D")):
        for c, at in (("c1", "1 at a time"), ("c50", "50 at once")):
            rid = "short.%s.%s" % (d, c)
            rows.append((rid + ".rate", "3 short %s %s" % (what, at),
                         "conn/s", "adit->aditd >= 1.5 x ssh->sshd",
                         _ge(AA, 1.5, OPENSSH), AA))
            p50_t, p50_c = ("<= 0.25 ms", _le(AA, 1, 0.25)) if c == "c1" \
                else ("", None)
            rows.append((rid + ".p50", "3 short %s %s p50" % (what, at),
                         "ms", p50_t, p50_c, AA))
            rows.append((rid + ".p99", "3 short %s %s p99" % (what, at),
                         "ms", "", None, AA))
            rows.append((rid + ".cpu", "3 short %s %s CPU" % (what, at),
                         "us/conn", "(client+server)", None, AA))
    for c, at in (("c1", "1 at a time"), ("c50", "50 at once")):
        rows.append(("short.direct.%s.rate" % c,
                     "3 load generator direct, %s" % at, "conn/s",
                     "(the tool's own ceiling, floor column)", None,
                     "floor"))
        rows.append(("short.direct.%s.p50" % c,
                     "3 load generator direct, %s p50" % at, "ms", "", None,
                     "floor"))
    return rows


def _idle_rows(ns):
    rows = []
    for n in ns:
        p = "idle.%d." % n
        rows += [
            (p + "opened", "4 idle %d: connections open" % n, "count",
             "all %d (adit->aditd)" % n, _ge(AA, 1, float(n)), AA),
            (p + "cli_kb", "4 idle %d: client private mem per conn" % n, "KiB",
             "<= 4 KB", _le(AA, 1, 4.0), AA),
            (p + "srv_kb", "4 idle %d: server private mem per conn" % n, "KiB",
             "<= 4 KB", _le(AA, 1, 4.0), AA),
            (p + "echo_p50", "4 idle %d: echo p50 while held" % n, "ms",
             "< 1 ms", _le(AA, 1, 0.999), AA),
            (p + "open_s", "4 idle %d: time to open all" % n, "s", "", None,
             AA),
        ]
    return rows


def _hs_rows(ns):
    rows = []
    for n in ns:
        p = "hs.%d." % n
        rows += [
            (p + "held", "5 server, %d -R clients: held" % n, "count",
             "%d (adit->aditd)" % n, _ge(AA, 1, float(n)), AA),
            (p + "srv_kb", "5 server, %d clients: private mem per conn" % n, "KiB",
             "<= 32 KB", _le(AA, 1, 32.0), AA),
            (p + "rate", "5 server, %d clients: handshakes/s" % n, "1/s",
             "", None, AA),
            (p + "cpu_ms", "5 server, %d clients: server CPU/handshake" % n,
             "ms", "<= 2 ms", _le(AA, 1, 2.0), AA),
            (p + "fdconnect_ms",
             "5 server, %d held: connect to working -R" % n, "ms",
             "<= 10 ms", _le(AA, 1, 10.0), AA),
            (p + "connect_ms", "5 server, %d held: spawn to working -R" % n,
             "ms", "", None, AA),
            (p + "startup_ms", "5 client start-up alone (-G; in the above)",
             "ms", "", None, AA),
        ]
    return rows


def row_specs(opts):
    frozen = opts["rec_interval"] * opts["rec_count"] + 0.2
    return (_bulk_rows() + [
        ("delay.%s.aes128-gcm.mbs" % d,
         "2 delay 50 ms each way, %s aes128-gcm" % w, "MB/s",
         "adit->aditd >= 5 x ssh->sshd", _ge(AA, 5, OPENSSH), AA)
        for d, w in (("L", "-L"), ("R", "-R"))] + _short_rows() +
        _idle_rows(opts["idle_n"]) + _hs_rows(opts["hs_n"]) + [
        ("rec.session", "6 recovery, server session killed (autossh; "
         "adit -r)", "s", "<= 0.05 s", _le("adit->sshd", 1, 0.05),
         "adit->sshd"),
        ("rec.killed", "6 recovery, whole sshd killed and restarted", "s",
         "", None, "adit->sshd"),
        ("rec.restart", "6 sshd kill and restart to banner (in killed)",
         "s", "", None, "floor"),
        ("rec.aditd", "6 recovery, whole aditd killed and restarted "
         "(adit -r)", "s", "<= 0.05 s", _le(AA, 1, 0.05), AA),
        ("rec.frozen", "6 recovery, server frozen (%ds x %d)" % (
            opts["rec_interval"], opts["rec_count"]), "s",
         "<= %.1f s" % frozen, _le("adit->sshd", 1, frozen), "adit->sshd"),
    ])


class Table:
    """Raw runs per (row, column), then medians, ratios and targets."""

    def __init__(self, opts):
        self.specs = row_specs(opts)
        self.runs = {}
        self.extras = {}
        self.notes = []

    def add(self, rid, col, value):
        self.runs.setdefault(rid, {}).setdefault(col, []).append(value)

    def extra(self, key, col, res):
        self.extras.setdefault(key, {}).setdefault(col, []).append(res)

    def note(self, text):
        self.notes.append(text)

    def rows(self):
        out = []
        for rid, label, unit, target, check, adit_col in self.specs:
            cells = {c: summary(v) for c, v in self.runs.get(rid, {}).items()}
            med = {c: s["median"] for c, s in cells.items()}
            ratio = None
            if med.get(adit_col) is not None and med.get(OPENSSH) and \
                    unit != "count":
                ratio = med[adit_col] / med[OPENSSH]
            met = check(med) if check else None
            out.append({"id": rid, "label": label, "unit": unit,
                        "cells": cells, "ratio": ratio, "target": target,
                        "met": met})
        return out

    def to_json(self, meta):
        return {"meta": meta, "columns": COLS, "rows": self.rows(),
                "details": self.extras, "notes": self.notes}


def fmt(v):
    if v is None:
        return "-"
    a = abs(v)
    if a >= 100:
        return "%.0f" % v
    if a >= 10:
        return "%.1f" % v
    if a >= 1:
        return "%.2f" % v
    return "%.3f" % v


def cell(s):
    if not s or s["median"] is None:
        return "failed" if s and s["runs"] else ""
    if len(s["runs"]) == 1:
        return fmt(s["median"])
    bad = sum(1 for r in s["runs"] if r is None)
    return "%s [%s-%s]%s" % (fmt(s["median"]), fmt(s["min"]),
                             fmt(s["max"]), " (%d failed)" % bad if bad
                             else "")


def markdown(doc):
    meta = doc["meta"]
    lines = ["# adit bench %s (%s)" % (meta["date"], meta["mode"]), "",
             "%s; %s. Cells: median [min-max] of the runs; ratio is adit "
             "(adit->aditd, or adit->sshd for recovery) over ssh->sshd."
             % (meta["machine"], meta["sizes"]), "",
             "| figure | unit | " + " | ".join(COLS) +
             " | adit/OpenSSH | target | met |",
             "|---|---|" + "---|" * (len(COLS) + 3)]
    for r in doc["rows"]:
        met = {True: "yes", False: "NO", None: ""}[r["met"]]
        lines.append("| %s | %s | %s | %s | %s | %s |" % (
            r["label"], r["unit"],
            " | ".join(cell(r["cells"].get(c)) for c in COLS),
            fmt(r["ratio"]) + "x" if r["ratio"] is not None else "",
            r["target"], met))
    if doc["notes"]:
        lines += [""] + ["- " + n for n in doc["notes"]]
    return "\n".join(lines) + "\n"


def changes(prev, cur):
    """Lines comparing the medians of two runs' JSON, row by row, for
    ssh->sshd and adit->aditd (adit->sshd where that is adit's column)."""
    before = {r["id"]: r for r in prev["rows"]}
    out = ["change against %s (%s):" % (prev["meta"]["date"],
                                        prev["meta"]["mode"])]
    for r in cur["rows"]:
        old = before.get(r["id"])
        if old is None:
            continue
        parts = []
        for c in COLS:
            a = (old["cells"].get(c) or {}).get("median")
            b = (r["cells"].get(c) or {}).get("median")
            if a and b is not None:
                parts.append("%s %s -> %s (%+.0f%%)" % (c, fmt(a), fmt(b),
                                                       (b - a) / a * 100))
        if parts:
            out.append("  %-44s %s" % (r["label"], "; ".join(parts)))
    return out


def load(path):
    with open(path) as f:
        return json.load(f)
