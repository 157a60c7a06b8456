"""`topicsite check` on small sites with planted faults: one exact finding per kind."""

from __future__ import annotations

import json
import re
from datetime import datetime, timezone
from pathlib import Path

import pytest

from conftest import MakeSite, run_topicsite, submission, tree_bytes
from generator.commands.check import CheckOptions, check_site

FIRST = "content/submissions/2023/20230331-82332-92.md"
NOW = datetime(2024, 6, 1, tzinfo=timezone.utc)


def findings(site: Path, **options: bool) -> list[str]:
    """Each finding as the CLI prints it, relative to the site folder."""
    return [f"{p.path.relative_to(site).as_posix()}:{p.line}: {p.severity}: {p.message}"
            for p in check_site(site, CheckOptions(now=NOW, **options))]


def with_draft(text: str) -> str:
    return text.replace("---\n", "---\ndraft: true\n", 1)


def test_clean_site_passes(make_site: MakeSite) -> None:
    result = run_topicsite("check", make_site())
    assert (result.returncode, result.stdout) == (0, "0 errors, 0 warnings\n")


def test_sample_site_passes_strict() -> None:
    from conftest import REPO
    result = run_topicsite("check", REPO, "--strict")
    assert result.returncode == 0, result.stdout


def test_broken_link_and_fragment_in_a_submission(make_site: MakeSite) -> None:
    body = "We request training.\n\nSee [this](/tta/nope/)\nand [that](/tta/topics/community-policing/#nowhere)."
    site = make_site({FIRST: submission(body=body)})
    found = findings(site)
    page = "in the built submissions/20230331-82332-92/index.html, line "
    assert len(found) == 2
    assert found[0].startswith(f"{FIRST}:8: error: {page}") and found[0].endswith(
        ': <a href="/tta/nope/"> is broken: there is no nope/index.html in the output')
    assert found[1].startswith(f"{FIRST}:9: error: {page}") and found[1].endswith(
        ': <a href="/tta/topics/community-policing/#nowhere"> is broken: topics/community-policing/index.html has no element with id="nowhere"')


def test_fragments_that_exist_pass(make_site: MakeSite) -> None:
    body = "Text[^1].\n\n## Details\n\nSee [details](#details).\n\n[^1]: A note."
    assert findings(make_site({FIRST: submission(body=body)})) == []


def test_broken_fragment_reported_at_its_markdown_line_once(make_site: MakeSite) -> None:
    site = make_site({FIRST: submission(body="Text.\n\n## Details\n\nSee [details](#detail).")})
    [finding] = findings(site)
    assert finding.startswith(f"{FIRST}:10: error: in the built submissions/20230331-82332-92/index.html, line ")
    assert finding.endswith('<a href="#detail"> is broken: submissions/20230331-82332-92/index.html '
                            'has no element with id="detail"')


def test_broken_link_in_a_template_is_reported_once(make_site: MakeSite) -> None:
    footer = '{% extends "base.html" %}'
    site = make_site({
        "templates/404.html": footer + '{% block main %}<a href="{{ view.layout.links.home }}gone/">Gone</a>{% endblock %}',
        "templates/topics.html": footer + '{% block main %}<a href="{{ view.layout.links.home }}gone/">Gone</a>{% endblock %}',
    })
    [finding] = findings(site)
    assert finding.startswith("site.toml:1: error: in the built ")
    assert finding.endswith('<a href="/tta/gone/"> is broken: there is no gone/index.html in the output '
                            "(and the same in 1 more built file: it may come from a template)")


