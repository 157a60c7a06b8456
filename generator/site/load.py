"""The load stage: read, validate and index a site folder into a frozen `Site`. Writes nothing."""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import TypeVar

from ..content import find
from ..content.config import Config, read_config
from ..content.parse import PLACEHOLDER, SubmissionSource, TopicSource, read_topic
from ..content.submissions import Parsed, SubmissionParser, parse_submissions
from ..errors import Problem, Problems, SiteError, display_path
from . import addresses, assets
from .index import index, submission_url
from .model import Site, StaticFile, Submission

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class LoadOptions:
    """What to include: drafts and future-dated submissions are left out by default."""

    drafts: bool = False
    future: bool = False
    now: datetime = field(default_factory=lambda: datetime.now(timezone.utc))


@dataclass(frozen=True, slots=True)
class Sources:
    """Everything in a site folder, read and parsed file by file but not yet indexed, with the problems found so far."""

    root: Path
    config: Config
    topics: tuple[TopicSource, ...]
    parsed: Parsed
    static: tuple[StaticFile, ...]
    theme_assets: Mapping[str, str]  # a theme file's name -> its content-hashed name
    problems: tuple[Problem, ...]


def load(site_dir: Path, options: LoadOptions | None = None, parse: SubmissionParser = parse_submissions) -> Site:
    """Read a whole site folder; raise SiteError listing every problem found. `parse` reads the submission files:
    the build passes one that memoizes and spreads the work over all cores, with the same result."""
    return index_sources(read_sources(site_dir, parse), options or LoadOptions())


def read_sources(site_dir: Path, parse: SubmissionParser = parse_submissions) -> Sources:
    """Find, read and parse every file of a site folder, each on its own; never raises for the site's problems."""
    problems = Problems()
    site_dir = site_dir.resolve()
    config = _config(site_dir, problems)
    content = find.content_files(site_dir, problems)
    find.site_folder_files(site_dir, find.TEMPLATES, problems)  # only checked here: Jinja's loader reads them
    static, theme_assets = _static_files(site_dir, problems)
    topic_sources = _parse_all(list(content.topics), read_topic, problems)
    slugs = {path.stem for path in content.topics}  # a topic file with errors is reported once, not again by each submission
    parsed = parse(list(content.submissions), config.zone, functools.partial(submission_url, config.base_path), slugs)
    problems.extend(parsed.problems)
    _check_ids(parsed.sources, problems)
    _placeholder_warnings(parsed.sources, problems)
    return Sources(site_dir, config, tuple(topic_sources), parsed, static, dict(theme_assets), tuple(problems.items))


def index_sources(sources: Sources, options: LoadOptions, known: Mapping[bytes, Submission] | None = None) -> Site:
    """The frozen model of the site the sources make; raise SiteError listing every problem found. `known` are
    submissions of an earlier model, by digest, reused where one is made from the same inputs (serve's memory)."""
    problems = Problems()
    problems.extend(sources.problems)
    problems.raise_if_errors()
    included = _included(sources.parsed.sources, options, problems)
    site = index(sources.root, sources.config, list(sources.topics), included, sources.parsed, sources.static,
                 sources.theme_assets, problems.warnings, options.drafts, known or {})
    _check_output_collisions(site, problems)
    problems.raise_if_errors()
    return site


def _static_files(site_dir: Path, problems: Problems) -> tuple[tuple[StaticFile, ...], dict[str, str]]:
    """Static assets by output path: the site's own first; a default is copied only where the site has no file of that name.
    The theme's assets (names the defaults have, from either folder) get hashed names; also returned as a map."""
    default = find.default_static_dir()
    default_files = find.folder_files(default, f"{find.STATIC}/", problems)
    folders = [(default, default_files)]
    if (site_dir / find.STATIC).resolve() != default.resolve():
        folders.insert(0, (site_dir / find.STATIC, find.site_folder_files(site_dir, find.STATIC, problems)))
    found: dict[str, Path] = {}
    for folder, files in folders:
        for path in files:
            if not path.name.startswith("."):
                found.setdefault(f"{find.STATIC}/{path.relative_to(folder).as_posix()}", path)
    theme = {f"{find.STATIC}/{path.relative_to(default).as_posix()}" for path in default_files}
    data = {name: _read_bytes(found[name], problems) for name in sorted(theme & found.keys()) if assets.is_fingerprinted(name)}
    published = assets.fingerprint(data)
    static = [StaticFile(published[name][0], source, published[name][1]) if name in published else StaticFile(name, source)
              for name, source in found.items()]
    return tuple(sorted(static, key=lambda f: f.path)), {name: output for name, (output, _) in sorted(published.items())}


def _read_bytes(path: Path, problems: Problems) -> bytes:
    try:
        return path.read_bytes()
    except OSError as error:
        problems.add(path, 1, f"cannot be read: {error.strerror or error}; make it readable")
        return b""


def _config(site_dir: Path, problems: Problems) -> Config:
    try:
        return read_config(site_dir)
    except SiteError as error:
        problems.extend(error.problems)
        return Config(path=site_dir / "site.toml", title="(invalid site.toml)", base_url="https://invalid.example/")


