"""A hostile-input corpus: every case ends in an exact error or a safe rendering, within seconds."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from conftest import FAMILIES, FIRST_CORPUS, MakeSite, load_errors, parse_errors, run_topicsite
from safety import site_active_content

SUB = "content/submissions/x.md"
TOPIC = "community-policing"


def fm(*lines: str, body: str = "Body.") -> str:
    """A submission file from front matter lines."""
    return "---\n" + "\n".join(lines) + "\n---\n" + body + "\n"


ID_RULE = "may only contain letters, digits, '.', '_' and '-', and must not start with '.'; rename it (for example 20230907-125328-94)"
VALID = ("submitted_by: Ben", "date: 2023-01-01", f"topics: [{TOPIC}]")

# Each kind: name -> (file, its text, the exact error lines that parsing it alone gives, as a build prints them).
Cases = dict[str, tuple[str, str | bytes, list[str]]]

ENCODINGS: Cases = {
    "tab in yaml": (SUB, "---\nsubmitted_by: Ben\n\tdate: 2023-01-01\ntopics: [community-policing]\n---\nx\n",
        [f"{SUB}:3: YAML syntax error: a tab in the indentation; YAML indents with spaces, not tabs: replace the tab with spaces"]),
    "nul byte": (SUB, fm(*VALID, body="a\x00b"),
        [f"{SUB}:6: contains a NUL character; remove it (the file may be binary or saved as UTF-16)"]),
    "empty file": (SUB, "",
        [f"{SUB}:1: has no front matter: the file must start with a line '---', then YAML fields, then a line '---'"]),
    "10 MB body": (SUB, fm(*VALID, body="x" * 10_000_000),
        [f"{SUB}:1: is 10,000,073 bytes; the limit is 500,000: shorten it or split it into several submissions"]),
    "200,000 lines": (SUB, fm(*VALID, body="line\n" * 200_000),
        [f"{SUB}:1: is 1,000,073 bytes; the limit is 500,000: shorten it or split it into several submissions"]),
    "60,000 character body": (SUB, fm(*VALID, body="p\n\n" * 20_000),
        [f"{SUB}:6: the request text is 59,998 characters long; the limit is 50,000: shorten it"]),
    "5,000 character name": (SUB, fm("submitted_by: " + "n" * 5000, *VALID[1:]),
        [f"{SUB}:2: submitted_by is 5000 characters long; shorten it to at most 500"]),
}

YAML: Cases = {
    "syntax error at a known line": (SUB, fm(*VALID, "title: 'unclosed"),
        [f"{SUB}:5: YAML syntax error: found unexpected end of stream while scanning a quoted scalar; check indentation, and put text containing ': ' or '#' in quotes"]),
    "billion laughs": (SUB, fm(*VALID, "extra:", "  a: &a [x, x, x, x, x, x, x, x, x]", "  b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]", "  c: [*b, *b, *b, *b, *b, *b, *b, *b, *b]"),
        [f"{SUB}:7: anchors and aliases (*name) are not allowed in front matter; write the value out"]),
    "deep nesting": (SUB, fm(*VALID, "extra: " + "{a: " * 50 + "1" + "}" * 50),
        [f"{SUB}:5: front matter is nested more than 20 levels deep; flatten it"]),
    "python object tag": (SUB, fm(*VALID, "extra: !!python/object/apply:os.system ['echo pwned']"),
        [f"{SUB}:5: YAML tag not allowed: 'tag:yaml.org,2002:python/object/apply:os.system' — front matter holds plain text, numbers, dates, lists and mappings only"]),
    "python name tag": (SUB, fm(*VALID, "title: !!python/name:os.system"),
        [f"{SUB}:5: YAML tag not allowed: 'tag:yaml.org,2002:python/name:os.system' — front matter holds plain text, numbers, dates, lists and mappings only"]),
    "no as a name": (SUB, fm("submitted_by: no", *VALID[1:]),
        [f"{SUB}:2: submitted_by must be text, but YAML reads 'no' as false; put it in quotes: submitted_by: \"no\""]),
    "sexagesimal title": (SUB, fm(*VALID, "title: 12:30"),
        [f"{SUB}:5: title must be text, but YAML reads '12:30' as the number 750; put it in quotes: title: \"12:30\""]),
    "huge integer id": (SUB, fm(*VALID, "id: " + "9" * 400),
        [f"{SUB}:5: id must be text, but YAML reads '9999999999999999999999999999999999999999…' as the number 9999999999999999999999999999999999999999…; put it in quotes: id: \"9999999999999999999999999999999999999999…\""]),
    "null required field": (SUB, fm("submitted_by:", *VALID[1:]),
        [f"{SUB}:2: submitted_by is empty: write a value after 'submitted_by:'"]),
    "null topics": (SUB, fm(*VALID[:2], "topics: ~"),
        [f"{SUB}:4: topics must be one topic slug or a list of them, such as [community-policing, officer-safety]"]),
}

DATES: Cases = {
    "year 0": (SUB, fm(*VALID[::2], "date: 0000-01-01"),
        [f"{SUB}:4: date '0000-01-01' is not a valid date (year 0 is out of range); write it as YYYY-MM-DD or YYYY-MM-DD HH:MM:SS, optionally with a UTC offset such as -05:00"]),
    "year 10000": (SUB, fm(*VALID[::2], "date: 10000-01-01"),
        [f"{SUB}:4: date '10000-01-01' is not a valid date (not a recognized date: '10000-01-01'); write it as YYYY-MM-DD or YYYY-MM-DD HH:MM:SS, optionally with a UTC offset such as -05:00"]),
    "time zone name": (SUB, fm(*VALID[::2], "date: 2023-09-07 12:53:28 EST"),
        [f"{SUB}:4: date '2023-09-07 12:53:28 EST' is not a valid date (not a recognized date: '2023-09-07 12:53:28 EST'); write it as YYYY-MM-DD or YYYY-MM-DD HH:MM:SS, optionally with a UTC offset such as -05:00"]),
    "date as number": (SUB, fm(*VALID[::2], "date: 20230907"),
        [f"{SUB}:4: date must be a date or date-time, not the number 20230907; write it as YYYY-MM-DD or YYYY-MM-DD HH:MM:SS, optionally with a UTC offset such as -05:00"]),
}

IDS: Cases = {
    "id ../../etc/passwd": (SUB, fm(*VALID, "id: ../../etc/passwd"),
        [f"{SUB}:5: id '../../etc/passwd' may only contain letters, digits, '.', '_' and '-', and must not start with '.'; rename it (for example 20230907-125328-94)"]),
    "id /abs": (SUB, fm(*VALID, "id: /abs"),
        [f"{SUB}:5: id '/abs' may only contain letters, digits, '.', '_' and '-', and must not start with '.'; rename it (for example 20230907-125328-94)"]),
    "id con": (SUB, fm(*VALID, "id: con"),
        [f"{SUB}:5: id 'con' is a reserved file name on Windows; choose another"]),
    "id NUL.txt": (SUB, fm(*VALID, "id: NUL.txt"),
        [f"{SUB}:5: id 'NUL.txt' is a reserved file name on Windows; choose another"]),
    "file name with spaces": ("content/submissions/my request.md", fm(*VALID),
        ["content/submissions/my request.md:1: id 'my request' may only contain letters, digits, '.', '_' and '-', and must not start with '.'; rename it (for example 20230907-125328-94)"]),
    "id with a backslash": (SUB, fm(*VALID, "id: 'a\\b'"),
        [f"{SUB}:5: id 'a\\\\b' may only contain letters, digits, '.', '_' and '-', and must not start with '.'; rename it (for example 20230907-125328-94)"]),
    "very long id": (SUB, fm(*VALID, "id: " + "a" * 300),
        [f"{SUB}:5: id is 300 characters long; shorten it to at most 100"]),
    "dot id": (SUB, fm(*VALID, "id: .hidden"),
        [f"{SUB}:5: id '.hidden' may only contain letters, digits, '.', '_' and '-', and must not start with '.'; rename it (for example 20230907-125328-94)"]),
    "alias with ..": ("content/topics/t.md", "---\ntitle: T\naliases: [/a/../../etc]\n---\n",
        ["content/topics/t.md:3: alias '/a/../../etc' must be a site path starting with '/', such as /taxonomy/term/3485, without '..' or spaces"]),
}

PARSED = {**ENCODINGS, **YAML, **DATES, **IDS}


@pytest.mark.parametrize("file, text, expected", PARSED.values(), ids=PARSED.keys())
def test_hostile_input_gets_exact_error(file: str, text: str | bytes, expected: list[str]) -> None:
    started = time.monotonic()
    assert parse_errors(file, text) == expected
    assert time.monotonic() - started < 10


# name -> (files, the exact error lines of loading the whole site): what one file alone cannot show.
LOADED: dict[str, tuple[dict[str, str | bytes | None], list[str]]] = {
    "unicode id": ({"content/submissions/cafe\u0301.md": fm(*VALID), "content/submissions/caf\u00e9.md": fm(*VALID)},
        [f"content/submissions/cafe\u0301.md:1: id 'cafe\u0301' {ID_RULE}", f"content/submissions/caf\u00e9.md:1: id 'caf\u00e9' {ID_RULE}"]),
    "alias on the home page": ({"content/topics/t.md": "---\ntitle: T\naliases: [/]\n---\n"},
        ["content/topics/t.md:3: alias '/' would replace the generated page /index.html; choose another path"]),
    "alias on another topic": ({"content/topics/t.md": f"---\ntitle: T\naliases: [/topics/{TOPIC}/]\n---\n"},
        ["content/topics/t.md:3: alias '/topics/community-policing/' would replace a page of topic 'community-policing'; choose another path"]),
}


@pytest.mark.parametrize("files, expected", LOADED.values(), ids=LOADED.keys())
def test_hostile_site_gets_exact_error(make_site: MakeSite, files: dict[str, str | bytes | None], expected: list[str]) -> None:
    assert load_errors(make_site(files)) == expected


ATTACKS = {
    "script": "<script>alert('xss')</script>",
    "img onerror": "<img src=x onerror=alert(1)>",
    "svg onload": "<svg onload=alert(1)><circle r=1></svg>",
    "iframe": "<iframe src=\"https://evil.example/\"></iframe>",
    "object": "<object data=\"https://evil.example/x.swf\"></object>",
    "form": "<form action=\"https://evil.example/\"><input name=q><button formaction=javascript:alert(1)>go</button></form>",
    "meta refresh": "<meta http-equiv=\"refresh\" content=\"0; url=https://evil.example/\">",
    "style element": "<style>body { background: url(javascript:alert(1)) }</style>",
    "style expression": "<p style=\"width: expression(alert(1))\">x</p>",
    "style url javascript": "<div style=\"background:url(javascript:alert(1))\">x</div>",
    "markdown javascript link": "[x](javascript:alert(1))",
    "mixed case javascript": "[x](JaVaScRiPt:alert(1))",
    "entity javascript": "[x](&#106;avascript:alert(1)) [y](&#x6A;avascript:alert(1)) <a href=\"&#0000106avascript:alert(1)\">z</a>",
    "whitespace javascript": "<a href=\" javascript:alert(1)\">x</a> <a href=\"java\tscript:alert(1)\">y</a> <a href=\"java&#x0A;script:alert(1)\">w</a>",
    "data url": "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==) <img src=\"data:image/svg+xml,<svg onload=alert(1)>\">",
    "vbscript": "<a href=\"vbscript:msgbox(1)\">x</a>",
    "attribute list": "Paragraph\n{: onclick=\"alert(1)\" }\n\n# Heading {: onmouseover=alert(1) }",
    "link title breakout": "[x](https://example.gov/ \"a\\\" onmouseover=\\\"alert(1)\")",
    "comment hiding markup": "<!-- --><script>alert(1)</script><!-- -->",
    "comment in attribute": "<img src=\"x\" alt=\"<!--\" onerror=\"alert(1)\" -->",
    "autolink javascript": "<javascript:alert(1)>",
    "base element": "<base href=\"https://evil.example/\">",
    "embed": "<embed src=\"https://evil.example/x\">",
    "math": "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)></style></mglyph></table></mtext></math>",
    "noscript mutation": "<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\"></noscript>",
    "reference link javascript": "[x][r]\n\n[r]: javascript:alert(1)",
    "image javascript": "![x](javascript:alert(1))",
    "footnote with html": "Text[^1]\n\n[^1]: <script>alert(1)</script>",
    "fenced html": "```html\n<script>alert(1)</script>\n```",
}


@pytest.fixture(scope="module")
def attack_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One site holding every markup attack, in bodies, titles and names, built once."""
    root = tmp_path_factory.mktemp("attacks")
    files = {"site.toml": 'title = "Attack test site"\nbase_url = "https://example.gov/tta/"\nfeed_items = 100\n',
             f"content/topics/{TOPIC}.md": f"---\ntitle: T\n---\n{ATTACKS['script']} {ATTACKS['markdown javascript link']}\n"}
    for number, body in enumerate(ATTACKS.values()):
        title = body.splitlines()[0][:200].replace("\t", " ").replace("\\", "\\\\").replace('"', '\\"')
        files[f"content/submissions/a{number}.md"] = fm(f'title: "{title}"', f'submitted_by: "{title[:100]}"', *VALID[1:], body=body)
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    result = run_topicsite("build", root, "-q")
    assert result.returncode == 0, result.stderr
    return root / "output"


