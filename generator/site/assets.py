"""Content-hashed names for the theme's assets, so that a host may cache them for a year.

The theme's stylesheets, scripts, fonts and images (the files topicsite ships in its static/ folder, or a
site's own files of the same names) are published as `name.HASH.ext`; load keeps the map from each name to
its hashed one (Site.assets) and templates get the hashed URLs in their view (render/views.py Links). A
stylesheet's url(...)s to other such files are rewritten to their hashed names before the stylesheet itself
is hashed, so a changed font gives the stylesheet a new name too. Every other file of a site's static/
folder keeps its name: Markdown links to it.
"""

from __future__ import annotations

import hashlib
import posixpath
import re
from collections.abc import Mapping

FINGERPRINTED = frozenset({".css", ".js", ".woff2", ".png", ".svg", ".ico"})
HASH_LENGTH = 10
CSS_URL = re.compile(r"""url\(\s*(['"]?)([^'")\s]+)\1\s*\)""")


def hashed_name(path: str, data: bytes) -> str:
    """`path` with a hash of `data` before its extension: static/a/b.css -> static/a/b.0123456789.css."""
    stem, dot, extension = path.rpartition(".")
    return f"{stem}.{hashlib.sha256(data).hexdigest()[:HASH_LENGTH]}.{extension}"


def is_fingerprinted(path: str) -> bool:
    """Whether a theme file of this name gets a hashed name."""
    return posixpath.splitext(path)[1].lower() in FINGERPRINTED


def rewrite_css_urls(css: str, css_path: str, names: Mapping[str, str]) -> str:
    """The stylesheet at css_path with each relative url(...) that names a key of `names` pointing at its value."""
    folder = posixpath.dirname(css_path)

    def replace(match: re.Match[str]) -> str:
        url = match.group(2)
        if url.startswith(("/", "#", "data:")) or ":" in url.split("/")[0]:
            return match.group(0)
        address, mark, rest = url.partition("?") if "?" in url else url.partition("#")
        target = names.get(posixpath.normpath(posixpath.join(folder, address)))
        if target is None:
            return match.group(0)
        return f"url({match.group(1)}{posixpath.relpath(target, folder)}{mark}{rest}{match.group(1)})"

    return CSS_URL.sub(replace, css)


def fingerprint(files: Mapping[str, bytes]) -> dict[str, tuple[str, bytes]]:
    """For each theme file (site path -> bytes): its published path and bytes. Stylesheets are hashed last,
    after their urls to the other files are rewritten."""
    published: dict[str, tuple[str, bytes]] = {}
    for path, data in sorted(files.items()):
        if is_fingerprinted(path) and not path.endswith(".css"):
            published[path] = (hashed_name(path, data), data)
    names = {path: name for path, (name, _) in published.items()}
    for path, data in sorted(files.items()):
        if path.endswith(".css"):
            # surrogateescape: a stylesheet in another encoding keeps its bytes; only ASCII urls are rewritten.
            rewritten = rewrite_css_urls(data.decode("utf-8", "surrogateescape"), path, names).encode("utf-8", "surrogateescape")
            published[path] = (hashed_name(path, rewritten), rewritten)
        elif not is_fingerprinted(path):
            published[path] = (path, data)
    return published
