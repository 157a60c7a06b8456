"""The preview server's HTTP side: safe paths into the output folder, live reload and build errors in the page."""

from __future__ import annotations

import io
import json
import mimetypes
import os
import re
import shutil
import socket
import sys
import time
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Literal
from urllib.parse import unquote

from .preview import INTERNAL, RELOAD_JS, BuildState, Snapshot, inject

REQUEST_DEADLINE = 10.0  # seconds for a whole request line and headers: a client trickling bytes is cut off
SOCKET_TIMEOUT = 10.0  # seconds any one read or write may wait
KEEPALIVE = 15.0  # seconds between comments on an idle event stream
CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8", ".xml": "application/xml; charset=utf-8",
    ".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8",
    ".txt": "text/plain; charset=utf-8", ".json": "application/json", ".svg": "image/svg+xml",
    ".wasm": "application/wasm",
}
@dataclass(frozen=True, slots=True)
class Route:
    """Where a request path leads: a file of the output, a redirect, an internal endpoint, nothing, or a bad request."""

    kind: Literal["file", "redirect", "internal", "missing", "bad"]
    target: str = ""


def route(raw_path: str, base_path: str) -> Route:
    """Map a request path to a relative output path; anything that could leave the output folder is a bad request."""
    path = raw_path.split("?", 1)[0].split("#", 1)[0]
    lowered = path.lower()
    if "\\" in path or "\x00" in path or any(code in lowered for code in ("%5c", "%00", "%2f")):
        return Route("bad")
    try:
        decoded = unquote(path, errors="strict")
    except UnicodeDecodeError:
        return Route("bad")
    if not decoded.startswith("/") or any(part in (".", "..") for part in decoded.split("/")):
        return Route("bad")
    decoded = re.sub("/+", "/", decoded)
    if decoded.startswith(INTERNAL):
        return Route("internal", decoded[len(INTERNAL):])
    if decoded != base_path and (decoded == "/" or decoded + "/" == base_path):
        return Route("redirect", base_path)
    if not decoded.startswith(base_path):
        return Route("missing")
    relative = decoded[len(base_path):]
    if any(part.startswith(".") for part in relative.split("/")):
        return Route("missing")
    return Route("file", relative + "index.html" if relative == "" or relative.endswith("/") else relative)


def content_type(name: str) -> str:
    """The Content-Type for an output file: feeds and sitemaps are XML, text is UTF-8."""
    if Path(name).name == "feed":  # an old feed address (Drupal's .../feed), written without an extension
        return "application/rss+xml; charset=utf-8"
    suffix = Path(name).suffix.lower()
    return CONTENT_TYPES.get(suffix) or mimetypes.guess_type(name)[0] or "application/octet-stream"


