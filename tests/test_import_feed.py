"""topicsite import feed: RSS 2.0 and Atom into submissions that keep their GUIDs, and the cross-check of a DB import."""

from __future__ import annotations

import functools
import http.server
import shutil
import threading
from collections.abc import Iterator
from typing import Any
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from conftest import run_topicsite
from generator.errors import SiteError
from generator.redirects.feed import drupal_body, parse_feed
from test_import_drupal7 import DB, FIXTURE, GUID_BASE, digest_tree, empty_site, front_matter, import_db

CAPTURED = FIXTURE / "captured"
FEEDS = [CAPTURED / "rss.xml", *sorted(CAPTURED.glob("taxonomy/term/*/feed.xml"))]

pytestmark = pytest.mark.skipif(not DB.is_file(), reason=f"the Drupal 7 fixture is not at {FIXTURE}")

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>Another portal</title>
  <id>urn:example:feed</id>
  <updated>2024-03-01T12:00:00Z</updated>
  <entry>
    <id>urn:example:request:1</id>
    <title>Help with body-worn cameras</title>
    <link rel="alternate" href="https://old.example.gov/requests/bwc-help"/>
    <published>2024-03-01T12:00:05Z</published>
    <updated>2024-03-02T08:00:00Z</updated>
    <author><name>Chief Ana Example</name></author>
    <category term="technology" label="Technology"/>
    <category term="drones"/>
    <content type="html">&lt;p&gt;We need a &lt;em&gt;policy&lt;/em&gt; for cameras.&lt;/p&gt;</content>
  </entry>
  <entry>
    <id>urn:example:request:2</id>
    <title>20240215-93000-07</title>
    <updated>2024-02-15T09:30:00-05:00</updated>
    <author><name>Officer B</name></author>
    <category term="Community policing"/>
    <content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><p>Listening <strong>sessions</strong>.</p></div></content>
  </entry>
  <entry>
    <id>urn:example:request:3</id>
    <title>No topic here</title>
    <updated>2024-01-01T00:00:00Z</updated>
    <author><name>C</name></author>
    <summary>Plain text.</summary>
  </entry>
</feed>
"""
TOPICS = {"content/topics/technology.md": "---\ntitle: Technology\n---\n",
          "content/topics/community-policing.md": "---\ntitle: Community policing\n---\n"}


def import_feed(source: Path | str, site: Path, *options: str) -> tuple[int, str, str]:
    result = run_topicsite("import", "feed", source, "-s", site, *options)
    return result.returncode, result.stdout, result.stderr


def atom_site(tmp_path: Path, atom: str = ATOM) -> tuple[Path, Path]:
    """A site with the TOPICS files but no submissions, and an Atom feed file of the given text."""
    site = empty_site(tmp_path)
    for name, text in TOPICS.items():
        (site / name).parent.mkdir(parents=True, exist_ok=True)
        (site / name).write_text(text)
    feed = tmp_path / "atom.xml"
    feed.write_text(atom)
    return site, feed


def topics_only(tmp_path: Path) -> Path:
    """A site with the fixture's topics (from a DB import) but no submissions."""
    site = empty_site(tmp_path / "feed")
    full = empty_site(tmp_path / "db")
    import_db(DB, full)
    shutil.copytree(full / "content/topics", site / "content/topics")
    return site


def test_rss_items_keep_guid_date_author_and_topics() -> None:
    items = parse_feed(CAPTURED / "rss.xml", (CAPTURED / "rss.xml").read_bytes())
    first = items[0]
    assert len(items) == 10 and first.guid == f"8778 at {GUID_BASE}" and first.title == "20240910-104107-12"
    assert first.date == datetime(2024, 9, 10, 14, 41, 7, tzinfo=timezone.utc)
    assert first.author == "Sgt. Maria Ostrowski-Lane" and first.topics == ("Officer safety and wellness",)
    assert first.body_html.startswith("<p>Most of our officers") and "Topics:" not in first.body_html


def test_drupal_body_strips_the_topics_field_and_other_html_passes() -> None:
    node = ('<div class="field field-name-body"><div class="field-items"><div class="field-item even"><p>Body.</p></div></div></div>'
            '<div class="field field-type-taxonomy-term-reference"><h3 class="field-label">Topics: </h3>'
            '<ul class="links"><li><a href="/topics/a">A topic</a></li></ul></div>')
    assert drupal_body(node) == ("<p>Body.</p>", ("A topic",))
    assert drupal_body("<p>Other system.</p>") == ("<p>Other system.</p>", ())


