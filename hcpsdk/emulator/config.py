"""Configuration of an emulated system: tenants, namespaces, users, permissions.

A configuration is a plain dict (or a JSON file holding one)::

    {
      "domain": "hcp1.example.com",           # optional, the Emulator's domain wins
      "name": "hcp1",                          # optional system name
      "admin_users": {"service": "service01"},
      "default_namespace": "n1.m",             # <namespace>.<tenant>
      "tenants": [
        {"name": "m",
         "namespaces": [
           {"name": "n1", "versioning": false, "description": "replicated°search°no versioning",
            "retention_classes": [{"name": "TAX_DATA", "value": "A+10y", "auto_delete": true,
                                   "description": "Class for tax data"}]}],
         "users": [{"name": "n", "password": "n01",
                    "permissions": {"n1": "all", "n2": ["read", "browse"]}}]}
      ]
    }

Namespace keys are the keyword arguments of :class:`hcpsdk.emulator.model.Namespace`;
``"all"`` as permission list means every permission.
"""
from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any

from .model import PERMISSIONS, RetentionClass, System

__all__ = ["DEFAULT_CONFIG", "load", "build_system", "default_namespace"]

_CLASSES = [
    {"name": "initial_unspecified", "value": "-2", "auto_delete": False,
     "description": "Retention Class with an initial unspecified value."},
    {"name": "deletion_prohibited", "value": "-1", "auto_delete": False,
     "description": "Class which prohibits deletion."},
    {"name": "TAX_DATA", "value": "A+10y", "auto_delete": True,
     "description": "Class for tax data - actually 10 years."},
]

#: The configuration used when none is given: tenant ``m`` with namespaces ``n1`` (no
#: versioning) and ``n2`` (versioning), data user ``n``/``n01`` with every permission,
#: MAPI user ``service``/``service01`` — the names of the hcpsdk documentation.
DEFAULT_CONFIG: dict[str, Any] = {
    "admin_users": {"service": "service01"},
    "default_namespace": "n1.m",
    "tenants": [{
        "name": "m",
        "namespaces": [
            {"name": "n1", "versioning": False, "description": "replicated°search°no versioning",
             "replicated": True, "retention_classes": _CLASSES},
            {"name": "n2", "versioning": True, "description": "replicated°search°versioning",
             "replicated": True, "retention_classes": _CLASSES},
        ],
        "users": [{"name": "n", "password": "n01", "roles": ["ADMINISTRATOR", "MONITOR"],
                   "permissions": {"n1": "all", "n2": "all"}}],
    }],
}


def load(path: str) -> dict[str, Any]:
    """Read a JSON configuration file.

    :raises ValueError: if the file is not a JSON object
    """
    with open(path, encoding="utf-8") as f:
        data = json.load(f)
    if not isinstance(data, dict):
        raise ValueError(f"{path}: the configuration must be a JSON object")
    return data


def build_system(config: dict[str, Any] | None, domain: str,
                 storage: Callable[[str, str], Any] | None = None) -> System:
    """A :class:`~hcpsdk.emulator.model.System` made from *config* (default: DEFAULT_CONFIG).

    :raises ValueError: for an invalid configuration
    """
    config = copy.deepcopy(DEFAULT_CONFIG if config is None else config)
    system = System(domain or config.get("domain", "hcp1.example.com"), config.get("name"),
                    storage=storage)
    system.admin_users.update(config.get("admin_users", {}))
    for tconf in config.get("tenants", []):
        tconf = dict(tconf)
        namespaces = tconf.pop("namespaces", [])
        users = tconf.pop("users", [])
        tenant = system.add_tenant(tconf.pop("name"), **tconf)
        for nconf in namespaces:
            nconf = dict(nconf)
            classes = [RetentionClass(**c) for c in nconf.pop("retention_classes", [])]
            tenant.add_namespace(nconf.pop("name"), retention_classes=classes, **nconf)
        for uconf in users:
            perms = {ns: (PERMISSIONS if p == "all" else p)
                     for ns, p in uconf.get("permissions", {}).items()}
            tenant.add_user(uconf["name"], uconf["password"], perms, uconf.get("roles", ()))
    return system


def default_namespace(config: dict[str, Any] | None, system: System) -> tuple[str, str]:
    """``(tenant, namespace)`` of the configured default namespace (else the first one)."""
    name = (config or DEFAULT_CONFIG).get("default_namespace")
    if name:
        ns, _, tenant = name.partition(".")
        return tenant.lower(), ns.lower()
    for tenant in system.tenants.values():
        for ns in tenant.namespaces.values():
            return tenant.name, ns.name
    raise ValueError("the configuration has no namespace")
