"""hcpsdk.ingest — store many files in parallel over all nodes of a Target.

HCP ingests fastest with many persistent connections spread over all its nodes
("Coding for HCP"). :func:`ingest` does exactly that: ``workers`` threads, each
with its own :class:`hcpsdk.Connection`, take the next file from a shared list
and PUT it. The Connections take their node from the Target's round-robin
address pool when they connect, so ``workers`` Connections over ``n`` nodes
land evenly (8 workers over 4 nodes: two per node). Every file gets an
:class:`IngestResult`; a file that fails is recorded, never raised, and the run
goes on with the next one::

    import hcpsdk
    from hcpsdk.ingest import ingest
    from hcpsdk.pathbuilder import PathBuilder

    report = ingest(target, ['/data/a.pdf', '/data/b.pdf'], workers=8,
                    pathbuilder=PathBuilder('/rest/archive'))
    for result in report.failed:
        print(result.source, result.error)

Any :class:`concurrent.futures.Executor` can do the work instead of the threads
(``executor=``): a ``ProcessPoolExecutor``, or a Dask cluster's
``distributed.Client.get_executor()``. The files then go out in batches; each
batch travels to a worker with the pickled Target (credentials included) and
runs on a Connection that the worker keeps for the next batch of the same
Target. Local file names must be readable where the workers run.

.. versionadded:: 1.0
"""
from __future__ import annotations

import concurrent.futures
import hashlib
import itertools
import logging
import os
import time
from collections.abc import Callable, Iterable
from typing import Any

from . import _executors
from ._check import of_type
from ._executors import Shipped, run_batch, run_on_executor, run_on_threads, ship
from .connection import Connection
from .pathbuilder import PathBuilder
from .target import Target

#: A file to store: its name, or ``(its name, the object path)``.
Source = str | os.PathLike[str] | tuple[Any, Any]
#: ``(source, object path, annotation or None)``: one file's plan.
Planned = tuple[Any, str, str | None]
#: What a worker sends back per file: ``(status, hash, node, size, seconds, error)``.
Outcome = tuple[int | None, str | None, str | None, int, float, str | None]

__all__ = ["ingest", "IngestResult", "IngestReport", "DEFAULT_WORKERS", "INLINE_LIMIT",
           "BATCHES_PER_WORKER", "MIN_BATCH"]

log = logging.getLogger(__name__)

#: Worker threads (= Connections) when the caller does not say.
DEFAULT_WORKERS = 8
#: Files up to this size are read into memory and sent with the request headers in one
#: write; larger files are streamed from the open file (rewound on a retry, never buffered).
INLINE_LIMIT = 1 << 20
#: With an executor: the files are cut into about this many batches per worker, so
#: that a slow batch does not hold up the end of the run.
BATCHES_PER_WORKER = _executors.BATCHES_PER_WORKER
#: With an executor: the fewest files a batch carries (unless a worker would get none),
#: so that the executor's own cost per task stays small beside the batch's work.
MIN_BATCH = _executors.MIN_BATCH

_OK = (200, 201)


class IngestResult:
    """What happened to one file.

    :ivar source: the local file (as given)
    :ivar path: the object's path on HCP as :meth:`hcpsdk.Connection.request` takes it
        (``/rest/...``; a ``%`` of the file's name appears as ``%25``)
    :ivar status: the HTTP status of the PUT (``None`` when no answer came)
    :ivar hash: HCP's ``X-HCP-Hash`` of the stored object (``None`` if not sent)
    :ivar node: the node address that answered
    :ivar size: bytes sent
    :ivar seconds: time the file took (read, PUT, annotation)
    :ivar error: ``None``, or why the file was not stored
    """

    __slots__ = ("source", "path", "status", "hash", "node", "size", "seconds", "error")

    def __init__(self, source: Any, path: str) -> None:
        self.source = source
        self.path = path
        self.status: int | None = None
        self.hash: str | None = None
        self.node: str | None = None
        self.size = 0
        self.seconds = 0.0
        self.error: str | None = None

    @property
    def ok(self) -> bool:
        """``True`` when the object was stored."""
        return self.error is None

    def __repr__(self) -> str:
        return "IngestResult(source={!r}, path={!r}, status={!r}, hash={!r}, node={!r}{})".format(
            self.source, self.path, self.status, self.hash, self.node,
            "" if self.error is None else f", error={self.error!r}")


