"""The metadata headers HCP sends with an object (HEAD, GET) and its Content-Type.

.. versionadded:: 1.0
"""
from __future__ import annotations

import mimetypes

from . import labelhold, listing
from . import retention as _ret
from .conditions import http_date
from .model import Namespace
from .store import Version

__all__ = ["content_type", "change_seconds", "object_headers"]

_types: dict[str, str] = {}


def content_type(path: str, stored: str) -> str:
    """The Content-Type of an object: the stored one, else guessed from the name's extension.

    :param path: the object path
    :param stored: the Content-Type sent when it was stored ('' if none)
    """
    if stored:
        return stored
    name = path.rpartition("/")[2]
    ext = name.rpartition(".")[2].lower() if "." in name else ""
    found = _types.get(ext)
    if found is None:
        found = mimetypes.guess_type("x." + ext if ext else "x", strict=False)[0] or \
            "application/octet-stream"
        if len(_types) < 1000:
            _types[ext] = found
    return found


def change_seconds(v: Version) -> int:
    """The change time of object version *v* in whole seconds (what conditions compare)."""
    return int(v.change_ms.partition(".")[0] or 0) // 1000


def object_headers(ns: Namespace, path: str, v: Version) -> bytes:
    """The metadata headers of an object version (HEAD/GET), encoded.

    One text in header order, rendered once per version (the handler caches it).
    """
    b = ("false", "true")
    change_s = float(v.change_ms) / 1000
    last_modified = http_date(min(change_s, v.ingest_time) if v.ingest_time else change_s)
    return (
        f'ETag: "{v.etag}"\r\n'
        f"Content-Type: {content_type(path, v.content_type)}\r\n"
         "X-HCP-Type: object\r\n"
        f"X-HCP-Size: {v.size}\r\n"
        f"X-HCP-Hash: {v.hash}\r\n"
        f"X-HCP-VersionId: {v.version_id}\r\n"
        f"X-HCP-IngestTime: {v.ingest_time}\r\n"
        f"X-HCP-IngestTimeMilliseconds: {v.ingest_ms}\r\n"
        f"X-HCP-RetentionClass: {v.retention_class}\r\n"
        f"X-HCP-RetentionString: {_ret.text(v.retention)}\r\n"
        f"X-HCP-Retention: {v.retention}\r\n"
         "X-HCP-IngestProtocol: HTTP\r\n"
        f"X-HCP-RetentionHold: {b[v.hold]}\r\n"
        f"{labelhold.headers(v.labels)}"
        f"X-HCP-Shred: {b[v.shred]}\r\n"
        f"X-HCP-DPL: {ns.dpl}\r\n"
        f"X-HCP-Index: {b[v.index]}\r\n"
        f"X-HCP-Custom-Metadata: {b[bool(v.annotations)]}\r\n"
        f"X-HCP-ACL: {b[v.acl is not None]}\r\n"
        f"X-HCP-Owner: {v.owner}\r\n"
        f"X-HCP-Domain: {v.domain}\r\n"
         "X-HCP-UID: \r\n"
         "X-HCP-GID: \r\n"
        f"X-HCP-CustomMetadataAnnotations: {v.annotation_header}\r\n"
        f"X-HCP-Replicated: {b[v.replicated]}\r\n"
         "X-HCP-ReplicationCollision: false\r\n"
        f"X-HCP-ChangeTimeMilliseconds: {v.change_ms}\r\n"
        f"X-HCP-ChangeTimeString: {listing.time_string(v.change_ms)}\r\n"
        f"Last-Modified: {last_modified}\r\n"
    ).encode("latin-1", "replace")
