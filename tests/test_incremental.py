"""The cache never changes what a build writes: warm builds after each kind of edit equal a cold build."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import REPO, MakeSite, submission, tree_bytes
from generator.memo import cache as cache_module
from generator.memo import parallel
from generator.memo import parse as parse_module
from generator.output import write as write_module
from generator.commands import build as build_module
from generator.commands.build import build_site
from generator.commands.serve import Builder, ServeOptions
from generator.serve.preview import BuildState
from generator.errors import SiteError
from generator.output.manifest import verify
from generator.output.write import Output, open_output
from generator.render import plan as planner
from generator.render.plan import plan
from generator.memo.parse import cached_parser
from generator.site.load import LoadOptions, load

TOPICS = {f"content/topics/topic-{t}.md": f"---\ntitle: Topic {t}\n---\nAbout topic {t}.\n" for t in "abc"}
SUBMISSIONS = {
    f"content/submissions/2023/s{i:02d}.md": submission(
        date=f"2023-0{1 + i % 9}-{1 + i:02d} 10:00:00", topics=["topic-a", "topic-b", "topic-c"][i % 3] + (", topic-a" if i % 4 == 0 else ""),
        body=f"Request {i} with *emphasis*, a [link](../other/) and a list:\n\n- one\n- two\n")
    for i in range(24)
}
Edit = Callable[[Path], None]


def write(site: Path, name: str, text: str) -> None:
    (site / name).parent.mkdir(parents=True, exist_ok=True)
    (site / name).write_text(text)


def replace(site: Path, name: str, old: str, new: str) -> None:
    path = site / name
    text = path.read_text()
    assert old in text, (name, old)
    path.write_text(text.replace(old, new))


EDITS: list[tuple[str, Edit]] = [
    ("edit a body", lambda s: replace(s, "content/submissions/2023/s05.md", "Request 5", "Request five, edited")),
    ("change a date", lambda s: replace(s, "content/submissions/2023/s07.md", "2023-08-08", "2021-02-03")),
    ("move to another topic", lambda s: replace(s, "content/submissions/2023/s01.md", "topics: [topic-b]", "topics: [topic-c]")),
    ("delete one", lambda s: (s / "content/submissions/2023/s02.md").unlink()),
    ("add one", lambda s: write(s, "content/submissions/2024/new.md", submission(date="2024-01-01", topics="topic-a", body="New."))),
    ("rename a topic's title", lambda s: replace(s, "content/topics/topic-b.md", "title: Topic b", "title: Bee topic")),
    ("change a template", lambda s: write(s, "templates/submission.html", (REPO / "templates/submission.html").read_text().replace(">Topics</h2>", ">Filed under</h2>"))),
    ("change a partial", lambda s: write(s, "templates/partials/macros.html", (REPO / "templates/partials/macros.html").read_text().replace("Submitted by", "Sent by"))),
    ("change site.toml", lambda s: replace(s, "site.toml", "per_page = 2", "per_page = 3\nnotice = \"**Note:** changed\"")),
    ("change base_url", lambda s: replace(s, "site.toml", "https://example.gov/tta/", "https://example.org/")),
    ("add a static file", lambda s: write(s, "static/extra.css", "body { color: black; }\n")),
    ("override a default asset", lambda s: write(s, "static/topicsite.css", "/* mine */\n")),
    ("delete a template override", lambda s: (s / "templates/submission.html").unlink()),
    ("move one back", lambda s: replace(s, "content/submissions/2023/s01.md", "topics: [topic-c]", "topics: [topic-a]")),
    ("edit a body, keeping its size", lambda s: replace(s, "content/submissions/2023/s08.md", "Request 8 ", "Request X ")),
    ("edit a name in the front matter", lambda s: replace(s, "content/submissions/2023/s09.md", "submitted_by: Ben Rodger", "submitted_by: Ann Other")),
    ("rename a file", lambda s: os.renames(s / "content/submissions/2023/s10.md", s / "content/submissions/2022/s10-moved.md")),
    ("add a topic file", lambda s: write(s, "content/topics/topic-d.md", "---\ntitle: Topic d\n---\nAbout topic d.\n")),
    ("file one under the new topic", lambda s: replace(s, "content/submissions/2023/s11.md", "topics: [topic-c]", "topics: [topic-d]")),
    ("delete a static file", lambda s: (s / "static/extra.css").unlink()),
]


def cold_build(site: Path, tmp_path: Path) -> dict[str, bytes]:
    """A build of the same content with a fresh cache into a fresh folder."""
    fresh = tmp_path / "cold-site"
    shutil.rmtree(fresh, ignore_errors=True)
    shutil.copytree(site, fresh, ignore=shutil.ignore_patterns(".cache", "output", ".output*"))
    build_site(fresh, tmp_path / "cold-out")
    result = tree_bytes(tmp_path / "cold-out")
    shutil.rmtree(tmp_path / "cold-out")
    return result


@pytest.fixture
def site(make_site: MakeSite) -> Path:
    return make_site({**TOPICS, **SUBMISSIONS})


def test_warm_builds_after_each_edit_equal_a_cold_build(site: Path, tmp_path: Path) -> None:
    build_site(site)
    for name, edit in EDITS:
        edit(site)
        built = build_site(site)
        assert tree_bytes(site / "output") == cold_build(site, tmp_path), f"after: {name}"
        assert built.result.changed or built.result.removed, f"nothing was rewritten after: {name}"
        again = build_site(site)  # what the warm build learnt was kept: nothing to render or write again
        assert again.result.changed == () and all(f.data is None for f in again.files), f"rebuilt after: {name}"


def serve_builder(site: Path, preview: Path, echo: Callable[[str], None] = lambda line: None) -> tuple[Builder, BuildState]:
    """serve's builder, driven in this process: each rebuild goes through the memory it keeps."""
    state = BuildState("/")
    return Builder(site.resolve(), preview, ServeOptions(), state, echo), state


