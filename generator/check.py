"""`topicsite check`: load, render into a temporary folder, and check the result; the output folder is never touched."""

from __future__ import annotations

import dataclasses
import json
import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from . import paths
from .checks import check_feed, check_links, check_sitemap, check_titles
from .config import Config, read_config
from .content import read_text, parse_submission, parse_topic
from .errors import Problem, Problems, SiteError, display_path
from .model import Site
from .render import OutputFile, plan
from .site import LoadOptions, load

TITLE_MAX = 120
HTTP_LINK = re.compile(r"(?<![A-Za-z0-9+.-])http://[^\s<>()\[\]\"'`]+", re.IGNORECASE)
LINK_LABEL = re.compile(r'^<\w+ (?:href|src|action)="([^"]*)">')
SOURCE_LINE = re.compile(r"^(.*):(\d+)$")


@dataclass(frozen=True, slots=True)
class CheckOptions:
    """What to include (as for build) and whether warnings count as errors."""

    drafts: bool = False
    future: bool = False
    strict: bool = False
    now: datetime = field(default_factory=lambda: datetime.now(timezone.utc))


def check_site(site_dir: Path, options: CheckOptions | None = None) -> list[Problem]:
    """Every finding in a site, sorted: content errors, warnings, and problems in the built pages and feeds."""
    options = options or CheckOptions()
    site_dir = site_dir.resolve()
    findings = list(source_warnings(site_dir, options.drafts))
    try:
        site = load(site_dir, LoadOptions(drafts=options.drafts, future=options.future, now=options.now))
        findings += [*site.warnings, *empty_topic_warnings(site)]
        findings += check_output(site, plan(site))
    except SiteError as error:
        findings += error.problems
    return finish(findings, options.strict)


def finish(findings: list[Problem], strict: bool) -> list[Problem]:
    """Sorted and without repeats; with strict, every warning is an error."""
    if strict:
        findings = [dataclasses.replace(p, severity="error") for p in findings]
    return sorted(set(findings), key=lambda p: (*p.sort_key(), p.severity))


def summary(findings: list[Problem]) -> str:
    """'2 errors, 1 warning'."""
    errors = sum(1 for p in findings if p.severity == "error")
    warnings = len(findings) - errors
    return f"{errors} {'error' if errors == 1 else 'errors'}, {warnings} {'warning' if warnings == 1 else 'warnings'}"


# ---- warnings from the source files ------------------------------------------------------------


def source_warnings(site_dir: Path, drafts_included: bool) -> Iterator[Problem]:
    """Drafts, very long titles and http: links in submissions and topics that parse (load reports the rest)."""
    try:
        config = read_config(site_dir)
    except SiteError:
        return
    for path, text in _texts(paths.topic_files(site_dir, Problems())):
        yield from _topic_warnings(path, text)
    for path, text in _texts(paths.submission_files(site_dir, Problems())):
        yield from _submission_warnings(path, text, config, drafts_included)


def _texts(files: list[Path]) -> Iterator[tuple[Path, str]]:
    for path in files:
        try:
            yield path, read_text(path)
        except (SiteError, OSError):
            continue


def _submission_warnings(path: Path, text: str, config: Config, drafts_included: bool) -> Iterator[Problem]:
    try:
        source = parse_submission(path, text, config.zone)
    except SiteError:
        return
    if source.draft:
        effect = "shown, marked as a draft, because of --drafts" if drafts_included else "left out of the site, its feeds and counts (build with --drafts to preview it)"
        yield Problem(path, _key_line(text, "draft"), f"is a draft: {effect}; remove 'draft: true' to publish it", "warning")
    yield from _title_warnings(path, text, source.title)
    yield from _http_links(path, text, source.body_line)


def _topic_warnings(path: Path, text: str) -> Iterator[Problem]:
    try:
        source = parse_topic(path, text)
    except SiteError:
        return
    yield from _title_warnings(path, text, source.title)
    yield from _http_links(path, text, source.body_line)


def _title_warnings(path: Path, text: str, title: str) -> Iterator[Problem]:
    if len(title) > TITLE_MAX:
        message = f"the title is {len(title)} characters long; shorten it to at most {TITLE_MAX} so that it fits in tabs, lists and search results"
        yield Problem(path, _key_line(text, "title"), message, "warning")


def _http_links(path: Path, text: str, body_line: int) -> Iterator[Problem]:
    """External links with http: in the body, at the line where each is written."""
    lines = text.split("\n")
    for number, line in enumerate(lines[body_line - 1:], start=body_line):
        for url in HTTP_LINK.findall(line):
            yield Problem(path, number, f"the link {url} uses http:; use https: if that site offers it", "warning")


def _key_line(text: str, key: str) -> int:
    """The line of a front matter key, or 1."""
    match = re.search(rf"^{key}\s*:", text, re.MULTILINE)
    return text.count("\n", 0, match.start()) + 1 if match else 1


def empty_topic_warnings(site: Site) -> Iterator[Problem]:
    """A topic with no submissions in this build."""
    for topic in site.topics:
        if not topic.submissions:
            yield Problem(topic.source, 1, f"topic {topic.slug!r} has no submissions; its page only says so", "warning")


# ---- the built output ----------------------------------------------------------------------------


def check_output(site: Site, files: list[OutputFile]) -> list[Problem]:
    """Write the plan into a temporary folder and check links, fragments, titles, the sitemap and feeds."""
    base_url = site.config.base_url
    with tempfile.TemporaryDirectory(prefix="topicsite-check-") as folder:
        root = Path(folder)
        for output in files:
            (root / output.path).parent.mkdir(parents=True, exist_ok=True)
            (root / output.path).write_bytes(output.data)
        found = check_links(root, base_url) + check_titles(root) + check_sitemap(root, base_url)
        data = {output.path: output.data for output in files}
        for feed in site.feeds:
            found += check_feed(root / feed.output_path, data[feed.output_path], feed.ref.absolute_url, base_url)
        sources = {output.path: output.source for output in files}
        return [_at_source(problem, root, sources) for problem in found]


def _at_source(problem: Problem, root: Path, sources: dict[str, str]) -> Problem:
    """A problem in a built file, reported at the source it was made from (the line of the link where it can tell)."""
    built = problem.path.relative_to(root).as_posix()
    source, line = _split_source(sources.get(built, ""))
    if source is None:
        return dataclasses.replace(problem, path=Path(built))
    line = _link_line(source, problem.message) or line
    return dataclasses.replace(problem, path=source, line=line, message=f"in the built {built}, line {problem.line}: {problem.message}")


def _split_source(source: str) -> tuple[Path | None, int]:
    if not source:
        return None, 1
    match = SOURCE_LINE.match(source)
    return (Path(match[1]), int(match[2])) if match else (Path(source), 1)


def _link_line(source: Path, message: str) -> int | None:
    """The line of a Markdown source that holds the link a message is about."""
    label = LINK_LABEL.match(message)
    if not label or source.suffix != ".md" or not label[1]:
        return None
    try:
        lines = read_text(source).split("\n")
    except (SiteError, OSError):
        return None
    return next((number for number, line in enumerate(lines, start=1) if label[1] in line), None)


def findings_json(findings: list[Problem]) -> str:
    """The findings as JSON for other tools: {"findings": [{path, line, severity, message}], "errors": N, "warnings": M}."""
    errors = sum(1 for p in findings if p.severity == "error")
    items = [{"path": display_path(p.path), "line": p.line, "severity": p.severity, "message": p.message} for p in findings]
    return json.dumps({"findings": items, "errors": errors, "warnings": len(findings) - errors}, indent=2, ensure_ascii=False)