def _parse_all(files: list[Path], parse: Callable[[Path], T], problems: Problems) -> list[T]:
    parsed: list[T] = []
    for path in files:
        try:
            parsed.append(parse(path))
        except SiteError as error:
            problems.extend(error.problems)
    return parsed


def _check_ids(sources: list[SubmissionSource], problems: Problems) -> None:
    """Ids must be unique, also when compared without case (they become folder names); each file of a clash is reported."""
    by_key: dict[str, list[SubmissionSource]] = defaultdict(list)
    for source in sources:
        by_key[source.id.casefold()].append(source)
    for clash in by_key.values():
        for source in clash if len(clash) > 1 else ():
            for other in (o for o in clash if o is not source):
                problems.add(source.path, source.line_of("id"), _id_clash(source, other))


def _placeholder_warnings(sources: list[SubmissionSource], problems: Problems) -> None:
    """A body that still holds the line `topicsite new` writes was never finished (an error with check --strict)."""
    for source in sources:
        if PLACEHOLDER in source.body:
            line = source.body_line + next(i for i, text in enumerate(source.body.split("\n")) if PLACEHOLDER in text)
            problems.warn(source.path, line, "the request text still holds the placeholder that topicsite new writes; replace that line with the request")


def _id_clash(source: SubmissionSource, other: SubmissionSource) -> str:
    where = f"{display_path(other.path)}:{other.line_of('id')}"
    if other.id == source.id:
        return f"duplicate id {source.id!r}: {where} has the same id; give one of them another id"
    return (f"id {source.id!r} differs from {other.id!r} in {where} only by case, so both would be written "
            "to the same folder on case-insensitive disks; rename one")


def _included(sources: list[SubmissionSource], options: LoadOptions, problems: Problems) -> list[SubmissionSource]:
    kept = []
    for source in sources:
        if source.draft and not options.drafts:
            continue
        if source.date > options.now and not options.future:
            problems.warn(source.path, 1, f"dated {source.date.isoformat()}, in the future: left out of the site until then (build with --future to include it)")
            continue
        kept.append(source)
    return kept


@dataclass(frozen=True, slots=True)
class _Owner:
    """Who writes an output path, for errors: a description, and the source file and line to report at."""

    subject: str  # as the subject of a sentence: "alias '/x'"
    what: str  # as its object: "the alias '/x' in content/topics/t.md"
    source: Path
    line: int = 1


def _check_output_collisions(site: Site, problems: Problems) -> None:
    """Every output file has one source, and no file stands where another needs a folder: an alias must not
    replace a page, a static file or another alias, nor turn one of them into a folder."""
    paths = _output_paths(site)
    found = addresses.clashes(paths)
    if not found:  # as nearly always: who writes each path is worded only for an error
        return
    owned = _generated_paths(site)
    owned += [(a.output_path, _Owner(f"alias {a.path!r}", f"the alias {a.path!r} in {display_path(a.source)}", a.source, a.line)) for a in site.aliases if a.kind != "same"]
    assert [path for path, _ in owned] == paths, "_output_paths and _generated_paths must list the paths in one order"
    for later, earlier in found:
        (path, owner), (other_path, other) = owned[later], owned[earlier]
        if path.casefold() == other_path.casefold():
            problems.add(owner.source, owner.line, f"{owner.subject} would replace {other.what}; choose another path")
        else:
            problems.add(owner.source, owner.line, f"{owner.subject} would be written to {path}, but {other.what} is {other_path}: "
                                                    "one path cannot be both a file and a folder; choose another path")


def _output_paths(site: Site) -> list[str]:
    """The paths _generated_paths gives, then the aliases', in that order, without wording who writes each."""
    fixed = addresses.fixed_outputs()
    paths = list(fixed)
    paths += [page.output_path for t in site.topics for page in t.pages]
    paths += [f.output_path for f in site.feeds if f.output_path not in fixed and not f.old_address]
    paths += [s.output_path for s in site.submissions]
    paths += [f.path for f in site.static_files]
    return paths + [a.output_path for a in site.aliases if a.kind != "same"]


def _generated_paths(site: Site) -> list[tuple[str, _Owner]]:
    """Every output path load knows of but the aliases', with who writes it (the search index checks its own)."""
    fixed = addresses.fixed_outputs()
    owners = [(p, f"the generated page /{p}", site.config.path) for p in fixed]
    owners += [(page.output_path, f"a page of topic {t.slug!r}", t.source) for t in site.topics for page in t.pages]
    owners += [(f.output_path, f"a feed of topic {f.html_url}", f.source) for f in site.feeds if f.output_path not in fixed and not f.old_address]
    owners += [(s.output_path, f"the page of submission {s.id!r}", s.source) for s in site.submissions]
    owners += [(f.path, f"the static file {f.path}", f.source) for f in site.static_files]
    return [(path, _Owner(what, what, source)) for path, what, source in owners]
