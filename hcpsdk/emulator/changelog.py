"""The change log behind the emulator's operation-based queries (HCP's change feed).

HCP keeps one record per object *version*: the version's state (``CREATED``,
``DELETED``, ``PURGED``, ...) at its latest change time. A metadata change moves the
version's record to the new change time, so a reader following the feed sees the version
again; a delete of an object without versioning turns its record into a ``DELETED`` one; a
purge turns every version's record into a ``PURGED`` one. The log here keeps exactly that:
records in the order they changed, a record superseded by a newer one left in place as a
dead entry so that a cursor pointing at it still finds its position.

The log is kept per :class:`~hcpsdk.emulator.model.System` as its ``journal``, which
every object store tells of each change (:func:`attach`, called when the emulator starts).
Objects that exist when it attaches (a reloaded data directory, objects put before the
start) enter it as ``CREATED`` records at their change times. Changes replicated from
another system are not logged, and the emulator has neither a disposition nor a
version-pruning service, so it never writes ``DISPOSED`` or ``PRUNED`` records. Dead
records are dropped once they outnumber the live ones (and :data:`COMPACT_AFTER`).

Cursor semantics: records are read in log order, which is the order of their change times
except for writes racing in the same millisecond; the record after a ``lastResult`` is the
one after that record's position in the log (found exactly by namespace, path, version and
change time), so a reader resuming from any record it received misses nothing and reads
nothing twice. A ``lastResult`` the log does not know (from another system) continues
after the first record with a later (change time, path, version).
"""
from __future__ import annotations

import operator
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from .model import Namespace, System
from .store import change_time

__all__ = ["Record", "ChangeLog", "attach", "of", "ms_key"]

#: Operation names of the records (``transaction`` names in lower case, past tense).
OPERATIONS = {"create": "CREATED", "delete": "DELETED", "dispose": "DISPOSED",
              "prune": "PRUNED", "purge": "PURGED"}


def ms_key(change_ms: str) -> tuple[int, int]:
    """A change-time text (``1709632931417.03``) as a sortable ``(ms, fraction)``."""
    whole, _, frac = change_ms.partition(".")
    return int(whole), int(frac or 0)


@dataclass(slots=True)
class Record:
    """One object version's state in the change log.

    Field names follow :class:`~hcpsdk.emulator.store.Version`, so the query evaluator reads
    a record and a stored version alike.
    """

    namespace: Namespace
    path: str
    version_id: int
    change_ms: str
    operation: str
    size: int = 0
    hash: str = ""
    ingest_time: int = 0
    retention: int = 0
    retention_class: str = ""
    hold: bool = False
    shred: bool = False
    index: bool = True
    owner: str = ""
    annotations: dict[str, Any] = field(default_factory=dict)
    acl: Any = None
    replicated: bool = False
    live: bool = True

    @classmethod
    def of_version(cls, ns: Namespace, path: str, v: Any, operation: str) -> Record:
        """A record of stored version *v* (a delete marker gives a ``DELETED`` one)."""
        return cls(ns, path, v.version_id, v.change_ms, "DELETED" if v.deleted else operation,
                   v.size, v.hash, v.ingest_time, v.retention, v.retention_class, v.hold,
                   v.shred, v.index, v.owner, dict(v.annotations) if v.annotations else _NONE,
                   v.acl, v.replicated)

    def moved(self, change_ms: str, **changes: Any) -> Record:
        """A live copy at change time *change_ms* with *changes* applied (a cheap
        :func:`dataclasses.replace`: a DELETE must not cost much more than without a log)."""
        new = Record(*_values(self))
        new.change_ms, new.live = change_ms, True
        for name, value in changes.items():
            setattr(new, name, value)
        return new


_ORDER: tuple[str, ...] = Record.__slots__
_values = operator.attrgetter(*_ORDER)
_FIELDS = frozenset(_ORDER)
#: The annotations of records without any (shared: records never change theirs in place).
_NONE: dict[str, Any] = {}
#: Dead records kept before the log is compacted (when they also outnumber the live ones).
COMPACT_AFTER = 50_000


