"""HCP's Default Namespace: ``/fcfs_data`` (objects, directory listings) and ``/fcfs_metadata``.

The Default Namespace lives on ``default.default.<domain>`` and takes no credentials. Its
objects are files of a POSIX-like tree: ``GET`` of a directory lists the entries with
``fileType``, ``mode``, ``uid``/``gid`` and access/modification times (the attributes
``hcpt list`` reads); every object has a metadirectory under ``/fcfs_metadata/<path>/``
whose small files (``retention.txt``, ``shred.txt``, ``index.txt``, ``hash.txt``, ...)
show its system metadata, and a few of them change it when written.

.. versionadded:: 1.0
"""
from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, Protocol
from urllib.parse import quote
from xml.sax.saxutils import escape, quoteattr

from . import listing
from . import retention as _ret
from .errors import RequestRefused, error_reply
from .http11 import BlobReply, Request
from .model import Namespace, Reply, System
from .store import Directory, Version

__all__ = ["handle", "METAFILES", "WRITABLE_METAFILES", "listing_xml"]

#: The metafiles of an object's metadirectory that the emulator answers.
METAFILES = ("retention.txt", "shred.txt", "index.txt", "dpl.txt", "tpof.txt", "hash.txt",
             "created.txt", "replication.txt", "core-metadata.xml", "custom-metadata.xml")

#: Metafiles a PUT changes (the others are read only: 403).
WRITABLE_METAFILES = ("retention.txt", "shred.txt", "index.txt", "custom-metadata.xml")

#: PUT parameters HCP takes on ``/fcfs_data`` (``hold`` needs a privileged user, which the
#: unauthenticated Default Namespace has not).
_PUT_PARAMS = frozenset({"index", "shred", "retention"})

# A stored object is read-only for its owner (HCP shows WORM objects so); directories are
# ordinary ones.
_FILE_MODE, _FILE_MODE_STRING = "0100400", "-r--------"
_DIR_MODE, _DIR_MODE_STRING = "040755", "drwxr-xr-x"
_B = ("false", "true")


class Host(Protocol):
    """What the REST handler lends this module (its body, path and range helpers)."""

    system: System

    def _object_path(self, path: str) -> str: ...

    def _upload(self, req: Request, store: Any, path: str) -> Any: ...

    def _small_body(self, req: Request) -> bytes: ...

    def _span(self, req: Request, size: int) -> tuple[int, int, int, str | None]: ...


def handle(host: Host, req: Request, content_type: Callable[[str, str], str]) -> Reply | BlobReply:
    """Answer a request for ``/fcfs_data`` or ``/fcfs_metadata`` on the Default Namespace host.

    :param host: the REST handler (for its shared body, path and range helpers)
    :param req: the request
    :param content_type: ``content_type(path, stored)``, the Content-Type of an object
    :returns: the reply
    :raises RequestRefused: for every refused request (the handler turns it into the answer)
    """
    if req.host != f"default.default.{host.system.domain}":
        return error_reply(404, f"no such resource {req.raw_path}")
    path = host._object_path(req.path)
    query = dict(req.query) if req.raw_query else {}
    ns = host.system.default_namespace()
    if path == "/fcfs_data" or path.startswith("/fcfs_data/"):
        return _data(host, req, ns, path[10:].strip("/"), query, content_type)
    if path.startswith("/fcfs_metadata/"):
        if query:
            raise RequestRefused(400, "metadata files take no query parameters")
        obj, _, name = path[15:].strip("/").rpartition("/")
        return _metadata(host, req, ns, obj, name)
    return error_reply(404, f"no such resource {req.raw_path}")


def _bool(query: dict[str, str], key: str) -> bool | None:
    value = query.get(key)
    if value is None:
        return None
    if value.lower() not in ("true", "false"):
        raise RequestRefused(400, f"invalid value for {key}: {value!r}")
    return value.lower() == "true"


