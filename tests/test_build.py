"""End-to-end builds of small sites in tmp_path."""

from __future__ import annotations

from pathlib import Path

from conftest import REPO, MakeSite, run_topicsite, submission, tree_bytes
from generator.memo.cache import Cache
from generator.output.write import open_output, write
from generator.render.plan import plan
from generator.site.load import LoadOptions, load


def build(site: Path, *extra: str) -> Path:
    result = run_topicsite("build", site, *extra)
    assert result.returncode == 0, result.stderr
    return site / "output"


def test_builds_every_kind_of_page(make_site: MakeSite) -> None:
    output = build(make_site())
    for name in ["index.html", "topics/index.html", "topics/community-policing/index.html",
                 "submissions/20230331-82332-92/index.html", "rss.xml", "atom.xml",
                 "topics/community-policing/rss.xml", "topics/community-policing/atom.xml",
                 "sitemap.xml", "robots.txt", "404.html", "taxonomy/term/1/index.html"]:
        assert (output / name).is_file(), name
    assert len(list((output / "static").glob("topicsite.*.css"))) == 1


def test_topic_page_lists_newest_first_with_pager(make_site: MakeSite) -> None:
    site = make_site({
        "content/submissions/a.md": submission(date="2023-01-01"),
        "content/submissions/b.md": submission(date="2023-06-01"),
        "content/submissions/c.md": submission(date="2023-06-01"),
    })
    output = build(site)
    page1 = (output / "topics/community-policing/index.html").read_text()
    page2 = (output / "topics/community-policing/page/2/index.html").read_text()
    # date then id, descending: c and b share a date, so c comes first
    assert page1.index(">c<") < page1.index(">b<")
    assert "20230331-82332-92" in page2 and ">a<" in page2
    assert 'aria-current="page"' in page1 and "/tta/topics/community-policing/page/2/" in page1
    assert "<title>Community policing, page 2 of 2 | Test TTA Requests</title>" in page2


def test_submission_shows_its_line_and_topics(make_site: MakeSite) -> None:
    output = build(make_site())
    html = (output / "submissions/20230331-82332-92/index.html").read_text()
    assert ('Submitted by <span data-pagefind-meta="submitted_by">Ben Rodger</span> on '
            '<time datetime="2023-03-31T08:23:32-04:00" data-pagefind-meta="date">March 31, 2023</time>') in html
    assert '<a class="usa-link" href="/tta/topics/community-policing/" data-pagefind-filter="topic">Community policing</a>' in html


def test_long_names_are_cut_like_the_portal(make_site: MakeSite) -> None:
    output = build(make_site({"content/submissions/2023/20230331-82332-92.md": submission(name="Mr. Jeffery Evanston-Smith")}))
    assert "Submitted by Mr. Jeffery Ev… on" in (output / "topics/community-policing/index.html").read_text()


def test_empty_topic_still_has_a_page(make_site: MakeSite) -> None:
    output = build(make_site({"content/topics/empty.md": "---\ntitle: Empty topic\n---\n"}))
    assert "There are no submissions on this topic yet." in (output / "topics/empty/index.html").read_text()


def test_alias_redirects_to_topic(make_site: MakeSite) -> None:
    html = (build(make_site()) / "taxonomy/term/1/index.html").read_text()
    assert '<meta http-equiv="refresh" content="0; url=/tta/topics/community-policing/">' in html
    assert '<link rel="canonical" href="https://example.gov/tta/topics/community-policing/">' in html
    assert '<a class="usa-link" href="/tta/topics/community-policing/">' in html


def test_every_page_has_skip_link_notice_and_lang(make_site: MakeSite) -> None:
    site = make_site({"site.toml": 'title = "T site"\nbase_url = "https://example.gov/"\nnotice = "**Attention**"\ncontact_email = "a@example.gov"\n'})
    output = build(site)
    for page in output.rglob("*.html"):
        html = page.read_text()
        if "http-equiv=\"refresh\"" in html:
            continue
        assert '<html lang="en">' in html
        assert html.index('href="#main-content"') < html.index("<a href=\"/\"")
        assert "<strong>Attention</strong>" in html and 'href="mailto:a@example.gov">Questions?<span class="usa-sr-only"> Email a@example.gov</span></a>' in html


