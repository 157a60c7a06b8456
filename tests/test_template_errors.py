"""Template errors point at the template line that fails, name what was asked for and the closest real name,
and show no Python class names; in `build` and `check` alike."""

from __future__ import annotations

import pytest

from conftest import MakeSite, errors_of, run_topicsite, submission

PAGE = "templates/submission.html"


def page(*lines: str) -> str:
    """A submission template extending the default base, with `lines` from its line 3 on."""
    return "\n".join(['{% extends "base.html" %}', "{% block main %}", *lines, "{% endblock %}"]) + "\n"


UNDEFINED = "template uses an undefined value: "
# name -> (files, the exact error lines a build prints)
ERRORS: dict[str, tuple[dict[str, str | bytes | None], list[str]]] = {
    "misspelled attribute": ({PAGE: page("<h1>{{ view.submission.title }}</h1>", "<p>{{ view.submission.titel }}</p>")},
        [f"{PAGE}:4: {UNDEFINED}the submission has no attribute 'titel'; did you mean 'title'?"]),
    "misspelled variable": ({PAGE: page("", "", "{{ viwe.submission.title }}")},
        [f"{PAGE}:5: {UNDEFINED}'viwe' is not defined here; did you mean 'view'?"]),
    "unknown variable": ({"templates/404.html": "<p>\n{{ zzz }}\n</p>\n"},
        [f"templates/404.html:2: {UNDEFINED}'zzz' is not defined here; this template sees: view"]),
    "misspelled layout field": ({PAGE: page("{{ view.layout.site_titel }}")},
        [f"{PAGE}:3: {UNDEFINED}the layout has no attribute 'site_titel'; did you mean 'site_title'?"]),
    "misspelled extra key": ({PAGE: page("{{ view.submission.extra.agnecy }}"),
                              "content/submissions/2023/20230331-82332-92.md": submission().replace("topics:", "extra: {agency: SPD}\ntopics:")},
        [f"{PAGE}:3: {UNDEFINED}the mapping has no item 'agnecy'; did you mean 'agency'?"]),
    "list index out of range": ({PAGE: page("{{ view.submission.topics[5] }}")},
        [f"{PAGE}:3: {UNDEFINED}the list has no item 5"]),
    "attribute of text": ({PAGE: page("{{ view.submission.title.size }}")},
        [f"{PAGE}:3: {UNDEFINED}the text has no attribute 'size'"]),
    "in an overridden partial's macro": ({"templates/partials/macros.html": '{% macro submitted(submission, extra_class="") %}\n'
                                          "<p>{{ submission.display_nam }}</p>{% endmacro %}\n"},
        [f"templates/partials/macros.html:2: {UNDEFINED}the submission has no attribute 'display_nam'; did you mean 'display_name'?"]),
    "division by zero": ({PAGE: page("", "<p>{{ 1 // 0 }}</p>")},
        [f"{PAGE}:4: template error: integer division or modulo by zero"]),
    "syntax error keeps its line": ({PAGE: page("{% if submission %}", "<p>x</p>")},
        [f"{PAGE}:5: template syntax error: Encountered unknown tag 'endblock'. You probably made a nesting mistake. Jinja is expecting "
         "this tag, but currently looking for 'elif' or 'else' or 'endif'. The innermost block that needs to be closed is 'if'."]),
    "syntax error in an included partial": ({"templates/partials/banner.html": "<div>\n\n{{ site.config.title }\n</div>\n"},
        ["templates/partials/banner.html:3: template syntax error: unexpected '}'"]),
}


@pytest.mark.parametrize("files, expected", ERRORS.values(), ids=ERRORS.keys())
def test_template_error_is_exact(make_site: MakeSite, files: dict[str, str | bytes | None], expected: list[str]) -> None:
    site = make_site(files)
    errors = errors_of(site)
    assert errors == expected
    assert not any(word in line for line in errors for word in ("generator.", " object'", "Submission", "StrictUndefined"))


def test_check_reports_the_template_line_too(make_site: MakeSite) -> None:
    site = make_site({PAGE: page("<h1>{{ view.submission.title }}</h1>", "<p>{{ view.submission.titel }}</p>")})
    result = run_topicsite("check", ".", cwd=site)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert f"{PAGE}:4: {UNDEFINED}the submission has no attribute 'titel'; did you mean 'title'?" in result.stdout


def test_templates_and_their_imported_macros_see_jinjas_globals(make_site: MakeSite) -> None:
    """Each template's globals are a copy of the environment's (generator/render/templates.py): pages and the
    macros they import still see range, namespace and cycler, and a name no one defined is still an error."""
    macros = '{% macro rows(n) %}{% set row = cycler("odd", "even") %}{% for i in range(n) %}{{ row.next() }} {% endfor %}{% endmacro %}\n'
    site = make_site({"templates/partials/rows.html": macros, PAGE: page(
        '{% from "partials/rows.html" import rows %}', "{% set count = namespace(n=0) %}",
        "{% for i in range(3) %}{% set count.n = count.n + i %}{% endfor %}", "<p>sum {{ count.n }}: {{ rows(3) }}</p>")})
    result = run_topicsite("build", ".", cwd=site)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "<p>sum 3: odd even odd </p>" in (site / "output/submissions/20230331-82332-92/index.html").read_text()
    assert errors_of(make_site({"templates/partials/rows.html": macros.replace("range(n)", "ranges(n)")})) == [
        f"templates/partials/rows.html:1: {UNDEFINED}'ranges' is not defined here; this template sees: view"]


def test_a_missing_template_is_reported_where_it_is_named(make_site: MakeSite) -> None:
    (error,) = errors_of(make_site({PAGE: page("", "{% include 'partials/nope.html' %}")}))
    assert error.startswith(f"{PAGE}:4: template 'partials/nope.html' not found in "), error
