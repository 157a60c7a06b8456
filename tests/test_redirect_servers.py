"""The rules of `topicsite redirects` on real nginx and Apache: every URL the Drupal 7 portal served still leads to its page.

The sample site is built (at the domain's root, and under base_url https://example.gov/tta/), served by
Debian's nginx and Apache on 127.0.0.1 with the server blocks docs/deploy.md shows, and every URL in the
Drupal fixture's captured/MANIFEST.tsv (and its ?q= form) is followed through its 301s. What it must reach
is read from the captured response, not from our mapping: a node page's canonical link names the
submission, a term page's canonical link and current pager item name the topic page, and a feed must end
on a feed with the captured GUIDs.
"""

from __future__ import annotations

import csv
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import REPO, run_topicsite
from served_site import build_sample
from webservers import apache, follow, nginx, world_readable_copy

FIXTURE = Path(os.environ.get("TOPICSITE_DRUPAL7_FIXTURE", REPO.parent / "shared/drupal7"))
CAPTURED = FIXTURE / "captured"
pytestmark = [
    pytest.mark.skipif(not (CAPTURED / "MANIFEST.tsv").is_file(), reason=f"the Drupal 7 fixture is not at {FIXTURE}"),
    pytest.mark.skipif(not (shutil.which("nginx") and shutil.which("apache2")), reason="nginx and apache2 are not installed (make system-deps)"),
]


@dataclass(frozen=True, slots=True)
class Captured:
    """One URL the old portal served, and what it must reach on the new site (a page path, or a feed's GUIDs)."""

    url: str
    page: str | None
    guids: tuple[str, ...]
    ids: tuple[str, ...]  # submission ids the old page showed


def guids_of(data: bytes) -> tuple[str, ...]:
    return tuple(re.findall(r"<guid[^>]*>([^<]*)</guid>", data.decode("utf-8")))


def captured(base: str) -> list[Captured]:
    """Every URL of the manifest with what it must reach when the new site lives at base."""
    with (CAPTURED / "MANIFEST.tsv").open(encoding="utf-8") as manifest:
        rows = list(csv.DictReader(manifest, delimiter="\t"))
    files = {row["url"]: (CAPTURED / row["file"]).read_bytes() for row in rows}
    entries = []
    for row in rows:
        body, url = files[row["url"]], row["url"]
        if "rss" in row["content_type"]:
            entries.append(Captured(url, None, guids_of(body), ()))
        elif url.endswith("/all/feed"):
            # Drupal without Views answers the Views feed address with the term page; we answer it with the
            # term's feed, as a portal with Views does: the same GUIDs as the term's core feed.
            entries.append(Captured(url, None, guids_of(files[url.replace("/all/feed", "/feed")]), ()))
        else:
            # The home page lists the newest submissions like Drupal's front page, but has no pager: /?page=N shows it too.
            ids = () if url.startswith("/?page=") else listed_ids(body.decode("utf-8"))
            entries.append(Captured(url, expected_page(body.decode("utf-8"), base), (), ids))
    return entries


def expected_page(html: str, base: str) -> str:
    canonical = re.search(r'<link rel="canonical" href="([^"]*)"', html)
    if canonical is None:  # the front page: topicsite's home page has no pager, so every ?page=N shows it
        return base
    path = canonical.group(1)
    if path.startswith("/requests/"):
        return f"{base}submissions/{path.removeprefix('/requests/')}/"
    current = re.search(r'<li class="pager-current[^"]*">(\d+)', html)
    number = int(current.group(1)) if current else 1
    slug = path.removeprefix("/topics/")
    return f"{base}topics/{slug}/" + (f"page/{number}/" if number > 1 else "")


def listed_ids(html: str) -> tuple[str, ...]:
    return tuple(sorted(set(re.findall(r'href="/requests/([0-9-]+)"', html))))


def q_form(url: str) -> str | None:
    """Drupal's address of the same page with clean URLs off: /?q=PATH[&page=N]."""
    path, _, query = url.partition("?")
    if path == "/":
        return None
    return f"/?q={path.lstrip('/')}" + (f"&{query}" if query else "")


@dataclass
class Served:
    """A built sample site in a world-readable web root, and the base path it lives under."""

    root: Path
    site: Path
    base: str


