"""The search index: Pagefind's bundles made from the model's submissions, one per shard of about SHARD_SIZE of them
(merged in the browser by static/search.js), added to the plan before anything is written.

Each submission is one record: its title, the plain text of its sanitized body and its topics as a filter, with its
submitter and date as metadata for the result line. Nothing of the page around it (topic list, "Submitted by") is
indexed, so a word found is a word of the submission.
"""

from __future__ import annotations

import gzip
import hashlib
import importlib.metadata
import json
import os
from collections.abc import Sequence
from pathlib import Path

import cbor2
from markupsafe import Markup

from ..errors import SiteError, Source
from ..memo.cache import Cache
from ..memo.parallel import workers
from ..site import addresses
from ..site.digests import key
from ..site.model import Site, Submission
from .pagefind import PagefindFailed, Record, executable_found, executable_identity, index_bundles
from .planned import PlannedFile, Previous, planned

BUNDLE = addresses.SEARCH_INDEX.rstrip("/")
# Pagefind's cost grows with the words it indexes, and it cannot replace one record of an index: so the index is cut
# into shards of about this many submissions, each its own bundle, merged in the browser. An edit re-indexes one shard.
SHARD_SIZE = 1000
PARTS = "topicsite-parts.json"  # in pagefind/: the other shards' folders, for static/search.js to merge
# Pagefind's own Python packages, each shipping the binary: the extended build first when both are installed.
BINARY_PACKAGES = ("pagefind_bin_extended", "pagefind_bin")
SIGNATURE = b"pagefind_dcd"
NO_SEARCH = "build with --no-search to skip it"


def search_bundle(site: Site, files: Sequence[PlannedFile], memo: Cache, previous: Previous) -> list[PlannedFile]:
    """Pagefind's bundles, one per shard (pagefind/ and pagefind/part-K/), with the list of parts; Pagefind runs again
    only for the shards whose submissions or its own version changed, or whose bundle the previous output lacks."""
    config_path = site.config.path
    _check_free(files, config_path)
    pack, version = memo.pack("search"), pagefind_version()
    # Other output folders' shards stay while those folders exist; this folder's unused ones (fewer shards) go.
    pack.keep(lambda other: other[0] != previous.folder and os.path.isdir(other[0]))
    # A shard that got no submission has no bundle: Pagefind cannot merge an index without pages.
    groups = [(number, group) for number, group in enumerate(shards(site.submissions)) if group or number == 0]
    index = [planned(f"{BUNDLE}/{PARTS}", Source(config_path), parts_list([number for number, _ in groups[1:]]), previous)]
    stale: list[tuple[bytes, bytes, int, list[Record]]] = []
    for number, group in groups:
        entry = key("shard", previous.folder, str(number))
        # A submission's digest covers all its record is made from (its file, the config, its topics' titles).
        inputs = key(version, shard_folder(number), *(submission.digest for submission in group))
        known = pack.get(entry)
        if known is not None and known[1] == inputs and all(previous.digests.get(path) == recorded for path, recorded in known[2]):
            index += [PlannedFile(path, Source(config_path), recorded, None) for path, recorded in known[2]]
        else:
            stale.append((entry, inputs, number, [search_record(submission, site.config.language) for submission in group]))
    for (entry, inputs, number, _), made in zip(stale, bundle_files([records for *_, records in stale], config_path), strict=True):
        kept = sorted(made.items()) if number == 0 else [(path, data) for path, data in sorted(made.items()) if is_index_data(path)]
        shard = [planned(f"{shard_folder(number)}/{path}", Source(config_path), data, previous) for path, data in kept]
        pack.put(entry, (previous.folder, inputs, tuple((f.path, f.digest) for f in shard)))
        index += shard
    return index


