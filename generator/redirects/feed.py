"""Read an RSS 2.0 or Atom feed into items (pure): the one reader of `import feed` and of `cutover-check`."""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from urllib.parse import urlsplit

import lxml.html
from lxml import etree

from ..errors import SiteError

ATOM = "{http://www.w3.org/2005/Atom}"
DC_CREATOR = "{http://purl.org/dc/elements/1.1/}creator"
CONTENT_ENCODED = "{http://purl.org/rss/1.0/modules/content/}encoded"


@dataclass(frozen=True, slots=True)
class FeedItem:
    """One feed item as the feed states it; `topics` are its categories and, for Drupal, its Topics field links."""

    guid: str
    title: str
    link: str
    date: datetime | None
    author: str
    topics: tuple[str, ...]
    body_html: str
    line: int
    updated: datetime | None = None  # Atom's <updated>, when later than <published>; RSS 2.0 items have none


class NotAFeed(Exception):
    """Data that is no feed: the line, what it is (`what`), and for the importer how to fix it (`hint`)."""

    def __init__(self, line: int, what: str, hint: str = "") -> None:
        super().__init__(what)
        self.line, self.what, self.hint = line, what, hint


def parse_feed(path: Path, data: bytes) -> tuple[FeedItem, ...]:
    """Every item of an RSS 2.0 or Atom document; a SiteError when it is neither."""
    try:
        return feed_items(data)
    except NotAFeed as error:
        raise SiteError.single(path, error.line, error.what + error.hint) from None


def feed_items(data: bytes) -> tuple[FeedItem, ...]:
    """Every item of an RSS 2.0 or Atom document (channel/item, feed/entry); NotAFeed when it is neither."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as error:
        line = error.lineno if isinstance(error.lineno, int) else 1
        raise NotAFeed(line, "is not well-formed XML", f" ({error.msg}); give an RSS 2.0 or Atom feed") from None
    if root.tag == "rss":
        return tuple(_rss_item(item) for item in root.iterfind("channel/item"))
    if root.tag == f"{ATOM}feed":
        return tuple(_atom_entry(entry) for entry in root.iterfind(f"{ATOM}entry"))
    raise NotAFeed(line_of(root), f"is neither RSS 2.0 nor Atom (its root element is <{etree.QName(root).localname}>)")


def line_of(element: etree._Element) -> int:
    """The element's line in the feed, 1 when the parser does not know it."""
    line = element.sourceline
    return line if isinstance(line, int) else 1


def _text(element: etree._Element, path: str) -> str:
    found = element.find(path)
    return (found.text or "").strip() if found is not None else ""


def _rss_item(item: etree._Element) -> FeedItem:
    body = _text(item, CONTENT_ENCODED) or _text(item, "description")
    content, topics = drupal_body(body)
    categories = tuple(c.text.strip() for c in item.iterfind("category") if c.text and c.text.strip())
    pub_date = _text(item, "pubDate")
    return FeedItem(guid=_text(item, "guid") or _text(item, "link"), title=_text(item, "title"), link=_text(item, "link"),
                    date=_rfc822(pub_date), author=_text(item, DC_CREATOR) or _text(item, "author"),
                    topics=(*categories, *topics), body_html=content, line=line_of(item))


def _atom_entry(entry: etree._Element) -> FeedItem:
    links = [link for link in entry.iterfind(f"{ATOM}link") if link.get("rel", "alternate") == "alternate"]
    content = entry.find(f"{ATOM}content")
    if content is None:
        content = entry.find(f"{ATOM}summary")
    body = _atom_html(content) if content is not None else ""
    body, topics = drupal_body(body)
    categories = tuple((c.get("label") or c.get("term") or "").strip() for c in entry.iterfind(f"{ATOM}category"))
    stated = _text(entry, f"{ATOM}published")
    published, updated = _iso(stated), _iso(_text(entry, f"{ATOM}updated"))
    return FeedItem(guid=_text(entry, f"{ATOM}id"), title=_text(entry, f"{ATOM}title"),
                    link=links[0].get("href", "") if links else "", date=published if stated else updated,
                    author=_text(entry, f"{ATOM}author/{ATOM}name"), topics=tuple(c for c in (*categories, *topics) if c),
                    body_html=body, line=line_of(entry), updated=updated if published and updated and updated > published else None)


def _atom_html(content: etree._Element) -> str:
    kind = content.get("type", "text")
    if kind == "xhtml":
        inner = content.find("{http://www.w3.org/1999/xhtml}div")
        if inner is None:
            return ""
        parts = [inner.text or ""] + [etree.tostring(child, encoding="unicode") for child in inner]
        return "".join(parts).replace(' xmlns="http://www.w3.org/1999/xhtml"', "")
    text = content.text or ""
    if kind == "html":
        return text
    return "".join(f"<p>{html.escape(p.strip())}</p>" for p in text.split("\n\n") if p.strip()) if text.strip() else ""


def _rfc822(value: str) -> datetime | None:
    """An RFC 822 date with its offset; None when it has none (-0000: the moment is unknown) or is no date."""
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return moment if moment.tzinfo else None


def _iso(value: str) -> datetime | None:
    """An RFC 3339 date with its offset; None when it has none or is no date."""
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else None


def drupal_body(body_html: str) -> tuple[str, tuple[str, ...]]:
    """A Drupal node's rendered HTML split into its body and the names in its term fields; other HTML as it is."""
    if "field-name-" not in body_html:
        return body_html, ()
    root = lxml.html.fragment_fromstring(body_html, create_parent="div")
    items = root.xpath('.//div[contains(concat(" ", @class, " "), " field-name-body ")]//div[contains(concat(" ", @class, " "), " field-item ")]')
    body = "".join(_inner_html(item) for item in items[:1])
    topics = []
    for field in root.xpath('.//div[contains(@class, "field-type-taxonomy-term-reference")]'):
        topics += [(link.text_content().strip() or _last_segment(link.get("href", ""))) for link in field.iter("a")]
    return body, tuple(t for t in topics if t)


def _inner_html(element: lxml.html.HtmlElement) -> str:
    return (element.text or "") + "".join(lxml.html.tostring(child, encoding="unicode") for child in element)


def _last_segment(href: str) -> str:
    return urlsplit(href).path.rstrip("/").rsplit("/", 1)[-1]
