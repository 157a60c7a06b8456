"""Checks of a built site's output: internal links, the sitemap and page titles (feeds: check/feeds.py)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit

import lxml.html
from lxml import etree

from ..errors import About, Problem

ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
LINK_ATTRIBUTES = {"a": "href", "link": "href", "img": "src", "script": "src", "form": "action"}
# XML 1.0 section 2.2: everything outside Char, found before parsing so the message can name it.
XML_FORBIDDEN = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
NOT_UNDER = "is not under the site's base_url"
REFRESH = "//meta[translate(@http-equiv, 'REFSH', 'refsh') = 'refresh']"


@dataclass(frozen=True, slots=True)
class Built:
    """A built site in memory, each file's bytes by output path, and where it lives on the web."""

    files: Mapping[str, bytes]
    folders: frozenset[str]
    scheme: str
    host: str
    path: str
    unbuilt: tuple[str, ...] = ()  # folders left out of this build, such as 'pagefind/': links into them are not checked

    @classmethod
    def of(cls, files: Mapping[str, bytes], base_url: str, unbuilt: tuple[str, ...] = ()) -> Built:
        parts = urlsplit(base_url)
        folders = frozenset(folder.as_posix() for name in files for folder in PurePosixPath(name).parents)
        return cls(files, folders, parts.scheme, parts.netloc, parts.path.rstrip("/") + "/", unbuilt)

    @property
    def base_url(self) -> str:
        return f"{self.scheme}://{self.host}{self.path}"

    def url_of(self, name: str) -> str:
        """The absolute URL a browser uses for an output file."""
        return self.base_url + name

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

    name: str
    root: lxml.html.HtmlElement
    ids: frozenset[str]


def read_pages(files: Mapping[str, bytes]) -> dict[str, Page]:
    """Every HTML page of the output, parsed, by output path."""
    pages = {}
    for name in sorted(n for n in files if n.endswith(".html")):
        root = _parse_page(files[name])
        pages[name] = Page(name, root, frozenset(str(value) for value in xpath(root, "//@id | //a/@name")))
    return pages


def _parse_page(data: bytes) -> lxml.html.HtmlElement:
    """A page's document; an empty page (a template that renders nothing) as an empty document, which has no title."""
    try:
        return lxml.html.document_fromstring(data, parser=_html_parser())
    except etree.ParserError:  # lxml refuses a document without an element
        return lxml.html.document_fromstring(b"<html></html>", parser=_html_parser())


def check_links(files: Mapping[str, bytes], base_url: str, pages: dict[str, Page] | None = None,
                unbuilt: tuple[str, ...] = ()) -> list[Problem]:
    """Every internal link, image, script and form target of every page resolves, but links into the `unbuilt`
    folders ('pagefind/' when the search index is skipped), which are not in `files`."""
    site, pages = Built.of(files, base_url, unbuilt), pages if pages is not None else read_pages(files)
    return [problem for page in pages.values() for problem in _page_link_problems(site, page, pages)]


@cache
def _html_parser() -> lxml.html.HTMLParser:
    return lxml.html.HTMLParser(encoding="utf-8")


def _page_link_problems(site: Built, page: Page, pages: dict[str, Page]) -> list[Problem]:
    page_url = site.url_of(page.name)
    for base in xpath(page.root, "//base[@href]"):
        page_url = urljoin(page_url, base.get("href", "").strip())
    problems = []
    for element in page.root.iter(*LINK_ATTRIBUTES):
        value = element.get(LINK_ATTRIBUTES[element.tag])
        if value is None:
            continue
        label = f'<{element.tag} {LINK_ATTRIBUTES[element.tag]}="{value}">'
        try:
            message = _link_problem(site, urljoin(page_url, value.strip()), pages)
        except ValueError as error:  # urllib refuses some URLs, such as an unclosed '[' of an IPv6 host
            message = f"is not a valid URL: {error}"
        if message:
            problems.append(Problem(Path(page.name), line_of(element), f"{label} {message}", about=About("link", label, value)))
    return problems


def _link_problem(site: Built, url: str, pages: dict[str, Page]) -> str | None:
    """What is wrong with an absolute URL found on a page, or None for fine and external ones."""
    if not site.is_internal(url):
        return None
    relative = site.relative_path(url)
    if relative is None or ".." in PurePosixPath(relative).parts:
        return f"is outside the site's base path {site.path}"
    name = relative + "index.html" if relative == "" or relative.endswith("/") else relative
    if name.startswith(site.unbuilt):
        return None
    if name in site.folders:
        return f"names a folder; end the link with a slash: {site.path}{relative}/"
    if name not in site.files:
        return f"is broken: there is no {name} in the output"
    return _fragment_problem(name, urlsplit(url).fragment, pages)


