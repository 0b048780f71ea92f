"""Rendering of MAPI answers: XML (compact or pretty) and JSON.

A MAPI resource is built once as plain Python data and rendered in the format the
client asked for. Mappings become elements in insertion order; a list under a key
becomes that element repeated (``{"name": ["a", "b"]}`` is ``<name>a</name><name>b</name>``
in XML and stays a list in JSON); booleans are ``true``/``false`` in XML.

XML is compact unless ``prettyprint`` is requested: the original 0.9.5 client takes
indentation whitespace for element text, so pretty XML breaks it.
"""
from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any
from xml.etree import ElementTree
from xml.sax.saxutils import escape

from .errors import RequestRefused, error_reply
from .model import Reply

__all__ = ["XML", "JSON", "CSV", "MapiError", "wants", "is_pretty", "xml_text", "json_text",
           "render", "error_reply", "query_value", "request_fields"]

XML = "application/xml"
JSON = "application/json"
CSV = "text/csv"

#: The media types a MAPI request body may have.
_BODY_MEDIA = ("application/xml", "text/xml", "application/json")

_DECLARATION = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'


#: The former name of :class:`~hcpsdk.emulator.errors.RequestRefused` (the same class).
MapiError = RequestRefused


def query_value(query: list[tuple[str, str]], key: str) -> str | None:
    """The value of the first *key* parameter of *query*, ``None`` when absent."""
    for k, v in query:
        if k == key:
            return v
    return None


def is_pretty(query: list[tuple[str, str]]) -> bool:
    """True when ``prettyprint`` is given (bare, empty or ``true``)."""
    value = query_value(query, "prettyprint")
    return value is not None and value.lower() in ("", "true")


def wants(headers: Mapping[str, str], *offered: str) -> str:
    """The first of *offered* media types named by the ``Accept`` header.

    Anything else (no header, ``*/*``, an unknown type) gets the first offered one,
    which is XML for every MAPI resource but chargeback's JSON-first client.
    """
    accept = (headers.get("accept") or "").lower()
    named = [part.split(";", 1)[0].strip() for part in accept.split(",")]
    for media in named:
        if media in offered:
            return media
    return offered[0]


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def _xml_children(data: Mapping[str, Any], pretty: bool, depth: int) -> list[str]:
    parts = []
    pad = "\n" + "    " * depth if pretty else ""
    for key, value in data.items():
        values = value if isinstance(value, list) else [value]
        for item in values:
            if isinstance(item, Mapping):
                inner = "".join(_xml_children(item, pretty, depth + 1))
                close = pad if pretty and inner else ""
                parts.append(f"{pad}<{key}>{inner}{close}</{key}>")
            else:
                parts.append(f"{pad}<{key}>{escape(_scalar(item))}</{key}>")
    return parts


def xml_text(root: str, data: Mapping[str, Any], pretty: bool = False) -> bytes:
    """*data* as an XML document with root element *root* (UTF-8)."""
    inner = "".join(_xml_children(data, pretty, 1))
    sep = "\n" if pretty else ""
    close = "\n" if pretty and inner else ""
    return f"{_DECLARATION}{sep}<{root}>{inner}{close}</{root}>{sep}".encode()


def json_text(data: Any, pretty: bool = False) -> bytes:
    """*data* as JSON: compact, or with 2-space indent and ``" : "`` as HCP pretty-prints."""
    if pretty:
        return (json.dumps(data, indent=2, separators=(",", " : ")) + "\n").encode("utf-8")
    return json.dumps(data, separators=(",", ":")).encode("utf-8")


def render(req: Any, root: str, data: Mapping[str, Any], status: int = 200) -> Reply:
    """Reply with *data* as XML (root element *root*) or JSON, as *req* asks."""
    pretty = is_pretty(req.query)
    if wants(req.headers, XML, JSON) == JSON:
        body, ctype = json_text(data, pretty), JSON
    else:
        body, ctype = xml_text(root, data, pretty), XML
    return Reply(status, [("Content-Type", f"{ctype};charset=UTF-8")], body)


def request_fields(req: Any, root: str) -> dict[str, str]:
    """The top-level fields of a request body: the children of XML element *root*, or the
    members of a JSON object (``true``/``false`` become those words, ``null`` an empty string).

    :raises RequestRefused: 400 for a missing, malformed or wrongly rooted body or a JSON member
        that is no single value; 415 for a Content-Type other than XML or JSON
    """
    ctype = (req.headers.get("content-type") or "").split(";", 1)[0].strip().lower()
    if not req.body:
        raise RequestRefused(400, f"a <{root}> request body is needed")
    if ctype not in _BODY_MEDIA:
        raise RequestRefused(415, f"unsupported Content-Type {ctype or '(none)'}; use application/xml"
                             " or application/json")
    try:
        if ctype == "application/json":
            data = json.loads(req.body)
            if not isinstance(data, dict):
                raise ValueError("not an object")
        else:
            element = ElementTree.fromstring(req.body)
    except (ValueError, ElementTree.ParseError) as exc:
        raise RequestRefused(400, f"malformed request body: {exc}") from None
    if ctype != "application/json":
        if element.tag != root:
            raise RequestRefused(400, f"the request body must be a <{root}> element, not"
                                 f" <{element.tag}>")
        return {child.tag: (child.text or "").strip() for child in element}
    nested = [k for k, v in data.items() if isinstance(v, (dict, list))]
    if nested:
        raise RequestRefused(400, f"{nested[0]} must be a single value")
    return {k: _scalar(v) for k, v in data.items()}
