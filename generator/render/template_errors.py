"""Template errors for people: the template line that failed, and the name asked for with the closest real one."""

from __future__ import annotations

import dataclasses
import difflib
import re
from collections.abc import Collection, Mapping
from pathlib import Path
from types import TracebackType
from typing import Any

import jinja2

CAMEL_HUMP = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


class UndefinedValueError(jinja2.UndefinedError):
    """An undefined value was used; carries it, so the message can say what was asked of what."""

    def __init__(self, undefined: jinja2.StrictUndefined, message: str | None = None) -> None:
        super().__init__(message)
        self.undefined = undefined


class Undefined(jinja2.StrictUndefined):
    """Jinja's StrictUndefined, raising an error that carries the undefined value."""

    __slots__ = ()

    def __init__(self, hint: str | None = None, obj: Any = jinja2.utils.missing, name: str | None = None,
                 exc: type[jinja2.TemplateRuntimeError] = jinja2.UndefinedError) -> None:
        super().__init__(hint, obj, name, exc)
        self._undefined_exception = lambda message: UndefinedValueError(self, message)  # type: ignore[assignment]


def template_line(error: BaseException) -> tuple[Path, int] | None:
    """The innermost template file and line in an error's traceback (Jinja rewrites its frames to point there)."""
    found = None
    tb: TracebackType | None = error.__traceback__
    while tb is not None:
        if "__jinja_exception__" in tb.tb_frame.f_globals:
            found = (Path(tb.tb_frame.f_code.co_filename), tb.tb_lineno)
        tb = tb.tb_next
    return found


def undefined_message(error: jinja2.UndefinedError, names: Collection[str]) -> str:
    """What was asked for and is not there, with the closest name that is; `names` are the template's variables."""
    undefined = error.undefined if isinstance(error, UndefinedValueError) else None
    if undefined is None or undefined._undefined_hint:
        return error.message or "undefined value"
    name, owner = undefined._undefined_name, undefined._undefined_obj
    if owner is jinja2.utils.missing:
        return f"{name!r} is not defined here{_closest(str(name), names, 'this template sees')}"
    if not isinstance(name, str) or isinstance(owner, Mapping):
        return f"{_noun(owner)} has no item {name!r}{_closest(str(name), _attributes(owner), 'it has')}"
    return f"{_noun(owner)} has no attribute {name!r}{_closest(name, _attributes(owner), 'it has')}"


def _closest(word: str, choices: Collection[str], listing: str) -> str:
    close = difflib.get_close_matches(word, sorted(choices), n=1, cutoff=0.6)
    if close:
        return f"; did you mean {close[0]!r}?"
    return f"; {listing}: {', '.join(sorted(choices))}" if 0 < len(choices) <= 12 else ""


def _attributes(owner: Any) -> list[str]:
    """The names a template can read from an object: its fields, keys, properties and methods."""
    if isinstance(owner, Mapping):
        return [str(key) for key in owner]
    if isinstance(owner, (str, int, float, tuple, list)):
        return []
    fields = [f.name for f in dataclasses.fields(owner)] if dataclasses.is_dataclass(owner) else []
    return [*fields, *(n for n in dir(type(owner)) if not n.startswith("_") and n not in fields)]


def _noun(owner: Any) -> str:
    """An object as a reader of the template knows it: 'the submission', 'the text', 'the list'."""
    if isinstance(owner, Mapping):
        return "the mapping"
    if isinstance(owner, str):
        return "the text"
    if isinstance(owner, (tuple, list)):
        return "the list"
    return "the " + CAMEL_HUMP.sub(" ", type(owner).__name__).lower()
