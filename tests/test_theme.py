"""The default theme's HTML, read as text: head metadata, USWDS assets, search markup and the search index."""

from __future__ import annotations

import gzip
import hashlib
import random
import re
from pathlib import Path

import cbor2
import pytest

from conftest import REPO, MakeSite, run_topicsite, submission, tree_bytes
from generator.render import search
from generator.commands.build import build_site

HEAD = {
    "title": re.compile(r"<title>([^<]*)</title>"),
    "description": re.compile(r'<meta name="description" content="([^"]*)">'),
    "canonical": re.compile(r'<link rel="canonical" href="([^"]*)">'),
    "og:title": re.compile(r'<meta property="og:title" content="([^"]*)">'),
    "og:description": re.compile(r'<meta property="og:description" content="([^"]*)">'),
    "og:url": re.compile(r'<meta property="og:url" content="([^"]*)">'),
}


def pages(output: Path) -> dict[str, str]:
    return {p.relative_to(output).as_posix(): p.read_text(encoding="utf-8") for p in sorted(output.rglob("*.html"))
            if not p.relative_to(output).as_posix().startswith("pagefind/")}


def head(html: str, name: str) -> str:
    match = HEAD[name].search(html)
    assert match, f"no {name}"
    return match.group(1)


def test_titles_and_descriptions_are_unique_and_long_enough(sample_output: Path) -> None:
    found = pages(sample_output)
    redirects = {path for path, html in found.items() if 'http-equiv="refresh"' in html}
    assert len(redirects) == 5 + 2 * 31  # each topic's /taxonomy/term/TID, each submission's /node/NID and /requests/ID
    for name, minimum in [("title", 20), ("description", 50)]:
        values = {path: head(html, name) for path, html in found.items()}
        short = {path: value for path, value in values.items() if len(value) < minimum}
        assert not short, f"{name}s shorter than {minimum} characters: {short}"
        # Two old addresses of one submission redirect to it with the same words; like `check`, only pages count.
        unique = [value for path, value in values.items() if path not in redirects]
        assert len(set(unique)) == len(unique), f"{name}s are not unique"
    for path, html in found.items():
        assert head(html, "og:title") == head(html, "title")
        assert head(html, "og:description") == head(html, "description")
        assert head(html, "og:url") == head(html, "canonical")
        assert head(html, "canonical").startswith("https://example.gov/tta/")
        assert html.count("<h1") == 1, path


def test_submission_description_is_its_text(sample_output: Path) -> None:
    html = (sample_output / "submissions/20230907-125328-94/index.html").read_text(encoding="utf-8")
    assert head(html, "description") == ("By utilizing the Police 2 Peace module of training, our department will have "
                                          "access to training opportunities as well as a roadmap for organizational success.")
    page2 = (sample_output / "topics/community-police-relations-and-public-trust/page/2/index.html").read_text(encoding="utf-8")
    assert head(page2, "description").startswith("Page 2 of 2: ")


def test_every_page_has_the_uswds_frame(sample_output: Path) -> None:
    for path, html in pages(sample_output).items():
        assert html.index('class="usa-skipnav"') < html.index('class="usa-banner"') < html.index("<main"), path
        assert "An official website of the United States government" in html
        assert 'action="/tta/search/" method="get"' in html
        assert ">Home</a>" in html and ">Topics</a>" in html and ">Search</a>" in html
        assert 'class="usa-alert usa-alert--warning' in html and 'href="mailto:bjanttac@usdoj.gov">Questions?' in html
        assert '<a href="https://bja.ojp.gov/">Bureau of Justice Assistance</a>' in html
        assert ">Privacy policy</a>" in html and 'class="usa-identifier' in html


def test_pager_is_the_uswds_component_with_real_links(sample_output: Path) -> None:
    html = (sample_output / "topics/community-police-relations-and-public-trust/index.html").read_text(encoding="utf-8")
    assert '<nav class="usa-pagination"' in html
    assert '<a href="/tta/topics/community-police-relations-and-public-trust/page/2/" class="usa-pagination__link usa-pagination__next-page" rel="next">' in html
    assert 'class="usa-pagination__button usa-current" aria-label="Page 1" aria-current="page">1</a>' in html
    assert "Subscribe to Community / police relations and public trust (RSS)</a>" in html
    assert "Subscribe to Community / police relations and public trust (Atom)</a>" in html


HASHED = re.compile(r"(?P<stem>.+)\.(?P<hash>[0-9a-f]{10})\.(?P<ext>css|js|woff2|png|svg|ico)")
STATIC_LINK = re.compile(r'(?:src|href)="/tta/(static/[^"]+)"')


