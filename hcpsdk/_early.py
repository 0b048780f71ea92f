"""Sending a request whose body HCP may refuse before it has received it all.

HCP checks a PUT (exists? allowed? namespace writable?) as soon as it has the
request head. When it refuses, it answers at once and closes the connection
without reading the body: a client still sending a large body then meets a
broken pipe, a reset or a TLS EOF — and the answer (``409``, ``403`` with its
``X-HCP-ErrorMessage``) is waiting unread in the socket's receive buffer.

Two things keep that answer for the caller:

- a body larger than :data:`EXPECT_ABOVE` bytes is announced with
  ``Expect: 100-continue`` (RFC 9110 10.1.1): the body goes out only after
  ``100 Continue`` (or after :data:`CONTINUE_WAIT` seconds of silence, for a
  server that ignores the header); a final answer instead of ``100`` is the
  response, and the body is not sent at all;
- when sending fails because the server closed the connection (or stopped
  reading until the timeout) and something waits in the socket, the response it
  may have sent before is read (as urllib3 does): if a complete status line and
  header block arrive, that is the answer; else the original network error
  stands.

:func:`send` returns such an answer, or ``None`` when ``getresponse()`` follows
as usual. After an early answer the connection is closed (its socket is broken
or expects a body that will never come).
"""
from __future__ import annotations

import http.client
import io
import logging
import select
import socket
import ssl
from typing import Any, cast

from ._body import Payload
from ._constants import EXPECT_ABOVE
from ._transport import NodeConnection, Response

__all__ = ["EXPECT_ABOVE", "CONTINUE_WAIT", "send"]

log = logging.getLogger(__name__)
#: Seconds to wait for ``100 Continue`` before sending the body anyway.
CONTINUE_WAIT = 1.0

# a send that fails with one of these means: the server closed the connection
# (possibly after it answered) - or, with a timeout, stopped reading (maybe after it
# answered and kept the connection)
_STOPPED = (BrokenPipeError, ConnectionResetError, ConnectionAbortedError, ssl.SSLEOFError,
            ssl.SSLZeroReturnError, TimeoutError)
# http.client's own limit for a header block
_MAX_HEAD = 65536


def send(con: NodeConnection, method: str, path: str, payload: Payload, headers: dict[str, str],
         chunked: bool, expect_above: int | None = EXPECT_ABOVE
         ) -> http.client.HTTPResponse | None:
    """Send a request (head and body) on ``con``.

    :param con: the connected http.client connection
    :param method: the http method
    :param path: the encoded request path
    :param payload: the body
    :param headers: the headers to send (not changed)
    :param chunked: the caller asked for chunked transfer
    :param expect_above: bodies larger than this use ``Expect: 100-continue``
        (``None``: never)
    :returns: the response HCP gave before it took the whole body (``con`` is closed
        then), or ``None``: call ``con.getresponse()``
    :raises OSError: or ``http.client.HTTPException``: sending failed and no answer
        could be read
    """
    try:
        framing = None
        if payload.size and not chunked:  # (no work for requests without a body)
            asked = _asks_continue(headers)
            framing = _framing(payload, headers, expect_above, asked)
        if framing is not None:
            add = (not asked and expect_above is not None and framing > expect_above
                   and not _has(headers, "expect"))
            early = _send_framed(con, method, path, payload, headers, framing, add, asked)
        else:
            con.request(method, path, payload._body if not payload.is_stream
                        else payload.for_send(), headers, encode_chunked=chunked)
            return None
    except _STOPPED as exc:
        early = _answer(con.sock, b"", method) if _readable(con.sock) else None
        if early is None:
            raise
        log.info("%s %s: the server answered %d %s before it had the whole body (%s)",
                 method, path, early.status, early.reason, type(exc).__name__)
    if early is not None:
        con.close()
    return early


def _readable(sock: socket.socket | None) -> bool:
    """Something (an answer, or the end) waits on ``sock``: reading it won't block."""
    try:
        return sock is not None and bool(select.select([sock], [], [], 0)[0])
    except (OSError, ValueError):
        return False


def _has(headers: dict[str, str], lower_name: str) -> bool:
    return any(name.lower() == lower_name for name in headers)


def _asks_continue(headers: dict[str, str]) -> bool:
    """The caller's headers carry ``Expect: 100-continue`` (then it is waited for too)."""
    # a plain loop, first letter tested before lower(): this runs for every request
    # with a body, and the usual headers (Host, Authorization, Cookie) never match
    for name, value in headers.items():
        if (name[:1] in "Ee" and name.lower() == "expect"
                and str(value).lower() == "100-continue"):
            return True
    return False


def _framing(payload: Payload, headers: dict[str, str], expect_above: int | None, asked: bool
             ) -> int | None:
    """The Content-Length when this module frames the request itself, else ``None``.

    That is a non-empty body of known size that is large (or comes with the caller's
    ``Expect: 100-continue``) or a regular file (sent with ``sendfile`` over plain
    http), unless the headers frame it differently.
    """
    size = payload.size
    if not size or not (payload.regular_file or asked
                        or (expect_above is not None and size > expect_above)):
        return None
    for name, value in headers.items():
        low = name.lower()
        if low == "transfer-encoding" or (low == "content-length" and str(value) != str(size)):
            return None
    return size


