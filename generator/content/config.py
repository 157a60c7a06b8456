"""Load and validate `site.toml` into a frozen `Config`."""

from __future__ import annotations

import difflib
import os
import re
import tomllib
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ..errors import Problems, SiteError
from .find import inside
from .markdown_limits import markdown_findings
from .text import invisible_problem, nested_problem

CONFIG_NAME = "site.toml"
FEED_NAMES = ("full", "as-pages")
# What a feed item's title shows; the GUID never depends on it, so changing it adds no unread item in a reader.
FEED_ITEM_TITLES = {
    "title": "the submission's title, its id unless the front matter gives one",
    "title-topic": "the title, then the feed's topic, or in the site's feeds the item's first topic",
    "text": "the start of the text",
}


@dataclass(frozen=True, slots=True)
class FooterLink:
    """A link in the footer's identifier section."""

    text: str
    url: str


@dataclass(frozen=True, slots=True)
class Config:
    """The validated settings of one site."""

    path: Path
    title: str
    base_url: str
    language: str = "en"
    timezone: str = "UTC"
    per_page: int = 10
    feed_items: int = 10
    name_max: int = 20
    feed_names: str = "full"  # "full": feeds carry submitters' whole names; "as-pages": cut as the pages cut them
    feed_item_title: str = "title"  # one of FEED_ITEM_TITLES
    notice: str | None = None
    contact_email: str | None = None
    agency: str | None = None
    agency_url: str | None = None
    footer_links: tuple[FooterLink, ...] = ()
    notice_line: int = 1  # where the notice is set, for errors in its Markdown

    @property
    def base_path(self) -> str:
        """The path part of base_url, always ending in '/': the prefix of every internal URL."""
        return urlsplit(self.base_url).path

    @property
    def origin(self) -> str:
        """Scheme and host of base_url, without a path."""
        parts = urlsplit(self.base_url)
        return f"{parts.scheme}://{parts.netloc}"

    @property
    def host(self) -> str:
        """The host name of base_url, shown in the footer's identifier."""
        return urlsplit(self.base_url).hostname or ""

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


# key -> (expected type, human description); required keys have no default in Config.
FIELDS: dict[str, tuple[type | tuple[type, ...], str]] = {
    "title": (str, "text"),
    "base_url": (str, "an absolute http(s) URL"),
    "language": (str, "a language tag such as \"en\""),
    "timezone": (str, "an IANA time zone name such as \"America/New_York\""),
    "per_page": (int, "a whole number of at least 1"),
    "feed_items": (int, "a whole number of at least 1"),
    "name_max": (int, "a whole number of at least 2"),
    "feed_names": (str, "\"full\" or \"as-pages\""),
    "feed_item_title": (str, "\"title\", \"title-topic\" or \"text\""),
    "notice": (str, "Markdown text"),
    "contact_email": (str, "an email address"),
    "agency": (str, "text"),
    "agency_url": (str, "an absolute http(s) URL"),
    "footer_links": (list, "a list of tables with text and url, such as [{text = \"Privacy\", url = \"https://example.gov/privacy\"}]"),
}
REQUIRED = ("title", "base_url")
LANGUAGE = re.compile(r"[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*")
EMAIL = re.compile(r"[^@\s<>\"]+@[^@\s<>\"]+\.[^@\s<>\"]+")


def read_config(site_dir: Path) -> Config:
    """Read `site.toml` from a site folder."""
    path = site_dir / CONFIG_NAME
    if path.is_symlink() and not inside(os.path.realpath(path), os.path.realpath(site_dir)):
        raise SiteError.single(path, 1, "is a symbolic link to a file outside the site folder; copy the file into the site folder instead")
    if path.is_dir():
        raise SiteError.single(path, 1, f"is a folder, not a file; a site folder needs a file {CONFIG_NAME} with at least title and base_url")
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise SiteError.single(path, 1, f"{CONFIG_NAME} is missing: a site folder needs one with at least title and base_url") from None
    except OSError as error:
        raise SiteError.single(path, 1, f"cannot read {CONFIG_NAME} ({error.strerror}); let topicsite read it") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise SiteError.single(path, line, "is not UTF-8 text: save it as UTF-8") from None
    return parse_config(path, text)


