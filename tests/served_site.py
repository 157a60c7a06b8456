"""Build the sample site under a base_url with a path, serve it on 127.0.0.1, and start Debian's Chromium.

Shared by the browser tests and scripts/screenshots.py.
"""

from __future__ import annotations

import http.server
import os
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
BASE_PATH = "/tta/"
CHROMIUM = os.environ.get("TOPICSITE_CHROMIUM", "/usr/bin/chromium")
# As this machine's probe starts Chromium: no sandbox as root, and none of its calls home.
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def build_sample(workdir: Path, *extra: str) -> Path:
    """Build a copy of the sample site with base_url https://example.gov/tta/ into workdir/output."""
    site = workdir / "site"
    shutil.copytree(REPO / "content", site / "content")
    shutil.copytree(REPO / "templates", site / "templates")
    toml = (REPO / "site.toml").read_text(encoding="utf-8")
    lines = [line for line in toml.splitlines() if not line.startswith("base_url")]
    (site / "site.toml").write_text("\n".join(['base_url = "https://example.gov/tta/"', *lines]) + "\n", encoding="utf-8")
    output = workdir / "output"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    subprocess.run([sys.executable, "-m", "generator", "build", str(site), "-o", str(output), "-q", *extra],
                   env=env, check=True, timeout=300)
    return output


class _Handler(http.server.SimpleHTTPRequestHandler):
    """Serves `directory` under BASE_PATH, and 404.html (with status 404) for anything missing; web fonts after
    `font_delay` seconds, as over a slow network."""

    font_delay = 0.0

    def do_GET(self) -> None:
        if self.font_delay and self.path.split("?", 1)[0].endswith(".woff2"):
            time.sleep(self.font_delay)
        super().do_GET()

    def translate_path(self, path: str) -> str:
        clean = path.split("?", 1)[0].split("#", 1)[0]
        if not clean.startswith(BASE_PATH):
            return str(Path(self.directory) / "no such file")
        return super().translate_path("/" + clean[len(BASE_PATH):])

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        page = Path(self.directory) / "404.html"
        if code != 404 or not page.is_file():
            super().send_error(code, message, explain)
            return
        body = page.read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextmanager
def serve(root: Path, font_delay: float = 0.0) -> Iterator[str]:
    """Serve a built site on a free port of 127.0.0.1 (web fonts after font_delay seconds); yields its URL, ending in BASE_PATH."""
    handler = type("Handler", (_Handler,), {"font_delay": font_delay})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), partial(handler, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}{BASE_PATH}"
    finally:
        server.shutdown()
        server.server_close()


def launch_chromium(playwright: Any) -> Any:
    """Debian's Chromium through Playwright (never a browser Playwright downloads)."""
    if not Path(CHROMIUM).is_file():
        raise RuntimeError(f"{CHROMIUM} is missing: run `make system-deps` (apt-get install chromium)")
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
