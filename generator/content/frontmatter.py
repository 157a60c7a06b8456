"""Split a Markdown file into YAML front matter and body, keeping line numbers for every key."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import frontmatter.default_handlers
import yaml

from ..errors import SiteError
from .text import line_problems

MAX_DEPTH = 20
# Real submissions are a few kilobytes; the limit keeps one hostile file from stalling a build.
MAX_FILE_BYTES = 500_000
HANDLER = frontmatter.default_handlers.YAMLHandler()


@dataclass(frozen=True, slots=True)
class Document:
    """A source file's front matter and body, with the line of each top-level key."""

    path: Path
    meta: dict[str, Any]
    key_lines: dict[str, int]
    raw_scalars: dict[str, str]
    body: str
    body_line: int

    def line_of(self, key: str) -> int:
        return self.key_lines.get(key, 1)


class StrictMappings(yaml.constructor.SafeConstructor):
    """Refuses duplicate keys and keys that are not plain values."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: dict[Any, int] = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            if not isinstance(key, (str, int, float, bool)) and key is not None:
                raise yaml.MarkedYAMLError(None, None, "a key must be plain text", key_node.start_mark)
            if key in seen:
                raise yaml.MarkedYAMLError(None, None, f"duplicate key {key!r} (first set on line {{line:{seen[key]}}}); keep only one", key_node.start_mark)
            seen[key] = key_node.start_mark.line
        return super().construct_mapping(node, deep=deep)


class FrontMatterLoader(StrictMappings, yaml.SafeLoader):
    """The pure-Python loader: refuses aliases, deep nesting and duplicate keys; leaves timestamps as text."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()  # type: ignore[no-untyped-call]
            raise yaml.MarkedYAMLError(None, None, "anchors and aliases (*name) are not allowed in front matter; write the value out", event.start_mark)
        self.depth: int = getattr(self, "depth", 0) + 1
        try:
            if self.depth > MAX_DEPTH:
                mark = self.peek_event().start_mark  # type: ignore[no-untyped-call]
                raise yaml.MarkedYAMLError(None, None, f"front matter is nested more than {MAX_DEPTH} levels deep; flatten it", mark)
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1


class FastFrontMatterLoader(StrictMappings, yaml.CSafeLoader):
    """libyaml's parser with the same constructors; aliases and depth are checked on the composed graph."""


def _timestamp_as_text(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> str:
    return str(loader.construct_scalar(node))


FrontMatterLoader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp_as_text)
FastFrontMatterLoader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp_as_text)


def decode(path: Path, raw: bytes) -> str:
    """Bytes to text with '\\n' line endings; a UTF-8 BOM is fine, anything else non-UTF-8 is an error."""
    if len(raw) > MAX_FILE_BYTES:
        raise SiteError.single(path, 1, f"is {len(raw):,} bytes; the limit is {MAX_FILE_BYTES:,}: shorten it or split it into several submissions")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise SiteError.single(path, line, f"is not UTF-8 text (byte 0x{raw[error.start]:02x} cannot be read); save the file as UTF-8") from None
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        raise SiteError.single(path, line, "contains a NUL character; remove it (the file may be binary or saved as UTF-16)")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def parse_document(path: Path, text: str) -> Document:
    """Parse front matter and body from a file's text; a character pages and feeds cannot carry is an error at its line."""
    forbidden = line_problems(path, text)
    if forbidden:
        raise SiteError(forbidden)
    if not HANDLER.detect(text):
        raise SiteError.single(path, 1, "has no front matter: the file must start with a line '---', then YAML fields, then a line '---'")
    lines = text.split("\n")
    closing = next((i for i in range(1, len(lines)) if HANDLER.FM_BOUNDARY.fullmatch(lines[i])), None)
    if closing is None:
        raise SiteError.single(path, 1, "front matter is never closed: add a line '---' after the YAML fields")
    meta, key_lines, raw_scalars = _load_yaml(path, "\n".join(lines[1:closing]))
    body = "\n".join(lines[closing + 1 :])
    return Document(path, meta, key_lines, raw_scalars, body.strip("\n"), closing + 2)


def _load_yaml(path: Path, fm_text: str) -> tuple[dict[str, Any], dict[str, int], dict[str, str]]:
    """Parse front matter with libyaml; on any problem parse again in pure Python, whose messages we report."""
    return _fast_load(fm_text) or _careful_load(path, fm_text)


