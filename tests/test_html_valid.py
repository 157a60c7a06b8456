"""Every HTML page of the built sample site passes the Nu Html Checker (vnu.jar from the npm package vnu-jar)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

from conftest import REPO

VNU = REPO / "node_modules/vnu-jar/build/dist/vnu.jar"


def test_every_page_is_valid_html(sample_output: Path) -> None:
    assert VNU.is_file(), f"{VNU} is missing: run `npm ci --ignore-scripts` (make test does)"
    java = shutil.which("java")
    assert java, "java is missing: run `make system-deps` (apt-get install default-jre-headless)"
    pages = sorted(str(p) for p in sample_output.rglob("*.html"))
    assert len(pages) > 40
    result = subprocess.run([java, "-jar", str(VNU), "--errors-only", "--format", "json", *pages],
                            capture_output=True, text=True, timeout=300)
    messages = json.loads(result.stderr or result.stdout)["messages"]
    errors = [f"{m.get('url', '?').split(str(sample_output))[-1]}:"
              f"{m.get('lastLine', '?')}: {m.get('message')} [{m.get('extract', '').strip()}]" for m in messages]
    assert not errors, "the Nu Html Checker found errors:\n" + "\n".join(errors)
