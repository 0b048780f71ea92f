"""The object metadata of a disk-backed emulator (``data_dir=``), crash-safe.

Bodies are files already (:class:`~hcpsdk.emulator.blobs.DiskStorage`, written to a
``.part`` file, synced and renamed). The metadata (versions, directories, annotations,
ACLs) lives in two files of *data_dir*:

``journal.jsonl``
    One line per change, appended and synced (``fsync``) by a change listener — that
    runs after the store took the change and before the handler answers. So an answer
    (``201``, ``200``) is sent only when the body and then the metadata are on disk: an
    HCP never loses an acknowledged write, and neither does this emulator when its
    process is killed. A torn last line (a kill during the append) is ignored: its
    request was never answered.
``index.json``
    A snapshot of everything, written to a temporary file, synced and renamed over the
    old one; the journal starts anew after it. It is written in the background when
    something changed, when the emulator stops, and on start (after replaying the
    journal).

Changes that arrive over a replication link are journaled in the same way. On start,
the snapshot is read and the journal replayed; then every body file that no
version refers to (a body written for a request that was never answered, a ``.part``
left by a kill) is removed. Namespaces missing from the configuration are skipped.
"""
from __future__ import annotations

import base64
import json
import logging
import os
import threading
from dataclasses import asdict, fields
from typing import IO, Any

from .acl import Grant
from .model import ChangeEvent, Namespace, System
from .store import Annotation, Directory, ObjectStore, Version

__all__ = ["Persistence"]

log = logging.getLogger(__name__)

_VERSION_FIELDS = [f.name for f in fields(Version)
                   if f.name not in ("blob", "annotations", "acl", "cache")]


def _dump_version(v: Version) -> dict[str, Any]:
    doc = {k: getattr(v, k) for k in _VERSION_FIELDS}
    path = getattr(v.blob, "path", None)
    doc["blob"] = os.path.basename(path) if path else None
    doc["annotations"] = {n: {"data": base64.b64encode(a.data).decode(), "change_ms": a.change_ms,
                              "content_type": a.content_type} for n, a in v.annotations.items()}
    doc["acl"] = None if v.acl is None else [asdict(g) for g in v.acl]
    return doc


def _load_version(doc: dict[str, Any], storage: Any) -> Version:
    blob = storage.blob(doc["blob"]) if doc.get("blob") else None
    v = Version(blob=blob, **{k: doc[k] for k in _VERSION_FIELDS if k in doc})
    v.annotations = {n: Annotation(base64.b64decode(a["data"]), a["change_ms"], a["content_type"])
                     for n, a in doc.get("annotations", {}).items()}
    if doc.get("acl") is not None:
        v.acl = tuple(Grant(g["type"], g["name"], g["domain"], tuple(g["permissions"]))
                      for g in doc["acl"])
    return v


def _sync_dir(directory: str) -> None:
    """Make a rename or a new file in *directory* durable (its entry is on disk)."""
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _key(ns: Namespace) -> str:
    return f"{ns.name}.{ns.tenant.name}"


