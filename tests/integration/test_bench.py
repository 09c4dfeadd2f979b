# SPDX-License-Identifier: ISC
"""bench/run --quick: every item of the benchmark runs end to end with
tiny sizes against real sshd, ssh and autossh (when installed), and its
markdown and JSON results parse and hold every row. No figure is judged
here (that is what bench/run's table is for)."""
import json
import os
import subprocess
import sys

from conftest import TOP

sys.path.insert(0, os.path.join(TOP, "bench"))

import report  # noqa: E402

BENCH_TIMEOUT = 600  # --quick takes about 30 s; a loaded ASan run, more


def test_quick_run_writes_every_row(bins, home, tmp_path):
    bins.require("adit", "aditd")
    results = tmp_path / "results"
    r = subprocess.run([sys.executable, os.path.join(TOP, "bench", "run"),
                        "--quick", "--build", bins.build, "--results",
                        str(results)], capture_output=True, text=True,
                       env=home.env, timeout=BENCH_TIMEOUT,
                       stdin=subprocess.DEVNULL)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    jsons = sorted(results.glob("*-quick.json"))
    mds = sorted(results.glob("*-quick.md"))
    assert len(jsons) == 1 and len(mds) == 1, os.listdir(results)
    with open(jsons[0]) as f:
        doc = json.load(f)
    assert doc["meta"]["mode"] == "quick"
    assert not [n for n in doc["notes"] if "failed" in n], doc["notes"]
    want = [spec[0] for spec in report.row_specs(doc["meta"]["opts"])]
    assert [row["id"] for row in doc["rows"]] == want
    md = mds[0].read_text()
    for row in doc["rows"]:
        measured = [c for c in row["cells"].values()
                    if c["median"] is not None]
        assert measured, "no figure for %s" % row["id"]
        assert "| %s | %s |" % (row["label"], row["unit"]) in md
    # adit's own column (adit->aditd; adit->sshd for recovery; the floor
    # for the rows that measure only the tools) has a figure in every row
    specs = report.row_specs(doc["meta"]["opts"])
    for row, spec in zip(doc["rows"], specs):
        assert row["cells"][spec[5]]["median"] is not None, row["id"]
    assert "bench: results in" in r.stdout
