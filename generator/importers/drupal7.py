"""Read a Drupal 7 database (strictly read-only) and turn its terms and nodes into topics and submissions."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import phpserialize
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError

from ..errors import SiteError

REQUIRED_TABLES = ("node", "users", "url_alias", "variable", "taxonomy_vocabulary", "taxonomy_term_data", "taxonomy_index",
                   "field_config", "field_config_instance", "field_data_body", "filter")
FIELD_NAME = re.compile(r"^[a-z0-9_]{1,32}$")
Filters = tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class Term:
    """A taxonomy term of the imported vocabulary."""

    tid: int
    name: str
    description: str
    format: str
    aliases: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Node:
    """A node of the imported content type, with its current body, terms and aliases."""

    nid: int
    title: str
    author: str
    published: bool
    sticky: bool
    created: int
    changed: int
    body: str
    format: str
    tids: tuple[int, ...]
    aliases: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Drupal:
    """Everything the import needs from one Drupal 7 database."""

    terms: tuple[Term, ...]
    nodes: tuple[Node, ...]
    formats: Mapping[str, Filters]
    fallback_format: str
    timezone: str | None
    term_orders: tuple[tuple[int, ...], ...]


def source_name(url: str) -> str:
    """The database URL as it may be shown: without its password."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return url


def fail(url: str, message: str) -> SiteError:
    """A problem with the database itself, reported at its URL."""
    return SiteError.single(Path(source_name(url)), 1, message)


def open_read_only(url: str) -> Engine:
    """An engine that cannot write: SQLite opened with mode=ro, MySQL/MariaDB sessions in READ ONLY transactions."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise fail(url, "is not a database URL: use sqlite:///path/to/drupal.sqlite or mysql+pymysql://user:password@host/database") from None
    backend = parsed.get_backend_name()
    try:
        if backend == "sqlite":
            database = parsed.database or ""
            if not database or database == ":memory:" or not Path(database).is_file():
                raise fail(url, f"no SQLite database file at {database or '(none)'}: give its path, as in sqlite:///path/to/drupal.sqlite")
            ro = parsed.set(database=f"file:{Path(database).resolve()}?mode=ro", query={"uri": "true"})
            return create_engine(ro)
        if backend in ("mysql", "mariadb"):
            query = {"charset": "utf8mb4", **parsed.query}
            return create_engine(parsed.set(query=query), connect_args={"init_command": "SET SESSION TRANSACTION READ ONLY"})
    except (NoSuchModuleError, ImportError) as error:  # ImportError: a dialect whose driver is not installed
        raise fail(url, f"cannot use this kind of database here ({error}); use sqlite:/// or mysql+pymysql://") from None
    raise fail(url, f"{backend} databases are not supported: use a sqlite:/// or mysql+pymysql:// URL")


def read_drupal(url: str, content_type: str | None, vocabulary: str | None) -> Drupal:
    """Read the terms of one vocabulary and the nodes of one content type, with everything they need."""
    engine = open_read_only(url)
    try:
        with engine.connect() as connection:
            _check_drupal7(url, connection)
            result = _read(url, connection, content_type, vocabulary)
            connection.rollback()
            return result
    except DBAPIError as error:
        reason = str(error.orig).strip() or type(error.orig).__name__
        raise fail(url, f"cannot read the database: {reason}") from None
    except DamagedValue as error:
        raise fail(url, str(error)) from None
    finally:
        engine.dispose()


def _check_drupal7(url: str, connection: Connection) -> None:
    tables = set(inspect(connection).get_table_names())
    missing = [t for t in REQUIRED_TABLES if t not in tables]
    if missing:
        raise fail(url, f"is not a Drupal 7 database: it has no table {', '.join(missing)} (a table prefix is not supported)")


def _rows(connection: Connection, sql: str, **params: Any) -> Sequence[Any]:
    return connection.execute(text(sql), params).all()


def _read(url: str, connection: Connection, content_type: str | None, vocabulary: str | None) -> Drupal:
    variables = _variables(connection, ("date_default_timezone", "anonymous", "filter_fallback_format"))
    node_type = _content_type(url, connection, content_type)
    vid, field = _vocabulary_field(url, connection, node_type, vocabulary)
    aliases = _aliases(connection)
    terms = tuple(Term(tid, name, description or "", fmt or "", aliases.get(f"taxonomy/term/{tid}", ()))
                  for tid, name, description, fmt in _rows(connection, "SELECT tid, name, description, format FROM taxonomy_term_data WHERE vid = :vid ORDER BY tid", vid=vid))
    nodes = _nodes(connection, node_type, field, aliases, str(variables.get("anonymous", "Anonymous")))
    orders = tuple(tuple(int(nid) for (nid,) in _rows(
        connection, "SELECT nid FROM taxonomy_index WHERE tid = :tid ORDER BY sticky DESC, created DESC", tid=term.tid)) for term in terms)
    timezone = variables.get("date_default_timezone")
    return Drupal(terms, nodes, _formats(connection), str(variables.get("filter_fallback_format", "plain_text")),
                  timezone if isinstance(timezone, str) else None, orders)


class DamagedValue(Exception):
    """A PHP-serialized value in the database that cannot be read."""


def _unserialize(raw: bytes, what: str) -> Any:
    """A PHP-serialized value (with phpserialize), or DamagedValue naming where it was."""
    try:
        return phpserialize.loads(raw, decode_strings=True)
    except (ValueError, TypeError, UnicodeDecodeError) as error:
        raise DamagedValue(f"{what} is not a PHP-serialized value ({error}); repair it in Drupal, or import from a good copy") from None


def _variables(connection: Connection, names: Sequence[str]) -> dict[str, Any]:
    """Drupal's PHP-serialized variables, unserialized."""
    values = {}
    for name, value in _rows(connection, "SELECT name, value FROM variable"):
        if name in names:
            raw = value if isinstance(value, bytes) else str(value).encode("utf-8")
            values[name] = _unserialize(raw, f"the variable {name!r}")
    return values


