"""HTTP/1.1 request parsing for the emulator: headers, bodies (sized or chunked), records.

A lean parser over ``recv`` instead of :mod:`http.server` (which parses headers with the
:mod:`email` package): one receive buffer per connection, header names lower-cased once,
bodies read on demand and streamed.
"""
from __future__ import annotations

import re
import socket
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, unquote

from ..exceptions import HcpsdkError
from .errors import RequestRefused

__all__ = ["Abort", "HeadTooLarge", "CIHeaders", "Request", "BlobReply", "RequestRecord",
           "Reader", "encode_headers", "mask_secret", "SECRET_HEADERS", "MAX_HEAD", "BLOCK"]

MAX_HEAD = 65536
BLOCK = 1 << 20
_RECV = 1 << 16
_dget = dict.get
_dcontains = dict.__contains__


class Abort(HcpsdkError):
    """End the connection without an answer (peer gone, fault, malformed framing).

    Raised and caught inside the emulator's connection handling; never leaves it.

    :param reason: why the connection ends
    """


class HeadTooLarge(Abort):
    """The request line and headers exceed :data:`MAX_HEAD` bytes (answered 414 if the
    request line alone is too long, else 431)."""


#: Request headers whose values are credentials: masked in every repr, so that no
#: log line, repr or message ever shows a credential.
SECRET_HEADERS = frozenset(("authorization", "proxy-authorization", "cookie", "x-auth-token"))


def mask_secret(name: str, value: str) -> str:
    """*value* of header *name* as it may be shown: credentials replaced by ``***``.

    The scheme of an Authorization (``HCP``, ``AD``, ``Bearer``) and cookie names stay.
    """
    name = name.lower()
    if name not in SECRET_HEADERS:
        return value
    if name == "cookie":
        return "; ".join(part.split("=", 1)[0].strip() + "=***" for part in value.split(";"))
    scheme, blank, _ = value.partition(" ")
    return f"{scheme} ***" if blank else "***"


class CIHeaders(dict[str, str]):
    """Request headers: a dict with lower-case keys and case-insensitive lookups.

    Its repr masks credential values (see :func:`mask_secret`); item access returns them.
    """

    __slots__ = ()

    def __repr__(self) -> str:
        return repr({k: mask_secret(k, v) for k, v in self.items()})

    def __getitem__(self, key: str) -> str:
        return super().__getitem__(key.lower())

    def get(self, key: str, default: Any = None) -> Any:
        return dict.get(self, key.lower(), default)

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and dict.__contains__(self, key.lower())


@dataclass
class BlobReply:
    """A reply whose body is streamed from a stored blob (``[start, start+length)``).

    ``headers`` is a list of ``(name, value)`` or already encoded header lines (bytes).
    """

    status: int
    headers: list[tuple[str, str]] | bytes
    blob: Any
    start: int = 0
    length: int = 0


@dataclass(slots=True, repr=False)
class RequestRecord:
    """One served request, as kept in ``hcp.requests``.

    ``path`` is the request path as sent on the wire (still percent-encoded, no query),
    ``query`` the raw query string ('' if none), ``headers`` the request headers
    (complete; their repr, and so the record's repr and str, masks credentials).
    """

    node: str
    port: int
    method: str
    path: str
    query: str
    status: int
    headers: CIHeaders

    def __repr__(self) -> str:
        return (f"RequestRecord(node={self.node!r}, port={self.port!r}, method={self.method!r},"
                f" path={self.path!r}, query={self.query!r}, status={self.status!r},"
                f" headers={CIHeaders.__repr__(self.headers)})")


class Reader:
    """Buffered reading from a socket that knows whether bytes are waiting."""

    __slots__ = ("sock", "buf")

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.buf = bytearray()

    def fill(self) -> None:
        """Receive what the peer sent into the buffer.

        :raises Abort: if the peer closed the connection
        """
        self._fill()

    def _fill(self) -> None:
        data = self.sock.recv(_RECV)
        if not data:
            raise Abort("peer closed")
        self.buf += data

    def _until(self, sep: bytes) -> bytes:
        """The bytes before the next *sep* (consumed with it)."""
        while True:
            i = self.buf.find(sep)
            if i > MAX_HEAD or (i < 0 and len(self.buf) > MAX_HEAD):
                raise HeadTooLarge("request head or line too large")
            if i >= 0:
                data = bytes(self.buf[:i])
                del self.buf[:i + len(sep)]
                return data
            self._fill()

    def head(self) -> bytes:
        """The request line and headers (without the blank line)."""
        return self._until(b"\r\n\r\n")

    def line(self) -> bytes:
        """One CRLF-terminated line (chunk sizes, trailers)."""
        return self._until(b"\r\n")

    def upto(self, n: int) -> bytes:
        """Between 1 and *n* bytes (straight from the socket when nothing is buffered)."""
        if not self.buf:
            data = self.sock.recv(min(n, BLOCK))
            if not data:
                raise Abort("peer closed")
            return data
        data = bytes(self.buf[:n])
        del self.buf[:n]
        return data


_BAD_ESCAPE = re.compile(r"%(?![0-9A-Fa-f]{2})")
# RFC 3986 allows only printable ASCII in a request target; a conforming client sends
# everything else percent-encoded.
_RAW_OK = re.compile(r"[!-~]*")


