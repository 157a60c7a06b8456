"""The load stage: read, validate and index a site folder into a frozen `Site`. Writes nothing."""

from __future__ import annotations

import dataclasses
import functools
import uuid
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import TypeVar
from urllib.parse import unquote

import regex
from markupsafe import Markup

from . import assets, paths
from .config import Config, read_config
from .cache import Cache, key
from .fingerprint import Fingerprints
from .content import SubmissionSource, TopicSource, is_feed_address, read_topic
from .errors import Problems, SiteError, display_path
from .markup import render_markdown
from .prepare import Body, Prepared, prepare, submission_url
from .model import Alias, AliasKind, StaticFile, Feed, FeedKind, FeedRef, Link, ListingPage, PagerItem, Site, Submission, Topic

T = TypeVar("T")
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December")
FEED_TYPES: dict[FeedKind, str] = {"rss": "application/rss+xml", "atom": "application/atom+xml"}
FEED_LABELS: dict[FeedKind, str] = {"rss": "RSS", "atom": "Atom"}
PAGER_WINDOW = 7


@dataclass(frozen=True, slots=True)
class LoadOptions:
    """What to include: drafts and future-dated submissions are left out by default."""

    drafts: bool = False
    future: bool = False
    now: datetime = field(default_factory=lambda: datetime.now(timezone.utc))


def load(site_dir: Path, options: LoadOptions | None = None, cache: Cache | None = None) -> Site:
    """Read a whole site folder; raise SiteError listing every problem found. The cache only saves time."""
    options = options or LoadOptions()
    problems = Problems()
    site_dir = site_dir.resolve()
    config = _config(site_dir, problems)
    content = paths.content_files(site_dir, problems)
    paths.site_folder_files(site_dir, paths.TEMPLATES, problems)  # only checked here: Jinja's loader reads them
    static, theme_assets = _static_files(site_dir, problems)
    topic_sources = _parse_all(list(content.topics), read_topic, problems)
    slugs = {path.stem for path in content.topics}  # a topic file with errors is reported once, not again by each submission
    prepared = prepare(list(content.submissions), config.zone, config.base_path, slugs, cache or Cache.disabled())
    problems.extend(prepared.problems)
    submission_sources = prepared.sources
    _check_ids(submission_sources, problems)
    problems.raise_if_errors()
    included = _included(submission_sources, options, problems)
    site = _index(site_dir, config, topic_sources, included, prepared, options, problems, static, theme_assets)
    _check_output_collisions(site, problems)
    problems.raise_if_errors()
    return site


def _static_files(site_dir: Path, problems: Problems) -> tuple[tuple[StaticFile, ...], dict[str, str]]:
    """Static assets by output path: the site's own first; a default is copied only where the site has no file of that name.
    The theme's assets (names the defaults have, from either folder) get hashed names; also returned as a map."""
    default = paths.default_static_dir()
    default_files = paths.folder_files(default, f"{paths.STATIC}/", problems)
    folders = [(default, default_files)]
    if (site_dir / paths.STATIC).resolve() != default.resolve():
        folders.insert(0, (site_dir / paths.STATIC, paths.site_folder_files(site_dir, paths.STATIC, problems)))
    found: dict[str, Path] = {}
    for folder, files in folders:
        for path in files:
            if not path.name.startswith("."):
                found.setdefault(f"{paths.STATIC}/{path.relative_to(folder).as_posix()}", path)
    theme = {f"{paths.STATIC}/{path.relative_to(default).as_posix()}" for path in default_files}
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
                problems.add(source.path, source.id_line, _id_clash(source, other))


def _id_clash(source: SubmissionSource, other: SubmissionSource) -> str:
    where = f"{display_path(other.path)}:{other.id_line}"
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


