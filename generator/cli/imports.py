"""`topicsite import drupal7` and `topicsite import feed`: the import commands and their report."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from .common import SITE_OPTION, print_problems, reports_site_errors


def _guid_base(ctx: click.Context, param: click.Parameter, value: str | None) -> str:
    """--guid-base is required, and must be a base URL; without it, say where to find it."""
    from ..importers.drupal7_command import GUID_BASE_HINT, guid_base_problem

    if not value:
        # Drupal builds the GUID from $base_url, which the database does not hold: only a live feed shows it.
        raise click.MissingParameter(GUID_BASE_HINT, ctx=ctx, param=param)
    problem = guid_base_problem(value)
    if problem:
        raise click.BadParameter(problem)
    return value


@click.group("import")
def import_group() -> None:
    """Import content from a Drupal 7 database or an RSS/Atom feed into a site folder."""


@import_group.command("drupal7")
@click.argument("db_url")
@SITE_OPTION
@click.option("--guid-base", metavar="URL", callback=_guid_base, help="The part after 'at ' in a <guid> of the live portal's feed, such as https://www.example.gov (required).")
@click.option("--vocabulary", metavar="NAME", help="The machine name of the topics vocabulary [default: the only one the content type uses].")
@click.option("--content-type", metavar="TYPE", help="The machine name of the content type to import [default: the only one with nodes].")
@click.option("--drafts", is_flag=True, help="Import unpublished nodes too, as draft: true.")
@click.option("--dry-run", is_flag=True, help="List what would be written; write nothing.")
@click.option("--force", is_flag=True, help="Replace files edited by hand or not written by an import.")
@reports_site_errors
def import_drupal7(db_url: str, site_dir: Path, guid_base: str, vocabulary: str | None, content_type: str | None,
                   drafts: bool, dry_run: bool, force: bool) -> None:
    """Import the terms and nodes of a Drupal 7 database (read-only; a SQLAlchemy URL) as topics and submissions."""
    from ..importers.drupal7_command import import_drupal7 as run_import

    report = run_import(db_url, site_dir, guid_base, vocabulary=vocabulary, content_type=content_type, drafts=drafts,
                        dry_run=dry_run, force=force)
    _print_report(report, dry_run)


@import_group.command("feed")
@click.argument("source", metavar="FILE_OR_URL")
@SITE_OPTION
@click.option("--dry-run", is_flag=True, help="List what would be written; write nothing.")
@click.option("--force", is_flag=True, help="Replace files edited by hand or not written by an import.")
@reports_site_errors
def import_feed(source: str, site_dir: Path, dry_run: bool, force: bool) -> None:
    """Import the items of an RSS 2.0 or Atom feed as submissions keeping their GUIDs; check those already imported."""
    from ..importers.feed_command import import_feed as run_import

    _print_report(run_import(source, site_dir, dry_run=dry_run, force=force), dry_run)


def _print_report(report: Any, dry_run: bool) -> None:
    """Each file's fate, the counts, then every problem; exit 1 if any is an error."""
    verbs = {"create": ("created", "would create"), "update": ("updated", "would update"), "left": ("left alone", "would leave alone")}
    for decision in report.outcome.decisions:
        if decision.action in verbs:
            click.echo(f"{verbs[decision.action][dry_run]}: {decision.planned.path}")
    for name, count in report.counts:
        click.echo(f"{name}: {count}")
    files = ", ".join(f"{report.outcome.count(a)} {verbs.get(a, ('unchanged',))[0]}" for a in ("create", "update", "unchanged", "left"))
    click.echo(f"files: {files}" + (" (dry run: nothing written)" if dry_run else "" if report.written else " (nothing written)"))
    print_problems(report.problems)
    if report.failed:
        errors = sum(1 for p in report.problems if p.severity == "error")
        click.echo(f"topicsite import failed: {errors} {'error' if errors == 1 else 'errors'}.", err=True)
        sys.exit(1)
