"""Lighthouse 12 on the sample site's home, topic and submission pages, mobile and desktop, and the scores into docs/audit.md.

`make audit` runs it (it is not part of `make test`: a few minutes of page loads). The site is built as the browser tests
build it (under /tta/), and served by a real nginx on 127.0.0.1 with docs/deploy.md's server block and gzip on, as a
deployment compresses; Lighthouse drives Debian's Chromium (CHROME_PATH). Each page is measured `--runs` times and the
run with the median performance score is reported, as Lighthouse's docs advise against reading one run.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))

from served_site import BASE_PATH, CHROMIUM, CHROMIUM_ARGS, build_sample  # noqa: E402
from webservers import nginx, world_readable_copy  # noqa: E402

LIGHTHOUSE = REPO / "node_modules/.bin/lighthouse"
PAGES = {
    "home": "",
    "topic": "topics/community-police-relations-and-public-trust/",
    "submission": "submissions/20230907-125328-94/",
}
FORM_FACTORS = {"mobile": (), "desktop": ("--preset=desktop",)}
CATEGORIES = {"performance": "performance", "accessibility": "accessibility", "best-practices": "best practices", "seo": "SEO"}
METRICS = {"first-contentful-paint": "FCP", "largest-contentful-paint": "LCP", "total-blocking-time": "TBT",
           "cumulative-layout-shift": "CLS", "speed-index": "Speed Index"}
# Compression for the text nginx serves, as docs/deploy.md asks of a deployment; the server block's own settings win.
COMPRESSION = ("gzip on; gzip_vary on; gzip_comp_level 6; gzip_types text/css application/javascript text/javascript "
               "application/json image/svg+xml application/xml application/rss+xml application/atom+xml;")


@dataclass(frozen=True, slots=True)
class Measure:
    """One Lighthouse run of one page in one form factor, reduced to what the report shows."""

    page: str
    form_factor: str
    scores: dict[str, int]
    metrics: dict[str, str]
    transfer_kib: float
    shortfalls: tuple[str, ...]


def measure(url: str, page: str, form_factor: str, report: Path) -> Measure:
    """Run Lighthouse once and read its JSON report."""
    command = [str(LIGHTHOUSE), url, "--quiet", "--output=json", f"--output-path={report}",
               f"--only-categories={','.join(CATEGORIES)}", f"--chrome-flags={' '.join(CHROMIUM_ARGS)}",
               *FORM_FACTORS[form_factor]]
    subprocess.run(command, env={**os.environ, "CHROME_PATH": CHROMIUM}, check=True, timeout=600)
    return reduce(page, form_factor, json.loads(report.read_text(encoding="utf-8")))


def reduce(page: str, form_factor: str, lhr: dict[str, Any]) -> Measure:
    """The scores (0-100), the metrics as Lighthouse shows them, the bytes moved and each scored audit short of full marks."""
    audits = lhr["audits"]
    scores = {name: round(100 * (lhr["categories"][name]["score"] or 0)) for name in CATEGORIES}
    shortfalls = sorted({f"{audits[ref['id']]['title']} ({CATEGORIES[name]})"
                         for name in CATEGORIES for ref in lhr["categories"][name]["auditRefs"]
                         if ref["weight"] > 0 and audits[ref["id"]]["score"] is not None and audits[ref["id"]]["score"] < 0.9})
    return Measure(page, form_factor, scores, {key: audits[key]["displayValue"] for key in METRICS},
                   audits["total-byte-weight"]["numericValue"] / 1024, tuple(shortfalls))


def median_run(runs: list[Measure]) -> Measure:
    """The run with the median performance score (the lower middle one for an even count)."""
    ordered = sorted(runs, key=lambda run: run.scores["performance"])
    return ordered[(len(ordered) - 1) // 2]


def markdown(results: list[Measure], runs: int, versions: dict[str, str]) -> str:
    """docs/audit.md: one row per page and form factor, then what cost points."""
    header = ["page", "form factor", *CATEGORIES.values(), *METRICS.values(), "transferred"]
    lines = [
        "# Lighthouse audit",
        "",
        "`make audit` (`scripts/audit.py`) writes this file: Lighthouse on the sample site's home, topic and submission",
        "pages, mobile (Lighthouse's default: a mid-range phone on a slow 4G link, simulated) and desktop",
        "(`--preset=desktop`), served by nginx on 127.0.0.1 with docs/deploy.md's server block and gzip on.",
        f"Each row is the run with the median performance score of {runs}.",
        "",
        ", ".join(f"{name} {version}" for name, version in versions.items()) + ".",
        "",
        "| " + " | ".join(header) + " |",
        "| " + " | ".join("---" for _ in header) + " |",
    ]
    for result in results:
        cells = [result.page, result.form_factor, *(str(result.scores[name]) for name in CATEGORIES),
                 *(result.metrics[key].replace("\u00a0", " ") for key in METRICS), f"{result.transfer_kib:.0f} KiB"]
        lines.append("| " + " | ".join(cells) + " |")
    lines += ["", "## What cost points", ""]
    for result in results:
        lines.append(f"- {result.page}, {result.form_factor}: " + ("; ".join(result.shortfalls) or "nothing") + ".")
    return "\n".join(lines) + "\n"


def versions() -> dict[str, str]:
    """The versions the numbers depend on."""
    lighthouse = json.loads((REPO / "node_modules/lighthouse/package.json").read_text(encoding="utf-8"))["version"]
    chromium = subprocess.run([CHROMIUM, "--version"], capture_output=True, text=True, check=True).stdout.strip()
    nginx_version = subprocess.run(["nginx", "-v"], capture_output=True, text=True, check=True).stderr.strip().split("/")[-1]
    return {"Lighthouse": lighthouse, "Chromium": chromium.removeprefix("Chromium ").split()[0], "nginx": nginx_version}


def audit(runs: int, target: Path) -> None:
    """Build, serve, measure every page and form factor `runs` times, and write the report."""
    if not LIGHTHOUSE.is_file():
        raise SystemExit(f"{LIGHTHOUSE} is missing: run `npm ci --ignore-scripts` (make audit does)")
    with tempfile.TemporaryDirectory(prefix="topicsite-audit-") as temp:
        work = Path(temp)
        work.chmod(0o755)  # nginx's workers run as another user when this runs as root
        world_readable_copy(build_sample(work / "build"), work / "www" / BASE_PATH.strip("/"))
        rules = work / "rules.conf"
        rules.write_text("", encoding="utf-8")
        results = []
        with nginx(work / "www", rules, work / "nginx", BASE_PATH, http_extra=COMPRESSION) as port:
            for form_factor in FORM_FACTORS:
                for page, path in PAGES.items():
                    url = f"http://127.0.0.1:{port}{BASE_PATH}{path}"
                    done = [measure(url, page, form_factor, work / f"{page}-{form_factor}-{n}.json") for n in range(runs)]
                    results.append(median_run(done))
                    print(f"{page}, {form_factor}: {results[-1].scores}", flush=True)
    target.write_text(markdown(results, runs, versions()), encoding="utf-8")
    print(f"wrote {target}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--runs", type=int, default=3, help="Lighthouse runs per page and form factor (the median is kept)")
    parser.add_argument("--output", type=Path, default=REPO / "docs/audit.md", help="where the report goes")
    arguments = parser.parse_args()
    audit(arguments.runs, arguments.output)


if __name__ == "__main__":
    main()
