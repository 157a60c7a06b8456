"""`topicsite serve`'s build error panel in headless Chromium: visible, clear of the header, dismissible, accessible."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from conftest import submission
from serving import Server
from test_browser import FOCUS_STYLE, checker_violations

SUBMISSION = "content/submissions/2023/20230331-82332-92.md"
PAGE = "submissions/20230331-82332-92/"
PANEL = "#topicsite-build-errors"


@pytest.fixture
def broken(serving: Callable[..., Server]) -> Server:
    """A running serve whose newest build failed over a good one."""
    server = serving()
    build = server.status()["build"]
    (server.site / SUBMISSION).write_text(submission(topics="no-such-topic"))
    assert server.wait_for_build_after(build)["ok"] is False
    return server


@pytest.fixture(params=[(1280, 900), (320, 640)], ids=["wide", "narrow"])
def page(browser: Any, request: pytest.FixtureRequest) -> Iterator[Page]:
    width, height = request.param
    context = browser.new_context(viewport={"width": width, "height": height})
    yield context.new_page()
    context.close()


def overlaps(a: dict[str, float], b: dict[str, float]) -> bool:
    return a["x"] < b["x"] + b["width"] and b["x"] < a["x"] + a["width"] and a["y"] < b["y"] + b["height"] and b["y"] < a["y"] + a["height"]


def test_the_errors_show_without_covering_the_header(broken: Server, page: Page) -> None:
    page.goto(broken.url + PAGE, wait_until="networkidle")
    panel = page.locator(PANEL)
    expect(panel).to_be_visible()
    expect(panel).to_contain_text(f"{SUBMISSION}:4: unknown topic 'no-such-topic'")
    expect(page.get_by_role("dialog", name="The site does not build")).to_be_visible()
    header, box = page.locator("header.site-header").bounding_box(), panel.bounding_box()
    assert header and box and not overlaps(header, box), (header, box)
    assert box["y"] + box["height"] <= page.viewport_size["height"] + 1  # type: ignore[index]  # pinned to the bottom, on screen
    assert page.evaluate("document.querySelector('.site-nav__link').contains("
                         "document.elementFromPoint(...(r => [r.x + 2, r.y + 2])(document.querySelector('.site-nav__link').getBoundingClientRect())))")
    violations = checker_violations(page)
    assert not violations, "WCAG 2.1 A/AA violations with the build errors shown:\n" + "\n".join(violations)


def test_the_errors_hide_by_click_and_by_keyboard_until_the_next_failed_build(broken: Server, page: Page) -> None:
    page.goto(broken.url + PAGE, wait_until="networkidle")
    page.get_by_role("button", name="Hide errors").click()
    expect(page.locator(PANEL)).to_be_hidden()
    page.reload(wait_until="networkidle")
    expect(page.locator(PANEL)).to_be_visible()
    page.keyboard.press("Tab")  # the panel comes first in the page: its button is the first tab stop
    expect(page.locator(":focus")).to_have_text("Hide errors")
    focus = page.locator(":focus").evaluate(FOCUS_STYLE)
    assert focus["outline"] or focus["shadow"], f"no visible focus on the button: {focus}"
    page.keyboard.press("Tab")  # then the list, which scrolls when long
    expect(page.locator(":focus")).to_have_attribute("aria-label", "Build errors")
    assert page.locator(":focus").evaluate(FOCUS_STYLE)["outline"]
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Enter")
    expect(page.locator(PANEL)).to_be_hidden()
    build = broken.status()["build"]
    (broken.site / SUBMISSION).write_text(submission(topics="another-unknown-topic"))
    broken.wait_for_build_after(build)
    panel = page.locator(PANEL)  # the open tab reloads by itself, and the errors are back
    expect(panel).to_contain_text(f"{SUBMISSION}:4: unknown topic 'another-unknown-topic'", timeout=20_000)
    expect(panel).to_be_visible()


def test_the_errors_hide_with_javascript_off(broken: Server, browser: Any) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(broken.url + PAGE)
    page.get_by_role("button", name="Hide errors").click()
    expect(page.locator(PANEL)).to_be_hidden()
    context.close()
