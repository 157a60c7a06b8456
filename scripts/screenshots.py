"""Render the home page, a topic page and a submission page of the sample site at desktop and phone widths.

`make screenshots` runs this; the PNGs go to docs/screenshots/ and the README shows them.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))

from served_site import build_sample, launch_chromium, serve  # noqa: E402

PAGES = {
    "home": "",
    "topic": "topics/community-police-relations-and-public-trust/",
    "submission": "submissions/20230907-125328-94/",
}
WIDTHS = {"desktop": (1280, 900), "phone": (375, 812)}


def main(target: Path = REPO / "docs" / "screenshots") -> None:
    target.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as work, serve(build_sample(Path(work))) as url, sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        for width_name, (width, height) in WIDTHS.items():
            page = browser.new_page(viewport={"width": width, "height": height}, device_scale_factor=1)
            for page_name, path in PAGES.items():
                page.goto(url + path, wait_until="networkidle")
                out = target / f"{page_name}-{width_name}.png"
                page.screenshot(path=str(out), full_page=True)
                print(f"wrote {out}")
            page.close()
        browser.close()


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else REPO / "docs" / "screenshots")
