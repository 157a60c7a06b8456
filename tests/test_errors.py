"""One exact `path:line: message` per kind of bad input, from the pure parsers on inline strings (the hostile
corpus in test_hostile*.py holds the variants); every problem reported in one run, through the command line."""

from __future__ import annotations

import pytest

from conftest import MakeSite, errors_of, load_errors, parse_errors, submission
from generator.errors import SiteError
from generator.site.load import load

SUB = "content/submissions/2023/x.md"


CASES = {
    "not utf-8": (b"---\nsubmitted_by: Ren\xe9e\n", "2: is not UTF-8 text (byte 0xe9 cannot be read); save the file as UTF-8"),
    "no front matter": ("Just text\n", "1: has no front matter: the file must start with a line '---', then YAML fields, then a line '---'"),
    "unclosed front matter": ("---\nsubmitted_by: x\n", "1: front matter is never closed: add a line '---' after the YAML fields"),
    "yaml syntax": ("---\nsubmitted_by: x\ntopics: [a\ndate: 2023-01-01\n---\nbody\n", "3: YAML syntax error: the list opened with '[' on line 3 is never closed: end it with ']' on the same line, and separate its items with ', '"),
    "not a mapping": ("---\n- a\n- b\n---\nbody\n", "2: front matter must be YAML fields (key: value), not a single value or list"),
    "missing field": ("---\ndate: 2023-01-01\ntopics: [community-policing]\n---\nbody\n", "1: missing required field 'submitted_by': add a line 'submitted_by: ...' to the front matter"),
    "octal id": ("---\nid: 012345\nsubmitted_by: x\ndate: 2023-01-01\ntopics: [community-policing]\n---\nbody\n", "2: id must be text, but YAML reads '012345' as the number 5349; put it in quotes: id: \"012345\""),
    "boolean title": ("---\ntitle: yes\nsubmitted_by: x\ndate: 2023-01-01\ntopics: [community-policing]\n---\nbody\n", "2: title must be text, but YAML reads 'yes' as true; put it in quotes: title: \"yes\""),
    "impossible date": (submission(date="2023-02-30"), "3: date '2023-02-30' is not a valid date (day is out of range for month); write it as YYYY-MM-DD or YYYY-MM-DD HH:MM:SS, optionally with a UTC offset such as -05:00"),
    "unknown topic": (submission(topics="community-polcing"), "4: unknown topic 'community-polcing'; did you mean 'community-policing'? To add a topic, run: topicsite new-topic \"TITLE\""),
    "invalid id": ("---\nid: a/b\nsubmitted_by: x\ndate: 2023-01-01\ntopics: [community-policing]\n---\nbody\n", "2: id 'a/b' may only contain letters, digits, '.', '_' and '-', and must not start with '.'; rename it (for example 20230907-125328-94)"),
    "unknown key": ("---\nsubmited_by: x\nsubmitted_by: x\ndate: 2023-01-01\ntopics: [community-policing]\n---\nbody\n", "2: unknown field 'submited_by'; did you mean 'submitted_by'?"),
    "empty body": (submission(body=""), "6: the request text is empty: write it below the closing '---'"),
    "control character": (submission(name="Ben\x07 Rodger"), "2: contains the control character U+0007 ALERT, which web pages and feeds cannot carry; delete it (retype the text if you cannot see it)"),
    "escaped control character": (submission(name='"Ben\\a Rodger"'), "2: submitted_by contains the control character U+0007 ALERT, which web pages and feeds cannot carry; delete it (retype the text if you cannot see it)"),
    "direction override": (submission(name='"Ben \\u202e Rodger"'), "2: submitted_by contains the invisible control character U+202E; delete it (retype the text if you cannot see it)"),
    "duplicate key": ("---\nsubmitted_by: a\nsubmitted_by: b\n---\nbody\n", "3: duplicate key 'submitted_by' (first set on line 2); keep only one"),
    "updated before date": ("---\nsubmitted_by: x\ndate: 2023-09-07 12:53:28\nupdated: 2023-09-07\ntopics: [community-policing]\n---\nbody\n",
                            "4: updated '2023-09-07' is before date '2023-09-07 12:53:28': an edit comes after the submission; give the date "
                            "and time of the last edit (on the same day, with its time), or remove the line"),
    "impossible updated": ("---\nsubmitted_by: x\ndate: 2023-01-01\nupdated: 2023-02-30\ntopics: [community-policing]\n---\nbody\n",
                           "4: updated '2023-02-30' is not a valid date (day is out of range for month); write it as YYYY-MM-DD or "
                           "YYYY-MM-DD HH:MM:SS, optionally with a UTC offset such as -05:00"),
    "updated offset with seconds": ("---\nsubmitted_by: x\ndate: 2023-01-01\nupdated: 2023-02-03T10:00:00+05:30:15\ntopics: [community-policing]\n---\nbody\n",
                                    "4: updated '2023-02-03T10:00:00+05:30:15' has a UTC offset with seconds, which RSS and Atom cannot carry; "
                                    "give the offset in hours and minutes only, such as +05:30"),
    "escaped control character in updated": ("---\nsubmitted_by: x\ndate: 2023-01-01\nupdated: \"2023-02-03\\a\"\ntopics: [community-policing]\n---\nbody\n",
                                             "4: updated contains the control character U+0007 ALERT, which web pages and feeds cannot carry; "
                                             "delete it (retype the text if you cannot see it)"),
    "escaped form feed in date": (submission(date='"2023-02-03\\f"'), "3: date contains the control character U+000C FORM FEED, which web pages "
                                  "and feeds cannot carry; a form feed is a page break pasted from a word processor: delete it (to remove them "
                                  "all, find the regular expression \\f and replace it with nothing)"),
    "draft not a flag": ("---\nsubmitted_by: x\ndate: 2023-01-01\ntopics: [community-policing]\ndraft: maybe\n---\nbody\n", "5: draft must be true or false, not 'maybe'"),
}


