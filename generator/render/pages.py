"""The pages of a site: every page to render with its template, source and view, and rendering one."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

import jinja2

from ..errors import Source
from ..site import addresses
from ..site.model import Site
from . import describe, views
from .templates import render_template
from .views import AliasView, IndexView, Layout, PlainView, RobotsView, SubmissionView, TopicsView, TopicView, View, page_meta

SITEMAP_TEMPLATE = "sitemap.xml"


@dataclass(frozen=True, slots=True)
class PageJob:
    """One page to render: its output path, template, source (for errors) and the template's view."""

    path: str
    template: str
    source: Source
    view: View


def render_page(env: jinja2.Environment, job: PageJob) -> bytes:
    """The bytes of one page."""
    return render_template(env, job.template, view=job.view)


# Each fixed page's template, title ("{name}": the site's title) and description.
FIXED_PAGES: dict[str, tuple[str, str, Callable[[Site], str]]] = {
    addresses.HOME: ("index.html", "{name}", describe.home),
    addresses.TOPICS: ("topics.html", "Topics | {name}", describe.topics),
    addresses.SEARCH: ("search.html", "Search submissions | {name}", describe.search),
    addresses.NOT_FOUND: ("404.html", "Page not found | {name}", describe.not_found),
}


def page_jobs(site: Site) -> list[PageJob]:
    """Every page of the site, in a fixed order, each with its view."""
    home, name, layout = Source(site.config.path), site.config.title, views.layout(site)
    jobs = [_fixed_page(site, layout, path) for path in addresses.FIXED_PAGES]
    for topic in site.topics:
        for listing in topic.pages:
            title = topic.title if listing.number == 1 else f"{topic.title}, page {listing.number} of {listing.total}"
            meta = page_meta(site, listing.path, f"{title} | {name}", describe.listing(site, topic, listing))
            view = TopicView(layout, meta, topic.title, topic.description_html, topic.feeds, listing)
            jobs.append(PageJob(listing.output_path, "topic.html", Source(topic.source), view))
    shown = submission_titles(site)
    for submission in site.submissions:
        meta = page_meta(site, submission.path, f"{shown[submission.id]} | {name}", describe.submission(site, submission))
        jobs.append(PageJob(submission.output_path, "submission.html", Source(submission.source), SubmissionView(layout, meta, submission)))
    for alias in (a for a in site.aliases if a.kind == "page"):
        meta = page_meta(site, addresses.alias_page(alias.path), f"Moved: {alias.target_title} | {name}", describe.alias(site, alias))
        jobs.append(PageJob(alias.output_path, "alias.html", Source(alias.source, alias.line), AliasView(layout, meta, alias)))
    jobs.append(PageJob(addresses.SITEMAP, SITEMAP_TEMPLATE, home, views.sitemap(site)))
    jobs.append(PageJob(addresses.ROBOTS, "robots.txt", home, RobotsView(site.config.base_url + addresses.SITEMAP)))
    return jobs


def submission_titles(site: Site) -> dict[str, str]:
    """Each submission's page title, unique by construction: a title that another submission, a topic or a fixed
    page also has is followed by the id ("Training request (20230907-125328-94)"), so that tabs, search results and
    screen readers can tell the pages apart while editors may give two requests one title."""
    name = site.config.title
    counts = Counter(s.title.casefold() for s in site.submissions)
    taken = {title.format(name=name).casefold() for _, title, _ in FIXED_PAGES.values()}
    taken |= {f"{t.title} | {name}".casefold() for t in site.topics}
    return {s.id: f"{s.title} ({s.id})" if s.title != s.id and (counts[s.title.casefold()] > 1 or f"{s.title} | {name}".casefold() in taken)
            else s.title for s in site.submissions}


def _fixed_page(site: Site, layout: Layout, path: str) -> PageJob:
    """A page every site has: the home page lists the newest submissions and the topics, the topics index the topics."""
    template, title, describe_page = FIXED_PAGES[path]
    meta = page_meta(site, path, title.format(name=site.config.title), describe_page(site))
    view: View = PlainView(layout, meta)
    if path == addresses.HOME:
        view = IndexView(layout, meta, site.topics, site.recent, site.site_feeds)
    elif path == addresses.TOPICS:
        view = TopicsView(layout, meta, site.topics)
    return PageJob(addresses.output_path(path), template, Source(site.config.path), view)
