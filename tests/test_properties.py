"""Property-based tests: any front matter and any Markdown either build safely or fail with SiteError."""

from __future__ import annotations

import tempfile
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any

import feedparser  # type: ignore[import-untyped]
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import SITE_TOML, TOPIC, run_topicsite
from generator.errors import SiteError
from generator.memo.cache import Cache
from generator.render.plan import plan
from generator.site.load import LoadOptions, load
from safety import active_content, feed_html

NOW = datetime(2024, 1, 1, tzinfo=timezone.utc)
scalars = st.one_of(
    st.text(max_size=40), st.integers(min_value=-(10**30), max_value=10**30), st.floats(allow_nan=False),
    st.booleans(), st.none(), st.dates(min_value=date(1, 1, 1)), st.datetimes(timezones=st.just(timezone.utc)),
)
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4), max_leaves=12)
field_names = st.sampled_from(["id", "title", "submitted_by", "date", "topics", "draft", "guid", "extra", "tags"])
front_matter = st.dictionaries(field_names, values | st.sampled_from(["community-policing", ["community-policing"], "2023-01-01"]), max_size=9)
markdown_pieces = st.sampled_from([
    "# H", "*a*", "[l](https://e.gov)", "[j](javascript:alert(1))", "<script>alert(1)</script>", "<img src=x onerror=alert(1)>",
    "```\ncode\n```", "| a | b |\n|---|---|\n| 1 | 2 |", "- item", "> quote", "x[^1]\n\n[^1]: n", "<b>bold</b>", "&amp;", "---",
    "{{ 7*7 }}", "<!-- c -->", "\u202e", "\x0b", "é", "<svg onload=alert(1)>", "<a href='data:text/html,x'>d</a>",
])
bodies = st.lists(markdown_pieces | st.text(max_size=30), max_size=8).map("\n\n".join)


def write_site(root: Path, meta: dict[str, Any], body: str) -> None:
    (root / "content/topics").mkdir(parents=True)
    (root / "content/submissions").mkdir(parents=True)
    (root / "site.toml").write_text(SITE_TOML)
    (root / "content/topics/community-policing.md").write_text(TOPIC)
    text = "---\n" + yaml.safe_dump(meta, allow_unicode=True) + "---\n" + body + "\n"
    (root / "content/submissions/s.md").write_text(text, encoding="utf-8", errors="surrogatepass")


def assert_safe(files: list[Any]) -> None:
    for output in files:
        if output.path.endswith(".html"):
            assert active_content(output.data.decode(), local_prefix="/tta/") == [], output.path
        elif output.path.endswith(("rss.xml", "atom.xml")):
            assert not feedparser.parse(output.data).bozo, output.path
            for html in feed_html(output.data):
                assert active_content(html, local_prefix="/tta/") == [], output.path


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(meta=front_matter, body=bodies)
def test_any_input_builds_safely_or_fails_with_site_error(meta: dict[str, Any], body: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        try:
            write_site(root, meta, body)
        except UnicodeEncodeError:
            return  # lone surrogates cannot be written to a file at all
        try:
            site = load(root, LoadOptions(now=NOW))
        except SiteError as error:
            assert error.problems and all(p.line >= 1 and p.message for p in error.problems)
            return
        assert_safe(plan(site, Cache.disabled()))


@settings(max_examples=5, deadline=None)
@given(meta=front_matter)
def test_cli_exit_status_is_0_or_1_never_a_traceback(meta: dict[str, Any]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        write_site(root, meta, "Body")
        result = run_topicsite("build", root, "-q", "--future")
        assert result.returncode in (0, 1) and "Traceback" not in result.stderr
