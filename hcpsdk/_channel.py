"""The socket of one Connection: which node it goes to, opened when needed, kept while usable.

A :class:`Channel` holds at most one ``http.client`` connection to one node of a
Target. It is opened lazily (round-robin over the Target's nodes, passing over nodes
that fail to connect), reused while the server keeps it open, dropped after any
failure, and closed by the shared idle reaper (:mod:`hcpsdk._idle`) after
``idletime`` seconds without use — never while a response body is being read.

A :class:`Record` is what happened to one request: its :class:`~hcpsdk.Retry` (the
attempts so far), its replica route and the nodes that answered. The Connection
books every verdict of the Retry there and obeys it (:meth:`Record.book`).
"""
from __future__ import annotations

import http.client
import logging
import threading
import time

from . import _fork, _idle
from ._hints import protocol_hint
from ._retry import CONNECT, Retry, Route
from ._transport import NodeConnection, is_dropped, socket_opener
from .exceptions import HcpsdkCantConnectError, IpsError
from .target import Target

__all__ = ["Channel", "Record", "RECOVERABLE"]

log = logging.getLogger(__name__)

#: The exception types a request or read may meet on the network (``_translate``'s).
RECOVERABLE = (OSError, http.client.HTTPException)
# A socket used less than this many seconds ago is not polled for a server-side close
# (no sane server drops a kept-alive connection that quickly; see is_dropped()).
_FRESH = 0.005


class Record:
    """What happened to one request: its attempts, its replica route, who answered.

    :param retry: the Connection's policy (the request starts with its empty history)
    :param route: the request's replica decisions, if its Target has a replica strategy
    """

    __slots__ = ("attempts", "route", "served")

    def __init__(self, retry: Retry, route: Route | None = None) -> None:
        #: The request's Retry: the policy with the attempts that failed so far.
        self.attempts = retry
        self.route = route
        #: The nodes that answered (more than one after a resumed GET).
        self.served: tuple[str, ...] = ()

    def book(self, attempts: Retry, target: Target) -> None:
        """Take the Retry that ``increment()`` returned, and obey it: pass over the node, wait."""
        self.attempts = attempts
        last = attempts.last
        if last is not None and last.skip_node and last.node is not None:
            target._circle.mark_failed(last.node, attempts.cooldown)
        attempts.sleep()


class Channel:
    """The socket of one Connection (see the module's docstring).

    :param timeout: the socket timeout (seconds)
    :param idletime: seconds an unused socket stays open
    :param keepalive: ``(idle, interval, count)`` for TCP keep-alive, or ``None``
    :param debuglevel: http.client's debug level for new connections
    """

    def __init__(self, timeout: float, idletime: float, keepalive: tuple[int, int, int] | None,
                 debuglevel: int) -> None:
        self.timeout = timeout
        self.idletime = idletime
        self.keepalive = keepalive
        self.debuglevel = debuglevel
        #: Held while the socket changes: the Connection's calls, or the idle reaper.
        self.lock = threading.Lock()
        self.con: NodeConnection | None = None
        self.target: Target | None = None
        self.address: str | None = None
        self.born = _fork.generation  # of the process that opened the socket (see _fork)
        self.idle_since = 0.0
        self.connect_time = 0.0
        #: The response whose body is being read: never closed under it by the reaper.
        self.reading: http.client.HTTPResponse | None = None

    def to(self, target: Target, method: str, record: Record) -> tuple[NodeConnection, bool]:
        """The open connection if it can carry the next request to ``target``, else a new one.

        :returns: the connection, and whether it is a kept-alive one
        :raises HcpsdkCantConnectError: no node of ``target`` accepted a connection
        """
        con = self.con
        # a socket inherited through fork() is shared with the parent: never touched here
        if (con is not None and self.target is target and con.sock is not None
                and self.born == _fork.generation
                and (time.perf_counter() - self.idle_since <= _FRESH
                     or not is_dropped(con.sock))):
            return con, True
        if con is not None:
            log.debug("connection to %s is gone - reconnecting", self.address)
            self.drop()
        return self.open(target, method, record), False

    def open(self, target: Target, method: str, record: Record) -> NodeConnection:
        """Connect to the next usable node; move on at once from nodes that fail to connect.

        When every known node failed, the FQDN is resolved again once.

        :raises HcpsdkCantConnectError: no node of ``target`` accepted a connection
        """
        circle = target._circle
        tried: set[str] = set()
        failures: list[str] = []
        refreshed = False
        last_exc: BaseException | None = None
        while True:
            node = circle.next_address(exclude=tried)
            if node is None:
                if not refreshed:
                    refreshed = True
                    log.warning("no node of %s could be reached - resolving the name again",
                                target.fqdn)
                    try:
                        circle.refresh()
                    except IpsError as exc:
                        log.warning("%s", exc)
                    continue
                raise HcpsdkCantConnectError(
                    f"can't connect to {target.fqdn} port {target.port}: every node failed "
                    f"({'; '.join(failures)}){protocol_hint(last_exc, target, True)}"
                ) from last_exc
            tried.add(node)
            con = NodeConnection(node, target.port, self.timeout, socket_opener(
                node, target.port, self.timeout, self.keepalive, target._tls_policy,
                target.fqdn), target._encoded_headers)
            start = time.perf_counter()
            try:
                con.connect()
            except RECOVERABLE as exc:
                con.close()
                record.book(record.attempts.increment(method, stage=CONNECT, target=target,
                                                      node=node, error=exc), target)
                failures.append(record.attempts.history[-1].reason)
                last_exc = exc
                continue
            except BaseException:  # HcpsdkError (TLS policy), KeyboardInterrupt, ...
                con.close()
                raise
            self.connect_time = time.perf_counter() - start
            circle.mark_ok(node)
            if self.debuglevel:
                con.set_debuglevel(self.debuglevel)
            self.con, self.target, self.address = con, target, node
            self.born = _fork.generation
            log.debug("Connection open: IP %s (%s) - connect_time: %.6f seconds",
                      node, target.fqdn, self.connect_time)
            _idle.watch(self)
            return con

    def drop(self) -> None:
        """Close the socket (if any) and the body being read; the next request connects anew."""
        con, self.con = self.con, None
        if con is not None:
            con.close()
        reading = self.reading
        if reading is not None and not reading.isclosed():
            reading.close()

    def inherited(self) -> bool:
        """``True`` in a process forked after the socket was opened: it is the parent's."""
        return self.born != _fork.generation

    # -- idle handling (called by the shared reaper thread) -------------------------------

    def _idle_due(self, now: float) -> float | None:
        con = self.con
        if con is None or con.sock is None:
            return None
        reading = self.reading
        if reading is not None and not reading.isclosed():
            return self.idletime  # a body is being read: never closed, look again later
        return self.idle_since + self.idletime - now

    def _forked(self) -> None:
        # in a forked child: the parent's reaper thread may have held the lock at the
        # moment of the fork, and nobody would ever release it here
        self.lock = threading.Lock()

    def _idle_expire(self) -> bool:
        if not self.lock.acquire(blocking=False):
            return False
        try:
            due = self._idle_due(time.perf_counter())
            if due is None:
                return True
            if due > 0:
                return False
            self.drop()
        finally:
            self.lock.release()
        log.debug("idle close: IP %s - unused for %.1f seconds", self.address, self.idletime)
        return True

    def __del__(self) -> None:
        con = getattr(self, "con", None)
        if con is not None:
            try:
                con.close()
            except Exception:  # pragma: no cover - interpreter shutdown
                pass
