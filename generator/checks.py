"""Checks of a built site's output: internal links, feeds, the sitemap and page titles."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from email.utils import parsedate_to_datetime
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit

import lxml.html
from lxml import etree

from generator.errors import Problem

ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
LINK_ATTRIBUTES = {"a": "href", "link": "href", "img": "src", "script": "src", "form": "action"}
RFC3339 = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})")
IRI_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:\S+")
# XML 1.0 section 2.2: everything outside Char, found before parsing so the message can name it.
XML_FORBIDDEN = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
NO_ITEM_TEXT = "the item has neither <title> nor <description>"
NOT_UNDER = "is not under the site's base_url"
RFC822_EXAMPLE = "Thu, 07 Sep 2023 12:53:28 +0000"
REFRESH = "//meta[translate(@http-equiv, 'REFSH', 'refsh') = 'refresh']"


@dataclass(frozen=True, slots=True)
class Site:
    """Where the built site lives on disk and on the web."""

    output_dir: Path
    scheme: str
    host: str
    path: str

    @classmethod
    def from_base_url(cls, output_dir: Path, base_url: str) -> Site:
        parts = urlsplit(base_url)
        return cls(output_dir, parts.scheme, parts.netloc, parts.path.rstrip("/") + "/")

    @property
    def base_url(self) -> str:
        return f"{self.scheme}://{self.host}{self.path}"

    def url_of(self, file: Path) -> str:
        """The absolute URL a browser uses for an output file."""
        return self.base_url + file.relative_to(self.output_dir).as_posix()

    def relative_path(self, url: str) -> str | None:
        """The path of a site URL below the base path, or None when outside it."""
        path = unquote(urlsplit(url).path)
        if path == self.path.rstrip("/"):
            return ""
        return path[len(self.path) :] if path.startswith(self.path) else None

    def is_internal(self, url: str) -> bool:
        """Whether a URL has the site's scheme and host."""
        parts = urlsplit(url)
        return (parts.scheme, parts.netloc) == (self.scheme, self.host)


@dataclass(frozen=True, slots=True)
class Page:
    """One parsed HTML page of the output and the fragment targets in it."""

    file: Path
    root: lxml.html.HtmlElement
    ids: frozenset[str]


def check_links(output_dir: Path, base_url: str) -> list[Problem]:
    """Every internal link, image, script and form target of every page resolves."""
    site = Site.from_base_url(output_dir, base_url)
    pages = {page.file: page for page in _read_pages(output_dir)}
    return [problem for page in pages.values() for problem in _page_link_problems(site, page, pages)]


def _read_pages(output_dir: Path) -> Iterator[Page]:
    for file in sorted(output_dir.rglob("*.html")):
        root = lxml.html.document_fromstring(file.read_bytes(), parser=_html_parser())
        yield Page(file, root, frozenset(str(value) for value in _xpath(root, "//@id | //a/@name")))


@cache
def _html_parser() -> lxml.html.HTMLParser:
    return lxml.html.HTMLParser(encoding="utf-8")


def _page_link_problems(site: Site, page: Page, pages: dict[Path, Page]) -> list[Problem]:
    page_url = site.url_of(page.file)
    for base in _xpath(page.root, "//base[@href]"):
        page_url = urljoin(page_url, base.get("href", "").strip())
    problems = []
    for element in page.root.iter(*LINK_ATTRIBUTES):
        value = element.get(LINK_ATTRIBUTES[element.tag])
        if value is None:
            continue
        label = f'<{element.tag} {LINK_ATTRIBUTES[element.tag]}="{value}">'
        message = _link_problem(site, urljoin(page_url, value.strip()), pages)
        if message:
            problems.append(Problem(page.file, _line(element), f"{label} {message}"))
    return problems


def _link_problem(site: Site, url: str, pages: dict[Path, Page]) -> str | None:
    """What is wrong with an absolute URL found on a page, or None for fine and external ones."""
    if not site.is_internal(url):
        return None
    relative = site.relative_path(url)
    if relative is None or ".." in Path(relative).parts:
        return f"is outside the site's base path {site.path}"
    file = site.output_dir / (relative + "index.html" if relative == "" or relative.endswith("/") else relative)
    if file.is_dir():
        return f"names a folder; end the link with a slash: {site.path}{relative}/"
    if not file.is_file():
        return f"is broken: there is no {file.relative_to(site.output_dir).as_posix()} in the output"
    return _fragment_problem(site, file, urlsplit(url).fragment, pages)


def _fragment_problem(site: Site, file: Path, fragment: str, pages: dict[Path, Page]) -> str | None:
    # An empty fragment and "top" scroll to the top of any page (HTML "scroll to the fragment").
    if fragment in ("", "top") or file not in pages:
        return None
    if fragment in pages[file].ids or unquote(fragment) in pages[file].ids:
        return None
    where = file.relative_to(site.output_dir).as_posix()
    return f'is broken: {where} has no element with id="{unquote(fragment)}"'


