"""Old addresses: submission aliases, sticky submissions, old feed addresses and the `redirects` rules."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import MakeSite, errors_of, run_topicsite, submission
from generator.content import is_feed_address
from generator.serve_http import content_type
from generator.site import LoadOptions, load

TOPIC_PATH = "content/topics/community-policing.md"


def sub(date: str, *, sticky: bool = False, aliases: str = "", name: str = "Ben Rodger") -> str:
    """A submission with optional sticky flag and aliases lines."""
    extra = ("sticky: true\n" if sticky else "") + (f"aliases: [{aliases}]\n" if aliases else "")
    return submission(name=name, date=date).replace("---\n", "---\n" + extra, 1) if extra else submission(name=name, date=date)


def build(root: Path) -> Path:
    result = run_topicsite("build", root, "--no-search", "-q")
    assert result.returncode == 0, result.stderr
    return root / "output"


def guids(rss: str) -> list[str]:
    return re.findall(r"<guid[^>]*>([^<]*)</guid>", rss)


def ids(items: object) -> list[str]:
    return [s.id for s in items]  # type: ignore[attr-defined]


# ---- sticky ------------------------------------------------------------------------------------


def test_sticky_pins_to_the_top_of_topic_pages_and_home_but_not_the_site_feed(make_site: MakeSite) -> None:
    site = load(make_site({
        "content/submissions/old.md": sub("2020-01-01", sticky=True),
        "content/submissions/mid.md": sub("2022-01-01"),
        "content/submissions/new.md": sub("2024-01-01"),
    }))
    topic = site.topics[0]
    assert ids(topic.submissions) == ["old", "new", "20230331-82332-92", "mid"]
    assert ids(topic.pages[0].submissions) == ["old", "new"]
    assert ids(site.recent) == ["old", "new"]  # Drupal's front page: sticky DESC, created DESC
    rss = {f.ref.url: f for f in site.feeds}
    assert ids(rss["/tta/rss.xml"].submissions)[:2] == ["new", "20230331-82332-92"]  # /rss.xml: created DESC only
    assert ids(rss["/tta/topics/community-policing/rss.xml"].submissions)[0] == "old"  # term feeds keep sticky first


def test_two_sticky_submissions_keep_date_then_id_order(make_site: MakeSite) -> None:
    site = load(make_site({
        "content/submissions/a.md": sub("2020-01-01", sticky=True),
        "content/submissions/b.md": sub("2020-01-01", sticky=True),
        "content/submissions/c.md": sub("2019-01-01", sticky=True),
    }))
    assert ids(site.topics[0].submissions) == ["b", "a", "c", "20230331-82332-92"]


def test_sticky_must_be_true_or_false(make_site: MakeSite) -> None:
    site = make_site({"content/submissions/a.md": "---\nsubmitted_by: X\ndate: 2023-01-01\ntopics: [community-policing]\nsticky: yes please\n---\nText\n"})
    assert errors_of(site) == ["content/submissions/a.md:5: sticky must be true or false, not 'yes please'"]


# ---- submission aliases ------------------------------------------------------------------------


def test_submission_alias_redirects_to_the_submission(make_site: MakeSite) -> None:
    site = load(make_site({"content/submissions/a.md": sub("2023-01-01", aliases="/node/7412, /requests/a")}))
    aliases = {a.path: a for a in site.aliases}
    assert aliases["/node/7412"].target_url == "/tta/submissions/a/"
    assert aliases["/node/7412"].output_path == "node/7412/index.html"
    assert aliases["/requests/a"].target_title == "a"
    assert aliases["/requests/a"].line == 2


def test_draft_submission_aliases_are_left_out_with_it(make_site: MakeSite, tmp_path: Path) -> None:
    text = sub("2023-01-01", aliases="/node/1").replace("---\n", "---\ndraft: true\n", 1)
    root = make_site({"content/submissions/a.md": text})
    assert "/node/1" not in {a.path for a in load(root).aliases}
    assert "/node/1" in {a.path for a in load(root, LoadOptions(drafts=True)).aliases}


@pytest.mark.parametrize(("aliases", "expected"), [
    ("/taxonomy/term/1", "content/submissions/a.md:2: alias '/taxonomy/term/1' would replace the alias '/taxonomy/term/1' in content/topics/community-policing.md; choose another path"),
    ("node/1", "content/submissions/a.md:2: alias 'node/1' must be a site path starting with '/', such as /taxonomy/term/3485, without '..' or spaces"),
    ("/submissions/20230331-82332-92/", "content/submissions/a.md:2: alias '/submissions/20230331-82332-92/' would replace the page of submission '20230331-82332-92'; choose another path"),
])
def test_submission_alias_problems(make_site: MakeSite, aliases: str, expected: str) -> None:
    assert errors_of(make_site({"content/submissions/a.md": sub("2023-01-01", aliases=aliases)})) == [expected]


def test_two_submissions_with_one_alias(make_site: MakeSite) -> None:
    site = make_site({"content/submissions/a.md": sub("2023-01-01", aliases="/node/1"),
                      "content/submissions/b.md": sub("2023-01-02", aliases="/NODE/1")})
    assert errors_of(site) == ["content/submissions/b.md:2: alias '/NODE/1' would replace the alias '/node/1' in content/submissions/a.md; choose another path"]


# ---- old feed addresses ------------------------------------------------------------------------


@pytest.mark.parametrize(("alias", "is_feed"), [
    ("/taxonomy/term/3485/feed", True), ("/taxonomy/term/3485/all/feed", True), ("/rss.xml", True),
    ("/old/news.RSS", True), ("/x.atom", True), ("/taxonomy/term/3485", False), ("/feeds/", False),
    ("/feed/x", False), ("/requests/feedback", False),
])
def test_feed_addresses_are_told_by_their_last_segment(alias: str, is_feed: bool) -> None:
    assert is_feed_address(alias) is is_feed


def test_old_feed_address_answers_with_the_topics_rss_feed(make_site: MakeSite) -> None:
    topic = "---\ntitle: Community policing\naliases: [/taxonomy/term/1, /taxonomy/term/1/feed, /old.rss]\n---\n"
    root = make_site({TOPIC_PATH: topic})
    site = load(root)
    kinds = {a.path: (a.kind, a.output_path, a.target_url) for a in site.aliases}
    assert kinds["/taxonomy/term/1/feed"] == ("feed", "taxonomy/term/1/feed", "/tta/topics/community-policing/rss.xml")
    copies = {f.output_path: f for f in site.feeds if f.old_address}
    assert sorted(copies) == ["old.rss", "taxonomy/term/1/feed"]
    assert copies["taxonomy/term/1/feed"].ref.absolute_url == "https://example.gov/tta/taxonomy/term/1/feed"
    output = build(root)
    canonical = (output / "topics/community-policing/rss.xml").read_text()
    copy = (output / "taxonomy/term/1/feed").read_text()
    assert guids(copy) == guids(canonical) != []
    assert '<atom:link href="https://example.gov/tta/taxonomy/term/1/feed" rel="self"' in copy
    assert not (output / "taxonomy/term/1/feed/index.html").exists()
    assert run_topicsite("check", root).returncode == 0


def test_a_submission_cannot_have_a_feed_address(make_site: MakeSite) -> None:
    site = make_site({"content/submissions/a.md": sub("2023-01-01", aliases="/node/1/feed")})
    assert errors_of(site) == ["content/submissions/a.md:2: alias '/node/1/feed' is a feed address: a submission has no feed; put it in the aliases of the topic whose feed it was"]


def test_an_alias_naming_its_own_page_writes_nothing(make_site: MakeSite) -> None:
    root = make_site({TOPIC_PATH: "---\ntitle: Community policing\naliases: [/topics/community-policing]\n---\n"})
    (alias,) = load(root).aliases
    assert alias.kind == "same"
    page = (build(root) / "topics/community-policing/index.html").read_text()
    assert "http-equiv" not in page


def test_serve_gives_extensionless_feeds_an_rss_type() -> None:
    assert content_type("taxonomy/term/1/feed") == "application/rss+xml; charset=utf-8"
    assert content_type("taxonomy/term/1/index.html") == "text/html; charset=utf-8"
