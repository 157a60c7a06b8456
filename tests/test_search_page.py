"""The search page in headless Chromium, as a keyboard and screen-reader user meets it: label, live region, tab stops,
the topic filter on a phone, ?q= from the header, text zoom, hostile index data and a site built without an index."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, Route, expect
from conftest import MakeSite, run_topicsite, submission
from generator.commands.build import build_site
from generator.render import search
from generator.site.load import load
from served_site import serve
from test_browser import DISTINCTIVE, open_page, page, tab_to  # noqa: F401  (a fixture and helpers)

RESULTS = ".site-search__list .usa-collection__item"
RESULT_LINKS = ".site-search__list .usa-collection__heading a"
# Every text the role="status" region holds, recorded from the first script on: what a screen reader is handed.
RECORD_STATUS = """
window.statusTexts = [];
new MutationObserver(() => {
  const region = document.querySelector('[role=status]');
  if (region && region.textContent && region.textContent !== window.statusTexts.at(-1)) window.statusTexts.push(region.textContent);
}).observe(document, {subtree: true, childList: true, characterData: true});
"""


@pytest.fixture
def phone(browser: Any) -> Iterator[Page]:  # noqa: F811
    context = browser.new_context(viewport={"width": 375, "height": 812}, is_mobile=True, has_touch=True)
    yield context.new_page()
    context.close()


def test_the_count_is_announced_in_a_status_region(page: Page, site_url: str, sample_output: Path) -> None:  # noqa: F811
    # The region is in the served page, empty, before any search: a live region added later is not announced.
    html = (sample_output / "search/index.html").read_text(encoding="utf-8")
    assert '<p class="site-search__status" role="status"></p>' in html
    page.add_init_script(RECORD_STATUS)
    open_page(page, site_url + "search/?q=training")
    status = page.get_by_role("status")
    expect(status).to_have_text(re.compile(r"^\d+ results for “training”$"))
    count = int(status.inner_text().split()[0])
    assert count > 10 and page.locator(RESULTS).count() == 10
    page.get_by_label("Words to search for").fill(DISTINCTIVE[0])
    page.keyboard.press("Enter")
    expect(status).to_have_text(f"1 result for “{DISTINCTIVE[0]}”")
    page.get_by_label("Words to search for").fill("zzyzzyva")
    page.keyboard.press("Enter")
    expect(status).to_have_text("No results for “zzyzzyva”. Try other or fewer words.")
    assert page.evaluate("window.statusTexts") == [
        f"{count} results for “training”", f"1 result for “{DISTINCTIVE[0]}”", "No results for “zzyzzyva”. Try other or fewer words."]
    expect(page.locator(RESULTS)).to_have_count(0)


def test_the_search_box_has_a_visible_label(page: Page, site_url: str) -> None:  # noqa: F811
    open_page(page, site_url + "search/?q=training")
    box = page.get_by_label("Words to search for")
    expect(box).to_have_id("search-query")
    label = page.locator("label[for=search-query]")
    expect(label).to_be_visible()
    label_box, input_box = label.bounding_box(), box.bounding_box()
    assert label_box and input_box and label_box["height"] > 10 and label_box["y"] + label_box["height"] <= input_box["y"] + 1
    assert box.get_attribute("placeholder") is None, "a placeholder that vanishes while typing is no label"
    expect(page.get_by_role("search", name="Search submissions")).to_be_visible()
    expect(page.get_by_role("button", name="Search", exact=True)).to_have_count(2)  # the header's and the page's


def test_a_result_shows_title_submitter_date_and_a_marked_excerpt(page: Page, site_url: str, sample_output: Path) -> None:  # noqa: F811
    word, submission_id = DISTINCTIVE
    open_page(page, site_url + f"search/?q={word}")
    result = page.locator(RESULTS)
    expect(result).to_have_count(1)
    link = page.locator(RESULT_LINKS)
    expect(link).to_have_text(submission_id)
    assert link.get_attribute("href") == f"/tta/submissions/{submission_id}/"
    own_page = (sample_output / f"submissions/{submission_id}/index.html").read_text(encoding="utf-8")
    submitted = re.search(r'<p class="site-submitted" data-pagefind-ignore>Submitted by <span data-pagefind-meta="submitted_by">([^<]+)</span> on '
                          r'<time datetime="[^"]+" data-pagefind-meta="date">([^<]+)</time></p>', own_page)
    assert submitted, "the submission page no longer gives the index its submitter and date"
    expect(result.locator(".site-submitted")).to_have_text(f"Submitted by {submitted[1]} on {submitted[2]}")
    expect(result.locator(".site-search__excerpt mark")).to_have_text(re.compile(word, re.IGNORECASE))
    # The words around the submission ("Submitted by ... on") are not its text: searching them finds nothing.
    page.get_by_label("Words to search for").fill("submitted")
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_have_text("No results for “submitted”. Try other or fewer words.")


def visible_stop(page: Page, handle: Any) -> dict[str, Any]:  # noqa: F811
    """Where a tab stop is drawn: USWDS draws a checkbox on its label and moves the input itself off screen."""
    return page.evaluate("""el => {
      const shown = el.matches('.usa-checkbox__input') ? el.labels[0] : el;
      const box = shown.getBoundingClientRect();
      let opacity = 1;
      for (let node = shown; node; node = node.parentElement) opacity *= parseFloat(getComputedStyle(node).opacity);
      return {x: box.left + window.scrollX, width: box.width, height: box.height, opacity,
              visibility: getComputedStyle(shown).visibility, hidden: !!el.closest('[hidden], [aria-hidden=true]'),
              html: el.outerHTML.slice(0, 100)};
    }""", handle)


def test_every_tab_stop_is_visible_and_in_order(page: Page, site_url: str) -> None:  # noqa: F811
    open_page(page, site_url + "search/?q=training")
    page.locator("#search-query").focus()
    assert page.locator("[tabindex]:not([tabindex='-1']):not([tabindex='0'])").count() == 0, "a positive tabindex reorders tab stops"
    stops: list[str] = []
    for _ in range(60):
        handle = page.evaluate_handle("document.activeElement")
        if not page.evaluate("el => document.getElementById('main-content').contains(el)", handle):
            break
        drawn = visible_stop(page, handle)
        assert drawn["width"] > 0 and drawn["height"] > 0 and drawn["opacity"] > 0.5 and drawn["visibility"] == "visible" \
            and not drawn["hidden"] and 0 <= drawn["x"] < 1280, f"an invisible tab stop: {drawn}"
        stops.append(page.evaluate("""el => el.id === 'search-query' ? 'box' : el.type === 'submit' ? 'submit'
            : el.matches('.usa-accordion__button') ? 'filter' : el.type === 'checkbox' ? 'topic'
            : el.closest('.site-search__list') ? 'result' : el.matches('.site-search__more') ? 'more' : el.outerHTML.slice(0, 80)""", handle))
        page.keyboard.press("Tab")
    topics = page.locator(".site-search__topics input").count()
    assert topics == 5
    assert stops == ["box", "submit", "filter", *["topic"] * topics, *["result"] * 10, "more"]


def test_show_more_moves_focus_to_the_first_new_result(page: Page, site_url: str) -> None:  # noqa: F811
    open_page(page, site_url + "search/?q=training")
    total = int(page.get_by_role("status").inner_text().split()[0])
    assert 10 < total <= 20
    tab_to(page, ".site-search__more")
    page.keyboard.press("Enter")
    expect(page.locator(RESULTS)).to_have_count(total)
    assert page.evaluate("document.activeElement === document.querySelectorAll('.site-search__list > li')[10].querySelector('a')")
    expect(page.locator(".site-search__more")).to_be_hidden()


def test_query_from_the_header_fills_the_box_runs_and_stays_in_the_header(page: Page, site_url: str) -> None:  # noqa: F811
    word = DISTINCTIVE[0]
    open_page(page, site_url)
    page.locator("#header-search").fill(word)
    page.locator("#header-search").press("Enter")
    page.wait_for_url(site_url + f"search/?q={word}")
    expect(page.locator("#search-query")).to_have_value(word)
    expect(page.locator("#header-search")).to_have_value(word)
    expect(page.get_by_role("status")).to_have_text(f"1 result for “{word}”")
    # A new search from the page's own box updates the address and the header's box too.
    page.locator("#search-query").fill("training")
    page.locator("#search-query").press("Enter")
    expect(page.get_by_role("status")).to_have_text(re.compile("results for “training”"))
    assert page.url == site_url + "search/?q=training"
    expect(page.locator("#header-search")).to_have_value("training")


def test_topic_filter_is_closed_on_a_phone_and_open_beside_results_on_a_desktop(phone: Page, page: Page, site_url: str) -> None:  # noqa: F811
    open_page(phone, site_url + "search/?q=training")
    button = phone.get_by_role("button", name="Filter by topic")
    expect(button).to_have_attribute("aria-expanded", "false")
    expect(phone.locator("#search-topics")).to_be_hidden()
    first = phone.locator(RESULTS).first.bounding_box()
    assert first and first["y"] < 812, f"the first result starts {first} px down, below a phone's first screen"
    button.click()
    expect(button).to_have_attribute("aria-expanded", "true")
    expect(phone.get_by_role("checkbox", name=re.compile("Officer safety"))).to_be_attached()
    expect(phone.locator("label", has_text="Officer safety")).to_be_visible()
    open_page(page, site_url + "search/?q=training")
    expect(page.get_by_role("button", name="Filter by topic")).to_have_attribute("aria-expanded", "true")
    filters, results = page.locator(".site-search__filters").bounding_box(), page.locator(".site-search__results").bounding_box()
    assert filters and results and filters["x"] + filters["width"] <= results["x"] and abs(filters["y"] - results["y"]) < 2


def test_text_zoom_to_200_percent_keeps_results_readable(browser: Any, site_url: str) -> None:  # noqa: F811
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        tab = context.new_page()
        open_page(tab, site_url + "search/?q=training")
        before = tab.evaluate("parseFloat(getComputedStyle(document.querySelector('.site-search__excerpt')).fontSize)")
        # Chromium's own text-only zoom: the default font size doubled (what "Font size: Very large" sets), not a page zoom.
        context.new_cdp_session(tab).send("Page.setFontSizes", {"fontSizes": {"standard": 32}})
        tab.wait_for_function(f"parseFloat(getComputedStyle(document.querySelector('.site-search__excerpt')).fontSize) >= {before * 1.9}")
        for selector in [".site-search__status", ".usa-collection__heading", ".site-submitted", ".usa-checkbox__label", "#search-query"]:
            size = tab.evaluate(f"parseFloat(getComputedStyle(document.querySelector('{selector}')).fontSize)")
            assert size >= 24, f"{selector} did not follow the text size ({size}px)"
        widths = tab.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
        assert widths[0] <= widths[1], f"the zoomed search page scrolls sideways: {widths}"
        boxes = tab.evaluate("""[...document.querySelectorAll('.site-search__list > li, .site-search__topics .usa-checkbox')].map(el => {
            const b = el.getBoundingClientRect();
            return {top: b.top, bottom: b.bottom, left: b.left, right: b.right,
                    clipped: [...el.querySelectorAll('*')].some(c => c.scrollWidth > c.clientWidth + 1 && getComputedStyle(c).overflowX !== 'visible')};
        })""")
        assert not [b for b in boxes if b["clipped"]], "text is clipped in a zoomed result or topic"
        for upper, lower in pairwise(boxes[:5]):  # the topics, one under another
            assert upper["bottom"] <= lower["top"] + 0.5, f"zoomed topics overlap: {upper} {lower}"
        results = boxes[5:]
        for upper, lower in pairwise(results):
            assert upper["bottom"] <= lower["top"] + 0.5, f"zoomed results overlap: {upper} {lower}"
    finally:
        context.close()


def fake_bundle(route: Route, result: dict[str, Any]) -> None:
    """A pagefind.js whose one result carries hostile markup in every field, as a damaged or foreign index might."""
    data = json.dumps(result)
    route.fulfill(status=200, content_type="text/javascript", body=f"""
        export async function options() {{}}
        export async function filters() {{ return {{topic: {{"<b>Bold</b> topic": 1}}}}; }}
        export async function search() {{ return {{results: [{{data: async () => ({data})}}], totalFilters: {{topic: {{"<b>Bold</b> topic": 1}}}}}}; }}
    """)


def test_hostile_index_data_is_shown_as_text(page: Page, site_url: str) -> None:  # noqa: F811
    events: list[str] = []
    page.on("dialog", lambda dialog: (events.append(dialog.message), dialog.dismiss()))
    page.on("request", lambda request: events.append(request.url) if "x.png" in request.url or "evil" in request.url else None)
    result = {"url": "javascript:alert(1)", "excerpt": "<img src=x.png onerror=alert(2)>before <mark>word</mark> <script>alert(3)</script>after",
              "meta": {"title": "<img src=evil.png onerror=alert(4)>Title", "submitted_by": "<b>Name</b>", "date": "Today"}}
    page.route(re.compile(r".*/pagefind/pagefind\.js$"), lambda route: fake_bundle(route, result))
    page.goto(site_url + "search/?q=word", wait_until="networkidle")
    item = page.locator(RESULTS)
    expect(item).to_have_count(1)
    expect(item.locator(".usa-collection__heading")).to_have_text("<img src=evil.png onerror=alert(4)>Title")
    assert item.locator("a").get_attribute("href") is None
    expect(item.locator(".site-submitted")).to_have_text("Submitted by <b>Name</b> on Today")
    expect(item.locator(".site-search__excerpt")).to_have_text("before word alert(3)after")
    expect(item.locator(".site-search__excerpt mark")).to_have_text("word")
    assert item.locator("img, script, b").count() == 0 and page.locator(".site-search__topics b").count() == 0
    page.wait_for_timeout(300)
    assert events == []


def test_a_site_without_its_index_says_search_is_unavailable(page: Page, site_url: str) -> None:  # noqa: F811
    page.route(re.compile(r".*/pagefind/pagefind\.js$"), lambda route: route.fulfill(status=404, body="not found"))
    page.goto(site_url + "search/?q=training", wait_until="networkidle")
    expect(page.get_by_role("status")).to_have_text("Search is not available on this copy of the site.")
    expect(page.locator(".site-search__form")).to_be_hidden()
    expect(page.locator(".site-search__filters")).to_be_hidden()


def test_without_javascript_the_page_says_search_needs_it(browser: Any, site_url: str, sample_output: Path) -> None:  # noqa: F811
    html = (sample_output / "search/index.html").read_text(encoding="utf-8")
    noscript = re.search(r"<noscript>(.*?)</noscript>", html, re.DOTALL)
    assert noscript and "Search needs JavaScript" in noscript[1] and 'href="/tta/topics/"' in noscript[1]
    context = browser.new_context(java_script_enabled=False)
    try:
        tab = context.new_page()
        tab.goto(site_url + "search/?q=training", wait_until="networkidle")
        expect(tab.locator(RESULTS)).to_have_count(0)
        expect(tab.locator(".site-search__filters")).to_be_hidden()
    finally:
        context.close()


# Three submissions in the topic "Mental health"; only the second says "mental" or "health" in its text.
CHROME_SITE: dict[str, str | bytes | None] = {
    "content/topics/mental-health.md": "---\ntitle: Mental health\n---\nRequests about counselling.\n",
    "content/submissions/2023/20230401-10000-01.md": submission(topics="mental-health", body="We ask for training on night patrols."),
    "content/submissions/2023/20230402-10000-02.md": submission(topics="mental-health, community-policing",
                                                                body="Our officers need mental health first aid."),
    "content/submissions/2023/20230403-10000-03.md": submission(topics="mental-health", body="Radios for the dispatch room."),
}


@pytest.mark.parametrize(("word", "found"), [
    ("mental", ["20230402-10000-02"]),  # in every page's topic list and topic filter, in one submission's text
    ("health", ["20230402-10000-02"]),
    ("policing", []),  # only a topic name
    ("counselling", []),  # only the topic's description
    ("topics", []),  # the heading over each page's topic list
    ("submitted", []),  # "Submitted by ..."
    ("radios", ["20230403-10000-03"]),
])
def test_words_of_the_page_around_a_submission_find_nothing(page: Page, make_site: MakeSite, word: str, found: list[str]) -> None:  # noqa: F811
    site = make_site(CHROME_SITE)
    assert run_topicsite("build", site, "-q").returncode == 0
    with serve(site / "output") as url:
        page.goto(url + f"search/?q={word}", wait_until="networkidle")
        status = f"{len(found)} result for “{word}”" if found else f"No results for “{word}”. Try other or fewer words."
        expect(page.get_by_role("status")).to_have_text(status)
        expect(page.locator(RESULT_LINKS)).to_have_text(found)
        # The topic is still a filter of all three.
        expect(page.get_by_role("checkbox", name=re.compile("Mental health"))).to_be_attached()


def sharded_site(make_site: MakeSite) -> tuple[Path, dict[str, int]]:
    """A site of nine submissions built with shards of two (five bundles): each says "patrol" but one says it most,
    and only three are in the topic "Mental health". Also gives each submission's shard."""
    files: dict[str, str | bytes | None] = {"content/topics/mental-health.md": "---\ntitle: Mental health\n---\nRequests about counselling.\n"}
    for n in range(1, 10):
        body = "Patrol patrol patrol on every night patrol." if n == 5 else f"One patrol, and request number {n} about other matters entirely."
        topics = "mental-health" if n in (2, 5, 7) else "community-policing"
        files[f"content/submissions/2023/20230401-1000{n}-01.md"] = submission(date=f"2023-04-0{n} 10:00:00", topics=topics, body=body)
    site = make_site(files)
    loaded = load(site)
    return site, {s.id: search.shard_of(s.id, 5) for s in loaded.submissions}


