"""Argument checks done up front: a wrong argument fails at once, with an error naming it.

Every check raises :class:`~hcpsdk.exceptions.HcpsdkTypeError` (also a ``TypeError``)
for a value of the wrong type and :class:`~hcpsdk.exceptions.HcpsdkArgumentError`
(also a ``ValueError``) for a bad value of the right type; the message names the
call, the parameter and the value (never a secret's value).
"""
from __future__ import annotations

import re
from typing import Any

from ._encoding import check_header
from .exceptions import HcpsdkArgumentError, HcpsdkTypeError

__all__ = ["show", "wrong_type", "bad_value", "number", "integer", "of_type", "method",
           "headers", "amount", "writable"]

_SHOW_MAX = 60
_INFINITY = float("inf")
# an http token (RFC 9110 5.6.2): what a method and a header name consist of
_TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")


def show(value: Any) -> str:
    """``value`` for a message: ``None``, or its type and a shortened ``repr``."""
    if value is None:
        return "None"
    text = repr(value)
    if len(text) > _SHOW_MAX:
        text = text[:_SHOW_MAX - 5] + "[...]"
    return f"{type(value).__name__} {text}"


def wrong_type(call: str, name: str, expected: str, value: Any, secret: bool = False
               ) -> HcpsdkTypeError:
    """The error for ``value`` of the wrong type (``secret``: name its type only)."""
    shown = type(value).__name__ if secret and value is not None else show(value)
    return HcpsdkTypeError(f"{call}: {name} must be {expected}, not {shown}")


def bad_value(call: str, name: str, expected: str, value: Any) -> HcpsdkArgumentError:
    """The error for a bad ``value`` of the right type."""
    return HcpsdkArgumentError(f"{call}: {name} must be {expected}, not {value!r}")


def of_type(call: str, name: str, value: Any, types: Any, expected: str,
            optional: bool = True) -> None:
    """Check ``isinstance(value, types)`` (``None`` passes when ``optional``)."""
    if (value is None and optional) or isinstance(value, types):
        return
    raise wrong_type(call, name, expected, value)


def number(call: str, name: str, value: Any) -> None:
    """Check for a positive, finite number of seconds (int or float, not bool)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise wrong_type(call, name, "a positive number (seconds)", value)
    if not 0 < value < _INFINITY:  # NaN fails too
        raise bad_value(call, name, "a positive number (seconds)", value)


def integer(call: str, name: str, value: Any, low: int, high: int | None = None) -> None:
    """Check for an int (not bool) in ``low..high`` (``high=None``: no upper bound)."""
    expected = (f"an int {low}..{high}" if high is not None
                else f"an int >= {low}")
    if isinstance(value, bool) or not isinstance(value, int):
        raise wrong_type(call, name, expected, value)
    if value < low or (high is not None and value > high):
        raise bad_value(call, name, expected, value)


def method(value: Any) -> str:
    """``value`` as it is sent: an http token, upper-cased (``'get'`` → ``'GET'``)."""
    if not isinstance(value, str):
        raise wrong_type("request", "method", "a str like 'GET'", value)
    if not _TOKEN.fullmatch(value):
        raise bad_value("request", "method", "an http method like 'GET'", value)
    return value.upper()


def headers(value: Any) -> None:
    """Caller headers: a dict of header name → str (or int) value, without CR/LF."""
    items = getattr(value, "items", None)
    if items is None or isinstance(value, type):
        raise wrong_type("request", "headers", "None or a dict of str: str", value)
    for name, text in items():
        if not isinstance(name, str):
            raise wrong_type("request", "headers", "a dict with str keys", name)
        if not _TOKEN.fullmatch(name):
            raise bad_value("request", "a header name", "an http token like 'X-HCP-Foo'", name)
        if isinstance(text, str):
            if "\r" in text or "\n" in text:
                raise HcpsdkArgumentError(f"request: headers: the value of {name!r} contains CR "
                                          "or LF (refused: header injection)")
            if not text.isascii():
                check_header(name, text)
        elif isinstance(text, bool) or not isinstance(text, int):
            raise wrong_type("request", f"headers[{name!r}]", "a str", text, secret=True)


def amount(value: Any) -> int | None:
    """``read()``'s ``amt``: ``None`` or an int; a negative one means "all" (``None``)."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise wrong_type("read", "amt", "None or an int", value)
    return None if value < 0 else value


def writable(call: str, name: str, value: Any) -> memoryview:
    """A writable bytes-like ``value`` (``bytearray``, ``memoryview``, ``array``, ``mmap``
    ...) as a flat memoryview of its bytes."""
    expected = "a writable, contiguous bytes-like object"
    try:
        view = memoryview(value)
    except TypeError:
        raise wrong_type(call, name, expected, value) from None
    if view.readonly or not view.c_contiguous:
        raise wrong_type(call, name, expected, value)
    return view.cast("B") if view.format != "B" or view.ndim != 1 else view
