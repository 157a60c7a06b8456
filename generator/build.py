"""A whole build with the cache: load, plan (rendering only what changed), write only what changed."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .cache import Cache
from .errors import SiteError
from .incremental import Planned, plan_incremental
from .model import Site
from .output import WriteResult, build_lock, check_output_dir, check_users_files, real_output_dir, remove_leftovers
from .search import with_search_index_cached
from .site import LoadOptions, load
from .tree import OutputTree


@dataclass(frozen=True, slots=True)
class Built:
    """What a build made: the site model, the planned files and what writing them changed."""

    site: Site
    files: tuple[Planned, ...]
    result: WriteResult


def build_site(site_dir: Path, output_dir: Path | None = None, options: LoadOptions | None = None, *,
               wait: bool = True, use_cache: bool = True, search: bool = True,
               step: Callable[[str], None] = lambda stage: None) -> Built:
    """Load and plan the whole site, then bring the output folder in step; the cache only saves time."""
    cache = Cache.for_site(site_dir) if use_cache else Cache.disabled()
    site = load(site_dir, options, cache)
    output_dir = real_output_dir(output_dir or site_dir / "output")
    check_output_dir(output_dir, site_dir)
    try:
        output_dir.parent.mkdir(parents=True, exist_ok=True)
        with build_lock(output_dir, wait=wait):
            remove_leftovers(output_dir)
            tree = OutputTree(output_dir, cache)
            check_users_files(output_dir, clean=tree.clean)
            try:
                step("rendering")
                files = plan_incremental(site, cache, output_dir, tree.on_disk, tree.staging)
                if search:
                    step("indexing for search")
                    files = with_search_index_cached(files, site.config.path, output_dir, cache, tree.on_disk, tree.read)
                step("writing")
                result = tree.write(files)
            except BaseException:
                tree.discard()
                raise
            cache.save()
    except OSError as error:
        raise SiteError.single(Path(error.filename or output_dir), 1, f"cannot write the site: {error.strerror or error}; the previous output is unchanged") from None
    return Built(site, tuple(files), result)
