"""Plan the whole site, rendering only files whose inputs changed: the memoized form of render.plan.

Every page and feed is planned on every build. A page's cache entry holds the parts of the model
its templates read (recorded while it rendered), a key hashing the templates' sources with those
parts' current values, and the digest of the bytes it produced. When the key computed now equals
the stored one and the output folder verifiably holds those bytes, the page is not rendered.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2

from .cache import Cache, key
from .feeds import render_feed, updated
from .fingerprint import Dependency, Fingerprints, Recorded, Unfingerprintable, start_recording, stop_recording
from .model import Feed, Site
from .output import put_file, same_bytes
from .parallel import map_chunked
from .render import OutputFile, PageJob, check_collisions, environment, page_jobs, render_page, static_files

RECORDED_CONTEXT = ("topic",)  # large objects whose attributes are recorded one by one; the rest count whole
Job = PageJob | Feed


@dataclass(frozen=True, slots=True)
class Unchanged:
    """A file the output folder already holds, byte for byte (verified by its recorded digest and stat, or read)."""

    path: str
    digest: bytes
    source: str


@dataclass(frozen=True, slots=True)
class Staged:
    """A file rendered straight into the staging tree (by a worker process): its bytes are there, not in memory."""

    path: str
    digest: bytes
    source: str


Planned = OutputFile | Unchanged | Staged


@dataclass(frozen=True, slots=True)
class _Render:
    """What rendering needs in each worker (set before the workers fork)."""

    site: Site
    env: jinja2.Environment
    staging: str
    output: str
    on_disk: Mapping[str, bytes]
    jobs: list[Job]


_state: _Render | None = None


def digest(data: bytes) -> bytes:
    """The digest recorded for an output file's bytes."""
    return hashlib.blake2b(data, digest_size=20).digest()


def planned_digest(file: Planned) -> bytes:
    """The digest of a planned file's bytes."""
    return digest(file.data) if isinstance(file, OutputFile) else file.digest


def plan_incremental(site: Site, cache: Cache, output_dir: Path, on_disk: Mapping[str, bytes], staging: Callable[[], Path]) -> list[Planned]:
    """Every file of the site. Files the output folder already holds (their digest matches what `on_disk`
    recorded, or, with no record, their bytes) come back as Unchanged; the others are rendered (in worker
    processes when there are many) straight into the folder `staging()` gives, and come back as Staged,
    so their bytes never travel back to this process."""
    global _state
    env = _recording_environment(site)
    entries, prints = cache.pack("outputs"), Fingerprints()
    base = key(cache.version, template_digest(site), prints.of(site.config))
    planned: dict[int, Planned] = {}
    misses: list[tuple[int, Job]] = []
    jobs: list[Job] = [*page_jobs(site), *site.feeds]
    for index, job in enumerate(jobs):
        known = _known_digest(job, entries.get(key("output", _path(job))), base, site, prints)
        if known is not None and on_disk.get(_path(job)) == known:
            planned[index] = Unchanged(_path(job), known, _source(job))
        else:
            misses.append((index, job))
    if misses:
        _state = _Render(site, env, str(staging()), str(output_dir), on_disk, [job for _, job in misses])
        # Workers get positions in the list they inherited when forked: pickling jobs would copy whole topics.
        for (index, job), (made, reads, same) in zip(misses, map_chunked(_render_chunk, range(len(misses)))):
            planned[index] = (Unchanged if same else Staged)(_path(job), made, _source(job))
            input_key = _input_key(job, reads, base, site, prints)
            if input_key is not None:
                entries.put(key("output", _path(job)), (reads, input_key, made))
        _state = None
    files = [planned[i] for i in range(len(jobs))] + [_static(f, on_disk) for f in static_files(site)]
    check_collisions(files)  # type: ignore[arg-type]
    return sorted(files, key=lambda f: f.path)


def _static(file: OutputFile, on_disk: Mapping[str, bytes]) -> Planned:
    return Unchanged(file.path, on_disk[file.path], file.source) if on_disk.get(file.path) == digest(file.data) else file


def _path(job: Job) -> str:
    return job.path if isinstance(job, PageJob) else job.output_path


def _source(job: Job) -> str:
    return job.source if isinstance(job, PageJob) else str(job.source)


def _known_digest(job: Job, entry: Any, base: bytes, site: Site, prints: Fingerprints) -> bytes | None:
    if entry is None:
        return None
    reads, stored_key, stored_digest = entry
    return stored_digest if _input_key(job, reads, base, site, prints) == stored_key else None


def _input_key(job: Job, reads: tuple[Dependency, ...], base: bytes, site: Site, prints: Fingerprints) -> bytes | None:
    """A hash of everything the job's output depends on, or None when some input cannot be hashed."""
    try:
        if isinstance(job, Feed):
            return key(base, "feed", prints.of(job), repr(updated(site, job)))
        parts = [prints.of(value) for name, value in job.context if name not in RECORDED_CONTEXT]
        targets: dict[str, Any] = {"site": site, **dict(job.context)}
        by_name: dict[str, list[str]] = {}
        for name, attribute in reads:
            by_name.setdefault(name, []).append(attribute)
        parts += [prints.reads(targets[name], name, tuple(attributes)) for name, attributes in by_name.items()]
        return key(base, job.template, job.path, *[name for name, _ in job.context], *parts)
    except Unfingerprintable:
        return None


def _recording_environment(site: Site) -> jinja2.Environment:
    env = environment(site)
    env.globals["site"] = Recorded(site, "site")
    return env


def _render_chunk(positions: Sequence[int]) -> list[tuple[bytes, tuple[Dependency, ...], bool]]:
    """Render jobs into the staging folder, noting what each read (runs in a worker process, or in this one
    for few jobs). Each result: the bytes' digest, the reads, and whether the output folder already holds
    those bytes (then nothing is written: the file is linked from there)."""
    assert _state is not None
    results = []
    for job in (_state.jobs[i] for i in positions):
        data, reads = _render_one(_state.site, _state.env, job)
        made, recorded = digest(data), _state.on_disk.get(_path(job))
        same = recorded == made if recorded is not None else same_bytes(Path(_state.output, _path(job)), data)
        if not same:
            put_file(_state.staging, _path(job), data)
        results.append((made, reads, same))
    return results


def _render_one(site: Site, env: jinja2.Environment, job: Job) -> tuple[bytes, tuple[Dependency, ...]]:
    if isinstance(job, Feed):
        return render_feed(site, job), ()
    context = tuple((name, Recorded(value, name) if name in RECORDED_CONTEXT else value) for name, value in job.context)
    start_recording()
    try:
        data = render_page(env, PageJob(job.path, job.template, job.source, context)).data
    finally:
        reads = stop_recording()
    return data, reads


def template_digest(site: Site) -> bytes:
    """A hash of every template file a page could include, in the order they override each other."""
    parts: list[str | bytes] = []
    for folder in site.template_dirs:
        for path in sorted(p for p in Path(folder).rglob("*") if p.is_file()):
            parts += [str(path.relative_to(folder)), path.read_bytes()]
        parts.append("|")
    return key(*parts)
