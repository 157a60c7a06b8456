"""The one planner: every file of the site, its digest, and its bytes unless the previous output already holds them.

Every page and feed is planned on every build. A page's memo entry holds the parts of the model
its templates read (recorded while it rendered), a key hashing the templates' sources with those
parts' current values, and the digest of the bytes it produced. When the key computed now equals
the stored one and the previous output verifiably holds those bytes, the page is not rendered.
Planning reads the model, the memo and what the previous output holds; it writes nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2

from ..errors import Problem, SiteError, Source, display_path
from ..memo.cache import Cache
from ..memo.fingerprint import Dependency, Fingerprints, Recorded, Unfingerprintable, start_recording, stop_recording
from ..memo.parallel import map_chunked
from ..site import addresses
from ..site.digests import key
from ..site.model import Feed, Site
from .feeds import render_feed, updated
from .pages import PageJob, page_jobs, render_page
from .planned import NOTHING, Plan, PlannedFile, Previous, digest, planned
from .templates import environment

RECORDED_CONTEXT = ("topic",)  # large objects whose attributes are recorded one by one; the rest count whole
Job = PageJob | Feed


@dataclass(frozen=True, slots=True)
class _Render:
    """What rendering needs in each worker (set before the workers fork)."""

    site: Site
    env: jinja2.Environment
    previous: Mapping[str, bytes]
    jobs: list[Job]


_state: _Render | None = None


def plan(site: Site, memo: Cache, previous: Previous = NOTHING, *, search: bool = False,
         step: Callable[[str], None] = lambda stage: None) -> Plan:
    """Every file of the site, sorted by path, checked for two sources writing one path; with search, Pagefind's
    index too. The memo only saves time: Cache.disabled() gives the same plan. `step` names each stage as it starts."""
    step("rendering")
    statics = (planned(f.path, Source(f.source), f.source.read_bytes(), previous) for f in site.static_files)
    files = [*_pages_and_feeds(site, memo, previous), *statics]
    check_collisions(files)
    if search:
        from .search import search_bundle  # imported when used: most rebuilds while editing skip the index

        step("indexing for search")
        files += search_bundle(files, site.config.path, memo, previous)
    return tuple(sorted(files, key=lambda f: f.path))


def _pages_and_feeds(site: Site, memo: Cache, previous: Previous) -> list[PlannedFile]:
    """Every page and feed. One whose memo entry still matches and whose bytes the previous output holds is not
    rendered; the others are (in worker processes when there are many)."""
    global _state
    entries, prints = memo.pack("outputs"), Fingerprints()
    base = key(memo.version, template_digest(site), prints.of(site.config))
    jobs: list[Job] = [*page_jobs(site), *site.feeds]
    files: dict[int, PlannedFile] = {}
    misses: list[tuple[int, Job]] = []
    for index, job in enumerate(jobs):
        known = _known_digest(job, entries.get(key("output", _path(job))), base, site, prints)
        if known is not None and previous.digests.get(_path(job)) == known:
            files[index] = PlannedFile(_path(job), _source(job), known, None)
        else:
            misses.append((index, job))
    if misses:
        _state = _Render(site, _recording_environment(site), previous.digests, [job for _, job in misses])
        # Workers get positions in the list they inherited when forked: pickling jobs would copy whole topics.
        for (index, job), (made, data, reads) in zip(misses, map_chunked(_render_chunk, range(len(misses)))):
            files[index] = PlannedFile(_path(job), _source(job), made, data)
            input_key = _input_key(job, reads, base, site, prints)
            if input_key is not None:
                entries.put(key("output", _path(job)), (reads, input_key, made))
        _state = None
    return [files[i] for i in range(len(jobs))]


def _path(job: Job) -> str:
    return job.path if isinstance(job, PageJob) else job.output_path


def _source(job: Job) -> Source:
    return job.source if isinstance(job, PageJob) else Source(job.source)


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


def _render_chunk(positions: Sequence[int]) -> list[tuple[bytes, bytes | None, tuple[Dependency, ...]]]:
    """Render jobs, noting what each read (runs in a worker process, or in this one for few jobs). Each result: the
    bytes' digest, the bytes (None when the previous output holds them, so they need not travel back), the reads."""
    assert _state is not None
    results = []
    for job in (_state.jobs[i] for i in positions):
        data, reads = _render_one(_state.site, _state.env, job)
        made = digest(data)
        results.append((made, None if _state.previous.get(_path(job)) == made else data, reads))
    return results


def _render_one(site: Site, env: jinja2.Environment, job: Job) -> tuple[bytes, tuple[Dependency, ...]]:
    if isinstance(job, Feed):
        return render_feed(site, job), ()
    context = tuple((name, Recorded(value, name) if name in RECORDED_CONTEXT else value) for name, value in job.context)
    start_recording()
    try:
        data = render_page(env, PageJob(job.path, job.template, job.source, context))
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


def check_collisions(files: Sequence[PlannedFile]) -> None:
    """Two sources must never write one output path, nor one a file where the other needs a folder."""
    problems = []
    for later, earlier in addresses.clashes([output.path for output in files]):
        output, other = files[later], files[earlier]
        message = f"writes {output.path}, which clashes with {other.path} from {display_path(other.source.path)}; rename one of them"
        problems.append(Problem(output.source.path, output.source.line, message))
    if problems:
        raise SiteError(problems)
