"""Drupal 7 terms and nodes to topics and submissions (pure: rows in, items and problems out)."""

from __future__ import annotations

import functools
import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from ..commands.new import slugify, submission_id
from ..content.config import Config
from ..content.parse import id_problem
from ..errors import Problem
from .bodies import KNOWN_FILTERS, lost_text, render_format, to_markdown
from .documents import REFUSED_COUNT, ImportedSubmission, ImportedTopic, refusals
from .drupal7 import Drupal, Filters, Node, Term

# The portal's id shape: YYYYMMDD-HMMSS-NN, the hour not zero-padded (see scaffold.submission_id).
PORTAL_ID = re.compile(r"^\d{8}-\d{5,6}-\d{2}$")


@dataclass(frozen=True, slots=True)
class Converted:
    """What a source becomes: topics, submissions, counts and problems."""

    topics: tuple[ImportedTopic, ...]
    submissions: tuple[ImportedSubmission, ...]
    problems: tuple[Problem, ...]
    counts: tuple[tuple[str, int], ...]
    blocked: bool = False  # a collision: which item wins is unclear, so nothing is written


@dataclass(frozen=True, slots=True)
class Settings:
    """The import's options that shape what is written."""

    guid_base: str
    drafts: bool


def convert(drupal: Drupal, config: Config, settings: Settings, site_dir: Path) -> Converted:
    """Turn the terms and nodes into items; every problem names its nid or tid and the file it concerns."""
    problems: list[Problem] = []
    if drupal.timezone and drupal.timezone != config.timezone:
        problems.append(Problem(config.path, 1, f"Drupal's date_default_timezone is {drupal.timezone} but site.toml says "
                                               f"timezone = {config.timezone!r}; dates are written in {config.timezone}", "warning"))
    self_skipped = Counter[str]()
    topics = [_topic(term, drupal, config, site_dir, problems, self_skipped) for term in drupal.terms]
    slugs = {term.tid: topic.slug for term, topic in zip(drupal.terms, topics)}
    wanted = [n for n in drupal.nodes if n.published or settings.drafts]
    ids = choose_ids(wanted, drupal.term_orders, config, site_dir, problems)
    made = [(n, s) for n in wanted if (s := _submission(n, ids[n.nid], slugs, drupal, config, settings, site_dir, problems))]
    refused = {n.nid: refusals(s, site_dir / s.path, 1, f"node {n.nid}") for n, s in made}
    problems += [problem for found in refused.values() for problem in found]
    submissions = [s for n, s in made if not refused[n.nid]]
    clashes = collisions(topics, submissions, site_dir)
    aliases = sum(len(t.aliases) for t in topics) + sum(len(s.aliases) for s in submissions)
    counts = (("topics", len(topics)), ("submissions", len(submissions)),
              ("unpublished skipped", sum(1 for n in drupal.nodes if not n.published and not settings.drafts)),
              (REFUSED_COUNT, sum(1 for found in refused.values() if found)),
              ("drafts", sum(1 for s in submissions if s.draft)), ("sticky", sum(1 for s in submissions if s.sticky)),
              ("aliases", aliases), ("aliases equal to the new page, left out", sum(self_skipped.values())),
              (f"names longer than name_max ({config.name_max})", sum(1 for s in submissions if len(s.submitted_by) > config.name_max)))
    return Converted(tuple(topics), tuple(submissions), tuple(problems + clashes), counts, blocked=bool(clashes))


def _topic(term: Term, drupal: Drupal, config: Config, site_dir: Path, problems: list[Problem], self_skipped: Counter[str]) -> ImportedTopic:
    slug = slugify(term.name) or f"term-{term.tid}"
    own = f"{config.base_path}topics/{slug}/"
    old = [f"/taxonomy/term/{term.tid}", *term.aliases, f"/taxonomy/term/{term.tid}/feed", f"/taxonomy/term/{term.tid}/all/feed"]
    # Drupal's alias topics/SLUG is the new page itself when the site lives at the root: no redirect onto itself.
    kept = tuple(a for a in dict.fromkeys(old) if a.rstrip("/") + "/" != own)
    self_skipped[f"tid {term.tid}"] += len(dict.fromkeys(old)) - len(kept)
    path = site_dir / f"content/topics/{slug}.md"
    description = _body(f"term {term.tid}", term.description, term.format, drupal, path, problems) if term.description.strip() else ""
    return ImportedTopic(slug, term.name, kept, description, f"drupal7 term {term.tid}", 0)


def _submission(node: Node, new_id: str, slugs: dict[int, str], drupal: Drupal, config: Config, settings: Settings,
                site_dir: Path, problems: list[Problem]) -> ImportedSubmission | None:
    moment = datetime.fromtimestamp(node.created, timezone.utc).astimezone(config.zone)
    path = site_dir / f"content/submissions/{moment:%Y}/{new_id}.md"
    topics = tuple(slugs[tid] for tid in node.tids if tid in slugs)
    if not topics:
        problems.append(Problem(path, 1, f"node {node.nid} has no term of the vocabulary, so it has no topic: not imported; give it a topic in Drupal and import again"))
        return None
    body = _body(f"node {node.nid}", node.body, node.format, drupal, path, problems)
    if not body.strip():
        problems.append(Problem(path, 1, f"node {node.nid} has an empty body: not imported; a submission needs its request text"))
        return None
    return ImportedSubmission(
        id=new_id, title=None if new_id == node.title else node.title, submitted_by=node.author.strip() or "Anonymous",
        date=moment, topics=topics, guid=f"{node.nid} at {settings.guid_base}", aliases=(f"/node/{node.nid}", *node.aliases),
        sticky=node.sticky, draft=not node.published, body=body, source=f"drupal7 node {node.nid}", changed=node.changed,
        updated=_edited(node, config))


