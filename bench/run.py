"""Benchmark topicsite's builds against Hugo and Pelican on one generated corpus.

Usage: python bench/run.py --n 10000 [--runs 3] [--peers hugo,pelican] [--out docs/benchmarks.md]
       python bench/run.py --smoke   (n=200, one run, topicsite only; exits 1 if a build fails)

--peers picks which of Hugo and Pelican to measure (default both; "none" for topicsite only): e.g.
`--n 50000 --runs 1 --peers hugo` skips Pelican, whose build takes minutes at that size.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

import corpus
import markdown_worst

REPO = Path(__file__).resolve().parent.parent
WORK = REPO / "bench" / "work"
PELICAN_VENV = WORK / "venv-pelican"
TOPICSITE_FLAGS = ("-q", "--no-search")
NO_SUCH_OPTION = re.compile(r"[Nn]o such option:? '?(-[\w-]+)")
DEFAULT_TEMPLATE = REPO / "templates" / "submission.html"

COLD, NOOP, EDIT, ADD, TEMPLATE = (
    "topicsite cold build", "topicsite no-op rebuild", "topicsite rebuild, one submission edited",
    "topicsite rebuild, one submission added", "topicsite rebuild, one template changed",
)
SEARCH_COLD, SEARCH_EDIT = "topicsite cold build, with search", "topicsite rebuild with search, one submission edited"
SEARCHING = (SEARCH_COLD, SEARCH_EDIT)  # Hugo and Pelican build no search index: left out of the ratios
HUGO, PELICAN = "Hugo cold build", "Pelican cold build"
DEFAULT_PEERS = ("hugo", "pelican")


class BuildFailed(Exception):
    """A measured command exited non-zero; carries the command and the end of its output."""


@dataclass(frozen=True, slots=True)
class Sample:
    """One measured run: wall seconds, CPU seconds (user + sys) and peak RSS in MB."""

    wall: float
    cpu: float
    peak_mb: float


@dataclass(slots=True)
class Measure:
    """All samples of one measure, or why it has none."""

    name: str
    samples: list[Sample] = field(default_factory=list)
    note: str = ""

    def median(self) -> float | None:
        """Median wall time, or None without samples."""
        return statistics.median(s.wall for s in self.samples) if self.samples else None


def run_measured(argv: Sequence[str], cwd: Path, log: Path) -> Sample:
    """Run a command to completion and measure it; raise BuildFailed if it exits non-zero.

    os.wait4 returns the rusage of exactly this child (with its own reaped descendants),
    so ru_maxrss is this command's peak, not the high-water mark over every child this
    process ever had, as getrusage(RUSAGE_CHILDREN) would give. With worker processes
    it is the largest single process's peak, not their sum.
    """
    with log.open("w") as out:
        started = time.perf_counter()
        try:
            proc = subprocess.Popen(argv, cwd=cwd, stdout=out, stderr=subprocess.STDOUT)
        except OSError as error:
            raise BuildFailed(f"{' '.join(argv)} could not start: {error}") from error
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here; keep Popen from waiting again
    if proc.returncode != 0:
        raise BuildFailed(f"{' '.join(argv)} (in {cwd}) exited {proc.returncode}:\n{tail(log)}")
    return Sample(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024)


def tail(log: Path, lines: int = 20) -> str:
    """The last lines of a log file."""
    return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])


def remove(*paths: Path) -> None:
    """Delete folders if they exist."""
    for path in paths:
        shutil.rmtree(path, ignore_errors=True)


@dataclass(slots=True)
class Topicsite:
    """Runs `topicsite build` on one site, dropping flags that the installed version rejects."""

    exe: Path
    site: Path
    log: Path
    flags: list[str] = field(default_factory=lambda: list(TOPICSITE_FLAGS))
    dropped: list[str] = field(default_factory=list)

    def build(self, search: bool = False) -> Sample:
        """One build, measured; with the search index only when asked."""
        while True:
            flags = [f for f in self.flags if not (search and f == "--no-search")]
            try:
                return run_measured([str(self.exe), "build", str(self.site), *flags], self.site, self.log)
            except BuildFailed:
                if not self.drop_rejected_flag():
                    raise

    def drop_rejected_flag(self) -> bool:
        """If the last build was a usage error naming one of our flags, stop passing it."""
        found = NO_SUCH_OPTION.search(self.log.read_text(errors="replace"))
        if not found or found[1] not in self.flags:
            return False
        self.flags.remove(found[1])
        self.dropped.append(found[1])
        return True

    def cold(self, search: bool = False) -> Sample:
        """A build with nothing left by earlier builds: no output folder, no back copy beside it, no cache."""
        remove(self.site / "output", self.site / ".output.back", self.site / ".cache")
        return self.build(search)


def corpus_dir(n: int, topics: int, seed: int) -> Path:
    """The cached corpus for these parameters, generated on first use."""
    fingerprint = hashlib.sha256(Path(corpus.__file__).read_bytes() + repr(corpus.hugo_version()).encode())
    path = WORK / f"corpus-n{n}-t{topics}-s{seed}-{fingerprint.hexdigest()[:10]}"
    if not (path / "corpus.json").exists():
        print(f"generating corpus into {path} ...", flush=True)
        remove(path)
        corpus.write_all(corpus.make_corpus(n, topics, seed), path)
    return path


def working_copy(source: Path, run_dir: Path) -> Path:
    """A fresh copy of the topicsite site, which the rebuild measures edit."""
    target = run_dir / "topicsite"
    remove(target)
    shutil.copytree(source / "topicsite", target)
    return target


def edit_submission(site: Path, run: int) -> None:
    """Append a sentence to the first submission file."""
    path = min((site / "content" / "submissions").rglob("*.md"))
    with path.open("a", encoding="utf-8") as out:
        out.write(f"\nThis request was updated (benchmark edit {run + 1}).\n")


def add_submission(site: Path, run: int) -> None:
    """Write one new submission dated after every generated one."""
    when = datetime(2024, 1, 1, 9, 30) + timedelta(days=run)
    corpus.write_topicsite_submission(site, corpus.Submission(
        f"{when:%Y%m%d}-{when.hour}{when:%M%S}-00", when, "Benchmark O'Runner", (first_topic(site),),
        "A new request added by the benchmark, with *emphasis* & an ampersand."))


def first_topic(site: Path) -> str:
    """The slug of the first topic file."""
    return min((site / "content" / "topics").glob("*.md")).stem


def change_template(site: Path) -> None:
    """Append an HTML comment to the site's copy of submission.html."""
    with (site / "templates" / "submission.html").open("a", encoding="utf-8") as out:
        out.write("<!-- benchmark edit -->\n")