def check_titles(output_dir: Path) -> list[Problem]:
    """Every page but redirects has one non-empty <title>, and no two pages share one."""
    problems: list[Problem] = []
    first_with_title: dict[str, Path] = {}
    for page in _read_pages(output_dir):
        if _xpath(page.root, REFRESH):
            continue
        titles = _xpath(page.root, "//title[not(ancestor::svg)]")
        if len(titles) != 1:
            line = _line(titles[1]) if titles else 1
            problems.append(Problem(page.file, line, _title_count_message(len(titles))))
            continue
        text = " ".join(titles[0].text_content().split())
        line = _line(titles[0])
        if not text:
            problems.append(Problem(page.file, line, "the <title> is empty; give the page a title"))
        elif text in first_with_title:
            other = first_with_title[text].relative_to(output_dir).as_posix()
            problems.append(Problem(page.file, line, f'the title "{text}" is also the title of {other}'))
        else:
            first_with_title[text] = page.file
    return problems


def _title_count_message(count: int) -> str:
    if count == 0:
        return "the page has no <title>"
    return f"the page has {count} <title> elements; it needs exactly one"


def check_sitemap(output_dir: Path, base_url: str) -> list[Problem]:
    """sitemap.xml is a sitemaps.org urlset whose every <loc> is a page of the site."""
    site = Site.from_base_url(output_dir, base_url)
    path = output_dir / "sitemap.xml"
    if not path.is_file():
        return [Problem(path, 1, "the output has no sitemap.xml")]
    root, problems = _parse_xml(path, path.read_bytes())
    if root is None:
        return problems
    if root.tag != SITEMAP + "urlset":
        urlset = f'<urlset xmlns="{SITEMAP[1:-1]}">'
        message = f"the root element is <{_local(root.tag)}> in {_ns(root.tag)}; a sitemap is {urlset}"
        return [Problem(path, _line(root), message)]
    locations = root.findall(f"{SITEMAP}url/{SITEMAP}loc")
    problems = [Problem(path, _line(loc), m) for loc in locations if (m := _loc_problem(site, loc.text or ""))]
    return problems + _repeat_problems(path, locations, "<loc>")


def _loc_problem(site: Site, url: str) -> str | None:
    if not _is_under(url, site.base_url):
        return f"<loc> {url!r} {NOT_UNDER} {site.base_url!r}"
    problem = _link_problem(site, url, {})
    return f"<loc> {url!r} {problem}" if problem else None


def check_feed(path: Path, data: bytes, self_url: str, base_url: str) -> list[Problem]:
    """An RSS 2.0 or Atom 1.0 feed is well-formed, valid and links to itself and the site."""
    root, problems = _parse_xml(path, data)
    if root is None:
        return problems
    if root.tag == ATOM + "feed":
        return _check_atom(path, root, self_url, base_url)
    if root.tag == "rss":
        return _check_rss(path, root, self_url, base_url)
    message = f"the root element <{_local(root.tag)}> is neither RSS <rss> nor Atom <feed>"
    return [Problem(path, _line(root), message)]


def _parse_xml(path: Path, data: bytes) -> tuple[etree._Element | None, list[Problem]]:
    """The parsed document, or None and the reasons it is not well-formed XML."""
    text = data.decode("utf-8", errors="replace")
    forbidden = [
        Problem(path, text.count("\n", 0, found.start()) + 1, f"character U+{ord(found[0]):04X} is not allowed in XML")
        for found in XML_FORBIDDEN.finditer(text)
    ]
    if forbidden:
        return None, forbidden
    try:
        return etree.fromstring(data, parser=_xml_parser()), []
    except etree.XMLSyntaxError as error:
        return None, [Problem(path, error.lineno or 1, f"not well-formed XML: {error.msg}")]


@cache
def _xml_parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True)


def _line(element: etree._Element) -> int:
    """The element's line in its file; lxml knows it for everything parsed from text."""
    line = getattr(element, "sourceline", None)
    return line if isinstance(line, int) else 1


