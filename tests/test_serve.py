"""`topicsite serve` over real HTTP: a subprocess on a free port, fetched with urllib and raw sockets."""

from __future__ import annotations

import re
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from html import escape

import pytest

from conftest import REPO, MakeSite, submission

SUBMISSION = "content/submissions/2023/20230331-82332-92.md"
PAGE = "submissions/20230331-82332-92/"


from serving import Server, raw_request, stop, wait_until


def test_serves_under_base_path_and_root_redirects(serving: Callable[..., Server]) -> None:
    server = serving()
    assert server.url.endswith("/tta/") and server.url.startswith("http://127.0.0.1:")
    status, headers, html = server.fetch("/")
    assert status == 200 and "<title>Test TTA Requests</title>" in html  # urllib followed the redirect
    assert raw_request(server.port, b"GET / HTTP/1.0\r\n\r\n").startswith(b"HTTP/1.0 302")
    assert b"Location: /tta/\r\n" in raw_request(server.port, b"GET /tta HTTP/1.0\r\n\r\n")
    assert headers["Content-Type"] == "text/html; charset=utf-8"


def test_feeds_are_xml_and_missing_pages_get_the_404_page(serving: Callable[..., Server]) -> None:
    server = serving()
    for feed in ["rss.xml", "atom.xml", "topics/community-policing/rss.xml", "sitemap.xml"]:
        status, headers, body = server.fetch(feed)
        assert status == 200 and "xml" in headers["Content-Type"] and body.startswith("<?xml")
    status, headers, body = server.fetch("no/such/page/")
    assert status == 404 and "Page not found" in body and headers["Content-Type"].startswith("text/html")
    assert server.fetch("/elsewhere/")[0] == 404
    stylesheet = re.search(r'href="/tta/(static/topicsite\.[0-9a-f]{10}\.css)"', server.fetch("")[2])
    assert stylesheet and server.fetch(stylesheet[1])[1]["Content-Type"] == "text/css; charset=utf-8"


def test_folder_without_slash_redirects(serving: Callable[..., Server]) -> None:
    server = serving()
    assert b"Location: /tta/taxonomy/term/1/\r\n" in raw_request(server.port, b"GET /tta/taxonomy/term/1 HTTP/1.0\r\n\r\n")


def test_reload_script_only_in_served_pages(serving: Callable[..., Server]) -> None:
    server = serving()
    served = server.fetch(PAGE)[2]
    assert '<script src="/__topicsite/reload.js" data-build="' in served
    written = (server.preview / PAGE / "index.html").read_text()
    assert "__topicsite" not in written and written in served.replace(re.search(r"<script src=\"/__topicsite[^<]*</script>", served)[0], "")  # type: ignore[index]
    assert all("__topicsite" not in p.read_text() for p in server.preview.rglob("*.html"))
    assert not (server.site / "output").exists()
    assert "EventSource" in server.fetch("/__topicsite/reload.js")[2]


def test_edit_rebuilds_and_events_announce_it(serving: Callable[..., Server]) -> None:
    server = serving()
    before = server.status()["build"]
    with urllib.request.urlopen(server.root + "/__topicsite/events", timeout=10) as events:
        assert events.readline().decode() == "retry: 1000\n"
        assert events.readline().decode() == f"data: {before}\n"
        events.readline()
        (server.site / SUBMISSION).write_text(submission(body="A freshly edited request."))
        wait_until(lambda: "A freshly edited request." in server.fetch(PAGE)[2])
        assert events.readline().decode() == "retry: 1000\n"
        assert events.readline().decode() == f"data: {server.status()['build']}\n"
    assert server.status()["build"] != before


def test_broken_build_shows_errors_over_the_last_good_pages_then_recovers(serving: Callable[..., Server]) -> None:
    server = serving()
    build = server.status()["build"]
    (server.site / SUBMISSION).write_text(submission(topics="no-such-topic", body="Broken edit."))
    status = server.wait_for_build_after(build)
    message = f"{SUBMISSION}:4: unknown topic 'no-such-topic'"
    assert status["ok"] is False and any(message in e for e in status["errors"])  # type: ignore[union-attr]
    code, _, html = server.fetch(PAGE)
    assert code == 200 and 'id="topicsite-build-errors"' in html and escape(message) in html
    assert "We request training." in html  # the last good build, underneath
    assert server.fetch("rss.xml")[0] == 200 and server.fetch("topics/")[0] == 200
    assert message in "".join(server.lines)  # also in the terminal
    (server.site / SUBMISSION).write_text(submission(body="Fixed now."))
    wait_until(lambda: server.status()["ok"] is True)
    html = server.fetch(PAGE)[2]
    assert "Fixed now." in html and "topicsite-build-errors" not in html


def test_site_broken_from_the_start_recovers(make_site: MakeSite, serving: Callable[..., Server]) -> None:
    site = make_site({SUBMISSION: "---\nsubmitted_by: x\n---\nno date\n"})
    server = serving(site)
    code, _, html = server.fetch("")
    assert code == 500 and f"{SUBMISSION}:1: missing required field &#x27;date&#x27;" in html
    (site / SUBMISSION).write_text(submission())
    wait_until(lambda: server.status()["ok"] is True)
    assert server.fetch("")[0] == 200


