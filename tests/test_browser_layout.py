"""The sample site's layout in headless Chromium: no layout shift while the web fonts arrive, no failed request
(favicon), and the layout at phone and desktop widths (the header search box, the pager, ids that stay whole)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, Route

from served_site import serve

TOPIC = "topics/community-police-relations-and-public-trust/"
PAGES = {
    "home": "",
    "topics index": "topics/",
    "topic page 1": TOPIC,
    "topic page 2": TOPIC + "page/2/",
    "submission": "submissions/20230907-125328-94/",
    "404": "no/such/page/",
    "search": "search/?q=training",
}
WIDTHS = {"desktop": (1280, 900), "mobile": (375, 812)}
# Each web font arrives this long after it is asked for: long enough for the page to be drawn in the fallback faces first.
FONT_DELAY = 0.4
# The guard below needs the page drawn before the fonts come even on a machine busy with other tests (at 0.4 s a
# loaded CI machine sometimes drew the page only after the fonts were in, so nothing moved).
GUARD_FONT_DELAY = 2.0
# Sums the layout shifts not caused by input (CLS as Lighthouse counts it for a page load).
LAYOUT_SHIFTS = """window.layoutShift = 0;
new PerformanceObserver(list => list.getEntries().forEach(entry => { if (!entry.hadRecentInput) window.layoutShift += entry.value; }))
  .observe({type: "layout-shift", buffered: true});"""
ID = re.compile(r"\d{8}-\d{4,6}-\d{2}")


@pytest.fixture(scope="module")
def slow_fonts_url(sample_output: Path) -> Iterator[str]:
    with serve(sample_output, font_delay=FONT_DELAY) as url:
        yield url


@pytest.fixture(scope="module")
def slower_fonts_url(sample_output: Path) -> Iterator[str]:
    with serve(sample_output, font_delay=GUARD_FONT_DELAY) as url:
        yield url


def layout_shift(browser: Any, url: str, width: str, strip_fallback_faces: bool = False) -> float:
    """The cumulative layout shift of loading url at a width, until its fonts are in and the network is idle."""
    context = browser.new_context(viewport=dict(zip(("width", "height"), WIDTHS[width])))
    if strip_fallback_faces:
        context.route(re.compile(r".*\.css$"), without_fallback_faces)
    try:
        page = context.new_page()
        page.add_init_script(LAYOUT_SHIFTS)
        page.goto(url, wait_until="networkidle")
        page.evaluate("document.fonts.ready.then(() => new Promise(done => setTimeout(done, 300)))")
        return float(page.evaluate("window.layoutShift"))
    finally:
        context.close()


def without_fallback_faces(route: Route) -> None:
    response = route.fetch()
    route.fulfill(response=response, body=re.sub(r'@font-face\{font-family:"[^"]+ Fallback"[^}]*\}', "", response.text()))


@pytest.mark.parametrize("width", list(WIDTHS))
@pytest.mark.parametrize("name", list(PAGES))
def test_web_fonts_arriving_late_move_nothing(browser: Any, slow_fonts_url: str, name: str, width: str) -> None:
    shift = layout_shift(browser, slow_fonts_url + PAGES[name], width)
    assert shift <= 0.02, f"the {name} page shifts by {shift:.4f} on {width} while its fonts arrive"


def test_without_the_fallback_faces_the_fonts_arriving_would_move_the_page(browser: Any, slower_fonts_url: str) -> None:
    # Guards the guard: the measure above sees the swap the fallback faces' metrics make harmless.
    assert layout_shift(browser, slower_fonts_url, "mobile", strip_fallback_faces=True) > 0.05


@pytest.mark.parametrize("name", list(PAGES))
def test_no_request_fails_and_the_console_stays_clean(browser: Any, site_url: str, name: str) -> None:
    context = browser.new_context()
    problems: list[str] = []
    try:
        page = context.new_page()
        page.on("console", lambda message: problems.append(f"console {message.type}: {message.text}") if message.type in ("error", "warning") else None)
        page.on("response", lambda response: problems.append(f"{response.status} {response.url}") if response.status >= 400 else None)
        page.on("requestfailed", lambda request: problems.append(f"failed {request.url}"))
        page.goto(site_url + PAGES[name], wait_until="networkidle")
        icons = page.evaluate("[...document.querySelectorAll('link[rel~=icon], link[rel=apple-touch-icon]')].map(link => link.href)")
        assert len(icons) == 3
        for icon in icons:
            assert page.request.get(icon).ok, icon
    finally:
        context.close()
    if name == "404":  # the page itself answers 404, as it should; nothing else may
        problems.remove(f"404 {site_url}{PAGES[name]}")
        problems.remove("console error: Failed to load resource: the server responded with a status of 404 (Not Found)")
    assert problems == []


def lines_of(page: Page, selector: str) -> list[tuple[str, int]]:
    """Each element's text and how many lines it takes."""
    return [(text, lines) for text, lines in page.evaluate("""selector => [...document.querySelectorAll(selector)].map(element => {
        const range = document.createRange(); range.selectNodeContents(element);
        return [element.textContent.trim(), new Set([...range.getClientRects()].map(rect => Math.round(rect.top))).size]; })""", selector)]


@pytest.mark.parametrize("name", ["home", "topic page 1", "submission", "search"])
def test_ids_stay_whole_on_a_phone(browser: Any, site_url: str, name: str) -> None:
    context = browser.new_context(viewport={"width": 320, "height": 640})
    try:
        page = context.new_page()
        page.goto(site_url + PAGES[name], wait_until="networkidle")
        if name == "search":
            page.wait_for_selector(".site-search__list .usa-collection__item")
        headings = [(text, lines) for text, lines in lines_of(page, "h1, .usa-collection__heading a") if ID.fullmatch(text)]
        assert headings, "no id headings on the page"
        assert [(text, lines) for text, lines in headings if lines != 1] == []
    finally:
        context.close()


def box(page: Page, selector: str) -> dict[str, float]:
    found = page.locator(selector).first.bounding_box()
    assert found, selector
    return found


def test_header_search_box_is_as_wide_as_the_content_on_a_phone(browser: Any, site_url: str) -> None:
    context = browser.new_context(viewport={"width": 375, "height": 812})
    try:
        page = context.new_page()
        page.goto(site_url + TOPIC, wait_until="networkidle")
        search, content = box(page, ".site-header .usa-search"), box(page, ".site-main h1")
        assert abs(search["x"] - content["x"]) <= 1 and abs(search["width"] - content["width"]) <= 1
    finally:
        context.close()


@pytest.mark.parametrize("width", list(WIDTHS))
def test_the_pager_sits_under_the_list_and_the_list_uses_the_width(browser: Any, site_url: str, width: str) -> None:
    context = browser.new_context(viewport=dict(zip(("width", "height"), WIDTHS[width])))
    try:
        page = context.new_page()
        page.goto(site_url + PAGES["topic page 2"], wait_until="networkidle")
        pager, column, main = box(page, ".usa-pagination__list"), box(page, ".site-listing"), box(page, ".site-main h1")
        assert column["x"] <= pager["x"] and pager["x"] + pager["width"] <= column["x"] + column["width"]
        item = box(page, ".site-listing .usa-collection__item")
        # The list reaches the right edge of the content: no empty band beside it on a wide screen.
        assert abs(item["x"] + item["width"] - (main["x"] + main["width"])) <= 1
    finally:
        context.close()
