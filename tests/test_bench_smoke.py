"""The benchmark harness still runs (a 200-submission smoke run; the real benchmark is `make bench`)."""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree

import pytest

from conftest import REPO

sys.path.insert(0, str(REPO / "bench"))
import chart  # noqa: E402  (bench/, with bench/ on the path for its own imports)
import report  # noqa: E402
import run as bench  # noqa: E402
from latency import Timing  # noqa: E402
from samples import Measure, Sample  # noqa: E402

NUMBER = r"\d+\.\d\d"


def topicsite_of_this_checkout(folder: Path) -> Path:
    """A `topicsite` command that runs this checkout's generator with the test's Python (and a `python` beside it)."""
    exe = folder / "topicsite"
    exe.write_text(f'#!/bin/sh\nPYTHONPATH={REPO} exec {sys.executable} -m generator "$@"\n')
    exe.chmod(0o755)
    (folder / "python").symlink_to(sys.executable)
    return exe


def test_benchmark_smoke_run(tmp_path: Path) -> None:
    command = [sys.executable, str(REPO / "bench/run.py"), "--smoke", "--topicsite", str(topicsite_of_this_checkout(tmp_path))]
    result = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=600)
    out = result.stdout
    assert result.returncode == 0, out[-3000:] + result.stderr[-3000:]
    assert f"| {report.NOOP} | " in out and f"| {report.SEARCH_COLD} | " in out, out[-2000:]
    # serve: five edits and one new submission timed over HTTP, then edits with search
    assert re.search(rf"\| {re.escape(report.SERVE_EDIT)} \| {NUMBER} \| {NUMBER}–{NUMBER} \| 5 \|", out), out[-4000:]
    assert re.search(rf"\| {re.escape(report.SERVE_NEW)} \| {NUMBER} \| {NUMBER}–{NUMBER} \| 1 \|", out), out[-4000:]
    assert re.search(rf"\| {re.escape(report.SEARCH_SERVE_EDIT)} \| {NUMBER} \| {NUMBER}–{NUMBER} \| 3 \|", out), out[-4000:]
    # the search index on its own, with Pagefind's own peak memory seen while it ran
    assert re.search(rf"\| index on top of a cold build [^|]* \| -?{NUMBER} \| -?{NUMBER} \| \d+ \|", out), out[-4000:]
    assert "| no-op `build`, wall | ≤ 1 s | " in out and "| cold build, wall, against Hugo 0.168 (stretch: 1.5×) | ≤ 2× | not measured | – |" in out
    assert "The slowest Markdown bodies" in out and "| '[](' at 48 KB | refused at line 1 |" in out


def test_peers_option() -> None:
    assert bench.peer_list("pelican, HUGO") == ("hugo", "pelican")  # PEERS' order, any case
    assert bench.peer_list("hugo-debian,hugo") == ("hugo", "hugo-debian")
    assert bench.peer_list("none") == ()
    for bad in ("", "jekyll", "none,hugo"):
        with pytest.raises(argparse.ArgumentTypeError):
            bench.peer_list(bad)


def measures_with(**walls: float) -> dict[str, Measure]:
    """Every build measure, those named (by constant name in report) with one sample of that wall time."""
    names = (report.COLD, report.NOOP, report.EDIT, report.SEARCH_COLD, report.SEARCH_EDIT, *report.PEER_MEASURES)
    measures = {name: Measure(name, note="not measured") for name in names}
    for key, wall in walls.items():
        name = getattr(report, key)
        measures[name] = Measure(name, [Sample(wall=wall, cpu=wall * 2, peak_mb=wall * 100, pagefind_mb=wall * 10)])
    return measures


def test_ratios_are_against_the_peers_measured_in_wall_cpu_and_memory() -> None:
    rows = report.ratio_rows(measures_with(COLD=3.0, HUGO=2.0, NOOP=1.0))
    assert rows == [[f"{report.COLD} / {report.HUGO}", "1.50×", "1.50×", "1.50×"]]


def test_each_target_is_met_missed_or_not_measured() -> None:
    measures = measures_with(COLD=4.0, HUGO=1.0, NOOP=0.5, EDIT=2.0, SEARCH_COLD=6.0, SEARCH_EDIT=2.5)
    timings = {name: Timing(name) for name in (report.SERVE_EDIT, report.SERVE_NEW, report.SEARCH_SERVE_EDIT)}
    timings[report.SERVE_EDIT].seconds[:] = [0.4, 0.3, 0.9]
    verdicts = {row[0]: (row[2], row[3]) for row in report.target_rows(measures, timings)}
    assert verdicts["cold build, wall, against Hugo 0.168 (stretch: 1.5×)"] == ("4.00×", "missed")
    assert verdicts["no-op `build`, wall"] == ("0.50 s", "met")
    assert verdicts["`build` after editing one submission, wall"] == ("2.00 s", "missed")
    assert verdicts["`serve`: save → the edited page served (median; stretch: 0.2 s)"] == ("0.40 s", "met")
    assert verdicts["search index, cold, on top of the build"] == ("2.00 s", "met")
    assert verdicts["search index, cold: Pagefind's peak memory"] == ("60 MB", "met")
    assert verdicts["search index after one edit, `build`"] == ("0.50 s", "met")
    assert verdicts["`serve`: a new submission → its page and its topic's first page served"] == ("not measured", "–")
    assert "the verdicts only indicate" in report.targets_section(1000, measures, timings)
    assert "indicate" not in report.targets_section(10_000, measures, timings)


