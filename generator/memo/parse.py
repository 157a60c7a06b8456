"""The cached, parallel submission parser: parses memoized in the cache, the rest spread over all cores.

Parsing is keyed by the file's path, a hash of its bytes, the site's time zone and the code
version, and only successes are kept, so a file with errors is parsed (and reported) afresh
every time: a cached result is always exactly what a cold parse gives.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from ..content.frontmatter import decode
from ..content.parse import SubmissionSource, parse_submission
from ..content.submissions import Body, PageUrl, Parsed, SubmissionParser, render_body
from ..errors import Problem, SiteError
from ..site.digests import key
from .cache import Cache, Pack
from .parallel import map_chunked
from .stat import SourceFiles, start


@dataclass(frozen=True, slots=True)
class _Task:
    """One file's remaining work: parse it (source None) and/or render its body."""

    path: Path
    raw: bytes
    digest: bytes
    source: SubmissionSource | None


FIELDS = tuple(f.name for f in dataclasses.fields(SubmissionSource))[1:]
_Result = tuple[SubmissionSource | None, Body | None, tuple[Problem, ...]]
_zone: ZoneInfo | None = None
_page_url: PageUrl = str
_slugs: frozenset[str] = frozenset()
_tasks: list[_Task] = []


@dataclass(frozen=True, slots=True)
class Kept:
    """One file as the last build parsed it, kept in memory by serve: its digest, the time zone it was parsed in,
    its source, its body and the URL of its page (which the body's links resolve against)."""

    digest: bytes
    zone: str
    source: SubmissionSource
    body: Body
    page_url: str


def cached_parser(memo: Cache, files: SourceFiles | None = None, kept: dict[Path, Kept] | None = None) -> SubmissionParser:
    """A parser for load that gives what parse_submissions gives, reusing and filling the memo. With `files`, a file
    its stat record vouches for is not read; with `kept` (serve's memory), its source and body are reused as they are."""
    return functools.partial(prepare, cache=memo, files=files or start(None), kept=kept)


def body_key(parse_key: bytes, page_url: str) -> bytes:
    """The cache key of a rendered body: the file's parse key (its path, bytes and time zone fix the body's Markdown and
    the id) and its page's URL, everything render_markdown reads (the code version is the pack's). Not a hash of
    the Markdown itself: a no-op build looks up every body, and hashing each one's text costs more than rendering
    again the one body whose file changed only in its front matter."""
    return key("body", parse_key, page_url)


def prepare(paths: Sequence[Path], zone: ZoneInfo, page_url: PageUrl, topic_slugs: Collection[str], cache: Cache,
            files: SourceFiles, kept: dict[Path, Kept] | None = None) -> Parsed:
    """Parse every submission file and render every body, reusing what memory and the cache hold; a file is read
    only when its stat record cannot vouch for it or nothing parsed from its bytes is remembered."""
    parsed, rendered = cache.pack("parsed"), cache.pack("bodies")
    tasks: list[_Task] = []
    results: dict[Path, _Result] = {}
    digests: dict[Path, bytes] = {}
    for path in paths:
        raw, digest = b"", files.unchanged(path)  # raw is read only when no parse of these bytes is remembered
        source, body = _recall(path, digest, zone, page_url, topic_slugs, parsed, rendered, kept) if digest is not None else (None, None)
        if source is None:
            try:
                raw, digest = files.read(path)
            except OSError as error:
                results[path] = (None, None, (Problem(path, 1, f"cannot read the file: {error.strerror}"),))
                continue
            source, body = _recall(path, digest, zone, page_url, topic_slugs, parsed, rendered, kept)
        assert digest is not None
        digests[path] = digest
        if source is not None and body is not None:
            results[path] = (source, body, ())
        else:
            tasks.append(_Task(path, raw, digest, source))
    for task, result in zip(tasks, _run(tasks, zone, page_url, topic_slugs)):
        results[task.path] = result
        _remember(task, result, zone, page_url, parsed, rendered)
    _keep(kept, results, digests, zone, page_url)
    return _collect(paths, results, digests)


