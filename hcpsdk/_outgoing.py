"""A request's body and framing headers, checked before anything is sent.

:func:`prepared` turns the caller's ``body`` into the :class:`~hcpsdk._body.Payload`
that is sent, after these checks:

- *Text mode.* A file opened with ``'r'`` (or an ``io.StringIO``) hands out text with
  newlines and encoding translated: the object stored is not the file on disk. It is
  sent (the 2015 samples open files that way) with a warning pointing at the caller.
- *Buffers.* A strided ``memoryview`` can't be handed to a socket; it is sent as its
  bytes. A ``memoryview`` of wider items (``'i'``, ``'d'``) in an iterable is sent as
  its bytes too: http.client would take its item count for the chunk size.
- *The caller's source.* An ``OSError`` raised by the caller's iterator or file while
  the body is sent is the caller's failure (a disk, a share), not the network's: it is
  reported as such and never makes a node look broken or the request be resent.
- *Iterables.* Every item must be bytes-like. The first item is taken before anything
  is sent; a later wrong one stops the request before it is complete.
- *The caller's framing.* ``Content-Length`` and ``Transfer-Encoding`` from the
  caller's ``headers`` are sent as they are, so they must be true: a
  ``Content-Length: 4`` with a 10-byte body stores 4 bytes (and leaves 6 in the
  connection for the server to take as the next request); one without a body keeps
  the server waiting for bytes that never come. What can be told wrong is refused up
  front; a stream of unknown size is counted while it is sent, and the block that
  completes the declared length leaves only once the stream is known to end there.

.. versionadded:: 1.0
"""
from __future__ import annotations

import itertools
import os
import sys
import warnings
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from ._body import Payload, _is_text
from ._check import show
from ._constants import BLOCKSIZE
from ._encoding import unencodable
from .exceptions import HcpsdkArgumentError, HcpsdkError, HcpsdkTypeError

__all__ = ["prepared", "no_body", "TEXT_MODE_WARNING"]

#: What a text-mode body is warned about.
TEXT_MODE_WARNING = "text-mode file: newlines and encoding are translated; open it with 'rb'"

_PACKAGE = os.path.dirname(os.path.abspath(__file__)) + os.sep
_BYTES = (bytes, bytearray)
_NOTHING = object()


def _caller_stacklevel() -> int:
    """The ``stacklevel`` of the first frame outside hcpsdk, seen from the caller of this."""
    frame = sys._getframe(1)
    level = 1
    while frame.f_back is not None and frame.f_code.co_filename.startswith(_PACKAGE):
        frame = frame.f_back
        level += 1
    return level


def _item(index: int, item: Any) -> Any:
    """``item`` of an iterable body as it is sent: bytes-like with a byte's item size.

    :raises HcpsdkTypeError: it is no bytes-like object
    """
    if isinstance(item, _BYTES):
        return item
    if isinstance(item, memoryview):
        return item if item.contiguous and item.itemsize == 1 else item.tobytes()
    raise HcpsdkTypeError(f"request: body must yield bytes, but item {index} is {show(item)}")


def _source_failed(exc: OSError) -> HcpsdkError:
    """The error for the caller's body source (iterator, file) raising ``exc``."""
    return HcpsdkError(f"request: reading the body failed ({type(exc).__name__}: {exc}); "
                       "the body's source failed, not the network - nothing was resent")


def _checked_items(source: Iterable[Any], first: Any = _NOTHING) -> Iterator[Any]:
    items = iter(source)
    if first is not _NOTHING:
        items = itertools.chain((first,), items)
    index = 0
    while True:
        try:
            item = next(items)
        except StopIteration:
            return
        except OSError as exc:  # the caller's iterator: its failure is no network error
            raise _source_failed(exc) from exc
        yield _item(index, item)
        index += 1


class _GuardedFile:
    """A binary file body whose read errors are reported as the caller's, not the network's."""

    __slots__ = ("_file",)

    def __init__(self, file: Any) -> None:
        self._file = file

    def read(self, size: int = -1) -> Any:
        try:
            return self._file.read(size)
        except OSError as exc:
            raise _source_failed(exc) from exc