def stored_result(n: int, walls: dict[str, float]) -> dict[str, object]:
    return {"n": n, "measured_on": "2026-12-01",
            "builds": {name: {"wall": [wall * 1.5, wall, wall * 0.5], "cpu": [wall * 1.5]} for name, wall in walls.items()}}


RESULTS = [stored_result(1000, {report.COLD: 3.2, report.HUGO: 1.1, report.PELICAN: 9.0}),
           stored_result(10_000, {report.COLD: 21.0, report.HUGO: 6.0, report.PELICAN: 66.0}),
           stored_result(50_000, {report.COLD: 110.0, report.HUGO: 31.0})]


def test_the_chart_is_an_accessible_svg_of_every_stored_point() -> None:
    lines = chart.series(RESULTS, report.CHART)
    assert [line.label for line in lines] == ["topicsite", "Hugo 0.168", "Pelican"]  # Debian's Hugo: no points
    assert lines[2].points == ((1000, 9.0), (10_000, 66.0))
    text = chart.svg(lines)
    root = ElementTree.fromstring(text)
    ns = "{http://www.w3.org/2000/svg}"
    assert root.find(f"{ns}title").text == "Cold build time against submission count"  # type: ignore[union-attr]
    desc = root.find(f"{ns}desc").text  # type: ignore[union-attr]
    assert "topicsite: 1,000 submissions 3.2 s, 10,000 submissions 21.0 s, 50,000 submissions 110.0 s" in desc  # type: ignore[operator]
    assert len(root.findall(f"{ns}polyline")) == 3 and text == chart.svg(chart.series(RESULTS, report.CHART))


def test_the_chart_table_and_section_are_redrawn_in_place(tmp_path: Path) -> None:
    folder = tmp_path / "results"
    folder.mkdir()
    for result in RESULTS:
        (folder / f"n{result['n']}.json").write_text(json.dumps(result))
    document = tmp_path / "benchmarks.md"
    document.write_text("# Benchmarks\n\n## Cold build time by size\n\n<!-- chart: written by bench/run.py -->\nstale numbers\n<!-- /chart -->\n\n## After\n")
    chart.draw(folder, report.CHART, tmp_path / "benchmarks.svg", [document])
    first = document.read_text(), (tmp_path / "benchmarks.svg").read_bytes()
    chart.draw(folder, report.CHART, tmp_path / "benchmarks.svg", [document])
    assert (document.read_text(), (tmp_path / "benchmarks.svg").read_bytes()) == first
    text = first[0]
    assert "stale numbers" not in text and text.endswith("<!-- /chart -->\n\n## After\n") and "](benchmarks.svg)" in text
    assert "| 50,000 | 110.00 s (165.00 s CPU) | 31.00 s (46.50 s CPU) | – | 2026-12-01 |" in text


def test_a_peer_whose_layouts_drop_the_topic_submissions_fails(tmp_path: Path) -> None:
    page = tmp_path / "topics" / "water" / "index.html"
    page.parent.mkdir(parents=True)
    page.write_text("<h1>Topics</h1><ul><li>Water</li></ul>")
    with pytest.raises(bench.BuildFailed, match="without the topic's submissions"):
        bench.check_topic_page(bench.PEERS["hugo"], tmp_path, "water")
    page.write_text("<h1>Water</h1><article><h2>A request</h2></article>")
    bench.check_topic_page(bench.PEERS["hugo"], tmp_path, "water")


def test_markdown_worst_cases_are_refused_or_rendered() -> None:
    import markdown_worst

    text, _ = markdown_worst.table(timeout=60)
    rows = text.splitlines()[2:]
    assert len(rows) == len(markdown_worst.CASES)
    assert all("| refused at line " in row or "| rendered, " in row or "| refused while rendering" in row for row in rows), text


def test_a_run_keeps_the_stored_numbers_of_what_it_did_not_measure() -> None:
    earlier = {"measured_on": "2026-12-01", "command": "python bench/run.py --n 50000 --runs 1 --peers pelican --peers-only",
               "builds": {"Pelican cold build": {"wall": [900.0], "cpu": [890.0], "note": ""},
                          "Hugo 0.168 cold build": {"wall": [40.0], "cpu": [60.0], "note": ""}},
               "serve": {}}
    now = {"builds": {"topicsite cold build": {"wall": [70.0], "cpu": [120.0], "note": ""},
                      "Hugo 0.168 cold build": {"wall": [38.0], "cpu": [58.0], "note": ""},
                      "Pelican cold build": {"wall": [], "cpu": [], "note": "not measured (not in --peers)"}},
           "serve": {"serve edit": {"seconds": [0.3], "note": ""}}}
    merged = bench.carried_over(now, earlier)
    builds = merged["builds"]
    assert builds["Pelican cold build"]["wall"] == [900.0]  # carried over, and says from where
    assert builds["Pelican cold build"]["note"].startswith("carried over from the run of 2026-12-01 (`python bench/run.py")
    assert builds["Hugo 0.168 cold build"]["wall"] == [38.0] and builds["Hugo 0.168 cold build"]["note"] == ""  # measured now wins
    assert builds["topicsite cold build"]["wall"] == [70.0]
    assert bench.carried_over(now, None) is now


def test_the_chart_keeps_line_labels_apart() -> None:
    assert chart.spread([165.2, 160.9, 87.9]) == [176.9, 160.9, 87.9]  # the lower of two close labels moves down
    assert chart.spread([100.0, 300.0]) == [100.0, 300.0]
