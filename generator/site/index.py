"""Indexing: the model built from parsed sources, with every sort order, page, feed, alias and digest computed once."""

from __future__ import annotations

import dataclasses
import functools
import uuid
from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path

import regex
from markupsafe import Markup

from ..content import find
from ..content.aliases import is_feed_address
from ..content.config import Config
from ..content.markdown import render_markdown
from ..content.parse import SubmissionSource, TopicSource
from ..content.submissions import Body, Parsed
from ..errors import Problem
from . import addresses
from .addresses import FEED_KINDS, FEED_TYPES
from .digests import key
from .model import Alias, AliasKind, Feed, FeedRef, Link, ListingPage, PagerItem, Site, StaticFile, Submission, Topic

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December")
PAGER_WINDOW = 7


def index(site_dir: Path, config: Config, topic_sources: list[TopicSource], sources: list[SubmissionSource], prepared: Parsed,
          static: tuple[StaticFile, ...], theme_assets: Mapping[str, str], warnings: tuple[Problem, ...], include_drafts: bool) -> Site:
    """The site model: submissions newest first, topics by title, each topic's pages and feeds, aliases, digests."""
    titles = {t.slug: t.title for t in topic_sources}
    made_with = key(repr(config))
    submissions = sorted((_submission(config, s, titles, prepared.bodies[s.path], key(made_with, str(s.path), prepared.digests[s.path]))
                          for s in sources), key=lambda s: (s.date, s.id), reverse=True)
    pinned = sorted(submissions, key=pinned_order, reverse=True)
    by_topic: dict[str, list[Submission]] = defaultdict(list)
    for submission in pinned:
        for link in submission.topics:
            by_topic[link.url].append(submission)
    topics = sorted((_topic(config, t, tuple(by_topic[_url(config, addresses.topic_path(t.slug))]), made_with) for t in topic_sources),
                    key=lambda t: (t.title.casefold(), t.slug))
    site_feeds = _feed_refs(config, "", config.title)
    aliases = _aliases(config, topic_sources, sources)
    feeds = _feeds(config, topics, submissions, site_feeds)
    return Site(
        root=site_dir, config=config,
        notice_html=Markup(render_markdown(config.notice, config.base_path, "notice-", (config.path, config.notice_line))) if config.notice else None,
        topics=tuple(topics), submissions=tuple(submissions), recent=tuple(pinned[: config.per_page]),
        aliases=aliases, feeds=feeds + _old_feeds(config, aliases, feeds),
        site_feeds=site_feeds, template_dirs=_layered(site_dir / find.TEMPLATES, find.default_templates_dir()),
        static_files=static, assets=theme_assets,
        warnings=warnings, include_drafts=include_drafts,
    )


def pinned_order(submission: Submission) -> tuple[bool, datetime, str]:
    """Drupal's order for term pages and the front page (sticky DESC, created DESC), with the id as tie-break; sort reversed."""
    return submission.sticky, submission.date, submission.id


def _layered(site_dir: Path, default: Path) -> tuple[Path, ...]:
    """The site's own folder first (its files override), then topicsite's defaults."""
    return tuple(d for d in (site_dir, default) if d.is_dir()) if site_dir.resolve() != default.resolve() else (default,)


def _url(config: Config, site_path: str) -> str:
    return addresses.url(config.base_path, site_path)


def submission_url(base_path: str, submission_id: str) -> str:
    """A submission page's URL, which its body's relative links resolve against."""
    return addresses.url(base_path, addresses.submission_path(submission_id))


def _submission(config: Config, source: SubmissionSource, topic_titles: dict[str, str], body: Body, made_from: bytes) -> Submission:
    """A submission for the model; made_from hashes its file and the config, and its topics' titles are added."""
    site_path = addresses.submission_path(source.id)
    url = _url(config, site_path)
    titles = [topic_titles[slug] for slug in source.topic_slugs]
    return Submission(
        source=source.path, id=source.id, title=source.title, submitted_by=source.submitted_by,
        display_name=display_name(source.submitted_by, config.name_max), date=source.date,
        date_display=display_date(source.date), draft=source.draft, sticky=source.sticky,
        topics=tuple(Link(title, _url(config, addresses.topic_path(slug)), slug) for slug, title in zip(source.topic_slugs, titles)),
        feed_id=feed_id(config, source), guid=source.guid, extra=source.extra,
        body_html=Markup(body.html), summary=body.summary,
        path=site_path, url=url, absolute_url=config.origin + url, output_path=addresses.output_path(site_path),
        digest=key(made_from, *titles),
    )


