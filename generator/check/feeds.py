"""Checks of a built feed: well-formed, valid RSS 2.0 or Atom 1.0 (RFC 4287's schema), linking to itself and the site."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from datetime import datetime
from email.utils import parsedate_to_datetime
from functools import cache
from importlib.resources import files
from pathlib import Path
from urllib.parse import urlsplit

from lxml import etree

from ..errors import Problem
from .links import ATOM, NOT_UNDER, is_under, line_of, local_name, parse_xml, repeat_problems

RFC3339 = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})")
IRI_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:\S+")
NO_ITEM_TEXT = "the item has neither <title> nor <description>"
RFC822_EXAMPLE = "Thu, 07 Sep 2023 12:53:28 +0000"

def check_feed(path: Path, data: bytes, self_url: str, base_url: str) -> list[Problem]:
    """An RSS 2.0 or Atom 1.0 feed is well-formed, valid and links to itself and the site."""
    root, problems = parse_xml(path, data)
    if root is None:
        return problems
    if root.tag == ATOM + "feed":
        return _check_atom(path, root, self_url, base_url)
    if root.tag == "rss":
        return _check_rss(path, root, self_url, base_url)
    message = f"the root element <{local_name(root.tag)}> is neither RSS <rss> nor Atom <feed>"
    return [Problem(path, line_of(root), message)]


def _count_problems(element: etree._Element, what: str, names: tuple[str, ...], ns: str) -> list[str]:
    """Messages for each required child of element that is missing or repeated."""
    messages = []
    for name in names:
        count = len(element.findall(ns + name))
        if count == 0:
            messages.append(f"{what} has no <{name}>")
        elif count > 1:
            messages.append(f"{what} has {count} <{name}> elements; it needs exactly one")
    return messages


# ---- Atom ----------------------------------------------------------------------------------


def _check_atom(path: Path, feed: etree._Element, self_url: str, base_url: str) -> list[Problem]:
    structure = _atom_structure_problems(path, feed)
    # With required elements missing the schema only repeats the same finding, less clearly.
    schema = [] if structure else _atom_schema_problems(path, feed)
    return (
        structure
        + schema
        + _atom_id_problems(path, feed)
        + _self_link_problems(path, feed, feed.findall(ATOM + "link[@rel='self']"), self_url, "feed", "")
        + _atom_alternate_problems(path, feed, base_url)
        + _atom_entry_rule_problems(path, feed)
    )


def _atom_structure_problems(path: Path, feed: etree._Element) -> list[Problem]:
    required = ("id", "title", "updated")
    problems = []
    for element, what in [(feed, "the feed"), *((entry, "the entry") for entry in feed.iter(ATOM + "entry"))]:
        problems += [Problem(path, line_of(element), m) for m in _count_problems(element, what, required, ATOM)]
    return problems + _date_problems(path, feed.iter(ATOM + "updated", ATOM + "published"), _is_rfc3339,
                                     "an RFC 3339 date-time, like 2023-09-07T12:53:28Z")


def _is_rfc3339(text: str) -> bool:
    if not RFC3339.fullmatch(text):
        return False
    try:
        datetime.fromisoformat(text)
    except ValueError:
        return False
    return True


@cache
def _atom_schema() -> etree.RelaxNG:
    """The RELAX NG schema of RFC 4287 Appendix B, shipped in generator/schemas."""
    schema_file = files("generator") / "schemas" / "atom.rng"
    return etree.RelaxNG(etree.fromstring(schema_file.read_bytes()))


def _atom_schema_problems(path: Path, feed: etree._Element) -> list[Problem]:
    schema = _atom_schema()
    if schema.validate(feed):
        return []
    errors = list(schema.error_log)
    line = next((error.line for error in errors if error.line), 1)
    details = "; ".join(dict.fromkeys(error.message for error in errors))
    return [Problem(path, line, f"the feed does not match the RFC 4287 Atom schema: {details}")]


def _atom_id_problems(path: Path, feed: etree._Element) -> list[Problem]:
    problems = []
    for atom_id in feed.iter(ATOM + "id"):
        if not IRI_SCHEME.fullmatch(atom_id.text or ""):
            message = f"<id> {atom_id.text or ''!r} is not an absolute IRI; use a full URL or a tag: URI"
            problems.append(Problem(path, line_of(atom_id), message))
    entry_ids = [entry.find(ATOM + "id") for entry in feed.iterchildren(ATOM + "entry")]
    return problems + repeat_problems(path, [i for i in entry_ids if i is not None], "entry <id>")


def _self_link_problems(
    path: Path, parent: etree._Element, links: list[etree._Element], self_url: str, where: str, link_type: str
) -> list[Problem]:
    """The feed names its own URL, and with the right type when one is required."""
    tag = "atom:link" if where == "channel" else "link"
    if not links:
        message = f'the {where} has no <{tag} rel="self">; add one with href="{self_url}"'
        return [Problem(path, line_of(parent), message)]
    problems = []
    for link in links:
        line, href, actual_type = line_of(link), link.get("href", ""), link.get("type")
        if href != self_url:
            message = f'<{tag} rel="self"> href {href!r} is not the feed\'s own URL {self_url!r}'
            problems.append(Problem(path, line, message))
        if link_type and actual_type != link_type:
            found = "no type" if actual_type is None else f"type {actual_type!r}"
            message = f'<{tag} rel="self"> has {found}; it needs type="{link_type}"'
            problems.append(Problem(path, line, message))
    return problems


def _atom_alternate_problems(path: Path, feed: etree._Element, base_url: str) -> list[Problem]:
    links = [link for link in feed.findall(ATOM + "link") if link.get("rel", "alternate") == "alternate"]
    if not links:
        return [Problem(path, line_of(feed), 'the feed has no <link rel="alternate">; add one to the site\'s page')]
    outside = [link for link in links if not is_under(link.get("href", ""), base_url)]
    return [
        Problem(path, line_of(link), f'<link rel="alternate"> href {link.get("href")!r} {NOT_UNDER} {base_url!r}')
        for link in outside
    ]


def _atom_entry_rule_problems(path: Path, feed: etree._Element) -> list[Problem]:
    """The two rules RFC 4287 states as Schematron, which RELAX NG validation skips."""
    problems = []
    feed_has_author = feed.find(ATOM + "author") is not None
    for entry in feed.iterchildren(ATOM + "entry"):
        line = line_of(entry)
        has_author = entry.find(ATOM + "author") is not None or entry.find(f"{ATOM}source/{ATOM}author") is not None
        if not (feed_has_author or has_author):
            problems.append(Problem(path, line, "neither the entry nor the feed has an <author>; add one to either"))
        alternates = [link for link in entry.findall(ATOM + "link") if link.get("rel", "alternate") == "alternate"]
        if not alternates and entry.find(ATOM + "content") is None:
            problems.append(Problem(path, line, 'the entry has neither a <link rel="alternate"> nor <content>'))
    return problems


# ---- RSS 2.0 -------------------------------------------------------------------------------


def _check_rss(path: Path, rss: etree._Element, self_url: str, base_url: str) -> list[Problem]:
    if rss.get("version") != "2.0":
        return [Problem(path, line_of(rss), f'<rss> has version {rss.get("version")!r}; it must be "2.0"')]
    channels = rss.findall("channel")
    if len(channels) != 1:
        return [Problem(path, line_of(rss), f"<rss> has {len(channels)} <channel> elements; it needs exactly one")]
    channel = channels[0]
    items = channel.findall("item")
    self_links = [link for link in channel.findall(ATOM + "link") if link.get("rel") == "self"]
    required = _count_problems(channel, "the channel", ("title", "link", "description"), "")
    return (
        [Problem(path, line_of(channel), message) for message in required]
        + [Problem(path, line_of(item), NO_ITEM_TEXT) for item in items if not _has_title_or_description(item)]
        + repeat_problems(path, [guid for item in items for guid in item.findall("guid")], "<guid>")
        + _rss_guid_problems(path, items)
        + _rss_date_problems(path, channel)
        + _rss_link_problems(path, channel, base_url)
        + _self_link_problems(path, channel, self_links, self_url, "channel", "application/rss+xml")
    )


def _has_title_or_description(item: etree._Element) -> bool:
    return item.find("title") is not None or item.find("description") is not None


def _rss_guid_problems(path: Path, items: list[etree._Element]) -> list[Problem]:
    problems = []
    for guid in (guid for item in items for guid in item.findall("guid")):
        if guid.get("isPermaLink", "true") == "true" and not _is_web_url(guid.text or ""):
            text = guid.text or ""
            message = f'<guid> {text!r} is a permalink but not an absolute http(s) URL; set isPermaLink="false"'
            problems.append(Problem(path, line_of(guid), message))
    return problems


def _rss_date_problems(path: Path, channel: etree._Element) -> list[Problem]:
    return _date_problems(path, channel.iter("pubDate", "lastBuildDate"), _is_rfc822,
                          f"an RFC 822 date with a time zone, like {RFC822_EXAMPLE}")


def _date_problems(path: Path, dates: Iterable[etree._Element], valid: Callable[[str], bool], expected: str) -> list[Problem]:
    """A problem for each of these date elements whose text is not valid, saying what it should be (`expected`)."""
    return [
        Problem(path, line_of(date), f"<{local_name(date.tag)}> {date.text or ''!r} is not {expected}")
        for date in dates
        if not valid(date.text or "")
    ]


def _is_rfc822(text: str) -> bool:
    try:
        return parsedate_to_datetime(text).tzinfo is not None
    except (TypeError, ValueError, IndexError):
        return False


def _rss_link_problems(path: Path, channel: etree._Element, base_url: str) -> list[Problem]:
    problems = [
        Problem(path, line_of(link), f"<link> {link.text or ''!r} is not an absolute http(s) URL")
        for link in [*channel.findall("link"), *channel.findall("item/link")]
        if not _is_web_url(link.text or "")
    ]
    site_link = channel.find("link")
    site_url = "" if site_link is None else site_link.text or ""
    if site_link is not None and _is_web_url(site_url) and not is_under(site_url, base_url):
        message = f"the channel <link> {site_url!r} {NOT_UNDER} {base_url!r}"
        problems.append(Problem(path, line_of(site_link), message))
    return problems


def _is_web_url(text: str) -> bool:
    try:
        parts = urlsplit(text.strip())
    except ValueError:  # such as an unclosed '[' of an IPv6 host
        return False
    return parts.scheme in ("http", "https") and bool(parts.netloc) and not any(c.isspace() for c in text)