def _index(site_dir: Path, config: Config, topic_sources: list[TopicSource], sources: list[SubmissionSource],
           prepared: Prepared, options: LoadOptions, problems: Problems, static: tuple[StaticFile, ...], theme_assets: dict[str, str]) -> Site:
    titles = {t.slug: t.title for t in topic_sources}
    made_with = Fingerprints().of(config)
    submissions = sorted((_submission(config, s, titles, prepared.bodies[s.path], key(made_with, str(s.path), prepared.digests[s.path]))
                          for s in sources), key=lambda s: (s.date, s.id), reverse=True)
    pinned = sorted(submissions, key=pinned_order, reverse=True)
    by_topic: dict[str, list[Submission]] = defaultdict(list)
    for submission in pinned:
        for link in submission.topics:
            by_topic[link.url].append(submission)
    topics = sorted((_topic(config, t, tuple(by_topic[topic_url(config, t.slug)]), made_with) for t in topic_sources),
                    key=lambda t: (t.title.casefold(), t.slug))
    site_feeds = _feed_refs(config, "", config.title)
    aliases = _aliases(config, topic_sources, sources)
    feeds = _feeds(config, topics, submissions, site_feeds)
    return Site(
        root=site_dir, config=config,
        notice_html=Markup(render_markdown(config.notice, config.base_path, "notice-", (config.path, config.notice_line))) if config.notice else None,
        topics=tuple(topics), submissions=tuple(submissions), recent=tuple(pinned[: config.per_page]),
        aliases=aliases, feeds=feeds + _old_feeds(config, aliases, feeds),
        site_feeds=site_feeds, template_dirs=_layered(site_dir / paths.TEMPLATES, paths.default_templates_dir()),
        static_files=static, assets=theme_assets,
        warnings=problems.warnings, include_drafts=options.drafts,
    )


def pinned_order(submission: Submission) -> tuple[bool, datetime, str]:
    """Drupal's order for term pages and the front page (sticky DESC, created DESC), with the id as tie-break; sort reversed."""
    return submission.sticky, submission.date, submission.id


def _layered(site_dir: Path, default: Path) -> tuple[Path, ...]:
    """The site's own folder first (its files override), then topicsite's defaults."""
    return tuple(d for d in (site_dir, default) if d.is_dir()) if site_dir.resolve() != default.resolve() else (default,)


def topic_url(config: Config, slug: str) -> str:
    return f"{config.base_path}topics/{slug}/"


def _submission(config: Config, source: SubmissionSource, topic_titles: dict[str, str], body: Body, made_from: bytes) -> Submission:
    """A submission for the model; made_from hashes its file and the config, and its topics' titles are added."""
    site_path = f"submissions/{source.id}/"
    url = submission_url(config.base_path, source.id)
    titles = [topic_titles[slug] for slug in source.topic_slugs]
    return Submission(
        source=source.path, id=source.id, title=source.title, submitted_by=source.submitted_by,
        display_name=display_name(source.submitted_by, config.name_max), date=source.date,
        date_display=display_date(source.date), draft=source.draft, sticky=source.sticky,
        topics=tuple(Link(title, topic_url(config, slug)) for slug, title in zip(source.topic_slugs, titles)),
        feed_id=feed_id(config, source), guid=source.guid, extra=source.extra,
        body_html=Markup(body.html), summary=body.summary,
        url=url, absolute_url=config.origin + url, output_path=paths.output_path(site_path),
        digest=key(made_from, *titles),
    )


def display_name(name: str, name_max: int) -> str:
    """Names longer than name_max are cut as the portal does: the first name_max - 6 characters and '…'.

    Characters are grapheme clusters, what a reader sees as one character (an emoji with its skin tone,
    a letter with its accent, a Hangul syllable in jamo), so a cut never splits one.
    """
    clusters = regex.findall(r"\X", name)
    return name if len(clusters) <= name_max else "".join(clusters[: max(name_max - 6, 1)]) + "…"


def display_date(moment: datetime) -> str:
    """'September 7, 2023', in English whatever the machine's locale."""
    return f"{MONTHS[moment.month - 1]} {moment.day}, {moment.year}"


