"""Request bodies: their size, rewinding and digest.

``bytes``/``str`` can always be sent again; a seekable stream is rewound to the
offset it had when the request started; a non-seekable stream or an iterator
can be sent only once. Known sizes (bytes, regular files, seekable streams) go
out with ``Content-Length``; only unknown sizes are sent chunked.
"""
from __future__ import annotations

import io
import os
import stat
from collections.abc import Iterator
from typing import Any

from ._check import show, wrong_type
from ._constants import BLOCKSIZE
from .exceptions import HcpsdkArgumentError

__all__ = ["Payload"]



def _is_text(stream: Any) -> bool:
    if isinstance(stream, io.TextIOBase):
        return True
    mode = getattr(stream, "mode", None)
    return isinstance(mode, str) and "b" not in mode


_BODY = ("bytes, bytearray, memoryview, str, a file object opened for reading or an "
         "iterable of bytes")
_CHUNK = (bytes, bytearray, memoryview)


def _check_iterable(body: Any) -> None:
    """A body that is neither bytes-like, str nor a file must be an iterable of bytes."""
    if (isinstance(body, (dict, set, frozenset, int, float, complex))
            or not hasattr(body, "__iter__")):
        raise wrong_type("request", "body", _BODY, body)
    if isinstance(body, (list, tuple)):  # what can be checked without consuming it
        for index, chunk in enumerate(body):
            if not isinstance(chunk, _CHUNK):
                raise wrong_type("request", f"body[{index}]", "bytes", chunk)


def _check_readable(stream: Any) -> None:
    """A file object body must be open for reading (else http.client's read fails mid-send)."""
    readable = getattr(stream, "readable", None)
    if readable is None:
        return
    try:
        ok = readable()
    except ValueError:  # closed
        ok = False
    if not ok:
        raise HcpsdkArgumentError(
            f"request: body must be a file object opened for reading, not {show(stream)} (closed or "
            "write-only)")


class Payload:
    """A request body prepared for (re-)sending.

    :param body: ``None``, ``bytes``-like, ``str`` (sent UTF-8), a binary or text
        stream, or an iterable of ``bytes``
    :raises HcpsdkTypeError: for anything else (a dict, a number, a list of str, ...)
    """

    __slots__ = ("_body", "size", "_start", "rewindable", "_text", "_used", "regular_file",
                 "is_stream")

    def __init__(self, body: Any) -> None:
        self._body = body
        self._start: int | None = None
        self._text = False
        self._used = False
        #: ``True`` for a binary regular file of known size (may go out with ``sendfile``).
        self.regular_file = False
        #: Byte count when known, else ``None`` (then sent chunked).
        self.size: int | None = None
        #: ``True`` when the body can be sent again after a failed attempt.
        self.rewindable = True
        #: ``True`` for file-like or iterable bodies (that http.client reads itself).
        self.is_stream = False
        if body is None:
            self.size = 0
        elif isinstance(body, str):
            self._body = body.encode("utf-8")
            self.size = len(self._body)
        elif isinstance(body, (bytes, bytearray)):
            self.size = len(body)
        elif isinstance(body, memoryview):
            self.size = body.nbytes
        elif hasattr(body, "read"):
            _check_readable(body)
            self.is_stream = True
            self._text = _is_text(body)
            self._start = self._tell(body)
            self.rewindable = self._start is not None
            if not self._text and self._start is not None:
                self.size, self.regular_file = self._remaining(body, self._start)
        else:
            _check_iterable(body)
            self.is_stream = True
            self.rewindable = False

    @staticmethod
    def _tell(stream: Any) -> int | None:
        try:
            if not stream.seekable():
                return None
            return int(stream.tell())
        except (AttributeError, OSError, ValueError):
            return None

    @staticmethod
    def _remaining(stream: Any, start: int) -> tuple[int | None, bool]:
        """Bytes from ``start`` to the end, and whether ``stream`` is a regular file."""
        try:
            st = os.fstat(stream.fileno())
            if stat.S_ISREG(st.st_mode):
                return max(st.st_size - start, 0), True
        except (AttributeError, OSError, ValueError, io.UnsupportedOperation):
            pass
        try:
            end = stream.seek(0, io.SEEK_END)
            stream.seek(start)
            return max(end - start, 0), False
        except (OSError, ValueError):
            return None, False

    def sendfile(self, sock: Any) -> None:
        """Send a regular file's bytes with ``socket.sendfile`` (no copies through Python)."""
        self._used = True
        sock.sendfile(self._body, self._start, self.size)

    def for_send(self) -> Any:
        """The object to hand to http.client for this attempt (rewound if it was used)."""
        if not self.is_stream:
            return self._body
        if self._used and self._start is not None:
            self._body.seek(self._start)
        self._used = True
        if self._text:
            return self._encoded_text()
        return self._body

    def _encoded_text(self) -> Iterator[bytes]:
        read = self._body.read
        while True:
            chunk = read(BLOCKSIZE)
            if not chunk:
                return
            yield chunk.encode("utf-8")

    def digest(self, algorithm: str) -> tuple[int, str]:
        """Size and upper-case hex digest of the body (``algorithm`` as hashlib names it).

        Streams are read from their start offset again.
        """
        # hashlib (OpenSSL's digests) is loaded by the first hash, not by ``import hcpsdk``:
        # only a retried PUT that met 409 hashes its body
        import hashlib

        hasher = hashlib.new(algorithm)
        if self._start is None and self.rewindable:
            data = self._body if self._body is not None else b""
            hasher.update(data)
            return len(memoryview(data).cast("B")), hasher.hexdigest().upper()
        size = 0
        self._body.seek(self._start)
        self._used = True
        for chunk in iter(lambda: self._body.read(BLOCKSIZE), b"" if not self._text else ""):
            if self._text:
                chunk = chunk.encode("utf-8")
            hasher.update(chunk)
            size += len(chunk)
        return size, hasher.hexdigest().upper()
