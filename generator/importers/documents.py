"""Imported items and the text of the content files made from them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from ..commands.new import yaml_quote
from ..content import find
from ..content.aliases import ALIAS_PATTERN, alias_problem
from ..content.parse import markdown_problems, parse_submission, parse_topic, text_problem
from ..content.text import value_problem
from ..errors import Problem

PLAIN_SCALAR = re.compile(r"^[A-Za-z0-9/][A-Za-z0-9._~/-]*$")
NOT_IMPORTED = "it was not imported (fix it in the source and import again)"
REFUSED_COUNT = "not imported for a bad alias or text"


@dataclass(frozen=True, slots=True)
class ImportedSubmission:
    """A submission as an importer found it, ready to be written."""

    id: str
    title: str | None
    submitted_by: str
    date: datetime
    topics: tuple[str, ...]
    guid: str
    aliases: tuple[str, ...]
    sticky: bool
    draft: bool
    body: str
    source: str
    changed: int
    updated: datetime | None = None  # the last edit, when the source has one later than date

    @property
    def path(self) -> str:
        """The file's path in the site folder, POSIX style."""
        return f"{find.CONTENT}/{find.SUBMISSIONS}/{self.date:%Y}/{self.id}.md"


@dataclass(frozen=True, slots=True)
class ImportedTopic:
    """A topic as an importer found it, ready to be written."""

    slug: str
    title: str
    aliases: tuple[str, ...]
    description: str
    source: str
    changed: int

    @property
    def path(self) -> str:
        return f"{find.CONTENT}/{find.TOPICS}/{self.slug}.md"


def submission_problems(item: ImportedSubmission) -> list[str]:
    """What a build would refuse in an imported submission, found with the loader's own pure checks before writing."""
    texts = (("title", item.title), ("submitted_by", item.submitted_by), ("guid", item.guid))
    found = [text_problem(key, value) for key, value in texts if value is not None]
    found += [alias_problem(alias, feeds=False) for alias in item.aliases]
    found.append(value_problem("the request text", item.body))
    found += [message for _, message in markdown_problems("the request text", item.body)]
    return [message for message in found if message]


def refusals(item: ImportedSubmission, source: Path, line: int, what: str) -> list[Problem]:
    """An error at the item's source (a feed's line; for Drupal, the file it would be) for each problem that keeps it out."""
    return [Problem(source, line, f"{what}: {message}; {NOT_IMPORTED}") for message in submission_problems(item)]


def local_date(moment: datetime, zone: ZoneInfo) -> str:
    """The date as front matter: local time with seconds, with the offset only when the local time is ambiguous (DST)."""
    local = moment.astimezone(zone)
    naive = local.replace(tzinfo=None)
    if naive.replace(tzinfo=zone, fold=0).utcoffset() != local.utcoffset():
        return local.isoformat(sep=" ")
    return f"{local:%Y-%m-%d %H:%M:%S}"


def scalar(value: str) -> str:
    """A YAML scalar: paths and slugs as they are, other text in double quotes."""
    return value if PLAIN_SCALAR.match(value) and ALIAS_PATTERN.match("/" + value) else yaml_quote(value)


def flow_list(values: tuple[str, ...]) -> str:
    return "[" + ", ".join(scalar(v) for v in values) + "]"


def submission_text(item: ImportedSubmission, zone: ZoneInfo) -> str:
    """A submission file's text, keys in a fixed order."""
    lines = ["---"]
    if item.title is not None:
        lines.append(f"title: {yaml_quote(item.title)}")
    lines += [f"submitted_by: {yaml_quote(item.submitted_by)}", f"date: {local_date(item.date, zone)}"]
    if item.updated is not None:
        lines.append(f"updated: {local_date(item.updated, zone)}")
    lines.append(f"topics: {flow_list(item.topics)}")
    if item.sticky:
        lines.append("sticky: true")
    if item.draft:
        lines.append("draft: true")
    lines.append(f"guid: {yaml_quote(item.guid)}")
    if item.aliases:
        lines.append(f"aliases: {flow_list(item.aliases)}")
    text = "\n".join([*lines, "---", item.body.rstrip("\n")]) + "\n"
    parse_submission(Path(item.path), text, zone)  # a last guard: submission_problems found what the source can get wrong
    return text


def topic_text(item: ImportedTopic) -> str:
    """A topic file's text: title, aliases, then the description."""
    lines = ["---", f"title: {yaml_quote(item.title)}"]
    if item.aliases:
        lines.append(f"aliases: {flow_list(item.aliases)}")
    lines.append("---")
    text = "\n".join(lines) + "\n" + (item.description.rstrip("\n") + "\n" if item.description.strip() else "")
    parse_topic(Path(item.path), text)  # a bug if what we write does not parse
    return text
