"""An answer's framing, validated, and its body read in bounded blocks.

A server says how long its answer's body is: ``Content-Length``, or chunk sizes
(``Transfer-Encoding: chunked``). http.client believes it: a ``Content-Length`` of
1 TiB or a chunk size of 4 EiB makes ``read()`` allocate that much up front (a bare
``MemoryError``); a negative chunk size makes it read to the end of the connection; an
unparseable or conflicting ``Content-Length`` is read to the close and returned as a
complete body. Here:

- :func:`check_head` refuses a head whose framing can't be trusted: a
  ``Content-Length`` that is no decimal number, several that differ, one together
  with ``Transfer-Encoding``, or a transfer coding other than ``chunked``;
- :func:`read` reads a body of any announced size in blocks of :data:`BLOCK` bytes
  (or into one buffer of the size the caller asked for, when that is what limits the
  read), so memory grows with what arrives and what the caller wants, never with what
  was announced, and raises
  ``IncompleteRead`` when the body ends before its framing said;
- :func:`next_chunk_size` and :func:`chunk_left` accept only a hex chunk size (with
  optional extensions) and a CRLF after each chunk.

A broken frame raises :class:`MalformedAnswer`, which the error translation turns into
an :exc:`~hcpsdk.HcpsdkError` naming the node and saying that its answer was malformed.

.. versionadded:: 1.0
"""
from __future__ import annotations

import http.client
import io
from typing import Any

from ._constants import BLOCKSIZE
from .exceptions import HcpsdkError

__all__ = ["BLOCK", "MalformedAnswer", "check_head", "read", "next_chunk_size", "chunk_left"]

#: The most bytes asked of the socket at once, whatever size the server announced.
BLOCK = BLOCKSIZE

_MAXLINE = getattr(http.client, "_MAXLINE", 65536)
# 16 hex digits are 2**64 - 1: more is no size any server means
_MAX_HEX = 16
_HEX = frozenset(b"0123456789abcdefABCDEF")


class MalformedAnswer(HcpsdkError, http.client.HTTPException):
    """The answer's framing (``Content-Length``, chunks) is broken: its body can't be trusted.

    Raised inside http.client's reading (hence an ``HTTPException``, which the
    Connection catches with the network's errors); the error translation turns it into
    an :exc:`~hcpsdk.HcpsdkError` that names the node and the request.
    """


def _sizes(values: list[str]) -> set[int]:
    sizes = set()
    for value in values:
        for part in value.split(","):  # "5, 5" is a list of one size (RFC 9110 8.6)
            text = part.strip()
            if not (text.isascii() and text.isdigit()):
                raise MalformedAnswer(f"Content-Length {value!r} is no size")
            sizes.add(int(text))
    return sizes


def check_head(response: http.client.HTTPResponse) -> None:
    """Check the framing headers of ``response`` (after ``begin()``); fix what http.client
    misread of a valid one (a list of equal sizes, which it takes for none).

    :raises MalformedAnswer: the framing can't be trusted
    """
    headers = response.msg
    lengths = headers.get_all("Content-Length") or []
    codings = headers.get_all("Transfer-Encoding") or []
    if not lengths and not codings:
        return
    if lengths and codings:
        # RFC 9112 6.3: a sign of request smuggling or response splitting
        raise MalformedAnswer(f"both Content-Length {', '.join(lengths)!r} and "
                              f"Transfer-Encoding {', '.join(codings)!r}")
    if codings:
        coding = ", ".join(codings)
        if coding.strip().lower() != "chunked":
            raise MalformedAnswer(f"Transfer-Encoding {coding!r} is not supported (only chunked)")
        return
    sizes = _sizes(lengths)
    if len(sizes) > 1:
        raise MalformedAnswer(f"conflicting Content-Length {', '.join(lengths)!r}")
    if not sizes:
        return
    size = sizes.pop()
    if lengths != [str(size)]:  # one plain number, as everyone else reads the header
        del headers["Content-Length"]
        headers["Content-Length"] = str(size)
    if response.length is None and response._method != "HEAD":  # type: ignore[attr-defined]
        response.length = size


def read(response: http.client.HTTPResponse, amt: int | None) -> bytes:
    """``response.read(amt)``, allocating no more than the caller asked for or what arrived.

    When the caller's ``amt`` is what limits the read (at most one block, or no more
    than the announced length), http.client reads into one buffer of ``amt`` bytes, and
    the bytes go from the socket into it with no further copy. Otherwise — the whole body,
    or an ``amt`` beyond what was announced, where the announcement would decide the
    size — the body is read in blocks of at most :data:`BLOCK` bytes into an
    ``io.BytesIO``, whose buffer grows with what arrives and becomes the result without
    a copy (a list of blocks joined at the end would hold the body twice).

    :raises http.client.IncompleteRead: the body ended before its framing said
    """
    whole = http.client.HTTPResponse.read
    length = response.length
    if amt is not None and (amt <= BLOCK or (length is not None and amt <= length)):
        data = whole(response, amt)
        if amt and len(data) < amt and response.length:
            raise _incomplete(response, data)
        return data
    if amt is None and not response.chunked and length is not None and length <= BLOCK:
        return whole(response, None)
    gathered = io.BytesIO()
    want = amt
    while want is None or want > 0:
        block = whole(response, BLOCK if want is None else min(want, BLOCK))
        if not block:
            break
        gathered.write(block)
        if want is not None:
            want -= len(block)
    data = gathered.getvalue()
    if response.length and (amt is None or len(data) < amt):
        raise _incomplete(response, data)
    return data


def _incomplete(response: http.client.HTTPResponse, data: bytes) -> http.client.IncompleteRead:
    """The error for a body that ended early, carrying ``data`` (what this read got).

    http.client already counted ``data`` off ``response.length``; its own
    ``IncompleteRead`` carries bytes it has not counted. They are counted back, so that
    the error means the same either way: a resume continues after the bytes delivered
    before this read plus the error's ``partial`` (counted twice, it would skip bytes).
    """
    assert response.length is not None
    response.length += len(data)
    return http.client.IncompleteRead(data, response.length)


def next_chunk_size(response: Any) -> int:
    """The size of the next chunk: hex digits, optionally followed by ``;extensions``.

    :raises MalformedAnswer: anything else (a sign, ``0x``, blanks, a size beyond 64 bits)
    """
    line = response.fp.readline(_MAXLINE + 1)
    if len(line) > _MAXLINE:
        raise http.client.LineTooLong("chunk size")
    if not line:
        raise http.client.IncompleteRead(b"")  # the connection ended between chunks
    size = line.split(b";", 1)[0].rstrip(b"\r\n").rstrip(b" \t")
    if not size or len(size) > _MAX_HEX or not _HEX.issuperset(size):
        response._close_conn()
        raise MalformedAnswer(f"chunk size {line[:40]!r} is no hex number")
    return int(size, 16)


def chunk_left(response: Any) -> int | None:
    """http.client's ``_get_chunk_left``, with the CRLF after each chunk checked."""
    left: int | None = response.chunk_left
    if not left:
        if left is not None:
            end = response._safe_read(2)
            if end != b"\r\n":
                response._close_conn()
                raise MalformedAnswer(f"chunk followed by {end!r} instead of CRLF")
        left = next_chunk_size(response)
        if left == 0:
            response._read_and_discard_trailer()
            response._close_conn()
            left = None
        response.chunk_left = left
    return left
