"""Installing topicsite: `pip install .` and `pip install git+URL` (the CI recipe) into fresh virtualenvs give a
working `topicsite` for a site elsewhere, with no Node; the committed USWDS files are what the build script makes from the pinned package."""

from __future__ import annotations

import json
import os
import runpy
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

from conftest import REPO, MakeSite, tree_bytes

USWDS_PACKAGE = REPO / "node_modules/@uswds/uswds"


def fresh_venv(tmp_path: Path) -> Path:
    """A new virtualenv in tmp_path/venv."""
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", venv], check=True)
    return venv


def outside_env(path: str | None = None) -> dict[str, str]:
    """The environment without PYTHONPATH (which may name the repository), with PATH replaced when given."""
    env = {name: value for name, value in os.environ.items() if name != "PYTHONPATH"}
    return {**env, "PATH": path} if path else env


def assert_builds_a_site(venv: Path, make_site: MakeSite, cwd: Path, env: dict[str, str]) -> None:
    """The venv's topicsite builds a site outside the repository, with the theme and search, from its own copy."""
    site = make_site()
    result = subprocess.run([venv / "bin/topicsite", "build", site], capture_output=True, text=True, cwd=cwd, env=env)
    assert result.returncode == 0, result.stderr
    page = (site / "output/topics/community-policing/index.html").read_text()
    assert "Submitted by Ben Rodger on" in page
    assert len(list((site / "output/static").glob("topicsite.*.css"))) == 1
    # The package carries the USWDS files (committed in generator/static/uswds/) and Pagefind's binary.
    assert len(list((site / "output/static/uswds/css").glob("uswds.*.css"))) == 1
    assert (site / "output/static/uswds/LICENSE.md").is_file()
    assert (site / "output/pagefind/pagefind-entry.json").is_file()
    installed = subprocess.run([venv / "bin/python", "-c", "import generator; print(generator.__file__)"],
                               capture_output=True, text=True, check=True, cwd=cwd, env=env).stdout
    assert installed.startswith(str(venv)), installed


def test_installed_package_builds_a_site_outside_the_repo(make_site: MakeSite, tmp_path: Path) -> None:
    venv = fresh_venv(tmp_path)
    subprocess.run([venv / "bin/python", "-m", "pip", "install", "--quiet", str(REPO)], check=True, timeout=600, env=outside_env())
    assert_builds_a_site(venv, make_site, tmp_path, outside_env())


def test_install_from_a_git_url_needs_no_node(make_site: MakeSite, tmp_path: Path) -> None:
    """What docs/ci/github-actions.yml does, from a clean clone of this commit, with no node or npm on PATH."""
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "--quiet", "--no-hardlinks", REPO, clone], check=True)
    assert not (clone / "node_modules").exists()
    venv = fresh_venv(tmp_path)
    # The dependencies come from the test environment (a path file), so only topicsite is installed from git.
    ours = sysconfig.get_paths()["purelib"]
    (venv / Path(ours).relative_to(sys.prefix) / "test-dependencies.pth").write_text(ours + "\n")
    tools = tmp_path / "bin"  # git, and nothing else from the system's PATH
    tools.mkdir()
    (tools / "git").symlink_to(shutil.which("git") or "git")
    env = outside_env(f"{venv / 'bin'}:{tools}")
    assert shutil.which("node", path=env["PATH"]) is None and shutil.which("npm", path=env["PATH"]) is None
    result = subprocess.run([venv / "bin/python", "-m", "pip", "install", "--quiet", "--no-deps", f"git+file://{clone}"],
                            capture_output=True, text=True, env=env, cwd=tmp_path, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    assert_builds_a_site(venv, make_site, tmp_path, env)


def test_committed_uswds_files_are_what_the_build_script_makes(tmp_path: Path) -> None:
    lock = json.loads((REPO / "package-lock.json").read_text())
    for package in ("@uswds/uswds", "sass", "purgecss", "esbuild"):
        pinned = lock["packages"][f"node_modules/{package}"]["version"]
        assert json.loads((REPO / "node_modules" / package / "package.json").read_text())["version"] == pinned, "run `npm ci --ignore-scripts`"
    script = runpy.run_path(str(REPO / "scripts/build_uswds.py"))
    script["vendor"](USWDS_PACKAGE, tmp_path)
    made = tree_bytes(tmp_path)
    icons = {name: (REPO / "generator/static" / name).read_bytes() for name in script["ICONS"]}
    assert {f"uswds/{name}": data for name, data in tree_bytes(REPO / "generator/static/uswds").items()} | icons == made, \
        "run `make assets` and commit generator/static/"
    tracked = subprocess.run(["git", "ls-files", "generator/static/uswds", *(f"generator/static/{name}" for name in icons)],
                             cwd=REPO, capture_output=True, text=True, check=True).stdout.split()
    assert sorted(tracked) == sorted(f"generator/static/{name}" for name in made)
