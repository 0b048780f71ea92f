"""Helpers of the emulator's own tests: a raw HTTP client (plain http.client, no hcpsdk)."""
from __future__ import annotations

import base64
import hashlib
import http.client
import socket
import ssl
from dataclasses import dataclass
from typing import Any

from hcpsdk.emulator import Emulator


def token(user: str, password: str) -> str:
    """HCP authentication token, computed independently of the emulator's code."""
    return base64.b64encode(user.encode()).decode() + ":" + hashlib.md5(password.encode()).hexdigest()


@dataclass
class Answer:
    """A complete response."""

    status: int
    headers: http.client.HTTPMessage
    body: bytes

    def header(self, name: str, default: Any = None) -> Any:
        return self.headers.get(name, default)


class _HTTPSConnection(http.client.HTTPSConnection):
    """HTTPS to an IP with SNI / hostname check against *server_hostname*."""

    def __init__(self, host: str, port: int, context: ssl.SSLContext, server_hostname: str,
                 timeout: float) -> None:
        super().__init__(host, port, context=context, timeout=timeout)
        self._sni = server_hostname

    def connect(self) -> None:
        sock = socket.create_connection((self.host, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self._sni)


class Client:
    """One keep-alive connection to one node, with Host and HCP auth headers filled in.

    :param hcp: the emulator
    :param node: node index
    :param tls: use the HTTPS data port (else HTTP)
    :param host: Host header (default: the default namespace FQDN)
    :param auth: (user, password) or None for no credentials
    """

    def __init__(self, hcp: Emulator, node: int = 0, tls: bool = False, host: str | None = None,
                 auth: tuple[str, str] | None = ("n", "n01"), port: int | None = None,
                 timeout: float = 10.0) -> None:
        self.hcp = hcp
        self.host = host or hcp.fqdn
        self.auth = auth
        address = hcp.addresses[node]
        if tls or port in (hcp.mapi_port,):
            ctx = ssl.create_default_context(cafile=hcp.cafile)
            self.conn: http.client.HTTPConnection = _HTTPSConnection(
                address, port or hcp.https_port, ctx, self.host, timeout)
        else:
            self.conn = http.client.HTTPConnection(address, port or hcp.http_port, timeout=timeout)

    def request(self, method: str, url: str, body: Any = None, headers: dict | None = None,
                host: str | None = None, auth: Any = "default") -> Answer:
        h = {"Host": host or self.host}
        auth = self.auth if auth == "default" else auth
        if auth is not None:
            h["Authorization"] = "HCP " + token(*auth)
        h.update(headers or {})
        self.conn.request(method, url, body=body, headers=h)
        r = self.conn.getresponse()
        return Answer(r.status, r.headers, r.read())

    def __getattr__(self, method: str) -> Any:
        if method.isupper():
            return lambda url, body=None, **kw: self.request(method, url, body, **kw)
        raise AttributeError(method)

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