def parse_config(path: Path, text: str) -> Config:
    """Parse and validate the text of a `site.toml`."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise SiteError.single(path, _toml_error_line(error), f"TOML syntax error: {_toml_error_message(error)}") from None
    problems = Problems()
    values: dict[str, Any] = {}
    for key, value in data.items():
        line = key_line(text, key)
        if key not in FIELDS:
            problems.add(path, line, f"unknown setting {key!r}{did_you_mean(key, FIELDS)}")
            continue
        checked = _check_value(key, value, problems, path, line)
        if checked is not None:
            values[key] = checked
        if key == "notice" and isinstance(checked, str):
            values["notice_line"] = line
            for finding in markdown_findings(checked):
                problems.add(path, line + finding.line - 1, f"notice: {finding.message}")
    for key in REQUIRED:
        if key not in data:
            problems.add(path, 1, f"missing required setting {key!r}: add a line such as {_example(key)}")
    problems.raise_if_errors()
    return Config(path=path, **values)


def _check_value(key: str, value: Any, problems: Problems, path: Path, line: int) -> Any:
    expected, description = FIELDS[key]
    if not isinstance(value, expected) or isinstance(value, bool):
        problems.add(path, line, f"{key} must be {description}, not {value!r}")
        return None
    message = nested_problem(key, value) or _value_problem(key, value)
    if message:
        problems.add(path, line, message)
        return None
    if key == "footer_links":
        links = cast(list[dict[str, str]], value)
        return tuple(FooterLink(item["text"], item["url"]) for item in links)
    if key in ("base_url", "agency_url"):
        return value if str(value).endswith("/") or key == "agency_url" else f"{value}/"
    return value


def _value_problem(key: str, value: Any) -> str | None:
    if key in ("title", "agency") and not value.strip():
        return f"{key} must not be empty"
    if key in ("title", "agency"):
        return invisible_problem(key, value)
    if key in ("base_url", "agency_url"):
        return url_problem(key, value)
    if key == "timezone":
        return _timezone_problem(value)
    if key == "language" and not LANGUAGE.fullmatch(value):
        return f"language must be a language tag such as \"en\" or \"en-US\", not {value!r}"
    if key in ("per_page", "feed_items") and value < 1:
        return f"{key} must be at least 1, not {value}"
    if key == "name_max" and value < 2:
        return f"name_max must be at least 2, not {value}"
    if key == "feed_names" and value not in FEED_NAMES:
        return f"feed_names must be \"full\" (feeds carry whole names) or \"as-pages\" (cut as on pages), not {value!r}"
    if key == "feed_item_title" and value not in FEED_ITEM_TITLES:
        *first, last = (f"\"{name}\" ({meaning})" for name, meaning in FEED_ITEM_TITLES.items())
        return f"feed_item_title must be {', '.join(first)} or {last}, not {value!r}"
    if key == "contact_email" and not EMAIL.fullmatch(value):
        return f"contact_email must be an email address such as \"help@example.gov\", not {value!r}"
    if key == "footer_links":
        return _footer_links_problem(value)
    return None


def _timezone_problem(name: str) -> str | None:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return f"timezone {name!r} is not an IANA time zone name; use one such as \"America/New_York\" or \"UTC\""
    return None


def _footer_links_problem(links: list[Any]) -> str | None:
    for item in links:
        if not isinstance(item, dict) or set(item) != {"text", "url"}:
            return "each footer_links entry must be a table with exactly text and url, such as {text = \"Privacy\", url = \"https://example.gov/privacy\"}"
        if not isinstance(item["text"], str) or not item["text"].strip() or not isinstance(item["url"], str):
            return "each footer_links entry needs non-empty text and a url"
        message = invisible_problem("footer link text", item["text"]) or url_problem("footer link url", item["url"], paths_too=True)
        if message:
            return message
    return None


def url_problem(name: str, value: str, *, paths_too: bool = False) -> str | None:
    """Why a URL from site.toml cannot be used in pages and feeds, or None; `paths_too` also allows '/path'."""
    wanted = "an absolute http(s) URL" + (" or a path starting with /" if paths_too else "") + " such as \"https://example.gov/tta/\""
    if any(c.isspace() or unicodedata.category(c) == "Cc" for c in value):
        return f"{name} {value!r} contains a space or a line break; write it as {wanted}, with spaces written %20"
    try:
        parts = urlsplit(value)
        _ = parts.port  # raises for a port that is not a number from 0 to 65535
    except ValueError as error:
        return f"{name} {value!r} cannot be read as a URL ({error}); write it as {wanted}"
    if paths_too and value.startswith("/") and not value.startswith("//"):
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return f"{name} must be {wanted}, not {value!r}"
    if name == "base_url" and (parts.query or parts.fragment):
        return "base_url must not have a query or fragment"
    return None


def key_line(text: str, key: str) -> int:
    """The line where a top-level TOML key is set (1 if it cannot be found)."""
    match = re.search(rf"^\s*[\"']?{re.escape(key)}[\"']?\s*=", text, re.MULTILINE)
    return text.count("\n", 0, match.start()) + 1 if match else 1


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """A ': did you mean ...?' hint naming the closest choice, or a list of the valid ones."""
    options = sorted(choices)
    close = difflib.get_close_matches(word, options, n=1, cutoff=0.6)
    if close:
        return f"; did you mean {close[0]!r}?"
    return f"; expected one of: {', '.join(options)}"


def _example(key: str) -> str:
    return 'title = "My site"' if key == "title" else 'base_url = "https://example.gov/"'


def _toml_error_line(error: tomllib.TOMLDecodeError) -> int:
    match = re.search(r"at line (\d+)", str(error))
    return int(match.group(1)) if match else 1


def _toml_error_message(error: tomllib.TOMLDecodeError) -> str:
    return re.sub(r"\s*\(at line \d+, column \d+\)|\s*\(at end of document\)", "", str(error))
