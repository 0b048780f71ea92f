"""Closing idle persistent sockets without a thread per request.

A request only records a ``time.perf_counter()`` timestamp on its Connection (the clock
that also times the request, so one clock read serves both). One
shared daemon thread, started the first time a socket is opened, sleeps until
the earliest moment a watched Connection could have been idle for its
``idletime`` and closes the sockets that really were. It holds Connections by
weak reference, never closes one whose response body is still being read, and,
being a daemon, never delays interpreter exit.

A watched object provides ``_idle_due(now) -> float | None`` (seconds until it
may be closed, ``None`` when it has no socket), ``_idle_expire()``, and
``_forked()``, called in a forked child: the reaper may have held the object's lock
at the moment of the fork, and in the child nobody would ever release it.
"""
from __future__ import annotations

import os
import threading
import time
import weakref
from typing import Protocol

__all__ = ["Watched", "watch"]


class Watched(Protocol):
    """What the reaper needs of a watched object (a Connection's channel)."""

    def _idle_due(self, now: float) -> float | None:
        """Seconds until it may be closed; ``None`` when it has no socket."""
        ...

    def _idle_expire(self) -> bool:
        """Close it if it is due; ``False`` when it is in use right now."""
        ...

    def _forked(self) -> None:
        """Called in a forked child (see the module's docstring)."""
        ...


class _Reaper:
    def __init__(self) -> None:
        self._cond = threading.Condition(threading.Lock())
        self._watched: weakref.WeakSet[Watched] = weakref.WeakSet()
        self._thread: threading.Thread | None = None

    def watch(self, conn: Watched) -> None:
        with self._cond:
            self._watched.add(conn)
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="hcpsdk-idle-reaper",
                                                daemon=True)
                self._thread.start()
            self._cond.notify()

    def _run(self) -> None:
        with self._cond:
            while True:
                self._cond.wait(self._sweep())

    def _sweep(self) -> float | None:
        """Close what is due; return the seconds until the next check.

        (``None``: nothing is watched.)
        """
        now = time.perf_counter()  # the Connections' idle clock
        wait: float | None = None
        for conn in list(self._watched):
            due = conn._idle_due(now)
            if due is None:
                self._watched.discard(conn)
                continue
            if due <= 0:
                if conn._idle_expire():
                    self._watched.discard(conn)
                    continue
                due = 0.05  # in use right now: look again soon
            wait = due if wait is None else min(wait, due)
        return wait


_reaper: _Reaper | None = None


def watch(conn: Watched) -> None:
    """Have the shared reaper watch ``conn`` (call when it opens a socket)."""
    global _reaper
    if _reaper is None:
        _reaper = _Reaper()  # a benign race: two reapers would both work correctly
    _reaper.watch(conn)


def _after_fork() -> None:
    global _reaper
    reaper, _reaper = _reaper, None  # the thread did not survive the fork
    if reaper is not None:
        for conn in list(reaper._watched):
            conn._forked()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork)
