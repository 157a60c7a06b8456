"""Where things are: source files in a site folder, and output paths for site URLs."""

from __future__ import annotations

import os
from pathlib import Path

from .errors import Problems

CONTENT = "content"
TOPICS = "topics"
SUBMISSIONS = "submissions"
PACKAGE_DIR = Path(__file__).parent


def default_templates_dir() -> Path:
    """The templates shipped with topicsite: inside the installed package, or at the top of a source checkout."""
    packaged = PACKAGE_DIR / "templates"
    return packaged if packaged.is_dir() else PACKAGE_DIR.parent / "templates"


def default_static_dir() -> Path:
    """The static assets shipped with topicsite."""
    return PACKAGE_DIR / "static"


def topic_files(site_dir: Path, problems: Problems) -> list[Path]:
    """Every topic file, sorted."""
    folder = site_dir / CONTENT / TOPICS
    return _markdown_files(site_dir, folder, problems, recursive=False)


def submission_files(site_dir: Path, problems: Problems) -> list[Path]:
    """Every submission file at any depth, sorted."""
    folder = site_dir / CONTENT / SUBMISSIONS
    return _markdown_files(site_dir, folder, problems, recursive=True)


def _markdown_files(site_dir: Path, folder: Path, problems: Problems, *, recursive: bool) -> list[Path]:
    if not folder.is_dir():
        problems.add(folder, 1, f"folder is missing: create {folder.relative_to(site_dir)}/ and put .md files in it")
        return []
    content_root = (site_dir / CONTENT).resolve()
    found = sorted(_walk(folder) if recursive else folder.glob("*.md"))
    linked: dict[Path, bool] = {}
    return [path for path in found if _inside(path, content_root, problems, linked)]


def _walk(folder: Path) -> list[Path]:
    """Markdown files at any depth, following folder links (so a link out of content/ is seen and refused)."""
    found, seen = [], set()
    for current, folders, files in os.walk(folder, followlinks=True):
        real = os.path.realpath(current)
        if real in seen:  # a link back up the tree
            folders.clear()
            continue
        seen.add(real)
        found += [Path(current) / name for name in files if name.endswith(".md")]
    return found


def _linked(folder: Path, known: dict[Path, bool]) -> bool:
    """Whether a folder or any folder above it is a symbolic link (remembered: files share folders)."""
    if folder not in known:
        known[folder] = folder.is_symlink() or (folder.parent != folder and _linked(folder.parent, known))
    return known[folder]


def _inside(path: Path, content_root: Path, problems: Problems, linked: dict[Path, bool]) -> bool:
    if path.is_symlink() or _linked(path.parent, linked):
        if not path.resolve().is_relative_to(content_root):
            problems.add(path, 1, "is a symbolic link to a file outside content/; copy the file into content/ instead")
            return False
    if not path.is_file():
        problems.add(path, 1, "is not a regular file; content files must be Markdown files")
        return False
    return True


def output_path(url_path: str) -> str:
    """The file that serves a site path: 'topics/x/' -> 'topics/x/index.html'."""
    if url_path == "" or url_path.endswith("/"):
        return url_path + "index.html"
    last = url_path.rsplit("/", 1)[-1]
    return url_path if "." in last else url_path + "/index.html"
