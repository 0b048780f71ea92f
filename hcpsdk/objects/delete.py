"""Deleting: an object, one version, a purge, a privileged delete, a whole directory tree."""
from __future__ import annotations

import logging
from typing import Any

from .._check import bad_value, wrong_type
from ..connection import Connection
from ..exceptions import HcpsdkNotFoundError
from ._wire import check_connection, send, version_param
from .listing import listdir

__all__ = ["delete", "delete_tree", "delete_params"]

log = logging.getLogger(__name__)

_MAX_REASON = 1024


def delete_params(call: str, *, purge: bool = False, privileged: bool = False,
                  reason: str | None = None, version: Any = None) -> dict[str, str]:
    """The query parameters of a DELETE.

    :raises HcpsdkTypeError: a value of the wrong type
    :raises HcpsdkArgumentError: ``privileged`` without a reason (or a reason without
        ``privileged``, or longer than 1024 characters), ``purge`` with ``version``
    """
    for name, value in (("purge", purge), ("privileged", privileged)):
        if not isinstance(value, bool):
            raise wrong_type(call, name, "True or False", value)
    params: dict[str, str] = {}
    if version is not None:
        if purge:
            raise bad_value(call, "purge", "False when a version is deleted", purge)
        params["version"] = version_param(call, version)
    if purge:
        params["purge"] = "true"
    if privileged or reason is not None:
        if reason is not None and not isinstance(reason, str):
            raise wrong_type(call, "reason", "a str (1..1024 characters) with privileged=True",
                             reason)
        if not privileged or reason is None or not 0 < len(reason) <= _MAX_REASON:
            raise bad_value(call, "reason", "1..1024 characters, with privileged=True", reason)
        params["privileged"] = "true"
        params["reason"] = reason
    return params


def delete(connection: Connection, path: str, *, purge: bool = False, privileged: bool = False,
           reason: str | None = None, version: int | None = None) -> None:
    """Delete an object (or one version of it), or an empty directory.

    The request::

        DELETE /rest/<path>[?purge=true][&version=<id>][&privileged=true&reason=<text>]

    In a namespace with versioning a plain delete keeps the data as an old version and
    adds a delete marker; ``purge=True`` removes every version. A privileged delete
    removes an object under retention (never one on hold); HCP logs the reason.

    :param connection: the Connection to use
    :param path: ``/rest/...`` (or ``/fcfs_data/...``), plain text
    :param purge: remove all versions (needs the *purge* permission)
    :param privileged: delete although the object is under retention (needs the
        *privileged* permission and a ``reason``)
    :param reason: why — 1 to 1024 characters, recorded by HCP
    :param version: delete only this (old) version
    :raises HcpsdkArgumentError: ``privileged`` without ``reason``, ``purge`` with ``version``
    :raises HcpsdkNotFoundError: no such object (or version)
    :raises HcpsdkRefusedError: under retention or on hold, a non-empty directory,
        a missing permission (``403``); the object being written (``409``)

    .. versionadded:: 1.0
    """
    call = "delete"
    connection = check_connection(call, connection)
    params = delete_params(call, purge=purge, privileged=privileged, reason=reason,
                           version=version)
    send(connection, f"DELETE {call}", path, params=params or None, ok=(200, 204))


def delete_tree(connection: Connection, path: str, *, purge: bool = False,
                privileged: bool = False, reason: str | None = None) -> int:
    """Delete a directory with everything in it, deepest first.

    The requests::

        GET /rest/<dir>                                  a listing of each directory
        DELETE /rest/<object>[?purge=true][&privileged=true&reason=<text>]   each object
        DELETE /rest/<dir>                               each directory, once it is empty

    An object that HCP refuses to delete (retention, hold) stops it with the refusal:
    what was deleted until then stays deleted.

    :param connection: the Connection to use
    :param path: the directory, ``/rest/...``, plain text
    :param purge: remove all versions of each object
    :param privileged: delete objects under retention (with a ``reason``)
    :param reason: see :func:`delete`
    :returns: the number of objects deleted
    :raises HcpsdkNotFoundError: no such directory
    :raises HcpsdkRefusedError: an object or directory HCP would not delete

    .. versionadded:: 1.0
    """
    call = "delete_tree"
    connection = check_connection(call, connection)
    params = delete_params(call, purge=purge, privileged=privileged, reason=reason)
    count = 0
    # an explicit stack instead of recursion: trees may be deeper than Python's limit
    stack: list[tuple[str, bool]] = [(path.rstrip("/") or path, False)]
    while stack:
        directory, emptied = stack.pop()
        if emptied:
            try:
                send(connection, f"DELETE {call}", directory, ok=(200, 204))
            except HcpsdkNotFoundError:
                log.debug("%s: %s was gone already", call, directory)
            continue
        entries = list(listdir(connection, directory))  # the Connection is needed below
        stack.append((directory, True))
        for entry in entries:
            if entry.is_dir:
                stack.append((entry.path, False))
            else:
                send(connection, f"DELETE {call}", entry.path, params=params or None,
                     ok=(200, 204))
                count += 1
    return count