def feed_id(config: Config, source: SubmissionSource) -> str:
    """A feed item id that survives rebuilds and layout changes: from the site's host and the submission id."""
    if source.guid and _is_iri(source.guid):
        return source.guid
    return f"urn:uuid:{uuid.uuid5(_namespace(config.origin), source.guid or source.id)}"


@functools.lru_cache(maxsize=8)
def _namespace(origin: str) -> uuid.UUID:
    return uuid.uuid5(uuid.NAMESPACE_DNS, origin.split("://", 1)[1])


def _is_iri(value: str) -> bool:
    scheme, sep, rest = value.partition(":")
    return bool(sep and rest and scheme[:1].isalpha() and all(c.isalnum() or c in "+-." for c in scheme) and " " not in value)


def _topic(config: Config, source: TopicSource, submissions: tuple[Submission, ...], made_with: bytes) -> Topic:
    """A topic for the model; made_with hashes the config, and its digest adds its file's fields and its submissions'."""
    url = topic_url(config, source.slug)
    made_from = key(made_with, repr(source), *(s.digest for s in submissions))
    return Topic(
        source=source.path, slug=source.slug, title=source.title,
        description_html=Markup(render_markdown(source.description, url, "topic-", (source.path, source.body_line))) if source.description.strip() else Markup(""),
        url=url, absolute_url=config.origin + url, submissions=submissions,
        pages=_pages(config, f"topics/{source.slug}/", submissions, made_with),
        feeds=_feed_refs(config, f"topics/{source.slug}/", source.title), digest=made_from,
    )


