"""docs/deploy.md's nginx and Apache blocks on real servers: a year for hashed assets, a day for a site's own static
files, ten minutes for pages, and compressed text (nginx)."""

from __future__ import annotations

import http.client
import re
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import MakeSite, run_topicsite
from webservers import apache, nginx, world_readable_copy

pytestmark = pytest.mark.skipif(not (shutil.which("nginx") and shutil.which("apache2")), reason="nginx and apache2 are not installed (make system-deps)")
YEAR, DAY, MINUTES = "public, max-age=31536000, immutable", "public, max-age=86400", "public, max-age=600"


@pytest.fixture
def docroot(make_site: MakeSite) -> Iterator[Path]:
    """The small site at the domain's root (as the blocks are written), with a file of its own in static/, built and copied
    where a server's workers can read it."""
    site = make_site({"static/report.pdf": b"%PDF-1.4\n", "site.toml": 'title = "Test TTA Requests"\nbase_url = "https://example.gov/"\n'})
    assert run_topicsite("build", site, "-q", "--no-search").returncode == 0
    root = Path(tempfile.mkdtemp(prefix="topicsite-www-"))
    root.chmod(0o755)
    try:
        world_readable_copy(site / "output", root)
        (root / "rules.conf").write_text("")
        yield root
    finally:
        shutil.rmtree(root)


def head(port: int, path: str) -> dict[str, str]:
    """The response headers of a GET that accepts gzip."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request("GET", path, headers={"Accept-Encoding": "gzip"})
    response = connection.getresponse()
    response.read()
    connection.close()
    assert response.status == 200, path
    return {name.lower(): value for name, value in response.getheaders()}


def assets(root: Path) -> tuple[str, str]:
    """The URLs of the hashed stylesheet and of a hashed font."""
    html = (root / "index.html").read_text(encoding="utf-8")
    css = re.search(r'href="(/static/uswds/css/uswds\.[0-9a-f]{10}\.css)"', html)
    font = re.search(r'href="(/static/uswds/fonts/[^"]+\.[0-9a-f]{10}\.woff2)"', html)
    assert css and font
    return css[1], font[1]


def test_nginx_caches_hashed_assets_for_a_year_and_compresses_text(docroot: Path, tmp_path: Path) -> None:
    css, font = assets(docroot)
    with nginx(docroot, docroot / "rules.conf", tmp_path / "nginx") as port:
        assert head(port, css)["cache-control"] == YEAR and head(port, css)["content-encoding"] == "gzip"
        assert head(port, font)["cache-control"] == YEAR and "content-encoding" not in head(port, font)
        assert head(port, "/static/report.pdf")["cache-control"] == DAY
        page = head(port, "/")
        assert page["cache-control"] == MINUTES and page["content-encoding"] == "gzip"


def test_apache_caches_hashed_assets_for_a_year(docroot: Path, tmp_path: Path) -> None:
    css, font = assets(docroot)
    with apache(docroot, tmp_path / "apache") as port:
        assert head(port, css)["cache-control"] == YEAR and head(port, font)["cache-control"] == YEAR
        assert head(port, "/static/report.pdf")["cache-control"] == DAY
        assert head(port, "/")["cache-control"] == MINUTES
