"""Bounds on Markdown that Python-Markdown reads in quadratic time: pure checks on the text, before rendering.

Python-Markdown scans from some openers to the end of a paragraph or of the whole text: a link's
'](' for its ')' (and, after every link or reference it finds, the whole paragraph again), a run of
'`' for one as long, a raw HTML tag's '<' for its '>', an HTML comment for the end of every tag
left open around it, a code fence for its closing fence; at every line that cuts a paragraph (a
definition, a heading, a rule) it searches the rest again; and it looks up every inline element
among its siblings. A few such openers cost nothing;
thousands in one body cost minutes. Each check below estimates, in linear time, how many characters
those scans can pass over (never fewer than Python-Markdown does) and refuses a text over its
budget, naming the construct and its line. The budgets keep any text under the size limits to well
under a second (bench/markdown_worst.py measures it) while leaving ordinary text, hundreds of links
included, alone.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from dataclasses import dataclass

from .markdown_blocks import blocks, inline_segments

# Characters the scans may pass over, per construct (see bench/markdown_worst.py for the time they take).
LINK_WORK = 1_000_000
TAG_WORK = 4_000_000
COMMENT_WORK = 200_000_000  # searched by a regular expression, a hundred times faster per character
CODE_WORK = 2_000_000
SPLIT_WORK = 10_000_000
FENCE_WORK = 10_000_000
# Python-Markdown's time grows with the square of the inline elements in one paragraph (it looks each one up among
# its siblings): the marks that may make emphasis or code, squared and summed over paragraphs.
ELEMENT_WORK = 25_000_000
# A tag whose '>' is this far away (or missing) is counted as left open in the message.
OPEN_TAG = 1_000

# Lines Python-Markdown takes out before reading links: a footnote's definition (its text is read on its own)
# and a reference definition (matched more strictly than Python-Markdown does, so never one it would not take).
# Every pattern here runs in linear time: the checks must not be slow themselves.
DEFINITION = re.compile(r"""^ {0,3}(?:\[\^[^\]]*\]:|\[[^\[\]]*\]:[ ]*\S+(?:[ ]+(?:"[^"]*"|'[^']*'|\([^()]*\)))?[ ]*$)""")
BACKTICKS = re.compile(r"`+")
INLINE_MARK = re.compile(r"[*_]+|`+")  # raw HTML and entities become placeholders, not elements
# Lines at which Python-Markdown may cut a paragraph in two (a few more, never fewer): where a quote starts,
# and, inside quotes and list items too, headings, rules, heading underlines, reference and footnote definitions.
QUOTE_PREFIX = re.compile(r"[ \t]*(?:>[ \t]?)*")
SPLITTER = re.compile(r"#|\[[^\]]*\]:|[-_*=][-_*= \t]*$")
TAG_OPENER = re.compile(r"<[A-Za-z]")
TAG_OR_COMMENT = re.compile(r"<(?:[A-Za-z]|!--)")
QUOTED_VALUE = re.compile(r"=\s*(['\"])")
FENCE = re.compile(r"^ {0,3}(?:`{3,}|~{3,})", re.MULTILINE)


@dataclass(frozen=True, slots=True)
class Finding:
    """A construct Markdown would read too slowly: its line within the text (from 1) and what to do."""

    line: int
    message: str


def markdown_findings(text: str) -> list[Finding]:
    """Every construct in a Markdown text that would make Python-Markdown too slow, at its line."""
    if within_budgets(text):  # nearly every text: a few counts instead of the checks' hundred microseconds
        return []
    return [finding for check in CHECKS for finding in check(text)]


def within_budgets(text: str) -> bool:
    """Whether bounds from counts over the whole text, never below the work each check estimates, are all in budget.

    Each check sums, over paragraphs or constructs, a count of some mark times a length: the mark's count in the whole
    text bounds the first, the text's size the second. A paragraph may be cut at most twice a line.
    """
    size = len(text)
    marks = text.count("*") + text.count("_") + text.count("`")
    return (text.count("[") * size <= LINK_WORK and marks * marks <= ELEMENT_WORK
            and text.count("`") * size <= CODE_WORK and text.count("<") * size <= TAG_WORK and "<!--" not in text
            and 2 * (text.count("\n") + 1) * size <= SPLIT_WORK
            and (text.count("```") + text.count("~~~")) * size <= FENCE_WORK)


