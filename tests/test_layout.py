"""The package shows the pipeline: one package per stage, imports only from earlier stages, small modules."""

from __future__ import annotations

import ast
from pathlib import Path

from conftest import REPO

PACKAGE = REPO / "generator"
# Each stage may import from the stages before it; errors.py and the package's __init__ are below them all.
STAGES = ("content", "site", "memo", "render", "output", "check", "redirects", "serve", "commands", "importers", "cli", "__main__")
BELOW_ALL = {"errors", "__init__"}
MODULE_MAX = 300


def stage_of(path: Path) -> str:
    return path.relative_to(PACKAGE).with_suffix("").parts[0]


def imported_stages(path: Path) -> set[str]:
    """The top-level modules and packages of generator that a module imports (relative imports only: the package uses them)."""
    parts = path.relative_to(PACKAGE).with_suffix("").parts
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level:
            target = [*parts[:-1][: len(parts) - node.level], *(node.module or "").split(".")]
            target = [part for part in target if part] or [node.names[0].name]
            found.add("__init__" if target[0] == "__version__" else target[0])
    return found


def test_imports_run_from_later_stages_to_earlier_ones_only() -> None:
    wrong = []
    for path in sorted(PACKAGE.rglob("*.py")):
        stage = stage_of(path)
        allowed = set(STAGES[: STAGES.index(stage) + 1]) | BELOW_ALL if stage in STAGES else BELOW_ALL
        wrong += [f"{path.relative_to(REPO)} imports {target}" for target in sorted(imported_stages(path) - allowed)]
    assert wrong == []


def test_every_module_belongs_to_a_stage() -> None:
    top = {stage_of(path) for path in PACKAGE.rglob("*.py")}
    assert top <= set(STAGES) | BELOW_ALL, top - set(STAGES) - BELOW_ALL


def test_no_module_is_over_300_lines() -> None:
    long = {str(p.relative_to(REPO)): n for p in PACKAGE.rglob("*.py") if (n := len(p.read_text(encoding="utf-8").splitlines())) > MODULE_MAX}
    assert long == {}
