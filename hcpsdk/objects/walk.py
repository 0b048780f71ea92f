"""``walk``: a directory tree top-down like :func:`os.walk`, listed over several Connections."""
from __future__ import annotations

import queue
from collections.abc import Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait

from .._check import wrong_type
from ..connection import Connection
from ._wire import check_connection, encode
from .listing import Entry, listdir

__all__ = ["walk"]

Step = tuple[str, list[Entry], list[Entry]]


def _connections(call: str, connections: Connection | Sequence[Connection]) -> list[Connection]:
    if isinstance(connections, Connection):
        return [connections]
    if isinstance(connections, (str, bytes)) or not isinstance(connections, Sequence) or (
            not connections):
        raise wrong_type(call, "connections", "a Connection or a list of them", connections)
    return [check_connection(call, c) for c in connections]


def walk(connections: Connection | Sequence[Connection], top: str, *, deleted: bool = False
         ) -> Iterator[Step]:
    """Walk a directory tree: for each directory ``(path, directories, objects)``.

    The requests, one listing per directory::

        GET /rest/<dir>[?deleted=true]

    Like :func:`os.walk` top-down, ``directories`` (a list of :class:`Entry`) may be
    changed in place to prune the walk: only the directories left in it are visited.
    ``objects`` holds every other entry (objects and symlinks).

    With several Connections (one per node of the Target is a good start, e.g.
    ``[hcpsdk.Connection(t) for _ in range(8)]``) that many directories are listed at
    the same time, each Connection in a thread of its own; then directories come in the
    order their listings finish, a parent always before its children. With one
    Connection the order is depth-first, as :func:`os.walk` gives it. The Connections
    must not be used elsewhere during the walk.

    :param connections: a Connection, or a list of them
    :param top: the directory to start from, ``/rest/...``, plain text
    :param deleted: list deleted objects and directories too
    :returns: an iterator of ``(path, directories, objects)``
    :raises HcpsdkNotFoundError: ``top`` does not exist (a sub-directory that vanished
        during the walk is skipped)
    :raises HcpsdkStatusError: a listing failed

    .. versionadded:: 1.0
    """
    pool = _connections("walk", connections)
    encode("walk", top, "top")
    top = top.rstrip("/") or top
    if len(pool) == 1:
        return _walk_one(pool[0], top, deleted)
    return _walk_many(pool, top, deleted)


def _split(entries: list[Entry]) -> tuple[list[Entry], list[Entry]]:
    directories = [e for e in entries if e.type == "directory"]
    return directories, [e for e in entries if e.type != "directory"]


def _list(connection: Connection, path: str, deleted: bool, must_exist: bool
          ) -> list[Entry] | None:
    from ..exceptions import HcpsdkNotFoundError

    try:
        return list(listdir(connection, path, deleted=deleted))
    except HcpsdkNotFoundError:
        if must_exist:
            raise
        return None


def _walk_one(connection: Connection, top: str, deleted: bool) -> Iterator[Step]:
    first = _list(connection, top, deleted, True)
    stack: list[tuple[str, list[Entry]]] = [(top, first or [])]
    while stack:
        path, entries = stack.pop()
        directories, objects = _split(entries)
        yield path, directories, objects
        for entry in reversed(directories):
            listed = _list(connection, entry.path, deleted, False)
            if listed is not None:
                stack.append((entry.path, listed))


def _walk_many(pool: list[Connection], top: str, deleted: bool) -> Iterator[Step]:
    idle: queue.SimpleQueue[Connection] = queue.SimpleQueue()
    for connection in pool:
        idle.put(connection)

    def task(path: str, must_exist: bool) -> tuple[str, list[Entry] | None]:
        connection = idle.get()
        try:
            return path, _list(connection, path, deleted, must_exist)
        finally:
            idle.put(connection)

    with ThreadPoolExecutor(len(pool), thread_name_prefix="hcpsdk-walk") as executor:
        running: set[Future[tuple[str, list[Entry] | None]]] = {
            executor.submit(task, top, True)}
        try:
            while running:
                done, running = wait(running, return_when=FIRST_COMPLETED)
                for future in done:
                    path, entries = future.result()
                    if entries is None:
                        continue
                    directories, objects = _split(entries)
                    yield path, directories, objects
                    running |= {executor.submit(task, d.path, False) for d in directories}
        finally:
            for future in running:
                future.cancel()