# -- the caller's framing headers ----------------------------------------------------------

def _declared_length(headers: Mapping[str, Any]) -> int | None:
    """The caller's ``Content-Length`` (``None``: none).

    :raises HcpsdkArgumentError: a length that is no decimal number, or one together
        with ``Transfer-Encoding``
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
    return length


def _contradiction(declared: int, size: int | str) -> HcpsdkArgumentError:
    return HcpsdkArgumentError(
        f"request: headers say Content-Length: {declared}, but the body has {size} bytes "
        "(refused: the object would be stored with other content)")


def _counted(source: Any, declared: int) -> Iterator[Any]:
    """The blocks of ``source`` (an iterable or a file), checked to add up to ``declared``."""
    blocks: Iterable[Any] = (iter(lambda: source.read(BLOCKSIZE), source.read(0))
                             if hasattr(source, "read") else source)
    sent = 0
    # each block is held back until the next one is known: the block that completes the
    # declared length leaves only once the stream is known to end there, so a server
    # never receives a whole request whose body was cut short or runs on
    held = None
    for block in blocks:
        sent += memoryview(block).nbytes
        if sent > declared:
            raise _contradiction(declared, f"more than {declared}")
        if held is not None:
            yield held
        held = block
    if sent != declared:
        raise _contradiction(declared, f"only {sent}")
    if held is not None:
        yield held


class _CheckedPayload(Payload):
    """A stream body whose items are checked (and counted) while it is sent."""

    __slots__ = ("_declared", "_first")

    def __init__(self, body: Any, declared: int | None) -> None:
        super().__init__(body)
        self._declared = declared
        self._first: Any = _NOTHING
        if not hasattr(body, "read") and iter(body) is body:
            # an iterator: its first item is checked before anything is sent
            self._first = next(body, _NOTHING)
            if self._first is not _NOTHING:
                _item(0, self._first)
        elif declared is not None and self.size is not None:
            if declared != self.size:
                raise _contradiction(declared, self.size)
            self._declared = None  # nothing left to count

    def for_send(self) -> Any:
        source = super().for_send()
        if hasattr(source, "read"):
            source = _GuardedFile(source)
        else:
            first, self._first = self._first, _NOTHING
            source = _checked_items(source, first)
        if self._declared is not None:
            source = _counted(source, self._declared)
        return source


def _is_stream(body: Any) -> bool:
    return hasattr(body, "read") or (hasattr(body, "__iter__")
                                     and not isinstance(body, (str, bytes, bytearray, memoryview)))


def prepared(body: Any, headers: Mapping[str, Any] | None) -> Payload:
    """The payload to send for ``body``, checked against itself and ``headers``.

    :param body: the caller's body (not ``None``)
    :param headers: the caller's headers
    :raises HcpsdkTypeError: the body is of no type that can be sent, or its first item
    :raises HcpsdkArgumentError: the headers contradict the body or each other
    """
    declared = _declared_length(headers) if headers else None
    if not _is_stream(body):
        if isinstance(body, memoryview) and not body.contiguous:
            body = body.tobytes()  # a socket takes contiguous buffers only
        try:
            payload = Payload(body)
        except UnicodeEncodeError:
            raise unencodable("request", "body", body) or HcpsdkArgumentError(
                "request: the body can't be encoded as UTF-8") from None
        if declared is not None and declared != payload.size:
            raise _contradiction(declared, payload.size if payload.size is not None else 0)
        return payload
    if hasattr(body, "read") and _is_text(body):
        warnings.warn(TEXT_MODE_WARNING, UserWarning, stacklevel=_caller_stacklevel())
    return _CheckedPayload(body, declared)


def no_body(headers: Mapping[str, Any] | None) -> None:
    """Check the caller's framing headers of a request without a body.

    :raises HcpsdkArgumentError: they announce one
    """
    if headers:
        declared = _declared_length(headers)
        if declared:
            raise _contradiction(declared, "no body: 0")