def test_serve_rebuilds_after_each_edit_equal_a_cold_build(site: Path, tmp_path: Path) -> None:
    said: list[str] = []
    builder, state = serve_builder(site, tmp_path / "preview", said.append)
    builder.rebuild()
    for name, edit in EDITS:
        edit(site)
        builder.rebuild()
        assert state.snapshot.problems == () and builder.memory is not None, f"after: {name}"
        assert tree_bytes(tmp_path / "preview") == cold_build(site, tmp_path), f"after: {name}"
        # The rebuild trusted the record of the preview and updated it from what it wrote; the check while idle
        # found that record true, so no repairing build was needed and the next rebuild may trust it again.
        assert builder.memory.trusted and not any("changed outside" in line for line in said), f"after: {name}"
    assert builder.memory.reads <= 1  # the last edit's file was read; the others came from memory


def test_serve_makes_the_back_copy_while_idle(site: Path, tmp_path: Path) -> None:
    """The first build leaves no back copy; serve links one while idle, so the first edit updates it like any other."""
    builder, _ = serve_builder(site, tmp_path / "preview")
    builder.rebuild()
    preview, back = tmp_path / "preview", tmp_path / ".preview.back"
    assert builder.memory is not None and builder.memory.trusted
    assert {p.relative_to(back): p.stat().st_ino for p in back.rglob("*") if p.is_file()} == {
        p.relative_to(preview): p.stat().st_ino for p in preview.rglob("*") if p.is_file()}
    replace(site, "content/submissions/2023/s03.md", "Request 3", "Request three")
    builder.rebuild()
    assert builder.memory.trusted and tree_bytes(preview) == cold_build(site, tmp_path)


def test_serve_trusts_no_record_of_a_folder_removed_since_the_check(site: Path, tmp_path: Path) -> None:
    """A back copy removed by hand after the idle check is not taken for the recorded one: the rebuild makes a new one."""
    builder, state = serve_builder(site, tmp_path / "preview")
    builder.rebuild()
    assert builder.memory is not None and builder.memory.trusted
    shutil.rmtree(tmp_path / ".preview.back")
    replace(site, "content/submissions/2023/s03.md", "Request 3", "Request three")
    builder.rebuild()
    assert state.snapshot.problems == () and tree_bytes(tmp_path / "preview") == cold_build(site, tmp_path)