def _fragment_problem(name: str, fragment: str, pages: dict[str, Page]) -> str | None:
    # An empty fragment and "top" scroll to the top of any page (HTML "scroll to the fragment").
    if fragment in ("", "top") or name not in pages:
        return None
    if fragment in pages[name].ids or unquote(fragment) in pages[name].ids:
        return None
    return f'is broken: {name} has no element with id="{unquote(fragment)}"'


def check_titles(pages: dict[str, Page]) -> list[Problem]:
    """Every page but redirects has one non-empty <title>, and no two pages share one."""
    problems: list[Problem] = []
    first_with_title: dict[str, str] = {}
    for page in pages.values():
        if xpath(page.root, REFRESH):
            continue
        titles = xpath(page.root, "//title[not(ancestor::svg)]")
        if len(titles) != 1:
            line = line_of(titles[1]) if titles else 1
            problems.append(Problem(Path(page.name), line, _title_count_message(len(titles))))
            continue
        text = " ".join(titles[0].text_content().split())
        line = line_of(titles[0])
        if not text:
            problems.append(Problem(Path(page.name), line, "the <title> is empty; give the page a title"))
        elif text in first_with_title:
            message = f'the title "{text}" is also the title of {first_with_title[text]}'
            problems.append(Problem(Path(page.name), line, message, about=About("title")))
        else:
            first_with_title[text] = page.name
    return problems


def _title_count_message(count: int) -> str:
    if count == 0:
        return "the page has no <title>"
    return f"the page has {count} <title> elements; it needs exactly one"


def check_sitemap(files: Mapping[str, bytes], base_url: str) -> list[Problem]:
    """sitemap.xml is a sitemaps.org urlset whose every <loc> is a page of the site."""
    site, path = Built.of(files, base_url), Path("sitemap.xml")
    if "sitemap.xml" not in files:
        return [Problem(path, 1, "the output has no sitemap.xml")]
    root, problems = parse_xml(path, files["sitemap.xml"])
    if root is None:
        return problems
    if root.tag != SITEMAP + "urlset":
        urlset = f'<urlset xmlns="{SITEMAP[1:-1]}">'
        message = f"the root element is <{local_name(root.tag)}> in {namespace(root.tag)}; a sitemap is {urlset}"
        return [Problem(path, line_of(root), message)]
    locations = root.findall(f"{SITEMAP}url/{SITEMAP}loc")
    problems = [Problem(path, line_of(loc), m) for loc in locations if (m := _loc_problem(site, loc.text or ""))]
    return problems + repeat_problems(path, locations, "<loc>")


def _loc_problem(site: Built, url: str) -> str | None:
    if not is_under(url, site.base_url):
        return f"<loc> {url!r} {NOT_UNDER} {site.base_url!r}"
    problem = _link_problem(site, url, {})
    return f"<loc> {url!r} {problem}" if problem else None


def parse_xml(path: Path, data: bytes) -> tuple[etree._Element | None, list[Problem]]:
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


def line_of(element: etree._Element) -> int:
    """The element's line in its file; lxml knows it for everything parsed from text."""
    line = getattr(element, "sourceline", None)
    return line if isinstance(line, int) else 1


def xpath(element: etree._Element, expression: str) -> list[Any]:
    result = element.xpath(expression)
    return result if isinstance(result, list) else []


def local_name(tag: str) -> str:
    return tag.rpartition("}")[2]


def namespace(tag: str) -> str:
    return f"namespace {tag[1:].partition('}')[0]}" if tag.startswith("{") else "no namespace"


def is_under(url: str, base_url: str) -> bool:
    base = base_url.rstrip("/")
    return url == base or url.startswith(base + "/")


def repeat_problems(path: Path, elements: list[etree._Element], what: str) -> list[Problem]:
    """One problem for each element whose text repeats an earlier one's."""
    first_line: dict[str, int] = {}
    problems = []
    for element in elements:
        text, line = (element.text or "").strip(), line_of(element)
        if text in first_line:
            problems.append(Problem(path, line, f"{what} {text!r} repeats the one on line {first_line[text]}"))
        first_line.setdefault(text, line)
    return problems
