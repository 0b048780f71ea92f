"""What every call of :mod:`hcpsdk.objects` shares: argument checks, the request, the answer.

A path is given as plain text (``'/rest/dir/résumé.pdf'``, the form a listing's
:attr:`~hcpsdk.objects.Entry.path` has) and percent-encoded here in full, so that a
``%`` in a name is a literal percent sign. An answer outside the expected statuses
becomes the matching :class:`~hcpsdk.HcpsdkStatusError` subclass, carrying HCP's
``X-HCP-ErrorMessage``.
"""
from __future__ import annotations

import http.client
import logging
from collections.abc import Collection, Mapping
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Any
from urllib.parse import quote

from .._check import bad_value, wrong_type
from .._encoding import check_text
from ..connection import Connection
from ..exceptions import (
    HcpsdkNotFoundError,
    HcpsdkNotModifiedError,
    HcpsdkPreconditionFailedError,
    HcpsdkRefusedError,
    HcpsdkStatusError,
)

__all__ = ["check_connection", "encode", "send", "fail", "read_all", "conditions",
           "flag", "integer", "from_ms", "from_seconds", "version_param", "annotation_name",
           "metafile"]

log = logging.getLogger(__name__)

# an error body is only read to keep the connection usable; HCP's are a few bytes
_ERROR_BODY_MAX = 64 << 10
# statuses that mean "HCP would not make this change", on requests that change something
_REFUSALS = frozenset({400, 403, 409})
_CHANGING = frozenset({"PUT", "POST", "DELETE"})


def check_connection(call: str, connection: Any) -> Connection:
    """``connection`` if it is a :class:`~hcpsdk.Connection`.

    :raises HcpsdkTypeError: if it is not
    """
    if not isinstance(connection, Connection):
        raise wrong_type(call, "connection", "an hcpsdk.Connection", connection)
    return connection


def encode(call: str, path: Any, name: str = "path") -> str:
    """The request path of a plain-text ``path``: every character that needs it encoded.

    :raises HcpsdkTypeError: ``path`` is no str
    :raises HcpsdkArgumentError: it does not start with ``/``, or holds text UTF-8 can't
        carry (a lone surrogate)
    """
    if not isinstance(path, str):
        raise wrong_type(call, name, "a str like '/rest/dir/object'", path)
    if not path.startswith("/"):
        raise bad_value(call, name, "a path starting with '/' (like '/rest/dir/object')", path)
    check_text(call, name, path)
    return quote(path, safe="/")


def fail(call: str, path: str, response: http.client.HTTPResponse) -> HcpsdkStatusError:
    """The error for an answer that is not a success of ``call``."""
    status, message = response.status, response.getheader("X-HCP-ErrorMessage", "") or ""
    method = call.partition(" ")[0]
    cls: type[HcpsdkStatusError]
    if status == 404:
        cls = HcpsdkNotFoundError
    elif status == 304:
        cls = HcpsdkNotModifiedError
    elif status == 412:
        cls = HcpsdkPreconditionFailedError
    elif status in _REFUSALS and method in _CHANGING:
        cls = HcpsdkRefusedError
    else:
        cls = HcpsdkStatusError
    text = f"{call} {path}: {status} {response.reason}"
    if message:
        text += f" ({message})"
    return cls(text, status, response.reason, message)


def read_all(connection: Connection, limit: int | None = None) -> bytes:
    """The rest of the current answer's body (at most ``limit`` bytes are kept)."""
    parts: list[bytes] = []
    kept = 0
    while True:
        block = connection.read(1 << 16)
        if not block:
            return b"".join(parts)
        if limit is None or kept < limit:
            parts.append(block)
            kept += len(block)


def send(connection: Connection, call: str, path: str, *, params: Any = None,
         headers: Mapping[str, str] | None = None, body: Any = None,
         ok: Collection[int] = (200,), stream: bool = False) -> http.client.HTTPResponse:
    """Send one request; return its answer if the status is in ``ok``, else raise.

    :param call: ``'<METHOD> <name>'`` — the method and what the message calls it
    :param path: the plain-text path (encoded here)
    :param stream: leave the body of a successful answer for the caller to read
    :raises HcpsdkStatusError: (a subclass of it) for any other status
    """
    method = call.partition(" ")[0]
    response = connection.request(method, encode(call, path), body, params,
                                  dict(headers) if headers else None)
    if response.status not in ok:
        error = fail(call, path, response)
        if method != "HEAD":
            read_all(connection, _ERROR_BODY_MAX)
        raise error
    if not stream and method != "HEAD":
        read_all(connection)
    return response