def _recall(path: Path, digest: bytes, zone: ZoneInfo, page_url: PageUrl, topic_slugs: Collection[str],
            parsed: Pack, rendered: Pack, kept: dict[Path, Kept] | None) -> tuple[SubmissionSource | None, Body | None]:
    """A file's source and body from memory or the cache, for these bytes and settings: either or both may be None."""
    memory = kept.get(path) if kept is not None else None
    parse_key = _parse_key(path, digest, zone)
    if memory is not None and memory.digest == digest and memory.zone == zone.key and memory.page_url == page_url(memory.source.id):
        if all(slug in topic_slugs for slug in memory.source.topic_slugs):  # else a cold parse reports the topic
            _still_used(memory.source, memory.body, parse_key, memory.page_url, parsed, rendered)
            return memory.source, memory.body
    source = _source(path, parsed.get(parse_key), topic_slugs)
    stored = rendered.get(body_key(parse_key, page_url(source.id))) if source else None
    return source, Body(*stored) if stored is not None else None


def _still_used(source: SubmissionSource, body: Body, parse_key: bytes, url: str, parsed: Pack, rendered: Pack) -> None:
    """Keep a file recalled from memory in the cache too: a pack saves only the entries a build used, and without
    this a long serve session would leave the next build or start nothing to reuse."""
    if parsed.get(parse_key) is None:
        parsed.put(parse_key, _fields(source))
    entry = body_key(parse_key, url)
    if rendered.get(entry) is None:
        rendered.put(entry, (body.html, body.summary))


def _keep(kept: dict[Path, Kept] | None, results: dict[Path, _Result], digests: dict[Path, bytes], zone: ZoneInfo,
          page_url: PageUrl) -> None:
    """Remember this build's sources and bodies for the next (serve's memory); a file gone or broken is forgotten."""
    if kept is None:
        return
    for path in [path for path in kept if results.get(path, (None,))[0] is not kept[path].source]:
        del kept[path]  # gone, broken, or parsed anew (added again below)
    for path, (source, body, problems) in results.items():
        if source is not None and body is not None and not problems and path not in kept:
            kept[path] = Kept(digests[path], zone.key, source, body, page_url(source.id))


def _parse_key(path: Path, digest: bytes, zone: ZoneInfo) -> bytes:
    return key("parsed", str(path), zone.key, digest)


def _fields(source: SubmissionSource) -> tuple[Any, ...]:
    """A parsed file for the cache: every field but the path (the key holds it; Path objects unpickle slowly)."""
    return tuple(getattr(source, name) for name in FIELDS)


def _source(path: Path, fields: tuple[Any, ...] | None, topic_slugs: Collection[str]) -> SubmissionSource | None:
    """A cached parse, if its topics all still exist (a cold parse would otherwise report them)."""
    if fields is None:
        return None
    source = SubmissionSource(path, *fields)
    return source if all(slug in topic_slugs for slug in source.topic_slugs) else None


def _remember(task: _Task, result: _Result, zone: ZoneInfo, page_url: PageUrl, parsed: Pack, rendered: Pack) -> None:
    source, body, problems = result
    if source is not None and not problems:
        parse_key = _parse_key(task.path, task.digest, zone)
        parsed.put(parse_key, _fields(source))
        if body is not None:
            rendered.put(body_key(parse_key, page_url(source.id)), (body.html, body.summary))


def _collect(paths: Sequence[Path], results: dict[Path, _Result], digests: dict[Path, bytes]) -> Parsed:
    sources: list[SubmissionSource] = []
    bodies: dict[Path, Body] = {}
    problems: list[Problem] = []
    for path in paths:
        source, body, found = results[path]
        problems.extend(found)
        if source is not None and body is not None:
            sources.append(source)
            bodies[path] = body
    return Parsed(sources, bodies, digests, problems)


def _run(tasks: list[_Task], zone: ZoneInfo, page_url: PageUrl, topic_slugs: Collection[str]) -> list[_Result]:
    global _zone, _page_url, _slugs, _tasks
    _zone, _page_url, _slugs, _tasks = zone, page_url, frozenset(topic_slugs), tasks  # forked workers inherit these
    try:
        return map_chunked(_work, range(len(tasks)))  # positions, not the files' bytes, go to the workers
    finally:
        _tasks = []


def _work(positions: Sequence[int]) -> list[_Result]:
    """Parse and render a chunk of files (runs in a worker process)."""
    assert _zone is not None
    return [_one(_tasks[i], _zone, _page_url, _slugs) for i in positions]


def _one(task: _Task, zone: ZoneInfo, page_url: PageUrl, topic_slugs: Collection[str]) -> _Result:
    source = task.source
    try:
        source = source or parse_submission(task.path, decode(task.path, task.raw), zone, topic_slugs)
        return source, render_body(source, page_url(source.id)), ()
    except SiteError as error:
        return None, None, error.problems
