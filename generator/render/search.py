"""The search index: Pagefind run over the planned pages, its bundle added to the plan before anything is written."""

from __future__ import annotations

import gzip
import hashlib
import importlib
import importlib.metadata
import json
import os
import subprocess
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

import cbor2

from ..errors import SiteError, Source
from ..memo.cache import Cache
from ..site.digests import key
from .planned import PlannedFile, Previous, planned

BUNDLE = "pagefind"
# Pagefind's own Python packages, each shipping the binary: the extended build first when both are installed.
BINARY_PACKAGES = ("pagefind_bin_extended", "pagefind_bin")
SIGNATURE = b"pagefind_dcd"
BODY_MARK = b"data-pagefind-body"


def search_bundle(files: Sequence[PlannedFile], config_path: Path, memo: Cache, previous: Previous) -> list[PlannedFile]:
    """Pagefind's bundle (pagefind/...), indexed from the planned HTML pages; Pagefind runs again only when a page
    or its own version changed, or the previous output lacks the bundle it made."""
    _check_free(files, config_path)
    pages = [f for f in files if f.path.endswith(".html")]
    pack, entry = memo.pack("search"), key("bundle", previous.folder)
    inputs = key(pagefind_version(), *(f.path.encode() + f.digest for f in pages))
    known = pack.get(entry)
    pack.keep(lambda other: os.path.isdir(other[0]))  # other output folders' indexes stay while those folders exist
    if known is not None and known[1] == inputs and all(previous.digests.get(path) == recorded for path, recorded in known[2]):
        return [PlannedFile(path, Source(config_path), recorded, None) for path, recorded in known[2]]
    made = _bundle(pages, lambda page: page.contents(previous), config_path)
    index = [planned(path, Source(config_path), data, previous) for path, data in made]
    pack.put(entry, (previous.folder, inputs, tuple((f.path, f.digest) for f in index)))
    return index


def pagefind_version() -> str:
    """The installed Pagefind binary package and its version: part of the search index's cache key."""
    for name in BINARY_PACKAGES:
        try:
            return f"{name}={importlib.metadata.version(name)}"
        except importlib.metadata.PackageNotFoundError:
            continue
    return "none"


def _check_free(files: Sequence[PlannedFile], config_path: Path) -> None:
    taken = [f.path for f in files if f.path == BUNDLE or f.path.startswith(BUNDLE + "/")]
    if taken:
        raise SiteError.single(config_path, 1, f"{taken[0]} is where the search index goes; rename that page, or build with --no-search")


def _bundle(pages: Sequence[PlannedFile], read: Callable[[PlannedFile], bytes], config_path: Path) -> list[tuple[str, bytes]]:
    try:
        return _index(pages, read, config_path)
    except OSError as error:
        raise SiteError.single(config_path, 1, f"cannot build the search index: {error.strerror or error} "
                               f"(in {error.filename or tempfile.gettempdir()}); build with --no-search to skip it") from None


def _hand_over(pages: Sequence[PlannedFile], read: Callable[[PlannedFile], bytes], folder: Path) -> None:
    """Write the HTML pages Pagefind reads into folder, one at a time (never all in memory). When any page marks
    its indexed part with data-pagefind-body, Pagefind indexes only such pages, so only they are handed over
    (at 10,000 submissions, 1,700 fewer files to write); when none does, every page is."""
    unmarked = []
    for page in pages:
        data = read(page)
        if BODY_MARK in data:
            _put(folder / page.path, data)
        else:
            unmarked.append(page)
    if len(unmarked) == len(pages):
        for page in unmarked:
            _put(folder / page.path, read(page))


