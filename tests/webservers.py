"""Real nginx and Apache on 127.0.0.1, configured with the server blocks docs/deploy.md shows."""

from __future__ import annotations

import http.client
import os
import re
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

REPO = Path(__file__).resolve().parent.parent
DEPLOY_DOC = REPO / "docs/deploy.md"
APACHE_MODULES = Path("/usr/lib/apache2/modules")


@dataclass(frozen=True, slots=True)
class Reply:
    """Where a request ended after following its redirects, and what was there."""

    path: str
    status: int
    content_type: str
    body: bytes
    hops: tuple[tuple[int, str], ...]


def doc_block(language: str, start: str) -> str:
    """The fenced block of docs/deploy.md in `language` that starts with `start`."""
    match = re.search(rf"```{language}\n({re.escape(start)}.*?)\n```", DEPLOY_DOC.read_text(), re.S)
    assert match, f"docs/deploy.md has no {language} block starting with {start!r}"
    return match.group(1)


def replaced(text: str, changes: dict[str, str]) -> str:
    for old, new in changes.items():
        assert old in text, f"docs/deploy.md's block no longer contains {old!r}"
        text = text.replace(old, new)
    return text


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def running(command: list[str], port: int, log: Path) -> Iterator[int]:
    """Start a server, wait until it accepts connections on the port, and stop it by its PID."""
    with log.open("wb") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(f"{command[0]} did not start:\n{log.read_text(errors='replace')}") from None
                time.sleep(0.05)
        yield port
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


@contextmanager
def nginx(docroot: Path, rules: Path, prefix: Path, base: str = "/", port: int | None = None, http_extra: str = "") -> Iterator[int]:
    """nginx serving docroot with docs/deploy.md's server block and the rules file included in it (the site under base);
    http_extra holds directives for the http block around it (such as a default for compression)."""
    port = port or free_port()
    server = replaced(doc_block("nginx", "server {"), {
        "listen 80;": f"listen 127.0.0.1:{port};", "root /var/www/tta;": f"root {docroot};",
        "include /etc/nginx/topicsite-redirects.conf;": f"include {rules};", "error_page 404 /404.html;": f"error_page 404 {base}404.html;"})
    temp = " ".join(f"{name}_temp_path {prefix}/{name};" for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    (prefix / "logs").mkdir(parents=True, exist_ok=True)
    (prefix / "nginx.conf").write_text(
        f"pid {prefix}/nginx.pid;\nerror_log {prefix}/error.log;\nworker_processes 1;\nevents {{ worker_connections 64; }}\n"
        f"http {{\n include /etc/nginx/mime.types;\n default_type application/octet-stream;\n access_log off;\n {temp}\n {http_extra}\n{server}\n}}\n")
    command = ["nginx", "-p", str(prefix), "-c", str(prefix / "nginx.conf"), "-e", str(prefix / "error.log"), "-g", "daemon off;"]
    with running(command, port, prefix / "stdout.log") as ready:
        yield ready


@contextmanager
def apache(docroot: Path, prefix: Path, base: str = "/") -> Iterator[int]:
    """Apache serving docroot (holding its .htaccess) with docs/deploy.md's virtual host (the site under base)."""
    port = free_port()
    vhost = replaced(doc_block("apache", "<VirtualHost"), {
        "<VirtualHost *:80>": f"<VirtualHost 127.0.0.1:{port}>", "/var/www/tta": str(docroot),
        "ErrorDocument 404 /404.html": f"ErrorDocument 404 {base}404.html"})
    modules = "\n".join(f"LoadModule {name}_module {APACHE_MODULES}/mod_{name}.so"
                        for name in ("mpm_event", "authz_core", "dir", "mime", "rewrite", "headers"))
    user = "User nobody\nGroup nogroup\n" if os.geteuid() == 0 else ""
    prefix.mkdir(parents=True, exist_ok=True)
    (prefix / "httpd.conf").write_text(
        f'ServerRoot "{prefix}"\nDefaultRuntimeDir "{prefix}"\nPidFile "{prefix}/httpd.pid"\nListen 127.0.0.1:{port}\n'
        f'ServerName 127.0.0.1\nErrorLog "{prefix}/error.log"\nLogLevel warn\n{modules}\n{user}'
        f"TypesConfig /etc/mime.types\nDirectoryIndex index.html\n{vhost}\n")
    with running(["apache2", "-f", str(prefix / "httpd.conf"), "-DFOREGROUND"], port, prefix / "stdout.log") as ready:
        yield ready


def follow(port: int, url: str, limit: int = 5) -> Reply:
    """GET url from 127.0.0.1:port, following redirects (each must be a 301) to the end."""
    hops: list[tuple[int, str]] = []
    for _ in range(limit):
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        connection.request("GET", url)
        response = connection.getresponse()
        body = response.read()
        connection.close()
        if response.status not in (301, 302, 303, 307, 308):
            return Reply(url.split("?")[0], response.status, response.getheader("Content-Type", ""), body, tuple(hops))
        location = response.getheader("Location", "")
        hops.append((response.status, location))
        parts = urlsplit(location)
        assert parts.hostname in (None, "127.0.0.1"), f"{url} redirects off this server: {location}"
        url = parts.path + (f"?{parts.query}" if parts.query else "")
    raise AssertionError(f"more than {limit} redirects: {hops}")


def world_readable_copy(source: Path, target: Path) -> None:
    """Copy a built site where a server's unprivileged workers can read it (tmp_path is private to root)."""
    shutil.copytree(source, target, dirs_exist_ok=True)
    for folder, _, files in os.walk(target):
        os.chmod(folder, 0o755)
        for name in files:
            os.chmod(os.path.join(folder, name), 0o644)
