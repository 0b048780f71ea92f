"""``copy_tree``: a server-side copy of every object of a directory tree, in parallel."""
from __future__ import annotations

import concurrent.futures
import itertools
import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from .._check import bad_value, integer, of_type, wrong_type
from .._executors import Shipped, run_batch, run_on_executor, run_on_threads, ship
from ..connection import Connection
from ..exceptions import HcpsdkStatusError
from ..target import Target
from ._wire import encode
from .copy import copy
from .walk import walk

__all__ = ["copy_tree", "CopyResult", "CopyReport", "DEFAULT_WORKERS", "LISTERS"]

log = logging.getLogger(__name__)

#: Parallel copies (threads with a Connection each) when the caller does not say.
DEFAULT_WORKERS = 8
#: Connections that list the source tree (:func:`walk`), at most ``workers`` of them.
LISTERS = 4

_CALL = "copy_tree"
_REST = "/rest"

#: ``(source path, destination path)``: one copy to make.
Job = tuple[str, str]
#: What a worker sends back per copy: ``(status, version id, hash, node, seconds, error)``.
Outcome = tuple[int | None, int | None, str | None, str | None, float, str | None]


@dataclass(slots=True)
class CopyResult:
    """What happened to one object of :func:`copy_tree`.

    .. versionadded:: 1.0
    """

    #: The object copied (plain text, ``/rest/...``).
    source: str
    #: Where the copy went.
    destination: str
    #: The HTTP status of the copy's PUT (``None`` when no answer came).
    status: int | None = None
    #: The copy's version id (``X-HCP-VersionId``).
    version_id: int | None = None
    #: The copy's hash in upper-case hex (``X-HCP-Hash``; the source's data, so its hash).
    hash_value: str | None = None
    #: The node address that made the copy.
    node: str | None = None
    #: Seconds the copy took.
    seconds: float = 0.0
    #: ``None``, or why the object was not copied.
    error: str | None = None

    @property
    def ok(self) -> bool:
        """``True`` when the object was copied."""
        return self.error is None


@dataclass
class CopyReport:
    """The :class:`CopyResult` of every object, sorted by source path.

    It iterates, indexes and counts like the list :attr:`results`.

    .. versionadded:: 1.0
    """

    #: One result per object of the source tree.
    results: list[CopyResult] = field(default_factory=list)
    #: Wall-clock seconds of the copies (the listing not included).
    seconds: float = 0.0

    def __iter__(self) -> Iterator[CopyResult]:
        return iter(self.results)

    def __len__(self) -> int:
        return len(self.results)

    def __getitem__(self, index: int) -> CopyResult:
        return self.results[index]

    @property
    def failed(self) -> list[CopyResult]:
        """The results of the objects that were not copied."""
        return [r for r in self.results if r.error is not None]

    @property
    def succeeded(self) -> list[CopyResult]:
        """The results of the objects that were copied."""
        return [r for r in self.results if r.error is None]


def _directory(name: str, value: Any) -> str:
    """``value`` as a directory path without a trailing ``/``: ``/rest`` or below it."""
    if not isinstance(value, str):
        raise wrong_type(_CALL, name, "a directory path '/rest/...'", value)
    encode(_CALL, value, name)
    path = value.rstrip("/")
    if path != _REST and not path.startswith(_REST + "/"):
        raise bad_value(_CALL, name, "a directory path '/rest/...'", value)
    return path


def _namespace(target: Target, source_target: Target | None) -> str | None:
    """The source's ``<ns>.<tenant>`` when it is not ``target``'s namespace."""
    if source_target is None or source_target.fqdn == target.fqdn:
        return None
    ns, _, rest = source_target.fqdn.partition(".")
    if rest != target.fqdn.partition(".")[2]:
        raise bad_value(_CALL, "source_target", f"a Target of a namespace of the tenant of "
                        f"{target.fqdn} (HCP copies inside a tenant only)", source_target)
    return f"{ns}.{rest.partition('.')[0]}"


