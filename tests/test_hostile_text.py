"""Hostile text, round 2 (issue 10, families 3, 4, 5, 7 and 9): each case asserts the exact error lines."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest

from conftest import FAMILIES, MakeSite, errors_of, load_errors, parse_errors, run_topicsite, submission, tree_bytes
from generator.content.markdown import render_markdown
from generator.content.text import CONTROL_NAMES, first_forbidden, is_forbidden, replace_forbidden
from generator.site.index import display_name

SUB = "content/submissions/x.md"
TOPIC_FILE = "content/topics/community-policing.md"
TOML = "site.toml"
CANNOT = "which web pages and feeds cannot carry"
RETYPE = "delete it (retype the text if you cannot see it)"
FORM_FEED = ("the control character U+000C FORM FEED, which web pages and feeds cannot carry; a form feed is a page break "
             "pasted from a word processor: delete it (to remove them all, find the regular expression \\f and replace it with nothing)")
SURROGATE_FIX = ("write the character itself, or escape a character beyond U+FFFF with \\U and eight hex digits, "
                 "such as \\U0001F600 (an escape such as \\ud83d gives half a character)")
BASE = 'title = "T"\nbase_url = "https://example.gov/tta/"\n'


def fm(*lines: str, body: str = "Body.") -> str:
    """A submission file: valid required fields first (lines 2-4), then `lines`, then the body."""
    return "---\nsubmitted_by: Ben\ndate: 2023-01-01\ntopics: [community-policing]\n" + "".join(f"{line}\n" for line in lines) + "---\n" + body + "\n"


def topic(*lines: str, body: str = "About it.") -> str:
    return "---\ntitle: Community policing\n" + "".join(f"{line}\n" for line in lines) + "---\n" + body + "\n"


def by(name: str) -> str:
    """A submission whose submitted_by (line 2) is the given YAML scalar."""
    return fm().replace("submitted_by: Ben", f"submitted_by: {name}")


# Each family: case name -> (file, its text, the exact error lines that parsing it gives).
Cases = dict[str, tuple[str, str, list[str]]]

FORBIDDEN_CHARACTERS: Cases = {
    "form feed in a body": (SUB, fm(body="Page one.\x0cPage two."), [f"{SUB}:6: contains {FORM_FEED}"]),
    "bell in a body": (SUB, fm(body="a\x07b"), [f"{SUB}:6: contains the control character U+0007 ALERT, {CANNOT}; {RETYPE}"]),
    "escape on a later body line": (SUB, fm(body="one\n\ntwo \x1b[31mred"), [f"{SUB}:8: contains the control character U+001B ESCAPE, {CANNOT}; {RETYPE}"]),
    "vertical tab in a body": (SUB, fm(body="a\x0bb"), [f"{SUB}:6: contains the control character U+000B LINE TABULATION, {CANNOT}; {RETYPE}"]),
    "DEL in a body": (SUB, fm(body="a\x7fb"), [f"{SUB}:6: contains the control character U+007F DELETE, {CANNOT}; {RETYPE}"]),
    "Windows-1252 quote read as Latin-1": (SUB, fm(body="It\x92s"),
        [f"{SUB}:6: contains the C1 control character U+0092, {CANNOT}; it is usually the '’' of a Windows-1252 text read with the wrong encoding: replace it with ’"]),
    "C1 control with no Windows-1252 meaning": (SUB, fm(body="a\x81b"), [f"{SUB}:6: contains the C1 control character U+0081, {CANNOT}; {RETYPE}"]),
    "raw NEL in a title (YAML allows it)": (SUB, fm("title: a\x85b"),
        [f"{SUB}:5: contains the C1 control character U+0085, {CANNOT}; it is usually the '…' of a Windows-1252 text read with the wrong encoding: replace it with …"]),
    "U+FFFE in a body": (SUB, fm(body="a\ufffeb"), [f"{SUB}:6: contains the noncharacter U+FFFE, {CANNOT}; {RETYPE}"]),
    "U+FDD0 in a body": (SUB, fm(body="a\ufdd0b"), [f"{SUB}:6: contains the noncharacter U+FDD0, {CANNOT}; {RETYPE}"]),
    "U+10FFFF in a body": (SUB, fm(body="a\U0010ffffb"), [f"{SUB}:6: contains the noncharacter U+10FFFF, {CANNOT}; {RETYPE}"]),
    "six lines of form feeds": (SUB, fm(body="\x0c\n" * 7 + "end"),
        [f"{SUB}:{line}: contains {FORM_FEED}" for line in range(6, 11)] + [f"{SUB}:11: 2 more lines, from this one on, hold such characters too; remove them all"]),
    "lone surrogate escape in a title": (SUB, fm('title: "a\\ud800"'), [f"{SUB}:5: title contains U+D800, half of a UTF-16 surrogate pair, {CANNOT}; {SURROGATE_FIX}"]),
    "surrogate pair escapes in a name": (SUB, by('"Ben \\ud83d\\ude00"'), [f"{SUB}:2: submitted_by contains U+D83D, half of a UTF-16 surrogate pair, {CANNOT}; {SURROGATE_FIX}"]),
    "form feed escape in a title": (SUB, fm('title: "a\\fb"'), [f"{SUB}:5: title contains {FORM_FEED}"]),
    "NEL escape in a name": (SUB, by('"Ben\\NRodger"'),
        [f"{SUB}:2: submitted_by contains the C1 control character U+0085, {CANNOT}; it is usually the '…' of a Windows-1252 text read with the wrong encoding: replace it with …"]),
    "NUL escape in a guid": (SUB, fm('guid: "a\\0"'), [f"{SUB}:5: guid contains the control character U+0000 NULL, {CANNOT}; {RETYPE}"]),
    "noncharacter escape in a guid": (SUB, fm('guid: "\\uFFFF"'), [f"{SUB}:5: guid contains the noncharacter U+FFFF, {CANNOT}; {RETYPE}"]),
    "escape character in an id": (SUB, fm('id: "a\\eb"'), [f"{SUB}:5: id contains the control character U+001B ESCAPE, {CANNOT}; {RETYPE}"]),
    "control character deep in extra": (SUB, fm('extra: {contact: {phones: ["555", "5\\x015"]}}'),
        [f"{SUB}:5: extra.contact.phones[2] contains the control character U+0001 START OF HEADING, {CANNOT}; {RETYPE}"]),
    "control character in an extra key": (SUB, fm('extra: {"a\\x02": 1}'),
        [f"{SUB}:5: a key in extra contains the control character U+0002 START OF TEXT, {CANNOT}; {RETYPE}"]),
    "control character in a topic title": (TOPIC_FILE, '---\ntitle: "Policing\\x1f"\n---\nAbout.\n',
        [f"{TOPIC_FILE}:2: title contains the control character U+001F UNIT SEPARATOR, {CANNOT}; {RETYPE}"]),
    "form feed in a topic description": (TOPIC_FILE, topic(body="About.\n\nMore\x0c"), [f"{TOPIC_FILE}:6: contains {FORM_FEED}"]),
    "site title": (TOML, 'title = "T\\u0007"\nbase_url = "https://example.gov/"\n', [f"{TOML}:1: title contains the control character U+0007 ALERT, {CANNOT}; {RETYPE}"]),
    "agency with a raw C1 control": (TOML, BASE + 'agency = "Bureau\x9d"\n', [f"{TOML}:3: agency contains the C1 control character U+009D, {CANNOT}; {RETYPE}"]),
    "notice with a form feed": (TOML, BASE + 'notice = """\nLine\\f"""\n', [f"{TOML}:3: notice contains {FORM_FEED}"]),
    "footer link text": (TOML, BASE + 'footer_links = [\n  {text = "Privacy\\u0085", url = "/privacy"},\n]\n',
        [f"{TOML}:3: footer_links[1].text contains the C1 control character U+0085, {CANNOT}; it is usually the '…' of a Windows-1252 text read with the wrong encoding: replace it with …"]),
    "contact email": (TOML, BASE + 'contact_email = "help\\u0001@example.gov"\n',
        [f"{TOML}:3: contact_email contains the control character U+0001 START OF HEADING, {CANNOT}; {RETYPE}"]),
    "language": (TOML, BASE + 'language = "en\\ufdef"\n', [f"{TOML}:3: language contains the noncharacter U+FDEF, {CANNOT}; {RETYPE}"]),
    "time zone": (TOML, BASE + 'timezone = "UTC\\b"\n', [f"{TOML}:3: timezone contains the control character U+0008 BACKSPACE, {CANNOT}; {RETYPE}"]),
    "surrogate escape in site.toml (TOML refuses it)": (TOML, BASE + 'agency = "\\ud800"\n',
        [f"{TOML}:3: TOML syntax error: Escaped character is not a Unicode scalar value"]),
}

WHOLE_VALUES: Cases = {
    "id with a trailing newline": (SUB, fm('id: "abc\\n"'),
        [f"{SUB}:5: id 'abc\\n' may only contain letters, digits, '.', '_' and '-', and must not start with '.'; rename it (for example 20230907-125328-94)"]),
    "id with a trailing space": (SUB, fm("id: 'abc '"),
        [f"{SUB}:5: id 'abc ' may only contain letters, digits, '.', '_' and '-', and must not start with '.'; rename it (for example 20230907-125328-94)"]),
    "file name with a trailing space": ("content/submissions/abc .md", fm(),
        ["content/submissions/abc .md:1: id 'abc ' may only contain letters, digits, '.', '_' and '-', and must not start with '.'; rename it (for example 20230907-125328-94)"]),
    "topic file name with a trailing newline": ("content/topics/policing\n.md", topic(),
        ["content/topics/policing\n.md:1: topic file name 'policing\\n.md' is not a slug: use lowercase ASCII words joined by '-', such as community-policing.md"]),
    "topic file name with a trailing space": ("content/topics/policing .md", topic(),
        ["content/topics/policing .md:1: topic file name 'policing .md' is not a slug: use lowercase ASCII words joined by '-', such as community-policing.md"]),
    "topic file name with a tab": ("content/topics/policing\t.md", topic(),
        ["content/topics/policing\t.md:1: topic file name 'policing\\t.md' is not a slug: use lowercase ASCII words joined by '-', such as community-policing.md"]),
    "alias with a trailing newline": (TOPIC_FILE, topic('aliases: ["/taxonomy/term/1\\n"]'),
        [f"{TOPIC_FILE}:3: alias '/taxonomy/term/1\\n' must be a site path starting with '/', such as /taxonomy/term/3485, without '..' or spaces"]),
    "alias with a trailing space": (TOPIC_FILE, topic("aliases: ['/taxonomy/term/1 ']"),
        [f"{TOPIC_FILE}:3: alias '/taxonomy/term/1 ' must be a site path starting with '/', such as /taxonomy/term/3485, without '..' or spaces"]),
    "language with a trailing newline": (TOML, BASE + 'language = "en\\n"\n', [f"{TOML}:3: language must be a language tag such as \"en\" or \"en-US\", not 'en\\n'"]),
    "email with a trailing newline": (TOML, BASE + 'contact_email = "help@example.gov\\n"\n',
        [f"{TOML}:3: contact_email must be an email address such as \"help@example.gov\", not 'help@example.gov\\n'"]),
}

DATES_AND_URLS: Cases = {
    "offset with seconds": (SUB, fm().replace("date: 2023-01-01", "date: 2023-01-01T12:00:00+05:30:15"),
        [f"{SUB}:3: date '2023-01-01T12:00:00+05:30:15' has a UTC offset with seconds, which RSS and Atom cannot carry; give the offset in hours and minutes only, such as +05:30"]),
    "negative offset with seconds": (SUB, fm().replace("date: 2023-01-01", "date: 2023-01-01 12:00:00-00:00:30"),
        [f"{SUB}:3: date '2023-01-01 12:00:00-00:00:30' has a UTC offset with seconds, which RSS and Atom cannot carry; give the offset in hours and minutes only, such as +00:00"]),
    "offset with microseconds": (SUB, fm().replace("date: 2023-01-01", "date: 2023-01-01T12:00:00-04:00:00.5"),
        [f"{SUB}:3: date '2023-01-01T12:00:00-04:00:00.5' has a UTC offset with seconds, which RSS and Atom cannot carry; give the offset in hours and minutes only, such as -04:00"]),
    "unclosed IPv6 host": (TOML, 'title = "T"\nbase_url = "https://[x/"\n',
        [f"{TOML}:2: base_url 'https://[x/' cannot be read as a URL (Invalid IPv6 URL); write it as an absolute http(s) URL such as \"https://example.gov/tta/\""]),
    "port above 65535": (TOML, 'title = "T"\nbase_url = "https://example.gov:65536/"\n',
        [f"{TOML}:2: base_url 'https://example.gov:65536/' cannot be read as a URL (Port out of range 0-65535); write it as an absolute http(s) URL such as \"https://example.gov/tta/\""]),
    "port that is not a number": (TOML, BASE + 'agency_url = "https://bja.gov:http/"\n',
        [f"{TOML}:3: agency_url 'https://bja.gov:http/' cannot be read as a URL (Port could not be cast to integer value as 'http'); write it as an absolute http(s) URL such as \"https://example.gov/tta/\""]),
    "footer url with a bad host": (TOML, BASE + 'footer_links = [{text = "A", url = "https://[::1/a"}]\n',
        [f"{TOML}:3: footer link url 'https://[::1/a' cannot be read as a URL (Invalid IPv6 URL); write it as an absolute http(s) URL or a path starting with / such as \"https://example.gov/tta/\""]),
    "url with a line break": (TOML, 'title = "T"\nbase_url = "https://exam\\nple.gov/"\n',
        [f"{TOML}:2: base_url 'https://exam\\nple.gov/' contains a space or a line break; write it as an absolute http(s) URL such as \"https://example.gov/tta/\", with spaces written %20"]),
    "url without a host": (TOML, 'title = "T"\nbase_url = "https://:443/tta/"\n',
        [f"{TOML}:2: base_url must be an absolute http(s) URL such as \"https://example.gov/tta/\", not 'https://:443/tta/'"]),
    "protocol-relative footer url": (TOML, BASE + 'footer_links = [{text = "A", url = "//evil.example/"}]\n',
        [f"{TOML}:3: footer link url must be an absolute http(s) URL or a path starting with / such as \"https://example.gov/tta/\", not '//evil.example/'"]),
}

INVISIBLE_NAMES: Cases = {
    "only a zero-width joiner": (SUB, by('"\\u200d"'), [f"{SUB}:2: submitted_by has no visible characters, only invisible ones such as U+200D ZERO WIDTH JOINER; write it out"]),
    "joiners and spaces": (SUB, by('" \\u200d \\u200d "'), [f"{SUB}:2: submitted_by has no visible characters, only invisible ones such as U+200D ZERO WIDTH JOINER; write it out"]),
    "only Hangul fillers": (SUB, by('"\\u3164\\u3164"'), [f"{SUB}:2: submitted_by has no visible characters, only invisible ones such as U+3164 HANGUL FILLER; write it out"]),
    "only a combining accent": (SUB, by('"\\u0301"'), [f"{SUB}:2: submitted_by has no visible characters, only invisible ones such as U+0301 COMBINING ACUTE ACCENT; write it out"]),
    "only a zero-width space": (SUB, by('"\\u200b"'), [f"{SUB}:2: submitted_by contains the invisible control character U+200B; delete it (retype the text if you cannot see it)"]),
    "an invisible title": (SUB, fm('title: "\\u115f"'), [f"{SUB}:5: title has no visible characters, only invisible ones such as U+115F HANGUL CHOSEONG FILLER; write it out"]),
    "an invisible agency": (TOML, BASE + 'agency = "\\u2060"\n', [f"{TOML}:3: agency has no visible characters, only invisible ones such as U+2060 WORD JOINER; write it out"]),
}


PARSED = {**FORBIDDEN_CHARACTERS, **WHOLE_VALUES, **DATES_AND_URLS, **INVISIBLE_NAMES}


@pytest.mark.parametrize("file, text, expected", PARSED.values(), ids=PARSED.keys())
def test_hostile_text_gets_exact_errors(file: str, text: str, expected: list[str]) -> None:
    assert parse_errors(file, text) == expected


# Family 7: names of 30 clusters cut at name_max 20 keep 14 whole clusters, however many code points each has.
CLUSTERS = {
    "emoji ZWJ sequence": "\U0001f468\u200d\U0001f469\u200d\U0001f467",
    "flag": "\U0001f1fa\U0001f1f8",
    "skin tone": "\U0001f44d\U0001f3fd",
    "Hangul syllable in jamo": "\u1100\u1161\u11a8",
    "Devanagari conjunct": "\u0915\u094d\u0937",
    "letter with a combining accent": "e\u0301",
    "keycap": "1\ufe0f\u20e3",
}


@pytest.mark.parametrize("cluster", CLUSTERS.values(), ids=CLUSTERS.keys())
def test_names_are_cut_between_grapheme_clusters(cluster: str) -> None:
    assert display_name(cluster * 30, 20) == cluster * 14 + "…"
    assert display_name(cluster * 20, 20) == cluster * 20  # 20 clusters fit, however many code points


def test_ascii_names_are_cut_as_the_portal_cuts_them() -> None:
    assert display_name("Jeffery Evans-Whitmore", 20) == "Jeffery Evans-" + "…"
    assert display_name("Jeffery Evans", 20) == "Jeffery Evans"
    assert display_name("Abcdefgh", 4) == "A…"  # name_max below 7 still shows one character


# Family 3: a character reference cannot smuggle in what a raw character may not.
REFERENCES = {"&#12;": "\ufffd", "&#x1;": "\ufffd", "&#127;": "\ufffd", "&#xFFFE;": "\ufffd", "&#x10FFFF;": "\ufffd", "&#0;": "\ufffd", "&#x85;": "…"}


@pytest.mark.parametrize("reference, shown", REFERENCES.items(), ids=REFERENCES.keys())
def test_character_references_to_forbidden_characters_show_as_replacement(reference: str, shown: str) -> None:
    html = render_markdown(f"a {reference} b [x](/p{reference})", "/", "", (Path("t.md"), 1))
    assert html == f'<p>a {shown} b <a href="/p{shown}">x</a></p>'


def test_forbidden_set_is_exactly_what_xml_and_html_refuse() -> None:
    forbidden = {code for code in range(0x110000) if is_forbidden(chr(code))}
    controls = {*range(0x20), *range(0x7F, 0xA0)} - {0x09, 0x0A, 0x0D}
    noncharacters = {*range(0xFDD0, 0xFDF0), *(plane * 0x10000 + end for plane in range(17) for end in (0xFFFE, 0xFFFF))}
    assert forbidden == controls | noncharacters | set(range(0xD800, 0xE000))
    assert first_forbidden("tab\tand\nlines\r ok \U00020000 \U000e0100 \U0010fffd") is None
    assert first_forbidden("ok \U00020000 \U0002fffe") == 5
    assert replace_forbidden("a\x0c\U00020000\U0002ffff") == "a\ufffd\U00020000\ufffd"


def test_control_names_are_unicode_name_aliases() -> None:
    assert [unicodedata.lookup(name) for name in CONTROL_NAMES] == [chr(code) for code in range(0x20)]


# Family 9: errors point at the cause, once.
ONCE: dict[str, tuple[dict[str, str | bytes | None], list[str]]] = {
    "bad alias in a topic with submissions": ({TOPIC_FILE: topic("aliases: [/a/../b]"), "content/submissions/y.md": fm()},
        [f"{TOPIC_FILE}:3: alias '/a/../b' must be a site path starting with '/', such as /taxonomy/term/3485, without '..' or spaces"]),
    "YAML error in a topic with submissions": ({TOPIC_FILE: "---\ntitle: 'unclosed\n---\nx\n", "content/submissions/y.md": fm()},
        [f"{TOPIC_FILE}:2: YAML syntax error: found unexpected end of stream while scanning a quoted scalar; check indentation, and put text containing ': ' or '#' in quotes"]),
    "duplicate ids at their id lines": ({"content/submissions/a.md": fm("id: same"), "content/submissions/b.md": fm("title: T", "id: same")},
        ["content/submissions/a.md:5: duplicate id 'same': content/submissions/b.md:6 has the same id; give one of them another id",
         "content/submissions/b.md:6: duplicate id 'same': content/submissions/a.md:5 has the same id; give one of them another id"]),
    "duplicate id from a file name": ({"content/submissions/a/same.md": fm(), "content/submissions/b.md": fm("id: same")},
        ["content/submissions/a/same.md:1: duplicate id 'same': content/submissions/b.md:5 has the same id; give one of them another id",
         "content/submissions/b.md:5: duplicate id 'same': content/submissions/a/same.md:1 has the same id; give one of them another id"]),
}


@pytest.mark.parametrize("files, expected", ONCE.values(), ids=ONCE.keys())
def test_errors_point_at_the_cause_once(make_site: MakeSite, files: dict[str, str | bytes | None], expected: list[str]) -> None:
    site = make_site({"content/submissions/2023/20230331-82332-92.md": None, **files})
    assert load_errors(site) == expected


# Through the command line: exit 1, the exact lines, no traceback, the previous output left as it was.
CLI: dict[str, tuple[int, dict[str, str | bytes | None], list[str]]] = {
    "form feed pasted into a body": (3, {SUB: submission(body="Page one.\x0c\n\nPage two.")}, [f"{SUB}:6: contains {FORM_FEED}"]),
    "lone surrogate from a YAML escape": (3, {SUB: by('"\\udc00"')}, [f"{SUB}:2: submitted_by contains U+DC00, half of a UTF-16 surrogate pair, {CANNOT}; {SURROGATE_FIX}"]),
    "port above 65535": (5, {TOML: 'title = "T"\nbase_url = "https://example.gov:99999/"\n'},
        [f"{TOML}:2: base_url 'https://example.gov:99999/' cannot be read as a URL (Port out of range 0-65535); write it as an absolute http(s) URL such as \"https://example.gov/tta/\""]),
    "offset with seconds": (5, {SUB: submission(date="2023-01-01T00:00:00+05:30:15")},
        [f"{SUB}:3: date '2023-01-01T00:00:00+05:30:15' has a UTC offset with seconds, which RSS and Atom cannot carry; give the offset in hours and minutes only, such as +05:30"]),
}


@pytest.mark.parametrize("family, files, expected", CLI.values(), ids=CLI.keys())
def test_cli_refuses_and_keeps_the_previous_output(make_site: MakeSite, family: int, files: dict[str, str | bytes | None], expected: list[str]) -> None:
    site = make_site()
    assert run_topicsite("build", site, "-q", "--no-search").returncode == 0
    before = tree_bytes(site / "output")
    site = make_site(files)
    assert errors_of(site) == expected
    assert tree_bytes(site / "output") == before
    checked = run_topicsite("check", site)
    assert checked.returncode == 1 and "Traceback" not in checked.stderr
    assert all(line in checked.stdout + checked.stderr for line in expected)


def cli_cases(family: int) -> int:
    return sum(1 for case_family, _, _ in CLI.values() if case_family == family)


# The hostile cases of this file by family of issue 10; the README's list of guarantees reports these counts.
CASES_BY_FAMILY = {
    FAMILIES[3]: len(FORBIDDEN_CHARACTERS) + len(REFERENCES) + cli_cases(3),
    FAMILIES[4]: len(WHOLE_VALUES),
    FAMILIES[5]: len(DATES_AND_URLS) + cli_cases(5),
    FAMILIES[7]: len(INVISIBLE_NAMES) + len(CLUSTERS),
    FAMILIES[9]: len(ONCE),
}