def test_theme_assets_are_local_complete_and_named_by_their_content(sample_output: Path) -> None:
    linked = set()
    for path, html in pages(sample_output).items():
        linked.update(STATIC_LINK.findall(html))
        assert "https://cdn" not in html and "//fonts.googleapis" not in html
    stylesheets = {url for url in linked if url.endswith(".css")}
    for css in stylesheets:
        for url in set(re.findall(r"url\(([^)]+)\)", (sample_output / css).read_text(encoding="utf-8"))) - {'""'}:
            linked.add((Path(css).parent / url.strip("'\"")).as_posix())
    for url in linked:
        file = (sample_output / url).resolve()
        assert file.is_file(), f"a page or stylesheet links to missing {url}"
        name = HASHED.fullmatch(file.name)
        assert name and hashlib.sha256(file.read_bytes()).hexdigest().startswith(name["hash"]), url
    assert (sample_output / "static/uswds/LICENSE.md").is_file()
    assert not (sample_output / "static/uswds/img/sprite.svg").exists(), "files the pages do not use were copied"


def test_home_page_css_and_javascript_stay_within_budget(sample_output: Path) -> None:
    html = (sample_output / "index.html").read_text(encoding="utf-8")
    stylesheets = re.findall(r'<link rel="stylesheet" href="/tta/([^"]+)">', html)
    scripts = re.findall(r'<script[^>]* src="/tta/([^"]+)"', html)
    assert len(stylesheets) == 2 and len(scripts) == 1
    assert sum((sample_output / url).stat().st_size for url in stylesheets) <= 100_000
    assert sum((sample_output / url).stat().st_size for url in scripts) <= 10_000
    # Nothing in the head blocks rendering but the stylesheets: the script is deferred.
    assert all(re.search(rf'<script defer src="/tta/{re.escape(url)}">', html) for url in scripts)


def test_first_screen_fonts_are_preloaded_and_have_fallback_faces(sample_output: Path) -> None:
    html = (sample_output / "index.html").read_text(encoding="utf-8")
    preloaded = re.findall(r'<link rel="preload" href="/tta/([^"]+)" as="font" type="font/woff2" crossorigin>', html)
    assert len(preloaded) == 3
    css_url = re.search(r'<link rel="stylesheet" href="/tta/(static/uswds/css/[^"]+)">', html)
    assert css_url
    css = (sample_output / css_url[1]).read_text(encoding="utf-8")
    faces = re.findall(r"url\(\.\./(fonts/[^)]+)\)", css)
    assert {url.removeprefix("static/uswds/") for url in preloaded} <= set(faces)
    for family in ("Source Sans Pro Fallback", "Merriweather Fallback"):
        for face in re.findall(r'@font-face\{font-family:"%s"[^}]*\}' % family, css):
            assert 'src:local("' in face and "size-adjust:" in face and "ascent-override:" in face
        assert len(re.findall(r'@font-face\{font-family:"%s"' % family, css)) == 4  # regular, bold, italic, bold italic
        assert re.search(r"font-family:[^;}]*Web, %s," % family, css), f"{family} is in no font stack"


def test_every_theme_image_has_its_size(sample_output: Path) -> None:
    for path, html in pages(sample_output).items():
        for tag in re.findall(r"<img [^>]*>", html):
            assert re.search(r' width="\d+" height="\d+"', tag), f"{path}: {tag}"


def test_favicon_and_touch_icons_are_uswds_defaults(sample_output: Path) -> None:
    html = (sample_output / "index.html").read_text(encoding="utf-8")
    icons = dict(re.findall(r'<link rel="(icon|apple-touch-icon)" href="/tta/(static/[^"]+)"', html))
    assert set(icons) == {"icon", "apple-touch-icon"}
    assert re.fullmatch(r"static/favicon\.[0-9a-f]{10}\.ico", re.findall(r'<link rel="icon" href="/tta/([^"]+)"', html)[0])
    assert (sample_output / icons["apple-touch-icon"]).read_bytes().startswith(b"\x89PNG")


def test_only_submissions_are_indexed(sample_output: Path) -> None:
    submissions = [path for path in pages(sample_output) if path.startswith("submissions/")]
    entry = (sample_output / "pagefind/pagefind-entry.json").read_text(encoding="utf-8")
    assert len(submissions) == 31 and '"page_count":31' in entry
    search_page = (sample_output / "search/index.html").read_text(encoding="utf-8")
    assert 'data-bundle-path="/tta/pagefind/" data-base-url="/tta/"' in search_page
    # Our own UI on Pagefind's JS API: none of Pagefind's own UI is loaded.
    assert re.search(r'<script src="/tta/static/search\.[0-9a-f]{10}\.js"></script>', search_page) and "pagefind-ui" not in search_page


