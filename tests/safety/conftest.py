"""Fixtures of the safety tests: the emulator and hostile raw-socket servers.

A hostile server serves a scripted raw answer on 127.0.0.1 (ephemeral port): it reads
the request head (and a body announced by ``Content-Length``), records both, and then
writes what the test scripted - a lying ``Content-Length``, a broken chunk size, one
byte per interval. Nothing of http.client, socket or DNS is mocked.
"""
from __future__ import annotations

import socket
import threading
import uuid

import pytest
from shared_support import AcceptingServer, closing_factory, read_head

import hcpsdk


@pytest.fixture()
def hcp(hcp_emulator):
    """The session's emulated HCP (faults cleared after each test by the plugin)."""
    return hcp_emulator


@pytest.fixture()
def http_target(hcp):
    """A fresh Target on the emulator's plain HTTP port."""
    return hcp.target(port=hcp.http_port, tls=False)


@pytest.fixture()
def path():
    """A fresh object path."""
    return f"/rest/safety/{uuid.uuid4().hex}.bin"


def read_request(sock: socket.socket, body: bool = True) -> tuple[bytes, bytes]:
    """Read one request from ``sock``: its head (up to the blank line) and its body.

    Only a body announced by ``Content-Length`` is read (enough for these tests), and
    only with ``body``.
    """
    head, rest = read_head(sock)
    if not body:
        return head, rest
    body = rest
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length" and value.strip().isdigit():
            length = int(value.strip())
    while len(body) < length:
        chunk = sock.recv(65536)
        if not chunk:
            break
        body += chunk
    return head, body


class HostileServer(AcceptingServer):
    """A TCP server on 127.0.0.1 answering every request with ``script(sock, stop)``.

    ``script`` may be bytes (written at once, then the socket is closed) or a function
    called with the connected socket and a :class:`threading.Event` set on close.
    :attr:`requests` holds the ``(head, body)`` of each request received.
    """

    def __init__(self, script, keep_open: bool = False, read_body: bool = True) -> None:
        self.script = script
        self.keep_open = keep_open
        self.read_body = read_body
        self.requests: list[tuple[bytes, bytes]] = []
        self.answered = threading.Event()
        super().__init__(join_timeout=5)

    def handle(self, sock: socket.socket) -> None:
        try:
            self.requests.append(read_request(sock, self.read_body))
            if callable(self.script):
                self.script(sock, self.stop)
            else:
                sock.sendall(self.script)
            self.answered.set()
            if self.keep_open:
                self.stop.wait(30)
        except OSError:
            pass
        finally:
            sock.close()

    def target(self, **kwargs) -> hcpsdk.Target:
        """A Target for this server (its address literal, plain HTTP)."""
        return hcpsdk.Target(self.host, hcpsdk.DummyAuthorization(), port=self.port, **kwargs)


@pytest.fixture()
def hostile():
    """Factory: ``hostile(script, keep_open=False, read_body=True)`` starts a HostileServer,
    closed after the test."""
    with closing_factory(HostileServer) as start:
        yield start
