"""Markdown to safe HTML: Python-Markdown, then an nh3 allowlist."""

from __future__ import annotations

import functools
import re
from html import unescape
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin, urlsplit

import nh3
from markupsafe import Markup

from ..errors import SiteError
from .text import replace_forbidden

if TYPE_CHECKING:  # Python-Markdown loads on the first body rendered: a build with every body cached skips it
    import markdown

# Bump when the options below change, so cached renderings are not reused.
RENDERER_VERSION = "3"
EXCERPT_LIMIT = 160  # characters of a body's start that page descriptions show
EXTENSIONS = ["tables", "fenced_code", "footnotes", "sane_lists", "toc"]
EXTENSION_CONFIGS: dict[str, dict[str, Any]] = {
    "footnotes": {"SEPARATOR": "-"},
    # Submission titles are h2 on topic pages, so a body's own headings start at h3.
    "toc": {"baselevel": 3},
}
TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "col", "colgroup", "dd", "del", "details",
    "dfn", "div", "dl", "dt", "em", "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img",
    "ins", "kbd", "li", "mark", "ol", "p", "pre", "q", "s", "samp", "small", "span", "strong", "sub", "summary",
    "sup", "table", "tbody", "td", "tfoot", "th", "thead", "time", "tr", "u", "ul", "var", "wbr",
}
ATTRIBUTES = {
    "*": {"id", "title", "lang", "dir"},
    "a": {"href"},
    "img": {"src", "alt", "width", "height"},
    "ol": {"start"},
    "td": {"colspan", "rowspan", "align"},
    "th": {"colspan", "rowspan", "align", "scope"},
    "abbr": {"title"},
    "time": {"datetime"},
    "code": {"class"},
}
ALLOWED_CLASSES = {"div": {"footnote"}, "sup": {"footnote-ref"}}
URL_SCHEMES = {"http", "https", "mailto", "tel"}
URL_ATTRIBUTES = {"href", "src"}
NESTED_TOO_DEEPLY = ("the text nests lists, quotes, emphasis or links more deeply than Markdown can follow "
                     "(such as thousands of '*' or '>' in a row): remove the extra marks, or write '\\*' for a '*' that marks nothing")
ID_ATTRIBUTE = re.compile(r"""\bid\s*=\s*["']?([^"'\s>]+)""")


# Each extension but sane_lists (which changes every list) acts only on text holding one of its marks; a text without
# them converts the same without the extension, and faster (docs/performance.md). A mark is looked for loosely (any
# '#' may start a heading, any line ending in '=' or '-' may underline one), never missed. STX and ETX delimit
# Python-Markdown's placeholders: a text holding one gets every extension.
EXTENSION_MARKS = {"tables": ("|",), "fenced_code": ("```", "~~~"), "footnotes": ("[^",), "toc": ("#", "[TOC]")}
PLACEHOLDER_MARKS = ("\x02", "\x03")
UNDERLINE = re.compile(r"[=-][ \t]*$", re.MULTILINE)
# toc also walks the whole tree recursively for its [TOC] marker, so a tree deep enough makes it fail (NESTED_TOO_DEEPLY).
# Every level of the tree takes one of these marks (a list item two levels for its marker), so a text holding at most
# SHALLOW of them makes a tree about 200 deep at most, far within toc's reach; a text holding more gets toc.
NESTING_MARKS = "*_[>-+."
SHALLOW = 100


def extensions_for(text: str) -> tuple[str, ...]:
    """The extensions a text needs: those whose marks it holds, and sane_lists; toc too when the text may nest deep."""
    if any(mark in text for mark in PLACEHOLDER_MARKS):
        return tuple(EXTENSIONS)
    return tuple(name for name in EXTENSIONS if name not in EXTENSION_MARKS or _holds_marks(text, name))


def _holds_marks(text: str, name: str) -> bool:
    if any(mark in text for mark in EXTENSION_MARKS[name]):
        return True
    if "\r" in text:  # Python-Markdown reads a CR as a line end; UNDERLINE's '$' does not (site.toml's notice may hold one)
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return name == "toc" and (sum(text.count(mark) for mark in NESTING_MARKS) > SHALLOW or UNDERLINE.search(text) is not None)


# Python-Markdown tries each inline pattern over every text node, even where it cannot match: a pattern is left out of
# the converter for a text holding none of the marks its regular expression needs (tabs become spaces before inline
# processing, so a tab may make a line break). Patterns not named here, such as footnotes', are always kept.
INLINE_MARKS: dict[str, tuple[str, ...]] = {
    "backtick": ("`",), "escape": ("\\",), "reference": ("[",), "link": ("[",), "short_reference": ("[",),
    "image_link": ("![",), "image_reference": ("![",), "short_image_ref": ("![",), "autolink": ("<",),
    "automail": ("<",), "html": ("<",), "linebreak": ("  ", "\t"), "entity": ("&",), "em_strong": ("*", "_"),
}


def unused_inline_patterns(text: str) -> tuple[str, ...]:
    """The inline patterns that cannot match anywhere in the text: none of their marks is in it."""
    if any(mark in text for mark in PLACEHOLDER_MARKS):
        return ()
    return _without_marks(tuple(mark in text for mark in _INLINE_MARK_LIST))


_INLINE_MARK_LIST = tuple(dict.fromkeys(mark for marks in INLINE_MARKS.values() for mark in marks))


