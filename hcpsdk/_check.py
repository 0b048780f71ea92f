"""Argument checks done up front: a wrong argument fails at once, with an error naming it.

Every check raises :class:`~hcpsdk.exceptions.HcpsdkTypeError` (also a ``TypeError``)
for a value of the wrong type and :class:`~hcpsdk.exceptions.HcpsdkArgumentError`
(also a ``ValueError``) for a bad value of the right type; the message names the
call, the parameter and the value (never a secret's value).
"""
from __future__ import annotations

from .exceptions import HcpsdkArgumentError, HcpsdkTypeError

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing costs import time; annotations are strings here
    from typing import Any

__all__ = ["show", "wrong_type", "bad_value", "number", "integer", "of_type"]

_SHOW_MAX = 60
_INFINITY = float("inf")


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