def _xpath(element: etree._Element, expression: str) -> list[Any]:
    result = element.xpath(expression)
    return result if isinstance(result, list) else []


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def _ns(tag: str) -> str:
    return f"namespace {tag[1:].partition('}')[0]}" if tag.startswith("{") else "no namespace"


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
        problems += [Problem(path, _line(element), m) for m in _count_problems(element, what, required, ATOM)]
    for date in feed.iter(ATOM + "updated", ATOM + "published"):
        if not _is_rfc3339(date.text or ""):
            text = date.text or ""
            message = f"<{_local(date.tag)}> {text!r} is not an RFC 3339 date-time, like 2023-09-07T12:53:28Z"
            problems.append(Problem(path, _line(date), message))
    return problems


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
            problems.append(Problem(path, _line(atom_id), message))
    entry_ids = [entry.find(ATOM + "id") for entry in feed.iterchildren(ATOM + "entry")]
    return problems + _repeat_problems(path, [i for i in entry_ids if i is not None], "entry <id>")


def _repeat_problems(path: Path, elements: list[etree._Element], what: str) -> list[Problem]:
    """One problem for each element whose text repeats an earlier one's."""
    first_line: dict[str, int] = {}
    problems = []
    for element in elements:
        text, line = (element.text or "").strip(), _line(element)
        if text in first_line:
            problems.append(Problem(path, line, f"{what} {text!r} repeats the one on line {first_line[text]}"))
        first_line.setdefault(text, line)
    return problems


def _self_link_problems(
    path: Path, parent: etree._Element, links: list[etree._Element], self_url: str, where: str, link_type: str
) -> list[Problem]:
    """The feed names its own URL, and with the right type when one is required."""
    tag = "atom:link" if where == "channel" else "link"
    if not links:
        message = f'the {where} has no <{tag} rel="self">; add one with href="{self_url}"'
        return [Problem(path, _line(parent), message)]
    problems = []
    for link in links:
        line, href, actual_type = _line(link), link.get("href", ""), link.get("type")
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
        return [Problem(path, _line(feed), 'the feed has no <link rel="alternate">; add one to the site\'s page')]
    outside = [link for link in links if not _is_under(link.get("href", ""), base_url)]
    return [
        Problem(path, _line(link), f'<link rel="alternate"> href {link.get("href")!r} {NOT_UNDER} {base_url!r}')
        for link in outside
    ]


def _is_under(url: str, base_url: str) -> bool:
    base = base_url.rstrip("/")
    return url == base or url.startswith(base + "/")


def _atom_entry_rule_problems(path: Path, feed: etree._Element) -> list[Problem]:
    """The two rules RFC 4287 states as Schematron, which RELAX NG validation skips."""
    problems = []
    feed_has_author = feed.find(ATOM + "author") is not None
    for entry in feed.iterchildren(ATOM + "entry"):
        line = _line(entry)
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
        return [Problem(path, _line(rss), f'<rss> has version {rss.get("version")!r}; it must be "2.0"')]
    channels = rss.findall("channel")
    if len(channels) != 1:
        return [Problem(path, _line(rss), f"<rss> has {len(channels)} <channel> elements; it needs exactly one")]
    channel = channels[0]
    items = channel.findall("item")
    self_links = [link for link in channel.findall(ATOM + "link") if link.get("rel") == "self"]
    required = _count_problems(channel, "the channel", ("title", "link", "description"), "")
    return (
        [Problem(path, _line(channel), message) for message in required]
        + [Problem(path, _line(item), NO_ITEM_TEXT) for item in items if not _has_title_or_description(item)]
        + _repeat_problems(path, [guid for item in items for guid in item.findall("guid")], "<guid>")
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
            problems.append(Problem(path, _line(guid), message))
    return problems


def _rss_date_problems(path: Path, channel: etree._Element) -> list[Problem]:
    problems = []
    for date in channel.iter("pubDate", "lastBuildDate"):
        if not _is_rfc822(date.text or ""):
            text = date.text or ""
            message = f"<{date.tag}> {text!r} is not an RFC 822 date with a time zone, like {RFC822_EXAMPLE}"
            problems.append(Problem(path, _line(date), message))
    return problems


def _is_rfc822(text: str) -> bool:
    try:
        return parsedate_to_datetime(text).tzinfo is not None
    except (TypeError, ValueError, IndexError):
        return False


def _rss_link_problems(path: Path, channel: etree._Element, base_url: str) -> list[Problem]:
    problems = [
        Problem(path, _line(link), f"<link> {link.text or ''!r} is not an absolute http(s) URL")
        for link in [*channel.findall("link"), *channel.findall("item/link")]
        if not _is_web_url(link.text or "")
    ]
    site_link = channel.find("link")
    site_url = "" if site_link is None else site_link.text or ""
    if site_link is not None and _is_web_url(site_url) and not _is_under(site_url, base_url):
        message = f"the channel <link> {site_url!r} {NOT_UNDER} {base_url!r}"
        problems.append(Problem(path, _line(site_link), message))
    return problems


def _is_web_url(text: str) -> bool:
    parts = urlsplit(text.strip())
    return parts.scheme in ("http", "https") and bool(parts.netloc) and not any(c.isspace() for c in text)
