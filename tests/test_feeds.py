"""Feeds: valid by RFC 4287's schema, RSS 2.0's rules and feedparser; stable ids; dates from items."""

from __future__ import annotations

import shutil
from pathlib import Path

import feedparser  # type: ignore[import-untyped]
import pytest
import regex
from lxml import etree

from conftest import REPO, MakeSite, run_topicsite, submission
from generator.check.feeds import check_feed
from validators import assert_valid_atom, assert_valid_rss, internal_links

FEEDS = ["rss.xml", "atom.xml", "topics/community-policing/rss.xml", "topics/community-policing/atom.xml"]
ATOM = "{http://www.w3.org/2005/Atom}"


def built(site: Path) -> Path:
    result = run_topicsite("build", site, "-q")
    assert result.returncode == 0, result.stderr
    return site / "output"


@pytest.fixture
def output(make_site: MakeSite) -> Path:
    return built(make_site({
        "content/submissions/b.md": submission(date="2023-06-01T10:00:00Z", body="See [the page](../other/) and ![x](/tta/img.png).\n\n<script>alert(1)</script>"),
        "content/submissions/c.md": "---\nsubmitted_by: Ann\ndate: 2022-01-01\ntopics: community-policing\nguid: 12345@portal.example\n---\nOld.\n",
        "content/topics/empty.md": "---\ntitle: Empty\n---\n",
    }))


@pytest.mark.parametrize("name", FEEDS + ["topics/empty/atom.xml", "topics/empty/rss.xml"])
def test_feeds_validate(output: Path, name: str) -> None:
    data = (output / name).read_bytes()
    (assert_valid_atom if name.endswith("atom.xml") else assert_valid_rss)(data)
    assert check_feed(output / name, data, f"https://example.gov/tta/{name}", "https://example.gov/tta/") == []


def test_items_newest_first_with_author_and_absolute_links(output: Path) -> None:
    feed = feedparser.parse((output / "atom.xml").read_bytes())
    assert [e.link for e in feed.entries] == [
        "https://example.gov/tta/submissions/b/", "https://example.gov/tta/submissions/20230331-82332-92/",
        "https://example.gov/tta/submissions/c/"]
    first = feed.entries[0]
    assert first.author == "Ben Rodger"
    assert 'href="https://example.gov/tta/submissions/other/"' in first.content[0].value
    assert 'src="https://example.gov/tta/img.png"' in first.content[0].value
    assert "<script" not in (output / "atom.xml").read_text() and "alert(1)" not in (output / "rss.xml").read_text()


def test_each_topic_of_an_item_is_a_category(make_site: MakeSite) -> None:
    output = built(make_site({
        "content/topics/officer-safety.md": "---\ntitle: Officer safety\n---\n",
        "content/submissions/b.md": submission(topics="community-policing, officer-safety"),
    }))
    scheme = "https://example.gov/tta/topics/"
    atom = etree.parse(str(output / "atom.xml")).getroot()
    entry = next(e for e in atom.iter(f"{ATOM}entry") if e.findtext(f"{ATOM}id") and e.find(f"{ATOM}link").get("href").endswith("/b/"))
    assert [dict(c.attrib) for c in entry.iter(f"{ATOM}category")] == [
        {"term": "community-policing", "scheme": scheme, "label": "Community policing"},
        {"term": "officer-safety", "scheme": scheme, "label": "Officer safety"}]
    rss = etree.parse(str(output / "topics/officer-safety/rss.xml")).getroot()
    assert [(c.text, c.get("domain")) for c in rss.iter("category")] == [("Community policing", scheme), ("Officer safety", scheme)]


def test_updated_is_newest_item_not_build_time(output: Path) -> None:
    atom = etree.parse(str(output / "atom.xml")).getroot()
    assert atom.findtext(f"{ATOM}updated") == "2023-06-01T10:00:00+00:00"
    rss = etree.parse(str(output / "rss.xml")).getroot()
    assert rss.findtext("channel/lastBuildDate") == "Thu, 01 Jun 2023 10:00:00 +0000"
    assert rss.findtext("channel/link") == "https://example.gov/tta/"
    assert rss.findtext("channel/generator") == "topicsite"


