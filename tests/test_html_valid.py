"""Every HTML page of the built sample site passes the Nu Html Checker (vnu.jar from the npm package vnu-jar)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

from conftest import REPO, MakeSite, run_topicsite

VNU = REPO / "node_modules/vnu-jar/build/dist/vnu.jar"


def nu_errors(output: Path, pages: list[str]) -> list[str]:
    """The Nu Html Checker's errors for some pages of a built site."""
    assert VNU.is_file(), f"{VNU} is missing: run `npm ci --ignore-scripts` (make test does)"
    java = shutil.which("java")
    assert java, "java is missing: run `make system-deps` (apt-get install default-jre-headless)"
    result = subprocess.run([java, "-jar", str(VNU), "--errors-only", "--format", "json", *pages],
                            capture_output=True, text=True, timeout=300)
    messages = json.loads(result.stderr or result.stdout)["messages"]
    return [f"{m.get('url', '?').split(str(output))[-1]}:"
            f"{m.get('lastLine', '?')}: {m.get('message')} [{m.get('extract', '').strip()}]" for m in messages]


def test_every_page_is_valid_html(sample_output: Path) -> None:
    pages = sorted(str(p) for p in sample_output.rglob("*.html"))
    assert len(pages) > 40
    errors = nu_errors(sample_output, pages)
    assert not errors, "the Nu Html Checker found errors:\n" + "\n".join(errors)


def test_an_updated_submission_page_is_valid_html(make_site: MakeSite) -> None:
    site = make_site({"content/submissions/e.md": "---\nsubmitted_by: Ann\ndate: 2022-01-01 09:00:00\nupdated: 2023-07-04 15:30:00\n"
                                                  "topics: [community-policing]\n---\nEdited.\n"})
    assert run_topicsite("build", site, "-q", "--no-search").returncode == 0
    page = site / "output/submissions/e/index.html"
    assert "Updated <time" in page.read_text()
    errors = nu_errors(site / "output", [str(page)])
    assert not errors, "the Nu Html Checker found errors:\n" + "\n".join(errors)
