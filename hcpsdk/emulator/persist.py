"""Saving and reloading the object metadata of a disk-backed emulator (``data_dir=``).

Bodies are files already (:class:`~hcpsdk.emulator.store.DiskStorage`); this module keeps
the metadata (versions, directories, annotations, ACLs) in ``<data_dir>/index.json``,
written when the emulator closes and read when it starts, so a standalone emulator
survives restarts. Namespaces missing from the configuration are skipped on reload.
"""
from __future__ import annotations

import base64
import json
import logging
import os
import threading
from dataclasses import asdict, fields
from typing import Any

from .acl import Grant
from .model import System
from .store import Annotation, Directory, Version

__all__ = ["Persistence"]

log = logging.getLogger(__name__)

_VERSION_FIELDS = [f.name for f in fields(Version) if f.name not in ("blob", "annotations", "acl", "cache")]


def _dump_version(v: Version) -> dict[str, Any]:
    doc = {k: getattr(v, k) for k in _VERSION_FIELDS}
    doc["blob"] = os.path.basename(v.blob.path) if v.blob is not None else None
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


class Persistence:
    """Load/save the metadata of every namespace of *system* in *data_dir*.

    :meth:`start` runs a daemon thread that saves every *interval* seconds when something
    changed, so little is lost if the process is killed; :meth:`stop` saves a last time.
    """

    def __init__(self, system: System, data_dir: str, interval: float = 2.0) -> None:
        self.system = system
        self.path = os.path.join(data_dir, "index.json")
        self.interval = interval
        self._saved_at = -1
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def _mutations(self) -> int:
        return sum(ns.store.mutations for t in self.system.tenants.values()
                   for ns in t.namespaces.values())

    def start(self) -> None:
        """Start saving in the background."""
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
        """Stop the background thread and save."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(10)
        self.save()

    def save(self) -> None:
        """Write the index (atomically: a temporary file renamed over the old one)."""
        mutations = self._mutations()
        doc: dict[str, Any] = {}
        for tenant in self.system.tenants.values():
            for ns in tenant.namespaces.values():
                store = ns.store
                with store.lock:
                    doc[f"{ns.name}.{tenant.name}"] = {
                        "dirs": {p: d.change_ms for p, d in store.dirs.items() if not d.deleted},
                        "objects": {p: [_dump_version(v) for v in vs]
                                    for p, vs in store.objects.items()},
                    }
        tmp = self.path + ".tmp"
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump(doc, f)
        os.replace(tmp, self.path)
        self._saved_at = mutations

    def load(self) -> None:
        """Read the index if there is one."""
        if not os.path.exists(self.path):
            return
        with open(self.path, encoding="utf-8") as f:
            doc = json.load(f)
        for key, data in doc.items():
            ns_name, _, tenant = key.partition(".")
            ns = self.system.namespace(tenant, ns_name)
            if ns is None:
                log.warning("index.json: namespace %s is not configured; skipped", key)
                continue
            store = ns.store
            with store.lock:
                for path, change_ms in sorted(data["dirs"].items()):
                    if path:
                        store._make_parents(path, change_ms)  # noqa: SLF001
                    store.dirs[path] = Directory(change_ms)
                    store.children.setdefault(path, set())
                for path, versions in data["objects"].items():
                    store.adopt_versions(path, [_load_version(v, store.storage) for v in versions])
