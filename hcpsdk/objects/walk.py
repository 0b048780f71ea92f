"""``walk``: a directory tree top-down like :func:`os.walk`, listed over several Connections
or as the tasks of an Executor."""
from __future__ import annotations

import concurrent.futures
import queue
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from typing import Any

from .._check import of_type, wrong_type
from .._executors import Shipped, result, ship, submit, worker_connection
from ..connection import Connection
from ..exceptions import HcpsdkNotFoundError
from ._wire import check_connection, encode
from .listing import Entry, listdir

__all__ = ["walk"]

Step = tuple[str, list[Entry], list[Entry]]
#: A finished listing: the directory and its entries (``None``: it vanished).
Listed = tuple[str, list[Entry] | None]


def _connections(call: str, connections: Connection | Sequence[Connection]) -> list[Connection]:
    if isinstance(connections, Connection):
        return [connections]
    if isinstance(connections, (str, bytes)) or not isinstance(connections, Sequence) or (
            not connections):
        raise wrong_type(call, "connections", "a Connection or a list of them", connections)
    return [check_connection(call, c) for c in connections]


def walk(connections: Connection | Sequence[Connection], top: str, *, deleted: bool = False,
         executor: concurrent.futures.Executor | None = None) -> Iterator[Step]:
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

    With an ``executor`` the listings run as its tasks instead, as many at a time as it
    runs: each task gets the Target of the (first) Connection — itself on a
    ``ThreadPoolExecutor``, a pickle of it (credentials included) on other executors
    (processes, ``distributed.Client.get_executor()``) — and lists over a Connection
    (with default settings) that its worker thread keeps for the next task; the entries
    come back pickled. The given Connections send nothing then. Directories come in the
    order their listings finish, a parent always before its children.

    :param connections: a Connection, or a list of them
    :param top: the directory to start from, ``/rest/...``, plain text
    :param deleted: list deleted objects and directories too
    :param executor: a :class:`concurrent.futures.Executor` to run the listings on
    :returns: an iterator of ``(path, directories, objects)``
    :raises HcpsdkNotFoundError: ``top`` does not exist (a sub-directory that vanished
        during the walk is skipped)
    :raises HcpsdkStatusError: a listing failed
    :raises HcpsdkTypeError: ``executor`` is no Executor, or the Target can't be pickled
        for one that runs in other processes (a Target made with an ``sslcontext``)
    :raises Exception: what the executor raises for a listing it lost (a worker died),
        e.g. ``concurrent.futures.process.BrokenProcessPool``

    .. versionadded:: 1.0
    """
    pool = _connections("walk", connections)
    encode("walk", top, "top")
    of_type("walk", "executor", executor, concurrent.futures.Executor,
            "None or a concurrent.futures.Executor")
    top = top.rstrip("/") or top
    if executor is not None:
        return _walk_on(executor, ship(pool[0].target, executor), top, deleted)
    if len(pool) == 1:
        return _walk_one(pool[0], top, deleted)
    return _walk_many(pool, top, deleted)


def _split(entries: list[Entry]) -> tuple[list[Entry], list[Entry]]:
    directories = [e for e in entries if e.type == "directory"]
    return directories, [e for e in entries if e.type != "directory"]


def _list(connection: Connection, path: str, deleted: bool, must_exist: bool
          ) -> list[Entry] | None:
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

    def task(path: str, must_exist: bool) -> Listed:
        connection = idle.get()
        try:
            return path, _list(connection, path, deleted, must_exist)
        finally:
            idle.put(connection)

    with ThreadPoolExecutor(len(pool), thread_name_prefix="hcpsdk-walk") as executor:
        yield from _walk_tasks(lambda path, must_exist: executor.submit(task, path, must_exist),
                               top)


def _walk_on(executor: concurrent.futures.Executor, shipped: Shipped, top: str,
             deleted: bool) -> Iterator[Step]:
    yield from _walk_tasks(lambda path, must_exist: submit(
        executor, _list_in_worker, shipped, path, deleted, must_exist), top,
        lambda future: result(shipped, future))


def _list_in_worker(shipped: Shipped, path: str, deleted: bool, must_exist: bool) -> Listed:
    """One listing as an executor's task (in a worker)."""
    return path, _list(worker_connection(shipped, {}), path, deleted, must_exist)


def _walk_tasks(start: Callable[[str, bool], Future[Any]], top: str,
                listed: Callable[[Future[Any]], Listed] = Future.result) -> Iterator[Step]:
    """The walk over listings that run as futures.

    :param start: ``start(path, must_exist)`` starts the listing of ``path``
    :param listed: the listing of a finished future
    """
    running: set[Future[Any]] = {start(top, True)}
    try:
        while running:
            done, running = wait(running, return_when=FIRST_COMPLETED)
            for future in done:
                path, entries = listed(future)
                if entries is None:
                    continue
                directories, objects = _split(entries)
                yield path, directories, objects
                running |= {start(d.path, False) for d in directories}
    finally:
        for future in running:
            future.cancel()
