"""Digests of model values, and proxies that record which parts of the model a template reads."""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import io
import pickle
from collections.abc import Iterator, Mapping
from datetime import date, datetime
from pathlib import PosixPath, PurePosixPath
from typing import Any
from zoneinfo import ZoneInfo

from markupsafe import Markup

from .cache import key
from .model import ListingPage, Site, Submission, Topic

WHOLE = "*"
# Methods whose result depends only on the named attributes of their object.
METHOD_INPUTS: dict[tuple[type, str], tuple[str, ...]] = {(Site, "url"): ("config",), (Site, "absolute_url"): ("config",),
                                                         (Site, "asset"): ("config", "assets")}
# Model objects that carry a digest of what they are made from, computed at load.
MADE_FROM = frozenset({Submission, Topic, ListingPage})
SCALARS = frozenset({str, Markup, int, float, bool, type(None), datetime, date, PosixPath, PurePosixPath, ZoneInfo, bytes})

Dependency = tuple[str, str]
_reads: set[Dependency] | None = None


class Unfingerprintable(Exception):
    """A value of a type whose digest we cannot compute faithfully: its page is never cached."""


class Fingerprints:
    """Digests of model values for one build; each object's is computed once."""

    def __init__(self) -> None:
        self._memo: dict[int, tuple[Any, bytes]] = {}
        self._reads_memo: dict[tuple[int, str, tuple[str, ...]], tuple[Any, bytes]] = {}

    def of(self, value: Any) -> bytes:
        """A digest of everything in value that a template could print."""
        kind = type(value)
        if kind in SCALARS:
            return _scalar(value)
        if kind in MADE_FROM:
            digest: bytes = value.digest  # computed at load from what it is made of
            return digest
        known = self._memo.get(id(value))
        if known is not None and known[0] is value:
            return known[1]
        composite = isinstance(value, (tuple, list, Mapping, set, frozenset)) or (dataclasses.is_dataclass(value) and not isinstance(value, type))
        digest = self._composite(value) if composite else _flat(value)
        self._memo[id(value)] = (value, digest)  # the value is kept alive, so its id is not reused
        return digest

    def _composite(self, value: Any) -> bytes:
        return key(type(value).__qualname__, *(self.of(part) for part in self._parts(value)))

    def _parts(self, value: Any) -> Iterator[Any]:
        if isinstance(value, (tuple, list)):
            return iter(value)
        if isinstance(value, (frozenset, set)):
            return iter(sorted(value, key=repr))
        if isinstance(value, Mapping):
            return (part for item in value.items() for part in item)
        kind: type = type(value)
        return (getattr(value, name) for name in _field_names(kind))

    def reads(self, target: Any, name: str, attributes: tuple[str, ...]) -> bytes:
        """The digest of what reading these attributes of target (known as name) depends on; once per target and set."""
        memo_key = (id(target), name, attributes)
        known = self._reads_memo.get(memo_key)
        if known is not None and known[0] is target:
            return known[1]
        digest = key(name, *(part for attribute in attributes for part in (attribute, self.dependency(target, attribute))))
        self._reads_memo[memo_key] = (target, digest)
        return digest

    def dependency(self, target: Any, attribute: str) -> bytes:
        """The digest of what reading target.attribute depends on."""
        if attribute == WHOLE:
            return self.of(target)
        inputs = METHOD_INPUTS.get((type(target), attribute))
        if inputs is not None:
            return b"".join(self.of(getattr(target, name)) for name in inputs)
        value = getattr(target, attribute)
        if callable(value) and getattr(value, "__self__", None) is target:
            return self.of(target)  # a method may read anything in its object
        return self.of(value)


@functools.cache
def _field_names(kind: type) -> tuple[str, ...]:
    return tuple(field.name for field in dataclasses.fields(kind))


def _flat(value: Any) -> bytes:
    """The digest of a small value from its pickle, written without memo references so equal values give equal bytes."""
    if isinstance(value, Recorded):
        raise Unfingerprintable("a recorded proxy")
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=5)
    pickler.fast = True
    try:
        pickler.dump(value)
    except (pickle.PicklingError, TypeError, AttributeError, ValueError) as error:
        raise Unfingerprintable(type(value).__qualname__) from error
    return hashlib.blake2b(buffer.getvalue(), digest_size=20).digest()


def _scalar(value: Any) -> bytes:
    tag = type(value).__name__.encode()
    if isinstance(value, str):
        return tag + b":" + value.encode("utf-8", "surrogatepass")
    if isinstance(value, bytes):
        return tag + b":" + value
    return tag + b":" + repr(value).encode()


class Recorded:
    """Stands in for a model object in templates and notes each attribute read while recording."""

    __slots__ = ("_recorded_target", "_recorded_name")

    def __init__(self, target: Any, name: str) -> None:
        self._recorded_target = target
        self._recorded_name = name

    def __getattr__(self, attribute: str) -> Any:
        value = getattr(self._recorded_target, attribute)
        _note(self._recorded_name, attribute)
        return value

    def _whole(self) -> Any:
        _note(self._recorded_name, WHOLE)
        return self._recorded_target

    def __str__(self) -> str:
        return str(self._whole())

    def __repr__(self) -> str:
        return repr(self._whole())

    def __html__(self) -> Markup:
        return Markup.escape(self._whole())

    def __iter__(self) -> Iterator[Any]:
        return iter(self._whole())

    def __len__(self) -> int:
        return len(self._whole())

    def __bool__(self) -> bool:
        return bool(self._whole())

    def __eq__(self, other: object) -> bool:
        return bool(self._whole() == (other._whole() if isinstance(other, Recorded) else other))

    def __hash__(self) -> int:
        return hash(self._whole())

    def __getitem__(self, key: Any) -> Any:
        return self._whole()[key]

    def __contains__(self, item: Any) -> bool:
        return item in self._whole()


def _note(name: str, attribute: str) -> None:
    if _reads is not None:
        _reads.add((name, attribute))


def start_recording() -> None:
    """Begin noting reads through Recorded proxies."""
    global _reads
    _reads = set()


def stop_recording() -> tuple[Dependency, ...]:
    """Stop noting reads; return them, sorted."""
    global _reads
    reads, _reads = _reads or set(), None
    return tuple(sorted(reads))
