"""Helpers used by more than one test folder (imported by name, like the ``*_support`` modules).

``tests/`` is on ``sys.path`` because pytest puts the folder of ``tests/conftest.py`` there.
"""
from __future__ import annotations

import contextlib
import http.server
import os
import select
import signal
import socket
import subprocess
import sys
import threading
import time
import warnings
from collections.abc import Iterator

import pytest


@contextlib.contextmanager
def closing_factory(make):
    """Yield a function that calls ``make`` and closes everything it made at the end."""
    made = []

    def start(*args, **kw):
        thing = make(*args, **kw)
        made.append(thing)
        return thing

    try:
        yield start
    finally:
        for thing in made:
            thing.close()


#: ``nsstatistics()`` of the documentation's chapter 7.2, as printed there.
DOC_NSSTATISTICS = """\
{'customMetadataObjectBytes': 0,
 'customMetadataObjectCount': 0,
 'namespaceName': 'n1',
 'objectCount': 0,
 'shredObjectBytes': 0,
 'shredObjectCount': 0,
 'softQuotaPercent': 85,
 'totalCapacityBytes': 53687091200,
 'usedCapacityBytes': 0}
"""


# -- a function run in a real forked child -------------------------------------------------


def in_child(work):
    """Fork; the child runs ``work()`` and reports its str result (or its error) by a pipe.

    :returns: the child's pid and the pipe's reading end, for :func:`result_of`
    """
    reader, writer = os.pipe()
    with warnings.catch_warnings():  # Python >= 3.12 warns about fork() with threads
        warnings.simplefilter("ignore", DeprecationWarning)
        pid = os.fork()
    if pid == 0:  # the child: never returns into pytest
        status = 0
        try:
            os.close(reader)
            message = work()
        except BaseException as exc:  # reported to the parent
            message, status = f"error: {exc!r}", 1
        try:
            os.write(writer, message.encode("utf-8", "replace"))
        finally:
            os._exit(status)
    os.close(writer)
    return pid, reader


def result_of(pid, reader, timeout=30.0):
    """What the child reported; a child still running after ``timeout`` is killed and the
    test fails."""
    chunks = []
    deadline = time.monotonic() + timeout
    try:
        while True:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([reader], [], [], left)[0]:
                os.kill(pid, signal.SIGKILL)
                pytest.fail("the forked child did not finish in time")
            chunk = os.read(reader, 65536)
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        os.close(reader)
        os.waitpid(pid, 0)
    return b"".join(chunks).decode()


# -- raw-socket servers ---------------------------------------------------------------------


def read_head(sock: socket.socket) -> tuple[bytes, bytes]:
    """The request head (bytes before CRLF CRLF) and the body bytes that came with it.

    A peer that closes before the blank line gives what it sent as the head.
    """
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            return data, b""
        data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    return head, rest


class AcceptingServer:
    """A TCP server that hands every accepted socket, in a thread of its own, to
    :meth:`handle`; :meth:`close` stops it and closes every socket it accepted.

    :param join_timeout: how long :meth:`close` waits for each handler thread (0: not at all)
    """

    def __init__(self, host: str = "127.0.0.1", port: int = 0, join_timeout: float = 0) -> None:
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self.listener = socket.create_server((host, port), family=family)
        self.host, self.port = self.listener.getsockname()[:2]
        self.accepted = 0
        self.stop = threading.Event()
        self._join_timeout = join_timeout
        self._socks: list[socket.socket] = []
        self._threads: list[threading.Thread] = []
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def handle(self, sock: socket.socket) -> None:
        """Talk to one accepted client (runs in its own thread)."""
        raise NotImplementedError

    def _serve(self) -> None:
        while not self.stop.is_set():
            try:
                sock, _ = self.listener.accept()
            except OSError:
                return
            if self.stop.is_set():
                sock.close()
                return
            self.accepted += 1
            self._socks.append(sock)
            thread = threading.Thread(target=self.handle, args=(sock,), daemon=True)
            self._threads.append(thread)
            thread.start()

    def close(self) -> None:
        self.stop.set()
        try:
            socket.create_connection((self.host, self.port), timeout=1).close()  # wake accept()
        except OSError:
            pass
        self._thread.join(2)
        self.listener.close()
        for sock in self._socks:
            try:
                sock.close()
            except OSError:
                pass
        if self._join_timeout:
            for thread in self._threads:
                thread.join(self._join_timeout)


class QuietHandler(http.server.BaseHTTPRequestHandler):
    """A request handler that logs nothing and answers in one call."""

    def answer(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
        """Send ``status``, ``headers``, a ``Content-Length`` and ``body``."""
        self.send_response(status)
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


# -- the emulator as a process ------------------------------------------------------------


@contextlib.contextmanager
def emulator_cli(*args: str) -> Iterator[subprocess.Popen[str]]:
    """``python -m hcpsdk.emulator *args`` with text pipes; killed and closed at the end."""
    env = dict(os.environ, PYTHONWARNINGS="error")
    proc = subprocess.Popen([sys.executable, "-m", "hcpsdk.emulator", *args], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        yield proc
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait()
        for stream in (proc.stdin, proc.stdout, proc.stderr):
            stream.close()
