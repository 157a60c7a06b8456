"""`topicsite import feed`: new items become submissions; items already in the site are checked against them."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

from ..commands.new import slugify, submission_id
from ..content import find
from ..content.config import Config, read_config
from ..content.dates import parse_date
from ..content.frontmatter import parse_document
from ..content.parse import read_text
from ..errors import Problem, SiteError
from ..redirects.feed import FeedItem, parse_feed
from ..redirects.fetch import FetchFailed, fetch, is_web_url, url_place
from .bodies import lost_text, to_markdown
from .convert import PORTAL_ID, Converted, collisions
from .documents import REFUSED_COUNT, ImportedSubmission, refusals
from .record import read_record
from .run import Report, run

DRUPAL_GUID = re.compile(r"^(\d+) at https?://")


@dataclass(frozen=True, slots=True)
class Existing:
    """A submission already in the site, as far as the cross-check needs it."""

    path: Path
    title: str
    submitted_by: str
    date: str
    body: str


def read_source(source: str) -> tuple[Path, bytes]:
    """The feed's bytes, from a file or an http(s) URL."""
    if is_web_url(source):
        try:
            return url_place(source), fetch(source).body
        except FetchFailed as error:
            raise SiteError.single(url_place(source), 1, f"cannot fetch the feed {source}: {error.reason}") from None
    path = Path(source)
    try:
        return path, path.read_bytes()
    except OSError as error:
        raise SiteError.single(path, 1, f"cannot read the feed: {error.strerror or error}") from None


def import_feed(source: str, site_dir: Path, *, dry_run: bool, force: bool) -> Report:
    """Import a feed into a site folder; see README 'Importing from Drupal 7'."""
    config = read_config(site_dir)
    path, data = read_source(source)
    items = parse_feed(path, data)
    record = read_record(site_dir)
    from_feeds = {p for p, entry in record.entries.items() if entry.source.startswith("feed ")}
    converted = convert_feed(path, items, config, site_dir, existing_by_guid(site_dir, config, exclude=from_feeds), topic_names(site_dir))
    return run(site_dir, converted, config.zone, record, force=force, dry_run=dry_run)


def topic_names(site_dir: Path) -> dict[str, str]:
    """Every way a feed may name a topic (title or slug, case-folded) -> slug."""
    names = {}
    for file in sorted((site_dir / find.CONTENT / find.TOPICS).glob("*.md")):
        doc = parse_document(file, read_text(file))
        names[file.stem.casefold()] = file.stem
        if isinstance(doc.meta.get("title"), str):
            names[doc.meta["title"].strip().casefold()] = file.stem
    return names


def existing_by_guid(site_dir: Path, config: Config, exclude: set[str]) -> dict[str, Existing]:
    """Submissions that state a guid, except the files a feed import wrote (those are updated instead)."""
    found = {}
    for file in sorted((site_dir / find.CONTENT / find.SUBMISSIONS).rglob("*.md")):
        if file.relative_to(site_dir).as_posix() in exclude:
            continue
        doc = parse_document(file, read_text(file))
        guid = doc.meta.get("guid")
        if isinstance(guid, str):
            try:
                moment = parse_date(doc.meta["date"], config.zone) if doc.meta.get("date") else None
            except ValueError as error:
                raise SiteError.single(file, doc.line_of("date"), str(error)) from None
            found[guid.strip()] = Existing(file, str(doc.meta.get("title") or doc.meta.get("id") or file.stem),
                                           str(doc.meta.get("submitted_by", "")), moment.isoformat() if moment else "", doc.body)
    return found


def convert_feed(path: Path, items: tuple[FeedItem, ...], config: Config, site_dir: Path, existing: Mapping[str, Existing],
                 topics: Mapping[str, str]) -> Converted:
    """New items become submissions; items whose guid exists are compared, each difference an error."""
    problems: list[Problem] = []
    submissions = []
    checked = refused = 0
    taken: set[str] = set()
    for item in items:
        if not item.guid:
            problems.append(Problem(path, item.line, f"item {item.title!r} has neither guid nor link: not imported"))
        elif item.guid in existing:
            checked += 1
            problems += compare(path, item, existing[item.guid], config)
        elif (made := _submission(path, item, config, site_dir, topics, taken, problems)) is not None:
            found = refusals(made, path, item.line, f"item {item.guid!r}")
            problems += found
            refused += bool(found)
            if not found:
                submissions.append(made)
                taken.add(made.id)
    clashes = collisions((), submissions, site_dir)
    counts = (("feed items", len(items)), ("submissions", len(submissions)), (REFUSED_COUNT, refused),
              ("checked against existing files", checked), ("differences", sum(1 for p in problems if p.message.startswith("differs"))))
    return Converted((), tuple(submissions), tuple(problems + clashes), counts, blocked=bool(clashes))


