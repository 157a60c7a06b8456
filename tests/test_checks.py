"""Unit tests of generator.check.links on small hand-written outputs, one exact message per kind of fault."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest
from feedgen.feed import FeedGenerator

from generator.check.links import check_links, check_sitemap, check_titles, read_pages
from generator.check.feeds import check_feed
from generator.errors import Problem
from validators import assert_valid_atom, assert_valid_rss, internal_links

BASE = "https://example.gov/tta/"
SUBMISSION = "submissions/20230907-125328-94/"


def page(title: str, body: str, head: str = "") -> str:
    """A small HTML page; the body starts on line 8."""
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{title}</title>
{head}
</head>
<body>{body}
</body>
</html>
"""


INDEX_HEAD = """<link rel="canonical" href="https://example.gov/tta/">
<link rel="alternate" type="application/rss+xml" href="/tta/rss.xml">
<link rel="alternate" type="application/atom+xml" href="https://example.gov/tta/atom.xml">
<link rel="stylesheet" href="/tta/static/style.css"><script src="/tta/static/site.js"></script>"""
INDEX_BODY = """<a href="#main">Skip to content</a> <a href="#top">Top</a> <a href="#">Nowhere</a>
<main id="main">
<a href="/tta/topics/water/">Water</a> <a href="topics/water/">Water again</a> <a href="./">Home</a>
<a href="/tta/submissions/20230907-125328-94/#fn-1">A footnote</a> <a name="legacy"></a>
<a href="https://elsewhere.example.org/x">Elsewhere</a> <a href="http://example.gov/other/">Other scheme</a>
<a href="mailto:tta@example.gov">Mail</a> <a href="tel:+15555550100">Call</a> <a href="javascript:void(0)">JS</a>
<img src="/tta/static/logo.png" alt=""> <form action="/tta/search/"><input name="q"></form>
</main>"""
SUBMISSION_BODY = """<p>Text<sup id="fnref-1"><a href="#fn-1">1</a></sup></p>
<ol><li id="fn-1">Note <a href="#fnref-1">back</a></li></ol>
<a href="../../topics/water/">Water</a> <a href="/tta">Home</a> <a href="/tta/#legacy">Old anchor</a>"""

ATOM = """<?xml version='1.0' encoding='UTF-8'?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <id>https://example.gov/tta/</id>
  <title>TTA</title>
  <updated>2023-09-07T12:53:28Z</updated>
  <author><name>TTA team</name></author>
  <link href="https://example.gov/tta/" rel="alternate"/>
  <link href="https://example.gov/tta/atom.xml" rel="self"/>
  <entry>
    <id>https://example.gov/tta/submissions/20230907-125328-94/</id>
    <title>A submission</title>
    <updated>2023-09-07T12:53:28Z</updated>
    <link href="https://example.gov/tta/submissions/20230907-125328-94/"/>
    <content type="html">&lt;p&gt;Text&lt;/p&gt;</content>
  </entry>
  <entry>
    <id>https://example.gov/tta/submissions/20230901-090000-12/</id>
    <title>An older submission</title>
    <updated>2023-09-01T09:00:00-04:00</updated>
    <published>2023-09-01T09:00:00.250-04:00</published>
    <link href="https://example.gov/tta/submissions/20230901-090000-12/" rel="alternate"/>
    <summary>Older</summary>
  </entry>
</feed>
"""

RSS = """<?xml version='1.0' encoding='UTF-8'?>
<rss xmlns:atom="http://www.w3.org/2005/Atom" version="2.0">
  <channel>
    <title>TTA</title>
    <link>https://example.gov/tta/</link>
    <description>Submissions by topic</description>
    <atom:link href="https://example.gov/tta/rss.xml" rel="self" type="application/rss+xml"/>
    <lastBuildDate>Thu, 07 Sep 2023 12:53:28 +0000</lastBuildDate>
    <item>
      <title>A submission</title>
      <link>https://example.gov/tta/submissions/20230907-125328-94/</link>
      <description>Text</description>
      <guid>https://example.gov/tta/submissions/20230907-125328-94/</guid>
      <pubDate>Thu, 07 Sep 2023 12:53:28 +0000</pubDate>
    </item>
    <item>
      <description>An item without a title</description>
      <guid isPermaLink="false">tta-20230901-090000-12</guid>
      <pubDate>Fri, 01 Sep 2023 09:00:00 GMT</pubDate>
    </item>
  </channel>
</rss>
"""

