"""Shared fixtures: small real sites built in tmp_path."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent

SITE_TOML = 'title = "Test TTA Requests"\nbase_url = "https://example.gov/tta/"\ntimezone = "America/New_York"\nper_page = 2\n'
TOPIC = "---\ntitle: Community policing\naliases: [/taxonomy/term/1]\n---\nRequests about community policing.\n"
SUBMISSION = "---\nsubmitted_by: {name}\ndate: {date}\ntopics: [{topics}]\n---\n{body}\n"


def submission(name: str = "Ben Rodger", date: str = "2023-03-31 08:23:32", topics: str = "community-policing",
               body: str = "We request training.") -> str:
    """The text of a valid submission file."""
    return SUBMISSION.format(name=name, date=date, topics=topics, body=body)


DEFAULT_FILES = {
    "site.toml": SITE_TOML,
    "content/topics/community-policing.md": TOPIC,
    "content/submissions/2023/20230331-82332-92.md": submission(),
}

MakeSite = Callable[..., Path]


@pytest.fixture
def make_site(tmp_path: Path) -> MakeSite:
    """Write a site into tmp_path/site: the default small site, changed by `files` (None deletes a file)."""
    def make(files: dict[str, str | bytes | None] | None = None, *, defaults: bool = True) -> Path:
        root = tmp_path / "site"
        merged: dict[str, str | bytes | None] = {**(DEFAULT_FILES if defaults else {}), **(files or {})}
        for name, text in merged.items():
            path = root / name
            if text is None:
                path.unlink(missing_ok=True)
                continue
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
        (root / "content/topics").mkdir(parents=True, exist_ok=True)
        (root / "content/submissions").mkdir(parents=True, exist_ok=True)
        return root
    return make


def run_topicsite(*args: str | Path, cwd: Path | None = None, check: bool = False) -> subprocess.CompletedProcess[str]:
    """Run the real command line in a subprocess."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run([sys.executable, "-m", "generator", *map(str, args)], cwd=cwd, env=env,
                          capture_output=True, text=True, check=check, timeout=120)


def tree_bytes(folder: Path) -> dict[str, bytes]:
    """Every file under a folder, by relative path."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def errors_of(site: Path) -> list[str]:
    """The error lines a failing build prints, with paths relative to the site folder."""
    result = run_topicsite("build", ".", cwd=site)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert lines[-1].startswith("Build failed: ")
    return [line for line in lines[:-1] if ": warning: " not in line]


@pytest.fixture(scope="session")
def sample_output(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample site, built once (with its search index) under base_url https://example.gov/tta/."""
    from served_site import build_sample
    return build_sample(tmp_path_factory.mktemp("sample"))


from serving import serving  # noqa: E402,F401  (a fixture for tests/test_serve*.py)
