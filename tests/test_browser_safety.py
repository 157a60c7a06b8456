"""A real browser as the judge of safety: every page of the markup-attack site, opened in headless Chromium."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from served_site import serve

from test_hostile import attack_site  # noqa: F401  (a fixture: the site built from every attack)


def visit(chromium: Any, url: str, local_host: str) -> list[str]:
    """Open a page and report every dialog, console message, page error and request to another host."""
    events: list[str] = []
    context = chromium.new_context(java_script_enabled=True)
    page = context.new_page()
    page.on("dialog", lambda dialog: (events.append(f"dialog: {dialog.message}"), dialog.dismiss()))
    # A missing local image (an attack's <img src=x>) logs a failed load: a request to our own server, not a script.
    page.on("console", lambda message: None if message.text.startswith("Failed to load resource")
            else events.append(f"console {message.type}: {message.text}"))
    page.on("pageerror", lambda error: events.append(f"page error: {error}"))
    page.on("request", lambda request: None if urlsplit(request.url).netloc == local_host or request.url.startswith("data:")
            else events.append(f"request to {request.url}"))
    page.goto(url, wait_until="networkidle")
    page.wait_for_timeout(200)
    for element in page.query_selector_all("main a, main img, main p, main div")[:80]:
        for event in ("mouseover", "mouseenter", "focus"):  # fire any handler that survived sanitizing
            element.dispatch_event(event)
    context.close()
    return events


def test_no_attack_runs_in_a_real_browser(attack_site: Path, browser: Any) -> None:  # noqa: F811
    pages = sorted(p.relative_to(attack_site).as_posix() for p in attack_site.rglob("*.html"))
    assert len(pages) > 30
    with serve(attack_site) as root:
        host = urlsplit(root).netloc
        findings = {}
        for name in pages:
            path = name.removesuffix("index.html")
            events = visit(browser, root + path, host)
            if events:
                findings[name] = events
    assert findings == {}
