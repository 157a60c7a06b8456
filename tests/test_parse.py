"""What the pure parsers give for valid text: strings in, frozen records out (errors are in test_errors.py)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from generator.content.config import FooterLink, parse_config
from generator.content.frontmatter import parse_document
from generator.content.parse import parse_submission, parse_topic
from generator.errors import SiteError

ZONE = ZoneInfo("America/New_York")


def test_parse_document_splits_front_matter_and_body_with_lines() -> None:
    doc = parse_document(Path("x.md"), "---\ntitle: T\ntopics:\n  - a\n  - b\n---\n\n\nBody line.\n\nMore.\n\n")
    assert doc.meta == {"title": "T", "topics": ["a", "b"]}
    assert doc.key_lines == {"title": 2, "topics": 3}
    assert (doc.body, doc.body_line) == ("Body line.\n\nMore.", 7)
    assert doc.line_of("title") == 2 and doc.line_of("absent") == 1


def test_parse_document_keeps_dates_as_written() -> None:
    """YAML's timestamps stay text, so a date is read once, by the submission's rules, in the site's time zone."""
    assert parse_document(Path("x.md"), "---\ndate: 2023-03-31 08:23:32\n---\nx\n").meta == {"date": "2023-03-31 08:23:32"}


def test_parse_submission_gives_a_frozen_record() -> None:
    text = ("---\nsubmitted_by: Ben Rodger\ndate: 2023-03-31 08:23:32\ntopics: [b-topic, a-topic]\ntitle: Training\n"
            "sticky: true\naliases: [/node/12]\nextra: {office: BJA}\n---\nWe request training.\n")
    source = parse_submission(Path("content/submissions/2023/20230331-82332-92.md"), text, ZONE, {"a-topic", "b-topic"})
    assert (source.id, source.title, source.submitted_by) == ("20230331-82332-92", "Training", "Ben Rodger")
    assert source.date == datetime(2023, 3, 31, 8, 23, 32, tzinfo=ZONE)
    assert source.topic_slugs == ("b-topic", "a-topic")
    assert (source.draft, source.sticky, source.guid) == (False, True, None)
    assert source.aliases == (("/node/12", 7),)
    assert dict(source.extra) == {"office": "BJA"}
    assert (source.body, source.body_line, source.line_of("topics"), source.line_of("id")) == ("We request training.", 10, 4, 1)


def test_parse_submission_takes_its_id_and_title_from_front_matter_or_file_name() -> None:
    text = "---\nid: req-7\nsubmitted_by: A\ndate: 2023-01-01\ntopics: t\n---\nx\n"
    source = parse_submission(Path("any-name.md"), text, ZONE)
    assert (source.id, source.title, source.line_of("id"), source.topic_slugs) == ("req-7", "req-7", 2, ("t",))


def test_parse_topic_gives_a_frozen_record() -> None:
    topic = parse_topic(Path("content/topics/community-policing.md"), "---\ntitle: Community policing\naliases: [/taxonomy/term/1]\n---\nAbout it.\n")
    assert (topic.slug, topic.title, topic.aliases) == ("community-policing", "Community policing", (("/taxonomy/term/1", 3),))
    assert (topic.description, topic.body_line) == ("About it.", 5)


def test_parse_config_fills_defaults_and_reads_every_setting() -> None:
    minimal = parse_config(Path("site.toml"), 'title = "T"\nbase_url = "https://example.gov/tta/"\n')
    assert (minimal.timezone, minimal.per_page, minimal.language, minimal.base_path, minimal.origin) == ("UTC", 10, "en", "/tta/", "https://example.gov")
    full = parse_config(Path("site.toml"), 'title = "T"\nbase_url = "https://example.gov/"\nper_page = 3\n'
                        'notice = "Read *this*."\nfooter_links = [{text = "Privacy", url = "/privacy/"}]\n')
    assert (full.per_page, full.notice, full.notice_line) == (3, "Read *this*.", 4)
    assert full.footer_links == (FooterLink("Privacy", "/privacy/"),)


@pytest.mark.parametrize(("front_matter", "known", "message"), [
    ("submitted_by: Ben\ndate: 2023-01-01\ntopics: officer-safety, community", {"officer-safety", "community"},
     "x.md:4: topics 'officer-safety, community' is one piece of text, not a list: put a list in brackets, such as "
     "'topics: [a-topic, another-topic]', or write one topic per '- ' line below 'topics:'"),
    ("submitted_by: Ben\ndate: 2023-01-01", {"officer-safety", "community"},
     "x.md:1: missing required field 'topics': add a line such as 'topics: [community]'"),
    ("submitted_by: Ben\n\tdate: 2023-01-01\ntopics: [community]", {"community"},
     "x.md:3: YAML syntax error: a tab in the indentation; YAML indents with spaces, not tabs: replace the tab with spaces"),
    ("submitted_by: Ben\ntopics: [community, officer-safety\ndate: 2023-01-01", {"community"},
     "x.md:3: YAML syntax error: the list opened with '[' on line 3 is never closed: end it with ']' on the same line, "
     "and separate its items with ', '"),
])
def test_messages_say_how_to_fix_the_common_slips(front_matter: str, known: set[str], message: str) -> None:
    with pytest.raises(SiteError) as raised:
        parse_submission(Path("x.md"), f"---\n{front_matter}\n---\nBody.\n", ZoneInfo("UTC"), known)
    assert [p.format() for p in raised.value.problems] == [message]


@pytest.mark.parametrize(("written", "expected"), [
    (None, None),
    ("2023-04-02", datetime(2023, 4, 2, tzinfo=ZONE)),
    ("2023-04-02 09:15:00", datetime(2023, 4, 2, 9, 15, tzinfo=ZONE)),
    ("2023-04-02T13:15:00Z", datetime.fromisoformat("2023-04-02T13:15:00+00:00")),
    ("2023-03-31 08:23:32", datetime(2023, 3, 31, 8, 23, 32, tzinfo=ZONE)),  # equal to date: allowed
])
def test_updated_is_optional_and_read_as_date_is(written: str | None, expected: datetime | None) -> None:
    line = f"updated: {written}\n" if written else ""
    text = f"---\nsubmitted_by: A\ndate: 2023-03-31 08:23:32\n{line}topics: t\n---\nx\n"
    source = parse_submission(Path("a.md"), text, ZONE)
    assert source.updated == expected
    assert source.line_of("updated") == (4 if written else 1)
