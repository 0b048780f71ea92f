"""Encode request paths and query parameters exactly once.

Encoding twice would turn a name's ``%`` into ``%25`` and address another object;
encoding in one place, once, is what keeps names that contain ``%``, ``?`` or
spaces reachable.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, TypeAlias
from urllib.parse import quote

from ._check import bad_value, wrong_type

__all__ = ["Params", "quote_path", "encode_params", "build_url"]

#: Query parameters as a request takes them: a dict, or a list of (name, value) pairs.
Params: TypeAlias = Mapping[str, Any] | Iterable[tuple[str, Any]] | None

# Paths made of unreserved characters only need no work at all: the usual case.
_PLAIN_PATH = re.compile(r"[A-Za-z0-9_.~/-]*")
# A '%' that does not start a %XX escape is a literal percent sign.
_STRAY_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")


def quote_path(url: str | bytes) -> str:
    """Percent-encode a request path once: UTF-8, ``/`` kept, existing ``%XX`` kept.

    :param url: the path, e.g. ``/rest/dir/a b.txt``
    :returns: the path as it goes on the wire, e.g. ``/rest/dir/a%20b.txt``
    """
    if isinstance(url, bytes):
        # the bytes as they are: a name that is no UTF-8 is still that name
        return quote(re.sub(_STRAY_PERCENT.pattern.encode(), b"%25", url), safe="/%")
    if _PLAIN_PATH.fullmatch(url):
        return url
    return quote(_STRAY_PERCENT.sub("%25", url), safe="/%")


def _text(value: Any) -> str | bytes:
    if value is None:
        return ""
    if value is True or value is False:
        return "true" if value else "false"
    if isinstance(value, (bytes, bytearray)):
        return bytes(value)  # sent as its text (as 0.9.5's urlencode did), not as "b'...'"
    return value if isinstance(value, str) else str(value)


_PARAMS = "None, a dict or a list of (name, value) 2-tuples"


def _items(params: Any) -> Iterator[tuple[Any, Any]]:
    """The (name, value) pairs of ``params``, checked while they are taken."""
    if hasattr(params, "items"):
        yield from params.items()
        return
    if isinstance(params, (str, bytes, bytearray)) or not hasattr(params, "__iter__"):
        raise wrong_type("request", "params", _PARAMS, params)
    for index, item in enumerate(params):
        if not isinstance(item, (tuple, list)) or len(item) != 2:
            raise wrong_type("request", f"params[{index}]", "a (name, value) 2-tuple",
                             item)
        yield item[0], item[1]


def encode_params(params: Params) -> str:
    """Encode query parameters with ``quote`` rules (space → ``%20``, ``+`` → ``%2B``).

    :param params: a dict or a list of 2-tuples; ``None``/empty gives ``''``
    :returns: ``''`` or ``'?k=v&...'``
    :raises HcpsdkTypeError: when ``params`` is something else (e.g. a str)
    """
    if params is None:
        return ""
    items = params.items() if type(params) is dict else _items(params)
    query = "&".join(quote(_text(key), safe="") + "=" + quote(_text(value), safe="")
                     for key, value in items)
    return "?" + query if query else ""


def _checked(url: Any) -> str | bytes:
    if not isinstance(url, (str, bytes)):
        raise wrong_type("request", "url", "a str like '/rest/dir/object'", url)
    if url[:1] != ("/" if isinstance(url, str) else b"/"):
        raise bad_value("request", "url", "a path starting with '/' like '/rest/dir/object'",
                        url)
    return url


def build_url(url: str | bytes, params: Params = None) -> str:
    """The request target: encoded path plus encoded parameters.

    :raises HcpsdkTypeError: when ``url`` is no str or ``params`` no dict/list of 2-tuples
    :raises HcpsdkArgumentError: when ``url`` does not start with ``/``
    """
    try:
        if type(url) is str and url[:1] == "/" and _PLAIN_PATH.fullmatch(url):
            path = url
        else:
            path = quote_path(_checked(url))
        if params is None:
            return path
        return path + encode_params(params)
    except UnicodeEncodeError:
        from ._encoding import unencodable_url  # only for text UTF-8 can't carry
        pairs = list(_items(params)) if params is not None else []
        raise unencodable_url(url, pairs) from None
