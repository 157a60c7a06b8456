"""The benchmark harness still runs (a 200-submission smoke run; the real benchmark is `make bench`)."""

from __future__ import annotations

import subprocess
import sys

from conftest import REPO


def test_benchmark_smoke_run() -> None:
    result = subprocess.run([sys.executable, str(REPO / "bench/run.py"), "--smoke", "--topicsite", str(REPO / ".venv/bin/topicsite")],
                            cwd=REPO, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "no-op" in result.stdout.lower() or "noop" in result.stdout.lower(), result.stdout[-2000:]
