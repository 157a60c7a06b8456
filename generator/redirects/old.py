"""Old addresses and where they lead now: the one mapping that server rules and `cutover-check` both use.

An old address is an alias (of a topic or a submission), the old home page and `/rss.xml`, and a topic
page's own path without its slash (`/topics/x`, the form Drupal linked to) when the site lives at `/`.
Each also answers Drupal's `?q=PATH` form. A topic's old
addresses take Drupal's pager, `?page=N` counted from zero and clamped to the last page.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, quote, unquote

from ..errors import Problem
from ..site import addresses
from ..site.model import Site, Topic

OLD_PER_PAGE = 10  # Drupal 7's default_nodes_main: term pages list 10 nodes a page


@dataclass(frozen=True, slots=True)
class OldAddress:
    """An old path (decoded, as servers match it) and the new URL it leads to.

    `pages[n]` is where `?page=n` leads, for every page the old site had; a later page leads to the last.
    """

    path: str
    target: str
    pages: tuple[str, ...]
    feed: bool
    source: Path
    line: int

    @property
    def query_path(self) -> str:
        """The path as Drupal writes it in `?q=` (no leading slash, percent-encoded, slashes kept)."""
        return quote(self.path.lstrip("/"), safe="/")

    def page_target(self, page: int) -> str:
        """Where `?page=page` of this address leads (Drupal clamps a page past the end to the last)."""
        return self.pages[min(page, len(self.pages) - 1)] if self.pages else self.target


def old_addresses(site: Site, old_per_page: int = OLD_PER_PAGE) -> tuple[OldAddress, ...]:
    """Every old address of a site, sorted by path; the first source of a path wins."""
    topics = {topic.url: topic for topic in site.topics}
    found: dict[str, OldAddress] = {}
    for alias in site.aliases:
        topic = topics.get(alias.target_url)
        pages = old_pages(topic, site.config.per_page, old_per_page) if topic else ()
        _add(found, OldAddress(unquote(alias.path), alias.target_url, pages, alias.kind == "feed", alias.source, alias.line))
    for extra in _implicit(site, old_per_page):
        _add(found, extra)
    return tuple(sorted(found.values(), key=lambda a: a.path))


def _add(found: dict[str, OldAddress], address: OldAddress) -> None:
    found.setdefault(address.path, address)


def _implicit(site: Site, old_per_page: int) -> list[OldAddress]:
    """Addresses no alias names: the old home and /rss.xml, and at `/` topic pages without their slash."""
    config = site.config
    found = [OldAddress("/", config.base_path, (), False, config.path, 1),
             OldAddress("/rss.xml", addresses.url(config.base_path, addresses.feed_path(addresses.HOME, "rss")), (), True, config.path, 1)]
    if config.base_path == "/":
        found += [OldAddress(topic.url.rstrip("/"), topic.url, old_pages(topic, config.per_page, old_per_page), False, topic.source, 1)
                  for topic in site.topics]
    return found


def old_pages(topic: Topic, per_page: int, old_per_page: int) -> tuple[str, ...]:
    """The new page holding the first item of each old page (old pages held old_per_page items)."""
    count = max(1, -(-len(topic.submissions) // old_per_page))
    last = len(topic.pages) - 1
    return tuple(topic.pages[min(n * old_per_page // per_page, last)].url for n in range(count))


def by_path(addresses: tuple[OldAddress, ...]) -> dict[str, OldAddress]:
    """The addresses by their (decoded) path, for `resolve`."""
    return {address.path: address for address in addresses}


def resolve(addresses: Mapping[str, OldAddress], path: str, query: str = "") -> str | None:
    """Where an old request (path and query string) leads, or None when no rule applies to it."""
    params = parse_qs(query, keep_blank_values=True)
    if path == "/" and params.get("q", [""])[0]:
        path = "/" + params["q"][0]
    address = addresses.get(unquote(path))
    if address is None:
        return None
    page = params.get("page", [""])[0]
    return address.page_target(int(page)) if page.isascii() and page.isdecimal() else address.target


def page_size_warning(site: Site, old_per_page: int) -> Problem | None:
    """A warning when topic pages hold a different number of items than the old pages did."""
    if site.config.per_page == old_per_page:
        return None
    return Problem(site.config.path, 1, f"per_page is {site.config.per_page} but the old pages held {old_per_page} "
                   f"(--old-per-page): an old ?page=N URL leads to the new page holding its first item, and the items "
                   f"around it differ; set per_page = {old_per_page} to keep old pages whole", "warning")
