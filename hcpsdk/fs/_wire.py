"""fsspec's view of HCP's answers: info dicts and OSErrors.

fsspec describes a path with a dict holding at least ``name``, ``size`` and ``type``
(``'file'``, ``'directory'``, ``'other'``). HCP's object types map onto it, and
HCP's own facts (hash, version, change time) travel along under their own keys.

.. versionadded:: 1.0
"""
from __future__ import annotations

import dataclasses
import errno
from typing import Any

from ..exceptions import HcpsdkStatusError

__all__ = ["FS_TYPES", "as_info", "os_error"]

#: HCP's ``X-HCP-Type`` / listing ``type`` → fsspec's ``type``.
FS_TYPES = {"object": "file", "directory": "directory", "symlink": "other"}

# HCP's refusals as the OSErrors fsspec's callers expect (pandas, the abstract suite ...)
_OS_ERRORS: dict[int, tuple[type[OSError], int]] = {
    404: (FileNotFoundError, errno.ENOENT),
    409: (FileExistsError, errno.EEXIST),
    # the filesystem's only precondition is If-None-Match: * (store only if absent)
    412: (FileExistsError, errno.EEXIST),
    403: (PermissionError, errno.EACCES),
}


def as_info(path: str, record: Any) -> dict[str, Any]:
    """fsspec's info dict of ``path`` from an :class:`~hcpsdk.objects.ObjectInfo` or a
    listing's :class:`~hcpsdk.objects.Entry`: ``name``, ``size``, ``type``, and every
    field of the record (HCP's own type as ``hcp_type``)."""
    info = dataclasses.asdict(record)
    del info["path"]
    kind = info.pop("type")
    info["hcp_type"] = kind
    info["name"] = path
    info["type"] = FS_TYPES.get(kind, "other")
    info["size"] = (info.get("size") or 0) if kind == "object" else 0
    return info


def os_error(error: HcpsdkStatusError, path: str) -> BaseException:
    """The error to raise for HCP's refusal ``error`` of a request on ``path``.

    ``404``/``409`` and ``412``/``403`` become ``FileNotFoundError``/``FileExistsError``/
    ``PermissionError`` (what fsspec's callers catch; the caller chains ``error`` as
    their cause); any other status is ``error`` itself.
    """
    if error.status in _OS_ERRORS:
        cls, code = _OS_ERRORS[error.status]
        return cls(code, str(error), path)
    return error
