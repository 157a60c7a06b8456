"""`topicsite cutover-check` against the Drupal 7 fixture's captured pages, a live copy of them, and a real feed reader."""

from __future__ import annotations

import csv
import http.server
import os
import shutil
import sqlite3
import subprocess
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Any

import pytest

from conftest import REPO, run_topicsite
from webservers import free_port, nginx, world_readable_copy

FIXTURE = Path(os.environ.get("TOPICSITE_DRUPAL7_FIXTURE", REPO.parent / "shared/drupal7"))
CAPTURED = FIXTURE / "captured"
MANIFEST = CAPTURED / "MANIFEST.tsv"
pytestmark = pytest.mark.skipif(not MANIFEST.is_file(), reason=f"the Drupal 7 fixture is not at {FIXTURE}")


def sample_copy(tmp_path: Path) -> Path:
    """A copy of the sample site to break on purpose."""
    site = tmp_path / "site"
    shutil.copytree(REPO / "content", site / "content")
    shutil.copy(REPO / "site.toml", site / "site.toml")
    return site


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1))


def test_the_sample_site_loses_nothing() -> None:
    result = run_topicsite("cutover-check", CAPTURED, REPO)
    assert (result.returncode, result.stdout, result.stderr) == (0, "Checked 29 old URLs: no problems.\n", "")


def test_every_kind_of_loss_is_reported(tmp_path: Path) -> None:
    site = sample_copy(tmp_path)
    submissions = site / "content/submissions"
    edit(submissions / "2024/20240910-104107-12.md", 'guid: "8778 at https://www.bjatta.bja.ojp.gov"\n', "")
    edit(submissions / "2021/20210504-142251-63.md", "aliases: [/node/7542, ", "aliases: [")
    edit(submissions / "2023/20230907-125328-94.md", "date: 2023-09-07 12:53:28", "date: 2023-09-07 12:53:29")
    edit(submissions / "2024/20240725-113316-96.md", "aliases: [/node/8724, /requests/20240725-113316-96]", "aliases: [/node/8724]")
    result = run_topicsite("cutover-check", CAPTURED, site)
    assert result.returncode == 1, result.stderr
    manifest = str(MANIFEST)
    lines = result.stdout.splitlines()
    assert lines[-1] == "Checked 29 old URLs: 7 problems."
    assert f"{manifest}:6: /rss.xml: item '8778 at https://www.bjatta.bja.ojp.gov' is missing from the new feed /rss.xml: a reader would lose it (check its guid: front matter)" in lines
    assert f"{manifest}:6: /rss.xml: item '8595 at https://www.bjatta.bja.ojp.gov' is dated 2023-09-07 16:53:28+00:00 in the old feed but 2023-09-07 12:53:29-04:00 in the new one: a reader would show it again" in lines
    assert f"{manifest}:6: /rss.xml: item '8724 at https://www.bjatta.bja.ojp.gov' links to https://www.bjatta.bja.ojp.gov/requests/20240725-113316-96, which would lead to no page, not to its new page https://tta.example.gov/submissions/20240725-113316-96/" in lines
    assert f"{manifest}:22: /node/7542 would reach no page of the new site: add it to the aliases of the topic or submission it showed" in lines
    assert f"{manifest}:18: /taxonomy/term/3497/feed: item '8778 at https://www.bjatta.bja.ojp.gov' is missing from the new feed /topics/officer-safety-and-wellness/rss.xml: a reader would lose it (check its guid: front matter)" in lines


def test_old_pages_with_other_items_are_reported_and_the_page_size_warned(tmp_path: Path) -> None:
    site = sample_copy(tmp_path)
    edit(site / "site.toml", "per_page = 10", "per_page = 5")
    result = run_topicsite("cutover-check", CAPTURED, site)
    assert result.returncode == 1
    assert result.stderr == (f"{site / 'site.toml'}:1: warning: per_page is 5 but the old pages held 10 (--old-per-page): an old "
                             "?page=N URL leads to the new page holding its first item, and the items around it differ; set "
                             "per_page = 10 to keep old pages whole\n")
    assert (f"{MANIFEST}:7: /taxonomy/term/3485 lists /requests/20210719-90344-15, but its new page "
            "/topics/community-police-relations-and-public-trust/ does not list /submissions/20210719-90344-15/") in result.stdout.splitlines()
    # The old second page (items 11 and 12) leads to the new page holding its first item, the third, which holds both.
    assert f"{MANIFEST}:8:" not in result.stdout
    # --old-per-page tells the old page size: a portal that listed 5 a page matches per_page = 5 page for page.
    assert "warning" not in run_topicsite("cutover-check", CAPTURED, site, "--old-per-page", "5").stderr


