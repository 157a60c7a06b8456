"""Validators for the test suite that share no code with generator.check.links, so tests see the output twice."""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree
from functools import cache
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import feedparser  # type: ignore[import-untyped]
from lxml import etree

# RFC 4287 Appendix B, converted to RELAX NG XML syntax; see atom.rnc beside it.
ATOM_SCHEMA = Path(__file__).resolve().parent.parent / "generator" / "schemas" / "atom.rng"
LINK_ATTRIBUTES = {"a": "href", "link": "href", "img": "src", "script": "src", "form": "action"}


@cache
def _atom_schema() -> etree.RelaxNG:
    return etree.RelaxNG(etree.parse(str(ATOM_SCHEMA)))


def assert_valid_atom(data: bytes) -> None:
    """The Atom document matches RFC 4287's schema and feedparser reads it without complaint."""
    schema = _atom_schema()
    assert schema.validate(etree.fromstring(data)), str(schema.error_log)
    _assert_feedparser_clean(data, "atom10")


def assert_valid_rss(data: bytes) -> None:
    """The document has RSS 2.0's required elements and feedparser reads it without complaint."""
    root = ElementTree.fromstring(data)
    assert (root.tag, root.get("version")) == ("rss", "2.0"), f"root is <{root.tag} version={root.get('version')}>"
    channels = root.findall("channel")
    assert len(channels) == 1, f"{len(channels)} channels"
    for name in ("title", "link", "description"):
        assert channels[0].find(name) is not None, f"channel has no <{name}>"
    for item in channels[0].iter("item"):
        assert item.find("title") is not None or item.find("description") is not None, "item with no text"
    _assert_feedparser_clean(data, "rss20")


def _assert_feedparser_clean(data: bytes, version: str) -> None:
    parsed = feedparser.parse(data)
    assert not parsed.bozo, f"feedparser: {parsed.get('bozo_exception')}"
    assert parsed.version == version, f"feedparser read it as {parsed.version!r}"


class _PageScan(HTMLParser):
    """The ids, base and link targets of one page, gathered by the standard library's parser."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.links: list[tuple[int, str]] = []
        self.base = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value for name, value in attrs if value is not None}
        self.ids.update(values[name] for name in ("id", "name") if name in values and (name == "id" or tag == "a"))
        if tag == "base" and "href" in values:
            self.base = values["href"]
        if tag in LINK_ATTRIBUTES and LINK_ATTRIBUTES[tag] in values:
            self.links.append((self.getpos()[0], values[LINK_ATTRIBUTES[tag]]))


def _scan(path: Path) -> _PageScan:
    scan = _PageScan()
    scan.feed(path.read_text(encoding="utf-8"))
    scan.close()
    return scan


def internal_links(output_dir: Path, base_url: str) -> list[str]:
    """'page:line: link: reason' for every internal link that does not resolve in output_dir."""
    site = urlsplit(base_url)
    prefix = site.path.rstrip("/") + "/"
    pages = {path.relative_to(output_dir).as_posix(): _scan(path) for path in sorted(output_dir.rglob("*.html"))}
    broken = []
    for name, page in pages.items():
        page_url = urljoin(f"{site.scheme}://{site.netloc}{prefix}{name}", page.base)
        for line, link in page.links:
            target = urlsplit(urljoin(page_url, link.strip()))
            if (target.scheme, target.netloc) != (site.scheme, site.netloc):
                continue
            reason = _unresolved(output_dir, pages, prefix, unquote(target.path), unquote(target.fragment))
            if reason:
                broken.append(f"{name}:{line}: {link}: {reason}")
    return broken


def _unresolved(output_dir: Path, pages: dict[str, _PageScan], prefix: str, path: str, fragment: str) -> str:
    if path == prefix.rstrip("/"):
        path = prefix
    if not path.startswith(prefix) or "/../" in path:
        return "outside the base path"
    name = path[len(prefix) :]
    name = name + "index.html" if name == "" or name.endswith("/") else name
    if not (output_dir / name).is_file():
        return f"no file {name}"
    if fragment not in ("", "top") and name in pages and fragment not in pages[name].ids:
        return f"no id {fragment} in {name}"
    return ""
