"""Digests of model values: what a page's view is made of, hashed once per object per build."""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import io
import operator
import pickle
import typing
from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime
from pathlib import PosixPath, PurePosixPath
from typing import Any
from zoneinfo import ZoneInfo

from markupsafe import Markup

from ..site.digests import key
from ..site.model import ListingPage, Submission, Topic

# Model objects that carry a digest of what they are made from, computed at load.
MADE_FROM = frozenset({Submission, Topic, ListingPage})


class Unfingerprintable(Exception):
    """A value of a type whose digest we cannot compute faithfully: its page is never cached."""


class Fingerprints:
    """Digests of model values for one build; each object's is computed once."""

    def __init__(self) -> None:
        self._memo: dict[int, tuple[Any, bytes]] = {}

    def of(self, value: Any) -> bytes:
        """A digest of everything in value that a template could print."""
        kind = type(value)
        encode = ENCODERS.get(kind)
        if encode is not None:
            return encode(value)
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

    def parts(self, value: Any) -> list[bytes]:
        """What a composite value's digest is made of, for hashing it with more: its type's name and each part's
        digest, where a part that is a dataclass of scalars only (a page's head) gives its type's name and fields."""
        found = [type(value).__qualname__.encode()]
        for part in self._parts(value):
            kind: type = type(part)
            flat = _scalar_fields(part) if _of_scalars(kind) else None
            found += flat if flat is not None else [self.of(part)]
        return found

    def _composite(self, value: Any) -> bytes:
        of = self.of
        return key(type(value).__qualname__, *[of(part) for part in self._parts(value)])

    def _parts(self, value: Any) -> Iterable[Any]:
        if isinstance(value, (tuple, list)):
            return value
        if isinstance(value, (frozenset, set)):
            return sorted(value, key=repr)
        if isinstance(value, Mapping):
            return [part for item in value.items() for part in item]
        kind: type = type(value)
        return _fields_of(kind)(value)


@functools.cache
def _of_scalars(kind: type) -> bool:
    """Whether a type is a dataclass whose fields are all declared as scalars (a page's head, not its layout)."""
    if kind in MADE_FROM or not dataclasses.is_dataclass(kind):
        return False
    try:
        hints = typing.get_type_hints(kind)
    except Exception:  # an annotation that cannot be resolved here: hash the value the general way
        return False
    return all(all(arg in ENCODERS for arg in typing.get_args(hint) or (hint,)) for hint in hints.values())


def _scalar_fields(value: Any) -> list[bytes] | None:
    """A dataclass's type name and its fields' digests, when its fields are all scalars (so their number is fixed by
    the type and each is tagged with its type: hashed among other parts, they cannot be mistaken for anything else)."""
    kind: type = type(value)
    found = [b"flat:" + kind.__qualname__.encode()]
    for field in _fields_of(kind)(value):
        encode = ENCODERS.get(type(field))
        if encode is None:
            return None
        found.append(encode(field))
    return found


@functools.cache
def _fields_of(kind: type) -> Callable[[Any], tuple[Any, ...]]:
    """A function giving a dataclass's field values as a tuple, in field order (one C call per object)."""
    names = [field.name for field in dataclasses.fields(kind)]
    getter = operator.attrgetter(*names)
    return (lambda value: (getter(value),)) if len(names) == 1 else getter


def _flat(value: Any) -> bytes:
    """The digest of a small value from its pickle, written without memo references so equal values give equal bytes."""
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=5)
    pickler.fast = True
    try:
        pickler.dump(value)
    except (pickle.PicklingError, TypeError, AttributeError, ValueError) as error:
        raise Unfingerprintable(type(value).__qualname__) from error
    return hashlib.blake2b(buffer.getvalue(), digest_size=20).digest()


def _text(tag: bytes) -> Callable[[Any], bytes]:
    return lambda value: tag + value.encode("utf-8", "surrogatepass")


def _shown(tag: bytes) -> Callable[[Any], bytes]:
    return lambda value: tag + repr(value).encode()


# How each scalar type is digested: its type's name, then its text, bytes or repr (one dict lookup per value).
ENCODERS: dict[type, Callable[[Any], bytes]] = {
    str: _text(b"str:"), Markup: _text(b"Markup:"), bytes: lambda value: b"bytes:" + value,
    **{kind: _shown(kind.__name__.encode() + b":") for kind in (int, float, bool, type(None), datetime, date, PosixPath, PurePosixPath, ZoneInfo)},
}
