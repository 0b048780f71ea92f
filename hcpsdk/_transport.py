"""Sockets to HCP nodes: connect (TCP options, TLS), send, and check kept-alive sockets.

:class:`NodeConnection` is ``http.client.HTTPConnection`` with its ``connect()``
replaced: it talks to one node's IP address, sets ``TCP_NODELAY`` and the
optional TCP keep-alive options (Linux and macOS names), and lets the Target's
:class:`~hcpsdk._tls.TlsPolicy` do the TLS handshake (SNI = the Target's FQDN).

Two costs of plain ``http.client`` are avoided here, without changing what a caller sees:

- *Timeouts in the kernel.* A socket in Python's timeout mode polls before every
  ``send()`` and ``recv()``. A plain-HTTP socket here is blocking instead, with the
  timeout set as ``SO_RCVTIMEO``/``SO_SNDTIMEO``; :class:`_TimedSocket` turns the
  kernel's ``EAGAIN`` back into :class:`TimeoutError`, so a timeout is reported as
  before. (TLS sockets keep Python's timeout mode: the ssl module can't report a
  kernel timeout as one.)
- *Header parsing.* http.client parses a response's header block with the email
  package (about 5 µs per header; an HCP GET answer has 30-40 headers).
  :func:`parse_headers` builds the same :class:`http.client.HTTPMessage` directly
  for the usual block of ``Name: value`` lines and leaves anything else (folded
  lines, stray CRs, junk) to http.client's own parser.
"""
from __future__ import annotations

import http.client
import io
import re
import select
import socket
import ssl
import struct
import sys

from . import _framing, _pace
from ._redact import redacted

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing costs import time; annotations are strings here
    from collections.abc import Callable
    from typing import Any

    from ._tls import TlsPolicy

__all__ = ["BLOCKSIZE", "NodeConnection", "Response", "is_dropped", "parse_headers",
           "socket_opener"]

#: Bytes per socket write/read block when streaming bodies.
BLOCKSIZE = 1 << 20

if sys.platform == "darwin":  # pragma: no cover - macOS names
    _KEEPIDLE = getattr(socket, "TCP_KEEPALIVE", 0x10)
else:
    _KEEPIDLE = getattr(socket, "TCP_KEEPIDLE", None)



# -- response headers ---------------------------------------------------------------------

_MAXLINE = getattr(http.client, "_MAXLINE", 65536)
_MAXHEADERS = getattr(http.client, "_MAXHEADERS", 100)
_END = (b"\r\n", b"\n", b"")


def _FIELDS(text: str) -> list[tuple[str, str]]:  # noqa: N802 - rebinds itself on first use
    """The ``(name, value)`` of every ``Name: value`` line of ``text`` (compiled on first use)."""
    global _FIELDS
    # a name as the email package takes it (printable ASCII but ':'), at the start of a
    # line; the value without the blanks after the colon, ending in (CR)LF: exactly what
    # email's compat32 policy stores for such a line
    _FIELDS = re.compile(r"^([!-9;-~]+):[ \t]*([^\r\n]*)\r?\n", re.M).findall
    return _FIELDS(text)


def parse_headers(fp: Any, _class: type = http.client.HTTPMessage) -> Any:
    """Read a response's header block from ``fp``: http.client's ``parse_headers``, faster.

    The result is the :class:`http.client.HTTPMessage` that http.client makes; a block
    that is not one ``Name: value`` line per header goes to http.client's parser.

    :raises http.client.LineTooLong: a line is longer than http.client allows
    :raises http.client.HTTPException: more headers than http.client allows
    """
    lines = []
    readline = fp.readline
    while True:
        line = readline(_MAXLINE + 1)
        if len(line) > _MAXLINE:
            raise http.client.LineTooLong("header line")
        if line in _END:
            break
        lines.append(line)
        if len(lines) > _MAXHEADERS:
            raise http.client.HTTPException(f"got more than {_MAXHEADERS} headers")
    block = b"".join(lines)
    fields = _FIELDS(block.decode("iso-8859-1"))
    if len(fields) != len(lines):  # folded or broken lines: the email package's business
        # (given the same bytes as http.client gives it: the block and the line ending it)
        return http.client.parse_headers(io.BytesIO(block + line), _class)
    message = _class()
    message._headers = fields
    message._payload = ""  # as the email parser leaves it
    return message


