"""Helpers of the Metadata Query API tests (see conftest.py for the emulated system)."""
from __future__ import annotations

import hcpsdk

DOMAIN = "mqe.example.com"


def store(mqe, namespace, tenant="m"):
    """The object store of a namespace (fills it fast through the emulator's Python API)."""
    return mqe.system.namespace(tenant, namespace).store


def put(mqe, namespace, path, data=b"", tenant="m", **settings):
    """Store an object directly, with PUT's settings (index, retention, hold, ...);
    an existing object of a namespace without versioning is replaced."""
    s = store(mqe, namespace, tenant)
    if s.current(path) is not None and not s.namespace.versioning:
        s.delete(path, privileged=True)
    writer = s.writer()
    writer.write(data)
    return s.put(path, writer, owner="n", **settings)


def target_as(mqe, fqdn, user, password, port=None, tls=True):
    return hcpsdk.Target(fqdn, hcpsdk.NativeAuthorization(user, password),
                         port=port or mqe.https_port, tls=tls, resolver=mqe.resolver())
