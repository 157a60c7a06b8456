"""Start new content files: `topicsite new` (a submission) and `topicsite new-topic` (a topic)."""

from __future__ import annotations

import json
import random
import re
import unicodedata
from collections.abc import Callable, Sequence
from datetime import datetime, timezone
from pathlib import Path

from ..content import find
from ..content.config import read_config
from ..content.parse import PLACEHOLDER, parse_submission, parse_topic, unknown_topic_message
from ..errors import Problem, Problems, SiteError

ID_ATTEMPTS = 100
SLUG_MAX = 80
ID_LINE = re.compile(r"^id:\s*['\"]?([^'\"\s#]+)", re.MULTILINE)

# Letters that NFKD does not split into an ASCII letter and an accent.
LIGATURES = str.maketrans({"ß": "ss", "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE", "ø": "o", "Ø": "O",
                           "đ": "d", "Đ": "D", "ł": "l", "Ł": "L", "þ": "th", "Þ": "TH", "ı": "i"})

Clock = Callable[[], datetime]
TwoDigits = Callable[[], int]


def utc_now() -> datetime:
    """The current time, aware, in UTC."""
    return datetime.now(timezone.utc)


def random_two_digits() -> int:
    """A random number from 0 to 99, the portal's id suffix."""
    return random.randrange(100)


def submission_id(moment: datetime, suffix: int) -> str:
    """The portal's id shape YYYYMMDD-HMMSS-NN: the hour is not zero-padded (08:23:32 -> 82332)."""
    return f"{moment:%Y%m%d}-{moment.hour}{moment:%M%S}-{suffix:02d}"


def new_submission(site_dir: Path, submitted_by: str, topics: Sequence[str], title: str | None = None, *,
                   clock: Clock = utc_now, two_digits: TwoDigits = random_two_digits) -> Path:
    """Create content/submissions/YYYY/<id>.md with its front matter filled in; return its path."""
    config = read_config(site_dir)
    _check_topics(site_dir, topics)
    moment = clock().astimezone(config.zone).replace(microsecond=0)
    taken = existing_ids(site_dir)
    folder = site_dir / find.CONTENT / find.SUBMISSIONS / f"{moment:%Y}"
    for _ in range(ID_ATTEMPTS):
        new_id = submission_id(moment, two_digits())
        if new_id.casefold() in taken:
            continue
        text = submission_text(submitted_by, moment, topics, title)
        parse_submission(folder / f"{new_id}.md", text, config.zone)  # a bug if what we write does not parse
        if _create(folder / f"{new_id}.md", text):
            return folder / f"{new_id}.md"
        taken.add(new_id.casefold())
    raise SiteError.single(folder, 1, f"found no free id for {moment:%Y-%m-%d %H:%M:%S} in {ID_ATTEMPTS} tries; run the command again")


def _check_topics(site_dir: Path, topics: Sequence[str]) -> None:
    """Unknown topics are an error at the topics folder (the command line reports them at --topic instead)."""
    unknown = unknown_topics(site_dir, topics)
    if unknown:
        raise SiteError(Problem(site_dir / find.CONTENT / find.TOPICS, 1, message) for message in unknown)


def unknown_topics(site_dir: Path, topics: Sequence[str]) -> list[str]:
    """Why each topic that has no file in content/topics/ cannot be used, as a build says it."""
    known = {path.stem for path in find.content_files(site_dir, Problems()).topics}  # the walk load does; a build reports its findings
    return [unknown_topic_message(slug, known) for slug in topics if slug not in known]


def existing_ids(site_dir: Path) -> set[str]:
    """Every submission id in use (file names and `id:` fields), case-folded."""
    taken = set()
    for path in find.content_files(site_dir, Problems()).submissions:  # a build reports what the walk finds
        taken.add(path.stem.casefold())
        try:
            head = path.read_text(encoding="utf-8", errors="replace")[:4096]
        except OSError:
            continue
        taken.update(found.casefold() for found in ID_LINE.findall(head))
    return taken


def submission_text(submitted_by: str, moment: datetime, topics: Sequence[str], title: str | None) -> str:
    """A submission file's text: front matter (text values quoted) and a placeholder body."""
    lines = ["---"]
    if title is not None:
        lines.append(f"title: {yaml_quote(title)}")
    lines += [
        f"submitted_by: {yaml_quote(submitted_by)}",
        f"date: {moment:%Y-%m-%d %H:%M:%S}",
        f"topics: [{', '.join(topics)}]",
        "---",
        PLACEHOLDER,
    ]
    return "\n".join(lines) + "\n"


def yaml_quote(value: str) -> str:
    """A YAML double-quoted scalar: JSON's string syntax is valid YAML."""
    return json.dumps(value, ensure_ascii=False)


def slugify(title: str) -> str:
    """Lowercase ASCII words joined by '-', accents transliterated: 'Política pública' -> 'politica-publica'.
    Cut after the last whole word that fits in SLUG_MAX characters, so the file name stays short enough for any disk."""
    ascii_text = unicodedata.normalize("NFKD", title.translate(LIGATURES)).encode("ascii", "ignore").decode("ascii")
    words = re.findall(r"[a-z0-9]+", ascii_text.lower())
    slug = words[0][:SLUG_MAX] if words else ""
    for word in words[1:]:
        if len(slug) + 1 + len(word) > SLUG_MAX:
            break
        slug = f"{slug}-{word}"
    return slug


def new_topic(site_dir: Path, title: str, aliases: Sequence[str] = ()) -> Path:
    """Create content/topics/<slug>.md for a title; refuse if the file exists."""
    read_config(site_dir)  # only in a site folder
    slug = slugify(title)
    folder = site_dir / find.CONTENT / find.TOPICS
    if not slug:
        raise SiteError.single(folder, 1, f"the title {title!r} has no letters or digits to make a file name from; give it some")
    path = folder / f"{slug}.md"
    text = topic_text(title, aliases)
    parse_topic(path, text)  # a bug if what we write does not parse
    if not _create(path, text):
        raise SiteError.single(path, 1, f"topic {slug!r} exists already; edit this file, or choose another title")
    return path


def topic_text(title: str, aliases: Sequence[str]) -> str:
    """A topic file's text: title, optional aliases and an empty description."""
    lines = ["---", f"title: {yaml_quote(title)}"]
    if aliases:
        lines.append(f"aliases: [{', '.join(yaml_quote(a) for a in aliases)}]")
    lines += ["---", ""]
    return "\n".join(lines)


def _create(path: Path, text: str) -> bool:
    """Write a new file; False if it exists already (never overwrites)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with open(path, "x", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
    except FileExistsError:
        return False
    return True
