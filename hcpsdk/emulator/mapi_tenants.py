"""MAPI tenant resources: the tenant list, one tenant's settings, its namespace list.

``GET /mapi/tenants`` answers ``{"name": [...]}`` (``<tenants><name>…``) to a system
account; ``GET /mapi/tenants/<name>`` the tenant's settings (the Default tenant has the
short property set HCP shows for it) to a system account or the tenant's own users.
"""
from __future__ import annotations

from typing import Any

from .errors import RequestRefused
from .mapi_format import render
from .model import Reply, System, Tenant

__all__ = ["DEFAULT_TENANT", "find_tenant", "tenant_list", "tenant_info", "namespace_list",
           "tenant_properties"]

#: The name of HCP's Default tenant (the one that owns the default namespace).
DEFAULT_TENANT = "default"

_NETWORK = "[hcp_system]"


def find_tenant(system: System, caller: Any, name: str) -> Tenant:
    """The tenant *name* if *caller* may see it (403), else 404."""
    tenant = system.tenants.get(name.lower())
    if tenant is None:
        raise RequestRefused(404, f"tenant {name} does not exist")
    caller.require_tenant(tenant)
    return tenant


def tenant_list(system: System, caller: Any, req: Any, args: dict[str, str]) -> Reply:
    """``GET /mapi/tenants``."""
    caller.require_system()
    names = sorted((_display_name(t) for t in system.tenants.values()), key=str.lower)
    return render(req, "tenants", {"name": names})


def _display_name(tenant: Tenant) -> str:
    # the model keeps names in lower case; HCP spells its Default tenant with a capital
    return "Default" if tenant.name.lower() == DEFAULT_TENANT else tenant.name


def tenant_properties(tenant: Tenant) -> dict[str, Any]:
    """The properties of *tenant* as ``GET /mapi/tenants/<name>`` shows them."""
    if tenant.name.lower() == DEFAULT_TENANT:
        return {
            "snmpLoggingEnabled": False,
            "syslogLoggingEnabled": False,
            "systemVisibleDescription": tenant.system_visible_description,
            "tenantVisibleDescription": tenant.tenant_visible_description,
        }
    namespaces = list(tenant.namespaces.values())
    return {
        "administrationAllowed": True,
        "authenticationTypes": {"authenticationType": ["LOCAL", "EXTERNAL"]},
        "complianceConfigurationEnabled": any(ns.retention_mode == "compliance"
                                              for ns in namespaces),
        "dataNetwork": _NETWORK,
        "hardQuota": tenant.hard_quota,
        "managementNetwork": _NETWORK,
        "maxNamespacesPerUser": 100,
        "name": tenant.name,
        "namespaceQuota": "None",
        "replicationConfigurationEnabled": bool(tenant.system.links),
        "searchConfigurationEnabled": True,
        "servicePlanSelectionEnabled": False,
        "snmpLoggingEnabled": False,
        "softQuota": tenant.soft_quota,
        "syslogLoggingEnabled": False,
        "systemVisibleDescription": tenant.system_visible_description,
        "tags": {"tag": []},
        "tenantVisibleDescription": tenant.tenant_visible_description,
        "versioningConfigurationEnabled": True,
    }


def tenant_info(system: System, caller: Any, req: Any, args: dict[str, str]) -> Reply:
    """``GET /mapi/tenants/<name>``."""
    tenant = find_tenant(system, caller, args["tenant"])
    return render(req, "tenant", tenant_properties(tenant))


def namespace_list(system: System, caller: Any, req: Any, args: dict[str, str]) -> Reply:
    """``GET /mapi/tenants/<name>/namespaces``."""
    tenant = find_tenant(system, caller, args["tenant"])
    return render(req, "namespaces", {"name": sorted(tenant.namespaces)})
