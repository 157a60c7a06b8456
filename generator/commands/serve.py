"""`topicsite serve`: build, serve the output over HTTP, rebuild on every change and reload open tabs.

The preview is built into a folder of its own in the site's cache (SITE/.cache/preview/serve/site), never into
the site's output/: a preview with --drafts must not end up deployed. The folder is kept when the server stops:
deleting a large site's preview and its back copy took seconds on every Ctrl-C, and the next start then rewrites
only what changed instead of every file. Every rebuild is a whole build through
build_site (the same cached path as `build`), so the folder being served is always one complete build (no partial
rebuilds). Between rebuilds the builder keeps build_site's Memory: the memo with its packs read, the stat record,
the parsed files, the model's submissions and the Jinja environment, so a rebuild reads only the files whose stat
changed, renders only the pages whose view changed and writes only those. Every part of it is keyed by what it was
made from (site.toml and the templates included), so it stays right whatever changes; a crash drops it.
"""

from __future__ import annotations

import fcntl
import gc
import signal
import tempfile
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import FrameType

import watchfiles

from ..content.config import CONFIG_NAME, read_config
from ..errors import Problem, SiteError
from ..memo.cache import CACHE_DIR, Cache
from ..output.write import add_back_copy, intact
from ..serve.http import PreviewServer
from ..serve.preview import BuildState
from ..site.load import LoadOptions
from .build import Memory, build_site

WATCHED = ("content", "templates", "static")
WAKE_MS = 500  # how often the watcher looks at site.toml and for new folders to watch
# A batch of changes ends after this many quiet milliseconds (watchfiles' default, 50, added that much to every save):
# an editor's save (a write, or a temporary file renamed) is one burst, and a save split in two only costs a rebuild.
QUIET_MS = 10
# Two levels down, so the cache's clean-up of other versions' entries (which unlinks the files directly inside any
# other folder of .cache/) never reaches the preview's lock files.
PREVIEW_HOME = Path(CACHE_DIR, "preview", "serve")
STOP_WAIT = 0.05  # seconds to let the watcher finish after Ctrl-C; a rebuild still running is abandoned

Echo = Callable[[str], None]


class ListenError(Exception):
    """The server could not listen on the address asked for (a usage problem, not a site problem)."""


@dataclass(frozen=True, slots=True)
class ServeOptions:
    """Where to listen and what to include."""

    bind: str = "127.0.0.1"
    port: int = 8000
    drafts: bool = False
    future: bool = False
    search: bool = True


class Builder:
    """Whole rebuilds into the preview folder, keeping what the last one learnt in memory; a failed one leaves the
    last good build in place."""

    def __init__(self, site_dir: Path, output_dir: Path, options: ServeOptions, state: BuildState, echo: Echo) -> None:
        self.site_dir, self.output_dir, self.options, self.state, self.echo = site_dir, output_dir, options, state, echo
        self.memory: Memory | None = None

    def rebuild(self) -> None:
        """Build once and record the outcome, then check the preview folder while idle; never raises."""
        memory = self._build()
        if memory is not None and not self._check(memory):
            # Changed by hand (or its record is wrong): a build that trusts nothing repairs it.
            self.echo(f"The preview folder {self.output_dir} changed outside topicsite: building it again.")
            memory = self._build()
            if memory is not None:
                self._check(memory)

    def _check(self, memory: Memory) -> bool:
        """Check the preview folder against its record after the build is served, off the editor's time, so that the
        next rebuild may trust it (and give it its back copy, if it has none yet); False when it does not match."""
        try:
            memory.trusted = intact(self.output_dir, memory.memo)
            if memory.trusted:
                add_back_copy(self.output_dir, memory.memo)
        except OSError:
            memory.trusted = False
        return memory.trusted

    def _build(self) -> Memory | None:
        """Build once and record the outcome; the memory it kept, None when it failed."""
        started = time.perf_counter()
        try:
            memory = self.memory = self.memory or Memory(Cache.for_site(self.site_dir))
            built = build_site(self.site_dir, self.output_dir, LoadOptions(drafts=self.options.drafts, future=self.options.future),
                               search=self.options.search, memory=memory)
            site, result = built.site, built.result
        except SiteError as error:
            self._failed(error.problems)
            return None
        except Exception:  # a bug in topicsite: keep its traceback, and keep serving (from a clean slate)
            self.memory = None
            traceback.print_exc()
            self._failed((Problem(self.site_dir, 1, "topicsite crashed while building (a bug: the traceback is in the terminal)"),))
            return None
        for warning in site.warnings:
            self.echo(warning.format())
        self.state.record((), site.config.base_path)
        seconds = time.perf_counter() - started
        # What a rebuild keeps (the memory, the model) lives on: collect what it left, then keep the rest out of the
        # collector's passes, which would otherwise walk the whole model during every rebuild.
        gc.collect()
        gc.freeze()
        memory.save_record()
        memory.environments.compile_all(site)
        self.echo(f"Built in {seconds:.2f} s: {len(result.changed)} of {result.files} files changed.")
        return memory

    def _failed(self, problems: tuple[Problem, ...]) -> None:
        for problem in problems:
            self.echo(problem.format())
        count = len(problems)
        self.echo(f"Build failed: {count} {'error' if count == 1 else 'errors'}; still serving the last good build.")
        self.state.record(problems)


