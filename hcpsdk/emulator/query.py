"""``POST /query``: the emulated Metadata Query Engine (object and operation queries).

Served on the tenant host ``<tenant>.<domain>`` (a tenant user: the namespaces of the
tenant where search is enabled and the user has the *search* permission) and on the
system host ``admin.<domain>`` (a system user, HTTPS only: every namespace with search
enabled, the Default Namespace included). Bodies in XML or JSON (``Content-Type``),
answers in XML or JSON (``Accept``, XML when it names neither), at most 8 KiB of body.

Object queries answer from the stores: current versions of objects with ``index=true`` in
namespaces with search enabled (a namespace's ``search`` switch stands for both "search"
and "indexing" enabled). Operation queries answer from the system's
:mod:`~hcpsdk.emulator.changelog`. The query language is :mod:`~hcpsdk.emulator.query_lang`.

Choices where HCP's behaviour is not documented: a tenant without any namespace the user
may search is answered ``403``; an operation query naming a namespace that exists but is
not searchable is answered ``403``; an unknown namespace ``400``; a body in neither XML nor
JSON ``400``; default sort order relevance (clauses matched), then namespace and path.
"""
from __future__ import annotations

import collections
import json
import threading
import time
import xml.etree.ElementTree as ET
import zlib
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote, urlsplit
from xml.sax.saxutils import escape, quoteattr

from . import changelog
from . import query_lang as lang
from .http11 import Request
from .model import Namespace, Principal, Reply, System, authenticate
from .store import StoreError

__all__ = ["handle", "MAX_BODY"]

#: Largest request body HCP accepts (larger: 413).
MAX_BODY = 8192
MAX_COUNT = 10_000
MAX_OFFSET = 100_000
TRANSACTIONS = tuple(changelog.OPERATIONS)

_OBJECT_KEYS = {"query", "count", "offset", "sort", "objectProperties", "facets", "verbose",
                "contentProperties"}
_OPERATION_KEYS = {"count", "lastResult", "objectProperties", "systemMetadata", "verbose"}
_SYSTEM_KEYS = {"changeTime", "directories", "namespaces", "transactions", "indexable",
                "replicationCollision"}
_ALWAYS = ("urlName", "changeTimeMilliseconds", "version", "operation")
_XSD = ('xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"'
        ' xsi:noNamespaceSchemaLocation="/static/xsd/query-result-6.0.xsd"')


def handle(system: System, req: Request) -> Reply:
    """Answer a ``/query`` request."""
    if req.method != "POST":
        raise StoreError(405, "the query API takes POST requests only")
    namespaces = _scope(system, req)
    unknown = {name for name, _ in req.query} - {"prettyprint"}
    if unknown:
        raise StoreError(400, f"unsupported query parameter(s): {', '.join(sorted(unknown))}")
    body = _body(req)
    ctype = req.headers.get("content-type", "").lower()
    as_json = "json" in req.headers.get("accept", "").lower()
    request = _parse(body, ctype)
    if "object" in request:
        result = _object_query(system, namespaces, _entries(request["object"], _OBJECT_KEYS))
        xml = _object_xml
    else:
        result = _operation_query(system, namespaces,
                                  _entries(request.get("operation", {}), _OPERATION_KEYS))
        xml = _operation_xml
    if as_json:
        data = json.dumps({"queryResult": result}, ensure_ascii=False).encode()
        return Reply(200, [("Content-Type", "application/json")], data)
    return Reply(200, [("Content-Type", "application/xml")], xml(result).encode())


# ---------------------------------------------------------------------------- request


def _scope(system: System, req: Request) -> list[Namespace]:
    """The namespaces the caller may search (403 if none)."""
    host = req.host
    suffix = "." + system.domain
    if not host.endswith(suffix) or "." in host[: -len(suffix)]:
        raise StoreError(404, "the query API is served on the tenant and admin hosts")
    label = host[: -len(suffix)]
    principal = authenticate(system, host, req.headers)
    if principal is None or principal.kind == "anonymous":
        raise StoreError(403, "invalid or missing credentials")
    if label == "admin":
        if req.service != "https":
            raise StoreError(403, "system-level queries need HTTPS")
        found = [ns for t in list(system.tenants.values()) for ns in list(t.namespaces.values())]
        found.append(system.default_namespace())
        found = [ns for ns in found if ns.search]
    else:
        tenant = system.tenants.get(label)
        if tenant is None:
            raise StoreError(403, f"tenant {label} does not exist")
        found = [ns for ns in list(tenant.namespaces.values()) if _searchable(ns, principal)]
    if not found:
        raise StoreError(403, "search is not enabled for any namespace this user may search")
    return found


def _searchable(ns: Namespace, principal: Principal) -> bool:
    return ns.search and (principal.kind == "admin" or "search" in principal.permissions(ns))


