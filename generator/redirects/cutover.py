"""`cutover-check`: proof, before the DNS switch, that every old URL and feed item reaches its new place.

The old site is a folder of captured responses with a MANIFEST.tsv (url, status, content type,
bytes, file), or a live base URL whose old addresses (from the redirect mapping) are fetched.
The new site is planned in memory. Every old URL is resolved with the same mapping the server
rules are made from (`redirects.old_addresses`), or, when no rule applies, served as it is.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import lxml.etree
import lxml.html

from ..errors import Problem, SiteError
from ..site import addresses
from ..site.model import Site
from .feed import NotAFeed, feed_items
from .fetch import FetchFailed, fetch, url_place
from .old import OldAddress, by_path, resolve

MANIFEST = "MANIFEST.tsv"
MANIFEST_FIELDS = ["url", "status", "content_type", "bytes", "file"]


@dataclass(frozen=True, slots=True)
class OldResponse:
    """What the old site answered for one URL (path and query), and where that is recorded."""

    url: str
    status: int
    content_type: str
    body: bytes
    where: Path
    line: int


def read_captured(folder: Path) -> list[OldResponse]:
    """The responses recorded in a captured folder's MANIFEST.tsv; every bad line is a problem."""
    manifest = folder / MANIFEST
    if not manifest.is_file():
        raise SiteError.single(manifest, 1, f"no {MANIFEST} here: give a folder of captured pages with its manifest, or the old site's base URL")
    try:
        rows = list(csv.reader(manifest.read_text(encoding="utf-8").splitlines(), delimiter="\t"))
    except UnicodeDecodeError as error:
        raise SiteError.single(manifest, 1, f"is not UTF-8 text (byte {error.object[error.start]:#04x} cannot be read); save it as UTF-8") from None
    if not rows or rows[0] != MANIFEST_FIELDS:
        raise SiteError.single(manifest, 1, f"the first line must be the header {' '.join(MANIFEST_FIELDS)} (tab-separated)")
    responses, problems = [], []
    for line, row in enumerate(rows[1:], 2):
        file = folder / row[4] if len(row) == 5 else None
        if file is None or not (row[1].isascii() and row[1].isdecimal()) or not row[0].startswith("/"):
            problems.append(Problem(manifest, line, "expected 5 tab-separated fields: a URL path starting with '/', a status, a content type, a size and a file"))
        elif not file.resolve().is_relative_to(folder.resolve()) or not file.is_file():
            problems.append(Problem(manifest, line, f"file {row[4]!r} is missing from {folder}"))
        else:
            responses.append(OldResponse(row[0], int(row[1]), row[2], file.read_bytes(), manifest, line))
    if problems:
        raise SiteError(problems)
    return responses


def old_urls(addresses: tuple[OldAddress, ...]) -> list[str]:
    """The old URLs to fetch from a live portal: every address and each of its old pages, the home page and /rss.xml."""
    urls = {"/", "/rss.xml"}
    for address in addresses:
        urls.add(address.path)
        urls.update(f"{address.path}?page={n}" for n in range(1, len(address.pages)))
    return sorted(urls)


def fetch_live(base_url: str, urls: list[str]) -> tuple[list[OldResponse], list[Problem]]:
    """Fetch each old URL from the live portal; a 404 is left out (the old site had no such page)."""
    responses, problems = [], []
    for url in urls:
        full = base_url.rstrip("/") + url
        try:
            reply = fetch(full)
        except FetchFailed as error:
            if error.status is None:
                problems.append(Problem(url_place(full), 1, f"cannot fetch {url} from the old site: {error.reason}"))
            elif error.status != 404:
                problems.append(Problem(url_place(full), 1, f"the old site answered {url} with status {error.status}"))
            continue
        responses.append(OldResponse(url, reply.status, reply.content_type, reply.body, url_place(full), 1))
    return responses, problems


