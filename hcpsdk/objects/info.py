"""``stat``: an object's or directory's system metadata from one HEAD request."""
from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ..connection import Connection
from ._wire import (
    check_connection,
    conditions,
    flag,
    from_ms,
    from_seconds,
    integer,
    send,
    version_param,
)

__all__ = ["ObjectInfo", "Stored", "stat", "parse_annotations"]

log = logging.getLogger(__name__)


def parse_annotations(text: str | None) -> dict[str, int | None]:
    """Annotation names (and sizes, when given) of an HCP annotation list.

    Two spellings exist: the ``X-HCP-CustomMetadataAnnotations`` header's
    ``name;size, name2;size`` and the listing attribute's names separated by ``;``.
    A text with a comma is the header's form.
    """
    if not text or not text.strip():
        return {}
    if "," not in text and not any(part.strip().isdigit() for part in text.split(";")[1:]):
        return {name.strip(): None for name in text.split(";") if name.strip()}
    result: dict[str, int | None] = {}
    for item in text.split(","):
        name, _, size = item.strip().partition(";")
        if name:
            result[name] = int(size) if size.strip().isdigit() else None
    return result


def _labels(text: str | None) -> tuple[str, ...]:
    """The ids of the labeled holds in force, from ``X-HCP-LabelRetentionHold-Labels``."""
    if not text:
        return ()
    try:
        items = json.loads(text)
    except ValueError:
        log.debug("X-HCP-LabelRetentionHold-Labels is no JSON: %r", text)
        return ()
    ids = []
    for item in items if isinstance(items, list) else ():
        if isinstance(item, str):
            ids.append(item)
        elif isinstance(item, dict) and isinstance(item.get("id"), str) and item.get("hold", True):
            ids.append(item["id"])
    return tuple(ids)


@dataclass(frozen=True, slots=True)
class ObjectInfo:
    """What HEAD tells about an object (or a directory): see :func:`stat`.

    Absent values are ``None`` (a directory has no hash, an object in the Default
    Namespace no retention class, ...). Times are timezone-aware UTC datetimes.

    .. versionadded:: 1.0
    """

    #: The path asked for (plain text).
    path: str
    #: ``'object'`` or ``'directory'`` (``X-HCP-Type``).
    type: str
    #: Size of the data in bytes (``X-HCP-Size``).
    size: int | None = None
    #: ``Content-Type`` HCP answers with.
    content_type: str | None = None
    #: The ``ETag`` (quoted, as sent), usable for ``if_match=``.
    etag: str | None = None
    #: ``SHA-256``, ``MD5``... (``X-HCP-Hash``, first word).
    hash_scheme: str | None = None
    #: The hash in upper-case hex (``X-HCP-Hash``, second word).
    hash_value: str | None = None
    #: When the object was stored (``X-HCP-IngestTime``).
    ingest_time: datetime | None = None
    #: Last change of data or metadata (``X-HCP-ChangeTimeMilliseconds``).
    change_time: datetime | None = None
    #: The version id (``X-HCP-VersionId``).
    version_id: int | None = None
    #: Retention value: seconds since the epoch, ``0`` (deletion allowed), ``-1``
    #: (prohibited), ``-2`` (initial unspecified) (``X-HCP-Retention``).
    retention: int | None = None
    #: Retention as text, e.g. ``Deletion Allowed`` (``X-HCP-RetentionString``).
    retention_text: str | None = None
    #: Name of the retention class, ``''`` for none (``X-HCP-RetentionClass``).
    retention_class: str | None = None
    #: On hold (``X-HCP-RetentionHold``).
    hold: bool = False
    #: Ids of the labeled holds in force (``X-HCP-LabelRetentionHold-Labels``).
    labeled_holds: tuple[str, ...] = ()
    #: Shredded on delete (``X-HCP-Shred``).
    shred: bool = False
    #: Indexed for search (``X-HCP-Index``).
    index: bool = False
    #: Data protection level (``X-HCP-DPL``).
    dpl: int | None = None
    #: Replicated to another system (``X-HCP-Replicated``).
    replicated: bool = False
    #: Owner and its AD domain (``X-HCP-Owner``, ``X-HCP-Domain``).
    owner: str | None = None
    domain: str | None = None
    #: Has an ACL (``X-HCP-ACL``).
    has_acl: bool = False
    #: Has annotations (``X-HCP-Custom-Metadata``).
    has_annotations: bool = False
    #: Annotation name → size in bytes (``X-HCP-CustomMetadataAnnotations``).
    annotations: dict[str, int | None] = field(default_factory=dict)
    #: Target of a symbolic link (``X-HCP-SymlinkTarget``).
    symlink_target: str | None = None

    @property
    def annotation_names(self) -> tuple[str, ...]:
        """The names of the object's annotations."""
        return tuple(self.annotations)

    @classmethod
    def from_headers(cls, path: str, headers: Any) -> ObjectInfo:
        """Build it from an answer's headers (anything with ``get(name)``, case-blind).

        :param path: the path that was asked for
        :param headers: e.g. an ``http.client.HTTPResponse.headers``
        """
        get = headers.get
        scheme, _, value = (get("X-HCP-Hash") or "").strip().partition(" ")
        # the Default Namespace answers with X-Arc* headers: size and POSIX times
        times = dict(part.strip().partition("=")[::2]
                     for part in (get("X-ArcTimes") or "").split(";") if "=" in part)
        annotations = parse_annotations(get("X-HCP-CustomMetadataAnnotations"))
        return cls(
            path=path,
            type=(get("X-HCP-Type") or "object").strip(),
            size=integer(get("X-HCP-Size") or get("X-ArcSize") or get("Content-Length")),
            content_type=get("Content-Type"),
            etag=get("ETag"),
            hash_scheme=scheme or None,
            hash_value=value.strip() or None,
            ingest_time=from_seconds(get("X-HCP-IngestTime")),
            change_time=from_ms(get("X-HCP-ChangeTimeMilliseconds"))
            or from_seconds(times.get("ctime")),
            version_id=integer(get("X-HCP-VersionId")),
            retention=integer(get("X-HCP-Retention")),
            retention_text=get("X-HCP-RetentionString"),
            retention_class=get("X-HCP-RetentionClass"),
            hold=flag(get("X-HCP-RetentionHold")),
            labeled_holds=_labels(get("X-HCP-LabelRetentionHold-Labels"))
            if flag(get("X-HCP-LabelRetentionHold")) else (),
            shred=flag(get("X-HCP-Shred")),
            index=flag(get("X-HCP-Index")),
            dpl=integer(get("X-HCP-DPL")),
            replicated=flag(get("X-HCP-Replicated")),
            owner=get("X-HCP-Owner"),
            domain=get("X-HCP-Domain"),
            has_acl=flag(get("X-HCP-ACL")),
            has_annotations=flag(get("X-HCP-Custom-Metadata")) or bool(annotations),
            annotations=annotations,
            symlink_target=get("X-HCP-SymlinkTarget"),
        )


