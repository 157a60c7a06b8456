"""topicsite import drupal7: the real Drupal 7 fixture (SQLite and MariaDB) back into the sample content, and every option."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import sqlite3
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from conftest import REPO, run_topicsite
from generator.content.dates import parse_date
from generator.importers.bodies import autop, lost_text, render_format, strip_tags, to_markdown, visible_text
from generator.importers.convert import choose_ids
from generator.importers.documents import local_date
from generator.importers.drupal7 import Node, open_read_only
from generator.importers.record import RECORD_NAME
from generator.content.markdown import render_markdown
from mariadb import MariaDB, free_port, running_mariadb

# The real Drupal 7 site kept next to the repository (its README says how it was made).
FIXTURE = Path(os.environ.get("TOPICSITE_DRUPAL7_FIXTURE", REPO.parent / "shared" / "drupal7"))
DB = FIXTURE / "drupal.sqlite"
GUID_BASE = "https://www.bjatta.bja.ojp.gov"
NEW_YORK = ZoneInfo("America/New_York")
# The portal cut these two names; Drupal holds them whole (see the fixture's README).
TRUNCATED = {"Mr. Jeffery Evangelista": "Mr. Jeffery Ev…", "Mr. Matthew R Sullivan": "Mr. Matthew R …"}
FILTERED_HTML = (("filter_url", ""), ("filter_html", "<a> <em> <strong> <cite> <blockquote> <code> <ul> <ol> <li> <dl> <dt> <dd>"),
                 ("filter_autop", ""), ("filter_htmlcorrector", ""))

pytestmark = pytest.mark.skipif(not DB.is_file(), reason=f"the Drupal 7 fixture is not at {FIXTURE}")


@pytest.fixture(scope="session")
def mariadb(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MariaDB]:
    """One private MariaDB server for the session, on loopback."""
    with running_mariadb(tmp_path_factory.mktemp("mariadb")) as server:
        yield server


def front_matter(path: Path) -> tuple[dict[str, object], str]:
    head, _, body = path.read_text(encoding="utf-8").removeprefix("---\n").partition("\n---\n")
    return yaml.safe_load(head), body


def empty_site(tmp_path: Path, timezone: str = "America/New_York") -> Path:
    site = tmp_path / "site"
    site.mkdir(parents=True)
    (site / "site.toml").write_text(f'title = "Imported"\nbase_url = "https://tta.example.gov/"\ntimezone = "{timezone}"\n')
    return site


def db_copy(tmp_path: Path, *statements: str) -> Path:
    """A copy of the fixture database changed by SQL statements."""
    copy = tmp_path / "drupal.sqlite"
    shutil.copyfile(DB, copy)
    with sqlite3.connect(copy) as connection:
        for statement in statements:
            connection.execute(statement)
    return copy


def import_db(db: Path | str, site: Path, *options: str) -> tuple[int, str, str]:
    url = db if isinstance(db, str) else f"sqlite:///{db}"
    result = run_topicsite("import", "drupal7", url, "-s", site, "--guid-base", GUID_BASE, *options)
    return result.returncode, result.stdout, result.stderr


def digest_tree(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.rglob("*")) if p.is_file()}


# --- pure functions, on strings ---

@pytest.mark.parametrize(("stored", "shown"), [
    ("one\n\ntwo", "<p>one</p>\n<p>two</p>\n"),
    ("one\r\ntwo", "<p>one<br />\ntwo</p>\n"),
    ("<p>kept</p>\r\n\r\n<ul>\n<li>a</li>\n</ul>", "<p>kept</p>\n<ul>\n<li>a</li>\n</ul>\n"),
    ("a\n<pre>x\n\ny</pre>\nb", "<p>a</p>\n<pre>x\n\ny</pre><p>b</p>\n"),
    ("fish & chips", "<p>fish &amp; chips</p>\n"),
])
def test_autop_follows_drupal(stored: str, shown: str) -> None:
    assert autop(stored) == shown


def test_filtered_html_strips_tags_it_does_not_allow_and_keeps_their_text() -> None:
    assert strip_tags('<p>a <em>b</em> <span class="x">c</span><script>d</script></p>', frozenset({"em"})) == "a <em>b</em> cd"
    assert render_format("<p>Para one.</p>\n\n<p>Para <strong>two</strong>.</p>", FILTERED_HTML) == \
        "<p>Para one.</p>\n<p>Para <strong>two</strong>.</p>\n"


def test_plain_text_is_escaped_before_paragraphs_are_made() -> None:
    plain = (("filter_html_escape", ""), ("filter_url", ""), ("filter_autop", ""))
    shown = render_format("<b>not bold</b>\n\nsecond", plain)
    assert shown == "<p>&lt;b&gt;not bold&lt;/b&gt;</p>\n<p>second</p>\n"
    assert to_markdown(shown) == "&lt;b>not bold&lt;/b>\n\nsecond\n"  # the tag stays text, escaped for Markdown
    assert visible_text(render_markdown(to_markdown(shown), "/", "", (Path("t.md"), 1))) == "<b>not bold</b> second"
    assert lost_text(shown, to_markdown(shown), (Path("t.md"), 1)) == []


def test_markdown_keeps_lists_emphasis_and_links() -> None:
    html = '<p>We <em>need</em> <strong>help</strong> at <a href="https://x.gov/">the site</a>:</p>\n<ol>\n<li>one;</li>\n<li>two.</li>\n</ol>\n'
    assert to_markdown(html) == "We *need* **help** at [the site](https://x.gov/):\n\n1. one;\n2. two.\n"


def test_lost_text_names_each_difference() -> None:
    assert lost_text("<p>one two three</p>", "one three\n", (Path("t.md"), 1)) == ["'two' -> (nothing)"]
    assert lost_text("<p>a b</p>", "a c\n", (Path("t.md"), 1)) == ["'b' -> 'c'"]
    assert lost_text("<p>a *b* c</p>", to_markdown("<p>a *b* c</p>"), (Path("t.md"), 1)) == []
    assert lost_text("<p>x</p><p>[a]: http://x.gov</p>", to_markdown("<p>x</p><p>[a]: http://x.gov</p>"), (Path("t.md"), 1)) == []
    assert visible_text("<p>one</p><p>two<script>var three;</script></p>") == "one two"


def test_an_ambiguous_local_time_keeps_its_offset() -> None:
    second_one_thirty = datetime.fromisoformat("2021-11-07T06:30:00+00:00")  # 01:30 EST, after the clocks went back
    assert local_date(second_one_thirty, NEW_YORK) == "2021-11-07 01:30:00-05:00"
    assert parse_date(local_date(second_one_thirty, NEW_YORK), NEW_YORK) == second_one_thirty
    assert local_date(datetime.fromisoformat("2021-11-07T05:30:00+00:00"), NEW_YORK) == "2021-11-07 01:30:00"


def node(nid: int, title: str, created: int = 1686238998) -> Node:
    return Node(nid, title, "A", True, False, created, created, "<p>x</p>", "filtered_html", (1,), ())


def test_made_ids_of_nodes_created_in_one_second_follow_drupal_order(tmp_path: Path) -> None:
    from generator.content.config import Config

    config = Config(path=tmp_path / "site.toml", title="t", base_url="https://x.gov/", timezone="America/New_York")
    nodes = [node(101, "First"), node(150, "Second"), node(199, "Third")]
    problems: list[object] = []
    for drupal_order in [(150, 101, 199), (199, 150, 101), (101, 199, 150)]:
        ids = choose_ids(nodes, [drupal_order], config, tmp_path, problems)  # type: ignore[arg-type]
        assert sorted(ids, key=lambda nid: ids[nid], reverse=True) == list(drupal_order)
        assert all(re.fullmatch(r"20230608-114318-\d\d", i) for i in ids.values())
    assert problems == []


def test_titled_ids_that_contradict_drupal_order_are_reported(tmp_path: Path) -> None:
    from generator.content.config import Config
    from generator.errors import Problem

    config = Config(path=tmp_path / "site.toml", title="t", base_url="https://x.gov/", timezone="America/New_York")
    nodes = [node(1, "20230608-114318-10"), node(2, "20230608-114318-20")]
    problems: list[Problem] = []
    assert choose_ids(nodes, [(1, 2)], config, tmp_path, problems) == {1: "20230608-114318-10", 2: "20230608-114318-20"}
    assert len(problems) == 1 and "nodes 1, 2 were created in the same second" in problems[0].message
    assert problems[0].severity == "warning"


# --- the real fixture ---

def check_round_trip(site: Path) -> None:
    """The imported site holds the sample content: same ids, dates, topics, body text; full names where the portal cut them."""
    sample = REPO / "content"
    sample_files = sorted(p.relative_to(sample).as_posix() for p in sample.rglob("*.md"))
    imported = sorted(p.relative_to(site / "content").as_posix() for p in (site / "content").rglob("*.md"))
    assert imported == sample_files
    for name in sample_files:
        want, want_body = front_matter(sample / name)
        got, got_body = front_matter(site / "content" / name)
        page = visible_text(render_markdown(got_body, "/", "", (Path("got.md"), 1)))
        assert page == visible_text(render_markdown(want_body, "/", "", (Path("want.md"), 1))), name
        if name.startswith("topics/"):
            assert got["title"] == want["title"]
            assert set(want.get("aliases", [])) <= set(got["aliases"]), name  # type: ignore[arg-type]
            continue
        assert parse_date(str(got["date"]), NEW_YORK) == parse_date(str(want["date"]), NEW_YORK), name
        assert got["topics"] == want["topics"], name
        assert want["submitted_by"] in (got["submitted_by"], TRUNCATED.get(str(got["submitted_by"]))), name
        assert "title" not in got and "sticky" not in got and "draft" not in got
        nid = str(got["guid"]).split(" at ")[0]
        assert got["guid"] == f"{nid} at {GUID_BASE}"
        assert got["aliases"] == [f"/node/{nid}", f"/requests/{Path(name).stem}"]


def test_the_sqlite_fixture_imports_into_the_sample_content(tmp_path: Path) -> None:
    site = empty_site(tmp_path)
    before = DB.read_bytes()
    code, out, err = import_db(DB, site)
    assert code == 0, err
    assert DB.read_bytes() == before
    check_round_trip(site)
    for line in ("topics: 5", "submissions: 31", "unpublished skipped: 0", "aliases: 77",
                 "aliases equal to the new page, left out: 5", "names longer than name_max (20): 16",
                 "files: 36 created, 0 updated, 0 unchanged, 0 left alone"):
        assert line in out.splitlines(), out
    assert err == ""  # no problem at all: no lost text, no collision, the time zones agree
    topic, _ = front_matter(site / "content/topics/community-police-relations-and-public-trust.md")
    assert topic["aliases"] == ["/taxonomy/term/3485", "/taxonomy/term/3485/feed", "/taxonomy/term/3485/all/feed"]


def test_the_mariadb_dump_imports_into_the_same_files(tmp_path: Path, mariadb: MariaDB) -> None:
    mariadb.sql("CREATE DATABASE IF NOT EXISTS drupal_sample CHARACTER SET utf8mb4")
    mariadb.sql("", "drupal_sample", stdin=FIXTURE / "drupal-mysql.sql")
    from_mysql = empty_site(tmp_path / "mysql")
    code, out, err = import_db(mariadb.url("drupal_sample"), from_mysql)
    assert code == 0, err
    check_round_trip(from_mysql)
    from_sqlite = empty_site(tmp_path / "sqlite")
    assert import_db(DB, from_sqlite)[0] == 0
    assert digest_tree(from_mysql / "content") == digest_tree(from_sqlite / "content")
    assert (from_mysql / RECORD_NAME).read_bytes() == (from_sqlite / RECORD_NAME).read_bytes()


def test_mariadb_sessions_are_read_only(mariadb: MariaDB) -> None:
    mariadb.sql("CREATE DATABASE IF NOT EXISTS scratch; CREATE TABLE IF NOT EXISTS scratch.t (x INT)")
    engine = open_read_only(mariadb.url("scratch"))
    with engine.connect() as connection, pytest.raises(OperationalError, match="READ ONLY"):
        connection.execute(text("INSERT INTO t VALUES (1)"))
    engine.dispose()


def test_sqlite_is_opened_read_only(tmp_path: Path) -> None:
    copy = db_copy(tmp_path)
    engine = open_read_only(f"sqlite:///{copy}")
    with engine.connect() as connection, pytest.raises(OperationalError, match="readonly"):
        connection.execute(text("DELETE FROM node"))
    engine.dispose()


def test_a_second_run_changes_nothing(tmp_path: Path) -> None:
    site = empty_site(tmp_path)
    import_db(DB, site)
    before = {p: p.stat().st_mtime_ns for p in site.rglob("*")}
    code, out, _ = import_db(DB, site)
    assert code == 0 and "files: 0 created, 0 updated, 36 unchanged, 0 left alone" in out
    assert {p: p.stat().st_mtime_ns for p in site.rglob("*")} == before


def test_a_node_changed_in_drupal_updates_its_file_unless_edited_by_hand(tmp_path: Path) -> None:
    site = empty_site(tmp_path)
    import_db(DB, site)
    changed = db_copy(tmp_path, "UPDATE field_data_body SET body_value = 'Rewritten in Drupal.' WHERE entity_id IN (7412, 7476)",
                      "UPDATE node SET changed = changed + 60 WHERE nid IN (7412, 7476)")
    edited = site / "content/submissions/2021/20210322-130519-42.md"
    edited.write_text(edited.read_text().replace("submitted_by:", "# checked by the editor\nsubmitted_by:"))
    editor_file = site / "content/submissions/2021/20210101-90000-01.md"
    editor_file.write_text("an editor's own file\n")
    dry = import_db(changed, site, "--dry-run")
    assert dry[0] == 0 and "would update: content/submissions/2021/20210216-101407-38.md" in dry[1]
    assert "would leave alone: content/submissions/2021/20210322-130519-42.md" in dry[1]
    code, out, err = import_db(changed, site)
    assert code == 0, err
    assert "Rewritten in Drupal." in (site / "content/submissions/2021/20210216-101407-38.md").read_text()
    assert "checked by the editor" in edited.read_text() and "Rewritten" not in edited.read_text()
    assert re.search(r"20210322-130519-42\.md:1: warning: drupal7 node 7476: the file was edited since it was imported; "
                     r"left as it is \(use --force to replace it\)", err)
    assert editor_file.read_text() == "an editor's own file\n"
    forced = import_db(changed, site, "--force")
    assert forced[0] == 0 and "updated: content/submissions/2021/20210322-130519-42.md" in forced[1]
    assert "Rewritten in Drupal." in edited.read_text()
    assert editor_file.exists()


def test_an_edited_node_imports_its_changed_time_as_updated(tmp_path: Path) -> None:
    edited = db_copy(tmp_path, "UPDATE node SET changed = created + 86400 WHERE nid = 8778",  # a day later
                     "UPDATE node SET changed = created - 60 WHERE nid = 7412")  # before created: Drupal's clock, not an edit
    site = empty_site(tmp_path)
    code, _, err = import_db(edited, site)
    assert code == 0, err
    text = (site / "content/submissions/2024/20240910-104107-12.md").read_text()
    assert "date: 2024-09-10 10:41:07\nupdated: 2024-09-11 10:41:07\ntopics: " in text
    assert "updated:" not in (site / "content/submissions/2021/20210216-101407-38.md").read_text()
    assert sum("updated:" in p.read_text() for p in (site / "content/submissions").rglob("*.md")) == 1
    built = run_topicsite("build", site, "-q", "--no-search")
    assert built.returncode == 0, built.stderr
    assert 'Updated <time datetime="2024-09-11T10:41:07-04:00">September 11, 2024</time>' in (
        site / "output/submissions/20240910-104107-12/index.html").read_text()


def test_an_existing_file_the_record_does_not_know_is_left_alone_without_force(tmp_path: Path) -> None:
    site = empty_site(tmp_path)
    mine = site / "content/topics/officer-safety-and-wellness.md"
    mine.parent.mkdir(parents=True)
    mine.write_text("---\ntitle: Officer safety\n---\nWritten by an editor.\n")
    code, out, err = import_db(DB, site)
    assert code == 0 and "Written by an editor." in mine.read_text()
    assert "officer-safety-and-wellness.md:1: warning: drupal7 term 3497: the file exists and was not written by an import" in err
    assert import_db(DB, site, "--force")[0] == 0 and "Written by an editor." not in mine.read_text()


def test_a_deleted_imported_file_stays_deleted_without_force(tmp_path: Path) -> None:
    site = empty_site(tmp_path)
    import_db(DB, site)
    gone = site / "content/submissions/2024/20240910-104107-12.md"
    gone.unlink()
    code, _, err = import_db(DB, site)
    assert code == 0 and not gone.exists() and "was deleted since it was imported" in err
    assert import_db(DB, site, "--force")[0] == 0 and gone.exists()


def test_dry_run_writes_nothing(tmp_path: Path) -> None:
    site = empty_site(tmp_path)
    code, out, _ = import_db(DB, site, "--dry-run")
    assert code == 0 and "would create: content/submissions/2024/20240910-104107-12.md" in out
    assert "files: 36 created, 0 updated, 0 unchanged, 0 left alone (dry run: nothing written)" in out
    assert sorted(p.name for p in site.iterdir()) == ["site.toml"]


def test_unpublished_nodes_are_skipped_or_imported_as_drafts(tmp_path: Path) -> None:
    db = db_copy(tmp_path, "UPDATE node SET status = 0 WHERE nid IN (7412, 8778)", "DELETE FROM taxonomy_index WHERE nid IN (7412, 8778)")
    site = empty_site(tmp_path)
    code, out, _ = import_db(db, site)
    assert code == 0 and "unpublished skipped: 2" in out and "submissions: 29" in out
    assert not (site / "content/submissions/2021/20210216-101407-38.md").exists()
    code, out, _ = import_db(db, site, "--drafts")
    assert code == 0 and "unpublished skipped: 0" in out and "drafts: 2" in out
    meta, _ = front_matter(site / "content/submissions/2021/20210216-101407-38.md")
    assert meta["draft"] is True


def test_sticky_nodes_are_marked(tmp_path: Path) -> None:
    db = db_copy(tmp_path, "UPDATE node SET sticky = 1 WHERE nid = 7412", "UPDATE taxonomy_index SET sticky = 1 WHERE nid = 7412")
    site = empty_site(tmp_path)
    code, out, _ = import_db(db, site)
    assert code == 0 and "sticky: 1" in out
    assert front_matter(site / "content/submissions/2021/20210216-101407-38.md")[0]["sticky"] is True
    assert "sticky" not in front_matter(site / "content/submissions/2021/20210322-130519-42.md")[0]


def test_nodes_created_in_one_second_keep_the_order_drupal_shows(tmp_path: Path) -> None:
    nids = (8373, 8445, 8595)
    same = 1686238998
    db = db_copy(tmp_path, f"UPDATE node SET created = {same}, title = 'Request ' || nid WHERE nid IN {nids}",
                 f"UPDATE taxonomy_index SET created = {same} WHERE nid IN {nids}")
    with sqlite3.connect(db) as connection:
        drupal_order = [nid for (nid,) in connection.execute(
            "SELECT nid FROM taxonomy_index WHERE tid = 3485 ORDER BY sticky DESC, created DESC") if nid in nids]
    site = empty_site(tmp_path)
    code, _, err = import_db(db, site)
    assert code == 0, err
    files = sorted((site / "content/submissions/2023").glob("20230608-114318-*.md"), key=lambda p: p.stem, reverse=True)
    metas = [front_matter(p)[0] for p in files]
    assert [m["title"] for m in metas] == [f"Request {nid}" for nid in drupal_order]
    assert [int(str(m["guid"]).split()[0]) for m in metas] == drupal_order


def test_a_site_timezone_other_than_drupal_is_reported_and_used(tmp_path: Path) -> None:
    site = empty_site(tmp_path, timezone="UTC")
    code, _, err = import_db(DB, site)
    assert code == 0
    assert "site.toml:1: warning: Drupal's date_default_timezone is America/New_York but site.toml says timezone = 'UTC'" in err
    assert front_matter(site / "content/submissions/2024/20240910-104107-12.md")[0]["date"] == datetime(2024, 9, 10, 14, 41, 7)


def test_a_node_without_topics_is_reported_and_the_rest_imported(tmp_path: Path) -> None:
    db = db_copy(tmp_path, "DELETE FROM field_data_field_tta_topics WHERE entity_id = 8778")
    site = empty_site(tmp_path)
    code, out, err = import_db(db, site)
    assert code == 1 and "submissions: 30" in out
    assert "content/submissions/2024/20240910-104107-12.md:1: node 8778 has no term of the vocabulary, so it has no topic: not imported" in err
    assert (site / "content/submissions/2024/20240725-113316-96.md").exists()


def test_a_node_with_a_bad_alias_or_text_is_reported_and_the_rest_imported(tmp_path: Path) -> None:
    db = db_copy(tmp_path, "INSERT INTO url_alias (source, alias, language) VALUES ('node/8778', 'requests/old request.pdf', 'und')",
                 "UPDATE node SET title = 'Budget ' || char(150) || ' 2024' WHERE nid = 7412",
                 "UPDATE field_data_body SET body_value = 'Page one.' || char(12) || 'Page two.' WHERE entity_id = 7476")
    site = empty_site(tmp_path)
    code, out, err = import_db(db, site)
    assert code == 1 and "Traceback" not in err, err
    assert "submissions: 28" in out and "not imported for a bad alias or text: 3" in out
    lines = err.replace(f"{site.as_posix()}/", "").splitlines()
    assert ("content/submissions/2024/20240910-104107-12.md:1: node 8778: alias '/requests/old request.pdf' must be a site path "
            "starting with '/', such as /taxonomy/term/3485, without '..' or spaces; it was not imported (fix it in the source and import again)") in lines
    assert ("content/submissions/2021/20210216-101407-12.md:1: node 7412: title contains the C1 control character U+0096, which web pages "
            "and feeds cannot carry; it is usually the '–' of a Windows-1252 text read with the wrong encoding: replace it with –; "
            "it was not imported (fix it in the source and import again)") in lines
    assert any(line.startswith("content/submissions/2021/20210322-130519-42.md:1: node 7476: the request text contains the control "
                               "character U+000C FORM FEED") for line in lines), lines
    assert not (site / "content/submissions/2024/20240910-104107-12.md").exists()
    assert (site / "content/submissions/2024/20240725-113316-96.md").exists()
    assert run_topicsite("check", site).returncode == 0


def test_an_alias_claimed_twice_stops_the_import(tmp_path: Path) -> None:
    db = db_copy(tmp_path, "INSERT INTO url_alias (source, alias, language) VALUES ('node/7476', 'requests/20210216-101407-38', 'und')")
    site = empty_site(tmp_path)
    code, out, err = import_db(db, site)
    assert code == 1 and "(nothing written)" in out
    assert ("drupal7 node 7476 (content/submissions/2021/20210322-130519-42.md) and drupal7 node 7412 "
            "(content/submissions/2021/20210216-101407-38.md) both want the alias /requests/20210216-101407-38") in err
    assert sorted(p.name for p in site.iterdir()) == ["site.toml"]


def test_a_second_alias_row_is_kept_and_full_html_converted(tmp_path: Path) -> None:
    db = db_copy(tmp_path, "INSERT INTO url_alias (source, alias, language) VALUES ('node/7412', 'old/harlow-request', 'und')",
                 "UPDATE field_data_body SET body_format = 'full_html', body_value = '<h2>Need</h2><p>A <span>table</span>:</p>"
                 "<table><tr><td>cell</td></tr></table>' WHERE entity_id = 7412")
    site = empty_site(tmp_path)
    code, _, err = import_db(db, site)
    meta, body = front_matter(site / "content/submissions/2021/20210216-101407-38.md")
    assert code == 0, err
    assert meta["aliases"] == ["/node/7412", "/requests/20210216-101407-38", "/old/harlow-request"]
    assert body.startswith("## Need\n") and "cell" in body


def test_text_lost_in_conversion_is_reported(tmp_path: Path) -> None:
    db = db_copy(tmp_path, "UPDATE field_data_body SET body_format = 'full_html', "
                           "body_value = '<p>Kept.</p><pre><code>```\nfenced\n```</code></pre>' WHERE entity_id = 7412")
    site = empty_site(tmp_path)
    code, _, err = import_db(db, site)
    assert code == 0
    assert "20210216-101407-38.md:1: warning: node 7412: text changed in the conversion to Markdown: '```' -> (nothing)" in err, err


def test_options_choose_content_type_and_vocabulary(tmp_path: Path) -> None:
    site = empty_site(tmp_path)
    code, out, _ = import_db(DB, site, "--content-type", "tta_request", "--vocabulary", "tta_topics", "--dry-run")
    assert code == 0 and "submissions: 31" in out


@pytest.mark.parametrize(("options", "message"), [
    (("--content-type", "article"), "no nodes of content type 'article': the database has tta_request (31 nodes)"),
    (("--vocabulary", "nope"), "no vocabulary 'nope': the database has tags, tta_topics"),
    (("--vocabulary", "tags"), "content type 'tta_request' has no term reference field to vocabulary 'tags'; it has: tta_topics (field field_tta_topics)"),
])
def test_a_wrong_content_type_or_vocabulary_is_one_line(tmp_path: Path, options: tuple[str, ...], message: str) -> None:
    code, _, err = import_db(DB, empty_site(tmp_path), *options)
    assert code == 1 and message in err and "Traceback" not in err
    assert err.count("\n") == 2  # the problem and the summary


def test_without_guid_base_the_user_is_told_where_to_find_it(tmp_path: Path) -> None:
    result = run_topicsite("import", "drupal7", f"sqlite:///{DB}", "-s", empty_site(tmp_path))
    assert result.returncode == 2 and "Error: Missing option '--guid-base'. open the live portal's /rss.xml" in result.stderr
    assert "Traceback" not in result.stderr and "site.toml:" not in result.stderr  # a usage error, not a place in a file
    wrong = import_db(DB, empty_site(tmp_path / "wrong"), "--guid-base", "8595 at https://www.bjatta.bja.ojp.gov")
    assert wrong[0] == 2 and "Invalid value for '--guid-base': '8595 at https://www.bjatta.bja.ojp.gov' is not what Drupal's feeds show after 'at '" in wrong[2]
    assert [p.name for p in (tmp_path / "wrong/site").iterdir()] == ["site.toml"]  # nothing imported


BAD_URLS: list[tuple[Callable[[Path], str], str]] = [
    (lambda tmp: f"sqlite:///{tmp / 'missing.sqlite'}", "no SQLite database file at"),
    (lambda tmp: f"sqlite:///{sqlite3.connect(tmp / 'empty.sqlite').execute('CREATE TABLE x (y)') and tmp / 'empty.sqlite'}",
     "is not a Drupal 7 database: it has no table node, users"),
    (lambda tmp: f"mysql+pymysql://u:secret@127.0.0.1:{free_port()}/drupal", "cannot read the database: (2003"),
    (lambda tmp: "postgresql://u@localhost/drupal", "postgresql databases are not supported"),
    (lambda tmp: "not a url", "is not a database URL"),
]


@pytest.mark.parametrize(("make_url", "message"), BAD_URLS)
def test_a_bad_database_url_is_one_line(tmp_path: Path, make_url: Callable[[Path], str], message: str) -> None:
    code, _, err = import_db(make_url(tmp_path), empty_site(tmp_path))
    assert code == 1 and message in err and "Traceback" not in err and "secret" not in err


def test_a_wrong_password_is_one_line(tmp_path: Path, mariadb: MariaDB) -> None:
    url = mariadb.url("drupal_sample").replace(mariadb.password, "wrong-password")
    code, _, err = import_db(url, empty_site(tmp_path))
    assert code == 1 and "cannot read the database: (1045, \"Access denied" in err and "wrong-password" not in err


def test_the_imported_site_builds_and_keeps_every_old_address(tmp_path: Path) -> None:
    site = empty_site(tmp_path)
    shutil.copyfile(REPO / "site.toml", site / "site.toml")
    assert import_db(DB, site)[0] == 0
    built = run_topicsite("build", site, "--no-search", "-q")
    assert built.returncode == 0, built.stderr
    checked = run_topicsite("cutover-check", FIXTURE / "captured", site)
    assert checked.returncode == 0 and "no problems" in checked.stdout, checked.stdout + checked.stderr


def test_a_damaged_record_stops_the_import(tmp_path: Path) -> None:
    site = empty_site(tmp_path)
    (site / RECORD_NAME).write_text('{"version": 1, "files": {"content/x.md": {}}}')
    code, _, err = import_db(DB, site)
    assert code == 1 and "import-record.json:1: the import record is damaged (the entry of 'content/x.md' has no sha256)" in err
    assert not (site / "content").exists()


@pytest.mark.parametrize("record", ['{"version": 1, "files": {"content/x.md": {"sha256": "ab", "changed": null}}}', None])
def test_a_record_that_cannot_be_read_stops_the_import(tmp_path: Path, record: str | None) -> None:
    site = empty_site(tmp_path)
    if record is None:
        (site / RECORD_NAME).mkdir()
    else:
        (site / RECORD_NAME).write_text(record)
    code, _, err = import_db(DB, site)
    assert code == 1 and "Traceback" not in err and f"{RECORD_NAME}:1: " in err, err
    assert not (site / "content").exists()


def test_a_damaged_drupal_variable_is_one_error(tmp_path: Path) -> None:
    copy = db_copy(tmp_path, "UPDATE variable SET value = CAST('s:99:\"cut' AS BLOB) WHERE name = 'date_default_timezone'")
    code, _, err = import_db(copy, empty_site(tmp_path))
    assert code == 1 and "Traceback" not in err, err
    assert "the variable 'date_default_timezone' is not a PHP-serialized value" in err
