"""Typed results of metadata queries and the reading of HCP's answers (JSON or XML).

Every entry of a result set, from an object query or from the change feed, becomes an
:class:`ObjectRecord`; one answer becomes a :class:`Page`.
"""
from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from .errors import QueryError

__all__ = ["ObjectRecord", "Page", "parse_page", "parse_entries"]

# wire name -> kind, for answers in XML (all text) and JSON (typed, but be lenient)
_INTS = frozenset({"version", "size", "retention", "ingestTime", "accessTime", "updateTime",
                   "uid", "gid", "dpl", "permissions"})
_BOOLS = frozenset({"hold", "shred", "index", "acl", "customMetadata", "replicated",
                    "replicationCollision"})


@dataclass(frozen=True, slots=True)
class ObjectRecord:
    """One object (version) of a query result.

    ``url_name``, ``version``, ``operation`` and ``change_time_ms`` are always there;
    the others only when HCP returned them (``objectProperties``, ``verbose``), else
    ``None``. :attr:`properties` holds every returned property under its HCP name
    (content properties included). ``change_time_ms`` is kept as HCP's text
    (``'1709632931417.00'``) because a change-feed cursor must send it back unchanged.

    .. versionadded:: 1.0
    """

    url_name: str
    version: int
    operation: str
    change_time_ms: str
    namespace: str | None = None
    object_path: str | None = None
    utf8_name: str | None = None
    size: int | None = None
    ingest_time: int | None = None
    hash: str | None = None
    retention: int | None = None
    retention_string: str | None = None
    retention_class: str | None = None
    hold: bool | None = None
    shred: bool | None = None
    index: bool | None = None
    owner: str | None = None
    custom_metadata: bool | None = None
    custom_metadata_annotation: tuple[str, ...] | None = None
    replicated: bool | None = None
    properties: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_wire(cls, raw: Mapping[str, Any]) -> ObjectRecord:
        """An entry as HCP sent it (attribute texts or JSON values), typed.

        :raises QueryError: if one of the four always-present properties is missing
        """
        props = {name: _typed(name, value) for name, value in raw.items()}
        try:
            fields: dict[str, Any] = {"url_name": str(props["urlName"]), "version": int(props["version"]),
                      "operation": str(props["operation"]),
                      "change_time_ms": str(props["changeTimeMilliseconds"])}
        except (KeyError, TypeError, ValueError) as exc:
            raise QueryError(f"a result entry lacks urlName, version, operation or"
                             f" changeTimeMilliseconds: {dict(raw)!r:.200}") from exc
        for name, value in props.items():
            snake = _FIELD_OF.get(name)
            if snake is not None:
                fields[snake] = value
        return cls(**fields, properties=props)

    @property
    def change_time(self) -> float:
        """The change time in seconds since the epoch."""
        return float(self.change_time_ms) / 1000


def _camel(snake: str) -> str:
    head, *rest = snake.split("_")
    return head + "".join(word.title() for word in rest)


# wire name -> field of the optional properties
_FIELD_OF = {_camel(f): f for f in ObjectRecord.__dataclass_fields__}
for _f in ("url_name", "version", "operation", "change_time_ms", "properties"):
    _FIELD_OF.pop(_camel(_f))


def _typed(name: str, value: Any) -> Any:
    if name in _INTS:
        try:
            return int(value)
        except (TypeError, ValueError):
            return value
    if name in _BOOLS and isinstance(value, str):
        return value.lower() == "true"
    if name == "customMetadataAnnotation":
        if isinstance(value, str):
            return tuple(v.strip() for v in value.split(",") if v.strip())
        return tuple(value or ())
    if name == "changeTimeMilliseconds" and isinstance(value, (int, float)):
        return f"{value:.2f}"
    return value


@dataclass(frozen=True)
class Page:
    """One answer of the Metadata Query Engine.

    :param records: the result entries, in HCP's order
    :param code: ``COMPLETE`` or ``INCOMPLETE``
    :param results: how many entries this answer has
    :param total: all matches of an object query (``None`` for operation queries)
    :param facets: facet name -> ``{value: count}``, most frequent first
    :param message: HCP's status message

    .. versionadded:: 1.0
    """

    records: list[ObjectRecord]
    code: str
    results: int
    total: int | None = None
    facets: dict[str, dict[str, int]] = field(default_factory=dict)
    message: str = ""

    @property
    def complete(self) -> bool:
        """True when HCP said ``COMPLETE``."""
        return self.code == "COMPLETE"


def parse_page(data: bytes, as_json: bool) -> Page:
    """Read one answer.

    :raises QueryError: if it is not a query result in the expected format
    """
    entries, page = parse_entries(data, as_json)
    records = [ObjectRecord.from_wire(e) for e in entries]
    return replace(page, records=records)


def parse_entries(data: bytes, as_json: bool) -> tuple[list[Mapping[str, Any]], Page]:
    """Read one answer, leaving its entries as HCP sent them (for a caller that types them
    one at a time, so that a page is never held twice).

    :returns: the entries and the page without records
    :raises QueryError: if it is not a query result in the expected format
    """
    kind = "JSON" if as_json else "XML"
    try:
        entries, page = _json_page(json.loads(data)) if as_json else _xml_page(ET.fromstring(data))
        if any(not isinstance(e, Mapping) for e in entries):
            raise QueryError(f"HCP's answer is not a query result in {kind}: an entry is no object")
        return entries, page
    except QueryError:
        raise
    except (ValueError, TypeError, KeyError, AttributeError, ET.ParseError) as exc:
        raise QueryError(f"HCP's answer is not a query result in {kind}: {exc}") from exc


def _status(status: Mapping[str, Any], count: int, facets: dict[str, dict[str, int]]) -> Page:
    total = status.get("totalResults")
    return Page([], str(status["code"]), int(status.get("results", count)),
                int(total) if total is not None else None, facets, str(status.get("message", "")))


def _json_page(doc: Any) -> tuple[list[Mapping[str, Any]], Page]:
    result = doc["queryResult"]
    entries = result.get("resultSet") or []
    if isinstance(entries, dict):   # a single entry may come unwrapped
        entries = entries.get("object", [])
        entries = [entries] if isinstance(entries, dict) else entries
    facets: dict[str, dict[str, int]] = {}
    raw = (result.get("facets") or {}).get("facet", [])
    for facet in [raw] if isinstance(raw, dict) else raw:
        freq = facet.get("frequency", [])
        freq = [freq] if isinstance(freq, dict) else freq
        facets[facet["property"]] = {str(f["value"]): int(f["count"]) for f in freq}
    return list(entries), _status(result["status"], len(entries), facets)


def _xml_page(root: ET.Element) -> tuple[list[Mapping[str, Any]], Page]:
    if root.tag != "queryResult":
        raise QueryError(f"HCP's answer is <{root.tag}>, not <queryResult>")
    status = root.find("status")
    if status is None:
        raise QueryError("HCP's answer has no <status>")
    result_set = root.find("resultSet")
    entries: list[Mapping[str, Any]] = (
        [e.attrib for e in result_set.iter("object")] if result_set is not None else [])
    facets = {f.get("property", ""): {fr.get("value", ""): int(fr.get("count", "0"))
                                      for fr in f.iter("frequency")}
              for f in root.iter("facet")}
    return entries, _status(status.attrib, len(entries), facets)
