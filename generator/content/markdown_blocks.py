"""How Python-Markdown groups a text's lines, as far as markdown_limits needs it: blocks between blank lines, and inline runs."""

from __future__ import annotations

import re
from collections.abc import Iterator

# Lines that start a list item as Python-Markdown's lists (with sane_lists) see them.
BULLET_ITEM = re.compile(r"^ {0,3}[*+-][ \t]+")
ORDERED_ITEM = re.compile(r"^ {0,3}\d+\.[ \t]+")


def inline_segments(text: str) -> Iterator[tuple[int, list[str]]]:
    """Runs of lines that may form one inline text (a paragraph, a list item, a table row), with their first line.

    A run is never smaller than the text Python-Markdown handles as one: blank lines always
    separate, and a block is split at its list items or table rows only when it is surely a list or a table.
    """
    for start, block in blocks(text):
        yield from _split_block(start, block)


def blocks(text: str) -> Iterator[tuple[int, list[str]]]:
    """The text's runs of lines between blank lines, with their first line."""
    block: list[str] = []
    start = 1
    for number, line in enumerate([*text.split("\n"), ""], start=1):
        if line.strip(" \t"):  # Python-Markdown blanks a line of spaces and tabs, and no other
            if not block:
                start = number
            block.append(line)
            continue
        if block:
            yield start, block
            block = []


def _split_block(start: int, block: list[str]) -> Iterator[tuple[int, list[str]]]:
    if len(block) > 1 and _surely_table(block[0], block[1]):
        yield from ((start + i, [line]) for i, line in enumerate(block))
        return
    item = next((pattern for pattern in (BULLET_ITEM, ORDERED_ITEM) if pattern.match(block[0])), None)
    if item is None:
        yield start, block
        return
    first = 0
    for i, line in enumerate(block[1:], start=1):
        if item.match(line):
            yield start + first, block[first:i]
            first = i
    yield start + first, block[first:]


def _surely_table(header: str, rule: str) -> bool:
    """Whether Python-Markdown's tables take these two lines as a table's header and rule (no escapes or code to weigh)."""
    if any(c in header + rule for c in "\\`"):
        return False
    header, rule = header.strip(" "), rule.strip(" ")
    border = header.startswith("|") or header.endswith("|")

    def cells(row: str) -> list[str]:
        if border:
            row = row.removeprefix("|")
            row = row[:-1] if row.endswith("|") else row
        return row.split("|")

    names, marks = cells(header), cells(rule)
    return len(names) > 1 and len(marks) == len(names) and set("".join(marks)) <= set(":- ")