def test_no_search_skips_the_index(make_site: MakeSite) -> None:
    site = make_site()
    result = run_topicsite("build", site, "--no-search")
    assert result.returncode == 0, result.stderr
    assert not (site / "output/pagefind").exists()
    assert (site / "output/search/index.html").is_file()


def test_search_index_is_deterministic(make_site: MakeSite, tmp_path: Path) -> None:
    # Six topics: Pagefind writes a filter's values in a random order, so unsorted output differs run to run.
    slugs = [f"topic-{n}" for n in range(6)]
    files: dict[str, str | bytes | None] = {f"content/topics/{slug}.md": f"---\ntitle: Topic {slug}\n---\n" for slug in slugs}
    for n, slug in enumerate(slugs):
        files[f"content/submissions/s{n}.md"] = submission(topics=f"{slug}, community-policing", body=f"Request number {n}.")
    site = make_site(files)
    builds = []
    for name in ("one", "two", "three"):
        result = run_topicsite("build", site, "-o", tmp_path / name, "-q")
        assert result.returncode == 0, result.stderr
        builds.append({k: v for k, v in tree_bytes(tmp_path / name).items() if k.startswith("pagefind/")})
    assert any(name.startswith("pagefind/filter/") for name in builds[0])
    assert builds[0] == builds[1] == builds[2]


def test_filter_chunk_encoding_matches_pagefind(sample_output: Path) -> None:
    chunk = gzip.decompress(next((sample_output / "pagefind/filter").glob("*.pf_filter")).read_bytes())
    value = cbor2.loads(chunk[len(search.SIGNATURE):])
    assert search.SIGNATURE + cbor2.dumps(value) == chunk  # cbor2 encodes as Pagefind does, byte for byte
    name, values = value
    assert name == "topic" and values == sorted(values, key=cbor2.dumps)
    shuffled = list(values)
    random.Random(4).shuffle(shuffled)
    assert search._canonical_filter(search.SIGNATURE + cbor2.dumps([name, shuffled])) == chunk


@pytest.mark.parametrize("data", [
    b"not a filter",
    search.SIGNATURE + b"\xff",  # not CBOR
    search.SIGNATURE + cbor2.dumps(["topic", [["a", [1]]]]) + b"\x00",  # bytes after the item
    search.SIGNATURE + b"\x82\x65topic\x81\x82\x61a\x81\x18\x01",  # the number 1 in a two-byte head
    search.SIGNATURE + cbor2.dumps({"topic": []}),  # not [name, values]
])
def test_a_filter_chunk_of_another_layout_is_left_as_is(data: bytes) -> None:
    assert search._canonical_filter(data) is None


def test_search_page_works_under_a_root_base_url(make_site: MakeSite) -> None:
    site = make_site({"site.toml": 'title = "Test TTA Requests"\nbase_url = "https://example.gov/"\n'})
    result = run_topicsite("build", site)
    assert result.returncode == 0, result.stderr
    html = (site / "output/search/index.html").read_text(encoding="utf-8")
    assert 'data-bundle-path="/pagefind/" data-base-url="/"' in html


def test_warm_build_reuses_the_search_index(make_site: MakeSite, monkeypatch: pytest.MonkeyPatch) -> None:
    site = make_site()
    build_site(site)
    index = {k: v for k, v in tree_bytes(site / "output").items() if k.startswith("pagefind/")}

    def no_pagefind(*args: object) -> None:
        raise AssertionError("Pagefind ran although no submission changed")
    monkeypatch.setattr(search, "index_bundles", no_pagefind)
    assert build_site(site).result.changed == ()
    # A template change changes every page but no record: the index stays.
    (site / "templates").mkdir()
    (site / "templates/submission.html").write_text((REPO / "templates/submission.html").read_text(encoding="utf-8").replace("<article ", "<article data-changed "))
    assert build_site(site).result.changed != ()
    (site / "content/submissions/2023/20230331-82332-92.md").write_text(submission(body="A changed body."))
    with pytest.raises(AssertionError, match="Pagefind ran"):
        build_site(site)
    monkeypatch.undo()
    build_site(site)
    assert {k: v for k, v in tree_bytes(site / "output").items() if k.startswith("pagefind/")} != index
