"""Cold build time against submission count: an SVG line chart and its data table, from stored results.

Each benchmark run stores its numbers as bench/results/nN.json; the chart is drawn from every stored
size, so a run at one size redraws it with the others kept. The SVG is written by hand (a few dozen
elements) so it holds nothing but the data: the same results give the same bytes.
"""

from __future__ import annotations

import json
import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

WIDTH, HEIGHT = 720, 440
LEFT, RIGHT, TOP, BOTTOM = 70, 150, 50, 60
LABEL_GAP = 16  # px between the end labels of two lines (13 px text)  # margins: axis labels left and below, line labels right
# Okabe–Ito colours (told apart with colour-blindness too), each series also with its own dash and marker.
STYLES = (("#0072B2", "", "circle"), ("#D55E00", "6 3", "square"), ("#009E73", "2 3", "diamond"),
          ("#CC79A7", "8 3 2 3", "triangle"))
START, END = "<!-- chart: written by bench/run.py -->", "<!-- /chart -->"


@dataclass(frozen=True, slots=True)
class Series:
    """One generator's points: (submissions, median cold build seconds), sorted by submissions."""

    label: str
    points: tuple[tuple[int, float], ...]


def load_results(folder: Path) -> list[dict[str, object]]:
    """Every stored result (nN.json), smallest corpus first."""
    results = [json.loads(path.read_text(encoding="utf-8")) for path in folder.glob("n*.json")]
    return sorted(results, key=lambda result: int(result["n"]))


def stored_median(result: dict[str, object], measure: str, key: str = "wall") -> float | None:
    """A stored measure's median of one kind of seconds ("wall" or "cpu"), or None if it has no samples."""
    builds: dict[str, dict[str, list[float]]] = result["builds"]  # type: ignore[assignment]
    values = builds.get(measure, {}).get(key) or []
    return statistics.median(values) if values else None


def series(results: Sequence[dict[str, object]], measures: Sequence[tuple[str, str]]) -> list[Series]:
    """(label, measure name) pairs to the series that have at least one stored point."""
    found = []
    for label, measure in measures:
        points = tuple((int(r["n"]), wall) for r in results  # type: ignore[call-overload]
                       if (wall := stored_median(r, measure)) is not None)
        if points:
            found.append(Series(label, points))
    return found


def log_scale(low: float, high: float, start: float, end: float) -> tuple[float, float, float, float]:
    """The log10 domain and pixel range of an axis."""
    return math.log10(low), math.log10(high), start, end


def place(value: float, scale: tuple[float, float, float, float]) -> float:
    """A value's pixel position on a log axis, to one decimal so the output is stable."""
    low, high, start, end = scale
    return round(start + (math.log10(value) - low) / (high - low) * (end - start), 1)


def decades(low: float, high: float) -> list[float]:
    """Powers of ten from below `low` to above `high`: the y axis' grid lines."""
    first = math.floor(math.log10(low))
    return [10.0**k for k in range(first, max(math.ceil(math.log10(high)), first + 1) + 1)]


def seconds_label(value: float) -> str:
    """A tick label: 0.1 s, 1 s, 10 s, 1,000 s."""
    return f"{value:g} s" if value < 1 else f"{value:,.0f} s"


def marker(shape: str, x: float, y: float, colour: str) -> str:
    """A point's marker in one of four shapes."""
    if shape == "circle":
        return f'<circle cx="{x}" cy="{y}" r="4.5" fill="{colour}"/>'
    if shape == "square":
        return f'<rect x="{x - 4}" y="{y - 4}" width="8" height="8" fill="{colour}"/>'
    corners = ((x, y - 5.5), (x + 5.5, y), (x, y + 5.5), (x - 5.5, y)) if shape == "diamond" else \
        ((x, y - 5.5), (x + 5.5, y + 4.5), (x - 5.5, y + 4.5))
    return f'<polygon points="{" ".join(f"{a:.1f},{b:.1f}" for a, b in corners)}" fill="{colour}"/>'


def description(lines: Sequence[Series]) -> str:
    """The chart's data in words, for readers who cannot see it."""
    parts = [f"{line.label}: " + ", ".join(f"{n:,} submissions {wall:.1f} s" for n, wall in line.points) for line in lines]
    return ("Median cold build wall time in seconds against the number of submissions, both axes logarithmic. "
            + "; ".join(parts) + ".")


def spread(heights: Sequence[float], gap: float = LABEL_GAP) -> list[float]:
    """The lines' end labels moved apart to at least `gap` between neighbours (top to bottom, order kept)."""
    order = sorted(range(len(heights)), key=lambda i: heights[i])
    placed = list(heights)
    for before, after in zip(order, order[1:]):
        placed[after] = max(placed[after], placed[before] + gap)
    return [round(y, 1) for y in placed]


