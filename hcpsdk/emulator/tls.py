"""The emulator's certificate authority and server certificates (made with trustme).

One certificate covers the system's names (``*.<tenant>.<domain>``, ``<tenant>.<domain>``,
``admin.<domain>``) and every node IP. A tenant created after the start (by configuration
at run time or by a replication link mirroring one) gets its own certificate the first
time a client asks for one of its names (SNI), so verification keeps working.
"""
from __future__ import annotations

import os
import ssl
import threading
from collections.abc import Callable, Iterable
from typing import Any

from ..exceptions import HcpsdkError

__all__ = ["Authority", "MissingExtraError", "import_trustme"]

#: How to install what the emulator needs beyond the SDK.
INSTALL_HINT = "python3 -m pip install 'hcpsdk[emulator]'"


class MissingExtraError(HcpsdkError, ImportError):
    """A package of the ``emulator`` extra (trustme) is not installed."""


def import_trustme() -> Any:
    """The :mod:`trustme` module.

    :raises MissingExtraError: if it is not installed, saying how to install it
    """
    try:
        import trustme
    except ImportError:
        raise MissingExtraError("the HCP emulator needs the package trustme for its"
                                f" certificates: {INSTALL_HINT}") from None
    return trustme


class Authority:
    """A generated CA and one server certificate for all names and node IPs.

    :param names: DNS names for the certificate's SAN (wildcards allowed)
    :param addresses: IP addresses for the SAN
    :param directory: where the CA PEM (``ca.pem``) is written
    :param ca_pem: an existing CA (certificate + key PEM, as :meth:`ca_key_pem` returns) to
        reuse, so a disk-backed emulator keeps its CA across restarts
    :param domain: the system domain (enables certificates for tenants added later)
    :param tenants: returns the current tenant names
    """

    def __init__(self, names: Iterable[str], addresses: Iterable[str], directory: str,
                 ca_pem: bytes | None = None, domain: str | None = None,
                 tenants: Callable[[], Iterable[str]] | None = None) -> None:
        trustme = import_trustme()
        names, addresses = list(names), list(addresses)
        if ca_pem:
            self.ca = trustme.CA.from_pem(ca_pem, ca_pem)
        else:
            self.ca = trustme.CA(organization_name="hcpsdk emulator")
        self._cert = self.ca.issue_cert(*names, *addresses, common_name=names[0] if names else None)
        self.cafile = os.path.join(directory, "ca.pem")
        self.ca.cert_pem.write_to_path(self.cafile)
        self._names = set(names)
        self._addresses = addresses
        self._domain = domain or ""
        self._tenants: Callable[[], Iterable[str]] = tenants or tuple
        self._lock = threading.Lock()
        self._late: dict[str, ssl.SSLContext] = {}
        self.context = self._server_context(self._cert)
        if domain and tenants:
            self.context.sni_callback = self._on_sni

    @staticmethod
    def _server_context(cert: Any) -> ssl.SSLContext:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        cert.configure_cert(ctx)
        return ctx

    def _covered(self, name: str) -> bool:
        if name in self._names:
            return True
        _, _, parent = name.partition(".")
        return "*." + parent in self._names

    def _on_sni(self, sslobj: ssl.SSLObject, server_name: str | None,
                context: ssl.SSLContext) -> None:
        if not server_name:
            return
        name = server_name.lower().rstrip(".")
        suffix = "." + self._domain
        if self._covered(name) or not name.endswith(suffix):
            return
        tenant = name[: -len(suffix)].rsplit(".", 1)[-1]
        if tenant not in set(self._tenants()):
            return
        with self._lock:
            ctx = self._late.get(tenant)
            if ctx is None:
                names = [f"*.{tenant}{suffix}", f"{tenant}{suffix}"]
                ctx = self._late[tenant] = self._server_context(
                    self.ca.issue_cert(*names, *self._addresses, common_name=names[1]))
        sslobj.context = ctx

    def ca_key_pem(self) -> bytes:
        """The CA certificate and private key as one PEM (keep it private)."""
        return bytes(self.ca.cert_pem.bytes() + self.ca.private_key_pem.bytes())

    def client_context(self) -> ssl.SSLContext:
        """A client context that trusts this CA (hostname checking on)."""
        ctx = ssl.create_default_context(cafile=self.cafile)
        return ctx
