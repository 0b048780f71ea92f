"""Low-level errors (socket, ssl, http.client) translated in exactly one place.

``_RULES`` is the table: exception type → hcpsdk error class, whether a retry on
another node may help, and how to describe the cause. The first matching row wins,
so subclasses come before their bases.
"""
from __future__ import annotations

import http.client
import ssl
from typing import NamedTuple

from ._framing import MalformedAnswer
from .exceptions import (
    HcpsdkCantConnectError,
    HcpsdkCertificateError,
    HcpsdkError,
    HcpsdkTimeoutError,
)

__all__ = ["Rule", "classify", "translate"]


#: How one kind of low-level error is handled: ``error`` (the hcpsdk error class),
#: ``retry`` (a retry on another node may succeed), ``cause`` (what happened, in words),
#: ``stale`` (typical of a keep-alive socket the server closed while idle).
class Rule(NamedTuple):
    """One row of the table below."""

    error: type[HcpsdkError]
    retry: bool
    cause: str
    stale: bool = False


# OpenSSL's reasons for a TLS record that arrived damaged (or out of place) on a connection
# that was fine so far: a fault on the way or in the node, not a question of certificates;
# another attempt, on another node, may well succeed
_DAMAGED_RECORD = frozenset({
    "BAD_RECORD_MAC", "DECRYPTION_FAILED_OR_BAD_RECORD_MAC", "DECRYPTION_FAILED",
    "BAD_DECRYPT", "UNEXPECTED_RECORD", "RECORD_LAYER_FAILURE", "BAD_LENGTH",
    "LENGTH_MISMATCH", "PACKET_LENGTH_TOO_LONG", "DATA_LENGTH_TOO_LONG",
    "ENCRYPTED_LENGTH_TOO_LONG", "RECORD_LENGTH_MISMATCH", "TLSV1_ALERT_DECRYPTION_FAILED",
    "SSLV3_ALERT_BAD_RECORD_MAC", "TLSV1_ALERT_RECORD_OVERFLOW",
})
_DAMAGED = Rule(HcpsdkError, True, "TLS record damaged in transit")

_RULES: tuple[tuple[type, Rule], ...] = (
    # raised inside http.client's reading: named with node and request like its errors
    (MalformedAnswer, Rule(HcpsdkError, False, "malformed answer")),
    (HcpsdkError, Rule(HcpsdkError, False, "error")),
    (ssl.SSLCertVerificationError,
     Rule(HcpsdkCertificateError, False, "certificate verification failed")),
    (ssl.SSLEOFError, Rule(HcpsdkError, True, "TLS connection closed unexpectedly", True)),
    (ssl.SSLZeroReturnError, Rule(HcpsdkError, True, "TLS connection closed", True)),
    (ssl.SSLError, Rule(HcpsdkCertificateError, False, "TLS error")),
    (ConnectionRefusedError, Rule(HcpsdkCantConnectError, True, "connection refused")),
    (http.client.RemoteDisconnected,
     Rule(HcpsdkTimeoutError, True, "HCP most likely closed the connection", True)),
    (ConnectionAbortedError, Rule(HcpsdkTimeoutError, True, "connection aborted", True)),
    (BrokenPipeError,
     Rule(HcpsdkTimeoutError, True, "connection closed by HCP (broken pipe)", True)),
    (ConnectionResetError, Rule(HcpsdkError, True, "connection reset by HCP", True)),
    (TimeoutError, Rule(HcpsdkTimeoutError, True, "timed out")),
    (http.client.IncompleteRead, Rule(HcpsdkError, True, "response body incomplete")),
    (http.client.BadStatusLine, Rule(HcpsdkError, True, "invalid response (bad status line)")),
    (http.client.HTTPException, Rule(HcpsdkError, False, "http protocol error")),
    (OSError, Rule(HcpsdkCantConnectError, True, "network error")),
)

_UNKNOWN = Rule(HcpsdkError, False, "unexpected error")


def classify(exc: BaseException) -> Rule:
    """The :class:`Rule` for ``exc``."""
    if type(exc) is ssl.SSLError and getattr(exc, "reason", None) in _DAMAGED_RECORD:
        return _DAMAGED
    for exc_type, rule in _RULES:
        if isinstance(exc, exc_type):
            return rule
    return _UNKNOWN


def _detail(exc: BaseException) -> str:
    # set by the ssl module on a failed handshake, missing on one made by hand
    verify_message = getattr(exc, "verify_message", None)
    if verify_message:
        return str(verify_message)
    if isinstance(exc, http.client.IncompleteRead):
        more = exc.expected if exc.expected is not None else "some"
        return f"{len(exc.partial)} bytes read, {more} more expected"
    return str(exc) or type(exc).__name__


def translate(exc: BaseException, *, action: str, node: str, fqdn: str,
              rule: Rule | None = None, note: str = "") -> HcpsdkError:
    """Build the hcpsdk error for ``exc``; the caller raises it ``from exc``.

    :param exc: the low-level exception
    :param action: what was being done, e.g. ``'PUT /rest/a.txt'`` or ``'connect'``
    :param node: the node's IP address
    :param fqdn: the Target's FQDN
    :param note: appended to the message (e.g. retries done)
    :returns: an instance of the table's error class naming node, FQDN and cause
    """
    if isinstance(exc, HcpsdkError) and not isinstance(exc, MalformedAnswer):
        return exc
    rule = rule or classify(exc)
    message = f"{action} failed on node {node} ({fqdn}): {rule.cause} ({_detail(exc)})"
    return rule.error(message + note)
