"""MAPI replication resources: the service settings, the link list, link details and actions.

``GET /mapi/services/replication`` answers the service settings (HCP's four documented
ones, :attr:`System.replication_settings <hcpsdk.emulator.model.System>`) and
``POST /mapi/services/replication`` changes the ones its ``<replicationService>`` (or
JSON) body names; ``GET .../links`` answers the names of the system's links,
``GET .../links/<name>`` one link as this system sees it (``verbose=true`` adds failover
settings, statistics and status) and ``POST .../links/<name>?<action>`` changes the link's
state through :meth:`hcpsdk.emulator.replication.Link.act`.
"""
from __future__ import annotations

import logging
from typing import Any

from .errors import RequestRefused
from .mapi_format import query_value, render, request_fields
from .model import REPLICATION_SETTINGS, Reply, System
from .replication import ACTIONS, LinkStateError

__all__ = ["SETTINGS", "NETWORKS", "service", "change_service", "links", "link_details",
           "link_action"]

log = logging.getLogger(__name__)

#: The replication service settings of a new system (``<replicationService>``).
SETTINGS = REPLICATION_SETTINGS

#: The networks the replication service can use (an emulated system has HCP's default one).
NETWORKS = ("[hcp_system]",)

_BOOLEANS = ("allowTenantsToMonitorNamespaces", "enableDNSFailover",
             "enableDomainAndCertificateSynchronization")


def service(system: System, caller: Any, req: Any, args: dict[str, str]) -> Reply:
    """``GET /mapi/services/replication``."""
    caller.require_system()
    with system.lock:
        settings = dict(system.replication_settings)
    return render(req, "replicationService", settings)


def _setting(key: str, value: str) -> Any:
    """The checked value of one setting of a ``<replicationService>`` body."""
    if key in _BOOLEANS:
        if value.lower() not in ("true", "false"):
            raise RequestRefused(400, f"invalid value {value!r} for {key}: use true or false")
        return value.lower() == "true"
    if key == "network":
        if value not in NETWORKS:
            raise RequestRefused(400, f"invalid value {value!r} for network: no such network"
                                 f" (known: {', '.join(NETWORKS)})")
        return value
    raise RequestRefused(400, f"unknown replication service setting {key}; use one of"
                         f" {', '.join(REPLICATION_SETTINGS)}")


def change_service(system: System, caller: Any, req: Any, args: dict[str, str]) -> Reply:
    """``POST /mapi/services/replication``: change the settings the body names.

    The others keep their values; nothing changes unless every named setting is valid.
    """
    caller.require_system()
    unknown = [k for k, _ in req.query if k != "prettyprint"]
    if unknown:
        raise RequestRefused(400, f"unsupported query parameter {unknown[0]}")
    changes = {key: _setting(key, value)
               for key, value in request_fields(req, "replicationService").items()}
    with system.lock:
        system.replication_settings.update(changes)
    log.info("replication service of %s changed by %s: %s", system.name, caller.name,
             ", ".join(f"{k}={v}" for k, v in changes.items()) or "nothing")
    return Reply(200, [], b"")


def links(system: System, caller: Any, req: Any, args: dict[str, str]) -> Reply:
    """``GET /mapi/services/replication/links``."""
    caller.require_system()
    return render(req, "links", {"name": sorted(system.links)})


def _link(system: System, name: str) -> Any:
    found = system.links.get(name)
    if found is None:
        raise RequestRefused(404, f"replication link {name} does not exist")
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
        raise RequestRefused(400, "a link action takes no request body")
    names = [k for k, _ in req.query]
    unknown = [k for k in names if k not in ACTIONS]
    if unknown:
        raise RequestRefused(400, f"unknown link action {unknown[0]}; use one of {', '.join(ACTIONS)}")
    if len(names) != 1:
        raise RequestRefused(400, f"exactly one link action is needed, got {len(names)}")
    try:
        found.act(system, names[0])
    except LinkStateError as exc:
        raise RequestRefused(400, str(exc)) from None
    return Reply(200, [], b"")