def shards(submissions: Sequence[Submission]) -> list[list[Submission]]:
    """The submissions cut into ceil(n / SHARD_SIZE) shards (at least one) by a hash of their id, so a submission stays
    in its shard while the count holds; each shard sorted by URL, as Pagefind numbers its pages in the order added."""
    count = max(1, -(-len(submissions) // SHARD_SIZE))
    groups: list[list[Submission]] = [[] for _ in range(count)]
    for submission in sorted(submissions, key=lambda submission: submission.path):
        groups[shard_of(submission.id, count)].append(submission)
    return groups


def shard_of(submission_id: str, count: int) -> int:
    """A submission's shard: a stable hash of its id (not Python's hash(), which changes from run to run)."""
    return int.from_bytes(hashlib.blake2b(submission_id.encode(), digest_size=8).digest(), "big") % count


def shard_folder(number: int) -> str:
    """Where a shard's bundle goes: pagefind/ for the first, as a one-shard site has it, pagefind/part-K/ for the others."""
    return BUNDLE if number == 0 else f"{BUNDLE}/part-{number}"


def is_index_data(path: str) -> bool:
    """Whether a file of a bundle is what mergeIndex reads of a part: its entry file, metadata and chunks. The scripts,
    styles and WebAssembly are the first bundle's only, as the merged parts are searched by its pagefind.js."""
    return path == "pagefind-entry.json" or path.endswith((".pf_meta", ".pf_index", ".pf_fragment", ".pf_filter"))


def parts_list(numbers: Sequence[int]) -> bytes:
    """pagefind/topicsite-parts.json: the folders of these shards (those after the first), relative to pagefind/."""
    return json.dumps({"parts": [f"part-{number}/" for number in numbers]}, separators=(",", ":")).encode()


def search_record(submission: Submission, language: str) -> Record:
    """What the index holds of a submission: the title and submitter as its page shows them, its date as written out
    there, the plain text of its body, and its topics' titles. The URL is from the site root: pagefind.js adds the
    base URL's path."""
    title = f"{submission.title} (draft)" if submission.draft else submission.title
    meta = (("date", submission.date_display), ("submitted_by", submission.display_name), ("title", title))
    return Record("/" + submission.path, body_text(submission.body_html), language, meta, tuple(topic.title for topic in submission.topics))


def body_text(body_html: Markup) -> str:
    """The plain text of a sanitized body: tags dropped, entities decoded, white space collapsed."""
    return body_html.striptags()


def pagefind_version() -> str:
    """The installed Pagefind binary package and its version, and the binary that will run: part of the search index's
    cache key, so that no shard made by one Pagefind is merged with shards made by another."""
    for name in BINARY_PACKAGES:
        try:
            return f"{name}={importlib.metadata.version(name)} {executable_identity()}"
        except importlib.metadata.PackageNotFoundError:
            continue
    return f"none {executable_identity()}"


def _check_free(files: Sequence[PlannedFile], config_path: Path) -> None:
    taken = [f.path for f in files if f.path == BUNDLE or f.path.startswith(BUNDLE + "/")]
    if taken:
        raise SiteError.single(config_path, 1, f"{taken[0]} is where the search index goes; rename that page, or build with --no-search")


def bundle_files(groups: Sequence[Sequence[Record]], config_path: Path) -> list[dict[str, bytes]]:
    """Pagefind's bundle for each group of records, made deterministic: each file's path inside its bundle and its bytes;
    at most one Pagefind process per core at a time. Every failure of Pagefind, its package or its process is one error
    at site.toml's first line."""
    if not groups:
        return []
    if not executable_found():
        raise SiteError.single(config_path, 1, "cannot build the search index: Pagefind is not installed; "
                               f"run `pip install 'pagefind[bin]'`, or {NO_SEARCH}")
    try:
        return [make_deterministic(bundle) for bundle in index_bundles(groups, workers())]
    except PagefindFailed as error:
        raise SiteError.single(config_path, 1, f"Pagefind failed to build the search index ({error}); {NO_SEARCH}") from None
    except OSError as error:
        raise SiteError.single(config_path, 1, f"cannot build the search index: cannot run Pagefind: {error.strerror or error}; {NO_SEARCH}") from None


def make_deterministic(bundle: dict[str, bytes]) -> dict[str, bytes]:
    """The bundle with the values inside Pagefind's filter files sorted, which it writes in a random order on every run.

    Pagefind (1.5) keeps filter values in a Rust HashMap, so two runs over the same records give filter
    files with the same values in another order, hence other hashes in their names, in the pf_meta file
    that lists them and in pagefind-entry.json. Everything else it writes is already stable. The names
    are only cache keys to pagefind.js, so each filter file is rewritten with its values sorted and renamed,
    and the meta file after it, by a hash of the new content. A layout we don't recognise is left as is.
    """
    files = dict(bundle)
    entry = json.loads(files.get("pagefind-entry.json", b"null"))
    if not isinstance(entry, dict) or any(f"pagefind.{language.get('hash')}.pf_meta" not in files for language in entry.get("languages", {}).values()):
        return files
    for language in entry.get("languages", {}).values():
        meta = _read_chunk(files.pop(f"pagefind.{language['hash']}.pf_meta"))
        for path in sorted(p for p in bundle if p.startswith("filter/") and p.endswith(".pf_filter")):
            old = path.removeprefix("filter/").removesuffix(".pf_filter")
            canonical = _canonical_filter(_read_chunk(files[path]))
            if canonical is None or meta.count(old.encode()) != 1 or not old.startswith(language["hash"][:3]):
                continue
            new = _renamed(old, canonical)
            del files[path]
            files[f"filter/{new}.pf_filter"] = _write_chunk(canonical)
            meta = meta.replace(old.encode(), new.encode())
        language["hash"] = _renamed(language["hash"], meta)
        files[f"pagefind.{language['hash']}.pf_meta"] = _write_chunk(meta)
    files["pagefind-entry.json"] = json.dumps(entry, ensure_ascii=False, separators=(",", ":")).encode()
    return files


def _renamed(name: str, content: bytes) -> str:
    """`en_1a2b3c4` -> the same language prefix and length, with a hash of `content`."""
    prefix, _, digest = name.rpartition("_")
    return f"{prefix}_{hashlib.sha256(content).hexdigest()[:len(digest)]}"


def _read_chunk(data: bytes) -> bytes:
    return gzip.decompress(data)


def _write_chunk(data: bytes) -> bytes:
    return gzip.compress(data, compresslevel=9, mtime=0)


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
