"""The code stays typed: mypy --strict over the package (configured in pyproject.toml)."""

from __future__ import annotations

import subprocess
import sys

from conftest import REPO


def test_mypy_strict_is_clean() -> None:
    result = subprocess.run([sys.executable, "-m", "mypy"], cwd=REPO, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr


def test_no_unused_or_undefined_names() -> None:
    """Pyflakes' checks (ruff's F rules) over the package, the tests, the benchmark and the scripts."""
    result = subprocess.run([sys.executable, "-m", "ruff", "check", "--select", "F", "generator", "tests", "bench", "scripts"],
                            cwd=REPO, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
