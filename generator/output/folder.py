"""The output folder and what stands beside it: the checks before a build, the lock, leftovers, the marker, the swap."""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import fcntl
import filecmp
import glob
import os
import re
import secrets
import shutil
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path, PurePosixPath
from urllib.parse import quote, unquote

from ..errors import Problem, SiteError

MARKER = ".topicsite"
MARKER_TEXT = b"This folder is written by topicsite and replaced whole on every build; do not keep files of your own here.\n"
MARKER_LIST = b"Files it wrote:\n"
LEFTOVER = re.compile(r"\.(?:new|old|spool)-[a-z0-9_]{8}")  # new_folder's (and older mkdtemp) names only
RENAME_EXCHANGE = 2
AT_FDCWD = -100


def real_output_dir(output_dir: Path) -> Path:
    """The folder a build replaces: a symbolic link to a folder is followed, so the link stays and its target is rebuilt."""
    return Path(os.path.realpath(output_dir))


def new_folder(output_dir: Path, kind: str) -> Path:
    """A new folder beside the output (.NAME.KIND-xxxxxxxx) that the umask applies to, as to any folder a build
    makes (mkdtemp's are private, and a server could not read an output folder swapped in from one)."""
    for _ in range(100):
        folder = output_dir.parent / f".{output_dir.name}.{kind}-{secrets.token_hex(4)}"
        try:
            folder.mkdir(0o777)
            return folder
        except FileExistsError:
            continue
    raise FileExistsError(errno.EEXIST, "no free name for a folder beside the output", str(output_dir.parent))


def marker_text(paths: Iterable[str]) -> bytes:
    """The marker file: what the folder is, then each file a build wrote (so that a file of the user's is known)."""
    return MARKER_TEXT + MARKER_LIST + "".join(f"{quote(path)}\n" for path in sorted(paths)).encode("ascii")


def written_files(output_dir: Path) -> set[str] | None:
    """The files the marker says a build wrote; None when it does not say (no marker, or one from an older topicsite)."""
    try:
        text = (output_dir / MARKER).read_bytes()
    except OSError:
        return None
    _, found, listing = text.partition(MARKER_LIST)
    return {unquote(line) for line in listing.decode("ascii", "replace").splitlines()} if found else None


def back_dir(output_dir: Path) -> Path:
    """The back copy of an output folder: the previous output, kept beside it to be updated into the next one."""
    return output_dir.parent / f".{output_dir.name}.back"


def check_users_files(output_dir: Path, *, clean: bool) -> None:
    """Refuse to replace an output folder holding files topicsite did not write, or to reuse a folder of the user's
    that has the back copy's name: a build would take them out of the output. `clean` says a record shows none."""
    back = back_dir(output_dir)
    if os.path.lexists(back) and not (back / MARKER).is_file():
        raise SiteError.single(back, 1, f"has the name topicsite gives the back copy of {output_dir.name}/, but topicsite did not write it; "
                                        "rename it, or choose another output folder")
    written = None if clean else written_files(output_dir)
    if written is not None:
        found = users_files(output_dir, written)
        if found:
            message = ("was not written by topicsite, and a build replaces the output folder whole; move it out of the folder "
                       "(files to publish go in static/; add files a host needs at the top, such as CNAME, where you deploy a copy of the output)")
            raise SiteError(Problem(output_dir / path, 1, message) for path in found)


def users_files(output_dir: Path, written: set[str]) -> list[str]:
    """Files and folders in the output that are not among those written (a folder is named once, not its files)."""
    needed = {parent.as_posix() for path in written for parent in PurePosixPath(path).parents}
    found, pending = [], [""]
    while pending:
        folder = pending.pop()
        with os.scandir(output_dir / folder) as entries:
            for entry in entries:
                path = f"{folder}{entry.name}"
                if entry.is_dir(follow_symlinks=False) and path in needed:
                    pending.append(path + "/")
                elif path not in written and path != MARKER:
                    found.append(path)
    return sorted(found)


def put_file(root: str, path: str, data: bytes) -> None:
    """Write a new file at root/path, replacing what is there (a hard-linked file is unlinked, never written through)."""
    target = f"{root}/{path}"
    make_folder(root, os.path.dirname(target))
    remove_path(target)
    with open(target, "wb") as stream:
        stream.write(data)


def put_spooled(root: str, path: str, spooled: str) -> None:
    """Move a spooled file to root/path, replacing what is there: renaming over a file replaces its name, so a
    hard-linked file is never written through; a missing folder is made and a folder in the way removed first."""
    target = f"{root}/{path}"
    if target == spooled:  # the spool is the staging tree: the file is in place
        return
    try:
        os.rename(spooled, target)
    except OSError:
        make_folder(root, os.path.dirname(target))
        remove_path(target)
        os.rename(spooled, target)


