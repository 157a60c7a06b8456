"""`topicsite import drupal7`: read the database, convert, write."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from ..content.config import read_config
from .convert import Settings, convert
from .drupal7 import read_drupal
from .record import read_record
from .run import Report, run

GUID_BASE_HINT = "open the live portal's /rss.xml and copy what follows 'at ' in an item's <guid>, such as --guid-base https://www.example.gov"


def guid_base_problem(guid_base: str) -> str | None:
    """What is wrong with a --guid-base value, or None: Drupal's GUIDs end with 'at ' and the portal's base URL."""
    parts = urlsplit(guid_base)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        return f"{guid_base!r} is not what Drupal's feeds show after 'at ': give the portal's base URL, such as https://www.example.gov"
    return None


def import_drupal7(db_url: str, site_dir: Path, guid_base: str, *, vocabulary: str | None, content_type: str | None,
                   drafts: bool, dry_run: bool, force: bool) -> Report:
    """Import a Drupal 7 database into a site folder; see README 'Importing from Drupal 7'."""
    problem = guid_base_problem(guid_base)
    if problem:  # the command line refuses such a value before calling this
        raise ValueError(f"--guid-base {problem}")
    config = read_config(site_dir)
    record = read_record(site_dir)  # before the database: a damaged record stops the run at once
    drupal = read_drupal(db_url, content_type, vocabulary)
    converted = convert(drupal, config, Settings(guid_base.rstrip("/"), drafts), site_dir)
    return run(site_dir, converted, config.zone, record, force=force, dry_run=dry_run)
