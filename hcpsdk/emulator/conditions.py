"""Conditional requests (``If-*`` headers) and byte ranges, as HCP answers them.

Conditions are checked in the order of RFC 7232 §6, the order HCP documents too: the
entity-tag headers first (a date header is ignored when its tag counterpart is present),
then the dates. A GET or HEAD whose ``If-None-Match`` or ``If-Modified-Since`` holds is
answered 304; a failed ``If-Match`` or ``If-Unmodified-Since`` is answered 412 (and so
is a PUT whose ``If-None-Match`` matches the object it would replace).

A ``Range`` is a single ``bytes`` range. HCP ignores one it can't read (another unit,
several ranges, a first byte after the last) and answers the whole object; a range that
starts beyond the end, or an empty suffix range ``bytes=-0``, is 416. HEAD ignores
``Range``: its only success codes are 200 and 204.

.. versionadded:: 1.0
"""
from __future__ import annotations

import email.utils
import re
from collections.abc import Mapping
from datetime import UTC, datetime

from .errors import RequestRefused

__all__ = ["precondition", "span", "http_date", "parse_http_date"]

_RANGE = re.compile(r"bytes=(\d*)-(\d*)")
_last_date: tuple[int, str] = (-1, "")


def http_date(seconds: float) -> str:
    """*seconds* since the epoch as an HTTP date (``Sun, 06 Nov 1994 08:49:37 GMT``)."""
    global _last_date
    second = int(seconds)
    last = _last_date
    if last[0] != second:
        # Formatting costs more than the rest of a HEAD; most answers of a second share it.
        last = _last_date = (second, email.utils.formatdate(second, usegmt=True))
    return last[1]


def parse_http_date(text: str) -> int | None:
    """An HTTP date (RFC 1123, RFC 850 or asctime form) as seconds since the epoch.

    :returns: None for text that is not such a date (a condition with it is ignored)
    """
    parsed = email.utils.parsedate_tz(text)
    if parsed is None:
        return None
    try:
        # datetime refuses what parsedate_tz lets through (day 99, hour 25)
        moment = datetime(*parsed[:6], tzinfo=UTC)
    except (OverflowError, ValueError):
        return None
    return int(moment.timestamp()) - (parsed[9] or 0)


def _tag_matches(header: str, etag: str | None) -> bool:
    """Whether the ``If-Match``/``If-None-Match`` value *header* names *etag* (or ``*``)."""
    if etag is None:
        return False
    for item in header.split(","):
        tag = item.strip()
        if tag == "*":
            return True
        if tag.startswith("W/"):
            tag = tag[2:]
        if tag.strip('"') == etag:
            return True
    return False


def precondition(headers: Mapping[str, str], method: str, etag: str | None,
                 modified: int | None) -> int | None:
    """The status a conditional request gets instead of its normal answer, if any.

    :param headers: the request headers (keys in lower case)
    :param method: ``GET``, ``HEAD`` or ``PUT``
    :param etag: the ETag (without quotes) of the current object, None if there is none
    :param modified: its ``Last-Modified`` time in seconds, None if there is no object
    :returns: 304 or 412, or None when the request goes ahead
    """
    safe = method in ("GET", "HEAD")
    if_match = headers.get("if-match")
    if if_match is not None:
        if not _tag_matches(if_match, etag):
            return 412
    else:
        since = headers.get("if-unmodified-since")
        date = parse_http_date(since) if since is not None else None
        if date is not None and modified is not None and modified > date:
            return 412
    if_none = headers.get("if-none-match")
    if if_none is not None:
        if _tag_matches(if_none, etag):
            return 304 if safe else 412
    elif safe:
        since = headers.get("if-modified-since")
        date = parse_http_date(since) if since is not None else None
        if date is not None and modified is not None and modified <= date:
            return 304
    return None


def span(headers: Mapping[str, str], method: str, size: int
         ) -> tuple[int, int, int, str | None]:
    """What a GET of *size* bytes answers: ``(start, length, status, Content-Range)``.

    The whole object (200, no Content-Range) unless a GET has a ``Range`` HCP serves.

    :raises RequestRefused: 416 for a range that starts at or after the end, or
        ``bytes=-0``
    """
    header = headers.get("range")
    if not header or method != "GET":
        return 0, size, 200, None
    match = _RANGE.fullmatch(header.strip())
    if match is None or match.groups() == ("", ""):
        return 0, size, 200, None
    first, last = match.groups()
    if first == "":
        n = int(last)
        if n == 0:
            raise RequestRefused(416, "the range bytes=-0 is empty")
        start, end = max(0, size - n), size - 1
    else:
        start = int(first)
        if last and int(last) < start:
            return 0, size, 200, None
        end = min(int(last), size - 1) if last else size - 1
    if start >= size:
        raise RequestRefused(416, f"range {header} not satisfiable for size {size}")
    return start, end - start + 1, 206, f"bytes {start}-{end}/{size}"
