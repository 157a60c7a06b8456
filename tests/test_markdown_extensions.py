"""Markdown extensions and inline patterns run only where a text holds their marks: the HTML is the same as with all."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markupsafe import Markup

from generator.content.markdown import (
    EXCERPT_LIMIT, EXTENSIONS, INLINE_MARKS, _markdown, converter_for, excerpt, extensions_for, render_markdown, sanitize, strip_tags,
    unused_inline_patterns,
)

# Marks of every extension and of the Markdown around them, in pieces that combine into tables, headings, lists.
PIECES = [
    "#", "|", "^", "[", "]", "=", "-", "~", "`", "*", "_", ">", "\n", "\n\n", " ", "    ", "\t", "a", "b c", "1.", "2)",
    "<", "&", "(", ")", "!", ":", "[TOC]", "[^1]", "[^1]: x", "---", "===", "```", "~~~", "| a | b |", "|---|---|",
    "- x", "* y", "1. z", "<div>", "</div>", "[x]: /u", "[x]", "<h2>h</h2>", "\\|", "\\#", "\x02", "\x03",
    "  \n", "\t", "\\", "\\*", "&amp;", "&#35;", "![i](/i.png)", "![i][x]", "<https://e.gov>", "<a@e.gov>",
    "<!-- c -->", "`code`", "``", "_e_", "__s__", "***", " * ", "[l](/u)", "[l][x]", "a  ",
]
texts = st.lists(st.sampled_from(PIECES), min_size=1, max_size=30).map("".join)
# Runs of nesting marks, up to far past the depth toc can walk.
deep_texts = st.lists(st.tuples(st.sampled_from(["*", "_", "**", "[", "](/u)", ">", "> ", "- ", "1. ", "    ", "a", "\n"]),
                                st.integers(min_value=1, max_value=1_200)), min_size=1, max_size=4).map(
    lambda parts: "".join(piece * count for piece, count in parts))


def convert(extensions: tuple[str, ...], text: str, unused: tuple[str, ...] = ()) -> str:
    converter = _markdown(extensions, unused)
    converter.reset()
    try:
        return converter.convert(text)
    except RecursionError:  # reported as nested too deeply: it must happen with the chosen extensions too
        return "RecursionError"


def convert_chosen(text: str) -> str:
    """What render_markdown converts with: the converter holding only what the text can use."""
    try:
        return converter_for(text).convert(text)
    except RecursionError:
        return "RecursionError"


@settings(max_examples=3000, deadline=None)
@given(text=texts)
def test_only_the_needed_extensions_and_patterns_give_the_same_html(text: str) -> None:
    assert convert_chosen(text) == convert(tuple(EXTENSIONS), text)


@settings(max_examples=300, deadline=None)
@given(text=deep_texts)
def test_deep_texts_give_the_same_html_or_the_same_failure(text: str) -> None:
    assert convert_chosen(text) == convert(tuple(EXTENSIONS), text)


@pytest.mark.parametrize(("text", "needed"), [
    ("plain *words*\n\n- a list\n- of items", ("sane_lists",)),
    ("| a | b |\n|---|---|\n| 1 | 2 |", ("tables", "sane_lists")),
    ("```\ncode\n```", ("fenced_code", "sane_lists")),
    ("~~~\ncode\n~~~", ("fenced_code", "sane_lists")),
    ("a note[^1]\n\n[^1]: the note", ("footnotes", "sane_lists")),
    ("# heading", ("sane_lists", "toc")),
    ("- item\n\n    heading\n    -------", ("sane_lists", "toc")),
    ("> quoted\n> ===", ("sane_lists", "toc")),
    ("[TOC]\n\nwords", ("sane_lists", "toc")),
    ("a \x02 placeholder mark", tuple(EXTENSIONS)),
    ("*" * 50 + "a" + "*" * 50, ("sane_lists",)),
    ("*" * 51 + "a" + "*" * 51, ("sane_lists", "toc")),  # toc walks the tree recursively: it fails on deep ones
    ("*" * 8_000 + "a" + "*" * 8_000, ("sane_lists", "toc")),
    ("- " * 100 + "a", ("sane_lists",)),
    ("- " * 101 + "a", ("sane_lists", "toc")),
    (">" * 101 + " a", ("sane_lists", "toc")),
])
def test_each_extension_is_chosen_by_its_marks(text: str, needed: tuple[str, ...]) -> None:
    assert extensions_for(text) == needed
    assert convert(needed, text) == convert(tuple(EXTENSIONS), text)


def test_a_heading_in_a_plain_text_still_gets_its_level_and_id() -> None:
    html = render_markdown("Words\n\nA heading\n---------\n\nmore", "/s/", "s-", (Path("s.md"), 1))
    assert '<h4 id="s-a-heading">A heading</h4>' in html  # an h2 underline, shifted as the toc extension does


@pytest.mark.parametrize(("text", "kept"), [
    ("plain words", set()),
    ("a [link](/u) & *more*", {"reference", "link", "short_reference", "entity", "em_strong"}),
    ("an ![image](/i.png)", {"reference", "link", "short_reference", "image_link", "image_reference", "short_image_ref"}),
    ("<https://e.gov> and `code` and \\*", {"autolink", "automail", "html", "backtick", "escape", "em_strong"}),
    ("a tab\tbecomes spaces", {"linebreak"}),
    ("two spaces  \nbreak a line", {"linebreak"}),
    ("_under_", {"em_strong"}),
])
def test_each_inline_pattern_is_kept_for_its_marks(text: str, kept: set[str]) -> None:
    assert set(INLINE_MARKS) - set(unused_inline_patterns(text)) == kept
    assert convert_chosen(text) == convert(tuple(EXTENSIONS), text)


def test_every_named_inline_pattern_exists_in_python_markdown() -> None:
    """A pattern renamed by a new Python-Markdown would silently never be left out: the table must follow it."""
    assert set(INLINE_MARKS) <= {item.name for item in _markdown(tuple(EXTENSIONS)).inlinePatterns._priority}


# Pieces of HTML, whole and broken: tags, comments, entities, whitespace, text.
HTML_PIECES = ["<", ">", "<!--", "-->", "<p>", "</p>", "<a href=\"/u\">", "</a>", "<br>", "a", "word", " ", "  ", "\n", "\t",
               "&amp;", "&lt;", "&#35;", "&", "&amp", "é", "-", ",", ".", "\u00a0", "\u2003"]
html_texts = st.lists(st.sampled_from(HTML_PIECES), min_size=0, max_size=400).map("".join)


@settings(max_examples=800, deadline=None)
@given(html_texts)
def test_strip_tags_is_markupsafes_striptags(html: str) -> None:
    assert strip_tags(html) == Markup(html).striptags()


def reference_excerpt(html: str, limit: int = EXCERPT_LIMIT) -> str:
    """The excerpt as first written: the whole text, stripped by markupsafe."""
    text = Markup(html).striptags()
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0].rstrip(" ,;:.-") + "…"


@settings(max_examples=800, deadline=None)
@given(html_texts)
def test_the_excerpt_of_a_bodys_start_is_the_excerpt_of_the_whole_body(html: str) -> None:
    assert excerpt(html) == reference_excerpt(html)


def test_a_fragment_link_is_prefixed_only_when_the_body_gives_its_id() -> None:
    html = sanitize('<p id="a">x<a href="#a">own</a><a href="#b">other</a><a href="/u#a">page</a></p>', "/s/", "s-")
    assert html == '<p id="s-a">x<a href="#s-a">own</a><a href="#b">other</a><a href="/u#a">page</a></p>'


@pytest.mark.parametrize("text", ["Title\r\n===\r\nMore", "x\r---\ry", "Words\r\n\r\nA heading\r\n---------\r\n"])
def test_a_heading_underlined_before_a_carriage_return_gets_the_same_html(text: str) -> None:
    # Python-Markdown reads CR and CRLF as line ends; site.toml's notice can hold them through TOML escapes.
    assert convert_chosen(text) == convert(tuple(EXTENSIONS), text)