def _put(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def _index(pages: Sequence[PlannedFile], read: Callable[[PlannedFile], bytes], config_path: Path) -> list[tuple[str, bytes]]:
    """Write the indexed pages into a temporary folder, run Pagefind there, and read its bundle back."""
    with tempfile.TemporaryDirectory(prefix="topicsite-search-") as temp:
        site, bundle = Path(temp) / "site", Path(temp) / BUNDLE
        _hand_over(pages, read, site)
        _run_pagefind(site, bundle, config_path)
        make_deterministic(bundle)
        return [(f"{BUNDLE}/{p.relative_to(bundle).as_posix()}", p.read_bytes()) for p in sorted(bundle.rglob("*")) if p.is_file()]


def pagefind_executable() -> Path | None:
    """The Pagefind binary from its PyPI package, or None when neither package is installed."""
    for name in BINARY_PACKAGES:
        try:
            module = importlib.import_module(name)
        except ImportError:
            continue
        return Path(module.get_executable())
    return None


def _run_pagefind(pages: Path, bundle: Path, config_path: Path) -> None:
    executable = pagefind_executable()
    if executable is None:
        raise SiteError.single(config_path, 1, "cannot build the search index: Pagefind is not installed; run `pip install 'pagefind[bin]'`, or build with --no-search")
    command = [str(executable), "--site", str(pages), "--output-path", str(bundle), "--silent"]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip().splitlines()
        raise SiteError.single(config_path, 1, f"Pagefind failed to build the search index ({detail[-1] if detail else f'exit status {result.returncode}'}); build with --no-search to skip it")


def make_deterministic(bundle: Path) -> None:
    """Sort the values inside Pagefind's filter files, which it writes in a random order on every run.

    Pagefind (1.5) keeps filter values in a Rust HashMap, so two runs over the same pages give filter
    files with the same values in another order, hence other hashes in their names, in the pf_meta file
    that lists them and in pagefind-entry.json. Everything else it writes is already stable. The names
    are only cache keys to pagefind.js, so we rewrite each filter file with its values sorted and rename
    it, and the meta file after it, by a hash of the new content. A layout we don't recognise is left as is.
    """
    entry_path = bundle / "pagefind-entry.json"
    entry = json.loads(entry_path.read_text(encoding="utf-8"))
    for language in entry.get("languages", {}).values():
        meta_path = bundle / f"pagefind.{language['hash']}.pf_meta"
        meta = _read_chunk(meta_path)
        for filter_path in sorted((bundle / "filter").glob("*.pf_filter")):
            old = filter_path.stem
            canonical = _canonical_filter(_read_chunk(filter_path))
            if canonical is None or meta.count(old.encode()) != 1 or not old.startswith(language["hash"][:3]):
                continue
            new = _renamed(old, canonical)
            filter_path.unlink()
            _write_chunk(filter_path.with_name(f"{new}.pf_filter"), canonical)
            meta = meta.replace(old.encode(), new.encode())
        new_meta = _renamed(language["hash"], meta)
        meta_path.unlink()
        _write_chunk(bundle / f"pagefind.{new_meta}.pf_meta", meta)
        language["hash"] = new_meta
    entry_path.write_text(json.dumps(entry, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")


def _renamed(name: str, content: bytes) -> str:
    """`en_1a2b3c4` -> the same language prefix and length, with a hash of `content`."""
    prefix, _, digest = name.rpartition("_")
    return f"{prefix}_{hashlib.sha256(content).hexdigest()[:len(digest)]}"


def _read_chunk(path: Path) -> bytes:
    return gzip.decompress(path.read_bytes())


def _write_chunk(path: Path, data: bytes) -> None:
    path.write_bytes(gzip.compress(data, compresslevel=9, mtime=0))


def _canonical_filter(data: bytes) -> bytes | None:
    """A filter chunk ([name, [[value, [page, ...]], ...]] in CBOR) with its values sorted, or None if it isn't one."""
    if not data.startswith(SIGNATURE):
        return None
    try:
        value = cbor2.loads(data[len(SIGNATURE):])
    except cbor2.CBORDecodeError:
        return None
    # cbor2 writes the shortest head for every length and number, as Pagefind's serde_cbor does: a chunk it does not
    # give back byte for byte (trailing bytes, longer heads, floats) is a layout we don't know, left as is.
    if SIGNATURE + cbor2.dumps(value) != data or not (isinstance(value, list) and len(value) == 2 and isinstance(value[1], list)):
        return None
    name, values = value
    return SIGNATURE + cbor2.dumps([name, sorted(values, key=cbor2.dumps)])
