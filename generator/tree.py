"""Keep an output folder in step with a plan, touching only what changed, and still swap it in whole.

A manifest records each output file's digest and stat (inode, size, mtime) and each folder's
mtime. A file whose stat still matches is known to hold its recorded bytes without reading it;
anything that does not match is treated as unknown. The previous output is kept beside the
output (`.NAME.back`) and updated into the next one, so a rebuild after one edit rewrites a few
files instead of the whole tree before the atomic exchange.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from .cache import Cache, key
from .incremental import Planned, Unchanged, digest
from .output import MARKER, MARKER_TEXT, WriteResult, count_removed, link_or_copy, same_bytes, swap

Stat = tuple[int, int, int]


@dataclass(frozen=True, slots=True)
class Manifest:
    """What a build left in a folder: the folder's inode, each file's digest and stat, each folder's mtime."""

    root: int
    files: dict[str, tuple[bytes, Stat]]
    dirs: dict[str, int]


def _stat(path: str) -> Stat | None:
    try:
        st = os.stat(path, follow_symlinks=False)
    except OSError:
        return None
    return (st.st_ino, st.st_size, st.st_mtime_ns)


def verify(folder: Path, manifest: Manifest | None) -> tuple[dict[str, bytes], bool]:
    """The files of folder that still hold their recorded bytes, and whether it holds nothing else."""
    root = _stat(str(folder))
    if manifest is None or root is None or root[0] != manifest.root:
        return {}, False
    prefix = f"{folder}/"
    good = {path: recorded for path, (recorded, stat) in manifest.files.items() if _stat(prefix + path) == stat}
    dirs_same = all((_stat(prefix + d) or (0, 0, 0))[2] == mtime for d, mtime in manifest.dirs.items())
    return good, dirs_same and len(good) == len(manifest.files)


class OutputTree:
    """An output folder, its back copy, and their manifests in the cache."""

    def __init__(self, output_dir: Path, cache: Cache) -> None:
        self.output_dir = output_dir
        self.back_dir = output_dir.parent / f".{output_dir.name}.back"
        self.pack = cache.pack("trees")
        self.live_key, self.back_key = key("live", str(output_dir)), key("back", str(output_dir))
        self.live: Manifest | None = self.pack.get(self.live_key)
        self.on_disk, self.clean = verify(output_dir, self.live)

    def write(self, files: Sequence[Planned]) -> WriteResult:
        """Make the output folder hold exactly `files`: nothing written if it already does, else update and swap."""
        if self.live is not None and self.clean and {f.path for f in files} == self.live.files.keys() and all(isinstance(f, Unchanged) for f in files):
            return WriteResult(len(files), (), 0)
        back_manifest = self.pack.get(self.back_key)
        _, back_clean = verify(self.back_dir, back_manifest)
        staging = Path(tempfile.mkdtemp(prefix=f".{self.output_dir.name}.new-", dir=self.output_dir.parent))
        if back_clean:
            os.rename(self.back_dir, staging)  # replaces the empty folder: the back copy becomes the staging tree
        else:
            shutil.rmtree(self.back_dir, ignore_errors=True)
            back_manifest = None
        try:
            changed = self._fill(staging, files, back_manifest)
            removed = self._removed(files)
            swap(staging, self.output_dir)
            if staging.exists():
                os.rename(staging, self.back_dir)  # the old output, kept to be updated into the next one
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        self._record(files)
        return WriteResult(len(files), tuple(changed), removed)

    def _fill(self, staging: Path, files: Sequence[Planned], back: Manifest | None) -> list[str]:
        """Update the staging tree (the back copy, or empty) into the plan: link what is unchanged, write the rest."""
        back_dir, live_dir = str(staging), str(self.output_dir)
        existing = back.files if back else {}
        _make_dirs(back_dir, {f.path.rpartition("/")[0] for f in files}, set(back.dirs) if back else set())
        changed = []
        for planned in files:
            target, old = f"{back_dir}/{planned.path}", f"{live_dir}/{planned.path}"
            known = self.on_disk.get(planned.path)
            data = planned.data if not isinstance(planned, Unchanged) else None
            if data is None or (known is not None and known == digest(data)) or (known is None and same_bytes(Path(old), data)):
                live_stat = self.live.files[planned.path][1] if self.live and planned.path in self.live.files else None
                if live_stat is None or planned.path not in existing or existing[planned.path][1][0] != live_stat[0]:
                    _remove(target)
                    if link_or_copy(Path(old), Path(target)):
                        continue
                    if data is None:
                        raise OSError(f"cannot link {old} into {target}")
                else:
                    continue
            _remove(target)
            with open(target, "wb") as stream:
                stream.write(data)
            changed.append(planned.path)
        for stale in existing.keys() - {f.path for f in files}:
            _remove(f"{back_dir}/{stale}")
        _remove_empty_dirs(back_dir, set(back.dirs) if back else set(), {f.path.rpartition("/")[0] for f in files})
        if not os.path.exists(f"{back_dir}/{MARKER}"):
            Path(back_dir, MARKER).write_bytes(MARKER_TEXT)
        return changed

    def _removed(self, files: Sequence[Planned]) -> int:
        planned = {f.path for f in files}
        if self.live is not None and self.clean:
            return len(self.live.files.keys() - planned)
        return count_removed(files, self.output_dir)

    def _record(self, files: Sequence[Planned]) -> None:
        """Remember the new live tree, and that the old one (now the back copy) is as it was recorded."""
        if self.live is not None and self.clean:
            self.pack.put(self.back_key, self.live)
        live_dir = str(self.output_dir)
        records, digests = {}, {f.path: f.digest if isinstance(f, Unchanged) else digest(f.data) for f in files}
        for path, recorded in digests.items():
            stat = _stat(f"{live_dir}/{path}")
            if stat is not None:
                records[path] = (recorded, stat)
        dirs = {d: (_stat(f"{live_dir}/{d}") or (0, 0, 0))[2] for d in _all_dirs(f.path for f in files)}
        root = _stat(live_dir)
        if root is not None:
            self.pack.put(self.live_key, Manifest(root[0], records, dirs))


def _all_dirs(paths: Iterable[str]) -> set[str]:
    """Every folder holding a planned file, and their parents ('' is the top)."""
    found = {""}
    for path in paths:
        folder = path.rpartition("/")[0]
        while folder and folder not in found:
            found.add(folder)
            folder = folder.rpartition("/")[0]
    return found


def _make_dirs(root: str, needed: set[str], existing: set[str]) -> None:
    os.makedirs(root, exist_ok=True)
    for folder in sorted(_all_dirs(f"{d}/x" for d in needed if d) - existing - {""}):
        os.makedirs(f"{root}/{folder}", exist_ok=True)


def _remove_empty_dirs(root: str, had: set[str], needed: set[str]) -> None:
    keep = _all_dirs(f"{d}/x" for d in needed if d)
    for folder in sorted(had - keep, key=lambda d: d.count("/"), reverse=True):
        shutil.rmtree(f"{root}/{folder}", ignore_errors=True)


def _remove(path: str) -> None:
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
    except IsADirectoryError:
        shutil.rmtree(path)