def test_submissions_may_share_a_title_and_their_pages_stay_apart(make_site: MakeSite) -> None:
    """Two requests titled alike (or like a topic or a fixed page) pass check --strict; each page's <title> adds the id."""
    site = make_site({
        "content/submissions/a.md": "---\ntitle: Training request\n" + submission(date="2023-01-01")[4:],
        "content/submissions/b.md": "---\ntitle: Training request\n" + submission(date="2023-01-02")[4:],
        "content/submissions/c.md": "---\ntitle: Community policing\n" + submission(date="2023-01-03")[4:],
        "content/submissions/d.md": "---\ntitle: A title of its own\n" + submission(date="2023-01-04")[4:],
    })
    assert findings(site, strict=True) == []
    assert run_topicsite("build", site, "-q", "--no-search").returncode == 0
    titles = {name: re.search(r"<title>(.*?)</title>", (site / f"output/submissions/{name}/index.html").read_text())[1]
              for name in "abcd"}
    assert titles == {"a": "Training request (a) | Test TTA Requests", "b": "Training request (b) | Test TTA Requests",
                      "c": "Community policing (c) | Test TTA Requests", "d": "A title of its own | Test TTA Requests"}


def test_repeated_guid_breaks_the_feeds(make_site: MakeSite) -> None:
    site = make_site({
        "content/submissions/a.md": "---\nguid: same\n" + submission(date="2023-01-01")[4:],
        "content/submissions/b.md": "---\nguid: same\n" + submission(date="2023-01-02")[4:],
    })
    found = findings(site)
    assert any(f.startswith("site.toml:1: error: in the built rss.xml, line ") and "<guid> 'same' repeats the one on line" in f for f in found)
    assert any(f.startswith("site.toml:1: error: in the built atom.xml, line ") and "entry <id> 'urn:uuid:" in f for f in found)
    assert all(": error: " in f for f in found)


def test_feed_with_a_wrong_self_link_from_a_broken_template_override(make_site: MakeSite) -> None:
    broken_sitemap = ('<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
                      "<url><loc>{{ view.home }}missing/</loc></url>\n</urlset>\n")
    site = make_site({"templates/sitemap.xml": broken_sitemap})
    assert findings(site) == ["site.toml:1: error: in the built sitemap.xml, line 3: <loc> 'https://example.gov/tta/missing/' "
                              "is broken: there is no missing/index.html in the output"]


def test_page_template_that_does_not_render(make_site: MakeSite) -> None:
    site = make_site({"templates/submission.html": "{{ view.submission.no_such_field }}"})
    [finding] = findings(site)
    assert finding.startswith("templates/submission.html:1: error: template uses an undefined value:")


def test_alias_over_a_generated_page(make_site: MakeSite) -> None:
    site = make_site({"content/topics/community-policing.md": "---\ntitle: Community policing\naliases: [/404.html]\n---\n"})
    assert findings(site) == ["content/topics/community-policing.md:3: error: alias '/404.html' would replace the generated page /404.html; choose another path"]


def test_alias_over_a_static_file(make_site: MakeSite) -> None:
    site = make_site({"content/topics/community-policing.md": "---\ntitle: Community policing\naliases: [/static/x]\n---\n",
                      "static/x/index.html": "<!doctype html><title>x</title>"})
    assert findings(site) == ["content/topics/community-policing.md:3: error: alias '/static/x' would replace the static file static/x/index.html; choose another path"]


def test_content_errors_are_findings(make_site: MakeSite) -> None:
    site = make_site({"content/submissions/bad.md": "---\nsubmitted_by: x\ndate: 2023-01-01\ntopics: [nope]\n---\nText\n"})
    assert findings(site) == ["content/submissions/bad.md:4: error: unknown topic 'nope'; the site's topics are: community-policing. To add a topic, run: topicsite new-topic \"TITLE\""]


def test_warnings(make_site: MakeSite) -> None:
    long_title = "A" * 121
    site = make_site({
        "content/submissions/future.md": submission(date="2099-01-01"),
        "content/submissions/draft.md": with_draft(submission(date="2023-01-01")),
        "content/submissions/long.md": f"---\ntitle: {long_title}\n" + submission(date="2023-01-02", body="Read http://example.org/a, or https://example.org/b.")[4:],
        "content/topics/empty.md": "---\ntitle: Empty\n---\nSee http://example.org/.\n",
    })
    assert findings(site) == [
        "content/submissions/draft.md:2: warning: is a draft: left out of the site, its feeds and counts (build with --drafts to preview it); remove 'draft: true' to publish it",
        "content/submissions/future.md:1: warning: dated 2099-01-01T00:00:00-05:00, in the future: left out of the site until then (build with --future to include it)",
        "content/submissions/long.md:2: warning: the title is 121 characters long; shorten it to at most 120 so that it fits in tabs, lists and search results",
        "content/submissions/long.md:7: warning: the link http://example.org/a uses http:; use https: if that site offers it",
        "content/topics/empty.md:1: warning: topic 'empty' has no submissions; its page only says so",
        "content/topics/empty.md:4: warning: the link http://example.org/ uses http:; use https: if that site offers it",
    ]