def _link_findings(text: str) -> Iterator[Finding]:
    costs = [(openers * size, first_line, openers, size) for first_line, openers, size in _link_segments(text)]
    if sum(cost for cost, *_ in costs) > LINK_WORK:
        _, first_line, openers, size = max(costs, key=lambda c: (c[0], -c[1]))
        yield Finding(first_line, (
            f"this paragraph has {openers:,} '[' (links, images, footnote marks or other brackets) in {size:,} "
            f"characters, too many for Markdown to read in time ('[' × characters, summed over the text, may be "
            f"at most {LINK_WORK:,}): split it into shorter paragraphs with blank lines, or write '\\[' where a '[' "
            "starts no link"))


def _link_segments(text: str) -> Iterator[tuple[int, int, int]]:
    """Each inline text's first line, its link openers (a definition's own '[' aside) and its size."""
    for first_line, segment in inline_segments(text):
        openers = sum(_link_openers(line) - bool(DEFINITION.match(line)) for line in segment)
        yield first_line, openers, sum(len(line) + 1 for line in segment) - 1


def _link_openers(line: str) -> int:
    """The '[' not escaped by a backslash: every link, image, reference and footnote mark starts with one."""
    return sum(1 for m in re.finditer(r"\[", line) if not _escaped(line, m.start()))


def _escaped(text: str, position: int) -> bool:
    """Whether an odd number of backslashes stands before `position` (each run is counted once per opener after it)."""
    start = position
    while start > 0 and text[start - 1] == "\\":
        start -= 1
    return (position - start) % 2 == 1


def _element_findings(text: str) -> Iterator[Finding]:
    costs = [(len(INLINE_MARK.findall("\n".join(segment))), first_line) for first_line, segment in inline_segments(text)]
    if sum(marks * marks for marks, _ in costs) > ELEMENT_WORK:
        marks, line = max(costs, key=lambda c: (c[0], -c[1]))
        yield Finding(line, (
            f"this paragraph has {marks:,} marks of emphasis or code ('*', '_', '`'), too many "
            f"for Markdown to read in time (their number squared, summed over the text, may be at most {ELEMENT_WORK:,}): "
            "split it into shorter paragraphs with blank lines"))


def _code_findings(text: str) -> Iterator[Finding]:
    costs = [(_code_reach("\n".join(segment)), first_line) for first_line, segment in inline_segments(text)]
    work = sum(reach for reach, _ in costs)
    if work > CODE_WORK:
        line = max(costs, key=lambda c: (c[0], -c[1]))[1]
        yield Finding(line, (
            f"the '`' in this paragraph open code spans that no run of as many '`' closes nearby: Markdown would scan "
            f"{work:,} characters for their ends (at most {CODE_WORK:,}); close each code span, or write '\\`' "
            "for a '`' that starts none"))


def _code_reach(segment: str) -> int:
    """How far Python-Markdown may scan, from every run of '`', for a run as long.

    Python-Markdown may start a code span anywhere inside a run (after a backslash, or where it skips
    too far past a run it could not close), so the opening length may be any part of the run: the
    farthest next run of any of those lengths bounds the scan.
    """
    next_run: dict[int, int] = {}
    reach = 0
    for match in reversed(list(BACKTICKS.finditer(segment))):
        start, length = match.start(), match.end() - match.start()
        reach += max(next_run.get(opening, len(segment)) for opening in range(1, length + 1)) - start
        next_run[length] = start
    return reach


def _tag_findings(text: str) -> Iterator[Finding]:
    ends = TagEnds(text)
    work, open_tags, first_open = 0, 0, -1
    for opener in TAG_OPENER.finditer(text):
        reach = ends.end(opener.start()) - opener.start()
        work += reach
        if reach >= OPEN_TAG:
            open_tags += 1
            first_open = opener.start() if first_open < 0 else first_open
    if work > TAG_WORK:
        at = first_open if first_open >= 0 else 0
        yield Finding(text.count("\n", 0, at) + 1, (
            f"{open_tags:,} HTML tags ('<' and a letter) from this line on have no '>' nearby: Markdown would "
            f"scan {work:,} characters for their ends (at most {TAG_WORK:,}); close each tag with '>', "
            "or write '&lt;' where a '<' starts no tag"))


