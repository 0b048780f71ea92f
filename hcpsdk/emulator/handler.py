"""The REST data API (``/rest``) and ``/proc`` of a namespace, and the dispatch of requests.

A request for ``/rest`` or ``/proc`` is for the namespace its Host header names (see
:mod:`hcpsdk.emulator.routing`); requests on the MAPI port go to
:func:`hcpsdk.emulator.mapi.handle`. Conditions and ranges of GET and HEAD follow
:mod:`hcpsdk.emulator.conditions`; the metadata headers come from
:mod:`hcpsdk.emulator.object_headers`.
"""
from __future__ import annotations

import logging
import re
import zlib
from typing import Any, NamedTuple
from urllib.parse import parse_qsl, quote

from . import acl as _acl
from . import changelog, fcfs, labelhold, listing, proc, query
from .blobs import in_memory
from .conditions import precondition, span
from .errors import RequestRefused
from .errors import error_reply as error
from .http11 import Abort, BlobReply, Request
from .model import Namespace, Principal, Reply, System, authenticate
from .object_headers import change_seconds, object_headers
from .object_headers import content_type as _content_type
from .routing import MAX_PATH, Router, fold_path
from .store import Version

__all__ = ["Handler"]

log = logging.getLogger(__name__)

MAX_BODY = 64 << 20          # bodies of non-object requests (annotations, ACLs, forms)
_dget = dict.get
_PARAMS = {
    "PUT": {"type", "annotation", "index", "shred", "retention", "hold", "acl", "owner", "domain",
            "forceEtag", *labelhold.PARAMS},
    "GET": {"type", "annotation", "version", "deleted", "nowait", "mostRecentDirTimes",
            "forceEtag"},
    "HEAD": {"type", "annotation", "version", "deleted", "nowait", "forceEtag"},
    "DELETE": {"type", "annotation", "version", "purge", "privileged", "reason"},
    "POST": {"index", "shred", "retention", "hold", "owner", "domain", *labelhold.PARAMS},
}
#: The ``type`` values each method takes (None: no ``type`` parameter).
_TYPES = {
    "GET": (None, "object", "whole-object", "custom-metadata", "custom-metadata-info", "acl"),
    "HEAD": (None, "object", "whole-object", "custom-metadata", "custom-metadata-info", "acl"),
}
#: ``/proc`` resources and the query parameters each takes.
_PROC_PARAMS = {"": {"single"}, "statistics": set(), "retentionClasses": set(),
                "permissions": set()}


def _is_conditional(req: Request) -> bool:
    """Whether *req* has one of the ``If-*`` headers of RFC 7232."""
    return any(key.startswith("if-") for key in req.headers)  # CIHeaders keys are lower case


def _bool(query: dict[str, str], key: str) -> bool | None:
    value = query.get(key)
    if value is None:
        return None
    low = value.lower()
    if low not in ("true", "false"):
        raise RequestRefused(400, f"invalid value for {key}: {value!r}")
    return low == "true"


_PLAIN_PATH = re.compile(r"[A-Za-z0-9_.~/-]*")


def _quote_path(path: str) -> str:
    """*path* percent-encoded like :func:`urllib.parse.quote` (plain paths as they are)."""
    return path if _PLAIN_PATH.fullmatch(path) else quote(path)


class _Remembered(NamedTuple):
    """An authenticated principal and what it was checked against (valid while unchanged)."""

    principal: Principal
    perms: frozenset[str]
    user_perms: frozenset[str] | None
    password: str | None
    ns_perms: frozenset[str]
    anonymous_perms: frozenset[str]