def _send_framed(con: NodeConnection, method: str, path: str, payload: Payload, headers: dict[str, str],
                 size: int, expect: bool, asked: bool = False
                 ) -> http.client.HTTPResponse | None:
    """Send the head; with ``expect`` (add ``Expect: 100-continue``) or ``asked`` (the
    caller's headers have it) wait for ``100 Continue``; then the body.

    :returns: a final answer given instead of ``100 Continue``, else ``None``
    """
    con.putrequest(method, path, skip_host=_has(headers, "host"),
                   skip_accept_encoding=_has(headers, "accept-encoding"))
    for name, value in headers.items():
        con.putheader(name, value)
    if not _has(headers, "content-length"):
        con.putheader("Content-Length", str(size))
    if expect:
        con.putheader("Expect", "100-continue")
    con.endheaders()
    if expect or asked:
        head = _interim(con.sock)
        if head is not None:
            answer = _answer(con.sock, head, method, strict=True)
            if answer is None or answer.status != 417 or asked:
                return answer
            # Expectation Failed: a server (or proxy) that won't do 100-continue; the
            # request goes again without it (RFC 9110 10.1.1), on a new connection
            log.debug("%s %s: 417 to Expect: 100-continue - sending without it", method, path)
            con.close()
            return _send_framed(con, method, path, payload, headers, size, False)
    if payload.regular_file and not isinstance(con.sock, ssl.SSLSocket):
        payload.sendfile(con.sock)
    else:
        con.send(payload._body if not payload.is_stream else payload.for_send())
    return None


def _interim(sock: socket.socket) -> bytes | None:
    """Wait for ``100 Continue``.

    :returns: ``None`` to send the body (``100`` came, or nothing within
        :data:`CONTINUE_WAIT` seconds), or the head of the final answer read so far
    """
    timeout = sock.gettimeout()
    while True:
        head = bytearray()
        sock.settimeout(CONTINUE_WAIT if timeout is None else min(CONTINUE_WAIT, timeout))
        try:
            # byte by byte: nothing after the head may be taken from the socket, where
            # http.client's response reads it (a few dozen calls, for a large body only)
            while not head.endswith(b"\r\n\r\n") and len(head) < _MAX_HEAD:
                byte = sock.recv(1)
                if not byte:
                    return bytes(head)  # closed: _answer() makes sense of it
                if not head:
                    sock.settimeout(timeout)  # an answer has begun: the usual timeout
                head += byte
        except TimeoutError:
            if head:
                raise
            log.debug("no 100 Continue within %.1f s - sending the body", CONTINUE_WAIT)
            return None
        finally:
            sock.settimeout(timeout)
        status = head[9:12]
        if status == b"100":
            return None
        if not (head.startswith(b"HTTP/") and status[:1] == b"1" and head.endswith(b"\r\n\r\n")):
            return bytes(head)  # the final answer (or junk: it fails as a response)
        # another interim answer (102 Processing): wait for the next one


class _Recorder(io.RawIOBase):
    """The bytes of ``prefix`` then of ``sock`` — an error or timeout counts as their end —
    keeping a copy of everything read."""

    def __init__(self, prefix: bytes, sock: socket.socket) -> None:
        super().__init__()
        self._prefix = prefix
        self._sock = sock
        self.seen = bytearray(prefix)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        prefix = self._prefix
        if prefix:
            count = min(len(buffer), len(prefix))
            buffer[:count] = prefix[:count]
            self._prefix = prefix[count:]
            return count
        try:
            count = self._sock.recv_into(buffer)
        except OSError:  # reset, TLS EOF, timeout: what arrived before is all there is
            return 0
        self.seen += memoryview(buffer)[:count]
        return count


class _FileSocket:
    """What ``http.client.HTTPResponse`` wants of a socket: ``makefile()``."""

    def __init__(self, fp: io.BufferedIOBase) -> None:
        self._fp = fp

    def makefile(self, mode: str) -> io.BufferedIOBase:
        return self._fp


def _response(fp: io.BufferedIOBase, method: str) -> http.client.HTTPResponse:
    # http.client.HTTPResponse calls nothing of its socket but makefile()
    return Response(cast(socket.socket, _FileSocket(fp)), method=method)


def _answer(sock: socket.socket | None, prefix: bytes, method: str, strict: bool = False
            ) -> http.client.HTTPResponse | None:
    """The response in ``prefix`` + what ``sock`` still yields, read completely.

    :param strict: raise http.client's error when there is no valid response
    :returns: the response (its body readable from memory), or ``None`` when no
        complete status line and header block could be read
    """
    if sock is None:
        return None
    raw = _Recorder(prefix, sock)
    first = _response(io.BufferedReader(raw), method)
    try:
        first.begin()
    except (http.client.HTTPException, OSError, ValueError):
        if strict:
            raise
        return None
    try:
        first.read()
    except (http.client.HTTPException, OSError):
        pass  # a body cut short: reading the answer's body fails in the same way
    answer = _response(io.BytesIO(bytes(raw.seen)), method)
    answer.begin()
    return answer
