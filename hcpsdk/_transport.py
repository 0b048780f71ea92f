"""Sockets to HCP nodes: connect (TCP options, TLS), send, and check kept-alive sockets.

:class:`NodeConnection` is ``http.client.HTTPConnection`` with its ``connect()``
replaced: it talks to one node's IP address, sets ``TCP_NODELAY`` and the
optional TCP keep-alive options (Linux and macOS names), and lets the Target's
:class:`~hcpsdk._tls.TlsPolicy` do the TLS handshake (SNI = the Target's FQDN).

One speed trick lives here, because it pays: *header parsing*. http.client parses a
response's header block with the email package, about 5 µs per header; an HCP GET
answer has 30-40 headers, so that parser alone cost more client CPU per small GET
(120-147 µs in all) than everything else together (56 µs with the parser below).
:func:`parse_headers` builds the same :class:`http.client.HTTPMessage` directly for
the usual block of ``Name: value`` lines. The fallback is http.client's own parser,
used for anything else (folded lines, stray CRs, junk), and for the whole response
when this Python's ``HTTPResponse.begin`` does not read headers through
``parse_headers`` (see :func:`_begin_with`).

Two smaller savings on the way out, each worth a few per cent of a small request in
the bench: a Target's own headers are checked and encoded once
(:class:`TargetHeaders`), and a small body leaves in the same ``send()`` as the request
head (:meth:`NodeConnection._send_output`). Both fall back to http.client's own way
where they don't apply.
"""
from __future__ import annotations

import http.client
import io
import re
import select
import socket
import ssl
import sys
import types
from collections.abc import Callable
from typing import Any, cast

from . import _framing, _pace
from ._constants import BLOCKSIZE
from ._tls import TlsPolicy

__all__ = ["BLOCKSIZE", "NodeConnection", "Response", "TargetHeaders", "is_dropped",
           "parse_headers", "socket_opener"]


if sys.platform == "darwin":  # pragma: no cover - macOS names
    _KEEPIDLE = getattr(socket, "TCP_KEEPALIVE", 0x10)
else:
    _KEEPIDLE = getattr(socket, "TCP_KEEPIDLE", None)

# credentials in a request head, blanked in http.client's debug print-out: a debug log
# is shared in tickets and chats, and must never carry a password or token
_SECRET_HEADERS = re.compile(rb"(?im)^((?:authorization|cookie|x-auth-token):[ \t]*)[^\r\n]*")


# -- response headers ---------------------------------------------------------------------

_MAXLINE = getattr(http.client, "_MAXLINE", 65536)
_MAXHEADERS = getattr(http.client, "_MAXHEADERS", 100)
_END = (b"\r\n", b"\n", b"")
#: The largest body sent in one ``send()`` together with the request head.
JOIN_UP_TO = 16 * 1024


# A name as the email package takes it (printable ASCII but ':'), at the start of a line;
# the value without the blanks after the colon, ending in (CR)LF: exactly what email's
# compat32 policy stores for such a line.
_FIELD = re.compile(r"^([!-9;-~]+):[ \t]*([^\r\n]*)\r?\n", re.M)
# The names of the headers that frame a body (see _plainly_framed).
_FRAMING = frozenset({"content-length", "transfer-encoding"})


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
    fields: list[tuple[str, str]] = _FIELD.findall(block.decode("iso-8859-1"))
    if len(fields) != len(lines):  # folded or broken lines: the email package's business
        # (given the same bytes as http.client gives it: the block and the line ending it)
        return http.client.parse_headers(io.BytesIO(block + line), _class)
    message = _class()
    message._headers = fields
    message._payload = ""  # as the email parser leaves it
    return message


def _plainly_framed(response: http.client.HTTPResponse) -> bool:
    """Whether the head frames its body the ordinary way, as http.client already read it.

    That is no framing header at all, one ``Content-Length`` in plain decimal digits
    (which http.client took as the length), or ``Transfer-Encoding: chunked`` alone:
    heads that :func:`hcpsdk._framing.check_head` accepts as they are. One pass over the
    header list, looking at a name only when its first letter fits, costs a third of the
    full check's lookups through the email package (an HCP answer has 30-40 headers);
    any other head gets the full check.
    """
    headers: list[tuple[str, Any]] = getattr(response.msg, "_headers", [])
    fields = [(name, str(value)) for name, value in headers
              if name[:1] in "CcTt" and name.lower() in _FRAMING]
    if len(fields) > 1:
        return False
    if not fields:
        return True
    name, value = fields[0]
    if name.lower() == "transfer-encoding":
        return value.lower() == "chunked"
    return (response.length is not None and value.isascii() and value.isdigit()
            and value == str(int(value)))


