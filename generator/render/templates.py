"""The one Jinja environment: the site's templates over the defaults, confined to their folders, strict; and rendering one template."""

from __future__ import annotations

import os
from collections.abc import Callable, MutableMapping
from pathlib import Path
from typing import Any

import jinja2

from ..content import find
from ..errors import SiteError
from ..site.model import Site
from .template_errors import Undefined, template_line, undefined_message


class TemplateLoader(jinja2.FileSystemLoader):
    """Jinja's file loader, refusing a template whose real path is outside the template folders (reached through
    a link), so include, extends and import reach only files under them; '..' in a name is not found."""

    def get_source(self, environment: jinja2.Environment, template: str) -> tuple[str, str, Callable[[], bool]]:
        source, filename, uptodate = super().get_source(environment, template)
        real = os.path.realpath(filename)
        if not any(find.inside(real, os.path.realpath(folder)) for folder in self.searchpath):
            raise SiteError.single(Path(filename), 1, "is a symbolic link to a file outside the template folders; copy the file into templates/ instead")
        return source, filename, uptodate


class SiteEnvironment(jinja2.Environment):
    """Jinja's environment, giving each template its globals as one dict instead of a ChainMap over the environment's.

    Every `{% from ... import %}` compares the page's global names with the imported template's: over a ChainMap
    that is a Python-level lookup per name, 4 µs an import and 4 to 7 imports a page (issue 13). Jinja asks that
    globals not change once a template is loaded; ours never change after `environment()`, so a copy sees the same."""

    def make_globals(self, d: MutableMapping[str, Any] | None) -> MutableMapping[str, Any]:
        return {**self.globals, **(d or {})}


def environment(site: Site) -> jinja2.Environment:
    """The one Jinja environment: the site's templates override the defaults; undefined names are errors."""
    return SiteEnvironment(
        loader=TemplateLoader([str(d) for d in site.template_dirs]),
        autoescape=jinja2.select_autoescape(["html", "xml"], default_for_string=True),
        undefined=Undefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,  # one environment per build: checking each template's time at every page is wasted
    )


def render_template(env: jinja2.Environment, name: str, **context: Any) -> bytes:
    """A template rendered with this context, as UTF-8; its errors become SiteErrors naming the template."""
    try:
        return env.get_template(name).render(**context).encode("utf-8")
    except jinja2.TemplateSyntaxError as error:
        raise SiteError.single(Path(error.filename or name), error.lineno, f"template syntax error: {error.message}") from None
    except jinja2.UndefinedError as error:
        path, line = template_line(error) or (_template_path(env, name), 1)
        names = [*(n for n in env.globals if n not in jinja2.defaults.DEFAULT_NAMESPACE), *context]
        raise SiteError.single(path, line, f"template uses an undefined value: {undefined_message(error, names)}") from None
    except jinja2.TemplateNotFound as error:
        folders = ", ".join(map(str, site_template_dirs(env)))
        path, line = template_line(error) or (Path(name), 1)  # the include, extends or import that names it
        raise SiteError.single(path, line, f"template {error.name!r} not found in {folders}") from None
    except (jinja2.TemplateError, ArithmeticError, LookupError, TypeError, ValueError) as error:
        # What a template's own expression raised ({{ 1 // 0 }}, {{ title + 1 }}): reported at its line, not a traceback.
        located = template_line(error)
        if located is None:
            raise
        raise SiteError.single(*located, f"template error: {error}") from None


def _template_path(env: jinja2.Environment, name: str) -> Path:
    source = env.loader.get_source(env, name)[1] if env.loader else None
    return Path(source or name)


def site_template_dirs(env: jinja2.Environment) -> list[str]:
    """The folders templates are looked up in, the site's own first."""
    return list(env.loader.searchpath) if isinstance(env.loader, jinja2.FileSystemLoader) else []

