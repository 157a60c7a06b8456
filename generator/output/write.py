"""The one writer: bring an output folder in step with a plan, touching only what changed, and swap it in whole.

The previous output is kept beside the output (`.NAME.back`) and updated into the next one, so a
rebuild after one edit rewrites a few files instead of the whole tree before the atomic exchange.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from ..errors import SiteError
from ..memo.cache import Cache
from ..memo.parallel import map_chunked
from ..render.planned import Plan, PlannedFile, Previous
from ..site.digests import key
from .folder import (MARKER, MARKER_TEXT, back_dir, build_lock, check_output_dir, check_users_files,
                     count_removed, link_or_copy, marker_text, new_folder, put_file, put_spooled,
                     real_output_dir, remove_leftovers, remove_path, same_bytes, same_file, swap)
from .manifest import Manifest, all_dirs, make_dirs, record, remove_empty_dirs, stat_of, updated, verify, walk_ours


@dataclass(frozen=True, slots=True)
class WriteResult:
    """What a write did: how many files, which paths were written anew, how many files went."""

    files: int
    changed: tuple[str, ...]
    removed: int


class Output:
    """An output folder opened for one build, its back copy, and their manifests in the memo."""

    def __init__(self, output_dir: Path, memo: Cache, *, trusted: bool = False) -> None:
        self.output_dir = output_dir
        self.back_dir = back_dir(output_dir)
        self.pack = memo.pack("trees")
        self.live_key, self.back_key = _manifest_keys(output_dir)
        self.live: Manifest | None = self.pack.get(self.live_key)
        self.back: Manifest | None = self.pack.get(self.back_key)  # read now, so a build that writes nothing keeps it
        # Other output folders' manifests (serve's preview, build --output) stay while those folders exist.
        self.pack.keep(lambda manifest: isinstance(manifest, Manifest) and os.path.isdir(manifest.folder))
        # serve checks its preview folder against the record while idle: then a rebuild takes the record as true
        # instead of checking two stats a file (the live folder and the back copy) on the editor's time.
        # Still the folders recorded (the inodes of the roots): not replaced or removed since the check.
        self.trusted = trusted and _same_root(output_dir, self.live)
        self.back_trusted = self.trusted and _same_root(self.back_dir, self.back)
        if self.trusted and self.live is not None:
            self.on_disk, self.clean = {path: digest for path, (digest, _) in self.live.files.items()}, True
        else:
            self.on_disk, self.clean = verify(output_dir, self.live)
        self.staging: Path | None = None
        self.spool: Path | None = new_folder(output_dir, "spool")  # rendered bytes wait here, not in memory

    @property
    def previous(self) -> Previous:
        """What the folder holds now, for the planner (read only), and the spool folder rendering writes new bytes to."""
        return Previous(str(self.output_dir), self.on_disk, lambda path: (self.output_dir / path).read_bytes(), str(self.spool or ""))

    def holds(self, plan: Plan) -> bool:
        """Whether the folder already holds exactly the plan, verified by its record."""
        return (self.live is not None and self.clean and len(plan) == len(self.live.files)
                and not any(f.made for f in plan) and all(f.path in self.live.files for f in plan))

    def discard(self) -> None:
        """Remove the spool folder, and the staging tree after a failure (the output folder was never touched)."""
        if self.staging is not None:
            shutil.rmtree(self.staging, ignore_errors=True)
            self.staging = None
        if self.spool is not None:
            shutil.rmtree(self.spool, ignore_errors=True)
            self.spool = None


@contextmanager
def open_output(output_dir: Path, site_dir: Path, memo: Cache, *, wait: bool = True, trusted: bool = False) -> Iterator[Output]:
    """An output folder checked (never the sources, never a folder of the user's), locked against other builds and
    cleared of what killed builds left; an OSError inside becomes a SiteError saying the output is unchanged."""
    output_dir = real_output_dir(output_dir)
    check_output_dir(output_dir, site_dir)
    try:
        output_dir.parent.mkdir(parents=True, exist_ok=True)
        with build_lock(output_dir, wait=wait):
            remove_leftovers(output_dir)
            output = Output(output_dir, memo, trusted=trusted)
            try:
                check_users_files(output_dir, clean=output.clean)  # inside: a refusal must not leave the spool behind
                yield output
            finally:
                output.discard()
    except OSError as error:
        raise SiteError.single(Path(error.filename or output_dir), 1, f"cannot write the site: {error.strerror or error}; the previous output is unchanged") from None


def intact(output_dir: Path, memo: Cache) -> bool:
    """Whether an output folder, and its back copy if it has one, hold just what the memo records of them (serve
    checks this while idle, so that its next rebuild may trust the record: see Output)."""
    output_dir = real_output_dir(output_dir)
    with build_lock(output_dir, wait=True):
        trees = memo.pack("trees")
        live, back = (trees.get(name) for name in _manifest_keys(output_dir))
        # A back copy without a record is walked by the next write, whatever it is told.
        return live is not None and verify(output_dir, live)[1] and (back is None or verify(back_dir(output_dir), back)[1])


def add_back_copy(output_dir: Path, memo: Cache) -> None:
    """Give an output folder recorded in the memo a back copy (its files linked) if it has none, recorded for the next
    build (serve does this while idle after its first build, which would otherwise link every file on the first edit)."""
    output_dir = real_output_dir(output_dir)
    back = back_dir(output_dir)
    with build_lock(output_dir, wait=True):
        trees = memo.pack("trees")
        live_key, back_key = _manifest_keys(output_dir)
        live = trees.get(live_key)
        if live is None or trees.get(back_key) is not None or os.path.lexists(back):
            return
        staging = new_folder(output_dir, "new")
        try:
            make_dirs(str(staging), {path.rpartition("/")[0] for path in live.files}, set())
            for path in [MARKER, *live.files]:
                os.link(output_dir / path, staging / path)
            os.rename(staging, back)
        except OSError:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        manifest = record(back, {path: digest for path, (digest, _) in live.files.items()})
        if manifest is not None:
            trees.put(back_key, manifest)
            trees.carry(saved=False)  # saved by the next build, which finds it among the entries it reads


def write(plan: Plan, output: Output) -> WriteResult:
    """Make the output folder hold exactly the plan: nothing written if it already does, else update the back copy
    into it and swap it in."""
    if output.holds(plan):
        return WriteResult(len(plan), (), 0)
    staging, back, back_trusted = _staging(output)
    changed, touched = _fill(output, staging, plan, back)
    removed = _removed(output, plan)
    swap(staging, output.output_dir)
    if (staging / MARKER).is_file():
        os.rename(staging, output.back_dir)  # the old output, kept to be updated into the next one
    elif staging.exists():
        os.rmdir(staging)  # the empty folder the output replaced (only an empty one is replaced)
    output.staging = None
    _record(output, plan, back if back_trusted else None, {*changed, *touched})
    return WriteResult(len(plan), tuple(changed), removed)


def _staging(output: Output) -> tuple[Path, Manifest | None, bool]:
    """The tree the next output is made in, beside the output: the back copy (as recorded, or as found on disk when
    there is no record), else empty. Only the inodes of the back copy's files are trusted (a file that is the same
    inode as the live one holds the same bytes); every other file in it is replaced or removed. Also says whether
    the back copy is as recorded by trust (see Output), not by a check."""
    back_manifest = output.back
    trusted = output.back_trusted
    back_clean = trusted or verify(output.back_dir, back_manifest)[1]
    if not back_clean:  # no record (a new cache) or changed since: its files are taken for what they are
        back_manifest = walk_ours(output.back_dir)
    if back_manifest is None and output.spool is not None:
        # No back copy to update: the spool, where rendering put the new files at their paths, becomes the staging tree.
        staging, output.spool = output.spool, None
        output.staging = staging
    else:
        staging = output.staging = new_folder(output.output_dir, "new")
    mode = staging.stat().st_mode & 0o777  # as the umask makes it; a back copy from an older topicsite was private
    if back_manifest is not None:
        os.rename(output.back_dir, staging)  # replaces the empty folder: the back copy becomes the staging tree
        os.chmod(staging, mode)
    else:
        if (output.back_dir / MARKER).is_file():  # never a folder of the user's that has its name
            shutil.rmtree(output.back_dir, ignore_errors=True)
        (staging / MARKER).write_bytes(MARKER_TEXT)  # so that it is known as ours if kept as the back copy
    return staging, back_manifest, trusted


def _manifest_keys(output_dir: Path) -> tuple[bytes, bytes]:
    """The memo's keys for the manifests of an output folder and of its back copy."""
    return key("live", str(output_dir)), key("back", str(output_dir))


