"""Where a site's source files are: finding them in the site folder, and the folders of topicsite's defaults."""

from __future__ import annotations

import errno
import os
from dataclasses import dataclass
from pathlib import Path

from ..errors import Problems

CONTENT = "content"
TOPICS = "topics"
SUBMISSIONS = "submissions"
STATIC = "static"
TEMPLATES = "templates"
PACKAGE_DIR = Path(__file__).parent.parent  # generator/


def default_templates_dir() -> Path:
    """The templates shipped with topicsite: inside the installed package, or at the top of a source checkout."""
    packaged = PACKAGE_DIR / "templates"
    return packaged if packaged.is_dir() else PACKAGE_DIR.parent / "templates"


def default_static_dir() -> Path:
    """The static assets shipped with topicsite."""
    return PACKAGE_DIR / "static"


@dataclass(frozen=True, slots=True)
class ContentFiles:
    """The Markdown files of content/ that become pages: topic files and submission files, each sorted."""

    topics: tuple[Path, ...]
    submissions: tuple[Path, ...]


def content_files(site_dir: Path, problems: Problems) -> ContentFiles:
    """Topic files (directly in content/topics/) and submission files (at any depth in content/submissions/);
    every other file under content/ is not published, and gets a warning saying so."""
    for name in (TOPICS, SUBMISSIONS):
        if not (site_dir / CONTENT / name).is_dir():
            problems.add(site_dir / CONTENT / name, 1, f"folder is missing: create {CONTENT}/{name}/ and put .md files in it")
    topics, submissions = [], []
    prefix = len(str(site_dir / CONTENT)) + 1
    for path in site_folder_files(site_dir, CONTENT, problems):
        parts = tuple(str(path)[prefix:].split(os.sep))  # as path.relative_to(content).parts, without pathlib's cost
        markdown = parts[-1].endswith(".md") and len(parts[-1]) > len(".md")  # path.suffix == ".md"
        if parts[0] == TOPICS and len(parts) == 2 and markdown:
            topics.append(path)
        elif parts[0] == SUBMISSIONS and len(parts) > 1 and markdown:
            submissions.append(path)
        elif not any(part.startswith(".") for part in parts):
            problems.warn(path, 1, _misplaced(parts))
    return ContentFiles(tuple(topics), tuple(submissions))


def _misplaced(parts: tuple[str, ...]) -> str:
    """Why a file under content/ is not published, and where it belongs."""
    name = parts[-1]
    stem, dot, suffix = name.rpartition(".")
    in_place = (parts[0] == TOPICS and len(parts) == 2) or (parts[0] == SUBMISSIONS and len(parts) > 1)
    if dot and stem and suffix.lower() in ("md", "markdown", "mdown", "mkd", "txt", "text") and in_place:
        return f"is not published: only files ending in '.md' are; rename it to {stem}.md"
    if parts[0] == TOPICS and len(parts) > 2:
        return f"is not published: topic files must be directly in {CONTENT}/{TOPICS}/; move it there"
    if dot and suffix.lower() in ("md", "markdown", "mdown", "mkd", "txt", "text"):
        return f"is not published: only {CONTENT}/{TOPICS}/*.md and {CONTENT}/{SUBMISSIONS}/**/*.md are; move it into one of those folders"
    return f"is not published: {CONTENT}/ holds only Markdown topics and submissions; put images and other files in {STATIC}/"


def site_folder_files(site_dir: Path, name: str, problems: Problems) -> list[Path]:
    """Every regular file under one input folder of a site (content, static, templates), sorted; a link
    that leads out of that folder is an error, so nothing outside the site folder is ever read."""
    root = site_dir / name
    if not root.is_dir():
        return []
    if root.is_symlink() and not inside(os.path.realpath(root), os.path.realpath(site_dir)):
        problems.add(root, 1, f"is a symbolic link to a folder outside the site folder; copy that folder into the site folder as {name}/ instead")
        return []
    return folder_files(root, f"{name}/", problems)


def folder_files(root: Path, label: str, problems: Problems) -> list[Path]:
    """Every regular file under root at any depth, sorted; links may lead only to places under root."""
    walker = _Walker(os.path.realpath(root), label, problems)
    walker.walk(str(root))
    return [Path(found) for found in sorted(walker.found, key=lambda found: found.split(os.sep))]  # Path order, faster


def inside(real: str, folder_real: str) -> bool:
    """Whether a real path is folder_real or under it."""
    return real == folder_real or real.startswith(folder_real.rstrip(os.sep) + os.sep)


class _Walker:
    """Files found with os.scandir, whose entries know their type without a stat per file. It walks with a
    list, not recursion, so any depth works; a folder reached through links is walked under each of its names,
    and a link to a folder that holds it (a loop) is an error."""

    def __init__(self, root_real: str, label: str, problems: Problems) -> None:
        self.root_real, self.label, self.problems = root_real, label, problems
        self.found: list[str] = []

    def walk(self, top: str) -> None:
        pending: list[tuple[str, str, frozenset[str], bool]] = [(top, self.root_real, frozenset({self.root_real}), False)]
        while pending:
            folder, real, chain, linked = pending.pop()
            try:
                with os.scandir(folder) as listing:
                    entries = list(listing)
            except OSError as error:
                self.problems.add(Path(folder), 1, f"cannot read this folder ({error.strerror}); let topicsite read it, or move it out of {self.label}")
                continue
            for entry in entries:
                is_link, kind = entry.is_symlink(), _kind(entry)
                entry_real = os.path.realpath(entry.path) if linked or is_link else f"{real}{os.sep}{entry.name}"
                if (linked or is_link) and not inside(entry_real, self.root_real):
                    what = "folder" if kind == "folder" else "file"
                    self.problems.add(Path(entry.path), 1, f"is a symbolic link to a {what} outside {self.label}; copy the {what} into {self.label} instead")
                elif kind == "folder":
                    if entry_real in chain:
                        self.problems.add(Path(entry.path), 1, "is a symbolic link to a folder that holds it, a loop; remove the link")
                    else:
                        pending.append((entry.path, entry_real, chain | {entry_real}, linked or is_link))
                elif kind == "file":
                    self.found.append(entry.path)
                elif not entry.name.startswith("."):  # hidden ones are never read (an editor's lock files are broken links)
                    self.problems.add(Path(entry.path), 1, _odd_entry(entry))


def _kind(entry: os.DirEntry[str]) -> str:
    """'folder', 'file' or 'other' (a loop, a broken link, a pipe, a device), following links."""
    try:
        if entry.is_dir():
            return "folder"
        if entry.is_file():
            return "file"
    except OSError:  # a link loop: DirEntry passes on every error but 'not found'
        pass
    return "other"


def _odd_entry(entry: os.DirEntry[str]) -> str:
    """Why an entry that is neither a file nor a folder cannot be read."""
    if entry.is_symlink():
        try:
            os.stat(entry.path)
        except OSError as error:
            if error.errno == errno.ELOOP:
                return "is a symbolic link that leads back to itself, a loop; remove it"
        return f"is a symbolic link to {os.readlink(entry.path)!r}, which does not exist; remove it, or copy the file in its place"
    return "is not a regular file or folder (a named pipe, socket or device); remove it"
