"""Drupal text formats to HTML as Drupal renders them, HTML to Markdown, and the check that no text is lost."""

from __future__ import annotations

import difflib
import html
import re
from collections.abc import Sequence
from pathlib import Path

import lxml.html
from markdownify import MarkdownConverter

from ..content.markdown import render_markdown
from ..content.markdown_limits import markdown_findings

# The filters that Drupal 7 core ships and that this module reproduces; others are reported.
KNOWN_FILTERS = ("filter_html", "filter_autop", "filter_url", "filter_htmlcorrector", "filter_html_escape")
BLOCK = r"(?:table|thead|tfoot|caption|colgroup|tbody|tr|td|th|div|dl|dd|dt|ul|ol|li|pre|select|form|blockquote|address|p|h[1-6]|hr)"
AUTOP_SPLIT = re.compile(r"(<!--.*?-->|</?(?:pre|script|style|object|iframe|svg|!--)[^>]*>)", re.IGNORECASE | re.DOTALL)
TAG = re.compile(r"<(/?)\s*([A-Za-z0-9]+)[^>]*>?|<!--.*?-->", re.DOTALL)
ALLOWED_TAG = re.compile(r"<([A-Za-z0-9]+)>")
WORD = re.compile(r"\S+")
UNSEEN = ("script", "style", "template")
BREAKING = ("p", "div", "li", "br", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "td", "th", "dt", "dd", "pre", "blockquote",
            "table", "ul", "ol", "dl", "hr", "caption", "figcaption")
# Text that Markdown would read as markup: an HTML tag or entity, or a heading, list or quote marker.
TAG_START = re.compile(r"<(?=[A-Za-z/!?])")
ENTITY_START = re.compile(r"&(?=#?[A-Za-z0-9]+;)")
BLOCK_MARKER = re.compile(r"^([ \t]*)(#{1,6}|[-+]|\d{1,9}(?=[.)])|>)(?=[.)]?(\s|$))", re.MULTILINE)
INLINE_MARKUP = re.compile(r"([\[\]`])")


class _Converter(MarkdownConverter):
    """markdownify, escaping what would otherwise turn text back into markup."""

    def escape(self, text: str, parent_tags: set[str]) -> str:
        text = ENTITY_START.sub("&amp;", str(super().escape(text, parent_tags)))  # type: ignore[misc]
        text = INLINE_MARKUP.sub(r"\\\1", TAG_START.sub("&lt;", text))
        return BLOCK_MARKER.sub(_escape_marker, text)


def _escape_marker(match: re.Match[str]) -> str:
    """'# x' -> '\\# x', '- x' -> '\\- x', '1. x' -> '1\\. x' (the number stays, its dot is escaped)."""
    marker = match.group(2)
    return match.group(1) + (marker + "\\" if marker[0].isdigit() else "\\" + marker)


def autop(text: str) -> str:
    """Drupal 7's _filter_autop: blank lines make paragraphs and single newlines <br />, outside pre/script/style."""
    chunks = AUTOP_SPLIT.split(text.replace("\r\n", "\n").replace("\r", "\n"))
    ignore_tag = ""
    output = []
    for index, chunk in enumerate(chunks):
        if index % 2:
            if not chunk.startswith("<!--"):
                opening = chunk[1] != "/"
                tag = re.split(r"[ >]", chunk[2 - opening:], maxsplit=1)[0]
                if not ignore_tag and opening:
                    ignore_tag = tag
                elif ignore_tag and not opening and tag == ignore_tag:
                    ignore_tag = ""
        elif not ignore_tag:
            chunk = _autop_chunk(chunk)
        output.append(chunk)
    return "".join(output)