def _same_root(folder: Path, manifest: Manifest | None) -> bool:
    """Whether a folder is the one a manifest records (its inode), without looking at its files."""
    root = stat_of(str(folder))
    return manifest is not None and root is not None and root[0] == manifest.root


def _fill(output: Output, staging: Path, plan: Plan, back: Manifest | None) -> tuple[list[str], list[str]]:
    """Update the staging tree (the back copy, the spool or empty) into the plan: link what is unchanged, write the
    rest. Returns the paths written anew and the other paths whose files were linked again or removed."""
    stage_dir, live_dir = str(staging), str(output.output_dir)
    existing = back.files if back else {}
    in_place = all_dirs(f.path for f in plan if f.spooled == f"{stage_dir}/{f.path}")  # the spool's folders
    make_dirs(stage_dir, {f.path.rpartition("/")[0] for f in plan}, set(back.dirs) if back else in_place)
    changed: list[PlannedFile] = []
    touched: list[str] = []
    for planned in plan:
        target, old = f"{stage_dir}/{planned.path}", f"{live_dir}/{planned.path}"
        known = output.on_disk.get(planned.path)
        if planned.spooled == target:  # rendered into the spool that is now the staging tree: the file is in place
            if known == planned.digest or (known is None and _same(old, planned)):
                touched.append(planned.path)  # the same bytes as the live file, in a new file
            else:
                changed.append(planned)
            continue
        if not planned.made or known == planned.digest or (known is None and _same(old, planned)):
            # The live file's inode: as recorded only if that record was verified this build, else read now.
            live_stat = output.live.files[planned.path][1] if output.live and known is not None else stat_of(old)
            if live_stat is not None and planned.path in existing and existing[planned.path][1][0] == live_stat[0]:
                continue  # the back copy's file is the live file itself (one inode)
            remove_path(target)
            touched.append(planned.path)
            if link_or_copy(Path(old), Path(target)):
                continue
            if not planned.made:
                raise OSError(f"cannot link {old} into {target}")
        changed.append(planned)
    _write_all(stage_dir, changed)
    folders = all_dirs(f.path for f in plan)
    for stale in existing.keys() - {f.path for f in plan} - folders:  # a stale file's place may be a folder now
        remove_path(f"{stage_dir}/{stale}")
        touched.append(stale)
    remove_empty_dirs(stage_dir, set(back.dirs) if back else set(), {f.path.rpartition("/")[0] for f in plan})
    marker = marker_text(f.path for f in plan)
    if not same_bytes(Path(stage_dir, MARKER), marker):
        put_file(stage_dir, MARKER, marker)
    return [f.path for f in changed], touched


