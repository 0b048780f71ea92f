"""The object properties and the query language of the emulated Metadata Query Engine.

Understood (and nothing else, so that a client relying on more fails here first):

* clauses ``[+|-]criterion`` separated by white space, ``(…)`` groups of clauses; with a
  ``+`` clause present the un-prefixed ones only rank, without one at least one
  un-prefixed clause must match; clauses that are all ``-`` match everything else;
* ``property:value`` with a quoted value (``"…"``, backslash escapes ``\\"`` and ``\\\\``), a
  bare value (``\\`` escapes any character; unescaped ``*`` and ``?`` are wildcards), a
  range ``[a TO b]`` (inclusive) or ``{a TO b}`` (exclusive) with ``*`` for an open end, or
  a value list ``(v1 v2)`` / ``(+v1 -v2)``;
* ``*:*`` (every object).

The words ``AND``, ``OR`` and ``NOT`` are refused (HCP's documentation shows only the
``+``/``-`` forms). Errors raise :class:`~hcpsdk.emulator.store.StoreError` with status 400.
"""
from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import quote

from . import retention as _ret
from .listing import time_string
from .store import StoreError

__all__ = ["PROPERTIES", "QUERY_ONLY", "Clause", "parse", "matches", "score", "value",
           "url_name", "facet_value", "FACETS"]


def url_name(ns: Any, path: str) -> str:
    """The ``urlName`` of object *path* of namespace *ns*."""
    return f"https://{ns.fqdn}/rest/{quote(path)}"


def _secs(change_ms: str) -> int:
    return int(change_ms.partition(".")[0]) // 1000


def _string_time(seconds: int) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S%z", time.localtime(seconds))


def _owner(ns: Any, path: str, row: Any) -> str:
    return f"USER,{ns.tenant.name},{row.owner}" if row.owner else ""


Getter = Callable[[Any, str, Any], Any]

#: property -> (kind, getter(namespace, path, row)); kinds: num, bool, str, time, multi
PROPERTIES: dict[str, tuple[str, Getter]] = {
    "accessTime": ("num", lambda ns, p, r: r.ingest_time),
    "accessTimeString": ("time", lambda ns, p, r: _string_time(r.ingest_time)),
    "acl": ("bool", lambda ns, p, r: r.acl is not None),
    "changeTimeMilliseconds": ("num", lambda ns, p, r: r.change_ms),
    "changeTimeString": ("time", lambda ns, p, r: time_string(r.change_ms)),
    "customMetadata": ("bool", lambda ns, p, r: bool(r.annotations)),
    "customMetadataAnnotation": ("multi", lambda ns, p, r: ",".join(r.annotations)),
    "dpl": ("num", lambda ns, p, r: ns.dpl),
    "gid": ("num", lambda ns, p, r: 0),
    "hash": ("str", lambda ns, p, r: r.hash),
    "hashScheme": ("str", lambda ns, p, r: ns.hash_scheme),
    "hold": ("bool", lambda ns, p, r: r.hold),
    "index": ("bool", lambda ns, p, r: r.index),
    "ingestTime": ("num", lambda ns, p, r: r.ingest_time),
    "ingestTimeString": ("time", lambda ns, p, r: _string_time(r.ingest_time)),
    "namespace": ("str", lambda ns, p, r: f"{ns.name}.{ns.tenant.name}"),
    "objectPath": ("str", lambda ns, p, r: "/" + p),
    "operation": ("str", lambda ns, p, r: getattr(r, "operation", "CREATED")),
    "owner": ("str", _owner),
    "permissions": ("num", lambda ns, p, r: 555),
    "replicated": ("bool", lambda ns, p, r: r.replicated),
    "replicationCollision": ("bool", lambda ns, p, r: False),
    "retention": ("num", lambda ns, p, r: r.retention),
    "retentionClass": ("str", lambda ns, p, r: r.retention_class),
    "retentionString": ("str", lambda ns, p, r: _ret.text(r.retention)),
    "shred": ("bool", lambda ns, p, r: r.shred),
    "size": ("num", lambda ns, p, r: r.size),
    "type": ("str", lambda ns, p, r: "object"),
    "uid": ("num", lambda ns, p, r: 0),
    "updateTime": ("num", lambda ns, p, r: _secs(r.change_ms)),
    "updateTimeString": ("time", lambda ns, p, r: time_string(r.change_ms)),
    "urlName": ("str", lambda ns, p, r: url_name(ns, p)),
    "utf8Name": ("str", lambda ns, p, r: p.rpartition("/")[2]),
    "version": ("num", lambda ns, p, r: r.version_id),
}

#: Properties usable in a query only (never returned, never sorted on).
QUERY_ONLY: dict[str, tuple[str, Getter]] = {
    "customMetadataContent": ("content", lambda ns, p, r: " ".join(
        a.data.decode("utf-8", "replace") for a in r.annotations.values()).lower()),
    "aclGrant": ("str", lambda ns, p, r: ""),
}

