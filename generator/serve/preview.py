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
OVERLAY_STYLE = ("position:fixed;top:0;left:0;right:0;max-height:75vh;overflow:auto;z-index:2147483647;"
                 "background:#fff;color:#1b1b1b;border-top:8px solid #b50909;box-shadow:0 4px 16px rgba(0,0,0,.4);"
                 "padding:1rem 2rem;font:16px/1.5 system-ui,sans-serif")
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
    """The build errors as a panel over the page, each as path:line: message."""
    lines = "\n".join(html.escape(problem.format()) for problem in problems)
    return (f'<div id="topicsite-build-errors" role="alert" style="{OVERLAY_STYLE}">'
            f'<h1 style="margin:0 0 .5rem;font-size:1.5rem;color:#b50909">The site does not build</h1>'
            f'<p style="margin:0 0 .5rem">Fix these and save: the page reloads by itself. Below is the last good build.</p>'
            f'<pre style="white-space:pre-wrap;margin:0;font:14px/1.5 ui-monospace,monospace">{lines}</pre></div>').encode()
