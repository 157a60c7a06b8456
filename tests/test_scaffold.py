"""`topicsite new` and `new-topic` on small real sites: ids, collisions, quoting, refusal to overwrite."""

from __future__ import annotations

import shlex
import shutil
from collections.abc import Callable, Iterator
from datetime import datetime, timezone
from pathlib import Path

import pytest

from conftest import REPO, MakeSite, run_topicsite
from generator.errors import SiteError
from generator.commands.new import PLACEHOLDER, new_submission, new_topic, slugify, submission_id
from generator.site.load import LoadOptions, load

# 2023-03-31 12:23:32 UTC is 08:23:32 in New York (the test site's timezone).
MORNING = datetime(2023, 3, 31, 12, 23, 32, 123456, tzinfo=timezone.utc)


def clock(moment: datetime = MORNING) -> Callable[[], datetime]:
    return lambda: moment


def digits(*values: int) -> Callable[[], int]:
    """A random source that returns these numbers in turn."""
    numbers: Iterator[int] = iter(values)
    return lambda: next(numbers)


@pytest.mark.parametrize(("moment", "suffix", "expected"), [
    (datetime(2023, 3, 31, 8, 23, 32), 92, "20230331-82332-92"),
    (datetime(2023, 9, 7, 12, 53, 28), 94, "20230907-125328-94"),
    (datetime(2024, 1, 2, 0, 5, 9), 3, "20240102-00509-03"),
    (datetime(2024, 1, 2, 23, 59, 59), 0, "20240102-235959-00"),
])
def test_submission_id_has_the_portals_shape(moment: datetime, suffix: int, expected: str) -> None:
    assert submission_id(moment, suffix) == expected


def test_new_submission_is_dated_now_in_the_sites_timezone(make_site: MakeSite) -> None:
    site = make_site({"content/topics/officer-safety.md": "---\ntitle: Officer safety\n---\n"})
    path = new_submission(site, "Ms. Erin McLaughlin", ["community-policing", "officer-safety"], clock=clock(), two_digits=digits(7))
    assert path == site / "content/submissions/2023/20230331-82332-07.md"
    assert path.read_text() == (
        '---\nsubmitted_by: "Ms. Erin McLaughlin"\ndate: 2023-03-31 08:23:32\n'
        f"topics: [community-policing, officer-safety]\n---\n{PLACEHOLDER}\n"
    )
    loaded = next(s for s in load(site, LoadOptions()).submissions if s.id == "20230331-82332-07")
    assert loaded.date == MORNING.replace(microsecond=0)
    assert [t.title for t in loaded.topics] == ["Community policing", "Officer safety"]


def test_new_submission_year_folder_follows_the_local_date(make_site: MakeSite) -> None:
    new_year_utc = datetime(2024, 1, 1, 3, 0, 0, tzinfo=timezone.utc)  # still 2023 in New York
    path = new_submission(make_site(), "A", ["community-policing"], clock=clock(new_year_utc), two_digits=digits(1))
    assert path.relative_to(path.parents[1]).as_posix() == "2023/20231231-220000-01.md"


@pytest.mark.parametrize("title", ['Say "yes": no', "yes", "012345", "#hash and 'quote'", "Ñandú — política", "[not a list]"])
def test_titles_are_quoted_so_yaml_reads_them_back(make_site: MakeSite, title: str) -> None:
    site = make_site()
    new_submission(site, "O'Brien: \"Pat\"", ["community-policing"], title, clock=clock(), two_digits=digits(5))
    loaded = next(s for s in load(site, LoadOptions()).submissions if s.id == "20230331-82332-05")
    assert (loaded.title, loaded.submitted_by) == (title, "O'Brien: \"Pat\"")


def test_id_collision_with_a_file_anywhere_retries(make_site: MakeSite) -> None:
    site = make_site({"content/submissions/old/20230331-82332-07.md": "taken"})
    path = new_submission(site, "A", ["community-policing"], clock=clock(), two_digits=digits(7, 7, 8))
    assert path.name == "20230331-82332-08.md"
    assert (site / "content/submissions/old/20230331-82332-07.md").read_text() == "taken"


