"""The built sample site in headless Chromium: axe-core and IBM Equal Access (WCAG 2.1 A and AA), keyboard use, and search."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from conftest import REPO

AXE = REPO / "node_modules/axe-core/axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
ACE = REPO / "node_modules/accessibility-checker-engine/ace.js"
TOPIC = "topics/community-police-relations-and-public-trust/"
SUBMISSION = "submissions/20230907-125328-94/"
ALIAS = "taxonomy/term/3485/"
# One word that only one sample submission uses, and that submission.
DISTINCTIVE = ("bakery", "20210928-164002-50")
PAGES = {
    "home": "",
    "topics index": "topics/",
    "topic page 1": TOPIC,
    "topic page 2": TOPIC + "page/2/",
    "submission": SUBMISSION,
    "404": "no/such/page/",
    "search": "search/?q=training",
}


@pytest.fixture
def page(browser: Any) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    yield tab
    context.close()


def open_page(page: Page, url: str) -> None:
    page.goto(url, wait_until="networkidle")
    if "search/?q=" in url:
        page.wait_for_selector(".site-search__list .usa-collection__item", timeout=10_000)


def axe_violations(page: Page) -> list[str]:
    """Run axe-core on the page with the WCAG 2.1 A/AA tags; one readable line per failing element."""
    assert AXE.is_file(), f"{AXE} is missing: run `npm ci --ignore-scripts` (make test does)"
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})", AXE_TAGS)
    lines = []
    for violation in result["violations"]:
        for node in violation["nodes"]:
            lines.append(f"  {violation['id']} ({violation['impact']}): {violation['help']}\n"
                         f"    at {' '.join(node['target'])}: {node['html'][:160]}\n"
                         f"    {node.get('failureSummary', '').replace(chr(10), ' ')}")
    return lines


def ace_violations(page: Page) -> list[str]:
    """Run IBM Equal Access under its WCAG 2.1 policy; one readable line per violation it is sure of (value VIOLATION, FAIL).

    Its "potential" findings and recommendations ask a person to look (such as "is this text a heading?"); axe and the
    keyboard tests here cover what of them a machine can decide."""
    assert ACE.is_file(), f"{ACE} is missing: run `npm ci --ignore-scripts` (make test does)"
    page.add_script_tag(path=str(ACE))
    results = page.evaluate("""async () => (await new ace.Checker().check(document, ["WCAG_2_1"])).results
        .filter(r => r.value[0] === "VIOLATION" && r.value[1] === "FAIL")
        .map(r => ({rule: r.ruleId, message: r.message, path: r.path.dom, snippet: (r.snippet || "").slice(0, 160)}))""")
    return [f"  {r['rule']}: {r['message']}\n    at {r['path']}: {r['snippet']}" for r in results]


def checker_violations(page: Page) -> list[str]:
    """Both engines' violations, each line marked with the engine that found it."""
    return [f"axe-core:{line}" for line in axe_violations(page)] + [f"IBM Equal Access:{line}" for line in ace_violations(page)]


@pytest.mark.parametrize("name", list(PAGES))
def test_checkers_find_no_wcag_violations(page: Page, site_url: str, name: str) -> None:
    open_page(page, site_url + PAGES[name])
    violations = checker_violations(page)
    assert not violations, f"WCAG 2.1 A/AA violations on the {name} page ({PAGES[name]}):\n" + "\n".join(violations)


def test_checkers_on_alias_page_before_it_redirects(page: Page, site_url: str) -> None:
    # Answer the meta refresh's request with 204 No Content: the browser then stays on the alias page.
    redirected: list[str] = []
    page.route(re.compile(re.escape(site_url + TOPIC) + "$"),
               lambda route: (redirected.append(route.request.url), route.fulfill(status=204)))
    page.goto(site_url + ALIAS, wait_until="load")
    page.wait_for_timeout(300)
    assert redirected, "the alias page did not redirect to its topic"
    expect(page.locator("h1")).to_have_text("This page has moved")
    violations = checker_violations(page)
    assert not violations, "WCAG 2.1 A/AA violations on the alias page:\n" + "\n".join(violations)


