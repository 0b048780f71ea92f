"""Annotations (HCP's custom metadata): list, get, put and delete them by name."""
from __future__ import annotations

import http.client
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from xml.etree.ElementTree import Element, ParseError, fromstring

from .._check import bad_value, wrong_type
from ..connection import Connection
from ..exceptions import HcpsdkError, HcpsdkNotFoundError
from ._wire import (
    annotation_name,
    check_connection,
    from_ms,
    integer,
    metafile,
    read_all,
    send,
    version_param,
)

__all__ = ["Annotation", "list_annotations", "get_annotation", "put_annotation",
           "delete_annotation"]

_BYTES = (bytes, bytearray, memoryview)


@dataclass(frozen=True, slots=True)
class Annotation:
    """One annotation of an object, as :func:`list_annotations` lists it.

    .. versionadded:: 1.0
    """

    #: Its name (``default`` is the one every tool knows).
    name: str
    #: Size in bytes.
    size: int | None
    #: ``SHA-256``... and the hash in upper-case hex.
    hash_scheme: str | None
    hash_value: str | None
    #: Last change (UTC).
    change_time: datetime | None
    #: ``text/xml`` when the namespace checks annotations for well-formed XML, else ``unknown``.
    content_type: str | None


def _entries(root: Element) -> Iterator[Annotation]:
    for item in root.iter("annotation"):
        scheme, _, value = (item.findtext("hash") or "").strip().partition(" ")
        yield Annotation(item.findtext("name") or "", integer(item.findtext("size")),
                         scheme or None, value.strip() or None,
                         from_ms(item.findtext("changeTimeMilliseconds")),
                         item.findtext("contentType"))


def _params(call: str, name: str | None, version: Any, kind: str = "custom-metadata"
            ) -> dict[str, str]:
    params = {"type": kind}
    if name is not None:
        params["annotation"] = annotation_name(call, name)
    if version is not None:
        params["version"] = version_param(call, version)
    return params


def _default_namespace(call: str, path: str, name: str, version: Any) -> str | None:
    """The Default Namespace's ``custom-metadata.xml`` metafile for ``path``, if it is there.

    :raises HcpsdkArgumentError: what the Default Namespace has not: other annotations
        than ``default``, versions
    """
    meta = metafile(path, "custom-metadata.xml")
    if meta is not None and (name != "default" or version is not None):
        raise bad_value(call, "name" if name != "default" else "version",
                        "'default' (and no version) in the Default Namespace",
                        name if name != "default" else version)
    return meta


def _absent(call: str, path: str, response: http.client.HTTPResponse, name: str
            ) -> HcpsdkNotFoundError:
    """The error for HCP's ``204`` answer: the object has no annotation ``name``."""
    message = response.getheader("X-HCP-ErrorMessage") or f"no annotation named {name}"
    return HcpsdkNotFoundError(f"{call} {path}: {message}", 204, response.reason, message)


def list_annotations(connection: Connection, path: str, *, version: int | None = None
                ) -> list[Annotation]:
    """The annotations of an object (or of one version of it).

    The request::

        GET /rest/<path>?type=custom-metadata-info[&version=<id>]

    :param connection: the Connection to use
    :param path: ``/rest/...``, plain text
    :param version: a version id
    :returns: a list of :class:`Annotation` (empty when HCP answers ``204``: none)
    :raises HcpsdkNotFoundError: no such object

    .. versionadded:: 1.0
    """
    call = "list_annotations"
    connection = check_connection(call, connection)
    response = send(connection, f"GET {call}", path, stream=True, ok=(200, 204),
                    params=_params(call, None, version, "custom-metadata-info"))
    body = read_all(connection)
    if response.status == 204 or not body.strip():
        return []
    try:
        return list(_entries(fromstring(body)))
    except ParseError as exc:
        raise HcpsdkError(f"GET {call} {path}: the annotation list is not well-formed XML "
                          f"({exc})") from exc


def get_annotation(connection: Connection, path: str, name: str = "default", *,
                   version: int | None = None) -> bytes:
    """One annotation's content.

    The request::

        GET /rest/<path>?type=custom-metadata&annotation=<name>[&version=<id>]
        GET /fcfs_metadata/<path>/custom-metadata.xml   (Default Namespace: ``default`` only)

    :param connection: the Connection to use
    :param path: ``/rest/...``, plain text
    :param name: the annotation's name
    :param version: a version id
    :returns: the annotation
    :raises HcpsdkNotFoundError: no such object (``404``), or it has no annotation of
        that name (HCP answers ``204``, which is then the error's ``status``)

    .. versionadded:: 1.0
    """
    call = "get_annotation"
    connection = check_connection(call, connection)
    meta = _default_namespace(call, path, name, version)
    if meta is not None:
        send(connection, f"GET {call}", meta, stream=True)
        return read_all(connection)
    response = send(connection, f"GET {call}", path, stream=True, ok=(200, 204),
                    params=_params(call, name, version))
    data = read_all(connection)
    if response.status == 204:
        raise _absent(f"GET {call}", path, response, name)
    return data


def put_annotation(connection: Connection, path: str, data: bytes, name: str = "default", *,
                   content_type: str | None = None) -> None:
    """Store (or replace) an annotation of an object.

    The request::

        PUT /rest/<path>?type=custom-metadata&annotation=<name>
        PUT /fcfs_metadata/<path>/custom-metadata.xml   (Default Namespace: ``default`` only)

    :param connection: the Connection to use
    :param path: ``/rest/...``, plain text
    :param data: the annotation (XML, if the namespace checks it)
    :param name: its name
    :param content_type: a ``Content-Type`` to send along
    :raises HcpsdkNotFoundError: no such object
    :raises HcpsdkRefusedError: HCP refused (not well-formed XML, an eleventh annotation,
        the object under retention)

    .. versionadded:: 1.0
    """
    call = "put_annotation"
    connection = check_connection(call, connection)
    if not isinstance(data, (*_BYTES, str)):
        raise wrong_type(call, "data", "bytes or str", data)
    headers = {"Content-Type": content_type} if content_type else None
    meta = _default_namespace(call, path, name, None)
    if meta is not None:
        send(connection, f"PUT {call}", meta, body=data, headers=headers, ok=(200, 201))
        return
    send(connection, f"PUT {call}", path, body=data, params=_params(call, name, None),
         headers=headers, ok=(200, 201))


def delete_annotation(connection: Connection, path: str, name: str = "default") -> None:
    """Delete an annotation of an object.

    The request::

        DELETE /rest/<path>?type=custom-metadata&annotation=<name>
        DELETE /fcfs_metadata/<path>/custom-metadata.xml   (Default Namespace: ``default`` only)

    :param connection: the Connection to use
    :param path: ``/rest/...``, plain text
    :param name: the annotation's name
    :raises HcpsdkNotFoundError: no such object or annotation
    :raises HcpsdkRefusedError: the object is under retention (``403``)

    .. versionadded:: 1.0
    """
    call = "delete_annotation"
    connection = check_connection(call, connection)
    meta = _default_namespace(call, path, name, None)
    if meta is not None:
        send(connection, f"DELETE {call}", meta, ok=(200, 204))
        return
    response = send(connection, f"DELETE {call}", path, params=_params(call, name, None),
                    ok=(200, 204))
    if response.status == 204:
        raise _absent(f"DELETE {call}", path, response, name)
