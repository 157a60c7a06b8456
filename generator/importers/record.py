"""The import record and the one writer of imported files: update what the importer wrote, never an editor's file."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from ..errors import Problem, SiteError

RECORD_NAME = "import-record.json"
RECORD_VERSION = 1
Action = Literal["create", "update", "unchanged", "left"]


@dataclass(frozen=True, slots=True)
class Planned:
    """One file an import wants: its path in the site folder, its text, and the source item it comes from."""

    path: str
    text: str
    source: str
    changed: int


@dataclass(frozen=True, slots=True)
class Entry:
    """What the record remembers of a written file."""

    sha256: str
    source: str
    changed: int


@dataclass(frozen=True, slots=True)
class Decision:
    """What the writer does with one planned file, and why when it leaves it alone."""

    planned: Planned
    action: Action
    reason: str = ""


@dataclass(frozen=True, slots=True)
class Outcome:
    """Every decision of a run, in path order, and the record to keep afterwards."""

    decisions: tuple[Decision, ...]
    record: Mapping[str, Entry] = field(default_factory=dict)

    def count(self, action: Action) -> int:
        return sum(1 for d in self.decisions if d.action == action)

    def problems(self, site_dir: Path) -> list[Problem]:
        """A warning for every file left alone."""
        return [Problem(site_dir / d.planned.path, 1, f"{d.planned.source}: {d.reason}", "warning")
                for d in self.decisions if d.action == "left"]


@dataclass(frozen=True, slots=True)
class Record:
    """The import record as one run read it: its entries, and its bytes (None when there is none yet)."""

    entries: Mapping[str, Entry]
    data: bytes | None


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def parse_record(text: str) -> dict[str, Entry]:
    """The record file's entries by path; ValueError when it is not a record this version wrote."""
    data = json.loads(text)
    if not isinstance(data, dict) or data.get("version") != RECORD_VERSION or not isinstance(data.get("files"), dict):
        raise ValueError(f"not a version {RECORD_VERSION} import record")
    entries = {}
    for path, entry in data["files"].items():
        if not isinstance(entry, dict) or not isinstance(entry.get("sha256"), str):
            raise ValueError(f"the entry of {path!r} has no sha256")
        entries[path] = Entry(entry["sha256"], str(entry.get("source", "")), int(entry.get("changed", 0)))
    return entries


def record_text(entries: Mapping[str, Entry]) -> str:
    """The record file's text: sorted, one entry a line-group, so that diffs in review stay small."""
    files = {path: {"sha256": e.sha256, "source": e.source, "changed": e.changed} for path, e in sorted(entries.items())}
    return json.dumps({"version": RECORD_VERSION, "files": files}, indent=1, ensure_ascii=False) + "\n"


def read_record(site_dir: Path) -> Record:
    """The site's import record, empty when there is none yet; read once a run, and passed along."""
    path = site_dir / RECORD_NAME
    try:
        data = path.read_bytes()
        return Record(parse_record(data.decode("utf-8")), data)
    except FileNotFoundError:
        return Record({}, None)
    except (ValueError, TypeError) as error:  # TypeError: a 'changed' that is no number; ValueError: bad JSON or UTF-8
        raise SiteError.single(path, 1, f"the import record is damaged ({error}); restore it from version control") from None
    except OSError as error:
        raise SiteError.single(path, 1, f"cannot read the import record: {error.strerror or error}") from None


def decide(site_dir: Path, planned: Iterable[Planned], record: Mapping[str, Entry], *, force: bool) -> Outcome:
    """Decide per file: create, update (only if untouched since the last import), leave alone, or nothing to do."""
    decisions = []
    kept = dict(record)
    for item in sorted(planned, key=lambda p: p.path):
        data = item.text.encode("utf-8")
        decision = _decide(site_dir / item.path, data, record.get(item.path), force=force, planned=item)
        decisions.append(decision)
        if decision.action != "left":
            kept[item.path] = Entry(digest(data), item.source, item.changed)
    return Outcome(tuple(decisions), kept)


def _decide(path: Path, data: bytes, entry: Entry | None, *, force: bool, planned: Planned) -> Decision:
    try:
        current = path.read_bytes()
    except FileNotFoundError:
        if entry is not None and not force:
            return Decision(planned, "left", "was deleted since it was imported; left deleted (use --force to import it again)")
        return Decision(planned, "create")
    if current == data:
        return Decision(planned, "unchanged")
    if force:
        return Decision(planned, "update")
    if entry is None:
        return Decision(planned, "left", "the file exists and was not written by an import; left as it is (use --force to replace it)")
    if digest(current) != entry.sha256:
        return Decision(planned, "left", "the file was edited since it was imported; left as it is (use --force to replace it)")
    return Decision(planned, "update")


def write(site_dir: Path, outcome: Outcome, previous: bytes | None) -> None:
    """Write every created or updated file, then the record unless it is `previous` (as read); each file replaced whole."""
    for decision in outcome.decisions:
        if decision.action in ("create", "update"):
            _replace(site_dir / decision.planned.path, decision.planned.text.encode("utf-8"))
    record = record_text(outcome.record).encode("utf-8")
    if record != previous:
        _replace(site_dir / RECORD_NAME, record)


def _replace(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.importing")
    temporary.write_bytes(data)
    temporary.replace(path)