def _data(host: Host, req: Request, ns: Namespace, path: str, query: dict[str, str],
          content_type: Callable[[str, str], str]) -> Reply | BlobReply:
    method, store = req.method, ns.store
    if method == "PUT" and query == {"type": "directory"}:
        store.mkdir(path)
        return Reply(201)
    if method == "PUT":
        unknown = set(query) - _PUT_PARAMS
        if unknown:
            raise RequestRefused(400, f"unsupported query parameter(s): {', '.join(sorted(unknown))}")
        if not path:
            raise RequestRefused(409, "the root directory exists")
        if not req.length_known:
            return error_reply(411, "Content-Length or chunked transfer encoding is required")
        index, shred = _bool(query, "index"), _bool(query, "shred")
        v = store.put(path, host._upload(req, store, path), owner="",
                      content_type=req.headers.get("content-type", ""), index=index,
                      shred=shred, retention=query.get("retention"))
        return Reply(201, [("ETag", f'"{v.etag}"')])
    if query:
        raise RequestRefused(400, f"unsupported query parameter(s): {', '.join(sorted(query))}")
    if method == "GET" or method == "HEAD":
        with store.lock:
            if store.is_dir(path):
                body = b"" if method == "HEAD" else listing_xml(
                    path, store.dirs[path], store.list_dir(path))
                return Reply(200, [("Content-Type", "text/xml")], body)
            v = _current(store, path)
        headers = _object_headers(host.system, path, v, content_type)
        start, length, status, content_range = host._span(req, v.size)
        if content_range:
            headers.append(("Content-Range", content_range))
        return BlobReply(status, headers, v.blob, start, length)
    if method == "DELETE":
        store.delete(path)
        return Reply(200)
    return error_reply(405, f"method {method} is not supported in the Default Namespace")


def _current(store: Any, path: str) -> Version:
    v: Version | None = store.current(path)
    if v is None:
        raise RequestRefused(404, "object not found")
    return v


def _seconds(change_ms: str) -> int:
    return int(change_ms.partition(".")[0] or 0) // 1000


def _object_headers(system: System, path: str, v: Version,
                    content_type: Callable[[str, str], str]) -> list[tuple[str, str]]:
    """The limited ``X-Arc*`` metadata headers of an object of the Default Namespace."""
    changed = _seconds(v.change_ms) if v.change_ms else v.ingest_time
    return [("ETag", f'"{v.etag}"'), ("Content-Type", content_type(path, v.content_type)),
            ("X-ArcServicedBySystem", system.domain),
            ("X-ArcClusterTime", str(int(time.time()))),
            ("X-ArcPermissionsUidGid", f"mode={_FILE_MODE}; uid=0; gid=0"),
            ("X-ArcTimes", f"ctime={changed}; mtime={v.ingest_time}; atime={v.ingest_time}"),
            ("X-ArcSize", str(v.size))]


def _entry(name: str, entry: Directory | Version) -> str:
    if isinstance(entry, Directory):
        kind, size, mode, mode_string = "directory", None, _DIR_MODE, _DIR_MODE_STRING
        seconds = _seconds(entry.change_ms)
        atime = mtime = seconds
    else:
        kind, size, mode, mode_string = "file", entry.size, _FILE_MODE, _FILE_MODE_STRING
        atime = mtime = entry.ingest_time
    pairs: list[tuple[str, Any]] = [("urlName", quote(name)), ("utf8Name", name),
                                    ("fileType", kind)]
    if size is not None:
        pairs.append(("size", size))
    pairs += [("mode", mode), ("modeString", mode_string), ("uid", 0), ("gid", 0),
              ("accessTime", atime), ("accessTimeString", _time_string(atime)),
              ("modTime", mtime), ("modTimeString", _time_string(mtime))]
    return " <entry " + " ".join(f"{k}={quoteattr(str(v))}" for k, v in pairs) + "/>\n"


def _time_string(seconds: int) -> str:
    return listing.time_string(str(seconds * 1000))


def listing_xml(path: str, own: Directory, entries: list[tuple[str, Any]]) -> bytes:
    """The listing of Default Namespace directory *path* (``""`` = ``/fcfs_data``).

    It starts with a ``.`` entry for the directory itself (clients skip it); there is no
    ``..`` entry, which a client that recurses on every directory entry would follow.

    :param path: the directory, relative to ``/fcfs_data``
    :param own: the directory's own metadata
    :param entries: ``(name, Directory | Version)`` of its children
    :returns: the XML document
    """
    full = "/fcfs_data/" + path if path else "/fcfs_data"
    parent = full.rpartition("/")[0] or "/"
    root = " ".join(f"{k}={quoteattr(v)}" for k, v in (
        ("path", quote(full)), ("utf8Path", full), ("parentDir", quote(parent)),
        ("utf8ParentDir", parent)))
    out = ['<?xml version="1.0" encoding="UTF-8"?>\n', f"<directory {root}>\n",
           _entry(".", own)]
    out += [_entry(name, entry) for name, entry in entries]
    out.append("</directory>\n")
    return "".join(out).encode()