@pytest.mark.parametrize("path", [
    b"/tta/../secret.txt", b"/tta/%2e%2e/secret.txt", b"/tta/%2E%2E/%2e%2e/secret.txt", b"/tta/..%2fsecret.txt",
    b"/tta/..%2Fsite.toml", b"/tta/%2e%2e%2f%2e%2e%2fsecret.txt", b"/tta/..\\secret.txt", b"/tta/%5c..%5csecret.txt",
    b"/tta/index.html%00.txt", b"/tta/\x00", b"//etc/passwd", b"/tta//etc/passwd", b"/tta/%2fetc/passwd",
    b"/../../../../etc/passwd", b"/tta/.topicsite", b"/tta/%c0%ae%c0%ae/secret.txt", b"/tta/static/../../secret.txt",
])
def test_never_serves_a_file_outside_the_output(serving: Callable[..., Server], path: bytes) -> None:
    server = serving()
    (server.site.parent / "secret.txt").write_text("SECRET")
    response = raw_request(server.port, b"GET " + path + b" HTTP/1.0\r\n\r\n")
    assert response.split(b" ", 2)[1] in (b"400", b"404")
    assert b"SECRET" not in response and b"root:" not in response and b"base_url" not in response


def test_drafts_are_marked(make_site: MakeSite, serving: Callable[..., Server]) -> None:
    draft = submission(body="A draft.").replace("---\n", "---\ndraft: true\n", 1)
    server = serving(make_site({"content/submissions/draft-1.md": draft}), "--drafts")
    html = server.fetch("submissions/draft-1/")[2]
    assert '<span class="draft">(draft)</span>' in html
    assert '<span class="draft">(draft)</span>' in server.fetch("topics/community-policing/")[2]


def test_slow_client_does_not_block_others(serving: Callable[..., Server]) -> None:
    server = serving()
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as slow:
        slow.sendall(b"GET /tta/ HTT")
        results: list[int] = []
        threads = [threading.Thread(target=lambda: results.append(server.fetch("")[0])) for _ in range(40)]
        started = time.monotonic()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=20)
        assert results == [200] * 40 and time.monotonic() - started < 10


def test_ctrl_c_stops_at_once_and_keeps_the_preview_for_the_next_start(serving: Callable[..., Server]) -> None:
    server = serving()
    assert server.preview == server.site / ".cache/preview/serve/site" and "(kept for the next start)" in "".join(server.lines)
    started = time.monotonic()
    output = stop(server)
    assert time.monotonic() - started < 3  # generous: it takes about 0.1 s; deleting a large preview took seconds
    assert "Stopped." in output and "Traceback" not in output
    assert (server.preview / "index.html").is_file()
    assert {p.name for p in server.preview.parent.iterdir()} <= {".serving", ".site.back", ".site.lock", "site"}  # no leftovers
    again = serving(server.site)
    assert again.preview == server.preview and "files changed" in (built := "".join(again.lines))
    assert re.search(r"Built in \S+ s: 0 of \d+ files changed", built), built  # nothing rebuilt from nothing


def test_a_second_serve_of_the_same_site_gets_a_temporary_preview(serving: Callable[..., Server]) -> None:
    first = serving()
    second = serving(first.site)
    assert second.preview != first.preview and not second.preview.is_relative_to(first.site)
    assert "removed on exit" in "".join(second.lines) and second.fetch("")[0] == 200
    assert stop(second) and not second.preview.parent.exists()
    assert first.fetch("")[0] == 200


def test_port_in_use_is_a_clear_error(serving: Callable[..., Server], make_site: MakeSite) -> None:
    server = serving()
    result = subprocess.run([sys.executable, "-m", "generator", "serve", str(server.site), "--port", str(server.port)],
                            env={"PYTHONPATH": str(REPO)}, capture_output=True, text=True, timeout=60)
    assert result.returncode == 1 and f"cannot listen on 127.0.0.1 port {server.port}" in result.stderr
    assert "Traceback" not in result.stderr


def test_site_toml_and_a_new_templates_folder_are_watched(serving: Callable[..., Server]) -> None:
    server = serving()
    toml = (server.site / "site.toml").read_text()
    (server.site / "site.toml").write_text(toml.replace("Test TTA Requests", "Renamed Requests"))
    wait_until(lambda: "<title>Renamed Requests</title>" in server.fetch("")[2])
    assert not (server.site / "templates").exists()
    (server.site / "templates").mkdir()
    (server.site / "templates/robots.txt").write_text("User-agent: *\nDisallow: /preview-only/\n")
    wait_until(lambda: "preview-only" in server.fetch("robots.txt")[2])


def test_a_client_trickling_its_request_is_cut_off(serving: Callable[..., Server]) -> None:
    server = serving()
    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", server.port), timeout=30) as slow:
        try:
            for byte in b"GET /tta/ HTTP/1.0\r\nX-Slow: " + b"a" * 40:
                slow.sendall(bytes([byte]))
                time.sleep(0.5)
            response = slow.recv(100)
        except (ConnectionError, BrokenPipeError):
            response = b""
    assert response == b"" and time.monotonic() - started < 16


def test_no_search_skips_the_index(serving: Callable[..., Server]) -> None:
    assert serving().fetch("pagefind/pagefind.js")[0] == 200
    assert serving(None, "--no-search").fetch("pagefind/pagefind.js")[0] == 404
