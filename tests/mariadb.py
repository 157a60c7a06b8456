"""A private MariaDB server on 127.0.0.1 for the importer's tests: its own data folder, stopped by its PID."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

MARIADBD = shutil.which("mariadbd") or ("/usr/sbin/mariadbd" if Path("/usr/sbin/mariadbd").exists() else None)
START_TIMEOUT = 60


@dataclass(frozen=True)
class MariaDB:
    """A running server: where to reach it, and how to run a client against it."""

    port: int
    socket: Path
    user: str = "importer"
    password: str = "import-test"

    def url(self, database: str) -> str:
        return f"mysql+pymysql://{self.user}:{self.password}@127.0.0.1:{self.port}/{database}"

    def sql(self, statements: str, database: str | None = None, stdin: Path | None = None) -> None:
        """Run SQL as root over the server's socket (statements, or a file on stdin)."""
        command = ["mariadb", "--no-defaults", f"--socket={self.socket}", "-uroot", *([database] if database else [])]
        if stdin is None:
            command += ["-e", statements]
        with open(stdin, "rb") if stdin else open(os.devnull, "rb") as source:
            subprocess.run(command, stdin=source, check=True, capture_output=True, timeout=300)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _install_db(datadir: Path) -> None:
    """mariadb-install-db into a fresh datadir; once more from scratch if it fails (it has failed, rarely and without
    a reproducible cause, on a CI machine loaded by parallel tests), then fail with what it printed."""
    command = ["mariadb-install-db", "--no-defaults", f"--datadir={datadir}", "--user=root",
               "--auth-root-authentication-method=normal", "--skip-test-db"]
    for attempt in (1, 2):
        shutil.rmtree(datadir, ignore_errors=True)
        done = subprocess.run(command, check=False, capture_output=True, text=True, timeout=300)
        if done.returncode == 0:
            return
    raise AssertionError(f"mariadb-install-db failed twice (exit {done.returncode}):\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")


@contextlib.contextmanager
def running_mariadb(root: Path) -> Iterator[MariaDB]:
    """Start mariadbd on a free loopback port with a fresh data folder under `root`; stop it by its PID afterwards."""
    if MARIADBD is None:
        pytest.skip("mariadbd is not installed (Debian: apt-get install mariadb-server, or make system-deps)")
    datadir, sock = root / "data", root / "mariadb.sock"
    _install_db(datadir)
    server = MariaDB(free_port(), sock)
    log = open(root / "server.log", "wb")
    process = subprocess.Popen([MARIADBD, "--no-defaults", f"--datadir={datadir}", f"--socket={sock}", f"--port={server.port}",
                                "--bind-address=127.0.0.1", "--user=root", f"--pid-file={root / 'mariadb.pid'}",
                                "--skip-log-bin", "--innodb-buffer-pool-size=32M"], stdout=log, stderr=subprocess.STDOUT)
    try:
        _wait_until_ready(process, sock, root / "server.log")
        server.sql(f"CREATE USER '{server.user}'@'127.0.0.1' IDENTIFIED BY '{server.password}';"
                   f" GRANT ALL ON *.* TO '{server.user}'@'127.0.0.1';")
        yield server
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def _wait_until_ready(process: subprocess.Popen[bytes], sock: Path, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"mariadbd stopped at start:\n{log.read_text(errors='replace')[-3000:]}")
        if sock.exists():
            probe = subprocess.run(["mariadb-admin", "--no-defaults", f"--socket={sock}", "-uroot", "ping"], capture_output=True, timeout=10)
            if probe.returncode == 0:
                return
        time.sleep(0.2)
    raise RuntimeError(f"mariadbd did not start in {START_TIMEOUT} s:\n{log.read_text(errors='replace')[-3000:]}")
