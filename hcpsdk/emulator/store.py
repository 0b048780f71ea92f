"""Object storage of one namespace: versions, directories, annotations, ACLs.

Bodies live in a *storage* (memory or a directory on disk, see :class:`MemoryStorage`
and :class:`DiskStorage`) as immutable blobs; the :class:`ObjectStore` keeps the
metadata and enforces HCP's rules (versioning, retention, hold, directories, quota).
Rule violations raise :class:`~hcpsdk.emulator.errors.RequestRefused` carrying the HTTP status and HCP's
``X-HCP-ErrorMessage`` text.
"""
from __future__ import annotations

import collections
import hashlib
import itertools
import threading
import time
from dataclasses import dataclass, field, replace
from typing import Any

from . import retention as _ret
from .blobs import Blob, DiskStorage, MemoryStorage, hasher
from .errors import RequestRefused
from .model import ChangeEvent

__all__ = ["Blob", "MemoryStorage", "DiskStorage", "Annotation", "Version",
           "ObjectStore", "hasher", "change_time", "SHRED_SECONDS"]

#: Seconds a removed version with ``shred=true`` counts as waiting to be shredded (HCP
#: shreds in the background; ``/proc/statistics`` shows it meanwhile).
SHRED_SECONDS = 1.0


#: The former name of :class:`~hcpsdk.emulator.errors.RequestRefused` (the same class).
StoreError = RequestRefused

_clock_lock = threading.Lock()
_clock_last = [0, 0]   # the last (ms, sequence number) handed out


def change_time() -> tuple[int, str]:
    """(ms since epoch, ``X-HCP-ChangeTimeMilliseconds`` text with a unique ``.NN`` suffix)."""
    ms = time.time_ns() // 1_000_000
    last = _clock_last
    with _clock_lock:
        if ms > last[0]:
            seq = 0
        else:
            ms, seq = last[0], last[1] + 1
            if seq > 99:
                ms, seq = ms + 1, 0
        last[0] = ms
        last[1] = seq
    return ms, f"{ms}.{seq:02d}"