def test_a_bad_manifest_is_an_error_at_its_line(tmp_path: Path) -> None:
    folder = tmp_path / "captured"
    folder.mkdir()
    (folder / "MANIFEST.tsv").write_text("url\tstatus\tcontent_type\tbytes\tfile\n/\t200\ttext/html\t1\tindex.html\nnot a row\n")
    result = run_topicsite("cutover-check", folder, REPO)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.splitlines() == [
        f"{folder / 'MANIFEST.tsv'}:2: file 'index.html' is missing from {folder}",
        f"{folder / 'MANIFEST.tsv'}:3: expected 5 tab-separated fields: a URL path starting with '/', a status, a content type, a size and a file",
        "topicsite cutover-check failed: 2 errors.",
    ]
    assert run_topicsite("cutover-check", tmp_path, REPO).stderr.startswith(f"{tmp_path / 'MANIFEST.tsv'}:1: no MANIFEST.tsv here")


def test_a_damaged_capture_is_reported_not_a_traceback(tmp_path: Path) -> None:
    folder = tmp_path / "captured"
    shutil.copytree(CAPTURED, folder)
    (folder / "rss.xml").write_bytes(b"<rss><channel><item>")  # cut off mid-download
    (folder / "taxonomy/term/3497/index.html").write_bytes(b"")
    (folder / "taxonomy/term/3485/index.html").write_bytes(b"<!DOCTYPE html>\n<!-- cut off -->\n")  # no element either
    result = run_topicsite("cutover-check", folder, REPO)
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    lines = result.stdout.splitlines()
    assert f"{folder / 'MANIFEST.tsv'}:6: /rss.xml was captured as a feed, but its capture is not well-formed XML: capture it again" in lines
    assert any(line.endswith("/taxonomy/term/3497 was captured empty: capture the page again") for line in lines), lines
    assert any(line.endswith("/taxonomy/term/3485 was captured empty: capture the page again") for line in lines), lines
    (folder / "MANIFEST.tsv").write_bytes(b"url\tstatus\xff\n")
    result = run_topicsite("cutover-check", folder, REPO)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.startswith(f"{folder / 'MANIFEST.tsv'}:1: is not UTF-8 text (byte 0xff cannot be read)")


def test_a_capture_that_is_no_feed_is_reported(tmp_path: Path) -> None:
    folder = tmp_path / "captured"
    shutil.copytree(CAPTURED, folder)
    (folder / "rss.xml").write_bytes(b"<html><body><p>Service unavailable</p></body></html>")  # the portal's error page, well-formed
    lines = run_topicsite("cutover-check", folder, REPO).stdout.splitlines()
    assert (f"{folder / 'MANIFEST.tsv'}:6: /rss.xml was captured as a feed, but its capture is neither RSS 2.0 nor Atom "
            "(its root element is <html>): capture it again") in lines


class _PortalHandler(http.server.BaseHTTPRequestHandler):
    """The old portal as it was captured: each manifest URL answers with its file and content type, anything else 404."""

    def __init__(self, *args: object, pages: dict[str, tuple[str, bytes]], **kwargs: object) -> None:
        self.pages = pages
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]

    def do_GET(self) -> None:
        content_type, body = self.pages.get(self.path, ("text/plain", b""))
        self.send_response(200 if body else 404)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        """Quiet."""


@contextmanager
def old_portal(port: int = 0, only: str | None = None) -> Iterator[int]:
    """The captured portal served on 127.0.0.1 (only one URL of it, when `only` is given)."""
    with MANIFEST.open(encoding="utf-8") as manifest:
        rows = [r for r in csv.DictReader(manifest, delimiter="\t") if only in (None, r["url"])]
    pages = {r["url"]: (r["content_type"], (CAPTURED / r["file"]).read_bytes()) for r in rows}
    with serving(partial(_PortalHandler, pages=pages), port) as bound:
        yield bound


