"""Every address of a site in one place: the site path, URL and output file of each page, feed and alias.

A site path is relative to the site's base URL ('topics/water/', '404.html'); the model carries it,
and URLs are the base path or base URL followed by it, so nothing ever strips the base path off.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Literal
from urllib.parse import unquote

FeedKind = Literal["rss", "atom"]
FEED_KINDS: tuple[FeedKind, ...] = ("rss", "atom")
FEED_TYPES: dict[FeedKind, str] = {"rss": "application/rss+xml", "atom": "application/atom+xml"}
FEED_LABELS: dict[FeedKind, str] = {"rss": "RSS", "atom": "Atom"}

HOME, TOPICS, SEARCH, NOT_FOUND = "", "topics/", "search/", "404.html"
SITEMAP, ROBOTS = "sitemap.xml", "robots.txt"
SEARCH_INDEX = "pagefind/"  # Pagefind's bundle: pagefind.js and the index
FIXED_PAGES = (HOME, TOPICS, SEARCH, NOT_FOUND)  # the pages every site has, besides its topics and submissions
FIXED_FILES = (SITEMAP, ROBOTS)


def topic_path(slug: str) -> str:
    """A topic's first page."""
    return f"{TOPICS}{slug}/"


def listing_path(slug: str, number: int) -> str:
    """Page `number` of a topic's list of submissions."""
    return topic_path(slug) if number == 1 else f"{topic_path(slug)}page/{number}/"


def submission_path(submission_id: str) -> str:
    """A submission's page."""
    return f"submissions/{submission_id}/"


def feed_path(page_path: str, kind: FeedKind) -> str:
    """The feed of the site (page_path '') or of a topic, beside its page."""
    return f"{page_path}{kind}.xml"


def fixed_outputs() -> tuple[str, ...]:
    """The output files every site has whatever its content: fixed pages, sitemap, robots.txt and the site's feeds."""
    return (*(output_path(p) for p in FIXED_PAGES), *FIXED_FILES, *(feed_path(HOME, kind) for kind in FEED_KINDS))


def alias_output(alias: str) -> str:
    """The file that answers an alias such as /taxonomy/term/3 (a server looks up its decoded path)."""
    return output_path(unquote(alias).lstrip("/"))


def alias_feed_output(alias: str) -> str:
    """The file that answers an old feed address such as /taxonomy/term/3/feed: the decoded path itself."""
    return unquote(alias).lstrip("/")


def alias_page(alias: str) -> str:
    """An alias as a site path, its %-escapes kept (it is a URL)."""
    return alias.lstrip("/")


def url(base_path: str, site_path: str = "") -> str:
    """The root-relative URL of a site path."""
    return base_path + site_path


def output_path(site_path: str) -> str:
    """The file that serves a site path: 'topics/x/' -> 'topics/x/index.html'."""
    if site_path == "" or site_path.endswith("/"):
        return site_path + "index.html"
    last = site_path.rsplit("/", 1)[-1]
    return site_path if "." in last else site_path + "/index.html"


def clashes(output_paths: Sequence[str]) -> list[tuple[int, int]]:
    """Pairs (later, earlier) of indexes of output paths that cannot both be written: one file when case is
    ignored (as on Windows and macOS disks), or a file where the other needs a folder ('a/b' and 'a/b/c')."""
    return list(_clashes(tuple(output_paths)))


@functools.lru_cache(maxsize=4)
def _clashes(output_paths: tuple[str, ...]) -> tuple[tuple[int, int], ...]:
    """clashes(), remembered for the last few lists of paths: serve's rebuilds mostly plan the same paths again."""
    files: dict[str, int] = {}
    folders: dict[str, int] = {}  # each folder some path needs, and the first path that needs it
    found = []
    for index, path in enumerate(output_paths):
        key = path.casefold()
        earlier = files.get(key, folders.get(key))
        parts = key.split("/")
        for n in range(1, len(parts)):
            if earlier is not None:
                break
            folder = "/".join(parts[:n])
            earlier = files.get(folder)
            folders.setdefault(folder, index)
        if earlier is None:
            files[key] = index
        else:
            found.append((index, earlier))
    return tuple(found)