def test_guid_from_front_matter_is_kept_in_rss(output: Path) -> None:
    rss = etree.parse(str(output / "rss.xml")).getroot()
    guids = {g.text: g.get("isPermaLink") for g in rss.iter("guid")}
    assert guids["12345@portal.example"] == "false"


def test_item_ids_survive_layout_and_template_changes(make_site: MakeSite) -> None:
    site = make_site()
    before = feedparser.parse((built(site) / "atom.xml").read_bytes()).entries[0].id
    make_site({"templates/submission.html": "{% extends 'base.html' %}{% block main %}<h1>{{ view.submission.title }}</h1>{% endblock %}",
               "site.toml": 'title = "Renamed"\nbase_url = "https://example.gov/other/path/"\n'})
    after = feedparser.parse((built(site) / "atom.xml").read_bytes()).entries[0].id
    assert before == after and before.startswith("urn:uuid:")


def test_feed_items_limit_and_no_duplicates(make_site: MakeSite) -> None:
    files: dict[str, str | bytes | None] = {f"content/submissions/s{i}.md": submission(date=f"2023-01-{i + 1:02d}") for i in range(12)}
    files["site.toml"] = 'title = "T site"\nbase_url = "https://example.gov/"\nfeed_items = 5\n'
    output = built(make_site(files))
    ids = [e.id for e in feedparser.parse((output / "atom.xml").read_bytes()).entries]
    assert len(ids) == 5 == len(set(ids))


def test_sample_site_feeds_and_links(tmp_path: Path) -> None:
    """The sample site under a base_url with a path: every feed valid, every internal link resolves."""
    site = tmp_path / "sample"
    site.mkdir()
    shutil.copytree(REPO / "content", site / "content")  # a link would lead out of the site folder
    toml = (REPO / "site.toml").read_text().replace('base_url = "https://tta.example.gov/"', 'base_url = "https://example.gov/tta/"')
    assert "example.gov/tta/" in toml
    (site / "site.toml").write_text(toml)
    output = built(site)
    for feed in output.rglob("*.xml"):
        if feed.name == "atom.xml":
            assert_valid_atom(feed.read_bytes())
        elif feed.name == "rss.xml":
            assert_valid_rss(feed.read_bytes())
    assert internal_links(output, "https://example.gov/tta/") == []


@pytest.mark.parametrize(("setting", "shown"), [("", "Lieutenant Margaret O'Donnell-Vasquez"),
                                                 ('feed_names = "full"\n', "Lieutenant Margaret O'Donnell-Vasquez"),
                                                 ('feed_names = "as-pages"\n', "Lieutenant Mar…")])
def test_feeds_carry_full_names_unless_told_to_cut_them_as_pages_do(make_site: MakeSite, setting: str, shown: str) -> None:
    from conftest import SITE_TOML
    output = built(make_site({"site.toml": SITE_TOML + setting,
                              "content/submissions/b.md": submission(name="Lieutenant Margaret O'Donnell-Vasquez")}))
    rss = etree.parse(str(output / "rss.xml")).getroot()
    assert rss.findtext("channel/item/{http://purl.org/dc/elements/1.1/}creator") == shown
    atom = etree.parse(str(output / "atom.xml")).getroot()
    assert atom.findtext(f"{ATOM}entry/{ATOM}author/{ATOM}name") == shown
    assert "Lieutenant Mar…" in (output / "submissions/b/index.html").read_text()


def test_feed_names_takes_one_of_two_values() -> None:
    from generator.content.config import parse_config
    from generator.errors import SiteError
    with pytest.raises(SiteError) as raised:
        parse_config(Path("site.toml"), 'title = "T"\nbase_url = "https://example.gov/"\nfeed_names = "short"\n')
    assert [p.format() for p in raised.value.problems] == [
        "site.toml:3: feed_names must be \"full\" (feeds carry whole names) or \"as-pages\" (cut as on pages), not 'short'"]


