"""The caller's own framing headers, held against the body before anything is sent.

A request may carry ``Content-Length`` or ``Transfer-Encoding`` from the caller's
``headers``. They go out as they are, so they must be true: a ``Content-Length: 4``
sent with a 10-byte body stores 4 bytes (and leaves 6 in the connection for the
server to take as the next request); one sent without a body keeps the server
waiting for bytes that never come. :func:`checked_payload` refuses what can be told
wrong up front, and counts a stream of unknown size while it is sent: it stops
before a byte beyond the declared length leaves, and fails when the stream ends
short, so the server never gets a complete request with the wrong content.

.. versionadded:: 1.0
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from ._body import Payload
from .exceptions import HcpsdkArgumentError

__all__ = ["checked_payload"]

_BLOCK = 1 << 20


def _declared(headers: Mapping[str, Any]) -> tuple[int | None, bool]:
    """The caller's ``Content-Length`` (``None``: none) and whether it asks for chunks.

    :raises HcpsdkArgumentError: a length that is no decimal number, or both headers
    """
    length: int | None = None
    chunked = False
    for name, value in headers.items():
        low = name.lower()
        if low == "content-length":
            text = str(value).strip()
            if not (text.isascii() and text.isdigit()):
                raise HcpsdkArgumentError(
                    f"request: headers[{name!r}] (Content-Length) must be the body's size in "
                    f"decimal digits, not {value!r}")
            length = int(text)
        elif low == "transfer-encoding":
            chunked = True
    if length is not None and chunked:
        raise HcpsdkArgumentError(
            "request: headers carry both Content-Length and Transfer-Encoding; a request "
            "may have one of them only (it is framed by one or the other)")
    return length, chunked


def _contradiction(declared: int, size: int | str) -> HcpsdkArgumentError:
    return HcpsdkArgumentError(
        f"request: headers say Content-Length: {declared}, but the body has {size} bytes "
        "(refused: the object would be stored with other content)")


class _CountedPayload(Payload):
    """A stream body of unknown size sent under the caller's ``Content-Length``."""

    __slots__ = ("_declared",)

    def __init__(self, body: Any, declared: int) -> None:
        super().__init__(body)
        self._declared = declared

    def for_send(self) -> Any:
        return self._counted(super().for_send())

    def _counted(self, source: Any) -> Iterator[bytes]:
        declared = self._declared
        sent = 0
        blocks: Iterable[Any] = (iter(lambda: source.read(_BLOCK), b"")
                                 if hasattr(source, "read") else source)
        # each block is held back until the next one is known: the block that completes
        # the declared length leaves only once the stream is known to end there, so a
        # server never receives a whole request whose body was cut short
        held = None
        for block in blocks:
            sent += len(block)
            if sent > declared:
                raise _contradiction(declared, f"more than {declared}")
            if held is not None:
                yield held
            held = block
        if sent != declared:
            raise _contradiction(declared, f"only {sent}")
        if held is not None:
            yield held


def checked_payload(payload: Payload, body: Any, headers: Mapping[str, Any] | None
                    ) -> Payload:
    """``payload``, or one that holds a stream to the caller's ``Content-Length``.

    :param payload: the body as prepared for sending
    :param body: the caller's body (``None``: no body)
    :param headers: the caller's headers
    :raises HcpsdkArgumentError: the headers contradict the body or each other
    """
    if not headers:
        return payload
    declared, _ = _declared(headers)
    if declared is None:
        return payload
    if body is None:
        if declared != 0:
            raise _contradiction(declared, "no body: 0")
        return payload
    if payload.size is not None:
        if payload.size != declared:
            raise _contradiction(declared, payload.size)
        return payload
    return _CountedPayload(body, declared)