#: The next version id (``next()`` of an itertools.count is atomic: no lock needed).
_next_version_id = itertools.count(time.time_ns() // 10_000 * 64).__next__


# ---------------------------------------------------------------------------- metadata


@dataclass
class Annotation:
    """A custom-metadata annotation of an object version."""

    data: bytes
    change_ms: str
    content_type: str = "text/xml"

    @property
    def hash(self) -> str:
        """``SHA-256 <UPPERHEX>``."""
        return "SHA-256 " + hashlib.sha256(self.data).hexdigest().upper()


@dataclass(slots=True)
class Version:
    """One version of an object (or a delete marker, ``deleted=True``)."""

    version_id: int
    blob: Blob | None
    size: int = 0
    hash: str = ""          # "<scheme> <UPPERHEX>"
    etag: str = ""          # lower-case hex MD5
    content_type: str = ""
    ingest_time: int = 0    # epoch seconds
    ingest_ms: int = 0
    change_ms: str = ""
    retention: int = 0
    retention_class: str = ""
    hold: bool = False
    #: Ids of the labeled holds in force (see :mod:`hcpsdk.emulator.labelhold`).
    labels: tuple[str, ...] = ()
    shred: bool = False
    index: bool = True
    owner: str = ""
    domain: str = ""
    annotations: dict[str, Annotation] = field(default_factory=dict)
    acl: Any = None         # parsed ACL (see hcpsdk.emulator.acl), None = no ACL
    replicated: bool = False
    deleted: bool = False
    #: Rendered response headers (owned by the HTTP handler; reset on every change).
    cache: Any = field(default=None, repr=False, compare=False)

    @property
    def annotation_header(self) -> str:
        """``X-HCP-CustomMetadataAnnotations``: ``name;size, name2;size``."""
        if not self.annotations:
            return ""
        return ", ".join(f"{n};{len(a.data)}" for n, a in self.annotations.items())


@dataclass
class Directory:
    """A directory's own metadata."""

    change_ms: str
    deleted: bool = False


def _parent(path: str) -> str:
    return path.rpartition("/")[0]


class ObjectStore:
    """The objects and directories of one namespace.

    Paths are the percent-decoded paths below ``/rest`` without leading or trailing ``/``;
    the root directory is ``""``.
    """

    def __init__(self, namespace: Any, storage: Any) -> None:
        self.namespace = namespace
        self.storage = storage
        self.lock = threading.RLock()
        self.objects: dict[str, list[Version]] = {}
        self.dirs: dict[str, Directory] = {"": Directory(change_time()[1])}
        self.children: dict[str, set[str]] = {"": set()}
        self._used = 0
        #: Seconds a removed ``shred=true`` version stays "waiting to be shredded".
        self.shred_seconds = SHRED_SECONDS
        self._shredding: collections.deque[tuple[float, int]] = collections.deque()
        #: Number of successful mutations (lets a disk-backed emulator save only when needed).
        self.mutations = 0

    # ---------------------------------------------------------------- lookups

    def current(self, path: str) -> Version | None:
        """The current (not deleted) version of object *path*."""
        versions = self.objects.get(path)
        if versions and not versions[-1].deleted:
            return versions[-1]
        return None

    def version(self, path: str, version_id: int) -> Version | None:
        """A given version of *path* (delete markers included)."""
        for v in self.objects.get(path, ()):
            if v.version_id == version_id:
                return v
        return None

    def is_dir(self, path: str) -> bool:
        """True if *path* is an existing directory."""
        d = self.dirs.get(path)
        return d is not None and not d.deleted

    def list_dir(self, path: str, deleted: bool = False) -> list[tuple[str, Any]]:
        """Immediate children of directory *path*: ``(name, Directory | Version)`` sorted."""
        with self.lock:
            out: list[tuple[str, Directory | Version]] = []
            for name in sorted(self.children.get(path, ())):
                child = f"{path}/{name}" if path else name
                d = self.dirs.get(child)
                if d is not None:
                    if deleted or not d.deleted:
                        out.append((name, d))
                    continue
                versions = self.objects.get(child)
                if versions and (deleted or not versions[-1].deleted):
                    out.append((name, versions[-1]))
            return out

    def used_bytes(self) -> int:
        """Bytes of all stored versions (kept as a running total)."""
        return self._used

    def statistics(self) -> dict[str, int]:
        """Live counts for ``/proc/statistics``.

        ``shredObjectCount`` / ``shredObjectBytes``: versions with ``shred=true`` removed
        (deleted without versioning, purged, single version deleted) during the last
        :attr:`shred_seconds` — HCP's objects waiting to be shredded.
        """
        count = used = cm_n = cm_b = 0
        with self.lock:
            shredding = self._shredding
            done = time.monotonic() - self.shred_seconds
            while shredding and shredding[0][0] <= done:
                shredding.popleft()
            shred_n, shred_b = len(shredding), sum(size for _, size in shredding)
            for versions in self.objects.values():
                for v in versions:
                    if v.deleted:
                        continue
                    count += 1
                    used += v.size
                    if v.annotations:
                        cm_n += 1
                        cm_b += sum(len(a.data) for a in v.annotations.values())
        return {"objectCount": count, "usedCapacityBytes": used, "shredObjectCount": shred_n,
                "shredObjectBytes": shred_b, "customMetadataObjectCount": cm_n,
                "customMetadataObjectBytes": cm_b}

    # ---------------------------------------------------------------- helpers

    def _emit(self, kind: str, path: str, snapshot: Any, version: Version | None = None) -> None:
        self.mutations += 1
        system = self.namespace.tenant.system
        if system.journal is not None:
            # the change log takes the stored version itself: no snapshot copy per PUT
            system.journal(self.namespace, kind, path, snapshot if version is None else version)
        if system.has_listeners:
            self.namespace.emit(kind, path, snapshot() if callable(snapshot) else snapshot)

    def _check_parents(self, path: str) -> None:
        """409 if a parent of *path* is an object."""
        parent = _parent(path)
        while parent and parent not in self.dirs:
            if self.current(parent) is not None:
                raise RequestRefused(409, f"{parent} is an object, not a directory")
            parent = _parent(parent)
        if parent and self.current(parent) is not None:
            raise RequestRefused(409, f"{parent} is an object, not a directory")

    def _make_parents(self, path: str, change_ms: str) -> None:
        """Create missing directories above *path* and register *path* as a child."""
        name = path.rpartition("/")[2]
        parent = _parent(path)
        while True:
            kids = self.children.get(parent)
            if kids is None:
                kids = self.children[parent] = set()
            kids.add(name)
            d = self.dirs.get(parent)
            if d is not None and not d.deleted:
                return
            self.dirs[parent] = Directory(change_ms)
            if not parent:
                return
            name = parent.rpartition("/")[2]
            parent = _parent(parent)

    def writer(self) -> Any:
        """A body writer hashing with the namespace's scheme."""
        return self.storage.writer(self.namespace.hash_scheme)

    # ---------------------------------------------------------------- objects

    def precheck_put(self, path: str) -> None:
        """Fail early (before the body is read) if a PUT of *path* cannot succeed."""
        with self.lock:
            self._check_put(path)

    def _check_put(self, path: str) -> None:
        """:meth:`precheck_put` with the lock held."""
        d = self.dirs.get(path)
        if d is not None and not d.deleted:
            raise RequestRefused(409, f"a directory exists at {path}")
        cur = self.current(path)
        if cur is not None:
            if not self.namespace.versioning:
                raise RequestRefused(409, "object already exists")
            if cur.hold or cur.labels:
                raise RequestRefused(403, "object is on hold")
            if _ret.blocks_delete(cur.retention):
                raise RequestRefused(403, "object is under retention")
        self._check_parents(path)

    def put(self, path: str, writer: Any, *, owner: str, content_type: str = "",
            index: bool | None = None, shred: bool | None = None, retention: str | None = None,
            hold: bool | None = None, acl: Any = None) -> Version:
        """Store a new object (or a new version) from a finished *writer*.

        :raises RequestRefused: 409 (exists, no versioning; directory there), 403 (retention,
            hold), 413 (quota), 400 (bad retention)
        """
        ns = self.namespace
        blob = writer.commit()
        try:
            with self.lock:
                self._check_put(path)
                if self._used + blob.size > ns.hard_quota:
                    raise RequestRefused(413, "not enough space (namespace quota exceeded)")
                prev = self.objects.get(path)
                base = prev[-1] if prev and not prev[-1].deleted else None
                now_ms, change = change_time()
                v = Version(_next_version_id(), blob, blob.size,
                            f"{ns.hash_scheme} {writer.hash.hexdigest().upper()}",
                            writer.md5.hexdigest(), content_type, now_ms // 1000, now_ms, change,
                            owner=owner)
                if base is not None:   # a new version inherits the previous metadata
                    v.index, v.shred, v.retention, v.retention_class = (
                        base.index, base.shred, base.retention, base.retention_class)
                    v.owner, v.domain, v.acl = base.owner, base.domain, base.acl
                else:
                    v.index, v.shred = ns.default_index, ns.default_shred
                    v.retention, v.retention_class = self._parse_retention(
                        ns.default_retention, v.ingest_time, 0)
                if index is not None:
                    v.index = index
                if shred is not None:
                    v.shred = shred
                if retention is not None:
                    v.retention, v.retention_class = self._parse_retention(
                        retention, v.ingest_time, 0)
                if hold is not None:
                    v.hold = hold
                if acl is not None:
                    v.acl = acl
                self._make_parents(path, change)
                if prev is not None and ns.versioning:
                    prev.append(v)
                else:
                    self._drop(prev)
                    self.objects[path] = [v]
                self._used += v.size
        except BaseException:
            blob.discard()
            raise
        self._emit("put", path, lambda: replace(v, annotations=dict(v.annotations), cache=None), v)
        return v

    def _parse_retention(self, expr: str, ingest: int, current: int) -> tuple[int, str]:
        try:
            return _ret.parse(expr, ingest=ingest, current=current,
                              classes=self.namespace.retention_classes)
        except _ret.RetentionError as exc:
            raise RequestRefused(400, str(exc)) from None

    def _drop(self, versions: list[Version] | None) -> None:
        """Release the data of removed *versions* (shred=true ones start being shredded)."""
        for v in versions or ():
            if v.blob is not None:
                self._used -= v.size
                v.blob.discard()
                if v.shred:
                    self._shredding.append((time.monotonic(), v.size))

    def adopt_versions(self, path: str, versions: list[Version]) -> None:
        """Install *versions* as object *path* (reloading a saved index)."""
        with self.lock:
            self._make_parents(path, versions[-1].change_ms)
            self._drop(self.objects.get(path))
            self.objects[path] = versions
            self._used += sum(v.size for v in versions if v.blob is not None)

    def delete(self, path: str, *, privileged: bool = False, purge: bool = False,
               compliance: bool = False) -> None:
        """Delete object *path* (a delete marker with versioning), or an empty directory.

        :raises RequestRefused: 404 missing, 403 retention/hold/non-empty directory
        """
        with self.lock:
            if path in self.dirs and not self.dirs[path].deleted:
                if not path:
                    raise RequestRefused(403, "the root directory cannot be deleted")
                if self.list_dir(path):
                    raise RequestRefused(403, "directory is not empty")
                del self.dirs[path]
                self.children.pop(path, None)
                self.children.get(_parent(path), set()).discard(path.rpartition("/")[2])
                snapshot: dict[str, Any] = {"directory": True}
                kind = "delete"
            else:
                versions = self.objects.get(path)
                cur = self.current(path)
                if cur is None and not (purge and versions):
                    raise RequestRefused(404, "object not found")
                for v in ([cur] if cur is not None else []) + (versions or [] if purge else []):
                    if not v.deleted:
                        self._deletable(v, privileged, compliance)
                # (without purge there is a current version: else it was a 404 above)
                if purge or not self.namespace.versioning or cur is None or versions is None:
                    self._remove_object(path)
                    kind, snapshot = ("purge" if purge else "delete"), {}
                else:
                    marker = Version(_next_version_id(), None, change_ms=change_time()[1],
                                     ingest_time=int(time.time()), deleted=True, owner=cur.owner)
                    versions.append(marker)
                    kind, snapshot = "delete", {"marker": marker}
        self._emit(kind, path, snapshot)

    def delete_version(self, path: str, version_id: int, *, privileged: bool = False,
                       compliance: bool = False) -> None:
        """Delete one old version (or delete marker) of *path*: ``DELETE ?version=<id>``.

        The current version is deleted by a plain DELETE (or purge), not by its id. An object
        left with delete markers only is removed.

        :raises RequestRefused: 404 no such version, 400 the current version, 403 hold or
            retention (privileged deletes it, except in compliance mode)
        """
        with self.lock:
            v = self.version(path, version_id)
            if v is None:
                raise RequestRefused(404, f"version {version_id} of the object not found")
            if v is self.current(path):
                raise RequestRefused(400, f"version {version_id} is the current version: delete the"
                                      " object (or purge it) instead")
            if not v.deleted:
                self._deletable(v, privileged, compliance)
            self._remove_version(path, v)
        self._emit("purge", path, {"version": version_id})

    def _remove_version(self, path: str, v: Version) -> None:
        versions = self.objects[path]
        versions.remove(v)
        self._drop([v])
        if all(x.deleted for x in versions):
            self._remove_object(path)

    @staticmethod
    def _deletable(v: Version, privileged: bool, compliance: bool) -> None:
        """403 unless version *v* may be deleted (hold: never; retention: privileged)."""
        if v.hold or v.labels:
            raise RequestRefused(403, "object is on hold")
        if _ret.blocks_delete(v.retention):
            if not privileged:
                raise RequestRefused(403, "object is under retention")
            if compliance:
                raise RequestRefused(403, "privileged delete is not allowed in compliance mode")

    def _remove_object(self, path: str) -> None:
        self._drop(self.objects.pop(path, None))
        self.children.get(_parent(path), set()).discard(path.rpartition("/")[2])

    def mkdir(self, path: str) -> Directory:
        """Create directory *path* and its parents.

        :raises RequestRefused: 409 if anything exists at *path*
        """
        with self.lock:
            if path in self.dirs or self.current(path) is not None:
                raise RequestRefused(409, "a directory or object exists at this path")
            self._check_parents(path)
            change = change_time()[1]
            self._make_parents(path, change)
            d = self.dirs[path] = Directory(change)
            self.children.setdefault(path, set())
        self._emit("directory", path, {"change_ms": change})
        return d

    def set_metadata(self, path: str, changes: dict[str, Any]) -> Version:
        """Change system metadata of the current version (POST).

        *changes* may hold ``index``, ``shred``, ``hold`` (bools), ``retention`` (expression),
        ``owner``, ``domain`` (strings).

        :raises RequestRefused: 404, 400 (rule violations)
        """
        with self.lock:
            v = self.current(path)
            if v is None:
                raise RequestRefused(404, "object not found")
            if v.labels and set(changes) - {"labels"}:
                raise RequestRefused(400, "an object with labeled holds cannot be changed")
            if "labels" in changes:
                from . import labelhold as _labelhold  # it raises this module's RequestRefused
                v.labels = _labelhold.apply(v.labels, changes["labels"])
            if "retention" in changes and "hold" in changes:
                raise RequestRefused(400, "retention and hold cannot be changed in one request")
            if changes.get("shred") is False and v.shred:
                raise RequestRefused(400, "shred cannot be changed from true to false")
            if "retention" in changes:
                if v.hold:
                    raise RequestRefused(400, "retention cannot be changed while the object is on hold")
                new = self._parse_retention(changes["retention"], v.ingest_time, v.retention)
                why = _ret.may_change(_ret.Retention(v.retention, v.retention_class),
                                      _ret.Retention(*new))
                if why:
                    raise RequestRefused(400, why)
                v.retention, v.retention_class = new
            for key in ("index", "shred", "hold", "owner", "domain"):
                if key in changes:
                    setattr(v, key, changes[key])
            v.change_ms = change_time()[1]
            v.cache = None
            snapshot = {k: getattr(v, k) for k in
                        ("index", "shred", "hold", "labels", "owner", "domain", "retention",
                         "retention_class", "change_ms")}
        self._emit("metadata", path, snapshot)
        return v

    # ---------------------------------------------------------------- annotations, ACL

    def put_annotation(self, path: str, name: str, data: bytes, content_type: str = "text/xml",
                       version_id: int | None = None) -> Annotation:
        """Store (replace) annotation *name* of *path*.

        :raises RequestRefused: 404, 400 (>10 annotations), 413 (size), 403 (retention)
        """
        limit = (1 << 30) if name == "default" else (1 << 20)
        if len(data) > limit:
            raise RequestRefused(413, f"annotation {name} is larger than {limit} bytes")
        with self.lock:
            v = self._target(path, version_id)
            if name not in v.annotations and len(v.annotations) >= 10:
                raise RequestRefused(400, "an object can have at most 10 annotations")
            if name in v.annotations and _ret.blocks_delete(v.retention):
                raise RequestRefused(403, "annotations of an object under retention cannot be replaced")
            a = v.annotations[name] = Annotation(data, change_time()[1], content_type or "text/xml")
            v.cache = None
        self._emit("annotation", path, {"name": name, "annotation": a})
        return a

    def delete_annotation(self, path: str, name: str, missing_ok: bool = False) -> bool:
        """Remove annotation *name* of *path*.

        :param missing_ok: return False when the object has no such annotation
        :returns: whether an annotation was removed
        :raises RequestRefused: 404 object (or, without *missing_ok*, annotation) missing,
            403 under retention
        """
        with self.lock:
            v = self._target(path, None)
            if name not in v.annotations:
                if missing_ok:
                    return False
                raise RequestRefused(404, f"annotation {name} not found")
            if _ret.blocks_delete(v.retention):
                raise RequestRefused(403, "annotations of an object under retention cannot be deleted")
            del v.annotations[name]
            v.cache = None
        self._emit("annotation", path, {"name": name, "annotation": None})
        return True

    def set_acl(self, path: str, acl: Any) -> None:
        """Set (``acl``) or remove (``None``) the ACL of *path*, on all its versions."""
        with self.lock:
            cur = self._target(path, None)
            if acl is None and cur.acl is None:
                raise RequestRefused(404, "object has no ACL")
            for v in self.objects[path]:
                v.acl = acl
                v.cache = None
        self._emit("acl", path, {"acl": acl})

    def _target(self, path: str, version_id: int | None) -> Version:
        v = self.current(path) if version_id is None else self.version(path, version_id)
        if v is None or v.deleted:
            raise RequestRefused(404, "object not found")
        return v

    # ---------------------------------------------------------------- replication

    def apply_event(self, event: ChangeEvent) -> None:
        """Apply a :class:`ChangeEvent` from another system (no event is emitted)."""
        path = event.path
        snap: Any = event.snapshot or {}
        with self.lock:
            if event.kind == "put":
                v = replace(snap, blob=self.storage.adopt(snap.blob) if snap.blob else None,
                            annotations=dict(snap.annotations), replicated=True)
                self._make_parents(path, v.change_ms)
                prev = self.objects.get(path)
                if prev is not None and self.namespace.versioning:
                    prev.append(v)
                else:
                    self._drop(prev)
                    self.objects[path] = [v]
                if v.blob is not None:
                    self._used += v.size
            elif event.kind == "directory":
                if path not in self.dirs:
                    self._make_parents(path, snap.get("change_ms", change_time()[1]))
                    self.dirs[path] = Directory(snap.get("change_ms", change_time()[1]))
                    self.children.setdefault(path, set())
            elif event.kind == "purge" and "version" in snap:
                v = self.version(path, snap["version"])
                if v is not None:
                    self._remove_version(path, v)
            elif event.kind == "purge" or (event.kind == "delete" and "marker" not in snap):
                if snap.get("directory"):
                    self.dirs.pop(path, None)
                    self.children.pop(path, None)
                    self.children.get(_parent(path), set()).discard(path.rpartition("/")[2])
                else:
                    self._remove_object(path)
            elif event.kind == "delete":
                if path in self.objects:
                    self.objects[path].append(replace(snap["marker"], replicated=True))
            elif event.kind == "metadata":
                v = self.current(path)
                if v is not None:
                    for key, value in snap.items():
                        setattr(v, key, value)
                    v.cache = None
            elif event.kind == "annotation":
                v = self.current(path)
                if v is not None:
                    v.cache = None
                    if snap.get("annotation") is None:
                        v.annotations.pop(snap["name"], None)
                    else:
                        v.annotations[snap["name"]] = snap["annotation"]
            elif event.kind == "acl":
                for v in self.objects.get(path, ()):
                    v.acl = snap.get("acl")
                    v.cache = None

    # ---------------------------------------------------------------- direct access

    def put_bytes(self, path: str, data: bytes, owner: str = "") -> Version:
        """Store *data* at *path* directly (test helper; same rules as a PUT)."""
        w = self.writer()
        w.write(data)
        return self.put(path, w, owner=owner)
