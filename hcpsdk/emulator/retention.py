"""HCP retention expressions: parsing, display and the rules for changing them.

Values (``X-HCP-Retention``): ``0`` deletion allowed, ``-1`` deletion prohibited,
``-2`` initial unspecified, otherwise the end of retention in epoch seconds. Expressions
accepted on PUT/POST: those numbers, a datetime ``yyyy-MM-ddThh:mm:ss±hhmm``, an offset
``A|R|N`` followed by signed amounts of ``y M w d h m s`` (largest unit first, e.g.
``A+10y`` or ``A+20d-5h``; ``A`` = ingest time, ``R`` = current retention end, ``N`` = now)
and a class ``C+<name>``.
"""
from __future__ import annotations

import calendar
import re
import time
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any, NamedTuple

from ..exceptions import HcpsdkError

__all__ = ["RetentionError", "Retention", "parse", "text", "may_change", "blocks_delete"]

DELETION_ALLOWED = 0
DELETION_PROHIBITED = -1
INITIAL_UNSPECIFIED = -2

_SPECIAL = {DELETION_ALLOWED: "Deletion Allowed", DELETION_PROHIBITED: "Deletion Prohibited",
            INITIAL_UNSPECIFIED: "Initial Unspecified"}
_INTEGER = re.compile(r"-?\d+")
_OFFSET = re.compile(r"^([ARN])((?:[+-]\d+[yMwdhms])+)$")
_PART = re.compile(r"([+-])(\d+)([yMwdhms])")
_UNIT_ORDER = "yMwdhms"
_SECONDS = {"w": 604800, "d": 86400, "h": 3600, "m": 60, "s": 1}


class RetentionError(HcpsdkError, ValueError):
    """An invalid retention expression or a forbidden change (HTTP 400)."""


class Retention(NamedTuple):
    """``(value, class_name)``: the numeric retention value and the class ('' if none)."""

    #: The numeric value (0, -1, -2 or epoch seconds).
    value: int
    #: The retention class name, or ''.
    klass: str = ""


def _add_months(dt: datetime, months: int) -> datetime:
    month0 = dt.month - 1 + months
    year, month = dt.year + month0 // 12, month0 % 12 + 1
    day = min(dt.day, calendar.monthrange(year, month)[1])
    return dt.replace(year=year, month=month, day=day)


def _apply_offset(base: int, parts: str) -> int:
    dt = datetime.fromtimestamp(base, UTC)
    last = -1
    for sign, amount, unit in _PART.findall(parts):
        order = _UNIT_ORDER.index(unit)
        if order <= last:
            raise RetentionError(f"units must be given largest first: {parts}")
        last = order
        n = int(amount) * (1 if sign == "+" else -1)
        if unit == "y":
            dt = _add_months(dt, 12 * n)
        elif unit == "M":
            dt = _add_months(dt, n)
        else:
            dt += timedelta(seconds=n * _SECONDS[unit])
    return int(dt.timestamp())


#: Plain numbers parsed so far (a namespace's default retention is parsed on every PUT).
_numbers: dict[str, Retention] = {}


def _number(expr: str) -> Retention:
    value = int(expr)
    if value < INITIAL_UNSPECIFIED:
        raise RetentionError(f"invalid retention value {expr}")
    if len(_numbers) >= 1000:
        _numbers.clear()
    retention = _numbers[expr] = Retention(value)
    return retention


def parse(expr: str, *, ingest: int, current: int = 0,
          classes: Mapping[str, Any] | None = None) -> Retention:
    """Turn a retention expression into a :class:`Retention`.

    :param expr: the expression from the request
    :param ingest: the object's ingest time (epoch seconds), the base of ``A`` offsets
    :param current: the object's current retention value, the base of ``R`` offsets
    :param classes: the namespace's retention classes by name
    :raises RetentionError: for a malformed expression or an unknown class
    """
    known = _numbers.get(expr)
    if known is not None:
        return known
    expr = expr.strip()
    if _INTEGER.fullmatch(expr):
        return _number(expr)
    if expr.startswith("C+"):
        klass = (classes or {}).get(expr[2:])
        if klass is None:
            raise RetentionError(f"unknown retention class {expr[2:]!r}")
        inner = parse(str(klass.value), ingest=ingest, current=current)
        return Retention(inner.value, klass.name)
    match = _OFFSET.match(expr)
    if match:
        base = {"A": ingest, "N": int(time.time()), "R": current if current > 0 else ingest}
        return Retention(_apply_offset(base[match.group(1)], match.group(2)))
    for fmt in ("%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%dT%H:%M:%S"):
        try:
            dt = datetime.strptime(expr, fmt)
        except ValueError:
            continue
        return Retention(int(dt.timestamp()))
    raise RetentionError(f"invalid retention expression {expr!r}")


def text(value: int) -> str:
    """``X-HCP-RetentionString`` for a retention value."""
    special = _SPECIAL.get(value)
    if special is not None:
        return special
    return time.strftime("%Y-%m-%dT%H:%M:%S%z", time.localtime(value))


def _rank(value: int) -> float:
    """Order retention values by how long they protect an object."""
    if value == DELETION_PROHIBITED:
        return float("inf")
    if value in (DELETION_ALLOWED, INITIAL_UNSPECIFIED):
        return float("-inf")
    return value


def may_change(old: Retention, new: Retention,
               class_values: Mapping[str, Any] | None = None) -> str | None:
    """Why retention *old* may not become *new* (an error text), or ``None`` if allowed.

    Retention can only be lengthened; ``-2`` may become anything; an object in a class
    can only move to a class that is not shorter, never to an explicit value.
    """
    if old.value == INITIAL_UNSPECIFIED:
        return None
    if old.klass and not new.klass:
        return "an object in a retention class cannot get an explicit retention value"
    if _rank(new.value) < _rank(old.value):
        return "retention can only be lengthened"
    return None


def blocks_delete(value: int, now: float | None = None) -> bool:
    """True if an object with retention *value* is still under retention."""
    if value == DELETION_ALLOWED:
        return False
    if value in (DELETION_PROHIBITED, INITIAL_UNSPECIFIED):
        return True
    return value > (time.time() if now is None else now)
