"""Object data in one request: PUT and GET of bytes, and the whole-object form that
carries the data and one annotation together."""
from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from .._check import bad_value, wrong_type
from ..connection import Connection
from ..exceptions import HcpsdkError
from ._wire import (
    annotation_name,
    check_connection,
    conditions,
    integer,
    read_all,
    send,
    version_param,
)
from .info import Stored
from .metadata import metadata_params

__all__ = ["put", "get", "put_whole", "get_whole", "put_params", "ACL_SHORTHANDS"]

#: The predefined ACLs a PUT can give an object (``acl=``).
ACL_SHORTHANDS = ("all_read", "auth_read")
_BYTES = (bytes, bytearray, memoryview)


def put_params(call: str, *, retention: Any = None, hold: bool | None = None,
               labeled_holds: Mapping[str, bool] | None = None, index: bool | None = None,
               shred: bool | None = None, acl: str | None = None) -> dict[str, str]:
    """The query parameters of a PUT that sets system metadata at ingest.

    :raises HcpsdkTypeError: a value of the wrong type
    :raises HcpsdkArgumentError: a bad value (``acl`` not one of :data:`ACL_SHORTHANDS`)
    """
    params = metadata_params(call, retention=retention, hold=hold,
                             labeled_holds=labeled_holds, shred=shred, index=index)
    if acl is not None:
        if acl not in ACL_SHORTHANDS:
            raise bad_value(call, "acl", "'all_read' or 'auth_read'", acl)
        params["acl"] = acl
    return params


def put(connection: Connection, path: str, data: Any, *, retention: Any = None,
        hold: bool | None = None, labeled_holds: Mapping[str, bool] | None = None,
        index: bool | None = None, shred: bool | None = None, acl: str | None = None,
        if_match: str | list[str] | None = None, if_none_match: str | list[str] | None = None,
        if_unmodified_since: datetime | float | None = None) -> Stored:
    """Store an object, with system metadata at ingest.

    The request::

        PUT /rest/<path>[?retention=...&hold=true&label_hold=[...]&index=...&shred=...&acl=...]
        (If-Match / If-None-Match / If-Unmodified-Since, when given)

    :param connection: the Connection to use
    :param path: ``/rest/...`` (or ``/fcfs_data/...``), plain text
    :param data: what :meth:`hcpsdk.Connection.request` takes as body: bytes, str, a
        file object opened for reading, an iterable of bytes
    :param retention: see :func:`set_metadata`
    :param hold: store the object on hold (needs the *privileged* permission)
    :param labeled_holds: label id → ``True``: labeled holds to set at ingest
    :param index: index the object for search
    :param shred: shred it when it is deleted
    :param acl: ``'all_read'`` (everybody may read it) or ``'auth_read'`` (every
        authenticated user may)
    :param if_match: store only if the current version has this ETag (``412`` otherwise)
    :param if_none_match: ``'*'``: store only if the object does not exist yet
    :param if_unmodified_since: store only if the object did not change since
    :returns: a :class:`Stored` (version id, hash, ETag)
    :raises HcpsdkRefusedError: HCP refused (``409`` exists and no versioning, ``403``
        under retention or on hold, ``400`` a bad retention...)
    :raises HcpsdkPreconditionFailedError: a condition did not hold

    .. versionadded:: 1.0
    """
    call = "put"
    connection = check_connection(call, connection)
    params = put_params(call, retention=retention, hold=hold, labeled_holds=labeled_holds,
                        index=index, shred=shred, acl=acl)
    headers = conditions(call, if_match, if_none_match, None, if_unmodified_since)
    response = send(connection, f"PUT {call}", path, params=params or None, headers=headers,
                    body=data, ok=(200, 201))
    return Stored.from_headers(path, response.headers)


