"""A stat record of source files, kept the way git's index is: a file whose inode, size, mtime and ctime match
its entry holds the bytes whose digest the entry recorded, and is not read again.

Git's rule for racy timestamps applies: a file written in the same tick of the file system's clock as the record
was taken can change again without changing its stat, so an entry whose mtime or ctime is not older than the
record's own time (at the file system's granularity) is never trusted: the file is read and hashed again. The
record's time is the mtime of a file touched in the cache before any source is read, so it comes from the file
system's clock, not Python's, and every write after it gives a stat the entry does not hold.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from ..content.submissions import file_digest
from .cache import unseal, write_sealed

RECORD_NAME = "sources.stat"
CLOCK_NAME = "clock"
FORMAT = "stat-record-1"
GRANULARITIES = (2_000_000_000, 1_000_000_000, 1_000_000, 1_000)  # FAT, ext3 and HFS+, some network disks, µs


@dataclass(frozen=True, slots=True)
class FileStat:
    """What a file's status says about its bytes, without reading them."""

    inode: int
    size: int
    mtime_ns: int
    ctime_ns: int

    @classmethod
    def of(cls, st: os.stat_result) -> FileStat:
        """The parts of a stat result that tell whether a file changed."""
        return cls(st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


Entry = tuple[FileStat, bytes]  # a file's stat and the digest of the bytes it held then


@dataclass(frozen=True, slots=True)
class StatRecord:
    """The stat and digest of each source file, by path, and the file system's time just before they were taken."""

    recorded_at_ns: int
    files: Mapping[str, Entry]

    def trusted(self, path: str, stat: FileStat | None) -> bytes | None:
        """The digest recorded for a file whose stat still matches and is not racy; None means read it."""
        entry = self.files.get(path)
        if entry is None or stat is None or entry[0] != stat or racy(stat, self.recorded_at_ns):
            return None
        return entry[1]


NO_RECORD = StatRecord(0, {})


def stat_file(path: str) -> FileStat | None:
    """A file's stat, or None when it cannot be had (then the file is read, and its error reported)."""
    try:
        return FileStat.of(os.stat(path))
    except OSError:
        return None


def racy(stat: FileStat, recorded_at_ns: int) -> bool:
    """Whether the file may have changed within the tick the record was taken in (git's racy-git rule)."""
    return _not_older(stat.mtime_ns, recorded_at_ns) or _not_older(stat.ctime_ns, recorded_at_ns)


def _not_older(time_ns: int, recorded_at_ns: int) -> bool:
    """time_ns is not older than recorded_at_ns: a disk that keeps whole seconds stores a write made after the
    record as the start of its second, which can be before the record's time; so a time is taken as its whole tick."""
    if time_ns + GRANULARITIES[0] <= recorded_at_ns:  # older by more than the coarsest tick: no need to find its tick
        return False
    tick = next((size for size in GRANULARITIES if time_ns % size == 0), 1)
    return time_ns + tick > recorded_at_ns


def clock(folder: Path) -> int:
    """Now, by the file system's clock: the mtime of a file touched in folder (0 when it cannot be had, which
    makes every entry of a record taken then racy)."""
    path = folder / CLOCK_NAME
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with open(path, "ab"):
            pass
        os.utime(path)
        return os.stat(path).st_mtime_ns
    except OSError:
        return 0


class SourceFiles:
    """One build's view of the source files: the last record, and a new one filled as files are checked or read."""

    def __init__(self, previous: StatRecord, recorded_at_ns: int) -> None:
        self.previous = previous
        self.recorded_at_ns = recorded_at_ns
        self.entries: dict[str, Entry] = {}
        self.reads = 0

    def unchanged(self, path: Path) -> bytes | None:
        """The digest of a file the record vouches for, without reading it; None when it must be read."""
        name = str(path)
        stat = stat_file(name)
        known = self.previous.trusted(name, stat)
        if known is not None and stat is not None:
            self.entries[name] = (stat, known)
        return known

    def read(self, path: Path) -> tuple[bytes, bytes]:
        """A file's bytes and digest, recorded with the stat of the very file read (raises OSError)."""
        with open(path, "rb") as stream:
            st = os.fstat(stream.fileno())
            raw = stream.read()
        self.reads += 1
        digest = file_digest(raw)
        self.entries[str(path)] = (FileStat.of(st), digest)
        return raw, digest

    def record(self) -> StatRecord:
        """The record of this build: every file checked or read, as of this build's time."""
        return StatRecord(self.recorded_at_ns, dict(self.entries))


def load_record(folder: Path | None) -> StatRecord:
    """The record saved in folder; a missing, damaged or other-version one is NO_RECORD (every file is read)."""
    if folder is None:
        return NO_RECORD
    try:
        data = (folder / RECORD_NAME).read_bytes()
    except OSError:
        return NO_RECORD
    try:
        stored_format, recorded_at_ns, rows = unseal(data)
        files = {path: (FileStat(*row[:4]), row[4]) for path, row in rows.items()}
    except Exception:  # damaged, or (the checksum matched) a record from an incompatible topicsite: a full check
        return NO_RECORD
    if stored_format != FORMAT or not isinstance(recorded_at_ns, int):
        return NO_RECORD
    return StatRecord(recorded_at_ns, files)


def save_record(folder: Path | None, record: StatRecord) -> None:
    """Write the record into folder atomically (plain tuples: they pickle and load fast); a cache that cannot be
    written only costs the next build a full check."""
    if folder is None:
        return
    rows = {path: (s.inode, s.size, s.mtime_ns, s.ctime_ns, digest) for path, (s, digest) in record.files.items()}
    try:
        write_sealed(folder / RECORD_NAME, (FORMAT, record.recorded_at_ns, rows))
    except OSError:
        (folder / RECORD_NAME).unlink(missing_ok=True)


def start(folder: Path | None) -> SourceFiles:
    """The source files of one build: the saved record, and the file system's time before any file is read."""
    return SourceFiles(load_record(folder), clock(folder) if folder is not None else 0)
