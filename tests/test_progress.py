"""The build's progress bar: on a terminal only, never in CI, piped, or with -q."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO, MakeSite, run_topicsite


def build_on_a_terminal(site: Path, *options: str, ci: str | None = None) -> tuple[bytes, str]:
    """Run build with stderr on a pseudo-terminal; what the terminal got, and stdout."""
    env = {key: value for key, value in os.environ.items() if key != "CI"} | {"PYTHONPATH": str(REPO)}
    if ci is not None:
        env["CI"] = ci
    controller, terminal = pty.openpty()
    process = subprocess.Popen([sys.executable, "-m", "generator", "build", str(site), *options],
                               stdin=terminal, stdout=subprocess.PIPE, stderr=terminal, env=env)
    os.close(terminal)
    stdout = process.communicate(timeout=120)[0].decode()
    screen = b""
    while True:
        try:
            chunk = os.read(controller, 65536)
        except OSError:  # the terminal closed
            break
        if not chunk:
            break
        screen += chunk
    os.close(controller)
    return screen, stdout


@pytest.mark.parametrize("ci", [None, "false", "0"])
def test_bar_on_a_terminal(make_site: MakeSite, ci: str | None) -> None:
    screen, stdout = build_on_a_terminal(make_site(), ci=ci)  # CI set to false or 0 says this is not CI
    assert b"loading" in screen and b"rendering" in screen and b"writing" in screen and "\u2501".encode() in screen
    assert stdout.startswith("Built ")


@pytest.mark.parametrize(("options", "ci"), [(["-q"], None), ([], "true"), ([], "1")])
def test_no_bar_in_ci_or_quiet(make_site: MakeSite, options: list[str], ci: str | None) -> None:
    screen, _ = build_on_a_terminal(make_site(), *options, ci=ci)
    assert b"rendering" not in screen


def test_no_bar_when_piped(make_site: MakeSite) -> None:
    result = run_topicsite("build", make_site())
    assert "rendering" not in result.stderr and "\x1b[" not in result.stderr + result.stdout