def svg(lines: Sequence[Series]) -> str:
    """The chart as an SVG document with a <title> and a <desc> giving every point."""
    sizes = sorted({n for line in lines for n, _ in line.points})
    walls = [wall for line in lines for _, wall in line.points]
    xs = log_scale(sizes[0] / 1.6, sizes[-1] * 1.6, LEFT, WIDTH - RIGHT)
    ticks = decades(min(walls), max(walls))
    ys = log_scale(ticks[0], ticks[-1], HEIGHT - BOTTOM, TOP)
    out = [(f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" height="{HEIGHT}" '
            'role="img" aria-labelledby="chart-title chart-desc" font-family="sans-serif" font-size="13">'),
           '<title id="chart-title">Cold build time against submission count</title>',
           f'<desc id="chart-desc">{escape(description(lines))}</desc>',
           f'<rect width="{WIDTH}" height="{HEIGHT}" fill="#ffffff"/>',
           f'<text x="{LEFT}" y="28" font-size="16" font-weight="bold" fill="#1b1b1b">Cold build, median wall time (log scales)</text>']
    for tick in ticks:
        y = place(tick, ys)
        out += [f'<line x1="{LEFT}" y1="{y}" x2="{WIDTH - RIGHT}" y2="{y}" stroke="#dfe1e2"/>',
                f'<text x="{LEFT - 8}" y="{y + 4}" text-anchor="end" fill="#1b1b1b">{seconds_label(tick)}</text>']
    for size in sizes:
        x = place(size, xs)
        out += [f'<line x1="{x}" y1="{TOP}" x2="{x}" y2="{HEIGHT - BOTTOM}" stroke="#dfe1e2"/>',
                f'<text x="{x}" y="{HEIGHT - BOTTOM + 20}" text-anchor="middle" fill="#1b1b1b">{size:,}</text>']
    out.append(f'<text x="{(LEFT + WIDTH - RIGHT) / 2}" y="{HEIGHT - 14}" text-anchor="middle" fill="#1b1b1b">submissions</text>')
    ends = spread([place(line.points[-1][1], ys) for line in lines])
    for line, (colour, dash, shape), label_y in zip(lines, STYLES, ends):
        points = [(place(n, xs), place(wall, ys)) for n, wall in line.points]
        dashes = f' stroke-dasharray="{dash}"' if dash else ""
        if len(points) > 1:
            path = " ".join(f"{x},{y}" for x, y in points)
            out.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2.5"{dashes}/>')
        out += [marker(shape, x, y, colour) for x, y in points]
        x = points[-1][0]
        out.append(f'<text x="{x + 10}" y="{label_y + 4}" fill="{colour}" font-weight="bold">{escape(line.label)}</text>')
    return "\n".join([*out, "</svg>"]) + "\n"


def table(results: Sequence[dict[str, object]], measures: Sequence[tuple[str, str]]) -> str:
    """The chart's numbers as a Markdown table: median wall and CPU seconds per generator measured and size."""
    shown = [(label, measure) for label, measure in measures if any(stored_median(r, measure) is not None for r in results)]
    header = ["submissions", *(label for label, _ in shown), "measured on"]
    rows = []
    for result in results:
        cells = []
        for _, measure in shown:
            wall, cpu = stored_median(result, measure), stored_median(result, measure, "cpu")
            cells.append("–" if wall is None or cpu is None else f"{wall:.2f} s ({cpu:.2f} s CPU)")
        rows.append([f"{int(result['n']):,}", *cells, str(result["measured_on"])])  # type: ignore[call-overload]
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(" --- " for _ in header) + "|"]
    return "\n".join(lines + ["| " + " | ".join(row) + " |" for row in rows])


def section(results: Sequence[dict[str, object]], measures: Sequence[tuple[str, str]], image: str) -> str:
    """The Markdown for the chart: the image, then its data table, between markers a later run replaces."""
    lines = series(results, measures)
    if not lines:
        return f"{START}\nNo stored results to draw yet: run `python bench/run.py --n N`.\n{END}"
    alt = "Line chart of cold build time against submission count; the table below gives its numbers."
    return (f"{START}\n![{alt}]({image})\n\nMedian wall time of the cold builds (CPU time in brackets), "
            f"from the stored results in `bench/results/`; the chart plots the wall times.\n\n"
            f"{table(results, measures)}\n{END}")


def replace_section(document: str, new: str) -> str:
    """A document with its chart section replaced, or with the section added at the end if it has none."""
    start, end = document.find(START), document.find(END)
    if start < 0 or end < start:
        return document.rstrip("\n") + "\n\n## Cold build time by size\n\n" + new + "\n"
    return document[:start] + new + document[end + len(END):]


def draw(folder: Path, measures: Sequence[tuple[str, str]], image: Path, documents: Sequence[Path]) -> None:
    """Redraw the SVG from every stored result and rewrite the chart section of each document."""
    results = load_results(folder)
    lines = series(results, measures)
    if lines:
        image.write_text(svg(lines), encoding="utf-8")
    new = section(results, measures, image.name)
    for document in documents:
        if document.exists():
            document.write_text(replace_section(document.read_text(encoding="utf-8"), new), encoding="utf-8")
