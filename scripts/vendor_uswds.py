"""Copy the USWDS files the default theme uses from node_modules into generator/static/uswds/.

Only what the pages load: the compiled CSS, the JavaScript for the banner, every font and image
that the CSS names with url(...), the few images the templates name, and the license. The folder
is committed, so that installing topicsite (from a wheel or a git URL) and building a site need no
Node; run this (`make assets`) after changing the pinned @uswds/uswds, and commit the result.
tests/test_install.py checks that the committed folder is exactly what this makes from the pinned package.
"""

from __future__ import annotations

import re
import shutil
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SOURCE = REPO / "node_modules" / "@uswds" / "uswds"
TARGET = REPO / "generator" / "static" / "uswds"
STAMP = ".vendored"
CSS = "css/uswds.min.css"
# Files the templates name directly (not through the CSS).
TEMPLATE_FILES = (
    "js/uswds.min.js",
    "img/us_flag_small.png",
    "img/icon-dot-gov.svg",
    "img/icon-https.svg",
    "img/usa-icons-bg/search--white.svg",
)
URL = re.compile(r"url\(\s*['\"]?([^'\")]+?)['\"]?\s*\)")


def css_references(css: str) -> list[str]:
    """The dist-relative paths of the files a USWDS stylesheet in dist/css/ refers to."""
    found = set()
    for url in URL.findall(css):
        if url.startswith(("data:", "#", "http:", "https:")) or not url.startswith("../"):
            continue
        found.add(url.split("?")[0].split("#")[0].removeprefix("../"))
    return sorted(found)


def wanted_files(dist: Path) -> list[str]:
    """Every dist-relative path the default theme needs."""
    return sorted({CSS, *TEMPLATE_FILES, *css_references((dist / CSS).read_text(encoding="utf-8"))})


def vendor(source: Path = SOURCE, target: Path = TARGET) -> int:
    """Replace `target` with the wanted files of the USWDS package at `source`; return how many."""
    dist = source / "dist"
    if not (dist / CSS).is_file():
        raise SystemExit(f"{dist / CSS} is missing: run `npm ci --ignore-scripts` first (or `make assets`)")
    files = wanted_files(dist)
    missing = [name for name in files if not (dist / name).is_file()]
    if missing:
        raise SystemExit(f"USWDS files named by its CSS or our templates are missing: {', '.join(missing)}")
    staging = target.with_name(target.name + ".tmp")
    shutil.rmtree(staging, ignore_errors=True)
    for name in files:
        (staging / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(dist / name, staging / name)
    shutil.copyfile(source / "LICENSE.md", staging / "LICENSE.md")
    version = re.search(r'"version"\s*:\s*"([^"]+)"', (source / "package.json").read_text(encoding="utf-8"))
    (staging / STAMP).write_text(f"@uswds/uswds {version.group(1) if version else '?'}\n", encoding="utf-8")
    shutil.rmtree(target, ignore_errors=True)
    staging.rename(target)
    return len(files) + 1


if __name__ == "__main__":
    count = vendor()
    print(f"copied {count} USWDS files into {TARGET.relative_to(REPO)}", file=sys.stderr)
