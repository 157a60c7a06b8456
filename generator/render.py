"""The render stage: turn a `Site` into a plan of output files. Reads the model, never changes it."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2

from . import describe, paths
from .errors import Problem, SiteError, display_path
from .feeds import render_feed
from .model import Site
from .template_errors import Undefined, template_line, undefined_message

SITEMAP_TEMPLATE = "sitemap.xml"


@dataclass(frozen=True, slots=True)
class OutputFile:
    """One file of the built site: where it goes, its bytes, and what it was made from."""

    path: str
    data: bytes
    source: str


class TemplateLoader(jinja2.FileSystemLoader):
    """Jinja's file loader, refusing a template whose real path is outside the template folders (reached through
    a link), so include, extends and import reach only files under them; '..' in a name is not found."""

    def get_source(self, environment: jinja2.Environment, template: str) -> tuple[str, str, Callable[[], bool]]:
        source, filename, uptodate = super().get_source(environment, template)
        real = os.path.realpath(filename)
        if not any(paths.inside(real, os.path.realpath(folder)) for folder in self.searchpath):
            raise SiteError.single(Path(filename), 1, "is a symbolic link to a file outside the template folders; copy the file into templates/ instead")
        return source, filename, uptodate


def environment(site: Site) -> jinja2.Environment:
    """The one Jinja environment: the site's templates override the defaults; undefined names are errors."""
    env = jinja2.Environment(
        loader=TemplateLoader([str(d) for d in site.template_dirs]),
        autoescape=jinja2.select_autoescape(["html", "xml"], default_for_string=True),
        undefined=Undefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.globals["site"] = site
    env.globals["config"] = site.config
    return env


@dataclass(frozen=True, slots=True)
class PageJob:
    """One page to render: its output path, template, source (for errors) and extra context."""

    path: str
    template: str
    source: str
    context: tuple[tuple[str, Any], ...]


def plan(site: Site) -> list[OutputFile]:
    """Every file of the built site, checked for two sources writing one path."""
    env = environment(site)
    files = [*(render_page(env, job) for job in page_jobs(site)), *_feeds(site), *static_files(site)]
    check_collisions(files)
    return sorted(files, key=lambda f: f.path)


def render_page(env: jinja2.Environment, job: PageJob) -> OutputFile:
    """Render one page job."""
    return OutputFile(job.path, _render(env, job.template, **dict(job.context)), job.source)


def _render(env: jinja2.Environment, name: str, **context: Any) -> bytes:
    try:
        return env.get_template(name).render(**context).encode("utf-8")
    except jinja2.TemplateSyntaxError as error:
        raise SiteError.single(Path(error.filename or name), error.lineno, f"template syntax error: {error.message}") from None
    except jinja2.UndefinedError as error:
        path, line = template_line(error) or (_template_path(env, name), 1)
        names = [*(n for n in env.globals if n not in jinja2.defaults.DEFAULT_NAMESPACE), *context]
        raise SiteError.single(path, line, f"template uses an undefined value: {undefined_message(error, names)}") from None
    except jinja2.TemplateNotFound as error:
        folders = ", ".join(map(str, site_template_dirs(env)))
        raise SiteError.single(Path(name), 1, f"template {error.name!r} not found in {folders}") from None


def _template_path(env: jinja2.Environment, name: str) -> Path:
    source = env.loader.get_source(env, name)[1] if env.loader else None
    return Path(source or name)


def site_template_dirs(env: jinja2.Environment) -> list[str]:
    """The folders templates are looked up in, the site's own first."""
    return list(env.loader.searchpath) if isinstance(env.loader, jinja2.FileSystemLoader) else []


def page_jobs(site: Site) -> list[PageJob]:
    """Every page of the site, in a fixed order."""
    home, name = str(site.config.path), site.config.title
    jobs = [PageJob("index.html", "index.html", home, (("page", _meta(site, "", name, describe.home(site))),)),
            PageJob("topics/index.html", "topics.html", home, (("page", _meta(site, "topics/", f"Topics | {name}", describe.topics(site))),)),
            PageJob("search/index.html", "search.html", home, (("page", _meta(site, "search/", f"Search submissions | {name}", describe.search(site))),)),
            PageJob("404.html", "404.html", home, (("page", _meta(site, "404.html", f"Page not found | {name}", describe.not_found(site))),))]
    for topic in site.topics:
        for listing in topic.pages:
            title = topic.title if listing.number == 1 else f"{topic.title}, page {listing.number} of {listing.total}"
            meta = _meta(site, listing.url[len(site.config.base_path):], f"{title} | {name}", describe.listing(site, topic, listing))
            jobs.append(PageJob(listing.output_path, "topic.html", str(topic.source), (("page", meta), ("topic", topic), ("listing", listing))))
    for submission in site.submissions:
        meta = _meta(site, submission.url[len(site.config.base_path):], f"{submission.title} | {name}", describe.submission(site, submission))
        jobs.append(PageJob(submission.output_path, "submission.html", str(submission.source), (("page", meta), ("submission", submission))))
    for alias in (a for a in site.aliases if a.kind == "page"):
        meta = _meta(site, alias.path.lstrip("/"), f"Moved: {alias.target_title} | {name}", describe.alias(site, alias))
        jobs.append(PageJob(alias.output_path, "alias.html", f"{alias.source}:{alias.line}", (("page", meta), ("alias", alias))))
    jobs.append(PageJob("sitemap.xml", SITEMAP_TEMPLATE, home, (("lastmod", _newest(site)),)))
    jobs.append(PageJob("robots.txt", "robots.txt", home, ()))
    return jobs


@dataclass(frozen=True, slots=True)
class PageMeta:
    """What every page's head needs: its title, its canonical URL and a description for search engines and link previews."""

    title: str
    url: str
    absolute_url: str
    description: str


def _meta(site: Site, site_path: str, title: str, description: str) -> PageMeta:
    return PageMeta(title, site.url(site_path), site.absolute_url(site_path), description)


def _newest(site: Site) -> str:
    return site.submissions[0].date.date().isoformat() if site.submissions else ""


def _feeds(site: Site) -> Iterator[OutputFile]:
    for feed in site.feeds:
        yield OutputFile(feed.output_path, render_feed(site, feed), str(feed.source))


def static_files(site: Site) -> Iterator[OutputFile]:
    """Static assets, as load found them (the site's own first, then defaults it does not override)."""
    for static in site.static_files:
        yield OutputFile(static.path, static.source.read_bytes() if static.data is None else static.data, str(static.source))


def check_collisions(files: Sequence[OutputFile]) -> None:
    """Two sources must never write one output path, nor one a file where the other needs a folder."""
    problems = []
    for later, earlier in paths.clashes([output.path for output in files]):
        output, other = files[later], files[earlier]
        problems.append(Problem(Path(output.source.split(":")[0]), 1, f"writes {output.path}, which clashes with {other.path} from {display_path(Path(other.source))}; rename one of them"))
    if problems:
        raise SiteError(problems)
