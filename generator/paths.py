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
    scan = _Scan(content_root, problems, recursive)
    scan.folder(folder, under_link=_linked(folder, site_dir))
    return [Path(found) for found in sorted(scan.found, key=lambda found: found.split(os.sep))]  # Path order, faster


class _Scan:
    """Markdown files found with os.scandir, whose entries know their type without a stat per file;
    folder links are followed, so a file reached through one and lying outside content/ is seen and refused."""

    def __init__(self, content_root: Path, problems: Problems, recursive: bool) -> None:
        self.content_root, self.problems, self.recursive = content_root, problems, recursive
        self.found: list[str] = []
        self.seen: set[str] = set()

    def folder(self, folder: Path, under_link: bool) -> None:
        real = os.path.realpath(folder)
        if real in self.seen:  # a link back up the tree
            return
        self.seen.add(real)
        with os.scandir(folder) as entries:
            for entry in entries:
                self._entry(entry, under_link or entry.is_symlink())

    def _entry(self, entry: os.DirEntry[str], linked: bool) -> None:
        if entry.is_dir():
            if self.recursive:
                self.folder(Path(entry.path), linked)
        elif entry.name.endswith(".md") and self._allowed(entry, linked):
            self.found.append(entry.path)

    def _allowed(self, entry: os.DirEntry[str], linked: bool) -> bool:
        if linked and not Path(entry.path).resolve().is_relative_to(self.content_root):
            self.problems.add(Path(entry.path), 1, "is a symbolic link to a file outside content/; copy the file into content/ instead")
            return False
        if not entry.is_file():
            self.problems.add(Path(entry.path), 1, "is not a regular file; content files must be Markdown files")
            return False
        return True


def _linked(folder: Path, site_dir: Path) -> bool:
    """Whether a folder, or one above it inside the site, is a symbolic link."""
    return any(part.is_symlink() for part in [folder, *folder.parents] if part.is_relative_to(site_dir) and part != site_dir)


def output_path(url_path: str) -> str:
    """The file that serves a site path: 'topics/x/' -> 'topics/x/index.html'."""
    if url_path == "" or url_path.endswith("/"):
        return url_path + "index.html"
    last = url_path.rsplit("/", 1)[-1]
    return url_path if "." in last else url_path + "/index.html"
