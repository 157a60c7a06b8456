"""Parse submission and topic files (pure: text in, frozen records out)."""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from types import MappingProxyType
from typing import Any
from zoneinfo import ZoneInfo

from ..errors import Problem, Problems, SiteError
from .aliases import aliases_field
from .config import did_you_mean
from .dates import date_field, updated_field
from .frontmatter import Document, decode, parse_document, type_name
from .markdown_limits import markdown_findings
from .text import invisible_problem, nested_problem, value_problem

SUBMISSION_KEYS = ("id", "title", "submitted_by", "date", "updated", "topics", "draft", "sticky", "guid", "aliases", "extra")
TOPIC_KEYS = ("title", "aliases")
ID_PATTERN = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9._-]*")  # used with fullmatch: '$' would allow a final newline
ID_MAX = 100
SLUG_PATTERN = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")
RESERVED_NAMES = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)), *(f"lpt{i}" for i in range(10))}
TEXT_MAX = 500
# The body `topicsite new` writes; a submission that still holds it was never finished.
PLACEHOLDER = "Replace this line with the request text, in Markdown."
# Python-Markdown's time grows faster than linearly on some inputs: with the checks of markdown_limits, this
# bounds a body (or a topic's description) to well under a second.
BODY_MAX = 50_000


@dataclass(frozen=True, slots=True)
class SubmissionSource:
    """A submission as its file states it, validated but not yet linked to topics."""

    path: Path
    id: str
    title: str
    submitted_by: str
    date: datetime
    updated: datetime | None  # the last edit, when the front matter gives one; never before date
    topic_slugs: tuple[str, ...]
    draft: bool
    sticky: bool
    guid: str | None
    aliases: tuple[tuple[str, int], ...]
    extra: Mapping[str, Any]
    body: str
    body_line: int
    key_lines: tuple[tuple[str, int], ...]  # the line of each front matter key, for findings about it

    def line_of(self, key: str) -> int:
        """The line of a front matter key, or 1 when it is not set."""
        return dict(self.key_lines).get(key, 1)


@dataclass(frozen=True, slots=True)
class TopicSource:
    """A topic as its file states it."""

    path: Path
    slug: str
    title: str
    aliases: tuple[tuple[str, int], ...]
    description: str
    body_line: int
    key_lines: tuple[tuple[str, int], ...]

    def line_of(self, key: str) -> int:
        """The line of a front matter key, or 1 when it is not set."""
        return dict(self.key_lines).get(key, 1)


def read_text(path: Path) -> str:
    """Read a content file as text with '\\n' line endings."""
    return decode(path, path.read_bytes())


def parse_submission(path: Path, text: str, zone: ZoneInfo, topic_slugs: Collection[str] | None = None) -> SubmissionSource:
    """Parse and validate one submission file's text; topics are checked against `topic_slugs` when given."""
    doc = parse_document(path, text)
    problems = Problems()
    _unknown_keys(doc, SUBMISSION_KEYS, problems)
    submission_id = _id(doc, problems)
    title = _text(doc, "title", problems, required=False)
    submitted_by = _text(doc, "submitted_by", problems, required=True)
    moment = date_field(doc, zone, problems)
    updated = updated_field(doc, zone, problems, moment)
    slugs = _topics(doc, problems, topic_slugs)
    draft = _flag(doc, "draft", problems)
    sticky = _flag(doc, "sticky", problems)
    guid = _text(doc, "guid", problems, required=False)
    aliases = aliases_field(doc, problems, feeds=False)
    extra = _extra(doc, problems)
    if not doc.body.strip():
        problems.add(path, doc.body_line, "the request text is empty: write it below the closing '---'")
    else:
        _markdown(doc, "the request text", problems)
    problems.raise_if_errors()
    return SubmissionSource(
        path=path, id=submission_id, title=title or submission_id, submitted_by=submitted_by or "", date=moment, updated=updated,
        topic_slugs=slugs, draft=draft, sticky=sticky, guid=guid, aliases=aliases, extra=extra, body=doc.body,
        body_line=doc.body_line, key_lines=tuple(doc.key_lines.items()),
    )


