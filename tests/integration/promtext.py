# SPDX-License-Identifier: ISC
"""The Prometheus text format as adit and aditd serve it, read strictly,
and a scrape with curl (a real HTTP client)."""
import re
import subprocess


METRIC_LINE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)$')
LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"(,|$)')


def parse_metrics(text):
    """The Prometheus text format, strictly: every sample's family has
    HELP and TYPE first, counters end in _total, values are numbers.
    Returns {(name, frozenset(labels)): value} and {name: type}."""
    types, helps, samples = {}, set(), {}
    for line in text.splitlines():
        if line.startswith("# HELP "):
            helps.add(line.split()[2])
            continue
        if line.startswith("# TYPE "):
            _, _, name, kind = line.split()
            assert kind in ("counter", "gauge"), line
            assert name in helps, "TYPE before HELP: " + line
            types[name] = kind
            continue
        m = METRIC_LINE.match(line)
        assert m, "not a sample line: %r" % line
        name, labels = m.group(1), {}
        assert name in types, "sample before its TYPE: " + line
        if types[name] == "counter":
            assert name.endswith("_total"), line
        if m.group(3):
            rest = m.group(3)
            while rest:
                lm = LABEL.match(rest)
                assert lm, "bad labels: " + line
                labels[lm.group(1)] = lm.group(2)
                rest = rest[lm.end():]
        samples[(name, frozenset(labels.items()))] = float(m.group(4))
    return samples, types


def scrape(port, path="/metrics", method="GET"):
    r = subprocess.run(["curl", "-s", "-i", "-X", method, "--max-time", "30",
                        "http://127.0.0.1:%d%s" % (port, path)],
                       capture_output=True, timeout=60)
    assert r.returncode == 0, r.stderr
    head, _, body = r.stdout.decode().partition("\r\n\r\n")
    return head, body


def metric(samples, name, **labels):
    return samples[(name, frozenset(labels.items()))]
