"""Which namespace a data request is for, read from its Host header and its path.

HCP serves a namespace's ``/rest`` and ``/proc`` only on the namespace's own host name,
``<namespace>.<tenant>.<domain>``: a client that connects to a node address must still
send that name in ``Host``. A host naming no namespace of the system (another domain,
the tenant or admin host, an IP literal) is refused with 403, as HCP refuses a namespace
that does not exist; a request without ``Host`` is malformed (400). After an
active/active failover a system also answers the namespace hosts of the domain it stands
in for (:attr:`~hcpsdk.emulator.model.System.taken_over_domains`).

.. versionadded:: 1.0
"""
from __future__ import annotations

import re

from .errors import RequestRefused
from .model import Namespace, System

__all__ = ["MAX_PATH", "Router", "fold_path"]

#: The longest object path (below ``/rest``, or ``/mapi``) HCP accepts, in bytes.
MAX_PATH = 4095

def fold_path(path: str) -> str:
    """*path* with repeated slashes folded into one.

    :raises RequestRefused: 414 when it is longer than HCP allows
    """
    if "//" in path:
        path = re.sub("/+", "/", path)
    if len(path.encode("utf-8")) > MAX_PATH:
        raise RequestRefused(414, f"path is longer than {MAX_PATH} bytes")
    return path


class Router:
    """Finds the namespace a Host header names.

    :param system: the system whose namespaces are served
    """

    def __init__(self, system: System) -> None:
        self.system = system
        self._suffix = "." + system.domain

    def namespace(self, host: str) -> Namespace:
        """The namespace *host* (lower case, without port) names.

        :raises RequestRefused: 400 without a host; 403 when the host names no namespace
            of this system
        """
        if not host:
            raise RequestRefused(400, "the request has no Host header")
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
        raise RequestRefused(403, f"{host} names no namespace of {self.system.domain}: send"
                                  " the namespace's host name <namespace>.<tenant>."
                                  f"{self.system.domain} in Host")

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