class ChangeLog:
    """The records of one system, in change order (see the module description)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.records: list[Record] = []
        #: (namespace id, path, version, change time) -> position, dead records included
        self._positions: dict[tuple[int, str, int, str], int] = {}
        #: (namespace id, path) -> {version id: position of its live record}
        self._live: dict[tuple[int, str], dict[int, int]] = {}
        self._dead = 0
        #: Seconds before the request time that a query's default end lies. HCP indexes
        #: changes asynchronously and leaves out the last minute by default; the emulator
        #: logs synchronously, so it needs no margin (set 60 to reproduce HCP).
        self.lag = 0.0

    # ---------------------------------------------------------------- writing

    def _append(self, rec: Record) -> None:
        """Log *rec* as the newest state of its version (lock held)."""
        key = (id(rec.namespace), rec.path)
        versions = self._live.setdefault(key, {})
        old = versions.get(rec.version_id)
        if old is not None:
            self.records[old].live = False
            self._dead += 1
        pos = len(self.records)
        self.records.append(rec)
        versions[rec.version_id] = pos
        self._positions[(key[0], rec.path, rec.version_id, rec.change_ms)] = pos
        if self._dead > COMPACT_AFTER and self._dead * 2 > len(self.records):
            self._compact()

    def _compact(self) -> None:
        """Drop the dead records (lock held). A cursor pointing at one of them continues
        after the first record with a later (change time, path, version) then."""
        live = [rec for rec in self.records if rec.live]
        self.records = live
        self._positions = {(id(r.namespace), r.path, r.version_id, r.change_ms): pos
                           for pos, r in enumerate(live)}
        self._live = {}
        for pos, r in enumerate(live):
            self._live.setdefault((id(r.namespace), r.path), {})[r.version_id] = pos
        self._dead = 0

    def _live_records(self, ns: Namespace, path: str) -> list[Record]:
        positions = self._live.get((id(ns), path), {})
        return [self.records[p] for p in positions.values()]

    def _current(self, ns: Namespace, path: str) -> Record | None:
        """The live record of the newest version of *path* that is not deleted."""
        live = [r for r in self._live_records(ns, path) if r.operation == "CREATED"]
        return max(live, key=lambda r: r.version_id) if live else None

    def seed(self, namespaces: Iterator[Namespace]) -> None:
        """Log every stored version of *namespaces* as it is now, oldest change first."""
        found: list[Record] = []
        for ns in namespaces:
            with ns.store.lock:
                for path, versions in ns.store.objects.items():
                    found += [Record.of_version(ns, path, v, "CREATED") for v in versions]
        found.sort(key=lambda r: ms_key(r.change_ms))
        with self.lock:
            for rec in found:
                self._append(rec)

    def __call__(self, ns: Namespace, kind: str, path: str, snap: Any) -> None:
        """The system's journal: log what a change of *ns* did (*snap*: the stored version
        of a ``put``, else the store's snapshot of the change)."""
        with self.lock:
            if kind == "put":
                self._append(Record.of_version(ns, path, snap, "CREATED"))
            elif kind == "delete" and "marker" in snap:
                self._append(Record.of_version(ns, path, snap["marker"], "DELETED"))
            elif kind == "delete" and not snap.get("directory"):
                self._mark_all(ns, path, "DELETED")
            elif kind == "purge":
                if "version" in snap:
                    self._mark_version(ns, path, snap["version"], "PURGED")
                else:
                    self._mark_all(ns, path, "PURGED")
            elif kind in ("metadata", "annotation", "acl"):
                self._changed(ns, path, kind, snap)

    def _mark_all(self, ns: Namespace, path: str, operation: str) -> None:
        positions = self._live.get((id(ns), path))
        if not positions:
            return
        change = change_time()[1]
        for version_id in sorted(positions):
            rec = self.records[positions[version_id]]
            if rec.operation != operation:
                self._append(rec.moved(change, operation=operation))

    def _mark_version(self, ns: Namespace, path: str, version_id: int, operation: str) -> None:
        pos = self._live.get((id(ns), path), {}).get(version_id)
        if pos is not None:
            self._append(self.records[pos].moved(change_time()[1], operation=operation))

    def _changed(self, ns: Namespace, path: str, kind: str, snap: dict[str, Any]) -> None:
        rec = self._current(ns, path)
        if rec is None:
            return
        if kind == "metadata":
            changes = {k: v for k, v in snap.items() if k in _FIELDS and k != "change_ms"}
            new = rec.moved(snap.get("change_ms") or change_time()[1], **changes)
        elif kind == "annotation":
            annotations = dict(rec.annotations)
            if snap.get("annotation") is None:
                annotations.pop(snap["name"], None)
                change = change_time()[1]
            else:
                annotations[snap["name"]] = snap["annotation"]
                change = snap["annotation"].change_ms
            new = rec.moved(change, annotations=annotations)
        else:
            new = rec.moved(change_time()[1], acl=snap.get("acl"))
        self._append(new)

    # ---------------------------------------------------------------- reading

    def start_after(self, ns: Namespace | None, path: str, version_id: int, change_ms: str) -> int:
        """The position to read from after the record (*ns*, *path*, version, change time)."""
        with self.lock:
            if ns is not None:
                pos = self._positions.get((id(ns), path, version_id, change_ms))
                if pos is not None:
                    return pos + 1
            mark = (ms_key(change_ms), path, version_id)
            for pos, rec in enumerate(self.records):
                if (ms_key(rec.change_ms), rec.path, rec.version_id) > mark:
                    return pos
            return len(self.records)

    def read(self, start: int, accept: Callable[[Record], bool],
             count: int) -> tuple[list[Record], bool]:
        """Up to *count* live records from position *start* that *accept* takes.

        :returns: ``(records, more)``; *more* tells whether another accepted record follows
        """
        out: list[Record] = []
        with self.lock:
            records = self.records
            for pos in range(start, len(records)):
                rec = records[pos]
                if rec.live and accept(rec):
                    if len(out) == count:
                        return out, True
                    out.append(rec)
        return out, False

_attach_lock = threading.Lock()


def attach(system: System) -> ChangeLog:
    """The change log of *system*, made (and seeded with its stored objects) on first call."""
    with _attach_lock:
        log = system.journal
        if not isinstance(log, ChangeLog):
            log = ChangeLog()
            system.journal = log
            namespaces = [ns for t in list(system.tenants.values())
                          for ns in list(t.namespaces.values())]
            default = system.default_namespace()
            log.seed(iter([*namespaces, default]))
        return log


def of(system: System) -> ChangeLog:
    """The change log of *system* (attached now if it was not yet)."""
    return attach(system)
