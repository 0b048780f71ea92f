"""Listeners and the HTTP/1.1 connection loop of the emulated nodes.

Every node has its own loopback address and one listening socket per service (data
HTTP, data HTTPS, MAPI); every accepted connection gets a thread running a lean
keep-alive request loop (own parser over ``recv``; no ``email`` header parsing, one
``sendall`` per small response, ``TCP_NODELAY``). The loop also applies the node's
faults (:mod:`hcpsdk.emulator.faults`).
"""
from __future__ import annotations

import email.utils
import itertools
import logging
import socket
import ssl
import struct
import threading
import time
from collections.abc import Callable, Sequence
from http import HTTPStatus
from typing import Any

from .errors import error_reply
from .faults import Faults
from .http11 import (
    BLOCK,
    MAX_HEAD,
    Abort,
    BlobReply,
    CIHeaders,
    HeadTooLarge,
    Reader,
    Request,
    RequestRecord,
    encode_headers,
)
from .model import Reply

__all__ = ["NodeService"]

log = logging.getLogger(__name__)

_SMALL = 1 << 16
_IDLE_TICK = 0.1
_TLS_HANDSHAKE = 0x16  # first byte of a TLS ClientHello record
_REASONS = {s.value: s.phrase for s in HTTPStatus}
_STATUS_LINES = {code: f"HTTP/1.1 {code} {phrase}\r\n".encode()
                 for code, phrase in _REASONS.items()}
_dget = dict.get
_dcontains = dict.__contains__


def _status_line(status: int) -> bytes:
    line = _STATUS_LINES.get(status)
    if line is None:
        line = f"HTTP/1.1 {status} {_REASONS.get(status, 'Unknown')}\r\n".encode()
    return line


class _Clock:
    """The headers every response starts with: *common* ones, then ``Date`` and
    ``X-HCP-Time``, formatted once per second."""

    def __init__(self, common: bytes) -> None:
        self._common = common
        self._second = -1
        self._value = b""

    def headers(self) -> bytes:
        now = int(time.time())
        if now != self._second:
            self._value = self._common + (f"Date: {email.utils.formatdate(now, usegmt=True)}\r\n"
                                          f"X-HCP-Time: {now}\r\n").encode()
            self._second = now
        return self._value


class _Connection:
    """State of one accepted connection."""

    def __init__(self, service: NodeService, sock: socket.socket, node: int, address: str,
                 kind: str, port: int, client: str = "-") -> None:
        self.service_obj = service
        self.sock = sock
        #: The client's IP address (for the access log), as accept() gave it.
        self.client = client
        self.node = node
        self.address = address
        self.service = kind
        self.port = port
        self.reader = Reader(sock)
        #: monotonic() time since when the connection waits for a request, else None.
        self.idle_since: float | None = None

    def continue_if_expected(self, req: Request) -> None:
        expect = _dget(req.headers, "expect")
        if expect is not None and expect.lower() == "100-continue" and req.version == "HTTP/1.1":
            self.sock.sendall(b"HTTP/1.1 100 Continue\r\n\r\n")

    def upload_fault(self) -> int | None:
        faults = self.service_obj.faults
        if not faults.nodes[self.node].reset_count:   # no fault set: no lock needed
            return None
        with faults.lock:
            return faults.nodes[self.node].take("reset")

    def reset(self) -> None:
        """Abort with a TCP RST."""
        try:
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        except OSError:
            pass
        raise Abort("reset_upload fault")