class TagEnds:
    """Where an HTML parser's scan for a tag's '>' ends, from any position: quoted attribute values may hold a '>'."""

    def __init__(self, text: str) -> None:
        self.size = len(text)
        self.closers = [m.start() for m in re.finditer(">", text)]
        self.quotes = {q: [m.start() for m in re.finditer(q, text)] for q in "'\""}
        self.values = [(m.start(), m.group(1), m.end()) for m in QUOTED_VALUE.finditer(text)]
        self.known: dict[int, int] = {}  # tags sharing a quoted value share the rest of the way: linear in all

    def end(self, position: int) -> int:
        """The first '>' at or after `position` that is not inside a quoted value (or the text's end)."""
        passed = []
        while position not in self.known:
            passed.append(position)
            closer = _next(self.closers, position)
            index = bisect.bisect_left(self.values, (position,))
            if index == len(self.values) or closer < self.values[index][0]:
                self.known[position] = min(closer, self.size)
                break
            _, quote, value_start = self.values[index]
            position = min(_next(self.quotes[quote], value_start), self.size) + 1
            if position > self.size:
                self.known[position] = self.size
        end = self.known[position]
        for visited in passed:
            self.known[visited] = end
        return end


def _next(positions: list[int], start: int) -> int:
    """The first position at or after `start`, or a position past the end when there is none."""
    index = bisect.bisect_left(positions, start)
    return positions[index] if index < len(positions) else 1 << 62


def _comment_findings(text: str) -> Iterator[Finding]:
    """An HTML comment inside open inline tags makes Python-Markdown search the rest of the paragraph for each tag's end."""
    costs = [(_comment_reach(block), first_line) for first_line, block in blocks(text)]
    work = sum(reach for reach, _ in costs)
    if work > COMMENT_WORK:
        line = max(costs, key=lambda c: (c[0], -c[1]))[1]
        yield Finding(line, (
            f"the HTML comments ('<!--') in this paragraph stand inside HTML tags left open: Markdown would scan "
            f"{work:,} characters for the tags' ends (at most {COMMENT_WORK:,}); close the tags, or remove the comments"))


def _comment_reach(block: list[str]) -> int:
    """Each comment's distance to the paragraph's end, times the tags opened before it (an upper bound on those left open)."""
    paragraph = "\n".join(block)
    tags = reach = 0
    for match in TAG_OR_COMMENT.finditer(paragraph):
        if match.group().startswith("<!"):
            reach += tags * (len(paragraph) - match.start())
        else:
            tags += 1
    return reach


def _split_findings(text: str) -> Iterator[Finding]:
    """Each time Python-Markdown cuts a paragraph, it searches the rest again for headings, rules and quotes."""
    costs = [(_splits(block), len("\n".join(block)), first_line) for first_line, block in blocks(text)]
    work = sum(count * size for count, size, _ in costs)
    if work > SPLIT_WORK:
        count, size, line = max(costs, key=lambda c: (c[0] * c[1], -c[2]))
        yield Finding(line, (
            f"this paragraph has {count:,} lines that Markdown cuts it at (headings, rules, '[name]:' definitions, quotes) "
            f"in {size:,} characters, too many for Markdown to read in time (lines × characters, summed over the text, "
            f"may be at most {SPLIT_WORK:,}): put a blank line before each of them"))


def _splits(block: list[str]) -> int:
    """The lines a paragraph may be cut at: a quote takes in the rest of its paragraph, so only its first line counts."""
    count, quoted = 0, False
    for line in block:
        prefix = QUOTE_PREFIX.match(line)
        inner = line[prefix.end():] if prefix else line
        quote = prefix is not None and ">" in prefix.group()
        count += (quote and not quoted) + bool(SPLITTER.match(inner))
        quoted = quote
    return count


def _fence_findings(text: str) -> Iterator[Finding]:
    fences = [m.start() for m in FENCE.finditer(text)]
    work = len(fences) * len(text)
    if work > FENCE_WORK:
        yield Finding(text.count("\n", 0, fences[0]) + 1, (
            f"{len(fences):,} lines start or end a fenced code block ('```' or '~~~'), too many for Markdown to match "
            f"in a text of {len(text):,} characters (fences × characters may be at most {FENCE_WORK:,}): "
            "remove the fences that close no block, or indent the lines that start none"))


CHECKS = (_link_findings, _element_findings, _code_findings, _tag_findings, _comment_findings, _split_findings, _fence_findings)