def measure_topicsite(tool: Topicsite, runs: int) -> list[Measure]:
    """Cold build, then each kind of rebuild, `runs` times over."""
    has_template = DEFAULT_TEMPLATE.exists()
    if has_template:
        (tool.site / "templates").mkdir(exist_ok=True)
        shutil.copy(DEFAULT_TEMPLATE, tool.site / "templates" / "submission.html")
    steps: list[tuple[str, Callable[[int], None]]] = [
        (NOOP, lambda run: None),
        (EDIT, lambda run: edit_submission(tool.site, run)),
        (ADD, lambda run: add_submission(tool.site, run)),
    ]
    if has_template:
        steps.append((TEMPLATE, lambda run: change_template(tool.site)))
    measures = {name: Measure(name) for name in (COLD, *(name for name, _ in steps), *SEARCHING)}
    for run in range(runs):
        print(f"topicsite run {run + 1}/{runs}", flush=True)
        measures[COLD].samples.append(tool.cold())
        for name, change in steps:
            change(run)
            measures[name].samples.append(tool.build())
        measures[SEARCH_COLD].samples.append(tool.cold(search=True))
        edit_submission(tool.site, run + runs)
        measures[SEARCH_EDIT].samples.append(tool.build(search=True))
    skipped = [] if has_template else [Measure(TEMPLATE, note="skipped: templates/submission.html is not in the repo")]
    return [*measures.values(), *skipped]


def pelican_exe() -> str | None:
    """Pelican from bench/work/venv-pelican, else from PATH."""
    local = PELICAN_VENV / "bin" / "pelican"
    return str(local) if local.exists() else shutil.which("pelican")


