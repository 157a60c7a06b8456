"""RSS 2.0 and Atom 1.0 files from feed specs, through feedgen."""

from __future__ import annotations

import functools
import itertools
from datetime import datetime, timezone
from typing import TYPE_CHECKING

import regex
from markupsafe import Markup

from ..content.markdown import absolutize
from ..site import addresses
from ..site.model import Feed, Site, Submission

if TYPE_CHECKING:  # feedgen (and lxml) load on the first feed rendered: a build with nothing to render skips them
    from feedgen.feed import FeedGenerator

GENERATOR = "topicsite"
EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
TITLE_TEXT_MAX = 70  # grapheme clusters of the text in an item title (feed_item_title = "text"), "…" included
TOPIC_SEPARATOR = " — "


def render_feed(site: Site, feed: Feed) -> bytes:
    """The bytes of one feed file; its dates come from its items, never from the clock."""
    generator = _channel(site, feed)
    for submission in feed.submissions:
        _add_item(generator, site, feed, submission)
    if feed.ref.kind == "rss":
        return bytes(generator.rss_str(pretty=True))
    return bytes(generator.atom_str(pretty=True))


def updated(site: Site, feed: Feed) -> datetime:
    """A feed's updated date: the newest update (else date) of its items, or for an empty feed of the site's (else 1970)."""
    items = feed.submissions or site.submissions
    return max((last_change(s) for s in items), default=EPOCH)


def last_change(submission: Submission) -> datetime:
    """When a submission last changed: its `updated`, else its date."""
    return submission.updated or submission.date


def item_title(site: Site, feed: Feed, submission: Submission) -> str:
    """An item's title as `feed_item_title` asks; the GUID never depends on it."""
    choice = site.config.feed_item_title
    if choice == "title-topic":
        topic = next((t for t in submission.topics if t.slug == feed.topic), submission.topics[0])
        return f"{submission.title}{TOPIC_SEPARATOR}{topic.title}"
    if choice == "text":
        return text_title(str(submission.body_html)) or submission.title
    return submission.title


@functools.lru_cache(maxsize=4096)
def text_title(html: str) -> str:
    """The start of a body's text, cut after a whole word (or, in text without spaces, a grapheme cluster) to fit
    TITLE_TEXT_MAX with its "…"; "" for a body without text."""
    text = Markup(html).striptags()
    clusters = [found[0] for found in itertools.islice(regex.finditer(r"\X", text), TITLE_TEXT_MAX + 1)]
    if len(clusters) <= TITLE_TEXT_MAX:
        return text
    head = "".join(clusters[: TITLE_TEXT_MAX - 1])
    words = head.rsplit(" ", 1)[0].rstrip(" ,;:.-") if " " in head else ""
    return (words or head) + "…"


def _channel(site: Site, feed: Feed) -> FeedGenerator:
    from feedgen.feed import FeedGenerator

    generator = FeedGenerator()
    generator.load_extension("dc")
    generator.id(feed.ref.absolute_url)
    generator.title(feed.ref.name)
    # feedgen makes the last link it is given the RSS channel <link>, so the self link goes first.
    generator.link(href=feed.ref.absolute_url, rel="self", type=feed.ref.media_type)
    generator.link(href=feed.html_url, rel="alternate", type="text/html")
    generator.description(feed.description)
    generator.language(site.config.language)
    generator.generator(GENERATOR)
    newest = updated(site, feed)
    generator.updated(newest)
    generator.lastBuildDate(newest)
    return generator


@functools.lru_cache(maxsize=4096)
def _absolute_body(html: str, origin: str) -> str:
    """A body with absolute links, made once per submission though it stands in the site's and each topic's feeds."""
    return absolutize(html, origin)


def _add_item(generator: FeedGenerator, site: Site, feed: Feed, submission: Submission) -> None:
    entry = generator.add_entry(order="append")  # feedgen prepends by default, which would reverse the order
    entry.title(item_title(site, feed, submission))
    entry.link(href=submission.absolute_url, rel="alternate", type="text/html")
    name = submission.display_name if site.config.feed_names == "as-pages" else submission.submitted_by
    entry.author(name=name)
    entry.published(submission.date)
    entry.updated(last_change(submission))
    # Each topic as a category, so readers can group and filter: the slug is Atom's term, the title its
    # label and RSS's text, and the topics page the scheme (RSS's domain).
    for topic in submission.topics:
        entry.category(term=topic.slug, label=topic.title, scheme=site.absolute_url(addresses.TOPICS))
    body = _absolute_body(str(submission.body_html), site.config.origin)
    if feed.ref.kind == "rss":
        guid = submission.guid or submission.feed_id
        entry.guid(guid, permalink=guid.startswith(("http://", "https://")))
        entry.dc.dc_creator(name)  # RSS's own <author> must be an email address
        entry.description(body)
    else:
        entry.id(submission.feed_id)
        entry.content(body, type="html")
