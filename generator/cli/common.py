"""What every topicsite command shares: the site folder argument and option, and printing SiteError problems."""

from __future__ import annotations

import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import click

from ..errors import Problem, SiteError

F = TypeVar("F", bound=Callable[..., Any])
SITE_DIR = click.argument("site_dir", default=".", type=click.Path(file_okay=False, path_type=Path))


def reports_site_errors(command: F) -> F:
    """Print every SiteError problem as path:line: message and exit 1; anything else is a bug and keeps its traceback."""
    @wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except SiteError as error:
            print_problems(error.problems)
            count = len(error.problems)
            what = "Build" if command.__name__ in ("build", "serve") else f"topicsite {command_words()}"
            click.echo(f"{what} failed: {count} {'error' if count == 1 else 'errors'}.", err=True)
            sys.exit(1)
    return wrapper  # type: ignore[return-value]


def command_words() -> str:
    """The running command's words after the program name, such as 'import drupal7'."""
    context: click.Context | None = click.get_current_context()
    words = []
    while context is not None and context.parent is not None:
        words.append(context.info_name or "")
        context = context.parent
    return " ".join(reversed(words))


def print_problems(problems: tuple[Problem, ...] | list[Problem]) -> None:
    for problem in problems:
        click.echo(problem.format(), err=True)


SITE_OPTION = click.option("-s", "--site", "site_dir", default=".", show_default=True, metavar="SITE_DIR", type=click.Path(file_okay=False, path_type=Path), help="The site folder.")