def remove_path(path: str) -> None:
    """Remove a file or folder if it exists."""
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
    except IsADirectoryError:
        shutil.rmtree(path)


def make_folder(root: str, folder: str) -> None:
    """Make a folder under root (a full path), removing files of an earlier output that stand in its way."""
    try:
        os.makedirs(folder, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        _clear_way(root, folder)
        os.makedirs(folder, exist_ok=True)


def _clear_way(root: str, folder: str) -> None:
    """Remove files standing where folders of `folder` (under root) must be."""
    current = root
    for part in os.path.relpath(folder, root).split(os.sep):
        current = f"{current}/{part}"
        if os.path.lexists(current) and not os.path.isdir(current):
            os.unlink(current)


def same_bytes(path: Path, data: bytes) -> bool:
    try:
        return path.stat().st_size == len(data) and path.read_bytes() == data
    except OSError:
        return False


def same_file(path: str, other: str) -> bool:
    """Whether two files hold the same bytes; False when either cannot be read."""
    try:
        return filecmp.cmp(path, other, shallow=False)
    except OSError:
        return False


def link_or_copy(old: Path, new: Path) -> bool:
    try:
        os.link(old, new)
        return True
    except OSError:
        try:
            shutil.copy2(old, new)
            return True
        except OSError:
            return False


def count_removed(paths: Iterable[str], previous: Path) -> int:
    """How many files of the previous output are not among the planned paths."""
    if not previous.is_dir():
        return 0
    planned = {*paths, MARKER}
    return sum(1 for p in previous.rglob("*") if p.is_file() and p.relative_to(previous).as_posix() not in planned)


def swap(staging: Path, output_dir: Path) -> None:
    """Exchange the two folders in one step where the kernel can (Linux renameat2), else by two renames."""
    if not output_dir.exists():
        os.rename(staging, output_dir)
        return
    if _exchange(staging, output_dir):
        return
    retired = new_folder(output_dir, "old")
    os.rename(output_dir, retired / "output")
    os.rename(staging, output_dir)
    shutil.rmtree(retired, ignore_errors=True)


def _exchange(a: Path, b: Path) -> bool:
    libc_name = ctypes.util.find_library("c")
    if not libc_name or not hasattr(ctypes.CDLL(libc_name), "renameat2"):
        return False
    libc = ctypes.CDLL(libc_name, use_errno=True)
    result: int = libc.renameat2(AT_FDCWD, os.fsencode(a), AT_FDCWD, os.fsencode(b), RENAME_EXCHANGE)
    if result != 0 and ctypes.get_errno() not in (errno.EINVAL, errno.ENOSYS):
        raise OSError(ctypes.get_errno(), os.strerror(ctypes.get_errno()), str(b))
    return result == 0


@contextmanager
def build_lock(output_dir: Path, *, wait: bool) -> Iterator[None]:
    """One build at a time per output folder: the second waits (or fails at once when wait is False)."""
    lock_path = output_dir.parent / f".{output_dir.name}.lock"
    with open(lock_path, "a+b") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            raise SiteError.single(output_dir, 1, "another topicsite build is writing this output folder; wait for it to finish, or build without --no-wait") from None
        yield


def remove_leftovers(output_dir: Path) -> None:
    """Remove what a build that was killed before its swap left behind (we hold the lock, so none is running)."""
    for leftover in output_dir.parent.glob(f".{glob.escape(output_dir.name)}.*-*"):
        if LEFTOVER.fullmatch(leftover.name[len(output_dir.name) + 1:]):
            shutil.rmtree(leftover, ignore_errors=True)


def check_output_dir(output_dir: Path, site_dir: Path) -> None:
    """Refuse an output folder that would replace the site's sources or a folder topicsite did not write."""
    site_dir = site_dir.resolve()
    resolved = output_dir.resolve()
    protected = [site_dir / name for name in ("content", "templates", "static")]
    if site_dir.is_relative_to(resolved) or any(resolved.is_relative_to(p) for p in protected) or resolved == site_dir / "site.toml":
        raise SiteError.single(output_dir, 1, "the output folder overlaps the site's sources; choose a folder of its own, such as output/")
    if resolved.is_file() or (resolved.exists() and not resolved.is_dir()):
        raise SiteError.single(output_dir, 1, "the output path is a file, not a folder; remove it or choose another output folder")
    if resolved.is_dir() and any(resolved.iterdir()) and not (resolved / MARKER).exists():
        raise SiteError.single(output_dir, 1, f"the output folder holds files topicsite did not write (it has no {MARKER} file), and a build replaces it whole; empty it or choose another folder")
