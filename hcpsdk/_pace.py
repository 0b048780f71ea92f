"""Deadlines for reading an answer: its head within ``timeout``, its body at a minimum rate.

A socket's timeout bounds each single receive. A server that sends one byte per
second never lets one run out, and would hold a request with ``timeout=2`` for as
long as it likes. :class:`PacedReader` is the raw reader under the buffered reader of
each answer (in place of ``socket.SocketIO``) and measures the time spent waiting for
the server:

- the *head* (status line and headers) must be complete within ``timeout`` seconds of
  the answer being awaited (right after the request was sent);
- the *body* must keep a minimum rate, as Apache's ``mod_reqtimeout`` ``minrate`` does:
  no ``timeout`` seconds of waiting may pass in which less than :data:`MIN_BYTES`
  arrive (or less than what remains of a shorter body, which then simply ends).

Only waiting counts: time the caller spends between two ``read()`` calls is its own.
Before each receive the socket's timeout is lowered to the time left when that is
clearly shorter (a normal answer never needs that, so no extra system call is made),
and it is set back before the socket carries the next request.

.. versionadded:: 1.0
"""
from __future__ import annotations

import io
import socket
import time
from typing import Any

__all__ = ["MIN_BYTES", "Pacing", "PacedReader", "PacedSocket"]

#: Bytes that must arrive in every ``timeout`` seconds of waiting for a body.
MIN_BYTES = 64 * 1024

_clock = time.perf_counter
# the socket's timeout is lowered only when less than this part of it is left: an
# answer whose pieces arrive at once never costs a system call for it
_LOWER_BELOW = 0.9


class Pacing:
    """The deadlines of one answer, for a raw reader that receives through :meth:`_receive`.

    A raw reader class mixes this in before its base and calls :meth:`_pace` when made.
    """

    _raw: Any = None

    def _pace(self, sock: socket.socket, timeout: float) -> None:
        self._sock_paced = sock
        self._timeout = timeout
        self._set = timeout  # the socket's timeout now
        self._head_until: float | None = _clock() + timeout
        self._waited = 0.0  # seconds waited for the body since MIN_BYTES last arrived
        self._got = 0  # bytes of that window

    def _receive(self, buffer: Any) -> int | None:
        raise NotImplementedError  # pragma: no cover

    def head_done(self) -> None:
        """The head was read: the body's minimum rate applies from now on."""
        self._head_until = None
        self._restore()

    def readinto(self, buffer: Any) -> int | None:
        head_until = self._head_until
        left = (head_until - _clock() if head_until is not None
                else self._timeout - self._waited)
        if left <= 0:
            raise self._too_slow()
        if left < self._set * _LOWER_BELOW:
            self._apply(left)
        start = _clock()
        try:
            count = self._receive(buffer)
        except TimeoutError:
            if self._set < self._timeout:  # timed out by the lowered deadline
                raise self._too_slow() from None
            raise
        if head_until is None:
            self._waited += _clock() - start
            self._got += count or 0
            if self._got >= MIN_BYTES:
                self._waited, self._got = 0.0, 0
                self._restore()
        return count

    def _too_slow(self) -> TimeoutError:
        if self._head_until is not None:
            return TimeoutError(f"the answer's head did not arrive within {self._timeout} s")
        return TimeoutError(f"the body arrived too slowly: {self._got} bytes in "
                            f"{self._timeout} s of waiting (at least "
                            f"{MIN_BYTES} bytes in {self._timeout} s are required)")

    def _apply(self, seconds: float) -> None:
        self._sock_paced.settimeout(seconds)
        self._set = seconds

    def _restore(self) -> None:
        """Give the socket its own timeout back (before it carries the next request)."""
        if self._set != self._timeout and self._sock_paced.fileno() != -1:
            try:
                self._apply(self._timeout)
            except OSError:
                pass


class PacedReader(Pacing, socket.SocketIO):
    """The raw reader of one answer over a socket, keeping the answer's deadlines.

    :param sock: the connected socket (plain or TLS)
    :param timeout: the Connection's timeout (seconds)
    """

    def __init__(self, sock: socket.socket, timeout: float) -> None:
        socket.SocketIO.__init__(self, sock, "rb")
        self._pace(sock, timeout)

    def _receive(self, buffer: Any) -> int | None:
        return socket.SocketIO.readinto(self, buffer)

    def close(self) -> None:
        if not self.closed:
            self._restore()
        socket.SocketIO.close(self)


class PacedSocket:
    """What ``http.client.HTTPResponse`` is given instead of the socket: it asks only for
    ``makefile('rb')``, and gets a buffered :class:`PacedReader`.

    Anything that is no socket with a timeout (an answer read from memory) makes its
    own file, unpaced.
    """

    __slots__ = ("_sock",)

    def __init__(self, sock: Any) -> None:
        self._sock = sock

    def makefile(self, mode: str, *args: Any) -> Any:
        sock = self._sock
        timeout = sock.gettimeout() if isinstance(sock, socket.socket) else None
        if mode != "rb" or args or not timeout:
            return sock.makefile(mode, *args)
        # as socket.makefile does: the socket is closed for real only after its files
        sock._io_refs += 1
        return io.BufferedReader(PacedReader(sock, timeout))