def parse_topic(path: Path, text: str) -> TopicSource:
    """Parse and validate one topic file's text; the slug is the file name. A submission saved among the topics
    raises a SiteError that holds only a warning, so a build goes on without it."""
    doc = parse_document(path, text)
    if "submitted_by" in doc.meta:  # only a warning: the topic is left out, as a misplaced file would be
        message = "is a submission saved among the topics, so it is not published; move it into content/submissions/"
        raise SiteError([Problem(path, doc.line_of("submitted_by"), message, "warning")])
    problems = Problems()
    _unknown_keys(doc, TOPIC_KEYS, problems)
    slug = path.stem
    if not SLUG_PATTERN.fullmatch(slug):
        problems.add(path, 1, f"topic file name {path.name!r} is not a slug: use lowercase ASCII words joined by '-', such as community-policing.md")
    title = _text(doc, "title", problems, required=True)
    aliases = aliases_field(doc, problems, feeds=True)
    _markdown(doc, "the topic's description", problems)
    problems.raise_if_errors()
    return TopicSource(path, slug, title or "", aliases, doc.body, doc.body_line, tuple(doc.key_lines.items()))


def _markdown(doc: Document, what: str, problems: Problems) -> None:
    for line, message in markdown_problems(what, doc.body):
        problems.add(doc.path, doc.body_line + line - 1, message)


def markdown_problems(what: str, body: str) -> list[tuple[int, str]]:
    """The body's size, and any construct Python-Markdown would take too long to read, each at its line in the body."""
    if len(body) > BODY_MAX:
        return [(1, f"{what} is {len(body):,} characters long; the limit is {BODY_MAX:,}: shorten it")]
    return [(finding.line, finding.message) for finding in markdown_findings(body)]


def _unknown_keys(doc: Document, known: tuple[str, ...], problems: Problems) -> None:
    for key in doc.meta:
        if key not in known:
            problems.add(doc.path, doc.line_of(str(key)), f"unknown field {str(key)!r}{did_you_mean(str(key), known)}")


def _type_problem(doc: Document, key: str, wanted: str) -> str:
    value = doc.meta[key]
    raw = doc.raw_scalars.get(key)
    if value is None:
        return f"{key} is empty: write a value after '{key}:'"
    if raw is not None and not isinstance(value, str) and wanted == "text":
        raw = raw if len(raw) <= 40 else raw[:40] + "…"
        return f"{key} must be text, but YAML reads {raw!r} as {_shown(value)}; put it in quotes: {key}: \"{raw}\""
    return f"{key} must be {wanted}, not {type_name(value)} {value!r}"


def _shown(value: Any) -> str:
    if value is None:
        return "empty (null)"
    if isinstance(value, bool):
        return str(value).lower()
    text = repr(value)
    return f"{type_name(value)} {text if len(text) <= 40 else text[:40] + '…'}"




def _text(doc: Document, key: str, problems: Problems, *, required: bool) -> str | None:
    if key not in doc.meta:
        if required:
            problems.add(doc.path, 1, f"missing required field {key!r}: add a line '{key}: ...' to the front matter")
        return None
    value = doc.meta[key]
    if not isinstance(value, str):
        problems.add(doc.path, doc.line_of(key), _type_problem(doc, key, "text"))
        return None
    message = text_problem(key, value)
    if message:
        problems.add(doc.path, doc.line_of(key), message)
        return None
    return value.strip()


def text_problem(key: str, value: str) -> str | None:
    """Why a one-line text field is unusable, or None."""
    if not value.strip():
        return f"{key} must not be empty"
    forbidden = value_problem(key, value)
    if forbidden:
        return forbidden
    # Also refused on one line: tabs and line breaks, format characters (U+202E reverses the text), private use.
    bad = next((c for c in value if unicodedata.category(c) in ("Cc", "Cf", "Cs", "Co", "Cn") and c != "\u200d"), None)
    if bad is not None:
        return f"{key} contains the invisible control character U+{ord(bad):04X}; delete it (retype the text if you cannot see it)"
    invisible = invisible_problem(key, value)
    if invisible:
        return invisible
    if len(value) > TEXT_MAX:
        return f"{key} is {len(value)} characters long; shorten it to at most {TEXT_MAX}"
    return None


