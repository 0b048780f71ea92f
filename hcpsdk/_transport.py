"""Sockets to HCP nodes: connect (TCP options, TLS), send, and check kept-alive sockets.

:class:`NodeConnection` is ``http.client.HTTPConnection`` with its ``connect()``
replaced: it talks to one node's IP address, sets ``TCP_NODELAY`` and the
optional TCP keep-alive options (Linux and macOS names), and lets the Target's
:class:`~hcpsdk._tls.TlsPolicy` do the TLS handshake (SNI = the Target's FQDN).
"""
from __future__ import annotations

import http.client
import re
import select
import socket
import ssl
import sys

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing costs import time; annotations are strings here
    from typing import Any, Callable, Optional

    from ._tls import TlsPolicy

__all__ = ["BLOCKSIZE", "NodeConnection", "is_dropped", "socket_opener"]

#: Bytes per socket write/read block when streaming bodies.
BLOCKSIZE = 1 << 20

if sys.platform == "darwin":  # pragma: no cover - macOS names
    _KEEPIDLE = getattr(socket, "TCP_KEEPALIVE", 0x10)
else:
    _KEEPIDLE = getattr(socket, "TCP_KEEPIDLE", None)

# credentials in a request head, blanked in http.client's debug print-out (DECISIONS #11);
# compiled by re (and cached there) on first use only: debugging is rare
_SECRET_HEADERS = rb"(?im)^((?:authorization|cookie|x-auth-token):[ \t]*)[^\r\n]*"


class NodeConnection(http.client.HTTPConnection):
    """http.client's connection with our own connect(): node, socket options, TLS."""

    def __init__(self, node: str, port: int, timeout: float, opener: Any) -> None:
        super().__init__(node, port, timeout=timeout, blocksize=BLOCKSIZE)
        self._opener = opener

    def connect(self) -> None:
        self.sock = self._opener()

    def set_debuglevel(self, level: int) -> None:
        super().set_debuglevel(level)
        # the redacting send() is put in place only while debugging: no cost otherwise
        if level > 0:
            self.send = self._send_redacted  # type: ignore[method-assign]
        else:
            self.__dict__.pop("send", None)

    def _send_redacted(self, data: Any) -> None:
        if isinstance(data, (bytes, bytearray)):
            print("send:", repr(re.sub(_SECRET_HEADERS, rb"\1******", bytes(data))))
            if self.sock is None:
                self.connect()
            self.sock.sendall(data)
            return
        http.client.HTTPConnection.send(self, data)


def is_dropped(sock: socket.socket) -> bool:
    """``True`` when a kept-alive socket can't be used: the server closed it (or sent junk)."""
    try:
        if not select.select([sock], [], [], 0)[0]:
            return False
    except (OSError, ValueError):
        return True
    if not isinstance(sock, ssl.SSLSocket):
        return True  # readable while no request is out: EOF or stray bytes
    timeout = sock.gettimeout()
    try:
        sock.settimeout(0)
        sock.recv(1)
        return True
    except ssl.SSLWantReadError:
        return False  # only TLS housekeeping (e.g. a session ticket) was waiting
    except OSError:
        return True
    finally:
        try:
            sock.settimeout(timeout)
        except OSError:
            pass


def socket_opener(node: str, port: int, timeout: float,
                  keepalive: "Optional[tuple[int, int, int]]",
                  tls: "Optional[TlsPolicy]", fqdn: str) -> "Callable[[], socket.socket]":
    """A function that makes a connected (and, with ``tls``, TLS-wrapped) socket to ``node``.

    :param keepalive: ``(idle, interval, count)`` to switch TCP keep-alive on, or ``None``
    """
    def tcp() -> socket.socket:
        sock = socket.create_connection((node, port), timeout)
        try:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            if keepalive is not None:
                _set_keepalive(sock, *keepalive)
        except OSError:
            sock.close()
            raise
        return sock

    if tls is None:
        return tcp
    return lambda: tls.wrap(tcp, node, fqdn)


def _set_keepalive(sock: socket.socket, idle: int, interval: int, count: int) -> None:
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
    if _KEEPIDLE is not None:
        sock.setsockopt(socket.IPPROTO_TCP, _KEEPIDLE, int(idle))
    if hasattr(socket, "TCP_KEEPINTVL"):
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPINTVL, int(interval))
    if hasattr(socket, "TCP_KEEPCNT"):
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPCNT, int(count))
