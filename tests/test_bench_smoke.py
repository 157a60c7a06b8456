"""The benchmark harness still runs (a 200-submission smoke run; the real benchmark is `make bench`)."""

from __future__ import annotations

import argparse
import subprocess
import sys

import pytest

from conftest import REPO

sys.path.insert(0, str(REPO / "bench"))
import run as bench  # noqa: E402  (bench/run.py, with bench/ on the path for its corpus module)


def test_benchmark_smoke_run() -> None:
    result = subprocess.run([sys.executable, str(REPO / "bench/run.py"), "--smoke", "--topicsite", str(REPO / ".venv/bin/topicsite")],
                            cwd=REPO, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "no-op" in result.stdout.lower() or "noop" in result.stdout.lower(), result.stdout[-2000:]
    assert bench.SEARCH_COLD in result.stdout and "Search indexing on its own" in result.stdout, result.stdout[-2000:]
    assert "The slowest Markdown bodies" in result.stdout and "| '[](' at 48 KB | refused at line 1 |" in result.stdout


def test_peers_option() -> None:
    assert bench.peer_list("pelican, HUGO") == ("hugo", "pelican")  # PEERS' order, any case
    assert bench.peer_list("none") == ()
    for bad in ("", "jekyll", "none,hugo"):
        with pytest.raises(argparse.ArgumentTypeError):
            bench.peer_list(bad)


def test_ratios_leave_out_peers_not_measured() -> None:
    sample = bench.Sample(wall=2.0, cpu=2.0, peak_mb=100.0)
    measures = {name: bench.Measure(name, [sample]) for name in (bench.COLD, bench.NOOP, bench.SEARCH_COLD, bench.HUGO)}
    measures[bench.PELICAN] = bench.Measure(bench.PELICAN, note="not measured (not in --peers)")
    rows = bench.ratio_rows(measures)
    assert [row[0] for row in rows] == [f"{bench.COLD} / {bench.HUGO}", f"{bench.NOOP} / {bench.HUGO}"]
    assert "0.00 s" in bench.search_sentence(measures)


def test_markdown_worst_cases_are_refused_or_rendered() -> None:
    import markdown_worst

    text, _ = markdown_worst.table(timeout=60)
    rows = text.splitlines()[2:]
    assert len(rows) == len(markdown_worst.CASES)
    assert all("| refused at line " in row or "| rendered, " in row or "| refused while rendering" in row for row in rows), text
