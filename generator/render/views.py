"""What each template sees: one frozen view per template, named in the comment at the template's top.

A template gets `view` and nothing else, so a page's bytes depend only on its view (and the
templates): the digest of the view is the page's memo key. URLs are computed here, never in a template.
"""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup

from ..content.config import FooterLink
from ..site import addresses
from ..site.model import Alias, FeedRef, ListingPage, Site, Submission, Topic


@dataclass(frozen=True, slots=True)
class Links:
    """The URLs every page can link to: the fixed pages, the search index, and the static files the layout uses (a theme
    asset under its content-hashed name, so a changed asset changes every page's view and so its memo key)."""

    home: str
    topics: str
    search: str
    pagefind: str
    uswds_css: str
    site_css: str
    uswds_js: str
    search_js: str
    search_icon: str
    flag: str
    dot_gov_icon: str
    https_icon: str
    body_font: str  # the three fonts of the first screen, preloaded
    body_bold_font: str
    heading_font: str
    favicon: str
    icon_192: str
    touch_icon: str
    own_css: str | None  # the site's static/site.css, loaded after the theme's stylesheets to add to them


@dataclass(frozen=True, slots=True)
class Layout:
    """What base.html and its partials show on every page: the site's name, notice, contact and identifier, and links."""

    language: str
    site_title: str
    host: str
    agency: str | None
    agency_url: str | None
    footer_links: tuple[FooterLink, ...]
    contact_email: str | None
    notice_html: Markup | None
    links: Links


@dataclass(frozen=True, slots=True)
class PageMeta:
    """What every page's head needs: its title, canonical URL and description; and where it is in the main navigation."""

    title: str
    url: str
    absolute_url: str
    description: str
    in_home: bool
    in_topics: bool
    in_search: bool


@dataclass(frozen=True, slots=True)
class IndexView:
    """index.html: the topics with their counts, the newest submissions, the site's feeds."""

    layout: Layout
    page: PageMeta
    topics: tuple[Topic, ...]
    recent: tuple[Submission, ...]
    feeds: tuple[FeedRef, ...]


@dataclass(frozen=True, slots=True)
class TopicsView:
    """topics.html: every topic with its count."""

    layout: Layout
    page: PageMeta
    topics: tuple[Topic, ...]


@dataclass(frozen=True, slots=True)
class PlainView:
    """search.html and 404.html: the layout only."""

    layout: Layout
    page: PageMeta


@dataclass(frozen=True, slots=True)
class TopicView:
    """topic.html: one page of a topic's submissions, the topic's description and feeds, and the pager."""

    layout: Layout
    page: PageMeta
    title: str
    description_html: Markup
    feeds: tuple[FeedRef, ...]
    listing: ListingPage


@dataclass(frozen=True, slots=True)
class SubmissionView:
    """submission.html: one submission."""

    layout: Layout
    page: PageMeta
    submission: Submission


@dataclass(frozen=True, slots=True)
class AliasView:
    """alias.html: an old address, redirecting to its page."""

    layout: Layout
    page: PageMeta
    alias: Alias


@dataclass(frozen=True, slots=True)
class SitemapView:
    """sitemap.xml: every page a search engine should know, with the date of its newest submission."""

    home: str
    topics: str
    lastmod: str  # the newest submission's date, or ""
    listings: tuple[ListingPage, ...]
    submissions: tuple[Submission, ...]


@dataclass(frozen=True, slots=True)
class RobotsView:
    """robots.txt: where the sitemap is."""

    sitemap: str


View = IndexView | TopicsView | PlainView | TopicView | SubmissionView | AliasView | SitemapView | RobotsView


OWN_CSS = "static/site.css"


def links(site: Site) -> Links:
    """The fixed URLs of one site."""
    def url(path: str) -> str:
        return addresses.url(site.config.base_path, path)

    def asset(name: str) -> str:
        path = f"static/{name}"
        return url(site.assets.get(path, path))
    return Links(url(addresses.HOME), url(addresses.TOPICS), url(addresses.SEARCH), url(addresses.SEARCH_INDEX),
                 asset("uswds/css/uswds.css"), asset("topicsite.css"), asset("uswds/js/uswds.js"),
                 asset("search.js"), asset("uswds/img/usa-icons-bg/search--white.svg"),
                 asset("uswds/img/us_flag_small.png"), asset("uswds/img/icon-dot-gov.svg"), asset("uswds/img/icon-https.svg"),
                 asset("uswds/fonts/source-sans-pro/sourcesanspro-regular-webfont.woff2"),
                 asset("uswds/fonts/source-sans-pro/sourcesanspro-bold-webfont.woff2"),
                 asset("uswds/fonts/merriweather/Latin-Merriweather-Bold.woff2"),
                 asset("favicon.ico"), asset("favicon-192.png"), asset("apple-touch-icon.png"),
                 url(OWN_CSS) if any(f.path == OWN_CSS for f in site.static_files) else None)


def layout(site: Site) -> Layout:
    """The layout of every page of one site."""
    config = site.config
    return Layout(config.language, config.title, config.host, config.agency, config.agency_url, config.footer_links,
                  config.contact_email, site.notice_html, links(site))


def page_meta(site: Site, site_path: str, title: str, description: str) -> PageMeta:
    """A page's head, from its site path."""
    url, home = addresses.url(site.config.base_path, site_path), addresses.url(site.config.base_path)
    return PageMeta(title, url, site.config.base_url + site_path, description, url == home,
                    url.startswith(addresses.url(site.config.base_path, addresses.TOPICS)),
                    url == addresses.url(site.config.base_path, addresses.SEARCH))


def sitemap(site: Site) -> SitemapView:
    """The sitemap's view."""
    absolute = site.config.base_url
    return SitemapView(absolute, absolute + addresses.TOPICS, site.submissions[0].date.date().isoformat() if site.submissions else "",
                       tuple(listing for topic in site.topics for listing in topic.pages), site.submissions)
