"""hcpsdk.query — searching with HCP's Metadata Query API.

Object queries find the objects whose metadata match an expression; operation queries
(the *change feed*) list what was created, deleted, disposed, pruned or purged in a time
window. Both talk to ``/query`` on the tenant host (``m.hcp1.example.com``) or the
system host (``admin.hcp1.example.com``)::

    import hcpsdk
    from hcpsdk.query import ChangeCursor, Search, prop

    auth = hcpsdk.NativeAuthorization("n", "n01")
    with Search(hcpsdk.Target("m.hcp1.example.com", auth, port=443)) as search:
        for obj in search.objects(prop("utf8Name").like("*.pdf"), properties=["size"]):
            print(obj.url_name, obj.size)
        feed = search.changes(ChangeCursor(namespaces=["n1.m"]))
        for record in feed:
            print(record.operation, record.url_name)
        saved = feed.cursor.to_json()          # continue from here after a restart

Expressions are built from values by :func:`prop` and the operators ``&``, ``|``, ``~``
(see :mod:`hcpsdk.query.expression`), so names with ``"``, ``<``, ``&`` or non-ASCII
characters are always quoted right; request bodies are built by ``json`` or
ElementTree, never by pasting strings.

.. versionadded:: 1.0
"""
from __future__ import annotations

from .errors import (
    QueryError,
    QueryForbiddenError,
    QueryLimitError,
    QueryRequestError,
    QueryServerError,
    QueryStatusError,
    QueryTooLargeError,
)
from .expression import Expression, Property, all_of, any_of, everything, not_, prop
from .feed import TRANSACTIONS, ChangeCursor
from .records import ObjectRecord, Page
from .search import (
    FEED_PAGE_SIZE,
    MAX_BODY,
    MAX_COUNT,
    MAX_OFFSET,
    PAGE_SIZE,
    ChangeResults,
    ObjectResults,
    Search,
)

__all__ = [
    "Search", "ObjectResults", "ChangeResults", "ChangeCursor", "ObjectRecord", "Page",
    "Expression", "Property", "prop", "all_of", "any_of", "not_", "everything",
    "TRANSACTIONS", "MAX_BODY", "MAX_COUNT", "MAX_OFFSET", "PAGE_SIZE", "FEED_PAGE_SIZE",
    "QueryError", "QueryStatusError", "QueryRequestError", "QueryForbiddenError",
    "QueryTooLargeError", "QueryServerError", "QueryLimitError",
]