def copy_tree(target: Target, source: str, destination: str, *,
              workers: int = DEFAULT_WORKERS,
              executor: concurrent.futures.Executor | None = None, metadata: bool = True,
              overwrite: bool = True, source_target: Target | None = None,
              progress: Callable[[CopyResult, int, int], Any] | None = None,
              connection_args: dict[str, Any] | None = None) -> CopyReport:
    """Copy every object below the directory ``source`` to ``destination``, inside HCP.

    The requests::

        GET /rest/<source>/<dir>                  a listing of each directory (walk)
        PUT /rest/<destination>/<relative path>   one server-side copy per object
        X-HCP-CopySource: <ns>.<tenant>/<source path>
        X-HCP-MetadataDirective: ALL | NONE
        (If-None-Match: * with overwrite=False)

    The tree is listed first, in this process, over a few Connections to the source
    (:func:`walk`); then each object is copied by HCP (:func:`copy`) to the same path
    relative to ``destination``: ``/rest/a/x/y.txt`` copied from ``/rest/a`` to ``/rest/b``
    becomes ``/rest/b/x/y.txt``. HCP makes the directories as the objects arrive (empty
    directories are not copied, nor are symbolic links). A copy that fails is recorded in
    its :class:`CopyResult`, never raised, and the others go on.

    The copies run on ``workers`` threads, each with its own Connection, or on
    ``executor``: any :class:`concurrent.futures.Executor` — a ``ThreadPoolExecutor``
    (sharing ``target``), a ``ProcessPoolExecutor`` or a Dask cluster's
    ``distributed.Client.get_executor()``. The objects then go out in batches, each
    with a pickle of ``target`` (credentials included), and run on a Connection that
    the worker keeps for its next batch.

    :param target: the Target of the destination's namespace (it makes the copies)
    :param source: the directory to copy, ``/rest/...``, plain text
    :param destination: the directory to copy into, ``/rest/...``, plain text (it need
        not exist); not inside ``source`` when both are in the same namespace
    :param workers: parallel copies: threads, each with its own Connection; with an
        ``executor``, the parallelism it offers (the objects go out in about
        ``workers`` × 4 batches of at least :data:`hcpsdk.ingest.MIN_BATCH` objects,
        while there are enough for every worker)
    :param executor: a :class:`concurrent.futures.Executor` to run the batches on;
        ``None``: ``workers`` threads of this process. A batch the executor loses (its
        worker died) fails its objects; the other batches go on
    :param metadata: copy each object's annotations too (``ALL``); ``False``: data only
    :param overwrite: ``False``: copy an object only where the destination has none
        (``If-None-Match: *``; HCP refuses the others with ``412``, each a failed result)
    :param source_target: a Target of the source's namespace when it is another namespace
        of ``target``'s tenant (it lists the tree); ``None``: ``target``'s namespace
    :param progress: called as ``progress(result, done, total)`` after each object,
        from the worker threads (with an ``executor``: the caller's thread, as batches
        come back) but never by two at once; an exception it raises stops the run (no new
        copy or batch is started) and is raised by :func:`copy_tree`
    :param connection_args: keyword arguments for each :class:`hcpsdk.Connection`
        (``timeout``, ``retries``, ...), for the listing and the copies
    :returns: a :class:`CopyReport`: one :class:`CopyResult` per object, by source path
    :raises HcpsdkTypeError: an argument of the wrong type, or a Target that can't be
        pickled for an executor of other processes (one made with an ``sslcontext``)
    :raises HcpsdkArgumentError: a path not under ``/rest``, ``destination`` inside
        ``source``, ``workers`` below 1, a ``source_target`` of another tenant
    :raises HcpsdkNotFoundError: ``source`` does not exist
    :raises HcpsdkStatusError: a listing failed (nothing was copied)

    .. versionadded:: 1.0
    """
    of_type(_CALL, "target", target, Target, "an hcpsdk.Target", optional=False)
    of_type(_CALL, "source_target", source_target, Target, "None or an hcpsdk.Target")
    source = _directory("source", source)
    destination = _directory("destination", destination)
    namespace = _namespace(target, source_target)
    if namespace is None and (destination + "/").startswith(source + "/"):
        raise bad_value(_CALL, "destination", f"a directory outside {source}", destination)
    integer(_CALL, "workers", workers, 1)
    of_type(_CALL, "executor", executor, concurrent.futures.Executor,
            "None or a concurrent.futures.Executor")
    for name, value in (("metadata", metadata), ("overwrite", overwrite)):
        if not isinstance(value, bool):
            raise wrong_type(_CALL, name, "True or False", value)
    if progress is not None and not callable(progress):
        raise wrong_type(_CALL, "progress", "None or a callable", progress)
    of_type(_CALL, "connection_args", connection_args, dict, "None or a dict")
    kwargs = dict(connection_args or {})
    # pickled before anything is sent: a Target that can't be fails at once
    shipped: Shipped = target if executor is None else ship(target, executor)

    jobs = _list(source_target or target, source, destination, min(workers, LISTERS), kwargs)
    report = CopyReport([CopyResult(s, d) for s, d in jobs])
    total = len(jobs)
    options = (metadata, namespace, overwrite)
    done = itertools.count(1)

    def record(index: int, outcome: Outcome) -> None:
        result = report.results[index]
        _fill(result, outcome)
        if progress is not None:
            progress(result, next(done), total)

    def work(con: Connection, index: int) -> None:
        _fill(report.results[index], _copy_one(con, jobs[index], options))

    def finished(index: int, count: int) -> None:
        if progress is not None:
            progress(report.results[index], count, total)

    start = time.perf_counter()
    if executor is None:
        run_on_threads(_CALL, target, total, workers, kwargs, work,
                       None if progress is None else finished)
    else:
        run_on_executor(_CALL, executor, shipped, jobs, workers, _run_batch,
                        (options, kwargs), _lost, record)
    report.seconds = time.perf_counter() - start
    log.debug("copy_tree %s -> %s: %d objects, %d failed, %.3f s", source, destination,
              total, len(report.failed), report.seconds)
    return report