@pytest.mark.parametrize("text, expected", CASES.values(), ids=CASES.keys())
def test_bad_submission_gets_exact_message(text: str | bytes, expected: str) -> None:
    assert parse_errors(SUB, text) == [f"{SUB}:{expected}"]


# Duplicate ids (each at its id line) are in test_hostile_text.py's family 9.
def test_ids_differing_only_in_case_collide(make_site: MakeSite) -> None:
    site = make_site({"content/submissions/a/Abc.md": submission(), "content/submissions/b/abc.md": submission()})
    assert load_errors(site) == ["content/submissions/a/Abc.md:1: id 'Abc' differs from 'abc' in content/submissions/b/abc.md:1 "
                               "only by case, so both would be written to the same folder on case-insensitive disks; rename one",
                               "content/submissions/b/abc.md:1: id 'abc' differs from 'Abc' in content/submissions/a/Abc.md:1 "
                               "only by case, so both would be written to the same folder on case-insensitive disks; rename one"]


def test_every_problem_in_one_run_sorted(make_site: MakeSite) -> None:
    site = make_site({
        "site.toml": 'title = "T"\nbase_url = "https://example.gov/"\ncolour = "red"\n',
        "content/submissions/b.md": submission(date="2023-13-01"),
        "content/submissions/a.md": "---\nsubmitted_by: [x]\ndate: 2023-01-01\ntopics: nope\n---\n\n",
    })
    assert errors_of(site) == [
        "content/submissions/a.md:2: submitted_by must be text, not a list ['x']",
        "content/submissions/a.md:4: unknown topic 'nope'; the site's topics are: community-policing. To add a topic, run: topicsite new-topic \"TITLE\"",
        "content/submissions/a.md:6: the request text is empty: write it below the closing '---'",
        "content/submissions/b.md:3: date '2023-13-01' is not a valid date (month must be in 1..12); write it as YYYY-MM-DD or YYYY-MM-DD HH:MM:SS, optionally with a UTC offset such as -05:00",
        "site.toml:3: unknown setting 'colour'; expected one of: agency, agency_url, base_url, contact_email, feed_item_title, feed_items, feed_names, footer_links, language, name_max, notice, per_page, timezone, title",
    ]