@pytest.mark.parametrize("where", ["preview", "back copy"])
@pytest.mark.parametrize("how", ["delete", "edit"])
def test_serve_repairs_a_preview_file_changed_by_hand(site: Path, tmp_path: Path, where: str, how: str) -> None:
    """serve trusts its record of the preview while rebuilding, and checks it while idle: a file of the preview or of
    its back copy changed by hand is found by the check after the next rebuild, and a build that trusts nothing repairs it."""
    said: list[str] = []
    builder, state = serve_builder(site, tmp_path / "preview", said.append)
    builder.rebuild()
    replace(site, "content/submissions/2023/s03.md", "Request 3", "Request three")
    builder.rebuild()  # now there is a back copy too
    assert builder.memory is not None and builder.memory.trusted
    folder = tmp_path / ("preview" if where == "preview" else ".preview.back")
    page = folder / "topics/topic-b/index.html"
    if how == "delete":
        page.unlink()
    else:
        page.write_bytes(page.read_bytes().replace(b"</body>", b"mine</body>"))  # in place: through every hard link
    replace(site, "content/submissions/2023/s05.md", "Request 5", "Request five")  # changes neither topic-b page
    builder.rebuild()
    assert any("changed outside" in line for line in said) and state.snapshot.problems == ()
    assert tree_bytes(tmp_path / "preview") == cold_build(site, tmp_path)
    replace(site, "content/submissions/2023/s06.md", "Request 6", "Request six")
    builder.rebuild()  # the repaired preview is recorded again: trusted after this rebuild, with no repair
    assert tree_bytes(tmp_path / "preview") == cold_build(site, tmp_path)
    assert builder.memory.trusted and sum("changed outside" in line for line in said) == 1


def test_serve_after_a_failed_rebuild_equals_a_cold_build(site: Path, tmp_path: Path) -> None:
    """A rebuild that fails keeps the memory usable: the last good build stays served, and the fix is built right."""
    builder, state = serve_builder(site, tmp_path / "preview")
    builder.rebuild()
    served = tree_bytes(tmp_path / "preview")
    replace(site, "content/submissions/2023/s16.md", "Request 16", "Request sixteen")
    replace(site, "content/submissions/2023/s17.md", "topics: [topic-c]", "topics: [no-such-topic]")
    builder.rebuild()
    assert state.snapshot.problems and tree_bytes(tmp_path / "preview") == served
    replace(site, "content/submissions/2023/s17.md", "topics: [no-such-topic]", "topics: [topic-a]")
    builder.rebuild()
    assert state.snapshot.problems == () and tree_bytes(tmp_path / "preview") == cold_build(site, tmp_path)


MID_BUILD_EDITS: list[tuple[str, Edit]] = [
    ("edit a body, keeping its size", lambda s: replace(s, "content/submissions/2023/s12.md", "Request 12 ", "Request XX ")),
    ("edit a body", lambda s: replace(s, "content/submissions/2023/s13.md", "Request 13", "Request thirteen")),
    ("add one", lambda s: write(s, "content/submissions/2024/late.md", submission(date="2024-02-02", topics="topic-b", body="Late."))),
    ("delete one", lambda s: (s / "content/submissions/2023/s14.md").unlink()),
    ("change a template", lambda s: write(s, "templates/topic.html", (REPO / "templates/topic.html").read_text() + "\n")),
]


@pytest.mark.parametrize("how", ["build", "serve"])
def test_an_edit_made_while_a_build_runs_is_caught_by_the_next(site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, how: str) -> None:
    """An edit saved after the files were read (while pages render) is in the next build, whether `build` or serve's memory."""
    builder, _ = serve_builder(site, tmp_path / "preview")
    output = tmp_path / "preview" if how == "serve" else site / "output"
    rebuild = builder.rebuild if how == "serve" else lambda: build_site(site)
    rebuild()
    pending: list[Edit] = []
    real_plan = build_module.plan
    def plan_then_edit(*args: object, **kwargs: object) -> object:
        while pending:
            pending.pop()(site)
        return real_plan(*args, **kwargs)  # type: ignore[arg-type]
    monkeypatch.setattr(build_module, "plan", plan_then_edit)
    for number, (name, edit) in enumerate(MID_BUILD_EDITS):
        replace(site, "content/submissions/2023/s15.md", f"Request 15{'.' * number}", f"Request 15{'.' * (number + 1)}")
        pending.append(edit)
        rebuild()  # made from the files as they were read, before the edit
        rebuild()
        assert tree_bytes(output) == cold_build(site, tmp_path), f"after: {name}"


