"""What the preview shows besides the site: the newest build's state, the live reload script, and build errors over the page."""

from __future__ import annotations

import html
import re
import threading
import time
from dataclasses import dataclass

from ..errors import Problem

INTERNAL = "/__topicsite/"  # the preview server's own endpoints; never part of a built site
RELOAD_JS = b"""// topicsite serve: reload when a newer build is ready. Only the preview server adds this script.
(() => {
  const built = document.currentScript.dataset.build;
  const events = new EventSource("/__topicsite/events");
  events.onmessage = (event) => { if (event.data !== built) { events.close(); location.reload(); } };
})();
"""
# The errors are a panel pinned to the bottom, so the page's header and navigation stay usable; it scrolls when long.
# A non-modal <dialog> closes by its <form method="dialog"> button without any script, and, being served, not built,
# comes back with the reload that follows the next failed build. Selectors by id, so the site's CSS cannot restyle it.
OVERLAY_CSS = """
#topicsite-build-errors{position:fixed;inset:auto 0 0 0;margin:0;width:auto;max-width:none;max-height:45vh;
z-index:2147483647;box-sizing:border-box;background:#fff;color:#1b1b1b;border:0;border-top:8px solid #b50909;
box-shadow:0 -4px 16px rgba(0,0,0,.4);padding:.75rem 1rem;font:16px/1.5 system-ui,sans-serif;text-align:left}
#topicsite-build-errors[open]{display:flex;flex-direction:column}
#topicsite-build-errors form{display:flex;flex-wrap:wrap;gap:.5rem 1rem;align-items:center;margin:0 0 .5rem}
#topicsite-build-errors h2{flex:1 1 12rem;margin:0;font:bold 1.5rem/1.2 system-ui,sans-serif;color:#b50909}
#topicsite-build-errors button{font:bold 16px/1.5 system-ui,sans-serif;padding:.25rem 1rem;background:#1b1b1b;color:#fff;
border:0;border-radius:4px;cursor:pointer}
#topicsite-build-errors div{overflow:auto;min-height:3rem}
#topicsite-build-errors p{margin:0 0 .5rem;max-width:none}
#topicsite-build-errors pre{white-space:pre-wrap;overflow-wrap:anywhere;margin:0;font:14px/1.5 ui-monospace,monospace}
#topicsite-build-errors :focus-visible{outline:4px solid #005ea2;outline-offset:2px}
"""
BODY_OPEN = re.compile(rb"<body\b[^>]*>", re.IGNORECASE)
BODY_CLOSE = re.compile(rb"</body\s*>", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Snapshot:
    """What the server shows: the newest build attempt's id, its errors (none after a good build), the site's path."""

    build_id: str
    problems: tuple[Problem, ...]
    base_path: str


class BuildState:
    """The newest build attempt, shared between the builder thread and the request threads."""

    def __init__(self, base_path: str) -> None:
        self._changed = threading.Condition()
        self._instance = format(int(time.time() * 1000) % 10**8, "x")
        self._count = 0
        self.closed = False
        self.snapshot = Snapshot(f"{self._instance}.0", (), base_path)

    def record(self, problems: tuple[Problem, ...], base_path: str | None = None) -> None:
        """A build attempt finished: with problems it failed, and the last good output stays."""
        with self._changed:
            self._count += 1
            self.snapshot = Snapshot(f"{self._instance}.{self._count}", problems, base_path or self.snapshot.base_path)
            self._changed.notify_all()

    def wait_for_change(self, seen: str, timeout: float) -> None:
        """Block until a build attempt newer than `seen`, the server stops, or the timeout passes."""
        with self._changed:
            self._changed.wait_for(lambda: self.closed or self.snapshot.build_id != seen, timeout)

    def close(self) -> None:
        with self._changed:
            self.closed = True
            self._changed.notify_all()


def inject(page: bytes, snapshot: Snapshot) -> bytes:
    """Add the live reload script, and the build errors over the page when the newest build failed."""
    script = f'<script src="{INTERNAL}reload.js" data-build="{snapshot.build_id}"></script>'.encode()
    closing = list(BODY_CLOSE.finditer(page))
    at = closing[-1].start() if closing else len(page)
    page = page[:at] + script + page[at:]
    if snapshot.problems:
        opening = BODY_OPEN.search(page)
        after = opening.end() if opening else 0
        page = page[:after] + error_overlay(snapshot.problems) + page[after:]
    return page


def error_overlay(problems: tuple[Problem, ...]) -> bytes:
    """The build errors, each as path:line: message, in a panel at the bottom of the page that a button hides."""
    lines = "\n".join(html.escape(problem.format()) for problem in problems)
    # The list scrolls inside the panel, after the button: the button is the panel's first tab stop, then the list
    # (focusable, so that a keyboard can scroll it).
    return (f'<style>{OVERLAY_CSS}</style>'
            '<dialog id="topicsite-build-errors" open aria-labelledby="topicsite-build-errors-title">'
            '<form method="dialog"><h2 id="topicsite-build-errors-title">The site does not build</h2>'
            '<button type="submit">Hide errors</button></form>'
            '<div tabindex="0" role="region" aria-label="Build errors">'
            '<p>Fix these and save: the page reloads by itself. The page shows the last good build.</p>'
            f'<pre>{lines}</pre></div></dialog>').encode()
