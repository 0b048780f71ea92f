"""Executors for the scale-out tests of ingest, copy_tree and walk (imported by name, like
``shared_support``): a Dask cluster of two worker processes, and executors that run each
task at once in the caller, optionally losing one batch as when a worker process dies.
"""
from __future__ import annotations

import concurrent.futures
import concurrent.futures.process
import contextlib
from collections.abc import Iterator
from typing import Any

import pytest


@contextlib.contextmanager
def dask_client() -> Iterator[Any]:
    """A ``distributed.Client`` of a local cluster of two worker processes of two threads.

    Skips the test when the extra ``hcpsdk[dask]`` is not installed.
    """
    distributed = pytest.importorskip(
        "distributed", reason="the extra hcpsdk[dask] is not installed "
                              "(python3 -m pip install 'hcpsdk[dask]')")
    import dask

    # the machine may be busy: Dask's default 30 s would cut a slow start short
    with dask.config.set({"distributed.comm.timeouts.connect": "120s",
                          "distributed.comm.timeouts.tcp": "120s"}), \
            distributed.LocalCluster(n_workers=2, threads_per_worker=2, processes=True,
                                     dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        client.wait_for_workers(2, timeout=120)
        yield client


class Inline(concurrent.futures.Executor):
    """An executor that is no thread pool (the Target goes pickled, as to processes) and
    runs each task at once; with ``lose=n`` its n-th task is lost as if its worker died."""

    def __init__(self, lose: int | None = None) -> None:
        self.lose = lose
        self.tasks = 0

    def submit(self, fn, /, *args, **kwargs):
        self.tasks += 1
        future: concurrent.futures.Future[Any] = concurrent.futures.Future()
        if self.tasks == self.lose:
            future.set_exception(concurrent.futures.process.BrokenProcessPool("worker died"))
            return future
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as exc:
            future.set_exception(exc)
        return future


class BytesOnly(Inline):
    """An :class:`Inline` executor that takes a task only as one ``bytes`` argument and a
    result only as ``bytes``, as the scale-out helpers send their batches to an executor of
    other processes (one pickle each way); anything else fails the task with a TypeError."""

    def submit(self, fn, /, *args, **kwargs):
        if kwargs or len(args) != 1 or type(args[0]) is not bytes:
            raise TypeError(f"a task of {fn.__name__} with arguments other than one bytes: "
                            f"{[type(a).__name__ for a in args]}")

        def checked():
            result = fn(*args)
            if type(result) is not bytes:
                raise TypeError(f"{fn.__name__} returned a {type(result).__name__}, not bytes")
            return result

        return super().submit(checked)
