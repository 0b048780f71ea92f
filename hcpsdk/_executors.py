"""Running many small jobs against one Target: on threads of their own, or on any Executor.

Two ways, shared by :func:`hcpsdk.ingest.ingest` and :func:`hcpsdk.objects.copy_tree`:

* :func:`run_on_threads` starts ``workers`` threads, each with its own
  :class:`~hcpsdk.Connection`, that take the next job from a shared counter — no batching,
  so a slow job never holds up others waiting behind it.
* :func:`run_on_executor` cuts the jobs into batches (about :data:`BATCHES_PER_WORKER`
  per worker, at least :data:`MIN_BATCH` jobs each) and submits each to a
  :class:`concurrent.futures.Executor` with the Target: the Target itself to a
  ``ThreadPoolExecutor``, a pickle of it to anything else (processes, a Dask cluster).
  In the worker, :func:`run_batch` unpickles a Target once per process and keeps one
  Connection per thread for the next batch of the same Target. A batch the executor
  loses (its worker process died) fails its jobs, never the run.

Between processes a task travels as one pickle and its result comes back as one
(:func:`submit`, :func:`result`): a batch's jobs and outcomes are lists of many small
tuples, and an executor like Dask's looks into every element of a task's arguments and
result (for keys of its own, and to size the data) where it passes a ``bytes`` on as it
is. Measured on a Dask cluster of 2 workers x 4 threads on 2 cores, 8 batches of 250
jobs each took 32-38 ms in scheduling and transport with lists, 7-14 ms as pickles.

The function a batch runs must be a module-level function (a process pool pickles it by
name); what it does per job is handed to :func:`run_batch` inside the worker.
"""
from __future__ import annotations

import concurrent.futures
import itertools
import logging
import pickle
import threading
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from .connection import Connection
from .target import Target

__all__ = ["Shipped", "BATCHES_PER_WORKER", "MIN_BATCH", "ship", "batch_size", "run_on_threads",
           "run_on_executor", "run_batch", "submit", "result", "worker_connection"]

log = logging.getLogger(__name__)

#: A Target as it travels to a worker: itself (a thread pool) or its pickle.
Shipped = Target | bytes

#: With an executor: the jobs are cut into about this many batches per worker, so that a
#: slow batch does not hold up the end of the run.
BATCHES_PER_WORKER = 4
#: The fewest jobs a batch carries, unless that would leave a worker without a batch: an
#: executor's fixed cost per task (on Dask about a millisecond: scheduling, shipping the
#: batch and its outcomes) must stay small beside the work the task carries. Measured
#: with 2,000 small files on a Dask cluster of 2 workers x 4 threads on 2 cores: batches
#: of 63 files reached 0.75x the files/s of 8 threads, batches of 250 0.95x.
MIN_BATCH = 250

Job = TypeVar("Job")
Outcome = TypeVar("Outcome")


def ship(target: Target, executor: concurrent.futures.Executor) -> Shipped:
    """``target`` as it goes to ``executor``'s workers.

    A thread pool shares this process's Target (its resolved addresses and DNS cache);
    every other executor gets a pickle, made once for all batches.

    :raises HcpsdkTypeError: the Target can't be pickled (it was made with an ``sslcontext``)
    """
    if isinstance(executor, concurrent.futures.ThreadPoolExecutor):
        return target
    return pickle.dumps(target)


