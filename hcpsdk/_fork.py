"""Telling whether a socket was opened in this process or inherited through ``fork()``.

A forked child shares its parent's open sockets: a kept-alive Connection used
in both would interleave two conversations on one TCP (or TLS) stream, giving
one process the other's response. :data:`generation` counts the forks between
the interpreter's start and this process: the child's is one more than its
parent's (``os.register_at_fork``), so comparing it costs nothing per request
and no ``os.getpid()`` call. A Connection notes the generation its socket was
opened in; when it differs, the socket belongs to an ancestor: the Connection
forgets it and connects anew.

Forgetting closes only the child's copy of the file descriptor — the
connection stays open for the parent (no ``shutdown()``, no TLS close_notify).
"""
from __future__ import annotations

import os

__all__ = ["generation"]

#: Forks in this process's ancestry since hcpsdk was imported.
generation = 0


def _forked() -> None:
    global generation
    generation += 1


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forked)
