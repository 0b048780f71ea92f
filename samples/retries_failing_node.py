#!/usr/bin/env python3
"""Retries with a failing node: what a Connection does when HCP nodes misbehave.

Against the embedded emulator the sample injects faults into the node the Connection is
talking to — the node goes down, answers 503, resets an upload half-way, breaks a
download — and shows that every request still succeeds, retried on another node, with
the objects stored exactly once and with the right content. The SDK logs each retry
(level WARNING) with its cause. Against a real HCP no faults can be injected; the sample
then just does the same requests.

    python3 samples/retries_failing_node.py [--debug] [--retries N] [...]
"""
import hashlib
import sys

from _common import (
    argument_parser,
    hcp_from_args,
    log,
    open_target,
    scratch_directory,
    start,
)

import hcpsdk

BIG = 1024 * 1024


def stored_ok(c: hcpsdk.Connection, url: str, data: bytes) -> bool:
    """Read an object back and compare it with what was sent."""
    c.GET(url)
    return c.response_status == 200 and c.read() == data


def main() -> None:
    parser = argument_parser(__doc__.splitlines()[0])
    parser.add_argument("--retries", type=int, default=3, help="retries per request (default 3)")
    args = start(parser)

    with hcp_from_args(args) as hcp, scratch_directory() as scratch:
        faults = hcp.emulator.faults if hcp.emulated else None
        if faults is None:
            log.info("a real HCP: no faults are injected")

        def inject(description, fault, *fault_args, **fault_kw):
            # Hit the node the Connection is using right now: that's where it hurts.
            if faults is not None:
                log.info("FAULT: %s (node %s)", description, c.address)
                fault(c.address, *fault_args, **fault_kw)

        t = open_target(hcp)
        log.info("")

        big = bytes(range(256)) * (BIG // 256)
        bigfile = f"{scratch}/1mbfile"
        with open(bigfile, "wb") as f:
            f.write(big)
        expected = {}

        c = hcpsdk.Connection(t, retries=args.retries)
        try:
            c.PUT("/rest/retries/warmup.txt", body=b"warm-up")
            expected["/rest/retries/warmup.txt"] = b"warm-up"
            log.info("warm-up PUT: %s %s via %s", c.response_status, c.response_reason, c.address)
            log.info("")

            inject("node down - connections refused", getattr(faults, "down", None))
            for i in range(5):
                url, data = f"/rest/retries/down{i}.txt", f"object {i}".encode()
                c.PUT(url, body=data)
                expected[url] = data
                log.info("PUT %s: %s via %s", url, c.response_status, c.address)
            if faults is not None:
                faults.clear()
            log.info("")

            inject("node answers 503 twice", getattr(faults, "status", None), 503, count=2)
            url, data = "/rest/retries/busy.txt", b"stored despite 503"
            c.PUT(url, body=data)
            expected[url] = data
            log.info("PUT %s: %s via %s", url, c.response_status, c.address)
            log.info("")

            inject("upload reset after 64 KiB", getattr(faults, "reset_upload", None), 64 * 1024)
            url = "/rest/retries/big-upload.bin"
            with open(bigfile, "rb") as body:
                c.PUT(url, body=body)
            expected[url] = big
            log.info("PUT %s: %s via %s, hash %s", url, c.response_status, c.address,
                     c.getheader("X-HCP-Hash"))
            log.info("sent hash:                    SHA-256 %s",
                     hashlib.sha256(big).hexdigest().upper())
            log.info("")

            inject("download broken after 100000 bytes", getattr(faults, "close_after", None),
                   100000)
            c.GET(url)
            received = c.read()
            log.info("GET %s: %s via %s, %d bytes, %s", url, c.response_status, c.address,
                     len(received), "identical" if received == big else "DIFFERENT")
            if faults is not None:
                faults.clear()
            log.info("")

            bad = [url for url, data in expected.items() if not stored_ok(c, url, data)]
            for url in expected:
                c.DELETE(url)
        except hcpsdk.HcpsdkError as e:
            sys.exit(f"request failed - {e}")
        finally:
            c.close()

        log.info("%d objects checked: %s", len(expected),
                 "all stored once with the right content" if not bad else f"BAD: {bad}")
        if bad or received != big:
            sys.exit("data was lost")


if __name__ == "__main__":
    main()