def stat(connection: Connection, path: str, *, version: int | None = None,
         if_match: str | list[str] | None = None, if_none_match: str | list[str] | None = None,
         if_modified_since: datetime | float | None = None,
         if_unmodified_since: datetime | float | None = None) -> ObjectInfo:
    """The system metadata of an object, a version of it, or a directory.

    The request::

        HEAD /rest/<path>[?version=<id>]
        (If-Match / If-None-Match / If-Modified-Since / If-Unmodified-Since, when given)

    :param connection: the Connection to use
    :param path: ``/rest/...`` (or ``/fcfs_data/...`` in the Default Namespace), plain text
    :param version: a version id (from :func:`versions` or :attr:`ObjectInfo.version_id`)
    :param if_match: an ETag, a list of them or ``'*'``: HCP answers ``412`` unless one matches
    :param if_none_match: an ETag, a list of them or ``'*'``: ``304`` if one matches
    :param if_modified_since: a datetime (aware) or epoch seconds: ``304`` if not changed since
    :param if_unmodified_since: ``412`` if changed since
    :returns: an :class:`ObjectInfo`
    :raises HcpsdkNotFoundError: no such object (or version)
    :raises HcpsdkNotModifiedError: ``304`` (``if_none_match``, ``if_modified_since``)
    :raises HcpsdkPreconditionFailedError: ``412`` (``if_match``, ``if_unmodified_since``)
    :raises HcpsdkStatusError: any other failure status (e.g. ``403``)

    .. versionadded:: 1.0
    """
    connection = check_connection("stat", connection)
    headers = conditions("stat", if_match, if_none_match, if_modified_since, if_unmodified_since)
    params = None if version is None else {"version": version_param("stat", version)}
    response = send(connection, "HEAD stat", path, params=params, headers=headers,
                    ok=(200, 204))
    return ObjectInfo.from_headers(path, response.headers)



@dataclass(frozen=True, slots=True)
class Stored:
    """What HCP answers when it stored an object (by PUT, copy or upload).

    .. versionadded:: 1.0
    """

    #: The path stored to (plain text).
    path: str
    #: The new version's id (``X-HCP-VersionId``).
    version_id: int | None = None
    #: ``SHA-256``... and the data's hash in upper-case hex (``X-HCP-Hash``).
    hash_scheme: str | None = None
    hash_value: str | None = None
    #: The ``ETag`` (quoted), for ``if_match=`` later.
    etag: str | None = None

    @classmethod
    def from_headers(cls, path: str, headers: Any) -> Stored:
        """Build it from a PUT answer's headers."""
        scheme, _, value = (headers.get("X-HCP-Hash") or "").strip().partition(" ")
        return cls(path, integer(headers.get("X-HCP-VersionId")), scheme or None,
                   value.strip() or None, headers.get("ETag"))
