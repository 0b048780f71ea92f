"""XML documents of the data API: directory listings, version lists, annotation lists."""
from __future__ import annotations

import time
from collections.abc import Iterable
from typing import Any
from urllib.parse import quote
from xml.sax.saxutils import escape, quoteattr

from . import retention as _ret
from .store import Directory, Version

__all__ = ["directory", "versions", "annotations", "time_string"]

_XML = '<?xml version="1.0" encoding="UTF-8"?>\n'
_XSI = 'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"'


_last: list[Any] = [None, ""]


def time_string(change_ms: str) -> str:
    """``yyyy-MM-ddThh:mm:ss±hhmm`` (local time) of a change-time text."""
    second = int(change_ms.partition(".")[0]) // 1000
    last = _last
    if last[0] != second:
        last = [second, time.strftime("%Y-%m-%dT%H:%M:%S%z", time.localtime(second))]
        _last[:] = last
    return str(last[1])


def _attrs(pairs: Iterable[tuple[str, Any]]) -> str:
    return " ".join(f"{k}={quoteattr(str(v))}" for k, v in pairs)


def _b(value: bool) -> str:
    return "true" if value else "false"


def version_attrs(v: Version, name: str | None = None) -> list[tuple[str, Any]]:
    """The attributes HCP lists for an object version."""
    pairs: list[tuple[str, Any]] = []
    if name is not None:
        pairs += [("urlName", quote(name)), ("utf8Name", name)]
    pairs += [("type", "object"), ("size", v.size)]
    if v.hash:
        scheme, _, value = v.hash.partition(" ")
        pairs += [("etag", v.etag), ("hashScheme", scheme), ("hash", value)]
    pairs += [("retention", v.retention), ("retentionString", _ret.text(v.retention)),
              ("retentionClass", v.retention_class), ("ingestTime", v.ingest_time),
              ("ingestTimeString", time.strftime("%m/%d/%Y %I:%M%p", time.localtime(v.ingest_time))),
              ("hold", _b(v.hold)), ("shred", _b(v.shred)), ("dpl", 2), ("index", _b(v.index)),
              ("customMetadata", _b(bool(v.annotations))),
              ("customMetadataAnnotations", v.annotation_header), ("version", v.version_id),
              ("replicated", _b(v.replicated)), ("changeTimeMilliseconds", v.change_ms),
              ("changeTimeString", time_string(v.change_ms)), ("owner", v.owner),
              ("domain", v.domain), ("hasAcl", _b(v.acl is not None)),
              ("state", "deleted" if v.deleted else "created")]
    return pairs


def _root_attrs(path: str, namespace: str, deleted: bool, show_deleted: bool,
                deleted_name: str = "dirDeleted") -> str:
    """The root attributes of a listing; HCP names the deleted flag of a directory
    ``dirDeleted`` and that of an object's version list ``deleted``."""
    full = "/rest/" + path if path else "/rest"
    parent = full.rpartition("/")[0] or "/"
    return _attrs([("path", quote(full)), ("utf8Path", full), ("parentDir", quote(parent)),
                   ("utf8ParentDir", parent)]) + " " + _attrs(
        [(deleted_name, _b(deleted)), ("showDeleted", _b(show_deleted)),
         ("namespaceName", namespace), ("utf8NamespaceName", namespace)])


def directory(path: str, namespace: str, entries: list[tuple[str, Any]],
              show_deleted: bool = False, dpl: int = 2) -> bytes:
    """The listing of directory *path* with its ``(name, Directory | Version)`` entries."""
    out = [_XML, '<?xml-stylesheet type="text/xsl" href="/static/xsl/ns-directory.xsl"?>\n',
           f'<directory {_XSI} xsi:noNamespaceSchemaLocation="/static/xsd/ns-directory.xsd" ',
           _root_attrs(path, namespace, False, show_deleted), ">\n"]
    for name, entry in entries:
        pairs: list[tuple[str, Any]]
        if isinstance(entry, Directory):
            pairs = [("urlName", quote(name)), ("utf8Name", name), ("type", "directory"),
                     ("changeTimeMilliseconds", entry.change_ms),
                     ("changeTimeString", time_string(entry.change_ms)),
                     ("state", "deleted" if entry.deleted else "created")]
        else:
            pairs = [(k, dpl if k == "dpl" else v) for k, v in version_attrs(entry, name)]
        out.append(f" <entry {_attrs(pairs)}/>\n")
    out.append("</directory>\n")
    return "".join(out).encode()


def versions(path: str, namespace: str, items: list[Version], show_deleted: bool) -> bytes:
    """``version=list`` document of object *path*."""
    name = path.rpartition("/")[2]
    out = [_XML, '<?xml-stylesheet type="text/xsl" href="/static/xsl/ns-versions.xsl"?>\n',
           f'<versions {_XSI} xsi:noNamespaceSchemaLocation="/static/xsd/ns-versions.xsd" ',
           _root_attrs(path, namespace, bool(items) and items[-1].deleted, show_deleted,
                       "deleted"), ">\n"]
    for v in items:
        if v.deleted and not show_deleted:
            continue
        out.append(f" <entry {_attrs(version_attrs(v, name))}/>\n")
    out.append("</versions>\n")
    return "".join(out).encode()


def annotation_list(v: Version) -> bytes:
    """``type=custom-metadata-info`` document of a version."""
    out = [_XML, "<annotations>"]
    for name, a in v.annotations.items():
        out.append(f"<annotation><name>{escape(name)}</name><hash>{a.hash}</hash>"
                   f"<changeTimeMilliseconds>{a.change_ms}</changeTimeMilliseconds>"
                   f"<changeTimeString>{time_string(a.change_ms)}</changeTimeString>"
                   f"<size>{len(a.data)}</size><contentType>{escape(a.content_type)}</contentType>"
                   "</annotation>")
    out.append("</annotations>")
    return "".join(out).encode()