def test_id_collision_with_an_id_field_retries(make_site: MakeSite) -> None:
    site = make_site({"content/submissions/other.md": "---\nid: 20230331-82332-07\n---\n"})
    path = new_submission(site, "A", ["community-policing"], clock=clock(), two_digits=digits(7, 9))
    assert path.name == "20230331-82332-09.md"


def test_gives_up_without_overwriting_when_every_id_is_taken(make_site: MakeSite) -> None:
    site = make_site({f"content/submissions/2023/20230331-82332-{n:02d}.md": "taken" for n in range(100)})
    with pytest.raises(SiteError, match="found no free id for 2023-03-31 08:23:32 in 100 tries"):
        new_submission(site, "A", ["community-policing"], clock=clock(), two_digits=lambda: 42)
    assert all(p.read_text() == "taken" for p in (site / "content/submissions/2023").iterdir())


def test_unknown_topics_offer_their_close_matches_and_new_topic(make_site: MakeSite) -> None:
    site = make_site({"content/topics/community-police-relations.md": "---\ntitle: Relations\n---\n"})
    with pytest.raises(SiteError) as raised:
        new_submission(site, "A", ["community-policin", "community-policing"], clock=clock(), two_digits=digits(1))
    [problem] = raised.value.problems
    assert problem.path == site / "content/topics"
    assert problem.message == ("unknown topic 'community-policin'; did you mean 'community-policing' or 'community-police-relations'? "
                               'To add a topic, run: topicsite new-topic "TITLE"')
    assert not (site / "content/submissions/2023/20230331-82332-01.md").exists()


def test_a_topic_the_build_would_not_read_is_unknown(make_site: MakeSite, tmp_path: Path) -> None:
    site = make_site()
    (tmp_path / "elsewhere.md").write_text("---\ntitle: Elsewhere\n---\n")
    (site / "content/topics/elsewhere.md").symlink_to(tmp_path / "elsewhere.md")  # outside the site folder: load refuses it
    (site / "content/topics/folder.md").mkdir()  # a folder, not a topic file
    with pytest.raises(SiteError) as raised:
        new_submission(site, "A", ["elsewhere", "folder"], clock=clock(), two_digits=digits(1))
    assert [p.message.split(";")[0] for p in raised.value.problems] == ["unknown topic 'elsewhere'", "unknown topic 'folder'"]


def test_new_command_prints_the_path(make_site: MakeSite) -> None:
    site = make_site()
    result = run_topicsite("new", "--by", "Ms. Erin McLaughlin", "--topic", "community-policing", "--title", "A title", cwd=site)
    assert result.returncode == 0, result.stderr
    path = site / result.stdout.strip()
    assert path.parent.parent == site / "content/submissions" and 'title: "A title"' in path.read_text()
    assert run_topicsite("build", site).returncode == 0


@pytest.mark.parametrize(("args", "code", "message"), [
    (["--topic", "community-policing"], 2, "Missing option '--by'"),
    (["--by", "A"], 2, "Missing option '--topic'"),
    (["--by", "A\x07", "--topic", "community-policing"], 2, "submitted_by contains the control character U+0007 ALERT"),
    (["--by", "  ", "--topic", "community-policing"], 2, "submitted_by must not be empty"),
    (["--by", "A", "--topic", "nope"], 2,
     "Invalid value for '--topic': unknown topic 'nope'; the site's topics are: community-policing. To add a topic, run: topicsite new-topic \"TITLE\""),
])
def test_new_command_errors(make_site: MakeSite, args: list[str], code: int, message: str) -> None:
    result = run_topicsite("new", *args, "--site", make_site())
    assert result.returncode == code
    assert message in result.stderr.replace("site/content", "content"), result.stderr


@pytest.mark.parametrize(("title", "slug"), [
    ("Community / police relations and public trust", "community-police-relations-and-public-trust"),
    ("  Officer Safety & Wellness  ", "officer-safety-wellness"),
    ("Política pública: Ñandú", "politica-publica-nandu"),
    ("Über-Straße 2024", "uber-strasse-2024"),
    ("Łódź Œuvre", "lodz-oeuvre"),
])
def test_slugify(title: str, slug: str) -> None:
    assert slugify(title) == slug


