"""topicsite import drupal7: the real Drupal 7 fixture (SQLite and MariaDB) back into the sample content, and every option."""

from __future__ import annotations

import hashlib
import re
import shutil
import sqlite3
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from conftest import REPO, run_topicsite
from generator.content import parse_date
from generator.importers.bodies import autop, lost_text, render_format, strip_tags, to_markdown, visible_text
from generator.importers.convert import choose_ids
from generator.importers.documents import local_date
from generator.importers.drupal7 import Node, open_read_only
from generator.importers.record import RECORD_NAME
from generator.markup import render_markdown
from mariadb import MariaDB, free_port, mariadb  # noqa: F401 (the fixture)

FIXTURE = Path("/work/shared/drupal7") if Path("/work/shared/drupal7").is_dir() else REPO.parent / "shared/drupal7"
DB = FIXTURE / "drupal.sqlite"
GUID_BASE = "https://www.bjatta.bja.ojp.gov"
NEW_YORK = ZoneInfo("America/New_York")
# The portal cut these two names; Drupal holds them whole (see the fixture's README).
TRUNCATED = {"Mr. Jeffery Evangelista": "Mr. Jeffery Ev…", "Mr. Matthew R Sullivan": "Mr. Matthew R …"}
FILTERED_HTML = (("filter_url", ""), ("filter_html", "<a> <em> <strong> <cite> <blockquote> <code> <ul> <ol> <li> <dl> <dt> <dd>"),
                 ("filter_autop", ""), ("filter_htmlcorrector", ""))

pytestmark = pytest.mark.skipif(not DB.is_file(), reason=f"the Drupal 7 fixture is not at {FIXTURE}")


def front_matter(path: Path) -> tuple[dict[str, object], str]:
    head, _, body = path.read_text(encoding="utf-8").removeprefix("---\n").partition("\n---\n")
    return yaml.safe_load(head), body


def empty_site(tmp_path: Path, timezone: str = "America/New_York") -> Path:
    site = tmp_path / "site"
    site.mkdir()
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
    assert to_markdown(shown) == "<b>not bold</b>\n\nsecond\n" or "not bold" in visible_text(render_markdown(to_markdown(shown), "/"))
    assert lost_text(shown, to_markdown(shown)) == []


def test_markdown_keeps_lists_emphasis_and_links() -> None:
    html = '<p>We <em>need</em> <strong>help</strong> at <a href="https://x.gov/">the site</a>:</p>\n<ol>\n<li>one;</li>\n<li>two.</li>\n</ol>\n'
    assert to_markdown(html) == "We *need* **help** at [the site](https://x.gov/):\n\n1. one;\n2. two.\n"


def test_lost_text_names_each_difference() -> None:
    assert lost_text("<p>one two three</p>", "one three\n") == ["'two' -> (nothing)"]
    assert lost_text("<p>a b</p>", "a c\n") == ["'b' -> 'c'"]
    assert lost_text("<p>a *b* c</p>", to_markdown("<p>a *b* c</p>")) == []


def test_an_ambiguous_local_time_keeps_its_offset() -> None:
    second_one_thirty = datetime.fromisoformat("2021-11-07T06:30:00+00:00")  # 01:30 EST, after the clocks went back
    assert local_date(second_one_thirty, NEW_YORK) == "2021-11-07 01:30:00-05:00"
    assert parse_date(local_date(second_one_thirty, NEW_YORK), NEW_YORK) == second_one_thirty
    assert local_date(datetime.fromisoformat("2021-11-07T05:30:00+00:00"), NEW_YORK) == "2021-11-07 01:30:00"


def node(nid: int, title: str, created: int = 1686238998) -> Node:
    return Node(nid, title, "A", True, False, created, created, "<p>x</p>", "filtered_html", (1,), ())


def test_made_ids_of_nodes_created_in_one_second_follow_drupal_order(tmp_path: Path) -> None:
    from generator.config import Config

    config = Config(path=tmp_path / "site.toml", title="t", base_url="https://x.gov/", timezone="America/New_York")
    nodes = [node(101, "First"), node(150, "Second"), node(199, "Third")]
    problems: list[object] = []
    for drupal_order in [(150, 101, 199), (199, 150, 101), (101, 199, 150)]:
        ids = choose_ids(nodes, [drupal_order], config, tmp_path, problems)  # type: ignore[arg-type]
        assert sorted(ids, key=lambda nid: ids[nid], reverse=True) == list(drupal_order)
        assert all(re.fullmatch(r"20230608-114318-\d\d", i) for i in ids.values())
    assert problems == []


def test_titled_ids_that_contradict_drupal_order_are_reported(tmp_path: Path) -> None:
    from generator.config import Config
    from generator.errors import Problem

    config = Config(path=tmp_path / "site.toml", title="t", base_url="https://x.gov/", timezone="America/New_York")
    nodes = [node(1, "20230608-114318-10"), node(2, "20230608-114318-20")]
    problems: list[Problem] = []
    assert choose_ids(nodes, [(1, 2)], config, tmp_path, problems) == {1: "20230608-114318-10", 2: "20230608-114318-20"}
    assert len(problems) == 1 and "nodes 1, 2 were created in the same second" in problems[0].message
    assert problems[0].severity == "warning"
