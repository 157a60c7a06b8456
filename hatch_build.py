"""Hatchling build hook: make sure the wheel carries the USWDS assets (git-ignored, copied from node_modules)."""

from __future__ import annotations

import runpy
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface


class VendorUSWDS(BuildHookInterface):  # type: ignore[misc]
    """Copy USWDS from node_modules when it is there; fail clearly when neither it nor a copy exists."""

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        root = Path(self.root)
        vendored = root / "generator/static/uswds/css/uswds.min.css"
        if (root / "node_modules/@uswds/uswds/dist").is_dir():
            runpy.run_path(str(root / "scripts/vendor_uswds.py"))["vendor"]()
        elif not vendored.is_file():
            raise RuntimeError("generator/static/uswds/ is missing: run `npm ci --ignore-scripts` (or `make assets`) before building topicsite")