def get(connection: Connection, path: str, *, version: int | None = None,
        if_match: str | list[str] | None = None, if_none_match: str | list[str] | None = None,
        if_modified_since: datetime | float | None = None,
        if_unmodified_since: datetime | float | None = None) -> bytes:
    """An object's data (for large objects see :func:`download_file`).

    The request::

        GET /rest/<path>[?version=<id>]
        (If-Match / If-None-Match / If-Modified-Since / If-Unmodified-Since, when given)

    :param connection: the Connection to use
    :param path: ``/rest/...`` (or ``/fcfs_data/...``), plain text
    :param version: a version id
    :param if_match: see :func:`stat`
    :param if_none_match: see :func:`stat`
    :param if_modified_since: see :func:`stat`
    :param if_unmodified_since: see :func:`stat`
    :returns: the data
    :raises HcpsdkNotFoundError: no such object
    :raises HcpsdkNotModifiedError: ``304``: the caller's copy is current
    :raises HcpsdkPreconditionFailedError: ``412``

    .. versionadded:: 1.0
    """
    call = "get"
    connection = check_connection(call, connection)
    params = None if version is None else {"version": version_param(call, version)}
    headers = conditions(call, if_match, if_none_match, if_modified_since, if_unmodified_since)
    send(connection, f"GET {call}", path, params=params, headers=headers, stream=True)
    return read_all(connection)


def put_whole(connection: Connection, path: str, data: bytes, annotation: bytes, *,
              name: str = "default") -> Stored:
    """Store an object and one annotation of it in one request.

    The request (the body is the data immediately followed by the annotation)::

        PUT /rest/<path>?type=whole-object&annotation=<name>
        X-HCP-Size: <bytes of data>

    :param connection: the Connection to use
    :param path: ``/rest/...``, plain text
    :param data: the object's data
    :param annotation: the annotation (XML, if the namespace checks it)
    :param name: the annotation's name
    :returns: a :class:`Stored`
    :raises HcpsdkRefusedError: HCP refused (the object exists, the annotation is not
        well-formed XML...)

    .. versionadded:: 1.0
    """
    call = "put_whole"
    connection = check_connection(call, connection)
    for what, value in (("data", data), ("annotation", annotation)):
        if not isinstance(value, _BYTES):
            raise wrong_type(call, what, "bytes", value)
    annotation_name(call, name)
    body = bytes(data) + bytes(annotation)
    response = send(connection, f"PUT {call}", path, body=body,
                    params={"type": "whole-object", "annotation": name},
                    headers={"X-HCP-Size": str(len(data))}, ok=(200, 201))
    return Stored.from_headers(path, response.headers)


def get_whole(connection: Connection, path: str, *, name: str = "default",
              annotation_first: bool = False, version: int | None = None
              ) -> tuple[bytes, bytes]:
    """An object's data and one annotation of it from one request.

    The request::

        GET /rest/<path>?type=whole-object&annotation=<name>[&version=<id>]
        X-HCP-CustomMetadataFirst: true | false

    The body holds both parts, in the order asked for; ``X-HCP-Size`` of the answer
    is the size of the data, which tells where they split.

    :param connection: the Connection to use
    :param path: ``/rest/...``, plain text
    :param name: the annotation's name
    :param annotation_first: ask HCP to send the annotation before the data (the
        result is the same; a program that streams the body reads the annotation first)
    :param version: a version id
    :returns: ``(data, annotation)``
    :raises HcpsdkNotFoundError: no such object, or it has no annotation ``name``
    :raises HcpsdkError: the answer does not say where data and annotation split

    .. versionadded:: 1.0
    """
    call = "get_whole"
    connection = check_connection(call, connection)
    annotation_name(call, name)
    if not isinstance(annotation_first, bool):
        raise wrong_type(call, "annotation_first", "True or False", annotation_first)
    params = {"type": "whole-object", "annotation": name}
    if version is not None:
        params["version"] = version_param(call, version)
    response = send(connection, f"GET {call}", path, params=params, stream=True,
                    headers={"X-HCP-CustomMetadataFirst": "true" if annotation_first
                             else "false"})
    body = read_all(connection)
    size = integer(response.getheader("X-HCP-Size"))
    if size is None or size > len(body):
        raise HcpsdkError(f"GET {call} {path}: X-HCP-Size {size} does not split a body of "
                          f"{len(body)} bytes")
    first = (response.getheader("X-HCP-CustomMetadataFirst") or "").strip().lower()
    if first == "true":
        return body[len(body) - size:], body[:len(body) - size]
    return body[:size], body[size:]

