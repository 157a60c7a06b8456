"""Output stays byte-identical: the sample site and a 2,000-submission generated site against committed digests.

When a change alters the output on purpose, look at what changed, then rewrite the lists with
`TOPICSITE_UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/test_golden.py` and commit them.
"""

from __future__ import annotations

import hashlib
import os
import sys
from pathlib import Path

import pytest
from conftest import REPO, run_topicsite

GOLDEN = REPO / "tests" / "golden"
UPDATE = os.environ.get("TOPICSITE_UPDATE_GOLDEN") == "1"
CORPUS_SIZE, CORPUS_TOPICS, CORPUS_SEED = 2000, 40, 1


def digests(folder: Path) -> str:
    """One line per output file, sorted: the first 16 hex digits of its SHA-256, then its path."""
    files = sorted(p for p in folder.rglob("*") if p.is_file())
    return "".join(f"{hashlib.sha256(p.read_bytes()).hexdigest()[:16]}  {p.relative_to(folder).as_posix()}\n" for p in files)


def compare(name: str, output: Path) -> None:
    """The output's digests equal the committed list (or replace it when asked to)."""
    golden, found = GOLDEN / name, digests(output)
    if UPDATE:
        golden.write_text(found, encoding="utf-8")
        pytest.skip(f"rewrote {golden.relative_to(REPO)}")
    expected = golden.read_text(encoding="utf-8").splitlines()
    changed = sorted(set(expected) ^ set(found.splitlines()), key=lambda line: line.split("  ", 1)[1])
    assert not changed, f"{len(changed)} lines differ from {golden.name}, such as:\n" + "\n".join(changed[:20])


def test_sample_site_output_is_unchanged(tmp_path: Path) -> None:
    result = run_topicsite("build", REPO, "-o", tmp_path / "out", "-q")
    assert result.returncode == 0, result.stderr
    compare("sample-site.sha256", tmp_path / "out")


def test_generated_site_output_is_unchanged(tmp_path: Path) -> None:
    sys.path.insert(0, str(REPO / "bench"))
    try:
        import corpus
    finally:
        sys.path.remove(str(REPO / "bench"))
    corpus.write_topicsite(corpus.make_corpus(CORPUS_SIZE, CORPUS_TOPICS, CORPUS_SEED), tmp_path / "site")
    result = run_topicsite("build", tmp_path / "site", "-q", "--no-search")
    assert result.returncode == 0, result.stderr
    compare(f"generated-{CORPUS_SIZE}.sha256", tmp_path / "site" / "output")