def _begin_with(parser: Callable[..., Any]) -> Callable[..., Any] | None:
    """``HTTPResponse.begin`` — the running Python's own code — calling ``parser`` for headers.

    ``None`` when this Python's ``begin`` does not read the headers through ``parse_headers``.
    """
    begin = http.client.HTTPResponse.begin
    code = getattr(begin, "__code__", None)
    if code is None or "parse_headers" not in code.co_names or begin.__closure__:
        return None
    names = dict(begin.__globals__)  # http.client's namespace, with our parser in it
    names["parse_headers"] = parser
    function = type(begin)(code, names, begin.__name__, begin.__defaults__)
    function.__qualname__ = "Response.begin"
    function.__doc__ = begin.__doc__
    return function


class Response(http.client.HTTPResponse):
    """``http.client.HTTPResponse`` whose header block is read by :func:`parse_headers`,
    whose framing is checked and whose body is read in bounded blocks (:mod:`._framing`)."""

    _read_head = _begin_with(parse_headers) or http.client.HTTPResponse.begin

    def __init__(self, sock: Any, debuglevel: int = 0, method: str | None = None,
                 url: str | None = None) -> None:
        super().__init__(sock, debuglevel, method, url)
        self.fp = _pace.paced(self.fp, sock)  # head and body deadlines

    def begin(self) -> None:
        self._read_head()
        raw = getattr(self.fp, "raw", None)
        if isinstance(raw, _pace.Pacing):
            raw.head_done()
        _framing.check_head(self)

    def read(self, amt: int | None = None) -> bytes:
        return _framing.read(self, amt)

    # http.client's own chunk reading, with the sizes and the CRLFs checked
    if hasattr(http.client.HTTPResponse, "_get_chunk_left"):
        def _read_next_chunk_size(self) -> int:
            return _framing.next_chunk_size(self)

        def _get_chunk_left(self) -> int | None:
            return _framing.chunk_left(self)


# -- sockets ------------------------------------------------------------------------------

# Linux and macOS take SO_RCVTIMEO/SO_SNDTIMEO as a struct timeval of two C longs
_KERNEL_TIMEOUTS = sys.platform.startswith("linux") or sys.platform == "darwin"
_c_recv_into = socket.socket.recv_into


def _timeval(seconds: float) -> bytes:
    whole = int(seconds)
    micro = max(int((seconds - whole) * 1e6), 0 if whole else 1)  # 0 would mean "never"
    return struct.pack("@ll", whole, micro)


def _timed_out(sock: socket.socket, exc: BlockingIOError) -> BaseException:
    """The error for ``EAGAIN`` on ``sock``: a timeout, unless the socket is non-blocking."""
    if sock.gettimeout() == 0:
        return exc  # really non-blocking (someone asked for it): EAGAIN means "no data yet"
    return TimeoutError("timed out")


def _eagain_is_timeout(name: str) -> Callable[..., Any]:
    """``socket.socket``'s method ``name``, reporting the kernel's timeout as TimeoutError."""
    method = getattr(socket.socket, name)

    def call(self: socket.socket, *args: Any) -> Any:
        try:
            return method(self, *args)
        except BlockingIOError as exc:
            raise _timed_out(self, exc) from None

    call.__name__ = call.__qualname__ = name
    call.__doc__ = method.__doc__
    return call


class _TimedSocket(socket.socket):
    """A blocking TCP socket whose sends and receives time out in the kernel.

    ``SO_RCVTIMEO``/``SO_SNDTIMEO`` make a stalled ``recv``/``send`` fail with ``EAGAIN``
    after the timeout; every path out of this class reports that as :class:`TimeoutError`,
    as a socket in Python's timeout mode does (without its ``poll()`` per call).
    """

    __slots__ = ("_kernel_timeout",)

    def set_kernel_timeout(self, seconds: float) -> None:
        """Switch to blocking mode with ``seconds`` as the kernel's send/receive timeout."""
        self._kernel_timeout = seconds
        self.setblocking(True)
        value = _timeval(seconds)
        self.setsockopt(socket.SOL_SOCKET, socket.SO_RCVTIMEO, value)
        self.setsockopt(socket.SOL_SOCKET, socket.SO_SNDTIMEO, value)

    def makefile(self, mode: str = "r",  # type: ignore[override]
                 buffering: int | None = None, **kwargs: Any) -> Any:
        """``socket.makefile``; for ``'rb'`` (http.client's answers) over :class:`_TimedReader`."""
        if mode != "rb" or kwargs:
            return super().makefile(mode, buffering, **kwargs)
        self._io_refs += 1  # type: ignore[attr-defined]  # as socket's own: closed last
        size = buffering if buffering and buffering > 0 else io.DEFAULT_BUFFER_SIZE
        return io.BufferedReader(_TimedReader(self, "rb"), size)

    recv = _eagain_is_timeout("recv")
    recv_into = _eagain_is_timeout("recv_into")
    send = _eagain_is_timeout("send")
    sendall = _eagain_is_timeout("sendall")

    def sendfile(self, file: Any, offset: int = 0, count: int | None = None) -> int:
        # socket.sendfile() waits without a limit on a blocking socket: Python's timeout
        # mode for the length of the transfer (two fcntl calls per file)
        self.settimeout(self._kernel_timeout)
        try:
            return super().sendfile(file, offset, count)
        finally:
            if self.fileno() != -1:
                self.setblocking(True)


