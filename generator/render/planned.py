"""What the planner makes and the writer writes: planned files, and what the previous output holds."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from ..errors import Source


@dataclass(frozen=True, slots=True)
class PlannedFile:
    """One file of the built site: its output path, its source (for errors), the digest of its bytes, and the bytes,
    or None when the previous output already holds exactly these bytes or when they wait in a spooled file."""

    path: str
    source: Source
    digest: bytes
    data: bytes | None
    spooled: str | None = None  # a file in the spool folder holding the bytes, which the writer moves into place

    def contents(self, previous: Previous) -> bytes:
        """The file's bytes: kept in the plan, spooled, or held by the previous output."""
        if self.data is not None:
            return self.data
        if self.spooled is not None:
            with open(self.spooled, "rb") as stream:
                return stream.read()
        return previous.read(self.path)

    @property
    def made(self) -> bool:
        """Whether this build made new bytes for the file (the previous output does not hold them)."""
        return self.data is not None or self.spooled is not None


Plan = tuple[PlannedFile, ...]  # sorted by path


def _nothing(path: str) -> bytes:
    raise FileNotFoundError(path)


@dataclass(frozen=True, slots=True)
class Previous:
    """What the output folder held before this build, read only: its name (for memo keys), the digest of each file
    it verifiably holds, how to read one of those files, and the spool folder beside it where rendering leaves the
    bytes of new files for the writer ("": the plan keeps them in memory)."""

    folder: str
    digests: Mapping[str, bytes]
    read: Callable[[str], bytes] = _nothing
    spool: str = ""


NOTHING = Previous("", {})


def digest(data: bytes) -> bytes:
    """The digest recorded for an output file's bytes."""
    return hashlib.blake2b(data, digest_size=20).digest()


def planned(path: str, source: Source, data: bytes, previous: Previous) -> PlannedFile:
    """A file made now: its bytes are kept only when the previous output does not hold them."""
    made = digest(data)
    return PlannedFile(path, source, made, None if previous.digests.get(path) == made else data)