EDITED = "---\nsubmitted_by: Ann\ndate: 2022-01-01 09:00:00\nupdated: 2023-07-04 15:30:00\ntopics: [community-policing]\n---\nEdited.\n"


def test_an_edit_dates_its_entry_and_the_feed_but_not_the_order(make_site: MakeSite) -> None:
    output = built(make_site({"content/submissions/b.md": submission(date="2023-06-01T10:00:00Z"), "content/submissions/e.md": EDITED}))
    for name in FEEDS:
        (assert_valid_atom if name.endswith("atom.xml") else assert_valid_rss)((output / name).read_bytes())
    for atom_name in ("atom.xml", "topics/community-policing/atom.xml"):
        atom = etree.parse(str(output / atom_name)).getroot()
        entries = {e.find(f"{ATOM}link").get("href").rsplit("/", 2)[1]: e for e in atom.iter(f"{ATOM}entry")}
        assert list(entries) == ["b", "20230331-82332-92", "e"]  # still newest first by date
        assert (entries["e"].findtext(f"{ATOM}published"), entries["e"].findtext(f"{ATOM}updated")) == (
            "2022-01-01T09:00:00-05:00", "2023-07-04T15:30:00-04:00")
        assert entries["b"].findtext(f"{ATOM}updated") == entries["b"].findtext(f"{ATOM}published") == "2023-06-01T10:00:00+00:00"
        assert atom.findtext(f"{ATOM}updated") == "2023-07-04T15:30:00-04:00"  # the newest change, not the newest date
    for rss_name in ("rss.xml", "topics/community-policing/rss.xml"):
        channel = etree.parse(str(output / rss_name)).getroot().find("channel")
        assert channel.findtext("lastBuildDate") == "Tue, 04 Jul 2023 15:30:00 -0400"
        assert channel.findall("item")[2].findtext("pubDate") == "Sat, 01 Jan 2022 09:00:00 -0500"


def test_a_topic_feed_with_a_sticky_old_item_is_dated_by_its_newest_item(make_site: MakeSite) -> None:
    output = built(make_site({"content/submissions/old.md": submission(date="2020-01-01 10:00:00").replace("topics:", "sticky: true\ntopics:")}))
    atom = etree.parse(str(output / "topics/community-policing/atom.xml")).getroot()
    assert atom.find(f"{ATOM}entry/{ATOM}link").get("href").endswith("/old/")  # pinned first
    assert atom.findtext(f"{ATOM}updated") == "2023-03-31T08:23:32-04:00"


def test_the_submission_page_says_when_it_was_updated(make_site: MakeSite) -> None:
    output = built(make_site({"content/submissions/e.md": EDITED,
                              "content/submissions/same.md": EDITED.replace("updated: 2023-07-04 15:30:00", "updated: 2022-01-01 09:00:00")}))
    page = (output / "submissions/e/index.html").read_text()
    assert ('<time datetime="2022-01-01T09:00:00-05:00" data-pagefind-meta="date">January 1, 2022</time>'
            '<br>Updated <time datetime="2023-07-04T15:30:00-04:00">July 4, 2023</time></p>') in page
    assert "Updated" not in (output / "submissions/same/index.html").read_text()  # equal to date: nothing to say
    assert "Updated" not in (output / "submissions/20230331-82332-92/index.html").read_text()
    assert "Updated" not in (output / "topics/community-policing/index.html").read_text()  # lists show the date only


def test_the_sitemap_dates_an_edited_submission_by_its_edit(make_site: MakeSite) -> None:
    output = built(make_site({"content/submissions/e.md": EDITED}))
    sitemap = etree.parse(str(output / "sitemap.xml")).getroot()
    lastmod = {url.findtext("{*}loc"): url.findtext("{*}lastmod") for url in sitemap}
    assert lastmod["https://example.gov/tta/submissions/e/"] == "2023-07-04"  # its updated, not its date 2022-01-01
    assert lastmod["https://example.gov/tta/submissions/20230331-82332-92/"] == "2023-03-31"  # no updated: its date