class _TimedReader(_pace.Pacing, socket.SocketIO):
    """The raw reader under a :class:`_TimedSocket`'s ``makefile('rb')`` (one per answer);
    it keeps the answer's deadlines (:class:`hcpsdk._pace.Pacing`)."""

    def __init__(self, sock: _TimedSocket, mode: str) -> None:
        socket.SocketIO.__init__(self, sock, mode)
        self._pace(sock, sock._kernel_timeout)

    def close(self) -> None:
        if not self.closed:
            self._restore()
        socket.SocketIO.close(self)

    def _receive(self, b: Any) -> int | None:
        if self._timeout_occurred:  # type: ignore[attr-defined]
            raise OSError("cannot read from timed out object")
        try:
            return _c_recv_into(self._sock, b)  # type: ignore[attr-defined]
        except BlockingIOError as exc:
            error = _timed_out(self._sock, exc)  # type: ignore[attr-defined]
            if error is exc:
                return None  # non-blocking: no data yet (as socket.SocketIO answers)
            self._timeout_occurred = True
            raise error from None


# -- the connection ------------------------------------------------------------------------

class NodeConnection(http.client.HTTPConnection):
    """http.client's connection with our own connect(): node, socket options, TLS."""

    response_class = Response

    def __init__(self, node: str, port: int, timeout: float, opener: Any) -> None:
        super().__init__(node, port, timeout=timeout, blocksize=BLOCKSIZE)
        self._opener = opener

    def connect(self) -> None:
        self.sock = self._opener()

    def send(self, data: Any) -> None:
        # http.client prints what it sends whenever its debug level is above 0, which
        # may be switched on for every connection at once (HTTPConnection.debuglevel =
        # 9): the print-out is redacted here, whoever switched it on
        if self.debuglevel > 0 and isinstance(data, (bytes, bytearray)):
            print("send:", repr(redacted(data)))
            if self.sock is None:
                self.connect()
            self.sock.sendall(data)  # type: ignore[union-attr]
            return
        super().send(data)


def is_dropped(sock: socket.socket) -> bool:
    """``True`` when a kept-alive socket can't be used: the server closed it (or sent junk)."""
    try:
        if not select.select([sock], [], [], 0)[0]:
            return False
    except (OSError, ValueError):
        return True
    if not isinstance(sock, ssl.SSLSocket):
        return True  # readable while no request is out: EOF or stray bytes
    timeout = sock.gettimeout()
    try:
        sock.settimeout(0)
        sock.recv(1)
        return True
    except ssl.SSLWantReadError:
        return False  # only TLS housekeeping (e.g. a session ticket) was waiting
    except OSError:
        return True
    finally:
        try:
            sock.settimeout(timeout)
        except OSError:
            pass


def socket_opener(node: str, port: int, timeout: float,
                  keepalive: tuple[int, int, int] | None,
                  tls: TlsPolicy | None, fqdn: str) -> Callable[[], socket.socket]:
    """A function that makes a connected (and, with ``tls``, TLS-wrapped) socket to ``node``.

    :param keepalive: ``(idle, interval, count)`` to switch TCP keep-alive on, or ``None``
    """
    def tcp() -> socket.socket:
        sock = socket.create_connection((node, port), timeout)
        try:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            if keepalive is not None:
                _set_keepalive(sock, *keepalive)
        except OSError:
            sock.close()
            raise
        return sock

    if tls is not None:
        return lambda: tls.wrap(tcp, node, fqdn)
    if timeout is None or not _KERNEL_TIMEOUTS:
        return tcp

    def timed() -> socket.socket:
        plain = tcp()
        sock = _TimedSocket(plain.family, plain.type, plain.proto, plain.detach())
        try:
            sock.set_kernel_timeout(timeout)
        except OSError:
            sock.close()
            raise
        return sock
    return timed


def _set_keepalive(sock: socket.socket, idle: int, interval: int, count: int) -> None:
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
    if _KEEPIDLE is not None:
        sock.setsockopt(socket.IPPROTO_TCP, _KEEPIDLE, int(idle))
    if hasattr(socket, "TCP_KEEPINTVL"):
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPINTVL, int(interval))
    if hasattr(socket, "TCP_KEEPCNT"):
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPCNT, int(count))