def test_atom_entries() -> None:
    items = parse_feed(Path("a.xml"), ATOM.encode())
    assert [i.guid for i in items] == ["urn:example:request:1", "urn:example:request:2", "urn:example:request:3"]
    assert items[0].date == datetime(2024, 3, 1, 12, 0, 5, tzinfo=timezone.utc) and items[0].topics == ("Technology", "drones")
    assert items[0].link == "https://old.example.gov/requests/bwc-help" and items[0].author == "Chief Ana Example"
    assert items[1].date == datetime(2024, 2, 15, 9, 30, tzinfo=timezone(timedelta(hours=-5)))
    # <updated> later than <published> is the last edit; alone, it is the date
    assert (items[0].updated, items[1].updated) == (datetime(2024, 3, 2, 8, tzinfo=timezone.utc), None)
    assert items[1].body_html == "<p>Listening <strong>sessions</strong>.</p>" and items[2].body_html == "<p>Plain text.</p>"


@pytest.mark.parametrize(("data", "message"), [
    (b"<rss><channel><item>", "a.xml:1: is not well-formed XML"),
    (b"<html><body/></html>", "a.xml:1: is neither RSS 2.0 nor Atom (its root element is <html>)"),
])
def test_not_a_feed(data: bytes, message: str) -> None:
    with pytest.raises(SiteError) as caught:
        parse_feed(Path("a.xml"), data)
    assert caught.value.problems[0].format().startswith(message)


def test_every_captured_feed_agrees_with_the_database_import(tmp_path: Path) -> None:
    site = empty_site(tmp_path)
    import_db(DB, site)
    before = digest_tree(site)
    for feed in FEEDS:
        code, out, err = import_feed(feed, site)
        assert code == 0 and err == "", (feed, err)
        assert "differences: 0" in out and "files: 0 created, 0 updated, 0 unchanged, 0 left alone" in out
    assert digest_tree(site) == before


def test_a_difference_from_the_feed_is_reported_and_nothing_written(tmp_path: Path) -> None:
    site = empty_site(tmp_path)
    import_db(DB, site)
    edited = site / "content/submissions/2024/20240910-104107-12.md"
    edited.write_text(edited.read_text().replace("Maria Ostrowski-Lane", "M. Ostrowski").replace("fatigue,", "tiredness,"))
    before = digest_tree(site)
    code, out, err = import_feed(CAPTURED / "rss.xml", site)
    assert code == 1 and "differences: 2" in out
    assert f"rss.xml:8: differs from {edited.as_posix()} (guid '8778 at {GUID_BASE}'): author 'Sgt. Maria Ostrowski-Lane' in the feed, 'Sgt. M. Ostrowski' in the file" in err
    assert "text 'fatigue,' -> 'tiredness,'" in err
    assert digest_tree(site) == before


def test_a_bad_date_in_an_existing_submission_is_an_error_at_its_line(tmp_path: Path) -> None:
    site = empty_site(tmp_path)
    import_db(DB, site)
    edited = site / "content/submissions/2024/20240910-104107-12.md"
    edited.write_text(edited.read_text().replace("date: 2024-09-10 10:41:07", "date: yesterday"))
    code, _, err = import_feed(CAPTURED / "rss.xml", site)
    assert code == 1 and "Traceback" not in err, err
    assert f"{edited.relative_to(site).as_posix()}:3: date 'yesterday' is not a valid date" in err.replace(f"{site.as_posix()}/", "")


def test_a_feed_alone_makes_the_same_files_as_the_database(tmp_path: Path) -> None:
    site = topics_only(tmp_path)
    code, out, err = import_feed(CAPTURED / "rss.xml", site)
    assert code == 0 and err == "" and "submissions: 10" in out
    for made in (site / "content/submissions").rglob("*.md"):
        assert made.read_bytes() == (tmp_path / "db/site" / made.relative_to(site)).read_bytes()
    code, out, _ = import_feed(CAPTURED / "rss.xml", site)  # a second run: the files are the feed's own, unchanged
    assert code == 0 and "files: 0 created, 0 updated, 10 unchanged, 0 left alone" in out


def test_feed_written_files_follow_the_record_rules(tmp_path: Path) -> None:
    site = topics_only(tmp_path)
    import_feed(CAPTURED / "rss.xml", site)
    edited = site / "content/submissions/2024/20240910-104107-12.md"
    edited.write_text(edited.read_text() + "\nAn editor's note.\n")
    code, out, err = import_feed(CAPTURED / "rss.xml", site, "--dry-run")
    assert code == 0 and "would leave alone: content/submissions/2024/20240910-104107-12.md" in out
    assert "the file was edited since it was imported" in err
    assert import_feed(CAPTURED / "rss.xml", site)[0] == 0 and "An editor's note." in edited.read_text()
    code, out, _ = import_feed(CAPTURED / "rss.xml", site, "--force")
    assert code == 0 and "updated: content/submissions/2024/20240910-104107-12.md" in out
    assert "An editor's note." not in edited.read_text()