SITEMAP = """<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <url><loc>https://example.gov/tta/</loc></url>
  <url><loc>https://example.gov/tta/topics/water/</loc></url>
  <url><loc>https://example.gov/tta/submissions/20230907-125328-94/</loc></url>
  <url><loc>https://example.gov/tta/search/</loc></url>
</urlset>
"""

GOOD_SITE = {
    "index.html": page("TTA", INDEX_BODY, INDEX_HEAD),
    "topics/water/index.html": page("Water – TTA", '<a href="../../">Home</a> <a href="../../rss.xml">Feed</a>'),
    f"{SUBMISSION}index.html": page("A submission – TTA", SUBMISSION_BODY),
    "search/index.html": page("Search – TTA", '<a href="https://example.gov/tta/topics/water/">Water</a>'),
    "old/index.html": '<!doctype html><meta http-equiv="Refresh" content="0; url=/tta/topics/water/">\n',
    "static/style.css": "body { margin: 0 }\n",
    "static/site.js": "",
    "static/logo.png": "",
    "rss.xml": RSS,
    "atom.xml": ATOM,
    "sitemap.xml": SITEMAP,
}


def make_output(tmp_path: Path, changes: dict[str, str] | None = None) -> Path:
    """The good site written to tmp_path/output, with some files replaced or added."""
    output = tmp_path / "output"
    for name, text in {**GOOD_SITE, **(changes or {})}.items():
        (output / name).parent.mkdir(parents=True, exist_ok=True)
        (output / name).write_text(text, encoding="utf-8")
    return output


def built(changes: dict[str, str] | None = None) -> dict[str, bytes]:
    """The good site in memory, as a plan holds it, with some files replaced or added."""
    return {name: text.encode() for name, text in {**GOOD_SITE, **(changes or {})}.items()}


def titles(files: dict[str, bytes]) -> list[Problem]:
    return check_titles(read_pages(files))


def line_of(text: str, needle: str) -> int:
    """The 1-based line of the first occurrence of needle."""
    return text[: text.index(needle)].count("\n") + 1


def messages(problems: list[Problem]) -> list[str]:
    return [problem.message for problem in problems]


# ---- a good site ---------------------------------------------------------------------------


def test_good_site_passes_every_check() -> None:
    files = built()
    assert check_links(files, BASE) == []
    assert titles(files) == []
    assert check_sitemap(files, BASE) == []
    assert check_feed(Path("atom.xml"), ATOM.encode(), BASE + "atom.xml", BASE) == []
    assert check_feed(Path("rss.xml"), RSS.encode(), BASE + "rss.xml", BASE) == []


def test_good_feeds_pass_the_independent_validators() -> None:
    assert_valid_atom(ATOM.encode())
    assert_valid_rss(RSS.encode())


def test_base_url_without_trailing_slash_is_the_same_site() -> None:
    assert check_links(built(), "https://example.gov/tta") == []


# ---- links ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("link", "message"),
    [
        ('<a href="/tta/topics/fire/">', "is broken: there is no topics/fire/index.html in the output"),
        ('<a href="../../topics/fire/">', "is broken: there is no topics/fire/index.html in the output"),
        ('<img src="/tta/static/missing.png">', "is broken: there is no static/missing.png in the output"),
        ('<a href="/tta/submissions/20230907-125328-94/#fn-2">',
         f'is broken: {SUBMISSION}index.html has no element with id="fn-2"'),
        ('<a href="#nowhere">', f'is broken: {SUBMISSION}index.html has no element with id="nowhere"'),
        ('<a href="/tta/topics/water">', "names a folder; end the link with a slash: /tta/topics/water/"),
        ('<a href="/other/">', "is outside the site's base path /tta/"),
        ('<a href="https://example.gov/other/">', "is outside the site's base path /tta/"),
        ('<a href="../../../elsewhere/">', "is outside the site's base path /tta/"),
        ('<script src="/tta/../static/site.js">', "is outside the site's base path /tta/"),
        ('<a href="https://[example.gov/">', "is not a valid URL: Invalid IPv6 URL"),
    ],
)
def test_bad_link_is_reported_at_its_line(link: str, message: str) -> None:
    text = page("A submission – TTA", f"{SUBMISSION_BODY}\n<p>See {link}</p>")
    files = built({f"{SUBMISSION}index.html": text})
    line = line_of(text, "<p>See")
    assert check_links(files, BASE) == [Problem(Path(f"{SUBMISSION}index.html"), line, f"{link} {message}")]


