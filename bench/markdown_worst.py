"""The slowest Markdown bodies we know of: each is refused by the limits or rendered, and timed.

Usage: python bench/markdown_worst.py [--no-limits] [--timeout S]

Each case is a body of at most the request text limit. With the limits (the default) a case is
either refused, naming its line, or rendered; the time shown is the check plus the rendering, in a
fresh process. --no-limits renders every case as topicsite did before the limits (cut off at
--timeout seconds), to show what they prevent. bench/run.py adds this table to its report.
"""

from __future__ import annotations

import argparse
import multiprocessing
import sys
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from generator.content.parse import BODY_MAX  # noqa: E402
from generator.errors import SiteError  # noqa: E402
from generator.content.markdown_limits import CODE_WORK, COMMENT_WORK, ELEMENT_WORK, FENCE_WORK, SPLIT_WORK, LINK_WORK, TAG_WORK, markdown_findings  # noqa: E402
from generator.content.markdown import render_markdown  # noqa: E402


WHERE = (Path("body.md"), 1)


def repeat(unit: str, size: int = BODY_MAX) -> str:
    """`unit` repeated to exactly `size` characters."""
    return (unit * (size // len(unit) + 1))[:size]


def paragraphs(unit: str, per_paragraph: int) -> str:
    """Paragraphs of `per_paragraph` units each, up to the size limit."""
    block = unit * per_paragraph + "\n\n"
    return repeat(block)[: BODY_MAX - len(block)]


def just_under(work: int, unit: str, filler: str = "x") -> str:
    """A body of the largest size holding as many `unit`s as the budget `work` lets in (units × size)."""
    count = work // BODY_MAX
    return unit * count + filler * (BODY_MAX - 1 - count * len(unit))


CASES: dict[str, Callable[[], str]] = {
    # From the issue (as found with Python-Markdown 3.10 and older; 3.11.4 fixed the first and the nesting).
    "'![' × 6,000": lambda: "![" * 6000,
    "'![' × 25,000": lambda: "![" * 25000,
    "'[](' at 48 KB": lambda: repeat("[](", 48_000),
    "'[a](' at 48 KB": lambda: repeat("[a](", 48_000),
    "'<a ' at 48 KB": lambda: repeat("<a ", 48_000),
    "'a<b ' at 48 KB": lambda: repeat("a<b ", 48_000),
    "'<x' + newline at 48 KB": lambda: repeat("<x\n", 48_000),
    "'- ' × 1,000 (nested lists)": lambda: "- " * 1000 + "x",
    "'1. ' × 1,000 (nested lists)": lambda: "1. " * 1000 + "x",
    # Found by reading Python-Markdown and timing it.
    "valid links '[a](b) ' in one paragraph": lambda: repeat("[a](b) "),
    "'[a](x\"y) ' (titles never closed)": lambda: repeat('[a](x"y) '),
    "'[a](<' (angle destinations)": lambda: repeat("[a](<"),
    "'[^' (footnote marks)": lambda: repeat("[^"),
    "'[a] ' short references to a definition": lambda: "[a]: /x\n\n" + repeat("[a] ", BODY_MAX - 9),
    "'[a]: b' lines escaped as '\\- [a]: b' (found by fuzzing)": lambda: repeat("[a]: b\n\\- "),
    "'``a \\' (code spans never closed)": lambda: repeat("``a \\"),
    "'</b>\\```' (found by fuzzing)": lambda: repeat("</b>\\```"),
    f"code spans just under {CODE_WORK:,}": lambda: just_under(CODE_WORK, "`"),
    "'<a x=\\'' (quoted attributes)": lambda: repeat("<a x='"),
    "'<a x= '": lambda: repeat("<a x= "),
    "'<b>' × 3,000 then '<!---->' × 5,000 (comments in open tags)": lambda: "<b>" * 3000 + "<!---->" * 5000,
    "a fuzzed mix of tags, comments and emphasis": lambda: repeat("#__a <a x='<!--> ^"),
    f"comments in open tags just under {COMMENT_WORK:,}": lambda: "<b>" * 100 + "<!---->" * 40 + "x" * (BODY_MAX - 581),
    "footnote definitions with indented lines, in one paragraph": lambda: repeat("".join(f"[^{i}]: x\n    more\n" for i in range(3000))),
    f"lines that cut a paragraph, just under {SPLIT_WORK:,}": lambda: "".join(f"[^{i}]: x\n    more\n" for i in range(190)) + "x" * (BODY_MAX - 3750),
    "'[a]: b' definitions between lines of text": lambda: repeat("[a]: b\nx\n"),
    "'a' underlined '===' in one paragraph": lambda: repeat("a\n===\n"),
    "'```a ``' (runs cut mid-run)": lambda: repeat("```a ``"),
    "'```x' lines (fences)": lambda: repeat("```x\n"),
    "'*' × 8,000, 'a', '*' × 8,000 (nesting)": lambda: "*" * 8000 + "a" + "*" * 8000,
    "'> ' × 25,000 (nested quotes)": lambda: repeat("> "),
    "'\\' × 50,000": lambda: repeat("\\"),
    "'*a*' × 16,666 (inline elements in one paragraph)": lambda: repeat("*a*"),
    "'*a_*' (found by fuzzing)": lambda: repeat("*a_*"),
    "a table of 8,000 columns": lambda: "a|" * 8000 + "\n" + "-|" * 8000 + "\n" + "a|" * 8000,
    "'# a' headings (ids a_1, a_2, ...)": lambda: repeat("# a\n\n"),
    # The most each limit lets through, at the size limit.
    f"links just under {LINK_WORK:,}": lambda: just_under(LINK_WORK, "[a](b) "),
    f"links in paragraphs, just under {LINK_WORK:,} in all": lambda: paragraphs("[a](b) ", 20)[: BODY_MAX // 2],
    f"open tags just under {TAG_WORK:,}": lambda: just_under(TAG_WORK, "<a "),
    f"fences just under {FENCE_WORK:,}": lambda: just_under(FENCE_WORK, "~~~x\n"),
    f"inline elements just under {ELEMENT_WORK:,}": lambda: "*a*" * 4_998 + "x" * (BODY_MAX - 14_994),
    "all three limits at once": lambda: (just_under(LINK_WORK // 3, "[a](b) ")[:16_000]
                                         + "\n\n" + just_under(TAG_WORK, "<a ")[:16_000] + "\n\n"
                                         + just_under(FENCE_WORK // 2, "```x\n")[:16_000]),
}


def _run(text: str, limits: bool, result: multiprocessing.Queue[tuple[str, float]]) -> None:
    started = time.perf_counter()
    findings = markdown_findings(text) if limits else []
    try:
        outcome = f"refused at line {findings[0].line}" if findings else f"rendered, {len(render_markdown(text, '/s/', '', WHERE)):,} bytes"
    except SiteError:
        outcome = "refused while rendering (nested too deeply)"
    result.put((outcome, time.perf_counter() - started))


def measure(name: str, limits: bool, timeout: float) -> tuple[str, str, float | None]:
    """One case in a fresh process: what happened and how long it took (None past the timeout)."""
    text = CASES[name]()
    result: multiprocessing.Queue[tuple[str, float]] = multiprocessing.Queue()
    process = multiprocessing.Process(target=_run, args=(text, limits, result))
    process.start()
    process.join(timeout)
    if process.is_alive():
        process.kill()
        process.join()
        return name, f"stopped after {timeout:.0f} s", None
    outcome, seconds = result.get()
    return name, outcome, seconds


def table(limits: bool = True, timeout: float = 120.0) -> tuple[str, float]:
    """A Markdown table of every case, and the longest time any case took."""
    rows = [measure(name, limits, timeout) for name in CASES]
    lines = ["| body (at most 50,000 characters) | outcome | seconds |", "| --- | --- | ---: |"]
    lines += [f"| {name} | {outcome} | {'–' if seconds is None else f'{seconds:.2f}'} |" for name, outcome, seconds in rows]
    worst = max((timeout if seconds is None else seconds) for _, _, seconds in rows)
    return "\n".join(lines), worst


def main() -> int:
    """Print the table and the worst time."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-limits", action="store_true", help="render every case without the limits")
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds before a case is stopped")
    args = parser.parse_args()
    text, worst = table(not args.no_limits, args.timeout)
    print(text)
    print(f"\nWorst case: {worst:.2f} s per body")
    return 0


if __name__ == "__main__":
    sys.exit(main())