def test_cached_build_equals_a_build_without_memo(site: Path, tmp_path: Path) -> None:
    build_site(site, tmp_path / "cached")
    build_site(site, tmp_path / "plain", use_cache=False)
    assert tree_bytes(tmp_path / "cached") == tree_bytes(tmp_path / "plain")


def test_planning_never_touches_the_output_folder(site: Path) -> None:
    build_site(site)
    replace(site, "content/submissions/2023/s05.md", "Request 5", "Request five")
    build_site(site)  # now there is a back copy too
    replace(site, "content/submissions/2023/s06.md", "Request 6", "Request six")
    folders = sorted(p.name for p in site.iterdir())
    before = {name: tree_bytes(site / name) for name in ("output", ".output.back")}
    memo = cache_module.Cache.for_site(site)
    with open_output(site / "output", site, memo) as output:
        files = plan(load(site, LoadOptions(), cached_parser(memo)), memo, output.previous, search=True)
        # No staging folder, the back copy where it was; rendered bytes wait in the spool folder beside the output.
        assert sorted(p.name for p in site.iterdir() if ".output.spool-" not in p.name) == folders
        assert {name: tree_bytes(site / name) for name in ("output", ".output.back")} == before
        spooled = {f.path: f.contents(output.previous) for f in files if f.spooled is not None}
    assert sorted(p.name for p in site.iterdir()) == folders  # the spool goes with the build
    assert spooled["submissions/s06/index.html"].count(b"Request six") >= 1
    changed = {f.path for f in files if f.made}
    assert {"submissions/s06/index.html", "rss.xml"} <= changed and "submissions/s07/index.html" not in changed


def test_a_plan_without_memo_or_previous_output_holds_every_byte(site: Path) -> None:
    files = plan(load(site, LoadOptions()), cache_module.Cache.disabled())
    assert files == tuple(sorted(files, key=lambda f: f.path)) and all(f.data is not None for f in files)


def test_output_edited_by_hand_is_rebuilt(site: Path) -> None:
    build_site(site)
    expected = tree_bytes(site / "output")
    page = site / "output/submissions/s03/index.html"
    page.write_text("tampered")
    build_site(site)
    assert tree_bytes(site / "output") == expected


def test_a_file_topicsite_did_not_write_is_refused(site: Path) -> None:
    build_site(site)
    (site / "output/stray.html").write_text("left by someone")
    expected = tree_bytes(site / "output")
    with pytest.raises(SiteError) as error:
        build_site(site)
    assert [p.path for p in error.value.problems] == [(site / "output/stray.html").resolve()]
    assert tree_bytes(site / "output") == expected


