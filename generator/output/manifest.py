"""Records of what a build left in a folder, checked against the disk without reading a file.

A manifest records each output file's digest and stat (inode, size, mtime) and each folder's
mtime. A file whose stat still matches is known to hold its recorded bytes without reading it;
anything that does not match is treated as unknown.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from .folder import MARKER, make_folder

Stat = tuple[int, int, int]


@dataclass(frozen=True, slots=True)
class Manifest:
    """What a build left in a folder: its path and inode, each file's digest and stat, each folder's mtime."""

    folder: str
    root: int
    files: dict[str, tuple[bytes, Stat]]
    dirs: dict[str, int]


def stat_of(path: str) -> Stat | None:
    """A file's inode, size and mtime, or None when it cannot be read."""
    try:
        st = os.stat(path, follow_symlinks=False)
    except OSError:
        return None
    return (st.st_ino, st.st_size, st.st_mtime_ns)


def verify(folder: Path, manifest: Manifest | None) -> tuple[dict[str, bytes], bool]:
    """The files of folder that still hold their recorded bytes, and whether it holds nothing else."""
    root = stat_of(str(folder))
    if manifest is None or root is None or root[0] != manifest.root:
        return {}, False
    prefix = f"{folder}/"
    good = {path: recorded for path, (recorded, stat) in manifest.files.items() if stat_of(prefix + path) == stat}
    dirs_same = all((stat_of(prefix + d) or (0, 0, 0))[2] == mtime for d, mtime in manifest.dirs.items())
    return good, dirs_same and len(good) == len(manifest.files)


def record(folder: Path, digests: dict[str, bytes]) -> Manifest | None:
    """A manifest of folder as it is now, holding files with these digests; None if the folder is gone."""
    prefix = f"{folder}/"
    records = {}
    for path, recorded in digests.items():
        stat = stat_of(prefix + path)
        if stat is not None:
            records[path] = (recorded, stat)
    dirs = {d: (stat_of(prefix + d) or (0, 0, 0))[2] for d in all_dirs(digests)}
    root = stat_of(str(folder))
    return Manifest(str(folder), root[0], records, dirs) if root is not None else None


def updated(folder: Path, digests: dict[str, bytes], live: Manifest, back: Manifest, touched: set[str]) -> Manifest | None:
    """The manifest of folder, made from the back copy `back` by a write that replaced or removed only the `touched`
    files, when the old live folder was as `live` records: an untouched file is the old live file (the same inode,
    so the same stat), an untouched folder holds the same entries as in the back copy. Only the rest is looked at."""
    prefix = f"{folder}/"
    records = {}
    for path, recorded in digests.items():
        old = live.files.get(path)
        stat = stat_of(prefix + path) if old is None or path in touched else old[1]
        if stat is not None:
            records[path] = (recorded, stat)
    needed = all_dirs(digests)
    moved = touched | (needed ^ set(back.dirs))  # folders made or removed change their parent's entries
    looked_at = all_dirs(moved) | (needed - set(back.dirs))
    dirs = {d: (stat_of(prefix + d) or (0, 0, 0))[2] if d in looked_at else back.dirs[d] for d in needed}
    root = stat_of(str(folder))
    return Manifest(str(folder), root[0], records, dirs) if root is not None else None


def walk_ours(folder: Path) -> Manifest | None:
    """walk() a folder topicsite wrote (it has the marker file); None for anything else or on any error."""
    try:
        return walk(folder) if (folder / MARKER).is_file() else None
    except OSError:
        return None


def walk(folder: Path) -> Manifest | None:
    """What a folder holds, found on disk: each file's stat (its digest unknown) and each folder's mtime."""
    root = stat_of(str(folder))
    if root is None:
        return None
    files: dict[str, tuple[bytes, Stat]] = {}
    dirs: dict[str, int] = {"": root[2]}
    pending = [""]
    while pending:
        relative = pending.pop()
        with os.scandir(f"{folder}/{relative}" if relative else folder) as entries:
            for entry in entries:
                path = f"{relative}/{entry.name}" if relative else entry.name
                st = entry.stat(follow_symlinks=False)
                if entry.is_dir(follow_symlinks=False):
                    dirs[path] = st.st_mtime_ns
                    pending.append(path)
                elif path != MARKER:
                    files[path] = (b"", (st.st_ino, st.st_size, st.st_mtime_ns))
    return Manifest(str(folder), root[0], files, dirs)


def all_dirs(paths: Iterable[str]) -> set[str]:
    """Every folder holding one of the files, and their parents ('' is the top)."""
    found = {""}
    for path in paths:
        folder = path.rpartition("/")[0]
        while folder and folder not in found:
            found.add(folder)
            folder = folder.rpartition("/")[0]
    return found


def make_dirs(root: str, needed: set[str], existing: set[str]) -> None:
    """Make the needed folders under root that do not exist yet."""
    os.makedirs(root, exist_ok=True)
    for folder in sorted(all_dirs(f"{d}/x" for d in needed if d) - existing - {""}):
        make_folder(root, f"{root}/{folder}")


def remove_empty_dirs(root: str, had: set[str], needed: set[str]) -> None:
    """Remove the folders under root that held files before and are needed no more."""
    keep = all_dirs(f"{d}/x" for d in needed if d)
    for folder in sorted(had - keep, key=lambda d: d.count("/"), reverse=True):
        shutil.rmtree(f"{root}/{folder}", ignore_errors=True)
