"""Dates in front matter: a date or date-time, naive ones in the site's time zone, offsets RSS and Atom can carry."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from ..errors import Problems
from .frontmatter import Document, type_name
from .text import value_problem


def date_field(doc: Document, zone: ZoneInfo, problems: Problems) -> datetime:
    """The required `date`; a missing or bad one is a problem (and 1970 stands in for it)."""
    fallback = datetime(1970, 1, 1, tzinfo=zone)
    if "date" not in doc.meta:
        problems.add(doc.path, 1, "missing required field 'date': add a line such as 'date: 2023-09-07 12:53:28'")
        return fallback
    try:
        return parse_date(doc.meta["date"], zone)
    except ValueError as error:
        problems.add(doc.path, doc.line_of("date"), str(error))
        return fallback


def updated_field(doc: Document, zone: ZoneInfo, problems: Problems, published: datetime) -> datetime | None:
    """The optional `updated`, when the submission was last edited: read as `date` is, and not before it."""
    if "updated" not in doc.meta:
        return None
    try:
        moment = parse_date(doc.meta["updated"], zone, "updated")
    except ValueError as error:
        problems.add(doc.path, doc.line_of("updated"), str(error))
        return None
    if moment < published:
        problems.add(doc.path, doc.line_of("updated"), f"updated {_shown(doc, 'updated')} is before date {_shown(doc, 'date')}: "
                                                       "an edit comes after the submission; give the date and time of the last edit "
                                                       "(on the same day, with its time), or remove the line")
        return None
    return moment


def parse_date(value: Any, zone: ZoneInfo, key: str = "date") -> datetime:
    """A front matter date or date-time (of field `key`) as an aware datetime; naive values are in `zone`."""
    hint = "write it as YYYY-MM-DD or YYYY-MM-DD HH:MM:SS, optionally with a UTC offset such as -05:00"
    if isinstance(value, date) and not isinstance(value, datetime):
        value = value.isoformat()
    if not isinstance(value, str):
        raise ValueError(f"{key} must be a date or date-time, not {type_name(value)} {value!r}; {hint}")
    # Checked as every text field is, though only the parsed date is published: strip() would hide a trailing one.
    forbidden = value_problem(key, value)
    if forbidden:
        raise ValueError(forbidden)
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError as error:
        reason = str(error).replace("Invalid isoformat string", "not a recognized date")
        raise ValueError(f"{key} {value!r} is not a valid date ({reason}); {hint}") from None
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=zone)
    offset = parsed.utcoffset()
    if offset is not None and offset % timedelta(minutes=1):
        raise ValueError(f"{key} {value!r} has a UTC offset with seconds, which RSS and Atom cannot carry; "
                         f"give the offset in hours and minutes only, such as {_minutes_offset(offset)}")
    return parsed


def _shown(doc: Document, key: str) -> str:
    """A date field as the file writes it, for messages."""
    return repr(doc.raw_scalars.get(key, str(doc.meta.get(key))))


def _minutes_offset(offset: timedelta) -> str:
    """An offset like +05:30: the given one without its seconds."""
    minutes = int(offset.total_seconds() / 60)
    sign = "-" if minutes < 0 else "+"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"