def _http_date(call: str, name: str, value: Any) -> str:
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise bad_value(call, name, "a timezone-aware datetime", value)
        return format_datetime(value.astimezone(UTC), usegmt=True)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return format_datetime(datetime.fromtimestamp(value, UTC), usegmt=True)
    raise wrong_type(call, name, "a timezone-aware datetime or epoch seconds", value)


def _etags(call: str, name: str, value: Any) -> str:
    if isinstance(value, str):
        values = [value]
    elif isinstance(value, (list, tuple)) and value and all(isinstance(v, str) for v in value):
        values = list(value)
    else:
        raise wrong_type(call, name, "an ETag str, '*' or a list of ETags", value)
    out = []
    for tag in values:
        if "\r" in tag or "\n" in tag or not tag.strip():
            raise bad_value(call, name, "ETags without CR/LF", tag)
        tag = tag.strip()
        # ETags are quoted on the wire; an unquoted one (as a listing's etag is) gets quotes
        out.append(tag if tag == "*" or tag.startswith(('"', 'W/"')) else f'"{tag}"')
    return ", ".join(out)


def conditions(call: str, if_match: Any = None, if_none_match: Any = None,
               if_modified_since: Any = None, if_unmodified_since: Any = None
               ) -> dict[str, str]:
    """The conditional request headers of the ``if_*`` keywords (unset ones left out).

    :raises HcpsdkTypeError: a value of the wrong type
    :raises HcpsdkArgumentError: a naive datetime, an empty ETag
    """
    headers = {}
    if if_match is not None:
        headers["If-Match"] = _etags(call, "if_match", if_match)
    if if_none_match is not None:
        headers["If-None-Match"] = _etags(call, "if_none_match", if_none_match)
    if if_modified_since is not None:
        headers["If-Modified-Since"] = _http_date(call, "if_modified_since", if_modified_since)
    if if_unmodified_since is not None:
        headers["If-Unmodified-Since"] = _http_date(call, "if_unmodified_since",
                                                    if_unmodified_since)
    return headers


def flag(value: str | None) -> bool:
    """An HCP boolean text (``true``/``false``); absent is false."""
    return value is not None and value.strip().lower() == "true"


def integer(value: str | None) -> int | None:
    """An integer text, or ``None`` when absent or empty."""
    if value is None:
        return None
    value = value.strip()
    if not value:
        return None
    try:
        return int(value)
    except ValueError:
        log.debug("not an integer: %r", value)
        return None


def from_ms(value: str | None) -> datetime | None:
    """A UTC datetime of HCP's ``changeTimeMilliseconds`` text (``1709632931417.00``)."""
    if not value:
        return None
    try:
        return datetime.fromtimestamp(float(value) / 1000, UTC)
    except (ValueError, OverflowError, OSError):
        return None


def from_seconds(value: str | None) -> datetime | None:
    """A UTC datetime of epoch seconds (``ingestTime``)."""
    seconds = integer(value)
    if seconds is None:
        return None
    try:
        return datetime.fromtimestamp(seconds, UTC)
    except (OverflowError, OSError, ValueError):
        return None


def version_param(call: str, version: Any) -> str:
    """A version id as it goes into ``version=``.

    :raises HcpsdkTypeError: not an int (or a str of digits)
    :raises HcpsdkArgumentError: a str that is not all digits
    """
    if isinstance(version, bool) or not isinstance(version, (int, str)):
        raise wrong_type(call, "version", "an int version id", version)
    text = str(version).strip()
    if not text.isdigit():
        raise bad_value(call, "version", "a version id of digits", version)
    return text


def annotation_name(call: str, name: Any) -> str:
    """``name`` if it can name an annotation.

    :raises HcpsdkTypeError: not a str
    :raises HcpsdkArgumentError: empty, or with a character a name cannot have
    """
    if not isinstance(name, str):
        raise wrong_type(call, "name", "an annotation name (str)", name)
    if not name or any(ch in name for ch in "/&=?#\r\n"):
        raise bad_value(call, "name", "an annotation name like 'default'", name)
    return name


_FCFS_DATA = "/fcfs_data/"


def metafile(path: str, name: str) -> str | None:
    """The Default Namespace's metafile ``name`` of object ``path`` (``None`` elsewhere).

    There, an object's metadata is not reached with query parameters but as small files
    under ``/fcfs_metadata/<object path>/`` (``custom-metadata.xml``, ``retention.txt``...).
    """
    if not isinstance(path, str) or not path.startswith(_FCFS_DATA):
        return None
    return f"/fcfs_metadata/{path[len(_FCFS_DATA):].strip('/')}/{name}"
