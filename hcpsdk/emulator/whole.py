"""Whole-object PUT: ``PUT /rest/<obj>?type=whole-object[&annotation=<name>]``.

The body is the object's data immediately followed by one annotation, with no
delimiter; ``X-HCP-Size`` says how many of its bytes are data. The data is streamed
into the store like any upload; only the annotation (limited in size as any
annotation is) is held in memory.
"""
from __future__ import annotations

from typing import Any

from .http11 import Request
from .model import Namespace, Principal, Reply
from .store import StoreError

__all__ = ["put_whole"]

_ANNOTATION_MAX = 1 << 30  # the default annotation's limit; the store checks the others'


def _size(req: Request) -> int:
    """``X-HCP-Size``, checked against the body's length.

    :raises StoreError: 400 when it is missing, not a number or larger than the body
    """
    text = req.headers.get("x-hcp-size", "").strip()
    if not text.isdigit():
        raise StoreError(400, "a whole-object PUT needs X-HCP-Size (the size of the data)")
    size = int(text)
    length = req.headers.get("content-length")
    if length is not None and length.strip().isdigit() and size > int(length):
        raise StoreError(400, "X-HCP-Size is larger than the request body")
    return size


def put_whole(handler: Any, req: Request, ns: Namespace, principal: Principal,
              perms: frozenset[str], path: str, query: dict[str, str]) -> Reply:
    """Store object *path* and one annotation of it from one body.

    :raises StoreError: 400 (``X-HCP-Size`` missing or too large), 409/403 as any PUT,
        413 for an annotation over the limit
    """
    if "write" not in perms:
        raise StoreError(403, "permission write is required")
    if not path:
        raise StoreError(409, "the root directory exists")
    size = _size(req)
    name = query.get("annotation", "default")
    store = ns.store
    store.precheck_put(path)
    writer = store.writer()
    left = size
    annotation = bytearray()
    too_large = False

    def feed(data: bytes) -> None:
        # never raise here: the rest of the body must still be read off the connection
        nonlocal left, too_large
        if left:
            head = data[:left]
            writer.write(head)
            left -= len(head)
            data = data[len(head):]
        if data and not too_large:
            annotation.extend(data)
            too_large = len(annotation) > _ANNOTATION_MAX

    try:
        req.stream_body(feed)
        if left:
            raise StoreError(400, "X-HCP-Size is larger than the request body")
        if too_large:
            raise StoreError(413, "the annotation is too large")
    except BaseException:
        writer.abort()
        raise
    v = store.put(path, writer, owner=principal.name if principal.user else "",
                  content_type=req.headers.get("content-type", ""))
    stored = store.put_annotation(path, name, bytes(annotation), "text/xml")
    ns.count("writes", 1, "bytesIn", v.size)
    return Reply(201, [("X-HCP-VersionId", str(v.version_id)),
                       ("X-HCP-IngestTimeMilliseconds", str(v.ingest_ms)),
                       ("X-HCP-Hash", v.hash), ("X-HCP-CustomMetadataHash", stored.hash),
                       ("ETag", f'"{v.etag}"')])