def _content_type(url: str, connection: Connection, wanted: str | None) -> str:
    counts = {str(t): int(n) for t, n in _rows(connection, "SELECT type, COUNT(*) FROM node GROUP BY type ORDER BY type")}
    listing = ", ".join(f"{t} ({n} nodes)" for t, n in counts.items()) or "(no nodes at all)"
    if wanted is None:
        if len(counts) != 1:
            raise fail(url, f"choose the content type to import with --content-type: {listing}")
        return next(iter(counts))
    if wanted not in counts:
        raise fail(url, f"no nodes of content type {wanted!r}: the database has {listing}")
    return wanted


def _vocabulary_field(url: str, connection: Connection, node_type: str, wanted: str | None) -> tuple[int, str]:
    """The vocabulary's vid and the term reference field of the content type that points to it."""
    vocabularies = {str(m): int(v) for v, m in _rows(connection, "SELECT vid, machine_name FROM taxonomy_vocabulary ORDER BY vid")}
    fields: dict[str, str] = {}
    for field_name, data in _rows(connection, """
            SELECT fc.field_name, fc.data FROM field_config fc JOIN field_config_instance fi ON fi.field_id = fc.id
            WHERE fc.type = 'taxonomy_term_reference' AND fc.deleted = 0 AND fi.deleted = 0
              AND fi.entity_type = 'node' AND fi.bundle = :bundle ORDER BY fc.field_name""", bundle=node_type):
        raw = data if isinstance(data, bytes) else str(data).encode("utf-8")
        data_value = _unserialize(raw, f"field_config.data of {field_name!r}")
        settings = data_value.get("settings", {}) if isinstance(data_value, dict) else {}
        for allowed in settings.get("allowed_values", {}).values():
            fields[str(allowed.get("vocabulary"))] = str(field_name)
    listing = ", ".join(f"{v} (field {f})" for v, f in sorted(fields.items())) or "(none)"
    if wanted is None:
        if len(fields) != 1:
            raise fail(url, f"choose the vocabulary with --vocabulary; content type {node_type!r} has term reference fields to: {listing}")
        wanted = next(iter(fields))
    if wanted not in vocabularies:
        raise fail(url, f"no vocabulary {wanted!r}: the database has {', '.join(vocabularies) or '(none)'}")
    if wanted not in fields:
        raise fail(url, f"content type {node_type!r} has no term reference field to vocabulary {wanted!r}; it has: {listing}")
    if not FIELD_NAME.match(fields[wanted]):
        raise fail(url, f"field name {fields[wanted]!r} is not a Drupal field name")
    return vocabularies[wanted], fields[wanted]


def _aliases(connection: Connection) -> dict[str, tuple[str, ...]]:
    """Every alias row by system path, oldest first (Drupal links the newest, the highest pid)."""
    found: dict[str, list[str]] = defaultdict(list)
    for source, alias in _rows(connection, "SELECT source, alias FROM url_alias ORDER BY pid"):
        found[str(source)].append("/" + str(alias))
    return {source: tuple(dict.fromkeys(aliases)) for source, aliases in found.items()}


def _nodes(connection: Connection, node_type: str, field: str, aliases: Mapping[str, tuple[str, ...]], anonymous: str) -> tuple[Node, ...]:
    bodies: dict[int, tuple[str, str]] = {}
    for nid, value, fmt in _rows(connection, """
            SELECT entity_id, body_value, body_format FROM field_data_body
            WHERE entity_type = 'node' AND bundle = :bundle AND deleted = 0 AND delta = 0 ORDER BY entity_id, language""", bundle=node_type):
        bodies.setdefault(int(nid), (value or "", fmt or ""))
    tids: dict[int, list[int]] = defaultdict(list)
    for nid, tid in _rows(connection, f"""
            SELECT entity_id, {field}_tid FROM field_data_{field}
            WHERE entity_type = 'node' AND bundle = :bundle AND deleted = 0 ORDER BY entity_id, delta""", bundle=node_type):
        tids[int(nid)].append(int(tid))
    nodes = []
    for nid, title, status, sticky, created, changed, uid, name in _rows(connection, """
            SELECT n.nid, n.title, n.status, n.sticky, n.created, n.changed, n.uid, u.name
            FROM node n LEFT JOIN users u ON u.uid = n.uid WHERE n.type = :type ORDER BY n.nid""", type=node_type):
        body, fmt = bodies.get(int(nid), ("", ""))
        author = str(name) if uid and name else anonymous  # format_username(): uid 0 is the 'anonymous' variable
        nodes.append(Node(int(nid), str(title), author, bool(status), bool(sticky), int(created), int(changed), body, fmt,
                          tuple(dict.fromkeys(tids[int(nid)])), aliases.get(f"node/{nid}", ())))
    return tuple(nodes)


def _formats(connection: Connection) -> dict[str, Filters]:
    """Each text format's enabled filters in Drupal's order (weight, module, name), with filter_html's allowed tags."""
    formats: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for fmt, name, settings in _rows(connection, "SELECT format, name, settings FROM filter WHERE status = 1 ORDER BY format, weight, module, name"):
        raw = settings if isinstance(settings, bytes) else str(settings or "").encode("utf-8")
        values = _unserialize(raw, f"the settings of filter {name!r} in format {fmt!r}") if raw else {}
        formats[str(fmt)].append((str(name), str(values.get("allowed_html", "")) if isinstance(values, dict) else ""))
    return {fmt: tuple(filters) for fmt, filters in formats.items()}
