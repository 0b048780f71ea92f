"""Query expressions built from Python values, quoted the way HCP's query language needs.

::

    from hcpsdk.query import prop
    expr = prop("namespace").eq("n1.m") & prop("size").between(0, 1024) & ~prop("hold").eq(True)
    str(expr)   # '+namespace:"n1.m" +size:[0 TO 1024] -hold:true'

``a & b`` needs both (``+a +b``), ``a | b`` either (``(a b)``), ``~a`` excludes (``-a``).
Values are never pasted into the text: strings are quoted with ``\\`` before ``"`` and
``\\``, patterns (:meth:`Property.like`) escape every character that is not a letter, a
digit or a wildcard, numbers below zero are quoted as HCP requires, datetimes become
epoch seconds (``…Time``), milliseconds (``changeTimeMilliseconds``) or
``yyyy-MM-ddTHH:mm:ss`` (``…TimeString``). A value of the wrong type for the property
raises :class:`~hcpsdk.HcpsdkTypeError` at once.
"""
from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from hcpsdk._check import bad_value, wrong_type

__all__ = ["Expression", "Property", "prop", "all_of", "any_of", "not_", "everything",
           "PROPERTY_KINDS"]

#: Properties of HCP's query language and the kind of value each takes: ``num`` (int),
#: ``ms`` (int milliseconds), ``secs`` (int epoch seconds), ``bool``, ``str``,
#: ``time`` (``…TimeString``), ``text`` (query only). Other names are content properties
#: (strings).
PROPERTY_KINDS: dict[str, str] = {
    "accessTime": "secs", "accessTimeString": "time", "acl": "bool", "aclGrant": "text",
    "changeTimeMilliseconds": "ms", "changeTimeString": "time", "customMetadata": "bool",
    "customMetadataAnnotation": "str", "customMetadataContent": "text", "dpl": "num",
    "gid": "num", "hash": "str", "hashScheme": "str", "hold": "bool", "index": "bool",
    "ingestTime": "secs", "ingestTimeString": "time", "namespace": "str", "objectPath": "str",
    "operation": "str", "owner": "str", "permissions": "num", "replicated": "bool",
    "replicationCollision": "bool", "retention": "num", "retentionClass": "str",
    "retentionString": "str", "shred": "bool", "size": "num", "type": "str", "uid": "num",
    "updateTime": "secs", "updateTimeString": "time", "urlName": "str", "utf8Name": "str",
    "version": "num",
}

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_CALL = "hcpsdk.query.prop"


class Expression:
    """A query expression; ``str()`` gives the text HCP receives."""

    def clause(self) -> str:
        """The text of this expression as one clause of a larger expression."""
        raise NotImplementedError

    def text(self) -> str:
        """The text of this expression as a whole query."""
        return self.clause()

    def __str__(self) -> str:
        return self.text()

    def __repr__(self) -> str:
        return f"<Expression {self.text()!r}>"

    def __and__(self, other: Expression) -> Expression:
        return all_of(self, other)

    def __or__(self, other: Expression) -> Expression:
        return any_of(self, other)

    def __invert__(self) -> Expression:
        return not_(self)


class _Criterion(Expression):
    def __init__(self, text: str) -> None:
        self._text = text

    def clause(self) -> str:
        return self._text


class _Not(Expression):
    def __init__(self, inner: Expression) -> None:
        self.inner = inner

    def clause(self) -> str:
        return f"(+*:* -{self.inner.clause()})"

    def text(self) -> str:
        return f"+*:* -{self.inner.clause()}"


class _AllOf(Expression):
    def __init__(self, parts: list[Expression]) -> None:
        self.parts = parts

    def text(self) -> str:
        words = [f"-{p.inner.clause()}" if isinstance(p, _Not) else f"+{p.clause()}"
                 for p in self.parts]
        if all(isinstance(p, _Not) for p in self.parts):
            words.insert(0, "+*:*")
        return " ".join(words)

    def clause(self) -> str:
        return f"({self.text()})"


class _AnyOf(Expression):
    def __init__(self, parts: list[Expression]) -> None:
        self.parts = parts

    def text(self) -> str:
        return " ".join(p.clause() for p in self.parts)

    def clause(self) -> str:
        return f"({self.text()})"


def _expressions(call: str, parts: tuple[Any, ...]) -> list[Expression]:
    if not parts:
        raise bad_value(call, "expressions", "at least one expression", parts)
    for part in parts:
        if not isinstance(part, Expression):
            raise wrong_type(call, "expressions", "Expression objects", part)
    return list(parts)


def all_of(*parts: Expression) -> Expression:
    """Objects matching every one of *parts* (``+a +b``; a negated part becomes ``-x``)."""
    flat: list[Expression] = []
    for part in _expressions("hcpsdk.query.all_of", parts):
        flat += part.parts if isinstance(part, _AllOf) else [part]
    return flat[0] if len(flat) == 1 and not isinstance(flat[0], _Not) else _AllOf(flat)


