"""The `topicsite` command: a thin layer over the library's load, render and write stages."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click

from .. import __version__
from ..commands.build import build_site
from ..commands.progress import build_progress, progress_wanted
from ..content.aliases import alias_problem
from ..content.parse import text_problem
from ..errors import Problem, display_path
from ..redirects.rules import Format
from ..site.load import LoadOptions
from .common import SITE_DIR, SITE_OPTION, print_problems, reports_site_errors
from .imports import import_group


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="topicsite")
def main() -> None:
    """topicsite: build a static topic listing site from Markdown submissions."""


@main.command()
@SITE_DIR
@click.option("-o", "--output", "output_dir", type=click.Path(path_type=Path), help="Output folder [default: SITE_DIR/output].")
@click.option("--drafts", is_flag=True, help="Include drafts, marked as such.")
@click.option("--future", is_flag=True, help="Include submissions dated in the future.")
@click.option("--no-search", is_flag=True, help="Skip the search index (faster while editing; the search page then says search is unavailable).")
@click.option("--no-wait", is_flag=True, help="Fail at once if another build is writing the same output folder.")
@click.option("-q", "--quiet", is_flag=True, help="Print only errors.")
@click.option("-v", "--verbose", is_flag=True, help="List every file written.")
@reports_site_errors
def build(site_dir: Path, output_dir: Path | None, drafts: bool, future: bool, no_search: bool, no_wait: bool,
          quiet: bool, verbose: bool) -> None:
    """Build the site in SITE_DIR into its output folder.

    The output folder is replaced whole, and only when the build succeeds. Beside it, in its parent folder,
    topicsite keeps .NAME.lock (so that one build at a time writes it), .NAME.back (the previous output, updated
    into the next one so that a rebuild writes only what changed) and, while it builds, .NAME.new-* and
    .NAME.spool-* folders (the next output, and pages just rendered), which a killed build leaves to the next.
    If the output folder is a symbolic link, its target is rebuilt and the link is kept. A file in the output
    folder that topicsite did not write (such as CNAME or .git/) is an error that names it: nothing of yours
    is ever moved or deleted."""
    started = time.perf_counter()
    with build_progress(progress_wanted(quiet)) as step:
        built = build_site(site_dir, output_dir, LoadOptions(drafts=drafts, future=future), wait=not no_wait,
                           search=not no_search, step=step)
    site, files, result = built.site, built.files, built.result
    if not quiet:
        print_problems(site.warnings)
    if verbose:
        for path in result.changed:
            click.echo(f"wrote {path}")
    if not quiet:
        pages = sum(1 for f in files if f.path.endswith(".html"))
        seconds = time.perf_counter() - started
        click.echo(f"Built {pages} pages and {len(site.feeds)} feeds in {seconds:.2f} s: "
                   f"{len(result.changed)} of {result.files} files changed, {result.removed} removed.")


@main.command()
@SITE_DIR
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535), help="Port to listen on (0: any free port).")
@click.option("--bind", default="127.0.0.1", show_default=True, help="Address to listen on; the default is this machine only.")
@click.option("--drafts", is_flag=True, help="Include drafts, marked as such.")
@click.option("--future", is_flag=True, help="Include submissions dated in the future.")
@click.option("--no-search", is_flag=True, help="Skip the search index: much faster rebuilds on large sites.")
@reports_site_errors
def serve(site_dir: Path, port: int, bind: str, drafts: bool, future: bool, no_search: bool) -> None:
    """Build SITE_DIR, serve it, and rebuild and reload the browser on every change."""
    from ..commands.serve import (  # imported when used: a build starts faster
        ListenError,
        ServeOptions,
    )
    from ..commands.serve import serve as run_server

    try:
        run_server(site_dir, ServeOptions(bind=bind, port=port, drafts=drafts, future=future, search=not no_search), click.echo)
    except ListenError as error:
        raise click.ClickException(str(error)) from None


def _one_line_text(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """Reject text that would break a front matter line (control characters, empty)."""
    message = text_problem(param.name or "value", value) if value is not None else None
    if message:
        raise click.BadParameter(message)
    return value.strip() if value is not None else None


def _aliases(ctx: click.Context, param: click.Parameter, value: tuple[str, ...]) -> tuple[str, ...]:
    for alias in value:
        message = alias_problem(alias)
        if message:
            raise click.BadParameter(message)
    return value




@main.command()
@click.option("--by", "submitted_by", required=True, callback=_one_line_text, help="Who submitted it (submitted_by).")
@click.option("--topic", "topics", required=True, multiple=True, help="A topic slug; repeat for more topics.")
@click.option("--title", callback=_one_line_text, help="A title [default: the id].")
@SITE_OPTION
@reports_site_errors
def new(submitted_by: str, topics: tuple[str, ...], title: str | None, site_dir: Path) -> None:
    """Create a submission file with a new id, dated now in the site's timezone, and print its path."""
    from ..commands.new import new_submission, unknown_topics

    unknown = unknown_topics(site_dir, topics)
    if unknown:
        raise click.BadParameter("\n".join(unknown), param_hint="'--topic'")
    path = new_submission(site_dir, submitted_by, list(dict.fromkeys(topics)), title)
    click.echo(display_path(path))