class NewSite:
    """The planned new site: its files by output path, and which page or feed belongs to which topic or submission."""

    def __init__(self, site: Site, files: dict[str, bytes], addresses: tuple[OldAddress, ...]) -> None:
        self.site, self.files, self.addresses = site, files, by_path(addresses)
        self.owner: dict[str, str] = {site.url(): site.url()}
        for topic in site.topics:
            self.owner.update({page.url: topic.url for page in topic.pages})
        self.submissions = {s.url for s in site.submissions}
        self.owner.update({url: url for url in self.submissions})
        topic_urls = {topic.absolute_url: topic.url for topic in site.topics}
        self.owner.update({feed.ref.url: topic_urls.get(feed.html_url, site.url()) for feed in site.feeds})
        self.listings = {page.url for topic in site.topics for page in topic.pages}

    def reach(self, url: str) -> str | None:
        """The new URL an old URL (path?query) ends on, or None."""
        path, _, query = url.partition("?")
        target = resolve(self.addresses, path, query)
        if target is None and path.startswith(self.site.config.base_path):
            target = path
        return target if target is not None and self.file(target) is not None else None

    def file(self, url: str) -> bytes | None:
        relative = url[len(self.site.config.base_path):] if url.startswith(self.site.config.base_path) else None
        if relative is None:
            return None
        return self.files.get(relative) or self.files.get(addresses.output_path(relative))


def check_cutover(new: NewSite, old: list[OldResponse]) -> list[Problem]:
    """Every old URL that would not reach its new page, and every feed item that would change or go missing."""
    found: list[Problem] = []
    for response in old:
        if response.status != 200:
            continue
        target = new.reach(response.url)
        if target is None:
            found.append(_at(response, f"{response.url} would reach no page of the new site: add it to the aliases of the topic or submission it showed"))
            continue
        body = new.file(target) or b""
        if _is_feed(response):
            found += [_at(response, message) for message in compare_feeds(new, response.url, response.body, target, body)]
        else:
            found += [_at(response, message) for message in _compare_page(new, response, target, body)]
    return found


def _at(response: OldResponse, message: str) -> Problem:
    return Problem(response.where, response.line, message)


def _is_feed(response: OldResponse) -> bool:
    return any(kind in response.content_type for kind in ("rss", "atom", "xml"))


def _compare_page(new: NewSite, response: OldResponse, target: str, body: bytes) -> Iterator[str]:
    """An old HTML page must lead to the same topic or submission, and an old term page's items must be on the new page."""
    try:
        document = lxml.html.fromstring(response.body)
    except lxml.etree.ParserError:  # no element at all: empty, or only a doctype or comment (a capture cut short)
        yield f"{response.url} was captured empty: capture the page again"
        return
    canonical = next((str(link.get("href", "")) for link in document.iter("link") if link.get("rel") == "canonical"), "")
    expected = new.owner.get(new.reach(canonical) or "", "") if canonical else ""
    if expected and new.owner.get(target) != expected:
        yield f"{response.url} shows {canonical} but would lead to {target}, which is not its new page {expected}"
    if target not in new.listings:
        return
    listed = _hrefs(lxml.html.fromstring(body)) & new.submissions
    for href in sorted({href.split("#")[0] for href in _hrefs(document) if href.startswith("/")}):
        submission = new.reach(href)
        if submission in new.submissions and submission not in listed:
            yield f"{response.url} lists {href}, but its new page {target} does not list {submission}"


def _hrefs(document: lxml.html.HtmlElement) -> set[str]:
    return {str(anchor.get("href")) for anchor in document.iter("a") if anchor.get("href")}


def compare_feeds(new: NewSite, url: str, old_body: bytes, target: str, new_body: bytes) -> Iterator[str]:
    """Every old item must be in the new feed at the old address, with the same GUID, date and (redirected) link."""
    try:
        new_items = {item.guid: item for item in feed_items(new_body)}
    except NotAFeed:
        yield f"{url} was a feed, but leads to {target}, which is not one"
        return
    try:
        old_items = feed_items(old_body)
    except NotAFeed as error:
        yield f"{url} was captured as a feed, but its capture {error.what}: capture it again"
        return
    for item in old_items:
        now = new_items.get(item.guid)
        if now is None:
            yield f"{url}: item {item.guid!r} is missing from the new feed {target}: a reader would lose it (check its guid: front matter)"
            continue
        old_link = new.reach(urlsplit(item.link).path) if item.link else None
        if old_link != urlsplit(now.link).path:
            yield f"{url}: item {item.guid!r} links to {item.link}, which would lead to {old_link or 'no page'}, not to its new page {now.link}"
        if item.date != now.date:
            yield f"{url}: item {item.guid!r} is dated {item.date} in the old feed but {now.date} in the new one: a reader would show it again"