class IngestReport(list[IngestResult]):
    """The :class:`IngestResult` of every file, in the order the files were given."""

    #: Wall-clock seconds of the whole run.
    seconds = 0.0

    @property
    def failed(self) -> list[IngestResult]:
        """The results of the files that were not stored."""
        return [r for r in self if r.error is not None]

    @property
    def succeeded(self) -> list[IngestResult]:
        """The results of the files that were stored."""
        return [r for r in self if r.error is None]

    @property
    def nodes(self) -> dict[str, int]:
        """Files stored per node address."""
        counts: dict[str, int] = {}
        for r in self:
            if r.node is not None and r.error is None:
                counts[r.node] = counts.get(r.node, 0) + 1
        return counts

    @property
    def bytes(self) -> int:
        """Bytes of all stored files."""
        return sum(r.size for r in self if r.error is None)


def _literal(name: str) -> str:
    """A name as :meth:`Connection.request`'s url takes it: every ``%`` is a percent sign.

    The url keeps an already-encoded ``%XX``; a file name is text, so a file called
    ``%41.txt`` must not become the object ``A.txt`` (and overwrite or collide with it).
    """
    return name.replace("%", "%25")


def _plan(files: Iterable[Source], destination: str, pathbuilder: PathBuilder | None
          ) -> list[Planned]:
    """``(source, object path as a url, annotation or None)`` for every file, before any I/O."""
    base = "/" + destination.strip("/") if destination.strip("/") else ""
    plan: list[Planned] = []
    for item in files:
        if isinstance(item, tuple):
            source, remote = item
            remote = _literal(str(remote))
            path = remote if remote.startswith("/") else f"{base}/{remote}"
            plan.append((source, path, None))
            continue
        name = _literal(os.path.basename(os.fspath(item)))
        if pathbuilder is None:
            plan.append((item, f"{base}/{name}", None))
            continue
        built = pathbuilder.getunique(os.path.basename(os.fspath(item)))
        plan.append((item, f"{built[0]}/{built[1]}",
                     built[2] if len(built) > 2 else None))
    return plan


def ingest(target: Target, files: Iterable[Source], *, workers: int = DEFAULT_WORKERS,
           destination: str = "/rest", pathbuilder: PathBuilder | None = None,
           progress: Callable[[IngestResult, int, int], Any] | None = None,
           headers: dict[str, str] | None = None, params: Any = None, verify: bool = False,
           connection_args: dict[str, Any] | None = None,
           executor: concurrent.futures.Executor | None = None) -> IngestReport:
    """PUT many files to ``target`` with ``workers`` parallel persistent Connections.

    :param target: the Target to store to (shared by all workers)
    :param files: local file names; a name is stored as ``destination/<its base name>``
        (or under a unique path of ``pathbuilder``); a ``(local name, object path)``
        tuple gives the path itself (relative paths are put under ``destination``).
        Base names and tuple object paths are literal text: a ``%`` in them is a percent
        sign, never an escape (``%41.txt`` is stored as ``%41.txt``, not ``A.txt``)
    :param workers: number of threads, each with its own Connection; with an
        ``executor``, the parallelism it offers (the files go out in about
        ``workers`` × :data:`BATCHES_PER_WORKER` batches of at least :data:`MIN_BATCH`
        files, while there are enough for every worker)
    :param destination: the folder for files given by name only (``/rest/...``), a url
        as :meth:`hcpsdk.Connection.request` takes it
    :param pathbuilder: a :class:`hcpsdk.pathbuilder.PathBuilder`; when given, every
        file given by name gets a unique path from it, and, if it makes annotations,
        its annotation is stored as the object's custom metadata
    :param progress: called as ``progress(result, done, total)`` after each file, from
        the worker threads (with an ``executor``: the caller's thread, as batches come
        back) but never by two at once; an exception it raises stops the run (no new
        file or batch is started) and is raised by :func:`ingest`
    :param headers: extra headers for every PUT (the dict is not changed)
    :param params: query parameters for every PUT (e.g. ``{'retention': 'A+1y'}``)
    :param verify: compare each file's own hash with the ``X-HCP-Hash`` HCP answered
        (large files are read a second time for it); a difference, or no hash to compare
        with, is that file's error
    :param connection_args: keyword arguments for each :class:`hcpsdk.Connection`
        (``timeout``, ``retries``, ...)
    :param executor: a :class:`concurrent.futures.Executor` to run the batches on
        (threads, processes, ``distributed.Client.get_executor()``); ``None``: ``workers``
        threads of this process. A batch the executor loses (its worker died) fails its
        files; the other batches go on
    :returns: an :class:`IngestReport` with one :class:`IngestResult` per file, in order
    :raises ValueError: ``workers`` is less than 1
    :raises hcpsdk.pathbuilder.PathBuilderError: a file name the PathBuilder refuses
    :raises HcpsdkTypeError: ``executor`` is no Executor, or the Target can't be pickled
        for one that runs in other processes (a Target made with an ``sslcontext``)

    .. versionadded:: 1.0 ``executor``.
    """
    if workers < 1:
        raise ValueError(f"workers must be at least 1, not {workers!r}")
    of_type("ingest", "executor", executor, concurrent.futures.Executor,
            "None or a concurrent.futures.Executor")
    plan = _plan(files, destination, pathbuilder)
    report = IngestReport(IngestResult(source, path) for source, path, _ in plan)
    total = len(plan)
    done = itertools.count(1)

    def record(index: int, outcome: Outcome) -> None:
        result = report[index]
        (result.status, result.hash, result.node, result.size, result.seconds,
         result.error) = outcome
        if progress is not None:
            progress(result, next(done), total)

    def work(con: Connection, index: int) -> None:
        _store(con, plan[index], report[index], headers, params, verify)

    def finished(index: int, count: int) -> None:
        if progress is not None:
            progress(report[index], count, total)

    start = time.perf_counter()
    if executor is not None:
        run_on_executor("ingest", executor, ship(target, executor), plan, workers, _run_batch,
                        (headers, params, verify, dict(connection_args or {})), _lost, record)
    else:
        run_on_threads("ingest", target, total, workers, dict(connection_args or {}), work,
                       None if progress is None else finished)
    report.seconds = time.perf_counter() - start
    log.debug("ingest: %d files, %d failed, %.3f s", total, len(report.failed), report.seconds)
    return report


