"""The one user-facing error type: problems in a site's config or content, each at path:line."""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True, slots=True)
class About:
    """What a finding in a built file is about, so that it can be traced to its source: a link (its tag and its
    target as the page has them) or the page's title."""

    kind: Literal["link", "title"]
    label: str = ""
    target: str = ""


@dataclass(frozen=True, slots=True)
class Problem:
    """One finding in a source file: where it is, what is wrong and how to fix it."""

    path: Path
    line: int
    message: str
    severity: Severity = "error"
    about: About | None = field(default=None, compare=False)

    def sort_key(self) -> tuple[str, int, str]:
        return (str(self.path), self.line, self.message)

    def format(self) -> str:
        prefix = "warning: " if self.severity == "warning" else ""
        return f"{display_path(self.path)}:{self.line}: {prefix}{self.message}"


@dataclass(frozen=True, slots=True)
class Source:
    """What something was made from, for errors: a file, and a line in it."""

    path: Path
    line: int = 1


class SiteError(Exception):
    """Raised when a site cannot be built; carries every problem found, sorted."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = tuple(sorted(problems, key=Problem.sort_key))
        super().__init__("\n".join(p.format() for p in self.problems))

    def __reduce__(self) -> tuple[type[SiteError], tuple[tuple[Problem, ...]]]:
        """Pickle by problems, so an error raised in a worker process arrives whole."""
        return (SiteError, (self.problems,))

    @classmethod
    def single(cls, path: Path, line: int, message: str) -> SiteError:
        return cls([Problem(path, line, message)])


class Problems:
    """Collects problems during a stage so that one run reports all of them."""

    def __init__(self) -> None:
        self.items: list[Problem] = []

    def add(self, path: Path, line: int, message: str) -> None:
        self.items.append(Problem(path, line, message))

    def warn(self, path: Path, line: int, message: str) -> None:
        self.items.append(Problem(path, line, message, "warning"))

    def extend(self, problems: Iterable[Problem]) -> None:
        self.items.extend(problems)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.items if p.severity == "error"]

    @property
    def warnings(self) -> tuple[Problem, ...]:
        return tuple(sorted((p for p in self.items if p.severity == "warning"), key=Problem.sort_key))

    def raise_if_errors(self) -> None:
        if self.errors:
            raise SiteError(self.errors)


def display_path(path: Path) -> str:
    """The path as an editor would type it: relative to the working folder when inside it."""
    try:
        absolute = Path(os.path.abspath(path))
        return os.path.relpath(absolute) if absolute.is_relative_to(Path.cwd()) else str(path)
    except (OSError, ValueError):
        return str(path)