def _body(req: Request) -> bytes:
    length = req.headers.get("content-length")
    if length is not None and length.isdigit() and int(length) > MAX_BODY:
        raise StoreError(413, f"the request body is larger than {MAX_BODY} bytes")
    body = req.body
    if len(body) > MAX_BODY:
        raise StoreError(413, f"the request body is larger than {MAX_BODY} bytes")
    encoding = req.headers.get("content-encoding", "identity").strip().lower()
    if encoding == "gzip":
        inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
        try:
            # bounded: a small body must not inflate into a huge one
            body = inflater.decompress(body, 64 * MAX_BODY)
        except zlib.error:
            raise StoreError(400, "Content-Encoding is gzip but the body is not gzip data") from None
        if not inflater.eof:
            raise StoreError(400, "the gzip body is truncated or inflates too far")
    elif encoding != "identity":
        raise StoreError(400, f"unsupported Content-Encoding {encoding}")
    return body


def _parse(body: bytes, ctype: str) -> dict[str, Any]:
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise StoreError(400, "the request body is not UTF-8") from None
    if "json" in ctype:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise StoreError(400, f"malformed JSON: {exc}") from None
        if not isinstance(data, dict) or not set(data) <= {"object", "operation"} or len(data) > 1:
            raise StoreError(400, "the body must hold one entry, object or operation")
        return data
    if "xml" in ctype:
        try:
            root = ET.fromstring(text)
        except ET.ParseError as exc:
            raise StoreError(400, f"malformed XML: {exc}") from None
        if root.tag != "queryRequest" or len(root) > 1:
            raise StoreError(400, "the body must be <queryRequest> with one entry")
        if len(root) == 0:
            return {"operation": {}}
        child = root[0]
        if child.tag not in ("object", "operation"):
            raise StoreError(400, f"unknown entry {child.tag!r}")
        return {child.tag: _xml_dict(child)}
    raise StoreError(400, "Content-Type must be application/xml or application/json")


_XML_LISTS = {"directories": "directory", "namespaces": "namespace",
              "transactions": "transaction"}


def _xml_dict(element: ET.Element) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for child in element:
        if child.tag in out:
            raise StoreError(400, f"entry {child.tag!r} given twice")
        item = _XML_LISTS.get(child.tag)
        if item is not None:
            out[child.tag] = {item: [(c.text or "").strip() for c in child if c.tag == item]}
        elif len(child):
            out[child.tag] = _xml_dict(child)
        else:
            out[child.tag] = (child.text or "").strip()
    return out


def _entries(data: Any, allowed: set[str]) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise StoreError(400, "malformed request entry")
    unknown = set(data) - allowed
    if unknown:
        raise StoreError(400, f"unknown entry name(s): {', '.join(sorted(unknown))}")
    return data


def _int(data: dict[str, Any], key: str, default: int, low: int, high: int,
         all_ok: bool = True) -> int:
    raw = data.get(key, default)
    try:
        if isinstance(raw, bool):
            raise ValueError
        number = int(raw)
    except (TypeError, ValueError):
        raise StoreError(400, f"invalid {key}: {raw!r}") from None
    if not (low <= number <= high or number == -1 and all_ok):
        raise StoreError(400, f"{key} {number} is out of range")
    return number


def _flag(data: dict[str, Any], key: str) -> bool | None:
    raw = data.get(key)
    if raw is None or isinstance(raw, bool):
        return raw
    if str(raw).lower() in ("true", "false"):
        return str(raw).lower() == "true"
    raise StoreError(400, f"invalid {key}: {raw!r}")


def _names(data: dict[str, Any], key: str, known: Any, what: str) -> list[str]:
    raw = data.get(key) or ""
    if not isinstance(raw, str):
        raise StoreError(400, f"invalid {key}: {raw!r}")
    names = [n.strip() for n in raw.split(",") if n.strip()]
    for name in names:
        if name not in known:
            raise StoreError(400, f"unknown property {name!r} in {what}")
    return names


def _properties(data: dict[str, Any]) -> list[str]:
    wanted = _names(data, "objectProperties", lang.PROPERTIES, "objectProperties")
    if wanted:
        return list(_ALWAYS) + [n for n in wanted if n not in _ALWAYS]
    if _flag(data, "verbose"):
        return list(_ALWAYS) + [n for n in lang.PROPERTIES if n not in _ALWAYS]
    return list(_ALWAYS)