def test_checkers_report_violations_they_find(page: Page, site_url: str) -> None:
    # Guards the guard: an empty list above must mean "no violations", not "an engine did not run".
    open_page(page, site_url)
    page.evaluate("document.querySelector('main').insertAdjacentHTML('beforeend', '<img src=x.png><a href=/x></a>')")
    found = "\n".join(axe_violations(page))
    assert "image-alt" in found and "link-name" in found
    found = "\n".join(ace_violations(page))
    assert "img_alt_valid" in found and "a_text_purpose" in found


def test_alias_redirects_to_its_topic(page: Page, site_url: str) -> None:
    page.goto(site_url + ALIAS)
    page.wait_for_url(site_url + TOPIC, timeout=10_000)
    expect(page.locator("h1")).to_have_text("Community / police relations and public trust")


def test_skip_link_is_first_tab_stop_and_moves_focus_to_main(page: Page, site_url: str) -> None:
    open_page(page, site_url + TOPIC)
    page.keyboard.press("Tab")
    skip = page.locator(":focus")
    expect(skip).to_have_text("Skip to main content")
    # USWDS slides the skip link in with a short transition: wait for it to arrive, then measure.
    page.wait_for_function("() => document.activeElement.getBoundingClientRect().top >= 0", timeout=3000)
    box = skip.bounding_box()
    assert box and box["y"] >= 0 and box["x"] >= 0 and box["width"] > 10, f"the focused skip link is not on screen: {box}"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main-content"
    page.keyboard.press("Tab")
    assert page.evaluate("document.getElementById('main-content').contains(document.activeElement)")


FOCUS_STYLE = """el => {
  const s = getComputedStyle(el);
  return {outline: s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0 ? s.outlineStyle + ' ' + s.outlineWidth + ' ' + s.outlineColor : '',
          shadow: s.boxShadow === 'none' ? '' : s.boxShadow,
          html: el.outerHTML.slice(0, 120)};
}"""


@pytest.mark.parametrize("path", ["", TOPIC + "page/2/", SUBMISSION, "search/?q=training"])
def test_every_tab_stop_shows_a_visible_focus(page: Page, site_url: str, path: str) -> None:
    open_page(page, site_url + path)
    seen: list[str] = []
    missing: list[str] = []
    for _ in range(200):
        page.keyboard.press("Tab")
        element = page.locator(":focus")
        if element.count() == 0:
            break
        handle = element.element_handle()
        key = page.evaluate("el => el.outerHTML", handle)
        if seen and key == seen[0]:
            break
        seen.append(key)
        focused = page.evaluate(FOCUS_STYLE, handle)
        page.evaluate("el => el.blur()", handle)
        unfocused = page.evaluate(FOCUS_STYLE, handle)
        if not focused["outline"] and focused["shadow"] == unfocused["shadow"]:
            missing.append(focused["html"])
        page.evaluate("el => el.focus()", handle)
    assert len(seen) > 5, f"only {len(seen)} tab stops on {path or 'the home page'}"
    assert not missing, "these elements show no focus indicator:\n" + "\n".join(missing)


