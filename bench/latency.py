"""Save → page served: a running `topicsite serve` or `hugo server`, timed over HTTP edit by edit.

Each server is started on a free port on 127.0.0.1, in a working copy of its site, and stopped by
its PID. An edit appends a sentence with a marker word to one submission; the time runs from just
before the file is written until a GET of the submission's page returns the marker. A new submission
is dated after every other, so it lands on its topic's first page; its time runs until both its own
page and that topic page hold it.
"""

from __future__ import annotations

import http.client
import json
import signal
import socket
import statistics
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

import corpus
from samples import BuildFailed, tail

POLL = 0.02  # seconds between requests while waiting for a rebuild
SETTLE = 1.0  # seconds of quiet after each measured edit, so the next one starts a rebuild of its own
START_TIMEOUT = 1800.0  # the first build of a large site, with search, takes minutes
EDIT_TIMEOUT = 900.0
STATUS = "/__topicsite/status"


@dataclass(slots=True)
class Timing:
    """Seconds measured for one kind of latency, or why there are none."""

    name: str
    seconds: list[float] = field(default_factory=list)
    note: str = ""

    def median(self) -> float | None:
        """Median seconds, or None without any."""
        return statistics.median(self.seconds) if self.seconds else None


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def fetch(url: str) -> tuple[int, str]:
    """GET a URL: its status and body, (0, "") when nothing answers yet or the answer breaks off (`hugo server`
    sometimes cuts a page it is rebuilding short: polling asks again)."""
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        return error.code, ""
    except (OSError, http.client.HTTPException):
        return 0, ""


