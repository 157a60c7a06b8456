"""Rendered pages wait in a spool folder beside the output, not in memory; the writer moves them into place."""

from __future__ import annotations

import os
from pathlib import Path

from conftest import REPO, MakeSite, submission, tree_bytes
from generator.commands.build import build_site
from generator.memo.cache import Cache
from generator.memo.parallel import MIN_PARALLEL
from generator.output.folder import MARKER
from generator.render.plan import plan, spool_file
from generator.render.planned import NOTHING
from generator.site.load import LoadOptions, load

MANY = {f"content/submissions/2023/s{i:03}.md": submission(body=f"Request {i}, *urgent*.\n\n- one\n- two")
        for i in range(MIN_PARALLEL + 20)}  # enough for the rendering to run in worker processes


def test_a_cold_build_writes_what_a_plan_in_memory_holds(make_site: MakeSite) -> None:
    site = make_site(MANY)
    in_memory = {f.path: f.data for f in plan(load(site, LoadOptions()), Cache.disabled(), NOTHING)}
    build_site(site, search=False)
    assert tree_bytes(site / "output") == {**in_memory, MARKER: (site / "output" / MARKER).read_bytes()}
    assert sorted(p.name for p in site.iterdir() if p.name.startswith(".output")) == [".output.lock"]  # no spool left


def test_rebuilds_after_a_template_change_move_every_page_into_the_back_copy(make_site: MakeSite) -> None:
    site = make_site(MANY)
    build_site(site, search=False)
    build_site(site, search=False)  # now there is a back copy, which the next build updates
    base = (REPO / "templates/base.html").read_text()
    (site / "templates").mkdir()
    (site / "templates/base.html").write_text(base.replace("</body>", "<p>A changed layout</p></body>"))
    built = build_site(site, search=False)  # every page spooled, then renamed over the back copy's files
    assert len(built.result.changed) > MIN_PARALLEL
    in_memory = {f.path: f.data for f in plan(load(site, LoadOptions()), Cache.disabled(), NOTHING)}
    assert tree_bytes(site / "output") == {**in_memory, MARKER: (site / "output" / MARKER).read_bytes()}


def test_a_file_that_cannot_be_spooled_stays_in_memory(tmp_path: Path) -> None:
    spool = str(tmp_path)
    assert spool_file(spool, "a/index.html", b"page") == f"{spool}/a/index.html"
    assert spool_file(spool, "a", b"clashes with the folder") is None  # the planner then reports the clash
    assert spool_file(spool, "a/index.html", b"a second page at one path") is None
    assert (tmp_path / "a/index.html").read_bytes() == b"page" and os.listdir(tmp_path) == ["a"]
