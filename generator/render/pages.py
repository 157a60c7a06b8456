"""The pages of a site: every page to render with its template, source and context, and rendering one."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import jinja2

from ..errors import Source
from ..site import addresses
from ..site.model import Site
from . import describe
from .templates import render_template

SITEMAP_TEMPLATE = "sitemap.xml"


@dataclass(frozen=True, slots=True)
class PageJob:
    """One page to render: its output path, template, source (for errors) and extra context."""

    path: str
    template: str
    source: Source
    context: tuple[tuple[str, Any], ...]


def render_page(env: jinja2.Environment, job: PageJob) -> bytes:
    """The bytes of one page."""
    return render_template(env, job.template, **dict(job.context))
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
