"""Server-side copy: HCP copies an object (or one version of it) without the data
passing through the client."""
from __future__ import annotations

from datetime import datetime
from urllib.parse import quote

from .._check import bad_value, of_type, wrong_type
from ..connection import Connection
from ._wire import check_connection, conditions, encode, send, version_param
from .info import Stored

__all__ = ["copy", "copy_source"]

_REST = "/rest/"
_FCFS = "/fcfs_data/"


def copy_source(connection: Connection, source: str, version: int | None = None,
                namespace: str | None = None) -> str:
    """The ``X-HCP-CopySource`` value for ``source``: ``<ns>.<tenant>/<path>[?version=<id>]``.

    The path is the object's path inside its namespace (without ``/rest/``),
    percent-encoded; a source under ``/fcfs_data/`` is in the Default Namespace
    (``default.default``).

    :param namespace: ``'<ns>.<tenant>'`` of the source; default: the Connection's namespace
    """
    encode("copy", source, "source")
    if source.startswith(_FCFS):
        where, inner = "default.default", source[len(_FCFS):]
    elif source.startswith(_REST):
        labels = connection.target.fqdn.split(".")
        where, inner = namespace or ".".join(labels[:2]), source[len(_REST):]
    else:
        raise bad_value("copy", "source", "a path under /rest/ or /fcfs_data/", source)
    if not inner.strip("/"):
        raise bad_value("copy", "source", "the path of an object", source)
    value = quote(f"{where}/{inner}", safe="/.")
    if version is not None:
        value += f"?version={version_param('copy', version)}"
    return value


def copy(connection: Connection, source: str, destination: str, *, version: int | None = None,
         metadata: bool = True, source_namespace: str | None = None,
         if_match: str | list[str] | None = None, if_none_match: str | list[str] | None = None,
         source_if_match: str | list[str] | None = None,
         source_if_none_match: str | list[str] | None = None,
         source_if_modified_since: datetime | float | None = None,
         source_if_unmodified_since: datetime | float | None = None) -> Stored:
    """Copy an object inside HCP (server-side copy); the data never reaches the client.

    The request::

        PUT /rest/<destination>
        X-HCP-CopySource: <ns>.<tenant>/<source path>[?version=<id>]
        X-HCP-MetadataDirective: ALL | NONE
        (X-HCP-CopySource-If-Match / -If-None-Match / -If-Modified-Since /
         -If-Unmodified-Since on the source, If-Match / If-None-Match on the
         destination, when given)

    The copy is a new object with the destination namespace's default retention,
    shred and index settings and no ACL; with ``metadata=True`` it gets every
    annotation of the source.

    :param connection: a Connection to the destination's namespace
    :param source: the object to copy, ``/rest/...`` (or ``/fcfs_data/...``), plain text
    :param destination: where the copy goes, ``/rest/...``
    :param version: copy this version of the source (default: the current one)
    :param metadata: copy the annotations too (``ALL``); ``False``: data only (``NONE``)
    :param source_namespace: ``'<ns>.<tenant>'`` when the source is in another namespace
        of the same tenant
    :param if_match: copy only if the destination exists with this ETag
    :param if_none_match: ``'*'``: copy only if the destination does not exist yet
    :param source_if_match: copy only if the source has this ETag (a list: one of them)
    :param source_if_none_match: copy only if the source has none of these ETags
    :param source_if_modified_since: copy only if the source changed since (an aware
        datetime or epoch seconds)
    :param source_if_unmodified_since: copy only if the source did not change since
    :returns: a :class:`Stored` with the copy's version id and hash
    :raises HcpsdkNotFoundError: no such source (or version)
    :raises HcpsdkRefusedError: the destination exists (``409``, no versioning), is under
        retention or on hold (``403``), the source is a symlink (``400``)
    :raises HcpsdkPreconditionFailedError: a condition does not hold (``412``)

    .. versionadded:: 1.0
    """
    connection = check_connection("copy", connection)
    of_type("copy", "source_namespace", source_namespace, str, "None or '<ns>.<tenant>'")
    if not isinstance(metadata, bool):
        raise wrong_type("copy", "metadata", "True or False", metadata)
    encode("copy", destination, "destination")
    headers = {"X-HCP-CopySource": copy_source(connection, source, version, source_namespace),
               "X-HCP-MetadataDirective": "ALL" if metadata else "NONE"}
    headers.update(conditions("copy", if_match, if_none_match))
    on_source = conditions("copy", source_if_match, source_if_none_match,
                           source_if_modified_since, source_if_unmodified_since)
    headers.update((f"X-HCP-CopySource-{name}", value) for name, value in on_source.items())
    response = send(connection, "PUT copy", destination, headers=headers, ok=(200, 201))
    return Stored.from_headers(destination, response.headers)