@dataclass(frozen=True, slots=True)
class Peer:
    """A generator measured beside topicsite, by cold builds of its copy of the corpus.

    Its key names it in --peers and names its site folder, output folder and log:
    SOURCE/KEY, RUN_DIR/KEY-output and RUN_DIR/KEY.log.
    """

    measure: str  # the measure's name in the report
    label: str  # its name in the version and output tables
    find: Callable[[], str | None]  # its executable, or None when it is not installed
    args: tuple[str, ...]  # its arguments; "{site}" and "{out}" are replaced by those folders
    version: str  # the argument that makes it print its version
    clean: tuple[str, ...] = ()  # folders in its site deleted before each build, besides the output


PEERS = {
    "hugo": Peer(HUGO, "Hugo", lambda: shutil.which("hugo"),
                 ("--source", "{site}", "--destination", "{out}", "--quiet"), "version", clean=("resources",)),
    "pelican": Peer(PELICAN, "Pelican", pelican_exe,
                    ("content", "-o", "{out}", "-s", "pelicanconf.py", "-q"), "--version"),
}
NOT_SELECTED = "not measured (not in --peers)"


def measure_peer(key: str, source: Path, run_dir: Path, runs: int) -> Measure:
    """A peer's cold builds, or a note that it is not installed."""
    peer = PEERS[key]
    exe = peer.find()
    if not exe:
        return Measure(peer.measure, note="not installed")
    site, out = source / key, run_dir / f"{key}-output"
    argv = [exe, *(arg.format(site=site, out=out) for arg in peer.args)]
    measure = Measure(peer.measure)
    for run in range(runs):
        print(f"{key} run {run + 1}/{runs}", flush=True)
        remove(out, *(site / folder for folder in peer.clean))
        measure.samples.append(run_measured(argv, site, run_dir / f"{key}.log"))
    return measure


def first_line(argv: Sequence[str]) -> str:
    """The first line a command prints, or "not installed" when it cannot run."""
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return "not installed"
    lines = (done.stdout or done.stderr).strip().splitlines()
    # Hugo prints its build date; the report holds no timestamp but its "measured on" line.
    return re.sub(r"\s*BuildDate=\S+", "", lines[0]) if done.returncode == 0 and lines else "not installed"


def cpu_model() -> str:
    """The CPU's model name from /proc/cpuinfo."""
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return "unknown"


def memory_gib() -> float:
    """Total memory in GiB from /proc/meminfo."""
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            return int(line.split()[1]) / 1024**2
    return 0.0


def peer_version(key: str) -> str:
    """A peer's version line, or "not installed"."""
    exe = PEERS[key].find()
    return first_line([exe, PEERS[key].version]) if exe else "not installed"


def environment(exe: Path, load_before: float, peers: Sequence[str]) -> list[tuple[str, str]]:
    """The machine and the versions of everything measured; peers not in `peers` are marked so."""
    return [
        ("CPUs (nproc)", str(len(os.sched_getaffinity(0)))),
        ("CPU model", cpu_model()),
        ("Memory", f"{memory_gib():.1f} GiB"),
        ("Load average before measuring (1 min)", f"{load_before:.2f}"),
        ("Python (topicsite)", first_line([str(exe.parent / "python"), "--version"])),
        ("topicsite", first_line([str(exe), "--version"])),
        *((peer.label, peer_version(key) if key in peers else NOT_SELECTED) for key, peer in PEERS.items()),
    ]


def seconds(value: float | None) -> str:
    """Seconds to two decimals, or a dash."""
    return "–" if value is None else f"{value:.2f}"


def table_row(measure: Measure) -> list[str]:
    """Measure, median s, min–max s, CPU s, peak MB."""
    if not measure.samples:
        return [measure.name, measure.note, "", "", ""]
    walls = [s.wall for s in measure.samples]
    return [measure.name, seconds(measure.median()), f"{min(walls):.2f}–{max(walls):.2f}",
            seconds(statistics.median(s.cpu for s in measure.samples)),
            f"{max(s.peak_mb for s in measure.samples):.0f}"]


def ratio(numerator: Measure, denominator: Measure) -> str:
    """numerator / denominator of median wall times, or "n/a"."""
    top, bottom = numerator.median(), denominator.median()
    return "n/a" if top is None or not bottom else f"{top / bottom:.2f}×"


