"""A real `topicsite serve` in a subprocess, for tests over HTTP."""

from __future__ import annotations

import json
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from conftest import REPO, MakeSite

SUBMISSION = "content/submissions/2023/20230331-82332-92.md"
PAGE = "submissions/20230331-82332-92/"


@dataclass
class Server:
    """A running `topicsite serve` and what it printed."""

    process: subprocess.Popen[str]
    site: Path
    lines: list[str] = field(default_factory=list)
    url: str = ""
    preview: Path = Path()

    def fetch(self, path: str) -> tuple[int, dict[str, str], str]:
        """GET a path under the site's base URL (or the server root when it starts with '/')."""
        url = self.root + path if path.startswith("/") else self.url + path
        try:
            with urllib.request.urlopen(url, timeout=10) as response:
                return response.status, dict(response.headers), response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read().decode()

    @property
    def root(self) -> str:
        return re.match(r"http://[^/]+", self.url)[0]  # type: ignore[index]

    @property
    def port(self) -> int:
        return int(self.root.rsplit(":", 1)[1])

    def status(self) -> dict[str, object]:
        return json.loads(self.fetch("/__topicsite/status")[2])  # type: ignore[no-any-return]

    def wait_for_build_after(self, build: object, timeout: float = 20) -> dict[str, object]:
        """The status once a build newer than `build` has finished."""
        wait_until(lambda: self.status()["build"] != build, timeout)
        return self.status()


def wait_until(condition: Callable[[], object], timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


def start(site: Path, *options: str) -> Server:
    process = subprocess.Popen(
        [sys.executable, "-m", "generator", "serve", str(site), "--port", "0", *options], cwd=site,
        env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"}, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    server = Server(process, site)
    threading.Thread(target=lambda: server.lines.extend(iter(process.stdout.readline, "")), daemon=True).start()  # type: ignore[union-attr]
    wait_until(lambda: any("Serving the site at" in line for line in server.lines) or process.poll() is not None, 60)
    output = "".join(server.lines)
    server.url = re.search(r"Serving the site at (\S+)", output)[1]  # type: ignore[index]
    server.preview = Path(re.search(r"Preview files in (\S+) ", output)[1])  # type: ignore[index]
    return server


def stop(server: Server) -> str:
    """Ctrl-C, and the server's whole output."""
    server.process.send_signal(signal.SIGINT)
    assert server.process.wait(timeout=20) == 0
    return "".join(server.lines)


@pytest.fixture
def serving(make_site: MakeSite) -> Iterator[Callable[..., Server]]:
    """Start `topicsite serve` on a site; stop it cleanly afterwards, checking it printed no traceback."""
    started: list[Server] = []

    def serve(site: Path | None = None, *options: str) -> Server:
        started.append(start(site or make_site(), *options))
        return started[-1]
    yield serve
    for server in started:
        if server.process.poll() is None:
            output = stop(server)
            assert "Traceback" not in output, output


def raw_request(port: int, request: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
        connection.sendall(request)
        chunks = []
        while chunk := connection.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)
