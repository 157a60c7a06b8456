"""Measured runs: wall time, CPU time and peak memory of one command, and of its Pagefind process."""

from __future__ import annotations

import os
import statistics
import subprocess
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

PROC = Path("/proc")
SAMPLE_EVERY = 0.05  # seconds between looks at a measured command's descendants


class BuildFailed(Exception):
    """A measured command exited non-zero; carries the command and the end of its output."""


@dataclass(frozen=True, slots=True)
class Sample:
    """One measured run: wall seconds, CPU seconds (user + sys), peak RSS in MB, and Pagefind's peak if it ran."""

    wall: float
    cpu: float
    peak_mb: float
    pagefind_mb: float | None = None


@dataclass(slots=True)
class Measure:
    """All samples of one measure, or why it has none."""

    name: str
    samples: list[Sample] = field(default_factory=list)
    note: str = ""

    def median(self) -> float | None:
        """Median wall time, or None without samples."""
        return statistics.median(s.wall for s in self.samples) if self.samples else None

    def median_cpu(self) -> float | None:
        """Median CPU time, or None without samples."""
        return statistics.median(s.cpu for s in self.samples) if self.samples else None

    def peak(self) -> float | None:
        """The largest peak memory over the samples, or None without samples."""
        return max(s.peak_mb for s in self.samples) if self.samples else None

    def pagefind_peak(self) -> float | None:
        """The largest peak of a Pagefind process over the samples, or None if none was seen."""
        peaks = [s.pagefind_mb for s in self.samples if s.pagefind_mb is not None]
        return max(peaks) if peaks else None


def descendants(pid: int) -> Iterator[int]:
    """Every live descendant of a process, from /proc/PID/task/*/children."""
    try:
        tasks = list((PROC / str(pid) / "task").iterdir())
    except OSError:
        return
    for task in tasks:
        try:
            children = (task / "children").read_text().split()
        except OSError:
            continue
        for child in map(int, children):
            yield child
            yield from descendants(child)


def high_water_mb(pid: int) -> float | None:
    """A process's peak resident memory so far (VmHWM) in MB, or None once it is gone."""
    try:
        status = (PROC / str(pid) / "status").read_text()
    except OSError:
        return None
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return None


def is_pagefind(pid: int) -> bool:
    """Whether a process runs a Pagefind binary (the CLI, or the service behind its Python API)."""
    try:
        argv0 = (PROC / str(pid) / "cmdline").read_bytes().split(b"\0", 1)[0]
    except OSError:
        return False
    return "pagefind" in os.path.basename(os.fsdecode(argv0))


class PagefindWatch:
    """Samples the peak memory of Pagefind processes below one process until stopped.

    The kernel keeps each process's own high-water mark (VmHWM), so sampling only has to see the
    process before it exits; a peak reached in its last SAMPLE_EVERY seconds can be missed.
    """

    def __init__(self, pid: int) -> None:
        self.pid, self.peak_mb, self._stop = pid, None, threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    peak_mb: float | None

    def _run(self) -> None:
        while not self._stop.wait(SAMPLE_EVERY):
            for child in descendants(self.pid):
                if is_pagefind(child) and (mb := high_water_mb(child)) is not None:
                    self.peak_mb = max(mb, self.peak_mb or 0.0)

    def stop(self) -> float | None:
        """Stop sampling; the largest peak seen, or None if no Pagefind process was seen."""
        self._stop.set()
        self._thread.join()
        return self.peak_mb


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
        watch = PagefindWatch(proc.pid)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
    pagefind_mb = watch.stop()
    proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here; keep Popen from waiting again
    if proc.returncode != 0:
        raise BuildFailed(f"{' '.join(argv)} (in {cwd}) exited {proc.returncode}:\n{tail(log)}")
    # Rounded as bench/results/ stores them, so the report and the chart's table show the same medians.
    return Sample(round(wall, 3), round(usage.ru_utime + usage.ru_stime, 3), round(usage.ru_maxrss / 1024, 1),
                  None if pagefind_mb is None else round(pagefind_mb, 1))


def tail(log: Path, lines: int = 20) -> str:
    """The last lines of a log file."""
    return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])