@pytest.fixture
def served(tmp_path: Path) -> Iterator[str]:
    """The captured folder over HTTP on 127.0.0.1."""
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(CAPTURED))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_a_feed_url(tmp_path: Path, served: str) -> None:
    site = topics_only(tmp_path)
    code, out, err = import_feed(f"{served}/taxonomy/term/3497/feed.xml", site, "--dry-run")
    assert code == 0 and err == "" and "submissions: 6" in out and "(dry run: nothing written)" in out
    assert not (site / "content/submissions").exists()
    code, _, err = import_feed(f"{served}/no/such/feed", site)
    assert code == 1 and f"cannot fetch the feed {served}/no/such/feed: HTTP 404" in err and "Traceback" not in err


def test_an_atom_feed_of_another_system(tmp_path: Path) -> None:
    site, feed = atom_site(tmp_path)
    code, out, err = import_feed(feed, site)
    assert code == 1 and "submissions: 2" in out  # the third entry has no topic: an error, the others are written
    assert "atom.xml:25: item 'urn:example:request:3' has no category that matches a topic: not imported" in err
    assert "atom.xml:6: warning: item 'urn:example:request:1': category 'drones' matches no topic by title or slug" in err
    made = sorted((site / "content/submissions/2024").glob("*.md"))
    assert [p.name.split("-")[0] for p in made] == ["20240215", "20240301"]
    meta, body = front_matter(made[1])
    assert made[1].stem.startswith("20240301-70005-")  # 12:00:05 UTC is 07:00:05 in New York
    assert meta == {"title": "Help with body-worn cameras", "submitted_by": "Chief Ana Example", "date": datetime(2024, 3, 1, 7, 0, 5),
                    "updated": datetime(2024, 3, 2, 3, 0), "topics": ["technology"], "guid": "urn:example:request:1", "aliases": ["/requests/bwc-help"]}
    assert body == "We need a *policy* for cameras.\n"
    meta, _ = front_matter(made[0])
    assert made[0].stem == "20240215-93000-07" and meta["topics"] == ["community-policing"] and "title" not in meta
    again = import_feed(feed, site)
    assert "files: 0 created, 0 updated, 2 unchanged, 0 left alone" in again[1]


def test_a_missing_feed_file(tmp_path: Path) -> None:
    code, _, err = import_feed(tmp_path / "nope.xml", empty_site(tmp_path))
    assert code == 1 and "nope.xml:1: cannot read the feed: No such file or directory" in err


def test_one_guid_twice_in_a_feed_stops_the_import(tmp_path: Path) -> None:
    site = topics_only(tmp_path)
    rss = (CAPTURED / "rss.xml").read_text()
    first_item = rss[rss.index("<item>"):rss.index("</item>") + len("</item>")]
    twice = tmp_path / "twice.xml"
    twice.write_text(rss.replace(first_item, first_item + first_item.replace("20240910-104107-12</title>", "Copy</title>"), 1))
    code, out, err = import_feed(twice, site)
    assert code == 1 and "(nothing written)" in out
    assert f"both want the guid 8778 at {GUID_BASE}" in err
    assert not (site / "content/submissions").exists()


def test_the_import_record_is_read_once_a_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from generator.importers.feed_command import import_feed as run_import
    from generator.importers.record import RECORD_NAME
    site, feed = atom_site(tmp_path)
    run_import(str(feed), site, dry_run=False, force=False)
    reads = []
    opened = Path.open  # read_bytes and read_text open through it

    def counted(self: Path, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        reads.extend([self.name] if self.name == RECORD_NAME and "r" in mode else [])
        return opened(self, mode, *args, **kwargs)
    monkeypatch.setattr(Path, "open", counted)
    report = run_import(str(feed), site, dry_run=False, force=False)
    assert report.outcome.count("unchanged") == 2 and reads == [RECORD_NAME]


def test_an_item_with_a_bad_alias_is_reported_at_its_line_and_the_rest_imported(tmp_path: Path) -> None:
    site, feed = atom_site(tmp_path, ATOM.replace("/requests/bwc-help", "/requests/bwc help"))
    code, out, err = import_feed(feed, site)
    assert code == 1 and "Traceback" not in err, err
    assert "submissions: 1" in out and "not imported for a bad alias or text: 1" in out
    assert ("atom.xml:6: item 'urn:example:request:1': alias '/requests/bwc help' must be a site path starting with '/', such as "
            "/taxonomy/term/3485, without '..' or spaces; it was not imported (fix it in the source and import again)") in err
    assert [p.name for p in (site / "content/submissions/2024").glob("*.md")] == ["20240215-93000-07.md"]