def test_attacks_leave_no_active_content(attack_site: Path) -> None:
    assert site_active_content(attack_site, "/tta/") == {}


@pytest.mark.parametrize("number", range(len(ATTACKS)), ids=ATTACKS.keys())
def test_each_attack_renders_its_title_as_text(attack_site: Path, number: int) -> None:
    page = (attack_site / f"submissions/a{number}/index.html").read_text()
    title = list(ATTACKS.values())[number].splitlines()[0][:200].replace("\t", " ")
    assert "&lt;" in page or "<" not in title  # markup in titles is shown, escaped
    assert "alert(1)</script>" not in page


def test_feeds_carry_titles_and_names_as_text(attack_site: Path) -> None:
    atom = (attack_site / "atom.xml").read_text()
    assert "<title>&lt;script&gt;alert('xss')&lt;/script&gt;</title>" in atom


SAFE = {
    "utf-8 bom": {SUB: "\ufeff" + fm(*VALID)},
    "crlf": {SUB: fm(*VALID, body="Line one\n\nLine two").replace("\n", "\r\n")},
    "lone cr": {SUB: fm(*VALID, body="Line one\n\nLine two").replace("\n", "\r")},
    "rule inside body": {SUB: fm(*VALID, body="Above\n\n---\n\nBelow")},
    "date only": {SUB: fm(*VALID[::2], "date: 2023-09-07")},
    "html and jinja in name and title": {SUB: fm('submitted_by: "<b>Ben</b> {{ 7*7 }}"', *VALID[1:], 'title: "{% raw %}<i>T</i>{{ config }}"', body="{{ 7*7 }} {% if true %}x{% endif %}")},
    "far future": {SUB: fm(*VALID[::2], "date: 9999-12-31")},
}


