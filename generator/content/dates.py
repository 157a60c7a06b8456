"""Dates in front matter: a date or date-time, naive ones in the site's time zone, offsets RSS and Atom can carry."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from ..errors import Problems
from .frontmatter import Document, type_name


def date_field(doc: Document, zone: ZoneInfo, problems: Problems) -> datetime:
    """The required `date`; a missing or bad one is a problem (and 1970 stands in for it)."""
    fallback = datetime(1970, 1, 1, tzinfo=zone)
    if "date" not in doc.meta:
        problems.add(doc.path, 1, "missing required field 'date': add a line such as 'date: 2023-09-07 12:53:28'")
        return fallback
    value = doc.meta["date"]
    try:
        return parse_date(value, zone)
    except ValueError as error:
        problems.add(doc.path, doc.line_of("date"), str(error))
        return fallback


def parse_date(value: Any, zone: ZoneInfo) -> datetime:
    """A front matter date or date-time as an aware datetime; naive values are in `zone`."""
    hint = "write it as YYYY-MM-DD or YYYY-MM-DD HH:MM:SS, optionally with a UTC offset such as -05:00"
    if isinstance(value, date) and not isinstance(value, datetime):
        value = value.isoformat()
    if not isinstance(value, str):
        raise ValueError(f"date must be a date or date-time, not {type_name(value)} {value!r}; {hint}")
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError as error:
        reason = str(error).replace("Invalid isoformat string", "not a recognized date")
        raise ValueError(f"date {value!r} is not a valid date ({reason}); {hint}") from None
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=zone)
    offset = parsed.utcoffset()
    if offset is not None and offset % timedelta(minutes=1):
        raise ValueError(f"date {value!r} has a UTC offset with seconds, which RSS and Atom cannot carry; "
                         f"give the offset in hours and minutes only, such as {_minutes_offset(offset)}")
    return parsed


def _minutes_offset(offset: timedelta) -> str:
    """An offset like +05:30: the given one without its seconds."""
    minutes = int(offset.total_seconds() / 60)
    sign = "-" if minutes < 0 else "+"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"
