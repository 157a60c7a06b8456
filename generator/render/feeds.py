"""RSS 2.0 and Atom 1.0 files from feed specs, through feedgen."""

from __future__ import annotations

import functools
from datetime import datetime, timezone
from typing import TYPE_CHECKING

from ..content.markdown import absolutize
from ..site import addresses
from ..site.model import Feed, Site, Submission

if TYPE_CHECKING:  # feedgen (and lxml) load on the first feed rendered: a build with nothing to render skips them
    from feedgen.feed import FeedGenerator

GENERATOR = "topicsite"
EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def render_feed(site: Site, feed: Feed) -> bytes:
    """The bytes of one feed file; its dates come from its items, never from the clock."""
    generator = _channel(site, feed)
    for submission in feed.submissions:
        _add_item(generator, site, feed, submission)
    if feed.ref.kind == "rss":
        return bytes(generator.rss_str(pretty=True))
    return bytes(generator.atom_str(pretty=True))


def updated(site: Site, feed: Feed) -> datetime:
    """A feed's updated date: its newest item's, or for an empty feed the site's newest (else 1970)."""
    newest = feed.submissions or site.submissions
    return newest[0].date if newest else EPOCH


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
    entry.title(submission.title)
    entry.link(href=submission.absolute_url, rel="alternate", type="text/html")
    name = submission.display_name if site.config.feed_names == "as-pages" else submission.submitted_by
    entry.author(name=name)
    entry.published(submission.date)
    entry.updated(submission.date)
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
