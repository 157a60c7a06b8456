"""Old addresses: submission aliases, sticky submissions, old feed addresses and the `redirects` rules."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import MakeSite, errors_of, run_topicsite, submission
from generator.content.aliases import is_feed_address
from generator.redirects.old import by_path, old_addresses, old_pages, resolve
from generator.redirects.rules import Rule, rules
from generator.serve.http import content_type
from generator.site.load import LoadOptions, load

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


# ---- the old-address mapping -------------------------------------------------------------------

ODD_TOPIC = ("---\ntitle: Community policing\naliases: [/taxonomy/term/1, /taxonomy/term/1/feed, /caf%C3%A9, \"/a(b)+c$d\","
             " \"/it's;x=1\", \"/star*/~t\", \"/p@t:h!,=&\", /old/page.html]\n---\nAbout.\n")
ODD_FILES = {
    TOPIC_PATH: ODD_TOPIC,
    "content/submissions/a.md": sub("2023-01-01", aliases="/node/7"),
    "content/submissions/b.md": sub("2023-02-01", aliases="/node/8"),
}


def odd_site(make_site: MakeSite) -> Path:
    """Three submissions, two a page, on a topic with odd but valid alias characters."""
    return make_site(ODD_FILES)


def test_old_addresses_of_a_site(make_site: MakeSite) -> None:
    addresses = {a.path: a for a in old_addresses(load(odd_site(make_site)), old_per_page=2)}
    assert sorted(addresses) == ["/", "/a(b)+c$d", "/café", "/it's;x=1", "/node/7", "/node/8", "/old/page.html",
                                 "/p@t:h!,=&", "/rss.xml", "/star*/~t", "/taxonomy/term/1", "/taxonomy/term/1/feed"]
    term = addresses["/taxonomy/term/1"]
    assert term.pages == ("/tta/topics/community-policing/", "/tta/topics/community-policing/page/2/")
    assert term.query_path == "taxonomy/term/1"
    assert addresses["/café"].query_path == "caf%C3%A9"
    assert addresses["/taxonomy/term/1/feed"].feed and addresses["/taxonomy/term/1/feed"].target == "/tta/topics/community-policing/rss.xml"
    assert addresses["/rss.xml"].target == "/tta/rss.xml" and addresses["/"].target == "/tta/"


@pytest.mark.parametrize(("per_page", "old_per_page", "count", "expected"), [
    (10, 10, 25, [1, 2, 3]),
    (5, 10, 25, [1, 3, 5]),     # old page n held items 10n..: the new page holding its first item
    (20, 10, 25, [1, 1, 2]),
    (10, 10, 0, [1]),           # an empty term still had its one page
])
def test_old_pages_map_to_the_new_page_holding_their_first_item(make_site: MakeSite, per_page: int, old_per_page: int, count: int, expected: list[int]) -> None:
    files: dict[str, str | bytes | None] = {"site.toml": f'title = "T"\nbase_url = "https://example.gov/"\nper_page = {per_page}\n',
                                            "content/submissions/2023/20230331-82332-92.md": None}
    files.update({f"content/submissions/s{n:02}.md": sub(f"2020-01-{n % 28 + 1:02}") for n in range(count)})
    topic = load(make_site(files)).topics[0]
    assert old_pages(topic, per_page, old_per_page) == tuple(topic.pages[n - 1].url for n in expected)


@pytest.mark.parametrize(("url", "expected"), [
    ("/taxonomy/term/1", "/tta/topics/community-policing/"),
    ("/taxonomy/term/1?page=1", "/tta/topics/community-policing/page/2/"),
    ("/taxonomy/term/1?page=99", "/tta/topics/community-policing/page/2/"),
    ("/taxonomy/term/1?page=-1", "/tta/topics/community-policing/"),
    ("/taxonomy/term/1?utm_source=x&page=1", "/tta/topics/community-policing/page/2/"),
    ("/?q=taxonomy/term/1&page=1", "/tta/topics/community-policing/page/2/"),
    ("/?q=node/7", "/tta/submissions/a/"),
    ("/node/7?page=1", "/tta/submissions/a/"),
    ("/caf%C3%A9", "/tta/topics/community-policing/"),
    ("/?q=caf%C3%A9", "/tta/topics/community-policing/"),
    ("/taxonomy/term/1/feed", "/tta/topics/community-policing/rss.xml"),
    ("/rss.xml", "/tta/rss.xml"),
    ("/", "/tta/"),
    ("/node/9", None),
    ("/?q=node/9", None),
])
def test_resolve_follows_drupal(make_site: MakeSite, url: str, expected: str | None) -> None:
    addresses = by_path(old_addresses(load(odd_site(make_site)), old_per_page=2))
    path, _, query = url.partition("?")
    assert resolve(addresses, path, query) == expected


def test_at_the_root_topic_pages_answer_their_slashless_address_and_nothing_redirects_to_itself(make_site: MakeSite) -> None:
    site = load(make_site({"site.toml": 'title = "T"\nbase_url = "https://example.gov/"\n'}))
    addresses = old_addresses(site)
    assert resolve(by_path(addresses), "/topics/community-policing", "") == "/topics/community-policing/"
    assert resolve(by_path(addresses), "/rss.xml", "") == "/rss.xml"
    all_rules = list(rules(addresses))
    assert not [r for r in all_rules if r.q is None and r.path in ("/", "/rss.xml")]
    assert Rule("/", "rss.xml", None, "/rss.xml") in all_rules


# ---- topicsite redirects -----------------------------------------------------------------------

GOLDEN = Path(__file__).parent / "golden" / "redirects"


@pytest.mark.parametrize("fmt", ["nginx", "apache", "caddy", "netlify"])
def test_rules_match_the_golden_files(make_site: MakeSite, fmt: str) -> None:
    """Caddy and Netlify cannot run here: their rules are checked against files read and reasoned through by hand."""
    result = run_topicsite("redirects", odd_site(make_site), "--format", fmt, "--old-per-page", "2")
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout == (GOLDEN / f"{fmt}.txt").read_text(encoding="utf-8")


def test_redirects_warns_when_the_page_size_changed(make_site: MakeSite) -> None:
    site = odd_site(make_site)
    result = run_topicsite("redirects", site, "--format", "netlify")
    assert result.returncode == 0
    assert result.stderr == (f"{site / 'site.toml'}:1: warning: per_page is 2 but the old pages held 10 (--old-per-page): an old ?page=N "
                             "URL leads to the new page holding its first item, and the items around it differ; set per_page = 10 to keep old pages whole\n")
    assert "/taxonomy/term/1  page=" not in result.stdout  # 3 items were one old page of 10: no pager rule


@pytest.mark.parametrize(("args", "message"), [
    ([], "Missing option '--format'"),
    (["--format", "iis"], "'iis' is not one of 'nginx', 'apache', 'caddy', 'netlify'"),
    (["--format", "nginx", "--old-per-page", "0"], "0 is not in the range x>=1"),
])
def test_redirects_usage_errors(make_site: MakeSite, args: list[str], message: str) -> None:
    result = run_topicsite("redirects", make_site(), *args)
    assert result.returncode == 2 and message in result.stderr


def test_redirects_of_a_broken_site_are_site_errors(make_site: MakeSite) -> None:
    result = run_topicsite("redirects", make_site({"content/submissions/a.md": sub("2023-01-01", aliases="/taxonomy/term/1")}), "--format", "nginx")
    assert result.returncode == 1 and result.stdout == "" and "Traceback" not in result.stderr
    assert result.stderr.splitlines()[-1] == "topicsite redirects failed: 1 error."
