"""Server rules (nginx, Apache, Caddy, Netlify) that send every old address to its new URL with a 301."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Literal
from urllib.parse import quote, unquote

from .old import OldAddress

Format = Literal["nginx", "apache", "caddy", "netlify"]
ANY_PAGE = -1  # a rule for any numbered page not matched before it


@dataclass(frozen=True, slots=True)
class Rule:
    """One redirect: the old path, Drupal's `?q=` (None for the path itself), a page condition and the target.

    page is None for the rule that applies whatever the query, a number for `?page=N`, or ANY_PAGE.
    """

    path: str
    q: str | None
    page: int | None
    target: str


def rules(addresses: tuple[OldAddress, ...]) -> Iterator[Rule]:
    """Every rule: first the `?q=` forms (they are requests for `/`, which may itself be an old address),
    then the paths; within each address, pages first, then any page, then the address itself."""
    for address in addresses:
        if address.path != "/":
            yield from _address_rules(address, "/", address.query_path)
    for address in addresses:
        if address.path != address.target:  # never a redirect onto itself
            yield from _address_rules(address, address.path, None)


def _address_rules(address: OldAddress, path: str, q: str | None) -> Iterator[Rule]:
    if address.pages and address.pages[-1] != address.target:
        for number, target in enumerate(address.pages[:-1]):
            yield Rule(path, q, number, _encoded(target))
        yield Rule(path, q, ANY_PAGE, _encoded(address.pages[-1]))
    yield Rule(path, q, None, _encoded(address.target))


def _encoded(url: str) -> str:
    """A target URL with everything but URL-safe ASCII percent-encoded (no '$', '%' or space for a config parser)."""
    return quote(url, safe="/:@!&'()*+,;=-._~")


def render_rules(addresses: tuple[OldAddress, ...], fmt: Format, title: str) -> str:
    """The rules file for one server format."""
    return RENDERERS[fmt](list(rules(addresses)), title)


# ---- nginx ---------------------------------------------------------------------------------------


def _nginx(all_rules: list[Rule], title: str) -> str:
    lines = [f"# Old addresses of {_comment(title)}: 301 redirects made by `topicsite redirects --format nginx`.",
             "# Include this file inside the site's server { } block; nothing else needs editing.", ""]
    q_rules = [r for r in all_rules if r.q is not None]
    if q_rules:
        lines += ["# Drupal's ?q=PATH addresses (clean URLs off)", 'set $topicsite_q "$uri?q=$arg_q&page=$arg_page";']
        lines += [_nginx_q(rule) for rule in q_rules] + [""]
    by_path: dict[str, list[Rule]] = {}
    for rule in all_rules:
        if rule.q is None:
            by_path.setdefault(rule.path, []).append(rule)
    for path, path_rules in by_path.items():
        lines.append(f"location = {_nginx_string(path)} {{")
        lines += [f"    {_nginx_return(rule)}" for rule in path_rules]
        lines.append("}")
    return "\n".join(lines) + "\n"


def _nginx_return(rule: Rule) -> str:
    target = f"return 301 {_nginx_string(rule.target)};"
    if rule.page is None:
        return target
    if rule.page == ANY_PAGE:
        return f'if ($arg_page ~ "^[0-9]+$") {{ {target} }}'
    return f'if ($arg_page = "{rule.page}") {{ {target} }}'


def _nginx_q(rule: Rule) -> str:
    assert rule.q is not None
    prefix = f"^/[?]q={_pcre(rule.q)}&page="
    pattern = {None: prefix, ANY_PAGE: prefix + "[0-9]+$"}.get(rule.page, f"{prefix}{rule.page}$")
    return f"if ($topicsite_q ~ {_nginx_string(pattern)}) {{ return 301 {_nginx_string(rule.target)}; }}"


def _nginx_string(text: str) -> str:
    """A double-quoted nginx string; nginx keeps any other backslash as it is."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


# ---- Apache --------------------------------------------------------------------------------------