def test_new_topic_writes_title_and_aliases(make_site: MakeSite) -> None:
    site = make_site()
    path = new_topic(site, "Community / police relations and public trust", ["/taxonomy/term/3485"])
    assert path == site / "content/topics/community-police-relations-and-public-trust.md"
    assert path.read_text() == '---\ntitle: "Community / police relations and public trust"\naliases: ["/taxonomy/term/3485"]\n---\n'
    topic = next(t for t in load(site, LoadOptions()).topics if t.slug == "community-police-relations-and-public-trust")
    assert topic.title == "Community / police relations and public trust"


def test_new_topic_refuses_an_existing_file(make_site: MakeSite) -> None:
    site = make_site()
    before = (site / "content/topics/community-policing.md").read_text()
    result = run_topicsite("new-topic", "Community Policing", "-s", site)
    assert result.returncode == 1
    assert "community-policing.md:1: topic 'community-policing' exists already" in result.stderr
    assert (site / "content/topics/community-policing.md").read_text() == before


def test_new_topic_command(make_site: MakeSite) -> None:
    site = make_site()
    result = run_topicsite("new-topic", "Officer safety", "--alias", "/taxonomy/term/7", cwd=site)
    assert (result.returncode, result.stdout) == (0, "content/topics/officer-safety.md\n")
    assert run_topicsite("build", site).returncode == 0


@pytest.mark.parametrize(("args", "message"), [
    (["Officer safety", "--alias", "taxonomy/term/7"], "alias 'taxonomy/term/7' must be a site path starting with '/'"),
    (["Officer safety", "--alias", "/a/../b"], "without '..'"),
    (["???"], "Invalid value for 'TITLE': '???' has no letters or digits to make a file name from"),
    (["!!!"], "Invalid value for 'TITLE': '!!!' has no letters or digits to make a file name from"),
])
def test_new_topic_command_errors(make_site: MakeSite, args: list[str], message: str) -> None:
    site = make_site()
    result = run_topicsite("new-topic", *args, "-s", site)
    assert result.returncode == 2 and message in result.stderr and ".md:" not in result.stderr, result.stderr  # usage errors
    assert sorted(p.name for p in (site / "content/topics").iterdir()) == ["community-policing.md"]


def test_new_refuses_outside_a_site(tmp_path: Path) -> None:
    result = run_topicsite("new-topic", "Officer safety", cwd=tmp_path)
    assert result.returncode == 1 and "site.toml" in result.stderr
    assert not (tmp_path / "content").exists()


def test_the_readmes_examples_work_on_the_sample_site(tmp_path: Path) -> None:
    """The README's `new` and `new-topic` lines, run as written on a copy of the sample site."""
    readme = (REPO / "README.md").read_text()
    site = tmp_path / "sample"
    shutil.copytree(REPO / "content", site / "content")
    shutil.copy(REPO / "site.toml", site / "site.toml")
    for command in ("topicsite new ", "topicsite new-topic "):
        line = next(line for line in readme.splitlines() if line.startswith(command))
        result = run_topicsite(*shlex.split(line)[1:], cwd=site)
        assert result.returncode == 0, (line, result.stderr)
    assert run_topicsite("build", site, "-q", "--no-search").returncode == 0


def test_an_unfinished_placeholder_is_a_warning_and_an_error_with_strict(make_site: MakeSite) -> None:
    from generator.commands.check import CheckOptions, check_site
    site = make_site()
    path = new_submission(site, "A", ["community-policing"], clock=clock(), two_digits=digits(1))
    message = f"{path.relative_to(site).as_posix()}:6: warning: the request text still holds the placeholder that topicsite new writes; replace that line with the request"
    result = run_topicsite("build", site, "--no-search")
    assert result.returncode == 0 and message in result.stderr.replace(f"{site.name}/", ""), result.stderr
    strict = check_site(site, CheckOptions(strict=True, now=datetime(2024, 1, 1, tzinfo=timezone.utc)))
    assert [(p.path, p.line, p.severity) for p in strict] == [(path, 6, "error")]
