"""The errors of :mod:`hcpsdk.query`.

A refusal by HCP's Metadata Query Engine raises a :class:`QueryStatusError` subclass chosen
by the HTTP status; each carries ``status``, ``http_reason`` and HCP's
``X-HCP-ErrorMessage`` as ``hcp_message`` (see :class:`~hcpsdk.exceptions.HcpsdkStatusError`).
Bad arguments raise :class:`~hcpsdk.HcpsdkArgumentError` / :class:`~hcpsdk.HcpsdkTypeError`
before anything is sent.
"""
from __future__ import annotations

from hcpsdk.exceptions import HcpsdkError, HcpsdkStatusError

__all__ = ["QueryError", "QueryStatusError", "QueryRequestError", "QueryForbiddenError",
           "QueryTooLargeError", "QueryServerError", "QueryLimitError"]


class QueryError(HcpsdkError):
    """A metadata query failed (also: HCP's answer could not be understood).

    .. versionadded:: 1.0
    """


class QueryStatusError(QueryError, HcpsdkStatusError):
    """The Metadata Query Engine answered with an unexpected HTTP status.

    .. versionadded:: 1.0
    """


class QueryRequestError(QueryStatusError):
    """HTTP 400: the request was refused — malformed, an unknown property or entry, a
    namespace that does not exist, or HCP ran out of memory for the query.

    .. versionadded:: 1.0
    """


class QueryForbiddenError(QueryStatusError):
    """HTTP 403: bad credentials, no permission to search, search disabled for the
    namespace, or a system-level query over HTTP instead of HTTPS.

    .. versionadded:: 1.0
    """


class QueryTooLargeError(QueryStatusError):
    """HTTP 413: the request body is larger than 8 KiB. Raised before sending when the
    SDK sees it (``status`` 413, no ``hcp_message``), else when HCP answers so.

    .. versionadded:: 1.0
    """


class QueryServerError(QueryStatusError):
    """HTTP 500 or 503: HCP failed internally or is too busy; try again later.

    .. versionadded:: 1.0
    """


class QueryLimitError(QueryError):
    """An object query has more matches than offset paging can reach (HCP's offset limit
    is 100,000): narrow it with a range criterion (e.g. on ``ingestTime``) and query the
    ranges one after the other.

    .. versionadded:: 1.0
    """


for _cls in (QueryError, QueryStatusError, QueryRequestError, QueryForbiddenError,
             QueryTooLargeError, QueryServerError, QueryLimitError):
    _cls.__module__ = "hcpsdk.query"
del _cls
