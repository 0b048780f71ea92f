"""Running a function in a real forked child, with a deadline (a hung child is killed)."""
from __future__ import annotations

import os
import select
import signal
import time
import warnings


def in_child(work):
    """Fork; the child runs ``work()`` and reports its str result (or its error) by a pipe."""
    reader, writer = os.pipe()
    with warnings.catch_warnings():  # Python >= 3.12 warns about fork() with threads
        warnings.simplefilter("ignore", DeprecationWarning)
        pid = os.fork()
    if pid == 0:  # the child: never returns into pytest
        status = 0
        try:
            os.close(reader)
            message = work()
        except BaseException as exc:  # reported to the parent
            message, status = f"error: {exc!r}", 1
        try:
            os.write(writer, message.encode("utf-8", "replace"))
        finally:
            os._exit(status)
    os.close(writer)
    return pid, reader


def result_of(pid, reader, timeout=10.0):
    """What the child reported, or ``'hung'`` (the child is killed) after ``timeout``."""
    chunks = []
    deadline = time.monotonic() + timeout
    try:
        while True:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([reader], [], [], left)[0]:
                os.kill(pid, signal.SIGKILL)
                return "hung"
            chunk = os.read(reader, 65536)
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        os.close(reader)
        os.waitpid(pid, 0)
    return b"".join(chunks).decode()