def _fast_load(fm_text: str) -> tuple[dict[str, Any], dict[str, int], dict[str, str]] | None:
    """About ten times faster than the pure-Python loader; None when the text has any problem at all."""
    loader = FastFrontMatterLoader(fm_text)
    try:
        node = loader.get_single_node()
        if not isinstance(node, yaml.MappingNode) or not _plain_tree(node):
            return None
        return loader.construct_document(node), _key_lines(node), _raw_scalars(node)
    except (yaml.YAMLError, RecursionError):
        return None
    finally:
        loader.dispose()


def _plain_tree(root: yaml.Node) -> bool:
    """No node used twice (an alias) and no deeper than MAX_DEPTH; stops at the first repeat, so alias bombs are cheap."""
    seen: set[int] = set()
    stack: list[tuple[yaml.Node, int]] = [(root, 1)]
    while stack:
        node, depth = stack.pop()
        if id(node) in seen or depth > MAX_DEPTH:
            return False
        seen.add(id(node))
        children = [n for pair in node.value for n in pair] if isinstance(node, yaml.MappingNode) else node.value if isinstance(node, yaml.SequenceNode) else []
        stack.extend((child, depth + 1) for child in children)
    return True


def _key_lines(node: yaml.MappingNode) -> dict[str, int]:
    return {str(k.value): k.start_mark.line + 2 for k, _ in node.value}


def _raw_scalars(node: yaml.MappingNode) -> dict[str, str]:
    return {str(k.value): str(v.value) for k, v in node.value if isinstance(v, yaml.ScalarNode)}


def _careful_load(path: Path, fm_text: str) -> tuple[dict[str, Any], dict[str, int], dict[str, str]]:
    loader = FrontMatterLoader(fm_text)  # parse_document has refused every character YAML's reader refuses
    try:
        node = loader.get_single_node()
        if node is None:
            return {}, {}, {}
        if not isinstance(node, yaml.MappingNode):
            raise SiteError.single(path, node.start_mark.line + 2, "front matter must be YAML fields (key: value), not a single value or list")
        data = loader.construct_document(node)
    except yaml.MarkedYAMLError as error:
        raise SiteError.single(path, _yaml_line(error), _yaml_message(error)) from None
    except yaml.YAMLError as error:
        raise SiteError.single(path, 2, f"YAML error: {error}") from None
    except RecursionError:
        raise SiteError.single(path, 2, "front matter is nested too deeply") from None
    finally:
        loader.dispose()
    return data, _key_lines(node), _raw_scalars(node)


FLOW_CONTEXTS = {"while parsing a flow sequence": ("list", "[", "]"), "while parsing a flow mapping": ("mapping", "{", "}")}


def _yaml_line(error: yaml.MarkedYAMLError) -> int:
    opened = error.context_mark if error.context in FLOW_CONTEXTS else None  # an unclosed list: where it opened
    mark = opened or error.problem_mark or error.context_mark
    return mark.line + 2 if mark else 2


def _yaml_message(error: yaml.MarkedYAMLError) -> str:
    problem = error.problem or "invalid YAML"
    if "{line:" in problem:  # a duplicate key: the first line was recorded 0-based within the front matter
        head, first = problem.split("{line:")
        first_line, rest = first.split("}", 1)
        problem = f"{head}{int(first_line) + 2}{rest}"
    if error.problem is None and error.context:
        problem = error.context
    if "could not determine a constructor" in problem:
        return f"YAML tag not allowed: {problem.split('for the tag')[-1].strip()} — front matter holds plain text, numbers, dates, lists and mappings only"
    if problem.startswith(("anchors", "duplicate", "front matter", "a key")):
        return problem
    if "'\\t'" in problem or "'\t'" in problem:
        return "YAML syntax error: a tab in the indentation; YAML indents with spaces, not tabs: replace the tab with spaces"
    unclosed = _unclosed(error)
    if unclosed:
        return unclosed
    context = f" {error.context}" if error.context and error.problem else ""
    return f"YAML syntax error: {problem}{context}; check indentation, and put text containing ': ' or '#' in quotes"


def _unclosed(error: yaml.MarkedYAMLError) -> str | None:
    """What is unclosed, and where it opened, for a flow list or mapping the YAML parser found no end of."""
    if error.context not in FLOW_CONTEXTS or error.context_mark is None:
        return None
    kind, opener, closer = FLOW_CONTEXTS[error.context]
    return (f"YAML syntax error: the {kind} opened with '{opener}' on line {error.context_mark.line + 2} is never closed: "
            f"end it with '{closer}' on the same line, and separate its items with ', '")


def type_name(value: Any) -> str:
    """How an editor would name a YAML value's type."""
    names = {bool: "true/false", int: "the number", float: "the number", list: "a list", dict: "a mapping", type(None): "empty (null)"}
    return names.get(type(value), type(value).__name__)
