"""Hostile Markdown: every body Python-Markdown would read in quadratic time, or nest past Python's stack, is
an exact error at its line; odd but cheap bodies render. The time each takes is measured by
bench/markdown_worst.py, not asserted here."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import FAMILIES, SITE_TOML, MakeSite, errors_of, parse_errors, rendered_body, run_topicsite
from generator.content.markdown_blocks import inline_segments
from generator.content.markdown_limits import CHECKS, Finding, markdown_findings, within_budgets
from generator.content.parse import BODY_MAX
from test_hostile import SUB, VALID, fm

TOPIC_FILE = "content/topics/other.md"  # a topic no submission names: its errors come alone
BODY_LINE = 6  # fm() puts the body on line 6


def links(count: str, size: str, line: int = BODY_LINE, path: str = SUB) -> str:
    return (f"{path}:{line}: this paragraph has {count} '[' (links, images, footnote marks or other brackets) in {size} "
            "characters, too many for Markdown to read in time ('[' × characters, summed over the text, may be at most "
            "1,000,000): split it into shorter paragraphs with blank lines, or write '\\[' where a '[' starts no link")


def tags(count: str, work: str, line: int = BODY_LINE, path: str = SUB, prefix: str = "") -> str:
    return (f"{path}:{line}: {prefix}{count} HTML tags ('<' and a letter) from this line on have no '>' nearby: Markdown would "
            f"scan {work} characters for their ends (at most 4,000,000); close each tag with '>', or write '&lt;' where "
            "a '<' starts no tag")


def fences(count: str, size: str, line: int = BODY_LINE) -> str:
    return (f"{SUB}:{line}: {count} lines start or end a fenced code block ('```' or '~~~'), too many for Markdown to match "
            f"in a text of {size} characters (fences × characters may be at most 10,000,000): remove the fences that close "
            "no block, or indent the lines that start none")


def code(work: str, line: int = BODY_LINE) -> str:
    return (f"{SUB}:{line}: the '`' in this paragraph open code spans that no run of as many '`' closes nearby: Markdown would "
            f"scan {work} characters for their ends (at most 2,000,000); close each code span, or write '\\`' for a '`' that "
            "starts none")


def splits(count: str, size: str, line: int = BODY_LINE) -> str:
    return (f"{SUB}:{line}: this paragraph has {count} lines that Markdown cuts it at (headings, rules, '[name]:' definitions, "
            f"quotes) in {size} characters, too many for Markdown to read in time (lines × characters, summed over the text, "
            "may be at most 10,000,000): put a blank line before each of them")


def elements(count: str, line: int = BODY_LINE) -> str:
    return (f"{SUB}:{line}: this paragraph has {count} marks of emphasis or code ('*', '_', '`'), "
            "too many for Markdown to read in time (their number squared, summed over the text, may be at most 25,000,000): "
            "split it into shorter paragraphs with blank lines")


NESTED = (f"{SUB}:{BODY_LINE}: the text nests lists, quotes, emphasis or links more deeply than Markdown can follow (such as "
          "thousands of '*' or '>' in a row): remove the extra marks, or write '\\*' for a '*' that marks nothing")


def body(text: str) -> dict[str, str]:
    return {SUB: fm(*VALID, body=text)}


# name -> ({file: its text}, the exact error lines that parsing it alone gives, as a build prints them)
ERRORS: dict[str, tuple[dict[str, str], list[str]]] = {
    "'![' × 6,000": (body("![" * 6_000), [links("6,000", "12,000")]),
    "'![' × 25,000": (body("![" * 25_000), [links("25,000", "50,000")]),
    "'[](' at 48 KB": (body("[](" * 16_000), [links("16,000", "48,000")]),
    "'[a](' at 48 KB": (body("[a](" * 12_000), [links("12,000", "48,000")]),
    "valid links in one 49 KB paragraph": (body("[a](b) " * 7_000), [links("7,000", "49,000")]),
    "titles never closed '[a](x\"y) '": (body('[a](x"y) ' * 5_000), [links("5,000", "45,000")]),
    "angle destinations '[a](<'": (body("[a](<" * 9_000), [links("9,000", "45,000")]),
    "footnote marks '[^'": (body("[^" * 20_000), [links("20,000", "40,000")]),
    "reference links '[a][' ": (body("[a][" * 10_000), [links("20,000", "40,000")]),
    "short references to a definition": (body("[a]: /x\n\n" + "[a] " * 10_000), [links("10,000", "40,000", line=BODY_LINE + 2)]),
    "references on lines that only look like definitions": (body("[a]: /x\n\n" + "[a]: b c\n" * 5_000), [links("5,000", "44,999", line=BODY_LINE + 2), splits("5,000", "44,999", line=BODY_LINE + 2)]),
    "the costliest paragraph is named": (body("Intro.\n\n" + "[a](b) " * 100 + "\n\n" + "[](" * 2_000),
                                         [links("2,000", "6,000", line=BODY_LINE + 4)]),
    "code spans never closed '``a \\'": (body("``a \\" * 10_000), [code("250,025,000"), elements("10,000")]),
    "escaped backticks '\\``'": (body("Text.\n\n" + "\\``" * 12_000), [code("216,006,000", line=BODY_LINE + 2), elements("12,000", line=BODY_LINE + 2)]),
    "'<a ' at 48 KB": (body("<a " * 16_000), [tags("15,667", "384,024,000")]),
    "'a<b ' at 48 KB": (body("a<b " * 12_000), [tags("11,750", "288,012,000")]),
    "'<x' and a newline at 48 KB": (body("<x\n" * 16_000), [tags("15,667", "384,008,000")]),
    "quoted attributes never closed": (body("<a x='" * 8_000), [tags("7,834", "192,024,000")]),
    "quoted attributes closed far away": (body("Text.\n\n" + "<a title='" * 3_000 + "'>"), [tags("2,901", "45,018,000", line=BODY_LINE + 2)]),
    "comments inside open tags": (body("Text.\n\n" + "<b>" * 800 + "<!---->" * 800), [
        f"{SUB}:8: the HTML comments ('<!--') in this paragraph stand inside HTML tags left open: Markdown would scan "
        "1,794,240,000 characters for the tags' ends (at most 200,000,000); close the tags, or remove the comments"]),
    "footnote definitions in one paragraph": (body("".join(f"[^{i}]: x\n    more\n" for i in range(2_000))), [splits("2,000", "38,889")]),
    "reference definitions between lines of text": (body("Text.\n\n" + "[a]: /b\nx\n" * 4_900), [splits("4,900", "48,999", line=BODY_LINE + 2)]),
    "headings underlined in one paragraph": (body("a\n===\n" * 8_000), [splits("8,000", "47,999")]),
    "definitions inside a quote": (body("> [a]: /b\n> x\n" * 3_000), [links("3,000", "41,999"), splits("3,001", "41,999")]),
    "runs of backticks cut mid-run": (body("```a ``" * 7_000), [code("171,538,500"), elements("7,001")]),
    "'```x' lines": (body("```x\n" * 9_000), [fences("9,000", "44,999"), code("202,513,500"), elements("9,000")]),
    "'~~~' lines after text": (body("Text.\n\n" + "~~~\n" * 10_000), [fences("10,000", "40,006", line=BODY_LINE + 2)]),
    "links nested 8,000 deep": (body("[" * 8_000 + "a" + "](/x)" * 8_000), [links("8,000", "48,001")]),
    "'*a*' × 16,000 in one paragraph": (body("*a*" * 16_000), [elements("16,001")]),
    "'*a_*' × 12,000 in one paragraph": (body("*a_*" * 12_000), [elements("12,001")]),
    "emphasis nested 8,000 deep": (body("*" * 8_000 + "a" + "*" * 8_000), [NESTED]),
    "topic description": ({TOPIC_FILE: "---\ntitle: Other\n---\nAbout.\n\n" + "[](" * 16_000 + "\n"},
                          [links("16,000", "48,000", line=6, path=TOPIC_FILE)]),
    "topic description too long": ({TOPIC_FILE: "---\ntitle: Other\n---\n" + "word " * 12_000 + "\n"},
                                   [f"{TOPIC_FILE}:4: the topic's description is 60,000 characters long; the limit is 50,000: shorten it"]),
    "notice in site.toml": ({"site.toml": SITE_TOML + 'notice = "' + "<a " * 5_000 + '"\n'},
                            [tags("4,667", "37,507,500", line=5, path="site.toml", prefix="notice: ")]),
}


@pytest.mark.parametrize("files, expected", ERRORS.values(), ids=ERRORS.keys())
def test_slow_markdown_gets_exact_error(files: dict[str, str], expected: list[str]) -> None:
    [(file, text)] = files.items()
    assert parse_errors(file, text) == expected


def test_check_reports_the_same(make_site: MakeSite) -> None:
    site = make_site(body("[](" * 16_000))
    result = run_topicsite("check", ".", cwd=site)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert links("16,000", "48,000") in result.stdout + result.stderr


def test_failed_build_keeps_previous_output(make_site: MakeSite) -> None:
    site = make_site()
    assert run_topicsite("build", site, "-q", "--no-search").returncode == 0
    before = {p: p.read_bytes() for p in (site / "output").rglob("*") if p.is_file()}
    (site / SUB).parent.mkdir(parents=True, exist_ok=True)
    (site / SUB).write_text(fm(*VALID, body="<x\n" * 16_000))
    assert errors_of(site) == [tags("15,667", "384,008,000")]
    assert {p: p.read_bytes() for p in (site / "output").rglob("*") if p.is_file()} == before


# Bodies that are odd but cheap for Python-Markdown: they render, as text where they open nothing.
SAFE = {
    "'- ' × 1,000": ("- " * 1_000 + "x", "<ul>\n<li>\n<ul>"),
    "'1. ' × 1,000": ("1. " * 1_000 + "x", "<ol>\n<li>\n<ol>"),
    "'> ' × 5,000": ("> " * 5_000 + "x", "<blockquote>\n<blockquote>"),
    "a list of 400 links": ("".join(f"- [Resource {i}](https://example.gov/r/{i})\n" for i in range(400)), '<a href="https://example.gov/r/399">Resource 399</a>'),
    "a table of 300 linked rows": ("| a | b |\n| - | - |\n" + "".join(f"| [x{i}](https://example.gov/{i}) | y |\n" for i in range(300)), '<a href="https://example.gov/299">x299</a>'),
    "100 footnotes": ("".join(f"Text[^{i}].\n" for i in range(100)) + "\n" + "".join(f"[^{i}]: Note {i}.\n" for i in range(100)), "Note 99."),
    "300 reference definitions": ("".join(f"See [r{i}].\n\n" for i in range(300)) + "".join(f"[r{i}]: https://example.gov/{i} \"R {i}\"\n" for i in range(300)), '<a href="https://example.gov/299" title="R 299">r299</a>'),
    "escaped brackets": ("\\[x] " * 8_000, "<p>[x] [x]"),
    "500 code spans": ("Use `a` or ``b`` here. " * 500, "<code>b</code>"),
    "Drupal's teaser mark": ("<p>First <em>paragraph</em>.</p>\n<!--break-->\n" + "<p>More <b>text</b> here.</p>\n" * 1_500, "More <b>text</b> here."),
    "a quoted email of 1,000 lines": ("> " + "\n> ".join(f"Line {i} of the earlier message, quoted." for i in range(1_000)), "Line 999 of"),
    "headings and rules between paragraphs": ("## Part\n\nText.\n\n---\n\n" * 1_000, "<hr>"),
    "a form with blanks": ("Name: ______________________\n\nDate: ____________\n" * 50, "Name: ____"),
    "20 links in a paragraph at the size limit": ("[a](b) " * 20 + "x" * (BODY_MAX - 141), '<a href="/tta/submissions/x/b">a</a>'),
}


@pytest.mark.parametrize("text, expected", SAFE.values(), ids=SAFE.keys())
def test_odd_but_cheap_markdown_renders(text: str, expected: str) -> None:
    assert expected in rendered_body(SUB, fm(*VALID, body=text))


def test_a_cheap_body_renders_in_its_page(make_site: MakeSite) -> None:
    text, expected = SAFE["20 links in a paragraph at the size limit"]
    site = make_site(body(text))
    result = run_topicsite("build", site, "-q", "--no-search")
    assert result.returncode == 0, result.stderr[-2000:]
    assert expected in (site / "output/submissions/x/index.html").read_text()


def test_inline_segments_split_only_where_markdown_surely_does() -> None:
    text = "p one\np two\n\n- item [a](b)\n  more\n- item two\n\n| h | i |\n| - | - |\n| c | d |\n\nx\n- not a list here"
    assert [(line, lines) for line, lines in inline_segments(text)] == [
        (1, ["p one", "p two"]), (4, ["- item [a](b)", "  more"]), (6, ["- item two"]),
        (8, ["| h | i |"]), (9, ["| - | - |"]), (10, ["| c | d |"]), (12, ["x", "- not a list here"])]


def test_a_numbered_line_in_a_bullet_list_stays_in_its_item() -> None:
    assert list(inline_segments("- a\n1. b\n- c")) == [(1, ["- a", "1. b"]), (3, ["- c"])]


def test_findings_are_at_the_line_of_the_cause() -> None:
    assert markdown_findings("ok\n\n" + "[](" * 1_000) == [Finding(3, links("1,000", "3,000").split(": ", 1)[1])]
    assert [f.line for f in markdown_findings("ok\nfine\n" + "<a " * 2_000)] == [3]


# Runs of the marks each check counts, long enough to come near or past its budget.
runs = st.tuples(st.sampled_from(["[", "](", "*", "_", "`", "``", "<a ", "<!-- c -->", ">", "\n", "\n\n", "# h\n", "> q\n",
                                  "```\n", "~~~\n", "[x]: /u\n", "- i\n", "a b ", "'", '="', "\\"]),
                 st.integers(min_value=1, max_value=3_000))
texts_near_budgets = st.lists(runs, min_size=1, max_size=6).map(lambda parts: "".join(piece * count for piece, count in parts))


@settings(max_examples=400, deadline=None)
@given(text=texts_near_budgets)
def test_a_text_within_the_counted_budgets_has_no_findings(text: str) -> None:
    """The shortcut from whole-text counts never hides a finding the checks would make."""
    if within_budgets(text):
        assert [finding for check in CHECKS for finding in check(text)] == []


def test_the_sample_site_has_nothing_slow() -> None:
    repo = Path(__file__).resolve().parent.parent
    for path in sorted((repo / "content").rglob("*.md")):
        assert markdown_findings(path.read_text(encoding="utf-8")) == [], path


def test_errors_arrive_from_worker_processes(make_site: MakeSite) -> None:
    """With enough files the bodies render in forked workers: their errors still arrive, each at its line."""
    files: dict[str, str | bytes | None] = {f"content/submissions/ok{i}.md": fm(*VALID, body=f"Fine text {i}.") for i in range(220)}
    files[SUB] = fm(*VALID, body="*" * 8_000 + "a" + "*" * 8_000)
    files["content/submissions/y.md"] = fm(*VALID, body="[](" * 16_000)
    site = make_site(files)
    result = run_topicsite("build", site, "-q", "--no-search")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert NESTED.replace(SUB, str(site / SUB)) in result.stderr
    assert links("16,000", "48,000", path=str(site / "content/submissions/y.md")) in result.stderr


# The hostile cases of this file (family 2 of issue 10); the README's list of guarantees reports the total.
CASES_BY_FAMILY = {FAMILIES[2]: len(ERRORS) + len(SAFE)}
