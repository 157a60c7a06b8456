"""Shared fixtures: small real sites built in tmp_path."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from typing import Any
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from generator.content.config import parse_config
from generator.content.parse import parse_submission, parse_topic
from generator.errors import SiteError
from generator.content.frontmatter import decode
from generator.content.submissions import render_body
from generator.site.index import submission_url
from generator.site.load import load

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


# The families of hostile input of issue 10: each test_hostile*.py counts its cases by family in CASES_BY_FAMILY,
# and the README reports the totals (tests/test_docs.py checks them).
FAMILIES = {
    1: "nothing outside the site folder is published",
    2: "no body stalls the Markdown stage",
    3: "characters XML and HTML forbid",
    4: "every output path is one file",
    5: "dates and URLs feeds can carry",
    6: "odd folders",
    7: "names cut like a person would",
    8: "the output folder is safe to deploy",
    9: "errors point at the cause, once",
}
# The first corpus, before issue 10, by kind.
FIRST_CORPUS = {
    "encodings": "encodings, sizes and file shape",
    "yaml": "YAML tricks",
    "attacks": "markup attacks",
    "valid": "odd but valid input",
}

ZONE = ZoneInfo("America/New_York")  # SITE_TOML's
TOPIC_SLUGS = frozenset({"community-policing"})  # DEFAULT_FILES' topics
BASE_PATH = "/tta/"  # SITE_TOML's base_url's path


def parse_errors(file: str, text: str | bytes) -> list[str]:
    """The error lines a build gives for one file of the default site, from the pure functions it runs on that file alone:
    site.toml's parser, or a content file's bytes decoded, then parsed (and a submission's body rendered)."""
    path = Path(file)
    raw = text if isinstance(text, bytes) else text.encode("utf-8")
    try:
        if file == "site.toml":
            parse_config(path, raw.decode("utf-8-sig"))
        elif file.startswith("content/topics/"):
            parse_topic(path, decode(path, raw))
        else:
            rendered_body(file, raw)
    except SiteError as error:
        return [problem.format() for problem in error.problems]
    return []


def rendered_body(file: str, text: str | bytes) -> str:
    """A submission file's body as the build renders it in the default site (raises SiteError as the build reports it)."""
    path = Path(file)
    raw = text if isinstance(text, bytes) else text.encode("utf-8")
    source = parse_submission(path, decode(path, raw), ZONE, TOPIC_SLUGS)
    return render_body(source, submission_url(BASE_PATH, source.id)).html


def load_errors(site: Path) -> list[str]:
    """The error lines of loading a whole site in this process (no output written), paths relative to the site folder."""
    with contextlib.chdir(site):
        try:
            load(Path("."))
        except SiteError as error:
            return [problem.format() for problem in error.problems]
    raise AssertionError(f"{site} loaded without errors")


def load_warnings(site: Path) -> list[str]:
    """The warning lines of loading a whole site in this process, paths relative to the site folder."""
    with contextlib.chdir(site):
        return [problem.format() for problem in load(Path(".")).warnings]


@pytest.fixture(scope="session")
def sample_output(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample site, built once (with its search index) under base_url https://example.gov/tta/."""
    from served_site import build_sample
    return build_sample(tmp_path_factory.mktemp("sample"))


# Modules whose tests share a costly module or session fixture (a Chromium, a built attack site, nginx and Apache
# over the sample site, a MariaDB server): under `pytest -n` (`make test`) each runs whole on one worker, with
# --dist loadgroup, so the fixture starts once; every other test goes to whichever worker is free.
ONE_WORKER = {"test_browser", "test_search_page", "test_browser_safety", "test_hostile", "test_redirect_servers", "test_import_drupal7"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark the tests of ONE_WORKER's modules as one xdist group each."""
    for item in items:
        module = item.module.__name__ if isinstance(item, pytest.Function) else ""
        if module in ONE_WORKER:
            item.add_marker(pytest.mark.xdist_group(module))


from serving import serving  # noqa: E402,F401  (a fixture for tests/test_serve*.py)


@pytest.fixture(scope="module")
def site_url(sample_output: Path) -> Iterator[str]:
    """The sample site served on 127.0.0.1 for one module's browser tests."""
    from served_site import serve
    with serve(sample_output) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Debian's Chromium, driven by Playwright, for one module's browser tests."""
    from playwright.sync_api import sync_playwright
    from served_site import launch_chromium
    with sync_playwright() as playwright:
        chromium = launch_chromium(playwright)
        yield chromium
        chromium.close()