class Server:
    """A server process in a working copy of a site, with its output in a log; stopped by its PID."""

    def __init__(self, argv: Sequence[str], cwd: Path, log: Path, port: int) -> None:
        self.root, self.log = f"http://127.0.0.1:{port}", log
        with log.open("w") as out:
            self.process = subprocess.Popen(argv, cwd=cwd, stdout=out, stderr=subprocess.STDOUT)

    def get(self, path: str) -> tuple[int, str]:
        """GET a path under the server's root."""
        return fetch(self.root + path)

    def wait(self, ready: Callable[[], bool], timeout: float, what: str) -> float:
        """Poll until `ready()`; the seconds it took. BuildFailed if the server exits or time runs out."""
        started = time.perf_counter()
        while not ready():
            if self.process.poll() is not None:
                raise BuildFailed(f"the server exited {self.process.returncode} while waiting for {what}:\n{tail(self.log)}")
            if time.perf_counter() - started > timeout:
                raise BuildFailed(f"no {what} within {timeout:.0f} s:\n{tail(self.log)}")
            time.sleep(POLL)
        return round(time.perf_counter() - started, 3)

    def stop(self) -> None:
        """Ctrl-C, as an editor stops it; killed if it has not exited after 60 s."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@dataclass(frozen=True, slots=True)
class Flavour:
    """What differs between topicsite's and Hugo's servers: how to tell a new build and where files go."""

    argv: Callable[[int], list[str]]  # the command for a port
    ready: str  # a path that answers 200 once the first build is served
    submission_file: Callable[[Path, str], Path]  # the source file of a submission id in a site
    write_new: Callable[[Path, corpus.Submission], None]
    status: bool  # polls topicsite's status endpoint for a new build id before fetching the page


def topicsite_flavour(exe: Path, site: Path, search: bool) -> Flavour:
    """`topicsite serve SITE [--no-search] --port P --bind 127.0.0.1`."""
    flags = [] if search else ["--no-search"]
    return Flavour(
        lambda port: [str(exe), "serve", str(site), *flags, "--port", str(port), "--bind", "127.0.0.1"], STATUS,
        lambda site, sid: next((site / "content" / "submissions").rglob(f"{sid}.md")),
        write_topicsite, status=True)


def hugo_flavour(exe: str, site: Path) -> Flavour:
    """`hugo server --source SITE --port P --bind 127.0.0.1`, with its defaults otherwise (it renders to memory)."""
    return Flavour(
        lambda port: [exe, "server", "--source", str(site), "--port", str(port), "--bind", "127.0.0.1",
                      "--baseURL", "http://127.0.0.1/"], f"/submissions/{first_submission(site)}/",
        lambda site, sid: site / "content" / "submissions" / f"{sid}.md",
        write_hugo, status=False)


def write_topicsite(site: Path, sub: corpus.Submission) -> None:
    """A new submission file in a topicsite site."""
    corpus.write_topicsite_submission(site, sub)


def write_hugo(site: Path, sub: corpus.Submission) -> None:
    """A new submission file in a Hugo site."""
    corpus.write(site / "content" / "submissions" / f"{sub.id}.md", corpus.hugo_submission(sub))


def first_submission(site: Path) -> str:
    """The id of the submission whose file sorts first."""
    return min((site / "content" / "submissions").rglob("*.md")).stem


def new_submission(site: Path, number: int) -> corpus.Submission:
    """A submission dated after every generated one and every benchmark addition, in the first topic."""
    when = datetime(2025, 1, 1, 9, 30) + timedelta(hours=number)
    topic = min((site / "content" / "topics").glob("*")).stem  # topicsite: slug.md; Hugo: slug/_index.md
    return corpus.Submission(corpus.submission_id(when, 99), when, "Benchmark O'Server", (topic,),
                             f"A request added while the server runs: benchmarknew{number}.")


class Session:
    """One running server and the edits timed against it."""

    def __init__(self, flavour: Flavour, site: Path, log: Path) -> None:
        self.flavour, self.site, self.port = flavour, site, free_port()
        self.server = Server(flavour.argv(self.port), site, log, self.port)
        try:
            self.first_build = self.server.wait(lambda: self.server.get(flavour.ready)[0] == 200, START_TIMEOUT, "first build")
        except BaseException:
            self.server.stop()
            raise

    def build_id(self) -> str:
        """The served build's id (topicsite), or "" for a server without a status endpoint."""
        if not self.flavour.status:
            return ""
        code, body = self.server.get(STATUS)
        return str(json.loads(body)["build"]) if code == 200 else ""

    def served(self, paths: Sequence[str], marker: str) -> Callable[[], bool]:
        """A check that every path answers with the marker, after a new build id when the server has one."""
        seen = [self.build_id()]

        def check() -> bool:
            current = self.build_id()
            if self.flavour.status and current == seen[0]:
                return False
            seen[0] = current  # a build that started before the save: wait for the next one
            return all(marker in self.server.get(path)[1] for path in paths)
        return check

    def timed(self, change: Callable[[], None], paths: Sequence[str], marker: str) -> float:
        """Seconds from just before `change()` until every path is served with the marker."""
        check = self.served(paths, marker)
        started = time.perf_counter()
        change()
        self.server.wait(check, EDIT_TIMEOUT, f"{', '.join(paths)} with {marker!r}")
        seconds = round(time.perf_counter() - started, 3)  # as bench/results/ stores it
        time.sleep(SETTLE)
        return seconds

    def edit(self, number: int) -> float:
        """Append a sentence to the first submission; seconds until its page is served with it."""
        sid = first_submission(self.site)
        path, marker = self.flavour.submission_file(self.site, sid), f"benchmarkedit{number}"

        def change() -> None:
            with path.open("a", encoding="utf-8") as out:
                out.write(f"\nThis request was edited while the server runs ({marker}).\n")
        return self.timed(change, [f"/submissions/{sid}/"], marker)

    def add(self, number: int) -> float:
        """Write a new submission; seconds until its page and its topic's first page are served with it."""
        sub = new_submission(self.site, number)
        paths = [f"/submissions/{sub.id}/", f"/topics/{sub.topics[0]}/"]  # topic pages carry each body in full
        return self.timed(lambda: self.flavour.write_new(self.site, sub), paths, f"benchmarknew{number}")


def measure_server(flavour: Flavour, site: Path, log: Path, edits: int, add: bool) -> tuple[float, list[float], float | None]:
    """Start a server, time `edits` edits and optionally one new submission, stop it.

    Returns the first build's seconds, each edit's seconds and the new submission's seconds.
    """
    session = Session(flavour, site, log)
    try:
        timings = [session.edit(number) for number in range(edits)]
        added = session.add(0) if add else None
    finally:
        session.server.stop()
    return session.first_build, timings, added
