"""The client of HCP's Metadata Query API: object queries and the change feed."""
from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import hcpsdk
from hcpsdk._check import bad_value, integer, of_type, wrong_type
from hcpsdk._encoding import check_text
from hcpsdk._session import Session
from hcpsdk.exceptions import HcpsdkPortError

from .errors import (
    QueryForbiddenError,
    QueryLimitError,
    QueryRequestError,
    QueryServerError,
    QueryStatusError,
    QueryTooLargeError,
)
from .expression import Expression
from .feed import ChangeCursor
from .records import ObjectRecord, Page, parse_entries, parse_page

__all__ = ["Search", "ObjectResults", "ChangeResults", "MAX_BODY", "MAX_COUNT", "MAX_OFFSET",
           "PAGE_SIZE", "FEED_PAGE_SIZE"]

#: Largest request body HCP accepts (bytes); larger ones are refused before sending.
MAX_BODY = 8192
#: Most entries HCP returns for one object query.
MAX_COUNT = 10_000
#: Largest ``offset`` of an object query.
MAX_OFFSET = 100_000
#: Entries asked for per page of an object query (bounds the memory of one page).
PAGE_SIZE = 1000
#: Records asked for per page of the change feed.
FEED_PAGE_SIZE = 1000

_ERRORS = {400: QueryRequestError, 403: QueryForbiddenError, 413: QueryTooLargeError,
           500: QueryServerError, 503: QueryServerError}
_CALL = "hcpsdk.query.Search"


def _names(call: str, name: str, values: Iterable[str] | None) -> list[str]:
    if values is None:
        return []
    if isinstance(values, str):
        raise wrong_type(call, name, "a list of property names (not one str)", values)
    out = list(values)
    for value in out:
        if not isinstance(value, str) or not value or "," in value:
            raise bad_value(call, name, "property names", value)
    return out


def _sort(call: str, sort: Iterable[str | tuple[str, str]] | None) -> str | None:
    if sort is None:
        return None
    parts = []
    for item in [sort] if isinstance(sort, str) else sort:
        name, direction = (item, "asc") if isinstance(item, str) else item
        if not isinstance(name, str) or not name or direction not in ("asc", "desc"):
            raise bad_value(call, "sort", "names or (name, 'asc'|'desc') pairs", item)
        parts.append(f"{name}+{direction}")
    return ",".join(parts) or None