def _list(target: Target, source: str, destination: str, count: int,
          connection_args: dict[str, Any]) -> list[Job]:
    """Every object below ``source`` with its destination path, sorted by source path."""
    connections = [Connection(target, **connection_args) for _ in range(count)]
    try:
        jobs = [(entry.path, destination + entry.path[len(source):])
                for _, _, entries in walk(connections, source)
                for entry in entries if entry.type == "object"]
    finally:
        for connection in connections:
            connection.close()
    jobs.sort()
    return jobs


def _fill(result: CopyResult, outcome: Outcome) -> None:
    (result.status, result.version_id, result.hash_value, result.node, result.seconds,
     result.error) = outcome


def _lost(error: str) -> Outcome:
    return (None, None, None, None, 0.0, error)


def _copy_one(con: Connection, job: Job, options: tuple[bool, str | None, bool]) -> Outcome:
    """Copy one object; a failure, whatever it is, becomes the outcome's error."""
    metadata, namespace, overwrite = options
    source, destination = job
    start = time.perf_counter()
    status: int | None = None
    try:
        stored = copy(con, source, destination, metadata=metadata, source_namespace=namespace,
                      if_none_match=None if overwrite else "*")
        return (con.response_status, stored.version_id, stored.hash_value, con.address,
                time.perf_counter() - start, None)
    except HcpsdkStatusError as exc:
        status, error = exc.status, str(exc)
    except Exception as exc:  # one object's failure must not end the run
        error = f"{type(exc).__name__}: {exc}"
    log.warning("copy_tree %s -> %s failed: %s", source, destination, error)
    return (status, None, None, con.address, time.perf_counter() - start, error)


def _run_batch(shipped: Shipped, batch: list[Job],
               options: tuple[tuple[bool, str | None, bool], dict[str, Any]]) -> list[Outcome]:
    """Copy one batch (in a worker)."""
    copying, connection_args = options
    return run_batch(_CALL, shipped, connection_args, batch,
                     lambda con, job: _copy_one(con, job, copying), _lost)
