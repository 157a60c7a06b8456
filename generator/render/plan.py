"""The one planner: every file of the site, its digest, and its bytes unless the previous output already holds them.

Every page and feed is planned on every build. A page's memo entry holds a key hashing the
templates' sources with the digest of the page's view (all its template can see), and the digest
of the bytes it produced. When the key computed now equals the stored one and the previous
output verifiably holds those bytes, the page is not rendered.
Planning reads the model, the memo and what the previous output holds; it writes nothing.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import jinja2

from ..errors import Problem, SiteError, Source, display_path
from ..memo.cache import Cache
from ..memo.fingerprint import Fingerprints, Unfingerprintable
from ..memo.parallel import map_chunked
from ..site import addresses
from ..site.digests import key
from ..site.model import Feed, Site
from .feeds import render_feed, updated
from .pages import PageJob, page_jobs, render_page
from .planned import NOTHING, Plan, PlannedFile, Previous, digest, planned
from .templates import environment

Job = PageJob | Feed


@dataclass(frozen=True, slots=True)
class _Render:
    """What rendering needs in each worker (set before the workers fork)."""

    site: Site
    env: jinja2.Environment
    previous: Mapping[str, bytes]
    jobs: list[Job]
    spool: str


_state: _Render | None = None


class Environments:
    """The Jinja environment of the last build, kept by serve while the template folders and files stay the same
    (its compiled templates are then still right)."""

    def __init__(self) -> None:
        self.made_for: tuple[tuple[Path, ...], bytes] | None = None
        self.env: jinja2.Environment | None = None

    def get(self, site: Site, templates: bytes) -> jinja2.Environment:
        """The kept environment if it was made for these templates, else a new one, kept."""
        made_for = (site.template_dirs, templates)
        if self.env is None or self.made_for != made_for:
            self.env, self.made_for = environment(site), made_for
        return self.env

    def forget(self) -> None:
        """Drop the kept environment: its compiled templates may not be the files it was made for."""
        self.env, self.made_for = None, None

    def compile_all(self, site: Site) -> None:
        """Compile every template now, between rebuilds: a build whose pages all rendered in forked workers left the
        kept environment with none compiled, and the first edit would otherwise wait for that. Templates saved since
        the environment was made would be compiled in their new form under the old digest: then it is dropped."""
        if self.env is None or self.made_for is None:
            return
        for name in self.env.list_templates():
            try:
                self.env.get_template(name)
            except (jinja2.TemplateError, SiteError, UnicodeDecodeError, OSError):  # broken, a link out, not text:
                continue  # the next rebuild that renders it reports it
        if template_digest(site) != self.made_for[1]:
            self.forget()


def plan(site: Site, memo: Cache, previous: Previous = NOTHING, *, search: bool = False,
         step: Callable[[str], None] = lambda stage: None, environments: Environments | None = None) -> Plan:
    """Every file of the site, sorted by path, checked for two sources writing one path; with search, Pagefind's
    index too. The memo only saves time: Cache.disabled() gives the same plan. `step` names each stage as it starts;
    `environments` keeps the Jinja environment from one build to the next (serve's)."""
    step("rendering")
    statics = (planned(f.path, Source(f.source), f.source.read_bytes() if f.data is None else f.data, previous) for f in site.static_files)
    files = [*_pages_and_feeds(site, memo, previous, environments or Environments()), *statics]
    check_collisions(files)
    if search:
        from .search import search_bundle  # imported when used: most rebuilds while editing skip the index

        step("indexing for search")
        files += search_bundle(site, files, memo, previous)
    return tuple(sorted(files, key=lambda f: f.path))


def _pages_and_feeds(site: Site, memo: Cache, previous: Previous, environments: Environments) -> list[PlannedFile]:
    """Every page and feed. One whose memo entry still matches and whose bytes the previous output holds is not
    rendered; the others are (in worker processes when there are many)."""
    global _state
    entries, prints = memo.pack("outputs"), Fingerprints()
    templates = template_digest(site)
    base = key(memo.version, templates)
    jobs: list[Job] = [*page_jobs(site), *site.feeds]
    files: dict[int, PlannedFile] = {}
    misses: list[tuple[int, Job, bytes | None]] = []
    for index, job in enumerate(jobs):
        input_key = _input_key(job, base, site, prints)
        entry = entries.get(key("output", _path(job))) if input_key is not None else None
        known = entry[1] if entry is not None and entry[0] == input_key else None
        if known is not None and previous.digests.get(_path(job)) == known:
            files[index] = PlannedFile(_path(job), _source(job), known, None)
        else:
            misses.append((index, job, input_key))
    if misses:
        _state = _Render(site, environments.get(site, templates), previous.digests, [job for _, job, _ in misses], previous.spool)
        # Workers get positions in the list they inherited when forked: pickling jobs would copy whole topics. They
        # return digests and spool the bytes, so a cold build's pages never all sit in this process's memory.
        rendered = list(zip(misses, map_chunked(_render_chunk, range(len(misses)))))
        _state = None
        # A template saved while pages rendered may have been compiled in its new form: those pages are published, but
        # not remembered under the old templates' key, or a revert to the old templates would keep them (as would a
        # kept environment: serve then makes a new one).
        unchanged = template_digest(site) == templates
        if not unchanged:
            environments.forget()
        for (index, job, input_key), (made, data, spooled) in rendered:
            files[index] = PlannedFile(_path(job), _source(job), made, data, spooled)
            if input_key is not None and unchanged:
                entries.put(key("output", _path(job)), (input_key, made))
    return [files[i] for i in range(len(jobs))]


def _path(job: Job) -> str:
    return job.path if isinstance(job, PageJob) else job.output_path


def _source(job: Job) -> Source:
    return job.source if isinstance(job, PageJob) else Source(job.source)


def _input_key(job: Job, base: bytes, site: Site, prints: Fingerprints) -> bytes | None:
    """A hash of everything a file's bytes depend on besides the templates: a page's view, a feed's spec and date;
    None when some input cannot be hashed (then the file is always rendered)."""
    try:
        if isinstance(job, Feed):
            return key(base, "feed", prints.of(site.config), prints.of(job), repr(updated(site, job)))
        return key(base, "page", job.template, job.path, *prints.parts(job.view))  # the view's parts: one hash less a page
    except Unfingerprintable:
        return None


def _render_chunk(positions: Sequence[int]) -> list[tuple[bytes, bytes | None, str | None]]:
    """Render jobs (in a worker process, or in this one for few jobs). Each result: the bytes' digest, then the bytes
    and the spooled file holding them, both None when the previous output holds them (nothing travels back). With a
    spool folder the bytes are written there and only the file's name travels back; without one, the bytes."""
    assert _state is not None
    results: list[tuple[bytes, bytes | None, str | None]] = []
    for position in positions:
        job = _state.jobs[position]
        data = render_feed(_state.site, job) if isinstance(job, Feed) else render_page(_state.env, job)
        made = digest(data)
        if _state.previous.get(_path(job)) == made:
            results.append((made, None, None))
        else:
            spooled = spool_file(_state.spool, _path(job), data) if _state.spool else None
            results.append((made, None if spooled else data, spooled))
    return results


def spool_file(spool: str, path: str, data: bytes) -> str | None:
    """Write a rendered file's bytes at its output path in the spool folder; its spooled path, or None when it cannot
    be written there (two files clashing, say: check_collisions then reports them) and must stay in memory."""
    spooled = f"{spool}/{path}"
    try:
        os.makedirs(os.path.dirname(spooled), exist_ok=True)
        with open(spooled, "xb") as stream:
            stream.write(data)
    except OSError:
        return None
    return spooled


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