def display_name(name: str, name_max: int) -> str:
    """Names longer than name_max are cut as the portal does: the first name_max - 6 characters and '…'.

    Characters are grapheme clusters, what a reader sees as one character (an emoji with its skin tone,
    a letter with its accent, a Hangul syllable in jamo), so a cut never splits one.
    """
    if len(name) <= name_max:  # never more clusters than characters: most names need no segmenting
        return name
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
    site_path = addresses.topic_path(source.slug)
    url = _url(config, site_path)
    made_from = key(made_with, repr(source), *(s.digest for s in submissions))
    return Topic(
        source=source.path, slug=source.slug, title=source.title,
        description_html=Markup(render_markdown(source.description, url, "topic-", (source.path, source.body_line))) if source.description.strip() else Markup(""),
        path=site_path, url=url, absolute_url=config.origin + url, submissions=submissions,
        pages=_pages(config, source.slug, submissions, made_with),
        feeds=_feed_refs(config, site_path, source.title), digest=made_from,
    )


def _pages(config: Config, slug: str, submissions: Sequence[Submission], made_with: bytes) -> tuple[ListingPage, ...]:
    """A topic's pages; each one's digest hashes the config, its place and its own submissions' digests only."""
    total = max(1, -(-len(submissions) // config.per_page))
    page_paths = [addresses.listing_path(slug, n) for n in range(1, total + 1)]
    urls = [_url(config, p) for p in page_paths]
    pages = []
    for n in range(1, total + 1):
        shown = tuple(submissions[(n - 1) * config.per_page : n * config.per_page])
        pages.append(ListingPage(
            number=n, total=total, path=page_paths[n - 1], url=urls[n - 1], absolute_url=config.origin + urls[n - 1],
            output_path=addresses.output_path(page_paths[n - 1]), submissions=shown,
            previous_url=urls[n - 2] if n > 1 else None, next_url=urls[n] if n < total else None,
            pager=pager(n, total, urls), digest=key(made_with, page_paths[0], str(n), str(total), *(s.digest for s in shown)),
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


def _feed_refs(config: Config, page_path: str, name: str) -> tuple[FeedRef, ...]:
    """The RSS and Atom feeds of the site (page_path '') or of a topic."""
    paths_ = [(kind, addresses.feed_path(page_path, kind)) for kind in FEED_KINDS]
    return tuple(FeedRef(kind, name, path, _url(config, path), config.origin + _url(config, path), FEED_TYPES[kind]) for kind, path in paths_)


def _feeds(config: Config, topics: list[Topic], submissions: list[Submission], site_feeds: tuple[FeedRef, ...]) -> tuple[Feed, ...]:
    """One spec per feed file: the whole site and each topic, in RSS and Atom."""
    specs = [(site_feeds, config.base_url, f"The newest submissions to {config.title}.", submissions, config.path)]
    specs += [(t.feeds, t.absolute_url, f"The newest submissions on {t.title}, from {config.title}.", list(t.submissions), t.source) for t in topics]
    return tuple(
        Feed(ref, ref.path, description, html_url, tuple(items[: config.feed_items]), source)
        for refs, html_url, description, items, source in specs
        for ref in refs
    )


def _old_feeds(config: Config, aliases: tuple[Alias, ...], feeds: tuple[Feed, ...]) -> tuple[Feed, ...]:
    """A topic's RSS feed again at each old feed address among its aliases: readers do not follow an HTML redirect."""
    by_url = {feed.ref.url: feed for feed in feeds}
    copies = []
    for alias in aliases:
        if alias.kind == "feed":
            feed, url = by_url[alias.target_url], _url(config, alias.output_path)
            ref = dataclasses.replace(feed.ref, path=alias.output_path, url=url, absolute_url=config.origin + url)
            copies.append(dataclasses.replace(feed, ref=ref, output_path=alias.output_path, source=alias.source, old_address=True))
    return tuple(copies)


def _aliases(config: Config, topics: list[TopicSource], submissions: list[SubmissionSource]) -> tuple[Alias, ...]:
    """Old URLs of topics and of the submissions that are published; each redirects to its page."""
    targets = [(t.path, t.aliases, addresses.topic_path(t.slug), t.title, True) for t in topics]
    targets += [(s.path, s.aliases, addresses.submission_path(s.id), s.title, False) for s in submissions]
    return tuple(
        _alias(config, source, alias, line, url, title, has_feed)
        for source, aliases, url, title, has_feed in targets
        for alias, line in aliases
    )


def _alias(config: Config, source: Path, path: str, line: int, target: str, title: str, has_feed: bool) -> Alias:
    """An alias of the page at site path `target` and what it becomes: a redirecting page, the topic's feed, or
    nothing (the target's own file)."""
    if has_feed and is_feed_address(path):
        feed_url = _url(config, addresses.feed_path(target, "rss"))
        return Alias(source, line, path, addresses.alias_feed_output(path), feed_url, config.origin + feed_url, title, "feed")
    output, url = addresses.alias_output(path), _url(config, target)
    kind: AliasKind = "same" if output == addresses.output_path(target) else "page"
    return Alias(source, line, path, output, url, config.origin + url, title, kind)
