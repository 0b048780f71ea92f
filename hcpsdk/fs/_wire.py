"""fsspec's view of HCP's answers: info dicts from HEAD headers and listing entries.

fsspec describes a path with a dict holding at least ``name``, ``size`` and ``type``
(``'file'``, ``'directory'``, ``'other'``). HCP's object types map onto it, and
HCP's own facts (hash, version, change time) travel along under their own keys.

.. versionadded:: 1.0
"""
from __future__ import annotations

import errno
from datetime import UTC, datetime
from typing import Any

from ..exceptions import HcpsdkStatusError

__all__ = ["FS_TYPES", "from_headers", "status_error", "ms_datetime"]

#: HCP's ``X-HCP-Type`` / listing ``type`` → fsspec's ``type``.
FS_TYPES = {"object": "file", "directory": "directory", "symlink": "other"}

# HCP's refusals as the OSErrors fsspec's callers expect (pandas, the abstract suite ...)
_OS_ERRORS: dict[int, tuple[type[OSError], int]] = {
    404: (FileNotFoundError, errno.ENOENT),
    409: (FileExistsError, errno.EEXIST),
    403: (PermissionError, errno.EACCES),
}


def ms_datetime(value: Any) -> datetime | None:
    """HCP's ``1422736466446.00`` (milliseconds since the epoch) as an aware datetime."""
    if value in (None, ""):
        return None
    return datetime.fromtimestamp(float(value) / 1000, tz=UTC)


def from_headers(path: str, headers: Any) -> dict[str, Any]:
    """The info dict of ``path`` from the headers of HCP's answer to HEAD or GET.

    :param path: the REST path (``/rest/...``)
    :param headers: ``http.client.HTTPMessage`` (anything with ``get``)
    """
    kind = headers.get("X-HCP-Type", "object")
    scheme, _, value = (headers.get("X-HCP-Hash") or "").partition(" ")
    info: dict[str, Any] = {
        "name": path,
        "size": int(headers.get("X-HCP-Size") or 0) if kind == "object" else 0,
        "type": FS_TYPES.get(kind, "other"),
        "hash_scheme": scheme or None,
        "hash_value": value.strip() or None,
        "version_id": headers.get("X-HCP-VersionId"),
        "change_time": ms_datetime(headers.get("X-HCP-ChangeTimeMilliseconds")),
    }
    ingest = headers.get("X-HCP-IngestTime")
    if ingest:
        info["ingest_time"] = datetime.fromtimestamp(int(ingest), tz=UTC)
    return info


def status_error(method: str, path: str, status: int, message: str) -> OSError | HcpsdkStatusError:
    """The error for HCP's ``status`` to ``method path``.

    ``404``/``409``/``403`` become ``FileNotFoundError``/``FileExistsError``/
    ``PermissionError`` (what fsspec's callers catch) with the
    :class:`~hcpsdk.HcpsdkStatusError` as their cause; any other status is the
    HcpsdkStatusError itself.
    """
    error = HcpsdkStatusError(f"{method} {path}: HCP answered {status} ({message})", status,
                              "", message)
    if status in _OS_ERRORS:
        cls, code = _OS_ERRORS[status]
        os_error = cls(code, f"{method}: {message}", path)
        os_error.__cause__ = error
        return os_error
    return error
