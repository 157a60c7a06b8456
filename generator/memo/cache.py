"""A content-addressed cache of pure work in SITE/.cache/: packs of entries, checksummed and versioned.

Every key is a hash of all of an entry's inputs, so a stale entry is never found; a damaged pack
(bad checksum, truncated, garbage, another version) is ignored whole and rebuilt. Deleting the
folder at any time only costs a slower build.
"""

from __future__ import annotations

import copyreg
import functools
import hashlib
import importlib.metadata
import os
import pickle
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from types import MappingProxyType
from typing import Any

from .. import __version__
from ..content.markdown import RENDERER_VERSION
from ..site.digests import key

CACHE_DIR = ".cache"
MAGIC = b"topicsite-cache\n"
DIGEST_SIZE = 32
LIBRARIES = ("markdown", "nh3", "jinja2", "markupsafe", "feedgen", "pyyaml", "python-frontmatter", "lxml")



def _read_only(mapping: dict[str, Any]) -> MappingProxyType[str, Any]:
    """Rebuild a read-only mapping from a pickle."""
    return MappingProxyType(mapping)


# Parsed front matter holds read-only mappings; let them cross process boundaries and into packs.
copyreg.pickle(MappingProxyType, lambda proxy: (_read_only, (dict(proxy),)))


@functools.cache
def code_version() -> str:
    """topicsite's version, the renderer's version, a hash of topicsite's own code and its libraries' versions."""
    package = Path(__file__).parent.parent  # generator/: every module of topicsite
    sources = sorted(package.rglob("*.py"))
    libraries = [f"{name}={_library_version(name)}" for name in LIBRARIES]
    code = key(*(p.relative_to(package).as_posix() for p in sources), *(p.read_bytes() for p in sources))
    return key(__version__, RENDERER_VERSION, *libraries, code).hex()[:16]


def _library_version(name: str) -> str:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return "none"


SHARDS = 16  # files per pack: a build that changes a few entries rewrites a few files, not the whole pack


class Pack:
    """One kind of entry (parsed files, rendered Markdown, ...), in SHARDS files by key: all read at the
    start; at the end, only the files whose entries changed are written again."""

    def __init__(self, folder: Path | None, name: str, version: str) -> None:
        self.paths = [folder / f"{name}.{shard:x}.pack" for shard in range(SHARDS)] if folder else []
        self.version = version
        self.old: dict[bytes, Any] = {}
        self.new: dict[bytes, Any] = {}
        self.hits = 0
        self.written: set[int] = set()
        for shard, path in enumerate(self.paths):
            entries = _read_pack(path, version)
            if entries is None:
                self.written.add(shard)  # damaged: written afresh at the end, even if no entry lands in it
            else:
                self.old.update(entries)

    def get(self, entry_key: bytes) -> Any | None:
        """The entry stored under a key, or None; an entry found is kept for the next build."""
        value = self.old.get(entry_key)
        if value is not None:
            self.new[entry_key] = value
            self.hits += 1
        return value

    def keep(self, wanted: Callable[[Any], bool]) -> None:
        """Keep the old entries that `wanted` accepts although this build does not use them (another
        output folder's manifest, say); the rest of the unused entries are dropped when saving."""
        for entry_key, value in self.old.items():
            if entry_key not in self.new and wanted(value):
                self.new[entry_key] = value

    def carry(self, saved: bool) -> None:
        """Start the next build of a process that keeps this pack in memory (serve): after a save, the pack holds
        what was saved; after a failed build, what it held and what that build added."""
        self.old, self.new, self.hits = self.new if saved else {**self.old, **self.new}, {}, 0
        self.written = set() if saved else self.written  # unsaved puts and damaged shards are still to be written

    def put(self, entry_key: bytes, value: Any) -> None:
        self.new[entry_key] = value
        self.written.add(_shard(entry_key))

    def changed(self) -> set[int]:
        """The shards saving would change: entries put (new, or replacing one), or old ones no longer used."""
        return self.written | {_shard(k) for k in self.old.keys() ^ self.new.keys()}

    def save(self) -> None:
        """Write the changed shards with the entries used in this build (old unused ones are dropped), atomically."""
        if not self.paths:
            return
        changed = self.changed()
        shards: dict[int, dict[bytes, Any]] = {shard: {} for shard in changed}
        for entry_key, value in self.new.items():
            entries = shards.get(_shard(entry_key))
            if entries is not None:
                entries[entry_key] = value
        for shard, entries in sorted(shards.items()):
            write_sealed(self.paths[shard], (self.version, entries))


