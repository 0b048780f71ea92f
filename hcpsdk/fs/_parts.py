"""A large read in parts: range requests sent side by side, each on a Connection of its own.

One GET is as fast as one TCP stream from one node, received by one thread. A large
read of an opened file (``fs.open(path).read()`` of a big object, a Parquet column
chunk) goes in up to ``read_concurrency`` parts of at least :data:`PART_MIN` bytes
(:func:`count`). The first part is asked for on the calling thread's Connection; once
its answer shows that HCP serves the range, every other part is asked for on a spare
Connection of the filesystem (:class:`Spares`), and received by a thread of its own
straight into its place in the result. A new Connection starts on the next node of the
Target's round-robin, so the parts are spread over the nodes. With the network's and
the nodes' work spread, so is the client's: each thread also pays for the fresh memory
its part lands in.

Every part carries ``If-Match`` with the ETag of the object that was opened, so all
parts come from one object, and must come back as ``206`` with exactly the range it
asked for. A part whose body breaks off is resumed by its Connection as any GET body;
a part that fails makes the read fail (after the other parts ended), and no partial
result is returned.

.. versionadded:: 1.0
"""
from __future__ import annotations

import io
import logging
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from itertools import pairwise

from .._download import body_range
from .._locks import fork_safe_lock
from ..connection import Connection
from ..exceptions import HcpsdkError

__all__ = ["PART_MIN", "Spares", "count", "read"]

log = logging.getLogger(__name__)

#: The smallest part: below it, what a part's own request and thread cost is not won
#: back by receiving side by side.
PART_MIN = 32 << 20

#: ``send(connection, low, high)``: sends the GET of bytes ``[low, high)`` on
#: ``connection`` (with the ``If-Match`` of the object opened); HCP's refusals raise, as
#: the filesystem raises them.
Send = Callable[[Connection, int, int], object]


def count(span: int, concurrency: int) -> int:
    """The number of parts a read of ``span`` bytes goes in: 1 for a read too small to
    split."""
    return max(1, min(concurrency, span // PART_MIN))


class Spares:
    """Connections for the parts of large reads, kept for the next read (each part would
    otherwise connect, and over TLS shake hands, anew).

    :param make: makes a new Connection
    """

    def __init__(self, make: Callable[[], Connection]) -> None:
        self._make = make
        self._idle: list[Connection] = []
        self._lock = fork_safe_lock(self)

    @contextmanager
    def connection(self) -> Iterator[Connection]:
        """A Connection no other thread uses; it is kept after a part read completely,
        closed after a part that failed (its body may be half read)."""
        with self._lock:
            con = self._idle.pop() if self._idle else None
        if con is None:
            con = self._make()
        try:
            yield con
        except BaseException:
            con.close()
            raise
        with self._lock:
            self._idle.append(con)


def read(first: Connection, spares: Spares, send: Send, path: str, start: int, end: int,
         parts: int) -> bytes | None:
    """Bytes ``[start, end)`` of object ``path`` in ``parts`` parts, received side by side.

    :param first: the Connection for the first part (the calling thread's)
    :param send: sends a part's GET (see :data:`Send`)
    :param parts: 2 or more (see :func:`count`)
    :param end: at most the object's size (the parts must all lie in the object)
    :returns: the bytes, or ``None`` when HCP did not answer the first part with exactly
        its range (then its answer waits on ``first`` for the caller to read)
    :raises HcpsdkError: a part failed (the first error; the others are logged)
    """
    size = end - start
    ranges = list(pairwise(start + size * i // parts for i in range(parts + 1)))
    send(first, *ranges[0])
    if not _exact(first, *ranges[0]):
        return None
    # The result is received in place. A BytesIO made from a new bytes object is its only
    # owner, so getbuffer() writes into that very object, and getvalue() returns it, not a
    # copy, once every view of it is released (a bytearray would have to be copied into
    # bytes). bytes(size) is allocated zeroed without touching its pages: each thread
    # faults in the pages of its own part as it receives them.
    result = io.BytesIO(bytes(size))
    view = result.getbuffer()
    pieces = [view[low - start:high - start] for low, high in ranges]
    try:
        with ThreadPoolExecutor(parts - 1, thread_name_prefix="hcpfs-part") as pool:
            futures = [pool.submit(_spare_part, spares, send, path, low, high, piece)
                       for (low, high), piece in zip(ranges[1:], pieces[1:], strict=True)]
            errors: list[BaseException] = []
            try:
                _receive(first, path, start, pieces[0])
            except BaseException as exc:
                errors.append(exc)
            errors += [exc for exc in (future.exception() for future in futures)
                       if exc is not None]
    finally:
        for piece in pieces:
            piece.release()
        view.release()
    if errors:
        for other in errors[1:]:
            log.warning("GET %s: another part failed too: %s", path, other)
        raise errors[0]
    data: bytes = result.getvalue()
    return data


def _exact(con: Connection, low: int, high: int) -> bool:
    """Did ``con``'s answer bring exactly the bytes ``[low, high)``?"""
    response = con.response
    return (response is not None and response.status == 206
            and body_range(response) == (low, high - 1))


def _spare_part(spares: Spares, send: Send, path: str, low: int, high: int,
                piece: memoryview) -> None:
    with spares.connection() as con:
        send(con, low, high)
        if not _exact(con, low, high):
            raise HcpsdkError(
                f"GET {path}: node {con.address} answered {con.response_status} "
                f"{con.response_reason} with Content-Range "
                f"{con.getheader('Content-Range')!r} to Range bytes={low}-{high - 1} "
                f"(the first part's node had answered it)")
        _receive(con, path, low, piece)


def _receive(con: Connection, path: str, low: int, piece: memoryview) -> None:
    received = con.readinto(piece)
    if received != len(piece):  # a complete 206 answer of that length can't end early
        raise HcpsdkError(f"GET {path}: the part from byte {low} ended after {received} "
                          f"of {len(piece)} bytes")