def batch_size(total: int, workers: int) -> int:
    """Jobs per batch: ``total`` cut into about ``workers`` × :data:`BATCHES_PER_WORKER`,
    each of at least :data:`MIN_BATCH` jobs while every worker still gets a batch."""
    balanced = -(-total // (workers * BATCHES_PER_WORKER))
    one_each = -(-total // workers)
    return max(1, balanced, min(MIN_BATCH, one_each))


def run_on_threads(call: str, target: Target, total: int, workers: int,
                   connection_args: dict[str, Any], work: Callable[[Connection, int], None],
                   finished: Callable[[int, int], Any] | None) -> None:
    """Do jobs ``0 .. total-1`` on ``workers`` threads, each with a Connection of its own.

    :param call: names the threads (``hcpsdk-<call>-<n>``)
    :param work: ``work(connection, index)`` does one job; it must not raise
    :param finished: ``finished(index, done)`` after each job, by one thread at a time;
        an exception it raises stops the run (no new job is started) and is raised here
    """
    counter = itertools.count()
    done = itertools.count(1)
    stop: list[BaseException] = []
    lock = threading.Lock()

    def worker() -> None:
        with Connection(target, **connection_args) as con:
            for index in iter(counter.__next__, None):
                if index >= total or stop:
                    return
                work(con, index)
                if finished is not None:
                    with lock:
                        if stop:
                            return
                        try:
                            finished(index, next(done))
                        except BaseException as exc:  # the caller's; raised after the join
                            stop.append(exc)
                            return

    threads = [threading.Thread(target=worker, name=f"hcpsdk-{call}-{i}", daemon=True)
               for i in range(min(workers, total))]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    except BaseException as exc:  # e.g. Ctrl-C in the caller: no worker starts another job
        stop.append(exc)
        raise
    if stop:
        raise stop[0]


def run_on_executor(call: str, executor: concurrent.futures.Executor, shipped: Shipped,
                    jobs: Sequence[Job], workers: int,
                    task: Callable[[Shipped, list[Job], Any], list[Outcome]], options: Any,
                    lost: Callable[[str], Outcome],
                    record: Callable[[int, Outcome], Any]) -> None:
    """Run ``jobs`` in batches as ``task(shipped, batch, options)`` on ``executor``.

    :param shipped: the Target as :func:`ship` made it for ``executor`` (made by the
        caller before it sends anything: a Target that can't be pickled fails first)
    :param task: a module-level function (it may be pickled) returning one outcome per job
    :param lost: the outcome of each job of a batch the executor lost, from the reason
    :param record: ``record(index of the job, its outcome)``, in the calling thread as the
        batches come back; an exception it raises cancels the batches not yet started and
        is raised here
    """
    total = len(jobs)
    size = batch_size(total, workers)
    futures = {submit(executor, task, shipped, list(jobs[first:first + size]), options): first
               for first in range(0, total, size)}
    try:
        for future in concurrent.futures.as_completed(futures):
            first = futures[future]
            for offset, outcome in enumerate(
                    _outcomes(call, shipped, future, min(size, total - first), lost)):
                record(first + offset, outcome)
    except BaseException:  # the caller's record (its progress) or Ctrl-C: start no more
        for future in futures:
            future.cancel()
        raise


def _outcomes(call: str, shipped: Shipped, future: concurrent.futures.Future[Any], count: int,
              lost: Callable[[str], Outcome]) -> list[Outcome]:
    """A batch's outcomes; a batch the executor lost (a worker died) fails its jobs."""
    try:
        outcomes: list[Outcome] = result(shipped, future)
        return outcomes
    except Exception as exc:  # the executor's failure, not one of the jobs'
        error = f"the batch was lost: {type(exc).__name__}: {exc}"
        log.warning("%s: %s", call, error)
        return [lost(error) for _ in range(count)]


def submit(executor: concurrent.futures.Executor, task: Callable[..., Any], shipped: Shipped,
           *args: Any) -> concurrent.futures.Future[Any]:
    """Start ``task(shipped, *args)`` on ``executor``; :func:`result` gives what it returned.

    A thread pool (``shipped`` is the Target itself) gets the objects as they are; any
    other executor gets the call as one pickle, and the task's result comes back as one.

    :param task: a module-level function (it is pickled by name)
    """
    if isinstance(shipped, Target):
        return executor.submit(task, shipped, *args)
    return executor.submit(_pickled_call, pickle.dumps((task, shipped, args)))


def result(shipped: Shipped, future: concurrent.futures.Future[Any]) -> Any:
    """What the task of :func:`submit` returned (made with the same ``shipped``).

    :raises Exception: what the task raised, or the executor's failure (a lost worker)
    """
    if isinstance(shipped, Target):
        return future.result()
    return pickle.loads(future.result())


def _pickled_call(call: bytes) -> bytes:
    """In a worker: the call :func:`submit` pickled, its result pickled."""
    task, shipped, args = pickle.loads(call)
    return pickle.dumps(task(shipped, *args))


# In a worker: the Targets already unpickled (by their pickle) and each thread's
# Connections to them, so that consecutive batches reuse resolved names and sockets.
_worker_targets: dict[bytes, Target] = {}
_worker_local = threading.local()
_WORKER_TARGETS = 8


def worker_connection(shipped: Shipped, connection_args: dict[str, Any]) -> Connection:
    """This thread's Connection to the shipped Target (made on its first batch)."""
    if isinstance(shipped, Target):
        target = shipped
    else:
        found = _worker_targets.get(shipped)
        if found is None:
            if len(_worker_targets) >= _WORKER_TARGETS:
                _worker_targets.clear()
            found = _worker_targets[shipped] = pickle.loads(shipped)
        target = found
    connections: dict[int, Connection] | None = getattr(_worker_local, "connections", None)
    if connections is None:
        connections = _worker_local.connections = {}
    con = connections.get(id(target))
    if con is None or con.target is not target:
        con = connections[id(target)] = Connection(target, **connection_args)
    return con


def run_batch(call: str, shipped: Shipped, connection_args: dict[str, Any], batch: list[Job],
              one: Callable[[Connection, Job], Outcome], failed: Callable[[str], Outcome]
              ) -> list[Outcome]:
    """Do one batch in a worker: ``one(connection, job)`` for each job, in order.

    :param one: does one job and returns its outcome; it must not raise
    :param failed: the outcome of every job when the worker can't make its Connection
    """
    try:
        con = worker_connection(shipped, connection_args)
    except Exception as exc:  # e.g. the worker can't resolve the FQDN: every job fails
        error = f"{type(exc).__name__}: {exc}"
        log.warning("%s: a batch of %d failed in the worker: %s", call, len(batch), error)
        return [failed(error) for _ in batch]
    return [one(con, job) for job in batch]