class NodeService:
    """All listeners and connections of one emulator.

    :param addresses: node IPs
    :param ports: ``{"http": port, "https": port, "mapi": port}`` (a service may be missing)
    :param tls_context: server context for ``https`` and ``mapi``
    :param handler: ``handler(request) -> Reply | BlobReply``
    :param common_headers: headers added to every response (bytes, CRLF-terminated lines)
    :param content_headers: headers added to answers of GET and HEAD only (HCP's caching
        headers; its answers to PUT, POST and DELETE are leaner)
    :param faults: the fault controls
    :param record: called with every :class:`RequestRecord`
    :param keep_alive: seconds an idle keep-alive connection is kept open
    """

    def __init__(self, addresses: Sequence[str], ports: dict[str, int],
                 tls_context: ssl.SSLContext, handler: Callable[[Request], Any],
                 common_headers: bytes, faults: Faults, record: Callable[[RequestRecord], None],
                 keep_alive: float = 300.0, content_headers: bytes = b"") -> None:
        self.addresses = list(addresses)
        self.ports = dict(ports)
        self.tls_context = tls_context
        self.handler = handler
        self.common = common_headers
        self.content_headers = content_headers
        self.faults = faults
        self.record = record
        self.keep_alive = keep_alive
        self._clock = _Clock(common_headers)
        self._ids = itertools.count(int.from_bytes(__import__("os").urandom(6), "big") << 8)
        self._lock = threading.Lock()
        self._listeners: dict[tuple[int, str], socket.socket] = {}
        self._accept_threads: list[threading.Thread] = []
        self._conns: dict[int, tuple[_Connection, threading.Thread]] = {}
        self._stats = [dict(accepted=0, closed=0, requests=0) for _ in self.addresses]
        self.stopping = threading.Event()

    # ------------------------------------------------------------------ listeners

    @staticmethod
    def bind(address: str, port: int) -> socket.socket:
        """A listening TCP socket on (address, port)."""
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind((address, port))
            sock.listen(256)
        except OSError:
            sock.close()
            raise
        return sock

    def start(self, prebound: dict[tuple[int, str], socket.socket] | None = None) -> None:
        """Start accepting on every node (using *prebound* sockets where given)."""
        for node in range(len(self.addresses)):
            self._open_node(node, prebound or {})
        self._reaper = threading.Thread(target=self._reap, name="hcp-idle-reaper", daemon=True)
        self._reaper.start()

    def _open_node(self, node: int, prebound: dict[tuple[int, str], socket.socket]) -> None:
        for kind, port in self.ports.items():
            sock = prebound.get((node, kind)) or self.bind(self.addresses[node], port)
            with self._lock:
                self._listeners[(node, kind)] = sock
            t = threading.Thread(target=self._accept_loop, args=(sock, node, kind, port),
                                 name=f"hcp-accept-{self.addresses[node]}:{port}", daemon=True)
            t.start()
            self._accept_threads.append(t)

    def _close_node(self, node: int) -> None:
        with self._lock:
            socks = [self._listeners.pop(k) for k in list(self._listeners) if k[0] == node]
            conns = [c for c, _ in self._conns.values() if c.node == node]
        for sock in socks:
            _shutdown(sock)
            sock.close()
        for conn in conns:
            _shutdown(conn.sock)

    def set_down(self, node: int, down: bool) -> None:
        """Close (``down=True``) or reopen a node's listeners."""
        if down:
            self._close_node(node)
        else:
            with self._lock:
                open_ = any(k[0] == node for k in self._listeners)
            if not open_:
                self._open_node(node, {})

    def _accept_loop(self, lsock: socket.socket, node: int, kind: str, port: int) -> None:
        address = self.addresses[node]
        while not self.stopping.is_set():
            try:
                sock, peer = lsock.accept()
            except OSError:
                return
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            conn = _Connection(self, sock, node, address, kind, port,
                               str(peer[0]) if isinstance(peer, tuple) else "-")
            t = threading.Thread(target=self._serve, args=(conn,), daemon=True,
                                 name=f"hcp-conn-{address}:{port}")
            with self._lock:
                self._stats[node]["accepted"] += 1
                self._conns[id(conn)] = (conn, t)
            t.start()

    # ------------------------------------------------------------------ stats

    def stats(self, node: int | None = None) -> dict[str, int]:
        """Connection and request counters of one node (index) or all nodes."""
        with self._lock:
            nodes = range(len(self.addresses)) if node is None else [node]
            out = {"accepted": 0, "closed": 0, "requests": 0}
            for i in nodes:
                for key in out:
                    out[key] += self._stats[i][key]
        out["open"] = out["accepted"] - out["closed"]
        return out

    # ------------------------------------------------------------------ connections

    def _serve(self, conn: _Connection) -> None:
        try:
            if conn.service != "http":
                conn.sock.settimeout(10.0)
                conn.sock = self.tls_context.wrap_socket(conn.sock, server_side=True)
                conn.sock.settimeout(None)
                conn.reader.sock = conn.sock
            elif not self._plain_http(conn):
                return
            while not self.stopping.is_set():
                if not self._one_request(conn):
                    break
        except (Abort, OSError, ssl.SSLError, ValueError):
            pass
        except Exception:  # a handler bug must not kill the emulator silently
            log.exception("request handling failed on %s", conn.address)
        finally:
            try:
                conn.sock.close()
            except OSError:
                pass
            with self._lock:
                self._conns.pop(id(conn), None)
                self._stats[conn.node]["closed"] += 1

    @staticmethod
    def _plain_http(conn: _Connection) -> bool:
        """Read the first bytes of a plain HTTP connection; False for a TLS ClientHello.

        A client speaking TLS to the HTTP port would otherwise wait for an answer until it
        times out; closing at once lets it fail fast (what a web server does). No cost
        per request: this receive is the one the first request would make anyway.
        """
        conn.idle_since = time.monotonic()
        try:
            conn.reader.fill()
        finally:
            conn.idle_since = None
        if conn.reader.buf[0] == _TLS_HANDSHAKE:
            log.debug("%s:%d: TLS handshake on the plain HTTP port, closed", conn.address,
                      conn.port)
            return False
        return True

    def _reap(self) -> None:
        """Close keep-alive connections idle for too long (one thread for all connections).

        Connection threads block in ``recv`` (no poll per request); this thread shuts down
        the sockets of connections that waited longer than the keep-alive time or the
        node's ``idle_drop`` fault, which ends their ``recv`` with EOF.
        """
        node_faults = self.faults.nodes
        while not self.stopping.wait(_IDLE_TICK):
            now = time.monotonic()
            with self._lock:
                conns = [c for c, _ in self._conns.values() if c.idle_since is not None]
            for conn in conns:
                since = conn.idle_since
                if since is None:
                    continue
                drop = node_faults[conn.node].idle_drop
                limit = self.keep_alive if drop is None else min(drop, self.keep_alive)
                if now - since >= limit:
                    conn.idle_since = None
                    _shutdown(conn.sock)

    def _one_request(self, conn: _Connection) -> bool:
        if not conn.reader.buf:
            conn.idle_since = time.monotonic()
        try:
            head = conn.reader.head()
        except HeadTooLarge:
            # A request line that alone fills the limit (a path beyond any limit) is 414,
            # as RFC 9112 advises; a line of normal size with too many header bytes 431.
            if conn.reader.buf.find(b"\r\n", 0, MAX_HEAD) < 0:
                self._send_simple(conn, 414, "request line too long")
            else:
                self._send_simple(conn, 431, "request header fields too large")
            return False
        finally:
            conn.idle_since = None
        lines = head.decode("latin-1").split("\r\n")
        try:
            method, target, version = lines[0].split(" ")
        except ValueError:
            self._send_simple(conn, 400, "malformed request line")
            return False
        headers = CIHeaders()
        setitem = dict.__setitem__
        for line in lines[1:]:
            key, sep, value = line.partition(":")
            if not sep:
                self._send_simple(conn, 400, "malformed header line")
                return False
            k = key.strip().lower()
            v = value.strip()
            if _dcontains(headers, k):
                v = dict.__getitem__(headers, k) + ", " + v
            setitem(headers, k, v)
        raw_path, _, raw_query = target.partition("?")
        req = Request(method, raw_path, raw_query, version, headers, conn)
        keep = version == "HTTP/1.1"
        connection = _dget(headers, "connection")
        if connection is not None:
            token = connection.lower()
            if "close" in token:
                keep = False
            elif "keep-alive" in token:
                keep = True

        nf = self.faults.nodes[conn.node]
        reply = None
        if nf.active:
            reply = self._request_faults(conn, req, nf)
        if reply is None:
            if req.bad_length:
                reply = error_reply(400, "invalid Content-Length")
                keep = False
            else:
                reply = self.handler(req)
        if not req.consumed and not req.drain(BLOCK):
            keep = False
        with self._lock:
            self._stats[conn.node]["requests"] += 1
        self.record(RequestRecord(conn.address, conn.port, method, raw_path, raw_query,
                                  reply.status, headers))
        log.debug("%s:%d %s %s -> %d", conn.address, conn.port, method, target, reply.status)
        self._send(conn, req, reply, keep)
        return keep

    def _request_faults(self, conn: _Connection, req: Request, nf: Any) -> Reply | None:
        faults = self.faults
        if nf.stall:
            req.drain(1 << 30)
            faults.hold_while_stalled(conn.node, self.stopping.is_set)
            if self.stopping.is_set():
                raise Abort("shutting down")
        if nf.latency:
            self.stopping.wait(nf.latency)
        with faults.lock:
            code = nf.take("status")
        if code is not None:
            req.drain(1 << 30)
            return error_reply(code, f"injected fault: status {code}")
        return None

    def _head_bytes(self, conn: _Connection, status: int, headers: list[tuple[str, str]] | bytes,
                    length: int, keep: bool, content: bool = False) -> bytes:
        if not isinstance(headers, bytes):
            headers = encode_headers(headers) if headers else b""
        sized = status >= 200 and status not in (204, 304)
        return b"".join((
            _status_line(status), self._clock.headers(),
            b"X-RequestId: %016X\r\n" % next(self._ids),
            self.content_headers if content else b"",
            headers,
            b"Content-Length: %d\r\n" % length if sized else b"",
            b"" if keep else b"Connection: close\r\n",
            b"\r\n"))

    def _send_simple(self, conn: _Connection, status: int, message: str) -> None:
        conn.sock.sendall(self._head_bytes(conn, status, error_reply(status, message).headers, 0,
                                           False))

    def _send(self, conn: _Connection, req: Request, reply: Any, keep: bool) -> None:
        status = reply.status
        if isinstance(reply, BlobReply):
            length, body = reply.length, None
        else:
            body = reply.body
            length = len(body)
        method = req.method
        head = self._head_bytes(conn, status, reply.headers, length, keep,
                                method == "GET" or method == "HEAD")
        sock = conn.sock
        send_body = method != "HEAD" and status not in (204, 304) and length > 0
        cut = None
        if send_body:
            nf = self.faults.nodes[conn.node]
            if nf.close_count:
                with self.faults.lock:
                    cut = nf.take("close")
        if not send_body:
            sock.sendall(head)
            return
        if body is not None:
            if cut is not None:
                sock.sendall(head + body[:cut])
                raise Abort("close_after fault")
            sock.sendall(head + body if length <= _SMALL else head)
            if length > _SMALL:
                sock.sendall(body)
            return
        sent = 0
        pending = head
        for chunk in reply.blob.chunks(reply.start, reply.start + length):
            if cut is not None and sent + len(chunk) >= cut:
                sock.sendall(pending + chunk[:cut - sent])
                raise Abort("close_after fault")
            if pending and len(chunk) <= _SMALL:
                sock.sendall(pending + chunk)
            else:
                if pending:
                    sock.sendall(pending)
                sock.sendall(chunk)
            pending = b""
            sent += len(chunk)
        if pending:
            sock.sendall(pending)
        if cut is not None:
            raise Abort("close_after fault")

    # ------------------------------------------------------------------ shutdown

    def close(self) -> None:
        """Stop accepting, drop every connection and wait for the threads."""
        self.stopping.set()
        with self.faults.changed:
            self.faults.changed.notify_all()
        with self._lock:
            socks = list(self._listeners.values())
            self._listeners.clear()
            conns = list(self._conns.values())
        for sock in socks:
            _shutdown(sock)
            sock.close()
        for conn, _ in conns:
            _shutdown(conn.sock)
        for t in self._accept_threads:
            t.join(5)
        if getattr(self, "_reaper", None) is not None:
            self._reaper.join(5)
        for _, t in conns:
            t.join(5)


def _shutdown(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
