"""The change-feed cursor: what to follow and where the reader stands, storable as JSON."""
from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, replace
from datetime import datetime
from typing import Any

from hcpsdk._check import bad_value, wrong_type

from .records import ObjectRecord

__all__ = ["ChangeCursor", "TRANSACTIONS"]

#: The transaction types of operation queries.
TRANSACTIONS = ("create", "delete", "dispose", "prune", "purge")
_CALL = "hcpsdk.query.ChangeCursor"


def _ms(name: str, value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return int(value.timestamp() * 1000)
    if isinstance(value, bool) or not isinstance(value, int):
        raise wrong_type(_CALL, name, "an int (ms since the epoch), a datetime or None", value)
    if value < 0:
        raise bad_value(_CALL, name, "a time not before the epoch", value)
    return value


def _strings(name: str, values: Iterable[str]) -> tuple[str, ...]:
    if isinstance(values, str):
        raise wrong_type(_CALL, name, "a list of str (not one str)", values)
    out = tuple(values)
    for value in out:
        if not isinstance(value, str) or not value:
            raise wrong_type(_CALL, name, "a list of non-empty str", value)
    return out


@dataclass(frozen=True)
class ChangeCursor:
    """Where a reader of the change feed (operation queries) stands, and what it follows.

    Make one with the filters, hand it to :meth:`hcpsdk.query.Search.changes`, and store
    the cursor the results give back (:meth:`to_json`); after a restart
    :meth:`from_json` continues exactly after the last record the reader processed::

        cursor = ChangeCursor(namespaces=["n1.m"], transactions=["create", "delete"])

    :param namespaces: ``namespace.tenant`` names (empty: every namespace searchable)
    :param directories: directories inside the namespaces (``/a``)
    :param transactions: some of :data:`TRANSACTIONS` (empty: all)
    :param start: the window's start: ms since the epoch or a datetime (``None``: 0)
    :param end: the window's end (``None``: HCP's default, the request time minus a minute)
    :param indexable: only objects with (``True``) or without (``False``) ``index``
    :param properties: object properties to return beyond the always-present four
    :param verbose: return every property
    :param last_url_name: ``urlName`` of the last record read (``None``: from the start)
    :param last_change_time_ms: its ``changeTimeMilliseconds`` text
    :param last_version: its version
    :raises HcpsdkTypeError: for an argument of the wrong type
    :raises HcpsdkArgumentError: for an unknown transaction or a bad value

    .. versionadded:: 1.0
    """

    namespaces: tuple[str, ...] = ()
    directories: tuple[str, ...] = ()
    transactions: tuple[str, ...] = ()
    start: int | None = None
    end: int | None = None
    indexable: bool | None = None
    properties: tuple[str, ...] = ()
    verbose: bool = False
    last_url_name: str | None = None
    last_change_time_ms: str | None = None
    last_version: int | None = None

    def __post_init__(self) -> None:
        for name in ("namespaces", "directories", "transactions", "properties"):
            object.__setattr__(self, name, _strings(name, getattr(self, name)))
        for t in self.transactions:
            if t not in TRANSACTIONS:
                raise bad_value(_CALL, "transactions", f"some of {', '.join(TRANSACTIONS)}", t)
        for d in self.directories:
            if not d.startswith("/"):
                raise bad_value(_CALL, "directories", "paths starting with '/'", d)
        object.__setattr__(self, "start", _ms("start", self.start))
        object.__setattr__(self, "end", _ms("end", self.end))
        if self.indexable is not None and not isinstance(self.indexable, bool):
            raise wrong_type(_CALL, "indexable", "a bool or None", self.indexable)
        if not isinstance(self.verbose, bool):
            raise wrong_type(_CALL, "verbose", "a bool", self.verbose)
        last = (self.last_url_name, self.last_change_time_ms, self.last_version)
        if any(x is not None for x in last) and not (
                isinstance(last[0], str) and isinstance(last[1], str)
                and isinstance(last[2], int) and not isinstance(last[2], bool)):
            raise wrong_type(_CALL, "last_*", "a str, a str and an int (all three or none)",
                             last)

    def after(self, record: ObjectRecord) -> ChangeCursor:
        """This cursor moved past *record*."""
        return replace(self, last_url_name=record.url_name,
                       last_change_time_ms=record.change_time_ms, last_version=record.version)

    def system_metadata(self) -> dict[str, Any]:
        """The ``systemMetadata`` entry of the request (JSON shape)."""
        meta: dict[str, Any] = {}
        window = {k: v for k, v in (("start", self.start), ("end", self.end)) if v is not None}
        if window:
            meta["changeTime"] = window
        if self.directories:
            meta["directories"] = {"directory": list(self.directories)}
        if self.namespaces:
            meta["namespaces"] = {"namespace": list(self.namespaces)}
        if self.transactions:
            meta["transactions"] = {"transaction": list(self.transactions)}
        if self.indexable is not None:
            meta["indexable"] = self.indexable
        return meta

    def last_result(self) -> dict[str, Any] | None:
        """The ``lastResult`` entry of the request, ``None`` at the start."""
        if self.last_url_name is None:
            return None
        return {"urlName": self.last_url_name, "changeTimeMilliseconds": self.last_change_time_ms,
                "version": self.last_version}

    def to_dict(self) -> dict[str, Any]:
        """A dict of plain JSON values (see :meth:`from_dict`)."""
        return {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(self).items()}

    def to_json(self) -> str:
        """The cursor as a JSON text."""
        return json.dumps(self.to_dict(), ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ChangeCursor:
        """The cursor :meth:`to_dict` made.

        :raises HcpsdkArgumentError: for unknown keys; type errors as the constructor
        """
        if not isinstance(data, Mapping):
            raise wrong_type(_CALL + ".from_dict", "data", "a mapping", data)
        unknown = set(data) - set(cls.__dataclass_fields__)
        if unknown:
            raise bad_value(_CALL + ".from_dict", "data", "the keys of to_dict()",
                            sorted(unknown))
        return cls(**data)

    @classmethod
    def from_json(cls, text: str) -> ChangeCursor:
        """The cursor :meth:`to_json` made.

        :raises HcpsdkArgumentError: if *text* is not such a JSON text
        """
        try:
            data = json.loads(text)
        except (TypeError, ValueError) as exc:
            raise bad_value(_CALL + ".from_json", "text", "a cursor's JSON", text) from exc
        return cls.from_dict(data)
