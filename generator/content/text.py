"""Characters that XML 1.0 or HTML forbid, found in any text before it can reach a page or a feed."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import regex

from ..errors import Problem

# C0 controls but tab, LF and CR; DEL and the C1 controls; lone surrogates; the noncharacters
# U+FDD0-U+FDEF and the last two code points of every plane (U+FFFE, U+FFFF, U+1FFFE, ...).
# Listing the 32 astral noncharacters in the class makes re's search six times slower, so the class
# takes every code point from U+1FFFE up as a candidate and _forbidden_candidate keeps the noncharacters.
CANDIDATES = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff\U0001fffe-\U0010ffff]")
# unicodedata.name has no names for control characters; these are their Unicode name aliases (unicodedata.lookup knows them).
CONTROL_NAMES = (
    "NULL", "START OF HEADING", "START OF TEXT", "END OF TEXT", "END OF TRANSMISSION", "ENQUIRY", "ACKNOWLEDGE",
    "ALERT", "BACKSPACE", "CHARACTER TABULATION", "LINE FEED", "LINE TABULATION", "FORM FEED", "CARRIAGE RETURN",
    "SHIFT OUT", "SHIFT IN", "DATA LINK ESCAPE", "DEVICE CONTROL ONE", "DEVICE CONTROL TWO", "DEVICE CONTROL THREE",
    "DEVICE CONTROL FOUR", "NEGATIVE ACKNOWLEDGE", "SYNCHRONOUS IDLE", "END OF TRANSMISSION BLOCK", "CANCEL",
    "END OF MEDIUM", "SUBSTITUTE", "ESCAPE", "FILE SEPARATOR", "GROUP SEPARATOR", "RECORD SEPARATOR", "UNIT SEPARATOR",
)
# A line reported for each of the first few lines holding such characters; a hostile file may have thousands.
MAX_LINES_REPORTED = 5
RETYPE = "delete it (retype the text if you cannot see it)"
# Something a reader can see: not a space, mark, control, format or other default-ignorable character alone.
VISIBLE = regex.compile(r"[^\p{White_Space}\p{Default_Ignorable_Code_Point}\p{M}\p{C}]")


def is_forbidden(char: str) -> bool:
    """Whether XML 1.0 or HTML forbids a character in a document."""
    return CANDIDATES.fullmatch(char) is not None and _forbidden_candidate(char)


def _forbidden_candidate(char: str) -> bool:
    return ord(char) <= 0xFFFF or ord(char) & 0xFFFE == 0xFFFE


def _forbidden(text: str) -> Iterator[re.Match[str]]:
    return (found for found in CANDIDATES.finditer(text) if _forbidden_candidate(found[0]))


def first_forbidden(text: str) -> int | None:
    """The index of the first character that XML or HTML forbids, or None."""
    return next((found.start() for found in _forbidden(text)), None)


def replace_forbidden(text: str) -> str:
    """Each forbidden character replaced by U+FFFD, as HTML parsers already do for NUL and surrogates."""
    return CANDIDATES.sub(lambda found: "\ufffd" if _forbidden_candidate(found[0]) else found[0], text)


def forbidden_message(char: str, field: str = "") -> str:
    """Why a forbidden character cannot be published and how to remove it; `field` names where it is."""
    where = f"{field} contains" if field else "contains"
    return f"{where} {describe(char)}, which web pages and feeds cannot carry; {how_to_remove(char)}"


def describe(char: str) -> str:
    """'the control character U+000C FORM FEED', 'the noncharacter U+FFFE', ..."""
    code = ord(char)
    if code < 0x20:
        return f"the control character U+{code:04X} {CONTROL_NAMES[code]}"
    if code == 0x7F:
        return "the control character U+007F DELETE"
    if code <= 0x9F:
        return f"the C1 control character U+{code:04X}"
    if 0xD800 <= code <= 0xDFFF:
        return f"U+{code:04X}, half of a UTF-16 surrogate pair"
    return f"the noncharacter U+{code:04X}"


def how_to_remove(char: str) -> str:
    """A concrete way to get rid of one forbidden character."""
    code = ord(char)
    if char == "\x0c":
        return ("a form feed is a page break pasted from a word processor: delete it (to remove them all, "
                "find the regular expression \\f and replace it with nothing)")
    if 0x80 <= code <= 0x9F:
        meant = bytes([code]).decode("cp1252", errors="replace")
        if meant != "\ufffd":
            return f"it is usually the {meant!r} of a Windows-1252 text read with the wrong encoding: replace it with {meant}"
    if 0xD800 <= code <= 0xDFFF:
        return ("write the character itself, or escape a character beyond U+FFFF with \\U and eight hex digits, "
                "such as \\U0001F600 (an escape such as \\ud83d gives half a character)")
    return RETYPE


def value_problem(field: str, value: str) -> str | None:
    """The message for the first forbidden character in a value, or None."""
    index = first_forbidden(value)
    return None if index is None else forbidden_message(value[index], field)


def nested_problem(field: str, value: Any) -> str | None:
    """The message for the first forbidden character in any key or text of nested data, or None."""
    for where, text in _texts(field, value):
        message = value_problem(where, text)
        if message:
            return message
    return None


def _texts(field: str, value: Any) -> Iterator[tuple[str, str]]:
    """Every key and text in nested data, with where it is (extra.contact.name, footer_links[2].url)."""
    if isinstance(value, str):
        yield field, value
    elif isinstance(value, Mapping):
        for key, item in value.items():
            yield f"a key in {field}", str(key)
            yield from _texts(f"{field}.{key}", item)
    elif isinstance(value, (list, tuple)):
        for number, item in enumerate(value, start=1):
            yield from _texts(f"{field}[{number}]", item)


def line_problems(path: Path, text: str) -> list[Problem]:
    """One problem for each of the first lines of a file's text that hold forbidden characters."""
    found = _forbidden_lines(text)
    problems = [Problem(path, line, forbidden_message(char)) for line, char in found[:MAX_LINES_REPORTED]]
    if len(found) > MAX_LINES_REPORTED:
        rest = len(found) - MAX_LINES_REPORTED
        problems.append(Problem(path, found[MAX_LINES_REPORTED][0], f"{rest} more lines, from this one on, hold such characters too; remove them all"))
    return problems


def _forbidden_lines(text: str) -> list[tuple[int, str]]:
    """Each line that holds forbidden characters, with the first of them; one pass, however many there are."""
    found: list[tuple[int, str]] = []
    line, position = 1, 0
    for match in _forbidden(text):
        line, position = line + text.count("\n", position, match.start()), match.start()
        if not found or found[-1][0] != line:
            found.append((line, match[0]))
    return found


def invisible_problem(field: str, value: str) -> str | None:
    """Why a text made only of spaces and invisible characters (such as U+200D alone) is unusable, or None."""
    if VISIBLE.search(value):
        return None
    shown = next((c for c in value if not c.isspace()), value[:1])
    name = unicodedata.name(shown, "")
    return f"{field} has no visible characters, only invisible ones such as U+{ord(shown):04X}{' ' + name if name else ''}; write it out"