def _record(props: list[str], ns: Namespace, path: str, row: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in props:
        kind, getter = lang.PROPERTIES[name]
        got = getter(ns, path, row)
        if kind == "num" and name != "changeTimeMilliseconds":
            got = int(got)
        out[name] = got
    return out


# ---------------------------------------------------------------------------- object queries

_cache: collections.OrderedDict[Any, list[tuple[Namespace, str, Any]]] = collections.OrderedDict()
_cache_lock = threading.Lock()


def _object_query(system: System, namespaces: list[Namespace],
                  data: dict[str, Any]) -> dict[str, Any]:
    text = data.get("query")
    if not isinstance(text, str) or not text.strip():
        raise StoreError(400, "the query entry is required")
    count = _int(data, "count", 100, 0, MAX_COUNT)
    offset = _int(data, "offset", 0, 0, MAX_OFFSET, all_ok=False)
    clauses = lang.parse(text)
    sort = _sort(data.get("sort") or "")
    props = _properties(data)
    facets = _names(data, "facets", lang.FACETS, "facets")
    hits = _hits(system, namespaces, text, clauses, sort)
    page = hits[offset:] if count == -1 else hits[offset:offset + count]
    done = offset + len(page) >= len(hits)
    result: dict[str, Any] = {
        "query": {"expression": text},
        "resultSet": [_record(props, ns, path, v) for ns, path, v in page],
        "status": {"totalResults": len(hits), "results": len(page), "message": "",
                   "code": "COMPLETE" if done else "INCOMPLETE"},
    }
    if facets:
        result["facets"] = {"facet": [_facet(name, hits) for name in facets]}
    if _flag(data, "contentProperties"):
        result["contentProperties"] = {"contentProperty": []}
    return result


def _sort(text: str) -> list[tuple[str, bool]]:
    out = []
    for part in (p.strip() for p in text.split(",") if p.strip()):
        name, _, direction = part.replace(" ", "+").partition("+")
        if name not in lang.PROPERTIES or lang.PROPERTIES[name][0] == "multi":
            raise StoreError(400, f"unknown or multi-valued property {name!r} in sort")
        if direction not in ("", "asc", "desc"):
            raise StoreError(400, f"invalid sort direction {direction!r}")
        out.append((name, direction == "desc"))
    return out


def _hits(system: System, namespaces: list[Namespace], text: str, clauses: list[lang.Clause],
          sort: list[tuple[str, bool]]) -> list[tuple[Namespace, str, Any]]:
    """Every match, in result order; the last few answers are kept while nothing changed
    (paging through a large result asks the same query again and again)."""
    key = (id(system), text, tuple(sort),
           tuple((id(ns), ns.store.mutations) for ns in namespaces))
    with _cache_lock:
        hit = _cache.get(key)
        if hit is not None:
            _cache.move_to_end(key)
            return hit
    found: list[tuple[Namespace, str, Any]] = []
    for ns in namespaces:
        store = ns.store
        with store.lock:
            items = [(path, vs[-1]) for path, vs in store.objects.items()
                     if not vs[-1].deleted and vs[-1].index]
        found += [(ns, path, v) for path, v in items if lang.matches(clauses, ns, path, v)]
    found.sort(key=lambda h: (h[0].fqdn, h[1]))
    if sort:
        for name, desc in reversed(sort):
            found.sort(key=_sort_key(name), reverse=desc)
    else:
        found.sort(key=lambda h: -lang.score(clauses, *h))
    with _cache_lock:
        _cache[key] = found
        while len(_cache) > 4:
            _cache.popitem(last=False)
    return found


def _sort_key(name: str) -> Callable[[tuple[Namespace, str, Any]], Any]:
    kind, getter = lang.PROPERTIES[name]
    if kind == "num":
        return lambda h: float(getter(*h))
    return lambda h: getter(*h)


def _facet(name: str, hits: list[tuple[Namespace, str, Any]]) -> dict[str, Any]:
    counts = collections.Counter(lang.facet_value(name, *h) for h in hits)
    if name == "retentionClass":
        counts.pop("", None)
    top = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:100]
    return {"property": name, "frequency": [{"value": v, "count": n} for v, n in top]}


# ---------------------------------------------------------------------------- operation queries


def _time_ms(raw: Any, what: str) -> int:
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        return int(raw)
    text = str(raw).strip()
    if text.lstrip("-").isdigit():
        return int(text)
    try:
        from datetime import datetime
        return int(datetime.fromisoformat(text).timestamp() * 1000)
    except ValueError:
        raise StoreError(400, f"invalid {what} time: {raw!r}") from None


def _list(data: dict[str, Any], key: str, item: str) -> list[str]:
    raw = data.get(key)
    if raw is None:
        return []
    values = raw.get(item) if isinstance(raw, dict) else None
    if isinstance(values, str):
        values = [values]
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise StoreError(400, f"invalid {key}: {raw!r}")
    return values


