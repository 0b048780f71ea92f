"""Hints that turn a symptom into its likely cause, added to an error's message.

Some mistakes show only as a symptom on the wire: plain http sent to a TLS port is
answered with a reset (the server waits for a TLS handshake), a TLS handshake with a
plain-http port breaks off, a name that only a test DNS server knows is "not found".
The hint says what to check, in the words of the API (``tls=``, ``resolver=``).

.. versionadded:: 1.0
"""
from __future__ import annotations

import contextlib
import http.client
import ssl
from collections.abc import Iterator
from typing import Any

from .exceptions import HcpsdkError

__all__ = ["protocol_hint", "hinted", "RESOLVER_HINT"]

#: Appended to a failed name resolution.
RESOLVER_HINT = (" - check the name and the resolver: Target(..., resolver=...) takes a "
                 "dnspython Resolver, dnscache=True uses the system's; the names of the "
                 "hcpsdk emulator resolve with resolver=hcp.resolver(), or everywhere after "
                 "hcp.use_as_default_resolver()")

# a TLS handshake that a plain-http server broke off, or answered with plain text
_NOT_TLS = (ssl.SSLEOFError, ssl.SSLZeroReturnError, ConnectionResetError)
_NOT_TLS_REASONS = frozenset({"WRONG_VERSION_NUMBER", "HTTP_REQUEST", "PACKET_LENGTH_TOO_LONG",
                              "RECORD_LAYER_FAILURE", "UNEXPECTED_EOF_WHILE_READING"})
# plain http answered by a TLS server: a reset, a close, or a TLS alert record
_NOT_PLAIN = (ConnectionResetError, http.client.RemoteDisconnected, http.client.BadStatusLine)


def protocol_hint(exc: BaseException | None, target: Any, fresh: bool) -> str:
    """The hint for ``exc``, met on a connection to ``target`` ('' when there is none).

    :param fresh: the connection was new (a kept-alive one fails for other reasons)
    """
    if exc is None or not fresh:
        return ""
    tls = target._tls_policy is not None
    if tls and (isinstance(exc, _NOT_TLS) or getattr(exc, "reason", None) in _NOT_TLS_REASONS):
        return (f" - if port {target.port} speaks plain http, not TLS, use "
                "Target(..., tls=False)")
    if not tls and isinstance(exc, _NOT_PLAIN):
        return (f" - if port {target.port} speaks TLS (https), not plain http, use "
                "Target(..., tls=True)")
    return ""


@contextlib.contextmanager
def hinted(exc: BaseException, target: Any, fresh: bool) -> Iterator[None]:
    """Add :func:`protocol_hint` to an :exc:`HcpsdkError` raised in the block for ``exc``."""
    try:
        yield
    except HcpsdkError as error:
        hint = protocol_hint(exc, target, fresh)
        if hint and hint not in error.reason:
            error.reason += hint
            error.args = (error.reason,)
        raise
