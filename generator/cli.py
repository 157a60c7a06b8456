"""The `topicsite` command: a thin layer over the library's load, render and write stages."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import click

from . import __version__
from .errors import Problem, SiteError
from .output import write_site
from .render import plan
from .site import LoadOptions, load

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
            click.echo(f"Build failed: {count} {'error' if count == 1 else 'errors'}.", err=True)
            sys.exit(1)
    return wrapper  # type: ignore[return-value]


def print_problems(problems: tuple[Problem, ...] | list[Problem]) -> None:
    for problem in problems:
        click.echo(problem.format(), err=True)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="topicsite")
def main() -> None:
    """topicsite: build a static topic listing site from Markdown submissions."""


@main.command()
@SITE_DIR
@click.option("-o", "--output", "output_dir", type=click.Path(path_type=Path), help="Output folder [default: SITE_DIR/output].")
@click.option("--drafts", is_flag=True, help="Include drafts, marked as such.")
@click.option("--future", is_flag=True, help="Include submissions dated in the future.")
@click.option("--no-wait", is_flag=True, help="Fail at once if another build is writing the same output folder.")
@click.option("-q", "--quiet", is_flag=True, help="Print only errors.")
@click.option("-v", "--verbose", is_flag=True, help="List every file written.")
@reports_site_errors
def build(site_dir: Path, output_dir: Path | None, drafts: bool, future: bool, no_wait: bool, quiet: bool, verbose: bool) -> None:
    """Build the site in SITE_DIR into its output folder."""
    started = time.perf_counter()
    site = load(site_dir, LoadOptions(drafts=drafts, future=future))
    if not quiet:
        print_problems(site.warnings)
    files = plan(site)
    result = write_site(files, output_dir or site_dir / "output", site_dir, wait=not no_wait)
    if verbose:
        for path in result.changed:
            click.echo(f"wrote {path}")
    if not quiet:
        pages = sum(1 for f in files if f.path.endswith(".html"))
        seconds = time.perf_counter() - started
        click.echo(f"Built {pages} pages and {len(site.feeds)} feeds in {seconds:.2f} s: "
                   f"{len(result.changed)} of {result.files} files changed, {result.removed} removed.")