def tab_to(page: Page, selector: str, limit: int = 150) -> None:
    """Press Tab until the element matching `selector` has focus."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("sel => document.activeElement && document.activeElement.matches(sel)", selector):
            return
    raise AssertionError(f"Tab never reached {selector}")


def test_pager_works_by_keyboard(page: Page, site_url: str) -> None:
    open_page(page, site_url + TOPIC)
    tab_to(page, ".usa-pagination__next-page")
    page.keyboard.press("Enter")
    page.wait_for_url(site_url + TOPIC + "page/2/")
    expect(page.locator(".usa-pagination [aria-current=page]")).to_have_text("2")
    tab_to(page, ".usa-pagination__previous-page")
    page.keyboard.press("Enter")
    page.wait_for_url(site_url + TOPIC)


def test_header_search_by_keyboard_finds_a_distinctive_word(page: Page, site_url: str) -> None:
    word, submission_id = DISTINCTIVE
    open_page(page, site_url)
    tab_to(page, "#header-search")
    page.keyboard.type(word)
    page.keyboard.press("Enter")
    page.wait_for_url(site_url + f"search/?q={word}")
    results = page.locator(".site-search__list .usa-collection__heading a")
    expect(results).to_have_count(1, timeout=10_000)
    expect(results.first).to_have_text(submission_id)
    assert results.first.get_attribute("href") == f"/tta/submissions/{submission_id}/"
    results.first.focus()
    page.keyboard.press("Enter")
    page.wait_for_url(site_url + f"submissions/{submission_id}/")


def result_count(page: Page) -> int:
    """The number in the search page's "N results for ..." status line."""
    message = page.get_by_role("status")
    expect(message).to_have_text(re.compile(r"^\d+ results? for"), timeout=10_000)
    return int(message.inner_text().split()[0])


def test_search_filters_by_topic(page: Page, site_url: str, sample_output: Path) -> None:
    open_page(page, site_url + "search/?q=training")
    everything = result_count(page)
    topic = "Officer safety and wellness"
    checkbox = page.get_by_role("checkbox", name=re.compile(topic))
    checkbox.focus()
    page.keyboard.press("Space")
    expect(checkbox).to_be_checked()
    expect(page.get_by_role("status")).to_have_text(re.compile(r" in 1 topic$"), timeout=10_000)
    in_topic = result_count(page)
    assert 0 < in_topic < everything
    # The page shows ten results at a time, then a "Show more results" button.
    links = page.locator(".site-search__list .usa-collection__heading a")
    expect(links).to_have_count(min(in_topic, 10), timeout=10_000)
    topic_page = (sample_output / "topics/officer-safety-and-wellness/index.html").read_text(encoding="utf-8")
    for href in links.evaluate_all("links => links.map(a => a.getAttribute('href'))"):
        assert f'href="{href}"' in topic_page, f"{href} is not on {topic}"


@pytest.mark.parametrize("name", list(PAGES))
def test_no_horizontal_scrolling_at_320_pixels(browser: Any, site_url: str, name: str) -> None:
    context = browser.new_context(viewport={"width": 320, "height": 640})
    try:
        tab = context.new_page()
        open_page(tab, site_url + PAGES[name])
        widths = tab.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
        assert widths[0] <= widths[1], f"the {name} page scrolls sideways at 320 px: {widths[0]} > {widths[1]}"
    finally:
        context.close()


def test_print_drops_navigation_and_keeps_the_submissions(page: Page, site_url: str) -> None:
    open_page(page, site_url + TOPIC)
    page.emulate_media(media="print")
    for selector in [".usa-banner", ".site-nav", ".site-header .usa-search", ".usa-pagination", ".site-subscribe", ".usa-skipnav"]:
        expect(page.locator(selector).first).to_be_hidden()
    expect(page.locator("h1")).to_be_visible()
    expect(page.locator(".site-submission").first).to_be_visible()
    assert page.locator(".site-submission").count() == 10


def test_pages_work_without_javascript(browser: Any, site_url: str) -> None:
    context = browser.new_context(java_script_enabled=False)
    try:
        tab = context.new_page()
        open_page(tab, site_url + TOPIC)
        tab.locator(".usa-pagination__next-page").click()
        tab.wait_for_url(site_url + TOPIC + "page/2/")
        expect(tab.locator(".site-submission").first).to_be_visible()
        tab.locator("#header-search").fill("bakery")
        tab.locator("#header-search").press("Enter")
        tab.wait_for_url(site_url + "search/?q=bakery")
        # Chromium with scripts switched off by DevTools still parses <noscript> as text, so read the source.
        assert "<noscript>" in tab.content() and "Search needs JavaScript, which is off in this browser." in tab.content()
    finally:
        context.close()
