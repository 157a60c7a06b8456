"""The search index made from the model: what each record holds, byte-identical builds, one clear error for every way
Pagefind can fail, and `check --no-search`."""

from __future__ import annotations

import base64
import gzip
import json
import os
import random
import subprocess
import sys
from pathlib import Path

import cbor2
import pytest

from conftest import REPO, MakeSite, run_topicsite, submission, tree_bytes
from generator.errors import SiteError
from generator.memo.cache import Cache
from generator.render import search
from generator.commands.build import build_site
from generator.render import pagefind
from generator.render.pagefind import Record, index_records
from generator.render.plan import plan
from generator.site.load import LoadOptions, load

SIGNATURE = b"pagefind_dcd"
# An answer to the first request (the new index) whose payload is a list, as the fake binary below encodes it.
NOT_A_PAYLOAD = base64.b64encode(json.dumps({"message_id": 1, "payload": [1, 2]}).encode())[:80]
TOPICS = {
    "content/topics/mental-health.md": "---\ntitle: Mental health\n---\nRequests about wellness.\n",
    "content/submissions/2023/20230401-10000-01.md": submission(
        name="Quinn Ashby", topics="mental-health, community-policing",
        body="We ask for *training* on night patrols &amp; [radios](https://example.org/).\n\n- one\n- two"),
}


def fragments(output: Path) -> list[dict[str, object]]:
    """Every record of a built bundle as Pagefind stored it, by URL."""
    found = [json.loads(gzip.decompress(path.read_bytes())[len(SIGNATURE):]) for path in (output / "pagefind/fragment").iterdir()]
    return sorted(found, key=lambda fragment: str(fragment["url"]))


def test_each_submission_is_its_title_text_and_topics_only(make_site: MakeSite) -> None:
    site = make_site(TOPICS)
    assert run_topicsite("build", site, "-q").returncode == 0
    first, second = fragments(site / "output")
    assert first["url"] == "/submissions/20230331-82332-92/" and second["url"] == "/submissions/20230401-10000-01/"
    assert second["content"] == "We ask for training on night patrols & radios. one two"
    assert second["meta"] == {"title": "20230401-10000-01", "submitted_by": "Quinn Ashby", "date": "March 31, 2023"}
    assert second["filters"] == {"topic": ["Mental health", "Community policing"]}
    # Nothing of the page around the text: no topic names, no "Submitted by", no navigation.
    for fragment in (first, second):
        assert not {"Mental", "health", "Submitted", "Topics", "Home"} & set(str(fragment["content"]).split())


def test_search_record_of_a_draft_is_marked_as_its_page_is(make_site: MakeSite) -> None:
    draft = submission().replace("topics: [community-policing]\n", "topics: [community-policing]\ndraft: true\n")
    site = load(make_site({"content/submissions/2023/20230331-82332-92.md": draft}), LoadOptions(drafts=True))
    record = search.search_record(site.submissions[0], "en")
    assert dict(record.meta)["title"] == "20230331-82332-92 (draft)" and record.content == "We request training."


def test_two_builds_give_the_same_bundle(make_site: MakeSite, tmp_path: Path) -> None:
    # Six topics, so that Pagefind's random order of filter values would show.
    files: dict[str, str | bytes | None] = {f"content/topics/t{n}.md": f"---\ntitle: Topic {n}\n---\n" for n in range(6)}
    for n in range(6):
        files[f"content/submissions/s{n}.md"] = submission(topics=f"t{n}, t{(n + 1) % 6}", body=f"Request number {n}.")
    site = make_site(files)
    builds = []
    for name in ("one", "two"):
        assert run_topicsite("build", site, "-o", tmp_path / name, "-q", "--no-wait").returncode == 0
        builds.append({k: v for k, v in tree_bytes(tmp_path / name).items() if k.startswith("pagefind/")})
    assert len(builds[0]) > 10 and builds[0] == builds[1]


def test_records_are_added_in_url_order(make_site: MakeSite) -> None:
    site = load(make_site({**TOPICS, "content/submissions/2023/20230101-10000-01.md": submission()}), LoadOptions())
    (group,) = search.shards(site.submissions)
    urls = [search.search_record(submission, site.config.language).url for submission in group]
    assert urls == sorted(urls) and len(urls) == 3


def fake_pagefind(tmp_path: Path, body: str) -> str:
    """A Python script standing in for Pagefind's binary: `body` runs after it has read the first request."""
    script = tmp_path / "fake-pagefind"
    script.write_text(f"#!{sys.executable}\nimport base64, json, sys\n"
                      "import os\nrequest = json.loads(base64.b64decode(os.read(0, 1 << 16).split(b',')[0]))\n" + body)
    script.chmod(0o755)
    return str(script)


def answer(payload: object) -> str:
    """Code for the fake binary that answers the request it read with `payload`, then waits."""
    return ("sys.stdout.buffer.write(base64.b64encode(json.dumps({'message_id': request['message_id'], 'payload': "
            f"{payload!r}}}).encode()) + b','); sys.stdout.flush(); sys.stdin.read()\n")