class Persistence:
    """Load, journal and save the metadata of every namespace of *system* in *data_dir*.

    :meth:`load` reads it back and starts the journal; :meth:`start` runs a daemon
    thread that writes a snapshot every *interval* seconds when something changed;
    :meth:`stop` writes a last one.
    """

    def __init__(self, system: System, data_dir: str, interval: float = 2.0) -> None:
        self.system = system
        self.data_dir = data_dir
        self.path = os.path.join(data_dir, "index.json")
        self.journal_path = os.path.join(data_dir, "journal.jsonl")
        self.interval = interval
        self._saved_at = -1
        self._lock = threading.Lock()  # one writer of journal and snapshot at a time
        self._journal: IO[str] | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def _mutations(self) -> int:
        return sum(ns.store.mutations for t in self.system.tenants.values()
                   for ns in t.namespaces.values())

    # -- the journal ---------------------------------------------------------------------

    def _record(self, event: ChangeEvent) -> None:
        """Append the state *event* left its path in, synced, before the request is answered."""
        ns = self.system.namespace(event.tenant, event.namespace)
        journal = self._journal
        if ns is None or journal is None:
            return
        store = ns.store
        with store.lock:
            d = store.dirs.get(event.path)
            if event.kind == "directory" or (isinstance(event.snapshot, dict)
                                             and event.snapshot.get("directory")):
                entry: dict[str, Any] = {"ns": _key(ns), "dir": event.path,
                                         "change_ms": None if d is None or d.deleted
                                         else d.change_ms}
            else:
                entry = {"ns": _key(ns), "path": event.path,
                         "versions": [_dump_version(v) for v in store.objects.get(event.path, ())]}
        line = json.dumps(entry) + "\n"
        with self._lock:
            journal.write(line)
            journal.flush()
            os.fsync(journal.fileno())

    def _open_journal(self) -> None:
        new = not os.path.exists(self.journal_path)
        self._journal = open(self.journal_path, "a", encoding="utf-8")  # kept open: one journal per store
        if new:
            _sync_dir(self.data_dir)

    def _replay(self) -> None:
        if not os.path.exists(self.journal_path):
            return
        with open(self.journal_path, encoding="utf-8") as f:
            lines = f.readlines()
        # a line holds the whole state of its path: only the last one of a path counts
        # (an earlier one may name a body that was removed since)
        last: dict[tuple[str, str, str], dict[str, Any]] = {}
        for number, line in enumerate(lines, 1):
            try:
                entry = json.loads(line)
            except ValueError:
                # a torn append: the process died while writing it, before answering
                log.warning("%s: line %d is incomplete; ignored", self.journal_path, number)
                continue
            key = (entry["ns"], "dir" if "dir" in entry else "object",
                   entry.get("dir", entry.get("path", "")))
            last.pop(key, None)
            last[key] = entry
        for (ns, kind, path), entry in last.items():
            store = self._store(ns)
            if store is None:
                continue
            if kind == "dir":
                self._load_dir(store, path, entry["change_ms"])
            else:
                self._load_object(store, path, entry["versions"])

    # -- snapshot ------------------------------------------------------------------------

    def start(self) -> None:
        """Start writing snapshots in the background."""
        self._saved_at = self._mutations()
        self._thread = threading.Thread(target=self._run, name="hcp-emulator-persist",
                                        daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            if self._mutations() != self._saved_at:
                try:
                    self.save()
                except OSError:
                    log.exception("saving %s failed", self.path)

    def stop(self) -> None:
        """Stop the background thread, stop journaling and write a last snapshot."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(10)
        self.system.remove_listener(self._record)
        self.save()
        with self._lock:
            if self._journal is not None:
                self._journal.close()
                self._journal = None

    def save(self) -> None:
        """Write the snapshot (atomically, synced) and start the journal anew."""
        with self._lock:
            mutations = self._mutations()
            doc: dict[str, Any] = {}
            for tenant in self.system.tenants.values():
                for ns in tenant.namespaces.values():
                    store = ns.store
                    with store.lock:
                        doc[_key(ns)] = {
                            "dirs": {p: d.change_ms for p, d in store.dirs.items() if not d.deleted},
                            "objects": {p: [_dump_version(v) for v in vs]
                                        for p, vs in store.objects.items()},
                        }
            tmp = self.path + ".tmp"
            with open(tmp, "w", encoding="utf-8") as f:
                json.dump(doc, f)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, self.path)
            _sync_dir(self.data_dir)
            # everything the journal holds is in the snapshot now
            if self._journal is not None:
                self._journal.truncate(0)
                self._journal.flush()
                os.fsync(self._journal.fileno())
            elif os.path.exists(self.journal_path):
                os.truncate(self.journal_path, 0)
            self._saved_at = mutations

    # -- loading -------------------------------------------------------------------------

    def _store(self, key: str) -> ObjectStore | None:
        ns_name, _, tenant = key.partition(".")
        ns = self.system.namespace(tenant, ns_name)
        if ns is None:
            log.warning("%s: namespace %s is not configured; skipped", self.data_dir, key)
            return None
        return ns.store

    @staticmethod
    def _load_dir(store: ObjectStore, path: str, change_ms: str | None) -> None:
        with store.lock:
            if change_ms is None:
                store.dirs.pop(path, None)
                store.children.pop(path, None)
                return
            if path:
                store._make_parents(path, change_ms)
            store.dirs[path] = Directory(change_ms)
            store.children.setdefault(path, set())

    @staticmethod
    def _load_object(store: ObjectStore, path: str, versions: list[dict[str, Any]]) -> None:
        if not versions:  # purged
            with store.lock:
                store.objects.pop(path, None)
            return
        try:
            loaded = [_load_version(v, store.storage) for v in versions]
        except OSError as exc:  # a body file removed by hand
            log.warning("object %s can't be loaded (%s); skipped", path, exc)
            return
        store.adopt_versions(path, loaded)

    def load(self) -> None:
        """Read the snapshot, replay the journal, remove stray body files, start journaling."""
        if os.path.exists(self.path):
            with open(self.path, encoding="utf-8") as f:
                doc = json.load(f)
            for key, data in doc.items():
                store = self._store(key)
                if store is None:
                    continue
                for path, change_ms in sorted(data["dirs"].items()):
                    self._load_dir(store, path, change_ms)
                for path, versions in data["objects"].items():
                    self._load_object(store, path, versions)
        self._replay()
        self._remove_strays()
        self.save()
        self._open_journal()
        self.system.add_listener(self._record)
        for tenant in self.system.tenants.values():
            for ns in tenant.namespaces.values():
                self._journal_replicated(ns)

    def _journal_replicated(self, ns: Namespace) -> None:
        """Journal the changes *ns* takes from a replication link as well.

        They are applied without a change event (a replica does not announce what it
        receives), so no listener hears of them; the sender counts them as delivered.
        """
        apply = ns.apply_replicated

        def apply_and_record(event: ChangeEvent) -> None:
            apply(event)
            self._record(event)

        ns.apply_replicated = apply_and_record  # type: ignore[method-assign]

    def _remove_strays(self) -> None:
        """Delete body files no version refers to: their requests were never answered."""
        for tenant in self.system.tenants.values():
            for ns in tenant.namespaces.values():
                directory = getattr(ns.store.storage, "directory", None)
                if directory is None or not os.path.isdir(directory):
                    continue
                used = {os.path.basename(path) for versions in ns.store.objects.values()
                        for v in versions if (path := getattr(v.blob, "path", None))}
                for name in os.listdir(directory):
                    if name not in used:
                        log.info("removing stray body file %s", os.path.join(directory, name))
                        os.unlink(os.path.join(directory, name))
