#!/usr/bin/env python3
"""Bulk ingest with unique object names: pathbuilder paths, annotations, parallel workers.

Every file of a directory (by default: a few generated files) is stored under a unique
name made by hcpsdk.pathbuilder, together with an annotation (custom metadata) that
keeps its original file name. hcpsdk.ingest does the work: several threads, each with a
persistent Connection of its own, spread over the nodes of the HCP. At the end the
sample maps one unique name back to its path and reads the annotation to find the
original file name again.

    python3 samples/pathbuilder_ingest.py [--debug] [--source DIR] [--workers N] [...]
"""
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

import hcpsdk
from hcpsdk.ingest import ingest
from hcpsdk.pathbuilder import PathBuilder


def make_files(directory: str, count: int) -> list[Path]:
    """Create ``count`` small files to ingest."""
    files = []
    for i in range(count):
        path = Path(directory, f"report-{i:03d}.txt")
        path.write_text(f"quarterly report number {i}\n" * 50)
        files.append(path)
    return files


def progress(result, done: int, total: int) -> None:
    """Called by ingest() after every file, in the order the files are done."""
    log.debug("%d/%d done: %s", done, total, Path(result.source).name)


def main() -> None:
    parser = argument_parser(__doc__.splitlines()[0])
    parser.add_argument("--source", help="directory whose files are ingested "
                                         "(default: 12 generated files)")
    parser.add_argument("--workers", type=int, default=4,
                        help="parallel workers, each with a Connection (default 4)")
    parser.add_argument("--initialpath", default="/rest/hcpsdk/ingest",
                        help="where the unique paths start (default /rest/hcpsdk/ingest)")
    args = start(parser)

    with hcp_from_args(args) as hcp, scratch_directory() as scratch:
        files = sorted(p for p in Path(args.source).iterdir() if p.is_file()) if args.source \
            else make_files(scratch, 12)
        t = open_target(hcp)
        # annotation=True: each object also gets an annotation with its original name
        builder = PathBuilder(initialpath=args.initialpath, annotation=True)
        log.info("ingesting %d files with %d workers", len(files), args.workers)
        log.info("")

        report = ingest(t, files, workers=args.workers, pathbuilder=builder,
                        progress=progress)
        for result in report:        # in the order the files were given
            log.info("%-14s -> %s (%s, %s)", Path(result.source).name, result.path,
                     result.status, result.node)
        log.info("")
        log.info("%d files stored, %d failed, %d bytes in %.3f seconds", len(report.succeeded),
                 len(report.failed), report.bytes, report.seconds)
        log.info("files per node: %s", dict(sorted(report.nodes.items())))
        for result in report.failed:
            log.info("not stored: %s - %s", result.source, result.error)
        if report.failed:
            sys.exit("some files were not stored")

        # The unique name is all an application has to keep; the annotation tells the rest.
        name = report[0].path.rsplit("/", 1)[1]
        with hcpsdk.Connection(t) as c:
            # ingest() stores the annotation as the object's default annotation
            c.GET(builder.getpath(name), params={"type": "custom-metadata"})
            annotation = c.read().decode()
        log.info("")
        log.info("the annotation of %s tells where it came from:", name)
        for line in annotation.splitlines():
            log.info("%s", line)


if __name__ == "__main__":
    main()
