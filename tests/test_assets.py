"""Hashed names for the theme's assets: the pure functions on strings, then a site replacing theme assets."""

from __future__ import annotations

import hashlib
import re

import pytest

from conftest import MakeSite, run_topicsite
from generator.site.assets import fingerprint, hashed_name, rewrite_css_urls


def short_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:10]


def test_hashed_name_puts_the_content_hash_before_the_extension() -> None:
    assert hashed_name("static/uswds/css/uswds.css", b"body{}") == f"static/uswds/css/uswds.{short_hash(b'body{}')}.css"
    assert hashed_name("static/a.b.woff2", b"") == f"static/a.b.{short_hash(b'')}.woff2"


NAMES = {"static/uswds/fonts/a.woff2": "static/uswds/fonts/a.1111111111.woff2", "static/uswds/img/i.svg": "static/uswds/img/i.2222222222.svg"}


@pytest.mark.parametrize(("css", "expected"), [
    ("src:url(../fonts/a.woff2)", "src:url(../fonts/a.1111111111.woff2)"),
    ('src:url("../fonts/a.woff2") format("woff2")', 'src:url("../fonts/a.1111111111.woff2") format("woff2")'),
    ("b:url('../img/i.svg'),url( ../img/i.svg )", "b:url('../img/i.2222222222.svg'),url(../img/i.2222222222.svg)"),
    ("src:url(../fonts/a.woff2?#iefix)", "src:url(../fonts/a.1111111111.woff2?#iefix)"),
    ("b:url(../img/i.svg#x)", "b:url(../img/i.2222222222.svg#x)"),
    ("b:url(./../img/i.svg)", "b:url(../img/i.2222222222.svg)"),
])
def test_stylesheet_urls_to_hashed_files_are_rewritten(css: str, expected: str) -> None:
    assert rewrite_css_urls(css, "static/uswds/css/uswds.css", NAMES) == expected


@pytest.mark.parametrize("css", [
    "b:url(../img/other.svg)", 'b:url("")', "b:url(data:image/svg+xml;base64,AAAA)", "b:url(https://example.gov/i.svg)",
    "b:url(/static/uswds/img/i.svg)", "b:url(#mask)", "content:'url(../img/i.svg'",
])
def test_other_urls_are_left_alone(css: str) -> None:
    assert rewrite_css_urls(css, "static/uswds/css/uswds.css", NAMES) == css


def test_a_changed_font_renames_the_stylesheet_that_names_it() -> None:
    css = b"@font-face{src:url(../fonts/a.woff2)}"
    one = fingerprint({"static/css/s.css": css, "static/fonts/a.woff2": b"one", "static/LICENSE.md": b"text"})
    two = fingerprint({"static/css/s.css": css, "static/fonts/a.woff2": b"two", "static/LICENSE.md": b"text"})
    assert one["static/fonts/a.woff2"] == (f"static/fonts/a.{short_hash(b'one')}.woff2", b"one")
    assert one["static/css/s.css"][1] == f"@font-face{{src:url(../fonts/a.{short_hash(b'one')}.woff2)}}".encode()
    assert one["static/css/s.css"][0] == hashed_name("static/css/s.css", one["static/css/s.css"][1]) != two["static/css/s.css"][0]
    assert one["static/LICENSE.md"] == ("static/LICENSE.md", b"text")


def test_a_stylesheet_in_another_encoding_keeps_its_bytes() -> None:
    css = "/* caf\xe9 */ b:url(../fonts/a.woff2)".encode("latin-1")
    published = fingerprint({"static/css/s.css": css, "static/fonts/a.woff2": b"x"})
    assert published["static/css/s.css"][1] == f"/* caf\xe9 */ b:url(../fonts/a.{short_hash(b'x')}.woff2)".encode("latin-1")


def test_a_site_replaces_theme_assets_under_their_own_hashes_and_keeps_its_other_names(make_site: MakeSite) -> None:
    own_css, own_icon = b"body { color: #1b1b1b; }\n", b"\x00\x00\x01\x00 my icon"
    site = make_site({"static/topicsite.css": own_css, "static/favicon.ico": own_icon, "static/report.pdf": b"%PDF",
                      "static/logo.png": b"\x89PNG mine"})
    result = run_topicsite("build", site, "-q")
    assert result.returncode == 0, result.stderr
    output = site / "output"
    html = (output / "index.html").read_text(encoding="utf-8")
    assert f'<link rel="stylesheet" href="/tta/static/topicsite.{short_hash(own_css)}.css">' in html
    assert f'<link rel="icon" href="/tta/static/favicon.{short_hash(own_icon)}.ico" sizes="32x32 48x48">' in html
    assert (output / f"static/topicsite.{short_hash(own_css)}.css").read_bytes() == own_css
    # The site's own files, which Markdown may link to, keep their names; only the theme's are hashed.
    assert (output / "static/report.pdf").read_bytes() == b"%PDF" and (output / "static/logo.png").is_file()
    assert not list((output / "static").glob("topicsite.css")) and not (output / "static/favicon.ico").exists()
    uswds_css = re.search(r'href="/tta/(static/uswds/css/uswds\.[0-9a-f]{10}\.css)"', html)
    assert uswds_css and (output / uswds_css[1]).is_file()


def test_a_sites_own_site_css_is_loaded_after_the_themes_stylesheets(make_site: MakeSite) -> None:
    site = make_site({"static/site.css": b".usa-alert { border-width: 2px; }\n"})
    assert run_topicsite("build", site, "-q", "--no-search").returncode == 0
    html = (site / "output/index.html").read_text(encoding="utf-8")
    theme = re.search(r'<link rel="stylesheet" href="/tta/static/topicsite\.[0-9a-f]{10}\.css">', html)
    own = html.find('<link rel="stylesheet" href="/tta/static/site.css">')
    assert theme and own > theme.end(), "site.css must come after the theme's stylesheets, so that it can add to them"
    assert (site / "output/static/site.css").read_bytes() == b".usa-alert { border-width: 2px; }\n"
    del_css = make_site({"static/site.css": None})
    assert run_topicsite("build", del_css, "-q", "--no-search").returncode == 0
    assert "static/site.css" not in (del_css / "output/index.html").read_text(encoding="utf-8")


def test_an_asset_change_renames_it_in_every_page_of_an_incremental_build(make_site: MakeSite) -> None:
    site = make_site({"static/topicsite.css": "a {}\n"})
    new_name = f"topicsite.{short_hash(b'b {}' + bytes([10]))}.css"
    assert run_topicsite("build", site, "-q").returncode == 0
    (site / "static/topicsite.css").write_text("b {}\n", encoding="utf-8")
    result = run_topicsite("build", site, "-q")
    assert result.returncode == 0, result.stderr
    for page in ("index.html", "topics/community-policing/index.html", "search/index.html"):
        html = (site / "output" / page).read_text(encoding="utf-8")
        assert f"static/{new_name}" in html, page
    assert [p.name for p in (site / "output/static").glob("topicsite.*.css")] == [new_name]
