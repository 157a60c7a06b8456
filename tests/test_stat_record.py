"""The stat record: an unchanged file is not read, a racy or changed one is, and a bad record means a full check."""

from __future__ import annotations

import hashlib
import os
import pickle
import shutil
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from conftest import MakeSite, submission, tree_bytes
from generator.commands.build import build_site
from generator.memo import stat
from generator.memo.cache import Cache, MAGIC

SECOND = 1_000_000_000
SUBMISSION = "content/submissions/2023/20230331-82332-92.md"


def record_of(folder: Path, *paths: Path) -> stat.StatRecord:
    """A record taken now, as a build takes it: the clock first, then each file read."""
    files = stat.start(folder)
    for path in paths:
        files.read(path)
    return files.record()


def test_an_old_unchanged_file_is_vouched_for(tmp_path: Path) -> None:
    path = tmp_path / "a.md"
    path.write_text("one")
    os.utime(path, ns=(path.stat().st_mtime_ns - 10 * SECOND,) * 2)  # an editor saved it long before the record
    record = record_of(tmp_path / "cache", path)
    assert record.trusted(str(path), stat.stat_file(str(path))) == stat.file_digest(b"one")
    files = stat.SourceFiles(record, stat.clock(tmp_path / "cache"))
    assert files.unchanged(path) == stat.file_digest(b"one") and files.reads == 0


@pytest.mark.parametrize("change", ["same size", "longer", "replaced by another file", "touched only"])
def test_any_change_to_the_stat_means_reading_again(tmp_path: Path, change: str) -> None:
    path = tmp_path / "a.md"
    path.write_text("one")
    os.utime(path, ns=(path.stat().st_mtime_ns - 10 * SECOND,) * 2)
    record = record_of(tmp_path / "cache", path)
    if change == "same size":
        path.write_text("two")
    elif change == "longer":
        path.write_text("three")
    elif change == "replaced by another file":
        (tmp_path / "b.md").write_text("one")
        os.replace(tmp_path / "b.md", path)
    else:
        os.utime(path)
    assert record.trusted(str(path), stat.stat_file(str(path))) is None


def test_a_file_written_within_the_records_timestamp_is_read_again(tmp_path: Path) -> None:
    """Git's racy case, for real: the file's mtime is not older than the record's own time, so a second write in the
    same tick, of the same size, could leave its stat as recorded; the record must not vouch for it."""
    path, cache = tmp_path / "a.md", tmp_path / "cache"
    for _ in range(50):  # the clock's tick usually holds both; retried when a tick boundary fell between them
        path.write_text("one")
        files = stat.start(cache)
        files.read(path)
        if path.stat().st_mtime_ns >= files.recorded_at_ns:
            break
    else:
        pytest.fail("could not write a file within the record's timestamp")
    record = files.record()
    assert stat.racy(record.files[str(path)][0], record.recorded_at_ns)
    assert record.trusted(str(path), stat.stat_file(str(path))) is None  # even with its stat exactly as recorded
    path.write_text("two")  # changed without changing its size
    again = stat.SourceFiles(record, stat.clock(cache))
    assert again.unchanged(path) is None and again.read(path)[1] == stat.file_digest(b"two")


@pytest.mark.parametrize(("mtime", "recorded_at", "is_racy"), [
    (100 * SECOND + 5, 100 * SECOND + 5, True),  # the same nanosecond
    (100 * SECOND + 4, 100 * SECOND + 5, False),
    (100 * SECOND, 100 * SECOND + 500_000_000, True),  # a disk with whole seconds: written later in that second
    (99 * SECOND, 100 * SECOND, False),
    (98 * SECOND, 99 * SECOND, True),  # even seconds (FAT): 98 s stands for 98-100 s
    (101_000_000, 101_500_000, True),  # whole milliseconds
    (100 * SECOND + 1, 100 * SECOND + 1_000_000, False),
])
def test_racy_at_the_file_systems_granularity(mtime: int, recorded_at: int, is_racy: bool) -> None:
    assert stat.racy(stat.FileStat(1, 3, mtime, 0), recorded_at) is is_racy
    assert stat.racy(stat.FileStat(1, 3, 0, mtime), recorded_at) is is_racy  # ctime the same


