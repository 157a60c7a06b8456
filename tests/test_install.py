"""`pip install .` (not editable) into a fresh virtualenv gives a working `topicsite` for a site elsewhere."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from conftest import REPO, MakeSite


def test_installed_package_builds_a_site_outside_the_repo(make_site: MakeSite, tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", venv], check=True)
    subprocess.run([venv / "bin/python", "-m", "pip", "install", "--quiet", str(REPO)], check=True, timeout=600)
    site = make_site()
    result = subprocess.run([venv / "bin/topicsite", "build", site], capture_output=True, text=True, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    page = (site / "output/topics/community-policing/index.html").read_text()
    assert "Submitted by Ben Rodger on" in page
    assert (site / "output/static/topicsite.css").is_file()
    # The wheel carries the USWDS files (copied from node_modules at build time) and Pagefind's binary.
    assert (site / "output/static/uswds/css/uswds.min.css").is_file()
    assert (site / "output/static/uswds/LICENSE.md").is_file()
    assert (site / "output/pagefind/pagefind-entry.json").is_file()
    installed = subprocess.run([venv / "bin/python", "-c", "import generator, sys; print(generator.__file__)"],
                               capture_output=True, text=True, check=True, cwd=tmp_path).stdout
    assert str(REPO) not in installed