class Handler:
    """The request handler of one emulator (called by :class:`~.server.NodeService`).

    :param system: the system model
    """

    def __init__(self, system: System) -> None:
        self.system = system
        self.router = Router(system)
        self._principals: dict[tuple[Namespace, str | None, str | None], _Remembered] = {}
        # the change feed must know what happened before the first query asks for it
        changelog.attach(system)

    # ------------------------------------------------------------------ routing

    def __call__(self, req: Request) -> Reply | BlobReply:
        try:
            if not req.host:
                # HTTP/1.1 makes Host mandatory, and HCP routes every request by it.
                return error(400, "the request has no Host header")
            if req.service == "mapi":
                if len(req.path.encode()) > MAX_PATH + len("/mapi"):
                    return error(414, f"path is longer than {MAX_PATH} bytes")
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
            if path == "/mapi" or path.startswith("/mapi/"):
                return error(403, "the management API is served on port 9090, not on a data port")
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
        """The namespace a Host header names (see :class:`~hcpsdk.emulator.routing.Router`).

        :raises RequestRefused: 400 without a host, 403 when it names no namespace
        """
        return self.router.namespace(host)

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
            user = hit.principal.user
            if hit.ns_perms is ns.permissions and hit.anonymous_perms is ns.anonymous_permissions \
                    and (user is None or (
                        user.password == hit.password
                        and user.permissions.get(ns.name) is hit.user_perms
                        and ns.tenant.users.get(user.name) is user)):
                return hit.principal, hit.perms
        principal = authenticate(self.system, req.host, headers, tenant=ns.tenant)
        if principal is None:
            raise RequestRefused(status, "invalid credentials")
        if len(self._principals) > 1000:
            self._principals.clear()
        user = principal.user
        perms = principal.permissions(ns)
        self._principals[key] = _Remembered(
            principal, perms, user.permissions.get(ns.name) if user else None,
            user.password if user else None, ns.permissions, ns.anonymous_permissions)
        return principal, perms

    # ------------------------------------------------------------------ /proc

    def _proc(self, req: Request) -> Reply:
        if req.method != "GET":
            return error(405, "only GET is supported on /proc")
        ns = self.namespace(req.host)
        principal = self._auth(req, ns, 401)
        if not principal.permissions(ns):
            return error(401, f"no access to namespace {ns.name}")
        allowed = _PROC_PARAMS.get(req.path[len("/proc"):].strip("/"), set())
        unknown = sorted({key for key, _ in req.query} - allowed)
        if unknown:
            return error(400, f"unsupported query parameter(s): {', '.join(unknown)}")
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
            types = _TYPES.get(method)
            if types is not None and query.get("type") not in types:
                return error(400, f"invalid type {query['type']!r} for {method}")
            if "forceEtag" in query:
                _bool(query, "forceEtag")  # every object has an ETag: only the value is checked
        answer: Reply | BlobReply = getattr(self, "_" + method.lower())(
            req, ns, principal, perms, path, query)
        return answer

    #: *path* with repeated slashes folded (414 when too long); the Default Namespace uses it too.
    _object_path = staticmethod(fold_path)

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
            ns.store.set_acl(path, _acl.parse(self._small_body(req),
                                              req.headers.get("content-type", "")))
            return Reply(201)
        if kind == "whole-object":
            from .whole import put_whole
            return put_whole(self, req, ns, principal, perms, path, query)
        if kind != "object":
            raise RequestRefused(400, f"invalid type {kind!r}")
        self._need(perms, "write")
        if not path:
            raise RequestRefused(409, "the root directory exists")
        if not req.length_known:
            return error(411, "Content-Length or chunked transfer encoding is required")
        hold = index = shred = labels = None
        grants: tuple[_acl.Grant, ...] | None = None
        if query:
            hold = _bool(query, "hold")
            labels = labelhold.from_query(query)
            if hold is not None or labels is not None:
                if hold is not None and "retention" in query:
                    raise RequestRefused(400, "retention and hold cannot be set in one request")
                self._need(perms, "privileged")
            grants = _acl.predefined(query["acl"]) if "acl" in query else None
            index, shred = _bool(query, "index"), _bool(query, "shred")
        if _is_conditional(req):
            cur = ns.store.current(path)
            if cur is not None and cur.deleted:
                cur = None
            if precondition(req.headers, "PUT", cur.etag if cur else None,
                            change_seconds(cur) if cur else None):
                raise RequestRefused(412, "the precondition of the request does not hold")
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
                return self._directory(req, ns, perms, path, show_deleted)
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
            return Reply(200, [("Content-Type", "text/xml")], listing.annotation_list(v))
        if kind == "acl":
            self._need(perms, "readAcl")
            as_json = "application/json" in req.headers.get("accept", "")
            ctype, body = _acl.render(v.acl or (), as_json)
            return Reply(200, [("Content-Type", ctype), ("X-HCP-ACL", "true" if v.acl else "false")],
                         body)
        cached = v.cache
        if cached is None or cached[0] != ns.dpl:
            cached = v.cache = (ns.dpl, object_headers(ns, path, v))
        headers: bytes = cached[1]
        failed = precondition(req.headers, req.method, v.etag, change_seconds(v))
        if failed == 304:
            return BlobReply(304, headers, v.blob, 0, 0)
        if failed is not None:
            raise RequestRefused(failed, "the precondition of the request does not hold")
        if kind == "whole-object":
            return self._whole_object(req, ns, path, v, headers,
                                      query.get("annotation", "default"))
        start, length, status, content_range = self._span(req, v.size)
        if content_range:
            headers += b"Content-Range: %s\r\n" % content_range.encode()
        if req.method == "GET":
            ns.count("reads", 1, "bytesOut", length)
        return BlobReply(status, headers, v.blob, start, length)

    _head = _get

    def _directory(self, req: Request, ns: Namespace, perms: frozenset[str], path: str,
                   show_deleted: bool) -> Reply:
        """The listing of directory *path* (a Range is ignored: HCP lists the whole)."""
        self._need(perms, "browse")
        store = ns.store
        d = store.dirs[path]
        headers = [("Content-Type", "text/xml"), ("X-HCP-Type", "directory"),
                   ("X-HCP-ChangeTimeMilliseconds", d.change_ms),
                   ("X-HCP-ChangeTimeString", listing.time_string(d.change_ms))]
        body = b"" if req.method == "HEAD" else listing.directory(
            path, ns.name, store.list_dir(path, show_deleted), show_deleted, ns.dpl)
        return Reply(200, headers, body)

    @staticmethod
    def _whole_object(req: Request, ns: Namespace, path: str, v: Version, headers: bytes,
                      name: str) -> BlobReply:
        """The object data and its annotation *name* in one body, in the order asked for.

        :raises RequestRefused: 400 with a Range or a bad ``X-HCP-CustomMetadataFirst``;
            404 if the object has no such annotation
        """
        if "range" in req.headers:
            raise RequestRefused(400, "a whole-object request cannot have a Range")
        first = req.headers.get("x-hcp-custommetadatafirst", "false").strip().lower()
        if first not in ("true", "false"):
            raise RequestRefused(400, f"invalid X-HCP-CustomMetadataFirst {first!r}")
        annotation = v.annotations.get(name)
        if annotation is None:
            raise RequestRefused(404, f"the object has no annotation named {name}")
        data = v.blob.read() if v.blob is not None else b""
        body = annotation.data + data if first == "true" else data + annotation.data
        extra = (f"X-HCP-CustomMetadataFirst: {first}\r\n"
                 f"X-HCP-CustomMetadataContentType: {annotation.content_type or 'unknown'}\r\n"
                 f"X-HCP-DataContentType: {_content_type(path, v.content_type)}\r\n")
        if req.method == "GET":
            ns.count("reads", 1, "bytesOut", len(body))
        return BlobReply(200, headers + extra.encode("latin-1", "replace"), in_memory(body), 0,
                         len(body))

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
        return v  # type: ignore[no-any-return]

    @staticmethod
    def _span(req: Request, size: int) -> tuple[int, int, int, str | None]:
        """What a GET of *size* bytes answers: ``(start, length, status, Content-Range)``."""
        return span(req.headers, req.method, size)

    @staticmethod
    def _get_annotation(v: Version, name: str) -> Reply:
        a = v.annotations.get(name)
        if a is None:
            return Reply(204, [("X-HCP-ErrorMessage", f"No annotation exists with name {name}")])
        return Reply(200, [("Content-Type", a.content_type), ("X-HCP-Type", "annotation"),
                           ("X-HCP-Size", str(len(a.data))), ("X-HCP-Hash", a.hash),
                           ("X-HCP-ChangeTimeMilliseconds", a.change_ms),
                           ("ETag", f'"{v.etag}"')], a.data)

    # DELETE -----------------------------------------------------------------------

    def _delete(self, req: Request, ns: Namespace, principal: Principal, perms: frozenset[str],
                path: str, query: dict[str, str]) -> Reply:
        self._writable(ns)
        if _is_conditional(req):
            raise RequestRefused(400, "conditional headers are not allowed on DELETE")
        if req.has_body and req.headers.get("content-type", "").startswith(
                "application/x-www-form-urlencoded"):
            query.update(parse_qsl(self._small_body(req).decode(), keep_blank_values=True))
        kind = query.get("type")
        if kind == "custom-metadata":
            self._need(perms, "write")
            if not ns.store.delete_annotation(path, query.get("annotation", "default"),
                                              missing_ok=True):
                return Reply(204)
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
        if _is_conditional(req):
            raise RequestRefused(400, "conditional headers are not allowed on POST")
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
        owner = changes.get("owner")
        if owner and owner.split("@", 1)[0] not in ns.tenant.users:
            raise RequestRefused(400, f"owner {owner!r} is not a user of tenant {ns.tenant.name}")
        if not changes:
            raise RequestRefused(400, "nothing to change")
        ns.store.set_metadata(path, changes)
        return Reply(200)
