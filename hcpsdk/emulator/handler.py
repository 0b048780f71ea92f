"""Request routing and the REST data API (``/rest``), ``/proc`` and MAPI dispatch.

Routing is by the Host header: ``<ns>.<tenant>.<domain>`` names a namespace (so does
``<ns>.<tenant>.<d>`` for a domain *d* taken over in an active/active failover); a host
that is an IP literal, outside the system's domain, the tenant's or the admin host maps
to the default namespace; a namespace host whose tenant or namespace does not exist is
answered ``403``. Requests on the MAPI port go to :func:`hcpsdk.emulator.mapi.handle`.
"""
from __future__ import annotations

import email.utils
import logging
import mimetypes
import re
import zlib
from typing import Any
from urllib.parse import parse_qsl, quote

from . import acl as _acl
from . import changelog, fcfs, labelhold, listing, proc, query
from . import retention as _ret
from .errors import RequestRefused
from .errors import error_reply as error
from .http11 import Abort, BlobReply, Request
from .model import Namespace, Principal, Reply, System, authenticate
from .store import Version

__all__ = ["Handler"]

log = logging.getLogger(__name__)

MAX_PATH = 4095
MAX_BODY = 64 << 20          # bodies of non-object requests (annotations, ACLs, forms)
_dget = dict.get
_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")
_PARAMS = {
    "PUT": {"type", "annotation", "index", "shred", "retention", "hold", "acl", "owner", "domain",
            *labelhold.PARAMS},
    "GET": {"type", "annotation", "version", "deleted", "nowait", "mostRecentDirTimes"},
    "HEAD": {"type", "annotation", "version", "deleted", "nowait"},
    "DELETE": {"type", "annotation", "version", "purge", "privileged", "reason"},
    "POST": {"index", "shred", "retention", "hold", "owner", "domain", *labelhold.PARAMS},
}


def _bool(query: dict[str, str], key: str) -> bool | None:
    value = query.get(key)
    if value is None:
        return None
    low = value.lower()
    if low not in ("true", "false"):
        raise RequestRefused(400, f"invalid value for {key}: {value!r}")
    return low == "true"


_last_date: list = [None, ""]


def _http_date(seconds: float) -> str:
    second = int(seconds)
    if _last_date[0] != second:
        _last_date[:] = [second, email.utils.formatdate(second, usegmt=True)]
    return _last_date[1]


_PLAIN_PATH = re.compile(r"[A-Za-z0-9_.~/-]*")


def _quote_path(path: str) -> str:
    """*path* percent-encoded like :func:`urllib.parse.quote` (plain paths as they are)."""
    return path if _PLAIN_PATH.fullmatch(path) else quote(path)


_types: dict[str, str] = {}


def _content_type(path: str, stored: str) -> str:
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


