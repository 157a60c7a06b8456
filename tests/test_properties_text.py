"""Property: any Unicode in any text field or site.toml string builds well-formed pages and feeds, or fails with path:line errors."""

from __future__ import annotations

import re
import tempfile
from datetime import datetime, timezone
from pathlib import Path

import lxml.html
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from conftest import run_topicsite
from generator.errors import SiteError
from generator.memo.cache import Cache
from generator.render.plan import plan
from generator.site.load import LoadOptions, load
from generator.content.text import first_forbidden

NOW = datetime(2024, 1, 1, tzinfo=timezone.utc)
# Hostile characters often: controls, C1, noncharacters, surrogates, invisibles, and YAML and HTML syntax.
HOSTILE = "\x00\x07\t\n\x0b\x0c\r\x1b\x7f\x85\x92\x9f\ud800\udc00\ufdd0\ufffe\uffff\U0010ffff\u200b\u200d\u202e\u0301\u3164 \"'\\:#-[]{}&<>"
# Character references decode to any code point in Markdown bodies and descriptions.
REFERENCES = ("&#12;", "&#x1;", "&#0;", "&#127;", "&#x85;", "&#xFFFE;", "&#xD800;", "&#x10FFFF;")
hostile = st.lists(st.characters(exclude_categories=()) | st.sampled_from(HOSTILE) | st.sampled_from(REFERENCES), max_size=12).map("".join)
plain = st.text(st.characters(exclude_categories=("C",)) | st.sampled_from(" \"'\\:#-[]{}&<>"), max_size=12)
FIELDS = ("site title", "agency", "notice", "footer text", "footer url", "topic title", "description",
          "title", "submitted_by", "guid", "id", "extra key", "extra value", "body")
ERROR_LINE = re.compile(r".+:[1-9][0-9]*: .+")


def quoted(text: str) -> str:
    """A YAML double-quoted scalar or TOML basic string holding any code point as escapes (TOML refuses surrogates: an error)."""
    return '"' + "".join(c if " " <= c <= "~" and c not in '"\\' else f"\\U{ord(c):08x}" if ord(c) > 0xFFFF else f"\\u{ord(c):04x}" for c in text) + '"'


@st.composite
def sites(draw: st.DrawFn) -> dict[str, bytes]:
    """A small site with arbitrary text in every field: one field (or none) drawn from hostile text, the rest from printable text."""
    chosen = draw(st.sampled_from((*FIELDS, None)))

    def text(field: str) -> str:
        return draw(hostile if field == chosen else plain)

    config = (f"title = {quoted('T ' + text('site title'))}\nbase_url = \"https://example.gov/tta/\"\n"
              f"agency = {quoted('A ' + text('agency'))}\nnotice = {quoted(text('notice'))}\n"
              f"footer_links = [{{text = {quoted('F ' + text('footer text'))}, url = {quoted('/' + text('footer url'))}}}]\n")
    topic = f"---\ntitle: {quoted('T ' + text('topic title'))}\n---\n{text('description')}\n"
    fields = {name: quoted("x " + text(name)) for name in ("title", "submitted_by", "guid")}
    submission_id = text("id") if chosen == "id" else draw(st.from_regex(r"[a-z0-9][a-z0-9._-]{0,10}", fullmatch=True))
    extra = f"{{{quoted('k' + text('extra key'))}: [{quoted(text('extra value'))}]}}"
    submission = ("---\n" + "".join(f"{name}: {value}\n" for name, value in fields.items()) +
                  f"id: {quoted(submission_id)}\ndate: 2023-01-01\ntopics: [t]\nextra: {extra}\n---\nx {text('body')}\n")
    return {"site.toml": config.encode("utf-8", "surrogatepass"), "content/topics/t.md": topic.encode("utf-8", "surrogatepass"),
            "content/submissions/s.md": submission.encode("utf-8", "surrogatepass")}


def write(root: Path, files: dict[str, bytes]) -> None:
    for name, data in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(data)


def assert_well_formed(root: Path) -> None:
    """Either every page and feed is well-formed and free of forbidden characters, or load gives path:line problems."""
    try:
        site = load(root, LoadOptions(now=NOW))
    except SiteError as error:
        assert error.problems and all(p.line >= 1 and p.message and p.path.is_relative_to(root.resolve()) for p in error.problems)
        return
    for output in plan(site, Cache.disabled()):
        if output.path.endswith((".html", ".xml")):
            assert first_forbidden(output.data.decode("utf-8")) is None, output.path
        if output.path.endswith(".xml"):
            etree.fromstring(output.data)
        elif output.path.endswith(".html"):
            lxml.html.document_fromstring(output.data)


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(files=sites())
def test_any_text_builds_well_formed_or_fails_with_problems(files: dict[str, bytes]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        write(Path(folder), files)
        assert_well_formed(Path(folder))


@settings(max_examples=4, deadline=None)
@given(files=sites())
def test_cli_exits_0_or_prints_only_error_lines(files: dict[str, bytes]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        write(Path(folder), files)
        result = run_topicsite("build", folder, "-q", "--no-search")
        assert result.returncode in (0, 1) and "Traceback" not in result.stderr
        if result.returncode == 1:
            lines = result.stderr.strip().splitlines()
            assert lines[-1].startswith("Build failed: ") and all(ERROR_LINE.fullmatch(line) for line in lines[:-1]), result.stderr
