"""Meta descriptions: one plain sentence or two per page, unique, at least 50 characters, from the model."""

from __future__ import annotations

from ..content.markdown import excerpt
from ..site.model import Alias, ListingPage, Site, Submission, Topic

MINIMUM = 50


def home(site: Site) -> str:
    """The home page's description."""
    count = len(site.submissions)
    return (f"{site.config.title}: {count} {_plural(count, 'submission')} on {len(site.topics)} "
            f"{_plural(len(site.topics), 'topic')}, newest first, with RSS and Atom feeds.")


def topics(site: Site) -> str:
    """The topics index's description."""
    return f"Every topic on {site.config.title}, with how many submissions each one has."


def search(site: Site) -> str:
    """The search page's description."""
    return f"Search the submissions on {site.config.title} by keyword, and narrow the results to one topic."


def not_found(site: Site) -> str:
    """The 404 page's description."""
    return f"There is no page at this address on {site.config.title}. Browse the topics or search instead."


def listing(site: Site, topic: Topic, page: ListingPage) -> str:
    """A topic page's description: the topic's own description when it has one; later pages say which page."""
    own = excerpt(topic.description_html) if topic.description_html else ""
    text = own if len(own) >= MINIMUM else f"Submissions on {topic.title} to {site.config.title}, newest first."
    return text if page.number == 1 else f"Page {page.number} of {page.total}: {text}"


def submission(site: Site, item: Submission) -> str:
    """A submission's description: the start of its text, with who and when added when the text is short."""
    text = item.summary
    if len(text) >= MINIMUM:
        return text
    return f"{text} Submitted by {item.display_name} on {item.date_display} to {site.config.title}.".lstrip()


def alias(site: Site, item: Alias) -> str:
    """A redirect page's description."""
    return f"{item.target_title} has moved: this old address now leads to its page on {site.config.title}."


def _plural(count: int, word: str) -> str:
    return word if count == 1 else word + "s"