@functools.lru_cache(maxsize=1024)
def _without_marks(held: tuple[bool, ...]) -> tuple[str, ...]:
    """The inline patterns none of whose marks is held (held: for each of _INLINE_MARK_LIST, whether the text holds it)."""
    absent = {mark for mark, found in zip(_INLINE_MARK_LIST, held) if not found}
    return tuple(name for name, marks in INLINE_MARKS.items() if absent.issuperset(marks))


def converter_for(text: str) -> markdown.Markdown:
    """A converter (reset) with only the extensions and inline patterns the text can use: the same HTML, sooner."""
    converter = _markdown(extensions_for(text), unused_inline_patterns(text))
    converter.reset()
    return converter


@functools.lru_cache(maxsize=256)
def _markdown(extensions: tuple[str, ...] = tuple(EXTENSIONS), unused: tuple[str, ...] = ()) -> markdown.Markdown:
    import markdown

    configs = {name: config for name, config in EXTENSION_CONFIGS.items() if name in extensions}
    converter = markdown.Markdown(extensions=list(extensions), extension_configs=configs, output_format="html")
    for name in unused:
        converter.inlinePatterns.deregister(name, strict=False)
    return converter


def render_markdown(text: str, page_url: str, id_prefix: str, where: tuple[Path, int]) -> str:
    """Markdown to sanitized HTML; relative links resolve against `page_url` (a root-relative URL).

    `where` is the text's file and first line, for the one error left once markdown_limits has checked
    the text: elements nested deeper than Python can follow.
    """
    converter = converter_for(text)
    try:
        html = converter.convert(text)
    except RecursionError:
        path, line = where
        raise SiteError.single(path, line, NESTED_TOO_DEEPLY) from None
    return sanitize(html, page_url, id_prefix)


def sanitize(html: str, page_url: str, id_prefix: str = "") -> str:
    """Keep ordinary formatting only: no scripts, styles, frames, event handlers or unsafe URLs."""
    own_ids: list[set[str]] = []  # the ids the body gives, found at its first '#' link: most bodies have none

    def keep(tag: str, attribute: str, value: str) -> str | None:
        if attribute == "id":
            return id_prefix + value
        if attribute in URL_ATTRIBUTES:
            return _safe_url(value, page_url, id_prefix if value.startswith("#") and value[1:] in _ids(html, own_ids) else "")
        if attribute == "class" and tag == "code":
            return value if value.startswith("language-") else None
        return value

    clean = nh3.clean(
        html, tags=TAGS, attributes=ATTRIBUTES, attribute_filter=keep, url_schemes=URL_SCHEMES,
        allowed_classes=ALLOWED_CLASSES,
        link_rel=None, strip_comments=True, clean_content_tags={"script", "style"},
    )
    # Raw forbidden characters are refused in the source; a character reference such as &#12; still
    # decodes to one, so it is shown as U+FFFD, as HTML parsers show &#0;.
    return replace_forbidden(clean)


def _ids(html: str, found: list[set[str]]) -> set[str]:
    """The id attributes' values in HTML, looked for once and kept in `found`."""
    if not found:
        found.append(set(ID_ATTRIBUTE.findall(html)))
    return found[0]


def _safe_url(value: str, page_url: str, id_prefix: str) -> str | None:
    if value.startswith("#"):
        return "#" + id_prefix + value[1:]
    parts = urlsplit(value)
    if parts.scheme or parts.netloc:
        return value if parts.scheme.lower() in URL_SCHEMES else None
    return urljoin(page_url, value)


def absolutize(html: str, origin: str) -> str:
    """Make every root-relative link and image URL in sanitized HTML absolute (for feeds)."""
    def absolute(tag: str, attribute: str, value: str) -> str | None:
        if attribute in URL_ATTRIBUTES and value.startswith("/") and not value.startswith("//"):
            return origin + value
        return value

    return nh3.clean(
        html, tags=TAGS, attributes=ATTRIBUTES, attribute_filter=absolute, url_schemes=URL_SCHEMES,
        allowed_classes=ALLOWED_CLASSES, link_rel=None,
    )


def excerpt(html: Markup | str, limit: int = EXCERPT_LIMIT) -> str:
    """The text of an HTML fragment, whitespace collapsed, cut at a word boundary to at most `limit` characters."""
    text = _leading_text(str(html), limit)
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(" ,;:.-")
    return cut + "…"


def _leading_text(html: str, limit: int, window: int = 600) -> str:
    """The text of the fragment, or of enough of its start (cut after a tag) to give the same excerpt, faster."""
    if len(html) > window:
        start = html[:window]
        text = strip_tags(start[: start.rfind(">") + 1])
        if len(text) > limit + 1:
            return text
    return strip_tags(html)


TAG = re.compile(r"<[^>]*>")


def strip_tags(html: str) -> str:
    """Markup(html).striptags(), in one regular expression where the HTML has no comment (sanitized bodies never do).

    Without "<!--", markupsafe's loop removes each '<' up to the next '>' and stops at a '<' with no '>' after it,
    where this pattern stops matching too: the same text, sooner (tests/test_markdown_extensions.py compares them)."""
    if "<!--" in html:
        return Markup(html).striptags()
    return unescape(" ".join(TAG.sub("", html).split()))