def test_a_sharded_index_is_searched_as_one(page: Page, make_site: MakeSite, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    monkeypatch.setattr(search, "SHARD_SIZE", 2)
    site, shard_of = sharded_site(make_site)
    with ThreadPoolExecutor(1) as thread:  # Playwright's event loop runs in this one; Pagefind's needs its own
        thread.submit(build_site, site).result()
    parts = json.loads((site / "output/pagefind/topicsite-parts.json").read_bytes())["parts"]
    assert parts == [f"part-{n}/" for n in sorted(set(shard_of.values()) - {0})]  # a shard without submissions has no bundle
    in_topic = {i for i in shard_of if i.startswith(("20230401-10002", "20230401-10005", "20230401-10007"))}
    topic_shards = {shard_of[i] for i in in_topic}
    # The topic is in several shards and missing from others: a shard without the value must give nothing, not all.
    assert len(topic_shards) > 1 and set(shard_of.values()) - topic_shards, "the test needs submissions in several shards"
    failed: list[str] = []
    page.on("response", lambda response: failed.append(response.url) if response.status >= 400 else None)
    with serve(site / "output") as url:
        open_page(page, url + "search/?q=patrol")
        expect(page.get_by_role("status")).to_have_text("9 results for “patrol”")
        assert failed == [], "a part of the index asked for a file it does not have"
        links = page.locator(RESULT_LINKS)
        expect(links.first).to_have_text("20230401-10005-01")  # it says the word most, whatever its shard
        # The filter lists the topics of every shard, with counts summed over them, and searches within all of them.
        expect(page.get_by_role("checkbox", name="Mental health (3)")).to_be_attached()
        page.locator("label", has_text="Mental health").click()
        expect(page.get_by_role("status")).to_have_text("3 results for “patrol” in 1 topic")
        assert sorted(links.all_inner_texts()) == sorted(in_topic)
        page.get_by_label("Words to search for").fill("")
        page.keyboard.press("Enter")
        expect(page.get_by_role("status")).to_have_text("3 submissions in 1 topic")
        assert sorted(links.all_inner_texts()) == sorted(in_topic)
