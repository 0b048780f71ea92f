#!/usr/bin/env python3
"""fsspec and Dask against the plain SDK: ``python3 bench/fs_bench.py [--quick]``.

The emulator runs in its own process (``python -m hcpsdk.emulator --json``, plain
HTTP, 4 nodes); both clients of a row run in this process, alternately, and a
ratio is the median of the ratios of the same round. Rows:

* ``fs.cat_file`` of 1 KiB objects against ``Connection.GET`` + ``read()`` (ops/s);
* ``fs.open().read()`` and ``fs.get_file`` of a 1 GiB object against a
  ``Connection`` GET streamed into a file in 1 MiB blocks (MiB/s). The read goes in
  parts side by side (the filesystem's default ``read_concurrency``, printed with the
  row). For information, ``fs.open().read()`` with ``read_concurrency=1`` against a
  ``Connection`` GET read into memory with one ``read(size)`` — the same work, so that
  row shows what fsspec's layer costs;
* ``ingest`` of 2,000 small files on a Dask ``LocalCluster`` (2 worker processes ×
  4 threads) against the threaded ``ingest`` with 8 workers (files/s). The
  cluster is started once, before the rounds.

Prints a Markdown report (``--markdown FILE`` also writes it to FILE).
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))

import hcpsdk  # noqa: E402
from hcpsdk.ingest import ingest  # noqa: E402

MiB = 1 << 20


def start_emulator() -> tuple[subprocess.Popen[str], dict]:
    proc = subprocess.Popen([sys.executable, "-m", "hcpsdk.emulator", "--no-tls", "--json"],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONPATH": os.path.dirname(HERE)})
    assert proc.stdout is not None
    info = json.loads(proc.stdout.readline())
    return proc, info


def make_target(info: dict) -> hcpsdk.Target:
    import dns.resolver

    resolver = dns.resolver.Resolver(configure=False)
    resolver.nameservers = [info["dns"][0]]
    resolver.port = info["dns"][1]
    return hcpsdk.Target(info["fqdn"], hcpsdk.NativeAuthorization(info["user"], info["password"]),
                         port=info["http_port"], tls=False, resolver=resolver)


def rounds(count: int, base: Callable[[], float], other: Callable[[], float]
           ) -> tuple[list[float], list[float]]:
    """Alternate the two (the order switching each round); rates of each."""
    a, b = [], []
    for i in range(count):
        if i % 2:
            b.append(other())
            a.append(base())
        else:
            a.append(base())
            b.append(other())
    return a, b


def row(name: str, unit: str, a: list[float], b: list[float], target: float | None) -> str:
    """A report line; ``target`` None: a row for information (no target)."""
    ratio = statistics.median(y / x for x, y in zip(a, b, strict=True))
    if target is None:
        verdict = "(information)"
    else:
        verdict = f"≥ {target} " + ("met" if ratio >= target else "MISSED")
    return (f"| {name} | {statistics.median(a):,.0f} {unit} | {statistics.median(b):,.0f} {unit} "
            f"| {ratio:.2f} | {verdict} |")


def small_row(target: hcpsdk.Target, fs: object, ops: int, count: int) -> str:
    paths = [f"/rest/bench-small/o{i}" for i in range(100)]
    with hcpsdk.Connection(target) as con:
        for path in paths:
            con.PUT(path, b"x" * 1024)
            con.read()

    def plain() -> float:
        with hcpsdk.Connection(target) as con:
            start = time.perf_counter()
            for i in range(ops):
                con.GET(paths[i % 100])
                con.read()
            return ops / (time.perf_counter() - start)

    def fsspec_() -> float:
        start = time.perf_counter()
        for i in range(ops):
            fs.cat_file(paths[i % 100])  # type: ignore[attr-defined]
        return ops / (time.perf_counter() - start)

    return row("fs.cat_file 1 KiB vs Connection.GET+read", "ops/s",
               *rounds(count, plain, fsspec_), 0.85)


def large_rows(target: hcpsdk.Target, fs: object, size: int, count: int, work: str
               ) -> list[str]:
    import fsspec

    path = "/rest/bench-large/object"
    block = os.urandom(MiB)
    with fs.open(path, "wb", block_size=8 * MiB) as f:  # type: ignore[attr-defined]
        for _ in range(size // MiB):
            f.write(block)
    out = os.path.join(work, "download")

    def plain() -> float:
        with hcpsdk.Connection(target) as con, open(out, "wb") as f:
            start = time.perf_counter()
            con.GET(path)
            while data := con.read(MiB):
                f.write(data)
            return size / MiB / (time.perf_counter() - start)

    def fs_read(fs: object = fs) -> float:
        start = time.perf_counter()
        with fs.open(path, "rb") as f:  # type: ignore[attr-defined]
            data = f.read()
        seconds = time.perf_counter() - start
        # the object is in memory: releasing it is not part of the read, as truncating
        # the file of the last round is not part of the baseline (opened before its clock)
        assert len(data) == size
        del data
        return size / MiB / seconds

    one_request = fsspec.filesystem("hcp", target=target, read_concurrency=1)

    def in_memory() -> float:
        with hcpsdk.Connection(target) as con:
            start = time.perf_counter()
            con.GET(path)
            data = con.read(size)
            seconds = time.perf_counter() - start
            assert len(data) == size
            del data
            return size / MiB / seconds

    def fs_get() -> float:
        # the last round's file goes before the clock, as the baseline truncates it before
        if os.path.exists(out):
            os.unlink(out)
        start = time.perf_counter()
        fs.get_file(path, out)  # type: ignore[attr-defined]
        return size / MiB / (time.perf_counter() - start)

    label = f"{size // MiB} MiB" if size < 1 << 30 else f"{size >> 30} GiB"
    parts = fs.read_concurrency  # type: ignore[attr-defined]
    return [row(f"fs.open().read() {label} (read_concurrency={parts}) vs Connection GET "
                "into a file", "MiB/s", *rounds(count, plain, fs_read), 0.9),
            row(f"fs.open().read() {label} (read_concurrency=1) vs Connection GET "
                "read(size) into memory", "MiB/s",
                *rounds(count, in_memory, lambda: fs_read(one_request)), None),
            row(f"fs.get_file {label} vs Connection GET into a file", "MiB/s",
                *rounds(count, plain, fs_get), 0.9)]


def ingest_row(target: hcpsdk.Target, files: int, count: int, work: str) -> str:
    import distributed

    names = []
    for i in range(files):
        name = os.path.join(work, f"f{i:05}")
        with open(name, "wb") as f:
            f.write(b"%05d" % i * 800)
        names.append(name)
    runs = iter(range(1 << 30))

    def threaded() -> float:
        report = ingest(target, names, workers=8, destination=f"/rest/bench-ingest/t{next(runs)}")
        assert not report.failed
        return files / report.seconds

    with distributed.LocalCluster(n_workers=2, threads_per_worker=4, processes=True,
                                  dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        executor = client.get_executor()

        def dask() -> float:
            report = ingest(target, names, workers=8, executor=executor,
                            destination=f"/rest/bench-ingest/d{next(runs)}")
            assert not report.failed
            return files / report.seconds

        dask()  # the workers import hcpsdk once
        return row(f"ingest {files} files, Dask 2 workers x 4 threads vs 8 threads",
                   "files/s", *rounds(count, threaded, dask), 0.8)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small counts, seconds")
    parser.add_argument("--markdown", help="also write the report to this file")
    args = parser.parse_args()
    import fsspec

    import hcpsdk.fs  # noqa: F401

    proc, info = start_emulator()
    try:
        target = make_target(info)
        fs = fsspec.filesystem("hcp", target=target)
        with tempfile.TemporaryDirectory(dir="/dev/shm" if os.path.isdir("/dev/shm") else None
                                         ) as work:
            lines = [f"# hcpsdk fsspec/Dask bench ({'quick' if args.quick else 'full'} mode)",
                     "", "| row | baseline | fsspec / Dask | ratio | target |",
                     "| --- | --- | --- | --- | --- |",
                     # many short rounds: the machine's speed drifts over seconds, and
                     # each round's ratio compares two runs made side by side
                     small_row(target, fs, 100 if args.quick else 600, 5 if args.quick else 25),
                     *large_rows(target, fs, 64 * MiB if args.quick else 1 << 30,
                                 3 if args.quick else 9, work),
                     ingest_row(target, 200 if args.quick else 2000, 3 if args.quick else 9,
                                work)]
    finally:
        proc.terminate()
        proc.wait(30)
    report = "\n".join(lines)
    print(report)
    if args.markdown:
        with open(args.markdown, "w") as f:
            f.write(report + "\n")


if __name__ == "__main__":
    main()
