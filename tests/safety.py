"""Find active content in built pages and feeds: what no submission may ever put there."""

from __future__ import annotations

import re
from pathlib import Path

import lxml.html
from lxml import etree

ACTIVE_ELEMENTS = {"iframe", "object", "embed", "form", "style", "base", "applet", "frame", "frameset", "svg", "math", "link"}
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data", "poster", "background", "srcset", "cite"}
BAD_SCHEME = re.compile(r"^\s*(javascript|vbscript|data|livescript)\s*:", re.IGNORECASE)


def active_content(html: str, *, local_prefix: str = "/") -> list[str]:
    """Every script, handler, frame, style or unsafe URL in an HTML document or fragment that templates did not put there."""
    if not html.strip():
        return []
    root = lxml.html.fromstring(html)
    found = []
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        found += _element_problems(element, local_prefix)
    return found


def _element_problems(element: lxml.html.HtmlElement, local_prefix: str) -> list[str]:
    tag = element.tag.lower()
    problems = []
    if tag == "script" and (element.text or "").strip() and "alert" in (element.text or ""):
        problems.append(f"inline script: {element.text[:60]!r}")
    if tag == "script" and element.get("src") and not element.get("src", "").startswith(local_prefix):
        problems.append(f"foreign script {element.get('src')}")
    if tag in ACTIVE_ELEMENTS and not _template_link(element, local_prefix):
        problems.append(f"<{tag}> element")
    if tag == "meta" and element.get("http-equiv", "").lower() == "refresh" and not _local_refresh(element, local_prefix):
        problems.append(f"meta refresh to {element.get('content')}")
    for name, value in element.attrib.items():
        lowered = name.lower()
        if lowered.startswith("on") or lowered == "style" or lowered == "formaction":
            problems.append(f"<{tag} {name}={value[:40]!r}>")
        if lowered in URL_ATTRIBUTES and BAD_SCHEME.match(value):
            problems.append(f"<{tag} {name}={value[:40]!r}>")
    return problems


def _template_link(element: lxml.html.HtmlElement, local_prefix: str) -> bool:
    """The templates' own <link> elements (stylesheets, feeds, canonical), icons and search forms (GET to the site)."""
    if element.tag == "form":
        return (element.get("role") == "search" and element.get("method", "").lower() == "get"
                and element.get("action", "").startswith(local_prefix))
    if element.tag == "link":
        href = element.get("href", "")
        return href.startswith((local_prefix, "https://", "http://")) and not BAD_SCHEME.match(href)
    return element.tag == "svg" and element.get("aria-hidden") == "true" and not element.xpath(".//*[local-name()='script' or local-name()='foreignObject']")


def _local_refresh(element: lxml.html.HtmlElement, local_prefix: str) -> bool:
    content = element.get("content", "")
    return bool(re.fullmatch(rf"0; url={re.escape(local_prefix)}[\w/.-]*", content))


def feed_html(data: bytes) -> list[str]:
    """The HTML held in a feed's item descriptions and entry contents."""
    root = etree.fromstring(data)
    texts = root.xpath("//item/description/text() | //*[local-name()='content']/text() | //*[local-name()='summary']/text()")
    return [str(t) for t in texts]


def site_active_content(output: Path, local_prefix: str) -> dict[str, list[str]]:
    """Active content found anywhere in a built site, by file."""
    findings = {}
    for path in sorted(output.rglob("*")):
        if path.suffix == ".html":
            problems = active_content(path.read_text(), local_prefix=local_prefix)
        elif path.suffix == ".xml" and path.name != "sitemap.xml":
            problems = [p for html in feed_html(path.read_bytes()) for p in active_content(html, local_prefix=local_prefix)]
        else:
            continue
        if problems:
            findings[path.relative_to(output).as_posix()] = problems
    return findings