class Search(Session):
    """Searches of HCP's Metadata Query Engine, with one persistent Connection.

    :param target: an :class:`hcpsdk.Target` for the tenant (``m.hcp1.example.com``:
        the tenant's namespaces) or the system (``admin.hcp1.example.com``: every tenant
        that allows system access; HTTPS only) on the data port (443 or 80)
    :param fmt: ``'json'`` (default) or ``'xml'``: the format of requests and answers
    :param timeout: the Connection's timeout (seconds)
    :param debuglevel: 0..9 (propagated to ``http.client``)
    :raises HcpsdkArgumentError: for an unknown *fmt*
    :raises HcpsdkPortError: for a Target on the MAPI port 9090 or the old search port 8888
        (``/query`` is served on the data ports)

    Usage::

        from hcpsdk.query import Search, prop
        with Search(hcpsdk.Target("m.hcp1.example.com", auth, port=443)) as search:
            for obj in search.objects(prop("namespace").eq("n1.m") & prop("size").at_least(1)):
                print(obj.url_name, obj.size)

    Every method raises a :class:`~hcpsdk.query.QueryStatusError` subclass when HCP
    refuses (400 :class:`~hcpsdk.query.QueryRequestError`, 403
    :class:`~hcpsdk.query.QueryForbiddenError`, 413 :class:`~hcpsdk.query.QueryTooLargeError`,
    500/503 :class:`~hcpsdk.query.QueryServerError`) carrying HCP's message, and the
    Connection's errors otherwise. Not thread-safe: one Search per thread.

    .. versionadded:: 1.0
    """

    def __init__(self, target: hcpsdk.Target, *, fmt: str = "json", timeout: float = 30,
                 debuglevel: int = 0) -> None:
        if fmt not in ("json", "xml"):
            raise bad_value(_CALL, "fmt", "'json' or 'xml'", fmt)
        if not isinstance(target, hcpsdk.Target):
            raise wrong_type(_CALL, "target", "an hcpsdk.Target", target)
        if target.port in (hcpsdk.P_MAPI, hcpsdk.P_SEARCH):
            raise HcpsdkPortError(f"{_CALL}: Target initialized for port {target.port}; the"
                                  " Metadata Query API is served on the data ports (443, 80)")
        super().__init__(target, timeout=timeout, debuglevel=debuglevel)
        self._json = fmt == "json"

    @property
    def fmt(self) -> str:
        """``'json'`` or ``'xml'``."""
        return "json" if self._json else "xml"

    # ------------------------------------------------------------------ requests

    def _body(self, kind: str, entries: dict[str, Any]) -> bytes:
        text = json.dumps({kind: entries}, ensure_ascii=False)
        # one check of every string of the request, whatever goes on the wire: text UTF-8
        # can't carry (a lone surrogate) is refused here, before anything is sent
        check_text(_CALL, "query", text)
        if self._json:
            return text.encode("utf-8")
        root = ET.Element("queryRequest")
        _xml_entries(ET.SubElement(root, kind), entries)
        data: bytes = ET.tostring(root, encoding="utf-8")
        return data

    def request(self, kind: str, entries: dict[str, Any]) -> Page:
        """Send one query and read its answer.

        :param kind: ``'object'`` or ``'operation'``
        :param entries: the request's entries in the JSON shape (lists of directories,
            namespaces and transactions as ``{"directory": [...]}`` and so on)
        :raises QueryTooLargeError: if the body would be larger than :data:`MAX_BODY`
            (nothing is sent)
        """
        return parse_page(self._post(kind, entries), self._json)

    def _entries_of(self, kind: str, entries: dict[str, Any]
                    ) -> tuple[list[Mapping[str, Any]], Page]:
        """:meth:`request`, with the entries left as HCP sent them (typed one by one while
        iterating, so that one page is not held twice)."""
        return parse_entries(self._post(kind, entries), self._json)

    def _post(self, kind: str, entries: dict[str, Any]) -> bytes:
        if kind not in ("object", "operation"):
            raise bad_value(f"{_CALL}.request", "kind", "'object' or 'operation'", kind)
        body = self._body(kind, entries)
        if len(body) > MAX_BODY:
            raise QueryTooLargeError(
                f"query: the request body is {len(body)} bytes, HCP accepts at most {MAX_BODY};"
                " not sent", 413)
        mime = "application/json" if self._json else "application/xml"
        return self._fetch("query", "POST", "/query", body=body,
                           headers={"Content-Type": mime, "Accept": mime},
                           error=QueryStatusError, errors_by_status=_ERRORS)

    # ------------------------------------------------------------------ object queries

    def _object_entries(self, query: Expression | str, properties: Iterable[str] | None,
                        verbose: bool, sort: Any, facets: Iterable[str] | None = None
                        ) -> dict[str, Any]:
        call = f"{_CALL}.objects"
        if isinstance(query, Expression):
            text = query.text()
        elif isinstance(query, str) and query.strip():
            text = query
        else:
            raise wrong_type(call, "query", "an Expression or a non-empty str", query)
        of_type(call, "verbose", verbose, bool, "a bool", optional=False)
        entries: dict[str, Any] = {"query": text}
        props = _names(call, "properties", properties)
        if props:
            entries["objectProperties"] = ",".join(props)
        if verbose:
            entries["verbose"] = True
        order = _sort(call, sort)
        if order:
            entries["sort"] = order
        wanted = _names(call, "facets", facets)
        if wanted:
            entries["facets"] = ",".join(wanted)
        return entries

    def objects(self, query: Expression | str, *, properties: Iterable[str] | None = None,
                verbose: bool = False, sort: Any = None, page_size: int = PAGE_SIZE,
                limit: int | None = None) -> ObjectResults:
        """Every object matching *query*, fetched a page at a time while you iterate.

        :param query: an :class:`~hcpsdk.query.Expression` (or an expression text)
        :param properties: properties to return beyond ``urlName``, ``version``,
            ``operation`` and ``changeTimeMilliseconds``
        :param verbose: return every property
        :param sort: property names, or ``(name, 'asc'|'desc')`` pairs (default:
            HCP's relevance order)
        :param page_size: entries per request, 1..10,000 (memory holds one page)
        :param limit: stop after this many objects
        :returns: an iterable of :class:`~hcpsdk.query.ObjectRecord`; its ``total`` is
            known after the first page
        :raises QueryLimitError: while iterating, when more matches remain than offset
            paging reaches (100,000 + *page_size*)
        """
        entries = self._object_entries(query, properties, verbose, sort)
        integer(f"{_CALL}.objects", "page_size", page_size, 1, MAX_COUNT)
        if limit is not None:
            integer(f"{_CALL}.objects", "limit", limit, 0)
        return ObjectResults(self, entries, page_size, limit)

    def count(self, query: Expression | str) -> int:
        """How many objects match *query* (nothing else is fetched)."""
        page = self.request("object", {**self._object_entries(query, None, False, None),
                                       "count": 0})
        return page.total or 0

    def facets(self, query: Expression | str, names: Iterable[str]) -> dict[str, dict[str, int]]:
        """Value frequencies of the objects matching *query*.

        :param names: facets: ``hold``, ``namespace``, ``retention``, ``retentionClass``
            (or content properties)
        :returns: facet -> ``{value: count}``, most frequent first
        """
        if not _names(f"{_CALL}.facets", "names", names):
            raise bad_value(f"{_CALL}.facets", "names", "at least one facet", names)
        entries = self._object_entries(query, None, False, None, names)
        return self.request("object", {**entries, "count": 0}).facets

    # ------------------------------------------------------------------ the change feed

    def changes(self, cursor: ChangeCursor | None = None, *,
                page_size: int = FEED_PAGE_SIZE) -> ChangeResults:
        """The change feed from *cursor* on, fetched a page at a time while you iterate,
        until HCP says it is complete.

        :param cursor: a :class:`~hcpsdk.query.ChangeCursor` (default: everything)
        :param page_size: records per request
        :returns: an iterable of :class:`~hcpsdk.query.ObjectRecord`; its ``cursor``
            stands after the record last handed out (store it to continue later)
        """
        cursor = ChangeCursor() if cursor is None else cursor
        if not isinstance(cursor, ChangeCursor):
            raise wrong_type(f"{_CALL}.changes", "cursor", "a ChangeCursor", cursor)
        integer(f"{_CALL}.changes", "page_size", page_size, 1)
        return ChangeResults(self, cursor, page_size)