def watch(site_dir: Path, rebuild: Callable[[], None], stop: threading.Event) -> None:
    """Rebuild after every change to site.toml, content/, templates/ or static/ until `stop` is set."""
    config_stamp = _stamp(site_dir / CONFIG_NAME)
    while not stop.is_set():
        roots = _roots(site_dir)
        try:
            for changes in _changes(roots, stop):
                stamp = _stamp(site_dir / CONFIG_NAME)
                if changes or stamp != config_stamp:
                    config_stamp = stamp
                    rebuild()
                if _roots(site_dir) != roots:  # a folder appeared or went: watch the new set
                    rebuild()
                    break
        except Exception:  # the watcher itself failed (a folder vanished mid-watch): start it again
            traceback.print_exc()
            stop.wait(WAKE_MS / 1000)


def _changes(roots: list[Path], stop: threading.Event) -> Iterator[set[tuple[watchfiles.Change, str]]]:
    """Batches of changes (empty every WAKE_MS); with nothing to watch, only the wake-ups."""
    if not roots:
        while not stop.wait(WAKE_MS / 1000):
            yield set()
        return
    yield from watchfiles.watch(*roots, stop_event=stop, step=QUIET_MS, rust_timeout=WAKE_MS, yield_on_timeout=True, raise_interrupt=False)


def _roots(site_dir: Path) -> list[Path]:
    return [site_dir / name for name in WATCHED if (site_dir / name).is_dir()]


def _stamp(path: Path) -> tuple[int, int, int] | None:
    """Enough of a file's status to notice a save (also one that replaces the file)."""
    try:
        status = path.stat()
    except OSError:
        return None
    return (status.st_ino, status.st_mtime_ns, status.st_size)


def serve(site_dir: Path, options: ServeOptions, echo: Echo) -> None:
    """Build, serve and watch until Ctrl-C (or SIGTERM); the preview folder stays in the cache for the next start."""
    site_dir = site_dir.resolve()
    # Both signals stop the server the same way, also when started with SIGINT ignored (as `cmd &` does).
    previous = {signum: signal.signal(signum, _interrupt) for signum in (signal.SIGINT, signal.SIGTERM)}
    try:
        with preview_folder(site_dir, echo) as output_dir:
            _run(site_dir, output_dir, options, echo)
    except KeyboardInterrupt:
        pass
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    echo("Stopped.")
    # A rebuild stopped midway leaves a whole site model behind in its thread; the collections Python runs as it
    # exits would walk all of it (0.3-0.6 s at 10,000 submissions), and nothing here needs collecting any more.
    gc.freeze()


@contextmanager
def preview_folder(site_dir: Path, echo: Echo) -> Iterator[Path]:
    """The folder to build the preview in: the cache's, held for as long as this server runs; a temporary one
    (removed on exit) when another `serve` of the same site holds it or the cache cannot be written."""
    home = site_dir / PREVIEW_HOME
    with ExitStack() as held:
        if _hold(home, held):
            echo(f"Preview files in {home / 'site'} (kept for the next start).")
            yield home / "site"
            return
    with tempfile.TemporaryDirectory(prefix="topicsite-serve-", ignore_cleanup_errors=True) as folder:
        echo(f"Preview files in {Path(folder) / 'site'} (another serve of this site holds the cache's; removed on exit).")
        yield Path(folder) / "site"


def _hold(home: Path, held: ExitStack) -> bool:
    """Hold the cache's preview folder until `held` closes; False when another process holds it, or no cache."""
    try:
        home.mkdir(parents=True, exist_ok=True)
        fcntl.flock(held.enter_context(open(home / ".serving", "a+b")), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:  # BlockingIOError when another serve holds it
        return False
    return True


def _run(site_dir: Path, output_dir: Path, options: ServeOptions, echo: Echo) -> None:
    state = BuildState(_base_path(site_dir))
    builder = Builder(site_dir, output_dir, options, state, echo)
    builder.rebuild()
    try:
        server = PreviewServer((options.bind, options.port), state, output_dir)
    except OSError as error:
        raise ListenError(f"cannot listen on {options.bind} port {options.port}: {error.strerror or error}; choose another with --port or --bind") from None
    stop = threading.Event()
    watcher = threading.Thread(target=watch, args=(site_dir, builder.rebuild, stop), name="topicsite-watch", daemon=True)
    watcher.start()
    host, port = str(server.server_address[0]), server.server_address[1]
    host = f"[{host}]" if ":" in host else host
    echo(f"Serving the site at http://{host}:{port}{state.snapshot.base_path} (Ctrl-C to stop)")
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        stop.set()
        state.close()
        server.server_close()
        watcher.join(timeout=STOP_WAIT)  # a daemon thread: a rebuild it is running dies with the process


def _base_path(site_dir: Path) -> str:
    try:
        return read_config(site_dir).base_path
    except SiteError:
        return "/"


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt
