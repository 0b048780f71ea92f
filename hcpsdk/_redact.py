"""Credentials blanked out of http.client's debug print-out.

http.client prints every request head it sends (``send: b'PUT ...'``) when its debug
level is above 0 — set per connection (``Connection(debuglevel=...)``) or for every
connection at once by the common recipe ``http.client.HTTPConnection.debuglevel = 9``.
The head holds the ``Authorization``, ``Cookie`` or ``X-Auth-Token`` token, which is
as good as the password; :func:`redacted` is what is printed instead.

.. versionadded:: 1.0
"""
from __future__ import annotations

import re

__all__ = ["redacted", "REDACTED"]

#: What a credential's value is replaced with.
REDACTED = b"******"

_SECRET_HEADERS = re.compile(rb"(?im)^((?:authorization|cookie|x-auth-token):[ \t]*)[^\r\n]*")


def redacted(data: bytes | bytearray) -> bytes:
    """``data`` (a request head, or any bytes sent) with every credential's value blanked."""
    return _SECRET_HEADERS.sub(rb"\1" + REDACTED, bytes(data))