def ratio_rows(measures: dict[str, Measure]) -> list[list[str]]:
    """Cold build against Hugo and Pelican, and every rebuild against Hugo's cold build.

    A peer without samples (not installed, not in --peers, or --smoke) gets no rows.
    """
    peers = [measures[peer.measure] for peer in PEERS.values()]
    rows = [[f"{COLD} / {peer.name}", ratio(measures[COLD], peer)] for peer in peers if peer.samples]
    rebuilds = [m for name, m in measures.items() if name not in (COLD, *SEARCHING, *(peer.name for peer in peers))]
    hugo = measures[HUGO]
    return rows + ([[f"{m.name} / {HUGO}", ratio(m, hugo)] for m in rebuilds] if hugo.samples else [])


def ratio_section(measures: dict[str, Measure]) -> str:
    """The ratio table, or a sentence when no peer was measured; then the search index's own time."""
    rows = ratio_rows(measures)
    table = markdown_table(["ratio", "value"], rows) if rows else "None: neither Hugo nor Pelican was measured."
    return f"{table}\n\n{search_sentence(measures)}"


def search_sentence(measures: dict[str, Measure]) -> str:
    """Search indexing on its own: the cold build with the index minus the one without (medians)."""
    with_index, without = measures[SEARCH_COLD].median(), measures[COLD].median()
    if with_index is None or without is None:
        return "Search indexing was not measured."
    return (f"Search indexing on its own (Pagefind; median cold build with the index minus without): "
            f"{with_index - without:.2f} s. Hugo and Pelican build no search index, so the "
            f"ratios above compare builds without it.")


def markdown_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A Markdown table."""
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(" --- " for _ in header) + "|"]
    return "\n".join(lines + ["| " + " | ".join(row) + " |" for row in rows])


def peers_option(args: argparse.Namespace) -> str:
    """" --peers ..." when a benchmark measured other peers than the default, else ""."""
    if args.smoke or args.peers == DEFAULT_PEERS:
        return ""
    return f" --peers {','.join(args.peers) or 'none'}"


def report(args: argparse.Namespace, env: list[tuple[str, str]], outcome: Outcome) -> str:
    """The whole Markdown report."""
    rejected = ", ".join(f"`{flag}`" for flag in outcome.dropped_flags)
    flags_note = f"\nThe installed topicsite rejected {rejected}; its builds ran without.\n" if rejected else ""
    results = markdown_table(["measure", "median s", "min–max s", "CPU s", "peak MB"],
                             [table_row(m) for m in outcome.measures.values()])
    stats = [[key.replace("_", " "), str(value)] for key, value in outcome.stats.items()]
    return f"""# Benchmarks

Generated by `python bench/run.py --n {args.n} --runs {args.runs}{peers_option(args)}`; do not edit by hand.

Measured on {date.today().isoformat()}.

## Machine and versions

{markdown_table(["", ""], env)}

## Corpus

{markdown_table(["parameter", "value"], stats)}

Generated by `bench/corpus.py` from the seed: bodies of 40 to 400 words with lists, links, emphasis,
figures, non-ASCII text and `& < >`; one to three topics each, Zipf-like popularity; five years of dates.
The same content is written as a topicsite, a Hugo and a Pelican site; each builds a page per
submission, paginated topic pages ({corpus.PER_PAGE} per page) with full text, and feeds per topic.

## Results

Each measure ran {args.runs} time(s); median and range of wall time, median CPU time (user + sys of
the process and its children) and the largest peak resident memory of the measured process.

{results}
{flags_note}
## Ratios (median wall time)

{ratio_section(outcome.measures)}

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
  The two "with search" measures come last and drop `--no-search` (Pagefind indexes every submission page).
- Hugo: `hugo --source DIR --destination OUT --quiet`, with `OUT` and `DIR/resources` deleted first.
- Pelican: `pelican content -o OUT -s pelicanconf.py -q` with its default theme, `OUT` deleted first.
- Wall time is `time.perf_counter` around the process; CPU time and peak memory come from `os.wait4`
  on that process alone.

## Targets and profiles

