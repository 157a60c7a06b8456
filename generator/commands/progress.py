"""A progress bar for long builds, on a terminal only: never in CI, when stderr is piped, or with -q."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

STAGES = ("loading", "rendering", "indexing for search", "writing")
Step = Callable[[str], None]


def progress_wanted(quiet: bool) -> bool:
    """Whether to draw a bar: stderr is a terminal, not in CI (CI set), not quiet."""
    in_ci = os.environ.get("CI", "").lower() not in ("", "0", "false")
    return not quiet and not in_ci and sys.stderr.isatty()


@contextmanager
def build_progress(wanted: bool) -> Iterator[Step]:
    """Yield `step(stage)`, which marks the previous stage done and names the next; the bar vanishes at the end."""
    if not wanted:
        yield lambda stage: None
        return
    from rich.console import Console  # only when a bar is drawn: rich takes a while to import
    from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    columns = (SpinnerColumn(), TextColumn(f"{{task.description:<{max(map(len, STAGES))}}}"), BarColumn(), TimeElapsedColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True) as progress:
        task = progress.add_task(STAGES[0], total=len(STAGES))
        # refresh=True draws each stage as it starts, not only at the next tick (10 a second): a quick
        # stage would otherwise never be seen, and the terminal test failed now and then.
        yield lambda stage: progress.update(task, advance=1, description=stage, refresh=True)