def _xml_entries(parent: ET.Element, entries: dict[str, Any]) -> None:
    """The JSON shape as XML elements (ElementTree escapes every text)."""
    for key, value in entries.items():
        if isinstance(value, dict):
            _xml_entries(ET.SubElement(parent, key), value)
        elif isinstance(value, list):
            for item in value:
                ET.SubElement(parent, key).text = str(item)
        else:
            text = ("true" if value else "false") if isinstance(value, bool) else str(value)
            ET.SubElement(parent, key).text = text


class ObjectResults:
    """The objects of one object query, paged with ``offset``/``count`` while iterated.

    Iterate it once; ``total`` is HCP's count of matches after the first page.

    .. versionadded:: 1.0
    """

    def __init__(self, search: Search, entries: dict[str, Any], page_size: int,
                 limit: int | None) -> None:
        self._search = search
        self._entries = entries
        self._page_size = page_size
        self._limit = limit
        #: HCP's count of all matches, known after the first page.
        self.total: int | None = None

    def __iter__(self) -> Iterator[ObjectRecord]:
        offset, left = 0, self._limit
        while left is None or left > 0:
            count = self._page_size if left is None else min(self._page_size, left)
            if offset > MAX_OFFSET:
                raise QueryLimitError(
                    f"query: {self.total} objects match, offset paging reaches"
                    f" {MAX_OFFSET} + {self._page_size}: narrow the query with a range"
                    " criterion and query the ranges one after the other")
            entries, page = self._search._entries_of(
                "object", {**self._entries, "offset": offset, "count": count})
            self.total = page.total
            got = len(entries)
            yield from _typed_one_by_one(entries)
            offset += got
            if left is not None:
                left -= got
            if page.complete or got < count:
                return


class ChangeResults:
    """The change feed from a cursor on, paged with ``lastResult`` while iterated.

    :attr:`cursor` always stands after the last record handed out: store it
    (:meth:`~hcpsdk.query.ChangeCursor.to_json`) once you have processed a record, and a
    restarted reader continues there, missing nothing and reading nothing twice.

    .. versionadded:: 1.0
    """

    def __init__(self, search: Search, cursor: ChangeCursor, page_size: int) -> None:
        self._search = search
        self._page_size = page_size
        #: Where the reader stands.
        self.cursor = cursor

    def __iter__(self) -> Iterator[ObjectRecord]:
        while True:
            cursor = self.cursor
            entries: dict[str, Any] = {"count": self._page_size}
            last = cursor.last_result()
            if last is not None:
                entries["lastResult"] = last
            if cursor.properties:
                entries["objectProperties"] = ",".join(cursor.properties)
            meta = cursor.system_metadata()
            if meta:
                entries["systemMetadata"] = meta
            if cursor.verbose:
                entries["verbose"] = True
            raw, page = self._search._entries_of("operation", entries)
            got = len(raw)
            for record in _typed_one_by_one(raw):
                self.cursor = self.cursor.after(record)
                yield record
            if page.complete or not got:
                return


def _typed_one_by_one(entries: list[Mapping[str, Any]]) -> Iterator[ObjectRecord]:
    """The entries as records, each raw entry dropped once it is typed."""
    entries.reverse()
    while entries:
        yield ObjectRecord.from_wire(entries.pop())
