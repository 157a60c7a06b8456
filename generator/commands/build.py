"""A whole build: load, plan (rendering only what changed), write only what changed; the memo only saves time."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..memo.cache import Cache
from ..memo.parse import cached_parser
from ..output.write import WriteResult, open_output, write
from ..render.plan import plan
from ..render.planned import Plan
from ..site.load import LoadOptions, load
from ..site.model import Site


@dataclass(frozen=True, slots=True)
class Built:
    """What a build made: the site model, the plan and what writing it changed."""

    site: Site
    files: Plan
    result: WriteResult


def build_site(site_dir: Path, output_dir: Path | None = None, options: LoadOptions | None = None, *,
               wait: bool = True, use_cache: bool = True, search: bool = True,
               step: Callable[[str], None] = lambda stage: None) -> Built:
    """Load and plan the whole site, then bring the output folder in step with the plan."""
    memo = Cache.for_site(site_dir) if use_cache else Cache.disabled()
    site = load(site_dir, options, cached_parser(memo))
    with open_output(output_dir or site_dir / "output", site_dir, memo, wait=wait) as output:
        files = plan(site, memo, output.previous, search=search, step=step)
        step("writing")
        result = write(files, output)
        memo.save()  # under the lock: another build's record of the output is never overwritten by an older one
    return Built(site, files, result)
