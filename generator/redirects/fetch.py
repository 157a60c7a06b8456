"""Fetch one URL of the old portal over HTTP(S), bounded in time and size: for `cutover-check` and `import feed`."""

from __future__ import annotations

import http.client
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

FETCH_TIMEOUT = 30
FETCH_MAX = 50_000_000  # bytes: far more than any page or feed of a portal; a larger answer is refused, not cut


@dataclass(frozen=True, slots=True)
class Fetched:
    """What a server answered: its status, content type and body."""

    status: int
    content_type: str
    body: bytes


class FetchFailed(Exception):
    """No answer to use: why, and the HTTP status when the server answered with an error (None when it did not answer)."""

    def __init__(self, reason: str, status: int | None = None) -> None:
        super().__init__(reason)
        self.reason, self.status = reason, status


def is_web_url(source: str) -> bool:
    """Whether a source is an http(s) URL (anything else is a file or folder)."""
    return source.lower().startswith(("http://", "https://"))


def url_place(url: str) -> Path:
    """Where problems with a URL are reported: its host and path, without the query."""
    try:
        parts = urlsplit(url)
    except ValueError:  # such as an unclosed '[' of an IPv6 host: fetch says what is wrong
        return Path(url.partition("://")[2].partition("?")[0])
    return Path(parts.netloc + parts.path)  # Path(url) would fold the '//' after the scheme


def fetch(url: str) -> Fetched:
    """GET an http(s) URL, following redirects; FetchFailed for an error status, no answer, or an answer too large."""
    if not is_web_url(url):
        raise FetchFailed("only http:// and https:// URLs are fetched")
    try:
        with urllib.request.urlopen(url, timeout=FETCH_TIMEOUT) as reply:  # noqa: S310 (scheme checked above)
            fetched = Fetched(reply.status, reply.headers.get("Content-Type", ""), reply.read(FETCH_MAX + 1))
    except urllib.error.HTTPError as error:
        raise FetchFailed(f"HTTP {error.code}", error.code) from None
    except (urllib.error.URLError, http.client.HTTPException, OSError, ValueError) as error:
        raise FetchFailed(str(getattr(error, "reason", None) or error)) from None
    if len(fetched.body) > FETCH_MAX:
        raise FetchFailed(f"the answer is larger than {FETCH_MAX:,} bytes")
    return fetched