def _pages(config: Config, site_path: str, submissions: Sequence[Submission], made_with: bytes) -> tuple[ListingPage, ...]:
    """A topic's pages; each one's digest hashes the config, its place and its own submissions' digests only."""
    total = max(1, -(-len(submissions) // config.per_page))
    page_paths = [site_path if n == 1 else f"{site_path}page/{n}/" for n in range(1, total + 1)]
    urls = [config.base_path + p for p in page_paths]
    pages = []
    for n in range(1, total + 1):
        shown = tuple(submissions[(n - 1) * config.per_page : n * config.per_page])
        pages.append(ListingPage(
            number=n, total=total, url=urls[n - 1], absolute_url=config.origin + urls[n - 1],
            output_path=paths.output_path(page_paths[n - 1]), submissions=shown,
            previous_url=urls[n - 2] if n > 1 else None, next_url=urls[n] if n < total else None,
            pager=pager(n, total, urls), digest=key(made_with, site_path, str(n), str(total), *(s.digest for s in shown)),
        ))
    return tuple(pages)


def pager(current: int, total: int, urls: list[str]) -> tuple[PagerItem, ...]:
    """Numbered pages around the current one, the first and last always, gaps where pages are skipped."""
    if total <= PAGER_WINDOW:
        shown = list(range(1, total + 1))
    else:
        low, high = max(2, current - 1), min(total - 1, current + 1)
        shown = [1, *range(low, high + 1), total]
    items: list[PagerItem] = []
    for number in shown:
        if items and items[-1].number is not None and number - items[-1].number > 1:
            items.append(PagerItem(None, None, False))
        items.append(PagerItem(number, urls[number - 1], number == current))
    return tuple(items)


def _feed_refs(config: Config, site_path: str, title: str) -> tuple[FeedRef, ...]:
    refs = []
    for kind in ("rss", "atom"):
        url = f"{config.base_path}{site_path}{kind}.xml"
        refs.append(FeedRef(kind, f"{title} ({FEED_LABELS[kind]})", url, config.origin + url, FEED_TYPES[kind]))
    return tuple(refs)


def _feeds(config: Config, topics: list[Topic], submissions: list[Submission], site_feeds: tuple[FeedRef, ...]) -> tuple[Feed, ...]:
    """One spec per feed file: the whole site and each topic, in RSS and Atom."""
    specs = [(site_feeds, config.base_url, f"The newest submissions to {config.title}.", submissions, config.path)]
    specs += [(t.feeds, t.absolute_url, f"The newest submissions on {t.title}, from {config.title}.", list(t.submissions), t.source) for t in topics]
    return tuple(
        Feed(ref, _site_path(config, ref.url), description, html_url, tuple(items[: config.feed_items]), source)
        for refs, html_url, description, items, source in specs
        for ref in refs
    )


def _old_feeds(config: Config, aliases: tuple[Alias, ...], feeds: tuple[Feed, ...]) -> tuple[Feed, ...]:
    """A topic's RSS feed again at each old feed address among its aliases: readers do not follow an HTML redirect."""
    by_url = {feed.ref.url: feed for feed in feeds}
    copies = []
    for alias in aliases:
        if alias.kind == "feed":
            feed, url = by_url[alias.target_url], config.base_path + alias.output_path
            ref = dataclasses.replace(feed.ref, url=url, absolute_url=config.origin + url)
            copies.append(dataclasses.replace(feed, ref=ref, output_path=alias.output_path, source=alias.source, old_address=True))
    return tuple(copies)


def _site_path(config: Config, url: str) -> str:
    return url[len(config.base_path):]


def _aliases(config: Config, topics: list[TopicSource], submissions: list[SubmissionSource]) -> tuple[Alias, ...]:
    """Old URLs of topics and of the submissions that are published; each redirects to its page."""
    targets = [(t.path, t.aliases, topic_url(config, t.slug), t.title, True) for t in topics]
    targets += [(s.path, s.aliases, submission_url(config.base_path, s.id), s.title, False) for s in submissions]
    return tuple(
        _alias(config, source, alias, line, url, title, has_feed)
        for source, aliases, url, title, has_feed in targets
        for alias, line in aliases
    )


def _alias(config: Config, source: Path, path: str, line: int, url: str, title: str, has_feed: bool) -> Alias:
    """An alias and what it becomes: a redirecting page, the topic's feed, or nothing (the target's own file)."""
    if has_feed and is_feed_address(path):
        feed_url = f"{url}rss.xml"
        return Alias(source, line, path, unquote(path).lstrip("/"), feed_url, config.origin + feed_url, title, "feed")
    output = paths.output_path(unquote(path).lstrip("/"))  # a server looks up the decoded path
    kind: AliasKind = "same" if output == paths.output_path(url[len(config.base_path):]) else "page"
    return Alias(source, line, path, output, url, config.origin + url, title, kind)


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
    owned = _generated_paths(site)
    owned += [(a.output_path, _Owner(f"alias {a.path!r}", f"the alias {a.path!r} in {display_path(a.source)}", a.source, a.line)) for a in site.aliases if a.kind != "same"]
    for later, earlier in paths.clashes([output for output, _ in owned]):
        (path, owner), (other_path, other) = owned[later], owned[earlier]
        if path.casefold() == other_path.casefold():
            problems.add(owner.source, owner.line, f"{owner.subject} would replace {other.what}; choose another path")
        else:
            problems.add(owner.source, owner.line, f"{owner.subject} would be written to {path}, but {other.what} is {other_path}: "
                                                    "one path cannot be both a file and a folder; choose another path")


def _generated_paths(site: Site) -> list[tuple[str, _Owner]]:
    """Every output path load knows of but the aliases', with who writes it (the search index checks its own)."""
    fixed = ["index.html", "topics/index.html", "search/index.html", "404.html", "sitemap.xml", "robots.txt", "rss.xml", "atom.xml"]
    owners = [(p, f"the generated page /{p}", site.config.path) for p in fixed]
    owners += [(page.output_path, f"a page of topic {t.slug!r}", t.source) for t in site.topics for page in t.pages]
    owners += [(f.output_path, f"a feed of topic {f.html_url}", f.source) for f in site.feeds if f.output_path not in fixed and not f.old_address]
    owners += [(s.output_path, f"the page of submission {s.id!r}", s.source) for s in site.submissions]
    owners += [(f.path, f"the static file {f.path}", f.source) for f in site.static_files]
    return [(path, _Owner(what, what, source)) for path, what, source in owners]