def _topic_title(ctx: click.Context, param: click.Parameter, value: str) -> str:
    """A topic title must make a file name: it needs a letter or digit."""
    from ..commands.new import slugify

    title = _one_line_text(ctx, param, value) or ""
    if not slugify(title):
        raise click.BadParameter(f"{title!r} has no letters or digits to make a file name from; give it some")
    return title


@main.command("new-topic")
@click.argument("title", callback=_topic_title)
@click.option("--alias", "aliases", multiple=True, callback=_aliases, help="An old URL path that redirects to the topic, such as /taxonomy/term/3485; repeatable.")
@SITE_OPTION
@reports_site_errors
def new_topic_command(title: str, aliases: tuple[str, ...], site_dir: Path) -> None:
    """Create content/topics/<slug>.md for TITLE (never overwriting one) and print its path."""
    from ..commands.new import new_topic

    click.echo(display_path(new_topic(site_dir, title, aliases)))


@main.command()
@SITE_DIR
@click.option("--strict", is_flag=True, help="Count warnings as errors.")
@click.option("--drafts", is_flag=True, help="Include drafts, as build --drafts does.")
@click.option("--future", is_flag=True, help="Include submissions dated in the future.")
@click.option("--no-search", is_flag=True, help="Skip the search index (quicker); links into pagefind/ are then not checked.")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True, help="How to print the findings.")
def check(site_dir: Path, strict: bool, drafts: bool, future: bool, no_search: bool, output_format: str) -> None:
    """Check SITE_DIR without writing its output: content, links and #fragments, feeds, titles, sitemap."""
    from ..commands.check import CheckOptions, check_site, findings_json, summary

    findings = check_site(site_dir, CheckOptions(drafts=drafts, future=future, strict=strict, search=not no_search))
    if output_format == "json":
        click.echo(findings_json(findings))
    else:
        for finding in findings:
            click.echo(finding.format())
        click.echo(summary(findings))
    sys.exit(1 if any(f.severity == "error" for f in findings) else 0)


OLD_PER_PAGE_OPTION = click.option(
    "--old-per-page", type=click.IntRange(min=1), default=10, show_default=True,
    help="Items a page of the old site listed (Drupal 7's default_nodes_main is 10): old ?page=N URLs are mapped with it.")


@main.command()
@SITE_DIR
@click.option("--format", "output_format", type=click.Choice(["nginx", "apache", "caddy", "netlify"]), required=True,
              help="nginx: a file to include in a server block; apache: .htaccess lines; caddy: a snippet to import; netlify: a _redirects file.")
@OLD_PER_PAGE_OPTION
@reports_site_errors
def redirects(site_dir: Path, output_format: Format, old_per_page: int) -> None:
    """Print server rules that send every old address (aliases, old feeds, ?page=N, ?q=) to its new URL with a 301."""
    from ..redirects.old import old_addresses, page_size_warning
    from ..redirects.rules import render_rules
    from ..site.load import load

    site = load(site_dir)
    print_problems([w for w in [page_size_warning(site, old_per_page)] if w])
    click.echo(render_rules(old_addresses(site, old_per_page), output_format, site.config.title), nl=False)


@main.command("cutover-check")
@click.argument("old")
@SITE_DIR
@OLD_PER_PAGE_OPTION
@reports_site_errors
def cutover_check(old: str, site_dir: Path, old_per_page: int) -> None:
    """Check that every old URL of OLD (a folder with MANIFEST.tsv, or the old site's base URL) reaches its new page and every feed item is kept."""
    from ..memo.cache import Cache
    from ..redirects.cutover import (
        NewSite,
        check_cutover,
        fetch_live,
        old_urls,
        read_captured,
    )
    from ..redirects.old import old_addresses, page_size_warning
    from ..render.plan import plan
    from ..site.load import load

    site = load(site_dir)
    addresses = old_addresses(site, old_per_page)
    if old.startswith(("http://", "https://")):
        responses, problems = fetch_live(old, old_urls(addresses))
    else:
        responses, problems = read_captured(Path(old)), []
    new = NewSite(site, {f.path: f.data for f in plan(site, Cache.disabled()) if f.data is not None}, addresses)
    found = sorted(problems + check_cutover(new, responses), key=Problem.sort_key)
    print_problems([w for w in [page_size_warning(site, old_per_page)] if w])
    for problem in found:
        click.echo(problem.format())
    click.echo(f"Checked {len(responses)} old URLs: {len(found) or 'no'} {'problem' if len(found) == 1 else 'problems'}.")
    sys.exit(1 if found else 0)


main.add_command(import_group)