#: Facets the emulator computes.
FACETS = ("hold", "namespace", "retention", "retentionClass")


def value(name: str, ns: Any, path: str, row: Any) -> Any:
    """Property *name* of object *path* (stored version or change-log record *row*)."""
    return PROPERTIES[name][1](ns, path, row)


def facet_value(name: str, ns: Any, path: str, row: Any) -> str:
    """The facet bucket of an object for facet *name*."""
    if name == "retention":
        r = row.retention
        if r == _ret.INITIAL_UNSPECIFIED:
            return "initialUnspecified"
        if r == _ret.DELETION_PROHIBITED:
            return "neverDeletable"
        return "not expired" if r > time.time() else "expired"
    got = value(name, ns, path, row)
    return ("true" if got else "false") if isinstance(got, bool) else str(got)


# ------------------------------------------------------------------------- parsing


@dataclass
class Term:
    """A value to compare with: exact, wildcard (regex) or range."""

    kind: str                    # exact | wild | range
    text: str = ""
    regex: re.Pattern[str] | None = None
    low: str | None = None
    high: str | None = None
    low_in: bool = True
    high_in: bool = True


@dataclass
class Clause:
    """``op`` is ``+``, ``-`` or ``""``; either a group of clauses or a property test."""

    op: str
    group: list[Clause] | None = None
    prop: str = ""
    terms: list[tuple[str, Term]] | None = None    # (op, term) of a value list


class _Parser:
    def __init__(self, text: str) -> None:
        self.s = text
        self.i = 0

    def fail(self, why: str) -> StoreError:
        return StoreError(400, f"invalid query expression at position {self.i}: {why}")

    def ws(self) -> None:
        while self.i < len(self.s) and self.s[self.i].isspace():
            self.i += 1

    def peek(self) -> str:
        return self.s[self.i] if self.i < len(self.s) else ""

    def clauses(self, closing: str) -> list[Clause]:
        out: list[Clause] = []
        while True:
            self.ws()
            c = self.peek()
            if c == closing:
                break
            if not c:
                raise self.fail("missing )")
            op = ""
            if c in "+-":
                op = c
                self.i += 1
            if self.peek() == "(":
                self.i += 1
                group = self.clauses(")")
                self.i += 1
                out.append(Clause(op, group=group))
            else:
                out.append(self.criterion(op))
        if not out:
            raise self.fail("empty expression")
        return out

    def criterion(self, op: str) -> Clause:
        if self.s.startswith("*:*", self.i):
            self.i += 3
            return Clause(op, prop="*")
        m = re.compile(r"[A-Za-z_][A-Za-z0-9_.]*").match(self.s, self.i)
        if m is None:
            raise self.fail("a property name is expected")
        name = m.group()
        self.i = m.end()
        if self.peek() != ":":
            if name in ("AND", "OR", "NOT"):
                raise self.fail(f"the word {name} is not supported: use + and -")
            raise self.fail(f"':' expected after {name!r}")
        if name not in PROPERTIES and name not in QUERY_ONLY:
            raise StoreError(400, f"unknown property {name!r} in query")
        self.i += 1
        if self.peek() == "(":
            self.i += 1
            terms: list[tuple[str, Term]] = []
            while True:
                self.ws()
                c = self.peek()
                if c == ")":
                    self.i += 1
                    break
                if not c:
                    raise self.fail("missing )")
                vop = ""
                if c in "+-":
                    vop, self.i = c, self.i + 1
                terms.append((vop, self.term()))
            if not terms:
                raise self.fail("empty value list")
            return Clause(op, prop=name, terms=terms)
        return Clause(op, prop=name, terms=[("", self.term())])

    def term(self) -> Term:
        c = self.peek()
        if c == '"':
            return Term("exact", self.quoted())
        if c in "[{":
            return self.range()
        text, pattern, wild = self.bare()
        if not text:
            raise self.fail("a value is expected")
        if wild:
            return Term("wild", text, re.compile(pattern, re.S))
        return Term("exact", text)

    def quoted(self) -> str:
        self.i += 1
        out: list[str] = []
        while True:
            c = self.peek()
            if not c:
                raise self.fail("unterminated quoted value")
            self.i += 1
            if c == '"':
                return "".join(out)
            if c == "\\":
                c = self.peek()
                if not c:
                    raise self.fail("unterminated escape")
                self.i += 1
            out.append(c)

    def bare(self) -> tuple[str, str, bool]:
        text, pattern, wild = [], [], False
        while True:
            c = self.peek()
            if not c or c.isspace() or c in ")]}":
                break
            self.i += 1
            if c == "\\":
                c = self.peek()
                if not c:
                    raise self.fail("unterminated escape")
                self.i += 1
                text.append(c)
                pattern.append(re.escape(c))
            elif c in "*?":
                wild = True
                text.append(c)
                pattern.append(".*" if c == "*" else ".")
            else:
                text.append(c)
                pattern.append(re.escape(c))
        return "".join(text), "".join(pattern), wild

    def range(self) -> Term:
        low_in = self.peek() == "["
        self.i += 1
        self.ws()
        low = self.bound()
        self.ws()
        if not self.s.startswith("TO", self.i):
            raise self.fail("TO expected in range")
        self.i += 2
        self.ws()
        high = self.bound()
        self.ws()
        c = self.peek()
        if c not in "]}" or not c:
            raise self.fail("] or } expected")
        self.i += 1
        return Term("range", low=low, high=high, low_in=low_in, high_in=c == "]")

    def bound(self) -> str | None:
        if self.peek() == '"':
            return self.quoted()
        text, _, wild = self.bare()
        if text == "*":
            return None
        if not text or wild:
            raise self.fail("a range bound is expected")
        return text


