"""MAPI read resources that monitoring and capacity tools call.

* ``GET /mapi/nodes/statistics`` — per node: addresses, open connections, load, volumes;
* ``GET /mapi/storage/licenses[?verbose=true]`` — the (emulated) storage license;
* ``GET|HEAD /mapi/tenants/<t>/namespaces/<ns>[?verbose=true]`` — one namespace's settings;
* ``GET /mapi/tenants/<t>/namespaces/<ns>/statistics`` and ``GET /mapi/tenants/<t>/statistics``
  — object counts and bytes, counted from the store at the time of the request.

Node statistics and licenses need a system account; the tenant resources a system account
or a management user of that tenant. A HEAD of a namespace that does not exist is answered
``302`` (HCP's answer to a HEAD of a missing or forbidden MAPI resource).

.. versionadded:: 1.0
"""
from __future__ import annotations

import hashlib
import time
from typing import Any

from .mapi_format import MapiError, query_value, render
from .mapi_tenants import find_tenant
from .model import Namespace, Reply, System, Tenant

__all__ = ["node_statistics", "licenses", "namespace_list", "namespace_info", "namespace_statistics",
           "tenant_statistics", "namespace_properties", "statistics_of"]

#: Bytes of each emulated node's one volume (its free bytes shrink by what is stored).
VOLUME_BYTES = 4_000_000_000_000
#: Licensed capacity of the emulated system.
LICENSED_BYTES = 200_000_000_000_000


def _verbose(req: Any) -> bool:
    # a value other than true is false for MAPI booleans
    return (query_value(req.query, "verbose") or "").lower() == "true"


def _stored_bytes(system: System) -> int:
    return sum(ns.store.used_bytes() for t in system.tenants.values()
               for ns in t.namespaces.values())


def node_statistics(system: System, caller: Any, req: Any, args: dict[str, str]) -> Reply:
    """``GET /mapi/nodes/statistics``."""
    caller.require_system()
    addresses = getattr(system, "addresses", None) or [getattr(req, "address", "127.0.0.2")]
    now_ms = int(time.time() * 1000)
    per_node = _stored_bytes(system) // max(1, len(addresses))
    nodes = []
    for address in addresses:
        number = int(address.rsplit(".", 1)[-1])
        nodes.append({
            "nodeNumber": number,
            "frontendIpAddresses": {"ipAddress": [address]},
            "backendIpAddress": address,
            "openHttpConnections": 0, "openHttpsConnections": 0,
            "maxHttpConnections": 255, "maxHttpsConnections": 254,
            "cpuUser": 0.0, "cpuSystem": 0.0, "cpuMax": 24, "ioWait": 0.0, "swapOut": 0.0,
            "maxFrontEndBandwidth": 1024000, "frontEndBytesRead": 0.0,
            "frontEndBytesWritten": 0.0, "maxBackEndBandwidth": 1024000,
            "backEndBytesRead": 0.0, "backEndBytesWritten": 0.0,
            "collectionTimestamp": now_ms,
            "volumes": {"volume": [{
                "id": f"vol{number}a", "blocksRead": 0.0, "blocksWritten": 0.0,
                "diskUtilization": 0.0, "transferSpeed": 0.0, "totalBytes": VOLUME_BYTES,
                "freeBytes": VOLUME_BYTES - per_node, "totalInodes": 244000000,
                "freeInodes": 244000000}]},
        })
    return render(req, "nodeStatistics", {"requestTime": now_ms, "nodes": {"node": nodes}})


def licenses(system: System, caller: Any, req: Any, args: dict[str, str]) -> Reply:
    """``GET /mapi/storage/licenses[?verbose=true]`` (verbose adds the expired ones; the
    emulator has only its current license)."""
    caller.require_system()
    license_ = {"activeCapacity": LICENSED_BYTES, "expirationDate": "None",
                "extendedCapacity": 0, "licenseType": "Premium", "serialNumber": "40123",
                "uploadDate": "Jan 1, 2024"}
    return render(req, "licenses", {"license": [license_]})


def _quota(bytes_: int) -> str:
    """HCP's quota text: a number and MB, GB or TB."""
    for unit, size in (("TB", 1 << 40), ("GB", 1 << 30)):
        if bytes_ >= size:
            return f"{bytes_ / size:.2f} {unit}"
    return f"{bytes_ / (1 << 20):.2f} MB"


def namespace_properties(ns: Namespace, verbose: bool) -> dict[str, Any]:
    """The settings of *ns* as ``GET /mapi/tenants/<t>/namespaces/<ns>`` shows them."""
    data: dict[str, Any] = {
        "name": ns.name, "description": ns.description, "hardQuota": _quota(ns.hard_quota),
        "softQuota": ns.soft_quota_percent, "owner": "", "ownerType": "",
        "searchEnabled": ns.search, "indexingEnabled": ns.search,
        "indexingDefault": ns.default_index, "customMetadataIndexingEnabled": ns.search,
        "customMetadataValidationEnabled": False,
        "enterpriseMode": ns.retention_mode != "compliance", "aclsUsage": "ENFORCED",
        "authMinimumPermissions": {"permission": sorted(p.upper() for p in ns.permissions)},
        "authAndAnonymousMinimumPermissions": {
            "permission": sorted(p.upper() for p in ns.anonymous_permissions)},
        "authUsersAlwaysGrantedAllPermissions": True,
        "allowPermissionAndOwnershipChanges": True, "appendEnabled": False,
        "atimeSynchronizationEnabled": False, "serviceRemoteSystemRequests": True,
        "replicationEnabled": ns.replicated, "readFromReplica": ns.replicated,
        "optimizedFor": "CLOUD", "multipartUploadAutoAbortDays": 30, "tags": {"tag": []},
        "dpl": "Dynamic", "isDplDynamic": True,
    }
    if verbose:
        data.update({"creationTime": "2024-01-01T00:00:00+0000",
                     "fullyQualifiedName": ns.fqdn, "hashScheme": ns.hash_scheme,
                     "id": hashlib.md5(ns.fqdn.encode()).hexdigest(),
                     "mqeIndexingTimestamp": "", "replicationTimestamp": ""})
    return data


