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
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from .cache import Cache, key
from .incremental import Planned, Staged, Unchanged, digest, planned_digest
from .output import (MARKER, MARKER_TEXT, WriteResult, count_removed, link_or_copy, make_folder, marker_text, new_folder, put_file, remove_path,
                     same_bytes, swap)
from .render import OutputFile

Stat = tuple[int, int, int]


@dataclass(frozen=True, slots=True)
class Manifest:
    """What a build left in a folder: its path and inode, each file's digest and stat, each folder's mtime."""

    folder: str
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
        self.back: Manifest | None = self.pack.get(self.back_key)  # read now, so a build that writes nothing keeps it
        # Other output folders' manifests (serve's preview, build --output) stay while those folders exist.
        self.pack.keep(lambda manifest: isinstance(manifest, Manifest) and os.path.isdir(manifest.folder))
        self.on_disk, self.clean = verify(output_dir, self.live)
        self._staging: Path | None = None
        self._staged_from: Manifest | None = None

    def staging(self) -> Path:
        """The tree the next output is made in, beside the output: the back copy (as recorded, or as found on
        disk when there is no record), else empty. Made on first use, so a build with nothing to render or
        write touches nothing. Only the inodes of the back copy's files are trusted (a file that is the same
        inode as the live one holds the same bytes); every other file in it is replaced or removed."""
        if self._staging is None:
            back_manifest = self.back
            _, back_clean = verify(self.back_dir, back_manifest)
            staging = new_folder(self.output_dir, "new")
            mode = staging.stat().st_mode & 0o777  # as the umask makes it; a back copy from an older topicsite was private
            if not back_clean:  # no record (a new cache) or changed since: its files are taken for what they are
                back_manifest = _walk_ours(self.back_dir)
            if back_manifest is not None:
                os.rename(self.back_dir, staging)  # replaces the empty folder: the back copy becomes the staging tree
                os.chmod(staging, mode)
            else:
                if (self.back_dir / MARKER).is_file():  # never a folder of the user's that has its name
                    shutil.rmtree(self.back_dir, ignore_errors=True)
                (staging / MARKER).write_bytes(MARKER_TEXT)  # so that it is known as ours if kept as the back copy
            self._staging, self._staged_from = staging, back_manifest
        return self._staging

    def discard(self) -> None:
        """Remove the staging tree after a failure; the output folder was never touched."""
        if self._staging is not None:
            shutil.rmtree(self._staging, ignore_errors=True)
            self._staging = None

    def read(self, file: Planned) -> bytes:
        """A planned file's bytes: from memory, the staging tree or the output folder."""
        if isinstance(file, OutputFile):
            return file.data
        folder = self.output_dir if isinstance(file, Unchanged) else self.staging()
        return (folder / file.path).read_bytes()

    def write(self, files: Sequence[Planned]) -> WriteResult:
        """Make the output folder hold exactly `files`: nothing written if it already does, else update and swap."""
        if self.live is not None and self.clean and {f.path for f in files} == self.live.files.keys() and all(isinstance(f, Unchanged) for f in files):
            if self._staging is not None:  # pages were rendered again, all to the bytes already there: nothing was written
                os.rename(self._staging, self.back_dir)
                self._staging = None
            return WriteResult(len(files), (), 0)
        staging = self.staging()
        try:
            changed = self._fill(staging, files, self._staged_from)
            removed = self._removed(files)
            swap(staging, self.output_dir)
            if (staging / MARKER).is_file():
                os.rename(staging, self.back_dir)  # the old output, kept to be updated into the next one
            elif staging.exists():
                os.rmdir(staging)  # the empty folder the output replaced (only an empty one is replaced)
            self._staging = None
        except BaseException:
            self.discard()
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
            if isinstance(planned, Staged):  # already written into the staging tree while rendering
                changed.append(planned.path)
                continue
            target, old = f"{back_dir}/{planned.path}", f"{live_dir}/{planned.path}"
            known = self.on_disk.get(planned.path)
            data = planned.data if isinstance(planned, OutputFile) else None
            if data is None or (known is not None and known == digest(data)) or (known is None and same_bytes(Path(old), data)):
                # The live file's inode: as recorded only if that record was verified this build, else read now.
                live_stat = self.live.files[planned.path][1] if self.live and planned.path in self.on_disk else _stat(old)
                if live_stat is None or planned.path not in existing or existing[planned.path][1][0] != live_stat[0]:
                    remove_path(target)
                    if link_or_copy(Path(old), Path(target)):
                        continue
                    if data is None:
                        raise OSError(f"cannot link {old} into {target}")
                else:
                    continue
            put_file(back_dir, planned.path, data)
            changed.append(planned.path)
        folders = _all_dirs(f.path for f in files)
        for stale in existing.keys() - {f.path for f in files} - folders:  # a stale file's place may be a folder now
            remove_path(f"{back_dir}/{stale}")
        _remove_empty_dirs(back_dir, set(back.dirs) if back else set(), {f.path.rpartition("/")[0] for f in files})
        marker = marker_text(f.path for f in files)
        if not same_bytes(Path(back_dir, MARKER), marker):
            put_file(back_dir, MARKER, marker)
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
        records, digests = {}, {f.path: planned_digest(f) for f in files}
        for path, recorded in digests.items():
            stat = _stat(f"{live_dir}/{path}")
            if stat is not None:
                records[path] = (recorded, stat)
        dirs = {d: (_stat(f"{live_dir}/{d}") or (0, 0, 0))[2] for d in _all_dirs(f.path for f in files)}
        root = _stat(live_dir)
        if root is not None:
            self.pack.put(self.live_key, Manifest(live_dir, root[0], records, dirs))


def _walk_ours(folder: Path) -> Manifest | None:
    """walk() a folder topicsite wrote (it has the marker file); None for anything else or on any error."""
    try:
        return walk(folder) if (folder / MARKER).is_file() else None
    except OSError:
        return None


def walk(folder: Path) -> Manifest | None:
    """What a folder holds, found on disk: each file's stat (its digest unknown) and each folder's mtime."""
    root = _stat(str(folder))
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
        make_folder(root, f"{root}/{folder}")


def _remove_empty_dirs(root: str, had: set[str], needed: set[str]) -> None:
    keep = _all_dirs(f"{d}/x" for d in needed if d)
    for folder in sorted(had - keep, key=lambda d: d.count("/"), reverse=True):
        shutil.rmtree(f"{root}/{folder}", ignore_errors=True)