_pending: tuple[str, list[PlannedFile]] = ("", [])  # what _write_chunk writes: set before the workers fork


def _same(old: str, planned: PlannedFile) -> bool:
    """Whether the live file at `old` holds the planned file's new bytes (checked when no record says)."""
    if planned.spooled is not None:
        return same_file(old, planned.spooled)
    return planned.data is not None and same_bytes(Path(old), planned.data)


def _write_all(root: str, files: list[PlannedFile]) -> None:
    """Move spooled files into place, and write the others' bytes under root, over all cores when there are many:
    forked workers inherit the bytes."""
    global _pending
    for planned in files:
        if planned.spooled is not None:
            put_spooled(root, planned.path, planned.spooled)
    files = [f for f in files if f.spooled is None]
    _pending = (root, files)
    try:
        map_chunked(_write_chunk, range(len(files)))
    finally:
        _pending = ("", [])


def _write_chunk(positions: Sequence[int]) -> list[int]:
    root, files = _pending
    for position in positions:
        data = files[position].data
        assert data is not None  # only files whose bytes are in the plan are written
        put_file(root, files[position].path, data)
    return list(positions)


def _removed(output: Output, plan: Plan) -> int:
    paths = {f.path for f in plan}
    if output.live is not None and output.clean:
        return len(output.live.files.keys() - paths)
    return count_removed(paths, output.output_dir)


def _record(output: Output, plan: Plan, back: Manifest | None, touched: set[str]) -> None:
    """Remember the new live tree, and that the old one (now the back copy) is as it was recorded. When both were
    trusted (`back` given), only what this write touched is looked at again: the rest is the old record's."""
    if output.live is not None and output.clean:
        output.pack.put(output.back_key, output.live)
    digests = {f.path: f.digest for f in plan}
    if back is not None and output.live is not None:
        manifest = updated(output.output_dir, digests, output.live, back, touched)
    else:
        manifest = record(output.output_dir, digests)
    if manifest is not None:
        output.pack.put(output.live_key, manifest)