class PreviewServer(ThreadingHTTPServer):
    """A thread per connection (daemon threads, so a stuck client never blocks shutdown), files from one folder."""

    daemon_threads = True
    request_queue_size = 256

    def __init__(self, address: tuple[str, int], state: BuildState, output_dir: Path) -> None:
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        self.state = state
        self.output_dir = output_dir
        super().__init__(address, PreviewHandler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that went away is not an error worth a traceback."""
        if not isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            super().handle_error(request, client_address)


class _DeadlineReader(io.RawIOBase):
    """Socket reads that must all be done by a deadline (slowloris clients get cut off)."""

    def __init__(self, sock: socket.socket, seconds: float) -> None:
        super().__init__()
        self._sock = sock
        self._raw = sock.makefile("rb", buffering=0)
        self._deadline = time.monotonic() + seconds

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int | None:
        remaining = self._deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError("the request did not arrive in time")
        self._sock.settimeout(min(remaining, SOCKET_TIMEOUT))
        return self._raw.readinto(buffer)

    def close(self) -> None:
        self._raw.close()
        super().close()


class PreviewHandler(BaseHTTPRequestHandler):
    """GET and HEAD for the output folder and the live reload endpoints."""

    server: PreviewServer
    timeout = SOCKET_TIMEOUT

    def version_string(self) -> str:
        return "topicsite-serve"

    def setup(self) -> None:
        super().setup()
        self.rfile.close()
        self.rfile = io.BufferedReader(_DeadlineReader(self.connection, REQUEST_DEADLINE))

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the terminal is for build messages."""

    def parse_request(self) -> bool:
        """Refuse HTTP/0.9 (its answers have no status line) and any method but GET and HEAD, with a 4xx."""
        if not super().parse_request():
            return False
        if self.request_version == "HTTP/0.9":
            self.request_version = "HTTP/1.0"
            self.send_error(HTTPStatus.BAD_REQUEST, "HTTP/0.9 requests are not supported")
            return False
        if self.command not in ("GET", "HEAD"):
            self.send_response(HTTPStatus.METHOD_NOT_ALLOWED)
            self.send_header("Allow", "GET, HEAD")
            self.send_header("Content-Length", "0")
            self.send_header("Connection", "close")
            self.end_headers()
            self.close_connection = True
            return False
        return True

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """Errors always carry a status line, also for requests too broken to have a version."""
        if self.request_version == "HTTP/0.9":
            self.request_version = "HTTP/1.0"
        super().send_error(code, message, explain)

    def do_HEAD(self) -> None:
        self._respond(send_body=False)

    def do_GET(self) -> None:
        self._respond(send_body=True)

    def _respond(self, send_body: bool) -> None:
        self.connection.settimeout(SOCKET_TIMEOUT)
        snapshot = self.server.state.snapshot
        where = route(self.path, snapshot.base_path)
        if where.kind == "bad":
            self._send(HTTPStatus.BAD_REQUEST, b"Bad request\n", "text/plain; charset=utf-8", send_body)
        elif where.kind == "redirect":
            self._redirect(where.target)
        elif where.kind == "internal":
            self._internal(where.target, snapshot, send_body)
        elif where.kind == "file":
            self._file(where.target, snapshot, send_body)
        else:
            self._not_found(snapshot, send_body)

    def _file(self, relative: str, snapshot: Snapshot, send_body: bool) -> None:
        root = self.server.output_dir.resolve()
        file = (root / relative).resolve()
        if not file.is_relative_to(root):
            self._not_found(snapshot, send_body)
        elif file.is_dir():
            self._redirect(snapshot.base_path + relative + "/")
        elif not file.is_file():
            self._not_found(snapshot, send_body)
        elif file.suffix == ".html":
            self._send(HTTPStatus.OK, inject(file.read_bytes(), snapshot), content_type(file.name), send_body)
        else:
            self._stream(file, snapshot, send_body)

    def _stream(self, file: Path, snapshot: Snapshot, send_body: bool) -> None:
        try:
            handle = open(file, "rb")
        except OSError:
            self._not_found(snapshot, send_body)
            return
        with handle:
            self._headers(HTTPStatus.OK, content_type(file.name), os.fstat(handle.fileno()).st_size)
            if send_body:
                shutil.copyfileobj(handle, self.wfile)

    def _not_found(self, snapshot: Snapshot, send_body: bool) -> None:
        page = self.server.output_dir / "404.html"
        if page.is_file():
            self._send(HTTPStatus.NOT_FOUND, inject(page.read_bytes(), snapshot), CONTENT_TYPES[".html"], send_body)
        elif snapshot.problems:  # no good build yet: the errors are the page
            body = inject(b'<!doctype html><html lang="en"><title>The site does not build</title><body></body>', snapshot)
            self._send(HTTPStatus.INTERNAL_SERVER_ERROR, body, CONTENT_TYPES[".html"], send_body)
        else:
            self._send(HTTPStatus.NOT_FOUND, b"Not found\n", CONTENT_TYPES[".txt"], send_body)

    def _redirect(self, location: str) -> None:
        self.send_response(HTTPStatus.FOUND)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _internal(self, name: str, snapshot: Snapshot, send_body: bool) -> None:
        if name == "reload.js":
            self._send(HTTPStatus.OK, RELOAD_JS, CONTENT_TYPES[".js"], send_body)
        elif name == "status":
            status = {"build": snapshot.build_id, "ok": not snapshot.problems, "errors": [p.format() for p in snapshot.problems]}
            self._send(HTTPStatus.OK, json.dumps(status).encode(), "application/json", send_body)
        elif name == "events" and send_body:
            self._events()
        else:
            self._not_found(snapshot, send_body)

    def _events(self) -> None:
        """Server-sent events: the id of the newest build attempt, now and after every rebuild."""
        state = self.server.state
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        seen = ""
        try:
            while not state.closed:
                current = state.snapshot.build_id
                self.wfile.write(f"retry: 1000\ndata: {current}\n\n".encode() if current != seen else b": still here\n\n")
                self.wfile.flush()
                seen = current
                state.wait_for_change(seen, KEEPALIVE)
        except OSError:  # the tab was closed
            pass

    def _send(self, status: HTTPStatus, body: bytes, kind: str, send_body: bool) -> None:
        self._headers(status, kind, len(body))
        if send_body:
            self.wfile.write(body)

    def _headers(self, status: HTTPStatus, kind: str, length: int) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(length))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.end_headers()