def parse(text: str) -> list[Clause]:
    """Parse a query expression.

    :raises StoreError: 400 naming the problem
    """
    clauses = _Parser(text).clauses("")
    _check_values(clauses)
    return clauses


def _check_values(clauses: list[Clause]) -> None:
    """400 for a value the property's kind can't take (before any object is looked at)."""
    for clause in clauses:
        if clause.group is not None:
            _check_values(clause.group)
            continue
        kind = (PROPERTIES.get(clause.prop) or QUERY_ONLY.get(clause.prop) or ("any",))[0]
        for _, term in clause.terms or ():
            if kind == "bool" and (term.kind != "exact" or term.text.lower() not in ("true", "false")):
                raise StoreError(400, f"not a boolean for {clause.prop}: {term.text!r}")
            if kind in ("num", "time"):
                for text in (term.text if term.kind == "exact" else None, term.low, term.high):
                    if text is not None:
                        _comparable(kind, text)


# ------------------------------------------------------------------------- matching


def _num(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise StoreError(400, f"not a number: {text!r}") from None


def _epoch(text: str) -> float:
    try:
        return datetime.fromisoformat(text).timestamp()
    except ValueError:
        raise StoreError(400, f"not a date and time (yyyy-MM-ddTHH:mm:ss): {text!r}") from None


def _comparable(kind: str, text: str) -> Any:
    if kind == "num":
        return _num(text)
    if kind == "time":
        return _epoch(text)
    return text


def _own(kind: str, got: Any) -> Any:
    if kind == "num":
        return float(got)
    if kind == "time":
        return _epoch(got)
    return got


def _term_matches(kind: str, term: Term, got: Any) -> bool:
    if kind == "multi":
        return any(_term_matches("str", term, one) for one in got.split(",") if one)
    if kind == "content":
        words = term.text.lower()
        if term.kind == "wild":
            return term.regex is not None and bool(re.search(term.regex.pattern, got, re.I))
        return words in str(got)
    if kind == "bool":
        if term.kind != "exact" or term.text.lower() not in ("true", "false"):
            raise StoreError(400, f"not a boolean: {term.text!r}")
        return bool(got) == (term.text.lower() == "true")
    if term.kind == "exact":
        if kind == "str":
            return bool(got == term.text)
        return bool(_own(kind, got) == _comparable(kind, term.text))
    if term.kind == "wild":
        return term.regex is not None and term.regex.fullmatch(str(got)) is not None
    own = _own(kind, got)
    if term.low is not None:
        low = _comparable(kind, term.low)
        if own < low or (own == low and not term.low_in):
            return False
    if term.high is not None:
        high = _comparable(kind, term.high)
        if own > high or (own == high and not term.high_in):
            return False
    return True


def _clause_matches(clause: Clause, ns: Any, path: str, row: Any) -> bool:
    if clause.group is not None:
        return matches(clause.group, ns, path, row)
    if clause.prop == "*":
        return True
    kind, getter = PROPERTIES.get(clause.prop) or QUERY_ONLY[clause.prop]
    got = getter(ns, path, row)
    terms = clause.terms or []
    musts = [t for op, t in terms if op == "+"]
    nots = [t for op, t in terms if op == "-"]
    shoulds = [t for op, t in terms if op == ""]
    if any(not _term_matches(kind, t, got) for t in musts):
        return False
    if any(_term_matches(kind, t, got) for t in nots):
        return False
    return not shoulds or bool(musts) or any(_term_matches(kind, t, got) for t in shoulds)


def matches(clauses: list[Clause], ns: Any, path: str, row: Any) -> bool:
    """Whether an object matches the clauses (see the module description)."""
    should_seen = should_hit = must_seen = False
    for clause in clauses:
        if clause.op == "+":
            must_seen = True
            if not _clause_matches(clause, ns, path, row):
                return False
        elif clause.op == "-":
            if _clause_matches(clause, ns, path, row):
                return False
        else:
            should_seen = True
            if not should_hit and _clause_matches(clause, ns, path, row):
                should_hit = True
    return must_seen or should_hit or not should_seen


def score(clauses: list[Clause], ns: Any, path: str, row: Any) -> int:
    """How many of the positive clauses an object matches (the relevance order)."""
    return sum(1 for c in clauses if c.op != "-" and _clause_matches(c, ns, path, row))