def _edited(node: Node, config: Config) -> datetime | None:
    """Drupal's `changed` as `updated`, only when it is later than `created`: a node never edited imports as before."""
    return datetime.fromtimestamp(node.changed, timezone.utc).astimezone(config.zone) if node.changed > node.created else None


def _body(what: str, value: str, fmt: str, drupal: Drupal, path: Path, problems: list[Problem]) -> str:
    """A body rendered by its text format, then converted; each piece of text lost on the way is a warning."""
    filters = _filters(what, fmt, drupal, path, problems)
    shown = render_format(value, filters)
    markdown = to_markdown(shown)
    for difference in lost_text(shown, markdown, (path, 1)):
        problems.append(Problem(path, 1, f"{what}: text changed in the conversion to Markdown: {difference}; check the file", "warning"))
    return markdown


def _filters(what: str, fmt: str, drupal: Drupal, path: Path, problems: list[Problem]) -> Filters:
    if fmt not in drupal.formats:
        problems.append(Problem(path, 1, f"{what}: text format {fmt!r} does not exist; converted as Drupal does, with {drupal.fallback_format!r}", "warning"))
        fmt = drupal.fallback_format
    filters = drupal.formats.get(fmt, (("filter_html_escape", ""), ("filter_autop", "")))
    for name, _ in filters:
        if name not in KNOWN_FILTERS:
            problems.append(Problem(path, 1, f"{what}: filter {name!r} of text format {fmt!r} is not reproduced; check the converted text", "warning"))
    return filters


def choose_ids(nodes: Sequence[Node], term_orders: Sequence[Sequence[int]], config: Config, site_dir: Path,
               problems: list[Problem]) -> dict[int, str]:
    """Each node's submission id: its title when it has the portal's shape, otherwise one made from its date.

    topicsite lists equal dates by id, descending. Drupal lists nodes created in the same second as its
    term query returns them, so made ids of such nodes get suffixes in that order, and a conflict between
    titled ids is reported.
    """
    ids = {n.nid: n.title for n in nodes if PORTAL_ID.match(n.title) and not id_problem(n.title)}
    by_second: dict[int, list[Node]] = defaultdict(list)
    for node in nodes:
        by_second[node.created].append(node)
    for created, group in sorted(by_second.items()):
        ordered = sorted(group, key=functools.cmp_to_key(functools.partial(_drupal_before, term_orders=term_orders)))
        moment = datetime.fromtimestamp(created, timezone.utc).astimezone(config.zone)
        taken = {ids[n.nid] for n in group if n.nid in ids}
        made = [n for n in ordered if n.nid not in ids]
        for node, suffix in zip(made, _suffixes(made, moment, taken)):
            ids[node.nid] = submission_id(moment, suffix)
        shown = [n.nid for n in sorted(ordered, key=lambda n: ids[n.nid], reverse=True)]
        if shown != [n.nid for n in ordered]:
            path = site_dir / f"content/submissions/{moment:%Y}/{ids[ordered[0].nid]}.md"
            problems.append(Problem(path, 1, f"nodes {', '.join(str(n.nid) for n in ordered)} were created in the same second; "
                                             f"Drupal lists them in that order, topicsite by id: {', '.join(map(str, shown))}", "warning"))
    return ids


def _drupal_before(a: Node, b: Node, term_orders: Sequence[Sequence[int]]) -> int:
    """Drupal's order of two nodes with the same created time: the first term listing both, else newest nid first."""
    for order in term_orders:
        if a.nid in order and b.nid in order:
            return -1 if order.index(a.nid) < order.index(b.nid) else 1
    return b.nid - a.nid


def _suffixes(made: Sequence[Node], moment: datetime, taken: set[str]) -> list[int]:
    """Distinct two-digit suffixes, from the nid, highest first (the first in Drupal's order is listed first)."""
    chosen: list[int] = []
    for node in made:
        suffix = node.nid % 100
        while suffix in chosen or submission_id(moment, suffix) in taken:
            suffix = (suffix + 1) % 100
        chosen.append(suffix)
    return sorted(chosen, reverse=True)


def collisions(topics: Sequence[ImportedTopic], submissions: Sequence[ImportedSubmission], site_dir: Path) -> list[Problem]:
    """Two items with one id, slug or guid, or one alias claimed twice: errors naming both."""
    problems = []
    owners: dict[str, tuple[int, str]] = {}
    items: list[tuple[str, str, tuple[str, ...], str]] = [(f"topic {t.slug}", t.source, t.aliases, t.path) for t in topics]
    items += [(f"id {s.id.casefold()}", s.source, (*s.aliases, f"guid {s.guid}"), s.path) for s in submissions]
    for index, (key, source, claims, path) in enumerate(items):
        for claim in (key, *(c if c.startswith("guid ") else f"alias {c}" for c in claims)):
            other, other_source = owners.setdefault(claim, (index, f"{source} ({path})"))
            if other != index:
                problems.append(Problem(site_dir / path, 1, f"{source} ({path}) and {other_source} both want the {claim}: "
                                                            "change one in the source, or remove the alias"))
    return problems