def decode_path(raw: str) -> str:
    """The percent-decoded *raw* path of a request target.

    :param raw: the path as sent (no query)
    :returns: the path as text
    :raises RequestRefused: 400 for a path that is not a well-formed URL: a ``%`` not
        followed by two hex digits, escapes that do not decode to UTF-8, or a character
        that must have been percent-encoded
    """
    if not _RAW_OK.fullmatch(raw):
        raise RequestRefused(400, "URL not well-formed: the path has characters that must"
                                  " be percent-encoded")
    if "%" not in raw:
        return raw
    if _BAD_ESCAPE.search(raw):
        raise RequestRefused(400, "URL not well-formed: '%' not followed by two hex digits")
    try:
        return unquote(raw, errors="strict")
    except UnicodeDecodeError:
        raise RequestRefused(400, "URL not well-formed: percent-encoded bytes that are not"
                                  " UTF-8") from None


class Request:
    """One parsed request, handed to the request handler.

    Attributes: ``method``, ``path`` (percent-decoded, no query), ``raw_path``, ``query``
    (list of ``(key, value)``), ``raw_query``, ``headers`` (:class:`CIHeaders`), ``host``
    (the Host header without port, lower case), ``node`` (index), ``address`` (node IP),
    ``service`` (``http``, ``https`` or ``mapi``). The body is read on demand:
    :meth:`read_body`, :meth:`stream_body` or the ``body`` property.
    """

    __slots__ = ("method", "raw_path", "raw_query", "version", "headers", "host", "node",
                 "address", "service", "_reader", "_left", "_chunked", "_conn", "_path",
                 "_query", "_body", "has_body")

    def __init__(self, method: str, raw_path: str, raw_query: str, version: str,
                 headers: CIHeaders, conn: Any) -> None:
        self.method = method
        self.raw_path = raw_path
        self.raw_query = raw_query
        self.version = version
        self.headers = headers
        host = _dget(headers, "host", "")
        self.host = (host.rsplit(":", 1)[0] if "]" not in host else host).lower()
        self.node = conn.node
        self.address = conn.address
        self.service = conn.service
        self._conn = conn
        self._reader = conn.reader
        self._path: str | None = None
        self._query: list[tuple[str, str]] | None = None
        self._body: bytes | None = None
        te = _dget(headers, "transfer-encoding")
        self._chunked = te is not None and "chunked" in te.lower()
        cl = _dget(headers, "content-length")
        if self._chunked:
            self._left = -1
        elif cl is not None:
            try:
                self._left = int(cl)
            except ValueError:
                self._left = -2
            if self._left < 0:
                self._left = -2
        else:
            self._left = 0
        self.has_body = self._chunked or self._left > 0

    @property
    def path(self) -> str:
        """The percent-decoded path (UTF-8).

        :raises RequestRefused: 400 for a path that is not a well-formed URL
        """
        if self._path is None:
            self._path = decode_path(self.raw_path)
        return self._path

    @property
    def query(self) -> list[tuple[str, str]]:
        """Query parameters as ``(key, value)`` pairs (blank values kept)."""
        if self._query is None:
            self._query = parse_qsl(self.raw_query, keep_blank_values=True) if self.raw_query else []
        return self._query

    @property
    def length_known(self) -> bool:
        """True if the request says how long its body is (Content-Length or chunked)."""
        return self._chunked or _dcontains(self.headers, "content-length")

    @property
    def bad_length(self) -> bool:
        """True for an unparseable Content-Length."""
        return self._left == -2

    @property
    def consumed(self) -> bool:
        """True when the whole body has been read."""
        return self._left == 0

    @property
    def body(self) -> bytes:
        """The whole body (read on first access)."""
        if self._body is None:
            parts: list[bytes] = []
            self.stream_body(parts.append)
            self._body = b"".join(parts)
        return self._body

    def read_body(self) -> bytes:
        """The whole body."""
        return self.body

    def stream_body(self, write: Callable[[bytes], Any]) -> int:
        """Pass the body to *write* piece by piece; returns the byte count."""
        if self._body is not None:
            if self._body:
                write(self._body)
            return len(self._body)
        if self._left == -2:
            raise Abort("bad Content-Length")
        self._conn.continue_if_expected(self)
        fault = self._conn.upload_fault() if self.has_body else None
        total = 0
        for piece in (self._chunks() if self._chunked else self._sized()):
            total += len(piece)
            if fault is not None and total >= fault:
                self._conn.reset()
            write(piece)
        return total

    def _sized(self) -> Iterator[bytes]:
        while self._left > 0:
            data = self._reader.upto(min(self._left, BLOCK))
            self._left -= len(data)
            yield data

    def _chunks(self) -> Iterator[bytes]:
        reader = self._reader
        while True:
            line = reader.line()
            try:
                size = int(line.split(b";", 1)[0].strip(), 16)
            except ValueError:
                raise Abort("bad chunk size") from None
            if size == 0:
                while reader.line():   # trailers
                    pass
                self._left = 0
                return
            while size > 0:
                data = reader.upto(min(size, BLOCK))
                size -= len(data)
                yield data
            if reader.line():
                raise Abort("chunk not followed by CRLF")

    def drain(self, limit: int) -> bool:
        """Read and discard up to *limit* body bytes; True if the body is consumed."""
        if self._left == 0 or self._body is not None:
            return True
        if self._left == -2 or (self._left > limit):
            return False
        try:
            self.stream_body(lambda _data: None)
        except Abort:
            return False
        return True


def encode_headers(headers: list[tuple[str, str]]) -> bytes:
    """Header lines (CRLF-terminated) of ``(name, value)`` pairs."""
    return "".join([f"{k}: {v}\r\n" for k, v in headers]).encode("latin-1", "replace")
