"""MAPI replication resources: the service settings, the link list, link details and actions.

``GET /mapi/services/replication`` answers the service settings (HCP's four documented
ones), ``GET .../links`` the names of the system's links, ``GET .../links/<name>`` one
link as this system sees it (``verbose=true`` adds failover settings, statistics and
status) and ``POST .../links/<name>?<action>`` changes the link's state through
:meth:`hcpsdk.emulator.replication.Link.act`.
"""
from __future__ import annotations

from typing import Any

from .mapi_format import MapiError, query_value, render
from .model import Reply, System
from .replication import ACTIONS, LinkStateError

__all__ = ["SETTINGS", "service", "links", "link_details", "link_action"]

#: The replication service settings (``<replicationService>``), per HCP's documentation.
SETTINGS = {
    "allowTenantsToMonitorNamespaces": True,
    "enableDNSFailover": True,
    "enableDomainAndCertificateSynchronization": True,
    "network": "[hcp_system]",
}


def service(system: System, caller: Any, req: Any, args: dict[str, str]) -> Reply:
    """``GET /mapi/services/replication``."""
    caller.require_system()
    return render(req, "replicationService", dict(SETTINGS))


def links(system: System, caller: Any, req: Any, args: dict[str, str]) -> Reply:
    """``GET /mapi/services/replication/links``."""
    caller.require_system()
    return render(req, "links", {"name": sorted(system.links)})


def _link(system: System, name: str) -> Any:
    found = system.links.get(name)
    if found is None:
        raise MapiError(404, f"replication link {name} does not exist")
    return found


def link_details(system: System, caller: Any, req: Any, args: dict[str, str]) -> Reply:
    """``GET /mapi/services/replication/links/<name>[?verbose=true]``."""
    caller.require_system()
    found = _link(system, args["link"])
    verbose = (query_value(req.query, "verbose") or "").lower() == "true"
    return render(req, "link", found.details(system, verbose))


def link_action(system: System, caller: Any, req: Any, args: dict[str, str]) -> Reply:
    """``POST /mapi/services/replication/links/<name>?<action>`` (``?action=`` too)."""
    caller.require_system()
    found = _link(system, args["link"])
    if req.body:
        raise MapiError(400, "a link action takes no request body")
    names = [k for k, _ in req.query]
    unknown = [k for k in names if k not in ACTIONS]
    if unknown:
        raise MapiError(400, f"unknown link action {unknown[0]}; use one of {', '.join(ACTIONS)}")
    if len(names) != 1:
        raise MapiError(400, f"exactly one link action is needed, got {len(names)}")
    try:
        found.act(system, names[0])
    except LinkStateError as exc:
        raise MapiError(400, str(exc)) from None
    return Reply(200, [], b"")