def _id(doc: Document, problems: Problems) -> str:
    if "id" in doc.meta and not isinstance(doc.meta["id"], str):
        problems.add(doc.path, doc.line_of("id"), _type_problem(doc, "id", "text"))
        return doc.path.stem
    value = str(doc.meta.get("id", doc.path.stem))
    message = id_problem(value)
    if message:
        problems.add(doc.path, doc.line_of("id"), message)
    return value


def id_problem(value: str) -> str | None:
    """Why a submission id cannot be used in a URL and file name, or None."""
    message = value_problem("id", value)
    if message:
        return message
    if not ID_PATTERN.fullmatch(value):
        return f"id {value!r} may only contain letters, digits, '.', '_' and '-', and must not start with '.'; rename it (for example 20230907-125328-94)"
    if len(value) > ID_MAX:
        return f"id is {len(value)} characters long; shorten it to at most {ID_MAX}"
    if value.lower().split(".")[0] in RESERVED_NAMES:
        return f"id {value!r} is a reserved file name on Windows; choose another"
    return None


def _topics(doc: Document, problems: Problems, known: Collection[str] | None) -> tuple[str, ...]:
    if "topics" not in doc.meta:
        example = sorted(known)[0] if known else "community-policing"
        problems.add(doc.path, 1, f"missing required field 'topics': add a line such as 'topics: [{example}]'")
        return ()
    value = doc.meta["topics"]
    if isinstance(value, str) and "," in value:
        problems.add(doc.path, doc.line_of("topics"), f"topics {value!r} is one piece of text, not a list: put a list in brackets, "
                                                      "such as 'topics: [a-topic, another-topic]', or write one topic per '- ' line below 'topics:'")
        return ()
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not items or not all(isinstance(t, str) and t.strip() for t in items):
        problems.add(doc.path, doc.line_of("topics"), "topics must be one topic slug or a list of them, such as [community-policing, officer-safety]")
        return ()
    slugs = tuple(dict.fromkeys(t.strip() for t in items))
    for slug in slugs:
        if known is not None and slug not in known:
            problems.add(doc.path, doc.line_of("topics"), unknown_topic_message(slug, known))
    return slugs


def unknown_topic_message(slug: str, known: Collection[str]) -> str:
    """Why a topic slug that has no file in content/topics/ cannot be used: its close matches, and how to add a topic."""
    options = sorted(known)
    close = difflib.get_close_matches(slug, options, n=3, cutoff=0.6)
    if close:
        choice = f"did you mean {' or '.join(repr(c) for c in close)}?"
    else:
        choice = f"the site's topics are: {', '.join(options)}." if options else "the site has no topics yet."
    return f"unknown topic {slug!r}; {choice} To add a topic, run: topicsite new-topic \"TITLE\""


def _flag(doc: Document, key: str, problems: Problems) -> bool:
    value = doc.meta.get(key, False)
    if not isinstance(value, bool):
        problems.add(doc.path, doc.line_of(key), f"{key} must be true or false, not {value!r}")
        return False
    return value


def _extra(doc: Document, problems: Problems) -> Mapping[str, Any]:
    value = doc.meta.get("extra", {})
    if not isinstance(value, dict) or not all(isinstance(k, str) for k in value):
        problems.add(doc.path, doc.line_of("extra"), "extra must be a mapping of names to values, such as {agency: Stratford Police Department}")
        return MappingProxyType({})
    message = nested_problem("extra", value)
    if message:
        problems.add(doc.path, doc.line_of("extra"), message)
        return MappingProxyType({})
    frozen: Mapping[str, Any] = freeze(value)
    return frozen


def freeze(value: Any) -> Any:
    """A read-only deep copy of YAML data: mappings become MappingProxyType, lists tuples."""
    if isinstance(value, dict):
        return MappingProxyType({str(k): freeze(v) for k, v in value.items()})
    if isinstance(value, list):
        return tuple(freeze(v) for v in value)
    return value


def read_topic(path: Path) -> TopicSource:
    """Read and parse one topic file."""
    return parse_topic(path, read_text(path))