How these numbers compare with the targets, where the time goes (profiles, stage timings) and
what would come next: [performance.md](performance.md), written by hand after a run.
"""


@dataclass(frozen=True, slots=True)
class Outcome:
    """Everything a report shows besides the machine: corpus stats, measures, output counts."""

    stats: dict[str, int]
    measures: dict[str, Measure]
    outputs: list[list[str]]
    dropped_flags: list[str]
    markdown_worst: tuple[str, float]  # the table of bench/markdown_worst.py and its worst time


def count_output(name: str, folder: Path) -> list[str]:
    """A generator's name and how many HTML and XML files its last build wrote."""
    def count(suffix: str) -> str:
        return str(sum(1 for _ in folder.rglob(f"*{suffix}"))) if folder.is_dir() else "–"
    return [name, count(".html"), count(".xml")]


def run_all(args: argparse.Namespace) -> Outcome:
    """Generate or reuse the corpus and take every measure."""
    source = corpus_dir(args.n, args.topics, args.seed)
    stats = json.loads((source / "corpus.json").read_text())
    run_dir = WORK / ("run-smoke" if args.smoke else "run")  # so a test can run beside a benchmark
    run_dir.mkdir(parents=True, exist_ok=True)
    tool = Topicsite(args.topicsite, working_copy(source, run_dir), run_dir / "topicsite.log")
    measures = {m.name: m for m in measure_topicsite(tool, args.runs)}
    outputs = [count_output("topicsite", tool.site / "output")]
    for key, peer in PEERS.items():
        if args.smoke:
            measures[peer.measure] = Measure(peer.measure, note="skipped (--smoke)")
        elif key in args.peers:
            measures[peer.measure] = measure_peer(key, source, run_dir, args.runs)
        else:
            measures[peer.measure] = Measure(peer.measure, note=NOT_SELECTED)
        # A peer not run now may have left an output folder behind in an earlier run.
        ran = bool(measures[peer.measure].samples)
        outputs.append(count_output(peer.label, run_dir / f"{key}-output") if ran else [peer.label, "–", "–"])
    return Outcome(stats, measures, outputs, tool.dropped, markdown_worst.table())


def default_topicsite() -> Path:
    """The repo's virtualenv topicsite, else the one on PATH."""
    local = REPO / ".venv" / "bin" / "topicsite"
    return local if local.exists() else Path(shutil.which("topicsite") or local)


def peer_list(value: str) -> tuple[str, ...]:
    """--peers: comma-separated names from PEERS, or "none"; in PEERS' order."""
    names = {name.strip().lower() for name in value.split(",") if name.strip()}
    if names == {"none"}:
        return ()
    unknown = sorted(names - PEERS.keys())
    if unknown or not names:
        raise argparse.ArgumentTypeError(
            f"expected a comma-separated list of {', '.join(PEERS)}, or none; got {value!r}")
    return tuple(key for key in PEERS if key in names)


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Command-line options; --smoke sets n=200, one run, no Hugo or Pelican, no report file."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000, help="number of submissions")
    parser.add_argument("--topics", type=int, default=40)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--runs", type=int, default=3, help="runs of each measure")
    parser.add_argument("--out", type=Path, help="Markdown report [default: docs/benchmarks.md; none with --smoke]")
    parser.add_argument("--topicsite", type=Path, default=default_topicsite(), help="topicsite executable")
    parser.add_argument("--peers", type=peer_list, default=DEFAULT_PEERS,
                        help=f"comma-separated peers to measure, or none [default: {','.join(DEFAULT_PEERS)}]")
    parser.add_argument("--smoke", action="store_true", help="quick check for tests")
    args = parser.parse_args(argv)
    if args.smoke:
        args.n, args.runs, args.peers = 200, 1, ()
    elif args.out is None:
        args.out = REPO / "docs" / "benchmarks.md"
    return args


def main() -> int:
    """Run the benchmark, print the report and write it where asked."""
    args = parse_args()
    load_before = os.getloadavg()[0]  # other work on the machine makes wall times noisy
    try:
        outcome = run_all(args)
    except BuildFailed as failure:
        print(f"build failed: {failure}", file=sys.stderr)
        return 1
    shown = tuple(PEERS) if args.smoke else args.peers  # --smoke skips every peer but lists their versions
    text = report(args, environment(args.topicsite, load_before, shown), outcome)
    print(text)
    if args.out:
        args.out.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