@pytest.mark.parametrize("damage", ["truncate", "garbage", "flip a byte", "empty"])
def test_damaged_cache_is_ignored_and_rebuilt(site: Path, tmp_path: Path, damage: str) -> None:
    build_site(site)
    expected = tree_bytes(site / "output")
    replace(site, "content/submissions/2023/s04.md", "Request 4", "Request four")
    packs = sorted((site / ".cache").rglob("*.pack"))
    assert {p.name.split(".")[0] for p in packs} >= {"parsed", "bodies", "outputs", "trees"}
    for pack in packs:
        data = pack.read_bytes()
        damaged = {"truncate": data[: len(data) // 2], "garbage": os.urandom(len(data)), "empty": b"",
                   "flip a byte": data[:-10] + bytes([data[-10] ^ 1]) + data[-9:]}[damage]
        pack.write_bytes(damaged)
    build_site(site)
    assert tree_bytes(site / "output") == cold_build(site, tmp_path)
    assert tree_bytes(site / "output") != expected
    assert all(p.read_bytes()[:16] == cache_module.MAGIC for p in (site / ".cache").rglob("*.pack"))


def test_cache_of_another_version_is_not_used(site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    build_site(site)
    monkeypatch.setattr(cache_module, "code_version", lambda: "another-version")
    cache = cache_module.Cache.for_site(site)
    assert cache.pack("parsed").old == {} and cache.pack("bodies").old == {}
    assert [p.name for p in (site / ".cache").iterdir() if p.is_dir()] == []  # the old version's entries are deleted


def test_the_cached_parser_loads_what_the_pure_one_loads(site: Path) -> None:
    options, memo = LoadOptions(), cache_module.Cache.disabled()
    cold = load(site, options, cached_parser(memo))
    build_site(site)  # fills the memo
    memo = cache_module.Cache.for_site(site)
    assert load(site, options) == cold == load(site, options, cached_parser(memo))
    assert memo.pack("parsed").hits == len(SUBMISSIONS) + 1  # and the default one


def test_a_page_is_rendered_again_only_when_its_view_changes(site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    build_site(site)
    replace(site, "content/submissions/2023/s05.md", "Request 5", "Request five, edited")
    rendered: list[str] = []
    original = planner.render_page
    monkeypatch.setattr(planner, "render_page", lambda env, job: rendered.append(job.path) or original(env, job))
    build_site(site)
    pages = set(rendered)
    assert "submissions/s05/index.html" in pages
    assert not any(p.startswith("submissions/") and p != "submissions/s05/index.html" for p in pages)  # other submissions' views are the same
    assert not pages & {"404.html", "search/index.html", "robots.txt"}
    assert all(p.startswith("topics/") or p in ("index.html", "sitemap.xml") for p in pages - {"submissions/s05/index.html"})


def test_cache_entries_are_used(site: Path) -> None:
    build_site(site)
    cache = cache_module.Cache.for_site(site)
    load(site, LoadOptions(), cached_parser(cache))
    assert cache.pack("parsed").hits == len(SUBMISSIONS) + 1 == cache.pack("bodies").hits  # and the default one


def test_an_edit_rewrites_few_pack_files(site: Path) -> None:
    build_site(site)
    before = {p: p.stat().st_mtime_ns for p in (site / ".cache").rglob("bodies.*.pack")}
    assert len(before) > cache_module.SHARDS // 2  # 24 bodies spread over most of the files
    replace(site, "content/submissions/2023/s05.md", "Request 5", "Request five, edited")
    build_site(site)
    after = {p: p.stat().st_mtime_ns for p in (site / ".cache").rglob("bodies.*.pack")}
    rewritten = [p for p in after if before.get(p) != after[p]]
    assert 1 <= len(rewritten) <= 2  # the file that loses the old body's entry and the one that gains the new


def test_a_build_that_writes_nothing_keeps_the_back_copy_usable(site: Path) -> None:
    build_site(site)
    replace(site, "content/submissions/2023/s05.md", "Request 5", "Request five")
    build_site(site)  # the first output is now the back copy, to be updated into the next one
    assert build_site(site).result.changed == ()
    output = (site / "output").absolute()
    opened = Output(output, cache_module.Cache.for_site(site))
    assert verify(opened.back_dir, opened.back)[1], "the no-op build forgot the back copy's manifest"


def test_a_back_copy_without_a_record_is_reused_but_not_trusted(site: Path, tmp_path: Path) -> None:
    build_site(site)
    replace(site, "content/submissions/2023/s05.md", "Request 5", "Request five")
    build_site(site)
    shutil.rmtree(site / ".cache")  # as after an upgrade: no manifest of the output or its back copy
    back = site / ".output.back"
    (back / "foreign.html").write_text("left by someone")
    tampered = back / "submissions/s03/index.html"
    tampered.unlink()
    tampered.write_text("tampered")  # a file of its own, no longer the live page's inode
    replace(site, "content/submissions/2023/s06.md", "Request 6", "Request six")
    back_folder = back.stat().st_ino
    built = build_site(site)
    assert (site / "output").stat().st_ino == back_folder  # the back copy was updated into the output, not deleted
    assert tree_bytes(site / "output") == cold_build(site, tmp_path)
    assert set(built.result.changed) >= {"submissions/s06/index.html"}
    assert "submissions/s03/index.html" not in built.result.changed  # relinked from the live page, not rewritten


def test_building_elsewhere_in_between_costs_nothing(site: Path, tmp_path: Path) -> None:
    build_site(site)
    build_site(site, tmp_path / "elsewhere")  # as `serve` does into its preview folder, or build --output
    again = build_site(site)
    assert again.result.changed == () and all(f.data is None for f in again.files)
    assert build_site(site, tmp_path / "elsewhere").result.changed == ()


def test_a_build_killed_while_saving_the_cache_is_repaired_by_the_next(site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    build_site(site)
    replace(site, "content/submissions/2023/s03.md", "Request 3", "Request three")
    with monkeypatch.context() as patch:  # the swap happened; the manifests of the new output were never saved
        patch.setattr(cache_module.Cache, "save", lambda self: (_ for _ in ()).throw(KeyboardInterrupt()))
        with pytest.raises(KeyboardInterrupt):
            build_site(site)
    build_site(site)  # the recorded live tree is now the back copy: its pages must not come back
    assert b"Request three" in (site / "output/submissions/s03/index.html").read_bytes()
    assert tree_bytes(site / "output") == cold_build(site, tmp_path)
    assert build_site(site).result.changed == ()


def test_a_file_where_a_folder_now_goes(make_site: MakeSite) -> None:
    def topic(alias: str) -> str:
        return f"---\ntitle: Topic a\naliases: [{alias}]\n---\nAbout.\n"
    site = make_site({**SUBMISSIONS, "content/topics/topic-a.md": topic("/old/page.html"), **{k: v for k, v in TOPICS.items() if "topic-a" not in k}})
    build_site(site)
    (site / "content/topics/topic-a.md").write_text(topic("/elsewhere/"))
    build_site(site)  # the back copy still has the file old/page.html
    (site / "content/topics/topic-a.md").write_text(topic("/old/page.html/"))
    build_site(site)
    assert (site / "output/old/page.html/index.html").is_file()


def test_deleting_the_cache_is_harmless(site: Path) -> None:
    build_site(site)
    expected = tree_bytes(site / "output")
    shutil.rmtree(site / ".cache")
    assert build_site(site).result.changed == ()
    assert tree_bytes(site / "output") == expected


def test_version_covers_code_and_renderer(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The cache's version changes with topicsite's version, the renderer's, any of its source files and its libraries."""
    package = tmp_path / "generator"
    shutil.copytree(REPO / "generator", package, ignore=shutil.ignore_patterns("static", "__pycache__"))
    monkeypatch.setattr(cache_module, "__file__", str(package / "cache.py"))
    version = cache_module.code_version.__wrapped__  # uncached: the memoized one stays the real package's
    versions = [version()]
    assert len(versions[0]) == 16 and version() == versions[0]
    monkeypatch.setattr(cache_module, "RENDERER_VERSION", cache_module.RENDERER_VERSION + ".next")
    versions.append(version())
    monkeypatch.setattr(cache_module, "__version__", cache_module.__version__ + ".post1")
    versions.append(version())
    (package / "importers/__init__.py").write_text((package / "importers/__init__.py").read_text() + "\n# a change\n")
    versions.append(version())
    (package / "importers/new_module.py").write_text("")
    versions.append(version())
    monkeypatch.setattr(cache_module, "_library_version", lambda name: "9.9" if name == "nh3" else "1.0")
    versions.append(version())
    assert len(set(versions)) == len(versions)


def test_serve_keeps_its_template_environment_warm_and_safe(site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Between rebuilds every template is compiled ahead; a broken one or one that is not text is left for a
    rebuild that renders it to report."""
    monkeypatch.setattr(parallel, "MIN_PARALLEL", 1)  # the first build renders in forked workers, as a big site's does
    monkeypatch.setenv("TOPICSITE_JOBS", "2")
    builder, state = serve_builder(site, tmp_path / "preview")
    builder.rebuild()
    assert builder.memory is not None and builder.memory.environments.env is not None
    compiled = {name for _, name in builder.memory.environments.env.cache.keys()}  # type: ignore[union-attr]
    assert {"submission.html", "topic.html", "base.html", "partials/macros.html"} <= compiled
    write(site, "templates/broken.html", "{% if %}")
    (site / "templates/image.png").write_bytes(b"\x89PNG\r\n\x1a\n\xff\xfe")
    builder.rebuild()  # the site does not use them: it builds, and the warm-up skips them
    assert state.snapshot.problems == () and tree_bytes(tmp_path / "preview") == cold_build(site, tmp_path)
    (tmp_path / "outside.html").write_text("secret")
    (site / "templates/linked.html").symlink_to(tmp_path / "outside.html")
    builder.rebuild()  # load refuses the link before anything renders; the server goes on
    assert [problem.path.name for problem in state.snapshot.problems] == ["linked.html"]


def test_pages_rendered_while_a_template_changed_are_not_remembered(site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A template saved while pages render may be compiled in its new form: if those pages were remembered under the
    # old templates' key, undoing the save would leave them in place.
    template = site / "templates/submission.html"
    original = (REPO / "templates/submission.html").read_text()
    write(site, "templates/submission.html", original)
    build_site(site)
    replace(site, "content/submissions/2023/s05.md", "Request 5", "Request five")  # a page to render
    render = planner.map_chunked

    def saving_during_render(function: Callable[..., list[object]], items: list[int]) -> list[object]:
        template.write_text(original.replace(">Topics</h2>", ">Filed under</h2>"))
        return render(function, items)

    monkeypatch.setattr(planner, "map_chunked", saving_during_render)
    build_site(site)
    monkeypatch.setattr(planner, "map_chunked", render)
    template.write_text(original)  # the save undone
    build_site(site)
    assert tree_bytes(site / "output") == cold_build(site, tmp_path)


def test_a_kept_environment_is_dropped_when_its_templates_changed_since(site: Path) -> None:
    environments = planner.Environments()
    write(site, "templates/submission.html", (REPO / "templates/submission.html").read_text())
    loaded = load(site)
    environments.get(loaded, planner.template_digest(loaded))
    write(site, "templates/submission.html", "{{ 1 }}")
    environments.compile_all(loaded)  # compiled from the new file, under the old digest: not kept
    assert environments.env is None


def test_serve_leaves_the_cache_full_for_the_next_build(site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    builder, _ = serve_builder(site, tmp_path / "preview")
    builder.rebuild()
    for number in range(3):  # files recalled from serve's memory must stay in the cache's packs too
        replace(site, "content/submissions/2023/s05.md", f"Request {5 if number == 0 else f'v{number}'}", f"Request v{number + 1}")
        builder.rebuild()
    parses: list[Path] = []
    real = parse_module.parse_submission
    monkeypatch.setattr(parse_module, "parse_submission", lambda path, *rest: parses.append(path) or real(path, *rest))
    monkeypatch.setattr(parallel, "MIN_PARALLEL", 10**9)  # parse in this process, so the calls are seen
    build_site(site)  # a build without serve's memory: every file's parse and body from the cache
    assert parses == []


def test_a_failed_load_leaves_serve_untrusting(make_site: MakeSite, tmp_path: Path) -> None:
    site = make_site({**TOPICS, "content/submissions/bad.md": "---\ntitle: [\n---\nx\n"})
    memory = build_module.Memory(cache_module.Cache.for_site(site))
    memory.trusted = True
    with pytest.raises(SiteError):
        build_site(site, tmp_path / "out", memory=memory)
    assert memory.trusted is False  # one check vouches for one build, also one that failed before writing


def test_a_refused_output_folder_leaves_no_spool(site: Path) -> None:
    build_site(site)
    (site / "output/CNAME").write_text("example.gov\n")  # a file the build did not write: refused
    with pytest.raises(SiteError):
        build_site(site)
    assert list(site.glob(".output.spool-*")) == []


def test_a_spooled_page_stays_when_relinking_the_live_one_fails(site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    build_site(site)
    before = tree_bytes(site / "output")
    shutil.rmtree(site / ".cache")  # no record: pages are rendered again, the same bytes as the live ones
    shutil.rmtree(site / ".output.back", ignore_errors=True)  # no back copy: the spool becomes the staging tree
    monkeypatch.setattr(write_module, "link_or_copy", lambda source, target: False)
    build_site(site)
    assert tree_bytes(site / "output") == before
