"""Server-side copy: ``PUT /rest/<target>`` with ``X-HCP-CopySource`` and no body.

The source header names ``<ns>.<tenant>/<path>[?version=<id>]``. HCP's own
documentation and the clients in use spell it a little differently (with or without
the system's domain after the tenant, with or without ``rest/`` before the path, the
whole value percent-encoded or only the path), so every one of those spellings is
accepted. The copy is a new object: the target namespace's default retention, shred
and index settings, no ACL, its own version id; annotations only with
``X-HCP-MetadataDirective: ALL``. Copying a directory makes an empty directory.

Conditions: the ``X-HCP-CopySource-If-Match`` / ``-If-None-Match`` /
``-If-Modified-Since`` / ``-If-Unmodified-Since`` headers test the source, the plain
``If-*`` headers an existing target; a condition that does not hold is ``412``.
"""
from __future__ import annotations

from typing import Any
from urllib.parse import unquote

from .conditions import precondition
from .http11 import Request
from .model import Namespace, Principal, Reply
from .object_headers import change_seconds
from .store import StoreError, Version

__all__ = ["parse_source", "put_copy"]

_VERSION = "?version="
_DIRECTIVES = ("ALL", "NONE")
_CONDITIONS = ("if-match", "if-none-match", "if-modified-since", "if-unmodified-since")
_SOURCE_PREFIX = "x-hcp-copysource-"


def _conditions_hold(req: Request, ns: Namespace, path: str, source: Version | None) -> bool:
    """Whether the source conditions hold for *source* and the plain ones for the target."""
    headers = req.headers
    on_source = {name: headers[_SOURCE_PREFIX + name] for name in _CONDITIONS
                 if _SOURCE_PREFIX + name in headers}
    # the source is read, not written: its conditions are those of a GET (where "not
    # modified" means the copy is not made: 412, as for every condition of a PUT)
    if on_source and source is not None and precondition(
            on_source, "GET", source.etag, change_seconds(source)) is not None:
        return False
    if any(name in headers for name in _CONDITIONS):
        target = ns.store.current(path)
        if target is not None and target.deleted:
            target = None
        if precondition(headers, "PUT", target.etag if target else None,
                        change_seconds(target) if target else None) is not None:
            return False
    return True


def parse_source(value: str, domain: str) -> tuple[str, str, str, int | None]:
    """``(namespace, tenant, path, version id or None)`` of an ``X-HCP-CopySource`` value.

    :param domain: the system's domain (allowed after ``<ns>.<tenant>``)
    :raises StoreError: 400 for a value that names no object
    """
    value = value.strip()
    raw, _, version = value.rpartition("?")
    if not raw or not version.startswith("version="):
        # no query, or the whole value percent-encoded (``%3Fversion%3D``)
        raw, version = unquote(value), ""
        head, sep, tail = raw.rpartition(_VERSION)
        if sep and tail.isdigit():
            raw, version = head, "version=" + tail
    else:
        raw = unquote(raw)
    host, _, path = raw.lstrip("/").partition("/")
    labels = host.lower().split(".")
    if len(labels) < 2 or (len(labels) > 2 and ".".join(labels[2:]) != domain):
        raise StoreError(400, f"X-HCP-CopySource {value!r} names no namespace of this system")
    if path.startswith("rest/"):
        path = path[5:]
    path = path.strip("/")
    if not path:
        raise StoreError(400, f"X-HCP-CopySource {value!r} names no object")
    vid = None
    if version:
        text = version.partition("=")[2]
        if not text.isdigit():
            raise StoreError(400, f"invalid version in X-HCP-CopySource {value!r}")
        vid = int(text)
    return labels[0], labels[1], path, vid


def _source(handler: Any, principal: Principal, target_ns: Namespace, header: str
            ) -> tuple[Namespace, str, Version | None]:
    """The source namespace, path and version (``None``: a directory) of a copy."""
    system = handler.system
    ns_name, tenant, path, vid = parse_source(header, system.domain)
    if (ns_name, tenant) == ("default", "default"):
        source_ns = system.default_namespace()
    else:
        if tenant != target_ns.tenant.name:
            raise StoreError(403, "the copy source must be in a namespace of the same tenant")
        found = system.namespace(tenant, ns_name)
        if found is None:
            raise StoreError(403, f"namespace {ns_name}.{tenant} does not exist")
        source_ns = found
        if "read" not in principal.permissions(source_ns):
            raise StoreError(403, "permission read is required on the copy source")
    store = source_ns.store
    with store.lock:
        if vid is None and store.is_dir(path):
            return source_ns, path, None
        v = store.current(path) if vid is None else store.version(path, vid)
    if v is None or v.deleted:
        raise StoreError(404, "the copy source does not exist")
    return source_ns, path, v


def put_copy(handler: Any, req: Request, ns: Namespace, principal: Principal,
             perms: frozenset[str], path: str, query: dict[str, str]) -> Reply:
    """Answer a PUT that carries ``X-HCP-CopySource``.

    :raises StoreError: 400 (bad header, a body sent along), 403 (permissions, other
        tenant, target under retention), 404 (no source), 409 (target exists), 412 (a
        condition does not hold)
    """
    if query:
        raise StoreError(400, "a copy takes no query parameters")
    if req.has_body:
        raise StoreError(400, "a copy request has no body")
    directive = req.headers.get("x-hcp-metadatadirective", "NONE").strip().upper()
    if directive not in _DIRECTIVES:
        raise StoreError(400, f"invalid X-HCP-MetadataDirective {directive!r}")
    if "write" not in perms:
        raise StoreError(403, "permission write is required")
    if not path:
        raise StoreError(409, "the root directory exists")
    _, _, source = _source(handler, principal, ns, req.headers["x-hcp-copysource"])
    if not _conditions_hold(req, ns, path, source):
        raise StoreError(412, "the precondition of the copy does not hold")
    store = ns.store
    if source is None:
        store.mkdir(path)
        return Reply(201, [("Location", "/rest/" + path)])
    store.precheck_put(path)
    writer = store.writer()
    try:
        if source.blob is not None:
            for chunk in source.blob.chunks():
                writer.write(chunk)
    except BaseException:
        writer.abort()
        raise
    v = store.put(path, writer, owner=principal.name if principal.user else "",
                  content_type=source.content_type)
    if directive == "ALL":
        for name, annotation in list(source.annotations.items()):
            store.put_annotation(path, name, annotation.data, annotation.content_type)
    ns.count("writes", 1, "bytesIn", v.size)
    return Reply(201, [("X-HCP-VersionId", str(v.version_id)),
                       ("X-HCP-IngestTimeMilliseconds", str(v.ingest_ms)),
                       ("X-HCP-Hash", v.hash), ("ETag", f'"{v.etag}"')])