def test_draft_included_is_still_a_warning(make_site: MakeSite) -> None:
    site = make_site({"content/submissions/draft.md": with_draft(submission(date="2023-01-01"))})
    assert findings(site, drafts=True) == ["content/submissions/draft.md:2: warning: is a draft: shown, marked as a draft, because of --drafts; remove 'draft: true' to publish it"]


def test_future_included_is_no_warning(make_site: MakeSite) -> None:
    assert findings(make_site({"content/submissions/future.md": submission(date="2099-01-01")}), future=True) == []


@pytest.mark.parametrize(("options", "code", "last_line"), [([], 0, "0 errors, 1 warning"), (["--strict"], 1, "1 error, 0 warnings")])
def test_exit_status_and_summary(make_site: MakeSite, options: list[str], code: int, last_line: str) -> None:
    site = make_site({"content/topics/empty.md": "---\ntitle: Empty\n---\n"})
    result = run_topicsite("check", site, *options, cwd=site)
    assert result.returncode == code
    assert result.stdout.splitlines()[-1] == last_line
    assert result.stdout.splitlines()[0].startswith("content/topics/empty.md:1: ")


def test_json_format(make_site: MakeSite) -> None:
    site = make_site({"content/topics/empty.md": "---\ntitle: Empty\n---\n"})
    result = run_topicsite("check", "--format", "json", cwd=site)
    assert result.returncode == 0
    assert json.loads(result.stdout) == {
        "findings": [{"path": "content/topics/empty.md", "line": 1, "severity": "warning",
                      "message": "topic 'empty' has no submissions; its page only says so"}],
        "errors": 0, "warnings": 1,
    }


def test_usage_error_exits_2(make_site: MakeSite) -> None:
    result = run_topicsite("check", make_site(), "--format", "yaml")
    assert result.returncode == 2 and "Invalid value for '--format'" in result.stderr


def test_check_never_touches_the_output_folder(make_site: MakeSite) -> None:
    site = make_site()
    assert run_topicsite("build", site).returncode == 0
    before = tree_bytes(site / "output")
    make_site({FIRST: submission(body="Changed [broken](/tta/x/).")})
    assert run_topicsite("check", site).returncode == 1
    assert tree_bytes(site / "output") == before
    assert run_topicsite("check", make_site({"site.toml": None}).parent / "nowhere").returncode == 1


def test_check_reads_each_source_file_once(make_site: MakeSite, monkeypatch: pytest.MonkeyPatch) -> None:
    """Warnings about sources and the lines of findings come from the parsed sources, not from reading the files again."""
    body = "We request training.\n\nSee [this](/tta/nope/) and http://example.com/old."
    site = make_site({FIRST: with_draft(submission(body=body))})
    reads: list[str] = []
    original = Path.read_bytes

    def counting(path: Path) -> bytes:
        if path.suffix in (".md", ".toml") and path.resolve().is_relative_to(site.resolve()):
            reads.append(path.resolve().relative_to(site.resolve()).as_posix())
        return original(path)

    monkeypatch.setattr(Path, "read_bytes", counting)
    found = findings(site, drafts=True)
    assert any("is a draft" in f for f in found) and any("uses http:" in f for f in found) and any("/tta/nope/" in f for f in found)
    assert FIRST in reads and "site.toml" in reads
    assert sorted(reads) == sorted(set(reads)), f"read more than once: {sorted(reads)}"