LONG = "We request training for twelve officers on de-escalation and crisis intervention, in three sessions."


@pytest.mark.parametrize(("html", "title"), [
    ("<p>Short <em>text</em>.</p>", "Short text."),
    (f"<p>{LONG}</p>", "We request training for twelve officers on de-escalation and crisis…"),
    ("<p>" + "\U0001F44D\U0001F3FD" * 100 + "</p>", "\U0001F44D\U0001F3FD" * 69 + "…"),  # no space: whole clusters, never half an emoji
    ("<p>" + "x" * 200 + "</p>", "x" * 69 + "…"),
    ('<p><img src="a.png" alt=""></p>', ""),
])
def test_text_titles_are_cut_at_a_word_or_a_grapheme_cluster(html: str, title: str) -> None:
    from generator.render.feeds import TITLE_TEXT_MAX, text_title
    assert text_title(html) == title
    assert len(regex.findall(r"\X", title)) <= TITLE_TEXT_MAX


def item_titles_and_ids(output: Path, name: str) -> list[tuple[str, str]]:
    root = etree.parse(str(output / name)).getroot()
    if name.endswith("atom.xml"):
        return [(e.findtext(f"{ATOM}title"), e.findtext(f"{ATOM}id")) for e in root.iter(f"{ATOM}entry")]
    return [(i.findtext("title"), i.findtext("guid")) for i in root.iter("item")]


def test_feed_item_title_changes_titles_and_never_ids(make_site: MakeSite) -> None:
    from conftest import SITE_TOML
    files: dict[str, str | bytes | None] = {
        "content/topics/officer-safety.md": "---\ntitle: Officer safety\n---\n",
        "content/topics/community-policing.md": "---\ntitle: Community policing\naliases: [/taxonomy/term/1/feed]\n---\n",
        "content/submissions/b.md": submission(date="2023-06-01 10:00:00", topics="officer-safety, community-policing", body=LONG),
        "content/submissions/c.md": "---\ntitle: Radio training\nsubmitted_by: Ann\ndate: 2022-01-01\ntopics: community-policing\n"
                                    "guid: 12345@portal.example\n---\nRadios.\n"}
    site = make_site(files)
    names = [*FEEDS, "topics/officer-safety/rss.xml", "topics/officer-safety/atom.xml", "taxonomy/term/1/feed"]  # and an old address
    found = {}
    for choice in ("", 'feed_item_title = "title"\n', 'feed_item_title = "title-topic"\n', 'feed_item_title = "text"\n'):
        make_site({**files, "site.toml": SITE_TOML + choice})
        output = built(site)
        found[choice] = {name: item_titles_and_ids(output, name) for name in names}
        for name in FEEDS:
            (assert_valid_atom if name.endswith("atom.xml") else assert_valid_rss)((output / name).read_bytes())
    default, titled, topical, texts = found.values()
    assert default == titled  # the default is "title": the feeds as before
    for name in names:  # the same items with the same ids, whatever their titles
        assert [i for _, i in default[name]] == [i for _, i in topical[name]] == [i for _, i in texts[name]]
    assert [t for t, _ in default["rss.xml"]] == ["b", "20230331-82332-92", "Radio training"]
    # in the site's feeds the item's first topic, in a topic's feed (and at its old address) that topic
    assert [t for t, _ in topical["rss.xml"]] == ["b — Officer safety", "20230331-82332-92 — Community policing",
                                                  "Radio training — Community policing"]
    assert topical["topics/community-policing/atom.xml"][0][0] == "b — Community policing"
    assert topical["taxonomy/term/1/feed"][0][0] == "b — Community policing"
    assert topical["topics/officer-safety/atom.xml"][0][0] == "b — Officer safety"
    assert [t for t, _ in texts["atom.xml"]] == ["We request training for twelve officers on de-escalation and crisis…",
                                                 "We request training.", "Radios."]