def test_form_action_and_stylesheet_are_checked() -> None:
    head = '<link rel="stylesheet" href="/tta/static/gone.css">'
    files = built({"search/index.html": page("Search", '<form action="/tta/find/"></form>', head)})
    assert messages(check_links(files, BASE)) == [
        '<link href="/tta/static/gone.css"> is broken: there is no static/gone.css in the output',
        '<form action="/tta/find/"> is broken: there is no find/index.html in the output',
    ]


def test_independent_link_checker_agrees(tmp_path: Path) -> None:
    assert internal_links(make_output(tmp_path), BASE) == []
    body = '\n<a href="/tta/topics/fire/">x</a> <a href="/tta/#nope">y</a> <a href="/out/">z</a>'
    output = make_output(tmp_path, {"search/index.html": page("Search", body)})
    assert internal_links(output, BASE) == [
        "search/index.html:9: /tta/topics/fire/: no file topics/fire/index.html",
        "search/index.html:9: /tta/#nope: no id nope in index.html",
        "search/index.html:9: /out/: outside the base path",
    ]
    assert len(check_links(built({"search/index.html": page("Search", body)}), BASE)) == 3


# ---- titles --------------------------------------------------------------------------------


def test_duplicate_title_names_the_other_page() -> None:
    files = built({"search/index.html": page("Water – TTA", "")})
    message = 'the title "Water – TTA" is also the title of search/index.html'
    assert titles(files) == [Problem(Path("topics/water/index.html"), 5, message)]


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("<!doctype html><p>No title</p>\n", 1, "the page has no <title>"),
        ("", 1, "the page has no <title>"),  # a template that renders nothing
        (" \n", 1, "the page has no <title>"),
        (page(" \n ", ""), 5, "the <title> is empty; give the page a title"),
        (page("One", "", "<title>Two</title>"), 6, "the page has 2 <title> elements; it needs exactly one"),
    ],
)
def test_page_needs_one_nonempty_title(text: str, line: int, message: str) -> None:
    assert titles(built({"search/index.html": text})) == [Problem(Path("search/index.html"), line, message)]


def test_svg_title_is_not_the_page_title() -> None:
    svg = "<svg><title>Water – TTA</title></svg>"
    assert titles(built({"search/index.html": page("Search", svg)})) == []


# ---- Atom ----------------------------------------------------------------------------------


def atom_problems(text: str, self_url: str = BASE + "atom.xml") -> list[Problem]:
    return check_feed(Path("atom.xml"), text.encode(), self_url, BASE)


def test_atom_feed_without_updated() -> None:
    text = ATOM.replace("  <updated>2023-09-07T12:53:28Z</updated>\n  <author>", "  <author>")
    assert atom_problems(text) == [Problem(Path("atom.xml"), 2, "the feed has no <updated>")]


def test_atom_entry_without_title() -> None:
    text = ATOM.replace("<title>A submission</title>", "")
    assert atom_problems(text) == [Problem(Path("atom.xml"), 9, "the entry has no <title>")]


def test_atom_duplicate_entry_ids() -> None:
    text = ATOM.replace("20230901-090000-12/</id>", "20230907-125328-94/</id>")
    line = line_of(ATOM, "20230901-090000-12/</id>")
    first = line_of(ATOM, "20230907-125328-94/</id>")
    message = f"entry <id> '{BASE}{SUBMISSION}' repeats the one on line {first}"
    assert atom_problems(text) == [Problem(Path("atom.xml"), line, message)]


def test_atom_entry_id_that_is_not_an_iri() -> None:
    text = ATOM.replace(f"<id>{BASE}{SUBMISSION}</id>", "<id>20230907-125328-94</id>")
    message = "<id> '20230907-125328-94' is not an absolute IRI; use a full URL or a tag: URI"
    assert atom_problems(text) == [Problem(Path("atom.xml"), 10, message)]


@pytest.mark.parametrize("date", ["2023-09-07 12:53:28Z", "2023-09-07T12:53:28", "2023-09-31T12:53:28Z"])
def test_atom_date_that_is_not_rfc3339(date: str) -> None:
    text = ATOM.replace("<updated>2023-09-01T09:00:00-04:00</updated>", f"<updated>{date}</updated>")
    message = f"<updated> '{date}' is not an RFC 3339 date-time, like 2023-09-07T12:53:28Z"
    assert atom_problems(text) == [Problem(Path("atom.xml"), 19, message)]