def _int_param(req: Any, key: str, default: int) -> int:
    value = query_value(req.query, key)
    if value is None:
        return default
    if not value.isdigit():
        raise MapiError(400, f"{key} must be a number, not {value!r}")
    return int(value)


def _choice(req: Any, key: str, allowed: tuple[str, ...]) -> str:
    value = query_value(req.query, key)
    if value is None:
        return allowed[0]
    if value not in allowed:
        raise MapiError(400, f"{key} must be one of {', '.join(allowed)}, not {value!r}")
    return value


def namespace_list(system: System, caller: Any, req: Any, args: dict[str, str]) -> Reply:
    """``GET /mapi/tenants/<t>/namespaces`` with HCP's paging, sorting and filtering
    parameters (``offset``, ``count``, ``sortType``, ``sortOrder``, ``filterType``,
    ``filterString``)."""
    tenant = find_tenant(system, caller, args["tenant"])
    sort_type = _choice(req, "sortType", ("name", "hardQuota"))
    order = _choice(req, "sortOrder", ("ascending", "descending"))
    filter_type = _choice(req, "filterType", ("name", "tag"))
    wanted = (query_value(req.query, "filterString") or "").lower()
    if len(wanted) > 64:
        raise MapiError(400, "filterString is longer than 64 characters")
    namespaces = list(tenant.namespaces.values())
    if wanted:
        # the emulated namespaces have no tags, so a tag filter matches none
        namespaces = [ns for ns in namespaces
                      if filter_type == "name" and ns.name.lower().startswith(wanted)]
    namespaces.sort(key=(lambda ns: (ns.hard_quota, ns.name)) if sort_type == "hardQuota"
                    else (lambda ns: (ns.name, 0)), reverse=order == "descending")
    offset = _int_param(req, "offset", 0)
    count = _int_param(req, "count", len(namespaces))
    return render(req, "namespaces", {"name": [ns.name for ns in namespaces[offset:offset + count]]})


def _namespace(system: System, caller: Any, args: dict[str, str], head: bool) -> Namespace:
    try:
        tenant = find_tenant(system, caller, args["tenant"])
    except MapiError as exc:
        raise MapiError(302, exc.message) if head else exc from None
    ns = tenant.namespaces.get(args["namespace"].lower())
    if ns is None:
        raise MapiError(302 if head else 404, f"namespace {args['namespace']} does not exist")
    return ns


def namespace_info(system: System, caller: Any, req: Any, args: dict[str, str]) -> Reply:
    """``GET|HEAD /mapi/tenants/<t>/namespaces/<ns>[?verbose=true]``."""
    ns = _namespace(system, caller, args, req.method.upper() == "HEAD")
    return render(req, "namespace", namespace_properties(ns, _verbose(req)))


def statistics_of(namespaces: list[Namespace]) -> dict[str, int]:
    """Object counts and bytes of *namespaces* (one namespace or a tenant's all).

    ``ingestedVolume`` is data plus annotations as sent; ``storageCapacityUsed`` counts every
    byte *dpl* times, as the copies HCP keeps.
    """
    total = {"customMetadataCount": 0, "customMetadataSize": 0, "ingestedVolume": 0,
             "objectCount": 0, "shredCount": 0, "shredSize": 0, "storageCapacityUsed": 0}
    for ns in namespaces:
        counts = ns.store.statistics()
        ingested = counts["usedCapacityBytes"] + counts["customMetadataObjectBytes"]
        total["customMetadataCount"] += counts["customMetadataObjectCount"]
        total["customMetadataSize"] += counts["customMetadataObjectBytes"]
        total["ingestedVolume"] += ingested
        total["objectCount"] += counts["objectCount"]
        total["shredCount"] += counts["shredObjectCount"]
        total["shredSize"] += counts["shredObjectBytes"]
        total["storageCapacityUsed"] += ingested * ns.dpl
    return total


def namespace_statistics(system: System, caller: Any, req: Any, args: dict[str, str]) -> Reply:
    """``GET /mapi/tenants/<t>/namespaces/<ns>/statistics``."""
    ns = _namespace(system, caller, args, False)
    return render(req, "statistics", statistics_of([ns]))


def tenant_statistics(system: System, caller: Any, req: Any, args: dict[str, str]) -> Reply:
    """``GET /mapi/tenants/<t>/statistics``."""
    tenant: Tenant = find_tenant(system, caller, args["tenant"])
    return render(req, "statistics", statistics_of(list(tenant.namespaces.values())))