@pytest.mark.parametrize(("binary", "message"), [
    (lambda tmp: str(tmp / "missing"), "cannot build the search index: cannot run Pagefind: No such file or directory; build with --no-search to skip it"),
    (lambda tmp: fake_pagefind(tmp, "sys.exit(3)\n"), "Pagefind failed to build the search index (Pagefind stopped (exit status 3) before it answered); build with --no-search to skip it"),
    (lambda tmp: fake_pagefind(tmp, "print('garbage,', flush=True); sys.stdin.read()\n"), "Pagefind failed to build the search index (Pagefind answered something unreadable: b'garbage'); build with --no-search to skip it"),
    (lambda tmp: fake_pagefind(tmp, answer({"type": "Error", "message": "Invalid config supplied", "original_message": None})), "Pagefind failed to build the search index (Invalid config supplied); build with --no-search to skip it"),
    (lambda tmp: fake_pagefind(tmp, answer({"type": "Error", "message": "Unparseable message", "original_message": None}).replace("request['message_id']", "None")), "Pagefind failed to build the search index (Unparseable message); build with --no-search to skip it"),
    (lambda tmp: fake_pagefind(tmp, answer([1, 2])), f"Pagefind failed to build the search index (Pagefind answered something unreadable: {NOT_A_PAYLOAD!r}); build with --no-search to skip it"),
])
def test_every_pagefind_failure_is_one_error(make_site: MakeSite, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, binary, message) -> None:  # type: ignore[no-untyped-def]
    site = load(make_site(), LoadOptions())
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", binary(tmp_path))
    with pytest.raises(SiteError) as caught:
        plan(site, Cache.disabled(), search=True)
    assert [problem.format() for problem in caught.value.problems] == [f"{site.config.path}:1: {message}"]