# ---------------------------------------------------------------------- metafiles


def _metadata(host: Host, req: Request, ns: Namespace, path: str, name: str) -> Reply:
    method, store = req.method, ns.store
    if name not in METAFILES:
        return error_reply(404, f"no metadata file {name!r}; an object has {', '.join(METAFILES)}")
    if method == "PUT":
        if name not in WRITABLE_METAFILES:
            return error_reply(403, f"{name} is read only")
        return _write_metafile(host, req, store, path, name)
    if name == "custom-metadata.xml" and method == "DELETE":
        store.delete_annotation(path, "default")
        return Reply(200)
    if method != "GET" and method != "HEAD":
        return error_reply(405, f"method {method} is not supported on {name}")
    v = _current(store, path)
    if name == "custom-metadata.xml":
        a = v.annotations.get("default")
        if a is None:
            raise RequestRefused(404, "the object has no custom metadata")
        return Reply(200, [("Content-Type", a.content_type)], a.data)
    if name == "core-metadata.xml":
        return Reply(200, [("Content-Type", "text/xml")], _core_metadata(ns, path, v))
    return Reply(200, [("Content-Type", "text/plain")], _metafile_text(ns, name, v).encode())


def _write_metafile(host: Host, req: Request, store: Any, path: str, name: str) -> Reply:
    body = host._small_body(req)
    if name == "custom-metadata.xml":
        store.put_annotation(path, "default", body, req.headers.get("content-type", "text/xml"))
        return Reply(201)
    # clients send the value with or without a trailing newline
    value = body.decode("utf-8", "replace").strip()
    if name == "retention.txt":
        if not value or "\n" in value:
            raise RequestRefused(400, "retention.txt takes one retention expression on one line")
        store.set_metadata(path, {"retention": value})
        return Reply(200)
    if value not in ("0", "1"):
        raise RequestRefused(400, f"{name} takes 0 or 1, not {value!r}")
    store.set_metadata(path, {name[:-4]: value == "1"})
    return Reply(200)


def _metafile_text(ns: Namespace, name: str, v: Version) -> str:
    if name == "retention.txt":
        # no class suffix: the emulated Default Namespace has no retention classes
        lines = [str(v.retention), _ret.text(v.retention)] + (["Hold"] if v.hold else [])
    elif name == "shred.txt":
        lines = ["1" if v.shred else "0"]
    elif name == "index.txt":
        lines = ["1" if v.index else "0"]
    elif name in ("dpl.txt", "tpof.txt"):
        lines = [str(ns.dpl)]
    elif name == "hash.txt":
        lines = [v.hash]
    elif name == "created.txt":
        lines = [str(v.ingest_time),
                 time.strftime("%Y-%m-%dT%H:%M:%S%z", time.localtime(v.ingest_time))]
    else:   # replication.txt
        lines = [_B[v.replicated]]
    return "\n".join(lines) + "\n"


def _core_metadata(ns: Namespace, path: str, v: Version) -> bytes:
    """The ``core-metadata.xml`` of an object: its system metadata as XML elements."""
    fields = [("name", "/fcfs_data/" + path), ("object-type", "File"), ("size", v.size),
              ("hash-scheme", ns.hash_scheme), ("hash-value", v.hash.partition(" ")[2]),
              ("ingest-time", v.ingest_time), ("change-time-milliseconds", v.change_ms),
              ("retention-value", v.retention), ("retention-string", _ret.text(v.retention)),
              ("retention-class", v.retention_class), ("retention-hold", _B[v.hold]),
              ("shred", _B[v.shred]), ("dpl", ns.dpl), ("index", _B[v.index]),
              ("custom-metadata", _B[bool(v.annotations)]), ("uid", 0), ("gid", 0),
              ("mode", _FILE_MODE)]
    body = "".join(f"<{k}>{escape(str(value))}</{k}>" for k, value in fields)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            f"<core-metadata>{body}</core-metadata>\n").encode()