def test_feed_autodiscovery_on_home_and_topic(make_site: MakeSite) -> None:
    output = build(make_site())
    for page in ["index.html", "topics/community-policing/index.html"]:
        assert 'rel="alternate" type="application/atom+xml"' in (output / page).read_text()
    assert 'href="https://example.gov/tta/topics/community-policing/rss.xml"' in (output / "topics/community-policing/index.html").read_text()


def test_rebuild_is_byte_identical(make_site: MakeSite, tmp_path: Path) -> None:
    site = make_site({"content/submissions/b.md": submission(date="2023-06-01", body="Text[^1]\n\n[^1]: note")})
    first = tree_bytes(build(site))
    second = tree_bytes(build(site, "-o", tmp_path / "other"))
    assert first == second


def test_failed_build_leaves_previous_output(make_site: MakeSite) -> None:
    site = make_site()
    before = tree_bytes(build(site))
    make_site({"content/submissions/bad.md": "---\nsubmitted_by: x\n---\n"})
    result = run_topicsite("build", site)
    assert result.returncode == 1
    assert tree_bytes(site / "output") == before


def test_build_never_writes_content(make_site: MakeSite) -> None:
    site = make_site()
    before = tree_bytes(site / "content")
    build(site)
    assert tree_bytes(site / "content") == before


def test_unchanged_files_keep_their_inode(make_site: MakeSite) -> None:
    site = make_site()
    output = build(site)
    inode = (output / "404.html").stat().st_ino
    build(site)
    assert (output / "404.html").stat().st_ino == inode


def test_refuses_output_folder_it_did_not_write(make_site: MakeSite, tmp_path: Path) -> None:
    site = make_site()
    precious = tmp_path / "precious"
    precious.mkdir()
    (precious / "thesis.txt").write_text("mine")
    result = run_topicsite("build", site, "-o", precious)
    assert result.returncode == 1
    assert "the output folder holds files topicsite did not write" in result.stderr
    assert (precious / "thesis.txt").read_text() == "mine"


def test_library_api_without_cli(make_site: MakeSite, tmp_path: Path) -> None:
    site_dir = make_site()
    site = load(site_dir, LoadOptions())
    with open_output(tmp_path / "out", site_dir, Cache.disabled()) as output:
        result = write(plan(site, Cache.disabled(), output.previous), output)
    assert result.files == len(list((tmp_path / "out").rglob("*"))) - sum(1 for p in (tmp_path / "out").rglob("*") if p.is_dir()) - 1


def test_sample_site_first_topic_page_matches_capture(tmp_path: Path) -> None:
    result = run_topicsite("build", REPO, "-o", tmp_path / "out", "-q")
    assert result.returncode == 0, result.stderr
    html = (tmp_path / "out/topics/community-police-relations-and-public-trust/index.html").read_text()
    captured = [("20230907-125328-94", "Mr. Jeffery Ev…"), ("20230608-114318-46", "Mr. Matthew R …"),
                ("20230411-135102-04", "Ms. erin mclaughlin"), ("20230331-82332-92", "Ben Rodger"),
                ("20221103-90846-27", "Mr. Brandon Lummis"), ("20220131-153245-79", "Daniel George Paugh")]
    positions = [html.index(f">{sid}</a>") for sid, _ in captured]
    assert positions == sorted(positions)
    assert html.index(">20230907-125328-94</a>") < html.index("<article") + 200  # the newest is the first article
    for sid, name in captured:
        assert f"Submitted by {name} on" in html
    assert "Subscribe to Community / police relations and public trust (RSS)" in html
    assert "<h1>Community / police relations and public trust</h1>" in html
    assert "bjanttac@usdoj.gov" in html and "Questions?" in html and "Skip to main content" in html