def any_of(*parts: Expression) -> Expression:
    """Objects matching at least one of *parts* (``(a b)``)."""
    flat: list[Expression] = []
    for part in _expressions("hcpsdk.query.any_of", parts):
        flat += part.parts if isinstance(part, _AnyOf) else [part]
    return flat[0] if len(flat) == 1 else _AnyOf(flat)


def not_(part: Expression) -> Expression:
    """Objects not matching *part* (``-x``, with ``*:*`` when nothing else is required)."""
    (inner,) = _expressions("hcpsdk.query.not_", (part,))
    return inner.inner if isinstance(inner, _Not) else _Not(inner)


def everything() -> Expression:
    """Every object (``*:*``)."""
    return _Criterion("*:*")


# ------------------------------------------------------------------------- values


def _quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _pattern(text: str, wild: str = "*?") -> str:
    return "".join(c if c.isalnum() or c in wild else "\\" + c for c in text)


def prop(name: str) -> Property:
    """The property *name* of HCP's query language (or a content property's name).

    :raises HcpsdkTypeError: if *name* is not a string
    :raises HcpsdkArgumentError: if *name* is not a property name
    """
    if not isinstance(name, str):
        raise wrong_type(_CALL, "name", "a str", name)
    if not _NAME.fullmatch(name):
        raise bad_value(_CALL, "name", "a property name like 'size'", name)
    return Property(name)


class Property:
    """A property to compare with values; made by :func:`prop`.

    .. versionadded:: 1.0
    """

    def __init__(self, name: str) -> None:
        self.name = name
        self.kind = PROPERTY_KINDS.get(name, "str")

    def __repr__(self) -> str:
        return f"prop({self.name!r})"

    def _value(self, value: Any, in_range: bool = False) -> str:
        kind, call = self.kind, f"prop({self.name!r})"
        if kind == "bool":
            if not isinstance(value, bool):
                raise wrong_type(call, "value", "a bool", value)
            return "true" if value else "false"
        if kind in ("num", "secs", "ms"):
            if isinstance(value, datetime) and kind != "num":
                value = int(value.timestamp() * (1000 if kind == "ms" else 1))
            if isinstance(value, bool) or not isinstance(value, int):
                expected = "an int" if kind == "num" else "an int or a datetime"
                raise wrong_type(call, "value", expected, value)
            return _quoted(str(value)) if value < 0 else str(value)
        if kind == "time":
            if not isinstance(value, datetime):
                raise wrong_type(call, "value", "a datetime", value)
            text = value.strftime("%Y-%m-%dT%H:%M:%S")
            return text if in_range else _quoted(text)
        if not isinstance(value, str):
            raise wrong_type(call, "value", "a str", value)
        return _quoted(value)

    def eq(self, value: Any) -> Expression:
        """Objects whose property equals *value* (``name:"value"``)."""
        return _Criterion(f"{self.name}:{self._value(value)}")

    def one_of(self, *values: Any) -> Expression:
        """Objects whose property equals one of *values* (``name:(v1 v2)``)."""
        if not values:
            raise bad_value(f"prop({self.name!r}).one_of", "values", "at least one value", values)
        return _Criterion(f"{self.name}:({' '.join(self._value(v) for v in values)})")

    def between(self, low: Any, high: Any, *, inclusive: bool = True) -> Expression:
        """Objects whose property lies between *low* and *high* (``[low TO high]``;
        ``{low TO high}`` when not *inclusive*). ``None`` leaves that end open (``*``)."""
        lo = "*" if low is None else self._value(low, True)
        hi = "*" if high is None else self._value(high, True)
        return _Criterion(f"{self.name}:{'[' if inclusive else '{'}{lo} TO {hi}"
                          f"{']' if inclusive else '}'}")

    def at_least(self, low: Any) -> Expression:
        """Objects whose property is *low* or more."""
        return self.between(low, None)

    def at_most(self, high: Any) -> Expression:
        """Objects whose property is *high* or less."""
        return self.between(None, high)

    def like(self, pattern: str) -> Expression:
        """Objects whose property matches *pattern*: ``*`` any characters, ``?`` one;
        every other character stands for itself."""
        if not isinstance(pattern, str):
            raise wrong_type(f"prop({self.name!r}).like", "pattern", "a str", pattern)
        if not pattern:
            raise bad_value(f"prop({self.name!r}).like", "pattern", "a non-empty str", pattern)
        return _Criterion(f"{self.name}:{_pattern(pattern)}")

    def startswith(self, prefix: str) -> Expression:
        """Objects whose property starts with *prefix* (taken literally)."""
        if not isinstance(prefix, str):
            raise wrong_type(f"prop({self.name!r}).startswith", "prefix", "a str", prefix)
        return _Criterion(f"{self.name}:{_pattern(prefix, '')}*")