def _apache(all_rules: list[Rule], title: str) -> str:
    lines = [f"# Old addresses of {_comment(title)}: 301 redirects made by `topicsite redirects --format apache`.",
             "# Put these lines in the .htaccess at the web root, where the old addresses start (mod_rewrite).",
             "RewriteEngine On", ""]
    for rule in all_rules:
        if rule.q is not None:
            lines.append(f"RewriteCond %{{QUERY_STRING}} {_apache_query('q', _pcre(rule.q))}")
        if rule.page is not None:
            lines.append(f"RewriteCond %{{QUERY_STRING}} {_apache_query('page', '[0-9]+' if rule.page == ANY_PAGE else str(rule.page))}")
        target = rule.target.replace("\\", "\\\\").replace("$", "\\$").replace("%", "\\%")
        lines.append(f"RewriteRule ^{_pcre(rule.path.lstrip('/'))}$ {target} [R=301,L,QSD,NE]")
    return "\n".join(lines) + "\n"


def _apache_query(key: str, value: str) -> str:
    return f"(?:^|&){key}={value}(?:&|$)"


def _pcre(text: str) -> str:
    """A regular expression (PCRE and Go's RE2) matching text literally, with no space, quote, brace or backslash,
    which nginx, Apache and Caddy would each read in their own way before the regex engine sees it."""
    return "".join(_REGEX_CHARS.get(char, char) for char in text)


_REGEX_CHARS = {**{c: f"[{c}]" for c in ".*+?()|$"}, **{c: f"\\x{ord(c):02x}" for c in "[]^\\{} \"'\t"}}


# ---- Caddy ---------------------------------------------------------------------------------------


def _caddy(all_rules: list[Rule], title: str) -> str:
    lines = [f"# Old addresses of {_comment(title)}: 301 redirects made by `topicsite redirects --format caddy`.",
             "# Import this file inside the site block: import topicsite-redirects.caddy", ""]
    redirs = []
    for number, rule in enumerate(all_rules, 1):
        name = f"@topicsite_old_{number}"
        lines.append(f"{name} {{")
        lines.append(f"    path_regexp {_caddy_token('^' + _pcre(rule.path) + '$')}")
        query = ([_caddy_token("q=" + unquote(rule.q))] if rule.q is not None else []) + (
            [f"page={rule.page}"] if rule.page is not None and rule.page != ANY_PAGE else [])
        if query:
            lines.append(f"    query {' '.join(query)}")
        if rule.page == ANY_PAGE:
            lines.append("    vars_regexp {query.page} ^[0-9]+$")
        lines.append("}")
        redirs.append(f"    redir {name} {_caddy_token(rule.target)} 301")
    return "\n".join([*lines, "route {", *redirs, "}"]) + "\n"


def _caddy_token(text: str) -> str:
    if re.fullmatch(r"[^\s\"{}]+", text):
        return text
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("{", "\\{").replace("}", "\\}") + '"'


# ---- Netlify / Cloudflare Pages --------------------------------------------------------------------


def _netlify(all_rules: list[Rule], title: str) -> str:
    lines = [f"# Old addresses of {_comment(title)}: 301 redirects made by `topicsite redirects --format netlify`.",
             "# Save as _redirects at the top of the published folder; the first matching line wins."]
    for rule in all_rules:
        fields = [quote(rule.path, safe="/:@!&'()*+,;=-._~$")]
        if rule.q is not None:
            fields.append(f"q={rule.q}")
        if rule.page is not None:
            fields.append("page=:page" if rule.page == ANY_PAGE else f"page={rule.page}")
        lines.append("  ".join([*fields, rule.target, "301!"]))
    return "\n".join(lines) + "\n"


def _comment(text: str) -> str:
    return " ".join(text.split())


RENDERERS: dict[Format, Callable[[list[Rule], str], str]] = {"nginx": _nginx, "apache": _apache, "caddy": _caddy, "netlify": _netlify}
