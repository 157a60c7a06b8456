"""Build the USWDS subset the default theme uses from the pinned npm package into generator/static/.

USWDS documents this way of using it: a project stylesheet (assets/uswds.scss) sets `uswds-core` and
forwards only the component packages the templates use; the `sass` package compiles it, and PurgeCSS
(assets/purge.mjs) then drops the rules that no template or script of the theme can match. esbuild bundles
the JavaScript of the two components that need any (assets/uswds.js). The fonts and images the CSS names
with url(...), the images the templates name, the favicons and the license are copied beside them.

The output is committed, so that installing topicsite (from a wheel or a git URL) and building a site need
no Node; run this (`make assets`) after changing the pinned @uswds/uswds or assets/, and commit the result.
tests/test_install.py checks that the committed files are exactly what this makes.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from generator.content.markdown import TAGS

REPO = Path(__file__).resolve().parent.parent
SOURCE = REPO / "node_modules" / "@uswds" / "uswds"
TARGET = REPO / "generator" / "static"
ASSETS = REPO / "assets"
BIN = REPO / "node_modules" / ".bin"
FOLDER = "uswds"
STAMP = ".vendored"
CSS = "css/uswds.css"
JS = "js/uswds.js"
# Images the templates name directly (not through the CSS), from USWDS's dist/.
TEMPLATE_FILES = (
    "img/us_flag_small.png",
    "img/icon-dot-gov.svg",
    "img/icon-https.svg",
    "img/usa-icons-bg/search--white.svg",
)
# USWDS's default icons, at the names browsers and sites expect at the top of static/ (a site's own
# static/favicon.ico and so on replace them).
ICONS = {
    "favicon.ico": "img/favicons/favicon.ico",
    "favicon-192.png": "img/favicons/favicon-192.png",
    "apple-touch-icon.png": "img/favicons/favicon.png",
}
# What the theme's templates and scripts can put in a page, for PurgeCSS to look for class names in.
CONTENT = ("templates/**/*.html", "generator/static/search.js", "assets/uswds.js")
# Names PurgeCSS cannot find in CONTENT: elements that Markdown bodies may contain (the sanitizer's
# allowed tags) and classes that USWDS's own JavaScript adds (built from a prefix, so never spelled out).
SCRIPT_CLASSES = ("usa-banner__header--expanded",)
URL = re.compile(r"url\(\s*['\"]?([^'\")]+?)['\"]?\s*\)")
ITALIC_FACE = re.compile(r"@font-face\{[^}]*font-style:italic[^}]*\}")


def css_references(css: str) -> list[str]:
    """The dist-relative paths of the files a stylesheet in css/ refers to."""
    found = set()
    for url in URL.findall(css):
        if url.startswith(("data:", "#", "http:", "https:")) or not url.startswith("../"):
            continue
        found.add(url.split("?")[0].split("#")[0].removeprefix("../"))
    return sorted(found)


def markdown_tags() -> list[str]:
    """The HTML elements a sanitized Markdown body may hold, plus the page's own root elements."""
    return sorted({"html", "body", *TAGS})


def run(*command: str | Path) -> str:
    """Run a Node tool from node_modules/.bin; its output, or exit with its error."""
    result = subprocess.run([str(part) for part in command], capture_output=True, text=True, cwd=REPO)
    if result.returncode != 0:
        raise SystemExit(f"{Path(command[0]).name} failed:\n{result.stderr}")
    return result.stdout


def compile_css(source: Path, work: Path) -> str:
    """The theme's USWDS subset: Sass compiled from the package's sources, then unused rules dropped."""
    compiled = work / "uswds.css"
    run(BIN / "sass", f"--load-path={source / 'packages'}", "--style=compressed", "--no-source-map",
        ASSETS / "uswds.scss", compiled)
    options = work / "purge.json"
    options.write_text(json.dumps({"css": str(compiled), "content": [str(REPO / glob) for glob in CONTENT],
                                   "safelist": [*markdown_tags(), *SCRIPT_CLASSES]}), encoding="utf-8")
    return optional_italics(run("node", ASSETS / "purge.mjs", options))


def optional_italics(css: str) -> str:
    """The stylesheet with its italic web faces at font-display: optional (USWDS sets fallback for every face).

    The upright faces the first screen uses are preloaded and arrive with the stylesheet; an italic one is only
    asked for once a page is laid out, late enough that swapping it in could rewrap a line that the fallback
    face's metrics almost but not quite match. Optional keeps the fallback face for that view instead."""
    return ITALIC_FACE.sub(lambda face: face.group(0).replace("font-display:fallback", "font-display:optional"), css)


def bundle_js(work: Path) -> str:
    """USWDS's banner and accordion behaviour, bundled and minified."""
    out = work / "uswds.js"
    run(BIN / "esbuild", ASSETS / "uswds.js", "--bundle", "--minify", "--format=iife", "--target=es2020",
        "--legal-comments=none", "--log-level=warning", f"--outfile={out}")
    return out.read_text(encoding="utf-8")


def vendor(source: Path = SOURCE, target: Path = TARGET) -> int:
    """Write the theme's USWDS files from the package at `source` into `target` (uswds/ and the icons); return how many."""
    dist = source / "dist"
    if not (BIN / "sass").exists() or not dist.is_dir():
        raise SystemExit(f"{BIN / 'sass'} or {dist} is missing: run `npm ci --ignore-scripts` first (or `make assets`)")
    with tempfile.TemporaryDirectory() as work:
        css, js = compile_css(source, Path(work)), bundle_js(Path(work))
    copied = sorted({*TEMPLATE_FILES, *css_references(css), *ICONS.values()})
    missing = [name for name in copied if not (dist / name).is_file()]
    if missing:
        raise SystemExit(f"USWDS files named by the CSS or our templates are missing: {', '.join(missing)}")
    folder = target / FOLDER
    staging = target / (FOLDER + ".tmp")
    shutil.rmtree(staging, ignore_errors=True)
    for name in copied:
        if name not in ICONS.values():
            (staging / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(dist / name, staging / name)
    for path, text in ((CSS, css), (JS, js)):
        (staging / path).parent.mkdir(parents=True, exist_ok=True)
        (staging / path).write_text(text, encoding="utf-8")
    shutil.copyfile(source / "LICENSE.md", staging / "LICENSE.md")
    version = re.search(r'"version"\s*:\s*"([^"]+)"', (source / "package.json").read_text(encoding="utf-8"))
    (staging / STAMP).write_text(f"@uswds/uswds {version.group(1) if version else '?'}\n", encoding="utf-8")
    for name, dist_name in ICONS.items():
        shutil.copyfile(dist / dist_name, target / name)
    shutil.rmtree(folder, ignore_errors=True)
    staging.rename(folder)
    return sum(1 for path in folder.rglob("*") if path.is_file()) + len(ICONS)


if __name__ == "__main__":
    count = vendor()
    print(f"wrote {count} USWDS files into {TARGET.relative_to(REPO)}", file=sys.stderr)
