"""Pagefind's Python API, driven for the search index: records in, the bundle's files out, every failure one error.

The package's own response reader (pagefind 1.5) sleeps 0.1 s before reading each response, so adding
10,000 records one message each takes 17 minutes (Pagefind issue #976); it also caps a response at 2 MiB
(less than get_files returns for a large site) and waits forever when the binary exits. `_Service`
replaces that one reader; the requests, the subprocess and the index are the package's.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pagefind.index import PagefindIndex
from pagefind.service import PagefindService, get_executable

READ_SIZE = 1 << 20


class PagefindFailed(Exception):
    """Pagefind could not make the index; the message says what it reported."""


@dataclass(frozen=True, slots=True)
class Record:
    """One submission as the search index holds it: its URL (from the site root, as pagefind.js joins it to the base
    URL), the text searched, the metadata a result shows (title, submitter, date) and its topics as filter values."""

    url: str
    content: str
    language: str
    meta: tuple[tuple[str, str], ...]
    topics: tuple[str, ...]


class _Service(PagefindService):
    """Pagefind's service, its responses read as soon as they arrive, of any size; when the binary exits or answers
    something unreadable, every request waiting for an answer fails with PagefindFailed instead of waiting forever."""

    async def _wait_for_responses(self) -> None:
        stdout = self._backend.stdout
        assert stdout is not None
        parts: list[bytes] = []
        while chunk := await stdout.read(READ_SIZE):
            *complete, rest = chunk.split(b",")  # base64 never holds a comma: it ends each message
            for piece in complete:
                if not self._resolve(b"".join([*parts, piece])):
                    return
                parts = []
            if rest:
                parts.append(rest)
        await self._backend.wait()
        self._fail_waiting(f"Pagefind stopped (exit status {self._backend.returncode}) before it answered")

    def _resolve(self, message: bytes) -> bool:
        """Hand one response to the request waiting for it; False, and every waiting request failed, if it is unreadable."""
        try:
            response = json.loads(base64.b64decode(message, validate=True))
            message_id, payload = _message_id(response), response["payload"]
            if not isinstance(payload, dict):
                raise TypeError(payload)
            future = self._responses.pop(message_id) if message_id is not None else None
        except (ValueError, KeyError, TypeError, AttributeError):
            payload, future = None, None
        if future is None:
            # An error Pagefind could not tie to a request (a message it could not decode) fails them all with its text.
            unrelated = payload.get("message") if isinstance(payload, dict) and payload.get("type") == "Error" else None
            self._fail_waiting(str(unrelated) if unrelated else f"Pagefind answered something unreadable: {message[:80]!r}")
            with contextlib.suppress(ProcessLookupError):  # it has exited already
                self._backend.kill()
            return False
        if not future.done():
            if payload.get("type") == "Error":
                future.set_exception(PagefindFailed(str(payload.get("message"))))
            else:
                future.set_result(payload)
        return True

    def _fail_waiting(self, reason: str) -> None:
        for future in self._responses.values():
            if not future.done():
                future.set_exception(PagefindFailed(reason))
                # Marked as seen: a request whose send failed first never awaits it, and asyncio would log it at exit.
                future.exception()
        self._responses.clear()


def _message_id(response: dict[str, Any]) -> int | None:
    """The id of the request a response answers; Pagefind leaves it out when it could not parse the request, whose
    text it then sends back."""
    if response.get("message_id") is not None:
        return int(response["message_id"])
    original = response["payload"].get("original_message")
    return int(json.loads(original)["message_id"]) if original else None


def executable_identity() -> str:
    """The binary Pagefind's package would run (its wheel's, PAGEFIND_BINARY_PATH's or the PATH's): its path, size and
    modification time, so that a cache of its output is not reused with another binary; "none" without one."""
    executable = get_executable()
    if executable is None:
        return "none"
    try:
        found = os.stat(executable)
    except OSError:
        return f"{executable}:unreadable"
    return f"{executable}:{found.st_size}:{found.st_mtime_ns}"


def executable_found() -> bool:
    """Whether Pagefind's package finds its binary (in its PyPI wheel, at PAGEFIND_BINARY_PATH or on the PATH)."""
    return get_executable() is not None


def index_records(records: Sequence[Record]) -> dict[str, bytes]:
    """Pagefind's bundle for these records, added in their order: each file's path inside the bundle and its bytes.
    Raises PagefindFailed or OSError."""
    return index_bundles([records], 1)[0]


def index_bundles(groups: Sequence[Sequence[Record]], jobs: int) -> list[dict[str, bytes]]:
    """One bundle per group of records, in the groups' order, made by at most `jobs` Pagefind processes at a time.
    When some fail, the first failing group's error is raised, after every process has stopped."""
    return asyncio.run(_index_all(groups, max(1, jobs)))


async def _index_all(groups: Sequence[Sequence[Record]], jobs: int) -> list[dict[str, bytes]]:
    # Pagefind does its work in its own processes, so one event loop here keeps `jobs` of them busy.
    slots = asyncio.Semaphore(jobs)

    async def one(records: Sequence[Record]) -> dict[str, bytes]:
        async with slots:
            return await _index(records)

    answers = await asyncio.gather(*(one(records) for records in groups), return_exceptions=True)
    bundles: list[dict[str, bytes]] = []
    for answer in answers:
        if isinstance(answer, BaseException):
            raise answer
        bundles.append(answer)
    return bundles


async def _index(records: Sequence[Record]) -> dict[str, bytes]:
    service = await _Service().launch()
    try:
        index = await service.create_index()
        await _add_all(index, records)
        return {file["path"]: file["content"] for file in await index.get_files()}
    finally:
        await _close(service)


async def _add_all(index: PagefindIndex, records: Sequence[Record]) -> None:
    """Send every record before waiting for any answer. Pagefind handles its requests one at a time, in the order they
    arrive, and each send writes its request before its first await, so records get page numbers in their order."""
    answers = await asyncio.gather(*(index.add_custom_record(url=record.url, content=record.content, language=record.language,
                                                             meta=dict(record.meta), filters={"topic": list(record.topics)})
                                     for record in records), return_exceptions=True)
    failures = [answer for answer in answers if isinstance(answer, BaseException)]
    # When the binary dies, some sends fail on the closed pipe and the rest with what the reader saw: that says more.
    reported = [failure for failure in failures if isinstance(failure, PagefindFailed)]
    if failures:
        raise (reported or failures)[0]


async def _close(service: PagefindService) -> None:
    """Stop the binary; the package's close waits for answers that can no longer come, so those are cancelled first."""
    for future in service._responses.values():
        future.cancel()
    service._responses.clear()
    with contextlib.suppress(ProcessLookupError):  # it has exited already
        await service.close()