@pytest.fixture(scope="module", params=["/", "/tta/"], ids=["at-root", "under-tta"])
def served(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    workdir = tmp_path_factory.mktemp("servers")
    if request.param == "/":
        site, output = REPO, workdir / "output"
        assert run_topicsite("build", REPO, "-o", output, "-q", "--no-search").returncode == 0
    else:
        site = workdir / "site"
        output = build_sample(workdir, "--no-search")
        # Under /tta/ Drupal's term aliases /topics/SLUG are no longer the topics' own addresses, so an import
        # keeps them as aliases (at the root the build finds them for itself): add them as an import would.
        for topic in (site / "content/topics").glob("*.md"):
            topic.write_text(topic.read_text().replace("aliases: [", f"aliases: [/topics/{topic.stem}, ", 1))
    root = Path(tempfile.mkdtemp(prefix="topicsite-www-"))
    root.chmod(0o755)
    try:
        world_readable_copy(output, root / request.param.strip("/"))
        yield Served(root, site, request.param)
    finally:
        shutil.rmtree(root)


def rules(served: Served, fmt: str) -> str:
    result = run_topicsite("redirects", served.site, "--format", fmt)
    assert result.returncode == 0 and result.stderr == "", result.stderr
    return result.stdout


def check_reaches(port: int, entry: Captured, url: str) -> list[str]:
    """What is wrong with where url ends, or nothing."""
    reply = follow(port, url)
    wrong = [f"{url}: a {status} redirect (to {location}), not a 301" for status, location in reply.hops if status != 301]
    if reply.status != 200:
        return [*wrong, f"{url} ended on {reply.path} with status {reply.status}"]
    if entry.page is not None:
        if reply.path != entry.page or not reply.content_type.startswith("text/html"):
            wrong.append(f"{url} ended on {reply.path} ({reply.content_type}), expected the page {entry.page}")
        wrong += [f"{url} ended on {reply.path}, which does not show {sid}" for sid in entry.ids if f">{sid}<" not in reply.body.decode()]
    else:
        if not reply.content_type.startswith("application/rss+xml"):
            wrong.append(f"{url} ended on {reply.path} as {reply.content_type!r}, not as an RSS feed")
        if guids_of(reply.body) != entry.guids:
            wrong.append(f"{url} ended on {reply.path}, whose GUIDs {guids_of(reply.body)} are not the old feed's {entry.guids}")
    return wrong


def check_every_captured_url(port: int, served: Served) -> int:
    """Follow every captured URL and its ?q= form; fail with every URL that went wrong; return how many were checked."""
    wrong, checked = [], 0
    for entry in captured(served.base):
        for url in filter(None, [entry.url, q_form(entry.url)]):
            wrong += check_reaches(port, entry, url)
            checked += 1
    assert not wrong, "\n".join(wrong)
    return checked


def test_nginx_sends_every_old_url_to_its_page(served: Served, tmp_path: Path) -> None:
    rules_file = tmp_path / "topicsite-redirects.conf"
    rules_file.write_text(rules(served, "nginx"))
    with nginx(served.root, rules_file, tmp_path / "nginx", served.base) as port:
        assert check_every_captured_url(port, served) == 54
        assert_extra_addresses(port, served.base)


def test_apache_sends_every_old_url_to_its_page(served: Served, tmp_path: Path) -> None:
    htaccess = served.root / ".htaccess"
    htaccess.write_text(rules(served, "apache"))
    htaccess.chmod(0o644)
    try:
        with apache(served.root, tmp_path / "apache", served.base) as port:
            assert check_every_captured_url(port, served) == 54
            assert_extra_addresses(port, served.base)
    finally:
        htaccess.unlink()


def assert_extra_addresses(port: int, base: str) -> None:
    """Pager clamping, old addresses not captured, the 404 page and feed content types."""
    topic = f"{base}topics/community-police-relations-and-public-trust/"
    cases = {
        "/taxonomy/term/3485?page=7": f"{topic}page/2/",  # past the end: the last page, as Drupal does
        "/taxonomy/term/3485?page=0": topic,
        "/taxonomy/term/3485?page=x&utm=1": topic,
        "/taxonomy/term/3485?utm=1&page=1": f"{topic}page/2/",
        "/?q=taxonomy/term/3503&page=4": f"{base}topics/grant-funding-and-program-management/",
        "/node/8778": f"{base}submissions/20240910-104107-12/",
        "/?q=requests/20240910-104107-12": f"{base}submissions/20240910-104107-12/",
        "/topics/community-police-relations-and-public-trust?page=1": f"{topic}page/2/",
    }
    for url, page in cases.items():
        reply = follow(port, url)
        assert (reply.status, reply.path) == (200, page), (url, reply)
    missing = follow(port, f"{base}no/such/page")
    assert missing.status == 404 and b"Page not found" in missing.body
    feed = follow(port, f"{base}rss.xml")
    assert feed.content_type.startswith("application/rss+xml"), feed.content_type


def test_the_captured_manifest_is_what_the_tests_expect() -> None:
    entries = captured("/")
    assert len(entries) == 29
    assert sum(1 for e in entries if e.page is None) == 7  # /rss.xml, five term feeds, and the Views address
    assert sum(1 for e in entries if q_form(e.url)) == 25  # all but the front page's four
