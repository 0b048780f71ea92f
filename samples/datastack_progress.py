#!/usr/bin/env python3
"""Progress of bulk ingest and file transfers: a bar on a terminal, plain lines elsewhere.

hcpsdk.ingest reports each stored file to a ``progress`` callback; the fsspec
filesystem (hcpsdk.fs, extra ``hcpsdk[fsspec]``) reports the bytes of put_file and
get_file to an fsspec callback. On a terminal with tqdm installed both draw a progress
bar; otherwise (a pipe, a log file, no tqdm) they print a line at every quarter.

    python3 samples/datastack_progress.py [--debug] [--files N] [...]
"""
import hashlib
import os
import sys
from pathlib import Path

from _common import (
    argument_parser,
    hcp_from_args,
    log,
    open_target,
    scratch_directory,
    start,
)
from fsspec.callbacks import Callback

import hcpsdk.fs
from hcpsdk.ingest import ingest

QUARTERS = (25, 50, 75, 100)


def tqdm_or_none():
    """tqdm's class when it is installed and the output is a terminal, else ``None``."""
    if not sys.stdout.isatty():
        return None
    try:
        from tqdm import tqdm
    except ImportError:
        return None
    return tqdm


class Quarters:
    """Plain progress lines: one at 25, 50, 75 and 100 percent."""

    def __init__(self, what: str, unit: str) -> None:
        self.what, self.unit, self.shown = what, unit, 0

    def show(self, done: int, total: int) -> None:
        while self.shown < len(QUARTERS) and done * 100 >= QUARTERS[self.shown] * total:
            log.info("%s: %3d%% (%d of %d %s)", self.what, QUARTERS[self.shown], done, total,
                     self.unit)
            self.shown += 1


class LineCallback(Callback):
    """An fsspec callback that prints :class:`Quarters` lines."""

    def __init__(self, what: str) -> None:
        super().__init__()
        self.lines = Quarters(what, "bytes")

    def call(self, *args, **kwargs) -> None:
        if self.size:
            self.lines.show(self.value, self.size)


def transfer_callback(what: str) -> Callback:
    """A bar (``TqdmCallback``) on a terminal with tqdm, else plain lines."""
    if tqdm_or_none() is not None:
        from fsspec.callbacks import TqdmCallback
        return TqdmCallback(tqdm_kwargs={"desc": what, "unit": "B", "unit_scale": True})
    return LineCallback(what)


def main() -> None:
    parser = argument_parser(__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=40, help="files to ingest (default 40)")
    args = start(parser)

    with hcp_from_args(args) as hcp, scratch_directory() as scratch:
        t = open_target(hcp)
        names = []
        for i in range(args.files):
            names.append(Path(scratch, f"scan-{i:03d}.txt"))
            names[-1].write_text(f"page {i}\n" * 100)

        bar_class = tqdm_or_none()
        bar = bar_class(total=len(names), desc="ingest", unit="file") if bar_class else None
        lines = Quarters("ingest", "files")

        def progress(result, done: int, total: int) -> None:
            if bar is not None:
                bar.update(1)
            else:
                lines.show(done, total)

        report = ingest(t, names, destination="/rest/hcpsdk/progress", progress=progress)
        if bar is not None:
            bar.close()
        log.info("%d files stored, %d failed", len(report.succeeded), len(report.failed))

        # a larger file through the fsspec filesystem, up and down again
        fs = hcpsdk.fs.HcpFileSystem(target=t, block_size=1 << 20)
        big = Path(scratch, "volume.bin")
        with big.open("wb") as f:
            for i in range(8):
                f.write(hashlib.sha256(b"%d" % i).digest() * (1 << 15))
        fs.put_file(str(big), "/rest/hcpsdk/progress/volume.bin",
                    callback=transfer_callback("upload"))
        copy = Path(scratch, "volume.copy")
        fs.get_file("/rest/hcpsdk/progress/volume.bin", str(copy),
                    callback=transfer_callback("download"))
        same = big.read_bytes() == copy.read_bytes()
        log.info("%s: %d bytes, the copy %s", fs.info("/rest/hcpsdk/progress/volume.bin")[
            "hash_scheme"], os.path.getsize(copy), "is identical" if same else "DIFFERS")
        fs.rm("/rest/hcpsdk/progress", recursive=True)


if __name__ == "__main__":
    main()