def test_atom_wrong_self_link() -> None:
    message = f"<link rel=\"self\"> href '{BASE}atom.xml' is not the feed's own URL '{BASE}topics/water/atom.xml'"
    assert atom_problems(ATOM, BASE + "topics/water/atom.xml") == [Problem(Path("atom.xml"), 8, message)]


def test_atom_missing_self_and_alternate_links() -> None:
    text = ATOM.replace('  <link href="https://example.gov/tta/" rel="alternate"/>\n', "")
    text = text.replace('  <link href="https://example.gov/tta/atom.xml" rel="self"/>\n', "")
    assert messages(atom_problems(text)) == [
        f'the feed has no <link rel="self">; add one with href="{BASE}atom.xml"',
        "the feed has no <link rel=\"alternate\">; add one to the site's page",
    ]


def test_atom_schematron_rules() -> None:
    text = ATOM.replace("  <author><name>TTA team</name></author>\n", "")
    text = text.replace('<link href="https://example.gov/tta/submissions/20230907-125328-94/"/>', "")
    text = text.replace('<content type="html">&lt;p&gt;Text&lt;/p&gt;</content>', "")
    assert atom_problems(text) == [
        Problem(Path("atom.xml"), 8, "neither the entry nor the feed has an <author>; add one to either"),
        Problem(Path("atom.xml"), 8, 'the entry has neither a <link rel="alternate"> nor <content>'),
        Problem(Path("atom.xml"), 15, "neither the entry nor the feed has an <author>; add one to either"),
    ]


def test_atom_schema_violation_is_reported() -> None:
    text = ATOM.replace("<summary>Older</summary>", '<summary type="markdown">Older</summary>')
    [problem] = atom_problems(text)
    assert problem.message.startswith("the feed does not match the RFC 4287 Atom schema: ")
    assert "summary" in problem.message


def feedgen_feed(self_url: str) -> FeedGenerator:
    """A small feed built with feedgen the way a generator would."""
    feed = FeedGenerator()
    feed.id(BASE)
    feed.title("TTA")
    feed.description("Submissions by topic")
    feed.author(name="TTA team")
    feed.link(href=self_url, rel="self", type="application/rss+xml" if self_url.endswith("rss.xml") else None)
    feed.link(href=BASE, rel="alternate")
    feed.updated(datetime(2023, 9, 7, 12, 53, 28, tzinfo=timezone.utc))
    feed.lastBuildDate(datetime(2023, 9, 7, 12, 53, 28, tzinfo=timezone.utc))
    entry = feed.add_entry()
    entry.id(BASE + SUBMISSION)
    entry.guid(BASE + SUBMISSION, permalink=True)
    entry.title("A submission")
    entry.link(href=BASE + SUBMISSION)
    entry.updated(datetime(2023, 9, 7, 12, 53, 28, tzinfo=timezone.utc))
    entry.pubDate(datetime(2023, 9, 7, 12, 53, 28, tzinfo=timezone.utc))
    entry.content("<p>Text</p>", type="html")
    return feed


def test_feedgen_atom_passes_the_schema_and_checks() -> None:
    data = feedgen_feed(BASE + "atom.xml").atom_str(pretty=True)
    assert check_feed(Path("atom.xml"), data, BASE + "atom.xml", BASE) == []
    assert_valid_atom(data)


def test_feedgen_rss_passes_the_checks() -> None:
    data = feedgen_feed(BASE + "rss.xml").rss_str(pretty=True)
    assert check_feed(Path("rss.xml"), data, BASE + "rss.xml", BASE) == []
    assert_valid_rss(data)


# ---- RSS -----------------------------------------------------------------------------------


def rss_problems(text: str, self_url: str = BASE + "rss.xml") -> list[Problem]:
    return check_feed(Path("rss.xml"), text.encode(), self_url, BASE)


def test_rss_channel_without_description() -> None:
    text = RSS.replace("    <description>Submissions by topic</description>\n", "")
    assert rss_problems(text) == [Problem(Path("rss.xml"), 3, "the channel has no <description>")]


@pytest.mark.parametrize("date", ["2023-09-07", "Thu, 07 Sep 2023 12:53:28 -0000", "Thu, 07 Sep 2023 12:53:28"])
def test_rss_bad_pub_date(date: str) -> None:
    text = RSS.replace("<pubDate>Thu, 07 Sep 2023 12:53:28 +0000</pubDate>", f"<pubDate>{date}</pubDate>")
    message = f"<pubDate> '{date}' is not an RFC 822 date with a time zone, like Thu, 07 Sep 2023 12:53:28 +0000"
    assert rss_problems(text) == [Problem(Path("rss.xml"), 14, message)]


