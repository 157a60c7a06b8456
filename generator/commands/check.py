"""`topicsite check`: load and plan in memory, and check the planned files; nothing is written."""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from ..check.feeds import check_feed
from ..check.links import check_links, check_sitemap, check_titles, read_pages
from ..content.parse import SubmissionSource, TopicSource
from ..errors import About, Problem, SiteError, Source, display_path
from ..memo.cache import Cache
from ..render.plan import plan
from ..render.planned import Plan
from ..site import addresses
from ..site.load import LoadOptions, Sources, index_sources, read_sources
from ..site.model import Site

TITLE_MAX = 120
HTTP_LINK = re.compile(r"(?<![A-Za-z0-9+.-])http://[^\s<>()\[\]\"'`]+", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class CheckOptions:
    """What to include (as for build), whether warnings count as errors, and whether the search index is made."""

    drafts: bool = False
    future: bool = False
    strict: bool = False
    search: bool = True
    now: datetime = field(default_factory=lambda: datetime.now(timezone.utc))


def check_site(site_dir: Path, options: CheckOptions | None = None) -> list[Problem]:
    """Every finding in a site, sorted: content errors, warnings, and problems in the built pages and feeds.
    Each file is read once: the warnings about sources come from the parsed sources the model is made of."""
    options = options or CheckOptions()
    sources = read_sources(site_dir)
    findings = list(source_warnings(sources, options.drafts))
    try:
        site = index_sources(sources, LoadOptions(drafts=options.drafts, future=options.future, now=options.now))
        findings += [*site.warnings, *empty_topic_warnings(site)]
        files = plan(site, Cache.disabled(), search=options.search)
        findings += check_output(site, files, _by_path(sources), unbuilt=() if options.search else (addresses.SEARCH_INDEX,))
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


def source_warnings(sources: Sources, drafts_included: bool) -> Iterator[Problem]:
    """Drafts, very long titles and http: links in submissions and topics that parse (load reports the rest)."""
    for topic in sources.topics:
        yield from _title_warnings(topic)
        yield from _http_links(topic.path, topic.description, topic.body_line)
    for submission in sources.parsed.sources:
        if submission.draft:
            effect = "shown, marked as a draft, because of --drafts" if drafts_included else "left out of the site, its feeds and counts (build with --drafts to preview it)"
            yield Problem(submission.path, submission.line_of("draft"), f"is a draft: {effect}; remove 'draft: true' to publish it", "warning")
        yield from _title_warnings(submission)
        yield from _http_links(submission.path, submission.body, submission.body_line)


def _title_warnings(source: SubmissionSource | TopicSource) -> Iterator[Problem]:
    if len(source.title) > TITLE_MAX:
        message = f"the title is {len(source.title)} characters long; shorten it to at most {TITLE_MAX} so that it fits in tabs, lists and search results"
        yield Problem(source.path, source.line_of("title"), message, "warning")


def _http_links(path: Path, body: str, body_line: int) -> Iterator[Problem]:
    """External links with http: in a body, at the line where each is written."""
    for number, line in enumerate(body.split("\n"), start=body_line):
        for url in HTTP_LINK.findall(line):
            url = url.rstrip(".,;:!?")
            yield Problem(path, number, f"the link {url} uses http:; use https: if that site offers it", "warning")


def empty_topic_warnings(site: Site) -> Iterator[Problem]:
    """A topic with no submissions in this build."""
    for topic in site.topics:
        if not topic.submissions:
            yield Problem(topic.source, 1, f"topic {topic.slug!r} has no submissions; its page only says so", "warning")


# ---- the built output ----------------------------------------------------------------------------


def check_output(site: Site, files: Plan, parsed: Mapping[Path, SubmissionSource | TopicSource] | None = None,
                 unbuilt: tuple[str, ...] = ()) -> list[Problem]:
    """Check the planned files in memory: links, fragments, titles, the sitemap and feeds; `parsed` places
    findings at the line of the Markdown source they come from; links into the `unbuilt` folders are not checked."""
    base_url = site.config.base_url
    data = {f.path: f.data for f in files if f.data is not None}  # a plan against no previous output holds every file's bytes
    pages = read_pages(data)
    found = check_links(data, base_url, pages, unbuilt) + check_titles(pages) + check_sitemap(data, base_url)
    for feed in site.feeds:
        found += check_feed(Path(feed.output_path), data[feed.output_path], feed.ref.absolute_url, base_url)
    sources = {f.path: f.source for f in files}
    return _without_repeats([_at_source(problem, sources[problem.path.as_posix()], parsed or {}) for problem in found])


@dataclass(frozen=True, slots=True)
class _Located:
    """A finding moved to its source: whether its exact line there was found, and what it is about in any built file."""

    problem: Problem
    exact: bool
    original: str


def _at_source(problem: Problem, source: Source, parsed: Mapping[Path, SubmissionSource | TopicSource]) -> _Located:
    """A problem in a built file, reported at the source it was made from."""
    exact = _source_line(parsed.get(source.path), problem.about)
    message = f"in the built {problem.path.as_posix()}, line {problem.line}: {problem.message}"
    original = problem.about.label if problem.about and problem.about.kind == "link" else problem.message
    return _Located(dataclasses.replace(problem, path=source.path, line=exact or source.line, message=message), exact is not None, original)


def _without_repeats(located: list[_Located]) -> list[Problem]:
    """One finding per fault: a link in a submission also shows on topic pages, one in a template on every page."""
    found_in_source = {found.original for found in located if found.exact}
    repeats: dict[str, list[Problem]] = {}
    for found in located:
        if not found.exact and found.original not in found_in_source:
            repeats.setdefault(found.original, []).append(found.problem)
    once = [group[0] if len(group) == 1 else _also_in(group) for group in repeats.values()]
    return [found.problem for found in located if found.exact] + once


def _also_in(group: list[Problem]) -> Problem:
    more = len(group) - 1
    note = f" (and the same in {more} more built {'file' if more == 1 else 'files'}: it may come from a template)"
    return dataclasses.replace(group[0], message=group[0].message + note)


def _source_line(source: SubmissionSource | TopicSource | None, about: About | None) -> int | None:
    """The line of a Markdown source that holds what a finding is about: a link's target, or the title."""
    if source is None or about is None:
        return None
    if about.kind == "title":
        return source.line_of("title") if "title" in dict(source.key_lines) else None
    if not about.target:
        return None
    body = source.body if isinstance(source, SubmissionSource) else source.description
    lines = body.split("\n")
    for target in _as_written(about.target):
        found = next((number for number, line in enumerate(lines, start=source.body_line) if target in line), None)
        if found:
            return found
    return None


def _by_path(sources: Sources) -> dict[Path, SubmissionSource | TopicSource]:
    """The parsed sources by file, to place findings in built files at their source line."""
    parsed: list[SubmissionSource | TopicSource] = [*sources.topics, *sources.parsed.sources]
    return {source.path: source for source in parsed}


def _as_written(href: str) -> list[str]:
    """A link as the Markdown may have it: as built, or a #fragment without the id prefix rendering adds."""
    if not href.startswith("#"):
        return [href]
    parts = href[1:].split("-")
    return [href] + ["#" + "-".join(parts[k:]) for k in range(1, len(parts))]


def findings_json(findings: list[Problem]) -> str:
    """The findings as JSON for other tools: {"findings": [{path, line, severity, message}], "errors": N, "warnings": M}."""
    errors = sum(1 for p in findings if p.severity == "error")
    items = [{"path": display_path(p.path), "line": p.line, "severity": p.severity, "message": p.message} for p in findings]
    return json.dumps({"findings": items, "errors": errors, "warnings": len(findings) - errors}, indent=2, ensure_ascii=False)
