"""The frozen model of a site that `load` builds and rendering only reads."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from markupsafe import Markup

from ..content.config import Config
from ..errors import Problem
from . import addresses
from .addresses import FEED_LABELS, FeedKind

# page: an HTML page that redirects; feed: an old feed address, answered with the topic's RSS feed;
# same: the target page's own path (such as /topics/x for /topics/x/), so nothing is written for it.
AliasKind = Literal["page", "feed", "same"]


@dataclass(frozen=True, slots=True)
class Link:
    """A topic as a submission links to it: its title, URL (root-relative) and slug."""

    title: str
    url: str
    slug: str


@dataclass(frozen=True, slots=True)
class Submission:
    """One request, ready to render.

    `summary` is the plain text of the body's start (at most 160 characters). `digest` hashes what
    the submission was made from (its file's path and bytes, the config, its topics' titles), so
    two builds by one topicsite version give equal digests exactly when they give equal submissions.
    """

    source: Path
    id: str
    title: str
    submitted_by: str
    display_name: str
    date: datetime
    date_display: str
    updated: datetime | None  # the last edit, when the front matter gives one later than date
    updated_display: str | None
    topics: tuple[Link, ...]
    draft: bool
    sticky: bool
    feed_id: str
    guid: str | None
    extra: Mapping[str, Any]
    body_html: Markup
    summary: str
    path: str  # its site path, as addresses gives it
    url: str
    absolute_url: str
    output_path: str
    digest: bytes


@dataclass(frozen=True, slots=True)
class PagerItem:
    """One slot in a pager: a numbered page, or a gap (number None)."""

    number: int | None
    url: str | None
    current: bool


@dataclass(frozen=True, slots=True)
class ListingPage:
    """One page of a topic's paginated list of submissions."""

    number: int
    total: int
    path: str
    url: str
    absolute_url: str
    output_path: str
    submissions: tuple[Submission, ...]
    previous_url: str | None
    next_url: str | None
    pager: tuple[PagerItem, ...]
    digest: bytes  # hashes what the page is made from (config, topic, number, its submissions' digests)


@dataclass(frozen=True, slots=True)
class FeedRef:
    """A feed as pages link to it: `name` is what it is the feed of (the site's or a topic's title)."""

    kind: FeedKind
    name: str
    path: str
    url: str
    absolute_url: str
    media_type: str

    @property
    def title(self) -> str:
        """The name and the format, as a link to the feed shows it: 'Water (RSS)'."""
        return f"{self.name} ({FEED_LABELS[self.kind]})"


@dataclass(frozen=True, slots=True)
class Feed:
    """Everything one feed file holds."""

    ref: FeedRef
    output_path: str
    description: str
    html_url: str
    submissions: tuple[Submission, ...]
    source: Path
    old_address: bool = False  # a copy of a topic's RSS feed written at an old feed address (an alias)
    topic: str | None = None  # the slug of the topic it is the feed of; None for the site's feeds


@dataclass(frozen=True, slots=True)
class Topic:
    """A topic with its submissions (newest first) split into pages."""

    source: Path
    slug: str
    title: str
    description_html: Markup
    path: str
    url: str
    absolute_url: str
    submissions: tuple[Submission, ...]
    pages: tuple[ListingPage, ...]
    feeds: tuple[FeedRef, ...]
    digest: bytes  # hashes what the topic is made from (config, its file's fields, its submissions' digests)


@dataclass(frozen=True, slots=True)
class Alias:
    """An old URL that redirects to a topic or submission page."""

    source: Path
    line: int
    path: str
    output_path: str
    target_url: str
    target_absolute_url: str
    target_title: str
    kind: AliasKind = "page"


@dataclass(frozen=True, slots=True)
class StaticFile:
    """A static asset: its output path ('static/...'), the file it is copied from, and, for a theme asset
    published under a hashed name, the bytes to publish (a stylesheet's urls rewritten to hashed names)."""

    path: str
    source: Path
    data: bytes | None = None


@dataclass(frozen=True, slots=True)
class Site:
    """The whole site: read, validated and indexed; rendering never changes it."""

    root: Path
    config: Config
    notice_html: Markup | None
    topics: tuple[Topic, ...]
    submissions: tuple[Submission, ...]
    recent: tuple[Submission, ...]
    aliases: tuple[Alias, ...]
    feeds: tuple[Feed, ...]
    site_feeds: tuple[FeedRef, ...]
    template_dirs: tuple[Path, ...]
    static_files: tuple[StaticFile, ...]
    assets: Mapping[str, str]  # a theme asset's site path ('static/topicsite.css') -> its hashed output path
    warnings: tuple[Problem, ...]
    include_drafts: bool

    def url(self, path: str = "") -> str:
        """The root-relative URL of a site path such as 'topics/'."""
        return addresses.url(self.config.base_path, path)

    def absolute_url(self, path: str = "") -> str:
        """The absolute URL of a site path."""
        return self.config.base_url + path
