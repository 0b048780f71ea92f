"""The emulated Management API (MAPI): authentication, routing and status codes.

The server hands every request on the MAPI port to :func:`handle`. Who may do what:

* on ``admin.<domain>`` a system account
  (:attr:`~hcpsdk.emulator.model.System.admin_users`) reaches every resource: the
  replication service and its links, the logs, all tenants and their chargeback reports;
* on ``<tenant>.<domain>`` a user of that tenant with the ``ADMINISTRATOR`` role (or
  ``MONITOR``) reads its own tenant and its chargeback reports;
* after an active/active failover the survivor also answers the failed system's
  ``admin.<domain>`` (where DNS failover sends its clients) for its own system accounts;
* anything else is ``403`` with ``X-HCP-ErrorMessage``.

Resources answer XML unless ``Accept: application/json`` (or ``text/csv`` for chargeback)
asks otherwise; XML and JSON are compact unless ``prettyprint`` is given. Status codes
follow HCP: 200 for every success, 400 bad parameters or body, 403 authentication,
404 unknown resource, 405 method, 415 a body without a usable Content-Type.
"""
from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from . import mapi_chargeback, mapi_logs, mapi_reads, mapi_replication, mapi_tenants
from .errors import RequestRefused, error_reply
from .model import Reply, System, Tenant, authenticate, tenant_account

__all__ = ["handle", "Caller"]

log = logging.getLogger(__name__)

#: Management roles that open MAPI to a tenant user (every tenant resource is read-only).
_ROLES = frozenset({"ADMINISTRATOR", "MONITOR"})


@dataclass
class Caller:
    """Who is calling: a system account (``tenant`` is None) or a tenant's user."""

    name: str
    tenant: Tenant | None = None

    @property
    def is_system(self) -> bool:
        """True for a system-level (admin) account."""
        return self.tenant is None

    def require_system(self) -> None:
        """Refuse a tenant-level account (403)."""
        if not self.is_system:
            raise RequestRefused(403, "this resource needs a system-level account on the admin host")

    def require_tenant(self, tenant: Tenant) -> None:
        """Refuse a tenant user of another tenant (403)."""
        if self.tenant is not None and self.tenant is not tenant:
            raise RequestRefused(403, f"no access to tenant {tenant.name}")


Handler = Callable[[System, Any, Any, dict[str, str]], Reply]

# (path pattern, {method: handler}); patterns see the path without a trailing slash
_TABLE: list[tuple[str, dict[str, Handler]]] = [
    (r"/mapi/services/replication", {"GET": mapi_replication.service,
                                      "POST": mapi_replication.change_service}),
    (r"/mapi/services/replication/links", {"GET": mapi_replication.links}),
    (r"/mapi/services/replication/links/(?P<link>[^/]+)",
     {"GET": mapi_replication.link_details, "POST": mapi_replication.link_action}),
    (r"/mapi/logs", {"GET": mapi_logs.status, "POST": mapi_logs.mark_or_cancel}),
    (r"/mapi/logs/prepare", {"POST": mapi_logs.prepare}),
    (r"/mapi/logs/download", {"POST": mapi_logs.download}),
    (r"/mapi/tenants", {"GET": mapi_tenants.tenant_list}),
    (r"/mapi/tenants/(?P<tenant>[^/]+)", {"GET": mapi_tenants.tenant_info}),
    (r"/mapi/tenants/(?P<tenant>[^/]+)/namespaces", {"GET": mapi_reads.namespace_list}),
    (r"/mapi/tenants/(?P<tenant>[^/]+)/chargebackReport", {"GET": mapi_chargeback.report}),
    (r"/mapi/nodes/statistics", {"GET": mapi_reads.node_statistics}),
    (r"/mapi/storage/licenses", {"GET": mapi_reads.licenses}),
    (r"/mapi/tenants/(?P<tenant>[^/]+)/statistics", {"GET": mapi_reads.tenant_statistics}),
    (r"/mapi/tenants/(?P<tenant>[^/]+)/namespaces/(?P<namespace>[^/]+)",
     {"GET": mapi_reads.namespace_info, "HEAD": mapi_reads.namespace_info}),
    (r"/mapi/tenants/(?P<tenant>[^/]+)/namespaces/(?P<namespace>[^/]+)/statistics",
     {"GET": mapi_reads.namespace_statistics}),
    (r"/mapi/tenants/(?P<tenant>[^/]+)/namespaces/(?P<namespace>[^/]+)/chargebackReport",
     {"GET": mapi_chargeback.report}),
]
_ROUTES = [(re.compile(pattern), methods) for pattern, methods in _TABLE]


def _caller(system: System, req: Any) -> Caller:
    """Authenticate *req* for its Host, or raise 403."""
    host = (req.host or "").split(":", 1)[0].lower().rstrip(".")
    suffix = "." + system.domain
    label = host[: -len(suffix)] if host.endswith(suffix) else ""
    if host.startswith("admin.") and host[len("admin."):] in system.taken_over_domains:
        label = "admin"     # a failed system's admin host, which DNS failover led here
    if not label or "." in label:
        raise RequestRefused(403, f"MAPI is served on admin{suffix} and <tenant>{suffix}, not on"
                             f" {host or 'an empty Host'}")
    tenant = None
    if label != "admin":
        tenant = system.tenants.get(label)
        if tenant is None:
            raise RequestRefused(403, f"unknown tenant {label}")
    principal = authenticate(system, host, req.headers, tenant=tenant)
    if principal is None and tenant is None:
        holder = tenant_account(system, req.headers)
        if holder is not None:  # right password, wrong host: say so, as HCP does
            raise RequestRefused(403, f"user {holder} is a tenant account: it lacks the "
                                 f"system-level administrator role that admin{suffix} needs")
    if principal is None or principal.kind == "anonymous":
        raise RequestRefused(403, "authentication failed: missing or invalid credentials")
    if tenant is None:
        if principal.kind != "admin":
            raise RequestRefused(403, "a system-level account is needed on the admin host")
        return Caller(principal.name)
    roles = principal.user.roles if principal.user is not None else frozenset()
    if not roles & _ROLES:
        raise RequestRefused(403, f"user {principal.name} has no management role in tenant"
                             f" {tenant.name}")
    return Caller(principal.name, tenant)


def _route(req: Any) -> tuple[dict[str, Handler], dict[str, str]]:
    path = req.path.rstrip("/") or "/"
    for pattern, methods in _ROUTES:
        m = pattern.fullmatch(path)
        if m:
            return methods, m.groupdict()
    raise RequestRefused(404, f"no such MAPI resource: {req.path}")


def handle(system: System, req: Any) -> Reply:
    """Answer one MAPI request.

    :param system: the emulated system the request reached
    :param req: the request (``method``, ``path``, ``query``, ``headers``, ``body``, ``host``)
    :returns: the complete :class:`~hcpsdk.emulator.model.Reply`
    """
    try:
        caller = _caller(system, req)
        methods, args = _route(req)
        fn = methods.get(req.method.upper())
        if fn is None:
            reply = error_reply(405, f"{req.method} is not supported on {req.path}")
            reply.headers.append(("Allow", ", ".join(sorted(methods))))
            return reply
        return fn(system, caller, req, args)
    except RequestRefused as exc:
        log.debug("MAPI %s %s -> %d %s", req.method, req.path, exc.status, exc.message)
        return error_reply(exc.status, exc.message)