class Handler:
    """The request handler of one emulator (called by :class:`~.server.NodeService`).

    :param system: the system model
    :param default_namespace: ``(tenant, namespace)`` for hosts that name no namespace
    """

    def __init__(self, system: System, default_namespace: tuple[str, str]) -> None:
        self.system = system
        self.default = default_namespace
        self._suffix = "." + system.domain
        self._principals: dict[tuple, tuple[Principal, str | None]] = {}
        # the change feed must know what happened before the first query asks for it
        changelog.attach(system)

    # ------------------------------------------------------------------ routing

    def __call__(self, req: Request) -> Reply | BlobReply:
        try:
            if req.service == "mapi":
                return self._mapi(req)
            path = req.path
            if path == "/rest" or path.startswith("/rest/"):
                return self._rest(req)
            if path == "/proc" or path.startswith("/proc/"):
                return self._proc(req)
            if path.startswith("/fcfs_"):
                return fcfs.handle(self, req, _content_type)
            if path == "/query":
                return query.handle(self.system, req)
            return error(404, f"no such resource {req.raw_path}")
        except RequestRefused as exc:
            return exc.reply()
        except (Abort, OSError):
            raise
        except Exception as exc:  # an emulator bug: answer like a failing HCP node would
            log.exception("%s %s failed", req.method, req.raw_path)
            return error(500, f"internal error: {type(exc).__name__}")

    def _mapi(self, req: Request) -> Reply:
        try:
            from . import mapi
        except ImportError:
            return error(501, "the management API is not available in this emulator")
        return mapi.handle(self.system, req)

    def namespace(self, host: str) -> Namespace:
        """The namespace a Host header names.

        ``<ns>.<tenant>.<domain>`` names a namespace of this system; so does it for the
        domain of a failed system this one stands in for after an active/active failover
        (:attr:`~hcpsdk.emulator.model.System.taken_over_domains`): then it is this
        system's replicated namespace of that name.

        :raises RequestRefused: 403 for a namespace host whose namespace does not exist
        """
        if host.endswith(self._suffix):
            labels = host[: -len(self._suffix)].split(".")
            if len(labels) == 2:
                ns = self.system.namespace(labels[1], labels[0])
                if ns is None:
                    raise RequestRefused(403, f"namespace {host} does not exist")
                return ns
        elif self.system.taken_over_domains:
            ns = self._taken_over(host)
            if ns is not None:
                return ns
        ns = self.system.namespace(*self.default)
        if ns is None:
            raise RequestRefused(403, "no default namespace is configured")
        return ns

    def _taken_over(self, host: str) -> Namespace | None:
        """The namespace *host* names in a taken-over domain, ``None`` if it names none.

        :raises RequestRefused: 403 if this system has no namespace of that name
        """
        labels = host.split(".", 2)
        if len(labels) < 3 or labels[2].rstrip(".") not in self.system.taken_over_domains:
            return None
        ns = self.system.namespace(labels[1], labels[0])
        if ns is None:
            raise RequestRefused(403, f"namespace {host} does not exist on {self.system.domain},"
                                  f" which stands in for {labels[2]}")
        return ns

    def _auth(self, req: Request, ns: Namespace, status: int = 403) -> Principal:
        # Checking a token costs a base64 decode and an MD5 per request; remember the
        # answer per (tenant, credentials) while the user's account is unchanged.
        return self._principal(req, ns, status)[0]

    def _principal(self, req: Request, ns: Namespace,
                   status: int = 403) -> tuple[Principal, frozenset[str]]:
        """(principal, its permissions on *ns*), remembered while nothing changed."""
        headers = req.headers
        key = (ns, _dget(headers, "authorization"), _dget(headers, "cookie"))
        hit = self._principals.get(key)
        if hit is not None:
            principal, perms, password, ns_perms = hit
            user = principal.user
            if ns_perms[0] is ns.permissions and ns_perms[1] is ns.anonymous_permissions and (
                    user is None or (
                    ns.tenant.users.get(user.name) is user and user.password == password
                    and user.permissions.get(ns.name) is perms[1])):
                return principal, perms[0]
        principal = authenticate(self.system, req.host, headers, tenant=ns.tenant)
        if principal is None:
            raise RequestRefused(status, "invalid credentials")
        if len(self._principals) > 1000:
            self._principals.clear()
        user = principal.user
        perms = principal.permissions(ns)
        self._principals[key] = (principal,
                                 (perms, user.permissions.get(ns.name) if user else None),
                                 user.password if user else None,
                                 (ns.permissions, ns.anonymous_permissions))
        return principal, perms

    # ------------------------------------------------------------------ /proc

    def _proc(self, req: Request) -> Reply:
        if req.method != "GET":
            return error(405, "only GET is supported on /proc")
        ns = self.namespace(req.host)
        principal = self._auth(req, ns, 401)
        if not principal.permissions(ns):
            return error(401, f"no access to namespace {ns.name}")
        return proc.handle(req.path, dict(req.query), ns, principal,
                           "http" if req.service == "http" else "https")

    # ------------------------------------------------------------------ /rest

    def _rest(self, req: Request) -> Reply | BlobReply:
        method = req.method
        allowed = _PARAMS.get(method)
        if allowed is None:
            return error(405, f"method {method} is not supported")
        ns = self.namespace(req.host)
        principal, perms = self._principal(req, ns)
        if not perms and principal.kind == "anonymous":
            raise RequestRefused(403, "authentication required")
        path = self._object_path(req.path[5:].strip("/"))
        query = dict(req.query) if req.raw_query else {}
        if query:
            unknown = set(query) - allowed
            if unknown:
                return error(400, f"unsupported query parameter(s): {', '.join(sorted(unknown))}")
        return getattr(self, "_" + method.lower())(req, ns, principal, perms, path, query)

    @staticmethod
    def _object_path(path: str) -> str:
        """*path* with repeated slashes folded into one.

        :raises RequestRefused: 414 when it is longer than HCP allows
        """
        if "//" in path:
            path = re.sub("/+", "/", path)
        if len(path.encode("utf-8", "surrogateescape")) > MAX_PATH:
            raise RequestRefused(414, "path is longer than 4095 bytes")
        return path

    @staticmethod
    def _need(perms: frozenset[str], perm: str) -> None:
        if perm not in perms:
            raise RequestRefused(403, f"permission {perm} is required")

    @staticmethod
    def _need_acl(grants: Any, principal: Principal, acl_perm: str, perm: str) -> None:
        """An object ACL can grant what the namespace permissions do not."""
        if not _acl.allows(grants, principal.name, principal.user is not None, acl_perm):
            raise RequestRefused(403, f"permission {perm} is required")

    @staticmethod
    def _writable(ns: Namespace) -> None:
        if ns.read_only:
            raise RequestRefused(403, f"namespace {ns.name} is read-only on this system")

    # PUT ------------------------------------------------------------------------

    def _put(self, req: Request, ns: Namespace, principal: Principal, perms: frozenset[str],
             path: str, query: dict[str, str]) -> Reply:
        self._writable(ns)
        if "x-hcp-copysource" in req.headers:
            from .copy import put_copy
            return put_copy(self, req, ns, principal, perms, path, query)
        kind = query.get("type", "object")
        if kind == "directory":
            self._need(perms, "write")
            ns.store.mkdir(path)
            return Reply(201, [("Location", "/rest/" + _quote_path(path))])
        if kind == "custom-metadata":
            self._need(perms, "write")
            name = query.get("annotation", "default")
            ann = ns.store.put_annotation(path, name, self._small_body(req),
                                          req.headers.get("content-type", "text/xml"))
            return Reply(201, [("X-HCP-Hash", ann.hash),
                               ("X-HCP-ChangeTimeMilliseconds", ann.change_ms)])
        if kind == "acl":
            self._need(perms, "writeAcl")
            grants = _acl.parse(self._small_body(req), req.headers.get("content-type", ""))
            ns.store.set_acl(path, grants)
            return Reply(201)
        if kind != "object":
            raise RequestRefused(400, f"invalid type {kind!r}")
        self._need(perms, "write")
        if not path:
            raise RequestRefused(409, "the root directory exists")
        if not req.length_known:
            return error(411, "Content-Length or chunked transfer encoding is required")
        hold = index = shred = grants = labels = None
        if query:
            hold = _bool(query, "hold")
            labels = labelhold.from_query(query)
            if hold is not None or labels is not None:
                self._need(perms, "privileged")
            grants = _acl.predefined(query["acl"]) if "acl" in query else None
            index, shred = _bool(query, "index"), _bool(query, "shred")
        writer = self._upload(req, ns.store, path)
        v = ns.store.put(path, writer, owner=principal.name if principal.user else "",
                         content_type=_dget(req.headers, "content-type", ""), index=index,
                         shred=shred, retention=query.get("retention"), hold=hold, acl=grants)
        if labels is not None:
            v = ns.store.set_metadata(path, {"labels": labels})
        ns.count("writes", 1, "bytesIn", v.size)
        return Reply(201, [("Location", "/rest/" + _quote_path(path)),
                           ("X-HCP-VersionId", str(v.version_id)),
                           ("X-HCP-IngestTimeMilliseconds", str(v.ingest_ms)),
                           ("X-HCP-Hash", v.hash), ("ETag", f'"{v.etag}"')])

    @classmethod
    def _upload(cls, req: Request, store: Any, path: str) -> Any:
        """Receive the body of an object PUT into a new blob writer of *store*.

        :raises RequestRefused: 415 for an unknown Content-Encoding, 409 (and the like) if
            nothing may be stored at *path*, 400 for a broken gzip body
        """
        encoding = _dget(req.headers, "content-encoding")
        if encoding is not None:
            encoding = encoding.strip().lower()
            if encoding not in ("identity", "gzip"):
                raise RequestRefused(415, f"unsupported Content-Encoding {encoding}")
        store.precheck_put(path)
        writer = store.writer()
        try:
            if encoding == "gzip":
                cls._gunzip_body(req, writer)
            else:
                req.stream_body(writer.write)
        except BaseException:
            writer.abort()
            raise
        return writer

    @staticmethod
    def _gunzip_body(req: Request, writer: Any) -> None:
        """Store a gzip-encoded upload decompressed (HCP stores what the client compressed)."""
        inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
        failed: list[Exception] = []

        def feed(data: bytes) -> None:
            if failed:
                return
            try:
                writer.write(inflater.decompress(data))
            except zlib.error as exc:
                failed.append(exc)

        req.stream_body(feed)
        if failed or not inflater.eof:
            why = failed[0] if failed else "truncated"
            raise RequestRefused(400, f"the body is not valid gzip data: {why}")
        writer.write(inflater.flush())

    @staticmethod
    def _small_body(req: Request) -> bytes:
        length = req.headers.get("content-length")
        if length is not None and length.isdigit() and int(length) > MAX_BODY:
            raise RequestRefused(413, "request body too large")
        return req.body

    # GET / HEAD -------------------------------------------------------------------

    def _get(self, req: Request, ns: Namespace, principal: Principal, perms: frozenset[str],
             path: str, query: dict[str, str]) -> Reply | BlobReply:
        store = ns.store
        kind = query.get("type")
        version = query.get("version")
        show_deleted = _bool(query, "deleted") or False
        with store.lock:
            if kind is None and version is None and store.is_dir(path):
                self._need(perms, "browse")
                d = store.dirs[path]
                headers = [("Content-Type", "text/xml"), ("X-HCP-Type", "directory"),
                           ("X-HCP-ChangeTimeMilliseconds", d.change_ms),
                           ("X-HCP-ChangeTimeString", listing.time_string(d.change_ms))]
                body = b"" if req.method == "HEAD" else listing.directory(
                    path, ns.name, store.list_dir(path, show_deleted), show_deleted, ns.dpl)
                return Reply(200, headers, body)
            if version == "list":
                self._need(perms, "read")
                if not ns.versioning:
                    raise RequestRefused(400, "versioning is not enabled for this namespace")
                items = store.objects.get(path)
                if not items:
                    raise RequestRefused(404, "object not found")
                return Reply(200, [("Content-Type", "text/xml")],
                             listing.versions(path, ns.name, list(items), show_deleted))
            v = self._version(store, path, version)
            if v.deleted:
                return Reply(204, [("X-HCP-Type", "object"), ("X-HCP-VersionId", str(v.version_id))])
        if "read" not in perms:
            self._need_acl(v.acl, principal, "READ", "read")
        if kind == "custom-metadata":
            return self._get_annotation(v, query.get("annotation", "default"))
        if kind == "custom-metadata-info":
            if not v.annotations:
                return Reply(204)
            return Reply(200, [("Content-Type", "text/xml")], listing.annotations(v))
        if kind == "acl":
            self._need(perms, "readAcl")
            as_json = "application/json" in req.headers.get("accept", "")
            ctype, body = _acl.render(v.acl or (), as_json)
            return Reply(200, [("Content-Type", ctype), ("X-HCP-ACL", "true" if v.acl else "false")],
                         body)
        if kind not in (None, "object", "whole-object"):
            raise RequestRefused(400, f"invalid type {kind!r}")
        cached = v.cache
        if cached is None or cached[0] != ns.dpl:
            cached = v.cache = (ns.dpl, self.object_headers(ns, path, v))
        headers = cached[1]
        start, length, status, content_range = self._span(req, v.size)
        if content_range:
            headers += b"Content-Range: %s\r\n" % content_range.encode()
        if req.method == "GET":
            ns.count("reads", 1, "bytesOut", length)
        return BlobReply(status, headers, v.blob, start, length)

    _head = _get

    @staticmethod
    def _version(store: Any, path: str, version: str | None) -> Version:
        if version is None:
            v = store.current(path)
        else:
            try:
                vid = int(version)
            except ValueError:
                raise RequestRefused(400, f"invalid version {version!r}") from None
            v = store.version(path, vid)
        if v is None:
            raise RequestRefused(404, "object not found")
        return v

    @classmethod
    def _span(cls, req: Request, size: int) -> tuple[int, int, int, str | None]:
        """What a GET of *size* bytes answers: ``(start, length, status, Content-Range)``.

        The whole object (200, no Content-Range) unless the request has a ``Range``.
        """
        rng = _dget(req.headers, "range")
        if not rng:
            return 0, size, 200, None
        start, length = cls._range(rng, size)
        return start, length, 206, f"bytes {start}-{start + length - 1}/{size}"

    @staticmethod
    def _range(header: str, size: int) -> tuple[int, int]:
        match = _RANGE.match(header.strip())
        if not match or match.groups() == ("", ""):
            raise RequestRefused(416, f"invalid range {header!r}")
        first, last = match.groups()
        if first == "":
            n = int(last)
            if n == 0:
                raise RequestRefused(416, "empty range")
            start, end = max(0, size - n), size - 1
        else:
            start = int(first)
            end = min(int(last), size - 1) if last else size - 1
        if start >= size or end < start:
            raise RequestRefused(416, f"range {header} not satisfiable for size {size}")
        return start, end - start + 1

    @staticmethod
    def _get_annotation(v: Version, name: str) -> Reply:
        a = v.annotations.get(name)
        if a is None:
            return Reply(204)
        return Reply(200, [("Content-Type", a.content_type), ("X-HCP-Type", "annotation"),
                           ("X-HCP-Size", str(len(a.data))), ("X-HCP-Hash", a.hash),
                           ("X-HCP-ChangeTimeMilliseconds", a.change_ms)], a.data)

    @staticmethod
    def object_headers(ns: Namespace, path: str, v: Version) -> bytes:
        """The metadata headers of an object version (HEAD/GET), encoded.

        One text in header order (rendered once per version and cached by :meth:`_get`).
        """
        b = ("false", "true")
        change_s = float(v.change_ms) / 1000
        last_modified = _http_date(min(change_s, v.ingest_time) if v.ingest_time else change_s)
        return (
            f'ETag: "{v.etag}"\r\n'
            f"Content-Type: {_content_type(path, v.content_type)}\r\n"
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

    # DELETE -----------------------------------------------------------------------

    def _delete(self, req: Request, ns: Namespace, principal: Principal, perms: frozenset[str],
                path: str, query: dict[str, str]) -> Reply:
        self._writable(ns)
        if any(k.startswith("if-") for k in req.headers):   # CIHeaders keys are lower case
            raise RequestRefused(400, "conditional headers are not allowed on DELETE")
        if req.has_body and req.headers.get("content-type", "").startswith(
                "application/x-www-form-urlencoded"):
            query.update(parse_qsl(self._small_body(req).decode(), keep_blank_values=True))
        kind = query.get("type")
        if kind == "custom-metadata":
            self._need(perms, "write")
            ns.store.delete_annotation(path, query.get("annotation", "default"))
            return Reply(200)
        if kind == "acl":
            self._need(perms, "writeAcl")
            ns.store.set_acl(path, None)
            return Reply(200)
        if kind not in (None, "object", "directory"):
            raise RequestRefused(400, f"invalid type {kind!r}")
        if "delete" not in perms:
            cur = ns.store.current(path)
            self._need_acl(cur.acl if cur is not None else None, principal, "DELETE", "delete")
        purge = _bool(query, "purge") or False
        privileged = _bool(query, "privileged") or False
        if purge:
            self._need(perms, "purge")
        if privileged:
            self._need(perms, "privileged")
            if not query.get("reason"):
                raise RequestRefused(400, "a privileged delete needs a reason")
        compliance = ns.retention_mode == "compliance"
        if "version" in query:
            # one old version: its data is destroyed like a purge's, so it needs purge too
            self._need(perms, "purge")
            if purge:
                raise RequestRefused(400, "version and purge cannot be combined")
            vid = self._version(ns.store, path, query["version"]).version_id
            ns.store.delete_version(path, vid, privileged=privileged, compliance=compliance)
        else:
            ns.store.delete(path, privileged=privileged, purge=purge, compliance=compliance)
        ns.count("deletes")
        return Reply(200)

    # POST -------------------------------------------------------------------------

    def _post(self, req: Request, ns: Namespace, principal: Principal, perms: frozenset[str],
              path: str, query: dict[str, str]) -> Reply:
        self._writable(ns)
        if req.has_body:
            form = dict(parse_qsl(self._small_body(req).decode("utf-8", "replace"),
                                  keep_blank_values=True))
            unknown = set(form) - _PARAMS["POST"]
            if unknown:
                raise RequestRefused(400, f"unsupported parameter(s): {', '.join(sorted(unknown))}")
            query.update(form)
        self._need(perms, "write")
        changes: dict[str, Any] = {}
        for key in ("index", "shred", "hold"):
            value = _bool(query, key)
            if value is not None:
                changes[key] = value
        labels = labelhold.from_query(query)
        if labels is not None:
            changes["labels"] = labels
        if "hold" in changes or "labels" in changes:
            self._need(perms, "privileged")
        if "retention" in query:
            changes["retention"] = query["retention"]
        for key in ("owner", "domain"):
            if key in query:
                self._need(perms, "changeOwner")
                changes[key] = query[key]
        if not changes:
            raise RequestRefused(400, "nothing to change")
        ns.store.set_metadata(path, changes)
        return Reply(200)
