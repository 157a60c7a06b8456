"""Aliases in front matter: old addresses of a page, and old feed addresses of a topic, checked as a web server reads them."""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import unquote

from ..errors import Problems
from .frontmatter import Document

ALIAS_PATTERN = re.compile(r"/[A-Za-z0-9._~!$&'()*+,;=:@%/-]*")
BAD_ESCAPE = re.compile(r"%(?![0-9A-Fa-f]{2})")
FORBIDDEN_ESCAPE = re.compile(r"%(?:2[Ff]|00)")
SERVER_FILES = frozenset({"web.config"})  # dot-files (.htaccess, .user.ini) are refused as hidden names
FEED_SUFFIXES = (".xml", ".rss", ".atom")  # with a last segment "feed": old feed addresses


def aliases_field(doc: Document, problems: Problems, *, feeds: bool) -> tuple[tuple[str, int], ...]:
    """The aliases front matter lists, each with its line; each bad one is a problem."""
    value = doc.meta.get("aliases", [])
    items = [value] if isinstance(value, str) else value
    line = doc.line_of("aliases")
    if not isinstance(items, list) or not all(isinstance(a, str) for a in items):
        problems.add(doc.path, line, "aliases must be a list of paths, such as [/taxonomy/term/3485]")
        return ()
    good = []
    for alias in items:
        message = alias_problem(alias, feeds=feeds)
        if message:
            problems.add(doc.path, line, message)
        else:
            good.append((alias, line))
    return tuple(good)


def alias_problem(alias: str, *, feeds: bool = True) -> str | None:
    """Why an alias cannot be the address of a page or, where `feeds`, of an old feed (a server decodes its %-escapes to find the file), or None."""
    if not ALIAS_PATTERN.fullmatch(alias) or "//" in alias:
        return f"alias {alias!r} must be a site path starting with '/', such as /taxonomy/term/3485, without '..' or spaces"
    if BAD_ESCAPE.search(alias):
        return f"alias {alias!r} has a '%' that does not start an escape such as %20; write a '%' itself as %25"
    if FORBIDDEN_ESCAPE.search(alias):
        return f"alias {alias!r} holds an encoded '/' (%2F) or NUL (%00), which a web server refuses or reads as another path; remove it"
    try:
        decoded = unquote(alias, errors="strict")
    except UnicodeDecodeError:
        return f"alias {alias!r} is not UTF-8 text once its %-escapes are decoded; encode each character as its UTF-8 bytes, such as /caf%C3%A9"
    return _page_address_problem(alias, decoded.split("/")[1:], feeds)


def _page_address_problem(alias: str, segments: list[str], feeds: bool) -> str | None:
    """Why decoded path segments do not name a page a server would serve as one, or None."""
    if any(part in (".", "..") for part in segments):
        return f"alias {alias!r} must be a site path starting with '/', such as /taxonomy/term/3485, without '..' or spaces"
    unsafe = next((c for c in "/".join(segments) if unicodedata.category(c)[0] == "C" or c == "\\"), None)
    if unsafe is not None:
        return f"alias {alias!r} decodes to the character U+{ord(unsafe):04X}, which a file name on the server must not hold; remove it"
    hidden = next((part for part in segments if part.startswith(".")), None)
    if hidden is not None:
        return f"alias {alias!r} has a part starting with '.' ({hidden!r}): web servers hide such names or read them as their configuration (like .htaccess); choose a path without one"
    last = segments[-1].casefold()
    if last in SERVER_FILES:
        return f"alias {alias!r} names {segments[-1]}, a file web servers read as their configuration; choose another path"
    if is_feed_address(last):
        if feeds:
            return None
        return f"alias {alias!r} is a feed address: a submission has no feed; put it in the aliases of the topic whose feed it was"
    suffix = last.rpartition(".")[2] if "." in last else "html"
    if suffix != "html":
        return f"alias {alias!r} ends in '.{suffix}', so a web server would not serve it as a page; end it in '.html', '/' or a name without a dot"
    return None


def is_feed_address(alias: str) -> bool:
    """Whether an old address names a feed (Drupal's .../feed and rss.xml, any .xml, .rss or .atom): it must keep answering with one."""
    last = alias.rsplit("/", 1)[-1].lower()
    return last == "feed" or last.endswith(FEED_SUFFIXES)