def _shard(entry_key: bytes) -> int:
    return entry_key[0] % SHARDS  # keys are hashes, so shards fill evenly


def _read_pack(path: Path, version: str) -> dict[bytes, Any] | None:
    """A pack file's entries: empty when it is missing, None when it is damaged or from another version."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return {}
    except OSError:
        return None
    try:
        stored_version, entries = unseal(data)
    except Exception:  # damaged, or (the checksum matched) a pack from an incompatible topicsite: ignore it
        return None
    if stored_version != version or not isinstance(entries, dict):
        return None
    return entries


def unseal(data: bytes) -> Any:
    """The object pickled in a file that write_sealed wrote; raises ValueError when the file is damaged."""
    head = len(MAGIC) + DIGEST_SIZE
    payload = memoryview(data)[head:]  # no copy of a big file
    if not data.startswith(MAGIC) or hashlib.sha256(payload).digest() != data[len(MAGIC):head]:
        raise ValueError("bad checksum")
    return pickle.loads(payload)


def write_sealed(path: Path, value: Any) -> None:
    """Write a value pickled, after MAGIC and the pickle's checksum, which unseal checks; atomically."""
    payload = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    _write_atomic(path, MAGIC, hashlib.sha256(payload).digest(), payload)  # parts: no joined copy


def _write_atomic(path: Path, *parts: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            for part in parts:
                stream.write(part)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


class Cache:
    """The packs of one site: parsed files, rendered bodies, output file digests, output manifests."""

    def __init__(self, folder: Path | None) -> None:
        self.version = code_version()
        self.folder = folder / self.version if folder else None
        self.packs: dict[str, Pack] = {}
        if folder:
            _remove_other_versions(folder, self.version)
            _ignore_in_git(folder)

    @classmethod
    def for_site(cls, site_dir: Path) -> Cache:
        """The cache in SITE/.cache/."""
        return cls(site_dir.resolve() / CACHE_DIR)

    @classmethod
    def disabled(cls) -> Cache:
        """A cache that remembers nothing: every build is cold."""
        return cls(None)

    def pack(self, name: str) -> Pack:
        """The pack of one kind of entry, read on first use."""
        if name not in self.packs:
            self.packs[name] = Pack(self.folder, name, self.version)
        return self.packs[name]

    def save(self) -> None:
        for pack in self.packs.values():
            pack.save()

    def carry(self, saved: bool) -> None:
        """Ready the packs read for another build in this process, saved or not."""
        for pack in self.packs.values():
            pack.carry(saved)


def _remove_other_versions(folder: Path, version: str) -> None:
    """Entries of other topicsite versions can never be found again: delete them."""
    try:
        others = [p for p in folder.iterdir() if p.is_dir() and p.name != version]
    except OSError:
        return
    for other in others:
        _remove_tree(other.iterdir())
        try:
            other.rmdir()
        except OSError:
            pass


def _remove_tree(paths: Iterable[Path]) -> None:
    for path in paths:
        try:
            path.unlink()
        except OSError:
            pass


def _ignore_in_git(folder: Path) -> None:
    """A .gitignore inside the cache keeps it out of git even if the site's own ignore rules forget it."""
    ignore = folder / ".gitignore"
    if not ignore.exists():
        folder.mkdir(parents=True, exist_ok=True)
        ignore.write_text("*\n")