def _begin_with(parser: Callable[..., Any]) -> Callable[[http.client.HTTPResponse], None] | None:
    """``HTTPResponse.begin`` — the running Python's own code — calling ``parser`` for headers.

    Reusing the running Python's own ``begin`` (not a copy of it) keeps every check it
    makes of the status line; only the header parser differs.

    :returns: the function, or ``None`` when this Python's ``begin`` does not read the
        headers through ``parse_headers`` (then :class:`Response` uses it unchanged)
    """
    begin = http.client.HTTPResponse.begin
    code = getattr(begin, "__code__", None)
    if code is None or "parse_headers" not in code.co_names or begin.__closure__:
        return None
    names = dict(begin.__globals__)  # http.client's namespace, with our parser in it
    names["parse_headers"] = parser
    function = types.FunctionType(code, names, begin.__name__, begin.__defaults__)
    function.__doc__ = begin.__doc__
    return function


_FAST_BEGIN = _begin_with(parse_headers)


class Response(http.client.HTTPResponse):
    """The answer to a request (``hcpsdk.Response``): an ``http.client.HTTPResponse``.

    It is what :meth:`hcpsdk.Connection.request` and its convenience methods return,
    and what :attr:`hcpsdk.Connection.Response` holds; its header block is read by
    :func:`parse_headers`. Its repr tells status and whether the body was read::

        <hcpsdk.Response 200 OK, 1048576 bytes to read>

    .. versionadded:: 1.0 the public name (before: ``http.client.HTTPResponse``)
    """

    def __init__(self, sock: socket.socket, debuglevel: int = 0, method: str | None = None,
                 url: str | None = None) -> None:
        # the body's reader keeps the answer's deadlines (head in time, body at a rate)
        # (http.client asks its "socket" for nothing but makefile())
        super().__init__(cast(socket.socket, _pace.PacedSocket(sock)), debuglevel, method, url)

    def begin(self) -> None:
        """Read the status line and the headers (http.client's ``begin``), check the framing."""
        if _FAST_BEGIN is None:
            super().begin()
        else:
            _FAST_BEGIN(self)
        raw = getattr(self.fp, "raw", None)
        if isinstance(raw, _pace.Pacing):
            raw.head_done()
        if not _plainly_framed(self):
            _framing.check_head(self)

    def read(self, amt: int | None = None) -> bytes:
        """http.client's ``read``, in bounded blocks whatever size the server announced."""
        return _framing.read(self, amt)

    # http.client's own chunk reading, with the sizes and the CRLFs checked
    if hasattr(http.client.HTTPResponse, "_get_chunk_left"):
        def _read_next_chunk_size(self) -> int:
            return _framing.next_chunk_size(self)

        def _get_chunk_left(self) -> int | None:
            return _framing.chunk_left(self)

    def __repr__(self) -> str:
        if self.isclosed():
            body = "body read" if self.length in (None, 0) else "closed before the end"
        elif self.length is not None:
            body = f"{self.length} bytes to read"
        else:
            body = "body to read"
        return f"<hcpsdk.Response {self.status} {self.reason}, {body}>"


Response.__module__, Response.__qualname__ = "hcpsdk", "Response"


# -- the connection ------------------------------------------------------------------------

class TargetHeaders:
    """The headers a Target sends with every request (Host, Authorization, Cookie),
    checked and encoded once.

    http.client checks and encodes every header of every request in ``putheader()``,
    about 1 µs apiece: for the three that never change, that was 3 % of a small
    request. Here http.client does it once (on a scratch connection that never
    connects), and a :class:`NodeConnection` adds the encoded lines to each request
    whose headers are exactly :attr:`fields`.

    :param fields: the headers (the Target's own dict, never changed afterwards)
    :raises ValueError: a name or value http.client refuses
    """

    __slots__ = ("fields", "lines", "has_host", "has_accept_encoding", "frames")

    def __init__(self, fields: dict[str, str]) -> None:
        scratch = http.client.HTTPConnection("localhost")
        scratch.putrequest("GET", "/", skip_host=True, skip_accept_encoding=True)
        for name, value in fields.items():
            scratch.putheader(name, value)
        buffered = getattr(scratch, "_buffer", None)  # the request line, then the headers
        names = {name.lower() for name in fields}
        self.fields = fields
        #: The encoded header lines, or ``None`` when this Python's http.client keeps
        #: them elsewhere (then every request goes through ``putheader()``).
        self.lines: list[bytes] | None = list(buffered[1:]) if type(buffered) is list else None
        self.has_host = "host" in names
        self.has_accept_encoding = "accept-encoding" in names
        #: A framing header among them: http.client's ``request()`` decides then.
        self.frames = bool(names & _FRAMING)