CONFIG_CASES = {
    "toml syntax": ('title = "T"\nbase_url = https://x\n', "site.toml:2: TOML syntax error: Invalid value"),
    "missing base_url": ('title = "T"\n', "site.toml:1: missing required setting 'base_url': add a line such as base_url = \"https://example.gov/\""),
    "relative base_url": ('title = "T"\nbase_url = "/tta/"\n', "site.toml:2: base_url must be an absolute http(s) URL such as \"https://example.gov/tta/\", not '/tta/'"),
    "bad timezone": ('title = "T"\nbase_url = "https://e.gov/"\ntimezone = "Mars/Olympus"\n', "site.toml:3: timezone 'Mars/Olympus' is not an IANA time zone name; use one such as \"America/New_York\" or \"UTC\""),
    "wrong type": ('title = "T"\nbase_url = "https://e.gov/"\nper_page = "ten"\n', "site.toml:3: per_page must be a whole number of at least 1, not 'ten'"),
    "unknown feed_item_title": ('title = "T"\nbase_url = "https://e.gov/"\nfeed_item_title = "id"\n',
                                "site.toml:3: feed_item_title must be \"title\" (the submission's title, its id unless the front matter gives one), "
                                "\"title-topic\" (the title, then the feed's topic, or in the site's feeds the item's first topic) "
                                "or \"text\" (the start of the text), not 'id'"),
    "zero per_page": ('title = "T"\nbase_url = "https://e.gov/"\nper_page = 0\n', "site.toml:3: per_page must be at least 1, not 0"),
}


@pytest.mark.parametrize("text, expected", CONFIG_CASES.values(), ids=CONFIG_CASES.keys())
def test_bad_config_gets_exact_message(text: str, expected: str) -> None:
    assert parse_errors("site.toml", text) == [expected]


TOPIC_CASES = {
    "missing title": ("content/topics/x.md", "---\naliases: [/a]\n---\n", "content/topics/x.md:1: missing required field 'title': add a line 'title: ...' to the front matter"),
    "bad slug": ("content/topics/Bad Name.md", "---\ntitle: X\n---\n", "content/topics/Bad Name.md:1: topic file name 'Bad Name.md' is not a slug: use lowercase ASCII words joined by '-', such as community-policing.md"),
    "bad alias": ("content/topics/x.md", "---\ntitle: X\naliases: [taxonomy/1]\n---\n", "content/topics/x.md:3: alias 'taxonomy/1' must be a site path starting with '/', such as /taxonomy/term/3485, without '..' or spaces"),
}


@pytest.mark.parametrize("name, text, expected", TOPIC_CASES.values(), ids=TOPIC_CASES.keys())
def test_bad_topic_gets_exact_message(name: str, text: str, expected: str) -> None:
    assert parse_errors(name, text) == [expected]


# Where an alias is written is known only once the whole site is loaded.
ALIAS_CASES = {
    "alias on a page": ("---\ntitle: X\naliases: [/404.html]\n---\n", "content/topics/x.md:3: alias '/404.html' would replace the generated page /404.html; choose another path"),
    "alias on another alias": ("---\ntitle: X\naliases: [/taxonomy/term/1]\n---\n", "content/topics/x.md:3: alias '/taxonomy/term/1' would replace the alias '/taxonomy/term/1' in content/topics/community-policing.md; choose another path"),
}


@pytest.mark.parametrize("text, expected", ALIAS_CASES.values(), ids=ALIAS_CASES.keys())
def test_alias_over_another_output_gets_exact_message(make_site: MakeSite, text: str, expected: str) -> None:
    assert load_errors(make_site({"content/topics/x.md": text})) == [expected]


def test_library_raises_site_error_not_other_exceptions(make_site: MakeSite) -> None:
    site = make_site({SUB: "---\n---\n"})
    with pytest.raises(SiteError) as caught:
        load(site)
    assert [p.line for p in caught.value.problems] == [1, 1, 1, 3]


def test_missing_site_toml(make_site: MakeSite) -> None:
    site = make_site({"site.toml": None})
    assert errors_of(site)[0] == "site.toml:1: site.toml is missing: a site folder needs one with at least title and base_url"
