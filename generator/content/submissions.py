"""Submission files parsed and their bodies rendered: the one way load gets them, pure; the memo has a cached, parallel one."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

from ..errors import Problem, SiteError
from .frontmatter import decode
from .markdown import excerpt, render_markdown
from .parse import SubmissionSource, parse_submission

PageUrl = Callable[[str], str]  # a submission id -> the URL of its page, which its body's relative links resolve against


@dataclass(frozen=True, slots=True)
class Body:
    """A submission's body as sanitized HTML, and the plain text of its start (for descriptions)."""

    html: str
    summary: str


@dataclass(frozen=True, slots=True)
class Parsed:
    """The submissions that parsed, their bodies and a digest of each file's bytes by path, and every problem found."""

    sources: list[SubmissionSource]
    bodies: dict[Path, Body]
    digests: dict[Path, bytes]
    problems: list[Problem]


SubmissionParser = Callable[[Sequence[Path], ZoneInfo, PageUrl, Collection[str]], Parsed]


def file_digest(raw: bytes) -> bytes:
    """The digest of a content file's bytes."""
    return hashlib.blake2b(raw, digest_size=20).digest()


def render_body(source: SubmissionSource, page_url: str) -> Body:
    """A submission's body as sanitized HTML, links resolved against its page, and its summary."""
    html = render_markdown(source.body, page_url, f"{source.id}-", (source.path, source.body_line))
    return Body(html, excerpt(html))


def parse_submissions(paths: Sequence[Path], zone: ZoneInfo, page_url: PageUrl, topic_slugs: Collection[str]) -> Parsed:
    """Parse every submission file and render every body, one after the other."""
    parsed = Parsed([], {}, {}, [])
    for path in paths:
        try:
            raw = path.read_bytes()
        except OSError as error:
            parsed.problems.append(Problem(path, 1, f"cannot read the file: {error.strerror}"))
            continue
        parsed.digests[path] = file_digest(raw)
        try:
            source = parse_submission(path, decode(path, raw), zone, topic_slugs)
            body = render_body(source, page_url(source.id))
        except SiteError as error:
            parsed.problems.extend(error.problems)
            continue
        parsed.sources.append(source)
        parsed.bodies[path] = body
    return parsed