@pytest.mark.parametrize("damage", ["truncate", "garbage", "flip a byte", "empty", "other format", "not a record"])
def test_a_damaged_or_foreign_record_means_a_full_check(tmp_path: Path, damage: str) -> None:
    path, cache = tmp_path / "a.md", tmp_path / "cache"
    path.write_text("one")
    os.utime(path, ns=(path.stat().st_mtime_ns - 10 * SECOND,) * 2)
    stat.save_record(cache, record_of(cache, path))
    assert stat.load_record(cache).files.keys() == {str(path)}
    saved = cache / stat.RECORD_NAME
    data = saved.read_bytes()
    if damage in ("other format", "not a record"):
        payload = pickle.dumps(("stat-record-0", 1, {}) if damage == "other format" else ["a", "list"])
        saved.write_bytes(MAGIC + hashlib.sha256(payload).digest() + payload)
    else:
        saved.write_bytes({"truncate": data[: len(data) // 2], "garbage": os.urandom(len(data)), "empty": b"",
                           "flip a byte": data[:-10] + bytes([data[-10] ^ 1]) + data[-9:]}[damage])
    assert stat.load_record(cache) == stat.NO_RECORD
    assert stat.SourceFiles(stat.load_record(cache), stat.clock(cache)).unchanged(path) is None


def test_a_no_op_build_reads_no_submission(make_site: MakeSite, monkeypatch: pytest.MonkeyPatch) -> None:
    site = make_site({f"content/submissions/2023/s{i}.md": submission(body=f"Request {i}.") for i in range(5)})
    build_site(site, search=False)
    build_site(site, search=False)  # files saved within the first build's tick are read once more, then trusted
    read: list[Path] = []
    original = stat.SourceFiles.read
    monkeypatch.setattr(stat.SourceFiles, "read", lambda self, path: read.append(path) or original(self, path))
    read_bytes = Path.read_bytes
    monkeypatch.setattr(Path, "read_bytes", lambda self: pytest.fail(f"read {self}") if "submissions" in self.parts else read_bytes(self))
    assert build_site(site, search=False).result.changed == ()
    assert read == []


def test_a_new_base_url_renders_remembered_parses_without_reading_their_files(make_site: MakeSite, tmp_path: Path,
                                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """Each body is rendered again for its new page URL, from the parse the cache holds: no file is read."""
    site = make_site({f"content/submissions/2023/s{i}.md": submission(body=f"[Request](more/) {i}.") for i in range(5)})
    build_site(site, search=False)
    build_site(site, search=False)  # files saved within the first build's tick are read once more, then trusted
    config = site / "site.toml"
    config.write_text(config.read_text().replace("https://example.gov/tta/", "https://example.gov/new/"))
    read: list[Path] = []
    original = stat.SourceFiles.read
    monkeypatch.setattr(stat.SourceFiles, "read", lambda self, path: read.append(path) or original(self, path))
    build_site(site, search=False)
    assert read == []
    monkeypatch.undo()
    build_site(site, tmp_path / "cold", search=False, use_cache=False)
    assert tree_bytes(site / "output") == tree_bytes(tmp_path / "cold")


def coarse(real: Any, tick: int) -> SimpleNamespace:
    """The os module as seen on a disk that keeps times in whole ticks (a FAT or ext3 disk, an old network share)."""
    def rounded(result: os.stat_result) -> SimpleNamespace:
        return SimpleNamespace(st_ino=result.st_ino, st_size=result.st_size, st_mtime_ns=result.st_mtime_ns // tick * tick,
                               st_ctime_ns=result.st_ctime_ns // tick * tick)
    return SimpleNamespace(stat=lambda path: rounded(real.stat(path)), fstat=lambda fd: rounded(real.fstat(fd)), utime=real.utime)


def test_on_a_coarse_disk_a_same_size_edit_in_the_records_second_is_built(make_site: MakeSite, tmp_path: Path,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """Where the stat of a file cannot tell two writes in one second apart, the racy rule alone catches the second."""
    monkeypatch.setattr(stat, "os", coarse(os, SECOND))
    site = make_site()
    for _ in range(20):
        (site / SUBMISSION).write_text(submission(body="Version one."))
        build_site(site, search=False)
        recorded = stat.load_record(Cache.for_site(site).folder)
        (site / SUBMISSION).write_text(submission(body="Version two."))  # the same size
        entry = recorded.files[str((site / SUBMISSION).resolve())][0]
        if stat.stat_file(str((site / SUBMISSION).resolve())) == entry:  # within the same second: the stat cannot tell
            break
    else:
        pytest.fail("could not edit a file within the second of its record")
    build_site(site, search=False)
    assert "Version two." in (site / "output" / "submissions/20230331-82332-92/index.html").read_text()
    fresh = tmp_path / "fresh"
    shutil.copytree(site, fresh, ignore=shutil.ignore_patterns(".cache", "output", ".output*"))
    build_site(fresh, tmp_path / "cold", search=False)
    assert tree_bytes(site / "output") == tree_bytes(tmp_path / "cold")