def _lost(error: str) -> Outcome:
    return (None, None, None, 0, 0.0, error)


def _run_batch(shipped: Shipped, batch: list[Planned], options: tuple[Any, ...]
               ) -> list[Outcome]:
    """Store one batch (in a worker): ``(status, hash, node, size, seconds, error)`` each."""
    headers, params, verify, connection_args = options

    def one(con: Connection, planned: Planned) -> Outcome:
        result = IngestResult(planned[0], planned[1])
        _store(con, planned, result, headers, params, verify)
        return (result.status, result.hash, result.node, result.size, result.seconds,
                result.error)

    return run_batch("ingest", shipped, connection_args, batch, one, _lost)


def _store(con: Connection, planned: Planned, result: IngestResult,
           headers: dict[str, str] | None, params: Any, verify: bool) -> None:
    """PUT one file (and its annotation); record the outcome in ``result``."""
    source, path, annotation = planned
    start = time.perf_counter()
    try:
        # unbuffered: a small file is one read() into the body, a large one goes out in
        # blocks (or by sendfile) straight from the file
        with open(source, "rb", buffering=0) as f:
            size = os.fstat(f.fileno()).st_size
            body = f.read(size) if size <= INLINE_LIMIT else f
            response = con.PUT(path, body, params=params, headers=headers)
            result.size = size
            result.status = response.status
            result.node = con.address
            result.hash = response.getheader("X-HCP-Hash")
            if response.status not in _OK:
                result.error = _refusal("PUT", path, con, response)
            elif verify:
                result.error = _mismatch(result.hash, body if body is not f else f, path)
        if result.error is None and annotation is not None:
            meta = con.PUT(path, annotation, params={"type": "custom-metadata"})
            if meta.status not in _OK:
                result.error = _refusal("PUT custom-metadata of", path, con, meta)
    except Exception as exc:  # one file's failure, whatever it is, must not end the run
        result.error = f"{type(exc).__name__}: {exc}"
        if result.node is None:
            result.node = con.address
    result.seconds = time.perf_counter() - start
    if result.error is not None:
        log.warning("ingest %s -> %s failed: %s", source, path, result.error)


def _mismatch(hcp_hash: str | None, body: Any, path: str) -> str | None:
    """``None`` when ``body`` (bytes, or a file read again from its start) has HCP's hash."""
    if not hcp_hash:
        return f"PUT {path}: no X-HCP-Hash in the answer to verify the content against"
    scheme, _, expected = hcp_hash.partition(" ")
    try:  # HCP's names (SHA-256, MD5, RIPEMD-160, ...) are hashlib's without the dash
        hasher = hashlib.new(scheme.replace("-", "").lower())
    except ValueError:
        return f"PUT {path}: can't verify a {scheme} hash"
    if isinstance(body, bytes):
        hasher.update(body)
    else:
        body.seek(0)
        for block in iter(lambda: body.read(INLINE_LIMIT), b""):
            hasher.update(block)
    actual = hasher.hexdigest().upper()
    if actual != expected.strip().upper():
        return f"PUT {path}: HCP stored content with {scheme} {expected.strip()}, the file has {actual}"
    return None


def _refusal(action: str, path: str, con: Connection, response: Any) -> str:
    return "{} {} on node {}: {} {} ({})".format(
        action, path, con.address, response.status, response.reason,
        response.getheader("X-HCP-ErrorMessage", "no message"))