def test_rss_wrong_self_link() -> None:
    message = f"<atom:link rel=\"self\"> href '{BASE}rss.xml' is not the feed's own URL '{BASE}topics/water/rss.xml'"
    assert rss_problems(RSS, BASE + "topics/water/rss.xml") == [Problem(Path("rss.xml"), 7, message)]


def test_rss_self_link_without_type() -> None:
    text = RSS.replace(' type="application/rss+xml"', "")
    message = '<atom:link rel="self"> has no type; it needs type="application/rss+xml"'
    assert rss_problems(text) == [Problem(Path("rss.xml"), 7, message)]


def test_rss_missing_self_link() -> None:
    self_link = '<atom:link href="https://example.gov/tta/rss.xml" rel="self" type="application/rss+xml"/>'
    text = RSS.replace(f"    {self_link}\n", "")
    message = f'the channel has no <atom:link rel="self">; add one with href="{BASE}rss.xml"'
    assert rss_problems(text) == [Problem(Path("rss.xml"), 3, message)]


def test_rss_guids() -> None:
    text = RSS.replace(f"<guid>{BASE}{SUBMISSION}</guid>", "<guid>/tta/submissions/20230907-125328-94/</guid>")
    assert messages(rss_problems(text)) == [
        "<guid> '/tta/submissions/20230907-125328-94/' is a permalink but not an absolute http(s) URL; "
        'set isPermaLink="false"'
    ]
    text = RSS.replace(f"<guid>{BASE}{SUBMISSION}</guid>", "<guid>https://[example.gov/</guid>")
    assert messages(rss_problems(text)) == [
        "<guid> 'https://[example.gov/' is a permalink but not an absolute http(s) URL; set isPermaLink=\"false\""
    ]
    text = RSS.replace("tta-20230901-090000-12", f"{BASE}{SUBMISSION}")
    message = f"<guid> '{BASE}{SUBMISSION}' repeats the one on line 13"
    assert rss_problems(text) == [Problem(Path("rss.xml"), 18, message)]


def test_rss_item_needs_title_or_description_and_absolute_link() -> None:
    text = RSS.replace("      <description>An item without a title</description>\n", "")
    text = text.replace(f"<link>{BASE}{SUBMISSION}</link>", f"<link>/tta/{SUBMISSION}</link>")
    item_line = line_of(RSS, "<description>An item") - 1
    assert rss_problems(text) == [
        Problem(Path("rss.xml"), item_line, "the item has neither <title> nor <description>"),
        Problem(Path("rss.xml"), 11, f"<link> '/tta/{SUBMISSION}' is not an absolute http(s) URL"),
    ]


def test_rss_version_and_forbidden_characters() -> None:
    assert messages(rss_problems(RSS.replace('version="2.0"', 'version="0.91"'))) == [
        "<rss> has version '0.91'; it must be \"2.0\""
    ]
    assert rss_problems(RSS.replace("<title>TTA</title>", "<title>TTA\x0b</title>")) == [
        Problem(Path("rss.xml"), 4, "character U+000B is not allowed in XML")
    ]


def test_feed_that_is_not_well_formed() -> None:
    [problem] = rss_problems(RSS.replace("</channel>", ""))
    assert problem.message.startswith("not well-formed XML: ")


# ---- sitemap -------------------------------------------------------------------------------


def test_sitemap_loc_without_file() -> None:
    files = built({"sitemap.xml": SITEMAP.replace("search/", "find/")})
    message = f"<loc> '{BASE}find/' is broken: there is no find/index.html in the output"
    assert check_sitemap(files, BASE) == [Problem(Path("sitemap.xml"), 6, message)]


def test_sitemap_loc_outside_base_url() -> None:
    sitemap = SITEMAP.replace(f"{BASE}search/", "https://example.org/tta/search/")
    files = built({"sitemap.xml": sitemap})
    message = f"<loc> 'https://example.org/tta/search/' is not under the site's base_url '{BASE}'"
    assert check_sitemap(files, BASE) == [Problem(Path("sitemap.xml"), 6, message)]


def test_sitemap_in_the_wrong_namespace() -> None:
    files = built({"sitemap.xml": SITEMAP.replace("sitemaps.org", "sitemaps.com")})
    message = (
        "the root element is <urlset> in namespace http://www.sitemaps.com/schemas/sitemap/0.9; "
        'a sitemap is <urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
    )
    assert messages(check_sitemap(files, BASE)) == [message]
