"""Encode request paths and query parameters exactly once (DECISIONS #2)."""
from __future__ import annotations

import re
from urllib.parse import quote

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing costs import time; annotations are strings here
    from typing import Any, Iterable, Mapping, Union

    Params = Union[Mapping[str, Any], Iterable[tuple[str, Any]], None]

__all__ = ["quote_path", "encode_params", "build_url"]


# Paths made of unreserved characters only need no work at all: the usual case.
_PLAIN_PATH = re.compile(r"[A-Za-z0-9_.~/-]*").fullmatch
# A '%' that does not start a %XX escape is a literal percent sign.
_STRAY_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")


def quote_path(url: Union[str, bytes]) -> str:
    """Percent-encode a request path once: UTF-8, ``/`` kept, existing ``%XX`` kept.

    :param url: the path, e.g. ``/rest/dir/a b.txt``
    :returns: the path as it goes on the wire, e.g. ``/rest/dir/a%20b.txt``
    """
    if isinstance(url, bytes):
        url = url.decode("utf-8", "surrogateescape")
    if _PLAIN_PATH(url):
        return url
    return quote(_STRAY_PERCENT.sub("%25", url), safe="/%")


def _text(value: Any) -> str:
    if value is None:
        return ""
    if value is True or value is False:
        return "true" if value else "false"
    return value if isinstance(value, str) else str(value)


def encode_params(params: Params) -> str:
    """Encode query parameters with ``quote`` rules (space → ``%20``, ``+`` → ``%2B``).

    :param params: a dict or a list of 2-tuples; ``None``/empty gives ``''``
    :returns: ``''`` or ``'?k=v&...'``
    """
    if not params:
        return ""
    items = params.items() if hasattr(params, "items") else params
    return "?" + "&".join(
        quote(_text(key), safe="") + "=" + quote(_text(value), safe="") for key, value in items)


def build_url(url: Union[str, bytes], params: Params = None) -> str:
    """The request target: encoded path plus encoded parameters."""
    if params:
        return quote_path(url) + encode_params(params)
    if type(url) is str and _PLAIN_PATH(url):
        return url
    return quote_path(url)
