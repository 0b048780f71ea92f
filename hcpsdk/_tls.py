"""TLS for connections to HCP nodes.

* The default context does not verify (as the 0.9 documentation promises: HCP ships
  with a self-signed certificate).
* A caller's context is used unchanged; SNI is always the Target's FQDN.
* When such a context checks host names and the certificate fails *only* on the
  host name, the node is accepted if the certificate's SAN holds the node's IP
  address (the setup chapter 5 of the documentation recommends). That check needs
  a second handshake with a derived context that verifies the chain but not the
  name; nodes found to need it go straight to the second way next time.
"""
from __future__ import annotations

import ipaddress
import logging
import socket
import ssl
import sys
from collections.abc import Callable

from ._locks import fork_safe_lock
from .exceptions import HcpsdkCertificateError

__all__ = ["default_context", "TlsPolicy"]

log = logging.getLogger(__name__)

# OpenSSL's X509_V_ERR_HOSTNAME_MISMATCH / X509_V_ERR_IP_ADDRESS_MISMATCH
_NAME_MISMATCH = frozenset({62, 64})

_default: ssl.SSLContext | None = None
_default_lock = fork_safe_lock(sys.modules[__name__], "_default_lock")


def default_context() -> ssl.SSLContext:
    """The context used when a Target gets none: TLS without certificate verification."""
    global _default
    with _default_lock:
        if _default is None:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
            _default = context
        return _default


def _same_ip(text: str, node: str) -> bool:
    try:
        return ipaddress.ip_address(text) == ipaddress.ip_address(node)
    except ValueError:
        return False


class TlsPolicy:
    """How one Target wraps its sockets: the context, and the IP-SAN fallback.

    :param context: the caller's context, or ``None`` for the non-verifying default
    """

    def __init__(self, context: ssl.SSLContext | None) -> None:
        self.context = context if context is not None else default_context()
        self._ip_context: ssl.SSLContext | None = None
        self._ip_nodes: set[str] = set()
        self._lock = fork_safe_lock(self)

    def wrap(self, connect: Callable[[], socket.socket], node: str, fqdn: str) -> ssl.SSLSocket:
        """Open a TCP connection with ``connect`` and do the TLS handshake.

        :param connect: makes a connected TCP socket to ``node``
        :param node: the node's IP address
        :param fqdn: the Target's FQDN (sent as SNI, checked by the context)
        :raises HcpsdkCertificateError: the certificate matches neither FQDN nor node IP
        :raises ssl.SSLError: any other TLS failure (translated by the caller)
        """
        if node in self._ip_nodes:
            return self._wrap_by_ip(connect(), node, fqdn)
        sock = connect()
        try:
            return self.context.wrap_socket(sock, server_hostname=fqdn)
        except ssl.SSLCertVerificationError as exc:
            sock.close()
            if exc.verify_code not in _NAME_MISMATCH or not self.context.check_hostname:
                raise
            name_error = exc
        log.debug("certificate of node %s does not match %s - checking for the node IP",
                  node, fqdn)
        try:
            wrapped = self._wrap_by_ip(connect(), node, fqdn)
        except HcpsdkCertificateError as exc:
            raise exc from name_error
        with self._lock:
            self._ip_nodes.add(node)
        return wrapped

    def _wrap_by_ip(self, sock: socket.socket, node: str, fqdn: str) -> ssl.SSLSocket:
        wrapped = self._derived().wrap_socket(sock, server_hostname=fqdn)
        cert = wrapped.getpeercert() or {}
        sans = [(str(entry[0]), str(entry[1])) for entry in cert.get("subjectAltName", ())]
        if any(kind == "IP Address" and _same_ip(value, node) for kind, value in sans):
            return wrapped
        wrapped.close()
        names = ", ".join(value for _, value in sans) or "none"
        raise HcpsdkCertificateError(
            f"certificate of node {node} matches neither the FQDN {fqdn} nor the node's IP "
            f"address (subjectAltName: {names})")

    def _derived(self) -> ssl.SSLContext:
        """A context with the caller's trust anchors that verifies the chain, not the name."""
        with self._lock:
            if self._ip_context is None:
                user = self.context
                derived = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
                derived.check_hostname = False
                derived.verify_mode = ssl.CERT_REQUIRED
                derived.minimum_version = user.minimum_version
                derived.maximum_version = user.maximum_version
                derived.verify_flags = user.verify_flags
                cas = user.get_ca_certs(binary_form=True)
                if cas:
                    derived.load_verify_locations(cadata=b"".join(cas))
                else:
                    derived.load_default_certs()
                self._ip_context = derived
            return self._ip_context