def test_pagefind_failing_mid_index_leaves_no_traceback(make_site: MakeSite, tmp_path: Path) -> None:
    # The new index is made, then the binary dies while records are on their way.
    binary = fake_pagefind(tmp_path, answer({"type": "NewIndex", "index_id": 0}).replace("sys.stdin.read()", "sys.exit(9)"))
    site = make_site()
    env = {**os.environ, "PYTHONPATH": str(REPO), "PAGEFIND_BINARY_PATH": binary}
    result = subprocess.run([sys.executable, "-m", "generator", "build", str(site), "-q"], env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert result.stderr == (f"{site / 'site.toml'}:1: Pagefind failed to build the search index (Pagefind stopped (exit status 9) "
                             "before it answered); build with --no-search to skip it\nBuild failed: 1 error.\n")
    assert not (site / "output").exists()


def test_no_pagefind_installed_says_how_to_install_it(make_site: MakeSite, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(search, "executable_found", lambda: False)
    with pytest.raises(SiteError) as caught:
        search.bundle_files([[Record("/a/", "text", "en", (), ())]], Path("site.toml"))
    assert caught.value.problems[0].format() == ("site.toml:1: cannot build the search index: Pagefind is not installed; "
                                                 "run `pip install 'pagefind[bin]'`, or build with --no-search to skip it")


def test_filter_values_in_any_order_give_the_same_bundle() -> None:
    bundle = index_records([Record(f"/{n}/", f"text {n}", "en", (("title", str(n)),), (f"topic {n % 7}", f"topic {n % 5}"))
                            for n in range(40)])
    (path,) = [path for path in bundle if path.startswith("filter/")]
    name, values = cbor2.loads(gzip.decompress(bundle[path])[len(SIGNATURE):])
    assert len(values) == 7
    for seed in range(3):
        shuffled = list(values)
        random.Random(seed).shuffle(shuffled)
        other = {**bundle, path: gzip.compress(SIGNATURE + cbor2.dumps([name, shuffled]))}
        assert search.make_deterministic(other) == search.make_deterministic(bundle)
    made = search.make_deterministic(bundle)
    entry = json.loads(made["pagefind-entry.json"])
    assert f"pagefind.{entry['languages']['en']['hash']}.pf_meta" in made and made == search.make_deterministic(made)


@pytest.mark.parametrize("bundle", [{"pagefind.js": b"js"}, {"pagefind-entry.json": b'{"languages": {"en": {"hash": "en_1a2b3c4"}}}'}])
def test_a_bundle_of_another_layout_is_left_as_is(bundle: dict[str, bytes]) -> None:
    assert search.make_deterministic(bundle) == bundle


def test_check_no_search_skips_the_index_and_its_links(make_site: MakeSite) -> None:
    link = '<script src="{{ view.layout.links.pagefind }}pagefind.js" type="module"></script>\n'
    site = make_site({"templates/search.html": '{% extends "base.html" %}{% block main %}<h1>Search</h1>' + link + "{% endblock %}"})
    assert run_topicsite("check", site).returncode == 0
    result = run_topicsite("check", site, "--no-search")
    assert result.returncode == 0 and result.stdout.strip().endswith("0 errors, 0 warnings"), result.stdout
    broken = make_site({"templates/search.html": '{% extends "base.html" %}{% block main %}<h1>Search</h1>'
                        '<a href="{{ view.layout.links.pagefind }}nothing.js">x</a>{% endblock %}'})
    assert "pagefind/nothing.js" in run_topicsite("check", broken).stdout
    assert run_topicsite("check", broken, "--no-search").returncode == 0



def sharded_files(count: int) -> dict[str, str | bytes | None]:
    """`count` submissions in two topics, each with words of its own."""
    return {"content/topics/mental-health.md": "---\ntitle: Mental health\n---\n",
            **{f"content/submissions/2023/20230401-{10000 + n}-01.md": submission(topics="mental-health" if n % 3 else "community-policing",
                                                                                  body=f"Request {n} about radios number{n}.")
               for n in range(count)}}


def shard_bundles(files: dict[str, bytes]) -> dict[str, dict[str, bytes]]:
    """The files of pagefind/ by shard folder ('' for the first)."""
    bundles: dict[str, dict[str, bytes]] = {}
    for path, data in files.items():
        if path.startswith("pagefind/"):
            folder, _, rest = path.removeprefix("pagefind/").partition("/") if path.startswith("pagefind/part-") else ("", "", path.removeprefix("pagefind/"))
            bundles.setdefault(folder, {})[rest] = data
    return bundles


def planned_bundles(site_dir: Path) -> dict[str, dict[str, bytes]]:
    planned = plan(load(site_dir, LoadOptions()), Cache.disabled(), search=True)
    return shard_bundles({f.path: f.data for f in planned if f.data is not None})


def test_shards_split_the_submissions_by_a_stable_hash(make_site: MakeSite, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(search, "SHARD_SIZE", 4)
    site = load(make_site(sharded_files(15)), LoadOptions())
    groups = search.shards(site.submissions)
    assert len(groups) == 4  # 16 submissions with the default one: ceil(16 / 4)
    assert sorted(s.id for group in groups for s in group) == sorted(s.id for s in site.submissions)
    for number, group in enumerate(groups):
        assert [s.path for s in group] == sorted(s.path for s in group)
        assert all(search.shard_of(s.id, 4) == number for s in group)
    # Pinned: a new hash would move submissions between shards, and re-index every shard of every site once.
    assert [search.shard_of("20230401-10000-01", count) for count in (1, 4, 10)] == [0, 3, 7]
    monkeypatch.setattr(search, "SHARD_SIZE", 1000)
    assert len(search.shards(site.submissions)) == 1


def test_a_shards_bytes_depend_only_on_its_submissions(make_site: MakeSite, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(search, "SHARD_SIZE", 4)
    files = sharded_files(15)
    site_dir = make_site(files)
    first = planned_bundles(site_dir)
    assert len(first) >= 3 and first == planned_bundles(site_dir)
    assert json.loads(first[""]["topicsite-parts.json"]) == {"parts": sorted(f"{folder}/" for folder in first if folder)}
    edited = "content/submissions/2023/20230401-10007-01.md"
    (site_dir / edited).write_text(str(files[edited]).replace("radios", "sirens"), encoding="utf-8")
    second = planned_bundles(site_dir)
    changed = {folder for folder in first if first[folder] != second[folder]}
    number = search.shard_of("20230401-10007-01", 4)
    assert changed == {"" if number == 0 else f"part-{number}"} and first.keys() == second.keys()


def test_an_edit_reindexes_only_its_shard(make_site: MakeSite, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(search, "SHARD_SIZE", 4)
    launches: list[int] = []
    launch = pagefind._Service.launch

    async def counted(self: pagefind._Service) -> pagefind._Service:
        launches.append(1)
        return await launch(self)  # type: ignore[return-value]

    monkeypatch.setattr(pagefind._Service, "launch", counted)
    files = sharded_files(15)
    site_dir = make_site(files)
    build_site(site_dir)
    bundles = shard_bundles(tree_bytes(site_dir / "output"))
    assert len(launches) == len(bundles) >= 3
    launches.clear()
    build_site(site_dir)
    assert launches == []
    edited = "content/submissions/2023/20230401-10007-01.md"
    (site_dir / edited).write_text(str(files[edited]).replace("radios", "sirens"), encoding="utf-8")
    build_site(site_dir)
    assert launches == [1]
    # The output, the other shards kept from the cache, is what a cold build makes.
    assert shard_bundles(tree_bytes(site_dir / "output")) == planned_bundles(site_dir)


def test_the_index_cache_key_names_the_binary_that_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Shards made by one Pagefind must never be merged with shards another made: another binary (here the
    # one PAGEFIND_BINARY_PATH names, as Pagefind's package prefers it) gives another key.
    before = search.pagefind_version()
    other = tmp_path / "pagefind"
    other.write_bytes(b"#!/bin/sh\n")
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(other))
    replaced = search.pagefind_version()
    assert replaced != before
    other.write_bytes(b"#!/bin/sh\nexit 0\n")  # the same path, other bytes
    assert search.pagefind_version() not in (before, replaced)
