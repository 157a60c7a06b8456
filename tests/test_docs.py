"""Every command and option of the CLI is documented in the README (as sqlite-utils checks its docs)."""

from __future__ import annotations

from collections import Counter

import click
import pytest

import test_hostile
import test_hostile_markdown
import test_hostile_paths
import test_hostile_text
from conftest import REPO
from generator.cli import main

README = (REPO / "README.md").read_text()
COMMANDS = sorted(main.commands)


@pytest.mark.parametrize("name", COMMANDS)
def test_command_is_in_the_readme(name: str) -> None:
    assert f"`topicsite {name}" in README


@pytest.mark.parametrize(("name", "option"), [
    (name, flag) for name in COMMANDS for param in main.commands[name].params
    if isinstance(param, click.Option) for flag in param.opts if flag.startswith("--") and flag != "--help"
])
def test_option_is_in_the_readme(name: str, option: str) -> None:
    assert f"`{option}" in README or f" {option} " in README or f"[{option}" in README, f"{name} {option}"


def test_ci_workflow_runs_check_and_build() -> None:
    workflow = (REPO / "docs/ci/github-actions.yml").read_text()
    assert "topicsite check --strict" in workflow and "topicsite build" in workflow
    assert "docs/ci/github-actions.yml" in README


def test_the_readme_reports_the_hostile_cases_by_family() -> None:
    counts: Counter[str] = Counter()
    for module in (test_hostile, test_hostile_text, test_hostile_paths, test_hostile_markdown):
        counts.update(module.CASES_BY_FAMILY)
    readme = " ".join(README.split())
    assert f"The hostile corpus, {counts.total()} cases" in readme
    for family, count in counts.items():
        assert f"{family} ({count})" in readme, family
