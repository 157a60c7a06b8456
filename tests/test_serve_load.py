"""The dev server under load and attack: concurrency, slow clients, odd requests; always a proper answer."""

from __future__ import annotations

import http.client
import socket
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest

from serving import Server, raw_request

PAGES = ["", "topics/", "topics/community-policing/", "submissions/20230331-82332-92/", "rss.xml", "atom.xml"]


def fetch_many(server: Server, keep_alive: bool, count: int) -> list[int]:
    """GET `count` pages on one connection (keep-alive) or one connection each."""
    statuses = []
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=20)
    for number in range(count):
        if not keep_alive:
            connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=20)
        connection.request("GET", "/tta/" + PAGES[number % len(PAGES)], headers={} if keep_alive else {"Connection": "close"})
        response = connection.getresponse()
        response.read()
        statuses.append(response.status)
        if not keep_alive:
            connection.close()
    connection.close()
    return statuses


def trickle(port: int, stop: threading.Event) -> None:
    """A slowloris client: opens connections and sends a byte at a time, never finishing its headers."""
    sockets = [socket.create_connection(("127.0.0.1", port), timeout=30) for _ in range(20)]
    try:
        while not stop.is_set():
            for connection in sockets:
                try:
                    connection.send(b"X")
                except OSError:
                    pass
            time.sleep(0.2)
    finally:
        for connection in sockets:
            connection.close()


def test_200_concurrent_requests_while_slowloris_trickles(serving: Callable[..., Server]) -> None:
    server = serving()
    stop = threading.Event()
    slowloris = threading.Thread(target=trickle, args=(server.port, stop), daemon=True)
    slowloris.start()
    started = time.monotonic()
    try:
        with ThreadPoolExecutor(max_workers=200) as pool:
            jobs = [pool.submit(fetch_many, server, keep_alive=number % 2 == 0, count=5) for number in range(200)]
            statuses = [status for job in jobs for status in job.result(timeout=120)]
    finally:
        stop.set()
        slowloris.join(timeout=10)
    assert statuses == [200] * 1000
    assert time.monotonic() - started < 90
    assert server.fetch("")[0] == 200


ODD_REQUESTS = {
    "dot dot": b"GET /tta/../../../../etc/passwd HTTP/1.1\r\nHost: x\r\n\r\n",
    "encoded dot dot": b"GET /tta/%2e%2e/%2e%2e/%2e%2e/etc/passwd HTTP/1.1\r\nHost: x\r\n\r\n",
    "double encoded": b"GET /tta/%252e%252e/%252e%252e/etc/passwd HTTP/1.1\r\nHost: x\r\n\r\n",
    "encoded slash": b"GET /tta/..%2f..%2f..%2fetc%2fpasswd HTTP/1.1\r\nHost: x\r\n\r\n",
    "backslashes": b"GET /tta/..\\..\\..\\etc\\passwd HTTP/1.1\r\nHost: x\r\n\r\n",
    "encoded backslash": b"GET /tta/..%5c..%5cetc%5cpasswd HTTP/1.1\r\nHost: x\r\n\r\n",
    "absolute path": b"GET /etc/passwd HTTP/1.1\r\nHost: x\r\n\r\n",
    "absolute url": b"GET http://evil.example/etc/passwd HTTP/1.1\r\nHost: x\r\n\r\n",
    "double slash": b"GET //etc/passwd HTTP/1.1\r\nHost: x\r\n\r\n",
    "nul byte": b"GET /tta/index.html%00.txt HTTP/1.1\r\nHost: x\r\n\r\n",
    "raw nul": b"GET /tta/\x00 HTTP/1.1\r\nHost: x\r\n\r\n",
    "very long url": b"GET /tta/" + b"a" * 100_000 + b" HTTP/1.1\r\nHost: x\r\n\r\n",
    "bad utf-8": b"GET /tta/%ff%fe HTTP/1.1\r\nHost: x\r\n\r\n",
    "method DELETE": b"DELETE /tta/ HTTP/1.1\r\nHost: x\r\n\r\n",
    "method PUT": b"PUT /tta/x HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc",
    "method TRACE": b"TRACE /tta/ HTTP/1.1\r\nHost: x\r\n\r\n",
    "method PROPFIND": b"PROPFIND /tta/ HTTP/1.1\r\nHost: x\r\n\r\n",
    "made-up method": b"FROBNICATE /tta/ HTTP/1.1\r\nHost: x\r\n\r\n",
    "garbage request line": b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n",
    "http/0.9": b"GET /tta/\r\n\r\n",
}


@pytest.mark.parametrize("request_bytes", ODD_REQUESTS.values(), ids=ODD_REQUESTS.keys())
def test_odd_requests_get_a_proper_4xx(serving: Callable[..., Server], request_bytes: bytes) -> None:
    server = serving()
    response = raw_request(server.port, request_bytes)
    status_line = response.split(b"\r\n", 1)[0]
    assert status_line.startswith(b"HTTP/1."), response[:200]
    status = int(status_line.split()[1])
    assert 400 <= status < 500, status_line
    assert b"root:" not in response and b"Traceback" not in response
    if status == 405:
        assert b"Allow: GET, HEAD" in response
    assert server.fetch("")[0] == 200  # and the server keeps answering
