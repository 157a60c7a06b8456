"""One import run, whatever its source: plan the files, decide what to write, write, and report."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

from ..errors import Problem
from .convert import Converted
from .documents import submission_text, topic_text
from .record import Outcome, Planned, Record, decide, write


@dataclass(frozen=True, slots=True)
class Report:
    """What a run did (or would do), its counts, and every problem, sorted."""

    outcome: Outcome
    counts: tuple[tuple[str, int], ...]
    problems: tuple[Problem, ...]
    written: bool

    @property
    def failed(self) -> bool:
        return any(p.severity == "error" for p in self.problems)


def planned_files(converted: Converted, zone: ZoneInfo) -> list[Planned]:
    """The file of every topic and submission."""
    files = [Planned(t.path, topic_text(t), t.source, t.changed) for t in converted.topics]
    files += [Planned(s.path, submission_text(s, zone), s.source, s.changed) for s in converted.submissions]
    return files


def run(site_dir: Path, converted: Converted, zone: ZoneInfo, record: Record, *, force: bool, dry_run: bool) -> Report:
    """Write what changed, unless the run is a dry run or the items collide; `record` is the import record as read."""
    outcome = decide(site_dir, planned_files(converted, zone), record.entries, force=force)
    written = not dry_run and not converted.blocked
    if written:
        write(site_dir, outcome, record.data)
    problems = sorted([*converted.problems, *outcome.problems(site_dir)], key=Problem.sort_key)
    return Report(outcome, converted.counts, tuple(problems), written)
