"""Crash and concurrency safety: killed builds, concurrent builds, unwritable output; the old site survives."""

from __future__ import annotations

import fcntl
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import REPO, MakeSite, run_topicsite, submission, tree_bytes

# Runs a build with one function of the output stage replaced, to fail or die at an exact moment.
PATCHED_BUILD = """
import errno, os, signal, sys
import generator.output.write as writer, generator.render.plan as planner
moment = sys.argv[1]
def die(*args, **kwargs):
    os.kill(os.getpid(), signal.SIGKILL)
def fail(code):
    def raise_error(*args, **kwargs):
        raise OSError(code, os.strerror(code), str(args[0]) if args else None)
    return raise_error
if moment == "rendering":
    planner.render_feed = die
if moment == "writing":
    original_fill = writer._fill
    def fill_then_die(output, staging, files, back):
        original_fill(output, staging, files[: len(files) // 2], back)
        die()
    writer._fill = fill_then_die
if moment == "before-swap":
    writer.swap = die
if moment == "disk-full":
    writer._fill = lambda output, staging, *args: fail(errno.ENOSPC)(staging)
if moment == "read-only":
    writer.new_folder = fail(errno.EROFS)
from generator.cli import main
main(["build", *sys.argv[2:]])
"""


def patched_build(moment: str, *args: str | Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run([sys.executable, "-c", PATCHED_BUILD, moment, *map(str, args)], env=env,
                          capture_output=True, text=True, timeout=120)


@pytest.fixture
def built_site(make_site: MakeSite) -> Path:
    site = make_site({f"content/submissions/s{i}.md": submission(date=f"2023-01-{i + 1:02d}") for i in range(20)})
    assert run_topicsite("build", site, "-q").returncode == 0
    return site


def change_content(site: Path) -> None:
    (site / "content/submissions/s0.md").write_text(submission(body="A changed body."))


@pytest.mark.parametrize("moment", ["rendering", "writing", "before-swap"])
def test_killed_build_leaves_previous_site_and_next_build_recovers(built_site: Path, moment: str) -> None:
    before = tree_bytes(built_site / "output")
    change_content(built_site)
    result = patched_build(moment, built_site)
    assert result.returncode == -9, result.stderr
    assert tree_bytes(built_site / "output") == before
    if moment != "rendering":
        # the staging tree: a new folder, or the spool rendering wrote into when there is no back copy to update
        assert list(built_site.glob(".output.new-*")) + list(built_site.glob(".output.spool-*")), "the killed build should have left its staging folder"
    assert run_topicsite("build", built_site, "-q").returncode == 0
    assert "A changed body." in (built_site / "output/submissions/s0/index.html").read_text()
    assert not [p for pattern in (".output.new-*", ".output.old-*", ".output.spool-*") for p in built_site.glob(pattern)]


@pytest.mark.parametrize("moment, message", [
    ("disk-full", "cannot write the site: No space left on device; the previous output is unchanged"),
    ("read-only", "cannot write the site: Read-only file system; the previous output is unchanged"),
])
def test_unwritable_output_is_a_clear_error(built_site: Path, moment: str, message: str) -> None:
    before = tree_bytes(built_site / "output")
    change_content(built_site)
    # --no-search: the search index's temporary folder fails apart (tested in test_theme.py).
    result = patched_build(moment, built_site, "--no-search")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert message in result.stderr
    assert tree_bytes(built_site / "output") == before
    assert not list(built_site.glob(".output.new-*"))


def test_output_path_that_is_a_file(make_site: MakeSite, tmp_path: Path) -> None:
    site = make_site()
    target = tmp_path / "a-file"
    target.write_text("keep me")
    result = run_topicsite("build", site, "-o", target)
    assert result.returncode == 1
    assert "the output path is a file, not a folder; remove it or choose another output folder" in result.stderr
    assert target.read_text() == "keep me"


def test_second_build_waits_for_the_first(built_site: Path) -> None:
    with open(built_site / ".output.lock", "a+b") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        refused = run_topicsite("build", built_site, "--no-wait")
        assert refused.returncode == 1
        assert "another topicsite build is writing this output folder" in refused.stderr
        env = {**os.environ, "PYTHONPATH": str(REPO)}
        waiting = subprocess.Popen([sys.executable, "-m", "generator", "build", str(built_site), "-q"], env=env)
        time.sleep(1.5)
        assert waiting.poll() is None, "the second build should wait while the lock is held"
    assert waiting.wait(timeout=60) == 0


def test_concurrent_builds_never_mix(built_site: Path, tmp_path: Path) -> None:
    """Two builds of different content into one folder: the result is one complete site or the other."""
    other = tmp_path / "other"
    subprocess.run(["cp", "-r", str(built_site), str(other)], check=True)
    change_content(other)
    expected = {}
    for name, site in (("a", built_site), ("b", other)):
        assert run_topicsite("build", site, "-q", "-o", tmp_path / f"ref-{name}").returncode == 0
        expected[name] = tree_bytes(tmp_path / f"ref-{name}")
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    target = tmp_path / "shared-output"
    runs = [subprocess.Popen([sys.executable, "-m", "generator", "build", str(site), "-q", "-o", str(target)], env=env)
            for site in (built_site, other) for _ in range(2)]
    assert [run.wait(timeout=120) for run in runs] == [0, 0, 0, 0]
    assert tree_bytes(target) in (expected["a"], expected["b"])
