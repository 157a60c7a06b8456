"""Spread pure work over all cores with processes (not threads: feedgen changes the process locale)."""

from __future__ import annotations

import gc
import multiprocessing
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")
MIN_PARALLEL = 200  # below this many items a pool costs more than it saves
CHUNKS_PER_WORKER = 16  # small chunks: workers finish together, and results arrive while others are made


def workers() -> int:
    """How many processes to use: the cores this process may run on (TOPICSITE_JOBS overrides)."""
    override = os.environ.get("TOPICSITE_JOBS", "")
    if override.isdigit() and int(override) > 0:
        return int(override)
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def map_chunked(function: Callable[[Sequence[T]], list[R]], items: Sequence[T]) -> list[R]:
    """function over chunks of items, in forked workers when it pays; results in the items' order."""
    count = workers()
    if count < 2 or len(items) < MIN_PARALLEL or "fork" not in multiprocessing.get_all_start_methods():
        return function(items)
    size = max(1, -(-len(items) // (count * CHUNKS_PER_WORKER)))
    chunks = [items[i : i + size] for i in range(0, len(items), size)]
    gc.freeze()  # keep the parent's objects out of the children's collections, so pages stay shared
    try:
        with ProcessPoolExecutor(count, mp_context=multiprocessing.get_context("fork")) as pool:
            return [result for chunk_results in pool.map(function, chunks) for result in chunk_results]
    finally:
        gc.unfreeze()