def _autop_chunk(chunk: str) -> str:
    """One chunk of _filter_autop, rule for rule in Drupal's order (Python and PHP agree on "$": the end, or before a final newline)."""
    chunk = re.sub(r"\n*$", "", chunk) + "\n\n"
    chunk = re.sub(r"<br />\s*<br />", "\n\n", chunk)
    chunk = re.sub(rf"(<{BLOCK}[^>]*>)", "\n\\1", chunk)
    chunk = re.sub(rf"(</{BLOCK}>)", "\\1\n\n", chunk)
    chunk = re.sub(r"\n\n+", "\n\n", chunk)
    chunk = re.sub(r"^\n|\n\s*\n$", "", chunk)
    chunk = "<p>" + re.sub(r"\n\s*\n\n?(.)", "</p>\n<p>\\1", chunk) + "</p>\n"
    chunk = re.sub(r"<p>(<li.+?)</p>", "\\1", chunk)
    chunk = re.sub(r"<p><blockquote([^>]*)>", "<blockquote\\1><p>", chunk, flags=re.IGNORECASE)
    chunk = chunk.replace("</blockquote></p>", "</p></blockquote>")
    chunk = re.sub(r"<p>\s*</p>\n?", "", chunk)
    chunk = re.sub(rf"<p>\s*(</?{BLOCK}[^>]*>)", "\\1", chunk)
    chunk = re.sub(rf"(</?{BLOCK}[^>]*>)\s*</p>", "\\1", chunk)
    chunk = re.sub(r"(?<!<br />)\s*\n", "<br />\n", chunk)
    chunk = re.sub(rf"(</?{BLOCK}[^>]*>)\s*<br />", "\\1", chunk)
    chunk = re.sub(r"<br />(\s*</?(?:p|li|div|th|pre|td|ul|ol)>)", "\\1", chunk)
    return re.sub(r"&([^#])(?![A-Za-z0-9]{1,8};)", "&amp;\\1", chunk)


def allowed_tags(setting: str) -> frozenset[str]:
    """The tag names of filter_html's `allowed_html` setting, such as '<a> <em> <strong>'."""
    return frozenset(name.lower() for name in ALLOWED_TAG.findall(setting))


def strip_tags(text: str, allowed: frozenset[str]) -> str:
    """filter_html: drop every tag (and comment) not in `allowed`, keeping the text between tags."""
    def keep(match: re.Match[str]) -> str:
        name = match.group(2)
        return match.group(0) if name and name.lower() in allowed else ""

    return TAG.sub(keep, text)


def render_format(text: str, filters: Sequence[tuple[str, str]]) -> str:
    """A body through its format's enabled filters, in order: (filter name, allowed_html setting) pairs."""
    for name, setting in filters:
        if name == "filter_html":
            text = strip_tags(text, allowed_tags(setting))
        elif name == "filter_autop":
            text = autop(text)
        elif name == "filter_html_escape":
            text = html.escape(text.strip())
    # filter_url only links bare URLs and filter_htmlcorrector only balances tags: a parser does the same for text.
    return text


def to_markdown(body_html: str) -> str:
    """HTML to Markdown with markdownify, in the sample content's style (ATX headings, '-' bullets, '*' emphasis)."""
    converter = _Converter(heading_style="ATX", bullets="-", strong_em_symbol="*", escape_misc=False)
    markdown = str(converter.convert(body_html))
    # Trailing spaces stay: two of them are a <br>.
    return re.sub(r"\n{3,}", "\n\n", markdown.strip("\n")) + "\n"


def visible_text(body_html: str) -> str:
    """The readable text of an HTML fragment, whitespace collapsed."""
    if not body_html.strip():
        return ""
    root = lxml.html.fragment_fromstring(body_html, create_parent="div")
    for element in list(root.iter(*UNSEEN)):
        element.drop_tree()
    for element in root.iter(*BREAKING):
        element.tail = "\n" + (element.tail or "")  # "<p>a</p><p>b</p>" reads as two words, not "ab"
    return " ".join(WORD.findall(root.text_content()))


def lost_text(drupal_html: str, markdown: str, where: tuple[Path, int]) -> list[str]:
    """Each difference between the text Drupal shows and the text of our rendered Markdown, as 'was' -> 'now'.

    Markdown that markdown_limits refuses is not rendered here (it could take minutes): the file's own
    check reports it at `where` before anything is written."""
    if markdown_findings(markdown):
        return []
    before = WORD.findall(visible_text(drupal_html))
    after = WORD.findall(visible_text(render_markdown(markdown, "/", "", where)))
    differences = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=before, b=after, autojunk=False).get_opcodes():
        if tag != "equal":
            differences.append(f"{_quote(before[i1:i2])} -> {_quote(after[j1:j2])}")
    return differences


def _quote(words: list[str]) -> str:
    text = " ".join(words)
    return repr(text if len(text) <= 60 else text[:60] + "…") if words else "(nothing)"
