"""How the emulator refuses a request: one exception and one reply builder.

Any part of the emulator (routing, the object store, ``/proc``, MAPI) raises
:class:`RequestRefused` with the HTTP status HCP answers and the text HCP puts into
``X-HCP-ErrorMessage``; the request handler turns it into a reply with
:func:`error_reply`, which every other error answer of the emulator uses too.
"""
from __future__ import annotations

from ..exceptions import HcpsdkError
from .model import Reply

__all__ = ["RequestRefused", "error_reply"]


class RequestRefused(HcpsdkError):
    """HCP refuses the request; the handler answers it with :attr:`status`.

    :param status: the HTTP status to answer, kept as ``status``
    :param message: the ``X-HCP-ErrorMessage`` text, kept as ``message``; the
        ``reason`` is ``"HTTP <status>: <message>"``

    .. versionadded:: 1.0
    """

    def __init__(self, status: int, message: str) -> None:
        super().__init__(f"HTTP {status}: {message}")
        self.status = status
        self.message = message

    def reply(self) -> Reply:
        """The answer to the refused request."""
        return error_reply(self.status, self.message)


def error_reply(status: int, message: str) -> Reply:
    """An empty-bodied reply carrying *message* in ``X-HCP-ErrorMessage``.

    :param status: the HTTP status
    :param message: what was wrong (folded onto one line, non-latin-1 characters replaced,
        since a header value can carry neither line breaks nor other characters)
    """
    safe = " ".join(message.split()).encode("latin-1", "replace").decode("latin-1")
    return Reply(status, [("X-HCP-ErrorMessage", safe)], b"")
