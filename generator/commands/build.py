"""A whole build: load, plan (rendering only what changed), write only what changed; the memo only saves time.

`build` keeps, in the cache, a stat record of the submission files, so a file whose stat still matches is not
even read. `serve` keeps a Memory between rebuilds: the memo with its packs read, the stat record, the parsed
files and the model's submissions; each rebuild still loads, plans and writes the whole site.
"""

from __future__ import annotations

import gc
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from ..memo import stat
from ..memo.cache import Cache
from ..memo.parse import Kept, cached_parser
from ..output.write import WriteResult, open_output, write
from ..render.plan import Environments, plan
from ..render.planned import Plan
from ..site.load import LoadOptions, index_sources, read_sources
from ..site.model import Site, Submission


T = TypeVar("T")
PACKS = ("parsed", "bodies")  # the packs load reads (the output's are read under its lock)


@dataclass(frozen=True, slots=True)
class Built:
    """What a build made: the site model, the plan and what writing it changed."""

    site: Site
    files: Plan
    result: WriteResult


@dataclass(slots=True)
class Memory:
    """What serve keeps between rebuilds of one site: its memo (packs read once), the last stat record, each
    submission file as parsed, the model's submissions by digest and the Jinja environment. Every part only saves time."""

    memo: Cache
    record: stat.StatRecord = stat.NO_RECORD
    kept: dict[Path, Kept] = field(default_factory=dict)
    submissions: dict[bytes, Submission] = field(default_factory=dict)
    environments: Environments = field(default_factory=Environments)
    trusted: bool = False  # the preview folder was found as recorded since the last rebuild (see output.write.Output)
    reads: int = 0  # submission files read by the last build (the others its record vouched for)
    unsaved: bool = False  # the record has changed since it was last written to the cache

    def save_record(self) -> None:
        """Write the stat record to the cache, for the next `build` (serve does it once the rebuild is served)."""
        if self.unsaved:
            stat.save_record(self.memo.folder, self.record)
            self.unsaved = False


def build_site(site_dir: Path, output_dir: Path | None = None, options: LoadOptions | None = None, *,
               wait: bool = True, use_cache: bool = True, search: bool = True, memory: Memory | None = None,
               step: Callable[[str], None] = lambda stage: None) -> Built:
    """Load and plan the whole site, then bring the output folder in step with the plan."""
    memo = memory.memo if memory else Cache.for_site(site_dir) if use_cache else Cache.disabled()
    files = stat.SourceFiles(memory.record if memory else stat.load_record(memo.folder), stat.clock(memo.folder) if memo.folder else 0)
    saved = False
    trusted = memory is not None and memory.trusted
    if memory:
        memory.trusted = False  # one check vouches for one build: a failed or crashed one leaves it unchecked
    _read_packs(memo)
    try:
        sources = read_sources(site_dir, cached_parser(memo, files, memory.kept if memory else None))
        site = _without_collector(lambda: index_sources(sources, options or LoadOptions(), memory.submissions if memory else None))
        with open_output(output_dir or site_dir / "output", site_dir, memo, wait=wait, trusted=trusted) as output:
            built = plan(site, memo, output.previous, search=search, step=step, environments=memory.environments if memory else None)
            step("writing")
            result = write(built, output)
            memo.save()  # under the lock: another build's record of the output is never overwritten by an older one
            saved = True
    finally:
        _remember(memo, files, memory, saved)
        if memory is None:
            gc.unfreeze()  # serve collects and freezes what it keeps itself
    if memory:
        memory.submissions = {s.digest: s for s in site.submissions}
    return Built(site, built, result)


def _read_packs(memo: Cache) -> None:
    """Read the packs load uses."""
    _without_collector(lambda: [memo.pack(name) for name in PACKS])


def _without_collector(make: Callable[[], T]) -> T:
    """Make objects that live through the build and hold no cycles (the packs' entries, the model) with the garbage
    collector off, then keep everything made so far out of its full passes, which would otherwise walk all of it
    again and again (they took a tenth of a no-op build at 10,000 submissions). No worker is forked meanwhile."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        return make()
    finally:
        gc.freeze()
        if enabled:
            gc.enable()


def _remember(memo: Cache, files: stat.SourceFiles, memory: Memory | None, saved: bool) -> None:
    """Keep the stat record (in the cache, and in memory for serve), also after a failed build: it only says which
    bytes each file held."""
    changed = files.reads > 0 or files.entries.keys() != files.previous.files.keys()
    record = files.record() if changed else files.previous  # every file as recorded: the old record still holds
    if memory:
        memory.record, memory.reads, memory.unsaved = record, files.reads, memory.unsaved or changed
        memo.carry(saved)
    elif changed:
        stat.save_record(memo.folder, record)