@pytest.mark.parametrize("files", SAFE.values(), ids=SAFE.keys())
def test_odd_but_valid_input_builds_safely(make_site: MakeSite, files: dict[str, str | bytes | None]) -> None:
    site = make_site(files)
    result = run_topicsite("build", site, "-q", "--no-search")
    assert result.returncode == 0, result.stderr
    output = site / "output"
    assert site_active_content(output, "/tta/") == {}
    page = output / "submissions/x/index.html"
    if "9999" in files[SUB]:  # type: ignore[operator]
        assert not page.exists()
        assert "x.md:1: warning: dated 9999-12-31T00:00:00-05:00, in the future" in run_topicsite("build", site, "--no-search").stderr
        return
    html = page.read_text()
    if "{{ 7*7 }}" in str(files[SUB]):
        assert "&lt;b&gt;Ben&lt;/b&gt; {{ 7*7 }}" in html and "{% raw %}&lt;i&gt;T&lt;/i&gt;{{ config }}" in html
        assert "<p>{{ 7*7 }} {% if true %}x{% endif %}</p>" in html
    if "Line two" in str(files[SUB]):
        assert "<p>Line one</p>\n<p>Line two</p>" in html
    if "Below" in str(files[SUB]):
        assert "<p>Above</p>\n<hr>\n<p>Below</p>" in html


# The cases of this file by family; the README's list of guarantees reports the totals.
CASES_BY_FAMILY = {
    FIRST_CORPUS["encodings"]: len(ENCODINGS),
    FIRST_CORPUS["yaml"]: len(YAML),
    FAMILIES[5]: len(DATES),
    FAMILIES[4]: len(IDS) + len(LOADED),
    FIRST_CORPUS["attacks"]: len(ATTACKS),
    FIRST_CORPUS["valid"]: len(SAFE),
}
