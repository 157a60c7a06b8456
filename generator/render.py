"""Pages from templates: the one Jinja environment, the list of pages to render, and rendering one. Reads the model only."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2

from . import addresses, describe, paths
from .errors import SiteError, Source
from .model import Site

SITEMAP_TEMPLATE = "sitemap.xml"


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
        undefined=jinja2.StrictUndefined,
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
    source: Source
    context: tuple[tuple[str, Any], ...]


def render_page(env: jinja2.Environment, job: PageJob) -> bytes:
    """The bytes of one page."""
    return _render(env, job.template, **dict(job.context))


def _render(env: jinja2.Environment, name: str, **context: Any) -> bytes:
    try:
        return env.get_template(name).render(**context).encode("utf-8")
    except jinja2.TemplateSyntaxError as error:
        raise SiteError.single(Path(error.filename or name), error.lineno, f"template syntax error: {error.message}") from None
    except jinja2.UndefinedError as error:
        raise SiteError.single(_template_path(env, name), 1, f"template uses an undefined value: {error.message}") from None
    except jinja2.TemplateNotFound as error:
        folders = ", ".join(map(str, site_template_dirs(env)))
        raise SiteError.single(Path(name), 1, f"template {error.name!r} not found in {folders}") from None


def _template_path(env: jinja2.Environment, name: str) -> Path:
    source = env.loader.get_source(env, name)[1] if env.loader else None
    return Path(source or name)


def site_template_dirs(env: jinja2.Environment) -> list[str]:
    """The folders templates are looked up in, the site's own first."""
    return list(env.loader.searchpath) if isinstance(env.loader, jinja2.FileSystemLoader) else []


# Each fixed page's template, title ("{name}": the site's title) and description.
FIXED_PAGES: dict[str, tuple[str, str, Callable[[Site], str]]] = {
    addresses.HOME: ("index.html", "{name}", describe.home),
    addresses.TOPICS: ("topics.html", "Topics | {name}", describe.topics),
    addresses.SEARCH: ("search.html", "Search submissions | {name}", describe.search),
    addresses.NOT_FOUND: ("404.html", "Page not found | {name}", describe.not_found),
}


def page_jobs(site: Site) -> list[PageJob]:
    """Every page of the site, in a fixed order."""
    home, name = Source(site.config.path), site.config.title
    jobs = []
    for path in addresses.FIXED_PAGES:
        template, title, describe_page = FIXED_PAGES[path]
        jobs.append(PageJob(addresses.output_path(path), template, home, (("page", _meta(site, path, title.format(name=name), describe_page(site))),)))
    for topic in site.topics:
        for listing in topic.pages:
            title = topic.title if listing.number == 1 else f"{topic.title}, page {listing.number} of {listing.total}"
            meta = _meta(site, listing.path, f"{title} | {name}", describe.listing(site, topic, listing))
            jobs.append(PageJob(listing.output_path, "topic.html", Source(topic.source), (("page", meta), ("topic", topic), ("listing", listing))))
    for submission in site.submissions:
        meta = _meta(site, submission.path, f"{submission.title} | {name}", describe.submission(site, submission))
        jobs.append(PageJob(submission.output_path, "submission.html", Source(submission.source), (("page", meta), ("submission", submission))))
    for alias in (a for a in site.aliases if a.kind == "page"):
        meta = _meta(site, addresses.alias_page(alias.path), f"Moved: {alias.target_title} | {name}", describe.alias(site, alias))
        jobs.append(PageJob(alias.output_path, "alias.html", Source(alias.source, alias.line), (("page", meta), ("alias", alias))))
    jobs.append(PageJob(addresses.SITEMAP, SITEMAP_TEMPLATE, home, (("lastmod", _newest(site)),)))
    jobs.append(PageJob(addresses.ROBOTS, "robots.txt", home, ()))
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