# http.client's methods that send Content-Length: 0 when they have no body
_EXPECTING_BODY = frozenset({"PATCH", "POST", "PUT"})


class NodeConnection(http.client.HTTPConnection):
    """http.client's connection with our own connect(): node, socket options, TLS.

    :param node: the node's IP address
    :param port: the port
    :param timeout: the socket timeout (seconds)
    :param opener: makes the connected socket (see :func:`socket_opener`)
    :param target_headers: the Target's own headers, sent from their encoded lines
    """

    response_class = Response
    # http.client's lines of the request head not sent yet (its typing stubs omit it)
    _buffer: list[bytes]

    def __init__(self, node: str, port: int, timeout: float, opener: Any,
                 target_headers: TargetHeaders | None = None) -> None:
        super().__init__(node, port, timeout=timeout, blocksize=BLOCKSIZE)
        self._opener = opener
        self._target_headers = target_headers

    def connect(self) -> None:
        self.sock = self._opener()

    def request(self, method: str, url: str, body: Any = None, headers: Any = None, *,
                encode_chunked: bool = False) -> None:
        """http.client's ``request()``; the Target's own headers go as their encoded lines.

        When ``headers`` is the Target's dict and the body is ``None`` or bytes, the
        head is made as ``request()`` makes it — request line, ``Accept-Encoding``,
        ``Content-Length``, the headers — but without checking and encoding them again.
        """
        own = self._target_headers
        if (own is None or headers is not own.fields or own.lines is None or own.frames
                or encode_chunked or not (body is None or type(body) is bytes)):
            super().request(method, url, body, {} if headers is None else headers,
                            encode_chunked=encode_chunked)
            return
        self.putrequest(method, url, skip_host=own.has_host,
                        skip_accept_encoding=own.has_accept_encoding)
        if body is not None:
            self.putheader("Content-Length", str(len(body)))
        elif method.upper() in _EXPECTING_BODY:
            self.putheader("Content-Length", "0")
        self._buffer.extend(own.lines)
        self.endheaders(body)

    def _send_output(self, message_body: Any = None, encode_chunked: bool = False) -> None:
        """Send the request head http.client has buffered, then the body.

        http.client sends the head and the body with a ``send()`` each: for a small PUT
        that is two TCP segments, two system calls and two wake-ups of the server. A
        bytes body of up to :data:`JOIN_UP_TO` bytes goes out in the same ``send()`` as
        the head instead (copying it costs less than the second call; the bench's small
        PUT row gains about 3 %). Anything else is http.client's own way.
        """
        buffered = getattr(self, "_buffer", None)  # http.client's head lines, not yet sent
        if (type(message_body) is bytes and len(message_body) <= JOIN_UP_TO
                and not encode_chunked and type(buffered) is list):
            head = b"\r\n".join([*buffered, b"", b""])  # as http.client ends the head
            buffered.clear()
            self.send(head + message_body)
            return
        cast(Any, super())._send_output(message_body, encode_chunked=encode_chunked)

    def send(self, data: Any) -> None:
        """``http.client``'s send; while debugging, the print-out hides credentials."""
        if self.debuglevel > 0 and isinstance(data, (bytes, bytearray)):
            print("send:", repr(_SECRET_HEADERS.sub(rb"\1******", bytes(data))))
            if self.sock is None:
                self.connect()
            assert self.sock is not None
            self.sock.sendall(data)
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
    return tcp


def _set_keepalive(sock: socket.socket, idle: int, interval: int, count: int) -> None:
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
    if _KEEPIDLE is not None:
        sock.setsockopt(socket.IPPROTO_TCP, _KEEPIDLE, int(idle))
    if hasattr(socket, "TCP_KEEPINTVL"):
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPINTVL, int(interval))
    if hasattr(socket, "TCP_KEEPCNT"):
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPCNT, int(count))