def _operation_query(system: System, namespaces: list[Namespace],
                     data: dict[str, Any]) -> dict[str, Any]:
    count = _int(data, "count", 10_000, 1, 1 << 31)
    props = _properties(data)
    meta = _entries(data.get("systemMetadata") or {}, _SYSTEM_KEYS)
    window = meta.get("changeTime") or {}
    if not isinstance(window, dict) or not set(window) <= {"start", "end"}:
        raise StoreError(400, "changeTime takes start and end")
    log = changelog.attach(system)
    start = _time_ms(window.get("start", 0), "start")
    end = (_time_ms(window["end"], "end") if window.get("end") not in (None, "")
           else int((time.time() - log.lag) * 1000))
    chosen = _chosen(system, namespaces, _list(meta, "namespaces", "namespace"))
    transactions = _list(meta, "transactions", "transaction") or list(TRANSACTIONS)
    for t in transactions:
        if t not in changelog.OPERATIONS:
            raise StoreError(400, f"unknown transaction {t!r}")
    operations = {changelog.OPERATIONS[t] for t in transactions}
    dirs = [d.rstrip("/") + "/" for d in _list(meta, "directories", "directory")]
    for d in dirs:
        if not d.startswith("/"):
            raise StoreError(400, f"invalid directory {d!r}")
    indexable = _flag(meta, "indexable")
    collision = _flag(meta, "replicationCollision")
    ids = {id(ns) for ns in chosen}

    def accept(rec: changelog.Record) -> bool:
        if id(rec.namespace) not in ids or rec.operation not in operations or collision:
            return False
        ms = changelog.ms_key(rec.change_ms)[0]
        if ms < start or ms > end:
            return False
        if indexable is not None and rec.index != indexable:
            return False
        return not dirs or any(("/" + rec.path).startswith(d) for d in dirs)

    position = _after(system, log, data.get("lastResult"))
    records, more = log.read(position, accept, count)
    return {"query": {"start": start, "end": end},
            "resultSet": [_record(props, r.namespace, r.path, r) for r in records],
            "status": {"results": len(records), "message": "",
                       "code": "INCOMPLETE" if more else "COMPLETE"}}


def _chosen(system: System, namespaces: list[Namespace], names: list[str]) -> list[Namespace]:
    if not names:
        return namespaces
    chosen = []
    for name in names:
        ns_name, _, tenant = name.partition(".")
        ns = system.namespace(tenant.lower(), ns_name.lower())
        if ns is None:
            raise StoreError(400, f"namespace {name!r} does not exist")
        if ns not in namespaces:
            raise StoreError(403, f"search is not enabled for namespace {name!r} or not allowed")
        chosen.append(ns)
    return chosen


def _after(system: System, log: changelog.ChangeLog, last: Any) -> int:
    """The change-log position after ``lastResult`` (0 without one)."""
    if last in (None, "", {}):
        return 0
    if not isinstance(last, dict) or not {"urlName", "changeTimeMilliseconds", "version"} <= set(last):
        raise StoreError(400, "lastResult needs urlName, changeTimeMilliseconds and version")
    try:
        version = int(last["version"])
        change_ms = str(last["changeTimeMilliseconds"])
        changelog.ms_key(change_ms)
    except (TypeError, ValueError):
        raise StoreError(400, "malformed version or changeTimeMilliseconds in lastResult") from None
    url = urlsplit(str(last["urlName"]))
    labels = (url.hostname or "").split(".")
    ns = system.namespace(labels[1], labels[0]) if len(labels) > 2 else None
    path = unquote(url.path).removeprefix("/rest/")
    return log.start_after(ns, path, version, change_ms)


# ---------------------------------------------------------------------------- XML answers


def _attrs(record: dict[str, Any]) -> str:
    return " ".join(f"{k}={quoteattr(_text(v))}" for k, v in record.items())


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _result_set(result: dict[str, Any]) -> str:
    return "".join(f"<object {_attrs(r)}/>" for r in result["resultSet"])


def _object_xml(result: dict[str, Any]) -> str:
    status = result["status"]
    parts = ["<?xml version='1.0' encoding='UTF-8'?>\n", f"<queryResult {_XSD}>",
             f"<query><expression>{escape(result['query']['expression'])}</expression></query>",
             f"<resultSet>{_result_set(result)}</resultSet>",
             f"<status {_attrs(status)}/>"]
    if "facets" in result:
        parts.append("<facets>")
        for facet in result["facets"]["facet"]:
            parts.append(f"<facet property={quoteattr(facet['property'])}>")
            parts += [f"<frequency {_attrs(f)}/>" for f in facet["frequency"]]
            parts.append("</facet>")
        parts.append("</facets>")
    if "contentProperties" in result:
        parts.append("<contentProperties/>")
    parts.append("</queryResult>\n")
    return "".join(parts)


def _operation_xml(result: dict[str, Any]) -> str:
    return ("<?xml version='1.0' encoding='UTF-8'?>\n"
            f"<queryResult {_XSD}><query {_attrs(result['query'])}/>"
            f"<resultSet>{_result_set(result)}</resultSet>"
            f"<status {_attrs(result['status'])}/></queryResult>\n")