@contextmanager
def serving(handler: Any, port: int = 0) -> Iterator[int]:
    """An HTTP server with this handler on 127.0.0.1 (port 0: a free one) in a thread; its port. Stopped on exit."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield int(server.server_address[1])
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def test_live_portal_is_fetched_at_every_old_address() -> None:
    with old_portal() as port:
        result = run_topicsite("cutover-check", f"http://127.0.0.1:{port}", REPO)
    # 88 old URLs are asked for; the 23 the capture holds answer, the others are 404 and left out.
    assert (result.returncode, result.stdout) == (0, "Checked 23 old URLs: no problems.\n"), result.stderr


def test_live_portal_that_cannot_be_reached(tmp_path: Path) -> None:
    port = free_port()
    result = run_topicsite("cutover-check", f"http://127.0.0.1:{port}", REPO)
    assert result.returncode == 1
    assert f"127.0.0.1:{port}/rss.xml:1: cannot fetch /rss.xml from the old site: [Errno 111] Connection refused" in result.stdout.splitlines()


# ---- a real feed reader ----------------------------------------------------------------------------


def newsboat(home: Path, *commands: str) -> str:
    result = subprocess.run(["newsboat", "-u", str(home / "urls"), "-c", str(home / "cache.db"), "-C", str(home / "config"), "-x", *commands],
                            env={**os.environ, "HOME": str(home), "LANG": "C.UTF-8"}, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout.strip()


def feed_title(home: Path) -> str:
    with sqlite3.connect(home / "cache.db") as cache:
        return str(cache.execute("SELECT title FROM rss_feed").fetchone()[0])


@pytest.mark.skipif(shutil.which("newsboat") is None or shutil.which("nginx") is None, reason="newsboat and nginx are needed (make system-deps)")
def test_newsboat_sees_no_new_item_after_the_switch(tmp_path: Path) -> None:
    output = tmp_path / "output"
    assert run_topicsite("build", REPO, "-o", output, "-q", "--no-search").returncode == 0
    rules = tmp_path / "rules.conf"
    rules.write_text(run_topicsite("redirects", REPO, "--format", "nginx").stdout)
    home = tmp_path / "reader"
    home.mkdir()
    (home / "config").write_text("")
    port = free_port()
    (home / "urls").write_text(f"http://127.0.0.1:{port}/taxonomy/term/3485/feed\n")
    with old_portal(port, only="/taxonomy/term/3485/feed"):
        newsboat(home, "reload")
    assert newsboat(home, "print-unread") == "10 unread articles"
    assert feed_title(home) == "BJA Training and Technical Assistance Requests - Community / police relations and public trust"
    with sqlite3.connect(home / "cache.db") as cache:  # the subscriber has read everything
        cache.execute("UPDATE rss_item SET unread = 0")
    root = Path(tempfile.mkdtemp(prefix="topicsite-www-"))
    try:
        root.chmod(0o755)
        world_readable_copy(output, root)
        with nginx(root, rules, tmp_path / "nginx", port=port):
            newsboat(home, "reload")
    finally:
        shutil.rmtree(root)
    assert feed_title(home) == "Community / police relations and public trust"  # the new feed was read, through the 301
    assert newsboat(home, "print-unread") == "0 unread articles"
    with sqlite3.connect(home / "cache.db") as cache:
        assert cache.execute("SELECT count(*) FROM rss_item").fetchone() == (10,)


class _QuietFiles(http.server.SimpleHTTPRequestHandler):
    """A folder's files without Last-Modified: its one-second steps would make a reader (libcurl) skip a feed rebuilt
    in the same second as its last fetch."""

    def send_header(self, keyword: str, value: str) -> None:
        if keyword != "Last-Modified":
            super().send_header(keyword, value)

    def log_message(self, format: str, *args: object) -> None:
        """Quiet."""


@contextmanager
def served_folder(folder: Path) -> Iterator[int]:
    """A folder's files served on 127.0.0.1, on a free port."""
    with serving(partial(_QuietFiles, directory=str(folder))) as port:
        yield port


@pytest.mark.skipif(shutil.which("newsboat") is None, reason="newsboat is needed (make system-deps)")
def test_newsboat_sees_no_new_item_when_item_titles_change(tmp_path: Path) -> None:
    site = sample_copy(tmp_path)
    toml = (site / "site.toml").read_text()
    output = tmp_path / "output"
    home = tmp_path / "reader"
    home.mkdir()
    (home / "config").write_text("")
    feeds = ["rss.xml", "atom.xml", "topics/officer-safety-and-wellness/rss.xml"]
    with served_folder(output.parent) as port:
        (home / "urls").write_text("".join(f"http://127.0.0.1:{port}/output/{feed}\n" for feed in feeds))
        titles = []
        for choice in ("", 'feed_item_title = "title-topic"\n', 'feed_item_title = "text"\n'):
            (site / "site.toml").write_text(toml + choice)
            assert run_topicsite("build", site, "-o", output, "-q", "--no-search").returncode == 0
            newsboat(home, "reload")
            with sqlite3.connect(home / "cache.db") as cache:
                titles.append(sorted(row[0] for row in cache.execute("SELECT title FROM rss_item")))
                unread = cache.execute("SELECT count(*) FROM rss_item WHERE unread = 1").fetchone()[0]
                cache.execute("UPDATE rss_item SET unread = 0")  # the subscriber reads everything
            assert unread == (len(titles[0]) if choice == "" else 0), choice
    assert len(titles[0]) > 10 and len(set(map(len, titles))) == 1  # no item added, none lost
    assert titles[0] != titles[1] != titles[2]  # the new titles were read
    assert any(" — Officer safety and wellness" in title for title in titles[1])


def test_an_answer_too_large_is_refused_not_cut(monkeypatch: pytest.MonkeyPatch) -> None:
    from generator.redirects import fetch
    monkeypatch.setattr(fetch, "FETCH_MAX", 100)
    with old_portal(only="/rss.xml") as port:
        with pytest.raises(fetch.FetchFailed) as failed:
            fetch.fetch(f"http://127.0.0.1:{port}/rss.xml")
        assert (failed.value.reason, failed.value.status) == ("the answer is larger than 100 bytes", None)
        with pytest.raises(fetch.FetchFailed) as failed:
            fetch.fetch(f"http://127.0.0.1:{port}/nope")
        assert (failed.value.reason, failed.value.status) == ("HTTP 404", 404)


def test_a_base_url_that_is_no_url_is_reported_not_a_traceback() -> None:
    result = run_topicsite("cutover-check", "http://[old.example.gov", REPO)
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    assert "[old.example.gov/rss.xml:1: cannot fetch /rss.xml from the old site: Invalid IPv6 URL" in result.stdout.splitlines()