def _submission(path: Path, item: FeedItem, config: Config, site_dir: Path, topics: Mapping[str, str], taken: set[str],
                problems: list[Problem]) -> ImportedSubmission | None:
    where = f"item {item.guid!r}"
    if item.date is None or not item.author:
        problems.append(Problem(path, item.line, f"{where} has no {'date' if item.date is None else 'author'}: not imported"))
        return None
    slugs = []
    for name in item.topics:
        slug = topics.get(name.strip().casefold()) or topics.get(slugify(name))
        if slug is None:
            problems.append(Problem(path, item.line, f"{where}: category {name!r} matches no topic by title or slug; create the topic or ignore this", "warning"))
        else:
            slugs.append(slug)
    if not slugs:
        problems.append(Problem(path, item.line, f"{where} has no category that matches a topic: not imported"))
        return None
    moment = item.date.astimezone(config.zone)
    new_id = item.title if PORTAL_ID.match(item.title) else _made_id(item, moment, taken)
    markdown = to_markdown(item.body_html)
    if not markdown.strip():
        problems.append(Problem(path, item.line, f"{where} has no text: not imported"))
        return None
    for difference in lost_text(item.body_html, markdown, (path, item.line)):
        problems.append(Problem(path, item.line, f"{where}: text changed in the conversion to Markdown: {difference}", "warning"))
    return ImportedSubmission(
        id=new_id, title=None if new_id == item.title else item.title, submitted_by=item.author, date=moment,
        topics=tuple(dict.fromkeys(slugs)), guid=item.guid, aliases=_old_paths(item, config), sticky=False, draft=False,
        body=markdown, source=f"feed {item.guid}", changed=0,
        updated=item.updated.astimezone(config.zone) if item.updated else None)


def _made_id(item: FeedItem, moment: datetime, taken: set[str]) -> str:
    """An id in the portal's shape from the date, the suffix from the guid so that it is the same every run."""
    suffix = int(hashlib.sha256(item.guid.encode("utf-8")).hexdigest(), 16) % 100
    while submission_id(moment, suffix) in taken:
        suffix = (suffix + 1) % 100
    return submission_id(moment, suffix)


def _old_paths(item: FeedItem, config: Config) -> tuple[str, ...]:
    """The item's old addresses: /node/NID from a Drupal guid, and the path of its link."""
    found = []
    drupal = DRUPAL_GUID.match(item.guid)
    if drupal:
        found.append(f"/node/{drupal.group(1)}")
    link_path = urlsplit(item.link).path
    if link_path not in ("", "/") and not link_path.startswith(config.base_path + "submissions/"):
        found.append(link_path)
    return tuple(dict.fromkeys(found))


def compare(path: Path, item: FeedItem, existing: Existing, config: Config) -> list[Problem]:
    """Each way the feed item and the existing submission disagree."""
    where = f"differs from {existing.path.as_posix()} (guid {item.guid!r})"
    found = []
    feed_date = item.date.astimezone(config.zone).isoformat() if item.date else ""
    if feed_date != existing.date:
        found.append(f"{where}: date {feed_date or '(none)'} in the feed, {existing.date or '(none)'} in the file")
    if item.title != existing.title:
        found.append(f"{where}: title {item.title!r} in the feed, {existing.title!r} in the file")
    if item.author != existing.submitted_by:
        found.append(f"{where}: author {item.author!r} in the feed, {existing.submitted_by!r} in the file")
    found += [f"{where}: text {difference}" for difference in lost_text(item.body_html, existing.body, (path, item.line))]
    return [Problem(path, item.line, message) for message in found]
